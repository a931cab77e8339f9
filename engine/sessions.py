"""Web-session traffic insight: conversion rates with Wilson intervals, per group and their change
between two periods (Newcombe's hybrid score interval), a session funnel with the drop-off at each
step, and a purchase-intent model (L2-regularised logistic regression fitted by Newton's method)
judged by AUC and top-share lift against a one-score baseline.

Inputs are arrays with one entry per session; a session "converts" when it ends in a purchase.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike

from engine import EngineError
from engine.rank import auc

DEFAULT_CONFIDENCE = 0.95
DEFAULT_SEED = 2024
DEFAULT_TRAIN_SHARE = 0.7
DEFAULT_L2 = 1.0  # ridge penalty on the standardised coefficients (the intercept is not penalised)
DEFAULT_TOP_SHARE = 0.1

# The intent model's inputs, by name (store/reference.py web_sessions gives these keys).
LOG_COLUMNS = (  # counts and seconds: log1p, a negative value (the data's mark of "unknown") as 0
    "administrative",
    "administrative_duration",
    "informational",
    "informational_duration",
    "product_related",
    "product_related_duration",
    "page_values",
)
RATE_COLUMNS = ("bounce_rates", "exit_rates", "special_day", "weekend")
CATEGORY_COLUMNS = ("month", "visitor_type", "traffic_type", "region", "browser", "operating_system")

__all__ = [
    "auc",
    "conversion_by_group",
    "conversion_change",
    "fit_intent",
    "fit_logistic",
    "funnel",
    "holdout_split",
    "intent_design",
    "median_engaged_seconds",
    "newcombe_difference",
    "strongest_signals",
    "top_share_lift",
    "wilson_interval",
]


def _z(confidence: float) -> float:
    from scipy.special import ndtri

    if not 0 < confidence < 1:
        raise EngineError(f"confidence must be between 0 and 1 (e.g. 0.95), not {confidence}")
    return float(ndtri(0.5 + confidence / 2))


def wilson_interval(
    successes: ArrayLike, trials: ArrayLike, confidence: float = DEFAULT_CONFIDENCE
) -> tuple[np.ndarray, np.ndarray]:
    """Wilson score interval (low, high) of successes / trials, elementwise; NaN where trials is 0."""
    x, n = np.asarray(successes, dtype=float), np.asarray(trials, dtype=float)
    if x.shape != n.shape:
        raise EngineError("successes and trials must have the same shape")
    if (n < 0).any() or (x < 0).any() or (x > n).any():
        raise EngineError("need 0 <= successes <= trials for every entry")
    z = _z(confidence)
    with np.errstate(divide="ignore", invalid="ignore"):
        p = x / n
        denom = 1 + z * z / n
        centre = (p + z * z / (2 * n)) / denom
        half = z / denom * np.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    return np.clip(centre - half, 0.0, 1.0), np.clip(centre + half, 0.0, 1.0)


def newcombe_difference(
    successes_a: ArrayLike,
    trials_a: ArrayLike,
    successes_b: ArrayLike,
    trials_b: ArrayLike,
    confidence: float = DEFAULT_CONFIDENCE,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Difference of rates a - b and its interval (low, high) by Newcombe's hybrid score method
    (1998, method 10), elementwise from each rate's Wilson interval; NaN where either has no trials."""
    xa, na, xb, nb = (np.asarray(v, dtype=float) for v in (successes_a, trials_a, successes_b, trials_b))
    la, ua = wilson_interval(xa, na, confidence)
    lb, ub = wilson_interval(xb, nb, confidence)
    with np.errstate(divide="ignore", invalid="ignore"):
        pa, pb = xa / na, xb / nb
    d = pa - pb
    return d, d - np.sqrt((pa - la) ** 2 + (ub - pb) ** 2), d + np.sqrt((ua - pa) ** 2 + (pb - lb) ** 2)


@dataclass(frozen=True)
class GroupRates:
    """Conversion per group, the groups in sorted order."""

    levels: np.ndarray
    sessions: np.ndarray
    purchases: np.ndarray
    rate: np.ndarray
    low: np.ndarray
    high: np.ndarray


def _check_sessions(group: np.ndarray, *flags: np.ndarray) -> tuple[np.ndarray, ...]:
    g = np.asarray(group)
    out = [np.asarray(f, dtype=bool) for f in flags]
    if g.ndim != 1 or g.size == 0 or any(f.shape != g.shape for f in out):
        raise EngineError("group and the session flags must be non-empty 1-d arrays of the same length")
    return (g, *out)


