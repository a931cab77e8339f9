"""RFM scoring and segments (recency, frequency, monetary value)."""

from __future__ import annotations

import numpy as np

from engine import EngineError

DEFAULT_BINS = 5

SEGMENTS = (
    "champions",
    "loyal",
    "potential_loyalists",
    "new",
    "need_attention",
    "at_risk",
    "hibernating",
)


def quantile_scores(values: np.ndarray, *, bins: int = DEFAULT_BINS, reverse: bool = False) -> np.ndarray:
    """Score each value 1..bins by its rank (ties share the lower rank); reverse: small is good."""
    x = np.asarray(values, dtype=float)
    if x.ndim != 1 or x.size == 0:
        raise EngineError("quantile_scores needs a non-empty 1-d array")
    if not np.isfinite(x).all():
        raise EngineError("quantile_scores got NaN or infinite values")
    if reverse:
        x = -x
    order = np.argsort(x, kind="stable")
    sorted_x = x[order]
    first = np.searchsorted(sorted_x, sorted_x, side="left")
    ranks = np.empty_like(first)
    ranks[order] = first
    return (1 + (ranks * bins) // x.size).astype(np.int64)


def rfm_scores(
    recency_days: np.ndarray,
    frequency: np.ndarray,
    monetary: np.ndarray,
    *,
    bins: int = DEFAULT_BINS,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """R, F and M scores 1..bins; a recent purchase (few days) scores high."""
    r, f, m = (np.asarray(a, dtype=float) for a in (recency_days, frequency, monetary))
    if not (r.shape == f.shape == m.shape):
        raise EngineError("recency, frequency and monetary must have the same length")
    return (
        quantile_scores(r, bins=bins, reverse=True),
        quantile_scores(f, bins=bins),
        quantile_scores(m, bins=bins),
    )


def rfm_segment(r: np.ndarray, f: np.ndarray) -> np.ndarray:
    """Name each customer's segment from R and F scores (1..5), first matching rule wins."""
    r = np.asarray(r)
    f = np.asarray(f)
    conditions = [
        (r >= 4) & (f >= 4),
        (r >= 3) & (f >= 4),
        (r >= 3) & (f >= 2),
        (r >= 4) & (f <= 1),
        (r == 3) & (f <= 1),
        (r <= 2) & (f >= 3),
        (r <= 2) & (f <= 2),
    ]
    return np.select(conditions, list(SEGMENTS), default="need_attention")
