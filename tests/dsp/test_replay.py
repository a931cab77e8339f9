"""The exchange replay over real loopback HTTP gives the offline replay's clicks, impressions and
cost exactly (a bounded slice of the iPinYou 2997 log: three periods, so that the learning strategy
refits twice; `copilot dsp replay` runs the whole log)."""

from __future__ import annotations

import pytest

from dsp.replay import run
from tests.conftest import shared_data
from tests.serving import bounded


@pytest.mark.shared
@pytest.mark.parametrize(("strategy", "limit"), [("ours", 2_600), ("lin", 1_500)])
def test_the_replay_over_http_equals_the_offline_replay(strategy: str, limit: int) -> None:
    base = shared_data()
    with bounded(300):
        res = run(base, strategy=strategy, limit=limit)
    assert res["auctions"] == limit and res["refused_notices"] == 0 and res["server_tracebacks"] == 0
    assert res["offline"]["impressions"] > 100, res  # the slice is not trivial
    assert res["exchange"] == res["offline"], res
    assert res["dsp"] == res["offline"], res  # the bidder's own ledger: charged once per impression
    assert res["equal"] is True
    assert res[strategy] == {f"{strategy}.{k}": v for k, v in res["offline"].items()}
    assert res["p50_ms"] is not None and res["requests_per_s"] > 0


@pytest.mark.shared
def test_copilot_dsp_replay_prints_one_json_object_and_refuses_a_bad_strategy() -> None:
    import json
    import subprocess
    import sys

    base = shared_data()
    cmd = [sys.executable, "-m", "channels.cli", "dsp", "replay", "--data", str(base)]
    ok = subprocess.run(
        [*cmd, "--strategy", "mcpc", "--limit", "1200", "--json"], capture_output=True, text=True, timeout=300
    )
    assert ok.returncode == 0, ok.stderr
    res = json.loads(ok.stdout)
    assert res["equal"] is True and res["mcpc"]["mcpc.impressions"] == res["offline"]["impressions"]
    bad = subprocess.run([*cmd, "--strategy", "nope"], capture_output=True, text=True, timeout=120)
    assert bad.returncode == 1 and bad.stderr.strip().splitlines() == [
        "error: unknown strategy 'nope'; the replay runs ours, rlb, lin, mcpc"
    ]
