"""The catalog collection: one document per product (its description), id = product id."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

CATALOG = "catalog"
_BATCH = 2000


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


def rebuild_catalog(
    client: Any,
    ids: Sequence[int],
    descriptions: Sequence[str],
    metadatas: Sequence[dict[str, Any]],
) -> int:
    """Replace the catalog collection with these products; returns how many were added."""
    if CATALOG in [c.name for c in client.list_collections()]:
        client.delete_collection(CATALOG)
    col = catalog_collection(client)
    for i in range(0, len(ids), _BATCH):
        col.add(
            ids=[str(x) for x in ids[i : i + _BATCH]],
            documents=list(descriptions[i : i + _BATCH]),
            metadatas=list(metadatas[i : i + _BATCH]),
        )
    return int(col.count())


def similar_products(client: Any, text: str, k: int, exclude: int | None = None) -> list[dict[str, Any]]:
    """Products whose descriptions are nearest to `text`: [{product_id, description, similarity}]."""
    col = catalog_collection(client)
    res = col.query(query_texts=[text], n_results=k + (1 if exclude is not None else 0))
    out = []
    for pid, doc, dist in zip(res["ids"][0], res["documents"][0], res["distances"][0], strict=True):
        if exclude is not None and int(pid) == exclude:
            continue
        out.append({"product_id": int(pid), "description": doc, "similarity": round(1.0 - dist, 4)})
    return out[:k]
