"""How fast a bidder learns whether a customer is in an audience: the DMP's in-memory lookup
(dmp/lookup.py, loaded once) against an SQL query per lookup on the same SQLite database, measured
side by side in one run (`copilot bench --only dmp.lookup`)."""

from __future__ import annotations

import sqlite3
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np
from sqlalchemy import text

from dmp import audiences as dmp_store
from dmp.lookup import AudienceLookup
from store.db import make_engine, make_sessionmaker

_SQL = (
    "SELECT 1 FROM audience_members m LEFT JOIN consents c ON c.customer_id = m.customer_id "
    "WHERE m.audience_id = :a AND m.customer_id = :c AND NOT COALESCE(c.opted_out, 0)"
)


def lookup_benchmark(
    *, members: int = 100_000, id_space: int = 1_000_000, lookups: int = 200_000, sql_lookups: int = 5_000
) -> dict[str, Any]:
    """An audience of `members` customers drawn from ids 1..`id_space` (1% of them opted out) in a
    SQLite file; `lookups` random ids asked one at a time of the loaded lookup, all at once of its
    batch form, and `sql_lookups` of them one query each (through SQLAlchemy, and through the raw
    sqlite3 driver). Times in nanoseconds (ours) and microseconds (SQL) per lookup."""
    rng = np.random.default_rng(7)
    ids = np.sort(rng.choice(np.arange(1, id_space + 1), members, replace=False))
    out = rng.choice(ids, members // 100, replace=False)
    asked = rng.integers(1, id_space + 1, lookups)
    asked[: lookups // 10] = rng.choice(ids, lookups // 10)  # some hits, some opted-out members among them
    rng.shuffle(asked)
    with tempfile.TemporaryDirectory(prefix="copilot-dmp-") as tmp:
        path = Path(tmp) / "shop.db"
        engine = make_engine(f"sqlite:///{path}")
        try:
            sessions = make_sessionmaker(engine)
            with sessions.begin() as s:
                au = dmp_store.create(s, "bench", "list", {"source": "bench", "uploaded": members}, ids)
                aid = au.id
                dmp_store.set_consents(s, {int(c): True for c in out.tolist()}, "bench")
            t0 = time.perf_counter()
            with sessions() as s:
                lookup = AudienceLookup.load(s, ["bench"])
            load_ms = 1e3 * (time.perf_counter() - t0)

            as_list = asked.tolist()
            contains = lookup.contains
            t0 = time.perf_counter_ns()
            hits = [contains("bench", c) for c in as_list]
            single_ns = (time.perf_counter_ns() - t0) / lookups
            t0 = time.perf_counter_ns()
            batch = lookup.contains_many("bench", asked)
            batch_ns = (time.perf_counter_ns() - t0) / lookups

            sample = as_list[:sql_lookups]
            stmt = text(_SQL)
            with engine.connect() as conn:
                conn.execute(stmt, {"a": aid, "c": sample[0]}).first()  # warm the statement cache
                t0 = time.perf_counter_ns()
                sql_hits = [conn.execute(stmt, {"a": aid, "c": c}).first() is not None for c in sample]
                sql_us = (time.perf_counter_ns() - t0) / len(sample) / 1e3
            raw = sqlite3.connect(path)
            try:
                q = _SQL.replace(":a", "?").replace(":c", "?")
                t0 = time.perf_counter_ns()
                raw_hits = [raw.execute(q, (aid, c)).fetchone() is not None for c in sample]
                raw_us = (time.perf_counter_ns() - t0) / len(sample) / 1e3
            finally:
                raw.close()
        finally:
            engine.dispose()
    expected = np.isin(asked, np.setdiff1d(ids, out))
    same = hits == expected.tolist() and batch.tolist() == hits and sql_hits == raw_hits == hits[:sql_lookups]
    return {
        "members": members,
        "opted_out": int(out.size),
        "lookups": lookups,
        "sql_lookups": len(sample),
        "hit_rate": round(float(expected.mean()), 3),
        "load_ms": load_ms,
        "ours_ns": single_ns,
        "ours_batch_ns": batch_ns,
        "sql_us": sql_us,
        "sqlite3_us": raw_us,
        "speedup_vs_sql": sql_us * 1e3 / single_ns,
        "speedup_vs_sqlite3": raw_us * 1e3 / single_ns,
        "same_answers": bool(same),
    }


__all__ = ["lookup_benchmark"]
