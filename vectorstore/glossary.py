"""The catalog's vocabulary in English and Chinese (glossary_zh.tsv, written by hand), used two ways:

- a Chinese search is put into the catalog's English words before it is embedded
  (`to_english("和圣诞彩灯类似的产品")` -> "CHRISTMAS LIGHTS"), longest Chinese term first;
- a product's Chinese name is built from its English description word by word, in Chinese order
  (`chinese_name("WHITE HANGING HEART T-LIGHT HOLDER")` -> "白色心形悬挂式茶蜡烛台"): modifiers
  before the head noun, form words (悬挂式) right before it, "SET OF 3" as 3件套, "X WITH Y" as
  带Y的X; a word the glossary lacks stays in English.

catalog_words.txt lists every word of the demo catalog's descriptions as shipped (made by
`python -m vectorstore.glossary --vocabulary`); with the glossary it is the vocabulary that copy
may take from a product description (tools/copywriter.py).
"""

from __future__ import annotations

import re
import sys
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Literal

Kind = Literal["n", "m", "v", "x", "name", "num", "word"]

GLOSSARY_FILE = Path(__file__).with_name("glossary_zh.tsv")
VOCABULARY_FILE = Path(__file__).with_name("catalog_words.txt")
MAX_PHRASE = 4  # words in the longest English entry

_TOKEN = re.compile(r"[A-Z0-9]+(?:['\-.][A-Z0-9]+)*")
_PASS = re.compile(r"\d+(?:\.\d+)?[A-Z]{0,3}|[A-Z]|\d+X\d+(?:X\d+)?[A-Z]{0,2}")  # 3, 20CM, 3.5G, a letter, 34X20CM
_CJK = re.compile(r"[\u4e00-\u9fff]")
_CONTAINERS = frozenset(
    ["BOX", "GIFT BOX", "BAG", "TIN", "TUBE", "JAR", "BOWL", "BASKET", "BUCKET", "CRATE", "ENVELOPE", "CASE", "POT"]
)
_QUANTITY = {"SET": "{n}件套", "S": "{n}件套", "PACK": "{n}个装", "BOX": "{n}个装", "PC": "{n}件"}


@dataclass(frozen=True)
class Entry:
    english: tuple[str, ...]
    chinese: str
    kind: Kind
    aliases: tuple[str, ...]


@dataclass(frozen=True)
class Segment:
    """Catalog words that one glossary entry covers, or one token it lacks (kind num or word)."""

    words: tuple[str, ...]
    chinese: str | None
    kind: Kind

    @property
    def english(self) -> str:
        return " ".join(self.words)


@dataclass(frozen=True)
class Name:
    """A product's name in three lengths: all of it, the head noun with its nearest modifier, the
    head noun alone (the whole name when it has no head noun)."""

    full: str
    short: str
    head: str


def tokens(description: str) -> list[str]:
    """The catalog words of a description: upper case, `/` splits, `&` and `+` read as AND."""
    text = description.upper().replace("&", " AND ").replace("+", " AND ").replace("/", " ")
    return _TOKEN.findall(text)


def passes_through(token: str) -> bool:
    """A number, a size or a single letter: the same in both languages."""
    return bool(_PASS.fullmatch(token))


def title(words: Iterable[str]) -> str:
    """Catalog words as a marketer writes them: `T-LIGHT HOLDER` -> `T-Light Holder`, 20CM -> 20cm."""

    def one(w: str) -> str:
        if passes_through(w):
            return w.lower() if len(w) > 1 else w
        return "-".join(p[:1] + p[1:].lower() for p in w.split("-"))

    return " ".join(one(w) for w in words)


