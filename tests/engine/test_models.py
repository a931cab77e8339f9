"""CLV, regression, uplift and the compiled kernels on tiny handwritten fixtures."""

import numpy as np
import pytest

from engine import EngineError, bidding, clv, regression, uplift


def test_ols_recovers_an_exact_line_and_names_interactions():
    x = np.array([0.0, 1.0, 2.0, 3.0, 4.0])
    fit = regression.ols(np.column_stack([np.ones(5), x]), 1.0 + 2.0 * x, ["(Intercept)", "x"])
    assert fit.as_dict() == pytest.approx({"(Intercept)": 1.0, "x": 2.0})
    assert fit.std_error == pytest.approx([0.0, 0.0], abs=1e-9)
    X, names = regression.interact((x[:, None], ["x"]), (np.eye(5)[:, :1], ["g"]))
    assert names == ["(Intercept)", "x", "g", "x:g"] and X.shape == (5, 4)
    with pytest.raises(EngineError):
        regression.ols(np.ones((2, 2)), np.ones(2), ["a", "b"])


def test_diff_in_diff_on_a_known_effect():
    unit = np.repeat(["a", "b", "c", "d"], 2)
    after = np.tile([0, 1], 4)
    treated = np.repeat([1, 1, 0, 0], 2)
    # control grows by e^0.1, treated by e^0.3: the effect on log outcome is 0.2
    y = np.exp(np.array([1, 1.3, 2, 2.3, 1, 1.1, 3, 3.1]))
    fit = regression.diff_in_diff(unit, after, treated, y)
    assert fit.coef[1] == pytest.approx(0.2)


def test_bgnbd_limits():
    m = clv.BGNBD(r=0.25, alpha=4.0, a=0.8, b=2.5, loglik=0.0)
    x, tx, T = np.array([0.0, 3.0]), np.array([0.0, 30.0]), np.array([39.0, 39.0])
    assert clv.p_alive(m, x, tx, T)[0] == 1.0  # no repeat purchase: never seen to drop out
    assert clv.expected_purchases(m, 0.0, x, tx, T) == pytest.approx([0.0, 0.0])
    e = clv.expected_purchases(m, 10.0, x, tx, T)
    assert (e > 0).all() and (clv.expected_purchases(m, 20.0, x, tx, T) > e).all()
    with pytest.raises(EngineError):
        clv.expected_purchases(m, 1.0, np.array([1.0]), np.array([5.0]), np.array([4.0]))


def test_bgnbd_fit_recovers_simulated_parameters():
    rng = np.random.default_rng(0)
    n, T = 3000, 52.0
    lam = rng.gamma(2.0, 1 / 8.0, n)  # r = 2, alpha = 8
    p = rng.beta(1.0, 4.0, n)  # a = 1, b = 4
    x, tx = np.zeros(n), np.zeros(n)
    for i in range(n):
        t = 0.0
        while True:
            t += rng.exponential(1 / lam[i])
            if t > T:
                break
            x[i], tx[i] = x[i] + 1, t
            if rng.random() < p[i]:
                break
    fit = clv.fit_bgnbd(x, tx, np.full(n, T))
    assert fit.r == pytest.approx(2.0, rel=0.25) and fit.a / (fit.a + fit.b) == pytest.approx(0.2, rel=0.2)


def test_qini_of_a_perfect_and_a_useless_score():
    treated = np.array([1, 1, 0, 0] * 25, dtype=bool)
    y = np.array([1, 0, 0, 0] * 25)
    perfect = y * 1.0 + treated * 0.5
    frac, q = uplift.qini_curve(perfect, treated, y)
    assert uplift.qini_coefficient(frac, q) > 0.3 and uplift.share_captured(frac, q, 0.3) > 0.9
    frac, q = uplift.qini_curve(np.zeros(100), treated, y)
    assert abs(uplift.qini_coefficient(frac, q)) < 0.05


