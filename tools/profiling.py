"""Profiling tools: RFM segments, lapsing customers, one customer's profile, similar products and
recommendations (item-to-item co-purchase recall, then a ranking)."""

from __future__ import annotations

from typing import Any

import numpy as np
from pydantic import BaseModel, Field
from sqlalchemy import select
from sqlalchemy.orm import Session

from engine import clv, recall, segments
from store.db import Product
from tools.base import Shop, ToolFailure, ToolSpec, get_customer, get_product
from vectorstore.catalog import similar_products as _vector_similar

AGENT = "profiling"


def _rfm(shop: Shop) -> dict[str, np.ndarray]:
    def build() -> dict[str, np.ndarray]:
        s = shop.sales
        customers, inv = np.unique(s.customer, return_inverse=True)
        today = np.datetime64(shop.today, "D").astype(np.int64)
        last = np.full(customers.size, np.iinfo(np.int64).min)
        np.maximum.at(last, inv, s.day)
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
            "r": r,
            "f": f,
            "m": m,
            "segment": segments.rfm_segment(r, f),
        }

    return shop.cached("rfm", build)


class NoArgs(BaseModel):
    pass


def rfm_segments(shop: Shop, _s: Session, _a: NoArgs) -> dict[str, Any]:
    t = _rfm(shop)
    rows = []
    for name in segments.SEGMENTS:
        mask = t["segment"] == name
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
    return {"as_of": shop.today.isoformat(), "customers": int(t["customer"].size), "segments": rows}


class LapsingArgs(BaseModel):
    limit: int = Field(10, ge=1, le=100, description="how many customers to list")


def lapsing_customers(shop: Shop, _s: Session, a: LapsingArgs) -> dict[str, Any]:
    """Valuable customers who have gone quiet: the 'at_risk' RFM segment, highest spend first."""
    t = _rfm(shop)
    v = _clv(shop)
    alive = v["p_alive"][np.searchsorted(v["customer"], t["customer"])]
    idx = np.flatnonzero(t["segment"] == "at_risk")
    idx = idx[np.argsort(-t["monetary"][idx])][: a.limit]
    return {
        "as_of": shop.today.isoformat(),
        "at_risk_total": int((t["segment"] == "at_risk").sum()),
        "rule": "ordered often before (F score 3-5) but not recently (R score 1-2)",
        "p_alive_note": "BG/NBD probability of still being active; 1.0 for customers with no repeat "
        "purchase day, whom the model cannot see drop out",
        "customers": [
            {
                "customer_id": int(t["customer"][i]),
                "days_since_last_order": int(t["recency"][i]),
                "orders": int(t["frequency"][i]),
                "revenue": round(float(t["monetary"][i]), 2),
                "p_alive": round(float(alive[i]), 3),
            }
            for i in idx
        ],
    }


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


def customer_lifetime_value(shop: Shop, _s: Session, a: ValueArgs) -> dict[str, Any]:
    """The customers expected to be worth most over the next year (BG/NBD x Gamma-Gamma)."""
    v = _clv(shop)
    top = np.argsort(-v["clv_52w"])[: a.limit]
    return {
        "as_of": shop.today.isoformat(),
        "model": "BG/NBD (purchases, P(alive)) x Gamma-Gamma (spend), 52 weeks, 10% a year discount",
        "fit": {
            **{k: round(val, 4) for k, val in v["bgnbd"].as_dict().items() if k != "loglik"},
            "p": round(v["gg"].p, 3),
            "q": round(v["gg"].q, 3),
            "gamma": round(v["gg"].gamma, 2),
        },
        "total_clv_52w": round(float(v["clv_52w"].sum()), 2),
        "customers": [
            {
                "customer_id": int(v["customer"][i]),
                "clv_52w": round(float(v["clv_52w"][i]), 2),
                "expected_purchases_52w": round(float(v["expected_52w"][i]), 2),
                "p_alive": round(float(v["p_alive"][i]), 3),
            }
            for i in top
        ],
    }


