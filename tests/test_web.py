"""The web chat (channels/web): its page and files over HTTP, then the page itself in a real browser,
Debian's headless Chromium driven by Playwright, against the app on loopback over the tiny shop. An
approver asks, sees the answer stream in with its tool calls folded, its chart and its list, approves
a change and finds it in the shop and in the decision log; a hostile campaign name stays text; a viewer
gets no Approve button. Screenshots at laptop and phone widths go to artifacts/web/ (or
$COPILOT_ARTIFACTS/web), which git ignores."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NoReturn

import httpx
import pytest
from sqlalchemy import select, update

from channels.api import create_app
from channels.web import CSP
from copilot.settings import Settings
from store.db import Campaign, Feedback, PendingChange, Run, make_engine, make_sessionmaker
from tests.serving import bounded, serving, tiny_home

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = Path(os.environ.get("COPILOT_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
WAIT_MS = 20_000  # the longest any one step of the page may take
TEST_SECONDS = 120
LAPTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}
HOSTILE = '<img src=x onerror="window.pwned=1;alert(1)"><script>window.pwned=2</script>'


@dataclass
class Shop:
    """The app on loopback: its URL, a token per role, its database."""

    url: str
    tokens: dict[str, str]
    sessions: Any

    def client(self, role: str) -> httpx.Client:
        return httpx.Client(base_url=self.url, headers={"Authorization": f"Bearer {self.tokens[role]}"}, timeout=60)

    def bid(self, campaign: int) -> float:
        with self.sessions() as s:
            return float(s.scalar(select(Campaign.bid).where(Campaign.id == campaign)) or 0.0)


@pytest.fixture(scope="module")
def shop(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Shop]:
    home = tmp_path_factory.mktemp("web-home")
    tokens = tiny_home(home)
    engine = make_engine(f"sqlite:///{home / 'shop.db'}")
    try:
        with serving(create_app(Settings(home=home, model="offline"))) as url:
            yield Shop(url, tokens, make_sessionmaker(engine))
    finally:
        engine.dispose()


@pytest.fixture(autouse=True)
def _bounded() -> Iterator[None]:
    with bounded(TEST_SECONDS):
        yield


# -- the page over HTTP -------------------------------------------------------------------------


def test_the_page_needs_no_token_holds_no_inline_script_and_builds_no_html_from_data(shop: Shop) -> None:
    with httpx.Client(base_url=shop.url, timeout=30) as c:
        page = c.get("/")
        js = c.get("/web/app.js")
        css = c.get("/web/style.css")
        missing = [c.get(path).status_code for path in ("/web/index.html", "/web/__init__.py", "/web/..%2Fapi.py")]
        data = c.get("/v1/threads")
    assert page.status_code == js.status_code == css.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    assert js.headers["content-type"].startswith("text/javascript")
    assert css.headers["content-type"].startswith("text/css")
    for r in (page, js, css):
        assert r.headers["content-security-policy"] == CSP and r.headers["x-content-type-options"] == "nosniff"
    assert "script-src 'self'" in CSP and "'unsafe-inline'" not in CSP
    assert missing == [404, 404, 404] and data.status_code == 401  # the page is open, the data is not
    html = page.text
    assert re.findall(r"<script\b[^>]*>", html) == ['<script src="/web/app.js" defer>']
    assert not re.search(r"\son[a-z]+\s*=|\sstyle\s*=", html)  # no inline handler or style
    assert not re.search(r"https?://", html + js.text + css.text)  # nothing from elsewhere
    assert not re.search(r"innerHTML|outerHTML|insertAdjacentHTML|document\.write|\beval\(|new Function", js.text)


# -- the page in a browser ----------------------------------------------------------------------


def _missing(reason: str) -> NoReturn:
    if os.environ.get("COPILOT_REQUIRE_BROWSER") or os.environ.get("CI"):
        pytest.fail(f"CI runs the web chat in a browser: {reason}")
    pytest.skip(f"needs a browser: {reason}")


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """Debian's Chromium, headless, driven by Playwright (whose own browsers are never downloaded)."""
    try:
        from playwright.sync_api import expect, sync_playwright
    except ImportError:
        _missing("playwright is not installed (pip install -e '.[dev]')")
    if not CHROMIUM.exists():
        _missing(f"{CHROMIUM} is missing (apt-get install chromium, or set COPILOT_CHROMIUM)")
    expect.set_options(timeout=WAIT_MS)
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS, timeout=60_000)
        try:
            yield b
        finally:
            b.close()


