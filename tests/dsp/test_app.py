"""The bidder over HTTP: bid responses with their notice URLs, 204 when nothing is eligible, one JSON
error for bad input, and notices that charge the clearing price once."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from dsp.app import MAX_BODY_BYTES, create_app
from store import dsp as ledger
from store.db import make_engine, make_sessionmaker

BANNER = {"w": 300, "h": 250}


def request(rid: str = "r1", **over: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "id": rid,
        "imp": [{"id": "1", "banner": BANNER, "bidfloor": 0.5, "tagid": "slot-9"}],
        "site": {"domain": "news.example.com", "unknown_field": [1, 2]},
        "device": {"ua": "Mozilla/5.0", "geo": {"region": "beijing", "city": "beijing"}},
        "user": {"id": "17850"},
        "at": 2,
        "tmax": 10_000,  # a busy test machine: "within tmax or not at all" must not bite here
        "future_field": {"x": 1},
    }
    body.update(over)
    return body


@pytest.fixture
def db(tmp_path: Path) -> Any:
    engine = make_engine(f"sqlite:///{tmp_path / 'dsp.db'}")
    sessions = make_sessionmaker(engine)
    cid = ledger.add_campaign(
        sessions,
        name="spring",
        daily_budget=10.0,
        max_bid=4.0,
        strategy="fixed",
        pacing=False,
        targeting={"regions": ["beijing"], "domains_block": ["bad.example"], "sizes": ["300x250"]},
    )
    ledger.add_creative(
        sessions,
        cid,
        crid="c-300",
        w=300,
        h=250,
        adm='<a href="{CLICK_URL}">buy</a>',
        adomain="shop.example",
        click_url="https://shop.example/spring",
    )
    yield {"url": f"sqlite:///{tmp_path / 'dsp.db'}", "sessions": sessions, "campaign": cid}
    engine.dispose()


@pytest.fixture
def client(db: Any) -> Iterator[TestClient]:
    with TestClient(create_app(db["url"], refresh=False)) as c:
        yield c


def _path(url: str) -> str:
    return url.split("testserver", 1)[1]


def test_a_bid_carries_price_creative_and_notice_urls(client: TestClient) -> None:
    r = client.post("/openrtb2/bid", json=request())
    assert r.status_code == 200, r.text
    bid = r.json()["seatbid"][0]["bid"][0]
    assert bid["impid"] == "1" and bid["price"] == 4.0 and bid["crid"] == "c-300"
    assert "/openrtb2/click?t=" in bid["adm"]
    assert bid["nurl"].endswith("price=${AUCTION_PRICE}") and bid["burl"].endswith("price=${AUCTION_PRICE}")
    assert "${AUCTION_LOSS}" in bid["lurl"]
    assert r.headers["x-openrtb-version"] == "2.6"


def test_nothing_eligible_is_204(client: TestClient) -> None:
    other_region = request(device={"geo": {"region": "shanghai"}})
    blocked_site = request(site={"domain": "www.bad.example"})
    wrong_size = request(imp=[{"id": "1", "banner": {"w": 728, "h": 90}}])
    high_floor = request(imp=[{"id": "1", "banner": BANNER, "bidfloor": 5.0}])
    blocked_adv = request(badv=["shop.example"])
    for body in (other_region, blocked_site, wrong_size, high_floor, blocked_adv):
        r = client.post("/openrtb2/bid", json=body)
        assert r.status_code == 204 and r.content == b"", body


@pytest.mark.parametrize(
    ("body", "says"),
    [
        (b"{not json", "not valid JSON"),
        (b"[1, 2]", "a JSON object"),
        (b'{"id": "x"}', "imp: is required"),
        (b'{"id": "x", "imp": []}', "imp"),
        (b'{"id": "x", "imp": [{"id": "1", "bidfloor": -1}]}', "imp.0.bidfloor"),
    ],
)
def test_malformed_requests_are_400_with_one_error(client: TestClient, body: bytes, says: str) -> None:
    r = client.post("/openrtb2/bid", content=body, headers={"content-type": "application/json"})
    assert r.status_code == 400 and list(r.json()) == ["error"] and says in r.json()["error"], r.text
    assert "\n" not in r.json()["error"]


def test_a_body_over_1_mb_is_413(client: TestClient) -> None:
    r = client.post("/openrtb2/bid", content=b" " * (MAX_BODY_BYTES + 1), headers={"content-type": "application/json"})
    assert r.status_code == 413 and "error" in r.json()


def test_a_win_charges_the_clearing_price_once(client: TestClient, db: Any) -> None:
    bid = client.post("/openrtb2/bid", json=request()).json()["seatbid"][0]["bid"][0]
    win = _path(bid["nurl"]).replace("${AUCTION_PRICE}", "2.5")
    first = client.get(win)
    assert first.status_code == 200 and first.json()["charged"] is True
    again = client.get(win)
    assert again.status_code == 409 and "already charged" in again.json()["error"]
    billing = client.get(_path(bid["burl"]).replace("${AUCTION_PRICE}", "2.5"))
    assert billing.status_code == 200 and billing.json()["charged"] is False  # the win charged it
    assert client.get(_path(bid["burl"]).replace("${AUCTION_PRICE}", "2.5")).status_code == 409
    t = ledger.totals(db["sessions"], db["campaign"])
    assert t["impressions"] == 1 and t["spent_micros"] == 2500 == t["budget_spent_micros"]
    click = client.get(bid["adm"].split('"')[1].split("testserver", 1)[1], follow_redirects=False)
    assert click.status_code == 302 and click.headers["location"] == "https://shop.example/spring"
    assert client.get(bid["adm"].split('"')[1].split("testserver", 1)[1]).status_code == 409
    assert ledger.totals(db["sessions"], db["campaign"])["clicks"] == 1


def test_bad_notices_are_refused_and_charge_nothing(client: TestClient, db: Any) -> None:
    bid = client.post("/openrtb2/bid", json=request()).json()["seatbid"][0]["bid"][0]
    token = bid["nurl"].split("t=", 1)[1].split("&", 1)[0]
    forged = token[:-4] + ("0000" if not token.endswith("0000") else "1111")
    assert client.get(f"/openrtb2/win?t={forged}&price=1").status_code == 404
    assert client.get("/openrtb2/win?price=1").status_code == 400
    unsubstituted = client.get(_path(bid["nurl"]))
    assert unsubstituted.status_code == 400 and "AUCTION_PRICE" in unsubstituted.json()["error"]
    above_bid = client.get(_path(bid["nurl"]).replace("${AUCTION_PRICE}", "9"))
    assert above_bid.status_code == 400
    assert client.get(f"/openrtb2/click?t={token}").status_code == 404  # no impression was charged
    assert ledger.totals(db["sessions"], db["campaign"])["spent_micros"] == 0
    loss = client.get(_path(bid["lurl"]).replace("${AUCTION_LOSS}", "102"))
    assert loss.status_code == 200 and loss.json()["released"] is True


def test_audiences_by_user_id_and_a_change_followed_within_a_second(db: Any) -> None:
    """A customer list as the audience: its members get bids, others none; a targeting change
    written to the database is followed by the running bidder within a second."""
    import time

    from store.db import Audience, AudienceMember

    with db["sessions"].begin() as s:
        aud = Audience(name="vip", kind="list", definition={}, size=1)
        s.add(aud)
        s.flush()
        s.add(AudienceMember(audience_id=aud.id, customer_id=17850))
        aid = aud.id
    ledger.update_campaign(db["sessions"], db["campaign"], targeting={"audiences": [aid]})
    with TestClient(create_app(db["url"])) as c:
        assert c.post("/openrtb2/bid", json=request()).status_code == 200
        assert c.post("/openrtb2/bid", json=request(user={"id": "12347"})).status_code == 204
        assert c.post("/openrtb2/bid", json=request(user=None)).status_code == 204
        ledger.update_campaign(db["sessions"], db["campaign"], status="paused")
        time.sleep(1.0)
        assert c.post("/openrtb2/bid", json=request("r2")).status_code == 204


def test_stats_per_campaign_from_the_bidders_minutes(db: Any, tmp_path: Path) -> None:
    """`copilot dsp stats`: spend, win rate, CPM, eCPC and pace from the per-minute counts (the
    bidder writes its request and bid counts at each refresh and when it stops)."""
    import json
    import os
    import subprocess
    import sys

    with TestClient(create_app(db["url"], refresh=False)) as c:
        bid = c.post("/openrtb2/bid", json=request()).json()["seatbid"][0]["bid"][0]
        assert c.get(_path(bid["nurl"]).replace("${AUCTION_PRICE}", "2.5")).status_code == 200
        assert c.get(bid["adm"].split('"')[1].split("testserver", 1)[1], follow_redirects=False).status_code == 302
        assert c.post("/openrtb2/bid", json=request("r2", device={"geo": {"region": "shanghai"}})).status_code == 204
    env = {**os.environ, "COPILOT_HOME": str(tmp_path / "home"), "COPILOT_DATABASE_URL": db["url"]}
    p = subprocess.run(
        [sys.executable, "-m", "channels.cli", "dsp", "stats", "--since", "1h", "--json"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        cwd=Path(__file__).resolve().parents[2],
    )
    assert p.returncode == 0, p.stderr
    (row,) = [json.loads(line) for line in p.stdout.splitlines()]
    assert row["name"] == "spring" and row["requests"] == 1 and row["bids"] == row["wins"] == row["clicks"] == 1
    assert row["spend"] == pytest.approx(0.0025) and row["cpm"] == pytest.approx(2.5)
    assert row["win_rate"] == 1.0 and row["ecpc"] == pytest.approx(0.0025) and row["daily_budget"] == 10.0
    assert len(row["minutes"]) in (1, 2) and row["spent_today"] == pytest.approx(0.0025)


def test_campaigns_and_creatives_from_the_command_line(tmp_path: Path) -> None:
    import os
    import subprocess
    import sys

    url = f"sqlite:///{tmp_path / 'cli.db'}"
    env = {**os.environ, "COPILOT_HOME": str(tmp_path / "home"), "COPILOT_DATABASE_URL": url}

    def cli(*args: str) -> subprocess.CompletedProcess[str]:
        cmd = [sys.executable, "-m", "channels.cli", "dsp", "campaign", *args]
        return subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=120, cwd=Path(__file__).parents[2])

    made = cli("add", "spring", "--daily-budget", "50", "--max-bid", "3", "--targeting", '{"regions": ["beijing"]}')
    assert made.returncode == 0 and "DSP campaign 1 (spring) added" in made.stdout, made.stderr
    ad = cli("creative", "1", "--crid", "c1", "--size", "300x250", "--adm", '<a href="{CLICK_URL}">x</a>')
    assert ad.returncode == 0, ad.stderr
    bad = cli("add", "autumn", "--daily-budget", "5", "--max-bid", "1", "--targeting", '{"hours": [25]}')
    assert bad.returncode == 1 and bad.stderr.strip() == "error: --targeting hours: hours are 0 to 23, not 25"
    assert cli("add", "spring", "--daily-budget", "5", "--max-bid", "1").returncode == 1  # the name is taken
    with TestClient(create_app(url, refresh=False)) as c:
        r = c.post("/openrtb2/bid", json=request())
        assert r.status_code == 200 and r.json()["seatbid"][0]["bid"][0]["price"] == 3.0


def test_a_notice_after_the_period_changed_still_charges_and_a_late_request_still_bids(db: Any) -> None:
    """On the replay's clock a concurrent exchange may send a period's last win notice after the
    next period's first request, and a request of the period before after it: the reservation the
    bid came from stays open until its notices are in, and the late request is bid in the period at
    hand."""
    ledger.update_campaign(db["sessions"], db["campaign"], params={"period_auctions": 10})
    with TestClient(create_app(db["url"], clock="replay", refresh=False)) as c:

        def bid(tick: int) -> dict[str, Any]:
            r = c.post("/openrtb2/bid", json=request(f"a{tick}", ext={"replay_tick": tick}))
            assert r.status_code == 200, r.text
            return dict(r.json()["seatbid"][0]["bid"][0])

        last = bid(9)  # period 0
        bid(10)  # period 1: period 0's reservation still holds the bid above
        win = c.get(_path(last["nurl"]).replace("${AUCTION_PRICE}", "1.5"))
        assert win.status_code == 200 and win.json()["charged"] is True, win.text
        late = bid(8)  # period 0's, arriving late
        assert c.get(_path(late["lurl"]).replace("${AUCTION_LOSS}", "102")).json()["released"] is True
    t = ledger.totals(db["sessions"], db["campaign"])
    assert t["impressions"] == 1 and t["spent_micros"] == 1500 == t["budget_spent_micros"]
