"""The approval core: every channel (the CLI today; an HTTP API, Slack and the web next) settles a
pending change here, as a person (`Actor`: a user on a channel).

- `settle` is one compare-and-set on the pending row (pending -> approved | rejected) in the same
  transaction as the write it allows and its decision rows. Only the caller whose compare-and-set
  matched gets a `Settlement`; every other caller gets `AlreadySettled` ("already approved by X at T").
- An approval binds to the change shown: if the target's value moved since the preview, nothing is
  written, the row is settled as expired (stale) and a fresh preview of the same change is proposed.
- The write runs once: the row records that it was applied, and the graph only reads that record.
- Pending changes expire (`Policy.ttl`); `expire_overdue` settles and logs them when they are next
  touched or listed.
- Four eyes (optional): above `Policy.four_eyes_above_pct`, the proposer cannot approve their own change.
- The caller that settles the last pending change of a batch also claims the graph's resume
  (`Settlement.resume`); a claim left by a process that stopped can be taken over (`claim_orphan`).
"""

from __future__ import annotations

import getpass
import json
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Literal

from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from copilot import CopilotError
from engine import EngineError
from store.clean import finite
from store.db import Decision, PendingChange, utcnow
from store.decisions import log_decision
from store.pending import (
    DEFAULT_TTL,
    Target,
    anchor_of,
    call_outcome,
    claim_resume,
    compare_and_set,
    current_value,
    each_change,
    find_pending,
    lock_batch,
    overdue,
    replace_stale,
    same_value,
    view,
)
from tools import TOOLS, Shop, ToolFailure

Outcome = Literal["approved", "rejected", "stale", "error"]


@dataclass(frozen=True)
class Actor:
    """Who settles or proposes a change: a user name, and the channel they spoke on (cli, api, slack...)."""

    user: str
    channel: str

    def __str__(self) -> str:
        return f"{self.user} ({self.channel})"


@dataclass(frozen=True)
class Policy:
    """ttl: how long a change waits; four_eyes_above_pct: a change larger than this (in percent of
    today's value; a pause or resume counts as 100) needs someone other than its proposer (None: off);
    resume_grace: after this long, a resume claimed by a process that never finished may be taken over."""

    ttl: timedelta = DEFAULT_TTL
    four_eyes_above_pct: float | None = None
    resume_grace: timedelta = timedelta(minutes=5)


@dataclass(frozen=True)
class Settlement:
    """What one caller's settling did. outcome: approved (written), rejected, stale (nothing written;
    `fresh` is the new preview, or None when no change is left to make), error (approved, but the
    write failed and nothing changed). resume: this caller claimed the graph's resume."""

    change: dict[str, Any]
    outcome: Outcome
    fresh: dict[str, Any] | None
    resume: bool
    batch: str


