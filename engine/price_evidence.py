"""What a product's own sales can say about its demand curve: bulk-order price tiers told apart
from price changes over time.

A wholesale shop sells the same product at several prices in the same week: small lines at the list
price, big lines at a bulk tier. Across those prices demand looks very elastic (the cheap price
"sells" sixty units a line), yet nobody saw a price change. So the demand response is estimated only
from like order sizes: each order line falls in an order-size band (1-2 units, 3-5, 6-11, ...), each
band's price is followed week by week, and a band counts as having changed price when it held two or
more prices for a while each. The elasticity is the log-log slope of weekly units on the weekly price
within bands (one intercept per band), with a control for the shop's weekly traffic and standard
errors clustered by week. Bulk tiers never enter it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from engine import EngineError
from engine.pricing import DEFAULT_CONFIDENCE, DEFAULT_MIN_OBSERVATIONS, Elasticity
from engine.regression import cluster_robust_se, ols

DEFAULT_BAND_EDGES = (1, 3, 6, 12, 24, 48, 96)  # lower edges of the order-size bands, in units per line
DEFAULT_MIN_RUN = 2  # a band's price is a price it "held" when it lasted this many selling weeks in a row
DEFAULT_MIN_WEEKS_AT_PRICE = 3  # ... and was charged in this many selling weeks in all
DEFAULT_MIN_CUSTOMERS_AT_PRICE = 3  # ... and was paid by this many customers (not one customer's deal)
DEFAULT_MAX_SWITCHES = 2  # per extra price: a step and a step back is a change; back and forth is not
DEFAULT_MIN_LIKE_SIZE = 0.5  # a band's prices are a change only when lines of the same size paid them
DEFAULT_TIER_SHARE = 0.75  # tier pricing: in same-week pairs at two prices the bigger line pays less this often
DEFAULT_MIN_TIER_PAIRS = 3
DEFAULT_MAX_TIERS = 6
DEFAULT_MIN_TIER_SHARE = 0.01  # a price is listed as a tier when it carried this share of the units

# Why no elasticity can be estimated from like order sizes (machine-readable; see NO_ESTIMATE_REASONS).
TIER_PRICING_ONLY = "tier_pricing_only"
PRICE_NEVER_CHANGED = "price_never_changed"
TOO_FEW_WEEKS = "too_few_weeks"
NO_ESTIMATE_REASONS = (TIER_PRICING_ONLY, PRICE_NEVER_CHANGED, TOO_FEW_WEEKS)


@dataclass(frozen=True)
class TierTest:
    """Same-week pairs of lines at different prices and different quantities, and in what share of
    them the bigger line paid less."""

    pairs: int
    bigger_cheaper: float | None
    tiered: bool


@dataclass(frozen=True)
class Tier:
    price: float
    typical_quantity: float  # median units per line at this price
    share_of_units: float
    lines: int


@dataclass(frozen=True)
class BandChange:
    """An order-size band whose price changed over time: the prices it held, in the order charged."""

    band: str
    prices: tuple[float, ...]
    weeks: int


@dataclass(frozen=True)
class Cells:
    """One row per (order-size band, week) in which the band sold."""

    band: np.ndarray
    week: np.ndarray
    price: np.ndarray  # the median price of the band's lines that week
    units: np.ndarray
    of_line: np.ndarray | None = None  # the cell of each order line the cells were made from


@dataclass(frozen=True)
class PriceEvidence:
    """Everything the pricing tools say about where an estimate comes from, or why there is none."""

    elasticity: Elasticity | None
    reason: str | None  # one of NO_ESTIMATE_REASONS when elasticity is None
    tier_test: TierTest
    tiers: tuple[Tier, ...]
    changes: tuple[BandChange, ...]
    price_low: float | None  # the lowest and highest held price of the bands the estimate uses
    price_high: float | None
    weeks: int  # selling weeks of the product


def _check(week: np.ndarray, quantity: np.ndarray, price: np.ndarray) -> tuple[np.ndarray, ...]:
    w = np.asarray(week, dtype=np.int64)
    q = np.asarray(quantity, dtype=float)
    p = np.asarray(price, dtype=float)
    if not (w.shape == q.shape == p.shape) or w.ndim != 1:
        raise EngineError("weeks, quantities and prices must be 1-d arrays of the same length")
    if (q <= 0).any() or (p <= 0).any():
        raise EngineError("quantities and prices must be positive")
    return w, q, p


def order_size_band(quantity: np.ndarray, edges: tuple[int, ...] = DEFAULT_BAND_EDGES) -> np.ndarray:
    """The band (index into edges) of each line's quantity; quantities below the first edge go in band 0."""
    if list(edges) != sorted(set(edges)) or not edges:
        raise EngineError("band edges must be increasing")
    return np.maximum(np.searchsorted(np.asarray(edges), np.asarray(quantity), side="right") - 1, 0)


