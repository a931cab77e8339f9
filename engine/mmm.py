"""A marketing-mix model: weekly sales on each channel's spend, carried over (geometric adstock) and
saturating (Hill), beside a trend, a yearly seasonality and the data's controls.

The default is multiplicative: the model is for ln(sales),

    ln sales_t = intercept + trend * t + season(t) + controls_t . gamma + sum_c b_c * hill(adstock_c,t; K_c, S_c)

with season(t) a few Fourier terms of a 365.25-day year. `Spec(log=False, ...)` is the additive form, the
same terms for sales itself (`ADDITIVE` is the model this one replaced: a free trend, every control
unpenalised, no Fourier terms).

adstock_c,t = (1 - d_c) * (spend_c,t + d_c spend_c,t-1 + d_c^2 spend_c,t-2 + ...): a weighted mean of
past spend whose weights sum to one, so a steady weekly spend s has adstock s, and a week's spend
keeps its whole effect, spread over the weeks after it. hill(x; K, S) = x^S / (x^S + K^S) is half
of the channel's most at x = K; b_c >= 0 is the most the channel can add (to ln sales, or to sales).

The fit is a penalised least squares by variable projection. For given decays, half-saturations and
shapes the linear part is solved exactly: intercept, trend, Fourier terms and controls are partialled
out (the last two under ridge penalties) and the media coefficients found by non-negative least squares
on what is left. scipy's least_squares moves the nonlinear parameters within bounds, from fixed starts
(deterministic). Priors, scaled by the noise sigma (from a first fit with every curve at the priors'
centre) so that they fade as the data grow:
- each nonlinear parameter ~ normal(its start, half its bounds' width);
- each channel's ROAS ~ half-normal with scale `roas_prior` x (sales / media spend), so a channel
  with little spend and noisy sales is not credited with a return the data cannot show;
- each Fourier term's and each control's coefficient, per standard deviation of the term, ~
  normal(0, `season_prior` or `control_prior`) (a ridge penalty of (sigma / prior)^2): with noisy
  sales, many controls and few weeks they shrink towards nothing; with clean sales they are free.

Per channel, in the multiplicative model: its contribution is the sales it removes when taken out
(fitted sales x (1 - exp(-b_c h_c,t))), as mmm_stan decomposes its model; its response curve, which a
budget split uses, is taken at the mean of the other terms: weekly sales exp(mean of the rest of
ln sales) x b_c x hill(spend), to first order in its own effect (exact in the additive model).

How DEFAULT_SPEC was chosen: only by rolling-origin cross-validation inside the first 183 of the
reference mmm set's 209 weeks; the last 26, the hold-out, were not looked at while choosing. Fit on
weeks 1..n, forecast weeks n+1..n+13 with their spend (and controls) known, for n = 105, 118, ..., 170
(weeks 106-183, two holiday seasons); the score is the mean MAPE over the six origins, in percent.
The search went one thing at a time from the replaced model: target x trend x harmonics x their prior
(64 variants), then groups of the set's controls x their prior (40), then the ROAS prior, then every
single change around the best until none improved the score by 0.1 point or more; a tie within 0.1
goes to the variant with fewer terms (an earlier screening of about 400 variants with a plain ridge
penalty, also on these folds only, pointed the same way). The rows that decided:

    seasonal naive (the same week a year before)                                    37.09
    ADDITIVE (sales; free trend; the 50 controls unpenalised; ROAS prior 0.5)       40.33
    DEFAULT_SPEC: ln(sales); trend; 4 harmonics, prior 0.03; no controls; ROAS 0.1  26.64  chosen
      sales instead of ln(sales)                                                    27.64
      no trend                                                                      27.27
      2 / 6 harmonics                                                               27.37 / 26.97
      no seasonality at all                                                         27.58
      the harmonics' prior 0.01 / 0.1                                               27.43 / 27.87
      ROAS prior 0.05 / 0.25 / 0.5                                                  27.40 / 26.81 / 27.83
      the seas_* dummies, prior 0.03 / 0.1 / free, instead of the harmonics         28.24 / 30.68 / 31.27
      + the 50 controls, prior 0.003 / 0.01 / 0.03 / 0.1 / free                     26.79 / 26.89 / 29.25 / 33.59 / 40.77
      + holiday and Nov-Dec week dummies, prior 0.003 / 0.03 / free                 26.79 / 29.13 / 31.16
      + macro and store count, or markdowns and publications, prior 0.003           26.64 / 26.64 (ties: left out)

So the reference set is fitted without its controls. `control_prior` (0.01) is for a shop's own
controls, which no cross-validation here can judge: the weakest prior at which the reference set's 50
controls did not make the forecast worse (26.89; 29.25 at 0.03).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from engine import EngineError

DEFAULT_DECAY_BOUNDS = (0.0, 0.9)
DEFAULT_HALF_BOUNDS = (0.2, 5.0)  # in multiples of the channel's mean weekly spend
DEFAULT_SHAPE_BOUNDS = (0.5, 3.0)
DEFAULT_START = (0.3, 1.0, 1.0)  # (decay, half, shape) of every channel: also the prior's centre
DEFAULT_SEASON = 52  # weeks of the seasonal-naive baseline's season
DEFAULT_HOLDOUT = 26
YEAR_WEEKS = 365.25 / 7  # the Fourier terms' period


@dataclass(frozen=True)
class Spec:
    """The model's form. `log`: ln(sales) (multiplicative) or sales (additive); `trend`: a linear trend;
    `fourier`: harmonics of the yearly seasonality; `season_prior` and `control_prior`: the prior
    standard deviations of each Fourier term's and each control's effect per standard deviation of the
    term, in units of the target (ln sales, or sales over mean sales); math.inf leaves them free;
    `roas_prior`: the scale of each channel's ROAS prior, in units of total sales / total media spend."""

    log: bool = True
    trend: bool = True
    fourier: int = 4
    season_prior: float = 0.03
    control_prior: float = 0.01
    roas_prior: float = 0.1


