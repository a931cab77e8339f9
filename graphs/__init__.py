"""LangGraph wiring: the state and the supervisor graph with approval interrupts."""

from graphs.state import CopilotState
from graphs.supervisor import MAX_TOOL_ROUNDS, build_graph, forget_before_turn

__all__ = ["MAX_TOOL_ROUNDS", "CopilotState", "build_graph", "forget_before_turn"]
