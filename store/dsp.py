"""The DSP's ledger: campaigns and creatives, budget reservations and charges, per-minute stats.

Money is integer micros of the campaign's currency (a CPM price p is p * 1,000 micros an impression),
so that sums are exact. Two rules keep spend within budget whatever the number of bidder processes:

- a process reserves a slice of a period's budget with one conditional UPDATE
  (`reserved + slice <= budget`), so the slices handed out never exceed the budget;
- a charge is one transaction that records the auction (unique: charged once) and adds the price to
  the reservation the bid was made from, with the condition `spent + price <= reserved` on a
  reservation not yet released; a charge that would break it is refused, never made.

Releasing a reservation marks it released first (which makes any later charge against it fail),
then gives back to the budget what it did not spend.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator
from sqlalchemy import Connection, bindparam, literal_column, select, update
from sqlalchemy.orm import Session, sessionmaker

from store import StoreError
from store.db import (
    AudienceMember,
    DspAuction,
    DspBudget,
    DspCampaign,
    DspCreative,
    DspReservation,
    DspStat,
    utcnow,
)

MICROS = 1_000_000
STAT_FIELDS = ("requests", "bids", "wins", "spend_micros", "clicks")
_SIZE = re.compile(r"^[1-9][0-9]{0,4}x[1-9][0-9]{0,4}$")
_CAS_TRIES = 50  # a reservation's compare-and-set retried this often when other processes race it


class NoticeRefused(StoreError):
    """A notice that charges nothing: its status (404 unknown, 409 already charged or over the
    reservation) and one line."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


def micros(amount: float) -> int:
    """An amount of the currency in micros."""
    return round(amount * MICROS)


def cpm_micros(price: float) -> int:
    """What one impression costs, in micros, at a CPM price."""
    return round(price * 1000)


class Targeting(BaseModel):
    """A DSP campaign's targeting rules as stored (DspCampaign.targeting) and as the bidding specialist
    sets them (dsp/targeting.py says what each means to the bidder)."""

    model_config = ConfigDict(extra="forbid")

    regions: list[str] = Field(default_factory=list, max_length=1000)
    hours: list[int] = Field(default_factory=list, max_length=24)
    domains_allow: list[str] = Field(default_factory=list, max_length=10_000)
    domains_block: list[str] = Field(default_factory=list, max_length=10_000)
    sizes: list[str] = Field(default_factory=list, max_length=100)
    audiences: list[int] = Field(default_factory=list, max_length=100)

    @field_validator("hours")
    @classmethod
    def _hours(cls, v: list[int]) -> list[int]:
        bad = [h for h in v if not 0 <= h <= 23]
        if bad:
            raise ValueError(f"hours are 0 to 23, not {bad[0]}")
        return v

    @field_validator("sizes")
    @classmethod
    def _sizes(cls, v: list[str]) -> list[str]:
        bad = [s for s in v if not _SIZE.match(s)]
        if bad:
            raise ValueError(f"a size is WIDTHxHEIGHT, like 300x250, not {bad[0]!r}")
        return v

    @field_validator("regions")
    @classmethod
    def _regions(cls, v: list[str]) -> list[str]:
        return list(dict.fromkeys(r.strip().lower() for r in v if r.strip()))

    @field_validator("domains_allow", "domains_block")
    @classmethod
    def _domains(cls, v: list[str]) -> list[str]:
        return [d.strip().lower() for d in v if d.strip()]


# -- campaigns ----------------------------------------------------------------------------------


