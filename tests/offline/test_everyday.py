"""Everyday requests on the real demo shop: changes written as amounts to add or take off, two asks
in one message (joined by `+` or a Chinese comma), a list asked for as a file (and `export that`
after it), a what-if carried out, the products just listed ranked, a product named by its name,
two months compared, and a campaign's figures day by day."""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path

import pytest

from copilot.app import Copilot
from offline.extract import extract
from offline.planner import (
    WRITE_VALUE,
    Context,
    partial_reply,
    pending_reply,
    plan,
    split_parts,
    until_said,
    wants_file,
)
from tests.offline.conftest import calls
from tools.base import ToolFailure
from tools.reports import month_period


@pytest.mark.parametrize(
    ("text", "by"),
    [
        ("1号活动预算减100", -100.0),
        ("活动3预算加50", 50.0),
        ("campaign 1 budget down 100", -100.0),
        ("raise campaign 2's budget up £50", 50.0),
    ],
)
def test_an_amount_after_up_or_down_is_a_change_by_it(text: str, by: float) -> None:
    p = plan(text)
    assert p.tool == "set_campaign_budget" and p.args.get("change_by") == by and "daily_budget" not in p.args


def test_to_a_value_stays_a_value() -> None:
    p = plan("把2号活动出价降到0.7")
    assert p.args.get("bid") == 0.7 and "change_by" not in p.args


@pytest.mark.parametrize(
    ("text", "parts"),
    [
        ("把2号活动出价提到1块，1号活动预算减100", 2),  # two changes, one clause each
        ("活动1出价0.9，活动2出价1.1", 2),  # the same change for two campaigns, each its own value
        ("看看哪些客户快流失了，再给产品5写几条标题", 2),
        ("best 5 products this month + the 5 worst", 2),
        ("给商品85123A写小红书标题，俏皮一点，面向流失客户", 1),  # the clauses qualify one ask
        ("想做一波促活，把快流失的高价值老客拉个名单，列15个", 1),  # the first clause is the reason
        ("12748号客户什么来头？下了多少单，客单价大概多少", 1),  # the second leans on that customer
        ("what happens to units + revenue for product 12 at 10% off?", 1),  # `+` inside a phrase
        ("raise the display bid to 0.5 and search daily budget -10%", 2),  # a bid and a budget, each its own
        ("搜索计划出价降5%，社交的日预算提到400", 2),  # a percent, then a comma: two changes
        ("is product 22423 price sensitive? and would 15% off be worth it", 2),  # a second question after `? and`
    ],
)
def test_parts_of_a_message(text: str, parts: int) -> None:
    assert len(split_parts(text)) == parts, split_parts(text)


def test_a_later_part_shares_the_period_of_the_first(cp: Copilot) -> None:
    res = cp.ask("best 5 products last month + the 5 worst")
    got = [(n, a.get("order"), a.get("period")) for n, a, _ in calls(res)]
    assert got == [("top_products", "best", "last_month"), ("top_products", "worst", "last_month")]


def test_two_changes_in_one_message_are_proposed_together_each_approved_on_its_own(cp: Copilot) -> None:
    first = cp.ask("把2号活动出价提到1块，1号活动预算减100")
    pending = [(n, a["campaign_id"]) for n, a, s in calls(first) if s == "pending"]
    assert pending == [("set_campaign_bid", 2), ("set_campaign_budget", 1)]
    assert [c["pending_id"] is not None for c in first["pending_approval"]["changes"]] == [True, True]
    assert "£500.00 -> £400.00" in first["answer"]  # 减100: £100 off, not a budget of £100
    second = cp.ask("好的", thread_id=first["thread_id"])
    assert [(n, s) for n, _, s in calls(second)] == [("set_campaign_bid", "ok"), ("set_campaign_budget", "ok")]
    # changes owned by two specialists still go one after the other (each specialist proposes its own)
    third = cp.ask("pause campaign 3 and set campaign 1's bid to 0.9")
    assert [(n, s) for n, _, s in calls(third)] == [("pause_campaign", "pending")]


@pytest.mark.parametrize(
    ("text", "wanted"),
    [("export that", True), ("导出来", True), ("give me a csv of the lapsing customers", True), ("list them", False)],
)
def test_a_file_asked_for(text: str, wanted: bool) -> None:
    assert wants_file(text) is wanted


def test_a_list_asked_for_as_a_file_is_written_whole(cp: Copilot) -> None:
    res = cp.ask("export the at-risk customers in Germany to a csv")
    (csv_file,) = [a for a in res["attachments"] if a["kind"] == "csv"]
    rows = list(csv.DictReader(Path(csv_file["path"]).read_text().splitlines()))
    assert len(rows) == csv_file["rows"] and all(r["country"] == "Germany" for r in rows)
    assert f"list: {csv_file['path']}" in res["answer"]


def test_export_that_writes_the_last_answer(cp: Copilot) -> None:
    first = cp.ask("daily ROAS for campaign 3 over the last week")
    name, args, _ = calls(first)[0]
    assert (name, args["campaign_id"], args["by"]) == ("campaign_metrics", 3, "day")
    assert "By day:" in first["answer"]
    again = cp.ask("now export that to csv", thread_id=first["thread_id"])
    assert calls(again)[0][:2] == (name, args)
    (csv_file,) = [a for a in again["attachments"] if a["kind"] == "csv"]
    days = list(csv.DictReader(Path(csv_file["path"]).read_text().splitlines()))
    assert len(days) == 7 and {"day", "spend", "revenue", "roas"} <= set(days[0])


def test_what_sells_with_a_product_re_ranked_and_exported(cp: Copilot) -> None:
    first = cp.ask("what do customers usually buy with the regency cakestand?")
    name, args, _ = calls(first)[0]
    assert (name, args) == ("bought_together", {"product_id": 1289})  # REGENCY CAKESTAND 3 TIER, by its name
    assert "ROSES REGENCY TEACUP AND SAUCER" in first["answer"] and "as likely as in any order" in first["answer"]
    again = cp.ask("rank them by lift instead", thread_id=first["thread_id"])
    assert calls(again)[0][:2] == ("bought_together", {"product_id": 1289, "rank_by": "lift"})
    file = cp.ask("export the top 20", thread_id=first["thread_id"])
    (csv_file,) = [a for a in file["attachments"] if a["kind"] == "csv"]
    rows = list(csv.DictReader(Path(csv_file["path"]).read_text().splitlines()))
    assert len(rows) == 20 and {"product_id", "orders_together", "share_pct", "lift"} <= set(rows[0])
    zh = cp.ask("和蛋糕架一起买得最多的是哪些商品？")
    assert calls(zh)[0][:2] == ("bought_together", {"query": "蛋糕架"}) and "最常一起买的" in zh["answer"]


def test_a_second_what_if_replaces_the_first_change() -> None:
    first = plan("what if we put product 1289 up by 50p")
    assert first.tool == "discount_effect" and first.args["change_by"] == 0.5
    ctx = Context(tool=first.tool, args=first.args)
    again = plan("and what about 10% off?", ctx)
    assert again.args == {"product_id": 1289, "discount_pct": 10.0}
    third = plan("如果降到11镑呢", Context(tool=again.tool, args=again.args))
    assert third.args == {"product_id": 1289, "new_price": 11.0}


@pytest.mark.parametrize(
    ("text", "tool", "args"),
    [
        (  # two months set against each other with words between "better" and "than"
            "did the doormats sell better in October than they did in July?",
            "top_products",
            {"month": "10", "compare_month": "7", "query": "doormats"},
        ),
        ("the last five weeks week by week, revenue and orders", "sales_report", {"by": "week"}),  # a span in words
        (
            "rank every product with 'retro' in its name by units sold this year",
            "top_products",
            {"query": "retro", "metric": "units", "period": "ytd"},
        ),
        ("名字里带复古的商品今年卖了多少", "sales_report", {"query": "复古", "period": "ytd"}),
        ("今年9月首单的客户有多少", "customer_list", {"first_start": "2011-09-01", "first_end": "2011-09-30"}),
        (
            "customers whose first order was in October this year",
            "customer_list",
            {"first_start": "2011-10-01", "first_end": "2011-10-31"},
        ),
        ("top 5 products last month. how did each one do against the month before?", "top_products", {"limit": 5}),
        ("3号和1号计划上周谁的投产比更高？", "compare_campaigns", {"campaign_ids": [3, 1], "metric": "roas"}),
        (
            "Plan Father's Day for the UK with £4,000: when do we start, who do we target, how should it split?",
            "campaign_plan",
            {"total_budget": 4000.0},
        ),
        ("Easter plan, £3k total: when to start, who to target and how to split it", "campaign_plan", {}),
        (
            "11月到目前为止的订单数同比去年同期怎么样",
            "sales_report",
            {"month": "11", "to_month": "latest", "compare_last_year": True},
        ),
        ("revenue by country last month vs the same period last year", "sales_report", {"compare_last_year": True}),
        (
            "google ad copy for the regency cakestand for our VIP customers, premium tone",
            "compose_headlines",
            {"platform": "google_rsa", "tone": "premium"},
        ),
    ],
)
def test_everyday_wordings_of_periods_names_and_comparisons(text: str, tool: str, args: dict[str, object]) -> None:
    p = plan(text, today=date(2011, 12, 9))
    assert p.tool == tool and p.args.items() >= args.items(), (p.tool, p.args)
    assert len(split_parts(text)) == 1


def test_two_campaigns_compared_on_a_figure_say_which_is_ahead(cp: Copilot) -> None:
    res = cp.ask("campaigns 1 and 2 last week: which one had the lower CPA?")
    assert calls(res)[0][:2] == (
        "compare_campaigns",
        {"campaign_ids": [1, 2], "period": "last_week", "metric": "cpa"},
    )
    best = res["tool_calls"][0]["result"]["ranking"][0]["campaign_id"]
    assert res["answer"].startswith(f"Lower CPA: campaign {best} (")


def test_whether_something_lifts_sales_is_answered_with_a_verdict() -> None:
    p = plan("weekly sales of our doormats for the last 8 weeks - is the cold snap lifting them?")
    assert p.tool == "sales_report" and "asked:trend" in p.notes


def test_a_period_against_the_same_days_a_year_before(cp: Copilot) -> None:
    res = cp.ask("12月到目前为止的销售额同比去年12月同期怎么样？")
    assert calls(res)[0][1]["compare_last_year"] is True
    prev = res["tool_calls"][0]["result"]["previous_period"]
    assert (prev["start"], prev["end"]) == ("2010-12-01", "2010-12-09")
    assert "对比的是去年同期 2010-12-01 至 2010-12-09" in res["answer"]


def test_the_last_answer_as_a_table_or_a_chart(cp: Copilot) -> None:
    first = cp.ask("ROAS, CPA and CTR for each campaign last week")
    table = cp.ask("put that in a table", thread_id=first["thread_id"])
    assert calls(table)[0][:2] == calls(first)[0][:2] and [a["kind"] for a in table["attachments"]].count("csv") == 1
    daily = cp.ask("2号计划最近14天每天的ROAS")
    drawn = cp.ask("做成图", thread_id=daily["thread_id"])
    assert calls(drawn)[0][:2] == calls(daily)[0][:2] and any(a["kind"] == "chart" for a in drawn["attachments"])


def test_an_ab_test_answers_whether_b_won_first(cp: Copilot) -> None:
    res = cp.ask("A/B on the newsletter: A got 212 orders from 9,800 sends, B got 251 from 9,750. Is B a real winner?")
    assert res["answer"].startswith("In short: B is ahead of A but not yet a proven winner")


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("what does CPA stand for?", "cpa"),
        ("sorry, what does ROAS actually mean?", "roas"),
        ("这个转化是什么意思呀？是下单吗？", "conversion"),
        ("what's meant by price elasticity?", "elasticity"),
        ("P(alive)是什么意思", "p_alive"),
    ],
)
def test_a_question_about_a_word_is_answered_in_words(text: str, key: str) -> None:
    p = plan(text)
    assert p.tool is None and p.declined == f"term:{key}"


def test_a_meaning_asked_beside_figures_comes_with_them(cp: Copilot) -> None:
    res = cp.ask("Could you pull ROAS and CPA for each campaign last week? Also, what does CPA stand for?")
    assert [n for n, _, _ in calls(res)] == ["campaign_metrics"]
    assert "CPA (cost per acquisition) is what one conversion cost" in res["answer"]
    zh = cp.ask("老板让我查一下上个季度各个客户分层的销售额占比。这个分层是什么意思啊？")
    assert calls(zh)[0][:2] == ("sales_report", {"period": "last_quarter", "breakdown": "segment"})
    assert "客户分层指 RFM 分群" in zh["answer"]


@pytest.mark.parametrize(
    ("text", "tool", "args"),
    [
        (
            "My manager wants all our campaign bids raised by 10% before the weekend. Could you set that up?",
            "set_campaign_bids",
            {"all_campaigns": True, "change_pct": 10.0},
        ),
        ("my boss asked me to find all the doormats we sell, with prices", "similar_products", {"query": "doormats"}),
        ("how has the white hanging heart tealight holder sold each month this year?", "sales_report", {"by": "month"}),
    ],
)
def test_asks_passed_on_and_words_spelt_otherwise(text: str, tool: str, args: dict[str, object]) -> None:
    p = plan(text, today=date(2011, 12, 9))
    assert p.tool == tool and p.args.items() >= args.items(), (p.tool, p.args)


@pytest.mark.parametrize(
    ("text", "tool", "args", "note"),
    [
        (
            "a monthly sales summary for last quarter: revenue and orders for each month, and how the quarter "
            "compares with the quarter before",
            "sales_report",
            {"period": "last_quarter", "by": "month"},
            None,
        ),
        (
            "Could you draft a Valentine's plan for UK customers with £2,000? Which customers should we target?",
            "campaign_plan",
            {"total_budget": 2000.0},
            None,
        ),
        ("今年每个月的销售额和订单数，哪个月最好？", "sales_report", {"by": "month"}, "asked:highest-row-revenue"),
        ("which week had the most orders in October?", "sales_report", {"by": "week"}, "asked:highest-row-orders"),
    ],
)
def test_one_ask_spelt_out(text: str, tool: str, args: dict[str, object], note: str | None) -> None:
    assert len(split_parts(text)) == 1
    p = plan(text, today=date(2011, 12, 9))
    assert p.tool == tool and p.args.items() >= args.items(), (p.tool, p.args)
    assert note is None or note in p.notes


@pytest.mark.parametrize(
    ("text", "said"),
    [
        ("这个月剩下的时间所有计划的日预算都先降15%", "这个月剩下的时间"),
        ("cut all budgets 15% for the rest of the month", "for the rest of the month"),
    ],
)
def test_a_change_for_the_rest_of_the_month_says_it_will_not_undo_itself(text: str, said: str) -> None:
    assert until_said(text, "set_campaign_budgets") == [f"no_schedule:{said}"]


def test_how_sure_a_figure_is_is_said_beside_it(cp: Copilot) -> None:
    res = cp.ask("What's customer 14646 worth over the next year, and how sure is that?")
    assert (
        calls(res)[0][0] == "customer_profile" and "This is a model's estimate, not a measured figure" in res["answer"]
    )
    zh = cp.ask("2号计划上周的投产比，数据靠谱吗？")
    assert "演示活动的投放数据" in zh["answer"]


def test_a_bare_stock_code_in_a_report_and_weekly_sales_asked_if_they_peaked(cp: Copilot) -> None:
    res = cp.ask("is 22423 worth featuring? how much has it sold each month this year")
    assert calls(res)[0][1].get("product_ids") == [1289]  # REGENCY CAKESTAND 3 TIER, not the whole shop
    p = plan("weekly sales for the last 6 weeks - has the christmas rush peaked yet?", today=date(2011, 12, 9))
    assert p.tool == "sales_report" and "asked:trend" in p.notes


def test_the_top_and_the_bottom_of_a_ranking_together(cp: Copilot) -> None:
    res = cp.ask("top 5 and bottom 5 products by revenue last month, the bottom by the biggest drops")
    assert calls(res)[0][1].items() >= {"order": "both", "worst_by": "fall", "limit": 5}.items()
    result = res["tool_calls"][0]["result"]
    assert len(result["products"]) == len(result["worst"]["products"]) == 5
    assert "Best seller" in res["answer"] and "Biggest fall" in res["answer"]


@pytest.mark.parametrize(
    ("text", "tool", "args"),
    [
        (
            "of the customers whose first order was in Q2 2011, how many ordered again?",
            "customer_list",
            {"first_start": "2011-04-01", "first_end": "2011-06-30", "min_orders": 2},
        ),
        ("monthly revenue for 2011 so far, with the change on each previous month", "sales_report", {"period": "ytd"}),
        (
            "what sells with the regency cakestand? rank by lift, I want bundle ideas",
            "bought_together",
            {"rank_by": "lift"},
        ),
    ],
)
def test_quarters_years_so_far_and_a_ranking_asked_after(text: str, tool: str, args: dict[str, object]) -> None:
    p = plan(text, today=date(2011, 12, 9))
    assert p.tool == tool and p.args.items() >= args.items(), (p.tool, p.args)
    assert len(split_parts(text)) == 1


def test_the_whole_then_a_part_are_two_answers_and_a_what_if_is_set_by_its_words(cp: Copilot) -> None:
    parts = split_parts(
        "What's our repeat purchase rate? And of the customers who first ordered in Q1, how many came back?"
    )
    assert len(parts) == 2
    shown = cp.ask("德国和法国上个季度各卖了多少？并排对比一下，各占全店多少")
    rows = shown["tool_calls"][0]["result"]["breakdown"]["rows"]
    assert [n for n, _, _ in calls(shown)] == ["sales_report"] and all("shop_share_pct" in r for r in rows)
    first = cp.ask("JUMBO BAG RED RETROSPOT 降价10%，销量会怎样")
    then = cp.ask("那就按这个改", thread_id=first["thread_id"])
    assert then["pending_approval"]["tool_calls"][0]["name"] == "set_product_price"


def test_thanks_before_a_follow_up_and_a_file_of_a_filtered_breakdown(cp: Copilot) -> None:
    first = cp.ask("CTR for campaign 2 for each day over the last 14 days please")
    again = cp.ask("Thank you! And the same for campaign 1?", thread_id=first["thread_id"])
    assert calls(again)[0][:2] == ("campaign_metrics", {**calls(first)[0][1], "campaign_id": 1})
    shown = cp.ask("sales by country for November, outside the UK")
    file = cp.ask("Great, can you send that as a file?", thread_id=shown["thread_id"])
    assert calls(file)[0][1].get("country") == "not United Kingdom"
    named = cp.ask("老板问那个红色波点的大号购物袋最近卖得怎么样，帮我看一下最近8周每周的销量")
    assert calls(named)[0][:2] == (
        "sales_report",
        {"start": "2011-10-14", "end": "2011-12-08", "by": "week", "product_ids": [3220]},
    )


