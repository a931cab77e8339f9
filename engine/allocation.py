"""Budget allocation across channels with diminishing returns.

Each channel has a response curve with a saturation a_i (the most it can return) and a scale b_i:
- exponential (the default): r_i(s) = a_i * (1 - exp(-s / b_i)); b_i is the spend at which it has
  returned 63% of a_i;
- Hill (give `shape`, as a marketing-mix model fits them, engine/mmm.py): r_i(s) = a_i * s^S_i /
  (s^S_i + b_i^S_i); b_i is the spend at which it returns half of a_i.

Spend goes where the marginal return is highest until the budget is gone (equal marginal returns):
a bisection on the marginal return. An S-shaped Hill curve (S > 1) returns little until its spend
passes a threshold; it is allocated on its concave envelope, so it gets either nothing or at least
the spend where its average return peaks (only a channel at the margin may get less).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from engine import EngineError
from engine.mmm import hill, hill_slope

_BRACKET_POWERS = 200  # the marginal return is first looked for from 2^-200 to 2^63 times the steepest start
_GRID = 33  # returns tried at once within the bracket, each round
_ROUNDS = 10  # rounds of narrowing: the bracket shrinks by 32^10 (about 1e15)
_INNER_BISECTIONS = 64  # of a Hill curve's spend at a marginal return (log scale)


def channel_response(
    spend: np.ndarray, saturation: np.ndarray, scale: np.ndarray, shape: np.ndarray | None = None
) -> np.ndarray:
    """Each channel's return at its spend (Hill curves when `shape` is given)."""
    s, a, b = (np.asarray(x, dtype=float) for x in (spend, saturation, scale))
    if shape is not None:
        return a * hill(s, b, np.asarray(shape, dtype=float))
    return a * (1.0 - np.exp(-s / b))


def marginal_return(
    spend: np.ndarray, saturation: np.ndarray, scale: np.ndarray, shape: np.ndarray | None = None
) -> np.ndarray:
    """The return of the next unit of spend on each channel."""
    s, a, b = (np.asarray(x, dtype=float) for x in (spend, saturation, scale))
    if shape is not None:
        return a * hill_slope(s, b, np.asarray(shape, dtype=float))
    return a / b * np.exp(-s / b)


def _check(
    total: float, a: np.ndarray, b: np.ndarray, shape: np.ndarray | None, minimum: np.ndarray | None
) -> np.ndarray:
    """The floors, after checking every input."""
    if a.shape != b.shape or a.ndim != 1 or a.size == 0:
        raise EngineError("saturation and scale must be non-empty arrays of the same length")
    if (a <= 0).any() or (b <= 0).any():
        raise EngineError("saturation and scale must be positive")
    if shape is not None and (shape.shape != a.shape or not (shape > 0).all() or not np.isfinite(shape).all()):
        raise EngineError("give one positive shape per channel")
    if total < 0 or not np.isfinite(total):
        raise EngineError("total budget must be a non-negative number")
    floor = np.zeros_like(a) if minimum is None else np.asarray(minimum, dtype=float)
    if floor.sum() > total:
        raise EngineError("the channel minimums add up to more than the total budget")
    return floor


def allocate_budget(
    total: float,
    saturation: np.ndarray,
    scale: np.ndarray,
    *,
    minimum: np.ndarray | None = None,
    shape: np.ndarray | None = None,
) -> np.ndarray:
    """Spend per channel that maximises total response for `total`; optional floors per channel;
    Hill curves when `shape` (one per channel) is given, exponential ones otherwise."""
    a = np.asarray(saturation, dtype=float)
    b = np.asarray(scale, dtype=float)
    s = None if shape is None else np.asarray(shape, dtype=float)
    floor = _check(total, a, b, s, minimum)
    if s is not None:
        return _allocate_hill(total - floor.sum(), a, b, s, floor)
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


def _hill_entry(shape: np.ndarray) -> np.ndarray:
    """Where, in units of the half-saturation, a Hill curve's average return u^(S-1) / (1 + u^S)
    peaks and meets its marginal return: (S - 1)^(1/S) for S > 1, 0 otherwise."""
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(shape > 1, np.maximum(shape - 1.0, 0.0) ** (1.0 / shape), 0.0)


def hill_spend_at(lam: np.ndarray | float, saturation: np.ndarray, scale: np.ndarray, shape: np.ndarray) -> np.ndarray:
    """Per channel (the last axis) and marginal return `lam` (scalar or 1-d), the spend at which the
    marginal return falls to `lam` on the concave envelope of its Hill curve: 0 where even its best
    average return is below `lam`."""
    a, b, s = saturation, scale, shape
    lam_col = np.asarray(lam, dtype=float)[..., None]
    u0 = _hill_entry(s)
    best = np.where(s > 1, hill(u0, 1.0, s) / np.where(u0 > 0, u0, 1.0), np.where(s == 1, 1.0, np.inf)) * a / b
    target = lam_col * b / a  # the slope of hill(u) wanted, u = spend / scale
    # Beyond u0 the slope falls monotonically, and it is below S u^-(S+1) everywhere: bracket the
    # spend in log u and bisect, every channel and every return at once.
    lo = np.broadcast_to(np.log(np.where(u0 > 0, u0, 1e-12)), target.shape)
    hi = np.maximum(lo, np.log(np.maximum(s / target, 1e-300)) / (s + 1.0)) + 1.0
    for _ in range(_INNER_BISECTIONS):
        mid = (lo + hi) / 2.0
        u_s = np.exp(mid * s)
        above = s * u_s / np.exp(mid) / (1.0 + u_s) ** 2 > target  # hill_slope(u, 1, S), u = e^mid > 0
        lo, hi = np.where(above, mid, lo), np.where(above, hi, mid)
    return np.where(lam_col < best, b * np.exp((lo + hi) / 2.0), 0.0)


def _allocate_hill(rest: float, a: np.ndarray, b: np.ndarray, s: np.ndarray, floor: np.ndarray) -> np.ndarray:
    if rest == 0:
        return floor

    def spend_at(lam: np.ndarray) -> np.ndarray:
        return np.maximum(0.0, hill_spend_at(lam, a, b, s) - floor)

    return floor + _equal_margins(rest, spend_at, float((a / b).max()))


def _equal_margins(rest: float, spend_at: Callable[[np.ndarray], np.ndarray], start: float) -> np.ndarray:
    """Spend per channel at the marginal return where it adds up to `rest`. `spend_at` gives, for
    a vector of returns, the spend per channel at each (rows), falling as the return rises. The
    return is bracketed on a wide grid of powers of two, then narrowed by a grid within the
    bracket, a few times (a bisection many ways at once). Where the total jumps past `rest` (a
    channel entering at its threshold), the channels that jump share what is left in proportion."""
    lams = start * 2.0 ** np.arange(-_BRACKET_POWERS, 64, dtype=float)
    over = spend_at(lams).sum(axis=1) >= rest
    if not over[0]:
        raise EngineError("the budget is beyond what these response curves can place; check their scales")
    i = int(np.flatnonzero(over)[-1])
    lo, hi = lams[i], lams[min(i + 1, lams.size - 1)]
    for _ in range(_ROUNDS):
        grid = np.geomspace(lo, hi, _GRID)
        j = int(np.flatnonzero(spend_at(grid).sum(axis=1) >= rest)[-1])
        lo, hi = grid[j], grid[min(j + 1, _GRID - 1)]
    above, below = spend_at(np.array([lo, hi]))
    gap = above.sum() - below.sum()
    share = (rest - below.sum()) / gap if gap > 0 else 0.0
    return below + share * (above - below)
