"""A small weekly media history, made from a known model, written as `copilot import media` reads it."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import numpy as np

from engine.mmm import adstock, hill

FIRST_WEEK = date(2021, 1, 3)
# search: fast decay, concave; social: slower decay, S-shaped.
DECAY = np.array([0.2, 0.5])
HALF = np.array([800.0, 1500.0])
SHAPE = np.array([1.0, 2.0])
BETA = np.array([6000.0, 4000.0])


def media_rows(weeks: int = 104, seed: int = 3) -> tuple[list[str], list[list[str]]]:
    """The header and the rows: week, sales, spend_search, spend_social, promo (a control)."""
    rng = np.random.default_rng(seed)
    spend = np.column_stack(
        [
            rng.uniform(0, 2000, weeks) * (rng.random(weeks) < 0.8),
            rng.uniform(0, 4000, weeks) * (rng.random(weeks) < 0.6),
        ]
    ).round(2)
    promo = (rng.random(weeks) < 0.15).astype(float)
    t = np.arange(weeks)
    season = 1500 * np.sin(2 * np.pi * t / 52)
    sales = 20000 + 10 * t + season + 3000 * promo + (BETA * hill(adstock(spend, DECAY), HALF, SHAPE)).sum(axis=1)
    sales = (sales * (1 + 0.01 * rng.normal(size=weeks))).round(2)
    header = ["week", "sales", "spend_search", "spend_social", "promo"]
    rows = [
        [
            (FIRST_WEEK + timedelta(days=7 * i)).isoformat(),
            f"{sales[i]:.2f}",
            f"{spend[i, 0]:.2f}",
            f"{spend[i, 1]:.2f}",
            f"{promo[i]:.0f}",
        ]
        for i in range(weeks)
    ]
    return header, rows


def write_media(path: Path, weeks: int = 104, seed: int = 3) -> Path:
    header, rows = media_rows(weeks, seed)
    path.write_text("\n".join(",".join(r) for r in [header, *rows]) + "\n")
    return path
