"""The recommendation protocol of evals/recsys_search.py on a small made-up shop: validation before
test, the search's bookkeeping, the chosen constants used for the test period."""

from __future__ import annotations

import numpy as np
import pytest

from engine import recsys
from evals import recsys_search as rs


@pytest.fixture(scope="module")
def shop() -> tuple[recsys.History, dict[int, int]]:
    """80 customers buying baskets of 3 from one of 4 groups of 10 products, July to November 2011."""
    rng = np.random.default_rng(7)
    first = rs.day("2011-07-01")
    customer, product, order, day = [], [], [], []
    for o in range(1500):
        c = int(rng.integers(1, 81))
        group = c % 4 if rng.random() < 0.8 else int(rng.integers(4))
        items = 10 * group + rng.choice(10, 3, replace=False)
        customer += [c] * 3
        product += items.tolist()
        order += [o] * 3
        day += [first + int(rng.integers(150))] * 3
    h = recsys.History(
        np.array(customer), np.array(product), np.array(order), np.array(day), np.ones(len(day)), n_items=40
    )
    return h, {c: c % 2 for c in range(1, 81)}


GRID = {"c": (0.1, 1.0, 10.0), "label_days": (20, 30)}


def test_search_then_test_once(shop: tuple[recsys.History, dict[int, int]]) -> None:
    h, country_of = shop
    steps: list[str] = []
    res = rs.judge(h, country_of, grid=GRID, progress=steps.append)
    trail = res["trail"]
    assert len(trail) == 1 + 2 + 1 == sum(s.startswith("validation ") and "/4:" in s for s in steps)
    assert trail[0].changed == "" and (trail[0].tuning.c, trail[0].tuning.label_days) == (1.0, 30)  # the middle
    assert [s.changed for s in trail[1:]] == ["c", "c", "label_days"]
    best = max(s.ndcg for s in trail)
    assert [s.ndcg for s in trail if s.tuning == res["tuning"]] == [best]
    assert res["scores"]["validation"]["pipeline"]["ndcg@20"] == best
    assert steps[-1].startswith("test:") and set(res["scores"]["test"]) == {"popularity", "item2item", "pipeline"}
    # the test figure is the chosen constants', refitted on everything before the test period
    again = rs.judge(h, country_of, tuning=res["tuning"])
    assert again["trail"] == [] and again["scores"]["test"] == res["scores"]["test"]


def test_validation_reads_nothing_after_september(shop: tuple[recsys.History, dict[int, int]]) -> None:
    h, _ = shop
    val = rs.period(h, rs.day(rs.VALIDATION_START), rs.day(rs.TEST_START))
    assert val.train.day.max() < rs.day(rs.VALIDATION_START)
    october = h.subset((h.day >= rs.day("2011-10-01")) & (h.day < rs.day("2011-11-01")))
    assert set(val.users.tolist()) <= set(october.customer.tolist())
    for u, own, rel in zip(val.users.tolist(), val.owned, val.relevant, strict=True):
        assert not rel & set(own.tolist())
        assert rel <= set(october.product[october.customer == u].tolist())


def test_search_rejects_an_unknown_constant(shop: tuple[recsys.History, dict[int, int]]) -> None:
    h, country_of = shop
    with pytest.raises(ValueError, match="no such constant"):
        rs.search(rs.Pipeline(rs.period(h, rs.day("2011-10-01"), rs.day("2011-11-01")), country_of), grid={"k": (1,)})
