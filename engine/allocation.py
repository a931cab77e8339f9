"""Budget allocation across channels with diminishing returns.

Each channel's response is r_i(s) = a_i * (1 - exp(-s / b_i)): a_i is the most it can return,
b_i the spend at which it has returned 63% of that. Spend goes where the marginal return
a_i / b_i * exp(-s / b_i) is highest until the budget is gone (equal marginal returns).
"""

from __future__ import annotations

import numpy as np

from engine import EngineError


def channel_response(spend: np.ndarray, saturation: np.ndarray, scale: np.ndarray) -> np.ndarray:
    s, a, b = (np.asarray(x, dtype=float) for x in (spend, saturation, scale))
    return a * (1.0 - np.exp(-s / b))


def allocate_budget(
    total: float,
    saturation: np.ndarray,
    scale: np.ndarray,
    *,
    minimum: np.ndarray | None = None,
) -> np.ndarray:
    """Spend per channel that maximises total response for `total`; optional floors per channel."""
    a = np.asarray(saturation, dtype=float)
    b = np.asarray(scale, dtype=float)
    if a.shape != b.shape or a.ndim != 1 or a.size == 0:
        raise EngineError("saturation and scale must be non-empty arrays of the same length")
    if (a <= 0).any() or (b <= 0).any():
        raise EngineError("saturation and scale must be positive")
    if total < 0 or not np.isfinite(total):
        raise EngineError("total budget must be a non-negative number")
    floor = np.zeros_like(a) if minimum is None else np.asarray(minimum, dtype=float)
    if floor.sum() > total:
        raise EngineError("the channel minimums add up to more than the total budget")
    rest = total - floor.sum()

    # Marginal return after the floor: m_i(x) = a_i/b_i * exp(-(floor_i + x)/b_i). Water-filling:
    # x_i(lam) = max(0, b_i * ln(a_i / (b_i lam)) - floor_i); find lam with sum x_i = rest.
    def spend_at(lam: float) -> np.ndarray:
        return np.maximum(0.0, b * np.log(a / (b * lam)) - floor)

    if rest == 0:
        return floor
    hi = float((a / b).max())
    lo = hi
    while spend_at(lo).sum() < rest:
        lo /= 2.0
    for _ in range(200):
        mid = np.sqrt(lo * hi)
        if spend_at(mid).sum() > rest:
            lo = mid
        else:
            hi = mid
    x = spend_at(hi)
    x *= rest / x.sum() if x.sum() > 0 else 0.0
    return floor + x