def test_value_function_and_its_compiled_replay_agree_with_python():
    rng = np.random.default_rng(1)
    pdf = bidding.market_price_pdf(np.r_[0, rng.integers(1, 50, 30)])
    v = bidding.value_function(50, 120, pdf, bidding.exponential_law(0.01))
    assert (np.diff(v, axis=1) >= -1e-12).all() and (np.diff(v, axis=0) >= -1e-12).all()  # more is never worse
    rlb = bidding.value_function(50, 120, pdf, bidding.mean_law(0.01))
    assert (v >= rlb - 1e-12).all()  # knowing the pCTR before bidding is worth at least the mean
    n = 520  # ten episodes and a short one
    clicks, price, pctr = rng.integers(0, 2, n), rng.integers(0, 31, n), rng.exponential(0.01, n)
    for last in ("full", "true"):
        kw = {"budget_per_episode": 120, "episode": 50, "last_episode": last}
        fast = bidding.replay_value_strategy(clicks, price, pctr, v, **kw)
        slow = bidding.replay_strategy(clicks, price, pctr, lambda th, t, b: bidding.value_bid(v, th, t, b), **kw)
        assert fast == slow and fast.impressions > 0


def test_hashed_logistic_learns_and_scores_like_sklearn():
    from engine import rank

    rng = np.random.default_rng(0)
    n, k = 400, 5
    idx = rank.hash_index(3, rng.integers(0, 20, (n, k)).ravel(), bits=10).reshape(n, k)
    val = np.ones((n, k))
    y = (idx % 2 == 0).sum(axis=1) >= 3  # a rule on the features
    model = rank.HashedLogistic.fit(idx, val, y, bits=10, c=10.0)
    p = model.score(idx, val)
    assert rank.auc(y, p) > 0.95
    manual = 1 / (1 + np.exp(-(model.bias + (model.weights[idx] * val).sum(axis=1))))
    assert p == pytest.approx(manual, rel=1e-5)
    assert rank.auc(np.array([0, 0, 1, 1]), np.array([0.1, 0.4, 0.35, 0.8])) == pytest.approx(0.75)
    assert (rank.hash_index(1, np.arange(5)) == rank.hash_index(1, np.arange(5))).all()
    assert (rank.hash_index(1, np.arange(5)) != rank.hash_index(2, np.arange(5))).any()


def test_recsys_candidates_exclude_history_and_metrics():
    from engine import recsys

    # baskets: customer 1 buys {0,1}; customer 2 buys {0,1,2}; customer 3 buys {1,2}
    h = recsys.History(
        customer=np.array([1, 1, 2, 2, 2, 3, 3]),
        product=np.array([0, 1, 0, 1, 2, 1, 2]),
        order=np.array([10, 10, 20, 20, 20, 30, 30]),
        day=np.full(7, 100),
        price=np.ones(7),
        n_items=4,
    )
    users = np.array([1, 3])
    c = recsys.candidates(h, 101, users, np.zeros(2, dtype=int), tuning=recsys.Tuning(n_recall=5, n_popular=1))
    for u, own in ((0, {0, 1}), (1, {1, 2})):
        assert not own & set(c.item[c.user == u].tolist())
    assert 2 in c.item[c.user == 0]  # co-bought with 0 and 1 by customer 2
    assert c.idx.shape == c.val.shape == (c.item.size, recsys.N_FEATURES)
    r, n = recsys.recall_ndcg([np.array([5, 7]), np.array([1])], [{7}, set()], 2)
    assert r == 1.0 and n == pytest.approx(1 / np.log2(3))


def test_to_sparse_leaves_its_inputs_alone():
    from engine import rank

    idx = np.array([[1, 1, 2]])
    val = np.ones((1, 3))
    m = rank.to_sparse(idx, val, bits=4)
    assert m[0, 1] == 2.0 and (val == 1.0).all() and (idx == [[1, 1, 2]]).all()


