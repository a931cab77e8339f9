"""The catalog collection: one document per product (its description), id = product id.

chromadb keeps the documents, their metadata and embeddings; nearest-neighbour search runs on
engine/ann.py's index over the same embeddings (tools/profiling.py).
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

CATALOG = "catalog"
STAGED = "catalog-staged"  # a catalog being built, not yet serving
_BATCH = 2000


def embedding_name() -> str:
    """COPILOT_EMBEDDING=hashing (default) or minilm. Changing it needs `copilot init --force`.
    (Here, not beside the embedding functions, so that naming one does not import chromadb.)"""
    choice = os.environ.get("COPILOT_EMBEDDING", "hashing").lower()
    if choice not in ("hashing", "minilm"):
        raise ValueError(f"COPILOT_EMBEDDING must be 'hashing' or 'minilm', not {choice!r}")
    return choice


def open_client(path: Path) -> Any:
    """An embedded, persistent chromadb client with telemetry off (no network)."""
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    path.mkdir(parents=True, exist_ok=True)
    return chromadb.PersistentClient(path=str(path), settings=ChromaSettings(anonymized_telemetry=False))


def catalog_collection(client: Any) -> Any:
    from vectorstore.embedding import configured_embedding

    return client.get_or_create_collection(
        CATALOG, embedding_function=configured_embedding(), metadata={"hnsw:space": "cosine"}
    )


def stage_catalog(
    client: Any,
    ids: Sequence[int],
    descriptions: Sequence[str],
    metadatas: Sequence[dict[str, Any]],
) -> int:
    """Build a new catalog beside the current one, which serves until `publish_catalog` (so a load
    that fails leaves the catalog as it was: `discard_catalog`). Returns how many were added."""
    discard_catalog(client)
    col = client.create_collection(STAGED, embedding_function=_embedding(), metadata={"hnsw:space": "cosine"})
    for i in range(0, len(ids), _BATCH):
        col.add(
            ids=[str(x) for x in ids[i : i + _BATCH]],
            documents=list(descriptions[i : i + _BATCH]),
            metadatas=list(metadatas[i : i + _BATCH]),
        )
    return int(col.count())


def publish_catalog(client: Any) -> None:
    """The staged catalog becomes the catalog."""
    staged = client.get_collection(STAGED, embedding_function=_embedding())
    if CATALOG in _names(client):
        client.delete_collection(CATALOG)
    staged.modify(name=CATALOG)


def discard_catalog(client: Any) -> None:
    if STAGED in _names(client):
        client.delete_collection(STAGED)


def rebuild_catalog(
    client: Any,
    ids: Sequence[int],
    descriptions: Sequence[str],
    metadatas: Sequence[dict[str, Any]],
) -> int:
    """Replace the catalog collection with these products; returns how many were added."""
    count = stage_catalog(client, ids, descriptions, metadatas)
    publish_catalog(client)
    return count


def _names(client: Any) -> list[str]:
    return [c.name for c in client.list_collections()]


def _embedding() -> Any:
    from vectorstore.embedding import configured_embedding

    return configured_embedding()


def catalog_vectors(client: Any) -> tuple[np.ndarray, np.ndarray]:
    """Every product id in the catalog and its stored embedding (one row each)."""
    got = catalog_collection(client).get(include=["embeddings"])
    return np.array([int(i) for i in got["ids"]], dtype=np.int64), np.asarray(got["embeddings"], dtype=np.float32)


def embed_query(text: str) -> np.ndarray:
    """A search text embedded as the catalog's documents were."""
    from vectorstore.embedding import configured_embedding

    return np.asarray(configured_embedding()([text])[0], dtype=np.float32)


def documents(client: Any, ids: Sequence[int]) -> dict[int, str]:
    """The stored description of each of these product ids."""
    got = catalog_collection(client).get(ids=[str(i) for i in ids], include=["documents"])
    return {int(i): d for i, d in zip(got["ids"], got["documents"], strict=True)}
