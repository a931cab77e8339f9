"""Typed extractors: what a request says, as values with the words they came from.

One pass over the text finds every number it can read (and every token that looks like a number but
is not one of the formats below, so the model can ask instead of guessing), then the ids that own
some of those numbers (`product 12`, `12748号客户`, a stock code), and the rest: money, percentages
and relative changes, counts, A/B figures, a click-through rate, channels, occasions, countries,
periods, quoted text, negation and hypotheticals. The planner (offline/planner.py) fills a tool's
arguments from these by the tool's own schema.

Number formats read: 12, -2.95, 1,000 and 1,000.50 (thousands), 1_000, 0,45 and 12,99 (a decimal
comma: one or two digits after it), 1e3, 1.5k, 2m after a currency, 1.5 million, 90p / 90 pence,
Chinese numerals with a multiplier or a currency (两万, 三千五, 五块), digits with 万/千 (5万, 1.5万).

Campaign ids may come as a list (`campaigns 1 and 3`, `1号和3号活动`); a reporting period is read as
a tool names it (`last week` -> last_week, `最近30天` -> last_30_days, `this month` -> this_month).
"""

from __future__ import annotations

import calendar
import re
import unicodedata
from dataclasses import dataclass, field, replace
from datetime import date
from functools import lru_cache
from typing import Literal

from offline.spelling import Speller

Currency = Literal["GBP", "USD", "EUR", "CNY"]
Kind = Literal["product", "customer", "campaign", "any"]

_CJK = re.compile(r"[\u4e00-\u9fff]")


def asks_to_skip_approval(text: str) -> bool:
    """ "No need to ask me for approval", 不用审批: a request to make a change without its approval."""
    return bool(_SKIP_APPROVAL.search(normalize(text)))


def is_chinese(text: str) -> bool:
    return bool(_CJK.search(text))


def normalize(text: str) -> str:
    """Full-width forms to ASCII (NFKC), Chinese separators to spaced ASCII ones, one space between
    words; positions in the result are what every extractor reports."""
    text = (
        text.replace("，", ", ")
        .replace("、", ", ")
        .replace("。", ". ")
        .replace("；", "; ")
        .replace("？", "? ")
        .replace("！", "! ")
    )
    text = unicodedata.normalize("NFKC", text).replace("−", "-").replace("–", "-").replace("—", "-")
    text = text.replace("“", '"').replace("”", '"').replace("‘", "'").replace("’", "'")
    text = _SHORT.sub(lambda m: _SHORT_FOR[m.group(0).lower()], text)
    text = _SLANG_MONEY.sub(_slang_money, text)  # "a fiver", "two quid": pounds written out
    text = _ZH_DAY_RANGE.sub(r"\g<m>月\g<a>日至\g<m>月\g<b>日", text)  # 11月1号到15号: both days in November
    text = _EN_DAY_RANGE.sub(_en_day_range, text)  # "nov 1-15", "1st to 15th of November": from the one to the other
    return re.sub(r"[ \t\u3000]+", " ", text).strip()


_QUID_WORDS = {"a": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
               "nine": 9, "ten": 10, "twenty": 20, "fifty": 50, "a hundred": 100}  # fmt: skip
_SLANG_MONEY = re.compile(
    r"\b(?:(?:a|one) )?(?P<note>fiver|tenner)\b|\b(?P<n>\d+(?:\.\d+)?|"
    + "|".join(sorted(_QUID_WORDS, key=len, reverse=True))
    + r") ?quid\b",
    re.I,
)


def _slang_money(m: re.Match[str]) -> str:
    if m.group("note"):
        return "£5" if m.group("note").lower() == "fiver" else "£10"
    n = m.group("n").lower()
    return f"£{_QUID_WORDS[n]}" if n in _QUID_WORDS else f"£{n}"


_ZH_DAY_RANGE = re.compile(r"(?P<m>\d{1,2})月(?P<a>\d{1,2})[日号]?\s?(?:到|至|-|~)\s?(?P<b>\d{1,2})[日号]")
_MONTH_WORD = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sept?(?:ember)?|oct(?:ober)?"
    r"|nov(?:ember)?|dec(?:ember)?)"
)
_EN_DAY_RANGE = re.compile(
    rf"\b(?P<m1>{_MONTH_WORD})\.? (?P<a1>\d{{1,2}})(?:st|nd|rd|th)?\s?(?:-|to|through|until|till)\s?(?P<b1>\d{{1,2}})"
    r"(?:st|nd|rd|th)?\b(?! ?(?:%|orders?|days?|weeks?|months?))"
    r"|\b(?P<a2>\d{1,2})(?:st|nd|rd|th)?\s?(?:-|to|through|until|till)\s?(?P<b2>\d{1,2})(?:st|nd|rd|th)?"
    rf"(?: of)? (?P<m2>{_MONTH_WORD})\b",
    re.I,
)


def _en_day_range(m: re.Match[str]) -> str:
    month, a, b = (
        (m.group("m1"), m.group("a1"), m.group("b1"))
        if m.group("m1")
        else (m.group("m2"), m.group("a2"), m.group("b2"))
    )
    if not (1 <= int(a) <= int(b) <= 31):
        return m.group(0)
    return f"from {month} {a} to {month} {b}"


# short forms of period words, as marketers type them: "last wk", "prev qtr", "3 mths"
_SHORT_FOR = {
    "wk": "week",
    "wks": "weeks",
    "mth": "month",
    "mths": "months",
    "mnth": "month",
    "mnths": "months",
    "qtr": "quarter",
    "qtrs": "quarters",
    "yr": "year",
    "yrs": "years",
    "dys": "days",
    "hrs": "hours",
    "prev": "previous",
    "custs": "customers",  # "new custs", "uk custs w 5+ orders"
    "cust": "customer",
    "yday": "yesterday",
    "yest": "yesterday",
    "ystd": "yesterday",
    "excl": "excluding",  # "top countries excl uk"
    "lst": "last",  # a dropped vowel: "lst month", "lst 3 months"
    "lats": "last",
    "wich": "which",  # question words mistyped: the patterns that read the question look for them
    "whcih": "which",
    "whihc": "which",
    "waht": "what",
    "hw": "how",
    "wat": "what",
}
_SHORT = re.compile(r"\b(?:" + "|".join(_SHORT_FOR) + r")\b(?!\.\w)", re.I)


@dataclass(frozen=True)
class Num:
    """A number as written: its value, where it is, and what was written around it."""

    value: float
    start: int
    end: int
    raw: str
    currency: Currency | None = None  # a currency sign or word next to it
    unit: Literal["%", "p", "x"] | None = None  # percent, pence (already divided), times
    scaled: bool = False  # had a multiplier (k, 万, million)

    @property
    def is_int(self) -> bool:
        return float(self.value).is_integer() and not self.scaled and "." not in self.raw


@dataclass(frozen=True)
class Ref:
    kind: Kind
    value: int
    start: int
    end: int
    raw: str


@dataclass(frozen=True)
class Change:
    """A relative change: +10% (pct=10), -20p (by=-0.2), double (factor=2)."""

    raw: str
    start: int
    pct: float | None = None
    by: float | None = None
    factor: float | None = None


@dataclass(frozen=True)
class OrderDate:
    """A bound on customers' first or last order as written, for the planner to put in days once it
    knows the shop's today. What the words name: a day (year, month, day), a month (year, month;
    a year of None is the latest one up to today) or a reporting period (`last_30_days`). `rule`:
    how the bound follows from it: start (from its first day), after (from the day after it ends,
    for a month), end (to its last day), before and not_since (to the day before it), within (its
    first day to its last)."""

    order: Literal["first", "last"]
    rule: Literal["start", "after", "end", "before", "not_since", "within"]
    raw: str
    year: int | None = None
    month: int | None = None
    day: int | None = None  # None: the whole month
    period: str | None = None  # instead of a day or a month: a reporting period (last_30_days)


@dataclass
class Entities:
    text: str  # the normalized request, which the positions refer to
    refs: list[Ref] = field(default_factory=list)
    stock_codes: list[tuple[str, int, int]] = field(default_factory=list)  # unresolved codes
    numbers: list[Num] = field(default_factory=list)  # values not taken by an id, a count or a rate
    unreadable: list[str] = field(default_factory=list)  # number-like tokens in no known format
    percents: list[Num] = field(default_factory=list)
    changes: list[Change] = field(default_factory=list)
    discount: Num | None = None  # 九折, 8折, 20% off: the discount in percent
    counts: list[int] = field(default_factory=list)
    ab: tuple[int, int, int, int] | None = None
    pctr: float | None = None
    channels: list[str] = field(default_factory=list)
    occasion: str | None = None
    countries: list[str] = field(default_factory=list)
    countries_out: list[str] = field(default_factory=list)  # "outside the UK", 除了英国: every other country
    period: str | None = None  # the words of a period or a date as written
    period_name: str | None = None  # the period as a tool names it: last_7_days, this_month, yesterday...
    dates: list[date] = field(default_factory=list)  # full dates written (2011-11-01), in order
    all_campaigns: bool = False  # "all bids", "every campaign", 所有活动: every campaign at once
    all_products: bool = False  # "every product's price", 所有产品: the whole catalog at once
    skip_approval: bool = False  # "no need to ask me for approval", 不用审批，直接改
    metric: str | None = None  # a campaign metric named: roas, cpa, ctr, conversions, revenue...
    ranking: bool = False  # asks for a ranking or a comparison: "which is best", "rank", 对比, 哪个最
    quoted: str | None = None
    language: Literal["en", "zh"] | None = None  # a language asked for ("in Chinese")
    strategy: str | None = None
    audience: str | None = None
    negated: bool = False  # "don't change ...": never a write
    hypothetical: bool = False  # "what would happen if ...": never a write
    ordinal: int | None = None  # "the first one", 第二个 (1-based; -1 = the last)
    suggested: bool = False  # "the suggested bid", 建议的出价
    foreign_currency: Num | None = None  # a $ / € / ¥ amount, named as such in answers
    platform: str | None = None  # where an ad runs: google_rsa, meta, wechat_moments, xiaohongshu
    other_platform: str | None = None  # a place to post with no limits known here: "amazon titles", 给淘宝写
    tone: str | None = None  # playful, premium, urgent, warm
    segment: str | None = None  # an audience segment named: new, lapsed, vip
    rfm_segment: str | None = None  # an RFM segment named: champions, at_risk, hibernating...
    rfm_segments: list[str] = field(default_factory=list)  # every RFM segment named, in the order said
    grain: Literal["day", "week", "month"] | None = None  # rows per day, week or month: "by month", 按周
    breakdown: Literal["country", "product", "segment"] | None = None  # "by country", 按商品拆分
    min_orders: int | None = None  # "at least 5 orders", "5+ orders", 至少5单
    max_orders: int | None = None  # "at most 3 orders", "only one order", 最多3单, 只下过一单
    repeat: str | None = None  # the words "repeat" was read from ("repeat customers", 复购2次以上): min_orders
    min_revenue: Num | None = None  # "spent over £1,000", 消费超过1000
    max_revenue: Num | None = None  # "spent under £100", 花了不到100镑
    order_dates: list[OrderDate] = field(default_factory=list)  # "haven't ordered since 1 September", 十月以来的新客户
    sort: str | None = None  # a customer list's order: orders, recency, first_order or revenue
    aov: bool = False  # asks for the average order value: "AOV", "basket size", 客单价
    year_on_year: bool = False  # against the same days a year before: "year on year", 同比, 去年同期
    worst: bool = False  # worst sellers: "worst", "slow movers", 滞销, 卖得最差
    lowest: bool = False  # the lowest sellers rather than the biggest fall: "sold the least", 倒数
    units: bool = False  # a ranking by units sold rather than revenue: "by units", 销量
    months: list[tuple[int | None, int]] = field(default_factory=list)  # months named: November, 2011年9月
    months_back: int | None = None  # the month before last (上上个月): 2 months back from today's
    month_before: bool = False  # "那前一个月呢", "the month before?": the month before the one in view
    period_before: bool = (
        False  # "and the quarter before that?", 再往前一个季度呢: the period the last answer compared with
    )
    month_range: bool = False  # the first two months named are a range: "September to November", 九月到十一月
    dimension: str | None = None  # a web-session grouping: traffic_type, visitor_type, region, browser, ...
    touch_models: list[str] = field(default_factory=list)  # attribution models named: last_touch, markov, ...
    opted_out: bool | None = None  # a customer's consent: True "opted out", 退订; False "opted back in"
    months_ahead: int | None = None  # a projection's horizon: "next year" (12), 明年, "in two years", "6 months on"
    year: int | None = None  # a calendar year named on its own: "2011 in numbers", "revenue in 2010", 2011年全年

    def ids(self, kind: Kind) -> list[int]:
        return [r.value for r in self.refs if r.kind == kind]

    def first_id(self, kind: Kind) -> int | None:
        ids = self.ids(kind)
        return ids[0] if ids else None


# -- numbers ------------------------------------------------------------------------------------

_TOKEN = re.compile(r"(?<![A-Za-z0-9_.,])(?P<sign>(?<![0-9])[-+](?=\d))?(?P<body>\d[\d,._]*)(?P<exp>[eE][-+]?\d+)?")
_PLAIN = re.compile(r"\d+(\.\d+)?")
_GROUPED = re.compile(r"\d{1,3}(,\d{3})+(\.\d+)?")
_UNDERSCORED = re.compile(r"\d{1,3}(_\d{3})+(\.\d+)?")
_DECIMAL_COMMA = re.compile(r"\d+,\d{1,2}")
_SUFFIX = re.compile(  # an ASCII unit ends where Latin letters and digits do ("涨10p的": 10p)
    r"\s?(?P<mult>(?:k|K|bn|million|thousand|grand|w|m)(?![A-Za-z0-9_])|万|千|百)?\s?"
    r"(?P<unit>%|(?:percent|per cent|pct|p|pence|x|times)(?![A-Za-z0-9_])|便士|倍|个百分点|百分点|个点(?!子))?",
)
_MULT = {"k": 1e3, "thousand": 1e3, "grand": 1e3, "m": 1e6, "million": 1e6, "bn": 1e9, "万": 1e4, "w": 1e4}
_MULT |= {"千": 1e3, "百": 1e2}
_CUR_BEFORE = re.compile(r"(£|\$|€|¥|gbp|usd|eur|rmb|cny|us\$)\s?$", re.I)
_CUR_AFTER = re.compile(
    r"^\s?(pounds?|quid|gbp|sterling|dollars?|bucks|usd|euros?|eur|rmb|cny|yuan|元|块钱?|英镑|镑|美元|美金|欧元|人民币)",
    re.I,
)
_CURRENCY: dict[str, Currency] = {
    "£": "GBP", "gbp": "GBP", "pound": "GBP", "pounds": "GBP", "quid": "GBP", "sterling": "GBP", "英镑": "GBP",
    "镑": "GBP", "$": "USD", "us$": "USD", "usd": "USD", "dollar": "USD", "dollars": "USD", "bucks": "USD",
    "美元": "USD", "美金": "USD", "€": "EUR", "eur": "EUR", "euro": "EUR", "euros": "EUR", "欧元": "EUR",
    "¥": "CNY", "rmb": "CNY", "cny": "CNY", "yuan": "CNY", "元": "CNY", "块": "CNY", "块钱": "CNY", "人民币": "CNY",
}  # fmt: skip
_TENTHS = re.compile(
    r"\s?(?:(?P<jiao>毛|角)(?P<f>\d(?![\d.]))?(?:分)?钱?|块(?P<d>\d{1,2})(?![\d.])(?:毛|角)?钱?"
    r"|(?P<fen>分钱|分(?![之钟析类配布享数值成])))"
)  # 5毛 = 0.5, 6毛5 = 0.65, 1块5 = 1.5, 1块95 = 1.95, 5分钱 = 0.05
_ZH_TENTHS = re.compile(r"(?:(?P<jiao>毛|角)(?P<f>\d|[一二三四五六七八九])?|分钱)钱?")
_FEN_CONTEXT = re.compile(r"出价|价格|价|预算|钱|毛|块|cpc|bid", re.I)  # 3分 is money only beside money words
_ZH_MONTH_LIST = re.compile(r"(?<![\d.])(?:(?:1[0-2]|0?[1-9])\s?(?:,|和|与|及|到|至|-)\s?)+$")  # the 1、 of 1、2月
_ZH_TAIL = re.compile(r"(?P<d>[1-9])(?:(?P<u>千|百)|(?![\d.,%]|\s?(?:个|月|号|日|天|周|年|点|成|折|倍|k\b|w\b)))")
_ZH_DIGITS = {
    "零": 0,
    "〇": 0,
    "一": 1,
    "二": 2,
    "两": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
}
_ZH_UNITS = {"十": 10, "百": 100, "千": 1000, "万": 10_000, "亿": 100_000_000}
_ZH_FRACTION = re.compile(r"(?P<per>[百千万])分之\s?(?P<n>\d+(?:\.\d+)?|[零〇一二两三四五六七八九十]+)")
_ZH_NUMERAL = re.compile(r"[零〇一二两三四五六七八九十百千万亿]+")


def parse_number(body: str, exp: str = "") -> float | None:
    """One written number in the formats above, or None (1.2.3, 1,0000, 1,000,00 are not numbers)."""
    if _PLAIN.fullmatch(body) or _GROUPED.fullmatch(body) or _UNDERSCORED.fullmatch(body):
        value = float(body.replace(",", "").replace("_", ""))
    elif _DECIMAL_COMMA.fullmatch(body):
        value = float(body.replace(",", "."))
    else:
        return None
    if exp:
        if "," in body or "_" in body:
            return None
        value = float(f"{value}{exp}")
    return value


