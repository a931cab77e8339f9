"""The graph's state: the conversation, and what the current request has done so far."""

from __future__ import annotations

from typing import Annotated, TypedDict

from langchain_core.messages import AnyMessage
from langgraph.graph.message import add_messages


class CopilotState(TypedDict):
    messages: Annotated[list[AnyMessage], add_messages]
    route: list[str]  # specialists that handled the current request, in order ([] = out of scope)
    agent: str | None  # the specialist working on it now
    tool_rounds: int  # rounds of tool calls in the current part (bounded)
    queue: list[dict[str, str | None]]  # parts of the request still to hand off: {"agent", "task"}
    task: str | None  # the part the current specialist handles (None: the whole request)
    note: str | None  # what the supervisor adds after the parts (e.g. a part it could not do)
