"""The Slack app over real HTTP on loopback: `copilot serve`'s app with Slack mounted, requests signed
here as Slack signs them, and a local mock of Slack's Web API recording what the app posts. A
mention to a pending change to an approver's click; a viewer's click; two approvers at once;
signatures and retries; hostile names; charts and lists as files; the map-user command."""

from __future__ import annotations

import json
import threading
import time
import urllib.parse
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select, update
from typer.testing import CliRunner

from channels.api import create_app
from channels.cli import app as cli_app
from channels.slack import SlackConfig, escape, mrkdwn
from copilot import CopilotError
from copilot.settings import Settings
from store.db import Campaign, Feedback, Run, make_engine, make_sessionmaker
from store.slack import map_user
from tests.serving import serving, tiny_home
from tests.slack_mock import BOT_USER, MockSlack, signed

SECRET = "slack-signing-secret-for-tests"
APPROVER, APPROVER2, VIEWER, MARKETER = "UAPPROVE1", "UAPPROVE2", "UVIEWER01", "UMARKET01"


class Rig:
    def __init__(self, url: str, mock: MockSlack, sessions: Any) -> None:
        self.url = url
        self.mock = mock
        self.sessions = sessions
        self.http = httpx.Client(base_url=url, timeout=30.0)
        self._n = 0

    def post(self, path: str, body: str, *, content_type: str, headers: dict[str, str] | None = None) -> httpx.Response:
        sent = {"Content-Type": content_type, **signed(body, SECRET), **(headers or {})}
        return self.http.post(path, content=body.encode(), headers=sent)

    def mention(
        self, text: str, *, user: str = MARKETER, event_id: str | None = None, **headers: str
    ) -> tuple[str, httpx.Response]:
        """A mention of the bot in channel C1, as its own thread: (its ts, the response)."""
        self._n += 1
        ts = f"1800000000.{self._n:06d}"
        event = {"type": "app_mention", "user": user, "text": f"<@{BOT_USER}> {text}", "ts": ts, "channel": "C0001"}
        body = {
            "token": "x",
            "team_id": "T0001",
            "api_app_id": "A0001",
            "type": "event_callback",
            "event_id": event_id or f"Ev{self._n:08d}",
            "event_time": int(time.time()),
            "event": event,
        }
        return ts, self.post("/slack/events", json.dumps(body), content_type="application/json", headers=headers)

    def click(self, action_id: str, value: str, *, user: str, message: dict[str, Any]) -> httpx.Response:
        payload = {
            "type": "block_actions",
            "user": {"id": user, "team_id": "T0001"},
            "team": {"id": "T0001"},
            "api_app_id": "A0001",
            "channel": {"id": "C0001"},
            "container": {"type": "message", "message_ts": message["ts"], "channel_id": "C0001"},
            "message": message,
            "trigger_id": "1.2.3",
            "actions": [{"type": "button", "action_id": action_id, "value": value, "action_ts": f"{time.time():.6f}"}],
        }
        body = urllib.parse.urlencode({"payload": json.dumps(payload)})
        return self.post("/slack/actions", body, content_type="application/x-www-form-urlencoded")

    def answer_of(self, thread_ts: str, *, with_action: str) -> dict[str, Any]:
        """The message in `thread_ts` that the app last posted or updated with a button `with_action`,
        as Slack would hold it (ts, thread_ts, text, blocks)."""

        def found() -> dict[str, Any] | None:
            mine = {m["_ts"] for m in self.mock.of("chat.postMessage") if m.get("thread_ts") == thread_ts}
            for m in reversed(self.mock.of("chat.update")):
                if m["ts"] in mine and any(
                    e.get("action_id") == with_action for b in m.get("blocks", []) for e in b.get("elements", [])
                ):
                    return {"ts": m["ts"], "thread_ts": thread_ts, "text": m["text"], "blocks": m["blocks"]}
            for m in reversed(self.mock.of("chat.postMessage")):
                if m.get("thread_ts") == thread_ts and any(
                    e.get("action_id") == with_action for b in m.get("blocks", []) for e in b.get("elements", [])
                ):
                    return {"ts": m["_ts"], "thread_ts": thread_ts, "text": m["text"], "blocks": m["blocks"]}
            return None

        return dict(self.mock.wait(found, f"a message with {with_action}"))

    def bid(self, campaign: int) -> float:
        with self.sessions() as s:
            return float(s.scalar(select(Campaign.bid).where(Campaign.id == campaign)) or 0)

    def runs(self) -> int:
        with self.sessions() as s:
            return int(s.scalar(select(func.count()).select_from(Run)) or 0)


