"""The exchange replay (`copilot dsp replay`): the iPinYou 2997 test log, auction by auction, as
OpenRTB bid requests to a real bidder over loopback HTTP.

The bidder runs in its own processes (`--workers`), on a fresh database (a temporary SQLite file, or
`db_url`), with one campaign bidding the chosen strategy on rlb-dp's protocol: periods of 1,000
auctions, each with the bench's budget, the log's pCTR sent in `imp.ext.pctr` and the auction's
position in `ext.replay_tick` (the bidder's clock). The exchange is second price against the log's
market price: a bid at or above it wins and pays it; the win notice (nurl, with ${AUCTION_PRICE}
substituted) charges the bidder, a loss notice (lurl) gives its hold back, and a click in the log is
sent to the ad's click URL. The exchange sends one request at a time on one keep-alive connection,
as the offline replay bids one auction after the other.

Its clicks, impressions and cost, as the exchange counted them and as the bidder's ledger holds them,
must equal the offline replay's (`copilot bench --only bidding`) for the same strategy.
"""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from dsp import DspError
from engine import bidding
from store import dsp as ledger
from store import reference
from store.db import make_engine, make_sessionmaker

if TYPE_CHECKING:
    from sqlalchemy.orm import sessionmaker

REPLAY_STRATEGIES = ("ours", "rlb", "lin", "mcpc")
LIN_B0 = 10.0  # the bench's Lin base bid
RESERVATION_SHARE = 0.5  # a period's budget is seven top bids: reserve it in halves, not in tenths
_HREF = re.compile(r'href="([^"]+)"')


def strategy_params(setup: dict[str, Any], strategy: str) -> dict[str, Any]:
    """The campaign's strategy parameters, from the training half only (info.json), as the bench's."""
    info = setup["info"]
    return {
        "mean_ctr": setup["mean_ctr"],
        "price_counts": [int(x) for x in info["price_counter_train"]],
        "period_auctions": setup["episode"],
        "refits": list(bidding.DEFAULT_REFITS),
        "b0": LIN_B0,
        "cpc": info["cost_train"] / info["clk_train"],
        "reservation_share": RESERVATION_SHARE,
    }


def offline(setup: dict[str, Any], strategy: str, n: int) -> bidding.ReplayResult:
    """The bench's offline replay of `strategy` on the first `n` auctions."""
    c, p, th = setup["clicks"][:n], setup["price"][:n], setup["pctr"][:n]
    kw = {"budget_per_episode": setup["budget"], "episode": setup["episode"]}
    if strategy == "ours":
        law = bidding.exponential_law(setup["mean_ctr"])
        return bidding.replay_learning_strategy(c, p, th, setup["pdf"], law, **kw)
    if strategy == "rlb":
        value = bidding.value_function(
            setup["episode"], setup["budget"], setup["pdf"], bidding.mean_law(setup["mean_ctr"])
        )
        return bidding.replay_value_strategy(c, p, th, value, **kw)
    if strategy == "lin":
        return bidding.replay(c, p, bidding.lin_bids(th, LIN_B0, setup["mean_ctr"]), **kw)
    cpc = setup["info"]["cost_train"] / setup["info"]["clk_train"]
    return bidding.replay(c, p, bidding.mcpc_bids(th, cpc), **kw)


def add_campaign(sessions: sessionmaker, setup: dict[str, Any], strategy: str, *, workers: int = 1) -> int:
    """The replay's campaign (its creative a 300x250 banner): its id. Bidding from `workers` processes
    at once, each reserves its share of a period's budget a `workers`-th at a time, so that all of
    them hold some."""
    params = strategy_params(setup, strategy)
    params["reservation_share"] = RESERVATION_SHARE / workers
    cid = ledger.add_campaign(
        sessions,
        name=f"ipinyou-2997-{strategy}-{os.getpid()}-{time.time_ns()}",
        daily_budget=0,
        budget_micros=setup["budget"] * 1000,
        max_bid=float(bidding.MAX_BID),
        strategy=strategy,
        params=params,
        pacing=False,
    )
    ledger.add_creative(
        sessions, cid, crid="2997-300x250", w=300, h=250, adm='<a href="{CLICK_URL}"><img src="ad.png"></a>'
    )
    return cid


