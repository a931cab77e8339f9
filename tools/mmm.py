"""Which media drive sales: a marketing-mix model (engine/mmm.py) fitted on the shop's weekly media
history when it has one (`copilot import media FILE.csv`), else on the reference `mmm` set, which is
another retailer's data and is said to be so. The fit is cached per process, keyed by the data."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from engine import EngineError, mmm
from store import reference
from store.media import MediaHistory, media_history
from tools.base import Shop, ToolFailure, ToolSpec, reference_dir
from tools.series import SERIES_KEY, make_series

AGENT = "campaigns"
IMPORT_HINT = "import the shop's weekly sales and spend per channel with `copilot import media FILE.csv`"
REFERENCE_DATA = "the mmm_stan weekly retailer set (sibylhe/mmm_stan, MIT): another retailer's data, not this shop's"
# The reference set is fitted without its 50 controls: rolling-origin cross-validation inside its first
# 183 weeks found that they do not help the forecast at any prior (engine/mmm.py's table).
REFERENCE_CONTROLS_LEFT_OUT = (
    "its 50 controls (macro, store count, markdowns, publications, holidays, season dummies) are left out: "
    "rolling-origin cross-validation inside the first 183 weeks found they do not help the forecast"
)
SPEC_CHOICE = (
    "the model's form and priors were chosen only by rolling-origin cross-validation inside the first 183 weeks "
    f"of the reference mmm set (fit, forecast the next {mmm.CV_HORIZON} weeks, {len(mmm.CV_ORIGINS)} origins): "
    f"CV MAPE {mmm.CV_MAPE['default']}% against {mmm.CV_MAPE['seasonal_naive']}% for the seasonal-naive forecast "
    f"and {mmm.CV_MAPE['additive']}% for the additive model it replaced; the hold-out played no part"
)
RESPONSE_CURVES = {
    True: "each channel's Hill curve is its weekly sales at the mean of the other terms (exp of the mean of the rest "
    "of ln sales), to first order in its own effect",
    False: "each channel's Hill curve is its weekly sales, exactly (the model is additive)",
}
# The mmm_stan README's figures, in sample, from its Stan models (not reproduced here: that needs them).
PUBLISHED = {
    "control_model_mape_pct": 8.63,
    "multiplicative_mmm_mape_pct": 15.71,
    "media_share_pct_about": 20,
    "note": "published in-sample figures of the mmm_stan README (its Stan models, fitted on all 209 weeks)",
}


class MixArgs(BaseModel):
    holdout_weeks: int = Field(
        mmm.DEFAULT_HOLDOUT,
        ge=0,
        le=104,
        description="the last weeks held out to judge the model's forecast against the seasonal-naive one",
    )


@dataclass(frozen=True)
class Fitted:
    """A marketing-mix fit and what it was fitted on."""

    report: mmm.MixReport
    source: str  # "shop" or "reference"
    data: str  # the data, in words
    weeks: tuple[str, ...]  # each week's first day
    labels: dict[str, str] | None = None  # what the channel names stand for, when known


def shop_mix(shop: Shop, session: Session, holdout: int = mmm.DEFAULT_HOLDOUT) -> Fitted | None:
    """The fit on the shop's own media history; None when it has none. A history too short to fit
    is a ToolFailure saying how many weeks it needs."""
    history = media_history(session)
    if history is None:
        return None
    fitted: Fitted = shop.cached(f"media_mix:shop:{history.stamp}:{holdout}", lambda: _fit_shop(history, holdout))
    return fitted


def _fit_shop(history: MediaHistory, holdout: int) -> Fitted:
    n = len(history.weeks)
    if holdout >= n:
        raise ToolFailure(f"the shop's media history has {n} weeks: hold out fewer than that")
    spent = history.spend[: n - holdout].sum(axis=0) > 0
    channels = tuple(c for c, keep in zip(history.channels, spent, strict=True) if keep)
    report = _fit(
        history.sales,
        history.spend[:, spent],
        history.controls,
        holdout,
        channels=channels,
        control_names=history.control_names,
        what="the shop's media history",
    )
    weeks = tuple(w.isoformat() for w in history.weeks)
    dropped = [c for c, keep in zip(history.channels, spent, strict=True) if not keep]
    data = f"the shop's media history ({len(weeks)} weeks, {weeks[0]} to {weeks[-1]})"
    if dropped:
        data += f"; left out for no spend in the fitted weeks: {', '.join(dropped)}"
    return Fitted(report, "shop", data, weeks)


def _fit(
    sales: np.ndarray,
    spend: np.ndarray,
    controls: np.ndarray,
    holdout: int,
    *,
    channels: tuple[str, ...],
    control_names: tuple[str, ...],
    what: str,
) -> mmm.MixReport:
    if not channels:
        raise ToolFailure(f"{what} has no spend on any channel in the fitted weeks")
    try:
        return mmm.media_mix(sales, spend, controls, holdout=holdout, channels=channels, control_names=control_names)
    except EngineError as exc:
        raise ToolFailure(f"{what}: {exc}") from exc


def reference_mix(shop: Shop, holdout: int = mmm.DEFAULT_HOLDOUT) -> Fitted:
    """The fit on the reference `mmm` set (another retailer's weekly data)."""

    def build() -> Fitted:
        d = reference.mmm(reference_dir(shop.data_dir, "mmm"))
        report = _fit(
            d["sales"],
            d["spend"],
            np.zeros((d["sales"].size, 0)),  # its controls left out (REFERENCE_CONTROLS_LEFT_OUT)
            holdout,
            channels=d["channels"],
            control_names=(),
            what="the reference mmm set",
        )
        weeks = tuple(str(w) for w in d["week"])
        data = f"{REFERENCE_DATA} ({len(weeks)} weeks, {weeks[0]} to {weeks[-1]}; {REFERENCE_CONTROLS_LEFT_OUT})"
        return Fitted(report, "reference", data, weeks, reference.MMM_CHANNEL_LABELS)

    fitted: Fitted = shop.cached(f"media_mix:reference:{holdout}", build)
    return fitted


def verdict(r: mmm.MixReport) -> str:
    """Whether the model forecasts the hold-out better than the same week a year before."""
    if r.holdout_weeks == 0:
        return "no weeks held out: the model's forecast is not judged"
    if r.naive_mape is None:
        return (
            f"the history before the hold-out is shorter than {mmm.DEFAULT_SEASON} weeks: "
            "no seasonal-naive baseline to judge the model against"
        )
    if r.beats_naive:
        return (
            f"the model beats the seasonal-naive baseline out of sample (hold-out MAPE {r.holdout_mape:.1f}% "
            f"vs {r.naive_mape:.1f}%)"
        )
    return (
        f"the model does not beat the seasonal-naive baseline out of sample (hold-out MAPE {r.holdout_mape:.1f}% "
        f"vs {r.naive_mape:.1f}% for the same week a year before): treat its channel returns as rough"
    )


def _prior(v: float) -> float | None:
    """A prior's scale; None for none (a free term)."""
    return None if math.isinf(v) else v


def _pct(v: float | None) -> float | None:
    return None if v is None else round(float(v), 2)


def media_mix(shop: Shop, session: Session, a: MixArgs) -> dict[str, Any]:
    fitted = shop_mix(shop, session, a.holdout_weeks) or reference_mix(shop, a.holdout_weeks)
    r, m = fitted.report, fitted.report.model
    spec = m.spec
    low = np.maximum(r.roas - 1.96 * r.roas_se, 0.0)
    high = r.roas + 1.96 * r.roas_se
    total_spend = float(r.spend.sum())
    weekly = r.spend / r.fitted_weeks
    rows: list[dict[str, Any]] = [
        {
            "channel": c,
            "spend": round(float(r.spend[i]), 2),
            "spend_share_pct": round(100 * float(r.spend[i]) / total_spend, 1),
            "contribution": round(float(r.contribution[i]), 2),
            "sales_share_pct": round(100 * float(r.contribution[i]) / r.sales, 2),
            "roas": round(float(r.roas[i]), 2),
            "roas_ci95": [round(float(low[i]), 2), round(float(high[i]), 2)],
            "marginal_roas": round(float(r.marginal_roas[i]), 2),
            "clear": bool(low[i] > 0),
            "decay": round(float(m.decay[i]), 2),
            "half_saturation_weekly_spend": round(float(m.half[i]), 2),
            "shape": round(float(m.shape[i]), 2),
            "weekly_spend_now": round(float(weekly[i]), 2),
            "effect": round(float(m.effect[i]), 4),
            "most_weekly_sales": round(float(m.beta[i]), 2),
        }
        for i, c in enumerate(m.channels)
    ]
    if fitted.labels:
        for row in rows:
            row["label"] = fitted.labels.get(row["channel"], row["channel"])
    rows.sort(key=lambda row: -row["contribution"])
    fit_weeks = fitted.weeks[: r.fitted_weeks]
    out: dict[str, Any] = {
        "data": fitted.data,
        "source": fitted.source,
        "shop_data": fitted.source == "shop",
        "weeks": len(fitted.weeks),
        "fitted_weeks": r.fitted_weeks,
        "fitted_from": fit_weeks[0],
        "fitted_to": fit_weeks[-1],
        "holdout_weeks": r.holdout_weeks,
        "season_weeks": mmm.DEFAULT_SEASON,
        "holdout_mape_pct": _pct(r.holdout_mape),
        "seasonal_naive_mape_pct": _pct(r.naive_mape),
        "beats_seasonal_naive": r.beats_naive,
        "in_sample_mape_pct": _pct(r.in_sample_mape),
        "verdict": verdict(r),
        "sales": round(r.sales, 2),
        "media_spend": round(total_spend, 2),
        "media_share_pct": round(100 * r.media_share, 1),
        "channels": rows,
        "interval_pct": 95,
        "clear_channels": [row["channel"] for row in rows if row["clear"]],
        "method": (
            f"{'ln(weekly sales)' if spec.log else 'weekly sales'} = intercept + trend + yearly seasonality "
            f"({spec.fourier} Fourier harmonics) + controls + each channel's spend carried over (geometric adstock) "
            f"and saturating (Hill curve); penalised least squares with priors scaled by the noise, fitted on the "
            f"first {r.fitted_weeks} weeks, the last {r.holdout_weeks} held out; contribution = the sales lost "
            "when the channel is taken out; ROAS = contribution / spend over the fitted weeks, its 95% interval "
            "given the fitted curves; marginal ROAS = the return of the next unit spent"
        ),
        "model": "multiplicative" if spec.log else "additive",
        "target": "ln(sales)" if spec.log else "sales",
        "spec": {
            "trend": spec.trend,
            "fourier_harmonics": spec.fourier,
            "season_prior": _prior(spec.season_prior),
            "control_prior": _prior(spec.control_prior),
            "roas_prior": spec.roas_prior,
        },
        "spec_choice": SPEC_CHOICE,
        "cv_mape_pct": mmm.CV_MAPE["default"],
        "cv_seasonal_naive_mape_pct": mmm.CV_MAPE["seasonal_naive"],
        "controls": list(m.controls),
        "response_curves": RESPONSE_CURVES[spec.log],
    }
    if fitted.source == "reference":
        out["published"] = PUBLISHED
        out["how_to_fit_the_shop"] = IMPORT_HINT
    out[SERIES_KEY] = make_series(
        title=f"Weekly sales and the model ({'the shop' if fitted.source == 'shop' else 'reference retailer'})",
        x_label="week",
        y_label="sales",
        x=list(fitted.weeks),
        lines={"sales": r.actual.tolist(), "model": r.predicted.tolist()},
    )
    return out


TOOLS = [
    ToolSpec(
        "media_mix",
        "Which media actually drive sales: a marketing-mix model on weekly media spend and sales (carry-over, "
        "saturation per channel, controls), its hold-out error beside a seasonal-naive forecast, each channel's "
        "ROAS and marginal ROAS, and the share of sales from media.",
        MixArgs,
        media_mix,
        AGENT,
    ),
]
