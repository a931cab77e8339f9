"""The DSP's tools for the bidding specialist: how the bidder is doing (its own per-minute counts) and
a campaign's targeting rules changed through an approved write, which the running bidder follows at
its next refresh (within a second)."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, Field, ValidationError
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from store.db import Audience, DspCampaign, DspCreative, utcnow
from store.dsp import Targeting, summary
from tools.base import Shop, ToolFailure, ToolSpec
from tools.series import SERIES_KEY, make_series

AGENT = "bidding"
RULES = ("regions", "hours", "domains_allow", "domains_block", "sizes", "audiences")
PICKED_UP_WITHIN_S = 1  # the bidder re-reads its campaigns twice a second (dsp/bidder.py)
_ADD_ONE = "copilot dsp campaign add NAME --daily-budget 50 --max-bid 3"


def _text(v: Any) -> Any:
    return str(v) if isinstance(v, int | float) and not isinstance(v, bool) else v


DspRef = Annotated[
    str,
    BeforeValidator(_text),
    Field(min_length=1, max_length=128, description="a DSP campaign's id or its name"),
]


def dsp_campaign(session: Session, ref: str) -> DspCampaign:
    """The DSP campaign a marketer named by id or by name (exact, then the only one containing it)."""
    camps = list(session.scalars(select(DspCampaign).order_by(DspCampaign.id)))
    if not camps:
        raise ToolFailure(f"the DSP has no campaigns yet; add one with `{_ADD_ONE}`")
    said = ref.strip().lower().removeprefix("#")
    if said.isdigit():
        found = [c for c in camps if c.id == int(said)]
    else:
        found = [c for c in camps if c.name.lower() == said] or [c for c in camps if said in c.name.lower()]
    if len(found) == 1:
        return found[0]
    listed = "; ".join(f"{c.id} {c.name}" for c in camps[:10])
    what = "several DSP campaigns match" if found else "no DSP campaign is"
    raise ToolFailure(f"{what} {ref!r}; the DSP campaigns: {listed}")


class DspStatsArgs(BaseModel):
    dsp_campaign: DspRef | None = Field(None, description="one DSP campaign (id or name); all of them when absent")
    since_hours: float = Field(24.0, gt=0, le=24 * 90, description="the last this many hours")


def _round(v: float | None, digits: int = 4) -> float | None:
    return None if v is None else round(v, digits)


def dsp_stats(_shop: Shop, session: Session, a: DspStatsArgs) -> dict[str, Any]:
    """Each DSP campaign's requests, bids, wins, spend, clicks, win rate, CPM, eCPC and today's pace,
    from the bidder's per-minute counts; its targeting and creatives; spend by minute as a series."""
    only = dsp_campaign(session, a.dsp_campaign) if a.dsp_campaign is not None else None
    if only is None and session.scalar(select(func.count(DspCampaign.id))) == 0:
        raise ToolFailure(f"the DSP has no campaigns yet; add one with `{_ADD_ONE}`")
    since = utcnow() - timedelta(hours=a.since_hours)
    rows = summary(session, since=since, campaign_id=only.id if only else None)
    camps = {
        c.id: c
        for c in session.scalars(select(DspCampaign).where(DspCampaign.id.in_([r["campaign_id"] for r in rows])))
    }
    ads = dict(
        session.execute(
            select(DspCreative.campaign_id, func.count(DspCreative.id))
            .where(DspCreative.status == "active")
            .group_by(DspCreative.campaign_id)
        ).all()
    )
    out_rows, minutes = [], sorted({m["minute"] for r in rows for m in r["minutes"]})
    for r in rows:
        c = camps[r["campaign_id"]]
        out_rows.append(
            {
                "dsp_campaign_id": r["campaign_id"],
                "name": r["name"],
                "status": r["status"],
                **{k: r[k] for k in ("requests", "bids", "wins", "clicks")},
                "spend": round(r["spend"], 2),
                "win_rate": _round(r["win_rate"]),
                "cpm": _round(r["cpm"], 2),
                "ecpc": _round(r["ecpc"], 2),
                "spent_today": round(r["spent_today"], 2),
                "daily_budget": round(r["daily_budget"], 2),
                "pace": _round(r["pace"], 3),
                "max_bid_cpm": float(c.max_bid),
                "strategy": c.strategy,
                "targeting": Targeting.model_validate(c.targeting or {}).model_dump(exclude_defaults=True),
                "creatives": int(ads.get(c.id, 0)),
            }
        )
    tot = {k: sum(r[k] for r in out_rows) for k in ("requests", "bids", "wins", "clicks")}
    spend = round(sum(r["spend"] for r in out_rows), 2)
    out: dict[str, Any] = {
        "since": since.isoformat(timespec="minutes"),
        "hours": a.since_hours,
        "campaigns": out_rows,
        "total": {
            **tot,
            "spend": spend,
            "win_rate": _round(tot["wins"] / tot["bids"] if tot["bids"] else None),
            "cpm": _round(spend * 1000 / tot["wins"] if tot["wins"] else None, 2),
            "ecpc": _round(spend / tot["clicks"] if tot["clicks"] else None, 2),
        },
        "source": "the bidder's own per-minute counts (copilot dsp serve); CPM is spend per 1,000 impressions won",
    }
    if minutes:
        by = {(r["campaign_id"], m["minute"]): m["spend_micros"] / 1e6 for r in rows for m in r["minutes"]}
        out[SERIES_KEY] = make_series(
            title="DSP spend by minute",
            x_label="minute (UTC)",
            y_label="spend",
            x=[m[:16] for m in minutes],
            lines={r["name"]: [by.get((r["campaign_id"], m), 0.0) for m in minutes] for r in rows},
            digits=4,  # a minute's spend at CPM prices is pennies
        )
    return out


