"""The bidding specialist's DSP tools: the bidder's stats from its per-minute counts, and a campaign's
targeting changed by a write that previews from -> to, resolves to what was shown, and refuses bad
rules in one line without touching the campaign."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from pydantic import ValidationError

from store import dsp as ledger
from store.db import Audience, DspCampaign, utcnow
from tools import TOOLS, ToolFailure


def call(shop: Any, name: str, **args: Any) -> dict[str, Any]:
    spec = TOOLS[name]
    with shop.sessions.begin() as s:
        return spec.fn(shop, s, spec.args(**args))


def preview(shop: Any, name: str, **args: Any) -> dict[str, Any]:
    spec = TOOLS[name]
    assert spec.preview is not None
    with shop.sessions() as s:
        return spec.preview(shop, s, spec.args(**args))


def rules_of(shop: Any, cid: int) -> dict[str, Any]:
    with shop.sessions() as s:
        return dict(s.get(DspCampaign, cid).targeting)  # type: ignore[union-attr]


@pytest.fixture
def dsp_shop(tiny_shop: Any) -> Any:
    ledger.add_campaign(
        tiny_shop.sessions,
        name="spring",
        daily_budget=50,
        max_bid=3,
        strategy="fixed",
        targeting={"regions": ["beijing"], "sizes": ["300x250"]},
    )
    ledger.add_campaign(tiny_shop.sessions, name="retargeting", daily_budget=20, max_bid=5, strategy="fixed")
    with tiny_shop.sessions.begin() as s:
        s.add(Audience(name="uk_vips", kind="list", definition={}, size=0))
    return tiny_shop


def test_stats_need_a_campaign_and_say_how_to_add_one(tiny_shop: Any) -> None:
    with pytest.raises(ToolFailure, match="no campaigns yet; add one with `copilot dsp campaign add"):
        call(tiny_shop, "dsp_stats")


def test_stats_sum_the_bidders_minutes(dsp_shop: Any) -> None:
    now = utcnow().replace(second=0, microsecond=0)
    counts = {
        (1, now - timedelta(minutes=2)): {"requests": 100, "bids": 40, "wins": 10, "spend_micros": 25_000, "clicks": 1},
        (1, now - timedelta(minutes=1)): {"requests": 50, "bids": 10, "wins": 10, "spend_micros": 15_000, "clicks": 0},
        (2, now - timedelta(hours=30)): {"requests": 9, "bids": 9, "wins": 9, "spend_micros": 9_000, "clicks": 9},
    }
    ledger.flush_stats(dsp_shop.sessions, counts)
    r = call(dsp_shop, "dsp_stats")
    spring, other = r["campaigns"]
    assert (spring["requests"], spring["bids"], spring["wins"], spring["clicks"]) == (150, 50, 20, 1)
    assert spring["spend"] == 0.04 and spring["win_rate"] == 0.4 and spring["cpm"] == 2.0 and spring["ecpc"] == 0.04
    assert spring["targeting"] == {"regions": ["beijing"], "sizes": ["300x250"]}
    assert other["requests"] == 0  # its minute is older than the 24 hours asked about
    assert r["total"]["wins"] == 20 and r["series"]["lines"]["spring"] == [0.025, 0.015]
    wide = call(dsp_shop, "dsp_stats", dsp_campaign="retargeting", since_hours=48)
    assert [c["name"] for c in wide["campaigns"]] == ["retargeting"] and wide["total"]["clicks"] == 9


def test_a_campaign_is_named_by_id_or_name_or_listed(dsp_shop: Any) -> None:
    assert (
        preview(dsp_shop, "set_dsp_targeting", dsp_campaign="SPRING", changes=[{"rule": "hours", "values": [9]}])[
            "dsp_campaign_id"
        ]
        == 1
    )
    with pytest.raises(ToolFailure, match="no DSP campaign is 'autumn'; the DSP campaigns: 1 spring; 2 retargeting"):
        preview(dsp_shop, "set_dsp_targeting", dsp_campaign="autumn", changes=[{"rule": "hours", "values": [9]}])


def test_a_targeting_change_previews_resolves_and_applies(dsp_shop: Any) -> None:
    spec = TOOLS["set_dsp_targeting"]
    args = spec.args(
        dsp_campaign="spring",
        changes=[
            {"rule": "regions", "action": "add", "values": ["Shanghai"]},
            {"rule": "domains_block", "action": "add", "values": ["Bad.Example"]},
            {"rule": "audiences", "values": ["uk_vips"]},
        ],
    )
    with dsp_shop.sessions() as s:
        p = spec.preview(dsp_shop, s, args)  # type: ignore[misc]
        resolved = spec.resolve(dsp_shop, s, args)  # type: ignore[misc]
    assert p["from"] == {"regions": ["beijing"], "sizes": ["300x250"]}
    assert p["to"] == {
        "regions": ["beijing", "shanghai"],
        "domains_block": ["bad.example"],
        "sizes": ["300x250"],
        "audiences": [1],
    }
    assert p["rules"] == ["regions", "domains_block", "audiences"]
    assert {"kind": "empty_audience", "audience": "uk_vips"} in p["warnings"]
    assert resolved.dsp_campaign == "1" and all(c.action == "set" for c in resolved.changes)
    assert rules_of(dsp_shop, 1) == {"regions": ["beijing"], "sizes": ["300x250"]}  # a preview writes nothing
    done = call(dsp_shop, "set_dsp_targeting", **resolved.model_dump())
    assert done["applied"] and rules_of(dsp_shop, 1) == p["to"]
    lifted = preview(dsp_shop, "set_dsp_targeting", dsp_campaign="1", changes=[{"rule": "sizes", "action": "clear"}])
    assert lifted["to"].get("sizes") is None and {"kind": "rule_lifted", "rule": "sizes"} in lifted["warnings"]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"rule": "hours", "values": [25]}, "hours are 0 to 23, not 25"),
        ({"rule": "hours", "values": ["noon"]}, "hours are whole hours 0 to 23"),
        ({"rule": "sizes", "values": ["big"]}, "a size is WIDTHxHEIGHT, like 300x250, not 'big'"),
        ({"rule": "audiences", "values": ["nobody"]}, "no audience 'nobody'; the saved audiences: uk_vips"),
        ({"rule": "regions", "action": "add"}, "say which regions to add"),
        ({"rule": "regions", "values": ["beijing"]}, "already has that targeting"),
    ],
)
def test_a_bad_rule_is_one_line_and_changes_nothing(dsp_shop: Any, change: dict[str, Any], message: str) -> None:
    with pytest.raises(ToolFailure, match=message):
        call(dsp_shop, "set_dsp_targeting", dsp_campaign="spring", changes=[change])
    assert rules_of(dsp_shop, 1) == {"regions": ["beijing"], "sizes": ["300x250"]}


def test_the_schema_refuses_an_unknown_rule() -> None:
    with pytest.raises(ValidationError):
        TOOLS["set_dsp_targeting"].args(dsp_campaign="1", changes=[{"rule": "weather", "values": ["sunny"]}])
