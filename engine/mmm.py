"""A marketing-mix model: weekly sales on each channel's spend, carried over (geometric adstock) and
saturating (Hill), beside the data's controls, an intercept and a trend.

    sales_t = intercept + trend * t + controls_t . gamma + sum_c beta_c * hill(adstock_c,t; half_c, shape_c)

adstock_c,t = (1 - d_c) * (spend_c,t + d_c spend_c,t-1 + d_c^2 spend_c,t-2 + ...): a weighted mean of
past spend whose weights sum to one, so a steady weekly spend s has adstock s, and a week's spend
keeps its whole effect, spread over the weeks after it. hill(x; K, S) = x^S / (x^S + K^S) is half
of the channel's most at x = K; beta_c >= 0 is the most the channel can add to a week's sales.

The fit is a penalised least squares by variable projection. For given decays, half-saturations and
shapes the linear part is solved exactly: intercept, trend and controls are partialled out and the
media coefficients found by non-negative least squares on what is left. scipy's least_squares moves
the nonlinear parameters within bounds, from fixed starts (deterministic). Two weak priors, scaled
by the noise so that they fade as the data grow, keep weakly identified channels sensible:
- each nonlinear parameter ~ normal(its start, half its bounds' width);
- each channel's ROAS ~ half-normal with scale `roas_prior` x (sales / media spend), so a channel
  with little spend and noisy sales is not credited with a return the data cannot show.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from engine import EngineError

DEFAULT_DECAY_BOUNDS = (0.0, 0.9)
DEFAULT_HALF_BOUNDS = (0.2, 5.0)  # in multiples of the channel's mean weekly spend
DEFAULT_SHAPE_BOUNDS = (0.5, 3.0)
DEFAULT_START = (0.3, 1.0, 1.0)  # (decay, half, shape) of every channel: also the prior's centre
DEFAULT_ROAS_PRIOR = 0.5  # scale of each channel's ROAS prior, in units of total sales / total media spend
DEFAULT_SEASON = 52  # weeks of the seasonal-naive baseline's season
DEFAULT_HOLDOUT = 26


def adstock(spend: np.ndarray, decay: np.ndarray | float) -> np.ndarray:
    """Geometric carry-over along axis 0 (weeks), one decay per column (channel):
    a_t = (1 - d) x_t + d a_(t-1), with nothing carried into the first week. Computed as a
    convolution with the kernel (1 - d) d^k, by FFT, every channel at once."""
    x = np.asarray(spend, dtype=float)
    d = np.asarray(decay, dtype=float)
    if x.ndim not in (1, 2) or d.shape not in ((), x.shape[1:]):
        raise EngineError("give spend as weeks (x channels) and one decay per channel")
    if ((d < 0) | (d >= 1)).any():
        raise EngineError("a decay must be at least 0 and below 1")
    n = x.shape[0]
    if n == 0:
        return x.copy()
    lags = np.arange(n, dtype=float).reshape((n,) + (1,) * (x.ndim - 1))
    kernel = (1.0 - d) * d**lags
    size = 1 << int(2 * n - 1).bit_length()
    out = np.fft.irfft(np.fft.rfft(x, size, axis=0) * np.fft.rfft(kernel, size, axis=0), size, axis=0)[:n]
    return np.where(np.abs(out) < 1e-12 * max(float(np.abs(x).max()), 1e-300), 0.0, out)


def hill(x: np.ndarray, half: np.ndarray | float, shape: np.ndarray | float) -> np.ndarray:
    """x^S / (x^S + K^S) for x >= 0: 0 at 0, one half at K, towards 1 as x grows."""
    x, k, s = np.asarray(x, dtype=float), np.asarray(half, dtype=float), np.asarray(shape, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        r = 1.0 / (1.0 + (k / x) ** s)
    return np.where(x > 0, r, 0.0)


def hill_slope(x: np.ndarray, half: np.ndarray | float, shape: np.ndarray | float) -> np.ndarray:
    """d hill / dx = (S / K) u^(S-1) / (1 + u^S)^2 with u = x / K; at x = 0: infinite for S < 1,
    1 / K for S = 1, 0 for S > 1."""
    x, k, s = np.asarray(x, dtype=float), np.asarray(half, dtype=float), np.asarray(shape, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        u = x / k
        r = s / k * u ** (s - 1.0) / (1.0 + u**s) ** 2
    at_zero = np.where(s < 1, np.inf, np.where(s == 1, 1.0 / k, 0.0))
    return np.where(x > 0, r, at_zero)


def mape(actual: np.ndarray, predicted: np.ndarray) -> float:
    """Mean absolute percentage error, in percent."""
    a, p = np.asarray(actual, dtype=float), np.asarray(predicted, dtype=float)
    if a.shape != p.shape or a.size == 0:
        raise EngineError("actual and predicted must be non-empty and of the same length")
    if (a == 0).any() or not np.isfinite(p).all():
        raise EngineError("MAPE needs actual values that are not zero and finite predictions")
    return float(100.0 * np.mean(np.abs((a - p) / a)))


def seasonal_naive(sales: np.ndarray, season: int = DEFAULT_SEASON) -> np.ndarray:
    """Each week's forecast is the same week a season before (NaN through the first season)."""
    y = np.asarray(sales, dtype=float)
    if season < 1:
        raise EngineError("the season must be at least one week")
    out = np.full(y.shape, np.nan)
    if season < y.size:
        out[season:] = y[:-season]
    return out


