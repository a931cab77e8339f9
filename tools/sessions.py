"""Traffic insight on the web_sessions set (UCI Online Shoppers Purchasing Intention: 12,330 Google
Analytics sessions of one online shop, a year): conversion by traffic source, visitor type, month...
with Wilson intervals and the change between two periods, the session funnel, and a purchase-intent
model against a PageValues-only baseline. The set is part of the project (store/data), so these
tools work in any clone; it is not the demo shop's own traffic."""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal

import numpy as np
from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from engine import EngineError
from engine import sessions as sx
from store import reference
from tools.base import Shop, ToolFailure, ToolSpec, reference_dir

AGENT = "profiling"
SOURCE = "12,330 sessions of one online shop, UCI Online Shoppers data"
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_FULL = ("january", "february", "march", "april", "may", "june", "july", "august", "september", "october",
         "november", "december")  # fmt: skip
Grouping = Literal["traffic_type", "visitor_type", "month", "region", "browser", "operating_system", "weekend"]
CODED = {
    "traffic_type": "traffic type",
    "region": "region",
    "browser": "browser",
    "operating_system": "operating system",
}
_VISITOR = {"Returning_Visitor": "returning visitor", "New_Visitor": "new visitor", "Other": "other visitor type"}
_MONTHS = Field(None, max_length=12, description='only sessions in these months, e.g. ["Nov", "Dec"] (default all)')
_MIN = Field(30, ge=1, le=10_000, description="groups with fewer sessions are left out of the table")


def web_sessions(shop: Shop) -> dict[str, np.ndarray]:
    """The sessions as arrays (the project's copy; read once per process), months as Jan..Dec."""

    def build() -> dict[str, np.ndarray]:
        if reference.VENDORED_WEB_SESSIONS.is_file():
            d = reference.web_sessions()
        else:  # an install without the project's copy: the data directory's
            d = reference.web_sessions(reference_dir(shop.data_dir, "web_sessions"))
        d["month"] = np.array([m[:3] for m in d["month"].tolist()])  # the file writes June in full
        return d

    data: dict[str, np.ndarray] = shop.cached("web_sessions", build)
    return data


def _months_text(months: list[str]) -> str:
    return ", ".join(months)


def month_name(text: str, present: list[str]) -> str:
    """ "Nov", "November", "nov", "11" or "11月" as the data's "Nov"; a ToolFailure naming the valid
    months when it is no month, or a month the data has no sessions in."""
    t = text.strip().lower().removesuffix("月").strip()
    if t.isdigit() and 1 <= int(t) <= 12:
        name = MONTHS[int(t) - 1]
    else:
        hits = [i for i, full in enumerate(_FULL) if len(t) >= 3 and full.startswith(t.rstrip("."))]
        if not hits:
            raise ToolFailure(f"{text!r} is not a month; the data's months are {_months_text(present)}")
        name = MONTHS[hits[0]]
    if name not in present:
        gone = [m for m in MONTHS if m not in present]
        raise ToolFailure(
            f"the data has no sessions in {name}: its {len(present)} months are {_months_text(present)} "
            f"(no {' or '.join(gone)})"
        )
    return name


def _month_mask(d: dict[str, np.ndarray], months: list[str] | None) -> tuple[np.ndarray, list[str]]:
    present = [m for m in MONTHS if m in set(d["month"].tolist())]
    chosen = present if months is None else list(dict.fromkeys(month_name(m, present) for m in months))
    if not chosen:
        raise ToolFailure(f"give at least one month; the data's months are {_months_text(present)}")
    return np.isin(d["month"], chosen), [m for m in MONTHS if m in chosen]


def _label(by: str, value: Any) -> str:
    if by in CODED:
        return f"{CODED[by]} {value}"
    if by == "visitor_type":
        return _VISITOR.get(str(value), str(value))
    if by == "weekend":
        return "weekend" if value else "weekday"
    return str(value)


def _group_value(v: Any) -> Any:
    return v.item() if isinstance(v, np.generic) else v


def _pct(v: float) -> float | None:
    return None if not np.isfinite(v) else round(100 * float(v), 2)


def _coded_note(by: str | None) -> str | None:
    if by not in CODED:
        return None
    return f"{CODED[by]}s are coded numbers in the data; what each number stands for is not published"


