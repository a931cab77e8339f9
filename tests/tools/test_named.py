"""Products and campaigns named the way marketers name them: by (part of) a product's description, in
English or Chinese; by words of a campaign's name or its channel."""

from __future__ import annotations

from pathlib import Path

import pytest

from copilot.app import Copilot
from copilot.settings import Settings
from tools.base import campaign_named, product_named


@pytest.fixture(scope="module")
def demo(demo_home: Path):  # type: ignore[no-untyped-def]
    c = Copilot(Settings(home=demo_home))
    yield c
    c.close()


@pytest.mark.parametrize(
    ("text", "stock_code"),
    [
        ("what's the price elasticity of the regency cakestand?", "22423"),
        ("what happens to party bunting sales if we knock 15% off", "47566"),
        ("what if we put the jumbo bag red retrospot at £2.25?", "85099B"),
        ("兔子夜灯涨到2.5会怎样？", "23084"),
    ],
)
def test_a_product_named_by_its_description(demo, text: str, stock_code: str) -> None:  # type: ignore[no-untyped-def]
    pid = product_named(demo.shop, text)
    assert pid is not None and {v: k for k, v in demo.shop.stock_codes().items()}[pid] == stock_code


@pytest.mark.parametrize(
    "text",
    ["write three headlines", "headlines for our christmas lights", "which customers are about to lapse?"],
)
def test_no_product_when_none_is_named_clearly(demo, text: str) -> None:  # type: ignore[no-untyped-def]
    assert product_named(demo.shop, text) is None  # one word, or several products alike: ask which


def test_the_offline_model_uses_the_name(demo) -> None:  # type: ignore[no-untyped-def]
    out = demo.ask("what's the price elasticity of the regency cakestand?")
    assert out["tool_calls"][0]["name"] == "price_elasticity"
    assert out["tool_calls"][0]["args"]["product_id"] == demo.shop.stock_codes()["22423"]
    assert "REGENCY CAKESTAND" in out["answer"]


@pytest.mark.parametrize(
    ("text", "channels", "campaign"),
    [
        ("pause the win-back display campaign", ["display"], 3),
        ("how is the Christmas campaign pacing?", [], 1),
        ("把社交那条计划恢复投放吧", ["social"], 2),
        ("pause the campaign", [], None),
        ("pause the email campaign", ["email"], None),  # no campaign on that channel
        ("compare the christmas and spring campaigns", [], None),  # two: not one
    ],
)
def test_a_campaign_named_without_its_id(demo, text: str, channels: list[str], campaign: int | None) -> None:  # type: ignore[no-untyped-def]
    assert campaign_named(demo.shop, text, channels) == campaign


def test_the_offline_model_pauses_the_campaign_named(copilot_home) -> None:  # type: ignore[no-untyped-def]
    c = Copilot(Settings(home=copilot_home))
    try:
        out = c.ask("pause the win-back display campaign")
        assert out["pending_approval"] is not None and out["tool_calls"][0]["args"]["campaign_id"] == 3
    finally:
        c.close()
