"""Reading, checking, cleaning and netting order lines (store/orders.py) and loading them into a shop
(store/shop.py): the rule for cancellations on tiny handwritten files, one transaction on failure."""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest
from sqlalchemy import func, select

from store import StoreError
from store.db import Campaign, Customer, Meta, Order, OrderLine, Product, make_engine, make_sessionmaker
from store.orders import (
    DEFAULT_COLUMNS,
    ColumnsError,
    clean_order_lines,
    columns_for,
    parse_mapping,
    stamp,
)
from store.shop import import_orders
from tools import Shop

HEADER = "InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID,Country\n"

# Customer 1: a full cancel. 2: a partial cancel. 3: an exact match wins over a later, larger sale,
# and of two exact matches the later goes. 4: a cancel with no sale, and one before the sale (both
# returns). 5: only a smaller earlier sale (a return). 6: a cancel of customer 5's product by
# someone else (a return). Invoice 900 of customer 1 goes whole, and with it customer 1.
RULES_CSV = HEADER + (
    "900,A1,MUG,5,2011-01-01 10:00:00,2.00,1,UK\n"
    "C901,A1,MUG,-5,2011-01-01 10:20:00,2.00,1,UK\n"
    "910,A1,MUG,10,2011-01-02 10:00:00,2.00,2,UK\n"
    "910,B1,PLATE,1,2011-01-02 10:00:00,4.00,2,UK\n"
    "C911,A1,MUG,-4,2011-01-03 10:00:00,2.00,2,UK\n"
    "920,A1,MUG,4,2011-01-01 09:00:00,2.00,3,France\n"
    "921,A1,MUG,4,2011-01-02 09:00:00,2.10,3,France\n"
    "922,A1,MUG,12,2011-01-03 09:00:00,2.20,3,France\n"
    "C923,A1,MUG,-4,2011-01-04 09:00:00,2.10,3,France\n"
    "C930,B1,PLATE,-2,2011-01-01 08:00:00,4.00,4,UK\n"
    "931,B1,PLATE,2,2011-01-05 08:00:00,4.00,4,UK\n"
    "C932,C1,BOWL,-1,2011-01-06 08:00:00,3.00,4,UK\n"
    "940,C1,BOWL,2,2011-01-01 08:00:00,3.00,5,UK\n"
    "C941,C1,BOWL,-3,2011-01-02 08:00:00,3.00,5,UK\n"
    "C950,C1,BOWL,-2,2011-01-03 08:00:00,3.00,6,UK\n"
)


def write(tmp_path: Path, text: str, name: str = "orders.csv") -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


def kept(path: Path) -> dict[str, list[tuple[int, str, int]]]:
    """Invoice -> its lines left as (customer, product code, quantity)."""
    out: dict[str, list[tuple[int, str, int]]] = {}
    for line in clean_order_lines(path).net:
        out.setdefault(line.invoice, []).append((line.customer, line.product_code, line.quantity))
    return out


def test_a_full_cancel_removes_the_line_and_its_order(tmp_path: Path) -> None:
    lines = kept(write(tmp_path, RULES_CSV))
    assert "900" not in lines and not any(c == 1 for inv in lines.values() for c, _, _ in inv)


def test_a_partial_cancel_reduces_the_latest_larger_sale(tmp_path: Path) -> None:
    lines = kept(write(tmp_path, RULES_CSV))
    assert lines["910"] == [(2, "A1", 6), (2, "B1", 1)]


def test_the_latest_exact_match_goes_before_a_larger_sale(tmp_path: Path) -> None:
    lines = kept(write(tmp_path, RULES_CSV))
    assert lines["920"] == [(3, "A1", 4)] and "921" not in lines and lines["922"] == [(3, "A1", 12)]


def test_unmatched_cancels_are_returns_and_a_cancel_before_the_sale_does_not_match(tmp_path: Path) -> None:
    cleaned = clean_order_lines(write(tmp_path, RULES_CSV))
    lines = kept(write(tmp_path, RULES_CSV))
    assert lines["931"] == [(4, "B1", 2)]  # cancelled (C930) before it was sold: untouched
    assert lines["940"] == [(5, "C1", 2)]  # a cancel of 3 does not touch a sale of 2
    r = cleaned.report
    assert (r.cancels_netted, r.sales_cancelled, r.sales_reduced) == (3, 2, 1)
    assert r.netted_value == pytest.approx(5 * 2.00 + 4 * 2.00 + 4 * 2.10)  # at the sale's price
    assert (r.returns, r.returns_value) == (4, pytest.approx(2 * 4.0 + 1 * 3.0 + 3 * 3.0 + 2 * 3.0))
    assert r.lines_read == r.lines_kept + sum(r.dropped.values()) + r.cancels_netted + r.returns + r.sales_cancelled
    assert "netted 3 cancellation lines" in r.cleaning() and "counted 4 cancellation lines" in r.cleaning()


