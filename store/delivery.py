"""The demo campaigns' simulated delivery: the stated assumptions, the seeded history, and the
upgrade of a shop loaded before the delivery model existed.

The Online Retail data has no advertising. The three demo campaigns are delivered by the model in
engine/delivery.py (a second-price auction market shaped like the iPinYou 2997 market prices), with
these assumptions, which every tool result quotes as `source: simulated`:

- CTR per channel: search 3.2% and social 0.9% (assumed, of the order of published industry
  averages); display 0.44%, the CTR of the iPinYou 2997 training log (1,386 clicks in 312,437
  impressions).
- Conversion rate per click (assumed): search 0.60%, social 0.35%, display 0.15%.
- Average order value: the mean of the shop's own orders up to their 99th percentile (£389.76 in the
  demo shop; an ad click does not bring a wholesale order of £168,000); each simulated conversion's
  revenue is one of those orders, drawn at random.
- Median competing price per click (assumed): search £0.75, social £0.60, display £0.30.
- Auctions per day: set so that at its seeded bid a campaign's day, were the budget not to stop it,
  would spend 125% (campaign 1), 70% (2) and 97% (3) of its daily budget: the demo's three pacing
  stories, over, under and on pace. The auctions of past days follow the shop's own order trend
  (orders in the week before the day, relative to the last week; clipped to 0.5-1.5).
- Hourly share of a day's auctions: engine.delivery.HOURLY_SHARE (assumed).
- History: HISTORY_DAYS whole days before the shop's today at the campaign's seeded bid and
  budget, then today's first TODAY_HOURS hours (also stored by hour, for pacing). Seed 2011.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

import numpy as np
from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session, sessionmaker

from engine.delivery import DeliveryParams, draw_day, expected_day
from store.db import Campaign, CampaignDay, CampaignSpend, Channel, DeliveryModel, Meta, Order, OrderLine

SIMULATED = "simulated"
VERSION = "1"  # Meta "delivery_model": a shop without it is upgraded (its simulated delivery reseeded)
HISTORY_DAYS = 182
TODAY_HOURS = 15
SEED = 2011
ORDER_VALUE_QUANTILE = 0.99
TREND_CLIP = (0.5, 1.5)

# channel: (CTR, conversion rate per click, median competing CPC)
CHANNEL_ASSUMPTIONS: dict[str, tuple[float, float, float]] = {
    "paid_search": (0.032, 0.0060, 0.75),
    "social": (0.009, 0.0035, 0.60),
    "display": (0.0044, 0.0015, 0.30),
}
ASSUMPTIONS = (
    "simulated delivery (engine/delivery.py): a second-price auction market shaped like the iPinYou 2997 "
    "market prices; CTR {ctr:.2%}, conversion rate {cvr:.2%} per click, median competing CPC £{cpc:.2f} "
    "({channel}, assumed); average order value £{aov:.2f} from the shop's own orders; spend stops at the "
    "daily budget; a paused campaign delivers nothing"
)


def _order_values(session: Session) -> np.ndarray:
    values = np.array(
        session.scalars(select(func.sum(OrderLine.quantity * OrderLine.unit_price)).group_by(OrderLine.order_id)).all(),
        dtype=float,
    )
    if values.size == 0:
        return values
    return values[values <= np.quantile(values, ORDER_VALUE_QUANTILE)]


def _trend(session: Session, days: list[date], today: date) -> np.ndarray:
    """Each day's auctions relative to today's: the shop's orders in the 7 days before the day,
    over those in the 7 days before today (1 everywhere when the shop has no recent orders)."""
    first = days[0] - timedelta(days=8)
    rows = session.execute(
        select(func.date(Order.ordered_at), func.count())
        .where(Order.ordered_at >= datetime.combine(first, datetime.min.time()))
        .group_by(func.date(Order.ordered_at))
    ).all()
    per_day = {date.fromisoformat(str(d)): n for d, n in rows}

    def week_before(d: date) -> int:
        return sum(per_day.get(d - timedelta(days=k), 0) for k in range(1, 8))

    base = week_before(today)
    if base == 0:
        return np.ones(len(days))
    return np.clip(np.array([week_before(d) / base for d in days]), *TREND_CLIP)


def params_of(session: Session, campaign_id: int) -> DeliveryParams | None:
    """The delivery model of a campaign, or None when its delivery is reported, not simulated."""
    m = session.get(DeliveryModel, campaign_id)
    if m is None:
        return None
    return DeliveryParams(m.auctions_per_day, m.ctr, m.conversion_rate, m.avg_order_value, m.market_cpc)


def seed_delivery(session: Session, today: date, paces: dict[int, float]) -> None:
    """The model of each campaign on a channel with stated assumptions, and its simulated history:
    HISTORY_DAYS days, then today's first TODAY_HOURS hours (by hour as well)."""
    values = _order_values(session)
    aov = round(float(values.mean()), 2) if values.size else 0.0
    days = [today - timedelta(days=k) for k in range(HISTORY_DAYS, 0, -1)]
    trend = _trend(session, days, today)
    start = datetime.combine(today, datetime.min.time())
    campaigns = session.execute(select(Campaign, Channel.name).join(Channel, Channel.id == Campaign.channel_id)).all()
    for c, channel in sorted(campaigns, key=lambda r: r[0].id):
        if channel not in CHANNEL_ASSUMPTIONS:
            continue
        ctr, cvr, cpc = CHANNEL_ASSUMPTIONS[channel]
        unit = DeliveryParams(1.0, ctr, cvr, aov, cpc)
        per_auction = expected_day(unit, bid=c.bid, budget=float("inf")).spend.sum()
        auctions = round(paces.get(c.id, 1.0) * c.daily_budget / per_auction, -2)
        p = DeliveryParams(auctions, ctr, cvr, aov, cpc)
        session.add(
            DeliveryModel(
                campaign_id=c.id,
                auctions_per_day=auctions,
                ctr=ctr,
                conversion_rate=cvr,
                avg_order_value=aov,
                market_cpc=cpc,
                source=ASSUMPTIONS.format(ctr=ctr, cvr=cvr, cpc=cpc, channel=channel.replace("_", " "), aov=aov),
            )
        )
        rng = np.random.default_rng([SEED, c.id])
        active = c.status == "active"
        for d, volume in zip(days, trend, strict=True):
            day = draw_day(p, rng, bid=c.bid, budget=c.daily_budget, active=active, volume=volume, order_values=values)
            session.add(CampaignDay(campaign_id=c.id, day=d, hours=24, source=SIMULATED, **_counts(day.totals())))
        hours = range(TODAY_HOURS)
        now = draw_day(p, rng, bid=c.bid, budget=c.daily_budget, active=active, hours=hours, order_values=values)
        for h in hours:
            session.add(
                CampaignSpend(
                    campaign_id=c.id,
                    hour=start + timedelta(hours=h),
                    impressions=int(now.impressions[h]),
                    clicks=int(now.clicks[h]),
                    spend=round(float(now.spend[h]), 2),
                    source=SIMULATED,
                )
            )
        session.add(
            CampaignDay(campaign_id=c.id, day=today, hours=TODAY_HOURS, source=SIMULATED, **_counts(now.totals()))
        )
    session.merge(Meta(key="delivery_model", value=VERSION))


def _counts(t: dict[str, float]) -> dict[str, float | int]:
    return {
        "impressions": int(t["impressions"]),
        "clicks": int(t["clicks"]),
        "conversions": int(t["conversions"]),
        "spend": round(t["spend"], 2),
        "revenue": round(t["revenue"], 2),
    }


def upgrade(sessions: sessionmaker, paces: dict[int, float]) -> bool:
    """Reseed the simulated delivery of a shop loaded before the delivery model (forward only, in
    one transaction); reported delivery is left as it is. True when it did."""
    with sessions() as s:
        if s.get(Meta, "delivery_model") is not None or s.scalar(select(func.count()).select_from(Campaign)) == 0:
            return False
    with sessions.begin() as s:
        today_row = s.get(Meta, "today")
        today = date.fromisoformat(today_row.value) if today_row else date.today()
        s.execute(delete(CampaignSpend).where(CampaignSpend.source == SIMULATED))
        s.execute(delete(CampaignDay).where(CampaignDay.source == SIMULATED))
        s.execute(delete(DeliveryModel))
        seed_delivery(s, today, paces)
    return True
