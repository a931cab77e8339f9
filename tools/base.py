"""What every tool shares: its spec, the shop it works on, and the error a marketer can fix."""

from __future__ import annotations

import hashlib
import re
import uuid
from collections.abc import Callable, Container, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field, fields
from datetime import date
from functools import cached_property
from pathlib import Path
from typing import Annotated, Any

import numpy as np
from langchain_core.tools import StructuredTool
from pydantic import BaseModel, BeforeValidator, Field, ValidationInfo, WithJsonSchema
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from store import reference
from store.catalog import catalog_corrupt, check_catalog, reopen_corrupt_catalog
from store.db import Campaign, Channel, Customer, Meta, Order, OrderLine, Product
from vectorstore import open_client
from vectorstore.glossary import glossary


class ToolFailure(Exception):
    """A request the tool cannot carry out (unknown id, value out of range); the message says why
    and goes back to the model as the tool's result, so it can tell the marketer or correct itself."""


# The tools that read a reference data set (store/reference.py SETS), by tool name.
REFERENCE_DATA = {
    "replay_bidding": "ipinyou",
    "email_targeting": "hillstrom",
    "campaign_effect": "paidsearch",
    "channel_attribution": "attribution",
    "media_mix": "mmm",  # when the shop has no media history of its own
}


def reference_dir(data_dir: Path | None, dataset: str) -> Path:
    """The folder holding `dataset` (the shop's own data_dir if it has one, else the first place
    that holds it), or a ToolFailure saying how to get it."""
    base = data_dir if data_dir is not None else reference.data_dir(dataset)
    if base is None or not reference.holds(base, dataset):
        raise ToolFailure(reference.missing_text(dataset))
    return base


@dataclass(frozen=True)
class Sales:
    """Every kept order line as parallel arrays (loaded once per process)."""

    order: np.ndarray
    customer: np.ndarray
    product: np.ndarray
    quantity: np.ndarray
    price: np.ndarray
    day: np.ndarray  # days since 1970-01-01

    @property
    def revenue(self) -> np.ndarray:
        return self.quantity * self.price


CATALOG_INDEX = "catalog-"  # the derived arrays built from the catalog's embeddings start so


