"""The per-customer table rules and look-alikes read: one row per customer, figures computed by the
caller (tools/audiences.py, from the profiling tools' RFM table, lapsing rule and CLV model)."""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Any

import numpy as np

from dmp import DmpError


@dataclass(frozen=True)
class CustomerTable:
    """Parallel arrays over the shop's customers, `customer` sorted ascending. `bought_rows` and
    `bought_products` are the (customer row, product id) pairs of what each customer bought.
    `uplift` is each customer's e-mail uplift score, or None with `uplift_missing` saying why it
    cannot be scored."""

    customer: np.ndarray  # int64 ids, sorted
    segment: np.ndarray  # RFM segment names
    lapsing: np.ndarray  # bool: the lapsing rule (valuable, gone quiet)
    clv: np.ndarray  # expected value over the next 52 weeks
    country: np.ndarray  # country names
    last_day: np.ndarray  # last order, days since 1970-01-01
    recency: np.ndarray  # days since the last order
    frequency: np.ndarray  # orders
    monetary: np.ndarray  # net revenue
    bought_rows: np.ndarray  # row index into `customer`
    bought_products: np.ndarray  # product id
    uplift: np.ndarray | None = None
    uplift_missing: str = "no e-mail uplift score was computed for these customers"

    def __post_init__(self) -> None:
        n = self.customer.size
        for f in fields(self):
            value: Any = getattr(self, f.name)
            if f.name in ("bought_rows", "bought_products", "uplift_missing") or value is None:
                continue
            if np.asarray(value).shape != (n,):
                raise DmpError(f"the customer table's {f.name} has {np.asarray(value).size} rows, not {n}")
        if self.bought_rows.shape != self.bought_products.shape:
            raise DmpError("the customer table's bought_rows and bought_products differ in length")
        if n > 1 and not (np.diff(self.customer) > 0).all():
            raise DmpError("the customer table's ids must be sorted and unique")

    @property
    def basket(self) -> np.ndarray:
        """Average order value (net revenue per order)."""
        return self.monetary / np.maximum(self.frequency, 1)

    def rows_of(self, ids: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(row index of each id found, whether it was found), for ids in any order."""
        ids = np.asarray(ids, dtype=np.int64)
        pos = np.clip(np.searchsorted(self.customer, ids), 0, max(self.customer.size - 1, 0))
        found = self.customer[pos] == ids if self.customer.size else np.zeros(ids.size, dtype=bool)
        return pos, found

    def mask_of(self, ids: np.ndarray) -> np.ndarray:
        """A row mask holding the customers `ids` (ids not in the table are ignored)."""
        pos, found = self.rows_of(ids)
        mask = np.zeros(self.customer.size, dtype=bool)
        mask[pos[found]] = True
        return mask


__all__ = ["CustomerTable"]
