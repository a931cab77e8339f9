"""The Slack app (slack-bolt) over the application core, as the API is: it asks with Copilot.ask and
settles with Copilot.resume, so the approval core decides who wins a click and what is written.

    HTTP mode   `copilot serve` mounts POST /slack/events and /slack/actions when SLACK_BOT_TOKEN and
                SLACK_SIGNING_SECRET are set (the request URL of the app's events and interactivity)
    Socket Mode `copilot slack --socket`, with SLACK_APP_TOKEN too (no public URL needed)

A mention, or a direct message, starts or continues the copilot thread of its Slack thread
(`slack-CHANNEL-THREAD_TS`). Every request is acknowledged at once; the work runs after the ack:
a "working" reply is posted in the thread and updated in place with the answer. A change waiting
for approval comes with Approve and Reject buttons carrying the pending row's id; a click is settled
for the Slack user's role (`copilot slack map-user U123 --role approver`; an unmapped user is a
marketer, or COPILOT_SLACK_DEFAULT_ROLE), refused in a message only they see when the role is not
enough, and the message is then updated to say who did what, without its buttons. Every answer
has thumbs up and down (feedback rows for its run). Its charts, and its list when longer than a
screen (as CSV), are uploaded to the thread.

Slack's signature is checked on every request (bolt: a missing, wrong or older than 5 minutes one
gets 401 and nothing runs); a delivery Slack repeats (X-Slack-Retry-Num, to any worker) is taken up
once (store/slack.py). Shop data is escaped for mrkdwn: no mention, no link, no markup comes from a
product or campaign name. SLACK_API_URL points the Web API client elsewhere (the tests' mock).
"""

from __future__ import annotations

import json
import logging
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import anyio
from fastapi import Request
from fastapi.responses import Response
from slack_bolt import App, BoltRequest, BoltResponse
from slack_sdk import WebClient

from copilot import CopilotError
from copilot.approvals import AlreadySettled
from copilot.settings import Settings
from copilot.tokens import can, check_role, needed_role
from offline import is_chinese, wording
from store import StoreError
from store.decisions import add_feedback
from store.slack import first_delivery, slack_user

if TYPE_CHECKING:
    from channels.api import CopilotPool

log = logging.getLogger("copilot.slack")

SCREEN_ROWS = 15  # a list longer than this is uploaded as a CSV file too
SECTION_CHARS = 2900  # a section block holds 3,000 characters
MAX_BLOCKS = 45  # of Slack's 50 a message may have
_MENTION = re.compile(r"<@[A-Z0-9]+(?:\|[^>]*)?>")
_BROADCAST = re.compile(r"@(channel|here|everyone)\b", re.IGNORECASE)


@dataclass(frozen=True)
class SlackConfig:
    bot_token: str
    signing_secret: str
    app_token: str | None = None
    api_url: str | None = None
    default_role: str | None = "marketer"  # of a Slack user no one mapped; None: may do nothing

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> SlackConfig | None:
        """The Slack settings of the environment, or None when the app is not configured (no bot
        token and no signing secret). One of the two without the other is a CopilotError."""
        env = os.environ if env is None else env
        bot, secret = env.get("SLACK_BOT_TOKEN", ""), env.get("SLACK_SIGNING_SECRET", "")
        if not bot and not secret:
            return None
        if not bot or not secret:
            missing = "SLACK_BOT_TOKEN" if not bot else "SLACK_SIGNING_SECRET"
            raise CopilotError(f"Slack needs both SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET; set {missing}")
        default = env.get("COPILOT_SLACK_DEFAULT_ROLE", "marketer")
        if default != "none":
            check_role(default)
        return cls(
            bot_token=bot,
            signing_secret=secret,
            app_token=env.get("SLACK_APP_TOKEN") or None,
            api_url=env.get("SLACK_API_URL") or None,
            default_role=None if default == "none" else default,
        )


# -- text for Slack ----------------------------------------------------------------------------


def escape(text: str) -> str:
    """Text as mrkdwn that shows it and does nothing else: &, < and > escaped (so no <!channel>,
    <@U…> or <url|label> can be made), and a bare @channel, @here or @everyone broken."""
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return _BROADCAST.sub(lambda m: "@\u200b" + m.group(1), text)


