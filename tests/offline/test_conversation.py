"""Conversations with the offline model on the real demo shop: typed replies to a pending change,
multi-part requests, references to earlier results, previews that quote the words a value came from,
and every way a request can end leaves no pending row and no open run behind."""

from __future__ import annotations

import random

import pytest
from sqlalchemy import select

from copilot.app import Copilot
from evals.runner import snapshot
from store.db import Decision, Run
from tests.offline.conftest import calls
from tools import TOOLS


def leftovers(cp: Copilot) -> tuple[list[int], list[int]]:
    """Runs still open and tool rows still pending, on threads that have nothing waiting."""
    with cp.sessions() as s:
        open_runs = [(r.id, r.thread_id) for r in s.scalars(select(Run).where(Run.ended_at.is_(None)))]
        pending = [(d.id, d.run_id) for d in s.scalars(select(Decision).where(Decision.status == "pending"))]
    waiting = {t for _, t in open_runs if cp._pending(cp._config(t, None))}
    runs = [i for i, t in open_runs if t not in waiting]
    with cp.sessions() as s:
        waiting_runs = {r.id for r in s.scalars(select(Run).where(Run.thread_id.in_(waiting)))}
    return runs, [i for i, r in pending if r not in waiting_runs]


def test_typed_replies_settle_a_pending_change(cp: Copilot) -> None:
    for request, reply, approved in (
        ("set the bid of campaign 1 to 0,45", "yes", True),
        ("把活动2的出价设为0.6", "好的", True),
        ("set the daily budget of campaign 3 to £250", "no", False),
        ("把活动3的出价改成0.5", "算了", False),
    ):
        first = cp.ask(request)
        assert first["pending_approval"] is not None, first["answer"]
        before = snapshot(cp.sessions)
        done = cp.ask(reply, thread_id=first["thread_id"])
        assert done["pending_approval"] is None and done["run_id"] == first["run_id"]
        assert (snapshot(cp.sessions) != before) is approved, (request, reply)
        status = [c["status"] for c in done["tool_calls"]]
        assert status == (["ok"] if approved else ["rejected"])
    assert snapshot(cp.sessions)["campaign"][1]["bid"] == 0.45
    assert snapshot(cp.sessions)["campaign"][2]["bid"] == 0.6
    assert leftovers(cp) == ([], [])


def test_another_request_drops_the_pending_change_and_never_moves_its_value(cp: Copilot) -> None:
    first = cp.ask("set the price of product 12 to £0.19")
    before = snapshot(cp.sessions)
    second = cp.ask("and for product 9?", thread_id=first["thread_id"])
    assert "dropped" in second["answer"] and "product 9" in second["answer"]
    assert second["pending_approval"] is None and not [c for c in second["tool_calls"] if c["status"] == "pending"]
    assert snapshot(cp.sessions) == before  # neither product 12 nor product 9 changed
    with cp.sessions() as s:
        dropped = s.scalar(select(Decision).where(Decision.run_id == first["run_id"], Decision.kind == "tool"))
        assert dropped is not None and dropped.status == "rejected"
    third = cp.ask("£0.19", thread_id=first["thread_id"])  # the marketer states it for product 9: a new change
    change = third["pending_approval"]["changes"][0]
    assert change["product_id"] == 9 and change["to"] == 0.19
    assert "WARNING" in third["answer"] and "-84.8%" in third["answer"]
    cp.ask("cancel", thread_id=first["thread_id"])
    assert snapshot(cp.sessions) == before and leftovers(cp) == ([], [])


