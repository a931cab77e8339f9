"""The DSP's ledger on a SQLite file and on PostgreSQL: reservations never exceed the budget, a charge
is made once and only within its reservation, a release gives back what was not spent."""

from __future__ import annotations

import threading

import pytest

from store import dsp as ledger
from store.db import make_engine, make_sessionmaker


def _campaign(sessions, budget_micros: int = 10_000) -> int:  # type: ignore[no-untyped-def]
    return ledger.add_campaign(
        sessions, name="c", daily_budget=0, budget_micros=budget_micros, max_bid=5.0, strategy="fixed"
    )


def test_reservations_charges_and_release(db_url: str) -> None:
    engine = make_engine(db_url)
    sessions = make_sessionmaker(engine)
    try:
        cid = _campaign(sessions)
        r1, got = ledger.reserve(sessions, campaign_id=cid, period=7, budget_micros=10_000, worker="a", amount=6_000)
        assert got == 6_000
        r2, got2 = ledger.reserve(sessions, campaign_id=cid, period=7, budget_micros=10_000, worker="b", amount=6_000)
        assert got2 == 4_000 and r2 != r1  # only what is left
        assert ledger.reserve(sessions, campaign_id=cid, period=7, budget_micros=10_000, worker="c", amount=1)[1] == 0
        assert r1 is not None and r2 is not None
        bid = ledger.HeldBid("x:1", cid, 1, r1, 7, 5_000)
        assert ledger.charge(sessions, bid, 4_000, kind="win") is True
        with pytest.raises(ledger.NoticeRefused, match="already charged"):
            ledger.charge(sessions, bid, 4_000, kind="win")
        assert ledger.charge(sessions, bid, 4_000, kind="billing") is False  # the win charged it
        over = ledger.HeldBid("y:1", cid, 1, r1, 7, 5_000)
        with pytest.raises(ledger.NoticeRefused, match="cannot hold"):
            ledger.charge(sessions, over, 5_000, kind="win")  # 4,000 + 5,000 > the 6,000 reserved
        assert ledger.totals(sessions, cid)["impressions"] == 1  # the refused charge left no auction behind
        assert ledger.release(sessions, r1) == 2_000 and ledger.release(sessions, r1) == 0
        late = ledger.HeldBid("z:1", cid, 1, r1, 7, 1_000)
        with pytest.raises(ledger.NoticeRefused, match="released"):
            ledger.charge(sessions, late, 1, kind="win")
        book = ledger.ledger(sessions, r2)
        assert book is not None and book.period_spent_micros == 4_000
        again = ledger.reserve(sessions, campaign_id=cid, period=7, budget_micros=10_000, worker="a", amount=9_000)
        assert again[1] == 2_000  # what r1 gave back
        t = ledger.totals(sessions, cid)
        assert t == {"impressions": 1, "clicks": 0, "spent_micros": 4_000, "budget_spent_micros": 4_000}
        assert ledger.click(sessions, "x:1") == cid
        with pytest.raises(ledger.NoticeRefused):
            ledger.click(sessions, "x:1")
        rows = ledger.stats(sessions, cid)
        assert sum(r["wins"] for r in rows) == 1 and sum(r["clicks"] for r in rows) == 1
    finally:
        engine.dispose()


def test_racing_reservations_never_exceed_the_budget(db_url: str) -> None:
    engine = make_engine(db_url)
    sessions = make_sessionmaker(engine)
    try:
        cid = _campaign(sessions, budget_micros=100_000)
        got: list[int] = []

        def take(i: int) -> None:
            for _ in range(10):
                got.append(
                    ledger.reserve(
                        sessions, campaign_id=cid, period=1, budget_micros=100_000, worker=f"w{i}", amount=3_000
                    )[1]
                )

        threads = [threading.Thread(target=take, args=(i,)) for i in range(6)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=60)
        assert sum(got) == 100_000  # 60 asks of 3,000: all of the budget, never more
    finally:
        engine.dispose()