def zh_number(s: str) -> int | None:
    """一..九千九百九十九万: Chinese numerals (两 = 2, 十 = 10, 三千五 = 3,500), or None."""
    if not s or not all(c in _ZH_DIGITS or c in _ZH_UNITS for c in s):
        return None
    total, section, digit = 0, 0, None
    last_unit, zero = 1, False
    for c in s:
        if c in _ZH_DIGITS:
            if digit and _ZH_DIGITS[c] != 0:
                return None  # 二三: two digits in a row is not a number (三百零一 is: 零 holds a place)
            zero = zero or _ZH_DIGITS[c] == 0
            digit = _ZH_DIGITS[c]
            continue
        unit = _ZH_UNITS[c]
        if unit >= 10_000:
            section = (section + (digit or 0)) * unit
            total, section = total + section, 0
        else:
            section += (1 if digit is None else digit) * unit
        digit, last_unit, zero = None, unit, False
    if digit is not None:  # 三千五 = 3,500: a trailing digit counts in the unit below the last one (not after 零)
        section += digit * (last_unit // 10 if last_unit >= 100 and len(s) > 1 and not zero else 1)
    return total + section


@dataclass
class _Scan:
    nums: list[Num]
    bad: list[str]


def _currency_near(text: str, start: int, end: int) -> tuple[Currency | None, int]:
    """The currency written just before or after a number, and where the number's words end."""
    before = _CUR_BEFORE.search(text[max(0, start - 4) : start])
    if before:
        return _CURRENCY[before.group(1).lower()], end
    after = _CUR_AFTER.match(text[end : end + 10])
    if after:
        return _CURRENCY[after.group(1).lower()], end + after.end()
    return None, end


def scan_numbers(text: str) -> _Scan:
    """Every number in normalized text, in order, with its currency, unit and multiplier."""
    nums: list[Num] = []
    bad: list[str] = []
    taken: list[tuple[int, int]] = []
    skip_to = 0
    for m in _TOKEN.finditer(text):
        if m.start() < skip_to:
            continue  # the 5 of 1块5, read with the 1
        body, exp = m.group("body"), m.group("exp") or ""
        trail = re.match(r"[.,_]+$", body[-1:]) and body.rstrip(".,_")
        if trail:  # "costs 2." or "5, and": the separator ends the sentence, not the number
            body = trail
        end = m.start("body") + len(body) + (len(exp) if not trail else 0)
        if not trail and exp == "" and re.match(r"[A-Za-z]", text[end : end + 1] or " "):
            nxt = re.match(r"[A-Za-z]+", text[end:])
            word = nxt.group(0).lower() if nxt else ""
            if word not in ("k", "m", "bn", "p", "x", "w", "pct") and not re.match(r"(k|m|p|w)\b", word):
                if re.match(r"\d{5}[A-Za-z]{1,2}(?![A-Za-z0-9])", text[m.start() :]):
                    continue  # a stock code such as 85123A: find_refs reads it
                bad.append(text[m.start() : end + len(word)])
                continue
        value = parse_number(body, "" if trail else exp)
        if value is None:
            bad.append(text[m.start() : end])
            continue
        before = text[max(0, m.start() - 1) : m.start()]
        after = text[end : end + 2]
        if (
            before in ("-", "+")
            or re.match(r"[/⁄]\d", after)
            or (before in ("/", "⁄") and re.search(r"\d[/⁄]$", text[: m.start()]))
        ):
            bad.append(text[max(0, m.start() - 1) : end + (2 if re.match(r"[/⁄]\d", after) else 0)])
            continue  # "--3", "1/4": not a number in any of the formats
        if m.group("sign") == "-":
            value = -value
        tenths = _TENTHS.match(text, end)
        if tenths and tenths.group("fen") and not (value.is_integer() and value < 100 and _FEN_CONTEXT.search(text)):
            tenths = None  # 评分3分: a score, not 3 fen
        if tenths and (tenths.group("jiao") or tenths.group("fen")):  # 5毛 = 0.5: tenths of the unit (50p in a
            # shop selling in pounds); 6毛5 = 0.65; 5分 = 0.05
            f = int(tenths.group("f")) / 100 if tenths.group("f") else 0.0
            value, end = round(value / 10 + f if tenths.group("jiao") else value / 100, 6), tenths.end()
            skip_to = end
            nums.append(Num(value, m.start(), end, text[m.start() : end], None, None, False))
            taken.append((m.start(), end))
            continue
        if tenths and tenths.group("d"):  # 1块5 = 1.5, 1块95 = 1.95
            d = tenths.group("d")
            value, end = round(value + int(d) / 10 ** len(d), 6), tenths.end()
            skip_to = end
            nums.append(Num(value, m.start(), end, text[m.start() : end], None, None, False))
            taken.append((m.start(), end))
            continue
        suffix = _SUFFIX.match(text, end)
        mult_word = (suffix.group("mult") or "") if suffix else ""
        unit_word = (suffix.group("unit") or "").lower() if suffix else ""
        stop = suffix.end() if suffix and (mult_word or unit_word) else end
        currency, stop2 = _currency_near(text, m.start(), stop)
        stop = max(stop, stop2)
        if mult_word.lower() == "m" and currency is None:
            mult_word = ""  # "5m" without a currency is minutes or metres, not millions
            stop = end
        scaled = bool(mult_word)
        if mult_word:
            value *= _MULT[mult_word.lower()]
            tail = _ZH_TAIL.match(text, stop) if mult_word in ("万", "千") and stop == end + 1 else None
            if tail:  # 1万2 = 12,000, 1万2千 = 12,000, 3千5 = 3,500: the digit counts the next unit down
                value += int(tail.group("d")) * (_MULT[tail.group("u")] if tail.group("u") else _MULT[mult_word] / 10)
                stop = skip_to = tail.end()
                currency, stop2 = _currency_near(text, m.start(), stop)
                stop = max(stop, stop2)
        unit: Literal["%", "p", "x"] | None = None
        if unit_word in ("%", "percent", "per cent", "pct", "个百分点", "百分点", "个点"):  # 提10个点: 10%
            unit = "%"
        elif unit_word in ("p", "pence", "便士"):
            unit, value, currency = "p", value / 100, "GBP"
        elif unit_word in ("x", "times", "倍"):
            unit = "x"
        sym = _CUR_BEFORE.search(text[max(0, m.start() - 4) : m.start()]) if currency else None
        start = m.start() - (len(sym.group(0)) if sym else 0)
        nums.append(Num(value, start, stop, text[start:stop].strip(), currency, unit, scaled))
        taken.append((m.start(), stop))
    for m in _ZH_FRACTION.finditer(text):  # 百分之三 = 3%, 千分之三 = 0.3%
        raw_n = m.group("n")
        n_val = parse_number(raw_n) if raw_n[0].isdigit() else zh_number(raw_n)
        if n_val:
            per = {"百": 1.0, "千": 0.1, "万": 0.01}[m.group("per")]
            nums.append(Num(round(float(n_val) * per, 6), m.start(), m.end(), m.group(0), None, "%"))
            taken.append((m.start(), m.end()))
    for m in _ZH_NUMERAL.finditer(text):
        if any(a <= m.start() < b for a, b in taken):
            continue
        raw = m.group(0)
        digit_before = re.search(r"(\d+(?:\.\d+)?)$", text[: m.start()])
        if digit_before and raw in ("万", "千", "百", "十万", "百万", "千万", "亿"):
            continue  # 5万 was read with its digits above
        jiao = _ZH_TENTHS.match(text, m.end())
        if jiao and (v := zh_number(raw)):  # 一毛 = 0.1, 两毛五 = 0.25, 五分钱 = 0.05: tenths and hundredths
            cents = jiao.group("f")
            f = (int(cents) if cents.isdigit() else zh_number(cents) or 0) / 100 if cents else 0.0
            value_t = round(v / 10 + f if jiao.group("jiao") else v / 100, 6)
            nums.append(Num(value_t, m.start(), jiao.end(), text[m.start() : jiao.end()], None, None, False))
            taken.append((m.start(), jiao.end()))
            continue
        currency, stop = _currency_near(text, m.start(), m.end())
        has_unit = any(c in _ZH_UNITS for c in raw)
        if not (has_unit or currency) or (len(raw) == 1 and raw in "十百千万亿" and not currency):
            continue  # 一下, 第一, 三条: words, counts and ordinals are read elsewhere
        if re.match(r"(成|折)", text[m.end() : m.end() + 1]):
            continue  # 两成, 八折: relative changes and discounts
        value = zh_number(raw)
        if value is None or value == 0:
            continue
        sign = -1 if re.search(r"(负|-)\s?$", text[max(0, m.start() - 2) : m.start()]) else 1
        nums.append(Num(float(sign * value), m.start(), stop, text[m.start() : stop], currency, None, "万" in raw))
    nums.sort(key=lambda n: n.start)
    return _Scan(nums, bad)


# -- ids ----------------------------------------------------------------------------------------

_ID_NOUNS: dict[Kind, str] = {
    "product": r"products?|items?|skus?|prod\.?|articles?|产品|商品|货品|单品|宝贝|sku",
    "customer": r"customers?|clients?|buyers?|shoppers?|accounts?|members?|users?|cust\.?|客户|顾客|用户|会员|买家",
    "campaign": r"campaigns?|camp\.?|ad ?sets?|活动|广告活动|广告计划|投放计划|计划|推广计划",
}
_ID_AFTER = {
    k: re.compile(
        rf"(?:{v})\s?(?:#|no\.?|number|id|编号|号|:)?\s?(?:is\s|=\s?)?(?:#\s?)?(?P<n>\d{{1,9}})(?P<m>)(?![\d.,]\d)(?!\d|\s?(?:月|日|天|周|年|个月|%))",  # 计划11月: a month
        re.I,
    )
    for k, v in _ID_NOUNS.items()
}
_ID_BEFORE = {  # 第3个活动 and 12748号客户 are ids; 3个活动 and 3位客户 are counts
    k: re.compile(
        rf"(?:第\s?(?P<n>\d{{1,9}})\s?(?:个|位|名|号)?|(?P<m>\d{{1,9}})\s?(?:号|这个|这位|这名|那个|那位)?)\s?(?:的)?\s?(?:{v})",
        re.I,
    )
    for k, v in _ID_NOUNS.items()
}
_NOT_AN_ID = r"(?!\d|[.,]\d|\s?(?:%|p\b|pence|k\b|pounds?|quid|英镑|镑|元|块|万|千|天|days?))"
_LIST_SEP = r"\s?(?:,|and|&|\+|or|和|、|与|跟|及)\s?"
_CAMPAIGN_LIST = re.compile(
    rf"(?:\b(?:campaigns?|camps?|ad ?sets?)|活动|计划)\s?#?(?P<list>\d{{1,6}}{_NOT_AN_ID}"
    rf"(?:{_LIST_SEP}(?:(?:campaigns?|camp|活动|计划)\s?)?#?\d{{1,6}}{_NOT_AN_ID})+)",
    re.I,
)
_CAMPAIGN_LIST_ZH = re.compile(  # 1号和3号活动, 2号3号活动, 1、2号计划, 1号2号各加5分钱出价
    r"(?<![\d.])(?P<list>(?:\d{1,6}\s?(?:号\s?(?:和|、|,|与|跟|及)?|(?:和|、|,|与|跟|及))\s?)+\d{1,6})\s?号?\s?(?:的)?\s?"
    r"(?:活动|计划|广告计划|campaigns?|(?:日|每日)?(?:出价|预算)|cpc|(?=\S{0,4}(?:出价|预算)))",
    re.I,
)
_BULK_NOUN = r"(?:(?:max\s)?(?:bids?|budgets?|cpcs?|caps?)|daily budgets?|spend caps?)"
_CAMPAIGN_LIST_EN = re.compile(  # "bids on 1,2,3", "budgets for 1 and 2", "increase 1 and 2 budgets"
    rf"\b{_BULK_NOUN}\s(?:on|for|of)\s(?:campaigns?\s|camps?\s|c)?#?(?P<list>\d{{1,2}}(?:,\d{{1,2}})+(?![\d.])"
    rf"|\d{{1,6}}{_NOT_AN_ID}(?:{_LIST_SEP}(?:c|#)?\d{{1,6}}{_NOT_AN_ID})+)"
    rf"|(?<![\d.£$€¥#])(?P<list2>\d{{1,6}}(?:{_LIST_SEP}\d{{1,6}})+)(?:'s)?\s{_BULK_NOUN}\b",
    re.I,
)
_CAMPAIGN_RANGE = re.compile(  # "campaigns 1-3", "bids on 1 to 3", 1到3号活动
    rf"(?:\b(?:campaigns?|camps?|{_BULK_NOUN}\s(?:on|for|of))|活动|计划)\s?#?(?P<a>\d{{1,3}})\s?(?:-|–|~|到|至)\s?#?(?P<b>\d{{1,3}})(?![\d.,%p£$])"
    r"|(?<![\d.])(?P<za>\d{1,3})\s?(?:-|~|到|至)\s?(?P<zb>\d{1,3})\s?号\s?(?:的)?\s?(?:活动|计划|出价|预算)",
    re.I,
)
_CAMPAIGN_C = re.compile(r"(?<![A-Za-z0-9£$€¥.])[cC](?P<n>\d{1,3})(?![\d.,]?\d|[A-Za-z%])")  # "c1 600, c3 150"
_CAMPAIGN_WORDED = re.compile(
    r"\b(?:campaign|camp)\s(?:#\s?|no\.?\s)?(?P<en>one|two|three|four|five|six|seven|eight|nine|ten)\b"
    r"|第\s?(?P<zh>[一二两三四五六七八九十]{1,3})\s?(?:个|条)?\s?(?:的)?\s?(?:广告活动|广告计划|活动|计划)",
    re.I,
)
_CAMPAIGN_EDIT = re.compile(r"出价|预算|\bcpcs?\b|\bbids?\b|\bbudgets?\b|\bspend caps?\b", re.I)
_NOT_CAMPAIGN = re.compile(r"产品|商品|客户|顾客|用户|会员|\b(?:products?|items?|skus?|customers?|clients?)\b", re.I)
_ANY_ID = re.compile(
    r"(?<![\d.,£$€¥月])(?<!月\s)(?P<n>\d{1,7})\s?号(?!\s?(?:客户|顾客|用户|会员|买家|活动|计划))|(?:^|(?<=[\s(]))#(?P<n2>\d{1,7})\b"
)
_AMOUNT_BEFORE = re.compile(
    r"(?:超过|高于|大于|多于|不到|低于|少于|小于|不超过|不低于|满|消费|花了?|金额|≥|>|<|≤|=)\s?$"
)
_NOW_VALUE = re.compile(
    r"(?:现在|目前|当前|眼下|原价|现价)\s?(?:是|卖|售价|价格|定价|的价格|标价)?\s?[£$¥]?\s?$"
    r"|\b(?:currently|right now|at the moment|today)\s(?:(?:it'?s|is|sells?|priced|at|for)\s){0,3}[£$]?\s?$"
    r"|\b(?:it'?s|is)\s(?:currently|now)\s(?:at\s)?[£$]?\s?$"
    r"|\b(?:spend|spent|use|hit|reach)\s(?:all\sof\s)?(?:its|their|the)\s(?:(?:full|whole|daily)\s)?[£$]?\s?$",  # "on track to spend its £200"
    re.I,
)
_PRODUCT_SAID = re.compile(
    r"\b(?:products?|items?|skus?|stock|similar|like|ads?|copy|headlines?|descriptions?|posts?|price[ds]?|sells?|selling)\b"
    r"|产品|商品|单品|货号|款|类似|差不多|相似|标题|文案|卖点|价格|定价|广告",
    re.I,
)
CUSTOMER_CUE = re.compile(  # words about a customer: a bare five-digit number beside them is a customer's id
    r"\b(?:worth|value|ltv|clv|customers?|clients?|buyers?|shoppers?|active|alive|churn\w*|lapse\w*|they|them|he|she)\b"
    r"|他|她|客户|顾客|价值|流失|回购|复购",
    re.I,
)
_LEFT_OUT = re.compile(
    r"(?:\b(?:except|excluding|without|not|but not|apart from|leave|leaving)(?:\sthe)?|除了|不含|不包括|不要)\s?$"
)
_CAMPAIGN_EDIT_WORDS = re.compile(r"\b(?:campaigns?|bids?|budgets?|cpcs?)\b|活动|计划|出价|预算", re.I)
_CUSTOMER_NEAR = re.compile(r"(?:customers?|clients?|buyers?|客户|顾客|用户|会员)\s?(?:#|no\.?|id|编号|号)?\s?$", re.I)
_STOCK_NOUN = re.compile(r"(?:skus?|stock ?code|货号|款号)", re.I)
_STOCK_CODE = re.compile(r"(?<![A-Za-z0-9])(?P<code>\d{5}[A-Za-z]{0,2})(?![A-Za-z0-9])")
_STOCK_WORD = re.compile(r"(stock ?code|货号|款号|编码|code)\s?[:#]?\s?$", re.I)


def find_refs(text: str, stock_codes: dict[str, int] | None = None) -> tuple[list[Ref], list[tuple[str, int, int]]]:
    """Ids written after their noun (product 12, campaign #2, 客户12347) or before it (12748号客户,
    2号活动, 第3个活动), and stock codes (85123A) resolved to product ids when the catalog knows them."""
    refs: list[Ref] = []
    spans: list[tuple[int, int]] = []

    def free(a: int, b: int) -> bool:
        return not any(a < y and x < b for x, y in spans)

    for m in _CAMPAIGN_RANGE.finditer(text):  # "campaigns 1-3": each one from the first to the last
        a, b = (int(m.group("a")), int(m.group("b"))) if m.group("a") else (int(m.group("za")), int(m.group("zb")))
        at, end = (m.start("a"), m.end("b")) if m.group("a") else (m.start("za"), m.end("zb"))
        if 1 <= a < b <= a + 20 and free(at, end):
            refs.extend(Ref("campaign", i, at, end, m.group(0)) for i in range(a, b + 1))
            spans.append((at, end))
    # the noun before its number first, of every kind ("买过商品 1289 的客户": product 1289, not customer 1289)
    kinds: tuple[Kind, ...] = ("campaign", "customer", "product")
    for pat, kind in [(p[k], k) for p in (_ID_AFTER, _ID_BEFORE) for k in kinds]:
        for m in pat.finditer(text):
            g = "n" if m.group("n") is not None else "m"
            if pat is _ID_BEFORE[kind] and g == "m" and not _CJK.search(m.group(0)):
                continue  # "12 products" is a count, not product 12 (English puts the id after the noun)
            if (
                pat is _ID_BEFORE[kind]
                and g == "m"
                and re.search(
                    r"(?:前|(?<![之以])后|倒数|top|bottom)\s?$", text[max(0, m.start() - 7) : m.start()], re.I
                )
            ):
                continue  # 销售额前20的产品: the top 20 products, not product 20
            if pat is _ID_BEFORE[kind] and g == "m" and _AMOUNT_BEFORE.search(text[max(0, m.start() - 6) : m.start()]):
                continue  # 消费超过1000的客户: an amount, not customer 1000
            if pat is _ID_AFTER[kind] and re.match(
                r"\s?(%|percent|p\b|k\b|万|千|元|块|英镑|pounds?)", text[m.end() : m.end() + 8], re.I
            ):
                continue  # "item 5% off" is not product 5
            if len(m.group(g)) == 5 and re.match(r"[A-Za-z]{1,2}(?![A-Za-z0-9])", text[m.end(g) : m.end(g) + 3]):
                continue  # "product 85123A": a stock code, read below (not product 85123)
            if free(m.start(g), m.end(g)):
                refs.append(Ref(kind, int(m.group(g)), m.start(g), m.end(g), m.group(0)))
                spans.append((m.start(g), m.end(g)))
    for pat in (_CAMPAIGN_LIST, _CAMPAIGN_LIST_ZH, _CAMPAIGN_LIST_EN):  # "campaigns 1 and 3", "1号和3号活动"
        for m in pat.finditer(text):
            g = "list2" if "list2" in pat.groupindex and m.group("list") is None else "list"
            for d in re.finditer(r"\d+", m.group(g)):
                a, b = m.start(g) + d.start(), m.start(g) + d.end()
                if free(a, b):
                    refs.append(Ref("campaign", int(d.group(0)), a, b, m.group(0)))
                    spans.append((a, b))
    for m in _CAMPAIGN_WORDED.finditer(text):  # "campaign two", 第三个计划
        n = _COUNT_WORDS.get((m.group("en") or "").lower()) or zh_number(m.group("zh") or "")
        g = "en" if m.group("en") else "zh"
        if n and free(m.start(g), m.end(g)):
            refs.append(Ref("campaign", n, m.start(g), m.end(g), m.group(0)))
            spans.append((m.start(g), m.end(g)))
    if not _NOT_CAMPAIGN.search(text):
        for m in _CAMPAIGN_C.finditer(text):  # "c1 600, c3 150 for the daily budgets", "kill c3"
            if free(m.start("n"), m.end("n")):
                refs.append(Ref("campaign", int(m.group("n")), m.start("n"), m.end("n"), m.group(0)))
                spans.append((m.start("n"), m.end("n")))
    for m in _ANY_ID.finditer(text):  # "1289号蛋糕架", "#1523": an id whose kind the tool decides
        g = "n" if m.group("n") else "n2"
        if free(m.start(g), m.end(g)):
            refs.append(Ref("any", int(m.group(g)), m.start(g), m.end(g), m.group(0)))
            spans.append((m.start(g), m.end(g)))
    unresolved: list[tuple[str, int, int]] = []
    for m in _STOCK_CODE.finditer(text):
        code = m.group("code").upper()
        if not free(m.start(), m.end()):
            continue
        lettered = code[-1].isalpha()
        worded = bool(_STOCK_WORD.search(text[max(0, m.start() - 12) : m.start()]))
        if not (lettered or worded):
            continue  # a bare 5-digit number is a customer id or an amount, not a stock code
        if stock_codes is not None and code in stock_codes:
            refs.append(Ref("product", stock_codes[code], m.start(), m.end(), code))
        else:
            unresolved.append((code, m.start(), m.end()))
        spans.append((m.start(), m.end()))
    if _CAMPAIGN_EDIT.search(text) and not _NOT_CAMPAIGN.search(text):  # "1号2号各加5分钱出价", "#1 £1.00, #2 65p
        refs = [Ref("campaign", r.value, r.start, r.end, r.raw) if r.kind == "any" else r for r in refs]  # bids"
    refs.sort(key=lambda r: r.start)
    return refs, unresolved


# -- everything else ----------------------------------------------------------------------------

_QUOTED = re.compile(r"\"(.+?)\"|「(.+?)」|《(.+?)》|(?:(?<=^)|(?<=[\s:]))'(.+?)'(?=[\s,.?!;:]|$)", re.S)
_DATE = re.compile(
    r"(?<![A-Za-z0-9_.])(?:19|20)\d\d(?:[-/](?:0?[1-9]|1[0-2])(?:[-/](?:0?[1-9]|[12]\d|3[01]))?|\.(?:0?[1-9]|1[0-2])\.(?:0?[1-9]|[12]\d|3[01]))(?![\d.]?\d)(?![A-Za-z])|\d{1,2}月\d{1,2}[日号]|(?:19|20)\d\d年(?:\d{1,2}月)?"
)
_CHANNELS = {
    "email": "email", "e-mail": "email", "emails": "email", "edm": "email", "newsletter": "email", "邮件": "email",
    "search": "paid_search", "paid search": "paid_search", "sem": "paid_search", "ppc": "paid_search",
    "google ads": "paid_search", "搜索": "paid_search", "social": "social", "facebook": "social",
    "instagram": "social", "meta": "social", "tiktok": "social", "社交": "social", "社媒": "social",
    "抖音": "social", "小红书": "social", "display": "display", "banner": "display", "programmatic": "display",
    "展示": "display", "信息流": "display", "affiliate": "affiliate", "affiliates": "affiliate",
    "partners": "affiliate", "联盟": "affiliate", "cps": "affiliate",
}  # fmt: skip
_OCCASIONS = {
    "black friday": "Black Friday", "cyber monday": "Cyber Monday", "christmas": "Christmas", "xmas": "Christmas",
    "easter": "Easter", "valentine": "Valentine's Day", "valentines": "Valentine's Day", "valentine's": "Valentine's Day",
    "black-friday": "Black Friday", "mother's day": "Mother's Day", "mothers day": "Mother's Day",
    "mum's day": "Mother's Day", "fathers day": "Father's Day", "dad's day": "Father's Day",
    "father's day": "Father's Day", "halloween": "Halloween", "back to school": "Back to school",
    "summer sale": "Summer sale", "january sale": "January sale", "january sales": "January sale",
    "jan sale": "January sale", "jan sales": "January sale", "一月大促": "January sale", "new year": "New Year", "boxing day": "Boxing Day", "双十一": "双十一",
    "双11": "双十一", "黑五": "黑五", "黑色星期五": "黑五", "圣诞": "圣诞", "618": "618", "春节": "春节",
    "情人节": "情人节", "母亲节": "母亲节", "父亲节": "父亲节", "中秋": "中秋", "新年": "新年", "元旦": "元旦",
    "双十二": "双十二", "双12": "双十二", "年货节": "年货节", "开学季": "开学季", "复活节": "复活节", "万圣节": "万圣节",
}  # fmt: skip
_COUNTRIES = {
    "united kingdom": "United Kingdom", "uk": "United Kingdom", "britain": "United Kingdom", "england": "United Kingdom",
    "英国": "United Kingdom", "germany": "Germany", "德国": "Germany", "france": "France", "法国": "France",
    "eire": "EIRE", "ireland": "EIRE", "爱尔兰": "EIRE", "spain": "Spain", "西班牙": "Spain",
    "netherlands": "Netherlands", "holland": "Netherlands", "荷兰": "Netherlands", "belgium": "Belgium",
    "比利时": "Belgium", "switzerland": "Switzerland", "瑞士": "Switzerland", "portugal": "Portugal",
    "葡萄牙": "Portugal", "australia": "Australia", "澳大利亚": "Australia", "norway": "Norway", "挪威": "Norway",
    "italy": "Italy", "意大利": "Italy", "japan": "Japan", "日本": "Japan", "sweden": "Sweden", "瑞典": "Sweden",
    "usa": "USA", "united states": "USA", "美国": "USA", "canada": "Canada", "加拿大": "Canada",
    "austria": "Austria", "奥地利": "Austria", "bahrain": "Bahrain", "巴林": "Bahrain", "brazil": "Brazil",
    "巴西": "Brazil", "channel islands": "Channel Islands", "海峡群岛": "Channel Islands", "cyprus": "Cyprus",
    "塞浦路斯": "Cyprus", "czech republic": "Czech Republic", "czechia": "Czech Republic", "捷克": "Czech Republic",
    "denmark": "Denmark", "丹麦": "Denmark", "finland": "Finland", "芬兰": "Finland", "greece": "Greece",
    "希腊": "Greece", "iceland": "Iceland", "冰岛": "Iceland", "israel": "Israel", "以色列": "Israel",
    "lebanon": "Lebanon", "黎巴嫩": "Lebanon", "lithuania": "Lithuania", "立陶宛": "Lithuania", "malta": "Malta",
    "马耳他": "Malta", "poland": "Poland", "波兰": "Poland", "south africa": "RSA", "南非": "RSA",
    "saudi arabia": "Saudi Arabia", "沙特": "Saudi Arabia", "singapore": "Singapore", "新加坡": "Singapore",
    "united arab emirates": "United Arab Emirates", "uae": "United Arab Emirates", "阿联酋": "United Arab Emirates",
}  # fmt: skip
_COUNTRIES |= {  # "French customers", "our German buyers": a country by its adjective
    "british": "United Kingdom", "german": "Germany", "french": "France", "irish": "EIRE", "spanish": "Spain",
    "dutch": "Netherlands", "belgian": "Belgium", "swiss": "Switzerland", "portuguese": "Portugal",
    "australian": "Australia", "norwegian": "Norway", "italian": "Italy", "japanese": "Japan", "swedish": "Sweden",
    "american": "USA", "canadian": "Canada", "austrian": "Austria", "danish": "Denmark", "finnish": "Finland",
    "greek": "Greece", "icelandic": "Iceland", "israeli": "Israel", "cypriot": "Cyprus", "brazilian": "Brazil",
    "maltese": "Malta", "lithuanian": "Lithuania", "lebanese": "Lebanon", "singaporean": "Singapore",
    "czech": "Czech Republic", "saudi": "Saudi Arabia", "emirati": "United Arab Emirates",
}  # fmt: skip


def _words_of(table: dict[str, str], before: str = "a-z", after: str = "a-z") -> re.Pattern[str]:
    """One pattern for every key of a table (longest first), ASCII keys as whole words."""
    keys = sorted(table, key=len, reverse=True)
    alts = [rf"(?<![{before}]){re.escape(k)}(?![{after}])" if k.isascii() else re.escape(k) for k in keys]
    return re.compile("|".join(alts))


# Two-letter codes, in capitals only ("DE only", "FR customers"); IT, NO and AT read as words.
_COUNTRY_CODES = {
    "DE": "Germany", "FR": "France", "NL": "Netherlands", "ES": "Spain", "BE": "Belgium", "CH": "Switzerland",
    "PT": "Portugal", "AU": "Australia", "SE": "Sweden", "JP": "Japan", "DK": "Denmark", "FI": "Finland",
    "IE": "EIRE", "US": "USA", "GB": "United Kingdom",
}  # fmt: skip
_COUNTRY_CODE = re.compile(r"(?<![A-Za-z])(?:" + "|".join(_COUNTRY_CODES) + r")(?![A-Za-z])")
_CHANNEL_WORDS = _words_of(_CHANNELS)
_OCCASION_WORDS = re.compile(  # a number-like occasion (618) is no part of an amount ("618,000", "618元")
    _words_of({k: v for k, v in _OCCASIONS.items() if not k[0].isdigit()}, "a-z0-9£$€¥.", "a-z0-9").pattern
    + "|"
    + _words_of({k: v for k, v in _OCCASIONS.items() if k[0].isdigit()}, "a-z0-9£$€¥.", "a-z0-9.,%万千百元块").pattern
)
_COUNTRY_WORDS = _words_of(_COUNTRIES)
COUNTRY_WORDS = _COUNTRY_WORDS  # a country by its name or adjective, English or Chinese
_OUTSIDE_BEFORE = re.compile(
    r"(?:\b(?:outside|excluding|except|exclude|other than|apart from|besides|not counting|non)\.?(?: for)?(?: in)?(?: the)?[\s-]"
    r"|\b(?:leave|leaving|drop|dropping|ignore|ignoring|without|minus|ex)(?: out)?(?: the)?\s"
    r"|除了?|非|不算|不含|不包括|不计|排除|去掉|刨除|剔除)$"
)
_OUTSIDE_AFTER = re.compile(
    r"(?:以外|之外|除外)|\s?out\b(?! of (?!it\b|this\b|the (?:list|report|ranking)\b))"
)  # "leave the UK out"
_PERIOD = re.compile(
    r"\b(?:last|past|previous|this|next)\s(?:\d+\s)?(?:days?|weeks?|months?|quarters?|years?)\b"
    r"|\b(?:yesterday|today|this morning|so far today|year to date|ytd)\b|\bin (?:19|20)\d\d\b"
    r"|(?:上|这|本|下)(?:个)?(?:月|周|季度)|(?:去|今|明)年|最近\s?\d*\s?(?:天|周|个月|年)|昨天|今天",
    re.I,
)
_PERIODS: list[tuple[re.Pattern[str], str]] = [
    (re.compile(p, re.I), name)
    for p, name in (
        (r"\b(?:so far )?today\b|this morning|今天|今日|当天", "today"),
        (r"\byesterday\b|昨天|昨日", "yesterday"),
        (r"\b(?:this|current) week\b|\bweek to date\b|\bwtd\b|本周|这周|这个星期|这一周", "this_week"),
        (r"\b(?:last|previous|prior) week\b|上周|上个星期|上星期|上一周", "last_week"),
        (
            r"\b(?:this|current) month\b|\bmonth to date\b|\bmtd\b|\bsince the (?:start|beginning) of the month\b"
            r"|本月|这个月|这月|当月|(?<![\d一二三四五六七八九十])月初(?:以来|到现在|至今)",
            "this_month",
        ),
        (r"(?<!each )(?<!every )(?<!the )\b(?:last|previous|prior) month\b|上个月|上月|上一个月", "last_month"),
        (r"\b(?:last|past|previous|prior) (?:7 days|seven days)\b|\b7d\b|\bpast week\b|\blast 7\b", "last_7_days"),
        (r"\b(?:last|past|previous|prior) (?:two|2) weeks\b|\b(?:last|past) fortnight\b|\b14d\b", "last_14_days"),
        (r"\b(?:last|past|previous|prior) (?:four|4) weeks\b|\b28d\b", "last_28_days"),
        (
            r"\b(?:last|past|previous|prior) (?:30 days|thirty days|month of data)\b|\bpast month\b|\b30d\b",
            "last_30_days",
        ),
        (r"\b(?:last|previous|prior) quarter\b|\blast q\b|上个?季度|上一季度", "last_quarter"),
        (
            r"\b(?:this|current) quarter\b|\bquarter to date\b|\bqtd\b|\bsince the (?:start|beginning) of the quarter\b"
            r"|本季度|这个?季度|当季|季度初",
            "this_quarter",
        ),
        (
            r"\b(?:year to date|ytd|this year|so far this year|since the (?:start|beginning) of the year)\b"
            r"|\b(?:19|20)\d\d (?:so far|to date|ytd)\b"
            r"|今年(?:以来|到现在|至今|累计)?|本年度?|年初",
            "ytd",
        ),
        (r"\blast year\b|\bprevious year\b|去年|上一年", "last_year"),
        (
            r"\b(?:last|past|previous|prior) (?:12 months|twelve months|year)\b|(?:最近|近|过去)\s?(?:12|十二)\s?个月|(?:最近|近|过去)一年",
            "last_12_months",
        ),
        (
            r"\b(?:last|past|previous|prior) (?:6 months|six months|half year)\b|(?:最近|近|过去)\s?(?:6|六)\s?个月|近半年|最近半年|过去半年|这半年|前半年",
            "last_6_months",
        ),
        (r"\b(?:last|past|previous|prior) (?:90 days|three months|3 months)\b|\b90d\b", "last_90_days"),
        (r"(?:最近|近|过去|前)\s?(?:一|1)\s?(?:周|个星期|星期)", "last_7_days"),
        (r"(?:最近|近|过去|前)\s?(?:两|2)\s?(?:周|个星期|星期)", "last_14_days"),
        (r"(?:最近|近|过去|前)\s?(?:一|1)\s?个?月", "last_30_days"),
        (r"(?:最近|近|过去|前)\s?(?:三|3)\s?个?月|(?:最近|近|过去)一个?季度", "last_90_days"),
    )
]
_AGAINST = re.compile(r"(?:\b(?:vs\.?|versus|against|compared (?:to|with)|than|over)|比|对比|相比|比起)\s?$", re.I)
_AGAINST_LAST = {"last_week": "last_7_days", "last_month": "last_30_days", "last_quarter": "last_90_days"}
_LAST_N_DAYS = re.compile(
    r"\b(?:last|past|previous|prior)\s(?P<n>\d{1,3}|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fifteen"
    r"|twenty|thirty)\s?(?P<u>days?|weeks?|wks?|months?)\b"
    r"|(?:最近|近|过去|前)\s?(?P<z>\d{1,3}|[一二两三四五六七八九十]+)\s?(?P<zu>天|周|个?星期|个月)",
    re.I,
)
_ALL_CAMPAIGNS = re.compile(
    r"\b(?:all|every|each|both)\b(?:\s(?:of\s)?(?:the|our|my|your)\b)?(?:\s[\w'-]+){0,2}?\s(?:campaigns?|camps?|bids?|budgets?|cpcs?|ads?|caps?)\b"
    r"|\bacross the (?:board|account)\b|\baccount[- ]wide\b|\bacross (?:all |every )?(?:campaigns|everything)\b"
    r"|(?<!one of )(?<!any of )(?<!some of )\b(?:my|our|the)\s(?:[\w-]+\s)?(?:campaigns|ads|adverts)\b(?!\s?#?\d)"
    r"(?!\s(?:bid|budget|cpc|status|daily budget)\b)|活动们"  # "the easter campaign's bid": one campaign's
    r"|(?:所有|全部|每个|每一个|每条|各个|全账户|全)(?:的)?\S{0,4}?(?:活动|计划|出价|预算|campaign)|各(?:活动|计划)"
    r"|(?:整体|全体|全线|集体|全盘|统一)(?:的)?\S{0,3}?(?:出价|预算)|(?:出价|预算)\S{0,3}?(?:整体|全体|全线|集体|全盘|一律)"
    r"|(?:[三四五六七八九十]|\d{1,2})\s?(?:个|条)\s?(?:活动|计划)(?=.*?(?:都|统一|各|一律|集体|全))"
    r"|\b(?:everywhere|across the lot|the lot|all of them|all (?:three|four|five))\b",
    re.I,
)
_ALL_PRODUCTS = re.compile(
    r"\b(?:all|every|each)\b(?:\s(?:of\s)?(?:the|our|my)\b)?\s(?:products?|items?|skus?|prices|lines)\b"
    r"|\b(?:the whole|our whole|the entire|our entire) (?:catalog(?:ue)?|range|shop|store)\b|\bsite[- ]wide\b|\bstore[- ]wide\b"
    r"|(?:所有|全部|每个|全店|整个店铺?)的?(?:产品|商品|价格|单品|sku)|全店|全场",
    re.I,
)
_SKIP_APPROVAL = re.compile(
    r"\b(?:no|without|skip(?:ping)?|bypass(?:ing)?|forget(?: about)?|don'?t (?:need|wait for|bother with))\s(?:the\s|any\s|an\s|my\s)?"
    r"(?:need\s(?:to\s)?(?:ask(?:ing)?\s)?(?:me\s)?(?:for\s)?(?:an?\s|the\s)?)?(?:approvals?|sign[- ]?off|confirmation|confirming|asking)\b"
    r"|\bwithout (?:asking|checking with) me\b|\bdon'?t ask me\b"
    r"|(?:不用|不需要|无需|别|跳过|免)(?:走)?(?:审批|批准|确认|审核|问我)|直接改|直接生效|直接执行",
    re.I,
)
_ASCII_B = r"(?:(?<![a-z0-9])(?=[a-z0-9])|(?<=[a-z0-9])(?![a-z0-9]))"  # a word edge that Chinese text beside it keeps
_METRICS: list[tuple[re.Pattern[str], str]] = [
    (re.compile(p.replace(r"\b", _ASCII_B), re.I), name)  # "CPA呢": the metric, though 呢 is a word character
    for p, name in (
        (r"\bconversion rates?\b|\bcvr\b|转化率", "conversion_rate"),
        (r"\bcost per (?:click|visit)\b|\bcpcs?\b|点击成本|单次点击", "cpc"),
        (
            r"\bcpa\b|\bcost per (?:acquisition|conversion|order|sale|purchase)\b|\bcost per\b|\bper (?:sale|order|conversion)\b"
            r"|转化成本|获客成本|每单成本|单次转化成本|成本最|每单",
            "cpa",
        ),
        (r"\broas\b|\broi\b|\breturn on (?:ad )?spend\b|\breturn\b|投产比|回报|roi", "roas"),
        (
            r"\bctr\b|\bclick[- ]?through(?: rate)?\b|\bclicking\b|\bclick on (?:it|them|the ads?)\b|点击率|点进来|点进去",
            "ctr",
        ),
        (r"\bconversions?\b|\bconverts?\b|\bconverting\b|\borders\b|\bsales\b|转化|成交单|下单|几单", "conversions"),
        (r"\brevenue\b|\bturnover\b|\bmakes? (?:us )?(?:the )?most\b|成交额|收入|营收|赚", "revenue"),
        (
            r"\bspend(?:ing)?\b|\bspent\b|\bcosts?\b|\b(?:ate|eats?|eating) (?:up )?(?:most|the (?:most|bulk|lion'?s share))"
            r"|\bburn(?:s|ed|t|ing)?\b|\bcostliest\b|\bmost expensive\b|\bbiggest spenders?\b|花费|消耗|烧钱|花了|花得最多",
            "spend",
        ),
        (r"\bclicks?\b|点击", "clicks"),
        (r"\bimpressions?\b|\bimps\b|展现|曝光|展示量", "impressions"),
    )
]
_RANKING = re.compile(
    r"\b(?:rank(?:ed|ing|s)?|compare[ds]?|comparison|versus|vs\.?|league table|stacks? up|best|worst|top|bottom|highest"
    r"|lowest|cheapest|most expensive|better|worse|side[- ]by[- ]side|in order|from best)\b|\bwhich (?:campaign|one|of)\b"
    r"|(?<![a-z])top(?=\s?\d)"  # "TOP20的SKU", "top5"
    r"|哪个|哪一个|对比|比较|排名|排序|排个|最高|最低|最好|最差|最贵|最便宜|最多|最少|最烧钱|谁的|相比|从好到差",
    re.I,
)
METRIC_PATTERNS = _METRICS  # each ad metric's words, English and Chinese
_LANGUAGE = re.compile(
    r"\b(?:in|into|to) (?P<en>chinese|mandarin|english)\b|\b(?P<en2>chinese|english) (?:version|copy|ones?|variants?|headlines?)\b"
    r"|(?:用|换成|改成|翻译成|译成|写成|出|来)?(?:一版|一份)?(?P<zh>中文|汉语|英文|英语)(?=版|的|标题|文案|广告|描述|$|\s|[?,.])",
    re.I,
)
_NEGATION = re.compile(
    r"\b(?:don'?t|do not|never|no need to|stop|shouldn'?t|won'?t|not)\s(?:\w+\s){0,2}?(?:set|change|touch|raise|lower|"
    r"increase|decrease|cut|update|move|adjust|reprice|modify|alter|pause|resume|restart|unpause|reactivate|switch|turn)\b"
    r"|\bleave\s.{0,30}\b(?:as it is|as is|alone|unchanged|running|on|off|paused)\b"
    r"|(?:不要|别|不用|不必|先别|暂时不|不需要)\s?(?:\S{0,3})?(?:改|调|动|设|变|提|降|涨|停|关|暂停|恢复|重启)",
    re.I,
)
_HYPOTHETICAL = re.compile(
    r"\b(?:what (?:would|will|might|could) happen|what happens|what if|would it|would (?:sales|demand|revenue|profit|units|we|people|it)"
    r"|how (?:much|many) would|hypothetically|suppose|supposing|imagine|simulat\w*|should we|is it worth|worth (?:it|raising|lowering|cutting)"
    r"|(?:if|when) we (?:were to|did|set|raise|raised|lower|lowered|cut|change|changed|put|drop|dropped|increase|increased|reduce|reduced|move|moved|double|doubled"
    r"|pause|paused|stop|stopped|resume|resumed|restart|restarted|switch|switched|turn|turned)"
    r"|will (?:people|customers|sales|demand) )"
    r"|假如|假设|如果|要是|模拟|试算|会怎样|会怎么样|会不会|影响多大|有什么影响|该不该|值不值得|是否应该",
    re.I,
)
_ORDINALS = {"first": 1, "1st": 1, "top": 1, "second": 2, "2nd": 2, "third": 3, "3rd": 3, "fourth": 4, "4th": 4}
_ORDINALS |= {"fifth": 5, "5th": 5, "last": -1, "bottom": -1, "worst": -1, "best": 1}  # a list is shown best first
_ORDINAL = re.compile(
    r"\b(?:the\s)?(?P<en>first|1st|top|second|2nd|third|3rd|fourth|4th|fifth|5th|last|bottom)\s(?:one|customer|client|"
    r"product|item|person|guy|entry|row|suggestion|recommendation|headline|result|campaign|camp)\b"
    r"|\bthe\s(?P<rank>worst|best)\s(?:one|performer)\b"
    r"|\bthe\s(?P<seller>(?:best|top)[- ]?sell(?:er|ing(?: one)?)|most popular(?: one)?)\s(?:of|among|from)\s"
    r"(?:those|these|them|the list)\b"
    r"|\bthe\s(?P<seller2>(?:best|top)[- ]?selling|most popular)\s(?:one|product|item|design|colou?r|version)\b"
    r"|(?P<zbest>(?:卖得|销量)最(?:好|高|多)|最畅销|最好卖)的?(?:那|这)?一?(?:款|个|种|件)"
    r"|\b(?P<that>that)\sone\b"
    r"|\bnumber\s(?P<num>[1-9])\b"
    r"|(?:^|\s)#(?P<hash>[1-9])\b|第\s?(?P<zh>[一二三四五六七八九十1-9])\s?(?:个|位|名|条|款|件)|(?P<zlast>最后|最差的?|垫底的?)一?\s?(?:个|位|名|条|那个|那条|活动|计划)",
    re.I,
)
_SUGGESTED = re.compile(
    r"\b(?:suggested|recommended|proposed|optimal|your)\s(?:one|bid|price|budget|value)\b"
    r"|^\s*(?:ok(?:ay)?,?\s+|then\s+|right,?\s+)?(?:go ahead and\s+)?set (?:it|the (?:price|bid)) to that\s*[.!]?\s*$"
    r"|\b(?:what(?:ever)?|the (?:one|value|figure|number|bid|price)(?: that)?) you (?:just )?(?:suggested|recommended|proposed)\b"
    r"|\byour (?:suggestion|recommendation)\b|建议的?(?:出价|价格|预算|值)|推荐的?(?:出价|价格|预算)|你(?:刚才)?(?:建议|推荐)的",
    re.I,
)
_AUDIENCE = re.compile(
    r"\b(?:for|aimed at|targeting|target|targeted at|to)\s(?P<a>(?!product|item|campaign|customer|sku|an?\b|the\b|it\b|them\b|us\b|me\b|\d)"
    r"[a-z][a-z' \-]{2,40}?)(?=[,.?!;]|\s(?:in|with|about|that|who|on|please|doing|buying|shopping|looking|planning|getting"
    r"|during|before|this|for)\b|$)",
    re.I,
)
_ZH_GIFT_FOR = re.compile(  # 送闺蜜的礼物, 送给妈妈: the copy speaks to those who give it (给闺蜜：…)
    r"送(?:给)?(?P<r>闺蜜|好朋友|朋友|好友|妈妈|母亲|爸爸|父亲|老公|老婆|男朋友|女朋友|男友|女友|同事|老师|孩子|宝宝|爷爷|奶奶"
    r"|长辈|家人|爱人|另一半|恋人)"
)
_NEVER = re.compile(r"(?!)")
_OCCASION_FOR = {  # the one a gift day is for: no audience beside the occasion
    **dict.fromkeys(("妈妈", "母亲"), re.compile("母亲节")),
    **dict.fromkeys(("爸爸", "父亲"), re.compile("父亲节")),
    **dict.fromkeys(
        ("老公", "老婆", "男朋友", "女朋友", "男友", "女友", "爱人", "另一半", "恋人"), re.compile("情人节|七夕|520")
    ),
}
_ZH_AUDIENCE = re.compile(  # 面向新客, 给宝妈写: who; 给它写: the product, not an audience
    r"(?:给|面向|针对|写给)(?P<a>(?![它他她我你您这那此其])(?:(?!写)[\u4e00-\u9fff]){2,10}?)(?:写|看的|用的|看|的|群体|人群|,|\.|$)"
)  # (给宝妈看的: 宝妈)
_ZH_AUDIENCE_NAMED = re.compile(  # 目标人群年轻宝妈, 受众：大学生
    r"(?:目标人群|目标用户|目标客群|目标受众|目标客户|受众|人群)(?:是|为|定为|:)?\s?(?P<a>(?:(?!写)[\u4e00-\u9fff]){2,10}?)(?:,|\.|;|$|\s)"
    r"|(?:目标|主打|卖给)(?:是|为|:)?\s?(?P<p>[\u4e00-\u9fff]{0,6}(?:妈|爸|族|人|者|客|生|友|女|男|孩|党|粉|员|们|家长|群体))(?:,|\.|;|$|\s)"
)
_PLATFORMS = {
    "google_rsa": r"\bgoogle(?:\s?ads?|\s?adwords|\s?search)?\b|\badwords\b|\brsas?\b|responsive search ads?|谷歌|搜索广告",
    "meta": r"\bfacebook\b|\bfb\b|\binstagram\b|\binsta\b|\bmeta\b|\big\b|脸书|\bins\b",
    "wechat_moments": r"wechat moments?|\bmoments\b|\bwechat\b|朋友圈|微信",
    "xiaohongshu": r"xiaohongshu|little red book|\bred ?note\b|\bred\b(?= (?:post|note|title)s?\b)|小红书|红书",
}
_TONES = {
    "playful": r"\bplayful\b|\bfun(?:ny|ner)?\b|\bcheeky\b|\bcute\b|\bwitty\b|\bquirky\b|\blight-?hearted\b|\bcheerful\b"
    r"|俏皮|活泼|可爱|有趣|好玩|逗趣|幽默|萌",
    "premium": r"\bpremium\b|\bluxur\w*|\bupscale\b|\belegant\b|\bclassy\b|\bhigh-?end\b|\bsophisticated\b|\bposh\b|\bupmarket\b"
    r"|高端|高级感?|轻奢|奢华|质感|精致|大气|优雅",
    "urgent": r"\burgen(?:t|cy)\b|\bfomo\b|\btime-?sensitive\b|\bpushy\b|\bact fast\b|\bpunchy\b|\bhurry\b|\blast[- ]chance\b"
    r"|紧迫感?|催单|促单|急迫|抓紧|急(?:一点|一些|些)|(?:语气|口吻|调性|风格)\S{0,2}急|紧张感|手慢无|冲一波",
    "warm": r"\bwarm(?:th|er tone)?\b(?! ?(?:er|ers)\b)|\bheartfelt\b|\bfriendly\b|\bcos(?:y|ier)\b|\bcaring\b|\bemotional\b"
    r"|温暖|温馨|暖心|走心|亲切|温情|治愈|温柔|贴心|有温度|暖(?:一点|一些|些|暖)|暖(?:的|一点的)?(?:风格|调性|感觉|语气|调调?)",
}
_SEGMENT_WORDS = {
    "new": r"\bnew (?:customers?|shoppers?|buyers?|visitors?|users?|clients?)\b|\bfirst-?time(?:rs?| buyers?| customers?| shoppers?)?\b"
    r"|\bnewcomers?\b|新客户?|新用户|新顾客|首单|新人|拉新",
    "lapsed": r"\blapsed\b|\blapsing (?:customers?|shoppers?|buyers?)|\bdormant\b|\bchurned\b|\binactive\b|\bwin[- ]?back\b"
    r"|\bhaven'?t (?:bought|ordered|shopped)|\bdrift(?:ed|ing)? (?:away|off)\b|\b(?:gone|went|going) quiet\b"
    r"|\bstopped (?:buying|ordering|shopping|coming)\b|\b(?:haven'?t|hasn'?t|not) (?:been|come) back\b|\blost (?:customers|buyers)\b"
    r"|\bwin (?:them|back)\b|\bre-?engag\w*|流失|沉睡|召回|回流|唤醒|好久没|很久没(?:买|来|下单)|不活跃",
    "vip": r"\bvips?\b|\bloyal(?:ists?)?\b|\bregulars\b|\btop customers\b|\bbest customers\b|\bhigh[- ]value\b"
    r"|老客户?|老顾客|忠实|会员|高价值|大客户",
}
_RFM_WORDS = {
    "champions": r"\bchampions\b|\bchampion (?:customers?|segment|buyers?|shoppers?)\b|冠军(?:客户|用户|分群|人群|买家|客群|顾客|群体)",
    "loyal": r"\bloyal (?:customers?|ones|segment|buyers?|shoppers?)\b|忠诚客户|忠实客户|忠诚分群|忠诚客群|忠实客群",
    "potential_loyalists": r"\bpotential loyalists?\b|潜力客户|潜在忠诚",
    "new": r"\bnew (?:customers?|segment|buyers?|shoppers?)\b|新客户?(?:分群)?|新顾客",
    "need_attention": r"\bneeds? attention\b|需(?:要)?关注",
    "at_risk": r"\bat[- _]risk\b|有流失风险|流失风险",
    "hibernating": r"\bhibernating\b|沉睡分群|沉睡客群|沉睡客户|沉睡用户|沉睡顾客|休眠客户|休眠客群",
}
_GRAINS = {
    "day": r"\b(?:by|per|each|every) day\b|\bdaily\b(?! (?:budgets?|caps?|limits?))|\bday[- ]by[- ]day\b|\bby the day\b|按天|按日|逐日|分天|每天|每日|日销",
    "week": r"\b(?:by|per|each|every) week\b|\bweekly\b|\bweek[- ]by[- ]week\b|\bwow\b|按周|逐周|分周|每周|每个?星期",
    "month": r"\b(?:by|per|each|every) month\b|\bmonthly\b|\bmonth[- ]by[- ]month\b|\bmom\b|按月|逐月|分月|月度|每个?月",
}
_BY = r"\b(?:by|per|each|every|across|down by|split by|broken down by|breakdown by)\s"
_BREAKDOWNS = {
    "country": _BY + r"(?:country|countries|market|markets|region|regions)\b|\bcountry (?:breakdown|split)\b"
    r"|\b(?:which|what|top|best|biggest|leading)\s(?:\d{1,2}\s)?(?:countries|markets)\b"
    r"|\b(?:which|what)\s(?:country|market)\b(?!\s(?:is|are|was|were|does|do)\s(?:customer|client|they|he|she)\b)"
    r"|(?:按|分|各个?|每个|不同)(?:国家|站点|地区|市场)|各国|哪些(?:国家|市场)|哪几个(?:国家|市场)|哪个(?:国家|市场)",
    "product": _BY + r"(?:product|products|sku|skus|item|items)\b|\bproduct (?:breakdown|split)\b"
    r"|(?:按|分|各个?|每个)(?:商品|产品|单品|sku)",
    "segment": _BY + r"(?:(?:rfm |customer )?(?:segments?|tiers?|groups?)|rfm)\b|\bsegment (?:breakdown|split)\b"
    r"|\b(?:which|what|top|best|biggest|leading)\s(?:\d{1,2}\s)?(?:rfm |customer )?segments\b"
    r"|\b(?:which|what)\s(?:rfm |customer )?(?:segment|tier)\b"
    r"|(?:按|分|各个?|每个)\s?(?:rfm\s?)?(?:客户)?(?:分群|分层|群组|人群|细分|客群)|按客户类型|各类客户|每类客户|不同(?:客户)?(?:分群|分层|客群)"
    r"|哪[些个](?:rfm\s?)?(?:客户)?(?:分群|分层|人群|群体|客群)|哪一?类客户|哪个客户群|各客群",
}
_EN_N = r"\d{1,4}|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fifteen|twenty|thirty|fifty"
_MIN_ORDERS = re.compile(
    rf"\b(?:at least|min(?:imum)?|no fewer than|no less than)\s(?P<a>{_EN_N})\s(?:orders?|purchases?|times)\b"
    r"|\b(?P<b>\d{1,4})\s?\+\s?(?:orders?|purchases?|times)"
    rf"|\b(?P<c>{_EN_N}) (?:or more (?:orders?|purchases?|times)|(?:orders?|purchases?) or more)\b"
    rf"|\b(?:more than|over)\s(?P<m>{_EN_N})\s(?:orders?|purchases?|times)\b"
    r"|(?:至少|不少于|最少)\s?(?:下[过了]?单?|购买[过了]?|买[过了]?)?\s?(?P<z>\d{1,4}|[一二两三四五六七八九十]+)\s?(?:单|次|笔)"
    r"|(?P<y>\d{1,4}|[一二两三四五六七八九十]+)\s?(?:单|次|笔)单?(?:及)?以上"  # 3单以上, 下过2次单以上
    r"|(?:下单|购买)(?:超过|大于|多于)\s?(?P<x>\d{1,4}|[一二两三四五六七八九十]+)\s?(?:单|次|笔)"
    r"|(?:≥|>=)\s?(?P<abcg>\d{1,4})\s?(?:orders?|purchases?|times|单|次|笔)|(?:下单|购买|订单数?)\s?(?:≥|>=)\s?(?P<g>\d{1,4})"
    r"|(?<![<≤])>\s?(?P<xm>\d{1,4})\s?(?:orders?|purchases?|单|次|笔)"
    r"|\b(?:at least|min(?:imum)?|no fewer than|no less than)\s(?P<t>twice|thrice)\b|\b(?P<tc>twice|thrice) or more\b"
    r"|\b(?:more than|over)\s(?P<tm>once|twice|thrice)\b|\b(?P<tr>repeatedly)\b"
    r"|\b(?P<xx>\d{1,3})\s?x\s?(?:or more|or above|\+|plus)|\b(?:at least|min(?:imum)?)\s(?P<xl>\d{1,3})\s?x\b",
    re.I,
)
_WORST = re.compile(
    r"\b(?:worst|weakest|slowest|bottom|least|fewest|hardly|poorest|lowest|laggards?|underperform\w*|flop\w*)\b|\bslow[- ]?movers?\b"
    r"|\b(?:not|isn'?t|aren'?t|stopped) selling\b|\bdropped|\bfell\b|\bfall(?:en|ing)?\b|\bdeclin\w*|\bdecelerat\w*|\bfading\b"
    r"|\bslipp(?:ing|ed)\b|\bslid(?:ing)?\b|\bdipp(?:ing|ed)\b|\bsagg(?:ing|ed)\b"
    r"|\btank(?:ed|ing|s)?\b|\b(?:fallers?|losers?|decliners?)\b|\bsank\b|\bcrash(?:ed|ing)?\b|\btumbl\w*|\bslump\w*|\bplummet\w*|\bnose-?div\w*|\bcratere?d?\b"
    r"|\blost the most\b|\bdid worse\b|\bdown the most\b|\blos(?:ing|t) (?:steam|momentum|ground)\b|\bslowing\b|\bcooling\b"
    r"|\bdying(?: off)?\b|\bdied off\b|\b(?:biggest|largest|sharpest) (?:drops?|falls?|declines?)\b"
    r"|最差|最低|卖得差|卖不动|滞销|倒数|下滑|掉得|掉量|跌得|跌最|跌幅|降幅|下降最|缩水|暴跌|大跌|卖得最少|比.{0,8}(?:差|(?<!多)少)|最不好卖|不好卖"
    r"|在跌|在下跌|在掉|在下降|走低",
    re.I,
)
_LOWEST = re.compile(
    r"\b(?:lowest|least|fewest|bottom|slowest|weakest)\b|\bhardly\b|\bslow[- ]?(?:movers?|sellers?|selling)\b"
    r"|倒数|最少|最低|卖得?最慢|最不好卖|滞销|卖不动",
    re.I,
)
_UNITS = re.compile(r"\bunits?\b|\bquantity\b|\bvolumes?\b|\bpieces\b|\bvelocity\b|销量|件数|数量|动销", re.I)
_MONTH_WORDS = {
    "january": 1, "jan": 1, "february": 2, "feb": 2, "march": 3, "mar": 3, "april": 4, "june": 6, "july": 7, "august": 8,
    "aug": 8, "september": 9, "sept": 9, "sep": 9, "october": 10, "oct": 10, "november": 11, "nov": 11, "december": 12,
    "dec": 12,
}  # fmt: skip
_MONTH = re.compile(
    r"\b(?P<en>" + "|".join(sorted(_MONTH_WORDS, key=len, reverse=True)) + r"|(?<=\bin )may|may(?= (?:19|20)\d\d)"
    r"|(?:(?<=\bvs )|(?<=\bvs\. )|(?<=\bversus )|(?<=\bthan )|(?<=\bagainst )|(?<=\bfrom )|(?<=\bof )|(?<=\band )"
    r"|(?<=\bto ))may(?! (?:be|have|not|need|want|help|get|take|go|like|also|well|i|we|you|they|it)\b)"
    r"|may(?='s\b|\s?(?:vs\.?|versus|to|-|and|through|till|until) (?:june?|july?|april|apr|march|mar)\b))\b"
    r"(?:,?\s(?P<ey>(?:19|20)\d\d)\b)?"
    r"|(?:(?P<zy>(?:19|20)\d\d)\s?年\s?)?(?<![\d个第])(?P<zm>1[0-2]|[1-9]|十[一二]?|[一二三四五六七八九])\s?月(?:份)?(?![\d一二三四五六七八九十]|\s?[日号])",
    re.I,
)
_MONTH_RANGE = re.compile(r"^\s?(?:to|through|thru|until|till|-|~|到|至)\s?$", re.I)
_DIMENSIONS = {  # how web sessions are grouped (traffic_conversion, session_funnel)
    "traffic_type": r"\btraffic (?:sources?|types?|channels?)\b|\bsources? of (?:traffic|visits|visitors|buyers)\b"
    r"|\b(?:where|which sources?)\b.{0,40}\b(?:come|coming|came) from\b|\breferr(?:er|al|ers|als)\b|\bacquisition (?:sources?|channels?)\b"
    r"|\butm\b|流量来源|流量类型|流量渠道|来源渠道|渠道来源|访客来源|哪个来源|哪些来源|(?:从|打)哪(?:里|儿)来",
    "visitor_type": r"\bvisitor types?\b|\b(?:new|returning|repeat|first-time) (?:vs\.? |versus |or |and )?(?:new |returning )?(?:visitors?|users?|sessions?)\b"
    r"|\breturning\b|新老访客|新访客|老访客|回访|访客类型|新用户和老用户|新老用户",
    "region": r"\b(?:by|per|each|which|what|across) regions?\b|\bregions?\b|地区|区域|地域|哪个区",
    "browser": r"\bbrowsers?\b|\bchrome\b|\bsafari\b|浏览器",
    "operating_system": r"\boperating systems?\b|\b(?:by|per|each|which) os\b|\bos\b|\bandroid\b|\bios\b|\bwindows\b|操作系统|安卓|苹果系统",
    "weekend": r"\bweekends?\b|\bweekdays?\b|周末|工作日|平日",
}
_TOUCH_MODELS = {
    "first_touch": r"\bfirst[- ]?(?:touch|click|interaction|contact)\b|首次触点|首次点击|首触|首次互动|第一次接触",
    "last_touch": r"\blast[- ]?(?:touch|click|interaction|non-direct)\b|末次|最后一次(?:点击|触点|接触)|最终点击|末触|最后点击",
    "linear": r"\blinear\b|\bequal credit\b|线性|平均分配",
    "markov": r"\bmarkov\b|马尔可夫|马尔科夫|\bremoval effect\b|移除效应|\bdata[- ]driven\b|\bdda\b|数据驱动|算法归因",
    "shapley": r"\bshapley\b|沙普利|夏普利|博弈论",
}
_OPT_OUT = re.compile(
    r"\bopt(?:s|ed)?[- ]?out\b|\bunsubscrib\w*|\bno longer wants?\b|\b(?:doesn'?t|does not|don'?t|do not) want (?:our |any |marketing |e-?mails?)"
    r"|\bwithdr[ae]w\w* (?:her |his |their )?consent\b|\bremove\w* (?:her |his |their |the )?consent\b|\bdo not (?:e-?mail|contact|target)\b"
    r"|\bgdpr (?:request|erasure)\b|\bstop (?:e-?mailing|contacting|targeting)\b|\b(?:wants?|take \w+|remove \w+) off (?:all )?(?:our |the )?(?:mailing |marketing )?lists?\b"
    r"|\bexclud\w* from (?:all )?(?:marketing|e-?mails?|ads|targeting)\b|\bno (?:more )?marketing\b|\bmust not be (?:marketed|contacted|e-?mailed)\b"
    r"|退订|取消订阅|不想再收到|拒收|撤回(?:授权|同意)|不再接收|不要再(?:发|推|联系|给)|拒绝营销|退出营销|不能再(?:做|发|推)?营销|不再营销"
    r"|(?:从|在)(?:所有)?营销.{0,6}(?:移除|去掉|删掉)|移出营销|授权改成否|设成opt-?out|投诉.{0,8}骚扰",
    re.I,
)
_OPT_IN = re.compile(
    r"\bopt(?:s|ed)?[- ]?(?:back[- ])?in\b|\bre-?subscrib\w*|\bconsent(?:ed)? again\b|\bgave (?:us )?consent\b|\bcan (?:e-?mail|contact|target) (?:her|him|them) again\b"
    r"|\bas consented\b|\bback on (?:the |our )?(?:mailing |marketing )?lists?\b|\bconsent(?:ing)? (?:back|again|restored)\b"
    r"|重新订阅|恢复订阅|同意接收|重新同意|重新授权|恢复营销|可以再(?:发|联系)|授权改成是|恢复授权",
    re.I,
)
_AHEAD = re.compile(
    r"\bnext year\b|\ba year (?:from now|later|on|out|ahead)\b|\bin (?P<n>a|one|two|three|\d) years?\b|\bin (?P<im>\d{1,2}) months?\b|\b(?P<m>\d{1,2}) months? (?:from now|later|ahead|out)\b"
    r"|明年|一年后|一年以后|(?P<z>[一两二三\d])年(?:后|以后)|(?P<zm>\d{1,2}|[一二三四五六七八九十]+)个月(?:后|以后)"
    r"|(?P<half>半年(?:后|以后|之后)|\bhalf a year (?:from now|later|on|out|ahead)\b|\bin half a year\b|\bafter six months\b)",
    re.I,
)
_DIMENSION = {k: re.compile(v.replace(r"\b", _ASCII_B), re.I) for k, v in _DIMENSIONS.items()}
_TOUCH_MODEL = {k: re.compile(v.replace(r"\b", _ASCII_B), re.I) for k, v in _TOUCH_MODELS.items()}
OTHER_PLATFORM = re.compile(
    r"\b(?:amazon|ebay|etsy|tik ?tok|pinterest|twitter|linkedin|youtube|snapchat|shopify|taobao|tmall|douyin|weibo)\b"
    r"|亚马逊|淘宝|天猫|京东|拼多多|抖音|快手|微博|闲鱼|得物|B站|哔哩哔哩",
    re.I,
)
_PLATFORM = {k: re.compile(v.replace(r"\b", _ASCII_B), re.I) for k, v in _PLATFORMS.items()}
_TONE = {k: re.compile(v.replace(r"\b", _ASCII_B), re.I) for k, v in _TONES.items()}
_SEGMENT = {k: re.compile(v.replace(r"\b", _ASCII_B), re.I) for k, v in _SEGMENT_WORDS.items()}
_RFM = {k: re.compile(v.replace(r"\b", _ASCII_B), re.I) for k, v in _RFM_WORDS.items()}
_GRAIN = {k: re.compile(v.replace(r"\b", _ASCII_B), re.I) for k, v in _GRAINS.items()}
_BREAKDOWN = {k: re.compile(v.replace(r"\b", _ASCII_B), re.I) for k, v in _BREAKDOWNS.items()}


def without_values(text: str) -> str:
    """The text without the words that only give a value: a country, a period, a report's grain or breakdown
    (`now just germany, month by month` leans on the answer before as `and for product 9?` does)."""
    out = _COUNTRY_WORDS.sub(" ", text.lower())
    for pat in (*_GRAIN.values(), *_BREAKDOWN.values(), _LAST_N_DAYS, *(p for p, _ in _PERIODS)):
        out = pat.sub(" ", out)
    return out


_ZH_N = r"\d{1,4}|[一二两三四五六七八九十]+"
_ORDER_NOUN = r"(?:orders?|purchases?|times|invoices?)\b"
_MAX_ORDERS = re.compile(  # groups ending in l: "fewer than 3 orders" is at most 2
    rf"\b(?:at most|max(?:imum)?(?: of)?|no more than|not more than|up to)\s(?P<a>{_EN_N})\s{_ORDER_NOUN}"
    rf"|\b(?:fewer than|less than|under)\s(?P<al>{_EN_N})\s{_ORDER_NOUN}"
    rf"|\b(?P<b>{_EN_N}) (?:or (?:fewer|less) {_ORDER_NOUN}|(?:orders?|purchases?) or (?:fewer|less)\b)"
    rf"|(?:≤|<=)\s?(?P<c>\d{{1,4}})\s?{_ORDER_NOUN}"
    rf"|<\s?(?P<cl>\d{{1,4}})\s?{_ORDER_NOUN}"
    rf"|(?:最多|至多|不超过|不多于)\s?(?:下单|购买|买过?|下过?)?\s?(?P<z>{_ZH_N})\s?(?:单|次|笔)"
    rf"|(?:少于|低于|不到|小于)\s?(?P<zl>{_ZH_N})\s?(?:单|次|笔)"
    rf"|(?P<y>{_ZH_N})\s?(?:单|次|笔)(?:及)?(?:以下|以内)"
    r"|(?:下单|购买|订单数?)\s?(?:≤|<=)\s?(?P<x>\d{1,4})",
    re.I,
)
_ONE_ORDER = re.compile(  # one order only: at most 1
    r"\b(?:only|just)\s(?:ever\s)?(?:placed\s|made\s|had\s|have\s|has\s)?(?:one|1|a single)\s(?:order|purchase)\b"
    r"|\b(?:only |just )?(?:ordered|bought|purchased|shopped)\s(?:from us\s)?(?:only |just )?once\b"
    r"|\bone[- ](?:off|time|order)\s(?:buyers?|customers?|shoppers?|purchasers?|clients?)\b|\bone[- ]timers\b"
    r"|\bsingle[- ](?:order|purchase)\b|\bwith (?:one|1|a single) order\b|\bone[- ]and[- ]done\b"
    r"|(?:只|仅)(?:下过?|买过?|购买过?|下了|买了)?\s?(?:一|1)\s?(?:单|次|笔)|(?:一次性|只买过?一次的?)(?:客户|顾客|买家)",
    re.I,
)
_ORDER_RANGE = re.compile(
    rf"\bbetween\s(?P<a>{_EN_N})\s(?:and|to|&)\s(?P<b>{_EN_N})\s{_ORDER_NOUN}"
    rf"|\b(?P<c>\d{{1,4}})\s?(?:-|to)\s?(?P<d>\d{{1,4}})\s{_ORDER_NOUN}"
    rf"|(?P<za>{_ZH_N})\s?(?:到|至|-|~)\s?(?P<zb>{_ZH_N})\s?(?:单|次|笔)"
    rf"|\bexactly\s(?P<e>{_EN_N})\s{_ORDER_NOUN}|(?:刚好|正好|恰好)\s?(?P<ze>{_ZH_N})\s?(?:单|次|笔)",
    re.I,
)
_REPEAT = re.compile(  # "repeat customers": at least 2 orders; 复购N次: N purchases after the first, so N + 1
    rf"(?:复购|回购|重复购买|再次购买)\s?(?:过)?\s?(?:至少|不少于|超过|≥|>=)?\s?(?P<z>{_ZH_N})\s?次(?:及)?(?:以上)?"
    r"|\brepeat (?:customers?|buyers?|purchasers?|shoppers?|clients?|accounts?)\b|\brepeaters\b"
    r"|\breturning (?:customers?|buyers?|shoppers?|clients?)\b"
    r"|\b(?:ordered|bought|purchased|shopped) (?:from us |with us )?(?:more than once|twice or more|again)\b"
    r"|\b(?:a|their|the) (?:2nd|second) (?:order|purchase)\b|\bcome back and (?:ordered|bought)\b|第二单|二次购买"
    r"|复购(?:过)?的?(?:客户|顾客|用户|买家|人群)|有(?:过)?复购|已经?复购|复购过|回头客|多次购买的?(?:客户|顾客|买家)?"
    r"|买过?不止一次|下过?不止一单|不止(?:买|下单)?(?:一次|一单)|(?:买|下单)过?(?:两|2)次(?:及)?以上"
    r"|(?:复购|回购)(?:的|了|过)|(?:后来|之后|又|再次)(?:又)?(?:复购|回购|回来买|下单|下了单|买了)",
    re.I,
)
_SPEND_CUE = re.compile(
    r"\b(?:spent|spend|spending|spends|spenders?|revenue|sales|worth|bought|purchases|value|in total|lifetime|ltv"
    r"|total|turnover|gmv)\b|消费|花了?|花费|累计|贡献|销售额|营收|买了|购买额|购买金额|金额|流水",
    re.I,
)
_NOT_SPEND = re.compile(r"\b(?:budget|bid|cpc|price|cost|a day|per day|daily)\b|预算|出价|价格|成本|每天|日均", re.I)
_CUSTOMER_WORD = re.compile(
    r"\b(?:customers?|clients?|buyers?|shoppers?|accounts?|accts?|custs?|punters|people|spenders?|purchasers?|who|ones"
    r"|repeaters|those|anyone|everyone|everybody|champions|loyalists|regulars|vips?|hibernating)\b"
    r"|客户|顾客|买家|用户|会员|客人|老客|新客|的",
    re.I,
)
_MORE_THAN = re.compile(
    r"(?:\b(?:over|more than|above|at least|greater than|in excess of|north of|upwards of|exceeding|min(?:imum)?(?: of)?"
    r"|no less than|not less than)|>=?|≥|超过|高于|大于|多于|不少于|至少|满|不低于)\s?$",
    re.I,
)
_LESS_THAN = re.compile(
    r"(?:\b(?:under|less than|below|at most|no more than|not more than|up to|max(?:imum)?(?: of)?|lower than)|<=?|≤"
    r"|不到|低于|少于|小于|不超过|最多|不足|未满)\s?$",
    re.I,
)
_ZH_OVER = re.compile(r"(?:消费|花了?|花费|累计|买了)\s?(?:过|破|上)(?P<u>万|千)")
_NOT_MONEY_AFTER = re.compile(
    r"^\s?(?:orders?|purchases?|times|days?|weeks?|months?|customers?|单|次|笔|天|周|个月|位|个)", re.I
)
_MORE_AFTER = re.compile(r"^\s?(?:\+|or more\b|and (?:up|above|over)\b|plus\b|(?:及)?以上|起)", re.I)
_LESS_AFTER = re.compile(r"^\s?(?:or less\b|or under\b|and (?:under|below)\b|(?:及)?以下|以内)", re.I)
_BETWEEN = re.compile(r"^\s?(?:and|to|-|~|到|至)\s?$", re.I)
_SORTS = {
    "orders": r"\bby (?:the )?(?:number of |no\.? of |# of |their )?orders?\b|\bby order (?:count|number|frequency|volume)\b"
    r"|\b(?:most|highest number of) orders\b|\bby frequency\b|\border count\b|\bmost frequent\b|\bordered (?:the )?most\b"
    r"|\b(?:the )?most times\b"
    r"|\bmost often\b|按(?:订单数|订单量|下单次数|下单数|购买次数|单数|频次|订单)|(?:下单|订单|购买)(?:次数|数)?最多|买得最(?:勤|频繁)",
    "recency": r"\bmost recent(?:ly active| order| buyers?)?(?: first| on top)?\b|\bby recency\b|\bby (?:their )?last order\b"
    r"|\brecent(?:ly active)? (?:ones )?first\b|\blatest first\b|按最近(?:一次)?(?:下单|购买)|按最后(?:一次)?(?:下单|购买)"
    r"|最近(?:下单|购买)的(?:在前|排前|排在前面)|按最近",
    "first_order": r"\bby first order\b|\bnewest (?:customers |ones )?(?:first|on top)\b|\bby (?:signup|sign-up|join|acquisition) date\b"
    r"|\b(?:by|starting with|start with) (?:the )?newest\b"
    r"|\bmost recently acquired\b|按首单|按首次(?:下单|购买)|最新的?客户(?:在前|排前)|新客在前|最新的(?:排在前面|在前|排前)",
    "revenue": r"\bby (?:revenue|spend|spending|sales|amount spent|money spent|gmv|value)\b"
    r"|\bby how much (?:they|each)(?:'ve| have)? spent\b|\bbiggest spenders?\b|\bhighest spend(?:ers|ing)?\b"
    r"|按(?:消费|销售额|金额|营收|贡献|gmv)|消费最(?:高|多)|花得最多",
}
_SORT = {k: re.compile(v.replace(r"\b", _ASCII_B), re.I) for k, v in _SORTS.items()}
_AOV_WORDS = re.compile(
    r"\baverage order values?\b|\baov\b|\bbasket (?:size|value)\b|\b(?:average|avg\.?) basket(?: size| value)?\b"
    r"|\bavg\.? order(?: value)?\b"
    r"|\b(?:average )?(?:spend|revenue|sales|value) per order\b|\baverage (?:sale|spend)\b|\border value\b"
    r"|客单价|平均订单(?:金额|价值|额)|平均每单|笔单价|单均|每单(?:平均)?(?:金额|消费|价值)",
    re.I,
)
_MONTH_NAMES = "|".join(sorted(_MONTH_WORDS, key=len, reverse=True)) + r"|may(?=\s\d)|(?<=\d\s)may|(?<=since\s)may"
_ON_DAY = re.compile(
    r"(?<![\d/.-])(?P<iy>(?:19|20)\d\d)[-/.](?P<im>\d{1,2})(?:[-/.](?P<id>\d{1,2}))?(?![\d/.-]?\d)"
    rf"|\b(?:the\s)?(?P<d1>\d{{1,2}})(?:st|nd|rd|th)?\s(?:of\s)?(?P<m1>{_MONTH_NAMES})\b(?:,?\s(?P<y1>(?:19|20)\d\d)\b)?"
    rf"|\b(?P<m2>{_MONTH_NAMES})\s(?:the\s)?(?P<d2>\d{{1,2}})(?:st|nd|rd|th)?\b(?:,?\s(?P<y2>(?:19|20)\d\d)\b)?"
    rf"|\b(?:(?:the\s)?(?P<edge>start|beginning|end|middle)\sof\s|(?P<mid>mid)-?\s?)?(?P<m3>{_MONTH_NAMES})\b(?:\s(?P<y3>(?:19|20)\d\d)\b)?"
    r"|(?:(?P<zy>(?:19|20)\d\d)\s?年\s?)?(?<![\d一二三四五六七八九十个第])(?P<zm>1[0-2]|0?[1-9]|十[一二]?|[一二三四五六七八九])\s?月份?"
    r"(?:\s?(?P<zd>[12]\d|3[01]|0?[1-9]|[一二三]?十[一二三四五六七八九]?|[一二三四五六七八九])\s?[日号]|(?P<zstart>初))?",
    re.I,
)
_N_DAYS = re.compile(  # "90 days", 90天, 三个月: a span back from today, for "not ordered in 90 days"
    r"(?P<n>\d{1,3}|[一二两三四五六七八九十]+)\s?(?P<u>days?|天|weeks?|周|个?星期|months?|个月)",
    re.I,
)
_FIRST_CUE = re.compile(
    r"\bnew (?:customers?|buyers?|shoppers?|clients?|accounts?|ones)\b|\bnewcomers?\b|\bfirst[- ]time\b"
    r"|\bfirst (?:ever )?(?:ordered|order|bought|purchased|purchase|shopped|came)\b|\bacquired\b|\bjoined\b|\bsigned up\b|\bnew since\b"
    r"|新客|新用户|新顾客|新买家|首单|首次(?:来)?(?:下单|购买|买)|第一次来?(?:下单|购买|买)|新增(?:的)?(?:客户|用户)|拉新|新来的",
    re.I,
)
_NOT_ORDERED_BEFORE = re.compile(  # "haven't ordered since", "no orders in the last"
    r"(?:\b(?:haven'?t|hasn'?t|have not|has not|had not|hadn'?t|not|no|never|without)\s(?:\w+\s){0,3}?"
    r"(?:ordered|bought|purchased|shopped|orders?|purchases?|been back|come back|returned|placed an order|an order)"
    r"(?:\s(?:anything|again|with us|from us|a thing|at all))?"
    r"|\b(?:inactive|quiet|silent|dormant|gone quiet|gone cold|lapsed|away|nothing|none|not a thing|zero orders))"
    r"\s(?:since|after|from|in|for|during|over|within)\s(?:the\s)?(?:(?:last|past)\s)?$",
    re.I,
)
_NOT_ORDERED_AFTER = re.compile(  # 9月1日以来没下过单, 30天没下单, 90天以上未购买
    r"^\s?(?:以来|之后|以后|后|起|内|以上|多)?\s?(?:就|都|再|一直|还)?\s?(?:没|没有|未|不曾|无)(?:再|有|过)?\s?"
    r"(?:下过?单|买过?|购买|下单|消费|复购|订单|来过?|回购)",
)
_SINCE = re.compile(
    r"\b(?:since|from|starting|as of|on or after|after|later than|beginning)\s(?:the\s)?$|(?:自|从)\s?$", re.I
)
_AFTER_WORD = re.compile(r"\b(?:after|later than)\s(?:the\s)?$", re.I)
_BEFORE = re.compile(r"\b(?:before|prior to|earlier than)\s(?:the\s)?$", re.I)
_UNTIL_WORD = re.compile(
    r"\b(?:until|till|through|thru|up to|by|no later than|on or before|to|and)\s(?:the\s)?$|(?:到|至|截至|截止到?)\s?$",
    re.I,
)
_BETWEEN_WORD = re.compile(r"\bbetween\s(?:the\s)?$", re.I)
_IN_WORD = re.compile(r"\b(?:in|during|within|over)\s(?:the\s)?(?:(?:last|past)\s)?$", re.I)
_ZH_SINCE = re.compile(r"^\s?(?:以来|以后|之后|后|起|开始|至今|到现在|到今天)")
_ZH_BEFORE = re.compile(r"^\s?(?:之前|以前|前)")
_ZH_UNTIL = re.compile(r"^\s?(?:为止|及以前|及之前)")
_LAST_CUE = re.compile(
    r"\blast (?:ordered|order|bought|purchased|purchase|shopped)\b|\bmost recent order\b"
    r"|最后一次?(?:下单|购买|订单)|最后一单|最近一次(?:下单|购买)",
    re.I,
)
_MONTH_BEFORE = re.compile(r"(?<!上)(?:那|再)?前一个?月|\bthe month before\b(?!\s?last)|\bthe previous month\b", re.I)
_PERIOD_BEFORE = re.compile(  # the span before the one in view, whatever its length
    r"\bthe (?:quarter|week|year|period|fortnight|same (?:period|days|weeks)) before(?:\s(?:that|it|this|then))?"
    r"(?=\s*(?:[?.!,;]|$|too\b|as well\b|pls\b|please\b|instead\b))|\bthe (?:period|quarter|week) prior\b"
    r"|(?<!上)(?:那|再)?(?:往)?前一(?:个)?(?:季度|周|星期|年|期|阶段)|再往前(?:一段|一期)?",
    re.I,
)
_MONTHS_BACK = re.compile(r"上上个?月|\bthe month before last\b|\b(?:two|2) months ago\b", re.I)
_QUARTER_WORDS = {"first": 1, "second": 2, "third": 3, "fourth": 4, "一": 1, "二": 2, "三": 3, "四": 4}
_QUARTER_WORDS |= {str(n): n for n in range(1, 5)}
_QUARTER = re.compile(
    r"(?:(?<![A-Za-z0-9])(?:(?P<y2>(?:19|20)\d\d)\s?)?q(?P<n>[1-4])(?![A-Za-z0-9])(?:\s?(?:of\s)?'?(?P<y>(?:19|20)?\d\d)\b)?"
    r"|\b(?P<w>first|second|third|fourth) quarter\b"
    r"|第?(?P<z>[一二三四1-4])\s?季度)",
    re.I,
)
_ORDERED = re.compile(r"\b(?:ordered|bought|purchased|shopped|orders?|purchases?)\b|下单|下过单|购买|买过|订单", re.I)
_RANGE_NEXT = re.compile(r"^\s?(?:to|through|thru|until|till|-|~|到|至)\s?", re.I)
_ZH_IN = re.compile(r"^\s?(?:份)?\s?(?:的|期间|内|里|新)")
_UNITS_DAYS = {"day": 1, "days": 1, "天": 1, "week": 7, "weeks": 7, "周": 7, "星期": 7, "个星期": 7}
_UNITS_DAYS |= {"month": 30, "months": 30, "个月": 30}


def _day_spans(text: str) -> list[tuple[int, int, dict[str, int | None]]]:
    """Every day or month written (2011-09-01, 1 September, Sept 2011, 9月1日, 十月), with its position."""
    out: list[tuple[int, int, dict[str, int | None]]] = []
    for m in _ON_DAY.finditer(text):
        g = m.groupdict()
        year: int | None
        month: int | None
        day: int | None
        if g["iy"]:
            year, month, day = int(g["iy"]), int(g["im"]), int(g["id"]) if g["id"] else None
        elif g["zm"]:
            month = int(g["zm"]) if g["zm"].isdigit() else zh_number(g["zm"])
            zd = g["zd"]
            day = (int(zd) if zd.isdigit() else zh_number(zd)) if zd else (1 if g["zstart"] else None)
            year = int(g["zy"]) if g["zy"] else None
        else:
            word = (g["m1"] or g["m2"] or g["m3"]).lower()
            month = _MONTH_WORDS.get(word, 5)
            d = g["d1"] or g["d2"]
            day = int(d) if d else None
            y = g["y1"] or g["y2"] or g["y3"]
            year = int(y) if y else None
            if g["mid"] or g["edge"] == "middle":
                day = 15  # "mid-September"
            elif g["edge"] == "end":  # "the end of August": its last day (February's in a year not named: 28)
                day = calendar.monthrange(year or 2001, month)[1]
        if month and 1 <= month <= 12 and (day is None or 1 <= day <= 31):
            out.append((m.start(), m.end(), {"year": year, "month": month, "day": day}))
    return out


def days_written(text: str, today: date) -> list[tuple[int, date]]:
    """The days a request names (2011-11-25, 25 November, Nov 25th, 11月25日) with their positions;
    a day written without its year is the latest such day up to `today`."""
    out = []
    for start, _, d in _day_spans(text):
        month, day, year = d["month"], d["day"], d["year"]
        if month is None or day is None:
            continue
        if year is None:
            year = today.year if (month, day) <= (today.month, today.day) else today.year - 1
        try:
            out.append((start, date(year, month, day)))
        except ValueError:
            continue
    return out


_MAY_VERB = re.compile(r"^may\s", re.I)  # "we may 2x it": may is a verb before a bare number
_YEAR_ALONE = re.compile(r"(?:\bin (?:the year )?|(?<![\d-]))(?P<y>(?:19|20)\d\d)(?:年(?!\d{1,2}月)|(?![\d-]))")


def _order_dates(text: str, period: tuple[str, int, int] | None) -> list[OrderDate]:
    """The bounds a request puts on customers' first or last order: `new customers since October`
    (first order on or after), `haven't ordered since 1 September` (last order before), `ordered in
    the last 30 days` (last order on or after), `首单在9月之后`, `30天没下单`."""
    low = text.lower()
    anchors: list[tuple[int, int, dict[str, int | None], str | None]] = [
        (a, b, d, None) for a, b, d in _day_spans(text)
    ]
    if period is not None:
        anchors.append((period[1], period[2], {}, period[0]))
    for m in _YEAR_ALONE.finditer(text):  # "first order in 2011", 2011年首单: the whole year
        if not any(a <= m.start() < b for a, b, _, _ in anchors):
            anchors.append((m.start(), m.end(), {"year": int(m.group("y")), "month": None, "day": None}, None))
    for m in _N_DAYS.finditer(text):  # "90 days", 三个月: only with "not ordered" around it
        n = int(m.group("n")) if m.group("n").isdigit() else zh_number(m.group("n"))
        unit = _UNITS_DAYS.get(m.group("u").lower())
        if n and unit and not any(a <= m.start() < b for a, b, _, _ in anchors):
            anchors.append((m.start(), m.end(), {"negated_only": 1}, f"last_{n * unit}_days"))
    anchors.sort(key=lambda x: x[0])
    out: list[OrderDate] = []
    for i, (a, b, day, name) in enumerate(anchors):
        left, right = _clause_before(low, a), low[b : b + 24]
        around = left[-45:].rpartition(", ")[2] + " " + re.split(r"[.;?!,]", right)[0]  # this part of a list only
        first = bool(_FIRST_CUE.search(around))
        rule: str | None = None
        if _NOT_ORDERED_BEFORE.search(left) or _NOT_ORDERED_AFTER.match(right):
            rule, first = "not_since", False
        elif day.get("negated_only"):
            continue
        elif _BETWEEN_WORD.search(left) or (_RANGE_NEXT.match(right) and i + 1 < len(anchors)):
            rule = "start"
        elif _BEFORE.search(left) or _ZH_BEFORE.match(right):
            rule = "before"
        elif _AFTER_WORD.search(left):
            rule = "after"
        elif _SINCE.search(left) or _ZH_SINCE.match(right):
            rule = "start"
        elif _UNTIL_WORD.search(left) or _ZH_UNTIL.match(right):
            rule = "end"
        elif name == "today" and not (first or _ORDERED.search(around)):
            continue  # "email them today": when to act, not when they ordered
        elif name is not None:
            rule = "within" if first else "start"  # "new customers this month", "ordered in the last 30 days"
        elif first or _LAST_CUE.search(around):
            rule = "within" if (_IN_WORD.search(left) or _ZH_IN.match(right) or first) else None
        if rule is None:
            continue
        out.append(
            OrderDate(
                "first" if first else "last",
                rule,  # type: ignore[arg-type]
                text[a:b],
                year=day.get("year"),
                month=day.get("month"),
                day=day.get("day"),
                period=name,
            )
        )
    return out


def _first_of(patterns: dict[str, re.Pattern[str]], text: str) -> str | None:
    """The key whose pattern matches earliest in the text, or None."""
    hits = [(m.start(), k) for k, pat in patterns.items() if (m := pat.search(text))]
    return min(hits)[1] if hits else None


_STRATEGIES = {"rlb": "rlb", "mcpc": "mcpc", "lin": "lin", "linear": "lin", "value": "value", "ours": "value"}
_UP = re.compile(
    r"\b(?:up|raise[sd]?|raising|increase[sd]?|increasing|higher|more|boost|bump|lift|grow|add|plus|hike|top up|rise"
    r"|pricier|dearer|more expensive)\b"
    r"|\+|提高|提升|上调|增加|加|涨|调高|拉高|提|上浮|往上|多给|多放|多投|贵(?=\s?\d|[一两二三四五六七八九十]\s?[毛块角分])",
    re.I,
)
_DOWN = re.compile(
    r"\b(?:down|lower|lowering|reduce[sd]?|reducing|decrease[sd]?|cut|cheaper|less|drop|trim|slash|minus|off|shave"
    r"|knock)\b|降低|降|减少|减|下调|调低|砍|削减|(?<!多)少|下浮|往下|压低|收(?=\s?\d|$)"  # (多少: how many)
    r"|便宜(?=\s?\d|[一两二三四五六七八九十]\s?[毛块角分])",  # 便宜3毛: 30p cheaper
    re.I,
)
_MOVE_VERB = re.compile(  # a verb that moves a value, a few words before a bare amount (no "to" between)
    r"\b(?:bump|nudge|lift|raise|boost|increase|lower|cut|drop|reduce|trim)\b(?:\s+(?!to\b|at\b)[\w']+){0,3}"
    r"\s+(?!to\b|at\b|on\b|of\b|for\b|campaign\b)[\w']+\s?[£$€¥]?\s?$",
    re.I,
)
_BY_VERB = re.compile(  # "budget down 100", "预算减100", "加50": a verb right before the amount is a change by it
    r"(?:\b(?:up|down|plus|minus|add|an extra|another)|(?<![增])加|减|(?<![下])降|涨|砍|削|多放|多给|多投"
    r"|(?<![前])提高?|提升|增加|上调|降低|下调|减少|调高|调低)(?:价|了|掉)?\s?[£$€¥]?\s?$",
    re.I,
)
_CTR = re.compile(r"\b(?:p?ctr|click[- ]?through(?: rate)?|click rate)\b|点击率|预估点击率", re.I)
_DOUBLE = re.compile(r"\b(?:double|twice)\b|翻倍|翻一倍|加倍", re.I)
_HALVE = re.compile(r"\b(?:halve|half)\b|减半|砍半|(?:降|减|砍|削|少)掉?一半", re.I)
_ZH_ZHE = re.compile(
    r"(?:打)?(?P<a>[一二三四五六七八九])(?P<b>[一二三四五六七八九])?折|(?:打)?(?P<d>\d(?:\.\d)?|\d\d)\s?折"
)
_ZH_CHENG = re.compile(r"(?P<n>[一二两三四五六七八九]|\d)\s?成")
_FRACTION = re.compile(  # "by a fifth", "a third", 五分之一: a relative change of that share
    r"\b(?:by )?(?:a|one) (?P<en>third|quarter|fourth|fifth|tenth)\b"
    r"|(?P<zd>[二两三四五十])分之(?P<zn>一)",
    re.I,
)
_FRACTION_OF = {"third": 3, "quarter": 4, "fourth": 4, "fifth": 5, "tenth": 10}
_COUNTED = r"\d[\d,]*(?:e\d+|k)?"
_AB_PAIR = re.compile(
    rf"(?P<a>{_COUNTED})\s?(?:[a-z\-]+\s){{0,2}}(?:/|out of|of|from|in|among)\s?(?P<b>{_COUNTED})(?!\s?(?:%|percent|\.\d))",
    re.I,
)
_AB_VISITS = re.compile(  # "1e3 visitors 31 conv", "2,000 visits and 60 orders"
    rf"(?P<b>{_COUNTED})\s(?:visitors?|visits?|users?|sessions?|people|sends?|views?|recipients?)\b\D{{0,12}}?"
    rf"(?P<a>{_COUNTED})\s?(?:conv\w*|orders?|sales|sign-?ups?|clicks?|buys?|purchases?|opens?)\b",
    re.I,
)


def _count_of(raw: str) -> int | None:
    """A count as written in an A/B test: 2,400, 1e3, 2k."""
    raw = raw.rstrip(",").lower()
    mult = 1000 if raw.endswith("k") else 1
    body, _, exp = raw.rstrip("k").partition("e")
    v = parse_number(body, f"e{exp}" if exp else "")
    return int(v * mult) if v is not None and float(v * mult).is_integer() else None


_ZH_AB = re.compile(
    r"(?P<v>\d[\d,]*)\s?(?:个|位|名)?(?:访客|访问|用户|人|次访问|个用户)\D{0,8}?(?P<c>\d[\d,]*)\s?(?:个|位|名|人|次)?(?:转化|购买|下单|成交)"
    r"|(?P<c2>\d[\d,]*)\s?(?:个|位|名|人|次)?(?:转化|购买|下单|成交)\D{0,6}?(?P<v2>\d[\d,]*)\s?(?:个|位|名)?(?:访客|访问|用户|人)"
    r"|(?P<v3>\d[\d,]*)\s?(?:个|位|名)?(?:访客|访问|用户|人)[,]?\s?(?:里|中|里面|当中|有)?\s?(?:转化|购买|下单|成交)了?\s?(?P<c3>\d[\d,]*)"
)
_ONE_IN = re.compile(
    r"(?P<n>\d+|one|a single|1)\s(?:\w+\s){0,2}?(?:in|out of)\s(?P<of>\d[\d,]*)\b(?=[^.?!]{0,40}\bclicks?\b)"
    r"|每\s?(?P<of2>\d[\d,]*)\s?次?展示.{0,6}?(?P<n2>\d+|一)\s?次?点击",
    re.I,
)
_ARM_B = re.compile(r"\b(?:b|variant|treatment|new|challenger|version b|test)\b|b组|b版|实验组|新版", re.I)
_COUNT_WORDS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8}
_COUNT_WORDS |= {"nine": 9, "ten": 10, "a couple of": 2, "a few": 3, "dozen": 12, "a dozen": 12}
_COUNT_NOUNS = (
    r"products?|items?|headlines?|taglines?|slogans?|lines?|customers?|clients?|spenders?|buyers?|shoppers?|ideas?|options?|titles?|versions?"
    r"|recommendations?|suggestions?|subject lines?|captions?|ads?|variants?|people|names?|results?|picks?|alternatives?"
    r"|things?|ones?|skus?|recs?|posts?|notes?|descriptions?|texts?|emails?|messages?|tweets?|variations?|copies|blurbs?"
    r"|sellers?|performers?|countries|markets|campaigns|segments|lines|fallers|losers|gainers|risers|decliners"
    r"|(?<=of )(?:them|those)"
)
_COUNT = re.compile(
    rf"(?<![A-Za-z])(?:top|first|best|bottom|list|show(?: me)?|give me(?: the)?|gimme|write(?: me)?|draft|need|want|get)\s?(?P<a>\d{{1,3}})(?![\d.,]?\d)"
    rf"|\b(?P<b>\d{{1,3}})\s(?:[a-z\-]+\s){{0,2}}(?:{_COUNT_NOUNS})\b|(?:前|倒数)\s?(?P<c>\d{{1,3}}|[一二两三四五六七八九十]+)(?![一二两三四五六七八九十\d]|\s?个?(?:月|星期|周|季度|天|年))"
    r"|(?P<d>\d{1,3}|[一二两三四五六七八九十]+)\s?(?:个(?![月星季钟工百]|小时|点(?!子))|条|款|位|名|句|种|(?<!一)份|件|篇|组|(?<!一)版|则|段)",
    re.I,
)
_COUNT_WORD = re.compile(
    rf"\b(?P<w>one|two|three|four|five|six|seven|eight|nine|ten|a couple of|a few|a dozen|dozen)\s(?:[a-z\-]+\s){{0,2}}(?:{_COUNT_NOUNS})\b",
    re.I,
)


