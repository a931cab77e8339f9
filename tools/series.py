"""The one shape a tool result uses to carry a series that a channel can draw (key `series`):

    {"title": str, "x_label": str, "y_label": str, "x": [str, ...], "lines": {name: [float | None, ...]}}

Every line has one value per x label; None is a gap (no figure at that point, e.g. the hours of
today not reported yet). The y label carries the unit, e.g. "spend (£)"."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

SERIES_KEY = "series"


def make_series(
    *,
    title: str,
    x_label: str,
    y_label: str,
    x: Sequence[str],
    lines: Mapping[str, Sequence[float | None]],
    digits: int = 2,
) -> dict[str, Any]:
    """A series in the shared shape, its values rounded to `digits` and non-finite values made gaps."""
    labels = [str(v) for v in x]
    out: dict[str, list[float | None]] = {}
    for name, values in lines.items():
        if len(values) != len(labels):
            raise ValueError(f"line {name!r} has {len(values)} values for {len(labels)} x labels")
        out[str(name)] = [None if v is None or not math.isfinite(float(v)) else round(float(v), digits) for v in values]
    return {"title": title, "x_label": x_label, "y_label": y_label, "x": labels, "lines": out}
