"""The HTTP API (`copilot serve`): FastAPI over the application core. Every route but the health
checks needs `Authorization: Bearer TOKEN` (copilot/tokens.py); the token's name is the user the
decision log records, on channel "api" (or "web", which the web chat sends). Asking, approving and
the answers go through Copilot.ask and Copilot.resume, the same core and the same `copilot ask --json`
contract as the CLI: this module checks input and roles, maps the core's errors to status codes, and
holds no approval logic.

    GET  /v1/me                           viewer    the token's name, role and what it may do
    POST /v1/ask                          marketer  the contract; `Accept: text/event-stream` streams it
    POST /v1/threads/{thread_id}/approval approver  settle a change: the contract, or 409 (who, when)
    GET  /v1/threads                      viewer    the latest conversations (?user= one user's)
    GET  /v1/threads/{thread_id}          viewer    its runs, its changes, what waits
    GET  /v1/runs/{run_id}/files[/{name}] viewer    an answer's list as CSV and its charts as PNG
    GET  /v1/decisions                    viewer    the decision log (`copilot decisions` filters)
    POST /v1/feedback                     marketer  thumbs up or down on a run
    POST /slack/events, /slack/actions    Slack     signed by Slack (channels/slack.py), when configured
    GET|POST /v1/tokens, DELETE /v1/tokens/{name}  admin
    GET  /healthz, /readyz                none      alive; database and catalog ready
    GET  /docs                            none      OpenAPI
    GET  /, /web/{file}                   none      the web chat (channels/web), a page with no data

Errors are one JSON object, {"error": "one line"}, never a traceback: a marketer's mistake a 4xx, a
fault of the machine the line says what to do about (the model endpoint down: 502; a corrupt, busy or
unwritable file, a bad setting: 503) on every route, a bug a 500 without its message. A request to
/v1/ask that a fault stops is logged as a failed run with its decision row, as the CLI logs it.
"""

from __future__ import annotations

import asyncio
import logging
import queue
import re
import threading
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager, contextmanager
from typing import Annotated, Any, Literal

import anyio
from fastapi import APIRouter, Depends, FastAPI, HTTPException, Path, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import FileResponse, JSONResponse, Response
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import BaseModel, ConfigDict, Field, field_validator
from sse_starlette import EventSourceResponse, ServerSentEvent
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from channels import web
from channels.slack import SlackChannel, SlackConfig
from channels.slack import mount as mount_slack
from copilot import CopilotError, ModelError, SettingsError, StorageError, __version__
from copilot.app import MAX_REQUEST_CHARS, Copilot, log_failed_start
from copilot.approvals import AlreadySettled, FourEyes, NotAllowed, NotWaiting
from copilot.contract import contract_json, json_text
from copilot.log import DecisionFilter, decision_records, parse_since
from copilot.settings import Settings, load_settings
from copilot.tokens import (
    ACTIONS,
    ROLES,
    Action,
    Principal,
    authenticate,
    check_name,
    create_token,
    needed_role,
    revoke,
    tokens,
)
from store import StoreError
from store.decisions import add_feedback, log_summary

log = logging.getLogger("copilot.api")

KEEP_ALIVE_S = 75
POOL_SIZE = 8  # copilots (each its own connections) answering at once in one worker
POOL_WAIT_S = 60.0  # a request waits this long for a free copilot, then gets 503
MAX_BODY_BYTES = 64 * 1024  # far above the longest message (4,000 characters)
_THREAD = r"^[^\x00-\x1f\x7f/]{1,64}$"  # what the decision log can hold as a thread id, no control characters
_VALUE_ERROR = re.compile(r"^(Value error|Assertion failed), ")


class ApiError(Exception):
    """An answer other than 200: its status and one line."""

    def __init__(self, status: int, message: str, **extra: Any) -> None:
        super().__init__(" ".join(message.split()))  # one line, whatever the message held
        self.status = status
        self.extra = extra


class _Unopened(ApiError):
    """No copilot could be opened for the request (a corrupt checkpoints file, a bad setting)."""

    def __init__(self, error: CopilotError) -> None:
        super().__init__(_fault_status(error) or 503, str(error))
        self.error = error


