"""Importing a shop's weekly media history (store/media.py): every cell checked, a bad one named by line
and column, and one transaction: nothing half-imported, the history before left as it was."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest
from sqlalchemy import func, select

from store import StoreError
from store.db import MediaWeek, Meta, make_engine, make_sessionmaker
from store.media import META_KEY, import_media, media_history, read_media
from tests.media_history import media_rows, write_media


@pytest.fixture
def sessions(tmp_path: Path):  # type: ignore[no-untyped-def]
    engine = make_engine(f"sqlite:///{tmp_path / 'shop.db'}")
    yield make_sessionmaker(engine)
    engine.dispose()


def _write(path: Path, header: list[str], rows: list[list[str]]) -> Path:
    path.write_text("\n".join(",".join(r) for r in [header, *rows]) + "\n")
    return path


def test_a_history_is_read_and_stored_as_it_was_given(sessions, tmp_path):  # type: ignore[no-untyped-def]
    history = import_media(sessions, write_media(tmp_path / "media.csv", weeks=60))
    assert history.channels == ("search", "social") and history.control_names == ("promo",)
    assert "loaded 60 weeks of media history, 2021-01-03 to 2022-02-20" in history.summary()
    with sessions() as s:
        back = media_history(s)
        stamp = s.get(Meta, META_KEY)
    assert back is not None and stamp is not None and back.stamp == stamp.value == history.stamp
    assert back.weeks == history.weeks and back.channels == history.channels
    assert np.array_equal(back.spend, history.spend) and np.array_equal(back.sales, history.sales)
    assert np.array_equal(back.controls, history.controls)
    import_media(sessions, write_media(tmp_path / "other.csv", weeks=55, seed=9))  # a new file replaces it
    with sessions() as s:
        assert s.scalar(select(func.count()).select_from(MediaWeek)) == 55


def test_a_history_without_controls(sessions, tmp_path):  # type: ignore[no-untyped-def]
    path = _write(
        tmp_path / "plain.csv", ["week", "sales", "spend_tv"], [["2024-01-07", "100", "5"], ["2024-01-14", "120", "0"]]
    )
    import_media(sessions, path)
    with sessions() as s:
        h = media_history(s)
    assert h is not None and h.controls.shape == (2, 0) and h.spend.tolist() == [[5.0], [0.0]]


@pytest.mark.parametrize(
    ("line", "column", "value", "why"),
    [
        (4, "sales", "abc", "is not a number"),
        (5, "spend_social", "-3", "is negative"),
        (6, "week", "2021/02/07", "is not a date in the form YYYY-MM-DD"),
        (7, "promo", "", "is not a number"),
        (8, "sales", "0", "is not above zero"),
        (9, "week", "2021-03-01", "is not seven days after the week before (2021-02-14)"),
    ],
)
def test_a_bad_cell_is_named_and_nothing_is_left_behind(sessions, tmp_path, line, column, value, why):  # type: ignore[no-untyped-def]
    import_media(sessions, write_media(tmp_path / "good.csv", weeks=60))
    with sessions() as s:
        before = media_history(s)
    header, rows = media_rows(60)
    rows[line - 2][header.index(column)] = value  # line 1 is the header
    bad = _write(tmp_path / "bad.csv", header, rows)
    with pytest.raises(
        StoreError,
        match=re.escape(f"bad.csv line {line}, column {column}: {value!r} {why}"),
    ):
        import_media(sessions, bad)
    with sessions() as s:
        after = media_history(s)
        stamp = s.get(Meta, META_KEY)
    assert after is not None and before is not None and stamp is not None
    assert after.weeks == before.weeks and np.array_equal(after.spend, before.spend) and stamp.value == before.stamp


def test_a_file_without_the_needed_columns_says_what_it_needs(sessions, tmp_path):  # type: ignore[no-untyped-def]
    path = _write(tmp_path / "cols.csv", ["date", "revenue", "tv"], [["2024-01-07", "100", "5"]])
    with pytest.raises(StoreError, match=r"cols.csv lacks 'week', 'sales', a spend_CHANNEL column; expected"):
        read_media(path)
    path = _write(tmp_path / "name.csv", ["week", "sales", "spend_Paid Search"], [["2024-01-07", "100", "5"]])
    with pytest.raises(StoreError, match="should name its channel after spend_ in lower-case"):
        read_media(path)
    path = _write(tmp_path / "short.csv", ["week", "sales", "spend_tv"], [["2024-01-07", "100"]])
    with pytest.raises(StoreError, match=r"short\.csv line 2 has 2 cells, the header 3"):
        read_media(path)
    with pytest.raises(StoreError, match=r"give a \.csv file"):
        read_media(tmp_path / "media.xlsx")
    with sessions() as s:
        assert media_history(s) is None


def test_the_cli_imports_media_in_one_transaction(tmp_path):  # type: ignore[no-untyped-def]
    from tests.test_cli import cli

    home = tmp_path / "home"
    good = write_media(tmp_path / "media.csv", weeks=60)
    p = cli(home, "import", "media", str(good))
    assert p.returncode == 0, p.stderr
    assert "loaded 60 weeks of media history, 2021-01-03 to 2022-02-20" in p.stdout and "search" in p.stdout
    header, rows = media_rows(60)
    rows[10][header.index("spend_search")] = "£1200"
    p = cli(home, "import", "media", str(_write(tmp_path / "bad.csv", header, rows)))
    assert p.returncode == 1 and p.stderr.count("\n") == 1
    assert "error: bad.csv line 12, column spend_search: '£1200' is not a number" in p.stderr
    engine = make_engine(f"sqlite:///{home / 'shop.db'}")
    try:
        with make_sessionmaker(engine)() as s:
            h = media_history(s)
        assert h is not None and len(h.weeks) == 60 and h.stamp.startswith("media.csv:")  # the good file's, whole
    finally:
        engine.dispose()
