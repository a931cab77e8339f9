"""Measure the approval race: in each trial a change waits (campaign 1's bid, proposed through the
offline model), then CALLERS approvers answer it at once, even ones yes and odd ones no, each with
its own connections to one SQLite file (WAL, busy timeout): processes forked from a warm parent, or
threads. Counts, over the trials, how often exactly one settled, the shop matched it, the decision
log held one settlement and at most one written tool call, and every other approver was told who
settled it. Runs on a copy of the shop in COPILOT_HOME; the shop itself never changes.

    python -m evals.approval_race --trials 10 --callers 20 [--threads]
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import tempfile
import threading
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

from sqlalchemy import select

from copilot import CopilotError
from copilot.app import Copilot
from copilot.models import make_chat_model
from evals.runner import template_db
from store.db import Campaign, Decision

_SHARED: dict[str, Any] = {}  # what forked approvers inherit from the warm parent


def _approve(i: int, thread: str) -> tuple[str, str]:
    """One approver: ("won", outcome) or ("lost", the one line it was told)."""
    base, settings, model, name = (_SHARED[k] for k in ("base", "settings", "model", "name"))
    cp = Copilot(settings, model=model, model_name=name, shop_from=base.shop)
    try:
        _SHARED["barrier"].wait(timeout=60)
        try:
            res = cp.resume(thread, approved=i % 2 == 0, user=f"u{i}", channel="race")
        except CopilotError as exc:
            return "lost", str(exc)
        return "won", f"u{i} " + res["settled"][0]["outcome"]
    finally:
        cp.close()


def _in_process(i: int, thread: str, out: Any) -> None:
    out.put((i, *_approve(i, thread)))


def trial(callers: int, value: float, *, threads: bool) -> dict[str, Any]:
    """One race; what it left behind, checked."""
    base, settings, model, name = (_SHARED[k] for k in ("base", "settings", "model", "name"))
    proposer = Copilot(settings, model=model, model_name=name, shop_from=base.shop)
    try:
        before = _bid(proposer)
        res = proposer.ask(f"set the bid of campaign 1 to {value:.2f}", user="proposer", channel="race")
        if res["pending_approval"] is None:
            raise SystemExit(f"no change was proposed: {res['answer']}")
        thread, run_id = res["thread_id"], res["run_id"]
        t0 = time.perf_counter()
        if threads:
            _SHARED["barrier"] = threading.Barrier(callers)
            results: list[tuple[int, str, str]] = []
            workers = [
                threading.Thread(target=lambda i=i: results.append((i, *_approve(i, thread)))) for i in range(callers)
            ]
        else:
            ctx = mp.get_context("fork")
            _SHARED["barrier"] = ctx.Barrier(callers)
            queue = ctx.SimpleQueue()
            workers = [ctx.Process(target=_in_process, args=(i, thread, queue)) for i in range(callers)]  # type: ignore[misc]
        for w in workers:
            w.start()
        for w in workers:
            w.join(timeout=300)
        if not threads:
            results = [queue.get() for _ in range(callers)]
        seconds = time.perf_counter() - t0
        won = [(i, what) for i, kind, what in results if kind == "won"]
        approved = len(won) == 1 and won[0][1].endswith("approved")
        winner = f"u{won[0][0]} (race)" if len(won) == 1 else None
        told = [what for _, kind, what in results if kind == "lost"]
        with proposer.sessions() as s:
            rows = list(s.scalars(select(Decision).where(Decision.run_id == run_id)))
        settlements = [d for d in rows if d.kind == "approval"]
        written = [d for d in rows if d.kind == "tool" and d.status == "ok"]
        after = _bid(proposer)
        return {
            "callers": len(results),
            "settled": len(won),
            "outcome": won[0][1] if len(won) == 1 else None,
            "shop_matches": after == (value if approved else before),
            "settlement_rows": len(settlements),
            "tool_ok_rows": len(written),
            "losers_told_winner": sum(winner is not None and f"by {winner} at" in t for t in told),
            "seconds": round(seconds, 2),
        }
    finally:
        proposer.close()


def _bid(cp: Copilot) -> float:
    with cp.sessions() as s:
        return float(s.scalar(select(Campaign.bid).where(Campaign.id == 1)) or 0.0)


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(prog="python -m evals.approval_race", description=__doc__.split("\n\n")[0])
    ap.add_argument("--trials", type=int, default=10)
    ap.add_argument("--callers", type=int, default=20)
    ap.add_argument("--threads", action="store_true", help="approvers as threads of one process")
    args = ap.parse_args(argv)
    if not (1 <= args.trials <= 1000 and 2 <= args.callers <= 64):
        ap.error("--trials must be 1 to 1000 and --callers 2 to 64")
    base = Copilot()
    try:
        model, name = make_chat_model(replace(base.settings, model="offline"))
        with tempfile.TemporaryDirectory(prefix="copilot-race-") as tmp:
            db = Path(tmp) / "shop.db"
            template_db(base, db)
            settings = replace(base.settings, home=Path(tmp), database_url=f"sqlite:///{db}")
            _SHARED.update(base=base, settings=settings, model=model, name=name)
            trials = [trial(args.callers, 1.0 + 0.01 * (k + 1), threads=args.threads) for k in range(args.trials)]
    finally:
        base.close()
    for t in trials:
        print(json.dumps(t))
    good = [
        t
        for t in trials
        if t["settled"] == 1
        and t["shop_matches"]
        and t["settlement_rows"] == 1
        and t["tool_ok_rows"] <= 1
        and t["losers_told_winner"] == t["callers"] - 1
    ]
    print(
        json.dumps(
            {
                "trials": len(trials),
                "callers": args.callers,
                "approvers": "threads" if args.threads else "processes",
                "settled_exactly_once": sum(t["settled"] == 1 for t in trials),
                "all_checks_held": len(good),
                "approved": sum(str(t["outcome"]).endswith("approved") for t in trials),
                "rejected": sum(str(t["outcome"]).endswith("rejected") for t in trials),
                "double_writes": sum(t["tool_ok_rows"] > 1 for t in trials),
                "seconds_per_race_max": max(t["seconds"] for t in trials),
            }
        )
    )


if __name__ == "__main__":
    main()