def _clause_before(low: str, start: int) -> str:
    """The words before a position, back to the start of its sentence (at most 60 characters)."""
    left = low[max(0, start - 60) : start]
    cut = max(left.rfind(". "), left.rfind("; "), left.rfind("? "), left.rfind("! "))
    return left[cut + 1 :] if cut >= 0 else left


def _direction(left: str, right: str) -> int | None:
    """+1 for a rise, -1 for a fall: the words right after the number win, else the verb nearest it."""
    if _DOWN.search(right) and not _UP.search(right):
        return -1
    if _UP.search(right) and not _DOWN.search(right):
        return 1
    ups = [m.end() for m in _UP.finditer(left)]
    downs = [m.end() for m in _DOWN.finditer(left)]
    if not ups and not downs:
        return None
    return 1 if (max(ups, default=-1) > max(downs, default=-1)) else -1


def _quoted(text: str) -> tuple[str | None, str]:
    """The first quoted span, and the text with every quoted span blanked out (same length)."""
    first = None
    out = text
    for m in _QUOTED.finditer(text):
        inner = next(g for g in m.groups() if g is not None)
        if first is None:
            first = inner.strip()
        out = out[: m.start()] + " " * (m.end() - m.start()) + out[m.end() :]
    return first, out


def _after_colon(text: str) -> str | None:
    m = re.search(r"[:]\s?(.{3,})$", text.strip(), re.S)
    return m.group(1).strip() if m else None


