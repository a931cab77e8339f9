"""The DSP in the offline model: which DSP campaign a request names, the targeting change it asks
for (the arguments of tools/dsp.py), and the words for the bidder's stats and for a targeting change
waiting for approval. Figures come only from the tools' results."""

from __future__ import annotations

import re
from typing import Any

DSP_SAID = re.compile(
    r"(?<![a-z])(?:dsp|rtb|open ?rtb)(?![a-z])|\bbidder\b|\bprogrammatic\b|\bad exchange\b|\bthe exchange\b"
    r"|程序化|竞价平台|出价器|交易平台",
    re.I,
)
TARGETING_SAID = re.compile(
    r"\btarget(?:ing|ed|s)?\b|\bgeo\b|\bgeo-?target\w*|\bdaypart\w*|\bblock\w*|\bunblock\w*|\bexclude\b|\bblacklist\b"
    r"|\bwhitelist\b|\ballow ?list\b|\ballow only\b|\bonly (?:bid|run|serve|show|in|on)\b|\brestrict\w*|\blimit\b"
    r"|\bregions?\b|\bslots?\b|\bhour restriction\b|\bevery region\b|\bsites?\b"
    r"|定向|屏蔽|黑名单|白名单|排除|地域|地区|时段|只投|只在|广告位|尺寸|不要出现",
    re.I,
)

# Regions a marketer names, as the bidder matches them (device.geo.region, lower case): the pinyin
# of China's provinces and largest cities, and the UK's nations and London, in both languages.
REGIONS: dict[str, tuple[str, ...]] = {
    "beijing": ("北京",), "shanghai": ("上海",), "guangzhou": ("广州",), "shenzhen": ("深圳",), "tianjin": ("天津",),
    "chongqing": ("重庆",), "hangzhou": ("杭州",), "chengdu": ("成都",), "wuhan": ("武汉",), "nanjing": ("南京",),
    "xian": ("西安", "xi'an"), "suzhou": ("苏州",), "guangdong": ("广东",), "jiangsu": ("江苏",), "zhejiang": ("浙江",),
    "shandong": ("山东",), "henan": ("河南",), "sichuan": ("四川",), "hubei": ("湖北",), "hunan": ("湖南",),
    "fujian": ("福建",), "hebei": ("河北",), "anhui": ("安徽",), "liaoning": ("辽宁",), "shaanxi": ("陕西",),
    "yunnan": ("云南",), "guangxi": ("广西",), "jiangxi": ("江西",), "shanxi": ("山西",), "heilongjiang": ("黑龙江",),
    "jilin": ("吉林",), "guizhou": ("贵州",), "hainan": ("海南",), "gansu": ("甘肃",), "neimenggu": ("内蒙古", "inner mongolia"),
    "xinjiang": ("新疆",), "ningxia": ("宁夏",), "qinghai": ("青海",), "xizang": ("西藏", "tibet"), "hongkong": ("香港", "hong kong"),
    "london": ("伦敦",), "england": ("英格兰",), "scotland": ("苏格兰",), "wales": ("威尔士",),
    "northern ireland": ("北爱尔兰",),
}  # fmt: skip
_REGION_OF = {w: name for name, words in REGIONS.items() for w in (name, *words)}
_REGION = re.compile(
    "|".join(
        (re.escape(w) if not w.isascii() else rf"\b{re.escape(w)}\b") for w in sorted(_REGION_OF, key=len, reverse=True)
    ),
    re.I,
)
_SIZE = re.compile(r"(?<!\d)([1-9]\d{1,3})\s*[x×*]\s*([1-9]\d{1,3})(?!\d)")
_DOMAIN = re.compile(r"(?<![\w@.-])((?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.)+[a-z]{2,})(?![\w.-]*@)", re.I)
_NOT_DOMAIN = frozenset({"e.g", "i.e", "etc"})

