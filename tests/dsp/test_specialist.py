"""A conversation with the bidding specialist (the offline model) changes a DSP campaign's targeting,
and a running bidder (`copilot dsp serve`, its own process on the same database) follows once the
change is approved, not before; the specialist reads the bidder's own stats back."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from copilot.app import Copilot
from copilot.settings import Settings
from store import dsp as ledger
from store.db import make_engine, make_sessionmaker
from store.shop import load_demo_shop
from tests.serving import dsp_serving
from tools import Shop


def bid_request(region: str, domain: str = "news.example.com") -> dict[str, Any]:
    return {
        "id": f"{region}-{time.monotonic_ns()}",
        "imp": [{"id": "1", "banner": {"w": 300, "h": 250}}],
        "site": {"domain": domain},
        "device": {"geo": {"region": region}},
        "tmax": 10_000,
    }


@pytest.fixture
def bidder(tmp_path: Path, tiny_csv: Path) -> Iterator[tuple[Path, str]]:
    """A home holding the tiny shop and DSP campaign 1 (spring: Beijing only), and a bidder serving it."""
    home = tmp_path / "home"
    home.mkdir()
    engine = make_engine(f"sqlite:///{home / 'shop.db'}")
    sessions = make_sessionmaker(engine)
    shop = Shop(sessions, home / "chroma")
    load_demo_shop(shop.sessions, shop.chroma, path=tiny_csv)
    cid = ledger.add_campaign(
        sessions, name="spring", daily_budget=50, max_bid=3, strategy="fixed", targeting={"regions": ["beijing"]}
    )
    ledger.add_creative(sessions, cid, crid="c1", w=300, h=250, adm="<img>")
    engine.dispose()
    with dsp_serving(home) as (_proc, url):
        yield home, url


def status(url: str, region: str, domain: str = "news.example.com") -> int:
    return httpx.post(f"{url}/openrtb2/bid", json=bid_request(region, domain), timeout=10).status_code


def until(check: Any, seconds: float) -> float:
    """Seconds until `check()` holds (AssertionError after `seconds`: a bound on a stuck bidder, not a
    timing; the time it took is printed)."""
    t0 = time.monotonic()
    while not check():
        assert time.monotonic() - t0 < seconds, f"not within {seconds} s"
        time.sleep(0.05)
    return time.monotonic() - t0


def test_the_specialist_changes_targeting_and_the_bidder_follows(bidder: tuple[Path, str]) -> None:
    home, url = bidder
    assert (status(url, "beijing"), status(url, "shanghai")) == (200, 204)
    cp = Copilot(Settings(home=home))
    try:
        asked = cp.ask("only bid in beijing and shanghai on the spring DSP campaign")
        [call] = asked["tool_calls"]
        assert (call["name"], call["status"]) == ("set_dsp_targeting", "pending")
        assert "regions from beijing to beijing, shanghai" in asked["answer"]
        time.sleep(1.5)  # two refreshes: a change waiting for approval is not one the bidder follows
        assert status(url, "shanghai") == 204
        done = cp.ask("yes", thread_id=asked["thread_id"])
        assert "Done: the targeting of DSP campaign 1 (spring)" in done["answer"], done["answer"]
        followed = until(lambda: status(url, "shanghai") == 200, 60)
        print(f"the bidder followed the approved change in {followed:.2f} s")

        zh = cp.ask("DSP活动spring屏蔽 news.example.com")
        assert zh["pending_approval"] is not None and "域名黑名单" in zh["answer"]
        cp.ask("好的", thread_id=zh["thread_id"])
        until(lambda: status(url, "beijing", "news.example.com") == 204, 60)
        assert status(url, "beijing", "shop.example.org") == 200

        def counted() -> bool:
            r = cp.ask("how is the DSP doing over the last hour?")
            [c] = r["tool_calls"]
            assert c["name"] == "dsp_stats" and c["args"] == {"since_hours": 1.0}
            # the requests the campaign was eligible for: the first Beijing one, the Shanghai one that
            # got a bid once approved, and the last (the polls before a change took are timing)
            return bool(c["result"]["total"]["requests"] >= 3)

        until(counted, 120)  # the bidder writes its per-minute counts at each refresh
        last = cp.ask("DSP今天跑得怎么样")
        assert "胜率" in last["answer"] and "域名黑名单 news.example.com" in last["answer"]
    finally:
        cp.close()
