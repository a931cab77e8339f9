"""The copilot as one object: opens the shop (loading the demo shop on first use), the model and
the graph, and answers requests with the `copilot ask --json` contract."""

from __future__ import annotations

import sqlite3
import uuid
from collections.abc import Callable, Mapping
from contextlib import nullcontext
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Any

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, HumanMessage
from langgraph.checkpoint.sqlite import SqliteSaver
from langgraph.types import Command

from copilot import CopilotError
from copilot.attachments import chart_lines, check_export_path, make_attachments
from copilot.models import make_chat_model
from copilot.settings import Settings, load_settings
from graphs import build_graph
from offline import OfflineChatModel, is_chinese, pending_reply, stated_words, wording
from offline.intent import set_cache_dir
from store import StoreError
from store.db import make_engine, make_sessionmaker
from store.decisions import (
    decisions_of_run,
    end_run,
    log_decision_now,
    open_run_of_thread,
    start_run,
)
from store.delivery import upgrade as upgrade_delivery
from store.orders import columns_for
from store.shop import DEMO_PACES, ImportReport, import_orders, is_loaded, load_demo_shop
from tools import Shop
from tools.base import campaign_named, exporting, product_named

MAX_REQUEST_CHARS = 4000


def _make_home(settings: Settings) -> None:
    if settings.home.exists() and not settings.home.is_dir():
        raise CopilotError(f"COPILOT_HOME {settings.home} is a file; point it at a folder")
    settings.home.mkdir(parents=True, exist_ok=True)


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


