"""Profiling tools: RFM segments, lapsing customers, one customer's profile, similar products and
recommendations (item-to-item co-purchase recall, then a ranking)."""

from __future__ import annotations

import math
import re
from datetime import date
from typing import Any, Literal

import numpy as np
from pydantic import BaseModel, Field, model_validator
from sqlalchemy import select
from sqlalchemy.orm import Session

from engine import EngineError, ann, clv, recall, recsys, segments
from engine.rank import HashedLogistic
from store.db import Customer, Product
from tools import filters
from tools.base import (
    CATALOG_INDEX,
    ProductId,
    Shop,
    ToolFailure,
    ToolSpec,
    best_sellers_first,
    exported_rows,
    get_customer,
    get_product,
    is_exporting,
    products_holding,
    units_sold,
)
from vectorstore import catalog_vectors, documents, embed_query, embedding_name
from vectorstore.glossary import glossary

AGENT = "profiling"
_CJK = re.compile(r"[\u4e00-\u9fff]")


def rfm_table(shop: Shop) -> dict[str, np.ndarray]:
    def build() -> dict[str, np.ndarray]:
        s = shop.sales
        customers, inv = np.unique(s.customer, return_inverse=True)
        today = np.datetime64(shop.today, "D").astype(np.int64)
        last = np.full(customers.size, np.iinfo(np.int64).min)
        first = np.full(customers.size, np.iinfo(np.int64).max)
        np.maximum.at(last, inv, s.day)
        np.minimum.at(first, inv, s.day)
        monetary = np.bincount(inv, weights=s.revenue)
        pairs = np.unique(np.column_stack([inv, s.order]), axis=0)
        frequency = np.bincount(pairs[:, 0], minlength=customers.size)
        recency = today - last
        r, f, m = segments.rfm_scores(recency, frequency, monetary)
        return {
            "customer": customers,
            "recency": recency,
            "frequency": frequency,
            "monetary": monetary,
            "first": first,
            "last": last,
            "r": r,
            "f": f,
            "m": m,
            "segment": segments.rfm_segment(r, f),
        }

    return shop.cached("rfm", build)


class NoArgs(BaseModel):
    pass


def rfm_segments(shop: Shop, _s: Session, _a: NoArgs) -> dict[str, Any]:
    t = rfm_table(shop)
    return {"as_of": shop.today.isoformat(), "customers": int(t["customer"].size), "segments": segment_rows(shop)}


def segment_rows(shop: Shop, country: str | None = None) -> list[dict[str, Any]]:
    """Each RFM segment with customers: how many, their net revenue, orders and days since the last
    order; of one country's customers when given."""
    t = rfm_table(shop)
    keep = filters.customer_mask(shop, t["customer"], rfm=t, country=country)[0]
    rows = []
    for name in segments.SEGMENTS:
        mask = keep & (t["segment"] == name)
        if not mask.any():
            continue
        rows.append(
            {
                "segment": name,
                "customers": int(mask.sum()),
                "revenue": round(float(t["monetary"][mask].sum()), 2),
                "avg_orders": round(float(t["frequency"][mask].mean()), 1),
                "avg_days_since_last_order": round(float(t["recency"][mask].mean()), 1),
            }
        )
    return rows


class LapsingArgs(BaseModel):
    limit: int = Field(10, ge=1, le=100, description="how many customers to list")
    country: str | None = filters.COUNTRY
    segment: str | None = Field(
        None,
        min_length=2,
        max_length=40,
        description="the RFM segment to list (default at_risk; hibernating for those further gone): "
        + ", ".join(segments.SEGMENTS),
    )
    start: date | None = Field(None, description="only customers whose LAST order was on or after this day")
    end: date | None = Field(None, description="only customers whose LAST order was on or before this day")
    min_orders: int | None = filters.MIN_ORDERS


_LAPSING_RULE = "ordered often before (F score 3-5) but not recently (R score 1-2)"


def _countries(shop: Shop) -> dict[int, str]:
    """Each customer's country (for exported lists)."""
    ids, code, names = filters.countries(shop)
    return {int(i): names[c] for i, c in zip(ids, code, strict=True)}