class ConversionArgs(BaseModel):
    by: Annotated[Grouping, Field(description="what to group the sessions by")] = "traffic_type"
    months: list[str] | None = _MONTHS
    compare_months: list[str] | None = Field(
        None,
        max_length=12,
        description="a second period to compare with, e.g. ['Oct']: each group's change from it to `months` "
        "(default for `months` then: every other month)",
    )
    min_sessions: int = _MIN


def _rate_row(by: str, level: Any, n: int, x: int, low: float, high: float) -> dict[str, Any]:
    return {
        "group": _group_value(level),
        "label": _label(by, _group_value(level)),
        "sessions": int(n),
        "purchases": int(x),
        "conversion_pct": _pct(x / n),
        "ci95_pct": [_pct(low), _pct(high)],
    }


def traffic_conversion(shop: Shop, _s: Session, a: ConversionArgs) -> dict[str, Any]:
    """Conversion (sessions with a purchase / sessions) per group with Wilson 95% intervals, the best
    and worst groups, and with compare_months each group's change between the two periods."""
    d = web_sessions(shop)
    if a.compare_months:
        before, before_names = _month_mask(d, a.compare_months)
        if a.months is None:
            now, now_names = ~before, [m for m in MONTHS if m in set(d["month"][~before].tolist())]
        else:
            now, now_names = _month_mask(d, a.months)
        if set(now_names) & set(before_names):
            raise ToolFailure(
                f"the two periods share {_months_text([m for m in now_names if m in before_names])}; "
                "give each month to one period"
            )
        if not now.any():
            raise ToolFailure("no months are left to compare against; give `months` too")
    else:
        now, now_names = _month_mask(d, a.months)
    g, y = d[a.by][now], d["revenue"][now]
    r = sx.conversion_by_group(g, y)
    keep = r.sessions >= a.min_sessions
    rows = [
        _rate_row(a.by, r.levels[i], r.sessions[i], r.purchases[i], r.low[i], r.high[i])
        for i in np.argsort(-r.rate, kind="stable")
        if keep[i]
    ]
    lo, hi = sx.wilson_interval(int(y.sum()), int(y.size))
    out: dict[str, Any] = {
        "data": SOURCE,
        "by": a.by,
        "months": now_names,
        "all_months": len(now_names) == len(set(d["month"].tolist())),
        "sessions": int(y.size),
        "purchases": int(y.sum()),
        "conversion_pct": _pct(y.mean()),
        "ci95_pct": [_pct(float(lo)), _pct(float(hi))],
        "min_sessions": a.min_sessions,
        "groups": rows,
        "best": rows[0] if rows else None,
        "worst": rows[-1] if len(rows) > 1 else None,
        "left_out": [
            {"group": _group_value(v), "label": _label(a.by, _group_value(v)), "sessions": int(n)}
            for v, n in zip(r.levels[~keep], r.sessions[~keep], strict=True)
        ],
    }
    if len(rows) > 1:  # the best's interval entirely above the worst's
        out["best_clearly_above_worst"] = bool(rows[0]["ci95_pct"][0] > rows[-1]["ci95_pct"][1])
    if note := _coded_note(a.by):
        out["coded"] = note
    if a.compare_months:
        out["compare"] = _compare(d, a, now, before, now_names, before_names)
    return out


def _compare(
    d: dict[str, np.ndarray],
    a: ConversionArgs,
    now: np.ndarray,
    before: np.ndarray,
    now_names: list[str],
    before_names: list[str],
) -> dict[str, Any]:
    c = sx.conversion_change(d[a.by], d["revenue"], now, before)
    keep = (c.sessions_a >= a.min_sessions) & (c.sessions_b >= a.min_sessions)
    changes = [
        {
            "group": _group_value(c.levels[i]),
            "label": _label(a.by, _group_value(c.levels[i])),
            "sessions": int(c.sessions_a[i]),
            "conversion_pct": _pct(c.purchases_a[i] / c.sessions_a[i]),
            "compare_sessions": int(c.sessions_b[i]),
            "compare_conversion_pct": _pct(c.purchases_b[i] / c.sessions_b[i]),
            "change_pts": _pct(c.difference[i]),
            "ci95_pts": [_pct(c.low[i]), _pct(c.high[i])],
            "clear": bool(c.low[i] > 0 or c.high[i] < 0),  # the interval leaves out no change
        }
        for i in np.argsort(-np.nan_to_num(c.difference, nan=-np.inf), kind="stable")
        if keep[i]
    ]
    y = d["revenue"]
    diff, low, high = sx.newcombe_difference(int(y[now].sum()), int(now.sum()), int(y[before].sum()), int(before.sum()))
    return {
        "months": now_names,
        "compare_months": before_names,
        "compare_sessions": int(before.sum()),
        "compare_conversion_pct": _pct(y[before].mean()),
        "change_pts": _pct(float(diff)),
        "ci95_pts": [_pct(float(low)), _pct(float(high))],
        "method": "difference of rates, Newcombe's interval from the two Wilson intervals",
        "groups": changes,
        "left_out": int((~keep).sum()),
    }


