"""Load the demo shop (UCI Online Retail) into the database and the catalog collection.

Cleaning, as an analyst would: cancelled invoices (InvoiceNo starting with C) are returns, not
sales; lines with no customer id cannot be attributed to anyone; non-positive quantities and
prices are adjustments; stock codes such as POST, DOT, M or BANK CHARGES are fees, not products.
Each is dropped and counted. The whole import is one transaction: all or nothing.
"""

from __future__ import annotations

import csv
import hashlib
import lzma
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from importlib import resources
from pathlib import Path
from statistics import median
from typing import Any

import numpy as np
from sqlalchemy import delete, insert, select
from sqlalchemy.orm import Session, sessionmaker

from store import StoreError
from store.db import (
    Campaign,
    CampaignSpend,
    Channel,
    Customer,
    Meta,
    Order,
    OrderLine,
    Product,
)

DATASET = "online_retail.csv.xz"
NON_PRODUCT_CODES = frozenset(
    {"POST", "DOT", "M", "D", "S", "C2", "CRUK", "PADS", "B", "BANK CHARGES", "AMAZONFEE", "ADJUST"}
)
COLUMNS = [
    "InvoiceNo",
    "StockCode",
    "Description",
    "Quantity",
    "InvoiceDate",
    "UnitPrice",
    "CustomerID",
    "Country",
]

# Demo marketing set-up. The Online Retail data has no advertising, so the channels' response
# curves are stated assumptions and the campaigns' delivery is simulated; both say so in `source`.
DEMO_CHANNELS = (
    ("email", 9000.0, 1500.0),
    ("paid_search", 30000.0, 12000.0),
    ("social", 20000.0, 10000.0),
    ("display", 12000.0, 9000.0),
    ("affiliate", 6000.0, 3000.0),
)
DEMO_CAMPAIGNS = (
    ("Christmas gifts - search", "paid_search", 500.0, 0.80, 2.40),
    ("Spring home decor - social", "social", 300.0, 0.55, 1.60),
    ("Lapsed customers win-back - display", "display", 200.0, 0.40, 1.10),
)
DEMO_CHANNEL_SOURCE = "assumed response curve for the demo; calibrate with your own spend and revenue"
SIMULATED = "simulated"


@dataclass
class ImportReport:
    lines_read: int = 0
    lines_kept: int = 0
    dropped: Counter[str] = field(default_factory=Counter)
    products: int = 0
    customers: int = 0
    orders: int = 0
    catalog_documents: int = 0
    skipped: bool = False

    def summary(self) -> str:
        if self.skipped:
            return "demo shop already loaded (use --force to reload)"
        drops = ", ".join(f"{n:,} {why}" for why, n in self.dropped.most_common())
        return (
            f"read {self.lines_read:,} invoice lines, kept {self.lines_kept:,}; dropped {drops}. "
            f"Loaded {self.products:,} products, {self.customers:,} customers, {self.orders:,} orders; "
            f"catalog collection has {self.catalog_documents:,} documents."
        )


def dataset_path() -> Path:
    return Path(str(resources.files("store") / "data" / DATASET))


def _rows(path: Path) -> Iterator[dict[str, str]]:
    opener = lzma.open if path.suffix == ".xz" else open
    with opener(path, "rt", encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh)
        missing = set(COLUMNS) - set(reader.fieldnames or [])
        if missing:
            raise StoreError(f"{path.name} lacks the columns {sorted(missing)}; expected {COLUMNS}")
        yield from reader


