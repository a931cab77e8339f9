"""The series tools carry the one shape a channel draws (tools/series.py), figures from the result."""

import itertools
import math

import pytest

from copilot.attachments import check_series
from tests.tools.test_tools import call
from tools.series import make_series


def test_seasonality_series_is_the_monthly_index(tiny_shop):
    r = call(tiny_shop, "sales_seasonality")
    s = check_series(r["series"])
    assert s is not None and s["x"] == [m["month"] for m in r["by_month"]]
    assert s["lines"]["sales index"] == [m["index"] for m in r["by_month"]]
    assert set(s["lines"]["average day"]) == {1.0}


def test_pacing_series_is_spend_over_the_day_against_the_budget(tiny_shop):
    r = call(tiny_shop, "campaign_pacing", campaign_id=1)
    s = check_series(r["series"])
    assert s is not None and len(s["x"]) == 24 and s["x"][0] == "01:00" and s["x"][-1] == "24:00"
    spent, projected = s["lines"]["spent"], s["lines"]["projected"]
    hours = r["hours_reported"]
    assert spent[hours - 1] == pytest.approx(r["spent"], abs=0.01) and spent[hours] is None
    assert projected[hours - 1] == spent[hours - 1] and projected[: hours - 1] == [None] * (hours - 1)
    assert projected[-1] == pytest.approx(r["projected_spend"], abs=0.01)
    assert set(s["lines"]["daily budget"]) == {r["daily_budget"]}
    assert s["lines"]["even pace"][-1] == pytest.approx(r["daily_budget"])
    assert all(a <= b for a, b in itertools.pairwise(spent[:hours]))  # cumulative


def test_metrics_series_is_spend_and_revenue_per_day(tiny_shop):
    r = call(tiny_shop, "campaign_metrics", campaign_id=2, period="last_14_days")
    s = check_series(r["series"])
    assert s is not None and len(s["x"]) == 14 and s["x"][0] == r["period"]["start"]
    assert sum(s["lines"]["spend"]) == pytest.approx(r["spend"], abs=0.05)
    assert sum(s["lines"]["revenue"]) == pytest.approx(r["revenue"], abs=0.05)
    assert "series" not in call(tiny_shop, "campaign_metrics", campaign_id=2, period="yesterday")  # one day


def test_make_series_checks_lengths_and_makes_non_finite_values_gaps():
    s = make_series(title="t", x_label="x", y_label="y (£)", x=["a", "b"], lines={"l": [1.234, math.nan]})
    assert s["lines"]["l"] == [1.23, None] and check_series(s) is s
    with pytest.raises(ValueError, match="2 x labels"):
        make_series(title="t", x_label="x", y_label="y", x=["a", "b"], lines={"l": [1.0]})
