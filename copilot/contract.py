"""The `copilot ask --json` contract as text: what `copilot ask --json` and `copilot approve --json`
print and what the HTTP API's /v1/ask and approval routes return, from one builder (Copilot.ask and
Copilot.resume build the object; this writes it)."""

from __future__ import annotations

import json
from typing import Any


def contract_json(result: dict[str, Any]) -> str:
    """One JSON object on one line (non-ASCII kept as it is; dates and paths as their text)."""
    return json.dumps(result, ensure_ascii=False, default=str)


__all__ = ["contract_json"]