@pytest.fixture(scope="module")
def rig(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Rig]:
    home = tmp_path_factory.mktemp("slack-home")
    tiny_home(home)
    engine = make_engine(f"sqlite:///{home / 'shop.db'}")
    sessions = make_sessionmaker(engine)
    map_user(sessions, APPROVER, role="approver", name="alice")
    map_user(sessions, APPROVER2, role="approver", name="bob")
    map_user(sessions, VIEWER, role="viewer", name="victor")
    mock = MockSlack()
    with serving(mock.app) as mock_url:
        mock.base = mock_url
        config = SlackConfig(bot_token="xoxb-test", signing_secret=SECRET, api_url=f"{mock_url}/api/")
        with serving(create_app(Settings(home=home, model="offline"), slack=config)) as url:
            r = Rig(url, mock, sessions)
            yield r
            r.http.close()
    engine.dispose()


def _value(message: dict[str, Any], action: str) -> str:
    return next(e["value"] for b in message["blocks"] for e in b.get("elements", []) if e.get("action_id") == action)


def test_mention_to_pending_change_to_an_approvers_click_changes_the_shop(rig: Rig) -> None:
    before = rig.bid(1)
    started = time.monotonic()
    ts, r = rig.mention("set the bid of campaign 1 to 0.95")
    assert r.status_code == 200 and time.monotonic() - started < 3.0  # the ack comes before the work
    pending = rig.answer_of(ts, with_action="approve")
    working = rig.mock.of("chat.postMessage")
    assert any(m.get("thread_ts") == ts and "Working" in m["text"] for m in working)
    assert "0.95" in json.dumps(pending["blocks"]) and rig.bid(1) == before

    # a viewer's click: refused in a message only they see, nothing changes
    assert rig.click("approve", _value(pending, "approve"), user=VIEWER, message=pending).status_code == 200
    refusal = rig.mock.wait(
        lambda: [e for e in rig.mock.of("chat.postEphemeral") if e["user"] == VIEWER], "the viewer's refusal"
    )
    assert "approver role" in refusal[-1]["text"] and f"map-user {VIEWER}" in refusal[-1]["text"]
    time.sleep(0.5)
    assert rig.bid(1) == before

    # the approver's click: the shop changes, the message says who, its buttons are gone
    updates = len(rig.mock.of("chat.update"))
    assert rig.click("approve", _value(pending, "approve"), user=APPROVER, message=pending).status_code == 200
    rig.mock.wait(lambda: rig.bid(1) == 0.95, "the bid changed")
    settled = rig.mock.wait(
        lambda: [u for u in rig.mock.of("chat.update")[updates:] if u["ts"] == pending["ts"]], "the message updated"
    )[-1]
    shown = json.dumps(settled["blocks"], ensure_ascii=False)
    assert "approved by alice" in shown and '"approve"' not in shown and '"reject"' not in shown
    # the answer after the change comes in the thread with thumbs up and down; a thumb writes feedback
    after = rig.answer_of(ts, with_action="feedback_up")
    run_id = int(_value(after, "feedback_up"))
    assert rig.click("feedback_up", str(run_id), user=MARKETER, message=after).status_code == 200
    rig.mock.wait(lambda: _feedback(rig, run_id) == [1], "a feedback row")


def _feedback(rig: Rig, run_id: int) -> list[int]:
    with rig.sessions() as s:
        return list(s.scalars(select(Feedback.rating).where(Feedback.run_id == run_id)))


def test_two_approvers_clicking_at_once_settle_it_once(rig: Rig) -> None:
    ts, _ = rig.mention("set the bid of campaign 2 to 0.61")
    pending = rig.answer_of(ts, with_action="approve")
    value = _value(pending, "approve")
    ephemerals = len(rig.mock.of("chat.postEphemeral"))
    barrier = threading.Barrier(2)

    def click(user: str) -> None:
        barrier.wait()
        rig.click("approve", value, user=user, message=pending)

    clickers = [threading.Thread(target=click, args=(u,)) for u in (APPROVER, APPROVER2)]
    for t in clickers:
        t.start()
    for t in clickers:
        t.join()
    rig.mock.wait(lambda: rig.bid(2) == 0.61, "the bid changed")
    loser = rig.mock.wait(lambda: rig.mock.of("chat.postEphemeral")[ephemerals:], "the second click's answer")
    assert len(loser) == 1 and "already approved by" in loser[0]["text"], loser


def test_unsigned_stale_or_wrong_requests_get_401_and_a_retry_is_taken_once(rig: Rig) -> None:
    body = json.dumps({"type": "event_callback", "event_id": "EvBAD", "event": {"type": "app_mention"}})
    runs = rig.runs()
    for headers in (
        {},
        signed(body, "not-the-secret"),
        signed(body, SECRET, at=time.time() - 6 * 60),  # older than 5 minutes
    ):
        r = rig.http.post("/slack/events", content=body, headers={"Content-Type": "application/json", **headers})
        assert r.status_code == 401, (headers, r.text)
    assert rig.runs() == runs

    posts = len(rig.mock.of("chat.postMessage"))
    ts, first = rig.mention("which customers are about to lapse?", event_id="EvRETRY1")
    rig.mock.wait(lambda: rig.runs() == runs + 1, "the run")
    _, again = rig.mention("which customers are about to lapse?", event_id="EvRETRY1", **{"X-Slack-Retry-Num": "1"})
    assert first.status_code == again.status_code == 200
    rig.answer_of(ts, with_action="feedback_up")
    time.sleep(1.0)
    assert rig.runs() == runs + 1
    assert len([m for m in rig.mock.of("chat.postMessage")[posts:] if "Working" in m["text"]]) == 1


