"""Load `copilot serve` on loopback: CLIENTS concurrent clients for SECONDS against a server started on
a copy of the shop in COPILOT_HOME (the shop itself never changes), the offline model.

- A squad of RACERS approvers: one proposes a bid change on campaign 1, then all of them answer it
  at once (even ones yes, odd ones no); each race must give exactly one 200, 409s naming the winner,
  and a bid that matches the winner's answer.
- Every other client loops over reads (the decision log, a thread, a read question) and proposals
  (a bid or a budget on campaigns 2 and 3, or a price), each proposal then approved or rejected by an
  approver, a stale one's fresh preview settled in turn (rejected after STALE_TRIES stale refusals:
  clients racing on the same campaigns keep moving each other's targets).

A client finishes the cycle it is in when time is up. Then the log is audited: changes applied twice
(more than one successful approval of a change, or more than one written tool call), pending rows
orphaned (waiting on a run that has ended, or settled but never resumed, or resumed but never ended).
Prints requests/s, p50/p95/p99 latency, errors, and those counts; one JSON object with --json.

    python -m evals.service_load [--clients 50] [--seconds 60] [--workers 1] [--racers 10] [--json]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

READS = (
    "which customers are about to lapse?",
    "how did our campaigns do last week? ROAS and CPA",
    "sales by month for the last quarter",
    "top 10 customers by lifetime value with at least 5 orders",
    "what's customer 12347 worth?",
    "worst sellers in Germany last quarter",
)
REQUEST_TIMEOUT_S = 120.0
STALE_TRIES = 4  # approvals of one proposal that came back stale before the approver rejects it


@dataclass
class Tally:
    latencies: dict[str, list[float]] = field(default_factory=dict)  # kind -> seconds
    errors: list[str] = field(default_factory=list)
    races: int = 0
    races_once: int = 0  # exactly one 200, every other answer a 409 naming the winner
    races_shop_matched: int = 0
    proposals: int = 0
    outcomes: dict[str, int] = field(default_factory=dict)

    def error(self, what: str) -> None:
        if len(self.errors) < 1000:
            self.errors.append(what)
        else:
            self.errors[-1] = f"... {what}"


class Load:
    """The clients' shared state: one HTTP client, the tokens, the tally, the clock."""

    def __init__(self, url: str, tokens: dict[str, str], db: str, until: float, clients: int) -> None:
        from sqlalchemy import create_engine

        from store.db import engine_url

        self.http = httpx.AsyncClient(
            base_url=url,
            timeout=REQUEST_TIMEOUT_S,
            limits=httpx.Limits(max_connections=clients + 4, max_keepalive_connections=clients + 4),
        )
        self.tokens = tokens
        self.db = create_engine(engine_url(db))
        self.until = until
        self.tally = Tally()
        self.threads: list[str] = []

    async def call(
        self, kind: str, method: str, path: str, token: str, body: Any = None, ok: tuple[int, ...] = (200,)
    ) -> httpx.Response | None:
        """One request, timed; an answer outside `ok` (or none) is an error."""
        t0 = time.perf_counter()
        try:
            r = await self.http.request(method, path, json=body, headers={"Authorization": f"Bearer {token}"})
        except httpx.HTTPError as exc:
            self.tally.latencies.setdefault(kind, []).append(time.perf_counter() - t0)
            self.tally.error(f"{kind}: {type(exc).__name__}")
            return None
        self.tally.latencies.setdefault(kind, []).append(time.perf_counter() - t0)
        if r.status_code not in ok:
            self.tally.error(f"{kind}: {r.status_code} {r.text[:200]}")
            return None
        return r

    def bid(self, campaign: int) -> float:
        from sqlalchemy import text

        with self.db.connect() as con:
            return float(con.execute(text("SELECT bid FROM campaigns WHERE id = :c"), {"c": campaign}).scalar_one())