def conversion_by_group(group: np.ndarray, converted: np.ndarray, confidence: float = DEFAULT_CONFIDENCE) -> GroupRates:
    """Sessions, purchases, conversion rate and its Wilson interval per group."""
    g, conv = _check_sessions(group, converted)
    levels, inv = np.unique(g, return_inverse=True)
    n = np.bincount(inv, minlength=levels.size)
    x = np.bincount(inv, weights=conv, minlength=levels.size).astype(np.int64)
    low, high = wilson_interval(x, n, confidence)
    return GroupRates(levels, n, x, x / n, low, high)


@dataclass(frozen=True)
class RateChange:
    """Each group's conversion in period a and in period b, and the difference a - b with its interval;
    a group with no sessions in a period has NaN there."""

    levels: np.ndarray
    sessions_a: np.ndarray
    purchases_a: np.ndarray
    sessions_b: np.ndarray
    purchases_b: np.ndarray
    difference: np.ndarray
    low: np.ndarray
    high: np.ndarray


def conversion_change(
    group: np.ndarray,
    converted: np.ndarray,
    in_a: np.ndarray,
    in_b: np.ndarray,
    confidence: float = DEFAULT_CONFIDENCE,
) -> RateChange:
    """The change of each group's conversion rate between the sessions in_a and those in_b (a - b)."""
    g, conv, a, b = _check_sessions(group, converted, in_a, in_b)
    if (a & b).any():
        raise EngineError("the two periods overlap; give each session to one period at most")
    levels, inv = np.unique(g[a | b], return_inverse=True)
    conv_ab, a_ab = conv[a | b], a[a | b]

    def counts(mask: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        n = np.bincount(inv[mask], minlength=levels.size)
        return n, np.bincount(inv[mask], weights=conv_ab[mask], minlength=levels.size).astype(np.int64)

    na, xa = counts(a_ab)
    nb, xb = counts(~a_ab)
    d, low, high = newcombe_difference(xa, na, xb, nb, confidence)
    return RateChange(levels, na, xa, nb, xb, d, low, high)


def median_engaged_seconds(seconds: np.ndarray, viewed: np.ndarray) -> float:
    """The engagement threshold: the median time on product pages of the sessions that viewed one
    (unknown times, NaN or negative, left out)."""
    t = np.asarray(seconds, dtype=float)[np.asarray(viewed, dtype=bool)]
    t = t[np.isfinite(t) & (t >= 0)]
    if t.size == 0:
        raise EngineError("no session viewed a product page with a known time; cannot set an engagement threshold")
    return float(np.median(t))


@dataclass(frozen=True)
class Funnel:
    """Sessions reaching each step (and every step before it), per group (one row when ungrouped),
    and the share of the step before lost at each step (NaN for the first step, or after an empty one)."""

    levels: np.ndarray
    reached: np.ndarray  # groups x steps, counts
    drop_off: np.ndarray  # groups x steps


def funnel(steps: np.ndarray, group: np.ndarray | None = None) -> Funnel:
    """`steps`: sessions x steps booleans, each column one step in order; a session reaches a step
    only when it passed every step before (steps skipped do not count)."""
    s = np.asarray(steps, dtype=bool)
    if s.ndim != 2 or s.shape[0] == 0 or s.shape[1] == 0:
        raise EngineError("steps must be a sessions x steps array with at least one session and one step")
    reached = np.logical_and.accumulate(s, axis=1)
    if group is None:
        levels, inv = np.array(["all"]), np.zeros(s.shape[0], dtype=np.int64)
    else:
        g = np.asarray(group)
        if g.shape != (s.shape[0],):
            raise EngineError("group must have one entry per session (a row of steps)")
        levels, inv = np.unique(g, return_inverse=True)
    counts = np.stack([np.bincount(inv, weights=reached[:, j], minlength=levels.size) for j in range(s.shape[1])], 1)
    drop = np.full(counts.shape, np.nan)
    with np.errstate(divide="ignore", invalid="ignore"):
        drop[:, 1:] = np.where(counts[:, :-1] > 0, 1 - counts[:, 1:] / counts[:, :-1], np.nan)
    return Funnel(levels, counts.astype(np.int64), drop)


def one_hot(values: np.ndarray, name: str) -> tuple[np.ndarray, list[str]]:
    """Indicator columns, one per level (sorted), named `name=level`."""
    levels, inv = np.unique(np.asarray(values), return_inverse=True)
    return np.eye(levels.size)[inv], [f"{name}={v}" for v in levels.tolist()]


def intent_design(columns: Mapping[str, np.ndarray]) -> tuple[np.ndarray, list[str]]:
    """The intent model's features: log1p of the page counts, times and page value (unknown as 0),
    the rates as they are, every level of the coded and named columns one-hot (ridge keeps them
    identifiable), and a column marking sessions whose page figures are missing, if any are."""
    missing = [c for c in (*LOG_COLUMNS, *RATE_COLUMNS, *CATEGORY_COLUMNS) if c not in columns]
    if missing:
        raise EngineError(f"the intent model needs the columns {', '.join(missing)}")
    n = np.asarray(columns[LOG_COLUMNS[0]]).shape[0]
    if n == 0 or any(np.asarray(v).shape != (n,) for v in columns.values()):
        raise EngineError("every column must be a non-empty 1-d array of the same length")
    raw = np.column_stack([np.asarray(columns[c], dtype=float) for c in (*LOG_COLUMNS, *RATE_COLUMNS)])
    unknown = np.isnan(raw).any(axis=1)
    raw = np.nan_to_num(raw, nan=0.0)
    k = len(LOG_COLUMNS)
    parts = [np.log1p(np.maximum(raw[:, :k], 0.0)), raw[:, k:]]
    names = [f"{c} (log1p)" for c in LOG_COLUMNS] + list(RATE_COLUMNS)
    for c in CATEGORY_COLUMNS:
        m, ns = one_hot(columns[c], c)
        parts.append(m)
        names += ns
    if unknown.any():
        parts.append(unknown[:, None].astype(float))
        names.append("page figures missing")
    return np.column_stack(parts), names


@dataclass(frozen=True)
class Logistic:
    """A logistic regression on standardised features: coef are the standardised coefficients
    (change in log-odds per standard deviation of each feature)."""

    intercept: float
    coef: np.ndarray
    mean: np.ndarray
    scale: np.ndarray
    iterations: int

    def score(self, X: np.ndarray) -> np.ndarray:
        """Probability of a purchase per row."""
        from scipy.special import expit

        X = np.asarray(X, dtype=float)
        if X.ndim != 2 or X.shape[1] != self.coef.size:
            raise EngineError(f"X must have {self.coef.size} columns, as the model was fitted on")
        return expit(self.intercept + ((X - self.mean) / self.scale) @ self.coef)


def fit_logistic(X: np.ndarray, y: np.ndarray, *, l2: float = DEFAULT_L2, max_iter: int = 100) -> Logistic:
    """Maximum penalised likelihood: log-likelihood - l2/2 * |coef|^2 on standardised columns, by
    Newton's method (iteratively reweighted least squares) with step halving; a constant column
    gets coefficient 0."""
    from scipy.special import expit, log_expit

    X, yy = np.asarray(X, dtype=float), np.asarray(y, dtype=float)
    if X.ndim != 2 or yy.shape != (X.shape[0],) or X.shape[0] == 0:
        raise EngineError("X must be a sessions x features array and y hold one 0/1 per session")
    if not np.isfinite(X).all():
        raise EngineError("X holds NaN or infinite values; fill or drop them first")
    if not np.isin(yy, (0.0, 1.0)).all() or yy.min() == yy.max():
        raise EngineError("y must be 0/1 with both classes present")
    if l2 <= 0:
        raise EngineError("the L2 penalty must be positive (it keeps every one-hot level identifiable)")
    mean, scale = X.mean(axis=0), X.std(axis=0)
    scale = np.where(scale > 0, scale, 1.0)
    A = np.column_stack([np.ones(X.shape[0]), (X - mean) / scale])
    pen = np.full(A.shape[1], l2)
    pen[0] = 0.0

    def objective(b: np.ndarray) -> float:
        eta = A @ b
        return float((yy * log_expit(eta) + (1 - yy) * log_expit(-eta)).sum() - 0.5 * (pen * b * b).sum())

    beta = np.zeros(A.shape[1])
    beta[0] = np.log(yy.mean() / (1 - yy.mean()))
    current = objective(beta)
    iterations = 0
    while iterations < max_iter:
        iterations += 1
        p = expit(A @ beta)
        grad = A.T @ (yy - p) - pen * beta
        hess = (A * (p * (1 - p))[:, None]).T @ A + np.diag(pen)
        step = np.linalg.solve(hess + 1e-10 * np.eye(A.shape[1]), grad)
        t = 1.0
        while t > 1e-8 and objective(beta + t * step) < current - 1e-12:
            t /= 2  # a Newton step that lowers the objective is halved until it does not
        if t <= 1e-8:  # no step improves it any more: converged as far as the arithmetic goes
            return Logistic(float(beta[0]), beta[1:], mean, scale, iterations)
        beta = beta + t * step
        current = objective(beta)
        if np.abs(t * step).max() < 1e-8:
            return Logistic(float(beta[0]), beta[1:], mean, scale, iterations)
    raise EngineError(f"the logistic regression did not converge in {max_iter} Newton steps")


def holdout_split(
    n: int, train_share: float = DEFAULT_TRAIN_SHARE, seed: int = DEFAULT_SEED
) -> tuple[np.ndarray, np.ndarray]:
    """A random split of range(n): (train indices, test indices), train the first round(train_share * n)
    of a seeded permutation."""
    if not 0 < train_share < 1:
        raise EngineError(f"the training share must be between 0 and 1 (e.g. 0.7), not {train_share}")
    if n < 2:
        raise EngineError("need at least two sessions to split into training and test")
    idx = np.random.default_rng(seed).permutation(n)
    cut = min(max(round(train_share * n), 1), n - 1)
    return idx[:cut], idx[cut:]


def top_share_lift(y: np.ndarray, score: np.ndarray, share: float = DEFAULT_TOP_SHARE) -> float:
    """Conversion among the top `share` of sessions by score over the overall conversion. The top
    holds round(share * n) sessions; sessions tied at the cut count in proportion (the expected lift
    when ties are broken at random)."""
    yy, s = np.asarray(y, dtype=float), np.asarray(score, dtype=float)
    if yy.shape != s.shape or yy.ndim != 1 or yy.size == 0:
        raise EngineError("y and score must be non-empty 1-d arrays of the same length")
    if not 0 < share <= 1:
        raise EngineError(f"the top share must be in (0, 1], e.g. 0.1, not {share}")
    if yy.sum() == 0:
        raise EngineError("lift needs at least one purchase")
    k = max(round(share * yy.size), 1)
    cut = np.sort(s)[::-1][k - 1]
    above, tied = s > cut, s == cut
    hits = yy[above].sum() + (k - above.sum()) * yy[tied].mean()
    return float(hits / k / yy.mean())


def strongest_signals(names: list[str], coef: np.ndarray, k: int = 8) -> list[tuple[str, float]]:
    """The k features with the largest standardised coefficients by size, largest first."""
    c = np.asarray(coef, dtype=float)
    if len(names) != c.size:
        raise EngineError("one name per coefficient")
    order = np.argsort(-np.abs(c), kind="stable")[:k]
    return [(names[i], float(c[i])) for i in order]


@dataclass(frozen=True)
class IntentFit:
    """The intent model fitted on the training sessions and judged on the test ones, beside the
    baseline score (e.g. PageValues alone) on the same test sessions."""

    model: Logistic
    names: list[str]
    train: np.ndarray
    test: np.ndarray
    y_test: np.ndarray
    score: np.ndarray  # the model's, on the test sessions
    baseline: np.ndarray  # the baseline's, on the test sessions
    auc: float
    baseline_auc: float


def fit_intent(
    columns: Mapping[str, np.ndarray],
    purchased: np.ndarray,
    baseline: np.ndarray,
    *,
    train_share: float = DEFAULT_TRAIN_SHARE,
    seed: int = DEFAULT_SEED,
    l2: float = DEFAULT_L2,
) -> IntentFit:
    """The purchase-intent model (intent_design features, fit_logistic) on a random train_share of
    the sessions, scored with the baseline on the rest."""
    X, names = intent_design(columns)
    y = np.asarray(purchased, dtype=bool)
    b = np.asarray(baseline, dtype=float)
    if y.shape != (X.shape[0],) or b.shape != y.shape:
        raise EngineError("purchased and baseline need one entry per session")
    train, test = holdout_split(y.size, train_share, seed)
    model = fit_logistic(X[train], y[train], l2=l2)
    score = model.score(X[test])
    base = np.nan_to_num(b[test], nan=0.0)
    return IntentFit(model, names, train, test, y[test], score, base, auc(y[test], score), auc(y[test], base))
