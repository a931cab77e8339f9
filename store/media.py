"""The shop's media history: weekly sales and spend per channel (and any controls) from a CSV file,
for the marketing-mix model (engine/mmm.py, tools/mmm.py).

A file has a header row and one row per week, in order, each week seven days after the one before:

    week            the week's first day, YYYY-MM-DD
    sales           the week's sales (revenue), above zero
    spend_CHANNEL   the week's spend on a channel (0 or more), one column per channel, e.g. spend_search
    anything else   a control: a number the model should hold constant (a price index, a holiday 0/1)

Every cell is checked; a bad one stops the import, naming its line and column. The file replaces the
shop's media history in one transaction: on any error the history it would replace is untouched.
"""

from __future__ import annotations

import csv
import math
import re
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from store import StoreError
from store.db import MediaWeek, Meta
from store.imports import cell_error, check_header, file_stamp, number, replace_rows
from store.orders import open_text

WEEK, SALES, SPEND_PREFIX = "week", "sales", "spend_"
MAX_CHANNELS = 20
MAX_CONTROLS = 100
MAX_WEEKS = 1040  # twenty years
META_KEY = "media_history"  # the imported file's stamp (name:sha256 prefix:weeks)
_NAME = re.compile(r"^[a-z][a-z0-9_]{0,31}$")


@dataclass(frozen=True)
class MediaHistory:
    """Weekly rows as arrays: `spend` is weeks x channels, `controls` weeks x controls."""

    weeks: tuple[date, ...]
    sales: np.ndarray
    channels: tuple[str, ...]
    spend: np.ndarray
    control_names: tuple[str, ...]
    controls: np.ndarray
    stamp: str

    def summary(self) -> str:
        total = float(self.spend.sum())
        channels = ", ".join(
            f"{c} {100 * float(s) / total:.1f}%" if total > 0 else c
            for c, s in zip(self.channels, self.spend.sum(axis=0), strict=True)
        )
        k = len(self.control_names)
        controls = f"; {k} control{'s' if k > 1 else ''} ({', '.join(self.control_names)})" if k else ""
        return (
            f"loaded {len(self.weeks)} weeks of media history, {self.weeks[0]} to {self.weeks[-1]}: sales "
            f"{float(self.sales.sum()):,.2f}, spend {total:,.2f} over {len(self.channels)} channel{'s' if len(self.channels) > 1 else ''} "
            f"(shares of spend: {channels}){controls}"
        )


def _columns(name: str, header: list[str]) -> tuple[list[str], list[str]]:
    """The spend columns and the control columns, after checking the header."""
    lacks = [c for c in (WEEK, SALES) if c not in header]
    spend = [h for h in header if h.startswith(SPEND_PREFIX)]
    if lacks or not spend:
        missing = ", ".join([*(repr(c) for c in lacks), *([] if spend else ["a spend_CHANNEL column"])])
        raise StoreError(
            f"{name} lacks {missing}; expected the columns week (YYYY-MM-DD), sales, spend_CHANNEL for each "
            f"channel (e.g. spend_search) and any controls; it has {', '.join(header) or 'none'}"
        )
    check_header(name, header)
    for h in spend:
        if not _NAME.match(h.removeprefix(SPEND_PREFIX)):
            raise StoreError(
                f"{name}: the column {h!r} should name its channel after spend_ in lower-case letters, digits "
                "and _ (up to 32 characters), e.g. spend_paid_search"
            )
    controls = [h for h in header if h not in (WEEK, SALES) and h not in spend]
    if len(spend) > MAX_CHANNELS:
        raise StoreError(f"{name} has {len(spend)} spend columns; the model takes at most {MAX_CHANNELS} channels")
    if len(controls) > MAX_CONTROLS:
        raise StoreError(f"{name} has {len(controls)} control columns; the model takes at most {MAX_CONTROLS}")
    return spend, controls


