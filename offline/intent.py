"""Which tool a request asks for: nearest neighbours over the example bank.

The bank (offline/bank/*.jsonl, one batch a file) holds requests as marketers phrase them, each
labelled with the tool that answers it, or `none` for what the copilot does not do. A request is
embedded as TF-IDF weighted words, word pairs, character n-grams of words (typos still share most of
them) and runs of one to three Chinese characters (so both languages live in one space, and mixed
requests such as `at risk的客户` work). Its label is the weighted vote of its nearest examples; when
even the nearest example is far, the model abstains (out of scope).
"""

from __future__ import annotations

import hashlib
import itertools
import json
import math
import pickle
import re
import uuid
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

from offline.extract import normalize
from offline.spelling import Speller

BANK_DIR = Path(__file__).parent / "bank"
NONE = "none"
K = 12  # neighbours that vote
ABSTAIN = 0.15  # below this cosine to the nearest example, nothing in the bank is like the request
CENTROID_WEIGHT = 1.0  # the vote of a label's centroid beside its nearest examples' (their votes sum to 1)
POWER = 3  # a neighbour's vote: its cosine to this power
NONE_WEIGHT = 3.0  # an out-of-scope neighbour's vote counts this much (tuned leave-one-batch-out on the bank)

_WORD = re.compile(r"[a-z][a-z']*|[\u4e00-\u9fff]+|[£$€¥%]")
_DIGITS = re.compile(r"\d[\d,._]*")
_QUOTED = re.compile(r"\"[^\"]*\"|「[^」]*」|《[^》]*》|(?:(?<=^)|(?<=[\s:]))'[^']*'(?=[\s,.?!;:]|$)")
CHAR_WEIGHT = 0.5  # a character n-gram of a word counts this much beside the word itself
PAIR_WEIGHT = 1.0  # a pair of words
CJK_NGRAMS = (1, 2)
CHAR_NGRAMS = (3, 4)
CONCEPT_WEIGHT = 1.0
FOCUS_FLOOR = 0.5  # 1: plain IDF; lower: features spread over many labels count less
# Words that mean the same thing to a marketer: each adds its concept as a feature of its own, so
# "shoppers", "clients" and 顾客 meet "customers" in the bank.
CONCEPTS: dict[str, tuple[str, ...]] = {
    "customer": ("customer", "customers", "client", "clients", "shopper", "shoppers", "buyer", "buyers", "account",
                 "accounts", "purchaser", "purchasers", "consumer", "consumers", "regulars", "members", "cust", "custs",
                 "客户", "顾客", "用户", "会员", "买家", "老客", "客人"),
    "product": ("product", "products", "item", "items", "sku", "skus", "article", "articles", "goods", "产品", "商品",
                "货品", "单品", "宝贝"),
    "campaign": ("campaign", "campaigns", "adset", "活动", "计划", "推广"),
    "copy": ("headline", "headlines", "tagline", "taglines", "slogan", "slogans", "caption", "captions", "banner",
             "banners", "copy", "blurb", "subject", "lines", "文案", "标题", "广告语", "口号", "宣传语", "标语"),
    "lapse": ("lapse", "lapsed", "lapsing", "churn", "churned", "churning", "dormant", "inactive", "quiet", "leaving",
              "lost", "losing", "流失", "沉睡", "召回", "挽回", "回购"),
    "price": ("price", "prices", "pricing", "priced", "charge", "价格", "定价", "售价", "价钱"),
    "revenue": ("revenue", "spend", "spending", "money", "sales", "收入", "营收", "消费", "销售额"),
    "similar": ("similar", "alike", "alternatives", "alternative", "comparable", "相似", "类似", "同类"),
    "season": ("month", "months", "weekday", "weekdays", "season", "seasonal", "seasonality", "月", "季节", "淡季", "旺季"),
    "budget": ("budget", "budgets", "预算"),
    "bid": ("bid", "bids", "cpc", "出价", "竞价"),
    "plan": ("plan", "planning", "push", "promotion", "策划", "方案"),
    "all": ("all", "every", "each", "both", "across", "所有", "全部", "每个", "全账户", "统一", "各个", "都"),
    "pause": ("pause", "paused", "stop", "halt", "kill", "off", "hold", "暂停", "停", "关掉", "关停", "关了"),
    "resume": ("resume", "unpause", "reactivate", "restart", "恢复", "重新", "重启", "打开"),
    "rank": ("rank", "ranked", "ranking", "compare", "comparison", "versus", "vs", "league", "对比", "比较", "排名", "排序",
             "排个", "相比"),
    "sell": ("sell", "sells", "sold", "selling", "seller", "sellers", "popular", "卖", "销量", "畅销", "热销", "爆款", "动销", "卖得"),
    "dsp": ("dsp", "bidder", "programmatic", "rtb", "openrtb", "程序化", "竞价平台", "出价器", "交易平台"),
    "performance": ("roas", "roi", "cpa", "kpi", "kpis", "performance", "performing", "performed", "投产比", "表现"),
}  # fmt: skip
_CONCEPT_OF = {w: c for c, words in CONCEPTS.items() for w in words}
_DATES = re.compile(
    r"(?<![\w.])(?:19|20)\d\d[-/.](?:0?[1-9]|1[0-2])[-/.](?:0?[1-9]|[12]\d|3[01])(?!\d)"
    r"|(?:(?:19|20)\d\d年)?\d{1,2}月\d{1,2}[日号]"
)
# Which country a request names never says which tool answers it: every country reads as one word,
# so "lapsing customers in Norway" meets "... in France", and no country leans to the out-of-scope trivia.
_COUNTRY_NAMES = re.compile(
    r"\b(?:united kingdom|uk|great britain|britain|england|germany|france|eire|ireland|spain|netherlands|holland|belgium"
    r"|switzerland|portugal|australia|norway|italy|japan|sweden|usa|united states|canada|austria|denmark|finland|poland"
    r"|greece|iceland|israel|cyprus|singapore|brazil|malta|lithuania|lebanon|bahrain|czech republic|saudi arabia"
    r"|south africa|channel islands|united arab emirates|british|german|french|irish|spanish|dutch|belgian|swiss"
    r"|portuguese|australian|norwegian|italian|japanese|swedish|american|canadian|austrian|danish|finnish|greek"
    r"|icelandic|israeli|cypriot|brazilian|maltese|lithuanian|lebanese|singaporean|czech|saudi|emirati)\b"
    r"|英国|德国|法国|爱尔兰|西班牙|荷兰|比利时|瑞士|葡萄牙|澳大利亚|挪威|意大利|日本|瑞典|美国|加拿大|奥地利|丹麦|芬兰|波兰|希腊"
    r"|冰岛|以色列|塞浦路斯|新加坡|巴西|马耳他|立陶宛|黎巴嫩|巴林|捷克|沙特|南非|阿联酋|海峡群岛"
)
_STOP = frozenset(
    [
        "a",
        "an",
        "the",
        "of",
        "for",
        "to",
        "is",
        "are",
        "be",
        "me",
        "my",
        "our",
        "we",
        "i",
        "you",
        "it",
        "this",
        "that",
        "please",
        "pls",
        "can",
        "could",
        "would",
        "and",
        "on",
        "in",
        "at",
    ]
)