def test_the_same_minute_counts_as_before(tmp_path: Path) -> None:
    same = HEADER + "1,A,MUG,3,2011-01-01 10:00:00,2.0,1,UK\nC2,A,MUG,-3,2011-01-01 10:00:00,2.0,1,UK\n"
    assert clean_order_lines(write(tmp_path, same)).report.cancels_netted == 1


def test_drops_are_counted(tmp_path: Path) -> None:
    text = HEADER + (
        "1,A,MUG,3,2011-01-01 10:00:00,2.0,1,UK\n"
        "2,A,MUG,3,2011-01-01 10:00:00,2.0,,UK\n"
        "3,POST,POSTAGE,1,2011-01-01 10:00:00,18.0,1,UK\n"
        "4,A,MUG,0,2011-01-01 10:00:00,2.0,1,UK\n"
        "5,A,MUG,2,2011-01-01 10:00:00,0,1,UK\n"
    )
    r = clean_order_lines(write(tmp_path, text)).report
    assert r.dropped == {
        "lines without a customer id": 1,
        "fee and postage lines": 1,
        "lines with zero quantity or a price of zero or less": 2,
    }
    assert r.lines_kept == 1


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("1,A,MUG,two,2011-01-01 10:00:00,2.0,1,UK", "line 3, column Quantity: 'two' is not a whole number"),
        ("1,A,MUG,2.5,2011-01-01 10:00:00,2.0,1,UK", "line 3, column Quantity: '2.5' is not a whole number"),
        ("1,A,MUG,2,1/2/2011,2.0,1,UK", "line 3, column InvoiceDate: '1/2/2011' is not a date"),
        ("1,A,MUG,2,2011-01-01 10:00:00,£2,1,UK", "line 3, column UnitPrice: '£2' is not a number"),
        ("1,A,MUG,2,2011-01-01 10:00:00,2.0,abc,UK", "line 3, column CustomerID: 'abc' is not a customer id"),
        (",A,MUG,2,2011-01-01 10:00:00,2.0,1,UK", "line 3, column InvoiceNo: '' is empty"),
        ("9,A,MUG,2,2011-01-01 10:00:00,2.0,2,UK", "line 3, column CustomerID: invoice 9 is customer 1's"),
    ],
)
def test_a_bad_line_is_named_by_line_and_column(tmp_path: Path, line: str, message: str) -> None:
    first = "9" if line.startswith("9,") else "0"
    text = HEADER + f"{first},A,MUG,2,2011-01-01 10:00:00,2.0,1,UK\n" + line + "\n"
    with pytest.raises(StoreError, match=message.replace("(", r"\(")):
        clean_order_lines(write(tmp_path, text))


def test_columns_are_mapped_and_a_missing_one_is_named(tmp_path: Path) -> None:
    text = "order_id,sku,qty,when,price,client\n1,A,2,2011-01-01,2.5,7\n"
    path = write(tmp_path, text)
    with pytest.raises(ColumnsError, match=r"lacks the columns 'InvoiceNo' \(for invoice\), 'StockCode'") as err:
        clean_order_lines(path)
    assert "expected the columns InvoiceNo (invoice)" in str(err.value) and "it has order_id, sku" in str(err.value)
    mapping = parse_mapping(["order_id=invoice", "sku=product_code", "qty=quantity", "when=date", "client=customer"])
    with pytest.raises(ColumnsError, match=r"lacks the column 'UnitPrice' \(for unit_price\)"):
        clean_order_lines(path, columns=columns_for(mapping))
    cleaned = clean_order_lines(path, columns=columns_for({**mapping, "price": "unit_price"}))
    (line,) = cleaned.net
    assert (line.invoice, line.product_code, line.quantity, line.unit_price, line.customer) == ("1", "A", 2, 2.5, 7)
    assert line.description == "" and line.country == "Unknown" and len(cleaned.report.notes) == 2


def test_a_bad_mapping_names_the_fields() -> None:
    with pytest.raises(ColumnsError, match="'sku_code' is not a field; the fields are invoice, product_code"):
        parse_mapping(["sku=sku_code"])
    with pytest.raises(ColumnsError, match="give COLUMN=FIELD"):
        parse_mapping(["sku"])
    with pytest.raises(ColumnsError, match="'sku' is mapped twice"):
        parse_mapping(["sku=product_code", "sku=description"])
    with pytest.raises(ColumnsError, match="both 'a' and 'b' are mapped to invoice"):
        columns_for({"a": "invoice", "b": "invoice"})


