"""Compiled inner loops (numba), imported only by the functions that need them.

Each kernel has a plain-Python twin in the module that calls it, for tests and for the speed
benchmarks' baselines; both must give the same answer.
"""

from __future__ import annotations

import contextlib
import functools
import os
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import numpy as np
from numba import njit, prange

try:
    import fcntl
except ImportError:  # not POSIX: no lock (one process at a time compiles there)
    fcntl = None  # type: ignore[assignment]


@njit(cache=True)
def _dp_bid(v_prev: np.ndarray, theta: float, budget: int, max_bid: int) -> int:
    """Largest bid d <= min(budget, max_bid) with theta >= V(b) - V(b - d) (binary search: the
    right side grows with d because V grows with the budget)."""
    hi = min(budget, max_bid)
    vb = v_prev[budget]
    lo = 0
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if theta + v_prev[budget - mid] - vb >= 0.0:
            lo = mid
        else:
            hi = mid - 1
    return lo


@njit(cache=True)
def _replay_dp(
    clicks: np.ndarray,
    price: np.ndarray,
    pctr: np.ndarray,
    value: np.ndarray,
    budget: int,
    episode: int,
    max_bid: int,
    told_full: bool,
) -> np.ndarray:
    """Replay the value-function strategy; returns [clicks, impressions, cost]. With told_full the
    strategy sees a short last episode as a full one (rlb-dp's convention)."""
    n = clicks.shape[0]
    won_clicks = 0
    won = 0
    spent = 0
    start = 0
    while start < n:
        length = min(episode, n - start)
        told = episode if told_full else length
        left = budget
        for j in range(length):
            i = start + j
            a = _dp_bid(value[told - j - 1], pctr[i], left, max_bid)
            if a >= price[i]:
                left -= price[i]
                won += 1
                won_clicks += clicks[i]
        spent += budget - left
        start += episode
    return np.array([won_clicks, won, spent])


@njit(cache=True)
def _value_step(prev: np.ndarray, pdf: np.ndarray, gain: np.ndarray, step: float, out: np.ndarray) -> None:
    """One step of the value recursion, out(b) = prev(b) + sum_d pdf(d) gain(prev(b) - prev(b-d)),
    where gain(c) = E[(theta - c)+] is tabulated at c = k step and zero beyond the table. The cost
    c grows with d (V grows with the budget), so the sum stops where the gain is gone. Serial: on a
    busy machine, threads per step (1,000 steps of 2,000 budgets) were four times slower."""
    top_k = gain.shape[0] - 1
    per_step = 1.0 / step
    for b in range(prev.shape[0]):
        acc = 0.0
        for d in range(min(b, pdf.shape[0] - 1) + 1):
            x = (prev[b] - prev[b - d]) * per_step
            if x >= top_k:
                break
            k = int(x)
            acc += pdf[d] * (gain[k] + (x - k) * (gain[k + 1] - gain[k]))
        out[b] = prev[b] + acc


@njit(cache=True, parallel=True)
def _score_hashed(weights: np.ndarray, idx: np.ndarray, val: np.ndarray, bias: np.float32) -> np.ndarray:
    """Logistic score of each row: sigmoid(bias + sum_j weights[idx[i, j]] * val[i, j])."""
    n, k = idx.shape
    out = np.empty(n, np.float32)
    for i in prange(n):
        z = bias
        for j in range(k):
            z += weights[idx[i, j]] * val[i, j]
        out[i] = 1.0 / (1.0 + np.exp(-z))
    return out


