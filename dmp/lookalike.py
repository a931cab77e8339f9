"""A seed audience's look-alikes: the customers outside it nearest its members by purchase behaviour.

Behaviour: log recency, log orders, log net revenue and log average order value, each standardised,
and the product mix (a truncated SVD of who bought what, engine/lookalike.py), standardised and
scaled so that the whole mix weighs as much as one of the four figures.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from dmp import DmpError
from dmp.table import CustomerTable
from engine import EngineError
from engine import lookalike as knn

BEHAVIOUR = ("recency", "orders", "revenue", "basket")
DEFAULT_SIZE = 500


def features(table: CustomerTable, *, mix_dims: int = knn.DEFAULT_MIX_DIMS) -> np.ndarray:
    """Each customer's standardised behaviour (rows of the table), the product mix last."""
    behaviour = np.column_stack(
        [
            np.log1p(np.maximum(table.recency, 0)),
            np.log1p(np.maximum(table.frequency, 0)),
            np.log1p(np.maximum(table.monetary, 0)),
            np.log1p(np.maximum(table.basket, 0)),
        ]
    )
    n_products = int(table.bought_products.max()) + 1 if table.bought_products.size else 0
    mix = knn.product_mix(table.bought_rows, table.bought_products, table.customer.size, n_products, dims=mix_dims)
    z = knn.standardise(behaviour)
    if mix.shape[1]:
        z = np.column_stack([z, knn.standardise(mix) / np.sqrt(mix.shape[1])])
    return z


def expand(
    table: CustomerTable,
    seed_ids: np.ndarray,
    size: int,
    *,
    exclude: np.ndarray | None = None,
    z: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray, dict[str, Any]]:
    """Up to `size` customers outside the seed (and outside `exclude`: opted-out customers) nearest
    it, nearest first: (ids, distances, what was used). `z`: features(table), when already made."""
    seed = table.mask_of(seed_ids)
    if not seed.any():
        raise DmpError("the seed audience has no customer with purchases in the shop to learn from; refresh it")
    eligible = ~table.mask_of(exclude) if exclude is not None and exclude.size else None
    feats = features(table) if z is None else z
    try:
        rows, dist = knn.nearest_to_seed(feats, seed, size, eligible=eligible)
    except EngineError as exc:
        raise DmpError(str(exc)) from exc
    if rows.size == 0:
        raise DmpError("every customer outside the seed is opted out or in the seed: there is no one to add")
    mix_dims = feats.shape[1] - len(BEHAVIOUR)
    info = {
        "features": [*BEHAVIOUR, *([f"product mix ({mix_dims} dimensions)"] if mix_dims else [])],
        "neighbours": min(knn.DEFAULT_NEIGHBOURS, int(seed.sum())),
        "seed_customers": int(seed.sum()),
        "distance": "mean distance to the nearest seed members, in standard deviations",
    }
    return table.customer[rows], dist, info


__all__ = ["BEHAVIOUR", "DEFAULT_SIZE", "expand", "features"]
