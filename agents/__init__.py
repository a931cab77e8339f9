"""The five specialists, in routing order. Each module holds one specialist's prompt; its tools
are the ones in tools/ whose `agent` is its name."""

from agents import bidding, campaigns, creative, pricing, profiling
from agents.base import Specialist

SPECIALISTS: dict[str, Specialist] = {m.AGENT.name: m.AGENT for m in (profiling, creative, pricing, bidding, campaigns)}

__all__ = ["SPECIALISTS", "Specialist"]