_CLAUSE = re.compile(r"[;；，。!?！？]|,(?!\s*\d)|\.(?:\s|$)|\b(?:but|then)\b|但是?|然后")
_ADD = re.compile(r"\badd\w*\b|\balso\b|\btoo\b|\bas well\b|\bplus\b|加上|增加|也|加到|添加", re.I)
_REMOVE = re.compile(
    r"\bremove\w*|\bdrop\w*|\bno longer\b|\bexclude\w*|\bstop\w*|\bwithout\b|\bskip\b|\bnot in\b|去掉|去除|排除|删掉|删除|不投|不要|别投",
    re.I,
)
_UNBLOCK = re.compile(r"\bun-?block\w*|\bremove\b.{0,40}\bblock ?list\b|解除|取消屏蔽|从黑名单", re.I)
_BLOCK = re.compile(
    r"\bblock\w*|\bexclude\w*|\bblacklist\w*|\bblock ?list\b|\bnever on\b|\bnot on\b|\bavoid\b|\bstop\b.{0,40}\bon\b"
    r"|屏蔽|排除|黑名单|不要出现|不要投|别投|不投",
    re.I,
)
_ALLOW = re.compile(r"\ballow\w*|\bwhitelist\w*|\ballow ?list\b|\bonly\b|\bjust\b|白名单|只投|只在|仅", re.I)
_CLEAR_ALLOW = re.compile(r"\bclear\b.{0,30}\ballow ?list\b|\bclear\b.{0,30}\bwhitelist\b|清空.{0,8}白名单", re.I)
_CLEAR_BLOCK = re.compile(r"\bclear\b.{0,30}\bblock ?list\b|\bclear\b.{0,30}\bblacklist\b|清空.{0,8}黑名单", re.I)
_ALL_REGIONS = re.compile(
    r"\b(?:every|all|any) regions?\b|\beverywhere\b|\bnationwide\b|全部地区|所有地区|不限地区|全国|全部地域|所有地域|不限地域",
    re.I,
)
_ALL_HOURS = re.compile(
    r"\b(?:hour|time|daypart\w*) (?:restriction|limit|rule)s?\b|\bany time\b|\ball day\b|\baround the clock\b|\b24/7\b"
    r"|\bno dayparting\b|时段限制|全天|不限时段|24小时",
    re.I,
)
_NO_AUDIENCE = re.compile(
    r"\b(?:remove|drop|clear|lift)\b.{0,20}\baudience (?:rule|targeting|restriction)\b|\bno audience\b"
    r"|(?:去掉|取消|清空)人群(?:定向|包|限制)?",
    re.I,
)
_HOUR_WORDS = {
    "business hours": (9, 18), "working hours": (9, 18), "工作时间": (9, 18), "上班时间": (9, 18),
    "mornings": (6, 12), "morning": (6, 12), "上午": (6, 12), "afternoons": (12, 18), "afternoon": (12, 18),
    "下午": (12, 18), "evenings": (18, 24), "evening": (18, 24), "晚上": (18, 24), "overnight": (0, 6),
    "nights": (0, 6), "凌晨": (0, 6), "夜间": (0, 6),
}  # fmt: skip
_HOUR_WORD = re.compile("|".join(rf"\b{w}\b" if w.isascii() else w for w in _HOUR_WORDS), re.I)
_EN_WINDOW = re.compile(
    r"(?<![\dx×*.])(\d{1,2})(?::00)?\s*(am|pm|h)?\s*(?:-|–|to|until|till|and)\s*(\d{1,2})(?::00)?\s*(am|pm|h)?(?![\dx×*.])",
    re.I,
)
_ZH_TIME = r"(早上|上午|中午|下午|晚上|凌晨|早|晚)?\s*(\d{1,2})\s*[点时]"
_ZH_WINDOW = re.compile(_ZH_TIME + r"\s*(?:钟)?\s*(?:到|至|-|~|—)\s*" + _ZH_TIME)
_HOUR_CONTEXT = re.compile(
    r"\b(?:am|pm|hours?|between|from|o'?clock|daypart\w*|evenings?|mornings?|afternoons?|nights?)\b|\d\s*(?:h|am|pm)\b|点|时段",
    re.I,
)
_ONLY = re.compile(r"\bonly\b|\bjust\b|\bduring\b|\bdaypart\w*|只|仅", re.I)
_AUDIENCE_ID = re.compile(r"\baudiences?\s*#?(\d+)\b|人群包?\s*#?(\d+)", re.I)
_AUDIENCE_NAME = re.compile(
    r"['\"“‘]([^'\"”’]{1,64})['\"”’]\s*(?:audience|人群)"
    r"|\baudience\s+(?:called\s+|named\s+)?['\"“‘]([^'\"”’]{1,64})['\"”’]"
    r"|\b([a-z][a-z0-9]*(?:_[a-z0-9]+)+)\b"
    r"|\bthe\s+([a-z][a-z0-9-]*)\s+audience\b"
    r"|人群包?\s*([a-z][\w-]*)",
    re.I,
)
_NOT_NAME = frozenset(
    {"dsp", "the", "a", "an", "to", "on", "in", "for", "of", "and", "only", "campaign", "campaigns", "targeting", "stats",
     "report", "spend", "pacing", "budget", "is", "doing", "bid", "bids", "bidder", "programmatic", "rtb", "new", "whole",
     "saved", "dmp", "custom", "same", "that", "this", "our", "my", "every", "all", "each", "its", "their", "show",
     "called", "named", "win", "rate", "cpm", "ecpc", "so", "with", "from", "at", "by", "slots", "slot", "also", "too"}
)  # fmt: skip
_DSP_WORD = r"(?:dsp|programmatic|rtb|bidder'?s?)"
_REF_ID = [
    re.compile(_DSP_WORD + r"\s*(?:campaign|活动|计划)\s*#?\s*(\d+)", re.I),
    re.compile(r"\bcampaign\s*#?(\d+)\s*(?:on|in|of) the (?:dsp|bidder)\b", re.I),
    re.compile(r"(?:dsp|程序化|出价器|竞价平台)\s*上?的?\s*(?:活动|计划)\s*#?\s*(\d+)", re.I),
    re.compile(r"(\d+)\s*号\s*(?:dsp|程序化)\s*(?:活动|计划)", re.I),
]
_NAME = r"['\"“]?([a-z][a-z0-9_-]*)['\"”]?"
_REF_NAME = [
    re.compile(_DSP_WORD + r"\s+campaign\s+(?:called\s+|named\s+)?" + _NAME, re.I),
    re.compile(r"\bthe\s+" + _NAME + r"\s+" + _DSP_WORD + r"\s+campaign\b", re.I),
    re.compile(r"\bthe\s+" + _NAME + r"\s+campaign\b[^.?!]{0,24}\bon the (?:dsp|bidder|exchange)\b", re.I),
    re.compile(r"\btargeting (?:of|for)\s+" + _NAME, re.I),
    re.compile(_NAME + r"\s*(?:这个|的)?\s*(?:dsp|程序化)\s*(?:定向|活动|计划)", re.I),
    re.compile(r"(?:dsp|程序化)\s*上的?\s*" + _NAME + r"\s*(?:这个)?\s*(?:活动|计划)", re.I),
    re.compile(r"(?:dsp|程序化)\s*(?:活动|计划)\s*" + _NAME, re.I),
    re.compile(r"([\u4e00-\u9fff]{2,6}?)\s*(?:这个)?\s*(?:dsp|程序化)\s*(?:活动|计划)", re.I),
]
_ZH_NOT_NAME = re.compile(r"^(?:把|给|将|请|帮我|我们|看下|看看|所有|全部|各个|每个|上的|的)+|(?:的|上)$")


