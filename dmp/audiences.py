"""Saved audiences, their materialised members and customers' consent, in the shop's database.

Every write here happens in the caller's session and transaction (a refresh deletes and inserts the
members in it: one transaction, whole or not at all); nothing commits.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import numpy as np
from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.orm import Session

from dmp import DmpError
from store.db import Audience, AudienceMember, Consent, Customer, utcnow

KINDS = ("rules", "list", "lookalike")
NAME_MAX = 64


def names(session: Session) -> list[str]:
    return list(session.scalars(select(Audience.name).order_by(Audience.name)))


def _known(session: Session) -> str:
    every = names(session)
    if not every:
        return "there are no audiences yet (audience_create makes one)"
    shown = ", ".join(every[:20]) + (f" and {len(every) - 20} more" if len(every) > 20 else "")
    return f"the audiences are {shown}"


def find(session: Session, name: str) -> Audience:
    """The audience named `name` (case aside), or a DmpError listing the audiences there are."""
    found = session.scalars(select(Audience).where(Audience.name == name.strip())).first()
    if found is None:
        found = session.scalars(select(Audience).where(func.lower(Audience.name) == name.strip().lower())).first()
    if found is None:
        raise DmpError(f"there is no audience {name.strip()!r}; {_known(session)}")
    return found


def check_new_name(session: Session, name: str) -> str:
    """`name` cleaned, or a DmpError when it is empty, too long or taken (case aside)."""
    clean = " ".join(name.split())
    if not clean or len(clean) > NAME_MAX or not clean.isprintable():
        raise DmpError(f"an audience name is 1 to {NAME_MAX} printable characters, got {name!r}")
    taken = session.scalars(select(Audience).where(func.lower(Audience.name) == clean.lower())).first()
    if taken is not None:
        raise DmpError(
            f"an audience named {taken.name!r} already exists ({taken.size:,} customers); choose another name, "
            "or refresh or delete that one"
        )
    return clean


def members(session: Session, audience_id: int) -> np.ndarray:
    """The audience's members, ascending."""
    ids = session.scalars(select(AudienceMember.customer_id).where(AudienceMember.audience_id == audience_id))
    return np.sort(np.fromiter(ids, dtype=np.int64))


def customer_ids(session: Session) -> np.ndarray:
    """Every customer id of the shop, ascending."""
    return np.sort(np.fromiter(session.scalars(select(Customer.id)), dtype=np.int64))


def _write_members(session: Session, audience_id: int, ids: np.ndarray) -> None:
    session.execute(delete(AudienceMember).where(AudienceMember.audience_id == audience_id))
    if ids.size:
        session.execute(
            insert(AudienceMember), [{"audience_id": audience_id, "customer_id": int(c)} for c in ids.tolist()]
        )


def create(
    session: Session, name: str, kind: str, definition: dict[str, Any], ids: np.ndarray, *, now: datetime | None = None
) -> Audience:
    """A new audience with its members materialised, in the caller's transaction."""
    if kind not in KINDS:
        raise DmpError(f"an audience kind is one of {', '.join(KINDS)}, not {kind!r}")
    clean = check_new_name(session, name)
    ids = np.unique(np.asarray(ids, dtype=np.int64))
    at = now or utcnow()
    audience = Audience(
        name=clean, kind=kind, definition=definition, size=int(ids.size), refreshed_at=at, created_at=at
    )
    session.add(audience)
    session.flush()
    _write_members(session, audience.id, ids)
    session.flush()
    return audience


def replace_members(session: Session, audience: Audience, ids: np.ndarray) -> tuple[int, int]:
    """The audience's members replaced by `ids` (refreshed now), in the caller's transaction.
    Returns (customers added, customers removed)."""
    new = np.unique(np.asarray(ids, dtype=np.int64))
    old = members(session, audience.id)
    _write_members(session, audience.id, new)
    audience.size = int(new.size)
    audience.refreshed_at = utcnow()
    session.flush()
    return int(np.setdiff1d(new, old).size), int(np.setdiff1d(old, new).size)