@dataclass
class Shop:
    """The shop a tool works on: its database, its catalog collection, its reference data."""

    sessions: sessionmaker
    chroma_path: Path
    data_dir: Path | None = None
    cache_dir: Path | None = None  # where derived arrays are kept between processes
    _cache: dict[str, Any] = field(default_factory=dict)
    check_catalog: bool = True  # check the catalog against the shop when it is first opened
    notice: Callable[[str], None] | None = None  # told what the check repaired, in one line

    @cached_property
    def chroma(self) -> Any:
        """The chromadb client; the first time, the catalog is checked against the shop and
        repaired if they disagree (store/catalog.py)."""
        try:
            client = open_client(self.chroma_path)
            said = check_catalog(self.sessions, client) if self.check_catalog else None
        except Exception as exc:  # chromadb's files are corrupt: the catalog is derived data, so rebuilt
            if not self.check_catalog or not catalog_corrupt(exc):
                raise
            client, said = reopen_corrupt_catalog(self.sessions, self.chroma_path, exc)
        if said is not None:
            self._forget_catalog_index()  # built from the catalog as it was
            if self.notice is not None:
                self.notice(said)
        return client

    def _forget_catalog_index(self) -> None:
        for key in [k for k in self._cache if k.startswith(CATALOG_INDEX)]:
            del self._cache[key]
        if self.cache_dir is not None:
            for path in self.cache_dir.glob(f"{CATALOG_INDEX}*.npz"):
                path.unlink(missing_ok=True)

    @cached_property
    def sales(self) -> Sales:
        """From the database, or from the cache that the first process to read them wrote."""

        def read() -> dict[str, np.ndarray]:
            sales = self._read_sales()
            return {f.name: getattr(sales, f.name) for f in fields(Sales)}

        return Sales(**self.stored("sales", read))

    def stored(self, name: str, build: Callable[[], dict[str, np.ndarray]]) -> dict[str, np.ndarray]:
        """Arrays derived from the shop's data, kept in cache_dir between processes (keyed by the
        loaded data set, so a reload invalidates them) and in memory within one."""
        if name in self._cache:
            return self._cache[name]
        with self.sessions() as s:
            stamp = s.get(Meta, "dataset")
        path = None
        if self.cache_dir is not None and stamp is not None:
            key = hashlib.sha256(stamp.value.encode()).hexdigest()[:16]
            path = self.cache_dir / f"{name}-{key}.npz"
            if path.exists():
                with np.load(path) as z:
                    self._cache[name] = {k: z[k] for k in z.files}
                    return self._cache[name]
        arrays = build()
        if path is not None:
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_suffix(f".{uuid.uuid4().hex[:8]}.tmp.npz")  # writers in parallel never share one
            contents: dict[str, Any] = dict(arrays)
            np.savez(tmp, **contents)
            tmp.replace(path)  # atomic: a reader never sees half a file
        self._cache[name] = arrays
        return arrays

    def _read_sales(self) -> Sales:
        query = select(
            OrderLine.order_id,
            Order.customer_id,
            OrderLine.product_id,
            OrderLine.quantity,
            OrderLine.unit_price,
            func.date(Order.ordered_at),
        ).join(Order, Order.id == OrderLine.order_id)
        with self.sessions() as s:
            rows = s.connection().execute(query).fetchall()  # core rows: no ORM objects
        if not rows:
            raise ToolFailure("the shop has no sales yet; run `copilot init` to load the demo shop")
        o, c, p, q, pr, day = zip(*rows, strict=True)
        days = np.array(day, dtype="datetime64[D]").astype(np.int64)
        return Sales(np.array(o), np.array(c), np.array(p), np.array(q, dtype=float), np.array(pr), days)

    @cached_property
    def today(self) -> date:
        """The shop's own 'today': the last day with sales (the demo data ends in December 2011)."""
        with self.sessions() as s:
            value = s.get(Meta, "today")
        return date.fromisoformat(value.value) if value else date.today()

    def forget(self) -> None:
        """Drop everything derived from the data (after a reload)."""
        self.__dict__.pop("sales", None)
        self.__dict__.pop("today", None)
        self._cache.clear()

    def cached(self, key: str, build: Callable[[], Any]) -> Any:
        if key not in self._cache:
            self._cache[key] = build()
        return self._cache[key]

    def stock_codes(self) -> dict[str, int]:
        """Every stock code of the catalog (upper case) and its product id (read once per process)."""

        def load() -> dict[str, int]:
            with self.sessions() as s:
                return {code.upper(): pid for pid, code in s.execute(select(Product.id, Product.stock_code))}

        codes: dict[str, int] = self.cached("stock_codes", load)
        return codes


_EXPORTING: ContextVar[bool] = ContextVar("exporting", default=False)


@contextmanager
def exporting() -> Iterator[None]:
    """While an answer is being exported, list tools also return every matching row (`all_...`),
    beside the first `limit` the answer shows: an export holds the whole list, not its top."""
    token = _EXPORTING.set(True)
    try:
        yield
    finally:
        _EXPORTING.reset(token)


def is_exporting() -> bool:
    return _EXPORTING.get()


def exported_rows(a: BaseModel) -> int | None:
    """How many rows of a list an export holds (`ranked[:exported_rows(a)]`): as many as the request
    said ("export the top 10": 10), or the whole list (None) when it said none."""
    return int(vars(a)["limit"]) if "limit" in a.model_fields_set else None


_NAME_WORD = re.compile(r"[a-z][a-z'-]+")


_SPELT_AS = {"tealight": "t-light", "tealights": "t-lights", "tlight": "t-light", "tlights": "t-lights"}  # the
# catalog's spelling of words marketers write otherwise ("white hanging heart tealight holder")


def _name_words(text: str) -> list[str]:
    """The words of a text as catalog words are matched: lower case, without apostrophes (CHILDREN'S
    APRON is a childrens apron), in the catalog's spelling (tealight is T-LIGHT)."""
    words = [w.replace("'", "") for w in _NAME_WORD.findall(text.lower().replace("’", "'"))]
    return [_SPELT_AS.get(w, w) for w in words]


