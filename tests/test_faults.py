"""Faults a marketer can meet leave the copilot consistent and audited: each exits 1 with one line
that says what to do, and a request it stops is logged as a run that failed, with its decision row
(the run closed, not left open). Exit 2 is left for bugs. The OpenAI path runs against servers
started here on loopback: one that is down, one that answers with what is not a chat completion."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from langchain_core.messages import AIMessage
from sqlalchemy import select

from copilot import CopilotError, ModelError, SettingsError, StorageError
from copilot.app import Copilot
from copilot.settings import Settings, load_settings
from store.db import Decision, Run, make_engine, make_sessionmaker
from store.shop import load_demo_shop
from tests.test_graph import ScriptedChatModel, tc
from tests.test_openai_path import FakeOpenAI, completion
from tools import Shop


@pytest.fixture
def home(tmp_path: Path, tiny_csv: Path) -> Path:
    """A copilot home holding the tiny shop."""
    home = tmp_path / "home"
    engine = make_engine(f"sqlite:///{home / 'shop.db'}")
    shop = Shop(make_sessionmaker(engine), home / "chroma")
    load_demo_shop(shop.sessions, shop.chroma, path=tiny_csv)
    engine.dispose()
    return home


@pytest.fixture
def fake() -> Any:
    f = FakeOpenAI()
    yield f
    f.server.shutdown()


def closed_port() -> int:
    """A loopback port nothing listens on."""
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = int(s.getsockname()[1])
    s.close()
    return port


def cli(home: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    full = {**os.environ, "COPILOT_HOME": str(home), "COLUMNS": "250", **env}
    for var in ("OPENAI_API_KEY", "OPENAI_BASE_URL", "COPILOT_MODEL", "COPILOT_DEBUG"):
        if var not in env:
            full.pop(var, None)
    return subprocess.run(
        [sys.executable, "-m", "channels.cli", *args], capture_output=True, text=True, env=full, timeout=120
    )


def one_line(p: subprocess.CompletedProcess[str], *words: str) -> str:
    """The failure is exit 1 and one line on stderr, no traceback, saying each of `words`."""
    assert p.returncode == 1, (p.returncode, p.stderr)
    line = p.stderr.strip()
    assert line.startswith("error: ") and "\n" not in line and "Traceback" not in line, p.stderr
    for w in words:
        assert w in line, (w, line)
    return line


def runs(home: Path) -> list[tuple[Run, list[Decision]]]:
    engine = make_engine(f"sqlite:///{home / 'shop.db'}")
    try:
        with make_sessionmaker(engine)() as s:
            out = []
            for run in s.scalars(select(Run).order_by(Run.id)):
                rows = list(s.scalars(select(Decision).where(Decision.run_id == run.id).order_by(Decision.id)))
                out.append((run, rows))
            return out
    finally:
        engine.dispose()


def failed_last(home: Path, *words: str) -> tuple[Run, list[Decision]]:
    """The last run ended (not left open) as a failure, its last decision row saying why."""
    run, rows = runs(home)[-1]
    assert run.ended_at is not None and run.answer is not None and run.answer.startswith("error: "), run.answer
    last = rows[-1]
    assert (last.kind, last.status) == ("answer", "error") and last.error is not None
    for w in words:
        assert w in last.error, (w, last.error)
    return run, rows


def openai_settings(home: Path, url: str, **kw: Any) -> Settings:
    return Settings(home=home, model="openai:fake", openai_base_url=url, openai_api_key="k", **kw)


# -- the model endpoint ---------------------------------------------------------------------------


def test_an_endpoint_down_after_the_retries_is_one_line_and_a_failed_run(home: Path) -> None:
    url = f"http://127.0.0.1:{closed_port()}/v1"
    cp = Copilot(openai_settings(home, url, request_timeout=5, max_retries=2))
    try:
        with pytest.raises(ModelError, match="did not answer after 2 tries") as caught:
            cp.ask("which customers are about to lapse?", thread_id="down1")
    finally:
        cp.close()
    assert "COPILOT_MODEL=offline" in str(caught.value) and url in str(caught.value)
    run, rows = failed_last(home, "did not answer after 2 tries")
    assert run.thread_id == "down1" and [(d.kind, d.status) for d in rows] == [("answer", "error")]
    p = cli(home, "ask", "which customers are about to lapse?", OPENAI_BASE_URL=url, OPENAI_API_KEY="k")
    one_line(p, "did not answer after 3 tries", "Connection refused", "OPENAI_BASE_URL")
    failed_last(home, "did not answer")


def test_a_server_failing_after_the_retries_is_one_line(home: Path, fake: FakeOpenAI) -> None:
    fake.replies = [(503, {"error": {"message": "overloaded"}})] * 2
    cp = Copilot(openai_settings(home, fake.url, max_retries=2))
    try:
        with pytest.raises(ModelError, match=r"kept failing after 2 tries \(503: overloaded\); try again later"):
            cp.ask("hello")
    finally:
        cp.close()
    assert len(fake.requests) == 2
    failed_last(home, "503")


MALFORMED = {
    "an HTML page": (b"<html><body>502 Bad Gateway</body></html>", "text/html"),
    "no choices": (json.dumps({"id": "x", "object": "chat.completion"}).encode(), "application/json"),
    "empty choices": (json.dumps({"id": "x", "object": "chat.completion", "choices": []}).encode(), "application/json"),
    "a choice without its message": (
        json.dumps({"id": "x", "created": 0, "model": "m", "choices": [{"index": 0}]}).encode(),
        "application/json",
    ),
    "cut-off JSON": (b'{"id": "x", "choices": [', "application/json"),
}


@pytest.mark.parametrize("what", sorted(MALFORMED))
def test_a_malformed_reply_is_one_line_and_a_failed_run(home: Path, what: str) -> None:
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
    from threading import Thread

    body, kind = MALFORMED[what]
    seen: list[int] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            self.rfile.read(int(self.headers["Content-Length"]))
            seen.append(1)
            self.send_response(200)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_address[1]}/v1"
    try:
        cp = Copilot(openai_settings(home, url))
        try:
            with pytest.raises(ModelError, match=r"sent a reply (that is not a chat completion|with no choices)"):
                cp.ask("which customers are about to lapse?")
        finally:
            cp.close()
        assert len(seen) == 1  # not retried: the same reply would come again
        failed_last(home, "OPENAI_BASE_URL")
        if what == "an HTML page":  # and through the console script
            p = cli(home, "ask", "hello", "--json", OPENAI_BASE_URL=url, OPENAI_API_KEY="k")
            one_line(p, "not a chat completion", "/v1")
            assert p.stdout == ""
    finally:
        server.shutdown()


def test_tool_calls_whose_arguments_are_not_json_are_told_to_the_model(home: Path, fake: FakeOpenAI) -> None:
    def broken(name: str, args: str) -> tuple[int, dict[str, Any]]:
        status, body = completion(tool=(name, {}))
        body["choices"][0]["message"]["tool_calls"][0]["function"]["arguments"] = args
        return status, body

    fake.replies = [
        broken("transfer_to_campaigns", '{"task": '),  # the handoff still names its specialist
        broken("ab_test", "{conversions_a: 120"),  # told to the model, which calls again
        completion(
            tool=("ab_test", {"conversions_a": 120, "visitors_a": 2400, "conversions_b": 150, "visitors_b": 2400})
        ),
        completion("Not significant: p = 0.0602."),
    ]
    cp = Copilot(openai_settings(home, fake.url))
    try:
        res = cp.ask("is B better? 120/2400 vs 150/2400")
    finally:
        cp.close()
    assert res["route"] == ["campaigns"] and res["answer"] == "Not significant: p = 0.0602."
    first, second = res["tool_calls"]
    assert (
        first["status"] == "error"
        and "not valid JSON" in first["error"]
        and first["args"] == {"raw": "{conversions_a: 120"}
    )
    assert second["status"] == "ok" and second["result"]["p_value"] == 0.0602
    tool_msgs = [m for m in fake.requests[2]["messages"] if m["role"] == "tool"]
    assert len(tool_msgs) == 1 and "not valid JSON" in tool_msgs[0]["content"]  # every call got its answer


# -- files ----------------------------------------------------------------------------------------


def test_a_corrupt_shop_database_is_one_line(home: Path) -> None:
    with open(home / "shop.db", "r+b") as f:
        f.write(b"this is not a database" * 50)
    for p in (cli(home, "ask", "hello"), cli(home, "decisions")):
        one_line(p, "shop.db is corrupt", "move it aside", "copilot init")
    with pytest.raises(StorageError, match="is corrupt"):
        Copilot(Settings(home=home))


def test_a_corrupt_checkpoints_file_is_one_line_and_the_request_is_logged(home: Path) -> None:
    (home / "checkpoints.sqlite").write_bytes(b"garbage" * 1000)
    p = cli(home, "ask", "which customers are about to lapse?", "--thread", "t-corrupt")
    one_line(p, "checkpoints.sqlite is corrupt", "move it aside", "the shop and the decision log are kept")
    run, rows = failed_last(home, "checkpoints.sqlite is corrupt")
    assert run.thread_id == "t-corrupt" and run.request == "which customers are about to lapse?" and len(rows) == 1
    (home / "checkpoints.sqlite").rename(home / "checkpoints.corrupt")  # what the line says to do
    p = cli(home, "ask", "which customers are about to lapse?", "--json")
    assert p.returncode == 0 and json.loads(p.stdout)["route"] == ["profiling"]


def test_a_home_that_cannot_be_written_is_one_line(tmp_path: Path, home: Path) -> None:
    (tmp_path / "a-file").write_text("")
    one_line(cli(tmp_path / "a-file" / "home", "ask", "hello"), "cannot write", "COPILOT_HOME must be a folder")
    (home / "checkpoints.sqlite").mkdir()  # a folder where the file must be
    one_line(cli(home, "ask", "hello"), "checkpoints.sqlite", "cannot open or write")


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() == 0, reason="root writes read-only folders")
def test_a_read_only_home_is_one_line(home: Path) -> None:
    for f in home.glob("shop.db*"):
        f.chmod(0o444)
    home.chmod(0o555)
    try:
        one_line(cli(home, "ask", "hello"), "COPILOT_HOME must be a folder you can write to")
    finally:
        home.chmod(0o755)


# -- settings -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("var", "value", "says"),
    [
        ("COPILOT_TIMEOUT", "soon", "COPILOT_TIMEOUT must be a number above 0 and at most 3600"),
        ("COPILOT_TIMEOUT", "-1", "COPILOT_TIMEOUT must be a number above 0"),
        ("COPILOT_EMBEDDING", "word2vec", "COPILOT_EMBEDDING must be 'hashing' or 'minilm'"),
        ("COPILOT_DATABASE_URL", "not a url", "COPILOT_DATABASE_URL is not a database URL"),
        ("COPILOT_MODEL", "openai:", "COPILOT_MODEL must name a model"),
        ("OPENAI_BASE_URL", "localhost:8000", "OPENAI_BASE_URL must be an http:// or https:// address"),
        ("COPILOT_APPROVAL_TTL_HOURS", "nan", "COPILOT_APPROVAL_TTL_HOURS must be a number above 0"),
    ],
)
def test_a_bad_setting_is_one_line(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, var: str, value: str, says: str
) -> None:
    monkeypatch.setenv("COPILOT_HOME", str(tmp_path))
    monkeypatch.setenv(var, value)
    with pytest.raises(SettingsError, match=says):
        load_settings()


def test_a_bad_setting_stops_a_request_that_is_logged(home: Path) -> None:
    one_line(cli(home, "ask", "hello", COPILOT_TIMEOUT="soon"), "COPILOT_TIMEOUT must be a number")
    run, _ = failed_last(home, "COPILOT_TIMEOUT")
    assert run.request == "hello"
    (home / "settings.json").write_text("[1, 2]")
    one_line(cli(home, "decisions"), "settings.json must hold one JSON object")


def test_usage_errors_are_one_line_and_help_is_no_error(home: Path) -> None:
    one_line(cli(home, "ask", "--bogus"), "No such option: --bogus", "copilot ask --help")
    one_line(cli(home, "feedback", str(2**64), "--up"), "less than or equal to", "copilot feedback --help")
    one_line(cli(home, "nosuchcommand"), "No such command")
    one_line(cli(home, "import", "orders"), "Missing argument", "copilot import orders --help")
    p = cli(home)
    assert p.returncode == 0 and "Usage" in p.stdout


def test_a_bug_still_exits_2_with_one_line(monkeypatch: pytest.MonkeyPatch) -> None:
    import channels.cli as cli_mod

    def broken(**_: Any) -> None:
        raise RuntimeError("a bug")

    monkeypatch.setattr(cli_mod, "app", broken)
    monkeypatch.delenv("COPILOT_DEBUG", raising=False)
    with pytest.raises(SystemExit) as done:
        cli_mod.main()
    assert done.value.code == 2


# -- the graph's own failures -----------------------------------------------------------------------


def test_a_model_failing_mid_request_closes_the_run_with_its_row(home: Path) -> None:
    class Flaky(ScriptedChatModel):
        def _generate(self, messages: Any, stop: Any = None, run_manager: Any = None, **kw: Any) -> Any:
            if not self.script:
                raise ModelError("the model endpoint x did not answer after 3 tries (timed out)")
            return super()._generate(messages, stop, run_manager, **kw)

    model = Flaky(script=[AIMessage("", tool_calls=[tc("transfer_to_profiling", {})])], seen=[])
    cp = Copilot(Settings(home=home), model=model, model_name="flaky")
    try:
        with pytest.raises(ModelError):
            cp.ask("which customers are about to lapse?")
        run, rows = failed_last(home, "did not answer")
        assert [(d.kind, d.status) for d in rows] == [("route", "ok"), ("answer", "error")]
        with pytest.raises(CopilotError, match="the request is 4,001 characters"):
            cp.ask("x" * 4001)
        run, rows = failed_last(home, "4,001 characters")
        assert len(run.request) == 4001 and len(rows) == 1
    finally:
        cp.close()
    assert not [r for r, _ in runs(home) if r.ended_at is None]  # no run left open


# -- the HTTP API: the same faults, each one JSON line with its status ---------------------------------


@contextmanager
def api(settings: Settings, role: str) -> Iterator[tuple[Any, Any]]:
    """An in-process client of `copilot serve` on `settings`, holding a token of `role`; and its pool."""
    from fastapi.testclient import TestClient

    from channels.api import create_app
    from copilot.tokens import create_token

    engine = make_engine(settings.db_url)
    try:
        secret, _ = create_token(make_sessionmaker(engine), f"{role[:1]}-{role}", role)
    finally:
        engine.dispose()
    app = create_app(settings)
    with TestClient(app, headers={"Authorization": f"Bearer {secret}"}) as client:
        yield client, app.state.pool


def json_error(r: Any, status: int, *words: str) -> str:
    """The answer is `status` and one JSON object, {"error": one line}, saying each of `words`."""
    assert r.status_code == status, (r.status_code, r.text)
    body = r.json()
    assert list(body) == ["error"] and "\n" not in body["error"] and "Traceback" not in r.text, body
    for w in words:
        assert w in body["error"], (w, body["error"])
    return str(body["error"])


def events(text: str) -> list[tuple[str, Any]]:
    """A server-sent event stream as (event, data) pairs."""
    out = []
    for block in text.replace("\r\n", "\n").split("\n\n"):
        fields = dict(line.split(": ", 1) for line in block.splitlines() if ": " in line)
        if "event" in fields:
            out.append((fields["event"], json.loads(fields.get("data", "null"))))
    return out


def test_an_endpoint_down_is_a_502_line_in_the_api_and_a_failed_run(home: Path) -> None:
    url = f"http://127.0.0.1:{closed_port()}/v1"
    question = "which customers are about to lapse?"
    with api(openai_settings(home, url, request_timeout=5, max_retries=1), "marketer") as (c, _):
        json_error(c.post("/v1/ask", json={"message": question}), 502, "did not answer after 1 try", "OPENAI_BASE_URL")
        run, rows = failed_last(home, "did not answer after 1 try")
        assert (run.channel, run.user, run.request) == ("api", "m-marketer", question)
        assert [(d.kind, d.status) for d in rows] == [("answer", "error")]
        streamed = c.post("/v1/ask", json={"message": question}, headers={"Accept": "text/event-stream"})
    kind, data = events(streamed.text)[-1]
    assert kind == "error" and data["status"] == 502 and "did not answer after 1 try" in data["error"]
    assert len(runs(home)) == 2 and failed_last(home, "did not answer")[0].channel == "api"


def test_a_copilot_the_api_cannot_open_is_a_503_line_and_a_failed_run(home: Path) -> None:
    question = "which customers are about to lapse?"
    with api(Settings(home=home), "marketer") as (c, pool):
        base = pool._idle.get_nowait()  # busy with another request: the next one opens a copilot of its own
        try:
            garbage = home / "garbage"
            garbage.write_bytes(b"garbage" * 1000)
            os.replace(garbage, home / "checkpoints.sqlite")  # the open copilot keeps the file it had
            for log in home.glob("checkpoints.sqlite-*"):  # its log of writes, which would hide the garbage
                log.unlink()
            r = c.post("/v1/ask", json={"message": question})
        finally:
            pool._idle.put(base)
    json_error(r, 503, "checkpoints.sqlite is corrupt", "move it aside")
    run, rows = failed_last(home, "checkpoints.sqlite is corrupt")
    assert (run.channel, run.user, run.request, len(rows)) == ("api", "m-marketer", question, 1)


def test_a_fault_on_a_read_route_is_a_503_line(home: Path) -> None:
    with api(Settings(home=home), "viewer") as (c, pool):
        assert c.get("/v1/decisions").status_code == 200
        pool.base.engine.dispose()  # its log of writes folded in, so the file is all there is to read
        with open(home / "shop.db", "r+b") as f:
            f.write(b"this is not a database" * 50)
        json_error(c.get("/v1/decisions"), 503, "shop.db is corrupt", "move it aside")
        json_error(c.get("/v1/threads/t1"), 503, "shop.db is corrupt")