def test_a_hostile_campaign_name_is_text_in_slack(rig: Rig) -> None:
    with rig.sessions.begin() as s:
        s.execute(update(Campaign).where(Campaign.id == 3).values(name="<!channel> <https://evil.example|win> @here"))
    ts, _ = rig.mention("set the bid of campaign 3 to 0.45")
    pending = rig.answer_of(ts, with_action="approve")
    shown = json.dumps([pending["text"], pending["blocks"]], ensure_ascii=False)
    assert "evil.example" in shown  # the name is there, as text
    assert "<!channel>" not in shown and "<https://" not in shown and "@here" not in shown
    assert escape("a <b> & @channel") == "a &lt;b&gt; &amp; @\u200bchannel"
    assert mrkdwn("## Top\n- **one** [x](http://e.example)") == "*Top*\n• *one* [x](http://e.example)"


def test_a_chart_is_uploaded_to_the_thread(rig: Rig) -> None:
    ts, _ = rig.mention("monthly sales report for 2011")
    rig.answer_of(ts, with_action="feedback_up")
    done = rig.mock.wait(
        lambda: [c for c in rig.mock.of("files.completeUploadExternal") if c.get("thread_ts") == ts], "an upload"
    )
    assert rig.mock.uploads[done[0]["files"][0]["id"]][:8] == b"\x89PNG\r\n\x1a\n"


def test_a_direct_message_is_answered_in_its_thread_with_a_long_list_as_csv(
    rig: Rig, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("channels.slack.SCREEN_ROWS", 5)  # the tiny shop's lists are short: 12 months are long here
    ts = "1900000000.000001"
    event = {"type": "message", "channel_type": "im", "user": MARKETER, "text": "monthly sales report for 2011"}
    body = {"type": "event_callback", "event_id": "EvDM0001", "event": {**event, "ts": ts, "channel": "D0001"}}
    assert rig.post("/slack/events", json.dumps(body), content_type="application/json").status_code == 200
    rig.answer_of(ts, with_action="feedback_up")

    def files() -> list[dict[str, Any]]:
        return [f for c in rig.mock.of("files.completeUploadExternal") if c.get("thread_ts") == ts for f in c["files"]]

    rig.mock.wait(lambda: len(files()) == 2, "a chart and a CSV in the thread")
    uploaded = [rig.mock.uploads[f["id"]] for f in files()]
    assert any(u.startswith(b"\x89PNG") for u in uploaded)
    assert any(u.count(b"\n") == 13 and b"revenue" in u.lower() for u in uploaded)  # the header and 12 months
    # a message from a bot (the app's own, say) starts nothing
    runs = rig.runs()
    bot = {**body, "event_id": "EvDM0002", "event": {**body["event"], "ts": "1900000000.000002", "bot_id": "BBOT0001"}}
    assert rig.post("/slack/events", json.dumps(bot), content_type="application/json").status_code == 200
    time.sleep(1.0)
    assert rig.runs() == runs


def test_slack_settings_and_the_map_user_command(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert SlackConfig.from_env({}) is None
    with pytest.raises(CopilotError, match="set SLACK_SIGNING_SECRET"):
        SlackConfig.from_env({"SLACK_BOT_TOKEN": "xoxb-1"})
    config = SlackConfig.from_env({"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_SIGNING_SECRET": "s"})
    assert config is not None and config.default_role == "marketer"

    home = tmp_path / "home"
    monkeypatch.setenv("COPILOT_HOME", str(home))

    def cli(*args: str) -> Any:
        return CliRunner().invoke(cli_app, list(args))

    p = cli("slack", "map-user", "U0123ABCD", "--role", "approver", "--name", "alice")
    assert p.exit_code == 0, p.output
    p = cli("slack", "users", "--json")
    assert json.loads(p.stdout)["role"] == "approver" and json.loads(p.stdout)["name"] == "alice"
    p = cli("slack", "map-user", "alice", "--role", "approver")
    assert isinstance(p.exception, CopilotError) and "U0123ABCD" in str(p.exception)  # main() prints it in one line
    p = cli("slack", "map-user", "U0123ABCD", "--role", "boss")
    assert isinstance(p.exception, CopilotError) and "role must be one of" in str(p.exception)
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-1")
    monkeypatch.setenv("SLACK_SIGNING_SECRET", "s")
    p = cli("slack", "--socket")
    assert isinstance(p.exception, CopilotError) and "SLACK_APP_TOKEN" in str(p.exception)