def remove(session: Session, audience: Audience) -> None:
    session.execute(delete(AudienceMember).where(AudienceMember.audience_id == audience.id))
    session.delete(audience)
    session.flush()


def overlap(a: np.ndarray, b: np.ndarray) -> dict[str, Any]:
    """Sizes of two member sets, their overlap, union and each one's share in the other (%)."""
    both = int(np.intersect1d(a, b, assume_unique=True).size)
    union = int(a.size + b.size - both)
    return {
        "first_size": int(a.size),
        "second_size": int(b.size),
        "overlap": both,
        "union": union,
        "first_in_second_pct": round(100 * both / a.size, 1) if a.size else None,
        "second_in_first_pct": round(100 * both / b.size, 1) if b.size else None,
        "jaccard": round(both / union, 4) if union else None,
    }


# -- consent -------------------------------------------------------------------------------------


def opted_out(session: Session) -> np.ndarray:
    """The ids of every customer who opted out of marketing, ascending."""
    ids = session.scalars(select(Consent.customer_id).where(Consent.opted_out.is_(True)))
    return np.sort(np.fromiter(ids, dtype=np.int64))


def reachable(ids: np.ndarray, out: np.ndarray) -> np.ndarray:
    """`ids` without the opted-out customers `out` (both ascending, unique)."""
    return ids[~np.isin(ids, out, assume_unique=True)] if out.size else ids


def consent_of(session: Session, customer_id: int) -> Consent | None:
    return session.get(Consent, customer_id)


def set_consent(session: Session, customer_id: int, opted_out: bool, source: str) -> bool | None:
    """Record a customer's choice (in the caller's transaction); returns what was recorded before
    (None: nothing)."""
    row = session.get(Consent, customer_id)
    before = None if row is None else bool(row.opted_out)
    if row is None:
        session.add(Consent(customer_id=customer_id, opted_out=opted_out, changed_at=utcnow(), source=source[:128]))
    else:
        row.opted_out, row.changed_at, row.source = opted_out, utcnow(), source[:128]
    session.flush()
    return before


def set_consents(session: Session, choices: dict[int, bool], source: str) -> int:
    """Record many customers' choices at once (bulk, in the caller's transaction); returns how many
    customers' effective consent changed (no row counts as not opted out)."""
    ids = sorted(choices)
    before: dict[int, bool] = {}
    for i in range(0, len(ids), 5000):  # within every database's limit of bound parameters
        chunk = ids[i : i + 5000]
        q = select(Consent.customer_id, Consent.opted_out).where(Consent.customer_id.in_(chunk))
        before.update((int(c), bool(o)) for c, o in session.execute(q))
    now, src = utcnow(), source[:128]
    rows = [{"customer_id": c, "opted_out": choices[c], "changed_at": now, "source": src} for c in ids]
    new = [r for r in rows if r["customer_id"] not in before]
    old = [r for r in rows if r["customer_id"] in before]
    if new:
        session.execute(insert(Consent), new)
    if old:
        session.execute(update(Consent), old)  # bulk update by primary key
    session.flush()
    return sum(before.get(c, False) != choices[c] for c in ids)


def audiences_holding(session: Session, customer_id: int) -> list[str]:
    """The names of the audiences a customer is a member of."""
    q = (
        select(Audience.name)
        .join(AudienceMember, AudienceMember.audience_id == Audience.id)
        .where(AudienceMember.customer_id == customer_id)
        .order_by(Audience.name)
    )
    return list(session.scalars(q))


__all__ = [
    "KINDS",
    "audiences_holding",
    "check_new_name",
    "consent_of",
    "create",
    "customer_ids",
    "find",
    "members",
    "names",
    "opted_out",
    "overlap",
    "reachable",
    "remove",
    "replace_members",
    "set_consent",
    "set_consents",
]
