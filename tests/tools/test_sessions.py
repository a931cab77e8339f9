"""The traffic tools through their ToolSpecs on the tiny shop: they read the project's copy of the
web_sessions set, so they work with no ../shared/data; their results are JSON and worded in both
languages."""

import json

import pytest

from offline.wording import FORMATTERS
from tools import TOOLS, ToolFailure, tools_for


def _call(shop, name, **kw):  # type: ignore[no-untyped-def]
    spec = TOOLS[name]
    with shop.sessions() as s:
        out = spec.fn(shop, s, spec.args(**kw))
    json.dumps(out)
    for zh in (False, True):
        text = FORMATTERS[name](out, zh)
        assert ("UCI Online Shoppers" in text) and (("95%" in text) or name == "purchase_intent"), text
    return out


def test_the_tools_belong_to_profiling():
    names = {t.name for t in tools_for("profiling")}
    assert {"traffic_conversion", "session_funnel", "purchase_intent"} <= names
    assert not any(TOOLS[n].write for n in ("traffic_conversion", "session_funnel", "purchase_intent"))


def test_traffic_conversion_by_traffic_type(tiny_shop):  # type: ignore[no-untyped-def]
    r = _call(tiny_shop, "traffic_conversion")
    assert (r["sessions"], r["purchases"], r["conversion_pct"]) == (12330, 1908, 15.47)
    assert r["groups"][0]["label"].startswith("traffic type ") and "coded" in r
    assert all(g["sessions"] >= 30 and g["ci95_pct"][0] <= g["conversion_pct"] <= g["ci95_pct"][1] for g in r["groups"])
    assert sum(g["sessions"] for g in r["groups"]) + sum(x["sessions"] for x in r["left_out"]) == 12330
    assert r["best"]["conversion_pct"] >= r["worst"]["conversion_pct"]
    assert "traffic type 2: 21.65% (95% interval 20.38-22.96%)" in FORMATTERS["traffic_conversion"](r, False)
    assert "流量类型 2" in FORMATTERS["traffic_conversion"](r, True)


def test_traffic_conversion_months_and_comparison(tiny_shop):  # type: ignore[no-untyped-def]
    r = _call(tiny_shop, "traffic_conversion", by="visitor_type", months=["November"], compare_months=["oct"])
    assert r["months"] == ["Nov"] and r["compare"]["compare_months"] == ["Oct"]
    c = r["compare"]
    assert c["change_pts"] == pytest.approx(r["conversion_pct"] - c["compare_conversion_pct"], abs=0.011)
    assert c["ci95_pts"][0] < c["change_pts"] < c["ci95_pts"][1]
    assert {g["label"] for g in c["groups"]} == {"new visitor", "returning visitor"}
    weekend = _call(tiny_shop, "traffic_conversion", by="weekend", months=["Nov", "12"])
    assert weekend["months"] == ["Nov", "Dec"] and {g["label"] for g in weekend["groups"]} == {"weekend", "weekday"}


@pytest.mark.parametrize(
    ("months", "said"),
    [
        (
            ["Jan"],
            "no sessions in Jan: its 10 months are Feb, Mar, May, Jun, Jul, Aug, Sep, Oct, Nov, Dec (no Jan or Apr)",
        ),
        (["april"], "no sessions in Apr"),
        (["Smarch"], "'Smarch' is not a month; the data's months are Feb, Mar, May, Jun"),
    ],
)
def test_months_the_data_lacks_are_refused_in_one_line(tiny_shop, months, said):  # type: ignore[no-untyped-def]
    spec = TOOLS["traffic_conversion"]
    with tiny_shop.sessions() as s, pytest.raises(ToolFailure) as err:
        spec.fn(tiny_shop, s, spec.args(months=months))
    assert said in str(err.value) and "\n" not in str(err.value)


def test_comparing_a_month_with_itself_is_refused(tiny_shop):  # type: ignore[no-untyped-def]
    spec = TOOLS["traffic_conversion"]
    with tiny_shop.sessions() as s, pytest.raises(ToolFailure, match="share Nov"):
        spec.fn(tiny_shop, s, spec.args(months=["Nov"], compare_months=["November"]))


def test_session_funnel_overall_and_by_group(tiny_shop):  # type: ignore[no-untyped-def]
    r = _call(tiny_shop, "session_funnel")
    counts = [s["sessions"] for s in r["steps"]]
    assert counts[0] == 12330 and counts == sorted(counts, reverse=True)
    assert r["engaged_is_median"] and r["engaged_seconds"] > 0
    assert r["purchases"] == 1908 == counts[-1] + r["purchases_outside_funnel"]
    assert sum(r["outside_detail"].values()) == r["purchases_outside_funnel"]
    g = _call(tiny_shop, "session_funnel", by="region", engaged_seconds=60)
    assert g["engaged_seconds"] == 60 and not g["engaged_is_median"]
    assert g["groups"][0]["label"].startswith("region ") and "coded" in g
    assert sum(x["steps"][0]["sessions"] for x in g["groups"]) == 12330  # every region has 30+ sessions


def test_purchase_intent_beats_page_values_alone(tiny_shop):  # type: ignore[no-untyped-def]
    r = _call(tiny_shop, "purchase_intent")
    assert r["beats_baseline"] and r["auc"] > r["baseline_auc"]
    assert (r["train_sessions"], r["test_sessions"]) == (8631, 3699)
    assert r["signals"][0]["label"] == "page value (PageValues)" and r["signals"][0]["coef"] > 0
    wide = _call(tiny_shop, "purchase_intent", top_share=0.3)
    assert wide["auc"] == r["auc"] and wide["lift"] < r["lift"]
