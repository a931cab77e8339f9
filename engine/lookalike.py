"""Look-alikes: the customers nearest a seed group by their purchase behaviour.

Features are standardised (z-scores), so that no unit dominates. A candidate's distance to the seed
is its mean Euclidean distance to its k nearest seed members: a seed made of several kinds of
customer is matched kind by kind, which the distance to the seed's centroid would blur.
"""

from __future__ import annotations

import numpy as np

from engine import EngineError

DEFAULT_NEIGHBOURS = 5  # seed members a candidate's distance is averaged over
DEFAULT_MIX_DIMS = 8  # dimensions of the product mix (truncated SVD of who bought what)
BLOCK_CELLS = 2**22  # candidate x seed distances computed at once (32 MB of float64)


def _matrix(X: np.ndarray, what: str) -> np.ndarray:
    x = np.asarray(X, dtype=float)
    if x.ndim != 2:
        raise EngineError(f"{what} must be a 2-d array (rows x features), got {x.ndim}-d")
    if not np.isfinite(x).all():
        raise EngineError(f"{what} holds NaN or infinite values; fill or drop them first")
    return x


def standardise(X: np.ndarray) -> np.ndarray:
    """Each column as z-scores (mean 0, standard deviation 1); a constant column becomes 0."""
    x = _matrix(X, "standardise's input")
    sd = x.std(axis=0)
    return np.where(sd > 0, (x - x.mean(axis=0)) / np.where(sd > 0, sd, 1.0), 0.0)


def product_mix(
    rows: np.ndarray, cols: np.ndarray, n_rows: int, n_cols: int, *, dims: int = DEFAULT_MIX_DIMS
) -> np.ndarray:
    """Each row's product mix in `dims` dimensions: the truncated SVD of the rows x products matrix
    of who bought what (1 per pair, weighted by the product's inverse document frequency, rows of
    unit length), as U * S. Fewer dimensions when the matrix is smaller; (n_rows, 0) when it is too
    small to have any. Deterministic (a fixed start vector)."""
    from scipy import sparse
    from scipy.sparse.linalg import svds

    r, c = np.asarray(rows, dtype=np.int64), np.asarray(cols, dtype=np.int64)
    if r.shape != c.shape:
        raise EngineError("rows and cols must have the same length")
    if r.size and (r.min() < 0 or r.max() >= n_rows or c.min() < 0 or c.max() >= n_cols):
        raise EngineError("a row or column index is outside the matrix")
    k = min(dims, n_rows - 1, n_cols - 1)
    if k < 1 or r.size == 0:
        return np.zeros((n_rows, 0))
    m = sparse.csr_matrix((np.ones(r.size), (r, c)), shape=(n_rows, n_cols))
    m.data[:] = 1.0  # a pair bought several times counts once
    df = np.bincount(m.indices, minlength=n_cols)
    idf = np.log((1 + n_rows) / (1 + df)) + 1.0
    m = m @ sparse.diags(idf)
    norms = np.sqrt(np.asarray(m.multiply(m).sum(axis=1)).ravel())
    m = sparse.diags(1.0 / np.where(norms > 0, norms, 1.0)) @ m
    v0 = np.full(min(m.shape), 1.0 / np.sqrt(min(m.shape)))
    u, s, _vt = svds(m.tocsc(), k=k, v0=v0, solver="arpack")
    order = np.argsort(-s)
    return np.asarray(u[:, order] * s[order])


def seed_distance(Z: np.ndarray, seed: np.ndarray, *, k: int = DEFAULT_NEIGHBOURS) -> np.ndarray:
    """Each row's mean Euclidean distance to its k nearest seed rows (a seed row's own distance of 0
    counts among them), computed in blocks of rows."""
    z = _matrix(Z, "the feature matrix")
    s = np.asarray(seed, dtype=bool)
    if s.shape != (z.shape[0],):
        raise EngineError(f"the seed mask has {s.size} entries for {z.shape[0]} rows")
    if not s.any():
        raise EngineError("the seed is empty: give at least one seed row")
    zs = z[s]
    kk = min(k, zs.shape[0])
    if kk < 1:
        raise EngineError("k must be at least 1")
    seed_sq = (zs * zs).sum(axis=1)
    out = np.empty(z.shape[0])
    block = max(1, BLOCK_CELLS // zs.shape[0])
    for start in range(0, z.shape[0], block):  # blocks, not rows: memory stays bounded
        zb = z[start : start + block]
        d2 = (zb * zb).sum(axis=1)[:, None] + seed_sq[None, :] - 2.0 * zb @ zs.T
        np.maximum(d2, 0.0, out=d2)
        near = np.partition(d2, kk - 1, axis=1)[:, :kk] if kk < d2.shape[1] else d2
        out[start : start + block] = np.sqrt(near).mean(axis=1)
    return out


def nearest_to_seed(
    Z: np.ndarray,
    seed: np.ndarray,
    size: int,
    *,
    eligible: np.ndarray | None = None,
    k: int = DEFAULT_NEIGHBOURS,
) -> tuple[np.ndarray, np.ndarray]:
    """The indices of up to `size` rows outside the seed (and within `eligible`, when given) nearest
    the seed by seed_distance, nearest first (ties: the lower index), and their distances."""
    if size < 1:
        raise EngineError(f"size must be at least 1, got {size}")
    dist = seed_distance(Z, seed, k=k)
    pool = ~np.asarray(seed, dtype=bool)
    if eligible is not None:
        e = np.asarray(eligible, dtype=bool)
        if e.shape != pool.shape:
            raise EngineError(f"the eligible mask has {e.size} entries for {pool.size} rows")
        pool &= e
    idx = np.flatnonzero(pool)
    chosen = idx[np.argsort(dist[idx], kind="stable")[:size]]
    return chosen, dist[chosen]


__all__ = ["DEFAULT_MIX_DIMS", "DEFAULT_NEIGHBOURS", "nearest_to_seed", "product_mix", "seed_distance", "standardise"]