def _fault_status(exc: CopilotError) -> int | None:
    """The status of a fault of the machine (its line says what to do), or None for a marketer's mistake."""
    if isinstance(exc, ModelError):
        return 502  # the model endpoint, upstream of us, failed
    if isinstance(exc, StorageError | SettingsError):
        return 503  # a file or a setting of this server: unavailable until fixed
    return None


# -- bodies -----------------------------------------------------------------------------------


class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)


def _valid_text(value: str | None) -> str | None:
    if value is not None:
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            raise ValueError("holds a lone surrogate (not valid Unicode); send UTF-8 text") from None
    return value


# where a request comes from, for the decision log: the web chat says "web"
Channel = Annotated[Literal["api", "web"], Field(description='"api" (the default) or "web" (the web chat)')]


class AskBody(_Body):
    message: str = Field(description=f"what the marketer asks, at most {MAX_REQUEST_CHARS:,} characters")
    thread_id: str | None = Field(
        default=None, pattern=_THREAD, description="continue this conversation (leave out to start one)"
    )
    channel: Channel = "api"

    @field_validator("message")
    @classmethod
    def _message(cls, value: str) -> str:
        if len(value) > MAX_REQUEST_CHARS:
            raise ValueError(f"the request is {len(value):,} characters; keep it under {MAX_REQUEST_CHARS:,}")
        return str(_valid_text(value))


class ApprovalBody(_Body):
    approve: bool = Field(description="true approves the change, false rejects it")
    change_id: int | None = Field(default=None, ge=1, le=2**31 - 1, description="this change (default: the next)")
    all: bool = Field(default=False, description="each change the thread waits on, one by one")
    channel: Channel = "api"


class FeedbackBody(_Body):
    run_id: int = Field(ge=1, le=2**63 - 1, description="the run (run_id in the contract)")
    up: bool = Field(description="thumbs up (true) or down (false)")
    comment: str | None = Field(default=None, max_length=2000)

    @field_validator("comment")
    @classmethod
    def _comment(cls, value: str | None) -> str | None:
        return _valid_text(value)


class TokenBody(_Body):
    name: str = Field(description="the user the decision log records for this token's requests")
    role: Literal["viewer", "marketer", "approver", "admin"]


class ErrorBody(BaseModel):
    error: str


# -- copilots --------------------------------------------------------------------------------


class CopilotPool:
    """Copilots for the requests of one worker, each used by one request at a time (each holds its own
    database and checkpoint connections, as two CLI processes would); they share the shop's catalog
    and derived arrays. The first is opened at start-up (loading the demo shop on a fresh home)."""

    def __init__(self, settings: Settings, *, size: int = POOL_SIZE, model: Any = None, model_name: str | None = None):
        self.settings = settings
        self.size = size
        self._model = (model, model_name)
        self.base = Copilot(settings, model=model, model_name=model_name, notice=log.warning)
        self._idle: queue.LifoQueue[Copilot] = queue.LifoQueue()
        self._idle.put(self.base)
        self._all = [self.base]
        self._lock = threading.Lock()

    @contextmanager
    def copilot(self) -> Iterator[Copilot]:
        cp = self._take()
        try:
            yield cp
        finally:
            self._idle.put(cp)

    def _take(self) -> Copilot:
        try:
            return self._idle.get_nowait()
        except queue.Empty:
            pass
        with self._lock:
            if len(self._all) < self.size:
                model, name = self._model
                try:
                    cp = Copilot(self.settings, model=model, model_name=name, shop_from=self.base.shop)
                except CopilotError as exc:  # a fault as it opened (the checkpoints file corrupt)
                    raise _Unopened(exc) from exc
                self._all.append(cp)
                return cp
        try:
            return self._idle.get(timeout=POOL_WAIT_S)
        except queue.Empty:
            raise ApiError(503, "the copilot is busy; try again in a moment") from None

    def close(self) -> None:
        for cp in self._all:
            cp.close()


# -- who asks -------------------------------------------------------------------------------

_bearer = HTTPBearer(auto_error=False, description="a token from `copilot token create`")


def _pool(request: Request) -> CopilotPool:
    pool: CopilotPool = request.app.state.pool
    return pool


Pool = Annotated[CopilotPool, Depends(_pool)]


