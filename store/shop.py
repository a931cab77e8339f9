"""Load a shop into the database and the catalog collection: the demo shop (UCI Online Retail) or a
marketer's own order lines. Both go through store/orders.py (one way to read, check, clean and net
cancellations), then through one transaction here: on any error the shop it replaces is untouched.

The shop and its catalog are replaced together or not at all: the new catalog is built beside the
serving one before the shop's transaction commits (with the products' fingerprint, which the
transaction also writes), and swapped in after it. Killed before the commit, the old pair serves;
after it, the next start-up finds the new catalog waiting and swaps it in (store/catalog.py).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Mapping
from datetime import datetime
from importlib import resources
from pathlib import Path
from statistics import median
from typing import Any

from sqlalchemy import delete, func, insert, select
from sqlalchemy.orm import Session, sessionmaker

from store import StoreError
from store.catalog import CATALOG_ROW, facts_of
from store.db import (
    Campaign,
    CampaignDay,
    CampaignSpend,
    Channel,
    Customer,
    DeliveryModel,
    Meta,
    Order,
    OrderLine,
    Product,
)
from store.delivery import SIMULATED, seed_delivery
from store.orders import (
    CLEANING_VERSION,
    DEFAULT_COLUMNS,
    NON_PRODUCT_CODES,
    Cleaned,
    ImportReport,
    clean_order_lines,
    stamp,
)

__all__ = [
    "DEMO_CAMPAIGNS",
    "DEMO_CHANNELS",
    "DEMO_PACES",
    "NON_PRODUCT_CODES",
    "SIMULATED",
    "ImportReport",
    "dataset_path",
    "import_orders",
    "is_loaded",
    "load_demo_shop",
    "older_cleaning",
]

DATASET = "online_retail.csv.xz"

# Demo marketing set-up. The Online Retail data has no advertising, so the channels' response
# curves are stated assumptions and the campaigns' delivery is simulated (store/delivery.py); both
# say so in `source`.
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
# How each demo campaign's day would spend against its budget at its seeded bid, were the budget not
# to stop it: over pace, under pace, on pace (store/delivery.py sets its auctions per day from this).
DEMO_PACES = {1: 1.25, 2: 0.70, 3: 0.97}
DEMO_CHANNEL_SOURCE = "assumed response curve for the demo; calibrate with your own spend and revenue"
SHOP_TABLES = (OrderLine, Order, Customer, Product, Meta)
MARKETING_TABLES = (CampaignSpend, CampaignDay, DeliveryModel, Campaign, Channel)


def dataset_path() -> Path:
    return Path(str(resources.files("store") / "data" / DATASET))


def is_loaded(session: Session) -> bool:
    return session.get(Meta, "dataset") is not None


def older_cleaning(session: Session) -> str | None:
    """The file the shop was loaded from, when that was by older cleaning rules (the rules' version
    is in the stamp since version 2); None when the shop is current or empty."""
    row = session.get(Meta, "dataset")
    if row is None or row.value.split(":")[2:3] == [f"clean{CLEANING_VERSION}"]:
        return None
    return row.value.split(":")[0]


def _descriptions(cleaned: Cleaned) -> dict[str, str]:
    """Each stock code's description: the one its sale lines give most often."""
    seen: dict[str, Counter[str]] = defaultdict(Counter)
    for line in cleaned.sales:
        if line.description:
            seen[line.product_code][line.description] += 1
    return {code: c.most_common(1)[0][0] for code, c in seen.items()}


def catalog_descriptions(path: Path | None = None) -> dict[str, str]:
    """The demo catalog's descriptions by stock code, read from the data set as the loader reads it."""
    return _descriptions(clean_order_lines(path or dataset_path()))


def load_demo_shop(
    sessions: sessionmaker,
    chroma_client: Any,
    *,
    path: Path | None = None,
    force: bool = False,
    progress: Callable[[str], None] | None = None,
) -> ImportReport:
    """Import the data set into an empty shop (or, with force, replace the shop and its demo
    marketing set-up) in one transaction."""
    path = path or dataset_path()
    with sessions() as session:
        if is_loaded(session) and not force:
            return ImportReport(skipped=True)
    return _load(sessions, chroma_client, path, DEFAULT_COLUMNS, None, keep_marketing=False, progress=progress)


def import_orders(
    sessions: sessionmaker,
    chroma_client: Any,
    path: Path,
    *,
    columns: Mapping[str, str] = DEFAULT_COLUMNS,
    date_format: str | None = None,
    progress: Callable[[str], None] | None = None,
) -> ImportReport:
    """Replace the shop's products, customers and orders with a file of the marketer's own order
    lines (`columns`: each field's column, see store.orders.columns_for). The marketing set-up
    (channels, campaigns, their bids, budgets and delivery) is kept: the file says nothing about it;
    a shop with none gets the demo set-up, labelled assumed and simulated."""
    return _load(sessions, chroma_client, path, columns, date_format, keep_marketing=True, progress=progress)