def add_campaign(
    sessions: sessionmaker,
    *,
    name: str,
    daily_budget: float,
    max_bid: float,
    strategy: str,
    params: dict[str, Any] | None = None,
    targeting: dict[str, Any] | None = None,
    pacing: bool = True,
    status: str = "active",
    campaign_id: int | None = None,
    budget_micros: int | None = None,
) -> int:
    """A new DSP campaign; its id. `budget_micros` gives the daily budget exactly instead."""
    if daily_budget <= 0 and not budget_micros:
        raise StoreError("a DSP campaign's daily budget must be above zero")
    if max_bid <= 0:
        raise StoreError("a DSP campaign's max bid must be above zero")
    with sessions.begin() as s:
        if s.scalar(select(DspCampaign.id).where(DspCampaign.name == name)) is not None:
            raise StoreError(f"a DSP campaign named {name!r} already exists: pick another name")
        row = DspCampaign(
            name=name,
            campaign_id=campaign_id,
            status=status,
            daily_budget_micros=budget_micros or micros(daily_budget),
            max_bid=float(max_bid),
            strategy=strategy,
            params=params or {},
            targeting=targeting or {},
            pacing=pacing,
            updated_at=utcnow(),
        )
        s.add(row)
        s.flush()
        return int(row.id)


def add_creative(
    sessions: sessionmaker,
    campaign_id: int,
    *,
    crid: str,
    w: int,
    h: int,
    adm: str,
    adomain: str | None = None,
    click_url: str | None = None,
) -> int:
    with sessions.begin() as s:
        if s.get(DspCampaign, campaign_id) is None:
            raise StoreError(f"no DSP campaign {campaign_id}")
        row = DspCreative(
            campaign_id=campaign_id, crid=crid, w=w, h=h, adm=adm, adomain=adomain, click_url=click_url, status="active"
        )
        s.add(row)
        s.flush()
        return int(row.id)


def update_campaign(sessions: sessionmaker, campaign_id: int, **fields: Any) -> None:
    """Change a DSP campaign's status, budget, max bid, targeting or pacing (the bidder picks it up
    at its next refresh)."""
    allowed = {"status", "daily_budget_micros", "max_bid", "targeting", "pacing", "params", "strategy"}
    bad = set(fields) - allowed
    if bad:
        raise StoreError(
            f"cannot change {', '.join(sorted(bad))} of a DSP campaign; fields: {', '.join(sorted(allowed))}"
        )
    with sessions.begin() as s:
        done = s.execute(
            update(DspCampaign).where(DspCampaign.id == campaign_id).values(**fields, updated_at=utcnow())
        ).rowcount
        if not done:
            raise StoreError(f"no DSP campaign {campaign_id}")


def load_campaigns(sessions: sessionmaker) -> list[dict[str, Any]]:
    """Every DSP campaign with its active creatives, and the members of the audiences its targeting
    names (customer ids as text: a request's user id)."""
    with sessions() as s:
        camps = s.scalars(select(DspCampaign).order_by(DspCampaign.id)).all()
        creatives = s.scalars(select(DspCreative).where(DspCreative.status == "active").order_by(DspCreative.id)).all()
        wanted = {int(a) for c in camps for a in (c.targeting or {}).get("audiences") or ()}
        members: dict[int, set[str]] = {a: set() for a in wanted}
        if wanted:
            for aid, cid in s.execute(
                select(AudienceMember.audience_id, AudienceMember.customer_id).where(
                    AudienceMember.audience_id.in_(wanted)
                )
            ):
                members[aid].add(str(cid))
    out = []
    for c in camps:
        ads = [
            {
                "id": a.id,
                "crid": a.crid,
                "w": a.w,
                "h": a.h,
                "adm": a.adm,
                "adomain": a.adomain,
                "click_url": a.click_url,
            }
            for a in creatives
            if a.campaign_id == c.id
        ]
        aud = [members.get(int(a), set()) for a in (c.targeting or {}).get("audiences") or ()]
        out.append(
            {
                "id": c.id,
                "name": c.name,
                "status": c.status,
                "budget_micros": int(c.daily_budget_micros),
                "max_bid": float(c.max_bid),
                "strategy": c.strategy,
                "params": dict(c.params or {}),
                "targeting": dict(c.targeting or {}),
                "pacing": bool(c.pacing),
                "updated_at": c.updated_at,
                "creatives": ads,
                "audience_members": aud,
            }
        )
    return out


# -- reservations -------------------------------------------------------------------------------


