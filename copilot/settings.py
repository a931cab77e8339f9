"""Settings from the environment (and an optional settings file), with working defaults."""

from __future__ import annotations

import json
import math
import os
import re
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

from copilot import SettingsError


def _home() -> Path:
    return Path(os.environ.get("COPILOT_HOME") or Path.home() / ".marketing-copilot").expanduser()


@dataclass(frozen=True)
class Settings:
    home: Path = field(default_factory=_home)
    database_url: str = ""
    model: str = "offline"  # "offline" or "openai:<model name>"
    openai_base_url: str | None = None
    openai_api_key: str | None = field(default=None, repr=False)  # never shown: not in a repr, a log or a reply
    request_timeout: float = 60.0
    max_retries: int = 3
    approval_ttl_hours: float = 24.0  # a pending change expires after this long
    four_eyes_above_pct: float | None = None  # larger changes need someone other than their proposer

    @property
    def approval_ttl(self) -> timedelta:
        return timedelta(hours=self.approval_ttl_hours)

    @property
    def checkpoint_path(self) -> Path:
        return self.home / "checkpoints.sqlite"

    @property
    def chroma_path(self) -> Path:
        return self.home / "chroma"

    @property
    def db_url(self) -> str:
        return self.database_url or f"sqlite:///{self.home / 'shop.db'}"


def load_settings() -> Settings:
    """Environment first, then `$COPILOT_HOME/settings.json`, then defaults.

    The model is OpenAI-compatible when OPENAI_API_KEY or OPENAI_BASE_URL is set (COPILOT_MODEL
    picks the model name, default gpt-4o-mini), offline otherwise; COPILOT_MODEL=offline forces it.
    A value the copilot cannot use raises SettingsError naming the setting and what it takes (its
    `db_url` is the shop's database when that setting is sound, so the failure can be logged).
    """
    home = _home()
    file_values: dict[str, object] = {}
    path = home / "settings.json"
    try:
        if path.is_file():
            file_values = json.loads(path.read_text())
    except (OSError, ValueError) as exc:
        raise SettingsError(f"{path} is not valid JSON: {exc}; fix or delete it") from exc
    if not isinstance(file_values, dict):
        raise SettingsError(f"{path} must hold one JSON object of settings; fix or delete it")

    def get(env: str, key: str) -> str | None:
        value = os.environ.get(env) or file_values.get(key)
        if value is not None and not isinstance(value, str | int | float):
            raise SettingsError(f"{key} in {path} must be a string or a number, not {type(value).__name__}")
        return None if value is None else str(value)

    database_url = get("COPILOT_DATABASE_URL", "database_url") or ""
    db_url = _database_url(database_url) or f"sqlite:///{home / 'shop.db'}"
    try:
        base_url = get("OPENAI_BASE_URL", "openai_base_url")
        if base_url is not None and not re.match(r"https?://[^\s/]+", base_url):
            raise SettingsError(f"OPENAI_BASE_URL must be an http:// or https:// address, not {base_url!r}")
        api_key = get("OPENAI_API_KEY", "openai_api_key")
        model = get("COPILOT_MODEL", "model") or ""
        if not model or (model != "offline" and not model.startswith("openai:")):
            if model and model != "offline":
                model = f"openai:{model}"
            elif base_url or api_key:
                model = "openai:gpt-4o-mini"
            else:
                model = "offline"
        if model.startswith("openai:") and not model.removeprefix("openai:").strip():
            raise SettingsError("COPILOT_MODEL must name a model (openai:NAME or offline), not 'openai:'")
        ttl = _number(get("COPILOT_APPROVAL_TTL_HOURS", "approval_ttl_hours"), "COPILOT_APPROVAL_TTL_HOURS", "hours")
        four_eyes = _number(
            get("COPILOT_FOUR_EYES_ABOVE_PCT", "four_eyes_above_pct"), "COPILOT_FOUR_EYES_ABOVE_PCT", "%"
        )
        timeout = _number(get("COPILOT_TIMEOUT", "request_timeout"), "COPILOT_TIMEOUT", "seconds")
        _embedding()
    except SettingsError as exc:
        exc.db_url = db_url
        raise
    return Settings(
        home=home,
        database_url=database_url,
        model=model,
        openai_base_url=base_url,
        openai_api_key=api_key,
        request_timeout=60.0 if timeout is None else timeout,
        approval_ttl_hours=24.0 if ttl is None else ttl,
        four_eyes_above_pct=four_eyes,
    )


def _database_url(url: str) -> str:
    """COPILOT_DATABASE_URL checked as a SQLAlchemy URL (never echoed: it may hold a password)."""
    if not url:
        return ""
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    try:
        make_url(url)
    except ArgumentError:
        raise SettingsError(
            "COPILOT_DATABASE_URL is not a database URL; give sqlite:///PATH or postgresql+psycopg://USER@HOST/DB"
        ) from None
    return url


def _embedding() -> None:
    from vectorstore.catalog import embedding_name

    try:
        embedding_name()
    except ValueError as exc:
        raise SettingsError(str(exc)) from None


_RULES = {  # unit: (lowest, is the lowest allowed, highest, the rule in words)
    "hours": (0.0, False, 24.0 * 365, "above 0 and at most 8760 (a year)"),
    "%": (0.0, True, math.inf, "of at least 0"),
    "seconds": (0.0, False, 3600.0, "above 0 and at most 3600"),
}


def _number(raw: object, name: str, unit: str) -> float | None:
    """A setting that is a number of `unit` (unset: None), or a one-line error naming it."""
    if raw is None or raw == "":
        return None
    try:
        value = float(raw)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        value = math.nan
    low, low_ok, high, rule = _RULES[unit]
    if not math.isfinite(value) or value < low or (value == low and not low_ok) or value > high:
        raise SettingsError(f"{name} must be a number {rule} ({unit}), not {raw!r}")
    return value
