"""Audience membership for a bidder: loaded once from the database, then answered from memory.

Each audience's reachable members (opted-out customers left out when loaded) are kept as a frozenset
(one id: a hash lookup) and, for a batch of ids, as a bitmap over small ids (one vectorised gather) or
else a sorted array (one vectorised searchsorted). A consent or membership change reaches the lookup when it is loaded again; `stamp`
says whether it is out of date.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

import numpy as np
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from dmp import DmpError
from dmp import audiences as store
from store.db import Audience, Consent


def stamp(session: Session) -> tuple[Any, ...]:
    """What the lookup was loaded from: the audiences' refresh times and sizes, and the last consent change."""
    refreshed = tuple(session.execute(select(Audience.id, Audience.refreshed_at, Audience.size).order_by(Audience.id)))
    consent: datetime | None = session.scalar(select(func.max(Consent.changed_at)))
    return (refreshed, consent, session.scalar(select(func.count()).select_from(Consent)))


BITMAP_MAX_ID = 1 << 24  # ids up to this are also kept as a bitmap (a byte each: 16 MB at most)


class AudienceLookup:
    """Which audiences hold a customer, answered from memory; opted-out customers are in none."""

    def __init__(self, members: dict[str, np.ndarray], loaded_from: tuple[Any, ...] = ()) -> None:
        self._sorted = {name: np.unique(np.asarray(ids, dtype=np.int64)) for name, ids in members.items()}
        self._sets = {name: frozenset(ids.tolist()) for name, ids in self._sorted.items()}
        self._bitmaps: dict[str, np.ndarray] = {}
        for name, ids in self._sorted.items():
            if ids.size and ids[0] >= 0 and ids[-1] < BITMAP_MAX_ID:
                bits = np.zeros(int(ids[-1]) + 1, dtype=bool)
                bits[ids] = True
                self._bitmaps[name] = bits
        self.loaded_from = loaded_from

    @classmethod
    def load(cls, session: Session, names: Iterable[str] | None = None) -> AudienceLookup:
        """The audiences named (all of them when None), their reachable members now."""
        wanted = (
            [store.find(session, n) for n in names] if names is not None else list(session.scalars(select(Audience)))
        )
        out = store.opted_out(session)
        members = {a.name: store.reachable(store.members(session, a.id), out) for a in wanted}
        return cls(members, stamp(session))

    def stale(self, session: Session) -> bool:
        """Whether an audience or a consent changed since the lookup was loaded."""
        return stamp(session) != self.loaded_from

    @property
    def names(self) -> list[str]:
        return sorted(self._sets)

    def _unknown(self, audience: str) -> DmpError:
        return DmpError(f"the lookup holds no audience {audience!r}; it holds {', '.join(self.names) or 'none'}")

    def members_of(self, audience: str) -> frozenset[int]:
        """The audience's reachable members: a bidder's hot loop may keep it and test `id in members`."""
        try:
            return self._sets[audience]
        except KeyError:
            raise self._unknown(audience) from None

    def contains(self, audience: str, customer_id: int) -> bool:
        """Whether the customer is a reachable member of the audience (one id: a hash lookup)."""
        try:
            return customer_id in self._sets[audience]
        except KeyError:
            raise self._unknown(audience) from None

    def contains_many(self, audience: str, customer_ids: np.ndarray) -> np.ndarray:
        """Whether each customer is a reachable member (a batch of ids, vectorised: a bitmap gather
        when the ids are small, else a binary search of the sorted members)."""
        self.members_of(audience)
        ids = np.asarray(customer_ids, dtype=np.int64)
        bits = self._bitmaps.get(audience)
        if bits is not None:
            inside = (ids >= 0) & (ids < bits.size)
            found = np.zeros(ids.shape, dtype=bool)
            found[inside] = bits[ids[inside]]
            return found
        members = self._sorted[audience]
        if members.size == 0:
            return np.zeros(ids.shape, dtype=bool)
        pos = np.minimum(np.searchsorted(members, ids), members.size - 1)
        return np.asarray(members[pos] == ids)

    def audiences_of(self, customer_id: int) -> list[str]:
        """Every audience of the lookup that holds the customer."""
        return [name for name, ids in self._sets.items() if customer_id in ids]

    def size(self, audience: str) -> int:
        return len(self.members_of(audience))


__all__ = ["AudienceLookup", "stamp"]
