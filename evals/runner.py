"""`copilot eval`: run suites of cases, each on a fresh copy of the shop, score them from the
decision log and the shop's final state, total them, and keep the run in the database."""

from __future__ import annotations

import json
import shutil
import sqlite3
import statistics
import tempfile
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from pydantic import ValidationError
from sqlalchemy import create_engine, inspect, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import sessionmaker

from copilot import CopilotError, ModelError, StorageError
from copilot.app import Copilot
from copilot.models import make_chat_model
from evals import postgres
from evals.cases import Case
from evals.scoring import SCORES, Snapshot, Trace, score
from store.db import Campaign, Decision, EvalResult, EvalRun, Product, Run, engine_url
from tools import TOOLS

MODEL_CALL_KINDS = ("route", "plan", "answer")
# emptied in a copy of the shop: the decision log, and the API tokens (a copy carries no credentials)
_LOG_TABLES = (
    "api_tokens",
    "eval_results",
    "eval_runs",
    "feedback",
    "outcomes",
    "pending_changes",
    "decisions",
    "runs",
)


@dataclass
class CaseResult:
    case: Case
    traces: list[Trace]  # one per repeat

    @property
    def passes(self) -> int:
        return sum(t.passed for t in self.traces)


def snapshot(sessions: sessionmaker) -> Snapshot:
    """What a run may change: each campaign's bid, budget and status, each product's price."""
    with sessions() as s:
        campaigns = {
            c.id: {"bid": c.bid, "daily_budget": c.daily_budget, "status": c.status}
            for c in s.scalars(select(Campaign))
        }
        products = {pid: {"price": price} for pid, price in s.execute(select(Product.id, Product.price))}
    return {"campaign": campaigns, "product": products}


def _with_defaults(name: str, args: Any) -> dict[str, Any]:
    """The call's arguments as the tool saw them (schema defaults filled in), or as given if invalid."""
    raw = dict(args or {})
    spec = TOOLS.get(name)
    if spec is None:
        return raw
    try:
        return spec.args(**raw).model_dump(mode="json")  # dates as the ISO text a case checks them against
    except ValidationError:
        return raw


def template_db(base: Copilot, path: Path) -> None:
    """A standalone copy of the base SQLite shop's database with an empty decision log and no API
    tokens (shop_template copies a PostgreSQL one)."""
    url = base.engine.url
    if url.get_backend_name() != "sqlite" or not url.database:
        raise CopilotError("this benchmark copies the SQLite shop's file; unset COPILOT_DATABASE_URL")
    src, dst = sqlite3.connect(url.database), sqlite3.connect(path)
    try:
        src.backup(dst)
        for table in _LOG_TABLES:
            dst.execute(f"DELETE FROM {table}")
        dst.commit()
        dst.execute("PRAGMA journal_mode=DELETE")
        dst.execute("VACUUM")
    finally:
        src.close()
        dst.close()


_CHECKPOINT_TABLES = ("checkpoint_writes", "checkpoint_blobs", "checkpoints")  # PostgresSaver's, in the shop's database
_CREATING = threading.Lock()  # one CREATE DATABASE ... TEMPLATE at a time


def _server(url: str) -> str:
    """The maintenance database of the PostgreSQL server holding `url`."""
    return make_url(url).set(database="postgres").render_as_string(hide_password=False)


def copy_database(template: str, name: str) -> str:
    """A new PostgreSQL database `name` made from the database of URL `template`; its URL."""
    source = make_url(template).database
    try:
        with _CREATING:
            postgres.create_database(_server(template), name, template=source)
    except DBAPIError as exc:
        why = str(exc.orig).splitlines()[0] if exc.orig else type(exc).__name__
        raise CopilotError(
            f"cannot copy the database {source!r} ({why}); the copy needs CREATEDB and, for a moment, "
            "no other connection to it (stop copilot serve on it and try again)"
        ) from None
    return make_url(template).set(database=name).render_as_string(hide_password=False)


def drop_database(url: str) -> None:
    """Drop the PostgreSQL database of `url`, closing what is still connected to it."""
    postgres.drop_database(_server(url), make_url(url).database or "")


