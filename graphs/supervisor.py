"""The supervisor graph: supervisor -> a specialist per part of the request <-> its tools -> END.

Guards against the known failure modes of supervisor graphs:
- every tool call gets its tool message (unknown tools and bad arguments get an error message);
- no routing loops: the supervisor routes once per request, handing each part of it (`X. Also, Y`)
  to one specialist in order (at most MAX_PARTS); a specialist cannot hand off, and when it answers
  the next part's specialist starts or the request ends; a specialist gets at most MAX_TOOL_ROUNDS
  rounds of tool calls per part, then must answer without tools;
- no unbounded history: specialists see the last MAX_HISTORY turns' questions and answers plus the
  current request's own tool calls, never earlier tool traffic.
Writes (tools with write=True) never run here: each change they propose (each campaign of a bulk edit
too) becomes a pending row, and the graph pauses on a LangGraph interrupt until none is pending. The
approval core (copilot/approvals.py) settles each row on its own, with the write it allows; on resume
this node reads how each ended and tells the model. Two calls of one reply sharing an id are refused.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import (
    AIMessage,
    AnyMessage,
    HumanMessage,
    RemoveMessage,
    SystemMessage,
    ToolMessage,
)
from langchain_core.runnables import RunnableConfig
from langchain_core.tools import StructuredTool
from langgraph.graph import END, START, StateGraph
from langgraph.types import Command, interrupt
from pydantic import BaseModel, Field, ValidationError
from sqlalchemy import select

from agents import SPECIALISTS
from engine import EngineError
from graphs.state import CopilotState
from store.clean import finite
from store.db import Decision, PendingChange, Run
from store.decisions import log_decision, log_decision_now, log_pending
from store.pending import DEFAULT_TTL, call_outcome, propose, rows_of_batch
from tools import Shop, ToolFailure, ToolSpec

HANDOFF_PREFIX = "transfer_to_"
PART = "part"  # the name of the message that gives a specialist its part of the request
MAX_PARTS = 4
MAX_TOOL_ROUNDS = 4
MAX_HISTORY = 6  # earlier human/assistant messages a model sees

SUPERVISOR_PROMPT = (
    "You are the supervisor of a marketing copilot for an online shop. Hand the request to the specialist "
    'that handles it by calling its transfer tool. If the request has several parts ("X. Also, Y"), call one '
    "transfer tool per part, in order, each with `task` set to that part in the marketer's words:\n"
    + "\n".join(f"- {s.name}: {s.description}" for s in SPECIALISTS.values())
    + "\nIf the request is none of these (weather, jokes, general knowledge, coding...), do not call a tool: "
    "answer politely in the request's language, saying what the copilot can do. If one part is out of scope, "
    "hand off the others and say in your reply which part you could not do."
)


PART_RULE = (
    " The marketer's message has several parts; another specialist handles the others. Handle only the "
    "part in the last message, and answer only that part."
)


class _Handoff(BaseModel):
    task: str | None = Field(
        None, description="the part of the request this specialist handles, when there are several"
    )


def _handoff_tools() -> list[StructuredTool]:
    return [
        StructuredTool.from_function(
            func=lambda: "",
            name=HANDOFF_PREFIX + s.name,
            args_schema=_Handoff,
            description=f"Hand the request to the {s.name} specialist: {s.description}.",
        )
        for s in SPECIALISTS.values()
    ]


def _usage(msg: AIMessage) -> tuple[int | None, int | None]:
    u = msg.usage_metadata
    return (u["input_tokens"], u["output_tokens"]) if u else (None, None)


def _history(messages: list[AnyMessage]) -> list[AnyMessage]:
    """Earlier turns as plain questions and final answers (no tool traffic), the last few only."""
    keep: list[AnyMessage] = [
        m for m in messages if isinstance(m, HumanMessage) or (isinstance(m, AIMessage) and not m.tool_calls)
    ]
    return keep[-MAX_HISTORY:]


def forget_before_turn(messages: list[AnyMessage]) -> list[RemoveMessage]:
    """What a thread's next request will never read, to drop from its state as the request starts:
    earlier turns' tool traffic, and their questions and answers before the last MAX_HISTORY (the
    models see no more, see `_history`). So a thread's checkpoint stays the same size turn after turn."""
    keep = {id(m) for m in _history(messages)}
    return [RemoveMessage(id=m.id) for m in messages if id(m) not in keep and m.id is not None]


