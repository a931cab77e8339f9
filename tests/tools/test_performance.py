"""The campaigns' simulated delivery and the tools over it: metrics, comparison, pacing that responds
to the bid, pause and resume, and bulk edits of bids and budgets."""

from __future__ import annotations

from datetime import date

import pytest
from pydantic import ValidationError
from sqlalchemy import func, select

from store.db import Campaign, CampaignDay, CampaignSpend, DeliveryModel, Meta
from store.delivery import HISTORY_DAYS, TODAY_HOURS, upgrade
from store.shop import DEMO_PACES
from tools import TOOLS, ToolFailure
from tools.delivery import period_of


def call(shop, name, **args):
    spec = TOOLS[name]
    with shop.sessions.begin() as s:
        return spec.fn(shop, s, spec.args(**args))


def preview(shop, name, **args):
    spec = TOOLS[name]
    with shop.sessions() as s:
        return spec.preview(shop, s, spec.args(**args))  # type: ignore[misc]


def test_the_demo_campaigns_have_a_seeded_simulated_history(tiny_shop):
    with tiny_shop.sessions() as s:
        assert s.scalar(select(func.count()).select_from(DeliveryModel)) == 3
        days = s.execute(
            select(CampaignDay.campaign_id, func.count(), func.max(CampaignDay.day)).group_by(CampaignDay.campaign_id)
        ).all()
        assert {(cid, n) for cid, n, _ in days} == {(1, HISTORY_DAYS + 1), (2, HISTORY_DAYS + 1), (3, HISTORY_DAYS + 1)}
        assert {last for *_, last in days} == {date(2011, 12, 9)}
        assert set(s.scalars(select(CampaignDay.source).distinct())) == {"simulated"}
        budgets = dict(s.execute(select(Campaign.id, Campaign.daily_budget)).all())
        over = s.scalars(select(CampaignDay.spend).where(CampaignDay.hours == 24)).all()
        assert all(x >= 0 for x in over)
        worst = s.execute(
            select(CampaignDay.campaign_id, func.max(CampaignDay.spend)).group_by(CampaignDay.campaign_id)
        ).all()
        assert all(top <= budgets[cid] + 1e-6 for cid, top in worst)  # spend never passes the budget
        today = s.execute(
            select(CampaignSpend.campaign_id, func.count(), func.sum(CampaignSpend.spend)).group_by(
                CampaignSpend.campaign_id
            )
        ).all()
        day_rows = dict(
            s.execute(select(CampaignDay.campaign_id, CampaignDay.spend).where(CampaignDay.hours == TODAY_HOURS)).all()
        )
        for cid, hours, spent in today:
            assert hours == TODAY_HOURS and spent == pytest.approx(day_rows[cid], abs=0.01)


def test_an_older_shop_is_upgraded_once(tiny_shop):
    with tiny_shop.sessions.begin() as s:
        s.query(DeliveryModel).delete()
        s.query(CampaignDay).delete()
        s.delete(s.get(Meta, "delivery_model"))
    assert upgrade(tiny_shop.sessions, DEMO_PACES)
    assert not upgrade(tiny_shop.sessions, DEMO_PACES)
    with tiny_shop.sessions() as s:
        assert s.scalar(select(func.count()).select_from(CampaignSpend)) == 3 * TODAY_HOURS
        assert s.scalar(select(func.count()).select_from(CampaignDay)) == 3 * (HISTORY_DAYS + 1)


def test_periods():
    today = date(2011, 12, 9)  # a Friday
    assert period_of(today, "last_7_days", None, None).as_dict() == {
        "name": "last_7_days", "start": "2011-12-02", "end": "2011-12-08", "days": 7,
    }  # fmt: skip
    assert period_of(today, "this_week", None, None).start == date(2011, 12, 5)
    last_month = period_of(today, "last_month", None, None)
    assert (last_month.start, last_month.end) == (date(2011, 11, 1), date(2011, 11, 30))
    assert last_month.previous().start == date(2011, 10, 1)  # a calendar month: the month before
    assert period_of(today, None, date(2011, 11, 1), None).end == today
    with pytest.raises(ToolFailure, match="swap"):
        period_of(today, None, date(2011, 11, 5), date(2011, 11, 1))