# Everyday words one letter from a word of the lexicon below, which are not its typos (`gone`, not `tone`).
_NOT_TYPOS = (
    "gone", "done", "calling", "changes", "complaint", "deadline", "dealing", "feeling", "lagging", "landing",
    "options", "pausing", "paying", "perfect", "placing", "predict", "premier", "prevent", "prime", "project",
    "regularly", "reply", "rice", "rolling", "royal", "sending", "setting", "worse", "expert", "county", "resort", "highest", "lowest", "largest", "latest", "cheapest", "fastest",
    "biggie", "callers", "fillers", "falters", "weekday", "weekdays", "leverage", "conversations", "dealers",
    "heading", "helpline", "reverse", "tote", "totes", "month", "week", "year", "father", "fathers", "mothers",
)  # fmt: skip
_LEXICON_WORDS = [
    "product",
    "products",
    "item",
    "items",
    "customer",
    "customers",
    "client",
    "clients",
    "campaign",
    "campaigns",
    "budget",
    "budgets",
    "price",
    "prices",
    "bid",
    "bids",
    "headline",
    "headlines",
    "discount",
    "percent",
    "pounds",
    "dollars",
    "similar",
    "strategy",
    "elasticity",
    "compliance",
    "compliant",
    "segments",
    "lapse",
    "lapsing",
    "recommend",
    "recommendations",
    "selling",
    "points",
    "pacing",
    "impression",
    "replay",
    "seasonality",
    "headlines",
    "taglines",
    "slogan",
    "slogans",
    "channels",
    "email",
    "newsletter",
    "lapsed",
    "lapse",
    "tone",
    "playful",
    "premium",
    "urgent",
    "warm",
    "facebook",
    "instagram",
    "google",
    "wechat",
    "moments",
    "xiaohongshu",
    "titles",
    "captions",
    "loyal",
    "regulars",
    "worst",
    "biggest",
    "fallers",
    "sellers",
    "revenue",
    "report",
    "weekly",
    "monthly",
    "conversions",
    "export",
    "average",
    "country",
    "yesterday",  # period words: "yesterdy", "quater"
    "quarter",
    "tomorrow",
    "units",  # "top 10 sellers by untis"
    "search",  # the channels: "the xmas serach campaign"
    "social",
    "display",
    *(k for k in _COUNTRIES if k.isascii() and k.isalpha() and len(k) >= 6),  # "germnay", "frnace"
    *(m for m in _MONTH_WORDS if len(m) >= 6),  # "novmber", "septmber"
]
_LEXICON = Speller(  # a word is no typo of its own plural or singular ("segment" stays, "moment" stays)
    _LEXICON_WORDS,
    known=(*_NOT_TYPOS, *(w[:-1] for w in _LEXICON_WORDS if w.endswith("s")), *(w + "s" for w in _LEXICON_WORDS)),
)