class Glossary:
    def __init__(self, entries: list[Entry]) -> None:
        self.entries = {e.english: e for e in entries}
        self.words = frozenset(w for e in entries for w in e.english)
        self._zh: dict[str, Entry] = {}
        self._all_zh: dict[str, list[Entry]] = {}  # every entry a Chinese word may mean (波点: RETROSPOT, POLKADOT)
        # what a search for a Chinese word means: the first entry listing it as an alias (字母: ALPHABET,
        # which says so, before LETTER, whose name is 字母 too), else the first entry named so
        for aliases in (True, False):
            for e in entries:
                if e.kind == "x":
                    continue
                terms = list(e.aliases) if aliases else ([e.chinese] if len(e.chinese) >= 2 else [])
                for term in terms:
                    self._zh.setdefault(term, e)
                    if e not in self._all_zh.setdefault(term, []):
                        self._all_zh[term].append(e)
        self._max_zh = max((len(t) for t in self._zh), default=1)

    # -- Chinese -> English ----------------------------------------------------------------------

    def to_english(self, text: str) -> tuple[str, list[tuple[str, str]]]:
        """The text with its Chinese put into catalog words (longest Chinese term first; Chinese
        the glossary does not know is dropped, other text kept), and the (Chinese, English) pairs."""
        out: list[str] = []
        found: list[tuple[str, str]] = []
        i = 0
        while i < len(text):
            if not _CJK.match(text[i]):
                j = i
                while j < len(text) and not _CJK.match(text[j]):
                    j += 1
                out.append(text[i:j])
                i = j
                continue
            for size in range(min(self._max_zh, len(text) - i), 0, -1):
                entry = self._zh.get(text[i : i + size])
                if entry is not None:
                    english = " ".join(entry.english)
                    out.append(f" {english} ")
                    found.append((text[i : i + size], english))
                    i += size
                    break
            else:
                out.append(" ")
                i += 1
        return re.sub(r"\s+", " ", "".join(out)).strip(), found

    def readings(self, text: str) -> list[str]:
        """The text put into catalog words (`to_english`), then each other reading a Chinese term
        in it has, one term at a time (粉色波点雨伞: PINK RETROSPOT UMBRELLA, then PINK POLKADOT UMBRELLA)."""
        english, found = self.to_english(text)
        out = [english]
        for zh, en in found:
            for e in self._all_zh.get(zh, []):
                other = " ".join(e.english)
                if other != en and len(other.split()) == len(en.split()) == 1:  # one word for another
                    out.append(re.sub(rf"\b{re.escape(en)}\b", other, english, count=1))
        return list(dict.fromkeys(out))

    # -- English -> Chinese ----------------------------------------------------------------------

    def segments(self, description: str) -> list[Segment]:
        """The description's tokens grouped by the longest glossary entry starting at each."""
        toks = tokens(description)
        out: list[Segment] = []
        i = 0
        while i < len(toks):
            for size in range(min(MAX_PHRASE, len(toks) - i), 0, -1):
                entry = self.entries.get(tuple(toks[i : i + size]))
                if entry is not None:
                    out.append(Segment(entry.english, entry.chinese, entry.kind))
                    i += size
                    break
            else:
                kind: Kind = "num" if passes_through(toks[i]) else "word"
                out.append(Segment((toks[i],), None, kind))
                i += 1
        return out

    def chinese_name(self, description: str) -> str:
        return self.names(description)[1].full

    def names(self, description: str) -> tuple[Name, Name]:
        """The product's name in English and in Chinese, each in three lengths."""
        segs, suffix = _quantities(self.segments(description))
        english_head = _head_span(segs)
        en = _english_name(segs, english_head)
        zh_full = _join(_chinese_clause(segs)) + "".join(suffix)
        if english_head is None:  # no product noun: the last two words name it in short
            tail = [x for x in segs if x.kind not in ("x", "num")][-2:]
            zh_tail = _join(tail) if len(tail) == 2 else zh_full
            zh = Name(zh_full, zh_tail, zh_tail)
        else:
            a, b = english_head
            zh = Name(zh_full, _join([*_near(segs, a), *segs[a:b]]), _join(segs[a:b]))
        return en, zh

    # -- coverage --------------------------------------------------------------------------------

    def coverage(self, descriptions: Iterable[str]) -> dict[str, object]:
        """Of all description tokens: the share the glossary covers, the share it covers or that needs
        no translation (numbers, sizes, single letters), and the commonest tokens it lacks."""
        total = covered = passing = 0
        missing: Counter[str] = Counter()
        for d in descriptions:
            for seg in self.segments(d):
                n = len(seg.words)
                total += n
                if seg.chinese is not None:
                    covered += n
                elif seg.kind == "num":
                    passing += n
                else:
                    missing[seg.words[0]] += 1
        return {
            "tokens": total,
            "glossary": round(covered / max(total, 1), 4),
            "glossary_or_number": round((covered + passing) / max(total, 1), 4),
            "entries": len(self.entries),
            "missing": missing.most_common(20),
        }


def _quantities(segs: list[Segment]) -> tuple[list[Segment], list[str]]:
    """`SET OF 3`, `SET/3`, `PACK OF 12`, `BOX OF 6`, `12 PC` taken out of the name, as suffixes."""
    out: list[Segment] = []
    suffix: list[str] = []
    i = 0
    while i < len(segs):
        s = segs[i]
        fmt = _QUANTITY.get(s.english)
        if fmt is not None and s.english != "PC" and i + 1 < len(segs):
            j = i + 1 + (segs[i + 1].english == "OF")
            if j < len(segs) and segs[j].kind == "num" and segs[j].english.isdigit():
                suffix.append(fmt.format(n=segs[j].english))
                i = j + 1
                continue
        if s.english == "PC" and out and out[-1].kind == "num" and out[-1].english.isdigit():
            suffix.append(fmt.format(n=out.pop().english))  # type: ignore[union-attr]
            i += 1
            continue
        out.append(s)
        i += 1
    return out, suffix


def _head_span(segs: list[Segment]) -> tuple[int, int] | None:
    """Where the head noun is: the last product noun before any WITH / IN (and the nouns just
    before it that are part of it: `CAKE STAND`), or None."""
    stop = next((i for i, s in enumerate(segs) if s.english in ("WITH", "W", "IN")), len(segs))
    nouns = [i for i, s in enumerate(segs[:stop]) if s.kind == "n"]
    if not nouns:
        return None
    return nouns[-1], nouns[-1] + 1


