"""Campaign tools: A/B test significance, budget split across channels, seasonality of the shop's
sales, a campaign plan that puts them together, the campaigns' performance (metrics over a period,
a ranked comparison), and pausing or resuming a campaign (writes, behind approval)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from typing import Any, Literal

import numpy as np
from pydantic import BaseModel, Field
from sqlalchemy import select
from sqlalchemy.orm import Session

from engine import EngineError, allocation, regression, stats, uplift
from engine.delivery import expected_day
from store import reference
from store.db import CampaignDay, Channel
from store.delivery import params_of
from tools import filters
from tools.base import Shop, ToolFailure, ToolSpec, get_campaign, reference_dir
from tools.delivery import (
    METHOD,
    Period,
    PeriodName,
    add,
    assumptions_of,
    campaigns_of,
    change_pct,
    check_period,
    covered,
    daily_series,
    figures,
    history_span,
    per_bucket,
    period_of,
    source_of,
    totals,
)
from tools.mmm import IMPORT_HINT, RESPONSE_CURVES, Fitted, shop_mix
from tools.profiling import NoArgs, segment_rows
from tools.reports import SalesReportArgs, TopProductsArgs, sales_report, top_products
from tools.series import SERIES_KEY, make_series

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


def budget_split(shop: Shop, session: Session, a: SplitArgs) -> dict[str, Any]:
    """Over the response curves fitted to the shop's media history when it has one (the total is
    then a weekly budget), else over the channels' assumed curves, saying so and how to fit them."""
    try:
        fitted = shop_mix(shop, session)
        unfit = None
    except ToolFailure as exc:  # a history too short or too thin to fit
        fitted, unfit = None, str(exc)
    if fitted is not None:
        return _split_fitted(fitted, a)
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
    why = "the shop has no media history" if unfit is None else f"the shop's media history cannot be fitted ({unfit})"
    return {
        "total": a.total,
        "split": [
            {"channel": n, "spend": round(float(s), 2), "expected_revenue": round(float(r), 2)}
            for n, s, r in zip(names, spend, revenue, strict=True)
        ],
        "expected_revenue": round(float(revenue.sum()), 2),
        "even_split_revenue": round(float(even.sum()), 2),
        "assumption": rows[0][3],
        "curve_source": "assumed",
        "fallback_reason": "no_media_history" if unfit is None else "media_history_not_fitted",
        "curves": f"fell back to assumed response curves: {why}; to get fitted ones, {IMPORT_HINT}",
    }


