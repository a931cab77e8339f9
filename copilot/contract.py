"""The `copilot ask --json` contract as text: what `copilot ask --json` and `copilot approve --json`
print and what the HTTP API's /v1/ask and approval routes return, from one builder (Copilot.ask and
Copilot.resume build the object; this writes it). Every channel writes its JSON here, so what any of
them prints is valid JSON: a NaN or an infinity is null, and the object says where under
"non_finite"; a lone surrogate is U+FFFD."""

from __future__ import annotations

from typing import Any

from store.clean import dumps


def json_text(value: Any, *, ascii_only: bool = False) -> str:
    """`value` as JSON on one line that every reader accepts (non-ASCII kept as it is unless
    `ascii_only`; dates and paths as their text; non-finite numbers null, noted under "non_finite")."""
    return dumps(value, ensure_ascii=ascii_only)


def contract_json(result: dict[str, Any]) -> str:
    """The contract's object on one line, as `json_text` writes it."""
    return json_text(result)


__all__ = ["contract_json", "json_text"]