@dataclass(frozen=True)
class MMM:
    """A fitted model. `half` is in spend units; `beta` is weekly sales at full saturation;
    `beta_se` its standard error given the fitted curves (the nonlinear parameters held fixed)."""

    channels: tuple[str, ...]
    decay: np.ndarray
    half: np.ndarray
    shape: np.ndarray
    beta: np.ndarray
    beta_se: np.ndarray
    controls: tuple[str, ...]
    gamma: np.ndarray  # one per control
    intercept: float
    trend: float  # per week
    weeks: int  # fitted on this many weeks
    evaluations: int

    def saturation(self, spend: np.ndarray) -> np.ndarray:
        """Each week's and channel's share of the channel's most (weeks x channels), the spend
        starting at the first fitted week."""
        x = _check_spend(spend, len(self.channels))
        return hill(adstock(x, self.decay), self.half, self.shape)

    def media(self, spend: np.ndarray) -> np.ndarray:
        """Each week's and channel's contribution to sales (weeks x channels)."""
        return self.beta * self.saturation(spend)

    def predict(self, spend: np.ndarray, controls: np.ndarray) -> np.ndarray:
        """Weekly sales for spend and controls that start at the first fitted week."""
        x = _check_spend(spend, len(self.channels))
        z = np.asarray(controls, dtype=float).reshape(x.shape[0], len(self.controls))
        t = np.arange(x.shape[0], dtype=float)
        return self.intercept + self.trend * t + z @ self.gamma + self.media(x).sum(axis=1)

    def marginal(self, spend: np.ndarray) -> np.ndarray:
        """Per channel, d(contribution) / d(spend) when every week's spend grows in proportion: the
        return of the next unit spent the way it is spent now (NaN for a channel with no spend)."""
        x = _check_spend(spend, len(self.channels))
        a = adstock(x, self.decay)
        grow = self.beta * (hill_slope(a, self.half, self.shape) * a).sum(axis=0)
        total = x.sum(axis=0)
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.where(total > 0, grow / total, np.nan)

    def response(self, weekly_spend: np.ndarray) -> np.ndarray:
        """Each channel's weekly sales at a steady weekly spend (its adstock is then the spend)."""
        return self.beta * hill(np.asarray(weekly_spend, dtype=float), self.half, self.shape)


def _check_spend(spend: np.ndarray, channels: int | None = None) -> np.ndarray:
    x = np.asarray(spend, dtype=float)
    if x.ndim != 2 or x.shape[0] == 0 or (channels is not None and x.shape[1] != channels):
        raise EngineError("spend must be a weeks x channels array, one column per channel")
    if not np.isfinite(x).all() or (x < 0).any():
        raise EngineError("spend must be finite and not negative")
    return x


def _basis(z: np.ndarray) -> np.ndarray:
    """An orthonormal basis of the columns of z (a column that adds nothing, such as a holiday that
    never falls in the fitted weeks, is dropped)."""
    norms = np.linalg.norm(z, axis=0)
    u, s, _ = np.linalg.svd(z[:, norms > 0] / norms[norms > 0], full_matrices=False)  # columns on one scale
    return u[:, s > s[0] * 1e-10 * max(z.shape)]