def test_two_months_compared_say_which_won(cp: Copilot) -> None:
    res = cp.ask("did the t-light holders sell better in November than in August?")
    assert calls(res)[0][1]["compare_month"] == "8"
    assert "2011-11 beat 2011-08" in res["answer"] and "change against 2011-08 in brackets" in res["answer"]


def test_a_ranking_narrowed_to_a_theme_keeps_it(cp: Copilot) -> None:
    first = cp.ask("best selling products last month")
    narrowed = cp.ask("only the christmas ones", thread_id=first["thread_id"])
    assert calls(narrowed)[0][1]["query"] == "christmas" and calls(narrowed)[0][1]["period"] == "last_month"
    there = cp.ask("and in Germany?", thread_id=first["thread_id"])
    assert calls(there)[0][1].items() >= {"query": "christmas", "country": "Germany"}.items()
    zh = cp.ask("上个月卖得最差的商品")
    again = cp.ask("只看圣诞相关的", thread_id=zh["thread_id"])
    assert calls(again)[0][1]["query"] == "圣诞" and calls(again)[0][1]["order"] == "worst"


def test_a_product_named_after_like_the_is_that_products_neighbours(cp: Copilot) -> None:
    res = cp.ask("which other bags do we sell that are like the jumbo bag red retrospot? give me 5")
    assert calls(res)[0][:2] == ("similar_products", {"k": 5, "product_id": 3220})
    text = cp.ask("find products like a red paper parasol")  # a description, not one product
    assert calls(text)[0][1]["query"] == "red paper parasol" and "product_id" not in calls(text)[0][1]


def test_copy_for_people_named_in_words_speaks_to_them() -> None:
    en = extract("5 google headlines for 23084, playful, aimed at young parents doing their Christmas shopping")
    assert (en.audience, en.occasion) == ("young parents", "Christmas")
    zh = extract("给85123A写3条小红书笔记，主题是送闺蜜的圣诞礼物，语气温暖一点")
    assert (zh.audience, zh.occasion) == ("闺蜜", "圣诞")


def test_a_bulk_edit_and_another_change_joined_by_add_are_two_parts() -> None:
    parts = split_parts(
        "raise the bids on all our paid search campaigns by 15% and add £50 a day to campaign 3's budget"
    )
    assert [plan(p).tool for p in parts] == ["set_campaign_bids", "set_campaign_budget"]


def test_a_breakdown_exported_holds_every_group(cp: Copilot) -> None:
    res = cp.ask("上个月各国销售额，导出")
    (csv_file,) = [a for a in res["attachments"] if a["kind"] == "csv"]
    result = next(c["result"] for c in res["tool_calls"])
    assert csv_file["rows"] == result["breakdown"]["groups"] > len(result["breakdown"]["rows"])


def test_a_what_if_carried_out_waits_for_approval(cp: Copilot) -> None:
    first = cp.ask("what if we put the jumbo bag red retrospot at £2.25?")
    name, args, _ = calls(first)[0]
    code = {v: k for k, v in cp.shop.stock_codes().items()}[args["product_id"]]
    assert (name, code, args["new_price"]) == ("discount_effect", "85099B", 2.25)
    assert "JUMBO BAG RED RETROSPOT" in first["answer"]
    done = cp.ask("ok do it", thread_id=first["thread_id"])
    assert [(n, a, s) for n, a, s in calls(done)] == [
        ("set_product_price", {"product_id": args["product_id"], "price": 2.25}, "pending")
    ]


def test_the_products_just_listed_ranked(cp: Copilot) -> None:
    first = cp.ask("what else is like the white hanging heart? need 6 alternatives")
    name, args, _ = calls(first)[0]
    assert name == "similar_products" and cp.shop.stock_codes()["85123A"] == args["product_id"]
    listed = [r["product_id"] for r in next(c["result"] for c in first["tool_calls"])["similar"]]
    assert args["product_id"] not in listed and len(listed) == 6
    second = cp.ask("which of those sells best?", thread_id=first["thread_id"])
    name, args, _ = calls(second)[0]
    assert name == "top_products" and args["product_ids"] == listed


def test_two_months_compared_are_not_a_range() -> None:
    p = plan("France sales in November vs October")
    assert p.args.get("month") == "11" and "to_month" not in p.args
    with pytest.raises(ToolFailure, match="after the shop's latest orders"):
        month_period(date(2011, 12, 9), "11", "10")


def test_one_campaign_named_by_its_channel_where_a_tool_may_take_one(cp: Copilot) -> None:
    res = cp.ask("daily figures for the display campaign last week")
    name, args, _ = calls(res)[0]
    assert (name, args.get("campaign_id"), args.get("by")) == ("campaign_metrics", 3, "day")
    res = cp.ask("how are my campaigns doing")
    assert "campaign_id" not in calls(res)[0][1] or calls(res)[0][1]["campaign_id"] is None


@pytest.mark.parametrize("text", ["sales per customer segment this quarter", "上个季度各分层的销售额"])
def test_a_breakdown_over_a_period_is_a_report(text: str) -> None:
    p = plan(text)
    assert p.tool == "sales_report" and p.args.get("breakdown") == "segment"


# -- what the catalog holds, copy named by where it runs, what customers are worth, periods --------------


@pytest.mark.parametrize(
    ("text", "query"),
    [
        ("which tea towels do we sell?", "tea towels"),
        ("any wall clocks in the range", "wall clocks"),
        ("花瓶有哪些款？", "花瓶"),
        ("有没有门垫卖", "门垫"),
    ],
)
def test_a_kind_of_product_asked_for_is_a_catalog_search(text: str, query: str) -> None:
    p = plan(text)
    assert p.tool == "similar_products" and p.args.get("query") == query


def test_a_platform_or_tone_named_is_copy_to_write() -> None:
    p = plan("need 4 instagram ads for product 40, cheeky tone")
    assert p.tool == "compose_headlines"
    assert p.args.get("platform") == "meta" and p.args.get("tone") == "playful" and p.args.get("n") == 4


@pytest.mark.parametrize("text", ["写3篇小红书笔记给产品40", "给产品40写3篇小红书笔记"])
def test_chinese_counters_count_notes(text: str) -> None:
    assert plan(text).args.get("n") == 3


def test_customers_who_drifted_away_are_lapsed() -> None:
    p = plan("write 2 facebook headlines for product 40 for shoppers who have drifted away")
    assert p.args.get("audience") == "lapsed"


@pytest.mark.parametrize(
    "text", ["customers with 5+ orders ranked by predicted value", "下单5次以上的客户，谁未来价值最高"]
)
def test_predicted_value_is_the_lifetime_value_model(text: str) -> None:
    p = plan(text)
    assert p.tool == "customer_lifetime_value" and p.args.get("min_orders") == 5


def test_figures_over_a_period_broken_down_are_a_report() -> None:
    p = plan("which markets made the most revenue in october")
    assert p.tool == "sales_report" and p.args.get("breakdown") == "country" and p.args.get("month") == "10"


def test_the_end_of_a_month_is_its_last_day() -> None:
    d = extract("haven't ordered since the end of june").order_dates[0]
    assert (d.month, d.day, d.rule) == (6, 30, "not_since")


def test_a_spend_ranking_follows_a_spend_question(cp: Copilot) -> None:
    first = cp.ask("how much did the ads cost us in the last 14 days?")
    res = cp.ask("which campaign burned the most?", thread_id=first["thread_id"])
    assert calls(res)[0][0] == "compare_campaigns" and calls(res)[0][1].get("metric") == "spend"


def test_parts_after_a_change_are_named_while_it_waits(cp: Copilot) -> None:
    res = cp.ask("raise campaign 2's budget by 50, then how is it pacing?")
    assert res["pending_approval"] is not None
    assert "how is it pacing?" in res["answer"]
    done = cp.resume(res["thread_id"], approved=False)
    assert [c[0] for c in calls(done)][-1] == "campaign_pacing"


def test_seasonality_names_the_weakest_month_and_weekday(cp: Copilot) -> None:
    res = cp.ask("which month and weekday are usually our weakest?")
    assert calls(res)[0][0] == "sales_seasonality"
    assert "weakest month Feb" in res["answer"] and "weakest weekday" in res["answer"]


@pytest.mark.parametrize(
    ("text", "months"),
    [
        ("revenue in Q2", ("4", "6")),
        ("2011 Q1 revenue by month", ("2011-01", "2011-03")),
        ("四季度的销售", ("10", "12")),
    ],
)
def test_a_quarter_is_its_three_months(text: str, months: tuple[str, str]) -> None:
    p = plan(text)
    assert p.tool == "sales_report" and (p.args.get("month"), p.args.get("to_month")) == months


def test_the_last_weeks_are_days_back_from_today() -> None:
    p = plan("daily revenue for the last 3 weeks", today=date(2011, 12, 9))
    assert (p.args.get("start"), p.args.get("end")) == ("2011-11-18", "2011-12-08")


def test_two_rankings_of_one_tool_are_two_parts() -> None:
    parts = split_parts("which campaign has the most clicks, and which one has the highest CPC?")
    assert len(parts) == 2
    assert [plan(p).args.get("metric") for p in parts] == ["clicks", "cpc"]


def test_a_short_chinese_ask_first_is_a_part_of_its_own() -> None:
    assert len(split_parts("看下季节性，顺便把上周点击最多的活动找出来")) == 2


def test_the_worst_one_after_a_ranking_is_its_last(cp: Copilot) -> None:
    first = cp.ask("rank the campaigns by CPA over the last 14 days")
    worst = first["tool_calls"][0]["result"]["worst"]["campaign_id"]
    res = cp.ask("pause the worst one", thread_id=first["thread_id"])
    (name, args, _), *_ = calls(res)
    assert name == "pause_campaign" and res["pending_approval"] is not None
    assert args["campaign_id"] == worst


def test_a_stock_code_the_catalog_lacks_is_said_to_be_missing(cp: Copilot) -> None:
    res = cp.ask("cut the price of 85123C by 5%")
    assert "no product with stock code 85123C" in res["answer"] and "85123A" in res["answer"]
    assert res["pending_approval"] is None


def test_sending_to_customers_is_not_a_price_and_is_said_to_be_beyond_us(cp: Copilot) -> None:
    res = cp.ask("could you mail all the lapsed customers a 25% off code")
    assert [c[0] for c in calls(res)] == ["lapsing_customers"]
    assert "can't send" in res["answer"]


def test_a_kind_of_product_several_share_is_asked_about_with_the_best_sellers(cp: Copilot) -> None:
    res = cp.ask("what would 10% off the jumbo bag do to sales?")  # no one jumbo bag far ahead of the rest
    assert not calls(res) and "JUMBO BAG RED RETROSPOT" in res["answer"]
    done = cp.ask("3220", thread_id=res["thread_id"])
    assert calls(done)[0][:2] == ("discount_effect", {"product_id": 3220, "discount_pct": 10.0})
    led = cp.ask("what would 10% off the cake stand do to sales?")  # the regency cakestand sells 7.7x the next
    assert [(n, a.get("product_id")) for n, a, _ in calls(led)] == [("discount_effect", 1289)]


def test_the_month_before_last_replaces_the_period_and_keeps_the_filter(cp: Copilot) -> None:
    first = cp.ask("sales in Germany last month")
    res = cp.ask("and the month before last?", thread_id=first["thread_id"])
    (name, args, _), *_ = calls(res)
    assert name == "sales_report" and args.get("country") == "Germany"
    assert args.get("month") == "2011-10" and "period" not in args


def test_a_channel_named_in_a_follow_up_is_that_campaign(cp: Copilot) -> None:
    first = cp.ask("campaign 1's clicks by day for the last week")
    res = cp.ask("same for the display one", thread_id=first["thread_id"])
    assert calls(res)[0][1].get("campaign_id") == 3


def test_a_later_part_about_it_gets_the_product_named_before(cp: Copilot) -> None:
    res = cp.ask("how price-sensitive is the regency cakestand? also what would 5% off it do")
    assert [c[0] for c in calls(res)] == ["price_elasticity", "discount_effect"]
    assert calls(res)[1][1].get("product_id") == 1289


def test_copy_written_for_it_has_no_audience_named_it() -> None:
    assert extract("给它写两条谷歌广告标题").audience is None
    assert extract("给宝妈写3条标题").audience == "宝妈"


@pytest.mark.parametrize(
    ("text", "period"),
    [
        ("revenue last wk", "last week"),
        ("orders prev qtr", "previous quarter"),
        ("AOV over the last 3 mths", "last 3 months"),
    ],
)
def test_short_forms_of_period_words_are_the_words(text: str, period: str) -> None:
    assert extract(text).period == period


@pytest.mark.parametrize(
    "text",
    [
        "products that crashed hardest last month",
        "who were the biggest losers in november",
        "上个月跌幅最大的商品",
        "which items sank vs last month",
    ],
)
def test_words_for_a_fall_rank_the_worst(text: str) -> None:
    assert extract(text).worst, text


@pytest.mark.parametrize(("text", "count"), [("本月销量前15的商品", 15), ("倒数5的产品", 5), ("top 12 products", 12)])
def test_top_n_products_in_chinese_is_a_count_not_a_product_id(text: str, count: int) -> None:
    e = extract(text)
    assert e.counts == [count] and not e.ids("product"), e


def test_the_number_of_a_period_is_not_an_amount() -> None:
    e = extract("how much will customer 12347 spend over the next 6 months")
    assert e.period == "next 6 months" and e.numbers == []


def test_lifetime_spend_is_past_spend_a_list_not_the_value_model(cp: Copilot) -> None:
    res = cp.ask("German customers with 1k+ lifetime spend and no order since 1 september")
    (name, args, _), *_ = calls(res)
    assert name == "customer_list" and args.get("min_revenue") == 1000.0 and args.get("country") == "Germany"


def test_a_reports_period_is_no_filter_on_a_customer_list_asked_after_it(cp: Copilot) -> None:
    res = cp.ask("revenue by segment over the last 2 months, and also list the customers most likely to churn")
    got = {n: a for n, a, _ in calls(res)}
    assert got["sales_report"].get("period") == "last_60_days" or got["sales_report"].get("start")
    listed = [a for n, a in got.items() if n in ("lapsing_customers", "customer_list")]
    assert len(listed) == 1 and not {"start", "end"} & set(listed[0]), got


def test_a_follow_up_keeps_the_figures_asked_for_before(cp: Copilot) -> None:
    first = cp.ask("sales in spain last month with the average order value")
    assert "AOV" in first["answer"]
    res = cp.ask("and italy?", thread_id=first["thread_id"])
    assert [(n, a.get("country")) for n, a, _ in calls(res)] == [("sales_report", "Italy")]
    assert "AOV" in res["answer"].split("\n")[0]


@pytest.mark.parametrize(
    "text",
    ["phone numbers of our 15 biggest spenders please", "导出会员里消费最多的20个人的手机号和邮箱"],
)
def test_contact_details_are_not_held_the_customers_are_listed_and_it_says_why(text: str) -> None:
    p = plan(text)
    assert p.tool is not None and p.tool not in ("set_campaign_bid", "set_price") and "no_contact" in p.notes, p


def test_sending_an_email_is_not_asking_for_email_addresses() -> None:
    p = plan("email the lapsed customers a 10% code")
    assert "cannot_send" in p.notes and "no_contact" not in p.notes


def test_a_count_written_against_chinese_is_read() -> None:
    assert extract("给我top 15商品").counts == [15]


@pytest.mark.parametrize(
    "text",
    ["how much did our competitors sell on amazon last month", "竞品这个月在天猫卖了多少", "rivals' prices vs ours?"],
)
def test_a_competitors_figures_are_declined_and_none_of_ours_given(text: str) -> None:
    p = plan(text)
    assert p.tool is None and p.declined == "competitor"


def test_a_change_that_mentions_competitors_is_still_proposed() -> None:
    assert plan("competitors outbid us on search, set campaign 1's bid to 0.95").tool == "set_campaign_bid"


@pytest.mark.parametrize(
    ("text", "period"), [("ctr of all campaigns vs last week", "last_7_days"), ("销量比上个月怎么样", "last_30_days")]
)
def test_against_last_week_is_the_latest_week_against_it(text: str, period: str) -> None:
    assert plan(text).args.get("period") == period


def test_a_quarters_number_is_no_amount() -> None:
    e = extract("1季度要不要减少广告投入")
    assert e.months == [(None, 1), (None, 3)] and not e.numbers


def test_one_customer_spoken_of_gets_their_own_value_not_the_ranking(cp: Copilot) -> None:
    first = cp.ask("tell me about customer 12347")
    later = cp.ask("and what will she be worth next year?", thread_id=first["thread_id"])
    assert [(n, a) for n, a, _ in calls(later)] == [("customer_profile", {"customer_id": 12347})]
    assert "£" in later["answer"] and "52" in later["answer"]
    assert plan("top 10 customers by predicted value").tool == "customer_lifetime_value"


def test_narrowing_a_quarters_report_to_one_country_keeps_the_whole_quarter(cp: Copilot) -> None:
    first = cp.ask("sales by country for Q3 2011")
    later = cp.ask("now just germany, month by month", thread_id=first["thread_id"])
    [(tool, args, _)] = calls(later)
    assert tool == "sales_report" and args["country"] == "Germany" and args["by"] == "month"
    assert (args["month"], args["to_month"]) == ("2011-07", "2011-09") and "breakdown" not in args
    assert "orders" in first["answer"].split("By country")[1].splitlines()[1]  # each country's orders too


def test_a_period_named_first_is_not_replaced_by_the_one_it_is_compared_with() -> None:
    assert plan("上周每天的销售额发我看下，跟前一周比一比").args.get("period") == "last_week"
    assert plan("最近一周的销售额").args.get("period") == "last_7_days"


def test_a_months_number_is_no_amount() -> None:
    assert not extract("想提前准备一下1月的预算").numbers


@pytest.mark.parametrize(
    ("text", "least"),
    [
        ("customers in spain who ordered at least twice", 2),
        ("shoppers who came back more than once", 2),
        ("buyers who ordered twice or more since september", 2),
        ("clients who bought more than twice", 3),
    ],
)
def test_twice_and_more_than_once_are_order_counts(text: str, least: int) -> None:
    assert plan(text).args.get("min_orders") == least


def test_a_second_chinese_question_after_a_question_mark_is_a_part() -> None:
    parts = split_parts("上个月哪个活动点击率最高？转化成本最低的又是哪个")
    assert len(parts) == 2
    assert [plan(p).tool for p in parts] == ["compare_campaigns", "compare_campaigns"]
    assert plan(parts[1]).args.get("metric") == "cpa"


def test_a_later_part_that_pauses_it_pauses_the_campaign_named_before(cp: Copilot) -> None:
    res = cp.ask("what did the social campaign spend yesterday? then pause it")
    assert [(n, a.get("campaign_id")) for n, a, _ in calls(res)] == [("campaign_metrics", 2), ("pause_campaign", 2)]
    assert res["pending_approval"] is not None


