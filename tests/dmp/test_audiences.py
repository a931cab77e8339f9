"""The audience tools on the tiny shop (a real SQLite file): create, list, info, overlap, look-alike,
refresh, export and delete; previews change nothing; opted-out customers never reach an export or a
bidder's lookup; a write that fails leaves the shop as it was.

The tiny shop: customers 17850 (United Kingdom, one order in December 2010), 12347 (Iceland, orders in
March and June 2011) and 13047 (United Kingdom, orders on 30 November and 9 December 2011); products
1 22633 hand warmer, 2 71053 lantern, 3 85123A white heart (all three bought it), 4 85123B red heart."""

from __future__ import annotations

import csv
import hashlib
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from sqlalchemy import func, select

from dmp import audiences as dmp_store
from dmp.lookup import AudienceLookup
from store.db import Audience, AudienceMember, Consent, DmpSecret
from tools import TOOLS, Shop, ToolFailure
from tools.audiences import UPLIFT_MISSING, exports_dir


def call(shop: Shop, tool: str, **kw: Any) -> dict[str, Any]:
    """A tool's write (or read) in one transaction, as the approval core runs it."""
    spec = TOOLS[tool]
    args = spec.args.model_validate(kw, context={"shop": shop})
    with shop.sessions.begin() as s:
        return spec.fn(shop, s, args)


def preview(shop: Shop, tool: str, **kw: Any) -> dict[str, Any]:
    spec = TOOLS[tool]
    assert spec.write and spec.preview is not None
    args = spec.args.model_validate(kw, context={"shop": shop})
    with shop.sessions() as s:
        return spec.preview(shop, s, args)


def members(shop: Shop, name: str) -> list[int]:
    with shop.sessions() as s:
        return dmp_store.members(s, dmp_store.find(s, name).id).tolist()


def count(shop: Shop, model: Any) -> int:
    with shop.sessions() as s:
        return int(s.scalar(select(func.count()).select_from(model)) or 0)


def test_the_audience_tools_are_the_profiling_agents_and_writes_have_previews() -> None:
    names = ("audience_create", "audience_lookalike", "audience_refresh", "audience_delete", "audience_export")
    for name in (*names, "set_consent"):
        assert TOOLS[name].write and TOOLS[name].preview is not None and TOOLS[name].agent == "profiling", name
    for name in ("audience_list", "audience_info", "audience_overlap"):
        assert not TOOLS[name].write and TOOLS[name].agent == "profiling"


def test_create_previews_then_saves_members(tiny_shop: Shop) -> None:
    p = preview(tiny_shop, "audience_create", name="UK buyers", country="uk")
    assert (p["audience_id"], p["field"], p["from"], p["to"]) == (0, "name", None, "UK buyers")
    assert p["size"] == 2 and p["definition"] == {"countries": ["United Kingdom"]}
    assert count(tiny_shop, Audience) == 0  # a preview writes nothing
    r = call(tiny_shop, "audience_create", name="UK buyers", country="uk")
    assert r["applied"] and r["audience_id"] >= 1
    assert members(tiny_shop, "uk buyers") == [13047, 17850]  # found by name, case aside
    listed = call(tiny_shop, "audience_list")
    assert [(a["name"], a["size"], a["reachable"]) for a in listed["audiences"]] == [("UK buyers", 2, 2)]
    info = call(tiny_shop, "audience_info", name="UK buyers")
    assert [m["customer_id"] for m in info["members"]] == [13047, 17850]  # highest spender first
    assert info["members"][0]["orders"] == 2 and info["refreshed_at"]


def test_rules_combine_and_name_products_by_stock_code(tiny_shop: Shop) -> None:
    r = call(tiny_shop, "audience_create", name="red hearts", bought_products=["85123B"])
    assert r["definition"] == {"bought_products": [4], "product_codes": ["85123B"]}
    assert members(tiny_shop, "red hearts") == [13047]
    call(tiny_shop, "audience_create", name="2011 UK", country="United Kingdom", ordered_after="2011-01-01")
    assert members(tiny_shop, "2011 UK") == [13047]
    call(tiny_shop, "audience_create", name="quiet", ordered_before="2011-06-30")
    assert members(tiny_shop, "quiet") == [12347, 17850]
    with pytest.raises(ToolFailure, match="no RFM segment 'vips'"):
        preview(tiny_shop, "audience_create", name="x", segment="vips")
    with pytest.raises(ToolFailure, match="no customer passes these rules"):
        preview(tiny_shop, "audience_create", name="x", country="Iceland", bought_products=["85123B"])
    with pytest.raises(ToolFailure, match=r"ordered_after .* is after ordered_before"):
        preview(tiny_shop, "audience_create", name="x", ordered_after="2011-06-01", ordered_before="2011-01-01")
    with pytest.raises(ToolFailure, match="give at least one rule"):
        preview(tiny_shop, "audience_create", name="x")


