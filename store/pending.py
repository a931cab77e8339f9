"""Pending changes: the rows a write tool's proposal leaves waiting for a person, each one change
(target, field, from, to), and the reads and compare-and-sets the approval core builds on
(copilot/approvals.py settles them; graphs/supervisor.py proposes them and reads how they ended)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import exists, select, update
from sqlalchemy.orm import Session, aliased, sessionmaker

from store.db import Audience, Campaign, Consent, DspCampaign, PendingChange, Product, utcnow

STATES = ("pending", "approved", "rejected", "expired")
DEFAULT_TTL = timedelta(hours=24)

# Where a change's target lives: its kind, the id key in a preview, and the model that holds it.
# An audience not made yet (audience_create, audience_lookalike) is audience 0, its name None.
_TARGETS: dict[str, tuple[str, type[Campaign | Product | Audience | Consent | DspCampaign]]] = {
    "campaign": ("campaign_id", Campaign),
    "product": ("product_id", Product),
    "audience": ("audience_id", Audience),
    "consent": ("customer_id", Consent),
    "dsp_campaign": ("dsp_campaign_id", DspCampaign),  # its targeting rules, one JSON value
}


@dataclass(frozen=True)
class Target:
    kind: str
    id: int
    field: str


def each_change(preview: dict[str, Any]) -> list[dict[str, Any]]:
    """The changes a preview shows: one, or each of a bulk edit's."""
    inner = preview.get("changes")
    return list(inner) if isinstance(inner, list) else [preview]


def target_of(change: dict[str, Any]) -> Target:
    """What one change writes: its kind, id and field (a preview names them)."""
    for kind, (key, _model) in _TARGETS.items():
        if key in change:
            return Target(kind, int(change[key]), str(change["field"]))
    raise ValueError(f"a change names no target ({', '.join(k for k, _ in _TARGETS.values())}): {sorted(change)}")


def args_for(arguments: dict[str, Any], change: dict[str, Any]) -> dict[str, Any]:
    """A tool's arguments narrowed to one change: a bulk edit's list of per-campaign values keeps
    only the entry of this change's campaign (one change, one write)."""
    out: dict[str, Any] = {}
    for key, value in arguments.items():
        if isinstance(value, list) and value and all(isinstance(x, dict) and "campaign_id" in x for x in value):
            value = [x for x in value if x["campaign_id"] == change.get("campaign_id")]
        out[key] = value
    return out


def current_value(session: Session, target: Target, *, lock: bool = False) -> Any:
    """The target's value now (None when the row is gone); `lock`: FOR UPDATE where the database has it."""
    _key, model = _TARGETS[target.kind]
    q = select(getattr(model, target.field)).where(model.id == target.id)
    return session.scalar(q.with_for_update() if lock else q)


def same_value(a: Any, b: Any) -> bool:
    if isinstance(a, int | float) and isinstance(b, int | float) and not isinstance(a, bool | str):
        return math.isclose(float(a), float(b), rel_tol=0.0, abs_tol=1e-9)
    return bool(a == b)


def propose(
    session: Session,
    *,
    batch: str,
    thread_id: str,
    run_id: int | None,
    tool: str,
    tool_call_id: str,
    decision_id: int | None,
    arguments: dict[str, Any],
    preview: dict[str, Any],
    proposed_by: str,
    proposed_channel: str,
    ttl: timedelta = DEFAULT_TTL,
) -> list[PendingChange]:
    """One pending row per change of a write tool's call (a bulk edit has one per campaign), in the
    caller's transaction."""
    now = utcnow()
    rows = [
        _row(
            change,
            now=now,
            ttl=ttl,
            thread_id=thread_id,
            run_id=run_id,
            batch=batch,
            tool=tool,
            tool_call_id=tool_call_id,
            decision_id=decision_id,
            arguments=args_for(arguments, change),
            proposed_by=proposed_by,
            proposed_channel=proposed_channel,
        )
        for change in each_change(preview)
    ]
    session.add_all(rows)
    session.flush()
    return rows


_KEPT = ("thread_id", "run_id", "batch", "tool", "tool_call_id", "decision_id", "arguments", "proposed_by")


