"""Speed checks: each hot path against the library a user would otherwise pick, in one run.

Latencies are medians (p50) and 99th percentiles over repeated single calls; this machine is
shared, so the ratios measured side by side are what to read, not the absolute times.
"""

from __future__ import annotations

import contextlib
import statistics
import sys
import time
from collections.abc import Callable, Iterator
from typing import Any

import numpy as np

from engine import ann, bidding, rank

QUERIES = 200
K = 100


REPEATS = 3  # each speed figure is the median of this many runs, reported with its spread


@contextlib.contextmanager
def threads(n: int) -> Iterator[None]:
    """Hold numba, BLAS and OpenMP (faiss, if loaded) to n threads; hnswlib and chromadb take their
    thread count per call."""
    import numba
    from threadpoolctl import threadpool_limits

    before = numba.get_num_threads()
    numba.set_num_threads(min(n, numba.config.NUMBA_NUM_THREADS))  # type: ignore[attr-defined]
    faiss = sys.modules.get("faiss")
    omp_before = faiss.omp_get_max_threads() if faiss else 0
    if faiss:
        faiss.omp_set_num_threads(n)
    try:
        with threadpool_limits(n):
            yield
    finally:
        numba.set_num_threads(before)
        if faiss:
            faiss.omp_set_num_threads(omp_before)


def spread(values: list[float]) -> dict[str, float]:
    """The median of repeated measurements and their range."""
    return {"median": statistics.median(values), "min": min(values), "max": max(values)}


def latencies(fn: Callable[[Any], Any], inputs: list[Any] | np.ndarray, *, pause: float = 0.0) -> tuple[float, float]:
    """p50 and p99 in ms; `pause` lets other libraries' spinning worker threads go idle before each
    call, so that every method is timed from the same quiet state."""
    fn(inputs[0])  # warm (compilation, caches)
    ts = []
    for x in inputs:
        if pause:
            time.sleep(pause)
        t0 = time.perf_counter()
        fn(x)
        ts.append(time.perf_counter() - t0)
    return float(np.median(ts) * 1e3), float(np.percentile(ts, 99) * 1e3)


def rss() -> int:
    with open("/proc/self/statm") as fh:
        return int(fh.read().split()[1]) * 4096


