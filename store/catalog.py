"""The shop and its catalog agree: the catalog health check.

A load writes, in the shop's own transaction, the fingerprint of its products (id, stock code,
description: what the catalog's documents are made of) and their count (`Meta` row "catalog"). The
catalog built for it carries the same in its metadata, and once it serves, a marker beside chromadb's
files says so (vectorstore/catalog.py). A start-up compares the row with the marker: equal, nothing
to do, and chromadb is not even opened. Otherwise (a load killed between the shop's commit and the
swap, a shop restored from a backup, a catalog damaged) it looks: a complete staged catalog built for
these products is swapped in; anything else is rebuilt from the products table. Each repair is told
in one line.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import sessionmaker

from store.db import Meta, Product

CATALOG_ROW = "catalog"


@dataclass(frozen=True)
class CatalogFacts:
    """What the shop says its catalog must be: the products' fingerprint and count."""

    fingerprint: str
    documents: int

    def value(self) -> str:
        return json.dumps({"fingerprint": self.fingerprint, "documents": self.documents})


def fingerprint(rows: Iterable[tuple[int, str, str]]) -> str:
    """The fingerprint of products given as (id, stock code, description), in any order."""
    h = hashlib.sha256()
    for pid, code, description in sorted(rows):
        h.update(f"{pid}\t{code}\t{description}\n".encode("utf-8", "replace"))
    return h.hexdigest()[:32]


def facts_of(products: Iterable[dict[str, Any]]) -> CatalogFacts:
    """The facts of products as a load writes them (dicts with id, stock_code, description)."""
    rows = [(int(p["id"]), str(p["stock_code"]), str(p["description"])) for p in products]
    return CatalogFacts(fingerprint(rows), len(rows))


def shop_facts(sessions: sessionmaker) -> CatalogFacts | None:
    """What the shop says its catalog must be (its "catalog" row, written now from the products
    table for a shop loaded before there was one), or None for an empty shop."""
    with sessions() as s:
        row = s.get(Meta, CATALOG_ROW)
        if row is not None:
            value = json.loads(row.value)
            return CatalogFacts(str(value["fingerprint"]), int(value["documents"]))
        rows = [
            (int(i), str(c), str(d))
            for i, c, d in s.execute(select(Product.id, Product.stock_code, Product.description))
        ]
    if not rows:
        return None
    facts = CatalogFacts(fingerprint(rows), len(rows))
    with sessions.begin() as s:
        if s.get(Meta, CATALOG_ROW) is None:
            s.add(Meta(key=CATALOG_ROW, value=facts.value()))
    return facts


def marked(sessions: sessionmaker, chroma_path: Path) -> bool:
    """The cheap check, made at each start-up without opening chromadb: the marker says the
    catalog serving is the one built for the shop's products (or the shop is empty)."""
    from vectorstore.catalog import read_marker

    facts = shop_facts(sessions)
    return facts is None or read_marker(chroma_path) == {"fingerprint": facts.fingerprint, "documents": facts.documents}


def check_catalog(sessions: sessionmaker, client: Any) -> str | None:
    """The full check, made when a process first opens the catalog: it holds every product's
    document and was built for the shop's products; if not, it is repaired (a complete staged
    catalog swapped in, else rebuilt from the products table). Returns the one line that says what
    was repaired, or None."""
    facts = shop_facts(sessions)
    return None if facts is None else _repair(sessions, client, facts)


def _repair(sessions: sessionmaker, client: Any, facts: CatalogFacts) -> str | None:
    from vectorstore.catalog import (
        catalog_state,
        discard_catalog,
        publish_catalog,
        rebuild_catalog,
        staged_state,
        write_marker,
    )

    live = catalog_state(client)
    staged = staged_state(client)
    if live is not None and live["documents"] == facts.documents and live["fingerprint"] == facts.fingerprint:
        if staged is not None and staged["fingerprint"] == facts.fingerprint:
            discard_catalog(client)  # a copy of it a load left (its publish leaves the live one as it is)
        write_marker(client, {"fingerprint": facts.fingerprint, "documents": facts.documents})
        return None
    if staged is not None and staged["fingerprint"] == facts.fingerprint and staged["documents"] == facts.documents:
        publish_catalog(client)
        return (
            "catalog: a load stopped before swapping in its new catalog; swapped it in now "
            f"({facts.documents:,} documents, matching the shop)"
        )
    if staged is not None:
        discard_catalog(client)  # a build cut short
    if live is None:
        why = "was missing"
    elif live["fingerprint"] is None:
        why = "was built before catalogs recorded the products they hold"
    elif live["documents"] != facts.documents:
        why = f"had {live['documents']:,} of the shop's {facts.documents:,} products"
    else:
        why = "was built from other products than the shop's"
    t0 = time.perf_counter()
    with sessions() as s:
        products = list(s.execute(select(Product.id, Product.stock_code, Product.description, Product.price)))
    count = rebuild_catalog(
        client,
        [int(p.id) for p in products],
        [str(p.description) for p in products],
        [{"stock_code": p.stock_code, "price": p.price} for p in products],
        fingerprint=facts.fingerprint,
    )
    return (
        f"catalog: it {why}; rebuilt it from the shop's products ({count:,} documents, "
        f"{time.perf_counter() - t0:.1f} s)"
    )


def catalog_corrupt(exc: BaseException) -> bool:
    """chromadb could not read its own files (its SQLite file is not a database, or malformed)."""
    text = str(exc).lower()
    return any(k in text for k in ("file is not a database", "malformed", "database disk image"))


def reopen_corrupt_catalog(sessions: sessionmaker, chroma_path: Path, exc: BaseException) -> tuple[Any, str]:
    """chromadb's folder could not be read: set aside (kept for a look) and the catalog rebuilt
    from the shop's products in a fresh one. Returns the client and the one line that says so."""
    from chromadb.api.client import SharedSystemClient

    from vectorstore.catalog import open_client

    aside = chroma_path.with_name(f"{chroma_path.name}.corrupt-{time.strftime('%Y%m%d-%H%M%S')}")
    chroma_path.rename(aside)
    SharedSystemClient.clear_system_cache()  # the broken folder's system is not reused
    client = open_client(chroma_path)
    said = check_catalog(sessions, client) or "catalog: it was missing; the shop is empty"
    why = " ".join(str(exc).split())[:120]
    rebuilt = said.split("; ", 1)[-1]
    return client, f"catalog: chromadb's files could not be read ({why}); set them aside as {aside.name} and {rebuilt}"