DEFAULT_SPEC = Spec()
# The model this one replaced: sales, a free trend, every control unpenalised, no Fourier terms.
ADDITIVE = Spec(log=False, trend=True, fourier=0, season_prior=math.inf, control_prior=math.inf, roas_prior=0.5)
# The cross-validation that chose DEFAULT_SPEC (the table above): each origin is the 0-based first forecast week,
# fitted on the weeks before it; the scores, in percent, on the reference set's first 183 weeks.
CV_ORIGINS = (105, 118, 131, 144, 157, 170)
CV_HORIZON = 13
CV_MAPE = {"default": 26.64, "seasonal_naive": 37.09, "additive": 40.33}


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


def fourier(weeks: int, harmonics: int, period: float = YEAR_WEEKS) -> np.ndarray:
    """sin and cos of 1..`harmonics` times the yearly frequency for weeks 0..weeks-1 (weeks x 2 harmonics)."""
    if harmonics < 0 or period <= 0:
        raise EngineError("give a non-negative number of harmonics and a positive period")
    w = 2.0 * np.pi * np.outer(np.arange(weeks, dtype=float), np.arange(1, harmonics + 1)) / period
    return np.column_stack([np.sin(w), np.cos(w)]) if harmonics else np.zeros((weeks, 0))


@dataclass(frozen=True)
class MMM:
    """A fitted model. `effect` is each channel's most, in units of the target (ln sales, or sales);
    `beta` the same in weekly sales: in the multiplicative model at the mean of the other terms, to
    first order (`scale` x `effect`, `scale` = exp(mean of the rest of ln sales) per channel); `half`
    is in spend units; the standard errors are given the fitted curves (the nonlinear parameters held
    fixed). `season` holds the Fourier coefficients (sines, then cosines), `sigma` the noise."""

    spec: Spec
    channels: tuple[str, ...]
    decay: np.ndarray
    half: np.ndarray
    shape: np.ndarray
    effect: np.ndarray
    effect_se: np.ndarray
    scale: np.ndarray  # weekly sales per unit of effect, per channel
    controls: tuple[str, ...]
    gamma: np.ndarray  # one per control, in target units per unit of the control
    season: np.ndarray
    intercept: float
    trend: float  # per week
    sigma: float
    weeks: int  # fitted on this many weeks
    evaluations: int

    @property
    def beta(self) -> np.ndarray:
        """Each channel's most, in weekly sales (see the class)."""
        return self.scale * self.effect

    @property
    def beta_se(self) -> np.ndarray:
        return self.scale * self.effect_se

    def saturation(self, spend: np.ndarray) -> np.ndarray:
        """Each week's and channel's share of the channel's most (weeks x channels), the spend
        starting at the first fitted week."""
        x = _check_spend(spend, len(self.channels))
        return hill(adstock(x, self.decay), self.half, self.shape)

    def media(self, spend: np.ndarray) -> np.ndarray:
        """Each week's and channel's contribution on its response curve, `beta` x saturation (weeks x
        channels): exact in the additive model, first order at the mean of the other terms in the
        multiplicative one (`contributions` is exact in both)."""
        return self.beta * self.saturation(spend)

    def predict(self, spend: np.ndarray, controls: np.ndarray | None = None) -> np.ndarray:
        """Weekly sales for spend and controls that start at the first fitted week."""
        eta, _ = self._linear(spend, controls)
        return np.exp(eta) if self.spec.log else eta

    def contributions(self, spend: np.ndarray, controls: np.ndarray | None = None) -> np.ndarray:
        """Each week's and channel's sales that the model loses when the channel is taken out (weeks x
        channels)."""
        eta, h = self._linear(spend, controls)
        if self.spec.log:
            return np.exp(eta)[:, None] * -np.expm1(-self.effect * h)
        return self.effect * h

    def media_total(self, spend: np.ndarray, controls: np.ndarray | None = None) -> np.ndarray:
        """Each week's sales that the model loses when every channel is taken out."""
        eta, h = self._linear(spend, controls)
        if self.spec.log:
            return np.exp(eta) * -np.expm1(-(h @ self.effect))
        return h @ self.effect

    def marginal(self, spend: np.ndarray, controls: np.ndarray | None = None) -> np.ndarray:
        """Per channel, d(contribution) / d(spend) when the channel's spend grows in proportion in every
        week, the others' held: the return of the next unit spent the way it is spent now (NaN for a
        channel with no spend). The multiplicative model needs the controls for it."""
        x = _check_spend(spend, len(self.channels))
        a = adstock(x, self.decay)
        with np.errstate(invalid="ignore"):
            lift = np.where(a > 0, hill_slope(a, self.half, self.shape) * a, 0.0)
        weight = self.predict(x, controls)[:, None] if self.spec.log else 1.0
        grow = self.effect * (weight * lift).sum(axis=0)
        total = x.sum(axis=0)
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.where(total > 0, grow / total, np.nan)

    def response(self, weekly_spend: np.ndarray) -> np.ndarray:
        """Each channel's weekly sales at a steady weekly spend (its adstock is then the spend): the
        Hill curve a budget split uses, `beta` x hill."""
        return self.beta * hill(np.asarray(weekly_spend, dtype=float), self.half, self.shape)

    def _linear(self, spend: np.ndarray, controls: np.ndarray | None) -> tuple[np.ndarray, np.ndarray]:
        """The target's prediction (ln sales, or sales) and the saturations, week by week."""
        x = _check_spend(spend, len(self.channels))
        n = x.shape[0]
        if controls is None and self.controls:
            raise EngineError("give the controls too, one column per control")
        z = np.zeros((n, 0)) if controls is None else np.asarray(controls, dtype=float).reshape(n, len(self.controls))
        h = hill(adstock(x, self.decay), self.half, self.shape)
        t = np.arange(n, dtype=float)
        f = fourier(n, self.season.size // 2)
        return self.intercept + self.trend * t + f @ self.season + z @ self.gamma + h @ self.effect, h


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


def _residual(q: np.ndarray, a: np.ndarray) -> np.ndarray:
    """What is left of a once its part in the span of q (orthonormal) is taken out."""
    return a - q @ (q.T @ a)


def _penalised_terms(n: int, z: np.ndarray, spec: Spec) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The Fourier terms and the controls, each standardised on the fitted weeks, with each one's prior
    standard deviation, and the (mean, sd) to undo the standardisation. A term constant over the
    fitted weeks (a holiday that never falls in them) is left at zero."""
    terms = np.column_stack([fourier(n, spec.fourier), z])
    prior = np.concatenate([np.full(2 * spec.fourier, spec.season_prior), np.full(z.shape[1], spec.control_prior)])
    mean, sd = terms.mean(axis=0), terms.std(axis=0)
    live = sd > 1e-12 * np.maximum(np.abs(terms).max(axis=0, initial=0.0), 1e-300)
    std = np.where(live, (terms - mean) / np.where(live, sd, 1.0), 0.0)
    return std, prior, np.column_stack([np.where(live, mean, 0.0), np.where(live, sd, np.inf)])


def fit_mmm(
    sales: np.ndarray,
    spend: np.ndarray,
    controls: np.ndarray | None = None,
    *,
    channels: tuple[str, ...] | list[str] | None = None,
    control_names: tuple[str, ...] | list[str] | None = None,
    spec: Spec = DEFAULT_SPEC,
    decay_bounds: tuple[float, float] = DEFAULT_DECAY_BOUNDS,
    half_bounds: tuple[float, float] = DEFAULT_HALF_BOUNDS,
    shape_bounds: tuple[float, float] = DEFAULT_SHAPE_BOUNDS,
    start: tuple[float, float, float] = DEFAULT_START,
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
    if spec.roas_prior <= 0 or spec.season_prior <= 0 or spec.control_prior <= 0 or spec.fourier < 0:
        raise EngineError("the priors' scales must be positive and the harmonics not negative")
    mean_spend = x.mean(axis=0)
    if (mean_spend <= 0).any():
        idle = ", ".join(nm for nm, s in zip(names, mean_spend, strict=True) if s <= 0)
        raise EngineError(f"no spend at all on {idle} in the fitted weeks: leave the channel out")
    free = np.column_stack([np.ones(n), np.arange(n, dtype=float)][: 1 + spec.trend])
    need = free.shape[1] + 2 * spec.fourier + z.shape[1] + 4 * c + 1
    if n < need:
        raise EngineError(f"{n} weeks are too few for {c} channels and {z.shape[1]} controls: need at least {need}")
    y_mean = float(y.mean())
    if spec.log and (y <= 0).any():
        raise EngineError("the multiplicative model takes ln(sales): every week's sales must be positive")
    if y_mean <= 0:
        raise EngineError("sales must be positive on average")
    target = np.log(y) if spec.log else y / y_mean
    terms, prior_sd, unscale = _penalised_terms(n, z, spec)
    xs = x / mean_spend
    roas_scale = spec.roas_prior * float(y.sum() / x.sum())
    # ROAS_c ~ b_c * sum_t w_t h_ct / spend_c, w_t = sales_t (ln sales) or mean sales; its prior row:
    # sigma * ROAS_c / roas_scale.
    weight = y if spec.log else np.full(n, y_mean)
    lo = np.repeat([decay_bounds[0], half_bounds[0], shape_bounds[0]], c)
    hi = np.repeat([decay_bounds[1], half_bounds[1], shape_bounds[1]], c)
    centre = np.clip(np.repeat(np.asarray(start, dtype=float), c), lo, hi)
    theta_sd = (hi - lo) / 2.0

    def curves(theta: np.ndarray) -> np.ndarray:
        return hill(adstock(xs, theta[:c]), theta[c : 2 * c], theta[2 * c :])

    # The noise, from a fit with every curve at the priors' centre and every term free: the priors' scale.
    q0 = _basis(np.column_stack([free, terms]))
    h0 = _residual(q0, curves(centre))
    t0 = _residual(q0, target)
    r0 = t0 - h0 @ np.linalg.lstsq(h0, t0, rcond=None)[0]
    sigma = float(np.sqrt(r0 @ r0 / max(n - q0.shape[1] - c, 1)))

    k = terms.shape[1]
    ridge = np.where(np.isfinite(prior_sd), sigma / prior_sd, 0.0)
    base = np.block([[free, terms], [np.zeros((k, free.shape[1])), np.diag(ridge)]])
    q = _basis(base)
    padded = np.concatenate([target, np.zeros(k)])
    t_perp = _residual(q, padded)

    def system(theta: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        h = curves(theta)
        prior = np.diag(sigma * (weight @ h) / (x.sum(axis=0) * roas_scale))
        h_perp = _residual(q, np.vstack([h, np.zeros((k, c))]))
        return np.vstack([h_perp, prior]), np.concatenate([t_perp, np.zeros(c)])

    def residuals(theta: np.ndarray) -> np.ndarray:
        a, b = system(theta)
        beta, _ = nnls(a, b)
        return np.concatenate([b - a @ beta, sigma * (theta - centre) / theta_sd])

    res = least_squares(residuals, centre, bounds=(lo, hi), method="trf", x_scale=hi - lo)
    theta = res.x
    a, b = system(theta)
    effect, _ = nnls(a, b)
    h = curves(theta)
    coef, *_ = np.linalg.lstsq(base, padded - np.vstack([h, np.zeros((k, c))]) @ effect, rcond=None)
    resid = b[:n] - a[:n] @ effect
    used = float((q[:n] ** 2).sum())  # the base's effective number of parameters (ridge shrinks it)
    cov = float(resid @ resid) / max(n - used - c, 1.0) * np.linalg.pinv(a.T @ a)
    effect_se = np.sqrt(np.maximum(np.diag(cov), 0.0))
    raw = coef[free.shape[1] :] / unscale[:, 1]  # per unit of each term
    intercept = float(coef[0] - raw @ unscale[:, 0])
    trend = float(coef[1]) if spec.trend else 0.0
    unit = 1.0 if spec.log else y_mean  # the target's units in sales
    if spec.log:  # exp(mean of the rest of ln sales), per channel
        eta = intercept + trend * np.arange(n) + np.column_stack([fourier(n, spec.fourier), z]) @ raw + h @ effect
        scale = np.exp((eta[:, None] - h * effect).mean(axis=0))
    else:
        scale = np.ones(c)
    return MMM(
        spec=spec,
        channels=names,
        decay=theta[:c].copy(),
        half=theta[c : 2 * c] * mean_spend,
        shape=theta[2 * c :].copy(),
        effect=effect * unit,
        effect_se=effect_se * unit,
        scale=scale,
        controls=cnames,
        gamma=raw[2 * spec.fourier :] * unit,
        season=raw[: 2 * spec.fourier] * unit,
        intercept=intercept * unit,
        trend=trend * unit,
        sigma=sigma * unit,
        weeks=n,
        evaluations=int(res.nfev),
    )


def rolling_origin_mape(
    sales: np.ndarray,
    spend: np.ndarray,
    controls: np.ndarray | None = None,
    *,
    origins: tuple[int, ...] | list[int],
    horizon: int,
    spec: Spec = DEFAULT_SPEC,
) -> np.ndarray:
    """Rolling-origin cross-validation: for each origin n, the MAPE (percent) of the forecast of weeks
    n..n+horizon-1 (0-based) by a model fitted on weeks 0..n-1, with those weeks' spend and controls
    known. No week at or after max(origins) + horizon is read."""
    y = np.asarray(sales, dtype=float)
    x = _check_spend(spend)
    z = np.zeros((y.size, 0)) if controls is None else np.asarray(controls, dtype=float).reshape(y.size, -1)
    if horizon < 1 or not origins or min(origins) < 1 or max(origins) + horizon > y.size:
        raise EngineError(f"origins and a horizon of at least one week must fit within the {y.size} weeks")
    out = np.empty(len(origins))
    for i, n in enumerate(origins):  # a handful of origins, each a whole fit
        m = fit_mmm(y[:n], x[:n], z[:n], spec=spec)
        out[i] = mape(y[n : n + horizon], m.predict(x[: n + horizon], z[: n + horizon])[n:])
    return out


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
    contribution: np.ndarray  # the sales each channel's removal takes away
    roas: np.ndarray  # contribution / spend
    roas_se: np.ndarray  # given the fitted curves
    marginal_roas: np.ndarray
    media_share: float  # of sales, lost when every channel is taken out
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
    spec: Spec = DEFAULT_SPEC,
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
    model = fit_mmm(y[:m], x[:m], z[:m], channels=channels, control_names=control_names, spec=spec)
    pred = model.predict(x, z)
    fitted = model.predict(x[:m], z[:m])
    h = model.saturation(x[:m])
    contribution = model.contributions(x[:m], z[:m]).sum(axis=0)
    # d contribution / d effect: sum_t fitted_t h_ct (multiplicative), sum_t h_ct (additive)
    per_effect = (fitted[:, None] * h).sum(axis=0) if model.spec.log else h.sum(axis=0)
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
        roas_se=model.effect_se * per_effect / spent,
        marginal_roas=model.marginal(x[:m], z[:m]),
        media_share=float(model.media_total(x[:m], z[:m]).sum() / y[:m].sum()),
        actual=y,
        predicted=pred,
    )
