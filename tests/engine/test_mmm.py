"""The marketing-mix model (engine/mmm.py) and budgets over its Hill curves (engine/allocation.py), on
tiny handwritten fixtures and synthetic histories made from known parameters (additive and
multiplicative)."""

from __future__ import annotations

import numpy as np
import pytest

from engine import EngineError, allocation, mmm


def test_adstock_of_an_impulse_spreads_it_and_keeps_its_total():
    a = mmm.adstock(np.array([1.0, 0.0, 0.0, 0.0]), 0.5)
    assert a == pytest.approx([0.5, 0.25, 0.125, 0.0625])
    assert mmm.adstock(np.eye(60)[0], 0.8).sum() == pytest.approx(1.0 - 0.8**60)
    assert mmm.adstock(np.array([3.0, 1.0, 2.0]), 0.0) == pytest.approx([3.0, 1.0, 2.0])  # no carry-over
    both = mmm.adstock(np.array([[1.0, 2.0], [0.0, 0.0], [0.0, 4.0]]), np.array([0.5, 0.0]))
    assert both == pytest.approx(np.array([[0.5, 2.0], [0.25, 0.0], [0.125, 4.0]]))
    assert mmm.adstock(np.full(200, 7.0), 0.9)[-1] == pytest.approx(7.0)  # a steady spend's adstock is the spend
    with pytest.raises(EngineError, match="decay"):
        mmm.adstock(np.ones(3), 1.0)


def test_hill_is_half_at_the_half_saturation_point():
    assert mmm.hill(np.array(3.0), 3.0, 2.5) == pytest.approx(0.5)
    assert mmm.hill(np.array([0.0, 1e9]), 2.0, 1.0) == pytest.approx([0.0, 1.0])
    assert mmm.hill(np.array(2.0), 1.0, 1.0) == pytest.approx(2.0 / 3.0)
    x, k, s, h = np.array([0.5, 1.0, 4.0]), 1.5, 1.7, 1e-6
    numeric = (mmm.hill(x + h, k, s) - mmm.hill(x - h, k, s)) / (2 * h)
    assert mmm.hill_slope(x, k, s) == pytest.approx(numeric, rel=1e-6)
    assert mmm.hill_slope(np.array(0.0), 2.0, 1.0) == pytest.approx(0.5)


def test_mape_and_the_seasonal_naive_forecast():
    assert mmm.mape(np.array([100.0, 200.0]), np.array([110.0, 150.0])) == pytest.approx(17.5)
    assert mmm.mape(np.array([5.0, 6.0]), np.array([5.0, 6.0])) == 0.0
    naive = mmm.seasonal_naive(np.array([1.0, 2.0, 3.0, 4.0, 5.0]), season=2)
    assert np.isnan(naive[:2]).all() and naive[2:] == pytest.approx([1.0, 2.0, 3.0])
    with pytest.raises(EngineError, match="not zero"):
        mmm.mape(np.array([0.0]), np.array([1.0]))


def _synthetic(n: int = 260, noise: float = 0.0, seed: int = 7):  # type: ignore[no-untyped-def]
    rng = np.random.default_rng(seed)
    spend = np.column_stack(
        [rng.uniform(0, 400, n) * (rng.random(n) < 0.5), rng.uniform(0, 200, n) * (rng.random(n) < 0.6)]
    )
    z = rng.normal(size=(n, 1))
    decay, half, shape, beta = (
        np.array([0.5, 0.2]),
        np.array([100.0, 60.0]),
        np.array([1.0, 2.0]),
        np.array([50.0, 30.0]),
    )
    y = 500 + 0.1 * np.arange(n) + 10 * z[:, 0] + (beta * mmm.hill(mmm.adstock(spend, decay), half, shape)).sum(axis=1)
    return y * (1 + noise * rng.normal(size=n)), spend, z


