"""Load the DSP's bidder on loopback: an exchange in its own processes offers bid requests at fixed,
increasing rates (open loop) to `copilot dsp serve`-style uvicorn workers, 1 and then 4 of them.

- The requests are the iPinYou 2997 test log, auction after auction, as the exchange replay builds
  them (dsp/replay.py: the log's pCTR in `imp.ext.pctr`, the auction's position in
  `ext.replay_tick`, tmax 100 ms); the exchange runs each auction against the log's market price and
  sends the win notice (which charges the bidder in its database) or the loss notice, and the click
  of a won impression the log clicked.
- Open loop: request k of a step is due at start + k / rate, whatever became of the ones before, on
  one of a pool of keep-alive connections (a new one opened when none is free). Latency is measured
  from the time the request was due to the bid response's last byte, so a bidder (or an exchange)
  that falls behind shows it (no coordinated omission); the service time (from the send) is given too.
  The notices' own round trips are counted apart; rates and latencies are the bid requests'.
- The exchange's own ceiling, in the same run: the same exchange against a canned bidder (a bare
  asyncio server answering every bid request with one bid, every notice with 200) at the same rates.
- Each step is SECONDS long; the steps stop at the first rate the bidder no longer keeps up with.
  A rate is sustained when at least 95% of it is answered, nothing fails or times out and the p99
  is at most P99_GOAL_MS.
- Clicks: the auctions the exchange sent (every step, from the start of the log) are replayed
  offline too (`copilot bench --only bidding`'s code): clicks, impressions and cost as the exchange
  counted them, as the bidder's ledger holds them, and offline.

- Runs: the machine's noise moves a p99 by several milliseconds from one run to the next, so the
  whole benchmark runs RUNS times (default 3) and each rate's figures are the runs' medians, with
  each run's p99 beside them; a rate is sustained when its medians are.

    python -m evals.dsp_load [--workers 1 4] [--rates 250 500 ...] [--seconds 5] [--runs 3]
        [--strategy lin] [--generators 1] [--postgres] [--data DIR] [--json]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import gc
import json
import multiprocessing as mp
import os
import sys
import tempfile
import time
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

import numpy as np

DEFAULT_RATES = (250, 500, 750, 1000, 1250, 1500, 2000)
DEFAULT_WORKERS = (1, 4)
DEFAULT_SECONDS = 5.0
DEFAULT_RUNS = 3
P99_GOAL_MS = 10.0
TMAX_MS = 100  # the exchange's deadline in each request, as exchanges send it
TIMEOUT_S = 1.0  # a bid request unanswered this long is a timeout (its connection is dropped)
NOTICE_TIMEOUT_S = 10.0  # a notice unanswered this long is an error
CONNECTIONS = 32  # keep-alive connections each exchange process opens before a step
MAX_CONNECTIONS = 256  # at most this many per exchange process when all are busy
WARM = 400  # requests at WARM_RATE before the steps (counted for the clicks, not in the table)
WARM_RATE = 200
KEEPS_UP = 0.95  # a step whose answered requests are below this share of the offered ones: saturated


# -- the exchange (runs in its own processes) ------------------------------------------------------


class _Conn:
    """One keep-alive HTTP/1.1 connection on asyncio streams (cheaper than any client library)."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader, self.writer = reader, writer

    @classmethod
    async def open(cls, host: str, port: int) -> _Conn:
        reader, writer = await asyncio.open_connection(host, port)
        return cls(reader, writer)

    async def call(self, method: str, path: str, body: bytes = b"") -> tuple[int, bytes]:
        head = f"{method} {path} HTTP/1.1\r\nhost: 127.0.0.1\r\ncontent-length: {len(body)}\r\n"
        if body:
            head += "content-type: application/json\r\n"
        self.writer.write(head.encode() + b"\r\n" + body)
        raw = await self.reader.readuntil(b"\r\n\r\n")
        status = int(raw[9:12])
        at = raw.lower().find(b"content-length:")
        n = int(raw[at + 15 : raw.index(b"\r\n", at)]) if at >= 0 else 0
        return status, (await self.reader.readexactly(n) if n else b"")

    def close(self) -> None:
        self.writer.close()


