"""Bulk-order tiers told apart from price changes: tiny synthetic products with a known answer."""

from __future__ import annotations

import numpy as np
import pytest

from engine import EngineError, price_evidence, pricing, regression


def tiered_product(seed: int = 1, weeks: int = 40) -> dict[str, np.ndarray]:
    """A wholesale product whose price never changed: every week small lines pay £5.95 and lines of
    60 or 120 units pay the £4.95 bulk tier (the demo shop's product 20, in miniature)."""
    rng = np.random.default_rng(seed)
    week, qty, price = [], [], []
    for t in range(weeks):
        small = rng.poisson(12)
        bulk = rng.poisson(1.5)
        week += [t] * (small + bulk)
        qty += list(rng.integers(1, 7, small)) + list(rng.choice([60, 120], bulk))
        price += [5.95] * small + [4.95] * bulk
    n = len(week)
    return {
        "week": np.array(week),
        "quantity": np.array(qty, dtype=float),
        "price": np.array(price),
        "customer": rng.integers(1, 300, n),
    }


def changing_product(elasticity: float = -2.5, seed: int = 7, weeks: int = 60) -> dict[str, np.ndarray]:
    """A product whose list price moved over time (£2.00, then £2.40, then £1.80, 20 weeks each) with
    weekly demand ~ price ** elasticity x the season; big lines pay a £1.50 bulk tier that never changed."""
    rng = np.random.default_rng(seed)
    list_price = np.repeat([2.00, 2.40, 1.80], weeks // 3)
    season = 1 + 0.4 * np.sin(2 * np.pi * np.arange(weeks) / 52)
    week, qty, price = [], [], []
    for t in range(weeks):
        for sizes, base in (((1, 2), 60.0), ((3, 4, 5), 90.0)):
            expected_units = base * (list_price[t] / 2.0) ** elasticity * season[t]
            n = rng.poisson(expected_units / np.mean(sizes))
            week += [t] * n
            qty += list(rng.choice(sizes, n))
            price += [list_price[t]] * n
        bulk = rng.poisson(2)
        week += [t] * bulk
        qty += [96] * bulk
        price += [1.50] * bulk
    n = len(week)
    return {
        "week": np.array(week),
        "quantity": np.array(qty, dtype=float),
        "price": np.array(price),
        "customer": rng.integers(1, 300, n),
        "traffic": (np.arange(weeks), 1000 * season),
    }


def test_pure_tier_pricing_is_refused_with_its_tiers():
    d = tiered_product()
    ev = price_evidence.price_evidence(d["week"], d["quantity"], d["price"], customer=d["customer"])
    assert ev.elasticity is None and ev.reason == price_evidence.TIER_PRICING_ONLY
    assert ev.tier_test.tiered and ev.tier_test.bigger_cheaper == pytest.approx(1.0)
    assert [t.price for t in ev.tiers] == [5.95, 4.95]
    small, bulk = ev.tiers
    assert small.typical_quantity <= 6 and bulk.typical_quantity >= 60
    assert small.share_of_units + bulk.share_of_units == pytest.approx(1.0, abs=1e-3)
    assert ev.changes == ()


def test_the_old_estimator_reads_tiers_as_a_steep_demand_curve():
    """Why the like-size estimator exists: across tier prices, units per (day, price) fall steeply with
    price, and the old log-log fit called that credible."""
    d = tiered_product()
    keys, inv = np.unique(np.column_stack([d["week"], d["price"] * 100]).astype(int), axis=0, return_inverse=True)
    old = pricing.log_log_elasticity(keys[:, 1] / 100, np.bincount(inv.ravel(), weights=d["quantity"]))
    assert old.elasticity < -5 and pricing.credibility_problem(old, min_prices=2) is None


def test_real_price_changes_at_like_order_sizes_recover_the_elasticity():
    d = changing_product(elasticity=-2.5)
    ev = price_evidence.price_evidence(
        d["week"], d["quantity"], d["price"], customer=d["customer"], traffic=d["traffic"]
    )
    assert ev.reason is None and ev.elasticity is not None
    est = ev.elasticity
    assert est.elasticity == pytest.approx(-2.5, abs=0.35)
    assert est.ci_low < -2.5 < est.ci_high
    assert {c.band for c in ev.changes} == {"1-2", "3-5"}  # the bulk band never changed price
    assert all(c.prices == (2.0, 2.4, 1.8) for c in ev.changes)
    assert (ev.price_low, ev.price_high) == (1.8, 2.4)
    assert ev.tier_test.tiered and ev.tiers[-1].price == 1.5  # the tier is reported, not learned from
    assert pricing.credibility_reason(est) is None
    best = pricing.optimal_price(est.elasticity, 1.2)
    assert pricing.within_prices_seen(best, ev.price_low, ev.price_high)


@pytest.mark.parametrize("truth", [-1.5, -3.0])
def test_elasticity_recovered_at_other_values(truth):
    d = changing_product(elasticity=truth, seed=11)
    ev = price_evidence.price_evidence(
        d["week"], d["quantity"], d["price"], customer=d["customer"], traffic=d["traffic"]
    )
    assert ev.elasticity is not None and ev.elasticity.elasticity == pytest.approx(truth, abs=0.35)


def test_one_price_throughout_never_changed():
    week = np.repeat(np.arange(30), 5)
    ev = price_evidence.price_evidence(week, np.full(week.size, 2.0), np.full(week.size, 1.25))
    assert ev.reason == price_evidence.PRICE_NEVER_CHANGED and ev.tiers == () and not ev.tier_test.tiered


def test_a_tier_inside_one_band_is_not_a_price_change():
    """Lines of 36 pay £2.10 and lines of 24 pay £2.55, in alternate weeks: the same band (24-47),
    different prices, but each price goes with its own line size."""
    week = np.arange(40)
    qty = np.where(week % 4 < 2, 36.0, 24.0)
    price = np.where(qty == 36, 2.10, 2.55)
    ev = price_evidence.price_evidence(week, qty, price, customer=week % 7)
    assert ev.reason == price_evidence.TIER_PRICING_ONLY and ev.changes == ()


def test_one_customers_deal_is_not_a_price_change():
    d = changing_product()
    keep = d["price"] != 2.40  # the £2.40 weeks become £2.00 weeks, except one customer paying £2.40
    price = np.where(keep, d["price"], 2.00)
    one = np.flatnonzero(~keep)[:30]
    price[one] = 2.40
    customer = d["customer"].copy()
    customer[one] = 999
    ev = price_evidence.price_evidence(d["week"], d["quantity"], price, customer=customer, traffic=d["traffic"])
    assert all(2.4 not in c.prices for c in ev.changes)


def test_too_few_weeks_after_a_change():
    week = np.repeat(np.arange(8), 6)
    price = np.where(week < 4, 2.0, 2.2)
    ev = price_evidence.price_evidence(week, np.full(week.size, 2.0), price, customer=np.arange(week.size))
    assert ev.reason == price_evidence.TOO_FEW_WEEKS and ev.elasticity is None
    assert ev.changes[0].prices == (2.0, 2.2)


def test_bands_and_helpers():
    bands = price_evidence.order_size_band(np.array([1, 2, 3, 11, 12, 95, 96, 5000]))
    assert bands.tolist() == [0, 0, 1, 2, 3, 5, 6, 6]
    assert [price_evidence.band_label(i) for i in (0, 1, 6)] == ["1-2", "3-5", "96+"]
    held = price_evidence.held_prices(np.arange(8), np.array([2.0, 2.0, 2.0, 2.5, 2.0, 2.2, 2.2, 2.2]))
    assert held.tolist() == [True, True, True, False, True, True, True, True]
    assert price_evidence.like_size_share(np.array([6, 6, 12, 12]), np.array([1.0, 1.1, 1.0, 1.1])) == 1.0
    assert price_evidence.like_size_share(np.array([24, 36]), np.array([2.55, 2.10])) == 0.0
    with pytest.raises(EngineError):
        price_evidence.price_evidence(np.array([1, 2]), np.array([1.0, -1.0]), np.array([1.0, 1.0]))
    with pytest.raises(EngineError, match="traffic"):
        d = changing_product()
        price_evidence.price_evidence(d["week"], d["quantity"], d["price"], traffic=(np.arange(5), np.ones(5)))


def test_recommendation_reasons():
    e = pricing.Elasticity
    assert pricing.credibility_reason(e(0.4, 0.2, 0.0, 0.8, 0, 0.1, 50, 2))[0] == pricing.ELASTICITY_NOT_NEGATIVE  # type: ignore[index]
    assert pricing.credibility_reason(e(-0.8, 0.5, -1.8, 0.2, 0, 0.1, 50, 2))[0] == pricing.NOT_SIGNIFICANT  # type: ignore[index]
    assert pricing.credibility_reason(e(-1.2, 0.3, -1.8, -0.6, 0, 0.1, 50, 2))[0] == pricing.INELASTIC  # type: ignore[index]
    assert pricing.credibility_reason(e(-2.5, 0.3, -3.1, -1.9, 0, 0.1, 50, 2)) is None
    assert pricing.within_prices_seen(2.0, 1.8, 2.4) and pricing.within_prices_seen(1.63, 1.8, 2.4)
    assert not pricing.within_prices_seen(1.5, 1.8, 2.4) and not pricing.within_prices_seen(2.7, 1.8, 2.4)


def test_cluster_robust_se_with_one_row_per_group_is_hc1():
    rng = np.random.default_rng(3)
    X = np.column_stack([np.ones(30), rng.normal(size=30)])
    y = X @ [1.0, 2.0] + rng.normal(size=30) * (1 + np.abs(X[:, 1]))
    fit = regression.ols(X, y, ["a", "b"])
    u = y - X @ fit.coef
    bread = np.linalg.inv(X.T @ X)
    hc1 = np.sqrt(np.diag(bread @ (X.T * u**2) @ X @ bread) * 30 / 28)
    assert regression.cluster_robust_se(X, u, np.arange(30)) == pytest.approx(hc1)
    with pytest.raises(EngineError):
        regression.cluster_robust_se(X, u, np.zeros(30))