def _load(
    sessions: sessionmaker,
    chroma_client: Any,
    path: Path,
    columns: Mapping[str, str],
    date_format: str | None,
    *,
    keep_marketing: bool,
    progress: Callable[[str], None] | None,
) -> ImportReport:
    say = progress or (lambda _msg: None)
    say(f"reading {path.name}")
    cleaned = clean_order_lines(path, columns=columns, date_format=date_format)
    report = cleaned.report
    if not cleaned.net:
        raise StoreError(f"{path.name} has no sale lines left after cleaning: {report.cleaning()}")
    say("building products, customers and orders")
    products, customers, order_rows, line_rows, last_day = _tables(cleaned)
    dataset = stamp(path, columns, date_format)

    say(f"writing {len(line_rows):,} order lines")
    from vectorstore.catalog import discard_catalog, publish_catalog, stage_catalog

    facts = facts_of(products)

    try:
        with sessions.begin() as session:
            has_marketing = session.scalar(select(func.count()).select_from(Campaign)) or 0
            for model in (*(() if keep_marketing else MARKETING_TABLES), *SHOP_TABLES):
                session.execute(delete(model))
            for model, rows_of in (
                (Product, products),
                (Customer, customers),
                (Order, order_rows),
                (OrderLine, line_rows),
            ):
                session.execute(insert(model), rows_of)  # bulk executemany, no ORM objects
            if not (keep_marketing and has_marketing):
                _seed_marketing(session, last_day)
            say("building the catalog collection")
            report.catalog_documents = stage_catalog(  # the current catalog serves until the commit
                chroma_client,
                [int(p["id"]) for p in products],
                [str(p["description"]) for p in products],
                [{"stock_code": p["stock_code"], "price": p["price"]} for p in products],
                fingerprint=facts.fingerprint,
            )
            report.products, report.customers, report.orders = len(products), len(customers), len(order_rows)
            session.add(Meta(key="dataset", value=dataset))
            session.add(Meta(key="today", value=last_day.isoformat()))
            session.add(Meta(key="import_report", value=report.summary()))
            session.add(Meta(key=CATALOG_ROW, value=facts.value()))
    except BaseException:
        discard_catalog(chroma_client)
        raise
    publish_catalog(chroma_client, fingerprint=facts.fingerprint)
    return report


def _tables(
    cleaned: Cleaned,
) -> tuple[list[dict[str, Any]], list[dict[str, Any]], list[dict[str, Any]], list[dict[str, Any]], Any]:
    """Products, customers, orders and order lines as rows, and the last day with sales.

    Products are every code sold, cancelled or not (the catalog: product ids, 1.. in stock-code
    order, do not move when a sale is cancelled), priced at the median unit price of their lines
    left after netting (of all their lines if none is left). Customers and orders are those with
    lines left."""
    descriptions = _descriptions(cleaned)
    offered: dict[str, list[float]] = defaultdict(list)
    for line in cleaned.sales:
        offered[line.product_code].append(line.unit_price)
    sold: dict[str, list[float]] = defaultdict(list)
    for line in cleaned.net:
        sold[line.product_code].append(line.unit_price)
    codes = sorted(offered)
    product_id = {code: i for i, code in enumerate(codes, start=1)}
    products: list[dict[str, Any]] = [
        {
            "id": product_id[c],
            "stock_code": c,
            "description": descriptions.get(c, c),
            "price": round(median(sold[c] or offered[c]), 2),
            "unit_cost": None,
        }
        for c in codes
    ]
    countries: dict[int, Counter[str]] = defaultdict(Counter)
    orders: dict[str, tuple[int, datetime]] = {}
    for line in cleaned.net:
        countries[line.customer][line.country] += 1
        orders.setdefault(line.invoice, (line.customer, line.when))
    customers = [{"id": c, "country": cnt.most_common(1)[0][0]} for c, cnt in sorted(countries.items())]
    order_id = {inv: i for i, inv in enumerate(sorted(orders), start=1)}
    order_rows = [
        {"id": order_id[inv], "invoice_no": inv, "customer_id": c, "ordered_at": w} for inv, (c, w) in orders.items()
    ]
    line_rows = [
        {
            "order_id": order_id[line.invoice],
            "product_id": product_id[line.product_code],
            "quantity": line.quantity,
            "unit_price": line.unit_price,
        }
        for line in cleaned.net
    ]
    last_day = max(w for _c, w in orders.values()).date()
    return products, customers, order_rows, line_rows, last_day


def _seed_marketing(session: Session, day: Any) -> None:
    """Channels with assumed response curves and three campaigns with simulated delivery."""
    for name, sat, scale in DEMO_CHANNELS:
        session.add(Channel(name=name, saturation=sat, scale=scale, source=DEMO_CHANNEL_SOURCE))
    session.flush()
    channel_ids = dict(session.execute(select(Channel.name, Channel.id)).all())
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
    session.flush()
    seed_delivery(session, day, DEMO_PACES)
