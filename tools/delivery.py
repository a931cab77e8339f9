"""What the campaign tools share about delivery: reporting periods, a campaign's figures over a
period (from the daily delivery table), and the change against the period before."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any, Literal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from engine.delivery import ratios
from store.db import Campaign, CampaignDay, Channel, DeliveryModel
from tools.base import ToolFailure
from tools.series import make_series

PeriodName = Literal[
    "today",
    "yesterday",
    "last_7_days",
    "last_14_days",
    "last_28_days",
    "last_30_days",
    "last_90_days",
    "this_week",
    "last_week",
    "this_month",
    "last_month",
]
DEFAULT_PERIOD: PeriodName = "last_7_days"
COUNTS = ("impressions", "clicks", "conversions", "spend", "revenue")
METRICS = ("impressions", "clicks", "ctr", "conversions", "conversion_rate", "cpc", "cpa", "revenue", "roas", "spend")
METHOD = (
    "sums of the daily delivery over the period; CTR = clicks / impressions, conversion rate = conversions / "
    "clicks, CPC = spend / clicks, CPA = spend / conversions, ROAS = revenue / spend; change against the "
    "period of the same length just before (the calendar months before, for whole calendar months)"
)


@dataclass(frozen=True)
class Period:
    name: str  # a PeriodName, or "custom"
    start: date
    end: date

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def previous(self) -> Period:
        """The period of the same length just before; for whole calendar months (November, or
        September to November), the same number of calendar months before."""
        after = self.end + timedelta(days=1)
        if self.start.day == 1 and after.day == 1:
            n = (after.year - self.start.year) * 12 + after.month - self.start.month
            y, m = divmod(self.start.year * 12 + self.start.month - 1 - n, 12)
            return Period("previous", date(y, m + 1, 1), self.start - timedelta(days=1))
        return Period("previous", self.start - timedelta(days=self.days), self.start - timedelta(days=1))

    def as_dict(self) -> dict[str, Any]:
        return {"name": self.name, "start": self.start.isoformat(), "end": self.end.isoformat(), "days": self.days}


def period_of(today: date, name: PeriodName | None, start: date | None, end: date | None) -> Period:
    """The dates a period covers, relative to the shop's today (whose delivery is the day so far).
    Last N days end yesterday; this week and this month run to today."""
    if start is not None or end is not None:
        if start is None:
            raise ToolFailure("give the start date of the period as well as its end (or a period such as last_7_days)")
        end = end or today
        if start > end:
            raise ToolFailure(f"the period starts ({start}) after it ends ({end}); swap the dates")
        return Period("custom", start, end)
    name = name or DEFAULT_PERIOD
    yesterday = today - timedelta(days=1)
    if name == "today":
        return Period(name, today, today)
    if name == "yesterday":
        return Period(name, yesterday, yesterday)
    if name.startswith("last_") and name.endswith("_days"):
        n = int(name.split("_")[1])
        return Period(name, today - timedelta(days=n), yesterday)
    monday = today - timedelta(days=today.weekday())
    if name == "this_week":
        return Period(name, monday, today)
    if name == "last_week":
        return Period(name, monday - timedelta(days=7), monday - timedelta(days=1))
    first = today.replace(day=1)
    if name == "this_month":
        return Period(name, first, today)
    if name == "last_month":
        last = first - timedelta(days=1)
        return Period(name, last.replace(day=1), last)
    raise ToolFailure(f"unknown period {name}")  # the schema's Literal keeps this from happening


def history_span(session: Session) -> tuple[date, date] | None:
    first, last = session.execute(select(func.min(CampaignDay.day), func.max(CampaignDay.day))).one()
    return (first, last) if first is not None else None


def check_period(session: Session, p: Period) -> None:
    span = history_span(session)
    if span is None:
        raise ToolFailure("no campaign has any delivery reported yet")
    first, last = span
    if p.end < first or p.start > last:
        raise ToolFailure(
            f"there is no delivery from {p.start} to {p.end}; the delivery history runs from {first} to {last}"
        )


def campaigns_of(session: Session, ids: list[int] | None) -> list[tuple[Campaign, str]]:
    """Campaigns with their channel's name, by id (all when `ids` is None); an unknown id is named."""
    rows = session.execute(
        select(Campaign, Channel.name).join(Channel, Channel.id == Campaign.channel_id).order_by(Campaign.id)
    ).all()
    found = [(c, ch) for c, ch in rows]
    if ids is None:
        if not found:
            raise ToolFailure("there are no campaigns yet")
        return found
    known = {c.id: (c, ch) for c, ch in found}
    missing = [i for i in ids if i not in known]
    if missing:
        raise ToolFailure(
            f"there is no campaign {missing[0]}; the campaigns are {', '.join(str(i) for i in sorted(known))}"
        )
    return [known[i] for i in dict.fromkeys(ids)]


