"""The reference data sets: what they are, where they are found, and readers.

The Online Retail set and the Online Shoppers sessions (web_sessions) are part of the project, in
store/data; the others are read in place from the first of COPILOT_DATA_DIR, $COPILOT_HOME/data (where
`copilot data fetch` puts them) and ../shared/data that holds the set's files.
"""

from __future__ import annotations

import csv
import json
import lzma
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np


@dataclass(frozen=True)
class DataSet:
    """One reference data set: a folder of the data directory and the files in it."""

    name: str  # the folder, and the name `copilot data fetch` takes
    title: str
    files: tuple[str, ...]  # paths under the data directory
    origin: str


SETS: dict[str, DataSet] = {
    d.name: d
    for d in (
        DataSet(
            "cdnow",
            "CDNOW purchases",
            ("cdnow/CDNOW_master.txt.xz", "cdnow/cdnow_customers_summary_with_transactions.csv"),
            "the Lifetimes 0.11.3 wheel (MIT); Fader, Hardie and Lee 2005",
        ),
        DataSet(
            "ipinyou",
            "iPinYou 2997 log",
            (
                "ipinyou/2997.info.json",
                "ipinyou/2997.test.theta.txt.xz",
                "ipinyou/published_bid_performance_N1000_c0_1-32.txt",
            ),
            "han-cai/rlb-dp (Cai et al., WSDM 2017)",
        ),
        DataSet(
            "hillstrom",
            "Hillstrom e-mail test",
            ("hillstrom/hillstrom.csv.xz",),
            "MineThatData via carlosquintanillaa/Datasets",
        ),
        DataSet("dominicks_oj", "Dominick's orange juice", ("dominicks_oj/oj.csv",), "TaddyLab/BDS examples"),
        DataSet("paidsearch", "paid-search experiment", ("paidsearch/paidsearch.csv.xz",), "TaddyLab/BDS examples"),
        DataSet(
            "ctr_samples",
            "Criteo and Avazu samples",
            ("ctr_samples/criteo_sample.txt", "ctr_samples/avazu_sample.txt"),
            "shenweichen/DeepCTR examples (Apache-2.0)",
        ),
        DataSet(
            "attribution",
            "ChannelAttribution journeys",
            ("attribution/channelattribution_Data.csv",),
            "DavideAltomare/ChannelAttribution (GPL-3)",
        ),
        DataSet("mmm", "weekly marketing mix", ("mmm/mmm_stan_weekly_retailer.csv",), "sibylhe/mmm_stan (MIT)"),
        DataSet(
            "retention",
            "Fader and Hardie retention cohorts",
            ("retention/sbg_fader_hardie_2007_survivors.csv",),
            "the tables of Fader and Hardie 2007",
        ),
        DataSet(
            "web_sessions",
            "online shoppers' sessions",
            ("web_sessions/online_shoppers_intention.csv",),
            "UCI ML Repository id 468 (CC BY 4.0)",
        ),
        DataSet(
            "rtb",
            "iPinYou 2997 bid requests",
            ("rtb/ipinyou_2997_sample.csv.xz",),
            "decoded from wnzhang/deep-ctr through its featindex",
        ),
    )
}


def home_data_dir() -> Path:
    """$COPILOT_HOME/data (COPILOT_HOME as in copilot.settings): where `copilot data fetch` writes."""
    home = Path(os.environ.get("COPILOT_HOME") or Path.home() / ".marketing-copilot").expanduser()
    return home / "data"


def candidates() -> list[tuple[str, Path]]:
    """The folders searched, in order, each with how it was found."""
    out = []
    env = os.environ.get("COPILOT_DATA_DIR")
    if env:
        out.append(("COPILOT_DATA_DIR", Path(env).expanduser()))
    out.append(("$COPILOT_HOME/data", home_data_dir()))
    here = Path(__file__).resolve().parents[1]
    for shared in (here.parent / "shared" / "data", Path.cwd().parent / "shared" / "data"):
        if all(shared != p for _, p in out):
            out.append(("../shared/data", shared))
    return out


