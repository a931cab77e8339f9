"""`copilot`: ask, chat, approve, init, import orders, media and journeys, decisions, feedback, outcome, replay, eval, bench,
data, dsp. A failure a marketer can meet (a bad option or setting, the model endpoint down, a corrupt or
unwritable file) is one line on stderr that says what to do, exit code 1; exit code 2 is a bug.
JSON output is valid JSON: no NaN or Infinity (null, with a "non_finite" note), no lone surrogates."""

from __future__ import annotations

import os
import re
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any

import typer
from rich import box
from rich.console import Console
from rich.progress import Progress
from rich.table import Table
from rich.text import Text

from copilot import CopilotError, SettingsError
from store.clean import dumps, finite, readable

app = typer.Typer(add_completion=False, no_args_is_help=True, help="Marketing Copilot: ask about your shop.")
out = Console()
err = Console(stderr=True)


ID_MAX = 2**63 - 1  # the largest id a database row can have


def _emit(value: Any, *, ascii_only: bool = False) -> None:
    """One JSON object on its own line of stdout, written as every channel writes JSON
    (copilot/contract.py: valid JSON, non-finite numbers null and noted)."""
    from copilot.contract import json_text

    sys.stdout.write(json_text(value, ascii_only=ascii_only) + "\n")


def _open(show_progress: bool = True) -> Any:
    from copilot.app import Copilot

    def progress(msg: str) -> None:
        if show_progress:
            err.print(f"[dim]demo shop: {msg}[/dim]")

    return Copilot(progress=progress, notice=_notice)


def _notice(msg: str) -> None:
    """What the start-up repaired (a catalog that disagreed with the shop): one line on stderr,
    --json or not."""
    err.print(plain(msg, "yellow"), highlight=False, soft_wrap=True)


_CONTROL = {i: f"\\x{i:02x}" for i in (*range(0x20), *range(0x7F, 0xA0)) if chr(i) not in "\n\t"}


def plain(value: Any, style: str = "") -> Text:
    """Text from data (answers, names, previews) shown as it is: no Rich markup, no emoji codes, and
    terminal control characters made visible, so no name can hide or restyle what follows it."""
    return Text(str(value).translate(_CONTROL), style=style)


def _value(field: str, v: Any) -> str:
    """Money with pennies; a count (an audience's size), a flag (consent) or a status as it is."""
    money = isinstance(v, int | float) and not isinstance(v, bool) and field not in ("status", "size")
    return f"{v:,.2f}" if money else str(v)


def render_change(p: dict[str, Any]) -> Text:
    """One pending change from its structured row: #id, target, field, from -> to, size, who, expiry."""
    t = p["target"]
    line = Text()
    line.append(f"#{p['id']} ", style="bold yellow")
    line.append_text(plain(f"{t['kind']} {t['id']}" + (f" ({t['name']})" if t.get("name") else "")))
    line.append_text(plain(f": {p['field']} from {_value(p['field'], p['from'])} to {_value(p['field'], p['to'])}"))
    if isinstance(p.get("change_pct"), int | float):
        line.append(f" ({p['change_pct']:+g}%)")
    by = p.get("proposed_by") or {}
    line.append_text(
        plain(f"  proposed by {by.get('user')} ({by.get('channel')}), expires {p.get('expires_at')}", "dim")
    )
    return line


def _print_result(res: dict[str, Any], as_json: bool, export: Path | None = None) -> None:
    if as_json:
        from copilot.contract import contract_json

        sys.stdout.write(contract_json(res) + "\n")
    else:
        route = " -> ".join(res["route"]) or "supervisor"
        tools = ", ".join(f"{c['name']}({c['status']})" for c in res["tool_calls"]) or "none"
        out.print(plain(f"{route} | tools: {tools} | thread {res['thread_id']}", "dim"), highlight=False)
        out.print(plain(res["answer"]), highlight=False)
        pending = res["pending_approval"]
        if pending:
            waiting = pending.get("pending") or []
            for p in waiting:
                out.print(render_change(p), highlight=False)
            hint = f"Approve with: copilot approve {res['thread_id']} --yes (or --no)"
            if len(waiting) > 1:
                hint += f": settles #{pending['id']}; --all settles each of the {len(waiting)}, --change ID one"
            out.print(plain(hint, "yellow"), highlight=False)
    if export is None:
        return
    csvs = [a for a in res.get("attachments", []) if a["kind"] == "csv"]
    for a in csvs:
        rows = f"{a['rows']:,} row" + ("" if a["rows"] == 1 else "s")
        err.print(f"exported {rows} ({a['title']}) to {a['path']}", highlight=False, soft_wrap=True)
    if not csvs:
        why = "the change is waiting for approval" if res["pending_approval"] else "this answer has no list"
        err.print(f"nothing exported to {export}: {why}", highlight=False, soft_wrap=True)


_USER_HELP = "who you are, in the decision log (default: your login name)"


def _user(user: str | None) -> str:
    from copilot.approvals import default_user

    name = (user if user is not None else readable(default_user())).strip()
    if not name or len(name) > 64 or not name.isprintable():
        raise CopilotError("--user must be a name of 1 to 64 printable characters")
    return name


_EXPORT_HELP = (
    "write the list in the answer (customers, products, segments, campaigns...) to this .csv file, "
    "and any chart beside it"
)


@app.command()
def ask(
    text: Annotated[str, typer.Argument(help="what you want to know or do")],
    as_json: Annotated[bool, typer.Option("--json", help="print one JSON object")] = False,
    thread: Annotated[str | None, typer.Option("--thread", help="continue this conversation")] = None,
    export: Annotated[Path | None, typer.Option("--export", metavar="FILE.csv", help=_EXPORT_HELP)] = None,
    user: Annotated[str | None, typer.Option("--user", help=_USER_HELP)] = None,
) -> None:
    """Ask one question and print the answer. An answer about a series (sales by month, spend over
    the day) comes with a chart, named in the answer."""
    from copilot.app import check_thread_id
    from copilot.attachments import check_export_path

    target = check_export_path(export) if export is not None else None  # before the shop is opened
    name = _user(user)
    if thread is not None:
        check_thread_id(thread)
    try:
        cp = _open(show_progress=not as_json)
    except CopilotError as exc:  # a bad setting, a corrupt checkpoints file: the request is logged as failed
        _log_failed_start(exc, text=text, thread=thread, user=name)
        raise
    try:
        _print_result(cp.ask(text, thread_id=thread, export=target, user=name), as_json, target)
    finally:
        cp.close()