@contextmanager
def shop_template(base: Copilot, folder: Path, name: str = "template.db") -> Iterator[str]:
    """The base shop's database copied once, with an empty log and no tokens, for `copy_of` to copy
    for each case: the SQLite file `name` in `folder`, or a PostgreSQL database (dropped on exit)."""
    if base.engine.dialect.name != "postgresql":
        path = folder / name
        template_db(base, path)
        yield str(path)
        return
    # CREATE DATABASE ... TEMPLATE needs the source idle: the base lets go of its connections (its
    # sessions reconnect when next used; its checkpoints are closed, the cases have their own)
    base.close()
    url = copy_database(base.settings.db_url, f"copilot_tmpl_{uuid.uuid4().hex[:12]}")
    try:
        engine = create_engine(engine_url(url))
        try:
            with engine.begin() as c:
                present = set(inspect(c).get_table_names())
                for table in (*_LOG_TABLES, *_CHECKPOINT_TABLES):
                    if table in present:
                        c.execute(text(f'DELETE FROM "{table}"'))
        finally:
            engine.dispose()
        yield url
    finally:
        drop_database(url)


def copy_of(template: str, case_dir: Path) -> str:
    """A fresh copy of the template for one case: a file in `case_dir`, or a PostgreSQL database."""
    if not template.startswith("postgres"):
        db = case_dir / "shop.db"
        shutil.copyfile(template, db)
        return f"sqlite:///{db}"
    return copy_database(template, f"copilot_case_{uuid.uuid4().hex[:12]}")


def run_case(case: Case, base: Copilot, template: str, work: Path, model: Any, model_name: str) -> Trace:
    """One case on a fresh copy of the shop: every turn in one thread, then the trace to score."""
    case_dir = work / uuid.uuid4().hex[:8]
    case_dir.mkdir()
    db_url = copy_of(template, case_dir)
    settings = replace(base.settings, home=case_dir, database_url=db_url)
    try:
        cp = Copilot(settings, model=model, model_name=model_name, shop_from=base.shop)
    except BaseException:
        if db_url.startswith("postgres"):
            drop_database(db_url)
        raise
    try:
        with cp.sessions.begin() as s:
            for step in case.setup:
                row = s.get(Campaign, step.campaign) if step.campaign is not None else s.get(Product, step.product)
                if row is None:
                    raise CopilotError(f"case {case.id}: setup names a {step.field} of a row the shop does not have")
                setattr(row, step.field, step.set)
        before = snapshot(cp.sessions)
        thread = uuid.uuid4().hex[:12]
        answers: list[str] = []
        latencies: list[float] = []
        error = None
        for turn in case.turns:
            t0 = time.perf_counter()
            try:
                if isinstance(turn, str) or turn.text is not None:
                    text = turn if isinstance(turn, str) else turn.text or ""
                    res = cp.ask(text, thread_id=thread, channel="eval", user="eval", charts=False)
                else:
                    # the marketer's answer to every change shown, each settled on its own
                    res = cp.resume(
                        thread, approved=turn.approve, every=True, user="eval", channel="eval", charts=False
                    )
                answers.append(res["answer"])
            except (ModelError, StorageError) as exc:  # the endpoint or a file failed: the case did not run
                error = str(exc)
                break
            except CopilotError as exc:  # e.g. an approval turn with nothing waiting: the copilot's answer
                answers.append(f"error: {exc}")
            except Exception as exc:  # a crash is the case's failure, not the runner's
                error = f"{type(exc).__name__}: {exc}"
                break
            finally:
                latencies.append(1000 * (time.perf_counter() - t0))
        with cp.sessions() as s:
            rows = list(s.scalars(select(Decision).order_by(Decision.id)))
        calls = [
            {
                "name": d.tool_name,
                "args": _with_defaults(d.tool_name or "", d.arguments),
                "status": d.status,
                "result": d.result,
            }
            for d in rows
            if d.kind == "tool"
        ]
        model_rows = [d for d in rows if d.kind in MODEL_CALL_KINDS and d.latency_ms is not None]
        trace = Trace(
            answers=answers,
            route=[d.agent_name for d in rows if d.kind == "route" and d.agent_name],
            calls=calls,
            decisions=[
                {
                    "run": d.run_id,
                    "kind": d.kind,
                    "agent": d.agent_name,
                    "tool": d.tool_name,
                    "args": d.arguments,
                    "status": d.status,
                    "answer": (d.result or {}).get("answer") if d.kind == "answer" else None,
                    "result": d.result if d.kind == "approval" else None,
                }
                for d in rows
            ],
            before=before,
            after=snapshot(cp.sessions),
            latencies_ms=latencies,
            model_calls=len(model_rows),
            input_tokens=sum(d.input_tokens or 0 for d in model_rows),
            output_tokens=sum(d.output_tokens or 0 for d in model_rows),
            error=error,
        )
    finally:
        cp.close()
        shutil.rmtree(case_dir, ignore_errors=True)
        if db_url.startswith("postgres"):
            drop_database(db_url)
    trace.scores = score(case, trace)
    return trace