class FunnelArgs(BaseModel):
    by: Grouping | None = Field(None, description="also the funnel of each group (default: the whole site)")
    months: list[str] | None = _MONTHS
    engaged_seconds: float | None = Field(
        None,
        ge=0,
        le=86_400,
        description="seconds on product pages above which a session counts as engaged (default: the median "
        "of the sessions that viewed a product page)",
    )
    min_sessions: int = _MIN


STEPS = ("sessions", "viewed_product", "engaged", "purchase")


def _steps(reached: np.ndarray, drop: np.ndarray) -> list[dict[str, Any]]:
    return [
        {
            "step": step,
            "sessions": int(reached[j]),
            "share_pct": _pct(reached[j] / reached[0]) if reached[0] else None,
            "drop_off_pct": _pct(drop[j]) if j else None,
        }
        for j, step in enumerate(STEPS)
    ]


def session_funnel(shop: Shop, _s: Session, a: FunnelArgs) -> dict[str, Any]:
    """Sessions -> viewed a product page -> engaged (time on product pages above the threshold) ->
    purchase, each step counting only sessions that passed the ones before, with the drop-off at
    each; per group when `by` is given."""
    d = web_sessions(shop)
    mask, months = _month_mask(d, a.months)
    pages, seconds, bought = d["product_related"][mask], d["product_related_duration"][mask], d["revenue"][mask]
    viewed = np.nan_to_num(pages) >= 1
    try:
        threshold = a.engaged_seconds if a.engaged_seconds is not None else sx.median_engaged_seconds(seconds, viewed)
    except EngineError as exc:
        raise ToolFailure(str(exc)) from exc
    engaged = np.nan_to_num(seconds, nan=-1.0) > threshold
    steps = np.column_stack([np.ones(bought.size, dtype=bool), viewed, engaged, bought])
    whole = sx.funnel(steps)
    drop = whole.drop_off[0]
    lo, hi = sx.wilson_interval(int(whole.reached[0, -1]), int(whole.reached[0, 0]))
    rule = f"more than {threshold:,.1f} seconds on product pages" + (
        " (the median of the sessions that viewed one)" if a.engaged_seconds is None else ""
    )
    out: dict[str, Any] = {
        "data": SOURCE,
        "months": months,
        "all_months": len(months) == len(set(d["month"].tolist())),
        "engaged_seconds": round(float(threshold), 1),
        "engaged_rule": rule,
        "engaged_is_median": a.engaged_seconds is None,
        "steps": _steps(whole.reached[0], drop),
        "funnel_conversion_ci95_pct": [_pct(float(lo)), _pct(float(hi))],
        "biggest_drop": STEPS[1 + int(np.nanargmax(drop[1:]))] if np.isfinite(drop[1:]).any() else None,
        "purchases": int(bought.sum()),
        "purchases_outside_funnel": int(bought.sum() - whole.reached[0, -1]),
        "outside_detail": {
            "without_product_page": int((bought & ~viewed).sum()),
            "not_engaged": int((bought & viewed & ~engaged).sum()),
        },
        "unknown_times": int((~np.isfinite(seconds) | (seconds < 0)).sum()),
    }
    if a.by is not None:
        per = sx.funnel(steps, d[a.by][mask])
        keep = per.reached[:, 0] >= a.min_sessions
        lo_g, hi_g = sx.wilson_interval(per.reached[:, -1], per.reached[:, 0])
        order = np.argsort(-(per.reached[:, -1] / np.maximum(per.reached[:, 0], 1)), kind="stable")
        out["by"] = a.by
        out["groups"] = [
            {
                "group": _group_value(per.levels[i]),
                "label": _label(a.by, _group_value(per.levels[i])),
                "steps": _steps(per.reached[i], per.drop_off[i]),
                "ci95_pct": [_pct(lo_g[i]), _pct(hi_g[i])],  # of sessions reaching the purchase step
            }
            for i in order
            if keep[i]
        ]
        out["left_out"] = int((~keep).sum())
        if note := _coded_note(a.by):
            out["coded"] = note
    return out


