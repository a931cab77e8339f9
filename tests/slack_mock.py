"""A local stand-in for Slack's Web API (what slack_sdk's WebClient calls at its base_url): it records
each call and answers as Slack does for the methods the app uses, file uploads included."""

from __future__ import annotations

import hashlib
import hmac
import itertools
import json
import threading
import time
import urllib.parse
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse
from starlette.routing import Route

BOT_USER = "UBOT0001"


class MockSlack:
    def __init__(self) -> None:
        self.calls: list[tuple[str, dict[str, Any]]] = []
        self.uploads: dict[str, bytes] = {}
        self.base = ""  # set once served
        self._ts = itertools.count(1)
        self._lock = threading.Lock()
        self.app = Starlette(
            routes=[
                Route("/api/{method}", self._api, methods=["POST", "GET"]),
                Route("/upload/{file_id}", self._upload, methods=["POST"]),
            ]
        )

    def next_ts(self) -> str:
        return f"1700000000.{next(self._ts):06d}"

    async def _api(self, request: Request) -> JSONResponse:
        method = request.path_params["method"]
        raw = await request.body()
        if request.headers.get("content-type", "").startswith("application/json"):
            args: dict[str, Any] = json.loads(raw or b"{}")
        else:
            args = {k: v[-1] for k, v in urllib.parse.parse_qs(raw.decode()).items()}
            args |= dict(request.query_params)
        for key in ("blocks", "files"):
            if isinstance(args.get(key), str):
                args[key] = json.loads(args[key])
        with self._lock:
            self.calls.append((method, args))
        if method == "auth.test":
            return JSONResponse(
                {"ok": True, "user_id": BOT_USER, "bot_id": "BBOT0001", "team_id": "T0001", "user": "copilot"}
            )
        if method == "chat.postMessage":
            args["_ts"] = self.next_ts()  # the message's ts, as Slack gives it
            return JSONResponse({"ok": True, "channel": args.get("channel"), "ts": args["_ts"]})
        if method == "chat.update":
            return JSONResponse({"ok": True, "channel": args.get("channel"), "ts": args.get("ts")})
        if method == "chat.postEphemeral":
            return JSONResponse({"ok": True, "message_ts": self.next_ts()})
        if method == "files.getUploadURLExternal":
            fid = f"F{len(self.uploads) + 1:04d}"
            self.uploads[fid] = b""
            return JSONResponse({"ok": True, "upload_url": f"{self.base}/upload/{fid}", "file_id": fid})
        if method == "files.completeUploadExternal":
            return JSONResponse(
                {"ok": True, "files": [{"id": f["id"], "title": f.get("title")} for f in args["files"]]}
            )
        return JSONResponse({"ok": False, "error": "unknown_method"})

    async def _upload(self, request: Request) -> PlainTextResponse:
        self.uploads[request.path_params["file_id"]] = await request.body()
        return PlainTextResponse("OK - 1")

    def of(self, method: str) -> list[dict[str, Any]]:
        with self._lock:
            return [args for m, args in self.calls if m == method]

    def wait(self, test: Any, what: str, timeout: float = 60.0) -> Any:
        """Poll `test()` until it returns something true; fail after `timeout` seconds."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = test()
            if found:
                return found
            time.sleep(0.05)
        raise AssertionError(f"Slack never saw {what}; calls: {[m for m, _ in self.calls]}")


def signed(body: str, secret: str, *, at: float | None = None) -> dict[str, str]:
    """The headers Slack signs a request with (v0 HMAC-SHA256 of `v0:TIMESTAMP:BODY`)."""
    ts = str(int(time.time() if at is None else at))
    sig = hmac.new(secret.encode(), f"v0:{ts}:{body}".encode(), hashlib.sha256).hexdigest()
    return {"X-Slack-Request-Timestamp": ts, "X-Slack-Signature": f"v0={sig}"}