@app.command()
def approve(
    thread: Annotated[str, typer.Argument(help="the thread waiting for approval")],
    yes: Annotated[bool, typer.Option("--yes/--no", help="approve or reject the change")] = ...,  # type: ignore[assignment]
    change: Annotated[
        int | None, typer.Option("--change", metavar="ID", min=1, max=ID_MAX, help="this change (its #id)")
    ] = None,
    every: Annotated[bool, typer.Option("--all", help="each change the thread waits on, one by one")] = False,
    user: Annotated[str | None, typer.Option("--user", help=_USER_HELP)] = None,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Approve (--yes) or reject (--no) a change a thread is waiting on: the next one (#id shown
    first), --change ID, or --all of them, each settled on its own. Once none is left the answer
    follows. A change someone else settled first, or one that expired, is refused in one line."""
    if change is not None and every:
        raise CopilotError("give --change ID or --all, not both")
    name = _user(user)
    cp = _open(show_progress=not as_json)
    try:
        _print_result(cp.resume(thread, approved=yes, change_id=change, every=every, user=name), as_json)
    finally:
        cp.close()


@app.command()
def pending(
    thread: Annotated[str | None, typer.Option("--thread", help="only this thread")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="one JSON object per line")] = False,
) -> None:
    """The changes waiting for approval, oldest first (changes past their expiry are settled as
    expired and logged first)."""
    cp = _open(show_progress=not as_json)
    try:
        rows = cp.pending(thread)
    finally:
        cp.close()
    if as_json:
        for row in rows:
            _emit(row)
        return
    for row in rows:
        out.print(plain(f"thread {row['thread_id']}", "dim"), render_change(row), highlight=False)
    out.print(plain(f"{len(rows)} change{'s' * (len(rows) != 1)} waiting", "dim"), highlight=False)


@app.command()
def chat(
    thread: Annotated[str | None, typer.Option("--thread")] = None,
    user: Annotated[str | None, typer.Option("--user", help=_USER_HELP)] = None,
) -> None:
    """Talk to the copilot; each change asks for yes/no on its own before it happens. Ctrl-D or
    'quit' to leave."""
    import uuid

    name = _user(user)
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
            try:
                res = cp.ask(text, thread_id=thread_id, user=name)
            except CopilotError as exc:  # the model endpoint down, a file that cannot be written: ask again
                err.print(plain(f"error: {exc}"), highlight=False, soft_wrap=True)
                continue
            while res["pending_approval"]:  # one change at a time, each shown as its row says
                out.print(plain(res["answer"], "yellow"), highlight=False)
                change = res["pending_approval"]
                out.print(render_change(change), highlight=False)
                yes = out.input(f"[bold yellow]approve #{change['id']}? [y/N][/bold yellow] ").strip().lower() in {
                    "y",
                    "yes",
                    "是",
                }
                try:
                    res = cp.resume(thread_id, approved=yes, change_id=change["id"], user=name)
                except CopilotError as exc:  # settled by someone else first, expired, or four eyes
                    err.print(plain(f"error: {exc}"), highlight=False, soft_wrap=True)
                    break
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
    from store.shop import older_cleaning

    def progress(msg: str) -> None:
        err.print(f"[dim]{msg}[/dim]")

    t0 = time.perf_counter()
    cp = Copilot(progress=progress, notice=_notice)  # loads the shop on first use
    try:
        if force:
            cp.init(force=True, progress=progress)
        else:  # the catalog is checked against the shop in full, and repaired if they disagree
            err.print(plain(cp.check_catalog(), "dim"), highlight=False, soft_wrap=True)
        with cp.sessions() as s:
            row = s.get(Meta, "import_report")
            old = older_cleaning(s)
        out.print(f"{row.value if row else 'demo shop loaded'} ({time.perf_counter() - t0:.1f} s)")
        if old:
            out.print(
                f"[yellow]The shop was loaded from {old} by older cleaning rules (cancelled orders were counted as "
                "sales); `copilot init --force` reloads the demo shop, `copilot import orders FILE` your own.[/yellow]"
            )
    finally:
        cp.close()


import_app = typer.Typer(no_args_is_help=True, help="Bring your own data into the shop.")
app.add_typer(import_app, name="import")

_FIELDS_HELP = (
    "invoice (InvoiceNo), product_code (StockCode), description (Description, optional), quantity (Quantity, "
    "negative on a cancellation), date (InvoiceDate), unit_price (UnitPrice), customer (CustomerID, blank: "
    "not attributed), country (Country, optional)"
)


@import_app.command(
    "orders",
    help=f"""Replace the shop's products, customers and orders with your own order lines (a .csv,
.csv.gz or .csv.xz file), cleaned as the demo shop is: lines without a customer, fee and postage codes and
zero-price lines are dropped (the fee codes are Online Retail's: POST, DOT, M, D, S, B, C2, CRUK, PADS,
BANK CHARGES, AMAZONFEE, ADJUST), cancellations (negative quantities) are netted against the sales they cancel,
and what was done is reported. One transaction: a bad line stops the import with nothing changed. The
campaigns and channels are kept. Fields (default column): {_FIELDS_HELP}.""",
)
def import_orders(
    file: Annotated[Path, typer.Argument(metavar="FILE", help="the order lines, one a line, with a header row")],
    mapping: Annotated[
        list[str] | None,
        typer.Option(
            "--map",
            metavar="COLUMN=FIELD",
            help="your column for one of our fields, e.g. --map order_id=invoice --map sku=product_code "
            "(fields: invoice, product_code, description, quantity, date, unit_price, customer, country); "
            "fields not mapped are read from the default column",
        ),
    ] = None,
    date_format: Annotated[
        str | None,
        typer.Option("--date-format", help="how dates are written, e.g. '%d/%m/%Y %H:%M' (default: ISO 8601)"),
    ] = None,
) -> None:
    from copilot.app import import_order_file
    from store.orders import ColumnsError, parse_mapping

    t0 = time.perf_counter()
    try:
        columns = parse_mapping(mapping or [])
        report = import_order_file(
            file, mapping=columns, date_format=date_format, progress=lambda msg: err.print(f"[dim]{msg}[/dim]")
        )
    except (ColumnsError, CopilotError) as exc:
        if isinstance(exc, ColumnsError) or isinstance(exc.__cause__, ColumnsError):
            raise CopilotError(f"{exc} (--map COLUMN=FIELD)") from exc
        raise
    out.print(f"{report.summary()} ({time.perf_counter() - t0:.1f} s)", soft_wrap=True)


def _say_imported(replace_with: Callable[[Path], Any], file: Path) -> None:
    """A file imported (a table of the shop replaced by its rows), then what it loaded and how long it took."""
    t0 = time.perf_counter()
    loaded = replace_with(file)
    out.print(f"{loaded.summary()} ({time.perf_counter() - t0:.1f} s)", soft_wrap=True)


@import_app.command(
    "media",
    help="""Replace the shop's media history with weekly rows of a CSV file (.csv, .csv.gz or .csv.xz),
