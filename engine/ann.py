"""Approximate top-k by inner product: an inverted file (k-means lists) over 8-bit codes, with an
exact re-rank of the best candidates.

Query: score the list centroids, open the `nprobe` best lists, scan their uint8 codes with integer
dot products (a quarter of the bytes of float32), keep the top `rerank` candidates by a histogram
threshold (no full sort), and re-rank those exactly in float32. `nprobe` is calibrated at build time
on vectors of the data set itself used as queries, to reach a target recall; on data without
cluster structure it opens every list and the index becomes a compressed scan.

Below `DEFAULT_EXACT_BELOW` vectors an exact search (a matrix product and argpartition) is faster
than the index and cannot miss: `build_index` returns an `ExactIndex` there, the IVF index above.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields
from typing import Any

import numpy as np
from scipy import sparse

from engine import EngineError

DEFAULT_RECALL_TARGET = 0.995
DEFAULT_RERANK = 400
# Measured by `copilot bench --only speed.recall.exact` (evals/speed.py exact_crossover), top 6 of
# clustered unit vectors, one thread, two runs on a busy 2-core machine: the index was faster from
# 8,000 or 16,000 rows at 384 dimensions (MiniLM) and from 16,000 or 32,000 at 1,024 (the hashing
# embedding); below, the exact search was as fast or faster. The lowest of them is kept.
DEFAULT_EXACT_BELOW = 8_000


@dataclass
class ExactIndex:
    """Brute force over the rows (the same interface as IVFIndex)."""

    vectors: np.ndarray  # n x d float32

    def to_arrays(self) -> dict[str, np.ndarray]:
        return {"vectors": np.asarray(self.vectors)}

    @classmethod
    def from_arrays(cls, a: Mapping[str, np.ndarray]) -> ExactIndex:
        return cls(np.ascontiguousarray(a["vectors"], dtype=np.float32))

    @property
    def nbytes(self) -> int:
        return int(self.vectors.nbytes)

    def search(self, q: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
        """Ids and scores of the k largest inner products with q, best first."""
        q = np.ascontiguousarray(q, dtype=np.float32).ravel()
        if q.size != self.vectors.shape[1]:
            raise EngineError(f"query has {q.size} dimensions, the index {self.vectors.shape[1]}")
        return exact_search(self.vectors, q, k)


@dataclass
class IVFIndex:
    centroids: np.ndarray  # nlist x d float32
    starts: np.ndarray  # list l holds rows starts[l]:starts[l+1] of codes/vectors
    ids: np.ndarray  # original id of each stored row
    codes: np.ndarray  # n x d uint8
    vectors: np.ndarray  # n x d float32, in list order (for the exact re-rank)
    lo: np.ndarray  # per-dimension offset of the codes
    scale: np.ndarray  # per-dimension step of the codes
    nprobe: int
    rerank: int = DEFAULT_RERANK

    def to_arrays(self) -> dict[str, np.ndarray]:
        """The index as named arrays (for np.savez); from_arrays reads them back."""
        return {f.name: np.asarray(getattr(self, f.name)) for f in fields(self)}

    @classmethod
    def from_arrays(cls, a: Mapping[str, np.ndarray]) -> IVFIndex:
        ints = {"nprobe", "rerank"}
        kwargs: dict[str, Any] = {f.name: int(a[f.name]) if f.name in ints else a[f.name] for f in fields(cls)}
        return cls(**kwargs)

    @property
    def nbytes(self) -> int:
        return int(sum(a.nbytes for a in (self.centroids, self.starts, self.ids, self.codes, self.vectors)))

    def search(self, q: np.ndarray, k: int, *, nprobe: int | None = None) -> tuple[np.ndarray, np.ndarray]:
        """Ids and scores of the (approximately) k largest inner products with q, best first."""
        from engine import kernels

        q = np.ascontiguousarray(q, dtype=np.float32).ravel()
        if q.size != self.centroids.shape[1]:
            raise EngineError(f"query has {q.size} dimensions, the index {self.centroids.shape[1]}")
        nlist = self.centroids.shape[0]
        p = min(nprobe or self.nprobe, nlist)
        lists = kernels.top_p(self.centroids @ q, p)
        qs = q * self.scale
        qi = np.round(qs * (32767.0 / max(float(np.abs(qs).max()), 1e-30) / 255.0)).astype(np.int16)
        rows, scores = kernels.ivf_search(lists, self.starts, self.codes, self.vectors, q, qi, max(self.rerank, k), k)
        return self.ids[rows], scores


def kmeans(x: np.ndarray, k: int, *, iters: int = 12, seed: int = 0) -> np.ndarray:
    """Lloyd's k-means (squared L2) on x; empty clusters are re-seeded from random points."""
    rng = np.random.default_rng(seed)
    c = x[rng.choice(x.shape[0], k, replace=False)].copy()
    for _ in range(iters):
        assign = assign_nearest(x, c)
        onehot = sparse.csr_matrix(
            (np.ones(x.shape[0], np.float32), (assign, np.arange(x.shape[0]))), shape=(k, x.shape[0])
        )
        sums = onehot @ x
        counts = np.bincount(assign, minlength=k)
        empty = counts == 0
        c = (sums / np.maximum(counts, 1)[:, None]).astype(np.float32)
        c[empty] = x[rng.choice(x.shape[0], int(empty.sum()), replace=False)]
    return c