def _file_digest(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()[:16]


def is_loaded(session: Session) -> bool:
    return session.get(Meta, "dataset") is not None


def _parse(path: Path, report: ImportReport) -> list[tuple[str, str, str, int, datetime, float, int, str]]:
    kept = []
    for line_no, row in enumerate(_rows(path), start=2):
        report.lines_read += 1
        invoice, code = row["InvoiceNo"].strip(), row["StockCode"].strip().upper()
        if invoice.startswith("C"):
            report.dropped["cancelled-invoice lines"] += 1
            continue
        if not row["CustomerID"].strip():
            report.dropped["lines without a customer id"] += 1
            continue
        try:
            qty = int(row["Quantity"])
            price = float(row["UnitPrice"])
            when = datetime.fromisoformat(row["InvoiceDate"])
            customer = int(float(row["CustomerID"]))
        except ValueError as exc:
            raise StoreError(f"{path.name} line {line_no}: {exc}; fix the value or remove the line") from exc
        if qty <= 0 or price <= 0:
            report.dropped["lines with non-positive quantity or price"] += 1
            continue
        if code in NON_PRODUCT_CODES:
            report.dropped["fee and postage lines"] += 1
            continue
        kept.append((invoice, code, row["Description"].strip(), qty, when, price, customer, row["Country"]))
    report.lines_kept = len(kept)
    return kept


def _descriptions(rows: list[tuple[str, str, str, int, datetime, float, int, str]]) -> dict[str, str]:
    """Each stock code's description: the one its kept lines give most often."""
    seen: dict[str, Counter[str]] = defaultdict(Counter)
    for _inv, code, desc, *_ in rows:
        if desc:
            seen[code][desc] += 1
    return {code: c.most_common(1)[0][0] for code, c in seen.items()}


def catalog_descriptions(path: Path | None = None) -> dict[str, str]:
    """The demo catalog's descriptions by stock code, read from the data set as the loader reads them."""
    return _descriptions(_parse(path or dataset_path(), ImportReport()))


def load_demo_shop(
    sessions: sessionmaker,
    chroma_client: Any,
    *,
    path: Path | None = None,
    force: bool = False,
    progress: Callable[[str], None] | None = None,
) -> ImportReport:
    """Import the data set into an empty shop (or, with force, replace the shop) in one transaction."""
    path = path or dataset_path()
    say = progress or (lambda _msg: None)
    report = ImportReport()
    with sessions() as session:
        if is_loaded(session) and not force:
            report.skipped = True
            return report
    say(f"reading {path.name}")
    rows = _parse(path, report)
    if not rows:
        raise StoreError(f"{path.name} has no usable sales lines after cleaning")

    say("building products, customers and orders")
    descriptions = _descriptions(rows)
    prices: dict[str, list[float]] = defaultdict(list)
    for _inv, code, _desc, _q, _w, price, _c, _country in rows:
        prices[code].append(price)
    codes = sorted(prices)
    product_id = {code: i for i, code in enumerate(codes, start=1)}
    products: list[dict[str, Any]] = [
        {
            "id": product_id[c],
            "stock_code": c,
            "description": descriptions.get(c, c),
            "price": round(median(prices[c]), 2),
            "unit_cost": None,
        }
        for c in codes
    ]
    countries: dict[int, Counter[str]] = defaultdict(Counter)
    orders: dict[str, tuple[int, datetime]] = {}
    for inv, _code, _d, _q, when, _p, cust, country in rows:
        countries[cust][country] += 1
        orders.setdefault(inv, (cust, when))
    customers = [{"id": c, "country": cnt.most_common(1)[0][0]} for c, cnt in sorted(countries.items())]
    order_id = {inv: i for i, inv in enumerate(sorted(orders), start=1)}
    order_rows = [
        {"id": order_id[inv], "invoice_no": inv, "customer_id": c, "ordered_at": w} for inv, (c, w) in orders.items()
    ]
    line_rows = [
        {"order_id": order_id[inv], "product_id": product_id[code], "quantity": q, "unit_price": p}
        for inv, code, _d, q, _w, p, _c, _country in rows
    ]
    last_day = max(w for _c, w in orders.values()).date()

    say(f"writing {len(line_rows):,} order lines")
    with sessions.begin() as session:
        if force:
            for model in (
                CampaignSpend,
                Campaign,
                Channel,
                OrderLine,
                Order,
                Customer,
                Product,
                Meta,
            ):
                session.execute(delete(model))
        for model, rows_of in ((Product, products), (Customer, customers), (Order, order_rows), (OrderLine, line_rows)):
            session.execute(insert(model), rows_of)  # bulk executemany, no ORM objects
        _seed_marketing(session, last_day)
        say("building the catalog collection")
        from vectorstore.catalog import rebuild_catalog

        report.catalog_documents = rebuild_catalog(
            chroma_client,
            [int(p["id"]) for p in products],
            [str(p["description"]) for p in products],
            [{"stock_code": p["stock_code"], "price": p["price"]} for p in products],
        )
        report.products, report.customers, report.orders = (
            len(products),
            len(customers),
            len(order_rows),
        )
        session.add(Meta(key="dataset", value=f"{path.name}:{_file_digest(path)}"))
        session.add(Meta(key="today", value=last_day.isoformat()))
        session.add(Meta(key="import_report", value=report.summary()))
    return report


def _seed_marketing(session: Session, day: Any) -> None:
    """Channels with assumed response curves and three campaigns with simulated hourly delivery."""
    for name, sat, scale in DEMO_CHANNELS:
        session.add(Channel(name=name, saturation=sat, scale=scale, source=DEMO_CHANNEL_SOURCE))
    session.flush()
    channel_ids = dict(session.execute(select(Channel.name, Channel.id)).all())
    rng = np.random.default_rng(2011)
    start = datetime.combine(day, datetime.min.time())
    for cid, (name, channel, budget, bid, vpc) in enumerate(DEMO_CAMPAIGNS, start=1):
        session.add(
            Campaign(
                id=cid,
                name=name,
                channel_id=channel_ids[channel],
                status="active",
                daily_budget=budget,
                bid=bid,
                value_per_click=vpc,
            )
        )
        # 15 hours of the demo day delivered, at a pace that differs by campaign.
        pace = (1.25, 0.7, 1.0)[cid - 1]
        for h in range(15):
            spend = budget / 24 * pace * rng.uniform(0.8, 1.2)
            clicks = int(spend / bid * rng.uniform(0.9, 1.1))
            session.add(
                CampaignSpend(
                    campaign_id=cid,
                    hour=start + timedelta(hours=h),
                    spend=round(spend, 2),
                    clicks=clicks,
                    impressions=clicks * int(rng.integers(60, 140)),
                    source=SIMULATED,
                )
            )
