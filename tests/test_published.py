"""Figures held against published ones (needs ../shared/data)."""

from tests.conftest import shared_data
from tools import TOOLS


def test_ipinyou_baselines_reproduce_the_published_clicks(tiny_shop):  # type: ignore[no-untyped-def]
    tiny_shop.data_dir = shared_data()
    spec = TOOLS["replay_bidding"]
    with tiny_shop.sessions() as s:
        mcpc = spec.fn(tiny_shop, s, spec.args(strategy="mcpc"))
        lin = spec.fn(tiny_shop, s, spec.args(strategy="lin", b0=10))
    assert (mcpc["clicks"], mcpc["impressions"], mcpc["cost"]) == (48, 14752, 307751)
    assert (lin["clicks"], lin["impressions"], lin["cost"]) == (71, 32208, 203610)