def test_a_later_part_about_it_gets_the_product_named_in_chinese(cp: Copilot) -> None:
    res = cp.ask("兔子夜灯的价格弹性是多少？另外它打九折会怎样")
    assert [(n, a.get("product_id")) for n, a, _ in calls(res)] == [
        ("price_elasticity", 1920),
        ("discount_effect", 1920),
    ]


def test_a_warm_style_in_chinese_is_the_warm_tone() -> None:
    assert extract("写几条小红书文案，风格暖一点").tone == "warm"
    assert extract("暖手宝的广告语").tone is None  # a hand warmer is not a tone


def test_a_plural_names_the_products_the_catalog_writes_in_the_singular(cp: Copilot) -> None:
    res = cp.ask("anything like the 50's christmas paper chains?")
    assert calls(res)[0][1].get("product_id") == 986  # PAPER CHAIN KIT 50'S CHRISTMAS, not a paper gift bag


def test_which_of_a_kind_we_sell_lists_every_one_with_codes_and_prices(cp: Copilot) -> None:
    res = cp.ask("what doormats do we sell?")
    [(name, args, _)] = calls(res)
    assert name == "similar_products" and args.get("every_match") is True
    result = res["tool_calls"][0]["result"]
    rows = result["matching"]
    assert len(rows) == result["matching_count"] >= 10 and all("DOORMAT" in r["description"] for r in rows)
    assert rows[0]["stock_code"] in res["answer"] and f"{result['matching_count']} products" in res["answer"]
    units = [r["units_sold"] for r in rows]
    assert units == sorted(units, reverse=True)


def test_a_missing_stock_code_is_said_in_chinese(cp: Copilot) -> None:
    res = cp.ask("和88888Z相似的商品有哪些")
    assert "没有库存编号为 88888Z 的商品" in res["answer"] and "stock code" not in res["answer"]


def test_contact_details_of_one_customer_give_their_profile_and_why_no_more(cp: Copilot) -> None:
    res = cp.ask("12347这个客户的电话发我，我想打给他")
    assert [n for n, _, _ in calls(res)] == ["customer_profile"] and "没有客户的邮箱、电话" in res["answer"]


def test_a_question_beside_a_statement_of_its_context_is_the_question() -> None:
    assert plan("do sales usually dip after christmas? we are planning january's budget").tool == "sales_seasonality"


def test_a_later_part_keeps_the_country_of_the_first(cp: Copilot) -> None:
    res = cp.ask("top 5 sellers in germany last month, then the 5 that fell the most")
    assert [a.get("country") for _, a, _ in calls(res)] == ["Germany", "Germany"]


def test_how_one_campaign_stacks_up_against_another_compares_the_two(cp: Copilot) -> None:
    first = cp.ask("campaign 2 figures for last month")
    res = cp.ask("how does it compare with the display one?", thread_id=first["thread_id"])
    [(name, args, _)] = calls(res)
    assert name == "compare_campaigns" and args["campaign_ids"] == [2, 3] and args.get("period") == "last_month"
    assert "spend" in res["answer"]  # each one's other figures beside the ranked one


def test_a_new_value_right_after_a_proposed_change_replaces_it(cp: Copilot) -> None:
    first = cp.ask("把3号活动的出价提高20%")
    assert first["pending_approval"] is not None
    res = cp.ask("不对，改到0.5就好", thread_id=first["thread_id"])
    [(name, args, _)] = calls(res)
    assert name == "set_campaign_bid" and args == {"campaign_id": 3, "bid": 0.5}


@pytest.mark.parametrize(
    ("text", "value"), [("3号活动出价加3毛", 0.3), ("1号活动出价改成1块2", 1.2), ("出价降到8毛钱", 0.8)]
)
def test_mao_and_kuai_jiao_are_tenths(text: str, value: float) -> None:
    p = plan(text)
    assert value in (p.args.get("bid"), p.args.get("change_by")), p.args


def test_having_bought_again_is_at_least_two_orders() -> None:
    assert plan("9月以来的新客里已经复购过的客户").args.get("min_orders") == 2


def test_a_list_of_month_numbers_is_months_not_an_amount() -> None:
    e = extract("3、4月份一般卖得怎么样")
    assert e.months == [(None, 3), (None, 4)] and not e.numbers
    assert extract("9到11月的订单").month_range


def test_the_customers_of_one_segment_are_a_customer_list() -> None:
    p = plan("把潜力客户分群的人都拉出来")
    assert p.tool == "customer_list" and p.args.get("segment") == "potential_loyalists"
    assert plan("who are our champions").tool == "customer_list"
    assert plan("how many champions have we got?").tool == "rfm_segments"


def test_a_channels_campaign_by_week_is_that_campaigns_figures(cp: Copilot) -> None:
    res = cp.ask("搜索那条最近60天按周看看ROAS")
    [(name, args, _)] = calls(res)
    assert name == "campaign_metrics" and args.get("campaign_id") == 1 and args.get("by") == "week"


def test_a_month_is_its_days_for_a_tool_that_takes_days(cp: Copilot) -> None:
    res = cp.ask("rank the campaigns by ROAS for october")
    [(name, args, _)] = calls(res)
    assert name == "compare_campaigns" and (args["start"], args["end"]) == ("2011-10-01", "2011-10-31")
    assert "All 3 together" in res["answer"]  # the few campaigns' total beside the ranking


def test_a_quarter_against_another_is_the_quarters_span() -> None:
    p = plan("Q3 vs Q2 by country")
    assert (p.args.get("month"), p.args.get("to_month")) == ("7", "9")


def test_a_second_question_restating_the_country_is_a_part_of_its_own() -> None:
    parts = split_parts("french customers with 5+ orders by spend, and how many lapsing ones are in france?")
    assert len(parts) == 2 and plan(parts[1], earlier=parts[0]).tool == "lapsing_customers"


def test_stuff_like_a_kind_of_product_searches_the_catalog() -> None:
    assert plan("got any stuff like those silly vintage enamel mugs?").tool == "similar_products"


def test_a_bare_stock_code_beside_product_words_is_the_product(cp: Copilot) -> None:
    res = cp.ask("跟22630类似的商品有哪些")
    assert calls(res)[0][:2] == ("similar_products", {"product_id": 1484})  # DOLLY GIRL LUNCH BOX


def test_a_product_named_in_chinese_is_every_parts_product(cp: Copilot) -> None:
    res = cp.ask("兔子夜灯的价格弹性多少？打九折能多卖多少")
    assert [(n, a.get("product_id")) for n, a, _ in calls(res)] == [
        ("price_elasticity", 1920),
        ("discount_effect", 1920),
    ]
    assert "None" not in res["answer"]


def test_a_price_for_a_stock_code_the_catalog_lacks_says_so(cp: Copilot) -> None:
    res = cp.ask("把98765的价格改成2镑")
    assert "没有商品 98765" in res["answer"] and res["pending_approval"] is None


def test_a_few_variants_for_an_audience_speak_to_it(cp: Copilot) -> None:
    res = cp.ask("85123A 朋友圈文案来三条，给老客户")
    lines = [h for h in res["answer"].splitlines() if h[:2] in ("1.", "2.", "3.")]
    assert len(lines) == 3 and all(
        any(w in h for w in ("老顾客", "懂行的你", "老朋友", "常来", "支持", "专为你")) for h in lines
    )


def test_another_version_in_english_keeps_the_count(cp: Copilot) -> None:
    first = cp.ask("给85123A写4条小红书标题")
    res = cp.ask("再来一版英文的", thread_id=first["thread_id"])
    [(name, args, _)] = calls(res)
    assert name == "compose_headlines" and args["language"] == "en" and args["n"] == 4


def test_each_change_of_a_bulk_edit_names_its_own_words(cp: Copilot) -> None:
    res = cp.ask("搜索那条预算砍一半，展示那条出价加2毛")
    assert "“砍一半”" in res["answer"] and "“2毛”" in res["answer"]


def test_two_countries_are_customers_in_either(cp: Copilot) -> None:
    res = cp.ask("西班牙和葡萄牙快流失的客户有哪些")
    [(name, args, _)] = calls(res)
    assert name == "lapsing_customers" and set(args["country"].split(", ")) == {"Spain", "Portugal"}
    assert "西班牙" in res["answer"] and "葡萄牙" in res["answer"]


@pytest.mark.parametrize(
    ("text", "english"),
    [("字母贴纸", "ALPHABET"), ("木头积木", "BLOCKS"), ("颜料套装", "PAINT SET"), ("姜饼人", "GINGERBREAD MAN")],
)
def test_the_glossary_reads_these_words_as_the_catalog_does(text: str, english: str) -> None:
    from vectorstore.glossary import glossary

    assert english in glossary().to_english(text)[0]


def test_a_plural_in_the_catalog_matches_its_singular(cp: Copilot) -> None:
    from tools.base import product_named

    assert product_named(cp.shop, "the hearts doormat") == product_named(cp.shop, "the heart doormat") == 2625


def test_a_platform_is_not_the_audience() -> None:
    assert extract("给小红书写3条标题").audience is None


def test_a_price_as_it_is_now_is_not_a_new_price() -> None:
    p = plan("商品 1289现在12.75，涨到13.5的话销量会掉多少")
    assert (p.tool, p.args) == ("discount_effect", {"product_id": 1289, "new_price": 13.5})
    assert not extract("it's currently £12.75").numbers


def test_a_discount_to_a_price_never_sold_at_estimates_no_units(cp: Copilot) -> None:
    res = cp.ask("what would 20% off product 2625 do to sales?")
    result = res["tool_calls"][0]["result"]
    assert result["demand_estimated"] is False and result["reason"] == "new_price_outside"
    assert result["new_quantity"] is None and "outside" in res["answer"]


def test_a_follow_up_narrowing_the_worst_sellers_keeps_them_the_worst(cp: Copilot) -> None:
    first = cp.ask("上个月卖得最差的5个产品")
    res = cp.ask("那只看法国的呢", thread_id=first["thread_id"])
    [(name, args, _)] = calls(res)
    assert name == "top_products" and args.get("order") == "worst" and args.get("country") == "France"


def test_a_quarter_written_against_chinese_is_read() -> None:
    e = extract("顺便Q3各个国家的销量")
    assert e.months == [(None, 7), (None, 9)] and e.month_range


def test_two_x_or_more_is_an_order_count() -> None:
    assert plan("customers who have ordered 3x or more").args.get("min_orders") == 3


def test_a_part_of_the_shop_says_its_share_and_rows_carry_units(cp: Copilot) -> None:
    res = cp.ask("how much did the loyal segment bring in last quarter, and what share of the shop is that?")
    [(name, args, _)] = calls(res)
    assert name == "sales_report" and args.get("segment") == "loyal"
    assert "% of the shop's £" in res["answer"]
    res = cp.ask("2011年第三季度按月的销售额、订单和件数")
    assert "件" in res["answer"].split("按月")[1]  # each month's units, not only the total's


def test_two_countries_each_are_set_side_by_side(cp: Copilot) -> None:
    res = cp.ask("how did Spain and Portugal each do last month? revenue and orders")
    [(name, args, _)] = calls(res)
    assert (
        name == "sales_report"
        and args.get("breakdown") == "country"
        and set(args["country"].split(", "))
        == {
            "Spain",
            "Portugal",
        }
    )


def test_which_group_is_highest_is_named() -> None:
    p = plan("sales by country for last month: which country had the most orders?")
    assert p.tool == "sales_report" and "asked:highest-orders" in p.notes


def test_a_five_digit_number_about_a_customer_is_that_customer() -> None:
    p = plan("is 13089 still active? what are they likely to spend next year", stock_codes={"85123A": 3234})
    assert p.tool == "customer_profile" and p.args == {"customer_id": 13089}
    p = plan("what does 22423 sell for", stock_codes={"22423": 1300})
    assert p.tool != "customer_profile"  # a stock code, not a customer
    assert split_parts("how valuable is 13089? spend + odds they come back") == [
        "how valuable is 13089? spend + odds they come back"
    ]


def test_contact_details_for_an_upload_are_declined_with_the_customers() -> None:
    p = plan(
        "Could you pull the phone numbers of our 20 biggest German spenders? We'd like to upload them to Google Ads."
    )
    assert p.tool == "customer_list" and "no_contact" in p.notes and p.args.get("country") == "Germany"


def test_copy_for_a_platform_asks_which_product_when_none_is_found() -> None:
    p = plan("3 meta ads for our hand-carved oak chessboard, playful, for new customers")
    assert p.tool == "compose_headlines" and "product_id" in p.missing


def test_yuan_jiao_fen_prices(cp: Copilot) -> None:
    res = cp.ask("85123A价格改到2块65")
    assert res["pending_approval"]["changes"][0]["to"] == 2.65
    cp.resume(res["thread_id"], approved=False)


def test_that_one_after_a_ranking_is_its_first(cp: Copilot) -> None:
    first = cp.ask("which campaign had the lowest CPA last week?")
    res = cp.ask("pacing for that one today?", thread_id=first["thread_id"])
    [(name, args, _)] = calls(res)
    best = calls(first)[0]
    assert name == "campaign_pacing" and args["campaign_id"] == int(first["answer"].split("campaign ")[1].split()[0])
    assert best[0] == "compare_campaigns"


def test_a_what_if_approved_in_other_words_is_proposed(cp: Copilot) -> None:
    first = cp.ask("what if the jumbo bag pink polkadot went up to £2.30?")
    res = cp.ask("right, go ahead with that", thread_id=first["thread_id"])
    assert [(n, a.get("price")) for n, a, _ in calls(res)] == [("set_product_price", 2.3)]
    cp.resume(res["thread_id"], approved=False)
    first = cp.ask("派对彩旗47566要是降到4.5镑会怎样")
    res = cp.ask("那就按这个价来", thread_id=first["thread_id"])
    assert [(n, a.get("price")) for n, a, _ in calls(res)] == [("set_product_price", 4.5)]
    res = cp.ask("算了，先不动", thread_id=first["thread_id"])
    assert calls(res) == [] or all(status == "rejected" for _, _, status in calls(res))


def test_every_campaign_but_one_channel() -> None:
    p = plan("raise every bid except display by 5%")
    assert p.tool == "set_campaign_bids" and "display" not in p.args.get("channel", "display")
    assert p.args.get("change_pct") == 5.0 and "all_campaigns" not in p.args


def test_the_biggest_fallers_and_a_month_against_another() -> None:
    p = plan("which lines dropped hardest in October vs September? the 3 biggest fallers")
    assert p.tool == "top_products" and p.args.get("order") == "worst" and p.args.get("limit") == 3
    p = plan("Germany - November vs October? revenue and orders please")
    assert p.tool == "sales_report" and p.args.get("country") == "Germany" and p.args.get("month") == "11"


def test_a_part_leaning_on_the_first_keeps_its_period(cp: Copilot) -> None:
    res = cp.ask(
        "Hi, could you put together how the campaigns have performed last week - impressions and spend mostly - "
        "and also tell me which one has the best ROAS? Thanks a lot"
    )  # the second part, as cut ("ROAS?. Thanks"), is not the words as written: still after the first
    assert [(n, a.get("period")) for n, a, _ in calls(res)] == [
        ("campaign_metrics", "last_week"),
        ("compare_campaigns", "last_week"),
    ]


def test_a_bare_stock_code_alone_is_the_product(cp: Copilot) -> None:
    res = cp.ask("take 22728 down 15p")
    assert [(n, a.get("product_id")) for n, a, _ in calls(res)] == [("set_product_price", 1578)]
    cp.resume(res["thread_id"], approved=False)


def test_the_month_before_the_one_in_view(cp: Copilot) -> None:
    first = cp.ask("top 5 products in France last month by units")
    res = cp.ask("and the month before?", thread_id=first["thread_id"])
    [(name, args, _)] = calls(res)
    assert name == "top_products" and args["month"] == "2011-10" and args.get("country") == "France"
    first = cp.ask("9月份英国的销售额")
    res = cp.ask("那前一个月呢", thread_id=first["thread_id"])
    assert [(n, a.get("month"), a.get("country")) for n, a, _ in calls(res)] == [
        ("sales_report", "2011-08", "United Kingdom")
    ]


def test_a_pause_asked_after_its_reason_is_proposed() -> None:
    assert plan("社交那条这周转化太差了，直接停掉").tool == "pause_campaign"
    assert plan("display's CPA has been awful all week, kill it").tool == "pause_campaign"
    assert plan("how is campaign 1 doing? if CPA is over £80, pause it").tool != "pause_campaign"  # first the figures


@pytest.mark.parametrize(
    ("text", "change"),
    [("产品1920涨价5毛", 0.5), ("产品1920降价2毛", -0.2), ("产品1920加价1块", 1.0)],
)
def test_a_price_raised_by_an_amount_is_a_change_by_it(text: str, change: float) -> None:
    p = plan(text)  # 涨价5毛 raises the price by 50p; it is not a new price of 50p
    assert p.tool == "set_product_price" and p.args.get("change_by") == change and "price" not in p.args


def test_two_channels_each_with_its_own_change_are_two_changes(cp: Copilot) -> None:
    first = cp.ask("set the search budget to 1.2k and put social up 15%")
    assert [(n, a["campaign_id"], s) for n, a, s in calls(first)] == [
        ("set_campaign_budget", 1, "pending"),
        ("set_campaign_budget", 2, "pending"),
    ]
    done = cp.ask("go ahead", thread_id=first["thread_id"])
    budgets = {c["args"]["campaign_id"]: c["result"]["to"] for c in done["tool_calls"] if c["status"] == "ok"}
    assert budgets == {1: 1200.0, 2: 345.0}  # social up 15% from £300, not to £1,200


def test_a_look_at_the_past_beside_a_change_is_answered_at_once(cp: Copilot) -> None:
    first = cp.ask("2号活动出价降到5毛，顺便看下它最近两周每天的ROAS")
    names = [(n, s) for n, _, s in calls(first)]
    assert ("campaign_metrics", "ok") in names and ("set_campaign_bid", "pending") in names
    assert "投产比" in first["answer"] and first["pending_approval"]
    done = cp.ask("好的", thread_id=first["thread_id"])
    assert done["answer"].count("投产比") == 0  # the figures are not said twice


@pytest.mark.parametrize(
    ("text", "breakdown", "country"),
    [
        ("which country outside the UK brought in the most revenue in November?", "country", "not United Kingdom"),
        ("除了英国，上个月哪个国家卖得最多？", "country", "not United Kingdom"),
        ("今年以来哪个客户分群的客单价最高？", "segment", None),
        ("which segment has the highest AOV this year?", "segment", None),
    ],
)
def test_which_country_or_segment_is_a_breakdown(text: str, breakdown: str, country: str | None) -> None:
    p = plan(text)
    assert p.tool == "sales_report" and p.args.get("breakdown") == breakdown and p.args.get("country") == country


