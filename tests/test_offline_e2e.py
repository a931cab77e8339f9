"""The offline model end to end on the real demo shop: route, tool, and numbers from tools."""

from __future__ import annotations

import json
import re

import pytest

from copilot.app import Copilot
from copilot.settings import Settings

# (request, expected route, expected tool or None for a clarifying question / no tool)
CASES = [
    ("which customers are about to lapse?", ["profiling"], "lapsing_customers"),
    ("show me the top 5 customers at risk of churning", ["profiling"], "lapsing_customers"),
    ("who has stopped buying from us?", ["profiling"], "lapsing_customers"),
    ("break down our customer base into RFM segments", ["profiling"], "rfm_segments"),
    ("how many customers are in each segment?", ["profiling"], "rfm_segments"),
    ("tell me about customer 12347", ["profiling"], "customer_profile"),
    ("profile of customer 13047 please", ["profiling"], "customer_profile"),
    ("what should we recommend to customer 12347?", ["profiling"], "recommend_products"),
    ("suggest products for customer 13047 to cross-sell", ["profiling"], "recommend_products"),
    ("find products similar to product 12", ["profiling"], "similar_products"),
    ("what are some alternatives to product 100?", ["profiling"], "similar_products"),
    ("find products like a christmas tree ornament", ["profiling"], "similar_products"),
    ("write three headlines for product 12", ["creative"], "compose_headlines"),
    ("give me 2 taglines for product 20 aimed at young parents", ["creative"], "compose_headlines"),
    ("draft ad copy for product 5", ["creative"], "compose_headlines"),
    ("what are the selling points of product 12?", ["creative"], "selling_points"),
    ("what's special about product 30?", ["creative"], "selling_points"),
    (
        'is this ad compliant: "The best lantern in the world, guaranteed"',
        ["creative"],
        "check_compliance",
    ),
    ('can we say "cures back pain" in an ad?', ["creative"], "check_compliance"),
    ("what price maximises profit for product 20 if it costs £2?", ["pricing"], "optimal_price"),
    ("what price maximises profit for product 8?", ["pricing"], None),
    ("how price sensitive is product 20?", ["pricing"], "price_elasticity"),
    ("price elasticity of product 8", ["pricing"], "price_elasticity"),
    ("what happens if we give 10% off product 20?", ["pricing"], "discount_effect"),
    ("effect of a 25 percent discount on product 12", ["pricing"], "discount_effect"),
    ("should we discount product 20?", ["pricing"], None),
    ("what's the pacing of campaign 1?", ["bidding"], "campaign_pacing"),
    ("is campaign 2 on track with its budget today?", ["bidding"], "campaign_pacing"),
    (
        "how much should we bid for an impression with a CTR of 0.2% if a click is worth £2?",
        ["bidding"],
        "impression_bid",
    ),
    ("bid for an impression with pCTR 0.001 for campaign 1", ["bidding"], "impression_bid"),
    ("replay the lin strategy on the ipinyou log", ["bidding"], "replay_bidding"),
    ("backtest mcpc bidding", ["bidding"], "replay_bidding"),
    ("set the bid of campaign 1 to £1.10", ["bidding"], "set_campaign_bid"),
    ("we have $500 a day for campaign 2, set the bids", ["bidding"], "set_campaign_budget"),
    ("raise the daily budget of campaign 3 to 250", ["bidding"], "set_campaign_budget"),
    ("A got 120 of 2400 and B got 150 of 2400, is B better?", ["campaigns"], "ab_test"),
    ("is my A/B test significant? control 80/1000, variant 95/1000", ["campaigns"], "ab_test"),
    ("split a $10,000 budget across channels", ["campaigns"], "budget_split"),
    ("how should we allocate £5000 between email and social?", ["campaigns"], "budget_split"),
    ("which month is our busiest?", ["campaigns"], "sales_seasonality"),
    ("show the seasonality of our sales", ["campaigns"], "sales_seasonality"),
    ("plan the Black Friday campaign", ["campaigns"], "campaign_plan"),
    ("plan a Christmas campaign with a budget of £8000", ["campaigns"], "campaign_plan"),
    ("哪些客户快要流失了？", ["profiling"], "lapsing_customers"),
    ("帮我做一下客户分层", ["profiling"], "rfm_segments"),
    ("客户12347的画像", ["profiling"], "customer_profile"),
    ("给客户12347推荐商品", ["profiling"], "recommend_products"),
    ("和产品12相似的商品有哪些？", ["profiling"], "similar_products"),
    ("给产品12写三条广告标题", ["creative"], "compose_headlines"),
    ("产品12的卖点是什么？", ["creative"], "selling_points"),
    ("这句广告语合规吗：“全网最低价，国家级品质”", ["creative"], "check_compliance"),
    ("产品20的价格弹性是多少？", ["pricing"], "price_elasticity"),
    ("产品20成本2英镑，定价多少利润最大？", ["pricing"], "optimal_price"),
    ("产品20打8折会怎样？", ["pricing"], "discount_effect"),
    ("活动1今天的消耗进度怎么样？", ["bidding"], "campaign_pacing"),
    ("把活动2的日预算设为800元", ["bidding"], "set_campaign_budget"),
    ("把活动1的出价调整到1.2", ["bidding"], "set_campaign_bid"),
    ("A组2400个访客120个转化，B组2400个访客150个转化，结果显著吗？", ["campaigns"], "ab_test"),
    ("把10000元预算分配到各个渠道", ["campaigns"], "budget_split"),
    ("我们的销售旺季是哪个月？", ["campaigns"], "sales_seasonality"),
    ("帮我策划双十一活动", ["campaigns"], "campaign_plan"),
    ("who are our most valuable customers by lifetime value?", ["profiling"], "customer_lifetime_value"),
    ("谁是未来一年最有价值的客户？", ["profiling"], "customer_lifetime_value"),
    ("who should get the e-mail?", ["campaigns"], "email_targeting"),
    ("did switching off paid search work?", ["campaigns"], "campaign_effect"),
    ("关掉搜索广告有没有效果？", ["campaigns"], "campaign_effect"),
    ("what's the weather in Paris?", [], None),
    ("tell me a joke", [], None),
    ("who won the world cup in 2018?", [], None),
    ("今天天气怎么样？", [], None),
    ("hello", [], None),
]

