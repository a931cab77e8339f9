"""Customer lifetime value: BG/NBD (how often, and whether still alive) and Gamma-Gamma (how much),
fitted by maximum likelihood (Fader, Hardie and Lee 2005).

Inputs per customer: x repeat purchases, t_x time of the last one, T age (same unit, e.g. weeks),
and for Gamma-Gamma the mean value m of the repeat purchases (customers with x > 0).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np

from engine import EngineError

DEFAULT_DISCOUNT = 0.01  # per period


def _check(x: np.ndarray, t_x: np.ndarray, T: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    x, t_x, T = (np.asarray(v, dtype=float) for v in (x, t_x, T))
    if not (x.shape == t_x.shape == T.shape) or x.ndim != 1 or x.size == 0:
        raise EngineError("x, t_x and T must be non-empty 1-d arrays of the same length")
    if (x < 0).any() or (t_x < 0).any() or (t_x > T + 1e-9).any():
        raise EngineError("need x >= 0 and 0 <= t_x <= T for every customer")
    return x, t_x, T


@dataclass(frozen=True)
class BGNBD:
    r: float
    alpha: float
    a: float
    b: float
    loglik: float

    def as_dict(self) -> dict[str, float]:
        return asdict(self)


def bgnbd_loglik(params: np.ndarray, x: np.ndarray, t_x: np.ndarray, T: np.ndarray) -> np.ndarray:
    """Per-customer log-likelihood of BG/NBD at params = (r, alpha, a, b)."""
    from scipy.special import gammaln

    r, alpha, a, b = params
    a1 = gammaln(r + x) - gammaln(r) + r * np.log(alpha)
    a2 = gammaln(a + b) + gammaln(b + x) - gammaln(b) - gammaln(a + b + x)
    a3 = -(r + x) * np.log(alpha + T)
    with np.errstate(divide="ignore", invalid="ignore"):
        a4 = np.where(x > 0, np.log(a) - np.log(np.maximum(b + x - 1, 1e-300)) - (r + x) * np.log(alpha + t_x), -np.inf)
    return a1 + a2 + np.logaddexp(a3, a4)


def fit_bgnbd(x: np.ndarray, t_x: np.ndarray, T: np.ndarray) -> BGNBD:
    """Maximum-likelihood BG/NBD (optimised over log-parameters, so all stay positive)."""
    from scipy.optimize import minimize

    x, t_x, T = _check(x, t_x, T)

    def nll(logp: np.ndarray) -> float:
        return -float(bgnbd_loglik(np.exp(logp), x, t_x, T).sum())

    res = minimize(
        nll,
        np.log([1.0, max(T.mean(), 1.0), 1.0, 1.0]),
        method="Nelder-Mead",
        options={"xatol": 1e-8, "fatol": 1e-8, "maxiter": 20000, "maxfev": 20000},
    )
    res = minimize(nll, res.x, method="BFGS")
    r, alpha, a, b = np.exp(res.x)
    return BGNBD(float(r), float(alpha), float(a), float(b), -float(res.fun))


def p_alive(m: BGNBD, x: np.ndarray, t_x: np.ndarray, T: np.ndarray) -> np.ndarray:
    """Probability each customer is still active (has not dropped out)."""
    x, t_x, T = _check(x, t_x, T)
    with np.errstate(divide="ignore", invalid="ignore"):
        odds = np.where(x > 0, m.a / (m.b + x - 1) * ((m.alpha + T) / (m.alpha + t_x)) ** (m.r + x), 0.0)
    return 1.0 / (1.0 + odds)


def expected_purchases(m: BGNBD, t: float, x: np.ndarray, t_x: np.ndarray, T: np.ndarray) -> np.ndarray:
    """Expected purchases in the next t periods, given each customer's history."""
    from scipy.special import hyp2f1

    x, t_x, T = _check(x, t_x, T)
    if t < 0:
        raise EngineError("the horizon must not be negative")
    r, alpha, a, b = m.r, m.alpha, m.a, m.b
    hyp = hyp2f1(r + x, b + x, a + b + x - 1, t / (alpha + T + t))
    num = (a + b + x - 1) / (a - 1) * (1 - ((alpha + T) / (alpha + T + t)) ** (r + x) * hyp)
    with np.errstate(divide="ignore", invalid="ignore"):
        den = 1 + np.where(x > 0, a / (b + x - 1) * ((alpha + T) / (alpha + t_x)) ** (r + x), 0.0)
    return num / den


@dataclass(frozen=True)
class GammaGamma:
    p: float
    q: float
    gamma: float
    loglik: float

    def as_dict(self) -> dict[str, float]:
        return asdict(self)


def fit_gamma_gamma(x: np.ndarray, m: np.ndarray) -> GammaGamma:
    """Gamma-Gamma spend model on repeat customers: x > 0 purchases with mean value m > 0."""
    from scipy.optimize import minimize
    from scipy.special import gammaln

    x, m = np.asarray(x, dtype=float), np.asarray(m, dtype=float)
    if x.shape != m.shape or x.size == 0 or (x <= 0).any() or (m <= 0).any():
        raise EngineError("Gamma-Gamma needs repeat customers only: x > 0 and mean value m > 0")

    def nll(logp: np.ndarray) -> float:
        p, q, g = np.exp(logp)
        ll = (
            gammaln(p * x + q)
            - gammaln(p * x)
            - gammaln(q)
            + q * np.log(g)
            + (p * x - 1) * np.log(m)
            + p * x * np.log(x)
            - (p * x + q) * np.log(g + m * x)
        )
        return -float(ll.sum())

    res = minimize(
        nll,
        np.log([1.0, 1.0, max(m.mean(), 1.0)]),
        method="Nelder-Mead",
        options={"xatol": 1e-9, "fatol": 1e-9, "maxiter": 20000, "maxfev": 20000},
    )
    res = minimize(nll, res.x, method="BFGS")
    p, q, g = np.exp(res.x)
    return GammaGamma(float(p), float(q), float(g), -float(res.fun))


def expected_spend(gg: GammaGamma, x: np.ndarray, m: np.ndarray, population_mean: float | None = None) -> np.ndarray:
    """Expected value of a customer's future purchase; x = 0 gets the population mean p*gamma/(q-1)."""
    x, m = np.asarray(x, dtype=float), np.asarray(m, dtype=float)
    prior = gg.p * gg.gamma / (gg.q - 1) if population_mean is None else population_mean
    with np.errstate(divide="ignore", invalid="ignore"):
        cond = gg.p * (gg.gamma + m * x) / (gg.p * x + gg.q - 1)
    return np.where(x > 0, cond, prior)


def lifetime_value(
    m: BGNBD,
    gg: GammaGamma,
    x: np.ndarray,
    t_x: np.ndarray,
    T: np.ndarray,
    mean_value: np.ndarray,
    *,
    periods: int,
    discount: float = DEFAULT_DISCOUNT,
) -> np.ndarray:
    """Discounted expected revenue over the next `periods`: sum of expected purchases per period
    times expected spend, each discounted by (1 + discount)^period."""
    if periods <= 0:
        raise EngineError("periods must be positive")
    cum = np.stack([expected_purchases(m, float(t), x, t_x, T) for t in range(periods + 1)])
    per_period = np.diff(cum, axis=0)
    factors = (1.0 + discount) ** -np.arange(1, periods + 1)
    return (per_period * factors[:, None]).sum(axis=0) * expected_spend(gg, x, mean_value)