def holds(place: Path, dataset: str) -> bool:
    """Whether `place` has every file of `dataset`."""
    return all((place / f).is_file() for f in SETS[dataset].files)


def found(dataset: str) -> tuple[str, Path] | None:
    """Where `dataset` is found first (how, folder), or None."""
    return next(((how, p) for how, p in candidates() if holds(p, dataset)), None)


def data_dir(dataset: str | None = None) -> Path | None:
    """The first folder that holds every file of `dataset`; without one, the first folder that exists."""
    if dataset is not None and dataset not in SETS:
        raise ValueError(f"no data set {dataset!r}; the data sets are {', '.join(SETS)}")
    for _, path in candidates():
        if dataset is None and path.is_dir():
            return path
        if dataset is not None and holds(path, dataset):
            return path
    return None


def missing_text(dataset: str) -> str:
    """One line saying a data set is missing and how to get it (offline/wording.py translates it)."""
    return (
        f"the {SETS[dataset].title} data set ({dataset}) is not on this machine; get it with "
        f"`copilot data fetch {dataset}`, or set COPILOT_DATA_DIR to a folder that holds {dataset}/"
    )


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


def ipinyou_setup(base: Path) -> dict[str, Any]:
    """The iPinYou 2997 replay as the bidding bench (evals/bench.py) and the DSP's exchange replay
    (dsp/replay.py) both run it: the test log's clicks, market prices and pCTRs, rlb-dp's episode and
    budget per episode, the training market-price law and mean CTR."""
    from engine import bidding

    info, log = ipinyou(base)
    episode = bidding.DEFAULT_EPISODE
    return {
        "info": info,
        "clicks": log[:, 0].astype(np.int64),
        "price": log[:, 1].astype(np.int64),
        "pctr": log[:, 2],
        "episode": episode,
        "budget": int(info["cost_train"] / info["imp_train"] / 32 * episode),
        "pdf": bidding.market_price_pdf(info["price_counter_train"]),
        "mean_ctr": info["clk_train"] / info["imp_train"],
    }


def rtb_requests(base: Path) -> list[dict[str, str]]:
    """The iPinYou 2997 impressions with their request fields (split: train or test, click 0/1)."""
    return _rows(base / "rtb" / "ipinyou_2997_sample.csv.xz")


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


def attribution(base: Path) -> dict[str, np.ndarray]:
    """The ChannelAttribution journeys (`;`-separated): path ("a > b > c"), conversions, conversion
    value and nulls (journeys that ended without a conversion) per path."""
    with open(base / "attribution" / "channelattribution_Data.csv", newline="") as fh:
        rows = list(csv.DictReader(fh, delimiter=";"))
    return {
        "path": np.array([r["path"] for r in rows]),
        **{
            k: np.array([float(r[col]) for r in rows])
            for k, col in (
                ("conversions", "total_conversions"),
                ("value", "total_conversion_value"),
                ("nulls", "total_null"),
            )
        },
    }


def attribution_reference(base: Path) -> dict[str, dict[str, float]] | None:
    """reference_outputs.csv beside the journeys, when present: per channel, each published figure
    (first/last/linear touch conversions and value, the package's simulated Markov, the exact one)."""
    path = base / "attribution" / "reference_outputs.csv"
    if not path.is_file():
        return None
    return {r["channel_name"]: {k: float(v) for k, v in r.items() if k != "channel_name"} for r in _rows(path)}


