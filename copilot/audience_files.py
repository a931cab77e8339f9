"""`copilot audience import NAME FILE.csv` and `copilot audience consent FILE.csv`: a marketer's
own list of customers saved as an audience (with the consent it states), or customers' consent,
each in one transaction: a bad line stops it with nothing written. Opens no model."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from copilot import CopilotError
from copilot.settings import Settings, load_settings
from dmp import DmpError, files
from store import StoreError
from store.db import Customer, make_engine, make_sessionmaker


def _run(settings: Settings | None, write: Any, *, needs_shop: bool) -> dict[str, Any]:
    settings = settings or load_settings()
    if not Path(settings.db_url.removeprefix("sqlite:///")).exists() and settings.db_url.startswith("sqlite:///"):
        raise CopilotError(f"there is no shop at {settings.home}: run `copilot init` to load the demo shop first")
    try:
        engine = make_engine(settings.db_url)
    except StoreError as exc:
        raise CopilotError(str(exc)) from exc
    try:
        sessions = make_sessionmaker(engine)
        with sessions.begin() as s:
            if needs_shop and not s.scalar(select(func.count()).select_from(Customer)):
                raise CopilotError(
                    "the shop has no customers yet: run `copilot init` (the demo shop) or `copilot import orders FILE`"
                )
            result: dict[str, Any] = write(s)
        return result
    except DmpError as exc:
        raise CopilotError(str(exc)) from exc
    finally:
        engine.dispose()


def import_audience_file(name: str, path: Path, *, settings: Settings | None = None) -> dict[str, Any]:
    """A list audience named `name` from a CSV of customer ids (a customer_id column, optionally an
    opted_out column), with the consent it states. Returns what was imported."""
    return _run(settings, lambda s: files.import_list(s, name, path), needs_shop=True)


def import_consent_file(path: Path, *, settings: Settings | None = None) -> dict[str, Any]:
    """Customers' consent from a CSV (customer_id and opted_out columns). Returns what was recorded."""
    return _run(settings, lambda s: files.import_consent(s, path), needs_shop=False)


__all__ = ["import_audience_file", "import_consent_file"]