def _countries_shown(shop: Shop, country: str | None) -> dict[int, str]:
    """Each customer's country where a list shows it: an exported list, or one of several countries
    ("at-risk customers outside the UK": which country each is in)."""
    several = country is not None and len(filters.country_codes(shop, country)[0]) > 1
    return _countries(shop) if is_exporting() or several else {}


def lapsing_customers(shop: Shop, _s: Session, a: LapsingArgs) -> dict[str, Any]:
    """Valuable customers who have gone quiet: the 'at_risk' RFM segment (or the segment asked
    for), highest spend first; optionally one country's, by last order date, with enough orders."""
    t = rfm_table(shop)
    segment = filters.segment_name(a.segment) if a.segment else "at_risk"
    keep, stated = filters.customer_mask(
        shop,
        t["customer"],
        rfm=t,
        country=a.country,
        segment=segment,
        min_orders=a.min_orders,
        dates=t["last"],
        start=a.start,
        end=a.end,
    )
    v = shop.stored("p_alive", lambda: {k: _clv(shop)[k] for k in ("customer", "p_alive")})  # fitted once, kept on disk
    alive = v["p_alive"][np.searchsorted(v["customer"], t["customer"])]
    matching = np.flatnonzero(keep)
    ranked = matching[np.argsort(-t["monetary"][matching], kind="stable")]
    idx = ranked[: a.limit]
    if segment != "at_risk":
        stated["segment"] = segment
    else:
        stated.pop("segment", None)
    if stated.get("start") or stated.get("end"):
        stated["dates_are"] = "last order"
    countries = _countries_shown(shop, a.country)

    def row(i: int) -> dict[str, Any]:
        r: dict[str, Any] = {
            "customer_id": int(t["customer"][i]),
            "days_since_last_order": int(t["recency"][i]),
            "orders": int(t["frequency"][i]),
            "revenue": round(float(t["monetary"][i]), 2),
            "p_alive": round(float(alive[i]), 3),
        }
        return r | ({"country": countries.get(r["customer_id"], "")} if countries else {})

    out = {
        "as_of": shop.today.isoformat(),
        "at_risk_total": int((t["segment"] == "at_risk").sum()),
        "segment": segment,
        "matching": int(matching.size),
        # how many were asked for, when they were (fewer match: said, with a wider list to ask for)
        "asked": a.limit if "limit" in a.model_fields_set else None,
        "filters": stated,
        "rule": _LAPSING_RULE if segment == "at_risk" else f"RFM segment {segment}",
        "p_alive_note": "BG/NBD probability of still being active; 1.0 for customers with no repeat "
        "purchase day, whom the model cannot see drop out",
        "customers": [row(i) for i in idx],
    }
    if is_exporting():
        out["all_customers"] = [row(i) for i in ranked[: exported_rows(a)]]
    return out


def _clv(shop: Shop) -> dict[str, Any]:
    """BG/NBD and Gamma-Gamma fitted on the shop's customers (weeks; a purchase = an order day)."""

    def build() -> dict[str, Any]:
        s = shop.sales
        today = np.datetime64(shop.today, "D").astype(np.int64)
        pairs, inv_rev = np.unique(np.column_stack([s.customer, s.day]), axis=0, return_inverse=True)
        day_revenue = np.bincount(inv_rev.ravel(), weights=s.revenue)
        customers, inv = np.unique(pairs[:, 0], return_inverse=True)
        first = np.full(customers.size, np.iinfo(np.int64).max)
        last = np.zeros(customers.size, dtype=np.int64)
        np.minimum.at(first, inv, pairs[:, 1])
        np.maximum.at(last, inv, pairs[:, 1])
        x = np.bincount(inv, minlength=customers.size) - 1.0  # repeat purchase days
        first_rev = np.zeros(customers.size)
        is_first = pairs[:, 1] == first[inv]
        first_rev[inv[is_first]] = day_revenue[is_first]
        total = np.bincount(inv, weights=day_revenue, minlength=customers.size)
        m = np.where(x > 0, (total - first_rev) / np.maximum(x, 1), 0.0)
        t_x, T = (last - first) / 7.0, (today - first) / 7.0 + 1e-9
        model = clv.fit_bgnbd(x, t_x, T)
        rep = (x > 0) & (m > 0)
        gg = clv.fit_gamma_gamma(x[rep], m[rep])
        value = clv.lifetime_value(model, gg, x, t_x, T, m, periods=52, discount=0.0019)  # about 10% a year
        return {
            "customer": customers,
            "x": x,
            "t_x": t_x,
            "T": T,
            "m": m,
            "bgnbd": model,
            "gg": gg,
            "p_alive": clv.p_alive(model, x, t_x, T),
            "expected_52w": clv.expected_purchases(model, 52.0, x, t_x, T),
            "clv_52w": value,
        }

    return shop.cached("clv", build)