def extract(raw: str, stock_codes: dict[str, int] | None = None) -> Entities:
    """Everything the request says. Quoted text is data: it yields `quoted` and nothing else.
    Stock codes the catalog knows (`85123A`) become product ids."""
    e = _extract(raw)
    if stock_codes and any(r.kind == "product" and _STOCK_NOUN.match(r.raw) for r in e.refs):
        e = replace(e, refs=[  # "sku 21212": the stock code, not product 21212
            replace(r, value=stock_codes[str(r.value)]) if r.kind == "product" and _STOCK_NOUN.match(r.raw) and str(r.value) in stock_codes else r
            for r in e.refs
        ])  # fmt: skip
    bare = [
        n
        for n in e.numbers
        if stock_codes
        and n.is_int
        and n.currency is None
        and n.unit is None
        and len(n.raw) == 5
        and n.raw in stock_codes
        and not _CUSTOMER_NEAR.search(e.text[max(0, n.start - 14) : n.start])
    ]
    alone = not e.refs and not CUSTOMER_CUE.search(e.text) and not _CAMPAIGN_EDIT_WORDS.search(e.text)
    if bare and (_PRODUCT_SAID.search(e.text) or alone):  # "和22629差不多的产品", "pls put 22727 up 20p": a
        # stock code written bare beside product words, or with nothing else it could be
        e = replace(
            e,
            numbers=[n for n in e.numbers if n not in bare],
            stock_codes=[*e.stock_codes, *((n.raw, n.start, n.end) for n in bare)],
        )
    known = [(c, a, b) for c, a, b in e.stock_codes if stock_codes and c in stock_codes]
    if not known:
        return replace(e, refs=list(e.refs), stock_codes=list(e.stock_codes))
    refs = sorted([*e.refs, *(Ref("product", stock_codes[c], a, b, c) for c, a, b in known)], key=lambda r: r.start)  # type: ignore[index]
    return replace(e, refs=refs, stock_codes=[s for s in e.stock_codes if s not in known])