def assign_nearest(x: np.ndarray, c: np.ndarray, chunk: int = 65536) -> np.ndarray:
    """Index of the nearest centroid (L2) of each row, in chunks (BLAS matrix products)."""
    cn = (c.astype(np.float32) ** 2).sum(axis=1)
    out = np.empty(x.shape[0], dtype=np.int64)
    for i in range(0, x.shape[0], chunk):
        d = cn[None, :] - 2.0 * (x[i : i + chunk] @ c.T)
        out[i : i + chunk] = d.argmin(axis=1)
    return out


def exact_search(x: np.ndarray, q: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """Brute force: matrix product and argpartition; ids and scores of the k best, best first."""
    s = x @ q
    k = min(k, s.size)
    i = np.argpartition(-s, k - 1)[:k] if k < s.size else np.arange(s.size)
    i = i[np.argsort(-s[i])]
    return i, s[i]


def exact_top_k(x: np.ndarray, q: np.ndarray, k: int) -> np.ndarray:
    """The ids of exact_search (the baseline, and the ground truth)."""
    return exact_search(x, q, k)[0]


def build_index(x: np.ndarray, *, k: int = 100, exact_below: int = DEFAULT_EXACT_BELOW) -> ExactIndex | IVFIndex:
    """An exact search over fewer than `exact_below` rows (faster there, and it cannot miss), else
    the IVF index calibrated for top-k."""
    x = np.ascontiguousarray(x, dtype=np.float32)
    if x.ndim != 2 or x.shape[0] == 0:
        raise EngineError("need a non-empty n x d array of vectors")
    if x.shape[0] < max(exact_below, k):
        return ExactIndex(x)
    return build_ivf(x, k=k)


def index_from_arrays(a: Mapping[str, np.ndarray]) -> ExactIndex | IVFIndex:
    """The index that to_arrays wrote, exact or IVF."""
    return IVFIndex.from_arrays(a) if "codes" in a else ExactIndex.from_arrays(a)


def default_nlist(n: int) -> int:
    """How many inverted lists build_ivf makes for n rows: about 4 sqrt(n), at least 8 rows a list."""
    return max(1, min(int(4 * np.sqrt(n)), n // 8))


def build_ivf(
    x: np.ndarray,
    *,
    nlist: int | None = None,
    target_recall: float = DEFAULT_RECALL_TARGET,
    k: int = 100,
    sample: int = 65536,
    calibration_queries: int = 50,
    seed: int = 0,
) -> IVFIndex:
    """Build the index over the rows of x and calibrate nprobe to reach `target_recall` at k."""
    x = np.ascontiguousarray(x, dtype=np.float32)
    n = x.shape[0]
    if n < k:
        raise EngineError(f"need at least k = {k} vectors")
    nlist = nlist or default_nlist(n)
    rng = np.random.default_rng(seed)
    train = x[rng.choice(n, min(sample, n), replace=False)]
    centroids = kmeans(train, nlist, seed=seed)
    assign = assign_nearest(x, centroids)
    order = np.argsort(assign, kind="stable")
    starts = np.searchsorted(assign[order], np.arange(nlist + 1)).astype(np.int64)
    vectors = x[order]
    lo = vectors.min(axis=0)
    scale = np.maximum((vectors.max(axis=0) - lo) / 255.0, 1e-12).astype(np.float32)
    codes = np.clip(np.round((vectors - lo) / scale), 0, 255).astype(np.uint8)
    index = IVFIndex(centroids, starts, order.astype(np.int64), codes, vectors, lo.astype(np.float32), scale, nlist)
    # Calibrate nprobe on queries harder than the data: data points moved by noise with the spread
    # of the data around its list centroids (a data point itself is too easy a query).
    resid_sd = (train - centroids[assign_nearest(train, centroids)]).std(axis=0)
    queries = x[rng.choice(n, min(calibration_queries, n), replace=False)]
    queries = queries + rng.standard_normal(queries.shape).astype(np.float32) * resid_sd
    truth = [set(exact_top_k(x, q, k).tolist()) for q in queries]

    def reaches(p: int) -> bool:
        hits = [len(truth[i] & set(index.search(q, k, nprobe=p)[0].tolist())) / k for i, q in enumerate(queries)]
        return float(np.mean(hits)) >= target_recall

    hi = 1
    while hi < nlist and not reaches(hi):
        hi *= 2
    hi = min(hi, nlist)
    lo = hi // 2  # fails (or is 0); refine between the powers of two
    while hi - lo > max(1, hi // 16):
        mid = (lo + hi) // 2
        if reaches(mid):
            hi = mid
        else:
            lo = mid
    # A small nprobe varies most from query to query (clusters split across lists): add half again,
    # which costs little because few rows are scanned.
    index.nprobe = min(nlist, int(np.ceil(hi * 1.5))) if hi <= nlist // 8 else hi
    return index
