"""The eval report: Markdown (with the chart beside it as an .svg) or HTML (chart inline)."""

from __future__ import annotations

import html
from pathlib import Path
from typing import Any

COLUMNS = ("cases", "pass", "pass^k", "routing", "tool_calls", "facts", "state", "safety", "latency_ms_p50")
LABELS = ("n", "pass", "pass^k", "route", "tools", "facts", "state", "safe", "p50 ms")
_BARS = (("pass", "#4c78a8"), ("routing", "#f58518"), ("tool_calls", "#54a24b"))


def _fmt(v: Any) -> str:
    """A rate (0..1) as a percentage."""
    if v is None:
        return "-"
    return f"{100 * v:.0f}%" if v in (0.0, 1.0) else f"{100 * v:.1f}%"


def _cell(column: str, v: Any) -> str:
    """Rates as percentages; counts and milliseconds as they are (a 0.9 ms latency is not 90%)."""
    return _fmt(v) if column not in ("cases", "latency_ms_p50") else ("-" if v is None else str(v))


def table_rows(summary: dict[str, Any], by: str) -> list[list[str]]:
    return [[name, *(_cell(c, row.get(c)) for c in COLUMNS)] for name, row in summary[f"by_{by}"].items()]


def chart_svg(summary: dict[str, Any]) -> str:
    """Grouped bars of pass, routing and tool-call accuracy by specialist, and latency p50/p95."""
    groups = summary["by_specialist"]
    names = list(groups)
    row_h, bar_h, left, width = 54, 14, 110, 360
    top = 40
    acc_h = top + row_h * len(names) + 20
    lat_top = acc_h + 40
    max_ms = max([g.get("latency_ms_p95") or 0 for g in groups.values()] + [1.0])
    height = lat_top + 28 * len(names) + 50
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{left + width + 140}" height="{height}" '
        'font-family="sans-serif" font-size="12">',
        '<text x="10" y="20" font-size="14" font-weight="bold">Accuracy by specialist</text>',
    ]
    for j, (key, colour) in enumerate(_BARS):
        out.append(f'<rect x="{left + 120 * j}" y="26" width="10" height="10" fill="{colour}"/>')
        out.append(f'<text x="{left + 120 * j + 14}" y="35">{key}</text>')
    for i, name in enumerate(names):
        y = top + row_h * i + 10
        out.append(f'<text x="10" y="{y + 20}">{html.escape(name)}</text>')
        for j, (key, colour) in enumerate(_BARS):
            v = groups[name].get(key)
            w = width * (v or 0.0)
            out.append(f'<rect x="{left}" y="{y + j * bar_h}" width="{w:.1f}" height="{bar_h - 2}" fill="{colour}"/>')
            out.append(f'<text x="{left + w + 4:.1f}" y="{y + j * bar_h + 10}">{_fmt(v)}</text>')
    out.append(f'<text x="10" y="{lat_top - 10}" font-size="14" font-weight="bold">Latency per request (ms)</text>')
    for i, name in enumerate(names):
        y = lat_top + 28 * i
        p50, p95 = groups[name].get("latency_ms_p50") or 0, groups[name].get("latency_ms_p95") or 0
        out.append(f'<text x="10" y="{y + 14}">{html.escape(name)}</text>')
        out.append(f'<rect x="{left}" y="{y}" width="{width * p95 / max_ms:.1f}" height="18" fill="#bab0ac"/>')
        out.append(f'<rect x="{left}" y="{y}" width="{width * p50 / max_ms:.1f}" height="18" fill="#4c78a8"/>')
        out.append(f'<text x="{left + width * p95 / max_ms + 4:.1f}" y="{y + 14}">p50 {p50:.0f}, p95 {p95:.0f}</text>')
    out.append("</svg>")
    return "\n".join(out)


def _markdown_table(header: list[str], rows: list[list[str]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(r) + " |" for r in rows]
    return "\n".join(lines)


def write_report(
    path: Path, summary: dict[str, Any], details: list[dict[str, Any]], meta: dict[str, Any]
) -> list[Path]:
    """Write the report; returns the files written (the .md report also writes its chart .svg)."""
    svg = chart_svg(summary)
    t = summary["total"]
    head = (
        f"Model {meta['model']}, eval run {meta['eval_run_id']}, {t['cases']} cases x {meta['repeat']}: "
        f"pass {_fmt(t['pass'])}, pass^k {_fmt(t['pass^k'])}, routing {_fmt(t['routing'])}, "
        f"tool calls {_fmt(t['tool_calls'])}, safety {_fmt(t['safety'])}; latency p50 {t['latency_ms_p50']} ms, "
        f"p95 {t['latency_ms_p95']} ms; {t['model_calls_per_request']} model calls, "
        f"{t['input_tokens_per_request']} input and {t['output_tokens_per_request']} output tokens per request."
    )
    failed = [d for d in details if d["passed"] < d["repeats"]]
    fail_rows = [
        [
            d["case"],
            ", ".join(k for k, v in d["scores"][0].items() if v is False) or (d["error"] or "a repeat"),
            " -> ".join(d["route"]) or "none",
            ", ".join(c["name"] for c in d["tool_calls"]) or "none",
        ]
        for d in failed
    ]
    header = ["", *LABELS]
    sections = [(f"By {by}", table_rows(summary, by)) for by in ("specialist", "lang", "suite")]
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.suffix.lower() in (".html", ".htm"):

        def tbl(h: list[str], rows: list[list[str]]) -> str:
            cells = "".join(f"<th>{html.escape(x)}</th>" for x in h)
            body = "".join("<tr>" + "".join(f"<td>{html.escape(x)}</td>" for x in r) + "</tr>" for r in rows)
            return f"<table border='1' cellpadding='4' cellspacing='0'><tr>{cells}</tr>{body}</table>"

        parts = [f"<h1>Marketing Copilot eval</h1><p>{html.escape(head)}</p>", svg]
        parts += [f"<h2>{title}</h2>{tbl(header, rows)}" for title, rows in sections]
        parts.append(f"<h2>Failed cases ({len(failed)})</h2>{tbl(['case', 'failed', 'route', 'tools'], fail_rows)}")
        path.write_text("<!doctype html><meta charset='utf-8'><body>" + "\n".join(parts) + "</body>", encoding="utf-8")
        return [path]
    chart = path.with_suffix(".svg")
    chart.write_text(svg, encoding="utf-8")
    parts = ["# Marketing Copilot eval", head, f"![accuracy and latency by specialist]({chart.name})"]
    parts += [f"## {title}\n\n{_markdown_table(header, rows)}" for title, rows in sections]
    parts.append(
        f"## Failed cases ({len(failed)})\n\n" + _markdown_table(["case", "failed", "route", "tools"], fail_rows)
    )
    path.write_text("\n\n".join(parts) + "\n", encoding="utf-8")
    return [path, chart]
