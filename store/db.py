"""SQLAlchemy 2 models of the shop, the campaigns and the decision log, and the session factory."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    create_engine,
    event,
    text,
)
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, sessionmaker, synonym


def utcnow() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


class Base(DeclarativeBase):
    pass


class Meta(Base):
    """Key-value facts about this database (which data set was imported, when)."""

    __tablename__ = "meta"
    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(Text)


class Product(Base):
    __tablename__ = "products"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    stock_code: Mapped[str] = mapped_column(String(32), unique=True, index=True)
    description: Mapped[str] = mapped_column(Text)
    price: Mapped[float] = mapped_column(Float)  # current list price: the median unit price sold at
    unit_cost: Mapped[float | None] = mapped_column(Float, nullable=True)


class Customer(Base):
    __tablename__ = "customers"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    country: Mapped[str] = mapped_column(String(64))


class Order(Base):
    __tablename__ = "orders"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    invoice_no: Mapped[str] = mapped_column(String(64), unique=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"), index=True)
    ordered_at: Mapped[datetime] = mapped_column(DateTime, index=True)


class OrderLine(Base):
    __tablename__ = "order_lines"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id"), index=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id"), index=True)
    quantity: Mapped[int] = mapped_column(Integer)
    unit_price: Mapped[float] = mapped_column(Float)


class Channel(Base):
    """A marketing channel and its response curve revenue(s) = saturation * (1 - exp(-s / scale))."""

    __tablename__ = "channels"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(32), unique=True)
    saturation: Mapped[float] = mapped_column(Float)
    scale: Mapped[float] = mapped_column(Float)
    source: Mapped[str] = mapped_column(Text)


class Campaign(Base):
    __tablename__ = "campaigns"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(128))
    channel_id: Mapped[int] = mapped_column(ForeignKey("channels.id"))
    status: Mapped[str] = mapped_column(String(16), default="active")
    daily_budget: Mapped[float] = mapped_column(Float)
    bid: Mapped[float] = mapped_column(Float)  # max CPC bid in the shop's currency
    value_per_click: Mapped[float] = mapped_column(Float)


class CampaignSpend(Base):
    """Hourly delivery of a campaign (the demo's is simulated and says so in `source`)."""

    __tablename__ = "campaign_spend"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id"), index=True)
    hour: Mapped[datetime] = mapped_column(DateTime)
    impressions: Mapped[int] = mapped_column(Integer)
    clicks: Mapped[int] = mapped_column(Integer)
    spend: Mapped[float] = mapped_column(Float)
    source: Mapped[str] = mapped_column(String(32))


class CampaignDay(Base):
    """Daily delivery of a campaign, with what it brought (the demo's is simulated and says so in
    `source`); `hours` is 24 for a whole day and the hours reported so far for today."""

    __tablename__ = "campaign_days"
    __table_args__ = (UniqueConstraint("campaign_id", "day"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id"), index=True)
    day: Mapped[date] = mapped_column(Date)
    hours: Mapped[int] = mapped_column(Integer)
    impressions: Mapped[int] = mapped_column(Integer)
    clicks: Mapped[int] = mapped_column(Integer)
    conversions: Mapped[int] = mapped_column(Integer)
    spend: Mapped[float] = mapped_column(Float)
    revenue: Mapped[float] = mapped_column(Float)
    source: Mapped[str] = mapped_column(String(32))


class DeliveryModel(Base):
    """The assumptions of a campaign's simulated delivery (engine/delivery.py): its market, its
    audience and where each figure comes from (`source`)."""

    __tablename__ = "delivery_models"
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id"), primary_key=True)
    auctions_per_day: Mapped[float] = mapped_column(Float)
    ctr: Mapped[float] = mapped_column(Float)
    conversion_rate: Mapped[float] = mapped_column(Float)
    avg_order_value: Mapped[float] = mapped_column(Float)
    market_cpc: Mapped[float] = mapped_column(Float)
    source: Mapped[str] = mapped_column(Text)


class MediaWeek(Base):
    """A week of the shop's media history (`copilot import media`): sales, spend per channel and
    any controls, for the marketing-mix model (engine/mmm.py). `week` is the week's first day."""

    __tablename__ = "media_weeks"
    week: Mapped[date] = mapped_column(Date, primary_key=True)
    sales: Mapped[float] = mapped_column(Float)
    spend: Mapped[Any] = mapped_column(JSON)  # {channel: spend}
    controls: Mapped[Any] = mapped_column(JSON)  # {name: value}, may be empty


class JourneyPath(Base):
    """A path of the shop's journeys (`copilot import journeys`), for channel attribution
    (engine/attribution.py): its channels in order, joined by " > ", the conversions and conversion
    value that followed it, and the journeys on it that ended without one. `id` is the file's order."""

    __tablename__ = "journey_paths"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    path: Mapped[str] = mapped_column(Text)
    conversions: Mapped[float] = mapped_column(Float)
    value: Mapped[float] = mapped_column(Float)
    nulls: Mapped[float] = mapped_column(Float)


class Run(Base):
    """One request and its answer."""

    __tablename__ = "runs"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    thread_id: Mapped[str] = mapped_column(String(64), index=True)
    channel: Mapped[str] = mapped_column(String(16))  # cli, slack, api, web, eval
    user: Mapped[str] = mapped_column(String(64))
    request: Mapped[str] = mapped_column(Text)
    answer: Mapped[str | None] = mapped_column(Text, nullable=True)
    model: Mapped[str] = mapped_column(String(64))
    started_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    ended_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)


class Decision(Base):
    """One decision: a route, a tool call, an approval or an answer. Column names follow the
    OpenTelemetry GenAI attributes (gen_ai.agent.name, gen_ai.tool.name, gen_ai.tool.call.id)."""

    __tablename__ = "decisions"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("runs.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))  # route, plan (a model call choosing tools), tool, approval, answer
    agent_name: Mapped[str | None] = mapped_column(String(32), nullable=True)
    tool_name: Mapped[str | None] = mapped_column(String(64), nullable=True)
    tool_call_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    arguments: Mapped[Any] = mapped_column(JSON, nullable=True)
    result: Mapped[Any] = mapped_column(JSON, nullable=True)
    status: Mapped[str] = mapped_column(String(16))  # ok, error, rejected, pending
    error: Mapped[str | None] = mapped_column(Text, nullable=True)
    model: Mapped[str | None] = mapped_column(String(64), nullable=True)
    latency_ms: Mapped[float | None] = mapped_column(Float, nullable=True)
    input_tokens: Mapped[int | None] = mapped_column(Integer, nullable=True)
    output_tokens: Mapped[int | None] = mapped_column(Integer, nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class PendingChange(Base):
    """One change a write tool proposed, waiting for a person: the exact change shown (target, field,
    from, to) and its state, pending -> approved | rejected | expired. Settling it is a compare-and-set
    on `state` in the same transaction as the write it allows (copilot/approvals.py). The changes one
    graph pause proposed share a `batch`; the graph resumes once none of them is pending."""

    __tablename__ = "pending_changes"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    thread_id: Mapped[str] = mapped_column(String(64), index=True)
    run_id: Mapped[int | None] = mapped_column(ForeignKey("runs.id"), nullable=True, index=True)
    batch: Mapped[str] = mapped_column(String(64), index=True)
    tool: Mapped[str] = mapped_column(String(64))
    tool_call_id: Mapped[str] = mapped_column(String(64))
    decision_id: Mapped[int | None] = mapped_column(ForeignKey("decisions.id"), nullable=True)  # its tool row
    arguments: Mapped[Any] = mapped_column(JSON)  # the tool's arguments for exactly this change
    target_kind: Mapped[str] = mapped_column(String(16))  # campaign, product
    target_id: Mapped[int] = mapped_column(Integer)
    field: Mapped[str] = mapped_column(String(32))
    from_value: Mapped[Any] = mapped_column(JSON)
    to_value: Mapped[Any] = mapped_column(JSON)
    preview: Mapped[Any] = mapped_column(JSON)  # the change as shown (names, size, warnings)
    state: Mapped[str] = mapped_column(String(16), default="pending", index=True)
    reason: Mapped[str | None] = mapped_column(Text, nullable=True)  # why it was not applied, in words
    replaced_by: Mapped[int | None] = mapped_column(Integer, nullable=True)  # the fresh preview of a stale one
    proposed_by: Mapped[str] = mapped_column(String(64))
    proposed_channel: Mapped[str] = mapped_column(String(16))
    settled_by: Mapped[str | None] = mapped_column(String(64), nullable=True)
    settled_channel: Mapped[str | None] = mapped_column(String(16), nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    settled_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    expires_at: Mapped[datetime] = mapped_column(DateTime)
    applied_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)  # the write ran (idempotence)
    result: Mapped[Any] = mapped_column(JSON, nullable=True)  # what the write returned
    error: Mapped[str | None] = mapped_column(Text, nullable=True)  # the write failed: nothing changed
    resumed_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)  # on a batch's first row: resumed


class Outcome(Base):
    """What was observed after a decision (clicks, conversions, revenue), attached to it."""

    __tablename__ = "outcomes"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    decision_id: Mapped[int] = mapped_column(ForeignKey("decisions.id"), index=True)
    metric: Mapped[str] = mapped_column(String(32))
    value: Mapped[float] = mapped_column(Float)
    observed_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class Feedback(Base):
    """A marketer's thumbs up or down on a run, with an optional comment."""

    __tablename__ = "feedback"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("runs.id"), index=True)
    rating: Mapped[int] = mapped_column(Integer)  # +1 up, -1 down
    comment: Mapped[str | None] = mapped_column(Text, nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class EvalRun(Base):
    """One `copilot eval`: the suites, the model, the totals (evals/runner.py)."""

    __tablename__ = "eval_runs"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    model: Mapped[str] = mapped_column(String(64))
    suites: Mapped[Any] = mapped_column(JSON)
    repeat: Mapped[int] = mapped_column(Integer)
    summary: Mapped[Any] = mapped_column(JSON)
    started_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class EvalResult(Base):
    """One case of an eval run: passed over all repeats, and each score of the first repeat."""

    __tablename__ = "eval_results"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    eval_run_id: Mapped[int] = mapped_column(ForeignKey("eval_runs.id"), index=True)
    case_id: Mapped[str] = mapped_column(String(128))
    passed: Mapped[int] = mapped_column(Integer)  # repeats passed
    repeats: Mapped[int] = mapped_column(Integer)
    detail: Mapped[Any] = mapped_column(JSON)


class ApiToken(Base):
    """A bearer token of the HTTP API: its name (the user the log records for its requests), its
    role, and the SHA-256 of the secret (the secret itself is shown once and never stored). A name is
    held by one live token at a time; a revoked token stays, for the record."""

    __tablename__ = "api_tokens"
    __table_args__ = (
        Index(
            "ix_api_tokens_live_name",
            "name",
            unique=True,
            sqlite_where=text("revoked_at IS NULL"),
            postgresql_where=text("revoked_at IS NULL"),
        ),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(64))
    role: Mapped[str] = mapped_column(String(16))  # viewer, marketer, approver, admin
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)  # sha256 hex of the secret
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)


class SlackUser(Base):
    """A Slack user's role in the copilot (`copilot slack map-user U123 --role approver`) and the
    name the decision log records for them."""

    __tablename__ = "slack_users"
    slack_user: Mapped[str] = mapped_column(String(32), primary_key=True)  # U... or W... (the team's id)
    name: Mapped[str] = mapped_column(String(64))
    role: Mapped[str] = mapped_column(String(16))  # viewer, marketer, approver, admin
    mapped_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class SlackEvent(Base):
    """A Slack event or action taken up: Slack delivers again when it hears no ack in 3 s, and any
    worker may get the copy; the first insert of its id wins, so it is processed once."""

    __tablename__ = "slack_events"
    event_id: Mapped[str] = mapped_column(String(128), primary_key=True)
    received_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, index=True)


