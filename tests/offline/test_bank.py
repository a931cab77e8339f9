"""The example bank: well-formed, covering every tool in both languages, disjoint from the eval
suites, and generalising across its own batches (each batch scored by a bank without it)."""

from __future__ import annotations

import re
from collections import Counter

from evals.cases import load_suites
from offline.extract import is_chinese, normalize
from offline.intent import NONE, Index, load_bank
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
    """Leave one batch out: the bank without it labels it (the full figures are in `copilot bench --only offline`)."""
    bank = load_bank()
    for batch in sorted({e.batch for e in bank}):
        index = Index([e for e in bank if e.batch != batch])
        held = [e for e in bank if e.batch == batch]
        right = sum(index.classify(e.text).label == e.label for e in held)
        assert right / len(held) >= 0.85, (batch, right / len(held))
