"""Pricing tools: a product's price elasticity from its own sales, the profit-maximising price,
the demand and profit effect of a discount, and changing a price (with approval).

The elasticity comes from price changes over time at like order sizes (engine/price_evidence.py):
bulk-order tier prices, which a wholesale shop charges in the same week as its list price, are not
price changes, and a product whose price never changed for the same order size gets no estimate and
no recommended price, with the reason and the tiers found."""

from __future__ import annotations

from typing import Annotated, Any

import numpy as np
from pydantic import AfterValidator, BaseModel, Field, field_validator, model_validator
from sqlalchemy.orm import Session

from engine import EngineError, price_evidence, pricing
from engine.price_evidence import PriceEvidence
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
MIN_SELLING_WEEKS = 3  # fewer weeks with sales than this: too thin to follow a price over time at all

METHOD = (
    "log-log fit of weekly units on the weekly price within order-size bands ("
    + ", ".join(price_evidence.band_label(i) for i in range(len(price_evidence.DEFAULT_BAND_EDGES)))
    + " units per line), one intercept per band, controlling for the shop's weekly orders, standard errors "
    "clustered by week; only bands whose price changed over time count (each price held 2+ selling weeks in a "
    "row, 3+ weeks in all, paid by 3+ customers, for the same order sizes), so bulk-order tier prices are not "
    "read as price changes"
)

# What each reason means for a marketer (the offline model words these itself, in English and Chinese).
_NO_ESTIMATE_TEXT = {
    price_evidence.TIER_PRICING_ONLY: "its price never changed for the same order size: its prices differ only by "
    "order size, as bulk-order tiers, so the data cannot say how demand would respond to a price change; test a price change "
    "(an A/B price test) first",
    price_evidence.PRICE_NEVER_CHANGED: "its price never changed for the same order size for long enough to learn "
    "from, so the data cannot say how demand would respond to a price change; test a price change (an A/B price "
    "test) first",
    price_evidence.TOO_FEW_WEEKS: "its price changed for like order sizes, but in too few weeks of sales to tell "
    "the effect of price from chance; test a price change (an A/B price test) first",
}


def _week(day: np.ndarray) -> np.ndarray:
    """Weeks starting on Monday (day 0, 1970-01-01, was a Thursday)."""
    return (np.asarray(day) + 3) // 7


def _weekly_orders(shop: Shop) -> tuple[np.ndarray, np.ndarray]:
    """The shop's orders per week (weeks in increasing order): its traffic, a control for seasons."""

    def build() -> tuple[np.ndarray, np.ndarray]:
        s = shop.sales
        _, first = np.unique(s.order, return_index=True)
        weeks, counts = np.unique(_week(s.day[first]), return_counts=True)
        return weeks, counts.astype(float)

    return shop.cached("pricing:weekly_orders", build)


def _evidence(shop: Shop, product_id: int) -> PriceEvidence:
    """What the product's sales say about its demand curve (kept per process: sales do not change)."""

    def build() -> PriceEvidence:
        s = shop.sales
        mask = s.product == product_id
        week = _week(s.day[mask])
        n_weeks = int(np.unique(week).size)
        if n_weeks < MIN_SELLING_WEEKS:
            raise ToolFailure(
                f"product {product_id}'s sales history is too thin to estimate elasticity: it sold in "
                f"{n_weeks} week{'s' if n_weeks != 1 else ''} (need {MIN_SELLING_WEEKS})"
            )
        weeks, orders = _weekly_orders(shop)
        own_weeks, own = np.unique(week[np.unique(s.order[mask], return_index=True)[1]], return_counts=True)
        traffic = orders.copy()
        traffic[np.searchsorted(weeks, own_weeks)] -= own  # other products' orders: not this product's own demand
        traffic = np.maximum(traffic, 1.0)
        try:
            return price_evidence.price_evidence(
                week, s.quantity[mask], s.price[mask], customer=s.customer[mask], traffic=(weeks, traffic)
            )
        except EngineError as exc:
            raise ToolFailure(
                f"product {product_id}'s sales history is too thin to estimate elasticity: {exc}"
            ) from exc

    return shop.cached(f"pricing:evidence:{product_id}", build)