def dsp_ref(text: str) -> str | None:
    """The DSP campaign a request names: its id, or a name as written (the tool matches it)."""
    for pat in _REF_ID:
        if m := pat.search(text):
            return m.group(1)
    for pat in _REF_NAME:
        for m in pat.finditer(text):
            name = _ZH_NOT_NAME.sub("", m.group(1)).strip()
            if name and name.lower() not in _NOT_NAME and not name.isdigit() and not _REGION.fullmatch(name):
                return name
    return None


_REPLY_NOISE = re.compile(
    r"\b(?:the|one|dsp|campaign|please|pls|it'?s|that|on|called|named)\b|那个|这个|那条|活动|计划|的|号|吧|dsp", re.I
)


def named_in_reply(text: str) -> str | None:
    """A DSP campaign named alone, answering "which DSP campaign?": "the spring one", "2", 1号."""
    if ref := dsp_ref(text):
        return ref
    words = _REPLY_NOISE.sub(" ", text).strip(" .?!,。？！").split()
    return words[0] if len(words) == 1 and len(words[0]) <= 64 else None


def _clauses(text: str) -> list[str]:
    return [c for c in _CLAUSE.split(text) if c and c.strip()]


def _hour_of(n: str, half: str | None) -> int:
    h = int(n)
    half = (half or "").lower()
    if half in ("pm", "下午", "晚上", "晚") and h < 12:
        h += 12
    if half in ("am", "早上", "上午", "凌晨", "早") and h == 12:
        h = 0
    return h


def _window(a: int, b: int) -> list[int]:
    """The hours from a o'clock until b o'clock (wrapping past midnight)."""
    a, b = a % 24, (b if b != 24 else 0) % 24
    if a == b:
        return []
    return list(range(a, b)) if a < b else [*range(a, 24), *range(0, b)]


