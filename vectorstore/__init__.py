"""chromadb collections with an embedding function that works offline (vectorstore/embedding.py).

chromadb is imported on first use, not at start-up: most requests never touch the catalog.
"""

from vectorstore.catalog import (
    CATALOG,
    catalog_collection,
    catalog_vectors,
    documents,
    embed_query,
    embedding_name,
    open_client,
)

__all__ = [
    "CATALOG",
    "catalog_collection",
    "catalog_vectors",
    "documents",
    "embed_query",
    "embedding_name",
    "open_client",
]