def test_the_uplift_rule_says_why_it_cannot_be_scored(tiny_shop: Shop) -> None:
    with pytest.raises(ToolFailure) as exc:
        preview(tiny_shop, "audience_create", name="mailable", min_uplift=0.01)
    assert str(exc.value) == UPLIFT_MISSING and "Hillstrom" in str(exc.value)


def test_an_uploaded_list_holds_exactly_its_customers(tiny_shop: Shop) -> None:
    r = call(tiny_shop, "audience_create", name="picked", customer_ids=[12347, 17850, 12347])
    assert r["kind"] == "list" and r["size"] == 2
    with pytest.raises(ToolFailure, match=r"1 of the customer ids are not the shop's customers \(99999\)"):
        preview(tiny_shop, "audience_create", name="bad", customer_ids=[12347, 99999])
    with pytest.raises(ToolFailure, match="rules or customer_ids"):
        preview(tiny_shop, "audience_create", name="both", country="uk", customer_ids=[12347])
    with pytest.raises(ToolFailure, match="an uploaded list: its members are the customers uploaded"):
        preview(tiny_shop, "audience_refresh", name="picked")


def test_a_duplicate_name_and_an_unknown_audience_are_one_line(tiny_shop: Shop) -> None:
    call(tiny_shop, "audience_create", name="UK", country="uk")
    with pytest.raises(ToolFailure, match=r"an audience named 'UK' already exists \(2 customers\)"):
        call(tiny_shop, "audience_create", name="uk", country="Iceland")
    call(tiny_shop, "audience_create", name="Iceland", country="Iceland")
    for tool in ("audience_info", "audience_refresh", "audience_delete"):
        with pytest.raises(ToolFailure) as exc:
            call(tiny_shop, tool, name="France")
        assert str(exc.value) == "there is no audience 'France'; the audiences are Iceland, UK", tool
    with pytest.raises(ToolFailure, match="there is no audience 'x'; the audiences are Iceland, UK"):
        call(tiny_shop, "audience_overlap", first="UK", second="x")


def test_overlap_sizes_and_shares(tiny_shop: Shop) -> None:
    call(tiny_shop, "audience_create", name="UK", country="uk")
    call(tiny_shop, "audience_create", name="hearts", bought_products=["85123A"])
    r = call(tiny_shop, "audience_overlap", first="UK", second="hearts")
    assert (r["first_size"], r["second_size"], r["overlap"], r["union"]) == (2, 3, 2, 3)
    assert (r["first_in_second_pct"], r["second_in_first_pct"]) == (100.0, 66.7)
    with pytest.raises(ToolFailure, match="name two different audiences"):
        call(tiny_shop, "audience_overlap", first="UK", second="uk")


def test_refresh_recomputes_the_members_in_one_transaction(tiny_shop: Shop) -> None:
    call(tiny_shop, "audience_create", name="UK", country="uk")
    with tiny_shop.sessions.begin() as s:  # the audience went out of date: one member missing
        au = dmp_store.find(s, "UK")
        s.query(AudienceMember).filter_by(audience_id=au.id, customer_id=17850).delete()
        au.size = 1
    p = preview(tiny_shop, "audience_refresh", name="UK")
    assert (p["from"], p["to"], p["added"], p["removed"]) == (1, 2, 1, 0)
    assert members(tiny_shop, "UK") == [13047]  # the preview changed nothing
    r = call(tiny_shop, "audience_refresh", name="UK")
    assert r["applied"] and members(tiny_shop, "UK") == [13047, 17850]


def test_a_failing_refresh_leaves_the_members_as_they_were(tiny_shop: Shop, monkeypatch: pytest.MonkeyPatch) -> None:
    call(tiny_shop, "audience_create", name="UK", country="uk")
    real = dmp_store._write_members

    def half(session: Any, audience_id: int, ids: np.ndarray) -> None:
        real(session, audience_id, ids[:0])  # the old members deleted...
        raise OSError("disk full")  # ...and the insert fails

    monkeypatch.setattr(dmp_store, "_write_members", half)
    with pytest.raises(OSError):
        call(tiny_shop, "audience_refresh", name="UK")
    assert members(tiny_shop, "UK") == [13047, 17850]
    with tiny_shop.sessions() as s:
        assert dmp_store.find(s, "UK").size == 2