@dataclass
class Tab:
    """A page of its own browser context, with what it said: dialogs opened, script errors."""

    page: Any
    dialogs: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


@pytest.fixture
def open_tab(browser: Any) -> Iterator[Any]:
    contexts: list[Any] = []

    def open_(locale: str = "en-GB", viewport: dict[str, int] = LAPTOP) -> Tab:
        context = browser.new_context(locale=locale, viewport=viewport, accept_downloads=True)
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(WAIT_MS)
        tab = Tab(page)
        page.on("dialog", lambda d: (tab.dialogs.append(d.message), d.dismiss()))
        page.on("pageerror", lambda e: tab.errors.append(str(e)))
        page.on("console", lambda m: m.type == "error" and tab.errors.append(m.text))
        return tab

    yield open_
    for context in contexts:
        context.close()


def artifacts() -> Path:
    base = Path(os.environ["COPILOT_ARTIFACTS"]) if os.environ.get("COPILOT_ARTIFACTS") else ROOT / "artifacts"
    folder = base / "web"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def sign_in(tab: Tab, shop: Shop, role: str, path: str = "/") -> None:
    from playwright.sync_api import expect

    tab.page.goto(shop.url + path)
    tab.page.fill("#token", shop.tokens[role])
    tab.page.click("#signin-form button[type=submit]")
    expect(tab.page.locator("#who")).to_contain_text(f"{role[0]}-{role}")


def ask(tab: Tab, text: str) -> Any:
    """Send `text` from the composer; the copilot's turn once its answer is in (it has a run)."""
    page = tab.page
    before = page.locator(".turn.bot[data-run]").count()
    with page.expect_response(lambda r: r.url.endswith("/v1/ask")) as asked:
        page.fill("#message", text)
        page.press("#message", "Enter")
    response = asked.value
    assert response.request.headers["accept"] == "text/event-stream"
    assert response.headers["content-type"].startswith("text/event-stream")
    page.locator(".turn.bot[data-run]").nth(before).wait_for()
    return page.locator(".turn.bot[data-run]").nth(before)


# what the page says it is doing, as it says it (a status line set and cleared in one go is still seen)
WATCH_STATUS = """() => {
  window.said = [];
  new MutationObserver((records) => {
    for (const r of records) if (r.target.classList.contains("status")) r.addedNodes.forEach((n) => said.push(n.textContent));
  }).observe(document.getElementById("messages"), { childList: true, subtree: true });
}"""


