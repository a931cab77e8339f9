"""Typos: a misspelt word becomes the closest word of a vocabulary (`hedlines` -> `headlines`,
`prodct` -> `product`), by edit distance over a delete-neighbourhood index (the SymSpell idea)."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable

_WORD = re.compile(r"[A-Za-z][A-Za-z']+")


def _deletes(word: str, depth: int) -> set[str]:
    out = {word}
    frontier = {word}
    for _ in range(depth):
        frontier = {w[:i] + w[i + 1 :] for w in frontier for i in range(len(w))}
        out |= frontier
    return out


def distance(a: str, b: str) -> int:
    """Damerau-Levenshtein (optimal string alignment) distance."""
    prev2: list[int] = []
    prev = list(range(len(b) + 1))
    for i in range(1, len(a) + 1):
        cur = [i] + [0] * len(b)
        for j in range(1, len(b) + 1):
            cost = a[i - 1] != b[j - 1]
            cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                cur[j] = min(cur[j], prev2[j - 2] + 1)
        prev2, prev = prev, cur
    return prev[-1]


def allowed_distance(word: str) -> int:
    return 0 if len(word) < 4 else 1 if len(word) < 7 else 2


class Speller:
    def __init__(self, words: Iterable[str], known: Iterable[str] = ()) -> None:
        """`words`: what a typo is corrected to; `known`: words that are right as they are (`gone` is
        not a typo of `tone`), never corrected and never a correction."""
        self.known = frozenset(w.lower() for w in known)
        self.freq: Counter[str] = Counter(w.lower() for w in words if len(w) >= 3)
        self.index: dict[str, list[str]] = {}
        for w in self.freq:
            for d in _deletes(w, allowed_distance(w)):
                self.index.setdefault(d, []).append(w)

    def _inflects(self, low: str) -> bool:
        """An ending on a word of the vocabulary (`bumping`, `capped`, `priced`): a word, not a typo."""
        for suffix in ("ing", "ed", "es", "s", "er", "ers"):
            if low.endswith(suffix) and len(low) - len(suffix) >= 3:
                stem = low[: -len(suffix)]
                doubled = stem[:-1] if len(stem) > 3 and stem[-1] == stem[-2] else None
                if any(w in self.freq or w in self.known for w in (stem, stem + "e", doubled) if w):
                    return True
        return False

    def correct(self, word: str) -> str:
        low = word.lower()
        depth = allowed_distance(low)
        if depth == 0 or low in self.freq or low in self.known or self._inflects(low):
            return word
        stem = low[:-2] if low.endswith("'s") else low[:-1] if low.endswith("s'") else ""
        if stem and (
            stem in self.freq or stem in self.known
        ):  # "display's CPA", "month's": the word (its plural, when known)
            return word[: len(stem)] + ("s" if stem + "s" in self.freq else "")
        best: tuple[int, int, str] | None = None
        for d in _deletes(low, depth):
            for cand in self.index.get(d, ()):
                if cand[0] != low[0]:
                    continue  # a typo seldom changes the first letter: `capping` is no `lapsing`
                dist = distance(low, cand)
                if dist <= min(depth, allowed_distance(cand)) and (best is None or (dist, -self.freq[cand]) < best[:2]):
                    best = (dist, -self.freq[cand], cand)
        return best[2] if best else word

    def fix(self, text: str) -> str:
        """`text` with every misspelt word replaced (same positions are not kept)."""
        return _WORD.sub(lambda m: self.correct(m.group(0)), text)