def test_campaign_metrics_sum_the_days_and_compare_with_the_period_before(tiny_shop):
    r = call(tiny_shop, "campaign_metrics")
    assert r["campaign_count"] == 3 and r["source"] == "simulated" and r["period"]["days"] == 7
    with tiny_shop.sessions() as s:
        spend, revenue, conv, clicks, imps = s.execute(
            select(
                *(
                    func.sum(getattr(CampaignDay, k))
                    for k in ("spend", "revenue", "conversions", "clicks", "impressions")
                )
            ).where(CampaignDay.day >= date(2011, 12, 2), CampaignDay.day <= date(2011, 12, 8))
        ).one()
    assert r["spend"] == pytest.approx(spend, abs=0.01) and r["revenue"] == pytest.approx(revenue, abs=0.01)
    assert r["conversions"] == conv and r["clicks"] == clicks and r["impressions"] == imps
    assert r["roas"] == pytest.approx(revenue / spend, abs=0.005) and r["cpa"] == pytest.approx(spend / conv, abs=0.005)
    assert r["ctr_pct"] == pytest.approx(100 * clicks / imps, abs=0.005)
    assert sum(c["spend"] for c in r["campaigns"]) == pytest.approx(r["spend"], abs=0.05)
    prev = r["previous"]
    assert r["change_pct"]["spend"] == pytest.approx(100 * (r["spend"] / prev["spend"] - 1), abs=0.1)
    one = call(tiny_shop, "campaign_metrics", campaign_id=2, period="this_month")
    assert one["campaign_id"] == 2 and one["period"]["start"] == "2011-12-01" and one["today_hours"] == TODAY_HOURS
    custom = call(tiny_shop, "campaign_metrics", start="2011-11-01", end="2011-11-30")
    assert custom["period"]["days"] == 30 and custom["previous_period"]["start"] == "2011-10-01"
    with pytest.raises(ToolFailure, match="delivery history runs from"):
        call(tiny_shop, "campaign_metrics", start="2010-01-01", end="2010-01-31")
    with pytest.raises(ToolFailure, match="no campaign 9"):
        call(tiny_shop, "campaign_metrics", campaign_id=9)


def test_compare_ranks_by_the_metric(tiny_shop):
    r = call(tiny_shop, "compare_campaigns", metric="cpa", period="last_30_days")
    values = [row["value"] for row in r["ranking"]]
    assert r["order"] == "lowest first" and values == sorted(values)
    assert r["best"]["campaign_id"] == r["ranking"][0]["campaign_id"]
    roas = call(tiny_shop, "compare_campaigns", campaign_ids=[3, 1])
    assert [row["campaign_id"] for row in roas["ranking"]] in ([1, 3], [3, 1]) and roas["metric"] == "roas"
    assert roas["ranking"][0]["value"] >= roas["ranking"][1]["value"]


def test_pacing_follows_the_bid_and_the_status(tiny_shop):
    before = call(tiny_shop, "campaign_pacing", campaign_id=2)  # the under-pacing campaign
    assert before["status"] == "underspending" and before["suggested_bid"] > before["bid"]
    call(tiny_shop, "set_campaign_bid", campaign_id=2, bid=round(before["bid"] * 1.4, 2))
    after = call(tiny_shop, "campaign_pacing", campaign_id=2)
    assert after["spent"] == before["spent"]  # what was spent is spent
    assert after["projected_spend"] > before["projected_spend"]  # the rest of the day at the higher bid
    first = call(tiny_shop, "campaign_pacing", campaign_id=1)
    assert first["status"] == "overspending" and first["budget_runs_out_at"] is not None
    assert first["projected_spend"] == pytest.approx(first["daily_budget"])  # spend stops at the budget
    call(tiny_shop, "pause_campaign", campaign_id=1)
    paused = call(tiny_shop, "campaign_pacing", campaign_id=1)
    assert paused["campaign_status"] == "paused" and paused["projected_spend"] == pytest.approx(paused["spent"])
    assert paused["rest_of_day_spend"] == 0


