"""Measure how the conversations' checkpoints grow on one thread: TURNS requests (everyday questions
in turn, through the offline model) on one thread, on a copy of the shop in COPILOT_HOME with its own
checkpoints file; after each of the turns named in --at, the checkpoints' bytes: the file, its
write-ahead log, the bytes its rows hold, and its rows. The shop itself never changes.

    python -m evals.checkpoint_growth --turns 100 --at 10,50,100
"""

from __future__ import annotations

import argparse
import json
import sqlite3
import tempfile
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

from copilot.app import Copilot
from copilot.models import make_chat_model
from evals.runner import template_db

QUESTIONS = (
    "which customers are about to lapse?",
    "what are our best selling products this month?",
    "tell me about customer 12347",
    "what's the pacing of campaign 2?",
    "show me the RFM segments",
    "how are sales by country?",
    "what is the price elasticity of product 10?",
    "is B better? 120/2400 vs 150/2400",
)


def measure(path: Path) -> dict[str, int]:
    """The checkpoints file's bytes on disk and its write-ahead log's, the bytes its rows hold, its rows."""
    wal = path.with_name(path.name + "-wal")
    with sqlite3.connect(path) as conn:
        held, rows = 0, 0
        for table, column in (("checkpoints", "checkpoint"), ("writes", "value")):
            n, size = conn.execute(f"SELECT count(*), coalesce(sum(length({column})), 0) FROM {table}").fetchone()
            rows, held = rows + n, held + size
    return {
        "file_bytes": path.stat().st_size,
        "wal_bytes": wal.stat().st_size if wal.exists() else 0,
        "row_bytes": held,
        "rows": rows,
    }


def run(turns: int, at: list[int]) -> list[dict[str, Any]]:
    base = Copilot()
    try:
        model, name = make_chat_model(replace(base.settings, model="offline"))
        with tempfile.TemporaryDirectory(prefix="copilot-growth-") as tmp:
            db = Path(tmp) / "shop.db"
            template_db(base, db)
            settings = replace(base.settings, home=Path(tmp), database_url=f"sqlite:///{db}")
            cp = Copilot(settings, model=model, model_name=name, shop_from=base.shop)
            out = []
            try:
                t0 = time.perf_counter()
                for turn in range(1, turns + 1):
                    cp.ask(QUESTIONS[(turn - 1) % len(QUESTIONS)], thread_id="growth", charts=False)
                    if turn in at:
                        out.append(
                            {
                                "turn": turn,
                                **measure(settings.checkpoint_path),
                                "seconds": round(time.perf_counter() - t0, 1),
                            }
                        )
            finally:
                cp.close()
            return out
    finally:
        base.close()


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(prog="python -m evals.checkpoint_growth", description=__doc__.split("\n\n")[0])
    ap.add_argument("--turns", type=int, default=100)
    ap.add_argument("--at", default="10,50,100", help="turns after which to measure, e.g. 10,50,100")
    args = ap.parse_args(argv)
    try:
        at = sorted({int(x) for x in args.at.split(",") if x.strip()})
    except ValueError:
        ap.error("--at must be turn numbers separated by commas, e.g. 10,50,100")
    if not 1 <= args.turns <= 10_000 or not at or at[0] < 1:
        ap.error("--turns must be 1 to 10000 and --at positive turn numbers")
    points = run(args.turns, [a for a in at if a <= args.turns])
    for p in points:
        print(json.dumps(p))
    if len(points) > 1:
        first, last = points[0], points[-1]
        per_turn = (last["row_bytes"] - first["row_bytes"]) / (last["turn"] - first["turn"])
        print(json.dumps({"row_bytes_per_turn_after_first": round(per_turn), "turns": args.turns}))


if __name__ == "__main__":
    main()
