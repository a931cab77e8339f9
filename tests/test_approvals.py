"""The approval core on a real SQLite file (WAL, busy timeout) and on a real PostgreSQL: pending rows, the compare-and-set race,
stale and expired changes, a crash between the write and the checkpoint, four eyes, who proposed and
who settled, duplicate tool-call ids, a model failing after a write, and hostile names in previews."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from langchain_core.messages import AIMessage
from rich.console import Console
from sqlalchemy import select, update

from channels.cli import render_change
from copilot import CopilotError
from copilot.app import Copilot
from copilot.approvals import Actor, AlreadySettled, FourEyes, Policy, pending, settle
from copilot.settings import Settings, load_settings
from store.db import Campaign, Decision, PendingChange, Run, make_engine, make_sessionmaker, utcnow
from store.shop import load_demo_shop
from tests.test_graph import ScriptedChatModel, tc
from tools import Shop


@pytest.fixture
def home(tmp_path: Path, tiny_csv: Path, db_url: str) -> Path:
    """A copilot home holding the tiny shop (campaign 1's bid is 0.8), its database a SQLite file in
    the home or a PostgreSQL database its settings.json names (as a team would set it)."""
    home = tmp_path / "home"
    home.mkdir()
    if db_url.startswith("sqlite"):
        db_url = f"sqlite:///{home / 'shop.db'}"
    else:
        (home / "settings.json").write_text(json.dumps({"database_url": db_url}))
    engine = make_engine(db_url)
    shop = Shop(make_sessionmaker(engine), home / "chroma")
    load_demo_shop(shop.sessions, shop.chroma, path=tiny_csv)
    engine.dispose()
    return home


def settings_of(home: Path, **settings: Any) -> Settings:
    """The home's settings: its database as its settings.json names it (else its SQLite file)."""
    path = home / "settings.json"
    url = json.loads(path.read_text())["database_url"] if path.is_file() else ""
    return Settings(home=home, database_url=url, **settings)


def copilot(home: Path, script: list[AIMessage] | None = None, **settings: Any) -> Copilot:
    model = ScriptedChatModel(script=list(script or []), seen=[])
    return Copilot(settings_of(home, **settings), model=model, model_name="scripted")


def propose_bid(cp: Copilot, bid: float = 1.5, campaign: int = 1, user: str = "alice") -> dict[str, Any]:
    """A thread waiting on one change: campaign `campaign`'s bid to `bid`, proposed by `user`."""
    model = ScriptedChatModel(
        script=[
            AIMessage("", tool_calls=[tc("transfer_to_bidding", {})]),
            AIMessage("", tool_calls=[tc("set_campaign_bid", {"campaign_id": campaign, "bid": bid})]),
            AIMessage("bid set"),
        ],
        seen=[],
    )
    proposer = Copilot(cp.settings, model=model, model_name="scripted")
    try:
        res = proposer.ask(f"set the bid of campaign {campaign} to {bid}", user=user)
    finally:
        proposer.close()
    assert res["pending_approval"] is not None
    return res


def bid_of(cp: Copilot, campaign: int = 1) -> float:
    with cp.sessions() as s:
        c = s.get(Campaign, campaign)
        assert c is not None
        return c.bid


def log_of(cp: Copilot, run_id: int) -> list[tuple[str, str]]:
    with cp.sessions() as s:
        rows = s.scalars(select(Decision).where(Decision.run_id == run_id).order_by(Decision.id))
        return [(d.kind, d.status) for d in rows]


def test_a_pending_change_is_a_row_and_the_contract_shows_it(home: Path) -> None:
    cp = copilot(home)
    try:
        res = propose_bid(cp)
        p = res["pending_approval"]
        # the contract only gains fields: the old ones are all there
        assert set(res) >= {"thread_id", "run_id", "route", "answer", "tool_calls", "pending_approval", "decision_ids"}
        assert {"agent", "changes", "tool_calls"} <= set(p)
        assert p["changes"][0]["to"] == 1.5 and p["changes"][0]["pending_id"] == p["id"]
        assert p["target"] == {"kind": "campaign", "id": 1, "name": "Christmas gifts - search"}
        assert (p["field"], p["from"], p["to"]) == ("bid", 0.8, 1.5)
        assert p["proposed_by"] == {"user": "alice", "channel": "cli"} and p["expires_at"].endswith("Z")
        with cp.sessions() as s:
            row = s.get(PendingChange, p["id"])
            assert row is not None and row.state == "pending" and row.thread_id == res["thread_id"]
            assert (row.target_kind, row.target_id, row.field, row.from_value, row.to_value) == (
                "campaign",
                1,
                "bid",
                0.8,
                1.5,
            )
            assert row.expires_at - row.created_at == timedelta(hours=24)
        assert bid_of(cp) == 0.8
    finally:
        cp.close()


def _race(home: Path, thread: str, callers: int, first_yes: bool) -> list[Any]:
    """`callers` copilots (each its own connections) approve or reject the same change at once."""
    cps = [copilot(home) for _ in range(callers)]
    barrier = threading.Barrier(callers)
    outcomes: list[Any] = [None] * callers

    def one(i: int) -> None:
        barrier.wait()
        try:
            outcomes[i] = cps[i].resume(thread, approved=(i % 2 == 0) == first_yes, user=f"u{i}")
        except CopilotError as exc:
            outcomes[i] = exc

    workers = [threading.Thread(target=one, args=(i,)) for i in range(callers)]
    for w in workers:
        w.start()
    for w in workers:
        w.join(timeout=120)
    for cp in cps:
        cp.close()
    return outcomes


@pytest.mark.parametrize("first_yes", [True, False])
def test_racing_approvals_settle_exactly_once(home: Path, first_yes: bool) -> None:
    """20 approvers, yes and no, on one pending change: one compare-and-set wins, its caller alone
    resumes the graph; the others are told who settled it and when; the shop and the log agree."""
    cp = copilot(home)
    try:
        res = propose_bid(cp)
        outcomes = _race(home, res["thread_id"], 20, first_yes)
        wins = [(i, o) for i, o in enumerate(outcomes) if isinstance(o, dict)]
        assert len(wins) == 1, outcomes
        winner, result = wins[0]
        approved = (winner % 2 == 0) == first_yes
        verb = "approved" if approved else "rejected"
        for o in outcomes:
            if not isinstance(o, dict):
                assert isinstance(o, AlreadySettled) and f"already {verb} by u{winner} (cli) at " in str(o), o
        assert bid_of(cp) == (1.5 if approved else 0.8)
        log = log_of(cp, res["run_id"])
        assert [k for k in log if k[0] == "approval"] == [("approval", "ok" if approved else "rejected")]
        assert log.count(("tool", "ok")) == (1 if approved else 0) and log[-1] == ("answer", "ok")
        assert result["tool_calls"][0]["status"] == ("ok" if approved else "rejected")
        with cp.sessions() as s:
            row = s.get(PendingChange, res["pending_approval"]["id"])
            assert row is not None and row.state == verb and row.settled_by == f"u{winner}"
            assert (row.applied_at is not None) is approved and row.resumed_at is not None
            run = s.get(Run, res["run_id"])
            assert run is not None and run.ended_at is not None
    finally:
        cp.close()


def test_an_approval_of_a_moved_target_is_refused_as_stale_with_a_fresh_preview(home: Path) -> None:
    cp = copilot(home)
    try:
        res = propose_bid(cp, bid=1.5)
        with cp.sessions.begin() as s:  # someone else moves the bid after the preview was shown
            s.execute(update(Campaign).where(Campaign.id == 1).values(bid=1.2))
        stale = cp.resume(res["thread_id"], approved=True, user="bob")
        assert bid_of(cp) == 1.2  # nothing written
        assert stale["settled"][0]["outcome"] == "stale" and "is 1.2 now, not 0.8 as shown" in stale["answer"]
        fresh = stale["pending_approval"]
        assert (fresh["from"], fresh["to"]) == (1.2, 1.5) and fresh["id"] == stale["settled"][0]["fresh"]["id"]
        assert f"Fresh preview #{fresh['id']}" in stale["answer"]
        done = cp.resume(res["thread_id"], approved=True, user="bob")
        assert bid_of(cp) == 1.5 and done["pending_approval"] is None
        log = log_of(cp, res["run_id"])
        assert [k for k in log if k[0] == "approval"] == [("approval", "expired"), ("approval", "ok")]
        assert log.count(("tool", "ok")) == 1
        with pytest.raises(AlreadySettled, match=r"refused at .*is 1.2 now.*fresh preview is change"):
            cp.resume(res["thread_id"], approved=True, change_id=res["pending_approval"]["id"], user="bob")
    finally:
        cp.close()


def test_pending_changes_expire_when_listed_or_touched(home: Path) -> None:
    cp = copilot(home, approval_ttl_hours=1.0)
    try:
        res = propose_bid(cp)
        change = res["pending_approval"]["id"]
        with cp.sessions() as s:
            row = s.get(PendingChange, change)
            assert row is not None and row.expires_at - row.created_at == timedelta(hours=1)
        assert [p["id"] for p in pending(cp.sessions)] == [change]
        with cp.sessions.begin() as s:  # an hour passes
            s.execute(update(PendingChange).values(expires_at=utcnow() - timedelta(seconds=1)))
        assert pending(cp.sessions) == []  # listed: settled as expired, and logged
        assert ("approval", "expired") in log_of(cp, res["run_id"])
        with pytest.raises(AlreadySettled, match=r"change #\d+ expired at .*ask again for a fresh preview"):
            cp.resume(res["thread_id"], approved=True, user="bob")
        assert bid_of(cp) == 0.8
        log = log_of(cp, res["run_id"])
        assert ("tool", "rejected") in log and log[-1] == ("answer", "ok")  # the run ended, saying so
        with cp.sessions() as s:
            run = s.get(Run, res["run_id"])
            assert run is not None and run.ended_at is not None
            tool = s.scalar(select(Decision).where(Decision.run_id == res["run_id"], Decision.kind == "tool"))
            assert tool is not None and tool.result["reason"] == "expired"  # what the model was told
    finally:
        cp.close()


def test_a_retry_after_a_crash_between_the_write_and_the_checkpoint_writes_nothing_twice(home: Path) -> None:
    cp = copilot(home)
    try:
        res = propose_bid(cp)
        change = res["pending_approval"]["id"]
        # The approver's process writes the change (compare-and-set, write and log in one transaction),
        # then dies before the graph is resumed and checkpointed.
        won = settle(cp.shop, change, approve=True, actor=Actor("bob", "cli"))
        assert won.outcome == "approved" and won.resume and bid_of(cp) == 1.5
        with pytest.raises(AlreadySettled, match="already approved by bob"):  # a retry right away: still claimed
            cp.resume(res["thread_id"], approved=True, user="bob")
        with cp.sessions.begin() as s:  # the claim outlives the grace period: the process is gone
            s.execute(update(PendingChange).values(resumed_at=utcnow() - timedelta(minutes=10)))
        with pytest.raises(AlreadySettled, match="already approved by bob"):  # the retry finishes the run
            cp.resume(res["thread_id"], approved=True, user="bob")
        assert bid_of(cp) == 1.5
        log = log_of(cp, res["run_id"])
        assert log.count(("approval", "ok")) == 1 and log.count(("tool", "ok")) == 1 and log[-1] == ("answer", "ok")
        assert cp._waiting(res["thread_id"]) is None
        with cp.sessions() as s:
            row = s.get(PendingChange, change)
            assert row is not None and row.applied_at is not None and row.result["applied"] is True
    finally:
        cp.close()


def test_an_applied_change_is_reported_even_when_the_model_fails_after_it(home: Path) -> None:
    class Down(ScriptedChatModel):
        def _generate(self, messages: Any, stop: Any = None, run_manager: Any = None, **kw: Any) -> Any:
            raise TimeoutError("the endpoint timed out")

    cp = copilot(home)
    failing = Copilot(cp.settings, model=Down(script=[], seen=[]), model_name="scripted")
    try:
        res = propose_bid(cp)
        done = failing.resume(res["thread_id"], approved=True, user="bob")
        assert bid_of(cp) == 1.5
        assert done["answer"].startswith("Applied: the bid of campaign 1") and "TimeoutError" in done["answer"]
        assert [c["status"] for c in done["tool_calls"]] == ["ok"] and done["pending_approval"] is None
        with cp.sessions() as s:
            run = s.get(Run, res["run_id"])
            assert run is not None and run.ended_at is not None and run.answer == done["answer"]
        # the next message on the thread finishes the pause (nothing is written again), then is answered
        cp.ask("hello", thread_id=res["thread_id"])
        assert cp._waiting(res["thread_id"]) is None and log_of(cp, res["run_id"]).count(("tool", "ok")) == 1
    finally:
        failing.close()
        cp.close()


def test_four_eyes_keep_the_proposer_from_approving_a_large_change(home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    cp = copilot(home, four_eyes_above_pct=50.0)
    try:
        res = propose_bid(cp, bid=1.5, user="alice")  # +87.5%
        with pytest.raises(FourEyes, match=r"87.5% change, above the four-eyes limit of 50%.*other than alice"):
            cp.resume(res["thread_id"], approved=True, user="alice")
        assert bid_of(cp) == 0.8 and cp.pending(res["thread_id"])  # refused, still waiting
        done = cp.resume(res["thread_id"], approved=True, user="bob", channel="slack")
        assert bid_of(cp) == 1.5 and done["settled"][0]["settled_by"] == {"user": "bob", "channel": "slack"}
        small = propose_bid(cp, bid=1.6, user="alice")  # +6.7%: the proposer may approve it
        cp.resume(small["thread_id"], approved=True, user="alice")
        assert bid_of(cp) == 1.6
        with cp.sessions() as s:
            approvals = s.scalars(select(Decision).where(Decision.kind == "approval").order_by(Decision.id)).all()
        assert [(a.result["proposed_by"]["user"], a.result["settled_by"]["user"]) for a in approvals] == [
            ("alice", "bob"),
            ("alice", "alice"),
        ]
    finally:
        cp.close()
    # `copilot decisions` shows who proposed and who settled each change
    from rich.console import Console
    from typer.testing import CliRunner

    from channels import cli
    from channels.cli import app

    env = {"COPILOT_HOME": str(home), "COPILOT_MODEL": "offline"}
    out = CliRunner().invoke(app, ["decisions", "--kind", "approval", "--format", "json"], env=env)
    rows = [json.loads(line) for line in out.stdout.splitlines()]
    assert [(r["proposed_by"]["user"], r["settled_by"], r["status"]) for r in rows] == [
        ("alice", {"user": "alice", "channel": "cli"}, "ok"),
        ("alice", {"user": "bob", "channel": "slack"}, "ok"),
    ]
    # the console is made when the CLI is imported (COLUMNS is read then): a wide one for the table
    monkeypatch.setattr(cli, "out", Console(width=250))
    table = CliRunner().invoke(app, ["decisions", "--kind", "approval"], env=env).stdout
    assert "bob (slack), proposed by alice (cli)" in table


def two_writes(first: dict[str, Any], second: dict[str, Any]) -> list[AIMessage]:
    """A reply with two write tool calls, to the bidding specialist."""
    return [
        AIMessage("", tool_calls=[tc("transfer_to_bidding", {})]),
        AIMessage("", tool_calls=[first, second]),
        AIMessage("done"),
    ]


def test_each_write_of_a_reply_is_approved_on_its_own_and_shared_ids_are_refused(home: Path) -> None:
    cp = copilot(home)
    model = ScriptedChatModel(
        script=two_writes(
            tc("set_campaign_bid", {"campaign_id": 1, "bid": 1.0}, "w1"),
            tc("set_campaign_budget", {"campaign_id": 2, "daily_budget": 350}, "w2"),
        ),
        seen=[],
    )
    two = Copilot(cp.settings, model=model, model_name="scripted")
    try:
        res = two.ask("set the bid of campaign 1 to 1 and the budget of campaign 2 to 350")
        p = res["pending_approval"]
        assert [(c["field"], c["to"]) for c in p["changes"]] == [("bid", 1.0), ("daily_budget", 350.0)]
        first = two.resume(res["thread_id"], approved=True)  # the next one: campaign 1's bid only
        assert bid_of(cp) == 1.0 and first["pending_approval"]["field"] == "daily_budget"
        assert "Approved change" in first["answer"]
        two.resume(res["thread_id"], approved=False)
        with cp.sessions() as s:
            assert s.get(Campaign, 2).daily_budget == 300.0  # type: ignore[union-attr]
        assert [k for k in log_of(cp, res["run_id"]) if k[0] in ("tool", "approval")] == [
            ("tool", "ok"),
            ("tool", "rejected"),
            ("approval", "ok"),
            ("approval", "rejected"),
        ]
        # one id on two calls: neither is shown nor run, and both are logged as refused
        model.script = two_writes(
            tc("set_campaign_bid", {"campaign_id": 1, "bid": 2.0}, "same"),
            tc("set_campaign_bid", {"campaign_id": 2, "bid": 4.0}, "same"),
        )
        dup = two.ask("set two bids")
        assert dup["pending_approval"] is None and bid_of(cp, 1) == 1.0 and bid_of(cp, 2) == 0.55
        assert [(c["status"], "id same" in (c["error"] or "")) for c in dup["tool_calls"]] == [
            ("error", True),
            ("error", True),
        ]
    finally:
        two.close()
        cp.close()


HOSTILE = "Spring sale[conceal]"


def test_previews_render_names_as_they_are() -> None:
    console = Console(record=True, width=300, color_system="truecolor")
    for name in (HOSTILE, "[bold red]x[/]", "x[/]", "\x1b[8mhidden", ":warning: [link=http://a]b[/link]"):
        change = {
            "id": 7,
            "target": {"kind": "campaign", "id": 1, "name": name},
            "field": "bid",
            "from": 0.8,
            "to": 49.0,
            "change_pct": 6025.0,
            "proposed_by": {"user": "[i]mallory", "channel": "cli"},
            "expires_at": "2026-01-02T00:00:00Z",
        }
        console.print(render_change(change))
        text = console.export_text()
        shown = name.replace("\x1b", "\\x1b")
        assert f"campaign 1 ({shown}): bid from 0.80 to 49.00 (+6025%)" in text, text
        assert "proposed by [i]mallory (cli)" in text
        assert "\x1b[8m" not in console.export_text(styles=True)


def test_the_cli_shows_a_hostile_name_and_the_change_after_it(home: Path) -> None:
    engine = make_engine(settings_of(home).db_url)
    with make_sessionmaker(engine).begin() as s:
        s.execute(update(Campaign).where(Campaign.id == 1).values(name=HOSTILE))
    engine.dispose()
    env = {**os.environ, "COPILOT_HOME": str(home), "COLUMNS": "250", "COPILOT_MODEL": "offline"}
    for var in ("OPENAI_API_KEY", "OPENAI_BASE_URL"):
        env.pop(var, None)
    p = subprocess.run(
        [sys.executable, "-m", "channels.cli", "ask", "set the bid of campaign 1 to 49", "--user", "alice"],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )
    assert p.returncode == 0, p.stderr
    assert f"campaign 1 ({HOSTILE}) from £0.80 to £49.00" in p.stdout, p.stdout
    assert f"#1 campaign 1 ({HOSTILE}): bid from 0.80 to 49.00" in p.stdout
    thread = p.stdout.split("| thread ")[1].split()[0]
    racers = [
        subprocess.Popen(
            [sys.executable, "-m", "channels.cli", "approve", thread, "--yes" if i % 2 else "--no", "--json"],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env={**env, "USER": f"r{i}", "LOGNAME": f"r{i}"},
        )
        for i in range(4)  # processes: two yes, two no (the 20-caller race above runs in threads)
    ]
    done = [(r.wait(timeout=300), *r.communicate()) for r in racers]
    wins = [json.loads(out) for rc, out, _ in done if rc == 0]
    assert len(wins) == 1, done
    assert all(rc == 1 and "already" in err and err.count("\n") == 1 for rc, _, err in done if rc != 0), done
    settled = wins[0]["settled"][0]
    cp = Copilot(settings_of(home))
    try:
        assert bid_of(cp) == (49.0 if settled["outcome"] == "approved" else 0.8)
    finally:
        cp.close()


def test_bad_approval_settings_are_one_line(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("COPILOT_HOME", str(tmp_path))
    monkeypatch.setenv("COPILOT_APPROVAL_TTL_HOURS", "soon")
    with pytest.raises(CopilotError, match="COPILOT_APPROVAL_TTL_HOURS must be a number above 0"):
        load_settings()
    monkeypatch.setenv("COPILOT_APPROVAL_TTL_HOURS", "2")
    monkeypatch.setenv("COPILOT_FOUR_EYES_ABOVE_PCT", "-5")
    with pytest.raises(CopilotError, match="COPILOT_FOUR_EYES_ABOVE_PCT must be a number of at least 0"):
        load_settings()
    monkeypatch.setenv("COPILOT_FOUR_EYES_ABOVE_PCT", "25")
    s = load_settings()
    assert s.approval_ttl == timedelta(hours=2) and s.four_eyes_above_pct == 25.0
    assert Policy().ttl == timedelta(hours=24)
