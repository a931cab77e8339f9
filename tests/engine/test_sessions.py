"""engine/sessions.py on tiny handwritten fixtures: Wilson and Newcombe intervals against the values
Newcombe (1998) tabulates, AUC and lift identities, the funnel's counting, the logistic fit."""

import numpy as np
import pytest

from engine import EngineError
from engine import sessions as sx


@pytest.mark.parametrize(
    ("x", "n", "low", "high"),
    [  # Newcombe 1998, Statistics in Medicine 17: 857-872, table II (Wilson score, method 3)
        (81, 263, 0.2553, 0.3662),
        (15, 148, 0.0624, 0.1605),
        (0, 20, 0.0, 0.1611),
        (1, 29, 0.0061, 0.1718),
        (29, 29, 0.8830, 1.0),
    ],
)
def test_wilson_interval_matches_newcombe(x, n, low, high):
    lo, hi = sx.wilson_interval(x, n)
    assert (float(lo), float(hi)) == pytest.approx((low, high), abs=5e-5)


def test_wilson_interval_is_elementwise_and_nan_without_trials():
    lo, hi = sx.wilson_interval(np.array([81, 0, 0]), np.array([263, 20, 0]))
    assert lo[:2] == pytest.approx([0.2553, 0.0], abs=5e-5) and hi[:2] == pytest.approx([0.3662, 0.1611], abs=5e-5)
    assert np.isnan(lo[2]) and np.isnan(hi[2])
    lo99, hi99 = sx.wilson_interval(81, 263, confidence=0.99)
    assert lo99 < 0.2553 and hi99 > 0.3662  # wider at 99%


def test_wilson_interval_refuses_impossible_counts():
    with pytest.raises(EngineError, match="successes <= trials"):
        sx.wilson_interval(5, 3)
    with pytest.raises(EngineError, match="confidence"):
        sx.wilson_interval(1, 3, confidence=95)


@pytest.mark.parametrize(
    ("a", "b", "diff", "low", "high"),
    [  # Newcombe 1998, Statistics in Medicine 17: 873-890, table II (hybrid score, method 10)
        ((56, 70), (48, 80), 0.2, 0.0524, 0.3339),
        ((9, 10), (3, 10), 0.6, 0.1705, 0.8090),
        ((5, 56), (0, 29), 0.0893, -0.0381, 0.1926),
        ((0, 10), (0, 10), 0.0, -0.2775, 0.2775),
    ],
)
def test_newcombe_difference_matches_the_paper(a, b, diff, low, high):
    d, lo, hi = sx.newcombe_difference(*a, *b)
    assert (float(d), float(lo), float(hi)) == pytest.approx((diff, low, high), abs=5e-5)


def test_conversion_by_group_counts_rates_and_intervals():
    group = np.array(["b", "a", "b", "a", "c", "b"])
    bought = np.array([1, 0, 1, 1, 0, 0], dtype=bool)
    r = sx.conversion_by_group(group, bought)
    assert r.levels.tolist() == ["a", "b", "c"]
    assert r.sessions.tolist() == [2, 3, 1] and r.purchases.tolist() == [1, 2, 0]
    assert r.rate == pytest.approx([0.5, 2 / 3, 0.0])
    lo, hi = sx.wilson_interval(r.purchases, r.sessions)
    assert r.low == pytest.approx(lo) and r.high == pytest.approx(hi)
    assert ((r.low <= r.rate) & (r.rate <= r.high)).all()