def _principal(pool: Pool, creds: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]) -> Principal:
    who = authenticate(pool.base.sessions, creds.credentials if creds is not None else None)
    if who is None:
        raise ApiError(401, "a valid token is needed: send 'Authorization: Bearer TOKEN' (copilot token create)")
    return who


def _allowed(action: Action) -> Callable[[Principal], Principal]:
    def check(who: Annotated[Principal, Depends(_principal)]) -> Principal:
        if not who.can(action):
            raise ApiError(403, f"token {who.name} is a {who.role}; this needs the {needed_role(action)} role")
        return who

    return check


Reader = Annotated[Principal, Depends(_allowed("read"))]
Asker = Annotated[Principal, Depends(_allowed("ask"))]
Approver = Annotated[Principal, Depends(_allowed("approve"))]
Admin = Annotated[Principal, Depends(_allowed("admin"))]
ThreadId = Annotated[str, Path(pattern=_THREAD, description="the conversation")]
_ERRORS: dict[int | str, dict[str, Any]] = {
    401: {"model": ErrorBody, "description": "no valid token"},
    403: {"model": ErrorBody, "description": "the token's role is not enough"},
    422: {"model": ErrorBody, "description": "a bad body or parameter"},
    503: {"model": ErrorBody, "description": "a file or setting of the server is at fault (corrupt, busy, unwritable)"},
}

# -- routes ----------------------------------------------------------------------------------

router = APIRouter()


def _known(pool: CopilotPool, thread_id: str, hint: str = "") -> None:
    if not pool.base.knows_thread(thread_id):
        raise ApiError(404, f"there is no thread {thread_id}{hint}")


@router.get("/v1/me", summary="Who the token is: its name, its role and what it may do", responses=_ERRORS)
def me(who: Annotated[Principal, Depends(_principal)]) -> Response:
    return _json({"name": who.name, "role": who.role, "can": {action: who.can(action) for action in ACTIONS}})


@router.post(
    "/v1/ask",
    summary="Ask: the `copilot ask --json` contract, or its events with Accept: text/event-stream",
    responses={
        **_ERRORS,
        404: {"model": ErrorBody, "description": "no such thread"},
        502: {"model": ErrorBody, "description": "the model endpoint failed after the retries"},
    },
)
def ask(body: AskBody, who: Asker, pool: Pool, request: Request) -> Response:
    if body.thread_id is not None:
        _known(pool, body.thread_id, "; leave thread_id out to start a conversation")
    kwargs: dict[str, Any] = {
        "thread_id": body.thread_id,
        "channel": body.channel,
        "user": who.name,
        "charts": False,  # a chart file on the server is no use to a caller
        "may_settle": who.can("approve"),
    }
    if "text/event-stream" in request.headers.get("accept", ""):
        return EventSourceResponse(_stream(pool, body.message, kwargs), ping=15)
    return _contract(_asked(pool, body.message, kwargs))


def _asked(pool: CopilotPool, message: str, kwargs: dict[str, Any], on_event: Any = None) -> dict[str, Any]:
    """One ask through the core, as JSON or as a stream. Copilot.ask logs a request a fault stops
    as a failed run with its decision row; one stopped before a copilot could be opened is logged
    here, as the CLI does."""
    try:
        with pool.copilot() as cp:
            return dict(_core(lambda: cp.ask(message, on_event=on_event, **kwargs)))
    except _Unopened as exc:
        log_failed_start(
            pool.settings.db_url,
            text=message,
            thread_id=kwargs["thread_id"],
            channel=kwargs["channel"],
            user=kwargs["user"],
            model=pool.settings.model,
            error=str(exc.error),
        )
        raise


@router.post(
    "/v1/threads/{thread_id}/approval",
    summary="Approve or reject a change the thread waits on: the contract",
    responses={
        **_ERRORS,
        404: {"model": ErrorBody, "description": "no such thread or change"},
        409: {"model": ErrorBody, "description": "nothing waits, or someone settled it first (who, when)"},
    },
)
def approval(thread_id: ThreadId, body: ApprovalBody, who: Approver, pool: Pool) -> Response:
    if body.change_id is not None and body.all:
        raise ApiError(422, "give change_id or all, not both")
    _known(pool, thread_id)
    with pool.copilot() as cp:
        res = _core(
            lambda: cp.resume(
                thread_id,
                approved=body.approve,
                change_id=body.change_id,
                every=body.all,
                user=who.name,
                channel=body.channel,
                charts=False,
            ),
            conflict=True,
        )
    return _contract(res)