class _Pool:
    """Keep-alive connections handed out oldest-idle first (so that every bidder worker gets some);
    a new one opened when none is idle, up to MAX_CONNECTIONS, then the callers wait their turn."""

    def __init__(self, host: str, port: int) -> None:
        self.host, self.port = host, port
        self.idle: deque[_Conn] = deque()
        self.busy = 0
        self.waiting: deque[asyncio.Future[_Conn | None]] = deque()

    async def fill(self, n: int) -> None:
        while len(self.idle) + self.busy < n:
            self.idle.append(await _Conn.open(self.host, self.port))

    async def take(self) -> _Conn:
        while True:
            if self.idle:
                self.busy += 1
                return self.idle.popleft()
            if self.busy < MAX_CONNECTIONS:
                self.busy += 1
                try:
                    return await _Conn.open(self.host, self.port)
                except BaseException:
                    self.give(None)
                    raise
            turn: asyncio.Future[_Conn | None] = asyncio.get_running_loop().create_future()
            self.waiting.append(turn)
            try:
                conn = await turn
            except asyncio.CancelledError:
                if turn.done() and not turn.cancelled():  # handed a connection as it was cancelled
                    self.give(turn.result())
                raise
            if conn is not None:
                return conn  # handed over busy

    def give(self, conn: _Conn | None) -> None:
        """Back to the pool, or to the first caller waiting; None: the connection was dropped (a
        waiting caller then opens a new one)."""
        while self.waiting:
            turn = self.waiting.popleft()
            if turn.done():
                continue
            if conn is None:
                self.busy -= 1
            turn.set_result(conn)
            return
        self.busy -= 1
        if conn is not None:
            self.idle.append(conn)

    def close(self) -> None:
        for c in self.idle:
            c.close()
        self.idle.clear()


@dataclass
class _Tally:
    """One exchange process's record of one step."""

    due: list[float] = field(default_factory=list)  # bid latency from the time it was due, seconds
    service: list[float] = field(default_factory=list)  # from the send
    notice: list[float] = field(default_factory=list)
    answered: int = 0  # 200 or 204
    bids: int = 0
    errors: int = 0
    timeouts: int = 0
    refused: int = 0  # notices answered with an error
    clicks: int = 0
    impressions: int = 0
    cost: int = 0
    first: float = 0.0
    last: float = 0.0
    first_errors: list[str] = field(default_factory=list)

    def error(self, what: str) -> None:
        self.errors += 1
        if len(self.first_errors) < 5:
            self.first_errors.append(what)


def _path(url: str) -> str:
    rest = url.split("://", 1)[-1]
    return rest[rest.index("/") :]


async def _auction(pool: _Pool, due: float, item: tuple[bytes, int, int], tally: _Tally) -> None:
    from dsp.replay import notices  # imported before the first step (_exchange_process)

    body, market_price, clicks = item
    conn: _Conn | None = None
    sent = due
    try:
        async with asyncio.timeout(TIMEOUT_S - (time.monotonic() - due)):
            conn = await pool.take()
            sent = time.monotonic()
            status, raw = await conn.call("POST", "/openrtb2/bid", body)
    except TimeoutError:
        if conn is not None:
            conn.close()
            pool.give(None)
        tally.timeouts += 1
        tally.due.append(TIMEOUT_S)  # at least this: the percentiles count it
        return
    except (OSError, asyncio.IncompleteReadError, ValueError) as exc:
        if conn is not None:
            conn.close()
            pool.give(None)
        tally.error(f"bid: {type(exc).__name__}")
        return
    done = time.monotonic()
    tally.due.append(done - due)
    tally.service.append(done - sent)
    tally.last = max(tally.last, done)
    if status not in (200, 204):
        pool.give(conn)
        tally.error(f"bid: {status} {raw[:120]!r}")
        return
    tally.answered += 1
    if status == 204:
        pool.give(conn)
        return
    tally.bids += 1
    won, notice, click = notices(json.loads(raw)["seatbid"][0]["bid"][0], market_price, clicks)
    try:
        async with asyncio.timeout(NOTICE_TIMEOUT_S):
            t0 = time.monotonic()
            status, raw = await conn.call("GET", _path(notice))
            tally.notice.append(time.monotonic() - t0)
            if status != 200:
                tally.refused += 1
            elif won:
                tally.impressions += 1
                tally.cost += market_price
                tally.clicks += clicks
                if click is not None:
                    t0 = time.monotonic()
                    status, _ = await conn.call("GET", _path(click))
                    tally.notice.append(time.monotonic() - t0)
                    tally.refused += status >= 400
    except (OSError, asyncio.IncompleteReadError, ValueError, TimeoutError) as exc:
        conn.close()
        pool.give(None)
        tally.error(f"notice: {type(exc).__name__}")
        return
    pool.give(conn)


