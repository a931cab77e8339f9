"""Recall: top-k selection and item-to-item co-purchase similarity."""

from __future__ import annotations

import numpy as np
from scipy import sparse

from engine import EngineError


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