def reserve(
    sessions: sessionmaker,
    *,
    campaign_id: int,
    period: int,
    budget_micros: int,
    worker: str,
    amount: int,
    reservation_id: int | None = None,
) -> tuple[int | None, int]:
    """Reserve up to `amount` micros of the period's budget for `worker` (adding to its live
    reservation `reservation_id`, or a new one): (the reservation's id, micros granted, 0 when the
    budget is all reserved). The period's budget row is made at `budget_micros` when first met."""
    if amount <= 0:
        raise StoreError("a reservation must be of a positive amount")
    with sessions.begin() as s:
        _ensure_budget(s, campaign_id, period, budget_micros)
        granted = 0
        for _ in range(_CAS_TRIES):
            row = s.execute(
                select(DspBudget.budget_micros, DspBudget.reserved_micros).where(
                    DspBudget.campaign_id == campaign_id, DspBudget.period == period
                )
            ).one()
            grant = min(amount, int(row.budget_micros) - int(row.reserved_micros))
            if grant <= 0:
                return reservation_id, 0
            done = s.execute(
                update(DspBudget)
                .where(
                    DspBudget.campaign_id == campaign_id,
                    DspBudget.period == period,
                    DspBudget.reserved_micros == row.reserved_micros,  # nobody reserved since we read
                    DspBudget.reserved_micros + grant <= DspBudget.budget_micros,
                )
                .values(reserved_micros=DspBudget.reserved_micros + grant)
            ).rowcount
            if done:
                granted = grant
                break
        else:
            return reservation_id, 0  # too contended this time: the bidder asks again later
        if reservation_id is not None:
            topped = s.execute(
                update(DspReservation)
                .where(DspReservation.id == reservation_id, DspReservation.released_at.is_(None))
                .values(reserved_micros=DspReservation.reserved_micros + granted)
            ).rowcount
            if topped:
                return reservation_id, granted
        res = DspReservation(
            campaign_id=campaign_id, period=period, worker=worker[:64], reserved_micros=granted, spent_micros=0
        )
        s.add(res)
        s.flush()
        return int(res.id), granted


def _ensure_budget(s: Session, campaign_id: int, period: int, budget_micros: int) -> None:
    _insert_new(
        s,
        DspBudget,
        campaign_id=campaign_id,
        period=period,
        budget_micros=budget_micros,
        reserved_micros=0,
        spent_micros=0,
    )


_INSERTS: dict[tuple[str, str], Any] = {}


def _insert_new(s: Session | Connection, model: Any, **values: Any) -> bool:
    """Insert a row unless its key is taken (ON CONFLICT DO NOTHING, SQLite and PostgreSQL alike):
    whether it was inserted. No savepoint, so the caller's transaction stays one."""
    from sqlalchemy.dialects import postgresql, sqlite

    conn = s.connection() if isinstance(s, Session) else s
    name = conn.dialect.name
    stmt = _INSERTS.get((model.__tablename__, name))
    if stmt is None:  # made once: building a statement costs more than running it
        dialect = postgresql if name == "postgresql" else sqlite
        stmt = dialect.insert(model.__table__).on_conflict_do_nothing().returning(literal_column("1"))
        _INSERTS[(model.__tablename__, name)] = stmt
    return conn.execute(stmt, values).first() is not None  # (rowcount is -1 there on PostgreSQL)


def _lock_budget(s: Session | Connection, campaign_id: int, period: int) -> None:
    """Lock the period's budget row before any reservation of it (PostgreSQL; SQLite writes one at a
    time anyway, and renders no FOR UPDATE: nothing to run there): reserve, charge and release then
    all take the budget first and a reservation second, so two of them never wait on each other in
    opposite orders (a deadlock PostgreSQL would abort)."""
    conn = s.connection() if isinstance(s, Session) else s
    if conn.dialect.name == "sqlite":
        return
    conn.execute(_LOCK_BUDGET, {"p_cid": campaign_id, "p_period": period})


_LOCK_BUDGET = (
    select(DspBudget.campaign_id)
    .where(DspBudget.campaign_id == bindparam("p_cid"), DspBudget.period == bindparam("p_period"))
    .with_for_update()
)


