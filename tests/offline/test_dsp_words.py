"""The DSP's requests read by the offline model: which DSP campaign, which targeting change (each
rule set, added to, removed from or cleared), and how far back the stats look."""

from __future__ import annotations

from typing import Any

import pytest

from offline.dsp_words import dsp_ref, hours_asked, named_in_reply, targeting_changes
from offline.planner import plan


@pytest.mark.parametrize(
    ("text", "ref", "changes"),
    [
        (
            "only bid in Beijing and Shanghai on the spring DSP campaign",
            "spring",
            [{"rule": "regions", "action": "set", "values": ["beijing", "shanghai"]}],
        ),
        (
            "block junk.example on dsp campaign 2",
            "2",
            [{"rule": "domains_block", "action": "add", "values": ["junk.example"]}],
        ),
        (
            "DSP活动3解除对 junk.example 的屏蔽",
            "3",
            [{"rule": "domains_block", "action": "remove", "values": ["junk.example"]}],
        ),
        ("summer的DSP定向去掉杭州", "summer", [{"rule": "regions", "action": "remove", "values": ["hangzhou"]}]),
        ("DSP活动summer也投728x90的尺寸", "summer", [{"rule": "sizes", "action": "add", "values": ["728x90"]}]),
        ("dsp campaign 4: 7am to 11pm only", "4", [{"rule": "hours", "action": "set", "values": list(range(7, 23))}]),
        (
            "程序化活动2只在晚上8点到凌晨2点出价",
            "2",
            [{"rule": "hours", "action": "set", "values": [20, 21, 22, 23, 0, 1]}],
        ),
        (
            "point dsp campaign 1 at the vip_buyers audience",
            "1",
            [{"rule": "audiences", "action": "set", "values": ["vip_buyers"]}],
        ),
        (
            "let the summer DSP campaign bid in all regions again",
            "summer",
            [{"rule": "regions", "action": "clear", "values": []}],
        ),
        ("take the hour restriction off dsp campaign 1", "1", [{"rule": "hours", "action": "clear", "values": []}]),
    ],
)
def test_a_targeting_change_is_read(text: str, ref: str, changes: list[dict[str, Any]]) -> None:
    assert dsp_ref(text) == ref
    assert targeting_changes(text) == changes
    p = plan(text)
    assert (p.tool, p.args.get("dsp_campaign"), p.args.get("changes")) == ("set_dsp_targeting", ref, changes)


@pytest.mark.parametrize(
    ("text", "hours"),
    [("how's the DSP doing?", None), ("bidder stats for the past 3 hours", 3.0), ("DSP这两天的胜率", 48.0)],
)
def test_stats_are_the_dsps_over_the_hours_asked(text: str, hours: float | None) -> None:
    p = plan(text)
    assert p.tool == "dsp_stats" and p.args.get("since_hours") == hours


def test_hours_said_in_passing_are_no_daypart() -> None:
    assert hours_asked("how did the dsp do this afternoon") is None
    assert hours_asked("evenings only") == list(range(18, 24))


def test_a_campaign_named_alone_answers_which() -> None:
    assert [named_in_reply(t) for t in ("the summer one", "2", "3号", "on the DSP please")] == [
        "summer",
        "2",
        "3",
        None,
    ]


def test_the_dsp_tools_errors_read_in_chinese() -> None:
    from offline.wording import error_text

    said = error_text("the DSP has no campaigns yet; add one with `copilot dsp campaign add NAME`", True)
    assert said == "没能完成：DSP 还没有任何活动；可以先用 `copilot dsp campaign add NAME` 添加一个。"
    assert "已经是这样的定向" in error_text(
        "DSP campaign 1 (spring) already has that targeting: nothing to change", True
    )
