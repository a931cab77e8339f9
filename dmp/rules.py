"""An audience's rules and their evaluation: every rule a vectorised mask over the customer table,
the audience the customers passing all of them."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date
from typing import Any

import numpy as np

from dmp import DmpError
from dmp.table import CustomerTable


@dataclass(frozen=True)
class Rules:
    """What a rules audience holds: customers passing every rule given (None or empty: no rule).
    `countries` are the shop's own names; `bought_products` product ids (any of them bought), with
    `product_codes` their stock codes for people to read; dates bound the LAST order, inclusive."""

    segment: str | None = None
    lapsing: bool | None = None
    min_clv: float | None = None
    max_clv: float | None = None
    countries: tuple[str, ...] = ()
    ordered_after: date | None = None
    ordered_before: date | None = None
    bought_products: tuple[int, ...] = ()
    product_codes: tuple[str, ...] = ()
    min_uplift: float | None = None

    def __post_init__(self) -> None:
        if self.min_clv is not None and self.max_clv is not None and self.min_clv > self.max_clv:
            raise DmpError(f"min_clv ({self.min_clv:g}) is above max_clv ({self.max_clv:g}); swap them")
        if self.ordered_after and self.ordered_before and self.ordered_after > self.ordered_before:
            raise DmpError(
                f"ordered_after ({self.ordered_after}) is after ordered_before ({self.ordered_before}); swap the dates"
            )

    def is_empty(self) -> bool:
        return self == Rules()

    def to_json(self) -> dict[str, Any]:
        """The rules given, as a definition stores them (dates ISO, tuples lists, no empty rule)."""
        out: dict[str, Any] = {}
        for k, v in asdict(self).items():
            if v is None or v == ():
                continue
            out[k] = v.isoformat() if isinstance(v, date) else list(v) if isinstance(v, tuple) else v
        return out

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> Rules:
        known = set(cls.__dataclass_fields__)
        unknown = sorted(set(d) - known)
        if unknown:
            raise DmpError(f"an audience definition has rules this copilot does not know: {', '.join(unknown)}")
        kw: dict[str, Any] = dict(d)
        for k in ("ordered_after", "ordered_before"):
            if kw.get(k) is not None:
                kw[k] = date.fromisoformat(kw[k])
        for k in ("countries", "bought_products", "product_codes"):
            if k in kw:
                kw[k] = tuple(kw[k])
        return cls(**kw)


def _day(d: date) -> int:
    return int(np.datetime64(d, "D").astype(np.int64))


def evaluate(table: CustomerTable, rules: Rules) -> np.ndarray:
    """A mask over the table's rows: the customers passing every rule."""
    keep = np.ones(table.customer.size, dtype=bool)
    if rules.segment is not None:
        keep &= table.segment == rules.segment
    if rules.lapsing is not None:
        keep &= table.lapsing == rules.lapsing
    if rules.min_clv is not None:
        keep &= table.clv >= rules.min_clv
    if rules.max_clv is not None:
        keep &= table.clv <= rules.max_clv
    if rules.countries:
        keep &= np.isin(table.country, list(rules.countries))
    if rules.ordered_after is not None:
        keep &= table.last_day >= _day(rules.ordered_after)
    if rules.ordered_before is not None:
        keep &= table.last_day <= _day(rules.ordered_before)
    if rules.bought_products:
        hit = np.isin(table.bought_products, list(rules.bought_products))
        bought = np.zeros(table.customer.size, dtype=bool)
        bought[table.bought_rows[hit]] = True
        keep &= bought
    if rules.min_uplift is not None:
        if table.uplift is None:
            raise DmpError(table.uplift_missing)
        keep &= table.uplift >= rules.min_uplift
    return keep


def members(table: CustomerTable, rules: Rules) -> np.ndarray:
    """The ids of the customers passing every rule, ascending."""
    if rules.is_empty():
        raise DmpError(
            "give at least one rule (segment, lapsing, lifetime value, country, last order, products bought)"
        )
    return table.customer[evaluate(table, rules)]


__all__ = ["Rules", "evaluate", "members"]
