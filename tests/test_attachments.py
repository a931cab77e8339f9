"""Lists and charts a marketer takes away: `--export FILE.csv`, charts of series, `attachments` in --json."""

from __future__ import annotations

import csv
import json
import math
from pathlib import Path

import pytest

from copilot import CopilotError
from copilot.attachments import Table, check_export_path, find_table, make_attachments, write_csv
from copilot.charts import _continues, draw_chart
from tests.test_cli import cli

SERIES = {
    "title": "Spend",
    "x_label": "hour",
    "y_label": "spend (£)",
    "x": ["01:00", "02:00", "03:00"],
    "lines": {"spent": [1.0, 2.5, None], "daily budget": [5.0, 5.0, 5.0]},
}


def _calls(*results: dict) -> list[dict]:
    return [{"name": f"tool{i}", "status": "ok", "result": r} for i, r in enumerate(results)]


def _png(path: Path):  # type: ignore[no-untyped-def]
    from matplotlib import image

    return image.imread(path)


def _colours(img) -> set[tuple[int, ...]]:  # type: ignore[no-untyped-def]
    px = (img[..., :3] * 255).round().astype(int).reshape(-1, 3)
    return {tuple(p) for p in px}


# -- finding the list ----------------------------------------------------------------------------------


def test_the_longest_list_of_dicts_is_the_table_nested_values_flattened():
    calls = _calls(
        {"best": [{"a": 1}], "n": 3},
        {"customers": [{"id": 1, "prev": {"spend": 2.5}, "tags": ["x", "y"]}, {"id": 2, "extra": None}]},
    )
    calls.append({"name": "failed", "status": "error", "result": {"rows": [{"z": 1}] * 9}})
    t = find_table(calls)
    assert t is not None and t.title == "tool1: customers"
    assert t.columns == ["id", "prev.spend", "tags", "extra"]
    assert t.rows[0]["tags"] == '["x", "y"]' and t.rows[0]["prev.spend"] == 2.5


def test_a_series_alone_is_exported_row_by_row_and_no_list_is_none():
    t = find_table(_calls({"series": SERIES}))
    assert t is not None and t.columns == ["hour", "spent", "daily budget"] and len(t.rows) == 3
    assert find_table(_calls({"p_value": 0.06, "series": {"not": "a series"}})) is None


# -- writing it ----------------------------------------------------------------------------------------


def test_csv_round_trips_and_quotes_what_a_spreadsheet_would_run(tmp_path):
    out = tmp_path / "list.csv"
    t = Table("t", ["name", "value"], [{"name": "=HYPERLINK(1)", "value": 0.1 + 0.2}, {"name": "茶壶", "value": None}])
    assert write_csv(t, out) == 2
    rows = list(csv.DictReader(out.open(encoding="utf-8")))
    assert rows == [{"name": "'=HYPERLINK(1)", "value": str(0.1 + 0.2)}, {"name": "茶壶", "value": ""}]
    assert out.stat().st_mode & 0o044  # readable as any new file, not a private temp file


def test_a_failed_write_leaves_the_old_file_and_no_temp_file(tmp_path, monkeypatch):
    out = tmp_path / "list.csv"
    out.write_text("old\n")

    class Boom(OSError):
        pass

    def explode(*_a, **_k):  # type: ignore[no-untyped-def]
        raise Boom(28, "No space left on device")

    monkeypatch.setattr("copilot.charts.draw_chart", explode)
    with pytest.raises(CopilotError, match="No space left"):
        make_attachments(_calls({"rows": [{"a": 1}] * 3, "series": SERIES}), export=out)
    assert out.read_text() == "old\n" and sorted(p.name for p in tmp_path.iterdir()) == ["list.csv"]


@pytest.mark.parametrize(
    ("name", "message"),
    [("missing/x.csv", "does not exist"), ("x.txt", "ending in .csv"), ("dir.csv", "is a folder")],
)
def test_a_bad_export_path_is_refused_before_anything_runs(tmp_path, name, message):
    (tmp_path / "dir.csv").mkdir()
    with pytest.raises(CopilotError, match=message):
        check_export_path(tmp_path / name)


# -- charts --------------------------------------------------------------------------------------------


def test_a_hostile_series_draws_without_crashing(tmp_path):
    hostile = {
        "title": "$\\frac{1}{0}$ <script>alert(1)</script> " + "very long title " * 40 + "\n\t{}%s",
        "x_label": "x" * 500,
        "y_label": "$$ (£)",
        "x": [f"label {i} " + "long " * 30 for i in range(200)],
        "lines": {
            "<b>nan</b>": [math.nan if i % 7 == 0 else float(i) for i in range(200)],
            "$inf$": [math.inf, -math.inf, *([None] * 198)],
            "negative": [-1e12 + i for i in range(200)],
        },
    }
    path = draw_chart(hostile, tmp_path / "hostile.png")
    img = _png(path)
    assert img.shape[:2] == (540, 960) and len(_colours(img)) > 10
    empty = draw_chart({**SERIES, "lines": {"none": [None, None, None]}}, tmp_path / "empty.png")
    assert _png(empty).shape[:2] == (540, 960)
    with pytest.raises(ValueError, match="3 x labels"):
        draw_chart({**SERIES, "lines": {"short": [1.0]}}, tmp_path / "short.png")


