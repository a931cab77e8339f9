"""Uploaded files (`copilot audience import NAME FILE.csv`, `copilot audience consent FILE.csv`) and the
audience writes through the approval core: a bad line names itself and leaves nothing behind; an
approved export is a file the answer lists; a write that fails on approval changes nothing."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from langchain_core.messages import AIMessage
from sqlalchemy import func, select

from copilot import CopilotError
from copilot.app import Copilot
from copilot.audience_files import import_audience_file, import_consent_file
from copilot.settings import Settings
from dmp import audiences as dmp_store
from store.db import Audience, Consent, PendingChange, make_engine, make_sessionmaker
from store.shop import load_demo_shop
from tests.test_graph import ScriptedChatModel, tc
from tools import Shop


@pytest.fixture
def home(tmp_path: Path, tiny_csv: Path) -> Path:
    """A copilot home holding the tiny shop (customers 12347, 13047, 17850)."""
    home = tmp_path / "home"
    home.mkdir()
    engine = make_engine(f"sqlite:///{home / 'shop.db'}")
    shop = Shop(make_sessionmaker(engine), home / "chroma")
    load_demo_shop(shop.sessions, shop.chroma, path=tiny_csv)
    engine.dispose()
    return home


def _state(home: Path) -> tuple[list[str], list[tuple[int, bool]]]:
    engine = make_engine(f"sqlite:///{home / 'shop.db'}")
    try:
        with make_sessionmaker(engine)() as s:
            consents = [(c.customer_id, c.opted_out) for c in s.scalars(select(Consent).order_by(Consent.customer_id))]
            return dmp_store.names(s), consents
    finally:
        engine.dispose()


def test_a_list_imports_with_its_consent(home: Path, tmp_path: Path) -> None:
    f = tmp_path / "vip.csv"
    f.write_text("CustomerID,opted_out\n12347.0,no\n17850,yes\n\n13047,\n12347,false\n")
    r = import_audience_file("VIP", f, settings=Settings(home=home))
    assert r == {"audience": "VIP", "customers": 3, "lines": 4, "consent_recorded": 1, "opted_out": 1}
    names, consents = _state(home)
    assert names == ["VIP"] and consents == [(12347, False), (17850, True)]


@pytest.mark.parametrize(
    ("text", "error"),
    [
        (
            "customer_id,opted_out\n12347,yes\nabc,no\n",
            "vip.csv line 3, column customer_id: 'abc' is not a customer id",
        ),
        ("customer_id,opted_out\n12347,maybe\n", "vip.csv line 2, column opted_out: 'maybe' is not true or false"),
        ("customer_id,opted_out\n12347,yes\n-5,\n", "vip.csv line 3, column customer_id: '-5' is not a customer id"),
        (
            "customer_id,opted_out\n12347,yes\n99999,no\n",
            "vip.csv: 1 of its 2 customer ids are not the shop's customers (99999)",
        ),
        ("email\na@b.c\n", "vip.csv has no customer id column; name one of its columns customer_id or customerid"),
        ("customer_id\n", "vip.csv has no customer ids below its header"),
    ],
)
def test_a_bad_line_names_itself_and_imports_nothing(home: Path, tmp_path: Path, text: str, error: str) -> None:
    f = tmp_path / "vip.csv"
    f.write_text(text)
    with pytest.raises(CopilotError) as exc:
        import_audience_file("VIP", f, settings=Settings(home=home))
    assert str(exc.value).startswith(error), str(exc.value)
    assert _state(home) == ([], [])


def test_a_duplicate_audience_name_is_refused(home: Path, tmp_path: Path) -> None:
    f = tmp_path / "a.csv"
    f.write_text("customer_id\n12347\n")
    import_audience_file("VIP", f, settings=Settings(home=home))
    with pytest.raises(CopilotError, match="an audience named 'VIP' already exists"):
        import_audience_file("vip", f, settings=Settings(home=home))


def test_consent_imports_whole_and_keeps_customers_not_yet_in_the_shop(home: Path, tmp_path: Path) -> None:
    f = tmp_path / "consent.csv"
    f.write_text("customer_id,opted_out\n12347,1\n55555,true\n13047,0\n")
    r = import_consent_file(f, settings=Settings(home=home))
    assert r == {"customers": 3, "lines": 3, "opted_out": 2, "opted_in": 1, "changed": 2, "not_in_shop": 1}
    f.write_text("customer_id,opted_out\n12347,0\n17850,\n")
    with pytest.raises(CopilotError, match=r"consent\.csv line 3, column opted_out: '' is not true or false"):
        import_consent_file(f, settings=Settings(home=home))
    assert _state(home)[1] == [(12347, True), (13047, False), (55555, True)]  # the bad file changed nothing
    f.write_text("customer_id\n12347\n")
    with pytest.raises(CopilotError, match="has no opted_out column"):
        import_consent_file(f, settings=Settings(home=home))


def test_the_cli_imports_a_list_and_says_a_bad_line_in_one_line(home: Path, tmp_path: Path) -> None:
    from tests.test_cli import cli

    bad = tmp_path / "bad.csv"
    bad.write_text("customer_id\n12347\n12x\n")
    p = cli(home, "audience", "import", "VIP", str(bad))
    assert p.returncode == 1 and p.stderr.count("\n") == 1, p.stderr
    assert "bad.csv line 3, column customer_id: '12x' is not a customer id" in p.stderr
    good = tmp_path / "good.csv"
    good.write_text("customer_id,opted_out\n12347,\n17850,yes\n")
    p = cli(home, "audience", "import", "VIP", str(good))
    assert p.returncode == 0, p.stderr
    assert "audience VIP: 2 customers from 2 lines; 1 of them opted out" in p.stdout


# -- through the approval core -------------------------------------------------------------------


def _copilot(home: Path, calls: list[tuple[str, dict[str, Any]]]) -> Copilot:
    script = [AIMessage("", tool_calls=[tc("transfer_to_profiling", {})])]
    script += [AIMessage("", tool_calls=[tc(name, args)]) for name, args in calls]
    script.append(AIMessage("done"))
    model = ScriptedChatModel(script=script, seen=[])
    return Copilot(Settings(home=home), model=model, model_name="scripted")


def test_an_approved_export_writes_the_file_the_answer_lists(home: Path) -> None:
    cp = _copilot(home, [("audience_create", {"name": "UK", "country": "uk"})])
    try:
        res = cp.ask("save the UK customers as an audience")
        p = res["pending_approval"]
        assert p is not None and p["changes"][0]["to"] == "UK" and p["changes"][0]["size"] == 2
        done = cp.resume(res["thread_id"], approved=True, user="bob")
        assert [c["status"] for c in done["tool_calls"]] == ["ok"]
    finally:
        cp.close()
    cp = _copilot(home, [("audience_export", {"name": "UK", "format": "google"})])
    try:
        res = cp.ask("export the UK audience for Google")
        waiting = res["pending_approval"]["pending"][0]
        assert (waiting["target"]["kind"], waiting["field"]) == ("audience", "size")
        path = Path(res["pending_approval"]["changes"][0]["path"])
        assert not path.exists()
        done = cp.resume(res["thread_id"], approved=True, user="bob")
        assert path.is_file() and path.read_text().splitlines()[0] == "User ID"
        assert [a["path"] for a in done["attachments"] if a["kind"] == "csv"] == [str(path.resolve())]
    finally:
        cp.close()


def test_a_create_whose_name_was_taken_meanwhile_changes_nothing_on_approval(home: Path) -> None:
    cp = _copilot(home, [("audience_create", {"name": "UK", "country": "uk"})])
    try:
        res = cp.ask("save the UK customers as an audience")
        f = home / "iceland.csv"
        f.write_text("customer_id\n12347\n")
        import_audience_file("uk", f, settings=Settings(home=home))  # someone took the name meanwhile
        done = cp.resume(res["thread_id"], approved=True, user="bob")
        assert [c["status"] for c in done["tool_calls"]] == ["error"]
        with cp.sessions() as s:
            row = s.scalars(select(PendingChange)).one()
            assert "already exists" in (row.error or "") and row.applied_at is None
            assert s.scalar(select(func.count()).select_from(Audience)) == 1
            assert dmp_store.members(s, dmp_store.find(s, "uk").id).tolist() == [12347]
    finally:
        cp.close()


def test_consent_is_approved_like_any_change_and_a_moved_one_is_stale(home: Path) -> None:
    cp = _copilot(home, [("set_consent", {"customer_id": 17850, "opted_out": True})])
    try:
        res = cp.ask("customer 17850 unsubscribed")
        waiting = res["pending_approval"]["pending"][0]
        assert (waiting["target"]["kind"], waiting["target"]["id"], waiting["from"], waiting["to"]) == (
            "consent",
            17850,
            None,
            True,
        )
        done = cp.resume(res["thread_id"], approved=True, user="bob")
        assert [c["status"] for c in done["tool_calls"]] == ["ok"]
        assert _state(home)[1] == [(17850, True)]
    finally:
        cp.close()
    cp = _copilot(home, [("set_consent", {"customer_id": 17850, "opted_out": False})])
    try:
        res = cp.ask("17850 opted back in")
        f = home / "c.csv"
        f.write_text("customer_id,opted_out\n17850,no\n")
        import_consent_file(f, settings=Settings(home=home))  # changed meanwhile, to the value asked for
        cp.resume(res["thread_id"], approved=True, user="bob")
        with cp.sessions() as s:
            row = s.scalars(select(PendingChange).order_by(PendingChange.id.desc())).first()
            assert row is not None and row.state == "expired" and "already the value asked for" in (row.reason or "")
    finally:
        cp.close()
