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
