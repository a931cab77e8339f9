"""The bidder over HTTP (`copilot dsp serve`): OpenRTB 2.6, JSON.

    POST /openrtb2/bid                 a bid request: 200 with a bid response, or 204 (no bid)
    GET|POST /openrtb2/win?t=&price=   the win notice (nurl): charges the clearing price, once
    GET|POST /openrtb2/billing?t=&price=  the billing notice (burl): charges it if the win did not
    GET|POST /openrtb2/loss?t=&reason= the loss notice (lurl): the bid's hold is given back
    GET /openrtb2/click?t=             a click on a won impression: 302 to the ad's page, or 204
    GET /healthz                       alive

Errors are one JSON object, {"error": "one line"}: 400 malformed JSON or a request the subset
refuses (no imp, a negative bidfloor), 404 a notice for an auction we never bid on, 409 a notice for
an auction already charged (or one its reservation cannot hold), 413 a body over 1 MB.
"""

from __future__ import annotations

import gc
import json
import logging
import os
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, quote

from fastapi import FastAPI
from pydantic import ValidationError
from starlette.types import Receive, Scope, Send

from dsp import DspError
from dsp.bidder import Bidder, Clock
from dsp.matching import Matcher
from dsp.openrtb import BidRequest
from store import StoreError
from store.db import make_engine, make_sessionmaker
from store.dsp import NoticeRefused

log = logging.getLogger("copilot.dsp")

MAX_BODY_BYTES = 1024 * 1024
DEFAULT_PORT = 8100
ENV_DATABASE = "COPILOT_DSP_DATABASE_URL"  # what `copilot dsp serve` hands its worker processes
ENV_CLOCK = "COPILOT_DSP_CLOCK"
ENV_RANKER = "COPILOT_DSP_RANKER_DATA"  # the folder holding rtb/: each worker trains the ranker from it


def _error(status: int, message: str) -> tuple[int, bytes, list[tuple[bytes, bytes]]]:
    return _json(status, {"error": " ".join(message.split())})


def _json(status: int, content: Any) -> tuple[int, bytes, list[tuple[bytes, bytes]]]:
    body = json.dumps(content, ensure_ascii=False, separators=(",", ":")).encode()
    return status, body, [_JSON, _VERSION, (b"content-length", str(len(body)).encode())]


async def _body(scope: Scope, receive: Receive) -> bytes | None:
    """The body, or None for one over MAX_BODY_BYTES (told by its length or as it arrives)."""
    length = _header(scope, b"content-length")
    if length is not None and (not length.isdigit() or int(length) > MAX_BODY_BYTES):
        return None
    chunks, seen = [], 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            break
        chunk = message.get("body", b"")
        seen += len(chunk)
        if seen > MAX_BODY_BYTES:
            return None
        chunks.append(chunk)
        if not message.get("more_body", False):
            break
    return b"".join(chunks)


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope["headers"]:
        if key.lower() == name:
            return str(value.decode("latin-1"))
    return None


def parse_request(raw: bytes) -> BidRequest:
    """A bid request from its JSON (parsed and validated in one pass), or DspError with one line."""
    try:
        return BidRequest.model_validate_json(raw)
    except ValidationError as exc:
        errors = exc.errors()
        if errors and errors[0].get("type") == "json_invalid":
            raise DspError("the body is not valid JSON") from None
        if errors and errors[0].get("type") == "model_type" and not errors[0].get("loc"):
            raise DspError("a bid request is a JSON object") from None
        parts = []
        for e in errors[:3]:
            loc = ".".join(str(x) for x in e.get("loc", ()))
            msg = "is required" if e.get("type") == "missing" else str(e.get("msg", "is invalid"))
            parts.append(f"{loc or 'body'}: {msg}")
        raise DspError("; ".join(parts)) from None


def create_app(db_url: str, *, clock: Clock = "wall", refresh: bool = True, matcher: Matcher | None = None) -> OpenRtb:
    """The bidder's app over the database at `db_url` (made at the code's schema if new); `matcher`
    scores the pCTR of (request, creative) pairs that come without one (dsp/matching.py)."""
    engine = make_engine(db_url)
    bidder = Bidder(make_sessionmaker(engine), clock=clock, matcher=matcher)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        if refresh:
            bidder.start()
        # what is loaded by now (the libraries, the campaigns) lives as long as the process: out of
        # the collector's reach, so that a full collection scans the requests' garbage only and does
        # not stop the bidding for a tenth of a second
        gc.freeze()
        # the refresh thread takes the interpreter for up to a switch interval whenever it runs
        # (5 ms by default); bid requests must not wait that long for it
        sys.setswitchinterval(0.0005)
        try:
            yield
        finally:
            bidder.close()
            engine.dispose()

    app = FastAPI(title="Marketing Copilot DSP", description=__doc__, lifespan=lifespan)
    app.state.bidder = bidder

    @app.get("/healthz", summary="The process answers")
    def healthz() -> dict[str, str]:
        return {"status": "ok"}

    return OpenRtb(app, bidder)


