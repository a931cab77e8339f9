"""Order lines from a CSV file, cleaned as an analyst would: the one path by which the demo shop and a
marketer's own orders come in (store/shop.py writes the result).

Each line has eight fields; a file names them by its own columns, Online Retail's by default:

    invoice       InvoiceNo     the order (invoice) the line belongs to
    product_code  StockCode     the product's code (SKU)
    description   Description   the product's name (optional: the code is used without it)
    quantity      Quantity      units; negative on a cancellation or return
    date          InvoiceDate   when the order was placed (ISO 8601, or a strptime format given)
    unit_price    UnitPrice     the price of one unit
    customer      CustomerID    the customer's id, a whole number (blank: not attributed)
    country       Country       the customer's country (optional)

Cleaning, each step counted in the report:

- lines without a customer id cannot be attributed to anyone: dropped;
- stock codes such as POST, DOT, M or BANK CHARGES are fees and postage, not products: dropped;
- a line with a negative quantity is a cancellation (Online Retail also marks its invoice with a C).
  It nets out against the sale it cancels: the same customer and product code, placed at or before
  the cancellation (timestamps are often to the minute). Of those sales with units left, the latest
  whose quantity equals the cancelled quantity is cancelled in full (its line disappears); failing
  that, the latest with more units is reduced by the cancelled quantity. A cancellation that matches
  neither (no earlier sale, or only smaller ones) is counted as a return and subtracted from nothing;
- what remains with a zero quantity or a price of zero or less is an adjustment: dropped.

An order whose lines are all cancelled disappears, and so does a customer with no order left.
"""

from __future__ import annotations

import csv
import gzip
import hashlib
import io
import lzma
import math
from collections import Counter, defaultdict
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, NamedTuple

from store import StoreError
from store.imports import digest

# Bump when a rule above changes: it is part of the data set's stamp, so arrays derived from the
# shop's data and cached on disk (keyed by the stamp) are rebuilt.
CLEANING_VERSION = 2

DEFAULT_COLUMNS: dict[str, str] = {
    "invoice": "InvoiceNo",
    "product_code": "StockCode",
    "description": "Description",
    "quantity": "Quantity",
    "date": "InvoiceDate",
    "unit_price": "UnitPrice",
    "customer": "CustomerID",
    "country": "Country",
}
FIELDS = tuple(DEFAULT_COLUMNS)
OPTIONAL_FIELDS = frozenset({"description", "country"})
NON_PRODUCT_CODES = frozenset(
    {"POST", "DOT", "M", "D", "S", "C2", "CRUK", "PADS", "B", "BANK CHARGES", "AMAZONFEE", "ADJUST"}
)
UNKNOWN_COUNTRY = "Unknown"
# The widths of the shop's columns (store/db.py).
MAX_CHARS = {"invoice": 64, "product_code": 32, "country": 64}

NO_CUSTOMER = "lines without a customer id"
FEES = "fee and postage lines"
ADJUSTMENTS = "lines with zero quantity or a price of zero or less"


class ColumnsError(StoreError):
    """The file's columns do not give every field (or a --map names no field)."""


class Line(NamedTuple):
    """One order line as read; `line_no` is where it ends in the file."""

    invoice: str
    product_code: str
    description: str
    quantity: int
    when: datetime
    unit_price: float
    customer: int
    country: str
    line_no: int