@njit(cache=True)
def _max_owned_similarity(
    indptr: np.ndarray,
    indices: np.ndarray,
    data: np.ndarray,
    own_ptr: np.ndarray,
    own_idx: np.ndarray,
    row_ptr: np.ndarray,
    item: np.ndarray,
    n_items: int,
) -> np.ndarray:
    """Per candidate row, its largest similarity (a CSR matrix: indptr, indices, data) from an item
    its user owns, 0 if none. User u's candidate rows are row_ptr[u]:row_ptr[u + 1] (items `item`),
    its owned items own_idx[own_ptr[u]:own_ptr[u + 1]]."""
    out = np.zeros(item.size, data.dtype)
    slot = np.full(n_items, -1, np.int64)
    for u in range(row_ptr.size - 1):
        for r in range(row_ptr[u], row_ptr[u + 1]):
            slot[item[r]] = r
        for a in range(own_ptr[u], own_ptr[u + 1]):
            j = own_idx[a]
            for b in range(indptr[j], indptr[j + 1]):
                r = slot[indices[b]]
                if r >= 0 and data[b] > out[r]:
                    out[r] = data[b]
        for r in range(row_ptr[u], row_ptr[u + 1]):
            slot[item[r]] = -1
    return out


@njit(cache=True)
def _top_m_threshold(scores: np.ndarray, m: int) -> np.int32:
    """A score such that at least m scores are at or above it (a histogram over the score range)."""
    n = scores.shape[0]
    if n <= m:
        return np.int32(scores.min()) if n else np.int32(0)
    lo = int(scores.min())
    hi = int(scores.max())
    nb = 65536 if n > 65536 else 4096
    width: int = (hi - lo) // nb + 1
    hist = np.zeros(nb + 1, np.int64)
    for i in range(n):
        hist[(int(scores[i]) - lo) // width] += 1
    acc = 0
    b = nb
    while b >= 0:
        acc += hist[b]
        if acc >= m:
            break
        b -= 1
    return np.int32(lo + (b if b > 0 else 0) * width)


@njit(cache=True)
def _rerank_exact(vectors: np.ndarray, rows: np.ndarray, q: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """Exact float32 inner products of the candidate rows; the k best (row, score), best first."""
    n = rows.shape[0]
    s = np.empty(n, np.float32)
    d = vectors.shape[1]
    for i in range(n):
        acc = np.float32(0.0)
        r = rows[i]
        for j in range(d):
            acc += vectors[r, j] * q[j]
        s[i] = acc
    order = np.argsort(-s)[:k]
    return rows[order], s[order]


@njit(cache=True)
def _ivf_search(
    lists: np.ndarray,
    starts: np.ndarray,
    codes: np.ndarray,
    vectors: np.ndarray,
    q: np.ndarray,
    qi: np.ndarray,
    m: int,
    k: int,
) -> tuple[np.ndarray, np.ndarray]:
    """Scan the chosen inverted lists' codes, keep about the m best, re-rank them exactly.
    Returns (stored rows, scores) of the k best, best first."""
    seq = np.sort(lists)  # in storage order: the scan streams memory
    st = starts[seq]
    en = starts[seq + 1]
    n = 0
    for i in range(seq.shape[0]):
        n += en[i] - st[i]
    if n > 16 * m:  # many rows: one fused pass against a sampled threshold
        thr = _sampled_threshold(codes, st, en, qi, m, 8192)
        mask = np.zeros(codes.shape[0], np.bool_)
        _scan_lists_mask(codes, st, en, qi, thr, mask)
        rows = np.flatnonzero(mask)
        if rows.shape[0] >= k:
            return _rerank_exact(vectors, rows, q, k)
    rows = np.empty(n, np.int64)
    w = 0
    for i in range(seq.shape[0]):
        for r in range(st[i], en[i]):
            rows[w] = r
            w += 1
    if n > m:  # few rows: score them all, keep the m best by integer score
        d = codes.shape[1]
        sc = np.empty(n, np.int32)
        for i in range(n):
            acc = np.int32(0)
            r = rows[i]
            for j in range(d):
                acc += np.int32(qi[j]) * np.int32(codes[r, j])
            sc[i] = acc
        thr = _top_m_threshold(sc, m)
        rows = rows[sc >= thr]
    return _rerank_exact(vectors, rows, q, k)


@njit(cache=True, parallel=True)
def _scan_lists_mask(
    codes: np.ndarray, starts: np.ndarray, ends: np.ndarray, qi: np.ndarray, thr: np.int32, mask: np.ndarray
) -> None:
    """Mark the stored rows of the chosen lists whose integer score reaches thr (one fused pass)."""
    d = codes.shape[1]
    for li in prange(starts.shape[0]):
        for r in range(starts[li], ends[li]):
            acc = np.int32(0)
            for j in range(d):
                acc += np.int32(qi[j]) * np.int32(codes[r, j])
            mask[r] = acc >= thr


@njit(cache=True)
def _sampled_threshold(
    codes: np.ndarray, starts: np.ndarray, ends: np.ndarray, qi: np.ndarray, m: int, sample: int
) -> np.int32:
    """Estimate the score of the m-th best row from every step-th row of the chosen lists, aiming
    at about 2m rows above it (a safety margin for the sampling error)."""
    total = 0
    for li in range(starts.shape[0]):
        total += ends[li] - starts[li]
    step = max(1, total // sample)
    n_sub = 0
    for li in range(starts.shape[0]):
        n_sub += (ends[li] - starts[li] + step - 1) // step
    sub = np.empty(n_sub, np.int32)
    d = codes.shape[1]
    w = 0
    for li in range(starts.shape[0]):
        for r in range(starts[li], ends[li], step):
            acc = np.int32(0)
            for j in range(d):
                acc += np.int32(qi[j]) * np.int32(codes[r, j])
            sub[w] = acc
            w += 1
    want = max(8, (2 * m * n_sub) // max(total, 1))
    return _top_m_threshold(sub, want)


@njit(cache=True)
def _top_p(scores: np.ndarray, p: int) -> np.ndarray:
    """Indices of the p largest scores (any order): a small sorted buffer for small p."""
    n = scores.shape[0]
    if p >= n:
        return np.arange(n)
    if 8 * p >= n:
        return np.argsort(-scores)[:p]
    best = np.full(p, -np.inf, np.float64)
    idx = np.zeros(p, np.int64)
    for i in range(n):
        s = scores[i]
        if s > best[p - 1]:
            j = p - 1
            while j > 0 and best[j - 1] < s:
                best[j] = best[j - 1]
                idx[j] = idx[j - 1]
                j -= 1
            best[j] = s
            idx[j] = i
    return idx


# -- the on-disk cache, one process at a time -------------------------------------------------------
# Two processes that compile the same kernel at once (two `copilot ask`, `copilot serve --workers 4`)
# can leave numba's cache files out of step with each other, and every later process that loads them
# crashes (numba issues 4807 and 10128). The first call of a kernel with new argument types, which
# loads it from the cache or compiles and saves it, holds a lock file; later calls take no lock.

_LOCK_FILE = Path(os.environ.get("NUMBA_CACHE_DIR") or tempfile.gettempdir()) / "marketing-copilot-kernels.lock"


@contextlib.contextmanager
def _cache_lock() -> Iterator[None]:
    if fcntl is None:
        yield
        return
    _LOCK_FILE.parent.mkdir(parents=True, exist_ok=True)
    with open(_LOCK_FILE, "a") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def _types(args: tuple[Any, ...]) -> tuple[Any, ...]:
    return tuple((a.dtype.char, a.ndim, a.flags.c_contiguous) if isinstance(a, np.ndarray) else type(a) for a in args)


def _locked(kernel: Any) -> Callable[..., Any]:
    """The kernel, whose first call per kind of arguments holds the cache lock."""
    seen: set[tuple[Any, ...]] = set()

    @functools.wraps(kernel.py_func)
    def call(*args: Any) -> Any:
        key = _types(args)
        if key in seen:
            return kernel(*args)
        with _cache_lock():
            out = kernel(*args)
        seen.add(key)
        return out

    return call


dp_bid = _locked(_dp_bid)
replay_dp = _locked(_replay_dp)
value_step = _locked(_value_step)
score_hashed = _locked(_score_hashed)
max_owned_similarity = _locked(_max_owned_similarity)
ivf_search = _locked(_ivf_search)
top_p = _locked(_top_p)
