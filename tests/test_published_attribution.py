"""Attribution figures held against the published ones (needs ../shared/data): the checks
`copilot bench` runs, and the tool that answers marketers calling the same engine."""

import pytest

from evals import bench
from offline.wording import format_result
from tests.conftest import shared_data
from tools import TOOLS


@pytest.mark.parametrize(
    "name", ["attribution.heuristics", "attribution.markov", "attribution.toy", "attribution.shapley"]
)
def test_reproduces_published(name):
    res = bench.CHECKS[name](shared_data(), True)
    assert res["ok"], (res["ours"], res["published"])


def test_heuristics_equal_every_published_cell():
    res = bench.CHECKS["attribution.heuristics"](shared_data(), True)
    assert res["ours"]["cells_equal"] == res["published"]["cells_equal"] == 72


def test_channel_attribution_tool_through_its_spec(tiny_shop):
    tiny_shop.data_dir = shared_data()
    spec = TOOLS["channel_attribution"]
    assert spec.agent == "campaigns" and not spec.write
    with tiny_shop.sessions() as s:
        r = spec.fn(tiny_shop, s, spec.args())
    assert r["models"] == ["first_touch", "last_touch", "linear", "markov", "shapley"]
    rows = {c["channel"]: c for c in r["channels"]}
    assert [c["channel"] for c in r["channels"]][:6] == ["alpha", "iota", "eta", "beta", "theta", "lambda"]
    assert rows["alpha"]["markov"] == 5344.9 and rows["alpha"]["last_touch"] == 8447
    assert (rows["beta"]["first_touch"], rows["beta"]["last_touch"], rows["alpha"]["linear"]) == (2831, 989, 7574.7)
    assert r["totals"]["journeys"] == 10000 and r["totals"]["conversions"] == 19785 and r["totals"]["nulls"] == 68602
    for m in r["models"]:
        assert sum(c[m] for c in r["channels"]) == pytest.approx(19785, abs=0.5)
    pairs = {(d["channel"], tuple(d["models"])) for d in r["disagreements"]}
    assert ("beta", ("first_touch", "last_touch")) in pairs and ("alpha", ("markov", "last_touch")) in pairs
    en, zh = format_result("channel_attribution", r, False), format_result("channel_attribution", r, True)
    assert "beta gets 2,831 first-touch conversions but 989 last-touch: it opens journeys others close" in en
    assert "alpha | 6,308 | 8,447 | 7,574.7 | 5,344.9 |" in en and "reference fixture" in en
    assert "beta 按首次触点计 2,831 次转化，按末次触点计 989 次" in zh and "来源未说明" in zh

    with tiny_shop.sessions() as s:
        v = spec.fn(tiny_shop, s, spec.args(model="markov", metric="value"))
    assert v["models"] == ["markov", "last_touch"] and v["sorted_by"] == "markov"
    assert sum(c["markov"] for c in v["channels"]) == pytest.approx(74802.97, abs=0.05)
    assert {c["channel"]: c["last_touch"] for c in v["channels"]}["kappa"] == 1069.38
