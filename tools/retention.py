"""Retention: how many of a month's new customers will still be buying months later, by the
shifted-beta-geometric model (engine/retention.py) fitted to that first-purchase cohort.

The sBG model is contractual: it needs to know when each customer left. A shop has no
cancellations, so a lapse rule stands in for one (DEFINITION): a customer is still buying until
they go `lapse_months` calendar months in a row without an order. Whether a customer lapsed in
month k is known only once the `lapse_months` months from k are over, so the model is fitted on
the months whose status the data show in full, and projected past them.
"""

from __future__ import annotations

import re
from datetime import date, timedelta
from typing import Any

import numpy as np
from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from engine import EngineError, retention
from store.db import Meta
from store.shop import DATASET
from tools.base import Shop, ToolFailure, ToolSpec
from tools.series import SERIES_KEY, make_series

AGENT = "profiling"
DEFAULT_LAPSE_MONTHS = 3  # a quarter without an order
MIN_COHORT = 30  # new customers a cohort needs before its curve is fitted
MIN_MONTHS = 3  # months of observed status after the first: more than the model's two parameters
BACKTEST_MONTHS = 6  # observed months needed for a hold-out check: the first half fitted, the last month predicted
LAPSE_RULES = (2, 6)  # the lapse rules a marketer may choose, in months without an order
DEMO_SOURCE = "UCI Online Retail (the demo shop's real orders)"
OWN_SOURCE = "the shop's own orders"

DEFINITION = (
    "a customer is still buying in month k (k months after the month of their first order) until they go "
    "{w} calendar months in a row without an order; the lapse is dated to the first of those months, and a "
    "customer who comes back after a lapse stays counted as lapsed, as a cancelled subscription would"
)
_YEAR_MONTH = re.compile(r"^(\d{4})\s*[-/.]\s*(\d{1,2})$")
_EN_MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
_MONTH_NAME = re.compile(r"^(" + "|".join(_EN_MONTHS) + r")[a-z]*\.?(?:\s*,?\s*(\d{4}))?$")
_ZH_NUMBERS = ("一", "二", "三", "四", "五", "六", "七", "八", "九", "十", "十一", "十二")
_ZH_MONTH = re.compile(
    r"^(?:(\d{4})\s*年\s*)?(\d{1,2}|" + "|".join(sorted(_ZH_NUMBERS, key=len, reverse=True)) + r")\s*月(?:份)?$"
)


class RetentionArgs(BaseModel):
    cohort: str = Field(
        "2011-01", max_length=20, description='the first-purchase month of the new customers, "YYYY-MM"'
    )
    months_ahead: int = Field(
        12, ge=1, le=60, description="how many months after the cohort's first month to project to (12: a year on)"
    )
    lapse_months: int = Field(
        DEFAULT_LAPSE_MONTHS,
        ge=LAPSE_RULES[0],
        le=LAPSE_RULES[1],
        description="months in a row without an order after which a customer counts as no longer buying",
    )


def _month_label(month: int) -> str:
    """'YYYY-MM' of a month counted from 1970-01."""
    return str(np.datetime64(month, "M"))


def _last_full_month(today: date) -> int:
    """The last calendar month the data cover in full (the month of `today` only on its last day)."""
    month = int(np.datetime64(today, "M").astype(np.int64))
    return month if (today + timedelta(days=1)).month != today.month else month - 1


def monthly_activity(shop: Shop) -> dict[str, np.ndarray]:
    """Each customer's months with an order (customers x months from the first month with sales)
    and the index of their first one."""

    def build() -> dict[str, np.ndarray]:
        s = shop.sales
        month = s.day.astype("datetime64[D]").astype("datetime64[M]").astype(np.int64)
        first = int(month.min())
        customers, inv = np.unique(s.customer, return_inverse=True)
        active = np.zeros((customers.size, int(month.max()) - first + 1), dtype=bool)
        active[inv, month - first] = True
        return {"customer": customers, "active": active, "start": active.argmax(axis=1), "first_month": first}

    result: dict[str, np.ndarray] = shop.cached("retention_activity", build)
    return result


def _observable(start: int, last: int, window: int) -> int:
    """Months after cohort month `start` whose status is known with `last` the last full month."""
    return last - start - window + 1


def _cohorts(act: dict[str, np.ndarray], last: int, window: int) -> tuple[np.ndarray, list[int]]:
    """Cohort sizes (by month index) and the indices of the cohorts that can be fitted."""
    sizes = np.bincount(act["start"], minlength=act["active"].shape[1])
    ok = [c for c, n in enumerate(sizes) if n >= MIN_COHORT and _observable(c, last, window) >= MIN_MONTHS]
    return sizes, ok


