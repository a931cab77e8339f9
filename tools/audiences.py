"""Audience tools (the DMP, dmp/): saved audiences of the shop's customers by rules, uploaded lists or
look-alikes; their size, overlap and members; exports for Google Customer Match and Meta custom
audiences; and customers' marketing consent. Writes wait for the marketer's approval, and each
preview says what will change (the audience's size and definition, the file to be written).

The per-customer figures the rules read come from the profiling tools: the RFM table and segment,
the lapsing rule of lapsing_customers (the at_risk segment), the BG/NBD x Gamma-Gamma lifetime value.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime
from pathlib import Path
from typing import Any, Literal

import numpy as np
from pydantic import BaseModel, Field
from sqlalchemy import select
from sqlalchemy.orm import Session

from dmp import DmpError, exports, lookalike
from dmp import audiences as dmp_store
from dmp.rules import Rules
from dmp.rules import members as rule_members
from dmp.table import CustomerTable
from store.db import Audience
from tools import filters
from tools.base import ProductId, Shop, ToolFailure, ToolSpec, get_customer, get_product, is_exporting
from tools.profiling import _clv, rfm_table

AGENT = "profiling"
SAMPLE = 5  # members an answer shows
LAPSING_RULE = "ordered often before (F score 3-5) but not recently (R score 1-2): the at_risk segment"
UPLIFT_MISSING = (
    "the e-mail uplift score cannot be computed for this shop's customers: the uplift model behind "
    "email_targeting is trained on the Hillstrom e-mail test, whose features (men's and women's merchandise "
    "bought, zip-code area, purchase channel) the shop does not record; leave out min_uplift"
)
NEW = 0  # the audience id a change names for an audience not made yet


@contextmanager
def _dmp() -> Iterator[None]:
    """A DMP error as the marketer's one line."""
    try:
        yield
    except DmpError as exc:
        raise ToolFailure(str(exc)) from exc


def exports_dir(shop: Shop) -> Path:
    """Where audience files are written: the home's exports folder (the home holds the catalog)."""
    return shop.chroma_path.parent / "exports" / "audiences"


def customer_table(shop: Shop) -> CustomerTable:
    """Every customer's figures, as the profiling tools compute them (built once per process)."""

    def build() -> CustomerTable:
        t = rfm_table(shop)
        ids = t["customer"].astype(np.int64)
        v = shop.stored("clv_52w", lambda: {k: _clv(shop)[k] for k in ("customer", "clv_52w")})
        pos = np.clip(np.searchsorted(v["customer"], ids), 0, max(v["customer"].size - 1, 0))
        clv = np.where(v["customer"][pos] == ids, v["clv_52w"][pos], 0.0)
        names = filters.countries(shop)[2]
        code = filters.country_of_customers(shop, ids)
        country = np.array([names[c] if c >= 0 else "" for c in code.tolist()], dtype=object)
        s = shop.sales
        pairs = np.unique(np.column_stack([np.searchsorted(ids, s.customer), s.product]), axis=0)
        return CustomerTable(
            customer=ids,
            segment=t["segment"],
            lapsing=t["segment"] == "at_risk",
            clv=clv,
            country=country,
            last_day=t["last"],
            recency=t["recency"],
            frequency=t["frequency"],
            monetary=t["monetary"],
            bought_rows=pairs[:, 0],
            bought_products=pairs[:, 1],
            uplift=None,
            uplift_missing=UPLIFT_MISSING,
        )

    table: CustomerTable = shop.cached("dmp_table", build)
    return table


def _features(shop: Shop) -> np.ndarray:
    z: np.ndarray = shop.cached("dmp_features", lambda: lookalike.features(customer_table(shop)))
    return z


def _member_rows(table: CustomerTable, ids: np.ndarray, limit: int | None = SAMPLE) -> list[dict[str, Any]]:
    """Members with their figures, highest net revenue first (`limit` of them; None: all)."""
    pos, found = table.rows_of(ids)
    rows = pos[found]
    rows = rows[np.argsort(-table.monetary[rows], kind="stable")][:limit]
    return [
        {
            "customer_id": int(table.customer[i]),
            "country": str(table.country[i]),
            "segment": str(table.segment[i]),
            "orders": int(table.frequency[i]),
            "revenue": round(float(table.monetary[i]), 2),
            "last_order": str(np.datetime64(int(table.last_day[i]), "D")),
            "clv_52w": round(float(table.clv[i]), 2),
        }
        for i in rows.tolist()
    ]