def _english_name(segs: list[Segment], head: tuple[int, int] | None) -> Name:
    words = [w for s in segs for w in s.words]
    full = title(words)
    if head is None:
        tail = [s for s in segs if s.kind not in ("x", "num")][-2:]
        short = title([w for s in tail for w in s.words]) if len(tail) == 2 else full
        return Name(full, short, short)
    a, b = head
    return Name(full, title([w for s in [*_near(segs, a), *segs[a:b]] for w in s.words]), title(segs[a].words))


def _near(segs: list[Segment], head: int) -> list[Segment]:
    """The word right before the head noun when it describes it (`SOAP` of `SOAP HOLDER`)."""
    return [segs[head - 1]] if head > 0 and segs[head - 1].kind in ("m", "n", "name", "word", "v") else []


def _chinese_clause(segs: list[Segment]) -> list[Segment]:
    """Segments in Chinese order: `X WITH Y` -> 带 Y 的 X, `X IN <container>` -> <container>装X, and
    within a clause the modifiers before the head noun, form words right before it."""
    for i, s in enumerate(segs):
        if s.english in ("WITH", "W") and 0 < i < len(segs) - 1:
            left, right = segs[:i], segs[i + 1 :]
            if any(x.kind == "n" for x in left):
                return [*_mark("带"), *_chinese_clause(right), *_mark("的"), *_chinese_clause(left)]
            return _chinese_clause(left + right)
        if s.english == "IN" and 0 < i < len(segs) - 1:
            left, right = segs[:i], segs[i + 1 :]
            nouns = [x for x in right if x.kind == "n"]
            if any(x.kind == "n" for x in left) and nouns and nouns[-1].english in _CONTAINERS:
                return [*_chinese_clause(right), *_mark("装"), *_chinese_clause(left)]
            return _chinese_clause(left + right)
    kept = [s for s in segs if s.kind != "x" or s.english in ("AND", "OR")]
    while kept and kept[-1].kind == "x":
        kept.pop()
    while kept and kept[0].kind == "x":
        kept.pop(0)
    heads = [i for i, x in enumerate(kept) if x.kind == "n"]
    if not heads:
        return kept
    h = heads[-1]
    before, after = kept[:h], kept[h + 1 :]
    forms = [s for s in before + after if s.kind == "v"]
    mods = [s for s in before if s.kind != "v"] + [s for s in after if s.kind not in ("v", "num")]
    sizes = [s for s in after if s.kind == "num"]
    return [*mods, *forms, kept[h], *sizes]


def _mark(text: str) -> list[Segment]:
    return [Segment((), text, "x")]


def _join(segs: list[Segment]) -> str:
    """Chinese pieces run together; English words and numbers keep a space from their neighbours
    (a number right before a Chinese word counts it: 75个)."""
    out = ""
    prev_ascii = False
    for i, s in enumerate(segs):
        if s.chinese is not None and (s.chinese or not s.words):
            piece, is_ascii = s.chinese, s.chinese.isascii()
        else:
            piece, is_ascii = title(s.words), True
            if s.kind == "num" and i + 1 < len(segs) and segs[i + 1].chinese and not segs[i + 1].chinese.isascii():  # type: ignore[union-attr]
                piece, is_ascii = piece + "个", False
        if not piece:
            continue
        if out and (is_ascii or prev_ascii):
            out += " "
        out += piece
        prev_ascii = is_ascii
    return out.strip()


def read_glossary(path: Path = GLOSSARY_FILE) -> list[Entry]:
    """The entries of a glossary file; a malformed line is named with its number."""
    entries: list[Entry] = []
    for no, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        cols = line.split("\t")
        if len(cols) != 4 or cols[2] not in ("n", "m", "v", "x", "name"):
            raise ValueError(f"{path.name} line {no}: expected english, chinese, kind (n/m/v/x/name), aliases")
        aliases = tuple(a.strip() for a in cols[3].split(",") if a.strip())
        entries.append(Entry(tuple(cols[0].split()), cols[1], cols[2], aliases))  # type: ignore[arg-type]
    return entries


@lru_cache(maxsize=1)
def glossary() -> Glossary:
    return Glossary(read_glossary())


@lru_cache(maxsize=1)
def catalog_words() -> frozenset[str]:
    """The words copy may take from a description: the glossary's and the shipped catalog's."""
    listed = [w.strip() for w in VOCABULARY_FILE.read_text(encoding="utf-8").splitlines()]
    return glossary().words | frozenset(w for w in listed if w and not w.startswith("#"))


def write_vocabulary(descriptions: Iterable[str], path: Path = VOCABULARY_FILE) -> int:
    words = sorted({t for d in descriptions for t in tokens(d) if not passes_through(t)})
    header = "# Every word of the demo catalog's descriptions (python -m vectorstore.glossary --vocabulary)\n"
    path.write_text(header + "\n".join(words) + "\n", encoding="utf-8")
    return len(words)


if __name__ == "__main__":
    from store.shop import catalog_descriptions  # the data set as the demo shop's loader reads it

    shipped = list(catalog_descriptions().values())
    if "--vocabulary" in sys.argv:
        print(f"{write_vocabulary(shipped)} words written to {VOCABULARY_FILE.name}")
    else:
        print(glossary().coverage(shipped))