NAME_COVERAGE = 0.55  # share of the word weight of a description and the request's catalog words they share
# Words of requests that a few descriptions hold too ("the", "is", "of"): never what names a product.
_NAME_STOP = frozenset(
    [
        "the",
        "a",
        "an",
        "is",
        "are",
        "of",
        "and",
        "or",
        "for",
        "with",
        "to",
        "in",
        "on",
        "at",
        "by",
        "from",
        "what",
        "which",
        "else",
        "like",
        "need",
        "want",
        "our",
        "my",
        "me",
        "we",
        "us",
        "you",
        "it",
        "its",
        "if",
        "so",
        "do",
        "can",
        "will",
        "would",
        "should",
        "about",
        "into",
        "as",
        "this",
        "that",
        "these",
        "those",
        "some",
        "any",
        "how",
        "much",
        "many",
        "more",
        "less",
        "price",
        "sell",
        "sells",
        "sold",
        "best",
        "worst",
        "cheapest",
        "top",
        # the words of a request for copy around a name ("meta ad copy for the regency cakestand for our VIP
        # customers, premium tone"): who and how, not the product's name
        "vip",
        "vips",
        "tone",
        "copy",
        "ad",
        "ads",
        "headline",
        "headlines",
        "caption",
        "captions",
        "angle",
        "audience",
        # verbs and particles of a price change ("take the regency cakestand down to £11.50")
        "down",
        "up",
        "off",
        "take",
        "took",
        "put",
        "drop",
        "raise",
        "cut",
        "lower",
        "bump",
        "bring",
        "move",
        "change",
    ]
)
NAME_MARGIN = 0.05  # and by how much more than the next product


def _names(shop: Shop) -> dict[str, Any]:
    """Each product's description words, and each word's IDF over the catalog."""

    def build() -> dict[str, Any]:
        with shop.sessions() as s:
            rows = list(s.execute(select(Product.id, Product.description)))
        raw = [set(_name_words(d)) for _, d in rows]
        every = set().union(*raw) if raw else set()
        # a plural the catalog also writes in the singular counts as that word (DOORMAT HEARTS: heart)
        words = [{w[:-1] if w.endswith("s") and w[:-1] in every else w for w in ws} for ws in raw]
        df: dict[str, int] = {}
        for ws in words:
            for w in ws:
                df[w] = df.get(w, 0) + 1
        idf = {w: float(np.log((1 + len(rows)) / (1 + n))) + 1.0 for w, n in df.items()}
        return {
            "ids": [pid for pid, _ in rows],
            "words": words,
            "idf": idf,
            "index": {p: i for i, (p, _) in enumerate(rows)},
        }

    result: dict[str, Any] = shop.cached("product_names", build)
    return result


def _as_catalog(word: str, idf: dict[str, float]) -> str:
    """A request's word as the catalog writes it: `chains` is CHAIN, `boxes` BOX (a plural the catalog
    does not hold, in its singular)."""
    if word in idf or not word.endswith("s"):
        return word
    return catalog_singular(word, idf)


def catalog_singular(word: str, known: Container[str]) -> str:
    """A plural's singular the catalog holds (`boxes` box, `COSIES` COSY), else the word."""
    low = word.lower()
    for stem in (
        word[:-1],
        word[:-2] if low.endswith("es") else None,
        word[:-3] + ("Y" if word.isupper() else "y") if low.endswith("ies") else None,
    ):
        if stem and stem in known:
            return stem
    return word


def name_as_id(shop: Shop, text: str) -> str:
    """The request with an English product name written as its id (`put the jumbo bag red retrospot
    at £2.25` -> `put the product 3220 at £2.25`), the way the example bank names products, so the
    name's words do not read as a search; unchanged when no product, or no one run of words, names it."""
    pid = product_named(shop, text)
    if pid is None:
        return text
    cat = _names(shop)
    words = cat["words"][cat["index"][pid]]
    idf = cat["idf"]
    hits = [m for m in _NAME_WORD.finditer(text.lower()) if _as_catalog(m.group(0).replace("'", ""), idf) in words]
    if len(hits) < 2:
        return _chinese_name_as_id(text, pid, words)
    between = [_as_catalog(w, idf) for w in _name_words(text[hits[0].start() : hits[-1].end()])]
    if any(w not in words and w not in _NAME_STOP for w in between):
        return text  # the words are apart: not one name
    if re.search(r"\b(?:a|an|some|any)\s+$", text[: hits[0].start()], re.I):
        return text  # "like a red paper parasol": a kind of thing, not that product
    return text[: hits[0].start()] + f"product {pid}" + text[hits[-1].end() :]


