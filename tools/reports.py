"""The shop's everyday reports: sales over a period (by day, week or month, optionally broken down
by country, product or customer segment) and the best or worst selling products, each against the
period before. Figures come straight from the order lines (tools/base.py Sales)."""

from __future__ import annotations

import calendar
import itertools
import math
import re
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any, Literal

import numpy as np
from pydantic import BaseModel, Field
from sqlalchemy import select
from sqlalchemy.orm import Session

from engine import segments
from store.db import Product
from tools import filters
from tools.base import ProductId, Shop, ToolFailure, ToolSpec, exported_rows, get_product, is_exporting
from tools.delivery import Period, PeriodName, period_of
from tools.profiling import catalog_facts, products_of_kind, rfm_table

AGENT = "profiling"

SalesPeriod = Literal[
    PeriodName,
    "this_quarter",
    "last_quarter",
    "last_3_months",
    "last_6_months",
    "last_12_months",
    "ytd",
    "last_year",
]
Grain = Literal["day", "week", "month"]
DEFAULT_PERIOD: SalesPeriod = "last_3_months"
DEFAULT_FOR_GRAIN: dict[str, SalesPeriod] = {"day": "last_30_days", "week": "last_90_days", "month": "last_12_months"}
MEASURES = ("revenue", "orders", "units", "customers")
MAX_LINES = 10  # a chart's lines at most, whatever the limit of a breakdown's rows
MIN_TOGETHER_FOR_LIFT = 5  # a lift read from fewer orders together is noise
LIFT_SUPPORT = 0.01  # ... or from fewer than 1% of the orders holding the product asked about
MIN_ORDERS_TO_READ = 20  # fewer orders holding the product than this: its shares are anecdotes

_PERIOD_TEXT = (
    "the period: last_7_days, last_30_days, this_month, last_month, this_quarter, last_quarter, "
    "last_3_months, last_12_months, ytd, last_year, ... (or give start and end dates). Last N days end the day "
    "before the shop's today; months, quarters and years are calendar ones"
)
_PERIOD = Field(None, description=_PERIOD_TEXT)
_MONTH = Field(
    None,
    min_length=1,
    max_length=20,
    description="a calendar month instead of a period: 2011-11, or a month's name or number (November, 11) for "
    "the latest one up to the shop's today",
)
_TO_MONTH = Field(
    None,
    min_length=1,
    max_length=20,
    description="with month: the last month of a range of months ('latest': up to the shop's today)",
)
_COMPARE_MONTH = Field(
    None,
    min_length=1,
    max_length=20,
    description="a calendar month to compare with instead of the period just before (November against September: "
    "month November, compare_month September), written as month is",
)
_LAST_YEAR = Field(
    False,
    description="compare with the same days a year before (year on year, 同比: December so far against the "
    "same days of last December) instead of the period just before",
)
_START = Field(None, description="first day of a custom period, YYYY-MM-DD")
_END = Field(None, description="last day of a custom period, YYYY-MM-DD (default: the shop's today)")


# -- periods ------------------------------------------------------------------------------------