def _parse(cohort: str, first_month: int, sizes: np.ndarray, valid: list[int]) -> int | None:
    """The month index a cohort names: "2011-01", "2011/1", "2011年1月", "January 2011", or a month
    alone ("Jan", "1月", "一月": its latest year that can be fitted, else its latest with new customers);
    None when it names no month."""
    text = cohort.strip().lower()
    year: int | None = None
    month: int | None = None
    if m := _YEAR_MONTH.match(text):
        year, month = int(m.group(1)), int(m.group(2))
    elif m := _MONTH_NAME.match(text):
        month = _EN_MONTHS.index(m.group(1)[:3]) + 1
        year = int(m.group(2)) if m.group(2) else None
    elif m := _ZH_MONTH.match(text):
        year = int(m.group(1)) if m.group(1) else None
        month = int(m.group(2)) if m.group(2).isdigit() else _ZH_NUMBERS.index(m.group(2)) + 1
    if month is None or not 1 <= month <= 12:
        return None
    if year is not None:
        return (year - 1970) * 12 + month - 1 - first_month
    same = [int(c) for c in np.flatnonzero(sizes) if (first_month + int(c)) % 12 == month - 1]
    fits = [c for c in same if c in valid]
    return (fits or same)[-1] if same else None


def _is_demo(session: Session) -> bool:
    """Whether the shop holds the demo data set (UCI Online Retail) rather than the marketer's own orders."""
    stamp = session.get(Meta, "dataset")
    return stamp is not None and stamp.value.startswith(f"{DATASET}:")


def _fit(act: dict[str, np.ndarray], c: int, last: int, window: int) -> tuple[np.ndarray, retention.SBG]:
    """Cohort c's survivor counts under the lapse rule of `window` months, and the sBG fitted to them."""
    members = act["start"] == c
    lapse = retention.lapse_periods(act["active"][members, : last + 1], act["start"][members], window)
    alive = retention.survivors_from_lapses(lapse, _observable(c, last, window))
    try:
        return alive, retention.fit_sbg(alive)
    except EngineError as exc:
        raise ToolFailure(f"cohort {_month_label(int(act['first_month']) + c)} cannot be fitted: {exc}") from exc


def _other_rules(act: dict[str, np.ndarray], c: int, last: int, window: int, months: int) -> list[dict[str, Any]]:
    """The projection at `months` under the other lapse rules that leave enough months observed."""
    out = []
    for w in range(LAPSE_RULES[0], LAPSE_RULES[1] + 1):
        if w == window or _observable(c, last, w) < MIN_MONTHS:
            continue
        try:
            alive, fit = _fit(act, c, last, w)
        except ToolFailure:  # e.g. nobody lapsed under a longer rule: that rule has no projection to show
            continue
        share = float(retention.survival(fit.alpha, fit.beta, months))
        out.append(
            {
                "lapse_months": w,
                "still_buying": round(float(alive[0]) * share),
                "still_buying_pct": round(100 * share, 1),
            }
        )
    return out


def _backtest(alive: np.ndarray, calendar: list[str]) -> dict[str, Any] | None:
    """The model fitted on the first half of the observed months only, against the last observed
    month: how far its projection was off on this cohort (None with too few months)."""
    seen = alive.size - 1
    if seen < BACKTEST_MONTHS:
        return None
    half = seen // 2
    try:
        fit = retention.fit_sbg(alive[: half + 1])
    except EngineError:
        return None
    share = float(retention.survival(fit.alpha, fit.beta, seen))
    return {
        "fitted_months": half,
        "month": calendar[seen],
        "predicted_pct": round(100 * share, 1),
        "observed_pct": round(100 * float(alive[seen] / alive[0]), 1),
    }


def _caveats(f: dict[str, Any], window: int, label: str) -> list[str]:
    """What the figures rest on, in words, from the facts the result also holds."""
    out = [
        f"months after {f['observed_through']} are projections: whether a customer lapsed in a month is known only "
        f"once the {window} months from it are over, and the last full month of data is {f['last_full_month']}"
        + (f" (the data end on {f['data_to']}, part of a month, not used)" if f["part_month_unused"] else "")
    ]
    if f["includes_earlier_customers"]:
        out.append(
            f"the data begin in {label}: customers first seen then may have bought before, so this cohort is not "
            "only new customers"
        )
    out.append(
        "the model lets the chance of lapsing differ between customers but not change with the season; how many "
        "count as still buying depends on the lapse rule"
    )
    if f["fit_on_edge"]:
        out.append("the fit reached the edge of its parameter range: the observed months do not pin the curve down")
    return out


