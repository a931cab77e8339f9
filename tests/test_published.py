"""Figures held against published ones (needs ../shared/data). The checks are the ones
`copilot bench` runs, so there is one implementation of each model."""

import pytest

from evals import bench
from tests.conftest import shared_data
from tools import TOOLS


@pytest.mark.parametrize("name", ["clv.cdnow", "pricing.oj", "campaigns.paidsearch", "uplift.hillstrom"])
def test_reproduces_published(name):
    res = bench.CHECKS[name](shared_data(), True)
    assert res["ok"], (res["ours"], res["published"])


def test_bidding_replay_follows_rlb_dp_and_reproduces_its_table():
    res = bench.CHECKS["bidding.ipinyou2997"](shared_data(), True)
    ours, published = res["ours"], res["published"]
    assert (ours["mcpc.clicks"], ours["mcpc.impressions"], ours["mcpc.cost"]) == (48, 14752, 307751)
    assert (ours["lin.clicks"], ours["lin.impressions"], ours["lin.cost"]) == (71, 32208, 203610)
    assert ours["rlb.clicks"] == 78
    for k in ("rlb.impressions", "rlb.cost"):  # 39,680 and 304,375 in rlb-dp's table
        assert ours[k] == pytest.approx(published[k], rel=1e-3)
    assert res["ok"]


def test_our_bidding_strategy_as_reported():
    res = bench.CHECKS["bidding.ours"](shared_data(), True)
    ours = res["ours"]
    # the first and only version run on the test log: below RLB's 78 and the goal of 80 (see the README)
    assert (ours["ours.clicks"], ours["ours.impressions"], ours["ours.cost"]) == (77, 39222, 306197)
    assert res["ok"] is False


def test_replay_tool_uses_the_same_replay(tiny_shop):  # type: ignore[no-untyped-def]
    tiny_shop.data_dir = shared_data()
    spec = TOOLS["replay_bidding"]
    with tiny_shop.sessions() as s:
        lin = spec.fn(tiny_shop, s, spec.args(strategy="lin", b0=10))
    assert (lin["clicks"], lin["impressions"], lin["cost"]) == (71, 32208, 203610)


def test_recsys_pipeline_beats_both_baselines_on_validation_and_test(demo_home, monkeypatch):  # type: ignore[no-untyped-def]
    from engine import recsys

    monkeypatch.setenv("COPILOT_HOME", str(demo_home))
    res = bench.CHECKS["recsys.online_retail"](shared_data(), True)  # quick: the shipped constants, no search
    ours = res["ours"]
    assert res["ok"], ours
    for name in ("popularity", "item2item", "pipeline"):
        for metric in ("recall@20", "ndcg@20"):
            assert 0 < ours[f"{name}.{metric}.val"] < 1 and 0 < ours[f"{name}.{metric}.test"] < 1
    assert ours["chosen.c"] == recsys.DEFAULT_C and ours["chosen.n_recall"] == recsys.DEFAULT_RECALL
    assert "October 2011" in res["note"] and res["trail"] == []


def test_criteo_ranker_smoke():
    res = bench.CHECKS["ranker.criteo"](shared_data(), True)
    assert res["ok"] and res["ours"]["rows"] == 200


def test_bench_command_prints_json_lines_and_rejects_unknown_checks():
    import json
    import subprocess
    import sys

    base = str(shared_data())
    p = subprocess.run(
        [sys.executable, "-m", "channels.cli", "bench", "--only", "pricing", "--json", "--data", base],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert p.returncode == 0, p.stderr
    rows = [json.loads(line) for line in p.stdout.splitlines()]
    assert [r["name"] for r in rows] == ["pricing.oj"] and rows[0]["ok"] is True
    bad = subprocess.run(
        [sys.executable, "-m", "channels.cli", "bench", "--only", "nosuch", "--data", base],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert bad.returncode == 1 and "no check matches" in bad.stderr and bad.stderr.strip().count("\n") == 0