class Audience(Base):
    """A saved audience of the DMP (dmp/): rules over the customers' figures, an uploaded list, or the
    look-alikes of a seed; its members are materialised in audience_members (`size` of them) as of
    `refreshed_at`."""

    __tablename__ = "audiences"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(64), unique=True)
    kind: Mapped[str] = mapped_column(String(16))  # rules, list, lookalike
    definition: Mapped[Any] = mapped_column(JSON)
    size: Mapped[int] = mapped_column(Integer, default=0)
    refreshed_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class AudienceMember(Base):
    """One customer of an audience. No foreign key to customers: a list may outlive a reload of the
    shop's orders (`copilot import orders` replaces the customers), and a refresh recomputes it."""

    __tablename__ = "audience_members"
    audience_id: Mapped[int] = mapped_column(ForeignKey("audiences.id", ondelete="CASCADE"), primary_key=True)
    customer_id: Mapped[int] = mapped_column(Integer, primary_key=True, index=True)


class Consent(Base):
    """A customer's marketing consent: opted out or not, since when, and who said so (`source`: the
    copilot, an imported file). Its own table, not a column of customers, so that a reload of the
    orders keeps it and a file can record the choice of a customer the shop does not know yet. A
    customer with no row has not opted out. Opted-out customers never reach an export or a bidder."""

    __tablename__ = "consents"
    customer_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    opted_out: Mapped[bool] = mapped_column(Boolean)
    changed_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    source: Mapped[str] = mapped_column(String(128))
    id = synonym("customer_id")  # the approval core finds a change's target by `id`


