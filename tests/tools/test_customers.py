"""customer_list on the demo shop, each figure checked against plain Python over the order lines;
its bad values; the whole list when exporting; and the average order value in the sales reports."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest
from pydantic import ValidationError
from sqlalchemy import select

from copilot.app import Copilot
from copilot.settings import Settings
from store.db import Customer
from tests.tools.test_tools import call
from tools import Shop, ToolFailure
from tools.base import exporting


@dataclass
class Facts:
    """One customer, worked out from the order lines without the tools' code."""

    country: str
    orders: int
    revenue: float
    first: str
    last: str


@pytest.fixture(scope="module")
def demo(demo_home: Path) -> Iterator[tuple[Copilot, dict[int, Facts]]]:
    cp = Copilot(Settings(home=demo_home))
    s = cp.shop.sales
    with cp.shop.sessions() as session:
        country = dict(session.execute(select(Customer.id, Customer.country)).all())
    orders: dict[int, set[int]] = {}
    revenue: dict[int, float] = {}
    days: dict[int, list[int]] = {}
    for c, o, q, p, d in zip(
        s.customer.tolist(), s.order.tolist(), s.quantity.tolist(), s.price.tolist(), s.day.tolist(), strict=True
    ):
        orders.setdefault(c, set()).add(o)
        revenue[c] = revenue.get(c, 0.0) + q * p
        days.setdefault(c, []).append(d)

    def day(n: int) -> str:
        return date.fromordinal(date(1970, 1, 1).toordinal() + n).isoformat()

    facts = {c: Facts(country[c], len(orders[c]), revenue[c], day(min(days[c])), day(max(days[c]))) for c in orders}
    yield cp, facts
    cp.close()


def _shop(demo: tuple[Copilot, dict[int, Facts]]) -> Shop:
    return demo[0].shop


def test_filters_combine_and_each_row_is_the_customers_own(demo) -> None:  # type: ignore[no-untyped-def]
    cp, facts = demo
    r = call(cp.shop, "customer_list", country="uk", min_orders=3, min_revenue=1000, limit=100)
    want = {c for c, f in facts.items() if f.country == "United Kingdom" and f.orders >= 3 and f.revenue >= 1000}
    assert r["filters"] == {"country": "United Kingdom", "min_orders": 3, "min_revenue": 1000}
    assert r["matching"] == len(want) > 100 and len(r["customers"]) == 100
    assert r["matching_revenue"] == pytest.approx(sum(facts[c].revenue for c in want), abs=0.05)
    total = sum(f.revenue for f in facts.values())
    assert r["share_of_revenue_pct"] == pytest.approx(100 * r["matching_revenue"] / total, abs=0.01)
    assert r["customers_in_shop"] == len(facts)
    revenues = [c["revenue"] for c in r["customers"]]
    assert revenues == sorted(revenues, reverse=True)  # default: highest spend first
    assert revenues[0] == pytest.approx(max(facts[c].revenue for c in want), abs=0.01)
    for row in r["customers"]:
        f = facts[row["customer_id"]]
        assert row["customer_id"] in want and row["country"] == f.country == "United Kingdom"
        assert (row["orders"], row["first_order"], row["last_order"]) == (f.orders, f.first, f.last)
        assert row["revenue"] == pytest.approx(f.revenue, abs=0.01)
        assert row["days_since_last_order"] == (date(2011, 12, 9) - date.fromisoformat(f.last)).days
        assert row["segment"] in ("champions", "loyal", "potential_loyalists", "need_attention", "at_risk")