class IntentArgs(BaseModel):
    top_share: float = Field(0.1, gt=0, le=0.5, description="the top share of sessions by score, e.g. 0.1 (a decile)")


_FEATURE = {
    "administrative": "administrative pages viewed",
    "administrative_duration": "time on administrative pages",
    "informational": "informational pages viewed",
    "informational_duration": "time on informational pages",
    "product_related": "product pages viewed",
    "product_related_duration": "time on product pages",
    "page_values": "page value (PageValues)",
    "bounce_rates": "bounce rate",
    "exit_rates": "exit rate",
    "special_day": "closeness to a special day",
    "weekend": "weekend",
    "page figures missing": "page figures missing",
}


def feature_label(name: str) -> str:
    """ "traffic_type=2" -> "traffic type 2", "page_values (log1p)" -> "page value (PageValues)"."""
    base = re.sub(r" \(log1p\)$", "", name)
    if "=" in base:
        col, value = base.split("=", 1)
        if col == "month":
            return f"month {value}"
        return _label(col, value) if col in (*CODED, "visitor_type") else base
    return _FEATURE.get(base, base)


def _intent(shop: Shop) -> sx.IntentFit:
    def build() -> sx.IntentFit:
        d = web_sessions(shop)
        return sx.fit_intent(d, d["revenue"], d["page_values"])

    fit: sx.IntentFit = shop.cached("web_sessions_intent", build)
    return fit


def purchase_intent(shop: Shop, _s: Session, a: IntentArgs) -> dict[str, Any]:
    """A purchase-intent model trained on a random 70% of the sessions (fixed seed), judged on the
    other 30%: AUC and the lift of the top share, beside PageValues alone as the score."""
    fit = _intent(shop)
    lift = sx.top_share_lift(fit.y_test, fit.score, a.top_share)
    base_lift = sx.top_share_lift(fit.y_test, fit.baseline, a.top_share)
    return {
        "data": SOURCE,
        "train_sessions": int(fit.train.size),
        "test_sessions": int(fit.test.size),
        "test_purchases": int(fit.y_test.sum()),
        "seed": sx.DEFAULT_SEED,
        "model": f"logistic regression, L2 penalty {sx.DEFAULT_L2:g} on standardised features: log1p of page "
        "counts, times and PageValues; bounce, exit and special-day rates; weekend; month, visitor type, traffic "
        "type, region, browser and operating system one-hot",
        "auc": round(fit.auc, 4),
        "baseline": "PageValues alone as the score",
        "baseline_auc": round(fit.baseline_auc, 4),
        "beats_baseline": bool(fit.auc > fit.baseline_auc),
        "top_share": a.top_share,
        "top_share_pct": round(100 * a.top_share, 1),
        "lift": round(lift, 2),
        "baseline_lift": round(base_lift, 2),
        "captured_pct": round(100 * lift * a.top_share, 1),  # of the test purchases, in the top share
        "baseline_captured_pct": round(100 * base_lift * a.top_share, 1),
        "signals": [
            {"feature": name, "label": feature_label(name), "coef": round(coef, 3)}
            for name, coef in sx.strongest_signals(fit.names, fit.model.coef, 8)
        ],
        "signals_are": "standardised coefficients: change in the log-odds of a purchase per standard deviation",
    }


TOOLS = [
    ToolSpec(
        "traffic_conversion",
        "Web traffic conversion (UCI Online Shoppers sessions): purchase rate with 95% intervals by traffic "
        "source, visitor type (new vs returning), month, region, browser, operating system or weekend; the best "
        "and worst groups; with compare_months, each group's change between two periods.",
        ConversionArgs,
        traffic_conversion,
        AGENT,
    ),
    ToolSpec(
        "session_funnel",
        "Web session funnel (UCI Online Shoppers sessions): sessions -> viewed a product page -> engaged -> "
        "purchase, with the drop-off at each step, for the whole site or per traffic source, visitor type, month...",
        FunnelArgs,
        session_funnel,
        AGENT,
    ),
    ToolSpec(
        "purchase_intent",
        "Purchase-intent model on web sessions (UCI Online Shoppers): AUC and top-decile lift on held-out "
        "sessions beside a PageValues-only baseline, and the strongest signals of a purchase.",
        IntentArgs,
        purchase_intent,
        AGENT,
    ),
]