def release(sessions: sessionmaker, reservation_id: int) -> int:
    """Give back to the budget what a reservation did not spend; the micros given back (0 when it was
    already released). No charge against it succeeds afterwards."""
    with sessions.begin() as s:
        where = s.execute(
            select(DspReservation.campaign_id, DspReservation.period).where(DspReservation.id == reservation_id)
        ).one_or_none()
        if where is None:
            return 0
        _lock_budget(s, int(where.campaign_id), int(where.period))
        claimed = s.execute(
            update(DspReservation)
            .where(DspReservation.id == reservation_id, DspReservation.released_at.is_(None))
            .values(released_at=utcnow())
        ).rowcount
        if not claimed:
            return 0
        res = s.execute(
            select(
                DspReservation.campaign_id,
                DspReservation.period,
                DspReservation.reserved_micros,
                DspReservation.spent_micros,
            ).where(DspReservation.id == reservation_id)
        ).one()
        back = int(res.reserved_micros) - int(res.spent_micros)
        s.execute(
            update(DspReservation).where(DspReservation.id == reservation_id).values(reserved_micros=res.spent_micros)
        )
        s.execute(
            update(DspBudget)
            .where(DspBudget.campaign_id == res.campaign_id, DspBudget.period == res.period)
            .values(reserved_micros=DspBudget.reserved_micros - back)
        )
        return back


@dataclass(frozen=True)
class Ledger:
    """Where a reservation and its period's budget stand."""

    budget_micros: int
    period_spent_micros: int
    reservation_reserved_micros: int
    reservation_spent_micros: int


def ledger(sessions: sessionmaker, reservation_id: int) -> Ledger | None:
    with sessions() as s:
        row = s.execute(
            select(
                DspBudget.budget_micros,
                DspBudget.spent_micros,
                DspReservation.reserved_micros,
                DspReservation.spent_micros.label("res_spent"),
            )
            .join(
                DspBudget,
                (DspBudget.campaign_id == DspReservation.campaign_id) & (DspBudget.period == DspReservation.period),
            )
            .where(DspReservation.id == reservation_id)
        ).one_or_none()
    if row is None:
        return None
    return Ledger(int(row.budget_micros), int(row.spent_micros), int(row.reserved_micros), int(row.res_spent))


def charged_among(sessions: sessionmaker, reservation_id: int, auctions: list[str]) -> list[str]:
    """Which of `auctions` (bids made from the reservation) have been charged, by any worker."""
    out: list[str] = []
    with sessions() as s:
        for i in range(0, len(auctions), 500):
            out += s.scalars(
                select(DspAuction.auction).where(
                    DspAuction.reservation_id == reservation_id, DspAuction.auction.in_(auctions[i : i + 500])
                )
            ).all()
    return out


# -- charges ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class HeldBid:
    """A bid we made, as its notices name it: the auction (request id and impression id), the
    campaign, creative and reservation it came from, its period and its price in micros."""

    auction: str
    campaign_id: int
    creative_id: int
    reservation_id: int
    period: int
    bid_micros: int


def charge(
    sessions: sessionmaker,
    c: HeldBid,
    price_micros: int,
    *,
    kind: str,
    at: datetime | None = None,
    stats: bool = True,
) -> bool:
    """Charge an auction at its clearing price, once: True when this notice charged it, False when
    it is the other kind of notice of an auction already charged (a billing notice after the win's);
    NoticeRefused for a replayed notice or a price the reservation cannot hold. The per-minute stats
    gain the win and its spend in the same transaction, unless `stats` is False (a bidder counts them
    itself and adds them with its other counts). One transaction on a plain connection: it is the
    bidder's busiest write."""
    if kind not in ("win", "billing"):
        raise StoreError("a charging notice is a win or a billing notice")
    if price_micros < 0 or price_micros > c.bid_micros:
        raise NoticeRefused(400, "the clearing price must be between 0 and our bid")
    now = at or utcnow()
    with sessions.kw["bind"].begin() as conn:
        fresh = _insert_new(
            conn,
            DspAuction,
            auction=c.auction,
            campaign_id=c.campaign_id,
            creative_id=c.creative_id,
            reservation_id=c.reservation_id,
            bid_micros=c.bid_micros,
            price_micros=price_micros,
            charged_by=kind,
            charged_at=now,
            billed_at=now if kind == "billing" else None,
        )
        if not fresh:
            row = conn.execute(
                select(DspAuction.charged_by, DspAuction.billed_at).where(DspAuction.auction == c.auction)
            ).one()
            if kind == "billing" and row.billed_at is None:
                conn.execute(update(DspAuction).where(DspAuction.auction == c.auction).values(billed_at=now))
                return False
            raise NoticeRefused(409, f"auction {c.auction} was already charged (by its {row.charged_by} notice)")
        args = {"p_rid": c.reservation_id, "p_price": price_micros, "p_cid": c.campaign_id, "p_period": c.period}
        _lock_budget(conn, c.campaign_id, c.period)
        if not conn.execute(_SPEND_RESERVATION, args).rowcount:  # rolled back: the auction is not recorded either
            raise NoticeRefused(
                409, f"auction {c.auction}: its reservation is released or cannot hold the price; not charged"
            )
        conn.execute(_SPEND_BUDGET, args)
        if stats:
            add_stats(conn, {(c.campaign_id, _minute(now)): {"wins": 1, "spend_micros": price_micros}})
        return True