@router.get("/v1/threads", summary="The latest conversations, newest first", responses=_ERRORS)
def thread_list(
    who: Reader,
    pool: Pool,
    user: Annotated[str | None, Query(max_length=64, description="only this user's")] = None,
    channel: Annotated[str | None, Query(max_length=16, description="cli, slack, api, web, eval")] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
) -> Response:
    with pool.copilot() as cp:
        return _json({"threads": cp.threads(user=user, channel=channel, limit=limit)})


RunId = Annotated[int, Path(ge=1, le=2**63 - 1, description="a run of the decision log")]


def _run_files(pool: CopilotPool, run_id: int) -> list[dict[str, Any]]:
    with pool.copilot() as cp:
        files = _core(lambda: cp.run_files(run_id))
    if files is None:
        raise ApiError(404, f"there is no run {run_id}")
    return list(files)


@router.get(
    "/v1/runs/{run_id}/files",
    summary="An answer's files: its list as CSV, a chart of each series as PNG",
    responses={**_ERRORS, 404: {"model": ErrorBody, "description": "no such run"}},
)
def run_files(run_id: RunId, who: Reader, pool: Pool) -> Response:
    files = _run_files(pool, run_id)
    return _json(
        {
            "run_id": run_id,
            "files": [
                {**{k: v for k, v in f.items() if k != "path"}, "url": f"/v1/runs/{run_id}/files/{f['name']}"}
                for f in files
            ],
        }
    )


@router.get(
    "/v1/runs/{run_id}/files/{name}",
    summary="One file of an answer (text/csv or image/png)",
    responses={**_ERRORS, 404: {"model": ErrorBody, "description": "no such run or file"}},
)
def run_file(run_id: RunId, name: Annotated[str, Path(max_length=128)], who: Reader, pool: Pool) -> Response:
    found = next((f for f in _run_files(pool, run_id) if f["name"] == name), None)
    if found is None:
        raise ApiError(404, f"run {run_id} has no file {name}")
    csv = found["kind"] == "csv"
    return FileResponse(
        found["path"],
        media_type="text/csv; charset=utf-8" if csv else "image/png",
        filename=name,
        content_disposition_type="attachment" if csv else "inline",
    )


@router.get(
    "/v1/threads/{thread_id}",
    summary="A conversation: its runs, its changes, what waits",
    responses={**_ERRORS, 404: {"model": ErrorBody, "description": "no such thread"}},
)
def thread(thread_id: ThreadId, who: Reader, pool: Pool) -> Response:
    with pool.copilot() as cp:
        found = cp.thread(thread_id)
    if found is None:
        raise ApiError(404, f"there is no thread {thread_id}")
    return _json(found)


@router.get(
    "/v1/decisions", summary="The decision log, newest first (the filters of `copilot decisions`)", responses=_ERRORS
)
def decisions(
    who: Reader,
    pool: Pool,
    limit: Annotated[int, Query(ge=1, le=100_000)] = 20,
    since: Annotated[str | None, Query(max_length=64, description="ISO date or time, or a span: 12h, 7d")] = None,
    agent: Annotated[str | None, Query(max_length=64)] = None,
    tool: Annotated[str | None, Query(max_length=64)] = None,
    status: Annotated[str | None, Query(max_length=16, description="ok, error, rejected, pending, expired")] = None,
    kind: Annotated[str | None, Query(max_length=16, description="route, plan, tool, approval, answer")] = None,
    thread: Annotated[str | None, Query(pattern=_THREAD)] = None,
    channel: Annotated[str | None, Query(max_length=16, description="cli, slack, api, web, eval")] = None,
    run: Annotated[int | None, Query(ge=1, le=2**63 - 1)] = None,
    summary: Annotated[bool, Query(description="per specialist: requests, tool errors, approvals, feedback")] = False,
) -> Response:
    after = _core(lambda: parse_since(since, "since"))
    if summary:
        return _json(log_summary(pool.base.sessions, since=after, channel=channel))
    records = decision_records(
        pool.base.sessions,
        DecisionFilter(
            limit=limit,
            since=after,
            agent=agent,
            tool=tool,
            status=status,
            kind=kind,
            thread=thread,
            channel=channel,
            run=run,
        ),
    )
    return _json({"decisions": records})


