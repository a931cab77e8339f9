"""The shop's journeys: paths of channel touches with the conversions that followed them, from a CSV
file, for channel attribution (engine/attribution.py, tools/attribution.py).

A file is in ChannelAttribution's own format: a header row and one row per path,

    path          the path's channels in order, joined by " > ", e.g. "search > email > display"
    conversions   the conversions that followed the path, 0 or more
    value         (optional) their conversion value, 0 or more
    nulls         (optional) the journeys on the path that ended without a conversion, 0 or more

The package's own column names (total_conversions, total_conversion_value, total_null) and its `;`
between cells are read too. A channel is named in letters, digits, spaces, _ and -; names are matched
without regard to case or repeated spaces, and shown as first written. Every cell is checked; a bad
one stops the import, naming its line and column. The file replaces the shop's journeys in one
transaction: on any error the journeys it would replace are untouched.
"""

from __future__ import annotations

import csv
import itertools
import math
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from engine.attribution import Journeys
from store import StoreError
from store.db import JourneyPath, Meta
from store.imports import cell_error, check_header, file_stamp, number, replace_rows
from store.orders import open_text

PATH, CONVERSIONS, VALUE, NULLS = "path", "conversions", "value", "nulls"
ALIASES = {"total_conversions": CONVERSIONS, "total_conversion_value": VALUE, "total_null": NULLS}
SEP = " > "
MAX_CHANNELS = 30
MAX_NAME = 64  # characters of a channel's name
MAX_ROWS = 1_000_000
META_KEY = "journeys"  # the imported file's stamp (name:sha256 prefix:rows)
_NAME = re.compile(r"^[\w -]+$")  # letters (any script), digits, _, spaces and -


@dataclass(frozen=True)
class ShopJourneys:
    """The shop's journeys, encoded as the attribution models take them, and the file's stamp."""

    journeys: Journeys
    stamp: str

    def summary(self) -> str:
        j = self.journeys
        conv, nulls, value = float(j.conversions.sum()), float(j.nulls.sum()), float(j.value.sum())
        worth = f" worth {value:,.2f}" if value > 0 else ""
        without = f", {nulls:,.0f} journeys without one" if nulls > 0 else ""
        return (
            f"loaded {j.n:,} path{'s' if j.n > 1 else ''} of journeys over {len(j.channels)} "
            f"channel{'s' if len(j.channels) > 1 else ''} ({', '.join(j.channels)}): {conv:,.0f} "
            f"conversion{'' if conv == 1 else 's'}{worth}{without}"
        )


def _columns(name: str, header: list[str]) -> dict[str, int]:
    """Each of our columns and its place, after checking the header."""
    check_header(name, header)
    ours = [ALIASES.get(h.lower(), h.lower()) for h in header]
    known = (PATH, CONVERSIONS, VALUE, NULLS)
    lacks = [c for c in (PATH, CONVERSIONS) if c not in ours]
    if lacks:
        raise StoreError(
            f"{name} lacks {', '.join(repr(c) for c in lacks)}; expected the columns path (channels joined by ' > '), "
            f"conversions, and optionally value and nulls; it has {', '.join(header) or 'none'}"
        )
    for h, c in zip(header, ours, strict=True):
        if c not in known:
            raise StoreError(
                f"{name} has the column {h!r}, which the import does not read; give only {', '.join(known)}"
            )
    if len(set(ours)) < len(ours):
        raise StoreError(f"{name} gives a column twice under two names; give each of {', '.join(known)} once")
    return {c: i for i, c in enumerate(ours)}


def _delimiter(first_line: str) -> str:
    """ChannelAttribution's own files put `;` between cells; a header with `;` and no `,` is one."""
    return ";" if ";" in first_line and "," not in first_line else ","


