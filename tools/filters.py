"""What the customer lists and the sales reports share: which customers a request is about (their
country, their RFM segment, when they first and last ordered, how often, how much they spent), each
name checked against the shop's own."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

import numpy as np
from pydantic import Field
from sqlalchemy import select

from engine import segments
from store.db import Customer
from tools.base import Shop, ToolFailure

# Other names a marketer uses for a country the shop writes its own way.
_COUNTRY_ALIASES = {
    "uk": "United Kingdom",
    "gb": "United Kingdom",
    "great britain": "United Kingdom",
    "britain": "United Kingdom",
    "england": "United Kingdom",
    "ireland": "EIRE",
    "eire": "EIRE",
    "us": "USA",
    "united states": "USA",
    "america": "USA",
    "south africa": "RSA",
    "uae": "United Arab Emirates",
    "holland": "Netherlands",
    "the netherlands": "Netherlands",
    "czechia": "Czech Republic",
}

COUNTRY = Field(
    None,
    min_length=2,
    max_length=200,
    description="only customers in this country, e.g. Germany (or several, with commas: Austria, Switzerland; "
    "or every country but some: not United Kingdom)",
)
SEGMENT = Field(
    None,
    min_length=2,
    max_length=40,
    description="only customers in this RFM segment: " + ", ".join(segments.SEGMENTS),
)
MIN_ORDERS = Field(None, ge=1, le=10_000, description="only customers with at least this many orders")
MAX_ORDERS = Field(
    None, ge=1, le=10_000, description="only customers with at most this many orders (1: one-off buyers)"
)
MIN_REVENUE = Field(None, ge=0, le=10**9, description="only customers whose net revenue (£, all time) is at least this")
MAX_REVENUE = Field(None, ge=0, le=10**9, description="only customers whose net revenue (£, all time) is at most this")


def _key(name: str) -> str:
    return re.sub(r"[\s_-]+", " ", name.strip().lower())


_ALL_BUT = re.compile(r"\s*(?:not|outside|except|excluding|all but)\s+(?:the\s+)?", re.I)


def countries(shop: Shop) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """Customer ids (sorted), each one's country as an index, and the countries' names (sorted)."""

    def build() -> tuple[np.ndarray, np.ndarray, list[str]]:
        with shop.sessions() as s:
            rows = sorted(s.execute(select(Customer.id, Customer.country)).all())
        names = sorted({c for _, c in rows})
        code = {c: i for i, c in enumerate(names)}
        ids = np.array([i for i, _ in rows], dtype=np.int64)
        return ids, np.array([code[c] for _, c in rows], dtype=np.int64), names

    result: tuple[np.ndarray, np.ndarray, list[str]] = shop.cached("customer_countries", build)
    return result


def country_name(shop: Shop, name: str) -> str:
    """The shop's own name of a country (`germany` -> Germany, `UK` -> United Kingdom), or a
    ToolFailure naming the countries the shop sells to."""
    names = countries(shop)[2]
    by_key = {_key(n): n for n in names}
    key = _key(name)
    found = by_key.get(key) or by_key.get(_key(_COUNTRY_ALIASES.get(key, "")))
    if found is None:
        raise ToolFailure(f"the shop has no customers in {name!r}; the countries are: {', '.join(names)}")
    return found


def country_codes(shop: Shop, country: str) -> tuple[list[int], str]:
    """The indices (into countries()[2]) of one country or of several written with commas
    (`Austria, Switzerland`), or of every country but some (`not United Kingdom`), and their names
    as a result states them."""
    but = _ALL_BUT.match(country)
    if but:
        left_out, named = country_codes(shop, country[but.end() :])
        return [i for i in range(len(countries(shop)[2])) if i not in left_out], f"outside {named}"
    try:
        names = [country_name(shop, country)]
    except ToolFailure:
        if "," not in country:
            raise
        names = list(dict.fromkeys(country_name(shop, part) for part in country.split(",") if part.strip()))
    every = countries(shop)[2]
    return [every.index(n) for n in names], ", ".join(names)


def segment_name(name: str) -> str:
    """An RFM segment's name as the tools write it (`At risk` -> at_risk), or a ToolFailure naming them."""
    key = _key(name).replace(" ", "_")
    if key not in segments.SEGMENTS:
        raise ToolFailure(f"there is no RFM segment {name!r}; the segments are: {', '.join(segments.SEGMENTS)}")
    return key


