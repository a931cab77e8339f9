"""Countries asked about each on its own: "Germany vs France", 哪个站客单价高, 分别卖了多少 get one row or
one answer for each country, never one total of them together."""

from __future__ import annotations

import pytest

from copilot.app import Copilot
from offline.planner import plan
from tests.offline.conftest import calls


@pytest.mark.parametrize(
    "text",
    [
        "which sold more in october, france or belgium?",
        "比利时和瑞士哪个站订单多？上个月",
        "Netherlands vs Belgium revenue this year",
    ],
)
def test_a_report_of_two_countries_compared_has_a_row_for_each(text: str) -> None:
    p = plan(text)
    assert p.tool == "sales_report" and p.args.get("breakdown") == "country", p.args


def test_the_country_ahead_is_named_when_asked_which() -> None:
    p = plan("比利时和瑞士哪个站订单多？上个月")
    assert "asked:highest-orders" in p.notes


def test_customers_of_two_countries_in_one_list_stay_one_list() -> None:
    p = plan("lapsing customers in Austria and Switzerland")
    assert p.args.get("country") == "Austria, Switzerland"


@pytest.mark.parametrize(
    ("text", "tool"),
    [
        ("best 5 sellers last month, Belgium vs Switzerland", "top_products"),
        ("荷兰和比利时分别有多少冠军客户", "customer_list"),
        ("how many customers with 3+ orders in Sweden compared to Norway?", "customer_list"),
    ],
)
def test_a_list_of_two_countries_compared_is_one_answer_for_each(cp: Copilot, text: str, tool: str) -> None:
    res = cp.ask(text)
    made = calls(res)
    assert [name for name, _, _ in made] == [tool, tool], made
    assert sorted(args["country"] for _, args, _ in made) == sorted(
        c.strip() for c in made[0][1]["country"].split(",") + made[1][1]["country"].split(",")
    )
    assert all("," not in args["country"] for _, args, _ in made)


def test_an_audience_of_two_countries_stays_one_audience(cp: Copilot) -> None:
    res = cp.ask("save customers in Austria and Switzerland as an audience called alpine")
    assert [(n, a.get("country")) for n, a, _ in calls(res)] == [("audience_create", "Austria, Switzerland")]
