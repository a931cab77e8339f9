"""One bidder process: its campaigns (refreshed from the database within a second of a change), its
budget reservations, the bids it holds until their notice, and its per-minute counts.

Never overspent, with any number of processes: a process bids only within the slice of the period's
budget it reserved (store/dsp.py `reserve`, a conditional UPDATE), holding each bid's price until
its win or loss notice (or `hold_s`); a charge is made against the reservation the bid came from and
only if the reservation can hold it; what a process did not spend goes back when it releases the
reservation (a new period, a paused campaign, shutdown).

The clock says which period a request falls in and how many auctions are left in it:
- "wall": periods are UTC days, the auctions left the campaign's auctions per period times the
  fraction of the day left;
- "replay": an exchange replay's requests carry their position in the log (`ext.replay_tick`), a
  period is `period_auctions` of them (the iPinYou protocol's episode).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import logging
import math
import os
import secrets
import socket
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Literal

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import sessionmaker

from dsp import DspError
from dsp.matching import Matcher
from dsp.openrtb import AUCTION_LOSS, AUCTION_PRICE, Bid, BidRequest, BidResponse, Imp, SeatBid
from dsp.strategy import Strategy
from dsp.targeting import Rules, blocked, fitting
from engine import EngineError, bidding
from store import dsp as ledger
from store.db import DmpSecret, utcnow

log = logging.getLogger("copilot.dsp")

Clock = Literal["wall", "replay"]
DEFAULT_REFRESH_S = 0.5  # campaigns and ledgers re-read this often (a change is followed within a second)
SYNC_ON_SHORTAGE_S = 0.05  # a worker short of budget reads its books at most this often before giving up
DEFAULT_IDLE_S = 1.0  # a reservation this worker has not bid from for this long, holding nothing, is released
DEFAULT_HOLD_S = 30.0  # a bid's price is held this long for its notice
DEFAULT_SLICE = 0.1  # a reservation tops up by this share of the period's budget (at least the bid);
# a campaign's params.reservation_share sets its own (larger when its budget is a few bids)
SECRET_KEY = "dsp_notices"


def notice_secret(sessions: sessionmaker) -> bytes:
    """The key that signs notice URLs, made once per database and shared by every worker."""
    with sessions.begin() as s:
        ledger._insert_new(s, DmpSecret, key=SECRET_KEY, value=secrets.token_hex(32), created_at=utcnow())
    with sessions() as s:
        return bytes.fromhex(str(s.scalar(select(DmpSecret.value).where(DmpSecret.key == SECRET_KEY))))


class Tickets:
    """Notice tokens: the bid's facts (store/dsp.py HeldBid), base64url, and a MAC (keyed BLAKE2b)
    so that no forged notice charges."""

    def __init__(self, key: bytes) -> None:
        self._key = key

    def make(self, t: ledger.HeldBid) -> str:
        raw = "\x1f".join(
            str(x) for x in (t.auction, t.campaign_id, t.creative_id, t.reservation_id, t.period, t.bid_micros)
        ).encode()
        body = base64.urlsafe_b64encode(raw).decode().rstrip("=")
        return f"{body}.{self._sign(body)}"

    def read(self, token: str) -> ledger.HeldBid:
        body, _, sig = token.partition(".")
        if not body or not hmac.compare_digest(sig, self._sign(body)):
            raise ledger.NoticeRefused(404, "unknown auction: the notice's token is not one of our bids")
        a, c, cr, r, p, b = (
            base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)).decode().split("\x1f")
        )  # signed: ours
        return ledger.HeldBid(a, int(c), int(cr), int(r), int(p), int(b))

    def _sign(self, body: str) -> str:
        # keyed BLAKE2b is a MAC by design (no HMAC construction needed) and one C call
        return hashlib.blake2b(body.encode(), key=self._key, digest_size=16).hexdigest()


@dataclass
class _Live:
    """A campaign as this worker bids for it."""

    row: dict[str, Any]
    rules: Rules
    strategy: Strategy
    period: int | None = None
    reservation: int | None = None
    reserved: int = 0  # micros granted to this worker's reservation
    spent: int = 0  # micros charged against it (known here)
    others_spent: int = 0  # the period's spend by other workers, at the last refresh
    held: dict[str, tuple[int, float]] = field(default_factory=dict)  # auction -> (micros, since)
    held_total: int = 0
    # reservations of periods this worker has left whose bids still await their notices: reservation
    # -> its held auctions; released once they are in (or expired), so that those notices still charge
    retired: dict[int, dict[str, tuple[int, float]]] = field(default_factory=dict)
    left: int = 0  # the auctions left in the period at its last request
    version: int = 0  # bumped at every change to the books (a charge booked, a reservation made or released)
    exhausted: bool = False  # the budget is all reserved and this worker's slice is held: no bid till a refresh
    multiplier: float = 1.0  # the pacing controller's, for the budget-blind strategies
    synced: float = 0.0  # when its books were last read (monotonic)
    used: float = 0.0  # when it last bid (monotonic)

    @property
    def available(self) -> int:
        return self.reserved - self.spent - self.held_total

    def unhold(self, auction: str, reservation: int | None = None) -> int:
        """Let the hold of a bid go (one from a retired `reservation`, when given); its micros."""
        if reservation is not None and reservation != self.reservation:
            amount, _ = self.retired.get(reservation, {}).pop(auction, (0, 0.0))
            return amount
        amount, _ = self.held.pop(auction, (0, 0.0))
        self.held_total -= amount
        return amount


class Bidder:
    def __init__(
        self,
        sessions: sessionmaker,
        *,
        clock: Clock = "wall",
        worker: str | None = None,
        refresh_s: float = DEFAULT_REFRESH_S,
        hold_s: float = DEFAULT_HOLD_S,
        slice_share: float = DEFAULT_SLICE,
        idle_s: float = DEFAULT_IDLE_S,
        matcher: Matcher | None = None,
    ) -> None:
        if clock not in ("wall", "replay"):
            raise DspError("the clock is 'wall' or 'replay'")
        self.sessions = sessions
        self.clock = clock
        self.worker = worker or f"{socket.gethostname()[:40]}:{os.getpid()}:{secrets.token_hex(3)}"
        self.refresh_s = refresh_s
        self.hold_s = hold_s
        self.slice_share = slice_share
        self.idle_s = idle_s
        self.matcher = matcher  # the ranker that scores (request, creative) pairs without an ext.pctr
        self.tickets = Tickets(notice_secret(sessions))
        # the campaigns' state; a charge's commit and its booking here happen under it, so that a
        # refresh never reads a charge it then books again
        self._lock = threading.RLock()
        self._live: dict[int, _Live] = {}
        self._counts: dict[tuple[int, int], dict[str, int]] = {}  # (campaign, UTC minute since the epoch)
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.refresh()

    # -- lifecycle -----------------------------------------------------------------------------

    def start(self) -> None:
        """Refresh in the background every `refresh_s`."""
        self._thread = threading.Thread(target=self._loop, name="dsp-refresh", daemon=True)
        self._thread.start()

    def _loop(self) -> None:
        while not self._stop.wait(self.refresh_s):
            try:
                self.refresh()
            except Exception as exc:  # the database away for a moment: bid on what we know, try again
                log.warning("dsp refresh failed: %s", " ".join(str(exc).split())[:300])

    def close(self) -> None:
        """Stop refreshing, give back every reservation's unspent part, write the last counts."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=10)
        with self._lock:
            for live in self._live.values():
                self._release(live)
        self._flush()

    # -- refresh -------------------------------------------------------------------------------

    def refresh(self) -> None:
        """Re-read the campaigns (rebuilt when changed), each reservation's ledger and drop expired
        holds; write the counts."""
        rows = ledger.load_campaigns(self.sessions)
        with self._lock:
            seen = set()
            for row in rows:
                seen.add(row["id"])
                live = self._live.get(row["id"])
                if live is not None and live.row["updated_at"] == row["updated_at"]:
                    live.row["creatives"], live.row["audience_members"] = row["creatives"], row["audience_members"]
                    live.rules = Rules.compile(row["targeting"], row["audience_members"])
                    continue
                try:
                    fresh = _Live(
                        row,
                        Rules.compile(row["targeting"], row["audience_members"]),
                        Strategy.make(
                            row["strategy"], row["params"], budget_micros=row["budget_micros"], max_bid=row["max_bid"]
                        ),
                    )
                except (DspError, EngineError, ValueError) as exc:
                    log.warning("dsp campaign %s cannot bid: %s", row["id"], " ".join(str(exc).split())[:300])
                    if live is not None:
                        self._release(live)
                        del self._live[row["id"]]
                    continue
                if live is not None:  # a change: keep what the strategy learnt and the period's books
                    fresh.strategy.seen = live.strategy.seen
                    books = ("period", "reservation", "reserved", "spent", "others_spent", "held", "held_total")
                    for k in (*books, "retired", "version"):
                        setattr(fresh, k, getattr(live, k))
                    if row["status"] != "active":
                        self._release(fresh)
                self._live[row["id"]] = fresh
            for gone in set(self._live) - seen:
                self._release(self._live.pop(gone))
            now = time.monotonic()
            for live in self._live.values():
                for auction, (_, since) in list(live.held.items()):
                    if now - since > self.hold_s:
                        live.unhold(auction)
                for rid, held in list(live.retired.items()):
                    for auction, (_, since) in list(held.items()):
                        if now - since > self.hold_s:
                            del held[auction]
                    if not held:
                        del live.retired[rid]
                        ledger.release(self.sessions, rid)
                if live.reservation is not None and not live.held and now - live.used > self.idle_s:
                    self._release(live, retired=False)  # no traffic here: give the slice back for the busy workers
                live.exhausted = False  # slices given back elsewhere may leave room: ask again
        self._sync_ledgers()
        self._flush()

    def _sync_ledgers(self) -> None:
        """Every reservation's books, read outside the lock (bids go on meanwhile) and taken only if
        nothing changed them in between (else at the next refresh)."""
        with self._lock:
            todo = [
                (cid, live.reservation, list(live.held), live.version)
                for cid, live in self._live.items()
                if live.reservation is not None
            ]
        for cid, rid, held, version in todo:
            charged = ledger.charged_among(self.sessions, rid, held)
            book = ledger.ledger(self.sessions, rid)
            with self._lock:
                live = self._live.get(cid)
                if live is not None and live.reservation == rid and live.version == version:
                    self._book(live, charged, book)

    def _sync(self, live: _Live) -> None:
        """A reservation's books from the database (under the lock)."""
        rid = live.reservation
        if rid is None:
            return
        self._book(live, ledger.charged_among(self.sessions, rid, list(live.held)), ledger.ledger(self.sessions, rid))

    def _book(self, live: _Live, charged: list[str], book: ledger.Ledger | None) -> None:
        """Take a reservation's books (under the lock): the holds other workers' notices charged are
        let go, read before the ledger so that the spend read next includes every charge whose hold
        is let go."""
        live.synced = time.monotonic()
        for auction in charged:
            live.unhold(auction)
        if book is None:
            return
        live.spent = book.reservation_spent_micros
        live.reserved = book.reservation_reserved_micros
        live.exhausted = False  # holds let go may leave room: look again
        live.others_spent = book.period_spent_micros - book.reservation_spent_micros
        if live.row["pacing"] and self.clock == "wall":
            live.multiplier = _pacing(live.row["budget_micros"], book.period_spent_micros)

    def _flush(self) -> None:
        with self._lock:
            counts, self._counts = self._counts, {}
        try:
            ledger.flush_stats(
                self.sessions,
                {(cid, datetime.fromtimestamp(m * 60, UTC).replace(tzinfo=None)): c for (cid, m), c in counts.items()},
            )
        except Exception:
            with self._lock:  # keep them for the next try
                for key, add in counts.items():
                    mine = self._counts.setdefault(key, {})
                    for f, v in add.items():
                        mine[f] = mine.get(f, 0) + v
            raise

    def _count(self, campaign_id: int, what: str, n: int = 1) -> None:
        key = (campaign_id, int(time.time() // 60))
        slot = self._counts.setdefault(key, {})
        slot[what] = slot.get(what, 0) + n

    # -- bidding -------------------------------------------------------------------------------

    def bid(self, req: BidRequest, base_url: str) -> BidResponse | None:
        """The response to a bid request, or None (204: nothing eligible or worth bidding)."""
        started = time.monotonic()
        tick = _tick(req) if self.clock == "replay" else None
        if self.clock == "replay" and tick is None:
            raise DspError(
                "this bidder runs on an exchange replay's clock: a request needs ext.replay_tick, an integer"
            )
        hour = datetime.now(UTC).hour if tick is None else 0
        bids: list[Bid] = []
        with self._lock:
            for imp in req.imp:
                made = self._bid_imp(req, imp, tick, hour, base_url)
                if made is not None:
                    bids.append(made)
            if bids and req.tmax is not None and (time.monotonic() - started) * 1000 > req.tmax:
                for b in bids:  # too late to be heard: bid nothing, hold nothing
                    for live in self._live.values():
                        live.unhold(f"{req.id}:{b.impid}")
                return None
        if not bids:
            return None
        return BidResponse(id=req.id, seatbid=[SeatBid(bid=bids, seat="copilot")], bidid=bids[0].id)

    def _bid_imp(self, req: BidRequest, imp: Imp, tick: int | None, hour: int, base_url: str) -> Bid | None:
        auction = f"{req.id}:{imp.id}"
        best: tuple[float, _Live, dict[str, Any], int] | None = None
        for live in self._live.values():
            row = live.row
            if row["status"] != "active" or not live.rules.request_passes(req, hour):
                continue
            ads = [a for a in fitting(row["creatives"], live.rules.slot_sizes(imp)) if not blocked(a, req)]
            if not ads:
                continue
            self._count(row["id"], "requests")
            period, left = self._position(live, tick)
            if live.period is not None and period < live.period:
                # a replay's request of a period this worker has left, arriving late (a concurrent
                # exchange): bid it in the period at hand, where the last request stood
                period, left = live.period, live.left
            live.left = left
            if period != live.period:
                self._new_period(live, period)
            if live.exhausted:
                continue
            creative, pctr = ads[0], imp.pctr()
            if pctr is None and self.matcher is not None:  # ad matching: the creative of the best pCTR
                creative, pctr = self._match(req, imp, ads, hour)
            if pctr is None:
                pctr = float(row["params"].get("ctr", row["params"].get("mean_ctr", 0.001)))
            live.strategy.prepare(period)
            budget_left = row["budget_micros"] - live.others_spent - live.spent
            price = live.strategy.bid(
                pctr, auctions_left=left, budget_left_micros=budget_left, multiplier=live.multiplier
            )
            live.strategy.observe(pctr)
            if price <= 0 or price < imp.bidfloor:
                continue
            if best is None or price > best[0]:
                best = (price, live, creative, period)
        if best is None:
            return None
        price, live, creative, period = best
        need = ledger.cpm_micros(price)
        if live.available < need:
            self._reserve(live, period, need - live.available)
        if live.available < need and live.held and time.monotonic() - live.synced > SYNC_ON_SHORTAGE_S:
            self._sync(live)  # other workers' notices may have settled some of our holds
            if live.available < need:
                self._reserve(live, period, need - live.available)
        if live.available < need:  # bid what the reservation holds, if that still clears the floor
            price = math.floor(live.available / 1000) if live.strategy.name != "fixed" else live.available / 1000
            need = ledger.cpm_micros(price)
            if price <= 0 or price < imp.bidfloor:
                if live.available <= 0 and not self._reserve(live, period, 1):
                    live.exhausted = True
                return None
        assert live.reservation is not None
        live.used = time.monotonic()
        live.held[auction] = (need, live.used)
        live.held_total += need
        self._count(live.row["id"], "bids")
        token = self.tickets.make(
            ledger.HeldBid(auction, live.row["id"], creative["id"], live.reservation, period, need)
        )
        root = base_url.rstrip("/")
        return Bid(
            id=f"{req.id}-{imp.id}",
            impid=imp.id,
            price=float(price),
            adid=str(creative["id"]),
            crid=creative["crid"],
            adm=creative["adm"].replace("{CLICK_URL}", f"{root}/openrtb2/click?t={token}"),
            adomain=[creative["adomain"]] if creative.get("adomain") else None,
            w=creative["w"],
            h=creative["h"],
            nurl=f"{root}/openrtb2/win?t={token}&price={AUCTION_PRICE}",
            burl=f"{root}/openrtb2/billing?t={token}&price={AUCTION_PRICE}",
            lurl=f"{root}/openrtb2/loss?t={token}&reason={AUCTION_LOSS}",
        )

    def _match(self, req: BidRequest, imp: Imp, ads: list[dict[str, Any]], hour: int) -> tuple[dict[str, Any], float]:
        """The creative whose pairing with the request the ranker scores highest, and that pCTR."""
        assert self.matcher is not None
        geo = req.device.geo if req.device and req.device.geo else None
        weekday = str(datetime.now(UTC).weekday())
        fields = [
            [
                (geo.region if geo else None) or "",
                (geo.city if geo else None) or "",
                req.domain() or "",
                imp.tagid or "",
                f"{a['w']}x{a['h']}",
                "",
                "",
                str(hour),
                weekday,
                (req.device.ua if req.device else None) or "",
            ]
            for a in ads
        ]
        scores = self.matcher.pctr(fields)
        best = int(np.argmax(scores))
        return ads[best], float(scores[best])

    def _position(self, live: _Live, tick: int | None) -> tuple[int, int]:
        """(period, auctions left in it, this one included)."""
        n = live.strategy.period_auctions
        if tick is not None:
            return tick // n, n - tick % n
        now = datetime.now(UTC)
        left = 1.0 - (now.hour * 3600 + now.minute * 60 + now.second) / 86400
        return now.toordinal(), max(1, math.ceil(n * left))

    def _new_period(self, live: _Live, period: int) -> None:
        """Leave the period: its reservation is released, or retired while its bids await notices."""
        if live.reservation is not None and live.held:
            live.retired[live.reservation] = live.held
            live.reservation = None
            live.reserved = live.spent = live.held_total = 0
            live.held = {}
            live.version += 1
        else:
            self._release(live, retired=False)
        live.period = period
        live.exhausted = False
        live.others_spent = 0

    def _reserve(self, live: _Live, period: int, short: int) -> int:
        budget = live.row["budget_micros"]
        share = float(live.row["params"].get("reservation_share", self.slice_share))
        want = max(short, math.ceil(budget * share))
        rid, granted = ledger.reserve(
            self.sessions,
            campaign_id=live.row["id"],
            period=period,
            budget_micros=budget,
            worker=self.worker,
            amount=want,
            reservation_id=live.reservation,
        )
        if rid != live.reservation:  # a new reservation (the old one, if any, was released)
            live.spent = 0
            live.reserved = 0
        live.reservation = rid
        live.reserved += granted
        live.version += 1
        return granted

    def _release(self, live: _Live, *, retired: bool = True) -> None:
        """Give back the reservation's unspent part (and the retired ones', with `retired`)."""
        if retired:
            for rid in live.retired:
                ledger.release(self.sessions, rid)
            live.retired.clear()
        if live.reservation is not None:
            ledger.release(self.sessions, live.reservation)
        live.others_spent += live.spent  # the period's spend stays known: its budget left is unchanged
        live.reservation = None
        live.reserved = live.spent = live.held_total = 0
        live.held.clear()
        live.version += 1

    # -- notices -------------------------------------------------------------------------------

    def charge(self, token: str, price: str, kind: Literal["win", "billing"]) -> dict[str, Any]:
        """A win or billing notice: the auction charged at the clearing price, once."""
        t = self.tickets.read(token)
        micros = ledger.cpm_micros(_price(price))
        with self._lock:
            charged = ledger.charge(self.sessions, t, micros, kind=kind, stats=False)
            if charged:  # the win's stats are written with the other counts, at the next refresh
                self._count(t.campaign_id, "wins")
                self._count(t.campaign_id, "spend_micros", micros)
            live = self._live.get(t.campaign_id)
            if live is not None and live.reservation == t.reservation_id:
                if charged:
                    live.spent += micros
                    live.version += 1
                live.unhold(t.auction)
            elif live is not None:
                live.unhold(t.auction, t.reservation_id)  # a bid of a period this worker has left
        return {"auction": t.auction, "charged": charged, "price": micros / 1000}

    def loss(self, token: str) -> dict[str, Any]:
        t = self.tickets.read(token)
        with self._lock:
            live = self._live.get(t.campaign_id)
            released = live.unhold(t.auction, t.reservation_id) if live is not None else 0
        return {"auction": t.auction, "released": released > 0}

    def click(self, token: str) -> str | None:
        """Record the click; where it leads (the creative's click URL), if anywhere."""
        t = self.tickets.read(token)
        ledger.click(self.sessions, t.auction)
        with self._lock:
            live = self._live.get(t.campaign_id)
            ads = live.row["creatives"] if live is not None else []
        return next((a["click_url"] for a in ads if a["id"] == t.creative_id), None)


def _tick(req: BidRequest) -> int | None:
    v = (req.ext or {}).get("replay_tick")
    return v if isinstance(v, int) and not isinstance(v, bool) and v >= 0 else None


def _price(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise ledger.NoticeRefused(
            400, f"the price {text[:40]!r} is not a number (was ${{AUCTION_PRICE}} substituted?)"
        ) from None
    if not math.isfinite(value) or value < 0:
        raise ledger.NoticeRefused(400, "the price must be a number of 0 or more")
    return value


def _pacing(budget_micros: int, spent_micros: int) -> float:
    now = datetime.now(UTC)
    elapsed = max((now.hour * 3600 + now.minute * 60 + now.second) / 86400, 1 / 86400)
    try:
        return bidding.pacing_status(budget_micros, spent_micros, elapsed).bid_multiplier
    except EngineError:
        return 1.0


__all__ = ["Bidder", "Tickets", "notice_secret"]