for the marketing-mix model (media_mix) and budget splits over fitted response curves (budget_split).
Columns: week (the week's first day, YYYY-MM-DD; every week once, in order), sales (above zero),
spend_CHANNEL for each channel (0 or more, e.g. spend_search, spend_tv); any other column is a control
(a number such as a price index or a holiday 0/1). One transaction: a bad cell stops the import, naming
its line and column, with nothing changed.""",
)
def import_media_history(
    file: Annotated[Path, typer.Argument(metavar="FILE", help="one row per week, with a header row")],
) -> None:
    from copilot.app import import_media_file

    _say_imported(import_media_file, file)


@import_app.command(
    "journeys",
    help="""Replace the shop's journeys with paths of a CSV file (.csv, .csv.gz or .csv.xz) in
ChannelAttribution's format, for channel attribution (channel_attribution) on the shop's own channels.
Columns: path (the channels in order, joined by " > ", e.g. search > email > display; names of letters,
digits, spaces, _ and -, matched without regard to case; at most 30 channels), conversions (0 or more;
at least one in the file), and optionally value (their conversion value) and nulls (journeys on the path
that did not convert), 0 or more. One transaction: a bad cell stops the import, naming its line and
column, with nothing changed.""",
)
def import_journeys(
    file: Annotated[Path, typer.Argument(metavar="FILE", help="one row per path, with a header row")],
) -> None:
    from copilot.app import import_journeys_file

    _say_imported(import_journeys_file, file)


audience_app = typer.Typer(no_args_is_help=True, help="Audiences of the shop's customers (the DMP).")
app.add_typer(audience_app, name="audience")


@audience_app.command(
    "import",
    help="""Save a list of your customers as an audience NAME: a CSV file with a header and a customer_id
column (CustomerID also works), optionally an opted_out column (true/false, yes/no, 1/0; blank: not
stated) whose choices are recorded as the customers' marketing consent. Every id must be a customer of
the shop. One transaction: a bad line stops the import with nothing changed.""",
)
def audience_import(
    name: Annotated[str, typer.Argument(metavar="NAME", help="the new audience's name")],
    file: Annotated[Path, typer.Argument(metavar="FILE.csv", help="the customer ids, one a line, with a header row")],
) -> None:
    from copilot.audience_files import import_audience_file

    r = import_audience_file(name, file)
    said = f"; {r['opted_out']:,} of them opted out (never exported or bid on)" if r["opted_out"] else ""
    recorded = f"; consent recorded for {r['consent_recorded']:,} changed" if r["consent_recorded"] else ""
    out.print(
        plain(f"audience {r['audience']}: {r['customers']:,} customers from {r['lines']:,} lines{said}{recorded}")
    )


@audience_app.command(
    "consent",
    help="""Record customers' marketing consent from a CSV file with a header, a customer_id column and an
opted_out column (true/false, yes/no, 1/0). Opted-out customers never appear in an export or an audience
used for bidding. A customer the shop does not know yet is recorded too. One transaction: a bad line
stops it with nothing changed.""",
)
def audience_consent(
    file: Annotated[Path, typer.Argument(metavar="FILE.csv", help="customer_id and opted_out, one customer a line")],
) -> None:
    from copilot.audience_files import import_consent_file

    r = import_consent_file(file)
    unknown = f"; {r['not_in_shop']:,} not in the shop yet" if r["not_in_shop"] else ""
    out.print(
        plain(
            f"consent of {r['customers']:,} customers recorded: {r['opted_out']:,} opted out, {r['opted_in']:,} "
            f"opted in; {r['changed']:,} changed{unknown}"
        )
    )


def _since(value: str | None) -> Any:
    """--since: an ISO date or time, or a span back from now such as 2h, 7d."""
    from copilot.log import parse_since

    return parse_since(value)


@app.command()
def decisions(
    limit: Annotated[int, typer.Option("--limit", min=1, max=100_000)] = 20,
    since: Annotated[str | None, typer.Option("--since", help="ISO date or time, or a span: 12h, 7d")] = None,
    agent: Annotated[str | None, typer.Option("--agent")] = None,
    tool: Annotated[str | None, typer.Option("--tool")] = None,
    status: Annotated[str | None, typer.Option("--status", help="ok, error, rejected")] = None,
    kind: Annotated[str | None, typer.Option("--kind", help="route, plan, tool, approval, answer")] = None,
    thread: Annotated[str | None, typer.Option("--thread")] = None,
    channel: Annotated[str | None, typer.Option("--channel", help="cli, slack, api, web, eval")] = None,
    run: Annotated[int | None, typer.Option("--run", min=1, max=ID_MAX)] = None,
    fmt: Annotated[str, typer.Option("--format", help="table, csv or json (one object a line)")] = "table",
    summary: Annotated[
        bool, typer.Option("--summary", help="per specialist: requests, tool errors, approvals, feedback, outcomes")
    ] = False,
) -> None:
    """The decision log, newest first: routes, tool calls, approvals, answers, with their outcomes
    and the marketer's feedback. Filters combine; --format csv or json exports."""
    from copilot.log import DecisionFilter, decision_records

    if fmt not in ("table", "csv", "json"):
        raise CopilotError(f"--format must be table, csv or json, not {fmt!r}")
    if summary:
        _log_summary(_since(since), channel, fmt == "json")
        return
    cp = _open(show_progress=fmt == "table")
    try:
        records = decision_records(
            cp.sessions,
            DecisionFilter(
                limit=limit,
                since=_since(since),
                agent=agent,
                tool=tool,
                status=status,
                kind=kind,
                thread=thread,
                channel=channel,
                run=run,
            ),
        )
    finally:
        cp.close()
    if fmt == "json":
        for rec in records:
            _emit(rec)
        return
    records = [finite(rec)[0] for rec in records]
    if fmt == "csv":
        import csv

        w = csv.DictWriter(sys.stdout, fieldnames=list(records[0]) if records else ["id"])
        w.writeheader()
        for rec in records:
            w.writerow({k: dumps(v, note=False) if isinstance(v, dict | list) else v for k, v in rec.items()})
        return
    table = Table("id", "run", "thread", "kind", "agent", "tool", "status", "who", "ms", "detail")
    for rec in records:
        detail = rec["error"] or (
            dumps(rec["arguments"] if rec["kind"] == "tool" else rec["result"], note=False)
            if (rec["arguments"] if rec["kind"] == "tool" else rec["result"])
            else ""
        )
        if rec["outcomes"]:
            detail = "; ".join(f"{o['metric']} {o['value']:g}" for o in rec["outcomes"]) + " | " + detail
        if rec["settled_by"]:  # an approval: who settled it, and who proposed the change
            who = f"{_person(rec['settled_by'])}, proposed by {_person(rec['proposed_by'])}"
        else:
            who = f"{rec['user']} ({rec['channel']})"
        table.add_row(
            str(rec["id"]),
            str(rec["run_id"]),
            plain(rec["thread_id"]),
            rec["kind"],
            rec["agent"] or "",
            rec["tool"] or "",
            rec["status"],
            plain(who),
            f"{rec['latency_ms']:.0f}" if rec["latency_ms"] else "",
            plain(detail[:60]),
        )
    out.print(table)
    feedback = {rec["run_id"]: rec["feedback"] for rec in records}
    votes = [f["rating"] for fs in feedback.values() for f in fs]
    out.print(
        f"[dim]{len(records)} decisions of {len({r['run_id'] for r in records})} runs; feedback on those runs: "
        f"{votes.count('up')} up, {votes.count('down')} down; outcomes: {sum(len(rec['outcomes']) for rec in records)}[/dim]"
    )


def _person(p: dict[str, Any] | None) -> str:
    return f"{p.get('user')} ({p.get('channel')})" if p else "?"


def _record(write: Any, *args: Any, **kwargs: Any) -> Any:
    """Run a store write against the shop; a StoreError becomes the one-line CLI error."""
    from store import StoreError

    cp = _open()
    try:
        return write(cp.sessions, *args, **kwargs)
    except StoreError as exc:
        raise CopilotError(str(exc)) from exc
    finally:
        cp.close()


def _log_summary(since: Any, channel: str | None, as_json: bool) -> None:
    from store.decisions import log_summary

    cp = _open(show_progress=not as_json)
    try:
        res = log_summary(cp.sessions, since=since, channel=channel)
    finally:
        cp.close()
    if as_json:
        _emit(res, ascii_only=True)
        return
    cols = ("requests", "tool_calls", "tool_errors", "approved", "rejected", "up", "down", "outcomes")
    table = Table("specialist", *cols, title=f"{res['runs']} runs")
    for name, r in [*res["by_agent"].items(), ("total", res["total"])]:
        table.add_row(name, *(str(r.get(c, 0)) for c in cols))
    out.print(table)


@app.command()
def feedback(
    run_id: Annotated[
        int, typer.Argument(help="the run (see `copilot decisions`, or run_id in --json)", min=1, max=ID_MAX)
    ],
    up: Annotated[bool, typer.Option("--up/--down", help="thumbs up or down")] = ...,  # type: ignore[assignment]
    comment: Annotated[str | None, typer.Option("--comment")] = None,
) -> None:
    """Thumbs up or down on an answer, with an optional comment; reports count it."""
    from store.decisions import add_feedback

    fid = _record(add_feedback, run_id, up=up, comment=comment)
    out.print(f"feedback {fid}: {'up' if up else 'down'} on run {run_id}")


@app.command()
def outcome(
    decision_id: Annotated[
        int, typer.Argument(help="the tool decision it judges (a bid, budget or price change)", min=1, max=ID_MAX)
    ],
    metric: Annotated[str, typer.Argument(help="impressions, clicks, conversions, orders, revenue or spend")],
    value: Annotated[float, typer.Argument(help="what was observed")],
) -> None:
    """Attach what was observed after a decision (clicks, conversions, revenue) to that decision."""
    from store.decisions import add_outcome

    oid = _record(add_outcome, decision_id, metric, value)
    out.print(f"outcome {oid}: {metric} {value:g} on decision {decision_id}")


@app.command()
def replay(
    run_id: Annotated[int, typer.Argument(help="the logged run to re-run", min=1, max=ID_MAX)],
    model: Annotated[str | None, typer.Option("--model", help="offline or openai:NAME (default: configured)")] = None,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Re-run a logged request on a copy of the shop with the current code and model, and show
    where its decisions differ from the logged ones. Exits 1 when they differ."""
    from evals.runner import replay as replay_run

    cp = _open(show_progress=not as_json)
    try:
        res = replay_run(cp, run_id, model_spec=model)
    finally:
        cp.close()
    if as_json:
        _emit(res)
    else:
        out.print(f"run {run_id}: {res['request']!r} (logged with {res['logged_model']}, replayed with {res['model']})")
        table = Table("#", "logged", "replayed", "")
        for i, row in enumerate(res["decisions"], 1):
            table.add_row(
                str(i), row["logged"], row["replayed"], "[green]same[/green]" if row["same"] else "[red]differs[/red]"
            )
        out.print(table)
        out.print("same decisions" if res["same"] else "[red]the decisions differ[/red]")
    if not res["same"]:
        raise typer.Exit(1)


@app.command(name="eval")
def eval_cmd(
    suites: Annotated[
        list[str] | None,
        typer.Argument(help="suite files or names in evals/suites (default: all); or: compare RUN_A RUN_B; or: list"),
    ] = None,
    model: Annotated[str | None, typer.Option("--model", help="offline or openai:NAME (default: configured)")] = None,
    repeat: Annotated[int, typer.Option("--repeat", min=1, max=20, help="K runs of each case, for pass^k")] = 1,
    workers: Annotated[
        int, typer.Option("--workers", min=1, max=32, help="cases run at once (for a remote model)")
    ] = 1,
    as_json: Annotated[bool, typer.Option("--json", help="print one JSON object")] = False,
    report: Annotated[Path | None, typer.Option("--report", help="write a report: .md (+ .svg chart) or .html")] = None,
    min_pass: Annotated[
        float | None, typer.Option("--min-pass", min=0.0, max=1.0, help="exit 1 when pass^k is below this")
    ] = None,
) -> None:
    """Run evaluation suites, each case on a fresh copy of the shop; score routing, tool calls,
    answer facts, final state and safety; store the run. `copilot eval compare A B` shows which
    cases flipped between two stored runs."""
    from evals import runner
    from evals.cases import SuiteError, load_suites

    args = list(suites or [])
    if args[:1] == ["compare"]:
        if len(args) != 3 or not all(a.isdigit() for a in args[1:]):
            raise CopilotError("usage: copilot eval compare RUN_A RUN_B (eval run ids, see `copilot eval list`)")
        _eval_compare(int(args[1]), int(args[2]), as_json)
        return
    if args[:1] == ["list"]:
        _eval_list(as_json)
        return
    try:
        cases = load_suites(args or None)
    except (SuiteError, OSError) as exc:
        raise CopilotError(str(exc)) from exc
    cp = _open(show_progress=not as_json)
    try:
        with Progress(console=err, transient=True) as bar:
            task = bar.add_task(f"{len(cases)} cases", total=len(cases))
            results, model_name = runner.run_eval(
                cases,
                model_spec=model,
                repeat=repeat,
                base=cp,
                workers=workers,
                progress=lambda i, n, r: bar.update(task, completed=i),
            )
        summary = runner.summarize(results)
        eval_id = runner.store_eval(cp.sessions, results, summary, model_name, repeat)
    finally:
        cp.close()
    details = [runner.case_detail(r) for r in results]
    written = []
    if report is not None:
        from evals.report import write_report

        written = write_report(
            report, summary, details, {"model": model_name, "eval_run_id": eval_id, "repeat": repeat}
        )
    total = summary["total"]
    if as_json:
        _emit({"eval_run_id": eval_id, "model": model_name, "repeat": repeat, "summary": summary, "cases": details})
    else:
        from evals.report import LABELS, table_rows

        for by in ("specialist", "lang", "suite"):
            table = Table(box=box.SIMPLE_HEAD, title=f"by {by}", title_justify="left", padding=(0, 1))
            table.add_column(by, no_wrap=True, min_width=10)
            for label in LABELS:
                table.add_column(label, justify="right", no_wrap=True, min_width=len(label))
            for row in table_rows(summary, by):
                table.add_row(*row)
            out.print(table)
        out.print(
            f"eval run {eval_id} ({model_name}, {len(cases)} cases x {repeat}): pass {total['pass']:.1%}, "
            f"pass^k {total['pass^k']:.1%}, latency p50 {total['latency_ms_p50']} ms, p95 {total['latency_ms_p95']} ms"
        )
        for d in details:
            if d["passed"] < d["repeats"]:
                failed = ", ".join(k for k, v in d["scores"][0].items() if v is False) or d["error"] or "a repeat"
                out.print(f"[red]failed[/red] {d['case']}: {failed}")
        for f in written:
            out.print(f"wrote {f}")
    if min_pass is not None and total["pass^k"] < min_pass:
        err.print(f"pass^k {total['pass^k']:.1%} is below --min-pass {min_pass:.1%}", highlight=False)
        raise typer.Exit(1)


def _eval_compare(a: int, b: int, as_json: bool) -> None:
    from evals.runner import compare

    cp = _open(show_progress=False)
    try:
        res = compare(cp.sessions, a, b)
    finally:
        cp.close()
    if as_json:
        _emit(res)
        return
    table = Table("", f"run {a}", f"run {b}", title="totals")
    for k, (x, y) in res["totals"].items():
        table.add_row(k, str(x), str(y))
    out.print(table)
    for key, label in (
        ("now_failing", "now failing"),
        ("now_passing", "now passing"),
        ("only_in_a", f"only in {a}"),
        ("only_in_b", f"only in {b}"),
    ):
        if res[key]:
            out.print(f"{label} ({len(res[key])}): {', '.join(res[key])}")
    if not (res["now_failing"] or res["now_passing"]):
        out.print("no case flipped")


def _eval_list(as_json: bool) -> None:
    from sqlalchemy import select

    from store.db import EvalRun

    cp = _open(show_progress=False)
    try:
        with cp.sessions() as s:
            runs = list(s.scalars(select(EvalRun).order_by(EvalRun.id.desc()).limit(50)))
    finally:
        cp.close()
    rows = [
        {
            "id": r.id,
            "started_at": r.started_at.isoformat(timespec="seconds"),
            "model": r.model,
            "suites": r.suites,
            "repeat": r.repeat,
            "cases": r.summary["total"]["cases"],
            "pass^k": r.summary["total"]["pass^k"],
        }
        for r in runs
    ]
    if as_json:
        for row in rows:
            _emit(row, ascii_only=True)
        return
    table = Table(*rows[0].keys()) if rows else Table("id")
    for row in rows:
        table.add_row(*(", ".join(v) if isinstance(v, list) else str(v) for v in row.values()))
    out.print(table)


@app.command()
def bench(
    only: Annotated[list[str] | None, typer.Option("--only", help="run the checks whose name starts with this")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="one JSON object per line")] = False,
    data: Annotated[Path | None, typer.Option("--data", help="folder of the reference data sets")] = None,
    quick: Annotated[bool, typer.Option("--quick", help="shorter runs: fewer vectors, cases and seconds")] = False,
) -> None:
    """Hold every model against its published figure and time the hot paths (see evals/bench.py)."""
    from rich.markup import escape

    from evals import bench as bench_mod

    if data is not None and not data.is_dir():
        raise CopilotError(f"--data {data} is not a folder")
    try:
        results = bench_mod.run(
            only,
            data,
            quick=quick,
            progress=lambda n: err.print(f"[dim]running {n}[/dim]"),
            step=lambda n, message: err.print(f"[dim]  {n}: {escape(message)}[/dim]", highlight=False, soft_wrap=True),
            on_skip=lambda n, why: err.print(
                f"[yellow]skipped {n}: {escape(why)}[/yellow]", highlight=False, soft_wrap=True
            ),
        )
    except ValueError as exc:
        raise CopilotError(str(exc)) from exc
    if as_json:
        for r in results:
            _emit(r, ascii_only=True)
        return
    results = [r for r in results if not r.get("skipped")]
    if not results:
        return
    table = Table("check", "ours", "published", "ok", "s", show_lines=True)
    for r in results:
        keys = [k for k in r["published"] if k in r["ours"]] or list(r["ours"])
        ours = "\n".join(f"{k} {r['ours'].get(k)}" for k in keys)
        pub = "\n".join(f"{k} {v}" for k, v in r["published"].items())
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


@app.command()
def serve(
    host: Annotated[str, typer.Option("--host", help="the address to listen on (loopback by default)")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", min=1, max=65535)] = 8000,
    workers: Annotated[int, typer.Option("--workers", min=1, max=32, help="server processes")] = 1,
    access_log: Annotated[bool, typer.Option("--access-log/--no-access-log", help="a line per request")] = True,
) -> None:
    """Serve the HTTP API (FastAPI on uvicorn; OpenAPI at /docs): POST /v1/ask, POST
    /v1/threads/ID/approval, GET /v1/threads/ID, GET /v1/decisions, POST /v1/feedback, /healthz,
    /readyz. Every route but the health checks needs a token (`copilot token create`)."""
    from channels.api import serve as run_server

    run_server(host=host, port=port, workers=workers, access_log=access_log)


token_app = typer.Typer(no_args_is_help=True, help="Bearer tokens of the HTTP API (copilot serve), each with a role.")
app.add_typer(token_app, name="token")


def _token_sessions() -> Any:
    """The shop's database alone (no model, no demo shop): tokens are rows of it."""
    from contextlib import contextmanager

    from copilot.settings import load_settings
    from store.db import make_engine, make_sessionmaker

    @contextmanager
    def opened() -> Any:
        engine = make_engine(load_settings().db_url)
        try:
            yield make_sessionmaker(engine)
        finally:
            engine.dispose()

    return opened()


@token_app.command("create")
def token_create(
    name: Annotated[str, typer.Option("--name", help="who uses it: the user the decision log records")],
    role: Annotated[
        str, typer.Option("--role", help="viewer (reads), marketer (asks), approver (approves), admin (all)")
    ],
    as_json: Annotated[bool, typer.Option("--json", help="print one JSON object")] = False,
) -> None:
    """Create a token and print it once: only its SHA-256 is stored, so keep it now."""
    from copilot.tokens import create_token

    with _token_sessions() as sessions:
        secret, row = create_token(sessions, name, role)
    if as_json:
        _emit({**row, "token": secret}, ascii_only=True)
        return
    sys.stdout.write(secret + "\n")
    err.print(
        plain(
            f"token {row['name']} ({row['role']}) created; it is shown this once: send it as 'Authorization: Bearer ...'"
        ),
        highlight=False,
        soft_wrap=True,
    )


@token_app.command("list")
def token_list(
    revoked: Annotated[bool, typer.Option("--revoked", help="the revoked tokens too")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="one JSON object per line")] = False,
) -> None:
    """The tokens: name, role, when created (and revoked); never the secrets."""
    from copilot.tokens import tokens

    with _token_sessions() as sessions:
        rows = tokens(sessions, revoked=revoked)
    if as_json:
        for row in rows:
            _emit(row, ascii_only=True)
        return
    table = Table("name", "role", "created", "revoked", box=box.SIMPLE)
    for row in rows:
        table.add_row(plain(row["name"]), row["role"], row["created_at"], row["revoked_at"] or "")
    out.print(table)


@token_app.command("revoke")
def token_revoke(name: Annotated[str, typer.Argument(help="the token's name")]) -> None:
    """Revoke a token: it stops working at once."""
    from copilot.tokens import revoke

    with _token_sessions() as sessions:
        row = revoke(sessions, name)
    out.print(plain(f"token {row['name']} ({row['role']}) revoked at {row['revoked_at']}"), highlight=False)


slack_app = typer.Typer(help="The Slack app: Socket Mode, and Slack users' roles.")
app.add_typer(slack_app, name="slack")
_SLACK_USER = re.compile(r"[UW][A-Z0-9]{2,31}")


@slack_app.callback(invoke_without_command=True)
def slack(
    ctx: typer.Context,
    socket: Annotated[
        bool, typer.Option("--socket", help="run the app over Socket Mode (needs SLACK_APP_TOKEN)")
    ] = False,
) -> None:
    """The Slack app. In HTTP mode `copilot serve` answers Slack at /slack/events and /slack/actions;
    `copilot slack --socket` connects out to Slack instead (no public URL). Both need SLACK_BOT_TOKEN
    and SLACK_SIGNING_SECRET."""
    if ctx.invoked_subcommand is not None:
        return
    if not socket:
        err.print(ctx.get_help(), highlight=False)
        raise typer.Exit(0)
    from channels.slack import SlackConfig, socket_mode
    from copilot.settings import load_settings

    config = SlackConfig.from_env()
    if config is None:
        raise CopilotError("Slack is not configured: set SLACK_BOT_TOKEN, SLACK_SIGNING_SECRET and SLACK_APP_TOKEN")
    socket_mode(load_settings(), config)


def _slack_user(user: str) -> str:
    if not _SLACK_USER.fullmatch(user):
        raise CopilotError(f"a Slack user id looks like U0123ABCD (its profile, More, Copy member ID), not {user!r}")
    return user


@slack_app.command("map-user")
def slack_map_user(
    user: Annotated[str, typer.Argument(help="the Slack member id, U0123ABCD")],
    role: Annotated[str, typer.Option("--role", help="viewer, marketer, approver or admin")],
    name: Annotated[
        str | None, typer.Option("--name", help="the user the decision log records (default: the id)")
    ] = None,
) -> None:
    """Give a Slack user a role: approvers may press Approve and Reject (unmapped users are marketers,
    or COPILOT_SLACK_DEFAULT_ROLE)."""
    from copilot.tokens import check_name, check_role
    from store.slack import map_user

    _slack_user(user)
    check_role(role)
    check_name(name or user)
    with _token_sessions() as sessions:
        row = map_user(sessions, user, role=role, name=name or user)
    out.print(plain(f"Slack user {row['slack_user']} is {row['name']}, a {row['role']}"), highlight=False)


@slack_app.command("unmap-user")
def slack_unmap_user(user: Annotated[str, typer.Argument(help="the Slack member id")]) -> None:
    """Forget a Slack user's role (they become an unmapped user again)."""
    from store.slack import unmap_user

    with _token_sessions() as sessions:
        if not unmap_user(sessions, _slack_user(user)):
            raise CopilotError(f"Slack user {user} has no role; `copilot slack users` lists them")
    out.print(f"Slack user {user} has no role now", highlight=False)


@slack_app.command("users")
def slack_users_list(as_json: Annotated[bool, typer.Option("--json", help="one JSON object per line")] = False) -> None:
    """The Slack users with a role."""
    from store.slack import slack_users

    with _token_sessions() as sessions:
        rows = slack_users(sessions)
    if as_json:
        for row in rows:
            _emit(row, ascii_only=True)
        return
    table = Table("slack user", "name", "role", "mapped", box=box.SIMPLE)
    for row in rows:
        table.add_row(row["slack_user"], plain(row["name"]), row["role"], row["mapped_at"])
    out.print(table)


dsp_app = typer.Typer(no_args_is_help=True, help="The DSP: an OpenRTB 2.6 bidder, and its exchange replay.")
app.add_typer(dsp_app, name="dsp")


@dsp_app.command("serve")
def dsp_serve(
    host: Annotated[str, typer.Option("--host", help="the address to listen on (loopback by default)")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", min=1, max=65535)] = 8100,
    workers: Annotated[int, typer.Option("--workers", min=1, max=32, help="bidder processes")] = 1,
    access_log: Annotated[bool, typer.Option("--access-log/--no-access-log", help="a line per request")] = False,
    replay_clock: Annotated[
        bool,
        typer.Option("--replay-clock", help="periods counted in requests (ext.replay_tick), for an exchange replay"),
    ] = False,
    ranker: Annotated[
        bool,
        typer.Option("--ranker", help="match ads with the ranker trained on the rtb data set (copilot data list)"),
    ] = False,
) -> None:
    """Serve the OpenRTB bidder on the shop's database (COPILOT_DATABASE_URL, or the SQLite shop):
    POST /openrtb2/bid, the win, billing and loss notices and clicks (/openrtb2/win, /billing, /loss,
    /click). Its workers share the budget through reservations in the database."""
    from copilot.settings import load_settings
    from dsp.app import serve as run_bidder
    from store import reference

    if host not in ("127.0.0.1", "localhost", "::1"):
        err.print(plain(f"serving plain HTTP on {host}: put a TLS proxy in front of it"), highlight=False)
    ranker_data = reference.data_dir("rtb") if ranker else None
    if ranker and ranker_data is None:
        raise CopilotError(
            "--ranker needs the rtb data set (iPinYou 2997 requests) in COPILOT_DATA_DIR or ../shared/data"
        )
    run_bidder(
        load_settings().db_url,
        host=host,
        port=port,
        workers=workers,
        clock="replay" if replay_clock else "wall",
        access_log=access_log,
        ranker_data=ranker_data,
    )


@dsp_app.command("replay")
def dsp_replay(
    workers: Annotated[int, typer.Option("--workers", min=1, max=32, help="bidder processes")] = 1,
    strategy: Annotated[str, typer.Option("--strategy", help="ours, rlb, lin or mcpc (the bench's)")] = "ours",
    limit: Annotated[
        int | None, typer.Option("--limit", min=1, help="only the log's first N auctions (default: all 156,063)")
    ] = None,
    data: Annotated[Path | None, typer.Option("--data", help="folder of the reference data sets")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="print one JSON object")] = False,
) -> None:
    """Replay the iPinYou 2997 test log as an exchange: OpenRTB requests to `copilot dsp serve`
    processes over loopback HTTP, second price against the log's market price, win and loss notices.
    Its clicks, impressions and cost must equal `copilot bench --only bidding`'s for the strategy."""
    from dsp import DspError
    from dsp.replay import run as run_replay
    from store import reference

    base = data if data is not None else reference.data_dir("ipinyou")
    if base is None or not reference.holds(base, "ipinyou"):
        raise CopilotError("needs the iPinYou data set (ipinyou): copilot data fetch ipinyou")
    try:
        res = run_replay(
            base,
            strategy=strategy,
            workers=workers,
            limit=limit,
            progress=None if as_json else lambda i, n: err.print(f"[dim]{i:,} of {n:,} auctions[/dim]"),
        )
    except DspError as exc:
        raise CopilotError(str(exc)) from exc
    if as_json:
        _emit(res)
        return
    table = Table("", "clicks", "impressions", "cost", box=box.SIMPLE)
    for who in ("exchange", "dsp", "offline"):
        f = res[who]
        table.add_row(who, str(f["clicks"]), f"{f['impressions']:,}", f"{f['cost']:,}")
    out.print(table)
    said = "equal" if res["equal"] else "[red]NOT equal[/red]"
    out.print(
        f"{res['strategy']} on {res['auctions']:,} auctions, {res['workers']} worker(s): {said}; "
        f"{res['requests_per_s']} requests/s, p50 {res['p50_ms']} ms, p99 {res['p99_ms']} ms"
    )
    if not res["equal"]:
        raise typer.Exit(1)


@dsp_app.command("stats")
def dsp_stats(
    since: Annotated[str, typer.Option("--since", help="ISO date or time, or a span: 30m, 12h, 7d")] = "24h",
    campaign: Annotated[
        int | None, typer.Option("--campaign", min=1, max=ID_MAX, help="only this DSP campaign")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="one JSON object per campaign, with its minutes")] = False,
) -> None:
    """How the DSP is doing: per campaign, its requests, bids, wins, spend, clicks, win rate, CPM,
    eCPC and today's pace (spend against the daily budget for the part of the day gone), from the
    bidder's per-minute counts."""
    from copilot.settings import load_settings
    from store.db import make_engine, make_sessionmaker
    from store.dsp import summary

    start = _since(since)
    engine = make_engine(load_settings().db_url)
    try:
        with make_sessionmaker(engine)() as s:
            rows = summary(s, since=start, campaign_id=campaign)
    finally:
        engine.dispose()
    if as_json:
        for r in rows:
            _emit(r)
        return
    table = Table(
        "campaign", "status", "requests", "bids", "wins", "spend", "clicks", "win rate", "CPM", "eCPC", "pace"
    )
    for r in rows:

        def num(v: Any, fmt: str = "{:,.2f}") -> str:
            return "-" if v is None else fmt.format(v)

        table.add_row(
            plain(f"{r['campaign_id']} {r['name']}"),
            r["status"],
            f"{r['requests']:,}",
            f"{r['bids']:,}",
            f"{r['wins']:,}",
            num(r["spend"]),
            f"{r['clicks']:,}",
            num(r["win_rate"], "{:.1%}"),
            num(r["cpm"]),
            num(r["ecpc"]),
            num(r["pace"], "{:.2f}"),
        )
    out.print(table)