async def _offer(pool: _Pool, start: float, rate: float, index: int, every: int, items: list[Any]) -> _Tally:
    """This process's share of a step: item j is request index + j * every of the step, due at
    start + (index + j * every) / rate."""
    tally = _Tally(first=start)
    tasks = []
    for j, item in enumerate(items):
        due = start + (index + j * every) / rate
        wait = due - time.monotonic()
        if wait > 0:
            await asyncio.sleep(wait)
        tasks.append(asyncio.create_task(_auction(pool, due, item, tally)))
    await asyncio.gather(*tasks)
    return tally


def _exchange_process(host: str, port: int, index: int, every: int, pipe: Connection) -> None:
    """An exchange process: ready once it has imported what it runs; then for each step it is sent
    (start, rate, items), its tally back; None ends."""
    import dsp.replay  # noqa: F401  # (its import would stall the first step)

    with contextlib.suppress(ImportError):
        import uvloop

        asyncio.set_event_loop_policy(uvloop.EventLoopPolicy())

    async def main() -> None:
        pool = _Pool(host, port)
        try:
            while True:
                step = await asyncio.to_thread(pipe.recv)
                if step is None:
                    return
                start, rate, items = step
                await pool.fill(CONNECTIONS)
                gc.collect()
                gc.disable()  # a full collection mid-step would stall every request in flight: the bidder's latency
                try:
                    tally = await _offer(pool, start, rate, index, every, items)
                finally:
                    gc.enable()
                pipe.send(tally)
        finally:
            pool.close()

    pipe.send("ready")
    asyncio.run(main())


class Exchange:
    """`n` exchange processes against the bidder at host:port, each sending every n-th request."""

    def __init__(self, host: str, port: int, n: int) -> None:
        ctx = mp.get_context("spawn")
        self.pipes: list[Connection] = []
        self.procs = []
        for i in range(n):
            ours, theirs = ctx.Pipe()
            proc = ctx.Process(target=_exchange_process, args=(host, port, i, n, theirs), daemon=True)
            proc.start()
            self.pipes.append(ours)
            self.procs.append(proc)
        for pipe in self.pipes:
            if not pipe.poll(120) or pipe.recv() != "ready":
                self.close()
                raise RuntimeError("an exchange process did not start within two minutes")

    @property
    def pids(self) -> list[int]:
        return [p.pid for p in self.procs if p.pid is not None]

    def step(self, rate: float, items: list[tuple[bytes, int, int]]) -> _Tally:
        """Offer `items` at `rate` requests/s; the processes' tallies merged."""
        n = len(self.pipes)
        start = time.monotonic() + 1.0  # time for every process to open its connections
        for i, pipe in enumerate(self.pipes):
            pipe.send((start, rate, items[i::n]))
        parts: list[_Tally] = [pipe.recv() for pipe in self.pipes]
        out = _Tally(first=start)
        for p in parts:
            for k in ("due", "service", "notice", "first_errors"):
                getattr(out, k).extend(getattr(p, k))
            for k in ("answered", "bids", "errors", "timeouts", "refused", "clicks", "impressions", "cost"):
                setattr(out, k, getattr(out, k) + getattr(p, k))
            out.last = max(out.last, p.last)
        return out

    def close(self) -> None:
        for pipe in self.pipes:
            with contextlib.suppress(OSError):
                pipe.send(None)
        for proc in self.procs:
            proc.join(timeout=30)
            if proc.is_alive():
                proc.kill()


