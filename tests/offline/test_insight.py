"""The offline model on issue 12's tools: audiences (named as the shop saved them), traffic, attribution,
media mix and retention, in English and Chinese (phrasings of our own, not the bank's or the suites')."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from copilot.app import Copilot
from dmp.exports import hash_id, salt
from offline import audiences
from offline.planner import plan
from tests.offline.conftest import calls


@pytest.mark.parametrize(
    ("text", "tool", "args"),
    [
        ("which traffic sources bring the visitors who actually buy?", "traffic_conversion", {"by": "traffic_type"}),
        ("新访客和老访客谁的转化率高", "traffic_conversion", {"by": "visitor_type"}),
        ("session conversion by region, October against March", "traffic_conversion", {"by": "region"}),
        ("where do shoppers drop out between product pages and buying?", "session_funnel", {}),
        ("can we predict which sessions will end in a purchase?", "purchase_intent", {}),
        ("how much credit does each channel get under last-click?", "channel_attribution", {"model": "last_touch"}),
        ("各渠道按转化价值的归因对比", "channel_attribution", {"metric": "value"}),
        ("which advertising channels really move weekly sales?", "media_mix", {}),
        ("of the people who first bought in March 2011, how many will still be buying in 6 months?",
         "retention_projection", {"cohort": "2011-03", "months_ahead": 6}),
        ("三月份的新客两年后还会剩多少", "retention_projection", {"cohort": "2011-03", "months_ahead": 24}),
        ("customer 12431 asked us to stop emailing them", "set_consent", {"customer_id": 12431, "opted_out": True}),
        ("客户12431重新同意接收营销了", "set_consent", {"customer_id": 12431, "opted_out": False}),
        ("make an audience of French customers about to lapse with lifetime value over £300",
         "audience_create", {"country": "France", "lapsing": True, "min_clv": 300.0}),
    ],
)  # fmt: skip
def test_the_new_tools_are_asked_for_in_both_languages(text: str, tool: str, args: dict[str, object]) -> None:
    p = plan(text)
    assert p.tool == tool, (text, p.tool, p.args)
    assert {k: p.args.get(k) for k in args} == args, p.args


def test_saved_audiences_are_found_by_their_names_however_written() -> None:
    known = ["winter_buyers", "高价值老客", "Gift Givers", "uk"]
    assert audiences.named("overlap between Winter Buyers and gift-givers?", known) == ["winter_buyers", "Gift Givers"]
    assert audiences.named("高价值老客有多少人", known) == ["高价值老客"]
    assert audiences.named("“高价值老客-相似”删掉", known) == []  # another name, quoted whole
    assert audiences.named("how many in ukraine?", known) == []  # a name is a whole word
    assert audiences.masked("export Gift Givers for google", known) == "export audience for google"
    assert audiences.new_name("save them as an audience called spring_sleepers, please", known) == "spring_sleepers"
    assert audiences.new_name("把这些客户存成人群“春季沉睡”", known) == "春季沉睡"


def _hashes(path: Path) -> set[str]:
    with path.open(newline="", encoding="utf-8") as f:
        return {v for row in csv.reader(f) for v in row}


def test_an_audience_built_looked_alike_and_exported_never_holds_an_opted_out_customer(cp: Copilot) -> None:
    res = cp.ask("save the champions in Germany as an audience called de_champs")
    assert calls(res)[0][:2] == ("audience_create", {"segment": "champions", "country": "Germany", "name": "de_champs"})
    assert res["pending_approval"] is not None
    res = cp.ask("yes", thread_id=res["thread_id"])
    assert calls(res)[0][2] == "ok"
    out, kept = (r["customer_id"] for r in res["tool_calls"][0]["result"]["sample"][:2])
    res = cp.ask(f"customer {out} unsubscribed from marketing")
    assert calls(res)[0][:2] == ("set_consent", {"customer_id": out, "opted_out": True})
    cp.ask("go ahead", thread_id=res["thread_id"])
    res = cp.ask("how big is de_champs?")
    assert calls(res)[0][:2] == ("audience_info", {"name": "de_champs"})
    res = cp.ask("export de_champs for facebook")
    assert calls(res)[0][:2] == ("audience_export", {"name": "de_champs", "format": "meta"})
    res = cp.ask("yes", thread_id=res["thread_id"])
    path = Path(res["tool_calls"][0]["result"]["path"])
    assert path.is_file() and any(a["path"] == str(path) for a in res["attachments"])
    with cp.sessions() as s:
        shop_salt = salt(s)
    hashed = _hashes(path)
    assert hash_id(kept, shop_salt) in hashed and hash_id(out, shop_salt) not in hashed
    res = cp.ask("find 50 customers who look like de_champs and call it de_lal")
    assert calls(res)[0][:2] == ("audience_lookalike", {"seed": "de_champs", "name": "de_lal", "size": 50})
