"""A series (the shape of tools/series.py) drawn as a PNG a marketer can look at: a title, labelled
axes, readable tick labels, a legend when there is more than one line, constant lines (a budget, an
average) drawn as dashed reference lines. matplotlib is imported on first use, with the Agg backend."""

from __future__ import annotations

import math
import os
import textwrap
import warnings
from pathlib import Path
from typing import Any

DEFAULT_SIZE_IN = (8.0, 4.5)
DEFAULT_DPI = 120
MAX_TITLE_LINES = 2
TITLE_WIDTH = 70  # characters a title line holds at this size
MAX_TICK_CHARS = 22
MAX_LEGEND_CHARS = 40
MAX_TICKS = 16
MARKER_MAX_POINTS = 31
LINE_COLOURS = ("#1f77b4", "#ff7f0e", "#2ca02c", "#9467bd", "#8c564b", "#e377c2", "#17becf", "#7f7f7f")
REFERENCE_COLOURS = ("#d62728", "#555555", "#bcbd22")
# Fonts with Chinese glyphs that matplotlib falls back to, glyph by glyph, where one is installed.
CJK_FONTS = ("Noto Sans CJK SC", "Source Han Sans SC", "WenQuanYi Zen Hei", "Microsoft YaHei", "SimHei", "PingFang SC")


def _short(text: str, limit: int) -> str:
    text = " ".join(str(text).split())  # no newlines or tabs inside a label
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _title(text: str) -> str:
    lines = textwrap.wrap(" ".join(str(text).split()), TITLE_WIDTH) or [""]
    if len(lines) > MAX_TITLE_LINES:
        lines = [*lines[: MAX_TITLE_LINES - 1], _short(" ".join(lines[MAX_TITLE_LINES - 1 :]), TITLE_WIDTH)]
    return "\n".join(lines)


def _values(raw: list[Any]) -> list[float]:
    """Floats, with gaps (None, NaN, infinities, anything not a number) as NaN, which is not drawn."""
    out = []
    for v in raw:
        try:
            f = float(v)
        except (TypeError, ValueError):
            f = math.nan
        out.append(f if math.isfinite(f) and not isinstance(v, bool) else math.nan)
    return out


def _is_reference(values: list[float]) -> bool:
    """A line with one value at every point: a budget, a target, an average."""
    finite = {v for v in values if not math.isnan(v)}
    return len(values) > 1 and len(finite) == 1 and all(not math.isnan(v) for v in values)


def _continues(values: list[float], others: list[list[float]]) -> bool:
    """A line that starts where another one stops (a projection of what came before): it is
    empty up to some point, and there takes the other's last value."""
    start = next((i for i, v in enumerate(values) if not math.isnan(v)), None)
    if not start:
        return False
    for other in others:
        last = max((i for i, v in enumerate(other) if not math.isnan(v)), default=None)
        if last == start and other[last] == values[start]:
            return True
    return False


def _fonts() -> list[str]:
    from matplotlib import font_manager

    installed = {f.name for f in font_manager.fontManager.ttflist}
    return ["DejaVu Sans", *(f for f in CJK_FONTS if f in installed)]


def draw_chart(series: dict[str, Any], path: Path, *, dpi: int = DEFAULT_DPI) -> Path:
    """Draw `series` to the PNG `path` (written whole or not at all) and return it. Raises
    ValueError when a line's length does not match the x labels."""
    import matplotlib

    matplotlib.use("Agg", force=True)
    from matplotlib import pyplot as plt
    from matplotlib import ticker

    x = [_short(v, MAX_TICK_CHARS) for v in series["x"]]
    lines = {_short(name, MAX_LEGEND_CHARS): _values(list(v)) for name, v in series["lines"].items()}
    for name, values in lines.items():
        if len(values) != len(x):
            raise ValueError(f"line {name!r} has {len(values)} values for {len(x)} x labels")
    rc: dict[Any, Any] = {
        "text.parse_math": False,
        "text.usetex": False,
        "font.family": "sans-serif",
        "font.sans-serif": _fonts(),
    }
    with matplotlib.rc_context(rc), warnings.catch_warnings():
        warnings.simplefilter("ignore")  # a glyph no installed font has is drawn as a box, not warned about
        fig, ax = plt.subplots(figsize=DEFAULT_SIZE_IN, dpi=dpi, layout="constrained")
        try:
            _plot(ax, x, lines, ticker)
            ax.set_title(_title(series["title"]), fontsize=12, loc="left")
            ax.set_xlabel(_short(series["x_label"], 80))
            ax.set_ylabel(_short(series["y_label"], 50))
            return _save(fig, path)
        finally:
            plt.close(fig)


def _plot(ax: Any, x: list[str], lines: dict[str, list[float]], ticker: Any) -> None:
    n = len(x)
    pos = list(range(n))
    colours, refs = iter(LINE_COLOURS * 4), iter(REFERENCE_COLOURS * 4)
    for name, values in lines.items():
        if _is_reference(values) and len(lines) > 1:
            ax.plot(pos, values, linestyle="--", linewidth=1.4, color=next(refs), label=name, zorder=1)
        else:
            style = "--" if _continues(values, [v for k, v in lines.items() if k != name]) else "-"
            marker = "o" if n <= MARKER_MAX_POINTS else None
            ax.plot(
                pos,
                values,
                linestyle=style,
                marker=marker,
                markersize=4,
                linewidth=2,
                color=next(colours),
                label=name,
                zorder=2,
            )
    finite = [v for values in lines.values() for v in values if not math.isnan(v)]
    if not finite:
        ax.text(0.5, 0.5, "no figures to draw", transform=ax.transAxes, ha="center", va="center", color="#555555")
    elif min(finite) >= 0:
        ax.set_ylim(bottom=0, top=max(finite) * 1.08 or 1)
    if finite and max(abs(v) for v in finite) >= 1000:
        ax.yaxis.set_major_formatter(ticker.StrMethodFormatter("{x:,.0f}"))
    else:
        ax.yaxis.set_major_formatter(ticker.ScalarFormatter(useOffset=False))
    step = max(1, math.ceil(n / MAX_TICKS))
    ax.set_xticks(pos[::step], x[::step])
    if n > 12 or max((len(v) for v in x), default=0) > 5:
        ax.tick_params(axis="x", labelrotation=45)
        for label in ax.get_xticklabels():
            label.set_horizontalalignment("right")
            label.set_rotation_mode("anchor")
    if n:
        ax.set_xlim(-0.5, n - 0.5)
    ax.grid(axis="y", color="#dddddd", linewidth=0.8)
    ax.set_axisbelow(True)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    if len(lines) > 1:
        ax.legend(loc="best", fontsize=9, framealpha=0.9)


def _save(fig: Any, path: Path) -> Path:
    from copilot.attachments import temp_beside

    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = temp_beside(path)
    try:
        with tmp.open("wb") as fh:
            fig.savefig(fh, format="png")
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return path


__all__ = ["DEFAULT_DPI", "DEFAULT_SIZE_IN", "draw_chart"]