dsp_campaign_app = typer.Typer(no_args_is_help=True, help="The DSP's campaigns and their creatives.")
dsp_app.add_typer(dsp_campaign_app, name="campaign")


def _dsp_sessions() -> Any:
    from copilot.settings import load_settings
    from store.db import make_engine, make_sessionmaker

    return make_sessionmaker(make_engine(load_settings().db_url))


@dsp_campaign_app.command("add")
def dsp_campaign_add(
    name: Annotated[str, typer.Argument(help="the campaign's name (unique)")],
    daily_budget: Annotated[float, typer.Option("--daily-budget", min=0.000001, help="in the currency")],
    max_bid: Annotated[float, typer.Option("--max-bid", min=0.000001, help="CPM, in the currency")],
    strategy: Annotated[
        str, typer.Option("--strategy", help="fixed, lin, mcpc, rlb or ours (dsp/strategy.py)")
    ] = "fixed",
    params: Annotated[str, typer.Option("--params", help="the strategy's parameters, a JSON object")] = "{}",
    targeting: Annotated[
        str, typer.Option("--targeting", help='rules, a JSON object: {"regions": [...], "hours": [...], ...}')
    ] = "{}",
    paused: Annotated[bool, typer.Option("--paused", help="made paused: the bidder skips it")] = False,
) -> None:
    """Add a DSP campaign (the bidder picks it up within a second). Targeting rules: regions, hours,
    domains_allow, domains_block, sizes ("300x250"), audiences (DMP audience ids)."""
    import json

    from pydantic import ValidationError

    from dsp import DspError
    from dsp.strategy import strategy_params_check
    from dsp.targeting import Targeting
    from store.dsp import add_campaign, micros

    try:
        p, t = json.loads(params), json.loads(targeting)
    except ValueError as exc:
        raise CopilotError(f"--params and --targeting are JSON objects: {exc}") from None
    if not isinstance(p, dict) or not isinstance(t, dict):
        raise CopilotError("--params and --targeting are JSON objects")
    try:
        rules = Targeting.model_validate(t).model_dump(exclude_defaults=True)
        strategy_params_check(strategy, p, micros(daily_budget), max_bid)
    except ValidationError as exc:
        e = exc.errors()[0]
        raise CopilotError(
            f"--targeting {'.'.join(str(x) for x in e['loc'])}: {e['msg'].removeprefix('Value error, ')}"
        ) from None
    except DspError as exc:
        raise CopilotError(str(exc)) from None
    cid = add_campaign(
        _dsp_sessions(),
        name=name,
        daily_budget=daily_budget,
        max_bid=max_bid,
        strategy=strategy,
        params=p,
        targeting=rules,
        status="paused" if paused else "active",
    )
    out.print(plain(f"DSP campaign {cid} ({name}) added"), highlight=False)