class TargetingChange(BaseModel):
    rule: Literal["regions", "hours", "domains_allow", "domains_block", "sizes", "audiences"] = Field(
        ...,
        description="regions (device geo region), hours (UTC, 0-23), domains_allow, domains_block, sizes "
        "(300x250), audiences (DMP audience ids or names)",
    )
    action: Literal["set", "add", "remove", "clear"] = Field(
        "set", description="set: only these; add or remove these; clear: no restriction on this rule"
    )
    values: list[str | int] = Field(default_factory=list, max_length=1000)


class SetTargetingArgs(BaseModel):
    dsp_campaign: DspRef
    changes: list[TargetingChange] = Field(..., min_length=1, max_length=len(RULES) * 2)


def _audience_ids(session: Session, values: list[str | int]) -> list[int]:
    """Audience ids from ids or names (the DMP's saved audiences)."""
    out = []
    for v in values:
        text = str(v).strip()
        if text.isdigit():
            found = session.get(Audience, int(text))
        else:
            found = session.scalar(select(Audience).where(func.lower(Audience.name) == text.lower()))
        if found is None:
            names = ", ".join(session.scalars(select(Audience.name).order_by(Audience.id).limit(12)))
            raise ToolFailure(f"no audience {text!r}; the saved audiences: {names or 'none yet'}")
        out.append(int(found.id))
    return out


def _typed(session: Session, rule: str, values: list[str | int]) -> list[Any]:
    if rule == "audiences":
        return _audience_ids(session, values)
    if rule == "hours":
        try:
            return [int(str(v).strip()) for v in values]
        except ValueError:
            raise ToolFailure(f"hours are whole hours 0 to 23 (UTC), not {values}") from None
    return [str(v) for v in values]