_JSON = (b"content-type", b"application/json")
_VERSION = (b"x-openrtb-version", b"2.6")
_ROUTES = {
    ("POST", "/openrtb2/bid"): "bid",
    **{(m, f"/openrtb2/{k}"): k for k in ("win", "billing", "loss") for m in ("GET", "POST")},
    ("GET", "/openrtb2/click"): "click",
}


class OpenRtb:
    """The bid request and the notices, answered in plain ASGI (they are the bidder's traffic: the
    framework's routing and validation would cost more than the bid); everything else (the health
    check, the lifespan that starts and stops the bidder) goes to the FastAPI app."""

    def __init__(self, app: FastAPI, bidder: Bidder) -> None:
        self.app = app
        self.bidder = bidder
        self.state = app.state

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        route = _ROUTES.get((scope.get("method", ""), scope.get("path", ""))) if scope["type"] == "http" else None
        if route is None:
            await self.app(scope, receive, send)
            return
        try:
            status, body, headers = await self._answer(route, scope, receive)
        except Exception:
            log.exception("the %s request failed", route)
            status, body, headers = _error(500, "the bidder failed on this request")
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": body})

    async def _answer(self, route: str, scope: Scope, receive: Receive) -> tuple[int, bytes, list[tuple[bytes, bytes]]]:
        raw = await _body(scope, receive)
        if raw is None:
            return _error(413, f"the body is over {MAX_BODY_BYTES:,} bytes")
        if route == "bid":
            try:
                res = self.bidder.bid(parse_request(raw), _base_url(scope))  # in memory but for a rare reservation
            except DspError as exc:
                return _error(400, str(exc))
            if res is None:
                return 204, b"", [_VERSION]
            out = res.model_dump_json(exclude_none=True).encode()
            return 200, out, [_JSON, _VERSION, (b"content-length", str(len(out)).encode())]
        q = {k: v[-1] for k, v in parse_qs(scope.get("query_string", b"").decode("latin-1")).items()}
        return _notice(self.bidder, route, q.get("t", ""), q.get("price", ""))


def _notice(bidder: Bidder, kind: str, t: str, price: str) -> tuple[int, bytes, list[tuple[bytes, bytes]]]:
    """A notice, in one short transaction: its answer."""
    try:
        if not t:
            raise NoticeRefused(400, "the notice has no token (t=)")
        if kind in ("win", "billing"):
            out = bidder.charge(t, price, kind)  # type: ignore[arg-type]
        elif kind == "loss":
            out = bidder.loss(t)
        else:
            where = bidder.click(t)
            if not where:
                return 204, b"", []
            return (
                302,
                b"",
                [(b"location", quote(where, safe=":/%#?=@[]!$&'()*+,;").encode()), (b"content-length", b"0")],
            )
    except NoticeRefused as exc:
        log.warning("%s notice refused: %s", kind, exc)
        return _error(exc.status, str(exc))
    except (StoreError, ValueError) as exc:
        log.warning("%s notice refused: %s", kind, exc)
        return _error(400, str(exc))
    return _json(200, out)


def _base_url(scope: Scope) -> str:
    host = _header(scope, b"host")
    if host is None:
        server = scope.get("server") or ("127.0.0.1", DEFAULT_PORT)
        host = f"{server[0]}:{server[1]}"
    return f"{scope.get('scheme', 'http')}://{host}{scope.get('root_path', '')}/"


def app_from_env() -> OpenRtb:
    """The app of one `copilot dsp serve` worker (uvicorn's factory)."""
    url = os.environ.get(ENV_DATABASE)
    if not url:
        raise DspError(f"{ENV_DATABASE} is not set: start the bidder with `copilot dsp serve`")
    clock = os.environ.get(ENV_CLOCK, "wall")
    matcher = None
    if os.environ.get(ENV_RANKER):
        from dsp.matching import load

        matcher = load(Path(os.environ[ENV_RANKER]))
    return create_app(url, clock="replay" if clock == "replay" else "wall", matcher=matcher)


def serve(
    db_url: str,
    *,
    host: str = "127.0.0.1",
    port: int = DEFAULT_PORT,
    workers: int = 1,
    clock: Clock = "wall",
    access_log: bool = False,
    ranker_data: Path | None = None,
) -> None:
    """Serve the bidder with uvicorn, `workers` processes over one database; with `ranker_data` (the
    folder holding the rtb data set) each worker trains the ranker that matches ads to requests."""
    import uvicorn

    make_engine(db_url).dispose()  # the schema made or checked once, before the workers start
    os.environ[ENV_DATABASE] = db_url
    os.environ[ENV_CLOCK] = clock
    if ranker_data is not None:
        os.environ[ENV_RANKER] = str(ranker_data)
    uvicorn.run(
        "dsp.app:app_from_env",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        access_log=access_log,
        log_level="warning",
        timeout_keep_alive=75,
    )


__all__ = ["DEFAULT_PORT", "MAX_BODY_BYTES", "OpenRtb", "app_from_env", "create_app", "parse_request", "serve"]
