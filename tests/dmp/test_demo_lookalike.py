"""Look-alikes on the demo shop: a seed of half a country's customers finds more of the other half
than chance, though country is not one of the features (the product mix carries it)."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from copilot.app import Copilot
from copilot.settings import Settings
from engine.lookalike import nearest_to_seed
from tools.audiences import _features, customer_table


def test_a_lookalike_of_half_a_country_finds_the_other_half_more_than_chance(demo_home: Path) -> None:
    cp = Copilot(Settings(home=demo_home))
    try:
        t = customer_table(cp.shop)
        z = _features(cp.shop)
    finally:
        cp.close()
    found = expected = behaviour_only = 0.0
    for country in ("Germany", "France", "Spain"):
        rows = np.flatnonzero(t.country == country)
        seed_rows = np.random.default_rng(0).choice(rows, rows.size // 2, replace=False)
        rest = np.setdiff1d(rows, seed_rows)
        seed = np.zeros(t.customer.size, dtype=bool)
        seed[seed_rows] = True
        chosen, dist = nearest_to_seed(z, seed, 100)
        assert not seed[chosen].any() and np.all(np.diff(dist) >= 0)
        found += np.isin(chosen, rest).sum()
        behaviour_only += np.isin(nearest_to_seed(z[:, :4], seed, 100)[0], rest).sum()
        expected += 100 * rest.size / (t.customer.size - seed_rows.size)
    assert found >= 2 * expected, (found, expected)  # about 11 against 2.4 by chance
    assert found > behaviour_only  # the product mix is what finds them
