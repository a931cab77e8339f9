"""`copilot`: ask, chat, approve, init, decisions. Errors are one line on stderr, exit code 1."""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from copilot import CopilotError

app = typer.Typer(add_completion=False, no_args_is_help=True, help="Marketing Copilot: ask about your shop.")
out = Console()
err = Console(stderr=True)


def _open(show_progress: bool = True) -> Any:
    from copilot.app import Copilot

    def progress(msg: str) -> None:
        if show_progress:
            err.print(f"[dim]demo shop: {msg}[/dim]")

    return Copilot(progress=progress)


def _print_result(res: dict[str, Any], as_json: bool) -> None:
    if as_json:
        sys.stdout.write(json.dumps(res, ensure_ascii=False, default=str) + "\n")
        return
    route = " -> ".join(res["route"]) or "supervisor"
    tools = ", ".join(f"{c['name']}({c['status']})" for c in res["tool_calls"]) or "none"
    out.print(f"[dim]{route} | tools: {tools} | thread {res['thread_id']}[/dim]")
    out.print(res["answer"])
    if res["pending_approval"]:
        out.print(f"[yellow]Approve with: copilot approve {res['thread_id']} --yes (or --no)[/yellow]")


@app.command()
def ask(
    text: Annotated[str, typer.Argument(help="what you want to know or do")],
    as_json: Annotated[bool, typer.Option("--json", help="print one JSON object")] = False,
    thread: Annotated[str | None, typer.Option("--thread", help="continue this conversation")] = None,
) -> None:
    """Ask one question and print the answer."""
    cp = _open(show_progress=not as_json)
    try:
        _print_result(cp.ask(text, thread_id=thread), as_json)
    finally:
        cp.close()


@app.command()
def approve(
    thread: Annotated[str, typer.Argument(help="the thread waiting for approval")],
    yes: Annotated[bool, typer.Option("--yes/--no", help="approve or reject the change")] = ...,  # type: ignore[assignment]
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Approve (--yes) or reject (--no) the change a thread is waiting on."""
    cp = _open()
    try:
        _print_result(cp.resume(thread, approved=yes), as_json)
    finally:
        cp.close()


@app.command()
def chat(thread: Annotated[str | None, typer.Option("--thread")] = None) -> None:
    """Talk to the copilot; changes ask for yes/no before they happen. Ctrl-D or 'quit' to leave."""
    import uuid

    cp = _open()
    thread_id = thread or uuid.uuid4().hex[:12]
    out.print(f"[bold]Marketing Copilot[/bold] ({cp.model_name}), thread {thread_id}. Ask away; 'quit' to leave.")
    try:
        while True:
            try:
                text = out.input("[bold cyan]you>[/bold cyan] ")
            except EOFError:
                break
            if text.strip().lower() in {"quit", "exit", "q"}:
                break
            t0 = time.perf_counter()
            res = cp.ask(text, thread_id=thread_id)
            while res["pending_approval"]:
                out.print(f"[yellow]{res['answer']}[/yellow]")
                yes = out.input("[bold yellow]approve? [y/N][/bold yellow] ").strip().lower() in {
                    "y",
                    "yes",
                    "是",
                }
                res = cp.resume(thread_id, approved=yes)
            _print_result(res, as_json=False)
            out.print(f"[dim]{1000 * (time.perf_counter() - t0):.0f} ms[/dim]")
    finally:
        cp.close()


@app.command()
def init(
    force: Annotated[bool, typer.Option("--force", help="reload even if loaded")] = False,
) -> None:
    """Load the demo shop (UCI Online Retail) and build the catalog collection."""
    from copilot.app import Copilot
    from store.db import Meta

    def progress(msg: str) -> None:
        err.print(f"[dim]{msg}[/dim]")

    t0 = time.perf_counter()
    cp = Copilot(progress=progress)  # loads the shop on first use
    try:
        if force:
            cp.init(force=True, progress=progress)
        with cp.sessions() as s:
            row = s.get(Meta, "import_report")
        out.print(f"{row.value if row else 'demo shop loaded'} ({time.perf_counter() - t0:.1f} s)")
    finally:
        cp.close()


@app.command()
def decisions(limit: Annotated[int, typer.Option("--limit", min=1, max=1000)] = 20) -> None:
    """List the most recent decisions (routes, tool calls, approvals, answers)."""
    from store.decisions import recent_decisions

    cp = _open()
    try:
        table = Table("id", "run", "thread", "kind", "agent", "tool", "status", "ms", "detail")
        for d, run in recent_decisions(cp.sessions, limit):
            detail = (
                d.error or json.dumps(d.arguments, ensure_ascii=False, default=str)
                if d.kind == "tool"
                else (json.dumps(d.result, ensure_ascii=False, default=str)[:60] if d.result else "")
            )
            table.add_row(
                str(d.id),
                str(d.run_id),
                run.thread_id,
                d.kind,
                d.agent_name or "",
                d.tool_name or "",
                d.status,
                f"{d.latency_ms:.0f}" if d.latency_ms else "",
                (detail or "")[:60],
            )
        out.print(table)
    finally:
        cp.close()


@app.command()
def bench(
    only: Annotated[list[str] | None, typer.Option("--only", help="run the checks whose name starts with this")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="one JSON object per line")] = False,
    data: Annotated[Path | None, typer.Option("--data", help="folder of the reference data sets")] = None,
    quick: Annotated[bool, typer.Option("--quick", help="skip the 1M-vector rows")] = False,
) -> None:
    """Hold every model against its published figure and time the hot paths (see evals/bench.py)."""
    from evals import bench as bench_mod
    from store import reference

    base = data or reference.data_dir()
    if base is None or not base.is_dir():
        raise CopilotError(
            "no reference data: pass --data DIR or set COPILOT_DATA_DIR (the folder with cdnow/, ipinyou/, ...)"
        )
    try:
        results = bench_mod.run(only, base, quick=quick, progress=lambda n: err.print(f"[dim]running {n}[/dim]"))
    except ValueError as exc:
        raise CopilotError(str(exc)) from exc
    if as_json:
        for r in results:
            sys.stdout.write(json.dumps(r, default=str) + "\n")
        return
    table = Table("check", "ours", "published", "ok", "s", show_lines=True)
    for r in results:
        keys = list(r["published"])
        ours = "\n".join(f"{k} {r['ours'].get(k)}" for k in keys)
        pub = "\n".join(f"{k} {r['published'][k]}" for k in keys)
        table.add_row(
            r["name"],
            ours,
            pub,
            "-" if r["ok"] is None else "[green]yes[/green]" if r["ok"] else "[red]no[/red]",
            f"{r['seconds']:.1f}",
        )
    out.print(table)
    for r in results:
        if r.get("note"):
            out.print(f"[dim]{r['name']}: {r['note']}[/dim]")


def main() -> None:
    try:
        app()
    except CopilotError as exc:
        err.print(f"error: {exc}", highlight=False, soft_wrap=True)  # one line, never wrapped
        sys.exit(1)
    except KeyboardInterrupt:
        sys.exit(130)


if __name__ == "__main__":
    main()