def replace_stale(
    session: Session, old: PendingChange, change: dict[str, Any], *, ttl: timedelta, now: datetime
) -> PendingChange:
    """The fresh preview of a change whose target moved since it was shown: a new pending row in the
    same batch, proposed by the same person (the old row is settled by the caller)."""
    kept = {k: getattr(old, k) for k in _KEPT}
    row = _row(change, now=now, ttl=ttl, proposed_channel=old.proposed_channel, **kept)
    session.add(row)
    session.flush()
    old.replaced_by = row.id
    return row


def _row(change: dict[str, Any], *, now: datetime, ttl: timedelta, **fixed: Any) -> PendingChange:
    t = target_of(change)
    return PendingChange(
        **fixed,
        target_kind=t.kind,
        target_id=t.id,
        field=t.field,
        from_value=change.get("from"),
        to_value=change.get("to"),
        preview=change,
        state="pending",
        created_at=now,
        expires_at=now + ttl,
    )


def rows_of_batch(sessions: sessionmaker, batch: str) -> list[PendingChange]:
    with sessions() as s:
        return list(s.scalars(select(PendingChange).where(PendingChange.batch == batch).order_by(PendingChange.id)))


def rows_of_thread(sessions: sessionmaker, thread_id: str) -> list[PendingChange]:
    with sessions() as s:
        q = select(PendingChange).where(PendingChange.thread_id == thread_id).order_by(PendingChange.id)
        return list(s.scalars(q))


def find_pending(sessions: sessionmaker, *, thread_id: str | None = None, limit: int = 100) -> list[PendingChange]:
    q = select(PendingChange).where(PendingChange.state == "pending")
    if thread_id is not None:
        q = q.where(PendingChange.thread_id == thread_id)
    with sessions() as s:
        return list(s.scalars(q.order_by(PendingChange.id).limit(limit)))


def overdue(sessions: sessionmaker, *, thread_id: str | None = None, now: datetime | None = None) -> list[int]:
    q = select(PendingChange.id).where(PendingChange.state == "pending", PendingChange.expires_at <= (now or utcnow()))
    if thread_id is not None:
        q = q.where(PendingChange.thread_id == thread_id)
    with sessions() as s:
        return list(s.scalars(q.order_by(PendingChange.id)))


def anchor_of(session: Session, batch: str) -> int:
    """The first row of a batch: the row whose lock serialises the batch's settlements and whose
    `resumed_at` says the graph was resumed (rows are only ever added to a batch after it)."""
    first = session.scalar(select(PendingChange.id).where(PendingChange.batch == batch).order_by(PendingChange.id))
    if first is None:
        raise ValueError(f"no pending changes in batch {batch}")
    return int(first)


def lock_batch(session: Session, anchor: int) -> None:
    """The first statement of a settling transaction: a write on the batch's first row. SQLite takes
    its write lock here (waiting out the busy timeout, never failing on a stale read snapshot); a
    server database locks the row, so the settlements of one batch run one at a time."""
    session.execute(update(PendingChange).where(PendingChange.id == anchor).values(batch=PendingChange.batch))


def compare_and_set(
    session: Session, change_id: int, *, state: str, user: str, channel: str, now: datetime, reason: str | None = None
) -> bool:
    """pending -> `state`, only if the change is still pending and not past its expiry (or, for
    `expired`, only once it is past it); True for the one caller whose update matched."""
    if state not in STATES[1:]:
        raise ValueError(f"a change settles as approved, rejected or expired, not {state!r}")
    due = PendingChange.expires_at <= now if state == "expired" else PendingChange.expires_at > now
    res = session.execute(
        update(PendingChange)
        .where(PendingChange.id == change_id, PendingChange.state == "pending", due)
        .values(state=state, settled_by=user, settled_channel=channel, settled_at=now, reason=reason)
        .execution_options(synchronize_session=False)
    )
    return bool(getattr(res, "rowcount", 0) == 1)


