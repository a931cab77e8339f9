"""Tokens and roles of the HTTP API (`copilot serve`): a token is a random secret shown once, stored
as its SHA-256 (store/tokens.py), with a name (the user the decision log records, on channel "api")
and a role:

    viewer    reads: threads, the decision log
    marketer  also asks (and so proposes changes) and gives feedback
    approver  also approves or rejects changes
    admin     everything, tokens too
"""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass
from typing import Any, Literal, get_args

from sqlalchemy.orm import sessionmaker

from copilot import CopilotError
from copilot.approvals import Actor
from store import StoreError
from store.tokens import add_token, list_tokens, live_token, revoke_token

Role = Literal["viewer", "marketer", "approver", "admin"]
Action = Literal["read", "ask", "approve", "admin"]
ROLES: tuple[str, ...] = get_args(Role)
ACTIONS: tuple[Action, ...] = get_args(Action)
# Each role may do its own action and every action of the roles below it.
_RANK = {role: i for i, role in enumerate(ROLES)}
_NEEDS = {"read": "viewer", "ask": "marketer", "approve": "approver", "admin": "admin"}
PREFIX = "mcp_"  # tokens are recognisable in a leaked log or a paste
_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._@-]{0,63}")


@dataclass(frozen=True)
class Principal:
    """Who a request comes from: a token's name and role."""

    name: str
    role: str

    @property
    def actor(self) -> Actor:
        return Actor(self.name, "api")

    def can(self, action: Action) -> bool:
        return can(self.role, action)


def can(role: str, action: Action) -> bool:
    """Whether `role` may do `action` (viewers read; marketers ask; approvers approve; admins all)."""
    return role in _RANK and _RANK[role] >= _RANK[_NEEDS[action]]


def needed_role(action: Action) -> str:
    return _NEEDS[action]


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8", "surrogatepass")).hexdigest()


def check_name(name: str) -> str:
    if not _NAME.fullmatch(name):
        raise CopilotError(
            f"a token name is 1 to 64 letters, digits or . _ @ - (starting with a letter or digit), not {name!r}"
        )
    return name


def check_role(role: str) -> str:
    if role not in ROLES:
        raise CopilotError(f"the role must be one of {', '.join(ROLES)}, not {role!r}")
    return role


def create_token(sessions: sessionmaker, name: str, role: str) -> tuple[str, dict[str, Any]]:
    """A new token: (the secret, to show once; its row without the secret)."""
    check_name(name)
    check_role(role)
    secret = PREFIX + secrets.token_urlsafe(32)
    try:
        row = add_token(sessions, name=name, role=role, token_hash=hash_secret(secret))
    except StoreError as exc:
        raise CopilotError(str(exc)) from exc
    return secret, row


def tokens(sessions: sessionmaker, *, revoked: bool = False) -> list[dict[str, Any]]:
    return list_tokens(sessions, revoked=revoked)


def revoke(sessions: sessionmaker, name: str) -> dict[str, Any]:
    try:
        return revoke_token(sessions, name)
    except StoreError as exc:
        raise CopilotError(str(exc)) from exc


def authenticate(sessions: sessionmaker, secret: str | None) -> Principal | None:
    """The principal a bearer secret stands for, or None (no secret, an unknown or revoked one)."""
    if not secret or len(secret) > 256:
        return None
    found = live_token(sessions, hash_secret(secret))
    return Principal(*found) if found is not None else None


__all__ = [
    "ACTIONS",
    "ROLES",
    "Action",
    "Principal",
    "Role",
    "authenticate",
    "can",
    "create_token",
    "needed_role",
    "revoke",
    "tokens",
]