NUMBER = re.compile(r"-?\d[\d,]*(?:\.\d+)?")


@pytest.fixture(scope="module")
def copilot(demo_home):  # type: ignore[no-untyped-def]
    cp = Copilot(Settings(home=demo_home))
    yield cp
    cp.close()


def _numbers_in(obj: object) -> set[float]:
    text = json.dumps(obj, ensure_ascii=False)
    return {round(float(n.replace(",", "")), 2) for n in NUMBER.findall(text)}


@pytest.mark.parametrize(("text", "route", "tool"), CASES, ids=[c[0][:40] for c in CASES])
def test_offline_request(copilot, text, route, tool):  # type: ignore[no-untyped-def]
    res = copilot.ask(text, channel="eval")
    assert res["route"] == route, res["answer"]
    names = [c["name"] for c in res["tool_calls"]]
    if res["pending_approval"]:  # a write waits for approval: nothing has run yet
        names = [c["name"] for c in res["pending_approval"]["tool_calls"]]
    assert names == ([tool] if tool else []), res["answer"]
    assert res["answer"].strip()
    if tool and res["pending_approval"] is None and res["tool_calls"][0]["status"] == "ok":
        # every number in the answer comes from the request or the logged tool result
        allowed = _numbers_in(res["tool_calls"][0]["result"]) | _numbers_in(text)
        allowed |= (
            {round(100 * n, 2) for n in allowed} | set(range(0, 13)) | {95.0, 1000.0}
        )  # labels: "95% interval", "per 1,000"
        said = "\n".join(line for line in res["answer"].splitlines() if not line.startswith("chart: "))  # a file
        stray = {n for n in _numbers_in(said) if n not in allowed}
        assert not stray, f"numbers not from a tool: {stray} in {res['answer']}"


def test_follow_up_and_clarifying_question(copilot):  # type: ignore[no-untyped-def]
    first = copilot.ask("what price maximises profit for product 20?")
    assert first["tool_calls"] == [] and "unit cost" in first["answer"]
    second = copilot.ask("it costs £2", thread_id=first["thread_id"])
    assert [c["name"] for c in second["tool_calls"]] == ["optimal_price"]
    assert second["tool_calls"][0]["args"] == {"product_id": 20, "unit_cost": 2.0}
    third = copilot.ask("and for product 30?", thread_id=first["thread_id"])
    assert third["tool_calls"][0]["args"] == {"product_id": 30, "unit_cost": 2.0}


def test_bad_values_change_nothing(copilot):  # type: ignore[no-untyped-def]
    for text in (
        "set the bid of campaign 1 to -5",
        "set the daily budget of campaign 1 to $5,000,000,000",
        "set the bid of campaign 99 to 1",
        "elasticity of product 999999",
        "",
    ):
        res = copilot.ask(text)
        assert res["pending_approval"] is None, text
        assert all(c["status"] != "ok" for c in res["tool_calls"]), text
        assert res["answer"].strip(), text
