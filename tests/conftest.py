"""Test set-up: no network but loopback, a tiny handwritten shop, and the demo shop loaded once."""

from __future__ import annotations

import os
import shutil
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared" / "data"
_real_connect = socket.socket.connect


def _loopback_only(self: socket.socket, address: object) -> None:
    host = address[0] if isinstance(address, tuple) else address
    if (
        isinstance(host, str)
        and not (host.startswith("127.") or host in ("localhost", "::1"))
        and self.family != socket.AF_UNIX
    ):
        raise OSError(f"tests may not reach the network ({host})")
    _real_connect(self, address)  # type: ignore[arg-type]


@pytest.fixture(autouse=True)
def _no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(socket.socket, "connect", _loopback_only)
    for var in ("OPENAI_API_KEY", "OPENAI_BASE_URL", "COPILOT_MODEL", "COPILOT_DATABASE_URL"):
        monkeypatch.delenv(var, raising=False)


def shared_data() -> Path:
    """../shared/data, or a skip (a user's clone) / a failure (CI, where it must exist)."""
    if SHARED.is_dir():
        return SHARED
    if os.environ.get("COPILOT_REQUIRE_SHARED") or os.environ.get("CI"):
        pytest.fail("../shared/data is missing; CI must run the published-figure tests")
    pytest.skip("needs ../shared/data (the reference data sets), which a user's clone does not have")


TINY_CSV = """InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID,Country
536365,85123A,WHITE HANGING HEART T-LIGHT HOLDER,6,2010-12-01 08:26:00,2.55,17850.0,United Kingdom
536365,71053,WHITE METAL LANTERN,6,2010-12-01 08:26:00,3.39,17850.0,United Kingdom
536366,85123A,WHITE HANGING HEART T-LIGHT HOLDER,4,2011-03-01 09:00:00,2.95,12347.0,Iceland
536366,22633,HAND WARMER UNION JACK,12,2011-03-01 09:00:00,1.85,12347.0,Iceland
536367,22633,HAND WARMER UNION JACK,24,2011-06-01 10:00:00,1.65,12347.0,Iceland
536367,71053,WHITE METAL LANTERN,2,2011-06-01 10:00:00,3.39,12347.0,Iceland
536368,85123B,RED HANGING HEART T-LIGHT HOLDER,8,2011-11-30 11:00:00,2.95,13047.0,United Kingdom
536368,22633,HAND WARMER UNION JACK,6,2011-11-30 11:00:00,2.10,13047.0,United Kingdom
536369,85123A,WHITE HANGING HEART T-LIGHT HOLDER,3,2011-12-09 12:00:00,2.55,13047.0,United Kingdom
C536370,85123A,WHITE HANGING HEART T-LIGHT HOLDER,-2,2011-12-09 12:00:00,2.55,13047.0,United Kingdom
536371,22633,HAND WARMER UNION JACK,5,2011-12-09 12:00:00,1.85,,United Kingdom
536372,POST,POSTAGE,1,2011-12-09 12:00:00,18.00,12347.0,Iceland
536373,71053,WHITE METAL LANTERN,0,2011-12-09 12:00:00,3.39,12347.0,Iceland
"""


@pytest.fixture
def tiny_csv(tmp_path: Path) -> Path:
    path = tmp_path / "tiny.csv"
    path.write_text(TINY_CSV)
    return path


@pytest.fixture
def tiny_shop(tmp_path: Path, tiny_csv: Path):  # type: ignore[no-untyped-def]
    """A real SQLite file and a real chromadb holding the tiny shop."""
    from store.db import make_engine, make_sessionmaker
    from store.shop import load_demo_shop
    from tools import Shop

    shop = Shop(make_sessionmaker(make_engine(f"sqlite:///{tmp_path / 'shop.db'}")), tmp_path / "chroma")
    load_demo_shop(shop.sessions, shop.chroma, path=tiny_csv)
    return shop


@pytest.fixture(scope="session")
def demo_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The real demo shop, loaded once per test session (about 10 s)."""
    from copilot.app import Copilot
    from copilot.settings import Settings

    home = tmp_path_factory.mktemp("demo")
    Copilot(Settings(home=home)).close()
    return home


@pytest.fixture
def copilot_home(demo_home: Path, tmp_path: Path) -> Iterator[Path]:
    """A fresh copy of the demo shop for a test that may change it."""
    home = tmp_path / "home"
    shutil.copytree(demo_home, home, ignore=shutil.ignore_patterns("checkpoints.sqlite*"))
    yield home


# Property tests draw the same examples on every run: CI stays reproducible (a new failure found by
# exploring locally with HYPOTHESIS_PROFILE=explore becomes a fixed example).
from hypothesis import settings as _hypothesis_settings  # noqa: E402

_hypothesis_settings.register_profile("ci", derandomize=True, deadline=None)
_hypothesis_settings.register_profile("explore", deadline=None)
_hypothesis_settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


@pytest.fixture(scope="session")
def pg_server() -> Iterator[str]:
    """A real PostgreSQL on loopback for the whole run (evals/postgres.py), or a skip on a machine
    without one (a failure in CI, which installs Debian's postgresql package)."""
    from evals.postgres import NoPostgres, local_postgres

    try:
        server = local_postgres()
        url = server.__enter__()
    except NoPostgres as exc:
        if os.environ.get("COPILOT_REQUIRE_POSTGRES") or os.environ.get("CI"):
            pytest.fail(f"CI runs the database tests on PostgreSQL too: {exc}")
        pytest.skip(f"needs a PostgreSQL server ({exc})")
    try:
        yield url
    finally:
        server.__exit__(None, None, None)


@pytest.fixture
def pg_url(pg_server: str) -> Iterator[str]:
    """A new, empty PostgreSQL database for one test, dropped after it."""
    import uuid

    from evals.postgres import create_database, drop_database

    name = f"t_{uuid.uuid4().hex[:12]}"
    url = create_database(pg_server, name)
    try:
        yield url
    finally:
        drop_database(pg_server, name)


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A new database of each kind: a SQLite file, then a PostgreSQL database."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'shop.db'}"
    return str(request.getfixturevalue("pg_url"))