_EN_NUMBERS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9}
_EN_NUMBERS |= {"once": 1, "twice": 2, "thrice": 3, "repeatedly": 2}
_EN_NUMBERS |= {"ten": 10, "eleven": 11, "twelve": 12, "fifteen": 15, "twenty": 20, "thirty": 30, "fifty": 50}


def _number_in(raw: str) -> int | None:
    """A count as written: 12, twelve, 十二."""
    return int(raw) if raw.isdigit() else _EN_NUMBERS.get(raw.lower()) or zh_number(raw)


def _order_counts(e: Entities, text: str) -> list[tuple[int, int]]:
    """How many orders the customers asked about have: at least (`min_orders`; `repeat` customers are
    at least 2, 复购N次 is N + 1), at most (`max_orders`), a range or exactly. Returns the spans read."""
    taken: list[tuple[int, int]] = []
    rng = _ORDER_RANGE.search(text)
    if rng:
        g = rng.groupdict()
        low, high = (g["a"], g["b"]) if g["a"] else (g["c"], g["d"]) if g["c"] else (g["za"], g["zb"])
        if not low:
            low = high = g["e"] or g["ze"]
        lo, hi = _number_in(low), _number_in(high)
        if lo and hi and lo <= hi:
            e.min_orders, e.max_orders = lo, hi
            taken.append(rng.span())
    least = _MIN_ORDERS.search(text)
    if least and e.min_orders is None:
        key = next(
            k
            for k in ("a", "b", "c", "m", "z", "y", "x", "abcg", "g", "xm", "t", "tc", "tm", "tr", "xx", "xl")
            if least.group(k)
        )
        n_orders = _number_in(least.group(key))
        before = text[max(0, least.start() - 3) : least.start()]
        if n_orders and not re.search(r"(复购|回购)\s?$", before):
            e.min_orders = n_orders + (1 if key in ("m", "x", "xm", "tm") else 0)  # "more than 4 orders": at least 5
            taken.append(least.span())
    rep = _REPEAT.search(text)
    if rep and e.min_orders is None:
        n = _number_in(rep.group("z")) if rep.group("z") else None
        e.min_orders = (n + 1) if n else 2
        e.repeat = rep.group(0).strip()
        taken.append(rep.span())
    most = _MAX_ORDERS.search(text)
    if most and e.max_orders is None:
        key = next(k for k in ("a", "al", "b", "c", "cl", "z", "zl", "y", "x") if most.group(k))
        n = _number_in(most.group(key))
        if n is not None:
            n -= 1 if key.endswith("l") else 0  # "fewer than 3 orders": at most 2
            if n >= 1:
                e.max_orders = n
                taken.append(most.span())
    one = _ONE_ORDER.search(text)
    if one and e.max_orders is None:
        e.max_orders = 1
        taken.append(one.span())
    return taken


