"""channel_attribution on a tiny handwritten journey file (the 2015 vignette's paths), without one, and
on the shop's own journeys once imported (tests/data/journeys.csv)."""

from pathlib import Path
from typing import Any

import pytest

from offline.wording import format_result
from store.journeys import import_journeys
from tools import TOOLS, ToolFailure

TOY = """path;total_conversions;total_conversion_value;total_null
A > B > A > B > B > A;1;4.0;0
A > B > B > A > A;1;2.0;0
A > A;1;3.0;0
"""


def _on_the_vignette_paths(tiny_shop, tmp_path: Path) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    """The tool's result on a reference folder holding the vignette's paths (and a shop without journeys)."""
    (tmp_path / "attribution").mkdir()
    (tmp_path / "attribution" / "channelattribution_Data.csv").write_text(TOY)
    tiny_shop.data_dir = tmp_path
    spec = TOOLS["channel_attribution"]
    with tiny_shop.sessions() as s:
        r: dict[str, Any] = spec.fn(tiny_shop, s, spec.args())
    return r


def test_tool_on_the_vignette_paths(tiny_shop, tmp_path: Path):
    r = _on_the_vignette_paths(tiny_shop, tmp_path)
    spec = TOOLS["channel_attribution"]
    rows = {c["channel"]: c for c in r["channels"]}
    assert (rows["A"]["markov"], rows["B"]["markov"]) == (2.0, 1.0)
    assert (rows["A"]["first_touch"], rows["A"]["last_touch"], rows["B"]["last_touch"]) == (3.0, 3.0, 0.0)
    assert (rows["A"]["shapley"], rows["B"]["shapley"]) == (2.0, 1.0)
    assert r["totals"] == {
        "journeys": 3, "channels": 2, "conversions": 3.0, "value": 9.0, "nulls": 0.0,
        "conversion_rate_pct": 100.0, "credited": 3.0,
    }  # fmt: skip
    assert "A | 3 | 3 | 2.1 | 2 | 2" in format_result("channel_attribution", r, False)
    with pytest.raises(ValueError):
        spec.args(model="data_driven")


def test_tool_without_the_data_says_how_to_get_it(tiny_shop, tmp_path: Path):
    tiny_shop.data_dir = tmp_path
    spec = TOOLS["channel_attribution"]
    with tiny_shop.sessions() as s, pytest.raises(ToolFailure, match="copilot data fetch attribution"):
        spec.fn(tiny_shop, s, spec.args())


EXAMPLE = Path(__file__).resolve().parents[1] / "data" / "journeys.csv"


def test_the_shops_own_journeys_are_used_once_imported(tiny_shop, tmp_path: Path):
    """No reference data is needed: the shop's journeys are credited, and the answer says whose they are."""
    tiny_shop.data_dir = tmp_path  # holds no reference journeys
    read = import_journeys(tiny_shop.sessions, EXAMPLE)
    spec = TOOLS["channel_attribution"]
    with tiny_shop.sessions() as s:
        r = spec.fn(tiny_shop, s, spec.args())
    assert (r["data"], r["shop_data"], r["stamp"], r["left_out"]) == ("the shop's journeys", True, read.stamp, {})
    assert "import_hint" not in r
    assert r["source"].startswith("the shop's journeys (8 paths, 4 channels, 40 conversions, 265 journeys without one)")
    rows = {c["channel"]: c for c in r["channels"]}
    assert set(rows) == {"display", "email", "Paid Search", "social"}
    for m in r["models"]:
        assert sum(c[m] for c in r["channels"]) == pytest.approx(40, abs=0.2)
    assert {c: rows[c]["last_touch"] for c in rows} == {"email": 26, "Paid Search": 12, "display": 2, "social": 0}
    assert {c: rows[c]["first_touch"] for c in rows} == {"Paid Search": 20, "social": 9, "email": 6, "display": 5}
    assert r["totals"]["journeys"] == 8 and r["totals"]["conversion_rate_pct"] == round(100 * 40 / 305, 1)
    en, zh = format_result("channel_attribution", r, False), format_result("channel_attribution", r, True)
    assert en.startswith("These are the shop's own journeys (journeys.csv, imported with `copilot import journeys`)")
    assert "Data: the shop's journeys (8 paths" in en and "alpha" not in en and "import journeys FILE.csv" not in en
    assert zh.startswith("以下是本店自己的转化路径（journeys.csv") and "数据：店铺自己的转化路径（8 条，4 个渠道" in zh
    with tiny_shop.sessions() as s:
        v = spec.fn(tiny_shop, s, spec.args(model="markov", metric="value"))
    assert sum(c["markov"] for c in v["channels"]) == pytest.approx(1681.5, abs=0.05)

    fewer = tmp_path / "fewer.csv"  # a new file: a new stamp, so the cached journeys are not reused
    fewer.write_text("path,conversions\nsearch > email,3\nemail,1\n")
    import_journeys(tiny_shop.sessions, fewer)
    with tiny_shop.sessions() as s:
        r = spec.fn(tiny_shop, s, spec.args(model="last_touch"))
        assert [c["channel"] for c in r["channels"]] == ["email", "search"] and r["stamp"].startswith("fewer.csv:")
        with pytest.raises(ToolFailure, match="the shop's journeys carry no conversion value"):
            spec.fn(tiny_shop, s, spec.args(metric="value"))


def test_journeys_over_many_channels_leave_shapley_out(tiny_shop, tmp_path: Path):
    path = tmp_path / "wide.csv"
    path.write_text("path,conversions,nulls\n" + "".join(f"ch{i} > ch{(i + 1) % 20},{i % 3},2\n" for i in range(20)))
    import_journeys(tiny_shop.sessions, path)
    spec = TOOLS["channel_attribution"]
    with tiny_shop.sessions() as s:
        r = spec.fn(tiny_shop, s, spec.args())
        with pytest.raises(ToolFailure, match="take at most 16 channels and the journeys have 20; ask for the Markov"):
            spec.fn(tiny_shop, s, spec.args(model="shapley"))
    assert r["models"] == ["first_touch", "last_touch", "linear", "markov"] and len(r["channels"]) == 20
    assert "at most 16 channels and the journeys have 20" in r["left_out"]["shapley"]
    assert "Shapley values are left out: " in format_result("channel_attribution", r, False)
    assert "沙普利值未计算" in format_result("channel_attribution", r, True)


def test_the_reference_journeys_say_how_to_import_the_shops(tiny_shop, tmp_path: Path):
    r = _on_the_vignette_paths(tiny_shop, tmp_path)
    assert r["data"] == "ChannelAttribution example journeys" and r["shop_data"] is False and "stamp" not in r
    assert r["import_hint"] == (
        "import the shop's own journeys with `copilot import journeys FILE.csv` (path, conversions, value, nulls)"
    )
    en, zh = format_result("channel_attribution", r, False), format_result("channel_attribution", r, True)
    assert f"They show how the models split credit; {r['import_hint']} to credit its own channels." in en
    assert "reference fixture" in en
    assert "用 `copilot import journeys FILE.csv` 导入店铺自己的转化路径" in zh and "来源未说明" in zh
