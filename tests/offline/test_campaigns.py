"""The campaigns' performance, pause and resume, and bulk edits with the offline model on the real
demo shop: what a request routes to, what it reads, and that each change waits for its approval."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from copilot.app import Copilot
from evals.runner import snapshot
from offline.extract import extract
from offline.planner import plan
from store.db import Decision
from tests.offline.test_conversation import calls, leftovers

ROUTED = [  # (request, tool, arguments it must carry)
    ("how are my campaigns doing?", "campaign_metrics", {}),
    ("what's the ROAS of campaign 2 last month?", "campaign_metrics", {"campaign_id": 2, "period": "last_month"}),
    ("CPA and CTR for campaigns 1 and 3 over the last 30 days", "campaign_metrics", {"campaign_ids": [1, 3]}),
    ("活动2本月的投产比和转化是多少？", "campaign_metrics", {"campaign_id": 2, "period": "this_month"}),
    ("which campaign has the lowest CPA?", "compare_campaigns", {"metric": "cpa"}),
    ("哪个活动的投产比最高？", "compare_campaigns", {"metric": "roas"}),
    ("pause campaign 3", "pause_campaign", {"campaign_id": 3}),
    ("暂停投放2号活动", "pause_campaign", {"campaign_id": 2}),
    ("恢复投放1号活动", "resume_campaign", {"campaign_id": 1}),
    ("raise all search bids 10%", "set_campaign_bids", {"channel": "paid_search", "change_pct": 10.0}),
    ("raise all bids 10%", "set_campaign_bids", {"all_campaigns": True, "change_pct": 10.0}),
    ("所有出价提高10%", "set_campaign_bids", {"all_campaigns": True, "change_pct": 10.0}),
    ("cut every budget by 20%", "set_campaign_budgets", {"all_campaigns": True, "change_pct": -20.0}),
    ("1号和3号活动的日预算都改成300镑", "set_campaign_budgets", {"campaign_ids": [1, 3], "daily_budget": 300.0}),
    ("set the bid of campaign 1 to £1.10", "set_campaign_bid", {"campaign_id": 1, "bid": 1.1}),  # one stays one
]


@pytest.mark.parametrize(("text", "tool", "args"), ROUTED, ids=[r[0][:40] for r in ROUTED])
def test_the_offline_model_routes_campaign_requests(text: str, tool: str, args: dict) -> None:  # type: ignore[type-arg]
    p = plan(text)
    assert p.tool == tool, (text, p.tool)
    assert {k: p.args.get(k) for k in args} == args and not p.missing, p.args


def test_periods_metrics_and_campaign_lists_are_read() -> None:
    assert extract("ROAS for the last 14 days").period_name == "last_14_days"
    assert extract("最近两周的点击率").period_name == "last_14_days"
    assert extract("上个月的转化成本").metric == "cpa"
    assert extract("from 2011-11-01 to 2011-11-30").dates[1].day == 30
    assert extract("campaigns 1, 2 and 3: bids to 60p").ids("campaign") == [1, 2, 3]
    assert [n.value for n in extract("campaigns 1, 2 and 3: bids to 60p").numbers] == [0.6]
    assert extract("2号3号活动出价都加两成").ids("campaign") == [2, 3]
    assert extract("set campaign 2 and 300 pounds").ids("campaign") == [2]  # an amount is not an id
    assert extract("cut every budget by 20%").all_campaigns and extract("所有活动的日预算").all_campaigns
    assert not extract("split £8k across all channels").all_campaigns
    assert plan("raise every bid").missing == ["bid"]  # asks by how much, never guesses
    assert plan("change the bids of campaigns 1 and 3").args == {"campaign_ids": [1, 3]}
    vague = plan("raise the bids by 10%")  # no campaign named: which one is asked, nothing assumed
    assert vague.tool == "set_campaign_bid" and vague.missing == ["campaign_id"]


def test_no_change_is_proposed_from_a_negated_or_what_if_pause() -> None:
    assert plan("don't pause campaign 2").refused_write == "negated"
    what_if = plan("what would happen if we paused campaign 1?")
    assert what_if.tool == "campaign_metrics" and what_if.args.get("campaign_id") == 1


def test_metrics_answer_quotes_the_tool(cp: Copilot) -> None:
    res = cp.ask("how are my campaigns doing?")
    assert res["route"] == ["campaigns"] and calls(res)[0][0] == "campaign_metrics"
    result = res["tool_calls"][0]["result"]
    assert result["campaign_count"] == 3 and result["source"] == "simulated"
    assert f"£{result['spend']:,.2f}" in res["answer"] and f"ROAS {result['roas']:g}" in res["answer"]
    zh = cp.ask("哪个活动的投产比最高？")
    best = zh["tool_calls"][0]["result"]["best"]
    assert f"最好：活动 {best['campaign_id']}" in zh["answer"]


def test_pause_and_resume_wait_for_approval(cp: Copilot) -> None:
    first = cp.ask("pause campaign 2")
    change = first["pending_approval"]["changes"][0]
    assert (change["from"], change["to"]) == ("active", "paused") and "stops about" in first["answer"]
    assert snapshot(cp.sessions)["campaign"][2]["status"] == "active"  # nothing yet
    done = cp.resume(first["thread_id"], approved=True)
    assert calls(done) == [("pause_campaign", {"campaign_id": 2}, "ok")]
    assert snapshot(cp.sessions)["campaign"][2]["status"] == "paused"
    pacing = cp.ask("what's the pacing of campaign 2?")["tool_calls"][0]["result"]
    assert pacing["campaign_status"] == "paused" and pacing["projected_spend"] == pytest.approx(pacing["spent"])
    again = cp.ask("pause campaign 2")
    assert again["pending_approval"] is None and "already paused" in again["answer"]
    back = cp.ask("恢复投放2号活动")
    assert back["pending_approval"]["changes"][0]["to"] == "active"
    cp.ask("好的", thread_id=back["thread_id"])
    assert snapshot(cp.sessions)["campaign"][2]["status"] == "active"
    refused = cp.ask("pause campaign 1")
    cp.ask("no", thread_id=refused["thread_id"])
    assert snapshot(cp.sessions)["campaign"][1]["status"] == "active"
    assert leftovers(cp) == ([], [])


def test_a_bulk_edit_lists_every_change_each_approved_on_its_own(cp: Copilot) -> None:
    before = snapshot(cp.sessions)
    first = cp.ask("raise all bids 10%")
    pending = first["pending_approval"]
    assert [c["campaign_id"] for c in pending["changes"]] == [1, 2, 3] and len(pending["tool_calls"]) == 1
    assert "these 3 changes" in first["answer"] and "£0.80 to £0.88" in first["answer"]
    rejected = cp.ask("no", thread_id=first["thread_id"])
    assert calls(rejected)[0][2] == "rejected" and snapshot(cp.sessions) == before
    second = cp.ask("cut every budget by 20%")
    cp.ask("yes", thread_id=second["thread_id"])
    after = snapshot(cp.sessions)["campaign"]
    assert {i: after[i]["daily_budget"] for i in after} == {1: 400.0, 2: 240.0, 3: 160.0}
    with cp.sessions() as s:
        approvals = s.scalars(
            select(Decision).where(Decision.run_id == second["run_id"], Decision.kind == "approval")
        ).all()
    assert [(a.status, a.result["to"]) for a in approvals] == [("ok", 400.0), ("ok", 240.0), ("ok", 160.0)]
    assert leftovers(cp) == ([], [])


BULK = [  # several campaigns at once, as marketers write them (each phrasing our own)
    ("bids on campaigns 2 and 3 down 4p", "set_campaign_bids", {"campaign_ids": [2, 3], "change_by": -0.04}),
    ("campaigns 1-3: daily budget 250 each", "set_campaign_budgets", {"campaign_ids": [1, 2, 3], "daily_budget": 250.0}),
    ("c2 and c3 budgets +£30", "set_campaign_budgets", {"campaign_ids": [2, 3], "change_by": 30.0}),
    ("2号3号出价各降4分", "set_campaign_bids", {"campaign_ids": [2, 3], "change_by": -0.04}),
    ("1、3号预算统一调到280", "set_campaign_budgets", {"campaign_ids": [1, 3], "daily_budget": 280.0}),
    ("三个计划出价都调到6毛8", "set_campaign_bids", {"all_campaigns": True, "bid": 0.68}),
    ("全线预算下浮8个点", "set_campaign_budgets", {"all_campaigns": True, "change_pct": -8.0}),
    ("整体出价打九五折", "set_campaign_bids", {"all_campaigns": True, "change_pct": -5.0}),
    ("knock 6% off every campaign's bid", "set_campaign_bids", {"all_campaigns": True, "change_pct": -6.0}),
    ("the social and display budgets: £220 a day", "set_campaign_budgets", {"channel": "display, social"}),
    ("bids: c1 £0.95, c2 60p", "set_campaign_bids", {"bids": [{"campaign_id": 1, "bid": 0.95}, {"campaign_id": 2, "bid": 0.6}]}),
    ("预算这样分：1号450，2号260", "set_campaign_budgets",
     {"budgets": [{"campaign_id": 1, "daily_budget": 450.0}, {"campaign_id": 2, "daily_budget": 260.0}]}),
]  # fmt: skip


@pytest.mark.parametrize(("text", "tool", "args"), BULK, ids=[r[0][:40] for r in BULK])
def test_bulk_edits_read_which_campaigns_and_how_much(text: str, tool: str, args: dict) -> None:  # type: ignore[type-arg]
    p = plan(text)
    assert p.tool == tool, (text, p.tool, p.args)
    assert {k: p.args.get(k) for k in args} == args and not p.missing, p.args


ONE = [  # one campaign, named without "campaign N"
    ("switch c3 off for the weekend", "pause_campaign", {"campaign_id": 3}),
    ("campaign three back on please", "resume_campaign", {"campaign_id": 3}),
    ("第二个计划先停一下", "pause_campaign", {"campaign_id": 2}),
    ("1号活动取消暂停", "resume_campaign", {"campaign_id": 1}),
    ("please resume 2, the stock is back", "resume_campaign", {"campaign_id": 2}),
    ("cut the bid on 3 to 30p", "set_campaign_bid", {"campaign_id": 3, "bid": 0.3}),
]


@pytest.mark.parametrize(("text", "tool", "args"), ONE, ids=[r[0][:40] for r in ONE])
def test_one_campaign_named_without_its_noun(text: str, tool: str, args: dict) -> None:  # type: ignore[type-arg]
    p = plan(text)
    assert p.tool == tool, (text, p.tool, p.args)
    assert {k: p.args.get(k) for k in args} == args and not p.missing, p.args


def test_money_written_the_chinese_way() -> None:
    assert [n.value for n in extract("出价改成2块35").numbers] == [2.35]
    assert [n.value for n in extract("出价改成7毛5").numbers] == [0.75]
    assert [(c.by, c.pct) for c in extract("出价各加3分钱").changes] == [(0.03, None)]
    assert [c.pct for c in extract("预算提5个点").changes] == [5.0]
    assert extract("给我10个点子").counts == [10]  # ideas, not percentage points
    assert [n.value for n in extract("评分3分以上的商品").numbers] == [3.0]  # a score, not 3 fen
    assert sorted(extract("compare campaigns 1-3").ids("campaign")) == [1, 2, 3]
    assert extract("set the bid of campaign 2 to 3").ids("campaign") == [2]  # "to" is no range


def test_campaigns_named_by_name_and_a_name_no_campaign_has(cp: Copilot) -> None:
    res = cp.ask("day by day spend and ROAS of the spring home decor campaign, last 10 days")
    assert [(n, a.get("campaign_id"), a.get("by")) for n, a, _ in calls(res)] == [("campaign_metrics", 2, "day")]
    res = cp.ask("召回那条计划暂停一下")
    assert [(n, a) for n, a, _ in calls(res)] == [("pause_campaign", {"campaign_id": 3})]
    cp.resume(res["thread_id"], approved=False)
    res = cp.ask("raise the bid on the garden party campaign to 70p")
    assert calls(res) == [] and 'No campaign is named "garden party"' in res["answer"]
    assert "1 Christmas gifts - search" in res["answer"]  # the campaigns there are, to choose from


def test_bulk_edit_over_two_channels_lists_each_change(cp: Copilot) -> None:
    res = cp.ask("社交和展示两个计划的日预算各加20")
    changes = res["pending_approval"]["changes"]
    assert sorted((c["campaign_id"], c["to"]) for c in changes) == [(2, 320.0), (3, 220.0)]
    cp.resume(res["thread_id"], approved=False, every=True)