def test_compressed_files_and_other_date_formats(tmp_path: Path) -> None:
    path = tmp_path / "orders.csv.gz"
    with gzip.open(path, "wt") as fh:
        fh.write(HEADER + "1,A,MUG,3,01/02/2011 10:00,2.0,1,UK\n")
    (line,) = clean_order_lines(path, date_format="%d/%m/%Y %H:%M").net
    assert line.when.month == 2
    with pytest.raises(StoreError, match=r"give a \.csv file"):
        clean_order_lines(write(tmp_path, "x", "orders.xlsx"))


def test_the_stamp_names_the_file_the_reading_and_the_cleaning(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    path = write(tmp_path, RULES_CSV)
    plain = stamp(path, DEFAULT_COLUMNS, None)
    assert plain.startswith("orders.csv:") and ":clean" in plain
    assert stamp(path, columns_for({"x": "country"}), None) != plain
    monkeypatch.setattr("store.orders.CLEANING_VERSION", 99)
    assert stamp(path, DEFAULT_COLUMNS, None) != plain  # a new rule: caches keyed by the stamp are rebuilt


@pytest.fixture
def empty_shop(tmp_path: Path) -> Shop:
    return Shop(make_sessionmaker(make_engine(f"sqlite:///{tmp_path / 'shop.db'}")), tmp_path / "chroma")


def test_an_import_writes_what_was_left(empty_shop: Shop, tmp_path: Path) -> None:
    report = import_orders(empty_shop.sessions, empty_shop.chroma, write(tmp_path, RULES_CSV))
    with empty_shop.sessions() as s:
        customers = set(s.scalars(select(Customer.id)))
        invoices = set(s.scalars(select(Order.invoice_no)))
        products = s.scalar(select(func.count()).select_from(Product))
        units = dict(
            s.execute(
                select(Order.invoice_no, func.sum(OrderLine.quantity)).join(OrderLine).group_by(Order.invoice_no)
            ).all()
        )
        campaigns = s.scalar(select(func.count()).select_from(Campaign))
        stored = s.get(Meta, "import_report").value
    assert customers == {2, 3, 4, 5} and invoices == {"910", "920", "922", "931", "940"}
    assert products == 3  # the catalog keeps every product sold, cancelled or not
    assert units == {"910": 7, "920": 4, "922": 12, "931": 2, "940": 2}
    assert campaigns == 3  # a shop with no marketing set-up gets the demo's, labelled simulated
    assert stored == report.summary() and report.customers == 4 and report.orders == 5


def test_a_failed_import_changes_nothing(tiny_shop: Shop, tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from vectorstore import catalog_collection

    with tiny_shop.sessions() as s:
        before = (s.get(Meta, "dataset").value, s.scalar(select(func.count()).select_from(OrderLine)))
    bad = write(tmp_path, RULES_CSV + "999,A,MUG,1,yesterday,2.0,1,UK\n")
    with pytest.raises(StoreError, match="line 17, column InvoiceDate: 'yesterday'"):
        import_orders(tiny_shop.sessions, tiny_shop.chroma, bad)

    def broken(*_a: object, **_k: object) -> int:
        raise RuntimeError("disk full")

    monkeypatch.setattr("vectorstore.catalog.stage_catalog", broken)  # fails after the rows are written
    with pytest.raises(RuntimeError, match="disk full"):
        import_orders(tiny_shop.sessions, tiny_shop.chroma, write(tmp_path, RULES_CSV))
    with tiny_shop.sessions() as s:
        assert (s.get(Meta, "dataset").value, s.scalar(select(func.count()).select_from(OrderLine))) == before
    assert catalog_collection(tiny_shop.chroma).count() == 4  # the tiny shop's catalog still serves


def test_an_import_keeps_the_marketing_set_up(tiny_shop: Shop, tmp_path: Path) -> None:
    with tiny_shop.sessions.begin() as s:
        s.get(Campaign, 1).bid = 1.23  # a change the marketer approved
    import_orders(tiny_shop.sessions, tiny_shop.chroma, write(tmp_path, RULES_CSV))
    with tiny_shop.sessions() as s:
        assert s.get(Campaign, 1).bid == 1.23 and s.scalar(select(func.count()).select_from(Campaign)) == 3
        assert s.scalar(select(func.count()).select_from(Product)) == 3


def test_a_shop_loaded_by_older_rules_is_told(tiny_shop: Shop) -> None:
    from store.shop import older_cleaning

    with tiny_shop.sessions.begin() as s:
        assert older_cleaning(s) is None
        s.get(Meta, "dataset").value = "online_retail.csv.xz:0123456789abcdef"  # as version 1 wrote it
    with tiny_shop.sessions() as s:
        assert older_cleaning(s) == "online_retail.csv.xz"