def _chinese_name_as_id(text: str, pid: int, words: set[str]) -> str:
    """`兔子夜灯打八折…` -> `商品 1920打八折…`: the Chinese words that named the product (through the
    glossary), from the first to the last within one sentence, written as its id."""
    from vectorstore.glossary import glossary

    if not re.search(r"[\u4e00-\u9fff]", text):
        return text
    _, found = glossary().to_english(text)
    spans = []
    for zh, en in found:
        if set(_name_words(en)) <= words and zh in text:
            at = text.find(zh)
            spans.append((at, at + len(zh)))
    if not spans:
        return text
    start, end = min(a for a, _ in spans), max(b for _, b in spans)
    if end - start > 16 or re.search(r"[。？！?!.;；,，]", text[start:end]):
        return text  # words apart: not one name
    return text[:start] + f"商品 {pid}" + text[end:]


_WHERE_IT_RUNS = re.compile(r"朋友圈|小红书|抖音|微信|公众号|视频号|淘宝|天猫|京东|拼多多")


def product_named(shop: Shop, text: str) -> int | None:
    """The product a request names by its description (`the regency cakestand`, `兔子夜灯` through
    the glossary), or None when no product is named clearly enough. Each catalog word weighs its
    IDF; a product is named when the request holds at least two of its words and the words both
    hold weigh NAME_COVERAGE of the words either holds (the request's counted only where the
    catalog knows them), ahead of the next product by NAME_MARGIN (ties go to no one)."""
    from vectorstore.glossary import glossary

    cat = _names(shop)
    text = _WHERE_IT_RUNS.sub(" ", text)  # 朋友圈 is where the ad runs, not FRIENDS of a product's name
    english = glossary().readings(text) if re.search(r"[\u4e00-\u9fff]", text) else []
    if len(english) > 1 and len(products_holding(shop, english[0])[1]) >= 2:
        english = english[:1]  # 圣诞花环 is a kind (CHRISTMAS GARLAND), not the one NOEL GARLAND another reading names
    readings = [f"{text} {e}" for e in english] or [text]
    # 波点 is retrospot or polkadot: the reading that names a product best
    text, scored = max(
        ((t, _name_scores(cat, t)) for t in readings), key=lambda r: max((s for s, _ in r[1]), default=0.0)
    )
    if not scored:
        return None
    scored.sort(reverse=True)
    best, pid = scored[0]
    ws, said = cat["words"][cat["index"][pid]], {w for w, _ in _name_run(cat, text)}
    if (ws != ws & said and _kind_of(shop, ws & said)) or (
        best < NAME_COVERAGE or (len(scored) > 1 and best - scored[1][0] < NAME_MARGIN)
    ):  # "蛋糕架", "the jumbo bag": a kind of product several share; which one is asked, unless the
        one = _of_the_kind(shop, text)  # other words pick one: "72个装的红色波点蛋糕纸杯"
        if len(one) == 1:
            return one[0]
        hit = ws & said  # "the keep calm doormat": the one product holding three or more of the words said
        holders = [p for p, w in zip(cat["ids"], cat["words"], strict=True) if hit <= w] if len(hit) >= 3 else []
        return holders[0] if len(holders) == 1 else None
    return pid


def _name_run(cat: dict[str, Any], text: str) -> list[tuple[str, int]]:
    """Each catalog word of the text and its stretch (punctuation ends a stretch)."""
    run: list[tuple[str, int]] = []
    for chunk, part in enumerate(re.split(r"[,.;:!?，。；：！？、()\[\]]", text)):
        run += [(_as_catalog(w, cat["idf"]), chunk) for w in _name_words(part) if w not in _NAME_STOP]
    return run


def _joined(cat: dict[str, Any], run: list[tuple[str, int]]) -> list[tuple[str, int]]:
    """The run with two words the catalog writes as one joined (CAKE STAND as CAKESTAND: REGENCY
    CAKESTAND 3 TIER), or the run itself when there are none."""
    out: list[tuple[str, int]] = []
    i = 0
    while i < len(run):
        if i + 1 < len(run) and run[i][1] == run[i + 1][1] and run[i][0] + run[i + 1][0] in cat["idf"]:
            out.append((run[i][0] + run[i + 1][0], run[i][1]))
            i += 2
        else:
            out.append(run[i])
            i += 1
    return out