def test_order_counts_spend_and_both_order_dates(demo) -> None:  # type: ignore[no-untyped-def]
    cp, facts = demo
    one = call(cp.shop, "customer_list", max_orders=1, first_start="2011-10-01", sort="first_order", limit=100)
    want = [c for c, f in facts.items() if f.orders == 1 and f.first >= "2011-10-01"]
    assert one["matching"] == len(want) and one["filters"] == {"max_orders": 1, "first_start": "2011-10-01"}
    firsts = [c["first_order"] for c in one["customers"]]
    assert firsts == sorted(firsts, reverse=True) and firsts[0] == max(facts[c].first for c in want)

    quiet = call(cp.shop, "customer_list", min_orders=10, end="2011-08-31", sort="orders")
    want = [c for c, f in facts.items() if f.orders >= 10 and f.last <= "2011-08-31"]
    assert quiet["matching"] == len(want) > 0 and quiet["filters"]["dates_are"] == "last order"
    counts = [c["orders"] for c in quiet["customers"]]
    assert counts == sorted(counts, reverse=True) and all(c["last_order"] <= "2011-08-31" for c in quiet["customers"])

    band = call(
        cp.shop,
        "customer_list",
        country="France",
        min_orders=2,
        max_orders=5,
        min_revenue=200,
        max_revenue=2000,
        first_end="2011-06-30",
        start="2011-11-01",
        sort="recency",
        limit=100,
    )
    want = [
        c
        for c, f in facts.items()
        if f.country == "France"
        and 2 <= f.orders <= 5
        and 200 <= f.revenue <= 2000
        and f.first <= "2011-06-30"
        and f.last >= "2011-11-01"
    ]
    assert band["matching"] == len(want) > 0
    lasts = [c["last_order"] for c in band["customers"]]
    assert lasts == sorted(lasts, reverse=True)
    none = call(cp.shop, "customer_list", country="Australia", max_orders=1, first_start="2011-12-01")
    assert none["matching"] == 0 and none["customers"] == [] and none["matching_revenue"] == 0


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ({"min_orders": 5, "max_orders": 3}, r"min_orders \(5\) is above max_orders \(3\); give a minimum no greater"),
        ({"min_revenue": 500, "max_revenue": 100}, r"min_revenue \(500\) is above max_revenue \(100\)"),
        ({"country": "Narnia"}, r"no customers in 'Narnia'; the countries are: .*Germany"),
        ({"segment": "whales"}, r"no RFM segment 'whales'; the segments are: champions"),
        ({"first_start": "2011-10-01", "first_end": "2011-09-01"}, r"first-order date range starts .* swap the dates"),
        ({"start": "2011-10-01", "end": "2011-09-01"}, r"the date range starts .* swap the dates"),
    ],
)
def test_bad_values_say_what_to_fix(demo, args: dict[str, object], message: str) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ToolFailure, match=message) as err:
        call(_shop(demo), "customer_list", **args)
    assert "\n" not in str(err.value)


@pytest.mark.parametrize("args", [{"limit": 101}, {"min_orders": 0}, {"min_revenue": -1}, {"sort": "name"}])
def test_values_out_of_range_are_refused_by_the_schema(demo, args: dict[str, object]) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ValidationError):
        call(_shop(demo), "customer_list", **args)


def test_an_export_holds_every_matching_customer_or_as_many_as_asked(demo) -> None:  # type: ignore[no-untyped-def]
    shop = _shop(demo)
    plain = call(shop, "customer_list", country="France", min_orders=2)
    assert "all_customers" not in plain
    with exporting():
        full = call(shop, "customer_list", country="France", min_orders=2)
        top = call(shop, "customer_list", country="France", min_orders=2, limit=5)  # "export the top 5"
    shown = len(plain["customers"])
    assert len(full["all_customers"]) == full["matching"] > shown
    assert full["all_customers"][:shown] == full["customers"] == plain["customers"]
    assert top["all_customers"] == top["customers"] == plain["customers"][:5]


@pytest.fixture
def asking(copilot_home: Path) -> Iterator[Copilot]:
    """A copilot on a fresh copy of the demo shop: what it is asked stays out of the shared one's log."""
    cp = Copilot(Settings(home=copilot_home))
    yield cp
    cp.close()


