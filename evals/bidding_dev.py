"""How our bidding strategy was developed without the test log (the training log is not published).

Simulated logs are drawn from the training statistics alone (info.json): market prices from the
training histogram, a pCTR from a law with the training mean (or a shifted one, as when the test
days' CTR differs from the training days'), and a click with that probability. Each log is split in
time into a development half and a validation half, and strategies are scored by expected clicks,
the sum of the pCTR of the auctions won (far less noisy than clicks).

    python -m evals.bidding_dev DATA_DIR
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from pathlib import Path

import numpy as np

from engine import bidding

AUCTIONS = 156_000
LAWS: dict[str, Callable[[np.random.Generator, float], np.ndarray]] = {
    "lognormal s=1": lambda rng, m: rng.lognormal(np.log(m) - 0.5, 1.0, AUCTIONS),
    "gamma k=0.5": lambda rng, m: rng.gamma(0.5, m / 0.5, AUCTIONS),
}
SHIFTS = (1.0, 0.75, 1.33)  # the simulated mean pCTR over the training mean


def simulate(info: dict[str, float], law: str, shift: float, seed: int = 7) -> tuple[np.ndarray, ...]:
    rng = np.random.default_rng(seed)
    pctr = LAWS[law](rng, shift * info["clk_train"] / info["imp_train"]).clip(0.0, 1.0)
    pdf = bidding.market_price_pdf(np.asarray(info["price_counter_train"]))
    price = rng.choice(pdf.size, AUCTIONS, p=pdf)
    return (rng.random(AUCTIONS) < pctr).astype(np.int64), price, pctr


def compare(info: dict[str, float], clicks: np.ndarray, price: np.ndarray, pctr: np.ndarray) -> dict[str, float]:
    """Expected clicks of RLB, the exponential law and ours (with three refit schedules)."""
    mean = info["clk_train"] / info["imp_train"]
    pdf = bidding.market_price_pdf(np.asarray(info["price_counter_train"]))
    budget = int(info["cost_train"] / info["imp_train"] / 32 * bidding.DEFAULT_EPISODE)
    mass = np.round(pctr * 1e6).astype(np.int64)  # replayed as clicks: the pCTR won, in millionths
    out = {}
    for name, law in (("rlb", bidding.mean_law(mean)), ("exponential", bidding.exponential_law(mean))):
        value = bidding.value_function(bidding.DEFAULT_EPISODE, budget, pdf, law)
        out[name] = bidding.replay_value_strategy(mass, price, pctr, value, budget_per_episode=budget).clicks
    for refits in (bidding.DEFAULT_REFITS, (1, 4, 16, 64), (1,)):
        prior = bidding.exponential_law(mean)
        run = bidding.replay_learning_strategy(mass, price, pctr, pdf, prior, budget_per_episode=budget, refits=refits)
        out[f"ours refits {','.join(map(str, refits))}"] = run.clicks
    return {k: round(v / 1e6, 1) for k, v in out.items()}


def main(base: Path) -> None:
    info = json.loads((base / "ipinyou" / "2997.info.json").read_text())  # never the test log
    half = AUCTIONS // 2
    for law in LAWS:
        for shift in SHIFTS:
            clicks, price, pctr = simulate(info, law, shift)
            for part, rows in (("development", slice(0, half)), ("validation", slice(half, None))):
                print(law, shift, part, compare(info, clicks[rows], price[rows], pctr[rows]), flush=True)


if __name__ == "__main__":
    main(Path(sys.argv[1]))
