"""Where the reference data sets are found."""

from __future__ import annotations

from pathlib import Path

import pytest

from store import reference


def _put(root: Path, dataset: str) -> None:
    for f in reference.SETS[dataset].files:
        (root / f).parent.mkdir(parents=True, exist_ok=True)
        (root / f).write_text("x")


def test_data_dir_finds_copilot_home_data(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    monkeypatch.setenv("COPILOT_DATA_DIR", str(empty))
    monkeypatch.setenv("COPILOT_HOME", str(tmp_path / "home"))
    _put(tmp_path / "home" / "data", "paidsearch")
    assert [how for how, _ in reference.candidates()][:2] == ["COPILOT_DATA_DIR", "$COPILOT_HOME/data"]
    assert reference.data_dir("paidsearch") == tmp_path / "home" / "data"
    assert reference.data_dir() == empty  # no set named: the first folder that exists
    _put(empty, "paidsearch")
    assert reference.data_dir("paidsearch") == empty  # COPILOT_DATA_DIR first


def test_a_missing_set_is_none_and_names_the_fetch(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(reference, "candidates", lambda: [("COPILOT_DATA_DIR", tmp_path)])
    assert reference.data_dir("hillstrom") is None
    assert "`copilot data fetch hillstrom`" in reference.missing_text("hillstrom")
    with pytest.raises(ValueError, match="no data set 'nosuch'"):
        reference.data_dir("nosuch")
