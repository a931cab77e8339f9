"""What the imports of a marketer's own file share (the media history, store/media.py; the journeys,
store/journeys.py): the file's stamp, the checks of a header and a number, the one-line error that
names a bad cell by line and column, and the replacement of a table by the file's rows in one
transaction with its stamp, so that a failed import leaves the rows and the stamp as they were.

The stamp (name:sha256 prefix:rows) keys what is derived from the rows and cached per process: a new
file, even under the same name, is fitted afresh."""

from __future__ import annotations

import hashlib
import math
from pathlib import Path
from typing import Any

from sqlalchemy import delete, insert
from sqlalchemy.orm import sessionmaker

from store import StoreError
from store.db import Base, Meta


def digest(path: Path) -> str:
    """The first 16 hex digits of the file's SHA-256 (read in 1 MiB chunks)."""
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()[:16]


def file_stamp(path: Path, rows: int) -> str:
    """What identifies an imported file: its name, its digest and how many rows it gave."""
    return f"{path.name}:{digest(path)}:{rows}"


def check_header(name: str, header: list[str]) -> None:
    """Every column named, and named once (the cells are found by their column's name)."""
    seen: set[str] = set()
    for h in header:
        if not h:
            raise StoreError(f"{name} has a column without a name in its header; name every column")
        if h in seen:
            raise StoreError(f"{name} has the column {h!r} twice; name each column once")
        seen.add(h)


def cell_error(name: str, line: int, column: str, value: str, why: str) -> StoreError:
    """A bad cell, in the one line every import gives: where it is, what it holds, what is wrong."""
    return StoreError(f"{name} line {line}, column {column}: {value!r} {why}; fix the value or remove the line")


def number(cell: str) -> float:
    """A cell's finite number, or NaN when it holds none (1,234.50 and $12 are not numbers)."""
    try:
        v = float(cell.strip())
    except ValueError:
        return math.nan
    return v if math.isfinite(v) else math.nan


def replace_rows(sessions: sessionmaker, table: type[Base], rows: list[dict[str, Any]], key: str, stamp: str) -> None:
    """The table's rows replaced by `rows` and the Meta stamp `key` set, in one transaction."""
    with sessions.begin() as session:
        session.execute(delete(table))
        session.execute(insert(table), rows)
        session.merge(Meta(key=key, value=stamp))
