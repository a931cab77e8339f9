"""The recommendation pipeline judged like for like: its constants chosen on a validation month,
the test period scored once (issue 14).

On the demo shop (UCI Online Retail, 2010-12-01 to 2011-12-09):
- validation: every constant is fitted on the lines before 2011-10-01 and scored on October 2011;
- test: refitted with the chosen constants on the lines before 2011-11-01, scored on 2011-11-01 to
  the end, once.

The score is NDCG@20 and Recall@20 of the products a customer buys that they had not bought before,
over the customers who buy on both sides of the cut; the popularity and item-to-item baselines
(no constants to choose) are scored on both periods the same way.

The search (SEARCH) is one pass of coordinate ascent on validation NDCG@20: in the order listed,
each constant tries its values with the others at the best found so far, and keeps the best (the
value it had wins a tie). It starts from the middle value of each list.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, fields, replace
from typing import Any

import numpy as np
from scipy import sparse

from engine import recall, recsys
from engine.rank import HashedLogistic

K = 20
VALIDATION_START = "2011-10-01"
TEST_START = "2011-11-01"

# Each constant's values, in the order the search visits them; the middle value is where it starts.
SEARCH: dict[str, tuple[Any, ...]] = {
    "n_recall": (100, 200, 300),
    "n_popular": (25, 50, 100),
    "recent_days": (30, 60, 120),
    "half_life_days": (30.0, 90.0, 180.0),
    "label_days": (30, 61, 91),
    "c": (0.01, 0.1, 1.0),
}

Progress = Callable[[str], None]


def day(iso: str) -> int:
    """Days since 1970 of an ISO date."""
    return int(np.datetime64(iso, "D").astype(np.int64))


@dataclass(frozen=True)
class Period:
    """A cut: what the models learn from (`train`, the lines before `start`) and what they are
    scored on (the products each of `users` buys in [start, end) that they had not bought before)."""

    train: recsys.History
    start: int
    users: np.ndarray  # sorted customer ids buying on both sides of the cut
    owned: list[np.ndarray]  # per user, the products bought before the cut
    relevant: list[set[int]]
    sim: sparse.csr_matrix  # co-purchase similarity of `train`


def _products_of(h: recsys.History, users: np.ndarray) -> list[np.ndarray]:
    pos = np.searchsorted(users, h.customer)
    known = (pos < users.size) & (users[np.minimum(pos, users.size - 1)] == h.customer)
    m = sparse.csr_matrix((np.ones(int(known.sum())), (pos[known], h.product[known])), shape=(users.size, h.n_items))
    m.sum_duplicates()
    return [m.indices[m.indptr[u] : m.indptr[u + 1]] for u in range(users.size)]


def period(h: recsys.History, start: int, end: int) -> Period:
    train, future = h.subset(h.day < start), h.subset((h.day >= start) & (h.day < end))
    users = np.intersect1d(np.unique(train.customer), np.unique(future.customer))
    owned = _products_of(train, users)
    bought = _products_of(future, users)
    relevant = [set(np.setdiff1d(b, o).tolist()) for b, o in zip(bought, owned, strict=True)]
    sim = recall.cooccurrence_similarity(train.order, train.product, train.n_items)
    return Period(train, start, users, owned, relevant, sim)


def baselines(p: Period, k: int = K) -> dict[str, list[np.ndarray]]:
    """The top k of each user by popularity and by item-to-item co-purchase, bought products left out."""
    by_pop = recall.top_k(np.bincount(p.train.product, minlength=p.train.n_items).astype(float), 2000)
    popularity = [by_pop[~np.isin(by_pop, own)][:k] for own in p.owned]
    item2item = []
    for own in p.owned:
        sc = recall.item_to_item_scores(p.sim, own)
        sc[own] = -1.0
        item2item.append(recall.top_k(sc, k))
    return {"popularity": popularity, "item2item": item2item}


_CANDIDATE_FIELDS = ("n_recall", "n_popular", "recent_days", "half_life_days")


class Pipeline:
    """Recall then rank on one period, keeping what a change of one constant leaves alone (the
    co-purchase similarities, the candidates, the ranker's examples)."""

    def __init__(self, p: Period, country_of: dict[int, int]) -> None:
        self.p, self.country_of = p, country_of
        self._sims: dict[int, sparse.csr_matrix] = {}
        self._examples: dict[tuple[Any, ...], tuple[recsys.Candidates, np.ndarray]] = {}
        self._candidates: dict[tuple[Any, ...], recsys.Candidates] = {}

    def _keys(self, tuning: recsys.Tuning) -> tuple[tuple[Any, ...], tuple[Any, ...], int]:
        """What the candidates depend on, what the ranker's examples depend on, and the ranker's cut day."""
        cand_key = tuple(getattr(tuning, f) for f in _CANDIDATE_FIELDS)
        cut = self.p.start - tuning.label_days
        return cand_key, (*cand_key, cut), cut

    def recommend(self, tuning: recsys.Tuning, k: int = K) -> list[np.ndarray]:
        cand_key, ex_key, cut = self._keys(tuning)
        if cut not in self._sims:
            past = self.p.train.subset(self.p.train.day < cut)
            self._sims[cut] = recall.cooccurrence_similarity(past.order, past.product, past.n_items)
        if ex_key not in self._examples:
            self._examples[ex_key] = recsys.training_set(
                self.p.train, cut, self.country_of, tuning=tuning, sim=self._sims[cut]
            )
        if cand_key not in self._candidates:
            country = np.array([self.country_of.get(int(u), 0) for u in self.p.users])
            self._candidates[cand_key] = recsys.candidates(
                self.p.train, self.p.start, self.p.users, country, tuning=tuning, sim=self.p.sim
            )
        examples, y = self._examples[ex_key]
        model = HashedLogistic.fit(examples.idx, examples.val, y, c=tuning.c)
        c = self._candidates[cand_key]
        return recsys.top_per_user(c, model.score(c.idx, c.val), self.p.users.size, k)

    def keep_only(self, tuning: recsys.Tuning) -> None:
        """Forget what `tuning` does not use (the search moves on from it)."""
        cand_key, ex_key, _ = self._keys(tuning)
        self._examples = {k: v for k, v in self._examples.items() if k == ex_key}
        self._candidates = {k: v for k, v in self._candidates.items() if k == cand_key}


def score(recs: list[np.ndarray], p: Period, k: int = K) -> dict[str, float]:
    r, n = recsys.recall_ndcg(recs, p.relevant, k)
    return {f"recall@{k}": r, f"ndcg@{k}": n}


@dataclass(frozen=True)
class Step:
    tuning: recsys.Tuning
    changed: str  # the constant tried ("" for the starting point)
    recall: float
    ndcg: float


def search(
    pipe: Pipeline, *, grid: dict[str, tuple[Any, ...]] = SEARCH, progress: Progress | None = None
) -> tuple[recsys.Tuning, list[Step]]:
    """One pass of coordinate ascent on validation NDCG@K over `grid` (see the module's docstring):
    the chosen constants and every configuration tried, in order."""
    names = {f.name for f in fields(recsys.Tuning)}
    if set(grid) - names:
        raise ValueError(f"no such constant {sorted(set(grid) - names)}; the constants are {sorted(names)}")
    say = progress or (lambda _msg: None)
    best = replace(recsys.Tuning(), **{name: values[len(values) // 2] for name, values in grid.items()})
    total = 1 + sum(len(v) - 1 for v in grid.values())
    trail: list[Step] = []

    def run(tuning: recsys.Tuning, changed: str) -> Step:
        s = score(pipe.recommend(tuning), pipe.p)
        step = Step(tuning, changed, s[f"recall@{K}"], s[f"ndcg@{K}"])
        trail.append(step)
        what = f"{changed}={getattr(tuning, changed)}" if changed else "start"
        say(f"validation {len(trail)}/{total}: {what}: NDCG@{K} {step.ndcg:.4f}, Recall@{K} {step.recall:.4f}")
        return step

    top = run(best, "")
    for name, values in grid.items():
        for v in values:
            if v == getattr(best, name):
                continue
            step = run(replace(best, **{name: v}), name)
            if step.ndcg > top.ndcg:
                top = step
        best = top.tuning
        pipe.keep_only(best)
    return best, trail


def judge(
    h: recsys.History,
    country_of: dict[int, int],
    *,
    tuning: recsys.Tuning | None = None,
    grid: dict[str, tuple[Any, ...]] = SEARCH,
    progress: Progress | None = None,
) -> dict[str, Any]:
    """The protocol: the constants searched on validation (or `tuning` as given, no search), the
    baselines and the pipeline scored on validation, then on the test period once."""
    say = progress or (lambda _msg: None)
    end = int(h.day.max()) + 1
    val = period(h, day(VALIDATION_START), day(TEST_START))
    val_pipe = Pipeline(val, country_of)
    trail: list[Step] = []
    if tuning is None:
        tuning, trail = search(val_pipe, grid=grid, progress=say)
    say("validation: the baselines")
    scored = {"validation": {name: score(recs, val) for name, recs in baselines(val).items()}}
    tried = [st for st in trail if st.tuning == tuning]
    scored["validation"]["pipeline"] = (
        {f"recall@{K}": tried[0].recall, f"ndcg@{K}": tried[0].ndcg}
        if tried
        else score(val_pipe.recommend(tuning), val)
    )
    del val_pipe
    say("test: refitted on everything before the test period with the chosen constants, scored once")
    test = period(h, day(TEST_START), end)
    scored["test"] = {name: score(recs, test) for name, recs in baselines(test).items()}
    scored["test"]["pipeline"] = score(Pipeline(test, country_of).recommend(tuning), test)
    return {
        "tuning": tuning,
        "trail": trail,
        "scores": scored,
        "users": {"validation": int(val.users.size), "test": int(test.users.size)},
    }