@dsp_campaign_app.command("creative")
def dsp_campaign_creative(
    campaign: Annotated[int, typer.Argument(help="the DSP campaign's id", min=1, max=ID_MAX)],
    crid: Annotated[str, typer.Option("--crid", help="the creative's id, as the exchange sees it")],
    size: Annotated[str, typer.Option("--size", help="WIDTHxHEIGHT, e.g. 300x250")],
    adm: Annotated[str, typer.Option("--adm", help="the ad's markup; {CLICK_URL} becomes our click URL")],
    click_url: Annotated[str | None, typer.Option("--click-url", help="where a click leads")] = None,
    adomain: Annotated[str | None, typer.Option("--adomain", help="the advertiser's domain (for badv)")] = None,
) -> None:
    """Add a creative to a DSP campaign."""
    from store.dsp import add_creative

    m = re.fullmatch(r"([1-9][0-9]{0,4})x([1-9][0-9]{0,4})", size)
    if m is None:
        raise CopilotError(f"--size is WIDTHxHEIGHT, like 300x250, not {size!r}")
    rid = add_creative(
        _dsp_sessions(),
        campaign,
        crid=crid[:64],
        w=int(m.group(1)),
        h=int(m.group(2)),
        adm=adm,
        adomain=adomain,
        click_url=click_url,
    )
    out.print(plain(f"creative {rid} added to DSP campaign {campaign}"), highlight=False)