def test_an_approver_asks_approves_a_change_and_finds_it_in_the_log(shop: Shop, open_tab: Any) -> None:
    from playwright.sync_api import expect

    tab = open_tab()
    page = tab.page
    shots = artifacts()
    sign_in(tab, shop, "approver")
    expect(page.locator("#who")).to_have_text("a-approver · approver")
    page.screenshot(path=shots / "laptop-welcome.png")

    # a report: streamed, its tool call folded, its chart shown, its list downloadable
    page.evaluate(WATCH_STATUS)
    report = ask(tab, "monthly sales report for 2011")
    assert "Calling sales_report…" in page.evaluate("() => window.said")  # told as the call happened
    expect(report.locator(".answer-text")).to_contain_text("By month, revenue against the one before")
    expect(report.locator(".route .chip")).to_have_text(["profiling"])
    group = report.locator("details.call-group")
    expect(group).to_have_js_property("open", False)
    expect(group.locator("> summary")).to_have_text("Tool calls (1)")
    group.locator("> summary").click()
    call = group.locator("details.call")
    expect(call.locator(".tool-name")).to_have_text("sales_report")
    expect(call.locator(".chip.status-ok")).to_be_visible()
    call.locator("> summary").click()
    expect(call.locator("table")).to_contain_text("2011-11")  # the figures, as a table
    chart = report.locator("img.chart")
    expect(chart).to_have_attribute("src", re.compile(r"^blob:"))
    page.wait_for_function("img => img.complete && img.naturalWidth > 100", arg=chart.element_handle())
    link = report.locator("a.download")
    expect(link).to_have_attribute("download", "sales-report.csv")
    with page.expect_download() as got:
        link.click()
    assert len(Path(got.value.path()).read_text().strip().splitlines()) == 13  # a header and 12 months
    page.screenshot(path=shots / "laptop-report.png")

    # thumbs up writes a feedback row
    run_id = int(report.get_attribute("data-run") or 0)
    report.locator(".thumb.up").click()
    expect(report.locator(".thumb.up")).to_have_attribute("aria-pressed", "true")
    with shop.sessions() as s:
        assert [f.rating for f in s.scalars(select(Feedback).where(Feedback.run_id == run_id))] == [1]

    # a change: a card with Approve and Reject; approved, the shop has it
    assert shop.bid(1) == 0.8
    change = ask(tab, "set the bid of campaign 1 to 0.9")
    card = change.locator(".card.pending")
    expect(card.locator(".target")).to_have_text("campaign 1 · Christmas gifts - search")
    expect(card.locator(".to")).to_have_text("0.9")
    card.scroll_into_view_if_needed()
    page.screenshot(path=shots / "laptop-pending.png")
    card.locator("button.approve").click()
    expect(card.locator(".outcome")).to_contain_text("Approved by a-approver (web)")
    expect(page.locator(".turn.bot .answer-text").last).to_contain_text("bid changed from £0.80 to £0.90")
    assert shop.bid(1) == 0.9
    with shop.sessions() as s:
        runs = list(s.scalars(select(Run).where(Run.user == "a-approver")))
        settled = s.scalars(select(PendingChange).where(PendingChange.state == "approved")).one()
    assert {r.channel for r in runs} == {"web"} and len({r.thread_id for r in runs}) == 1
    assert (settled.settled_by, settled.settled_channel) == ("a-approver", "web")
    expect(page.locator("#threads a.thread.current .thread-title")).to_have_text("monthly sales report for 2011")

    # the decision log, filtered to approvals
    page.click("#tab-log")
    page.select_option("#filters select[name=kind]", "approval")
    page.click("#filters button[type=submit]")
    expect(page.locator("#decisions")).to_have_attribute("aria-busy", "false")
    row = page.locator(".decision.kind-approval").first
    expect(row.locator("> summary")).to_contain_text("set_campaign_bid")
    expect(row.locator(".chip.status-ok")).to_be_visible()
    expect(row.locator(".by")).to_have_text("a-approver (web)")
    row.locator("> summary").click()
    expect(row.locator(".settled-by")).to_contain_text("a-approver (web)")
    page.screenshot(path=shots / "laptop-log.png", full_page=True)

    # a phone: one column, the side list behind a menu button; then in Chinese
    page.set_viewport_size(PHONE)
    page.click("#tab-chat")
    side = page.locator("#side")
    assert (side.bounding_box() or {"x": 0})["x"] < 0  # off screen
    page.screenshot(path=shots / "phone-chat.png")
    page.click("#menu")
    page.wait_for_function("() => document.getElementById('side').getBoundingClientRect().x >= 0")
    page.screenshot(path=shots / "phone-threads.png")
    page.click("#threads a.thread.current")  # opens the thread again, from the server, and closes the list
    expect(page.locator(".turn.user .bubble")).to_have_text(
        ["monthly sales report for 2011", "set the bid of campaign 1 to 0.9"]
    )
    expect(page.locator("img.chart")).to_have_count(1)
    expect(page.locator(".card.settled .outcome")).to_contain_text("Approved by a-approver (web)")
    page.select_option("#lang", "zh")
    expect(page.locator("#tab-log")).to_have_text("决策日志")
    expect(page.locator("#who")).to_have_text("a-approver · 审批人")
    page.screenshot(path=shots / "phone-chat-zh.png")

    # the token stays for the tab's session; signing out forgets it
    page.reload()
    expect(page.locator("#who")).to_contain_text("a-approver")
    page.click("#signout")
    expect(page.locator("#signin")).to_be_visible()
    assert (
        page.evaluate("() => sessionStorage.getItem('copilot.token') || localStorage.getItem('copilot.token')") is None
    )
    assert tab.dialogs == [] and tab.errors == []