def test_a_lookalike_is_nearest_the_seed_and_leaves_out_the_seed_and_opted_out(tiny_shop: Shop) -> None:
    call(tiny_shop, "audience_create", name="recent", ordered_after="2011-11-01")  # 13047
    p = preview(tiny_shop, "audience_lookalike", seed="recent", size=1)
    assert p["kind"] == "lookalike" and p["name"] == "recent lookalike" and p["size"] == 1
    assert p["definition"]["seed"] == "recent" and "product mix" in p["definition"]["features"][-1]
    nearest = p["sample"][0]["customer_id"]
    assert nearest in (12347, 17850)
    r = call(tiny_shop, "audience_lookalike", seed="recent", size=5, name="like recent")
    assert sorted(members(tiny_shop, "like recent")) == [12347, 17850]  # never the seed's 13047
    assert r["warnings"] == [{"kind": "fewer_found", "found": 2, "requested": 5}]
    call(tiny_shop, "set_consent", customer_id=nearest, opted_out=True)
    other = {12347, 17850} - {nearest}
    again = preview(tiny_shop, "audience_lookalike", seed="recent", size=5, name="like recent 2")
    assert [m["customer_id"] for m in again["sample"]] == list(other)
    call(tiny_shop, "audience_delete", name="recent")
    with pytest.raises(ToolFailure, match="the seed of 'like recent' \\('recent'\\) was deleted"):
        preview(tiny_shop, "audience_refresh", name="like recent")


def test_delete_removes_the_audience_and_its_members(tiny_shop: Shop) -> None:
    call(tiny_shop, "audience_create", name="UK", country="uk")
    call(tiny_shop, "audience_lookalike", seed="UK", size=1)
    p = preview(tiny_shop, "audience_delete", name="UK")
    assert (p["field"], p["from"], p["to"]) == ("name", "UK", None)
    assert p["warnings"] == [{"kind": "seed_of", "lookalikes": ["UK lookalike"]}]
    call(tiny_shop, "audience_delete", name="UK")
    with tiny_shop.sessions() as s:
        assert dmp_store.names(s) == ["UK lookalike"]
        assert s.scalar(select(func.count()).select_from(AudienceMember)) == 1


def _rows(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.reader(fh))


def test_exports_hash_ids_with_the_shops_salt_and_leave_out_opted_out(tiny_shop: Shop) -> None:
    call(tiny_shop, "audience_create", name="Everyone who bought hearts", bought_products=["85123A"])
    p = preview(tiny_shop, "audience_export", name="Everyone who bought hearts", format="google")
    path = Path(p["path"])
    assert path == exports_dir(tiny_shop) / "everyone-who-bought-hearts-google.csv"
    assert p["rows"] == 3 and not path.exists() and count(tiny_shop, DmpSecret) == 0  # nothing written yet
    call(tiny_shop, "set_consent", customer_id=17850, opted_out=True)
    r = call(tiny_shop, "audience_export", name="Everyone who bought hearts", format="google")
    assert r["rows"] == 2 and r["left_out_opted_out"] == 1
    assert r["attachments"] == [{"kind": "csv", "path": str(path), "rows": 2, "title": r["attachments"][0]["title"]}]
    with tiny_shop.sessions() as s:
        salt = s.get(DmpSecret, "export_salt")
        assert salt is not None and len(salt.value) == 32
    expected = sorted(hashlib.sha256(f"{salt.value}{c}".encode()).hexdigest() for c in (12347, 13047))
    google = _rows(path)
    assert google[0] == ["User ID"] and sorted(r[0] for r in google[1:]) == expected
    meta = _rows(Path(call(tiny_shop, "audience_export", name="Everyone who bought hearts", format="meta")["path"]))
    assert meta[0] == ["extern_id"] and sorted(r[0] for r in meta[1:]) == expected  # the same salt, made once
    plain = _rows(Path(call(tiny_shop, "audience_export", name="Everyone who bought hearts")["path"]))
    assert plain[0][:3] == ["customer_id", "country", "segment"]
    assert sorted(int(r[0]) for r in plain[1:]) == [12347, 13047]
    assert all("17850" not in ",".join(r) for r in plain)
    assert hashlib.sha256(f"{salt.value}17850".encode()).hexdigest() not in {r[0] for r in google + meta}


def test_an_audience_of_opted_out_customers_exports_nothing(tiny_shop: Shop) -> None:
    call(tiny_shop, "audience_create", name="Iceland", country="Iceland")
    call(tiny_shop, "set_consent", customer_id=12347, opted_out=True)
    with pytest.raises(ToolFailure, match="every member of 'Iceland' has opted out"):
        preview(tiny_shop, "audience_export", name="Iceland", format="meta")


def test_a_failing_export_leaves_no_salt_and_no_file(tiny_shop: Shop) -> None:
    call(tiny_shop, "audience_create", name="UK", country="uk")
    exports_dir(tiny_shop).parent.mkdir(parents=True)
    exports_dir(tiny_shop).write_text("a file where the folder should be")
    with pytest.raises(ToolFailure, match="could not write"):
        call(tiny_shop, "audience_export", name="UK", format="google")
    assert count(tiny_shop, DmpSecret) == 0