def test_ivf_index_finds_the_exact_top_k():
    from engine import ann

    rng = np.random.default_rng(3)
    centres = rng.standard_normal((20, 16)).astype(np.float32)
    x = (centres[rng.integers(0, 20, 4000)] + 0.3 * rng.standard_normal((4000, 16))).astype(np.float32)
    index = ann.build_ivf(x, k=10, calibration_queries=20)
    assert 1 <= index.nprobe <= index.centroids.shape[0]
    queries = (centres[rng.integers(0, 20, 20)] + 0.3 * rng.standard_normal((20, 16))).astype(np.float32)
    hits = [len(set(ann.exact_top_k(x, q, 10).tolist()) & set(index.search(q, 10)[0].tolist())) for q in queries]
    assert np.mean(hits) / 10 >= 0.95
    ids, scores = index.search(queries[0], 10, nprobe=index.centroids.shape[0])  # every list: exact
    assert set(ids.tolist()) == set(ann.exact_top_k(x, queries[0], 10).tolist())
    assert scores == pytest.approx(np.sort(x[ids] @ queries[0])[::-1], rel=1e-5)


def test_ivf_compressed_scan_path_on_unstructured_data():
    from engine import ann

    rng = np.random.default_rng(4)
    x = rng.random((20000, 16), dtype=np.float32)
    index = ann.build_ivf(x, k=10, nlist=16, calibration_queries=10)
    index.rerank = 50  # 20,000 rows > 16 x 50: the fused scan against a sampled threshold
    q = rng.random(16, dtype=np.float32)
    ids, _ = index.search(q, 10, nprobe=16)
    assert len(set(ids.tolist()) & set(ann.exact_top_k(x, q, 10).tolist())) >= 9
    with pytest.raises(EngineError):
        index.search(np.ones(3), 10)


def test_exact_index_below_the_crossover_and_ivf_above():
    from engine import ann

    rng = np.random.default_rng(5)
    x = rng.standard_normal((300, 8)).astype(np.float32)
    small = ann.build_index(x, k=10)  # 300 rows: far below DEFAULT_EXACT_BELOW
    assert isinstance(small, ann.ExactIndex)
    q = rng.standard_normal(8).astype(np.float32)
    ids, scores = small.search(q, 10)
    assert ids.tolist() == ann.exact_top_k(x, q, 10).tolist()
    assert scores == pytest.approx(np.sort(x @ q)[::-1][:10], rel=1e-6)
    assert small.search(q, 500)[0].size == 300  # k above n: every row, best first
    assert isinstance(ann.build_index(x, k=10, exact_below=100), ann.IVFIndex)
    assert isinstance(ann.build_index(x, k=400, exact_below=100), ann.ExactIndex)  # fewer rows than k
    for index in (small, ann.build_index(x, k=10, exact_below=100)):
        again = ann.index_from_arrays(index.to_arrays())
        assert type(again) is type(index) and again.search(q, 5)[0].tolist() == index.search(q, 5)[0].tolist()
    with pytest.raises(EngineError):
        small.search(np.ones(3), 10)


def test_pctr_laws_tabulate_the_option_value():
    law = bidding.empirical_law(np.array([0.3, 0.1]), size=3)  # c = 0, 0.1, 0.2, 0.3
    assert law.step == pytest.approx(0.1) and law.gain == pytest.approx([0.2, 0.1, 0.05, 0.0])
    assert bidding.exponential_law(0.01).gain[0] == pytest.approx(0.01)
    pdf = bidding.market_price_pdf(np.r_[1, np.ones(20)])
    same = bidding.empirical_law(np.full(7, 0.01))  # every pCTR the mean: RLB's law
    assert bidding.value_function(30, 60, pdf, same) == pytest.approx(
        bidding.value_function(30, 60, pdf, bidding.mean_law(0.01)), abs=1e-12
    )
    with pytest.raises(EngineError, match="pCTRs seen"):
        bidding.empirical_law(np.array([]))


