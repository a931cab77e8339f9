"""Campaign tools: A/B test significance, budget split across channels, seasonality of the shop's
sales, and a campaign plan that puts them together."""

from __future__ import annotations

from typing import Any

import numpy as np
from pydantic import BaseModel, Field
from sqlalchemy import select
from sqlalchemy.orm import Session

from engine import EngineError, allocation, regression, stats, uplift
from store import reference
from store.db import Channel
from tools.base import Shop, ToolFailure, ToolSpec, reference_dir
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
    return dict(shop.cached("seasonality", lambda: _seasonality(shop)))


def _seasonality(shop: Shop) -> dict[str, Any]:
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


class EmailArgs(BaseModel):
    share: float = Field(0.3, gt=0, le=1, description="the share of customers to mail, e.g. 0.3")


def email_targeting(shop: Shop, _s: Session, a: EmailArgs) -> dict[str, Any]:
    """Who should get the e-mail: an uplift model on the Hillstrom e-mail test (mail vs no mail,
    outcome = a site visit), trained on 70% and judged on the other 30%."""

    def build() -> dict[str, Any]:
        d = reference.hillstrom(reference_dir(shop.data_dir, "hillstrom"))
        treated = d["segment"] != "No E-Mail"
        rng = np.random.default_rng(2024)
        idx = rng.permutation(treated.size)
        train, test = idx[: int(0.7 * idx.size)], idx[int(0.7 * idx.size) :]
        model = uplift.fit_uplift(d["X"][train], treated[train], d["visit"][train])
        score = model(d["X"][test])
        frac, q = uplift.qini_curve(score, treated[test], d["visit"][test])
        return {"d": d, "test": test, "score": score, "frac": frac, "q": q, "treated": treated}

    m = shop.cached("email_uplift", build)
    d, test, score = m["d"], m["test"], m["score"]
    cut = np.quantile(score, 1 - a.share)
    chosen = test[score >= cut]
    newbie = d["X"][:, 4]
    rates = {
        "visit_rate_mailed_all": round(float(d["visit"][test][m["treated"][test]].mean()), 4),
        "visit_rate_not_mailed_all": round(float(d["visit"][test][~m["treated"][test]].mean()), 4),
    }
    return {
        "data": "Hillstrom e-mail test (64,000 customers; 30% held out)",
        "share_mailed": a.share,
        "share_mailed_pct": round(100 * a.share, 1),
        "share_of_uplift_captured_pct": round(100 * uplift.share_captured(m["frac"], m["q"], a.share), 1),
        "qini": round(uplift.qini_coefficient(m["frac"], m["q"]), 4),
        "targeted_profile": {
            "newbie_pct": round(100 * float(newbie[chosen].mean()), 1),
            "avg_history": round(float(d["X"][chosen, 1].mean()), 2),
            "avg_recency_months": round(float(d["X"][chosen, 0].mean()), 1),
        },
        "everyone_profile": {
            "newbie_pct": round(100 * float(newbie[test].mean()), 1),
            "avg_history": round(float(d["X"][test, 1].mean()), 2),
            "avg_recency_months": round(float(d["X"][test, 0].mean()), 1),
        },
        **rates,
    }


def campaign_effect(shop: Shop, _s: Session, _a: NoArgs) -> dict[str, Any]:
    """Did it work: difference in differences on the eBay paid-search shut-off (search ads off in
    some regions): the change in log revenue in treated regions against the others."""
    return dict(shop.cached("campaign_effect", lambda: _campaign_effect(shop)))


def _campaign_effect(shop: Shop) -> dict[str, Any]:
    d = reference.paidsearch(reference_dir(shop.data_dir, "paidsearch"))
    fit = regression.diff_in_diff(d["dma"], d["after"], d["search_off"], d["revenue"])
    effect, se = float(fit.coef[1]), float(fit.std_error[1])
    return {
        "data": "eBay paid-search shut-off (210 regions x 113 days)",
        "effect_log_revenue": round(effect, 4),
        "std_error": round(se, 4),
        "ci95": [round(effect - 1.96 * se, 4), round(effect + 1.96 * se, 4)],
        "effect_pct": round(100 * (np.exp(effect) - 1), 2),
        "significant": bool(abs(effect) > 1.96 * se),
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
        "email_targeting",
        "Who should get the e-mail: an uplift model (who visits because they were mailed) and the share "
        "of the uplift captured by mailing the top share.",
        EmailArgs,
        email_targeting,
        AGENT,
    ),
    ToolSpec(
        "campaign_effect",
        "Did the campaign work: difference in differences on a regional experiment (paid search switched off).",
        NoArgs,
        campaign_effect,
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