def _add(out: dict[str, float], key: str, w: float) -> None:
    out[key] = out.get(key, 0.0) + w


def features(text: str) -> dict[str, float]:
    """The request's features (before weighting); quoted text and numbers count only as a marker."""
    text = normalize(text).lower()
    text = _QUOTED.sub(' "q" ', text)
    text = _DATES.sub(" xdate ", text)  # a date is a date, not an amount
    text = _DIGITS.sub(" 0 ", text)
    text = _COUNTRY_NAMES.sub(" xcountry ", text)
    out: dict[str, float] = {}  # counts, and half counts for character n-grams
    words: list[str] = []
    for tok in _WORD.findall(text):
        if "\u4e00" <= tok[0] <= "\u9fff":
            for w, concept in _CONCEPT_OF.items():
                if not w.isascii() and w in tok:
                    _add(out, "k" + concept, CONCEPT_WEIGHT)
            for n in CJK_NGRAMS:
                for i in range(len(tok) - n + 1):
                    _add(out, "z" + tok[i : i + n], 1.0)
            words.append("<zh>")
            continue
        words.append(tok)
        if tok in _CONCEPT_OF:
            _add(out, "k" + _CONCEPT_OF[tok], CONCEPT_WEIGHT)
        if tok not in _STOP:
            _add(out, "w" + tok, 1.0)
            padded = f" {tok} "
            for n in CHAR_NGRAMS:
                for i in range(len(padded) - n + 1):
                    _add(out, "c" + padded[i : i + n], CHAR_WEIGHT)
    for a, b in itertools.pairwise(words):
        if "<zh>" not in (a, b):
            _add(out, f"b{a} {b}", PAIR_WEIGHT)
    if " 0 " in f" {text} ":
        _add(out, "#num", 1.0)
    if '"q"' in text:
        _add(out, "#quote", 1.0)
    return out


