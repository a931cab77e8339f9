"""The catalog collection: one document per product (its description), id = product id.

chromadb keeps the documents, their metadata and embeddings; nearest-neighbour search runs on
engine/ann.py's index over the same embeddings (tools/profiling.py).

A new catalog is built beside the serving one (`stage_catalog`) and swapped in only when complete
(`publish_catalog`). Each carries the fingerprint of the products it was built from and its count
in its metadata; once one serves, a small file beside chromadb's (`catalog.json`) says which, so a
start-up can tell without opening chromadb that the catalog is the shop's (store/catalog.py).
"""

from __future__ import annotations

import json
import os
import uuid
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

CATALOG = "catalog"
STAGED = "catalog-staged"  # a catalog being built, not yet serving
MARKER = "catalog.json"  # beside chromadb's files: the fingerprint and count of the catalog serving
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
    *,
    fingerprint: str | None = None,
) -> int:
    """Build a new catalog beside the current one, which serves until `publish_catalog` (so a load
    that fails leaves the catalog as it was: `discard_catalog`). `fingerprint`: of the products it
    is built from (store/catalog.py), kept in its metadata with the count it must reach. Returns
    how many were added."""
    discard_catalog(client)
    meta: dict[str, Any] = {"hnsw:space": "cosine", "documents": len(ids)}
    if fingerprint is not None:
        meta["fingerprint"] = fingerprint
    col = client.create_collection(STAGED, embedding_function=_embedding(), metadata=meta)
    for i in range(0, len(ids), _BATCH):
        col.add(
            ids=[str(x) for x in ids[i : i + _BATCH]],
            documents=list(descriptions[i : i + _BATCH]),
            metadatas=list(metadatas[i : i + _BATCH]),
        )
    return int(col.count())


def publish_catalog(client: Any, *, fingerprint: str | None = None) -> None:
    """The staged catalog becomes the catalog, and the marker says so. (Killed between the two
    steps, no catalog serves and the complete staged one waits: the health check publishes it.)
    With the `fingerprint` it was built for, a catalog another process published already (a
    start-up's health check, after this load's commit) is left as it is."""
    if fingerprint is not None and STAGED not in _names(client):
        live = catalog_state(client)
        if live is not None and live["fingerprint"] == fingerprint and live["documents"] == live["expected"]:
            write_marker(client, live)
            return
    staged = client.get_collection(STAGED, embedding_function=_embedding())
    state = collection_state(staged)
    if CATALOG in _names(client):
        client.delete_collection(CATALOG)
    staged.modify(name=CATALOG)
    write_marker(client, state)


def collection_state(col: Any) -> dict[str, Any]:
    """What a catalog collection holds: its documents now, and the fingerprint and count it was
    built for (None for a catalog built before they were recorded)."""
    meta = col.metadata or {}
    return {"documents": int(col.count()), "fingerprint": meta.get("fingerprint"), "expected": meta.get("documents")}


def catalog_state(client: Any) -> dict[str, Any] | None:
    """The state of the serving catalog, or None when there is none."""
    if CATALOG not in _names(client):
        return None
    return collection_state(client.get_collection(CATALOG, embedding_function=_embedding()))


def staged_state(client: Any) -> dict[str, Any] | None:
    """The state of a catalog built but not swapped in, or None."""
    if STAGED not in _names(client):
        return None
    return collection_state(client.get_collection(STAGED, embedding_function=_embedding()))


def marker_path(client: Any) -> Path:
    return Path(client.get_settings().persist_directory) / MARKER


def read_marker(folder: Path) -> dict[str, Any] | None:
    """The marker in chromadb's folder: {"fingerprint", "documents"} of the catalog serving, or None."""
    try:
        value = json.loads((folder / MARKER).read_text())
    except (OSError, ValueError):
        return None
    return value if isinstance(value, dict) else None


def write_marker(client: Any, state: dict[str, Any] | None) -> None:
    """Say which catalog serves (atomically: a reader never sees half a file); None forgets it."""
    path = marker_path(client)
    if state is None:
        path.unlink(missing_ok=True)
        return
    tmp = path.with_name(f".{MARKER}.{uuid.uuid4().hex[:8]}")
    tmp.write_text(json.dumps({"fingerprint": state.get("fingerprint"), "documents": state.get("documents")}))
    tmp.replace(path)


def discard_catalog(client: Any) -> None:
    if STAGED in _names(client):
        client.delete_collection(STAGED)


def rebuild_catalog(
    client: Any,
    ids: Sequence[int],
    descriptions: Sequence[str],
    metadatas: Sequence[dict[str, Any]],
    *,
    fingerprint: str | None = None,
) -> int:
    """Replace the catalog collection with these products; returns how many were added."""
    count = stage_catalog(client, ids, descriptions, metadatas, fingerprint=fingerprint)
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