def bid_request(i: int, pctr: float, *, tmax: int = 120_000) -> dict[str, Any]:
    """Auction `i` of the log as an OpenRTB 2.6 bid request: a 300x250 banner, the log's pCTR in
    `imp.ext.pctr`, the auction's position in `ext.replay_tick`, second price."""
    return {
        "id": str(i),
        "imp": [{"id": "1", "banner": {"w": 300, "h": 250}, "ext": {"pctr": float(pctr)}}],
        "site": {"domain": "ipinyou.replay"},
        "at": 2,
        "tmax": tmax,
        "ext": {"replay_tick": i},
    }


def notices(bid: dict[str, Any], market_price: int, clicks: int) -> tuple[bool, str, str | None]:
    """What the exchange sends once auction is decided against the log's market price: (won, the win
    notice with the price substituted or the loss notice, the ad's click URL when won and clicked)."""
    if bid["price"] < market_price:
        return False, bid["lurl"].replace("${AUCTION_LOSS}", "102"), None
    link = _HREF.search(bid.get("adm") or "") if clicks else None
    return True, bid["nurl"].replace("${AUCTION_PRICE}", str(market_price)), link.group(1) if link else None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_bidder(db_url: str, port: int, workers: int) -> subprocess.Popen[str]:
    """`workers` bidder processes on the replay's clock (uvicorn, as `copilot dsp serve` runs them)."""
    from dsp.app import ENV_CLOCK, ENV_DATABASE

    root = str(Path(__file__).resolve().parents[1])
    env = {**os.environ, ENV_DATABASE: db_url, ENV_CLOCK: "replay"}
    env["PYTHONPATH"] = os.pathsep.join([root, *filter(None, [env.get("PYTHONPATH")])])
    cmd = [sys.executable, "-m", "uvicorn", "dsp.app:app_from_env", "--factory", "--host", "127.0.0.1"]
    cmd += ["--port", str(port), "--workers", str(workers), "--log-level", "warning", "--no-access-log"]
    return subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


def wait_ready(proc: subprocess.Popen[str], url: str, seconds: float = 120) -> None:
    """Until the bidder answers /healthz (DspError when it stops or stays silent `seconds`)."""
    import httpx

    deadline = time.monotonic() + seconds
    while True:
        if proc.poll() is not None:
            out = proc.stdout.read() if proc.stdout else ""
            raise DspError(f"the bidder did not start: {' '.join(out.split())[-300:]}")
        try:
            if httpx.get(f"{url}/healthz", timeout=5).status_code == 200:
                return
        except httpx.TransportError:
            pass
        if time.monotonic() > deadline:
            raise DspError("the bidder did not answer within two minutes")
        time.sleep(0.2)


def stop_bidder(proc: subprocess.Popen[str]) -> str:
    """Stop the bidder as Ctrl-C does (its workers give back their reservations); what it printed."""
    import signal

    proc.send_signal(signal.SIGINT)
    try:
        out, _ = proc.communicate(timeout=60)
    except subprocess.TimeoutExpired:
        proc.kill()
        out, _ = proc.communicate()
    return out or ""


@dataclass
class Running:
    """A bidder started by `running`: its port, its process, and what it printed once stopped."""

    port: int
    pid: int
    log: str = ""

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"


@contextmanager
def running(db_url: str, workers: int) -> Iterator[Running]:
    """`workers` bidder processes on a free loopback port, answering, until the block ends."""
    port = _free_port()
    proc = start_bidder(db_url, port, workers)
    served = Running(port, proc.pid)
    try:
        wait_ready(proc, served.url)
        yield served
    finally:
        served.log = stop_bidder(proc)


