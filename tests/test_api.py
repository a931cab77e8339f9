"""The HTTP API over real HTTP: uvicorn on a free loopback port in a thread, a real SQLite file, the
offline model. Roles (401/403), the approval race through the API, stale and expired approvals,
hostile names in previews, the event stream, bad input, and the model key never shown."""

from __future__ import annotations

import hashlib
import json
import logging
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select, update
from sqlalchemy.engine import make_url
from typer.testing import CliRunner

from channels.api import create_app
from channels.cli import app as cli_app
from copilot.settings import Settings
from store.db import Campaign, Decision, PendingChange, Run, make_engine, make_sessionmaker, utcnow
from store.shop import load_demo_shop
from tests.serving import ROLES, bounded, serving, tiny_home
from tools import Shop

SECRET = "sk-test-never-shown-4a1f"  # the model endpoint's key: in the settings, never in an answer or a log
RACERS = 20
TEST_SECONDS = 180  # no test here may take longer


@pytest.fixture(autouse=True)
def _bounded() -> Iterator[None]:
    """Each test is stopped after TEST_SECONDS (every request has its own, shorter timeout too)."""
    with bounded(TEST_SECONDS):
        yield


class _Logged(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(self.format(record))


class Server:
    """A running API: its base URL, its home's database, a token per role and one per racer."""

    def __init__(self, url: str, home: Path, db_url: str, tokens: dict[str, str], logged: _Logged) -> None:
        self.url = url
        self.home = home
        self.tokens = tokens
        self.logged = logged
        self.sessions = make_sessionmaker(make_engine(db_url))
        self.bodies: list[str] = []  # every answer's text, checked for the key at the end

    def client(self, role: str | None = None, **headers: str) -> httpx.Client:
        if role is not None:
            headers["Authorization"] = f"Bearer {self.tokens[role]}"

        def keep(response: httpx.Response) -> None:
            if "text/event-stream" not in response.headers.get("content-type", ""):
                response.read()
                self.bodies.append(response.text)

        return httpx.Client(base_url=self.url, headers=headers, timeout=60.0, event_hooks={"response": [keep]})

    def bid(self, campaign: int) -> float:
        with self.sessions() as s:
            return float(s.scalar(select(Campaign.bid).where(Campaign.id == campaign)) or 0.0)

    def last_run(self, channel: str) -> int:
        with self.sessions() as s:
            return int(s.scalar(select(func.max(Run.id)).where(Run.channel == channel)) or 0)

    def counts(self) -> list[int]:
        """Runs, decisions and pending changes in the log."""
        with self.sessions() as s:
            return [int(s.scalar(select(func.count()).select_from(m)) or 0) for m in (Run, Decision, PendingChange)]


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def server(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """The API on loopback over the tiny shop, in a SQLite file and then in a PostgreSQL database."""
    from evals.postgres import create_database, drop_database

    home = tmp_path_factory.mktemp("api-home")
    db_url, pg = f"sqlite:///{home / 'shop.db'}", None
    if request.param == "postgresql":
        pg = request.getfixturevalue("pg_server")
        db_url = create_database(pg, f"api_{uuid.uuid4().hex[:12]}")
        (home / "settings.json").write_text(json.dumps({"database_url": db_url}))  # for the CLI and workers
    tokens = tiny_home(home, db_url, racers=RACERS)
    logged = _Logged()
    logging.getLogger().addHandler(logged)
    settings = Settings(home=home, database_url="" if pg is None else db_url, model="offline", openai_api_key=SECRET)
    try:
        with serving(create_app(settings)) as url:
            s = Server(url, home, db_url, tokens, logged)
            try:
                yield s
            finally:
                s.sessions.kw["bind"].dispose()
    finally:
        logging.getLogger().removeHandler(logged)
        if pg is not None:
            drop_database(pg, make_url(db_url).database or "")


def propose(server: Server, campaign: int, bid: float, role: str = "marketer") -> dict[str, Any]:
    with server.client(role) as c:
        r = c.post("/v1/ask", json={"message": f"set the bid of campaign {campaign} to {bid}"})
    assert r.status_code == 200, r.text
    res = r.json()
    p = res["pending_approval"]
    assert p is not None and (p["target"]["id"], p["field"], p["to"]) == (campaign, "bid", bid), res
    return res


def only_error(r: httpx.Response, status: int) -> str:
    """A 4xx answer is one JSON object with one field, error, in one line."""
    assert r.status_code == status, (r.status_code, r.text)
    body = r.json()
    assert list(body) == ["error"] and isinstance(body["error"], str), body
    assert "\n" not in body["error"] and "Traceback" not in r.text
    return str(body["error"])


def test_health_checks_need_no_token_and_the_docs_are_served(server: Server) -> None:
    with server.client() as c:
        assert c.get("/healthz").json() == {"status": "ok"}
        ready = c.get("/readyz")
        assert ready.status_code == 200 and ready.json()["ready"] is True
        assert ready.json()["catalog_documents"] == ready.json()["products"] > 0
        assert c.get("/docs").status_code == 200
        paths = c.get("/openapi.json").json()["paths"]
    assert {"/v1/ask", "/v1/threads/{thread_id}/approval", "/v1/threads/{thread_id}", "/v1/decisions"} <= set(paths)
    assert {"/v1/feedback", "/healthz", "/readyz"} <= set(paths)


def test_each_role_gets_401_without_a_valid_token_and_403_beyond_its_role(server: Server) -> None:
    res = propose(server, 3, 0.45)  # a thread waiting on a change, proposed by the marketer
    thread = res["thread_id"]
    routes: list[tuple[str, str, dict[str, Any] | None, str]] = [  # method, path, body, the role it needs
        ("GET", "/v1/me", None, "viewer"),
        ("GET", f"/v1/threads/{thread}", None, "viewer"),
        ("GET", "/v1/decisions?limit=5", None, "viewer"),
        ("POST", "/v1/ask", {"message": "which customers are about to lapse?"}, "marketer"),
        ("POST", "/v1/feedback", {"run_id": res["run_id"], "up": True}, "marketer"),
        ("POST", f"/v1/threads/{thread}/approval", {"approve": False, "change_id": 10**6}, "approver"),
        ("GET", "/v1/tokens", None, "admin"),
    ]
    for method, path, body, _ in routes:
        for headers in ({}, {"Authorization": "Bearer mcp_not-a-token"}, {"Authorization": "Basic YTpi"}):
            with server.client(**headers) as c:
                r = c.request(method, path, json=body)
            assert "valid token is needed" in only_error(r, 401) and r.headers["www-authenticate"] == "Bearer"
    for role in ROLES:
        with server.client(role) as c:
            for method, path, body, needs in routes:
                r = c.request(method, path, json=body)
                if ROLES.index(role) < ROLES.index(needs):
                    assert f"needs the {needs} role" in only_error(r, 403), (role, path)
                else:
                    assert r.status_code in (200, 201, 404), (role, path, r.text)  # 404: the made-up change id
    # a marketer cannot settle a change by answering "yes" on the thread either
    with server.client("marketer") as c:
        r = c.post("/v1/ask", json={"message": "yes", "thread_id": thread})
    assert "may not approve or reject" in only_error(r, 403)
    assert server.bid(3) == 0.4
    with server.client("approver") as c:
        done = c.post("/v1/ask", json={"message": "no", "thread_id": thread}).json()
    assert done["settled"][0]["outcome"] == "rejected" and done["settled"][0]["settled_by"]["user"] == "a-approver"
    # a revoked token stops working at once
    with server.client("admin") as c:
        made = c.post("/v1/tokens", json={"name": "temp", "role": "viewer"})
        assert made.status_code == 201 and made.json()["token"].startswith("mcp_")
        assert "exists" in only_error(c.post("/v1/tokens", json={"name": "temp", "role": "viewer"}), 409)
        with server.client(Authorization=f"Bearer {made.json()['token']}") as temp:
            assert temp.get("/v1/decisions").status_code == 200
            assert c.delete("/v1/tokens/temp").json()["revoked_at"] is not None
            only_error(temp.get("/v1/decisions"), 401)
        listed = c.get("/v1/tokens", params={"revoked": True}).json()["tokens"]
    assert all(set(t) == {"name", "role", "created_at", "revoked_at"} for t in listed)  # never a secret or a hash


def test_me_says_who_a_token_is_and_the_web_chat_is_logged_on_its_channel(server: Server) -> None:
    for role in ROLES:
        with server.client(role) as c:
            me = c.get("/v1/me").json()
        assert (me["name"], me["role"]) == (f"{role[0]}-{role}", role)
        assert me["can"] == {
            action: ROLES.index(role) >= i for i, action in enumerate(["read", "ask", "approve", "admin"])
        }
    with server.client("approver") as c:
        res = c.post("/v1/ask", json={"message": "set the bid of campaign 2 to 0.65", "channel": "web"}).json()
        thread = res["thread_id"]
        done = c.post(f"/v1/threads/{thread}/approval", json={"approve": False, "channel": "web"}).json()
        assert "channel: Input should be 'api' or 'web'" in only_error(
            c.post("/v1/ask", json={"message": "hi", "channel": "slack"}), 422
        )
    assert res["pending_approval"]["proposed_by"] == {"user": "a-approver", "channel": "web"}
    assert done["settled"][0]["settled_by"] == {"user": "a-approver", "channel": "web"}
    with server.sessions() as s:
        assert [r.channel for r in s.scalars(select(Run).where(Run.thread_id == thread))] == ["web"]
    with server.client("marketer") as c:  # the default stays "api"
        assert c.post("/v1/ask", json={"message": "hi"}).json()["run_id"] == server.last_run("api")


def test_racing_approvals_over_http_settle_once_and_the_shop_matches(server: Server) -> None:
    before = server.bid(1)
    res = propose(server, 1, 1.5)
    thread, change = res["thread_id"], res["pending_approval"]["id"]
    barrier = threading.Barrier(RACERS)
    answers: list[httpx.Response | None] = [None] * RACERS

    def approver(i: int) -> None:
        with server.client(f"r{i}") as c:
            barrier.wait(timeout=30)
            answers[i] = c.post(f"/v1/threads/{thread}/approval", json={"approve": i % 2 == 0})

    racers = [threading.Thread(target=approver, args=(i,)) for i in range(RACERS)]
    for t in racers:
        t.start()
    for t in racers:
        t.join(timeout=120)
    got = [a for a in answers if a is not None]
    assert len(got) == RACERS
    wins = [(i, a) for i, a in enumerate(answers) if a is not None and a.status_code == 200]
    assert len(wins) == 1, [a.status_code for a in got]
    winner, won = wins[0]
    settled = won.json()["settled"][0]
    approved = winner % 2 == 0
    assert settled["outcome"] == ("approved" if approved else "rejected")
    assert settled["settled_by"] == {"user": f"r{winner}", "channel": "api"}
    assert won.json()["pending_approval"] is None
    verb = "approved" if approved else "rejected"
    for i, a in enumerate(answers):
        if i == winner:
            continue
        assert a is not None and a.status_code == 409, (i, a and a.text)
        body = a.json()
        assert f"already {verb} by r{winner} (api) at " in body["error"]
        assert body["settled_by"] == {"user": f"r{winner}", "channel": "api"} and body["settled_at"]
    assert server.bid(1) == (1.5 if approved else before)
    with server.sessions() as s:
        row = s.get(PendingChange, change)
        assert row is not None and row.state == verb and row.settled_by == f"r{winner}"
        kinds = [(d.kind, d.status) for d in s.scalars(select(Decision).where(Decision.run_id == res["run_id"]))]
        run = s.get(Run, res["run_id"])
        assert run is not None and run.ended_at is not None and run.channel == "api" and run.user == "m-marketer"
    assert [k for k in kinds if k[0] == "approval"] == [("approval", "ok" if approved else "rejected")]
    assert kinds.count(("tool", "ok")) == (1 if approved else 0)
    # the thread, read back: the change as it ended, who proposed it and who settled it
    with server.client("viewer") as c:
        seen = c.get(f"/v1/threads/{thread}").json()
    assert seen["pending_approval"] is None and seen["runs"][0]["user"] == "m-marketer"
    [row_seen] = seen["changes"]
    assert row_seen["proposed_by"] == {"user": "m-marketer", "channel": "api"} and row_seen["state"] == verb


def test_a_stale_approval_is_refused_with_a_fresh_preview(server: Server) -> None:
    res = propose(server, 2, 0.9)
    shown = res["pending_approval"]["from"]
    with server.sessions.begin() as s:  # someone moves the bid after the preview was shown
        s.execute(update(Campaign).where(Campaign.id == 2).values(bid=0.7))
    with server.client("approver") as c:
        r = c.post(f"/v1/threads/{res['thread_id']}/approval", json={"approve": True})
        assert r.status_code == 200, r.text
        stale = r.json()
        assert server.bid(2) == 0.7  # nothing written
        assert stale["settled"][0]["outcome"] == "stale" and f"is 0.7 now, not {shown} as shown" in stale["answer"]
        fresh = stale["pending_approval"]
        assert (fresh["from"], fresh["to"]) == (0.7, 0.9) and fresh["id"] != res["pending_approval"]["id"]
        old = c.post(
            f"/v1/threads/{res['thread_id']}/approval",
            json={"approve": True, "change_id": res["pending_approval"]["id"]},
        )
        assert old.status_code == 409 and "fresh preview is change" in old.json()["error"]
        done = c.post(f"/v1/threads/{res['thread_id']}/approval", json={"approve": True, "change_id": fresh["id"]})
    assert done.status_code == 200 and done.json()["settled"][0]["outcome"] == "approved"
    assert server.bid(2) == 0.9


def test_an_expired_change_cannot_be_approved(server: Server) -> None:
    before = server.bid(3)
    res = propose(server, 3, 0.5)
    with server.sessions.begin() as s:  # the approval time limit passes
        s.execute(
            update(PendingChange)
            .where(PendingChange.id == res["pending_approval"]["id"])
            .values(expires_at=utcnow().replace(year=2000))
        )
    with server.client("approver") as c:
        r = c.post(f"/v1/threads/{res['thread_id']}/approval", json={"approve": True})
        body = r.json()
        assert (
            r.status_code == 409 and "expired at" in body["error"] and "ask again for a fresh preview" in body["error"]
        )
        assert body["settled_by"] == {"user": "clock", "channel": "system"}
        again = c.post(f"/v1/threads/{res['thread_id']}/approval", json={"approve": True})
        assert again.status_code == 409
    assert server.bid(3) == before


HOSTILE = (  # within the 128 characters a campaign's name may hold (PostgreSQL refuses a longer one)
    "Sale[conceal]<script>alert(1)</script>{{7*7}}$(touch PWNED)"
    '\';DROP TABLE x;--"\x1b[8m\nevent: answer\ndata: {"forged":1}\n\n:warning:'
)
assert len(HOSTILE) <= 128


def test_a_hostile_name_comes_back_as_data_and_is_never_run(server: Server, tmp_path: Path, monkeypatch: Any) -> None:
    monkeypatch.chdir(tmp_path)  # where `touch PWNED` would land
    with server.sessions.begin() as s:
        old = s.scalar(select(Campaign.name).where(Campaign.id == 1))
        s.execute(update(Campaign).where(Campaign.id == 1).values(name=HOSTILE))
    try:
        before = server.bid(1)
        with server.client("marketer") as c:
            r = c.post("/v1/ask", json={"message": "set the bid of campaign 1 to 2.25"})
        assert r.headers["content-type"].startswith("application/json")
        res = r.json()
        p = res["pending_approval"]
        assert p["target"]["name"] == HOSTILE and p["changes"][0]["name"] == HOSTILE  # unchanged, as data
        assert p["pending"][0]["preview"]["name"] == HOSTILE
        # streamed: the name stays inside one JSON data line; no event is forged
        with (
            server.client("marketer", Accept="text/event-stream") as c,
            c.stream("POST", "/v1/ask", json={"message": "set the bid of campaign 1 to 2.5"}) as stream,
        ):
            events = parse_sse(stream.iter_lines())
        assert [e for e, _ in events] == ["route", "tool_call", "pending_approval", "answer"]
        assert not any(isinstance(d, dict) and "forged" in d for _, d in events)
        assert events[2][1]["target"]["name"] == HOSTILE
        with server.client("viewer") as c:
            seen = c.get(f"/v1/threads/{res['thread_id']}").json()
        assert seen["changes"][0]["target"]["name"] == HOSTILE
        with server.client("approver") as c:
            for thread in (res["thread_id"], events[-1][1]["thread_id"]):
                assert c.post(f"/v1/threads/{thread}/approval", json={"approve": False}).status_code == 200
        assert server.bid(1) == before
        with server.sessions() as s:
            assert s.scalar(select(func.count()).select_from(Campaign)) == 3  # the table is there
        assert not (tmp_path / "PWNED").exists() and not Path("PWNED").exists()
    finally:
        with server.sessions.begin() as s:
            s.execute(update(Campaign).where(Campaign.id == 1).values(name=old))


def parse_sse(lines: Any) -> list[tuple[str, Any]]:
    """The events of a text/event-stream: (event, its JSON data), pings left out."""
    events: list[tuple[str, Any]] = []
    kind, data = None, []
    for line in lines:
        if line.startswith(":"):
            continue
        if not line:
            if kind is not None:
                events.append((kind, json.loads("\n".join(data))))
            kind, data = None, []
        elif line.startswith("event:"):
            kind = line.removeprefix("event:").strip()
        elif line.startswith("data:"):
            data.append(line.removeprefix("data:").removeprefix(" "))
    return events


def test_the_event_stream_comes_in_order_and_ends_with_the_contract(server: Server) -> None:
    with server.client("marketer", Accept="text/event-stream") as c:
        with c.stream("POST", "/v1/ask", json={"message": "which customers are about to lapse?"}) as r:
            assert r.status_code == 200 and r.headers["content-type"].startswith("text/event-stream")
            read = parse_sse(r.iter_lines())
        with c.stream("POST", "/v1/ask", json={"message": "set the bid of campaign 3 to 0.55"}) as r:
            write = parse_sse(r.iter_lines())
    assert [e for e, _ in read] == ["route", "tool_call", "tool_result", "answer"]
    assert read[0][1]["route"] == ["profiling"] and read[1][1]["name"] == read[2][1]["name"] == "lapsing_customers"
    assert read[1][1]["id"] == read[2][1]["id"] and read[2][1]["status"] == "ok"
    contract = read[-1][1]
    assert contract["route"] == ["profiling"] and contract["tool_calls"][0]["name"] == "lapsing_customers"
    assert [e for e, _ in write] == ["route", "tool_call", "pending_approval", "answer"]
    assert write[2][1] == write[3][1]["pending_approval"] and write[2][1]["to"] == 0.55
    # the approval, streamed too? no: it is one request, one contract; the stream is for asking
    with server.client("approver") as c:
        r = c.post(f"/v1/threads/{write[3][1]['thread_id']}/approval", json={"approve": False})
    assert r.status_code == 200 and r.json()["settled"][0]["outcome"] == "rejected"


def test_ask_returns_the_contract_of_copilot_ask_json(server: Server) -> None:
    question = "which customers are about to lapse?"
    with server.client("marketer") as c:
        api = c.post("/v1/ask", json={"message": question}).json()
    cli = CliRunner().invoke(
        cli_app,
        ["ask", question, "--json", "--user", "cli-user"],
        env={"COPILOT_HOME": str(server.home), "COPILOT_MODEL": "offline"},
    )
    assert cli.exit_code == 0, cli.output
    mine = json.loads(cli.stdout)
    assert list(api) == list(mine)  # the same fields, in the same order
    differ = {"thread_id", "run_id", "decision_ids"}
    assert {k: v for k, v in api.items() if k not in differ} == {k: v for k, v in mine.items() if k not in differ}


def test_threads_are_listed_and_an_answers_list_and_chart_are_served_as_files(server: Server) -> None:
    with server.client("marketer") as c:
        res = c.post("/v1/ask", json={"message": "monthly sales report for 2011"}).json()
        mine = c.get("/v1/threads", params={"user": "m-marketer"}).json()["threads"]
        assert mine[0]["thread_id"] == res["thread_id"] and mine[0]["title"] == "monthly sales report for 2011"
        assert mine[0]["runs"] == 1 and mine[0]["last_at"].endswith("Z")
        assert c.get("/v1/threads", params={"user": "nobody"}).json() == {"threads": []}
        files = c.get(f"/v1/runs/{res['run_id']}/files").json()["files"]
        assert {f["kind"] for f in files} == {"csv", "chart"} and all("path" not in f for f in files), files
        table = next(f for f in files if f["kind"] == "csv")
        got = c.get(table["url"])
        assert got.headers["content-type"].startswith("text/csv") and "attachment" in got.headers["content-disposition"]
        assert len(got.text.strip().splitlines()) == table["rows"] + 1
        chart = c.get(next(f for f in files if f["kind"] == "chart")["url"])
        assert chart.headers["content-type"] == "image/png" and chart.content[:8] == b"\x89PNG\r\n\x1a\n"
        assert "no file" in only_error(c.get(f"/v1/runs/{res['run_id']}/files/shop.db"), 404)
        only_error(c.get(f"/v1/runs/{res['run_id']}/files/..%2F..%2Fshop.db"), 404)
        assert "no run" in only_error(c.get("/v1/runs/999999/files"), 404)
    with server.client() as c:
        assert c.get("/v1/threads").status_code == 401


def test_bad_input_is_one_json_error_with_nothing_logged(server: Server) -> None:
    res = propose(server, 2, 1.1)
    thread = res["thread_id"]
    with server.client("approver") as c:
        assert c.post(f"/v1/threads/{thread}/approval", json={"approve": False}).status_code == 200
    before = server.counts()
    raw = {"Content-Type": "application/json"}
    with server.client("admin") as c:
        cases: list[tuple[httpx.Response, int, str]] = [
            (c.post("/v1/ask", content=b'{"message": ', headers=raw), 400, "not valid JSON"),
            (c.post("/v1/ask", content=b"[1, 2]", headers=raw), 422, "must be a JSON object"),
            (c.post("/v1/ask", content=b"message=hi", headers={"Content-Type": "text/plain"}), 415, "as JSON"),
            (c.post("/v1/ask", json={}), 422, "message: is required"),
            (c.post("/v1/ask", json={"message": 42}), 422, "message: Input should be a valid string"),
            (c.post("/v1/ask", json={"message": "hi", "approve": True}), 422, "approve: is not a field here"),
            (c.post("/v1/ask", json={"message": "x" * 4001}), 422, "4,001 characters; keep it under 4,000"),
            (c.post("/v1/ask", content=b'{"message": "\\ud800"}', headers=raw), 422, "lone surrogate"),
            (c.post("/v1/ask", json={"message": "y" * 70_000}), 413, "over 65,536 bytes"),
            (c.post("/v1/ask", json={"message": "hi", "thread_id": "no-such"}), 404, "no thread no-such"),
            (c.post("/v1/ask", json={"message": "hi", "thread_id": "a\x07b"}), 422, "thread_id"),
            (c.get("/v1/threads/no-such"), 404, "no thread no-such"),
            (c.post("/v1/threads/no-such/approval", json={"approve": True}), 404, "no thread no-such"),
            (c.post(f"/v1/threads/{thread}/approval", json={"approve": "yes"}), 422, "approve: Input should be"),
            (c.post(f"/v1/threads/{thread}/approval", json={"approve": True}), 409, "already rejected by a-approver"),
            (c.post(f"/v1/threads/{thread}/approval", json={"approve": True, "change_id": 2**40}), 422, "change_id"),
            (
                c.post(f"/v1/threads/{thread}/approval", json={"approve": True, "change_id": 1, "all": True}),
                422,
                "not both",
            ),
            (c.get("/v1/decisions", params={"since": "yesterday"}), 422, "since 'yesterday'"),
            (c.get("/v1/decisions", params={"limit": 0}), 422, "limit"),
            (c.post("/v1/feedback", json={"run_id": 10**9, "up": True}), 404, "no run 1000000000"),
            (c.post("/v1/feedback", json={"run_id": 1, "up": True, "comment": "z" * 2001}), 422, "comment"),
            (c.post("/v1/tokens", json={"name": "bad name", "role": "viewer"}), 422, "a token name is"),
            (c.post("/v1/tokens", json={"name": "x", "role": "boss"}), 422, "role"),
            (c.get("/v1/nothing-here"), 404, "Not Found"),
        ]
    for r, status, says in cases:
        if status == 409:
            assert r.status_code == 409 and says in r.json()["error"], r.text
            continue
        assert says in only_error(r, status), (status, says, r.text)
    assert server.counts() == before  # no run, decision or change came of any of them


def test_a_bug_is_one_line_without_its_message_and_the_key_is_never_shown(server: Server, monkeypatch: Any) -> None:
    from copilot.app import Copilot

    def broken(self: Copilot, thread_id: str, **kw: Any) -> Any:
        raise RuntimeError(f"a bug that quotes the settings: {self.settings.openai_api_key}")

    res = propose(server, 3, 0.6)
    monkeypatch.setattr(Copilot, "thread", broken)
    with server.client("viewer") as c:
        r = c.get(f"/v1/threads/{res['thread_id']}")
    assert r.status_code == 500 and r.json() == {
        "error": "internal error (RuntimeError); the decision log shows what ran, the server log says when"
    }
    monkeypatch.undo()
    with server.client("approver") as c:
        c.post(f"/v1/threads/{res['thread_id']}/approval", json={"approve": False})
    assert SECRET not in repr(Settings(openai_api_key=SECRET))
    logged = "\n".join(server.logged.lines)
    assert "GET /v1/threads/" in logged and "RuntimeError" in logged  # the server's log has the line
    assert "Traceback" not in logged and SECRET not in logged
    assert server.bodies and not any(SECRET in b for b in server.bodies)
    assert not any(t in logged or any(t in b for b in server.bodies) for t in server.tokens.values())


def test_token_commands_print_the_secret_once_and_keep_its_hash(tmp_path: Path) -> None:
    env = {"COPILOT_HOME": str(tmp_path / "home")}
    made = CliRunner().invoke(cli_app, ["token", "create", "--name", "dana", "--role", "approver"], env=env)
    assert made.exit_code == 0, made.output
    secret = made.stdout.strip()
    assert secret.startswith("mcp_") and len(secret) > 40
    again = CliRunner().invoke(cli_app, ["token", "create", "--name", "dana", "--role", "viewer"], env=env)
    assert again.exit_code == 1 and "exists; revoke it first" in str(again.exception)
    bad = CliRunner().invoke(cli_app, ["token", "create", "--name", "dana", "--role", "boss"], env=env)
    assert "the role must be one of viewer, marketer, approver, admin" in str(bad.exception)
    listed = CliRunner().invoke(cli_app, ["token", "list", "--json"], env=env).stdout
    assert json.loads(listed)["name"] == "dana" and secret not in listed
    db = (tmp_path / "home" / "shop.db").read_bytes()
    assert secret.encode() not in db and hashlib.sha256(secret.encode()).hexdigest().encode() in db
    assert CliRunner().invoke(cli_app, ["token", "revoke", "dana"], env=env).exit_code == 0
    assert CliRunner().invoke(cli_app, ["token", "list", "--json"], env=env).stdout == ""
    assert "revoked_at" in CliRunner().invoke(cli_app, ["token", "list", "--revoked", "--json"], env=env).stdout
    made = CliRunner().invoke(cli_app, ["token", "create", "--name", "dana", "--role", "viewer"], env=env)
    assert made.exit_code == 0  # the name is free again


def test_copilot_serve_runs_as_a_command_with_workers(server: Server, tmp_path: Path) -> None:
    """`copilot serve --workers 2` on the same home: two processes, one shop, the same tokens."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = {
        **os.environ,
        "COPILOT_HOME": str(server.home),
        "COPILOT_MODEL": "offline",
        "PYTHONPATH": str(Path(__file__).resolve().parents[1]),
    }
    proc = subprocess.Popen(
        [sys.executable, "-m", "channels.cli", "serve", "--port", str(port), "--workers", "2", "--no-access-log"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 120
        while True:
            assert proc.poll() is None and time.monotonic() < deadline, "copilot serve did not start"
            try:
                if httpx.get(f"{url}/readyz", timeout=5).status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.5)
        with httpx.Client(base_url=url, timeout=60) as c:
            assert c.get("/v1/decisions").status_code == 401
            auth = {"Authorization": f"Bearer {server.tokens['viewer']}"}
            assert all(c.get("/v1/decisions", headers=auth).status_code == 200 for _ in range(6))
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            out, _ = proc.communicate(timeout=60)
        except subprocess.TimeoutExpired:
            proc.kill()
            out, _ = proc.communicate()
    assert "Traceback" not in out and out.count("Started server process") == 2, out


def test_the_service_benchmark_runs_briefly_and_audits_the_log(
    db_url: str, tmp_path: Path, tiny_csv: Path, monkeypatch: Any
) -> None:
    """evals/service_load.py for two seconds on a copy of the tiny shop (a SQLite file, then a PostgreSQL
    database): its own server, no errors, every race settled once, nothing applied twice or orphaned
    (the real run is 50 clients for 60 s)."""
    from evals import service_load

    home = tmp_path / "home"
    home.mkdir()
    if db_url.startswith("postgres"):
        (home / "settings.json").write_text(json.dumps({"database_url": db_url}))
    else:
        db_url = f"sqlite:///{home / 'shop.db'}"
    engine = make_engine(db_url)
    load_demo_shop(make_sessionmaker(engine), Shop(make_sessionmaker(engine), home / "chroma").chroma, path=tiny_csv)
    engine.dispose()
    monkeypatch.setenv("COPILOT_HOME", str(home))
    monkeypatch.setenv("COPILOT_MODEL", "offline")
    res = service_load.run(clients=5, seconds=2.0, racers=3)
    assert res["database"] == db_url.split(":")[0].split("+")[0]
    assert res["requests"] > 0 and res["errors"] == 0, res["first_errors"]
    assert res["applied_twice"] == 0 and res["orphaned"] == 0 and res["server_tracebacks"] == 0
    assert res["races"] >= 1 and res["races_settled_once"] == res["races_shop_matched"] == res["races"]
    assert {"p50_ms", "p95_ms", "p99_ms", "requests_per_s"} <= set(res)
    with pytest.raises(ValueError, match="--racers must be at least 2"):
        service_load.run(clients=3, seconds=1.0, racers=3)
