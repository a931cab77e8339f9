"""channel_attribution on a tiny handwritten journey file (the 2015 vignette's paths), and without one."""

from pathlib import Path

import pytest

from offline.wording import format_result
from tools import TOOLS, ToolFailure

TOY = """path;total_conversions;total_conversion_value;total_null
A > B > A > B > B > A;1;4.0;0
A > B > B > A > A;1;2.0;0
A > A;1;3.0;0
"""


def test_tool_on_the_vignette_paths(tiny_shop, tmp_path: Path):
    (tmp_path / "attribution").mkdir()
    (tmp_path / "attribution" / "channelattribution_Data.csv").write_text(TOY)
    tiny_shop.data_dir = tmp_path
    spec = TOOLS["channel_attribution"]
    with tiny_shop.sessions() as s:
        r = spec.fn(tiny_shop, s, spec.args())
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
