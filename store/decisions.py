"""The decision log writer: runs and decisions, written in the caller's transaction."""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from store import StoreError
from store.clean import finite, readable
from store.db import Decision, Feedback, Outcome, Run, utcnow


def _jsonable(value: Any, *, note: bool = False) -> Any:
    """`value` as valid JSON stores it: NaN and infinities are null (with `note`, a dict says where
    under "non_finite"), lone surrogates U+FFFD."""
    if value is None:
        return None
    clean, notes = finite(json.loads(json.dumps(value, default=str)))
    if note and notes and isinstance(clean, dict):
        clean = {**clean, "non_finite": notes}
    return clean


def start_run(sessions: sessionmaker, *, thread_id: str, channel: str, user: str, request: str, model: str) -> int:
    with sessions.begin() as s:
        run = Run(
            thread_id=readable(thread_id), channel=channel, user=readable(user), request=readable(request), model=model
        )
        s.add(run)
        s.flush()
        return int(run.id)


def end_run(sessions: sessionmaker, run_id: int, answer: str | None) -> None:
    with sessions.begin() as s:
        run = s.get(Run, run_id)
        if run is not None:
            run.answer = readable(answer) if answer is not None else None
            run.ended_at = utcnow()


def fail_run(sessions: sessionmaker, run_id: int, error: str) -> int | None:
    """A run that failed: its decision row (an answer with status error, saying what went wrong) and
    its end, in one transaction. A run that had already ended (its answer given before a later step
    failed) keeps its answer; the row is added all the same. None when the run does not exist."""
    error = readable(error)
    with sessions.begin() as s:
        run = s.get(Run, run_id)
        if run is None:
            return None
        row = Decision(run_id=run_id, kind="answer", status="error", error=error, model=run.model)
        s.add(row)
        if run.ended_at is None:
            run.answer = f"error: {error}"
            run.ended_at = utcnow()
        s.flush()
        return int(row.id)


def log_failed_request(
    sessions: sessionmaker, *, thread_id: str, channel: str, user: str, request: str, model: str, error: str
) -> int:
    """A request that failed before its run could start (a bad setting, a corrupt checkpoints file,
    a request too long): logged as a run that failed, with its decision row. Returns the run id."""
    run_id = start_run(
        sessions,
        thread_id=readable(thread_id)[:64],
        channel=channel,
        user=readable(user)[:64],
        request=readable(request),
        model=model[:64],
    )
    fail_run(sessions, run_id, error)
    return run_id


def open_run_of_thread(sessions: sessionmaker, thread_id: str) -> int | None:
    """The latest run of a thread that has not ended (one waiting for an approval)."""
    with sessions() as s:
        return s.scalar(
            select(Run.id).where(Run.thread_id == thread_id, Run.ended_at.is_(None)).order_by(Run.id.desc())
        )


def runs_of_thread(sessions: sessionmaker, thread_id: str, *, limit: int = 100) -> list[dict[str, Any]]:
    """The latest `limit` runs of a thread, oldest first: who asked what on which channel, the answer."""
    with sessions() as s:
        rows = list(s.scalars(select(Run).where(Run.thread_id == thread_id).order_by(Run.id.desc()).limit(limit)))
    return [
        {
            "run_id": r.id,
            "user": r.user,
            "channel": r.channel,
            "request": r.request,
            "answer": r.answer,
            "model": r.model,
            "started_at": r.started_at.isoformat(timespec="seconds") + "Z",
            "ended_at": r.ended_at.isoformat(timespec="seconds") + "Z" if r.ended_at is not None else None,
        }
        for r in reversed(rows)
    ]


def threads(
    sessions: sessionmaker, *, user: str | None = None, channel: str | None = None, limit: int = 50
) -> list[dict[str, Any]]:
    """The latest `limit` conversations, newest first (of one user or channel when given): the thread
    id, its first request, how many runs it has and when the latest started."""
    with sessions() as s:
        q = select(Run.thread_id, func.min(Run.id), func.max(Run.id), func.count(Run.id))
        if user is not None:
            q = q.where(Run.user == user)
        if channel is not None:
            q = q.where(Run.channel == channel)
        rows = list(s.execute(q.group_by(Run.thread_id).order_by(func.max(Run.id).desc()).limit(limit)))
        first = {r.id: r for r in s.scalars(select(Run).where(Run.id.in_([row[1] for row in rows])))}
        last = {r.id: r for r in s.scalars(select(Run).where(Run.id.in_([row[2] for row in rows])))}
    return [
        {
            "thread_id": thread_id,
            "title": first[lo].request,
            "runs": n,
            "last_at": last[hi].started_at.isoformat(timespec="seconds") + "Z",
        }
        for thread_id, lo, hi, n in rows
    ]