@router.post(
    "/v1/feedback",
    status_code=201,
    summary="Thumbs up or down on a run's answer",
    responses={**_ERRORS, 404: {"model": ErrorBody, "description": "no such run"}},
)
def feedback(body: FeedbackBody, who: Asker, pool: Pool) -> Response:
    try:
        fid = add_feedback(pool.base.sessions, body.run_id, up=body.up, comment=body.comment)
    except StoreError as exc:  # the comment's length is checked above: the run is not there
        raise ApiError(404, str(exc)) from exc
    return _json({"feedback_id": fid, "run_id": body.run_id, "rating": "up" if body.up else "down"}, 201)


@router.get("/v1/tokens", summary="The tokens, never their secrets (admin)", responses=_ERRORS)
def token_list(who: Admin, pool: Pool, revoked: bool = False) -> Response:
    return _json({"tokens": tokens(pool.base.sessions, revoked=revoked)})


@router.post(
    "/v1/tokens",
    status_code=201,
    summary="Create a token (admin); its secret is in this answer only",
    responses={**_ERRORS, 409: {"model": ErrorBody, "description": "a live token has that name"}},
)
def token_create(body: TokenBody, who: Admin, pool: Pool) -> Response:
    _core(lambda: check_name(body.name))
    secret, row = _core(lambda: create_token(pool.base.sessions, body.name, body.role), conflict=True)
    return _json({**row, "token": secret}, 201)


@router.delete(
    "/v1/tokens/{name}",
    summary="Revoke a token (admin): it stops working at once",
    responses={**_ERRORS, 404: {"model": ErrorBody, "description": "no live token of that name"}},
)
def token_revoke(name: Annotated[str, Path(max_length=64)], who: Admin, pool: Pool) -> Response:
    try:
        return _json(revoke(pool.base.sessions, name))
    except CopilotError as exc:
        raise ApiError(404, str(exc)) from exc


@router.get("/healthz", summary="The process answers")
def healthz() -> dict[str, str]:
    return {"status": "ok"}


@router.get("/readyz", summary="The database answers and the catalog matches the shop", responses={503: {}})
def readyz(pool: Pool) -> Response:
    state = pool.base.readiness()
    return _json({"status": "ready" if state["ready"] else "not ready", **state}, 200 if state["ready"] else 503)


def create_app(
    settings: Settings | None = None,
    *,
    pool_size: int = POOL_SIZE,
    model: Any = None,
    model_name: str | None = None,
    slack: SlackConfig | None = None,
) -> FastAPI:
    """The API over a copilot home (`settings`, default: the environment's). `model`: a chat model
    to use instead of the configured one (tests). `slack`: the Slack app's settings (default: the
    environment's; with none, no Slack routes)."""
    pool = CopilotPool(settings or load_settings(), size=pool_size, model=model, model_name=model_name)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        try:
            yield
        finally:
            pool.close()

    app = FastAPI(
        title="Marketing Copilot",
        version=__version__,
        description=(
            "Ask about the shop, propose changes and settle them. Send `Authorization: Bearer TOKEN` "
            "(`copilot token create --name NAME --role viewer|marketer|approver|admin`): viewers read, "
            "marketers also ask (and so propose changes), approvers also approve, admins also manage tokens. "
            'Answers follow the `copilot ask --json` contract; errors are `{"error": "one line"}`.'
        ),
        lifespan=lifespan,
    )
    app.state.pool = pool
    app.include_router(router)
    app.include_router(web.router)
    slack = SlackConfig.from_env() if slack is None else slack
    if slack is not None:  # Slack's events and actions, on the same copilots and approval core
        mount_slack(app, SlackChannel(pool, slack))
    _install_errors(app)
    app.add_middleware(_Guard)
    return app


def app_from_env() -> FastAPI:
    """The app of one `copilot serve` worker (uvicorn's factory): the home and model of the environment."""
    return create_app()