@dataclass
class ImportReport:
    lines_read: int = 0
    lines_kept: int = 0
    dropped: Counter[str] = field(default_factory=Counter)
    cancels_netted: int = 0  # cancellation lines matched to the sale they cancel
    netted_value: float = 0.0  # what those took off the sales
    sales_cancelled: int = 0  # sale lines cancelled in full (gone)
    sales_reduced: int = 0  # sale lines left with fewer units
    returns: int = 0  # cancellation lines that matched no earlier sale
    returns_value: float = 0.0
    products: int = 0
    customers: int = 0
    orders: int = 0
    catalog_documents: int = 0
    notes: list[str] = field(default_factory=list)
    skipped: bool = False

    def cleaning(self) -> str:
        """What became of every line read."""
        drops = ", ".join(f"{n:,} {why}" for why, n in self.dropped.most_common()) or "nothing"
        return (
            f"read {self.lines_read:,} invoice lines, kept {self.lines_kept:,} sale lines; dropped {drops}; "
            f"netted {self.cancels_netted:,} cancellation lines against the sales they cancel "
            f"(£{self.netted_value:,.2f} removed: {self.sales_cancelled:,} sale lines cancelled in full, "
            f"{self.sales_reduced:,} reduced); counted {self.returns:,} cancellation lines that match no "
            f"earlier sale as returns (£{self.returns_value:,.2f}, subtracted from nothing)"
        )

    def summary(self) -> str:
        if self.skipped:
            return "demo shop already loaded (use --force to reload)"
        notes = "".join(f" {n}" for n in self.notes)
        return (
            f"{self.cleaning()}. Loaded {self.products:,} products, {self.customers:,} customers, "
            f"{self.orders:,} orders; catalog collection has {self.catalog_documents:,} documents.{notes}"
        )


@dataclass
class Netting:
    """The sale lines left once cancellations are netted out, and what netting did."""

    lines: list[Line]
    netted: int = 0
    netted_value: float = 0.0
    cancelled: int = 0
    reduced: int = 0
    returns: int = 0
    returns_value: float = 0.0


@dataclass
class Cleaned:
    """A file's sale lines before and after netting (the catalog is every product ever sold)."""

    sales: list[Line]
    net: list[Line]
    report: ImportReport


def columns_for(mapping: Mapping[str, str] | None = None) -> dict[str, str]:
    """Each field's column: Online Retail's names, with `mapping` (the file's COLUMN -> FIELD) over them."""
    columns = dict(DEFAULT_COLUMNS)
    seen: dict[str, str] = {}
    for column, name in (mapping or {}).items():
        target = name.strip().lower().replace(" ", "_")
        if target not in DEFAULT_COLUMNS:
            raise ColumnsError(f"{column}={name}: {name!r} is not a field; the fields are {', '.join(FIELDS)}")
        if target in seen:
            raise ColumnsError(f"both {seen[target]!r} and {column!r} are mapped to {target}; map one column per field")
        seen[target] = column
        columns[target] = column.strip()
    return columns


def parse_mapping(pairs: Sequence[str]) -> dict[str, str]:
    """COLUMN=FIELD pairs (as --map gives them) as a dict."""
    mapping: dict[str, str] = {}
    for pair in pairs:
        column, sep, name = pair.partition("=")
        if not sep or not column.strip() or not name.strip():
            raise ColumnsError(
                f"{pair!r}: give COLUMN=FIELD, e.g. order_id=invoice; the fields are {', '.join(FIELDS)}"
            )
        if column.strip() in mapping:
            raise ColumnsError(f"{column.strip()!r} is mapped twice; map each column to one field")
        mapping[column.strip()] = name.strip()
    columns_for(mapping)  # names a bad field now
    return mapping


def stamp(path: Path, columns: Mapping[str, str], date_format: str | None) -> str:
    """What identifies the loaded data: the file, how it was read and the cleaning rules."""
    how = f"{sorted(columns.items())}|{date_format}"
    read = "" if dict(columns) == DEFAULT_COLUMNS and date_format is None else f":{_short(how)}"
    return f"{path.name}:{digest(path)}:clean{CLEANING_VERSION}{read}"


def _short(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:8]


@contextmanager
def open_text(path: Path) -> Iterator[io.TextIOBase]:
    """A CSV file (.csv, .csv.gz or .csv.xz) opened as UTF-8 text, or a StoreError saying what is wrong."""
    name = path.name.lower()
    if not name.endswith((".csv", ".csv.gz", ".csv.xz")):
        raise StoreError(f"{path.name}: give a .csv file (or .csv.gz, .csv.xz)")
    if not path.is_file():
        raise StoreError(f"{path} is not a file")
    opener: Any = gzip.open if name.endswith(".gz") else lzma.open if name.endswith(".xz") else open
    try:
        with opener(path, "rt", encoding="utf-8-sig", newline="") as fh:
            yield fh
    except UnicodeDecodeError as exc:
        raise StoreError(f"{path.name} is not UTF-8 text; save it as UTF-8 CSV") from exc
    except (OSError, EOFError, lzma.LZMAError) as exc:
        raise StoreError(
            f"{path.name} cannot be read ({exc}); is it a complete {name.rsplit('.', 1)[-1]} file?"
        ) from exc
    except csv.Error as exc:
        raise StoreError(f"{path.name} is not well-formed CSV ({exc})") from exc


