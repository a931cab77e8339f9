"""The DSP load benchmark (evals/dsp_load.py) runs, briefly, on loopback: the exchange in its own
process against a canned bidder and then the bidder at 1 and 2 workers, every request answered, and
at rates this low the exchange's clicks, impressions and cost equal the offline replay's (the real
run offers 250 to 2,000 requests/s for 5 s each; no timing is asserted here)."""

from __future__ import annotations

import pytest

from evals import dsp_load
from tests.conftest import shared_data
from tests.serving import bounded


@pytest.mark.shared
def test_the_load_benchmark_runs_briefly_and_keeps_the_offline_figures() -> None:
    base = shared_data()
    with bounded(240):
        res = dsp_load.run(base, workers=(1, 2), rates=(50, 100), seconds=1.0)
    assert [s["offered_rps"] for s in res["baseline"]["steps"]] == [50, 100]
    assert all(s["errors"] == s["timeouts"] == 0 for s in res["baseline"]["steps"])
    assert [b["workers"] for b in res["bidder"]] == [1, 2]
    for b in res["bidder"]:
        assert b["auctions"] == dsp_load.WARM + 150
        assert b["errors"] == b["timeouts"] == b["refused_notices"] == b["server_tracebacks"] == 0, b
        assert b["offline"]["impressions"] > 10, b  # not trivial
        assert b["exchange"] == b["offline"] == b["dsp"] and b["equal"] is True, b
        for s in b["steps"]:
            assert s["achieved_rps"] > 0 and s["p50_ms"] is not None and s["p99_ms"] >= s["p50_ms"]
            assert s["bidder_cpu_ms"] > 0
    with pytest.raises(ValueError, match="unknown strategy"):
        dsp_load.run(base, strategy="nope")
    with pytest.raises(ValueError, match="the log has"):
        dsp_load.run(base, rates=(100_000,), seconds=10)


@pytest.mark.shared
def test_the_load_benchmark_runs_on_postgresql(pg_server: str) -> None:
    base = shared_data()
    with bounded(180):
        res = dsp_load.run(base, workers=(2,), rates=(50,), seconds=1.0, postgres_server=pg_server)
    assert res["database"] == "postgresql"
    (b,) = res["bidder"]
    assert b["errors"] == b["timeouts"] == b["refused_notices"] == b["server_tracebacks"] == 0, b
    assert b["exchange"] == b["offline"] == b["dsp"], b