def test_previews_quote_the_words_and_warn(cp: Copilot) -> None:
    res = cp.ask("reprice product 424 to 60p")
    assert '("60p" -> £0.60)' in res["answer"]
    res = cp.ask("set the bid of campaign 1 to 5")
    assert res["answer"].count("WARNING") == 2  # +525% and above what a click is worth (£2.40)
    res = cp.ask("raise the bid of campaign 2 by 10%")
    assert calls(res) == [("set_campaign_bid", {"campaign_id": 2, "bid": 0.61}, "pending")]  # 0.55 up 10%, in pennies
    assert '("by 10%" -> £0.61)' in res["answer"]
    zh = cp.ask("把商品424的价格改成60便士")
    assert "“60便士” -> £0.60" in zh["answer"] and "等待您的批准" in zh["answer"]


def test_values_are_checked_after_rounding_and_writes_need_words_that_ask_for_them(cp: Copilot) -> None:
    before = snapshot(cp.sessions)
    for text in (
        "set the price of product 20 to 0.004",
        "set bid for campaign 2 to 1e9",
        "价格设成 -2.95 英镑，商品424",
        "don't change the bid of campaign 1 to 5",
        "what would happen if we set the price of product 20 to £6?",
        "should we raise the bid of campaign 1 to 1.2?",
    ):
        res = cp.ask(text)
        assert res["pending_approval"] is None, text
        assert not any(TOOLS[c["name"]].write and c["status"] in ("pending", "ok") for c in res["tool_calls"]), text
        assert res["answer"].strip(), text
    assert snapshot(cp.sessions) == before
    what_if = cp.ask("what would happen if we set the price of product 20 to £6?")
    assert calls(what_if)[0][:2] == ("discount_effect", {"product_id": 20, "new_price": 6.0})


def test_multi_part_requests_answer_every_part(cp: Copilot) -> None:
    res = cp.ask("Write 3 headlines for product 21. Also, what's its price elasticity?")
    assert res["route"] == ["creative", "pricing"]
    assert [c[0] for c in calls(res)] == ["compose_headlines", "price_elasticity"]
    assert calls(res)[1][1] == {"product_id": 21}
    assert "Headlines for product 21" in res["answer"] and "Price elasticity of product 21" in res["answer"]
    zh = cp.ask("先看看活动1的消耗，再把它的出价降到0.6")
    assert zh["route"] == ["bidding", "bidding"] and zh["pending_approval"] is not None
    assert [c[0] for c in calls(zh)] == ["campaign_pacing", "set_campaign_bid"]
    cp.ask("不要", thread_id=zh["thread_id"])
    part = cp.ask("which customers are about to lapse? also book me a meeting room for 3pm")
    assert part["route"] == ["profiling"] and "meeting room" in part["answer"]


def test_references_resolve_from_earlier_results(cp: Copilot) -> None:
    first = cp.ask("which customers are about to lapse?")
    listed = [c["customer_id"] for c in first["tool_calls"][0]["result"]["customers"]]
    t = first["thread_id"]
    assert calls(cp.ask("tell me about the first one", thread_id=t))[0][1] == {"customer_id": listed[0]}
    assert calls(cp.ask("那第二个呢", thread_id=t))[0][1] == {"customer_id": listed[1]}
    assert calls(cp.ask("what should we recommend to them?", thread_id=t))[0][:2] == (
        "recommend_products",
        {"customer_id": listed[1]},
    )
    pace = cp.ask("what's the pacing of campaign 1?")
    suggested = pace["tool_calls"][0]["result"]["suggested_bid"]
    res = cp.ask("set it to the suggested bid", thread_id=pace["thread_id"])
    assert calls(res) == [("set_campaign_bid", {"campaign_id": 1, "bid": suggested}, "pending")]
    cp.ask("no", thread_id=pace["thread_id"])
    ask = cp.ask("what price maximises profit for product 20?")
    assert ask["tool_calls"] == [] and "unit cost" in ask["answer"]
    assert calls(cp.ask("2.10", thread_id=ask["thread_id"]))[0][1] == {"product_id": 20, "unit_cost": 2.1}


