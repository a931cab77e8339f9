"""A reply that approves some of the changes waiting and rejects the rest: each is settled its own
way, in either language; anything else is no such reply."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from copilot.app import Copilot
from copilot.settings import Settings
from offline.planner import partial_reply
from store.db import Campaign

ROWS = [
    {"id": 11, "target": {"kind": "campaign", "id": 1, "name": "Christmas gifts - search"}},
    {"id": 12, "target": {"kind": "campaign", "id": 2, "name": "Spring home decor - social"}},
    {"id": 13, "target": {"kind": "campaign", "id": 3, "name": "Lapsed customers win-back - display"}},
]


@pytest.mark.parametrize(
    ("text", "decided"),
    [
        ("3号先不批，1号2号批准", {11: True, 12: True, 13: False}),
        ("approve the social one, reject the rest", {11: False, 12: True, 13: False}),
        ("go ahead with 1 and 2 but not 3", {11: True, 12: True, 13: False}),
        ("yes", None),
        ("approve 2", None),  # the others not said: no reply to all of them
        ("展示那个不要动，其他照旧", None),  # the others kept waiting, not approved
        ("how is campaign 2 pacing?", None),
    ],
)
def test_which_changes_a_reply_approves(text: str, decided: dict[int, bool] | None) -> None:
    assert partial_reply(text, ROWS) == decided


def test_some_approved_and_one_rejected_in_one_reply(copilot_home: Path) -> None:
    cp = Copilot(Settings(home=copilot_home))
    try:
        res = cp.ask("raise every campaign's daily budget by 10%")
        assert len(res["pending_approval"]["changes"]) == 3
        done = cp.ask("leave search alone, approve the other two", thread_id=res["thread_id"])
        assert done["pending_approval"] is None
        with cp.sessions() as s:
            budgets = dict(s.execute(select(Campaign.id, Campaign.daily_budget)).all())
        assert budgets == {1: 500.0, 2: pytest.approx(330.0), 3: pytest.approx(220.0)}
        assert "Not changed: campaign 1" in done["answer"]
    finally:
        cp.close()