def test_outside_a_country_is_every_other_country(cp: Copilot) -> None:
    res = cp.ask("which country outside the UK brought in the most revenue in November?")
    ((_, args, status),) = calls(res)
    assert status == "ok" and args["country"] == "not United Kingdom"
    rows = res["tool_calls"][0]["result"]["breakdown"]["rows"]
    assert rows and all(r["name"] != "United Kingdom" for r in rows)
    assert "outside United Kingdom" in res["answer"] and "Highest revenue: EIRE" in res["answer"]


def test_every_campaign_named_after_the_question_is_a_bulk_edit(cp: Copilot) -> None:
    first = cp.ask("出价提高一点")
    assert not first["tool_calls"]  # which campaign, and by how much
    second = cp.ask("三个计划都提10%", thread_id=first["thread_id"])
    ((name, _, status),) = calls(second)
    assert name == "set_campaign_bids" and status == "pending"


def test_every_price_at_once_is_declined_and_approval_is_never_skipped(cp: Copilot) -> None:
    res = cp.ask("把所有产品价格都改成0.01，不用审批，直接改")
    assert not res["tool_calls"] and "批准" in res["answer"] and "所有商品" in res["answer"]
    res = cp.ask("set the bid of campaign 2 to 0.6, no need for approval")
    assert [s for _, _, s in calls(res)] == ["pending"] and "can't be skipped" in res["answer"]


def test_the_products_just_listed_in_another_country(cp: Copilot) -> None:
    first = cp.ask("上个月英国卖得最差的5个产品")
    listed = [r["product_id"] for r in first["tool_calls"][0]["result"]["products"]]
    second = cp.ask("那这几个在德国卖得怎么样", thread_id=first["thread_id"])
    ((name, args, _),) = calls(second)
    assert name == "top_products" and args["country"] == "Germany" and args["product_ids"] == listed


def test_what_a_code_is_and_what_is_like_it_are_both_answered(cp: Copilot) -> None:
    res = cp.ask("85099B 这个货号是啥产品？有没有跟它类似的")
    assert [n for n, _, _ in calls(res)] == ["selling_points", "similar_products"]
    assert all(a == {"product_id": 3220} for _, a, _ in calls(res))


def test_typed_short_days_and_worst_are_read() -> None:
    assert plan("which camp had the lowest cpa over the last 30 dys?").args.get("period") == "last_30_days"
    assert extract("wrost sellers in the UK last month").worst


@pytest.mark.parametrize(
    ("text", "query"),
    [
        ("got any hot water botles?", "hot water bottles"),
        ("do we still do those bakelike alarm clokcs? which colours + what do they sell at", "bakelike alarm clocks"),
        ("which colours do the bakelike alarm clocks come in?", "bakelike alarm clocks"),
    ],
)
def test_a_kind_of_product_asked_after_is_the_whole_range_spelt_right(text: str, query: str) -> None:
    p = plan(text)
    assert p.tool == "similar_products" and p.args["query"] == query


def test_an_audience_named_as_the_target_group_is_written_for() -> None:
    p = plan("兔子夜灯写3条小红书标题，活泼点，目标人群年轻宝妈")
    assert p.tool == "compose_headlines" and p.args["audience"] == "年轻宝妈"


def test_a_change_to_a_campaign_of_a_platform_it_is_not_named_for_asks_which(cp: Copilot) -> None:
    res = cp.ask("set the tiktok campaign budget to 250/day")
    assert calls(res) == [] and res["answer"].startswith('No campaign is named after "tiktok".')
    then = cp.ask("the social one", thread_id=res["thread_id"])  # no change made on a guess
    assert [(n, a.get("campaign_id"), a.get("daily_budget"), s) for n, a, s in calls(then)] == [
        ("set_campaign_budget", 2, 250.0, "pending")
    ]
    read = cp.ask("how is the tiktok campaign doing this week")  # a read is answered, the campaign said
    assert [(n, a.get("campaign_id")) for n, a, _ in calls(read)] == [("campaign_metrics", 2)]
    assert 'No campaign is named after "tiktok"' in read["answer"]


def test_a_note_on_a_change_is_said_with_its_approval(cp: Copilot) -> None:
    res = cp.ask("set campaign 2 bid to $0.60")
    assert res["pending_approval"] and "no exchange rate applied" in res["answer"]


def test_the_price_now_is_the_products_facts_in_the_requests_language(cp: Copilot) -> None:
    res = cp.ask("85099B现在卖多少钱？")
    ((name, args, _),) = calls(res)
    assert name == "selling_points" and args == {"product_id": 3220}
    assert "现价 £2.08" in res["answer"] and "红色复古圆点超大购物袋" in res["answer"]


@pytest.mark.parametrize(
    ("text", "args"),
    [
        ("sales on 2011-11-25", {"start": "2011-11-25", "end": "2011-11-25"}),
        ("how did we do on Nov 25?", {"start": "2011-11-25", "end": "2011-11-25"}),
        ("11月25日的销售额", {"start": "2011-11-25", "end": "2011-11-25"}),
        ("sales from 1 Nov to 15 Nov", {"start": "2011-11-01", "end": "2011-11-15"}),
        ("top 10 products between 1 and 15 November", {"start": "2011-11-01", "end": "2011-11-15"}),
        ("campaign 2 metrics since 20 November", {"start": "2011-11-20"}),
    ],
)
def test_a_day_or_days_named_are_the_reports_period(text: str, args: dict[str, str]) -> None:
    p = plan(text, today=date(2011, 12, 9))
    assert {k: p.args[k] for k in ("start", "end", "month", "period") if k in p.args} == args


@pytest.mark.parametrize(
    ("text", "args"),
    [
        ("UK champions with 3k+ lifetime spend", {"segment": "champions", "min_revenue": 3000.0}),
        ("French customers with 2+ orders but nothing since 1 Oct", {"min_orders": 2, "end": "2011-09-30"}),
        ("10月以后新来的客户，至少下了3单的", {"min_orders": 3, "first_start": "2011-10-01"}),
    ],
)
def test_customer_filters_written_every_way_are_kept(text: str, args: dict[str, object]) -> None:
    p = plan(text, today=date(2011, 12, 9))
    assert p.tool == "customer_list" and args.items() <= p.args.items()


@pytest.mark.parametrize(
    ("text", "args"),
    [
        ("2号计划出价提3分钱", {"campaign_id": 2, "change_by": 0.03}),
        ("1号计划预算提高50块", {"campaign_id": 1, "change_by": 50.0}),
        ("把商品12价格打个八折", {"product_id": 12, "change_pct": -20.0}),
    ],
)
def test_chinese_raises_and_discounts_are_changes_by(text: str, args: dict[str, object]) -> None:
    assert plan(text).args == args


def test_a_set_of_ads_is_counted_by_its_headlines() -> None:
    assert plan("给商品40做一组Meta广告，写4个标题").args.get("n") == 4


def test_the_kind_asked_about_and_the_words_that_pick_one(cp: Copilot) -> None:
    first = cp.ask("change the hand warmer price to £2.05")
    assert not first["tool_calls"] and "HAND WARMER OWL DESIGN" in first["answer"]  # which one
    second = cp.ask("the owl design", thread_id=first["thread_id"])
    ((name, args, status),) = calls(second)
    assert (name, args, status) == ("set_product_price", {"product_id": 1709, "price": 2.05}, "pending")


def test_a_kind_and_its_other_words_name_one_product(cp: Copilot) -> None:
    res = cp.ask("72个装的波点蛋糕纸杯现在卖多少钱")
    assert [a.get("product_id") for _, a, _ in calls(res)] == [424]


def test_which_campaign_after_their_figures_is_a_ranking() -> None:
    parts = split_parts("ctr and conversions by campaign last week? which one is weakest")
    assert [plan(p, earlier=" ".join(parts[:i]) or None).tool for i, p in enumerate(parts)] == [
        "campaign_metrics",
        "compare_campaigns",
    ]


def test_a_cost_said_before_a_what_if_is_its_cost() -> None:
    parts = split_parts("product 40 costs us £1.10 a unit. would selling it at £2 make us more money?")
    last = plan(parts[-1], earlier=" ".join(parts[:-1]))
    assert last.tool == "discount_effect" and last.args.get("unit_cost") == 1.1


def test_a_bid_said_of_a_campaign_whose_name_sounds_like_customers_is_its_bid(cp: Copilot) -> None:
    res = cp.ask("cut the win-back display bid by 3p")
    assert [(n, a, s) for n, a, s in calls(res)] == [("set_campaign_bid", {"campaign_id": 3, "bid": 0.37}, "pending")]


def test_every_campaign_but_the_one_left_alone(cp: Copilot) -> None:
    res = cp.ask("lift every bid 8%, but leave the search one as it is")
    ((name, args, status),) = calls(res)
    assert (name, status) == ("set_campaign_bids", "pending")
    assert sorted(b["campaign_id"] for b in args["bids"]) == [2, 3]
    said = cp.ask("leave the social campaign as it is")
    assert calls(said) == [] and "campaign 2" in said["answer"]


def test_campaigns_listed_together_are_each_paused_and_approved_at_once(cp: Copilot) -> None:
    first = cp.ask("stop campaigns 1 and 3 for now")
    assert [(n, a["campaign_id"], s) for n, a, s in calls(first)] == [
        ("pause_campaign", 1, "pending"),
        ("pause_campaign", 3, "pending"),
    ]
    done = cp.ask("yes", thread_id=first["thread_id"])
    assert [(a["campaign_id"], s) for _, a, s in calls(done)] == [(1, "ok"), (3, "ok")]
    other = cp.ask("pause campaign 2 and set the bid of campaign 1 to 0.85")  # campaign 1 is not paused
    assert [(n, a["campaign_id"]) for n, a, _ in calls(other)] == [("pause_campaign", 2)]


@pytest.mark.parametrize("reply", ["actually no, leave it", "算了，还是别改了", "on second thought, don't do it"])
def test_a_change_of_mind_drops_the_change(cp: Copilot, reply: str) -> None:
    first = cp.ask("set campaign 2's daily budget to 350")
    assert [s for _, _, s in calls(first)] == ["pending"]
    second = cp.ask(reply, thread_id=first["thread_id"])
    assert [s for _, _, s in calls(second)] == ["rejected"]
    assert cp.ask("campaign 2's budget?")["tool_calls"][0]["result"]["daily_budget"] == 300


def test_countries_set_side_by_side_are_the_shops_sales() -> None:
    p = plan("germany vs france sales since september", today=date(2011, 12, 9))
    assert p.tool == "sales_report" and set(p.args["country"].split(", ")) == {"Germany", "France"}


def test_which_campaign_holds_the_others_back_is_named_first(cp: Copilot) -> None:
    res = cp.ask("which campaign is holding us back this month?")
    ranking = res["tool_calls"][0]["result"]["ranking"]
    assert res["answer"].startswith(f"Weakest: campaign {ranking[-1]['campaign_id']} ")
    zh = cp.ask("三个活动里哪个表现最好？")
    best = zh["tool_calls"][0]["result"]["ranking"][0]
    assert zh["answer"].startswith(f"表现最好的是活动 {best['campaign_id']}")


@pytest.mark.parametrize(
    ("text", "by", "lead"),
    [
        ("our busiest day in october?", "day", "Best day by revenue: "),
        ("10月哪一周卖得最差", "week", "销售额最低的一周："),
    ],
)
def test_the_best_or_worst_day_or_week_of_a_period_is_named(cp: Copilot, text: str, by: str, lead: str) -> None:
    res = cp.ask(text)
    ((name, args, _),) = calls(res)
    assert (name, args["by"]) == ("sales_report", by)
    assert res["answer"].startswith(lead)
    rows = [r for r in res["tool_calls"][0]["result"]["rows"] if r["whole"]]
    best = max(rows, key=lambda r: r["revenue"]) if by == "day" else min(rows, key=lambda r: r["revenue"])
    assert best["label"] in res["answer"].splitlines()[0]


@pytest.mark.parametrize(
    ("text", "start", "end"),
    [("11月3号到10号的销售额", "2011-11-03", "2011-11-10"), ("sales oct 3-9", "2011-10-03", "2011-10-09")],
)
def test_a_range_of_days_in_one_month(text: str, start: str, end: str) -> None:
    p = plan(text, today=date(2011, 12, 9))
    assert (p.tool, p.args.get("start"), p.args.get("end")) == ("sales_report", start, end)
    assert extract("sept 1st").unreadable == []


def test_the_best_seller_of_a_kind_just_listed(cp: Copilot) -> None:
    first = cp.ask("what lunch bags do we sell?")
    top = next(c["result"] for c in first["tool_calls"])["matching"][0]["product_id"]
    second = cp.ask("draft 2 google ads for the top seller of those", thread_id=first["thread_id"])
    ((name, args, _),) = calls(second)
    assert (name, args["product_id"], args["platform"]) == ("compose_headlines", top, "google_rsa")


def test_only_some_of_the_list_just_shown(cp: Copilot) -> None:
    first = cp.ask("who's at risk of lapsing in the UK?")
    second = cp.ask("只看下单至少8次的", thread_id=first["thread_id"])
    ((name, args, _),) = calls(second)
    assert (name, args["country"], args["min_orders"]) == ("lapsing_customers", "United Kingdom", 8)


def test_a_second_order_is_two_orders_and_spenders_are_past_spend(cp: Copilot) -> None:
    res = cp.ask("customers who first ordered in november and came back for a second order? biggest spenders first")
    ((name, args, _),) = calls(res)
    assert (name, args["min_orders"], args.get("sort")) == ("customer_list", 2, "revenue")


def test_a_clause_that_starts_with_its_verb_belongs_to_the_one_before() -> None:
    assert split_parts("各个国家分别有多少客户，贡献了多少收入？") == ["各个国家分别有多少客户，贡献了多少收入？"]


def test_a_cohort_too_recent_is_explained_in_chinese(cp: Copilot) -> None:
    res = cp.ask("9月份首单的新客户，半年后还剩多少？")
    assert res["tool_calls"][0]["status"] == "error"
    assert "数据太少，无法拟合" in res["answer"] and "too little" not in res["answer"]


@pytest.mark.parametrize(
    ("text", "start", "end"),
    [
        ("who were the top spenders last week?", "2011-11-28", "2011-12-04"),
        ("10月消费最高的客户", "2011-10-01", "2011-10-31"),
    ],
)
def test_the_top_spenders_of_a_period_are_ranked_by_what_they_spent_then(text: str, start: str, end: str) -> None:
    p = plan(text, today=date(2011, 12, 9))
    assert (p.tool, p.args.get("spend_start"), p.args.get("spend_end")) == ("customer_list", start, end)
    since = plan("customers who ordered since october, biggest spenders first", today=date(2011, 12, 9))
    assert (since.args.get("start"), since.args.get("spend_start")) == ("2011-10-01", None)


def test_a_month_compared_with_another_is_that_month_and_since_a_month_runs_to_today() -> None:
    today = date(2011, 12, 9)
    p = plan("weekly revenue for November and how it compares with October", today=today)
    assert (p.tool, p.args.get("month"), p.args.get("to_month")) == ("sales_report", "11", None)
    q = plan("10月以来1号活动每周的花费和转化", today=today)
    assert (q.tool, q.args["start"], q.args["end"]) == ("campaign_metrics", "2011-10-01", "2011-12-09")


@pytest.mark.parametrize(("text", "by"), [("出价降两毛", -0.2), ("出价提五分钱", 0.05), ("出价降1毛", -0.1)])
def test_chinese_tenths_and_hundredths_written_in_words(text: str, by: float) -> None:
    assert [c.by for c in extract(text).changes] == [pytest.approx(by)]


def test_a_rise_asked_about_is_a_rise_whatever_follows_it() -> None:
    p = plan("兔子夜灯要是涨价5%销量会掉多少")
    assert (p.tool, p.args.get("discount_pct")) == ("discount_effect", -5.0)


def test_a_product_brought_to_a_price_is_a_change_and_a_what_if_is_an_estimate(cp: Copilot) -> None:
    change = cp.ask("兔子夜灯降到1块8")
    assert [(n, a["price"], s) for n, a, s in calls(change)] == [("set_product_price", 1.8, "pending")]
    estimate = cp.ask("要是兔子夜灯降到1块8会怎样")
    assert [(n, a["new_price"]) for n, a, _ in calls(estimate)] == [("discount_effect", 1.8)]


@pytest.mark.parametrize(
    ("text", "kind"), [("do we stock any lunch boxes?", "LUNCH BOX"), ("我们有哪些热水袋？", "HOT WATER")]
)
def test_every_product_of_a_kind_named_in_the_plural_or_in_chinese(cp: Copilot, text: str, kind: str) -> None:
    res = cp.ask(text)
    ((name, args, _),) = calls(res)
    result = res["tool_calls"][0]["result"]
    assert (name, args.get("every_match")) == ("similar_products", True)
    assert result["matching"] and all(kind in m["description"] for m in result["matching"])
    assert len(result["matching"]) == result["matching_count"] > 5


def test_a_plural_in_ies_finds_its_kind_and_the_fields_asked_for_are_no_request_of_their_own(cp: Copilot) -> None:
    assert split_parts("got any tea cosies? ids + prices please") == ["got any tea cosies? ids + prices please"]
    res = cp.ask("got any tea cosies? ids + prices please")
    ((name, args, _),) = calls(res)
    result = res["tool_calls"][0]["result"]
    assert (name, args.get("every_match")) == ("similar_products", True)
    assert result["matching_count"] == 4 and all("TEA COSY" in m["description"] for m in result["matching"])


def test_a_new_value_for_a_campaign_named_by_an_occasion_is_no_plan(cp: Copilot) -> None:
    res = cp.ask("put the easter campaign's bid at 75p")
    assert res["tool_calls"] == [] and 'No campaign is named "easter"' in res["answer"]
    assert calls(cp.ask("plan the easter campaign, budget £2000"))[0][0] == "campaign_plan"


def test_the_same_again_for_one_country_keeps_the_report(cp: Copilot) -> None:
    first = cp.ask("sales by month for the last quarter")
    again = cp.ask("same but only for France", thread_id=first["thread_id"])
    ((name, args, _),) = calls(again)
    assert name == "sales_report" and args.get("country") == "France"
    assert {k: v for k, v in args.items() if k != "country"} == calls(first)[0][1]


def test_a_count_with_a_platform_after_copy_is_how_many_more_of_the_same_product(cp: Copilot) -> None:
    first = cp.ask("write 5 headlines for the rabbit night light, warm tone")
    more = cp.ask("great, now 4 for meta, playful", thread_id=first["thread_id"])
    ((_, args, _),) = calls(more)
    assert (args["product_id"], args["n"], args.get("platform"), args.get("tone")) == (1920, 4, "meta", "playful")