def run_eval(
    cases: list[Case],
    *,
    model_spec: str | None = None,
    repeat: int = 1,
    base: Copilot | None = None,
    workers: int = 1,
    progress: Callable[[int, int, CaseResult], None] | None = None,
) -> tuple[list[CaseResult], str]:
    """Run every case `repeat` times, `workers` cases at a time (each on its own copy of the shop;
    worth it for a model behind a network, not for the offline one); results in suite order."""
    if repeat < 1 or workers < 1:
        raise CopilotError("--repeat and --workers must be at least 1")
    own = base is None
    base = base or Copilot()
    try:
        settings = replace(base.settings, model=model_spec) if model_spec else base.settings
        if settings.model != "offline" and not settings.model.startswith("openai:"):
            raise CopilotError(f"--model must be offline or openai:NAME, not {settings.model!r}")
        model, model_name = make_chat_model(settings)
        with tempfile.TemporaryDirectory(prefix="copilot-eval-") as tmp, shop_template(base, Path(tmp)) as template:

            def one(case: Case) -> CaseResult:
                return CaseResult(
                    case, [run_case(case, base, template, Path(tmp), model, model_name) for _ in range(repeat)]
                )

            with ThreadPoolExecutor(max_workers=workers) as pool:
                results = []
                for i, r in enumerate(pool.map(one, cases)):
                    results.append(r)
                    if progress:
                        progress(i + 1, len(cases), r)
        return results, model_name
    finally:
        if own:
            base.close()


def _rate(values: list[bool | None]) -> float | None:
    scored = [v for v in values if v is not None]
    return round(sum(scored) / len(scored), 4) if scored else None


def _group_key(case: Case, by: str) -> str:
    if by == "suite":
        return case.suite
    if by == "specialist":
        return case.tags.get("specialist") or (case.route[0] if case.route else "none")
    return case.tags.get(by, "-")


def summarize(results: list[CaseResult]) -> dict[str, Any]:
    """Totals, and the same by specialist, language and suite."""

    def totals(rs: list[CaseResult]) -> dict[str, Any]:
        traces = [t for r in rs for t in r.traces]
        requests = sum(len(t.latencies_ms) for t in traces) or 1
        lat = sorted(x for t in traces for x in t.latencies_ms)
        tools = [None if t.scores["tool_name"] is None else bool(t.scores["tool_args"]) for t in traces]
        out: dict[str, Any] = {
            "cases": len(rs),
            "pass": _rate([t.passed for t in traces]),
            "pass^k": _rate([r.passes == len(r.traces) for r in rs]),
            "routing": _rate([t.scores["route"] for t in traces]),
            "tool_calls": _rate(tools),
        }
        out.update({k: _rate([t.scores[k] for t in traces]) for k in SCORES if k not in ("route", "tool_args")})
        out["latency_ms_p50"] = round(statistics.median(lat), 1) if lat else None
        out["latency_ms_p95"] = round(lat[min(len(lat) - 1, int(0.95 * len(lat)))], 1) if lat else None
        out["model_calls_per_request"] = round(sum(t.model_calls for t in traces) / requests, 2)
        out["input_tokens_per_request"] = round(sum(t.input_tokens for t in traces) / requests, 1)
        out["output_tokens_per_request"] = round(sum(t.output_tokens for t in traces) / requests, 1)
        out["errors"] = sum(t.error is not None for t in traces)
        return out

    summary: dict[str, Any] = {"total": totals(results)}
    for by in ("specialist", "lang", "suite"):
        groups: dict[str, list[CaseResult]] = {}
        for r in results:
            groups.setdefault(_group_key(r.case, by), []).append(r)
        summary[f"by_{by}"] = {k: totals(v) for k, v in sorted(groups.items())}
    return summary


def case_detail(r: CaseResult) -> dict[str, Any]:
    first = r.traces[0]
    return {
        "case": r.case.id,
        "suite": r.case.suite,
        "tags": r.case.tags,
        "passed": r.passes,
        "repeats": len(r.traces),
        "scores": [t.scores for t in r.traces],
        "route": first.route,
        "tool_calls": [{"name": c["name"], "args": c["args"], "status": c["status"]} for c in first.calls],
        "answers": first.answers,
        "latency_ms": [round(x, 1) for x in first.latencies_ms],
        "error": first.error,
    }


