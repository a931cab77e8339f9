"""The delivery model: the market table against the iPinYou log, win rate and price paid, spend
that grows with the bid until the budget stops it, a paused campaign, and the ratios."""

from __future__ import annotations

import json

import numpy as np
import pytest

from engine import EngineError
from engine.delivery import (
    MARKET_PRICE_CDF,
    MARKET_PRICE_MEDIAN,
    DeliveryParams,
    bid_for_spend,
    draw_day,
    expected_day,
    market_table,
    price_paid,
    ratios,
    win_rate,
)
from tests.conftest import shared_data

P = DeliveryParams(auctions_per_day=100_000, ctr=0.02, conversion_rate=0.01, avg_order_value=50.0, market_cpc=0.5)


def test_market_table_matches_the_ipinyou_histogram() -> None:
    """The constants in engine/delivery.py are recomputed from 2997.info.json when it is here."""
    info = json.loads((shared_data() / "ipinyou" / "2997.info.json").read_text())
    counts = np.array(info["price_counter_train"])
    assert market_table(counts) == list(MARKET_PRICE_CDF)
    cdf = np.cumsum(counts) / counts.sum()
    assert int(np.searchsorted(cdf, 0.5)) == MARKET_PRICE_MEDIAN


def test_market_table_of_a_tiny_histogram() -> None:
    # prices 2 and 4, half each: the floor is 1, half the auctions cost at most 2, all at most 4
    assert market_table(np.array([0, 0, 5, 0, 5]), shares=(0.5, 1.0)) == [(1, 0.0), (2, 0.5), (4, 1.0)]
    with pytest.raises(EngineError):
        market_table(np.array([0, 0]))


def test_win_rate_and_price_paid() -> None:
    assert win_rate(1.0) == pytest.approx(0.5028)  # the median competing price wins about half
    assert win_rate(0.0) == 0.0 and win_rate(100.0) == 1.0
    bids = np.linspace(0.1, 8, 50)
    assert np.all(np.diff(win_rate(bids)) >= 0)
    paid = price_paid(bids)
    assert np.all(np.diff(paid) >= 0) and np.all(paid <= bids)  # second price: never above the bid
    assert float(price_paid(100.0)) * MARKET_PRICE_MEDIAN == pytest.approx(62.8, abs=0.05)  # the log's mean price


def test_spend_grows_with_the_bid_until_the_budget_stops_it() -> None:
    bids = [0.2, 0.4, 0.6, 0.8, 1.0, 1.5, 2.0, 3.0]
    uncapped = [expected_day(P, bid=b, budget=float("inf")).spend.sum() for b in bids]
    assert all(np.diff(uncapped) > 0)
    capped = [expected_day(P, bid=b, budget=400.0).spend.sum() for b in bids]
    assert capped == pytest.approx([min(u, 400.0) for u in uncapped])
    binding = next(i for i, u in enumerate(uncapped) if u > 400)
    assert capped[binding:] == pytest.approx([400.0] * (len(bids) - binding))
    day = expected_day(P, bid=3.0, budget=400.0)
    last = int(np.flatnonzero(day.spend)[-1])
    assert last < 23 and day.spend[last + 1 :].sum() == 0  # nothing after the hour the budget ran out
    # a higher bid wins more impressions at a higher price per click
    lo, hi = expected_day(P, bid=0.4, budget=1e9).totals(), expected_day(P, bid=0.8, budget=1e9).totals()
    assert hi["impressions"] > lo["impressions"] and hi["spend"] / hi["clicks"] > lo["spend"] / lo["clicks"]


def test_a_paused_campaign_delivers_nothing() -> None:
    for day in (
        expected_day(P, bid=1.0, budget=500.0, active=False),
        draw_day(P, np.random.default_rng(0), bid=1.0, budget=500.0, active=False),
    ):
        assert day.totals() == dict.fromkeys(("impressions", "clicks", "conversions", "spend", "revenue"), 0.0)


def test_drawn_days_follow_the_model_and_the_budget() -> None:
    rng = np.random.default_rng(7)
    days = [draw_day(P, rng, bid=0.6, budget=1e9).totals() for _ in range(200)]
    mean = {k: np.mean([d[k] for d in days]) for k in days[0]}
    exp = expected_day(P, bid=0.6, budget=1e9).totals()
    for k in ("impressions", "clicks", "spend", "conversions", "revenue"):
        assert mean[k] == pytest.approx(exp[k], rel=0.05), k
    capped = draw_day(P, rng, bid=3.0, budget=100.0)
    assert capped.spend.sum() <= 100.0 + 1e-9
    same = [draw_day(P, np.random.default_rng(1), bid=0.6, budget=300.0, order_values=np.array([10.0, 90.0]))]
    again = draw_day(P, np.random.default_rng(1), bid=0.6, budget=300.0, order_values=np.array([10.0, 90.0]))
    assert same[0].totals() == again.totals()  # a seed gives the same day


def test_bid_for_spend_inverts_the_spend_curve() -> None:
    target = expected_day(P, bid=0.7, budget=1e9, hours=range(10, 24)).spend.sum()
    assert bid_for_spend(P, target, hours=range(10, 24)) == pytest.approx(0.7, abs=1e-3)
    assert bid_for_spend(P, 0.0) == 0.0
    assert bid_for_spend(P, 1e12, max_bid=5.0) == 5.0


def test_ratios_arithmetic() -> None:
    r = ratios(impressions=10_000, clicks=200, conversions=4, spend=100.0, revenue=600.0)
    assert r == pytest.approx({"ctr": 0.02, "conversion_rate": 0.02, "cpc": 0.5, "cpa": 25.0, "roas": 6.0})
    none = ratios(impressions=0, clicks=0, conversions=0, spend=0.0, revenue=0.0)
    assert all(v is None for v in none.values())


def test_bad_parameters_are_named() -> None:
    with pytest.raises(EngineError, match="CTR"):
        DeliveryParams(1000, ctr=1.5, conversion_rate=0.01, avg_order_value=10, market_cpc=0.5)
    with pytest.raises(EngineError, match="bid"):
        expected_day(P, bid=0.0, budget=10.0)
