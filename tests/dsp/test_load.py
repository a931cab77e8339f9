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


def _step(rate: float, p99: float, timeouts: int = 0) -> dict[str, object]:
    return {
        "offered_rps": rate,
        "requests": int(rate),
        "achieved_rps": rate,
        "p50_ms": 1.0,
        "p95_ms": p99 / 2,
        "p99_ms": p99,
        "service_p99_ms": p99,
        "notice_p99_ms": 1.0,
        "bids": 1,
        "errors": 0,
        "timeouts": timeouts,
        "refused_notices": 0,
        "bidder_cpu_ms": 0.5,
        "exchange_cpu_ms": 0.3,
    }


def _result(steps: list[dict[str, object]], equal: bool = True) -> dict[str, object]:
    figures = {"clicks": 1, "impressions": 10, "cost": 50}
    bidder = {"workers": 1, "steps": steps, "auctions": 500, "exchange": figures, "dsp": figures}
    bidder |= {"offline": figures, "equal": equal, "refused_notices": 0, "server_tracebacks": 0}
    return {
        "strategy": "lin",
        "load_average_1m": [1.0, 1.2],
        "baseline": {"steps": [_step(100, 1.0), _step(200, 1.0)]},
        "bidder": [bidder],
    }


def test_runs_combine_into_medians_and_the_verdict_is_on_the_medians() -> None:
    """One noisy run does not decide: each rate's p99 is the runs' median, with each run's beside it;
    a rate some run did not reach, or where anything timed out, is not sustained."""
    runs = [
        _result([_step(100, 4.0), _step(200, 8.0)]),
        _result([_step(100, 25.0), _step(200, 9.0)]),  # a bad first step in one run
        _result([_step(100, 5.0)], equal=False),  # stopped before 200
    ]
    res = dsp_load.combine(runs)
    (b,) = res["bidder"]
    first, second = b["steps"]
    assert (first["p99_ms"], first["p99_each_ms"], first["sustained"]) == (5.0, [4.0, 25.0, 5.0], True)
    assert (second["runs"], second["sustained"]) == (2, False)
    assert b["sustained_rps"] == 100 and res["baseline"]["sustained_rps"] == 200 and b["of_baseline"] == 0.5
    assert b["equal"] is False and len(b["each_run"]) == 3 and res["runs"] == 3
    timed_out = dsp_load.combine([_result([_step(100, 1.0, timeouts=1)]), _result([_step(100, 1.0)])])
    assert timed_out["bidder"][0]["steps"][0]["sustained"] is False
