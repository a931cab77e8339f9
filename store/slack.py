"""Slack users' roles and the Slack deliveries already taken up, as rows (channels/slack.py)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import sessionmaker

from store.db import SlackEvent, SlackUser, utcnow

KEEP_EVENTS = timedelta(days=1)  # Slack retries within minutes; a day of ids is plenty


def map_user(sessions: sessionmaker, slack_user: str, *, role: str, name: str) -> dict[str, Any]:
    """Give a Slack user a role (replacing the one they had) and the name the decision log records."""
    with sessions.begin() as s:
        row = s.get(SlackUser, slack_user)
        if row is None:
            row = SlackUser(slack_user=slack_user)
            s.add(row)
        row.role, row.name, row.mapped_at = role, name, utcnow()
        s.flush()
        return _view(row)


def unmap_user(sessions: sessionmaker, slack_user: str) -> bool:
    """Forget a Slack user's role; whether they had one."""
    with sessions.begin() as s:
        return bool(s.execute(delete(SlackUser).where(SlackUser.slack_user == slack_user)).rowcount)


def slack_users(sessions: sessionmaker) -> list[dict[str, Any]]:
    with sessions() as s:
        return [_view(r) for r in s.scalars(select(SlackUser).order_by(SlackUser.slack_user))]


def slack_user(sessions: sessionmaker, slack_user: str) -> dict[str, Any] | None:
    with sessions() as s:
        row = s.get(SlackUser, slack_user)
        return _view(row) if row is not None else None


def first_delivery(sessions: sessionmaker, event_id: str) -> bool:
    """Whether this is the first time `event_id` is taken up (its row is inserted now); a copy Slack
    sent again, to this worker or another, finds the row and is not processed twice."""
    now = utcnow()
    try:
        with sessions.begin() as s:
            s.add(SlackEvent(event_id=event_id[:128], received_at=now))
    except IntegrityError:
        return False
    with sessions.begin() as s:
        s.execute(delete(SlackEvent).where(SlackEvent.received_at < now - KEEP_EVENTS))
    return True


def _view(row: SlackUser) -> dict[str, Any]:
    return {
        "slack_user": row.slack_user,
        "name": row.name,
        "role": row.role,
        "mapped_at": row.mapped_at.isoformat(timespec="seconds") + "Z",
    }
