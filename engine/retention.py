"""Customer retention: the shifted-beta-geometric (sBG) model of Fader and Hardie (2007, "How to
Project Customer Retention").

Each customer renews period after period with their own churn probability theta, and theta varies
across customers as Beta(alpha, beta). For a cohort followed from period 0:

    P(T = t) = B(alpha + 1, beta + t - 1) / B(alpha, beta)    churn in period t = 1, 2, ...
    S(t)     = B(alpha, beta + t) / B(alpha, beta)            still there after period t, S(0) = 1
    r(t)     = S(t) / S(t - 1) = (beta + t - 1) / (alpha + beta + t - 1)

The data are survivor counts n_0 >= n_1 >= ... >= n_T: n_{t-1} - n_t churned in period t and n_T
are still there (right-censored). The lapse rule at the end turns order histories into such counts.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np

from engine import EngineError

DEFAULT_BOUND = 12.0  # |log alpha|, |log beta| at most this: a fit on the edge says the data cannot place it


@dataclass(frozen=True)
class SBG:
    alpha: float
    beta: float
    loglik: float
    periods: int  # the periods fitted (survivor counts after period 0)
    on_bound: bool  # a parameter ended on DEFAULT_BOUND: the data do not pin the model down

    def as_dict(self) -> dict[str, float | int | bool]:
        return asdict(self)


def _check_params(alpha: float, beta: float) -> None:
    if not (np.isfinite(alpha) and np.isfinite(beta) and alpha > 0 and beta > 0):
        raise EngineError(f"alpha and beta must be positive and finite (got {alpha}, {beta})")


def _periods(t: np.ndarray | int, *, start: int) -> np.ndarray:
    t = np.asarray(t, dtype=float)
    if t.size and (not np.isfinite(t).all() or (t != np.round(t)).any() or (t < start).any()):
        raise EngineError(f"periods must be whole numbers >= {start}")
    return t


def check_survivors(alive: np.ndarray) -> np.ndarray:
    """Survivor counts as floats: n_0 > 0, non-increasing, not negative, at least one period after 0."""
    n = np.asarray(alive, dtype=float)
    if n.ndim != 1 or n.size < 2:
        raise EngineError("survivors must be a 1-d array: the cohort's size, then those left after each period")
    if not np.isfinite(n).all() or (n < 0).any():
        raise EngineError("survivor counts must be finite and not negative")
    if n[0] <= 0:
        raise EngineError("the cohort's starting size (survivors[0]) must be positive")
    if (np.diff(n) > 0).any():
        bad = int(np.flatnonzero(np.diff(n) > 0)[0]) + 1
        raise EngineError(
            f"survivors must not increase: period {bad} has {n[bad]:g}, more than {n[bad - 1]:g} before it"
        )
    return n


def churn_probabilities(alpha: float, beta: float, t: np.ndarray | int) -> np.ndarray:
    """P(T = t): the share of the cohort that churns in period t (t >= 1)."""
    from scipy.special import betaln

    _check_params(alpha, beta)
    t = _periods(t, start=1)
    return np.exp(betaln(alpha + 1.0, beta + t - 1.0) - betaln(alpha, beta))


def survival(alpha: float, beta: float, t: np.ndarray | int) -> np.ndarray:
    """S(t): the share of the cohort still there after period t (t >= 0; S(0) = 1)."""
    from scipy.special import betaln

    _check_params(alpha, beta)
    t = _periods(t, start=0)
    return np.exp(betaln(alpha, beta + t) - betaln(alpha, beta))


def retention_rates(alpha: float, beta: float, t: np.ndarray | int) -> np.ndarray:
    """r(t) = S(t) / S(t-1): the share of those there after period t-1 who stay through period t
    (t >= 1); it rises with t, as the likelier churners leave first."""
    _check_params(alpha, beta)
    t = _periods(t, start=1)
    return (beta + t - 1.0) / (alpha + beta + t - 1.0)


def expected_survivors(alpha: float, beta: float, start: float, t: np.ndarray | int) -> np.ndarray:
    """The expected number still there after period t of a cohort of `start` customers."""
    if not (np.isfinite(start) and start > 0):
        raise EngineError(f"the cohort's size must be positive (got {start})")
    return start * survival(alpha, beta, t)


def sbg_loglik(alpha: float, beta: float, alive: np.ndarray) -> float:
    """Log-likelihood of survivor counts: sum over t of (n_{t-1} - n_t) log P(T = t), plus n_T log S(T)."""
    n = check_survivors(alive)
    t = np.arange(1, n.size)
    lost = -np.diff(n)
    p = churn_probabilities(alpha, beta, t)
    last = survival(alpha, beta, n.size - 1)
    with np.errstate(divide="ignore", invalid="ignore"):
        ll = np.where(lost > 0, lost * np.log(p), 0.0).sum()
        ll += n[-1] * np.log(last) if n[-1] > 0 else 0.0
    return float(ll)


def fit_sbg(alive: np.ndarray) -> SBG:
    """Maximum-likelihood alpha and beta on survivor counts, optimised over log-parameters within
    +/- DEFAULT_BOUND (where the likelihood keeps rising to an edge, e.g. nobody churned, the fit
    stops there and says so in `on_bound`)."""
    from scipy.optimize import minimize

    n = check_survivors(alive)
    if n[-1] == n[0]:
        raise EngineError("nobody churned in the periods given: the sBG model cannot be fitted to them")

    def nll(logp: np.ndarray) -> float:
        a, b = np.exp(logp)
        return -sbg_loglik(float(a), float(b), n)

    res = minimize(nll, np.zeros(2), method="L-BFGS-B", bounds=[(-DEFAULT_BOUND, DEFAULT_BOUND)] * 2)
    on_bound = bool((np.abs(res.x) > DEFAULT_BOUND - 1e-3).any())
    far = np.abs(res.x) > DEFAULT_BOUND / 2  # an optimiser may stop where the likelihood has all but flattened
    if not on_bound and far.any():  # out on its way to an edge: the edge is as likely or more, so say so
        edge = np.where(far, np.sign(res.x) * DEFAULT_BOUND, res.x)
        on_bound = nll(edge) <= float(res.fun) + 1e-9
    a, b = np.exp(res.x)
    return SBG(float(a), float(b), -float(res.fun), int(n.size - 1), on_bound)


def lapse_periods(active: np.ndarray, start: np.ndarray, window: int) -> np.ndarray:
    """The lapse rule: for each row of `active` (customers x periods, True where the customer bought)
    and its first period `start`, the first period p > start that begins `window` periods in a row
    without a purchase, counted from start (p - start >= 1); -1 where no such run is seen, because
    every run that could be one runs past the last period."""
    a = np.asarray(active, dtype=bool)
    s = np.asarray(start, dtype=np.int64)
    if a.ndim != 2 or s.shape != (a.shape[0],):
        raise EngineError("active must be customers x periods and start one period per customer")
    if window < 1:
        raise EngineError("the lapse window must be at least one period")
    if s.size and ((s < 0).any() or (s >= a.shape[1]).any()):
        raise EngineError("each start must be a period of `active`")
    n_runs = a.shape[1] - window + 1  # runs [p, p + window) that end inside the data
    if n_runs <= 0:
        return np.full(s.size, -1, dtype=np.int64)
    csum = np.concatenate([np.zeros((a.shape[0], 1), dtype=np.int64), np.cumsum(a, axis=1)], axis=1)
    silent = (csum[:, window : window + n_runs] - csum[:, :n_runs]) == 0
    silent &= np.arange(n_runs)[None, :] > s[:, None]
    first = np.argmax(silent, axis=1)
    return np.where(silent.any(axis=1), first - s, -1)


def survivors_from_lapses(lapse: np.ndarray, periods: int) -> np.ndarray:
    """Survivor counts n_0..n_periods of a cohort from each member's lapse period (>= 1, or -1 for
    not lapsed within the periods seen): a customer who lapses in period t is no longer there after it."""
    lapse = np.asarray(lapse, dtype=np.int64)
    if periods < 1:
        raise EngineError("need at least one period after the first")
    if lapse.ndim != 1 or lapse.size == 0 or ((lapse < 1) & (lapse != -1)).any():
        raise EngineError("lapse periods must be a non-empty 1-d array of periods >= 1, or -1 for none seen")
    lost = np.bincount(lapse[(lapse >= 1) & (lapse <= periods)], minlength=periods + 1)[: periods + 1]
    return lapse.size - np.cumsum(lost)