def totals(session: Session, ids: list[int], p: Period) -> dict[int, dict[str, float]]:
    """Each campaign's summed delivery over the period (zeros for a campaign with none)."""
    rows = session.execute(
        select(CampaignDay.campaign_id, *(func.coalesce(func.sum(getattr(CampaignDay, k)), 0) for k in COUNTS))
        .where(CampaignDay.campaign_id.in_(ids), CampaignDay.day >= p.start, CampaignDay.day <= p.end)
        .group_by(CampaignDay.campaign_id)
    ).all()
    out = {i: dict.fromkeys(COUNTS, 0.0) for i in ids}
    for cid, *values in rows:
        out[cid] = {k: float(v) for k, v in zip(COUNTS, values, strict=True)}
    return out


def covered(session: Session, p: Period) -> bool:
    """Does the delivery history cover the whole period?"""
    span = history_span(session)
    return span is not None and span[0] <= p.start and p.end <= span[1]


def figures(t: dict[str, float]) -> dict[str, Any]:
    """Counts and ratios of a total, rounded as an answer quotes them."""
    r = ratios(**t)
    out: dict[str, Any] = {
        "impressions": int(t["impressions"]),
        "clicks": int(t["clicks"]),
        "ctr": None if r["ctr"] is None else round(r["ctr"], 5),
        "ctr_pct": None if r["ctr"] is None else round(100 * r["ctr"], 2),
        "conversions": int(t["conversions"]),
        "conversion_rate": None if r["conversion_rate"] is None else round(r["conversion_rate"], 5),
        "conversion_rate_pct": None if r["conversion_rate"] is None else round(100 * r["conversion_rate"], 2),
        "cpc": None if r["cpc"] is None else round(r["cpc"], 2),
        "cpa": None if r["cpa"] is None else round(r["cpa"], 2),
        "revenue": round(t["revenue"], 2),
        "roas": None if r["roas"] is None else round(r["roas"], 2),
        "spend": round(t["spend"], 2),
    }
    return out


def change_pct(now: dict[str, float], before: dict[str, float]) -> dict[str, float | None]:
    """Each metric's change in percent between two totals, from unrounded figures (None where the
    earlier figure is 0 or undefined)."""
    a_all = {**now, **ratios(**now)}
    b_all = {**before, **ratios(**before)}
    out: dict[str, float | None] = {}
    for k in METRICS:
        a, b = a_all.get(k), b_all.get(k)
        out[k] = round(100 * (a / b - 1), 1) if a is not None and b else None
    return out


def add(ts: list[dict[str, float]]) -> dict[str, float]:
    return {k: sum(t[k] for t in ts) for k in COUNTS}


def source_of(session: Session, ids: list[int]) -> str:
    """`simulated`, `reported`, or `mixed`: where the campaigns' delivery figures come from."""
    kinds = set(session.scalars(select(CampaignDay.source).where(CampaignDay.campaign_id.in_(ids)).distinct()))
    return kinds.pop() if len(kinds) == 1 else ("mixed" if kinds else "none")


def assumptions_of(session: Session, ids: list[int]) -> list[str]:
    return list(
        dict.fromkeys(
            session.scalars(
                select(DeliveryModel.source)
                .where(DeliveryModel.campaign_id.in_(ids))
                .order_by(DeliveryModel.campaign_id)
            )
        )
    )


def per_bucket(session: Session, ids: list[int], p: Period, by: Literal["day", "week"]) -> list[dict[str, Any]]:
    """The campaigns' figures summed per day (or per week, from Monday) over the period, oldest first;
    days with no delivery history are left out."""
    rows = session.execute(
        select(CampaignDay.day, *(func.sum(getattr(CampaignDay, k)) for k in COUNTS))
        .where(CampaignDay.campaign_id.in_(ids), CampaignDay.day >= p.start, CampaignDay.day <= p.end)
        .group_by(CampaignDay.day)
        .order_by(CampaignDay.day)
    ).all()
    buckets: dict[date, dict[str, float]] = {}
    for day, *values in rows:
        key = (
            day if by == "day" else max(day - timedelta(days=day.weekday()), p.start)
        )  # a week from its first day in the period
        t = buckets.setdefault(key, dict.fromkeys(COUNTS, 0.0))
        for k, v in zip(COUNTS, values, strict=True):
            t[k] += float(v or 0.0)
    return [{by: k.isoformat(), **figures(t)} for k, t in buckets.items()]


def daily_series(session: Session, ids: list[int], p: Period, today: date, title: str) -> dict[str, Any] | None:
    """Spend and revenue per day over the period, summed over the campaigns, in the shared series
    shape (tools/series.py); None when the history covers fewer than two days of the period. Today,
    whose delivery is the day so far, is labelled so."""
    rows = session.execute(
        select(CampaignDay.day, func.sum(CampaignDay.spend), func.sum(CampaignDay.revenue))
        .where(CampaignDay.campaign_id.in_(ids), CampaignDay.day >= p.start, CampaignDay.day <= p.end)
        .group_by(CampaignDay.day)
        .order_by(CampaignDay.day)
    ).all()
    if len(rows) < 2:
        return None
    return make_series(
        title=f"{title}: spend and revenue per day, {rows[0][0].isoformat()} to {rows[-1][0].isoformat()}",
        x_label="day",
        y_label="£ per day",
        x=[d.isoformat() + (" (so far)" if d == today else "") for d, _, _ in rows],
        lines={"spend": [float(s) for _, s, _ in rows], "revenue": [float(r) for _, _, r in rows]},
    )
