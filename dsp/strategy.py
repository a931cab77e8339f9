"""A campaign's bid for one impression: the engine's strategy (engine/bidding.py), then the caps.

Prices are CPM in the campaign's currency; the budget-aware strategies (ours, rlb) work in whole
price units, as the iPinYou replay does: their budget is the period's budget in CPM-price units
(micros // 1,000) and their bid an integer.

    ours   the value-function bid under a pCTR law learnt online: the exponential with the mean CTR
           for the first period, then the empirical law of the pCTRs of every request seen before
           each period in `refits` (engine/bidding.py replay_learning_strategy, live)
    rlb    the value-function bid with every impression worth the mean CTR (Cai et al. 2017)
    lin    int(b0 * pCTR / mean CTR)
    mcpc   int(pCTR * CPC)
    fixed  the campaign's max bid

A bid is never above the campaign's max bid nor the budget left, and a bid below the impression's
bidfloor is not made.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np

from dsp import DspError
from engine import EngineError, bidding

StrategyName = Literal["ours", "rlb", "lin", "mcpc", "fixed"]
STRATEGIES: tuple[str, ...] = ("ours", "rlb", "lin", "mcpc", "fixed")
DEFAULT_PERIOD_AUCTIONS = bidding.DEFAULT_EPISODE
MAX_DP_BUDGET = 200_000  # price units of a period's budget the value function is tabulated to
DP = ("ours", "rlb")


@dataclass
class Strategy:
    """One campaign's strategy and what it has learnt (the pCTRs seen, its value function)."""

    name: str
    params: dict[str, Any]
    budget_units: int  # the period's budget in CPM-price units
    max_bid: float
    seen: list[float] = field(default_factory=list)
    value: np.ndarray | None = None
    _fitted_for: int = -1  # the period (counted from the first) the value function was made for
    _first_period: int | None = None

    @classmethod
    def make(cls, name: str, params: dict[str, Any], *, budget_micros: int, max_bid: float) -> Strategy:
        if name not in STRATEGIES:
            raise DspError(f"unknown strategy {name!r}; the strategies are {', '.join(STRATEGIES)}")
        s = cls(name, dict(params), budget_micros // 1000, float(max_bid))
        s._check()
        return s

    def _check(self) -> None:
        p = self.params
        need = {"ours": ("mean_ctr", "price_counts"), "rlb": ("mean_ctr", "price_counts"), "lin": ("mean_ctr",)}
        need["mcpc"] = ("cpc",)
        missing = [k for k in need.get(self.name, ()) if k not in p]
        if missing:
            raise DspError(f"strategy {self.name} needs the parameters {', '.join(missing)}")
        if self.name in DP and not 0 < self.budget_units <= MAX_DP_BUDGET:
            raise DspError(
                f"strategy {self.name} tabulates the budget in whole CPM-price units: a period's budget of "
                f"{self.budget_units} units is outside 1..{MAX_DP_BUDGET}"
            )

    @property
    def period_auctions(self) -> int:
        return int(self.params.get("period_auctions", DEFAULT_PERIOD_AUCTIONS))

    def observe(self, pctr: float) -> None:
        """A request's pCTR seen (ours learns its law from them)."""
        if self.name == "ours":
            self.seen.append(pctr)

    def prepare(self, period: int) -> None:
        """The value function for `period`, made at the first request of a period where it changes."""
        if self.name not in DP:
            return
        if self._first_period is None:
            self._first_period = period
        k = period - self._first_period
        if self.name == "rlb":
            if self.value is None:
                law = bidding.mean_law(float(self.params["mean_ctr"]))
                self.value = self._value(law)
            return
        refits = sorted(int(r) for r in self.params.get("refits", bidding.DEFAULT_REFITS))
        due = max([0, *(r for r in refits if r <= k)])  # the last refit point reached
        if self.value is not None and self._fitted_for == due:
            return
        if due == 0 or not self.seen:
            law = bidding.exponential_law(float(self.params["mean_ctr"]))
        else:
            law = bidding.empirical_law(np.asarray(self.seen))
        self.value = self._value(law)
        self._fitted_for = due

    def _value(self, law: bidding.CtrLaw) -> np.ndarray:
        pdf = bidding.market_price_pdf(np.asarray(self.params["price_counts"], dtype=float))
        return bidding.value_function(self.period_auctions, self.budget_units, pdf, law)

    def bid(self, pctr: float, *, auctions_left: int, budget_left_micros: int, multiplier: float = 1.0) -> float:
        """The CPM bid, capped by the max bid and the budget left (0: no bid)."""
        left_units = max(0, budget_left_micros) // 1000
        p = self.params
        if self.name in DP:
            assert self.value is not None, "prepare() the period first"
            t = min(max(auctions_left, 1), self.value.shape[0] - 1)
            raw = float(bidding.value_bid(self.value, pctr, t, min(left_units, self.budget_units)))
        elif self.name == "lin":
            raw = float(int(float(p.get("b0", 10.0)) * pctr / float(p["mean_ctr"])))
        elif self.name == "mcpc":
            raw = float(int(pctr * float(p["cpc"])))
        else:
            raw = self.max_bid
        if self.name not in DP and multiplier != 1.0:
            raw *= multiplier  # the pacing controller steers the budget-blind strategies only
        cap = min(self.max_bid, float(bidding.MAX_BID) if self.name != "fixed" else self.max_bid)
        out = min(raw, cap, budget_left_micros / 1000)
        if self.name != "fixed":
            out = math.floor(out)  # whole price units, as the replay bids
        return max(0.0, out)


def strategy_params_check(name: str, params: dict[str, Any], budget_micros: int, max_bid: float) -> None:
    """Raise DspError when a campaign's strategy could not bid (for the writes that set it)."""
    try:
        Strategy.make(name, params, budget_micros=budget_micros, max_bid=max_bid)
    except EngineError as exc:
        raise DspError(str(exc)) from exc


__all__ = ["STRATEGIES", "Strategy", "strategy_params_check"]
