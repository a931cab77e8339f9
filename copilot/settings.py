"""Settings from the environment (and an optional settings file), with working defaults."""

from __future__ import annotations

import json
import math
import os
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

from copilot import CopilotError


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
    """
    home = _home()
    file_values: dict[str, str] = {}
    path = home / "settings.json"
    if path.exists():
        try:
            file_values = json.loads(path.read_text())
        except (OSError, ValueError) as exc:
            raise CopilotError(f"{path} is not valid JSON: {exc}; fix or delete it") from exc

    def get(env: str, key: str) -> str | None:
        return os.environ.get(env) or file_values.get(key)

    base_url = get("OPENAI_BASE_URL", "openai_base_url")
    api_key = get("OPENAI_API_KEY", "openai_api_key")
    model = get("COPILOT_MODEL", "model") or ""
    if not model or (model != "offline" and not model.startswith("openai:")):
        if model and model != "offline":
            model = f"openai:{model}"
        elif base_url or api_key:
            model = "openai:gpt-4o-mini"
        else:
            model = "offline"
    ttl = _number(get("COPILOT_APPROVAL_TTL_HOURS", "approval_ttl_hours"), "COPILOT_APPROVAL_TTL_HOURS", "hours")
    four_eyes = _number(get("COPILOT_FOUR_EYES_ABOVE_PCT", "four_eyes_above_pct"), "COPILOT_FOUR_EYES_ABOVE_PCT", "%")
    return Settings(
        home=home,
        database_url=get("COPILOT_DATABASE_URL", "database_url") or "",
        model=model,
        openai_base_url=base_url,
        openai_api_key=api_key,
        request_timeout=float(get("COPILOT_TIMEOUT", "request_timeout") or 60.0),
        approval_ttl_hours=24.0 if ttl is None else ttl,
        four_eyes_above_pct=four_eyes,
    )


def _number(raw: object, name: str, unit: str) -> float | None:
    """A setting that is a number of hours or a percentage (unset: None), or a one-line error naming it."""
    if raw is None or raw == "":
        return None
    try:
        value = float(raw)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        value = math.nan
    hours = unit == "hours"
    if not math.isfinite(value) or value < 0 or (hours and not 0 < value <= 24 * 365):
        rule = "above 0 and at most 8760 (a year)" if hours else "of at least 0"
        raise CopilotError(f"{name} must be a number {rule} ({unit}), not {raw!r}")
    return value