def _when(t: datetime | None) -> str | None:
    return t.isoformat(timespec="minutes") if t is not None else None


def _reach(session: Session, ids: np.ndarray) -> dict[str, int]:
    out = dmp_store.reachable(ids, dmp_store.opted_out(session))
    return {"size": int(ids.size), "reachable": int(out.size), "opted_out": int(ids.size - out.size)}


def _find(session: Session, name: str) -> Audience:
    with _dmp():
        return dmp_store.find(session, name)


# -- audience_create -----------------------------------------------------------------------------

_NAME = Field(..., min_length=1, max_length=64, description="the audience's name, e.g. 'UK champions'")


class CreateArgs(BaseModel):
    name: str = _NAME
    segment: str | None = filters.SEGMENT
    lapsing: bool | None = Field(
        None, description="true: only customers about to lapse (" + LAPSING_RULE + "); false: none of them"
    )
    min_clv: float | None = Field(
        None, ge=0, le=10**9, description="only customers whose 52-week lifetime value (£) is at least this"
    )
    max_clv: float | None = Field(
        None, ge=0, le=10**9, description="only customers whose 52-week lifetime value (£) is at most this"
    )
    country: str | None = filters.COUNTRY
    ordered_after: date | None = Field(None, description="only customers whose LAST order was on or after this day")
    ordered_before: date | None = Field(None, description="only customers whose LAST order was on or before this day")
    bought_products: list[ProductId] | None = Field(
        None,
        min_length=1,
        max_length=50,
        description="only customers who bought any of these products (ids or stock codes)",
    )
    min_uplift: float | None = Field(
        None,
        ge=-1,
        le=1,
        description="only customers whose e-mail uplift score (change in visit probability) is at least this",
    )
    customer_ids: list[int] | None = Field(
        None, min_length=1, max_length=10_000, description="or an uploaded list: exactly these customers (no rules)"
    )


def _countries(shop: Shop, country: str | None) -> tuple[str, ...]:
    """The shop's own names of the countries asked for (one, or several with commas)."""
    if not country:
        return ()
    every = filters.countries(shop)[2]
    return tuple(every[c] for c in filters.country_codes(shop, country)[0])


def _rules(shop: Shop, session: Session, a: CreateArgs) -> Rules:
    products = [get_product(session, p) for p in a.bought_products or []]
    with _dmp():
        return Rules(
            segment=filters.segment_name(a.segment) if a.segment else None,
            lapsing=a.lapsing,
            min_clv=a.min_clv,
            max_clv=a.max_clv,
            countries=_countries(shop, a.country),
            ordered_after=a.ordered_after,
            ordered_before=a.ordered_before,
            bought_products=tuple(p.id for p in products),
            product_codes=tuple(p.stock_code for p in products),
            min_uplift=a.min_uplift,
        )


def _plan_create(shop: Shop, session: Session, a: CreateArgs) -> tuple[str, dict[str, Any], np.ndarray]:
    """(kind, definition, members) of the audience asked for, checked; nothing written."""
    rules = _rules(shop, session, a)
    if a.customer_ids is not None:
        if not rules.is_empty():
            raise ToolFailure("give rules or customer_ids (an uploaded list), not both")
        ids = np.unique(np.array(a.customer_ids, dtype=np.int64))
        unknown = ids[~np.isin(ids, dmp_store.customer_ids(session))]
        if unknown.size:
            shown = ", ".join(map(str, unknown[:5].tolist())) + (" ..." if unknown.size > 5 else "")
            raise ToolFailure(f"{unknown.size} of the customer ids are not the shop's customers ({shown}); remove them")
        return "list", {"source": "customer_ids", "uploaded": int(ids.size)}, ids
    table = customer_table(shop)
    with _dmp():
        ids = rule_members(table, rules)
    if ids.size == 0:
        raise ToolFailure("no customer passes these rules; loosen them (e.g. a lower min_clv or a wider date range)")
    return "rules", rules.to_json(), ids


