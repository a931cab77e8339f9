"""Simulated delivery of a campaign: how many auctions a bid wins, what it pays, and what follows.

The market. Each auction the campaign could enter has a competing price per click q (the highest
other bid, as a cost per click); a bid b wins when b >= q and pays q (second price). q follows the
market-price distribution of the iPinYou campaign 2997 log (MARKET_PRICE_CDF) scaled so that its
median is the channel's median competing CPC. The win rate is w(b) = F(b), the cost of a click won
is E[q | q <= b], so a higher bid wins more auctions at a higher price.

A day. The auctions of a day arrive by hour (hourly_share); an auction won is an impression, an
impression is clicked with the channel's CTR, a click converts with the conversion rate, and a
conversion brings an order (average order value in expectation). Spend accrues hour by hour and
stops at the daily budget: in the hour the budget runs out only the share that fits is delivered,
and nothing after it. A paused campaign enters no auction.

`expected_day` gives the expected figures (pacing, projections, the bid that spends a budget);
`draw_day` draws a day from the same model with a random generator (the seeded demo history).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from engine import EngineError

# iPinYou campaign 2997, training log (2997.info.json, price_counter_train: 312,437 auctions): the
# share of auctions whose market price (CPM, in fen) is at most each price. Knots at the floor and
# where the share crosses each 5% step; the distribution is linear between knots, which gives a mean
# market price of 62.8 (63.0 from the full histogram). Prices are used relative to the median (41),
# so only the shape is taken from the log. Recomputed from the data by tests/engine/test_delivery.py.
MARKET_PRICE_CDF: tuple[tuple[int, float], ...] = (
    (3, 0.0), (6, 0.1302), (9, 0.1589), (13, 0.2014), (18, 0.2510), (23, 0.3002), (29, 0.3580),
    (30, 0.4033), (35, 0.4515), (41, 0.5028), (48, 0.5555), (55, 0.6010), (64, 0.6544), (74, 0.7006), (88, 0.7522),
    (106, 0.8023), (130, 0.8514), (153, 0.9004), (199, 0.9508), (277, 1.0),
)  # fmt: skip
MARKET_PRICE_MEDIAN = 41
MARKET_PRICE_SHARES = (0.05, 0.10, 0.15, 0.20, 0.25, 0.30, 0.35, 0.40, 0.45, 0.50, 0.55, 0.60, 0.65, 0.70, 0.75, 0.80,
                       0.85, 0.90, 0.95, 1.0)  # fmt: skip

# Assumed share of a day's auctions by hour (a UK online audience: quiet at night, busiest in the evening).
HOURLY_SHARE: tuple[float, ...] = tuple(
    w / 100.0
    for w in (2.0, 1.5, 1.0, 1.0, 1.0, 1.5, 2.5, 3.5, 4.5, 5.0, 5.5, 5.5, 5.5, 5.5, 5.5, 5.5, 5.5, 5.5, 6.0, 6.5, 6.5,
              6.0, 4.5, 3.0)
)  # fmt: skip

_PRICES = np.array([p for p, _ in MARKET_PRICE_CDF], dtype=float) / MARKET_PRICE_MEDIAN
_SHARES = np.array([s for _, s in MARKET_PRICE_CDF])


def market_table(counts: np.ndarray, shares: tuple[float, ...] = MARKET_PRICE_SHARES) -> list[tuple[int, float]]:
    """The knots of MARKET_PRICE_CDF from a histogram of market prices 0..n: the last price below
    every auction's (the floor) and the first price whose cumulative share reaches each of
    `shares`, each with its cumulative share rounded to four decimals."""
    c = np.asarray(counts, dtype=float)
    if c.ndim != 1 or c.size == 0 or (c < 0).any() or c.sum() <= 0:
        raise EngineError("the price histogram must be non-negative counts with a positive total")
    cdf = np.cumsum(c) / c.sum()
    first = int(np.flatnonzero(c)[0])
    knots = {max(first - 1, 0)} | {int(np.searchsorted(cdf, s - 1e-12)) for s in shares}
    return [(k, round(float(cdf[k]), 4)) for k in sorted(knots)]


def win_rate(bid_ratio: np.ndarray | float) -> np.ndarray:
    """Share of auctions won by a bid of `bid_ratio` times the median competing price."""
    x = np.asarray(bid_ratio, dtype=float)
    return np.interp(x, _PRICES, _SHARES, left=0.0, right=1.0)


def price_paid(bid_ratio: np.ndarray | float) -> np.ndarray:
    """Mean price paid per auction won (second price), in multiples of the median competing price:
    E[q | q <= bid]; 0 where nothing is won."""
    x = np.atleast_1d(np.asarray(bid_ratio, dtype=float))
    lo, hi = _PRICES[:-1], _PRICES[1:]
    density = np.diff(_SHARES) / (hi - lo)  # uniform within each segment
    top = np.clip(x[:, None], lo, hi)
    partial = (density * (top**2 - lo**2) / 2).sum(axis=1)  # integral of q dF up to the bid
    w = win_rate(x)
    out = np.divide(partial, w, out=np.zeros_like(partial), where=w > 0)
    return out.reshape(np.shape(bid_ratio))


@dataclass(frozen=True)
class DeliveryParams:
    """What the model assumes of one campaign's market and audience."""

    auctions_per_day: float  # auctions its targeting reaches in a day
    ctr: float  # clicks per impression
    conversion_rate: float  # orders per click
    avg_order_value: float  # revenue per order
    market_cpc: float  # median competing price per click
    hourly_share: tuple[float, ...] = field(default=HOURLY_SHARE)

    def __post_init__(self) -> None:
        if self.auctions_per_day < 0 or self.avg_order_value < 0:
            raise EngineError("auctions per day and average order value must not be negative")
        if not (0 < self.ctr < 1 and 0 <= self.conversion_rate <= 1):
            raise EngineError("CTR must be in (0, 1) and the conversion rate in [0, 1]")
        if self.market_cpc <= 0:
            raise EngineError("the median competing CPC must be positive")
        if len(self.hourly_share) != 24 or abs(sum(self.hourly_share) - 1) > 1e-6 or min(self.hourly_share) < 0:
            raise EngineError("the hourly share must be 24 non-negative numbers adding up to 1")