db_app = typer.Typer(no_args_is_help=True, help="The database's schema: where it stands, migrations.")
app.add_typer(db_app, name="db")


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Bring the database (COPILOT_DATABASE_URL, or the SQLite shop in COPILOT_HOME) to this copilot's
    schema: runs the migrations it lacks; a database made before migrations is adopted."""
    from copilot.settings import load_settings
    from store.db import open_engine
    from store.schema import HEAD, upgrade, where

    engine = open_engine(load_settings().db_url)
    try:
        before, after = upgrade(engine)
        said = "already at" if before == after else f"migrated from {before or 'before migrations'} to"
        out.print(plain(f"{where(engine)}: {said} schema {after} (this copilot's is {HEAD})"), highlight=False)
    finally:
        engine.dispose()


@db_app.command("status")
def db_status() -> None:
    """The database's schema revision and this copilot's."""
    from copilot.settings import load_settings
    from store.db import open_engine
    from store.schema import HEAD, revision, where

    engine = open_engine(load_settings().db_url)
    try:
        with engine.connect() as conn:
            rev = revision(conn)
        state = (
            "up to date"
            if rev == HEAD
            else "run `copilot db upgrade`"
            if rev is None or rev < HEAD
            else "newer than this copilot"
        )
        out.print(plain(f"{where(engine)}: schema {rev or 'none'}, this copilot's {HEAD} ({state})"), highlight=False)
    finally:
        engine.dispose()


data_app = typer.Typer(no_args_is_help=True, help="The reference data sets: list them, fetch them.")
app.add_typer(data_app, name="data")


@data_app.command("fetch")
def data_fetch(
    names: Annotated[list[str] | None, typer.Argument(help="data sets to fetch (all when none is named)")] = None,
    to: Annotated[Path | None, typer.Option("--to", help="folder to fetch into (default $COPILOT_HOME/data)")] = None,
    force: Annotated[bool, typer.Option("--force", help="download again files already there")] = False,
) -> None:
    """Download the reference data sets from their original sources, each checked against its SHA-256."""
    from store import fetch, reference

    dest = to or reference.home_data_dir()
    if dest.exists() and not dest.is_dir():
        raise CopilotError(f"{dest} is a file; fetch into a folder (--to DIR)")
    with Progress(console=err, transient=True) as bar:
        tasks: dict[str, Any] = {}

        def progress(label: str, done: int, total: int | None) -> None:
            if label not in tasks:
                tasks[label] = bar.add_task(label, total=total)
            bar.update(tasks[label], completed=done)

        try:
            written = fetch.fetch(names, dest, force=force, progress=progress, say=bar.console.print)
        except fetch.FetchError as exc:
            raise CopilotError(str(exc)) from exc
    chosen = names or fetch.fetchable()
    if not written:
        err.print(f"already in {dest}: {', '.join(chosen)} (--force downloads again)", highlight=False)
    else:
        err.print(f"fetched into {dest}: {len(written)} file{'s' * (len(written) != 1)}", highlight=False)
    if not names:
        err.print(
            "not fetched (no checked download): "
            + "; ".join(f"{k}: {v}" for k, v in fetch.NOT_FETCHED.items() if k != "online_retail"),
            highlight=False,
        )


@data_app.command("list")
def data_list(as_json: Annotated[bool, typer.Option("--json", help="one JSON object per line")] = False) -> None:
    """Each reference data set, where it is found and its size, and how to get the missing ones."""
    from store import fetch, reference

    vendored = Path(reference.__file__).parent / "data" / "online_retail.csv.xz"
    rows: list[dict[str, Any]] = [
        {
            "name": "online_retail",
            "title": "UCI Online Retail (the demo shop)",
            "found": "in the project",
            "path": str(vendored),
            "bytes": vendored.stat().st_size if vendored.is_file() else None,
            "get": None,
        }
    ]
    for ds in reference.SETS.values():
        where = reference.found(ds.name)
        get = f"copilot data fetch {ds.name}" if ds.name in fetch.fetchable() else "no download (see below)"
        own = reference.VENDORED_WEB_SESSIONS if ds.name == "web_sessions" and not where else None
        rows.append(
            {
                "name": ds.name,
                "title": ds.title,
                "found": where[0] if where else "in the project" if own else "missing",
                "path": str(where[1] / ds.name) if where else str(own) if own else None,
                "bytes": sum((where[1] / f).stat().st_size for f in ds.files)
                if where
                else own.stat().st_size
                if own
                else None,
                "get": get,
            }
        )
    if as_json:
        for row in rows:
            _emit(row, ascii_only=True)
        return
    table = Table(box=box.SIMPLE)
    for col in ("data set", "found", "size", "download"):
        table.add_column(col, no_wrap=True, justify="right" if col == "size" else "left")
    for row in rows:
        size = "-" if row["bytes"] is None else f"{row['bytes'] / 1e3:,.0f} kB"
        found = "[red]missing[/red]" if row["found"] == "missing" else row["found"]
        download = "-" if row["get"] is None else "checked" if row["get"].startswith("copilot") else "none"
        table.add_row(row["name"], found, size, download)
    out.print(table)
    missing = [r["name"] for r in rows if r["found"] == "missing" and r["name"] in fetch.fetchable()]
    if missing:
        out.print(f"get the missing ones with: copilot data fetch {' '.join(missing)}", highlight=False)
    for name, why in fetch.NOT_FETCHED.items():
        if name != "online_retail":
            out.print(f"[dim]{name}: no download: {why}[/dim]", highlight=False)
    out.print(
        "[dim]searched, in order: " + ", ".join(f"{how} ({p})" for how, p in reference.candidates()) + "[/dim]",
        highlight=False,
    )


def _log_failed_start(exc: CopilotError, *, text: str, thread: str | None, user: str) -> None:
    """A request that failed before the copilot opened: logged in the shop's database as a run
    that failed, with its decision row, when that database can be written."""
    from copilot.app import log_failed_start
    from copilot.settings import load_settings

    if isinstance(exc, SettingsError):
        db_url, model = exc.db_url, "unknown"
    else:
        try:
            settings = load_settings()
        except CopilotError:
            return
        db_url, model = settings.db_url, settings.model
    if db_url:
        log_failed_start(
            db_url, text=readable(text), thread_id=thread, channel="cli", user=user, model=model, error=str(exc)
        )


def _one_line(message: str) -> str:
    return " ".join(message.split())


def _fault(exc: BaseException) -> CopilotError | None:
    """An error raised outside the copilot's own methods (a command reading the log while another
    process holds it), as the one line a marketer can act on, or None: a bug."""
    from copilot.faults import user_error
    from copilot.settings import load_settings

    try:
        settings = load_settings()
    except CopilotError:
        return None
    return user_error(exc, db_url=settings.db_url, checkpoints=settings.checkpoint_path)


def _command_of(ctx: Any) -> str:
    """`copilot import orders`: the command a click context is of, however the program was started."""
    names = []
    while ctx is not None and ctx.parent is not None:
        names.append(ctx.info_name)
        ctx = ctx.parent
    return " ".join(["copilot", *reversed(names)])


def main() -> None:
    """Run a command. Exit codes: 0 done, 1 a failure a marketer can meet (told in one line that
    says what to do: a bad option or setting, the model endpoint down, a corrupt or unwritable
    file), 2 a bug (one line; COPILOT_DEBUG=1 for the traceback), 130 interrupted."""
    try:
        code = app(standalone_mode=False)
    except typer.TyperException as exc:  # click's errors, as typer carries them
        if type(exc).__name__ == "NoArgsIsHelpError":  # `copilot`, `copilot import`: the help, not an error
            sys.stdout.write(exc.format_message() + "\n")
            sys.exit(0)
        ctx = getattr(exc, "ctx", None)  # a usage error: a misspelt option, a value out of range
        see = f" (see `{_command_of(ctx)} --help`)" if ctx is not None else ""
        err.print(plain(f"error: {_one_line(exc.format_message())}{see}"), highlight=False, soft_wrap=True)
        sys.exit(1)
    except typer.Abort:
        sys.exit(130)
    except CopilotError as exc:
        err.print(plain(f"error: {_one_line(str(exc))}"), highlight=False, soft_wrap=True)  # one line, never wrapped
        sys.exit(1)
    except KeyboardInterrupt:
        sys.exit(130)
    except Exception as exc:  # a bug, not a marketer's mistake: one line, the traceback on request
        known = _fault(exc)
        if known is not None:
            err.print(plain(f"error: {_one_line(str(known))}"), highlight=False, soft_wrap=True)
            sys.exit(1)
        if os.environ.get("COPILOT_DEBUG"):
            raise
        err.print(
            plain(
                f"error: internal error ({type(exc).__name__}: {_one_line(str(exc))}); `copilot decisions` shows "
                "what ran. Set COPILOT_DEBUG=1 for the traceback and report it."
            ),
            highlight=False,
            soft_wrap=True,
        )
        sys.exit(2)
    sys.exit(code if isinstance(code, int) else 0)


if __name__ == "__main__":
    main()
