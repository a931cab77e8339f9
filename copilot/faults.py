"""Faults of the machine a marketer can meet, each told as one StorageError line that says what to do:
a corrupt or unwritable shop database or checkpoints file, a full disk, a database another process
holds, a COPILOT_HOME that is not a writable folder. Anything else that escapes is a bug (exit 2).

The shop's database is reached through SQLAlchemy, the checkpoints through sqlite3 directly
(copilot/checkpoints.py, which names its file in every error), so an error says which file it is about.
"""

from __future__ import annotations

import errno
import sqlite3
from pathlib import Path
from typing import Any

from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError

from copilot import CopilotError, StorageError

_CORRUPT = ("file is not a database", "malformed", "database corrupt", "not a database")
_UNWRITABLE = ("readonly database", "unable to open database", "attempt to write", "disk i/o error")
_MACHINE_ERRNOS = {errno.EACCES, errno.EPERM, errno.EROFS, errno.ENOSPC, errno.EDQUOT, errno.ENOTDIR, errno.EISDIR}


def shop_file(db_url: str) -> str:
    """The shop's database as the marketer knows it: its file, or the URL without a password."""
    url = make_url(db_url)
    if url.get_backend_name() == "sqlite" and url.database:
        return str(Path(url.database).expanduser())
    return url.render_as_string(hide_password=True)


def database_fault(exc: BaseException, name: str, *, what: str, fix_corrupt: str) -> StorageError | None:
    """The one line for a sqlite3 error (bare or wrapped by SQLAlchemy) on database `name`, or None."""
    orig = exc.orig if isinstance(exc, DBAPIError) else exc
    if not isinstance(orig, sqlite3.Error):
        if isinstance(exc, DBAPIError) and exc.connection_invalidated is False and "connect" in str(orig).lower():
            return StorageError(f"cannot reach {what} {name} ({_brief(orig)}); check COPILOT_DATABASE_URL")
        return None
    text = str(orig).lower()
    if any(k in text for k in _CORRUPT):
        return StorageError(f"{what} {name} is corrupt ({orig}); {fix_corrupt}")
    if "disk is full" in text or "database or disk is full" in text:
        return StorageError(f"the disk holding {name} is full; free some space and try again")
    if "locked" in text or "busy" in text:
        return StorageError(f"{what} {name} is busy (another copilot is writing it); try again in a moment")
    if any(k in text for k in _UNWRITABLE):
        return StorageError(
            f"cannot open or write {what} {name} ({orig}); COPILOT_HOME must be a folder you can write to "
            "(or point COPILOT_HOME at another folder)"
        )
    return None


def shop_fault(exc: BaseException, db_url: str) -> StorageError | None:
    return database_fault(
        exc,
        shop_file(db_url),
        what="the shop's database",
        fix_corrupt="move it aside (keep it for recovery) and run `copilot init` to load the demo shop, "
        "or restore it from a backup",
    )


def checkpoint_fault(exc: BaseException, path: Path) -> StorageError | None:
    return database_fault(
        exc,
        str(path),
        what="the conversations' checkpoints",
        fix_corrupt="move it aside: conversations in progress start afresh, the shop and the decision log are kept",
    )


def os_fault(exc: BaseException) -> StorageError | None:
    """A file the copilot could not write (no such folder, not writable, disk full), or None."""
    if not isinstance(exc, OSError) or exc.errno not in _MACHINE_ERRNOS:
        return None
    where = exc.filename or "a file of COPILOT_HOME"
    if exc.errno in (errno.ENOSPC, errno.EDQUOT):
        return StorageError(f"the disk holding {where} is full; free some space and try again")
    return StorageError(
        f"cannot write {where} ({exc.strerror}); COPILOT_HOME must be a folder you can write to "
        "(or point COPILOT_HOME at another folder)"
    )


def user_error(exc: BaseException, *, db_url: str, checkpoints: Path) -> CopilotError | None:
    """`exc` as the one line a marketer can act on, or None when it is a bug."""
    if isinstance(exc, CopilotError):
        return exc
    from store import StoreError

    if isinstance(exc, StoreError):
        return CopilotError(str(exc))
    if isinstance(exc, DBAPIError):
        return shop_fault(exc, db_url)
    if isinstance(exc, sqlite3.Error):
        return checkpoint_fault(exc, checkpoints)
    if type(exc).__module__.split(".")[0] in ("psycopg", "psycopg_pool"):  # the checkpoints in PostgreSQL
        return StorageError(
            f"cannot reach the conversations' checkpoints in {shop_file(db_url)} ({_brief(exc)}); "
            "check COPILOT_DATABASE_URL and that the database server is up"
        )
    return os_fault(exc)


def _brief(text: Any, limit: int = 160) -> str:
    line = " ".join(str(text).split())
    return line if len(line) <= limit else line[: limit - 1] + "…"