# -- the canned bidder (the exchange's baseline) ---------------------------------------------------


def _canned_server(port: int) -> None:
    """Answer every POST with one bid (price 10: the exchange wins about a fifth of the log) and
    every GET with 200 {}, on asyncio alone: the cheapest bidder the exchange could talk to."""
    root = f"http://127.0.0.1:{port}"
    bid = {
        "id": "1",
        "seatbid": [
            {
                "bid": [
                    {
                        "id": "1-1",
                        "impid": "1",
                        "price": 10.0,
                        "adm": f'<a href="{root}/click?t=x"><img src="ad.png"></a>',
                        "nurl": f"{root}/win?t=x&price=${{AUCTION_PRICE}}",
                        "lurl": f"{root}/loss?t=x&reason=${{AUCTION_LOSS}}",
                    }
                ]
            }
        ],
    }
    body = json.dumps(bid).encode()
    posted = b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: %d\r\n\r\n%s" % (len(body), body)
    got = b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 2\r\n\r\n{}"

    class Canned(asyncio.Protocol):
        def connection_made(self, transport: asyncio.BaseTransport) -> None:
            self.transport: Any = transport
            self.buf = b""

        def data_received(self, data: bytes) -> None:
            self.buf += data
            while (end := self.buf.find(b"\r\n\r\n")) >= 0:
                head = self.buf[:end].lower()
                at = head.find(b"content-length:")
                n = int(head[at + 15 :].split(b"\r\n", 1)[0]) if at >= 0 else 0
                if len(self.buf) < end + 4 + n:
                    return
                self.buf = self.buf[end + 4 + n :]
                self.transport.write(posted if head.startswith(b"post") else got)

    with contextlib.suppress(ImportError):
        import uvloop

        asyncio.set_event_loop_policy(uvloop.EventLoopPolicy())

    gc.freeze()  # as the bidder does (dsp/app.py)

    async def main() -> None:
        server = await asyncio.get_running_loop().create_server(Canned, "127.0.0.1", port, backlog=1024)
        async with server:
            await server.serve_forever()

    asyncio.run(main())


@contextlib.contextmanager
def canned_bidder() -> Iterator[tuple[int, int]]:
    """The canned bidder in its own process: its port and process id."""
    from dsp.replay import _free_port

    port = _free_port()
    proc = mp.get_context("spawn").Process(target=_canned_server, args=(port,), daemon=True)
    proc.start()
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                import socket

                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if time.monotonic() > deadline or not proc.is_alive():
                    raise RuntimeError("the canned bidder did not start") from None
                time.sleep(0.1)
        assert proc.pid is not None
        yield port, proc.pid
    finally:
        proc.kill()
        proc.join(timeout=10)


# -- the run ---------------------------------------------------------------------------------------


def cpu_seconds(roots: list[int]) -> float:
    """CPU seconds (user and system) spent so far by the processes `roots` and their descendants."""
    procs: dict[int, tuple[int, int]] = {}  # pid -> (parent, clock ticks)
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            with open(f"/proc/{name}/stat") as fh:
                raw = fh.read()
        except OSError:
            continue
        rest = raw[raw.rindex(")") + 2 :].split()  # state, ppid, ... utime (12th), stime (13th)
        procs[int(name)] = (int(rest[1]), int(rest[11]) + int(rest[12]))
    seen, todo = set(), [r for r in roots if r in procs]
    while todo:
        pid = todo.pop()
        seen.add(pid)
        todo += [c for c, (parent, _) in procs.items() if parent == pid and c not in seen]
    return sum(procs[p][1] for p in seen) / os.sysconf("SC_CLK_TCK")


def _ms(values: list[float], q: float) -> float | None:
    return round(float(np.percentile(np.asarray(values) * 1000, q)), 2) if values else None


