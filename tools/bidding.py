"""Bidding tools: a bid for an impression, a campaign's budget pacing, a replay of a bidding
strategy over the iPinYou 2997 auction log, and the two writes (bid, daily budget)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

import numpy as np
from pydantic import AfterValidator, BaseModel, Field, model_validator
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from engine import bidding
from store import reference
from store.db import CampaignSpend
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
    pace = bidding.pacing_status(c.daily_budget, float(spent), hours / 24)
    out = {k: (round(v, 3) if isinstance(v, float) else v) for k, v in pace.as_dict().items()}
    return {
        "campaign_id": c.id,
        "name": c.name,
        "day": start.date().isoformat(),
        "hours_reported": hours,
        "clicks": int(clicks),
        "bid": c.bid,
        "suggested_bid": round(c.bid * pace.bid_multiplier, 2),
        "data_source": source,
        **out,
    }


class ReplayArgs(BaseModel):
    strategy: Literal["value", "rlb", "lin", "mcpc"] = Field(
        "value",
        description="value: ours (value function over budget and auctions left); rlb: the same with "
        "every impression worth the mean CTR; lin: b0 x pCTR / CTR; mcpc: pCTR x CPC",
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
    if a.strategy in ("value", "rlb"):
        model = "exponential" if a.strategy == "value" else "mean"
        value = shop.cached(
            f"value:{model}:{budget}",
            lambda: bidding.value_function(
                episode, budget, bidding.market_price_pdf(info["price_counter_train"]), mean_ctr, ctr_model=model
            ),
        )
        res = bidding.replay_value_strategy(clicks, price, pctr, value, budget_per_episode=budget, episode=episode)
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


def preview_bid(_shop: Shop, session: Session, a: SetBidArgs) -> dict[str, Any]:
    c = get_campaign(session, a.campaign_id)
    to = new_value(c.bid, a, "bid", maximum=MAX_CPC, what="bid")
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


def preview_budget(_shop: Shop, session: Session, a: SetBudgetArgs) -> dict[str, Any]:
    c = get_campaign(session, a.campaign_id)
    to = new_value(c.daily_budget, a, "daily_budget", maximum=MAX_DAILY_BUDGET, what="daily budget")
    return {
        "campaign_id": c.id,
        "name": c.name,
        "target": f"campaign {c.id} ({c.name})",
        "field": "daily_budget",
        "from": c.daily_budget,
        "to": to,
        **change_summary(c.daily_budget, to, a),
    }


def set_campaign_bid(shop: Shop, session: Session, a: SetBidArgs) -> dict[str, Any]:
    change = preview_bid(shop, session, a)
    get_campaign(session, a.campaign_id).bid = change["to"]
    return {**change, "applied": True}


def set_campaign_budget(shop: Shop, session: Session, a: SetBudgetArgs) -> dict[str, Any]:
    change = preview_budget(shop, session, a)
    get_campaign(session, a.campaign_id).daily_budget = change["to"]
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
]
