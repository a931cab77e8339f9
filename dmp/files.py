"""Uploaded files of customer ids: an audience's list (`copilot audience import NAME FILE.csv`,
optionally with an opted_out column) and customers' consent (`copilot audience consent FILE.csv`).

Every line is checked before anything is written; a bad one stops the import with an error naming
its line and column, and the caller's transaction writes all or nothing.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from sqlalchemy.orm import Session

from dmp import DmpError
from dmp import audiences as store

ID_COLUMNS = ("customer_id", "customerid", "customer", "id")
CONSENT_COLUMNS = ("opted_out", "opt_out", "optout")
_YES = frozenset({"1", "true", "yes", "y", "t"})
_NO = frozenset({"0", "false", "no", "n", "f"})
ID_MAX = 2**63 - 1


@dataclass
class CustomerFile:
    """The customers of a file, ascending and unique, and the consent it states (id -> opted out)."""

    name: str
    ids: np.ndarray
    consent: dict[int, bool] = field(default_factory=dict)
    lines: int = 0


def _column(header: list[str], names: tuple[str, ...]) -> int | None:
    keys = [h.strip().lower().replace(" ", "_") for h in header]
    return next((keys.index(n) for n in names if n in keys), None)


def _whole(text: str) -> int | None:
    """A whole number written as one (17850, or 17850.0 as spreadsheets write ids)."""
    t = text.strip()
    if t.endswith(".0"):
        t = t[:-2]
    return int(t) if t.isdigit() and 0 < int(t) <= ID_MAX else None


def read(path: Path, *, consent_required: bool = False) -> CustomerFile:
    """The file's customer ids and stated consent, every line checked (UTF-8 CSV with a header)."""
    name = path.name
    try:
        fh = path.open(encoding="utf-8-sig", newline="")
    except OSError as exc:
        raise DmpError(f"cannot read {path}: {exc.strerror or exc}") from exc
    ids: list[int] = []
    consent: dict[int, bool] = {}
    lines = 0
    with fh:
        reader = csv.reader(fh)
        try:
            header = next(reader, [])
        except (csv.Error, UnicodeDecodeError) as exc:
            raise DmpError(f"{name} is not a UTF-8 CSV file: {exc}") from exc
        at_id = _column(header, ID_COLUMNS)
        at_consent = _column(header, CONSENT_COLUMNS)
        if at_id is None:
            raise DmpError(
                f"{name} has no customer id column; name one of its columns {' or '.join(ID_COLUMNS[:2])} "
                f"(it has {', '.join(h.strip() for h in header) or 'none'})"
            )
        if consent_required and at_consent is None:
            raise DmpError(f"{name} has no opted_out column; add one (true or false for each customer)")
        id_col = header[at_id].strip()
        try:
            for row in reader:
                if not row or not any(c.strip() for c in row):
                    continue
                lines += 1
                where = f"{name} line {reader.line_num}"
                cell = row[at_id] if at_id < len(row) else ""
                cid = _whole(cell)
                if cid is None:
                    raise DmpError(
                        f"{where}, column {id_col}: {cell!r} is not a customer id (a whole number of 1 or more); "
                        "fix the value or remove the line"
                    )
                ids.append(cid)
                if at_consent is None:
                    continue
                flag = (row[at_consent] if at_consent < len(row) else "").strip().lower()
                if flag in _YES or flag in _NO:
                    consent[cid] = flag in _YES
                elif flag or consent_required:
                    raise DmpError(
                        f"{where}, column {header[at_consent].strip()}: {flag!r} is not true or false "
                        "(write true/false, yes/no or 1/0); fix the value or remove the line"
                    )
        except (csv.Error, UnicodeDecodeError) as exc:
            raise DmpError(f"{name} line {reader.line_num}: {exc}") from exc
    if not ids:
        raise DmpError(f"{name} has no customer ids below its header")
    return CustomerFile(name, np.unique(np.array(ids, dtype=np.int64)), consent, lines)


def _unknown(session: Session, f: CustomerFile) -> np.ndarray:
    return f.ids[~np.isin(f.ids, store.customer_ids(session))]


def import_list(session: Session, name: str, path: Path) -> dict[str, Any]:
    """A list audience from the file, with the consent it states, in the caller's transaction.
    Every id must be a customer of the shop."""
    f = read(path)
    unknown = _unknown(session, f)
    if unknown.size:
        shown = ", ".join(str(c) for c in unknown[:5].tolist()) + (" ..." if unknown.size > 5 else "")
        raise DmpError(
            f"{f.name}: {unknown.size} of its {f.ids.size} customer ids are not the shop's customers ({shown}); "
            "remove them or import the orders they come from first"
        )
    audience = store.create(session, name, "list", {"source": f"file {f.name}", "uploaded": int(f.ids.size)}, f.ids)
    changed = _record(session, f)
    out = store.opted_out(session)
    return {
        "audience": audience.name,
        "customers": int(f.ids.size),
        "lines": f.lines,
        "consent_recorded": changed,
        "opted_out": int(np.isin(f.ids, out).sum()),
    }


def import_consent(session: Session, path: Path) -> dict[str, Any]:
    """Each customer's consent as the file states it, in the caller's transaction. A customer the
    shop does not know yet is recorded too (and counted), so the choice holds when they arrive."""
    f = read(path, consent_required=True)
    changed = _record(session, f)
    return {
        "customers": int(f.ids.size),
        "lines": f.lines,
        "opted_out": sum(f.consent.values()),
        "opted_in": len(f.consent) - sum(f.consent.values()),
        "changed": changed,
        "not_in_shop": int(_unknown(session, f).size),
    }


def _record(session: Session, f: CustomerFile) -> int:
    """The file's stated consent written; returns how many customers' consent it changed."""
    return store.set_consents(session, f.consent, f"file {f.name}") if f.consent else 0


__all__ = ["CustomerFile", "import_consent", "import_list", "read"]
