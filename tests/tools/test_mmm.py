"""media_mix and budget_split on the tiny shop: fitted on the shop's own media history when it has one,
else on the reference set (said to be another retailer's) and over assumed curves (said so, with how
to get fitted ones)."""

from __future__ import annotations

import json

import pytest

from offline import wording
from store.media import import_media
from tests.media_history import write_media
from tools import TOOLS, ToolFailure


def call(shop, name, **args):  # type: ignore[no-untyped-def]
    spec = TOOLS[name]
    with shop.sessions.begin() as s:
        return spec.fn(shop, s, spec.args(**args))


@pytest.fixture
def shop_with_media(tiny_shop, tmp_path):  # type: ignore[no-untyped-def]
    import_media(tiny_shop.sessions, write_media(tmp_path / "media.csv", weeks=104))
    return tiny_shop


def test_media_mix_on_the_shops_history(shop_with_media):  # type: ignore[no-untyped-def]
    r = call(shop_with_media, "media_mix")
    assert r["source"] == "shop" and r["shop_data"] and r["data"].startswith("the shop's media history (104 weeks")
    assert (r["fitted_weeks"], r["holdout_weeks"], r["fitted_to"]) == (78, 26, "2022-06-26")
    assert r["holdout_mape_pct"] < r["seasonal_naive_mape_pct"] and r["beats_seasonal_naive"] is True
    assert "beats the seasonal-naive baseline" in r["verdict"] and "published" not in r
    assert {c["channel"] for c in r["channels"]} == {"search", "social"}
    for c in r["channels"]:
        assert c["roas"] == pytest.approx(c["contribution"] / c["spend"], rel=1e-2)
        assert c["roas_ci95"][0] <= c["roas"] <= c["roas_ci95"][1]
    assert 0 < r["media_share_pct"] < 100
    assert len(r["series"]["x"]) == 104 and set(r["series"]["lines"]) == {"sales", "model"}
    json.dumps(r)  # JSON-serialisable
    assert call(shop_with_media, "media_mix") is not r  # a fresh dict each time, the fit itself cached
    en, zh = wording.format_result("media_mix", r, zh=False), wording.format_result("media_mix", r, zh=True)
    assert f"MAPE {r['holdout_mape_pct']}% vs {r['seasonal_naive_mape_pct']}%" in en and "the model beats it" in en
    assert "媒体组合模型（店铺自己的媒体历史" in zh and f"{r['seasonal_naive_mape_pct']}%" in zh


def test_budget_split_over_the_fitted_curves(shop_with_media):  # type: ignore[no-untyped-def]
    mix = call(shop_with_media, "media_mix")
    split = call(shop_with_media, "budget_split", total=3000)
    assert split["curve_source"] == "fitted" and split["period"] == "week"
    assert split["curves"].startswith(
        f"fitted from 78 weeks of the shop's media history, hold-out MAPE {mix['holdout_mape_pct']:.1f}%"
    )
    assert [s["channel"] for s in split["split"]] == ["search", "social"]
    assert sum(s["spend"] for s in split["split"]) == pytest.approx(3000, abs=0.05)
    assert split["expected_revenue"] >= split["even_split_revenue"] - 0.01
    assert {"total", "split", "expected_revenue", "even_split_revenue", "assumption"} <= set(split)
    one = call(shop_with_media, "budget_split", total=1000, channels=["Search"])
    assert [s["channel"] for s in one["split"]] == ["search"] and one["split"][0]["spend"] == pytest.approx(1000)
    with pytest.raises(ToolFailure, match="they are search, social"):
        call(shop_with_media, "budget_split", total=1000, channels=["tv"])
    en = wording.format_result("budget_split", split, zh=False)
    assert "Curves: fitted from 78 weeks of the shop's media history" in en
    assert "根据店铺 78 周的媒体历史拟合" in wording.format_result("budget_split", split, zh=True)


def test_budget_split_falls_back_to_assumed_curves_and_says_how_to_fit_them(tiny_shop):  # type: ignore[no-untyped-def]
    split = call(tiny_shop, "budget_split", total=1000)
    assert split["curve_source"] == "assumed" and split["fallback_reason"] == "no_media_history"
    assert split["curves"].startswith("fell back to assumed response curves: the shop has no media history")
    assert "copilot import media FILE.csv" in split["curves"]
    assert split["assumption"].startswith("assumed response curve for the demo")  # as before
    assert [s["channel"] for s in split["split"]] == ["email", "paid_search", "social", "display", "affiliate"]
    en = wording.format_result("budget_split", split, zh=False)
    assert "fell back to assumed response curves" in en and "copilot import media FILE.csv" in en
    assert "店铺没有媒体历史" in wording.format_result("budget_split", split, zh=True)


def test_a_history_too_short_to_fit_falls_back_and_media_mix_says_why(tiny_shop, tmp_path):  # type: ignore[no-untyped-def]
    import_media(tiny_shop.sessions, write_media(tmp_path / "short.csv", weeks=30))
    split = call(tiny_shop, "budget_split", total=1000)
    assert split["curve_source"] == "assumed" and split["fallback_reason"] == "media_history_not_fitted"
    assert "the shop's media history cannot be fitted" in split["curves"]
    with pytest.raises(ToolFailure, match="the shop's media history: 4 weeks are too few"):
        call(tiny_shop, "media_mix")
    with pytest.raises(ToolFailure, match="has 30 weeks: hold out fewer"):
        call(tiny_shop, "media_mix", holdout_weeks=30)


def test_media_mix_without_history_or_reference_data_says_how_to_get_it(tiny_shop, tmp_path):  # type: ignore[no-untyped-def]
    tiny_shop.data_dir = tmp_path / "empty"
    with pytest.raises(ToolFailure, match=r"copilot data fetch mmm"):
        call(tiny_shop, "media_mix")