def _row(rate: float, n: int, t: _Tally, cpu: tuple[float, float]) -> dict[str, Any]:
    seconds = max(t.last - t.first, n / rate)
    row: dict[str, Any] = {
        "offered_rps": rate,
        "requests": n,
        "achieved_rps": round(t.answered / seconds, 1),
        "p50_ms": _ms(t.due, 50),
        "p95_ms": _ms(t.due, 95),
        "p99_ms": _ms(t.due, 99),
        "service_p99_ms": _ms(t.service, 99),
        "notice_p99_ms": _ms(t.notice, 99),
        "bids": t.bids,
        "errors": t.errors,
        "timeouts": t.timeouts,
        "refused_notices": t.refused,
        "bidder_cpu_ms": round(1000 * cpu[0] / n, 3),  # CPU time a request (its notices included)
        "exchange_cpu_ms": round(1000 * cpu[1] / n, 3),
    }
    row["sustained"] = bool(
        t.answered >= KEEPS_UP * n and not (t.errors or t.timeouts) and (row["p99_ms"] or 0) <= P99_GOAL_MS
    )
    if t.first_errors:
        row["first_errors"] = t.first_errors
    return row


def _steps(
    exchange: Exchange,
    requests: Callable[[int, int], list[tuple[bytes, int, int]]],
    rates: tuple[float, ...],
    seconds: float,
    say: Callable[[str], None],
    tally: _Tally,
    bidder: int,
) -> list[dict[str, Any]]:
    """Each rate for `seconds`, the requests taken from the log in order; stops after the first
    rate not kept up with. `tally` gathers the exchange's clicks, impressions and cost; `bidder` is
    the bidder's process (its CPU time is measured with its workers')."""
    rows = []
    sent = 0
    _add(tally, exchange.step(WARM_RATE, requests(sent, WARM)))
    sent += WARM
    for rate in rates:
        n = int(rate * seconds)
        items = requests(sent, n)
        before = cpu_seconds([bidder]), cpu_seconds(exchange.pids)
        t = exchange.step(rate, items)
        after = cpu_seconds([bidder]), cpu_seconds(exchange.pids)
        sent += n
        _add(tally, t)
        row = _row(rate, n, t, (after[0] - before[0], after[1] - before[1]))
        rows.append(row)
        say(
            f"  {rate:>6g} offered: {row['achieved_rps']:>7g} rps, p50 {row['p50_ms']} ms, p99 {row['p99_ms']} ms, "
            f"errors {row['errors']}, timeouts {row['timeouts']}; CPU ms a request: bidder "
            f"{row['bidder_cpu_ms']}, exchange {row['exchange_cpu_ms']}"
        )
        if t.answered < KEEPS_UP * n:
            break
    tally.answered = sent  # the auctions sent, warm-up included
    return rows


def _add(into: _Tally, t: _Tally) -> None:
    for k in ("bids", "clicks", "impressions", "cost", "refused", "errors", "timeouts"):
        setattr(into, k, getattr(into, k) + getattr(t, k))


def _sustained(rows: list[dict[str, Any]]) -> float | None:
    """The highest offered rate sustained (every lower one sustained too)."""
    best = None
    for r in rows:
        if not r["sustained"]:
            break
        best = r["offered_rps"]
    return best


def _fresh_database(server: str, name: str) -> str:
    """A new, empty database on the PostgreSQL server (each number of workers bids on its own)."""
    from evals.postgres import create_database

    return create_database(server, name)


def _database(postgres: bool, server: str | None) -> contextlib.AbstractContextManager[str | None]:
    if server or not postgres:
        return contextlib.nullcontext(server)
    from evals.postgres import local_postgres

    return local_postgres()