@dataclass(frozen=True)
class Example:
    label: str
    text: str
    batch: str


@dataclass(frozen=True)
class Intent:
    label: str  # a tool name, or "none"
    confidence: float  # cosine to the nearest example of that label
    scores: dict[str, float]  # every label that got a vote
    nearest: Example | None

    @property
    def abstained(self) -> bool:
        return self.label == NONE


def load_bank(exclude: frozenset[str] = frozenset(), directory: Path = BANK_DIR) -> list[Example]:
    """Every example of the bank's batches, but those named in `exclude` (file stems)."""
    out: list[Example] = []
    for path in sorted(directory.glob("*.jsonl")):
        if path.stem in exclude:
            continue
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if line.strip():
                row = json.loads(line)
                if not isinstance(row, dict) or not {"tool", "text"} <= set(row):
                    raise ValueError(f"{path.name}:{n}: an example is {{'tool': ..., 'text': ...}}")
                out.append(Example(row["tool"], row["text"], path.stem))
    return out


class Index:
    """The bank as an inverted index of unit-length TF-IDF vectors."""

    def __init__(self, examples: list[Example]) -> None:
        if not examples:
            raise ValueError("the example bank is empty")
        self.examples = examples
        self.labels = np.array([e.label for e in examples])
        feats = [features(e.text) for e in examples]
        df: Counter[str] = Counter()
        for f in feats:
            df.update(f.keys())
        self.speller = Speller(w for e in examples for w in re.findall(r"[A-Za-z][A-Za-z']+", e.text))
        n = len(examples)
        self.terms = {t: j for j, t in enumerate(df)}
        # how much a feature says about the label: 1 when all its examples share one label, near 0
        # when it is spread evenly ("look like"); it scales the feature's IDF (supervised term weighting)
        self.terms = {t: j for j, t in enumerate(df)}
        names = sorted({e.label for e in examples})
        pair_t = np.array([self.terms[t] for f in feats for t in f])
        pair_l = np.repeat(np.searchsorted(names, [e.label for e in examples]), [len(f) for f in feats])
        counts = np.zeros((len(self.terms), len(names)))
        np.add.at(counts, (pair_t, pair_l), 1.0)
        total = counts.sum(axis=1, keepdims=True) + 1.0  # one unseen label's worth of doubt
        p = counts / total
        with np.errstate(divide="ignore", invalid="ignore"):
            h = -np.nansum(np.where(p > 0, p * np.log(p), 0.0), axis=1) - (1 / total[:, 0]) * np.log(1 / total[:, 0])
        focus = np.maximum(1.0 - h / math.log(max(len(names), 2)), 0.0)
        base = np.log((n + 1) / (np.array(list(df.values())) + 1.0)) + 1.0
        self.idf = dict(zip(df, (base * (FOCUS_FLOOR + (1 - FOCUS_FLOOR) * focus)).tolist(), strict=True))
        self.unseen_idf = math.log(n + 1) + 1.0
        term_ids: list[int] = []
        rows: list[int] = []
        weights: list[float] = []
        for i, f in enumerate(feats):
            for t, w in self._weigh(f).items():
                term_ids.append(self.terms[t])
                rows.append(i)
                weights.append(w)
        # postings by term, flat: the rows and weights of term j are [offsets[j], offsets[j + 1])
        order = np.argsort(np.array(term_ids), kind="stable")
        self.rows = np.array(rows)[order]
        self.weights = np.array(weights)[order]
        self.offsets = np.concatenate([[0], np.cumsum(np.bincount(np.array(term_ids), minlength=len(self.terms)))])
        # each label's centroid (unit length): the vote of all its examples, beside the nearest few
        self.label_names = sorted(set(self.labels.tolist()))
        label_ids = np.searchsorted(self.label_names, self.labels)
        self.centroids = np.zeros((len(self.terms), len(self.label_names)))
        np.add.at(self.centroids, (np.array(term_ids), label_ids[np.array(rows)]), np.array(weights))
        self.centroids /= np.maximum(np.linalg.norm(self.centroids, axis=0, keepdims=True), 1e-12)

    def _weigh(self, f: dict[str, float]) -> dict[str, float]:
        vec = {t: (1.0 + math.log(c) if c >= 1 else c) * self.idf.get(t, self.unseen_idf) for t, c in f.items()}
        norm = math.sqrt(sum(w * w for w in vec.values())) or 1.0
        return {t: w / norm for t, w in vec.items()}

    def similarities(self, text: str) -> np.ndarray:
        return self._cosines(text)[0]

    def _cosines(self, text: str) -> tuple[np.ndarray, np.ndarray]:
        """Cosine of the request to every example, and to every label's centroid."""
        found = [
            (self.terms[t], w) for t, w in self._weigh(features(self.speller.fix(text))).items() if t in self.terms
        ]
        if not found:
            return np.zeros(len(self.examples)), np.zeros(len(self.label_names))
        js = np.array([j for j, _ in found])
        ws = np.array([w for _, w in found])
        starts, ends = self.offsets[js], self.offsets[js + 1]
        lengths = ends - starts
        at = np.repeat(starts - np.concatenate([[0], np.cumsum(lengths)[:-1]]), lengths) + np.arange(lengths.sum())
        sims = np.bincount(
            self.rows[at], weights=self.weights[at] * np.repeat(ws, lengths), minlength=len(self.examples)
        )
        return sims, ws @ self.centroids[js]

    def classify(self, text: str, allowed: set[str] | None = None) -> Intent:
        """The label the nearest examples vote for (restricted to `allowed` tools when given)."""
        return self._classify(text, frozenset(allowed) if allowed is not None else None)

    @lru_cache(maxsize=1024)  # noqa: B019 (an index lives as long as the process; its answers are pure)
    def _classify(self, text: str, allowed: frozenset[str] | None) -> Intent:
        sims, cents = self._cosines(text)
        if allowed is not None:
            sims = np.where(np.isin(self.labels, [*allowed, NONE]), sims, -1.0)
        top = np.argsort(-sims)[:K]
        scores: dict[str, float] = {}
        best: dict[str, float] = {}
        for i in top:
            s = float(sims[i])
            if s <= 0:
                continue
            lab = str(self.labels[i])
            scores[lab] = scores.get(lab, 0.0) + s**POWER * (NONE_WEIGHT if lab == NONE else 1.0)
            best[lab] = max(best.get(lab, 0.0), s)
        if not scores or float(sims[top[0]]) < ABSTAIN:
            return Intent(NONE, float(sims[top[0]]) if len(top) else 0.0, scores, None)
        total = sum(scores.values())
        votes = {
            lab: scores.get(lab, 0.0) / total + CENTROID_WEIGHT * max(float(cents[j]), 0.0)
            for j, lab in enumerate(self.label_names)
            if (allowed is None or lab in allowed or lab == NONE) and (lab in scores or cents[j] > 0)
        }
        label = max(votes, key=lambda lab: (votes[lab], best.get(lab, 0.0)))
        nearest = next((self.examples[i] for i in top if self.labels[i] == label), None)
        return Intent(label, best.get(label, 0.0), votes, nearest)