def _name_scores(cat: dict[str, Any], text: str) -> list[tuple[float, int]]:
    """Each product the text holds two or more words of, with the share of the words' weight it
    covers (reading two words the catalog also writes as one either way, the better for each product)."""
    run = _name_run(cat, text)
    joined = _joined(cat, run)
    if joined == run:
        return _run_scores(cat, run)
    best: dict[int, float] = {}
    for r in (run, joined):
        for s, pid in _run_scores(cat, r):
            best[pid] = max(s, best.get(pid, 0.0))
    return [(s, pid) for pid, s in best.items()]


def _run_scores(cat: dict[str, Any], run: list[tuple[str, int]]) -> list[tuple[float, int]]:
    said = {w for w, _ in run}
    scored: list[tuple[float, int]] = []
    for pid, ws in zip(cat["ids"], cat["words"], strict=True):
        hit = ws & said
        if len(hit) < 2:
            continue
        # the weight of the words both name, over that of the words either names that the catalog knows
        # (the request's words around the name only: `costs us 90p a unit` later on is not part of it):
        # `white hanging heart` is the white T-light holder, not the hanging heart basket
        at = [i for i, (w, _) in enumerate(run) if w in hit]
        stretches = {run[i][1] for i in at}
        near = {w for w, c in run[max(0, at[0] - 1) : at[-1] + 2] if c in stretches}
        either = sum(cat["idf"][w] for w in ws) + sum(cat["idf"].get(w, 0.0) for w in near - ws)
        scored.append((sum(cat["idf"][w] for w in hit) / either, pid))
    return scored


def units_sold(shop: Shop) -> np.ndarray:
    """Units each product has sold (indexed by product id)."""
    return shop.cached("units_by_product", lambda: np.bincount(shop.sales.product, weights=shop.sales.quantity))


def best_sellers_first(shop: Shop, ids: list[int]) -> list[int]:
    """Product ids, the most units sold first."""
    units = units_sold(shop)
    return sorted(ids, key=lambda p: -(float(units[p]) if p < len(units) else 0.0))


def products_holding(shop: Shop, text: str) -> tuple[list[str], list[int]]:
    """The catalog words of `text` (a plural as the catalog's singular) and the products whose
    description holds every one of them, best sellers first (none when a word is not the catalog's)."""
    cat = _names(shop)
    words = list(dict.fromkeys(_as_catalog(w, cat["idf"]) for w in _name_words(text) if w not in _NAME_STOP))
    if not words or any(w not in cat["idf"] for w in words):
        return words, []
    held = [p for p, ws in zip(cat["ids"], cat["words"], strict=True) if set(words) <= ws]
    single = list(dict.fromkeys(catalog_singular(w, cat["idf"]) if w.endswith("s") else w for w in words))
    if not held and single != words:  # "lunch boxes": the catalog holds BOXES elsewhere, LUNCH BOX here
        held = [p for p, ws in zip(cat["ids"], cat["words"], strict=True) if set(single) <= ws]
        words = single if held else words
    joined = "".join(words[-2:])  # CAKE STAND written as one word too: REGENCY CAKESTAND 3 TIER
    if len(words) >= 2 and joined in cat["idf"]:
        rest = set(words[:-2]) | {joined}
        held += [p for p, ws in zip(cat["ids"], cat["words"], strict=True) if rest <= ws and p not in held]
    return words, best_sellers_first(shop, held)


def _narrowed(shop: Shop, ids: list[int], words: set[str]) -> list[int]:
    """Of the products `ids` (best sellers first), those whose descriptions hold the most of the
    catalog words `words` besides the kind's (all of them when none holds any)."""
    cat = _names(shop)
    more = {_as_catalog(w, cat["idf"]) for w in words} & set(cat["idf"])
    held = {p: len(more & cat["words"][cat["index"][p]]) for p in ids}
    best = max(held.values(), default=0)
    return [p for p in ids if held[p] == best] if best else ids


