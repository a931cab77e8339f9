"""chromadb collections with an embedding function that works offline (vectorstore/embedding.py).

chromadb is imported on first use, not at start-up: most requests never touch the catalog.
"""

from vectorstore.catalog import CATALOG, catalog_collection, open_client, similar_products

__all__ = ["CATALOG", "catalog_collection", "open_client", "similar_products"]
