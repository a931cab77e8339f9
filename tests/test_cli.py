"""The console script as a marketer runs it: JSON contract, approvals, one-line errors."""

from __future__ import annotations

import json
import os
import subprocess
import sys


def cli(home, *args: str) -> subprocess.CompletedProcess[str]:  # type: ignore[no-untyped-def]
    env = {**os.environ, "COPILOT_HOME": str(home), "COLUMNS": "250"}
    env.pop("OPENAI_API_KEY", None)
    env.pop("OPENAI_BASE_URL", None)
    return subprocess.run(
        [sys.executable, "-m", "channels.cli", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )


def test_ask_json_contract_and_approval_across_processes(copilot_home):  # type: ignore[no-untyped-def]
    p = cli(copilot_home, "ask", "set the daily budget of campaign 2 to 450", "--json")
    assert p.returncode == 0, p.stderr
    res = json.loads(p.stdout)
    assert set(res) >= {
        "thread_id",
        "route",
        "answer",
        "tool_calls",
        "pending_approval",
        "decision_ids",
        "model",
    }
    assert res["pending_approval"]["changes"][0]["to"] == 450.0
    p2 = cli(copilot_home, "approve", res["thread_id"], "--yes", "--json")
    assert p2.returncode == 0, p2.stderr
    done = json.loads(p2.stdout)
    assert done["tool_calls"][0]["result"]["applied"] is True
    p3 = cli(copilot_home, "ask", "what's the pacing of campaign 2?", "--json")
    assert json.loads(p3.stdout)["tool_calls"][0]["result"]["daily_budget"] == 450.0


def test_errors_are_one_line(copilot_home):  # type: ignore[no-untyped-def]
    p = cli(copilot_home, "approve", "nosuchthread", "--yes")
    assert p.returncode == 1
    assert p.stderr.strip().count("\n") == 0 and "nothing waiting for approval" in p.stderr


def test_decisions_lists_recent(copilot_home):  # type: ignore[no-untyped-def]
    cli(copilot_home, "ask", "which customers are about to lapse?", "--json")
    p = cli(copilot_home, "decisions", "--limit", "5")
    assert p.returncode == 0 and "lapsing_customers" in p.stdout


def test_a_misplaced_home_is_one_line(tmp_path):  # type: ignore[no-untyped-def]
    home = tmp_path / "not-a-folder"
    home.write_text("")
    p = cli(home, "ask", "hi")
    assert p.returncode == 1 and p.stderr.count("\n") == 1 and "is a file; point it at a folder" in p.stderr


ORDERS = """order_id,sku,name,qty,ordered,price,client,nation
1001,A1,Red mug,4,2024-03-01 10:00,3.50,7,France
1001,B2,Blue plate,2,2024-03-01 10:00,6.00,7,France
1002,A1,Red mug,10,2024-03-05 12:00,3.20,8,Spain
R1002,A1,Red mug,-10,2024-03-06 09:00,3.20,8,Spain
1003,B2,Blue plate,5,2024-03-07 12:00,6.00,9,Spain
1004,C3,Green bowl,3,2024-04-01 12:00,4.00,7,France
"""
MAP = [f"--map={m}" for m in ("order_id=invoice", "sku=product_code", "name=description", "qty=quantity")]
MAP += [f"--map={m}" for m in ("ordered=date", "price=unit_price", "client=customer", "nation=country")]


def _shop_state(home) -> tuple:  # type: ignore[no-untyped-def,type-arg]
    from sqlalchemy import func, select

    from store.db import Campaign, Meta, OrderLine, Product, make_engine, make_sessionmaker
    from vectorstore import catalog_collection, open_client

    engine = make_engine(f"sqlite:///{home / 'shop.db'}")
    try:
        with make_sessionmaker(engine)() as s:
            counts = tuple(s.scalar(select(func.count()).select_from(m)) for m in (Product, OrderLine, Campaign))
            state = (s.get(Meta, "dataset").value, s.get(Meta, "import_report").value, *counts)
    finally:
        engine.dispose()
    return (*state, catalog_collection(open_client(home / "chroma")).count())


def test_import_orders_with_own_column_names(copilot_home, tmp_path):  # type: ignore[no-untyped-def]
    path = tmp_path / "my-orders.csv"
    path.write_text(ORDERS)
    p = cli(copilot_home, "import", "orders", str(path), *MAP)
    assert p.returncode == 0, p.stderr
    assert "read 6 invoice lines, kept 4 sale lines" in p.stdout and "netted 1 cancellation lines" in p.stdout
    assert "Loaded 3 products, 2 customers, 3 orders; catalog collection has 3 documents" in p.stdout
    dataset, report, products, lines, campaigns, catalog = _shop_state(copilot_home)
    assert dataset.startswith("my-orders.csv:") and report in p.stdout and (products, lines, catalog) == (3, 4, 3)
    assert campaigns == 3  # the marketing set-up is kept
    assert len(list((copilot_home / "cache").glob("sales-*.npz"))) == 2  # the demo's, and the new stamp's
    res = json.loads(cli(copilot_home, "ask", "tell me about customer 7", "--json").stdout)
    profile = res["tool_calls"][0]["result"]
    assert (profile["orders"], profile["revenue"], profile["country"]) == (2, 38.0, "France")


def test_a_bad_import_names_the_line_and_leaves_the_shop(copilot_home, tmp_path):  # type: ignore[no-untyped-def]
    before = _shop_state(copilot_home)
    bad = tmp_path / "bad.csv"
    bad.write_text(ORDERS.replace("1003,B2,Blue plate,5,", "1003,B2,Blue plate,five,"))
    p = cli(copilot_home, "import", "orders", str(bad), *MAP)
    assert p.returncode == 1 and p.stderr.strip().splitlines()[-1].startswith("error: ")
    assert "error: bad.csv line 6, column qty: 'five' is not a whole number" in p.stderr
    missing = tmp_path / "missing.csv"
    missing.write_text(ORDERS)
    p = cli(copilot_home, "import", "orders", str(missing), *MAP[:1], *MAP[2:])
    assert p.returncode == 1
    assert "missing.csv lacks the column 'StockCode' (for product_code); expected the columns" in p.stderr
    assert "it has order_id, sku, name" in p.stderr and "--map COLUMN=FIELD" in p.stderr
    after = _shop_state(copilot_home)
    assert after == before and after[2] == 3659 and after[1].startswith("read 541,909 invoice lines")


def test_the_old_module_name_still_runs_the_cli(tmp_path):  # type: ignore[no-untyped-def]
    """The CLI lives in channels/cli.py; `python -m copilot.cli`, which scripts use, still runs it."""
    env = {**os.environ, "COPILOT_HOME": str(tmp_path)}
    p = subprocess.run(
        [sys.executable, "-m", "copilot.cli", "--help"], capture_output=True, text=True, env=env, timeout=120
    )
    assert p.returncode == 0 and "Usage" in p.stdout and "ask" in p.stdout, p.stderr
