"""The web_sessions figures (UCI Online Shoppers, needs ../shared/data): the class balance the data's
authors publish, conversion by traffic type, the intent model against PageValues alone; and the
project's copy of the set is the same file as the shared one."""

import hashlib
import lzma

from evals import bench
from store import reference
from tests.conftest import shared_data
from tools import TOOLS


def test_the_vendored_copy_is_the_shared_file():
    shared = shared_data() / reference.SETS["web_sessions"].files[0]
    with lzma.open(reference.VENDORED_WEB_SESSIONS) as fh:
        ours = hashlib.sha256(fh.read()).hexdigest()
    assert ours == hashlib.sha256(shared.read_bytes()).hexdigest()


def test_class_balance():
    res = bench.CHECKS["sessions.balance"](shared_data(), True)
    assert res["ok"], res["ours"]
    assert (res["ours"]["no_purchase"], res["ours"]["purchase"]) == (10422, 1908)


def test_conversion_by_traffic_type():
    res = bench.CHECKS["sessions.conversion"](shared_data(), True)
    assert res["ok"], res["ours"]
    assert res["ours"]["traffic_type 2"] == "21.65% (20.38-22.96), 847 of 3913"


def test_intent_model_beats_page_values_alone_and_the_tool_says_the_same(tiny_shop):  # type: ignore[no-untyped-def]
    res = bench.CHECKS["sessions.intent"](shared_data(), True)
    ours = res["ours"]
    assert res["ok"] and ours["auc"] > ours["baseline_auc"], ours
    assert ours["top10_lift"] > ours["baseline_top10_lift"] > 1, ours
    assert (ours["test_sessions"], ours["test_purchases"]) == (3699, 586)
    spec = TOOLS["purchase_intent"]
    with tiny_shop.sessions() as s:
        tool = spec.fn(tiny_shop, s, spec.args())
    assert (tool["auc"], tool["baseline_auc"], tool["lift"]) == (ours["auc"], ours["baseline_auc"], ours["top10_lift"])