def claim_resume(session: Session, batch: str, anchor: int, now: datetime, *, stale_before: datetime | None) -> bool:
    """Claim the graph's resume for a batch with nothing pending left: set `resumed_at` on its first
    row if it is unset (or older than `stale_before`: the process that claimed it stopped)."""
    other = aliased(PendingChange)
    unclaimed: Any = PendingChange.resumed_at.is_(None)
    if stale_before is not None:
        unclaimed = unclaimed | (PendingChange.resumed_at < stale_before)
    res = session.execute(
        update(PendingChange)
        .where(
            PendingChange.id == anchor,
            unclaimed,
            ~exists().where(other.batch == batch, other.state == "pending"),
        )
        .values(resumed_at=now)
        .execution_options(synchronize_session=False)
    )
    return bool(getattr(res, "rowcount", 0) == 1)


def release_resume(sessions: sessionmaker, batch: str) -> None:
    """A resume that failed part way: the next caller on the thread may finish it."""
    with sessions.begin() as s:
        s.execute(
            update(PendingChange)
            .where(PendingChange.id == anchor_of(s, batch))
            .values(resumed_at=None)
            .execution_options(synchronize_session=False)
        )


def view(row: PendingChange) -> dict[str, Any]:
    """A pending change as structured data (what every channel renders, escaped for itself)."""
    return {
        "id": row.id,
        "thread_id": row.thread_id,
        "run_id": row.run_id,
        "tool": row.tool,
        "target": {"kind": row.target_kind, "id": row.target_id, "name": (row.preview or {}).get("name")},
        "field": row.field,
        "from": row.from_value,
        "to": row.to_value,
        "change_pct": (row.preview or {}).get("change_pct"),
        "warnings": (row.preview or {}).get("warnings", []),
        "state": row.state,
        "reason": row.reason,
        "replaced_by": row.replaced_by,
        "proposed_by": {"user": row.proposed_by, "channel": row.proposed_channel},
        "settled_by": {"user": row.settled_by, "channel": row.settled_channel} if row.settled_by else None,
        "created_at": _iso(row.created_at),
        "settled_at": _iso(row.settled_at),
        "expires_at": _iso(row.expires_at),
        "applied": row.applied_at is not None,
        "applied_at": _iso(row.applied_at),
        "error": row.error,
        "preview": row.preview,
    }


def call_outcome(
    proposal: dict[str, Any], rows: Sequence[PendingChange]
) -> tuple[str, dict[str, Any] | None, str | None]:
    """How a tool call ended once each of its changes is settled: (status, result, error) for its
    tool row. ok: what was written (a single change's own result, or a bulk edit's changes that were
    approved, each on its own, with the others under `not_applied`); error: every approved write
    failed; rejected: nothing written (rejected, expired or stale), with the reason."""
    final = [r for r in rows if r.replaced_by is None]  # a stale change counts through its fresh preview
    applied = [r for r in final if r.applied_at is not None]
    missed = [r for r in final if r.applied_at is None]
    if not applied:
        errors = [r.error for r in final if r.error]
        if errors:
            return "error", None, "; ".join(errors)
        reason = next((r.reason or r.state for r in reversed(final)), "rejected")
        return "rejected", {"rejected": True, "change": proposal, "reason": reason}, None
    if isinstance(proposal.get("changes"), list):
        changes = [each_change(r.result or {})[0] for r in applied]
        out: dict[str, Any] = {k: v for k, v in proposal.items() if k not in ("changes", "warnings")}
        if missed:
            out["target"] = "campaigns " + ", ".join(str(c.get("campaign_id")) for c in changes)
        out.update(
            campaigns=len(changes),
            changes=changes,
            warnings=[w for c in changes for w in c.get("warnings", [])],
            applied=True,
        )
    else:
        out = dict(applied[-1].result or {})
    if missed:
        out["not_applied"] = [{**(r.preview or {}), "state": r.state, "reason": r.reason} for r in missed]
    return "ok", out, None


def _iso(t: datetime | None) -> str | None:
    return t.isoformat(timespec="seconds") + "Z" if t is not None else None


def rows_by_id(sessions: sessionmaker, ids: Sequence[int]) -> dict[int, PendingChange]:
    with sessions() as s:
        return {r.id: r for r in s.scalars(select(PendingChange).where(PendingChange.id.in_(list(ids))))}