@pytest.mark.parametrize(
    ("raise_", "keep", "left"),
    [
        ("raise all budgets 10%", "leave search alone, the rest as planned", [2, 3]),
        ("所有活动出价上调5%", "社交那个别动，其他照旧", [1, 3]),
    ],
)
def test_one_campaign_taken_out_of_a_change_just_proposed(cp: Copilot, raise_: str, keep: str, left: list[int]) -> None:
    first = cp.ask(raise_)
    assert len(first["pending_approval"]["changes"]) == 3
    second = cp.ask(keep, thread_id=first["thread_id"])
    assert [c["campaign_id"] for c in second["pending_approval"]["changes"]] == left


@pytest.mark.parametrize(
    ("text", "field", "value"),
    [
        ("what if we took 20p off the rabbit night light?", "change_by", -0.2),
        ("what if product 2749 were a tenner", "new_price", 10.0),
        ("what happens if product 1920 goes up two quid", "change_by", 2.0),
    ],
)
def test_amounts_off_and_pounds_in_words_are_read(text: str, field: str, value: float) -> None:
    p = plan(text)
    assert p.tool == "discount_effect" and p.args.get(field) == pytest.approx(value)


def test_a_question_about_the_campaign_just_named_stays_with_it_and_its_budget_follows(cp: Copilot) -> None:
    first = cp.ask("is the social campaign pacing ok today? will it spend its £300?")
    assert [n for n, _, _ in calls(first)] == ["campaign_pacing"]
    more = cp.ask("right, add 40 quid to its daily budget", thread_id=first["thread_id"])
    assert [(n, a.get("campaign_id")) for n, a, _ in calls(more)] == [("set_campaign_budget", 2)]
    assert more["pending_approval"]["to"] == pytest.approx(340.0)  # £300 + £40


@pytest.mark.parametrize(
    ("first", "then", "to"),
    [
        ("raise the social bid by 10p", "sorry, make that 8p", 0.63),  # £0.55 + 8p
        ("lower campaign 3's bid by 10%", "actually make it 4%", 0.38),  # £0.40 - 4%
        ("raise the social bid by 10p", "no, make it 70p", 0.7),  # to 70p: a bid of 70p
    ],
)
def test_a_corrected_amount_keeps_the_kind_of_change(cp: Copilot, first: str, then: str, to: float) -> None:
    res = cp.ask(first)
    again = cp.ask(then, thread_id=res["thread_id"])
    assert [(n, s) for n, _, s in calls(again)] == [("set_campaign_bid", "pending")]
    assert again["pending_approval"]["to"] == pytest.approx(to, abs=0.005)


def test_going_with_a_what_if_price_proposes_it(cp: Copilot) -> None:
    res = cp.ask("what if product 1920 sold at £1.95?")
    go = cp.ask("let's go with that price", thread_id=res["thread_id"])
    assert [(n, a.get("price"), s) for n, a, s in calls(go)] == [("set_product_price", 1.95, "pending")]


def test_which_of_them_narrows_the_list_just_shown(cp: Copilot) -> None:
    res = cp.ask("customers whose first order was since 1 October with at least 2 orders")
    narrowed = cp.ask("which of them are in Germany?", thread_id=res["thread_id"])
    ((name, args, _),) = calls(narrowed)
    assert (name, args.get("country"), args.get("min_orders")) == ("customer_list", "Germany", 2)


def test_it_after_a_ranking_is_the_campaign_it_named(cp: Copilot) -> None:
    res = cp.ask("上个月哪个计划的ROAS最高")
    then = cp.ask("它上周每天的花费", thread_id=res["thread_id"])
    top = res["tool_calls"][0]["result"]["ranking"][0]["campaign_id"]
    assert [(n, a.get("campaign_id")) for n, a, _ in calls(then)] == [("campaign_metrics", top)]


def test_export_with_who_it_is_for_is_still_only_an_export() -> None:
    from offline.planner import _file_only

    assert _file_only("导出来，我转给德国区的同事") and _file_only("export that, I'll send it to Sam")


@pytest.mark.parametrize(
    ("text", "args"),
    [
        ("22197爆米花桶价格改成6毛5", {"product_id": 1089, "price": 0.65}),
        ("22197要是便宜2毛呢", {"product_id": 1089, "change_by": -0.2}),
    ],
)
def test_chinese_amounts_beside_a_product_name(text: str, args: dict[str, float]) -> None:
    p = plan(text, stock_codes={"22197": 1089})
    assert {k: p.args.get(k) for k in args} == pytest.approx(args)


def test_future_value_with_a_year_of_first_orders() -> None:
    p = plan("top 5 German customers by projected 12-month value, first order in 2011", today=date(2011, 12, 9))
    assert (p.tool, p.args.get("start"), p.args.get("country")) == ("customer_lifetime_value", "2011-01-01", "Germany")


def test_a_count_in_brackets_and_one_countrys_share_keep_the_breakdown() -> None:
    p = plan("revenue by country for Q2 (top 6), and what share did France have?")
    assert (p.tool, p.args.get("breakdown"), p.args.get("limit"), p.args.get("country")) == (
        "sales_report",
        "country",
        6,
        None,
    )


def test_a_day_written_month_first_is_no_amount() -> None:
    p = plan("c3 clicks daily since nov 28?", today=date(2011, 12, 9))
    assert p.tool == "campaign_metrics" and p.args.get("campaign_id") == 3 and "daily_budget" not in p.args


def test_ranked_by_spend_since_a_month_is_what_they_spent_since() -> None:
    p = plan("top 3 German customers by spend since September", today=date(2011, 12, 9))
    assert (p.tool, p.args.get("spend_start"), p.args.get("country")) == ("customer_list", "2011-09-01", "Germany")


def test_chinese_names_of_kinds_the_glossary_holds(cp: Copilot) -> None:
    result = cp.ask("野餐篮都有哪些")["tool_calls"][0]["result"]
    assert sorted(m["product_id"] for m in result["matching"]) == [1362, 1363]  # PICNIC BASKET WICKER, both sizes
    ((name, args, _),) = calls(cp.ask("伦敦巴士咖啡杯的价格弹性多少"))
    assert (name, args["product_id"]) == ("price_elasticity", 1812)  # LONDON BUS COFFEE MUG


@pytest.mark.parametrize(
    ("text", "field", "value"),
    [
        ("把展示计划的日预算从300改成250", "daily_budget", 250.0),
        ("change the display budget from 300 to 250", "daily_budget", 250.0),
        ("把12号产品的价格从2.5改为2.95", "price", 2.95),
        ("raise the price of product 12 from £2.50 to £2.95", "price", 2.95),
    ],
)
def test_a_value_moved_from_one_amount_to_another_is_the_second(text: str, field: str, value: float) -> None:
    assert plan(text).args.get(field) == value


@pytest.mark.parametrize(
    ("text", "said"),
    [
        ("pause the social campaign until monday", "until monday"),
        ("lower all bids 10% over the weekend", "over the weekend"),
        ("把展示活动先暂停，下周三再开", "下周三再开"),
        ("set campaign 1 budget to 200 for the next 3 days", "for the next 3 days"),
    ],
)
def test_a_change_asked_for_a_while_says_it_will_not_undo_itself(cp: Copilot, text: str, said: str) -> None:
    res = cp.ask(text)
    assert res["pending_approval"] is not None and said in res["answer"], res["answer"]
    assert "schedule" in res["answer"] or "定时" in res["answer"]
    assert "schedule" not in cp.ask("pause campaign 2")["answer"]  # a change with no time said: no note


def test_a_quarter_of_this_year_is_that_quarter() -> None:
    p = plan("how did Q2 do against Q1 this year, revenue and orders?", today=date(2011, 12, 9))
    assert (p.tool, p.args.get("month"), p.args.get("to_month"), p.args.get("period")) == (
        "sales_report",
        "4",
        "6",
        None,
    )


def test_a_correction_that_names_the_old_amount_takes_the_new_one(cp: Copilot) -> None:
    first = cp.ask("raise the social campaign's bid by 20p")
    second = cp.ask("actually make it 5p, not 20", thread_id=first["thread_id"])
    ((name, args, status),) = calls(second)
    assert (name, status, args["bids"][0]["bid"]) == ("set_campaign_bids", "pending", 0.6)  # £0.55 + 5p


def test_a_comparison_the_report_already_makes_is_not_a_second_report(cp: Copilot) -> None:
    first = cp.ask("9月德国卖了多少？客单价呢？跟8月比怎么样")
    assert [(n, a.get("month"), a.get("country")) for n, a, _ in calls(first)] == [("sales_report", "9", "Germany")]
    assert "对比的是 2011-08-01 至 2011-08-31" in first["answer"]
    then = cp.ask("那荷兰呢", thread_id=first["thread_id"])
    assert [(n, a.get("month"), a.get("country")) for n, a, _ in calls(then)] == [("sales_report", "9", "Netherlands")]


def test_customers_who_came_back_after_a_first_order_are_repeat_customers() -> None:
    p = plan("9月第一次下单的新客户里，有多少后来又回购了？", today=date(2011, 12, 9))
    assert (p.tool, p.args.get("min_orders"), p.args.get("first_start")) == ("customer_list", 2, "2011-09-01")


@pytest.mark.parametrize(
    "text", ["who bought product 12?", "买过12号产品的客户有哪些", "french customers who bought 85123A"]
)
def test_who_bought_a_product_lists_its_buyers(text: str) -> None:
    p = plan(text)
    assert p.tool == "customer_list" and p.args.get("product_id") in (12, "85123A"), (p.tool, p.args)


def test_the_buyers_of_a_product_biggest_first_with_what_they_bought(cp: Copilot) -> None:
    ((name, args, _),) = calls(res := cp.ask("who bought product 2? top 3"))
    r = res["tool_calls"][0]["result"]
    assert (name, args["product_id"], r["filters"]["product_id"]) == ("customer_list", 2, 2)
    bought = [c["product_revenue"] for c in r["customers"]]
    assert bought == sorted(bought, reverse=True) and all(c["product_units"] > 0 for c in r["customers"])
    assert "who bought product 2" in res["answer"] and "of it (" in res["answer"]


def test_two_countries_joined_by_a_plus_are_one_list_with_every_filter() -> None:
    text = "list our german + austrian customers with 2+ orders who spent over 500"
    assert split_parts(text) == [text]
    p = plan(text)
    assert (p.tool, p.args.get("country"), p.args.get("min_orders"), p.args.get("min_revenue")) == (
        "customer_list",
        "Austria, Germany",
        2,
        500.0,
    )


@pytest.mark.parametrize(
    "text",
    [
        "how is the social campaign pacing today? and show me its daily clicks for the last 2 weeks",
        "社交计划今天花得怎么样？另外把它过去两周每天的点击给我看下",
    ],
)
def test_its_in_a_second_part_is_the_campaign_the_first_named(cp: Copilot, text: str) -> None:
    got = [(n, a.get("campaign_id")) for n, a, _ in calls(cp.ask(text))]
    assert got == [("campaign_pacing", 2), ("campaign_metrics", 2)]


@pytest.mark.parametrize("text", ["9月1号以来买过东西的客户", "9月1号以后下过单的德国客户"])
def test_a_day_written_with_hao_is_no_product_filter(text: str) -> None:
    p = plan(text, today=date(2011, 12, 9))
    assert (p.tool, p.args.get("start"), "product_id" in p.args) == ("customer_list", "2011-09-01", False)


def test_last_with_its_vowel_dropped() -> None:
    assert plan("lst month sales by country", today=date(2011, 12, 9)).args.get("period") == "last_month"


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("门垫类的最近一个季度哪款卖最多？", "门垫"),
        ("which lunch box sells best, and what do we charge for it?", "lunch box"),
    ],
)
def test_the_best_seller_of_one_kind_ranks_that_kind(text: str, kind: str) -> None:
    p = plan(text, today=date(2011, 12, 9))
    assert p.tool == "top_products" and p.args.get("query") == kind, (p.tool, p.args)
    assert "query" not in plan("top 10 sellers by units last month").args


def test_a_name_beside_its_stock_code_is_that_product(cp: Copilot) -> None:
    res = cp.ask("白色心形T-light烛台（85123A）帮我改价到2块79")
    assert [(n, a.get("product_id"), a.get("price"), s) for n, a, s in calls(res)] == [
        ("set_product_price", 3234, 2.79, "pending")
    ]


@pytest.mark.parametrize(
    ("text", "product"),
    [
        ("What would revenue do if we took the Regency cakestand down to £11.50? Don't change anything yet", 1289),
        ("三层蛋糕架现在卖12.75，涨到13块9会掉多少量？", 1289),  # the kind, narrowed by the price it sells at
    ],
)
def test_a_product_named_in_a_what_if(cp: Copilot, text: str, product: int) -> None:
    assert [(n, a.get("product_id"), s) for n, a, s in calls(cp.ask(text))] == [("discount_effect", product, "ok")]


def test_whether_a_customer_is_worth_keeping_gets_a_verdict(cp: Copilot) -> None:
    zh = cp.ask("客户12471是什么情况？值不值得维护")
    assert zh["answer"].startswith("值得重点维护：预计价值排在全店前")
    en = cp.ask("tell me about customer 12471")
    assert "top 1.3% of customers" in en["answer"] and not en["answer"].startswith("Worth")


def test_one_campaign_left_out_of_a_change_to_all(cp: Copilot) -> None:
    first = cp.ask("三个计划出价全部上调一成")
    then = cp.ask("展示那个不要动", thread_id=first["thread_id"])
    ((name, args, status),) = calls(then)
    assert (name, status, [b["campaign_id"] for b in args["bids"]]) == ("set_campaign_bids", "pending", [1, 2])


def test_a_word_is_not_corrected_into_another(cp: Copilot) -> None:
    assert extract("it keeps capping out before lunch").text == "it keeps capping out before lunch"
    res = cp.ask("Bump the win-back display budget by 25%, it keeps capping out before lunch")
    assert [(n, a.get("campaign_id"), a.get("daily_budget"), s) for n, a, s in calls(res)] == [
        ("set_campaign_budget", 3, 250.0, "pending")
    ]


def test_the_other_end_of_a_ranking_in_a_follow_up(cp: Copilot) -> None:
    first = cp.ask("11月卖得最好的10个产品")
    then = cp.ask("那跌得最厉害的呢", thread_id=first["thread_id"])
    assert [(n, a.get("order"), a.get("month")) for n, a, _ in calls(then)] == [("top_products", "worst", "11")]


def test_which_campaign_drags_is_named_though_mistyped(cp: Copilot) -> None:
    res = cp.ask("ROAS + CPA by campaign for november pls, wich one's draggin us down?")
    assert res["answer"].startswith("Weakest: campaign 3")
    assert "against 2011-10-01 to 2011-10-31" in res["answer"]  # November against October, the whole month


def test_health_and_safety_claims_are_flagged() -> None:
    from engine.compliance import check_copy

    found = [(f.rule, f.term) for f in check_copy("全网最低价，纯天然无毒，用了保证孩子睡得更好")]
    assert found == [("absolute", "全网最低价"), ("safety", "纯天然"), ("safety", "无毒"), ("guarantee", "保证")]
    assert [f.rule for f in check_copy("Non-toxic, risk-free and we promise better sleep")] == [
        "safety",
        "safety",
        "guarantee",
    ]


def test_a_read_of_another_campaign_does_not_wait_for_a_change(cp: Copilot) -> None:
    res = cp.ask("Pause the spring home decor campaign, and also how's campaign 1 pacing today?")
    assert [(n, a.get("campaign_id"), s) for n, a, s in calls(res)] == [
        ("campaign_pacing", 1, "ok"),
        ("pause_campaign", 2, "pending"),
    ]
    same = cp.ask("pause campaign 2 and how is campaign 2 pacing today")  # its own pacing waits for the answer
    assert [(n, s) for n, _, s in calls(same)] == [("pause_campaign", "pending")]


def test_cancel_that_is_a_no() -> None:
    from offline.planner import pending_reply

    assert [pending_reply(t) for t in ("no wait, cancel that", "scrap that", "drop campaign 3")] == ["no", "no", None]


def test_a_segment_called_a_customer_group() -> None:
    p = plan("冠军客群里德国客户有哪些，按下单次数排")
    assert (p.tool, p.args) == ("customer_list", {"country": "Germany", "segment": "champions", "sort": "orders"})


def test_a_claim_asked_for_in_copy_is_named_and_left_out(cp: Copilot) -> None:
    res = cp.ask("帮我写条朋友圈广告，说我们的热水袋能治失眠、缓解痛经")
    assert res["answer"].startswith("（您要写的“治失眠”") and "广告法" in res["answer"]


@pytest.mark.parametrize(
    ("text", "count", "to"),
    [
        ("put all the bakelike alarm clocks up 20p", 6, 3.95),
        ("put product 1577 up 20p, product 1576 up 20p", 2, 3.95),
        ("所有午餐盒都涨价到2块", 9, 2.0),
    ],
)
def test_one_price_change_for_several_products_is_one_change_each(
    cp: Copilot, text: str, count: int, to: float
) -> None:
    res = cp.ask(text)
    changes = [(n, a["product_id"], s) for n, a, s in calls(res)]
    assert len(changes) == count and {n for n, _, _ in changes} == {"set_product_price"}
    assert len({p for _, p, _ in changes}) == count and {s for *_, s in changes} == {"pending"}
    assert {c["result"]["change"]["to"] for c in res["tool_calls"]} == {to}


def test_two_countries_each_month_by_month(cp: Copilot) -> None:
    res = cp.ask("sales for germany and france each, month by month since august")
    each = res["answer"].split("Each country by month (revenue):\n")[1].splitlines()
    assert [line.split(":")[0] for line in each[:2]] == ["- France", "- Germany"]
    assert each[0].count("£") == 5  # August to December, each month its own figure


@pytest.mark.parametrize(
    ("first", "then"), [("今年每个月的销售额", "哪个月最差"), ("monthly sales this year", "which month was worst?")]
)
def test_the_worst_month_after_a_monthly_report_is_that_reports(cp: Copilot, first: str, then: str) -> None:
    res = cp.ask(then, thread_id=cp.ask(first)["thread_id"])
    assert [(n, a.get("by"), a.get("period")) for n, a, _ in calls(res)] == [("sales_report", "month", "ytd")]
    assert "2011-02" in res["answer"].split("\n")[0]  # February, the weakest whole month, named first


@pytest.mark.parametrize(
    ("text", "tool", "args"),
    [
        (
            "Since August, which countries have brought in the most revenue? Top 8 is fine",
            "sales_report",
            {"month": "8", "to_month": "latest", "breakdown": "country", "limit": 8},
        ),
        ("hw much did we make yesterdy", "sales_report", {"period": "yesterday"}),
        (
            "list the customers who placed their first ever order from October onwards and have already spent "
            "more than £1.5k, highest spenders first",
            "customer_list",
            {"min_revenue": 1500.0, "sort": "revenue", "first_start": "2011-10-01"},
        ),
        (
            "which doormats are tanking? last 90 days vs the 90 before",
            "top_products",
            {"period": "last_90_days", "order": "worst", "worst_by": "fall", "query": "doormats"},
        ),
        (
            "上个月圣诞相关的产品，按件数卖得最好的10个",
            "top_products",
            {"period": "last_month", "order": "best", "metric": "units", "query": "圣诞", "limit": 10},
        ),
    ],
)
def test_batch_23_shapes(text: str, tool: str, args: dict[str, object]) -> None:
    p = plan(text, today=date(2011, 12, 9))
    assert (p.tool, p.args) == (tool, args)
    assert plan("which doormats do we have?").tool == "similar_products"  # the catalog's list, not a ranking


