"""The graph driven by a scripted fake chat model (tool calls scripted, bind_tools overridden)."""

from __future__ import annotations

from typing import Any

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, BaseMessage, ToolMessage
from langchain_core.outputs import ChatGeneration, ChatResult
from langgraph.checkpoint.memory import InMemorySaver
from langgraph.types import Command

from copilot.approvals import Actor, settle
from graphs import MAX_TOOL_ROUNDS, build_graph
from store.db import Campaign, Decision
from store.decisions import start_run


class ScriptedChatModel(BaseChatModel):
    script: list[AIMessage]
    seen: list[list[BaseMessage]] = []

    @property
    def _llm_type(self) -> str:
        return "scripted"

    def bind_tools(self, tools: Any, **kwargs: Any) -> ScriptedChatModel:  # type: ignore[override]
        return self

    def _generate(
        self, messages: list[BaseMessage], stop: Any = None, run_manager: Any = None, **kw: Any
    ) -> ChatResult:
        self.seen.append(list(messages))
        msg = self.script.pop(0) if self.script else AIMessage(content="done")
        return ChatResult(generations=[ChatGeneration(message=msg)])


def tc(name: str, args: dict[str, Any], i: str = "c1") -> dict[str, Any]:
    return {"name": name, "args": args, "id": i, "type": "tool_call"}


def run(shop, script, text="hi", thread="t1"):
    model = ScriptedChatModel(script=list(script), seen=[])
    graph = build_graph(model, shop, model_name="scripted", checkpointer=InMemorySaver())
    rid = start_run(shop.sessions, thread_id=thread, channel="eval", user="test", request=text, model="scripted")
    cfg = {"configurable": {"thread_id": thread, "run_id": rid}}
    out = graph.invoke({"messages": [("user", text)], "route": [], "agent": None, "tool_rounds": 0}, cfg)
    return graph, cfg, out, rid, model


def answer(shop, graph, cfg, out, yes):
    """Settle every change the graph paused on through the approval core, then resume it."""
    for change_id in out["__interrupt__"][0].value["pending_ids"]:
        settle(shop, change_id, approve=yes, actor=Actor("tester", "cli"))
    return graph.invoke(Command(resume={}), cfg)


def decisions(shop, rid):
    with shop.sessions() as s:
        return s.query(Decision).filter_by(run_id=rid).order_by(Decision.id).all()


def test_route_tool_answer_and_log(tiny_shop):
    script = [
        AIMessage("", tool_calls=[tc("transfer_to_profiling", {})]),
        AIMessage(
            "",
            tool_calls=[
                tc("rfm_segments", {}),
                tc("no_such_tool", {}, "c2"),
                tc("customer_profile", {"customer_id": -3}, "c3"),
            ],
        ),
        AIMessage("three customers"),
    ]
    _, _, out, rid, _ = run(tiny_shop, script)
    assert out["route"] == ["profiling"]
    tool_msgs = [m for m in out["messages"] if isinstance(m, ToolMessage)]
    assert {m.tool_call_id for m in tool_msgs} == {"c1", "c2", "c3"}  # every call answered
    status = {m.tool_call_id: m.status for m in tool_msgs}
    assert status == {"c1": "success", "c2": "error", "c3": "error"}
    kinds = [(d.kind, d.status) for d in decisions(tiny_shop, rid)]
    assert kinds == [
        ("route", "ok"),
        ("plan", "ok"),
        ("tool", "ok"),
        ("tool", "error"),
        ("tool", "error"),
        ("answer", "ok"),
    ]


def test_out_of_scope_answered_by_supervisor(tiny_shop):
    _, _, out, _, _ = run(tiny_shop, [AIMessage("I can only help with marketing.")])
    assert out["route"] == [] and out["messages"][-1].content == "I can only help with marketing."


def test_tool_rounds_are_bounded(tiny_shop):
    loop = [AIMessage("", tool_calls=[tc("rfm_segments", {}, f"c{i}")]) for i in range(20)]
    _, _, out, _, _model = run(tiny_shop, [AIMessage("", tool_calls=[tc("transfer_to_profiling", {})]), *loop])
    rounds = sum(1 for m in out["messages"] if isinstance(m, ToolMessage))
    assert rounds == MAX_TOOL_ROUNDS


