"""A/B test significance and seasonality."""

from __future__ import annotations

import numpy as np

from engine import EngineError

DEFAULT_ALPHA = 0.05
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


def month_of(days: np.ndarray) -> np.ndarray:
    """Month 0..11 of each day, given as days since 1970-01-01."""
    return np.asarray(days).astype("datetime64[D]").astype("datetime64[M]").astype(np.int64) % 12


def weekday_of(days: np.ndarray) -> np.ndarray:
    """Weekday 0 (Monday)..6 of each day since 1970-01-01 (which was a Thursday)."""
    return (np.asarray(days, dtype=np.int64) + 3) % 7


def two_proportion_test(
    conversions_a: int,
    visitors_a: int,
    conversions_b: int,
    visitors_b: int,
    *,
    alpha: float = DEFAULT_ALPHA,
) -> dict[str, float | bool]:
    """Two-sided z-test of two proportions, the lift of B over A with its interval, and P(B > A).

    P(B > A) is under uniform Beta(1, 1) priors: the integral of f_B(x) F_A(x) over [0, 1], taken
    by the trapezoid rule on a fine grid spanning both posteriors.
    """
    from scipy import special  # imported here: the CLI should not pay for it on every start

    for conv, n, arm in ((conversions_a, visitors_a, "A"), (conversions_b, visitors_b, "B")):
        if n <= 0:
            raise EngineError(f"variant {arm} needs at least one visitor")
        if not 0 <= conv <= n:
            raise EngineError(f"variant {arm} conversions must be between 0 and its visitors ({n})")
    pa, pb = conversions_a / visitors_a, conversions_b / visitors_b
    pooled = (conversions_a + conversions_b) / (visitors_a + visitors_b)
    se0 = np.sqrt(pooled * (1 - pooled) * (1 / visitors_a + 1 / visitors_b))
    z = (pb - pa) / se0 if se0 > 0 else 0.0
    p_value = float(2 * special.ndtr(-abs(z)))
    se = np.sqrt(pa * (1 - pa) / visitors_a + pb * (1 - pb) / visitors_b)
    zc = float(special.ndtri(1 - alpha / 2))
    a1, b1 = 1 + conversions_a, 1 + visitors_a - conversions_a
    a2, b2 = 1 + conversions_b, 1 + visitors_b - conversions_b
    means = np.array([a1 / (a1 + b1), a2 / (a2 + b2)])
    sds = np.sqrt(means * (1 - means) / (np.array([a1 + b1, a2 + b2]) + 1))
    x = np.linspace(max(0.0, float((means - 12 * sds).min())), min(1.0, float((means + 12 * sds).max())), 20001)
    log_pdf_b = special.xlogy(a2 - 1, x) + special.xlog1py(b2 - 1, -x) - special.betaln(a2, b2)
    prob_b_beats_a = float(np.trapezoid(np.exp(log_pdf_b) * special.betainc(a1, b1, x), x))
    return {
        "rate_a": pa,
        "rate_b": pb,
        "absolute_lift": pb - pa,
        "relative_lift": (pb - pa) / pa if pa > 0 else float("inf"),
        "diff_ci_low": float(pb - pa - zc * se),
        "diff_ci_high": float(pb - pa + zc * se),
        "z": float(z),
        "p_value": p_value,
        "significant": bool(p_value < alpha),
        "prob_b_beats_a": float(np.clip(prob_b_beats_a, 0.0, 1.0)),
    }


def seasonal_index(period: np.ndarray, value: np.ndarray, n_periods: int) -> np.ndarray:
    """Mean value per period (0..n_periods-1) over the mean of the periods seen; 1.0 is average.

    Periods with no observations get NaN.
    """
    p = np.asarray(period, dtype=np.int64)
    v = np.asarray(value, dtype=float)
    if p.shape != v.shape:
        raise EngineError("period and value must have the same length")
    if p.size and (p.min() < 0 or p.max() >= n_periods):
        raise EngineError(f"periods must lie in 0..{n_periods - 1}")
    sums = np.bincount(p, weights=v, minlength=n_periods)
    counts = np.bincount(p, minlength=n_periods)
    means = np.divide(sums, counts, out=np.full(n_periods, np.nan), where=counts > 0)
    overall = np.nanmean(means) if np.isfinite(means).any() else np.nan
    return means / overall