def test_answers_and_errors_in_the_request_language(cp: Copilot) -> None:
    res = cp.ask("商品999999的价格弹性")
    assert "没有商品 999999" in res["answer"] and "product" not in res["answer"]
    res = cp.ask("把活动1的出价设为-3")
    assert "出价必须大于 0" in res["answer"]
    res = cp.ask("活动1今天的消耗进度怎么样？")
    assert "超支" in res["answer"] and "overspending" not in res["answer"]


def test_every_exit_closes_its_run(cp: Copilot, monkeypatch: pytest.MonkeyPatch) -> None:
    """yes, no, another request, a tool error, bad arguments, out of scope, empty, too long, a crash."""
    t = cp.ask("set the bid of campaign 1 to 0.9")["thread_id"]
    cp.ask("go ahead", thread_id=t)
    t = cp.ask("set the bid of campaign 1 to 0.95")["thread_id"]
    cp.ask("cancel", thread_id=t)
    t = cp.ask("set the bid of campaign 2 to 0.7")["thread_id"]
    cp.ask("which customers are about to lapse?", thread_id=t)
    cp.ask("set the bid of campaign 99 to 1")
    cp.ask("set the bid of campaign 1 to -5")
    cp.ask("tell me a joke")
    cp.ask("   ")
    with pytest.raises(Exception, match="keep it under"):
        cp.ask("x" * 5000)

    def boom(*_: object) -> dict[str, object]:
        raise RuntimeError("disk on fire")

    monkeypatch.setitem(TOOLS["rfm_segments"].__dict__, "fn", boom)
    with pytest.raises(RuntimeError):
        cp.ask("break down our customers into RFM segments")
    assert leftovers(cp) == ([], [])


PIECES = [
    "campaign",
    "2",
    "活动3",
    "product",
    "12",
    "商品20",
    "customer",
    "12347",
    "客户",
    "号",
    "12",
    "0",
    "-3",
    "£",
    "$",
    "¥",
    "5万",
    "两万",
    "九折",
    "85%",
    "pCTR",
    "0.002",
    "bid",
    "budget",
    "预算",
    "出价",
    "'",
    '"',
    "“",
    "”",
    "：",
    ":",
    "换成",
    "英文",
    "in",
    "Chinese",
    "and",
    "also",
    "另外",
    "先",
    "再",
    "the",
    "first",
    "one",
    "第一位",
    "suggested",
    "of",
    "/",
    "mcpc",
    "set",
    "to",
    "?",
    "？",
    "price",
    "价格",
    "改为",
    "k",
    "1e9",
    "0,45",
    "60p",
    "headline",
    "标题",
    "similar",
    "类似",
    "plan",
    "双十一",
    "don't",
    "不要",
    "what",
    "if",
    "yes",
    "no",
    "好的",
    "算了",
    "approve",
    "cancel",
    "raise",
    "by",
    "10%",
    "double",
    "降两成",
    "85123A",
    "1.2.3",
    "--",
    ";",
    ".",
    "。",
]


def test_fuzzed_conversations_never_crash_never_write_and_close_their_runs(cp: Copilot) -> None:
    rng = random.Random(8)
    before = snapshot(cp.sessions)
    for _ in range(12):
        thread = None
        for _ in range(rng.randint(1, 4)):
            text = " ".join(rng.choice(PIECES) for _ in range(rng.randint(1, 10)))
            if rng.random() < 0.5:
                text = text.replace("yes", "no").replace("好的", "算了").replace("approve", "cancel")
            res = cp.ask(text, thread_id=thread)
            thread = res["thread_id"]
            assert isinstance(res["answer"], str)
        if cp._pending(cp._config(thread, None)):
            cp.resume(thread, approved=False)
    assert snapshot(cp.sessions) == before or _approved_somewhere(cp)
    assert leftovers(cp) == ([], [])


def _approved_somewhere(cp: Copilot) -> bool:
    """A fuzzed reply may have been a plain yes to a change it proposed: that is an approval, logged."""
    with cp.sessions() as s:
        return s.scalar(select(Decision.id).where(Decision.kind == "approval", Decision.status == "ok")) is not None