class DmpSecret(Base):
    """The DMP's own secrets, kept across reloads of the orders (unlike meta): the salt that exports
    hash customer ids with, made once per shop."""

    __tablename__ = "dmp_secrets"
    key: Mapped[str] = mapped_column(String(32), primary_key=True)
    value: Mapped[str] = mapped_column(String(128))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class DspCampaign(Base):
    """A campaign of the DSP (dsp/): its status, daily budget (micros of the currency), the most it
    bids (CPM), the strategy it bids with and that strategy's parameters, its targeting rules
    (dsp/targeting.py) and whether the pacing controller steers its bids. `campaign_id` is the shop's
    campaign it delivers for, when there is one."""

    __tablename__ = "dsp_campaigns"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(128), unique=True)
    campaign_id: Mapped[int | None] = mapped_column(ForeignKey("campaigns.id", ondelete="SET NULL"), nullable=True)
    status: Mapped[str] = mapped_column(String(16), default="active")  # active, paused
    daily_budget_micros: Mapped[int] = mapped_column(BigInteger)
    max_bid: Mapped[float] = mapped_column(Float)  # CPM, in the currency
    strategy: Mapped[str] = mapped_column(String(16))  # dsp/strategy.py STRATEGIES
    params: Mapped[Any] = mapped_column(JSON)
    targeting: Mapped[Any] = mapped_column(JSON)
    pacing: Mapped[bool] = mapped_column(Boolean, default=True)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class DspCreative(Base):
    """An ad of a DSP campaign: its size, its markup (adm) and where a click leads."""

    __tablename__ = "dsp_creatives"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("dsp_campaigns.id", ondelete="CASCADE"), index=True)
    crid: Mapped[str] = mapped_column(String(64))
    w: Mapped[int] = mapped_column(Integer)
    h: Mapped[int] = mapped_column(Integer)
    adm: Mapped[str] = mapped_column(Text)
    adomain: Mapped[str | None] = mapped_column(String(255), nullable=True)
    click_url: Mapped[str | None] = mapped_column(Text, nullable=True)
    status: Mapped[str] = mapped_column(String(16), default="active")