def _kind_of(shop: Shop, said: set[str]) -> list[int]:
    """The products of the kind the words name, best sellers first, when the words name only a kind
    of product (a noun phrase of the glossary: cake stand, jumbo bag) that several products share
    (written apart or joined: CAKE STAND, CAKESTAND); [] when the words say more than a kind."""
    from vectorstore.glossary import glossary

    phrase = next(
        (e.english for e in glossary().entries.values() if e.kind == "n" and {w.lower() for w in e.english} == said),
        None,
    )
    cat = _names(shop)
    said = {_as_catalog(w, cat["idf"]) for w in said}
    if phrase is None or len(phrase) < 2:
        return []
    joined = "".join(phrase).lower()
    same = [p for p, ws in zip(cat["ids"], cat["words"], strict=True) if said <= ws or joined in ws]
    if len(same) < 2:
        return []
    return best_sellers_first(shop, same)


def product_choices(shop: Shop, text: str, k: int = 3) -> tuple[int, list[tuple[int, str]]]:
    """When a request names a kind of product several share ("蛋糕架", "the jumbo bag"): how many
    there are, and the best-selling k as (id, description), to ask which one is meant."""
    ids = _of_the_kind(shop, text)
    if not ids:
        return 0, []
    with shop.sessions() as s:
        rows = s.execute(select(Product.id, Product.description).where(Product.id.in_(ids[:k])))
        names = {int(i): str(d) for i, d in rows}
    return len(ids), [(p, names[p]) for p in ids[:k]]


LEAD_TIMES = 5.0  # a kind's best seller stands for the kind when it sells this many times the next one


def product_lead(shop: Shop, text: str) -> tuple[int, str, int, float] | None:
    """When a request names a kind several products share and one of them sells LEAD_TIMES as many
    units as any other ("三层蛋糕架": the regency cakestand): (its id, description, how many share the
    kind, how many times the next one it sells); None otherwise."""
    ids = _of_the_kind(shop, text)
    if len(ids) < 2:
        return None
    units = units_sold(shop)
    sold = [float(units[p]) if p < len(units) else 0.0 for p in ids[:2]]
    if sold[0] < LEAD_TIMES * max(sold[1], 1.0):
        return None
    with shop.sessions() as s:
        name = s.execute(select(Product.description).where(Product.id == ids[0])).scalar_one()
    return ids[0], str(name), len(ids), round(sold[0] / max(sold[1], 1.0), 1)


def _of_the_kind(shop: Shop, text: str) -> list[int]:
    """The products of the longest kind a request names (cake stand, jumbo bag), best sellers first,
    narrowed to those its other words fit best ("三层蛋糕架": the 3-tier ones); [] when it names none."""
    from vectorstore.glossary import glossary

    if re.search(r"[\u4e00-\u9fff]", text):
        text = text + " " + glossary().to_english(text)[0]
    said = set(_name_words(text)) - _NAME_STOP
    for size in (3, 2):
        for e in glossary().entries.values():
            words = {w.lower() for w in e.english}
            if e.kind == "n" and len(words) == size and words <= said:
                ids = _narrowed(shop, _kind_of(shop, words), said - words)
                if ids:
                    return _at_price(shop, ids, text)
    return []


def _at_price(shop: Shop, ids: list[int], text: str) -> list[int]:
    """Of the products `ids` (best sellers first), those whose list price the request states
    ("三层蛋糕架现在卖12.75"); of those, the best seller alone when it sells nine in ten of their units
    (all of `ids` when no price stated fits one)."""
    stated = {round(float(x), 2) for x in re.findall(r"(?<![\d.])(\d{1,4}\.\d{2})(?!\d)", text)}
    if not stated or len(ids) < 2:
        return ids
    with shop.sessions() as s:
        prices = {int(p): float(v) for p, v in s.execute(select(Product.id, Product.price).where(Product.id.in_(ids)))}
    same = [p for p in ids if round(prices.get(p, -1.0), 2) in stated]
    if not same:
        return ids
    units = units_sold(shop)
    sold = [float(units[p]) if p < len(units) else 0.0 for p in same]
    return same[:1] if sold[0] >= 0.9 * sum(sold) else same


_CAMPAIGN_STOP = frozenset({"campaign", "campaigns", "the", "and", "for", "our", "ads", "customers"})


# Words campaigns are named with, in Chinese (the catalog's own words come from the glossary)
_CAMPAIGN_ZH = {
    "召回": "win-back", "挽回": "win-back", "唤回": "win-back", "赢回": "win-back", "流失": "lapsed",
    "再营销": "retargeting", "重定向": "retargeting", "品牌": "brand", "拉新": "prospecting", "促销": "sale",
    "大促": "sale", "黑五": "black", "夏季": "summer", "夏天": "summer", "秋季": "autumn", "冬季": "winter",
    "新年": "new-year", "情人节": "valentine", "礼物": "gift", "礼品": "gift",
}  # fmt: skip