def retention_projection(shop: Shop, session: Session, a: RetentionArgs) -> dict[str, Any]:
    act = monthly_activity(shop)
    first_month = int(act["first_month"])
    w = a.lapse_months
    last = _last_full_month(shop.today) - first_month  # month index of the last full month
    sizes, valid = _cohorts(act, last, w)
    listing = ", ".join(_month_label(first_month + c) for c in valid) or "none yet"
    rule = f"first-purchase months with at least {MIN_COHORT} new customers and {MIN_MONTHS} months observed after"
    c = _parse(a.cohort, first_month, sizes, valid)
    if c is None or not 0 <= c < sizes.size or sizes[c] == 0:
        raise ToolFailure(f"no cohort {a.cohort.strip()!r} in the shop's orders; the cohorts are {listing} ({rule})")
    label = _month_label(first_month + c)
    seen = _observable(c, last, w)
    if c not in valid:
        why = (
            f"has {int(sizes[c])} new customer{'s' if sizes[c] != 1 else ''} (fewer than {MIN_COHORT})"
            if sizes[c] < MIN_COHORT
            else f"has {max(seen, 0)} months observed (a lapse takes {w} months to see and the last full month is "
            f"{_month_label(first_month + last)})"
        )
        raise ToolFailure(f"cohort {label} {why}, too little to fit; the cohorts are {listing} ({rule})")

    alive, fit = _fit(act, c, last, w)
    n = int(alive[0])
    h = a.months_ahead
    months = np.arange(0, max(h, seen) + 1)
    fitted = retention.survival(fit.alpha, fit.beta, months)
    observed = alive / n
    rates = retention.retention_rates(fit.alpha, fit.beta, months[1:])
    calendar = [_month_label(first_month + c + int(k)) for k in months]
    rows = [
        {
            "month": int(k),
            "calendar": calendar[k],
            "observed_pct": round(100 * float(observed[k]), 1) if k <= seen else None,
            "observed_customers": int(alive[k]) if k <= seen else None,
            "fitted_pct": round(100 * float(fitted[k]), 1),
            "retention_rate_pct": round(100 * float(rates[k - 1]), 1),
        }
        for k in months[1:]
    ]
    gap = np.abs(fitted[: seen + 1] - observed)
    last_seen = _month_label(first_month + c + seen)
    start, end = (str(np.datetime64(int(d), "D")) for d in (shop.sales.day.min(), shop.sales.day.max()))
    demo = _is_demo(session)
    facts = {
        "observed_through": last_seen,
        "last_full_month": _month_label(first_month + last),
        "part_month_unused": last + 1 < sizes.size,  # the data end inside a month with sales
        "includes_earlier_customers": c == 0,  # the first month of data: earlier customers look new
        "fit_on_edge": fit.on_bound,
        "data_from": start,
        "data_to": end,
    }
    horizon = rows[h - 1]
    return {
        "cohort": label,
        "cohort_size": n,
        "months_ahead": h,
        "horizon_month": horizon["calendar"],
        "still_buying": round(n * float(fitted[h])),
        "still_buying_pct": horizon["fitted_pct"],
        "observed_at_horizon_pct": horizon["observed_pct"],
        "observed_at_horizon": horizon["observed_customers"],
        "alpha": round(fit.alpha, 3),
        "beta": round(fit.beta, 3),
        "months_observed": seen,
        "largest_gap_pp": round(100 * float(gap.max()), 1),
        "backtest": _backtest(alive, calendar),
        "months": rows,
        "lapse_months": w,
        "other_rules": _other_rules(act, c, last, w, h),
        "definition": DEFINITION.format(w=w),
        "model": "the shifted-beta-geometric model (Fader and Hardie 2007)",
        "caveats": _caveats(facts, w, label),
        **facts,
        "data": f"{DEMO_SOURCE if demo else OWN_SOURCE}, {start} to {end}",
        "demo_data": demo,
        SERIES_KEY: make_series(
            title=f"Customers of the {label} cohort still buying ({n:,} new customers)",
            x_label="month",
            y_label="still buying (% of the cohort)",
            x=calendar,
            lines={
                "observed": [100 * float(observed[k]) if k <= seen else None for k in months],
                "sBG fitted and projected": [100 * float(v) for v in fitted],
            },
            digits=1,
        ),
    }


TOOLS = [
    ToolSpec(
        "retention_projection",
        "How many of one month's new customers (a first-purchase cohort, 'YYYY-MM') are still buying each month "
        "after, observed and projected months ahead by a shifted-beta-geometric model fitted to the cohort; a "
        "customer counts as lapsed after lapse_months months in a row without an order. Answers 'how many of "
        "January's new customers will still buy next year?'.",
        RetentionArgs,
        retention_projection,
        AGENT,
    ),
]