def test_learning_replay_uses_the_prior_then_the_pctrs_already_seen():
    rng = np.random.default_rng(2)
    pdf = bidding.market_price_pdf(np.r_[0, rng.integers(1, 50, 30)])
    n, ep, budget = 130, 50, 100
    clicks, price, pctr = rng.integers(0, 2, n), rng.integers(0, 31, n), rng.exponential(0.01, n)
    prior = bidding.exponential_law(0.02)
    kw = {"budget_per_episode": budget, "episode": ep}
    by_prior = bidding.value_function(ep, budget, pdf, prior)
    by_seen = bidding.value_function(ep, budget, pdf, bidding.empirical_law(pctr[:ep]))
    head = bidding.replay_value_strategy(clicks[:ep], price[:ep], pctr[:ep], by_prior, **kw)
    rest = bidding.replay_value_strategy(clicks[ep:], price[ep:], pctr[ep:], by_seen, **kw)
    both = bidding.replay_learning_strategy(clicks, price, pctr, pdf, prior, refits=(1,), **kw)
    assert (both.clicks, both.impressions, both.cost) == (
        head.clicks + rest.clicks,
        head.impressions + rest.impressions,
        head.cost + rest.cost,
    )
    fixed = bidding.replay_value_strategy(clicks, price, pctr, by_prior, **kw)
    assert bidding.replay_learning_strategy(clicks, price, pctr, pdf, prior, refits=(), **kw) == fixed


def test_max_owned_similarity_kernel_matches_its_twin():
    from scipy import sparse

    from engine import kernels, recsys

    rng = np.random.default_rng(3)
    sim = sparse.random(30, 30, density=0.3, random_state=4, format="csr")
    sim = (sim + sim.T).tocsr()
    owned = [np.array([1, 5, 7]), np.array([], dtype=np.int64), np.array([0, 29])]
    cands = [np.sort(rng.choice(30, 8, replace=False)) for _ in owned]
    row_ptr = np.concatenate([[0], np.cumsum([c.size for c in cands])])
    got = kernels.max_owned_similarity(
        sim.indptr.astype(np.int64),
        sim.indices.astype(np.int64),
        sim.data,
        np.concatenate([[0], np.cumsum([o.size for o in owned])]).astype(np.int64),
        np.concatenate(owned).astype(np.int64),
        row_ptr.astype(np.int64),
        np.concatenate(cands).astype(np.int64),
        30,
    )
    want = np.concatenate([recsys._max_similarity(sim.tocsc(), o, c) for o, c in zip(owned, cands, strict=True)])
    assert got == pytest.approx(want)
    assert (got[row_ptr[1] : row_ptr[2]] == 0).all()  # owns nothing


def test_recsys_tuning_reaches_the_features():
    from engine import recsys

    h = recsys.History(
        customer=np.array([1, 1, 2, 2, 2, 3, 3]),
        product=np.array([0, 1, 0, 1, 2, 1, 2]),
        order=np.array([10, 10, 20, 20, 20, 30, 30]),
        day=np.array([0, 0, 50, 50, 50, 95, 95]),
        price=np.ones(7),
        n_items=4,
    )
    users, country = np.array([1]), np.zeros(1, dtype=int)
    short = recsys.candidates(h, 101, users, country, tuning=recsys.Tuning(recent_days=10, half_life_days=10.0))
    long = recsys.candidates(h, 101, users, country, tuning=recsys.Tuning(recent_days=100, half_life_days=1000.0))
    assert (short.item == long.item).all()
    two = short.item == 2  # co-bought with 0 and 1; sold on days 50 and 95
    assert (short.val[:, 4] <= long.val[:, 4]).all() and (short.val[two, 4] < long.val[two, 4]).all()  # recent sales
    assert (short.val[two, 2] < long.val[two, 2]).all()  # recency-weighted co-purchase: old buys count less
