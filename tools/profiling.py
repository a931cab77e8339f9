"""Profiling tools: RFM segments, lapsing customers, one customer's profile, similar products and
recommendations (item-to-item co-purchase recall, then a ranking)."""

from __future__ import annotations

from typing import Any

import numpy as np
from pydantic import BaseModel, Field
from sqlalchemy import select
from sqlalchemy.orm import Session

from engine import recall, segments
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
    idx = np.flatnonzero(t["segment"] == "at_risk")
    idx = idx[np.argsort(-t["monetary"][idx])][: a.limit]
    return {
        "as_of": shop.today.isoformat(),
        "at_risk_total": int((t["segment"] == "at_risk").sum()),
        "rule": "ordered often before (F score 3-5) but not recently (R score 1-2)",
        "customers": [
            {
                "customer_id": int(t["customer"][i]),
                "days_since_last_order": int(t["recency"][i]),
                "orders": int(t["frequency"][i]),
                "revenue": round(float(t["monetary"][i]), 2),
            }
            for i in idx
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