def read_journeys(path: Path) -> ShopJourneys:
    """Every row checked (a bad cell stops the read, naming its line and column)."""
    key_of: dict[str, int] = {}  # a channel's matching key -> its number in the order first met
    shown: list[str] = []  # each channel's name as first written
    touch: list[int] = []
    start = [0]
    counts: dict[str, list[float]] = {CONVERSIONS: [], VALUE: [], NULLS: []}
    with open_text(path) as fh:
        first = fh.readline()
        reader = csv.reader(itertools.chain([first], fh), delimiter=_delimiter(first))
        header = [h.strip() for h in next(reader, [])]
        at = _columns(path.name, header)
        for row in reader:
            if not any(cell.strip() for cell in row):
                continue  # a blank line
            line = reader.line_num

            def bad(column: str, why: str, row: list[str] = row, line: int = line) -> StoreError:
                return cell_error(path.name, line, header[at[column]], row[at[column]].strip(), why)

            if len(row) != len(header):
                raise StoreError(
                    f"{path.name} line {line} has {len(row)} cells, the header {len(header)}; one cell per column"
                )
            if len(start) > MAX_ROWS:
                raise StoreError(f"{path.name} has more than {MAX_ROWS:,} paths; merge repeated paths or give fewer")
            cell = row[at[PATH]]
            if not cell.strip():
                raise bad(PATH, "is empty; give the path's channels in order, e.g. search > email > display")
            for name in cell.split(">"):
                name = " ".join(name.split())
                if not name:
                    raise bad(PATH, "has an empty channel name; write the channels as search > email > display")
                if len(name) > MAX_NAME or not _NAME.match(name):
                    raise bad(
                        PATH,
                        f"names the channel {name!r}; a channel's name is letters, digits, spaces, _ and - "
                        f"(up to {MAX_NAME} characters)",
                    )
                k = key_of.setdefault(name.lower(), len(key_of))
                if k == len(shown):
                    if k == MAX_CHANNELS:
                        raise bad(
                            PATH,
                            f"brings a channel beyond the {MAX_CHANNELS} the import takes ({name!r}); group the rare "
                            "channels into one, e.g. other",
                        )
                    shown.append(name)
                touch.append(k)
            start.append(len(touch))
            for column, values in counts.items():
                if column not in at:
                    values.append(0.0)
                    continue
                v = number(row[at[column]])
                if math.isnan(v):
                    raise bad(column, "is not a number (write 1234.5, not $1,234.50; 0 for none)")
                if v < 0:
                    raise bad(column, "is negative (it is 0 or more)")
                values.append(v)
    if len(start) == 1:
        raise StoreError(f"{path.name} has no paths under its header")
    if not sum(counts[CONVERSIONS]) > 0:
        raise StoreError(f"{path.name} has no conversions on any path; attribution credits conversions: give them")
    j = _encode(shown, touch, start, counts[CONVERSIONS], counts[VALUE], counts[NULLS])
    return ShopJourneys(j, file_stamp(path, j.n))


def _encode(
    names: list[str],
    touch: list[int],
    start: list[int],
    conversions: list[float],
    value: list[float],
    nulls: list[float],
) -> Journeys:
    """Journeys with the channels numbered in the sorted order of their names (as
    engine.attribution.encode_paths numbers them), from channels numbered as first met."""
    order = sorted(range(len(names)), key=lambda i: (names[i].lower(), names[i]))
    rank = np.empty(len(names), dtype=np.int64)
    rank[order] = np.arange(len(names))
    return Journeys(
        channels=tuple(names[i] for i in order),
        touch=rank[np.array(touch, dtype=np.int64)],
        start=np.array(start, dtype=np.int64),
        conversions=np.array(conversions, dtype=float),
        value=np.array(value, dtype=float),
        nulls=np.array(nulls, dtype=float),
    )


def import_journeys(sessions: sessionmaker, path: Path) -> ShopJourneys:
    """Replace the shop's journeys with the file's, in one transaction."""
    read = read_journeys(path)
    j = read.journeys
    touch, start, channels = j.touch.tolist(), j.start.tolist(), j.channels
    rows = [
        {
            "id": i + 1,
            "path": SEP.join(channels[t] for t in touch[start[i] : start[i + 1]]),
            "conversions": c,
            "value": v,
            "nulls": n,
        }
        for i, (c, v, n) in enumerate(zip(j.conversions.tolist(), j.value.tolist(), j.nulls.tolist(), strict=True))
    ]
    replace_rows(sessions, JourneyPath, rows, META_KEY, read.stamp)
    return read


def journeys_stamp(session: Session) -> str | None:
    """The imported file's stamp, or None when the shop has no journeys of its own (cheap: one row)."""
    stamp = session.get(Meta, META_KEY)
    return stamp.value if stamp is not None else None


def shop_journeys(session: Session) -> ShopJourneys | None:
    """The shop's journeys as imported, or None when it has none."""
    stamp = journeys_stamp(session)
    rows = session.execute(
        select(JourneyPath.path, JourneyPath.conversions, JourneyPath.value, JourneyPath.nulls).order_by(JourneyPath.id)
    ).all()
    if stamp is None or not rows:
        return None
    key_of: dict[str, int] = {}
    touch: list[int] = []
    start = [0]
    for r in rows:
        touch.extend(key_of.setdefault(name, len(key_of)) for name in r[0].split(SEP))
        start.append(len(touch))
    j = _encode(list(key_of), touch, start, [r[1] for r in rows], [r[2] for r in rows], [r[3] for r in rows])
    return ShopJourneys(j, stamp)
