"""Tier pricing on the demo shop: how often the old estimator recommended a price that the new one,
which learns only from price changes at like order sizes, refuses, and why.

The old estimator (before issue 9) fitted log(units per day at a price) on log(price) over all of a
product's lines, so a wholesale tier (£4.95 on lines of 60, £5.95 on lines of 3) read as a steep
demand curve; it recommended a price whenever its 95% interval lay below -1 (at least 20 day-price
observations at 3 or more prices). The new one is the `optimal_price` tool itself. A recommendation
depends on the unit cost only through the check that it stays near the prices seen; the unit cost is
taken as a share of each product's price (--cost-share, default 0.5). Products counted: those with
at least 20 day-price observations, the old estimator's own minimum.
Run: python -m evals.pricing_tiers [--cost-share 0.5] [--json]
"""

from __future__ import annotations

import argparse
import json
import time
from collections import Counter
from typing import Any

import numpy as np

from engine import EngineError, pricing
from tools import Shop, ToolFailure
from tools import pricing as pricing_tools

OLD_MIN_PRICES = 3  # the old credibility rule: 20 observations at 3 or more distinct prices


def old_estimate(shop: Shop, product_id: int) -> pricing.Elasticity | None:
    """The pre-issue-9 estimate: units per (day, price) over all lines, log-log OLS."""
    s = shop.sales
    mask = s.product == product_id
    day, price, qty = s.day[mask], np.round(s.price[mask], 2), s.quantity[mask]
    keys, inv = np.unique(np.column_stack([day, price * 100]).astype(np.int64), axis=0, return_inverse=True)
    try:
        return pricing.log_log_elasticity(keys[:, 1] / 100.0, np.bincount(inv.ravel(), weights=qty))
    except EngineError:
        return None


def measure(shop: Shop, *, cost_share: float = 0.5) -> dict[str, Any]:
    from store.db import Product

    counted, old_recommends, both = 0, 0, 0
    refused_now: Counter[str] = Counter()
    everywhere: Counter[str] = Counter()
    with shop.sessions() as session:
        products = {p.id: p.price for p in session.query(Product)}
        for pid in sorted(products):
            old = old_estimate(shop, pid)
            if old is None or old.n_obs < pricing.DEFAULT_MIN_OBSERVATIONS:
                continue
            counted += 1
            old_ok = pricing.credibility_problem(old, min_prices=OLD_MIN_PRICES) is None
            try:
                args = pricing_tools.OptimalPriceArgs(product_id=pid, unit_cost=cost_share * products[pid])
                new = pricing_tools.optimal_price(shop, session, args)
                reason = new["reason"] or "recommended"
            except ToolFailure:
                reason = "too_thin"
            everywhere[reason] += 1
            if old_ok:
                old_recommends += 1
                if reason == "recommended":
                    both += 1
                else:
                    refused_now[reason] += 1
    return {
        "products": counted,
        "cost_share": cost_share,
        "old_recommends": old_recommends,
        "new_recommends": everywhere["recommended"],
        "both_recommend": both,
        "old_recommends_new_refuses": sum(refused_now.values()),
        "refusal_reasons": dict(refused_now.most_common()),
        "new_outcomes_all_products": dict(everywhere.most_common()),
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--cost-share", type=float, default=0.5, help="unit cost as a share of the product's price")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    if not 0 < args.cost_share < 1:
        ap.error("--cost-share must be between 0 and 1 (0.5: the unit cost is half the price)")

    from copilot.app import Copilot

    cp = Copilot()
    t0 = time.perf_counter()
    try:
        res = measure(cp.shop, cost_share=args.cost_share)
    finally:
        cp.close()
    res["seconds"] = round(time.perf_counter() - t0, 1)
    if args.json:
        print(json.dumps(res))
        return
    print(
        f"{res['products']:,} products with 20+ day-price observations; unit cost {res['cost_share']:.0%} of price\n"
        f"old estimator recommends a price for {res['old_recommends']:,}; the new one for {res['new_recommends']:,} "
        f"({res['both_recommend']:,} of them both)\n"
        f"old recommends, new refuses: {res['old_recommends_new_refuses']:,}"
    )
    for reason, n in res["refusal_reasons"].items():
        print(f"  {reason:<24} {n:>5,}")
    print("new outcome, all counted products:")
    for reason, n in res["new_outcomes_all_products"].items():
        print(f"  {reason:<24} {n:>5,}")
    print(f"({res['seconds']} s)")


if __name__ == "__main__":
    main()
