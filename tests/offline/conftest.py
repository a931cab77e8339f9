"""A copilot on a fresh copy of the demo shop for each conversation test, and the calls it made."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from copilot.app import Copilot
from copilot.settings import Settings


@pytest.fixture
def cp(copilot_home: Path) -> Iterator[Copilot]:
    c = Copilot(Settings(home=copilot_home))
    yield c
    c.close()


def calls(res: dict[str, Any]) -> list[tuple[str, dict[str, Any], str]]:
    """The tool calls of an answer: (name, arguments, status)."""
    return [(c["name"], c["args"], c["status"]) for c in res["tool_calls"]]