def test_the_additive_fit_recovers_known_parameters():
    y, spend, z = _synthetic()
    m = mmm.fit_mmm(y, spend, z, channels=["search", "social"], control_names=["promo"], spec=mmm.ADDITIVE)
    assert m.channels == ("search", "social") and m.controls == ("promo",)
    assert m.decay == pytest.approx([0.5, 0.2], abs=0.02)
    assert m.half == pytest.approx([100.0, 60.0], rel=0.05)
    assert m.shape == pytest.approx([1.0, 2.0], rel=0.05)
    assert m.beta == pytest.approx([50.0, 30.0], rel=0.05)
    assert m.gamma == pytest.approx([10.0], rel=0.01)
    assert (m.intercept, m.trend) == (pytest.approx(500.0, rel=0.01), pytest.approx(0.1, rel=0.05))
    assert mmm.mape(y, m.predict(spend, z)) < 0.5
    again = mmm.fit_mmm(y, spend, z, channels=["search", "social"], control_names=["promo"], spec=mmm.ADDITIVE)
    assert np.array_equal(again.half, m.half)  # deterministic


def test_marginal_return_is_the_derivative_of_the_contribution():
    y, spend, z = _synthetic()
    m = mmm.fit_mmm(y, spend, z, spec=mmm.ADDITIVE)
    eps = 1e-6
    grow = (m.media(spend * (1 + eps)).sum(axis=0) - m.media(spend * (1 - eps)).sum(axis=0)) / (2 * eps)
    assert m.marginal(spend) == pytest.approx(grow / spend.sum(axis=0), rel=1e-4)
    assert m.response(m.half) == pytest.approx(m.beta / 2)


def test_the_report_holds_out_the_last_weeks_and_says_whether_it_beats_the_seasonal_naive():
    y, spend, z = _synthetic(noise=0.01)
    r = mmm.media_mix(y, spend, z, holdout=26, spec=mmm.ADDITIVE)
    assert (r.fitted_weeks, r.holdout_weeks) == (234, 26)
    assert r.holdout_mape is not None and r.naive_mape is not None
    assert r.beats_naive is (r.holdout_mape < r.naive_mape) and r.beats_naive  # a real signal: it beats it
    assert r.roas == pytest.approx(r.contribution / spend[:234].sum(axis=0))
    assert r.media_share == pytest.approx(r.contribution.sum() / y[:234].sum())
    assert (r.roas_se > 0).all() and r.predicted.shape == y.shape
    assert r.contribution == pytest.approx(r.model.media(spend[:234]).sum(axis=0))  # additive: exact curves
    none = mmm.media_mix(y, spend, z, holdout=0)
    assert none.holdout_mape is None and none.beats_naive is None
    short = mmm.media_mix(y[:70], spend[:70], z[:70], holdout=26)  # 44 weeks before the hold-out: no naive forecast
    assert short.naive_mape is None and short.holdout_mape is not None
    with pytest.raises(EngineError, match="hold-out"):
        mmm.media_mix(y, spend, z, holdout=260)


def test_the_fit_says_what_to_fix():
    y, spend, z = _synthetic(n=40)
    with pytest.raises(EngineError, match="no spend at all on idle"):
        mmm.fit_mmm(y, np.column_stack([spend, np.zeros(40)]), z, channels=["a", "b", "idle"])
    with pytest.raises(EngineError, match="too few"):
        mmm.fit_mmm(y[:10], spend[:10], z[:10])
    with pytest.raises(EngineError, match="not negative"):
        mmm.fit_mmm(y, -spend, z)


def _multiplicative(n: int = 260, noise: float = 0.0, seed: int = 11):  # type: ignore[no-untyped-def]
    """ln sales = 10 + 0.001 t + 0.2 sin(2 pi t / year) + 0.1 promo + sum_c b_c hill(adstock_c)."""
    rng = np.random.default_rng(seed)
    spend = np.column_stack(
        [rng.uniform(0, 400, n) * (rng.random(n) < 0.5), rng.uniform(0, 200, n) * (rng.random(n) < 0.6)]
    )
    z = (rng.random((n, 1)) < 0.2).astype(float)
    t = np.arange(n)
    h = mmm.hill(mmm.adstock(spend, np.array([0.5, 0.2])), np.array([100.0, 60.0]), np.array([1.0, 2.0]))
    eta = 10 + 0.001 * t + 0.2 * np.sin(2 * np.pi * t / mmm.YEAR_WEEKS) + 0.1 * z[:, 0] + h @ np.array([0.3, 0.15])
    return np.exp(eta + noise * rng.normal(size=n)), spend, z


