"""Recall then rank for 'what should this customer buy next': item-to-item co-purchase and
popularity recall candidates, a hashed-feature logistic ranker orders them.

All arrays are parallel per purchase line: customer, product, order (basket), day (days since
1970), price. Customers are given as integer ids, countries as integer codes.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import sparse

from engine import EngineError, recall
from engine.rank import DEFAULT_BITS, HashedLogistic, hash_index

# The pipeline's constants, chosen on a validation month by evals/recsys_search.py: fitted on the demo
# shop's lines before 2011-10-01 and scored on October 2011 (13 configurations; the test period from
# 2011-11-01 was scored once afterwards). `copilot bench --only recsys` reruns the search.
DEFAULT_RECALL = 300  # co-purchase candidates per user (tried 100, 200, 300)
DEFAULT_POPULAR = 25  # popular candidates per user (25, 50, 100)
RECENT_DAYS = 30  # "recently popular": sold in this many days before the cut (30, 60, 120)
HALF_LIFE_DAYS = 30.0  # time constant of a purchase's weight in the recency-weighted co-purchase score (30, 90, 180)
DEFAULT_LABEL_DAYS = 61  # the ranker learns who bought what in this many days from what came before (30, 61, 91)
DEFAULT_C = 0.01  # the ranker's inverse L2 strength (0.01, 0.1, 1)
N_FEATURES = 10


@dataclass(frozen=True)
class Tuning:
    """The constants of recall then rank, each defaulting to the module's DEFAULT_ one."""

    n_recall: int = DEFAULT_RECALL
    n_popular: int = DEFAULT_POPULAR
    recent_days: int = RECENT_DAYS
    half_life_days: float = HALF_LIFE_DAYS
    label_days: int = DEFAULT_LABEL_DAYS
    c: float = DEFAULT_C


DEFAULT_TUNING = Tuning()


@dataclass(frozen=True)
class History:
    customer: np.ndarray
    product: np.ndarray
    order: np.ndarray
    day: np.ndarray
    price: np.ndarray
    n_items: int

    def subset(self, mask: np.ndarray) -> History:
        return History(
            self.customer[mask], self.product[mask], self.order[mask], self.day[mask], self.price[mask], self.n_items
        )


@dataclass(frozen=True)
class Candidates:
    user: np.ndarray  # position in the `users` array given, one per row
    item: np.ndarray
    idx: np.ndarray  # n x N_FEATURES hashed indices
    val: np.ndarray  # n x N_FEATURES values


def _user_item(h: History, users: np.ndarray, values: np.ndarray) -> sparse.csr_matrix:
    pos = np.searchsorted(users, h.customer)
    known = (pos < users.size) & (users[np.minimum(pos, users.size - 1)] == h.customer)
    m = sparse.csr_matrix((values[known], (pos[known], h.product[known])), shape=(users.size, h.n_items))
    m.sum_duplicates()
    return m


def _times(m: sparse.csr_matrix, sim: sparse.csr_matrix) -> np.ndarray:
    """Dense `m @ sim`, upcasting only the rows of `sim` that `m` uses (a few users touch a few
    rows; casting all of a float32 `sim` cost more than the product). Same sums, same order."""
    if sim.dtype == m.dtype:
        return np.asarray((m @ sim).todense())
    cols = np.unique(m.indices)
    return np.asarray((m[:, cols] @ sim[cols].astype(m.dtype)).todense())


def _max_similarity(sim_cols: sparse.csc_matrix, own: np.ndarray, cand: np.ndarray) -> np.ndarray:
    """Per candidate, its largest similarity to an item the user owns (0 if none): the plain twin of
    kernels.max_owned_similarity, one user at a time."""
    out = np.zeros(cand.size, dtype=sim_cols.dtype)
    if own.size == 0:
        return out
    sub = sim_cols[:, cand]
    owned = np.zeros(sim_cols.shape[0], dtype=bool)
    owned[own] = True
    keep = owned[sub.indices]
    column = np.repeat(np.arange(cand.size), np.diff(sub.indptr))
    np.maximum.at(out, column[keep], sub.data[keep])  # similarities are >= 0, so 0 is the floor
    return out