def _revenue_bounds(e: Entities) -> None:
    """What the customers asked about have spent: `spent over £1,000` (min_revenue), `花了不到100镑`
    (max_revenue), `between £500 and £1,000`, `消费1000以上`. An amount counts when the request speaks of
    customers and of spending; never a budget, a bid or a price."""
    text, low = e.text, e.text.lower()
    if not _CUSTOMER_WORD.search(low):
        return
    for m in _ZH_OVER.finditer(low):  # 消费过万: over ten thousand
        e.min_revenue = Num(10_000.0 if m.group("u") == "万" else 1_000.0, m.start(), m.end(), m.group(0), scaled=True)
    money = [n for n in e.numbers if n.unit is None and n.value >= 0]
    spoken_of = bool(_SPEND_CUE.search(low))  # spending is what the request is about
    for i, n in enumerate(money):
        left = _clause_before(low, n.start)[-30:]
        right = low[n.end : n.end + 14]
        if _NOT_SPEND.search(left[-18:] + " " + right[:10]) or _NOT_MONEY_AFTER.match(right):
            continue
        cue = (
            _SPEND_CUE.search(left)
            or _SPEND_CUE.match(right.lstrip("+ "))
            or re.match(r"^\s?(?:in|of)\s(?:sales|spend|revenue)", right)
        )
        if not cue and n.currency is None and not (spoken_of and n.scaled):
            continue
        nxt = money[i + 1] if i + 1 < len(money) else None
        if (
            nxt is not None
            and _BETWEEN.match(text[n.end : nxt.start])
            and (re.search(r"\bbetween\s?$", left) or cue or (n.currency and nxt.currency))
        ):
            e.min_revenue, e.max_revenue = e.min_revenue or n, e.max_revenue or nxt  # £500 to £1,000, 500到1000
            continue
        if _MORE_THAN.search(left) or _MORE_AFTER.match(right):
            e.min_revenue = e.min_revenue or n
        elif _LESS_THAN.search(left) or _LESS_AFTER.match(right):
            e.max_revenue = e.max_revenue or n
    used = {id(n) for n in (e.min_revenue, e.max_revenue) if n is not None}
    e.numbers = [n for n in e.numbers if id(n) not in used]


_TODO = re.compile(  # what the marketer will do with the answer, and when
    r"\b(?:(?:i|we|i'm|we're|i'll|we'll)\s)?(?:need|needs|have|has|got|going|want|wants|plan|planning|hoping|aim|aiming"
    r"|so (?:that )?(?:i|we) can)\s(?:to\s)?"
    r"(?:ring|call|phone|e-?mail|contact|reach out to|visit|chase|message|text|see|meet|pitch)\b[^.,;?!]*"
    r"|(?:这周|本周|这个星期|这星期|今天|明天|下周|周末)?(?:要|得|准备|打算)(?:挨个|逐个|一个个)?"
    r"(?:打电话|致电|联系|拜访|回访|跟进)[^，。,.;？?]*",
    re.I,
)


TODO_CLAUSE = _TODO
_EVENT_AFTER = re.compile(r"\s(?:sale|clearance|promo|launch|push|campaign)\b(?!s)", re.I)  # "the jan sale": an event
YEAR_NAMED = re.compile(  # "2011 in numbers", "in 2010", 2011年全年: a year, not an amount or a date
    r"(?<![\d£$€¥.,/-])(?P<y>20[01]\d)(?:\s?年(?:全年|度|整年)?)?(?![\d.,/-]|\s?(?:units?|orders?|customers?|pcs|件|单|个|位|元|镑|块|%))"
)


def _period_name(text: str, spans: list[tuple[int, int]]) -> str | None:
    """The reporting period a request names, as a tool names it; its words join `spans` (not amounts)."""
    hits = [(hit.start(), i, hit) for i, (pat, _) in enumerate(_PERIODS) if (hit := pat.search(text))]
    days = _LAST_N_DAYS.search(text)
    unit = ((days.group("u") or days.group("zu") or "").lower() if days else "").removeprefix("个")
    named = days is not None and any(h[0] == days.start() for h in hits)
    earlier = days is not None and any(h[0] < days.start() for h in hits)  # "上周…跟前一周比": last week
    if days and not earlier and not (unit[:1] in ("m", "月") and named):  # "last 3 months" has its own name
        spans.append((days.start(), days.end()))  # "last 30 days": a period, not an amount
        raw = days.group("n") or days.group("z")
        count = _number_in(raw)
        if count:
            return f"last_{count * {'w': 7, '周': 7, '星': 7, 'm': 30, '月': 30}.get(unit[:1], 1)}_days"
    if not hits:
        return None
    _, i, hit = min(hits, key=lambda h: (h[0], h[1]))  # the period named first: "this quarter vs last quarter"
    spans.append((hit.start(), hit.end()))
    name = _PERIODS[i][1]
    if len(hits) == 1 and name in _AGAINST_LAST and _AGAINST.search(text[: hit.start()]):
        return _AGAINST_LAST[name]  # "vs last week": the latest 7 days, against the 7 before them
    return name


def _within(at: int, n: int, spans: list[tuple[int, int]]) -> bool:
    """Whether the n characters at `at` overlap one of the spans (`at` -1: not found, never)."""
    return at >= 0 and any(a < at + n and at < b for a, b in spans)


# "this year" beside a month only says which year the month is in ("August this year", 今年8月), and the
# latest such month is this year's: the words go, so they are not read as the year to date as well
_YEAR_OF_MONTH = re.compile(
    rf"(?P<month>\b(?:{_MONTH_WORD})) (?:of )?this year\b|\bthis year'?s (?=(?:{_MONTH_WORD})\b)"
    r"|今年的?(?=\s?(?:\d{1,2}|[一二三四五六七八九十]{1,3})\s?月)",
    re.I,
)


# year on year: the period is the one asked for, compared with the same days a year before; the words
# go from the text the period is read from (去年12月同期 names no period of its own)
_YEAR_ON_YEAR = re.compile(
    r"\b(?:(?:vs\.?|versus|against|compared (?:to|with)|on) )?(?:the )?same (?:period|days|time|week|month|stretch) "
    r"(?:last|a|the previous|the prior) year\b|\byear[- ]on[- ]year\b|\byoy\b|\by/y\b"
    r"|(?<=so far )(?:vs\.?|versus|against|compared (?:to|with)) last (?:jan(?:uary)?|feb(?:ruary)?|march|april|may|june|july"
    r"|aug(?:ust)?|sept?(?:ember)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\b"  # "december so far vs last december"
    r"|(?:同比|和|跟|与|比)?(?:去年|上一年)的?(?:\d{1,2}月)?的?同期(?:相比|比)?|同比(?:去年)?(?:增长|下降|变化)?",
    re.I,
)