def _singular(word: str) -> str:
    return word[:-1] if len(word) > 3 and word.endswith("s") and not word.endswith("ss") else word


def _campaign_words(text: str) -> set[str]:
    """The words a request may name a campaign by: its English words (singular; `winback` and
    `win back` as `win-back`), and its Chinese put into the same words."""
    low = re.sub(r"\bwin[ -]?back\b", "win-back", text.lower())
    low = re.sub(r"\bx-?mas\b", "christmas", low)  # "the xmas campaign"
    said = {_singular(w) for w in _NAME_WORD.findall(low)}
    if re.search(r"[\u4e00-\u9fff]", text):
        said |= {_singular(w) for w in _NAME_WORD.findall(glossary().to_english(text)[0].lower())}
        said |= {v for k, v in _CAMPAIGN_ZH.items() if k in text}
    return said


def campaign_list(shop: Shop) -> list[tuple[int, str]]:
    """Every campaign of the shop: its id and its name."""
    with shop.sessions() as s:
        return [(int(i), str(n)) for i, n in s.execute(select(Campaign.id, Campaign.name).order_by(Campaign.id))]


def campaign_named(shop: Shop, text: str, channels: list[str]) -> int | None:
    """The one campaign a request names without its id: by words of its name (`the win-back
    campaign`, `Christmas`) or as the only campaign of the channel named (`the social campaign`,
    `社交那条计划`); None when no campaign, or more than one, fits."""
    with shop.sessions() as s:
        rows = list(s.execute(select(Campaign.id, Campaign.name, Channel.name).join(Channel)))
    said = _campaign_words(text)
    by_name = set()
    for cid, name, channel in rows:
        words = {_singular(w) for w in _NAME_WORD.findall(name.lower())} - _CAMPAIGN_STOP - set(channel.split("_"))
        if words & said:
            by_name.add(cid)
    if len(by_name) == 1:
        return by_name.pop()
    if by_name:
        return None
    on_channel = [cid for cid, _name, channel in rows if channel in channels]
    return on_channel[0] if len(channels) == 1 and len(on_channel) == 1 else None


def get_product(session: Session, product_id: int) -> Product:
    """The product with this id, or else with this number as its stock code (22633)."""
    product = session.get(Product, product_id)
    if product is None:
        product = session.scalars(select(Product).where(Product.stock_code == str(product_id)).limit(1)).first()
    if product is None:
        top = session.scalar(select(Product.id).order_by(Product.id.desc()).limit(1)) or 0
        raise ToolFailure(f"there is no product {product_id}; product ids run from 1 to {top}")
    return product


_STOCK_CODE = re.compile(r"\d{5}[A-Za-z]{0,2}")


def _product_ref(value: Any, info: ValidationInfo) -> Any:
    """A stock code given where a product id is expected ("85123A") becomes that product's id,
    through the shop in the validation context; a digit string stays a number."""
    if not isinstance(value, str) or value.strip().isdigit():
        return value
    code = value.strip().upper()
    shop = (info.context or {}).get("shop")
    if _STOCK_CODE.fullmatch(code):
        codes = shop.stock_codes() if isinstance(shop, Shop) else {}
        if code in codes:
            return codes[code]
        if isinstance(shop, Shop):
            near = sorted(c for c in codes if c[:5] == code[:5])[:3]  # 85123B: 85123A is the one we sell
            also = f" (the catalog has {', '.join(f'{c} (product {codes[c]})' for c in near)})" if near else ""
            raise ValueError(f"there is no product with stock code {code}{also}")
        raise ValueError(f"{code} looks like a stock code, but there is no shop here to look it up in; give the id")
    raise ValueError(f"{value!r} is not a product id (e.g. 12) or a stock code (e.g. 85123A)")