class Copilot:
    def __init__(
        self,
        settings: Settings | None = None,
        *,
        model: BaseChatModel | None = None,
        model_name: str | None = None,
        progress: Callable[[str], None] | None = None,
        shop_from: Shop | None = None,
    ) -> None:
        """`shop_from`: a shop whose catalog and derived arrays this copilot shares, its database
        being a copy of that shop's (how evals/runner.py gives each case a fresh shop cheaply)."""
        self.settings = settings or load_settings()
        _make_home(self.settings)
        self.engine = make_engine(self.settings.db_url)
        self.sessions = make_sessionmaker(self.engine)
        self.shop = (
            replace(shop_from, sessions=self.sessions)
            if shop_from is not None
            else Shop(self.sessions, self.settings.chroma_path, cache_dir=self.settings.home / "cache")
        )
        with self.sessions() as s:
            loaded = is_loaded(s)
        if not loaded:
            self.init(progress=progress)
        elif upgrade_delivery(self.sessions, DEMO_PACES) and progress is not None:
            progress("reseeded the demo campaigns' simulated delivery (the delivery model is new)")
        if model is None:
            model, model_name = make_chat_model(self.settings)
        if isinstance(model, OfflineChatModel):
            set_cache_dir(self.settings.home / "cache")
        if isinstance(model, OfflineChatModel) and model.stock_codes is None:
            model = model.model_copy(  # `85123A`, `the regency cakestand` -> its product
                update={
                    "stock_codes": self._stock_codes,
                    "product_named": self._product_named,
                    "campaign_named": self._campaign_named,
                    "shop_today": self._today,
                }
            )
        self.model_name = model_name or "custom"
        self._conn = sqlite3.connect(str(self.settings.checkpoint_path), check_same_thread=False)
        self._conn.execute("PRAGMA journal_mode=WAL")
        self._conn.execute("PRAGMA synchronous=NORMAL")
        self.graph = build_graph(model, self.shop, model_name=self.model_name, checkpointer=SqliteSaver(self._conn))

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

    def _campaign_named(self, text: str, channels: list[str]) -> int | None:
        return campaign_named(self.shop, text, channels)

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
    ) -> dict[str, Any]:
        """Answer one message. On a thread with a change waiting for approval, a yes or no settles
        it (as `copilot approve` does); anything else first rejects it, says so, then is answered.

        `export`: a .csv file the list in the answer is written to (checked before anything runs),
        with the charts beside it; `charts`: draw a chart of each series in the answer (beside the
        export, else in COPILOT_HOME/exports/RUN_ID/) and name it in the answer. The result's
        `attachments` lists what was written."""
        thread_id = thread_id or uuid.uuid4().hex[:12]
        if len(text) > MAX_REQUEST_CHARS:
            raise CopilotError(f"the request is {len(text):,} characters; keep it under {MAX_REQUEST_CHARS:,}")
        target = check_export_path(export) if export is not None else None
        dropped = None
        if text.strip() and self._pending(self._config(thread_id, None)):
            reply = pending_reply(text)
            if reply is not None:
                return self.resume(thread_id, approved=reply == "yes", export=target, charts=charts)
            dropped = self.resume(thread_id, approved=False, charts=False)
        run_id = start_run(
            self.sessions,
            thread_id=thread_id,
            channel=channel,
            user=user,
            request=text,
            model=self.model_name,
        )
        if not text.strip():
            answer = 'Please tell me what you need, for example "which customers are about to lapse?"'
            log_decision_now(self.sessions, run_id, "answer", agent_name="supervisor", result={"answer": answer})
            end_run(self.sessions, run_id, answer)
            return self._result(thread_id, run_id, route=[], answer=answer, pending=None)
        config = self._config(thread_id, run_id)
        start = {"messages": [HumanMessage(text)], "route": [], "agent": None, "tool_rounds": 0}
        with exporting() if target is not None else nullcontext():
            self._invoke(start | {"queue": [], "task": None, "note": None}, config, run_id)
        result = self._finish(thread_id, run_id, config, export=target, charts=charts)
        if dropped is not None:
            result["answer"] = _dropped_notice(dropped, is_chinese(text)) + "\n\n" + result["answer"]
            result["dropped_run_id"] = dropped["run_id"]
        return result

    def resume(
        self, thread_id: str, *, approved: bool, export: Path | str | None = None, charts: bool = True
    ) -> dict[str, Any]:
        """Answer a pending approval of `thread_id` (approve or reject) and finish its run
        (`export`, `charts`: as for `ask`)."""
        target = check_export_path(export) if export is not None else None
        run_id = open_run_of_thread(self.sessions, thread_id)
        config = self._config(thread_id, run_id)
        if not self._pending(config):
            raise CopilotError(f"thread {thread_id} has nothing waiting for approval")
        self._invoke(Command(resume={"approved": approved}), config, run_id)
        return self._finish(thread_id, run_id, config, export=target, charts=charts)

    def _invoke(self, payload: Any, config: dict[str, Any], run_id: int | None) -> None:
        """Run the graph; whatever goes wrong, the run is closed (with the error as its answer)."""
        try:
            self.graph.invoke(payload, config, durability="exit")
        except BaseException as exc:
            if run_id is not None:
                end_run(self.sessions, run_id, f"error: {type(exc).__name__}: {exc}")
            raise

    # -- helpers ---------------------------------------------------------------------------
    def _config(self, thread_id: str, run_id: int | None) -> dict[str, Any]:
        return {"configurable": {"thread_id": thread_id, "run_id": run_id}, "recursion_limit": 25}

    def _pending(self, config: dict[str, Any], state: Any = None) -> dict[str, Any] | None:
        state = state or self.graph.get_state(config)
        for task in state.tasks:
            for intr in task.interrupts:
                return dict(intr.value)
        return None

    def _finish(
        self,
        thread_id: str,
        run_id: int | None,
        config: dict[str, Any],
        *,
        export: Path | None = None,
        charts: bool = False,
    ) -> dict[str, Any]:
        state = self.graph.get_state(config)
        pending = self._pending(config, state)
        route = list(state.values.get("route", []))
        messages = state.values["messages"]
        last_human = max(i for i, m in enumerate(messages) if isinstance(m, HumanMessage))
        request = messages[last_human].content if isinstance(messages[last_human].content, str) else ""
        answers = [
            m.content
            for m in messages[last_human + 1 :]
            if isinstance(m, AIMessage) and not m.tool_calls and isinstance(m.content, str) and m.content
        ]
        if pending is not None:
            if state.values.get("note"):  # a part the supervisor could not hand off, said before the wait
                answers.append(state.values["note"])
            changes = pending.get("changes", [])
            said = [stated_words(c, request) for c in changes]
            answers.append(wording.describe_pending(changes, is_chinese(request), said))
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
                )
            finally:  # a file that cannot be written leaves the run answered all the same
                named = chart_lines(attachments)
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
        }


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
    """What the marketer is told when a new request drops the change that was waiting."""
    changes = [
        c.get("result", {}).get("change", {}) for c in dropped.get("tool_calls", []) if c.get("status") == "rejected"
    ]
    what = "; ".join(wording.describe_change(c, zh, None) for c in changes if c) or (
        "待批准的修改" if zh else "the pending change"
    )
    if zh:
        return f"（您提出了新的请求，所以我放弃了等待批准的修改：{what}。没有做任何更改。）"
    return f"(You asked something else, so I dropped the change that was waiting for your approval: {what}. Nothing was changed.)"