def _tool_row(session: Session, run_id: int, tool_call_id: str | None) -> Decision | None:
    if tool_call_id is None:
        return None
    return session.scalar(
        select(Decision).where(
            Decision.run_id == run_id, Decision.kind == "tool", Decision.tool_call_id == tool_call_id
        )
    )


def log_decision(session: Session, run_id: int | None, kind: str, **fields: Any) -> int | None:
    """Add one decision row to `session` (the caller commits); a run id of None logs nothing.
    A tool call that was waiting for approval is settled in its own row (pending -> ok, rejected, error)."""
    if run_id is None:
        return None
    for key in ("arguments", "result"):
        if key in fields:
            fields[key] = _jsonable(fields[key], note=key == "result")
    if isinstance(fields.get("error"), str):
        fields["error"] = readable(fields["error"])
    fields.setdefault("status", "ok")
    pending = _tool_row(session, run_id, fields.get("tool_call_id")) if kind == "tool" else None
    if pending is not None and pending.status == "pending":
        for key, value in fields.items():
            setattr(pending, key, value)
        session.flush()
        return int(pending.id)
    row = Decision(run_id=run_id, kind=kind, **fields)
    session.add(row)
    session.flush()
    return int(row.id)


def log_pending(session: Session, run_id: int | None, **fields: Any) -> int | None:
    """A write the model proposed, waiting for a person: its tool row, settled by the approval core
    once each of its changes is (the graph logs each proposal once: see its pending rows' batch)."""
    if run_id is None:
        return None
    return log_decision(session, run_id, "tool", status="pending", **fields)


def log_decision_now(sessions: sessionmaker, run_id: int | None, kind: str, **fields: Any) -> int | None:
    with sessions.begin() as s:
        return log_decision(s, run_id, kind, **fields)


def decisions_of_run(sessions: sessionmaker, run_id: int) -> list[Decision]:
    with sessions() as s:
        return list(s.scalars(select(Decision).where(Decision.run_id == run_id).order_by(Decision.id)))


@dataclass(frozen=True)
class DecisionFilter:
    """Which decisions to show: the latest `limit`, each filter that is given (the filters of
    `copilot decisions` and of the API's /v1/decisions)."""

    limit: int = 20
    since: datetime | None = None
    agent: str | None = None
    tool: str | None = None
    status: str | None = None
    kind: str | None = None
    thread: str | None = None
    channel: str | None = None
    run: int | None = None


def find_decisions(sessions: sessionmaker, f: DecisionFilter) -> list[tuple[Decision, Run]]:
    """The latest decisions matching every filter given, newest first."""
    q = select(Decision, Run).join(Run, Run.id == Decision.run_id)
    for column, value in (
        (Decision.agent_name, f.agent),
        (Decision.tool_name, f.tool),
        (Decision.status, f.status),
        (Decision.kind, f.kind),
        (Run.thread_id, f.thread),
        (Run.channel, f.channel),
        (Run.id, f.run),
    ):
        if value is not None:
            q = q.where(column == (readable(value) if isinstance(value, str) else value))
    if f.since is not None:
        q = q.where(Decision.created_at >= f.since)
    with sessions() as s:
        return [(d, r) for d, r in s.execute(q.order_by(Decision.id.desc()).limit(f.limit))]


