"""Pricing tools: a product's price elasticity from its own sales, the profit-maximising price,
the demand and profit effect of a discount, and changing a price (with approval)."""

from __future__ import annotations

from typing import Annotated, Any

import numpy as np
from pydantic import AfterValidator, BaseModel, Field, field_validator, model_validator
from sqlalchemy.orm import Session

from engine import EngineError, pricing
from tools.base import (
    ProductId,
    Shop,
    ToolFailure,
    ToolSpec,
    change_summary,
    exactly_one_value,
    get_product,
    new_value,
    pennies,
)

AGENT = "pricing"


def _daily_demand(shop: Shop, product_id: int) -> tuple[np.ndarray, np.ndarray]:
    """Units sold per (day, price) of one product: the observations of the demand curve."""
    s = shop.sales
    mask = s.product == product_id
    day, price, qty = s.day[mask], np.round(s.price[mask], 2), s.quantity[mask]
    keys, inv = np.unique(np.column_stack([day, price * 100]).astype(np.int64), axis=0, return_inverse=True)
    return keys[:, 1] / 100.0, np.bincount(inv.ravel(), weights=qty)


def _estimate(shop: Shop, product_id: int) -> pricing.Elasticity:
    prices, qty = _daily_demand(shop, product_id)
    try:
        return pricing.log_log_elasticity(prices, qty)
    except EngineError as exc:
        raise ToolFailure(f"product {product_id}'s sales history is too thin to estimate elasticity: {exc}") from exc


def _rounded(est: pricing.Elasticity) -> dict[str, Any]:
    return {k: (round(v, 3) if isinstance(v, float) else v) for k, v in est.as_dict().items()}


class ProductArgs(BaseModel):
    product_id: ProductId


def price_elasticity(shop: Shop, session: Session, a: ProductArgs) -> dict[str, Any]:
    p = get_product(session, a.product_id)
    est = _estimate(shop, p.id)
    problem = pricing.credibility_problem(est)
    return {
        "product_id": p.id,
        "description": p.description,
        "price": p.price,
        "method": "OLS of log(units per day at a price) on log(price)",
        **_rounded(est),
        "credible": problem is None,
        "caveat": problem,
    }


class OptimalPriceArgs(BaseModel):
    product_id: ProductId
    unit_cost: float = Field(..., gt=0, le=1e6, description="what one unit costs the shop")


def optimal_price(shop: Shop, session: Session, a: OptimalPriceArgs) -> dict[str, Any]:
    p = get_product(session, a.product_id)
    est = _estimate(shop, p.id)
    problem = pricing.credibility_problem(est)
    out: dict[str, Any] = {
        "product_id": p.id,
        "description": p.description,
        "current_price": p.price,
        "unit_cost": a.unit_cost,
        **_rounded(est),
    }
    if problem is not None:
        out.update(recommended_price=None, refused=f"no price recommended: {problem}")
        return out
    best = pricing.optimal_price(est.elasticity, a.unit_cost)
    lo = pricing.optimal_price(min(est.ci_low, -1.0001), a.unit_cost)
    hi = pricing.optimal_price(est.ci_high, a.unit_cost)
    out.update(
        recommended_price=round(best, 2),
        price_range_95=[round(lo, 2), round(hi, 2)],
        markup_over_cost_pct=round(100 * (best / a.unit_cost - 1), 1),
        refused=None,
    )
    return out


class DiscountArgs(BaseModel):
    product_id: ProductId
    discount_pct: float | None = Field(
        None, ge=-100, lt=90, description="the discount in percent, e.g. 10; negative for a price rise, e.g. -10"
    )

    @field_validator("discount_pct")
    @classmethod
    def _not_zero(cls, v: float | None) -> float | None:
        if v == 0:
            raise ValueError("a discount of 0% changes nothing; give a discount (10) or a price rise (-10)")
        return v

    unit_cost: float | None = Field(None, gt=0, le=1e6)
    new_price: float | None = Field(
        None, gt=0, le=1e4, description="or the price to compare with today's (what if it cost this)"
    )

    @model_validator(mode="after")
    def _one(self) -> DiscountArgs:
        if (self.discount_pct is None) == (self.new_price is None):
            raise ValueError("give a discount_pct or a new_price")
        return self