def run(
    base: Path,
    *,
    strategy: str = "ours",
    workers: int = 1,
    limit: int | None = None,
    db_url: str | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> dict[str, Any]:
    """Replay the log (its first `limit` auctions) through a bidder over HTTP; the figures, the
    offline replay's for the same auctions, and whether they are equal."""
    if strategy not in REPLAY_STRATEGIES:
        raise DspError(f"unknown strategy {strategy!r}; the replay runs {', '.join(REPLAY_STRATEGIES)}")
    if workers < 1:
        raise DspError("--workers must be at least 1")
    setup = reference.ipinyou_setup(base)
    total = int(setup["clicks"].size)
    n = total if limit is None else min(int(limit), total)
    if n < 1:
        raise DspError("--limit must be at least 1")
    tmp = tempfile.TemporaryDirectory(prefix="copilot-dsp-replay-")
    url_db = db_url or f"sqlite:///{Path(tmp.name) / 'dsp.db'}"
    engine = make_engine(url_db)
    sessions = make_sessionmaker(engine)
    try:
        cid = add_campaign(sessions, setup, strategy)
        with running(url_db, workers) as bidder:
            http = _Http("127.0.0.1", bidder.port)
            try:
                tally, latencies, seconds = _exchange(http, setup, n, progress)
            finally:
                http.close()
        server_out = bidder.log
        book = ledger.totals(sessions, cid)
    finally:
        engine.dispose()
        tmp.cleanup()
    off = offline(setup, strategy, n)
    theirs = {"clicks": off.clicks, "impressions": off.impressions, "cost": off.cost}
    dsp_books = {
        "clicks": book["clicks"],
        "impressions": book["impressions"],
        "cost": book["spent_micros"] / 1000,
    }
    lat = np.asarray(latencies) * 1000
    equal = tally["exchange"] == theirs and dsp_books == theirs  # the ledger's cost is micros / 1000
    return {
        "strategy": strategy,
        "auctions": n,
        "workers": workers,
        "exchange": tally["exchange"],
        "dsp": dsp_books,
        "offline": theirs,
        "equal": bool(equal),
        strategy: {f"{strategy}.{k}": v for k, v in tally["exchange"].items()},
        "bids": tally["bids"],
        "refused_notices": tally["refused"],
        "seconds": round(seconds, 1),
        "requests_per_s": round(n / seconds, 1) if seconds > 0 else None,
        "p50_ms": round(float(np.percentile(lat, 50)), 3) if lat.size else None,
        "p99_ms": round(float(np.percentile(lat, 99)), 3) if lat.size else None,
        "server_tracebacks": server_out.count("Traceback"),
        "note": "one request at a time on one keep-alive connection (the offline replay's order); "
        "latency is the bid request's round trip on loopback",
    }


class _Http:
    """One keep-alive HTTP/1.1 connection (the standard library's: a third of httpx's cost a call)."""

    def __init__(self, host: str, port: int) -> None:
        import http.client

        self._conn = http.client.HTTPConnection(host, port, timeout=120)

    def post(self, path: str, body: bytes) -> tuple[int, bytes]:
        self._conn.request("POST", path, body=body, headers={"content-type": "application/json"})
        r = self._conn.getresponse()
        return r.status, r.read()

    def get(self, url: str) -> int:
        path = url.split("://", 1)[-1]
        path = path[path.index("/") :]
        self._conn.request("GET", path)
        r = self._conn.getresponse()
        r.read()
        return r.status

    def close(self) -> None:
        self._conn.close()


def _exchange(
    http: _Http, setup: dict[str, Any], n: int, progress: Callable[[int, int], None] | None
) -> tuple[dict[str, Any], list[float], float]:
    clicks, price, pctr = setup["clicks"], setup["price"], setup["pctr"]
    won = won_clicks = cost = bids = refused = 0
    latencies: list[float] = []
    started = time.perf_counter()
    for i in range(n):
        t0 = time.perf_counter()
        status, raw = http.post("/openrtb2/bid", json.dumps(bid_request(i, pctr[i])).encode())
        latencies.append(time.perf_counter() - t0)
        if status == 204:
            continue
        if status != 200:
            raise DspError(f"the bidder answered auction {i} with {status}: {raw[:200]!r}")
        bid = json.loads(raw)["seatbid"][0]["bid"][0]
        bids += 1
        mp = int(price[i])
        wins, notice, click = notices(bid, mp, int(clicks[i]))
        if not wins:
            http.get(notice)
        elif http.get(notice) != 200:
            refused += 1
        else:
            won += 1
            cost += mp
            won_clicks += int(clicks[i])
            if click and http.get(click) >= 400:
                refused += 1
        if progress and (i + 1) % 5000 == 0:
            progress(i + 1, n)
    seconds = time.perf_counter() - started
    tally = {"exchange": {"clicks": won_clicks, "impressions": won, "cost": cost}, "bids": bids, "refused": refused}
    return tally, latencies, seconds


__all__ = [
    "REPLAY_STRATEGIES",
    "add_campaign",
    "bid_request",
    "notices",
    "offline",
    "run",
    "running",
    "start_bidder",
    "stop_bidder",
    "strategy_params",
    "wait_ready",
]