def store_eval(
    sessions: sessionmaker, results: list[CaseResult], summary: dict[str, Any], model: str, repeat: int
) -> int:
    """The eval run and its cases, in one transaction."""
    with sessions.begin() as s:
        run = EvalRun(model=model, suites=sorted({r.case.suite for r in results}), repeat=repeat, summary=summary)
        s.add(run)
        s.flush()
        for r in results:
            s.add(
                EvalResult(
                    eval_run_id=run.id, case_id=r.case.id, passed=r.passes, repeats=len(r.traces), detail=case_detail(r)
                )
            )
        return int(run.id)


def compare(sessions: sessionmaker, run_a: int, run_b: int) -> dict[str, Any]:
    """Which cases flipped between two stored eval runs, and how the totals moved."""
    with sessions() as s:
        runs = {i: s.get(EvalRun, i) for i in (run_a, run_b)}
        missing = [str(i) for i, r in runs.items() if r is None]
        if missing:
            raise CopilotError(f"no eval run {', '.join(missing)}; `copilot eval list` shows the stored runs")
        passed = {
            i: {
                r.case_id: r.passed == r.repeats
                for r in s.scalars(select(EvalResult).where(EvalResult.eval_run_id == i))
            }
            for i in (run_a, run_b)
        }
        totals = {i: runs[i].summary["total"] for i in (run_a, run_b)}
    a, b = passed[run_a], passed[run_b]
    both = sorted(set(a) & set(b))
    return {
        "a": run_a,
        "b": run_b,
        "now_failing": [c for c in both if a[c] and not b[c]],
        "now_passing": [c for c in both if not a[c] and b[c]],
        "only_in_a": sorted(set(a) - set(b)),
        "only_in_b": sorted(set(b) - set(a)),
        "totals": {k: (totals[run_a].get(k), totals[run_b].get(k)) for k in totals[run_a]},
    }


REPLAYED_KINDS = ("route", "tool", "approval")


def _signature(d: dict[str, Any]) -> str:
    """A decision as replay compares it: kind, agent, tool, arguments and status."""
    if d["kind"] == "route":
        return f"route -> {d['agent'] or 'none'}"
    args = json.dumps(_with_defaults(d["tool"] or "", d["args"]), sort_keys=True, ensure_ascii=False, default=str)
    return f"{d['kind']} {d['agent']}.{d['tool']}({args}) {d['status']}"


def replay(base: Copilot, run_id: int, *, model_spec: str | None = None) -> dict[str, Any]:
    """Re-run a logged request (after the earlier requests of its thread, with the same approval
    answers) on a fresh copy of the shop, and line up its decisions against the logged ones."""
    with base.sessions() as s:
        target = s.get(Run, run_id)
        if target is None:
            raise CopilotError(f"there is no run {run_id}; `copilot decisions` shows the runs")
        runs = list(s.scalars(select(Run).where(Run.thread_id == target.thread_id, Run.id <= run_id).order_by(Run.id)))
        logged = list(
            s.scalars(select(Decision).where(Decision.run_id.in_([r.id for r in runs])).order_by(Decision.id))
        )
    turns: list[Any] = []
    for r in runs:
        turns.append(r.request)
        approvals = [d for d in logged if d.run_id == r.id and d.kind == "approval"]
        if approvals:
            turns.append({"approve": approvals[0].status == "ok"})
    case = Case(id=f"replay-{run_id}", turns=turns)
    settings = replace(base.settings, model=model_spec) if model_spec else base.settings
    model, model_name = make_chat_model(settings)
    with tempfile.TemporaryDirectory(prefix="copilot-replay-") as tmp, shop_template(base, Path(tmp)) as template:
        trace = run_case(case, base, template, Path(tmp), model, model_name)
    before = [
        {"kind": d.kind, "agent": d.agent_name, "tool": d.tool_name, "args": d.arguments, "status": d.status}
        for d in logged
        if d.run_id == run_id and d.kind in REPLAYED_KINDS
    ]
    last = max((d["run"] for d in trace.decisions), default=None)
    after = [d for d in trace.decisions if d["run"] == last and d["kind"] in REPLAYED_KINDS]
    rows = []
    for i in range(max(len(before), len(after))):
        a = _signature(before[i]) if i < len(before) else ""
        b = _signature(after[i]) if i < len(after) else ""
        rows.append({"logged": a, "replayed": b, "same": a == b})
    return {
        "run_id": run_id,
        "request": target.request,
        "logged_model": target.model,
        "model": model_name,
        "same": all(r["same"] for r in rows),
        "decisions": rows,
        "logged_answer": target.answer,
        "answer": trace.answers[-1] if trace.answers else None,
        "error": trace.error,
    }
