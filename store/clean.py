"""Values any database and any JSON reader accept: text without lone surrogates, numbers that are
finite. What the copilot stores and prints passes through here."""

from __future__ import annotations

import json
import math
import re
from typing import Any

_SURROGATE = re.compile("[\ud800-\udfff]")


def readable(text: str) -> str:
    """Text any database can store: a lone surrogate (from undecodable bytes, or JSON's "\\ud800")
    becomes U+FFFD; a pair of them, the character they make."""
    if not _SURROGATE.search(text):
        return text
    return text.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "replace")


def finite(value: Any, path: str = "") -> tuple[Any, list[str]]:
    """`value` with each NaN or infinite number made None (JSON has none) and each lone surrogate in
    its text made U+FFFD; also the paths of the numbers replaced, e.g. ["tool_calls[0].args.bid: inf"]."""
    notes: list[str] = []

    def walk(v: Any, at: str) -> Any:
        if isinstance(v, float):
            if math.isfinite(v):
                return v
            notes.append(f"{at or 'value'}: {v}")
            return None
        if isinstance(v, str):
            return readable(v)
        if isinstance(v, dict):
            return {
                (readable(k) if isinstance(k, str) else k): walk(x, f"{at}.{k}" if at else str(k)) for k, x in v.items()
            }
        if isinstance(v, list | tuple):
            return [walk(x, f"{at}[{i}]") for i, x in enumerate(v)]
        if hasattr(v, "item") and hasattr(v, "dtype"):  # a numpy scalar
            return walk(v.item(), at)
        return v

    return walk(value, path), notes


def dumps(value: Any, *, note: bool = True, **kwargs: Any) -> str:
    """JSON that every reader accepts (no NaN or Infinity, no lone surrogates). With `note`, a dict
    that had non-finite numbers says where, under "non_finite"."""
    clean, notes = finite(value)
    if note and notes and isinstance(clean, dict):
        clean = {**clean, "non_finite": notes}
    kwargs.setdefault("ensure_ascii", False)
    kwargs.setdefault("default", str)
    return json.dumps(clean, allow_nan=False, **kwargs)