# -- what the core says, as HTTP ---------------------------------------------------------------


def _core(call: Callable[[], Any], *, conflict: bool = False) -> Any:
    """Run a call into the core; its one-line errors become statuses (`conflict`: a plain one is a
    409, as for an approval when nothing waits, else a 422)."""
    try:
        return call()
    except AlreadySettled as exc:
        change = exc.change or {}
        raise ApiError(
            409, str(exc), change=change, settled_by=change.get("settled_by"), settled_at=change.get("settled_at")
        ) from exc
    except NotWaiting as exc:
        raise ApiError(404, str(exc)) from exc
    except (FourEyes, NotAllowed) as exc:
        raise ApiError(403, str(exc)) from exc
    except CopilotError as exc:
        raise ApiError(_fault_status(exc) or (409 if conflict else 422), str(exc)) from exc


def _json(value: Any, status: int = 200) -> Response:
    return Response(json_text(value), status_code=status, media_type="application/json")


def _contract(result: dict[str, Any]) -> Response:
    return Response(contract_json(result), media_type="application/json")


async def _stream(pool: CopilotPool, message: str, kwargs: dict[str, Any]) -> AsyncIterator[ServerSentEvent]:
    """The events of one ask as they happen (route, tool_call, tool_result), then pending_approval
    when a change waits, then answer: the whole contract. A failure is one `error` event."""
    loop = asyncio.get_running_loop()
    events: asyncio.Queue[tuple[str, dict[str, Any]]] = asyncio.Queue()

    def on_event(kind: str, data: dict[str, Any]) -> None:
        loop.call_soon_threadsafe(events.put_nowait, (kind, data))

    def work() -> dict[str, Any]:
        return _asked(pool, message, kwargs, on_event)

    task = asyncio.ensure_future(anyio.to_thread.run_sync(work))
    task.add_done_callback(lambda t: t.cancelled() or t.exception())  # a client gone: the run still ends
    while not (task.done() and events.empty()):
        getter = asyncio.ensure_future(events.get())
        await asyncio.wait({getter, task}, return_when=asyncio.FIRST_COMPLETED)
        if getter.done():
            kind, data = getter.result()
            yield ServerSentEvent(_dumps(data), event=kind)
        else:
            getter.cancel()
    try:
        res = task.result()
    except ApiError as exc:
        yield ServerSentEvent(_dumps({"error": str(exc), "status": exc.status, **exc.extra}), event="error")
        return
    except Exception as exc:
        log.error("ask failed: %s", type(exc).__name__)
        yield ServerSentEvent(_dumps({"error": _internal(exc), "status": 500}), event="error")
        return
    if res.get("pending_approval") is not None:
        yield ServerSentEvent(_dumps(res["pending_approval"]), event="pending_approval")
    yield ServerSentEvent(contract_json(res), event="answer")


def _dumps(value: Any) -> str:
    return json_text(value)


def _internal(exc: BaseException) -> str:
    """A bug, said without its message (which could quote a setting): the kind and where to look."""
    return f"internal error ({type(exc).__name__}); the decision log shows what ran, the server log says when"


def _install_errors(app: FastAPI) -> None:
    @app.exception_handler(ApiError)
    async def api_error(_request: Request, exc: ApiError) -> Response:
        headers = {"WWW-Authenticate": "Bearer"} if exc.status == 401 else None
        return JSONResponse({"error": str(exc), **exc.extra}, status_code=exc.status, headers=headers)

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError) -> Response:
        errors = list(exc.errors())
        if any(e.get("type") == "json_invalid" for e in errors):
            return JSONResponse({"error": "the body is not valid JSON"}, status_code=400)
        if any(tuple(e.get("loc", ())) == ("body",) for e in errors):  # the body as a whole
            if "json" not in request.headers.get("content-type", ""):
                return JSONResponse(
                    {"error": "send the body as JSON (Content-Type: application/json)"}, status_code=415
                )
            return JSONResponse({"error": "the body must be a JSON object"}, status_code=422)
        return JSONResponse({"error": _one_line(errors)}, status_code=422)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(_request: Request, exc: StarletteHTTPException) -> Response:
        return JSONResponse({"error": str(exc.detail)}, status_code=exc.status_code, headers=exc.headers)


