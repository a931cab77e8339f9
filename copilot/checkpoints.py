"""The threads' checkpoints: langgraph's SqliteSaver on its own file beside the SQLite shop, or its
PostgresSaver in the shop's PostgreSQL database; kept to what a thread needs
to resume, and naming its file in every error.

A graph run reads a thread's latest checkpoint and the writes saved against it (an approval pause
is a checkpoint and its interrupt's writes), never an older one. So after each run the thread keeps
only its latest checkpoint and that checkpoint's writes (`prune`), and a new request first drops
from the state what no model will read again (graphs.forget_before_turn): a thread's checkpoint
stays the same size turn after turn, instead of one full copy of the conversation per turn.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any

from langgraph.checkpoint.postgres import PostgresSaver
from langgraph.checkpoint.sqlite import SqliteSaver

from copilot.faults import checkpoint_fault

WAL_PAGES = 128
WAL_BYTES = 1 << 20
PRUNED_VERSION = 1  # PRAGMA user_version once every thread has been pruned (files from before pruning)


class Checkpoints(SqliteSaver):
    """langgraph's SqliteSaver that prunes what no run will read, its errors naming its file."""

    path: Path

    def __init__(self, conn: sqlite3.Connection, path: Path) -> None:
        super().__init__(conn)
        self.path = path

    @classmethod
    def open(cls, path: Path) -> Checkpoints:
        """The checkpoints in `path`, its tables made (a corrupt or unwritable file is told now, in
        one line); a file from before pruning is pruned once."""
        conn = sqlite3.connect(str(path), check_same_thread=False)
        saver = cls(conn, path)
        try:
            with saver.cursor() as cur:  # creates the tables; raises StorageError naming the file
                cur.execute("PRAGMA synchronous=NORMAL")
                cur.execute("PRAGMA busy_timeout=5000")
                # the log of writes folds into the file every WAL_PAGES pages and is cut back to WAL_BYTES,
                # so the pruned rows' space is reused rather than the log growing to its 4 MB default
                cur.execute(f"PRAGMA wal_autocheckpoint={WAL_PAGES}")
                cur.execute(f"PRAGMA journal_size_limit={WAL_BYTES}")
                version = cur.execute("PRAGMA user_version").fetchone()[0]
            if version < PRUNED_VERSION:
                saver.prune_all()
                with saver.cursor() as cur:
                    cur.execute(f"PRAGMA user_version={PRUNED_VERSION}")
        except BaseException:
            conn.close()
            raise
        return saver

    @contextmanager
    def cursor(self, transaction: bool = True) -> Iterator[sqlite3.Cursor]:
        try:
            with super().cursor(transaction) as cur:
                yield cur
        except sqlite3.Error as exc:
            raise checkpoint_fault(exc, self.path) or exc from exc

    def prune(self, thread_ids: Sequence[str], *, strategy: str = "keep_latest") -> None:
        """langgraph's prune: "keep_latest" keeps each thread's latest checkpoint per namespace and
        the writes saved against it, "delete" drops the threads. (The naive keep_latest is sound here:
        the copilot's state has no DeltaChannel, so a checkpoint holds its whole state.)"""
        if strategy == "delete":
            for thread_id in thread_ids:
                self.delete_thread(thread_id)
            return
        if strategy != "keep_latest":
            raise ValueError(f"unknown prune strategy {strategy!r}; use 'keep_latest' or 'delete'")
        for thread_id in thread_ids:
            self._keep_latest(thread_id)

    def prune_all(self) -> int:
        """Keep only the latest checkpoint of every thread (a file from before pruning). Returns
        how many checkpoints were dropped."""
        return self._keep_latest(None)

    def _keep_latest(self, thread_id: str | None) -> int:
        only, args = ("thread_id = ? AND ", (thread_id,)) if thread_id is not None else ("", ())
        latest = (
            "(thread_id, checkpoint_ns, checkpoint_id) NOT IN (SELECT thread_id, checkpoint_ns, max(checkpoint_id) "
            f"FROM checkpoints {'WHERE thread_id = ? ' if thread_id is not None else ''}GROUP BY thread_id, checkpoint_ns)"
        )
        with self.cursor() as cur:
            cur.execute(f"DELETE FROM writes WHERE {only}{latest}", args + args)
            cur.execute(f"DELETE FROM checkpoints WHERE {only}{latest}", args + args)
            return int(cur.rowcount)


class PgCheckpoints(PostgresSaver):
    """langgraph's PostgresSaver in the shop's own PostgreSQL database (when COPILOT_DATABASE_URL is
    PostgreSQL), over a small pool of connections; pruned the same way, by langgraph's own prune."""

    _SETUP_LOCK = 7_263_410_502  # workers starting together make the tables once

    @classmethod
    def open(cls, db_url: str, *, max_size: int = 3) -> PgCheckpoints:
        """The checkpoints in the database of `db_url` (a SQLAlchemy URL), their tables made."""
        from psycopg.rows import dict_row
        from psycopg_pool import ConnectionPool
        from sqlalchemy.engine import make_url

        conninfo = make_url(db_url).set(drivername="postgresql").render_as_string(hide_password=False)
        pool: ConnectionPool[Any] = ConnectionPool(
            conninfo,
            min_size=1,
            max_size=max_size,
            kwargs={"autocommit": True, "prepare_threshold": 0, "row_factory": dict_row},
            open=False,
        )
        try:
            pool.open(wait=True, timeout=30)
            saver = cls(pool)
            with pool.connection() as conn:
                conn.execute("SELECT pg_advisory_lock(%s)", (cls._SETUP_LOCK,))
                try:
                    saver.setup()
                finally:
                    conn.execute("SELECT pg_advisory_unlock(%s)", (cls._SETUP_LOCK,))
        except BaseException:
            pool.close()
            raise
        return saver

    def prune(self, thread_ids: Sequence[str], *, strategy: str = "keep_latest") -> None:
        """langgraph's prune; a prune that another transaction overlapped is left to the next run
        (it only keeps more than needed)."""
        from psycopg import errors

        with suppress(errors.SerializationFailure, errors.DeadlockDetected):
            super().prune(thread_ids, strategy=strategy)


def open_checkpoints(db_url: str, path: Path) -> Checkpoints | PgCheckpoints:
    """The threads' checkpoints: in the shop's PostgreSQL database when it is one, else in the
    SQLite file `path` beside the shop."""
    if db_url.startswith("postgres"):
        return PgCheckpoints.open(db_url)
    return Checkpoints.open(path)
