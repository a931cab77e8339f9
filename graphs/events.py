"""What a channel can stream of a graph run as it happens: the graph's per-node updates
(`stream_mode="updates"`) as events, each a kind and a JSON-ready dict:

    route        the specialists the supervisor handed the request to, in order
    tool_call    a tool a specialist called: its id, name and arguments as the model gave them
    tool_result  how that call ended: ok with its result, or error with the one-line reason

(The change waiting for approval and the answer are read from the finished run: see Copilot.ask.)"""

from __future__ import annotations

import json
from typing import Any

from langchain_core.messages import AIMessage, ToolMessage

from agents import SPECIALISTS

Event = tuple[str, dict[str, Any]]


def events_of(update: Any) -> list[Event]:
    """The events of one `stream_mode="updates"` item ({node: its update}), in order."""
    if not isinstance(update, dict):
        return []
    out: list[Event] = []
    for node, value in update.items():
        if not isinstance(value, dict):  # "__interrupt__": the pause, told by the finished run
            continue
        if node == "supervisor" and value.get("route"):
            out.append(("route", {"route": list(value["route"]), "agent": value.get("agent")}))
        for msg in value.get("messages") or []:
            if isinstance(msg, AIMessage) and msg.tool_calls and node in SPECIALISTS:
                out.extend(
                    ("tool_call", {"agent": node, "id": c["id"], "name": c["name"], "args": c["args"]})
                    for c in msg.tool_calls
                )
            elif isinstance(msg, ToolMessage):
                out.append(("tool_result", _result(msg)))
    return out


def _result(msg: ToolMessage) -> dict[str, Any]:
    text = msg.content if isinstance(msg.content, str) else json.dumps(msg.content, default=str)
    base = {"id": msg.tool_call_id, "name": msg.name}
    if msg.status == "error":
        return {**base, "status": "error", "error": text.removeprefix("Error: ")}
    try:
        result = json.loads(text)
    except ValueError:
        result = text
    status = "rejected" if isinstance(result, dict) and result.get("rejected") else "ok"
    return {**base, "status": status, "result": result}


__all__ = ["Event", "events_of"]