def test_pause_and_resume_preview_then_apply(tiny_shop):
    p = preview(tiny_shop, "pause_campaign", campaign_id=3)
    assert (p["from"], p["to"], p["field"]) == ("active", "paused", "status") and p["per_day"]["spend"] > 0
    with tiny_shop.sessions() as s:
        assert s.get(Campaign, 3).status == "active"  # a preview changes nothing
    with pytest.raises(ToolFailure, match="already active"):
        preview(tiny_shop, "resume_campaign", campaign_id=3)
    assert call(tiny_shop, "pause_campaign", campaign_id=3)["applied"]
    with pytest.raises(ToolFailure, match="already paused"):
        preview(tiny_shop, "pause_campaign", campaign_id=3)
    assert call(tiny_shop, "resume_campaign", campaign_id=3)["to"] == "active"
    with tiny_shop.sessions() as s:
        assert s.get(Campaign, 3).status == "active"


def test_bulk_edits_select_resolve_and_warn(tiny_shop):
    spec = TOOLS["set_campaign_bids"]
    with tiny_shop.sessions() as s:
        p = spec.preview(tiny_shop, s, spec.args(all_campaigns=True, change_pct=10))  # type: ignore[misc]
        assert [(c["campaign_id"], c["from"], c["to"]) for c in p["changes"]] == [
            (1, 0.8, 0.88),
            (2, 0.55, 0.61),
            (3, 0.4, 0.44),
        ]
        resolved = spec.resolve(tiny_shop, s, spec.args(all_campaigns=True, change_pct=10))  # type: ignore[misc]
        assert resolved.model_dump(exclude_none=True) == {
            "bids": [{"campaign_id": 1, "bid": 0.88}, {"campaign_id": 2, "bid": 0.61}, {"campaign_id": 3, "bid": 0.44}]
        }
        search = spec.preview(tiny_shop, s, spec.args(channel="search", bid=1.0))  # type: ignore[misc]
        assert [c["campaign_id"] for c in search["changes"]] == [1] and "paid search" in search["target"]
    budgets = preview(tiny_shop, "set_campaign_budgets", campaign_ids=[1, 3], change_pct=-60)
    assert [c["to"] for c in budgets["changes"]] == [200.0, 80.0]
    assert [w["kind"] for w in budgets["warnings"]] == ["large_change", "large_change"]  # each change over 50%
    with pytest.raises(ToolFailure, match="not a channel"):
        preview(tiny_shop, "set_campaign_bids", channel="radio", bid=1.0)
    with pytest.raises(ToolFailure, match="no campaign runs on email"):
        preview(tiny_shop, "set_campaign_budgets", channel="email", daily_budget=10.0)
    with pytest.raises(ToolFailure, match="no campaign 7"):
        preview(tiny_shop, "set_campaign_bids", campaign_ids=[1, 7], bid=1.0)
    with pytest.raises(ToolFailure, match="at most"):
        preview(tiny_shop, "set_campaign_bids", all_campaigns=True, change_by=49.5)
    for bad in ({"bid": 1.0}, {"all_campaigns": True, "channel": "social", "bid": 1.0}, {"all_campaigns": True}):
        with pytest.raises(ValidationError):
            spec.args(**bad)
    done = call(tiny_shop, "set_campaign_budgets", all_campaigns=True, change_pct=-20)
    assert done["applied"] and done["campaigns"] == 3
    with tiny_shop.sessions() as s:
        assert dict(s.execute(select(Campaign.id, Campaign.daily_budget)).all()) == {1: 400.0, 2: 240.0, 3: 160.0}


def test_a_value_already_set_is_no_change(tiny_shop):
    two = preview(tiny_shop, "set_campaign_budgets", all_campaigns=True, daily_budget=200.0)  # campaign 3 is at £200
    assert [c["campaign_id"] for c in two["changes"]] == [1, 2] and two["campaigns"] == 2
    [left] = [w for w in two["changes"][0]["warnings"] if w["kind"] == "unchanged"]
    assert left["campaigns"] == [{"campaign_id": 3, "name": "Lapsed customers win-back - display"}]
    same = preview(tiny_shop, "set_campaign_bids", channel="search", bid=0.8)  # nothing else: kept, and said
    assert [w["kind"] for c in same["changes"] for w in c["warnings"]] == ["no_change"]
    one = preview(tiny_shop, "set_campaign_budget", campaign_id=3, daily_budget=200.0)
    assert one["warnings"] == [{"kind": "no_change", "value": 200.0}]
