"""Never overspent: `copilot dsp serve --workers 4` on one database (a SQLite file, then PostgreSQL),
2,000 concurrent bid requests, each bid won at half its price, with a budget that runs out halfway.
The workers reserve the budget in slices; the total charged stays within the budget and, once it is
spent, the bidder stops bidding for the campaign."""

from __future__ import annotations

import asyncio
import json
import time
from pathlib import Path

import httpx
from sqlalchemy import func, select

from store import dsp as ledger
from store.db import DspAuction, DspBudget, DspReservation, make_engine, make_sessionmaker
from tests.serving import bounded, dsp_serving

BUDGET_MICROS = 1_000_000  # one unit of currency: 1,000 impressions at a CPM of 1.0
MAX_BID = 2.0  # each bid holds 2,000 micros until its notice
CLEARING = 1.0  # ... and is charged 1,000 (or its price, when a worker's last bid is lower)
REQUESTS = 2_000
CLIENTS = 32


def _body(i: int) -> bytes:
    return json.dumps(
        {
            "id": f"q{i}",
            "imp": [{"id": "1", "banner": {"w": 300, "h": 250}, "bidfloor": 0.1}],
            "site": {"domain": "news.example"},
            "tmax": 30_000,
        }
    ).encode()


async def _fire(url: str, ids: range, clients: int) -> list[int]:
    statuses: list[int] = []
    sem = asyncio.Semaphore(clients)
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    async with httpx.AsyncClient(base_url=url, timeout=60, limits=limits) as http:

        async def one(i: int) -> None:
            async with sem:
                r = await http.post("/openrtb2/bid", content=_body(i), headers={"content-type": "application/json"})
                statuses.append(r.status_code)
                if r.status_code == 200:
                    bid = r.json()["seatbid"][0]["bid"][0]
                    price = min(bid["price"], CLEARING)  # second price: never above the bid
                    win = await http.get(bid["nurl"].replace("${AUCTION_PRICE}", str(price)))
                    assert win.status_code == 200, win.text

        await asyncio.gather(*(one(i) for i in ids))
    return statuses


def test_four_workers_never_overspend_and_stop_bidding(db_url: str, tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    if not db_url.startswith("postgres"):
        db_url = f"sqlite:///{home / 'shop.db'}"
    engine = make_engine(db_url)
    sessions = make_sessionmaker(engine)
    cid = ledger.add_campaign(
        sessions,
        name="flash",
        daily_budget=0,
        budget_micros=BUDGET_MICROS,
        max_bid=MAX_BID,
        strategy="fixed",
        pacing=False,
    )
    ledger.add_creative(sessions, cid, crid="a", w=300, h=250, adm="<img>")
    with dsp_serving(home, workers=4, db_url=db_url) as (_proc, url), bounded(400):
        statuses = asyncio.run(_fire(url, range(REQUESTS), CLIENTS))
        late = []  # rounds after a pause: workers refresh their books and give back idle slices,
        for k in range(8):  # whose crumbs other workers bid (below the max) until none is left
            time.sleep(1.5)
            late.append(asyncio.run(_fire(url, range(REQUESTS + 50 * k, REQUESTS + 50 * k + 50), 8)))
            if late[-1] == [204] * 50:
                break
    assert sorted(set(statuses)) == [200, 204] and len(statuses) == REQUESTS
    with sessions() as s:
        charged = int(s.scalar(select(func.coalesce(func.sum(DspAuction.price_micros), 0))))
        spent, reserved = s.execute(select(DspBudget.spent_micros, DspBudget.reserved_micros)).one()
        live = s.scalar(select(func.count(DspReservation.id)).where(DspReservation.released_at.is_(None)))
    assert charged == spent <= BUDGET_MICROS  # never overspent
    assert charged >= 0.99 * BUDGET_MICROS, (charged, statuses.count(200))  # it ran out ...
    assert 0.4 * REQUESTS <= statuses.count(200) <= 0.55 * REQUESTS  # ... about halfway
    assert late[-1] == [204] * 50, [r.count(200) for r in late]  # and the bidder stopped bidding for it
    assert live == 0 and reserved == spent  # shutdown gave back every unspent slice
    engine.dispose()