def run(
    base: Path,
    *,
    workers: tuple[int, ...] = DEFAULT_WORKERS,
    rates: tuple[float, ...] = DEFAULT_RATES,
    seconds: float = DEFAULT_SECONDS,
    strategy: str = "lin",
    generators: int = 1,
    budget_scale: float = 1.0,
    postgres: bool = False,
    postgres_server: str | None = None,
    progress: Callable[[str], None] | None = None,
) -> dict[str, Any]:
    """The canned bidder, then the bidder at each number of workers, at each rate: the figures. With
    `postgres` the bidder's books are on a throwaway PostgreSQL (or on `postgres_server`, a URL), in a
    new database for each number of workers."""
    from dsp.replay import REPLAY_STRATEGIES, bid_request, offline, running
    from dsp.replay import add_campaign as add_replay_campaign
    from store import dsp as ledger
    from store import reference
    from store.db import make_engine, make_sessionmaker

    if strategy not in REPLAY_STRATEGIES:
        raise ValueError(f"unknown strategy {strategy!r}; the benchmark runs {', '.join(REPLAY_STRATEGIES)}")
    if budget_scale <= 0:
        raise ValueError("--budget-scale must be above 0")
    if not rates or min(rates) <= 0 or seconds <= 0 or generators < 1 or not workers or min(workers) < 1:
        raise ValueError("rates and seconds must be positive, --generators and --workers at least 1")
    say = progress or (lambda _m: None)
    setup = reference.ipinyou_setup(base)
    setup["budget"] = max(1, round(setup["budget"] * budget_scale))  # a period's, in CPM-price units
    total = int(setup["clicks"].size)
    need = WARM + int(sum(r * seconds for r in rates))
    if need > total:
        raise ValueError(f"the steps ask for {need:,} auctions; the log has {total:,}: fewer rates or seconds")
    bodies = [json.dumps(bid_request(i, setup["pctr"][i], tmax=TMAX_MS)).encode() for i in range(need)]
    price, clicks = setup["price"], setup["clicks"]

    def requests(start: int, n: int) -> list[tuple[bytes, int, int]]:
        return [(bodies[i], int(price[i]), int(clicks[i])) for i in range(start, start + n)]

    load_before = os.getloadavg()[0]
    out: dict[str, Any] = {
        "strategy": strategy,
        "budget_per_period": setup["budget"],
        "seconds_per_step": seconds,
        "generators": generators,
    }
    say(f"the exchange ({generators} process(es)) against the canned bidder")
    with canned_bidder() as (port, pid):
        exchange = Exchange("127.0.0.1", port, generators)
        try:
            base_rows = _steps(exchange, requests, rates, seconds, say, _Tally(), pid)
        finally:
            exchange.close()
    out["baseline"] = {"steps": base_rows, "sustained_rps": _sustained(base_rows)}
    out["bidder"] = []
    with _database(postgres, postgres_server) as server, tempfile.TemporaryDirectory(prefix="copilot-dsp-load-") as tmp:
        for w in workers:
            db_url = (
                _fresh_database(server, f"dsp_load_{w}_{os.getpid()}")
                if server
                else f"sqlite:///{Path(tmp) / f'dsp-{w}.db'}"
            )
            engine = make_engine(db_url)
            sessions = make_sessionmaker(engine)
            try:
                cid = add_replay_campaign(sessions, setup, strategy, workers=w)
                tally = _Tally()
                with running(db_url, w) as bidder:
                    say(f"the bidder, {w} worker(s)")
                    exchange = Exchange("127.0.0.1", bidder.port, generators)
                    try:
                        rows = _steps(exchange, requests, rates, seconds, say, tally, bidder.pid)
                    finally:
                        exchange.close()
                book = ledger.totals(sessions, cid)
            finally:
                engine.dispose()
            n = tally.answered
            off = offline(setup, strategy, n)
            theirs = {"clicks": off.clicks, "impressions": off.impressions, "cost": off.cost}
            ours = {"clicks": tally.clicks, "impressions": tally.impressions, "cost": tally.cost}
            books = {"clicks": book["clicks"], "impressions": book["impressions"], "cost": book["spent_micros"] / 1000}
            out["bidder"].append(
                {
                    "workers": w,
                    "steps": rows,
                    "sustained_rps": _sustained(rows),
                    "auctions": n,
                    "exchange": ours,
                    "dsp": books,
                    "offline": theirs,
                    "equal": ours == theirs == books,
                    "bids": tally.bids,
                    "errors": tally.errors,
                    "timeouts": tally.timeouts,
                    "refused_notices": tally.refused,
                    "server_tracebacks": bidder.log.count("Traceback"),
                }
            )
    base_best = out["baseline"]["sustained_rps"]
    for b in out["bidder"]:
        b["of_baseline"] = round(b["sustained_rps"] / base_best, 2) if b["sustained_rps"] and base_best else None
    out["database"] = "postgresql" if postgres or postgres_server else "sqlite"
    out["cpus"] = os.cpu_count()
    out["load_average_1m"] = [round(load_before, 2), round(os.getloadavg()[0], 2)]
    out["note"] = (
        "rates and latencies are the bid requests'; latency is from the time a request was due (open loop) "
        "to its response; notices are sent on the same connection after each bid and timed apart"
    )
    return out