def test_the_cli_exports_the_whole_list_and_says_how_repeat_was_read(demo, asking, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    _, facts = demo
    cp = asking
    out = tmp_path / "fr.csv"
    res = cp.ask("which French customers are repeat customers?", export=out, charts=False)
    call_ = res["tool_calls"][0]
    assert call_["name"] == "customer_list" and call_["args"] == {"country": "France", "min_orders": 2}
    rows = list(csv.DictReader(out.open(encoding="utf-8")))
    assert (
        len(rows) == call_["result"]["matching"] == sum(f.country == "France" and f.orders >= 2 for f in facts.values())
    )
    assert list(rows[0]) == [
        "customer_id",
        "country",
        "orders",
        "revenue",
        "first_order",
        "last_order",
        "days_since_last_order",
        "segment",
    ]
    assert '"repeat customers" read as customers with at least 2 orders' in res["answer"]
    assert f"{call_['result']['matching']} customers in France with at least 2 orders" in res["answer"]
    zh = cp.ask("复购2次以上的法国客户", charts=False)
    assert zh["tool_calls"][0]["args"] == {"country": "France", "min_orders": 3}
    assert "“复购2次以上”按至少下过 3 单理解：首单之后至少再买 2 次" in zh["answer"]


def test_sales_reports_carry_the_average_order_value(demo) -> None:  # type: ignore[no-untyped-def]
    shop = _shop(demo)
    r = call(shop, "sales_report", period="last_month", breakdown="country", limit=3)
    t = r["totals"]
    assert t["aov"] == pytest.approx(t["revenue"] / t["orders"], abs=0.005) and t["aov"] == t["avg_order_value"]
    before = r["previous"]["aov"]
    assert r["change"]["aov"] == pytest.approx(t["aov"] - before, abs=0.01)
    assert r["change_pct"]["aov"] == pytest.approx(100 * (t["aov"] / before - 1), abs=0.05)
    for row in [*r["rows"], *r["breakdown"]["rows"]]:
        assert row["aov"] == (round(row["revenue"] / row["orders"], 2) if row["orders"] else None)
    assert any(row["aov"] is None for row in r["rows"])  # a day with no orders (a Saturday) has none


def test_the_answer_shows_the_aov_only_when_asked(asking: Copilot) -> None:
    cp = asking
    asked = cp.ask("what was our average order value last month, by country?", charts=False)
    aov = asked["tool_calls"][0]["result"]["totals"]["aov"]
    assert asked["tool_calls"][0]["args"] == {"period": "last_month", "breakdown": "country"}
    assert f"AOV £{aov:,.2f}" in asked["answer"]
    plain = cp.ask("sales last month by country", charts=False)
    assert "AOV" not in plain["answer"] and plain["tool_calls"][0]["args"] == asked["tool_calls"][0]["args"]
    zh = cp.ask("上个月的客单价是多少", charts=False)
    assert f"客单价 £{aov:,.2f}" in zh["answer"]


def test_spending_in_a_period_ranks_by_what_each_spent_then(demo) -> None:  # type: ignore[no-untyped-def]
    cp, _ = demo
    s = cp.shop.sales
    lo, hi = (date(2011, 11, d).toordinal() - date(1970, 1, 1).toordinal() for d in (1, 30))
    spent: dict[int, float] = {}
    for c, q, p, d in zip(s.customer.tolist(), s.quantity.tolist(), s.price.tolist(), s.day.tolist(), strict=True):
        if lo <= d <= hi:
            spent[c] = spent.get(c, 0.0) + q * p
    r = call(_shop(demo), "customer_list", spend_start="2011-11-01", spend_end="2011-11-30", country="Germany", limit=5)
    german = {c: v for c, v in spent.items() if demo[1][c].country == "Germany"}
    top = sorted(german, key=german.__getitem__, reverse=True)[:5]
    assert [row["customer_id"] for row in r["customers"]] == top
    assert [row["revenue"] for row in r["customers"]] == pytest.approx([german[c] for c in top], abs=0.01)
    assert r["matching"] == len(german) and r["matching_revenue"] == pytest.approx(sum(german.values()), abs=0.05)
    assert "2011-11-01 to 2011-11-30" in r["revenue_is"]
    with pytest.raises(ValidationError, match=r"spend_start \(2011-12-01\) is after spend_end .* swap them"):
        call(_shop(demo), "customer_list", spend_start="2011-12-01", spend_end="2011-11-01")
