"""LangChain-facing tools: pydantic argument schemas, data access, a call into engine/.

`TOOLS` maps a tool's name to its spec; `AGENTS` lists the specialists in routing order.
"""

from tools import (
    attribution,
    audiences,
    bidding,
    campaigns,
    creative,
    dsp,
    mmm,
    pricing,
    profiling,
    reports,
    retention,
    sessions,
)
from tools.base import Shop, ToolFailure, ToolSpec

AGENTS = ("profiling", "creative", "pricing", "bidding", "campaigns")
TOOLS: dict[str, ToolSpec] = {
    t.name: t
    for module in (
        profiling,
        sessions,
        retention,
        audiences,
        reports,
        creative,
        pricing,
        bidding,
        dsp,
        campaigns,
        attribution,
        mmm,
    )
    for t in module.TOOLS
}


def tools_for(agent: str) -> list[ToolSpec]:
    return [t for t in TOOLS.values() if t.agent == agent]


__all__ = ["AGENTS", "TOOLS", "Shop", "ToolFailure", "ToolSpec", "tools_for"]