async def squad(load: Load, racers: int) -> None:
    """Proposals on campaign 1's bid, each answered by `racers` approvers at once."""
    while time.monotonic() < load.until:
        before = await asyncio.to_thread(load.bid, 1)
        value = round(before + 0.01, 2) if before < 3 else 1.0
        r = await load.call(
            "propose", "POST", "/v1/ask", load.tokens["race-m"], {"message": f"set the bid of campaign 1 to {value}"}
        )
        if r is None:
            continue
        res = r.json()
        if res["pending_approval"] is None:
            load.tally.error(f"race: nothing proposed: {res['answer'][:120]}")
            continue
        thread = res["thread_id"]
        answers = await asyncio.gather(
            *(
                load.call(
                    "race-approval",
                    "POST",
                    f"/v1/threads/{thread}/approval",
                    load.tokens[f"race-a{i}"],
                    {"approve": i % 2 == 0},
                    ok=(200, 409),
                )
                for i in range(racers)
            )
        )
        load.tally.races += 1
        wins = [(i, a) for i, a in enumerate(answers) if a is not None and a.status_code == 200]
        if len(wins) != 1:
            load.tally.error(f"race on {thread}: {len(wins)} approvers got 200")
            continue
        winner, won = wins[0]
        approved = won.json()["settled"][0]["outcome"] == "approved"
        named = f"by race-a{winner} (api) at"
        if all(a is not None and a.status_code == 409 and named in a.json()["error"] for a in answers if a is not won):
            load.tally.races_once += 1
        else:
            load.tally.error(f"race on {thread}: a loser was not told race-a{winner} settled it")
        after = await asyncio.to_thread(load.bid, 1)
        if after == (value if approved else before):
            load.tally.races_shop_matched += 1
        else:
            load.tally.error(f"race on {thread}: bid {after}, not {value if approved else before}")


def _proposal(rng: random.Random) -> str:
    campaign = rng.choice((2, 3))
    return rng.choice(
        (
            f"set the bid of campaign {campaign} to {rng.randint(30, 120) / 100:.2f}",
            f"set the daily budget of campaign {campaign} to {rng.randint(150, 450)}",
            f"set the price of product {rng.randint(1, 200)} to £{rng.randint(100, 900) / 100:.2f}",
        )
    )


async def client(load: Load, i: int) -> None:
    """Reads and proposals, each proposal settled by an approver (a stale one's fresh preview too)."""
    rng = random.Random(i)
    marketer, approver, viewer = (load.tokens[f"{k}{i % 5}"] for k in ("m", "a", "v"))
    while time.monotonic() < load.until:
        pick = rng.random()
        if pick < 0.2:
            await load.call("decisions", "GET", "/v1/decisions?limit=20", viewer)
        elif pick < 0.35 and load.threads:
            await load.call("thread", "GET", f"/v1/threads/{rng.choice(load.threads[-200:])}", viewer)
        elif pick < 0.7:
            r = await load.call("ask", "POST", "/v1/ask", marketer, {"message": rng.choice(READS)})
            if r is not None:
                load.threads.append(r.json()["thread_id"])
        else:
            await propose_and_settle(load, rng, marketer, approver)


async def propose_and_settle(load: Load, rng: random.Random, marketer: str, approver: str) -> None:
    r = await load.call("propose", "POST", "/v1/ask", marketer, {"message": _proposal(rng)})
    if r is None:
        return
    res = r.json()
    load.threads.append(res["thread_id"])
    pending = res["pending_approval"]
    if pending is None:
        return  # e.g. the value asked for is the value now: answered, nothing to approve
    load.tally.proposals += 1
    for attempt in range(STALE_TRIES + 1):  # a stale change comes back with a fresh preview, settled in turn
        yes = attempt < STALE_TRIES and rng.random() < 0.7  # after that many, the approver gives up: no
        a = await load.call(
            "approval",
            "POST",
            f"/v1/threads/{res['thread_id']}/approval",
            approver,
            {"approve": yes, "change_id": pending["id"]},
        )
        if a is None:
            return
        settled = a.json()
        for s in settled["settled"]:
            load.tally.outcomes[s["outcome"]] = load.tally.outcomes.get(s["outcome"], 0) + 1
        pending = settled["pending_approval"]
        if pending is None:
            return
    load.tally.error(f"thread {res['thread_id']}: still waiting after a rejection")


