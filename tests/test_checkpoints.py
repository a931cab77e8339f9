"""Checkpoints keep only what a thread needs to resume: one checkpoint per thread and its writes, a
state without what no model reads again. So bytes per turn stay flat (they grew with the whole
conversation at every turn: quadratic), the models see the same history, and a pending approval
still resumes, across processes too."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import pytest
from langchain_core.messages import AIMessage, BaseMessage, HumanMessage

from copilot.app import Copilot
from copilot.checkpoints import PRUNED_VERSION, Checkpoints
from copilot.settings import Settings
from graphs.supervisor import MAX_HISTORY
from store.db import Campaign, make_engine, make_sessionmaker
from store.shop import load_demo_shop
from tests.test_graph import ScriptedChatModel, tc
from tools import Shop


@pytest.fixture
def home(tmp_path: Path, tiny_csv: Path) -> Path:
    home = tmp_path / "home"
    engine = make_engine(f"sqlite:///{home / 'shop.db'}")
    shop = Shop(make_sessionmaker(engine), home / "chroma")
    load_demo_shop(shop.sessions, shop.chroma, path=tiny_csv)
    engine.dispose()
    return home


def stored(home: Path) -> tuple[int, int]:
    """Rows and bytes the checkpoints file holds."""
    with sqlite3.connect(home / "checkpoints.sqlite") as conn:
        rows, size = 0, 0
        for table, column in (("checkpoints", "checkpoint"), ("writes", "value")):
            n, b = conn.execute(f"SELECT count(*), coalesce(sum(length({column})), 0) FROM {table}").fetchone()
            rows, size = rows + n, size + b
    return rows, size


def turn_script(i: int) -> list[AIMessage]:
    """One turn: route to profiling, call a read tool (a sizeable result), answer."""
    return [
        AIMessage("", tool_calls=[tc("transfer_to_profiling", {}, f"r{i}")]),
        AIMessage("", tool_calls=[tc("rfm_segments", {}, f"t{i}")]),
        AIMessage(f"answer {i}"),
    ]


def test_bytes_per_turn_stay_flat_and_the_models_see_the_same_history(home: Path) -> None:
    turns = 30
    model = ScriptedChatModel(script=[m for i in range(turns) for m in turn_script(i)], seen=[])
    cp = Copilot(Settings(home=home), model=model, model_name="scripted")
    sizes = {}
    try:
        for i in range(turns):
            cp.ask(f"question {i}", thread_id="long")
            sizes[i + 1] = stored(home)
    finally:
        cp.close()
    rows, _ = sizes[turns]
    assert rows == 1  # one checkpoint, no writes left over by a finished run
    first = sizes[10][1] - sizes[1][1]
    last = sizes[30][1] - sizes[20][1]
    assert last <= first + 2000, (first, last, sizes)  # not growing with the conversation
    # the supervisor of the last turn saw the last MAX_HISTORY questions and answers, as before pruning
    history: list[BaseMessage] = []
    for i in range(turns - 1):
        history += [HumanMessage(f"question {i}"), AIMessage(f"answer {i}")]
    expected = [*history[-(MAX_HISTORY - 1) :], HumanMessage(f"question {turns - 1}")]
    supervisor_seen = model.seen[-3][1:]  # after its system prompt
    assert [(type(m), m.content) for m in supervisor_seen] == [(type(m), m.content) for m in expected]


def bid_script(bid: float) -> list[AIMessage]:
    return [
        AIMessage("", tool_calls=[tc("transfer_to_bidding", {})]),
        AIMessage("", tool_calls=[tc("set_campaign_bid", {"campaign_id": 1, "bid": bid})]),
        AIMessage("bid set"),
    ]


def test_a_pending_approval_still_resumes_after_pruning(home: Path) -> None:
    reads = [m for i in range(3) for m in turn_script(i)]
    model = ScriptedChatModel(script=[*reads, *bid_script(1.5)], seen=[])
    cp = Copilot(Settings(home=home), model=model, model_name="scripted")
    try:
        for i in range(3):
            cp.ask(f"question {i}", thread_id="t")
        res = cp.ask("set the bid of campaign 1 to 1.5", thread_id="t")
        assert res["pending_approval"] is not None
        assert stored(home)[0] >= 1
    finally:
        cp.close()
    # another process (a fresh copilot on the same files) approves
    again = Copilot(Settings(home=home), model=ScriptedChatModel(script=[AIMessage("bid set")], seen=[]))
    try:
        done = again.resume("t", approved=True, user="bob")
        assert done["answer"] == "bid set" and done["pending_approval"] is None
        with again.sessions() as s:
            campaign = s.get(Campaign, 1)
            assert campaign is not None and campaign.bid == 1.5
    finally:
        again.close()
    assert stored(home)[0] == 1


def test_a_file_from_before_pruning_is_pruned_once_when_opened(tmp_path: Path) -> None:
    path = tmp_path / "checkpoints.sqlite"
    saver = Checkpoints.open(path)
    conn = saver.conn
    conn.execute("PRAGMA user_version=0")  # as a file written before pruning
    blob = b"x" * 1000
    for thread in ("a", "b"):
        for k in range(5):
            conn.execute(
                "INSERT INTO checkpoints (thread_id, checkpoint_ns, checkpoint_id, type, checkpoint) VALUES (?, '', ?, 'bytes', ?)",
                (thread, f"id{k}", blob),
            )
            conn.execute(
                "INSERT INTO writes (thread_id, checkpoint_ns, checkpoint_id, task_id, idx, channel, type, value) "
                "VALUES (?, '', ?, 'task', 0, 'c', 'bytes', ?)",
                (thread, f"id{k}", blob),
            )
    conn.commit()
    conn.close()
    saver = Checkpoints.open(path)
    try:
        kept = saver.conn.execute("SELECT thread_id, checkpoint_id FROM checkpoints ORDER BY thread_id").fetchall()
        writes = saver.conn.execute("SELECT thread_id, checkpoint_id FROM writes ORDER BY thread_id").fetchall()
        version = saver.conn.execute("PRAGMA user_version").fetchone()[0]
    finally:
        saver.conn.close()
    assert kept == [("a", "id4"), ("b", "id4")] and writes == kept and version == PRUNED_VERSION


def test_prune_keeps_the_latest_per_thread_or_deletes(tmp_path: Path) -> None:
    saver = Checkpoints.open(tmp_path / "c.sqlite")
    try:
        for thread in ("a", "b"):
            for k in range(3):
                saver.conn.execute(
                    "INSERT INTO checkpoints (thread_id, checkpoint_ns, checkpoint_id, type, checkpoint) "
                    "VALUES (?, '', ?, 'bytes', x'00')",
                    (thread, f"id{k}"),
                )
        saver.conn.commit()
        saver.prune(["a"])
        rows: Any = saver.conn.execute("SELECT thread_id, count(*) FROM checkpoints GROUP BY thread_id").fetchall()
        assert rows == [("a", 1), ("b", 3)]
        saver.prune(["b"], strategy="delete")
        assert saver.conn.execute("SELECT thread_id FROM checkpoints").fetchall() == [("a",)]
        with pytest.raises(ValueError, match="unknown prune strategy"):
            saver.prune(["a"], strategy="most")
    finally:
        saver.conn.close()