def _new_audience(
    session: Session, name: str, kind: str, definition: dict[str, Any], ids: np.ndarray, table: CustomerTable | None
) -> dict[str, Any]:
    with _dmp():
        clean = dmp_store.check_new_name(session, name)
    return {
        "audience_id": NEW,
        "field": "name",
        "from": None,
        "to": clean,
        "name": clean,
        "target": f"new audience {clean}",
        "kind": kind,
        "definition": definition,
        **_reach(session, ids),
        "sample": _member_rows(table, ids) if table is not None else [],
        "warnings": [],
    }


def _create(shop: Shop, session: Session, a: CreateArgs) -> tuple[dict[str, Any], np.ndarray]:
    kind, definition, ids = _plan_create(shop, session, a)
    out = _new_audience(session, a.name, kind, definition, ids, customer_table(shop))
    if definition.get("lapsing") is not None:
        out["lapsing_rule"] = LAPSING_RULE
    return out, ids


def preview_create(shop: Shop, session: Session, a: CreateArgs) -> dict[str, Any]:
    return _create(shop, session, a)[0]


def audience_create(shop: Shop, session: Session, a: CreateArgs) -> dict[str, Any]:
    change, ids = _create(shop, session, a)
    return _saved(session, change, change["kind"], ids)


def _saved(session: Session, change: dict[str, Any], kind: str, ids: np.ndarray) -> dict[str, Any]:
    """The previewed audience, saved with its members."""
    with _dmp():
        made = dmp_store.create(session, change["name"], kind, change["definition"], ids)
    return {**change, "audience_id": made.id, "refreshed_at": _when(made.refreshed_at), "applied": True}


# -- reads ---------------------------------------------------------------------------------------


class NoArgs(BaseModel):
    pass


def audience_list(_shop: Shop, session: Session, _a: NoArgs) -> dict[str, Any]:
    rows = list(session.scalars(select(Audience).order_by(Audience.name)))
    out = dmp_store.opted_out(session)
    listed = []
    for au in rows:
        ids = dmp_store.members(session, au.id)
        listed.append(
            {
                "name": au.name,
                "kind": au.kind,
                "size": au.size,
                "reachable": int(dmp_store.reachable(ids, out).size),
                "refreshed_at": _when(au.refreshed_at),
                "created_at": _when(au.created_at),
                "definition": au.definition,
            }
        )
    return {"audiences": listed, "count": len(listed), "opted_out_customers": int(out.size)}


class NameArgs(BaseModel):
    name: str = Field(..., min_length=1, max_length=64, description="the audience's name")


def audience_info(shop: Shop, session: Session, a: NameArgs) -> dict[str, Any]:
    au = _find(session, a.name)
    ids = dmp_store.members(session, au.id)
    table = customer_table(shop)
    out: dict[str, Any] = {
        "name": au.name,
        "kind": au.kind,
        "definition": au.definition,
        **_reach(session, ids),
        "refreshed_at": _when(au.refreshed_at),
        "created_at": _when(au.created_at),
        "as_of": shop.today.isoformat(),
        "members": _member_rows(table, ids),
        "members_are": f"the {SAMPLE} highest spenders (net revenue, all time)",
    }
    if au.definition.get("lapsing") is not None:
        out["lapsing_rule"] = LAPSING_RULE
    if is_exporting():
        out["all_members"] = _member_rows(table, ids, None)
    return out


class OverlapArgs(BaseModel):
    first: str = Field(..., min_length=1, max_length=64, description="one audience's name")
    second: str = Field(..., min_length=1, max_length=64, description="the other audience's name")


def audience_overlap(_shop: Shop, session: Session, a: OverlapArgs) -> dict[str, Any]:
    one, two = _find(session, a.first), _find(session, a.second)
    if one.id == two.id:
        raise ToolFailure(f"both are the audience {one.name!r}; name two different audiences")
    return {
        "first": one.name,
        "second": two.name,
        **dmp_store.overlap(*(dmp_store.members(session, x.id) for x in (one, two))),
    }


# -- audience_lookalike --------------------------------------------------------------------------


