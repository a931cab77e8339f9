"""Which schema a database holds, and bringing it to the code's (Alembic, store/migrations/).

A new, empty database is made at the code's schema when first opened (the embedded default needs no
setup), and one made before migrations whose tables are exactly the code's is stamped. A database behind the code's schema, or ahead of it, is refused with one line naming what to
run; `copilot db upgrade` runs the migrations. A database made before migrations existed (its tables
made by create_all, with no alembic_version) is adopted by the upgrade: the code's missing tables and
nullable columns are added, then it is stamped at the code's revision.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import inspect, text
from sqlalchemy.engine import Connection, Engine

from store import StoreError
from store.db import Base

if TYPE_CHECKING:
    from alembic.config import Config

HEAD = "0006"  # the newest revision under store/migrations/versions (a test keeps the two in step)
_LOCK_KEY = 7_263_410_501  # PostgreSQL advisory lock held while a schema is made or migrated
MIGRATIONS = Path(__file__).with_name("migrations")


def _config(conn: Connection | None = None) -> Config:
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    if conn is not None:
        cfg.attributes["connection"] = conn
    return cfg


def script_head() -> str:
    """The newest revision of the migration scripts."""
    from alembic.script import ScriptDirectory

    return str(ScriptDirectory.from_config(_config()).get_current_head())


def revision(conn: Connection) -> str | None:
    """The database's revision; None when it has none (empty, or made before migrations)."""
    if not inspect(conn).has_table("alembic_version"):
        return None
    return conn.execute(text("SELECT version_num FROM alembic_version")).scalar()


def _ours(conn: Connection) -> set[str]:
    return set(inspect(conn).get_table_names()) & set(Base.metadata.tables)


def _lock(conn: Connection) -> None:
    if conn.dialect.name == "postgresql":
        conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _LOCK_KEY})


def _stamp(conn: Connection, rev: str) -> None:
    from alembic.runtime.migration import MigrationContext
    from alembic.script import ScriptDirectory

    MigrationContext.configure(conn).stamp(ScriptDirectory.from_config(_config()), rev)


def where(engine: Engine) -> str:
    """The database named for a marketer: its file, or its host and name (never a password)."""
    url = engine.url
    if url.get_backend_name() == "sqlite":
        return url.database or "the SQLite database"
    return f"{url.get_backend_name()} database {url.database!r} on {url.host or 'localhost'}"


def ensure_schema(engine: Engine) -> None:
    """A new database made at HEAD; one at HEAD let through; any other refused in one line."""
    with engine.connect() as conn:
        rev = revision(conn)
        empty = rev is None and not _ours(conn)
        current = rev is None and not empty and _matches(conn)
    if rev == HEAD:
        return
    if empty:
        _create(engine)
        return
    if current:  # made before migrations, yet exactly the code's schema: only the stamp is missing
        with engine.begin() as conn:
            _lock(conn)
            if revision(conn) is None:
                _stamp(conn, HEAD)
        return
    if rev is None:
        raise StoreError(
            f"{where(engine)} was made before schema migrations: run `copilot db upgrade` to bring it up to date"
        )
    if rev in _known():
        raise StoreError(f"{where(engine)} is at schema {rev}, this copilot needs {HEAD}: run `copilot db upgrade`")
    raise StoreError(f"{where(engine)} is at schema {rev}, newer than this copilot knows ({HEAD}): upgrade the copilot")


def _matches(conn: Connection) -> bool:
    """Whether the database's tables are exactly the models' (Alembic's comparison)."""
    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext

    return not compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True}), Base.metadata)


def _known() -> set[str]:
    return {p.name.split("_", 1)[0] for p in (MIGRATIONS / "versions").glob("*.py")}


def _create(engine: Engine) -> None:
    """Make the models' tables and stamp them HEAD, in one transaction (PostgreSQL: under a lock, so
    workers starting together make it once; SQLite: a second maker finds the tables and checks)."""
    try:
        with engine.begin() as conn:
            _lock(conn)
            if revision(conn) == HEAD:
                return
            Base.metadata.create_all(conn)
            _stamp(conn, HEAD)
    except Exception:
        with engine.connect() as conn:
            if revision(conn) == HEAD:  # another process made it meanwhile
                return
        raise


def upgrade(engine: Engine) -> tuple[str | None, str]:
    """`copilot db upgrade`: the database migrated to HEAD (adopting one made before migrations).
    Returns (the revision before, the revision after)."""
    from alembic import command

    with engine.begin() as conn:
        _lock(conn)
        before = revision(conn)
        if before is None and _ours(conn):
            _adopt(conn)  # now at the code's schema
            _stamp(conn, HEAD)
        elif before is not None and before not in _known():
            raise StoreError(
                f"{where(engine)} is at schema {before}, newer than this copilot knows ({HEAD}): upgrade the copilot"
            )
        command.upgrade(_config(conn), "head")
        after = revision(conn)
    return before, str(after)


def _adopt(conn: Connection) -> None:
    """Bring a create_all database to the code's schema: missing tables made, missing nullable columns
    added (every migration so far only adds tables; one that changes a column must change this too)."""
    have = inspect(conn)
    Base.metadata.create_all(conn)  # only the tables it lacks
    for name, table in Base.metadata.tables.items():
        if not have.has_table(name):
            continue
        present = {c["name"] for c in have.get_columns(name)}
        for column in table.columns:
            if column.name in present:
                continue
            if not column.nullable and column.server_default is None:
                raise StoreError(
                    f"the table {name} lacks the column {column.name}, which cannot be added to rows that exist: "
                    "rebuild the shop with `copilot init --force`"
                )
            kind = column.type.compile(dialect=conn.dialect)
            conn.execute(text(f'ALTER TABLE "{name}" ADD COLUMN "{column.name}" {kind}'))
