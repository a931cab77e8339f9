"""Recall and ranking: cosine top-k, item-to-item co-purchase recall, a linear re-ranker."""

from __future__ import annotations

import numpy as np
from scipy import sparse

from engine import EngineError

DEFAULT_K = 10
# Ranking weights over (co-purchase score, log popularity, price closeness), each scaled to [0, 1].
DEFAULT_RANK_WEIGHTS = np.array([0.7, 0.2, 0.1])


def top_k(scores: np.ndarray, k: int) -> np.ndarray:
    """Indices of the k largest scores, best first (argpartition, then a sort of k)."""
    s = np.asarray(scores)
    if k <= 0:
        raise EngineError("k must be positive")
    k = min(k, s.size)
    if k == 0:
        return np.empty(0, dtype=np.int64)
    idx = np.argpartition(-s, k - 1)[:k]
    return idx[np.argsort(-s[idx], kind="stable")]


def cosine_top_k(matrix: np.ndarray, query: np.ndarray, k: int = DEFAULT_K) -> tuple[np.ndarray, np.ndarray]:
    """Rows of `matrix` most similar to `query` by cosine; returns (indices, similarities)."""
    m = np.asarray(matrix, dtype=np.float32)
    q = np.asarray(query, dtype=np.float32).ravel()
    if m.ndim != 2 or m.shape[1] != q.size:
        raise EngineError(f"query has {q.size} dimensions, matrix rows have {m.shape[-1]}")
    norms = np.linalg.norm(m, axis=1) * (np.linalg.norm(q) or 1.0)
    sims = (m @ q) / np.where(norms == 0, 1.0, norms)
    idx = top_k(sims, k)
    return idx, sims[idx]


def cooccurrence_similarity(basket_ids: np.ndarray, item_ids: np.ndarray, n_items: int) -> sparse.csr_matrix:
    """Item-item cosine similarity of co-purchase: C_ij / sqrt(n_i n_j), zero diagonal.

    basket_ids and item_ids are parallel arrays of (basket, item) pairs; repeats count once.
    """
    b = np.asarray(basket_ids)
    i = np.asarray(item_ids)
    if b.shape != i.shape:
        raise EngineError("basket_ids and item_ids must have the same length")
    if i.size and (i.min() < 0 or i.max() >= n_items):
        raise EngineError("item ids must lie in 0..n_items-1")
    _, b_idx = np.unique(b, return_inverse=True)
    m = sparse.csr_matrix(
        (np.ones(i.size, dtype=np.float32), (b_idx, i)),
        shape=(int(b_idx.max(initial=-1)) + 1, n_items),
    )
    m.sum_duplicates()
    m.data[:] = 1.0  # a product bought twice in one basket counts once
    co = (m.T @ m).tocsr()
    counts = np.asarray(co.diagonal(), dtype=np.float32)
    co.setdiag(0)
    co.eliminate_zeros()
    inv = 1.0 / np.sqrt(np.where(counts == 0, 1.0, counts))
    return sparse.csr_matrix(sparse.diags(inv) @ co @ sparse.diags(inv))


def item_to_item_scores(similarity: sparse.csr_matrix, history: np.ndarray) -> np.ndarray:
    """Score every item by its summed similarity to the items in `history`."""
    h = np.unique(np.asarray(history, dtype=np.int64))
    if h.size == 0:
        return np.zeros(similarity.shape[0], dtype=np.float32)
    return np.asarray(similarity[h].sum(axis=0)).ravel()


def _scale01(x: np.ndarray) -> np.ndarray:
    lo, hi = float(x.min(initial=0.0)), float(x.max(initial=0.0))
    return np.zeros_like(x) if hi <= lo else (x - lo) / (hi - lo)


def rank_candidates(
    recall_score: np.ndarray,
    popularity: np.ndarray,
    price: np.ndarray,
    customer_median_price: float,
    *,
    weights: np.ndarray = DEFAULT_RANK_WEIGHTS,
) -> tuple[np.ndarray, np.ndarray]:
    """Re-rank recalled candidates by a linear score of scaled features; returns (order, score)."""
    rs = np.asarray(recall_score, dtype=float)
    pop = np.asarray(popularity, dtype=float)
    pr = np.asarray(price, dtype=float)
    if not (rs.shape == pop.shape == pr.shape):
        raise EngineError("candidate feature arrays must have the same length")
    closeness = -np.abs(np.log1p(pr) - np.log1p(max(customer_median_price, 0.0)))
    feats = np.column_stack([_scale01(rs), _scale01(np.log1p(pop)), _scale01(closeness)])
    score = feats @ np.asarray(weights, dtype=float)
    order = np.argsort(-score, kind="stable")
    return order, score[order]
