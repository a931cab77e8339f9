"""Any text (lone surrogates, control characters, very long text) and any number (2^64, -0, 1e309,
NaN written out) gets an answer or a one-line error, never a traceback; what is printed as JSON is
valid JSON (no NaN or Infinity: null, with a "non_finite" note). Property tests are bounded."""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from copilot import CopilotError
from copilot.app import Copilot
from copilot.settings import Settings
from store.clean import dumps, finite, readable
from store.db import Decision, Run, make_engine, make_sessionmaker
from store.shop import load_demo_shop
from tests.conftest import TINY_CSV
from tools import Shop

HOSTILE = ["\ud800", "\udfff", "\udcff", "\x00", "\x1b[31m", "\x07", "\u202e", "\ufeff", "\r\n", "\t", "中文", "😀"]
NUMBERS = ["18446744073709551616", "-0", "1e309", "-1e309", "NaN", "nan", "inf", "-inf", "0", "-1", "1e-320", "9" * 40]
TEMPLATES = [
    "tell me about customer {n}",
    "set the bid of campaign {n} to {m}",
    "set the daily budget of campaign {n} to {m}",
    "set the price of product {n} to {m}",
    "which products are similar to product {n}?",
    "what's the lifetime value of customer {n} over {m} weeks",
    "how did sales do in the last {n} days?",
    "is B better? {n}/{m} vs 150/2400",
]


@pytest.fixture(scope="module")
def cp(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Copilot]:
    """The offline copilot on the tiny shop (one for the module: hypothesis runs many examples)."""
    tmp = tmp_path_factory.mktemp("any")
    (tmp / "tiny.csv").write_text(TINY_CSV)
    home = tmp / "home"
    engine = make_engine(f"sqlite:///{home / 'shop.db'}")
    shop = Shop(make_sessionmaker(engine), home / "chroma")
    load_demo_shop(shop.sessions, shop.chroma, path=tmp / "tiny.csv")
    engine.dispose()
    copilot = Copilot(Settings(home=home))
    yield copilot
    copilot.close()


def strict_json(text: str) -> Any:
    """JSON as every reader takes it: NaN and Infinity refused."""

    def refuse(token: str) -> Any:
        raise ValueError(f"not JSON: {token}")

    return json.loads(text, parse_constant=refuse)


def answered_or_one_line(cp: Copilot, text: str) -> dict[str, Any] | None:
    """The request is answered (its result printable as strict JSON) or refused in one line."""
    try:
        res = cp.ask(text, charts=False)
    except CopilotError as exc:
        assert "\n" not in str(exc).strip(), str(exc)
        return None
    assert isinstance(res["answer"], str) and res["answer"]
    strict_json(dumps(res))
    return res


WORDS = ["which customers are about to lapse", "campaign 2", "product 10", "set the bid", " ", "导出", "?"]
any_text = st.lists(
    st.one_of(
        st.text(st.characters(codec=None, exclude_categories=()), max_size=8),  # surrogates and controls too
        st.sampled_from(HOSTILE),
        st.sampled_from(WORDS),
    ),
    max_size=10,
).map("".join)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=any_text)
def test_any_text_gets_an_answer_or_one_line(cp: Copilot, text: str) -> None:
    answered_or_one_line(cp, text)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    template=st.sampled_from(TEMPLATES),
    n=st.one_of(st.sampled_from(NUMBERS), st.integers().map(str), st.floats().map(repr)),
    m=st.one_of(
        st.sampled_from(NUMBERS), st.integers(min_value=-(2**70), max_value=2**70).map(str), st.floats().map(repr)
    ),
)
def test_any_number_gets_an_answer_or_one_line(cp: Copilot, template: str, n: str, m: str) -> None:
    res = answered_or_one_line(cp, template.format(n=n, m=m))
    if res is not None:
        for call in res["tool_calls"]:  # a non-finite number never reaches a tool
            assert not finite(call["args"])[1] or call["status"] == "error"


def test_long_text_and_surrogates_are_stored_readably(cp: Copilot) -> None:
    res = cp.ask("\ud800which customers are about to lapse?\udfff", charts=False)
    with cp.sessions() as s:
        run = s.get(Run, res["run_id"])
        assert run is not None and run.request == "\ufffdwhich customers are about to lapse?\ufffd"
    with pytest.raises(CopilotError, match="the request is 4,001 characters; keep it under 4,000"):
        cp.ask("x" * 4001)
    assert answered_or_one_line(cp, "which customers " + "very " * 790 + "likely lapse?") is not None


def test_clean_values() -> None:
    assert readable("a\ud800b\ud83d\ude00") == "a\ufffdb😀"  # a lone surrogate replaced, a pair joined
    value = {"a": [1.0, math.nan, {"b": math.inf}], "c": -math.inf, "d": -0.0, "e": 2**64}
    clean, notes = finite(value)
    assert clean == {"a": [1.0, None, {"b": None}], "c": None, "d": -0.0, "e": 2**64}
    assert notes == ["a[1]: nan", "a[2].b: inf", "c: -inf"]
    out = strict_json(dumps(value))
    assert out["non_finite"] == notes and out["e"] == 2**64


