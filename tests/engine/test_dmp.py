"""Look-alike numerics (engine/lookalike.py) and rule masks (dmp/rules.py) on tiny handwritten
fixtures."""

from __future__ import annotations

from datetime import date

import numpy as np
import pytest

from dmp import DmpError
from dmp.rules import Rules, evaluate
from dmp.table import CustomerTable
from engine import EngineError
from engine.lookalike import nearest_to_seed, product_mix, seed_distance, standardise


def test_standardise_gives_z_scores_and_zero_for_a_constant_column() -> None:
    z = standardise(np.array([[1.0, 5.0], [3.0, 5.0]]))
    assert z.tolist() == [[-1.0, 0.0], [1.0, 0.0]]
    with pytest.raises(EngineError, match="NaN or infinite"):
        standardise(np.array([[np.nan]]))


def test_seed_distance_is_the_mean_over_the_nearest_seed_rows() -> None:
    z = np.array([[0.0], [1.0], [10.0], [4.0]])
    seed = np.array([True, True, True, False])
    # row 3 (at 4): nearest two seed rows are at 1 and 0 -> (3 + 4) / 2
    assert seed_distance(z, seed, k=2)[3] == pytest.approx(3.5)
    assert seed_distance(z, seed, k=1)[3] == pytest.approx(3.0)
    assert seed_distance(z, seed, k=1)[0] == 0.0  # a seed row is at 0 from itself
    with pytest.raises(EngineError, match="seed is empty"):
        seed_distance(z, np.zeros(4, dtype=bool))


def test_nearest_to_seed_excludes_the_seed_and_the_ineligible_nearest_first() -> None:
    z = np.array([[0.0, 0.0], [0.1, 0.0], [5.0, 5.0], [0.5, 0.5], [9.0, 9.0]])
    seed = np.array([True, False, False, False, False])
    rows, dist = nearest_to_seed(z, seed, 3)
    assert rows.tolist() == [1, 3, 2] and np.all(np.diff(dist) >= 0)
    rows, _ = nearest_to_seed(z, seed, 3, eligible=np.array([True, False, True, True, True]))
    assert rows.tolist() == [3, 2, 4]
    rows, _ = nearest_to_seed(z, seed, 10)
    assert sorted(rows.tolist()) == [1, 2, 3, 4]  # everyone outside the seed, no more


def test_the_block_size_does_not_change_the_distances(monkeypatch: pytest.MonkeyPatch) -> None:
    from engine import lookalike

    rng = np.random.default_rng(0)
    z = rng.normal(size=(50, 3))
    seed = rng.random(50) < 0.3
    whole = seed_distance(z, seed)
    monkeypatch.setattr(lookalike, "BLOCK_CELLS", 7)
    assert seed_distance(z, seed) == pytest.approx(whole)


def test_product_mix_puts_like_baskets_together() -> None:
    # customers 0 and 1 buy products 0-2, customers 2 and 3 buy products 3-5, customer 4 both kinds
    rows = np.array([0, 0, 0, 1, 1, 2, 2, 2, 3, 3, 4, 4])
    cols = np.array([0, 1, 2, 0, 1, 3, 4, 5, 4, 5, 0, 5])
    mix = product_mix(rows, cols, 5, 6, dims=2)
    assert mix.shape == (5, 2)
    d = np.linalg.norm(mix[:, None, :] - mix[None, :, :], axis=2)
    assert d[0, 1] < d[0, 2] and d[2, 3] < d[2, 0]
    assert product_mix(rows, cols, 5, 6, dims=2) == pytest.approx(mix)  # deterministic
    assert product_mix(np.array([0]), np.array([0]), 1, 1).shape == (1, 0)  # too small for any dimension


def _table() -> CustomerTable:
    day = lambda s: int(np.datetime64(s, "D").astype(np.int64))  # noqa: E731
    return CustomerTable(
        customer=np.array([1, 2, 3, 4]),
        segment=np.array(["champions", "at_risk", "at_risk", "new"]),
        lapsing=np.array([False, True, True, False]),
        clv=np.array([500.0, 120.0, 30.0, 80.0]),
        country=np.array(["France", "France", "Germany", "EIRE"], dtype=object),
        last_day=np.array([day("2011-12-01"), day("2011-03-01"), day("2011-05-01"), day("2011-11-20")]),
        recency=np.array([8, 283, 222, 19]),
        frequency=np.array([12, 5, 4, 1]),
        monetary=np.array([3000.0, 800.0, 400.0, 50.0]),
        bought_rows=np.array([0, 0, 1, 2, 3]),
        bought_products=np.array([7, 9, 9, 8, 7]),
    )


def test_each_rule_is_a_mask_and_rules_combine() -> None:
    t = _table()

    def ids(**kw: object) -> list[int]:
        return t.customer[evaluate(t, Rules(**kw))].tolist()  # type: ignore[arg-type]

    assert ids(segment="at_risk") == [2, 3]
    assert ids(lapsing=False) == [1, 4]
    assert ids(min_clv=100.0) == [1, 2] and ids(max_clv=80.0) == [3, 4]
    assert ids(countries=("France", "EIRE")) == [1, 2, 4]
    assert ids(ordered_after=date(2011, 11, 20)) == [1, 4] and ids(ordered_before=date(2011, 3, 1)) == [2]
    assert ids(bought_products=(9,)) == [1, 2] and ids(bought_products=(7, 8)) == [1, 3, 4]
    assert ids(countries=("France",), lapsing=True, min_clv=100.0) == [2]
    with pytest.raises(DmpError, match="no e-mail uplift score"):
        ids(min_uplift=0.01)
    scored = CustomerTable(**{**t.__dict__, "uplift": np.array([0.02, -0.01, 0.0, 0.05])})
    assert scored.customer[evaluate(scored, Rules(min_uplift=0.01))].tolist() == [1, 4]


def test_rules_round_trip_through_json() -> None:
    r = Rules(segment="loyal", countries=("France",), ordered_after=date(2011, 1, 2), bought_products=(3,))
    assert Rules.from_json(r.to_json()) == r
    assert r.to_json() == {
        "segment": "loyal",
        "countries": ["France"],
        "ordered_after": "2011-01-02",
        "bought_products": [3],
    }
    with pytest.raises(DmpError, match="does not know: colour"):
        Rules.from_json({"colour": "red"})
    with pytest.raises(DmpError, match="sorted and unique"):
        CustomerTable(**{**_table().__dict__, "customer": np.array([2, 1, 3, 4])})
