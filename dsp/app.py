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

import json
import logging
import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response
from pydantic import ValidationError

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
_HEADERS = {"x-openrtb-version": "2.6"}


def _error(status: int, message: str) -> JSONResponse:
    return JSONResponse({"error": " ".join(message.split())}, status_code=status, headers=_HEADERS)


async def _body(request: Request) -> bytes | JSONResponse:
    """The body, or the 413 for one over MAX_BODY_BYTES (told by its length or as it arrives)."""
    length = request.headers.get("content-length")
    too_big = _error(413, f"the body is over {MAX_BODY_BYTES:,} bytes")
    if length is not None and (not length.isdigit() or int(length) > MAX_BODY_BYTES):
        return too_big
    chunks, seen = [], 0
    async for chunk in request.stream():
        seen += len(chunk)
        if seen > MAX_BODY_BYTES:
            return too_big
        chunks.append(chunk)
    return b"".join(chunks)


def parse_request(raw: bytes) -> BidRequest:
    """A bid request from its JSON, or DspError with one line."""
    try:
        data = json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        raise DspError("the body is not valid JSON") from None
    if not isinstance(data, dict):
        raise DspError("a bid request is a JSON object")
    try:
        return BidRequest.model_validate(data)
    except ValidationError as exc:
        parts = []
        for e in exc.errors()[:3]:
            loc = ".".join(str(x) for x in e.get("loc", ()))
            msg = "is required" if e.get("type") == "missing" else str(e.get("msg", "is invalid"))
            parts.append(f"{loc or 'body'}: {msg}")
        raise DspError("; ".join(parts)) from None


def create_app(db_url: str, *, clock: Clock = "wall", refresh: bool = True, matcher: Matcher | None = None) -> FastAPI:
    """The bidder's app over the database at `db_url` (made at the code's schema if new); `matcher`
    scores the pCTR of (request, creative) pairs that come without one (dsp/matching.py)."""
    engine = make_engine(db_url)
    bidder = Bidder(make_sessionmaker(engine), clock=clock, matcher=matcher)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        if refresh:
            bidder.start()
        try:
            yield
        finally:
            bidder.close()
            engine.dispose()

    app = FastAPI(title="Marketing Copilot DSP", description=__doc__, lifespan=lifespan)
    app.state.bidder = bidder

    @app.post("/openrtb2/bid", summary="An OpenRTB 2.6 bid request: a bid response, or 204")
    async def bid(request: Request) -> Response:
        raw = await _body(request)
        if isinstance(raw, JSONResponse):
            return raw
        try:
            req = parse_request(raw)
            res = bidder.bid(req, str(request.base_url))  # in memory but for a rare reservation: no thread hop
        except DspError as exc:
            return _error(400, str(exc))
        if res is None:
            return Response(status_code=204, headers=_HEADERS)
        return Response(res.model_dump_json(exclude_none=True), media_type="application/json", headers=_HEADERS)

    def notice(kind: str) -> Any:
        async def handle(t: str = "", price: str = "", reason: str = "") -> Response:  # one short transaction
            try:
                if not t:
                    raise NoticeRefused(400, "the notice has no token (t=)")
                if kind in ("win", "billing"):
                    out = bidder.charge(t, price, kind)  # type: ignore[arg-type]
                elif kind == "loss":
                    out = bidder.loss(t)
                else:
                    where = bidder.click(t)
                    return RedirectResponse(where, status_code=302) if where else Response(status_code=204)
            except NoticeRefused as exc:
                log.warning("%s notice refused: %s", kind, exc)
                return _error(exc.status, str(exc))
            except (StoreError, ValueError) as exc:
                log.warning("%s notice refused: %s", kind, exc)
                return _error(400, str(exc))
            return JSONResponse(out, headers=_HEADERS)

        return handle

    for kind in ("win", "billing", "loss", "click"):
        methods = ["GET"] if kind == "click" else ["GET", "POST"]
        app.add_api_route(f"/openrtb2/{kind}", notice(kind), methods=methods, summary=f"The {kind} notice")

    @app.get("/healthz", summary="The process answers")
    def healthz() -> dict[str, str]:
        return {"status": "ok"}

    return app


def app_from_env() -> FastAPI:
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


__all__ = ["DEFAULT_PORT", "MAX_BODY_BYTES", "app_from_env", "create_app", "parse_request", "serve"]