class CustomerArgs(BaseModel):
    customer_id: int = Field(..., ge=1, le=10**9, description="the customer's id, e.g. 12347")


def customer_profile(shop: Shop, session: Session, a: CustomerArgs) -> dict[str, Any]:
    cust = get_customer(session, a.customer_id)
    t = _rfm(shop)
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
        "top_products": [{"product_id": int(p), "description": names.get(int(p), "")} for p in top],
    }


class SimilarArgs(BaseModel):
    product_id: int | None = Field(None, ge=1, le=10**7, description="find products like this one")
    query: str | None = Field(None, min_length=2, max_length=200, description="or like this text")
    k: int = Field(5, ge=1, le=50)


def similar_products(shop: Shop, session: Session, a: SimilarArgs) -> dict[str, Any]:
    if a.product_id is None and not a.query:
        raise ToolFailure("give a product id or a text to search the catalog for")
    if a.product_id is not None:
        p = get_product(session, a.product_id)
        found = _vector_similar(shop.chroma, p.description, a.k, exclude=p.id)
        return {"product_id": p.id, "description": p.description, "similar": found}
    return {"query": a.query, "similar": _vector_similar(shop.chroma, a.query or "", a.k)}


class RecommendArgs(BaseModel):
    customer_id: int = Field(..., ge=1, le=10**9)
    k: int = Field(5, ge=1, le=50)


def _similarity(shop: Shop) -> Any:
    def build() -> Any:
        s = shop.sales
        return recall.cooccurrence_similarity(s.order, s.product, int(s.product.max()) + 1)

    return shop.cached("cooccurrence", build)


def recommend_products(shop: Shop, session: Session, a: RecommendArgs) -> dict[str, Any]:
    get_customer(session, a.customer_id)
    s = shop.sales
    sim = _similarity(shop)
    mine = s.customer == a.customer_id
    history = np.unique(s.product[mine])
    scores = recall.item_to_item_scores(sim, history)
    scores[history] = 0.0
    candidates = recall.top_k(scores, 100)
    candidates = candidates[scores[candidates] > 0]
    popularity = shop.cached("popularity", lambda: np.bincount(s.product, minlength=sim.shape[0]))
    rows = dict(session.execute(select(Product.id, Product.price).where(Product.id.in_(candidates.tolist()))).all())
    prices = np.array([rows.get(int(c), 0.0) for c in candidates])
    order, rank_score = recall.rank_candidates(
        scores[candidates], popularity[candidates], prices, float(np.median(s.price[mine]))
    )
    chosen = candidates[order][: a.k]
    names = dict(session.execute(select(Product.id, Product.description).where(Product.id.in_(chosen.tolist()))).all())
    return {
        "customer_id": a.customer_id,
        "method": "item-to-item co-purchase recall (100 candidates), then a linear ranking",
        "products_bought": int(history.size),
        "recommendations": [
            {"product_id": int(c), "description": names[int(c)], "score": round(float(sc), 3)}
            for c, sc in zip(chosen, rank_score[: a.k], strict=True)
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
        "Valuable customers who are about to lapse (at-risk RFM segment).",
        LapsingArgs,
        lapsing_customers,
        AGENT,
    ),
    ToolSpec(
        "customer_lifetime_value",
        "The customers expected to be worth most over the next year, with their probability of still "
        "being active (BG/NBD and Gamma-Gamma fitted on the shop).",
        ValueArgs,
        customer_lifetime_value,
        AGENT,
    ),
    ToolSpec(
        "customer_profile",
        "One customer's profile: orders, revenue, recency, segment, favourite products.",
        CustomerArgs,
        customer_profile,
        AGENT,
    ),
    ToolSpec(
        "similar_products",
        "Products similar to a product (by id) or to a text, from the catalog vector store.",
        SimilarArgs,
        similar_products,
        AGENT,
    ),
    ToolSpec(
        "recommend_products",
        "Products to recommend to a customer: co-purchase recall then ranking.",
        RecommendArgs,
        recommend_products,
        AGENT,
    ),
]