def cli(home: Path, *args: str) -> subprocess.CompletedProcess[bytes]:
    env = {**os.environ, "COPILOT_HOME": str(home), "COLUMNS": "250"}
    for var in ("OPENAI_API_KEY", "OPENAI_BASE_URL", "COPILOT_MODEL"):
        env.pop(var, None)
    return subprocess.run([sys.executable, "-m", "channels.cli", *args], capture_output=True, env=env, timeout=120)


def one_line_error(p: subprocess.CompletedProcess[bytes], says: str) -> None:
    err = p.stderr.decode()
    assert p.returncode == 1 and err.startswith("error: ") and err.count("\n") == 1 and says in err, err


def test_the_console_script_takes_any_input(cp: Copilot) -> None:
    home = cp.settings.home
    p = cli(home, "ask", os.fsdecode(b"\xff\xfe which customers are about to lapse?"), "--json")  # undecodable bytes
    assert p.returncode == 0, p.stderr
    res = strict_json(p.stdout.decode("utf-8"))
    assert res["route"] == ["profiling"]
    p = cli(home, "ask", "set the bid of campaign 1 to 1e309", "--json")
    assert p.returncode == 0 and b"Infinity" not in p.stdout
    res = strict_json(p.stdout.decode())
    assert res["tool_calls"][0]["args"]["bid"] is None and "bid is inf" in res["tool_calls"][0]["error"]
    one_line_error(cli(home, "ask", "hi", "--thread", os.fsdecode(b"\xff")), "a thread id is 1 to 64 printable")
    one_line_error(cli(home, "ask", "hi", "--user", os.fsdecode(b"\xff")), "--user must be a name")
    one_line_error(cli(home, "pending", "--thread", "x" * 65), "a thread id is 1 to 64")
    for args in (
        ("feedback", str(2**64), "--up"),
        ("outcome", str(2**64), "clicks", "1"),
        ("replay", str(2**64)),
        ("approve", "t", "--yes", "--change", str(2**64)),
        ("decisions", "--run", str(2**64)),
    ):
        one_line_error(cli(home, *args), "less than or equal to 9223372036854775807")
    one_line_error(cli(home, "outcome", "1", "clicks", "nan"), "must be a number of at least 0")
    one_line_error(cli(home, "decisions", "--since", "99999999999999999999d"), "--since")


def test_exports_are_valid_json_even_of_rows_logged_with_nan(cp: Copilot) -> None:
    res = cp.ask("which customers are about to lapse?", charts=False)
    with cp.sessions.begin() as s:  # a row an older version logged with a bare NaN in it
        s.add(Decision(run_id=res["run_id"], kind="tool", tool_name="old", status="ok", result={"x": math.nan}))
    p = cli(cp.settings.home, "decisions", "--format", "json", "--limit", "5")
    assert p.returncode == 0, p.stderr
    rows = [strict_json(line) for line in p.stdout.decode().splitlines()]
    old = next(r for r in rows if r["tool"] == "old")
    assert old["result"] == {"x": None} and old["non_finite"] == ["result.x: nan"]
    p = cli(cp.settings.home, "decisions", "--format", "csv", "--limit", "5")
    assert p.returncode == 0 and b"NaN" not in p.stdout


def test_every_channel_writes_valid_json(cp: Copilot) -> None:
    from fastapi.testclient import TestClient

    from channels.api import create_app
    from copilot.contract import contract_json
    from copilot.tokens import create_token

    res = {"answer": "x", "tool_calls": [{"result": {"v": math.inf, "w": math.nan, "ok": 1.5}}]}
    out = strict_json(contract_json(res))
    assert out["tool_calls"][0]["result"] == {"v": None, "w": None, "ok": 1.5}
    assert out["non_finite"] == ["tool_calls[0].result.v: inf", "tool_calls[0].result.w: nan"]
    asked = cp.ask("which customers are about to lapse?", charts=False)
    with cp.sessions.begin() as s:  # a row an older version logged with a bare NaN in it
        s.add(Decision(run_id=asked["run_id"], kind="tool", tool_name="older", status="ok", result={"y": math.inf}))
    secret, _ = create_token(cp.sessions, "v-nan", "viewer")
    with TestClient(create_app(cp.settings), headers={"Authorization": f"Bearer {secret}"}) as c:
        r = c.get("/v1/decisions", params={"limit": 5, "tool": "older"})
    body = strict_json(r.text)
    assert r.status_code == 200 and body["decisions"][0]["result"] == {"y": None}
    assert body["non_finite"] == ["decisions[0].result.y: inf"]
