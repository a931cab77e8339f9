"""The shop and its catalog are replaced together or not at all. A load killed (SIGKILL) at each step
of the swap leaves the old pair or the new one, never a mix, once the copilot opens; a catalog with
documents missing, one left half-built or one from before fingerprints is found by the health
check and rebuilt, said in one line."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from sqlalchemy import select

from copilot.app import Copilot
from copilot.settings import Settings
from store.db import Product, make_engine, make_sessionmaker
from store.shop import load_demo_shop
from tests.test_graph import ScriptedChatModel
from tools import Shop

NEW_ORDERS = """InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID,Country
1001,A1,RED MUG,4,2024-03-01 10:00,3.50,7,France
1001,B2,BLUE PLATE,2,2024-03-01 10:00,6.00,7,France
1002,C3,GREEN BOWL,3,2024-04-01 12:00,4.00,8,Spain
"""
OLD = {(1, "HAND WARMER UNION JACK"), (2, "WHITE METAL LANTERN")}  # the tiny shop's first two products
NEW = {(1, "RED MUG"), (2, "BLUE PLATE"), (3, "GREEN BOWL")}


@pytest.fixture
def home(tmp_path: Path, tiny_csv: Path) -> Path:
    home = tmp_path / "home"
    engine = make_engine(f"sqlite:///{home / 'shop.db'}")
    shop = Shop(make_sessionmaker(engine), home / "chroma")
    load_demo_shop(shop.sessions, shop.chroma, path=tiny_csv)
    engine.dispose()
    (tmp_path / "new.csv").write_text(NEW_ORDERS)
    return home


def products(home: Path) -> set[tuple[int, str]]:
    engine = make_engine(f"sqlite:///{home / 'shop.db'}")
    try:
        with make_sessionmaker(engine)() as s:
            return {(int(i), str(d)) for i, d in s.execute(select(Product.id, Product.description))}
    finally:
        engine.dispose()


def catalog(home: Path) -> set[tuple[int, str]] | None:
    """The serving catalog's documents, read afresh from disk (None: no catalog serves)."""
    from chromadb.api.client import SharedSystemClient

    from vectorstore.catalog import CATALOG, open_client

    SharedSystemClient.clear_system_cache()
    client = open_client(home / "chroma")
    if CATALOG not in [c.name for c in client.list_collections()]:
        return None
    got = client.get_collection(CATALOG).get(include=["documents"])
    return {(int(i), str(d)) for i, d in zip(got["ids"], got["documents"], strict=True)}


def open_copilot(home: Path) -> tuple[Copilot, list[str]]:
    from chromadb.api.client import SharedSystemClient

    SharedSystemClient.clear_system_cache()
    said: list[str] = []
    cp = Copilot(Settings(home=home), model=ScriptedChatModel(script=[], seen=[]), notice=said.append)
    return cp, said


KILL = "import os, signal\ndef die(*a, **k):\n    os.kill(os.getpid(), signal.SIGKILL)\n"
STEPS = {
    # mid-build: the second batch of documents is never added
    "building": """
        import vectorstore.catalog as vc
        from chromadb.api.models.Collection import Collection
        vc._BATCH = 1
        added = Collection.add
        calls = []
        def add(self, *a, **k):
            calls.append(1)
            if len(calls) == 2:
                die()
            return added(self, *a, **k)
        Collection.add = add
    """,
    "after the shop's commit": """
        import vectorstore.catalog as vc
        vc.publish_catalog = die
    """,
    "between dropping the old catalog and renaming the new": """
        from chromadb.api.models.Collection import Collection
        Collection.modify = die
    """,
    "before the marker": """
        import vectorstore.catalog as vc
        publish = vc.publish_catalog
        def publish_then_die(*a, **k):
            vc.write_marker = die
            return publish(*a, **k)
        vc.publish_catalog = publish_then_die
    """,
}


