"""retention_projection through its ToolSpec: a handwritten cohort whose lapses are known, the tiny
shop (too small to fit), and the demo shop."""

import numpy as np
import pytest

from copilot.attachments import check_series
from engine import retention
from offline.wording import FORMATTERS, format_result
from tests.tools.test_tools import call
from tools import TOOLS, ToolFailure

HEADER = "InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID,Country\n"
LAPSES = {1: 10, 2: 6, 3: 4, 4: 3, 5: 2, 6: 2, 7: 1, 8: 1}  # customers lapsing in each month after January
STAYING = 11  # order every month to the end of the data
SURVIVORS = [40, 30, 24, 20, 17, 15, 13, 12, 11]  # January's 40, then those left after months 1..8


def _cohort_csv() -> str:
    """40 customers first ordering in January 2011: one lapsing in month L orders each month before L
    (on the 10th), then stops; one of those lapsing at once comes back in June. Two customers of
    December 2010 come first; the data end on 2011-12-09."""
    rows: list[tuple[int, str]] = [(90001, "2010-12-05"), (90002, "2010-12-05")]
    ids = iter(range(10001, 10100))
    for lapse, count in LAPSES.items():
        for i in range(count):
            cid = next(ids)
            rows += [(cid, f"2011-{m:02d}-10") for m in range(1, lapse + 1)]
            if lapse == 1 and i == 0:
                rows.append((cid, "2011-06-10"))  # back after a lapse: still counted as lapsed
    for _ in range(STAYING):
        cid = next(ids)
        rows += [(cid, f"2011-{m:02d}-10") for m in range(1, 12)] + [(cid, "2011-12-09")]
    return HEADER + "".join(
        f"{600000 + n},85123A,WHITE HANGING HEART T-LIGHT HOLDER,1,{day} 10:00:00,2.55,{cid}.0,United Kingdom\n"
        for n, (cid, day) in enumerate(rows)
    )


@pytest.fixture(scope="module")
def cohort_shop(tmp_path_factory: pytest.TempPathFactory):
    """Read-only: the tests share one."""
    from store.db import make_engine, make_sessionmaker
    from store.shop import load_demo_shop
    from tools import Shop

    tmp_path = tmp_path_factory.mktemp("cohort")
    path = tmp_path / "cohort.csv"
    path.write_text(_cohort_csv())
    shop = Shop(make_sessionmaker(make_engine(f"sqlite:///{tmp_path / 'shop.db'}")), tmp_path / "chroma")
    load_demo_shop(shop.sessions, shop.chroma, path=path)
    return shop


def test_the_lapse_rule_and_the_fit_on_a_known_cohort(cohort_shop):
    r = call(cohort_shop, "retention_projection")
    assert (r["cohort"], r["cohort_size"], r["months_observed"]) == ("2011-01", 40, 8)
    assert r["observed_through"] == "2011-09" and r["last_full_month"] == "2011-11" and r["part_month_unused"]
    assert [m["observed_customers"] for m in r["months"][:8]] == SURVIVORS[1:]
    assert all(m["observed_pct"] is None for m in r["months"][8:]) and len(r["months"]) == 12
    fit = retention.fit_sbg(np.array(SURVIVORS))
    assert (r["alpha"], r["beta"]) == (round(fit.alpha, 3), round(fit.beta, 3))
    share = float(retention.survival(fit.alpha, fit.beta, 12))
    assert r["horizon_month"] == "2012-01" and r["still_buying"] == round(40 * share)
    assert r["still_buying_pct"] == round(100 * share, 1) and r["observed_at_horizon_pct"] is None
    assert r["lapse_months"] == 3 and "3 calendar months in a row" in r["definition"]
    assert not r["includes_earlier_customers"] and not r["demo_data"]
    assert any("the data end on 2011-12-09" in c for c in r["caveats"])
    assert [o["lapse_months"] for o in r["other_rules"]] == [2, 4, 5, 6]
    early = retention.fit_sbg(np.array(SURVIVORS[:5]))  # the hold-out check: months 1..4 fitted, month 8 predicted
    assert r["backtest"] == {
        "fitted_months": 4,
        "month": "2011-09",
        "predicted_pct": round(100 * float(retention.survival(early.alpha, early.beta, 8)), 1),
        "observed_pct": 27.5,
    }
    assert call(cohort_shop, "retention_projection", lapse_months=6)["backtest"] is None  # 5 months: too few


def test_the_series_is_observed_and_fitted_share_by_month(cohort_shop):
    r = call(cohort_shop, "retention_projection", months_ahead=6)
    s = check_series(r["series"])
    assert s is not None and s["x"][0] == "2011-01" and s["x"][-1] == "2011-09"  # 8 months seen, past the horizon
    assert s["lines"]["observed"] == [round(100 * n / 40, 1) for n in SURVIVORS]
    assert s["lines"]["sBG fitted and projected"][0] == 100.0
    assert r["observed_at_horizon"] == SURVIVORS[6] and r["observed_at_horizon_pct"] == round(100 * 13 / 40, 1)