def _one_line(errors: list[Any]) -> str:
    """Pydantic's errors as one line: "message: String should have at most ...; thread_id: ..."."""
    parts = []
    for e in errors[:5]:
        loc = [str(x) for x in e.get("loc", ()) if x not in ("body", "query", "path")]
        msg = _VALUE_ERROR.sub("", str(e.get("msg", "invalid")))
        if e.get("type") == "missing":
            msg = "is required"
        elif e.get("type") == "extra_forbidden":
            msg = "is not a field here"
        parts.append(f"{'.'.join(loc) or 'body'}: {msg}")
    return "; ".join(parts)


class _TooLarge(HTTPException):
    def __init__(self) -> None:
        super().__init__(413, f"the body is over {MAX_BODY_BYTES:,} bytes")


class _Guard:
    """Outermost: a body over MAX_BODY_BYTES is refused (by its Content-Length, or as it arrives); a
    fault of the machine a route meets outside the core (the shop's database busy or corrupt as the
    log is read) is its one line with its status, as the core's faults are; a bug is one JSON line out
    and one line in the server's log, with no traceback and no message."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        length = dict(scope.get("headers") or []).get(b"content-length")
        if length is not None and (not length.isdigit() or int(length) > MAX_BODY_BYTES):
            await JSONResponse({"error": str(_TooLarge().detail)}, status_code=413)(scope, receive, send)
            return
        seen = 0
        started = False

        async def counted() -> Message:
            nonlocal seen
            message = await receive()
            seen += len(message.get("body", b""))
            if seen > MAX_BODY_BYTES:
                raise _TooLarge
            return message

        async def sending(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counted, sending)
        except Exception as exc:
            fault = _fault_of(scope, exc)
            if fault is not None:
                log.warning("%s %s: %s", scope.get("method"), scope.get("path"), fault)
            else:
                log.error("%s %s failed: %s", scope.get("method"), scope.get("path"), type(exc).__name__)
            if not started:
                body, status = (
                    ({"error": str(fault)}, fault.status) if fault is not None else ({"error": _internal(exc)}, 500)
                )
                await JSONResponse(body, status_code=status)(scope, receive, send)


def _fault_of(scope: Scope, exc: BaseException) -> ApiError | None:
    """`exc` as the core tells a fault a marketer can meet (copilot/faults.py), or None: a bug."""
    pool = getattr(getattr(scope.get("app"), "state", None), "pool", None)
    err = pool.base.user_error(exc) if isinstance(pool, CopilotPool) else None
    return ApiError(_fault_status(err) or 422, str(err)) if err is not None else None


# -- copilot serve -----------------------------------------------------------------------------


def serve(*, host: str = "127.0.0.1", port: int = 8000, workers: int = 1, access_log: bool = True) -> None:
    """Load the shop if needed, then serve the API with uvicorn (`workers` processes)."""
    import sys

    import uvicorn

    settings = load_settings()
    cp = Copilot(
        settings,
        progress=lambda msg: print(f"demo shop: {msg}", file=sys.stderr),
        notice=lambda msg: print(msg, file=sys.stderr),  # what the start-up repaired, in one line
    )
    try:
        state = cp.readiness()
        live = tokens(cp.sessions)
    finally:
        cp.close()
    if not state["ready"]:
        raise CopilotError(f"not ready to serve: {state['error']}")
    if not live:
        print(
            "no token yet: create one with `copilot token create --name NAME --role admin` "
            f"(roles: {', '.join(ROLES)})",
            file=sys.stderr,
        )
    if host not in ("127.0.0.1", "localhost", "::1"):
        print(f"serving plain HTTP on {host}: put a TLS proxy in front of it", file=sys.stderr)
    uvicorn.run(
        "channels.api:app_from_env",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        access_log=access_log,
        log_level="info",
        # longer than a client's idle keep-alive (httpx and browsers: 5 s and more), so that the server
        # never closes a connection just as a client sends on it again (uvicorn's default is also 5 s)
        timeout_keep_alive=KEEP_ALIVE_S,
    )


__all__ = ["CopilotPool", "create_app", "serve"]