def test_a_line_that_carries_on_where_another_stops_is_a_projection():
    nan = math.nan
    assert _continues([nan, 2.0, 3.0], [[1.0, 2.0, nan], [5.0, 5.0, 5.0]])
    assert not _continues([1.0, 2.0, 3.0], [[1.0, 2.0, nan]]) and not _continues([nan, 4.0, 3.0], [[1.0, 2.0, nan]])


def test_make_attachments_puts_charts_beside_the_export(tmp_path):
    out = tmp_path / "list.csv"
    calls = _calls({"series": SERIES}, {"series": {**SERIES, "title": "Second"}})
    got = make_attachments(calls, export=out, chart_dir=tmp_path / "home")
    assert [(a["kind"], Path(a["path"]).name) for a in got] == [
        ("csv", "list.csv"),
        ("chart", "list.png"),
        ("chart", "list-2.png"),
    ]
    assert got[0]["rows"] == 3 and not (tmp_path / "home").exists()
    assert make_attachments(_calls({"n": 1}), export=tmp_path / "none.csv") == []
    assert not (tmp_path / "none.csv").exists()


# -- the console script --------------------------------------------------------------------------------


def test_export_of_a_list_answer_reads_back_as_the_tool_result(copilot_home, tmp_path):
    out = tmp_path / "lapsing.csv"
    p = cli(copilot_home, "ask", "which customers are about to lapse?", "--json", "--export", str(out))
    assert p.returncode == 0, p.stderr
    res = json.loads(p.stdout)
    result = res["tool_calls"][0]["result"]
    customers = result["all_customers"]  # the whole list, not the top 10 the answer shows
    assert len(customers) == result["matching"] > len(result["customers"])
    assert customers[: len(result["customers"])] == result["customers"]
    assert res["attachments"] == [
        {"kind": "csv", "path": str(out), "rows": len(customers), "title": "lapsing_customers: all_customers"}
    ]
    rows = list(csv.DictReader(out.open(encoding="utf-8")))
    assert len(rows) == len(customers) > 0 and list(rows[0]) == list(customers[0])
    assert "country" in rows[0]
    for row, want in zip(rows, customers, strict=True):
        for k, v in want.items():
            assert row[k] == ("" if v is None else str(v))
    assert f"exported {len(customers)} rows" in p.stderr
    plain = json.loads(cli(copilot_home, "ask", "which customers are about to lapse?", "--json").stdout)
    assert "all_customers" not in plain["tool_calls"][0]["result"]  # only an export carries the whole list


def test_a_bad_export_path_leaves_nothing_and_runs_nothing(copilot_home, tmp_path):
    before = cli(copilot_home, "decisions", "--format", "json").stdout  # the home may hold earlier runs
    p = cli(copilot_home, "ask", "which customers are about to lapse?", "--export", str(tmp_path / "no" / "x.csv"))
    assert p.returncode == 1 and p.stderr.strip().count("\n") == 0 and "does not exist" in p.stderr
    assert not (tmp_path / "no").exists()
    p = cli(copilot_home, "decisions", "--format", "json")
    assert p.returncode == 0 and p.stdout == before


def test_an_answer_with_no_list_exports_nothing_and_says_so(copilot_home, tmp_path):
    out = tmp_path / "ab.csv"
    p = cli(
        copilot_home, "ask", "A: 120 conversions of 2400, B: 150 of 2400; is B better?", "--json", "--export", str(out)
    )
    assert p.returncode == 0, p.stderr
    assert json.loads(p.stdout)["attachments"] == [] and not out.exists()
    assert p.stderr.strip().splitlines()[-1] == f"nothing exported to {out}: this answer has no list"


def test_a_series_answer_comes_with_a_chart_named_in_the_answer(copilot_home):
    p = cli(copilot_home, "ask", "how is campaign 1 pacing today?", "--json")
    assert p.returncode == 0, p.stderr
    res = json.loads(p.stdout)
    (chart,) = res["attachments"]
    path = Path(chart["path"])
    assert chart["kind"] == "chart" and path.parent == copilot_home / "exports" / str(res["run_id"])
    assert chart["title"] == res["tool_calls"][0]["result"]["series"]["title"]
    assert res["answer"].splitlines()[-1] == f"chart: {path}"
    img = _png(path)
    assert img.shape[:2] == (540, 960)  # 8 x 4.5 in at 120 dpi
    colours = _colours(img)
    assert len(colours) > 20 and (31, 119, 180) in colours  # the first line's colour, #1f77b4