def test_fourier_terms_are_sines_then_cosines_of_the_year():
    f = mmm.fourier(3, 2, period=4.0)
    assert f.shape == (3, 4)
    assert f[:, 0] == pytest.approx([0.0, 1.0, 0.0], abs=1e-12)  # sin(2 pi t / 4)
    assert f[:, 2] == pytest.approx([1.0, 0.0, -1.0], abs=1e-12)  # cos(2 pi t / 4)
    assert f[:, 3] == pytest.approx([1.0, -1.0, 1.0], abs=1e-12)  # cos(4 pi t / 4)
    assert mmm.fourier(5, 0).shape == (5, 0)


def test_the_multiplicative_fit_recovers_known_parameters_on_clean_sales():
    y, spend, z = _multiplicative()
    m = mmm.fit_mmm(y, spend, z, channels=["search", "social"], control_names=["promo"])
    assert m.spec == mmm.DEFAULT_SPEC and m.spec.log
    assert m.decay == pytest.approx([0.5, 0.2], abs=0.02)
    assert m.half == pytest.approx([100.0, 60.0], rel=0.05)
    assert m.shape == pytest.approx([1.0, 2.0], rel=0.05)
    assert m.effect == pytest.approx([0.3, 0.15], rel=0.05)
    assert m.gamma == pytest.approx([0.1], rel=0.05)  # clean sales: the noise-scaled priors barely shrink
    assert (m.intercept, m.trend) == (pytest.approx(10.0, abs=0.02), pytest.approx(0.001, rel=0.05))
    assert mmm.mape(y, m.predict(spend, z)) < 0.5
    again = mmm.fit_mmm(y, spend, z, channels=["search", "social"], control_names=["promo"])
    assert np.array_equal(again.effect, m.effect)  # deterministic


def test_multiplicative_contributions_are_what_taking_a_channel_out_removes():
    y, spend, z = _multiplicative(noise=0.02)
    m = mmm.fit_mmm(y, spend, z)
    full = m.predict(spend, z)
    for c in range(2):
        without = spend.copy()
        without[:, c] = 0.0
        assert m.contributions(spend, z)[:, c] == pytest.approx(full - m.predict(without, z), abs=1e-9 * full.max())
    assert m.media_total(spend, z) == pytest.approx(full - m.predict(np.zeros_like(spend), z), abs=1e-9 * full.max())
    eps = 1e-6
    for c in range(2):  # the channel's own spend grows in proportion, the other's stays
        up, down = spend.copy(), spend.copy()
        up[:, c] *= 1 + eps
        down[:, c] *= 1 - eps
        grow = (m.contributions(up, z)[:, c] - m.contributions(down, z)[:, c]).sum() / (2 * eps)
        assert m.marginal(spend, z)[c] == pytest.approx(grow / spend[:, c].sum(), rel=1e-5)
    with pytest.raises(EngineError, match="controls"):
        m.marginal(spend)


def test_the_multiplicative_response_curve_is_taken_at_the_mean_of_the_other_terms():
    y, spend, z = _multiplicative(noise=0.02)
    m = mmm.fit_mmm(y, spend, z)
    eta = np.log(m.predict(spend, z))
    h = m.saturation(spend)
    rest = np.exp((eta[:, None] - h * m.effect).mean(axis=0))  # exp(mean of the other terms), per channel
    assert m.scale == pytest.approx(rest, rel=1e-9)
    assert m.beta == pytest.approx(rest * m.effect)
    assert m.response(m.half) == pytest.approx(m.beta / 2)  # a Hill curve a budget split can use
    steady = np.full((400, 2), 150.0)  # a steady spend: its exact effect at the mean of the rest is close
    exact = rest * np.expm1(m.effect * m.saturation(steady)[-1])
    assert m.response(np.array([150.0, 150.0])) == pytest.approx(exact, rel=0.2)