def mrkdwn(markdown: str) -> str:
    """An answer's Markdown as Slack mrkdwn, escaped first: bold, headings and bullets. Links are
    left as text, so a name that looks like one stays text."""
    out = []
    for line in escape(markdown).splitlines():
        heading = re.match(r"^#{1,6}\s+(.*)$", line)
        if heading:
            line = f"*{heading.group(1).strip()}*"
        line = re.sub(r"^(\s*)[-*]\s+", r"\1• ", line)
        line = re.sub(r"\*\*(.+?)\*\*", r"*\1*", line)
        out.append(line)
    return "\n".join(out)


def _sections(text: str) -> list[dict[str, Any]]:
    """The text in section blocks of at most SECTION_CHARS, split at line ends where possible."""
    blocks, rest = [], text.strip() or " "
    while rest:
        cut = len(rest) if len(rest) <= SECTION_CHARS else rest.rfind("\n", 0, SECTION_CHARS)
        if cut <= 0:
            cut = SECTION_CHARS
        blocks.append({"type": "section", "text": {"type": "mrkdwn", "text": rest[:cut]}})
        rest = rest[cut:].lstrip("\n")
    return blocks[: MAX_BLOCKS - 10]


def answer_blocks(res: dict[str, Any], zh: bool) -> list[dict[str, Any]]:
    """A contract as Block Kit: the answer; each change waiting with Approve and Reject (its row id
    in the buttons), or thumbs up and down for the run; a context line of the run."""
    blocks = _sections(mrkdwn(str(res.get("answer") or "")))
    pending = res.get("pending_approval")
    for change in (pending or {}).get("changes", [])[:8]:
        pid = change.get("pending_id")
        value = json.dumps({"thread": res["thread_id"], "change": pid})
        blocks.append(
            {
                "type": "section",
                "block_id": f"change-{pid}",
                "text": {"type": "mrkdwn", "text": f"#{pid} " + escape(wording.describe_change(change, zh, None))},
            }
        )
        blocks.append(
            {
                "type": "actions",
                "block_id": f"settle-{pid}",
                "elements": [
                    _button("批准" if zh else "Approve", "approve", value, "primary"),
                    _button("拒绝" if zh else "Reject", "reject", value, "danger"),
                ],
            }
        )
    if pending is None and res.get("run_id") is not None:
        blocks.append(
            {
                "type": "actions",
                "block_id": f"feedback-{res['run_id']}",
                "elements": [
                    _button("👍", "feedback_up", str(res["run_id"])),
                    _button("👎", "feedback_down", str(res["run_id"])),
                ],
            }
        )
    route = " → ".join(res.get("route") or [])
    calls = len(res.get("tool_calls") or [])
    facts = [f"run {res.get('run_id')}", route, f"{calls} tool call{'s' * (calls != 1)}"]
    blocks.append(
        {"type": "context", "elements": [{"type": "mrkdwn", "text": escape(" · ".join(f for f in facts if f))}]}
    )
    return blocks


def _button(label: str, action: str, value: str, style: str | None = None) -> dict[str, Any]:
    button: dict[str, Any] = {
        "type": "button",
        "text": {"type": "plain_text", "text": label},
        "action_id": action,
        "value": value,
    }
    if style:
        button["style"] = style
    return button


def settled_blocks(blocks: list[dict[str, Any]], change_id: int, line: str) -> list[dict[str, Any]]:
    """A message's blocks after one of its changes is settled: that change's buttons replaced by a
    line saying who did what (the other changes keep theirs)."""
    done = {"type": "context", "block_id": f"settled-{change_id}", "elements": [{"type": "mrkdwn", "text": line}]}
    return [done if b.get("block_id") == f"settle-{change_id}" else b for b in blocks]


def thread_key(channel: str, thread_ts: str) -> str:
    return f"slack-{channel}-{thread_ts}"


# -- the app -------------------------------------------------------------------------------------