def band_label(band: int, edges: tuple[int, ...] = DEFAULT_BAND_EDGES) -> str:
    lo = edges[band]
    return (
        f"{lo}+"
        if band == len(edges) - 1
        else (f"{lo}" if edges[band + 1] - 1 == lo else f"{lo}-{edges[band + 1] - 1}")
    )


def _price_size_pairs(quantity: np.ndarray, price: np.ndarray) -> tuple[int, int]:
    """Over pairs of lines at prices more than 1% apart and different quantities: how many have the
    bigger line at the cheaper price, and how many the smaller. Counted per pair of prices by sorting,
    so a band of thousands of lines needs no pairwise matrix."""
    p = np.round(price, 2)
    levels = np.unique(p)
    if levels.size < 2:
        return 0, 0
    by_level = [np.sort(quantity[p == v]) for v in levels]
    bigger = smaller = 0
    for i in range(levels.size):  # i: the dearer price; j: a cheaper one (a handful of prices)
        for j in range(i):
            if levels[i] <= levels[j] * 1.01:
                continue
            dear, cheap = by_level[i], by_level[j]
            bigger += int((cheap.size - np.searchsorted(cheap, dear, side="right")).sum())
            smaller += int(np.searchsorted(cheap, dear, side="left").sum())
    return bigger, smaller


def tier_test(
    period: np.ndarray,
    quantity: np.ndarray,
    price: np.ndarray,
    *,
    threshold: float = DEFAULT_TIER_SHARE,
    min_pairs: int = DEFAULT_MIN_TIER_PAIRS,
) -> TierTest:
    """Is the price tied to the line's size? Over pairs of lines sold in the same period at prices
    more than 1% apart and at different quantities, the share in which the bigger line paid less."""
    w, q, p = _check(period, quantity, price)
    order = np.lexsort((p, w))
    w, q, p = w[order], q[order], np.round(p[order], 2)
    starts = np.flatnonzero(np.r_[True, w[1:] != w[:-1]])
    ends = np.r_[starts[1:], w.size]
    several = np.flatnonzero(p[ends - 1] > p[starts])  # periods with two or more prices
    bigger = smaller = 0
    for a, b in zip(starts[several], ends[several], strict=True):
        big, small = _price_size_pairs(q[a:b], p[a:b])
        bigger, smaller = bigger + big, smaller + small
    pairs = bigger + smaller
    share = bigger / pairs if pairs else None
    return TierTest(pairs, share, share is not None and pairs >= min_pairs and share >= threshold)


