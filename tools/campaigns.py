"""Campaign tools: A/B test significance, budget split across channels, seasonality of the shop's
sales, and a campaign plan that puts them together."""

from __future__ import annotations

from typing import Any

import numpy as np
from pydantic import BaseModel, Field
from sqlalchemy import select
from sqlalchemy.orm import Session

from engine import EngineError, allocation, stats
from store.db import Channel
from tools.base import Shop, ToolFailure, ToolSpec
from tools.profiling import NoArgs, rfm_segments

AGENT = "campaigns"


class ABArgs(BaseModel):
    conversions_a: int = Field(..., ge=0, le=10**9)
    visitors_a: int = Field(..., ge=1, le=10**9)
    conversions_b: int = Field(..., ge=0, le=10**9)
    visitors_b: int = Field(..., ge=1, le=10**9)


def ab_test(_shop: Shop, _s: Session, a: ABArgs) -> dict[str, Any]:
    try:
        r = stats.two_proportion_test(a.conversions_a, a.visitors_a, a.conversions_b, a.visitors_b)
    except EngineError as exc:
        raise ToolFailure(str(exc)) from exc
    out = {k: (round(v, 4) if isinstance(v, float) else v) for k, v in r.items()}
    out.update(
        rate_a_pct=round(100 * r["rate_a"], 2),
        rate_b_pct=round(100 * r["rate_b"], 2),
        relative_lift_pct=round(100 * r["relative_lift"], 1),
        prob_b_beats_a_pct=round(100 * r["prob_b_beats_a"], 1),
    )
    return out


class SplitArgs(BaseModel):
    total: float = Field(..., gt=0, le=10**8, description="the total budget to split")
    channels: list[str] | None = Field(None, description="limit to these channels")


def budget_split(_shop: Shop, session: Session, a: SplitArgs) -> dict[str, Any]:
    rows = session.execute(select(Channel.name, Channel.saturation, Channel.scale, Channel.source)).all()
    if a.channels:
        wanted = {c.lower() for c in a.channels}
        rows = [r for r in rows if r[0] in wanted]
        if not rows:
            known = ", ".join(r[0] for r in session.execute(select(Channel.name)).all())
            raise ToolFailure(f"none of {a.channels} is a channel; the channels are {known}")
    names = [r[0] for r in rows]
    sat = np.array([r[1] for r in rows])
    scale = np.array([r[2] for r in rows])
    spend = allocation.allocate_budget(a.total, sat, scale)
    revenue = allocation.channel_response(spend, sat, scale)
    even = allocation.channel_response(np.full(len(rows), a.total / len(rows)), sat, scale)
    return {
        "total": a.total,
        "split": [
            {"channel": n, "spend": round(float(s), 2), "expected_revenue": round(float(r), 2)}
            for n, s, r in zip(names, spend, revenue, strict=True)
        ],
        "expected_revenue": round(float(revenue.sum()), 2),
        "even_split_revenue": round(float(even.sum()), 2),
        "assumption": rows[0][3],
    }


def sales_seasonality(shop: Shop, _s: Session, _a: NoArgs) -> dict[str, Any]:
    days, inv = np.unique(shop.sales.day, return_inverse=True)
    daily = np.bincount(inv, weights=shop.sales.revenue)  # revenue per trading day
    m_idx = stats.seasonal_index(stats.month_of(days), daily, 12)
    w_idx = stats.seasonal_index(stats.weekday_of(days), daily, 7)
    by_month: list[dict[str, Any]] = [
        {"month": stats.MONTHS[i], "index": round(float(v), 2)} for i, v in enumerate(m_idx) if np.isfinite(v)
    ]
    by_weekday: list[dict[str, Any]] = [
        {"weekday": stats.WEEKDAYS[i], "index": round(float(v), 2)} for i, v in enumerate(w_idx) if np.isfinite(v)
    ]
    peak_m = max(by_month, key=lambda r: float(r["index"]))
    peak_w = max(by_weekday, key=lambda r: float(r["index"]))
    return {
        "measure": "average revenue per trading day, 1.0 = average",
        "from": str(days.min().astype("datetime64[D]")),
        "to": str(days.max().astype("datetime64[D]")),
        "by_month": by_month,
        "by_weekday": by_weekday,
        "peak_month": peak_m["month"],
        "peak_weekday": peak_w["weekday"],
    }


class PlanArgs(BaseModel):
    total_budget: float | None = Field(None, gt=0, le=10**8, description="the budget to split, if known")
    occasion: str = Field("the next campaign", max_length=80)


def campaign_plan(shop: Shop, session: Session, a: PlanArgs) -> dict[str, Any]:
    season = sales_seasonality(shop, session, NoArgs())
    split = budget_split(shop, session, SplitArgs(total=a.total_budget, channels=None)) if a.total_budget else None
    segs = rfm_segments(shop, session, NoArgs())["segments"]
    targets = [s for s in segs if s["segment"] in ("champions", "loyal", "at_risk")]
    return {
        "occasion": a.occasion,
        "total_budget": a.total_budget,
        "timing": {"peak_month": season["peak_month"], "peak_weekday": season["peak_weekday"]},
        "audiences": [{"segment": t["segment"], "customers": t["customers"], "revenue": t["revenue"]} for t in targets],
        "channel_split": split["split"] if split else None,
        "expected_revenue": split["expected_revenue"] if split else None,
        "assumption": split["assumption"] if split else "give a total budget to get a channel split",
    }


TOOLS = [
    ToolSpec(
        "ab_test",
        "Significance of an A/B test on conversion (two proportions) and the probability that B beats A.",
        ABArgs,
        ab_test,
        AGENT,
    ),
    ToolSpec(
        "budget_split",
        "Split a total budget across marketing channels for the most expected revenue.",
        SplitArgs,
        budget_split,
        AGENT,
    ),
    ToolSpec(
        "sales_seasonality",
        "Seasonality of the shop's sales by month and weekday.",
        NoArgs,
        sales_seasonality,
        AGENT,
    ),
    ToolSpec(
        "campaign_plan",
        "A campaign plan: timing, audiences and channel budget split for a total budget.",
        PlanArgs,
        campaign_plan,
        AGENT,
    ),
]