def candidates(
    h: History,
    cut_day: int,
    users: np.ndarray,
    country: np.ndarray,
    *,
    tuning: Tuning = DEFAULT_TUNING,
    bits: int = DEFAULT_BITS,
    sim: sparse.csr_matrix | None = None,
    sim_cols: sparse.csc_matrix | None = None,
) -> Candidates:
    """Candidates for each user (sorted ids) from history `h` before `cut_day`, with features.
    `sim`: the item-to-item co-purchase similarity of `h`, when the caller keeps it between calls
    (`sim_cols`, the same by columns, is no longer read: the compiled kernel reads `sim` by rows)."""
    from engine import kernels

    users = np.asarray(users, dtype=np.int64)
    if users.size == 0 or (np.diff(users) <= 0).any():
        raise EngineError("users must be a non-empty sorted array of distinct ids")
    if sim is None:
        sim = recall.cooccurrence_similarity(h.order, h.product, h.n_items)
    n_recall, n_popular = tuning.n_recall, tuning.n_popular
    pop = np.bincount(h.product, minlength=h.n_items).astype(float)
    pop_recent = np.bincount(h.product[h.day >= cut_day - tuning.recent_days], minlength=h.n_items).astype(float)
    item_price = np.bincount(h.product, weights=h.price, minlength=h.n_items) / np.maximum(pop, 1)
    if users.size < h.customer.size // 1000:  # a few users: their own lines are all the per-user steps need
        h = h.subset(np.isin(h.customer, users))
    bought = _user_item(h, users, np.ones(h.customer.size))
    bought.data[:] = 1.0
    recency = _user_item(h, users, np.exp(-(cut_day - h.day) / tuning.half_life_days))
    score, score_recent = _times(bought, sim), _times(recency, sim)
    spend = _user_item(h, users, h.price)
    n_lines = np.asarray(_user_item(h, users, np.ones(h.customer.size)).sum(axis=1)).ravel()
    user_price = np.asarray(spend.sum(axis=1)).ravel() / np.maximum(n_lines, 1)
    n_hist = np.diff(bought.indptr)
    popular = recall.top_k(pop, n_popular + 1000)
    rows_user, rows_item = [], []
    for u in range(users.size):
        own = bought.indices[bought.indptr[u] : bought.indptr[u + 1]]
        s = score[u].copy()
        s[own] = -1.0
        top = recall.top_k(s, n_recall)
        top = top[s[top] > 0]
        pops = popular[~np.isin(popular, own)][:n_popular]
        cand = np.union1d(top, pops)
        rows_user.append(np.full(cand.size, u))
        rows_item.append(cand)
    ru, ri = np.concatenate(rows_user), np.concatenate(rows_item)
    sim = sim.tocsr()
    smax = kernels.max_owned_similarity(
        sim.indptr.astype(np.int64),
        sim.indices.astype(np.int64),
        np.ascontiguousarray(sim.data),
        bought.indptr.astype(np.int64),
        bought.indices.astype(np.int64),
        np.searchsorted(ru, np.arange(users.size + 1)).astype(np.int64),
        ri.astype(np.int64),
        h.n_items,
    )
    s, sr = np.maximum(score[ru, ri], 0), score_recent[ru, ri]
    ctry = np.asarray(country, dtype=np.int64)[ru]
    s_bucket = np.minimum((np.log1p(s) * 4).astype(np.int64), 15)
    h_bucket = np.minimum(n_hist[ru] // 10, 9)
    zero = np.zeros(ru.size, dtype=np.int64)
    idx = np.column_stack(
        [
            hash_index(0, zero, bits),
            hash_index(1, zero, bits),
            hash_index(2, zero, bits),
            hash_index(3, zero, bits),
            hash_index(4, zero, bits),
            hash_index(5, zero, bits),
            hash_index(6, ri, bits),
            hash_index(7, ctry * 100_003 + ri, bits),
            hash_index(8, h_bucket * 16 + s_bucket, bits),
            hash_index(9, zero, bits),
        ]
    )
    val = np.column_stack(
        [
            np.ones(ru.size),
            np.log1p(s),
            np.log1p(sr),
            np.log1p(pop[ri]),
            np.log1p(pop_recent[ri]),
            -np.abs(np.log1p(item_price[ri]) - np.log1p(user_price[ru])),
            np.ones(ru.size),
            np.ones(ru.size),
            np.ones(ru.size),
            smax,
        ]
    ).astype(np.float32)
    return Candidates(ru, ri, idx, val)


def labels(c: Candidates, users: np.ndarray, future: History) -> np.ndarray:
    """1 where the user bought the candidate item in `future`."""
    pos = np.searchsorted(users, future.customer)
    known = (pos < users.size) & (users[np.minimum(pos, users.size - 1)] == future.customer)
    bought = set(zip(pos[known].tolist(), future.product[known].tolist(), strict=True))
    return np.array([(u, i) in bought for u, i in zip(c.user.tolist(), c.item.tolist(), strict=True)], dtype=int)


def training_set(
    h: History,
    cut_day: int,
    country_of: dict[int, int],
    *,
    tuning: Tuning = DEFAULT_TUNING,
    bits: int = DEFAULT_BITS,
    sim: sparse.csr_matrix | None = None,
) -> tuple[Candidates, np.ndarray]:
    """The ranker's examples: candidates with features from history before cut_day (`sim`: its
    co-purchase similarity, when the caller keeps it), labelled 1 where bought on or after it."""
    past, future = h.subset(h.day < cut_day), h.subset(h.day >= cut_day)
    users = np.intersect1d(np.unique(past.customer), np.unique(future.customer))
    if users.size == 0:
        raise EngineError("no customer bought both before and after the ranker's cut day")
    country = np.array([country_of.get(int(u), 0) for u in users])
    c = candidates(past, cut_day, users, country, tuning=tuning, bits=bits, sim=sim)
    return c, labels(c, users, future)


def fit_ranker(
    h: History,
    cut_day: int,
    country_of: dict[int, int],
    *,
    tuning: Tuning = DEFAULT_TUNING,
    bits: int = DEFAULT_BITS,
) -> HashedLogistic:
    """Train the ranker: features from history before cut_day, labels from purchases after it."""
    c, y = training_set(h, cut_day, country_of, tuning=tuning, bits=bits)
    return HashedLogistic.fit(c.idx, c.val, y, bits=bits, c=tuning.c)


def top_per_user(c: Candidates, score: np.ndarray, n_users: int, k: int) -> list[np.ndarray]:
    """The k best-scored candidate items of each user (by position in the users array)."""
    order = np.lexsort((-score, c.user))
    items, users = c.item[order], c.user[order]
    starts = np.searchsorted(users, np.arange(n_users))
    ends = np.searchsorted(users, np.arange(n_users), side="right")
    return [items[a : min(b, a + k)] for a, b in zip(starts, ends, strict=True)]


def recall_ndcg(recommended: list[np.ndarray], relevant: list[set[int]], k: int) -> tuple[float, float]:
    """Mean Recall@k and NDCG@k (binary relevance) over users with something relevant."""
    disc = 1.0 / np.log2(np.arange(2, k + 2))
    rec, ndcg = [], []
    for items, rel in zip(recommended, relevant, strict=True):
        if not rel:
            continue
        hits = np.array([int(i) in rel for i in items[:k]], dtype=float)
        rec.append(hits.sum() / len(rel))
        ndcg.append(float((hits * disc[: hits.size]).sum() / disc[: min(len(rel), k)].sum()))
    if not rec:
        raise EngineError("no user has anything relevant")
    return float(np.mean(rec)), float(np.mean(ndcg))