def audit(db: str) -> dict[str, int]:
    """What the log says once the load has stopped (the same SQL on SQLite and PostgreSQL)."""
    from sqlalchemy import create_engine, func, select, text

    from store.db import Decision, engine_url

    engine = create_engine(engine_url(db))
    try:
        with engine.connect() as con:

            def one(sql: str) -> int:
                return int(con.execute(text(sql)).scalar_one())

            approved = (
                select(Decision.result["pending_id"].as_string().label("p"))
                .where(Decision.kind == "approval", Decision.status == "ok")
                .subquery()
            )
            twice_approved = con.execute(
                select(func.count()).select_from(
                    select(approved.c.p).group_by(approved.c.p).having(func.count() > 1).subquery()
                )
            ).scalar_one()
            twice_written = one(
                "SELECT COUNT(*) FROM (SELECT run_id, tool_call_id FROM decisions WHERE kind = 'tool' AND status = 'ok' "
                "AND tool_call_id IS NOT NULL GROUP BY run_id, tool_call_id HAVING COUNT(*) > 1) AS t"
            )
            applied_without_approval = one(
                "SELECT COUNT(*) FROM pending_changes WHERE applied_at IS NOT NULL AND state != 'approved'"
            )
            waiting_on_ended_run = one(
                "SELECT COUNT(*) FROM pending_changes p JOIN runs r ON r.id = p.run_id "
                "WHERE p.state = 'pending' AND r.ended_at IS NOT NULL"
            )
            batches = con.execute(
                text(
                    "SELECT p.batch, MIN(p.id), SUM(CASE WHEN p.state = 'pending' THEN 1 ELSE 0 END), "
                    "MAX(CASE WHEN r.ended_at IS NULL THEN 1 ELSE 0 END) FROM pending_changes p "
                    "JOIN runs r ON r.id = p.run_id GROUP BY p.batch"
                )
            ).all()
            resumed = {
                i: bool(r)
                for i, r in con.execute(
                    text("SELECT id, CASE WHEN resumed_at IS NULL THEN 0 ELSE 1 END FROM pending_changes")
                )
            }
            still_pending = one("SELECT COUNT(*) FROM pending_changes WHERE state = 'pending'")
            changes = one("SELECT COUNT(*) FROM pending_changes")
            open_runs = one("SELECT COUNT(*) FROM runs WHERE ended_at IS NULL")
    finally:
        engine.dispose()
    settled = [(anchor, run_open) for _b, anchor, waiting, run_open in batches if not waiting]
    never_resumed = sum(1 for anchor, _ in settled if not resumed.get(anchor))
    never_ended = sum(1 for anchor, run_open in settled if resumed.get(anchor) and run_open)
    return {
        "changes": changes,
        "applied_twice": int(twice_approved) + twice_written + applied_without_approval,
        "orphaned": waiting_on_ended_run + never_resumed + never_ended,
        "still_pending": still_pending,
        "runs_open": open_runs,
    }


