"""The offline model on customer lists: which list a request asks for (customer_list, the at-risk
list, predicted value) and the filters it reads, in English and Chinese, none of them bank examples."""

from __future__ import annotations

from datetime import date

import pytest

from offline.extract import extract
from offline.planner import order_bounds, plan
from offline.wording import format_result, notes_text

TODAY = date(2011, 12, 9)  # the demo shop's today


@pytest.mark.parametrize(
    ("text", "args"),
    [
        (
            "UK customers with 3+ orders who spent over £1,000",
            {"country": "United Kingdom", "min_orders": 3, "min_revenue": 1000.0},
        ),
        ("customers who haven't ordered since 1 September with 10+ orders", {"min_orders": 10, "end": "2011-08-31"}),
        ("our top 20 customers in Germany by number of orders", {"country": "Germany", "sort": "orders", "limit": 20}),
        ("which Irish buyers have spent more than 500 quid?", {"country": "EIRE", "min_revenue": 500.0}),
        (
            "show me customers with exactly 2 orders in Australia",
            {"country": "Australia", "min_orders": 2, "max_orders": 2},
        ),
        ("anyone who spent less than £50 in total?", {"max_revenue": 50.0}),
        (
            "customers acquired in October, newest first",
            {"first_start": "2011-10-01", "first_end": "2011-10-31", "sort": "first_order"},
        ),
        (
            "list shoppers who ordered in the last 14 days with at least 3 orders",
            {"min_orders": 3, "start": "2011-11-25"},
        ),
        (
            "who hasn't placed an order since the start of October but spent over £2,000?",
            {"min_revenue": 2000.0, "end": "2011-09-30"},
        ),
        (
            "customers with between 5 and 10 orders, most recent first",
            {"min_orders": 5, "max_orders": 10, "sort": "recency"},
        ),
        ("first-time buyers since 2011-11-01", {"first_start": "2011-11-01"}),
        ("top 10 Swiss customers by spend", {"country": "Switzerland", "sort": "revenue", "limit": 10}),
        ("新客户里消费超过500的", {"segment": "new", "min_revenue": 500.0}),
        ("德国客户，下单至少5次，按消费额排", {"country": "Germany", "min_orders": 5, "sort": "revenue"}),
        (
            "英国累计消费超过2000镑的客户，按订单数排",
            {"country": "United Kingdom", "min_revenue": 2000.0, "sort": "orders"},
        ),
        ("只下过一单的澳大利亚客户", {"country": "Australia", "max_orders": 1}),
        ("十一月以来的新客户有多少，列前10", {"first_start": "2011-11-01", "limit": 10}),
        ("9月1日以后就没再下单的客户，至少下过5单", {"min_orders": 5, "end": "2011-08-31"}),
        ("最近两周下过单的客户", {"start": "2011-11-25"}),
        ("花了不到50镑的客户有哪些", {"max_revenue": 50.0}),
        ("下单3到5次的荷兰客户", {"country": "Netherlands", "min_orders": 3, "max_orders": 5}),
        ("瑞士消费最多的10个客户", {"country": "Switzerland", "sort": "revenue", "limit": 10}),
        ("首单在10月之前、最近30天还下过单的客户", {"first_end": "2011-09-30", "start": "2011-11-09"}),
        ("复购2次以上的法国客户", {"country": "France", "min_orders": 3}),
    ],
)
def test_customer_lists_and_their_filters(text: str, args: dict[str, object]) -> None:
    p = plan(text, today=TODAY)
    assert p.tool == "customer_list" and p.args == args, (p.tool, p.args)


@pytest.mark.parametrize(
    ("text", "tool"),
    [
        ("who's about to churn", "lapsing_customers"),
        ("which big customers are slipping away from us?", "lapsing_customers"),
        ("customers at risk of lapsing with 5+ orders", "lapsing_customers"),
        ("churn risk list sorted by spend, top 15", "lapsing_customers"),
        ("流失风险客户", "lapsing_customers"),
        ("快要流失的老客户，至少5单的", "lapsing_customers"),
        ("哪些大客户快流失了？德国的", "lapsing_customers"),
        ("who'll be worth the most to us next year?", "customer_lifetime_value"),
        ("top 10 by forecast CLV with at least 3 orders", "customer_lifetime_value"),
        ("predicted lifetime value for French customers", "customer_lifetime_value"),
        ("十月以来的新客户未来价值", "customer_lifetime_value"),
        ("CLV最高的客户，下单至少5次", "customer_lifetime_value"),
    ],
)
def test_at_risk_and_predicted_value_keep_their_lists(text: str, tool: str) -> None:
    assert plan(text, today=TODAY).tool == tool


def test_the_at_risk_and_value_lists_read_order_dates_their_own_way() -> None:
    lapsing = plan("at-risk customers who haven't ordered since 1 September", today=TODAY)
    assert lapsing.tool == "lapsing_customers" and lapsing.args["end"] == "2011-08-31"
    value = plan("十月以来的新客户未来价值", today=TODAY)
    assert value.args == {"segment": "new", "start": "2011-10-01"}  # customer_lifetime_value: FIRST order
    iso = plan("lapsing customers whose last order was before 2011-06-01", today=TODAY)
    assert iso.args["end"] == "2011-06-01"  # a full date keeps its old reading on the at-risk list