@pytest.mark.parametrize("said", ["2011-01", "2011/1", "Jan", "January 2011", "一月", "2011年1月"])
def test_a_cohort_is_read_however_the_month_is_written(cohort_shop, said):
    assert call(cohort_shop, "retention_projection", cohort=said)["cohort"] == "2011-01"


def test_a_longer_lapse_rule_sees_fewer_months(cohort_shop):
    r = call(cohort_shop, "retention_projection", lapse_months=6)
    three = call(cohort_shop, "retention_projection")
    assert r["months_observed"] == 5 and r["observed_through"] == "2011-06"
    assert {
        "lapse_months": 3,
        "still_buying": three["still_buying"],
        "still_buying_pct": three["still_buying_pct"],
    } in r["other_rules"]


@pytest.mark.parametrize(
    ("cohort", "message"),
    [
        ("2012-05", "no cohort '2012-05' in the shop's orders; the cohorts are 2011-01 ("),
        ("last spring", "no cohort 'last spring'"),
        ("2010-12", "cohort 2010-12 has 2 new customers (fewer than 30), too little to fit; the cohorts are 2011-01"),
        ("2011-12", "no cohort '2011-12'"),  # no new customers that month
    ],
)
def test_a_bad_cohort_is_one_line_listing_the_cohorts(cohort_shop, cohort, message):
    with pytest.raises(ToolFailure) as err:
        call(cohort_shop, "retention_projection", cohort=cohort)
    assert str(err.value).startswith(message) and "\n" not in str(err.value)


def test_the_tiny_shop_has_no_cohort_large_enough(tiny_shop):
    with pytest.raises(ToolFailure, match=r"no cohort '2011-01' .* the cohorts are none yet") as err:
        call(tiny_shop, "retention_projection")
    assert "\n" not in str(err.value)
    with pytest.raises(ToolFailure, match="cohort 2010-12 has 1 new customer \\(fewer than 30\\)"):
        call(tiny_shop, "retention_projection", cohort="2010-12")


def test_the_answer_says_the_figure_first_then_the_fit_then_the_definition(cohort_shop):
    assert "retention_projection" in FORMATTERS and TOOLS["retention_projection"].agent == "profiling"
    r = call(cohort_shop, "retention_projection")
    en = format_result("retention_projection", r, zh=False)
    first, fit, rest = en.split("\n")
    assert first == (
        f"About {r['still_buying']} of the 40 customers whose first order was in 2011-01 "
        f"({r['still_buying_pct']:g}%) are projected to still be buying in 2012-01, 12 months on."
    )
    assert f"alpha {r['alpha']:g}" in fit and "2011-02 75% vs" in fit and "Projected:" in fit
    assert "Check: fitted on months 1 to 4 only" in fit and "27.5% were observed" in fit
    assert rest.startswith("Definition: a customer is still buying") and "the shop's own orders" in rest
    zh = format_result("retention_projection", r, zh=True)
    assert zh.startswith(
        f"2011-01 首次下单的 40 位新客中，预计到 2012-01（12 个月后）仍在购买的约 {r['still_buying']} 位"
    )
    assert "连续 3 个自然月没有下单" in zh and "店铺自己的订单" in zh
    seen = format_result("retention_projection", call(cohort_shop, "retention_projection", months_ahead=6), zh=False)
    assert seen.startswith(
        "13 of the 40 customers whose first order was in 2011-01 (32.5%) were still buying in 2011-07"
    )


def test_the_demo_shop_january_cohort(demo_home):
    from copilot.app import Copilot
    from copilot.settings import Settings

    cp = Copilot(Settings(home=demo_home))
    try:
        spec = TOOLS["retention_projection"]
        with cp.sessions() as s:
            r = spec.fn(cp.shop, s, spec.args())
    finally:
        cp.close()
    assert (r["cohort"], r["cohort_size"], r["months_observed"], r["observed_through"]) == (
        "2011-01",
        414,
        8,
        "2011-09",
    )
    assert [m["observed_customers"] for m in r["months"][:8]] == [202, 186, 163, 134, 113, 98, 91, 83]
    assert (r["alpha"], r["beta"]) == pytest.approx((0.447, 0.46), abs=0.002)
    assert r["still_buying"] == pytest.approx(75, abs=1) and r["largest_gap_pp"] < 8
    assert r["demo_data"] and r["data"].startswith("UCI Online Retail")
    assert r["backtest"] == {"fitted_months": 4, "month": "2011-09", "predicted_pct": 27.0, "observed_pct": 20.0}
    assert format_result("retention_projection", r, zh=False).startswith("About 75 of the 414 customers")