_MEDIANS = ("achieved_rps", "p50_ms", "p95_ms", "p99_ms", "service_p99_ms", "notice_p99_ms")
_MEDIANS_CPU = ("bidder_cpu_ms", "exchange_cpu_ms")
_SUMS = ("requests", "bids", "errors", "timeouts", "refused_notices")


def combine(results: list[dict[str, Any]]) -> dict[str, Any]:
    """Several runs of `run` as one: for each bidder and rate the runs' medians (the sums of requests,
    errors and timeouts), each run's p99 in `p99_each_ms`, and the highest rate sustained judged on
    those medians; the clicks claim holds when it held in every run."""
    if len(results) == 1:
        return results[0]

    def merged(runs: list[dict[str, Any]]) -> list[dict[str, Any]]:
        rates = list(dict.fromkeys(r["offered_rps"] for b in runs for r in b["steps"]))
        rows = []
        for rate in rates:
            at = [r for b in runs for r in b["steps"] if r["offered_rps"] == rate]
            row: dict[str, Any] = {"offered_rps": rate, "runs": len(at)}
            for k in _MEDIANS + _MEDIANS_CPU:
                values = [r[k] for r in at if r.get(k) is not None]
                row[k] = round(float(np.median(values)), 3) if values else None
            for k in _SUMS:
                row[k] = sum(r[k] for r in at)
            row["p99_each_ms"] = [r["p99_ms"] for r in at]
            row["sustained"] = bool(
                len(at) == len(runs)  # a run that stopped before this rate did not keep up with it
                and not (row["errors"] or row["timeouts"])
                and row["achieved_rps"] >= KEEPS_UP * rate
                and (row["p99_ms"] or 0) <= P99_GOAL_MS
            )
            rows.append(row)
        return rows

    first = results[0]
    out = {k: v for k, v in first.items() if k not in ("baseline", "bidder", "load_average_1m")}
    out["runs"] = len(results)
    out["load_average_1m"] = [first["load_average_1m"][0], results[-1]["load_average_1m"][1]]
    base_rows = merged([r["baseline"] for r in results])
    out["baseline"] = {"steps": base_rows, "sustained_rps": _sustained(base_rows)}
    out["bidder"] = []
    for i, b in enumerate(first["bidder"]):
        each = [r["bidder"][i] for r in results]
        rows = merged(each)
        out["bidder"].append(
            {
                **{k: v for k, v in b.items() if k not in ("steps", "sustained_rps", "of_baseline")},
                "steps": rows,
                "sustained_rps": _sustained(rows),
                "equal": all(e["equal"] for e in each),
                "each_run": [{k: e[k] for k in ("auctions", "exchange", "dsp", "offline", "equal")} for e in each],
                "server_tracebacks": sum(e["server_tracebacks"] for e in each),
                "refused_notices": sum(e["refused_notices"] for e in each),
            }
        )
    best = out["baseline"]["sustained_rps"]
    for b in out["bidder"]:
        b["of_baseline"] = round(b["sustained_rps"] / best, 2) if b["sustained_rps"] and best else None
    return out


