"""Importing a shop's journeys (store/journeys.py): every cell checked, a bad one named by line and
column, and one transaction: nothing half-imported, the journeys before left as they were."""

from __future__ import annotations

import gzip
import re
import shutil
from pathlib import Path

import numpy as np
import pytest
from sqlalchemy import func, select

from store import StoreError
from store.db import JourneyPath, Meta, make_engine, make_sessionmaker
from store.journeys import META_KEY, import_journeys, read_journeys, shop_journeys

EXAMPLE = Path(__file__).resolve().parents[1] / "data" / "journeys.csv"
CHANNELS = ("display", "email", "Paid Search", "social")


@pytest.fixture
def sessions(tmp_path: Path):  # type: ignore[no-untyped-def]
    engine = make_engine(f"sqlite:///{tmp_path / 'shop.db'}")
    yield make_sessionmaker(engine)
    engine.dispose()


def _lines() -> list[str]:
    return EXAMPLE.read_text().splitlines()


def _write(path: Path, lines: list[str]) -> Path:
    path.write_text("\n".join(lines) + "\n")
    return path


def test_the_example_is_read_and_stored_as_it_was_given(sessions, tmp_path):  # type: ignore[no-untyped-def]
    read = import_journeys(sessions, EXAMPLE)
    j = read.journeys
    assert j.channels == CHANNELS  # "paid search" is "Paid Search", as first written
    assert (j.n, float(j.conversions.sum()), float(j.value.sum()), float(j.nulls.sum())) == (8, 40.0, 1681.5, 265.0)
    assert read.summary() == (
        "loaded 8 paths of journeys over 4 channels (display, email, Paid Search, social): 40 conversions worth "
        "1,681.50, 265 journeys without one"
    )
    assert re.fullmatch(r"journeys\.csv:[0-9a-f]{16}:8", read.stamp)
    with sessions() as s:
        back = shop_journeys(s)
        stamp = s.get(Meta, META_KEY)
        paths = s.scalars(select(JourneyPath.path).order_by(JourneyPath.id)).all()
    assert back is not None and stamp is not None and back.stamp == stamp.value == read.stamp
    assert paths[:3] == ["Paid Search > email", "Paid Search", "display > Paid Search > email"]
    b = back.journeys
    assert b.channels == j.channels and np.array_equal(b.touch, j.touch) and np.array_equal(b.start, j.start)
    assert np.array_equal(b.conversions, j.conversions) and np.array_equal(b.value, j.value)
    assert np.array_equal(b.nulls, j.nulls)
    smaller = _write(tmp_path / "smaller.csv", _lines()[:4])  # a new file replaces the journeys
    import_journeys(sessions, smaller)
    with sessions() as s:
        assert s.scalar(select(func.count()).select_from(JourneyPath)) == 3


def test_channel_attributions_own_format_and_a_compressed_file(tmp_path):  # type: ignore[no-untyped-def]
    """The package's `;` between cells and its column names; no value or nulls columns needed."""
    own = _write(
        tmp_path / "ca.csv",
        ["path;total_conversions;total_conversion_value;total_null", "A > B > A;1;4.0;0", "A > A;2;3.0;5"],
    )
    j = read_journeys(own).journeys
    assert j.channels == ("A", "B") and j.conversions.tolist() == [1.0, 2.0] and j.nulls.tolist() == [0.0, 5.0]
    packed = tmp_path / "bare.csv.gz"
    with gzip.open(packed, "wt") as fh:
        fh.write("Path,Conversions\nsearch > email,3\nemail,0.5\n")
    j = read_journeys(packed).journeys
    assert j.channels == ("email", "search") and j.value.tolist() == [0.0, 0.0] and j.conversions.sum() == 3.5