def _targeting_after(session: Session, c: DspCampaign, changes: list[TargetingChange]) -> dict[str, Any]:
    rules = Targeting.model_validate(c.targeting or {}).model_dump()
    for ch in changes:
        now, given = list(rules[ch.rule]), _typed(session, ch.rule, ch.values)
        if ch.action != "clear" and not given:
            raise ToolFailure(f"say which {ch.rule.replace('_', ' ')} to {ch.action}")
        if ch.action == "set":
            now = given
        elif ch.action == "add":
            now += [v for v in given if v not in now]
        elif ch.action == "remove":
            now = [v for v in now if v not in given]
        else:
            now = []
        rules[ch.rule] = now
    try:
        return Targeting.model_validate(rules).model_dump(exclude_defaults=True)
    except ValidationError as exc:
        e = exc.errors()[0]
        raise ToolFailure(
            f"targeting {'.'.join(str(x) for x in e['loc'])}: {e['msg'].removeprefix('Value error, ')}"
        ) from None


def resolve_targeting(_shop: Shop, session: Session, a: SetTargetingArgs) -> SetTargetingArgs:
    """The change made absolute: each rule it touches set to its new list (an approval writes what
    was shown, whatever happened to the rules in between)."""
    c = dsp_campaign(session, a.dsp_campaign)
    after = _targeting_after(session, c, a.changes)
    touched = list(dict.fromkeys(ch.rule for ch in a.changes))
    return SetTargetingArgs(
        dsp_campaign=str(c.id),
        changes=[
            TargetingChange(rule=r, action="set" if after.get(r) else "clear", values=after.get(r, [])) for r in touched
        ],
    )


def preview_targeting(_shop: Shop, session: Session, a: SetTargetingArgs) -> dict[str, Any]:
    c = dsp_campaign(session, a.dsp_campaign)
    before = Targeting.model_validate(c.targeting or {}).model_dump(exclude_defaults=True)
    after = _targeting_after(session, c, a.changes)
    if after == before:
        raise ToolFailure(f"DSP campaign {c.id} ({c.name}) already has that targeting: nothing to change")
    warnings: list[dict[str, Any]] = []
    for rule in RULES:
        if before.get(rule) and not after.get(rule):
            warnings.append({"kind": "rule_lifted", "rule": rule})
    for aid in set(after.get("audiences", [])) - set(before.get("audiences", [])):
        aud = session.get(Audience, aid)
        if aud is not None and not aud.size:
            warnings.append({"kind": "empty_audience", "audience": aud.name})
    overlap = set(after.get("domains_allow", [])) & set(after.get("domains_block", []))
    if overlap:
        warnings.append({"kind": "allowed_and_blocked", "domains": sorted(overlap)})
    return {
        "dsp_campaign_id": c.id,
        "name": c.name,
        "target": f"DSP campaign {c.id} ({c.name})",
        "field": "targeting",
        "from": before,
        "to": after,
        "rules": [r for r in RULES if before.get(r) != after.get(r)],
        "warnings": warnings,
        "picked_up_within_s": PICKED_UP_WITHIN_S,
    }


def set_dsp_targeting(shop: Shop, session: Session, a: SetTargetingArgs) -> dict[str, Any]:
    change = preview_targeting(shop, session, a)
    c = dsp_campaign(session, a.dsp_campaign)
    c.targeting, c.updated_at = change["to"], utcnow()  # updated_at: the bidder rebuilds the campaign's rules
    return {**change, "applied": True}


TOOLS = [
    ToolSpec(
        "dsp_stats",
        "How the DSP (the OpenRTB bidder) is doing: per campaign, requests, bids, wins, spend, clicks, win "
        "rate, CPM, eCPC and today's pace, with its targeting rules, over the last hours.",
        DspStatsArgs,
        dsp_stats,
        AGENT,
    ),
    ToolSpec(
        "set_dsp_targeting",
        "Change a DSP campaign's targeting (needs the marketer's approval): regions, hours, allowed or blocked "
        "domains, slot sizes, DMP audiences; set, add, remove or clear each rule. The bidder follows within a second.",
        SetTargetingArgs,
        set_dsp_targeting,
        AGENT,
        write=True,
        preview=preview_targeting,
        resolve=resolve_targeting,
    ),
]
