"""The example bank: well-formed, covering every tool in both languages, disjoint from the eval
suites, and generalising across its own batches (each batch scored by a bank without it)."""

from __future__ import annotations

import re
from collections import Counter

from evals.cases import load_suites
from offline.extract import extract, is_chinese, normalize
from offline.intent import NONE, Index, load_bank
from offline.planner import choose_tool
from tools import TOOLS


def _key(text: str) -> str:
    return re.sub(r"[\W_]+", " ", normalize(text).lower()).strip()


def test_the_bank_covers_every_tool_in_both_languages() -> None:
    bank = load_bank()
    assert {e.label for e in bank} == set(TOOLS) | {NONE}
    counts = Counter((e.label, is_chinese(e.text)) for e in bank)
    for label in [*TOOLS, NONE]:
        assert counts[(label, False)] >= 24 and counts[(label, True)] >= 24, label
    assert len({e.batch for e in bank}) >= 3


def test_the_bank_and_the_eval_suites_are_disjoint() -> None:
    bank = {_key(e.text) for e in load_bank()}
    asked = {_key(t) for case in load_suites(None) for t in case.turns if isinstance(t, str)}
    assert not bank & asked, sorted(bank & asked)[:10]


def test_each_batch_is_recognised_by_the_others() -> None:
    """Leave one batch out: the bank without it labels it, through the routing requests go through
    (the vote, moved by how well each tool's schema fits the request; the vote alone is in
    `copilot bench --only offline.lobo`). h_dashboard was written where the bank was thinnest
    (campaign edits and reports, customer lists): the hardest batch to hold out."""
    bank = load_bank()
    scores = {}
    for batch in sorted({e.batch for e in bank}):
        index = Index([e for e in bank if e.batch != batch])
        held = [e for e in bank if e.batch == batch]
        scores[batch] = sum(choose_tool(e.text, extract(e.text), index=index).label == e.label for e in held) / len(
            held
        )
    assert min(scores.values()) >= 0.84, scores
    assert sum(scores.values()) / len(scores) >= 0.90, scores