def _print(res: dict[str, Any]) -> None:
    db = "PostgreSQL" if res["database"] == "postgresql" else "SQLite"
    n = res.get("runs", 1)
    print(
        f"DSP load, strategy {res['strategy']} (budget {res['budget_per_period']:,} a period), {db}, {res['seconds_per_step']:g} s a step, "
        f"{res['generators']} exchange process(es); {res['cpus']} CPUs, load average "
        f"{res['load_average_1m'][0]} before, {res['load_average_1m'][1]} after"
        + (f"; medians of {n} runs" if n > 1 else "")
    )
    each = " p99 ms each run |" if n > 1 else ""
    print(
        f"| bidder | offered rps | achieved rps | p50 ms | p95 ms | p99 ms |{each} service p99 ms | errors | timeouts "
        "| bidder CPU ms a request | exchange CPU ms a request |"
    )
    print("|---" * (11 + (n > 1)) + "|")
    runs = [("canned (baseline)", res["baseline"])] + [(f"{b['workers']} worker(s)", b) for b in res["bidder"]]
    for name, r in runs:
        for s in r["steps"]:
            p99s = f" {', '.join(str(x) for x in s['p99_each_ms'])} |" if n > 1 else ""
            print(
                f"| {name} | {s['offered_rps']:g} | {s['achieved_rps']:g} | {s['p50_ms']} | {s['p95_ms']} | "
                f"{s['p99_ms']} |{p99s} {s['service_p99_ms']} | {s['errors']} | {s['timeouts']} | {s['bidder_cpu_ms']} "
                f"| {s['exchange_cpu_ms']} |"
            )
    for name, r in runs:
        extra = f" ({r['of_baseline']} of the baseline's)" if "of_baseline" in r else ""
        print(f"{name}: highest rate sustained at p99 <= {P99_GOAL_MS:g} ms: {r['sustained_rps']}{extra}")
    for b in res["bidder"]:
        for e in b.get("each_run", [b]):
            print(
                f"{b['workers']} worker(s), {e['auctions']:,} auctions: exchange {e['exchange']}, dsp {e['dsp']}, "
                f"offline {e['offline']}: {'equal' if e['equal'] else 'NOT equal'}"
            )
        print(
            f"{b['workers']} worker(s): refused notices {b['refused_notices']}, server tracebacks {b['server_tracebacks']}"
        )
    print(res["note"])


def _default_data() -> Path:
    return Path(__file__).resolve().parents[2] / "shared" / "data"


def main(argv: list[str] | None = None) -> None:
    doc = __doc__ or ""
    ap = argparse.ArgumentParser(prog="python -m evals.dsp_load", description=doc.split("\n\n")[0])
    ap.add_argument("--workers", type=int, nargs="+", default=list(DEFAULT_WORKERS), help="bidder workers, each run")
    ap.add_argument("--rates", type=float, nargs="+", default=list(DEFAULT_RATES), help="offered requests/s")
    ap.add_argument("--seconds", type=float, default=DEFAULT_SECONDS, help="how long each rate is offered")
    ap.add_argument(
        "--runs", type=int, default=DEFAULT_RUNS, help="whole runs; the figures are their medians (default 3)"
    )
    ap.add_argument("--strategy", default="lin", help="the campaign's strategy: ours, rlb, lin or mcpc (default lin)")
    ap.add_argument("--generators", type=int, default=1, help="exchange processes (default 1)")
    ap.add_argument(
        "--budget-scale", type=float, default=1.0, help="the bench's budget a period times this (default 1)"
    )
    ap.add_argument("--postgres", action="store_true", help="a throwaway PostgreSQL instead of a SQLite file")
    ap.add_argument("--data", type=Path, default=_default_data(), help="the reference data (../shared/data)")
    ap.add_argument("--json", action="store_true", help="print one JSON object")
    args = ap.parse_args(argv)
    if not (0 < args.seconds <= 600 and 1 <= args.generators <= 16 and all(1 <= w <= 32 for w in args.workers)):
        ap.error("--seconds must be 0 to 600, --generators 1 to 16, --workers 1 to 32")
    if not 1 <= args.runs <= 20:
        ap.error("--runs must be 1 to 20")
    results = []
    try:
        for i in range(args.runs):
            print(f"run {i + 1} of {args.runs}", file=sys.stderr)
            results.append(
                run(
                    args.data,
                    workers=tuple(args.workers),
                    rates=tuple(args.rates),
                    seconds=args.seconds,
                    strategy=args.strategy,
                    generators=args.generators,
                    budget_scale=args.budget_scale,
                    postgres=args.postgres,
                    progress=lambda m: print(m, file=sys.stderr),
                )
            )
    except ValueError as exc:
        ap.error(str(exc))
    res = combine(results)
    if args.json:
        print(json.dumps(res))
    else:
        _print(res)


if __name__ == "__main__":
    main()