class LookalikeArgs(BaseModel):
    seed: str = Field(..., min_length=1, max_length=64, description="the audience to find customers like")
    size: int = Field(lookalike.DEFAULT_SIZE, ge=1, le=100_000, description="how many customers to add")
    name: str | None = Field(
        None, min_length=1, max_length=64, description="the new audience's name (default: SEED lookalike)"
    )


def _profile(table: CustomerTable, ids: np.ndarray) -> dict[str, Any]:
    pos, found = table.rows_of(ids)
    rows = pos[found]
    if rows.size == 0:
        return {"customers": 0}
    return {
        "customers": int(rows.size),
        "avg_orders": round(float(table.frequency[rows].mean()), 1),
        "avg_revenue": round(float(table.monetary[rows].mean()), 2),
        "avg_days_since_last_order": round(float(table.recency[rows].mean()), 1),
        "avg_order_value": round(float(table.basket[rows].mean()), 2),
    }


def _lookalike_ids(
    shop: Shop, session: Session, seed: Audience, size: int
) -> tuple[np.ndarray, np.ndarray, dict[str, Any], np.ndarray]:
    table = customer_table(shop)
    seed_ids = dmp_store.members(session, seed.id)
    with _dmp():
        ids, dist, info = lookalike.expand(
            table, seed_ids, size, exclude=dmp_store.opted_out(session), z=_features(shop)
        )
    return ids, dist, info, seed_ids


def _lookalike(shop: Shop, session: Session, a: LookalikeArgs) -> tuple[dict[str, Any], np.ndarray]:
    seed = _find(session, a.seed)
    ids, dist, info, seed_ids = _lookalike_ids(shop, session, seed, a.size)
    table = customer_table(shop)
    definition = {"seed": seed.name, "seed_id": seed.id, "size": a.size, "features": info["features"]}
    out = _new_audience(session, a.name or f"{seed.name[:53]} lookalike", "lookalike", definition, ids, table)
    out.update(
        seed=seed.name,
        requested=a.size,
        method=f"nearest to the seed's members by purchase behaviour ({', '.join(info['features'])}, standardised); "
        "the seed's members and opted-out customers are not picked",
        distance={
            "nearest": round(float(dist[0]), 3),
            "farthest": round(float(dist[-1]), 3),
            "unit": info["distance"],
        },
        profiles={
            "seed": _profile(table, seed_ids),
            "lookalike": _profile(table, ids),
            "everyone": _profile(table, table.customer),
        },
    )
    if ids.size < a.size:
        out["warnings"].append({"kind": "fewer_found", "found": int(ids.size), "requested": a.size})
    return out, ids


def preview_lookalike(shop: Shop, session: Session, a: LookalikeArgs) -> dict[str, Any]:
    return _lookalike(shop, session, a)[0]


def audience_lookalike(shop: Shop, session: Session, a: LookalikeArgs) -> dict[str, Any]:
    change, ids = _lookalike(shop, session, a)
    return _saved(session, change, "lookalike", ids)


# -- audience_refresh, audience_delete -----------------------------------------------------------


def _recompute(shop: Shop, session: Session, au: Audience) -> np.ndarray:
    """The audience's members as its definition gives them now."""
    if au.kind == "list":
        raise ToolFailure(
            f"{au.name!r} is an uploaded list: its members are the customers uploaded, there is nothing to "
            "recompute; import the list again under a new name to change it"
        )
    if au.kind == "lookalike":
        seed = session.get(Audience, int(au.definition.get("seed_id", NEW)))
        if seed is None:
            raise ToolFailure(
                f"the seed of {au.name!r} ({au.definition.get('seed')!r}) was deleted, so it cannot be recomputed; "
                "make a new look-alike of another audience"
            )
        return _lookalike_ids(shop, session, seed, int(au.definition.get("size", lookalike.DEFAULT_SIZE)))[0]
    with _dmp():
        return rule_members(customer_table(shop), Rules.from_json(au.definition))


def _change_of(au: Audience, field: str, old: Any, new: Any) -> dict[str, Any]:
    """What a change to an audience names, as every preview of a write states it."""
    return {
        "audience_id": au.id,
        "name": au.name,
        "target": f"audience {au.name}",
        "field": field,
        "from": old,
        "to": new,
    }