class ValueArgs(BaseModel):
    limit: int = Field(10, ge=1, le=100, description="how many customers to list")
    country: str | None = filters.COUNTRY
    segment: str | None = filters.SEGMENT
    start: date | None = Field(None, description="only customers whose FIRST order was on or after this day")
    end: date | None = Field(None, description="only customers whose FIRST order was on or before this day")
    min_orders: int | None = filters.MIN_ORDERS


def customer_lifetime_value(shop: Shop, _s: Session, a: ValueArgs) -> dict[str, Any]:
    """The customers expected to be worth most over the next year (BG/NBD x Gamma-Gamma);
    optionally one country's or one segment's, acquired in a date range, with enough orders."""
    v = _clv(shop)
    t = rfm_table(shop)
    first = t["first"][np.searchsorted(t["customer"], v["customer"])]
    keep, stated = filters.customer_mask(
        shop,
        v["customer"],
        rfm=t,
        country=a.country,
        segment=a.segment,
        min_orders=a.min_orders,
        dates=first,
        start=a.start,
        end=a.end,
    )
    if stated.get("start") or stated.get("end"):
        stated["dates_are"] = "first order"
    matching = np.flatnonzero(keep)
    ranked = matching[np.argsort(-v["clv_52w"][matching], kind="stable")]
    countries = _countries_shown(shop, a.country)

    def row(i: int) -> dict[str, Any]:
        r: dict[str, Any] = {
            "customer_id": int(v["customer"][i]),
            "clv_52w": round(float(v["clv_52w"][i]), 2),
            "expected_purchases_52w": round(float(v["expected_52w"][i]), 2),
            "p_alive": round(float(v["p_alive"][i]), 3),
            "orders": int(t["frequency"][np.searchsorted(t["customer"], v["customer"][i])]),
        }
        return r | ({"country": countries.get(r["customer_id"], "")} if countries else {})

    out: dict[str, Any] = {
        "as_of": shop.today.isoformat(),
        "model": "BG/NBD (purchases, P(alive)) x Gamma-Gamma (spend), 52 weeks, 10% a year discount",
        "fit": {
            **{k: round(val, 4) for k, val in v["bgnbd"].as_dict().items() if k != "loglik"},
            "p": round(v["gg"].p, 3),
            "q": round(v["gg"].q, 3),
            "gamma": round(v["gg"].gamma, 2),
        },
        "total_clv_52w": round(float(v["clv_52w"].sum()), 2),
        "filters": stated,
        "matching": int(matching.size),
        "matching_clv_52w": round(float(v["clv_52w"][matching].sum()), 2),
        "customers": [row(i) for i in ranked[: a.limit]],
    }
    if is_exporting():
        out["all_customers"] = [row(i) for i in ranked[: exported_rows(a)]]
    return out


CustomerSort = Literal["revenue", "orders", "recency", "first_order"]
_SORT_RULE = {
    "revenue": "net revenue, highest first",
    "orders": "number of orders, most first",
    "recency": "last order, most recent first",
    "first_order": "first order, most recent first (the newest customers)",
}