def vectors(kind: str, n: int, d: int = 64, *, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Seeded data and queries. clustered: 1,000 Gaussian centres N(0, 1) with spread 0.35, scaled
    to unit length as sentence embeddings are (so inner product is cosine); uniform: U[0, 1) in
    every dimension, not normalised (the hard case for any index)."""
    rng = np.random.default_rng(seed)
    if kind == "uniform":
        return rng.random((n, d), dtype=np.float32), rng.random((QUERIES, d), dtype=np.float32)
    centres = rng.standard_normal((1000, d)).astype(np.float32)

    def draw(m: int) -> np.ndarray:
        v = centres[rng.integers(0, 1000, m)] + 0.35 * rng.standard_normal((m, d))
        return (v / np.linalg.norm(v, axis=1, keepdims=True)).astype(np.float32)

    return draw(n), draw(QUERIES)


def recall_at_k(truth: list[np.ndarray], got: list[np.ndarray], *, k: int = K) -> float:
    return float(np.mean([len(set(t.tolist()) & set(g.tolist())) / k for t, g in zip(truth, got, strict=True)]))


def _sigmoid(z: np.ndarray) -> np.ndarray:
    return 1 / (1 + np.exp(-z))


def rank_benchmark(*, candidates: int = 1000, features: int = 40, bits: int = 20) -> dict[str, Any]:
    """Score candidates x hashed features with our compiled gather-sum (1 and 2 threads) and three
    baselines on the same model and candidates: scikit-learn's predict_proba, a numpy gather-sum
    (`w[idx] * val` summed per row) and a scipy sparse dot (CSR @ w, float32); the sparse matrices
    prebuilt, as a server would cache them. Each timing runs REPEATS times, interleaved; a ratio
    (theirs / ours) is the median of the runs, with its spread."""
    from sklearn.linear_model import LogisticRegression

    rng = np.random.default_rng(0)
    w = (rng.standard_normal(1 << bits) * 0.01).astype(np.float32)
    bias = np.float32(-2.0)
    model = rank.HashedLogistic(w, float(bias))
    sk = LogisticRegression()
    sk.coef_, sk.intercept_, sk.classes_ = w[None, :].astype(np.float64), np.array([-2.0]), np.array([0, 1])
    idx = [
        rank.hash_index(j, rng.integers(0, 1 << 30, (candidates, features)).ravel(), bits).reshape(candidates, features)
        for j in range(50)
    ]
    val = np.ones((candidates, features), dtype=np.float32)
    mats = [rank.to_sparse(i, val, bits) for i in idx]
    mats32 = [m.astype(np.float32) for m in mats]
    methods: dict[str, tuple[Callable[[int], Any], int]] = {  # name -> (score candidate set i, threads)
        "ours_1t": (lambda i: model.score(idx[i], val), 1),
        "ours_2t": (lambda i: model.score(idx[i], val), 2),
        "sklearn": (lambda i: sk.predict_proba(mats[i])[:, 1], 1),
        "numpy_gather_sum": (lambda i: _sigmoid((w[idx[i]] * val).sum(axis=1) + bias), 1),
        "scipy_sparse_dot": (lambda i: _sigmoid(mats32[i] @ w + bias), 1),
    }
    want = model.score(idx[0], val)
    for name, (fn, _) in methods.items():
        if not np.allclose(fn(0), want, rtol=1e-5, atol=1e-6):
            raise AssertionError(f"{name} scores differ from ours on the same model")
    runs: dict[str, list[float]] = {name: [] for name in methods}
    for _ in range(REPEATS):
        for name, (fn, t) in methods.items():
            with threads(t):
                runs[name].append(latencies(fn, list(range(len(idx))))[0] * 1e3)
    out: dict[str, Any] = {"candidates": candidates, "features": features, "weights": 1 << bits}
    out |= {f"{name}_p50_us": statistics.median(v) for name, v in runs.items()}
    baselines = [name for name in methods if not name.startswith("ours")]
    for t in (1, 2):
        ours = runs[f"ours_{t}t"]
        for name in baselines:
            ratios = [a / b for a, b in zip(runs[name], ours, strict=True)]
            out[f"vs_{name}_{t}t"] = spread(ratios)
        fastest = min(baselines, key=lambda b: statistics.median(runs[b]))
        out[f"fastest_baseline_{t}t"] = fastest
        out[f"vs_fastest_{t}t"] = out[f"vs_{fastest}_{t}t"]
    return out


def bid_benchmark(setup: dict[str, Any]) -> dict[str, Any]:
    """Replay the whole log under one value function (RLB's): compiled against a plain per-auction
    Python loop."""
    s = setup
    value = bidding.value_function(s["episode"], s["budget"], s["pdf"], bidding.mean_law(s["mean_ctr"]))
    kw = {"budget_per_episode": s["budget"], "episode": s["episode"]}

    def fast() -> bidding.ReplayResult:
        return bidding.replay_value_strategy(s["clicks"], s["price"], s["pctr"], value, **kw)

    def slow() -> bidding.ReplayResult:
        return bidding.replay_strategy(
            s["clicks"], s["price"], s["pctr"], lambda th, t, b: bidding.value_bid(value, th, t, b), **kw
        )

    a, b = fast(), slow()
    fast_ms = latencies(lambda _: fast(), list(range(7)))[0]
    slow_ms = latencies(lambda _: slow(), list(range(3)))[0]
    return {
        "auctions": int(s["clicks"].size),
        "ours_ms": fast_ms,
        "python_ms": slow_ms,
        "speedup": slow_ms / fast_ms,
        "same_clicks": a.clicks == b.clicks,
        "clicks": a.clicks,
    }


CROSSOVER_SIZES = (1_000, 2_000, 4_000, 8_000, 16_000, 32_000)


def exact_crossover(
    sizes: tuple[int, ...] = CROSSOVER_SIZES, *, dims: tuple[int, ...] = (1024, 384), k: int = 6, queries: int = 100
) -> dict[str, Any]:
    """Where the exact search (ann.ExactIndex: a matrix product and argpartition) stops being faster
    than the IVF index, for catalog-like vectors (clustered, unit length; 1,024 dimensions as the
    hashing embedding, 384 as MiniLM) and the top k that similar_products asks for (5 and the
    product itself). Single-query p50 of both with 1 and 2 threads, REPEATS interleaved runs; the
    index's recall@k against the exact answer."""
    rows: dict[str, Any] = {}
    for d in dims:
        for n in sizes:
            x, qs = vectors("clustered", n, d)
            rows[f"{d}d.{n}"] = _exact_vs_ivf(x, qs[:queries], k)
    return {"k": k, "queries": queries, "rows": rows, "crossover": _crossover(rows, sizes, dims)}


def _exact_vs_ivf(x: np.ndarray, qs: np.ndarray, k: int) -> dict[str, Any]:
    exact, ivf = ann.ExactIndex(x), ann.build_ivf(x, k=min(100, x.shape[0]))
    truth = [exact.search(q, k)[0] for q in qs]
    got = [ivf.search(q, k)[0] for q in qs]
    row: dict[str, Any] = {
        "recall": recall_at_k(truth, got, k=k),
        "same_best": bool(all(t[0] == g[0] for t, g in zip(truth, got, strict=True))),
    }
    for t in (1, 2):
        runs: dict[str, list[float]] = {"exact": [], "ivf": []}
        with threads(t):
            for _ in range(REPEATS):
                runs["exact"].append(latencies(lambda q: exact.search(q, k), qs)[0])
                runs["ivf"].append(latencies(lambda q: ivf.search(q, k), qs)[0])
        row[f"{t}t"] = {
            "exact_p50_ms": statistics.median(runs["exact"]),
            "ivf_p50_ms": statistics.median(runs["ivf"]),
            "exact_vs_ivf": spread([a / b for a, b in zip(runs["exact"], runs["ivf"], strict=True)]),
        }
    return row


def _crossover(rows: dict[str, Any], sizes: tuple[int, ...], dims: tuple[int, ...]) -> dict[str, int | None]:
    """Per dimension and thread count, the smallest size from which the index is faster at every
    larger size measured (exact time / index time > 1 in the median); None when exact always wins."""
    out: dict[str, int | None] = {}
    for d in dims:
        for t in (1, 2):
            faster = [rows[f"{d}d.{n}"][f"{t}t"]["exact_vs_ivf"]["median"] > 1 for n in sizes]
            first = next((i for i in range(len(sizes)) if all(faster[i:])), None)
            out[f"{d}d.{t}t"] = sizes[first] if first is not None else None
    return out
