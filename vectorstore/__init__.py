"""chromadb collections with an embedding function that works offline."""

from vectorstore.catalog import CATALOG, catalog_collection, open_client, similar_products
from vectorstore.embedding import HashingEmbedding

__all__ = ["CATALOG", "HashingEmbedding", "catalog_collection", "open_client", "similar_products"]