@pytest.mark.parametrize("step", list(STEPS))
def test_a_load_killed_at_any_step_leaves_one_pair(home: Path, step: str) -> None:
    script = (
        KILL
        + textwrap.dedent(STEPS[step])
        + textwrap.dedent(
            f"""
        from pathlib import Path
        from copilot.app import import_order_file
        from copilot.settings import Settings
        import_order_file(Path({str(home.parent / "new.csv")!r}), settings=Settings(home=Path({str(home)!r})))
        """
        )
    )
    p = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120, env=os.environ)
    assert p.returncode == -9, p.stderr  # killed where it was meant to be
    shop_now = products(home)
    assert shop_now == NEW if step != "building" else shop_now >= OLD
    cp, said = open_copilot(home)
    try:
        _ = cp.shop.chroma  # a request that uses the catalog
    finally:
        cp.close()
    served = catalog(home)
    assert served == products(home), (step, said)  # one pair: the old or the new, never a mix
    if step == "building":
        assert said == [] and served >= OLD  # the old pair still serves, nothing to repair
    elif step == "before the marker":
        assert said == []  # the new catalog was in place: the marker is written, nothing else
    else:
        assert len(said) == 1 and "swapped it in now (3 documents, matching the shop)" in said[0], said


def test_documents_missing_are_found_and_rebuilt(home: Path) -> None:
    from vectorstore.catalog import catalog_collection, open_client

    client = open_client(home / "chroma")
    catalog_collection(client).delete(ids=["1", "2"])
    cp, said = open_copilot(home)
    try:
        assert said == []  # the start-up's cheap check (the marker) cannot see inside chromadb
        _ = cp.shop.chroma  # the first use of the catalog checks it in full
        assert said == [said[0]] and "it had 2 of the shop's 4 products; rebuilt it" in said[0]
        assert catalog(home) == products(home)
        assert cp.check_catalog() == "catalog: 4 documents, built from the shop's products"
    finally:
        cp.close()


def test_a_half_built_catalog_is_rebuilt_and_told_by_init(home: Path) -> None:
    from vectorstore.catalog import CATALOG, catalog_collection, open_client, stage_catalog

    client = open_client(home / "chroma")
    stage_catalog(
        client, [1, 2], ["x", "y"], [{"stock_code": "X"}, {"stock_code": "Y"}], fingerprint="other"
    )  # a build cut short
    client.delete_collection(CATALOG)  # and nothing serves
    (home / "chroma" / "catalog.json").unlink()
    env = {**os.environ, "COPILOT_HOME": str(home)}
    p = subprocess.run(
        [sys.executable, "-m", "channels.cli", "init"], capture_output=True, text=True, timeout=120, env=env
    )
    assert p.returncode == 0, p.stderr
    assert "catalog: it was missing; rebuilt it from the shop's products (4 documents" in p.stderr
    assert catalog(home) == products(home)
    client = open_client(home / "chroma")
    assert [c.name for c in client.list_collections()] == [CATALOG]  # the half-built one is gone
    assert catalog_collection(client).count() == 4


def test_a_shop_restored_from_a_backup_gets_its_catalog_back(home: Path, tmp_path: Path) -> None:
    backup = tmp_path / "shop.backup.db"
    backup.write_bytes((home / "shop.db").read_bytes())
    cp, _ = open_copilot(home)
    cp.close()
    from copilot.app import import_order_file

    import_order_file(tmp_path / "new.csv", settings=Settings(home=home))
    assert catalog(home) == NEW
    (home / "shop.db").write_bytes(backup.read_bytes())  # the old shop is back, the catalog is the new one's
    for extra in home.glob("shop.db-*"):
        extra.unlink()
    cp, said = open_copilot(home)
    try:
        assert len(said) == 1 and "it had 3 of the shop's 4 products; rebuilt it from the shop's products" in said[0]
    finally:
        cp.close()
    assert catalog(home) == products(home)


def test_chromadb_files_that_cannot_be_read_are_set_aside_and_rebuilt(home: Path) -> None:
    from chromadb.api.client import SharedSystemClient

    SharedSystemClient.clear_system_cache()
    with open(home / "chroma" / "chroma.sqlite3", "r+b") as f:
        f.write(b"not a database" * 100)
    cp, said = open_copilot(home)
    try:
        _ = cp.shop.chroma
    finally:
        cp.close()
    assert len(said) == 1 and "catalog: chromadb's files could not be read" in said[0], said
    assert "and rebuilt it from the shop's products (4 documents" in said[0]
    assert [p.name.startswith("chroma.corrupt-") for p in home.glob("chroma.*")] == [True]
    assert catalog(home) == products(home)
