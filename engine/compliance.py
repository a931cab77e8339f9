"""Advertising compliance rules: absolute and medical claims (English), and the terms that
China's Advertising Law (Article 9(3)) bans, such as 最, 第一, 国家级, 全网最低价."""

from __future__ import annotations

import re
from dataclasses import dataclass

ENGLISH_RULES: tuple[tuple[str, str], ...] = (
    (
        "absolute",
        r"\b(best|No\.? ?1|number one|#1|greatest|unbeatable|perfect|ultimate|lowest price|"
        r"cheapest|guaranteed|100% (?:safe|effective|natural)|never fails|world'?s (?:best|finest))\b",
    ),
    (
        "medical",
        r"\b(cures?|heals?|treats?|prevents?|remed(?:y|ies)|clinically proven|"
        r"anti-?(?:cancer|aging|bacterial)|detox|boosts? immunity|doctor recommended|FDA approved)\b",
    ),
    ("urgency", r"\b(only today|last chance|act now|while stocks last)\b"),
)

CHINESE_RULES: tuple[tuple[str, str], ...] = (
    (
        "absolute",
        r"(最|第一|唯一|首个|首选|顶级|极致|独家|全网最低价|史上|绝对|100%|万能|永久|无敌|第一品牌)",
    ),
    ("authority", r"(国家级|世界级|国家领导人|特供|专供|驰名商标)"),
    ("medical", r"(治疗|治愈|疗效|药到病除|抗癌|消炎|根治|无副作用|延年益寿)"),
)


@dataclass(frozen=True)
class Finding:
    rule: str
    term: str
    start: int
    language: str


def check_copy(text: str) -> list[Finding]:
    """Every flagged term in `text`, in order of appearance."""
    found: list[Finding] = []
    for lang, rules in (("en", ENGLISH_RULES), ("zh", CHINESE_RULES)):
        for rule, pattern in rules:
            flags = re.IGNORECASE if lang == "en" else 0
            for m in re.finditer(pattern, text, flags):
                found.append(Finding(rule, m.group(0), m.start(), lang))
    return sorted(found, key=lambda f: f.start)
