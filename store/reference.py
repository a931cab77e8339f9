"""The reference data sets (../shared/data, or COPILOT_DATA_DIR): where they are, and readers.

Only the Online Retail set is part of the project; these stay outside it and are read in place.
"""

from __future__ import annotations

import csv
import json
import lzma
import os
from pathlib import Path
from typing import Any

import numpy as np


def data_dir() -> Path | None:
    """COPILOT_DATA_DIR, else ../shared/data beside the project (or the working directory)."""
    env = os.environ.get("COPILOT_DATA_DIR")
    candidates = [Path(env)] if env else []
    here = Path(__file__).resolve().parents[1]
    candidates += [here.parent / "shared" / "data", Path.cwd().parent / "shared" / "data"]
    return next((p for p in candidates if p.is_dir()), None)


def _rows(path: Path) -> list[dict[str, str]]:
    opener: Any = lzma.open if path.suffix == ".xz" else open
    with opener(path, "rt", newline="") as fh:
        return list(csv.DictReader(fh))


def cdnow_summary(base: Path) -> dict[str, np.ndarray]:
    rows = _rows(base / "cdnow" / "cdnow_customers_summary_with_transactions.csv")
    return {k: np.array([float(r[k]) for r in rows]) for k in ("x", "t_x", "T", "zbar")}


def oj(base: Path) -> dict[str, np.ndarray]:
    rows = _rows(base / "dominicks_oj" / "oj.csv")
    return {
        "sales": np.array([float(r["sales"]) for r in rows]),
        "price": np.array([float(r["price"]) for r in rows]),
        "brand": np.array([r["brand"] for r in rows]),
        "feat": np.array([float(r["feat"]) for r in rows]),
    }


def paidsearch(base: Path) -> dict[str, np.ndarray]:
    rows = _rows(base / "paidsearch" / "paidsearch.csv.xz")
    return {
        "dma": np.array([r["dma"] for r in rows]),
        "after": np.array([int(r["treatment_period"]) for r in rows]),
        "search_off": np.array([int(r["search stays on"]) == 0 for r in rows]),
        "revenue": np.array([float(r["revenue"]) for r in rows]),
    }


def hillstrom(base: Path) -> dict[str, np.ndarray]:
    """Columns, plus X: the features (numeric, log history, one-hot zip, channel, history segment)."""
    rows = _rows(base / "hillstrom" / "hillstrom.csv.xz")

    def onehot(col: str) -> np.ndarray:
        v = np.array([r[col] for r in rows])
        return np.column_stack([(v == lv).astype(float) for lv in sorted(set(v.tolist()))])

    num = np.column_stack(
        [np.array([float(r[c]) for r in rows]) for c in ("recency", "history", "mens", "womens", "newbie")]
    )
    return {
        "segment": np.array([r["segment"] for r in rows]),
        **{k: np.array([float(r[k]) for r in rows]) for k in ("visit", "conversion", "spend")},
        "X": np.column_stack(
            [num, np.log1p(num[:, 1:2]), onehot("zip_code"), onehot("channel"), onehot("history_segment")]
        ),
    }


def ipinyou(base: Path, campaign: str = "2997") -> tuple[dict[str, Any], np.ndarray]:
    """(info.json, log as an n x 3 array: click, market price, pCTR)."""
    info = json.loads((base / "ipinyou" / f"{campaign}.info.json").read_text())
    with lzma.open(base / "ipinyou" / f"{campaign}.test.theta.txt.xz", "rt") as fh:
        log = np.loadtxt(fh, dtype=float)
    return info, log


def criteo_sample(base: Path, bits: int = 20) -> dict[str, np.ndarray]:
    """The Criteo sample as hashed features: 13 counts (log1p, one slot each) and 26 categories."""
    from engine.rank import hash_index

    rows = _rows(base / "ctr_samples" / "criteo_sample.txt")
    n = len(rows)
    idx = np.zeros((n, 39), dtype=np.int64)
    val = np.zeros((n, 39))
    for j in range(13):
        raw = np.array([float(r[f"I{j + 1}"] or 0.0) for r in rows])
        idx[:, j] = hash_index(j, np.zeros(n, dtype=np.int64), bits)
        val[:, j] = np.log1p(np.maximum(raw, 0.0))
    for j in range(26):
        keys = np.array([int(r[f"C{j + 1}"] or "0", 16) for r in rows], dtype=np.uint64)
        idx[:, 13 + j] = hash_index(13 + j, keys, bits)
        val[:, 13 + j] = 1.0
    return {"label": np.array([int(r["label"]) for r in rows]), "idx": idx, "val": val}