def test_a_hostile_campaign_name_is_shown_as_text_and_never_runs(shop: Shop, open_tab: Any) -> None:
    from playwright.sync_api import expect

    with shop.sessions.begin() as s:
        old = s.scalar(select(Campaign.name).where(Campaign.id == 3))
        s.execute(update(Campaign).where(Campaign.id == 3).values(name=HOSTILE))
    try:
        tab = open_tab(viewport=PHONE)
        page = tab.page
        sign_in(tab, shop, "marketer")
        turn = ask(tab, "set the bid of campaign 3 to 0.45")
        expect(turn.locator(".card.pending .target")).to_have_text(f"campaign 3 · {HOSTILE}")
        expect(turn.locator(".answer-text")).to_contain_text(HOSTILE)
        expect(turn.locator(".card .needs-approver")).to_be_visible()  # a marketer proposes, not approves
        page.screenshot(path=artifacts() / "phone-hostile.png")
        page.click("#menu")
        page.click("#new")
        said = ask(tab, HOSTILE)  # as a request too: it titles its thread in the side list
        expect(said.locator(".answer-text")).not_to_be_empty()
        expect(page.locator("#threads .thread-title").first).to_have_text(HOSTILE)
        page.click("#tab-log")
        page.fill("#filters input[name=tool]", "set_campaign_bid")
        page.click("#filters button[type=submit]")
        expect(page.locator("#decisions")).to_have_attribute("aria-busy", "false")
        row = page.locator(".decision", has_text=HOSTILE).first
        row.locator("> summary").click()
        expect(row.locator("dd", has_text=HOSTILE).first).to_be_visible()
        page.screenshot(path=artifacts() / "phone-hostile-log.png", full_page=True)
        assert page.locator("img[src=x], script:not([src])").count() == 0  # no element was made of the name
        assert page.evaluate("() => window.pwned") is None
        assert tab.dialogs == [] and tab.errors == []
        with shop.sessions() as s:
            thread = s.scalar(select(Run.thread_id).where(Run.request == "set the bid of campaign 3 to 0.45"))
        with shop.client("approver") as c:
            assert c.post(f"/v1/threads/{thread}/approval", json={"approve": False}).status_code == 200
    finally:
        with shop.sessions.begin() as s:
            s.execute(update(Campaign).where(Campaign.id == 3).values(name=old))


def test_a_viewer_gets_no_approve_button_and_a_late_approver_sees_who_settled_first(shop: Shop, open_tab: Any) -> None:
    from playwright.sync_api import expect

    with shop.client("marketer") as c:
        res = c.post("/v1/ask", json={"message": "set the bid of campaign 2 to 0.6"}).json()
    thread, change = res["thread_id"], res["pending_approval"]["id"]
    before = shop.bid(2)

    viewer = open_tab(locale="zh-CN")
    viewer.page.goto(shop.url)
    expect(viewer.page.locator("#signin h2")).to_have_text("登录")  # the language follows the browser's
    viewer.page.select_option("#lang", "en")
    sign_in(viewer, shop, "viewer", f"/#thread={thread}")
    card = viewer.page.locator(".card.pending")
    expect(card.locator(".target")).to_contain_text("campaign 2")
    expect(card.locator(".needs-approver")).to_be_visible()
    assert card.locator("button").count() == 0 and viewer.page.locator(".thumb").count() == 0
    expect(viewer.page.locator("#ask")).to_be_hidden()
    viewer.page.screenshot(path=artifacts() / "laptop-viewer.png")
    with shop.client("viewer") as c:  # and the API refuses anyway
        assert c.post(f"/v1/threads/{thread}/approval", json={"approve": True}).status_code == 403

    approver = open_tab()
    sign_in(approver, shop, "approver", f"/#thread={thread}")
    approve = approver.page.locator(".card.pending button.approve")
    expect(approve).to_be_visible()
    with shop.client("admin") as c:  # someone else settles it first
        assert c.post(f"/v1/threads/{thread}/approval", json={"approve": False, "change_id": change}).status_code == 200
    approve.click()
    expect(approver.page.locator(".card.pending .outcome")).to_contain_text("already rejected by a-admin (api)")
    expect(approve).to_have_count(0)
    assert shop.bid(2) == before
    assert viewer.dialogs == viewer.errors == approver.dialogs == []
