"""Copy as numbers: lengths as platforms count them, distinct-2, and the greedy diverse choice."""

from __future__ import annotations

import pytest

from engine.textfit import DiverseSet, Pool, bigrams, char_count, distinct_2, select_diverse, units


def test_char_count_counts_wide_characters_as_told() -> None:
    assert char_count("Heart T-Light Holder", 2) == 20
    assert char_count("心形茶蜡烛台", 1) == 6
    assert char_count("心形茶蜡烛台", 2) == 12
    assert char_count("仅£2.95！", 2) == 2 + 5 + 2  # the full-width ！ is wide too


def test_units_and_bigrams() -> None:
    assert units("Just £2.95 each. Order NOW", "en") == ["just", "£2.95", "each", "order", "now"]
    assert units("已售36,782件，仅£2.95！#居家好物", "zh") == ["已", "售", "36,782", "件", "仅", "£2.95", "#居家好物"]
    assert bigrams("a b c", "en") == [("a", "b"), ("b", "c")]


def test_distinct_2_limits() -> None:
    assert distinct_2(["red mug", "blue bowl"], "en") == 1.0
    assert distinct_2(["red mug", "red mug"], "en") == 0.5
    assert distinct_2(["the red mug"] * 10, "en") == pytest.approx(0.1)
    assert distinct_2([], "en") == 1.0 and distinct_2(["one"], "en") == 1.0
    assert distinct_2(["心形茶蜡烛台", "心形茶蜡烛台"], "zh") == 0.5


def test_select_diverse_prefers_new_bigrams_and_skips_refused() -> None:
    cands = ["red heart mug", "red heart mug", "red heart bowl", "blue star lantern", "green tin box"]
    chosen = select_diverse(cands, 3, "en")
    assert [cands[i] for i in chosen] == ["red heart mug", "blue star lantern", "green tin box"]
    refused = select_diverse(cands, 3, "en", accept=lambda i: "blue" not in cands[i])
    assert "blue star lantern" not in [cands[i] for i in refused] and len(refused) == 3
    assert select_diverse([], 3, "en") == []


def test_pool_scores_like_the_set_it_would_grow() -> None:
    pool = Pool(["a b c", "a b d", "x y z"], "en")
    state = DiverseSet("en")
    first = pool.best(state)
    assert first == 0
    state.add(pool.grams[0])
    assert pool.best(state) == 2  # all new beats half new
    state.add(pool.grams[2])
    assert state.ratio() == 1.0 and pool.best(state, allowed=lambda i: False) is None