class SlackChannel:
    """The copilot's Slack app over a pool of copilots (the API's, or its own in Socket Mode)."""

    def __init__(self, pool: CopilotPool, config: SlackConfig) -> None:
        self.pool = pool
        self.config = config
        client = WebClient(token=config.bot_token, base_url=config.api_url or WebClient.BASE_URL)
        self.app = App(
            client=client,
            signing_secret=config.signing_secret,
            token_verification_enabled=False,  # no call to Slack at start: auth.test on the first request
            process_before_response=False,  # ack first, work after
            logger=log,
        )
        self.app.event("app_mention")(self._on_mention)
        self.app.event("message")(self._on_message)
        self.app.action("approve")(self._on_settle)
        self.app.action("reject")(self._on_settle)
        self.app.action("feedback_up")(self._on_feedback)
        self.app.action("feedback_down")(self._on_feedback)

    @property
    def sessions(self) -> Any:
        return self.pool.base.sessions

    def role_of(self, user: str) -> tuple[str, str | None]:
        """(the name the log records, the role) of a Slack user."""
        mapped = slack_user(self.sessions, user)
        if mapped is not None:
            return str(mapped["name"]), str(mapped["role"])
        return user, self.config.default_role

    # events

    def _on_mention(self, body: dict[str, Any], event: dict[str, Any], client: WebClient) -> None:
        if self._first(body):
            self._answer(event, client)

    def _on_message(self, body: dict[str, Any], event: dict[str, Any], client: WebClient) -> None:
        direct = event.get("channel_type") == "im" and not event.get("subtype") and not event.get("bot_id")
        if direct and self._first(body):
            self._answer(event, client)

    def _first(self, body: dict[str, Any]) -> bool:
        event_id = body.get("event_id")
        return event_id is None or first_delivery(self.sessions, f"event:{event_id}")

    def _answer(self, event: dict[str, Any], client: WebClient) -> None:
        channel, user = str(event["channel"]), str(event.get("user") or "")
        thread_ts = str(event.get("thread_ts") or event["ts"])
        text = _MENTION.sub("", str(event.get("text") or "")).strip()
        zh = is_chinese(text)
        name, role = self.role_of(user)
        if role is None or not can(role, "ask"):
            needs = needed_role("ask")
            client.chat_postEphemeral(
                channel=channel,
                user=user,
                thread_ts=thread_ts,
                text=f"Asking needs the {needs} role; an admin can run `copilot slack map-user {user} --role {needs}`",
            )
            return
        if not text:
            text = "help"
        working = client.chat_postMessage(
            channel=channel, thread_ts=thread_ts, text="正在处理…" if zh else "Working on it…", unfurl_links=False
        )
        key = thread_key(channel, thread_ts)
        try:
            with self.pool.copilot() as cp:
                res = cp.ask(
                    text, thread_id=key, channel="slack", user=name, charts=False, may_settle=can(role, "approve")
                )
        except CopilotError as exc:
            self._say(client, channel, str(working["ts"]), f"⚠️ {exc}")
            return
        except Exception:
            log.exception("a Slack request failed")
            self._say(client, channel, str(working["ts"]), "⚠️ Something went wrong on our side; it is logged.")
            return
        self._post(client, channel, thread_ts, res, zh, update=str(working["ts"]))

    def _say(self, client: WebClient, channel: str, ts: str, text: str) -> None:
        client.chat_update(channel=channel, ts=ts, text=escape(text), blocks=_sections(escape(text)))

    def _post(
        self, client: WebClient, channel: str, thread_ts: str, res: dict[str, Any], zh: bool, update: str | None = None
    ) -> None:
        """An answer in the thread (updating the `update` message), then its files."""
        blocks = answer_blocks(res, zh)
        fallback = escape(str(res.get("answer") or ""))[:3000]
        if update is not None:
            client.chat_update(channel=channel, ts=update, text=fallback, blocks=blocks)
        else:
            client.chat_postMessage(
                channel=channel, thread_ts=thread_ts, text=fallback, blocks=blocks, unfurl_links=False
            )
        if res.get("pending_approval") is None and res.get("run_id") is not None:
            self._upload(client, channel, thread_ts, int(res["run_id"]))

    def _upload(self, client: WebClient, channel: str, thread_ts: str, run_id: int) -> None:
        """The run's charts, and its list when longer than a screen, as files in the thread."""
        try:
            with self.pool.copilot() as cp:
                files = cp.run_files(run_id) or []
        except CopilotError as exc:
            log.warning("the files of run %s could not be made: %s", run_id, exc)
            return
        for f in files:
            if f["kind"] == "chart" or f.get("rows", 0) > SCREEN_ROWS:
                client.files_upload_v2(
                    channel=channel, thread_ts=thread_ts, file=f["path"], filename=f["name"], title=f["title"][:250]
                )

    # actions

    def _on_settle(self, ack: Any, body: dict[str, Any], action: dict[str, Any], client: WebClient) -> None:
        ack()
        user = str(body["user"]["id"])
        channel = str(body["channel"]["id"])
        message = body.get("message") or {}
        try:
            value = json.loads(action["value"])
            thread_id, change_id = str(value["thread"]), int(value["change"])
        except (ValueError, KeyError, TypeError):
            return
        name, role = self.role_of(user)
        approve = action["action_id"] == "approve"
        if role is None or not can(role, "approve"):
            needs = needed_role("approve")
            client.chat_postEphemeral(
                channel=channel,
                user=user,
                text=f"Approving or rejecting needs the {needs} role; an admin can run "
                f"`copilot slack map-user {user} --role {needs}`",
            )
            return
        thread_ts = str(message.get("thread_ts") or message.get("ts") or "")
        try:
            with self.pool.copilot() as cp:
                res = cp.resume(
                    thread_id, approved=approve, change_id=change_id, user=name, channel="slack", charts=False
                )
        except AlreadySettled as exc:
            client.chat_postEphemeral(channel=channel, user=user, text=escape(str(exc)))
            change = exc.change or {}
            by = (change.get("settled_by") or {}).get("user") or "someone"
            self._settled(client, channel, message, change_id, f"{change.get('state', 'settled')} by {by}")
            return
        except CopilotError as exc:
            client.chat_postEphemeral(channel=channel, user=user, text=escape(str(exc)))
            return
        self._settled(client, channel, message, change_id, f"{'approved' if approve else 'rejected'} by {name}")
        self._post(client, channel, thread_ts, res, is_chinese(str(res.get("answer") or "")))

    def _settled(self, client: WebClient, channel: str, message: dict[str, Any], change_id: int, what: str) -> None:
        if not message.get("ts"):
            return
        mark = "✅" if what.startswith("approved") else "✖️"
        blocks = settled_blocks(list(message.get("blocks") or []), change_id, f"{mark} #{change_id} {escape(what)}")
        client.chat_update(channel=channel, ts=str(message["ts"]), text=str(message.get("text") or " "), blocks=blocks)

    def _on_feedback(self, ack: Any, body: dict[str, Any], action: dict[str, Any], client: WebClient) -> None:
        ack()
        user, channel = str(body["user"]["id"]), str(body["channel"]["id"])
        key = f"action:{user}:{action.get('action_ts')}"
        if not first_delivery(self.sessions, key):
            return
        up = action["action_id"] == "feedback_up"
        try:
            add_feedback(self.sessions, int(action["value"]), up=up, comment=f"slack {user}")
        except (StoreError, ValueError) as exc:
            client.chat_postEphemeral(channel=channel, user=user, text=escape(str(exc)))
            return
        client.chat_postEphemeral(channel=channel, user=user, text="Thanks, noted 👍" if up else "Thanks, noted 👎")

    # serving

    def dispatch(self, body: bytes, headers: Mapping[str, str], query: Mapping[str, str] | None = None) -> BoltResponse:
        """One HTTP request from Slack (signature checked by bolt): its response, sent as the ack."""
        return self.app.dispatch(BoltRequest(body=body.decode("utf-8"), query=dict(query or {}), headers=dict(headers)))