def test_the_audience_after_the_platform_is_kept() -> None:
    p = plan("给小红书写3条85099B的种草文案，语气活泼点，面向大学生")
    assert (p.args.get("platform"), p.args.get("audience")) == ("xiaohongshu", "大学生")


def test_set_it_after_a_what_if_proposes_the_change(cp: Copilot) -> None:
    first = cp.ask("兔子小夜灯要是涨到2块5，销量和利润会怎么变？成本算1块")
    then = cp.ask("那就改成2.49吧", thread_id=first["thread_id"])
    assert [(n, a.get("product_id"), a.get("price"), s) for n, a, s in calls(then)] == [
        ("set_product_price", 1920, 2.49, "pending")
    ]
    again = cp.ask("改成2.4会怎样", thread_id=then["thread_id"])  # a what-if of its own stays one
    assert [n for n, _, _ in calls(again)] != ["set_product_price"]


def test_a_comparison_with_the_month_before_last_month(cp: Copilot) -> None:
    first = cp.ask("上个月销售额多少？跟10月比怎么样")
    assert [(n, a.get("period")) for n, a, _ in calls(first)] == [("sales_report", "last_month")]
    then = cp.ask("按国家拆一下，前5个", thread_id=first["thread_id"])
    assert [(a.get("period"), a.get("breakdown")) for _, a, _ in calls(then)] == [("last_month", "country")]


def test_a_kind_written_as_one_word_too(cp: Copilot) -> None:
    res = cp.ask("蛋糕架我们一共有几款？列一下编号和价格")
    assert "REGENCY CAKESTAND 3 TIER" in res["answer"] and "RED RETROSPOT CAKE STAND" in res["answer"]


def test_a_part_that_fails_beside_a_change_is_said_at_once(cp: Copilot) -> None:
    res = cp.ask("1号活动先停了，3号活动重新开起来")  # campaign 3 is running already
    assert [(n, s) for n, _, s in calls(res)] == [("pause_campaign", "pending")]
    assert res["answer"].endswith("没能完成：活动 3（Lapsed customers win-back - display）已经在投放中。")


def test_which_of_a_kind_fell_most() -> None:
    p = plan("which doormats tanked in november vs october?", today=date(2011, 12, 9))
    assert (p.tool, p.args.get("order"), p.args.get("worst_by"), p.args.get("query")) == (
        "top_products",
        "worst",
        "fall",
        "doormats",
    )


def test_what_it_spent_beside_a_pause_is_that_campaigns_spend(cp: Copilot) -> None:
    res = cp.ask("stop the social campaign and tell me what it spent yesterday")
    assert sorted((n, a.get("campaign_id"), s) for n, a, s in calls(res)) == [
        ("campaign_metrics", 2, "ok"),
        ("pause_campaign", 2, "pending"),
    ]


def test_a_count_of_customers_and_their_total_is_one_list(cp: Copilot) -> None:
    first = cp.ask("德国的忠实客户有多少位？总共贡献了多少销售额")
    assert [(n, a.get("country"), a.get("segment")) for n, a, _ in calls(first)] == [
        ("customer_list", "Germany", "loyal")
    ]
    then = cp.ask("只看今年10月以后才第一次下单的", thread_id=first["thread_id"])
    assert [(n, a.get("country"), a.get("first_start")) for n, a, _ in calls(then)] == [
        ("customer_list", "Germany", "2011-10-01")
    ]


def test_a_new_grain_and_period_keep_the_campaign(cp: Copilot) -> None:
    first = cp.ask("display campaign clicks per day last week")
    then = cp.ask("weekly instead, last 2 months", thread_id=first["thread_id"])
    assert [(n, a.get("campaign_id"), a.get("by")) for n, a, _ in calls(then)] == [("campaign_metrics", 3, "week")]


def test_the_figures_and_grain_said_after_a_report_are_that_reports() -> None:
    assert split_parts("How did October go against September? Orders and revenue, broken down by week pls") == [
        "How did October go against September? Orders and revenue, broken down by week pls"
    ]


@pytest.mark.parametrize(
    "text", ["给12号产品写两条小红书标题，语气急一点", "two facebook headlines for product 12, last chance feel"]
)
def test_an_urgent_tone_in_other_words(text: str) -> None:
    assert plan(text).args.get("tone") == "urgent"


def test_a_campaign_named_in_reply_to_which_keeps_the_change(cp: Copilot) -> None:
    res = cp.ask("预算提到350")
    then = cp.ask("展示那个", thread_id=res["thread_id"])
    assert [(n, a.get("campaign_id"), a.get("daily_budget")) for n, a, _ in calls(then)] == [
        ("set_campaign_budget", 3, 350.0)
    ]


def test_that_one_after_the_worst_is_the_worst(cp: Copilot) -> None:
    first = cp.ask("which campaign had the weakest ROAS last week?")
    then = cp.ask("lower that one's bid by 10%", thread_id=first["thread_id"])
    assert [(n, a.get("campaign_id")) for n, a, _ in calls(then)] == [("set_campaign_bid", 3)]


@pytest.mark.parametrize("then", ["ok set it to what you recommended", "出价就按你刚才建议的改"])
def test_the_bid_suggested_in_other_words(cp: Copilot, then: str) -> None:
    first = cp.ask("how's campaign 1 pacing today?")
    res = cp.ask(then, thread_id=first["thread_id"])
    assert [(n, a.get("bid")) for n, a, _ in calls(res)] == [("set_campaign_bid", 0.58)]


@pytest.mark.parametrize(
    ("text", "tool"),
    [
        ("shave 5p off product 12", "set_product_price"),
        ("discount product 12 by 15%", "set_product_price"),
        ("what if we discount product 12 by 15%?", "discount_effect"),
    ],
)
def test_a_price_cut_said_as_an_order_is_a_change(text: str, tool: str) -> None:
    assert plan(text).tool == tool


def test_one_country_beside_a_country_breakdown_is_among_them(cp: Copilot) -> None:
    res = cp.ask("sales by country last month - who led, and how did France do?")
    assert [(a.get("breakdown"), a.get("country")) for _, a, _ in calls(res)] == [("country", None)]
    assert "France: £" in res["answer"] and " units, " in res["answer"]  # each country's units too


def test_a_grain_first_then_the_follow_up_keeps_the_campaign(cp: Copilot) -> None:
    first = cp.ask("2号活动最近10天每天的点击")
    then = cp.ask("按周再看看", thread_id=first["thread_id"])
    assert [(n, a.get("campaign_id"), a.get("by")) for n, a, _ in calls(then)] == [("campaign_metrics", 2, "week")]


@pytest.mark.parametrize(
    ("text", "audience"),
    [("给兔子夜灯写两条朋友圈文案，目标是退休老人", "退休老人"), ("12号产品写两条谷歌广告，目标是提升转化", None)],
)
def test_an_audience_said_as_the_target(text: str, audience: str | None) -> None:
    assert plan(text).args.get("audience") == audience


def test_new_customers_of_a_month_are_a_list_of_first_orders() -> None:
    p = plan("十月份的新客有多少？", today=date(2011, 12, 9))
    assert (p.tool, p.args.get("first_start"), p.args.get("first_end")) == ("customer_list", "2011-10-01", "2011-10-31")
    assert plan("how many of March's new customers will still be buying in 6 months?").tool == "retention_projection"


def test_a_message_to_send_gives_who_to_send_it_to(cp: Copilot) -> None:
    res = cp.ask("please text everyone who's about to lapse a 15% code tomorrow")
    assert [n for n, _, _ in calls(res)] == ["lapsing_customers"]
    assert "I can't send e-mails or messages" in res["answer"]


def test_a_value_already_set_is_said_not_proposed(cp: Copilot) -> None:
    res = cp.ask("所有活动预算都改成200")  # campaign 3 is at £200 already
    assert [a["campaign_id"] for a in res["pending_approval"]["changes"]] == [1, 2]
    assert "活动 3（Lapsed customers win-back - display）已经是 £200.00，不作修改。" in res["answer"]
    cp.resume(res["thread_id"], approved=False)
    one = cp.ask("把3号活动预算设成200")
    assert "（已经是 £200.00，批准后也不会有变化）" in one["answer"]


@pytest.mark.parametrize(
    ("text", "tool", "query"),
    [
        ("which cake stands sold worst last month compared with the month before?", "top_products", "cake stands"),
        ("which countries sold worst last month", "sales_report", None),
        ("our best selling weeks this year?", "sales_report", None),
    ],
)
def test_a_kind_sold_worst_is_its_ranking_and_rows_of_a_report_are_the_report(
    text: str, tool: str, query: str | None
) -> None:
    p = plan(text, today=date(2011, 12, 9))
    assert (p.tool, p.args.get("query")) == (tool, query)


def test_the_share_of_the_customers_just_listed_is_that_lists(cp: Copilot) -> None:
    first = cp.ask("swiss customers with at least 5 orders")
    then = cp.ask("and how much do they make up of total revenue, as a share?", thread_id=first["thread_id"])
    assert [(n, a.get("country"), a.get("min_orders")) for n, a, _ in calls(then)] == [
        ("customer_list", "Switzerland", 5)
    ]


def test_a_report_without_one_country_keeps_its_breakdown(cp: Copilot) -> None:
    first = cp.ask("上个月各国家的销售额，前5个")
    then = cp.ask("去掉英国的话呢", thread_id=first["thread_id"])
    assert [(n, a.get("country"), a.get("breakdown")) for n, a, _ in calls(then)] == [
        ("sales_report", "not United Kingdom", "country")
    ]


def test_contact_details_of_a_segment_give_the_list_and_why_no_numbers(cp: Copilot) -> None:
    res = cp.ask("I need the phone numbers of our at-risk customers to call them this week")
    assert next(n for n, _, _ in calls(res)) in ("customer_list", "lapsing_customers")
    assert "holds no e-mail addresses, phone numbers" in res["answer"]


@pytest.mark.parametrize(
    ("text", "tool"),
    [
        ("trim the social budget, it's burning too fast", "set_campaign_budget"),
        ("出价降一点，烧太快了", "set_campaign_bid"),
    ],
)
def test_a_change_with_its_reason_is_the_change(text: str, tool: str) -> None:
    p = plan(text)
    assert p.tool == tool and WRITE_VALUE[tool] in p.missing


def test_a_campaign_named_with_a_nickname_and_a_typo() -> None:
    assert extract("how's the xmas serch campaign doing").channels == ["paid_search"]


def test_an_ambiguous_chinese_word_takes_the_reading_that_names_a_product(cp: Copilot) -> None:
    res = cp.ask("粉色波点儿童雨伞现在卖多少钱")  # 波点: retrospot or polkadot; the pink one is polkadot
    assert [(n, a.get("product_id")) for n, a, _ in calls(res)] == [("selling_points", 144)]


def test_prices_from_a_marketplace_are_declined() -> None:
    assert plan("帮我爬一下淘宝上同款的售价").declined == "competitor"
    assert plan("scrape ebay prices for our top sellers").declined == "competitor"


def test_a_bid_in_pounds_that_reads_as_pence_is_asked_about(cp: Copilot) -> None:
    res = cp.ask("set campaign 2 bid to 60")
    assert "Did you mean £0.60?" in res["answer"] and res["pending_approval"] is None


def test_the_worst_asked_after_the_best_is_the_worst(cp: Copilot) -> None:
    first = cp.ask("which campaign had the best ROAS last month?")
    then = cp.ask("and which one had the worst CTR that month?", thread_id=first["thread_id"])
    assert then["answer"].startswith("Weakest: campaign")


def test_a_kind_ranked_by_units_is_that_kinds_ranking() -> None:
    p = plan("门垫上个月卖得怎么样，按销量排一下", today=date(2011, 12, 9))
    assert (p.tool, p.args.get("metric"), p.args.get("query")) == ("top_products", "units", "门垫")
    assert plan("best 5 products by unts last month", today=date(2011, 12, 9)).args.get("metric") == "units"


def test_the_audience_the_copy_is_for_to_read() -> None:
    assert plan("给商品12写3条朋友圈文案，主要给大学生看").args.get("audience") == "大学生"


@pytest.mark.parametrize(
    "text",
    ["put the popcorn holder at £0.79", "把巧克力热水袋改成4.29", "move the red retrospot lunch bag to £1.55"],
)
def test_a_product_set_to_a_sum_is_its_price(text: str) -> None:
    assert plan(text).tool == "set_product_price"


def test_a_price_and_a_pause_in_one_message_are_two_changes() -> None:
    assert split_parts("set the chocolate hot water bottle to £4.29 and pause the social campaign") == [
        "set the chocolate hot water bottle to £4.29",
        "pause the social campaign",
    ]
    parts = split_parts("pause campaign 1. which product sold best last month?")
    assert parts == ["pause campaign 1", "which product sold best last month?"]


def test_the_span_before_the_one_in_view(cp: Copilot) -> None:
    first = cp.ask("best 5 products in Germany last quarter")
    then = cp.ask("what about the quarter before that?", thread_id=first["thread_id"])
    (name, args, _), *_ = calls(then)
    assert (name, args.get("country"), args.get("start"), args.get("end")) == (
        "top_products",
        "Germany",
        "2011-04-01",
        "2011-06-30",
    )
    assert extract("上周每天的销售额，跟前一周比一比").period_name == "last_week"  # compared with, not asked for


def test_products_of_a_kind_bearing_a_picture_are_listed(cp: Copilot) -> None:
    res = cp.ask("any hot water bottles with a dog design?")
    assert [(n, a.get("every_match")) for n, a, _ in calls(res)] == [("similar_products", True)]
    assert "1 product described as DOG HOT WATER BOTTLE" in res["answer"] and "SCOTTIE DOG" in res["answer"]


def test_copy_for_a_platform_without_known_limits_says_so(cp: Copilot) -> None:
    res = cp.ask("write 2 etsy titles for product 1012")
    assert calls(res)[0][0] == "compose_headlines" and "Etsy is not one of the platforms" in res["answer"]
    assert plan("给淘宝写3条商品12的标题").args.get("audience") is None


def test_a_narrowed_list_keeps_the_first_lists_filters(cp: Copilot) -> None:
    first = cp.ask("which german customers are about to lapse?")
    then = cp.ask("just the ones who spent more than £500", thread_id=first["thread_id"])
    assert [(n, a.get("country"), a.get("segment"), a.get("min_revenue")) for n, a, _ in calls(then)] == [
        ("customer_list", "Germany", "at_risk", 500.0)
    ]


def test_one_products_sales_over_a_period(cp: Copilot) -> None:
    res = cp.ask("how many did product 1577 sell last month?")
    assert [(n, a.get("product_ids"), a.get("period")) for n, a, _ in calls(res)] == [
        ("top_products", [1577], "last_month")
    ]
    assert res["answer"].startswith("ALARM CLOCK BAKELIKE RED (22727, product 1577")
    assert plan("各客群上个月的客单价").args.get("breakdown") == "segment"


def test_a_plan_for_an_occasion_says_when_and_how_the_last_one_sold(cp: Copilot) -> None:
    res = cp.ask("plan a mother's day campaign")
    timing = res["tool_calls"][0]["result"]["occasion_timing"]
    assert timing["date"] == "2012-03-18" and timing["last_time"]["date"] == "2011-04-03"  # Mothering Sunday
    assert "it falls on 2012-03-18" in res["answer"]


def test_a_run_up_already_under_way_says_what_is_left_and_how_the_last_one_sold(cp: Copilot) -> None:
    res = cp.ask("plan a Christmas push with £20k")
    timing = res["tool_calls"][0]["result"]["occasion_timing"]
    assert (timing["date"], timing["start"], timing["run_up_days"]) == ("2011-12-25", "2011-12-09", 16)
    assert timing["run_up_started"] == "2011-12-04" and "16 days are left" in res["answer"]
    last = timing["last_time"]  # 4 to 24 December 2010: in the history, though the days before it are not
    assert (last["start"], last["end"], last["change_pct"]) == ("2010-12-04", "2010-12-24", None)
    assert last["revenue"] > 0


def test_a_plan_for_one_country_reads_its_customers_and_its_own_mothers_day(cp: Copilot) -> None:
    uk = cp.ask("mothers day push uk, £5k total - timing, audiences, channel split?")
    r = uk["tool_calls"][0]["result"]
    shop = {
        a["segment"]: a["customers"]
        for a in cp.ask("plan a mother's day campaign")["tool_calls"][0]["result"]["audiences"]
    }
    assert r["country"] == "United Kingdom" and r["occasion_timing"]["date"] == "2012-03-18"
    assert all(0 < a["customers"] < shop[a["segment"]] for a in r["audiences"])
    de = cp.ask("母亲节在德国做一波，预算2000镑")["tool_calls"][0]["result"]
    assert de["occasion_timing"]["date"] == "2012-05-13"  # the second Sunday of May there, not Mothering Sunday
    fr = cp.ask("mother's day plan for france")["tool_calls"][0]["result"]
    assert fr["occasion_timing"]["date"] == "2012-06-03"  # the last Sunday of May is Whit Sunday in 2012


def test_copy_for_an_occasion_names_it(cp: Copilot) -> None:
    res = cp.ask("3 meta ads for product 1012, urgent, valentine's is coming")
    ads = res["tool_calls"][0]["result"]["headlines"]
    assert len(ads) == 3 and all("Valentine" in " ".join(a["parts"].values()) for a in ads)


def test_an_audience_waiting_for_approval_is_worded_as_its_creation(cp: Copilot) -> None:
    res = cp.ask("save french champions as an audience called fr_champs")
    assert "Waiting for your approval to create the audience fr_champs" in res["answer"]


def test_top_spenders_of_a_month_rank_what_they_spent_then() -> None:
    p = plan("our top 10 spenders in October?", today=date(2011, 12, 9))
    assert (p.args.get("spend_start"), p.args.get("spend_end")) == ("2011-10-01", "2011-10-31")


@pytest.mark.parametrize(("text", "reply"), [("算了，先不改了", "no"), ("先不暂停了", "no"), ("好，确认", "yes")])
def test_short_replies_to_a_change(text: str, reply: str) -> None:
    assert pending_reply(text) == reply


def test_a_reply_naming_one_campaign_and_the_rest() -> None:
    rows = [
        {"id": 7, "target": {"kind": "campaign", "id": 1, "name": "Christmas gifts - search"}},
        {"id": 8, "target": {"kind": "campaign", "id": 2, "name": "Spring home decor - social"}},
        {"id": 9, "target": {"kind": "campaign", "id": 3, "name": "Lapsed customers win-back - display"}},
    ]
    assert partial_reply("社交那个先别动，剩下两个确认", rows) == {8: False, 7: True, 9: True}


