"""The graph's state: the conversation, and what the current request has done so far."""

from __future__ import annotations

from typing import Annotated, TypedDict

from langchain_core.messages import AnyMessage
from langgraph.graph.message import add_messages


class CopilotState(TypedDict):
    messages: Annotated[list[AnyMessage], add_messages]
    route: list[str]  # specialists that handled the current request, in order ([] = out of scope)
    agent: str | None  # the specialist working on it now
    tool_rounds: int  # rounds of tool calls in the current request (bounded)
