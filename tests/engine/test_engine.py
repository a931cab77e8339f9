import numpy as np
import pytest
from scipy import sparse

from engine import EngineError, allocation, bidding, pricing, recall, segments, stats
from engine.compliance import check_copy


def test_quantile_scores_ranks_and_ties():
    assert segments.quantile_scores(np.array([1, 2, 3, 4, 5])).tolist() == [1, 2, 3, 4, 5]
    assert segments.quantile_scores(np.array([5, 5, 1]), bins=3).tolist() == [2, 2, 1]
    assert segments.quantile_scores(np.array([1, 100]), bins=2, reverse=True).tolist() == [2, 1]
    with pytest.raises(EngineError):
        segments.quantile_scores(np.array([]))


def test_rfm_segment_rules():
    r = np.array([5, 3, 1, 1, 5])
    f = np.array([5, 5, 4, 1, 1])
    assert segments.rfm_segment(r, f).tolist() == [
        "champions",
        "loyal",
        "at_risk",
        "hibernating",
        "new",
    ]


def test_top_k():
    assert recall.top_k(np.array([0.1, 0.9, 0.5]), 2).tolist() == [1, 2]
    with pytest.raises(EngineError):
        recall.top_k(np.array([1.0]), 0)


def test_cooccurrence_similarity_is_cosine_of_baskets():
    # baskets: {0,1}, {0,1}, {0,2}
    sim = recall.cooccurrence_similarity(np.array([1, 1, 2, 2, 3, 3]), np.array([0, 1, 0, 1, 0, 2]), 3)
    assert isinstance(sim, sparse.csr_matrix)
    assert sim[0, 1] == pytest.approx(2 / np.sqrt(3 * 2))
    assert sim[0, 0] == 0
    scores = recall.item_to_item_scores(sim, np.array([1]))
    assert scores.argmax() == 0


def test_log_log_elasticity_recovers_a_known_curve():
    p = np.array([1.0, 1.5, 2.0, 2.5, 3.0, 3.5])
    q = 100 * p**-2.0
    est = pricing.log_log_elasticity(p, q)
    assert est.elasticity == pytest.approx(-2.0)
    assert est.std_error == pytest.approx(0.0, abs=1e-9)
    assert est.r_squared == pytest.approx(1.0)
    noisy = pricing.log_log_elasticity(p, q * np.array([1.1, 0.9, 1.05, 0.95, 1.0, 1.02]))
    from scipy import stats as sps

    t = sps.t.ppf(0.975, noisy.n_obs - 2)
    assert noisy.ci_high - noisy.elasticity == pytest.approx(t * noisy.std_error)
    with pytest.raises(EngineError):
        pricing.log_log_elasticity(np.array([1.0, 1.0, 1.0]), np.array([1.0, 2.0, 3.0]))


def test_credibility_refuses_thin_or_inelastic():
    thin = pricing.Elasticity(-2.0, 0.1, -2.2, -1.8, 0, 0.9, 5, 3)
    assert "observations" in (pricing.credibility_problem(thin) or "")
    inelastic = pricing.Elasticity(-1.2, 0.5, -2.2, -0.2, 0, 0.5, 50, 5)
    assert "not below -1" in (pricing.credibility_problem(inelastic) or "")
    good = pricing.Elasticity(-2.0, 0.1, -2.2, -1.8, 0, 0.9, 50, 5)
    assert pricing.credibility_problem(good) is None


def test_optimal_price_and_discount():
    assert pricing.optimal_price(-2.0, 1.0) == pytest.approx(2.0)
    with pytest.raises(EngineError):
        pricing.optimal_price(-0.5, 1.0)
    eff = pricing.discount_effect(10.0, 100.0, -2.0, 0.1, unit_cost=4.0)
    assert eff["new_price"] == pytest.approx(9.0)
    assert eff["new_quantity"] == pytest.approx(100 * 0.9**-2)
    assert eff["profit"] == pytest.approx(600.0)
    with pytest.raises(EngineError):
        pricing.discount_effect(10.0, 100.0, -2.0, 1.5)


def test_bids_and_replay_second_price_with_budget_cap():
    assert bidding.expected_value_bid(0.002, 2.0) == pytest.approx(4.0)
    clicks = np.array([1, 0, 1, 1])
    price = np.array([5, 5, 5, 5])
    res = bidding.replay(clicks, price, np.array([10, 10, 4, 10]), budget_per_episode=12, episode=4)
    # wins auctions 0 and 1 (cost 10), loses 2 (bid 4 < 5), then only 2 left < 5: loses 3
    assert (res.clicks, res.impressions, res.cost) == (1, 2, 10)
    same = bidding.replay_strategy(clicks, price, np.zeros(4), lambda *_: 10, budget_per_episode=12, episode=4)
    assert same.impressions == 2