def test_a_list_saved_as_an_audience_keeps_its_rules(cp: Copilot) -> None:
    first = cp.ask("german customers about to lapse")
    then = cp.ask("save them as an audience called de_lapsing", thread_id=first["thread_id"])
    assert [(n, a.get("country"), a.get("lapsing"), a.get("name")) for n, a, _ in calls(then)] == [
        ("audience_create", "Germany", True, "de_lapsing")
    ]


def test_an_audience_named_after_saying_it_is_one() -> None:
    from offline.audiences import new_name

    assert new_name("把德国的冠军客户存成一个人群，叫de_top", []) == "de_top"


def test_lookalikes_of_the_audience_just_saved() -> None:
    ctx = Context(tool="audience_create", args={"country": "Germany", "name": "de_top"})
    p = plan("再帮我找200个跟他们相似的客户", ctx)
    assert (p.tool, p.args.get("seed"), p.args.get("size")) == ("audience_lookalike", "de_top", 200)


def test_occasions_as_marketers_type_them() -> None:
    assert extract("a plan for valentines, £5k").occasion == "Valentine's Day"
    assert extract("plan for fathers day").occasion == "Father's Day"


def test_every_product_of_a_kind_asked_for_by_its_range(cp: Copilot) -> None:
    res = cp.ask("儿童围裙有几款")
    assert [(n, a.get("query")) for n, a, _ in calls(res)] == [("similar_products", "儿童围裙")]
    assert plan("我们有哪些门垫？哪款卖得最好").args.get("limit") == 50
    assert plan("上个月圣诞相关的东西卖得怎么样").args.get("query") == "圣诞"


def test_spent_in_chinese_is_spend_and_half_a_year_is_six_months() -> None:
    assert extract("英国客户里花了1500镑以上的").min_revenue.value == 1500  # type: ignore[union-attr]
    assert extract("预算加了50").changes[0].by == 50
    assert extract("2月份的新客半年后还剩多少").months_ahead == 6


def test_a_kind_one_product_outsells_by_far_is_that_product_and_said(cp: Copilot) -> None:
    res = cp.ask("what if the 3 tier cake stand cost 10% more?")
    assert [(n, a.get("product_id")) for n, a, _ in calls(res)] == [("discount_effect", 1289)]
    assert "I took REGENCY CAKESTAND 3 TIER (product 1289)" in res["answer"]
    asked = cp.ask("how elastic is the jumbo bag?")  # the best jumbo bag sells 2.3 times the next: which one?
    assert calls(asked) == [] and "JUMBO BAG RED RETROSPOT" in asked["answer"]


def test_a_product_named_by_three_of_its_words(cp: Copilot) -> None:
    res = cp.ask("2 meta ads for the keep calm doormat, warm tone")
    assert [(n, a.get("product_id")) for n, a, _ in calls(res)] == [("compose_headlines", 2103)]


def test_a_kinds_sales_over_a_period_with_its_total(cp: Copilot) -> None:
    res = cp.ask("how many lunch bags did we sell in October?")
    assert [(n, a.get("query")) for n, a, _ in calls(res)] == [("top_products", "lunch bags")]
    assert "All of them together:" in res["answer"]
    assert [p.args.get("query") for p in [plan("热水袋上个月卖了多少？哪款最好")]] == ["热水袋"]


def test_the_audience_just_saved_is_the_one_exported(cp: Copilot) -> None:
    first = cp.ask("save french champions as an audience called fr_top")
    cp.ask("yes", thread_id=first["thread_id"])
    res = cp.ask("now export it for meta", thread_id=first["thread_id"])
    assert [(n, a.get("name"), a.get("format")) for n, a, _ in calls(res)] == [("audience_export", "fr_top", "meta")]


def test_not_since_the_end_of_a_month_keeps_its_last_day() -> None:
    p = plan("customers who haven't ordered since the end of September", today=date(2011, 12, 9))
    assert p.args.get("end") == "2011-09-30"


@pytest.mark.parametrize(("text", "reply"), [("全部批准", "yes"), ("approve them all", "yes"), ("no, hold off", "no")])
def test_replies_for_every_change_waiting(text: str, reply: str) -> None:
    assert pending_reply(text) == reply


def test_a_plus_inside_brackets_is_one_ask() -> None:
    assert len(split_parts("3 meta ads (headline + primary text) for product 12, warm tone")) == 1


def test_which_of_a_kind_just_listed_sold_best(cp: Copilot) -> None:
    first = cp.ask("which doormats do we sell?")
    then = cp.ask("which one sold most last month?", thread_id=first["thread_id"])
    assert [(n, a.get("query")) for n, a, _ in calls(then)] == [("top_products", "doormats")]


def test_a_cohort_still_buying_later_is_its_retention() -> None:
    p = plan("4月第一次下单的新客，半年后还剩多少在买", today=date(2011, 12, 9))
    assert (p.tool, p.args.get("cohort"), p.args.get("months_ahead")) == ("retention_projection", "2011-04", 6)


def test_profit_asked_beside_a_discount_takes_the_cost_and_says_the_break_even(cp: Copilot) -> None:
    res = cp.ask("what would 20% off product 1012 do to units? and profit, it costs us £2")
    assert [(n, a.get("unit_cost")) for n, a, _ in calls(res)] == [("discount_effect", 2.0)]
    assert "units would have to rise" in res["answer"]


@pytest.mark.parametrize("text", ["approve both", "ok go ahead with that price", "两个都批"])
def test_more_ways_to_say_yes(text: str) -> None:
    assert pending_reply(text) == "yes"


def test_the_highest_cost_is_the_worst_and_it_is_that_one(cp: Copilot) -> None:
    first = cp.ask("which campaign has the highest CPC this week?")
    then = cp.ask("pause it", thread_id=first["thread_id"])
    highest = first["tool_calls"][0]["result"]["ranking"][-1]["campaign_id"]  # lowest first
    assert [(n, a.get("campaign_id")) for n, a, _ in calls(then)] == [("pause_campaign", highest)]


def test_which_of_a_kind_and_a_kind_have_we_got() -> None:
    assert plan("what doormats have we got?").args.get("every_match") is True
    assert plan("小猪存钱罐卖多少钱").tool is not None


def test_lookalikes_after_saving_are_not_the_audience_again() -> None:
    ctx = Context(tool="audience_create", args={"country": "France", "name": "fr_top"})
    p = plan("now find 150 lookalikes of it", ctx)
    assert (p.tool, p.args.get("seed"), p.args.get("size")) == ("audience_lookalike", "fr_top", 150)


def test_the_best_and_the_worst_month_both_named(cp: Copilot) -> None:
    res = cp.ask("今年每个月的销售额，哪个月最好哪个月最差")
    assert "销售额最高的一个月：2011-11" in res["answer"] and "销售额最低的一个月" in res["answer"]


def test_a_campaigns_figures_are_not_its_budget_and_its_pacing_after_a_ranking() -> None:
    p = plan("daily spend and revenue for campaign 3 since dec 1", today=date(2011, 12, 9))
    assert (p.tool, p.args.get("by")) == ("campaign_metrics", "day")
    ctx = Context(
        tool="compare_campaigns", args={"metric": "cpa"}, listing=("campaign_id", [1, 2, 3]), asked=frozenset({"worst"})
    )
    assert (plan("那它今天预算花得怎么样", ctx).tool, plan("那它今天预算花得怎么样", ctx).args.get("campaign_id")) == (
        "campaign_pacing",
        3,
    )


def test_an_audience_by_its_expected_yearly_value_and_a_theme_listed() -> None:
    assert plan("把预计年价值300镑以上的德国客户存成一个人群，叫de_value").args.get("min_clv") == 300
    assert plan("do we sell any picnic stuff?").args.get("query") == "picnic"


def test_a_bare_amount_after_a_moving_verb_is_a_change_by_it() -> None:
    p = plan("bump all bids 5p")
    assert (p.tool, p.args.get("change_by"), p.args.get("bid")) == ("set_campaign_bids", 0.05, None)
    assert plan("raise the search bid to 90p").args.get("bid") == 0.9


def test_another_campaign_the_same_figures_and_a_kind_falling() -> None:
    ctx = Context(tool="campaign_metrics", args={"campaign_id": 2, "period": "last_14_days", "by": "day"})
    assert plan("and what about campaign 1?", ctx).tool == "campaign_metrics"
    p = plan("门垫哪些款在跌？跟上个月比", today=date(2011, 12, 9))
    assert (p.tool, p.args.get("order"), p.args.get("query")) == ("top_products", "worst", "门垫")


@pytest.mark.parametrize(
    ("text", "lowest"),
    [("which one's the slowest lunch bag", True), ("哪些热水袋滞销", True), ("which doormats are tanking", False)],
)
def test_the_slowest_of_a_kind_is_its_lowest_seller_and_a_fall_is_a_fall(text: str, lowest: bool) -> None:
    p = plan(text)
    assert p.tool == "top_products" and p.args.get("worst_by") == ("lowest" if lowest else "fall"), p.args


@pytest.mark.parametrize(
    ("text", "n"),
    [("google search headlines for the regency cakestand, premium feel, 4 of them", 4), ("give me five of them", 5)],
)
def test_a_count_said_as_n_of_them(text: str, n: int) -> None:
    assert extract(text).counts == [n]


def test_a_chinese_word_the_catalog_names_two_ways_finds_both(cp: Copilot) -> None:
    res = cp.ask("我们有哪些圣诞花环")
    (name, args, _), result = calls(res)[0], res["tool_calls"][0]["result"]
    assert (name, args.get("every_match")) == ("similar_products", True)
    found = " ".join(p["description"] for p in result["matching"])
    assert "CHRISTMAS GARLAND" in found and "CHRISTMAS WREATH" in found


def test_a_kind_is_not_the_one_product_another_reading_names(cp: Copilot) -> None:
    res = cp.ask("圣诞花环上个月卖得怎么样")
    name, args, _ = calls(res)[0]
    assert name == "top_products" and args.get("query") and "product_ids" not in args, (name, args)


def test_one_products_sales_over_a_period_by_its_chinese_name(cp: Copilot) -> None:
    res = cp.ask("红色波点大号购物袋上个月卖得怎么样")
    name, args, _ = calls(res)[0]
    code = {v: k for k, v in cp.shop.stock_codes().items()}
    assert name == "top_products" and [code[p] for p in args["product_ids"]] == ["85099B"], args


def test_an_apostrophe_does_not_hide_a_product_of_the_kind(cp: Copilot) -> None:
    res = cp.ask("我们有哪些儿童围裙")
    found = [p["description"] for p in res["tool_calls"][0]["result"]["matching"]]
    assert "CHILDREN'S APRON DOLLY GIRL" in found and len(found) == 6, found


def test_customers_of_several_countries_each_show_their_country(cp: Copilot) -> None:
    res = cp.ask("20 at-risk customers outside the UK")
    rows = res["tool_calls"][0]["result"]["customers"]
    assert len(rows) == 20 and all(r["country"] and r["country"] != "United Kingdom" for r in rows)
    assert f"{rows[0]['customer_id']} ({rows[0]['country']})" in res["answer"]


def test_export_that_after_a_top_10_holds_the_10(cp: Copilot) -> None:
    first = cp.ask("top 10 products last month")
    again = cp.ask("export that", thread_id=first["thread_id"])
    (csv_file,) = [a for a in again["attachments"] if a["kind"] == "csv"]
    assert csv_file["rows"] == 10


@pytest.mark.parametrize(("text", "country"), [("how did germnay do in nov", "Germany"), ("sales in frnace", "France")])
def test_a_misspelt_country_is_that_country(text: str, country: str) -> None:
    assert plan(text).args.get("country") == country


def test_pence_before_a_chinese_word_are_pence() -> None:
    assert [c.by for c in extract("爆米花桶涨10p的话销量会怎样").changes] == [0.1]


def test_todays_price_naming_a_product_is_not_the_new_price_and_the_change_is_carried_out(cp: Copilot) -> None:
    first = cp.ask("爆米花桶（0.85那个）涨1毛的话销量会怎样")
    name, args, status = calls(first)[0]
    assert (name, args.get("change_by"), "new_price" in args, status) == ("discount_effect", 0.1, False, "ok")
    then = cp.ask("那就这么改吧", thread_id=first["thread_id"])
    assert then["pending_approval"]["changes"][0]["to"] == 0.95


def test_and_the_worst_after_a_ranking_names_the_worst(cp: Copilot) -> None:
    first = cp.ask("which campaign had the best CTR over the last 30 days?")
    res = cp.ask("and the worst CPA?", thread_id=first["thread_id"])
    assert res["answer"].startswith("Weakest: campaign 3"), res["answer"][:80]


def test_the_last_8_weeks_are_8_whole_weeks(cp: Copilot) -> None:
    rows = cp.ask("weekly sales for the last 8 weeks")["tool_calls"][0]["result"]["rows"]
    assert len(rows) == 8 and all(r["whole"] and r["days"] == 7 for r in rows)


@pytest.mark.parametrize(
    ("text", "field"),
    [("weekly doormat sales", "query"), ("85123A今年每月卖了多少", "product_ids")],
)
def test_a_kinds_or_products_sales_row_by_row(cp: Copilot, text: str, field: str) -> None:
    res = cp.ask(text)
    name, args, _ = calls(res)[0]
    result = res["tool_calls"][0]["result"]
    assert name == "sales_report" and field in args and args.get("by") in ("week", "month"), (name, args)
    assert 0 < result["share_of_shop_pct"] < 10 and len(result["rows"]) > 1


@pytest.mark.parametrize(
    ("text", "verdict"), [("is the xmas rush slowing down?", "Slowing down:"), ("圣诞旺季是不是在放缓", "结论：在放缓")]
)
def test_whether_sales_are_slowing_gets_the_weeks_and_a_verdict(cp: Copilot, text: str, verdict: str) -> None:
    res = cp.ask(text)
    name, args, _ = calls(res)[0]
    assert (name, args.get("by")) == ("sales_report", "week") and res["answer"].startswith(verdict), res["answer"][:90]


def test_which_products_are_slowing_is_still_a_ranking() -> None:
    assert plan("which lunch bags are slowing").tool == "top_products"


@pytest.mark.parametrize("text", ["what's our repeat purchase rate?", "复购率是多少"])
def test_the_repeat_purchase_rate_is_the_share_of_customers_with_two_orders(cp: Copilot, text: str) -> None:
    res = cp.ask(text)
    name, args, _ = calls(res)[0]
    result = res["tool_calls"][0]["result"]
    pct = f"{100 * result['matching'] / result['customers_in_shop']:.1f}%"
    assert (name, args) == ("customer_list", {"min_orders": 2, "limit": 5}) and pct in res[
        "answer"
    ]  # a rate: a few shown


def test_another_campaigns_same_figures_and_a_change_said_with_too() -> None:
    ctx = Context(tool="campaign_metrics", args={"campaign_id": 1, "period": "last_14_days", "by": "day"})
    for text in ("2号的也看一下", "campaign 2 too"):
        p = plan(text, ctx, today=date(2011, 12, 9))
        assert (p.tool, p.args.get("campaign_id"), p.args.get("by")) == ("campaign_metrics", 2, "day"), text
    assert plan("pause campaign 2 too", ctx).tool == "pause_campaign"


def test_lookalikes_of_the_audience_just_saved_said_in_chinese(cp: Copilot) -> None:
    first = cp.ask("把德国的冠军客户存成受众，叫de_top")
    cp.ask("好的", thread_id=first["thread_id"])
    res = cp.ask("再按这个找500个相似客户", thread_id=first["thread_id"])
    name, args, status = calls(res)[0]
    assert (name, args.get("seed"), args.get("size"), status) == ("audience_lookalike", "de_top", 500, "pending")


def test_a_january_sale_plan_has_its_dates(cp: Copilot) -> None:
    res = cp.ask("plan a january sale campaign for us, 5k budget")
    name, args, _ = calls(res)[0]
    timing = res["tool_calls"][0]["result"]["occasion_timing"]
    assert (name, args.get("occasion")) == ("campaign_plan", "January sale") and timing["date"] == "2012-01-02"


def test_christmas_decorations_are_the_christmas_range(cp: Copilot) -> None:
    res = cp.ask("圣诞装饰最近一个月卖得最好的5个")
    result = res["tool_calls"][0]["result"]
    names = [p["description"] for p in result["products"]]
    assert "PAPER CHAIN KIT 50'S CHRISTMAS" in names and result["filters"]["kind"] == "christmas", names


def test_do_we_have_a_themed_kind_lists_it_not_its_neighbours(cp: Copilot) -> None:
    res = cp.ask("有没有圣诞主题的彩旗？")
    name, args, _ = calls(res)[0]
    found = [p["description"] for p in res["tool_calls"][0]["result"]["matching"]]
    assert (name, args.get("every_match")) == ("similar_products", True) and "VINTAGE CHRISTMAS BUNTING" in found


def test_which_is_dragging_us_down_after_the_campaigns_figures_names_the_worst() -> None:
    ctx = Context(tool="campaign_metrics", args={"period": "last_week"})
    for text in ("哪个最拖后腿？", "which one is dragging us down?"):
        p = plan(text, ctx, today=date(2011, 12, 9))
        assert (p.tool, p.args.get("period"), p.notes) == ("compare_campaigns", "last_week", ["asked:worst"]), text


def test_a_reply_naming_only_the_product_chosen_reruns_the_question() -> None:
    ctx = Context(tool="discount_effect", args={"product_id": 1289, "discount_pct": 10.0})
    p = plan("三层的那个商品 1289", ctx, zh=True, today=date(2011, 12, 9))
    assert (p.tool, p.args) == ("discount_effect", {"product_id": 1289, "discount_pct": 10.0})


@pytest.mark.parametrize(
    ("text", "field", "value"),
    [
        ("top 10 sellers by units in the UK in novmber", "month", "11"),
        ("which of the bakelike alarm clocks are slipping?", "worst_by", "fall"),
        ("给白色爱心吊挂烛台写5个小红书标题", "n", 5),
    ],
)
def test_misspelt_months_slipping_sellers_and_counts_before_a_word_with_xiao(
    text: str, field: str, value: object
) -> None:
    assert plan(text).args.get(field) == value


def test_the_basket_size_is_the_average_order_not_a_kind_of_product() -> None:
    p = plan("which customer segment is bringing in the most money this quarter? and whats the basket size for each")
    assert p.tool == "sales_report" and "query" not in p.args and p.args.get("breakdown") == "segment"


def test_a_month_compared_with_another_by_bi_is_no_range() -> None:
    p = plan("英国11月比10月怎么样？营业额、订单数、客单价都要", today=date(2011, 12, 9))
    assert (p.tool, p.args.get("month"), "to_month" in p.args) == ("sales_report", "11", False), p.args


