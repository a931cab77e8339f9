"""Bids, pacing and the replay of a bidding strategy over an auction log (second price)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import Literal

import numpy as np

from engine import EngineError

DEFAULT_EPISODE = 1000  # auctions per episode in the iPinYou protocol
MAX_BID = 300

DEFAULT_LAW_SIZE = 2048  # steps of a tabulated pCTR law
DEFAULT_REFITS = (1, 2, 4, 8, 16, 32, 64, 128)  # episodes after which ours refits its pCTR law

LastEpisode = Literal["full", "true"]
"""What a strategy is told of the last, shorter episode: "full", that it has `episode` auctions like
every other (han-cai/rlb-dp's `run()`, which produced the published figures), or "true", the
auctions actually left."""


def expected_value_bid(pctr: float, value_per_click: float) -> float:
    """Truthful CPM bid in a second-price auction: the expected value of 1,000 impressions."""
    if not 0.0 <= pctr <= 1.0:
        raise EngineError("predicted CTR must be between 0 and 1")
    if value_per_click < 0:
        raise EngineError("value per click must not be negative")
    return 1000.0 * pctr * value_per_click


def mcpc_bids(pctr: np.ndarray, cpc: float) -> np.ndarray:
    """Mcpc baseline: bid = int(pCTR * CPC)."""
    return (np.asarray(pctr, dtype=float) * cpc).astype(np.int64)


def lin_bids(pctr: np.ndarray, b0: float, avg_ctr: float) -> np.ndarray:
    """Lin baseline: bid = int(b0 * pCTR / average CTR)."""
    return (b0 * np.asarray(pctr, dtype=float) / avg_ctr).astype(np.int64)


@dataclass(frozen=True)
class ReplayResult:
    clicks: int
    impressions: int
    cost: int
    auctions: int
    budget: int

    @property
    def win_rate(self) -> float:
        return self.impressions / self.auctions if self.auctions else 0.0

    @property
    def cpm(self) -> float:
        return self.cost / self.impressions if self.impressions else 0.0  # prices are CPM

    @property
    def ecpc(self) -> float:
        return self.cost / self.clicks / 1000.0 if self.clicks else float("inf")

    def as_dict(self) -> dict[str, float | int]:
        d: dict[str, float | int] = asdict(self)
        d.update(win_rate=self.win_rate, cpm=self.cpm, ecpc=self.ecpc)
        return d


def replay(
    clicks: np.ndarray,
    market_price: np.ndarray,
    bids: np.ndarray,
    *,
    budget_per_episode: int,
    episode: int = DEFAULT_EPISODE,
) -> ReplayResult:
    """Replay precomputed bids in episodes; each bid is capped at min(bid, 300, budget left).

    Win when bid >= market price, pay the market price (second price), collect the click.
    """
    c = np.asarray(clicks, dtype=np.int64)
    mp = np.asarray(market_price, dtype=np.int64)
    b = np.minimum(np.asarray(bids, dtype=np.int64), MAX_BID)
    if not (c.shape == mp.shape == b.shape):
        raise EngineError("clicks, market prices and bids must have the same length")
    if budget_per_episode <= 0 or episode <= 0:
        raise EngineError("budget and episode length must be positive")
    won_clicks = won_imps = spent = 0
    for start in range(0, c.size, episode):
        left = budget_per_episode
        bb, pp, cc = (
            b[start : start + episode],
            mp[start : start + episode],
            c[start : start + episode],
        )
        # Before the budget runs low, the cap never binds: wins are bid >= price, paid in order.
        for j in np.flatnonzero(bb >= pp):
            price = pp[j]
            if min(bb[j], left) < price:
                continue
            left -= price
            won_imps += 1
            won_clicks += cc[j]
        spent += budget_per_episode - left
    return ReplayResult(int(won_clicks), int(won_imps), int(spent), int(c.size), budget_per_episode)


def replay_strategy(
    clicks: np.ndarray,
    market_price: np.ndarray,
    pctr: np.ndarray,
    bid_fn: Callable[[float, int, int], float],
    *,
    budget_per_episode: int,
    episode: int = DEFAULT_EPISODE,
    last_episode: LastEpisode = "full",
) -> ReplayResult:
    """Replay a stateful strategy bid_fn(pctr, auctions_left, budget_left) auction by auction."""
    c = np.asarray(clicks, dtype=np.int64)
    mp = np.asarray(market_price, dtype=np.int64)
    ct = np.asarray(pctr, dtype=float)
    _check_last_episode(last_episode)
    won_clicks = won_imps = spent = 0
    for start in range(0, c.size, episode):
        n = min(episode, c.size - start)
        told = episode if last_episode == "full" else n
        left = budget_per_episode
        for j in range(n):
            a = min(int(bid_fn(float(ct[start + j]), told - j, left)), MAX_BID, left)
            price = int(mp[start + j])
            if a >= price:
                left -= price
                won_imps += 1
                won_clicks += int(c[start + j])
        spent += budget_per_episode - left
    return ReplayResult(won_clicks, won_imps, spent, int(c.size), budget_per_episode)


def _check_last_episode(last_episode: str) -> None:
    if last_episode not in ("full", "true"):
        raise EngineError("last_episode must be 'full' (rlb-dp's convention) or 'true'")


def market_price_pdf(counts: np.ndarray) -> np.ndarray:
    """The market-price distribution from a histogram of prices 0..MAX_BID."""
    c = np.asarray(counts, dtype=float)
    if c.ndim != 1 or c.size == 0 or (c < 0).any() or c.sum() <= 0:
        raise EngineError("the price histogram must be non-negative counts with a positive total")
    return c / c.sum()


@dataclass(frozen=True)
class CtrLaw:
    """What the bidder believes of the pCTR theta of a coming auction, as the value of the option to
    bid at a cost c in clicks: gain(c) = E[(theta - c)+], tabulated at c = 0, step, 2 step, ... (linear
    in between, zero beyond the table)."""

    gain: np.ndarray
    step: float


def mean_law(mean_ctr: float) -> CtrLaw:
    """RLB's: every impression is worth the mean CTR, gain(c) = max(0, mean - c)."""
    _check_mean(mean_ctr)
    return CtrLaw(np.array([mean_ctr, 0.0]), float(mean_ctr))


def exponential_law(mean_ctr: float, *, size: int = DEFAULT_LAW_SIZE) -> CtrLaw:
    """The mean and no other knowledge: the maximum-entropy law on [0, inf), the exponential, for
    which gain(c) = mean * exp(-c / mean) (tabulated to 40 means, where it is below 1e-17)."""
    _check_mean(mean_ctr)
    c = np.linspace(0.0, 40.0 * mean_ctr, size + 1)
    gain = mean_ctr * np.exp(-c / mean_ctr)
    gain[-1] = 0.0
    return CtrLaw(gain, float(c[1]))


def empirical_law(pctr_seen: np.ndarray, *, size: int = DEFAULT_LAW_SIZE) -> CtrLaw:
    """The law of the pCTRs seen so far: gain(c) = mean over them of (theta - c)+."""
    th = np.sort(np.asarray(pctr_seen, dtype=float))
    if th.ndim != 1 or th.size == 0 or th[0] < 0 or th[-1] > 1 or th[-1] == 0:
        raise EngineError("pCTRs seen must be a non-empty list in [0, 1], not all zero")
    c = np.linspace(0.0, th[-1], size + 1)
    above = np.searchsorted(th, c, side="right")
    tail = np.r_[np.cumsum(th[::-1])[::-1], 0.0][above]  # sum of the pCTRs above each c
    return CtrLaw((tail - c * (th.size - above)) / th.size, float(c[1]))


def _check_mean(mean_ctr: float) -> None:
    if not 0 < mean_ctr < 1:
        raise EngineError("mean CTR must be between 0 and 1")


def value_function(episode: int, budget: int, price_pdf: np.ndarray, law: CtrLaw) -> np.ndarray:
    """V[t, b]: expected clicks from t auctions left with budget b, bidding optimally (dynamic
    programming over budget and auctions left, as RLB does, Cai et al. 2017), when the pCTR of each
    coming auction follows `law` and is seen before bidding."""
    from engine import kernels

    if episode <= 0 or budget < 0:
        raise EngineError("episode must be positive and budget non-negative")
    pdf = np.ascontiguousarray(price_pdf, dtype=np.float64)
    gain = np.ascontiguousarray(law.gain, dtype=np.float64)
    value = np.zeros((episode + 1, budget + 1))
    for t in range(1, episode + 1):
        kernels.value_step(value[t - 1], pdf, gain, float(law.step), value[t])
    return value


def value_bid(value: np.ndarray, pctr: float, auctions_left: int, budget_left: int) -> int:
    """The value-function bid: the most we can pay now and still gain, i.e. the largest d with
    pCTR >= V[t-1, b] - V[t-1, b-d] (plain Python; kernels.dp_bid is its compiled twin)."""
    if auctions_left <= 0 or budget_left <= 0:
        return 0
    prev = value[auctions_left - 1]
    lo, hi = 0, min(budget_left, MAX_BID)
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if pctr + prev[budget_left - mid] - prev[budget_left] >= 0.0:
            lo = mid
        else:
            hi = mid - 1
    return lo


def replay_value_strategy(
    clicks: np.ndarray,
    market_price: np.ndarray,
    pctr: np.ndarray,
    value: np.ndarray,
    *,
    budget_per_episode: int,
    episode: int = DEFAULT_EPISODE,
    last_episode: LastEpisode = "full",
) -> ReplayResult:
    """Replay the value-function strategy auction by auction (compiled: about 5 ms for 156k auctions)."""
    from engine import kernels

    _check_last_episode(last_episode)
    c = np.ascontiguousarray(clicks, dtype=np.int64)
    p = np.ascontiguousarray(market_price, dtype=np.int64)
    th = np.ascontiguousarray(pctr, dtype=np.float64)
    if value.shape[0] < episode + 1 or value.shape[1] < budget_per_episode + 1:
        raise EngineError("the value function is smaller than the episode or the budget")
    won_clicks, won, spent = kernels.replay_dp(
        c, p, th, value, budget_per_episode, episode, MAX_BID, last_episode == "full"
    )
    return ReplayResult(int(won_clicks), int(won), int(spent), int(c.size), budget_per_episode)


def replay_learning_strategy(
    clicks: np.ndarray,
    market_price: np.ndarray,
    pctr: np.ndarray,
    price_pdf: np.ndarray,
    prior: CtrLaw,
    *,
    budget_per_episode: int,
    episode: int = DEFAULT_EPISODE,
    refits: tuple[int, ...] = DEFAULT_REFITS,
    last_episode: LastEpisode = "full",
) -> ReplayResult:
    """Replay our strategy: the value-function bid under the prior law of the pCTR, then, from each
    episode in `refits` on, under the empirical law of the pCTRs of every request bid on before it.

    Only `pctr[:start]` is read to build the law used from auction `start` on: no click, no market
    price and no later request (a live bidder's view)."""
    n = np.asarray(pctr).size
    starts = sorted({0, *(r * episode for r in refits if 0 < r * episode < n)})
    parts = []
    for lo, hi in zip(starts, [*starts[1:], n], strict=True):
        law = prior if lo == 0 else empirical_law(pctr[:lo])
        value = value_function(episode, budget_per_episode, price_pdf, law)
        parts.append(
            replay_value_strategy(
                clicks[lo:hi],
                market_price[lo:hi],
                pctr[lo:hi],
                value,
                budget_per_episode=budget_per_episode,
                episode=episode,
                last_episode=last_episode,
            )
        )
    won = np.sum([[p.clicks, p.impressions, p.cost] for p in parts], axis=0)
    return ReplayResult(int(won[0]), int(won[1]), int(won[2]), n, budget_per_episode)


@dataclass(frozen=True)
class Pacing:
    daily_budget: float
    spent: float
    elapsed_fraction: float
    expected_spend: float
    projected_spend: float
    pace_ratio: float
    status: str
    bid_multiplier: float

    def as_dict(self) -> dict[str, float | str]:
        return asdict(self)


def pacing_status(daily_budget: float, spent: float, elapsed_fraction: float, *, tolerance: float = 0.1) -> Pacing:
    """Compare spend so far with an even pace and suggest a bid multiplier to get back on pace.

    The multiplier is the ratio of the remaining budget rate to the observed spend rate, clipped to
    [0.5, 1.5] so one correction never swings bids wildly (a proportional pacing controller).
    """
    if daily_budget <= 0:
        raise EngineError("daily budget must be positive")
    if spent < 0:
        raise EngineError("spend must not be negative")
    if not 0.0 < elapsed_fraction <= 1.0:
        raise EngineError("elapsed fraction of the day must be in (0, 1]")
    expected = daily_budget * elapsed_fraction
    ratio = spent / expected
    projected = spent / elapsed_fraction
    if spent >= daily_budget:
        status, mult = "exhausted", 0.0
    elif ratio > 1 + tolerance:
        status = "overspending"
    elif ratio < 1 - tolerance:
        status = "underspending"
    else:
        status = "on_pace"
    if status != "exhausted":
        remaining_rate = (daily_budget - spent) / max(1.0 - elapsed_fraction, 1e-9)
        observed_rate = spent / elapsed_fraction
        mult = float(np.clip(remaining_rate / observed_rate, 0.5, 1.5)) if observed_rate > 0 else 1.5
    return Pacing(daily_budget, spent, elapsed_fraction, expected, projected, ratio, status, mult)