def fit_mmm(
    sales: np.ndarray,
    spend: np.ndarray,
    controls: np.ndarray | None = None,
    *,
    channels: tuple[str, ...] | list[str] | None = None,
    control_names: tuple[str, ...] | list[str] | None = None,
    decay_bounds: tuple[float, float] = DEFAULT_DECAY_BOUNDS,
    half_bounds: tuple[float, float] = DEFAULT_HALF_BOUNDS,
    shape_bounds: tuple[float, float] = DEFAULT_SHAPE_BOUNDS,
    start: tuple[float, float, float] = DEFAULT_START,
    roas_prior: float = DEFAULT_ROAS_PRIOR,
) -> MMM:
    """Fit the model to weekly sales (n), spend (n x channels) and controls (n x k)."""
    from scipy.optimize import least_squares, nnls

    y = np.asarray(sales, dtype=float)
    x = _check_spend(spend)
    n, c = x.shape
    z = np.zeros((n, 0)) if controls is None else np.asarray(controls, dtype=float).reshape(n, -1)
    if y.shape != (n,) or z.shape[0] != n:
        raise EngineError("sales, spend and controls must have one row per week")
    if not np.isfinite(y).all() or not np.isfinite(z).all():
        raise EngineError("sales and controls must be finite numbers")
    names = tuple(channels) if channels is not None else tuple(f"channel_{j + 1}" for j in range(c))
    cnames = tuple(control_names) if control_names is not None else tuple(f"control_{j + 1}" for j in range(z.shape[1]))
    if len(names) != c or len(cnames) != z.shape[1]:
        raise EngineError("give one name per channel and one per control")
    if roas_prior <= 0:
        raise EngineError("the ROAS prior's scale must be positive")
    mean_spend = x.mean(axis=0)
    if (mean_spend <= 0).any():
        idle = ", ".join(nm for nm, s in zip(names, mean_spend, strict=True) if s <= 0)
        raise EngineError(f"no spend at all on {idle} in the fitted weeks: leave the channel out")
    base = np.column_stack([np.ones(n), np.arange(n, dtype=float), z])
    need = base.shape[1] + 3 * c + c + 1
    if n < need:
        raise EngineError(f"{n} weeks are too few for {c} channels and {z.shape[1]} controls: need at least {need}")
    q = _basis(base)
    y_mean = float(y.mean())
    if y_mean <= 0:
        raise EngineError("sales must be positive on average")
    ys = y / y_mean
    y_perp = ys - q @ (q.T @ ys)
    xs = x / mean_spend
    roas_scale = roas_prior * float(y.sum() / x.sum())
    # ROAS_c = beta_c * y_mean * sum_t h_ct / spend_c; its prior row: sigma * ROAS_c / roas_scale.
    roas_per_beta = y_mean / (x.sum(axis=0) * roas_scale)

    lo = np.repeat([decay_bounds[0], half_bounds[0], shape_bounds[0]], c)
    hi = np.repeat([decay_bounds[1], half_bounds[1], shape_bounds[1]], c)
    centre = np.clip(np.repeat(np.asarray(start, dtype=float), c), lo, hi)
    prior_sd = (hi - lo) / 2.0

    def curves(theta: np.ndarray) -> np.ndarray:
        return hill(adstock(xs, theta[:c]), theta[c : 2 * c], theta[2 * c :])

    # The noise, from a fit with every curve at the priors' centre: the priors' scale.
    h0 = curves(centre)
    h0_perp = h0 - q @ (q.T @ h0)
    r0 = y_perp - h0_perp @ np.linalg.lstsq(h0_perp, y_perp, rcond=None)[0]
    sigma = float(np.sqrt(r0 @ r0 / max(n - q.shape[1] - c, 1)))

    def system(theta: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        h = curves(theta)
        h_perp = h - q @ (q.T @ h)
        prior = np.diag(sigma * roas_per_beta * h.sum(axis=0))
        return np.vstack([h_perp, prior]), np.concatenate([y_perp, np.zeros(c)])

    def residuals(theta: np.ndarray) -> np.ndarray:
        a, b = system(theta)
        beta, _ = nnls(a, b)
        return np.concatenate([b - a @ beta, sigma * (theta - centre) / prior_sd])

    res = least_squares(residuals, centre, bounds=(lo, hi), method="trf", x_scale=hi - lo)
    theta = res.x
    a, b = system(theta)
    beta, _ = nnls(a, b)
    h = curves(theta)
    coef, *_ = np.linalg.lstsq(base, ys - h @ beta, rcond=None)
    resid = b[:n] - a[:n] @ beta
    dof = max(n - q.shape[1] - c, 1)
    cov = float(resid @ resid) / dof * np.linalg.pinv(a.T @ a)
    return MMM(
        channels=names,
        decay=theta[:c].copy(),
        half=theta[c : 2 * c] * mean_spend,
        shape=theta[2 * c :].copy(),
        beta=beta * y_mean,
        beta_se=np.sqrt(np.maximum(np.diag(cov), 0.0)) * y_mean,
        controls=cnames,
        gamma=coef[2:] * y_mean,
        intercept=float(coef[0] * y_mean),
        trend=float(coef[1] * y_mean),
        weeks=n,
        evaluations=int(res.nfev),
    )


@dataclass(frozen=True)
class MixReport:
    """A model fitted on all weeks but the last `holdout_weeks`, judged on those against the
    seasonal-naive forecast; the contributions and returns are over the fitted weeks."""

    model: MMM
    fitted_weeks: int
    holdout_weeks: int
    in_sample_mape: float
    holdout_mape: float | None  # None without a hold-out
    naive_mape: float | None  # the seasonal-naive forecast on the hold-out; None when the history is too short
    sales: float
    spend: np.ndarray  # per channel
    contribution: np.ndarray
    roas: np.ndarray  # contribution / spend
    roas_se: np.ndarray  # given the fitted curves
    marginal_roas: np.ndarray
    media_share: float  # of sales, from media
    actual: np.ndarray  # every week's sales
    predicted: np.ndarray  # every week's sales as the model has them (the hold-out's: its forecast)

    @property
    def beats_naive(self) -> bool | None:
        if self.holdout_mape is None or self.naive_mape is None:
            return None
        return self.holdout_mape < self.naive_mape


def media_mix(
    sales: np.ndarray,
    spend: np.ndarray,
    controls: np.ndarray | None = None,
    *,
    holdout: int = DEFAULT_HOLDOUT,
    season: int = DEFAULT_SEASON,
    channels: tuple[str, ...] | list[str] | None = None,
    control_names: tuple[str, ...] | list[str] | None = None,
    roas_prior: float = DEFAULT_ROAS_PRIOR,
) -> MixReport:
    """Fit on all weeks but the last `holdout`, then: hold-out MAPE beside the seasonal-naive
    baseline, in-sample MAPE, and each channel's contribution, ROAS and marginal ROAS."""
    y = np.asarray(sales, dtype=float)
    x = _check_spend(spend)
    n = y.size
    z = np.zeros((n, 0)) if controls is None else np.asarray(controls, dtype=float).reshape(n, -1)
    if x.shape[0] != n:
        raise EngineError("sales and spend must have one row per week")
    if not 0 <= holdout < n:
        raise EngineError(f"the hold-out must be between 0 and {n - 1} weeks")
    if (y <= 0).any():
        raise EngineError("every week's sales must be positive (MAPE divides by them)")
    m = n - holdout
    model = fit_mmm(y[:m], x[:m], z[:m], channels=channels, control_names=control_names, roas_prior=roas_prior)
    pred = model.predict(x, z)
    h = model.saturation(x[:m])
    contribution = model.beta * h.sum(axis=0)
    spent = x[:m].sum(axis=0)
    naive = seasonal_naive(y, season)[m:]
    return MixReport(
        model=model,
        fitted_weeks=m,
        holdout_weeks=holdout,
        in_sample_mape=mape(y[:m], pred[:m]),
        holdout_mape=mape(y[m:], pred[m:]) if holdout else None,
        naive_mape=mape(y[m:], naive) if holdout and np.isfinite(naive).all() else None,
        sales=float(y[:m].sum()),
        spend=spent,
        contribution=contribution,
        roas=contribution / spent,
        roas_se=model.beta_se * h.sum(axis=0) / spent,
        marginal_roas=model.marginal(x[:m]),
        media_share=float(contribution.sum() / y[:m].sum()),
        actual=y,
        predicted=pred,
    )
