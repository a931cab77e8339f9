"""The bidder's lookup (dmp/lookup.py) and its speed check (`copilot bench --only dmp.lookup`)."""

from __future__ import annotations

import numpy as np
import pytest

from dmp import DmpError
from dmp.lookup import BITMAP_MAX_ID, AudienceLookup
from evals import bench
from evals.dmp_speed import lookup_benchmark


def test_single_and_batch_lookups_agree_with_and_without_the_bitmap() -> None:
    big = np.array([3, BITMAP_MAX_ID + 5, 2**40])
    lookup = AudienceLookup({"small": np.array([5, 1, 3]), "big": big, "empty": np.array([], dtype=np.int64)})
    asked = np.array([0, 1, 2, 3, 5, 6, -1, BITMAP_MAX_ID + 5, 2**40, 2**41])
    for name in ("small", "big", "empty"):
        one = [lookup.contains(name, int(c)) for c in asked]
        assert lookup.contains_many(name, asked).tolist() == one, name
    assert (lookup.size("small"), lookup.size("big"), lookup.size("empty")) == (3, 3, 0)
    assert lookup.audiences_of(3) == ["small", "big"] and lookup.members_of("small") == {1, 3, 5}
    with pytest.raises(DmpError, match="the lookup holds no audience 'x'; it holds big, empty, small"):
        lookup.contains("x", 1)


def test_the_speed_check_needs_no_data_and_gives_the_sql_answers() -> None:
    assert "dmp.lookup" in bench.NO_DATA
    r = lookup_benchmark(members=2_000, id_space=20_000, lookups=5_000, sql_lookups=200)
    assert r["same_answers"] and r["opted_out"] == 20 and r["ours_ns"] > 0 and r["speedup_vs_sql"] > 1
