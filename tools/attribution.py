"""Attribution: which channel deserves the credit for conversions, under five models side by side,
on the `attribution` reference set (ChannelAttribution's 10,000 example journeys)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Literal

import numpy as np
from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from engine import attribution
from store import reference
from tools.base import Shop, ToolSpec, reference_dir

AGENT = "campaigns"
MODELS: dict[str, Callable[[attribution.Journeys, attribution.Metric], np.ndarray]] = {
    "first_touch": attribution.first_touch,
    "last_touch": attribution.last_touch,
    "linear": attribution.linear_touch,
    "markov": attribution.markov_credit,
    "shapley": attribution.shapley_credit,
}


def _method(models: list[str], metric: str) -> str:
    """How the Markov and Shapley credits shown were made, in a sentence."""
    what = "conversions" if metric == "conversions" else "conversion value"
    parts = []
    if "markov" in models:
        parts.append(
            "Markov: a first-order chain of the journeys (consecutive repeats merged; journeys that did not "
            f"convert end in a null state), solved exactly; a channel's credit is its removal effect (the {what} "
            "lost when journeys reaching it end there) scaled to the total"
        )
    if "shapley" in models:
        parts.append(f"Shapley: v(S) = the {what} of journeys whose channels all lie in S, over every coalition")
    return "; ".join(parts)


class AttributionArgs(BaseModel):
    model: Literal["all", "first_touch", "last_touch", "linear", "markov", "shapley"] = Field(
        "all", description="one attribution model, or all five side by side"
    )
    metric: Literal["conversions", "value"] = Field(
        "conversions", description="credit the conversions, or their conversion value"
    )


def journeys(shop: Shop) -> attribution.Journeys:
    """The reference journeys, parsed once per process."""
    base = reference_dir(shop.data_dir, "attribution")

    def build() -> attribution.Journeys:
        d = reference.attribution(base)
        return attribution.encode_paths(d["path"], d["conversions"], d["value"], d["nulls"])

    j: attribution.Journeys = shop.cached(f"attribution_journeys:{base}", build)
    return j


def _shown(model: str) -> list[str]:
    """The models a result shows: all five, or the one asked for beside a baseline (last touch, the
    usual default; for last touch itself, the Markov model)."""
    if model == "all":
        return list(MODELS)
    return [model, "markov" if model == "last_touch" else "last_touch"]


def _disagreement(rows: list[dict[str, Any]], a: str, b: str, top: int) -> list[dict[str, Any]]:
    """The channels whose credit differs most between models a and b, largest gap first."""
    ranked = sorted(rows, key=lambda r: -abs(r[a] - r[b]))[:top]
    return [
        {"channel": r["channel"], "models": [a, b], a: r[a], b: r[b], "gap": round(r[a] - r[b], 2)}
        for r in ranked
        if r[a] != r[b]
    ]


def channel_attribution(shop: Shop, _s: Session, a: AttributionArgs) -> dict[str, Any]:
    """Credit per channel under first-touch, last-touch, linear, Markov removal-effect and Shapley
    attribution, side by side, and where the models disagree most."""
    j = journeys(shop)
    shown = _shown(a.model)
    digits = 1 if a.metric == "conversions" else 2
    credit = {m: MODELS[m](j, a.metric) for m in shown}
    total = float(attribution.credit_weights(j, a.metric).sum())
    key = "markov" if a.model == "all" else a.model
    order = np.argsort(-credit[key], kind="stable")
    rows = [
        {
            "channel": j.channels[i],
            **{m: round(float(credit[m][i]), digits) for m in shown},
            "share_pct": round(100 * float(credit[key][i]) / total, 1) if total > 0 else 0.0,
        }
        for i in order.tolist()
    ]
    pairs = [("first_touch", "last_touch"), ("markov", "last_touch")] if a.model == "all" else [(shown[0], shown[1])]
    conv, nulls = float(j.conversions.sum()), float(j.nulls.sum())
    return {
        "data": "ChannelAttribution example journeys",
        "source": f"ChannelAttribution's example journeys ({j.n:,} paths, {len(j.channels)} channels, "
        f"{conv:,.0f} conversions, {nulls:,.0f} journeys without one; DavideAltomare/ChannelAttribution, GPL-3, "
        "read in place); origin undocumented: a reference fixture, not a shop's real journeys",
        "model": a.model,
        "metric": a.metric,
        "models": shown,
        "sorted_by": key,
        "channels": rows,
        "totals": {
            "journeys": j.n,
            "channels": len(j.channels),
            "conversions": round(conv, 1),
            "value": round(float(j.value.sum()), 2),
            "nulls": round(nulls, 1),
            "conversion_rate_pct": round(100 * conv / (conv + nulls), 1) if conv + nulls > 0 else 0.0,
            "credited": round(total, digits),
        },
        "disagreements": [d for x, y in pairs for d in _disagreement(rows, x, y, 2)],
        "method": _method(shown, a.metric),
    }


TOOLS = [
    ToolSpec(
        "channel_attribution",
        "Which channel deserves the credit: conversions (or their value) per channel from 10,000 example "
        "journeys under first-touch, last-touch, linear, a Markov removal-effect model and Shapley values, "
        "side by side, and the channels where the models disagree most (last click vs data-driven).",
        AttributionArgs,
        channel_attribution,
        AGENT,
    ),
]