def log_summary(sessions: sessionmaker, *, since: datetime | None = None, channel: str | None = None) -> dict[str, Any]:
    """What the log says about the copilot's traffic: per specialist, requests, tool calls and their
    errors, approvals given and refused, the marketers' thumbs up and down, and the outcomes logged."""
    q = select(Run)
    if since is not None:
        q = q.where(Run.started_at >= since)
    if channel is not None:
        q = q.where(Run.channel == channel)
    with sessions() as s:
        runs = {r.id: r for r in s.scalars(q)}
        ids = list(runs)
        decisions = list(s.scalars(select(Decision).where(Decision.run_id.in_(ids)))) if ids else []
        votes = list(s.scalars(select(Feedback).where(Feedback.run_id.in_(ids)))) if ids else []
        outcomes = (
            list(s.scalars(select(Outcome).where(Outcome.decision_id.in_([d.id for d in decisions]))))
            if decisions
            else []
        )
    agent_of_run = {d.run_id: d.agent_name or "none" for d in decisions if d.kind == "route"}
    rows: dict[str, dict[str, Any]] = {}

    def row(agent: str) -> dict[str, Any]:
        return rows.setdefault(
            agent,
            dict.fromkeys(
                ("requests", "tool_calls", "tool_errors", "approved", "rejected", "up", "down", "outcomes"), 0
            ),
        )

    for rid in runs:
        row(agent_of_run.get(rid, "none"))["requests"] += 1
    for d in decisions:
        r = row(agent_of_run.get(d.run_id, "none"))
        if d.kind == "tool":
            r["tool_calls"] += 1
            r["tool_errors"] += d.status == "error"
        elif d.kind == "approval":
            r["approved" if d.status == "ok" else "rejected"] += 1
    for f in votes:
        row(agent_of_run.get(f.run_id, "none"))["up" if f.rating > 0 else "down"] += 1
    run_of = {d.id: d.run_id for d in decisions}
    for o in outcomes:
        row(agent_of_run.get(run_of[o.decision_id], "none"))["outcomes"] += 1
    total = {k: sum(r[k] for r in rows.values()) for k in next(iter(rows.values()), {})}
    return {"runs": len(runs), "by_agent": dict(sorted(rows.items())), "total": total}


def outcomes_of(sessions: sessionmaker, decision_ids: list[int]) -> dict[int, list[dict[str, Any]]]:
    out: dict[int, list[dict[str, Any]]] = {}
    with sessions() as s:
        for o in s.scalars(select(Outcome).where(Outcome.decision_id.in_(decision_ids)).order_by(Outcome.id)):
            out.setdefault(o.decision_id, []).append(
                {"metric": o.metric, "value": o.value, "observed_at": o.observed_at.isoformat(timespec="seconds")}
            )
    return out


def feedback_of(sessions: sessionmaker, run_ids: list[int]) -> dict[int, list[dict[str, Any]]]:
    out: dict[int, list[dict[str, Any]]] = {}
    with sessions() as s:
        for f in s.scalars(select(Feedback).where(Feedback.run_id.in_(run_ids)).order_by(Feedback.id)):
            out.setdefault(f.run_id, []).append({"rating": "up" if f.rating > 0 else "down", "comment": f.comment})
    return out


def add_feedback(sessions: sessionmaker, run_id: int, *, up: bool, comment: str | None) -> int:
    """A marketer's thumbs up or down on a run."""
    if comment is not None and len(comment) > 2000:
        raise StoreError("keep the comment under 2,000 characters")
    with sessions.begin() as s:
        if s.get(Run, run_id) is None:
            raise StoreError(f"there is no run {run_id}; `copilot decisions` shows the runs")
        row = Feedback(run_id=run_id, rating=1 if up else -1, comment=comment or None)
        s.add(row)
        s.flush()
        return int(row.id)


OUTCOME_METRICS = ("impressions", "clicks", "conversions", "orders", "revenue", "spend")


def add_outcome(sessions: sessionmaker, decision_id: int, metric: str, value: float) -> int:
    """What was observed after a decision (clicks, revenue, ... after a bid or price change)."""
    if metric not in OUTCOME_METRICS:
        raise StoreError(f"unknown metric {metric!r}; use one of {', '.join(OUTCOME_METRICS)}")
    if not math.isfinite(value) or value < 0:
        raise StoreError(f"the value must be a number of at least 0, not {value}")
    with sessions.begin() as s:
        d = s.get(Decision, decision_id)
        if d is None or d.kind != "tool" or d.status != "ok":
            raise StoreError(
                f"decision {decision_id} is not a tool call that ran; outcomes attach to tool decisions "
                "(`copilot decisions --kind tool`)"
            )
        row = Outcome(decision_id=decision_id, metric=metric, value=float(value))
        s.add(row)
        s.flush()
        return int(row.id)