class ApprovalError(CopilotError):
    """A settling that did not happen, in one line; `change` is the row as it is."""

    def __init__(self, message: str, change: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.change = change


class AlreadySettled(ApprovalError):
    """Someone (or the clock) settled the change first."""


class FourEyes(ApprovalError):
    """The proposer may not approve a change this large."""


class NotWaiting(ApprovalError):
    """No such change, or not one of this thread."""


class NotAllowed(ApprovalError):
    """The caller may not settle changes (a channel's role for them: an API token below approver)."""


def default_user() -> str:
    """The CLI's user: the OS login name."""
    try:
        return getpass.getuser() or "marketer"
    except (OSError, KeyError):  # no login name (some containers)
        return "marketer"


def size_pct(change: dict[str, Any]) -> float:
    """How large a change is, in percent of today's value (a change of status counts as 100)."""
    pct = change.get("change_pct")
    if isinstance(pct, int | float):
        return abs(float(pct))
    return 100.0


def describe_settled(row: dict[str, Any]) -> str:
    """One line on how a change ended: "change #12 was already approved by bob (cli) at T"."""
    by = row.get("settled_by") or {}
    who = f"{by.get('user')} ({by.get('channel')})" if by else "nobody"
    at = row.get("settled_at")
    head = f"change #{row['id']}"
    if row["state"] == "approved":
        if row.get("error"):
            return f"{head} was already approved by {who} at {at}, but the write failed: {row['error']}"
        return f"{head} was already approved by {who} at {at}"
    if row["state"] == "rejected":
        return f"{head} was already rejected by {who} at {at}"
    if row.get("replaced_by"):
        return f"{head} was refused at {at} ({row.get('reason')}); its fresh preview is change #{row['replaced_by']}"
    if row["state"] == "expired":
        if row.get("reason") and row["reason"] != "expired":
            return f"{head} was refused at {at}: {row['reason']}"
        return f"{head} expired at {at} (unanswered since {row.get('created_at')}); ask again for a fresh preview"
    return f"{head} is waiting for approval"


def pending(
    sessions: sessionmaker, *, thread_id: str | None = None, limit: int = 100, now: datetime | None = None
) -> list[dict[str, Any]]:
    """The changes waiting for a person (oldest first), after settling those past their expiry."""
    expire_overdue(sessions, thread_id=thread_id, now=now)
    return [view(r) for r in find_pending(sessions, thread_id=thread_id, limit=limit)]


def expire_overdue(
    sessions: sessionmaker, *, thread_id: str | None = None, now: datetime | None = None
) -> list[dict[str, Any]]:
    """Settle every pending change past its expiry as expired, each logged; returns them."""
    now = now or utcnow()
    done = []
    for change_id in overdue(sessions, thread_id=thread_id, now=now):
        with sessions.begin() as s:
            row = s.get(PendingChange, change_id)
            assert row is not None
            lock_batch(s, anchor_of(s, row.batch))
            if not compare_and_set(s, change_id, state="expired", user="clock", channel="system", now=now):
                continue  # another caller settled it in between
            s.refresh(row)
            row.reason = "expired"
            _log_settlement(s, row, status="expired", error="expired: unanswered for the approval time limit")
            _finish_call(s, row)
            done.append(view(row))
    return done


def settle(
    shop: Shop,
    change_id: int,
    *,
    approve: bool,
    actor: Actor,
    policy: Policy | None = None,
    reason: str | None = None,
) -> Settlement:
    """Approve or reject one pending change as `actor` (`reason`: why a rejection happened, e.g.
    "dropped" when a new request set it aside). Raises AlreadySettled when someone settled it first
    (or it expired), FourEyes when the rule refuses the proposer, NotWaiting when there is no such
    change."""
    policy = policy or Policy()
    sessions = shop.sessions
    now = utcnow()
    with sessions() as s:
        before = s.get(PendingChange, change_id)
        if before is None:
            raise NotWaiting(f"there is no change #{change_id}; `copilot pending` lists the changes waiting")
        batch = before.batch
        anchor = anchor_of(s, batch)
        shown = view(before)
    if shown["state"] == "pending" and approve:
        _check_four_eyes(shown, before.preview or {}, actor, policy)
    with sessions.begin() as s:
        lock_batch(s, anchor)
        won = compare_and_set(
            s,
            change_id,
            state="approved" if approve else "rejected",
            user=actor.user,
            channel=actor.channel,
            now=now,
        )
        if won:
            row = s.get(PendingChange, change_id, populate_existing=True)
            assert row is not None
            outcome: Outcome
            fresh: PendingChange | None = None
            if not approve:
                outcome = "rejected"
                row.reason = reason or "rejected"
                _log_settlement(s, row, status="rejected")
            else:
                outcome, fresh = _approve(shop, s, row, policy, now)
            _finish_call(s, row)
            resume = claim_resume(s, batch, anchor, now, stale_before=None)
            result = Settlement(view(row), outcome, view(fresh) if fresh is not None else None, resume, batch)
    if won:
        return result
    expire_overdue(sessions, thread_id=shown["thread_id"], now=now)  # it may have lost to the clock
    with sessions() as s:
        row = s.get(PendingChange, change_id)
        assert row is not None
        now_view = view(row)
    raise AlreadySettled(describe_settled(now_view), now_view)


def claim_orphan(sessions: sessionmaker, batch: str, policy: Policy | None = None) -> bool:
    """Claim the resume of a batch that has nothing pending but was never resumed (its changes
    expired, or were settled by a process that stopped before resuming for longer than the grace)."""
    policy = policy or Policy()
    now = utcnow()
    with sessions.begin() as s:
        anchor = anchor_of(s, batch)
        lock_batch(s, anchor)
        return claim_resume(s, batch, anchor, now, stale_before=now - policy.resume_grace)


def _check_four_eyes(shown: dict[str, Any], preview: dict[str, Any], actor: Actor, policy: Policy) -> None:
    limit = policy.four_eyes_above_pct
    if limit is None or actor.user != shown["proposed_by"]["user"]:
        return
    size = size_pct(preview)
    if size > limit:
        raise FourEyes(
            f"change #{shown['id']} is a {size:g}% change, above the four-eyes limit of {limit:g}%: someone other "
            f"than {actor.user}, who proposed it, must approve it",
            shown,
        )


def _approve(
    shop: Shop, s: Session, row: PendingChange, policy: Policy, now: datetime
) -> tuple[Outcome, PendingChange | None]:
    """The write an approval allows, in the caller's transaction; or, when the target moved since the
    preview, nothing written and a fresh preview."""
    target = Target(row.target_kind, row.target_id, row.field)
    value = current_value(s, target, lock=True)
    spec = TOOLS[row.tool]
    if not same_value(value, row.from_value):  # None as shown and None now: a row still to be made
        row.state = "expired"
        what = f"{target.kind} {target.id}"
        row.reason = (
            f"stale: {what} no longer exists"
            if value is None
            else f"stale: the {row.field} of {what} is {value} now, not {row.from_value} as shown"
        )
        fresh = None
        if value is not None and not same_value(value, row.to_value):
            try:
                args = spec.args.model_validate(row.arguments, context={"shop": shop})
                assert spec.preview is not None
                change = each_change(spec.preview(shop, s, args))[0]
                fresh = replace_stale(s, row, change, ttl=policy.ttl, now=now)
            except (ToolFailure, EngineError, ValidationError) as exc:
                row.reason += f"; no fresh preview: {exc}"
        elif value is not None:
            row.reason += ", which is already the value asked for"
        _log_settlement(s, row, status="expired", error=row.reason)
        return "stale", fresh
    t0 = time.perf_counter()
    try:
        args = spec.args.model_validate(row.arguments, context={"shop": shop})
        with s.begin_nested():  # a write that fails part way leaves nothing behind
            result = spec.fn(shop, s, args)
    except (ToolFailure, EngineError, ValidationError) as exc:
        row.error = str(exc)
        _log_settlement(s, row, status="error", error=row.error)
        return "error", None
    row.applied_at = now
    row.result = _jsonable(result)
    _log_settlement(s, row, status="ok", latency_ms=1000 * (time.perf_counter() - t0))
    return "approved", None


def _log_settlement(s: Session, row: PendingChange, *, status: str, **fields: Any) -> None:
    """The decision row of a settlement: kind approval, the change as shown, who proposed and who settled."""
    tool_row = s.get(Decision, row.decision_id) if row.decision_id is not None else None
    result = {
        **(row.preview or {}),
        "pending_id": row.id,
        "state": row.state,
        "proposed_by": {"user": row.proposed_by, "channel": row.proposed_channel},
        "settled_by": {"user": row.settled_by, "channel": row.settled_channel},
    }
    if row.replaced_by is not None:
        result["replaced_by"] = row.replaced_by
    log_decision(
        s,
        row.run_id,
        "approval",
        status=status,
        agent_name=tool_row.agent_name if tool_row else None,
        tool_name=row.tool,
        tool_call_id=row.tool_call_id,
        arguments=row.arguments,
        result=result,
        model=tool_row.model if tool_row else None,
        **fields,
    )


def _finish_call(s: Session, row: PendingChange) -> None:
    """Once every change of a tool call is settled, its tool row says how the call ended."""
    tool_row = s.get(Decision, row.decision_id) if row.decision_id is not None else None
    if tool_row is None or tool_row.status != "pending":
        return
    rows = list(
        s.scalars(select(PendingChange).where(PendingChange.decision_id == row.decision_id).order_by(PendingChange.id))
    )
    if any(r.state == "pending" for r in rows):
        return
    status, result, error = call_outcome((tool_row.result or {}).get("change") or {}, rows)
    tool_row.status = status
    if result is not None:
        tool_row.result = _jsonable(result)
    tool_row.error = error
    s.flush()


def _jsonable(value: Any) -> Any:
    """As valid JSON stores it: NaN and infinities null, lone surrogates U+FFFD."""
    return finite(json.loads(json.dumps(value, default=str)))[0] if value is not None else None


__all__ = [
    "Actor",
    "AlreadySettled",
    "ApprovalError",
    "FourEyes",
    "NotAllowed",
    "NotWaiting",
    "Policy",
    "Settlement",
    "claim_orphan",
    "default_user",
    "describe_settled",
    "expire_overdue",
    "pending",
    "settle",
    "size_pct",
]
