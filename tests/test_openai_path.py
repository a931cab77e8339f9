"""The ChatOpenAI path against an OpenAI-compatible server started here on loopback."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from copilot import CopilotError
from copilot.app import Copilot
from copilot.settings import Settings


class FakeOpenAI:
    """Replies to /v1/chat/completions from a queue of (status, body) pairs; records requests."""

    def __init__(self) -> None:
        self.replies: list[tuple[int, dict[str, Any]]] = []
        self.requests: list[dict[str, Any]] = []
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                fake.requests.append(body)
                status, reply = fake.replies.pop(0)
                data = json.dumps(reply).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                if status == 429:
                    self.send_header("Retry-After", "0")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/v1"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


def completion(
    content: str | None = None, tool: tuple[str, dict[str, Any]] | None = None
) -> tuple[int, dict[str, Any]]:
    msg: dict[str, Any] = {"role": "assistant", "content": content}
    if tool:
        msg["tool_calls"] = [
            {
                "id": "call_1",
                "type": "function",
                "function": {"name": tool[0], "arguments": json.dumps(tool[1])},
            }
        ]
    return 200, {
        "id": "x",
        "object": "chat.completion",
        "created": 0,
        "model": "fake",
        "choices": [{"index": 0, "message": msg, "finish_reason": "tool_calls" if tool else "stop"}],
        "usage": {"prompt_tokens": 11, "completion_tokens": 7, "total_tokens": 18},
    }


@pytest.fixture
def fake() -> Iterator[FakeOpenAI]:
    f = FakeOpenAI()
    yield f
    f.server.shutdown()


def make(home: Any, fake: FakeOpenAI) -> Copilot:
    return Copilot(
        Settings(
            home=home,
            model="openai:fake",
            openai_base_url=fake.url,
            openai_api_key="k",
            request_timeout=5,
        )
    )


def test_tool_calls_over_the_wire(copilot_home, fake):  # type: ignore[no-untyped-def]
    fake.replies = [
        completion(tool=("transfer_to_campaigns", {})),
        (500, {"error": {"message": "overloaded"}}),  # transient: retried
        completion(
            tool=(
                "ab_test",
                {
                    "conversions_a": 120,
                    "visitors_a": 2400,
                    "conversions_b": 150,
                    "visitors_b": 2400,
                },
            )
        ),
        completion("B converts at 6.25% vs 5.0%; p = 0.0602."),
    ]
    cp = make(copilot_home, fake)
    res = cp.ask("is B better? 120/2400 vs 150/2400")
    cp.close()
    assert res["route"] == ["campaigns"] and res["model"] == "openai:fake"
    assert res["tool_calls"][0]["result"]["p_value"] == 0.0602
    assert len(fake.requests) == 4
    tools_sent = {t["function"]["name"] for t in fake.requests[0]["tools"]}
    assert tools_sent == {f"transfer_to_{a}" for a in ("profiling", "creative", "pricing", "bidding", "campaigns")}
    assert any(m["role"] == "tool" for m in fake.requests[-1]["messages"])  # the tool result went back
    with cp.sessions() as s:
        from store.db import Decision

        route = s.query(Decision).filter_by(kind="route", run_id=res["run_id"]).one()
    assert (route.input_tokens, route.output_tokens) == (11, 7)


def test_client_errors_are_not_retried(copilot_home, fake):  # type: ignore[no-untyped-def]
    fake.replies = [(400, {"error": {"message": "bad model"}}), completion("never sent")]
    cp = make(copilot_home, fake)
    with pytest.raises(CopilotError, match="400"):
        cp.ask("hello")
    cp.close()
    assert len(fake.requests) == 1


def test_rate_limit_is_retried(copilot_home, fake):  # type: ignore[no-untyped-def]
    fake.replies = [
        (429, {"error": {"message": "slow down"}}),
        completion("I can help with marketing."),
    ]
    cp = make(copilot_home, fake)
    res = cp.ask("tell me a joke")
    cp.close()
    assert res["route"] == [] and len(fake.requests) == 2


def test_eval_counts_model_calls_and_tokens_from_the_server(copilot_home, fake, tmp_path):  # type: ignore[no-untyped-def]
    import os
    import subprocess
    import sys

    suite = tmp_path / "one.jsonl"
    suite.write_text(
        json.dumps(
            {
                "id": "ab",
                "turns": ["is B better? 120/2400 vs 150/2400"],
                "route": ["campaigns"],
                "tools": [{"name": "ab_test", "args": {"conversions_b": 150, "visitors_b": 2400}}],
                "facts": [{"number": "ab_test.p_value", "tol": 0.00005}],
            }
        )
        + "\n"
    )
    ab = {"conversions_a": 120, "visitors_a": 2400, "conversions_b": 150, "visitors_b": 2400}
    fake.replies = [
        completion(tool=("transfer_to_campaigns", {})),
        completion(tool=("ab_test", ab)),
        completion("Not significant: p = 0.0602."),
    ]
    env = {**os.environ, "COPILOT_HOME": str(copilot_home), "OPENAI_BASE_URL": fake.url, "OPENAI_API_KEY": "k"}
    p = subprocess.run(
        [sys.executable, "-m", "channels.cli", "eval", str(suite), "--model", "openai:fake", "--json"],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )
    assert p.returncode == 0, p.stderr
    out = json.loads(p.stdout)
    total = out["summary"]["total"]
    assert out["model"] == "openai:fake" and total["pass"] == 1.0
    assert total["model_calls_per_request"] == 3  # route, the call choosing ab_test, the answer
    assert (total["input_tokens_per_request"], total["output_tokens_per_request"]) == (33, 21)  # 3 x usage 11 / 7
    assert len(fake.requests) == 3 and fake.requests[0]["model"] == "fake"
