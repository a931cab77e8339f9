"""The database's schema: Alembic's migrations build exactly the models' tables, a new database is
made at the code's revision, and one behind or ahead is refused with one line naming what to run.
On a SQLite file and on PostgreSQL."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect, text

from store import StoreError
from store.db import Base, make_engine, open_engine
from store.schema import HEAD, revision, script_head, upgrade


def test_head_is_the_newest_migration() -> None:
    assert script_head() == HEAD


def test_migrations_build_the_models(db_url: str) -> None:
    engine = open_engine(db_url)
    try:
        assert upgrade(engine) == (None, HEAD)
        with engine.connect() as conn:
            diff = compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True}), Base.metadata)
        assert diff == []
    finally:
        engine.dispose()


def test_a_new_database_is_made_at_head(db_url: str) -> None:
    engine = make_engine(db_url)
    try:
        with engine.connect() as conn:
            assert revision(conn) == HEAD
        make_engine(db_url).dispose()  # opening it again finds it ready
    finally:
        engine.dispose()


def test_a_database_from_before_migrations_at_the_codes_schema_is_stamped(db_url: str) -> None:
    engine = open_engine(db_url)
    with engine.begin() as conn:
        Base.metadata.create_all(conn)
    make_engine(db_url).dispose()
    with engine.connect() as conn:
        assert revision(conn) == HEAD
    engine.dispose()


def test_a_database_from_before_migrations_is_refused_then_adopted(db_url: str) -> None:
    engine = open_engine(db_url)
    with engine.begin() as conn:
        Base.metadata.create_all(conn)
        conn.execute(text("DROP TABLE api_tokens"))
        conn.execute(text("ALTER TABLE pending_changes DROP COLUMN reason"))
    with pytest.raises(StoreError, match=r"made before schema migrations: run `copilot db upgrade`"):
        make_engine(db_url)
    assert upgrade(engine) == (None, HEAD)
    with engine.connect() as conn:
        assert "reason" in {c["name"] for c in inspect(conn).get_columns("pending_changes")}
        assert inspect(conn).has_table("api_tokens")
    engine.dispose()
    make_engine(db_url).dispose()


def test_a_database_ahead_of_the_code_is_refused(db_url: str) -> None:
    make_engine(db_url).dispose()
    engine = open_engine(db_url)
    with engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = '9999'"))
    with pytest.raises(StoreError, match=r"at schema 9999, newer than this copilot knows"):
        make_engine(db_url)
    with pytest.raises(StoreError, match="upgrade the copilot"):
        upgrade(engine)
    engine.dispose()


def test_the_cli_refuses_an_old_database_in_one_line_and_db_upgrade_fixes_it(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from tests.test_cli import cli

    home = tmp_path / "home"
    engine = open_engine(f"sqlite:///{home / 'shop.db'}")
    with engine.begin() as conn:
        Base.metadata.create_all(conn)
        conn.execute(text("ALTER TABLE pending_changes DROP COLUMN reason"))
    engine.dispose()
    p = cli(home, "token", "list")
    assert p.returncode == 1 and p.stderr.count("\n") == 1, p.stderr
    assert "made before schema migrations: run `copilot db upgrade`" in p.stderr
    p = cli(home, "db", "status")
    assert p.returncode == 0 and "schema none" in p.stdout and "run `copilot db upgrade`" in p.stdout, p.stdout
    p = cli(home, "db", "upgrade")
    assert p.returncode == 0 and f"migrated from before migrations to schema {HEAD}" in p.stdout, p.stdout + p.stderr
    p = cli(home, "db", "upgrade")
    assert f"already at schema {HEAD}" in p.stdout
    assert cli(home, "token", "list").returncode == 0