class DspBudget(Base):
    """A DSP campaign's budget for one period (a day; an episode of an exchange replay): how much of
    it the bidder processes have reserved, and how much was charged. reserved <= budget always (a
    conditional update), and spent <= reserved."""

    __tablename__ = "dsp_budgets"
    campaign_id: Mapped[int] = mapped_column(ForeignKey("dsp_campaigns.id", ondelete="CASCADE"), primary_key=True)
    period: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    budget_micros: Mapped[int] = mapped_column(BigInteger)
    reserved_micros: Mapped[int] = mapped_column(BigInteger, default=0)
    spent_micros: Mapped[int] = mapped_column(BigInteger, default=0)


class DspReservation(Base):
    """A slice of a period's budget that one bidder process holds: it bids only within it, every
    charge is made against it (spent <= reserved), and what it did not spend goes back to the budget
    when it is released."""

    __tablename__ = "dsp_reservations"
    __table_args__ = (Index("ix_dsp_reservations_campaign_period", "campaign_id", "period"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("dsp_campaigns.id", ondelete="CASCADE"))
    period: Mapped[int] = mapped_column(BigInteger)
    worker: Mapped[str] = mapped_column(String(64))
    reserved_micros: Mapped[int] = mapped_column(BigInteger, default=0)
    spent_micros: Mapped[int] = mapped_column(BigInteger, default=0)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    released_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)