def preview_refresh(shop: Shop, session: Session, a: NameArgs) -> dict[str, Any]:
    au = _find(session, a.name)
    new = _recompute(shop, session, au)
    old = dmp_store.members(session, au.id)
    return {
        **_change_of(au, "size", au.size, int(new.size)),
        "kind": au.kind,
        "definition": au.definition,
        "added": int(np.setdiff1d(new, old).size),
        "removed": int(np.setdiff1d(old, new).size),
        "refreshed_at": _when(au.refreshed_at),
        "as_of": shop.today.isoformat(),
        "warnings": [],
    }


def audience_refresh(shop: Shop, session: Session, a: NameArgs) -> dict[str, Any]:
    change = preview_refresh(shop, session, a)
    au = _find(session, a.name)
    added, removed = dmp_store.replace_members(session, au, _recompute(shop, session, au))
    return {**change, "added": added, "removed": removed, "refreshed_at": _when(au.refreshed_at), "applied": True}


def preview_delete(_shop: Shop, session: Session, a: NameArgs) -> dict[str, Any]:
    au = _find(session, a.name)
    seeded = [
        x.name
        for x in session.scalars(select(Audience).where(Audience.kind == "lookalike"))
        if x.definition.get("seed_id") == au.id
    ]
    out = {
        **_change_of(au, "name", au.name, None),
        "kind": au.kind,
        "size": au.size,
        "definition": au.definition,
        "warnings": [],
    }
    if seeded:
        out["warnings"].append({"kind": "seed_of", "lookalikes": seeded})
    return out


def audience_delete(shop: Shop, session: Session, a: NameArgs) -> dict[str, Any]:
    change = preview_delete(shop, session, a)
    dmp_store.remove(session, _find(session, a.name))
    return {**change, "applied": True}


# -- audience_export -----------------------------------------------------------------------------


class ExportArgs(BaseModel):
    name: str = Field(..., min_length=1, max_length=64, description="the audience to export")
    format: Literal["csv", "google", "meta"] = Field(
        "csv",
        description="google: a Google Ads Customer Match upload; meta: a Meta custom audience upload "
        "(both with customer ids normalised and SHA-256 hashed with the shop's salt); csv: plain CSV",
    )


_CSV_FIGURES = ("country", "segment", "orders", "revenue", "last_order", "clv_52w")


def preview_export(shop: Shop, session: Session, a: ExportArgs) -> dict[str, Any]:
    au = _find(session, a.name)
    ids = dmp_store.members(session, au.id)
    path = exports_dir(shop) / exports.file_name(au.name, a.format)
    reach = _reach(session, ids)
    if reach["reachable"] == 0:
        raise ToolFailure(f"every member of {au.name!r} has opted out of marketing (or it is empty): nothing to export")
    return {
        **_change_of(au, "size", au.size, au.size),
        "format": a.format,
        "platform": exports.PLATFORM[a.format],
        "path": str(path),
        "replaces_file": path.exists(),
        "rows": reach["reachable"],
        "left_out_opted_out": reach["opted_out"],
        "columns": exports.header(a.format, _CSV_FIGURES),
        "hashing": "SHA-256 of the shop's salt + the customer id (the decimal number), lower-case hex"
        if a.format != "csv"
        else None,
        "refreshed_at": _when(au.refreshed_at),
        "warnings": [],
    }


def audience_export(shop: Shop, session: Session, a: ExportArgs) -> dict[str, Any]:
    change = preview_export(shop, session, a)
    au = _find(session, a.name)
    ids = dmp_store.reachable(dmp_store.members(session, au.id), dmp_store.opted_out(session))
    figures: dict[str, list[Any]] = {}
    if a.format == "csv":
        rows = {r["customer_id"]: r for r in _member_rows(customer_table(shop), ids, None)}
        figures = {k: [rows.get(int(c), {}).get(k, "") for c in ids.tolist()] for k in _CSV_FIGURES}
    with _dmp():
        salt = exports.salt(session)  # made once, in this transaction, before the file is written
        exports.write(Path(change["path"]), change["columns"], exports.rows(a.format, ids, salt, figures))
    title = f"audience {au.name} ({exports.PLATFORM[a.format]})"
    return {
        **change,
        "rows": int(ids.size),
        "applied": True,
        "attachments": [{"kind": "csv", "path": change["path"], "rows": int(ids.size), "title": title}],
    }