class CustomerListArgs(BaseModel):
    country: str | None = filters.COUNTRY
    segment: str | None = filters.SEGMENT
    min_orders: int | None = filters.MIN_ORDERS
    max_orders: int | None = filters.MAX_ORDERS
    min_revenue: float | None = filters.MIN_REVENUE
    max_revenue: float | None = filters.MAX_REVENUE
    first_start: date | None = Field(
        None, description="only customers whose FIRST order was on or after this day (new customers since...)"
    )
    first_end: date | None = Field(None, description="only customers whose FIRST order was on or before this day")
    start: date | None = Field(
        None, description="only customers whose LAST order was on or after this day (ordered since...)"
    )
    end: date | None = Field(
        None,
        description="only customers whose LAST order was on or before this day (not ordered since 1 September: "
        "end 31 August)",
    )
    spend_start: date | None = Field(
        None,
        description="count only orders from this day (with spend_end): each customer's revenue and orders, the "
        "ranking and the total are over that period, and customers with no order in it are left out (top "
        "spenders last month)",
    )
    spend_end: date | None = Field(None, description="the last day of spend_start's period (default: today)")
    product_id: ProductId | None = Field(
        None,
        description="only customers who bought this product (its id or stock code), each with the units and net "
        "revenue of it they bought, its biggest buyers first unless sorted otherwise (who bought product 12?)",
    )
    sort: CustomerSort = Field(
        "revenue",
        description="revenue or orders: highest first; recency: the most recent last order first; first_order: "
        "the most recent first order first",
    )
    limit: int = Field(20, ge=1, le=100, description="how many customers to list")

    @model_validator(mode="after")
    def _spend_period(self) -> CustomerListArgs:
        if self.spend_end is not None and self.spend_start is None:
            raise ValueError("give spend_start too: the first day of the period whose spending counts")
        if self.spend_start and self.spend_end and self.spend_start > self.spend_end:
            raise ValueError(f"spend_start ({self.spend_start}) is after spend_end ({self.spend_end}); swap them")
        return self


def _day(n: int) -> str:
    return str(np.datetime64(int(n), "D"))


