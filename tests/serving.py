"""A copilot home with the tiny shop and a token per role, an ASGI app on a free loopback port in a
thread, and a time limit for a whole test: what the API, Slack and web chat tests run against."""

from __future__ import annotations

import signal
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import uvicorn

from copilot.tokens import create_token
from store.db import make_engine, make_sessionmaker
from store.shop import load_demo_shop
from tools import Shop

ROLES = ("viewer", "marketer", "approver", "admin")


def tiny_home(home: Path, db_url: str | None = None, *, racers: int = 0) -> dict[str, str]:
    """Load the tiny shop into `home` (its SQLite file, or `db_url`); a token per role (named v-viewer,
    m-marketer, a-approver, a-admin) and `racers` approvers r0, r1...: {role or racer: secret}."""
    from tests.conftest import TINY_CSV

    csv = home / "tiny.csv"
    csv.write_text(TINY_CSV)
    engine = make_engine(db_url or f"sqlite:///{home / 'shop.db'}")
    try:
        shop = Shop(make_sessionmaker(engine), home / "chroma")
        load_demo_shop(shop.sessions, shop.chroma, path=csv)
        tokens = {role: create_token(shop.sessions, role[:1] + "-" + role, role)[0] for role in ROLES}
        tokens |= {f"r{i}": create_token(shop.sessions, f"r{i}", "approver")[0] for i in range(racers)}
    finally:
        engine.dispose()
    return tokens


@contextmanager
def serving(app: Any) -> Iterator[str]:
    """`app` served by uvicorn on 127.0.0.1 (a free port) in a thread: its base URL."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    config = uvicorn.Config(app, log_config=None, log_level="info", access_log=True, lifespan="on")
    srv = uvicorn.Server(config)
    runner = threading.Thread(target=srv.run, kwargs={"sockets": [sock]}, daemon=True)
    runner.start()
    deadline = time.monotonic() + 60
    while not srv.started:
        assert runner.is_alive() and time.monotonic() < deadline, "the server did not start"
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        srv.should_exit = True
        runner.join(timeout=30)
        sock.close()


@contextmanager
def bounded(seconds: int) -> Iterator[None]:
    """Stop the test (a TimeoutError in the main thread) if it takes over `seconds`; each request and
    each wait has its own, shorter timeout too."""

    def stop(*_: Any) -> None:
        raise TimeoutError(f"the test took over {seconds} s")

    old = signal.signal(signal.SIGALRM, stop)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, old)


@contextmanager
def dsp_serving(home: Path, *, workers: int = 1, db_url: str | None = None) -> Iterator[tuple[Any, str]]:
    """`copilot dsp serve --workers N` on `home` (its SQLite file, or `db_url`), in its own processes on a
    free loopback port, ready: (the process, its base URL). Stopped as Ctrl-C stops it; what it printed
    holds no traceback."""
    import os
    import subprocess
    import sys

    from dsp.replay import stop_bidder, wait_ready

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = {**os.environ, "COPILOT_HOME": str(home), "PYTHONPATH": str(Path(__file__).resolve().parents[1])}
    if db_url:
        env["COPILOT_DATABASE_URL"] = db_url
    cmd = [sys.executable, "-m", "channels.cli", "dsp", "serve", "--port", str(port), "--workers", str(workers)]
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    url = f"http://127.0.0.1:{port}"
    try:
        with bounded(120):
            wait_ready(proc, url)
        yield proc, url
    finally:
        out = stop_bidder(proc)
        assert "Traceback" not in out, out[-3000:]
