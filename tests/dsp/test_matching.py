"""Ad matching: the hashed-feature ranker on the iPinYou 2997 request fields, its AUC on the test
split against a logistic regression on the same features and a constant, and the bidder choosing
the creative of the best pCTR for a request that carries none."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from dsp import matching
from dsp.app import create_app
from store import dsp as ledger
from store import reference
from store.db import make_engine, make_sessionmaker
from tests.conftest import shared_data


@pytest.fixture(scope="module")
def rows() -> list[dict[str, str]]:
    return reference.rtb_requests(shared_data())


@pytest.mark.shared
def test_the_ranker_beats_a_constant_and_matches_logistic_regression(rows: list[dict[str, str]]) -> None:
    res = matching.evaluate(rows)
    assert res["train"] > 20_000 and res["test"] > 20_000 and res["test_clicks"] >= 30
    assert res["auc_constant"] == 0.5
    assert res["auc_ranker"] > 0.55 and res["auc_ranker"] >= res["auc_logistic"] - 0.01, res


@pytest.mark.shared
def test_the_bidder_matches_the_creative_of_the_best_pctr(rows: list[dict[str, str]], tmp_path: Path) -> None:
    matcher = matching.Matcher.train(rows)
    url = f"sqlite:///{tmp_path / 'dsp.db'}"
    engine = make_engine(url)
    sessions = make_sessionmaker(engine)
    cid = ledger.add_campaign(
        sessions, name="m", daily_budget=100.0, max_bid=300.0, strategy="lin", params={"mean_ctr": 0.001, "b0": 10}
    )
    for w, h in ((300, 250), (728, 90), (160, 600)):
        ledger.add_creative(sessions, cid, crid=f"c{w}x{h}", w=w, h=h, adm="<img>")
    body = {
        "id": "q",
        "imp": [
            {
                "id": "1",
                "tagid": "mm_10982364_973726_8930541",
                "banner": {"format": [{"w": 300, "h": 250}, {"w": 728, "h": 90}, {"w": 160, "h": 600}]},
            }
        ],
        "site": {"domain": "trqRTuT-GNTYJNKbuKz"},
        "device": {"ua": "windows_ie", "geo": {"region": "1", "city": "1"}},
        "tmax": 10_000,
    }
    from datetime import UTC, datetime

    with TestClient(create_app(url, refresh=False, matcher=matcher)) as c:
        now = datetime.now(UTC)
        r = c.post("/openrtb2/bid", json=body)
    assert r.status_code == 200, r.text
    bid = r.json()["seatbid"][0]["bid"][0]
    sizes = ("300x250", "728x90", "160x600")
    fields = [
        [
            "1",
            "1",
            "trqrtut-gntyjnkbukz",
            "mm_10982364_973726_8930541",
            size,
            "",
            "",
            str(now.hour),
            str(now.weekday()),
            "windows_ie",
        ]
        for size in sizes
    ]
    pctr = matcher.pctr(fields)
    best = int(pctr.argmax())
    assert bid["crid"] == f"c{sizes[best]}"  # the creative of the best pCTR ...
    assert bid["price"] == min(int(10 * float(pctr[best]) / 0.001), 300)  # ... bid on by the strategy
    engine.dispose()
