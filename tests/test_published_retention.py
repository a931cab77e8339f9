"""Fader and Hardie (2007): the shifted-beta-geometric fits of their two cohorts (needs ../shared/data).
The check is the one `copilot bench --only retention` runs."""

import pytest

from engine import retention
from evals import bench
from store import reference
from tests.conftest import shared_data


def test_reproduces_the_published_fits():
    res = bench.CHECKS["retention.sbg"](shared_data(), True)
    assert res["ok"], (res["ours"], res["published"])
    assert bench.NEEDS["retention.sbg"] == ("retention",)


def test_the_reader_gives_each_cohorts_survivors_by_year():
    cohorts = reference.retention_survivors(shared_data())
    assert sorted(cohorts) == ["highend", "regular"]
    assert cohorts["regular"].tolist() == [1000, 631, 468, 382, 326, 289, 262, 241]
    assert cohorts["highend"][0] == 1000 and cohorts["highend"][-1] == 491


def test_the_fits_to_three_decimals():
    cohorts = reference.retention_survivors(shared_data())
    regular, highend = (retention.fit_sbg(cohorts[c]) for c in ("regular", "highend"))
    assert (regular.alpha, regular.beta) == pytest.approx((0.704, 1.182), abs=5e-4)
    assert (highend.alpha, highend.beta) == pytest.approx((0.668, 3.806), abs=5e-4)