def test_the_multiplicative_report_beats_the_seasonal_naive_forecast():
    y, spend, z = _multiplicative(noise=0.02)
    r = mmm.media_mix(y, spend, z, holdout=26)
    assert r.model.spec.log and r.beats_naive
    assert r.roas == pytest.approx(r.contribution / spend[:234].sum(axis=0))
    assert r.contribution == pytest.approx(r.model.contributions(spend[:234], z[:234]).sum(axis=0))
    assert 0 < r.media_share < r.contribution.sum() / y[:234].sum() + 0.05
    assert (r.roas_se > 0).all() and np.isfinite(r.marginal_roas).all()


def test_noisy_sales_shrink_the_controls_towards_nothing():
    y, spend, z = _multiplicative(noise=0.3)
    tight = mmm.fit_mmm(y, spend, z, spec=mmm.Spec(control_prior=1e-4))
    free = mmm.fit_mmm(y, spend, z, spec=mmm.Spec(control_prior=np.inf))
    assert abs(tight.gamma[0]) < 0.01 < abs(free.gamma[0])


def test_rolling_origin_cross_validation_reads_nothing_after_its_last_forecast():
    y, spend, z = _multiplicative(noise=0.05)
    y_cut = y.copy()
    y_cut[200:] = np.nan  # never read: the last forecast ends at week 200
    e = mmm.rolling_origin_mape(y_cut, spend, z, origins=(174, 187), horizon=13)
    m = mmm.fit_mmm(y[:174], spend[:174], z[:174])
    assert e[0] == pytest.approx(mmm.mape(y[174:187], m.predict(spend[:187], z[:187])[174:]))
    assert e.shape == (2,) and (e > 0).all()
    with pytest.raises(EngineError, match="origins"):
        mmm.rolling_origin_mape(y, spend, z, origins=(250,), horizon=13)


def test_hill_budgets_equalise_marginal_returns():
    a, b, s = np.array([300.0, 100.0, 50.0]), np.array([10.0, 10.0, 5.0]), np.array([0.7, 1.0, 0.9])
    x = allocation.allocate_budget(30.0, a, b, shape=s)
    assert x.sum() == pytest.approx(30.0)
    marginal = allocation.marginal_return(x, a, b, s)
    assert marginal == pytest.approx(np.full(3, marginal[0]), rel=1e-6)
    grid = np.linspace(0, 30, 301)  # concave curves: the brute-force best on a grid is no better
    i, j = np.meshgrid(grid, grid, indexing="ij")
    ok = i + j <= 30
    tries = np.stack([i[ok], j[ok], 30 - i[ok] - j[ok]], axis=1)
    best = allocation.channel_response(tries, a, b, s).sum(axis=1).max()
    assert allocation.channel_response(x, a, b, s).sum() >= best - 1e-9
    twin = allocation.allocate_budget(20.0, np.array([100.0, 100.0]), np.array([10.0, 10.0]), shape=np.ones(2))
    assert twin == pytest.approx([10.0, 10.0])


def test_an_s_shaped_channel_gets_nothing_until_it_pays_past_its_threshold():
    a, b, s = np.array([100.0, 100.0]), np.array([10.0, 10.0]), np.array([1.0, 3.0])
    small = allocation.allocate_budget(1.0, a, b, shape=s)
    assert small == pytest.approx([1.0, 0.0])  # the S-curve returns little at first
    large = allocation.allocate_budget(60.0, a, b, shape=s)
    entry = 10.0 * 2.0 ** (1 / 3)  # where its average return peaks: (S - 1)^(1/S) half-saturations
    assert large.sum() == pytest.approx(60.0) and large[1] >= entry
    m = allocation.marginal_return(large, a, b, s)
    assert m[0] == pytest.approx(m[1], rel=1e-6)


def test_hill_budgets_keep_floors_and_refuse_bad_curves():
    a, b, s = np.array([100.0, 100.0]), np.array([10.0, 10.0]), np.array([1.0, 1.0])
    x = allocation.allocate_budget(20.0, a, b, shape=s, minimum=np.array([15.0, 0.0]))
    assert x == pytest.approx([15.0, 5.0])
    with pytest.raises(EngineError, match="shape"):
        allocation.allocate_budget(20.0, a, b, shape=np.array([1.0, -1.0]))
    assert allocation.allocate_budget(0.0, a, b, shape=s) == pytest.approx([0.0, 0.0])