@pytest.mark.parametrize(
    ("text", "bounds"),
    [
        ("customers who haven't ordered in 90 days", {"end": "2011-09-09"}),
        ("30天没下单的客户", {"end": "2011-11-08"}),
        ("customers who last ordered in September", {"start": "2011-09-01", "end": "2011-09-30"}),
        ("new customers after September", {"first_start": "2011-10-01"}),
        ("customers who first ordered before 2011-03-01", {"first_end": "2011-02-28"}),
        ("9月到11月的新客户", {"first_start": "2011-09-01", "first_end": "2011-11-30"}),
        ("new customers this month", {"first_start": "2011-12-01"}),
        ("customers who ordered between 2011-06-01 and 2011-09-30", {"start": "2011-06-01", "end": "2011-09-30"}),
    ],
)
def test_order_dates_as_days(text: str, bounds: dict[str, str]) -> None:
    assert order_bounds(extract(text), TODAY) == bounds


def test_without_the_shops_today_a_day_without_its_year_is_not_guessed() -> None:
    assert order_bounds(extract("haven't ordered since 1 September"), None) == {}
    assert order_bounds(extract("haven't ordered since 2011-09-01"), None) == {"end": "2011-08-31"}


def test_amounts_that_are_not_spend_stay_where_they_were() -> None:
    budget = extract("keep campaign 2 spend under £500 a day")
    assert budget.max_revenue is None and [n.value for n in budget.numbers] == [500.0]
    amount = extract("消费超过1000的客户")
    assert amount.min_revenue is not None and amount.min_revenue.value == 1000 and not amount.refs  # not customer 1000


def test_the_repeat_reading_is_said_in_both_languages() -> None:
    p = plan("which returning customers in Portugal do we have?", today=TODAY)
    assert p.args == {"country": "Portugal", "min_orders": 2} and p.notes == ["repeat:returning customers:2"]
    assert notes_text(p.notes, False) == '("returning customers" read as customers with at least 2 orders.)'
    assert notes_text(["repeat:复购2次以上:3"], True) == "（“复购2次以上”按至少下过 3 单理解：首单之后至少再买 2 次。）"


def test_a_customer_list_in_words() -> None:
    result = {
        "filters": {"country": "Germany", "min_orders": 2, "max_orders": 5, "min_revenue": 500.0, "start": "2011-11-01", "dates_are": "last order"},
        "sort": "orders",
        "customers_in_shop": 4324,
        "matching": 2,
        "matching_revenue": 1500.5,
        "share_of_revenue_pct": 0.02,
        "customers": [
            {"customer_id": 12345, "country": "Germany", "orders": 5, "revenue": 1000.25, "first_order": "2011-01-05",
             "last_order": "2011-12-01", "days_since_last_order": 8, "segment": "loyal"},
        ],
    }  # fmt: skip
    en = format_result("customer_list", result, False)
    assert en.startswith(
        "2 customers in Germany with 2 to 5 orders who spent at least £500.00, last order on or after 2011-11-01 "
        "(<0.1% of the shop's 4,324): "
        "£1,500.50 of net revenue together, 0.02% of the shop's. Most orders first (the first 1):"
    )
    assert "- 12345 (Germany): 5 orders, £1,000.25, first order 2011-01-05, last 2011-12-01 (8 days ago), loyal" in en
    zh = format_result("customer_list", result, True)
    assert zh.startswith(
        "德国、下过 2 至 5 单、累计消费至少 £500.00、最后一单在 2011-11-01 之后的客户共 2 位（占全店 4,324 位客户的 <0.1%）"
    )
    assert "- 12345（德国）：5 单，£1,000.25，首单 2011-01-05，最后一单 2011-12-01（8 天前），忠诚客户" in zh
    assert format_result("customer_list", result | {"matching": 0, "customers": []}, False) == (
        "No customers in Germany with 2 to 5 orders who spent at least £500.00, last order on or after 2011-11-01 "
        "(of the shop's 4,324)."
    )


@pytest.mark.parametrize(
    "text",
    [
        "what's our AOV this quarter?",
        "average order value by month this year",
        "basket size last week",
        "上个月的客单价",
        "本月平均订单金额是多少",
    ],
)
def test_an_aov_ask_is_noticed(text: str) -> None:
    p = plan(text, today=TODAY)
    assert p.tool == "sales_report" and "asked:aov" in p.notes
    assert notes_text(p.notes, False) == ""  # nothing said of it beside the answer


def test_other_reports_do_not_ask_for_the_aov() -> None:
    assert "asked:aov" not in plan("sales by month last quarter", today=TODAY).notes


def test_everyday_words_are_not_typos_of_the_lexicon() -> None:
    assert extract("which customers have gone quiet? predict their value").text == (
        "which customers have gone quiet? predict their value"
    )
    assert extract("hedlines for product 12").text == "headlines for product 12"  # a typo is still fixed


@pytest.mark.parametrize(
    "text",
    ["which customers have gone cold over the last few months", "anyone not ordered for a few months?"],
)
def test_stopping_with_no_day_named_is_the_at_risk_list(text: str) -> None:
    assert plan(text, today=TODAY).tool == "lapsing_customers"
