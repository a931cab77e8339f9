"""The console script as a marketer runs it: JSON contract, approvals, one-line errors."""

from __future__ import annotations

import json
import os
import subprocess
import sys


def cli(home, *args: str) -> subprocess.CompletedProcess[str]:  # type: ignore[no-untyped-def]
    env = {**os.environ, "COPILOT_HOME": str(home), "COLUMNS": "250"}
    env.pop("OPENAI_API_KEY", None)
    env.pop("OPENAI_BASE_URL", None)
    return subprocess.run(
        [sys.executable, "-m", "copilot.cli", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )


def test_ask_json_contract_and_approval_across_processes(copilot_home):  # type: ignore[no-untyped-def]
    p = cli(copilot_home, "ask", "set the daily budget of campaign 2 to 450", "--json")
    assert p.returncode == 0, p.stderr
    res = json.loads(p.stdout)
    assert set(res) >= {
        "thread_id",
        "route",
        "answer",
        "tool_calls",
        "pending_approval",
        "decision_ids",
        "model",
    }
    assert res["pending_approval"]["changes"][0]["to"] == 450.0
    p2 = cli(copilot_home, "approve", res["thread_id"], "--yes", "--json")
    assert p2.returncode == 0, p2.stderr
    done = json.loads(p2.stdout)
    assert done["tool_calls"][0]["result"]["applied"] is True
    p3 = cli(copilot_home, "ask", "what's the pacing of campaign 2?", "--json")
    assert json.loads(p3.stdout)["tool_calls"][0]["result"]["daily_budget"] == 450.0


def test_errors_are_one_line(copilot_home):  # type: ignore[no-untyped-def]
    p = cli(copilot_home, "approve", "nosuchthread", "--yes")
    assert p.returncode == 1
    assert p.stderr.strip().count("\n") == 0 and "nothing waiting for approval" in p.stderr


def test_decisions_lists_recent(copilot_home):  # type: ignore[no-untyped-def]
    cli(copilot_home, "ask", "which customers are about to lapse?", "--json")
    p = cli(copilot_home, "decisions", "--limit", "5")
    assert p.returncode == 0 and "lapsing_customers" in p.stdout


def test_a_misplaced_home_is_one_line(tmp_path):  # type: ignore[no-untyped-def]
    home = tmp_path / "not-a-folder"
    home.write_text("")
    p = cli(home, "ask", "hi")
    assert p.returncode == 1 and p.stderr.count("\n") == 1 and "is a file; point it at a folder" in p.stderr
