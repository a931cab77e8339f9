"""Attribution models on tiny handwritten journeys."""

from __future__ import annotations

import time

import numpy as np
import pytest

from engine import EngineError
from engine import attribution as A

TOY = ["A > B > A > B > B > A", "A > B > B > A > A", "A > A"]  # the 2015 ChannelAttribution vignette


@pytest.fixture
def small() -> A.Journeys:
    # c > a > a: 2 conversions worth 10 and 1 null; a > b: 1 conversion worth 6; b: 3 nulls
    return A.encode_paths(["c > a > a", "a>b", " b "], [2, 1, 0], [10.0, 6.0, 0.0], [1, 0, 3])


def test_encoding_numbers_channels_in_sorted_order(small):
    assert small.channels == ("a", "b", "c")
    assert small.touch.tolist() == [2, 0, 0, 0, 1, 1]
    assert small.start.tolist() == [0, 3, 5, 6]
    assert small.first.tolist() == [2, 0, 1] and small.last.tolist() == [0, 1, 1]


@pytest.mark.parametrize(
    ("paths", "conv", "message"),
    [
        (["a > > b"], [1], "empty channel"),
        ([""], [1], "empty channel"),
        ([], [], "non-empty"),
        (["a"], [-1], "not negative"),
        (["a", "b"], [1], "one number per path"),
    ],
)
def test_bad_input_says_what_to_fix(paths, conv, message):
    with pytest.raises(EngineError, match=message):
        A.encode_paths(paths, conv)


def test_heuristics(small):
    assert A.first_touch(small).tolist() == [1.0, 0.0, 2.0]
    assert A.last_touch(small).tolist() == [2.0, 1.0, 0.0]
    assert A.linear_touch(small) == pytest.approx([2 * 2 / 3 + 0.5, 0.5, 2 / 3])
    assert A.first_touch(small, "value").tolist() == [6.0, 0.0, 10.0]
    assert A.linear_touch(small, "value") == pytest.approx([20 / 3 + 3, 3, 10 / 3])
    for model in (A.first_touch, A.last_touch, A.linear_touch):
        assert model(small).sum() == pytest.approx(3.0)
    with pytest.raises(EngineError, match="metric"):
        A.first_touch(small, "clicks")  # type: ignore[arg-type]


def test_collapse_merges_repeats_within_a_journey_only():
    j = A.encode_paths(["a > a > b > b", "b > b > a", "a"], [1, 1, 1])
    c = A.collapse_repeats(j)
    assert c.touch.tolist() == [0, 1, 1, 0, 0]
    assert c.start.tolist() == [0, 2, 4, 5]


def test_transition_counts(small):
    n = A.transition_counts(A.collapse_repeats(small))  # states: start, a, b, c, conversion, null
    assert n[0].tolist() == [0, 1, 3, 3, 0, 0]  # to a (1), b (3 nulls), c (2 conv + 1 null)
    assert n[3, 1] == 3  # c -> a
    assert n[1].tolist() == [0, 0, 1, 0, 2, 1]  # a -> b, a -> conversion (2), a -> null (1)
    assert n[2].tolist() == [0, 0, 0, 0, 1, 3]


def test_markov_toy_paths_give_the_vignette_figures():
    j = A.encode_paths(TOY, [1, 1, 1])
    base, effect = A.markov_removal_effects(j)
    assert base == pytest.approx(1.0) and effect == pytest.approx([1.0, 0.5])
    assert A.markov_credit(j) == pytest.approx([2.0, 1.0], abs=1e-12)


def test_repeats_do_not_change_the_exact_chain():
    j = A.encode_paths(["a > a > b", "b > b > b", "a > c > c > a"], [1, 0, 2], None, [2, 1, 1])
    merged = A.removal_effects(A.transition_matrix(A.transition_counts(A.collapse_repeats(j))))
    raw = A.removal_effects(A.transition_matrix(A.transition_counts(j)))
    assert merged[0] == pytest.approx(raw[0]) and merged[1] == pytest.approx(raw[1])