def read_media(path: Path) -> MediaHistory:
    """Every row checked (a bad cell stops the read, naming its line and column)."""
    weeks: list[date] = []
    rows: list[list[float]] = []
    with open_text(path) as fh:
        reader = csv.reader(fh)
        header = [h.strip() for h in next(reader, [])]
        spend_cols, control_cols = _columns(path.name, header)
        at = {h: i for i, h in enumerate(header)}
        numeric = [SALES, *spend_cols, *control_cols]
        spend_set = set(spend_cols)
        for row in reader:
            if not any(cell.strip() for cell in row):
                continue  # a blank line
            line = reader.line_num

            def bad(column: str, why: str, row: list[str] = row, line: int = line) -> StoreError:
                value = row[at[column]].strip() if at[column] < len(row) else ""
                return cell_error(path.name, line, column, value, why)

            if len(row) != len(header):
                raise StoreError(
                    f"{path.name} line {line} has {len(row)} cells, the header {len(header)}; one cell per column"
                )
            try:
                week = date.fromisoformat(row[at[WEEK]].strip())
            except ValueError:
                raise bad(WEEK, "is not a date in the form YYYY-MM-DD") from None
            if weeks and week != weeks[-1] + timedelta(days=7):
                raise bad(
                    WEEK,
                    f"is not seven days after the week before ({weeks[-1]}); give every week once, in order, "
                    "with no week missing",
                )
            values = []
            for column in numeric:
                v = number(row[at[column]])
                if math.isnan(v):
                    raise bad(column, "is not a number (write 1234.5, not $1,234.50)")
                if column == SALES and v <= 0:
                    raise bad(column, "is not above zero (a week's sales must be positive)")
                if column in spend_set and v < 0:
                    raise bad(column, "is negative (spend is 0 or more)")
                values.append(v)
            weeks.append(week)
            rows.append(values)
            if len(weeks) > MAX_WEEKS:
                raise StoreError(f"{path.name} has more than {MAX_WEEKS} weeks; give the most recent {MAX_WEEKS}")
    if not weeks:
        raise StoreError(f"{path.name} has no weekly rows under its header")
    data = np.array(rows, dtype=float)
    k = len(spend_cols)
    return MediaHistory(
        weeks=tuple(weeks),
        sales=data[:, 0],
        channels=tuple(c.removeprefix(SPEND_PREFIX) for c in spend_cols),
        spend=data[:, 1 : 1 + k],
        control_names=tuple(control_cols),
        controls=data[:, 1 + k :],
        stamp=file_stamp(path, len(weeks)),
    )


def import_media(sessions: sessionmaker, path: Path) -> MediaHistory:
    """Replace the shop's media history with the file's, in one transaction."""
    history = read_media(path)
    rows = [
        {
            "week": w,
            "sales": float(history.sales[i]),
            "spend": dict(zip(history.channels, history.spend[i].tolist(), strict=True)),
            "controls": dict(zip(history.control_names, history.controls[i].tolist(), strict=True)),
        }
        for i, w in enumerate(history.weeks)
    ]
    replace_rows(sessions, MediaWeek, rows, META_KEY, history.stamp)
    return history


def media_history(session: Session) -> MediaHistory | None:
    """The shop's media history, or None when it has none."""
    stamp = session.get(Meta, META_KEY)
    rows = session.execute(
        select(MediaWeek.week, MediaWeek.sales, MediaWeek.spend, MediaWeek.controls).order_by(MediaWeek.week)
    ).all()
    if not rows:
        return None
    channels = tuple(rows[0][2])
    controls = tuple(rows[0][3])
    return MediaHistory(
        weeks=tuple(r[0] for r in rows),
        sales=np.array([r[1] for r in rows], dtype=float),
        channels=channels,
        spend=np.array([[r[2][c] for c in channels] for r in rows], dtype=float),
        control_names=controls,
        controls=np.array([[r[3][c] for c in controls] for r in rows], dtype=float).reshape(len(rows), len(controls)),
        stamp=stamp.value if stamp is not None else f"media:{len(rows)}:{rows[-1][0]}",
    )
