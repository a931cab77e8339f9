"""The sales reports, the best and worst sellers and the customer-list filters, each figure checked
against a direct numpy computation on the shop's own order lines."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import numpy as np
import pytest
from pydantic import ValidationError
from sqlalchemy import select

from copilot.app import Copilot
from copilot.settings import Settings
from engine.segments import SEGMENTS
from offline.planner import plan
from store.db import Customer
from tests.tools.test_tools import call
from tools import Shop, ToolFailure
from tools.reports import _buckets, sales_period


@dataclass
class Lines:
    """Order lines, written out plainly (the check does not share the tools' code)."""

    order: np.ndarray
    customer: np.ndarray
    product: np.ndarray
    units: np.ndarray
    revenue: np.ndarray
    day: np.ndarray  # datetime64[D]
    country: np.ndarray

    def where(self, mask: np.ndarray) -> Lines:
        return Lines(*(getattr(self, f)[mask] for f in self.__dataclass_fields__))

    def within(self, start: str, end: str) -> Lines:
        return self.where((self.day >= np.datetime64(start)) & (self.day <= np.datetime64(end)))

    def month(self, month: str) -> Lines:
        return self.where(self.day.astype("datetime64[M]") == np.datetime64(month))

    def by(self, key: str, value: str) -> dict[object, float]:
        out: dict[object, float] = {}
        for k, v in zip(getattr(self, key).tolist(), getattr(self, value).tolist(), strict=True):
            out[k] = out.get(k, 0.0) + v
        return out


def _top(totals: dict[object, float], n: int) -> list[tuple[object, float]]:
    return sorted(totals.items(), key=lambda kv: -kv[1])[:n]


@pytest.fixture(scope="module")
def demo(demo_home: Path) -> Iterator[tuple[Shop, Lines]]:
    """The demo shop and its order lines (with each customer's country)."""
    cp = Copilot(Settings(home=demo_home))
    s = cp.shop.sales
    with cp.shop.sessions() as session:
        country = dict(session.execute(select(Customer.id, Customer.country)).all())
    lines = Lines(
        s.order,
        s.customer,
        s.product,
        s.quantity,
        s.quantity * s.price,
        s.day.astype("datetime64[D]"),
        np.array([country[c] for c in s.customer.tolist()]),
    )
    yield cp.shop, lines
    cp.close()


def test_periods_are_calendar_or_same_length() -> None:
    today = date(2011, 12, 9)
    p, prev = sales_period(today, "last_month", None, None)
    assert (p.start, p.end, prev.start, prev.end) == (
        date(2011, 11, 1),
        date(2011, 11, 30),
        date(2011, 10, 1),
        date(2011, 10, 31),
    )
    p, prev = sales_period(today, "last_quarter", None, None)
    assert (p.start, p.end, prev.start, prev.end) == (
        date(2011, 7, 1),
        date(2011, 9, 30),
        date(2011, 4, 1),
        date(2011, 6, 30),
    )
    p, prev = sales_period(today, "this_month", None, None)
    assert (p.start, p.end, prev.start, prev.end) == (date(2011, 12, 1), today, date(2011, 11, 1), date(2011, 11, 9))
    p, prev = sales_period(today, "last_7_days", None, None)
    assert (p.start, p.end, prev.start, prev.end) == (
        date(2011, 12, 2),
        date(2011, 12, 8),
        date(2011, 11, 25),
        date(2011, 12, 1),
    )
    p, prev = sales_period(today, None, date(2011, 3, 1), date(2011, 3, 10))
    assert p.days == prev.days == 10 and prev.end == date(2011, 2, 28)
    p, _ = sales_period(date(2011, 3, 31), "this_quarter", None, None)
    assert p.start == date(2011, 1, 1)
    weeks = _buckets(sales_period(today, "last_month", None, None)[0], "week")
    assert weeks[0][1:] == (date(2011, 11, 1), date(2011, 11, 6)) and weeks[1][1] == date(2011, 11, 7)
    assert sum((b - a).days + 1 for _, a, b in weeks) == 30


def test_sales_report_matches_pandas(demo) -> None:  # type: ignore[no-untyped-def]
    shop, df = demo
    r = call(shop, "sales_report", period="last_quarter", by="month")
    assert r["period"]["start"] == "2011-07-01" and r["by"] == "month"
    q, before = df.within("2011-07-01", "2011-09-30"), df.within("2011-04-01", "2011-06-30")
    assert r["totals"]["revenue"] == pytest.approx(q.revenue.sum(), abs=0.01)
    assert r["totals"]["orders"] == len(set(q.order.tolist()))
    assert r["totals"]["units"] == q.units.sum()
    assert r["totals"]["customers"] == len(set(q.customer.tolist()))
    assert r["previous"]["revenue"] == pytest.approx(before.revenue.sum(), abs=0.01)
    assert r["change_pct"]["revenue"] == pytest.approx(100 * (q.revenue.sum() / before.revenue.sum() - 1), abs=0.05)
    months = ["2011-07", "2011-08", "2011-09"]
    monthly = [q.month(m).revenue.sum() for m in months]
    assert r["series"]["x"] == months
    assert r["series"]["lines"]["revenue"] == pytest.approx(monthly, abs=0.01)
    assert set(r["series"]) == {"title", "x_label", "y_label", "x", "lines"}
    assert [row["orders"] for row in r["rows"]] == [len(set(q.month(m).order.tolist())) for m in months]
    assert "revenue_vs_previous_pct" not in r["rows"][0]  # each month against the one before it
    for i in (1, 2):
        assert r["rows"][i]["revenue_vs_previous_pct"] == pytest.approx(
            100 * (monthly[i] / monthly[i - 1] - 1), abs=0.05
        )


def test_sales_report_for_a_country_and_by_country(demo) -> None:  # type: ignore[no-untyped-def]
    shop, df = demo
    r = call(shop, "sales_report", period="last_month", country="germany")
    de = df.where(df.country == "Germany")
    nov, octo = de.within("2011-11-01", "2011-11-30"), de.within("2011-10-01", "2011-10-31")
    assert r["filters"]["country"] == "Germany" and r["by"] == "day" and len(r["rows"]) == 30
    assert r["totals"]["revenue"] == pytest.approx(nov.revenue.sum(), abs=0.01)
    assert r["change"]["revenue"] == pytest.approx(nov.revenue.sum() - octo.revenue.sum(), abs=0.01)
    assert r["totals"]["customers"] == len(set(nov.customer.tolist()))

    b = call(shop, "sales_report", period="last_30_days", breakdown="country", limit=3)
    win = df.within(b["period"]["start"], b["period"]["end"])
    top = _top(win.by("country", "revenue"), 3)
    assert [row["name"] for row in b["breakdown"]["rows"]] == [k for k, _ in top]
    assert [row["revenue"] for row in b["breakdown"]["rows"]] == pytest.approx([v for _, v in top], abs=0.01)
    assert list(b["series"]["lines"]) == [k for k, _ in top]
    assert len(b["series"]["lines"]["United Kingdom"]) == len(b["series"]["x"])
    assert sum(b["series"]["lines"]["United Kingdom"]) == pytest.approx(top[0][1], abs=0.1)


def test_top_products_best_and_worst(demo) -> None:  # type: ignore[no-untyped-def]
    shop, df = demo
    r = call(shop, "top_products", period="last_month", limit=5)
    nov, octo = df.within("2011-11-01", "2011-11-30"), df.within("2011-10-01", "2011-10-31")
    best = _top(nov.by("product", "revenue"), 5)
    assert [p["product_id"] for p in r["products"]] == [k for k, _ in best]
    assert [p["revenue"] for p in r["products"]] == pytest.approx([v for _, v in best], abs=0.01)
    first = r["products"][0]
    assert first["units"] == nov.by("product", "units")[first["product_id"]]
    assert first["previous_revenue"] == pytest.approx(octo.by("product", "revenue")[first["product_id"]])
    assert first["stock_code"] and first["description"]

    w = call(shop, "top_products", period="last_month", order="worst", metric="units", limit=5)
    now, then = nov.by("product", "units"), octo.by("product", "units")
    falls = sorted(now.get(p, 0.0) - v for p, v in then.items())
    assert "biggest fall" in w["rule"]
    assert [p["change"] for p in w["products"]] == falls[:5]
    low = call(shop, "top_products", period="last_month", order="worst", worst_by="lowest", country="France")
    assert "lowest" in low["rule"] and all(p["units"] > 0 and p["previous_units"] > 0 for p in low["products"])
    assert low["products"][0]["revenue"] == min(p["revenue"] for p in low["products"])


def test_top_products_of_one_kind(demo) -> None:  # type: ignore[no-untyped-def]
    shop, _ = demo
    r = call(shop, "top_products", period="last_90_days", query="doormats", limit=100)
    assert r["filters"]["kind"] == "doormat" and r["filters"]["kind_products"] == len(r["products"]) > 5
    assert all("DOORMAT" in p["description"] for p in r["products"]) and "doormat" in r["rule"]
    assert all(p["price"] > 0 for p in r["products"])  # each with today's list price
    zh = call(shop, "top_products", period="last_90_days", query="门垫", limit=100)  # through the glossary
    assert [p["product_id"] for p in zh["products"]] == [p["product_id"] for p in r["products"]]
    both = call(shop, "top_products", query="lunch box", product_ids=[r["products"][0]["product_id"], 1483])
    assert [p["product_id"] for p in both["products"]] == [1483]  # the given products of the kind
    with pytest.raises(ToolFailure, match="no product's description holds every word of"):
        call(shop, "top_products", query="submarine")
    fell = call(shop, "top_products", month="2011-11", query="doormat", order="worst", limit=100)
    changes = [p["change"] for p in fell["products"]]  # "which doormats tanked": the biggest fall first
    assert "biggest fall" in fell["rule"] and changes == sorted(changes) and changes[0] < 0
    assert all(p["previous_revenue"] > 0 for p in fell["products"])  # each sold in October


def test_what_sells_with_a_product_is_counted_from_its_orders(demo) -> None:  # type: ignore[no-untyped-def]
    shop, df = demo
    r = call(shop, "bought_together", product_id="22423", limit=5)  # REGENCY CAKESTAND 3 TIER, by its stock code
    anchor = r["product_id"]
    baskets: dict[int, set[int]] = {}
    for o, p in zip(df.order.tolist(), df.product.tolist(), strict=True):
        baskets.setdefault(o, set()).add(p)
    holding = [b for b in baskets.values() if anchor in b]
    assert r["orders"] == len(baskets) and r["anchor_orders"] == len(holding)
    together: dict[int, int] = {}
    for b in holding:
        for p in b - {anchor}:
            together[p] = together.get(p, 0) + 1
    counts = sorted(together.values(), reverse=True)[:5]
    assert [p["orders_together"] for p in r["products"]] == counts
    first = r["products"][0]
    orders_of = sum(first["product_id"] in b for b in baskets.values())
    assert first["product_orders"] == orders_of
    assert first["share_pct"] == pytest.approx(100 * first["orders_together"] / len(holding), abs=0.05)
    assert first["lift"] == pytest.approx(
        (first["orders_together"] / len(holding)) / (orders_of / len(baskets)), abs=0.005
    )
    by_lift = call(shop, "bought_together", product_id=anchor, rank_by="lift", limit=5)
    lifts = [p["lift"] for p in by_lift["products"]]
    assert lifts == sorted(lifts, reverse=True) and "highest lift" in by_lift["rule"]
    assert all(p["orders_together"] >= max(5, 0.01 * len(holding)) for p in by_lift["products"])


def test_what_sells_with_a_kind_or_in_a_country(demo) -> None:  # type: ignore[no-untyped-def]
    shop, _ = demo
    kind = call(shop, "bought_together", query="cake stand", limit=10)
    assert kind["kind"] == "cake stand" and kind["kind_products"] > 1
    assert not any("CAKESTAND" in p["description"] or "CAKE STAND" in p["description"] for p in kind["products"])
    zh = call(shop, "bought_together", query="蛋糕架", limit=10)  # through the glossary
    assert [p["product_id"] for p in zh["products"]] == [p["product_id"] for p in kind["products"]]
    fr = call(shop, "bought_together", product_id=1289, country="France", period="last_6_months")
    assert (
        fr["filters"]["country"] == "France" and fr["anchor_orders"] < 100 and fr["period"]["name"] == "last_6_months"
    )
    with pytest.raises(ToolFailure, match="not both or neither"):
        call(shop, "bought_together")
    with pytest.raises(ToolFailure, match="no product's description holds every word of"):
        call(shop, "bought_together", query="submarine")


def test_a_report_against_the_same_days_a_year_before(demo) -> None:  # type: ignore[no-untyped-def]
    shop, df = demo
    r = call(shop, "sales_report", month="2011-12", to_month="latest", compare_last_year=True)
    assert r["previous_period"]["name"] == "last_year"
    then = df.within("2010-12-01", "2010-12-09")
    assert r["previous"]["revenue"] == pytest.approx(float(then.revenue.sum()), abs=0.01)
    with pytest.raises(ToolFailure, match="not both"):
        call(shop, "top_products", month="2011-11", compare_month="2011-09", compare_last_year=True)


def test_a_month_is_compared_with_the_month_before() -> None:
    from tools.delivery import Period

    assert Period("custom", date(2011, 11, 1), date(2011, 11, 30)).previous() == Period(
        "previous", date(2011, 10, 1), date(2011, 10, 31)
    )
    assert Period("custom", date(2011, 1, 1), date(2011, 3, 31)).previous().start == date(2010, 10, 1)
    assert Period("custom", date(2011, 11, 2), date(2011, 11, 30)).previous().start == date(2011, 10, 4)  # same length


def test_a_month_compared_with_one_asked_for(demo) -> None:  # type: ignore[no-untyped-def]
    shop, df = demo
    r = call(shop, "sales_report", month="September", compare_month="July")
    sep, jul = df.within("2011-09-01", "2011-09-30"), df.within("2011-07-01", "2011-07-31")
    assert (r["previous_period"]["start"], r["previous_period"]["end"]) == ("2011-07-01", "2011-07-31")
    assert r["previous"]["revenue"] == pytest.approx(jul.revenue.sum(), abs=0.01)
    assert r["change_pct"]["revenue"] == pytest.approx(100 * (sep.revenue.sum() / jul.revenue.sum() - 1), abs=0.05)
    assert r["by_asked"] is False
    fell = call(shop, "top_products", month="11", compare_month="9", order="worst", limit=3)
    assert fell["previous_period"]["start"] == "2011-09-01"
    with pytest.raises(ToolFailure, match="overlaps the period itself"):
        call(shop, "sales_report", period="last_quarter", compare_month="2011-08")


def test_every_segment_is_shown_in_a_breakdown_by_segment(demo) -> None:  # type: ignore[no-untyped-def]
    shop, _ = demo
    r = call(shop, "sales_report", period="last_30_days", breakdown="segment")
    names = [row["name"] for row in r["breakdown"]["rows"]]
    assert r["breakdown"]["groups"] == len(names) == len(SEGMENTS) and "loyal" in names  # one with no sales too
    assert [row["revenue"] for row in r["breakdown"]["rows"]] == sorted(
        (row["revenue"] for row in r["breakdown"]["rows"]), reverse=True
    )


def test_a_share_of_those_the_other_filters_keep(demo) -> None:  # type: ignore[no-untyped-def]
    shop, df = demo
    first: dict[int, np.datetime64] = {}
    orders: dict[int, set[int]] = {}
    for c, d, o in zip(df.customer.tolist(), df.day, df.order.tolist(), strict=True):
        first[c] = min(first.get(c, d), d)
        orders.setdefault(c, set()).add(o)
    window = [c for c, d in first.items() if np.datetime64("2011-09-01") <= d <= np.datetime64("2011-10-31")]
    r = call(shop, "customer_list", min_orders=2, first_start="2011-09-01", first_end="2011-10-31")
    assert r["before_order_filter"] == len(window)  # the customers who first ordered then: 653
    assert r["matching"] == sum(len(orders[c]) >= 2 for c in window)  # of whom came back: 262
    assert "before_order_filter" not in call(shop, "customer_list", min_orders=2)  # of the whole shop: said as such


def test_customer_lists_filter(demo) -> None:  # type: ignore[no-untyped-def]
    shop, df = demo
    lap = call(shop, "lapsing_customers", country="France", limit=50)
    fr = set(df.where(df.country == "France").customer.tolist())
    assert lap["filters"] == {"country": "France"} and lap["matching"] == len(lap["customers"]) <= 50
    assert all(c["customer_id"] in fr for c in lap["customers"])
    last: dict[int, np.datetime64] = {}
    first: dict[int, np.datetime64] = {}
    orders: dict[int, set[int]] = {}
    for c, d, o in zip(df.customer.tolist(), df.day, df.order.tolist(), strict=True):
        last[c] = max(last.get(c, d), d)
        first[c] = min(first.get(c, d), d)
        orders.setdefault(c, set()).add(o)
    since = call(shop, "lapsing_customers", start="2011-08-01", min_orders=5, limit=100)
    assert since["filters"]["dates_are"] == "last order"
    assert all(c["orders"] >= 5 and last[c["customer_id"]] >= np.datetime64("2011-08-01") for c in since["customers"])

    clv = call(shop, "customer_lifetime_value", min_orders=5, limit=10)
    assert clv["matching"] == sum(len(o) >= 5 for o in orders.values())
    assert all(len(orders[c["customer_id"]]) == c["orders"] >= 5 for c in clv["customers"])
    values = [c["clv_52w"] for c in clv["customers"]]
    assert values == sorted(values, reverse=True)
    new = call(shop, "customer_lifetime_value", start="2011-09-01", segment="new")
    assert new["customers"] and all(first[c["customer_id"]] >= np.datetime64("2011-09-01") for c in new["customers"])


def test_a_customers_worth_is_in_the_profile(demo) -> None:  # type: ignore[no-untyped-def]
    shop, _ = demo
    top = call(shop, "customer_lifetime_value", limit=1)["customers"][0]
    prof = call(shop, "customer_profile", customer_id=top["customer_id"])
    assert prof["clv_52w"] == top["clv_52w"] and prof["p_alive"] == top["p_alive"]
    assert prof["expected_purchases_52w"] == top["expected_purchases_52w"]
    assert prof["clv_52w_rank"] == 1 and prof["clv_52w_top_pct"] == 0.1  # the top one: its top 0.1%, never 0.0%
    one = call(shop, "customer_profile", customer_id=16446)
    assert one["p_alive"] == 1.0 and "value_note" in one  # one purchase day: the model cannot see it lapse


def test_bad_arguments_say_what_to_fix(demo) -> None:  # type: ignore[no-untyped-def]
    shop, _ = demo
    with pytest.raises(ToolFailure, match=r"no customers in 'Narnia'; the countries are: .*Germany"):
        call(shop, "sales_report", country="Narnia")
    for tool in ("lapsing_customers", "customer_lifetime_value", "top_products"):
        with pytest.raises(ToolFailure, match="the segments are: champions"):
            call(shop, tool, segment="whales")
    with pytest.raises(ToolFailure, match="swap the dates"):
        call(shop, "sales_report", start="2011-05-01", end="2011-04-01")
    with pytest.raises(ToolFailure, match="swap the dates"):
        call(shop, "customer_lifetime_value", start="2011-05-01", end="2011-04-01")
    with pytest.raises(ToolFailure, match="no sales from 2009-01-01"):
        call(shop, "top_products", start="2009-01-01", end="2009-02-01")
    with pytest.raises(ValidationError):
        call(shop, "sales_report", by="hour")
    with pytest.raises(ValidationError):
        call(shop, "top_products", order="middling")
    ytd = call(shop, "sales_report", period="ytd")
    assert ytd["previous"] is None and ytd["change_pct"]["revenue"] is None and "not covered" in ytd["note"]
    np.testing.assert_equal(ytd["previous_period"]["covered"], False)


@pytest.mark.parametrize(
    ("text", "tool", "args"),
    [
        ("sales by month for the last quarter", "sales_report", {"period": "last_quarter", "by": "month"}),
        (
            "how did Germany do last month vs the month before",
            "sales_report",
            {"period": "last_month", "country": "Germany"},
        ),
        ("revenue by country this month", "sales_report", {"period": "this_month", "breakdown": "country"}),
        ("冠军客户上个月贡献了多少收入", "sales_report", {"period": "last_month", "segment": "champions"}),
        ("本季度销售和上季度比怎么样", "sales_report", {"period": "this_quarter"}),
        ("best sellers this month", "top_products", {"period": "this_month", "order": "best"}),
        ("哪些产品卖得最差", "top_products", {"order": "worst", "worst_by": "fall"}),
        ("上个月销量前十的产品", "top_products", {"period": "last_month", "metric": "units", "limit": 10}),
        ("九月到十一月按月的订单和销售额", "sales_report", {"month": "9", "to_month": "11", "by": "month"}),
        ("best sellers in October 2011", "top_products", {"month": "2011-10", "order": "best"}),
        ("lapsing customers in France", "lapsing_customers", {"country": "France"}),
        (
            "top 10 customers by lifetime value with at least 5 orders",
            "customer_lifetime_value",
            {"limit": 10, "min_orders": 5},
        ),
        ("澳大利亚价值最高的客户", "customer_lifetime_value", {"country": "Australia"}),
        ("客户16446值多少钱", "customer_profile", {"customer_id": 16446}),
        ("what do people usually buy together with 85123A?", "bought_together", {"product_id": "85123A"}),
        (
            "what's in the same basket as christmas lights in France, by lift",
            "bought_together",
            {"query": "christmas lights", "country": "France", "rank_by": "lift"},
        ),
        ("买门垫的客户一般还会一起买什么", "bought_together", {"query": "门垫"}),
    ],
)
def test_the_offline_model_routes_reports_and_filters(text: str, tool: str, args: dict[str, object]) -> None:
    p = plan(text)
    assert p.tool == tool and p.args.items() >= args.items(), (p.tool, p.args)


def test_campaign_reports_keep_their_periods() -> None:
    """A calendar quarter, which the campaign reports do not name, reads as the last 90 days there."""
    p = plan("compare the campaigns by ROAS over the last quarter")
    assert p.tool == "compare_campaigns" and p.args.get("period") == "last_90_days"


def test_months_by_name_or_number() -> None:
    from tools.reports import month_period

    today = date(2011, 12, 9)
    p, prev = month_period(today, "November", None)
    assert (p.start, p.end, prev.start, prev.end) == (
        date(2011, 11, 1),
        date(2011, 11, 30),
        date(2011, 10, 1),
        date(2011, 10, 31),
    )
    p, prev = month_period(today, "9", "11")
    assert (p.start, p.end, prev.start, prev.end) == (
        date(2011, 9, 1),
        date(2011, 11, 30),
        date(2011, 6, 1),
        date(2011, 8, 31),
    )
    p, prev = month_period(today, "12", None)  # this month so far, against the same days of November
    assert (p.start, p.end, prev.end) == (date(2011, 12, 1), today, date(2011, 11, 9))
    assert month_period(today, "2011-01", None)[0].start == date(2011, 1, 1)
    assert month_period(today, "jan", None)[0].start == date(2011, 1, 1)
    with pytest.raises(ToolFailure, match="not a month"):
        month_period(today, "Brumaire", None)
    with pytest.raises(ToolFailure, match="give the earlier month first"):
        month_period(today, "2011-11", "2011-09")
    p, _ = month_period(today, "September", "latest")  # "since September": up to today
    assert (p.start, p.end) == (date(2011, 9, 1), today)


@pytest.mark.parametrize(
    ("text", "months"),
    [
        ("sales by month for Sep, Oct and Nov", ("9", "11")),
        ("chart of weekly revenue since September", ("9", "latest")),
        ("9月以来每周的销售额", ("9", "latest")),
        ("how did Germany do in November", ("11", None)),
    ],
)
def test_months_listed_or_since(text: str, months: tuple[str, str | None]) -> None:
    from offline.planner import plan

    p = plan(text)
    assert p.tool == "sales_report" and (p.args.get("month"), p.args.get("to_month")) == months


def test_a_month_in_a_report(demo) -> None:  # type: ignore[no-untyped-def]
    shop, df = demo
    r = call(shop, "top_products", month="October", limit=3)
    octo = df.within("2011-10-01", "2011-10-31")
    assert [p["product_id"] for p in r["products"]] == [k for k, _ in _top(octo.by("product", "revenue"), 3)]
    with pytest.raises(ToolFailure, match="either a month or a period"):
        call(shop, "sales_report", month="10", period="last_month")


def test_a_bucket_cut_short_says_so_on_the_chart(demo) -> None:  # type: ignore[no-untyped-def]
    shop, _ = demo
    r = call(shop, "sales_report", period="ytd", by="month")
    assert r["series"]["x"][0] == "2011-01" and r["series"]["x"][-1] == "2011-12 (9 days)"  # no fall in December