class DspAuction(Base):
    """An auction the DSP won and was charged for, once: `auction` is the request's id and the
    impression's; the first win or billing notice charges the clearing price, any other is refused."""

    __tablename__ = "dsp_auctions"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    auction: Mapped[str] = mapped_column(String(200), unique=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("dsp_campaigns.id", ondelete="CASCADE"), index=True)
    creative_id: Mapped[int] = mapped_column(Integer)
    reservation_id: Mapped[int] = mapped_column(Integer)
    bid_micros: Mapped[int] = mapped_column(BigInteger)
    price_micros: Mapped[int] = mapped_column(BigInteger)
    charged_by: Mapped[str] = mapped_column(String(8))  # win, billing
    charged_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    billed_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    clicked_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)


class DspStat(Base):
    """What the bidder did for a campaign in one minute (UTC): requests seen, bids, wins, spend and
    clicks. Workers add to it; it is never one row a request."""

    __tablename__ = "dsp_stats"
    campaign_id: Mapped[int] = mapped_column(ForeignKey("dsp_campaigns.id", ondelete="CASCADE"), primary_key=True)
    minute: Mapped[datetime] = mapped_column(DateTime, primary_key=True)
    requests: Mapped[int] = mapped_column(BigInteger, default=0)
    bids: Mapped[int] = mapped_column(BigInteger, default=0)
    wins: Mapped[int] = mapped_column(BigInteger, default=0)
    spend_micros: Mapped[int] = mapped_column(BigInteger, default=0)
    clicks: Mapped[int] = mapped_column(BigInteger, default=0)


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=NORMAL")  # WAL's recommended level: atomic and consistent, fsync at checkpoints
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA busy_timeout=5000")
    cur.close()


def engine_url(url: str) -> str:
    """`url` with PostgreSQL's driver named: postgresql:// and postgres:// mean psycopg 3."""
    for bare in ("postgresql://", "postgres://"):
        if url.startswith(bare):
            return "postgresql+psycopg://" + url.removeprefix(bare)
    return url


def open_engine(url: str) -> Engine:
    """An engine for `url` whatever its schema (`copilot db upgrade` migrates through it). SQLite
    files get WAL mode, a busy timeout and foreign keys."""
    if url.startswith("sqlite"):
        engine = create_engine(url)
    else:  # a copilot answers one request at a time: a few connections each (a server allows ~100 in all)
        engine = create_engine(engine_url(url), pool_pre_ping=True, pool_size=3, max_overflow=5)
    if engine.dialect.name == "sqlite":
        if engine.url.database and engine.url.database != ":memory:":
            Path(engine.url.database).expanduser().parent.mkdir(parents=True, exist_ok=True)
        event.listen(engine, "connect", _sqlite_pragmas)
    return engine


def make_engine(url: str) -> Engine:
    """An engine for `url`, its database at the code's schema (store/schema.py: a new database is
    made, one behind or ahead is refused)."""
    from store.schema import ensure_schema

    engine = open_engine(url)
    try:
        ensure_schema(engine)
    except BaseException:
        engine.dispose()
        raise
    return engine


def make_sessionmaker(engine: Engine) -> sessionmaker:
    return sessionmaker(engine, expire_on_commit=False)
