"""The copilot as one object: opens the shop (loading the demo shop on first use), the model and
the graph, and answers requests with the `copilot ask --json` contract."""

from __future__ import annotations

import sqlite3
import uuid
from collections.abc import Callable, Mapping
from contextlib import nullcontext, suppress
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Any, NoReturn, TypeVar

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, HumanMessage
from langgraph.types import Command
from sqlalchemy import func, select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import sessionmaker

from copilot import CopilotError
from copilot.approvals import (
    Actor,
    AlreadySettled,
    ApprovalError,
    NotAllowed,
    NotWaiting,
    Policy,
    Settlement,
    claim_orphan,
    describe_settled,
    expire_overdue,
    settle,
)
from copilot.approvals import pending as list_pending
from copilot.attachments import attachment_lines, check_export_path, make_attachments
from copilot.checkpoints import open_checkpoints
from copilot.faults import os_fault, user_error
from copilot.models import make_chat_model
from copilot.settings import Settings, load_settings
from dmp.audiences import names as audience_names
from graphs import build_graph, events_of, forget_before_turn
from offline import (
    OfflineChatModel,
    asks_to_skip_approval,
    is_chinese,
    partial_reply,
    pending_reply,
    stated_words,
    wants_file,
    wording,
)
from offline.intent import set_cache_dir
from store import StoreError
from store.catalog import check_catalog, shop_facts
from store.catalog import marked as catalog_marked
from store.clean import readable
from store.db import Product, Run, make_engine, make_sessionmaker
from store.decisions import (
    decisions_of_run,
    end_run,
    fail_run,
    log_decision_now,
    log_failed_request,
    open_run_of_thread,
    runs_of_thread,
    start_run,
)
from store.decisions import (
    threads as list_threads,
)
from store.delivery import upgrade as upgrade_delivery
from store.journeys import ShopJourneys, import_journeys
from store.media import MediaHistory, import_media
from store.orders import columns_for
from store.pending import release_resume, rows_by_id, rows_of_batch, rows_of_thread, view
from store.shop import DEMO_PACES, ImportReport, import_orders, is_loaded, load_demo_shop
from tools import Shop, ToolFailure
from tools.base import (
    campaign_list,
    campaign_named,
    exporting,
    name_as_id,
    product_choices,
    product_lead,
    product_named,
    products_holding,
)
from tools.profiling import search_text
from vectorstore import catalog_collection

MAX_REQUEST_CHARS = 4000
MAX_ID_CHARS = 64  # a thread id or a user name, as the decision log stores them
Listener = Callable[[str, dict[str, Any]], None]  # (event kind, its data): see graphs/events.py


def _make_home(settings: Settings) -> None:
    if settings.home.exists() and not settings.home.is_dir():
        raise CopilotError(f"COPILOT_HOME {settings.home} is a file; point it at a folder")
    try:
        settings.home.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise os_fault(exc) or exc from exc


def check_thread_id(thread_id: str) -> str:
    """A thread id as given, or a CopilotError saying what one looks like."""
    if not 0 < len(thread_id) <= MAX_ID_CHARS or not thread_id.isprintable() or thread_id != thread_id.strip():
        raise CopilotError(
            f"a thread id is 1 to {MAX_ID_CHARS} printable characters without spaces around them "
            "(as printed after an answer: thread ID)"
        )
    return thread_id


def log_failed_start(
    db_url: str, *, text: str, thread_id: str | None, channel: str, user: str, model: str, error: str
) -> int | None:
    """A request that failed before the copilot could open (a bad setting, a corrupt checkpoints
    file): logged in the shop's database as a run that failed, with its decision row. None when
    that database cannot be written either (the one-line error is all there is then)."""
    try:
        engine = make_engine(db_url)
    except (SQLAlchemyError, sqlite3.Error, OSError):
        return None
    try:
        return log_failed_request(
            make_sessionmaker(engine),
            thread_id=thread_id or uuid.uuid4().hex[:12],
            channel=channel,
            user=user,
            request=text,
            model=model,
            error=error,
        )
    except (SQLAlchemyError, sqlite3.Error, OSError):
        return None
    finally:
        engine.dispose()


def import_order_file(
    path: Path,
    *,
    mapping: Mapping[str, str] | None = None,
    date_format: str | None = None,
    settings: Settings | None = None,
    progress: Callable[[str], None] | None = None,
) -> ImportReport:
    """Replace the shop's products, customers and orders with a file of the marketer's own order
    lines (`mapping`: the file's COLUMN -> our field, over Online Retail's column names), in one
    transaction, then rebuild what is derived from them. Opens no model: a fresh home does not load
    the demo shop first."""
    settings = settings or load_settings()
    _make_home(settings)
    engine = make_engine(settings.db_url)
    try:
        shop = Shop(make_sessionmaker(engine), settings.chroma_path, cache_dir=settings.home / "cache")
        report = import_orders(
            shop.sessions, shop.chroma, path, columns=columns_for(mapping), date_format=date_format, progress=progress
        )
        _ = shop.sales  # derived arrays are keyed by the new data set's stamp: written now, for a fast first answer
    except StoreError as exc:
        raise CopilotError(str(exc)) from exc
    finally:
        engine.dispose()
    return report