# -- set_consent ---------------------------------------------------------------------------------


class ConsentArgs(BaseModel):
    customer_id: int = Field(..., ge=1, le=10**9, description="the customer's id, e.g. 12347")
    opted_out: bool = Field(..., description="true: the customer opted out of marketing; false: they opted back in")


def preview_consent(_shop: Shop, session: Session, a: ConsentArgs) -> dict[str, Any]:
    get_customer(session, a.customer_id)
    row = dmp_store.consent_of(session, a.customer_id)
    now = None if row is None else bool(row.opted_out)
    if bool(now) == a.opted_out:
        state = "opted out" if a.opted_out else "not opted out" + (" (nothing recorded)" if now is None else "")
        raise ToolFailure(f"customer {a.customer_id} is already {state}; nothing to change")
    return {
        "customer_id": a.customer_id,
        "target": f"customer {a.customer_id}",
        "field": "opted_out",
        "from": now,
        "to": a.opted_out,
        "recorded_at": _when(row.changed_at) if row is not None else None,
        "recorded_by": row.source if row is not None else None,
        "audiences": dmp_store.audiences_holding(session, a.customer_id),
        "effect": "left out of every export and bidding audience"
        if a.opted_out
        else "may be exported and bid on again",
        "warnings": [],
    }


def set_consent(shop: Shop, session: Session, a: ConsentArgs) -> dict[str, Any]:
    change = preview_consent(shop, session, a)
    dmp_store.set_consent(session, a.customer_id, a.opted_out, "copilot (approved change)")
    return {**change, "applied": True}


TOOLS = [
    ToolSpec(
        "audience_create",
        "Save an audience of customers (needs the marketer's approval): rules over RFM segment, lapsing risk, "
        "52-week lifetime value, country, last order date, products bought and e-mail uplift, or an uploaded list "
        "of customer_ids; its members are materialised.",
        CreateArgs,
        audience_create,
        AGENT,
        write=True,
        preview=preview_create,
    ),
    ToolSpec(
        "audience_list",
        "Every saved audience with its size, reachable members (not opted out) and when it was refreshed.",
        NoArgs,
        audience_list,
        AGENT,
    ),
    ToolSpec(
        "audience_info",
        "One audience: its definition, size, when it was refreshed, and a few members with their figures.",
        NameArgs,
        audience_info,
        AGENT,
    ),
    ToolSpec(
        "audience_overlap",
        "How two audiences overlap: their sizes, the customers in both, and the share of each in the other.",
        OverlapArgs,
        audience_overlap,
        AGENT,
    ),
    ToolSpec(
        "audience_lookalike",
        "Save a look-alike audience (needs approval): the customers nearest a seed audience by purchase behaviour "
        "(recency, orders, revenue, order value, product mix), excluding the seed.",
        LookalikeArgs,
        audience_lookalike,
        AGENT,
        write=True,
        preview=preview_lookalike,
    ),
    ToolSpec(
        "audience_refresh",
        "Recompute an audience's members from its definition on the shop's data now (needs approval).",
        NameArgs,
        audience_refresh,
        AGENT,
        write=True,
        preview=preview_refresh,
    ),
    ToolSpec(
        "audience_delete",
        "Delete a saved audience and its members (needs approval).",
        NameArgs,
        audience_delete,
        AGENT,
        write=True,
        preview=preview_delete,
    ),
    ToolSpec(
        "audience_export",
        "Export an audience as a file (needs approval): a Google Customer Match or Meta custom audience upload "
        "(customer ids normalised and SHA-256 hashed with the shop's salt) or plain CSV; opted-out customers never appear.",
        ExportArgs,
        audience_export,
        AGENT,
        write=True,
        preview=preview_export,
    ),
    ToolSpec(
        "set_consent",
        "Record a customer's marketing consent (needs approval): opted out customers never appear in an export "
        "or an audience used for bidding.",
        ConsentArgs,
        set_consent,
        AGENT,
        write=True,
        preview=preview_consent,
    ),
]