def hours_asked(text: str) -> list[int] | None:
    """The hours of a window a request names ("9am to 6pm", 早8点到晚8点, "evenings"), or None."""
    if m := _ZH_WINDOW.search(text):
        a, b = _hour_of(m.group(2), m.group(1)), _hour_of(m.group(4), m.group(3) or m.group(1))
        return _window(a, b) or None
    if _HOUR_CONTEXT.search(text):
        for m in _EN_WINDOW.finditer(text):
            a_half, b_half = m.group(2), m.group(4)
            a = _hour_of(m.group(1), a_half if a_half != "h" else None)
            b = _hour_of(m.group(3), b_half if b_half != "h" else None)
            if a_half is None and (b_half or "").lower() == "pm" and a < 12 and a + 12 < b:
                a += 12  # "6-9pm"
            if max(int(m.group(1)), int(m.group(3))) <= 24:
                return _window(a, b) or None
    if (m := _HOUR_WORD.search(text)) and _ONLY.search(text):  # "evenings only", 只在上午 (not "this afternoon")
        return _window(*_HOUR_WORDS[m.group(0).lower()]) or None
    return None


def _action(clause: str, default: str = "set") -> str:
    if _REMOVE.search(clause):
        return "remove"
    if _ADD.search(clause):
        return "add"
    return default


def _where(clause_of: dict[str, str], values: list[str]) -> str:
    return " ".join(dict.fromkeys(clause_of[v] for v in values if v in clause_of))


def targeting_changes(text: str) -> list[dict[str, Any]]:
    """The targeting change a request asks for, as set_dsp_targeting's `changes`: each rule it
    touches with set (only these), add, remove or clear."""
    out: list[dict[str, Any]] = []
    clauses = _clauses(text)

    def clause_with(found: str) -> str:
        return next((c for c in clauses if found.lower() in c.lower()), text)

    sizes = list(dict.fromkeys(f"{w}x{h}" for w, h in _SIZE.findall(text)))
    if sizes:
        out.append({"rule": "sizes", "action": _action(clause_with(sizes[0].split("x")[0])), "values": sizes})
    masked = _SIZE.sub(" ", text)
    domains = [d.lower() for d in dict.fromkeys(_DOMAIN.findall(masked)) if d.lower() not in _NOT_DOMAIN]
    domains = [d for d in domains if not re.fullmatch(r"[\d.]+", d)]
    if domains:
        where = clause_with(domains[0])
        if _UNBLOCK.search(where):
            out.append({"rule": "domains_block", "action": "remove", "values": domains})
        elif _BLOCK.search(where):
            out.append({"rule": "domains_block", "action": "add", "values": domains})
        else:
            out.append({"rule": "domains_allow", "action": "add" if _ADD.search(where) else "set", "values": domains})
    if _CLEAR_ALLOW.search(text):
        out.append({"rule": "domains_allow", "action": "clear", "values": []})
    if _CLEAR_BLOCK.search(text):
        out.append({"rule": "domains_block", "action": "clear", "values": []})
    regions = list(dict.fromkeys(_REGION_OF[m.group(0).lower()] for m in _REGION.finditer(masked)))
    if regions:
        where = " ".join(dict.fromkeys(clause_with(m.group(0)) for m in _REGION.finditer(masked)))
        out.append({"rule": "regions", "action": _action(where), "values": regions})
    elif _ALL_REGIONS.search(text):
        out.append({"rule": "regions", "action": "clear", "values": []})
    hours = hours_asked(masked)
    if hours:
        out.append({"rule": "hours", "action": "set", "values": hours})
    elif _ALL_HOURS.search(text):
        out.append({"rule": "hours", "action": "clear", "values": []})
    ids = [a or b for a, b in _AUDIENCE_ID.findall(text)]
    names = []
    for m in _AUDIENCE_NAME.finditer(_AUDIENCE_ID.sub(" ", masked)):
        name = next(g for g in m.groups() if g)
        if name.lower() not in _NOT_NAME and name.lower() not in {d.split(".")[0] for d in domains}:
            names.append(name)
    audiences = list(dict.fromkeys([*ids, *names]))
    if audiences:
        where = clause_with(audiences[0])
        out.append({"rule": "audiences", "action": _action(where), "values": audiences})
    elif _NO_AUDIENCE.search(text):
        out.append({"rule": "audiences", "action": "clear", "values": []})
    return out


