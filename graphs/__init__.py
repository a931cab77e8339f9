"""LangGraph wiring: the state and the supervisor graph with approval interrupts, and the events a
channel can stream of a run."""

from graphs.events import Event, events_of
from graphs.state import CopilotState
from graphs.supervisor import MAX_TOOL_ROUNDS, build_graph, forget_before_turn

__all__ = [
    "MAX_TOOL_ROUNDS",
    "CopilotState",
    "Event",
    "build_graph",
    "events_of",
    "forget_before_turn",
]
