"""Ad matching: the pCTR of a (request, creative) pair from the project's hashed-feature ranker
(engine/rank.py), on the request fields the iPinYou logs carry: region, city, domain, slot id, size,
visibility, format, hour, weekday, user agent (and the creative). Trained on the train split of the
iPinYou 2997 sample (../shared/data/rtb); `evaluate` reports its AUC on the test split against a
logistic regression on the same features one-hot encoded (scikit-learn) and a constant."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from engine import rank

FIELDS = ("region", "city", "domain", "slotid", "size", "slotvisibility", "slotformat", "hour", "weekday", "useragent")
RANKER_BITS = 18
RANKER_C = 0.1


def _key(value: str) -> int:
    return int.from_bytes(hashlib.blake2b(value.encode(), digest_size=8).digest(), "little")


def row_fields(row: dict[str, str]) -> list[str]:
    """A log row's fields in FIELDS order (size is WxH)."""
    return [f"{row['slotwidth']}x{row['slotheight']}" if f == "size" else str(row.get(f, "")) for f in FIELDS]


def encode(rows: Sequence[Sequence[str]], bits: int = RANKER_BITS) -> tuple[np.ndarray, np.ndarray]:
    """Hashed (index, value) pairs, one slot per field."""
    keys = np.array([[_key(v) for v in r] for r in rows], dtype=np.uint64).reshape(len(rows), len(FIELDS))
    idx = np.stack([rank.hash_index(j, keys[:, j], bits) for j in range(len(FIELDS))], axis=1)
    return idx, np.ones(idx.shape, dtype=np.float32)


@dataclass
class Matcher:
    model: rank.HashedLogistic
    bits: int = RANKER_BITS

    @classmethod
    def train(cls, rows: list[dict[str, str]]) -> Matcher:
        train = [r for r in rows if r["split"] == "train"]
        idx, val = encode([row_fields(r) for r in train])
        y = np.array([int(r["click"]) for r in train])
        return cls(rank.HashedLogistic.fit(idx, val, y, bits=RANKER_BITS, c=RANKER_C))

    def pctr(self, fields: Sequence[Sequence[str]]) -> np.ndarray:
        idx, val = encode(fields, self.bits)
        return self.model.score(idx, val)


def evaluate(rows: list[dict[str, str]]) -> dict[str, Any]:
    """AUC on the test split: the ranker, a logistic regression on one-hot features, a constant."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.preprocessing import OneHotEncoder

    train = [r for r in rows if r["split"] == "train"]
    test = [r for r in rows if r["split"] == "test"]
    y_train = np.array([int(r["click"]) for r in train])
    y_test = np.array([int(r["click"]) for r in test])
    matcher = Matcher.train(rows)
    ours = matcher.pctr([row_fields(r) for r in test])
    onehot = OneHotEncoder(handle_unknown="ignore")
    x_train = onehot.fit_transform(np.array([row_fields(r) for r in train], dtype=object))
    lr = LogisticRegression(C=RANKER_C, solver="liblinear").fit(x_train, y_train)
    theirs = lr.predict_proba(onehot.transform(np.array([row_fields(r) for r in test], dtype=object)))[:, 1]
    return {
        "train": len(train),
        "test": len(test),
        "test_clicks": int(y_test.sum()),
        "auc_ranker": round(rank.auc(y_test, ours), 4),
        "auc_logistic": round(rank.auc(y_test, theirs), 4),
        "auc_constant": round(rank.auc(y_test, np.full(len(test), y_train.mean())), 4),
    }


def load(base: Path) -> Matcher:
    from store import reference

    return Matcher.train(reference.rtb_requests(base))


__all__ = ["FIELDS", "Matcher", "encode", "evaluate", "load", "row_fields"]
