"""Attribution: which channel deserves the credit for conversions, under five models side by side, on
the shop's own journeys when it has imported them (`copilot import journeys FILE.csv`), else on the
`attribution` reference set (ChannelAttribution's 10,000 example journeys), which is said to be so
and says how to import the shop's. The encoded journeys are cached per process, keyed by the data."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Literal

import numpy as np
from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from engine import attribution
from store import reference
from store.journeys import journeys_stamp, shop_journeys
from tools.base import Shop, ToolFailure, ToolSpec, reference_dir

AGENT = "campaigns"
IMPORT_HINT = "import the shop's own journeys with `copilot import journeys FILE.csv` (path, conversions, value, nulls)"
SHOP_DATA = "the shop's journeys"
REFERENCE_DATA = "ChannelAttribution example journeys"
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
    """The reference journeys, parsed once per process (a ToolFailure saying how to fetch them when
    they are missing)."""
    base = reference_dir(shop.data_dir, "attribution")

    def build() -> attribution.Journeys:
        d = reference.attribution(base)
        return attribution.encode_paths(d["path"], d["conversions"], d["value"], d["nulls"])

    j: attribution.Journeys = shop.cached(f"attribution_journeys:{base}", build)
    return j


def _shop_journeys(shop: Shop, session: Session) -> tuple[attribution.Journeys, str] | None:
    """The shop's imported journeys and their file's stamp, read once per stamp; None when it has none."""
    stamp = journeys_stamp(session)
    if stamp is None:
        return None
    found = shop.cached(f"attribution_journeys:shop:{stamp}", lambda: shop_journeys(session))
    return None if found is None else (found.journeys, found.stamp)


def _shown(model: str, channels: int) -> tuple[list[str], dict[str, str]]:
    """The models a result shows: all five, or the one asked for beside a baseline (last touch, the
    usual default; for last touch itself, the Markov model); and those left out, with why. Shapley
    values sum over every coalition of channels, so journeys over more channels than the engine
    takes leave them out of `all`, and a request for them alone is refused."""
    if channels > attribution.MAX_SHAPLEY_CHANNELS:
        why = (
            f"Shapley values over every coalition take at most {attribution.MAX_SHAPLEY_CHANNELS} channels "
            f"and the journeys have {channels}"
        )
        if model == "shapley":
            raise ToolFailure(f"{why}; ask for the Markov model, or group the rare channels into one and import again")
        if model == "all":
            return [m for m in MODELS if m != "shapley"], {"shapley": why}
    if model == "all":
        return list(MODELS), {}
    return [model, "markov" if model == "last_touch" else "last_touch"], {}


def _disagreement(rows: list[dict[str, Any]], a: str, b: str, top: int) -> list[dict[str, Any]]:
    """The channels whose credit differs most between models a and b, largest gap first."""
    ranked = sorted(rows, key=lambda r: -abs(r[a] - r[b]))[:top]
    return [
        {"channel": r["channel"], "models": [a, b], a: r[a], b: r[b], "gap": round(r[a] - r[b], 2)}
        for r in ranked
        if r[a] != r[b]
    ]


def channel_attribution(shop: Shop, session: Session, a: AttributionArgs) -> dict[str, Any]:
    """Credit per channel under first-touch, last-touch, linear, Markov removal-effect and Shapley
    attribution, side by side, and where the models disagree most: on the shop's journeys when it has
    imported them, else on the reference set with the command that imports them."""
    own = _shop_journeys(shop, session)
    j = own[0] if own is not None else journeys(shop)
    if own is not None and a.metric == "value" and not j.value.sum() > 0:
        raise ToolFailure(
            "the shop's journeys carry no conversion value (no value column, or every value 0); credit "
            "conversions, or import the journeys again with a value column"
        )
    shown, left_out = _shown(a.model, len(j.channels))
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
    counted = f"{j.n:,} paths, {len(j.channels)} channels, {conv:,.0f} conversions, {nulls:,.0f} journeys without one"
    data: dict[str, Any] = (
        {
            "data": SHOP_DATA,
            "source": f"the shop's journeys ({counted}), imported from {own[1].rsplit(':', 2)[0]}",
            "shop_data": True,
            "stamp": own[1],
        }
        if own is not None
        else {
            "data": REFERENCE_DATA,
            "source": f"ChannelAttribution's example journeys ({counted}; DavideAltomare/ChannelAttribution, GPL-3, "
            "read in place); origin undocumented: a reference fixture, not a shop's real journeys",
            "shop_data": False,
            "import_hint": IMPORT_HINT,
        }
    )
    return {
        **data,
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
        "left_out": left_out,
    }


TOOLS = [
    ToolSpec(
        "channel_attribution",
        "Which channel deserves the credit: conversions (or their value) per channel from the shop's own "
        "journeys (imported with `copilot import journeys`; until then 10,000 example journeys) under "
        "first-touch, last-touch, linear, a Markov removal-effect model and Shapley values, side by side, "
        "and the channels where the models disagree most (last click vs data-driven).",
        AttributionArgs,
        channel_attribution,
        AGENT,
    ),
]