def _split_fitted(fitted: Fitted, a: SplitArgs) -> dict[str, Any]:
    """The budget split over the Hill curves of the shop's fitted marketing-mix model."""
    r, m = fitted.report, fitted.report.model
    names = list(m.channels)
    keep = list(range(len(names)))
    if a.channels:
        wanted = {c.lower() for c in a.channels}
        keep = [i for i, n in enumerate(names) if n.lower() in wanted]
        if not keep:
            raise ToolFailure(
                f"none of {a.channels} is a channel of the shop's media history; they are {', '.join(names)}"
            )
    idx = np.array(keep)
    live = idx[m.beta[idx] > 0]  # a channel with no measurable effect gets nothing
    spend = np.zeros(len(names))
    if live.size:
        spend[live] = allocation.allocate_budget(a.total, m.beta[live], m.half[live], shape=m.shape[live])
    revenue = m.response(spend)
    even = m.response(np.where(np.isin(np.arange(len(names)), idx), a.total / idx.size, 0.0))
    fit = f"fitted from {r.fitted_weeks} weeks of the shop's media history"
    if r.holdout_mape is None:
        fit += " (no weeks held out)"
    else:
        fit += f", hold-out MAPE {r.holdout_mape:.1f}%"
    if r.naive_mape is not None:
        rough = "" if r.beats_naive else ": the model does not beat it, so treat the split as rough"
        fit += f" (seasonal-naive forecast {r.naive_mape:.1f}%{rough})"
    if m.spec.log:
        fit += f"; {RESPONSE_CURVES[True]}"
    return {
        "total": a.total,
        "split": [
            {"channel": names[i], "spend": round(float(spend[i]), 2), "expected_revenue": round(float(revenue[i]), 2)}
            for i in keep
        ],
        "expected_revenue": round(float(revenue[idx].sum()), 2),
        "even_split_revenue": round(float(even[idx].sum()), 2),
        "assumption": f"{fit}; the total is a weekly budget, expected revenue the weekly sales it brings once steady",
        "curve_source": "fitted",
        "curves": fit,
        "period": "week",
        "fitted_weeks": r.fitted_weeks,
        "holdout_mape_pct": None if r.holdout_mape is None else round(r.holdout_mape, 1),
        "seasonal_naive_mape_pct": None if r.naive_mape is None else round(r.naive_mape, 1),
        "beats_seasonal_naive": r.beats_naive,
        "no_measurable_effect": [names[i] for i in keep if m.beta[i] <= 0],
        "curve_at": "mean_of_other_terms" if m.spec.log else "exact",
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
    low_m = min(by_month, key=lambda r: float(r["index"]))
    low_w = min(by_weekday, key=lambda r: float(r["index"]))
    no_trading = [d for i, d in enumerate(stats.WEEKDAYS) if not np.isfinite(w_idx[i])]
    first, last = (str(d.astype("datetime64[D]")) for d in (days.min(), days.max()))
    return {
        "measure": "average revenue per trading day, 1.0 = average",
        "from": first,
        "to": last,
        "by_month": by_month,
        "by_weekday": by_weekday,
        "peak_month": peak_m["month"],
        "peak_weekday": peak_w["weekday"],
        "low_month": low_m["month"],
        "low_weekday": low_w["weekday"],
        "no_trading_weekdays": no_trading,
        SERIES_KEY: make_series(
            title=f"Sales by month, {first} to {last}",
            x_label="month",
            y_label="revenue per trading day (index, 1.0 = average)",
            x=[r["month"] for r in by_month],
            lines={"sales index": [r["index"] for r in by_month], "average day": [1.0] * len(by_month)},
        ),
    }


class PlanArgs(BaseModel):
    total_budget: float | None = Field(None, gt=0, le=10**8, description="the budget to split, if known")
    occasion: str = Field("the next campaign", max_length=80)
    country: str | None = Field(
        None,
        min_length=2,
        max_length=200,
        description="a plan for one country's customers (e.g. United Kingdom): its audiences and how its last "
        "run-up sold",
    )
    win_back: bool = Field(
        False,
        description="a plan to win back lapsed customers: its audiences are the at-risk, need-attention and "
        "hibernating segments, not the best customers",
    )


def _easter(year: int) -> date:
    """Easter Sunday (the anonymous Gregorian computus)."""
    a, (b, c) = year % 19, divmod(year, 100)
    d, e = divmod(b, 4)
    g = (b - (b + 8) // 25 + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = divmod(c, 4)
    weekday = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * weekday) // 451
    month, day = divmod(h + weekday - 7 * m + 114, 31)
    return date(year, month, day + 1)


def _nth(year: int, month: int, weekday: int, n: int) -> date:
    """The n-th `weekday` (Monday 0) of a month."""
    first = date(year, month, 1)
    return first + timedelta(days=(weekday - first.weekday()) % 7 + 7 * (n - 1))


_SPRING_FESTIVAL = {  # 春节 (Chinese New Year's day)
    2010: (2, 14), 2011: (2, 3), 2012: (1, 23), 2013: (2, 10), 2014: (1, 31), 2015: (2, 19), 2016: (2, 8),
    2017: (1, 28), 2018: (2, 16), 2019: (2, 5), 2020: (1, 25), 2021: (2, 12), 2022: (2, 1), 2023: (1, 22),
    2024: (2, 10), 2025: (1, 29), 2026: (2, 17), 2027: (2, 6), 2028: (1, 26), 2029: (2, 13), 2030: (2, 3),
}  # fmt: skip
GIFT, SALE = 21, 7  # run-up days: a gift occasion is bought for over three weeks, a sale day is teased for one
OCCASION_DAYS: dict[str, tuple[Callable[[int], date | None], int]] = {  # an occasion's day in a year, its run-up
    "valentine": (lambda y: date(y, 2, 14), GIFT),
    "情人节": (lambda y: date(y, 2, 14), GIFT),
    "mother": (lambda y: _easter(y) - timedelta(days=21), GIFT),  # Mothering Sunday: the shop sells in the UK
    "母亲节": (lambda y: _easter(y) - timedelta(days=21), GIFT),  # (elsewhere: MOTHERS_DAY below)
    "father": (lambda y: _nth(y, 6, 6, 3), GIFT),
    "父亲节": (lambda y: _nth(y, 6, 6, 3), GIFT),
    "easter": (_easter, GIFT),
    "复活节": (_easter, GIFT),
    "halloween": (lambda y: date(y, 10, 31), GIFT),
    "万圣节": (lambda y: date(y, 10, 31), GIFT),
    "christmas": (lambda y: date(y, 12, 25), GIFT),
    "圣诞": (lambda y: date(y, 12, 25), GIFT),
    "black friday": (lambda y: _nth(y, 11, 3, 4) + timedelta(days=1), SALE),
    "黑五": (lambda y: _nth(y, 11, 3, 4) + timedelta(days=1), SALE),
    "cyber monday": (lambda y: _nth(y, 11, 3, 4) + timedelta(days=4), SALE),
    "boxing day": (lambda y: date(y, 12, 26), SALE),
    "january sale": (lambda y: date(y, 1, 2), SALE),  # the January sales open on the first working day
    "new year": (lambda y: date(y, 1, 1), SALE),
    "新年": (lambda y: date(y, 1, 1), SALE),
    "元旦": (lambda y: date(y, 1, 1), SALE),
    "双十一": (lambda y: date(y, 11, 11), SALE),
    "双十二": (lambda y: date(y, 12, 12), SALE),
    "618": (lambda y: date(y, 6, 18), SALE),
    "春节": (lambda y: date(y, *_SPRING_FESTIVAL[y]) if y in _SPRING_FESTIVAL else None, GIFT),
    "年货节": (lambda y: date(y, *_SPRING_FESTIVAL[y]) if y in _SPRING_FESTIVAL else None, GIFT),
}


def _last_sunday_of_may(year: int) -> date:
    """France's fête des mères: the last Sunday of May, a week later when that is Whit Sunday."""
    d = _nth(year, 5, 6, 4)
    d = d + timedelta(days=7) if (d + timedelta(days=7)).month == 5 else d
    return d + timedelta(days=7) if d == _easter(year) + timedelta(days=49) else d


MOTHERS_DAY: dict[str, Callable[[int], date]] = {  # Mother's Day where it is not the UK's Mothering Sunday
    "United Kingdom": lambda y: _easter(y) - timedelta(days=21),
    "EIRE": lambda y: _easter(y) - timedelta(days=21),
    "France": _last_sunday_of_may,
    "Spain": lambda y: _nth(y, 5, 6, 1),
    "Portugal": lambda y: _nth(y, 5, 6, 1),
    "Lithuania": lambda y: _nth(y, 5, 6, 1),
    "Norway": lambda y: _nth(y, 2, 6, 2),
    "Poland": lambda y: date(y, 5, 26),
}


def _second_sunday_of_may(year: int) -> date:
    """Mother's Day in Germany, the US, Australia, Italy and most other countries."""
    return _nth(year, 5, 6, 2)


def occasion_timing(shop: Shop, session: Session, occasion: str, country: str | None = None) -> dict[str, Any] | None:
    """When an occasion falls next (from the shop's today), the run-up to it, and how that run-up sold
    the last time the shop's history covers it (against the same days just before), with what sold
    best then; None for an occasion with no fixed day here."""
    low = occasion.lower()
    key = next((k for k in OCCASION_DAYS if k in low), None)
    if key is None:
        return None
    day_of, lead = OCCASION_DAYS[key]
    if key in ("mother", "母亲节") and country is not None:  # Mother's Day in Germany is in May, not March
        name = filters.country_codes(shop, country)[1]
        day_of = MOTHERS_DAY.get(name, _second_sunday_of_may)
    today, first = shop.today, date.fromisoformat(str(np.datetime64(int(shop.sales.day.min()), "D")))
    days = [d for y in range(first.year, today.year + 2) if (d := day_of(y)) is not None]
    upcoming = next((d for d in days if d >= today), None)
    out: dict[str, Any] = {"lead_days": lead}
    if upcoming is not None:
        begin = max(today, upcoming - timedelta(days=lead))  # (a run-up already under way starts today)
        out |= {"date": upcoming.isoformat(), "start": begin.isoformat(), "run_up_days": (upcoming - begin).days}
        if begin > upcoming - timedelta(days=lead):
            out["run_up_started"] = (upcoming - timedelta(days=lead)).isoformat()  # the usual start has passed
    past = [d for d in days if d - timedelta(days=lead) >= first and d <= today]  # a run-up the history covers
    # (the days before it, which it is compared with, may not be: then it has no change)
    if not past:
        out["last_time"] = None  # the history does not reach back over a whole run-up and the days before it
        return out
    last = past[-1]
    start, end = last - timedelta(days=lead), last - timedelta(days=1) if lead == GIFT else last
    where = {"start": start, "end": end, "country": country}
    report = sales_report(shop, session, SalesReportArgs.model_validate(where))
    top = top_products(shop, session, TopProductsArgs.model_validate({**where, "limit": 5}))
    out["last_time"] = {
        "date": last.isoformat(),
        "start": start.isoformat(),
        "end": end.isoformat(),
        "revenue": report["totals"]["revenue"],
        "change_pct": report["change_pct"].get("revenue") if report.get("previous") else None,
        "against": {k: report["previous_period"][k] for k in ("start", "end")},
        "top_products": [
            {k: p.get(k) for k in ("product_id", "stock_code", "description", "revenue", "units", "change_pct")}
            for p in top["products"]
        ],
    }
    return out


def campaign_plan(shop: Shop, session: Session, a: PlanArgs) -> dict[str, Any]:
    season = sales_seasonality(shop, session, NoArgs())
    split = budget_split(shop, session, SplitArgs(total=a.total_budget, channels=None)) if a.total_budget else None
    wanted = ("at_risk", "need_attention", "hibernating") if a.win_back else ("champions", "loyal", "at_risk")
    audiences = [
        {k: s[k] for k in ("segment", "customers", "revenue")}
        for s in segment_rows(shop, a.country)
        if s["segment"] in wanted
    ]
    out: dict[str, Any] = {
        "occasion": a.occasion,
        "total_budget": a.total_budget,
        "timing": {"peak_month": season["peak_month"], "peak_weekday": season["peak_weekday"]},
        "occasion_timing": occasion_timing(shop, session, a.occasion, a.country),
        "audiences": audiences,
        "channel_split": split["split"] if split else None,
        "expected_revenue": split["expected_revenue"] if split else None,
        "assumption": split["assumption"] if split else "give a total budget to get a channel split",
    }
    if a.country is not None:
        out["country"] = filters.country_codes(shop, a.country)[1]
    if a.win_back:
        out["win_back"] = True
    return out


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


_PERIOD = Field(None, description="the reporting period (default last_7_days), or give start and end dates")
_START = Field(None, description="first day of a custom period, YYYY-MM-DD")
_END = Field(None, description="last day of a custom period, YYYY-MM-DD (default: today)")


# what a chart of one figure per day draws: its key in the day's figures and its axis
ChartMetric = Literal["roas", "cpa", "ctr", "conversions", "conversion_rate", "clicks", "impressions", "cpc"]
_CHART_AXIS = {
    "roas": ("roas", "ROAS (revenue / spend)"),
    "cpa": ("cpa", "CPA (£ per conversion)"),
    "ctr": ("ctr_pct", "CTR (%)"),
    "conversions": ("conversions", "conversions"),
    "conversion_rate": ("conversion_rate_pct", "conversion rate (%)"),
    "clicks": ("clicks", "clicks"),
    "impressions": ("impressions", "impressions"),
    "cpc": ("cpc", "CPC (£ per click)"),
}


class MetricsArgs(BaseModel):
    campaign_id: int | None = Field(None, ge=1, le=10**6, description="one campaign; leave out for every campaign")
    campaign_ids: list[int] | None = Field(None, min_length=1, max_length=100, description="or several campaigns")
    period: PeriodName | None = _PERIOD
    start: date | None = _START
    end: date | None = _END
    by: Literal["day", "week"] | None = Field(
        None, description="also one row per day or week (the campaigns' figures summed), e.g. for daily ROAS"
    )
    chart: ChartMetric | None = Field(
        None,
        description="the figure the chart draws day by day (default: spend and revenue), e.g. ctr for "
        "'daily CTR with a chart'",
    )


def _report(shop: Shop, session: Session, ids: list[int] | None, a: Any) -> dict[str, Any]:
    """Each campaign's figures over the period, the previous period's, and their sum."""
    p: Period = period_of(shop.today, a.period, a.start, a.end)
    check_period(session, p)
    rows = campaigns_of(session, ids)
    cids = [c.id for c, _ in rows]
    prev = p.previous()
    has_prev = covered(session, prev)
    now_t = totals(session, cids, p)
    prev_t = totals(session, cids, prev) if has_prev else {}
    out = []
    for c, channel in rows:
        f = figures(now_t[c.id])
        before = figures(prev_t[c.id]) if has_prev else None
        out.append(
            {
                "campaign_id": c.id,
                "name": c.name,
                "channel": channel,
                "status": c.status,
                **f,
                "previous": before,
                "change_pct": change_pct(now_t[c.id], prev_t[c.id]) if has_prev else None,
            }
        )
    total_t = add(list(now_t.values()))
    prev_total_t = add(list(prev_t.values())) if has_prev else None
    total = figures(total_t)
    prev_total = figures(prev_total_t) if prev_total_t else None
    span = history_span(session)
    report: dict[str, Any] = {
        "period": p.as_dict(),
        "previous_period": prev.as_dict() if has_prev else None,
        "campaigns": out,
        "total": {
            **total,
            "previous": prev_total,
            "change_pct": change_pct(total_t, prev_total_t) if prev_total_t else None,
        },
    }
    if span is not None and p.start < span[0]:
        report["history_from"] = span[0].isoformat()  # the period's figures start where the history does
    if p.end >= shop.today:
        hours = session.scalar(select(CampaignDay.hours).where(CampaignDay.day == shop.today).limit(1))
        report["today_hours"] = hours  # today is the day so far
    report.update(method=METHOD, assumptions=assumptions_of(session, cids), source=source_of(session, cids))
    return report


def campaign_metrics(shop: Shop, session: Session, a: MetricsArgs) -> dict[str, Any]:
    ids = list(dict.fromkeys([*([a.campaign_id] if a.campaign_id is not None else []), *(a.campaign_ids or [])]))
    r = _report(shop, session, ids or None, a)
    head: dict[str, Any] = {"period": r["period"], "previous_period": r["previous_period"]}
    if len(r["campaigns"]) == 1 and ids:
        one = r["campaigns"][0]
        head.update(campaign_id=one["campaign_id"], name=one["name"], channel=one["channel"], status=one["status"])
    head["campaign_count"] = len(r["campaigns"])
    total = r.pop("total")
    out = {**head, **total, **{k: v for k, v in r.items() if k not in head}}
    p = period_of(shop.today, a.period, a.start, a.end)
    who = (
        f"Campaign {head['campaign_id']} ({head['name']})"
        if "campaign_id" in head
        else f"{len(r['campaigns'])} campaigns"
    )
    cids = [row["campaign_id"] for row in r["campaigns"]]
    if a.by is not None:
        out["rows"] = per_bucket(session, cids, p, a.by)
        out["rows_are"] = a.by
    series = daily_series(session, cids, p, shop.today, who)
    if a.chart is not None:  # one figure per day, as asked ("daily CTR with a chart")
        days = out["rows"] if a.by == "day" else per_bucket(session, cids, p, "day")
        key, axis = _CHART_AXIS[a.chart]
        series = (
            make_series(
                title=f"{who}: {axis} per day, {days[0]['day']} to {days[-1]['day']}",
                x_label="day",
                y_label=axis,
                x=[row["day"] + (" (so far)" if row["day"] == shop.today.isoformat() else "") for row in days],
                lines={axis: [row.get(key) for row in days]},
            )
            if len(days) >= 2
            else None
        )
    if series is not None:
        out[SERIES_KEY] = series
    return out


Metric = Literal[
    "roas", "cpa", "ctr", "conversions", "conversion_rate", "revenue", "spend", "clicks", "impressions", "cpc"
]
LOWER_IS_BETTER = frozenset({"cpa", "cpc"})


class CompareArgs(BaseModel):
    campaign_ids: list[int] | None = Field(
        None, min_length=1, max_length=100, description="the campaigns to compare; leave out for every campaign"
    )
    period: PeriodName | None = _PERIOD
    start: date | None = _START
    end: date | None = _END
    metric: Metric = Field("roas", description="what to rank by (CPA and CPC: lowest first; the rest: highest first)")


def compare_campaigns(shop: Shop, session: Session, a: CompareArgs) -> dict[str, Any]:
    r = _report(shop, session, a.campaign_ids, a)
    m = a.metric
    lower = m in LOWER_IS_BETTER

    def key(row: dict[str, Any]) -> tuple[bool, float]:
        v = row[m]
        return (v is None, 0.0 if v is None else (v if lower else -v))

    ranked = sorted(r["campaigns"], key=key)
    ranking = [
        {
            "rank": i,
            "campaign_id": row["campaign_id"],
            "name": row["name"],
            "channel": row["channel"],
            "status": row["status"],
            "value": row[m],
            "value_change_pct": (row["change_pct"] or {}).get(m),
            **{k: v for k, v in row.items() if k not in ("campaign_id", "name", "channel", "status")},
        }
        for i, row in enumerate(ranked, start=1)
    ]

    def short(row: dict[str, Any]) -> dict[str, Any]:
        return {k: row[k] for k in ("campaign_id", "name", "value")}

    return {
        "metric": m,
        "order": "lowest first" if lower else "highest first",
        "period": r["period"],
        "previous_period": r["previous_period"],
        "ranking": ranking,
        "best": short(ranking[0]),
        "worst": short(ranking[-1]),
        "total": r["total"],
        **{k: r[k] for k in ("method", "assumptions", "source") if k in r},
        **{k: r[k] for k in ("history_from", "today_hours") if k in r},
    }


class StatusArgs(BaseModel):
    campaign_id: int = Field(..., ge=1, le=10**6)


def _status_change(session: Session, campaign_id: int, to: str) -> dict[str, Any]:
    """A pause or a resume as the marketer approves it: the status now and after, and what a day of
    delivery at the campaign's bid and budget brings (what a pause stops, what a resume brings back)."""
    c = get_campaign(session, campaign_id)
    if c.status == to:
        raise ToolFailure(f"campaign {c.id} ({c.name}) is already {to}")
    if to == "active" and c.status != "paused":
        raise ToolFailure(f"campaign {c.id} ({c.name}) is {c.status}; only a paused campaign can be resumed")
    out: dict[str, Any] = {
        "campaign_id": c.id,
        "name": c.name,
        "target": f"campaign {c.id} ({c.name})",
        "field": "status",
        "from": c.status,
        "to": to,
        "warnings": [],
    }
    p = params_of(session, c.id)
    if p is not None:
        day = expected_day(p, bid=c.bid, budget=c.daily_budget).totals()
        out["per_day"] = {
            "spend": round(day["spend"], 2),
            "clicks": round(day["clicks"]),
            "conversions": round(day["conversions"], 1),
            "revenue": round(day["revenue"], 2),
            "basis": "expected day at the current bid and budget (simulated delivery)",
        }
    return out


def preview_pause(_shop: Shop, session: Session, a: StatusArgs) -> dict[str, Any]:
    return _status_change(session, a.campaign_id, "paused")


def preview_resume(_shop: Shop, session: Session, a: StatusArgs) -> dict[str, Any]:
    return _status_change(session, a.campaign_id, "active")


def pause_campaign(shop: Shop, session: Session, a: StatusArgs) -> dict[str, Any]:
    change = preview_pause(shop, session, a)
    get_campaign(session, a.campaign_id).status = "paused"
    return {**change, "applied": True}


def resume_campaign(shop: Shop, session: Session, a: StatusArgs) -> dict[str, Any]:
    change = preview_resume(shop, session, a)
    get_campaign(session, a.campaign_id).status = "active"
    return {**change, "applied": True}


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
    ToolSpec(
        "campaign_metrics",
        "How campaigns perform over a period (default the last 7 days; every campaign unless some are named): "
        "impressions, clicks, CTR, conversions, CPA, revenue, ROAS and spend, with the change against the period before.",
        MetricsArgs,
        campaign_metrics,
        AGENT,
    ),
    ToolSpec(
        "compare_campaigns",
        "Rank campaigns against each other over a period by a metric (ROAS by default; CPA, CTR, conversions, ...).",
        CompareArgs,
        compare_campaigns,
        AGENT,
    ),
    ToolSpec(
        "pause_campaign",
        "Pause a campaign: it stops entering auctions and spending (needs the marketer's approval).",
        StatusArgs,
        pause_campaign,
        AGENT,
        write=True,
        preview=preview_pause,
    ),
    ToolSpec(
        "resume_campaign",
        "Resume a paused campaign at its current bid and budget (needs the marketer's approval).",
        StatusArgs,
        resume_campaign,
        AGENT,
        write=True,
        preview=preview_resume,
    ),
]