def _months(d: date, n: int) -> date:
    """The first of the month n months after d's (n may be negative)."""
    k = d.year * 12 + d.month - 1 + n
    return date(k // 12, k % 12 + 1, 1)


def _same_day(first: date, d: date) -> date:
    """Day d.day of first's month, or that month's last day."""
    last = _months(first, 1) - timedelta(days=1)
    return first.replace(day=min(d.day, last.day))


def sales_period(today: date, name: SalesPeriod | None, start: date | None, end: date | None) -> tuple[Period, Period]:
    """The period a report covers and the one it is compared with: for calendar months, quarters and
    years the same span just before (October for November; this month so far against the same days
    of last month); otherwise the same number of days just before."""
    if start is not None or end is not None:
        p = period_of(today, None, start, end)
        return p, p.previous()
    name = name or DEFAULT_PERIOD
    if not _calendar(name):
        p = period_of(today, name, None, None)  # type: ignore[arg-type]
        return p, p.previous()
    month = today.replace(day=1)
    quarter = _months(month, -((today.month - 1) % 3))
    if name == "this_month":
        prev = _months(month, -1)
        return Period(name, month, today), Period("previous", prev, _same_day(prev, today))
    if name == "last_month":
        a = _months(month, -1)
        return Period(name, a, month - timedelta(days=1)), Period("previous", _months(a, -1), a - timedelta(days=1))
    if name == "this_quarter":
        prev = _months(quarter, -3)
        offset = _months(prev, (today.month - quarter.month))
        return Period(name, quarter, today), Period("previous", prev, _same_day(offset, today))
    if name == "last_quarter":
        a = _months(quarter, -3)
        return Period(name, a, quarter - timedelta(days=1)), Period("previous", _months(a, -3), a - timedelta(days=1))
    if name in ("last_3_months", "last_6_months", "last_12_months"):
        n = int(name.split("_")[1])
        a = _months(month, -n)
        return Period(name, a, month - timedelta(days=1)), Period("previous", _months(a, -n), a - timedelta(days=1))
    year = date(today.year, 1, 1)
    if name == "ytd":
        prev = date(today.year - 1, 1, 1)
        return Period(name, year, today), Period("previous", prev, _same_day(_months(prev, today.month - 1), today))
    a = date(today.year - 1, 1, 1)  # last_year
    return Period(name, a, year - timedelta(days=1)), Period("previous", date(a.year - 1, 1, 1), a - timedelta(days=1))


def _calendar(name: str) -> bool:
    return name in ("this_month", "last_month", "this_quarter", "last_quarter", "ytd", "last_year") or (
        name.startswith("last_") and name.endswith("_months")
    )


_MONTH_NAMES = {
    name: i
    for i, names in enumerate(
        (
            ("january", "jan"),
            ("february", "feb"),
            ("march", "mar"),
            ("april", "apr"),
            ("may",),
            ("june", "jun"),
            ("july", "jul"),
            ("august", "aug"),
            ("september", "sep", "sept"),
            ("october", "oct"),
            ("november", "nov"),
            ("december", "dec"),
        ),
        1,
    )
    for name in names
}


def _month_of(text: str) -> tuple[int | None, int]:
    """A month as written: 2011-11, 11, November -> (year or None, month)."""
    t = text.strip().lower()
    m = re.fullmatch(r"((?:19|20)\d\d)[-/.](\d{1,2})", t)
    year, month = (int(m.group(1)), int(m.group(2))) if m else (None, None)
    if month is None and t.isdigit():
        month = int(t)
    month = month if month is not None else _MONTH_NAMES.get(t)
    if month is None or not 1 <= month <= 12:
        raise ToolFailure(f"{text!r} is not a month; give it as 2011-11, a month's name (November) or its number (11)")
    return year, month


def month_period(today: date, month: str, to_month: str | None) -> tuple[Period, Period]:
    """A calendar month, or a range of them, and the same number of months just before. A month
    without its year is the latest one up to `today`; the range's end is the first one after its start."""
    y, m = _month_of(month)
    first = date(y if y is not None else (today.year if m <= today.month else today.year - 1), m, 1)
    last = first
    if to_month is not None and to_month.strip().lower() in ("latest", "now", "today"):
        last = date(today.year, today.month, 1)  # "since September": up to the month of today
    elif to_month is not None:
        y2, m2 = _month_of(to_month)
        last = date(y2, m2, 1) if y2 is not None else date(first.year + (m2 < first.month), m2, 1)
        if last < first:
            raise ToolFailure(f"the months run backwards ({first:%Y-%m} to {last:%Y-%m}); give the earlier month first")
        if last > date(today.year, today.month, 1):
            raise ToolFailure(
                f"{last:%Y-%m} is after the shop's latest orders ({today}); give months up to {today:%Y-%m}"
            )
    n = (last.year - first.year) * 12 + last.month - first.month + 1
    end = _months(last, 1) - timedelta(days=1)
    prev = _months(first, -n)
    prev_end = first - timedelta(days=1)
    if end > today >= last:  # the month so far, against the same days of the months before
        end, prev_end = today, _same_day(_months(last, -n), today)
    return Period("month", first, end), Period("previous", prev, prev_end)


def _year_before(d: date) -> date:
    """The same day a year before (29 February: the 28th)."""
    return d.replace(year=d.year - 1, day=min(d.day, 28) if (d.month, d.day) == (2, 29) else d.day)


def _period_of(today: date, a: Any, default: SalesPeriod) -> tuple[Period, Period]:
    """The period of a report's arguments (a month or a range of months, a named period, or dates) and
    the one it is compared with: the period just before, or the month asked for."""
    p, prev = _period_asked(today, a, default)
    if a.compare_last_year:  # 同比: the same days a year before
        if a.compare_month is not None:
            raise ToolFailure("give either compare_month or compare_last_year, not both")
        return p, Period("last_year", _year_before(p.start), _year_before(p.end))
    if a.compare_month is None:
        return p, prev
    other = month_period(today, a.compare_month, None)[0]
    if other.start <= p.end and p.start <= other.end:
        raise ToolFailure(
            f"the month to compare with ({other.start:%Y-%m}) overlaps the period itself ({p.start} to {p.end}); "
            "give another month"
        )
    return p, Period("compared", other.start, other.end)


def _period_asked(today: date, a: Any, default: SalesPeriod) -> tuple[Period, Period]:
    if a.month is not None:
        if a.period or a.start or a.end:
            raise ToolFailure("give either a month or a period (or start and end dates), not both")
        return month_period(today, a.month, a.to_month)
    if a.to_month is not None:
        raise ToolFailure("to_month ends a range of months; give the first month as month")
    return sales_period(today, a.period if a.period or a.start or a.end else default, a.start, a.end)


def _buckets(p: Period, by: Grain) -> list[tuple[str, date, date]]:
    """The period cut into days, weeks (Monday to Sunday) or calendar months, the first and last cut
    at the period's ends; each labelled by its first day (a month by YYYY-MM). A period of whole weeks
    that does not start on a Monday ("the last 8 weeks") is cut into 7-day weeks from its first day."""
    out: list[tuple[str, date, date]] = []
    d = p.start
    rolling = by == "week" and p.days % 7 == 0 and p.start.weekday() != 0
    while d <= p.end:
        if by == "day":
            nxt = d + timedelta(days=1)
        elif rolling:
            nxt = d + timedelta(days=7)
        elif by == "week":
            nxt = d + timedelta(days=7 - d.weekday())
        else:
            nxt = _months(d, 1)
        last = min(nxt - timedelta(days=1), p.end)
        out.append((d.strftime("%Y-%m") if by == "month" else d.isoformat(), d, last))
        d = nxt
    return out


def _default_grain(p: Period) -> Grain:
    return "day" if p.days <= 31 else ("week" if p.days <= 92 else "month")


# -- the figures --------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Lines:
    """The order lines a report reads, with each line's customer country and RFM segment as codes."""

    country: np.ndarray
    segment: np.ndarray


def _lines(shop: Shop) -> _Lines:
    def build() -> _Lines:
        s = shop.sales
        t = rfm_table(shop)
        seg_code = {name: i for i, name in enumerate(segments.SEGMENTS)}
        codes = np.array([seg_code[str(x)] for x in t["segment"]], dtype=np.int64)
        return _Lines(filters.country_of_customers(shop, s.customer), codes[np.searchsorted(t["customer"], s.customer)])

    result: _Lines = shop.cached("report_lines", build)
    return result


def _distinct(groups: np.ndarray, values: np.ndarray, n: int) -> np.ndarray:
    """How many distinct values each group 0..n-1 has."""
    if groups.size == 0:
        return np.zeros(n, dtype=np.int64)
    pairs = np.unique(groups.astype(np.int64) * (int(values.max()) + 1) + values.astype(np.int64))
    return np.bincount(pairs // (int(values.max()) + 1), minlength=n)


def _sums(shop: Shop, mask: np.ndarray, groups: np.ndarray, n: int) -> dict[str, np.ndarray]:
    """Revenue, orders, units and customers of the lines in `mask`, per group 0..n-1."""
    s = shop.sales
    g = groups[mask]
    return {
        "revenue": np.bincount(g, weights=s.revenue[mask], minlength=n),
        "orders": _distinct(g, s.order[mask], n),
        "units": np.bincount(g, weights=s.quantity[mask], minlength=n),
        "customers": _distinct(g, s.customer[mask], n),
    }


def _figures(sums: dict[str, np.ndarray], i: int) -> dict[str, Any]:
    out: dict[str, Any] = {
        "revenue": round(float(sums["revenue"][i]), 2),
        "orders": int(sums["orders"][i]),
        "units": round(float(sums["units"][i])),
        "customers": int(sums["customers"][i]),
    }
    out["aov"] = round(out["revenue"] / out["orders"], 2) if out["orders"] else None  # average order value
    out["avg_order_value"] = out["aov"]  # its earlier name, kept for readers of it
    return out


def change_of(now: float, before: float | None) -> tuple[float | None, float | None]:
    """The change and the change in percent (None when there is nothing before to compare with)."""
    if before is None:
        return None, None
    return round(now - before, 2), (round(100 * (now / before - 1), 1) if before else None)


def _in(shop: Shop, p: Period) -> np.ndarray:
    day = shop.sales.day
    return (day >= filters.day_number(p.start)) & (day <= filters.day_number(p.end))


def _selection(shop: Shop, country: str | None, segment: str | None) -> tuple[np.ndarray, dict[str, Any]]:
    """The order lines of one country's or one RFM segment's customers (all when neither is given)."""
    lines = _lines(shop)
    keep = np.ones(shop.sales.day.size, dtype=bool)
    stated: dict[str, Any] = {}
    if country is not None:
        codes, name = filters.country_codes(shop, country)
        keep &= np.isin(lines.country, codes)
        stated["country"] = name
    if segment is not None:
        seg = filters.segment_name(segment)
        keep &= lines.segment == segments.SEGMENTS.index(seg)
        stated["segment"] = seg
        stated["segment_is"] = "each customer's RFM segment as of the shop's today"
    return keep, stated


def _first_day(shop: Shop) -> date:
    return date.fromisoformat(str(np.datetime64(int(shop.sales.day.min()), "D")))


def _history(shop: Shop, p: Period) -> tuple[date, bool]:
    """The shop's first day of sales, and whether the history covers all of period p."""
    first = _first_day(shop)
    return first, p.start >= first


def _check_covered(shop: Shop, p: Period) -> None:
    first = _first_day(shop)
    if p.end < first or p.start > shop.today:
        raise ToolFailure(
            f"there are no sales from {p.start} to {p.end}; the shop's sales run from {first} to {shop.today}"
        )


def _names(session: Session, ids: list[int]) -> dict[int, tuple[str, str]]:
    rows = session.execute(select(Product.id, Product.stock_code, Product.description).where(Product.id.in_(ids)))
    return {pid: (code, desc) for pid, code, desc in rows}


# -- sales_report -------------------------------------------------------------------------------


_PRODUCTS: Any = Field(
    None, min_length=1, max_length=100, description="only these products (e.g. the ones just listed, or 3220)"
)
_KIND: Any = Field(
    None,
    min_length=2,
    max_length=100,
    description="only one kind of product: those whose description holds every word of this "
    "(doormat, lunch box; Chinese through the glossary: 门垫)",
)


class SalesReportArgs(BaseModel):
    period: SalesPeriod | None = _PERIOD
    start: date | None = _START
    end: date | None = _END
    month: str | None = _MONTH
    to_month: str | None = _TO_MONTH
    compare_month: str | None = _COMPARE_MONTH
    compare_last_year: bool = _LAST_YEAR
    by: Grain | None = Field(None, description="one row per day, week or month (default: by the period's length)")
    breakdown: Literal["none", "country", "product", "segment"] = Field(
        "none", description="split the figures by the customers' country, by product or by RFM segment"
    )
    country: str | None = filters.COUNTRY
    segment: str | None = filters.SEGMENT
    product_ids: list[int] | None = _PRODUCTS
    query: str | None = _KIND
    limit: int = Field(10, ge=1, le=50, description="how many rows of the breakdown (largest revenue first)")


def _whole_days(by: str, start: str) -> int:
    """The days of a whole day, week or month bucket starting on `start`."""
    if by == "day":
        return 1
    if by == "week":
        return 7
    d = date.fromisoformat(start)
    return calendar.monthrange(d.year, d.month)[1]


def sales_report(shop: Shop, session: Session, a: SalesReportArgs) -> dict[str, Any]:
    """Revenue, orders, units and customers over a period, per day, week or month, against the
    period before; optionally for one country or segment, broken down by country, product or segment."""
    p, prev = _period_of(shop.today, a, DEFAULT_FOR_GRAIN[a.by] if a.by else DEFAULT_PERIOD)
    _check_covered(shop, p)
    by = a.by or _default_grain(p)
    keep, stated = _selection(shop, a.country, a.segment)
    given = _given(shop, session, a, stated)
    if given is not None:  # "weekly doormat sales": the sales of those products only
        keep &= np.isin(shop.sales.product, given)
        if a.product_ids and not a.query:
            facts = catalog_facts(session, [int(g) for g in given])  # with each one's list price today
            stated["products"] = [{"product_id": pid, **facts[pid]} for pid in sorted(facts)]
    first, prev_covered = _history(shop, prev)
    now, before = keep & _in(shop, p), keep & _in(shop, prev)
    zero = np.zeros(shop.sales.day.size, dtype=np.int64)
    totals = _figures(_sums(shop, now, zero, 1), 0)
    previous = _figures(_sums(shop, before, zero, 1), 0) if prev_covered else None
    change = {m: change_of(totals[m], previous[m] if previous else None) for m in MEASURES}
    change["aov"] = (
        change_of(totals["aov"], previous["aov"] if previous else None) if totals["aov"] is not None else (None, None)
    )

    cuts = _buckets(p, by)
    starts = np.array([filters.day_number(c[1]) for c in cuts])
    bucket = np.clip(np.searchsorted(starts, shop.sales.day, side="right") - 1, 0, len(cuts) - 1)
    per = _sums(shop, now, bucket, len(cuts))
    rows = [
        {"label": lab, "start": s.isoformat(), "end": e.isoformat(), "days": (e - s).days + 1, **_figures(per, i)}
        for i, (lab, s, e) in enumerate(cuts)
    ]
    for row in rows:  # a bucket cut short by the period's ends is not whole
        row["whole"] = row["days"] == _whole_days(by, row["start"])
    for earlier, row in itertools.pairwise(rows):  # against the bucket before, when both are whole
        both = earlier["whole"] and row["whole"]
        row["revenue_vs_previous_pct"] = (
            round(100.0 * (row["revenue"] / earlier["revenue"] - 1), 1) if both and earlier["revenue"] else None
        )
    where = "".join(f", {v}" for k, v in stated.items() if k in ("country", "segment", "kind"))
    if stated.get("products"):
        where += ", " + ", ".join(str(x["description"]) for x in stated["products"][:3])
    series: dict[str, Any] = {
        "title": f"Revenue by {by}, {p.start} to {p.end}{where}",
        "x_label": by,
        "y_label": "revenue (£)",
        "x": [r["label"] if r["whole"] else f"{r['label']} ({r['days']} days)" for r in rows],  # a part of a
        "lines": {"revenue": [r["revenue"] for r in rows]},  # month is no fall: its x label says how short
    }
    report: dict[str, Any] = {
        "as_of": shop.today.isoformat(),
        "period": p.as_dict(),
        "previous_period": {**prev.as_dict(), "covered": prev_covered},
        "by": by,
        "by_asked": a.by is not None,  # rows asked for (by day, week or month), or cut by the period's length
        "filters": stated,
        "totals": totals,
        "previous": previous,
        "change": {m: c[0] for m, c in change.items()},
        "change_pct": {m: c[1] for m, c in change.items()},
        "rows": rows,
        "series": series,
        "method": "sums of the kept order lines (cancellations netted out); orders = invoices, customers = "
        "distinct customers, aov = revenue / orders (average order value); change against the period before "
        "of the same length (the calendar months, quarter or year before for those), or the month asked for",
    }
    if {"country", "segment", "kind", "products"} & set(stated):  # a part of the shop: its share of the whole
        whole = _figures(_sums(shop, _in(shop, p), zero, 1), 0)["revenue"]
        report["shop_revenue"] = whole
        report["share_of_shop_pct"] = round(100.0 * totals["revenue"] / whole, 1) if whole else None
    if not prev_covered:
        report["note"] = (
            f"the shop's sales start on {first}, so the period before ({prev.start} to {prev.end}) "
            "is not covered and there is no change to show"
        )
    if a.breakdown != "none":
        report["breakdown"] = _breakdown(
            shop, session, a, now, before if prev_covered else None, bucket, len(cuts), report.get("shop_revenue")
        )
        lines = report["breakdown"]["rows"][:MAX_LINES]
        series["title"] = f"Revenue by {by} and {a.breakdown}, {p.start} to {p.end}{where}"
        series["lines"] = {r["name"]: r.pop("_per_bucket") for r in lines}
        for r in report["breakdown"]["rows"]:
            r.pop("_per_bucket", None)
    return report


def _breakdown(
    shop: Shop,
    session: Session,
    a: SalesReportArgs,
    now: np.ndarray,
    before: np.ndarray | None,
    bucket: np.ndarray,
    n_buckets: int,
    shop_revenue: float | None = None,
) -> dict[str, Any]:
    """Each group's figures; `shop_revenue`: the whole shop's over the period, when the report keeps to a
    part of it ("德国和法国各占全店多少": each group's share of the shop too)."""
    s = shop.sales
    if a.breakdown == "country":
        groups, labels = _lines(shop).country, filters.countries(shop)[2]
    elif a.breakdown == "segment":
        groups, labels = _lines(shop).segment, list(segments.SEGMENTS)
    else:
        groups, labels = s.product, []
    n = int(groups.max()) + 1
    cur = _sums(shop, now, groups, n)
    prev = _sums(shop, before, groups, n) if before is not None else None
    # every segment is shown (a fixed few: one with no sales then is a finding); countries and products that sold
    ranked = [
        int(i) for i in np.argsort(-cur["revenue"], kind="stable") if cur["revenue"][i] > 0 or a.breakdown == "segment"
    ]
    top = ranked[: exported_rows(a)] if is_exporting() else ranked[: a.limit]  # an export holds every group asked for
    grid = np.bincount(groups[now] * n_buckets + bucket[now], weights=s.revenue[now], minlength=n * n_buckets)
    grid = grid.reshape(n, n_buckets)
    names = _names(session, top) if a.breakdown == "product" else {}
    total = float(cur["revenue"].sum())
    rows = []
    for i in top:
        row: dict[str, Any] = {}
        if a.breakdown == "product":
            code, desc = names.get(i, ("", ""))
            row |= {"product_id": i, "stock_code": code, "description": desc, "name": f"{code} {desc}".strip()}
        else:
            row["name"] = labels[i]
        row |= _figures(cur, i)
        row["share_pct"] = round(100 * float(cur["revenue"][i]) / total, 1) if total else None
        if shop_revenue:
            row["shop_share_pct"] = round(100 * float(cur["revenue"][i]) / shop_revenue, 1)
        before_rev = round(float(prev["revenue"][i]), 2) if prev is not None else None
        row["previous_revenue"] = before_rev
        row["change"], row["change_pct"] = change_of(row["revenue"], before_rev)
        rows.append(row)
    groups_sold = len(ranked) if a.breakdown == "segment" else int((cur["revenue"] > 0).sum())
    out: dict[str, Any] = {"by": a.breakdown, "groups": groups_sold, "rows": rows[: a.limit]}
    if len(rows) > a.limit or is_exporting():  # an export of a breakdown holds its groups, not the days
        out["all_rows"] = [dict(r) for r in rows]
    for row, i in zip(rows[: a.limit], top, strict=False):
        row["_per_bucket"] = [round(float(v), 2) for v in grid[i]]
    if a.breakdown == "segment":
        out["segment_is"] = "each customer's RFM segment as of the shop's today, for both periods"
    return out


# -- top_products -------------------------------------------------------------------------------


class TopProductsArgs(BaseModel):
    period: SalesPeriod | None = Field(None, description="the period (default last_30_days); " + _PERIOD_TEXT)
    start: date | None = _START
    end: date | None = _END
    month: str | None = _MONTH
    to_month: str | None = _TO_MONTH
    compare_month: str | None = _COMPARE_MONTH
    compare_last_year: bool = _LAST_YEAR
    order: Literal["best", "worst", "both"] = Field(
        "best", description="best sellers, worst sellers, or both (the top and the bottom of the list)"
    )
    metric: Literal["revenue", "units"] = Field("revenue", description="rank by revenue or by units sold")
    worst_by: Literal["fall", "lowest"] = Field(
        "fall",
        description="for worst sellers: the biggest fall against the period before (among products that sold "
        "then), or the lowest sales among products that sold in both periods",
    )
    country: str | None = filters.COUNTRY
    segment: str | None = filters.SEGMENT
    product_ids: list[int] | None = _PRODUCTS
    query: str | None = _KIND
    limit: int = Field(10, ge=1, le=100, description="how many products")


def _given(
    shop: Shop, session: Session, a: TopProductsArgs | SalesReportArgs, stated: dict[str, Any]
) -> np.ndarray | None:
    """The products a ranking is limited to (those given, each checked to exist, and those of the kind
    `query` names), or None for every product."""
    ids = list(dict.fromkeys(get_product(session, pid).id for pid in a.product_ids or []))
    if a.query:
        words, holding = products_of_kind(shop, a.query)
        if not holding:
            raise ToolFailure(
                f"no product's description holds every word of “{words or a.query}”; "
                "name the kind of product in the catalog's words (e.g. doormat, lunch box, t-light holder)"
            )
        stated["kind"], stated["kind_products"] = words, len(holding)
        ids = [p for p in ids if p in set(holding)] if a.product_ids else holding
        if not ids:
            raise ToolFailure(f"none of the products given are a {words}; drop one of the two filters")
    return np.array(ids, dtype=np.int64) if ids else None


def _given_are(stated: dict[str, Any]) -> str:
    return f"products whose description holds “{stated['kind']}”" if "kind" in stated else "products given"


def top_products(shop: Shop, session: Session, a: TopProductsArgs) -> dict[str, Any]:
    """The best or worst selling products over a period, by revenue or units, against the period before
    (both: the best, with the worst beside them)."""
    if a.order == "both":
        best = _ranked(shop, session, a.model_copy(update={"order": "best"}))
        worst = _ranked(shop, session, a.model_copy(update={"order": "worst"}))
        return {**best, "order": "both", "worst": {k: worst[k] for k in ("order", "rule", "products")}}
    return _ranked(shop, session, a)


def _ranked(shop: Shop, session: Session, a: TopProductsArgs) -> dict[str, Any]:
    p, prev = _period_of(shop.today, a, "last_30_days")
    _check_covered(shop, p)
    keep, stated = _selection(shop, a.country, a.segment)
    first, prev_covered = _history(shop, prev)
    s = shop.sales
    given = _given(shop, session, a, stated)
    n = max(int(s.product.max()), int(given.max()) if given is not None else 0) + 1
    cur = _sums(shop, keep & _in(shop, p), s.product, n)
    old = _sums(shop, keep & _in(shop, prev), s.product, n)
    m = a.metric
    notes: list[str] = []
    if a.order == "worst" and a.worst_by == "fall" and prev_covered:  # "which doormats tanked"
        pool = given if given is not None else np.arange(n)
        cand = pool[old[m][pool] > 0]  # those that sold in the period before, by the fall
        ranked = cand[np.lexsort((cur[m][cand], cur[m][cand] - old[m][cand]))]
        among = f"of the {given.size} {_given_are(stated)}, " if given is not None else ""
        rule = (
            f"{among}products that sold in the period before, the biggest fall in {m} first "
            "(including those that stopped selling)"
        )
    elif given is not None:  # "which of those sells best": every one of them, sold or not
        if a.order == "best":
            ranked = given[np.lexsort((-cur["revenue"][given], -cur[m][given]))]
            rule = f"highest {m} in the period among the {given.size} {_given_are(stated)}"
        else:
            ranked = given[np.lexsort((-old[m][given], cur[m][given]))]
            rule = f"lowest {m} in the period among the {given.size} {_given_are(stated)}"
    elif a.order == "best":
        cand = np.flatnonzero(cur[m] > 0)
        ranked = cand[np.lexsort((-cur["revenue"][cand], -cur[m][cand]))]
        rule = f"highest {m} in the period"
    else:
        if a.worst_by == "fall":
            notes.append(f"the shop's sales start on {first}, so there is no period before to compare with")
        both = (cur[m] > 0) & (old[m] > 0) if prev_covered else cur[m] > 0
        cand = np.flatnonzero(both)
        ranked = cand[np.lexsort((-old[m][cand], cur[m][cand]))]
        rule = f"lowest {m} in the period among products " + (
            "that sold in both this period and the one before" if prev_covered else "that sold in the period"
        )
    chosen = [int(i) for i in (ranked[: exported_rows(a)] if is_exporting() else ranked[: a.limit])]  # all asked for
    found = session.execute(
        select(Product.id, Product.stock_code, Product.description, Product.price).where(Product.id.in_(chosen))
    )
    catalog = {pid: (code, desc, price) for pid, code, desc, price in found}
    rows = []
    for rank, i in enumerate(chosen, 1):
        code, desc, price = catalog.get(i, ("", "", None))
        row: dict[str, Any] = {"rank": rank, "product_id": i, "stock_code": code, "description": desc}
        row["price"] = round(float(price), 2) if price is not None else None  # today's list price
        row |= {k: v for k, v in _figures(cur, i).items() if k in ("units", "revenue", "orders", "customers")}
        if prev_covered:
            row["previous_units"] = round(float(old["units"][i]))
            row["previous_revenue"] = round(float(old["revenue"][i]), 2)
            row["change"], row["change_pct"] = change_of(
                float(row[m]), float(row["previous_" + m]) if m == "revenue" else float(row["previous_units"])
            )
        rows.append(row)
    out: dict[str, Any] = {
        "as_of": shop.today.isoformat(),
        "period": p.as_dict(),
        "previous_period": {**prev.as_dict(), "covered": prev_covered},
        "order": a.order,
        "metric": m,
        "rule": rule,
        "filters": stated,
        "products_sold": int((cur["units"] > 0).sum()),
        "total_revenue": round(float(cur["revenue"].sum()), 2),
        "total_units": round(float(cur["units"].sum())),
        "products": rows[: a.limit],
    }
    if given is not None:
        out["products_given"] = int(given.size)
    if given is not None and "kind" in stated:  # "how many lunch bags did we sell": the kind's own total
        kind: dict[str, float | None] = {
            "units": round(float(cur["units"][given].sum())),
            "revenue": round(float(cur["revenue"][given].sum()), 2),
        }
        if prev_covered:
            kind["previous_units"] = round(float(old["units"][given].sum()))
            kind["previous_revenue"] = round(float(old["revenue"][given].sum()), 2)
            kind["change"], kind["change_pct"] = change_of(
                float(kind[m] or 0),
                float(kind["previous_" + m] or 0) if m == "revenue" else float(kind["previous_units"] or 0),
            )
        out["kind_totals"] = kind
    if len(rows) > a.limit:
        out["all_products"] = rows
    if notes:
        out["note"] = "; ".join(notes)
    return out


# -- bought_together ----------------------------------------------------------------------------


class TogetherArgs(BaseModel):
    product_id: ProductId | None = Field(None, description="what sells with this product (an id or a stock code)")
    query: str | None = Field(
        None,
        min_length=2,
        max_length=100,
        description="or with a kind of product: every product whose description holds all these words "
        "(cake stand, christmas lights; Chinese through the glossary: 蛋糕架)",
    )
    period: SalesPeriod | None = Field(
        None, description="the orders to read (default: the shop's whole history); " + _PERIOD_TEXT
    )
    start: date | None = _START
    end: date | None = _END
    month: str | None = _MONTH
    to_month: str | None = _TO_MONTH
    country: str | None = filters.COUNTRY
    segment: str | None = filters.SEGMENT
    rank_by: Literal["orders", "lift"] = Field(
        "orders",
        description="rank by how many orders hold both (what is most often in the same basket), or by lift (how "
        "many times likelier than in any order; products in at least 5 orders and 1% of its orders together)",
    )
    limit: int = Field(10, ge=1, le=100, description="how many products")


def _baskets(shop: Shop, mask: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The distinct (order, product) pairs of the lines in `mask`: a product twice in one order counts once."""
    s = shop.sales
    pairs = np.unique(np.stack([s.order[mask], s.product[mask]], axis=1), axis=0)
    return pairs[:, 0], pairs[:, 1]


def bought_together(shop: Shop, session: Session, a: TogetherArgs) -> dict[str, Any]:
    """The products most often in the same orders as a product (or a kind of product): market-basket
    support, confidence and lift over the shop's orders, cancellations netted out."""
    if (a.product_id is None) == (not a.query):
        raise ToolFailure(
            "give one product (an id or a stock code) or one kind of product (query), not both or neither"
        )
    stated: dict[str, Any] = {}
    if a.product_id is not None:
        product = get_product(session, a.product_id)
        anchor = np.array([product.id], dtype=np.int64)
        subject: dict[str, Any] = {
            "product_id": product.id,
            "stock_code": product.stock_code,
            "description": product.description,
        }
    else:
        words, holding = products_of_kind(shop, a.query or "")
        if not holding:
            raise ToolFailure(
                f"no product's description holds every word of “{words or a.query}”; "
                "name the kind of product in the catalog's words (e.g. cake stand, lunch bag, t-light holder)"
            )
        anchor = np.array(holding, dtype=np.int64)
        subject = {"kind": words, "kind_products": len(holding)}
    if a.period or a.start or a.end or a.month:
        p, _ = _period_asked(shop.today, a, "last_12_months")
    else:
        p = Period("all", _first_day(shop), shop.today)
    _check_covered(shop, p)
    keep, stated = _selection(shop, a.country, a.segment)
    order, item = _baskets(shop, keep & _in(shop, p))
    n_orders = int(np.unique(order).size)
    with_anchor = np.unique(order[np.isin(item, anchor)])
    if with_anchor.size == 0:
        raise ToolFailure(
            f"no order from {p.start} to {p.end}{' with those filters' if stated else ''} holds "
            + (f"product {subject['product_id']}" if "product_id" in subject else f"a {subject['kind']}")
            + "; widen the period or drop a filter"
        )
    n = int(item.max()) + 1
    together = np.bincount(item[np.isin(order, with_anchor)], minlength=n)
    overall = np.bincount(item, minlength=n)
    together[anchor[anchor < n]] = 0  # the product itself (or its own kind) is not an answer
    confidence = together / with_anchor.size
    lift = np.divide(confidence, overall / n_orders, out=np.zeros(n), where=overall > 0)
    if a.rank_by == "lift":
        floor = max(MIN_TOGETHER_FOR_LIFT, math.ceil(LIFT_SUPPORT * with_anchor.size))
        cand = np.flatnonzero(together >= floor)
        ranked = cand[np.lexsort((-together[cand], -lift[cand]))]
        rule = (
            f"highest lift among products in at least {floor} orders with it "
            "(lift: how many times likelier in an order with it than in any order)"
        )
    else:
        cand = np.flatnonzero(together > 0)
        ranked = cand[np.lexsort((-lift[cand], -together[cand]))]
        rule = "most orders holding both first"
    chosen = [int(i) for i in (ranked[: exported_rows(a)] if is_exporting() else ranked[: a.limit])]
    names = _names(session, chosen)
    rows = [
        {
            "rank": rank,
            "product_id": i,
            "stock_code": names.get(i, ("", ""))[0],
            "description": names.get(i, ("", ""))[1],
            "orders_together": int(together[i]),
            "share_pct": round(100 * float(confidence[i]), 1),  # confidence
            "lift": round(float(lift[i]), 2),
            "product_orders": int(overall[i]),
        }
        for rank, i in enumerate(chosen, 1)
    ]
    out: dict[str, Any] = {
        "as_of": shop.today.isoformat(),
        "period": p.as_dict(),
        **subject,
        "filters": stated,
        "orders": n_orders,
        "anchor_orders": int(with_anchor.size),
        "rule": rule,
        "method": "market-basket counts over the shop's orders (invoices), cancelled lines netted out: "
        "share_pct = orders holding both / anchor_orders (the orders holding the product or kind asked about); "
        "lift = that share / the listed product's share of all orders (product_orders / orders)",
        "products": rows[: a.limit],
    }
    if len(rows) > a.limit:
        out["all_products"] = rows
    if with_anchor.size < MIN_ORDERS_TO_READ:
        out["note"] = (
            f"only {with_anchor.size} orders hold it in the period: read the shares as anecdotes, not patterns"
        )
    return out


TOOLS = [
    ToolSpec(
        "sales_report",
        "The shop's sales (revenue, orders, units, customers, average order value) by day, week or month over a "
        "period, with the change against the period before; optionally for one country or customer segment, for "
        "some products or one kind of product (weekly doormat sales), or broken down by country, product or RFM "
        "segment.",
        SalesReportArgs,
        sales_report,
        AGENT,
    ),
    ToolSpec(
        "top_products",
        "Best or worst selling products over a period, by revenue or units, optionally in one country or of one "
        "kind (doormats): each product's units, revenue, orders, list price and change against the period before.",
        TopProductsArgs,
        top_products,
        AGENT,
    ),
    ToolSpec(
        "bought_together",
        "What sells with a product or a kind of product (frequently bought together, cross-sell, bundles): the "
        "products most often in the same orders, each with the orders holding both, their share of its orders "
        "and the lift; over the shop's whole history or a period, optionally one country's or segment's orders.",
        TogetherArgs,
        bought_together,
        AGENT,
    ),
]
