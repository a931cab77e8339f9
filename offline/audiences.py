"""Which audiences of the DMP a request names: the shop's saved ones, found by their names however
they are spaced or cased ("winback pool" for winback_pool), and a new one's name where a request
gives it ("save them as UK champions", 存成人群“高价值老客”)."""

from __future__ import annotations

import re
from typing import Any

_NEW_NAME = re.compile(
    r"\b(?:called|named|name (?:it|them|this)|call (?:it|them|this)|save (?:it |them |this )?as|saved as|labell?ed"
    r"|as an? (?:audience|segment|list) (?:called|named)?)\s*(?:an? (?:audience|segment|list)\s*[:：]?\s*(?:called|named)?\s*)?[\"'“‘「]?(?P<en>[^\"'”’」,.;!?()]{1,48}?)[\"'”’」]?"
    r"(?=\s*(?:$|[,.;!?()]|\s(?:with|for|and|from|of|that|who|which|using|based|please|pls|thanks|so|to|because|as|then"
    r"|in|on|we|i|before|after|now)\b))"
    r"|(?:叫做?|命名为|名为|名字叫|取名(?:为|叫)?|存成|存为|保存为|保存成|建成|做成)\s*(?:一个|个|一份)?(?:人群包?|人群|受众|列表)?\s*[“\"'「]?"
    r"(?P<zh>[^，。,；;！!？?“”\"'「」()（）]{1,24}?)[”\"'」]?(?=$|[，。,；;！!？?()（）]|的人群|人群包|吧|哈)",
    re.I,
)
_QUOTED = re.compile(r"[\"“「‘'](?P<q>[^\"”」’']{1,48})[\"”」’']")
AUDIENCE_NAME_FIELDS = ("name", "seed", "first", "second")


def _key(name: str) -> str:
    return re.sub(r"[\s_\-]+", " ", name.strip().lower())


def _pattern(name: str) -> re.Pattern[str]:
    words = [re.escape(w) for w in re.split(r"[\s_\-]+", name.strip()) if w]
    body = r"[\s_\-]*".join(words)
    return re.compile(rf"(?<![A-Za-z0-9]){body}(?![A-Za-z0-9])", re.I)


def named(text: str, known: list[str]) -> list[str]:
    """The saved audiences the text names, in the order it names them (a longer name first where
    one name holds another: "uk champions 2" over "uk champions")."""
    return [n for _, _, n in _spans(text, known)]


def masked(text: str, known: list[str]) -> str:
    """The text with each saved audience it names written as "audience" (人群包 in Chinese), so that
    the words of a name ("Lapsed Germans", 德国召回) do not read as what the request asks."""
    out = text
    for a, b, _ in reversed(_spans(text, known)):
        word = "人群包" if re.search(r"[\u4e00-\u9fff]", text) else "audience"
        out = out[:a] + word + out[b:]
    return out


def _spans(text: str, known: list[str]) -> list[tuple[int, int, str]]:
    hits: list[tuple[int, int, str]] = []
    quoted = [(q.start("q"), q.end("q"), _key(q.group("q"))) for q in _QUOTED.finditer(text)]
    for name in sorted(known, key=len, reverse=True):
        for m in _pattern(name).finditer(text):
            inside = next((k for a, b, k in quoted if a <= m.start() and m.end() <= b), None)
            if inside is not None and inside != _key(name):
                continue  # “值得发-相似” is another name than 值得发
            if not any(a < m.end() and m.start() < b for a, b, _ in hits):
                hits.append((m.start(), m.end(), name))
                break
    return sorted(hits)


_NOT_A_NAME = ("an audience", "audience", "a list", "a segment")


def new_name(text: str, known: list[str]) -> str | None:
    """The name a request gives an audience it creates: after "called", "save as", 叫, 存成, or quoted."""
    for m in _NEW_NAME.finditer(text):  # "存成一个受众，叫uk_loyal": the name, not the kind of thing
        name = (m.group("en") or m.group("zh") or "").strip(" -_")
        if (
            name
            and name.lower() not in _NOT_A_NAME
            and not re.fullmatch(
                r"(?:一个|个|一份)?(?:人群包?|受众|列表)|[\u4e00-\u9fff]", name
            )  # "存成人群包": no name
        ):
            return name
    quoted = [q.group("q").strip() for q in _QUOTED.finditer(text)]
    fresh = [q for q in quoted if q and q not in known]
    return fresh[0] if fresh else None


def audience_args(tool: str, props: dict[str, Any], text: str, known: list[str]) -> dict[str, str]:
    """The audience names a tool's schema takes (`name`, `seed`, `first`, `second`), from the text."""
    if not set(AUDIENCE_NAME_FIELDS) & set(props):
        return {}
    said = named(text, known)
    out: dict[str, str] = {}
    if tool in ("audience_create", "audience_lookalike"):
        fresh = new_name(text, known)
        if tool == "audience_lookalike":
            seeds = [n for n in said if n != fresh] or [n for n in _unknown_names(text) if n != fresh][:1]
            if seeds:
                out["seed"] = seeds[0]
        if fresh and "name" in props:
            out["name"] = fresh
        return out
    if "first" in props and "second" in props:
        out |= dict(zip(("first", "second"), said[:2], strict=False))
        return out
    if "name" in props:
        if said:
            out["name"] = said[0]
        elif unknown := _unknown_names(text):
            out["name"] = unknown[0]  # a name the shop does not have: the tool says which it has
    return out


_IDENTIFIER = re.compile(r"(?<![\w-])[A-Za-z][A-Za-z0-9]*(?:[_-][A-Za-z0-9]+)+(?![\w-])")
_QUESTIONISH = re.compile(
    r"\b(?:what|which|how|show|list|export|delete|refresh|is|are)\b|吗|呢|哪|什么|多少|怎么", re.I
)


def _unknown_names(text: str) -> list[str]:
    """Names the shop may not have, as a request writes them: quoted, like an identifier (de_atrisk,
    uk-champs-2), or a short reply on its own after "which audience?"."""
    quoted = [q.group("q").strip() for q in _QUOTED.finditer(text)]
    if quoted:
        return quoted
    found = _IDENTIFIER.findall(text)
    if found:
        return found
    words = re.findall(r"[\w\u4e00-\u9fff]+", text)
    cjk_sentence = re.search(r"[\u4e00-\u9fff]", text) and (
        len(text.strip()) > 10 or re.search(r"\d|导出|导|给|找|建|删|看|存|发|推", text)  # 导出给谷歌: an ask, no name
    )
    if 1 <= len(words) <= 3 and not _QUESTIONISH.search(text) and len(text.strip()) <= 40 and not cjk_sentence:
        return [text.strip(" .?!。？！")]
    return []