@dataclass(frozen=True)
class Day:
    """Delivery by hour (arrays over the hours simulated)."""

    hours: np.ndarray
    impressions: np.ndarray
    clicks: np.ndarray
    conversions: np.ndarray
    spend: np.ndarray
    revenue: np.ndarray

    def totals(self) -> dict[str, float]:
        return {k: float(getattr(self, k).sum()) for k in ("impressions", "clicks", "conversions", "spend", "revenue")}


def _check(bid: float, budget: float) -> None:
    if not bid > 0:
        raise EngineError("the bid must be positive")
    if budget < 0:
        raise EngineError("the budget must not be negative")


def _hours(hours: range | None) -> np.ndarray:
    h = np.arange(24) if hours is None else np.asarray(list(hours), dtype=int)
    if h.size and (h.min() < 0 or h.max() > 23):
        raise EngineError("hours run from 0 to 23")
    return h


def _cap(spend: np.ndarray, budget: float) -> np.ndarray:
    """The share of each hour's delivery that fits in the budget (spend in hour order)."""
    before = np.concatenate([[0.0], np.cumsum(spend)[:-1]])
    room = np.clip(budget - before, 0.0, None)
    return np.divide(np.minimum(room, spend), spend, out=np.ones_like(spend), where=spend > 0)


def expected_day(
    p: DeliveryParams,
    *,
    bid: float,
    budget: float,
    active: bool = True,
    hours: range | None = None,
    volume: float = 1.0,
) -> Day:
    """Expected delivery over `hours` (all 24 by default) at `bid`, with `budget` left to spend;
    `volume` scales the day's auctions (1 = auctions_per_day)."""
    _check(bid, budget)
    h = _hours(hours)
    auctions = p.auctions_per_day * volume * np.asarray(p.hourly_share)[h] * float(active)
    x = bid / p.market_cpc
    impressions = auctions * float(win_rate(x))
    clicks = impressions * p.ctr
    spend = clicks * float(price_paid(x)) * p.market_cpc
    share = _cap(spend, budget)
    impressions, clicks, spend = impressions * share, clicks * share, spend * share
    conversions = clicks * p.conversion_rate
    return Day(h, impressions, clicks, conversions, spend, conversions * p.avg_order_value)


def draw_day(
    p: DeliveryParams,
    rng: np.random.Generator,
    *,
    bid: float,
    budget: float,
    active: bool = True,
    hours: range | None = None,
    volume: float = 1.0,
    order_values: np.ndarray | None = None,
) -> Day:
    """One day drawn from the model: auctions per hour are Poisson, wins, clicks and conversions
    binomial, each click costs the expected price paid, and each conversion's revenue is an order
    value drawn from `order_values` (the shop's own orders) or the average order value."""
    _check(bid, budget)
    h = _hours(hours)
    lam = p.auctions_per_day * volume * np.asarray(p.hourly_share)[h] * float(active)
    auctions = rng.poisson(lam)
    x = bid / p.market_cpc
    impressions = rng.binomial(auctions, float(win_rate(x)))
    clicks = rng.binomial(impressions, p.ctr)
    cpc = float(price_paid(x)) * p.market_cpc
    spend = clicks * cpc
    share = _cap(spend.astype(float), budget)
    clicks = np.floor(clicks * share + 1e-9).astype(np.int64)  # the clicks the budget paid for
    impressions = np.round(impressions * share).astype(np.int64)
    spend = np.minimum(clicks * cpc, spend * share)
    conversions = rng.binomial(clicks, p.conversion_rate)
    if order_values is not None and len(order_values):
        values = np.asarray(order_values, dtype=float)
        revenue = np.array([values[rng.integers(0, values.size, n)].sum() for n in conversions])
    else:
        revenue = conversions * p.avg_order_value
    return Day(h, impressions, clicks, conversions, np.round(spend, 2), np.round(revenue, 2))


def bid_for_spend(
    p: DeliveryParams,
    target: float,
    *,
    hours: range | None = None,
    volume: float = 1.0,
    max_bid: float = 50.0,
) -> float:
    """The lowest bid whose expected spend over `hours` reaches `target` (uncapped), or `max_bid`
    when no bid up to it spends that much; spend grows with the bid, so bisection finds it."""
    if target <= 0:
        return 0.0

    def spend(b: float) -> float:
        return expected_day(p, bid=b, budget=float("inf"), hours=hours, volume=volume).spend.sum()

    lo, hi = 0.0, max_bid
    if spend(hi) < target:
        return max_bid
    for _ in range(60):
        mid = (lo + hi) / 2
        if mid > 0 and spend(mid) >= target:
            hi = mid
        else:
            lo = mid
    return hi


def ratios(
    *, impressions: float, clicks: float, conversions: float, spend: float, revenue: float
) -> dict[str, float | None]:
    """CTR, conversion rate, CPC, CPA and ROAS of totals (None where the denominator is 0)."""

    def div(a: float, b: float) -> float | None:
        return a / b if b > 0 else None

    return {
        "ctr": div(clicks, impressions),
        "conversion_rate": div(conversions, clicks),
        "cpc": div(spend, clicks),
        "cpa": div(spend, conversions),
        "roas": div(revenue, spend),
    }
