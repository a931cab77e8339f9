"""A specialist: its name, what it handles (the supervisor reads this), its prompt and its tools."""

from __future__ import annotations

from dataclasses import dataclass

from tools import ToolSpec, tools_for

COMMON_RULES = (
    "Never compute or guess a number yourself: every figure you give must come from a tool result "
    "in this conversation. If a required value is missing (an id, a cost, an amount), ask one short "
    "question instead of guessing. If a tool returns an error, tell the marketer plainly what to fix. "
    "Answer in the language of the request, briefly, quoting the tool's figures."
)


@dataclass(frozen=True)
class Specialist:
    name: str
    description: str
    prompt: str

    @property
    def tools(self) -> list[ToolSpec]:
        return tools_for(self.name)

    @property
    def system_prompt(self) -> str:
        return f"You are the {self.name} specialist of a marketing copilot for an online shop. {self.prompt} {COMMON_RULES}"