def read_lines(
    path: Path, columns: Mapping[str, str], *, date_format: str | None = None
) -> tuple[list[Line], list[Line], ImportReport]:
    """Every line checked (a bad value stops the read, naming its line and column), then sorted into
    sale lines, cancellation lines and counted drops."""
    report = ImportReport()
    sales: list[Line] = []
    cancels: list[Line] = []
    with open_text(path) as fh:
        reader = csv.reader(fh)
        header = [h.strip() for h in next(reader, [])]
        missing = [f for f in FIELDS if columns[f] not in header and f not in OPTIONAL_FIELDS]
        if missing:
            lacks = ", ".join(f"{columns[f]!r} (for {f})" for f in missing)
            wanted = ", ".join(f"{columns[f]} ({f}{', optional' if f in OPTIONAL_FIELDS else ''})" for f in FIELDS)
            raise ColumnsError(
                f"{path.name} lacks the column{'s' if len(missing) > 1 else ''} {lacks}; expected the columns "
                f"{wanted}; it has {', '.join(header) or 'none'}; name yours for these fields"
            )
        for f in sorted(OPTIONAL_FIELDS):
            if columns[f] not in header:
                report.notes.append(
                    "No description column: products are named by their code."
                    if f == "description"
                    else f"No country column: customers' country is {UNKNOWN_COUNTRY}."
                )
        at = [header.index(columns[f]) if columns[f] in header else len(header) for f in FIELDS]  # past the end: ""
        width = len(header) + 1
        invoice_customer: dict[str, tuple[int, int]] = {}
        name = path.name
        memo: tuple[dict[str, datetime], dict[str, int]] = ({}, {})
        for row in reader:
            if not row:
                continue  # a blank line
            if len(row) < width:
                row += [""] * (width - len(row))
            line = _line([row[i].strip() for i in at], reader.line_num, date_format, columns, name, memo)
            report.lines_read += 1
            if line.customer == 0:
                report.dropped[NO_CUSTOMER] += 1
                continue
            seen = invoice_customer.setdefault(line.invoice, (line.customer, line.line_no))
            if seen[0] != line.customer:
                raise StoreError(
                    f"{path.name} line {line.line_no}, column {columns['customer']}: invoice {line.invoice} is "
                    f"customer {seen[0]}'s (line {seen[1]}), not {line.customer}'s; an invoice has one customer"
                )
            if line.product_code in NON_PRODUCT_CODES:
                report.dropped[FEES] += 1
            elif line.quantity < 0:
                cancels.append(line)
            elif line.quantity == 0 or line.unit_price <= 0:
                report.dropped[ADJUSTMENTS] += 1
            else:
                sales.append(line)
    return sales, cancels, report


_LIMITS = tuple((FIELDS.index(f), most) for f, most in MAX_CHARS.items())