def mount(api: Any, channel: SlackChannel) -> None:
    """POST /slack/events and /slack/actions on the API app: the request goes to bolt in a thread
    (its ack comes back at once; the work goes on in bolt's executor)."""

    async def handle(request: Request) -> Response:
        body = await request.body()
        resp = await anyio.to_thread.run_sync(lambda: channel.dispatch(body, request.headers, request.query_params))
        return Response(resp.body, status_code=resp.status, headers=resp.first_headers_without_set_cookie())

    for path in ("/slack/events", "/slack/actions"):
        api.add_api_route(path, handle, methods=["POST"], include_in_schema=False)


def socket_mode(settings: Settings, config: SlackConfig) -> None:
    """`copilot slack --socket`: the app over Slack's Socket Mode until interrupted. The token is
    checked before the shop is opened (a fresh home loads the demo shop first)."""
    from slack_bolt.adapter.socket_mode import SocketModeHandler

    from channels.api import CopilotPool

    if not config.app_token:
        raise CopilotError("Socket Mode needs SLACK_APP_TOKEN (an app-level token with connections:write)")
    pool = CopilotPool(settings)
    try:
        SocketModeHandler(SlackChannel(pool, config).app, config.app_token).start()
    finally:
        pool.close()


__all__ = ["SlackChannel", "SlackConfig", "escape", "mount", "mrkdwn", "socket_mode"]