def discount_effect(shop: Shop, session: Session, a: DiscountArgs) -> dict[str, Any]:
    p = get_product(session, a.product_id)
    est = _estimate(shop, p.id)
    s = shop.sales
    mask = s.product == p.id
    days = max(1, int(np.unique(s.day[mask]).size))
    weekly_units = float(s.quantity[mask].sum()) / days * 7
    pct = a.discount_pct if a.discount_pct is not None else round(100 * (1 - (a.new_price or p.price) / p.price), 4)
    if pct == 0:
        raise ToolFailure(f"£{a.new_price:.2f} is product {p.id}'s price today; give a different price to compare")
    if not -100 <= pct < 90:
        raise ToolFailure(
            f"£{a.new_price:.2f} is a {-pct:+.0f}% change from £{p.price:.2f}; compare a price within -90% and +100%"
        )
    eff = pricing.discount_effect(p.price, weekly_units, est.elasticity, pct / 100, a.unit_cost)
    return {
        "product_id": p.id,
        "description": p.description,
        "discount_pct": pct,
        "elasticity": round(est.elasticity, 3),
        "elasticity_credible": pricing.credibility_problem(est) is None,
        "per": "week of selling days",
        **{k: (round(v, 2) if isinstance(v, float) else v) for k, v in eff.items()},
    }


MAX_PRICE = 10_000.0


class SetPriceArgs(BaseModel):
    product_id: ProductId
    price: Annotated[float | None, AfterValidator(pennies)] = Field(
        None, gt=0, le=MAX_PRICE, description="the new list price"
    )
    change_pct: float | None = Field(None, ge=-99, le=1000, description="or the change in percent of today's price")
    change_by: float | None = Field(
        None, ge=-MAX_PRICE, le=MAX_PRICE, description="or the amount to add (negative: take off)"
    )

    @model_validator(mode="after")
    def _one(self) -> SetPriceArgs:
        exactly_one_value(self, "price")
        return self


def resolve_price(_shop: Shop, session: Session, a: SetPriceArgs) -> SetPriceArgs:
    p = get_product(session, a.product_id)
    return SetPriceArgs(
        product_id=p.id,
        price=new_value(p.price, a, "price", maximum=MAX_PRICE, what="price"),
        change_pct=None,
        change_by=None,
    )


def preview_price(shop: Shop, session: Session, a: SetPriceArgs) -> dict[str, Any]:
    """The change, and what the product's own elasticity says it does to weekly units (when credible)."""
    p = get_product(session, a.product_id)
    to = new_value(p.price, a, "price", maximum=MAX_PRICE, what="price")
    change: dict[str, Any] = {
        "product_id": p.id,
        "name": p.description,
        "target": f"product {p.id} ({p.description})",
        "field": "price",
        "from": p.price,
        "to": to,
        **change_summary(p.price, to, a),
    }
    a = SetPriceArgs(product_id=p.id, price=to, change_pct=None, change_by=None)
    assert a.price is not None
    try:
        est = _estimate(shop, p.id)
    except ToolFailure:
        return change
    sold_at, _ = _daily_demand(shop, p.id)
    lo, hi = float(sold_at.min()), float(sold_at.max())
    if pricing.credibility_problem(est) is not None or not p.price:
        change["demand_note"] = "no credible elasticity for this product: no demand estimate"
    elif not lo <= a.price <= hi:
        change["demand_note"] = f"outside the prices it has sold at ({lo:g} to {hi:g}): no demand estimate"
        change["warnings"].append({"kind": "outside_sold_prices", "low": lo, "high": hi})
    else:
        change["expected_units_change_pct"] = round(100 * ((a.price / p.price) ** est.elasticity - 1), 1)
    return change


def set_product_price(shop: Shop, session: Session, a: SetPriceArgs) -> dict[str, Any]:
    change = preview_price(shop, session, a)
    get_product(session, a.product_id).price = change["to"]
    return {**change, "applied": True}


TOOLS = [
    ToolSpec(
        "price_elasticity",
        "A product's price elasticity of demand from its own sales (log-log "
        "regression with standard error and 95% interval).",
        ProductArgs,
        price_elasticity,
        AGENT,
    ),
    ToolSpec(
        "optimal_price",
        "The profit-maximising price of a product for a unit cost (refuses when "
        "the elasticity estimate is not credible).",
        OptimalPriceArgs,
        optimal_price,
        AGENT,
    ),
    ToolSpec(
        "discount_effect",
        "Demand, revenue and profit effect of a discount (or, negative, a price rise) on a product, or of a new price.",
        DiscountArgs,
        discount_effect,
        AGENT,
    ),
    ToolSpec(
        "set_product_price",
        "Change a product's list price (needs the marketer's approval): a new price, or a change in percent or by an amount.",
        SetPriceArgs,
        set_product_price,
        AGENT,
        write=True,
        preview=preview_price,
        resolve=resolve_price,
    ),
]