def since_hours(text: str) -> float | None:
    """The hours a stats request looks back over ("last 6 hours", 这三天, "last hour"), or None."""
    from offline.extract import normalize

    t = normalize(text)
    if m := re.search(r"(\d+)\s*(?:h|hrs?|hours?|小时)\b|(\d+)\s*(?:个)?小时", t, re.I):
        return float(m.group(1) or m.group(2))
    if m := re.search(r"(\d+)\s*(?:days?|天)", t, re.I):
        return 24.0 * int(m.group(1))
    if m := re.search(r"([一两二三四五六七])\s*天", t):
        return 24.0 * {"一": 1, "两": 2, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7}[m.group(1)]
    if re.search(r"\b(?:last|past) hour\b|一小时|这个小时", t, re.I):
        return 1.0
    if re.search(r"\b(?:last|past|this) week\b|这周|本周|一周|最近7天", t, re.I):
        return 168.0
    if re.search(r"\bovernight\b|昨晚|夜里", t, re.I):
        return 12.0
    return None


# -- answers ---------------------------------------------------------------------------------------

_RULE = {
    "regions": ("regions", "地区"),
    "hours": ("hours (UTC)", "时段（UTC）"),
    "domains_allow": ("allowed domains", "域名白名单"),
    "domains_block": ("blocked domains", "域名黑名单"),
    "sizes": ("slot sizes", "广告位尺寸"),
    "audiences": ("audiences", "人群包"),
}


def _money(v: float | None) -> str:
    return "n/a" if v is None else f"£{v:,.2f}"


def _spans(hours: list[int]) -> str:
    """Hours as windows: [9, ..., 17] -> 09:00-18:00."""
    hs, out = sorted(set(hours)), []
    i = 0
    while i < len(hs):
        j = i
        while j + 1 < len(hs) and hs[j + 1] == hs[j] + 1:
            j += 1
        out.append(f"{hs[i]:02d}:00-{(hs[j] + 1) % 24:02d}:00")
        i = j + 1
    return ", ".join(out)


def _rule_text(rule: str, values: list[Any] | None, zh: bool) -> str:
    if not values:
        return "不限" if zh else "any"
    if rule == "hours":
        return _spans([int(v) for v in values])
    return ("、" if zh else ", ").join(str(v) for v in values)


def targeting_text(t: dict[str, Any], zh: bool) -> str:
    """A campaign's rules in a line: "regions beijing; sizes 300x250" (or that it has none)."""
    parts = [f"{_RULE[r][1 if zh else 0]} {_rule_text(r, t.get(r), zh)}" for r in _RULE if t.get(r)]
    if not parts:
        return "不限定向" if zh else "no targeting rules (every request)"
    return ("；" if zh else "; ").join(parts)


def is_targeting_change(c: dict[str, Any]) -> bool:
    return "dsp_campaign_id" in c and c.get("field") == "targeting"


_WARN = {
    "rule_lifted": (
        "(removing the last {rule} lifts that rule: the campaign bids on any {rule})",
        "（去掉最后一项{rule}即取消该限制：活动对任何{rule}都会出价）",
    ),
    "empty_audience": (
        "(audience {audience} has no members: the campaign will not bid until it does)",
        "（人群包 {audience} 目前没有成员：在有成员之前活动不会出价）",
    ),
    "allowed_and_blocked": (
        "({domains} is both allowed and blocked: blocked wins)",
        "（{domains} 同时在白名单和黑名单中：以黑名单为准）",
    ),
}


def _warning(w: dict[str, Any], zh: bool) -> str:
    tpl = _WARN.get(str(w.get("kind")))
    if tpl is None:
        return ""
    rule = _RULE.get(str(w.get("rule")), (w.get("rule"), w.get("rule")))[1 if zh else 0]
    domains = ", ".join(w.get("domains") or [])
    return tpl[1 if zh else 0].format(rule=rule, audience=w.get("audience"), domains=domains)


