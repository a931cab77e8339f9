"""Price elasticity (log-log regression), the profit-maximising price, and discount what-ifs."""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np

from engine import EngineError
from engine.regression import ols

DEFAULT_MIN_OBSERVATIONS = 20
DEFAULT_MIN_DISTINCT_PRICES = 2  # a step from one price to another, each held for a while, is enough
DEFAULT_CONFIDENCE = 0.95
DEFAULT_PRICE_SUPPORT = 0.10  # a recommended price may lie this far beyond the prices the estimate saw

# Why an estimate cannot price a product (machine-readable; the text beside each says it for people).
TOO_FEW_OBSERVATIONS = "too_few_observations"
ELASTICITY_NOT_NEGATIVE = "elasticity_not_negative"
NOT_SIGNIFICANT = "not_significant"
INELASTIC = "inelastic"
OUTSIDE_PRICES_SEEN = "outside_prices_seen"


@dataclass(frozen=True)
class Elasticity:
    """log(quantity) = intercept + elasticity * log(price), fitted by OLS."""

    elasticity: float
    std_error: float
    ci_low: float
    ci_high: float
    intercept: float
    r_squared: float
    n_obs: int
    n_prices: int

    def as_dict(self) -> dict[str, float | int]:
        return asdict(self)


def log_log_elasticity(
    prices: np.ndarray, quantities: np.ndarray, *, confidence: float = DEFAULT_CONFIDENCE
) -> Elasticity:
    """Fit log(q) ~ log(p); needs positive prices and quantities and at least two distinct prices."""
    p = np.asarray(prices, dtype=float)
    q = np.asarray(quantities, dtype=float)
    if p.shape != q.shape or p.ndim != 1:
        raise EngineError("prices and quantities must be 1-d arrays of the same length")
    if (p <= 0).any() or (q <= 0).any():
        raise EngineError("prices and quantities must be positive for a log-log fit")
    n_prices = int(np.unique(np.round(p, 4)).size)
    if p.size < 3 or n_prices < 2:
        raise EngineError("need at least 3 observations at 2 or more distinct prices")
    from scipy import special  # imported here: the CLI should not pay for it on every start

    fit = ols(np.column_stack([np.ones(p.size), np.log(p)]), np.log(q), ["(Intercept)", "log(price)"])
    intercept, beta = (float(c) for c in fit.coef)
    se = float(fit.std_error[1])
    t = float(special.stdtrit(fit.dof, 0.5 + confidence / 2))
    return Elasticity(beta, se, beta - t * se, beta + t * se, intercept, fit.r_squared, int(p.size), n_prices)


def credibility_reason(
    est: Elasticity,
    *,
    min_obs: int = DEFAULT_MIN_OBSERVATIONS,
    min_prices: int = DEFAULT_MIN_DISTINCT_PRICES,
) -> tuple[str, str] | None:
    """Why a price should not be recommended from this estimate, as (code, explanation), or None."""
    if est.n_obs < min_obs:
        return TOO_FEW_OBSERVATIONS, f"only {est.n_obs} observations (need {min_obs})"
    if est.n_prices < min_prices:
        return TOO_FEW_OBSERVATIONS, f"only {est.n_prices} distinct prices (need {min_prices})"
    if not np.isfinite(est.std_error):
        return NOT_SIGNIFICANT, "the standard error cannot be estimated"
    if est.elasticity >= 0:
        return ELASTICITY_NOT_NEGATIVE, (
            f"demand did not fall when the price rose (elasticity {est.elasticity:+.2f}): something other than "
            "price moved its sales"
        )
    if est.ci_high >= 0:
        return NOT_SIGNIFICANT, (
            f"the elasticity ({est.elasticity:.2f}) could be zero: its 95% interval reaches {est.ci_high:+.2f}"
        )
    if est.ci_high >= -1.0:
        return INELASTIC, (
            f"demand is not elastic with confidence (elasticity {est.elasticity:.2f}, "
            f"95% interval up to {est.ci_high:.2f}, which is not below -1)"
        )
    return None


def credibility_problem(
    est: Elasticity,
    *,
    min_obs: int = DEFAULT_MIN_OBSERVATIONS,
    min_prices: int = DEFAULT_MIN_DISTINCT_PRICES,
) -> str | None:
    """Why a price should not be recommended from this estimate, or None when it is credible."""
    reason = credibility_reason(est, min_obs=min_obs, min_prices=min_prices)
    return None if reason is None else reason[1]


def within_prices_seen(price: float, low: float, high: float, *, margin: float = DEFAULT_PRICE_SUPPORT) -> bool:
    """Whether the data can speak for a price: within the lowest and highest price seen, give or take margin."""
    if not 0 < low <= high:
        raise EngineError("the prices seen must be positive, low <= high")
    return low * (1 - margin) <= price <= high * (1 + margin)


def optimal_price(elasticity: float, unit_cost: float) -> float:
    """Profit-maximising price under constant elasticity: p* = c * e / (1 + e), for e < -1."""
    if unit_cost <= 0:
        raise EngineError("unit cost must be positive")
    if elasticity >= -1.0:
        raise EngineError("no finite profit-maximising price when elasticity is not below -1")
    return unit_cost * elasticity / (1.0 + elasticity)


def discount_effect(
    price: float,
    quantity: float,
    elasticity: float,
    discount: float,
    unit_cost: float | None = None,
) -> dict[str, float | None]:
    """Demand, revenue and (with a unit cost) profit before and after a fractional discount."""
    if price <= 0 or quantity < 0:
        raise EngineError("price must be positive and quantity non-negative")
    if not -1.0 <= discount < 1.0 or discount == 0.0:
        raise EngineError("discount must be between -1 and 1 and not 0 (0.1 is 10% off, -0.1 a 10% price rise)")
    new_price = price * (1.0 - discount)
    new_quantity = quantity * (1.0 - discount) ** elasticity
    out: dict[str, float | None] = {
        "price": price,
        "new_price": new_price,
        "quantity": quantity,
        "new_quantity": new_quantity,
        "quantity_change_pct": 100.0 * (new_quantity / quantity - 1.0) if quantity else 0.0,
        "revenue": price * quantity,
        "new_revenue": new_price * new_quantity,
        "profit": None,
        "new_profit": None,
    }
    if unit_cost is not None:
        out["profit"] = (price - unit_cost) * quantity
        out["new_profit"] = (new_price - unit_cost) * new_quantity
    return out