def _percentile(values: list[float], q: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _tokens(db: str, racers: int) -> dict[str, str]:
    from copilot.tokens import create_token
    from store.db import make_engine, make_sessionmaker

    engine = make_engine(db)
    try:
        sessions = make_sessionmaker(engine)
        made = {"race-m": ("race-m", "marketer")}
        made |= {f"race-a{i}": (f"race-a{i}", "approver") for i in range(racers)}
        made |= {
            f"{k}{i}": (f"load-{k}{i}", role)
            for i in range(5)
            for k, role in (("m", "marketer"), ("a", "approver"), ("v", "viewer"))
        }
        return {key: create_token(sessions, name, role)[0] for key, (name, role) in made.items()}
    finally:
        engine.dispose()


@contextmanager
def prepare(home: Path) -> Iterator[str]:
    """A copy of COPILOT_HOME's shop in `home` (its database with an empty log and no tokens: a file,
    or, for a PostgreSQL shop, a database dropped on exit and named in the home's settings.json),
    the catalog and the derived arrays. Yields the copy's database URL."""
    from copilot.app import Copilot
    from evals.runner import shop_template

    base = Copilot()
    try:
        with shop_template(base, home, "shop.db") as db:
            for sub in ("chroma", "cache"):
                if (base.settings.home / sub).is_dir():
                    shutil.copytree(base.settings.home / sub, home / sub)
            if db.startswith("postgres"):
                (home / "settings.json").write_text(json.dumps({"database_url": db}))
            else:
                db = f"sqlite:///{db}"
            yield db
    finally:
        base.close()


def start_server(home: Path, port: int, workers: int) -> subprocess.Popen[str]:
    env = {**os.environ, "COPILOT_HOME": str(home), "COPILOT_MODEL": "offline"}
    env.pop("COPILOT_DATABASE_URL", None)
    root = str(Path(__file__).resolve().parents[1])
    env["PYTHONPATH"] = os.pathsep.join(p for p in (root, env.get("PYTHONPATH")) if p)
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "channels.cli",
            "serve",
            "--port",
            str(port),
            "--workers",
            str(workers),
            "--no-access-log",
        ],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def wait_ready(url: str, proc: subprocess.Popen[str], timeout: float = 180.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"copilot serve stopped: {(proc.stdout.read() if proc.stdout else '')[-2000:]}")
        try:
            if httpx.get(f"{url}/readyz", timeout=5).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    raise SystemExit(f"copilot serve was not ready within {timeout:.0f} s")


async def _drive(
    url: str, tokens: dict[str, str], db: str, clients: int, racers: int, seconds: float, workers: int = 1
) -> Tally:
    load = Load(url, tokens, db, time.monotonic() + seconds, clients)
    try:
        # warm: the first answers of each worker load the offline model's index and the shop's arrays
        # (not counted); sent at once, so that every worker takes some
        auth = {"Authorization": f"Bearer {tokens['m0']}"}
        for _ in range(2):
            await asyncio.gather(
                *(load.http.post("/v1/ask", json={"message": q}, headers=auth) for q in READS for _ in range(workers))
            )
        load.until = time.monotonic() + seconds
        t0 = time.perf_counter()
        await asyncio.gather(squad(load, racers), *(client(load, i) for i in range(clients - racers)))
        load.tally.latencies["_wall"] = [time.perf_counter() - t0]
    finally:
        await load.http.aclose()
        load.db.dispose()
    return load.tally