_CACHE: dict[str, Path | None] = {"dir": None}


def set_cache_dir(path: Path | None) -> None:
    """Where the bank's index is kept between processes (building it takes about a second)."""
    _CACHE["dir"] = path


@lru_cache(maxsize=4)
def bank_index(exclude: frozenset[str] = frozenset()) -> Index:
    """The index of the bank (but the batches in `exclude`), read from the cache when the bank and
    the code that builds it are unchanged."""
    folder = _CACHE["dir"]
    if folder is None or exclude:
        return Index(load_bank(exclude))
    digest = hashlib.sha256()
    for path in [*sorted(BANK_DIR.glob("*.jsonl")), *(Path(__file__).parent / f for f in _BUILT_BY)]:
        digest.update(path.read_bytes())
    cached = folder / f"bank-index-{digest.hexdigest()[:16]}.pickle"
    if cached.exists():
        try:
            with cached.open("rb") as src:
                index = pickle.load(src)
            if isinstance(index, Index):
                return index
        except (OSError, pickle.UnpicklingError, EOFError, AttributeError):
            pass  # a stale or partial file: build it again
    index = Index(load_bank())
    folder.mkdir(parents=True, exist_ok=True)
    tmp = cached.with_suffix(f".{uuid.uuid4().hex[:8]}.tmp")
    with tmp.open("wb") as dst:
        pickle.dump(index, dst, protocol=pickle.HIGHEST_PROTOCOL)
    tmp.replace(cached)  # atomic: another process never reads half a file
    return index


_BUILT_BY = ("intent.py", "extract.py", "spelling.py")
