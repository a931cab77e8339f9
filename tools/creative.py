"""Creative tools: a product's selling points from its description and sales, headlines composed
from those facts (never invented ones), and an advertising-compliance check (EN and ZH)."""

from __future__ import annotations

from typing import Any, Literal

import numpy as np
from pydantic import BaseModel, Field
from sqlalchemy import select
from sqlalchemy.orm import Session

from engine import stats
from engine.compliance import check_copy
from store.db import Customer
from tools.base import ProductId, Shop, ToolSpec, get_product

AGENT = "creative"


class ProductArgs(BaseModel):
    product_id: ProductId


def selling_points(shop: Shop, session: Session, a: ProductArgs) -> dict[str, Any]:
    p = get_product(session, a.product_id)
    s = shop.sales
    mask = s.product == p.id
    units = int(s.quantity[mask].sum())
    buyers, per_buyer = np.unique(s.customer[mask], return_counts=True)
    units_by_product = shop.cached("units_by_product", lambda: np.bincount(s.product, weights=s.quantity))
    rank = int((units_by_product > units).sum()) + 1
    months = stats.month_of(s.day[mask])
    best_month = (
        stats.MONTHS[int(np.bincount(months, weights=s.quantity[mask], minlength=12).argmax())] if units else None
    )
    countries = (
        session.execute(select(Customer.country).where(Customer.id.in_(buyers.tolist())).distinct()).scalars().all()
    )
    points = [f"{p.description.title()}", f"£{p.price:.2f}"]
    if units:
        points.append(f"{units:,} units sold to {buyers.size:,} customers")
        points.append(f"best-seller rank {rank:,} of {units_by_product.size - 1:,}")
    if buyers.size:
        points.append(f"{round(100 * float((per_buyer > 1).mean()))}% of buyers came back for more")
    return {
        "product_id": p.id,
        "description": p.description,
        "price": p.price,
        "units_sold": units,
        "customers": int(buyers.size),
        "repeat_buyer_pct": round(100 * float((per_buyer > 1).mean()), 1) if buyers.size else 0.0,
        "best_seller_rank": rank,
        "best_month": best_month,
        "countries": len(countries),
        "selling_points": points,
    }


class HeadlineArgs(BaseModel):
    product_id: ProductId
    audience: str = Field("shoppers", max_length=80, description="who the copy speaks to")
    n: int = Field(3, ge=1, le=10, description="how many headlines")
    language: Literal["en", "zh"] = "en"


def compose_headlines(shop: Shop, session: Session, a: HeadlineArgs) -> dict[str, Any]:
    """Headlines from the product's real attributes only; each one is compliance-checked."""
    sp = selling_points(shop, session, ProductArgs(product_id=a.product_id))
    name = sp["description"].title()
    price = f"£{sp['price']:.2f}"
    if a.language == "zh":
        templates = [
            f"{name}，仅需{price}",
            f"已售出{sp['units_sold']:,}件：{name}",
            f"{sp['repeat_buyer_pct']:.0f}%的买家再次购买：{name}",
            f"为{a.audience}挑选：{name}",
            f"{sp['countries']}个国家的顾客都在买{name}",
        ]
    else:
        templates = [
            f"{name}, just {price}",
            f"{sp['units_sold']:,} sold: meet the {name}",
            f"{sp['repeat_buyer_pct']:.0f}% of buyers come back for the {name}",
            f"For {a.audience}: the {name} at {price}",
            f"Loved in {sp['countries']} countries: {name}",
        ]
    headlines = []
    for text in templates[: a.n]:
        flags = [f.term for f in check_copy(text)]
        headlines.append({"text": text, "compliant": not flags, "flags": flags})
    return {
        "product_id": a.product_id,
        "audience": a.audience,
        "language": a.language,
        "source": "composed from the product's catalog and sales facts",
        "headlines": headlines,
    }


class ComplianceArgs(BaseModel):
    text: str = Field(..., min_length=1, max_length=5000, description="the ad copy to check")


def check_compliance(_shop: Shop, _s: Session, a: ComplianceArgs) -> dict[str, Any]:
    findings = check_copy(a.text)
    return {
        "text": a.text,
        "compliant": not findings,
        "findings": [{"rule": f.rule, "term": f.term, "language": f.language} for f in findings],
    }


TOOLS = [
    ToolSpec(
        "selling_points",
        "A product's selling points from its description and sales facts.",
        ProductArgs,
        selling_points,
        AGENT,
    ),
    ToolSpec(
        "compose_headlines",
        "Headlines for a product and audience, composed from its real attributes and compliance-checked.",
        HeadlineArgs,
        compose_headlines,
        AGENT,
    ),
    ToolSpec(
        "check_compliance",
        "Flag absolute, medical and (in Chinese) Advertising-Law-banned terms in ad copy.",
        ComplianceArgs,
        check_compliance,
        AGENT,
    ),
]
