"""The HTTP API's bearer tokens as rows: added, listed, revoked and looked up by the hash of the
secret, each in one transaction (copilot/tokens.py makes the secrets and holds the roles)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import sessionmaker

from store import StoreError
from store.db import ApiToken, utcnow


def add_token(sessions: sessionmaker, *, name: str, role: str, token_hash: str) -> dict[str, Any]:
    """A new live token; a name already held by a live token is refused (the database's unique
    index decides, so two creations at once cannot both win)."""
    try:
        with sessions.begin() as s:
            row = ApiToken(name=name, role=role, token_hash=token_hash, created_at=utcnow())
            s.add(row)
            s.flush()
            return view(row)
    except IntegrityError:
        raise StoreError(f"a token named {name!r} exists; revoke it first (copilot token revoke {name})") from None


def list_tokens(sessions: sessionmaker, *, revoked: bool = False) -> list[dict[str, Any]]:
    """The live tokens (and the revoked ones with `revoked`), oldest first; never a secret or a hash."""
    q = select(ApiToken).order_by(ApiToken.id)
    if not revoked:
        q = q.where(ApiToken.revoked_at.is_(None))
    with sessions() as s:
        return [view(r) for r in s.scalars(q)]


def revoke_token(sessions: sessionmaker, name: str, *, now: datetime | None = None) -> dict[str, Any]:
    """Revoke the live token called `name`; it stops working at once."""
    with sessions.begin() as s:
        row = s.scalar(select(ApiToken).where(ApiToken.name == name, ApiToken.revoked_at.is_(None)))
        if row is None:
            raise StoreError(f"there is no live token named {name!r}; `copilot token list` shows them")
        s.execute(update(ApiToken).where(ApiToken.id == row.id).values(revoked_at=now or utcnow()))
        s.refresh(row)
        return view(row)


def live_token(sessions: sessionmaker, token_hash: str) -> tuple[str, str] | None:
    """(name, role) of the live token with this hash, or None."""
    with sessions() as s:
        row = s.execute(
            select(ApiToken.name, ApiToken.role).where(ApiToken.token_hash == token_hash, ApiToken.revoked_at.is_(None))
        ).first()
    return (str(row[0]), str(row[1])) if row is not None else None


def view(row: ApiToken) -> dict[str, Any]:
    return {
        "name": row.name,
        "role": row.role,
        "created_at": _iso(row.created_at),
        "revoked_at": _iso(row.revoked_at),
    }


def _iso(t: datetime | None) -> str | None:
    return t.isoformat(timespec="seconds") + "Z" if t is not None else None