@pytest.mark.parametrize(("last_episode", "told"), [("full", [4, 3, 2, 1, 4]), ("true", [4, 3, 2, 1, 1])])
def test_replay_tells_the_short_last_episode_as_rlb_dp_does_or_as_it_is(last_episode, told):
    seen: list[int] = []

    def bid(_pctr: float, auctions_left: int, _budget_left: int) -> float:
        seen.append(auctions_left)
        return 0.0

    n = np.zeros(5, dtype=int)
    bidding.replay_strategy(n, n, n * 0.0, bid, budget_per_episode=9, episode=4, last_episode=last_episode)
    assert seen == told
    with pytest.raises(EngineError, match="last_episode"):
        bidding.replay_strategy(n, n, n * 0.0, bid, budget_per_episode=9, episode=4, last_episode="one")


def test_pacing_controller():
    p = bidding.pacing_status(100.0, 75.0, 0.5)
    assert p.status == "overspending" and p.bid_multiplier == pytest.approx(0.5)
    assert bidding.pacing_status(100.0, 50.0, 0.5).status == "on_pace"
    assert bidding.pacing_status(100.0, 100.0, 0.5).status == "exhausted"
    with pytest.raises(EngineError):
        bidding.pacing_status(-1, 0, 0.5)


def test_two_proportion_test():
    r = stats.two_proportion_test(120, 2400, 150, 2400)
    assert r["z"] == pytest.approx(1.8794, abs=1e-3)
    assert r["p_value"] == pytest.approx(0.0602, abs=1e-3)
    assert 0.96 < r["prob_b_beats_a"] < 0.98
    from scipy import integrate
    from scipy import stats as sps

    a, b = sps.beta(121, 2281), sps.beta(151, 2251)
    exact, _ = integrate.quad(lambda x: b.pdf(x) * a.cdf(x), 0, 1, points=[0.05, 0.0625], limit=200)
    assert r["prob_b_beats_a"] == pytest.approx(exact, abs=1e-6)
    # Beta(1, 2) vs Beta(2, 1): the integral of 2x (2x - x^2) over [0, 1] is 5/6
    assert stats.two_proportion_test(0, 1, 1, 1)["prob_b_beats_a"] == pytest.approx(5 / 6, abs=1e-6)
    same = stats.two_proportion_test(50, 1000, 50, 1000)
    assert same["prob_b_beats_a"] == pytest.approx(0.5, abs=1e-6)
    with pytest.raises(EngineError):
        stats.two_proportion_test(5, 3, 1, 10)


def test_seasonal_index():
    idx = stats.seasonal_index(np.array([0, 0, 1]), np.array([2.0, 2.0, 1.0]), 3)
    assert idx[0] == pytest.approx(2 / 1.5) and np.isnan(idx[2])


def test_allocation_equalises_marginal_returns():
    a, b = np.array([100.0, 100.0]), np.array([10.0, 10.0])
    assert allocation.allocate_budget(20.0, a, b) == pytest.approx([10.0, 10.0])
    spend = allocation.allocate_budget(30.0, np.array([300.0, 100.0]), np.array([10.0, 10.0]))
    assert spend.sum() == pytest.approx(30.0)
    marg = np.array([300.0, 100.0]) / 10 * np.exp(-spend / 10)
    assert marg[0] == pytest.approx(marg[1], rel=1e-6)
    with pytest.raises(EngineError):
        allocation.allocate_budget(-1.0, a, b)


def test_compliance_flags_english_and_chinese():
    assert not check_copy("A lovely lantern for your garden")
    terms = {f.term for f in check_copy("The best lamp that cures insomnia, 全网最低价, 国家级品质")}
    assert {"best", "cures", "全网最低价", "国家级"} <= terms


def test_calendar_helpers():
    days = np.array(["1970-01-01", "2011-12-09", "2011-02-28"], dtype="datetime64[D]").astype(np.int64)
    assert stats.weekday_of(days).tolist() == [3, 4, 0]  # Thursday, Friday, Monday
    assert [stats.MONTHS[m] for m in stats.month_of(days)] == ["Jan", "Dec", "Feb"]