@lru_cache(maxsize=512)
def _extract(raw: str) -> Entities:
    text = _YEAR_OF_MONTH.sub(lambda m: m.group("month") or "", _LEXICON.fix(normalize(raw)))
    yoy = bool(_YEAR_ON_YEAR.search(text))
    text = _YEAR_ON_YEAR.sub(" ", text) if yoy else text
    quoted, bare = _quoted(text)
    e = Entities(text=text, quoted=quoted, year_on_year=yoy)
    e.refs, e.stock_codes = find_refs(bare, None)
    id_spans = [(r.start, r.end) for r in e.refs] + [(a, b) for _, a, b in e.stock_codes]
    for m in _DATE.finditer(bare):
        id_spans.append((m.start(), m.end()))
        e.period = e.period or m.group(0)
        full = re.fullmatch(r"((?:19|20)\d\d)[-/.](\d{1,2})[-/.](\d{1,2})", m.group(0))
        if full:
            try:
                e.dates.append(date(int(full.group(1)), int(full.group(2)), int(full.group(3))))
            except ValueError:
                e.unreadable.append(m.group(0))
    prior_month = _MONTH_BEFORE.search(bare)
    if prior_month and _period_name(bare[: prior_month.start()] + bare[prior_month.end() :], []) is not None:
        prior_month = None  # "last month vs the month before": what it is compared with, not a period of its own
    if prior_month:  # "那前一个月呢", "and the month before?": the month before the one in view, read against it
        e.month_before = True
        id_spans.append((prior_month.start(), prior_month.end()))
    span_before = None if prior_month else _PERIOD_BEFORE.search(bare)
    if span_before and _period_name(bare[: span_before.start()] + bare[span_before.end() :], []) is not None:
        span_before = None  # "上周每天的销售额，跟前一周比一比": what it is compared with, not a period of its own
    if span_before:  # "and the quarter before that?": read against the answer in view
        e.period_before = True
        id_spans.append((span_before.start(), span_before.end()))
    back = _MONTHS_BACK.search(bare)
    if back:  # "the month before last", 上上个月: not last month, though it holds its words
        e.months_back = 2
        id_spans.append((back.start(), back.end()))
        e.period_name, e.period = None, back.group(0)
    elif prior_month:
        e.period_name, e.period = None, prior_month.group(0)
    elif span_before:
        e.period_name, e.period = None, span_before.group(0)
    else:  # "…need to ring them this wk": when the marketer will act, not the period to report
        e.period_name = _period_name(_TODO.sub(lambda m: " " * len(m.group(0)), bare), id_spans)
    if yoy and e.period_name == "last_year":  # "…so far vs last december, and the avg basket vs last year":
        e.period_name = None  # last year is what it is compared with
    if not (e.period_name or e.dates):
        alone = YEAR_NAMED.search(bare)
        if alone and not _MONTH.search(bare[alone.end() : alone.end() + 4]):  # not the year of a month (2011年12月)
            e.year = int(alone.group("y"))
            id_spans.append((alone.start(), alone.end()))
    period_at = (e.period_name, *id_spans[-1]) if e.period_name else None
    low0 = bare.lower()
    for m in _OCCASION_WORDS.finditer(low0):
        id_spans.append((m.start(), m.end()))
    scan = scan_numbers(_DATE.sub(lambda m: " " * len(m.group(0)), bare))  # a date is not a number
    e.unreadable = [
        *e.unreadable,
        *(
            b
            for b in scan.bad
            if not _DATE.fullmatch(b)
            and not _within(bare.find(b), len(b), id_spans)
            and not re.fullmatch(r"\d{1,2}(?:st|nd|rd|th)", b, re.I)  # "since sept 1st", "a 2nd order": ordinals
        ),
    ]  # "bids on 1,2,3", "campaigns 1-3": ids, not a number
    nums = [n for n in scan.nums if not any(a < n.end and n.start < b for a, b in id_spans)]

    low = bare.lower()
    # A/B figures: "120 of 2400 ... 150 of 2400", "A组2400个访客120个转化"
    pairs: list[tuple[int, int, int]] = []
    seen: list[tuple[int, int]] = []
    for pat in (_AB_PAIR, _AB_VISITS):
        for m in pat.finditer(bare):
            a, b = _count_of(m.group("a")), _count_of(m.group("b"))
            if a is not None and b is not None and not any(x < m.end() and m.start() < y for x, y in seen):
                pairs.append((m.start(), a, b))
                seen.append((m.start(), m.end()))
    for m in _ZH_AB.finditer(bare):
        c = m.group("c") or m.group("c2") or m.group("c3")
        v = m.group("v") or m.group("v2") or m.group("v3")
        cv, vv = parse_number(c.rstrip(",")), parse_number(v.rstrip(","))
        if cv is not None and vv is not None:
            pairs.append((m.start(), int(cv), int(vv)))
    pairs.sort()
    if len(pairs) >= 2:
        (s1, ca, na), (s2, cb, nb) = pairs[:2]
        if _ARM_B.search(bare[max(0, s1 - 30) : s1]) and not _ARM_B.search(bare[s1:s2]):
            (ca, na), (cb, nb) = (cb, nb), (ca, na)  # B was given first
        e.ab = (ca, na, cb, nb)
        pair_end = max(m.end() for p in (_AB_PAIR, _AB_VISITS, _ZH_AB) for m in p.finditer(bare))
        nums = [n for n in nums if n.start >= pair_end or n.unit == "%"]

    # click-through rate: the number after "CTR"
    ctr = _CTR.search(bare)
    ratio = _ONE_IN.search(bare)
    if ratio and e.pctr is None:  # "one impression in 500 ends in a click"
        n_raw = ratio.group("n") or ratio.group("n2")
        n_in = parse_number(n_raw) if n_raw[0].isdigit() else 1.0
        of = parse_number((ratio.group("of") or ratio.group("of2")).replace(",", ""))
        if n_in and of and 0 < n_in < of:
            e.pctr = n_in / of
            nums = [n for n in nums if not (ratio.start() <= n.start < ratio.end())]
    if ctr and e.pctr is None:
        after = [
            n for n in nums if n.start >= ctr.end() and n.start - ctr.end() <= 30 and (n.unit == "%" or n.value < 1)
        ]
        before = [n for n in nums if n.end <= ctr.start() and ctr.start() - n.end <= 3 and n.unit == "%"]
        hit = (after or before)[0] if (after or before) else None
        if hit is not None:
            v = hit.value / 100 if (hit.unit == "%" or hit.value >= 1) else hit.value
            e.pctr = v
            nums = [n for n in nums if n is not hit]

    # discounts and relative changes
    z = _ZH_ZHE.search(bare)
    if z:
        if z.group("d"):
            v = float(z.group("d"))
            pct = 100 - (v * 10 if v < 10 else v)
        else:
            v = _ZH_DIGITS[z.group("a")] + (_ZH_DIGITS[z.group("b")] / 10 if z.group("b") else 0.0)
            pct = 100 - 10 * v
        e.discount = Num(round(pct, 2), z.start(), z.end(), z.group(0), unit="%")
        nums = [n for n in nums if not (z.start() <= n.start < z.end())]
    for c in _ZH_CHENG.finditer(bare):
        tenths = _ZH_DIGITS.get(c.group("n")) if not c.group("n").isdigit() else int(c.group("n"))
        window = bare[max(0, c.start() - 8) : c.end() + 2]
        sign = -1 if _DOWN.search(window) else 1
        e.changes.append(Change(c.group(0), c.start(), pct=sign * 10.0 * (tenths or 0)))
        nums = [x for x in nums if not (c.start() <= x.start < c.end())]
    for n in nums:
        if n.unit == "%":
            e.percents.append(n)
            left = _clause_before(low, n.start)
            right = low[n.end : n.end + 25]
            if re.match(r"\s?(off|discount|折扣|的折扣|优惠)", right) or re.search(
                r"(discount|折扣|打折|优惠)\s?(of\s)?$|\bdiscount\b.*\bby\s?$", left
            ):  # "a 15% discount", "discount product 12 by 15%"
                e.discount = e.discount or n
            elif re.search(r"\b(by|to)\s?$", left) and re.search(
                r"\b(higher|more|lower|less|up|down|cheaper|pricier)\b", right[:14]
            ):
                sign = -1 if _DOWN.search(right[:14]) else 1
                e.changes.append(Change(n.raw, n.start, pct=sign * abs(n.value)))  # "to 10% higher": +10%
            elif (d := _direction(left, right[:12])) is not None or n.raw.startswith(("+", "-")):
                sign = -1 if (d == -1 or n.value < 0) else 1
                e.changes.append(Change(n.raw, n.start, pct=sign * abs(n.value)))
        elif n.unit == "x":
            e.changes.append(Change(n.raw, n.start, factor=n.value))
        elif (
            re.search(r"\bby\s?$|(?<!花|费|买|卖|献)(了|多|少)\s?$", low[max(0, n.start - 6) : n.start])
            or re.search(r"(上调|下调|提高|降低|增加|减少|便宜|贵)\s?$", low[max(0, n.start - 4) : n.start])
            or _BY_VERB.search(low[max(0, n.start - 10) : n.start])
            or (  # "bump all bids 5p": up by 5p (not "cut the bid on 3 to 30p": campaign 3)
                _MOVE_VERB.search(low[max(0, n.start - 40) : n.start])
                and not re.match(r"\s?(?:to|at)\b", low[n.end : n.end + 4])
            )
            or n.raw.startswith("+")  # "出价+1毛5", "budget +50", "bids +£0.10"
            or low[max(0, n.start - 1) : n.start] == "+"
            or re.match(r"\s?off\b", low[n.end : n.end + 5])  # "take 3p off the bids"
        ):
            sign = -1 if _direction(_clause_before(low, n.start), "") == -1 else 1
            sign = -1 if re.match(r"\s?off\b", low[n.end : n.end + 5]) else sign
            sign = -1 if re.search(r"便宜\s?$", low[max(0, n.start - 4) : n.start]) else sign  # 便宜3毛: 30p less
            if not re.search(r"\bto\s?$|到\s?$|为\s?$|成\s?$", low[max(0, n.start - 4) : n.start]):
                e.changes.append(Change(n.raw, n.start, by=sign * abs(n.value)))
    for f in _FRACTION.finditer(bare):
        d = _FRACTION_OF[f.group("en").lower()] if f.group("en") else _ZH_DIGITS.get(f.group("zd"), 2)
        direction = _direction(_clause_before(low, f.start()), low[f.end() : f.end() + 12])
        if direction is not None and not any(c.start <= f.start() < c.start + len(c.raw) for c in e.changes):
            e.changes.append(Change(f.group(0), f.start(), pct=direction * round(100.0 / d, 2)))
            nums = [x for x in nums if not (f.start() <= x.start < f.end())]
    for pat, factor in ((_DOUBLE, 2.0), (_HALVE, 0.5)):
        if (hit_word := pat.search(bare)) is not None:
            e.changes.append(Change(hit_word.group(0), hit_word.start(), factor=factor))
    change_starts = {c.start for c in e.changes}
    e.numbers = [n for n in nums if n.unit != "%" and n.start not in change_starts and n.unit != "x"]

    taken = _order_counts(e, bare)
    taken += [(a, b) for a, b, d in _day_spans(bare) if d.get("day") and not _MAY_VERB.search(bare[a:b])]
    e.numbers = [n for n in e.numbers if not any(a <= n.start < b for a, b in taken)]  # "since dec 1": a day
    _revenue_bounds(e)

    # counts: "top 5", "3 headlines", 三条, "five ideas"
    for m in _COUNT.finditer(bare):
        if any(a <= m.start() < b for a, b in taken):
            continue
        g = m.group("a") or m.group("b") or m.group("c") or m.group("d")
        v = int(g) if g.isdigit() else zh_number(g)
        if (
            v
            and 0 < v <= 100
            and not any(r.start <= m.start(next(k for k in "abcd" if m.group(k))) < r.end for r in e.refs)
        ):
            if re.match(r"\s?(?:号|\.\d)", bare[m.end() : m.end() + 2]) or re.search(
                r"第\s?$", bare[max(0, m.start() - 2) : m.start()]
            ):
                continue
            if re.fullmatch(r"一\s?(?:组|套|批)", m.group(0)):
                continue  # "做一组谷歌广告，5个标题": a set of ads, its count said after
            e.counts.append(v)
            e.numbers = [n for n in e.numbers if not (m.start() <= n.start < m.end()) or n.currency]
    for m in _COUNT_WORD.finditer(bare):
        e.counts.append(_COUNT_WORDS[m.group("w").lower()])

    left_out_at = [  # "leave display out of it", "except search", 除了展示: not those
        m
        for m in _CHANNEL_WORDS.finditer(low)
        if _LEFT_OUT.search(low[max(0, m.start() - 16) : m.start()])
        or re.match(r"\s?(?:out\b|除外)", low[m.end() : m.end() + 5])
    ]
    left_out = {_CHANNELS[m.group(0)] for m in left_out_at}
    e.channels = sorted({_CHANNELS[m.group(0)] for m in _CHANNEL_WORDS.finditer(low)} - left_out)
    if left_out and not e.channels:  # "every bid but display's": the campaigns on every other channel
        e.channels = sorted(set(_CHANNELS.values()) - left_out)
    occ = _OCCASION_WORDS.search(low)
    e.occasion = (
        (_OCCASIONS[occ.group(0)] if occ.group(0).isascii() else occ.group(0)) if occ else None
    )  # 双11 as written
    said_countries: list[tuple[re.Match[str], str]] = [
        (m, _COUNTRIES[m.group(0)]) for m in _COUNTRY_WORDS.finditer(low)
    ]
    said_countries += [(m, _COUNTRY_CODES[m.group(0)]) for m in _COUNTRY_CODE.finditer(bare)]
    out = {
        name
        for m, name in said_countries
        if _OUTSIDE_BEFORE.search(low[max(0, m.start() - 16) : m.start()])
        or _OUTSIDE_AFTER.match(low[m.end() : m.end() + 12])
    }
    e.countries = sorted({name for _, name in said_countries} - out)
    e.countries_out = sorted(out)
    p = _PERIOD.search(bare)
    e.period = p.group(0) if p else e.period
    if p:  # "spend over the next 12 months": the 12 is the period's, not an amount
        e.numbers = [n for n in e.numbers if not (p.start() <= n.start < p.end()) or n.currency]
    lang = _LANGUAGE.search(bare)
    if lang:
        e.language = (
            "zh"
            if (lang.group("en") or lang.group("en2") or lang.group("zh") or "").lower()
            in ("chinese", "mandarin", "中文", "汉语")
            else "en"
        )
    for word, name in _STRATEGIES.items():
        if re.search(rf"(?<![a-z]){word}(?![a-z])", low) and (
            word not in ("value", "ours", "linear") or re.search(r"strateg|策略|replay|backtest|回放|回测", low)
        ):
            e.strategy = name
            break
    e.platform = _first_of(_PLATFORM, bare)
    other = OTHER_PLATFORM.search(bare) if e.platform is None else None
    e.other_platform = other.group(0) if other else None
    e.tone = _first_of(_TONE, bare)
    e.segment = _first_of(_SEGMENT, bare)
    e.rfm_segment = _first_of(_RFM, bare)
    said_at = {k: pat.search(bare) for k, pat in _RFM.items()}
    e.rfm_segments = sorted((k for k, at in said_at.items() if at), key=lambda k: said_at[k].start())  # type: ignore[union-attr]
    e.grain = _first_of(_GRAIN, bare)  # type: ignore[assignment]
    e.breakdown = _first_of(_BREAKDOWN, bare)  # type: ignore[assignment]
    found = [m for m in _MONTH.finditer(bare) if not (m.group("en") and _EVENT_AFTER.match(bare, m.end()))]
    for m in found:  # "1月的预算": the month's number is no amount
        e.numbers = [n for n in e.numbers if not (m.start() <= n.start < m.end()) or n.currency]
    for m in found:
        lead = _ZH_MONTH_LIST.search(bare[: m.start()]) if m.group("zm") and not m.group("zy") else None
        if lead:  # 1、2月份: each number of the list is a month (and no amount)
            e.numbers = [n for n in e.numbers if not (lead.start() <= n.start < m.start()) or n.currency]
            e.months += [(None, int(x)) for x in re.findall(r"\d+", lead.group(0))]
            e.month_range = e.month_range or bool(re.search(r"到|至|-", lead.group(0)))  # 9到11月: the span
            listed = [int(x) for x in re.findall(r"\d+", lead.group(0))] + [int(m.group("zm"))]
            if m.group("zm").isdigit() and listed == list(range(listed[0], listed[0] + len(listed))):
                e.month_range = True  # 7、8月, 9、10、11月: months in a row are one span
        if m.group("en"):
            word = m.group("en").lower()
            e.months.append((int(m.group("ey")) if m.group("ey") else None, _MONTH_WORDS.get(word, 5)))
        else:
            g = m.group("zm")
            e.months.append(
                (int(m.group("zy")) if m.group("zy") else None, int(g) if g.isdigit() else zh_number(g) or 0)
            )
    if len(found) >= 2:
        between = bare[found[0].end() : found[1].start()]
        e.month_range = e.month_range or bool(_MONTH_RANGE.match(between))
    q = _QUARTER.search(bare)
    if q:  # "Q1", "1季度": the quarter's number is no amount
        e.numbers = [n for n in e.numbers if not (q.start() <= n.start < q.end()) or n.currency]
    if q and e.period_name == "ytd" and not e.months:  # "Q3 compared with Q2 this year": the quarter of this year
        e.period_name = None
    if q and not e.months and not e.period_name:  # "Q3", 第三季度: its first month to its last
        qn = int(q.group("n")) if q.group("n") else _QUARTER_WORDS[(q.group("w") or q.group("z")).lower()]
        y = q.group("y") or q.group("y2")
        year = (int(y) if len(y) == 4 else 2000 + int(y)) if y else None
        e.months = [(year, 3 * qn - 2), (year, 3 * qn)]
        e.month_range = True
    e.order_dates = _order_dates(bare, period_at)
    e.sort = _first_of(_SORT, bare)
    e.aov = bool(_AOV_WORDS.search(bare))
    e.worst = bool(_WORST.search(bare))
    e.lowest = bool(_LOWEST.search(bare))
    e.units = bool(_UNITS.search(bare))
    e.dimension = _first_of(_DIMENSION, bare)
    e.touch_models = sorted((k for k, pat in _TOUCH_MODEL.items() if pat.search(bare)), key=list(_TOUCH_MODELS).index)
    e.opted_out = True if _OPT_OUT.search(bare) else False if _OPT_IN.search(bare) else None
    ahead = _AHEAD.search(bare)
    if ahead:
        years = ahead.group("n") or ahead.group("z")
        in_months = ahead.group("m") or ahead.group("zm") or ahead.group("im")
        e.months_ahead = (
            6 if ahead.group("half") else _number_in(in_months) if in_months else 12 * (_number_in(years or "") or 1)
        )
    aud = _AUDIENCE.search(bare)
    if (
        aud
        and not re.match(r"(price|bid|budget|campaign|discount|elasticity|cost)", aud.group("a"), re.I)
        and not _first_of(_PLATFORM, aud.group("a"))  # "for facebook" is where, not who
        and not OTHER_PLATFORM.search(aud.group("a"))
        and not re.search(r"\b(tone|voice|style|ads?|headlines?|copy|posts?)\b", aud.group("a"), re.I)
        and not _OCCASION_WORDS.search(aud.group("a").lower())  # "tie it to christmas": when, not who
    ):
        e.audience = aud.group("a").strip()
    else:
        said = [  # "给小红书写…面向大学生", 目标是年轻宝妈: who
            m.group("a") or m.group("p") for m in (*_ZH_AUDIENCE_NAMED.finditer(bare), *_ZH_AUDIENCE.finditer(bare))
        ] + [  # 送闺蜜的圣诞礼物: who the gift is for (主打母亲节送妈妈: the occasion says so already)
            m.group("r")
            for m in _ZH_GIFT_FOR.finditer(bare)
            if not _OCCASION_FOR.get(m.group("r"), _NEVER).search(bare)
        ]
        e.audience = next(
            (
                a
                for a in said
                if not re.match(r"(产品|商品|活动|客户\d)", a)
                and not _first_of(_PLATFORM, a)
                and not OTHER_PLATFORM.search(a)
                and not _OCCASION_WORDS.search(a.lower())  # 主打母亲节送妈妈: the occasion, not an audience
            ),
            e.audience,
        )
    # "现在11.95，涨到12.95的话": a value as it is now is context, never a new value or an amount
    e.numbers = [n for n in e.numbers if not _NOW_VALUE.search(bare[max(0, n.start - 16) : n.start])]
    e.all_campaigns = bool(_ALL_CAMPAIGNS.search(bare))
    e.all_products = bool(_ALL_PRODUCTS.search(bare))
    e.skip_approval = bool(_SKIP_APPROVAL.search(bare))
    e.metric = next((name for pat, name in _METRICS if pat.search(bare)), None)
    for ranked_by in re.finditer(r"\b(?:by|on)\s(?:their\s|its\s)?(\S+(?:\s\S+)?)|按照?\s?(\S{1,8})", bare, re.I):
        by_what = ranked_by.group(1) or ranked_by.group(2)  # "CPA on its own doesn't say much; rank them by ROAS":
        e.metric = next((name for pat, name in _METRICS if pat.match(by_what)), e.metric)  # the metric ranked by
    e.ranking = bool(_RANKING.search(bare))
    changing = bool(e.changes or e.percents or e.numbers)  # (with a change asked for the others)
    e.negated = any(  # ("raise every bid 12% but leave the social one as it is": social is left out, not the raise)
        not (changing and any(n.start() <= m.start() < n.end() for m in left_out_at)) for n in _NEGATION.finditer(bare)
    )
    if left_out and e.negated and not changing:
        e.channels = sorted(left_out)  # "leave the search campaign as it is": search is the one spoken of
    e.hypothetical = bool(_HYPOTHETICAL.search(bare))
    o = _ORDINAL.search(bare)
    if o:
        if o.group("that"):
            e.ordinal = 1  # "how's that one pacing", after "which campaign had the best CTR": the answer's first
        elif o.group("en") or o.group("rank"):
            e.ordinal = _ORDINALS[(o.group("en") or o.group("rank")).lower()]
        elif o.group("seller") or o.group("seller2") or o.group("zbest"):
            e.ordinal = 1  # "the best seller of those", 卖得最好的那款: the first of a list shown best sellers first
        elif o.group("num") or o.group("hash"):
            e.ordinal = int(o.group("num") or o.group("hash"))
        elif o.group("zlast"):
            e.ordinal = -1
        else:
            g = o.group("zh")
            e.ordinal = int(g) if g.isdigit() else zh_number(g)
    e.suggested = bool(_SUGGESTED.search(bare))
    foreign = [n for n in e.numbers if n.currency in ("USD", "EUR", "CNY")]
    e.foreign_currency = foreign[0] if foreign else None
    if quoted is None and not e.refs:
        e.quoted = None
    return e


def after_colon(text: str) -> str | None:
    """The text after a colon: the copy to check in `is this compliant: Best mug ever`."""
    return _after_colon(normalize(text))


def stated_words(change: dict[str, object], request: str) -> str | None:
    """The words of the request that a change's new value came from (`60p` for £0.60, `up 10%`),
    or None when the request does not state it (then the preview says only the value)."""
    to = change.get("to")
    if not isinstance(to, int | float):
        return None
    e = extract(request)
    for n in e.numbers:
        if abs(n.value - float(to)) < 0.005:
            return n.raw
    requested = change.get("requested")
    if isinstance(requested, dict) and e.changes:

        def said(c: Change) -> bool:  # the change of the request this one was asked as
            pct, by = requested.get("change_pct"), requested.get("change_by")
            from_factor = None if c.factor is None else round(100 * (c.factor - 1), 6)
            if isinstance(pct, int | float):
                return any(v is not None and abs(v - pct) < 1e-6 for v in (c.pct, from_factor))
            return isinstance(by, int | float) and c.by is not None and abs(c.by - by) < 1e-6

        c = next((c for c in e.changes if said(c)), e.changes[0])
        verb = re.search(r"(?:\b(?:by|to|up|down)\s|上调|下调|提高|降低|增加|减少|涨|降)\s?$", e.text[: c.start], re.I)
        return (verb.group(0) if verb else "") + c.raw
    return None
