"""Ad copy as numbers: how long a line is as a platform counts it, how distinct a set of lines is
(distinct-2), and a greedy choice of the most distinct lines among candidates.

distinct-2 is the number of distinct bigrams over the number of all bigrams in a set of texts:
word bigrams for English, character bigrams for Chinese (a number, a Latin word or a hashtag
counts as one character; punctuation and spaces are left out).
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable, Sequence
from typing import Literal

import numpy as np

Language = Literal["en", "zh"]

_WIDE = re.compile(r"[\u1100-\u115f\u2e80-\ua4cf\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6]")
_WORD = re.compile(r"#\w+|[a-z0-9£$€¥%][a-z0-9£$€¥%.,'\-]*[a-z0-9%]|[a-z0-9£%]", re.I)
_HAN = re.compile(r"#\w+|[\u4e00-\u9fff]|" + _WORD.pattern, re.I)


def char_count(text: str, wide: int = 1) -> int:
    """Characters as a platform counts them: each double-width (CJK, full-width) character counts
    `wide` (Google Ads counts them twice), every other character once."""
    n_wide = len(_WIDE.findall(text))
    return len(text) + (wide - 1) * n_wide


def units(text: str, language: Language) -> list[str]:
    """The units bigrams are made of: lower-case words (en); Chinese characters, with a number or a
    Latin word as one unit and punctuation left out (zh); a hashtag is one unit in both."""
    if language == "zh":
        return _HAN.findall(text.lower())
    return [w.lower() for w in _WORD.findall(text)]


def bigrams(text: str, language: Language) -> list[tuple[str, str]]:
    u = units(text, language)
    return list(itertools.pairwise(u))


def distinct_2(texts: Sequence[str], language: Language) -> float:
    """Distinct bigrams / all bigrams over the texts (1.0 when there are none)."""
    grams = [g for t in texts for g in bigrams(t, language)]
    return len(set(grams)) / len(grams) if grams else 1.0


class DiverseSet:
    """A growing set of texts and its distinct-2: how much a candidate would keep it up (`gain`),
    and adding one (`add`)."""

    def __init__(self, language: Language) -> None:
        self.language = language
        self.seen: set[tuple[str, str]] = set()
        self.total = 0

    def ratio(self) -> float:
        return len(self.seen) / self.total if self.total else 1.0

    def gain(self, grams: list[tuple[str, str]], distinct: set[tuple[str, str]] | None = None) -> float:
        """distinct-2 of the set with these bigrams added."""
        new = len((distinct if distinct is not None else set(grams)) - self.seen)
        total = self.total + len(grams)
        return (len(self.seen) + new) / total if total else 1.0

    def add(self, grams: list[tuple[str, str]]) -> None:
        self.seen |= set(grams)
        self.total += len(grams)


def select_diverse(
    candidates: Sequence[str],
    n: int,
    language: Language,
    accept: Callable[[int], bool] | None = None,
) -> list[int]:
    """Indices of up to n candidates chosen greedily so that distinct-2 of the chosen set stays as
    high as possible (ties go to the earlier candidate); `accept(i)` may refuse a candidate (it is
    asked once, when the candidate would be chosen). Identical texts are never chosen twice."""
    pool = Pool(candidates, language)
    chosen: list[int] = []
    state = DiverseSet(language)
    while len(chosen) < n:
        i = pool.best(state, accept)
        if i is None:
            break
        chosen.append(i)
        state.add(pool.grams[i])
    return chosen


class Pool:
    """Candidate texts with their bigrams, each usable once. Which bigrams each candidate has is a
    0/1 matrix, so that scoring every candidate against the set is one matrix-vector product."""

    def __init__(self, candidates: Sequence[str], language: Language) -> None:
        self.texts = list(candidates)
        self.grams = [bigrams(c, language) for c in self.texts]
        vocab: dict[tuple[str, str], int] = {}
        rows, cols = [], []
        for i, g in enumerate(self.grams):
            for b in set(g):
                rows.append(i)
                cols.append(vocab.setdefault(b, len(vocab)))
        self._vocab = list(vocab)
        self._has = np.zeros((len(self.texts), max(len(vocab), 1)), dtype=np.float32)
        self._has[rows, cols] = 1.0
        self._sizes = np.array([len(g) for g in self.grams], dtype=np.float64)
        self._open = np.ones(len(self.texts), dtype=bool)  # neither used nor refused

    def best(
        self,
        state: DiverseSet,
        accept: Callable[[int], bool] | None = None,
        allowed: Callable[[int], bool] | None = None,
    ) -> int | None:
        """The unused candidate that keeps the set's distinct-2 highest (on a tie, the one that adds
        most new bigrams, then the earliest) and that `allowed` and `accept` let through (accept is
        asked once per candidate; a refusal is final); marks it used."""
        if not self.texts:
            return None
        unseen = np.array([b not in state.seen for b in self._vocab] or [False], dtype=np.float32)
        new = self._has @ unseen
        total = state.total + self._sizes
        gain = np.where(total > 0, (len(state.seen) + new) / np.maximum(total, 1), 1.0)
        order = np.lexsort((np.arange(len(self.texts)), -new, -np.round(gain, 9)))
        taken = {self.texts[i] for i in np.flatnonzero(~self._open)}
        for i in order[self._open[order]].tolist():
            if self.texts[i] in taken or (allowed is not None and not allowed(i)):
                continue
            self._open[i] = False
            if accept is not None and not accept(i):
                continue
            return i
        return None