@pytest.mark.parametrize(
    ("line", "column", "value", "why"),
    [
        (3, "conversions", "eight", "is not a number"),
        (4, "value", "$260", "is not a number"),
        (5, "nulls", "-40", "is negative"),
        (6, "conversions", "", "is not a number"),
        (7, "path", "social >> email", "has an empty channel name"),
        (8, "path", "display > e-mail!", "names the channel 'e-mail!'; a channel's name is letters, digits"),
        (9, "path", "", "is empty; give the path's channels in order"),
    ],
)
def test_a_bad_cell_is_named_and_nothing_is_left_behind(sessions, tmp_path, line, column, value, why):  # type: ignore[no-untyped-def]
    import_journeys(sessions, EXAMPLE)
    with sessions() as s:
        before = shop_journeys(s)
    lines = _lines()
    cells = lines[line - 1].split(",")
    cells[["path", "conversions", "value", "nulls"].index(column)] = value
    lines[line - 1] = ",".join(cells)
    bad = _write(tmp_path / "bad.csv", lines)
    with pytest.raises(StoreError, match=re.escape(f"bad.csv line {line}, column {column}: {value!r} {why}")):
        import_journeys(sessions, bad)
    with sessions() as s:
        after = shop_journeys(s)
    assert before is not None and after is not None and after.stamp == before.stamp
    assert after.journeys.channels == CHANNELS and np.array_equal(after.journeys.touch, before.journeys.touch)


def test_a_file_outside_the_limits_says_what_to_fix(sessions, tmp_path):  # type: ignore[no-untyped-def]
    many = [f"c{i} > c{i + 1}" for i in range(0, 31, 2)]  # channels c0 .. c31
    path = _write(tmp_path / "many.csv", ["path,conversions", *(f"{p},1" for p in many)])
    with pytest.raises(StoreError, match=r"many\.csv line 17, column path: 'c30 > c31' brings a channel beyond the 30"):
        read_journeys(path)
    path = _write(tmp_path / "none.csv", ["path,conversions,nulls", "search,0,10", "email,0,3"])
    with pytest.raises(StoreError, match=r"none\.csv has no conversions on any path"):
        read_journeys(path)
    path = _write(tmp_path / "cols.csv", ["journey,sales", "search,1"])
    with pytest.raises(StoreError, match=r"cols\.csv lacks 'path', 'conversions'; expected the columns path"):
        read_journeys(path)
    path = _write(tmp_path / "extra.csv", ["path,conversions,revenue", "search,1,5"])
    with pytest.raises(StoreError, match=r"the column 'revenue', which the import does not read"):
        read_journeys(path)
    path = _write(tmp_path / "short.csv", ["path,conversions,value", "search,1"])
    with pytest.raises(StoreError, match=r"short\.csv line 2 has 2 cells, the header 3"):
        read_journeys(path)
    with pytest.raises(StoreError, match=r"give a \.csv file"):
        read_journeys(tmp_path / "journeys.xlsx")
    with sessions() as s:
        assert shop_journeys(s) is None


def test_the_cli_imports_journeys_in_one_transaction(tmp_path):  # type: ignore[no-untyped-def]
    from tests.test_cli import cli

    home = tmp_path / "home"
    good = shutil.copy(EXAMPLE, tmp_path / "ours.csv")
    p = cli(home, "import", "journeys", str(good))
    assert p.returncode == 0, p.stderr
    assert "loaded 8 paths of journeys over 4 channels (display, email, Paid Search, social)" in p.stdout
    lines = _lines()
    lines[3] = lines[3].replace(",5,", ",five,")
    p = cli(home, "import", "journeys", str(_write(tmp_path / "bad.csv", lines)))
    assert p.returncode == 1 and p.stderr.count("\n") == 1
    assert "error: bad.csv line 4, column conversions: 'five' is not a number" in p.stderr
    engine = make_engine(f"sqlite:///{home / 'shop.db'}")
    try:
        with make_sessionmaker(engine)() as s:
            kept = shop_journeys(s)
        assert kept is not None and kept.journeys.n == 8 and kept.stamp.startswith("ours.csv:")  # the good file's
    finally:
        engine.dispose()
    help_text = cli(home, "import", "journeys", "--help").stdout
    assert "ChannelAttribution's format" in help_text and "naming its line" in help_text