def test_write_pauses_then_approve_applies(tiny_shop):
    script = [
        AIMessage("", tool_calls=[tc("transfer_to_bidding", {})]),
        AIMessage("", tool_calls=[tc("set_campaign_bid", {"campaign_id": 1, "bid": 1.5})]),
        AIMessage("bid set"),
    ]
    graph, cfg, out, rid, _ = run(tiny_shop, script)
    pending = out["__interrupt__"][0].value
    assert pending["changes"][0] == {
        "campaign_id": 1,
        "name": "Christmas gifts - search",
        "target": "campaign 1 (Christmas gifts - search)",
        "field": "bid",
        "from": 0.8,
        "to": 1.5,
        "change_pct": 87.5,
        "warnings": [{"kind": "large_change", "pct": 87.5}],
    }
    with tiny_shop.sessions() as s:
        assert s.get(Campaign, 1).bid == 0.8  # nothing changed yet
    assert [(d.kind, d.status) for d in decisions(tiny_shop, rid)][-1] == ("tool", "pending")
    answer(tiny_shop, graph, cfg, out, True)
    with tiny_shop.sessions() as s:
        assert s.get(Campaign, 1).bid == 1.5
    logged = [(d.kind, d.status) for d in decisions(tiny_shop, rid)]
    # the proposed call was logged while it waited, and settled in the same row once approved
    assert logged[-4:] == [("plan", "ok"), ("tool", "ok"), ("approval", "ok"), ("answer", "ok")]


def test_a_stock_code_resolves_where_a_model_gives_a_product_id(tiny_shop):
    script = [
        AIMessage("", tool_calls=[tc("transfer_to_creative", {})]),
        AIMessage(
            "",
            tool_calls=[
                tc("selling_points", {"product_id": "85123A"}),
                tc("selling_points", {"product_id": "85123Z"}, "c2"),
            ],
        ),
        AIMessage("done"),
    ]
    _, _, _, rid, _ = run(tiny_shop, script)
    tools = [d for d in decisions(tiny_shop, rid) if d.kind == "tool"]
    assert tools[0].status == "ok" and tools[0].arguments == {"product_id": 3}  # logged as the id it resolved to
    assert tools[0].result["description"] == "WHITE HANGING HEART T-LIGHT HOLDER"
    assert tools[1].status == "error" and "no product with stock code 85123Z" in tools[1].error


def test_write_rejected_changes_nothing(tiny_shop):
    script = [
        AIMessage("", tool_calls=[tc("transfer_to_bidding", {})]),
        AIMessage("", tool_calls=[tc("set_campaign_budget", {"campaign_id": 2, "daily_budget": 900})]),
        AIMessage("ok, left as it was"),
    ]
    graph, cfg, out, rid, _ = run(tiny_shop, script)
    answer(tiny_shop, graph, cfg, out, False)
    with tiny_shop.sessions() as s:
        assert s.get(Campaign, 2).daily_budget == 300.0
    assert ("approval", "rejected") in [(d.kind, d.status) for d in decisions(tiny_shop, rid)]


def test_specialist_history_is_bounded(tiny_shop):
    model = ScriptedChatModel(script=[], seen=[])
    graph = build_graph(model, tiny_shop, model_name="scripted", checkpointer=InMemorySaver())
    cfg = {"configurable": {"thread_id": "long"}}
    for i in range(12):
        model.script = [
            AIMessage("", tool_calls=[tc("transfer_to_profiling", {}, f"h{i}")]),
            AIMessage("", tool_calls=[tc("rfm_segments", {}, f"r{i}")]),
            AIMessage(f"answer {i}"),
        ]
        graph.invoke({"messages": [("user", f"q{i}")], "route": [], "agent": None, "tool_rounds": 0}, cfg)
    last_specialist_input = model.seen[-1]
    assert len(last_specialist_input) <= 1 + 6 + 3  # system + history + this turn


def test_graph_topology_snapshot(tiny_shop):
    """A change of topology shows in review: docs/graph.mmd is the compiled graph's picture."""
    from tests.conftest import ROOT

    graph = build_graph(ScriptedChatModel(script=[], seen=[]), tiny_shop, model_name="scripted")
    assert graph.get_graph().draw_mermaid() == (ROOT / "docs" / "graph.mmd").read_text()


def _bids(shop):
    with shop.sessions() as s:
        return {c.id: c.bid for c in s.query(Campaign).order_by(Campaign.id)}