def test_markov_single_channel_paths_credit_like_last_touch():
    j = A.encode_paths(["a", "b", "a", "c"], [3, 1, 1, 0], [3.0, 5.0, 1.0, 0.0], [1, 1, 0, 4])
    # a converts 4 of 5, b 1 of 2: removing a channel loses exactly its own conversions
    assert A.markov_credit(j) == pytest.approx([4.0, 1.0, 0.0])
    assert A.markov_credit(j, "value") == pytest.approx([4.0, 5.0, 0.0])


def test_markov_value_weights_conversions_by_the_last_channel():
    j = A.encode_paths(["a > b", "b"], [1, 1], [9.0, 3.0], [0, 1])
    m = A.conversion_value_by_last_channel(j)
    assert m.tolist() == [0.0, 6.0]  # two conversions last touched by b, 12 in all
    base, effect = A.markov_removal_effects(j, "value")
    # start -> a (1/3) -> b, start -> b (2/3); b -> conversion 2/3: p(conv) = 2/3, 6 per conversion
    assert base == pytest.approx(4.0)
    assert effect == pytest.approx([4.0 - 6 * (2 / 3) * (2 / 3), 4.0])  # without a, its third goes to null
    assert A.markov_credit(j, "value") == pytest.approx([3.0, 9.0])


def test_markov_state_never_left_goes_to_null():
    j = A.encode_paths(["a > b", "a"], [0, 1], None, [0, 1])  # a > b carries no journeys: b has no exits
    p = A.transition_matrix(A.transition_counts(j))
    assert p[2, -1] == 1.0 and np.allclose(p.sum(axis=1), 1.0)
    assert A.markov_credit(j) == pytest.approx([1.0, 0.0])


def test_coalition_values_sum_over_subsets(small):
    v = A.coalition_values(small)  # bit 0 = a, bit 1 = b, bit 2 = c
    assert v.tolist() == [0.0, 0.0, 0.0, 1.0, 0.0, 2.0, 0.0, 3.0]


def test_shapley_values_of_a_known_game():
    # v = 1 for coalitions holding players 0 and 1 (unanimity game): half each, nothing for player 2
    v = np.array([float((m & 3) == 3) for m in range(8)])
    assert A.shapley_values(v) == pytest.approx([0.5, 0.5, 0.0])
    # glove game: player 0 holds a left glove, 1 and 2 right gloves; a pair is worth 1
    glove = np.array([float(bool(m & 1) and bool(m & 6)) for m in range(8)])
    assert A.shapley_values(glove) == pytest.approx([2 / 3, 1 / 6, 1 / 6])
    with pytest.raises(EngineError, match="2\\^n"):
        A.shapley_values(np.zeros(6))


def test_shapley_credit_shares_each_journey_over_its_distinct_channels(small):
    assert A.shapley_credit(small) == pytest.approx([1.0 + 0.5, 0.5, 1.0])
    assert A.shapley_credit(small, "value") == pytest.approx([5.0 + 3.0, 3.0, 5.0])
    toy = A.encode_paths(TOY, [1, 1, 1])
    assert A.shapley_credit(toy) == pytest.approx([2.0, 1.0])


def test_shapley_refuses_too_many_channels():
    names = [f"c{i}" for i in range(A.MAX_SHAPLEY_CHANNELS + 1)]
    with pytest.raises(EngineError, match="group the rare channels"):
        A.shapley_credit(A.encode_paths(names, np.ones(len(names))))


def test_ten_thousand_paths_well_under_a_second():
    rng = np.random.default_rng(0)
    names = np.array([f"ch{i}" for i in range(12)])
    lengths = rng.integers(1, 12, 10_000)
    paths = [" > ".join(names[rng.integers(0, 12, k)]) for k in lengths.tolist()]  # building them is not timed
    conv, nulls = rng.integers(0, 3, 10_000), rng.integers(0, 8, 10_000)
    t0 = time.perf_counter()
    j = A.encode_paths(paths, conv, conv * 3.5, nulls)
    out = [
        m(j, x)
        for m in (A.first_touch, A.last_touch, A.linear_touch, A.markov_credit, A.shapley_credit)
        for x in ("conversions", "value")
    ]
    assert time.perf_counter() - t0 < 1.0
    for credit in out[::2]:
        assert credit.sum() == pytest.approx(conv.sum())
