"""The shifted-beta-geometric model and the lapse rule, on tiny handwritten fixtures."""

import numpy as np
import pytest

from engine import EngineError
from engine.retention import (
    check_survivors,
    churn_probabilities,
    expected_survivors,
    fit_sbg,
    lapse_periods,
    retention_rates,
    sbg_loglik,
    survival,
    survivors_from_lapses,
)

T = np.arange(1, 9)


def test_alpha_beta_one_is_the_harmonic_case():
    # Beta(1, 1) is uniform: S(t) = 1/(t+1) and P(T=t) = 1/(t(t+1))
    assert survival(1.0, 1.0, np.arange(5)) == pytest.approx([1, 1 / 2, 1 / 3, 1 / 4, 1 / 5])
    assert churn_probabilities(1.0, 1.0, T[:3]) == pytest.approx([1 / 2, 1 / 6, 1 / 12])
    assert retention_rates(1.0, 1.0, T[:3]) == pytest.approx([1 / 2, 2 / 3, 3 / 4])


@pytest.mark.parametrize(("a", "b"), [(0.704, 1.182), (0.668, 3.806), (5.0, 0.3)])
def test_identities(a, b):
    s = survival(a, b, np.arange(9))
    assert s[0] == 1.0
    assert churn_probabilities(a, b, 1) == pytest.approx(a / (a + b))
    assert churn_probabilities(a, b, T).sum() + s[-1] == pytest.approx(1.0)  # churned by 8, or still there
    assert -np.diff(s) == pytest.approx(churn_probabilities(a, b, T))
    assert retention_rates(a, b, T) == pytest.approx(s[1:] / s[:-1])
    assert (np.diff(retention_rates(a, b, T)) > 0).all()  # the likelier churners leave first
    assert expected_survivors(a, b, 1000, T) == pytest.approx(1000 * s[1:])


def test_loglik_by_hand():
    # 4 customers: 2 leave in period 1 (1/2 each), 1 in period 2 (1/6), 1 still there after 2 (1/3)
    assert sbg_loglik(1.0, 1.0, np.array([4, 2, 1])) == pytest.approx(2 * np.log(1 / 2) + np.log(1 / 6) + np.log(1 / 3))
    assert sbg_loglik(1.0, 1.0, np.array([3, 3])) == pytest.approx(3 * np.log(1 / 2))  # nobody left: all censored


def test_fit_recovers_the_parameters_of_expected_counts():
    alive = 1e6 * survival(0.7, 1.2, np.arange(8))
    fit = fit_sbg(alive)
    assert (fit.alpha, fit.beta) == pytest.approx((0.7, 1.2), rel=1e-3)
    assert fit.periods == 7 and not fit.on_bound
    assert fit.loglik == pytest.approx(sbg_loglik(fit.alpha, fit.beta, alive))


def test_fit_says_when_the_data_cannot_place_the_curve():
    # half leave at once, then nobody: the likelihood keeps rising towards a two-point mixture
    assert fit_sbg(np.array([10, 5, 5, 5])).on_bound
    with pytest.raises(EngineError, match="nobody churned"):
        fit_sbg(np.array([10, 10, 10]))


@pytest.mark.parametrize(
    ("alive", "message"),
    [
        ([10], "1-d array"),
        ([0, 0], "must be positive"),
        ([10, 11], "must not increase: period 1 has 11"),
        ([10, -1], "not negative"),
        ([10, np.nan], "finite"),
    ],
)
def test_survivor_checks(alive, message):
    with pytest.raises(EngineError, match=message):
        check_survivors(np.array(alive, dtype=float))


def test_parameter_and_period_checks():
    with pytest.raises(EngineError, match="positive"):
        survival(0.0, 1.0, 1)
    with pytest.raises(EngineError, match=">= 1"):
        churn_probabilities(1.0, 1.0, 0)
    with pytest.raises(EngineError, match="whole numbers"):
        survival(1.0, 1.0, np.array([1.5]))
    with pytest.raises(EngineError, match="size must be positive"):
        expected_survivors(1.0, 1.0, 0, 1)


def test_lapse_rule_by_hand():
    active = np.array(
        [
            [1, 0, 0, 1, 0, 0],  # silent in 1 and 2: lapses in 1 (coming back in 3 does not undo it)
            [1, 1, 0, 1, 0, 0],  # first two silent periods in a row start at 4
            [0, 1, 0, 1, 0, 1],  # never two in a row
            [0, 0, 0, 1, 1, 0],  # starts at 3; period 5 alone is silent, and what follows is not seen
        ],
        dtype=bool,
    )
    start = np.array([0, 0, 1, 3])
    assert lapse_periods(active, start, 2).tolist() == [1, 4, -1, -1]
    assert lapse_periods(active, start, 1).tolist() == [1, 2, 1, 2]
    assert lapse_periods(active, start, 7).tolist() == [-1, -1, -1, -1]  # no run of 7 fits in the data


def test_survivors_from_lapses():
    assert survivors_from_lapses(np.array([1, 4, -1, 2]), 3).tolist() == [4, 3, 2, 2]
    assert survivors_from_lapses(np.array([-1, -1]), 2).tolist() == [2, 2, 2]
    with pytest.raises(EngineError, match="periods >= 1"):
        survivors_from_lapses(np.array([0]), 2)
    with pytest.raises(EngineError, match="at least one period"):
        survivors_from_lapses(np.array([1]), 0)


def test_lapse_checks():
    with pytest.raises(EngineError, match="customers x periods"):
        lapse_periods(np.zeros(3, dtype=bool), np.array([0]), 2)
    with pytest.raises(EngineError, match="at least one period"):
        lapse_periods(np.zeros((1, 3), dtype=bool), np.array([0]), 0)
    with pytest.raises(EngineError, match="a period of"):
        lapse_periods(np.zeros((1, 3), dtype=bool), np.array([3]), 2)