def _line(
    cells: list[str],
    line_no: int,
    fmt: str | None,
    columns: Mapping[str, str],
    name: str,
    memo: tuple[dict[str, datetime], dict[str, int]],
) -> Line:
    """One line's cells, in FIELDS order, checked and typed (`memo`: dates and customer ids already
    read, which repeat on every line of an order)."""
    invoice, code, description, qty, date, price, customer, country = cells

    def bad(f: str, why: str) -> StoreError:
        value = cells[FIELDS.index(f)]
        return StoreError(
            f"{name} line {line_no}, column {columns[f]}: {value!r} {why}; fix the value or remove the line"
        )

    if not invoice or not code:
        raise bad("invoice" if not invoice else "product_code", "is empty")
    for i, most in _LIMITS:
        if len(cells[i]) > most:
            raise bad(FIELDS[i], f"is longer than {most} characters")
    quantity = _whole(qty)
    if quantity is None:
        raise bad("quantity", "is not a whole number")
    try:
        unit_price = float(price)
    except ValueError:
        unit_price = math.nan
    if not math.isfinite(unit_price):
        raise bad("unit_price", "is not a number (write 2.55, not £2.55 or 2,55)")
    when = memo[0].get(date)
    if when is None:
        try:
            when = datetime.strptime(date, fmt) if fmt else datetime.fromisoformat(date)
        except ValueError:
            raise bad("date", f"is not a date in the form {fmt or 'YYYY-MM-DD HH:MM (ISO 8601)'}") from None
        if when.tzinfo is not None:  # one clock for every line: UTC
            when = when.astimezone(UTC).replace(tzinfo=None)
        memo[0][date] = when
    customer_id = 0
    if customer:
        customer_id = memo[1].get(customer) or _whole(customer) or 0
        if customer_id < 1:
            raise bad("customer", "is not a customer id (a whole number of 1 or more, or blank)")
        memo[1][customer] = customer_id
    return Line(
        invoice, code.upper(), description, quantity, when, unit_price, customer_id, country or UNKNOWN_COUNTRY, line_no
    )


def _whole(text: str) -> int | None:
    """'6', '6.0' and '17850.0' are whole numbers; '6.5', 'six' and '' are not."""
    if text.endswith(".0"):
        text = text[:-2]
    try:
        return int(text)
    except ValueError:
        pass
    try:
        value = float(text)
    except ValueError:
        return None
    return int(value) if math.isfinite(value) and value.is_integer() else None


def net_cancellations(sales: Sequence[Line], cancels: Sequence[Line]) -> Netting:
    """Net each cancellation (earliest first) against the sale it cancels, by the rule in the module
    docstring. Returns the sale lines left, in their order, with the units still sold."""
    left = [s.quantity for s in sales]
    by_key: dict[tuple[int, str], list[int]] = defaultdict(list)
    for i in sorted(range(len(sales)), key=lambda i: (sales[i].when, sales[i].line_no)):
        by_key[(sales[i].customer, sales[i].product_code)].append(i)
    out = Netting(lines=[])
    for c in sorted(cancels, key=lambda c: (c.when, c.line_no)):
        units = -c.quantity
        exact = larger = None
        for i in reversed(by_key.get((c.customer, c.product_code), ())):  # latest first
            if sales[i].when > c.when or left[i] <= 0:
                continue
            if left[i] == units:
                exact = i
                break
            if left[i] > units and larger is None:
                larger = i
        chosen = exact if exact is not None else larger
        if chosen is None:
            out.returns += 1
            out.returns_value += units * c.unit_price
            continue
        if left[chosen] == sales[chosen].quantity:  # first touch of this sale line
            out.reduced += 1
        left[chosen] -= units
        out.netted += 1
        out.netted_value += units * sales[chosen].unit_price
    for s, units in zip(sales, left, strict=True):
        if units > 0:
            out.lines.append(s._replace(quantity=units) if units != s.quantity else s)
        else:
            out.cancelled += 1
    out.reduced -= out.cancelled  # lines touched, less those that went
    return out


def clean_order_lines(
    path: Path, *, columns: Mapping[str, str] | None = None, date_format: str | None = None
) -> Cleaned:
    """Read, check, clean and net a file of order lines; the report counts every line."""
    sales, cancels, report = read_lines(path, columns or DEFAULT_COLUMNS, date_format=date_format)
    net = net_cancellations(sales, cancels)
    report.lines_kept = len(net.lines)
    report.cancels_netted, report.netted_value = net.netted, round(net.netted_value, 2)
    report.sales_cancelled, report.sales_reduced = net.cancelled, net.reduced
    report.returns, report.returns_value = net.returns, round(net.returns_value, 2)
    return Cleaned(sales=sales, net=net.lines, report=report)
