"""Advertising compliance rules: absolute, medical, safety and guarantee claims (the UK CAP code), and
the terms China's Advertising Law bans (Article 9(3): 最, 第一, 国家级, 全网最低价) or treats as
misleading (Article 28: unprovable safety claims and promised effects, 纯天然无毒, 保证)."""

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
        r"anti-?(?:cancer|aging|bacterial)|detox|boosts? immunity|doctor recommended|FDA approved|insomnia|"
        r"period pains?|menstrual|weight loss|lose weight|pain relief|relieves? pain)\b",
    ),
    ("urgency", r"\b(only today|last chance|act now|while stocks last)\b"),
    (
        "safety",  # CAP 3.7 / 3.47: absolute safety and "natural" claims need proof the shop does not hold
        r"\b(non-?toxic|chemical-?free|toxin-?free|all[- ]natural|completely safe|totally safe|100% safe|harmless|"
        r"risk-?free|no side effects)\b",
    ),
    ("guarantee", r"\b(guarantees?|we promise|promised results?)\b"),
)

CHINESE_RULES: tuple[tuple[str, str], ...] = (
    (
        "absolute",
        r"(最|第一|唯一|首个|首选|顶级|极致|独家|全网最低价|史上|绝对|100%|万能|永久|无敌|第一品牌)",
    ),
    ("authority", r"(国家级|世界级|国家领导人|特供|专供|驰名商标)"),
    (
        "medical",
        r"(治疗|治愈|治好|治病|治失眠|疗效|药到病除|抗癌|消炎|根治|无副作用|延年益寿|助眠|改善睡眠|安神|失眠|痛经|缓解"
        r"|减肥|瘦身|排毒|降血压|降血糖|(?:增强|提高)免疫力)",
    ),
    ("safety", r"(无毒|无害|纯天然|零添加|零风险|绝对安全|安全无副作用)"),  # 第28条: unprovable safety claims
    ("guarantee", r"(保证|包治|确保|承诺|立竿见影|一次见效|百分百|百分之百)"),  # 第28条: promised effects
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
