"""Bidding tools: a bid for an impression, a campaign's budget pacing, a replay of a bidding
strategy over the iPinYou 2997 auction log, and the writes: a campaign's bid or daily budget, and
the bids or budgets of several campaigns at once (one approval, one transaction)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated, Any, Literal

import numpy as np
from pydantic import AfterValidator, BaseModel, Field, model_validator
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from engine import bidding, delivery
from store import reference
from store.db import Campaign, CampaignSpend, Channel
from store.delivery import params_of
from tools.base import (
    Shop,
    ToolFailure,
    ToolSpec,
    change_summary,
    exactly_one_value,
    get_campaign,
    new_value,
    pennies,
    reference_dir,
)
from tools.series import SERIES_KEY, make_series

AGENT = "bidding"
MAX_CPC = 50.0
MAX_DAILY_BUDGET = 1_000_000.0


class ImpressionBidArgs(BaseModel):
    pctr: float = Field(..., gt=0, lt=1, description="predicted click-through rate, e.g. 0.002")
    value_per_click: float | None = Field(None, gt=0, le=1000, description="what a click is worth")
    campaign_id: int | None = Field(None, ge=1, description="take the value per click from a campaign")


def impression_bid(_shop: Shop, session: Session, a: ImpressionBidArgs) -> dict[str, Any]:
    vpc = a.value_per_click
    if vpc is None:
        if a.campaign_id is None:
            raise ToolFailure("give a value per click or a campaign whose value per click to use")
        vpc = get_campaign(session, a.campaign_id).value_per_click
    cpm = bidding.expected_value_bid(a.pctr, vpc)
    return {
        "pctr": a.pctr,
        "value_per_click": vpc,
        "bid_cpm": round(cpm, 4),
        "bid_per_impression": round(cpm / 1000, 6),
        "rule": "truthful second-price bid: pCTR x value per click, per 1,000 impressions",
    }


class CampaignArgs(BaseModel):
    campaign_id: int = Field(..., ge=1, le=10**6)


def campaign_pacing(_shop: Shop, session: Session, a: CampaignArgs) -> dict[str, Any]:
    """Spend so far today against the budget. A campaign with a delivery model (the demo's simulated
    campaigns) is judged against the share of the day's auctions gone so far, and the rest of its day
    is projected at its current bid, budget and status; the suggested bid is the one whose expected
    spend over the rest of the day uses the budget left (within 0.5x-1.5x of today's bid). Reported
    delivery with no model is judged against the clock and projected at today's rate."""
    c = get_campaign(session, a.campaign_id)
    day = session.scalar(select(func.max(CampaignSpend.hour)).where(CampaignSpend.campaign_id == c.id))
    if day is None:
        raise ToolFailure(f"campaign {c.id} has no delivery reported yet")
    start = day.replace(hour=0, minute=0, second=0)
    spent, clicks, hours, source = session.execute(
        select(
            func.sum(CampaignSpend.spend),
            func.sum(CampaignSpend.clicks),
            func.count(),
            func.max(CampaignSpend.source),
        ).where(CampaignSpend.campaign_id == c.id, CampaignSpend.hour >= start)
    ).one()
    spent = float(spent)
    model = params_of(session, c.id)
    active = c.status == "active"
    extra: dict[str, Any] = {}
    if model is None:
        pace = bidding.pacing_status(c.daily_budget, spent, hours / 24)
        projected, multiplier = pace.projected_spend, pace.bid_multiplier
        method = "even pace by the clock; projected at today's rate so far"
        even = [c.daily_budget * (h + 1) / 24 for h in range(24)]
        ahead = [spent / hours] * (24 - hours)
    else:
        elapsed = sum(model.hourly_share[:hours])
        pace = bidding.pacing_status(c.daily_budget, spent, elapsed)
        left = max(c.daily_budget - spent, 0.0)
        rest_hours = range(hours, 24)
        rest = delivery.expected_day(model, bid=c.bid, budget=left, active=active, hours=rest_hours)
        projected = spent + float(rest.spend.sum())
        cumulative = spent + np.cumsum(rest.spend)
        out_at = next(
            (int(h) for h, s in zip(rest.hours, cumulative, strict=True) if s >= c.daily_budget - 0.005), None
        )
        if pace.status == "exhausted":
            multiplier = 0.0
        else:
            best = delivery.bid_for_spend(model, left, hours=rest_hours, max_bid=MAX_CPC)
            multiplier = float(np.clip(best / c.bid, 0.5, 1.5))
        extra = {
            "rest_of_day_spend": round(float(rest.spend.sum()), 2),
            "budget_runs_out_at": None if out_at is None else f"{out_at:02d}:00",  # during the hour from
        }
        method = (
            "delivery model (engine/delivery.py): even pace = the share of the day's auctions gone so far; "
            "the rest of the day projected at the current bid, budget and status"
        )
        even = [float(v) for v in c.daily_budget * np.cumsum(model.hourly_share)]
        ahead = [float(v) for v in rest.spend]
    hourly = session.execute(
        select(CampaignSpend.hour, CampaignSpend.spend).where(
            CampaignSpend.campaign_id == c.id, CampaignSpend.hour >= start
        )
    ).all()
    extra[SERIES_KEY] = _pacing_series(c, start.date().isoformat(), hourly, even, ahead)
    out = {k: (round(v, 3) if isinstance(v, float) else v) for k, v in pace.as_dict().items()}
    out.update(projected_spend=round(projected, 3), bid_multiplier=round(multiplier, 3))
    return {
        "campaign_id": c.id,
        "name": c.name,
        "campaign_status": c.status,
        "day": start.date().isoformat(),
        "hours_reported": hours,
        "clicks": int(clicks),
        "bid": c.bid,
        "suggested_bid": round(c.bid * multiplier, 2) if active else c.bid,
        "data_source": source,
        **out,
        **extra,
        "method": method,
    }


def _pacing_series(
    c: Campaign, day: str, hourly: Sequence[Any], even: list[float], ahead: list[float]
) -> dict[str, Any]:
    """Spend over the day against the budget: what was spent by the end of each hour so far, the
    projection for the hours left (`ahead`: each hour's spend), the even pace and the budget line."""
    by_hour = np.zeros(24)
    for hour, spend in hourly:
        by_hour[hour.hour] += float(spend)
    reported = max((hour.hour for hour, _ in hourly), default=-1) + 1
    cumulative = np.cumsum(by_hour)
    spent: list[float | None] = [float(v) if h < reported else None for h, v in enumerate(cumulative)]
    projected: list[float | None] = [None] * 24
    if reported < 24:
        if reported > 0:
            projected[reported - 1] = float(cumulative[reported - 1])  # the projection starts where spend is now
        run = float(cumulative[reported - 1]) if reported > 0 else 0.0
        for h, v in zip(range(reported, 24), ahead, strict=False):
            run += v
            projected[h] = run
    lines: dict[str, list[float | None]] = {"spent": spent}
    if any(v is not None for v in projected):
        lines["projected"] = projected
    lines.update({"even pace": list(even), "daily budget": [c.daily_budget] * 24})
    return make_series(
        title=f"Campaign {c.id} ({c.name}): spend over {day} against the daily budget",
        x_label="time of day (spend up to then)",
        y_label="spend so far (£)",
        x=[f"{h:02d}:00" for h in range(1, 25)],
        lines=lines,
    )


class ReplayArgs(BaseModel):
    strategy: Literal["value", "rlb", "lin", "mcpc"] = Field(
        "value",
        description="value: ours (value function over budget and auctions left, with the pCTR law learnt "
        "from the requests already bid on); rlb: the same with every impression worth the mean CTR; "
        "lin: b0 x pCTR / CTR; mcpc: pCTR x CPC",
    )
    b0: float = Field(10.0, gt=0, le=300, description="Lin's base bid")
    budget_scale: float = Field(1 / 32, ge=1 / 256, le=1 / 4, description="c0: the budget as a share of the cost")


def _ipinyou(shop: Shop) -> tuple[dict[str, Any], np.ndarray]:
    def load() -> tuple[dict[str, Any], np.ndarray]:
        return reference.ipinyou(reference_dir(shop.data_dir, "ipinyou"))

    return shop.cached("ipinyou2997", load)


def replay_bidding(shop: Shop, _s: Session, a: ReplayArgs) -> dict[str, Any]:
    """The replay is a pure function of the log and the arguments: kept per arguments."""
    return dict(shop.cached(f"replay:{a.strategy}:{a.b0}:{a.budget_scale}", lambda: _replay(shop, a)))


def _replay(shop: Shop, a: ReplayArgs) -> dict[str, Any]:
    info, log = _ipinyou(shop)
    clicks, price, pctr = log[:, 0].astype(np.int64), log[:, 1].astype(np.int64), log[:, 2]
    episode = bidding.DEFAULT_EPISODE
    budget = int(info["cost_train"] / info["imp_train"] * a.budget_scale * episode)
    mean_ctr = info["clk_train"] / info["imp_train"]
    pdf = bidding.market_price_pdf(info["price_counter_train"])
    if a.strategy == "rlb":
        value = bidding.value_function(episode, budget, pdf, bidding.mean_law(mean_ctr))
        res = bidding.replay_value_strategy(clicks, price, pctr, value, budget_per_episode=budget, episode=episode)
    elif a.strategy == "value":
        prior = bidding.exponential_law(mean_ctr)
        res = bidding.replay_learning_strategy(
            clicks, price, pctr, pdf, prior, budget_per_episode=budget, episode=episode
        )
    else:
        bids = (
            bidding.mcpc_bids(pctr, info["cost_train"] / info["clk_train"])
            if a.strategy == "mcpc"
            else bidding.lin_bids(pctr, a.b0, mean_ctr)
        )
        res = bidding.replay(clicks, price, bids, budget_per_episode=budget, episode=episode)
    out = {k: (round(v, 4) if isinstance(v, float) else v) for k, v in res.as_dict().items()}
    return {
        "log": "iPinYou campaign 2997 test log",
        "strategy": a.strategy,
        "budget_scale": a.budget_scale,
        "episode_auctions": episode,
        **out,
    }


_CHANGE_PCT = Field(None, ge=-99, le=1000, description="or the change in percent of today's value, e.g. 10 or -15")
_CHANGE_BY = Field(None, ge=-1e6, le=1e6, description="or the amount to add to today's value (negative: take off)")


class SetBidArgs(BaseModel):
    campaign_id: int = Field(..., ge=1, le=10**6)
    bid: Annotated[float | None, AfterValidator(pennies)] = Field(
        None, gt=0, le=MAX_CPC, description=f"new max CPC bid, at most {MAX_CPC:g}"
    )
    change_pct: float | None = _CHANGE_PCT
    change_by: float | None = _CHANGE_BY

    @model_validator(mode="after")
    def _one(self) -> SetBidArgs:
        exactly_one_value(self, "bid")
        return self


class SetBudgetArgs(BaseModel):
    campaign_id: int = Field(..., ge=1, le=10**6)
    daily_budget: Annotated[float | None, AfterValidator(pennies)] = Field(
        None, gt=0, le=MAX_DAILY_BUDGET, description="new daily budget"
    )
    change_pct: float | None = _CHANGE_PCT
    change_by: float | None = _CHANGE_BY

    @model_validator(mode="after")
    def _one(self) -> SetBudgetArgs:
        exactly_one_value(self, "daily_budget")
        return self


def resolve_bid(_shop: Shop, session: Session, a: SetBidArgs) -> SetBidArgs:
    c = get_campaign(session, a.campaign_id)
    return SetBidArgs(
        campaign_id=c.id, bid=new_value(c.bid, a, "bid", maximum=MAX_CPC, what="bid"), change_pct=None, change_by=None
    )


def resolve_budget(_shop: Shop, session: Session, a: SetBudgetArgs) -> SetBudgetArgs:
    c = get_campaign(session, a.campaign_id)
    value = new_value(c.daily_budget, a, "daily_budget", maximum=MAX_DAILY_BUDGET, what="daily budget")
    return SetBudgetArgs(campaign_id=c.id, daily_budget=value, change_pct=None, change_by=None)


def _bid_change(c: Campaign, to: float, a: BaseModel) -> dict[str, Any]:
    out = {
        "campaign_id": c.id,
        "name": c.name,
        "target": f"campaign {c.id} ({c.name})",
        "field": "bid",
        "from": c.bid,
        "to": to,
        **change_summary(c.bid, to, a),
    }
    if c.value_per_click and to > c.value_per_click:
        out["warnings"].append({"kind": "above_click_value", "value_per_click": c.value_per_click})
    return out


def _budget_change(c: Campaign, to: float, a: BaseModel) -> dict[str, Any]:
    return {
        "campaign_id": c.id,
        "name": c.name,
        "target": f"campaign {c.id} ({c.name})",
        "field": "daily_budget",
        "from": c.daily_budget,
        "to": to,
        **change_summary(c.daily_budget, to, a),
    }


def preview_bid(_shop: Shop, session: Session, a: SetBidArgs) -> dict[str, Any]:
    c = get_campaign(session, a.campaign_id)
    return _bid_change(c, new_value(c.bid, a, "bid", maximum=MAX_CPC, what="bid"), a)


def preview_budget(_shop: Shop, session: Session, a: SetBudgetArgs) -> dict[str, Any]:
    c = get_campaign(session, a.campaign_id)
    to = new_value(c.daily_budget, a, "daily_budget", maximum=MAX_DAILY_BUDGET, what="daily budget")
    return _budget_change(c, to, a)


def set_campaign_bid(shop: Shop, session: Session, a: SetBidArgs) -> dict[str, Any]:
    change = preview_bid(shop, session, a)
    get_campaign(session, a.campaign_id).bid = change["to"]
    return {**change, "applied": True}


def set_campaign_budget(shop: Shop, session: Session, a: SetBudgetArgs) -> dict[str, Any]:
    change = preview_budget(shop, session, a)
    get_campaign(session, a.campaign_id).daily_budget = change["to"]
    return {**change, "applied": True}


# -- several campaigns at once ---------------------------------------------------------------------

_IDS = Field(None, min_length=1, max_length=1000, description="these campaigns (ids)")
_CHANNEL = Field(
    None,
    max_length=64,
    description="every campaign on this channel, e.g. paid_search, social, display (several: comma-separated)",
)
_ALL = Field(None, description="true: every campaign")
_CHANNEL_ALIASES = {"search": "paid_search", "paid search": "paid_search", "sem": "paid_search", "ppc": "paid_search"}


class CampaignBid(BaseModel):
    campaign_id: int = Field(..., ge=1, le=10**6)
    bid: Annotated[float, AfterValidator(pennies)] = Field(..., gt=0, le=MAX_CPC)


class CampaignBudget(BaseModel):
    campaign_id: int = Field(..., ge=1, le=10**6)
    daily_budget: Annotated[float, AfterValidator(pennies)] = Field(..., gt=0, le=MAX_DAILY_BUDGET)


def _one_selection(args: Any, each: str, value_field: str) -> None:
    """Either each campaign's own new value (`each`), or one selection (ids, a channel, or all) and
    one value (absolute, or a change in percent or by an amount)."""
    chosen = [f for f in ("campaign_ids", "channel") if getattr(args, f) is not None] + (
        ["all_campaigns"] if args.all_campaigns else []
    )
    if getattr(args, each) is not None:
        if chosen or any(getattr(args, f) is not None for f in (value_field, "change_pct", "change_by")):
            raise ValueError(f"{each} names each campaign and its new value; give nothing else with it")
        ids = [x.campaign_id for x in getattr(args, each)]
        if len(set(ids)) != len(ids):
            raise ValueError(f"{each} names a campaign twice")
        return
    if len(chosen) != 1:
        raise ValueError("choose the campaigns once: campaign_ids, a channel, or all_campaigns")
    exactly_one_value(args, value_field)


class SetBidsArgs(BaseModel):
    campaign_ids: list[int] | None = _IDS
    channel: str | None = _CHANNEL
    all_campaigns: bool | None = _ALL
    bid: Annotated[float | None, AfterValidator(pennies)] = Field(
        None, gt=0, le=MAX_CPC, description="the same new max CPC bid for each"
    )
    change_pct: float | None = _CHANGE_PCT
    change_by: float | None = _CHANGE_BY
    bids: list[CampaignBid] | None = Field(
        None, min_length=1, max_length=1000, description="or each campaign's own new bid"
    )

    @model_validator(mode="after")
    def _one(self) -> SetBidsArgs:
        _one_selection(self, "bids", "bid")
        return self


class SetBudgetsArgs(BaseModel):
    campaign_ids: list[int] | None = _IDS
    channel: str | None = _CHANNEL
    all_campaigns: bool | None = _ALL
    daily_budget: Annotated[float | None, AfterValidator(pennies)] = Field(
        None, gt=0, le=MAX_DAILY_BUDGET, description="the same new daily budget for each"
    )
    change_pct: float | None = _CHANGE_PCT
    change_by: float | None = _CHANGE_BY
    budgets: list[CampaignBudget] | None = Field(
        None, min_length=1, max_length=1000, description="or each campaign's own new daily budget"
    )

    @model_validator(mode="after")
    def _one(self) -> SetBudgetsArgs:
        _one_selection(self, "budgets", "daily_budget")
        return self


def _selected(session: Session, a: SetBidsArgs | SetBudgetsArgs) -> tuple[list[Campaign], str]:
    """The campaigns a bulk edit names, and how to say which they are."""
    if a.campaign_ids is not None:
        cs = [get_campaign(session, i) for i in dict.fromkeys(a.campaign_ids)]
        return cs, "campaigns " + ", ".join(str(c.id) for c in cs)
    if a.channel is not None:  # one channel, or several comma-separated ("social, display")
        known = session.scalars(select(Channel.name).order_by(Channel.id)).all()
        cs, names = [], []
        several = len([p for p in a.channel.split(",") if p.strip()]) > 1
        for part in [p for p in a.channel.split(",") if p.strip()] or [a.channel]:
            name = part.strip().lower().replace("-", " ")
            name = _CHANNEL_ALIASES.get(name, name.replace(" ", "_"))
            channel = session.scalar(select(Channel).where(Channel.name == name))
            if channel is None and not several:
                raise ToolFailure(f"{part.strip()} is not a channel; the channels are {', '.join(known)}")
            if channel is None:
                continue
            on = list(session.scalars(select(Campaign).where(Campaign.channel_id == channel.id).order_by(Campaign.id)))
            if not on and several:
                continue  # of several channels, those no campaign runs on add nothing
            if not on:
                used = session.scalars(
                    select(Channel.name)
                    .join(Campaign, Campaign.channel_id == Channel.id)
                    .distinct()
                    .order_by(Channel.name)
                ).all()
                raise ToolFailure(f"no campaign runs on {name}; the campaigns run on {', '.join(used)}")
            cs += [c for c in on if c not in cs]
            names.append(name.replace("_", " "))
        if not cs:
            raise ToolFailure(f"no campaign runs on {a.channel}")
        return cs, f"the {' and '.join(names)} campaigns"
    cs = list(session.scalars(select(Campaign).order_by(Campaign.id)))
    if not cs:
        raise ToolFailure("there are no campaigns yet")
    return cs, "all campaigns"


def _bulk(changes: list[dict[str, Any]], field: str, scope: str, a: BaseModel) -> dict[str, Any]:
    """One approval for several campaigns' changes; a campaign already at its new value is left out
    (named in a warning on the first change) when others do change."""
    same = [c for c in changes if c["from"] == c["to"]]
    if same and len(same) < len(changes):
        changes = [c for c in changes if c["from"] != c["to"]]
        left = {
            "kind": "unchanged",
            "field": field,
            "campaigns": [{"campaign_id": c["campaign_id"], "name": c["name"]} for c in same],
            "value": same[0]["to"],
        }
        changes[0] = {**changes[0], "warnings": [*changes[0]["warnings"], left]}
    requested = {k: getattr(a, k) for k in ("change_pct", "change_by") if getattr(a, k, None) is not None}
    out: dict[str, Any] = {
        "target": scope if scope.startswith("campaigns ") else f"{scope} ({len(changes)})",
        "field": field,
        "campaigns": len(changes),
        "changes": changes,
        "warnings": [w for c in changes for w in c["warnings"]],
    }
    if requested:
        out["requested"] = requested
    return out


def preview_bids(_shop: Shop, session: Session, a: SetBidsArgs) -> dict[str, Any]:
    if a.bids is not None:
        changes = [_bid_change(get_campaign(session, x.campaign_id), x.bid, a) for x in a.bids]
        return _bulk(changes, "bid", "campaigns " + ", ".join(str(x.campaign_id) for x in a.bids), a)
    cs, scope = _selected(session, a)
    changes = [
        _bid_change(c, new_value(c.bid, a, "bid", maximum=MAX_CPC, what=f"bid of campaign {c.id}"), a) for c in cs
    ]
    return _bulk(changes, "bid", scope, a)


def preview_budgets(_shop: Shop, session: Session, a: SetBudgetsArgs) -> dict[str, Any]:
    if a.budgets is not None:
        changes = [_budget_change(get_campaign(session, x.campaign_id), x.daily_budget, a) for x in a.budgets]
        return _bulk(changes, "daily_budget", "campaigns " + ", ".join(str(x.campaign_id) for x in a.budgets), a)
    cs, scope = _selected(session, a)
    changes = [
        _budget_change(
            c,
            new_value(
                c.daily_budget, a, "daily_budget", maximum=MAX_DAILY_BUDGET, what=f"daily budget of campaign {c.id}"
            ),
            a,
        )
        for c in cs
    ]
    return _bulk(changes, "daily_budget", scope, a)


def resolve_bids(shop: Shop, session: Session, a: SetBidsArgs) -> SetBidsArgs:
    """Each campaign's absolute new bid: what is logged, approved and applied."""
    changes = preview_bids(shop, session, a)["changes"]
    return SetBidsArgs(bid=None, bids=[CampaignBid(campaign_id=c["campaign_id"], bid=c["to"]) for c in changes])


def resolve_budgets(shop: Shop, session: Session, a: SetBudgetsArgs) -> SetBudgetsArgs:
    changes = preview_budgets(shop, session, a)["changes"]
    return SetBudgetsArgs(
        daily_budget=None, budgets=[CampaignBudget(campaign_id=c["campaign_id"], daily_budget=c["to"]) for c in changes]
    )


def set_campaign_bids(shop: Shop, session: Session, a: SetBidsArgs) -> dict[str, Any]:
    change = preview_bids(shop, session, a)
    for c in change["changes"]:
        get_campaign(session, c["campaign_id"]).bid = c["to"]
    return {**change, "applied": True}


def set_campaign_budgets(shop: Shop, session: Session, a: SetBudgetsArgs) -> dict[str, Any]:
    change = preview_budgets(shop, session, a)
    for c in change["changes"]:
        get_campaign(session, c["campaign_id"]).daily_budget = c["to"]
    return {**change, "applied": True}


TOOLS = [
    ToolSpec(
        "impression_bid",
        "The bid for an impression from its predicted CTR and the value of a click.",
        ImpressionBidArgs,
        impression_bid,
        AGENT,
    ),
    ToolSpec(
        "campaign_pacing",
        "A campaign's budget and pacing status today, with a suggested bid.",
        CampaignArgs,
        campaign_pacing,
        AGENT,
    ),
    ToolSpec(
        "replay_bidding",
        "Replay a bidding strategy over the iPinYou 2997 auction log under a budget.",
        ReplayArgs,
        replay_bidding,
        AGENT,
    ),
    ToolSpec(
        "set_campaign_bid",
        "Set a campaign's max CPC bid (needs the marketer's approval): a new bid, or a change in percent or by an amount.",
        SetBidArgs,
        set_campaign_bid,
        AGENT,
        write=True,
        preview=preview_bid,
        resolve=resolve_bid,
    ),
    ToolSpec(
        "set_campaign_budget",
        "Set a campaign's daily budget (needs the marketer's approval): a new budget, or a change in percent or by an amount.",
        SetBudgetArgs,
        set_campaign_budget,
        AGENT,
        write=True,
        preview=preview_budget,
        resolve=resolve_budget,
    ),
    ToolSpec(
        "set_campaign_bids",
        "Set the bids of several campaigns at once (needs the marketer's approval, one for all): the campaigns "
        "by ids, by channel or all of them, and a new bid or a change in percent or by an amount.",
        SetBidsArgs,
        set_campaign_bids,
        AGENT,
        write=True,
        preview=preview_bids,
        resolve=resolve_bids,
    ),
    ToolSpec(
        "set_campaign_budgets",
        "Set the daily budgets of several campaigns at once (needs the marketer's approval, one for all): the "
        "campaigns by ids, by channel or all of them, and a new budget or a change in percent or by an amount.",
        SetBudgetsArgs,
        set_campaign_budgets,
        AGENT,
        write=True,
        preview=preview_budgets,
        resolve=resolve_budgets,
    ),
]