_ESTIMATE_KEYS = ("elasticity", "std_error", "ci_low", "ci_high", "intercept", "r_squared", "n_obs", "n_prices")


def _reason(ev: PriceEvidence) -> tuple[str, str] | None:
    """Why this evidence cannot price the product, as (code, explanation), or None."""
    if ev.elasticity is None:
        assert ev.reason is not None
        return ev.reason, _NO_ESTIMATE_TEXT[ev.reason]
    return pricing.credibility_reason(ev.elasticity)


def _evidence_fields(ev: PriceEvidence) -> dict[str, Any]:
    """The estimate (its keys None when there is none) and where it came from: tiers, changes, prices seen."""
    est = ev.elasticity.as_dict() if ev.elasticity is not None else dict.fromkeys(_ESTIMATE_KEYS)
    out: dict[str, Any] = {k: (round(v, 3) if isinstance(v, float) else v) for k, v in est.items()}
    tt = ev.tier_test
    out.update(
        method=METHOD,
        tier_pricing=bool(ev.tiers),
        bigger_line_cheaper_pct=None if tt.bigger_cheaper is None else round(100 * tt.bigger_cheaper, 1),
        tiers=[
            {
                "price": t.price,
                "typical_quantity": t.typical_quantity,
                "share_of_units": round(t.share_of_units, 3),
                "lines": t.lines,
            }
            for t in ev.tiers
        ],
        price_changes=[
            {"band": f"{c.band} units per line", "prices": list(c.prices), "weeks": c.weeks} for c in ev.changes
        ],
        prices_seen=None if ev.price_low is None else [ev.price_low, ev.price_high],
        selling_weeks=ev.weeks,
    )
    return out


class ProductArgs(BaseModel):
    product_id: ProductId


def price_elasticity(shop: Shop, session: Session, a: ProductArgs) -> dict[str, Any]:
    p = get_product(session, a.product_id)
    ev = _evidence(shop, p.id)
    reason = _reason(ev)
    return {
        "product_id": p.id,
        "description": p.description,
        "price": p.price,
        **_evidence_fields(ev),
        "credible": reason is None,
        "caveat": None if reason is None else reason[1],
        "reason": None if reason is None else reason[0],
    }


class OptimalPriceArgs(BaseModel):
    product_id: ProductId
    unit_cost: float = Field(..., gt=0, le=1e6, description="what one unit costs the shop")


