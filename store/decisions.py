"""The decision log writer: runs and decisions, written in the caller's transaction."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from store.db import Decision, Run, utcnow


def _jsonable(value: Any) -> Any:
    return json.loads(json.dumps(value, default=str)) if value is not None else None


def start_run(sessions: sessionmaker, *, thread_id: str, channel: str, user: str, request: str, model: str) -> int:
    with sessions.begin() as s:
        run = Run(thread_id=thread_id, channel=channel, user=user, request=request, model=model)
        s.add(run)
        s.flush()
        return int(run.id)


def end_run(sessions: sessionmaker, run_id: int, answer: str | None) -> None:
    with sessions.begin() as s:
        run = s.get(Run, run_id)
        if run is not None:
            run.answer = answer
            run.ended_at = utcnow()


def open_run_of_thread(sessions: sessionmaker, thread_id: str) -> int | None:
    """The latest run of a thread that has not ended (one waiting for an approval)."""
    with sessions() as s:
        return s.scalar(
            select(Run.id).where(Run.thread_id == thread_id, Run.ended_at.is_(None)).order_by(Run.id.desc())
        )


def log_decision(session: Session, run_id: int | None, kind: str, **fields: Any) -> int | None:
    """Add one decision row to `session` (the caller commits); a run id of None logs nothing."""
    if run_id is None:
        return None
    for key in ("arguments", "result"):
        if key in fields:
            fields[key] = _jsonable(fields[key])
    fields.setdefault("status", "ok")
    row = Decision(run_id=run_id, kind=kind, **fields)
    session.add(row)
    session.flush()
    return int(row.id)


def log_decision_now(sessions: sessionmaker, run_id: int | None, kind: str, **fields: Any) -> int | None:
    with sessions.begin() as s:
        return log_decision(s, run_id, kind, **fields)


def decisions_of_run(sessions: sessionmaker, run_id: int) -> list[Decision]:
    with sessions() as s:
        return list(s.scalars(select(Decision).where(Decision.run_id == run_id).order_by(Decision.id)))


def recent_decisions(sessions: sessionmaker, limit: int = 20) -> list[tuple[Decision, Run]]:
    with sessions() as s:
        rows = s.execute(
            select(Decision, Run).join(Run, Run.id == Decision.run_id).order_by(Decision.id.desc()).limit(limit)
        )
        return list(rows)