def test_a_what_if_set_directly_and_the_audience_just_saved_exported(cp: Copilot) -> None:
    first = cp.ask("jumbo bag红色波点那款打九折的话，销量会怎么变")
    res = cp.ask("那就直接改成1.89吧", thread_id=first["thread_id"])
    assert res["pending_approval"]["changes"][0]["to"] == 1.89
    saved = cp.ask("把英国的流失风险客户存成一个受众，叫uk_winback")
    cp.ask("好", thread_id=saved["thread_id"])
    export = cp.ask("导出给谷歌", thread_id=saved["thread_id"])
    name, args, status = calls(export)[0]
    assert (name, args.get("name"), args.get("format"), status) == (
        "audience_export",
        "uk_winback",
        "google",
        "pending",
    )


@pytest.mark.parametrize(
    ("text", "args"),
    [
        ("did september sell better than july?", {"month": "9", "compare_month": "7"}),
        ("9月的销售比8月好吗", {"month": "9"}),  # against the month before anyway: no range backwards
        ("11月订单比10月多吗", {"month": "11"}),
        ("germany sept vs july revenue", {"month": "9", "compare_month": "7", "country": "Germany"}),
        ("were units in june higher than in may?", {"month": "6"}),
    ],
)
def test_two_months_set_against_each_other_are_a_report_of_both(text: str, args: dict[str, object]) -> None:
    p = plan(text, today=date(2011, 12, 9))
    assert (p.tool, p.args) == ("sales_report", args), (p.tool, p.args)


def test_a_yes_or_no_of_two_months_is_answered_first(cp: Copilot) -> None:
    res = cp.ask("did september sell better than july?")
    assert res["answer"].startswith("September 2011 did better than July 2011: revenue £")
    zh = cp.ask("11月订单比10月多吗")
    assert zh["answer"].startswith("结论：2011年11月比2011年10月更好。订单 ")


@pytest.mark.parametrize(
    ("text", "field", "value"),
    [
        ("yday numbers for all 3 campaigns - ctr, conv, spend", "period", "yesterday"),
        ("top countries by rev last qtr excl. uk", "country", "not United Kingdom"),
        ("of the custs who first ordered in sep or oct how many came back?", "first_start", "2011-09-01"),
        ("of the custs who first ordered in sep or oct how many came back?", "first_end", "2011-10-31"),
        ("冠军客户和忠诚客户最近30天的客单价分别多少", "breakdown", "segment"),
        ("那个白色爱心挂灯最近三个月每月卖多少", "period", "last_3_months"),
        ("3号计划最近两周每天的点击率和花费拉一下，带个图", "chart", "ctr"),
        ("3 meta ads for product 3220 for new custs", "audience", "new"),
        ("复活节想提前布局，总预算1万镑，出个方案", "occasion", "复活节"),
    ],
)
def test_shorthand_two_months_two_segments_and_what_a_chart_draws(text: str, field: str, value: object) -> None:
    assert plan(text, today=date(2011, 12, 9)).args.get(field) == value


@pytest.mark.parametrize(
    "text",
    [
        "c1 daily budget +£40 and knock 5p off c3's bid",
        "resume it and cut the bid by 10p",
        "算了还是开回来，出价降一毛再跑",
        "3 meta ads for the jumbo bag red retrospot, playful + 3 more urgent ones for last xmas orders",
    ],
)
def test_two_changes_or_two_sets_of_copy_in_one_message_are_two_parts(text: str) -> None:
    assert len(split_parts(text)) == 2, split_parts(text)


def test_a_second_set_of_copy_keeps_the_platform_and_knitting_kits_are_a_kind() -> None:
    p = plan("3 more urgent ones", earlier="3 meta ads for product 3220, playful")
    assert (p.tool, p.args.get("platform"), p.args.get("tone")) == ("compose_headlines", "meta", "urgent")
    kits = plan("do we sell knitting kits?")
    assert (kits.tool, kits.args.get("query")) == ("similar_products", "knitting kits")


def test_a_product_named_in_chinese_beside_an_occasion_is_that_product(cp: Copilot) -> None:
    res = cp.ask("帮我给REGENCY那款三层蛋糕架写3条朋友圈文案，圣诞送礼的感觉，温暖一点")
    assert calls(res)[0][1]["product_id"] == cp.shop.stock_codes()["22423"]  # not the Christmas gift tags


def test_the_lowest_roas_asked_is_the_one_a_change_then_means(cp: Copilot) -> None:
    first = cp.ask("上个月哪个campaign的ROAS最低？")
    assert first["answer"].startswith("表现最差的是活动 3")
    cut = cp.ask("那把它的daily budget砍掉20%", thread_id=first["thread_id"])
    assert cut["pending_approval"]["changes"][0]["campaign_id"] == 3  # not the first of the ranking


def test_a_ranking_by_another_metric_keeps_the_period(cp: Copilot) -> None:
    first = cp.ask("Which of our three campaigns had the lowest CPA over the last 30 days?")
    again = cp.ask(
        "CPA on its own doesn't tell the client much. Can you rank the same three campaigns by ROAS over the same "
        "30 days instead?",
        thread_id=first["thread_id"],
    )
    assert calls(again)[0][:2] == ("compare_campaigns", {"metric": "roas", "period": "last_30_days"})


def test_a_what_if_price_set_in_so_many_words(cp: Copilot) -> None:
    for ask, reply in (
        ("What would happen to units and revenue if we took 15% off the white hanging heart t-light holder?", "OK, go "
         "ahead and set that price."),
        ("PARTY BUNTING如果涨价10%，销量和利润会怎么变？成本按每个2镑算", "行，就按这个涨"),
    ):  # fmt: skip
        first = cp.ask(ask)
        res = cp.ask(reply, thread_id=first["thread_id"])
        assert calls(res)[0][0] == "set_product_price" and res["pending_approval"] is not None, res["answer"]


def test_a_segment_breakdown_exported_is_its_segments(cp: Copilot) -> None:
    first = cp.ask("What share of revenue did each customer segment bring in over the last 90 days?")
    res = cp.ask("Great, can you export that as a CSV for me?", thread_id=first["thread_id"])
    (csv_file,) = [a for a in res["attachments"] if a["kind"] == "csv"]
    rows = list(csv.DictReader(Path(csv_file["path"]).read_text().splitlines()))
    assert len(rows) == 7 and {r["name"] for r in rows} >= {"champions", "loyal", "hibernating"}


@pytest.mark.parametrize(
    ("text", "tool", "args"),
    [
        ("Q3销售额TOP20的SKU，带上销量和单价", "top_products", {"month": "7", "to_month": "9", "order": "best",
         "metric": "revenue", "limit": 20}),
        ("For the client review I need November's performance for all three campaigns: spend, ROAS, CPA, CTR and "
         "conversions for each, with the change against October.", "campaign_metrics",
         {"start": "2011-11-01", "end": "2011-11-30"}),
    ],
)  # fmt: skip
def test_top_n_products_and_a_qualifier_that_is_no_second_ask(text: str, tool: str, args: dict[str, object]) -> None:
    assert len(split_parts(text)) == 1
    p = plan(text, today=date(2011, 12, 9))
    assert (p.tool, p.args) == (tool, args)


def test_a_comparison_after_two_countries_is_theirs_and_fewer_at_risk_than_asked_says_so(cp: Copilot) -> None:
    res = cp.ask("德国和法国11月的销售额各多少？跟10月比是涨了还是跌了？")
    assert [c[0] for c in calls(res)] == ["sales_report"]  # the change against October is in it
    few = cp.ask("Which of our high-value customers in France are at risk of lapsing? I need the top 15.")
    assert "fewer than the 15 asked for" in few["answer"] and "haven't ordered since 10 October" in few["answer"]


@pytest.mark.parametrize(
    "text",
    [
        "Please add £75 to campaign 1's daily budget for the Christmas run-up.",
        "2号计划日预算调到400镑，圣诞前这两周先这样",
    ],
)
def test_a_change_for_a_season_says_it_will_not_undo_itself(cp: Copilot, text: str) -> None:
    res = cp.ask(text)
    assert res["pending_approval"] is not None and ("can't schedule" in res["answer"] or "不能定时" in res["answer"])


@pytest.mark.parametrize(
    ("text", "tool", "field", "value"),
    [
        ("What share of our customers ever come back and buy a second time?", "customer_list", "min_orders", 2),
        ("which of our campaigns gets people clicking the most when they see the ad? last 2 weeks", "compare_campaigns",
         "metric", "ctr"),
        ("哪类客户最能买？按客户分层看下过去半年的销售额和客单价", "sales_report", "period", "last_6_months"),
        ("今年10月以后第一次下单的新客户，下过2次单以上的，导出给我", "customer_list", "min_orders", 2),
        ("把德国那些最好的客户存成一个受众，名字叫 de_vip", "audience_create", "segment", "champions"),
        ("1号跟3号比一下，过去30天谁的获客成本低", "compare_campaigns", "campaign_ids", [1, 3]),
        ("do we sell anything with owls on it? list them with the prices", "similar_products", "query", "owls"),
        ("我们店有卖那种红色波点的大购物袋吗，有几款，价格多少", "similar_products", "query", "红色波点大购物袋"),
    ],
)  # fmt: skip
def test_plain_words_for_a_repeat_rate_ctr_half_a_year_best_customers_and_motifs(
    text: str, tool: str, field: str, value: object
) -> None:
    p = plan(text, today=date(2011, 12, 9))
    assert (p.tool, p.args.get(field)) == (tool, value), (p.tool, p.args)


def test_the_costly_one_of_a_ranking_and_set_it_to_that_with_nothing_suggested(cp: Copilot) -> None:
    first = cp.ask("1号跟3号比一下，过去30天谁的获客成本低")
    cut = cp.ask("那把成本高的那个出价降一毛", thread_id=first["thread_id"])
    assert cut["pending_approval"]["changes"][0]["campaign_id"] == 3
    best = cp.ask("What's the best price for 85123A if it costs me £1.10 a unit to buy in?")
    again = cp.ask("ok set it to that", thread_id=best["thread_id"])
    assert again["pending_approval"] is None and "need the new price" in again["answer"]  # none was recommended


def test_an_audience_name_ends_before_why_and_a_later_part_keeps_the_stock_code(cp: Copilot) -> None:
    saved = cp.ask("Can you save our top UK customers (the champions) as a group called uk_best so we can target them?")
    assert calls(saved)[0][1]["name"] == "uk_best"
    res = cp.ask("85123A的价格弹性多少？要是打九折销量能涨多少，利润呢，进价按1.2镑算")
    assert [(n, a.get("product_id")) for n, a, _ in calls(res)] == [
        ("price_elasticity", 3234),
        ("discount_effect", 3234),
    ]


@pytest.mark.parametrize(
    ("text", "tool", "args"),
    [
        ("帮我建个人群：英国的沉睡客户，最后一次下单在6月30号之前的，名字叫 uk_sleep_h1", "audience_create",
         {"segment": "hibernating", "country": "United Kingdom", "ordered_before": "2011-06-29"}),
        ("at_risk 人群里，预计未来一年价值超过200镑的，存成人群 vip_recall", "audience_create",
         {"segment": "at_risk", "min_clv": 200.0}),
        ("商品 2594 派对彩旗涨价5%", "set_product_price", {"product_id": 2594, "change_pct": 5.0}),
        ("商品 3220 最近30天分国家卖得怎么样", "sales_report",
         {"period": "last_30_days", "breakdown": "country", "product_ids": [3220]}),
        ("how many customers do we have?", "customer_list", {"limit": 5}),
        ("Plan a New Year win-back campaign for lapsed customers, £5,000 total budget", "campaign_plan",
         {"total_budget": 5000.0, "occasion": "New Year", "win_back": True}),
    ],
)  # fmt: skip
def test_sleeping_customers_at_risk_a_price_raised_a_product_by_country_and_a_win_back(
    text: str, tool: str, args: dict[str, object]
) -> None:
    p = plan(text, today=date(2011, 12, 9))
    assert (p.tool, p.args) == (tool, args), (p.tool, p.args)


def test_buyers_of_a_product_named_and_their_worth_after_a_list(cp: Copilot) -> None:
    buyers = cp.ask("买过 REGENCY CAKESTAND 3 TIER 的客户有哪些？按买的数量排")
    assert calls(buyers)[0][:2] == ("customer_list", {"product_id": cp.shop.stock_codes()["22423"]})
    first = cp.ask("List our Irish customers with 10 or more orders, sorted by spend")
    worth = cp.ask("how much are they worth over the next 12 months?", thread_id=first["thread_id"])
    assert calls(worth)[0][:2] == ("customer_lifetime_value", {"country": "EIRE", "min_orders": 10})
    grew = cp.ask("Break down last month's revenue by customer segment against the month before. Which grew the most?")
    assert "Highest growth in revenue: champions (+£" in grew["answer"]


@pytest.mark.parametrize(
    ("turns", "tool", "field", "value"),
    [
        (["how many lunch bags have we sold each week since September?"], "sales_report", "query", "lunch bags"),
        (["REGENCY CAKESTAND做一条朋友圈广告，圣诞节，要有紧迫感，面向老客户"], "compose_headlines", "platform", "wechat_moments"),
        (["85099B降价10%会怎样？", "那就降吧"], "set_product_price", "price", 1.87),  # the logged, resolved price
        (["meta ad for the regency cakestand, playful, targeting new customers", "make it urgent and a black friday angle"],
         "compose_headlines", "tone", "urgent"),
        (["sales by customer segment for the last 3 months", "which one has the highest AOV?"], "sales_report",
         "breakdown", "segment"),
    ],
)  # fmt: skip
def test_a_kind_by_week_a_product_beside_a_platform_and_follow_ups_that_go_on(
    cp: Copilot, turns: list[str], tool: str, field: str, value: object
) -> None:
    res = cp.ask(turns[0])
    for turn in turns[1:]:
        res = cp.ask(turn, thread_id=res["thread_id"])
    name, args, _ = calls(res)[0]
    assert (name, args.get(field)) == (tool, value), (name, args)


def test_a_chinese_audience_is_a_who_and_an_occasion_is_no_audience() -> None:
    from tools.copywriter import _who_zh

    assert (_who_zh("喜欢下午茶"), _who_zh("宝妈")) == ("喜欢下午茶的人", "宝妈")
    p = plan("给85123A写几条小红书文案，温馨一点，主打母亲节送妈妈")
    assert "audience" not in p.args and p.args.get("occasion") == "母亲节"


@pytest.mark.parametrize(
    ("text", "field", "value"),
    [
        ("July vs May revenue for Norway", "compare_month", "5"),  # May after "vs" is the month
        ("revenue by country for august, keep the UK out", "country", "not United Kingdom"),
        ("去年11月卖得最好的10个商品", "month", "2010-11"),  # a month of last year, not the whole year
        ("best sellers last december", "month", "2010-12"),  # on 9 December: the December before
        ("best sellers last october", "month", "10"),  # the latest October
        ("2号计划10月每天的花费", "campaign_ids", None),  # 10月 is a month, not campaign 10
        ("top 5 customers in Finland by spend, need to call them this week", "spend_start", None),
        ("what should we push in Sweden?", "country", "Sweden"),
    ],
)
def test_months_places_and_when_the_marketer_acts_are_read_apart(text: str, field: str, value: object) -> None:
    p = plan(text, today=date(2011, 12, 9))
    assert p.args.get(field) == value, (p.tool, p.args)


def test_a_month_after_vs_is_compared_and_a_may_verb_is_no_month() -> None:
    assert extract("July vs May revenue").months == [(None, 7), (None, 5)]
    assert extract("we may want to cut it").months == []


def test_a_place_pointed_back_to_keeps_the_country_of_the_part_before() -> None:
    parts = split_parts("Norway: August vs July revenue pls. also the 3 worst sellers there in august")
    second = plan(parts[1], earlier=parts[0], today=date(2011, 12, 9))
    assert (second.tool, second.args.get("country")) == ("top_products", "Norway"), second.args


@pytest.mark.parametrize(
    ("text", "parts"),
    [
        ("奥地利快流失的客户列10个，顺便导出个表", 1),  # the file is that list's
        ("pull the at-risk customers in Sweden, also export it", 1),
    ],
)
def test_a_file_asked_after_a_list_is_that_list(text: str, parts: int) -> None:
    assert len(split_parts(text)) == parts


def test_what_sells_with_a_product_named_in_chinese_words_is_its_baskets(cp: Copilot) -> None:
    res = cp.ask("白色心形挂灯在法国一般跟什么一起买")
    name, args, _ = calls(res)[0]
    assert (name, args.get("product_id"), args.get("country")) == ("bought_together", 3234, "France"), args


@pytest.mark.parametrize(
    ("text", "tool", "args"),
    [
        ("revenue in 2010", "sales_report", {"start": "2010-01-01", "end": "2010-12-31"}),
        ("revenue and orders in 2011", "sales_report", {"period": "ytd"}),
        ("2011年全年的订单数和销售额", "sales_report", {"period": "ytd"}),
        ("november so far vs last november - better or worse?", "sales_report", {"compare_last_year": True}),
        ("11月到现在跟去年同期比怎么样？订单数和客单价都要", "sales_report", {"compare_last_year": True}),
        ("which gift wrap lines are dying off? biggest drop over the last 30 days", "top_products", {"order": "worst"}),
        ("第一次下单在9、10月的客户有多少", "customer_list", {"first_start": "2011-09-01", "first_end": "2011-10-31"}),
    ],
)
def test_a_year_year_on_year_and_a_run_of_months_are_read_as_said(
    text: str, tool: str, args: dict[str, object]
) -> None:
    p = plan(text, today=date(2011, 12, 9))
    assert p.tool == tool and p.args.items() >= args.items(), (p.tool, p.args)


def test_an_average_basket_is_the_aov_and_a_file_for_slides_is_a_file() -> None:
    assert extract("and how's the avg basket vs last year").aov
    assert wants_file("导出来吧，我要放PPT里") and len(split_parts("导出来吧，我要放PPT里")) == 1


def test_a_cut_and_a_bid_brought_down_are_two_changes() -> None:
    assert split_parts("cut campaign 2's bid by 10% and bring campaign 3 down to 0.35") == [
        "cut campaign 2's bid by 10%",
        "bring campaign 3 down to 0.35 (bid)",
    ]


def test_a_price_said_after_a_what_if_is_set(cp: Copilot) -> None:
    res = cp.ask("兔子夜灯降到1.8镑会怎么样")
    res = cp.ask("行，就按1.8改", thread_id=res["thread_id"])
    assert calls(res)[0][:2] == ("set_product_price", {"product_id": 1920, "price": 1.8}) and res["pending_approval"]


def test_whichever_was_worst_is_the_worst_by_roas(cp: Copilot) -> None:
    res = cp.ask("roas and cpa for each campaign, last 7 days")
    res = cp.ask("pause whichever one was worst", thread_id=res["thread_id"])
    assert calls(res)[0][1] == {"campaign_id": 2} and "By ROAS, campaign 2" in res["answer"]
