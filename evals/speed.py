"""Speed checks: each hot path against the library a user would otherwise pick, in one run.

Latencies are medians (p50) and 99th percentiles over repeated single calls; this machine is
shared, so the ratios measured side by side are what to read, not the absolute times.
"""

from __future__ import annotations

import tempfile
import time
from collections.abc import Callable
from typing import Any

import numpy as np

from engine import ann, bidding, rank

QUERIES = 200
K = 100


def _latencies(fn: Callable[[Any], Any], inputs: list[Any] | np.ndarray, *, pause: float = 0.0) -> tuple[float, float]:
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


def _rss() -> int:
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


def _recall(truth: list[np.ndarray], got: list[np.ndarray]) -> float:
    return float(np.mean([len(set(t.tolist()) & set(g.tolist())) / K for t, g in zip(truth, got, strict=True)]))


def recall_benchmark(kind: str, n: int, *, with_chroma: bool = True) -> dict[str, Any]:
    x, queries = vectors(kind, n)
    out: dict[str, Any] = {"vectors": n, "dim": x.shape[1], "queries": QUERIES}
    truth = [ann.exact_top_k(x, q, K) for q in queries]

    def batch_qps(fn: Callable[[np.ndarray], Any]) -> float:
        t0 = time.perf_counter()
        fn(queries)
        return QUERIES / (time.perf_counter() - t0)

    # numpy brute force
    p50, p99 = _latencies(lambda q: ann.exact_top_k(x, q, K), queries)

    def brute_batch(qs: np.ndarray) -> None:
        s = x @ qs.T
        np.argpartition(-s, K - 1, axis=0)

    out["numpy"] = {
        "p50_ms": p50,
        "p99_ms": p99,
        "recall": 1.0,
        "qps": batch_qps(brute_batch),
        "memory_mb": x.nbytes / 1e6,
        "build_s": 0.0,
    }
    # ours
    r0, t0 = _rss(), time.perf_counter()
    index = ann.build_ivf(x, k=K)
    build = time.perf_counter() - t0
    got = [index.search(q, K)[0] for q in queries]
    p50, p99 = _latencies(lambda q: index.search(q, K), queries)
    out["ours"] = {
        "p50_ms": p50,
        "p99_ms": p99,
        "recall": _recall(truth, got),
        "qps": batch_qps(lambda qs: [index.search(q, K) for q in qs]),
        "memory_mb": index.nbytes / 1e6,
        "build_s": build,
        "nprobe": index.nprobe,
        "nlist": int(index.centroids.shape[0]),
    }
    del r0
    # hnswlib: the smallest ef reaching recall 0.99 (or the largest tried)
    try:
        import hnswlib
    except ImportError:
        out["hnswlib"] = None  # pip install '.[bench]'
        if with_chroma:
            out["chromadb"] = _chroma(x, queries, truth)
        return out

    r0, t0 = _rss(), time.perf_counter()
    h = hnswlib.Index(space="ip", dim=x.shape[1])
    h.init_index(max_elements=n, M=16, ef_construction=200)
    h.add_items(x, np.arange(n), num_threads=2)
    build = time.perf_counter() - t0
    mem = (_rss() - r0) / 1e6
    for ef in (128, 256, 512, 1024):
        h.set_ef(ef)
        got = [h.knn_query(q, k=K, num_threads=1)[0][0] for q in queries]
        rec = _recall(truth, got)
        if rec >= 0.99:
            break
    p50, p99 = _latencies(lambda q: h.knn_query(q, k=K, num_threads=1), queries)
    out["hnswlib"] = {
        "p50_ms": p50,
        "p99_ms": p99,
        "recall": rec,
        "ef": ef,
        "qps": batch_qps(lambda qs: h.knn_query(qs, k=K, num_threads=2)),
        "memory_mb": mem,
        "build_s": build,
    }
    if with_chroma:
        out["chromadb"] = _chroma(x, queries, truth)
    return out


def _chroma(x: np.ndarray, queries: np.ndarray, truth: list[np.ndarray]) -> dict[str, Any]:
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    with tempfile.TemporaryDirectory() as tmp:
        client = chromadb.PersistentClient(path=tmp, settings=ChromaSettings(anonymized_telemetry=False))
        col = client.create_collection(
            "bench",
            embedding_function=None,
            configuration={"hnsw": {"space": "ip", "ef_search": 400, "ef_construction": 200, "max_neighbors": 16}},
        )
        batch = client.get_max_batch_size()
        ids = np.arange(x.shape[0]).astype(str).tolist()
        t0 = time.perf_counter()
        for i in range(0, x.shape[0], batch):
            col.add(ids=ids[i : i + batch], embeddings=x[i : i + batch])
        build = time.perf_counter() - t0

        def one(q: np.ndarray) -> np.ndarray:
            r = col.query(query_embeddings=q[None, :], n_results=K, include=[])
            return np.array(r["ids"][0], dtype=np.int64)

        got = [one(q) for q in queries]
        p50, p99 = _latencies(one, queries)
        t0 = time.perf_counter()
        col.query(query_embeddings=queries, n_results=K, include=[])
        qps = queries.shape[0] / (time.perf_counter() - t0)
        return {
            "p50_ms": p50,
            "p99_ms": p99,
            "recall": _recall(truth, got),
            "ef": 400,
            "qps": qps,
            "memory_mb": None,
            "build_s": build,
        }


def rank_benchmark(*, candidates: int = 1000, features: int = 40, bits: int = 20) -> dict[str, Any]:
    """Score candidates x hashed features with our compiled gather-sum and with scikit-learn's
    predict_proba on the same model (its sparse matrix prebuilt, as a server would cache it)."""
    from sklearn.linear_model import LogisticRegression

    rng = np.random.default_rng(0)
    w = (rng.standard_normal(1 << bits) * 0.01).astype(np.float32)
    model = rank.HashedLogistic(w, -2.0)
    sk = LogisticRegression()
    sk.coef_, sk.intercept_, sk.classes_ = w[None, :].astype(np.float64), np.array([-2.0]), np.array([0, 1])
    idx = [
        rank.hash_index(j, rng.integers(0, 1 << 30, (candidates, features)).ravel(), bits).reshape(candidates, features)
        for j in range(50)
    ]
    val = np.ones((candidates, features), dtype=np.float32)
    mats = [rank.to_sparse(i, val, bits) for i in idx]
    same = 1 / (1 + np.exp(-sk.decision_function(mats[0])))
    if not np.allclose(model.score(idx[0], val), same, rtol=1e-5, atol=1e-6):
        raise AssertionError("our scores differ from scikit-learn's on the same model")
    ours = _latencies(lambda i: model.score(i, val), idx)
    theirs = _latencies(lambda m: sk.predict_proba(m), mats)
    return {
        "candidates": candidates,
        "features": features,
        "weights": 1 << bits,
        "ours_p50_us": ours[0] * 1e3,
        "sklearn_p50_us": theirs[0] * 1e3,
        "speedup": theirs[0] / ours[0],
    }


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
    fast_ms = _latencies(lambda _: fast(), list(range(7)))[0]
    slow_ms = _latencies(lambda _: slow(), list(range(3)))[0]
    return {
        "auctions": int(s["clicks"].size),
        "ours_ms": fast_ms,
        "python_ms": slow_ms,
        "speedup": slow_ms / fast_ms,
        "same_clicks": a.clicks == b.clicks,
        "clicks": a.clicks,
    }