def run(
    *,
    clients: int = 50,
    seconds: float = 60.0,
    workers: int = 1,
    racers: int = 10,
    progress: Callable[[str], None] | None = None,
) -> dict[str, Any]:
    """Start `copilot serve` on a copy of the shop, load it, stop it, audit the log: the figures."""
    if not (racers >= 2 and clients > racers):
        raise ValueError("--racers must be at least 2 and --clients more than --racers")
    say = progress or (lambda _msg: None)
    load_before = os.getloadavg()[0]
    with tempfile.TemporaryDirectory(prefix="copilot-service-") as tmp, prepare(Path(tmp)) as db:
        home = Path(tmp)
        say("copied the shop")
        tokens = _tokens(db, racers)
        port = _free_port()
        url = f"http://127.0.0.1:{port}"
        proc = start_server(home, port, workers)
        try:
            say(f"starting copilot serve --workers {workers}")
            wait_ready(url, proc)
            say(f"{clients} clients for {seconds:g} s")
            tally = asyncio.run(_drive(url, tokens, db, clients, racers, seconds, workers))
        finally:
            proc.send_signal(signal.SIGINT)
            try:
                log, _ = proc.communicate(timeout=60)
            except subprocess.TimeoutExpired:
                proc.kill()
                log, _ = proc.communicate()
        checked = audit(db)
        database = "postgresql" if db.startswith("postgres") else "sqlite"
    wall = tally.latencies.pop("_wall")[0]
    load_after = os.getloadavg()[0]
    every = [x for xs in tally.latencies.values() for x in xs]
    ms = lambda v: round(1000 * v, 1)  # noqa: E731
    return {
        "clients": clients,
        "seconds": round(wall, 1),
        "workers": workers,
        "database": database,
        "requests": len(every),
        "requests_per_s": round(len(every) / wall, 1),
        "p50_ms": ms(_percentile(every, 0.50)),
        "p95_ms": ms(_percentile(every, 0.95)),
        "p99_ms": ms(_percentile(every, 0.99)),
        "errors": len(tally.errors),
        "applied_twice": checked["applied_twice"],
        "orphaned": checked["orphaned"],
        "races": tally.races,
        "races_settled_once": tally.races_once,
        "races_shop_matched": tally.races_shop_matched,
        "proposals": tally.proposals + tally.races,
        "outcomes": dict(sorted(tally.outcomes.items())),
        "still_pending": checked["still_pending"],
        "runs_open": checked["runs_open"],
        "by_kind": {
            k: {"n": len(v), "p50_ms": ms(_percentile(v, 0.5)), "p95_ms": ms(_percentile(v, 0.95))}
            for k, v in sorted(tally.latencies.items())
        },
        "first_errors": tally.errors[:5],
        "server_tracebacks": log.count("Traceback"),
        "cpus": os.cpu_count(),
        "load_average_1m": [round(load_before, 2), round(load_after, 2)],  # the machine's, before and after
    }


def main(argv: list[str] | None = None) -> None:
    doc = __doc__ or ""
    ap = argparse.ArgumentParser(prog="python -m evals.service_load", description=doc.split("\n\n")[0])
    ap.add_argument("--clients", type=int, default=50, help="concurrent clients (default 50)")
    ap.add_argument("--seconds", type=float, default=60.0, help="how long they send requests (default 60)")
    ap.add_argument("--workers", type=int, default=1, help="copilot serve --workers (default 1)")
    ap.add_argument("--racers", type=int, default=10, help="approvers racing on each change (default 10)")
    ap.add_argument("--json", action="store_true", help="print one JSON object")
    args = ap.parse_args(argv)
    if not (2 <= args.clients <= 500 and 1 <= args.seconds <= 3600 and 1 <= args.workers <= 32):
        ap.error("--clients must be 2 to 500, --seconds 1 to 3600, --workers 1 to 32")
    try:
        res = run(
            clients=args.clients,
            seconds=args.seconds,
            workers=args.workers,
            racers=args.racers,
            progress=lambda m: print(m, file=sys.stderr),
        )
    except ValueError as exc:
        ap.error(str(exc))
    if args.json:
        print(json.dumps(res))
        return
    print(
        f"{res['clients']} clients, {res['seconds']} s, {res['workers']} worker(s), {'PostgreSQL' if res['database'] == 'postgresql' else 'SQLite'}: {res['requests']:,} requests, "
        f"{res['requests_per_s']} requests/s, p50 {res['p50_ms']} ms, p95 {res['p95_ms']} ms, p99 {res['p99_ms']} ms"
    )
    print(
        f"errors {res['errors']}, changes applied twice {res['applied_twice']}, pending rows orphaned {res['orphaned']}; "
        f"races {res['races']}: settled once {res['races_settled_once']}, shop matched {res['races_shop_matched']}; "
        f"proposals {res['proposals']}, outcomes {res['outcomes']}"
    )
    print(
        f"machine: {res['cpus']} CPUs, load average (1 min) {res['load_average_1m'][0]} before, {res['load_average_1m'][1]} after"
    )
    for kind, row in res["by_kind"].items():
        print(f"  {kind:<15} {row['n']:>6}  p50 {row['p50_ms']:>8} ms  p95 {row['p95_ms']:>8} ms")
    for line in res["first_errors"]:
        print(f"  error: {line}")


if __name__ == "__main__":
    main()