def test_bulk_edit_waits_for_each_change_then_applies_every_change(tiny_shop):
    script = [
        AIMessage("", tool_calls=[tc("transfer_to_bidding", {})]),
        AIMessage("", tool_calls=[tc("set_campaign_bids", {"all_campaigns": True, "change_pct": 10})]),
        AIMessage("bids raised"),
    ]
    graph, cfg, out, rid, _ = run(tiny_shop, script)
    pending = out["__interrupt__"][0].value
    assert [(c["campaign_id"], c["from"], c["to"]) for c in pending["changes"]] == [
        (1, 0.8, 0.88),
        (2, 0.55, 0.61),
        (3, 0.4, 0.44),
    ]  # one pending call, every campaign's change listed, each a pending row of its own
    assert len(pending["tool_calls"]) == 1 and len(pending["pending_ids"]) == 3
    assert _bids(tiny_shop) == {1: 0.8, 2: 0.55, 3: 0.4}
    answer(tiny_shop, graph, cfg, out, True)
    assert _bids(tiny_shop) == {1: 0.88, 2: 0.61, 3: 0.44}
    rows = decisions(tiny_shop, rid)
    approvals = [d for d in rows if d.kind == "approval"]
    assert [(a.status, a.result["campaign_id"], a.result["to"]) for a in approvals] == [
        ("ok", 1, 0.88),
        ("ok", 2, 0.61),
        ("ok", 3, 0.44),
    ]
    tool = next(d for d in rows if d.kind == "tool")
    assert tool.status == "ok" and tool.arguments == {
        "bids": [{"campaign_id": 1, "bid": 0.88}, {"campaign_id": 2, "bid": 0.61}, {"campaign_id": 3, "bid": 0.44}]
    }  # logged as the absolute values approved
    assert [c["to"] for c in tool.result["changes"]] == [0.88, 0.61, 0.44]


def test_bulk_edit_rejected_changes_nothing(tiny_shop):
    script = [
        AIMessage("", tool_calls=[tc("transfer_to_bidding", {})]),
        AIMessage("", tool_calls=[tc("set_campaign_budgets", {"channel": "social", "daily_budget": 50})]),
        AIMessage("left as they were"),
    ]
    graph, cfg, out, rid, _ = run(tiny_shop, script)
    answer(tiny_shop, graph, cfg, out, False)
    with tiny_shop.sessions() as s:
        assert {c.id: c.daily_budget for c in s.query(Campaign)} == {1: 500.0, 2: 300.0, 3: 200.0}
    approvals = [(d.kind, d.status) for d in decisions(tiny_shop, rid) if d.kind == "approval"]
    assert approvals == [("approval", "rejected")]


def test_a_write_that_fails_part_way_leaves_its_target_as_it_was(tiny_shop, monkeypatch):
    """Campaign 3's write sets the bid, then fails: it is rolled back; campaigns 1 and 2, each approved
    on its own, stand."""
    from tools import TOOLS, ToolFailure

    spec = TOOLS["set_campaign_bids"]
    real = spec.fn

    def failing(shop, session, a):
        result = real(shop, session, a)
        if a.bids[0].campaign_id == 3:
            raise ToolFailure("campaign 3 could not be updated")
        return result

    script = [
        AIMessage("", tool_calls=[tc("transfer_to_bidding", {})]),
        AIMessage("", tool_calls=[tc("set_campaign_bids", {"campaign_ids": [1, 2, 3], "bid": 1.0})]),
        AIMessage("failed"),
    ]
    graph, cfg, out, rid, _ = run(tiny_shop, script)
    monkeypatch.setitem(spec.__dict__, "fn", failing)
    answer(tiny_shop, graph, cfg, out, True)
    assert _bids(tiny_shop) == {1: 1.0, 2: 1.0, 3: 0.4}
    rows = decisions(tiny_shop, rid)
    assert [(d.kind, d.status) for d in rows if d.kind in ("tool", "approval")] == [
        ("tool", "ok"),
        ("approval", "ok"),
        ("approval", "ok"),
        ("approval", "error"),
    ]
    assert rows[-2].error == "campaign 3 could not be updated"
    tool = next(d for d in rows if d.kind == "tool")
    assert [c["campaign_id"] for c in tool.result["changes"]] == [1, 2]
    assert [c["campaign_id"] for c in tool.result["not_applied"]] == [3]
