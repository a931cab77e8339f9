"""The demo shop as loaded: cancellations net out (customer 16446's £168,469.60 order, cancelled twelve
minutes later, is not revenue), and the counts the README quotes."""

from __future__ import annotations

import csv
import lzma
from pathlib import Path

import pytest

from copilot.app import Copilot
from copilot.settings import Settings
from store.db import Meta
from store.orders import CLEANING_VERSION
from store.shop import dataset_path
from tools import TOOLS, ToolFailure


@pytest.fixture(scope="module")
def demo(demo_home: Path):  # type: ignore[no-untyped-def]
    cp = Copilot(Settings(home=demo_home))
    yield cp
    cp.close()


def call(cp: Copilot, name: str, **args: object) -> dict:  # type: ignore[type-arg]
    spec = TOOLS[name]
    with cp.sessions() as s:
        return spec.fn(cp.shop, s, spec.args(**args))


def raw_rows(customer: str) -> list[dict[str, str]]:
    with lzma.open(dataset_path(), "rt", encoding="utf-8", newline="") as fh:
        return [r for r in csv.DictReader(fh) if r["CustomerID"] == customer]


def test_a_cancelled_order_is_not_revenue(demo: Copilot) -> None:
    rows = raw_rows("16446.0")
    sold = sum(int(r["Quantity"]) * float(r["UnitPrice"]) for r in rows if not r["InvoiceNo"].startswith("C"))
    assert sold == pytest.approx(168_472.50)  # what the profile said before cancellations were netted
    # Every cancellation of this customer's (C581484) takes back a whole earlier line, so the net is
    # the plain sum of every line, cancellations included.
    assert [r["InvoiceNo"] for r in rows if r["InvoiceNo"].startswith("C")] == ["C581484"]
    net = sum(int(r["Quantity"]) * float(r["UnitPrice"]) for r in rows)
    profile = call(demo, "customer_profile", customer_id=16446)
    assert profile["revenue"] == pytest.approx(net, abs=0.005) and profile["revenue"] == pytest.approx(2.90)
    assert profile["orders"] == 1  # 581483 is gone with its only line
    top = [c["customer_id"] for c in call(demo, "customer_lifetime_value", limit=10)["customers"]]
    assert 16446 not in top[:2]
    with pytest.raises(ToolFailure, match="no customer 12346"):  # 541431 was cancelled by C541433: no sale left
        call(demo, "customer_profile", customer_id=12346)


def test_the_import_report_gives_the_readme_figures(demo: Copilot) -> None:
    with demo.sessions() as s:
        report = s.get(Meta, "import_report").value
        stamp = s.get(Meta, "dataset").value
    assert report.startswith("read 541,909 invoice lines, kept 393,460 sale lines; dropped 135,080 lines without")
    assert "1,920 fee and postage lines, 33 lines with zero quantity or a price of zero or less" in report
    assert "netted 7,388 cancellation lines against the sales they cancel (£485,823.12 removed" in report
    assert "2,877 sale lines cancelled in full, 4,273 reduced" in report
    assert "counted 1,151 cancellation lines that match no earlier sale as returns (£26,168.18" in report
    assert "Loaded 3,659 products, 4,324 customers, 18,275 orders" in report
    assert stamp.endswith(f":clean{CLEANING_VERSION}")
