"""Uplift: who changes their behaviour because they were targeted (not who would buy anyway).

The model: a logistic regression with treatment interactions; uplift = the difference of its
predicted probabilities with and without treatment. Evaluated with the Qini curve: targeting the top fraction by predicted
uplift, the incremental outcomes Q = Y_t - Y_c * N_t / N_c, against random targeting (a line).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from engine import EngineError


def arm_rates(arm: np.ndarray, outcomes: dict[str, np.ndarray]) -> dict[str, dict[str, float]]:
    """Mean of each outcome per arm."""
    a = np.asarray(arm).astype(str)
    return {
        name: {k: float(np.asarray(v, dtype=float)[a == name].mean()) for k, v in outcomes.items()}
        for name in sorted(set(a.tolist()))
    }


def fit_uplift(X: np.ndarray, treated: np.ndarray, y: np.ndarray) -> Any:
    """Logistic regression on standardised features, the treatment flag and their interactions
    (an S-learner); returns predict_uplift(X) = P(y | treated, X) - P(y | control, X)."""
    from sklearn.linear_model import LogisticRegression

    X = np.asarray(X, dtype=float)
    t = np.asarray(treated).astype(bool)
    y = np.asarray(y).astype(int)
    if t.all() or not t.any():
        raise EngineError("uplift needs both treated and control rows")
    mu, sd = X.mean(axis=0), X.std(axis=0) + 1e-9

    def design(Xn: np.ndarray, flag: np.ndarray) -> np.ndarray:
        Z = (Xn - mu) / sd
        return np.column_stack([Z, flag[:, None] * Z, flag])

    model = LogisticRegression(max_iter=2000).fit(design(X, t.astype(float)), y)

    def predict_uplift(Xn: np.ndarray) -> np.ndarray:
        Xn = np.asarray(Xn, dtype=float)
        ones, zeros = np.ones(len(Xn)), np.zeros(len(Xn))
        return model.predict_proba(design(Xn, ones))[:, 1] - model.predict_proba(design(Xn, zeros))[:, 1]

    return predict_uplift


def qini_curve(
    score: np.ndarray, treated: np.ndarray, y: np.ndarray, *, points: int = 100
) -> tuple[np.ndarray, np.ndarray]:
    """(fraction targeted, incremental outcomes) from the highest scores down, at `points` cuts."""
    s = np.asarray(score, dtype=float)
    t = np.asarray(treated).astype(bool)
    yy = np.asarray(y, dtype=float)
    if not (s.shape == t.shape == yy.shape):
        raise EngineError("score, treated and y must have the same length")
    order = np.argsort(-s, kind="stable")
    t, yy = t[order], yy[order]
    nt, nc = np.cumsum(t), np.cumsum(~t)
    yt, yc = np.cumsum(yy * t), np.cumsum(yy * ~t)
    cuts = np.unique(np.linspace(0, s.size, points + 1).astype(int))[1:] - 1
    with np.errstate(divide="ignore", invalid="ignore"):
        q = yt[cuts] - np.where(nc[cuts] > 0, yc[cuts] * nt[cuts] / nc[cuts], 0.0)
    frac = (cuts + 1) / s.size
    return np.concatenate([[0.0], frac]), np.concatenate([[0.0], q])


def qini_coefficient(frac: np.ndarray, q: np.ndarray) -> float:
    """Area between the Qini curve, scaled so targeting everyone is 1, and the random-targeting
    diagonal: 0 is no better than random, positive is better."""
    if q[-1] == 0:
        raise EngineError("no overall uplift to compare against")
    return float(np.trapezoid(q / q[-1] - frac, frac))


def share_captured(frac: np.ndarray, q: np.ndarray, at: float) -> float:
    """Share of the uplift of targeting everyone that targeting the top `at` fraction captures."""
    if q[-1] == 0:
        raise EngineError("no overall uplift to share")
    return float(np.interp(at, frac, q) / q[-1])
