"""The pricing tools on a synthetic shop: a product with pure tier pricing is refused with its tiers,
a product whose price really changed gets its elasticity back and a supportable price; and product 20
of the demo shop, whose cheaper prices are bulk tiers, gets no recommended price."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pytest

from copilot.app import Copilot
from copilot.settings import Settings
from offline import wording
from tests.engine.test_price_evidence import changing_product, tiered_product
from tests.tools.test_tools import call

HEADER = "InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID,Country\n"
MONDAY = dt.datetime(2011, 1, 3, 10, 0)


def _rows(code: str, description: str, d: dict[str, np.ndarray], invoice: np.ndarray) -> list[str]:
    """CSV lines in the UCI format; line i goes in invoice[i], dated on the Monday of its week."""
    rows = []
    for i, (w, q, p, c) in enumerate(zip(d["week"], d["quantity"], d["price"], d["customer"], strict=True)):
        when = MONDAY + dt.timedelta(days=7 * int(w))
        rows.append(
            f"{invoice[i]},{code},{description},{int(q)},{when:%Y-%m-%d %H:%M:%S},{p:.2f},{12000 + int(c)}.0,"
            "United Kingdom"
        )
    return rows


def _within_orders_of(d: dict[str, np.ndarray], orders: dict[str, np.ndarray]) -> np.ndarray:
    """An invoice for each of d's lines among the given orders of the same week (adds no orders)."""
    firsts = np.searchsorted(orders["week"], d["week"])
    return orders["invoice"][firsts + np.arange(d["week"].size) % 3]