def price_tiers(
    quantity: np.ndarray,
    price: np.ndarray,
    *,
    min_share: float = DEFAULT_MIN_TIER_SHARE,
    max_tiers: int = DEFAULT_MAX_TIERS,
) -> tuple[Tier, ...]:
    """The prices the product sold at (dearest first) with the typical line quantity at each and its
    share of the units; prices carrying less than min_share of the units are left out."""
    q = np.asarray(quantity, dtype=float)
    p = np.round(np.asarray(price, dtype=float), 2)
    levels, inv = np.unique(p, return_inverse=True)
    units = np.bincount(inv, weights=q)
    lines = np.bincount(inv)
    order = np.lexsort((q, inv))  # grouped by price, quantities ascending: medians without a loop
    q_sorted = q[order]
    start = np.r_[0, np.cumsum(lines)[:-1]]
    median = (q_sorted[start + (lines - 1) // 2] + q_sorted[start + lines // 2]) / 2
    share = units / units.sum()
    keep = np.flatnonzero(share >= min_share)[::-1][:max_tiers]
    return tuple(Tier(float(levels[i]), float(median[i]), round(float(share[i]), 4), int(lines[i])) for i in keep)


def band_week_cells(
    week: np.ndarray, quantity: np.ndarray, price: np.ndarray, edges: tuple[int, ...] = DEFAULT_BAND_EDGES
) -> Cells:
    """Units and the median price per (order-size band, week), rounded to pennies."""
    w, q, p = _check(week, quantity, price)
    band = order_size_band(q, edges)
    keys, inv = np.unique(np.column_stack([band, w]), axis=0, return_inverse=True)
    inv = inv.ravel()
    counts = np.bincount(inv)
    order = np.lexsort((p, inv))
    p_sorted = p[order]
    start = np.r_[0, np.cumsum(counts)[:-1]]
    median = (p_sorted[start + (counts - 1) // 2] + p_sorted[start + counts // 2]) / 2
    return Cells(keys[:, 0], keys[:, 1], np.round(median, 2), np.bincount(inv, weights=q), inv)


def held_prices(
    week: np.ndarray,
    price: np.ndarray,
    *,
    min_run: int = DEFAULT_MIN_RUN,
    min_weeks: int = DEFAULT_MIN_WEEKS_AT_PRICE,
) -> np.ndarray:
    """For one band's weekly prices: which weeks are at a price the band held (min_run selling weeks in
    a row and min_weeks in all), not a one-off (a bulk line that fell in the band, a special deal)."""
    w = np.asarray(week)
    p = np.asarray(price, dtype=float)
    order = np.argsort(w, kind="stable")
    ps = p[order]
    new_run = np.r_[True, ps[1:] != ps[:-1]]
    run_id = np.cumsum(new_run) - 1
    run_len = np.bincount(run_id)[run_id]
    levels, inv = np.unique(ps, return_inverse=True)
    longest = np.zeros(levels.size)
    np.maximum.at(longest, inv, run_len)
    weeks_at = np.bincount(inv)
    held_sorted = (longest[inv] >= min_run) & (weeks_at[inv] >= min_weeks)
    held = np.empty_like(held_sorted)
    held[order] = held_sorted
    return held


def like_size_share(quantity: np.ndarray, price: np.ndarray) -> float:
    """The share of lines whose exact quantity was also sold at another of the prices: near 1 when
    the price changed for every order size, near 0 when each price goes with its own order sizes (a
    tier inside the band: 24 units at £2.55, 36 at £2.10)."""
    q = np.asarray(quantity, dtype=float)
    p = np.round(np.asarray(price, dtype=float), 2)
    if q.size == 0:
        return 0.0
    pairs = np.unique(np.column_stack([q, p]), axis=0)
    sizes, n_prices = np.unique(pairs[:, 0], return_counts=True)
    return float(np.isin(q, sizes[n_prices >= 2]).mean())


def like_size_elasticity(
    cells: Cells,
    *,
    traffic: np.ndarray | None = None,
    confidence: float = DEFAULT_CONFIDENCE,
) -> Elasticity:
    """log(units) = band intercept + elasticity * log(price) [+ g * log(traffic)] over the cells, with
    standard errors clustered by week (bands in the same week share its shocks). `traffic`: the shop's
    orders in each cell's week, a control for seasons and partial weeks."""
    bands = np.unique(cells.band)
    n = cells.units.size
    if n == 0 or (cells.units <= 0).any() or (cells.price <= 0).any():
        raise EngineError("need cells with positive units and prices")
    cols = [(cells.band == b).astype(float) for b in bands]
    names = [f"band {b}" for b in bands]
    cols.append(np.log(cells.price))
    names.append("log(price)")
    if traffic is not None:
        t = np.asarray(traffic, dtype=float)
        if t.shape != (n,) or (t <= 0).any():
            raise EngineError("traffic must be positive, one value per cell")
        cols.append(np.log(t))
        names.append("log(traffic)")
    X = np.column_stack(cols)
    y = np.log(cells.units)
    fit = ols(X, y, names)
    weeks = np.unique(cells.week).size
    j = len(bands)
    se = float(cluster_robust_se(X, y - X @ fit.coef, cells.week)[j])
    from scipy import special  # imported here: the CLI should not pay for it on every start

    t_crit = float(special.stdtrit(max(weeks - 1, 1), 0.5 + confidence / 2))
    beta = float(fit.coef[j])
    biggest = int(np.argmax([(cells.band == b).sum() for b in bands]))
    return Elasticity(
        beta,
        se,
        beta - t_crit * se,
        beta + t_crit * se,
        float(fit.coef[biggest]),
        fit.r_squared,
        int(n),
        int(np.unique(np.round(cells.price, 2)).size),
    )


def band_change(
    cells: Cells,
    in_band: np.ndarray,
    quantity: np.ndarray,
    customer: np.ndarray | None,
    *,
    label: str,
    min_customers: int = DEFAULT_MIN_CUSTOMERS_AT_PRICE,
    min_like_size: float = DEFAULT_MIN_LIKE_SIZE,
) -> tuple[np.ndarray, BandChange | None, bool]:
    """Did one band's price change over time? Returns which of its cells (in_band: their indices) are
    at a held price, the change (None when the band held one price), and whether its prices instead go
    with who orders or with the line's size (back and forth, or each price with its own sizes)."""
    assert cells.of_line is not None
    h = held_prices(cells.week[in_band], cells.price[in_band])
    lines = np.flatnonzero(np.isin(cells.of_line, in_band[h]))
    paid = cells.price[cells.of_line[lines]]
    if customer is not None:  # a price one or two customers paid is their deal, not the shop's price
        pairs = np.unique(np.column_stack([paid, customer[lines].astype(float)]), axis=0)
        levels, n_customers = np.unique(pairs[:, 0], return_counts=True)
        dropped = levels[n_customers < min_customers]
        h &= ~np.isin(cells.price[in_band], dropped)
        keep = ~np.isin(paid, dropped)
        lines, paid = lines[keep], paid[keep]
    if np.unique(paid).size < 2:
        return h, None, False
    charged = cells.price[in_band][h][np.argsort(cells.week[in_band][h], kind="stable")]
    first = np.r_[True, charged[1:] != charged[:-1]]
    switches, n_prices = int(first.sum()) - 1, int(np.unique(charged).size)
    if switches > DEFAULT_MAX_SWITCHES * (n_prices - 1) or like_size_share(quantity[lines], paid) < min_like_size:
        return np.zeros_like(h), None, True
    return h, BandChange(label, tuple(float(x) for x in charged[first]), int(h.sum())), False


def price_evidence(
    week: np.ndarray,
    quantity: np.ndarray,
    price: np.ndarray,
    *,
    customer: np.ndarray | None = None,
    traffic: tuple[np.ndarray, np.ndarray] | None = None,
    edges: tuple[int, ...] = DEFAULT_BAND_EDGES,
    min_obs: int = DEFAULT_MIN_OBSERVATIONS,
    confidence: float = DEFAULT_CONFIDENCE,
) -> PriceEvidence:
    """Tier test, tiers, the bands whose price changed over time, and the elasticity from those bands
    (or the reason there is none). One row per order line: its week, quantity, unit price and
    (optionally) customer. `traffic`: (weeks in increasing order, the shop's orders in each), covering
    every week the product sold."""
    w, q, p = _check(week, quantity, price)
    if w.size == 0:
        raise EngineError("no sales to learn from")
    c = None if customer is None else np.asarray(customer)
    if c is not None and c.shape != w.shape:
        raise EngineError("one customer per order line")
    tt = tier_test(w, q, p)
    cells = band_week_cells(w, q, p, edges)
    held = np.zeros(cells.units.size, dtype=bool)
    changes: list[BandChange] = []
    tiered_within_band = False
    for b in np.unique(cells.band):  # a handful of bands
        in_band = np.flatnonzero(cells.band == b)
        h, change, tiered = band_change(cells, in_band, q, c, label=band_label(int(b), edges))
        tiered_within_band |= tiered
        if change is not None:
            held[in_band[h]] = True
            changes.append(change)
    weeks = int(np.unique(w).size)
    tiers = price_tiers(q, p) if tt.tiered or tiered_within_band else ()
    if not changes:
        reason = TIER_PRICING_ONLY if tiers else PRICE_NEVER_CHANGED
        return PriceEvidence(None, reason, tt, tiers, (), None, None, weeks)
    used = Cells(cells.band[held], cells.week[held], cells.price[held], cells.units[held])
    lo, hi = float(used.price.min()), float(used.price.max())
    if used.units.size < min_obs or np.unique(used.week).size < min_obs // 2:
        return PriceEvidence(None, TOO_FEW_WEEKS, tt, tiers, tuple(changes), lo, hi, weeks)
    per_cell = None
    if traffic is not None:
        t_weeks, t_orders = (np.asarray(a) for a in traffic)
        at = np.clip(np.searchsorted(t_weeks, used.week), 0, max(t_weeks.size - 1, 0))
        if t_weeks.size == 0 or (t_weeks[at] != used.week).any():
            raise EngineError("traffic must cover every week the product sold, weeks in increasing order")
        per_cell = np.asarray(t_orders, dtype=float)[at]
    est = like_size_elasticity(used, traffic=per_cell, confidence=confidence)
    return PriceEvidence(est, None, tt, tiers, tuple(changes), lo, hi, weeks)