_R, _B = DspReservation, DspBudget
_SPEND_RESERVATION = (
    update(DspReservation)
    .where(
        _R.id == bindparam("p_rid"),
        _R.released_at.is_(None),
        _R.spent_micros + bindparam("p_price") <= _R.reserved_micros,
    )
    .values(spent_micros=_R.spent_micros + bindparam("p_price"))
)
_SPEND_BUDGET = (
    update(DspBudget)
    .where(_B.campaign_id == bindparam("p_cid"), _B.period == bindparam("p_period"))
    .values(spent_micros=_B.spent_micros + bindparam("p_price"))
)


def click(sessions: sessionmaker, auction: str, *, at: datetime | None = None) -> int:
    """Record the first click on a charged auction; its campaign. NoticeRefused when the auction was
    never charged (no impression to click) or was clicked already."""
    now = at or utcnow()
    with sessions.begin() as s:
        camp = s.scalar(select(DspAuction.campaign_id).where(DspAuction.auction == auction))
        if camp is None:
            raise NoticeRefused(404, f"auction {auction} was never charged: no impression to click")
        done = s.execute(
            update(DspAuction)
            .where(DspAuction.auction == auction, DspAuction.clicked_at.is_(None))
            .values(clicked_at=now)
        ).rowcount
        if not done:
            raise NoticeRefused(409, f"auction {auction} was already clicked")
        add_stats(s, {(int(camp), _minute(now)): {"clicks": 1}})
        return int(camp)


# -- stats --------------------------------------------------------------------------------------


def _minute(at: datetime) -> datetime:
    return at.replace(second=0, microsecond=0)


_S = DspStat
_ADD_STATS = (
    update(DspStat)
    .where(_S.campaign_id == bindparam("p_cid"), _S.minute == bindparam("p_minute"))
    .values(**{f: getattr(_S, f) + bindparam(f"p_{f}") for f in STAT_FIELDS})
)


def add_stats(s: Session | Connection, counts: dict[tuple[int, datetime], dict[str, int]]) -> None:
    """Add counts to the per-minute rows (made when missing), in the caller's transaction."""
    conn = s.connection() if isinstance(s, Session) else s
    for (campaign_id, minute), add in sorted(counts.items()):  # one order for every writer: no deadlock
        row = {f: int(add.get(f, 0)) for f in STAT_FIELDS}
        if not any(row.values()):
            continue
        args = {"p_cid": campaign_id, "p_minute": minute, **{f"p_{f}": v for f, v in row.items()}}
        if conn.execute(_ADD_STATS, args).rowcount:
            continue
        if not _insert_new(conn, DspStat, campaign_id=campaign_id, minute=minute, **row):
            conn.execute(_ADD_STATS, args)  # another process made the row meanwhile


def flush_stats(sessions: sessionmaker, counts: dict[tuple[int, datetime], dict[str, int]]) -> None:
    if counts:
        with sessions.begin() as s:
            add_stats(s, counts)