_Imported = TypeVar("_Imported")


def _import_file(
    replace_with: Callable[[sessionmaker, Path], _Imported], path: Path, settings: Settings | None
) -> _Imported:
    """A table of the shop replaced by a file's rows in one transaction, its error told in one line.
    Opens no model and loads no demo shop: a fresh home gets the schema and the file only."""
    settings = settings or load_settings()
    _make_home(settings)
    engine = make_engine(settings.db_url)
    try:
        return replace_with(make_sessionmaker(engine), path)
    except StoreError as exc:
        raise CopilotError(str(exc)) from exc
    finally:
        engine.dispose()


def import_media_file(path: Path, *, settings: Settings | None = None) -> MediaHistory:
    """Replace the shop's media history (weekly sales, spend per channel, controls) with a file's, in
    one transaction (store/media.py)."""
    return _import_file(import_media, path, settings)


def import_journeys_file(path: Path, *, settings: Settings | None = None) -> ShopJourneys:
    """Replace the shop's journeys (paths of channel touches, their conversions, value and nulls) with
    a file's, in one transaction (store/journeys.py), for channel_attribution."""
    return _import_file(import_journeys, path, settings)


class Copilot:
    def __init__(
        self,
        settings: Settings | None = None,
        *,
        model: BaseChatModel | None = None,
        model_name: str | None = None,
        progress: Callable[[str], None] | None = None,
        shop_from: Shop | None = None,
        notice: Callable[[str], None] | None = None,
    ) -> None:
        """`shop_from`: a shop whose catalog and derived arrays this copilot shares, its database
        being a copy of that shop's (how evals/runner.py gives each case a fresh shop cheaply).
        `notice`: told, in one line, what the start-up repaired (a catalog that disagreed with the
        shop); `progress`: told how a first load goes."""
        self.settings = settings or load_settings()
        try:
            self._open_shop(progress, shop_from, notice)
        except BaseException as exc:
            if hasattr(self, "engine"):
                self.engine.dispose()
            self._reraise(exc)
        if model is None:
            model, model_name = make_chat_model(self.settings)
        if isinstance(model, OfflineChatModel):
            set_cache_dir(self.settings.home / "cache")
        if isinstance(model, OfflineChatModel) and model.stock_codes is None:
            model = model.model_copy(  # `85123A`, `the regency cakestand` -> its product
                update={
                    "stock_codes": self._stock_codes,
                    "product_named": self._product_named,
                    "product_choices": self._product_choices,
                    "product_lead": self._product_lead,
                    "campaign_named": self._campaign_named,
                    "campaigns": self._campaigns,
                    "name_as_id": self._name_as_id,
                    "products_of_kind": self._products_of_kind,
                    "shop_today": self._today,
                    "audiences": self._audiences,
                }
            )
        self.model_name = model_name or "custom"
        self.policy = Policy(ttl=self.settings.approval_ttl, four_eyes_above_pct=self.settings.four_eyes_above_pct)
        try:
            self.checkpoints = open_checkpoints(self.settings.db_url, self.settings.checkpoint_path)
        except BaseException:
            self.engine.dispose()
            raise
        self._conn = self.checkpoints.conn
        self.graph = build_graph(
            model,
            self.shop,
            model_name=self.model_name,
            checkpointer=self.checkpoints,
            approval_ttl=self.policy.ttl,
        )

    def _open_shop(
        self,
        progress: Callable[[str], None] | None,
        shop_from: Shop | None,
        notice: Callable[[str], None] | None,
    ) -> None:
        _make_home(self.settings)
        self.engine = make_engine(self.settings.db_url)
        self.sessions = make_sessionmaker(self.engine)
        self.shop = (
            replace(shop_from, sessions=self.sessions, check_catalog=False)  # a copy of a checked shop
            if shop_from is not None
            else Shop(self.sessions, self.settings.chroma_path, cache_dir=self.settings.home / "cache", notice=notice)
        )
        with self.sessions() as s:
            loaded = is_loaded(s)
        if not loaded:
            self.init(progress=progress)
        elif upgrade_delivery(self.sessions, DEMO_PACES) and progress is not None:
            progress("reseeded the demo campaigns' simulated delivery (the delivery model is new)")
        if shop_from is None and not catalog_marked(self.sessions, self.settings.chroma_path):
            _ = self.shop.chroma  # the catalog is not the one the shop's last load built: checked, repaired

    def check_catalog(self) -> str:
        """The full catalog check (`copilot init` makes it): one line saying what was repaired, or
        that the catalog holds the shop's products."""
        said: list[str] = []
        if "chroma" in self.shop.__dict__:  # opened (and checked) already: check again
            line = check_catalog(self.sessions, self.shop.chroma)
            said += [line] if line else []
        else:  # opening it checks it
            notice, self.shop.notice = self.shop.notice, said.append
            try:
                _ = self.shop.chroma
            finally:
                self.shop.notice = notice
        if said:
            return said[0]
        facts = shop_facts(self.sessions)
        return f"catalog: {facts.documents if facts else 0:,} documents, built from the shop's products"

    def user_error(self, exc: BaseException) -> CopilotError | None:
        """`exc` as the one line a marketer can act on (a CopilotError), or None when it is a bug."""
        return user_error(exc, db_url=self.settings.db_url, checkpoints=self.settings.checkpoint_path)

    def _reraise(self, exc: BaseException) -> NoReturn:
        """Raise `exc` as the one line a marketer can act on, or as it is when it is a bug."""
        err = self.user_error(exc)
        if err is None or err is exc:
            raise exc
        if getattr(exc, "_copilot_logged", False):
            err._copilot_logged = True  # type: ignore[attr-defined]
        raise err from exc

    def _fail(self, exc: BaseException, run_id: int | None, **request: str) -> CopilotError | None:
        """Log a failure once, as the decision row of the run it ends (`run_id`), or as a run of its
        own for a request that failed before its run started (`request`: request, thread_id, channel,
        user). Returns the error to show (None: a bug, shown as one)."""
        err = self.user_error(exc)
        if getattr(exc, "_copilot_logged", False):
            return err
        if err is not None:
            line = str(err)
        elif isinstance(exc, KeyboardInterrupt):
            line = "interrupted (Ctrl-C) before the answer"
        else:
            line = f"internal error ({type(exc).__name__}: {exc})"
        try:
            if run_id is not None:
                fail_run(self.sessions, run_id, line)
            elif request:
                log_failed_request(self.sessions, model=self.model_name, error=line, **request)
        except (SQLAlchemyError, sqlite3.Error, OSError):  # the log cannot be written: the line says why
            pass
        with suppress(AttributeError):
            exc._copilot_logged = True  # type: ignore[attr-defined]
        return err

    def init(self, *, force: bool = False, progress: Callable[[str], None] | None = None) -> ImportReport:
        try:
            report = load_demo_shop(self.sessions, self.shop.chroma, force=force, progress=progress)
        except StoreError as exc:
            raise CopilotError(str(exc)) from exc
        if not report.skipped:
            self.shop.forget()
            _ = self.shop.sales  # write the sales cache now, so the first question is fast
        return report

    def close(self) -> None:
        self._conn.close()
        self.engine.dispose()

    def _stock_codes(self) -> dict[str, int]:
        return self.shop.stock_codes()

    def _product_named(self, text: str) -> int | None:
        return product_named(self.shop, text)

    def _product_choices(self, text: str) -> tuple[int, list[tuple[int, str]]]:
        return product_choices(self.shop, text)

    def _product_lead(self, text: str) -> tuple[int, str, int, float] | None:
        return product_lead(self.shop, text)

    def _audiences(self) -> list[str]:
        with self.sessions() as s:
            return audience_names(s)

    def _name_as_id(self, text: str) -> str:
        return name_as_id(self.shop, text)

    def _products_of_kind(self, kind: str) -> list[int]:
        try:
            return products_holding(self.shop, search_text(kind)[0])[1]
        except ToolFailure:  # Chinese words the glossary does not hold
            return []

    def _campaign_named(self, text: str, channels: list[str]) -> int | None:
        return campaign_named(self.shop, text, channels)

    def _campaigns(self) -> list[tuple[int, str]]:
        return campaign_list(self.shop)

    def _today(self) -> date:
        return self.shop.today

    def ask(
        self,
        text: str,
        *,
        thread_id: str | None = None,
        channel: str = "cli",
        user: str = "marketer",
        export: Path | str | None = None,
        charts: bool = True,
        may_settle: bool = True,
        on_event: Listener | None = None,
    ) -> dict[str, Any]:
        """Answer one message. On a thread with changes waiting for approval, a yes or no settles
        every change listed (each on its own, as `resume(every=True)`); anything else first rejects
        them, says so, then is answered. With `may_settle` False (a caller who may not approve), a
        yes or no to waiting changes is refused (NotAllowed) and nothing is settled.

        `export`: a .csv file the list in the answer is written to (checked before anything runs),
        with the charts beside it; `charts`: draw a chart of each series in the answer (beside the
        export, else in COPILOT_HOME/exports/RUN_ID/) and name it in the answer. The result's
        `attachments` lists what was written. `on_event`: told each route, tool call and tool result
        as the graph makes them (graphs/events.py), from this thread.

        Whatever fails is logged as a run that failed, with its decision row (the run is closed, not
        left open), and raised as one CopilotError line that says what to do when it is a fault a
        marketer can meet (the model endpoint down, a corrupt or unwritable file); anything else is
        a bug and raised as it is. Text with lone surrogates is read with U+FFFD in their place."""
        text = readable(text)
        thread_id = check_thread_id(thread_id) if thread_id is not None else uuid.uuid4().hex[:12]
        opened: list[int] = []
        try:
            return self._ask(
                text,
                thread_id,
                opened,
                channel=channel,
                user=user,
                export=export,
                charts=charts,
                may_settle=may_settle,
                on_event=on_event,
            )
        except ApprovalError:  # about a change someone settled (or may not settle): the pending row is its record
            raise
        except BaseException as exc:
            request = {"request": text, "thread_id": thread_id, "channel": channel, "user": user}
            self._fail(exc, opened[0] if opened else None, **request)
            self._reraise(exc)

    def _ask(
        self,
        text: str,
        thread_id: str,
        opened: list[int],
        *,
        channel: str,
        user: str,
        export: Path | str | None,
        charts: bool,
        may_settle: bool,
        on_event: Listener | None,
    ) -> dict[str, Any]:
        if len(text) > MAX_REQUEST_CHARS:
            raise CopilotError(f"the request is {len(text):,} characters; keep it under {MAX_REQUEST_CHARS:,}")
        target = check_export_path(export) if export is not None else None
        dropped = None
        waiting = self._waiting(thread_id) if text.strip() else None
        if waiting is not None:
            if rows := self._waiting_rows(thread_id, waiting):
                reply = pending_reply(text)
                each = partial_reply(text, rows) if reply is None else None  # "approve 2 and 3, leave 1"
                if (reply is not None or each) and not may_settle:
                    raise NotAllowed(
                        f"thread {thread_id} is waiting for approval and {reply or 'that reply'!r} would settle it; "
                        f"{user} may not approve or reject changes"
                    )
                if reply is not None or each:
                    return self.resume(
                        thread_id,
                        approved=reply == "yes",
                        every=True,
                        decisions=each,
                        user=user,
                        channel=channel,
                        export=target,
                        charts=charts,
                        on_event=on_event,
                    )
                dropped = self.resume(
                    thread_id, approved=False, every=True, user=user, channel=channel, charts=False, reason="dropped"
                )
            # its changes expired, or a process stopped before resuming: the old run ends first; a resume
            # someone else is running now is waited for
            elif self._recover(thread_id, waiting) is None and self._waiting(thread_id) is not None:
                raise CopilotError(
                    f"thread {thread_id} is finishing a change someone just settled; send your message again "
                    "in a moment"
                )
        run_id = start_run(
            self.sessions,
            thread_id=thread_id,
            channel=channel,
            user=user,
            request=text,
            model=self.model_name,
        )
        opened.append(run_id)
        if not text.strip():
            answer = 'Please tell me what you need, for example "which customers are about to lapse?"'
            log_decision_now(self.sessions, run_id, "answer", agent_name="supervisor", result={"answer": answer})
            end_run(self.sessions, run_id, answer)
            return self._result(thread_id, run_id, route=[], answer=answer, pending=None)
        config = self._config(thread_id, run_id)
        forget = forget_before_turn(self.graph.get_state(config).values.get("messages", []))
        start = {"messages": [*forget, HumanMessage(text)], "route": [], "agent": None, "tool_rounds": 0}
        as_file = target is None and wants_file(text)  # "export that", "导出法国客户名单": a file, named in the answer
        with exporting() if target is not None or as_file else nullcontext():
            self._invoke(start | {"queue": [], "task": None, "note": None}, config, run_id, on_event)
        result = self._finish(thread_id, run_id, config, export=target, charts=charts, as_file=as_file)
        if dropped is not None:
            result["answer"] = _dropped_notice(dropped, is_chinese(text)) + "\n\n" + result["answer"]
            result["dropped_run_id"] = dropped["run_id"]
        return result

    def resume(
        self,
        thread_id: str,
        *,
        approved: bool,
        change_id: int | None = None,
        every: bool = False,
        decisions: dict[int, bool] | None = None,
        user: str = "marketer",
        channel: str = "cli",
        export: Path | str | None = None,
        charts: bool = True,
        reason: str | None = None,
        on_event: Listener | None = None,
    ) -> dict[str, Any]:
        """Approve or reject a change `thread_id` is waiting on, as `user` on `channel`, through the
        approval core: the next change (oldest first), `change_id`, or with `every` each change
        waiting (each settled on its own); `decisions` ({change id: approved}) settles those changes
        each its own way, whatever `approved` says. Once none is pending the graph resumes and the run ends;
        until then the result's `pending_approval` is the next change. Someone else settling a change
        first raises AlreadySettled ("already approved by X at T"); an approval of a change whose
        target moved since it was shown writes nothing and proposes a fresh preview instead.
        (`export`, `charts`, `on_event`: as for `ask`; `reason`: why a rejection happened, for the log.)

        A fault after a change was settled is logged on its run, as `ask` does; one before leaves
        the change pending, as it was. Either is raised as one CopilotError line."""
        check_thread_id(thread_id)
        try:
            return self._resume(
                thread_id,
                approved=approved,
                change_id=change_id,
                every=every,
                decisions=decisions,
                user=user,
                channel=channel,
                export=export,
                charts=charts,
                reason=reason,
                on_event=on_event,
            )
        except ApprovalError:
            raise
        except BaseException as exc:
            self._reraise(exc)

    def _resume(
        self,
        thread_id: str,
        *,
        approved: bool,
        change_id: int | None,
        every: bool,
        decisions: dict[int, bool] | None,
        user: str,
        channel: str,
        export: Path | str | None,
        charts: bool,
        reason: str | None,
        on_event: Listener | None,
    ) -> dict[str, Any]:
        target = check_export_path(export) if export is not None else None
        actor = Actor(user, channel)
        waiting = self._waiting(thread_id)
        rows = self._waiting_rows(thread_id, waiting) if waiting is not None else []
        if decisions:
            chosen = [r for r in rows if r["id"] in decisions]
            if len(chosen) != len(decisions):
                self._explain(thread_id, next(i for i in decisions if i not in {r["id"] for r in rows}), waiting)
        elif change_id is not None:
            chosen = [r for r in rows if r["id"] == change_id]
            if not chosen:
                self._explain(thread_id, change_id, waiting)
        elif rows:
            chosen = rows if every else rows[:1]
        else:
            self._explain(thread_id, None, waiting)
        done: list[Settlement] = []
        notes: list[str] = []
        for row in chosen:
            try:
                ok = decisions[row["id"]] if decisions else approved
                done.append(settle(self.shop, row["id"], approve=ok, actor=actor, policy=self.policy, reason=reason))
            except ApprovalError as exc:
                if len(chosen) == 1:
                    raise
                notes.append(str(exc))
        if not done:
            raise ApprovalError("; ".join(notes))
        return self._after_settling(thread_id, done, notes, export=target, charts=charts, on_event=on_event)

    def pending(self, thread_id: str | None = None) -> list[dict[str, Any]]:
        """The changes waiting for approval (of one thread, or all), oldest first; those past their
        expiry are settled as expired first."""
        return list_pending(self.sessions, thread_id=check_thread_id(thread_id) if thread_id is not None else None)

    def _invoke(
        self, payload: Any, config: dict[str, Any], run_id: int | None, on_event: Listener | None = None
    ) -> None:
        """Run the graph; whatever goes wrong, the run is closed with its error's decision row."""
        try:
            self._run_graph(payload, config, on_event)
        except BaseException as exc:
            self._fail(exc, run_id)
            raise
        finally:
            self._prune(config)

    def _prune(self, config: dict[str, Any]) -> None:
        """The thread keeps only what its next run reads (copilot/checkpoints.py). A prune that cannot
        run now (the file busy) is left to the next run: it only keeps more than needed."""
        with suppress(CopilotError):
            self.checkpoints.prune([str(config["configurable"]["thread_id"])])

    def _run_graph(self, payload: Any, config: dict[str, Any], on_event: Listener | None) -> None:
        """Run the graph to its end or its next pause, telling `on_event` what happens as it does (a
        listener that fails is told nothing more; the run goes on)."""
        if on_event is None:
            self.graph.invoke(payload, config, durability="exit")
            return
        listening = True
        for update in self.graph.stream(payload, config, durability="exit", stream_mode="updates"):
            for kind, data in events_of(update) if listening else []:
                try:
                    on_event(kind, data)
                except Exception:
                    listening = False
                    break

    def thread(self, thread_id: str, *, limit: int = 100) -> dict[str, Any] | None:
        """A conversation as data, or None when no run has that thread id: its runs (requests and
        answers, oldest first, the latest `limit`), every change proposed on it (changes past their
        expiry settled first) and the `pending_approval` of the contract."""
        runs = runs_of_thread(self.sessions, thread_id, limit=limit)
        if not runs:
            return None
        expire_overdue(self.sessions, thread_id=thread_id)
        return {
            "thread_id": thread_id,
            "runs": runs,
            "changes": [view(r) for r in rows_of_thread(self.sessions, thread_id)],
            "pending_approval": self._pending(self._config(thread_id, None)),
        }

    def threads(self, *, user: str | None = None, channel: str | None = None, limit: int = 50) -> list[dict[str, Any]]:
        """The latest conversations, newest first (of one user or channel): id, first request, runs, last time."""
        return list_threads(self.sessions, user=user, channel=channel, limit=limit)

    def run_files(self, run_id: int) -> list[dict[str, Any]] | None:
        """The files of a run's answer, written now beside the CLI's (exports/RUN_ID): its list as a CSV
        and a chart of each series, each with its file `name`; None when there is no such run."""
        if not self.knows_run(run_id):
            return None
        calls = _tool_calls(decisions_of_run(self.sessions, run_id))
        files = make_attachments(calls, chart_dir=self.settings.home / "exports" / str(run_id), list_file=True)
        return [{**f, "name": Path(f["path"]).name} for f in files]

    def knows_run(self, run_id: int) -> bool:
        """Whether a run has this id."""
        with self.sessions() as s:
            return s.get(Run, run_id) is not None

    def knows_thread(self, thread_id: str) -> bool:
        """Whether any run has this thread id."""
        return bool(runs_of_thread(self.sessions, thread_id, limit=1))

    def readiness(self) -> dict[str, Any]:
        """Whether the copilot can answer: the database answers, the shop is loaded and the catalog
        holds one document per product. `ready`, and the one-line `error` when not."""
        try:
            with self.sessions() as s:
                loaded = is_loaded(s)
                products = int(s.scalar(select(func.count()).select_from(Product)) or 0)
        except SQLAlchemyError as exc:
            return {"ready": False, "error": f"the database does not answer ({type(exc).__name__})"}
        if not loaded:
            return {"ready": False, "error": "no shop is loaded: run `copilot init`"}
        try:
            documents = int(catalog_collection(self.shop.chroma).count())
        except Exception as exc:  # chromadb raises its own kinds
            return {"ready": False, "error": f"the catalog cannot be read ({type(exc).__name__})", "products": products}
        state = {"products": products, "catalog_documents": documents}
        if documents != products:
            return {
                "ready": False,
                "error": f"the catalog holds {documents:,} documents for {products:,} products: run `copilot init --force`",
                **state,
            }
        return {"ready": True, **state}

    # -- helpers ---------------------------------------------------------------------------
    def _config(self, thread_id: str, run_id: int | None) -> dict[str, Any]:
        return {"configurable": {"thread_id": thread_id, "run_id": run_id}, "recursion_limit": 25}

    def _waiting(self, thread_id: str, state: Any = None) -> dict[str, Any] | None:
        """What the thread's graph is paused on (its interrupt value), or None."""
        state = state or self.graph.get_state(self._config(thread_id, None))
        for task in state.tasks:
            for intr in task.interrupts:
                return dict(intr.value)
        return None

    def _pending(self, config: dict[str, Any], state: Any = None) -> dict[str, Any] | None:
        """The `pending_approval` of the contract: the changes of the batch the thread waits on that
        are still pending, each with its row id; the first one's id, target, field, from, to and
        expiry at the top (the next one `copilot approve` settles). None when nothing waits."""
        value = self._waiting(config["configurable"]["thread_id"], state)
        if value is None or "batch" not in value:
            return None
        rows = [r for r in rows_of_batch(self.sessions, value["batch"]) if r.state == "pending"]
        if not rows:
            return None
        views = [view(r) for r in rows]
        first = views[0]
        return {
            "agent": value.get("agent"),
            "changes": [{**(r.preview or {}), "pending_id": r.id} for r in rows],
            "tool_calls": value.get("tool_calls", []),
            "batch": value["batch"],
            **{k: first[k] for k in ("id", "target", "field", "from", "to", "change_pct", "warnings", "expires_at")},
            "proposed_by": first["proposed_by"],
            "pending": views,
        }

    def _waiting_rows(self, thread_id: str, waiting: dict[str, Any]) -> list[dict[str, Any]]:
        """The changes still pending in the batch the thread waits on, after settling overdue ones
        as expired. A pause from before pending rows existed is proposed again first."""
        expire_overdue(self.sessions, thread_id=thread_id)
        batch = waiting.get("batch")
        if batch is None:  # a pause checkpointed by an older version: its node proposes the rows now
            run_id = open_run_of_thread(self.sessions, thread_id)
            self._invoke(Command(resume={}), self._config(thread_id, run_id), run_id)
            again = self._waiting(thread_id)
            batch = again.get("batch") if again is not None else None
            if batch is None:
                return []
        return [view(r) for r in rows_of_batch(self.sessions, batch) if r.state == "pending"]

    def _explain(self, thread_id: str, change_id: int | None, waiting: dict[str, Any] | None) -> None:
        """Nothing (or not that change) is waiting: finish a pause nobody will resume, then say why
        in one line ("change #12 was already approved by bob (cli) at T")."""
        if waiting is not None:
            self._recover(thread_id, waiting)
        if change_id is not None:
            row = rows_by_id(self.sessions, [change_id]).get(change_id)
            if row is None or row.thread_id != thread_id:
                raise NotWaiting(f"change #{change_id} is not a change of thread {thread_id}")
            raise AlreadySettled(describe_settled(view(row)), view(row))
        settled = [r for r in rows_of_thread(self.sessions, thread_id) if r.state != "pending"]
        if settled:
            last = view(max(settled, key=lambda r: (r.settled_at or r.created_at, r.id)))
            raise AlreadySettled(f"thread {thread_id} has nothing waiting for approval: {describe_settled(last)}", last)
        raise CopilotError(f"thread {thread_id} has nothing waiting for approval")

    def _recover(self, thread_id: str, waiting: dict[str, Any]) -> dict[str, Any] | None:
        """Resume a pause whose changes are all settled but which nobody resumed (they expired, or
        the process that settled the last one stopped first): claimed once, then finished."""
        batch = str(waiting.get("batch") or "")
        rows = rows_of_batch(self.sessions, batch) if batch else []
        if not rows or any(r.state == "pending" for r in rows) or not claim_orphan(self.sessions, batch, self.policy):
            return None
        return self._resume_graph(thread_id, rows[0].run_id, batch, [], [])

    def _after_settling(
        self,
        thread_id: str,
        done: list[Settlement],
        notes: list[str],
        *,
        export: Path | None = None,
        charts: bool = True,
        on_event: Listener | None = None,
    ) -> dict[str, Any]:
        """After settling: the caller that claimed the resume runs the graph to its end; otherwise
        the answer says what was settled and what still waits (a stale change's fresh preview too)."""
        batch = done[0].batch
        run_id = done[0].change["run_id"]
        if any(d.resume for d in done):
            return self._resume_graph(
                thread_id, run_id, batch, done, notes, export=export, charts=charts, on_event=on_event
            )
        config = self._config(thread_id, run_id)
        state = self.graph.get_state(config)
        pending = self._pending(config, state)
        zh = is_chinese(self._request_of(run_id))
        answer = "\n\n".join(
            [*(wording.settlement_text(d.change, d.outcome, d.fresh, zh) for d in done), *notes]
            + ([wording.describe_pending(pending["changes"], zh, [None] * len(pending["changes"]))] if pending else [])
        )
        route = list(state.values.get("route", []))
        res = self._result(thread_id, run_id, route=route, answer=answer, pending=pending)
        res["settled"] = [_settled(d) for d in done]
        return res

    def _resume_graph(
        self,
        thread_id: str,
        run_id: int | None,
        batch: str,
        done: list[Settlement],
        notes: list[str],
        *,
        export: Path | None = None,
        charts: bool = True,
        on_event: Listener | None = None,
    ) -> dict[str, Any]:
        """Run the graph on from its pause (this caller claimed it). A model failure after a change
        was written still reports the change as applied; the claim is let go, so the next message on
        the thread finishes the pause."""
        config = self._config(thread_id, run_id)
        shown = len(_answers(self.graph.get_state(config).values["messages"]))  # said before the pause
        try:
            try:
                self._run_graph(Command(resume={"settled": [d.change["id"] for d in done]}), config, on_event)
            finally:
                self._prune(config)
        except Exception as exc:
            release_resume(self.sessions, batch)
            applied = [r for r in rows_of_batch(self.sessions, batch) if r.applied_at is not None]
            if run_id is None or not applied:
                self._fail(exc, run_id)
                raise
            zh = is_chinese(self._request_of(run_id))
            err = self.user_error(exc)
            why = str(err) if err is not None else f"{type(exc).__name__}: {exc}"
            answer = wording.applied_despite([r.preview or {} for r in applied], why, zh)
            end_run(self.sessions, run_id, answer)
            self._fail(exc, run_id)  # the run keeps its answer; its failure is a decision row
            res = self._result(thread_id, run_id, route=[], answer=answer, pending=None)
            res["settled"] = [_settled(d) for d in done]
            return res
        except BaseException:
            release_resume(self.sessions, batch)
            raise
        result = self._finish(thread_id, run_id, config, export=export, charts=charts, shown=shown)
        zh = is_chinese(self._request_of(run_id))
        stale = [wording.settlement_text(d.change, d.outcome, d.fresh, zh) for d in done if d.outcome == "stale"]
        if stale or notes:
            result["answer"] = "\n\n".join([*stale, *notes, result["answer"]])
        result["settled"] = [_settled(d) for d in done]
        return result

    def _request_of(self, run_id: int | None) -> str:
        if run_id is None:
            return ""
        with self.sessions() as s:
            run = s.get(Run, run_id)
            return run.request if run is not None else ""

    def _finish(
        self,
        thread_id: str,
        run_id: int | None,
        config: dict[str, Any],
        *,
        export: Path | None = None,
        charts: bool = False,
        as_file: bool = False,
        shown: int = 0,
    ) -> dict[str, Any]:
        """The run's answer as it stands; `shown`: answers already given before a pause, not repeated."""
        state = self.graph.get_state(config)
        pending = self._pending(config, state)
        route = list(state.values.get("route", []))
        messages = state.values["messages"]
        last_human = max(i for i, m in enumerate(messages) if isinstance(m, HumanMessage))
        request = messages[last_human].content if isinstance(messages[last_human].content, str) else ""
        answers = _answers(messages)[shown:]
        if pending is not None:
            if state.values.get("note"):  # a part the supervisor could not hand off, said before the wait
                answers.append(state.values["note"])
            changes = pending.get("changes", [])
            said = [stated_words(c, request) for c in changes]
            answers.append(wording.describe_pending(changes, is_chinese(request), said))
            waiting = self._waiting(thread_id, state) or {}
            answers += [wording.error_text(str(f), is_chinese(request)) for f in waiting.get("failed") or []]
            notes = [  # what the model noted on the way to the change ("$0.60" taken as pounds)
                n
                for m in messages[last_human + 1 :]
                if isinstance(m, AIMessage)
                for n in m.additional_kwargs.get("offline_notes", [])
            ]
            noted = wording.notes_text(list(dict.fromkeys(notes)), is_chinese(request))
            if noted:
                answers.append(noted)
            if asks_to_skip_approval(request):  # "no need to ask me this time": it is asked all the same
                answers.append(wording.approval_kept(is_chinese(request)))
            later = [str(q["task"]) for q in state.values.get("queue") or [] if q.get("task")]
            if later:  # the parts after the change wait with it: they may read what it changes
                answers.append(wording.after_approval(later, is_chinese(request)))
        answer = "\n\n".join(answers)
        decisions = decisions_of_run(self.sessions, run_id) if run_id is not None else []
        attachments: list[dict[str, Any]] = []
        if pending is None and run_id is not None:
            try:
                attachments = make_attachments(
                    _tool_calls(decisions),
                    export=export,
                    chart_dir=self.settings.home / "exports" / str(run_id),
                    charts=charts,
                    list_file=as_file,
                )
            finally:  # a file that cannot be written leaves the run answered all the same
                named = attachment_lines(attachments, listed=as_file)
                answer = f"{answer}\n\n{named}" if named else answer
                end_run(self.sessions, run_id, answer)
        return self._result(
            thread_id, run_id, route=route, answer=answer, pending=pending, decisions=decisions, attachments=attachments
        )

    def _result(
        self,
        thread_id: str,
        run_id: int | None,
        *,
        route: list[str],
        answer: str,
        pending: dict[str, Any] | None,
        decisions: list[Any] | None = None,
        attachments: list[dict[str, Any]] | None = None,
    ) -> dict[str, Any]:
        if decisions is None:
            decisions = decisions_of_run(self.sessions, run_id) if run_id is not None else []
        return {
            "thread_id": thread_id,
            "run_id": run_id,
            "route": route,
            "answer": answer,
            "tool_calls": _tool_calls(decisions),
            "pending_approval": pending,
            "decision_ids": [d.id for d in decisions],
            "model": self.model_name,
            "attachments": attachments or [],
            "settled": [],
        }


