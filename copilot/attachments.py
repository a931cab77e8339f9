"""What an answer brings besides its text, for every channel: the list in it as a CSV file and a
chart of each series in it (tools/series.py shape), found generically in the run's tool results.

The list is the longest list of dicts in the results of the run's successful tool calls (nested
dicts flattened to `a.b` columns, lists JSON-encoded); with none, the rows of a series (one row per
x label). Each attachment is {"kind": "csv"|"chart", "path", "title"} and, for a CSV, "rows"."""

from __future__ import annotations

import csv
import math
import os
import re
import uuid
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from copilot import CopilotError
from store.clean import dumps
from tools.series import SERIES_KEY

MAX_DEPTH = 3  # how deep in a result a list is looked for
FILES_KEY = "attachments"  # files a tool wrote itself (an audience export): listed as they are, never rewritten
# A spreadsheet runs a cell that starts with one of these as a formula; such a text cell is quoted.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class Table:
    title: str
    columns: list[str]
    rows: list[dict[str, Any]]


def check_export_path(path: Path | str) -> Path:
    """The file an export may be written to, or a CopilotError saying what to fix. Checked before
    anything runs, so a bad path costs nothing."""
    p = Path(path).expanduser()
    if p.suffix.lower() != ".csv":
        raise CopilotError(f"--export {path}: give a file name ending in .csv")
    if p.is_dir():
        raise CopilotError(f"--export {path} is a folder; give a file name ending in .csv")
    parent = p.parent.resolve()
    if not parent.is_dir():
        raise CopilotError(f"--export {path}: the folder {parent} does not exist; create it or choose another")
    if not os.access(parent, os.W_OK | os.X_OK):
        raise CopilotError(f"--export {path}: the folder {parent} is not writable; choose another")
    if p.exists() and not os.access(p, os.W_OK):
        raise CopilotError(f"--export {path}: the file exists and is not writable; choose another")
    return parent / p.name


def _ok_results(calls: Sequence[dict[str, Any]]) -> Iterator[tuple[str, dict[str, Any]]]:
    for call in calls:
        if call.get("status") == "ok" and isinstance(call.get("result"), dict):
            yield str(call.get("name") or "tool"), call["result"]


def _lists(value: Any, path: str, depth: int) -> Iterator[tuple[str, list[dict[str, Any]]]]:
    if isinstance(value, list):
        if value and all(isinstance(v, dict) for v in value):
            yield path, value
        return
    if isinstance(value, dict) and depth < MAX_DEPTH:
        for k, v in value.items():
            if k not in (SERIES_KEY, FILES_KEY):
                yield from _lists(v, f"{path}.{k}" if path else str(k), depth + 1)


def _flatten(row: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    out: dict[str, Any] = {}
    for k, v in row.items():
        key = f"{prefix}{k}"
        if isinstance(v, dict):
            out.update(_flatten(v, key + ".") if v else {key: ""})
        elif isinstance(v, list | tuple):
            out[key] = dumps(v, note=False)
        else:
            out[key] = v
    return out


def _table(title: str, rows: list[dict[str, Any]]) -> Table:
    flat = [_flatten(r) for r in rows]
    columns = list(dict.fromkeys(k for r in flat for k in r))
    return Table(title, columns, flat)


def check_series(value: Any) -> dict[str, Any] | None:
    """`value` if it has the series shape (tools/series.py), else None."""
    if not isinstance(value, dict):
        return None
    if not all(isinstance(value.get(k), str) for k in ("title", "x_label", "y_label")):
        return None
    x, lines = value.get("x"), value.get("lines")
    if not isinstance(x, list) or not x or not all(isinstance(v, str) for v in x):
        return None
    if not isinstance(lines, dict) or not lines:
        return None
    for ys in lines.values():
        if not isinstance(ys, list) or len(ys) != len(x):
            return None
        if not all(v is None or (isinstance(v, int | float) and not isinstance(v, bool)) for v in ys):
            return None
    return value


def find_series(calls: Sequence[dict[str, Any]]) -> list[tuple[str, dict[str, Any]]]:
    """(tool name, series) of every successful tool result that carries a series."""
    found = []
    for name, result in _ok_results(calls):
        series = check_series(result.get(SERIES_KEY))
        if series is not None:
            found.append((name, series))
    return found


def _series_table(series: dict[str, Any]) -> Table:
    x_col = series["x_label"]
    rows = [
        {x_col: label, **{name: ys[i] for name, ys in series["lines"].items()}} for i, label in enumerate(series["x"])
    ]
    return _table(series["title"], rows)


def find_table(calls: Sequence[dict[str, Any]]) -> Table | None:
    """The list in the answer: the longest whole list (`all_...`) a tool returned for an export, else
    the longest list of dicts in the run's successful tool results (the first found on a tie), else
    the rows of the first series, else None."""
    best: tuple[str, list[dict[str, Any]]] | None = None
    for name, result in _ok_results(calls):
        for path, rows in _lists(result, "", 0):
            whole = path.rsplit(".", 1)[-1].startswith("all_")  # the whole list a tool returns for an export
            if best is None or (whole, len(rows)) > (best[0].rsplit(".", 1)[-1].startswith("all_"), len(best[1])):
                best = (f"{name}: {path}", rows)
    series = find_series(calls)
    if best is not None and not (series and len(series[0][1]["x"]) > len(best[1]) <= 1):
        return _table(*best)  # a list, unless it is one row beside a series (one campaign's days)
    return _series_table(series[0][1]) if series else None


def _cell(v: Any) -> Any:
    if v is None:
        return ""
    if isinstance(v, float) and not math.isfinite(v):
        return ""
    if isinstance(v, str) and v.startswith(FORMULA_START):
        return "'" + v
    return v


def temp_beside(path: Path) -> Path:
    """A new empty file in `path`'s folder to write `path` into before renaming it there (made with
    the permissions the umask gives a new file, as `path` itself would be)."""
    tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex[:8]}.tmp")
    os.close(os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666))
    return tmp