def _current_turn(messages: list[AnyMessage]) -> list[AnyMessage]:
    last = max((i for i, m in enumerate(messages) if isinstance(m, HumanMessage)), default=0)
    return messages[last + 1 :]


def _current_part(turn: list[AnyMessage]) -> list[AnyMessage]:
    """The current part's own tool traffic: what follows the previous part's answer."""
    done = [i for i, m in enumerate(turn) if isinstance(m, AIMessage) and not m.tool_calls]
    return turn[done[-1] + 1 :] if done else turn


def _batch_key(config: RunnableConfig, ai: AIMessage, rounds: int, ids: list[str]) -> str:
    """The same key each time the tools node runs on this reply (it runs again on resume), and a
    different one for any other reply, round, thread or run: a model server's ids need not be unique."""
    conf = config.get("configurable") or {}
    key = "\0".join(str(x) for x in (conf.get("thread_id"), conf.get("run_id"), rounds, ai.id, *ids))
    return hashlib.sha256(key.encode()).hexdigest()[:32]


def _task(call: Any) -> str | None:
    """A handoff's part of the request (None when it has none, or its arguments were not JSON)."""
    args = call.get("args")
    task = args.get("task") if isinstance(args, dict) else None
    return str(task) if task else None


def _one_line(exc: ValidationError) -> str:
    return "; ".join(f"{'.'.join(str(p) for p in e['loc']) or 'arguments'}: {e['msg']}" for e in exc.errors())


