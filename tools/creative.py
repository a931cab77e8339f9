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
from tools.base import ProductId, Shop, ToolSpec, get_product, units_sold
from tools.copywriter import (
    PLATFORMS,
    Facts,
    Platform,
    Tone,
    audience_segment,
    clean_audience,
    clean_description,
    compose,
    lengths,
)
from vectorstore.glossary import glossary

AGENT = "creative"


class ProductArgs(BaseModel):
    product_id: ProductId


def selling_points(shop: Shop, session: Session, a: ProductArgs) -> dict[str, Any]:
    p = get_product(session, a.product_id)
    s = shop.sales
    mask = s.product == p.id
    units = int(s.quantity[mask].sum())
    # orders per buyer (distinct invoices, not order lines: two lines of one order are one purchase)
    pairs = np.unique(np.stack([s.customer[mask], s.order[mask]]), axis=1)
    buyers, per_buyer = np.unique(pairs[0], return_counts=True)
    units_by_product = units_sold(shop)
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
        points.append(f"{round(100 * float((per_buyer > 1).mean()))}% of buyers ordered it again")
    return {
        "product_id": p.id,
        "description": p.description,
        "name_zh": glossary().chinese_name(p.description),
        "price": p.price,
        "units_sold": units,
        "customers": int(buyers.size),
        "repeat_buyer_pct": round(100 * float((per_buyer > 1).mean()), 1) if buyers.size else 0.0,
        "best_seller_rank": rank,
        "products_ranked": int(units_by_product.size - 1),
        "best_month": best_month,
        "countries": len(countries),
        "selling_points": points,
    }


class HeadlineArgs(BaseModel):
    product_id: ProductId
    audience: str = Field(
        "shoppers",
        max_length=80,
        description="who the copy speaks to: new, lapsed or vip customers, or free text (e.g. young parents)",
    )
    n: int = Field(3, ge=1, le=10, description="how many headlines (variants)")
    language: Literal["en", "zh"] = "en"
    platform: Platform = Field(
        "none",
        description="where the ad runs, which sets its fields and limits: google_rsa (headline 30, description 90; "
        "a Chinese character counts 2), meta (headline 40, primary text 125), wechat_moments (text 40), "
        "xiaohongshu (title 20, body 1000), none",
    )
    tone: Tone = Field("none", description="playful, premium, urgent, warm or none")
    occasion: str | None = Field(
        None,
        max_length=40,
        description="an occasion the copy names: Christmas, Valentine's Day, Black Friday, Mother's Day, Father's Day, "
        "Halloween, Easter, New Year (圣诞, 情人节, 黑五, 双十一, 母亲节, 春节, ...)",
    )
    shorter: bool = Field(
        False,
        description="shorter copy (make them shorter, 短一点): every field within three quarters of the longest it "
        "runs in the copy written without it, and within the platform's limit",
    )


def compose_headlines(shop: Shop, session: Session, a: HeadlineArgs) -> dict[str, Any]:
    """Copy from the product's real attributes only, for the platform's fields and limits, in the
    tone asked for; every variant fits the limits and passes the compliance check, and the set is
    chosen to be distinct (distinct-2)."""
    sp = selling_points(shop, session, ProductArgs(product_id=a.product_id))
    facts = Facts(
        product_id=sp["product_id"],
        description=clean_description(sp["description"]),
        price=sp["price"],
        units_sold=sp["units_sold"],
        customers=sp["customers"],
        repeat_pct=sp["repeat_buyer_pct"],
        best_month=sp["best_month"],
        countries=sp["countries"],
        rank=sp["best_seller_rank"],
    )
    segment = audience_segment(a.audience)
    audience = None if segment else clean_audience(a.audience, a.language)
    out = compose(
        facts,
        n=a.n,
        language=a.language,
        platform=a.platform,
        tone=a.tone,
        audience=audience,
        segment=segment,
        occasion=a.occasion,
        shorter=a.shorter,
    )
    spec = PLATFORMS[a.platform]
    main = spec.slots[0].name
    headlines = []
    for v in out.variants:
        text = str(v[main])
        headlines.append(
            {
                "text": text,
                "parts": v,
                "chars": lengths(v, a.platform),
                "compliant": True,  # every part passed check_copy when it was chosen
                "flags": [],
            }
        )
    name = facts.name_zh if a.language == "zh" else facts.name_en
    result: dict[str, Any] = {
        "product_id": sp["product_id"],
        "audience": a.audience,
        "segment": segment,
        "language": a.language,
        "platform": a.platform,
        "tone": a.tone,
        "occasion": a.occasion,
        "shorter": a.shorter,
        "name": name.full,
        "limits": out.limits,
        "counting": spec.counting,
        "source": "composed from the product's catalog and sales facts",
        "headlines": headlines,
        "distinct_2": out.distinct_2,
        "requested": a.n,
        "returned": len(headlines),
    }
    if len(headlines) < a.n:
        why = (
            "the product's facts do not make more distinct ones"
            if out.dropped.get("too_alike")
            else f"no more fit the {a.platform} limits and pass the compliance check"
        )
        result["note"] = f"only {len(headlines)} of {a.n} variants: {why}"
    return result


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
