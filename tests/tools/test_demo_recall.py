"""The recall tools on the real demo shop: the catalog index answers as exact search would, and
recommendations come from the ranker trained on the shop."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from copilot.app import Copilot
from copilot.settings import Settings
from engine import ann
from tests.tools.test_tools import call
from vectorstore import catalog_vectors, embed_query


def test_catalog_search_is_exact_on_the_demo_catalog(demo_home: Path) -> None:
    cp = Copilot(Settings(home=demo_home))
    try:
        pids, x = catalog_vectors(cp.shop.chroma)
        assert pids.size < ann.DEFAULT_EXACT_BELOW  # 3,659 products: below the crossover, an exact search
        x /= np.linalg.norm(x, axis=1, keepdims=True)
        for text in ("red paper parasol", "christmas tree decoration", "lunch bag", "ceramic mug", "doormat"):
            got = [r["product_id"] for r in call(cp.shop, "similar_products", query=text, k=10)["similar"]]
            exact = pids[ann.exact_top_k(x, embed_query(text), 10)].tolist()
            assert got == exact, text
        one = call(cp.shop, "similar_products", product_id=12, k=5)
        assert 12 not in [r["product_id"] for r in one["similar"]] and len(one["similar"]) == 5
    finally:
        cp.close()


def test_recommendations_come_from_the_trained_ranker(demo_home: Path) -> None:
    cp = Copilot(Settings(home=demo_home))
    try:
        rec = call(cp.shop, "recommend_products", customer_id=12347, k=10)
        s = cp.shop.sales
        bought = set(s.product[s.customer == 12347].tolist())
        assert "trained on this shop" in rec["method"]
        assert len(rec["recommendations"]) == 10
        assert not bought & {r["product_id"] for r in rec["recommendations"]}
        scores = [r["score"] for r in rec["recommendations"]]
        assert scores == sorted(scores, reverse=True) and 0 < scores[-1] <= scores[0] < 1
        assert list((demo_home / "cache").glob("ranker-*.npz"))  # fitted once, kept for the next process
    finally:
        cp.close()
