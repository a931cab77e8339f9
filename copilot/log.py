"""The decision log as the channels show it: one record per decision, with its run, who proposed and
who settled an approval, the outcomes observed after it and the feedback on its run
(`copilot decisions --format json` prints these records; the HTTP API returns them)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.orm import sessionmaker

from copilot import CopilotError
from store.db import utcnow
from store.decisions import DecisionFilter, feedback_of, find_decisions, outcomes_of

_UNITS = {"m": "minutes", "h": "hours", "d": "days", "w": "weeks"}


def parse_since(value: str | None, label: str = "--since") -> datetime | None:
    """An ISO date or time, or a span back from now such as 2h, 7d."""
    if value is None:
        return None
    if value[:-1].isdigit() and value[-1:] in _UNITS:
        try:
            return utcnow() - timedelta(**{_UNITS[value[-1]]: int(value[:-1])})
        except OverflowError:
            raise CopilotError(f"{label} {value!r} reaches back too far; give a shorter span") from None
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        raise CopilotError(f"{label} {value!r}: give an ISO date (2026-11-01) or a span such as 12h or 7d") from None


def decision_records(sessions: sessionmaker, f: DecisionFilter) -> list[dict[str, Any]]:
    """The latest decisions matching every filter given, newest first, each as one record."""
    rows = find_decisions(sessions, f)
    outcomes = outcomes_of(sessions, [d.id for d, _ in rows])
    feedback = feedback_of(sessions, sorted({r.id for _, r in rows}))
    return [
        {
            "id": d.id,
            "run_id": d.run_id,
            "thread_id": r.thread_id,
            "channel": r.channel,
            "created_at": d.created_at.isoformat(timespec="seconds"),
            "user": r.user,
            **_who(d),
            "kind": d.kind,
            "agent": d.agent_name,
            "tool": d.tool_name,
            "status": d.status,
            "arguments": d.arguments,
            "result": d.result,
            "error": d.error,
            "model": d.model,
            "latency_ms": d.latency_ms,
            "input_tokens": d.input_tokens,
            "output_tokens": d.output_tokens,
            "request": r.request,
            "outcomes": outcomes.get(d.id, []),
            "feedback": feedback.get(r.id, []),
        }
        for d, r in rows
    ]


def _who(d: Any) -> dict[str, Any]:
    """An approval's people (from its logged change): who proposed it and who settled it."""
    res = d.result if d.kind == "approval" and isinstance(d.result, dict) else {}
    return {
        "pending_id": res.get("pending_id"),
        "proposed_by": res.get("proposed_by"),
        "settled_by": res.get("settled_by"),
    }


__all__ = ["DecisionFilter", "decision_records", "parse_since"]