# A product id, or its stock code (resolved through the shop; see _product_ref).
ProductId = Annotated[
    int,
    BeforeValidator(_product_ref),
    WithJsonSchema(
        {
            "anyOf": [
                {"type": "integer", "minimum": 1, "maximum": 10**7},
                {"type": "string", "pattern": "^[0-9]{5}[A-Za-z]{0,2}$"},
            ],
            "description": "the product's id (e.g. 12) or its stock code (e.g. 85123A)",
        }
    ),
    Field(ge=1, le=10**7),
]


def get_customer(session: Session, customer_id: int) -> Customer:
    customer = session.get(Customer, customer_id)
    if customer is None:
        ids = list(session.scalars(select(Customer.id).order_by(Customer.id).limit(2)))
        raise ToolFailure(
            f"there is no customer {customer_id}; customer ids are numbers such as {' or '.join(map(str, ids))}"
        )
    return customer


def get_campaign(session: Session, campaign_id: int) -> Campaign:
    campaign = session.get(Campaign, campaign_id)
    if campaign is None:
        ids = ", ".join(str(i) for i in session.scalars(select(Campaign.id).order_by(Campaign.id)))
        raise ToolFailure(f"there is no campaign {campaign_id}; the campaigns are {ids}")
    return campaign


ToolFn = Callable[[Shop, Session, Any], dict[str, Any]]
ResolveFn = Callable[[Shop, Session, Any], Any]

LARGE_CHANGE_PCT = 50.0  # a change bigger than this, either way, carries a warning before approval


def pennies(v: float | None) -> float | None:
    """A money argument rounded to pennies, refused when that leaves nothing (0.004 is not a price)."""
    if v is None:
        return None
    r = round(v, 2)
    if r <= 0:
        raise ValueError(f"{v:g} rounds to {r:.2f}; give at least 0.01")
    return r


def exactly_one_value(args: BaseModel, value_field: str) -> None:
    """A write names its new value once: absolute, or as a change in percent or by an amount."""
    given = [f for f in (value_field, "change_pct", "change_by") if getattr(args, f) is not None]
    if len(given) != 1:
        raise ValueError(f"give exactly one of {value_field}, change_pct or change_by")


def new_value(current: float, args: BaseModel, value_field: str, *, maximum: float, what: str) -> float:
    """The value a write sets: the absolute one, or the current one changed; checked after rounding."""
    value = getattr(args, value_field)
    if value is None:
        pct, by = getattr(args, "change_pct", None), getattr(args, "change_by", None)
        value = current * (1 + pct / 100) if pct is not None else current + (by or 0.0)
    value = round(value, 2)
    if value <= 0:
        raise ToolFailure(f"that would make the {what} £{value:.2f}; it must be greater than 0")
    if value > maximum:
        raise ToolFailure(f"that would make the {what} £{value:,.2f}; it must be at most £{maximum:,.2f}")
    return value


def change_summary(current: float, new: float, args: BaseModel) -> dict[str, Any]:
    """What a preview says of any change: how big it is, how it was asked for, and a warning when large."""
    out: dict[str, Any] = {"change_pct": round(100 * (new / current - 1), 1) if current else None, "warnings": []}
    requested = {k: getattr(args, k) for k in ("change_pct", "change_by") if getattr(args, k, None) is not None}
    if requested:
        out["requested"] = requested
    if out["change_pct"] is not None and abs(out["change_pct"]) > LARGE_CHANGE_PCT:
        out["warnings"].append({"kind": "large_change", "pct": out["change_pct"]})
    if round(new, 2) == round(current, 2):  # said, so an approval that changes nothing is not given unseen
        out["warnings"].append({"kind": "no_change", "value": new})
    return out


@dataclass(frozen=True)
class ToolSpec:
    """A tool: its name, what it does, its argument schema, which agent owns it, and whether it
    changes money or what customers see (a write, which needs the marketer's approval)."""

    name: str
    description: str
    args: type[BaseModel]
    fn: ToolFn
    agent: str
    write: bool = False
    preview: ToolFn | None = None  # for writes: {"change": ..., "from": ..., "to": ...}
    resolve: ResolveFn | None = None  # for writes: the arguments with a relative change made absolute

    def as_langchain(self) -> StructuredTool:
        """The schema a chat model sees; execution goes through graphs/ (logged, transactional)."""

        def _not_direct(**_: Any) -> str:
            raise RuntimeError("tools run through the copilot graph, not directly")

        return StructuredTool.from_function(
            func=_not_direct, name=self.name, description=self.description, args_schema=self.args
        )