def country_of_customers(shop: Shop, customer_ids: np.ndarray) -> np.ndarray:
    """The country index (into countries()[2]) of each customer id given."""
    ids, codes, _ = countries(shop)
    pos = np.clip(np.searchsorted(ids, customer_ids), 0, max(ids.size - 1, 0))
    return np.where(ids[pos] == customer_ids, codes[pos], -1)


def day_number(d: date) -> int:
    return int(np.datetime64(d, "D").astype(np.int64))


def check_dates(start: date | None, end: date | None, what: str = "the date range") -> None:
    if start is not None and end is not None and start > end:
        raise ToolFailure(f"{what} starts ({start}) after it ends ({end}); swap the dates")


def check_bounds(name: str, low: float | None, high: float | None) -> None:
    """A minimum no greater than its maximum (min_orders and max_orders, min_revenue and max_revenue)."""
    if low is not None and high is not None and low > high:
        raise ToolFailure(
            f"min_{name} ({low:g}) is above max_{name} ({high:g}); give a minimum no greater than the maximum"
        )


def customer_mask(
    shop: Shop,
    customer_ids: np.ndarray,
    *,
    rfm: dict[str, np.ndarray],
    country: str | None = None,
    segment: str | None = None,
    min_orders: int | None = None,
    max_orders: int | None = None,
    min_revenue: float | None = None,
    max_revenue: float | None = None,
    dates: np.ndarray | None = None,
    start: date | None = None,
    end: date | None = None,
    first_start: date | None = None,
    first_end: date | None = None,
) -> tuple[np.ndarray, dict[str, Any]]:
    """Which of `customer_ids` pass the filters given (each checked first), and the filters as a
    result states them. `rfm` is the RFM table (tools/profiling.py): orders and net revenue are its
    frequency and monetary value, `first_start`/`first_end` bound its first order day; `dates` is
    the day number each customer is filtered by on `start`/`end` (first or last order, as the tool says)."""
    check_dates(start, end)
    check_dates(first_start, first_end, "the first-order date range")
    check_bounds("orders", min_orders, max_orders)
    check_bounds("revenue", min_revenue, max_revenue)
    keep = np.ones(customer_ids.size, dtype=bool)
    stated: dict[str, Any] = {}
    if country is not None:
        codes, name = country_codes(shop, country)
        keep &= np.isin(country_of_customers(shop, customer_ids), codes)
        stated["country"] = name
    pos = np.clip(np.searchsorted(rfm["customer"], customer_ids), 0, max(rfm["customer"].size - 1, 0))
    if segment is not None:
        seg = segment_name(segment)
        keep &= rfm["segment"][pos] == seg
        stated["segment"] = seg
    bounds = (
        ("min_orders", min_orders, "frequency", np.greater_equal),
        ("max_orders", max_orders, "frequency", np.less_equal),
        ("min_revenue", min_revenue, "monetary", np.greater_equal),
        ("max_revenue", max_revenue, "monetary", np.less_equal),
    )
    for name, bound, column, within in bounds:
        if bound is not None:
            keep &= within(rfm[column][pos], bound)
            stated[name] = bound
    days = (
        ("first_start", first_start, rfm["first"][pos], np.greater_equal),
        ("first_end", first_end, rfm["first"][pos], np.less_equal),
        ("start", start, dates, np.greater_equal),
        ("end", end, dates, np.less_equal),
    )
    for name, day, of, within in days:
        if of is not None and day is not None:
            keep &= within(of, day_number(day))
            stated[name] = day.isoformat()
    return keep, stated
