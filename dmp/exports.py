"""An audience as an upload file: Google Customer Match, a Meta custom audience, or plain CSV.

The shop knows its customers by id only (no e-mail, phone or address), so the ad platforms' files
carry the advertiser's own id for each customer: Customer Match's "User ID" column (a customer list
of user ids) and Meta's "extern_id" column. Each id is normalised (the decimal number, no spaces or
leading zeros) and hashed with SHA-256 after a per-shop salt (`sha256(salt + id)`, lower-case hex),
made once and kept in the store: the platforms never see the shop's ids, and small ids cannot be
recovered by hashing every number. To match, the site and app must send the same hash as the user
id (Google) or external_id (Meta pixel / Conversions API). Opted-out customers never appear.
"""

from __future__ import annotations

import csv
import hashlib
import os
import re
import secrets
import uuid
from collections.abc import Mapping, Sequence
from contextlib import suppress
from pathlib import Path
from typing import Any, Literal

import numpy as np
from sqlalchemy.orm import Session

from dmp import DmpError
from store.db import DmpSecret

Format = Literal["csv", "google", "meta"]
FORMATS: tuple[str, ...] = ("csv", "google", "meta")
SALT_KEY = "export_salt"
HASHED_COLUMN = {"google": "User ID", "meta": "extern_id"}
PLATFORM = {
    "google": "Google Ads Customer Match (customer list of user ids)",
    "meta": "Meta custom audience (customer list, external id)",
    "csv": "plain CSV (customer ids, not hashed)",
}
# A spreadsheet runs a cell that starts with one of these as a formula.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def salt(session: Session) -> str:
    """The shop's export salt: made once (32 hex characters from the OS's random source) in the
    caller's transaction, the same ever after."""
    row = session.get(DmpSecret, SALT_KEY)
    if row is None:
        row = DmpSecret(key=SALT_KEY, value=secrets.token_hex(16))
        session.add(row)
        session.flush()
    return row.value


def normalise_id(customer_id: Any) -> str:
    """A customer id as the hash input: its decimal number, trimmed, no leading zeros ("017850 " ->
    "17850"); a DmpError when it is not a whole number of 1 or more."""
    text = str(customer_id).strip()
    if not re.fullmatch(r"\d+", text) or int(text) < 1:
        raise DmpError(f"{customer_id!r} is not a customer id (a whole number of 1 or more)")
    return str(int(text))


def hash_id(customer_id: Any, shop_salt: str) -> str:
    return hashlib.sha256((shop_salt + normalise_id(customer_id)).encode("ascii")).hexdigest()


def file_name(audience: str, fmt: str) -> str:
    """The export's file name: the audience's name made safe, and the format."""
    slug = re.sub(r"[^A-Za-z0-9]+", "-", audience).strip("-").lower()[:48] or "audience"
    return f"{slug}-{fmt}.csv"


def header(fmt: str, figures: Sequence[str] = ()) -> list[str]:
    if fmt not in FORMATS:
        raise DmpError(f"the export formats are {', '.join(FORMATS)}, not {fmt!r}")
    return [HASHED_COLUMN[fmt]] if fmt in HASHED_COLUMN else ["customer_id", *figures]


def rows(
    fmt: str, ids: np.ndarray, shop_salt: str, figures: Mapping[str, Sequence[Any]] | None = None
) -> list[list[Any]]:
    """The file's rows (after its header): one hashed id a row for the platforms, the id and its
    figures for plain CSV."""
    if fmt in HASHED_COLUMN:
        return [[hash_id(c, shop_salt)] for c in ids.tolist()]
    cols = list((figures or {}).values())
    return [[int(c), *(col[i] for col in cols)] for i, c in enumerate(ids.tolist())]


def _cell(v: Any) -> Any:
    return "'" + v if isinstance(v, str) and v.startswith(_FORMULA_START) else v


def write(path: Path, head: list[str], body: list[list[Any]]) -> None:
    """The file written whole (UTF-8, a header row) through a temporary file renamed into place."""
    tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex[:8]}.tmp")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with tmp.open("w", encoding="utf-8", newline="") as fh:
            w = csv.writer(fh)
            w.writerow(head)
            w.writerows([[_cell(v) for v in r] for r in body])
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except OSError as exc:
        with suppress(OSError):
            tmp.unlink(missing_ok=True)
        raise DmpError(f"could not write {path}: {exc.strerror or exc}") from exc


__all__ = [
    "FORMATS",
    "HASHED_COLUMN",
    "PLATFORM",
    "file_name",
    "hash_id",
    "header",
    "normalise_id",
    "rows",
    "salt",
    "write",
]