def test_consent_previews_then_records_and_the_lookup_for_bidding_leaves_opted_out(tiny_shop: Shop) -> None:
    call(tiny_shop, "audience_create", name="UK", country="uk")
    with tiny_shop.sessions() as s:
        before = AudienceLookup.load(s)
    assert before.contains("UK", 17850) and before.size("UK") == 2
    p = preview(tiny_shop, "set_consent", customer_id=17850, opted_out=True)
    assert (p["field"], p["from"], p["to"], p["audiences"]) == ("opted_out", None, True, ["UK"])
    assert count(tiny_shop, Consent) == 0
    call(tiny_shop, "set_consent", customer_id=17850, opted_out=True)
    with tiny_shop.sessions() as s:
        assert before.stale(s)
        lookup = AudienceLookup.load(s, ["uk"])
        assert not lookup.stale(s)
    assert not lookup.contains("UK", 17850) and lookup.contains("UK", 13047)
    assert lookup.contains_many("UK", np.array([17850, 13047, 12347])).tolist() == [False, True, False]
    assert lookup.audiences_of(17850) == [] and lookup.audiences_of(13047) == ["UK"]
    info = call(tiny_shop, "audience_info", name="UK")
    assert (info["size"], info["reachable"], info["opted_out"]) == (2, 1, 1)  # still a member, never reached
    with pytest.raises(ToolFailure, match="customer 17850 is already opted out"):
        preview(tiny_shop, "set_consent", customer_id=17850, opted_out=True)
    with pytest.raises(ToolFailure, match="there is no customer 1;"):
        preview(tiny_shop, "set_consent", customer_id=1, opted_out=True)
    call(tiny_shop, "set_consent", customer_id=17850, opted_out=False)
    with tiny_shop.sessions() as s:
        assert AudienceLookup.load(s).contains("UK", 17850)
        row = s.get(Consent, 17850)
        assert row is not None and row.opted_out is False and row.source.startswith("copilot")


def test_the_wording_of_every_audience_tool_quotes_its_result(tiny_shop: Shop) -> None:
    from offline.wording import FORMATTERS, describe_change, rejected

    made = call(tiny_shop, "audience_create", name="UK", country="uk")
    results = {
        "audience_create": made,
        "audience_list": call(tiny_shop, "audience_list"),
        "audience_info": call(tiny_shop, "audience_info", name="UK"),
        "audience_lookalike": call(tiny_shop, "audience_lookalike", seed="UK", size=1),
        "audience_overlap": call(tiny_shop, "audience_overlap", first="UK", second="UK lookalike"),
        "audience_refresh": call(tiny_shop, "audience_refresh", name="UK"),
        "set_consent": call(tiny_shop, "set_consent", customer_id=17850, opted_out=True),
        "audience_export": call(tiny_shop, "audience_export", name="UK", format="meta"),
        "audience_delete": call(tiny_shop, "audience_delete", name="UK lookalike"),
    }
    for tool, r in results.items():
        en, zh = FORMATTERS[tool](r, False), FORMATTERS[tool](r, True)
        assert en and zh and en != zh, tool
    assert "2 customers" in FORMATTERS["audience_create"](made, False) and "英国" in FORMATTERS["audience_create"](
        made, True
    )
    assert "1 row" in FORMATTERS["audience_export"](results["audience_export"], False)
    assert "uk-meta.csv" in FORMATTERS["audience_export"](results["audience_export"], False)
    shown = describe_change(preview(tiny_shop, "audience_export", name="UK", format="google"), False, None)
    assert shown.startswith("export audience UK as a Google Ads Customer Match") and "1 row (1 opted out" in shown
    new = preview(tiny_shop, "audience_create", name="Iceland", country="Iceland")
    assert describe_change(new, False, None) == "create the audience Iceland (rules: in Iceland) of 1 customer"
    assert "冰岛" in describe_change(new, True, None)
    assert rejected(new, False).startswith("Nothing changed: you rejected the change: create the audience Iceland")


def test_a_reload_of_the_orders_keeps_audiences_consent_and_the_salt(tiny_shop: Shop, tiny_csv: Path) -> None:
    from store.shop import import_orders

    call(tiny_shop, "audience_create", name="UK", country="uk")
    call(tiny_shop, "set_consent", customer_id=17850, opted_out=True)
    call(tiny_shop, "audience_export", name="UK", format="google")
    with tiny_shop.sessions() as s:
        salt = s.get(DmpSecret, "export_salt")
        assert salt is not None
    import_orders(tiny_shop.sessions, tiny_shop.chroma, tiny_csv)  # customers deleted and inserted again
    with tiny_shop.sessions() as s:
        again = s.get(DmpSecret, "export_salt")
        assert again is not None and again.value == salt.value
        assert dmp_store.opted_out(s).tolist() == [17850]
    assert members(tiny_shop, "UK") == [13047, 17850]