# The project's copy of the web_sessions set (xz-compressed; credited in store/ATTRIBUTION.md).
VENDORED_WEB_SESSIONS = Path(__file__).parent / "data" / "online_shoppers_intention.csv.xz"
_SESSION_NUMBERS = {
    "Administrative": "administrative",
    "Administrative_Duration": "administrative_duration",
    "Informational": "informational",
    "Informational_Duration": "informational_duration",
    "ProductRelated": "product_related",
    "ProductRelated_Duration": "product_related_duration",
    "BounceRates": "bounce_rates",
    "ExitRates": "exit_rates",
    "PageValues": "page_values",
    "SpecialDay": "special_day",
}
_SESSION_CODES = {
    "OperatingSystems": "operating_system",
    "Browser": "browser",
    "Region": "region",
    "TrafficType": "traffic_type",
}


def web_sessions(base: Path | None = None) -> dict[str, np.ndarray]:
    """The Online Shoppers sessions, one entry per column: from `base`/web_sessions/ when given, else
    the project's copy. Page counts, durations (seconds) and rates are floats, NaN where the file
    leaves them empty (14 sessions; 33 others have durations of -1, the file's mark of unknown); the
    coded columns (operating_system, browser, region, traffic_type) are ints; month and visitor_type
    strings as written ("June" in full); weekend and revenue (bought or not) booleans."""
    path = base / SETS["web_sessions"].files[0] if base is not None else VENDORED_WEB_SESSIONS
    rows = _rows(path)
    out = {key: np.array([float(r[col] or "nan") for r in rows]) for col, key in _SESSION_NUMBERS.items()}
    out |= {key: np.array([int(r[col]) for r in rows]) for col, key in _SESSION_CODES.items()}
    out["month"] = np.array([r["Month"] for r in rows])
    out["visitor_type"] = np.array([r["VisitorType"] for r in rows])
    out["weekend"] = np.array([r["Weekend"] == "TRUE" for r in rows])
    out["revenue"] = np.array([r["Revenue"] == "TRUE" for r in rows])
    return out


def retention_survivors(base: Path) -> dict[str, np.ndarray]:
    """Fader and Hardie's cohorts: each cohort's customers still there after years 0, 1, 2, ..."""
    rows = _rows(base / "retention" / "sbg_fader_hardie_2007_survivors.csv")
    out: dict[str, np.ndarray] = {}
    for cohort in dict.fromkeys(r["cohort"] for r in rows):
        mine = sorted((int(r["year"]), float(r["alive"])) for r in rows if r["cohort"] == cohort)
        out[cohort] = np.array([alive for _, alive in mine])
    return out


MMM_CONTROL_PREFIXES = ("me_", "st_ct", "mrkdn_", "va_pub_", "hldy_", "seas_")
# What the mmm set's channel codes stand for (the mmm_stan README lists them in this order).
MMM_CHANNEL_LABELS = {
    "dm": "direct mail",
    "inst": "insert",
    "nsp": "newspaper",
    "auddig": "digital audio",
    "audtr": "radio",
    "vidtr": "TV",
    "viddig": "digital video",
    "so": "social media",
    "on": "online display",
    "sem": "paid search (SEM)",
}


def mmm(base: Path) -> dict[str, Any]:
    """The weekly marketing-mix set: week (start date), sales, spend (weeks x channels, the mdsp_
    columns) with channel names, and the controls as given (macro, store count, markdowns,
    value-added publications, holidays, seasonality) with their names."""
    rows = _rows(base / "mmm" / "mmm_stan_weekly_retailer.csv")
    cols = list(rows[0])
    spend_cols = [c for c in cols if c.startswith("mdsp_")]
    control_cols = [c for c in cols if c.startswith(MMM_CONTROL_PREFIXES)]
    return {
        "week": np.array([r["wk_strt_dt"] for r in rows], dtype="datetime64[D]"),
        "sales": np.array([float(r["sales"]) for r in rows]),
        "channels": tuple(c.removeprefix("mdsp_") for c in spend_cols),
        "spend": np.array([[float(r[c]) for c in spend_cols] for r in rows]),
        "control_names": tuple(control_cols),
        "controls": np.array([[float(r[c]) for c in control_cols] for r in rows]),
    }