def test_conversion_change_is_a_minus_b_per_group():
    group = np.array([1, 1, 1, 1, 2, 2, 2, 2])
    bought = np.array([1, 1, 0, 0, 1, 0, 0, 0], dtype=bool)
    in_a = np.array([1, 1, 0, 0, 1, 1, 0, 0], dtype=bool)
    c = sx.conversion_change(group, bought, in_a, ~in_a)
    assert c.sessions_a.tolist() == [2, 2] and c.purchases_a.tolist() == [2, 1]
    assert c.sessions_b.tolist() == [2, 2] and c.purchases_b.tolist() == [0, 0]
    assert c.difference == pytest.approx([1.0, 0.5])
    _, lo, hi = sx.newcombe_difference(c.purchases_a, c.sessions_a, c.purchases_b, c.sessions_b)
    assert c.low == pytest.approx(lo) and c.high == pytest.approx(hi)
    same = sx.conversion_change(
        np.zeros(4), np.array([1, 0, 1, 0], dtype=bool), *np.array([[1, 1, 0, 0], [0, 0, 1, 1]])
    )
    assert same.difference[0] == 0 and same.low[0] == pytest.approx(-same.high[0])


def test_conversion_change_refuses_overlapping_periods():
    with pytest.raises(EngineError, match="overlap"):
        sx.conversion_change(np.zeros(2), np.ones(2), np.ones(2), np.array([1, 0]))


def test_funnel_counts_a_step_only_after_every_step_before():
    steps = np.array(
        [
            [1, 1, 1, 1],
            [1, 1, 1, 0],
            [1, 1, 0, 1],  # bought without the engaged step: stops at step 2
            [1, 0, 0, 0],
        ],
        dtype=bool,
    )
    f = sx.funnel(steps)
    assert f.reached.tolist() == [[4, 3, 2, 1]]
    assert np.isnan(f.drop_off[0, 0]) and f.drop_off[0, 1:] == pytest.approx([0.25, 1 / 3, 0.5])
    g = sx.funnel(steps, np.array(["x", "y", "x", "y"]))
    assert g.levels.tolist() == ["x", "y"] and g.reached.tolist() == [[2, 2, 1, 1], [2, 1, 1, 0]]
    empty = sx.funnel(np.array([[1, 0, 0]], dtype=bool))
    assert empty.drop_off[0, 1] == 1.0 and np.isnan(empty.drop_off[0, 2])  # nothing left to lose


def test_engaged_threshold_is_the_median_of_known_times_of_viewers():
    seconds = np.array([10.0, 20.0, 30.0, -1.0, np.nan, 999.0])
    viewed = np.array([1, 1, 1, 1, 1, 0], dtype=bool)
    assert sx.median_engaged_seconds(seconds, viewed) == 20.0
    with pytest.raises(EngineError, match="engagement threshold"):
        sx.median_engaged_seconds(seconds, np.zeros(6, dtype=bool))


def test_auc_identities():
    y = np.array([0, 0, 1, 1])
    assert sx.auc(y, np.array([0.1, 0.2, 0.3, 0.4])) == 1.0
    assert sx.auc(y, np.array([0.4, 0.3, 0.2, 0.1])) == 0.0
    assert sx.auc(y, np.ones(4)) == 0.5  # ties count half
    s = np.array([0.1, 0.4, 0.35, 0.8])
    assert sx.auc(y, s) == pytest.approx(0.75)
    assert sx.auc(y, s) + sx.auc(y, -s) == pytest.approx(1.0)
    assert sx.auc(y, np.exp(3 * s)) == sx.auc(y, s)  # rank-based: a monotone map changes nothing
    assert sx.auc(np.array([0, 1, 0, 1]), np.array([0.0, 0.0, 1.0, 1.0])) == 0.5


def test_top_share_lift():
    y = np.array([1, 0, 0, 0, 0, 0, 0, 0, 0, 0])
    perfect = np.arange(10.0)[::-1]  # the buyer first
    assert sx.top_share_lift(y, perfect, 0.1) == pytest.approx(10.0)
    assert sx.top_share_lift(y, -perfect, 0.1) == 0.0
    assert sx.top_share_lift(y, np.zeros(10), 0.1) == pytest.approx(1.0)  # all tied: as good as random
    assert sx.top_share_lift(y, perfect, 1.0) == pytest.approx(1.0)
    tied = np.array([2.0, 1, 1, 1, 1, 0, 0, 0, 0, 0])  # the buyer among 4 tied for the second place
    assert sx.top_share_lift(np.roll(y, 1), tied, 0.2) == pytest.approx((1 / 4) / 2 / 0.1)
    with pytest.raises(EngineError, match="at least one purchase"):
        sx.top_share_lift(np.zeros(10), perfect, 0.1)


