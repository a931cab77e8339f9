"""The supervisor graph: supervisor -> one specialist <-> its tools -> END.

Guards against the known failure modes of supervisor graphs:
- every tool call gets its tool message (unknown tools and bad arguments get an error message);
- no routing loops: the supervisor routes once per request and a specialist ends the request;
  a specialist gets at most MAX_TOOL_ROUNDS rounds of tool calls, then must answer without tools;
- no unbounded history: specialists see the last MAX_HISTORY turns' questions and answers plus the
  current request's own tool calls, never earlier tool traffic.
Writes (tools with write=True) pause on a LangGraph interrupt until the marketer approves or rejects.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from typing import Any

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, AnyMessage, HumanMessage, SystemMessage, ToolMessage
from langchain_core.runnables import RunnableConfig
from langchain_core.tools import StructuredTool
from langgraph.graph import END, START, StateGraph
from langgraph.types import Command, interrupt
from pydantic import BaseModel, ValidationError

from agents import SPECIALISTS
from engine import EngineError
from graphs.state import CopilotState
from store.decisions import log_decision, log_decision_now, log_pending
from tools import Shop, ToolFailure, ToolSpec

HANDOFF_PREFIX = "transfer_to_"
MAX_TOOL_ROUNDS = 4
MAX_HISTORY = 6  # earlier human/assistant messages a model sees

SUPERVISOR_PROMPT = (
    "You are the supervisor of a marketing copilot for an online shop. Hand the request to exactly one "
    "specialist by calling its transfer tool:\n"
    + "\n".join(f"- {s.name}: {s.description}" for s in SPECIALISTS.values())
    + "\nIf the request is none of these (weather, jokes, general knowledge, coding...), do not call a tool: "
    "answer politely in the request's language, saying what the copilot can do."
)


class _NoArgs(BaseModel):
    pass


def _handoff_tools() -> list[StructuredTool]:
    return [
        StructuredTool.from_function(
            func=lambda: "",
            name=HANDOFF_PREFIX + s.name,
            args_schema=_NoArgs,
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


def _current_turn(messages: list[AnyMessage]) -> list[AnyMessage]:
    last = max((i for i, m in enumerate(messages) if isinstance(m, HumanMessage)), default=0)
    return messages[last + 1 :]


def _one_line(exc: ValidationError) -> str:
    return "; ".join(f"{'.'.join(str(p) for p in e['loc']) or 'arguments'}: {e['msg']}" for e in exc.errors())


def build_graph(model: BaseChatModel, shop: Shop, *, model_name: str, checkpointer: Any = None) -> Any:
    """Compile the copilot graph. `config["configurable"]["run_id"]` names the decision-log run."""
    sessions = shop.sessions
    router = model.bind_tools(_handoff_tools())

    def run_id(config: RunnableConfig) -> int | None:
        return (config.get("configurable") or {}).get("run_id")

    def supervisor(state: CopilotState, config: RunnableConfig) -> Command:
        t0 = time.perf_counter()
        resp = router.invoke([SystemMessage(SUPERVISOR_PROMPT), *_history(state["messages"])], config)
        ms = 1000 * (time.perf_counter() - t0)
        tin, tout = _usage(resp)
        agents = [c["name"].removeprefix(HANDOFF_PREFIX) for c in resp.tool_calls]
        agent = next((a for a in agents if a in SPECIALISTS), None)
        log_decision_now(
            sessions,
            run_id(config),
            "route",
            agent_name=agent,
            arguments={"candidates": agents},
            model=model_name,
            latency_ms=ms,
            input_tokens=tin,
            output_tokens=tout,
        )
        if agent is not None:
            return Command(goto=agent, update={"route": [agent], "agent": agent, "tool_rounds": 0})
        text = (
            resp.content
            if isinstance(resp.content, str) and resp.content.strip()
            else ("I can help with customers, creative, pricing, bidding and campaigns; what do you need?")
        )
        answer = AIMessage(content=text, name="supervisor")
        log_decision_now(
            sessions,
            run_id(config),
            "answer",
            agent_name="supervisor",
            result={"answer": text},
            model=model_name,
        )
        return Command(goto=END, update={"messages": [answer], "route": [], "agent": None})

    def make_specialist(name: str) -> Callable[[CopilotState, RunnableConfig], Command]:
        spec = SPECIALISTS[name]
        bound = model.bind_tools([t.as_langchain() for t in spec.tools])

        def specialist(state: CopilotState, config: RunnableConfig) -> Command:
            msgs = state["messages"]
            turn = _current_turn(msgs)
            context = [
                SystemMessage(spec.system_prompt),
                *_history(msgs[: len(msgs) - len(turn)]),
                *turn,
            ]
            at_limit = state.get("tool_rounds", 0) >= MAX_TOOL_ROUNDS
            t0 = time.perf_counter()
            resp = (model if at_limit else bound).invoke(context, config)
            ms = 1000 * (time.perf_counter() - t0)
            if at_limit and resp.tool_calls:  # a model that keeps calling tools is stopped here
                text = resp.content if isinstance(resp.content, str) else ""
                resp = AIMessage(
                    content=(text + f"\n(Stopped after {MAX_TOOL_ROUNDS} rounds of tool calls.)").strip(),
                    usage_metadata=resp.usage_metadata,
                )
            resp.name = name
            tin, tout = _usage(resp)
            if resp.tool_calls:
                log_decision_now(  # the model call that chose the tools (its cost; the calls follow)
                    sessions,
                    run_id(config),
                    "plan",
                    agent_name=name,
                    arguments={"tool_calls": [c["name"] for c in resp.tool_calls]},
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
            return Command(goto=END, update={"messages": [resp]})

        return specialist

    def tools_node(state: CopilotState, config: RunnableConfig) -> Command:
        agent = state["agent"] or ""
        specs: dict[str, ToolSpec] = {t.name: t for t in SPECIALISTS[agent].tools}
        ai = state["messages"][-1]
        assert isinstance(ai, AIMessage)
        rid = run_id(config)
        parsed: list[tuple[dict[str, Any], ToolSpec | None, BaseModel | None, str | None]] = []
        for tool_call in ai.tool_calls:
            call: dict[str, Any] = dict(tool_call)
            spec = specs.get(call["name"])
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
            try:
                parsed.append((call, spec, spec.args(**call["args"]), None))
            except ValidationError as exc:
                parsed.append((call, spec, None, f"invalid arguments: {_one_line(exc)}"))

        # Writes: show what would change and wait for the marketer before anything runs.
        previews: dict[str, dict[str, Any]] = {}
        for i, (call, spec, args, err) in enumerate(parsed):
            if spec is not None and spec.write and args is not None and err is None and spec.preview:
                try:
                    with sessions() as s:
                        previews[call["id"]] = spec.preview(shop, s, args)
                except (ToolFailure, EngineError) as exc:
                    parsed[i] = (call, spec, args, str(exc))
        approved = False
        if previews:
            # The proposed changes are in the log while they wait (this node runs again on resume:
            # log_pending writes each call once, and the answer settles the same row).
            with sessions.begin() as s:
                for call, *_ in parsed:
                    if call["id"] in previews:
                        log_pending(
                            s,
                            rid,
                            agent_name=agent,
                            tool_name=call["name"],
                            tool_call_id=call["id"],
                            arguments=call["args"],
                            result={"change": previews[call["id"]]},
                            model=model_name,
                        )
            answer = interrupt(
                {
                    "agent": agent,
                    "changes": list(previews.values()),
                    "tool_calls": [c for c, *_ in parsed if c["id"] in previews],
                }
            )
            approved = bool(answer.get("approved")) if isinstance(answer, dict) else bool(answer)

        out: list[ToolMessage] = []
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
            if spec.write and not approved:
                change = previews[call["id"]]
                with sessions.begin() as s:
                    log_decision(s, rid, "approval", status="rejected", result=change, **base)
                    log_decision(
                        s,
                        rid,
                        "tool",
                        status="rejected",
                        result={"rejected": True, "change": change},
                        **base,
                    )
                out.append(
                    ToolMessage(
                        json.dumps({"rejected": True, "change": change}),
                        tool_call_id=call["id"],
                        name=call["name"],
                    )
                )
                continue
            t0 = time.perf_counter()
            try:
                with sessions.begin() as s:  # the change and its decision rows commit together
                    result = spec.fn(shop, s, args)
                    if spec.write:
                        log_decision(s, rid, "approval", status="ok", result=previews[call["id"]], **base)
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
        g.add_node(name, make_specialist(name), destinations=("tools", END))  # type: ignore[arg-type]
    g.add_node("tools", tools_node, destinations=tuple(SPECIALISTS))
    g.add_edge(START, "supervisor")
    return g.compile(checkpointer=checkpointer)