def _per_customer(shop: Shop, customers: np.ndarray, sel: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Each customer's net revenue, net units and number of orders over the selected order lines
    (kept lines, cancellations netted out)."""
    s = shop.sales
    at = np.searchsorted(customers, s.customer[sel])
    revenue = np.bincount(at, weights=s.revenue[sel], minlength=customers.size)
    units = np.bincount(at, weights=s.quantity[sel], minlength=customers.size)
    pairs = np.unique(np.column_stack([at, s.order[sel]]), axis=0)
    orders = np.bincount(pairs[:, 0], minlength=customers.size) if pairs.size else np.zeros(customers.size, int)
    return revenue, units, orders


def _spent_between(shop: Shop, customers: np.ndarray, start: date, end: date) -> tuple[np.ndarray, np.ndarray]:
    """Each customer's net revenue and number of orders from start to end (both days included)."""
    lo, hi = (int(np.datetime64(d, "D").astype(np.int64)) for d in (start, end))
    revenue, _, orders = _per_customer(shop, customers, (shop.sales.day >= lo) & (shop.sales.day <= hi))
    return revenue, orders


def customer_list(shop: Shop, session: Session, a: CustomerListArgs) -> dict[str, Any]:
    """The shop's customers that pass the filters, with their orders, net revenue, first and last
    order and segment, sorted as asked; how many match and what share of the shop's revenue they bring."""
    t = rfm_table(shop)
    other_filters: dict[str, Any] = {
        "country": a.country,
        "segment": a.segment,
        "min_revenue": a.min_revenue,
        "max_revenue": a.max_revenue,
        "start": a.start,
        "end": a.end,
        "first_start": a.first_start,
        "first_end": a.first_end,
    }
    keep, stated = filters.customer_mask(
        shop,
        t["customer"],
        rfm=t,
        min_orders=a.min_orders,
        max_orders=a.max_orders,
        dates=t["last"],
        **other_filters,
    )
    base = None  # with an order count and other filters: of how many customers those orders are a share
    if (a.min_orders or a.max_orders) and any(v is not None for v in other_filters.values()) and a.spend_start is None:
        base = int(filters.customer_mask(shop, t["customer"], rfm=t, dates=t["last"], **other_filters)[0].sum())
    if stated.get("start") or stated.get("end"):
        stated["dates_are"] = "last order"
    revenue_of, orders_of = t["monetary"], t["frequency"]
    if a.spend_start is not None:  # what each customer spent in a period, not over all time
        end = a.spend_end or shop.today
        stated["spend_start"], stated["spend_end"] = a.spend_start.isoformat(), end.isoformat()
        revenue_of, orders_of = _spent_between(shop, t["customer"], a.spend_start, end)
        keep = keep & (orders_of > 0)
    product = None
    if a.product_id is not None:  # who bought it, with what each bought of it beside their own figures
        product = get_product(session, a.product_id)
        stated["product_id"], stated["product"] = product.id, f"{product.stock_code} {product.description}".strip()
        product_revenue_of, units_of, _ = _per_customer(shop, t["customer"], shop.sales.product == product.id)
        keep = keep & (units_of > 0)
    matching = np.flatnonzero(keep)
    key = {"revenue": revenue_of, "orders": orders_of, "recency": t["last"], "first_order": t["first"]}[a.sort]
    sort_key: str = a.sort
    rule = _SORT_RULE[a.sort]
    if product is not None and a.sort == "revenue":  # the biggest buyers of the product first
        key, sort_key, rule = product_revenue_of, "product_revenue", "net revenue of the product, highest first"
    ranked = matching[np.lexsort((-revenue_of[matching], -key[matching]))]  # ties: the bigger spender first
    names = filters.countries(shop)[2]
    country = filters.country_of_customers(shop, t["customer"])

    def row(i: int) -> dict[str, Any]:
        return {
            "customer_id": int(t["customer"][i]),
            "country": names[int(country[i])] if country[i] >= 0 else "",
            "orders": int(orders_of[i]),
            "revenue": round(float(revenue_of[i]), 2),
            "first_order": _day(t["first"][i]),
            "last_order": _day(t["last"][i]),
            "days_since_last_order": int(t["recency"][i]),
            "segment": str(t["segment"][i]),
        } | (
            {"product_units": int(units_of[i]), "product_revenue": round(float(product_revenue_of[i]), 2)}
            if product is not None
            else {}
        )

    revenue = float(revenue_of[matching].sum())
    shop_revenue = float(revenue_of.sum())
    out: dict[str, Any] = {
        "as_of": shop.today.isoformat(),
        "filters": stated,
        "sort": a.sort,
        "sorted_by": sort_key,
        "sort_rule": rule,
        "customers_in_shop": int(t["customer"].size),
        "matching": int(matching.size),
        # "of the customers who first ordered in September, how many came back": those the other filters keep
        **({"before_order_filter": base} if base is not None and a.product_id is None else {}),
        "matching_revenue": round(revenue, 2),
        "share_of_revenue_pct": round(100 * revenue / shop_revenue, 2) if shop_revenue else None,
        "revenue_is": "net revenue of each customer's kept order lines, "
        + (f"{stated['spend_start']} to {stated['spend_end']}" if a.spend_start else "all time")
        + " (cancellations netted out)",
        "customers": [row(i) for i in ranked[: a.limit]],
    }
    if is_exporting():
        out["all_customers"] = [row(i) for i in ranked[: exported_rows(a)]]
    return out


class CustomerArgs(BaseModel):
    customer_id: int = Field(..., ge=1, le=10**9, description="the customer's id, e.g. 12347")


def customer_profile(shop: Shop, session: Session, a: CustomerArgs) -> dict[str, Any]:
    cust = get_customer(session, a.customer_id)
    t = rfm_table(shop)
    i = int(np.searchsorted(t["customer"], a.customer_id))
    s = shop.sales
    mine = s.customer == a.customer_id
    prods, qty = np.unique(s.product[mine], return_counts=True)
    top = prods[np.argsort(-qty)][:3]
    names = dict(session.execute(select(Product.id, Product.description).where(Product.id.in_(top.tolist()))).all())
    return {
        "customer_id": cust.id,
        "country": cust.country,
        "orders": int(t["frequency"][i]),
        "revenue": round(float(t["monetary"][i]), 2),
        "days_since_last_order": int(t["recency"][i]),
        "first_order": str(np.datetime64(int(s.day[mine].min()), "D")),
        "last_order": str(np.datetime64(int(s.day[mine].max()), "D")),
        "rfm": f"{t['r'][i]}{t['f'][i]}{t['m'][i]}",
        "segment": str(t["segment"][i]),
        **_value_of(shop, a.customer_id),
        "top_products": [{"product_id": int(p), "description": names.get(int(p), "")} for p in top],
    }


def _value_of(shop: Shop, customer_id: int) -> dict[str, Any]:
    """One customer's expected purchases, value and P(alive) over the next 52 weeks (from _clv)."""
    v = _clv(shop)
    j = int(np.searchsorted(v["customer"], customer_id))
    if j >= v["customer"].size or v["customer"][j] != customer_id:
        return {}
    higher = int((v["clv_52w"] > v["clv_52w"][j]).sum())  # customers expected to be worth more
    out: dict[str, Any] = {
        "expected_purchases_52w": round(float(v["expected_52w"][j]), 2),
        "clv_52w": round(float(v["clv_52w"][j]), 2),
        "clv_52w_rank": higher + 1,
        # 2.0: among the top 2% (rounded up: the shop's most valuable customer is in its top 0.1%, not 0.0%)
        "clv_52w_top_pct": math.ceil(round(1000 * (higher + 1) / v["customer"].size, 6)) / 10,
        "customers_valued": int(v["customer"].size),
        "p_alive": round(float(v["p_alive"][j]), 3),
        "value_model": "BG/NBD x Gamma-Gamma fitted on the shop, 52 weeks, 10% a year discount; "
        "a purchase = an order day",
    }
    if v["x"][j] == 0:
        out["value_note"] = (
            "no repeat purchase day yet: the model cannot see this customer drop out (P(alive) is 1.0 by "
            "construction) and values each future purchase at the Gamma-Gamma population mean spend"
        )
    return out


class SimilarArgs(BaseModel):
    product_id: ProductId | None = Field(None, description="find products like this one (an id or a stock code)")
    query: str | None = Field(None, min_length=2, max_length=200, description="or like this text")
    k: int = Field(5, ge=1, le=50)
    every_match: bool = Field(
        False,
        description="with query: also list every product whose description holds all the query's words "
        "(best sellers first, up to 50): `which hot water bottles do we have`",
    )


EVERY_MATCH_MAX = 50


def _catalog_index(shop: Shop) -> tuple[np.ndarray, ann.ExactIndex | ann.IVFIndex]:
    """Product ids and the nearest-neighbour search over their catalog embeddings (built once): an
    exact search below ann.DEFAULT_EXACT_BELOW products (the demo shop's 3,659), the index above."""

    def build() -> dict[str, np.ndarray]:
        pids, x = catalog_vectors(shop.chroma)
        if pids.size == 0:
            raise ToolFailure("the catalog is empty; run `copilot init` to load the demo shop")
        x /= np.maximum(np.linalg.norm(x, axis=1, keepdims=True), 1e-12)  # inner product = cosine
        return {"product_ids": pids, **ann.build_index(x, k=min(100, pids.size)).to_arrays()}

    # "search-": caches written before exact search hold an IVF index under the embedding's name alone
    stored = shop.stored(f"{CATALOG_INDEX}search-{embedding_name()}", build)
    return stored["product_ids"], ann.index_from_arrays(stored)


def search_text(query: str) -> tuple[str, list[tuple[str, str]]]:
    """A search as the catalog words it: Chinese put into the catalog's English words through the
    glossary (longest term first); other text as it is."""
    if not _CJK.search(query):
        return query, []
    english, found = glossary().to_english(query)
    if not found:
        raise ToolFailure(
            f"none of the words of “{query}” are in the catalog's glossary; name the product in English or "
            "with everyday words for it (e.g. 圣诞彩灯, 马克杯, 靠垫)"
        )
    return english, found


_THEMES = frozenset({"christmas", "xmas", "easter", "halloween", "valentine", "valentines", "spring", "summer"})
_DECOR = frozenset({"decoration", "decorations", "decor", "ornament", "ornaments"})


def products_of_kind(shop: Shop, query: str) -> tuple[str, list[int]]:
    """The products whose description holds every catalog word of a search (`products_holding`), and
    those words. A Chinese word the catalog names two ways is both (花环: GARLAND or WREATH), the words
    then joined by " / ". Best sellers first."""
    text, _ = search_text(query)
    words, holding = products_holding(shop, text)
    if len(words) >= 2 and words[-1] in _DECOR and set(words[:-1]) <= _THEMES:  # "christmas decorations": a theme
        theme, themed = products_holding(shop, " ".join(words[:-1]))  # (CHRISTMAS LIGHTS, bunting), not only the
        if len(themed) > len(holding):  # descriptions that say DECORATION
            return " ".join(theme), themed
    if not _CJK.search(query):
        return " ".join(words), holding
    said, held = [" ".join(words)] if holding else [], list(holding)
    for other in glossary().readings(query)[1:]:
        w, h = products_holding(shop, other)
        new = [p for p in h if p not in set(held)]
        if new:  # a reading that finds more: 圣诞花环 is CHRISTMAS GARLAND and CHRISTMAS WREATH
            said.append(" ".join(w))
            held += new
    if len(said) < 2:
        return " ".join(words), holding
    return " / ".join(said), best_sellers_first(shop, held)


def similar_products(shop: Shop, session: Session, a: SimilarArgs) -> dict[str, Any]:
    if a.product_id is None and not a.query:
        raise ToolFailure("give a product id or a text to search the catalog for")
    pids, index = _catalog_index(shop)
    product = get_product(session, a.product_id) if a.product_id is not None else None
    text, translated = search_text(a.query or "") if product is None else (product.description, [])
    rows, scores = index.search(embed_query(text), a.k + 1)
    found = [(int(pids[r]), float(sc)) for r, sc in zip(rows, scores, strict=True)]
    found = [(p, sc) for p, sc in found if product is None or p != product.id][: a.k]
    names = documents(shop.chroma, [p for p, _ in found])
    facts = catalog_facts(session, [p for p, _ in found])
    similar = [
        {"product_id": p, "description": names.get(p, ""), **facts.get(p, {}), "similarity": round(sc, 4)}
        for p, sc in found
    ]
    if product is not None:
        return {"product_id": product.id, "description": product.description, "similar": similar}
    out: dict[str, Any] = {"query": a.query, "similar": similar}
    words, holding = products_of_kind(shop, a.query or "") if product is None else ("", [])
    out["matching_words"] = words
    out["matching_count"] = len(holding)  # how many descriptions hold every word: `we have 24 hot water bottles`
    if a.every_match:
        units = units_sold(shop)
        facts = catalog_facts(session, holding[:EVERY_MATCH_MAX])
        out["matching"] = [
            {"product_id": p, **facts[p], "units_sold": int(units[p]) if p < len(units) else 0}
            for p in holding[:EVERY_MATCH_MAX]
        ]
    if translated:
        out["searched_as"] = text
        out["glossary"] = [{"zh": zh, "en": en} for zh, en in translated]
    return out


def catalog_facts(session: Session, ids: list[int]) -> dict[int, dict[str, Any]]:
    """Each product's stock code, description and list price, as a marketer finds it in the shop."""
    rows = session.execute(
        select(Product.id, Product.stock_code, Product.description, Product.price).where(Product.id.in_(ids))
    )
    return {int(p): {"stock_code": c, "description": d, "price": round(float(pr), 2)} for p, c, d, pr in rows}


class RecommendArgs(BaseModel):
    customer_id: int = Field(..., ge=1, le=10**9)
    k: int = Field(5, ge=1, le=50)


RANKER_LABEL_DAYS = 90  # the ranker learns who bought what in the shop's last 90 days from what came before


def shop_history(shop: Shop) -> tuple[recsys.History, dict[int, int]]:
    """The shop's purchase lines as an engine History, and each customer's country as a code."""

    def build() -> tuple[recsys.History, dict[int, int]]:
        s = shop.sales
        with shop.sessions() as session:
            countries = dict(session.execute(select(Customer.id, Customer.country)).all())
        codes = {c: i for i, c in enumerate(sorted(set(countries.values())))}
        h = recsys.History(s.customer, s.product, s.order, s.day, s.price, int(s.product.max()) + 1)
        return h, {u: codes[c] for u, c in countries.items()}

    return shop.cached("history", build)


def _ranker(shop: Shop) -> HashedLogistic | None:
    """The recommendation ranker fitted on this shop (about 7 s once, then read from the cache);
    None when the shop is too small to learn from."""

    def fit() -> dict[str, np.ndarray]:
        h, country_of = shop_history(shop)
        try:
            model = recsys.fit_ranker(h, int(h.day.max()) - RANKER_LABEL_DAYS + 1, country_of)
        except EngineError:
            return {}
        return {"weights": model.weights, "bias": np.array([model.bias])}

    stored = shop.stored("ranker", fit)
    return HashedLogistic(stored["weights"], float(stored["bias"][0])) if stored else None


def recommend_products(shop: Shop, session: Session, a: RecommendArgs) -> dict[str, Any]:
    customer = get_customer(session, a.customer_id)
    h, country_of = shop_history(shop)
    bought = int(np.unique(h.product[h.customer == customer.id]).size)
    sim = shop.cached(  # float64, as the per-customer products are: no cast per request
        "cooccurrence64", lambda: recall.cooccurrence_similarity(h.order, h.product, h.n_items).astype(np.float64)
    )
    sim_cols = shop.cached("cooccurrence64_cols", sim.tocsc)
    cands = recsys.candidates(
        h,
        int(h.day.max()) + 1,
        np.array([customer.id]),
        np.array([country_of[customer.id]]),
        sim=sim,
        sim_cols=sim_cols,
    )
    ranker = _ranker(shop)
    if ranker is not None:
        score = ranker.score(cands.idx, cands.val)
        method = (
            "co-purchase and popularity recall, ranked by a logistic model trained on this shop "
            f"(score: chance of buying it within {RANKER_LABEL_DAYS} days)"
        )
    else:
        score = cands.val[:, 1]  # log co-purchase score
        method = "co-purchase and popularity recall, by co-purchase score (too little history to train a ranker)"
    order = np.argsort(-score, kind="stable")[: a.k]
    chosen = cands.item[order]
    names = dict(session.execute(select(Product.id, Product.description).where(Product.id.in_(chosen.tolist()))).all())
    return {
        "customer_id": customer.id,
        "method": method,
        "products_bought": bought,
        "recommendations": [
            {"product_id": int(c), "description": names.get(int(c), ""), "score": round(float(sc), 3)}
            for c, sc in zip(chosen, score[order], strict=True)
        ],
    }


TOOLS = [
    ToolSpec(
        "rfm_segments",
        "Customer segments by recency, frequency and monetary value (RFM): counts and revenue per segment.",
        NoArgs,
        rfm_segments,
        AGENT,
    ),
    ToolSpec(
        "lapsing_customers",
        "Valuable customers who are about to lapse (at-risk RFM segment, or another segment), highest spend "
        "first; optionally only one country's, by last order date, or with at least N orders. For other lists of "
        "customers (by orders, spend, first or last order) use customer_list.",
        LapsingArgs,
        lapsing_customers,
        AGENT,
    ),
    ToolSpec(
        "customer_lifetime_value",
        "The customers expected to be worth most over the next year, with their probability of still "
        "being active (BG/NBD and Gamma-Gamma fitted on the shop); optionally only one country's or RFM "
        "segment's, by first order date, or with at least N orders. For customers by what they have already "
        "spent or ordered use customer_list.",
        ValueArgs,
        customer_lifetime_value,
        AGENT,
    ),
    ToolSpec(
        "customer_list",
        "The shop's customers by what they have done: filter by country, RFM segment, number of orders "
        "(min_orders, max_orders), net revenue in £ (min_revenue, max_revenue), first order date (first_start, "
        "first_end: new customers since...) and last order date (start, end: ordered since..., or not since...); "
        "sorted by revenue, orders, recency or first order. Each row: orders, revenue, first and last order, days "
        "since the last, segment; with how many match and their share of the shop's revenue. Use it for any list "
        "of customers by these facts; use lapsing_customers only for customers about to lapse (the at-risk "
        "segment) and customer_lifetime_value for what customers are predicted to be worth.",
        CustomerListArgs,
        customer_list,
        AGENT,
    ),
    ToolSpec(
        "customer_profile",
        "One customer's profile: orders, revenue, recency, segment, favourite products, and what they are "
        "worth: expected purchases, lifetime value and P(alive) over the next 52 weeks.",
        CustomerArgs,
        customer_profile,
        AGENT,
    ),
    ToolSpec(
        "similar_products",
        "Products similar to a product (by id) or to a text: nearest neighbours of the catalog embeddings.",
        SimilarArgs,
        similar_products,
        AGENT,
    ),
    ToolSpec(
        "recommend_products",
        "Products to recommend to a customer: co-purchase and popularity recall, then a ranker trained on the shop.",
        RecommendArgs,
        recommend_products,
        AGENT,
    ),
]