def test_logistic_fit_recovers_the_log_odds_of_a_binary_feature():
    x = np.array([0, 0, 0, 0, 1, 1, 1, 1], dtype=float)[:, None]
    y = np.array([0, 0, 0, 1, 0, 1, 1, 1])
    m = sx.fit_logistic(x, y, l2=1e-9)
    # log odds 1/3 vs 3: a difference of 2 ln 3 per unit, ln 3 per standard deviation (0.5)
    assert m.coef[0] == pytest.approx(np.log(3), abs=1e-6)
    assert m.score(np.array([[0.0], [1.0]])) == pytest.approx([0.25, 0.75], abs=1e-6)
    ridge = sx.fit_logistic(x, y, l2=4.0)
    assert 0 < ridge.coef[0] < m.coef[0]  # shrunk toward 0
    p = ridge.score(x)
    assert p.sum() == pytest.approx(y.sum())  # the unpenalised intercept matches the mean


def test_logistic_fit_gives_a_constant_column_nothing_and_checks_its_input():
    X = np.column_stack([np.array([0, 0, 0, 0, 1, 1, 1, 1.0]), np.ones(8)])
    y = np.array([0, 0, 0, 1, 0, 1, 1, 1])
    assert sx.fit_logistic(X, y).coef[1] == 0.0
    with pytest.raises(EngineError, match="both classes"):
        sx.fit_logistic(X, np.zeros(8))
    with pytest.raises(EngineError, match="NaN"):
        sx.fit_logistic(np.full((8, 1), np.nan), y)


def test_holdout_split_is_a_seeded_partition():
    train, test = sx.holdout_split(10, 0.7, seed=1)
    assert len(train) == 7 and len(test) == 3
    assert sorted([*train, *test]) == list(range(10))
    again, _ = sx.holdout_split(10, 0.7, seed=1)
    assert train.tolist() == again.tolist()


def _columns(n: int, rng: np.random.Generator) -> dict[str, np.ndarray]:
    cols = {c: rng.poisson(3, n).astype(float) for c in sx.LOG_COLUMNS}
    cols |= {c: rng.random(n) for c in sx.RATE_COLUMNS}
    cols |= {c: rng.integers(1, 4, n) for c in sx.CATEGORY_COLUMNS}
    return cols


def test_intent_design_transforms_and_names_its_columns():
    cols = _columns(5, np.random.default_rng(0))
    cols["product_related_duration"][:2] = [-1.0, np.nan]
    X, names = sx.intent_design(cols)
    assert X.shape == (5, len(names)) and np.isfinite(X).all()
    j = names.index("product_related_duration (log1p)")
    assert X[:2, j].tolist() == [0.0, 0.0]  # unknown times as 0
    assert names[-1] == "page figures missing" and X[:, -1].tolist() == [0, 1, 0, 0, 0]
    levels = {n for n in names if n.startswith("month=")}
    assert levels == {f"month={v}" for v in np.unique(cols["month"])}
    with pytest.raises(EngineError, match="page_values"):
        sx.intent_design({k: v for k, v in cols.items() if k != "page_values"})


def test_fit_intent_beats_noise_on_a_planted_signal():
    rng = np.random.default_rng(3)
    cols = _columns(400, rng)
    bought = rng.random(400) < 1 / (1 + np.exp(-(cols["page_values"] - 3)))
    fit = sx.fit_intent(cols, bought, rng.random(400))
    assert fit.test.size == 120 and fit.train.size == 280
    assert fit.auc > 0.7 and fit.auc > fit.baseline_auc
    assert sx.strongest_signals(fit.names, fit.model.coef, 1)[0][0] == "page_values (log1p)"