def build_graph(
    model: BaseChatModel,
    shop: Shop,
    *,
    model_name: str,
    checkpointer: Any = None,
    approval_ttl: timedelta = DEFAULT_TTL,
) -> Any:
    """Compile the copilot graph. `config["configurable"]["run_id"]` names the decision-log run;
    `approval_ttl`: how long a proposed change waits before it expires."""
    sessions = shop.sessions
    router = model.bind_tools(_handoff_tools())

    def run_id(config: RunnableConfig) -> int | None:
        return (config.get("configurable") or {}).get("run_id")

    def supervisor(state: CopilotState, config: RunnableConfig) -> Command:
        t0 = time.perf_counter()
        resp = router.invoke([SystemMessage(SUPERVISOR_PROMPT), *_history(state["messages"])], config)
        ms = 1000 * (time.perf_counter() - t0)
        tin, tout = _usage(resp)
        # a handoff whose arguments are not JSON still names its specialist
        calls: list[Any] = [*resp.tool_calls, *resp.invalid_tool_calls]
        handoffs: list[dict[str, str | None]] = [
            {"agent": str(c["name"] or "").removeprefix(HANDOFF_PREFIX), "task": _task(c)} for c in calls
        ]
        handoffs = [h for h in handoffs if h["agent"] in SPECIALISTS][:MAX_PARTS]
        text = resp.content if isinstance(resp.content, str) else ""
        nobody: list[dict[str, str | None]] = [{"agent": None, "task": None}]
        for i, h in enumerate(handoffs or nobody):
            log_decision_now(
                sessions,
                run_id(config),
                "route",
                agent_name=h["agent"],
                arguments={
                    "candidates": [str(c["name"] or "").removeprefix(HANDOFF_PREFIX) for c in calls],
                    "task": h["task"],
                },
                model=model_name,
                latency_ms=ms if i == 0 else None,
                input_tokens=tin if i == 0 else None,
                output_tokens=tout if i == 0 else None,
            )
        if handoffs:
            first, *rest = handoffs
            return Command(
                goto=first["agent"],
                update={
                    "route": [h["agent"] for h in handoffs],
                    "agent": first["agent"],
                    "task": first["task"] if len(handoffs) > 1 or first["task"] else None,
                    "queue": rest,
                    "note": text.strip() or None,
                    "tool_rounds": 0,
                },
            )
        text = text.strip() or "I can help with customers, creative, pricing, bidding and campaigns; what do you need?"
        answer = AIMessage(content=text, name="supervisor")
        log_decision_now(
            sessions,
            run_id(config),
            "answer",
            agent_name="supervisor",
            result={"answer": text},
            model=model_name,
        )
        return Command(goto=END, update={"messages": [answer], "route": [], "agent": None, "queue": [], "note": None})

    def make_specialist(name: str) -> Callable[[CopilotState, RunnableConfig], Command]:
        spec = SPECIALISTS[name]
        bound = model.bind_tools([t.as_langchain() for t in spec.tools])

        def specialist(state: CopilotState, config: RunnableConfig) -> Command:
            msgs = state["messages"]
            turn = _current_turn(msgs)
            request = msgs[len(msgs) - len(turn) - 1 : len(msgs) - len(turn)]
            task = state.get("task")
            part = [HumanMessage(task, name=PART)] if task else []
            context = [
                SystemMessage(spec.system_prompt + (PART_RULE if task else "")),
                *_history(msgs[: len(msgs) - len(turn) - 1]),
                *request,
                *part,
                *_current_part(turn),
            ]
            at_limit = state.get("tool_rounds", 0) >= MAX_TOOL_ROUNDS
            t0 = time.perf_counter()
            resp = (model if at_limit else bound).invoke(context, config)
            ms = 1000 * (time.perf_counter() - t0)
            if at_limit and (resp.tool_calls or resp.invalid_tool_calls):  # a model that keeps calling tools is stopped
                text = resp.content if isinstance(resp.content, str) else ""
                resp = AIMessage(
                    content=(text + f"\n(Stopped after {MAX_TOOL_ROUNDS} rounds of tool calls.)").strip(),
                    usage_metadata=resp.usage_metadata,
                )
            resp.name = name
            tin, tout = _usage(resp)
            if resp.tool_calls or resp.invalid_tool_calls:  # calls whose arguments are not JSON get an error back
                log_decision_now(  # the model call that chose the tools (its cost; the calls follow)
                    sessions,
                    run_id(config),
                    "plan",
                    agent_name=name,
                    arguments={"tool_calls": [c["name"] for c in (*resp.tool_calls, *resp.invalid_tool_calls)]},
                    model=model_name,
                    latency_ms=ms,
                    input_tokens=tin,
                    output_tokens=tout,
                )
                return Command(goto="tools", update={"messages": [resp]})
            log_decision_now(
                sessions,
                run_id(config),
                "answer",
                agent_name=name,
                result={"answer": resp.content},
                model=model_name,
                latency_ms=ms,
                input_tokens=tin,
                output_tokens=tout,
            )
            queue = list(state.get("queue") or [])
            if queue:  # the next part of the request, to its specialist
                nxt, *rest = queue
                return Command(
                    goto=nxt["agent"],
                    update={
                        "messages": [resp],
                        "agent": nxt["agent"],
                        "task": nxt["task"],
                        "queue": rest,
                        "tool_rounds": 0,
                    },
                )
            note = state.get("note")
            extra = [AIMessage(content=note, name="supervisor")] if note else []
            return Command(goto=END, update={"messages": [resp, *extra], "note": None, "task": None})

        return specialist

    def tools_node(state: CopilotState, config: RunnableConfig) -> Command:
        agent = state["agent"] or ""
        specs: dict[str, ToolSpec] = {t.name: t for t in SPECIALISTS[agent].tools}
        ai = state["messages"][-1]
        assert isinstance(ai, AIMessage)
        rid = run_id(config)
        # The changes this reply proposed, if this node paused on them before (it runs again on resume):
        # what was shown is read back, never recomputed (the approval core may have written it since).
        ids = [str(c["id"]) for c in ai.tool_calls]
        batch = _batch_key(config, ai, state.get("tool_rounds", 0), ids)
        proposed_calls = {r.tool_call_id: r.decision_id for r in rows_of_batch(sessions, batch)}
        rows: list[PendingChange] = []
        tool_rows: dict[str | None, Decision] = {}
        parsed: list[tuple[dict[str, Any], ToolSpec | None, BaseModel | None, str | None]] = []
        previews: dict[str, dict[str, Any]] = {}
        for tool_call in ai.tool_calls:
            call: dict[str, Any] = dict(tool_call)
            spec = specs.get(call["name"])
            if ids.count(str(call["id"])) > 1:  # one id, two calls: what was shown could not be told apart
                parsed.append(
                    (
                        call,
                        spec,
                        None,
                        f"refused: the reply gave {ids.count(str(call['id']))} tool calls the id {call['id']}; "
                        "each call needs its own id, so none of them ran",
                    )
                )
                continue
            if spec is None:
                parsed.append(
                    (
                        dict(call),
                        None,
                        None,
                        f"unknown tool {call['name']}; the {agent} tools are {', '.join(specs)}",
                    )
                )
                continue
            clean, non_finite = finite(call["args"])
            if non_finite:  # 1e309, NaN: no tool takes them (and JSON has none), so the call is refused
                what = "; ".join(f"{n.replace(': ', ' is ')}" for n in non_finite)
                parsed.append(({**call, "args": clean}, spec, None, f"invalid arguments: {what}; give a finite number"))
                continue
            try:
                args: BaseModel | None = spec.args.model_validate(call["args"], context={"shop": shop})  # stock codes
            except ValidationError as exc:
                parsed.append((call, spec, None, f"invalid arguments: {_one_line(exc)}"))
                continue
            if isinstance(call["args"].get("product_id"), str):  # a stock code: logged as the id it names
                call = {**call, "args": {**call["args"], "product_id": getattr(args, "product_id", None)}}
            if spec.write and call["id"] in proposed_calls:
                parsed.append((call, spec, args, None))
                continue
            if spec.resolve is not None:  # "up 10%": the absolute value is what gets logged and approved
                try:
                    with sessions() as s:
                        if spec.preview is not None and spec.write:
                            previews[call["id"]] = spec.preview(shop, s, args)  # quotes the change as asked
                        args = spec.resolve(shop, s, args)
                    assert args is not None
                except (ToolFailure, EngineError) as exc:
                    previews.pop(call["id"], None)
                    parsed.append((call, spec, args, str(exc)))
                    continue
                call = {**call, "args": args.model_dump(exclude_none=True)}
            parsed.append((call, spec, args, None))

        # Writes: show what would change and wait for a person before anything runs.
        for i, (call, spec, args, err) in enumerate(parsed):
            if call["id"] in previews or call["id"] in proposed_calls:
                continue
            if spec is not None and spec.write and args is not None and err is None and spec.preview:
                try:
                    with sessions() as s:
                        previews[call["id"]] = spec.preview(shop, s, args)
                except (ToolFailure, EngineError) as exc:
                    parsed[i] = (call, spec, args, str(exc))
        writes = [c for c, spec, a, err in parsed if spec is not None and spec.write and a is not None and err is None]
        if any(c["id"] in previews for c in writes):
            # Each change is a pending row (a bulk edit has one per campaign), logged with its tool row in
            # one transaction; the approval core settles each on its own, with the write it allows.
            with sessions.begin() as s:
                who = s.get(Run, rid) if rid is not None else None
                for call in writes:
                    if call["id"] not in previews:
                        continue
                    decision_id = log_pending(
                        s,
                        rid,
                        agent_name=agent,
                        tool_name=call["name"],
                        tool_call_id=call["id"],
                        arguments=call["args"],
                        result={"change": previews[call["id"]]},
                        model=model_name,
                    )
                    propose(
                        s,
                        batch=batch,
                        thread_id=str((config.get("configurable") or {}).get("thread_id") or ""),
                        run_id=rid,
                        tool=call["name"],
                        tool_call_id=call["id"],
                        decision_id=decision_id,
                        arguments=call["args"],
                        preview=previews[call["id"]],
                        proposed_by=who.user if who is not None else "unknown",
                        proposed_channel=who.channel if who is not None else "unknown",
                        ttl=approval_ttl,
                    )
        if writes:
            while True:  # resumed only once none of the batch's changes is pending (else: wait again)
                rows = rows_of_batch(sessions, batch)
                waiting = [r for r in rows if r.state == "pending"]
                if not waiting:
                    break
                interrupt(
                    {
                        "agent": agent,
                        "batch": batch,
                        "pending_ids": [r.id for r in waiting],
                        "changes": [r.preview for r in waiting],
                        "tool_calls": writes,
                        # the calls beside the changes that failed ("resume campaign 2" when it runs): said now
                        "failed": [err for _, _, _, err in parsed if err is not None],
                    }
                )
            settled = {r.decision_id for r in rows if r.decision_id is not None}
            with sessions() as s:
                tool_rows = {d.tool_call_id: d for d in s.scalars(select(Decision).where(Decision.id.in_(settled)))}

        out: list[ToolMessage] = []
        for bad in ai.invalid_tool_calls:  # the reply's arguments were not JSON: told to the model, which may retry
            why = (
                f"the arguments of {bad['name']} are not valid JSON ({bad.get('error') or 'unreadable'}); call it again"
            )
            log_decision_now(
                sessions,
                rid,
                "tool",
                status="error",
                error=why,
                agent_name=agent,
                tool_name=str(bad["name"] or "")[:64],
                tool_call_id=bad["id"],
                arguments={"raw": str(bad.get("args") or "")[:2000]},
                model=model_name,
            )
            out.append(ToolMessage(f"Error: {why}", tool_call_id=str(bad["id"]), name=bad["name"], status="error"))
        for call, spec, args, err in parsed:
            base = {
                "agent_name": agent,
                "tool_name": call["name"],
                "tool_call_id": call["id"],
                "arguments": call["args"],
                "model": model_name,
            }
            if err is not None or spec is None or args is None:
                log_decision_now(sessions, rid, "tool", status="error", error=err, **base)
                out.append(ToolMessage(f"Error: {err}", tool_call_id=call["id"], name=call["name"], status="error"))
                continue
            if spec.write:  # settled by the approval core: its tool row says how (written once, there)
                row = tool_rows.get(call["id"])
                if row is not None:
                    status, result, error = row.status, row.result, row.error
                else:  # a graph run without a decision-log run: the pending rows say it
                    mine = [r for r in rows if r.tool_call_id == call["id"]]
                    status, result, error = call_outcome(previews.get(call["id"]) or mine[0].preview, mine)
                if status == "ok" or status == "rejected":
                    content = json.dumps(result, default=str)
                    out.append(ToolMessage(content, tool_call_id=call["id"], name=call["name"]))
                else:
                    why = error or f"the change ended {status}"
                    out.append(ToolMessage(f"Error: {why}", tool_call_id=call["id"], name=call["name"], status="error"))
                continue
            t0 = time.perf_counter()
            try:
                with sessions.begin() as s:  # a read's result and its decision row commit together
                    result = spec.fn(shop, s, args)
                    log_decision(
                        s,
                        rid,
                        "tool",
                        result=result,
                        latency_ms=1000 * (time.perf_counter() - t0),
                        **base,
                    )
            except (ToolFailure, EngineError) as exc:
                log_decision_now(sessions, rid, "tool", status="error", error=str(exc), **base)
                out.append(ToolMessage(f"Error: {exc}", tool_call_id=call["id"], name=call["name"], status="error"))
                continue
            out.append(ToolMessage(json.dumps(result, default=str), tool_call_id=call["id"], name=call["name"]))
        return Command(goto=agent, update={"messages": out, "tool_rounds": state.get("tool_rounds", 0) + 1})

    g = StateGraph(CopilotState)
    g.add_node("supervisor", supervisor, destinations=(*SPECIALISTS, END))
    for name in SPECIALISTS:
        g.add_node(name, make_specialist(name), destinations=("tools", *SPECIALISTS, END))  # type: ignore[arg-type]
    g.add_node("tools", tools_node, destinations=tuple(SPECIALISTS))
    g.add_edge(START, "supervisor")
    return g.compile(checkpointer=checkpointer)