def optimal_price(shop: Shop, session: Session, a: OptimalPriceArgs) -> dict[str, Any]:
    p = get_product(session, a.product_id)
    ev = _evidence(shop, p.id)
    out: dict[str, Any] = {
        "product_id": p.id,
        "description": p.description,
        "current_price": p.price,
        "unit_cost": a.unit_cost,
        **_evidence_fields(ev),
        "recommended_price": None,
    }
    reason = _reason(ev)
    est = ev.elasticity
    if reason is None:
        assert est is not None and ev.price_low is not None and ev.price_high is not None
        best = pricing.optimal_price(est.elasticity, a.unit_cost)
        if not pricing.within_prices_seen(best, ev.price_low, ev.price_high):
            side = "below" if best < ev.price_low else "above"
            out["unsupported_price"] = round(best, 2)
            reason = (
                pricing.OUTSIDE_PRICES_SEEN,
                f"the estimate points to £{best:.2f}, far {side} the £{ev.price_low:.2f} to £{ev.price_high:.2f} "
                "it sold at for like order sizes; the data cannot vouch for a price it never tried, so test a "
                "step toward it first",
            )
    if reason is not None:
        out.update(refused=f"no price recommended: {reason[1]}", reason=reason[0])
        return out
    assert est is not None
    lo = pricing.optimal_price(min(est.ci_low, -1.0001), a.unit_cost)
    hi = pricing.optimal_price(est.ci_high, a.unit_cost)
    out.update(
        recommended_price=round(best, 2),
        price_range_95=[round(lo, 2), round(hi, 2)],
        markup_over_cost_pct=round(100 * (best / a.unit_cost - 1), 1),
        refused=None,
        reason=None,
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
    change_by: float | None = Field(
        None, ge=-1e4, le=1e4, description="or an amount off (negative, e.g. -0.30 for 30p off) or on today's price"
    )

    @model_validator(mode="after")
    def _one(self) -> DiscountArgs:
        if sum(v is not None for v in (self.discount_pct, self.new_price, self.change_by)) != 1:
            raise ValueError("give one of discount_pct, new_price or change_by")
        if self.change_by == 0:
            raise ValueError("a change of 0 changes nothing; give an amount off (-0.30) or on (0.50)")
        return self


def _demand_usable(ev: PriceEvidence) -> bool:
    """An estimate fit to say what a price does to units: negative with confidence (elastic or not)."""
    reason = _reason(ev)
    return ev.elasticity is not None and (reason is None or reason[0] == pricing.INELASTIC)


NEW_PRICE_OUTSIDE = "new_price_outside"  # discount_effect: the price asked about is beyond the prices seen


BASELINE_WEEKS = 12  # a price change is weighed against what the product sells a week now: its last 12 weeks


def _weekly_units(shop: Shop, product_id: int) -> tuple[float, str]:
    """The units the product sells a week now (the average of the shop's last BASELINE_WEEKS calendar
    weeks, weeks without a sale counting as none), and which weeks those are; a product that sold
    nothing then is read over every week since its first sale."""
    s = shop.sales
    mask = s.product == product_id
    today = int(np.datetime64(shop.today.isoformat(), "D").astype(np.int64))
    first = today - 7 * BASELINE_WEEKS + 1
    recent = float(s.quantity[mask & (s.day >= first)].sum())
    if recent > 0 or not mask.any():
        return recent / BASELINE_WEEKS, f"the last {BASELINE_WEEKS} weeks ({_iso(first)} to {_iso(today)})"
    since = int(s.day[mask].min())
    weeks = max(1.0, (today - since + 1) / 7)
    return float(s.quantity[mask].sum()) / weeks, (
        f"every week since its first sale ({_iso(since)} to {_iso(today)}; none in the last {BASELINE_WEEKS} weeks)"
    )


def _iso(day: int) -> str:
    return str(np.datetime64(day, "D"))


def discount_effect(shop: Shop, session: Session, a: DiscountArgs) -> dict[str, Any]:
    p = get_product(session, a.product_id)
    ev = _evidence(shop, p.id)
    weekly_units, baseline = _weekly_units(shop, p.id)
    if a.change_by is not None:
        if p.price + a.change_by <= 0:
            raise ToolFailure(f"£{-a.change_by:.2f} off £{p.price:.2f} leaves nothing; give a smaller amount off")
        a = a.model_copy(update={"change_by": None, "new_price": round(p.price + a.change_by, 2)})
    pct = a.discount_pct if a.discount_pct is not None else round(100 * (1 - (a.new_price or p.price) / p.price), 4)
    if pct == 0:
        raise ToolFailure(f"£{a.new_price:.2f} is product {p.id}'s price today; give a different price to compare")
    if not -100 <= pct < 90:
        raise ToolFailure(
            f"£{a.new_price:.2f} is a {-pct:+.0f}% change from £{p.price:.2f}; compare a price within -90% and +100%"
        )
    reason = _reason(ev)
    usable = _demand_usable(ev)
    elasticity = ev.elasticity.elasticity if ev.elasticity is not None else None
    target = p.price * (1 - pct / 100)
    lo, hi = ev.price_low, ev.price_high
    if usable and lo is not None and hi is not None and not pricing.within_prices_seen(target, lo, hi):
        usable = False  # no extrapolation: units at a price it never sold at are not the data's to say
        reason = (
            NEW_PRICE_OUTSIDE,
            f"£{target:.2f} is outside the £{lo:.2f} to £{hi:.2f} it sold at for like order sizes; the data "
            "cannot say what units would do there, so test a step toward it first",
        )
    used = elasticity if usable and elasticity is not None else 0.0
    eff = pricing.discount_effect(p.price, weekly_units, used, pct / 100, a.unit_cost)
    if not usable:  # the price side only: what units would do, the data cannot say
        eff.update(new_quantity=None, quantity_change_pct=None, new_revenue=None, new_profit=None)
    new_price = float(eff["new_price"] or 0.0)
    seen = ev.price_low is not None and ev.price_high is not None
    fields = _evidence_fields(ev)
    margins: dict[str, Any] = {}
    if a.unit_cost is not None:  # what the price does to each unit's margin, and the units that would make it up
        now, then = p.price - a.unit_cost, new_price - a.unit_cost
        margins = {"unit_margin": round(now, 2), "new_unit_margin": round(then, 2)}
        if now > 0 and then > 0:
            margins["break_even_units_change_pct"] = round(100 * (now / then - 1), 1)
    return {
        **margins,
        "product_id": p.id,
        "description": p.description,
        "discount_pct": pct,
        "elasticity": None if elasticity is None else round(elasticity, 3),
        "elasticity_credible": reason is None,
        "demand_estimated": usable,
        "reason": None if reason is None else reason[0],
        "caveat": None if reason is None else reason[1],
        **{
            k: fields[k]
            for k in ("method", "tier_pricing", "tiers", "price_changes", "prices_seen", "ci_low", "ci_high")
        },
        "within_prices_seen": seen and pricing.within_prices_seen(new_price, ev.price_low or 0.0, ev.price_high or 0.0),
        "per": "week",
        "baseline": baseline,  # which weeks the weekly units (quantity) are the average of
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


_NO_DEMAND_NOTE = {
    price_evidence.TIER_PRICING_ONLY: "its prices differ only by order size (bulk-order tiers) and its price never "
    "changed for the same order size",
    price_evidence.PRICE_NEVER_CHANGED: "its price never changed for the same order size",
    price_evidence.TOO_FEW_WEEKS: "too few weeks of sales at its changed prices",
}


def preview_price(shop: Shop, session: Session, a: SetPriceArgs) -> dict[str, Any]:
    """The change, and what the product's own elasticity says it does to weekly units (when the data
    can say: an estimate from like order sizes, negative with confidence, and a price near those seen)."""
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
    s = shop.sales
    sold_at = np.round(s.price[s.product == p.id], 2)
    if sold_at.size:
        lo, hi = float(sold_at.min()), float(sold_at.max())
        if not lo <= to <= hi:
            change["warnings"].append({"kind": "outside_sold_prices", "low": lo, "high": hi})
    try:
        ev = _evidence(shop, p.id)
    except ToolFailure:
        change.update(demand_note="too little sales history: no demand estimate", demand_reason="too_thin")
        return change
    reason = _reason(ev)
    if not _demand_usable(ev) or not p.price:
        code = reason[0] if reason is not None else "no_price"
        why = _NO_DEMAND_NOTE.get(code, reason[1] if reason is not None else "no price today")
        change.update(demand_note=f"no demand estimate: {why}", demand_reason=code)
    elif not pricing.within_prices_seen(to, ev.price_low or to, ev.price_high or to):
        change.update(
            demand_note=f"outside the prices it sold at for like order sizes ({ev.price_low:g} to {ev.price_high:g}): "
            "no demand estimate",
            demand_reason=pricing.OUTSIDE_PRICES_SEEN,
        )
    else:
        assert ev.elasticity is not None
        change["expected_units_change_pct"] = round(100 * ((to / p.price) ** ev.elasticity.elasticity - 1), 1)
    return change


def set_product_price(shop: Shop, session: Session, a: SetPriceArgs) -> dict[str, Any]:
    change = preview_price(shop, session, a)
    get_product(session, a.product_id).price = change["to"]
    return {**change, "applied": True}


TOOLS = [
    ToolSpec(
        "price_elasticity",
        "A product's price elasticity of demand from its own sales: price changes over time at like order "
        "sizes (log-log, with standard error and 95% interval); bulk-order tier prices are reported, not used.",
        ProductArgs,
        price_elasticity,
        AGENT,
    ),
    ToolSpec(
        "optimal_price",
        "The profit-maximising price of a product for a unit cost (refuses, with the reason, when its price "
        "never changed for like order sizes or the estimate is not credible or points outside the prices seen).",
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