def describe_targeting(c: dict[str, Any], zh: bool) -> str:
    """A targeting change as a preview shows it: each rule that moves, from -> to, and warnings."""
    before, after = c.get("from") or {}, c.get("to") or {}
    rules = c.get("rules") or [r for r in _RULE if before.get(r) != after.get(r)]
    moves = [
        f"{_RULE[r][1 if zh else 0]}：{_rule_text(r, before.get(r), zh)} -> {_rule_text(r, after.get(r), zh)}"
        if zh
        else f"{_RULE[r][0]} from {_rule_text(r, before.get(r), zh)} to {_rule_text(r, after.get(r), zh)}"
        for r in rules
        if r in _RULE
    ]
    warn = " ".join(filter(None, (_warning(w, zh) for w in c.get("warnings") or [])))
    if zh:
        name = f"DSP活动 {c['dsp_campaign_id']}（{c.get('name')}）"
        return f"{name}的定向：" + "；".join(moves) + (f" {warn}" if warn else "")
    return f"targeting of {c['target']}: " + "; ".join(moves) + (f" {warn}" if warn else "")


def set_dsp_targeting(r: dict[str, Any], zh: bool) -> str:
    """The targeting change once approved and written."""
    within = r.get("picked_up_within_s", 1)
    if zh:
        return f"已更新：{describe_targeting(r, zh)}。正在运行的出价器会在 {within} 秒内按新定向出价。"
    return f"Done: the {describe_targeting(r, zh)}. A running bidder bids on the new rules within {within} s."


def _pct(v: float | None) -> str:
    return "n/a" if v is None else f"{100 * v:.1f}%"


def _campaign_line(c: dict[str, Any], zh: bool) -> str:
    pace = c.get("pace")
    if zh:
        s = (
            f"{c['dsp_campaign_id']} {c['name']}（{'投放中' if c['status'] == 'active' else '已暂停'}）：请求 {c['requests']:,}、"
            f"出价 {c['bids']:,}、赢得 {c['wins']:,}（胜率 {_pct(c['win_rate'])}），花费 {_money(c['spend'])}，"
            f"CPM {_money(c['cpm'])}，点击 {c['clicks']:,}（eCPC {_money(c['ecpc'])}）；今日 {_money(c['spent_today'])} / "
            f"日预算 {_money(c['daily_budget'])}"
        )
        s += f"（节奏 {pace:.2f}，1 为均匀）" if pace is not None else ""
        return s + f"；定向：{targeting_text(c.get('targeting') or {}, zh)}"
    s = (
        f"{c['dsp_campaign_id']} {c['name']} ({c['status']}): {c['requests']:,} requests, {c['bids']:,} bids, "
        f"{c['wins']:,} won (win rate {_pct(c['win_rate'])}), spend {_money(c['spend'])}, CPM {_money(c['cpm'])}, "
        f"{c['clicks']:,} clicks (eCPC {_money(c['ecpc'])}); today {_money(c['spent_today'])} of "
        f"{_money(c['daily_budget'])}"
    )
    s += f" (pace {pace:.2f}, 1 is even)" if pace is not None else ""
    return s + f"; targeting: {targeting_text(c.get('targeting') or {}, zh)}"


def dsp_stats(r: dict[str, Any], zh: bool) -> str:
    t, camps, hours = r["total"], r["campaigns"], r["hours"]
    span = f"{hours:g}"
    lines = "\n".join(f"- {_campaign_line(c, zh)}" for c in camps)
    if zh:
        if not t["requests"]:
            head = f"过去 {span} 小时出价器没有收到竞价请求（`copilot dsp serve` 在运行吗？）。"
        else:
            head = (
                f"过去 {span} 小时 DSP 共收到 {t['requests']:,} 个请求，出价 {t['bids']:,} 次，赢得 {t['wins']:,} 次曝光"
                f"（胜率 {_pct(t['win_rate'])}），花费 {_money(t['spend'])}，CPM {_money(t['cpm'])}，点击 {t['clicks']:,}"
                f"（eCPC {_money(t['ecpc'])}）。"
            )
        return f"{head}\n{lines}\n数据来自出价器自己的每分钟计数。"
    if not t["requests"]:
        head = f"No bid requests reached the bidder in the last {span} hours (is `copilot dsp serve` running?)."
    else:
        head = (
            f"The DSP over the last {span} hours: {t['requests']:,} requests, {t['bids']:,} bids, {t['wins']:,} "
            f"impressions won (win rate {_pct(t['win_rate'])}), spend {_money(t['spend'])}, CPM {_money(t['cpm'])}, "
            f"{t['clicks']:,} clicks (eCPC {_money(t['ecpc'])})."
        )
    return f"{head}\n{lines}\nFigures from the bidder's own per-minute counts."


FORMATTERS = {"dsp_stats": dsp_stats, "set_dsp_targeting": set_dsp_targeting}