def test_platform_tone_and_audience_read_from_requests(cp: Copilot) -> None:
    res = cp.ask("write 5 facebook ad headlines for product 12")
    name, args, status = calls(res)[0]
    assert (name, status) == ("compose_headlines", "ok")
    assert args["platform"] == "meta" and args["n"] == 5
    assert res["answer"].count("/40)") == 5 and "/125)" in res["answer"]  # each field against its limit
    res = cp.ask("给商品85123A写小红书标题，俏皮一点，面向流失客户")
    args = calls(res)[0][1]
    assert args["platform"] == "xiaohongshu" and args["tone"] == "playful" and args["audience"] == "lapsed"
    assert args["product_id"] == 3234 and "小红书" in res["answer"] and "/20）" in res["answer"]
    thread = res["thread_id"]
    for text, key, value in (("premium tone", "tone", "premium"), ("now for google ads", "platform", "google_rsa")):
        args = calls(cp.ask(text, thread_id=thread))[0][1]
        assert args[key] == value and args["product_id"] == 3234  # the same product, one argument changed


def test_a_figure_added_to_a_report_is_that_report_again(cp: Copilot) -> None:
    res = cp.ask("weekly sales for Sweden, last 6 weeks")
    res = cp.ask("add AOV", thread_id=res["thread_id"])
    name, args, _ = calls(res)[0]
    assert (name, args.get("country"), args.get("by")) == ("sales_report", "Sweden", "week"), args
    assert "AOV £" in res["answer"]


def test_shorter_copy_is_the_same_copy_with_every_field_shorter(cp: Copilot) -> None:
    first = cp.ask("3 meta ads for product 1289")
    res = cp.ask("too long, make them shorter", thread_id=first["thread_id"])
    name, args, _ = calls(res)[0]
    assert (name, args.get("product_id"), args.get("platform"), args.get("shorter")) == (
        "compose_headlines",
        1289,
        "meta",
        True,
    )
    before = first["tool_calls"][0]["result"]["headlines"]
    after = res["tool_calls"][0]["result"]["headlines"]
    for field in ("headline", "primary_text"):
        longest = max(len(h["parts"][field]) for h in before)
        assert after and all(len(h["parts"][field]) <= longest * 0.75 for h in after), field


def test_a_country_named_after_its_list_exports_that_list(cp: Copilot) -> None:
    res = cp.ask("best 5 sellers in Austria last month")
    res = cp.ask("same for sweden", thread_id=res["thread_id"])
    res = cp.ask("export the sweden one", thread_id=res["thread_id"])
    name, args, _ = calls(res)[0]
    assert (name, args.get("country"), args.get("limit")) == ("top_products", "Sweden", 5), args
    assert [a["kind"] for a in res["attachments"]] == ["csv"]
    res = cp.ask("top 10 accounts in Norway by spend", thread_id=res["thread_id"])
    res = cp.ask("send me the norway list as a csv", thread_id=res["thread_id"])
    assert calls(res)[0][:2] == ("customer_list", {"country": "Norway", "sort": "revenue", "limit": 10})
    assert "can't send" not in res["answer"] and [a["kind"] for a in res["attachments"]] == ["csv"]


@pytest.mark.parametrize(
    ("second", "campaign", "said"),
    [
        ("pause the worst one", 2, "By ROAS, campaign 2 is the worst of the 3 above"),
        ("cut the budget of the weakest one by 10% on CPA", 3, "By CPA, campaign 3 is the worst of the 3 above"),
    ],
)
def test_the_worst_of_each_campaigns_figures_is_named_with_its_figure(
    cp: Copilot, second: str, campaign: int, said: str
) -> None:
    res = cp.ask("roas and cpa for each campaign, last 7 days")
    res = cp.ask(second, thread_id=res["thread_id"])
    assert res["pending_approval"] and calls(res)[0][1]["campaign_id"] == campaign
    assert said in res["answer"]