def _answers(messages: list[Any]) -> list[str]:
    """The answers given since the thread's last request (a handed-over part's answer is one)."""
    last_human = max((i for i, m in enumerate(messages) if isinstance(m, HumanMessage)), default=-1)
    return [
        m.content
        for m in messages[last_human + 1 :]
        if isinstance(m, AIMessage) and not m.tool_calls and isinstance(m.content, str) and m.content
    ]


def _settled(d: Settlement) -> dict[str, Any]:
    """A settlement in the contract: the change as it ended, what happened, a stale one's fresh preview."""
    return {**d.change, "outcome": d.outcome, "fresh": d.fresh}


def _tool_calls(decisions: list[Any]) -> list[dict[str, Any]]:
    """The tool decisions of a run as the `tool_calls` of the `copilot ask --json` contract."""
    return [
        {
            "agent": d.agent_name,
            "name": d.tool_name,
            "args": d.arguments,
            "status": d.status,
            "result": d.result,
            "error": d.error,
        }
        for d in decisions
        if d.kind == "tool"
    ]


def _dropped_notice(dropped: dict[str, Any], zh: bool) -> str:
    """What the marketer is told when a new request drops the changes that were waiting."""
    changes = [d.get("preview") or {} for d in dropped.get("settled", []) if d.get("outcome") == "rejected"]
    what = "; ".join(wording.describe_change(c, zh, None) for c in changes if c) or (
        "待批准的修改" if zh else "the pending change"
    )
    if zh:
        return f"（您提出了新的请求，所以我放弃了等待批准的修改：{what}。没有做任何更改。）"
    return f"(You asked something else, so I dropped the change that was waiting for your approval: {what}. Nothing was changed.)"