def _write_rows(table: Table, tmp: Path) -> None:
    with tmp.open("w", encoding="utf-8", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=table.columns, restval="")
        w.writeheader()
        for row in table.rows:
            w.writerow({k: _cell(v) for k, v in row.items()})
        fh.flush()
        os.fsync(fh.fileno())


def write_csv(table: Table, path: Path) -> int:
    """Write `table` to `path` (UTF-8, a header row) through a temporary file in the same folder,
    renamed into place: the file is whole or untouched. Returns the number of rows."""
    _commit(_stage([(path, lambda tmp: _write_rows(table, tmp))]))
    return len(table.rows)


def _stage(writes: Sequence[tuple[Path, Any]]) -> list[tuple[Path, Path]]:
    """Write each file to a temporary file beside it; on any failure remove them all."""
    staged: list[tuple[Path, Path]] = []
    try:
        for path, write in writes:
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = temp_beside(path)
            staged.append((tmp, path))
            write(tmp)
    except BaseException as exc:
        for tmp, _ in staged:
            tmp.unlink(missing_ok=True)
        if isinstance(exc, OSError):
            where = staged[-1][1] if staged else writes[0][0]
            raise CopilotError(f"could not write {where}: {exc.strerror or exc}") from exc
        raise
    return staged


def _commit(staged: list[tuple[Path, Path]]) -> None:
    for tmp, path in staged:
        os.replace(tmp, path)


def tool_files(calls: Sequence[dict[str, Any]], exports: Path) -> list[dict[str, Any]]:
    """The CSV files the run's tools wrote themselves (an audience export), each as its result's
    `attachments` names it, when it is there and inside the home's `exports` folder."""
    root = exports.resolve()
    out: list[dict[str, Any]] = []
    for name, result in _ok_results(calls):
        files = result.get(FILES_KEY)
        for f in files if isinstance(files, list) else []:
            if not isinstance(f, dict) or f.get("kind") != "csv" or not isinstance(f.get("path"), str):
                continue
            path = Path(f["path"]).resolve()
            if path.is_file() and path.is_relative_to(root):
                rows = f.get("rows")
                out.append(
                    {
                        "kind": "csv",
                        "path": str(path),
                        "rows": rows if isinstance(rows, int) else 0,
                        "title": str(f.get("title") or name),
                    }
                )
    return out


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9]+", "-", text).strip("-").lower()[:40] or "chart"


def make_attachments(
    calls: Sequence[dict[str, Any]],
    *,
    export: Path | None = None,
    chart_dir: Path | None = None,
    charts: bool = True,
    list_file: bool = False,
) -> list[dict[str, Any]]:
    """Write the run's list to `export` (a checked path, see check_export_path) and a chart of each
    series beside it (`NAME.png`, then `NAME-2.png`...) or, with no export, in `chart_dir`
    (named after the tool; with `list_file`, the list too, as `TOOL.csv`). Returns the
    attachments, the CSV first; nothing is written for an answer with no list or series."""
    out: list[dict[str, Any]] = []
    writes: list[tuple[Path, Any]] = []
    table = find_table(calls) if export is not None or list_file else None
    if export is None and table is not None and chart_dir is not None:
        chart_dir.mkdir(parents=True, exist_ok=True)
        export = chart_dir / f"{_slug(table.title.split(':')[0])}.csv"
    if export is not None and table is not None:
        writes.append((export, lambda tmp: _write_rows(table, tmp)))
        out.append({"kind": "csv", "path": str(export), "rows": len(table.rows), "title": table.title})
    if charts and (export is not None or chart_dir is not None):
        from copilot.charts import draw_chart

        used: set[Path] = set()
        for i, (tool, series) in enumerate(find_series(calls)):
            if export is not None:
                path = export.with_suffix(".png") if i == 0 else export.with_name(f"{export.stem}-{i + 1}.png")
            else:
                assert chart_dir is not None
                path, k = chart_dir / f"{_slug(tool)}.png", 2
                while path in used:
                    path, k = chart_dir / f"{_slug(tool)}-{k}.png", k + 1
            used.add(path)
            writes.append((path, lambda tmp, s=series: draw_chart(s, tmp)))
            out.append({"kind": "chart", "path": str(path), "title": series["title"]})
    _commit(_stage(writes))  # every file whole, or none of them
    if chart_dir is not None:
        out += tool_files(calls, chart_dir.parent)
    return out


def attachment_lines(attachments: Sequence[dict[str, Any]], *, listed: bool = False) -> str:
    """The lines an answer names its files with: `chart: PATH` a chart and, when the request asked
    for its list as a file (`listed`), `list: PATH (N rows)`."""
    return "\n".join(
        f"list: {a['path']} ({a['rows']:,} rows)" if a["kind"] == "csv" else f"chart: {a['path']}"
        for a in attachments
        if a["kind"] == "chart" or listed
    )


__all__ = [
    "Table",
    "attachment_lines",
    "check_export_path",
    "check_series",
    "find_series",
    "find_table",
    "make_attachments",
    "temp_beside",
    "tool_files",
    "write_csv",
]