@pytest.fixture(scope="module")
def pricing_shop(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    """Three products: 1 a background seller whose orders follow the season (the shop's traffic),
    2 the tiered product, 3 the product whose list price changed (elasticity -2.5)."""
    from store.db import make_engine, make_sessionmaker
    from store.shop import load_demo_shop
    from tools import Shop

    tmp = tmp_path_factory.mktemp("pricing")
    change = changing_product(elasticity=-2.5)
    weeks, traffic = change["traffic"]
    orders = np.rint(traffic / 20).astype(int)
    background = {
        "week": np.repeat(weeks, orders),
        "quantity": np.full(orders.sum(), 2.0),
        "price": np.full(orders.sum(), 1.00),
        "customer": np.arange(orders.sum()) % 500,
    }
    background["invoice"] = 500000 + np.arange(orders.sum())
    rows = _rows("10001", "BACKGROUND MUG", background, background["invoice"])
    # the tiered product rides in the background's orders, so the shop's traffic is the season alone
    tiered = tiered_product()
    inv = _within_orders_of(tiered, background)
    tiered["customer"] = background["customer"][inv - 500000]  # an invoice has one customer
    rows += _rows("20020", "TIERED PARASOL", tiered, inv)
    rows += _rows("30030", "CHANGING LANTERN", change, 700000 + np.arange(change["week"].size))
    csv = tmp / "shop.csv"
    csv.write_text(HEADER + "\n".join(rows) + "\n")
    shop = Shop(make_sessionmaker(make_engine(f"sqlite:///{tmp / 'shop.db'}")), tmp / "chroma")
    load_demo_shop(shop.sessions, shop.chroma, path=csv)
    return shop


def test_pure_tier_pricing_is_refused_with_the_tiers(pricing_shop):
    opt = call(pricing_shop, "optimal_price", product_id=2, unit_cost=2.10)
    assert opt["recommended_price"] is None and opt["reason"] == "tier_pricing_only"
    assert "bulk-order tiers" in opt["refused"] and "A/B price test" in opt["refused"]
    assert [t["price"] for t in opt["tiers"]] == [5.95, 4.95]
    assert opt["tiers"][1]["typical_quantity"] >= 60 and 0 < opt["tiers"][1]["share_of_units"] < 1
    assert opt["elasticity"] is None and opt["price_changes"] == [] and opt["tier_pricing"] is True
    el = call(pricing_shop, "price_elasticity", product_id=2)
    assert el["credible"] is False and el["reason"] == "tier_pricing_only" and el["elasticity"] is None
    assert "order-size bands" in el["method"]
    disc = call(pricing_shop, "discount_effect", product_id=2, discount_pct=10)
    assert disc["demand_estimated"] is False and disc["new_quantity"] is None and disc["new_price"] == 5.36
    assert disc["reason"] == "tier_pricing_only"
    with pricing_shop.sessions() as s:
        from tools import TOOLS

        spec = TOOLS["set_product_price"]
        preview = spec.preview(pricing_shop, s, spec.args(product_id=2, price=5.49))  # type: ignore[misc]
    assert preview["demand_reason"] == "tier_pricing_only" and "expected_units_change_pct" not in preview


def test_the_answer_quotes_the_tiers_in_english_and_chinese(pricing_shop):
    opt = call(pricing_shop, "optimal_price", product_id=2, unit_cost=2.10)
    en = wording.format_result("optimal_price", opt, zh=False)
    zh = wording.format_result("optimal_price", opt, zh=True)
    assert "never changed for the same order size" in en and "bulk-order tiers" in en
    assert "£5.95" in en and "£4.95" in en and "A/B price test" in en
    assert "阶梯价" in zh and "£5.95" in zh and "A/B 价格测试" in zh


def test_real_price_changes_give_the_elasticity_and_a_supportable_price(pricing_shop):
    el = call(pricing_shop, "price_elasticity", product_id=3)
    assert el["credible"] is True and el["reason"] is None
    assert el["elasticity"] == pytest.approx(-2.5, abs=0.35) and el["ci_low"] < -2.5 < el["ci_high"]
    assert {c["band"] for c in el["price_changes"]} == {"1-2 units per line", "3-5 units per line"}
    assert el["prices_seen"] == [1.8, 2.4]
    opt = call(pricing_shop, "optimal_price", product_id=3, unit_cost=1.2)
    assert opt["reason"] is None and opt["refused"] is None
    assert 1.8 * 0.9 <= opt["recommended_price"] <= 2.4 * 1.1
    assert opt["recommended_price"] == pytest.approx(1.2 * 2.5 / 1.5, rel=0.1)
    lo, hi = opt["price_range_95"]
    assert lo <= opt["recommended_price"] <= hi
    assert "learned from price changes at like order sizes" in wording.format_result("optimal_price", opt, zh=False)
    disc = call(pricing_shop, "discount_effect", product_id=3, discount_pct=10)
    assert disc["demand_estimated"] is True and disc["quantity_change_pct"] > 0


def test_a_price_far_outside_the_prices_seen_is_refused(pricing_shop):
    opt = call(pricing_shop, "optimal_price", product_id=3, unit_cost=0.5)  # points to about £0.83
    assert opt["recommended_price"] is None and opt["reason"] == "outside_prices_seen"
    assert opt["unsupported_price"] < 1.8 * 0.9 and opt["elasticity"] is not None
    assert "far below" in wording.format_result("optimal_price", opt, zh=False)
    assert "远低于" in wording.format_result("optimal_price", opt, zh=True)


def test_demo_product_20_gets_no_recommended_price(demo_home: Path) -> None:
    """Product 20 (EDWARDIAN PARASOL NATURAL) sells at £5.95 on small lines and £4.95 on lines of about
    60 in the same weeks; its price never changed for the same order size, so no price is recommended
    (the old estimator said £2.60 at a unit cost of £2.10)."""
    cp = Copilot(Settings(home=demo_home))
    try:
        opt = call(cp.shop, "optimal_price", product_id=20, unit_cost=2.10)
        assert opt["recommended_price"] is None and opt["reason"] == "tier_pricing_only"
        tiers = {t["price"]: t for t in opt["tiers"]}
        assert tiers[5.95]["typical_quantity"] <= 5 and tiers[4.95]["typical_quantity"] >= 50
        assert opt["bigger_line_cheaper_pct"] > 90
    finally:
        cp.close()


def test_a_what_if_weighs_the_units_it_sells_a_week_now(demo_home: Path) -> None:
    """PARTY BUNTING (47566) sold far more in the spring than now: the what-if's weekly units are its
    last 12 calendar weeks' average, weeks without a sale counted, not an average of its selling days."""
    cp = Copilot(Settings(home=demo_home))
    try:
        r = call(cp.shop, "discount_effect", product_id="47566", change_by=0.5)
        s = cp.shop.sales
        today = np.datetime64(cp.shop.today.isoformat(), "D").astype(np.int64)
        recent = (s.product == r["product_id"]) & (s.day > today - 84)
        assert r["quantity"] == pytest.approx(float(s.quantity[recent].sum()) / 12, abs=0.01)
        assert r["per"] == "week" and r["baseline"] == "the last 12 weeks (2011-09-17 to 2011-12-09)"
        said = wording.discount_effect(r, zh=False)
        assert f"{r['quantity']} units a week over the last 12 weeks" in said and "today" not in said
    finally:
        cp.close()


@pytest.mark.parametrize(
    "reason",
    [
        "tier_pricing_only",
        "price_never_changed",
        "too_few_weeks",
        "elasticity_not_negative",
        "not_significant",
        "inelastic",
        "outside_prices_seen",
    ],
)
def test_every_refusal_is_worded_in_both_languages(reason):
    estimated = reason not in ("tier_pricing_only", "price_never_changed", "too_few_weeks")
    r = {
        "product_id": 7,
        "description": "A THING",
        "current_price": 2.0,
        "unit_cost": 1.0,
        "recommended_price": None,
        "reason": reason,
        "refused": "no price recommended",
        "elasticity": -1.4 if estimated else None,
        "ci_low": -2.0 if estimated else None,
        "ci_high": -0.8 if estimated else None,
        "tiers": [{"price": 2.0, "typical_quantity": 3.0, "share_of_units": 0.7, "lines": 50}],
        "price_changes": []
        if reason == "elasticity_not_negative"
        else [{"band": "1-2 units per line", "prices": [1.9, 2.0], "weeks": 30}],
        "prices_seen": [1.9, 2.0],
        "unsupported_price": 3.5,
    }
    for zh in (False, True):
        text = wording.format_result("optimal_price", r, zh=zh)
        assert "None" not in text and "()" not in text and "（）" not in text, text
        assert ("商品 7" if zh else "product 7") in text