def totals(sessions: sessionmaker, campaign_id: int) -> dict[str, int]:
    """A campaign's charged impressions, clicks and spend (micros) over every period, from the auctions."""
    from sqlalchemy import func

    with sessions() as s:
        row = s.execute(
            select(
                func.count(DspAuction.id),
                func.count(DspAuction.clicked_at),
                func.coalesce(func.sum(DspAuction.price_micros), 0),
            ).where(DspAuction.campaign_id == campaign_id)
        ).one()
        budget_spent = s.scalar(
            select(func.coalesce(func.sum(DspBudget.spent_micros), 0)).where(DspBudget.campaign_id == campaign_id)
        )
    return {
        "impressions": int(row[0]),
        "clicks": int(row[1]),
        "spent_micros": int(row[2]),
        "budget_spent_micros": int(budget_spent or 0),
    }


def stats(sessions: sessionmaker, campaign_id: int | None = None) -> list[dict[str, Any]]:
    """The per-minute rows, oldest first."""
    q = select(DspStat).order_by(DspStat.minute, DspStat.campaign_id)
    if campaign_id is not None:
        q = q.where(DspStat.campaign_id == campaign_id)
    with sessions() as s:
        return [
            {"campaign_id": r.campaign_id, "minute": r.minute, **{f: int(getattr(r, f)) for f in STAT_FIELDS}}
            for r in s.scalars(q)
        ]


def summary(s: Session, *, since: datetime, campaign_id: int | None = None) -> list[dict[str, Any]]:
    """Each DSP campaign's delivery since `since` (UTC), from the per-minute rows: requests, bids,
    wins, spend, clicks, win rate (wins / bids), CPM (spend per 1,000 wins), eCPC, and today's spend
    against the daily budget; with its minutes, oldest first."""
    from sqlalchemy import func

    q = select(DspStat).where(DspStat.minute >= since).order_by(DspStat.minute)
    if campaign_id is not None:
        q = q.where(DspStat.campaign_id == campaign_id)
    today = utcnow().replace(hour=0, minute=0, second=0, microsecond=0)
    camps = s.execute(select(DspCampaign.id, DspCampaign.name, DspCampaign.status, DspCampaign.daily_budget_micros))
    rows = s.scalars(q).all()
    spent_today = dict(
        s.execute(
            select(DspStat.campaign_id, func.sum(DspStat.spend_micros))
            .where(DspStat.minute >= today)
            .group_by(DspStat.campaign_id)
        ).all()
    )
    out = []
    for cid, name, status, budget in camps:
        if campaign_id is not None and cid != campaign_id:
            continue
        minutes: list[dict[str, Any]] = [
            {"minute": r.minute.isoformat(), **{f: int(getattr(r, f)) for f in STAT_FIELDS}}
            for r in rows
            if r.campaign_id == cid
        ]
        tot = {f: sum(m[f] for m in minutes) for f in STAT_FIELDS}
        spend = tot["spend_micros"] / MICROS
        day = int(spent_today.get(cid) or 0)
        elapsed = (utcnow() - today).total_seconds() / 86400
        out.append(
            {
                "campaign_id": cid,
                "name": name,
                "status": status,
                **{f: tot[f] for f in STAT_FIELDS if f != "spend_micros"},
                "spend": spend,
                "win_rate": tot["wins"] / tot["bids"] if tot["bids"] else None,
                "cpm": spend * 1000 / tot["wins"] if tot["wins"] else None,
                "ecpc": spend / tot["clicks"] if tot["clicks"] else None,
                "spent_today": day / MICROS,
                "daily_budget": int(budget) / MICROS,
                "pace": (day / int(budget)) / elapsed if budget and elapsed > 0 else None,
                "minutes": minutes,
            }
        )
    return out


__all__ = [
    "MICROS",
    "HeldBid",
    "Ledger",
    "NoticeRefused",
    "Targeting",
    "add_campaign",
    "add_creative",
    "charge",
    "charged_among",
    "click",
    "cpm_micros",
    "flush_stats",
    "ledger",
    "load_campaigns",
    "micros",
    "release",
    "reserve",
    "stats",
    "summary",
    "totals",
    "update_campaign",
]
