"""From a request (and the conversation before it) to a tool call, or to the question to ask.

Three steps, each small and shared by every tool:
1. parts: `X. Also, Y` / `先…再…` become the parts that each name a tool of their own;
2. the tool: the example bank's vote, unless the message continues the previous turn (`and for
   product 9?`, `the first one`, a bare number answering the copilot's own question);
3. the arguments: each property of the tool's own schema is filled by a typed extractor, by the
   property's name; what is required and missing becomes one short question.
A write is never planned from a negated or hypothetical request, and a value never carries over to a
different target of a write.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from functools import lru_cache
from typing import Any, get_args

from engine.compliance import check_copy
from offline import dsp_words
from offline.extract import (
    _AOV_WORDS,
    COUNTRY_WORDS,
    CUSTOMER_CUE,
    METRIC_PATTERNS,
    TODO_CLAUSE,
    YEAR_NAMED,
    Entities,
    Num,
    OrderDate,
    Ref,
    after_colon,
    days_written,
    extract,
    is_chinese,
    normalize,
    without_values,
)
from offline.intent import NONE, Index, Intent, bank_index
from offline.spelling import Speller
from offline.terms import only_asks_meaning, terms_asked, without_meaning
from tools import TOOLS, ToolFailure
from tools.base import catalog_singular
from tools.campaigns import LOWER_IS_BETTER
from tools.delivery import Period
from tools.reports import SalesPeriod, month_period, sales_period

MAX_PARTS = 4
WRITE_VALUE = {
    "set_campaign_bid": "bid",
    "set_campaign_budget": "daily_budget",
    "set_product_price": "price",
    "set_campaign_bids": "bid",
    "set_campaign_budgets": "daily_budget",
}
WRITES = frozenset(
    name for name, spec in TOOLS.items() if spec.write
)  # never planned from a negated or what-if request
ID_FIELDS = {"product_id": "product", "customer_id": "customer", "campaign_id": "campaign"}
SELECTION = ("campaign_ids", "channel", "all_campaigns")  # which campaigns a bulk edit changes

# Words that open a message continuing the previous one.
_FOLLOW = re.compile(
    r"^\s*(?:and|what about|how about|same for|same thing for|what of|and what about|for|now|just|only)\b"
    r"|^\s*(?:(?:ok|okay|now|and),?\s+)?(?:do\s+)?(?:the\s+)?same(?:\s+(?:thing|report|again))?,?\s+(?:but|for|again)\b"
    r"|^\s*(?:那|还有|再|换成|那么|改成|同样|也|只看|只要|光看|仅看)|呢\s*[?]?\s*$|\binstead\b"
    r"|\b(?:too|as well)\s*[?.!]?\s*$|也(?:看一?下|看看|查一?下|来一?下|一样)",  # "campaign 2 too", 2号的也看一下
    re.I,
)
_FILLER = re.compile(
    r"\b(?:and|what|about|how|same|for|thing|of|now|the|a|an|with|at|to|in|is|it|its|if|then|ok|okay|please|one|instead"
    r"|products?|items?|customers?|clients?|campaigns?|sku|id|number|no|ones|just|only|show|me|pls|but|do|again"
    r"|report|too|as|well|also)\b"
    r"|只看|只要|只算|光看|仅看|看看|看一下|查一下|来一下|一下|[那呢的还有再么吗呢个号商品产品客户活动也同样换成改成只仅看]",
    re.I,
)
_WHICH_WAY = re.compile(  # which end of a ranking a follow-up asks for, in words of its own
    r"(?:跌|降|掉|下滑|涨|增长|卖)得?(?:最|更)?(?:厉害|多|狠|快|凶|好|差)|最(?:差|好|多|少|高|低|快|慢)的?|倒数|垫底"
)
_FILE = re.compile(  # the list asked for as a file
    r"\b(?:export(?:ed|ing)?|download|csv|spreadsheet|excel|xlsx|tabulate)\b|\bas an? (?:file|sheet|table)\b"
    r"|\b(?:in|into) an? (?:table|sheet)\b"
    r"|导出|下载|csv|表格文件|excel|存成文件|存为文件|做成表格|发我(?:个|一个|一份)?(?:文件|表格)",
    re.I,
)
_FILE_FILLER = re.compile(
    r"\b(?:can|could|would|you|u|pls|please|now|then|and|also|just|ok|okay|me|us|them|that|this|it|these|those|the|a|an"
    r"|to|as|into|in|of|for|file|list|lists|numbers|figures|data|table|results|rows|report|one|whole|full|all|send|give"
    r"|get|save|put|make|same|thanks|thx|great|perfect|cool|nice|lovely|brilliant|awesome|sure|yes|yeah|right|hi|hey|mate|there"
    r"|for me|for us|top|first)\b"  # "export the top 20": that many of the last answer's rows
    r"|[把那这个些份给我们帮请再一下来吧呢的成为出全部整完张清单名单数据结果列表文件表格了发麻烦能可以吗前名条]",
    re.I,
)


def wants_file(text: str) -> bool:
    """Whether a request asks for its list as a file (`export to csv`, `导出`): the list is then
    written whole, whether or not `--export` named a file."""
    return bool(_FILE.search(normalize(text)))


def _nothing_but(text: str, *said: re.Pattern[str]) -> bool:
    """Whether the text holds nothing once the words of `said` and the fillers around them are gone."""
    for pattern in (*said, _FILE_FILLER):
        text = pattern.sub(" ", text)
    return not re.findall(r"[A-Za-z]{2,}|[\u4e00-\u9fff]", text)


def _file_only(text: str) -> bool:
    """`export that`, `now export the numbers to csv`, `导出来`: the last answer, as a file."""
    return wants_file(text) and _nothing_but(text, _FILE_PURPOSE, _FILE)


def _file_of_shown(e: Entities, ctx: Context) -> bool:
    """`export the belgium one`, "send me the NL list as a csv" after Belgium's (the Netherlands') list:
    the answer just shown, as a file (a country it was for named, nothing else asked)."""
    shown = {c.strip() for c in str(ctx.args.get("country", "")).split(",") if c.strip()}
    if not wants_file(e.text) or not e.countries or not set(e.countries) <= shown or e.refs or e.stock_codes:
        return False
    return _nothing_but(e.text, COUNTRY_WORDS, _COUNTRY_CODE_WORD, _SHOWN_WORDS, _FILE_PURPOSE, _FILE)


_SHOWN_WORDS = re.compile(
    r"\b(?:one|list|table|ranking|report|figures|numbers|the|that|those|these|them|it|send|me|over|pls|please|can|"
    r"could|you|of|as|an?|file|version)\b|这个|那个|这份|那份|的|名单|列表|表格|表|发我|给我|发一下|一下",
    re.I,
)
_COUNTRY_CODE_WORD = re.compile(r"\b(?:uk|de|fr|nl|es|be|ch|it|pt|se|no|dk|fi|at|ie|au|us)\b", re.I)


_FILE_PURPOSE = re.compile(  # who the file is for is no request: "导出来，我发给法国区同事", "export it, I'll send it to Anna"
    r"[,，;；]\s*(?:我|我们)?(?:要|会|好)?(?:发给|转给|拿给|交给|给|发到|分享给)[^,，;；.。!?！？]{0,16}"
    r"|[,;]?\s*(?:so )?(?:i'?ll|i will|i'?m going to|to|so i can|we'?ll)\s(?:send|share|forward|pass|email|mail)\b[^,;.!?]{0,40}"
    r"|\bfor (?:my|the|our) (?:boss|team|manager|colleagues?|client|[a-z]+ team|deck|slides?|report|powerpoint|ppt)\b"
    r"|[,，;；]?\s*(?:我|我们)?(?:要|想|好|得)?(?:放|贴|做|用|插)(?:到|进|在)?[^,，;；.。!?！？]{0,8}(?:PPT|ppt|幻灯片|汇报|报告|附录|周报|月报)(?:里|中|上|用)?",
    re.I,
)


_GREETING = re.compile(
    r"^\s*(?:hi|hello|hey|help|what can you do|who are you|good (?:morning|afternoon|evening)|你好|您好|帮助|你能做什么|你会什么|在吗)"
    r"[\s!,.?]*(?:there)?[\s!,.?]*$",
    re.I,
)
_COST = re.compile(r"cost|cogs|landed|we pay|pay for|buy (?:it|them)|unit cost|成本|进价|采购价|拿货价|进货价", re.I)
_CLICK = re.compile(r"click|vpc|点击", re.I)
_BUDGET = re.compile(  # 花 and 投 as spending (每天花500, 投入), not 爆米花 or 投影
    r"budget|spend|a day|per day|daily|/day|预算|每天|日预算|花(?=\s?[\d一二两三四五六七八九十]|了|掉|费|得|出|多少)|投入|投放|投(?=\s?\d)",
    re.I,
)
_PLURAL = re.compile(r"\b(?:campaigns|camps|bids|budgets|ads|adverts|cpcs|caps)\b", re.I)
_ADS = re.compile(r"\b(?:ads?|adverts?|campaigns?|camps?|account|advertising)\b|广告|活动|计划|投放", re.I)
_PRODUCTS = re.compile(
    r"\b(?:products?|items?|skus?|(?:best|worst|top|bottom|slow|fast)[- ]?sellers?|lines|movers?|goods|stock"
    r"|fallers|losers|gainers|risers|decliners)\b"
    r"|商品|产品|单品|货|爆款|滞销|款|sku|东西",
    re.I,
)
_SINCE = re.compile(r"\bsince\b|以来|至今|到现在|到目前为止", re.I)
_VERSUS = re.compile(  # "November vs October", 11月和10月比: two months compared, not a range
    r"\b(?:vs\.?|versus|compared? (?:to|with)|compares (?:to|with)|comparing (?:to|with)|relative to|against|over)\b"
    r"|\b(?:better|worse|more|less|higher|lower|bigger|stronger|weaker|busier|quieter) than\b"
    r"|对比|相比|比较|环比|(?:和|跟|与).{0,8}比|月份?比\s?(?:\d{1,2}|[一二三四五六七八九十]{1,2})\s?月",  # 11月比10月
    re.I,
)
_VS_MONTH = re.compile(  # a month named only as what another is compared with
    r"\b(?:vs\.?|versus|against|compared? (?:to|with)|compares (?:to|with)|comparing (?:to|with)|relative to|than)\s"
    r"(?:the\s)?(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\b"
    r"|(?:比|对比|相比)\s?(?:\d{1,2}|[一二三四五六七八九十]{1,2})\s?月",
    re.I,
)
_SEASON = re.compile(
    r"\b(?:which|what) (?:month|months|weekday|day of the week|season|time of (?:the )?year)\b|\b(?:best|worst|busiest|quietest) "
    r"(?:months?|weekdays?|days of the week|seasons?)\b|\bweekdays?\b|\bweekends?\b|\bwhen in the year\b|\bhistorically\b"
    r"|\bwhen do (?:we|people|customers) (?:sell|buy)\b"
    r"|哪个月|几月|(?<![\d一二三四五六七八九十])月份|哪一?天|周[一二三四五六日末几]|(?:星期|礼拜)[一二三四五六日天几]|季节|淡季|旺季|全年|什么时候(?:卖|买|销)",
    re.I,
)
_FUTURE_VALUE = re.compile(  # what customers are worth from now on: the lifetime-value model, not past spend
    r"\b(?:predicted|projected|expected|future|forecast) (?:[\w-]+ ){0,2}?(?:value|spend|worth|revenue)\b|(?<![a-z])(?:clv|ltv)(?![a-z])"
    r"|\blifetime (?:customer )?(?:value|worth)\b"  # "lifetime spend" is what they spent so far
    r"|\bworth the most\b|\bmost valuable (?:going forward|in future|next year)\b|\bgoing forward\b"
    r"|预测价值|未来价值|生命周期价值|终身价值|潜在价值|未来最值钱|最值钱|预期价值|预计价值|未来(?:还会)?(?:贡献|花)",
    re.I,
)
_AD_SETTING = re.compile(r"\b(?:bids?|budgets?|max cpc|cpc)\b|出价|预算", re.I)
_AT_LEAST = re.compile(r"\bat least\b|至少", re.I)  # a lower bound, not the least sold
_SELLS = re.compile(r"\b(?:sells?|sold|selling|sellers?)\b|卖|销量|畅销", re.I)
_TARGET = re.compile(r"(?:\bto|\bat|=|->|为|成|到|改成|设成|调到)\s?$", re.I)
_QUIET = re.compile(  # customers who stopped ordering: with no day named, the at-risk list
    r"\b(?:haven'?t|hasn'?t|have not|has not|not|no longer|never)\s(?:\w+\s){0,2}?(?:ordered|bought|purchased|shopped|been back"
    r"|come back|ordering|buying)\b|\bstopped (?:ordering|buying|coming|shopping)\b|\bgone (?:quiet|cold|dark|silent)\b"
    r"|\bwent (?:quiet|cold|dark|silent)\b|\blost\b|(?:没|没有|不)(?:再|怎么)?(?:下单|买|来|复购)|沉默|冷掉|流失",
    re.I,
)


@dataclass
class Context:
    """What the conversation so far gives the next turn: the previous turn's tool, its arguments,
    what it still needed, and its result (the offline model keeps these on its own answers)."""

    tool: str | None = None
    args: dict[str, Any] = field(default_factory=dict)
    missing: list[str] = field(default_factory=list)
    result: dict[str, Any] | None = None
    listing: tuple[str, list[int]] | None = None  # the last list shown: ("customer_id", [15749, ...])
    asked: frozenset[str] = frozenset()  # figures the previous turn asked for by name ("aov")
    said: str | None = None  # the request the previous turn asked a question about


@dataclass
class Plan:
    tool: str | None  # None: out of scope, a greeting, or nothing to do
    args: dict[str, Any] = field(default_factory=dict)
    missing: list[str] = field(default_factory=list)
    zh: bool = False
    notes: list[str] = field(default_factory=list)  # said to the marketer beside the answer (keys)
    refused_write: str | None = None  # "negated" or "hypothetical": a change asked for and not planned
    greeting: bool = False
    declined: str | None = None  # "competitor": data the shop does not hold was asked for; say so, answer nothing
    intent: Intent | None = None
    listing: tuple[str, list[int]] | None = None  # carried forward for `the second one`


@lru_cache(maxsize=64)
def schema(tool: str) -> dict[str, Any]:
    return TOOLS[tool].args.model_json_schema()


def _props(tool: str) -> dict[str, Any]:
    return dict(schema(tool).get("properties", {}))


def props_of(tool: str | None) -> dict[str, Any]:
    """A tool's argument properties ({} for no tool)."""
    return _props(tool) if tool is not None else {}


def _required(tool: str) -> list[str]:
    s = schema(tool)
    req = list(s.get("required", []))
    if tool == "discount_effect" and "discount_pct" not in req:
        req.append("discount_pct")  # or a new price
    if tool in ("similar_products", "bought_together"):
        req.append("query")  # a product id or a text: asked for as one
    if tool == "impression_bid":
        req.append("value_per_click")  # or a campaign id
    if tool in WRITE_VALUE:
        req.append(WRITE_VALUE[tool])  # an absolute value or a change
    if "all_campaigns" in _props(tool):
        req.append("campaigns")  # ids, a channel, or all of them
    return req


# -- parts --------------------------------------------------------------------------------------

_STRONG = re.compile(
    r"(?:(?<=[.!?;,])\s?|\s(?=and also|and then|and separately))(?:(?:and also|also|plus|additionally|and then|then|after that"
    r"|and separately|separately|secondly|and finally|finally|lastly)\b[,:]?)\s?"
    r"|(?:^|(?<=[.!?;,])\s?)(?:另外|还有|顺便|同时|然后|并且|其次|再者|最后|此外)|(?<=[.!?;,]\s)再(?=[\u4e00-\u9fff])|^先(?=.{2,}再)"
    r"|(?<=\?)\s?and\s(?=(?:would|will|what|how|can|could|should|is|are|does|do|which|who|where)\b)"  # "...? and would 10% off pay?"
    r"|(?<=\?)\s?and\s(?=(?:of|for|among|in) (?:the|our|those|these)\b)"  # "...rate? And of the customers who…"
    r"|(?:^|\s)\(?[1-9]\)\s"  # a numbered list: "1) ... 2) ..."
    r"|(?<=[A-Za-z\u4e00-\u9fff\d?])\s\+\s(?!(?:social|display|search|email|video|shopping)\b|"
    + COUNTRY_WORDS.pattern  # "german + austrian customers": one list of two countries
    + r")(?=[A-Za-z\u4e00-\u9fff]\S*\s+\S|\d{1,2}\s(?:more|extra|other|additional|different)\b)"  # "top 10 sellers + the
    # 10 worst", "3 playful meta ads + 3 more urgent ones"
    r"|(?<=\?)\s?and\s(?=(?:show|give|list|pull|send|export|tell|break|get|plot|chart|rank|compare)\b)",  # "...? and show me its clicks"
    re.I,
)
_WEAK = re.compile(
    r"(?<=[.!?;])\s+(?=\S)|;\s?|,\s(?:and\s)?(?=[A-Za-z])|:\s(?=[A-Za-z])|\s(?:and|&)\s(?=(?:set|write|draft|give|tell|show|check|find|plan|split|raise|lower"
    r"|change|what|how|who|which|list|recommend|replay|put|bump|push|drop|cut|increase|decrease|reduce|pause|resume"
    r"|boost|knock|export|pull|compare|add|take|move|shift|top up|trim|double|halve|bring|lift|lower|up)\b)"
    r"|\s(?:and|&)\s(?=(?:the\s)?(?:search|social|display|email|shopping|video|win-?back|campaign\s?\d+|c\d+)(?:'s)?\s"
    r"(?:[a-z]+\s)?(?:bid|budget|cpc|spend)\b)",  # "search bid up to 1.25 and social daily budget +20%": two changes
    re.I,
)


def _masked(text: str) -> str:
    """Quoted text blanked out (same length): an instruction inside a quote is data, never a part."""
    out = text
    for m in _QUOTED_ANY.finditer(text):
        out = out[: m.start()] + "\x00" * (m.end() - m.start()) + out[m.end() :]
    return out


_QUOTED_ANY = re.compile(r"\"[^\"]*\"|「[^」]*」|《[^》]*》|(?:(?<=^)|(?<=[\s:]))'[^']*'(?=[\s,.?!;:]|$)")


_ZH_CLAUSE = re.compile(r"(?<=[\u4e00-\u9fff\d%)]),\s(?=[\u4e00-\u9fff]|\d+\s?号)")  # 出价提10%，展示的…
_ZH_REMARK = re.compile(
    r"(?:不错|很好|挺好|还行|还可以|一般|很差|不好|不太好|太高了?|太低了?|[涨跌降]了|快到了|要到了|来了)\s?$"
)
_BEST_AND_WORST = re.compile(
    r"(?:最好|最畅销|最高|卖得最好|\bbest\b|\btop\b)[^，,。.;?？]{0,14}?(?P<and>\s?(?:和|跟|与|以及|\band\b|&)\s?)"
    r"(?=(?:the\s)?(?:最差|最低|卖得最差|最不好|倒数|worst|bottom))",
    re.I,
)
CLAUSE, WEAK, LIST, STRONG = (
    -1,
    0,
    1,
    2,
)  # a Chinese comma, a sentence end, an item of a list, a connector ("Also,", 然后)


def _pieces(text: str) -> list[tuple[str, int]]:
    """The text cut at connectors (strong: the next piece is a request of its own) and at sentence
    ends (weak: it may be context for its neighbour), never inside quotes."""
    masked = _masked(text)
    cuts: list[tuple[int, int, int]] = []
    listed = bool(re.search(r",\s(?:and|&)\s|:\s", masked))  # commas cut only a list: "A, B, and C"
    for pat, strong in ((_STRONG, True), (_WEAK, False)):
        for m in pat.finditer(masked):
            level = STRONG if strong else WEAK
            if not strong and m.group(0).startswith((",", ":")):
                if not listed:
                    continue
                level = LIST  # "Three quick ones: A, B, and C": the items of a list
            if (
                strong
                and re.fullmatch(r"\s?\(?[1-9]\)\s", m.group(0))
                and masked[: m.start()].count("(") > masked[: m.start()].count(")")
            ):
                continue  # "(top 8) and": a count in brackets, not the item "8)" of a numbered list
            inside = masked[: m.start()].count("(") > masked[: m.start()].count(")")
            if inside and "+" in m.group(0):
                continue  # "5 google ads (headlines + descriptions)": one thing in brackets, not two asks
            if m.end() > m.start() or not strong:
                cuts.append((m.start(), m.end(), level))
    for m in _ZH_CLAUSE.finditer(masked):  # 搜索计划出价降到0.7，展示的预算加50: a clause may be an ask of its own
        cuts.append((m.start(), m.end(), CLAUSE))
    for m in _BEST_AND_WORST.finditer(masked):  # 卖得最好的5个和最差的5个: two rankings, each a part
        cuts.append((m.start("and"), m.end("and"), STRONG))
    if masked.startswith("先") and not any(text[a:b].strip() == "再" for a, b, _ in cuts):
        then = masked.find("再", 3)  # 先…再… with no comma between
        if then > 0:
            cuts.append((then, then + 1, STRONG))
    cuts.sort()
    merged: list[tuple[int, int, int]] = []
    for a, b, level in cuts:  # "lapse? also book ...": one cut, strong
        if merged and a <= merged[-1][1]:
            pa, pb, ps = merged[-1]
            merged[-1] = (pa, max(pb, b), max(ps, level))
        else:
            merged.append((a, b, level))
    out: list[tuple[str, int]] = []
    pos, level_next = 0, WEAK
    for a, b, level in merged:
        piece = text[pos:a].strip(" ,.;")
        if piece:
            out.append((piece, level_next))
        pos, level_next = b, level
    tail = text[pos:].strip(" ,.;")
    if tail:
        out.append((tail, level_next))
    return out


_LIKE = re.compile(
    r"\b(?:stuff|things?|items?|products?|anything|something|more|others?) (?:like|similar to)\b|\bsimilar to\b"
    r"|(?:和|跟|与|像).{1,20}(?:类似|差不多|相似|一样)",
    re.I,
)
_PRICE_WORDS = re.compile(r"\bprice[ds]?\b|\bpricing\b|价格|定价|售价|标价|改价", re.I)
_BEST = re.compile(
    r"\b(?:best|top|most|biggest|highest|leading)\b|(?<![a-z])top(?=\s?\d)|最好|最佳|最多|最高|畅销|卖得好|爆款|前\s?\d",
    re.I,
)
_BOTH_ENDS = re.compile(  # the top and the bottom of a ranking asked for together
    r"\b(?:top|best)(?: \d+)?(?: sellers| products| items)? (?:and|&|\+|plus|as well as|vs\.?|versus) (?:the )?"
    r"(?:\d+ )?(?:bottom|worst|slowest|biggest (?:drops|fallers|falls)|fallers)\b"
    r"|\b(?:best|top)\b[^.?!]{0,40}\band (?:the )?(?:\d+ )?(?:worst|bottom|biggest (?:drops|fallers|falls)|slowest)\b"
    r"|(?:最好|最畅销|最多|前\s?\d+).{0,14}(?:和|以及|跟|还有|与).{0,8}(?:最差|最不好|跌得最|下滑最|倒数|最少)",
    re.I,
)
_WHO = re.compile(r"\bwho(?:'s| is| are)?\b|哪些人|都有谁|是谁|有谁", re.I)
_ONES = re.compile(r"\bones\b", re.I)
_BARE_COUNT = re.compile(
    r"\b(?:the\s)?(?:top\s|bottom\s|worst\s|best\s)?\d{1,3}\b(?=\s(?:that|which|who|with|by|in)\b)", re.I
)
_NOUN = re.compile(r"\b(?:customers|products|campaigns|sellers|items|clients)\b", re.I)
_QUESTION_START = re.compile(
    r"^\s*(?:and\s)?(?:how many|how much|which|what|who)\b|^\s*(?:那)?(?:有多少|多少|哪些|哪个)", re.I
)


def _own_question(first: str, second: str) -> bool:
    """A question of its own after a list, saying again the country it is about (`Swiss customers with
    3+ orders, and how many at-risk ones do we have in Switzerland?`): a second answer, not a filter."""
    if not _QUESTION_START.search(second):
        return False
    a, b = extract(first).countries, extract(second).countries
    return bool(a) and a == b


def _of_a_part(first: str, before: Plan, second: str, p: Plan) -> bool:
    """A question about the whole after which a question about a part of it (`What's our repeat purchase
    rate? And of the customers whose first order was in Q1, how many ordered again?`): two answers."""
    narrower = bool(set(p.args) - set(before.args) - {"limit", "sort"}) or bool(  # a filter of its own (months
        _FIRST_ORDER.search(second) and extract(second).months  # of a first order are read against today, later)
    )
    return (
        narrower
        and first.rstrip().endswith(("?", "？"))
        and second.rstrip().endswith(("?", "？"))
        and bool(re.match(r"\s*(?:and\s+)?(?:of|among|for|in) (?:the|our|those|these)\b", second, re.I))
    )


def _same_subject(first: str, second: str, p: Plan) -> bool:
    """A short question naming nothing after one about a customer, product or campaign named by id,
    which its own tool could not take: more about that one (`customer 12748? how many orders`)."""
    if len(re.findall(r"[A-Za-z]+|[\u4e00-\u9fff]", second)) > 8 or extract(second).refs:
        return False
    kinds = {r.kind for r in extract(first).refs} & set(ID_FIELDS.values())
    if any(pat.search(second) for k, pat in _KIND_WORDS.items() if k not in kinds):
        return False  # "pause campaign 2. what was the best selling product last week": another subject
    props = _props(p.tool) if p.tool is not None else {}
    return bool(kinds) and not any(f in props for f, k in ID_FIELDS.items() if k in kinds)


def _about_one_before(first: str, second: str, p: Plan, prev: Plan) -> bool:
    """A short question that leans back (they, it, that) on the answer the read before it gives and
    asks nothing its own tool could take: more about that answer ("what's 14911 worth? ... + chance
    they're still active", "...last quarter, and what share of the shop is that?")."""
    if len(_WORDS.findall(second)) > 8 or not _LEANS_ON.search(second) or extract(second).refs:
        return False
    if prev.tool is None or prev.tool in WRITES or p.tool in WRITES or p.args:
        return False
    e = _with_bare_customer(extract(first), {})
    named = {r.kind for r in e.refs} | ({"product"} if e.stock_codes else set())
    named |= {k for k, pat in _KIND_WORDS.items() if pat.search(first)} | ({"campaign"} if e.channels else set())
    return not any(f in props_of(p.tool) and k in named for f, k in ID_FIELDS.items())  # "…85123A. also whats
    # its elasticity": a tool of its own for the one named, a part of its own


_READS_FIGURES = frozenset({"sales_report", "campaign_metrics", "compare_campaigns", "top_products", "customer_list"})
_CUSTOMER_LISTS = frozenset({"customer_list", "lapsing_customers", "customer_lifetime_value"})
_SOLD_OF_KIND = re.compile(  # what a list of a kind's products shows of each: its units sold and its price
    r"\b(?:move|moves|moving|sell|sells|selling|sold|popular|prices?|cost|costs|apiece)\b|卖|销量|多少个|多少件|多少钱|价格|价钱",
    re.I,
)
_KIND_WORDS = {
    "campaign": re.compile(r"\bcampaigns?\b|活动|计划", re.I),
    "customer": re.compile(r"\b(?:customers?|clients?)\b|客户|顾客", re.I),
    "product": re.compile(r"\b(?:products?|items?|skus?)\b|产品|商品", re.I),
}
_LEANS_ON = re.compile(r"\b(?:they|them|their|it|its|that)\b|他|她|它|这个占|那个占", re.I)


_TARGET_WHO = re.compile(
    r"\b(?:who|which customers|what customers)\b[^.?!]{0,30}\btarget|投给谁|针对哪些|目标人群|找哪些客户", re.I
)


def _plan_answers(part: tuple[str, Any, Plan]) -> bool:
    """A part a campaign plan before it answers: how to split its budget, or whom to target."""
    text, _, p = part
    return (
        (p.tool == "budget_split" and "total" in p.missing)
        or (p.tool == "sales_report" and bool(re.search(r"run-?up|baseline|预热|基准", text, re.I)))
        or (p.tool in ("email_targeting", "lapsing_customers", "customer_list") and bool(_TARGET_WHO.search(text)))
    )  # (the plan gives the last run-up's sales as its baseline)


def _after_colon(norm: str, piece: str) -> bool:
    """Whether a piece follows a colon: "a monthly summary for last quarter: revenue and orders…" spells out
    the ask before it."""
    at = norm.find(piece)
    return at > 0 and norm[:at].rstrip().endswith((":", "："))


def split_parts(text: str, stock_codes: dict[str, int] | None = None) -> list[str]:
    """The parts of a message that each ask for something of their own ([text] when it is one).

    A piece after a connector (`Also,` `然后`) is a part when it names a tool; a piece after a
    plain sentence end is a part only when both it and the part before it are complete requests for
    different things; anything else is context and stays with its neighbour."""
    norm = normalize(text)
    pieces = _pieces(norm)
    if len(pieces) <= 1:
        return [text]
    parts: list[tuple[str, int, Plan]] = []
    for piece, level in pieces:
        strong = level == STRONG
        earlier = " ".join(p for p, _, _ in parts) or None
        piece = _field_carried(piece, parts[-1][2] if parts else None)
        p = plan(piece, None, stock_codes=stock_codes, earlier=earlier, split=False)
        if "campaign_id" in p.missing and extract(piece).channels:  # "the search budget": its campaign, found later
            p.missing = [m for m in p.missing if m != "campaign_id"]
        if "product_id" in p.missing and p.tool in WRITE_VALUE and catalog_phrase(piece):  # "set the chocolate hot
            p.missing = [m for m in p.missing if m != "product_id"]  # water bottle to £4.49": found by its name later
        if parts:  # an id the part before names is this part's too ("兔子夜灯的弹性？打八折呢"): not missing
            before = parts[-1][2].args
            p.missing = [
                m
                for m in p.missing
                if not (m in ID_FIELDS and m in before)
                and not (m == "query" and "product_id" in before and p.tool and "product_id" in _props(p.tool))
            ]  # "85099B是啥？有没有跟它类似的": like that product
        if parts:
            prev_text, prev_strong, prev = parts[-1]
            out_of_scope = _out_of_scope(p)
            separate = (strong and (p.tool is not None or out_of_scope)) or (
                p.tool is not None
                and prev.tool is not None
                and not p.missing
                and not prev.missing
                and p.tool != prev.tool
                and _substantial(piece, p)
                and _substantial(prev_text, prev)
            )
            if (
                p.tool is not None
                and p.tool == prev.tool
                and p.tool in WRITE_VALUE
                and not p.missing
                and not prev.missing
                and not (_same_target(p.args, prev.args) and _same_channels(piece, prev_text))
            ):
                separate = True  # "活动1出价0.9，活动2出价1.1": one write each, each with its own value
            if (
                p.tool is not None
                and p.tool == prev.tool
                and not p.missing
                and not prev.missing
                and _conflict(p.args, prev.args)
                and _ASKS.search(piece)
                and _ASKS.search(prev_text)
            ):
                separate = True  # "which has the best CTR, and which one's got the worst CPA?": two rankings
            if strong and p.tool is not None and p.tool == prev.tool and p.missing:
                separate = False
            if p.refused_write or prev.refused_write:
                separate = False  # "we won't change the bid. Show me the pacing": the refusal is context
            if _file_only(piece) and prev.tool is not None and prev.tool not in WRITES:
                separate = False  # "…前15个，顺便导出个表", "…, also export it": that list, as a file
            if _QUALIFIER.match(piece):
                separate = False  # "…CTR and conversions for each, with the change against October": how, not what
            if level == CLAUSE and not _own_clause(prev_text, prev, piece, p):
                separate = False  # 想做一波促活，把…拉个名单: the first clause is the reason for the ask
            if level == WEAK and not (_asks(piece, p) and _asks(prev_text, prev)):
                separate = False  # a statement ("It lists the price as -12.75.") is context for the ask
            if p.tool != prev.tool and _change_of_one(piece, p) and _change_of_one(prev_text, prev):
                separate = (
                    True  # "resume it and cut the bid by 10p", 还是开回来，出价降一毛: two changes of the one spoken of
                )
            if (
                level == WEAK
                and not separate
                and p.tool is not None
                and prev.tool is not None
                and p.tool != prev.tool
                and not (p.missing and prev.missing)
                and not {p.tool, prev.tool} & WRITES
                and _ASKS.search(piece)
                and _ASKS.search(prev_text)
                and _substantial(piece, p)
                and _substantial(prev_text, prev)
            ):
                separate = True  # "要不要提前加预算？先看看1、2月份是淡季还是旺季": one answered, one asked about
            if (
                not separate
                and level in (WEAK, LIST)
                and p.tool is not None
                and p.tool == prev.tool
                and not p.missing
                and not prev.missing
                and _own_question(prev_text, piece)
            ):
                separate = True  # "Swiss customers with 3+ orders, and how many at-risk ones in Switzerland?"
            if level == WEAK and separate and _same_subject(prev_text, piece, p):
                separate = False  # "12748号客户什么来头？下了多少单": more questions about the one named
            if (
                separate
                and prev.tool == "similar_products"
                and prev.args.get("every_match")
                and _SOLD_OF_KIND.search(piece)
                and not extract(piece).refs
                and len(_WORDS.findall(piece)) <= 8
            ):
                continue  # "which doormats do we sell, and which ones actually move?", 每款多少钱: the list shows it
            if (
                separate
                and {p.tool, prev.tool} <= _CUSTOMER_LISTS
                and not set(p.args) - {"sort", "limit"}
                and not extract(piece).refs
                and len(_WORDS.findall(piece)) <= 6
            ):
                separate = False  # "... come back for a 2nd order? show me the biggest spenders": that list, sorted
            if (
                separate
                and level == WEAK
                and p.tool is not None
                and _POINTS_BACK.search(piece)
                and not extract(piece).refs
                and prev.tool is not None
                and any(f in _props(prev.tool) and f not in _props(p.tool) for f in ID_FIELDS)
            ):
                separate = False  # "how's the win-back campaign pacing? on track to spend its £200?": about it
            if level != CLAUSE and _ZH_NO_SUBJECT.match(piece) and prev.tool is not None and not extract(piece).refs:
                # 英国的冠军客户有多少个？一共贡献了多少营收: those customers' revenue, no second report
                separate = False
            if _SHOW_ONLY.match(piece) or (prev.tool in _READS_FIGURES and _SHOW_ONLY.match(without_values(piece))):
                separate = False  # "do we sell any tea cosies? codes + prices pls": what the list shows
            if (
                separate
                and prev.tool is not None
                and p.tool not in (None, prev.tool)
                and not {p.tool, prev.tool} & WRITES
                and (
                    (set(p.args) - set(ID_FIELDS) and set(p.args) - set(ID_FIELDS) <= set(_props(prev.tool)))
                    or (not set(p.args) - set(ID_FIELDS) and len(_WORDS.findall(piece)) <= 2)  # "利润呢"
                )
                and not extract(piece).refs
                and len(_WORDS.findall(piece)) <= 6
            ):
                separate = False  # "…打九折的话能多卖多少？利润呢，成本按0.8算": a value the part before takes
            if separate and _about_one_before(prev_text, piece, p, prev):
                separate = False  # "what's 14911 worth? ... + chance they're still active": still that customer
            if (
                prev.tool is not None
                and _RESORT.search(piece)
                and set(fill(prev.tool, extract(piece), is_chinese(piece)).args) & _ORDERINGS
                and not extract(piece).refs
            ):
                separate = False  # "What gets bought with 85123A? Rank by lift, not the usual best sellers": that list
            if prev.tool in _RANKS_WITH_CHANGE and _after_colon(norm, piece) and not extract(piece).refs:
                separate = False  # "a monthly sales summary for last quarter: revenue and orders for each month"
            if prev.tool in _RANKS_WITH_CHANGE and _EACH_MOVED.search(piece) and not extract(piece).refs:
                separate = False  # "I'd like to see how each one moved against October too": the ranking's changes
            if not separate:
                merged = prev_text + (", " if level == CLAUSE else ". ") + piece  # a clause goes back as it was
                parts[-1] = (merged, prev_strong, plan(merged, None, stock_codes=stock_codes, split=False))
                continue
        if (
            parts
            and p.tool is not None
            and p.tool == parts[-1][2].tool
            and _same_target(p.args, parts[-1][2].args)
            and _same_channels(piece, parts[-1][0])
            and not _conflict(p.args, parts[-1][2].args)
            and not _own_question(parts[-1][0], piece)
            and not _of_a_part(parts[-1][0], parts[-1][2], piece, p)
        ):
            merged = (
                parts[-1][0] + ". " + piece
            )  # "its repeat rate? and list its selling points": one call answers both
            parts[-1] = (merged, parts[-1][1], plan(merged, None, stock_codes=stock_codes, split=False))
            continue
        parts.append((piece, strong, p))
    while len(parts) > 1 and (
        (parts[0][2].tool is None and not _out_of_scope(parts[0][2]))
        or (
            len(_WORDS.findall(parts[0][0])) <= 2
            and (parts[0][2].missing or parts[0][2].tool not in WRITE_VALUE)
            and not (_ASKS.search(parts[0][0]) and not parts[0][2].missing)  # 看下季节性: short, yet an ask
            and not (  # "resume it and cut the bid by 10p": two changes, the first short
                parts[0][2].tool != parts[1][2].tool
                and _change_of_one(parts[0][0], parts[0][2])
                and _change_of_one(parts[1][0], parts[1][2])
            )
        )
    ):
        first, second = parts[0], parts[1]  # "3 things: 1) ..." is a preface, not a part
        merged = first[0] + " " + second[0]
        parts[:2] = [(merged, second[1], plan(merged, None, stock_codes=stock_codes, split=False))]
        parts[0] = (parts[0][0], parts[0][1], second[2]) if parts[0][2].tool != second[2].tool else parts[0]
    plans = [p.tool for _, _, p in parts]
    if "campaign_plan" in plans:  # "a plan with £6,000: when to start, who to target, how should it split?":
        parts = [  # the plan's own channel split and audiences answer the rest, not a split asking for its
            part for i, part in enumerate(parts) if not ("campaign_plan" in plans[:i] and _plan_answers(part))
        ]  # total again, nor an e-mail uplift model for "which customers should we target?"
    if len(parts) <= 1 or all(p.tool is None for _, _, p in parts):
        return [text]
    return [t for t, _, _ in parts][:MAX_PARTS]


_RANKS_WITH_CHANGE = frozenset({"top_products", "compare_campaigns", "sales_report"})  # each row's change shown
_EACH_MOVED = re.compile(  # how each row of a ranking changed: what the ranking shows beside each one
    r"\b(?:each|every) (?:one|of them|of those|product|item|sku|campaign)\b[^.?!]{0,40}?"
    r"\b(?:moved|changed|did|compared?|against|vs\.?|versus|grew|fell)\b"
    r"|\bhow (?:they|those|these|each) (?:\w+ )?(?:moved|changed|compare|did|grew|fell)\b"
    r"|(?:每款|每个|每一个|各自|分别|它们|这些)[^。？！?!]{0,12}(?:变化|涨跌|增长|下降|对比|相比|比)",
    re.I,
)
_QUALIFIER = re.compile(r"\s*(?:with|including|incl\.?|along with|together with|plus the|showing)\b", re.I)
_ASKS = re.compile(  # a question or an instruction, not a statement of context
    r"\?\s*$|^\s*(?:please|pls|can|could|would|will|what|which|who|how|when|where|why|is|are|do|does|did|should|shall"
    r"|set|show|tell|give|list|find|write|draft|check|plan|split|make|put|raise|lower|drop|cut|change|run|replay|compare"
    r"|recommend|suggest|estimate|work out|let'?s|i'?d like|i want|i need|we need|we want|bring|take|increase|decrease"
    r"|reduce|pause|resume|stop|restart|rank|sort|pull|break down|chart|plot|export)\b"
    r"|\b(?:please|could you|can you|would you|i'?d (?:also )?like|i would (?:also )?like|i want|i need|we need|let me know"
    r"|we should|(?:it'?d|it would) be (?:\w+ )?(?:to|if))\b"
    r"|^\s*先?(?:请|帮|麻烦|烦请|能不能|能否|可以|看看|看下|查|给|把|列|写|算|分析|测算|预估|评估|设|改|调)|吗\s*$|呢\s*$|多少|怎么|如何|哪些|哪个|是否|有没有|烦请|请"
    r"|还是",
    re.I,
)
_WORDS = re.compile(r"[A-Za-z]{2,}|[\u4e00-\u9fff]{2}")
_THERE = re.compile(  # the place the part before named
    r"(?<!\bis )(?<!\bare )(?<!\bwas )(?<!\bwere )\bthere\b(?! (?:is|are|was|were|any)\b)|\bin that (?:country|market)\b"
    r"|那边|那里|当地|该国|这个国家|那个国家|这个站|那个站",
    re.I,
)
_POINTS_BACK = re.compile(r"\b(?:its|it|it's|their|them|that one|this one)\b|它(?!们)", re.I)
_THAT_ONE = re.compile(r"\bthat one\b", re.I)
_POINTS_AT_ONE = re.compile(
    r"\b(?:its|it|it's|that one|this one|that campaign)\b|它(?!们)|这条|那条|这个计划|那个计划", re.I
)


def browses(text: str) -> bool:
    """Asks which products of a kind there are, or which bear a picture or print ("how many childrens
    aprons do we have", 有没有小狗图案的热水袋): the products that match, not one product or its neighbours."""
    if _LIKE.search(text):
        return False  # "do we have anything like the white hanging heart": its neighbours
    if _RANGE_ASKED.search(text) or (_WHICH_OF_THEM.search(text) and catalog_phrase(text)):
        return True  # 儿童围裙最近30天哪款卖得最好: which of the kind, not the one product its words come near
    return bool((_EVERY.search(text) or _BROWSE.search(text)) and _MARKED.search(text))


# how many of a kind there are, or which: "how many childrens aprons do we have", 儿童围裙有几款
_RANGE_ASKED = re.compile(
    r"\b(?:how many|which|what)\s(?:kinds?\sof\s|types?\sof\s)?[a-z' ]{2,40}\s"
    r"(?:do\swe\s(?:have|sell|carry|stock)|have\swe\sgot)\b|有几款|几款|多少款|哪几款|哪些款|有哪些|有多少种",
    re.I,
)


def points_at_one(text: str) -> bool:
    """Does the message point back at one thing ("its", 它, 那条)?"""
    return bool(_POINTS_AT_ONE.search(text))


_SHARE_OF = re.compile(r"\bshare\b|\bpercentage\b|\bproportion\b|\bwhat percent\b|占比|份额|占多少|比重", re.I)
_HOW_MANY_MORE = re.compile(r"\b\d+\s+(?:more|others?|variants?|versions?|options?)\b|再来\s*\d+\s*[个条篇版]", re.I)
_SHOWN = (
    r"(?:(?:stock |product )?codes?|skus?|ids?|prices?|names?|descriptions?|units?|货号|编号|价格|售价|名称|销量"
    r"|revenue|sales|turnover|(?:the )?(?:number|count|no\.?) of (?:orders|customers|units)|orders|aov|average order value"
    r"|spend|roas|cpa|ctr|clicks|conversions|营收|销售额|收入|订单数?|单量|件数|客单价|花费|投产比|点击率|转化数?)"
)
_SHOW_ONLY = re.compile(  # a piece that says only what a list or report shows: "codes + prices pls", 带上货号和价格,
    # "Revenue and number of orders, split by month please" (its grain read as a value)
    rf"^\s*(?:(?:with|and|plus|incl(?:uding|\.)?|show|give me|要|带上|附上|加上)\s*)?(?:the\s+)?{_SHOWN}"
    rf"(?:\s*(?:\+|&|,|and|和|、|及)\s*(?:the\s+)?{_SHOWN})*\s*,?\s*(?:split|broken (?:down|out)|拆(?:一下|开)?)?"
    rf"\s*(?:pls|please|too|as well|thanks|也要|一起)?\s*[.?!。？！]?\s*$",
    re.I,
)
_FRAME = re.compile(  # a frame of politeness around the ask, never the ask itself
    r"\b(?:when(?:ever)? you (?:have|get|find) a (?:moment|minute|sec(?:ond)?|chance)s?|if (?:at all )?possible"
    r"|at your (?:earliest )?convenience|if you (?:don'?t|do not) mind|if you could|no rush|thanks?(?: you)?|cheers"
    r"|many thanks|hello|hi|hey)\b",
    re.I,
)


_WHEN = ("period", "start", "end", "month", "to_month")  # the arguments that say when


_FIELD_NOUN = {
    "set_campaign_budget": ("budget", "预算"),
    "set_campaign_budgets": ("budget", "预算"),
    "set_campaign_bid": ("bid", "出价"),
    "set_campaign_bids": ("bid", "出价"),
}
_FIELD_SAID = re.compile(r"\b(?:budgets?|bids?|prices?|cpc)\b|预算|出价|价格|售价|价", re.I)


def _field_carried(piece: str, prev: Plan | None) -> str:
    """A clause that names a campaign and a change but not what changes takes it from the change
    before it: "set the search budget to 1.2k and put social up 15%" raises social's budget."""
    if prev is None or prev.tool not in _FIELD_NOUN or _FIELD_SAID.search(piece):
        return piece
    e = extract(piece)
    if not (e.channels or e.ids("campaign")) or not (e.changes or e.percents or e.numbers):
        return piece
    en, zh = _FIELD_NOUN[prev.tool]
    return f"{piece}（{zh}）" if is_chinese(piece) else f"{piece} ({en})"


def _own_clause(prev_text: str, prev: Plan, piece: str, p: Plan) -> bool:
    """Two Chinese clauses that are each an ask of their own (Chinese joins asks with a comma where
    English starts a new sentence): each asks or is a whole change, and the second does not lean on
    an id only the first names (`12748号客户…下了多少单，客单价多少`: that customer's)."""
    asks = [bool(_ASKS.search(t)) or complete_write(x) for t, x in ((prev_text, prev), (piece, p))]
    before, now = extract(prev_text), extract(piece)
    leans = any(
        before.ids(kind) and not now.ids(kind) and (p.tool is None or f not in _props(p.tool))  # type: ignore[arg-type]
        for f, kind in ID_FIELDS.items()
    ) or (  # 红色波点的大号购物袋最近卖得怎么样，帮我看一下最近8周每周的销量: that product's sales
        bool(catalog_phrase(prev_text))
        and not catalog_phrase(piece)
        and not now.refs
        and bool(_SELLS.search(piece))
        and not _ADS.search(piece)
    )
    return all(asks) and not leans and not _ZH_REMARK.search(prev_text) and not _ZH_NO_SUBJECT.match(piece)


# a clause that starts with its verb has the clause before as its subject: 各个客群分别有多少人，贡献了多少销售额
_ZH_NO_SUBJECT = re.compile(
    r"\s?(?:各自|分别|一共|总共|合计)?(?:贡献|带来|占了|占比|花了|买了|卖了|下了|消费了|产生)|\s?(?:各|各自|分别)占"
)


def _change_of_one(text: str, p: Plan) -> bool:
    """A change whose value is said, or a pause or a resume, with at most its campaign left to the
    conversation ("resume it", 出价降一毛)."""
    if p.tool in ("pause_campaign", "resume_campaign"):  # said in so many words, not asked ("pause? no - just …")
        return set(p.missing) <= {"campaign_id"} and bool(_ON_OFF.search(text)) and not re.search(r"[?？]\s*$", text)
    return (
        p.tool in WRITE_VALUE
        and set(p.missing) <= {"campaign_id"}
        and bool(extract(text).changes or extract(text).numbers)
    )


def complete_write(p: Plan) -> bool:
    """A change with its target and its value: `展示的预算加50` is an ask, whatever its grammar (a pause
    or a resume needs only its campaign)."""
    return (p.tool in WRITE_VALUE or p.tool in ("pause_campaign", "resume_campaign")) and not p.missing


def _out_of_scope(p: Plan) -> bool:
    return p.tool is None and p.intent is not None and p.intent.confidence >= 0.45 and not p.greeting


def _conflict(a: dict[str, Any], b: dict[str, Any]) -> bool:
    """Two calls of one tool that ask different things of it (`best` and `worst`): both are made."""
    when_a, when_b = ({k: v for k, v in x.items() if k in _WHEN} for x in (a, b))
    return any(k in b and b[k] != v for k, v in a.items() if k not in _WHEN) or bool(
        when_a and when_b and when_a != when_b
    )  # "best week in November? also ... last quarter": each its own period


def _same_target(a: dict[str, Any], b: dict[str, Any]) -> bool:
    return all(a.get(f) == b.get(f) or f not in a or f not in b for f in ID_FIELDS)


def _same_channels(a: str, b: str) -> bool:
    """Two pieces about the same channels' campaigns, or neither naming a channel."""
    return set(extract(a).channels) == set(extract(b).channels)


def _asks(text: str, p: Plan) -> bool:
    """A piece that asks for something: in words, or as a change with its target ("c1 daily budget +£40")."""
    return bool(_ASKS.search(text)) or (complete_write(p) and bool(extract(text).changes))


def _substantial(text: str, p: Plan) -> bool:
    """A sentence that could be a request on its own: a few words, and like a bank example; a long
    one only when it asks (a long statement is context: "we've been going through the spring
    campaign with the team, and the feeling is ...")."""
    words = re.findall(r"[A-Za-z]+|[\u4e00-\u9fff]", _masked(text))  # words quoted are data, not the request
    if len(words) >= 12 and not any(_ASKS.search(_FRAME.sub(" ", s)) for s in re.split(r"(?<=[.!?;])\s+|,\s", text)):
        return False
    if complete_write(p) and _asks(text, p):
        return True  # "pause campaign 2 and raise ...", "c1 daily budget +£40": a change with its target is a request
    whole = p.tool is not None and not p.missing and any(f in p.args for f in ID_FIELDS) and _ASKS.search(text)
    sure = 0.15 if whole else 0.25  # a whole question about one product, customer or campaign: "85099B是啥产品?"
    return len(words) >= 3 and p.intent is not None and p.intent.confidence >= sure


# -- the tool -----------------------------------------------------------------------------------


def _only_a_product(e: Entities) -> bool:
    """A message that only names one product (`三层的那个商品 1289`, `the regency one` once its name is
    its id): a few words around its id, no verb, no question of its own."""
    ids = set(e.ids("product"))
    if len(ids) != 1 or e.numbers or e.percents or e.changes:
        return False
    rest = e.text
    for r in sorted((r for r in e.refs if r.kind == "product"), key=lambda r: -r.start):
        rest = rest[: r.start] + " " + rest[r.end :]
    rest = re.sub(
        r"那个|这个|那款|这款|就是|我说的是|我是说|\bi mean\b|\bthat\b|\bthis\b|\bone\b", " ", rest, flags=re.I
    )
    rest = _FILLER.sub(" ", rest)
    if _CHANGE_VERB.search(rest) or _ON_OFF.search(rest) or re.search(r"[?？]|吗|怎么|多少", rest):
        return False
    return len(re.findall(r"[\u4e00-\u9fff]", rest)) <= 4 and len(re.findall(r"[A-Za-z]+", rest)) <= 2


def _elliptical(e: Entities) -> bool:
    """A message that leans on the previous one: `and for product 9?`, `the first one`, `360`:
    a follow-up opening with at most two words of its own besides ids and values."""
    norm = e.text.replace(e.period, " ") if e.period else e.text  # "那上上个月呢": a period is a value
    bare = without_values(norm)
    if _FOLLOW.search(norm) or _FOLLOW.search(bare.strip(" ,，")):  # "按周再看一下": a grain, then the follow-up
        rest = _FILLER.sub(" ", re.sub(r"[\d.,%£$€¥]+", " ", bare))
        rest = _WHICH_WAY.sub(" ", rest)  # "那跌得最厉害的呢": the same ranking, the other way
        if len(re.findall(r"[A-Za-z]+|[\u4e00-\u9fff]", rest)) <= 2 and not _ON_OFF.search(rest):  # (pause 2 too)
            return True
    if e.ordinal is not None or e.suggested:
        return True
    if e.language and len(re.findall(r"[A-Za-z]+|[\u4e00-\u9fff]", norm)) <= 6:
        return True  # "now in Chinese"
    return bool(re.fullmatch(r"[\s£$€¥+\-.,\d%pk万千]*", norm)) and bool(e.numbers or e.percents or e.changes)


@dataclass(frozen=True)
class _Signals:
    """What a request says that bears on which tool's schema fits it (read once per request)."""

    kinds: frozenset[str]
    any_id: bool
    ab: bool
    pctr: bool
    change: bool
    occasion: bool
    quoted: bool
    budget_cues: int
    cost_cues: int
    targets: int
    many_ids: bool  # several campaign ids: "campaigns 1 and 3"
    every: bool  # every campaign: "all bids", 所有活动
    channel: bool  # a channel named with no campaign, in the plural ("the search bids"): the campaigns on it
    period: bool  # a reporting period other than today: "last month", 最近30天
    ranking: bool  # "which campaign is best", 排名: a ranking by a metric
    products: bool  # products named, or what sells best or worst: a ranking of products
    ads: bool  # ads or campaigns named: their reports, not the shop's sales
    season: bool  # which month or weekday sells best, with no period named: seasonality, not a report
    report_only: bool  # a metric over a period and no new value: "campaign 2 daily clicks last 2 weeks"
    split_over_time: bool  # a breakdown over a period: "sales per segment this quarter" is a report
    customer_facts: bool  # customers by spend, by orders, by first order or sorted: a customer list
    quiet_undated: bool  # customers who stopped ordering, with no day named: lapsing, not a list by date
    copy: bool  # a platform or a tone named: "5 meta ads, premium feel" is copy to write
    future_value: bool  # what customers are worth from now on: "ranked by predicted value", 谁未来最值钱
    dated_figures: bool  # figures over a period, a month or a day: "revenue last quarter", 上个季度各分群
    browse: bool  # what the catalog holds of a product type: "what hot water bottles do we have", 热水袋有哪些款
    to_customers: bool  # customers and no product named: "a 20% off code for lapsed customers" is not a price
    money: bool  # an amount of money: "to 49p" belongs to a tool that takes one
    named_segment: bool  # the customers of one segment named: "export all the champions" is a customer list
    ad_metric: bool  # a figure only ads have: CPA, ROAS, CTR, clicks, impressions
    spend_floor: bool  # customers who spent at least an amount: "1k+ lifetime spend" is a list by past spend
    head_to_head: bool  # campaigns set against each other: "c1 vs c2 vs c3 on conv rate", 搜索vs社交PK一下
    at_risk: bool  # "at-risk customers", 有流失风险的客户, not named as a segment: the at-risk list
    falls: bool  # the worst or the biggest falls asked for: "what tanked hardest", 跌幅最大
    audience: bool = False  # a saved audience spoken of: "the High CLV audience", 人群包, a seed, a look-alike
    audience_act: str | None = None  # what is done with audiences: create, overlap or lookalike
    consent: bool = False  # a customer opting out or back in: "12921 wants off all our lists", 退订
    sessions: bool = False  # web sessions, visitors or traffic sources: "where do buyers come from", 流量来源
    asks_only: bool = False  # a question with no value in it: "how are my campaigns doing" sets nothing
    aov: bool = False  # the average order value asked for: a sales report's figure
    top_asked: bool = False  # the top, highest or best asked for: "CLV最高的客户" ranks by that figure
    writes_copy: bool = False  # copy to write asked for in words: "写3篇小红书笔记", "draft 5 meta ads"
    countries: bool = False  # a country named and no ad: "france vs germany revenue since august" is the shop's
    best_bucket: bool = False  # the best day, week or month of a period: "slowest day last month", 11月哪一周卖得最好
    spenders: bool = False  # who spent most, with no future said: "show me the biggest spenders" (past spend)
    spent_in_period: bool = False  # who spent most in a period: "top spenders this week", 上个月谁买得最多
    what_if: bool = False  # a what-if: "what if we priced it at £4", 要是降到3块会怎样 (an estimate, not a change)
    dsp: bool = False  # the DSP named: "how is the bidder doing", 程序化投放 (its own campaigns and stats)
    targeting: bool = False  # a targeting rule changed: "block example.com", 只投北京, "9am to 6pm only"
    months_compared: bool = False  # two months set against each other: "did September beat August", 11月比10月
    product_ranking: bool = False  # products named and ranked: "Q3销售额TOP20的SKU", "top 20 products by revenue"
    repeat_rate: bool = False  # the share of customers who ordered again: "what share ever come back a second time?"
    customer_count: bool = False  # how many customers, of the shop or some: "how many customers do we have?"
    price_move: bool = False  # a price raised or cut as an order: "47566 派对彩旗涨价5%" (no what-if, no discount)
    together: bool = False  # what sells with a product or a kind: "bought together with 85123A", 和蛋糕架一起买的
    plan_said: bool = False  # a plan asked for by name: "Mother's Day plan, £5k: when, who, how to split"
    year_on_year: bool = False  # 同比, "vs the same period last year": a report of the shop's, against a year before
    ad_setting_only: bool = False  # bids or budgets changed, no product or price named: "all our campaign bids +10%"


def _signals(e: Entities) -> _Signals:
    budget = cost = target = 0
    for n in e.numbers:
        around = _around(e, n)
        budget += bool(_BUDGET.search(around))
        cost += bool(_COST.search(around))
        target += bool(_TARGET.search(_left(e, n, 8)))
    return _Signals(
        frozenset(r.kind for r in e.refs if r.kind != "any") | ({"product"} if e.stock_codes else set()),
        bool(e.ids("any") or e.stock_codes),  # a stock code the catalog may not have: still a product named
        e.ab is not None,
        e.pctr is not None,
        bool(e.discount or any(c.pct is not None for c in e.changes)),
        bool(e.occasion),
        bool(e.quoted),
        budget,
        cost,
        target,
        len(set(e.ids("campaign"))) >= 2,
        e.all_campaigns and not e.ids("campaign"),
        bool(e.channels)
        and not e.ids("campaign")
        and bool(len(e.channels) > 1 or _PLURAL.search(e.text) or is_chinese(e.text)),
        (e.period_name not in (None, "today") or bool(e.months))
        and bool(e.metric or e.ids("campaign") or _ADS.search(e.text)),
        e.ranking and bool(e.ids("campaign") or _ADS.search(e.text)),
        bool(
            _PRODUCTS.search(e.text)
            or (
                (_SELLS.search(e.text) or (e.worst and not _AT_LEAST.search(e.text) and catalog_phrase(e.text)))
                and (e.ranking or e.worst)
                and not _SEASON.search(e.text)
                and not _BEST_BUCKET.search(e.text)  # "10月哪一周卖得最差": the weeks, not the products
                and not _months_compared(e)  # "did September sell better than August": the months, not products
            )
        ),
        bool(_ADS.search(e.text)),
        bool(_SEASON.search(e.text)) and e.period_name is None and not e.dates,
        e.metric is not None
        and e.period_name not in (None, "today")
        and not (e.numbers or e.changes or e.percents or e.suggested or e.discount),
        e.breakdown is not None and (e.period_name not in (None, "today") or bool(e.months)),
        bool(
            e.min_revenue
            or e.max_revenue
            or e.max_orders
            or e.sort is not None
            or e.min_orders
            or any(d.rule == "not_since" for d in e.order_dates)
        ),
        bool(_QUIET.search(e.text)) and not any(d.rule == "not_since" for d in e.order_dates),
        e.platform is not None
        or e.tone is not None
        or (e.other_platform is not None and bool(_WRITE_COPY.search(e.text))),  # "3 amazon titles for …"
        bool(_FUTURE_VALUE.search(e.text)),
        (e.period_name not in (None, "today") or bool(e.months or e.dates))
        and (e.metric is not None or e.breakdown is not None),
        not e.refs
        and not (e.changes or e.percents or e.discount or e.numbers)
        and bool(_BROWSE.search(e.text))
        and catalog_phrase(e.text) is not None,
        not e.ids("product") and not e.stock_codes and bool(_CUSTOMER_WORDS.search(e.text)),
        any(n.currency is not None for n in e.numbers),
        e.rfm_segment is not None
        and bool(_CUSTOMER_WORDS.search(e.text) or _FILE.search(e.text) or _WHO.search(e.text)),
        e.metric in ("cpa", "roas", "ctr", "cpc", "impressions", "clicks", "conversion_rate"),
        e.min_revenue is not None and not _FUTURE_VALUE.search(e.text),
        (
            len(set(e.ids("campaign"))) >= 2
            or len(e.channels) >= 2
            or bool(re.search(r"\bof the (?:three|3|two|2)\b", e.text))
        )
        and bool(_HEAD_TO_HEAD.search(e.text))
        and not (e.numbers or e.changes or e.percents),
        (e.rfm_segment == "at_risk" and not re.search(r"\bsegments?\b|分群|分层|人群", e.text, re.I))
        or bool(_LAPSING_WORDS.search(e.text))
        or (
            bool(
                re.search(
                    r"\blapsed (?:customers|shoppers|buyers|ones)\b|\bwin[- ]?back\b|已流失的?客户|召回老?客",
                    e.text,
                    re.I,
                )
            )
            and not (e.ids("product") or e.stock_codes or _ADS.search(e.text) or _AD_SETTING.search(e.text))
        ),  # "drop the display win-back bid by 5p": a campaign's bid, not the lapsed customers
        e.worst,
        bool(_AUDIENCE_SAID.search(e.text)),
        next((act for act, pat in _AUDIENCE_ACTS.items() if pat.search(e.text)), None),
        e.opted_out is not None
        and bool(e.ids("customer") or e.ids("any") or any(n.is_int and len(n.raw) == 5 for n in e.numbers)),
        e.dimension is not None or bool(_SESSIONS_SAID.search(e.text)),
        not (e.numbers or e.changes or e.percents or e.discount) and bool(_QUESTION.search(e.text)),
        e.aov,
        bool(_TOP_ASKED.search(e.text)),
        bool(_WRITE_COPY.search(e.text)),
        bool(e.countries) and not _ADS.search(e.text),
        bool(_BEST_BUCKET.search(e.text))
        and (e.period_name not in (None, "today") or bool(e.months or e.dates))
        and not _ADS.search(e.text),
        bool(
            _SPENDERS.search(e.text)
            or (_SPENT_MOST.search(e.text) and (e.period_name not in (None, "today") or bool(e.months)))
        )
        and not _FUTURE_VALUE.search(e.text),
        bool(_SPENT_MOST.search(e.text))
        and (e.period_name not in (None, "today") or bool(e.months))
        and bool(_CUSTOMER_WORDS.search(e.text) or _WHO.search(e.text) or re.search(r"\bwho\b|谁", e.text, re.I))
        and not _PRODUCTS.search(e.text)
        and not _FUTURE_VALUE.search(e.text),
        e.hypothetical,
        bool(dsp_words.DSP_SAID.search(e.text)),
        bool(dsp_words.TARGETING_SAID.search(e.text) or dsp_words.targeting_changes(e.text)),
        _months_compared(e) and not (_ADS.search(e.text) or e.dimension or _SESSIONS_SAID.search(e.text)),
        bool(_PRODUCTS.search(e.text))
        and e.ranking
        and e.breakdown is None
        and not _CUSTOMER_WORDS.search(e.text)
        and not _ADS.search(e.text)
        and not _TOGETHER.search(e.text),  # "和蛋糕架一起买得最多的商品": what sells with it, not the best sellers
        bool(_REPEAT_RATE.search(e.text)) and not (e.refs or e.stock_codes),  # (a product's own: its selling points)
        bool(_CUSTOMER_COUNT.search(e.text))
        and not (e.refs or e.stock_codes or _AUDIENCE_SAID.search(e.text) or _ADS.search(e.text))
        and not (e.period_name or e.months or e.dates),
        bool(_PRICE_MOVE.search(e.text))
        and not (e.hypothetical or e.discount or _STILL_WHAT_IF.search(e.text) or _ADS.search(e.text)),
        bool(_TOGETHER.search(e.text))
        and not e.ids("customer")
        and bool(
            e.ids("product")
            or e.stock_codes
            or _PRODUCTS.search(e.text)
            or catalog_phrase(e.text)
            or (is_chinese(e.text) and _catalog_word(e.text))  # 白色心形挂灯…跟什么一起买
        ),
        bool(_PLAN_SAID.search(e.text)),
        e.year_on_year,
        bool(_AD_SETTING.search(e.text))
        and not (e.ids("product") or e.stock_codes or _PRICE_WORDS.search(e.text) or catalog_phrase(e.text)),
    )


_UNITS_BESIDE = re.compile(  # units asked for as a column: "Q3销售额TOP20的SKU，带上销量和单价", "with units and price"
    r"(?:带上|加上|附上|还有|以及|\bwith\b|\bplus\b|\bincluding\b|\band\b)\s?(?:the\s)?(?:销量|件数|\bunits\b|\bunits sold\b)",
    re.I,
)
_END_POINTER = re.compile(  # one end of a ranking, by what it is like: "成本高的那个", "the cheaper one"
    r"(?P<m>成本|CPA|ROAS|投产比?|点击率|CTR|花费|转化率?|单价)?\s?(?P<dir>高|低|贵|便宜|好|差|多|少)(?:一点|一些|些)?的那(?:个|条|一个)"
    r"|\bthe (?P<en>worse|worst|weaker|weakest|costlier|pricier|more expensive|better|best|stronger|strongest|cheaper|cheapest)"
    r" one\b"
    r"|\bwhichever(?: one)? (?:was|is|did|does|has been|performed|came out)? ?(?:the )?(?P<en2>worst|weakest|best|strongest)\b",
    re.I,
)


def _worse_end(text: str, ranked_by: object) -> bool | None:
    """Whether a pointer at one end of a ranking means its worst end (None: no such pointer). A cost
    that is high is the worse end; "high" of another figure is worse only where less is better (CPA)."""
    m = _END_POINTER.search(text)
    if m is None:
        return None
    word = (m.group("dir") or m.group("en") or m.group("en2") or "").lower()
    if word in ("差", "worse", "worst", "weaker", "weakest"):
        return True
    if word in ("好", "better", "best", "stronger", "strongest"):
        return False
    if word in ("贵", "costlier", "pricier", "more expensive"):
        return True
    if word in ("便宜", "cheaper", "cheapest"):
        return False
    said = m.group("m") or ""
    metric = next((name for pat, name in METRIC_PATTERNS if said and pat.search(said)), None)
    metric = metric or (ranked_by if isinstance(ranked_by, str) else None)
    high = word in ("高", "多")
    return high == (metric in LOWER_IS_BETTER or said == "成本")


_BEST_CUSTOMERS = re.compile(
    r"\b(?:best|top|most valuable|highest[- ]value) (?:customers|buyers|shoppers|clients)\b"
    r"|最好的(?:那些|那批)?(?:客户|顾客|买家)|最优质的(?:客户|顾客)|最有价值的(?:客户|顾客)|优质客户|高价值客户",
    re.I,
)
_CHART_SAID = re.compile(
    r"\b(?:chart|graph|plot|trend ?line)\b|图表|带个?图|画个?图|趋势图|折线图|曲线|做成图|做个图|出个?图|画出来", re.I
)
_CHART_FILLER = re.compile(
    r"\b(?:show|draw|make|do|turn|as|with|a|an|it|that|this|them|one|please|pls)\b|成|个|一下|吧", re.I
)


def _chart_only(text: str) -> bool:
    """`make it a chart`, `as a graph please`, 做成图: the last answer again, drawn."""
    return bool(_CHART_SAID.search(text)) and _nothing_but(text, _CHART_SAID, _CHART_FILLER)


_BETTER_ASKED = re.compile(  # a yes-or-no comparison: "did September sell better than August?", 11月比10月卖得好吗
    r"\b(?:better|worse|more|less|higher|lower|bigger|stronger|weaker|busier|quieter)\b[^.?!]{0,30}?\bthan\b"
    r"|\b(?:beat|outsell|outsold)\b"
    r"|好吗|好不好|更好|更差|多吗|少吗|高吗|低吗|涨了吗|跌了吗|增长了吗|下降了吗|多了吗|少了吗",
    re.I,
)


def _months_compared(e: Entities) -> bool:
    """Two months set against each other ("did September sell better than August", 9月的销售比8月好吗),
    not a span of months."""
    return (
        len(e.months) >= 2
        and not e.month_range
        and bool(_VERSUS.search(e.text) or _VS_MONTH.search(e.text) or _BETTER_ASKED.search(e.text))
    )  # "did the T-light holders sell better in November than they did in August?"


def _months_said(e: Entities, today: date) -> Period:
    """The days of the months a request names: one, a range ("September to November"), or one and
    every day since (10月以来); ToolFailure for a month after the shop's last day."""
    first, last = e.months[0], e.months[-1] if e.month_range else e.months[0]
    since = len(e.months) == 1 and bool(_SINCE.search(e.text))
    to = "latest" if since else _month_text(last) if last != first else None
    return month_period(today, _month_text(first), to)[0]


def _spend_span(e: Entities, today: date, args: dict[str, Any]) -> tuple[str, str] | None:
    """The days of the period a request names (a month, "this week", 上个月, or the days already read)."""
    try:
        if e.months:
            p = _months_said(e, today)
        elif e.period_name not in (None, "today") and e.period_name in _SALES_PERIODS:
            p, _ = sales_period(today, e.period_name, None, None)  # type: ignore[arg-type]
        elif "start" in args:
            return args["start"], args.get("end") or today.isoformat()
        else:
            return None
    except ToolFailure:
        return None
    return p.start.isoformat(), p.end.isoformat()


_SALES_PERIODS = frozenset(get_args(SalesPeriod))
_SPENDERS = re.compile(
    r"\b(?:biggest|top|highest|big|largest|best)(?: \d{1,3})? spenders?\b|消费最高|花钱最多|花得最多|花(?:了|的)?钱最多",
    re.I,
)
_SPENT_MOST = re.compile(  # the spenders, or the customers who spent or bought the most
    _SPENDERS.pattern + r"|\b(?:biggest|top|highest|big|largest|best) (?:customers|buyers|clients)\b"
    r"|\bspent (?:the )?most\b|\bbought (?:the )?most\b|\b(?:ranked |sorted )?by (?:their )?(?:spend|spending)\b"
    r"|买得最多|买的最多|消费最多|最能买|大客户",
    re.I,
)


_TOP_ASKED = re.compile(r"\b(?:top|highest|best|most valuable)\b|最高|最大|最值钱|排名|前\s?\d+", re.I)
_WRITE_COPY = re.compile(
    r"\b(?:write|draft|come up with|give me|need)\b.{0,30}\b(?:ads?|headlines?|copy|posts?|captions?|notes?|titles?)\b"
    r"|写.{0,12}(?:笔记|文案|标题|广告|帖子)|(?:笔记|文案|标题|广告)(?:写|来)",
    re.I,
)


_AUDIENCE_SAID = re.compile(
    r"\baudiences?\b|\baudince\b|\bseed(?: list| audience)?\b|\blook-?alikes?\b|\blal\b|\bcustomer match\b"
    r"|\bcustom audiences?\b|\bsaved (?:group|list|segment)s?\b|人群包|人群|受众|种子|相似人群|圈人|圈选|lookalike"
    r"|\bsave\b[^.;?!]{0,60}?\bas (?!an? (?:csv|file|spreadsheet|excel|pdf)\b|(?:csv|excel|xlsx|pdf|a list)\b)"
    r"|\b(?:name|call) (?:it|them)\b|存成(?!csv|表格|文件|excel)|存为(?!csv|表格|文件|excel)|保存为(?!csv|表格|文件|excel)",
    re.I,
)
_AUDIENCE_ACTS = {
    "overlap": re.compile(
        r"\boverlap\w*|\bintersect\w*|\bvenn\b|\bin both\b|\bshared? (?:members|customers|people)\b|\bin common\b"
        r"|\bcommon (?:members|customers|people)\b|\bthe same (?:list|people|customers)\b|交集|重合|重叠|交叉|重复客户|共同|同时在",
        re.I,
    ),
    "lookalike": re.compile(
        r"\blook-?a?-?likes?\b|\blal\b|\bsimilar\b|\bresembl\w*|\blook like\b|\bshop like\b|\bbuy like\b|\bexpand\w*|\bscale\b"
        r"|相似|类似|像的|最像|扩量|扩展|拓展|放大",
        re.I,
    ),
    "create": re.compile(
        r"\b(?:create|build|make|set up|define|save|crate)\b|新建|创建|建一?个|建包|存成|存为|保存为|圈一?批|圈人|圈出",
        re.I,
    ),
}
_SESSIONS_SAID = re.compile(
    r"\bsessions?\b|\bvisitors?\b|\bvisits\b|\btraffic\b|\bfunnel\b|\bbounce\b|\bga\b|\bgoogle analytics\b"
    r"|\bpage ?values?\b|\bpurchase intent\b|会话|访客|访问|流量|漏斗|跳出|购买意向|购买意图",
    re.I,
)


_LAPSING_WORDS = re.compile(
    r"\blapsing\b|\babout to (?:lapse|churn)\b|\bat risk of (?:lapsing|churning|leaving)\b|快流失|要流失|即将流失", re.I
)
_HEAD_TO_HEAD = re.compile(
    r"\b(?:vs\.?|versus|against each other|side by side|head to head|compare[ds]?|winning|winner|best|worst)\b"
    r"|\bwho'?s\b|\bwhich (?:one |campaign )?(?:has|had|got|is|was|gets) (?:the )?(?:lower|higher|better|worse|cheaper)\b"
    r"|PK|比比|比一比|对比|哪个(?:更|最)|谁(?:更|最)|谁的.{1,12}?(?:更|最)",
    re.I,
)


@dataclass(frozen=True)
class _Shape:
    """What of a tool's schema the fit reads (built once per tool)."""

    props: frozenset[str]
    has_id: bool
    has_budget: bool
    writes: bool
    required_ids: tuple[tuple[str, str], ...]


@lru_cache(maxsize=64)
def _shape(tool: str) -> _Shape:
    props = frozenset(_props(tool))
    required = schema(tool).get("required", [])
    return _Shape(
        props,
        any(f in props for f in ID_FIELDS),
        any(f in props for f in ("daily_budget", "total", "total_budget")),
        any(f in props for f in (*WRITE_VALUE.values(), "new_price")),
        tuple((f, k) for f, k in ID_FIELDS.items() if f in required),
    )


def _entity_fit(tool: str, sig: _Signals) -> float:
    """How well a request fits a tool's schema: +1 per id the tool takes, -1 per id kind present
    that it cannot use (`campaign 2` does not belong to a product tool), amounts said to be budgets
    or costs for tools with a budget or a cost, and less for each id the tool needs and is not given."""
    t = _shape(tool)
    props = t.props
    score = sum((1.0 if f in props else -1.0) for f, k in ID_FIELDS.items() if k in sig.kinds)
    score += 0.5 if sig.any_id and t.has_id else 0.0
    score += 2.0 if sig.ab and tool == "ab_test" else 0.0
    score += 1.0 if sig.pctr and "pctr" in props else 0.0
    score += 1.0 if sig.change and "discount_pct" in props and not sig.to_customers else 0.0  # "打八折", "10% pricier"
    if sig.occasion and "occasion" in props:  # "plan black friday"; not "the black friday campaign's bid to 90p"
        score += -1.0 if sig.targets and not sig.budget_cues else 1.0
    score += 1.0 if sig.season and tool == "sales_seasonality" else 0.0  # "1、2月份历来是淡季还是旺季"
    score += 1.0 if sig.quoted and "text" in props else 0.0
    score += CUE_WEIGHT * sig.budget_cues * (1 if t.has_budget else -1)  # "$500 a day" belongs to a budget
    score += CUE_WEIGHT * sig.cost_cues * (1 if "unit_cost" in props else -1)
    if t.writes and (tool in WRITES) != sig.what_if:
        score += CUE_WEIGHT / 2 * sig.targets  # "... to 49p": a new value for something (a what-if's, when asked so)
    if t.writes:
        score -= 2.0 if sig.report_only else 0.0  # a metric over a period with nothing to set: a report
        score -= 1.0 if sig.asks_only else 0.0  # "how are my campaigns doing": a question, nothing to set
    if not sig.any_id:
        score -= MISSING_ID_WEIGHT * sum(k not in sig.kinds for _, k in t.required_ids)
    if sig.many_ids:  # "campaigns 1 and 3": a tool for several campaigns, not for one
        several, one = "campaign_ids" in props, "campaign_id" in props
        score += 0.5 if several and not one else (-1.0 if one and not several else 0.0)
    elif sig.every:  # "all bids": a tool for every campaign, not one that needs one
        one = any(k == "campaign" for _, k in t.required_ids)
        score += 0.5 if "all_campaigns" in props else (-1.0 if one else 0.0)
    elif sig.channel and "channel" in props:
        score += 0.5  # "the search bids": the campaigns on a channel
    elif sig.channel and "campaign_id" in props and sig.ad_metric:
        score += 0.5  # "展示那条的CPA": the one campaign on that channel
    if sig.period and "period" in props:
        score += 1.0  # "last month": a report over a period
    if sig.ranking and "metric" in props:
        score += 1.0  # "which campaign has the best ROAS": a ranking by a metric
    if "worst_by" in props:
        score += 0.5 if sig.products else -1.0  # a ranking of products names them, or what sells best
        score += 1.0 if sig.products and sig.falls else 0.0  # "gimme the 5 biggest fallers": a ranking by the fall
    if sig.dated_figures and not sig.to_customers and "min_orders" in props:
        score -= 1.0  # "France - October vs September? orders and revenue": the shop's figures, not its customers
    if sig.customer_facts and "min_orders" in props:
        score += 0.5 if "min_revenue" in props else 0.25  # "spent over £1,000", "3+ orders": the customer lists
    if sig.quiet_undated and "min_revenue" in props:
        score -= 1.0  # "customers who haven't ordered for months": no day to list them by; the at-risk list
    if sig.dated_figures and not t.writes and not props & _DATED:
        score -= 1.0  # "which segments drove revenue last quarter": a tool that cannot take the period misses it
    if sig.money and not props & _MONEY:
        score -= 1.0  # "drop the retrospot cake cases (sku 21212) to 49p": an amount a search cannot take
    if sig.spent_in_period and "spend_start" in props:
        score += 2.0  # "top spenders this week", 上个月谁买得最多: the customers by what they spent then
    if sig.spenders and "min_revenue" in props:
        score += 0.5  # "show me the biggest spenders": who spent most, not who will
    elif sig.spenders and tool == "customer_lifetime_value":
        score -= 0.5
    if sig.best_bucket:  # "slowest day last month": the report by day, its slowest named (not the products, not the
        score += 2.0 if "breakdown" in props and "by" in props else -1.0 if tool == "sales_seasonality" else 0.0
    if sig.countries and "campaign_ids" in props and "country" not in props:
        score -= 1.0  # "france vs germany revenue since august": campaigns have no country; the shop's sales do
    if sig.price_move:  # "派对彩旗涨价5%": the price changed, proposed for approval, not a what-if of it
        score += 1.5 if tool == "set_product_price" else -1.0 if tool == "discount_effect" else 0.0
    if sig.ad_setting_only and tool in _PRICE_TOOLS:
        score -= 1.5  # "all our campaign bids raised by 10%… could you set that up": the bids, not a price
    if sig.year_on_year and "compare_last_year" in props:
        score += 1.0  # "11月到目前为止的订单数同比去年同期": the shop's figures against the same days a year before
    if sig.plan_said and sig.occasion and tool == "campaign_plan":
        score += 1.5  # "Mother's Day plan for the UK, £5k total: when, who, how to split": the plan, its split in it
    if sig.together:  # "what do people buy with the cake stand", 和85123A一起买的: the baskets, not its neighbours
        score += (
            2.0 if tool == "bought_together" else -0.5 if tool in ("similar_products", "recommend_products") else 0.0
        )
    elif tool == "bought_together":
        score -= 2.0  # its schema (a product, a period, a country) fits many requests; only its words ask for it
    if sig.repeat_rate or sig.customer_count:  # "what share of our customers ever come back…", "how many customers
        score += 2.0 if tool == "customer_list" else 0.0  # do we have?": a customer list, its count first
    if sig.product_ranking:  # "Q3销售额TOP20的SKU": the products ranked, not the shop's report
        score += 1.5 if "worst_by" in props else -0.5 if "breakdown" in props else 0.0
    if sig.months_compared:  # "11月比10月卖得好吗": the shop's two months side by side, not its seasonality
        fits = "compare_month" in props and (sig.products or "worst_by" not in props)  # products only when named
        score += 2.0 if fits else -1.0 if tool == "sales_seasonality" else 0.0
    if sig.browse and "query" in props and "breakdown" not in props and (tool != "bought_together" or sig.together):
        score += 2.0  # "what hot water bottles do we have": a search of the catalog for that kind of product (a report
        # of a kind is no browse)
    if sig.at_risk and tool == "lapsing_customers" and not (sig.audience and sig.audience_act == "create"):
        score += 2.0  # "at-risk customers who haven't ordered since 1 September": the at-risk list, by its last order
    if sig.head_to_head and tool == "compare_campaigns":
        score += 2.0 if sig.ranking else 1.0  # "c1 vs c2 vs c3: who's winning on conv rate": campaigns side by
        # side (谁的转化成本更低: which one is ahead on a figure, a ranking by it)
    if sig.spend_floor and "min_revenue" in props:
        score += 0.5  # "German customers with 1k+ lifetime spend": who spent it, not who will
    if sig.named_segment and "segment" in props:
        score += 1.0  # "把所有champions分群的客户导出来": that segment's customers, not the segments' summary
    if sig.future_value and tool == "customer_lifetime_value":
        score += 1.0  # "customers with 20+ orders by predicted value": the value model, not a list by past spend
        score += 1.0 if sig.top_asked else 0.0  # "CLV最高的客户，下单至少5次": ranked by that value
    if sig.copy and "platform" in props:
        score += 1.0  # "need 5 meta ads, premium feel": copy for a platform, in a tone
        score += 2.0 if sig.writes_copy else 0.0  # "write 3 google search ads for the best seller of those"
    if sig.aov and "breakdown" in props:
        score += 2.0  # "what's our AOV this quarter?": the sales report's average order value
    if sig.falls and sig.products and not sig.customer_facts and "min_orders" in props:
        score -= 1.0  # "which lines dropped hardest": products that fell, not a list of customers
    if sig.audience and props & _AUDIENCE_FIELDS:
        score += 1.0  # "venn of High CLV vs Lapsed Germans audiences": the DMP, not a customer list
    if sig.audience and sig.audience_act is not None and _AUDIENCE_ACT_FIELD[sig.audience_act] in props:
        score += 1.0  # "venn of High CLV vs Lapsed Germans", "KOL朋友这个人群…找几百个类似的", "存成人群"
    if sig.consent and "opted_out" in props:
        score += 2.0  # "16446 opted back in via the newsletter form": a customer's consent
    if sig.sessions and ("top_share" in props or ("by" in props and "traffic_type" in _enum(_props(tool)["by"]))):
        score += 1.0  # "conversion by traffic source": web sessions, not the campaigns or the shop's sales
    if sig.split_over_time and "breakdown" in props:
        score += 1.0  # "sales per customer segment this quarter": a report, not the all-time segments
    if sig.dsp and "dsp_campaign" in props:  # "how is the bidder doing", "DSP campaign 2": the DSP's own campaigns
        score += 2.0 + (1.0 if "campaign" in sig.kinds else 0.0)
        score += (1.0 if sig.targeting else -1.0) * (1.0 if t.writes or tool == "set_dsp_targeting" else -1.0)
    if "worst_by" in props or "breakdown" in props:  # the shop's sales reports
        score -= 1.0 if sig.ads or sig.ad_metric else 0.0  # "how much did ads make us": the campaigns' report
        score -= 1.0 if sig.season else 0.0  # "which month sells best": seasonality
    return score


_MONEY = frozenset(
    {"price", "new_price", "bid", "bids", "daily_budget", "budgets", "total", "total_budget", "unit_cost"}
    | {"value_per_click", "change_by", "min_revenue", "max_revenue", "b0"}
)
_DATED = frozenset({"period", "start", "end", "month", "first_start", "first_end", "day", "date", "hour"})
_DATED |= {"months", "compare_months", "cohort"}
_AUDIENCE_FIELDS = frozenset({"name", "seed", "first", "second"})
_AUDIENCE_ACT_FIELD = {"overlap": "second", "lookalike": "seed", "create": "customer_ids"}  # the tool's own field
_BULK = {"set_campaign_bid": "set_campaign_bids", "set_campaign_budget": "set_campaign_budgets"}


FIT_WEIGHT = 0.5  # FIT_WEIGHT and MISSING_ID_WEIGHT: tuned leave-one-batch-out on the bank
MISSING_ID_WEIGHT = 0.5
CUE_WEIGHT = 1.0
OVERRULE_NONE = 0.5  # "need 5 meta ads for 22423, premium feel": near an out-of-scope example, yet copy to write
OVERRULE_WRITE = 0.25  # copy for a platform asked to be written ("写3篇小红书笔记给产品40"): beside questions
# about that platform's figures, which the shop does not hold
OVERRULE_FIT = 2.0  # (its product and its platform: a fit of 2.5)
OVERRULE_COPY = (
    0.4  # a platform or a tone named: "need 4 instagram ads for product 40, cheeky tone" beside "post this on
)
# our instagram" (out of scope)
_QUESTION = re.compile(
    r"\?\s*$|^\s*(?:are|is|will|do|does|did|how|what|which|who|when|can|could)\b|吗|呢|多少|怎么样|如何|是否", re.I
)


_SENTENCE = re.compile(r"(?<=[.!?;])\s+")


def _clauses(sentence: str) -> list[str]:
    """A sentence's comma clauses, an aside of one or two words kept inside its clause: "how the spring
    home decor campaign, campaign 2, is spending today" is one clause."""
    pieces = re.split(r",\s", sentence)
    out = pieces[:1]
    glue = False
    for i, piece in enumerate(pieces[1:], start=1):
        aside = i < len(pieces) - 1 and len(_WORDS.findall(piece)) < 3  # (a short piece at the end stays apart)
        if glue or aside:
            out[-1] = f"{out[-1]}, {piece}"
        else:
            out.append(piece)
        glue = aside
    return out


def _asked(text: str, index: Index, allowed: set[str] | None = None) -> tuple[Intent, str]:
    """The intent of a request; in a long one (context first, the ask later), the intent of the
    sentence that asks most clearly, when that is clearer than the whole (among `allowed` tools)."""
    whole = index.classify(text, allowed)
    masked = normalize(_masked(text)).replace("\x00", '"')
    sentences = [s for s in _SENTENCE.split(masked) if len(_WORDS.findall(s)) >= 3]
    one_ask = len(sentences) >= 2 and sum(bool(_ASKS.search(s)) for s in sentences) == 1
    if len(_WORDS.findall(text)) < 20 and not one_ask:  # "how much do sales drop after Christmas? we plan
        return whole, text  # January's budget": in a short one, only a question beside a statement
    clauses = [
        c for s in sentences for c in _clauses(s) if len(_WORDS.findall(_FRAME.sub(" ", c))) >= 3
    ]  # "When you have a moment, would you ..." : the frame is no clause of its own
    best, best_key, said = whole, (False, whole.confidence if whole.label != NONE else 0.0), text
    for s in dict.fromkeys([*sentences, *clauses]):
        if s not in sentences and _LEANS_BACK.search(s):
            continue  # "..., and how much have they spent between them?": a clause about what the rest names
        if _POINTS_TO_REST.search(s):
            continue  # "Could you set that up so she can approve it?": the ask is the sentence it points to
        it = index.classify(s, allowed)
        key = (bool(_ASKS.search(s)), it.confidence)  # a question or an instruction before a statement
        if it.label != NONE and key > best_key:
            best, best_key, said = it, key, s
    return best, said


_THANKS = re.compile(
    r"^\s*(?:(?:thank you|thanks|thx|ta|cheers|great|perfect|brilliant|lovely|awesome|nice|that'?s (?:great|perfect|helpful))"
    r"(?: so much| very much| a lot)?[!.,]*\s*)+|^\s*(?:谢谢|多谢|太好了|辛苦了|感谢)[!！。，,]*\s*",
    re.I,
)
_POINTS_TO_REST = re.compile(
    r"\b(?:set|sort|line|get) (?:that|this|it|those|these) (?:up|out|ready|going|done)\b"
    r"|\b(?:do|handle|action|make) (?:that|this|it) (?:for me|happen|please|now)\b|帮我(?:弄|安排|处理|搞)一下",
    re.I,
)
_BA_ORDER = re.compile(r"^\s?(?:请|帮我|麻烦|直接)?\s?(?:把|将)")
_CUT_PRICE = re.compile(  # a price cut said as an order
    r"^\s*(?:(?:ok|okay|right|so|please|pls|just|let'?s|go ahead and)[,\s]+)*(?:knock|take|shave|mark down|discount)\b",
    re.I,
)
_WHICH_CAMPAIGN = re.compile(r"\bwhich (?:one|campaign)s?\b|\bwho'?s\b|哪个|哪一个|哪条|哪一条", re.I)
_WHICH_ONE = re.compile(r"\b(?:one|design|version|colou?r)\b|那款|那个|那种|那一?款|的$", re.I)
_LEANS_BACK = re.compile(r"\b(?:they|them|their|those|these)\b|他们|她们|它们|这些|那些", re.I)
_PRODUCT_NOUN = re.compile(r"(?:product|item|sku|stock ?code|code|产品|商品|货号|款号|编码)\W{0,3}$", re.I)


_PLATFORM_CAMPAIGN = re.compile(
    r"\b(?:tik ?tok|facebook|instagram|meta|google|pinterest|youtube|snapchat|linkedin|twitter|bing)(?P<c>\s(?:ads?\s)?campaigns?)\b"
    r"|(?:抖音|快手|微博|小红书|朋友圈|微信)(?P<zc>\S{0,2}(?:活动|计划))",
    re.I,
)


_ON_BEHALF = re.compile(
    r"\b(?:my|our) (?:manager|boss|director|line manager|team lead|head of \w+|ceo|md|client)"
    r" (?:wants|would like|asked me|has asked me|needs|wanted|says|said|mentioned|asked|is asking)(?: me)?"
    r"(?: to(?: know| see| find out| check| get)?)?\b|\bi(?:'ve| have) been asked to\b"
    r"|\b(?:she|he) (?:wants|asked|would like)(?: me)?(?: to(?: know)?)?\b"
    r"|(?:老板|领导|经理|主管|上级|总监)(?:让我|叫我|要我|想知道|想看|想让我|问我?|说|要)(?:查一下|看一下|查查|看看|算一下)?",
    re.I,
)


def _as_read(e: Entities) -> str:
    """The request as the bank's examples are written: a stock code written bare (`85099B`) reads
    as `product 85099B`, the way the examples name a product; words asking for a file are left out."""
    out = e.text
    for r in sorted(e.refs, key=lambda r: -r.start):
        bare = r.kind == "product" and r.raw.isalnum() and r.raw.upper() == out[r.start : r.end].upper()
        if bare and not _PRODUCT_NOUN.search(out[max(0, r.start - 12) : r.start]):
            out = out[: r.start] + "product " + out[r.start :]
    if len(e.channels) == 1:  # "the tiktok campaign" reads as the social campaign it is taken for
        out = _PLATFORM_CAMPAIGN.sub(lambda m: f"{e.channels[0]}{m.group('c') or m.group('zc')}", out)
    out = _ON_BEHALF.sub(" ", out)  # "my manager wants to know…", 老板让我查一下: whose ask it is, not what
    out = _AOV_WORDS.sub("AOV", out)  # "the avg basket": the average order value, not a basket product
    out = YEAR_NAMED.sub("this year", out) if e.year else out  # "2011 in figures": a year's figures
    todo = TODO_CLAUSE.sub(" ", out)  # "…, I want to call them this week": what comes after the answer
    out = todo if len(_WORDS.findall(todo)) >= 2 else out
    rest = _FILE.sub(" ", out)  # "…, export it", 导出: the file is the app's to write; the ask is the rest
    return rest if rest != out and len(_WORDS.findall(rest)) >= 2 else out


def choose_tool(text: str, e: Entities, allowed: set[str] | None = None, index: Index | None = None) -> Intent:
    """The bank's vote, with the votes moved by how well each tool's schema fits the request's ids
    (within `allowed` when given: a specialist keeps the supervisor's choice if it is one of its own)."""
    index = index or bank_index()
    yoy = e.year_on_year  # (said of the whole request, whichever sentence asks)
    intent, said = _asked(_as_read(e), index)
    if said != _as_read(e) and len(_WORDS.findall(e.text)) < 20:
        its = extract(said)  # a short question's own words weigh the tools, not its context's (its dates),
        e = (  # (or the figures or the products asked: "France - October vs September? orders and revenue pls",
            its  # "what tanked hardest in November vs October? gimme the 5 biggest fallers")
            if len(its.refs) == len(e.refs)
            and (its.metric or not e.metric)
            and (_PRODUCTS.search(said) or not _PRODUCTS.search(e.text))
            else e
        )  # unless the context names what it is about
    if allowed is not None and intent.label not in allowed and intent.label != NONE:
        own = {t: s for t, s in intent.scores.items() if t in allowed}
        if said != _as_read(e):  # the sentence that asked is another specialist's: the one that asks this one
            intent, said = _asked(_as_read(e), index, allowed)
        else:
            intent = (
                index.classify(text, allowed)
                if not own
                else Intent(max(own, key=own.__getitem__), intent.confidence, own, intent.nearest)
            )
    sig = _signals(e)
    if not intent.scores or (intent.label == NONE and intent.nearest is None and not sig.copy):
        return intent  # nothing in the bank is like it (but copy for a platform, in a tone, is copy)
    scores = dict(intent.scores)
    several = sig.many_ids or sig.every or sig.channel
    for one, bulk in _BULK.items():  # one edit, for one campaign or several: the request's selection decides
        if several and one in scores and (allowed is None or bulk in allowed):
            scores[bulk] = scores.get(bulk, 0.0) + scores.pop(one)
        elif not several and bulk in scores and e.channels and (allowed is None or one in allowed):
            scores[one] = scores.get(one, 0.0) + scores.pop(bulk)  # "put the social budget up 15%": its campaign
        elif not several and len(scores) > 1:
            scores.pop(bulk, None)
    if e.ids("customer") and "customer_lifetime_value" in scores and (allowed is None or "customer_profile" in allowed):
        scores["customer_profile"] = scores.get("customer_profile", 0.0) + scores.pop("customer_lifetime_value")
        # one customer's value is in their profile (expected purchases, 52-week value, P(alive))
    top = max(scores.values())
    adjusted = {
        t: s + (FIT_WEIGHT * top * _entity_fit(t, sig) if t != NONE else 0.0)
        for t, s in scores.items()
        if t == NONE or allowed is None or t in allowed
    }
    best = max(adjusted, key=adjusted.__getitem__)
    copy_tools = [t for t in TOOLS if {"platform", "tone"} <= set(_props(t)) and (allowed is None or t in allowed)]
    by_copy = NONE in (best, intent.label) and sig.copy and intent.nearest is None and bool(copy_tools)
    if by_copy:
        best = max(copy_tools, key=lambda t: adjusted.get(t, 0.0))  # like nothing in the bank, but a platform, a tone
    by_browse = NONE in (best, intent.label) and (sig.browse or sig.together) and "similar_products" in adjusted
    if by_browse and sig.together and "bought_together" in adjusted:  # "what do customers buy with the cakestand?"
        best = "bought_together"
    elif by_browse:  # "got any tea cosies? ids + prices please": what the catalog holds of a kind it has
        best = "similar_products"
    elif NONE in (best, intent.label) and sig.months_compared and "sales_report" in adjusted:
        best, by_browse = "sales_report", True  # "11月订单比10月多吗": two of the shop's months side by side
    elif (
        (sig.year_on_year or yoy)
        and (NONE in (best, intent.label) or "compare_last_year" not in _props(best))
        and best not in WRITES
        and (allowed is None or "sales_report" in allowed)
    ):
        best, by_browse = "sales_report", True  # "订单数同比去年同期怎么样": the shop's figures, a year before beside
    elif NONE in (best, intent.label) and sig.customer_count and (allowed is None or "customer_list" in allowed):
        best, by_browse = "customer_list", True  # "how many customers do we have?": the shop's customers, counted
    asked_copy = sig.copy and sig.writes_copy and best != NONE and "platform" in _props(best)  # "draft 2 google ads"
    to_send = best in _CUSTOMER_LISTS and bool(_SEND.search(e.text) and _CUSTOMER_WORDS.search(e.text))
    if (
        not by_copy
        and not by_browse
        and not asked_copy
        and not to_send  # "email the lapsing customers a voucher": the list, and why no e-mail is sent
        and intent.label == NONE
        and best != NONE
        and (
            scores.get(best, 0.0)
            < (OVERRULE_WRITE if sig.copy and sig.writes_copy else OVERRULE_COPY if sig.copy else OVERRULE_NONE)
            * scores.get(NONE, 0.0)
            or (_entity_fit(best, sig) < OVERRULE_FIT and not (sig.copy and "platform" in _props(best)))
        )
    ):  # (copy for a platform, in a tone, is copy to write even for a product not found: which one is asked)
        best = (
            NONE  # the out-of-scope examples are outvoted only by a tool with a close vote that the request fits well
        )
    if best == NONE:
        return Intent(NONE, intent.confidence, intent.scores, intent.nearest)
    if (
        best in ("set_campaign_budget", "set_campaign_bid")
        and not (e.numbers or e.changes or e.percents or e.suggested)
        and e.metric in ("revenue", "spend", "roas", "cpa", "ctr", "conversions", "clicks", "impressions")
        and not _CHANGE_VERB.search(e.text)
        and (allowed is None or "campaign_metrics" in allowed)
    ):
        read = "campaign_pacing" if _PACING_ASKED.search(e.text) else "campaign_metrics"
        best = read if allowed is None or read in allowed else best  # "daily spend and revenue for campaign 2 since
        # dec 1": its figures (its pacing: "…的出价和预算花费进度"), not its budget
    if best in WRITE_VALUE and not (e.numbers or e.changes or e.percents) and _QUESTION.search(e.text):
        reads = {
            t: v
            for t, v in adjusted.items()
            if t != NONE and t not in WRITE_VALUE and TOOLS[t].agent == TOOLS[best].agent
        }
        if reads and max(reads.values()) >= 0.3 * adjusted[best]:
            best = max(
                reads, key=reads.__getitem__
            )  # "are we going to blow through campaign 1's budget?" asks, not sets
    if (
        best in ("campaign_metrics", "campaign_pacing")
        and _PAUSE_ASK.search(e.text)
        and not e.negated
        and not re.search(r"\bif\b|\bunless\b|如果|要是|假如|的话", e.text, re.I)  # "if ROAS is under 2, pause it"
        and (allowed is None or "pause_campaign" in allowed)
    ):
        best = "pause_campaign"  # "召回那条这周ROI太难看了，先停掉": the figures are the reason, the pause the ask
    if (
        best == "top_products"
        and (e.breakdown in ("country", "segment") or _BEST_BUCKET.search(e.text))
        and not catalog_phrase(e.text)
        and (allowed is None or "sales_report" in allowed)
    ):
        best = "sales_report"  # "which countries sold worst", "our best selling weeks": rows of a report, not products
    new_in = any(o.order == "first" for o in e.order_dates)  # "上个月新客": customers whose first order was then
    if (
        best in ("sales_report", "retention_projection")
        and _COUNTS_CUSTOMERS.search(e.text)
        and (new_in or (best == "sales_report" and not (e.period or e.months)))
        and not _WILL_STAY.search(e.text)
        and (allowed is None or "customer_list" in allowed)
    ):
        best = "customer_list"  # "英国的冠军客户有多少个，一共贡献了多少营收", "上个月新客有多少个": who they are, their total
    if (
        best in ("price_elasticity", "optimal_price")
        and _PRICE_NOW.search(e.text)
        and not (_COST_SAID.search(e.text) or e.numbers or e.percents or e.hypothetical)
        and (allowed is None or "selling_points" in allowed)
    ):
        best = "selling_points"  # "how much is product 145", 145号商品多少钱: its price now, in its facts
    order = _CHANGE_ORDER.search(e.text) if best in ("campaign_pacing", "campaign_metrics") else None
    if order and not e.hypothetical:  # "cut the budget a bit, we're overspending": the change, the pacing its reason
        field = (
            "set_campaign_bid" if (order.group("f") or order.group("zf")) in ("bid", "出价") else "set_campaign_budget"
        )
        best = field if allowed is None or field in allowed else best
    if best == "pause_campaign" and _UNPAUSE.search(e.text) and (allowed is None or "resume_campaign" in allowed):
        best = "resume_campaign"  # "3号活动解除暂停", "undo the pause on c2": the pause ends
    return Intent(best, intent.confidence, intent.scores, intent.nearest)


_SOLD_HOW_MUCH = re.compile(
    r"\b(?:sells?|sold|selling|sales|revenue|units|made|make|earn\w*|do|did|doing|perform\w*)\b|卖|销量|销售额|营收|收入|表现",
    re.I,
)
_THAT_AUDIENCE = re.compile(
    r"\b(?:that|this|the) (?:audience|segment|list)\b|这个(?:受众|人群包?)|那个(?:受众|人群包?)"
    r"|(?:按|照|用|基于|以|根据)(?:这个|那个|它)",  # 再按这个找500个相似客户: the audience just saved
    re.I,
)
_WHICH_OF_THEM = re.compile(r"\bwhich (?:one|of (?:them|those|these))\b|哪款|哪个|哪一款|哪几款", re.I)
_ELASTIC = re.compile(r"\belastic\w*|\bprice[- ]sensitiv\w*|价格弹性|弹性", re.I)
_ALL_OF_KIND = re.compile(r"有哪些|哪几款|都有什么|有什么款|全部|所有的?|\ball (?:the |our )?\w+s\b", re.I)
_PRICE_ORDER = re.compile(  # a product set to a sum, said as an order
    r"^\s*(?:(?:ok|okay|so|please|pls|just|let'?s|go ahead and|can you|could you)[,\s]+)*"
    r"(?:set|put|change|move|make|mark|reprice|drop|lower|raise|bump|cut|take)\s(?P<what>.{2,60}?)\s"
    r"(?:(?:down|up)\s)?(?:to|at)\s?[£$]?\s?\d+(?:\.\d+)?\s?(?:p|pence|quid|pounds?)?\b(?:\s?(?:each|a piece|apiece))?\s*[.!]?\s*$"
    r"|^\s*(?:请|帮我|麻烦|直接)?\s?(?:把|将)(?P<zwhat>[^，,。]{2,24}?)(?:的?(?:价格|售价|单价))?"
    r"(?:改成|改为|调到|调成|调为|降到|涨到|提到|设为|设成|定为|定成)\s?[£￡¥]?\s?\d+(?:\.\d+)?\s?(?:镑|英镑|块|元)?\s*[。.!！]?\s*$",
    re.I,
)
_NOT_A_PRODUCT = re.compile(
    r"\b(?:campaigns?|bids?|budgets?|caps?|cpc|cpa|roas|target|spend|audience|segment)\b|活动|计划|出价|预算|目标|人群",
    re.I,
)


def _names_a_price(e: Entities) -> bool:
    """An order setting one product to a sum ("set the chocolate hot water bottle to £4.49",
    把巧克力热水袋改成4.49): the product named by its words, code or id, nothing of a campaign."""
    m = _PRICE_ORDER.match(e.text)
    if not m or e.hypothetical or e.negated or e.percents:
        return False
    what = m.group("what") or m.group("zwhat")
    if _NOT_A_PRODUCT.search(what):
        return False
    return bool(e.ids("product") or e.stock_codes or catalog_phrase(what))


_PAUSE_ASK = re.compile(
    r"(?:先|就|赶紧|马上|直接)?(?:停掉|停了|关掉|关了|暂停掉?|下线|停投)(?:吧|它|了)?\s*[。.!！]?\s*$"
    r"|\b(?:pause|kill|switch off|turn off)\s(?:it|that one|that campaign)(?:\s(?:now|today|for now))?\s*[.!]?\s*$",
    re.I,
)
_COUNTS_CUSTOMERS = re.compile(  # a count of customers, not of a period's buyers
    r"\bhow many (?:[\w-]+ ){0,2}(?:customers|clients|shoppers|buyers|champions)\b"
    r"|(?:客户?|顾客|买家|会员|用户)(?:一共|总共)?有?多少(?:个|位|人|名)?|多少(?:个|位|名)\S{0,6}(?:客户?|顾客|买家|会员|用户)",
    re.I,
)
_WILL_STAY = re.compile(  # a cohort's future: the retention projection's
    r"\b(?:still|retain\w*|retention|will|come back|stick around)\b|留存|还在买|还会|会有多少|预计|回购|还有多少在|还剩多少",
    re.I,
)
_STILL_BUYING = re.compile(r"\b(?:still|will|stick around)\b|还会|会有多少|还有多少在|还剩多少|留存|预计", re.I)
_NEW_COHORT = re.compile(
    r"\bnew customers\b|\bfirst (?:order|purchase)\w*\b|\bcohort\b|新客|新顾客|新用户|第一次下单|首次下单|首单|首购",
    re.I,
)
_PRICE_NOW = re.compile(  # what a product sells for now
    r"^\W*(?:so\s|and\s)?(?:how much (?:is|are)\b|what(?:'s| is) (?:the )?(?:price|cost) of\b|what does .{0,40}\bcost\b(?! us))"
    r"|多少钱\W*$|(?:现在|目前)?(?:卖|售价|价格是?)多少(?:钱)?\W*$",
    re.I,
)
_COST_SAID = re.compile(
    r"\b(?:unit cost|costs us|margin|profit|elastic\w*|sensitive|optimal|best price)\b|成本|利润|毛利|弹性|最优|最佳|合适|该定|定价",
    re.I,
)
_CHANGE_ORDER = re.compile(  # a bid or budget change said as an order, at the start of the request
    r"^\s*(?:(?:ok|okay|so|pls|please|just|right)\W+)*(?:cut|lower|reduce|drop|trim|raise|increase|bump|boost|lift)\s"
    r"(?:(?:the|our|its|their|that)\s)?(?:[\w-]+\s)?(?P<f>budget|bid)s?\b"
    r"|^\s*(?:先|赶紧|马上)?把?[^，,。]{0,8}?(?P<zf>预算|出价)(?:先|再)?(?:降|减|砍|提|加|涨|压)",
    re.I,
)
_UNPAUSE = re.compile(
    r"解除暂停|取消暂停|不要?再?暂停|别(?:再)?停|\bun-?pause|\bundo (?:the|that) pause|\bend the pause", re.I
)


# -- the arguments ------------------------------------------------------------------------------


def _left(e: Entities, n: Num, width: int = 28) -> str:
    return e.text[max(0, n.start - width) : n.start].lower()


def _right(e: Entities, n: Num, width: int = 10) -> str:
    return e.text[n.end : n.end + width].lower()


_BOUGHT_IT = re.compile(
    r"\b(?:bought|buy|buys|buying|purchased?|purchases|purchasing|ordered|buyers?|purchasers?)\b"
    r"|买过|购买|买了|在买|谁买|买家|买的",
    re.I,
)


def _pick_money(e: Entities, used: set[int], cue: re.Pattern[str] | None, others: list[re.Pattern[str]]) -> Num | None:
    """The amount for one argument: the amount with this argument's cue word nearby, else the only
    amount left that no other argument's cue claims."""
    free = [n for n in e.numbers if id(n) not in used]
    if cue is not None:
        cued = [
            n for n in free if cue.search(_left(e, n)[-16:]) or (is_chinese(e.text) and cue.search(_right(e, n, 4)))
        ]
        if cued:
            return _moved_to(e, cued[0], free)
    return _moved_to(e, n, free) if (n := _unclaimed(e, free, others)) is not None else None


_FROM_AMOUNT = re.compile(r"(?:\bfrom|从|由)\s*[£$¥￥€]?\s*$", re.I)
_TO_AMOUNT = re.compile(
    r"^\s*(?:[a-z]+|[\u4e00-\u9fff]{1,3})?\s*(?:to|->|→|到|改成|改为|改到|调到|调成|降到|涨到|提到|升到|加到|减到|变成|为)\s*[£$¥￥€]?\s*$",
    re.I,
)


def _moved_to(e: Entities, n: Num, free: list[Num]) -> Num:
    """The amount a value moves to when `n` is where it moves from: "from 500 to 450", 从500改成450."""
    if not _FROM_AMOUNT.search(_left(e, n, 8)):
        return n
    after = next((m for m in free if m.start >= n.end), None)
    if after is not None and _TO_AMOUNT.search(e.text[n.end : after.start]):
        return after
    return n


def _unclaimed(e: Entities, free: list[Num], others: list[re.Pattern[str]]) -> Num | None:
    unclaimed = [n for n in free if not any(o.search(_left(e, n)[-16:]) for o in others)]
    if len(unclaimed) == 2 and _moved_to(e, unclaimed[0], unclaimed) is unclaimed[1]:
        return unclaimed[0]  # "from 300 to 250": the pair is one value (the caller takes where it moves to)
    if len(unclaimed) == 1:
        return unclaimed[0]
    targeted = [n for n in unclaimed if _TARGET.search(_left(e, n, 8))]
    if len(targeted) == 1:
        return targeted[0]
    return None


def _named_number(e: Entities, name: str, used: set[int]) -> Num | None:
    """The number written right after a property's own name (`b0 = 20`, `b0 of 20`, `b0 用 20`)."""
    words = r"[\s_]?".join(re.escape(w) for w in name.split("_"))
    for m in re.finditer(
        rf"(?<![a-z0-9]){words}(?![a-z0-9])\s*(?:=|:|of|is|at|to|用|为|是|设为|取|设成)?\s*", e.text, re.I
    ):
        hit = next((n for n in e.numbers if id(n) not in used and n.start == m.end()), None)
        if hit is not None:
            return hit
    return None


def _topic(e: Entities) -> str | None:
    m = re.search(
        r"\b(?:similar to|like|about|matching|for|resembling|related to|search(?: the catalog)? for|find(?: me)?"
        r"|alternatives? to|instead of|replacements? for|substitutes? for|in place of)\s+"
        r"(?:an?\s+|the\s+|some\s+)?([a-z][a-z \-']{2,60})",
        e.text,
        re.I,
    )
    if m:
        topic = re.sub(r"\b(products?|items?|things?|stuff|please|pls)\b", " ", m.group(1), flags=re.I)
        topic = re.sub(r"\s+", " ", topic).strip(" ?.!")
        topic = re.sub(r"^(?:about|like|for|similar to|matching|related to)\s+", "", topic, flags=re.I)
        return topic if len(topic) >= 3 else None
    z = re.search(
        r"(?:和|跟|与|像|类似|代替|替代|替换)([\u4e00-\u9fffA-Za-z ]{2,30}?)(?:类似|相似|差不多|一样|的产品|的商品|的替代品|的东西)"
        r"|(?:有什么|有啥|找些|找几个)?(?:能)?(?:代替|替代|替换)([\u4e00-\u9fffA-Za-z ]{2,30}?)(?:的|$)",
        e.text,
    )
    return next((g.strip() for g in z.groups() if g), None) if z else None


_BROWSE = re.compile(  # asking what the catalog holds: "what hot water bottles do we have", 热水袋有哪些款
    r"^\s*(?:any|show(?: me)?|list|which|what)\b(?!.*\b(?:price|sell|sold|sales|cost|discount|off|revenue)\b)"
    r"|\b(?:options?|alternatives?|range of|kinds? of|types? of|other)\b"
    r"|\b(?:do|did) (?:we|you) (?:still )?(?:have|sell|stock|carry|do)\b|\b(?:have we|we'?ve) got\b|\bgot any\b"
    r"|\b(?:all|every)(?: of)? (?:the |our )?[a-z][\w' -]{1,30}? (?:we|you) (?:sell|stock|carry|have)\b"
    r"(?! (?:the )?(?:most|best|least|worst|more|less|fewest)\b)"
    r"|\b(?:which|what) (?:colou?rs?|sizes?|designs?|styles?|versions?|patterns?)\b|\bcome in\b|\bstill in stock\b"
    r"|有哪些|有什么|有啥|哪些款|哪几款|什么款|还有哪|可以推|推荐几款|有没有|还有别的|还卖|有卖|什么颜色|哪些颜色|几种颜色|几个颜色|几款|几种款|多少款|多少种颜色",
    re.I,
)
# Catalog nouns that are also everyday words of a marketer's request ("set the bid", "a sign of"): not a product type alone.
_PLAIN_NOUN_LIST = (
    "SET BAR BOARD BOOK CAN CAP CARD CARDS CASE CASES CHART DEC GAME KIT MAC PAD PIN REST RING ROLL SCREEN SHEET SIGN "
    "STAND STICK TAG TAGS TAPE TOOL UNIT BLOCK CHAIN PATCH FAN CLIP SPEAKER FLAG STAMP TUBE LIGHT COVER MARKER TILE "
    "STRING PEG BALL CHARGER HLDR NECKL NECKLAC FOB GRIP REEL STUD SWAT SHOPPER"
)
_PLAIN_NOUNS = frozenset(_PLAIN_NOUN_LIST.split())


_NOT_NAME_LIST = (
    "ME MY OUR YOUR WE YOU US SHOW WHAT WHICH ANY ALL OTHER SOME THESE THOSE HAVE GOT DO DOES SELL STOCK A AN THE OF AND "
    "IN ON FOR WITH TO IS ARE BEST TOP NEW OLD MORE MOST"
)
_NOT_NAME_WORDS = frozenset(_NOT_NAME_LIST.split())


@lru_cache(maxsize=1)
def _catalog_nouns() -> tuple[frozenset[tuple[str, ...]], frozenset[str], frozenset[str]]:
    """The catalog's product types: noun phrases in catalog words, the words around them, Chinese nouns."""
    from vectorstore.glossary import catalog_words, glossary

    g = glossary()
    nouns = frozenset(
        e.english for e in g.entries.values() if e.kind == "n" and " ".join(e.english) not in _PLAIN_NOUNS
    )
    skip = frozenset(" ".join(e.english) for e in g.entries.values() if e.kind == "x")
    zh = frozenset(
        t
        for e in g.entries.values()
        if e.kind == "n" and e.english in nouns
        for t in (e.chinese, *e.aliases)
        if len(t) >= 2
    )
    return nouns, catalog_words() - skip - _NOT_NAME_WORDS, zh


@lru_cache(maxsize=1)
def _catalog_speller() -> Speller:
    """Typos of catalog words (`alarm clokcs`), the words of the bank's requests never corrected."""
    _, words, _ = _catalog_nouns()
    plain = [w.lower() for w in words if w.isalpha() and len(w) >= 4 and re.search("[AEIOUY]", w)]  # not HLDR
    return Speller([*plain, *(_plural(w) for w in plain)], known=bank_index().speller.freq)


def _plural(word: str) -> str:
    """cosy -> cosies, box -> boxes, bag -> bags."""
    if word.endswith("y") and word[-2:-1] not in ("a", "e", "o", "u"):
        return word[:-1] + "ies"
    return word + ("es" if word.endswith(("s", "x", "ch", "sh")) else "s")


def catalog_spelling(text: str) -> str:
    """`text` with its misspelt catalog words put right: "bakelike alarm clokcs" -> "... clocks"."""
    return text if is_chinese(text) else _catalog_speller().fix(text)


def catalog_phrase(text: str) -> str | None:
    """The first product type a request names in the catalog's own words ("hot water bottles",
    "red retrospot lunch bag", 热水袋), with the catalog words just before it; None when none."""
    nouns, words, zh = _catalog_nouns()
    if is_chinese(text):
        hits = [(text.find(t), t) for t in zh if t in text]
        return min(hits, key=lambda h: (h[0], -len(h[1])))[1] if hits else None
    toks = [m.group(0) for m in re.finditer(r"[A-Za-z][A-Za-z'\-]*", catalog_spelling(text))]
    up = [t.upper() for t in toks]
    up = [  # plurals: "enamel mugs" is ENAMEL MUG (the catalog also says MUGS, but not as a kind of product)
        catalog_singular(w, words) if w.endswith("S") and (w not in words or (w,) not in nouns) else w for w in up
    ]
    for pass_ in range(2):
        if pass_:  # "funny retro metal pub signs": the catalog's words only (METAL SIGN, with PUB left out)
            kept = [i for i, w in enumerate(up) if w in words]
            toks, up = [toks[i] for i in kept], [up[i] for i in kept]
        for i in range(len(up)):
            for size in (4, 3, 2, 1):
                if tuple(up[i : i + size]) in nouns:
                    start = i
                    while start > 0 and up[start - 1] in words and up[start - 1] not in _PLAIN_NOUNS:
                        start -= 1
                    return " ".join(toks[start : i + size]).lower()
    return None


_THEMED = re.compile(  # products of a theme the catalog names: "christmas products", 圣诞相关的产品
    r"\b(?P<en>(?:[a-z][a-z'-]+ ){0,1}[a-z][a-z'-]+)[- ](?:themed |related )?(?:products|items|range|lines|stuff|ones)\b"
    r"|(?P<zh>[\u4e00-\u9fff]{2,6}?)(?:相关|类|系列|主题)的?(?:产品|商品|货|款|东西|单品|(?=[，。,.!?！？\s]|$))",
    re.I,
)


def _zh_run(text: str, term: str) -> str:
    """A Chinese product word with the catalog words right before it (儿童围裙 for 围裙)."""
    from vectorstore.glossary import glossary

    at = text.find(term)
    if at < 0:
        return term
    spans, cursor = [], 0
    for zh, _ in glossary().to_english(text[: at + len(term)])[1]:
        i = text.find(zh, cursor)
        if i >= 0:
            spans.append((i, i + len(zh)))
            cursor = i + len(zh)
    start = at
    for a, b in reversed(spans):
        if a < start and (b == start or (b == start - 1 and text[b] == "的")):
            start = a  # (红色波点的大购物袋: the words before a 的 too)
    return text[start : at + len(term)].replace("的", "")


def _catalog_word(word: str) -> bool:
    """A word the catalog's descriptions use (in the singular: owls is OWL), or a Chinese one the glossary reads."""
    if is_chinese(word):
        from vectorstore.glossary import glossary

        return bool(glossary().to_english(word)[0])
    _, words, _ = _catalog_nouns()
    up = word.upper()
    return up in words or catalog_singular(up, words) in words


def themed(text: str) -> str | None:
    """The theme a request's products are named by ("christmas products", 圣诞相关的产品), in the
    catalog's words; None when none."""
    from vectorstore.glossary import glossary

    m = _THEMED.search(text)
    if m is None:
        return None
    if m.group("zh"):  # the shortest end of the words before 相关 the glossary knows: 上个月圣诞相关 -> 圣诞
        zh = m.group("zh")
        return next((zh[-k:] for k in range(2, len(zh) + 1) if glossary().to_english(zh[-k:])[0]), None)
    _, words, _ = _catalog_nouns()
    kept = [w for w in m.group("en").split() if w.upper() in words and w.upper() not in _PLAIN_NOUNS]
    return " ".join(kept).lower() if kept == m.group("en").split()[-len(kept) :] and kept else None


_NAME_HOLDS = re.compile(  # products by a word of their names: "every product with 'vintage' in its name"
    r"\bwith (?:the (?:word|words) )?[\"'“‘]?(?P<en>[a-z][a-z' -]{1,30}?)[\"'”’]? in (?:its|their|the) "
    r"(?:names?|descriptions?|titles?)\b"
    r"|(?:名字|名称|品名|描述|标题)(?:里|中|上)?(?:带|含|有|包含)(?:“|\"|')?(?P<zh>[\u4e00-\u9fffA-Za-z ]{1,20}?)(?:”|\"|')?(?=的|[，。,.!?！？\s]|$)",
    re.I,
)


def _name_holds(e: Entities) -> str | None:
    """The words a request says the products' names hold ("with 'vintage' in its name", 名字里带复古的)."""
    m = _NAME_HOLDS.search(e.text)
    if m is None:
        return None
    said = (m.group("en") or m.group("zh") or "").strip()
    return said if said and _catalog_word(said.split()[-1]) else None


@dataclass
class _Filled:
    args: dict[str, Any]
    missing: list[str]
    notes: list[str]


# A period a tool does not name, as the nearest one it does (campaign reports have no calendar quarter).
_PERIOD_FALLBACK = {"last_quarter": "last_90_days", "last_3_months": "last_90_days"}


def _enum(prop: dict[str, Any]) -> list[str]:
    """The values a property allows (its enum, or its non-null alternative's)."""
    for alt in [prop, *prop.get("anyOf", [])]:
        if "enum" in alt:
            return list(alt["enum"])
    return []


_UNTIL = re.compile(r"\b(?:before|until|till|up to|by|no later than|prior to)\s?$", re.I)
_UNTIL_ZH = re.compile(r"^\s?(?:之前|以前|前|为止)")


def _ends_at(e: Entities) -> bool:
    """One date that ends a range: "before 2011-06-01", 2011-06-01之前."""
    if len(e.dates) != 1 or not e.period:
        return False
    at = e.text.find(e.period)
    return at >= 0 and bool(
        _UNTIL.search(e.text[max(0, at - 20) : at]) or _UNTIL_ZH.match(e.text[at + len(e.period) :])
    )


def _last_years_month(e: Entities, props: dict[str, Any]) -> bool:
    """A month of last year (去年12月, "December last year"): the month, not the whole year."""
    return "month" in props and len(e.months) == 1 and e.months[0][0] is None and e.period_name == "last_year"


def _month_text(month: tuple[int | None, int]) -> str:
    year, m = month
    return f"{year}-{m:02d}" if year else str(m)


def _period_for(prop: dict[str, Any], name: str) -> str | None:
    allowed = _enum(prop)
    if not allowed or name in allowed:
        return name
    fallback = _PERIOD_FALLBACK.get(name)
    return fallback if fallback in allowed else None


_ORDER_DATES = ("start", "end", "first_start", "first_end")


def _span_of(d: OrderDate, today: date | None) -> tuple[date, date] | None:
    """The first and last day of what an order-date bound names, or None when it cannot be read
    (a day without its year, or a span back from today, with no today to read it against)."""
    if d.period is not None:
        if today is None:
            return None
        try:
            p, _ = sales_period(today, d.period, None, None)  # type: ignore[arg-type]
        except ToolFailure:
            return None
        return p.start, p.end
    if d.month is None:  # a whole year: "first order in 2011", 2011年首单
        return (date(d.year, 1, 1), date(d.year, 12, 31)) if d.year is not None else None
    year = d.year
    if year is None:
        if today is None:
            return None
        year = today.year if (d.month, d.day or 1) <= (today.month, today.day) else today.year - 1
    try:
        if d.day is not None:
            day = date(year, d.month, d.day)
            return day, day
        first = date(year, d.month, 1)
    except ValueError:
        return None
    return first, date(year + d.month // 12, d.month % 12 + 1, 1) - timedelta(days=1)


_FROM_DAY = re.compile(r"\b(?:since|from|after|starting|beginning)\s(?:the\s)?$|(?:从|自)\s?$", re.I)
_FROM_DAY_ZH = re.compile(r"^\s?(?:以来|之后|以后|起|开始)")


def _days_asked(e: Entities, today: date, args: dict[str, Any]) -> None:
    """A report over the days a request names: "sales on 25 November" is that day, "from 1 Nov to
    15 Nov" those days, "since 20 November" from it to today, "until 5 December" to it."""
    days = days_written(e.text, today)
    if not days:
        return
    first_at, first = days[0]
    before, after = e.text[max(0, first_at - 24) : first_at], e.text[first_at:]
    span = re.search(r"^\S+(?:\s\S+){0,2}", after)
    after_day = after[span.end() :] if span else ""
    from_to = re.search(
        r"\b(?:between|from)\s(?:the\s)?(\d{1,2})(?:st|nd|rd|th)?\s?(?:and|to|-|until|till)\s?(?:the\s)?$", before
    )
    if len(days) >= 2:
        start, end = first, days[-1][1]
    elif from_to and 1 <= int(from_to.group(1)) <= first.day:  # "between 1 and 15 November", "1-15 Nov"
        start, end = first.replace(day=int(from_to.group(1))), first
    elif _UNTIL.search(before):
        start, end = None, first
    elif _FROM_DAY.search(before) or _FROM_DAY_ZH.match(after_day):
        start, end = first, None
    else:
        start, end = first, first  # "sales on 25 November", 11月25日的销售额: that day
    for k in _WHEN:
        args.pop(k, None)
    if start is not None:
        args["start"] = start.isoformat()
    if end is not None:
        args["end"] = end.isoformat()


def _dates_are(prop: dict[str, Any]) -> str | None:
    """Which order a tool's start/end bound, as its schema says ("only customers whose LAST order...")."""
    words = str(prop.get("description", ""))
    return "first" if "FIRST order" in words else "last" if "LAST order" in words else None


def order_bounds(e: Entities, today: date | None) -> dict[str, str]:
    """The first- and last-order dates a request bounds customers by (`first_start`, `first_end`,
    `start`, `end`), as days: "haven't ordered since 1 September" is a last order on or before 31
    August, "new customers since October" a first order on or after 1 October."""
    out: dict[str, date] = {}
    one_day = timedelta(days=1)
    for d in e.order_dates:
        span = _span_of(d, today)
        if span is None:
            continue
        a, b = span
        if d.year is not None and d.month is None and d.period is None and e.month_range and len(e.months) == 2:
            (y1, m1), (y2, m2) = e.months  # "first order was in Q1 2011": January to March of that year
            if {y1 or d.year, y2 or d.year} == {d.year} and m1 <= m2:
                a = date(d.year, m1, 1)
                b = date(d.year + m2 // 12, m2 % 12 + 1, 1) - timedelta(days=1)
        if d.month is not None and d.day is None and e.month_range and len(e.months) >= 2 and today is not None:
            try:  # "第一次下单在7、8月": the months the list names, not only the last of them
                said = _months_said(e, today)
                if said.end.month == d.month:
                    a = date.fromisoformat(said.start) if isinstance(said.start, str) else said.start
            except ToolFailure:
                pass
        pre = "first_" if d.order == "first" else ""
        if d.rule == "start":
            out[pre + "start"] = a
        elif d.rule == "after":
            out[pre + "start"] = b + one_day if d.day is None and d.period is None else a  # after September: October
        elif d.rule == "not_since" and re.search(r"\bend\b|月底|月末", d.raw, re.I):
            out[pre + "end"] = b  # "haven't ordered since the end of August": a last order on or before 31 August
        elif d.rule in ("before", "not_since"):
            out[pre + "end"] = a - one_day
        elif d.rule == "end":
            out[pre + "end"] = b
        else:  # within a span; two of them ("first ordered in sep or oct"): from the first to the last
            out[pre + "start"] = min(a, out.get(pre + "start", a))
            if today is None or b < today - one_day:  # a span running to today ends nowhere
                out[pre + "end"] = max(b, out.get(pre + "end", b))
    if not e.order_dates and e.month_range and today is not None and _FIRST_ORDER.search(e.text):
        try:  # "customers who first ordered in Q1": the months of that quarter, the latest up to today
            months: Period | None = _months_said(e, today)
        except ToolFailure:
            months = None
        if months is not None:
            out |= {"first_start": months.start, "first_end": months.end}
    return {k: v.isoformat() for k, v in out.items()}


_FIRST_ORDER = re.compile(
    r"\bfirst (?:order(?:ed)?|purchase[ds]?|bought|bought from us)\b|首单|第一次(?:下单|购买|买)", re.I
)
_EACH = {"set_campaign_bids": "bids", "set_campaign_budgets": "budgets"}  # each campaign's own new value
_TREND_ASKED = re.compile(  # whether sales are slowing or still growing: the weeks, with a verdict
    r"\bslow(?:ing|s)? down\b|\bslowing\b|\bpicking up\b|\blos(?:ing|t) (?:steam|momentum)\b|\btail(?:ing)? off\b"
    r"|\bcool(?:ing)? (?:off|down)\b|\bwinding down\b|\bpeaked\b|\b(?:passed|past|over) (?:the |its |our )?(?:\w+ )?peak\b"
    r"|\bstill (?:growing|climbing|rising|going up)\b|\b(?:is|are) (?:\w+ ){0,3}(?:lifting|boosting) (?:them|it|sales)\b"
    r"|\bwhether (?:\w+ ){0,5}(?:lifting|boosting) (?:them|it|sales)\b|\btaking off\b"
    r"|放缓|减速|降温|回落|还在涨|还在增长|还在上升|过峰|见顶|有没有(?:带动|拉动|起量|起色)|是不是在涨",
    re.I,
)
_COUNT_ASKED = re.compile(
    r"\bhow many\b|\bwhat (?:share|percentage|proportion|fraction)\b|多少位|多少个?客户|多少人|占比多少|比例是?多少|有多少",
    re.I,
)
_PRICE_MOVE = re.compile(
    r"涨价|降价|提价|加价|减价|调价|价格(?:上调|下调|调高|调低|提高|降低)"
    r"|\b(?:raise|increase|cut|lower|drop|bump|reduce|put up|mark up|mark down)\b[^.?!]{0,30}\bprices?\b"
    r"|\bprices?\b[^.?!]{0,20}\b(?:up|down) (?:by )?\d",
    re.I,
)
_WIN_BACK = re.compile(
    r"\bwin[- ]?back\b|\blapsed\b|\breactivat\w*|\bre-?engag\w*|\bbring (?:them|back)\b|召回|唤醒|回流|流失的?客户|沉睡",
    re.I,
)
_GREW = re.compile(
    r"\b(?:grew|grown|growing|growth|rose|risen|climbed|gained|shr[ua]nk|fell|dropped)\b|增长|涨得|涨幅|增幅|下滑最|跌得|降幅",
    re.I,
)
_ADD_FIGURE = re.compile(  # a figure added to the answer just given
    r"^\s*(?:(?:and|also|now|ok|okay|pls|please|can you|could you)\s)*(?:add|include|show|put in|throw in|with|plus)\b"
    r"|^\s*(?:再|也)?(?:加上|加个|加一下|加一列|加入|带上|补上|顺便加上|把.{1,10}也?(?:加上|加进去|放进去))",
    re.I,
)
CAMPAIGN_FIGURES = ("roas", "cpa", "ctr_pct", "conversions", "cpc", "spend", "revenue")
_LAST_NAMED_MONTH = re.compile(
    r"\blast (?:jan(?:uary)?|feb(?:ruary)?|march|april|may|june|july|aug(?:ust)?|sept?(?:ember)?|oct(?:ober)?"
    r"|nov(?:ember)?|dec(?:ember)?)\b",
    re.I,
)
_SHORTER = re.compile(
    r"\bshorter\b|\bshorten\b|\bmore concise\b|\btighter\b|\bpunchier\b|\btoo long\b|\bcut (?:them|it|those) down\b"
    r"|短一点|短一些|短点|更短|精简|简短|缩短|太长",
    re.I,
)
_UP_AND_DOWN = re.compile(
    r"\b(?:grew|grown|growing|up|rose|risers?|winners?|gain(?:ed|ers)?)\b.{0,30}\b(?:fell|dropped|down|declined|shr[ua]nk"
    r"|fallers?|losers?|dropping|falling)\b|(?:涨|增长|上升).{0,12}(?:跌|下降|下滑)",
    re.I,
)
_CUSTOMER_COUNT = re.compile(  # the shop's customers counted: "how many customers do we have?", 我们一共有多少客户
    r"\bhow many (?:customers|clients|buyers|shoppers)(?: do we have| have we got| are there| in total| we have"
    r"| does the shop have| do we have in| have we)\b"
    r"|(?:一共|总共|共|我们|店里|店铺)有?多少(?:个|位|名)?(?:客户|顾客|买家)(?![^，。,.?？]*(?:分群|分层|人群|每|各))",
    re.I,
)
_LIST_ASKED = re.compile(
    r"\b(?:list|show|who|which|names?|ids?|give me|pull|top \d+)\b|名单|列出|列一下|哪些|是谁|都有谁|拉个|给我看", re.I
)
_REPEAT_RATE = re.compile(  # the shop's share of customers who ordered again
    r"\brepeat(?:[- ](?:purchase|buyer|customer|order))?[- ]rate\b|\b(?:share|percentage|proportion|%) of "
    r"(?:our )?customers (?:who )?(?:come|came|comes) back\b|\bhow many (?:of our )?customers (?:come|came) back\b"
    r"|\b(?:share|percentage|proportion|%|how many|what fraction) of (?:our |the )?(?:customers|buyers|shoppers)\b[^.?!]{0,40}?"
    r"\b(?:come back|came back|comes back|buy again|bought again|order again|ordered again|reorder\w*|"
    r"(?:a )?second (?:time|order|purchase))"
    r"|复购率|回购率|重复购买率|回头客(?:的)?(?:比例|占比)|多少客户(?:会)?回购",
    re.I,
)
_TOGETHER = re.compile(  # what sells with a product: "bought together", "goes with", 一起买, 同单, 连带
    r"\b(?:bought|buy|buys|buying|ordered|order|purchased|sold|sell|sells|selling|go|goes|going|pair|pairs|paired)"
    r"(?: \w+){0,2}? (?:together|alongside|along with)\b"
    r"|\b(?:goes|go|going|pairs?|sells?(?: well)?|selling|sold|moving|moves|bought|buy|grab|add|put)(?: \w+){0,2}? with"
    r" (?:the |our |a |product |sku |#)?"
    r"(?=\w)(?!(?:us|them|a (?:voucher|discount|code))\b)"
    r"|\bin the same (?:order|basket|cart|trolley|invoice)s?\b|\bsame[- ](?:basket|order)\b|\b(?:cross|attach)[- ]?sell"
    r"|\bmarket[- ]basket\b|\bco-?purchas\w*|\bassociation rules?\b|\badd-?on items?\b|\battach (?:items?|rate)\b"
    r"|\balso (?:buy|bought|get|got|pick up|picked up|add|added|put)\b|\balongside\b"
    r"|\bwhat else (?:do|did|does|would|will) (?:\w+ ){0,5}?(?:buy|get|order|pick up|add|grab|take)\b"
    r"|一起(?:买|下单|购买|卖|带走|出现)|同单|同一(?:个|笔)?订单|连带|顺手(?:买|带|拿)|(?:还会|还)(?:买|带|拿|加购)|关联(?:购买|商品|规则)"
    r"|购物篮|加购|搭配(?:购买|销售|推荐|商品|卖|买)|(?:和|跟|与).{1,16}搭配",
    re.I,
)
_PRICE_TOOLS = frozenset({"set_product_price", "discount_effect", "price_elasticity", "optimal_price"})
_PLAN_SAID = re.compile(r"\bplan\b|\bplanning\b|策划|方案|规划", re.I)
_RANK_BY = re.compile(
    r"(?P<lift>\blift\b|\blikelie?r\b|\bconfidence\b|\baffinity\b|提升度|置信度|关联度|关联强度|相关性)"
    r"|\b(?:by|most) (?:orders|baskets|times)(?: together)?\b|同单(?:次数|订单数|数)|一起买的次数|次数",
    re.I,
)
_BASKET_WORDS = re.compile(  # the basket a product is bought in, not a product: strip it before naming the kind
    r"\b(?:the |a |same |their |your )*(?:basket|cart|trolley|order|invoice)s?\b|购物篮|购物车", re.I
)
_ON_OFF = re.compile(
    r"\b(?:pause|resume|stop|restart|unpause|switch|turn)\b|暂停|恢复|停掉|关掉|停了|开启|重启|开回来|打开|重新开|再开|上线",
    re.I,
)
_AND_THE = (
    r"^\s*(?:(?:and|so|ok|but)\s+)?(?:(?:what|how) about\s+)?the\b"  # "and the worst CPA?": which one, asked again
)
_WHICH_MOST = re.compile(
    rf"(?:\b(?:which|what)\b|{_AND_THE}).{{0,40}}?\b(?:(?P<hi>highest|most|best|biggest|largest|top)|lowest|least|worst|smallest)\b"
    r"|(?:哪个|哪些|哪一?类|谁|^(?:那|那么)).{0,20}?(?:(?P<zhi>最高|最多|最大|最好)|最低|最少|最差)",
    re.I,
)
_BEST_BUCKET = re.compile(  # the best or worst day, week or month of a period
    r"\b(?:(?P<hi>best|busiest|strongest|biggest|highest|peak|top)|worst|slowest|quietest|weakest|lowest)"
    r"(?:[- ]selling)? (?:single )?(?:day|week|month)s?\b"
    r"|\bwhich (?:day|week|month)\b.{0,25}?\b(?:(?P<hi2>best|busiest|strongest|biggest|highest|peak|top|most)|worst"
    r"|slowest|quietest|weakest|lowest|fewest|least)\b"
    r"|哪一?(?:天|周|个?星期|个?礼拜|个?月)(?:的?(?:销售额?|销量|营收|订单))?(?:卖得?)?(?:(?P<zhi>最好|最高|最多|最旺)|最差|最低|最少|最淡)"
    r"|(?:(?P<zhi2>最好|最高|最多|最旺)|最差|最低|最少|最淡)的(?:一|那一?)?(?:天|周|个?星期|个?礼拜|个?月)",
    re.I,
)
_BUCKET_UNITS = {
    "day": re.compile(r"\bdays?\b|天", re.I),
    "week": re.compile(r"\bweeks?\b|周|星期|礼拜", re.I),
    "month": re.compile(r"\bmonths?\b|月", re.I),
}
_CHANGE_VERB = re.compile(
    r"\b(?:set|change|raise|lower|increase|decrease|cut|bump|boost|drop|reduce|up|down|double|halve|trim|make)\b"
    r"|调|改|提|降|加|减|涨|砍|设",
    re.I,
)
_LOOKALIKE_SAID = re.compile(
    r"\blook-?alikes?\b|相似(?:人群|客户|受众)|(?:跟|和|像)(?:他们|它们|这些人)(?:很?相似|差不多|类似)", re.I
)
_PACING_ASKED = re.compile(
    r"\bpacing\b|\bon (?:track|pace) to spend\b|\bbudget (?:used|spent|left)\b|预算花得|预算用了?(?:多少|得怎么样)|预算还剩|花得怎么样"
    r"|花费进度|消耗进度|投放进度",
    re.I,
)
_WHICH_CAMPAIGN_IS = re.compile(  # which campaign is the best or the worst, in whatever words
    rf"(?:\b(?:which|what|who)\b|{_AND_THE}).{{0,40}}?(?:(?P<best>\bbest|\bstrongest|\bwinning|\btop perform\w*|\bdoing well)"
    r"|\bworst|\bweakest|\bdrag\w*|\bunderperform\w*|\blagg\w*|\bbleed\w*|\bholding us back|\bletting us down"
    r"|\bwast\w*)"
    r"|(?:哪个|哪一个|哪条|哪一条|谁|^(?:那|那么)).{0,12}?(?:(?P<zbest>最好|最强|最赚钱)|最差|最弱|拖后腿|拉低|垫底|最烧钱|浪费)",
    re.I,
)
_WORTH_IT = re.compile(  # whether one customer deserves the effort
    r"\bworth\b|\bkeep(?:ing)? (?:them|him|her)\b|\b(?:invest|spend)\w* (?:in|on) (?:them|him|her)\b"
    r"|\bprioriti[sz]e\b|\bkey account\b|\bbother\b"
    r"|值不值|值得|要不要(?:维护|跟进|重点)|需不需要(?:维护|跟进)|重点维护|是否(?:维护|跟进)|该不该(?:维护|跟进)",
    re.I,
)
_EACH_OF = re.compile(
    r"\b(?:each|respectively|separately|side by side|vs\.?|versus|compared?|overlap\w*|which (?:of|one|country|market"
    r"|site|did|does|has|had|is|was|sold|sells|made|grew|buys|bought|spends?|spent))\b"
    r"|分别|各自|各|对比|比较|相比|比一下|比比|哪个|哪一个|哪边|(?:跟|和|与).{1,12}比|重合|重叠",
    re.I,
)


def each_country(text: str, countries: int) -> bool:
    """Two or more countries asked about each on its own ("Germany vs France", 西班牙和葡萄牙哪个站客单价高,
    分别卖了多少): a row or an answer for each, not one total of them together."""
    return countries >= 2 and bool(_EACH_OF.search(text))


_ONE_CAMPAIGN_EDIT = ("pause_campaign", "resume_campaign", "set_campaign_bid", "set_campaign_budget")


def _bare_campaign(e: Entities, n: Num) -> bool:
    """A small whole number written where a campaign goes, with no noun: "pls resume 3", "bid on 3 to 35p"."""
    return (
        n.is_int
        and 1 <= n.value <= 999
        and n.currency is None
        and n.unit is None
        and not n.scaled
        and bool(
            re.search(r"\b(?:on|for|resume|pause|stop|running|restart|unpause|kill|start|of)\s?$", _left(e, n, 12))
        )
        and not re.match(r"\s?(?:days?|weeks?|hours?|hrs?|mins?|minutes?|%|x\b)", _right(e, n, 8), re.I)
    )


def _each_value(e: Entities) -> list[tuple[int, Num]]:
    """Two or more campaigns, each with its own new amount written after it and before the next
    (`bids: c1 to 0.90 and c3 to 0.45`, `1号600，2号350，3号150`); nothing when that is not the shape."""
    refs = sorted({r.start: r for r in e.refs if r.kind == "campaign"}.values(), key=lambda r: r.start)
    if len(refs) < 2 or len(e.numbers) != len(refs) or e.changes or e.percents or e.all_campaigns:
        return []
    if len({r.value for r in refs}) != len(refs) or any(
        r.raw == refs[0].raw and r.end == refs[0].end for r in refs[1:]
    ):
        return []  # a range ("campaigns 1-3") or a list ("1 and 2") written as one: one value for all
    nums = sorted(e.numbers, key=lambda n: n.start)
    ends = [r.start for r in refs[1:]] + [len(e.text)]
    if not all(r.end <= n.start < nxt for r, n, nxt in zip(refs, nums, ends, strict=True)):
        return []
    return [(r.value, n) for r, n in zip(refs, nums, strict=True)]


_MONTH_ABBR = {
    i + 1: m for i, m in enumerate(("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"))
}
_VALUE_WORDS = re.compile(r"\b(?:value|revenue|sales|money|£|gmv)\b|价值|收入|销售额|金额|营收|gmv", re.I)
_WEEKS = re.compile(r"(\d{1,3})\s?(?:weeks?|wks?|周)", re.I)


_UPLOAD_FORMAT = re.compile(
    r"(?P<csv>\bcsv\b|\bplain\b|\bexcel\b|表格)|(?P<google>\bcustomer match\b|\bgoogle\b|\bcm\b|谷歌)"
    r"|\bmeta\b|\bfacebook\b|\bfb\b|\binstagram\b|\bcustom audiences?\b|脸书",
    re.I,
)
_LAPSING_RULE = re.compile(
    r"\blaps(?:e|es|ed|ing)\b|\bchurn\w*|\bat[- ]risk\b|\bslipping away\b|\bgone quiet\b|流失|快走了|沉睡|召回", re.I
)
_CLV_WORDS = re.compile(
    r"\b(?:clv|ltv|lifetime value|customer value|predicted value|(?:expected |predicted )?(?:annual|yearly|52-week) value)\b"
    r"|生命周期价值|客户价值|终身价值|(?:预计|预期)?(?:年|一年的?|52周)价值|clv|ltv",
    re.I,
)
_UNDER = re.compile(
    r"\b(?:under|below|less than|at most|up to|max(?:imum)?)\b|<|≤|低于|小于|不超过|以下|以内|最多", re.I
)
_BETWEEN = re.compile(r"\bbetween\b|\bfrom\b.{0,12}\bto\b|到|至|~|-", re.I)
_BOUGHT = re.compile(r"\b(?:bought|buy|buyers?|purchased|ordered)\b|买过|购买过|下单过|买了|购买了|的买家", re.I)


def _clv_bounds(e: Entities) -> dict[str, float]:
    """The lifetime-value bounds of an audience's rule: "CLV over £200", "LTV在200到800之间"."""
    near = [n for n in e.numbers if _CLV_WORDS.search(_left(e, n, 28)) and not n.unit]
    if len(near) >= 2 and (
        _BETWEEN.search(e.text[near[0].end : near[1].start])
        or (
            re.search(r"\bbetween\b|在$", _left(e, near[0], 12))
            and re.fullmatch(r"\s*(?:and|&)\s*", e.text[near[0].end : near[1].start])
        )
    ):
        low, high = sorted((near[0].value, near[1].value))
        return {"min_clv": low, "max_clv": high}
    if near:
        n = near[0]
        around = _left(e, n, 14) + " " + _right(e, n, 10)
        return {"max_clv" if _UNDER.search(around) else "min_clv": n.value}
    if _CLV_WORDS.search(e.text):  # "LTV under 100": read as a spend bound, meant of the value
        bounds = {"min_clv": e.min_revenue, "max_clv": e.max_revenue}
        return {k: v.value for k, v in bounds.items() if v is not None}
    return {}


def fill(
    tool: str, e: Entities, zh: bool, stock_codes: dict[str, int] | None = None, today: date | None = None
) -> _Filled:
    """Each property of the tool's schema from the typed extractors, by the property's name (dates
    written without a year, or back from today, need the shop's `today`)."""
    props = _props(tool)
    args: dict[str, Any] = {}
    notes: list[str] = []
    used: set[int] = set()
    if tool in _EACH and (pairs := _each_value(e)):  # "c1 600, c2 350", "1号1块，2号6毛5": each its own value
        field = WRITE_VALUE[tool]
        return _Filled({_EACH[tool]: [{"campaign_id": i, field: n.value} for i, n in pairs]}, [], notes)
    id_fields = [f for f in ID_FIELDS if f in props]
    loose = e.ids("any")  # "1289号", "#1523": the id of whatever the tool is about
    money_cues: dict[str, re.Pattern[str] | None] = {"unit_cost": _COST, "value_per_click": _CLICK}
    money_cues |= {"daily_budget": _BUDGET, "total": _BUDGET, "total_budget": _BUDGET, "price": None, "bid": None}
    for name in props:
        if name in ID_FIELDS:
            if name == "campaign_id" and "campaign_ids" in props and len(set(e.ids("campaign"))) >= 2:
                continue  # "campaigns 1 and 3": the list, not the first of it
            if (name, tool) == ("product_id", "customer_list") and not _BOUGHT_IT.search(e.text):
                continue  # a customer list's product filter only when buying it is said ("who bought 85123A")
            v = e.first_id(ID_FIELDS[name])  # type: ignore[arg-type]
            if v is None and loose and name == id_fields[0]:
                v = loose[0]
            if v is None and name == "campaign_id" and tool in _ONE_CAMPAIGN_EDIT:
                bare = next((n for n in e.numbers if _bare_campaign(e, n)), None)
                if bare is not None:  # "stop running 2", "lower bid on 3 to 35p": the campaign's id
                    v = int(bare.value)
                    used.add(id(bare))
            if v is None and name == "product_id" and stock_codes:  # "(47566)": a stock code written bare
                code = next((n for n in e.numbers if n.is_int and f"{int(n.value)}" in stock_codes), None)
                if code is not None:
                    v = stock_codes[f"{int(code.value)}"]
                    used.add(id(code))
            if v is None and name == "product_id" and e.stock_codes:
                args[name] = e.stock_codes[0][0]  # "85123B", which the catalog may not have: the tool says so
            elif v is None and name == "product_id" and stock_codes is not None:
                five = next(
                    (n for n in e.numbers if n.is_int and len(n.raw) == 5 and n.currency is None and n.unit is None),
                    None,
                )
                if five is not None and _PRICE_WORDS.search(e.text):  # "把23999的价格改成3.5镑": a stock code
                    args[name] = five.raw  # the catalog lacks; the tool says so rather than asking which product
                    used.add(id(five))
            if v is not None:
                args[name] = v
        elif name in money_cues:
            if name in WRITE_VALUE.values():
                change = e.changes[0] if e.changes else None
                target = _pick_money(e, used, money_cues[name], [c for k, c in money_cues.items() if c and k != name])
                if target is not None and (change is None or _TARGET.search(_left(e, target, 8))):
                    args[name] = target.value
                    used.add(id(target))
                elif change is None and e.discount is not None and not (tool == "set_product_price" and e.hypothetical):
                    args["change_pct"] = -e.discount.value  # "knock 7% off both", 出价打八折: a cut by that share
                elif change is not None:
                    if change.pct is not None:
                        args["change_pct"] = change.pct
                    elif change.factor is not None:
                        args["change_pct"] = round(100 * (change.factor - 1), 6)
                    elif change.by is not None:
                        args["change_by"] = change.by
                continue
            others = [c for k, c in money_cues.items() if c is not None and k != name]
            n = _pick_money(e, used, money_cues[name], others)
            cue = money_cues[name]
            several = sum(k in money_cues or k == "new_price" for k in props) > 1
            if n is not None and several and name not in _required(tool) and cue and not cue.search(_left(e, n)[-16:]):
                n = None  # an optional amount beside another (a discount's unit cost) only when the request names it
            if n is not None:
                args[name] = n.value
                used.add(id(n))
        elif name in ("k", "limit", "n"):
            if e.counts:
                bounds = props[name]
                args[name] = max(bounds.get("minimum", 1), min(e.counts[0], bounds.get("maximum", 100)))
                if args[name] != e.counts[0]:
                    notes.append(f"count_capped:{args[name]}")
        elif name == "discount_pct":
            if e.discount is not None:
                args[name] = e.discount.value
            elif e.changes and e.changes[0].pct is not None:
                args[name] = -e.changes[0].pct  # a price rise is a negative discount
            elif e.percents:
                args[name] = e.percents[0].value
            elif "new_price" in props:
                pass
        elif name == "new_price":
            n = _pick_money(e, used, None, [_COST])
            by_said = any(c.by is not None for c in e.changes)
            if n is not None and by_said and not _TARGET.search(_left(e, n, 8)):
                n = None  # "爆米花桶（0.85那个）涨1毛": today's price names the product; the change is by 10p
            if n is not None and "discount_pct" not in args:
                args[name] = n.value
                used.add(id(n))
        elif name == "change_by" and tool == "discount_effect":  # "if we knocked 30p off": an amount off today's
            by = next((c.by for c in e.changes if c.by is not None), None)
            if by is not None and not {"discount_pct", "new_price"} & set(args):
                args[name] = by
        elif name == "share":
            pct = e.percents[0].value if e.percents else None
            if pct is not None and 0 < pct <= 100:
                args[name] = round(pct / 100, 4)
        elif name == "pctr" and e.pctr is not None:
            args[name] = e.pctr
        elif name == "text":
            copy = e.quoted or after_colon(e.text)
            if copy:
                args[name] = copy
        elif name == "product_ids" and tool == "sales_report" and (e.ids("product") or e.stock_codes):
            args[name] = list(dict.fromkeys(e.ids("product")))  # "monthly sales for 85123A": that product's
        elif (
            name == "product_ids"
            and tool == "sales_report"
            and stock_codes
            and (
                coded := [
                    stock_codes[f"{int(n.value)}"] for n in e.numbers if n.is_int and f"{int(n.value)}" in stock_codes
                ]
            )
        ):
            args[name] = list(dict.fromkeys(coded))  # "how much has 84879 sold each month": a stock code written bare
        elif name == "query" and tool in ("top_products", "sales_report"):  # "which doormat sells best": one kind
            unpriced = _AOV_WORDS.sub(" ", e.text)  # "the basket size for each": the average order, not baskets
            kind = _name_holds(e) or catalog_phrase(unpriced) or themed(unpriced)
            if kind and not e.ids("product") and not e.stock_codes:
                args[name] = catalog_spelling(kind)
        elif name == "query" and tool == "bought_together" and "product_id" not in args:
            unbasketed = _BASKET_WORDS.sub(" ", e.text)  # "in the same basket as christmas lights": the lights
            q = e.quoted or catalog_phrase(unbasketed) or themed(unbasketed)
            if q:
                args[name] = q if e.quoted else catalog_spelling(q)
        elif name == "query" and "product_id" not in args:
            topic, kind = _topic(e), catalog_phrase(e.text)
            if topic and kind and kind.lower() in topic.lower():
                topic = kind  # "all the lunch bags we sell": the lunch bags, not every word around them
            q = e.quoted or topic or kind or themed(e.text)  # "any picnic stuff?"
            if q:
                args[name] = q if e.quoted else catalog_spelling(q)
            if q and is_chinese(e.text) and not e.quoted and _RANGE_ASKED.search(e.text):
                args[name] = _zh_run(e.text, q)  # 儿童围裙有几款: children's aprons, not every apron
            mark = (
                _MARKED.search(e.text)
                if not e.quoted and (_EVERY.search(e.text) or _BROWSE.search(e.text) or _SOLD_OF_KIND.search(e.text))
                else None
            )
            borne = re.sub(
                r"^(?:有没有|没有|还有|有|找|要|卖|那种|这种|一些|些|带)+",
                "",
                next((g for g in mark.groups() if g), "") if mark else "",
            )
            if borne and not q and "every_match" in props and _catalog_word(borne):
                args[name], args["every_match"] = borne, True  # "anything with owls on it": every one that bears it
            elif q and borne and borne.lower() not in args[name].lower() and "every_match" in props:
                args[name] = f"{borne} {args[name]}"  # "hot water bottles with a dog on them", 小狗图案的热水袋:
                args["every_match"] = True  # every one that bears it
        elif name == "compare_last_year" and e.year_on_year:
            args[name] = True  # 同比, "vs the same days last year": the same days a year before
        elif name == "rank_by" and (ranked := _RANK_BY.search(e.text)):
            args[name] = "lift" if ranked.group("lift") else "orders"  # "by lift", 按提升度: how much likelier
        elif name == "win_back" and _WIN_BACK.search(e.text):
            args[name] = True  # "a New Year win-back campaign for lapsed customers": the lapsed ones as audiences
        elif name == "every_match" and _EVERY.search(e.text):
            args[name] = True
        elif name == "audience" and (e.segment or e.audience):
            args[name] = e.segment or (e.audience or "")[:80]
        elif name == "platform" and e.platform:
            args[name] = e.platform
        elif name == "shorter" and _SHORTER.search(e.text):
            args[name] = True  # "make them shorter", 再短一点
        elif name == "tone" and e.tone:
            args[name] = e.tone
        elif name == "language":
            args[name] = e.language or ("zh" if zh else "en")
        elif name == "channels" and e.channels:
            args[name] = e.channels
        elif name == "dsp_campaign" and (ref := dsp_words.dsp_ref(e.text)):
            args[name] = ref
        elif name == "changes" and tool == "set_dsp_targeting" and (changes := dsp_words.targeting_changes(e.text)):
            args[name] = changes
        elif name == "since_hours" and (hours := dsp_words.since_hours(e.text)):
            args[name] = hours
        elif name == "campaign_ids" and len(set(e.ids("campaign"))) >= (1 if "all_campaigns" in props else 2):
            args[name] = list(dict.fromkeys(e.ids("campaign")))
        elif (
            name == "campaign_ids"
            and not e.ids("campaign")
            and len(set(loose)) >= 2
            and "all_campaigns" not in props
            and not (set(ID_FIELDS) - {"campaign_id", "campaign_ids"}) & set(props)
        ):
            args[name] = list(dict.fromkeys(loose))  # "1号跟3号比一下": ids of what the tool compares, campaigns
        elif name == "channel" and len(e.channels) == 1 and not e.ids("campaign"):
            args[name] = e.channels[0]
        elif name == "channel" and len(e.channels) > 1 and "all_campaigns" in props and not e.ids("campaign"):
            args[name] = ", ".join(e.channels)  # "the social and display bids": the campaigns on either
        elif name == "all_campaigns" and e.all_campaigns and not e.ids("campaign") and not e.channels:
            args[name] = True
        elif name == "month" and len(e.months) == 1 and e.period_name == "last_year" and today and not e.dates:
            args[name] = f"{today.year - 1}-{e.months[0][1]:02d}"  # 去年12月, "December last year": that month
        elif (
            name == "month"
            and len(e.months) == 1
            and e.months[0][0] is None
            and today is not None
            and e.months[0][1] >= today.month
            and _LAST_NAMED_MONTH.search(e.text)
        ):
            args[name] = f"{today.year - 1}-{e.months[0][1]:02d}"  # "last december" on 9 December: a year ago
        elif name == "period" and _last_years_month(e, props):
            continue
        elif name == "period" and e.year and today and not (e.period_name or e.months or e.dates):
            if e.year == today.year and _period_for(props[name], "ytd"):  # "2011 in numbers": the year so far
                args[name] = _period_for(props[name], "ytd")
            elif {"start", "end"} <= set(props) and e.year < today.year:  # "revenue in 2010": that calendar year
                args["start"], args["end"] = f"{e.year}-01-01", f"{e.year}-12-31"
        elif name == "period" and e.period_name and not e.dates:
            period = _period_for(props[name], e.period_name)
            back = re.fullmatch(r"last_(\d+)_days", e.period_name)
            if period is not None:
                args[name] = period
            elif back and today is not None and "start" in props and "end" in props:
                args["start"] = (today - timedelta(days=int(back.group(1)))).isoformat()  # "the last 8 weeks":
                args["end"] = (today - timedelta(days=1)).isoformat()  # the days before today, as last_30_days
        elif name == "month" and e.months_back and today is not None:
            m = today.month - e.months_back
            y = today.year - (1 if m < 1 else 0)
            args[name] = f"{y}-{(m - 1) % 12 + 1:02d}"  # 上上个月: the month before last
        elif name == "month" and e.months and not e.period_name and not e.dates:
            compared = _months_compared(e)  # the later month, against the other (a span's months, "Q4 vs Q3",
            # are the span's); the month just before is what a month is compared with anyway
            later = max(e.months, key=lambda m: (m[0] or 0, m[1])) if compared else e.months[0]
            args[name] = _month_text(later)
            other = next((m for m in e.months if m != later), None) if compared else None
            if other is not None and "compare_month" in props and (later[1] - other[1]) % 12 != 1:
                args["compare_month"] = _month_text(other)  # "September vs July": July, not August
            if len(e.months) == 1 and _VS_MONTH.search(e.text) and "to_month" in props and e.months[0][1] < 12:
                yr, mo = e.months[0]  # "the ones that fell the most vs October": November, against October
                args[name] = _month_text((yr, mo + 1))
        elif (
            name == "to_month" and len(e.months) >= 2 and not e.period_name and not e.dates and not _months_compared(e)
        ):
            args[name] = _month_text(e.months[-1])  # "September to November", "Sep, Oct and Nov"
        elif name == "to_month" and len(e.months) == 1 and _SINCE.search(e.text) and not e.period_name and not e.dates:
            args[name] = "latest"  # "since September", 9月以来
        elif name == "by" and e.dimension and e.dimension in _enum(props[name]):
            args[name] = e.dimension  # web sessions by traffic source, visitor type, browser, ...
        elif name == "by" and e.grain and e.grain in _enum(props[name]):
            args[name] = e.grain
        elif name == "breakdown" and e.breakdown and e.breakdown in _enum(props[name]):
            args[name] = e.breakdown
        elif name == "breakdown" and len(set(e.rfm_segments)) >= 2 and "segment" in _enum(props[name]):
            args[name] = "segment"  # "冠军客户和忠诚客户的客单价分别多少": the segments side by side
        elif name == "country" and e.countries_out and not e.countries:
            args[name] = "not " + ", ".join(e.countries_out)  # "outside the UK": every other country
        elif name == "country" and len(e.countries) == 1:
            args[name] = e.countries[0]
        elif name == "country" and len(e.countries) > 1 and not e.breakdown:
            args[name] = ", ".join(dict.fromkeys(e.countries))  # "奥地利和瑞士": customers in either
        elif name == "segment" and e.rfm_segment and not (len(set(e.rfm_segments)) >= 2 and "breakdown" in props):
            args[name] = e.rfm_segment
        elif name == "segment" and tool == "audience_create" and _BEST_CUSTOMERS.search(e.text):
            args[name] = (
                "champions"  # "把德国那些最好的客户存成一个受众": the champions there, not every German customer
            )
        elif name == "min_orders" and e.min_orders:
            args[name] = e.min_orders
        elif name == "max_orders" and e.max_orders:
            args[name] = e.max_orders
        elif name in ("min_revenue", "max_revenue") and getattr(e, name) is not None:
            amount: Num = getattr(e, name)
            args[name] = amount.value
            if amount.currency in ("USD", "EUR", "CNY"):
                notes.append(f"currency:{amount.raw}:{amount.currency}")
        elif name == "sort" and e.sort and e.sort in _enum(props[name]):
            args[name] = e.sort
        elif name in _ORDER_DATES and "first_start" in props:
            pass  # a tool that tells first from last orders: read below
        elif name == "order" and "both" in _enum(props[name]) and _BOTH_ENDS.search(e.text):
            args[name] = "both"  # "top 10 and bottom 10 products", 卖得最好的10个和跌得最厉害的10个
        elif name == "order" and "worst" in _enum(props[name]) and (e.worst or _BEST.search(e.text)):
            args[name] = "worst" if e.worst else "best"  # said, or left to the tool (best) and to a follow-up
        elif name == "worst_by" and e.worst:
            fell = re.search(r"\bdrops?\b|\bfall(?:s|ers)?\b|\bfell\b|\bdeclin\w*|跌|下滑|下降", e.text, re.I)
            args[name] = "lowest" if e.lowest and not fell else "fall"  # "the bottom… show the biggest drops": falls
        elif name == "metric" and "value" in _enum(props[name]):  # attribution: conversions or their value
            if e.metric == "revenue" or _VALUE_WORDS.search(e.text):
                args[name] = "value"
        elif name == "model" and e.touch_models:
            args[name] = e.touch_models[0] if len(e.touch_models) == 1 else "all"  # "last click vs data-driven"
        elif name == "months" and e.months and not e.month_range:
            args[name] = [_MONTH_ABBR[e.months[0][1]]]  # the period asked about; a second month is the one before
        elif name == "compare_months" and len(e.months) >= 2 and not e.month_range:
            args[name] = [_MONTH_ABBR[m] for _, m in e.months[1:2]]
        elif name == "cohort" and e.months:
            year, month = e.months[0]
            args[name] = f"{year or (2010 if month == 12 else 2011)}-{month:02d}"  # the demo shop: Dec 2010 to Dec 2011
        elif name == "months_ahead" and e.months_ahead:
            args[name] = e.months_ahead
        elif name == "opted_out" and e.opted_out is not None:
            args[name] = e.opted_out
        elif name == "holdout_weeks" and (w := _WEEKS.search(e.text)):
            args[name] = int(w.group(1))
        elif name == "lapsing" and _LAPSING_RULE.search(e.text) and e.rfm_segment not in ("hibernating", "at_risk"):
            args[name] = True  # an audience of the customers about to lapse
        elif name in ("min_clv", "max_clv") and (bounds := _clv_bounds(e)):
            if name in bounds:
                args[name] = bounds[name]
        elif name in ("ordered_after", "ordered_before"):
            bounds = order_bounds(e, today)
            key = "start" if name == "ordered_after" else "end"
            if key in bounds:
                args[name] = bounds[key]
        elif name == "bought_products" and _BOUGHT.search(e.text) and (e.ids("product") or e.stock_codes):
            args[name] = [*e.ids("product"), *(code for code, _, _ in e.stock_codes)]
        elif name == "customer_ids" and e.ids("customer"):
            args[name] = list(dict.fromkeys(e.ids("customer")))
        elif name == "format" and "meta" in _enum(props[name]):  # an audience's upload file
            said = _UPLOAD_FORMAT.search(e.text)
            fmt = {"meta": "meta", "google_rsa": "google"}.get(e.platform or "")
            if said:
                fmt = "csv" if said.group("csv") else "google" if said.group("google") else "meta"
            if fmt:
                args[name] = fmt
        elif name == "size" and (e.counts or any(n.is_int and not n.currency for n in e.numbers)):
            args[name] = (
                e.counts[0] if e.counts else int(next(n.value for n in e.numbers if n.is_int and not n.currency))
            )
        elif name == "top_share":
            pct = e.percents[0].value if e.percents else None
            if pct is not None and 0 < pct < 100:
                args[name] = round(pct / 100, 4)
        elif name == "chart" and e.metric in _enum(props[name]) and (e.grain == "day" or _CHART_SAID.search(e.text)):
            args[name] = e.metric  # "3号计划最近两周每天的点击率…带个图": a chart of the CTR, not of spend and revenue
        elif name == "metric":
            if "units" in _enum(props[name]):  # a product ranking: by units or by revenue
                if e.units or e.metric == "revenue":  # (units asked beside a ranking by revenue: a column of it)
                    column = _UNITS_BESIDE.search(e.text) and re.search(
                        r"\brevenue\b|\bsales\b|销售额|营收", e.text, re.I
                    )
                    args[name] = "units" if e.units and not column else "revenue"
            elif e.metric:
                args[name] = e.metric
        elif name == "start" and e.dates and not _ends_at(e):
            args[name] = e.dates[0].isoformat()
        elif name == "end" and (len(e.dates) >= 2 or _ends_at(e)):
            args[name] = e.dates[-1].isoformat()
        elif name == "occasion" and e.occasion:
            args[name] = e.occasion
        elif name == "strategy" and e.strategy:
            args[name] = e.strategy
        elif name == "conversions_a" and e.ab:
            args.update(conversions_a=e.ab[0], visitors_a=e.ab[1], conversions_b=e.ab[2], visitors_b=e.ab[3])
        elif props[name].get("type") in ("number", "integer"):
            n = _named_number(e, name, used)  # "b0 of 20", "b0 用 20": a number the request names by the property
            if n is not None:
                args[name] = n.value
                used.add(id(n))
    if "first_start" in props:
        args |= order_bounds(e, today)
        if args.get("segment") == "new" and {"first_start", "first_end"} & set(args):
            del args["segment"]  # "new customers since October": the first order, not the RFM segment
    elif "start" in props and not e.dates and (which := _dates_are(props["start"])) is not None:
        pre = "first_" if which == "first" else ""  # a list whose start and end bound one order (first or last)
        for key, day in order_bounds(e, today).items():
            if key in (pre + "start", pre + "end"):
                args[key.removeprefix(pre)] = day
    if (
        "spend_start" in props
        and today is not None
        and "first_start" not in args
        and _SPENT_MOST.search(e.text)
        and (not _SINCE.search(e.text) or re.search(r"\b(?:spend|spent|spending)\s+since\b", e.text, re.I))
        and not _QUIET.search(e.text)
    ):  # "top spenders this week", 上个月谁买得最多: what each spent in that period, not whose last order fell in it
        span = _spend_span(e, today, args)
        if span is not None:
            args.pop("start", None), args.pop("end", None)
            args["spend_start"], args["spend_end"] = span
    if {"start", "end", "period"} <= set(props) and _dates_are(props["start"]) is None and today is not None:
        _days_asked(e, today, args)
    if e.repeat and "min_orders" in args and args["min_orders"] == e.min_orders:
        notes.append(f"repeat:{e.repeat}:{e.min_orders}")
    if e.aov and tool == "sales_report":
        notes.append("asked:aov")
    if "breakdown" in props and "breakdown" not in args and each_country(e.text, len(e.countries)):
        args["breakdown"] = "country"  # "what did Germany and France each do": one row for each, side by side
    if tool == "sales_report" and (e.breakdown or args.get("breakdown")) and (most := _most_asked(e)):
        notes.append(most)
    if tool == "sales_report" and (e.breakdown or args.get("breakdown")) and _UP_AND_DOWN.search(e.text):
        notes += [n for n in ("asked:highest-change", "asked:lowest-change") if n not in notes]  # "who grew, who
        # dropped?": the biggest riser and the biggest faller, named
    if tool == "customer_list" and _REPEAT_RATE.search(e.text) and not e.min_orders:
        args["min_orders"] = 2  # the repeat purchase rate: those who ordered twice or more, of the shop's customers
    if (
        tool == "customer_list"
        and (_REPEAT_RATE.search(e.text) or _COUNT_ASKED.search(e.text))
        and not _LIST_ASKED.search(e.text)
        and "limit" not in args
        and not wants_file(e.text)
    ):
        args["limit"] = 5  # "what's our repeat purchase rate?", "how many ordered 3+ times": a count, a few shown
    if tool == "sales_report" and args.get("by") == "month" and args.get("period") == "last_90_days":
        args["period"] = (
            "last_3_months"  # "最近三个月每月卖多少": three whole calendar months, not 90 days cut mid-month
        )
    if tool == "sales_report" and _months_compared(e) and _BETTER_ASKED.search(e.text):
        notes.append("asked:versus")  # "did September sell better than August?": said first, yes or no
        sales = re.search(r"\b(?:revenue|rev|sales|sell|sold)\b|销售额|营收|收入|卖", e.text, re.I)
        if not sales and (e.units or re.search(r"\borders\b|订单|单量", e.text, re.I)):
            notes.append("asked:measure-units" if e.units else "asked:measure-orders")
    if tool == "sales_report" and _TREND_ASKED.search(e.text):
        args.setdefault("by", "week")  # "is the xmas rush slowing down?": week by week, with a verdict
        notes.append("asked:trend")
    for w in _BEST_BUCKET.finditer(e.text) if tool == "sales_report" else ():  # "our best week in November": by
        unit = next(u for u, pat in _BUCKET_UNITS.items() if pat.search(w.group(0)))  # week, named (both when
        args.setdefault("by", unit)  # "哪个月最好哪个月最差" asks both)
        sales = re.search(r"\b(?:revenue|rev|sales|turnover|takings)\b|销售额|营收|收入|营业额", e.text, re.I)
        measure = (  # "每个月的销售额和订单数，哪个月最好": by the revenue, the first figure a month is judged by
            "revenue"
            if sales
            else "units"
            if e.units
            else "orders"
            if re.search(r"\borders\b|订单|单量", e.text, re.I)
            else "revenue"
        )
        high = bool(w.group("hi") or w.group("hi2") or w.group("zhi") or w.group("zhi2"))
        note = f"asked:{'highest' if high else 'lowest'}-row-{measure}"
        if note not in notes:
            notes.append(note)
    if tool in ("compare_campaigns", "campaign_metrics") and (w := _WHICH_CAMPAIGN_IS.search(e.text)):
        notes.append(
            "asked:best" if w.group("best") or w.group("zbest") else "asked:worst"
        )  # "which one's dragging us down": named
    elif tool in ("compare_campaigns", "campaign_metrics") and (w := _WHICH_MOST.search(e.text)) and e.metric:
        high = bool(
            w.group("hi") or w.group("zhi")
        )  # "哪个活动CPA最高": ranked as the tool ranks (the highest CPA last)
        notes.append("asked:worst" if high == (e.metric in LOWER_IS_BETTER) else "asked:best")
    if tool == "compose_headlines":  # "说我们的热水袋能治失眠": a claim the copy may not make, named
        terms = list(dict.fromkeys(f.term for f in check_copy(e.text) if f.rule != "urgency"))
        if terms:
            notes.append("claims:" + "|".join(terms))
    if tool == "customer_profile" and _WORTH_IT.search(e.text):
        notes.append("asked:worth")  # "is 12471 worth looking after": a verdict, from the value and its rank
    if (
        {"period", "start", "end"} <= set(props)
        and "month" not in props
        and e.months
        and not set(_WHEN) & set(args)
        and not e.dates
        and today is not None
    ):  # "rank the campaigns by CPA for november": the month's days, for a tool that takes days
        try:
            p = _months_said(e, today)  # ("10月以来": that month to today)
            args["start"], args["end"] = p.start.isoformat(), p.end.isoformat()
        except ToolFailure:
            pass  # a month after the shop's last day: the tool's own period
    if tool == "impression_bid" and "value_per_click" not in args and "campaign_id" in args:
        args["value_per_click"] = None  # the campaign's own value per click
    if (
        args.get("breakdown") == "country"
        and len(e.countries) == 1
        and (e.breakdown == "country" or _SHARE_OF.search(e.text))
    ):
        args.pop("country", None)  # "revenue by country, and Germany's share", "rev by country - who's top and how
        # did the UK do": every country, that one among them (one country split by country is a list of one)
    missing = [
        r
        for r in _required(tool)
        if r not in args
        and not (r in WRITE_VALUE.values() and ({"change_pct", "change_by"} & set(args)))
        and not (r == "campaigns" and set(SELECTION) & set(args))
    ]
    if tool in ("similar_products", "bought_together") and "product_id" in args:
        missing = [m for m in missing if m != "query"]
    if tool == "impression_bid" and args.get("value_per_click", 0) is None:
        del args["value_per_click"]
        missing = [m for m in missing if m != "value_per_click"]
    if e.foreign_currency is not None and any(
        v == e.foreign_currency.value for v in args.values() if isinstance(v, float)
    ):
        notes.append(f"currency:{e.foreign_currency.raw}:{e.foreign_currency.currency}")
    return _Filled(args, missing, notes)


# -- the whole plan -----------------------------------------------------------------------------


LISTS = {
    "matching": "product_id",  # every product of a kind, best sellers first (before "similar": the same search's)
    "customers": "customer_id",
    "recommendations": "product_id",
    "similar": "product_id",
    "products": "product_id",
    "campaigns": "campaign_id",
    "ranking": "campaign_id",  # compare_campaigns, best first: "pause the worst one"
}
_BACK = re.compile(  # words that point back at the list just shown
    r"\b(?:of|among|from|between) (?:those|these|them|the ones?)\b|\b(?:those|these) (?:products?|items?|ones?|campaigns?|customers?)\b"
    r"|\b(?:rank|sort|compare) (?:those|these|them)\b|这些|那些|它们|这几个|那几个|上面的?|刚才的?|以上",
    re.I,
)


def listing_of(result: dict[str, Any] | None) -> tuple[str, list[int]] | None:
    """The ids a result lists (customers about to lapse, recommendations...), for `the first one`."""
    for key, kind in LISTS.items():
        items = (result or {}).get(key)
        if isinstance(items, list) and items and all(isinstance(i, dict) and kind in i for i in items):
            return kind, [int(i[kind]) for i in items][:50]
    return None


def _from_list(ctx: Context, ordinal: int) -> tuple[str, int] | None:
    """The id at a position of the last list the conversation showed."""
    if ctx.listing is None:
        return None
    kind, ids = ctx.listing
    i = ordinal - 1 if ordinal > 0 else len(ids) - 1
    return (kind, ids[i]) if 0 <= i < len(ids) else None


def _suggested(ctx: Context) -> float | None:
    r = ctx.result or {}
    for key in ("suggested_bid", "recommended_price"):
        v = r.get(key)
        if isinstance(v, int | float):
            return float(v)
    return None


def carried_out(ctx: Context) -> Plan | None:
    """`ok do it` after a what-if (`what if product 3220 cost £2.25?`): the change it was about, to
    be proposed for approval like any other; None when the last answer was no what-if of a change."""
    a = ctx.args
    if ctx.tool != "discount_effect" or "product_id" not in a:
        return None
    if isinstance(a.get("new_price"), int | float):
        args: dict[str, Any] = {"product_id": a["product_id"], "price": float(a["new_price"])}
    elif isinstance(a.get("discount_pct"), int | float):
        args = {"product_id": a["product_id"], "change_pct": -float(a["discount_pct"])}
    elif isinstance(a.get("change_by"), int | float):
        args = {"product_id": a["product_id"], "change_by": float(a["change_by"])}
    else:
        return None
    return Plan("set_product_price", args, [], False)


_SET_IT = re.compile(  # a what-if's product set to a price: "那就改成2.49吧", "ok set it to £2.49", "let's go with 2.49"
    r"^\s*(?:ok(?:ay)?,?\s+|then\s+|so\s+|right,?\s+)?(?:(?:let'?s\s+)?(?:set|change|make|put|price)\s+(?:it|that|the price)\s+"
    r"(?:to|at)\b|let'?s go with\b|go with\b)"
    r"|^\s*(?:那就|那|就|好,?\s?那就?)?(?:直接|还是)?(?:改成|改到|改为|定成|定在|定为|调成|调到|设成|设为)"
    r"|^\s*(?:行|好|好的|可以|ok)?[,，]?\s?(?:那就|就)?按\s?[£$]?\d+(?:\.\d+)?\s?(?:镑|英镑|元)?\s?(?:来)?(?:改|调|定|设)",  # 行，就按1.65改
    re.I,
)


_STILL_WHAT_IF = re.compile(r"\bwhat if\b|\bwould\b|\bif\b|会怎|怎么样|要是|如果|的话|[?？]\s*$", re.I)


def _set_after_what_if(ctx: Context, e: Entities) -> Plan | None:
    """After a what-if of a product's price, "那就改成2.49吧" / "ok set it to £2.49": that product at
    that price, proposed for approval (a what-if of its own stays one: "改成2.49会怎样")."""
    if ctx.tool != "discount_effect" or "product_id" not in ctx.args or not _SET_IT.search(e.text):
        return None
    if e.refs or len(e.numbers) != 1 or e.percents or _STILL_WHAT_IF.search(e.text):
        return None
    return Plan("set_product_price", {"product_id": ctx.args["product_id"], "price": e.numbers[0].value}, [], False)


_PRODUCT_CUE = re.compile(r"\b(?:products?|items?|skus?|stock|price[ds]?|sells?|sold)\b|产品|商品|货号|价格|销量", re.I)


_WHICH_MORE = re.compile(  # two compared: "which sold more, Norway or Denmark", 哪个站客单价高
    r"\bwhich\b.{0,40}?\b(?:(?P<hi>higher|more|bigger|larger|better)|lower|less|fewer|smaller|worse)\b"
    r"|(?:哪个|哪一个|哪边|谁).{0,20}?(?:(?P<zhi>更?高|更?多(?!少)|更?大|更?好)|更?低|更?少|更?差)",
    re.I,
)


def _most_asked(e: Entities) -> str | None:
    """ "which segment has the highest AOV", "which grew the most": the group a breakdown's answer names."""
    w = _WHICH_MOST.search(e.text) or _WHICH_MORE.search(e.text)
    if w is None:
        return None
    high = bool(w.group("hi") or w.group("zhi"))
    measure = (
        "aov"
        if e.aov
        else "units"
        if e.units
        else "orders"
        if re.search(r"orders|订单|单量", e.text, re.I)
        else "revenue"
    )
    if _GREW.search(e.text):  # "which segment grew the most": by the change, not the size
        measure, high = "change", not re.search(r"\bshr[ua]nk\b|\bfell\b|\bdropped\b|跌|降|下滑", e.text, re.I)
    return f"asked:{'highest' if high else 'lowest'}-{measure}"


def _around(e: Entities, n: Num) -> str:
    """The words around a number that say what it is (a budget, a cost)."""
    return _left(e, n)[-16:] + " " + _right(e, n, 12)


def _budget_said(e: Entities) -> bool:
    """An amount said to be a budget ("£5k total", 预算3万): a plan or a change, not copy to reword."""
    return any(_BUDGET.search(_around(e, n)) for n in e.numbers)


def _with_bare_customer(e: Entities, stock_codes: dict[str, int] | None) -> Entities:
    """A five-digit number written bare where a customer is meant (`what's 14911 worth to us?`) as
    that customer's id: no id named, no product word, not a stock code, words about a customer."""
    if e.refs or e.stock_codes or stock_codes is None or _PRODUCT_CUE.search(e.text) or not CUSTOMER_CUE.search(e.text):
        return e
    bare = [n for n in e.numbers if n.is_int and len(n.raw) == 5 and n.currency is None and n.unit is None]
    if len(bare) != 1 or bare[0].raw in stock_codes:
        return e
    n = bare[0]
    return replace(
        e, refs=[Ref("customer", int(n.value), n.start, n.end, n.raw)], numbers=[x for x in e.numbers if x is not n]
    )


def plan(text: str, ctx: Context | None = None, *, allowed: set[str] | None = None, zh: bool | None = None,
         stock_codes: dict[str, int] | None = None, earlier: str | None = None, split: bool = True,
         today: date | None = None) -> Plan:  # fmt: skip
    """The tool call (or question) for one request or one part of one. `ctx`: what the previous turn
    left; `earlier`: the parts of the same message before this one, whose ids `it`/`its` refer to;
    `today`: the shop's today, which days written without a year (1 September) and spans back from
    today (the last 30 days) are read against (without it they are not read)."""
    ctx = ctx or Context()
    if ctx.tool in WRITE_VALUE and _CORRECTION.search(text):
        text = _NOT_THAT.sub("", text)  # "make that 10p, not 15": the 15 is the value being replaced
    noun = _NOUN.search(earlier) if earlier and _ONES.search(text) else None
    if noun:  # "swiss customers with 3+ orders, and how many at-risk ones": at-risk customers
        text = _ONES.sub(noun.group(0).lower(), text)
    elif earlier and (noun := _NOUN.search(earlier)) and not _NOUN.search(text) and _BARE_COUNT.search(text):
        text = _BARE_COUNT.sub(lambda m: f"{m.group(0)} {noun.group(0).lower()}", text, count=1)  # "…, then the 5
        # that fell the most": the 5 sellers
    thanked = _THANKS.sub("", text, count=1)
    if thanked.strip() and thanked != text:
        text = thanked  # "Thank you! And the same for campaign 1?": the follow-up, not the thanks
    e = _with_bare_customer(extract(text, stock_codes), stock_codes)
    zh = is_chinese(text) if zh is None else zh
    if _GREETING.match(e.text):
        return Plan(None, zh=zh, greeting=True)
    if only_asks_meaning(text):  # "what does CPA stand for?", 这个转化是什么意思: words, not the shop's figures
        return Plan(None, zh=zh, declined="term:" + ",".join(terms_asked(text)))
    if terms_asked(text):  # "…pull ROAS and CPA for me? Also, what does CPA stand for?": the figures asked for,
        text = without_meaning(text) or text  # the meaning said beside them (offline/model.py)
        e = _with_bare_customer(extract(text, stock_codes), stock_codes)
    done = carried_out(ctx) if pending_reply(text) == "yes" else None
    done = done or _set_after_what_if(ctx, e)
    if done is not None and (allowed is None or done.tool in allowed):
        done.zh = zh
        return done
    intent = choose_tool(text, e, allowed)
    tool = intent.label if intent.label != NONE else None
    said_before = extract(earlier, stock_codes) if earlier else None  # the parts before this one
    if said_before is not None and earlier and tool is not None and len(_WORDS.findall(e.text)) <= 3:
        first = choose_tool(earlier, said_before, allowed)  # "best sellers + the 5 worst":
        top = max(intent.scores.values(), default=0.0)  # more of the same, when this part could be that
        if first.label != NONE and intent.scores.get(first.label, 0.0) >= 0.5 * top:
            tool = first.label
    if (
        said_before is not None
        and earlier
        and _WHICH_CAMPAIGN.search(e.text)
        and not e.ids("campaign")
        and (allowed is None or "compare_campaigns" in allowed)
        and choose_tool(earlier, said_before, allowed).label in ("campaign_metrics", "compare_campaigns")
    ):
        tool = "compare_campaigns"  # "roas + cpa by campaign last wk? which one's dragging us down": a ranking
    if (
        said_before is not None
        and e.metric is not None
        and _POINTS_AT_ONE.search(e.text)
        and not e.ids("campaign")
        and (said_before.ids("campaign") or said_before.channels or _KIND_WORDS["campaign"].search(said_before.text))
        and tool in ("sales_report", "compare_campaigns")  # not the product "it" of "the best seller…"
        and not e.ranking
        and (allowed is None or "campaign_metrics" in allowed)
    ):
        tool = "campaign_metrics"  # "pause the display win-back campaign, and tell me how much it spent": its spend
    continuing = False
    narrowed = None  # the segment of a lapsing list narrowed by a filter only the customer list has
    if ctx.tool is not None and (allowed is None or ctx.tool in allowed):
        new_info = _new_information(ctx, e, zh, today)
        weak = tool is None or intent.confidence < 0.45
        if ctx.missing and (
            (_supplies(ctx, e) and (weak or tool == ctx.tool or intent.confidence < 0.5)) or _names_the_campaign(ctx, e)
        ):
            tool, continuing = ctx.tool, True  # the answer to the copilot's own question
        elif (
            "product_id" in ctx.missing and ctx.said and _WHICH_ONE.search(e.text) and len(_WORDS.findall(e.text)) <= 5
        ):
            tool, continuing = ctx.tool, True  # which hand warmer? "the owl one", 猫头鹰那款
        elif "product_id" in _props(ctx.tool) and _only_a_product(e):
            tool, continuing = ctx.tool, True  # after a product was chosen for them, "三层的那个regency": that one
        elif e.ordinal is not None and _from_list(ctx, e.ordinal) is not None:
            kind = _from_list(ctx, e.ordinal)[0]  # type: ignore[index]
            if tool is None or kind not in _props(tool):  # "the first one": what to do with it
                tool = ctx.tool if kind in _props(ctx.tool) else _ABOUT[kind]
            continuing = tool == ctx.tool  # "第二个按天拆开看看": the same report, its period kept
        elif (
            ctx.tool in _ONE_CAMPAIGN_READS
            and (e.channels or e.ids("campaign"))
            and len(_WORDS.findall(e.text)) <= 5
            and (_FOLLOW.search(e.text) or re.search(r"呢\s*[?？]?\s*$", e.text))
            and not (_CHANGE_VERB.search(e.text) or _ON_OFF.search(e.text) or e.numbers or e.percents)
        ):
            tool, continuing = ctx.tool, True  # "那展示那条呢", "and the display one?": that campaign, the same figures
        elif (
            tool == ctx.tool == "sales_report"
            and ctx.args.get("breakdown")
            and _WHICH_MOST.search(e.text)
            and not (e.period_name or e.months or e.dates or e.breakdown or e.countries)
        ):
            continuing = True  # "which one has the highest AOV?" after sales by segment: of that breakdown
        elif (
            "tone" in _props(ctx.tool)
            and (e.tone or e.platform or _SHORTER.search(e.text))
            and not (e.refs or e.stock_codes or _budget_said(e))
            and len(_WORDS.findall(e.text)) <= 12
        ):
            tool, continuing = ctx.tool, True  # "make it urgent and a black friday angle": the same copy, reworded
        elif e.suggested and (_suggested(ctx) is not None or ctx.tool in _SUGGESTED_WRITE):
            if tool is None or tool not in WRITE_VALUE:  # "set it to the suggested bid" (none suggested: which value)
                tool = _SUGGESTED_WRITE.get(ctx.tool or "", ctx.tool)
        elif _resorts(ctx, e, zh, today):
            tool, continuing = ctx.tool, True  # "rank them by lift instead", 改成按提升度排: the same list, re-ranked
        elif (
            ctx.tool in _RANKS_WITH_CHANGE | {"campaign_metrics"}
            and _ADD_FIGURE.search(e.text)
            and (e.aov or e.metric or e.units)
            and not (e.refs or e.stock_codes or e.countries or e.period_name or e.months or e.dates or e.breakdown)
        ):
            tool, continuing = ctx.tool, True  # "加上客单价", "add AOV to that": the same report, that figure asked
        elif ctx.tool not in WRITES and _file_of_shown(e, ctx):
            tool, continuing = ctx.tool, True  # "export the belgium one": the list just shown for Belgium
        elif _elliptical(e) or ((_file_only(e.text) or _chart_only(e.text)) and ctx.tool not in WRITES):
            tool, continuing = ctx.tool, True  # "and for product 9?", "the second one", "now in Chinese", "export that"
        elif (new_info or e.percents) and _corrects_value(ctx, e, zh, intent):
            tool, continuing = ctx.tool, True  # after "raise campaign 2's budget 50%": "不对，加到400就行"
        elif new_info and e.countries_out and not e.countries and "country" in _props(ctx.tool) and not e.refs:
            # "不算英国的话，前5是哪些", "and excluding the UK?": the same report, without it
            tool, continuing = ctx.tool, True
        elif (
            ctx.tool in _CUSTOMER_LISTS
            and ctx.listing is not None
            and _LEANS_BACK.search(e.text)
            and _LIST_TOTAL.search(e.text)
            and not (e.refs or new_info)
        ):
            tool, continuing = ctx.tool, True  # "what share of revenue do they make up?": that list's own total
        elif new_info and _NARROWING.search(e.text) and not e.refs and ctx.listing is not None:
            tool, continuing = ctx.tool, True  # "只看下单至少5次的，导出成表格": the list just shown, narrowed
        elif (
            ctx.tool in _CUSTOMER_LISTS
            and tool == "customer_list"
            and ctx.listing is not None
            and _NARROWING.search(e.text)
            and not e.refs
        ):
            continuing = True  # "only the ones who've spent over 2k" after the UK's at-risk customers: those, by spend
            narrowed = (ctx.result or {}).get("segment") if ctx.tool == "lapsing_customers" else None
        elif new_info and _ADDING.search(e.text) and _adds_to_list(ctx, e, zh, today):
            tool, continuing = ctx.tool, True  # "now add search to the mix": one more in the answer's list
        elif new_info and (
            tool is None or tool == ctx.tool or (intent.confidence < 0.45 and _missing(tool, fill(tool, e, zh).args))
        ):
            tool, continuing = ctx.tool, True  # "make them for students": new arguments for the same tool
    if (
        tool == "sales_report"
        and ctx.tool == "top_products"
        and ctx.listing is not None
        and ctx.listing[0] == "product_id"
        and _BACK.search(e.text)
        and (allowed is None or ctx.tool in allowed)
    ):
        tool, continuing = ctx.tool, True  # "那这几个在德国卖得怎么样": the products just listed, there
    if (
        ctx.tool == "sales_report"
        and ctx.args.get("by")
        and (w := _BEST_BUCKET.search(e.text))
        and not (e.period_name or e.months or e.dates)
        and len(_WORDS.findall(e.text)) <= 8
        and (allowed is None or ctx.tool in allowed)
    ):  # "which month was worst?" after a monthly report: that report's month, not the seasonality
        tool, continuing = ctx.tool, _BUCKET_UNITS[ctx.args["by"]].search(w.group(0)) is not None
    if (
        _LOOKALIKE_SAID.search(e.text)
        and tool != "audience_lookalike"
        and (allowed is None or "audience_lookalike" in allowed)
    ):
        tool, continuing = "audience_lookalike", False  # "now find 200 lookalikes of it": not the audience again
    if (
        tool in ("compare_campaigns", "campaign_metrics")
        and _PACING_ASKED.search(e.text)
        and e.period_name in (None, "today")
        and (allowed is None or "campaign_pacing" in allowed)
    ):
        tool, continuing = "campaign_pacing", False  # "那它今天预算花得怎么样" after a ranking: that one's pacing
    if continuing and tool in _BULK and (e.all_campaigns or len(e.ids("campaign")) > 1):
        bulk = _BULK[tool]  # after "出价提高一点" asked which campaign: "三个计划都提10%"
        tool = bulk if allowed is None or bulk in allowed else tool
    prior = ctx.args.get("campaign_id") if ctx.tool in _ONE_CAMPAIGN_READS else None
    if (
        isinstance(prior, int)
        and _COMPARE_WITH.search(e.text)
        and (set(e.ids("campaign")) - {prior} or e.channels or _THE_OTHERS.search(e.text))
        and (allowed is None or "compare_campaigns" in allowed)
    ):
        tool, continuing = "compare_campaigns", True  # "how does that stack up vs the search one?"
    if (
        tool in ("similar_products", "sales_report")  # (a shop's report has no kind of product to keep to)
        and not (e.ids("product") or e.stock_codes or _LIKE.search(e.text))
        and (
            (e.worst and not _AT_LEAST.search(e.text))
            or ((_BEST.search(e.text) or e.ranking or e.units) and _SELLS.search(e.text))  # 热水袋…按销量排一下
        )
        and catalog_phrase(e.text)
        and (allowed is None or "top_products" in allowed)
    ):
        tool = "top_products"  # "which doormats are tanking", "which lunch boxes sold worst": a ranking of that kind
    saved = ctx.args.get("name") if (ctx.tool or "").startswith("audience_") else None
    back = bool(_POINTS_BACK.search(e.text) or _LEANS_BACK.search(e.text) or _THAT_AUDIENCE.search(e.text))
    back = back or (  # right after saving one, "导出给谷歌", "export for meta": that audience
        ctx.tool in ("audience_create", "audience_lookalike")
        and not re.search(r"[A-Za-z0-9]+[_-][A-Za-z0-9_-]+|[\"“”'‘’]", e.text)
        and len(_WORDS.findall(e.text)) <= 6
    )
    if isinstance(saved, str) and back and _FILE.search(e.text) and (allowed is None or "audience_export" in allowed):
        tool = "audience_export"  # "now export it for google ads" after saving de_winback: that audience's upload
    if (
        tool in ("sales_report", "customer_list")
        and _NEW_COHORT.search(e.text)
        and (e.months_ahead or _STILL_BUYING.search(e.text))
        and (allowed is None or "retention_projection" in allowed)
    ):
        tool = "retention_projection"  # "3月份第一次下单的那批新客，一年后还有多少在买": that cohort, projected
    kind = catalog_phrase(e.text) or themed(e.text)
    if (
        tool in ("sales_report", "similar_products")
        and kind
        and not (e.ids("product") or e.stock_codes or _LIKE.search(e.text) or e.breakdown or e.grain)
        and (e.period_name not in (None, "today") or e.months or e.dates)
        and _SOLD_HOW_MUCH.search(e.text)
        and (allowed is None or "top_products" in allowed)
    ):
        tool = "top_products"  # "how many lunch bags did we sell last month?": that kind's products, their total
    if (
        ctx.tool in ("campaign_metrics", "compare_campaigns", "campaign_pacing")
        and tool not in WRITES
        and _WHICH_CAMPAIGN_IS.search(e.text)
        and not (e.ids("product") or e.stock_codes)
        and (allowed is None or "compare_campaigns" in allowed)
    ):
        tool, continuing = "compare_campaigns", True  # after the campaigns' figures, "哪个最拖后腿？": ranked, named
    if (
        _REPEAT_RATE.search(e.text)
        and not (e.ids("product") or e.stock_codes or catalog_phrase(e.text))
        and (allowed is None or "customer_list" in allowed)
    ):
        tool = "customer_list"  # "what's our repeat purchase rate?": the customers with two orders or more, of all
    if (
        _TREND_ASKED.search(e.text)
        and not (e.ids("campaign") or e.channels or e.all_campaigns or e.breakdown)
        and not (_ADS.search(e.text) or _AD_SETTING.search(e.text) or e.metric not in (None, "revenue", "conversions"))
        and not (e.metric == "conversions" and not re.search(r"\bsales\b|销售|销量", e.text, re.I))  # (the shop's
        # sales, with no ad named: "weekly sales… has the christmas rush peaked yet?")
        and not re.search(r"\bwhich\b|\bwhat (?:products|items|lines)\b|哪些|哪款|哪个|哪几", e.text, re.I)
        and (allowed is None or "sales_report" in allowed)
    ):
        tool = "sales_report"  # "is the xmas rush slowing down?": the weeks, and whether the latest fell
    if (
        (
            tool in ("sales_report", "similar_products", "top_products", "selling_points")
            or (tool == "discount_effect" and e.discount is None and not (e.changes or e.percents or e.numbers))
            or (tool == "customer_list" and not (_CUSTOMER_WORDS.search(e.text) or _WHO.search(e.text)))
        )
        and e.grain
        and (kind or e.ids("product") or e.stock_codes)
        and not (e.breakdown or _LIKE.search(e.text) or e.worst)
        and _SOLD_HOW_MUCH.search(e.text)
        and (allowed is None or "sales_report" in allowed)
    ):
        tool = "sales_report"  # "weekly doormat sales", 85123A今年每月的销量: those products' sales, row by row
    sold_of: list[Any] = []
    if (
        (
            tool in ("selling_points", "similar_products", "top_products")
            or (tool == "sales_report" and not e.grain and not e.breakdown)  # (by country: its report, split)
            or (tool == "customer_list" and not (_CUSTOMER_WORDS.search(e.text) or _WHO.search(e.text)))
        )
        and (e.ids("product") or e.stock_codes)
        and (e.period_name not in (None, "today") or e.months or e.dates)
        and _SOLD_HOW_MUCH.search(e.text)
        and (allowed is None or "top_products" in allowed)
    ):
        tool = "top_products"  # "how many did 85123A sell last quarter", 商品1577最近三个月卖了多少: its figures then
        sold_of = list(dict.fromkeys(e.ids("product")))
    if tool != "set_product_price" and _names_a_price(e) and (allowed is None or "set_product_price" in allowed):
        tool = "set_product_price"  # "set the chocolate hot water bottle to £4.49", 把巧克力热水袋改成4.49: its price
    if (
        tool == "similar_products"
        and _ELASTIC.search(e.text)
        and not _LIKE.search(e.text)
        and (allowed is None or "price_elasticity" in allowed)
    ):
        tool = "price_elasticity"  # "what's the elasticity of the jumbo bag?": which jumbo bag is asked, not its kin
    if (
        tool == "similar_products"
        and e.hypothetical
        and (e.percents or e.changes or e.discount)
        and not _LIKE.search(e.text)
        and (allowed is None or "discount_effect" in allowed)
    ):
        tool = "discount_effect"  # "what if the 3 tier cake stand cost 10% more?": a price what-if, not its kin
    just_saved = isinstance(ctx.args.get("name"), str) and (ctx.tool or "").startswith("audience_")
    if (
        tool == "similar_products"
        and _LIKE.search(e.text)
        and (_CUSTOMER_WORDS.search(e.text) or (just_saved and _LEANS_BACK.search(e.text)))
        and not (_PRODUCTS.search(e.text) or e.ids("product") or e.stock_codes)
        and (allowed is None or "audience_lookalike" in allowed)
    ):
        tool = "audience_lookalike"  # "再找300个跟他们相似的客户": customers like those, not products
    like = _LIKE.search(e.text) if tool is None else None
    if like and catalog_phrase(e.text[like.end() :]) and (allowed is None or "similar_products" in allowed):
        tool = "similar_products"  # "stuff like those funny retro metal pub signs": the catalog's neighbours
    if tool is None and intent.confidence < 0.45 and (allowed is None or "selling_points" in allowed):
        bare = any(n.is_int and f"{int(n.value)}" in (stock_codes or {}) for n in e.numbers)
        if e.first_id("product") is not None or bare:
            tool = "selling_points"  # "whats 47566", "85123A卖得怎么样": what the data says about that product
    if (
        (tool is None or TOOLS[tool].agent != "profiling")
        and _CONTACT.search(e.text)
        and (_CUSTOMER_WORDS.search(e.text) or e.rfm_segment)  # "...numbers of our top 50 champions"
    ):
        # "top 10 customers' emails and phone numbers": the customers, and why no more (not their ad copy)
        rest = _CONTACT.sub(lambda m: "" if is_chinese(m.group(0)) else " ", text)
        other = plan(
            rest, ctx, allowed=allowed, zh=zh, stock_codes=stock_codes, earlier=earlier, split=split, today=today
        )
        if other.tool is not None and other.tool not in WRITES:
            other.notes.append("no_contact")
            return other
        if e.first_id("customer") is not None and (allowed is None or "customer_profile" in allowed):
            tool = "customer_profile"  # "12681的手机号，想直接联系他": what the shop knows of them, and why no more
        elif allowed is None:
            return Plan(None, zh=zh, intent=intent, declined="contact")
    if tool == "customer_lifetime_value" and (allowed is None or "customer_profile" in allowed):
        earlier_one = ctx.args.get("customer_id") or (ctx.result or {}).get("customer_id")
        if e.first_id("customer") is not None or (earlier_one and _ONE_PERSON.search(e.text)):
            tool = "customer_profile"  # "what will she spend next year": that customer's value, not the ranking
    if (
        tool == "campaign_metrics"
        and e.first_id("campaign") is None
        and _WHICH_BEST.search(e.text)
        and (allowed is None or "compare_campaigns" in allowed)
    ):
        tool = "compare_campaigns"  # "ROAS最好的又是哪个": a ranking of the campaigns, not each one's figures
    if (
        tool == "recommend_products"
        and e.first_id("customer") is None
        and not ctx.args.get("customer_id")
        and e.countries
        and (allowed is None or "top_products" in allowed)
    ):
        tool = "top_products"  # "荷兰站推什么好", "what should we push in Spain?": what sells there, no one customer
    if (
        tool == "sales_seasonality"
        and e.year
        and not re.search(r"season|peak|quiet|busy|淡季|旺季|季节|高峰|波动", e.text, re.I)
        and (allowed is None or "sales_report" in allowed)
    ):
        tool = "sales_report"  # "2011年全年销售额": that year's figures, not the shape of every year
    if (_COMPETITOR.search(e.text) and tool not in WRITES) or _ELSEWHERE.search(e.text):  # their sales and prices
        # are not in our data (and no page is fetched): no figure of ours
        return Plan(None, zh=zh, intent=intent, declined="competitor")  # may pass for theirs
    if tool is None:
        return Plan(None, zh=zh, intent=intent)
    if (
        tool in ("set_product_price", "discount_effect")
        and e.all_products
        and not e.ids("product")
        and not e.hypothetical
        and allowed is None
    ):
        return Plan(None, zh=zh, intent=intent, declined="every_price")  # "把所有产品价格都改成0.01"
    if (
        tool == "discount_effect"
        and ((_BA_ORDER.search(e.text) and e.discount is not None) or _CUT_PRICE.match(e.text))
        and not (e.hypothetical or e.negated or _QUESTION.search(e.text))
        and (allowed is None or "set_product_price" in allowed)
    ):
        tool = (
            "set_product_price"  # "把商品12价格打个八折", "knock 10p off the popcorn holder": an order, not a what-if
        )
    if tool in WRITES and e.hypothetical and not e.negated:
        tool = _what_if(tool, e, allowed)  # "what would happen if we raised the price": an estimate, not a change
        if tool in WRITES:  # no read to answer it with here: say so, change nothing
            return Plan(tool, fill(tool, e, zh, stock_codes).args, [], zh, intent=intent, refused_write="hypothetical")
    filled = fill(tool, e, zh, stock_codes, today)
    args = filled.args
    if sold_of and "product_ids" not in args:
        args["product_ids"] = sold_of
    if (
        tool == "top_products"
        and args.get("query")
        and "limit" not in args
        and (_EVERY.search(e.text) or _ALL_OF_KIND.search(e.text))
    ):
        args["limit"] = 50  # "我们有哪些门垫？哪款卖得最好": every one of the kind, the best first
    if (
        tool == "top_products"
        and ctx.tool == "similar_products"
        and ctx.args.get("every_match")
        and isinstance(ctx.args.get("query"), str)
        and not ({"query", "product_ids"} & set(args))
        and _WHICH_OF_THEM.search(e.text)
    ):
        args["query"] = ctx.args["query"]  # "我们有哪些热水袋" then "哪款上个月卖得最多": of that kind
    if isinstance(narrowed, str) and "segment" not in args:
        args["segment"] = narrowed  # the lapsing rule is the at-risk segment's
    if isinstance(saved, str) and back and tool and tool.startswith("audience_") and tool != "audience_create":
        field = "seed" if tool == "audience_lookalike" else "name" if "name" in _props(tool) else None
        if field and field not in args:  # "再找300个跟他们相似的客户", "export it for meta": the audience just saved
            args[field] = saved
    if (
        tool == "audience_create"
        and ctx.tool in _CUSTOMER_LISTS
        and (_LEANS_BACK.search(e.text) or _BACK.search(e.text))
    ):
        _rules_of_list(ctx, args)  # "save those as an audience called fr_winback": the list just shown, as rules
    if (
        tool in _CUSTOMER_LISTS
        and tool != ctx.tool
        and ctx.tool in _CUSTOMER_LISTS
        and (_LEANS_BACK.search(e.text) or _BACK.search(e.text))
        and not (e.countries or e.rfm_segment or e.min_orders or e.order_dates)
    ):  # "Irish customers with 10+ orders" then "how much are they worth?": those customers' value
        for k in ("country", "segment", "min_orders", "max_orders", "min_revenue", "max_revenue"):
            if ctx.args.get(k) is not None and k in _props(tool) and k not in args:
                args[k] = ctx.args[k]
    if e.other_platform and "platform" in _props(tool) and "platform" not in args:
        filled.notes.append(f"other_platform:{e.other_platform}")  # "amazon titles": no limits known for it
    if e.ordinal is not None and ctx.result:
        at = -1 if e.ordinal == 1 and _THAT_ONE.search(e.text) and "worst" in ctx.asked else e.ordinal
        hit = _from_list(ctx, at)  # "cut that one's budget" after "which had the worst CPA": the one named
        if hit and hit[0] in _props(tool) and hit[0] not in args:
            args[hit[0]] = hit[1]
    if tool in WRITE_VALUE and e.suggested and not {WRITE_VALUE[tool], "change_pct", "change_by"} & set(args):
        v = _suggested(ctx)
        if v is not None:
            args[WRITE_VALUE[tool]] = v
    if tool == "compare_campaigns" and isinstance(prior, int) and continuing and "campaign_ids" not in args:
        named = [c for c in e.ids("campaign") if c != prior]
        args["campaign_ids"] = [prior, *named] if named or not _THE_OTHERS.search(e.text) else None
        if args["campaign_ids"] is None:
            del args["campaign_ids"]  # "vs the others": every campaign
    if ctx.tool is not None:
        _carry(tool, ctx, e, args, continuing)
        most = _most_asked(e) if tool == "sales_report" and args.get("breakdown") and not e.breakdown else None
        if most and most not in filled.notes:
            filled.notes.append(most)  # "which one has the highest AOV?" after the breakdown: named
        if continuing and tool == ctx.tool and tool in WRITE_VALUE:
            _as_relative(tool, ctx, e, args)
        if continuing and tool == ctx.tool:  # "and France?": the figures asked for before, asked again
            own = {n for n in filled.notes if n in ("asked:best", "asked:worst")}  # "and which had the worst CPA":
            filled.notes += [  # this turn's way, not the last one's
                f"asked:{a}"
                for a in sorted(ctx.asked)
                if f"asked:{a}" not in filled.notes
                and not (own and a in ("best", "worst"))
                and a != "versus"  # a yes-or-no of two months answers its own question only
                and not a.startswith("measure-")
            ]
    ranked = ctx.listing[1] if ctx.listing is not None and ctx.listing[0] == "campaign_id" else []
    if (
        ranked
        and "campaign_id" in _props(tool)
        and "campaign_id" not in args
        and not e.ids("campaign")
        and (_POINTS_AT_ONE.search(e.text) or _END_POINTER.search(e.text))
        and not e.all_campaigns
    ):  # after "which has the worst CTR": "那它这周每天的…" is that campaign; "成本高的那个": the worst end
        worse = _worse_end(e.text, ctx.args.get("metric"))
        worse = "worst" in ctx.asked if worse is None else worse
        args["campaign_id"] = ranked[-1] if worse else ranked[0]
    figures = (ctx.result or {}).get("campaign_figures") if ctx.tool == "campaign_metrics" else None
    if (
        isinstance(figures, dict)
        and "campaign_id" in _props(tool)
        and not e.ids("campaign")
        and not e.all_campaigns
        and _END_POINTER.search(e.text)
    ):  # "pause the worst one" after each campaign's figures: the worst by ROAS, or by the figure it names
        worse = _worse_end(e.text, None) is not False
        metric = e.metric if e.metric in CAMPAIGN_FIGURES else "roas"
        rows = {int(c): f[metric] for c, f in figures.items() if metric in f}
        if len(rows) >= 2:
            low = (metric in LOWER_IS_BETTER) != worse  # the worst ROAS is the lowest, the worst CPA the highest
            pick = (min if low else max)(rows, key=rows.__getitem__)
            args["campaign_id"] = pick
            filled.notes.append(f"picked:{'worst' if worse else 'best'}:{metric}:{rows[pick]:g}:{pick}:{len(rows)}")
    if e.month_before and "month" in _props(tool) and today is not None:
        base = _month_in_view(ctx, today)  # "上个月德国卖得最好的10个货" then "那前一个月呢": October
        for k in _WHEN:
            args.pop(k, None)
        y, m = base if base is not None else (today.year, today.month)  # none in view: the month before today's
        y, m = (y - 1, 12) if m == 1 else (y, m - 1)
        args["month"] = f"{y}-{m:02d}"
    before = (ctx.result or {}).get("previous_period") if e.period_before else None
    if isinstance(before, dict) and {"start", "end"} <= set(_props(tool)) and before.get("start"):
        for k in _WHEN:  # "and the quarter before that?": the span the answer in view was compared with
            args.pop(k, None)
        args["start"], args["end"] = before["start"], before["end"]
    if ctx.listing is not None and _BACK.search(e.text):  # "which of those sells best": the ones just listed
        many = ctx.listing[0].replace("_id", "_ids")
        if many in _props(tool) and many not in args:
            args[many] = list(ctx.listing[1])
    if said_before is not None:
        before = said_before
        for fname, kind in ID_FIELDS.items():
            if fname in _props(tool) and fname not in args and before.first_id(kind) is not None:  # type: ignore[arg-type]
                args[fname] = before.first_id(kind)  # type: ignore[arg-type]
        if not set(_WHEN) & set(args) and "period" in _props(
            tool
        ):  # "best sellers last month + the worst": the same month
            # (only for figures over a period: a customer list's dates are of customers' orders, and a report's
            # "last 3 months" is no filter on who is about to lapse)
            said = fill(tool, before, zh, stock_codes, today).args
            args.update({k: said[k] for k in _WHEN if k in said})
        if "unit_cost" in _props(tool) and "unit_cost" not in args:
            cost = fill(tool, before, zh, stock_codes, today).args.get("unit_cost")
            if cost is not None:  # "we pay £2.40 a unit ... would £5 make us more money?": that cost
                args["unit_cost"] = cost
        kind_before = catalog_phrase(earlier or "") or themed(earlier or "")
        if (
            tool == "top_products"
            and "query" not in args
            and kind_before
            and not e.ids("product")
            and not e.stock_codes
        ):
            args["query"] = catalog_spelling(
                kind_before
            )  # "复古闹钟最近三个月卖了多少个？哪个颜色卖得最好": of that kind
        if (
            "platform" in _props(tool)
            and "platform" not in args
            and e.platform is None
            and before.platform in _enum(_props(tool)["platform"])
        ):
            args["platform"] = before.platform  # "3 meta ads, playful + 3 more urgent ones": Meta ads too
        if tool == "compare_campaigns" and "metric" not in args and before.metric in _enum(_props(tool)["metric"]):
            args["metric"] = before.metric  # "roas + cpa by campaign? which one's dragging us down": by ROAS
        if (
            "country" in _props(tool)
            and "country" not in args
            and not e.countries
            and len(before.countries) == 1
            and (choose_tool(earlier or "", before, allowed).label == tool or _THERE.search(e.text))
            and not _WHOLE_SHOP.search(e.text)
        ):  # "France's best sellers last quarter, then the 5 that fell most": France's too; "Italy's sales in
            # June? also the worst sellers there": Italy's
            args["country"] = before.countries[0]
    if tool in ("similar_products", "bought_together") and "product_id" in args:
        args.pop("query", None)  # like one product: its neighbours, not every product holding its words
        args.pop("every_match", None)
    p = Plan(tool, args, _missing(tool, args), zh, filled.notes, intent=intent, listing=ctx.listing)
    if tool in WRITES and e.negated and not (tool == "resume_campaign" and _UNPAUSE.search(e.text)):
        rest = without_negation(
            e.text
        )  # ("别停着了": a resume asked for, not refused)  # "don't touch the bid, just tell me campaign 1's pacing"
        if rest and rest != e.text:
            other = plan(
                rest, ctx, allowed=allowed, zh=zh, stock_codes=stock_codes, earlier=earlier, split=split, today=today
            )
            if other.tool in WRITES and len(_WORDS.findall(rest)) >= 3:  # "只告诉我…的出价和消耗": a read
                read = _what_if(other.tool, extract(rest), allowed)
                other = Plan(
                    read, fill(read, extract(rest, stock_codes), zh, stock_codes).args, [], zh, intent=other.intent
                )
            if other.tool is not None and other.tool not in WRITES:
                for f in ID_FIELDS:
                    if f in _props(other.tool) and f not in other.args and f in args:
                        other.args[f] = args[f]
                other.missing = _missing(other.tool, other.args)
                other.notes.append("no_change")
                return other
        p.refused_write = "negated"
    if e.unreadable:
        p.notes.append("unreadable:" + e.unreadable[0])
    if _CONTACT.search(e.text) and _CUSTOMER_WORDS.search(e.text) and tool not in WRITES:
        p.notes.append("no_contact")  # "the top 20 customers' emails": the customers, and why no e-mails
    elif _SEND.search(e.text) and _CUSTOMER_WORDS.search(e.text):
        p.notes.append("cannot_send")  # "email the lapsed customers a code": who to send to, not the sending
    return p


_SEND = re.compile(  # sending to customers, or making codes: actions the copilot has no tool for
    r"\b(?:e-?mail|mail|text|sms|message|send|blast|push)\b(?! (?:targeting|list|open|click|uplift|campaign's|me|us|over)\b)"
    r"|\b(?:discount|voucher|coupon|promo) codes?\b|发(?:邮件|短信|券|优惠券|消息)|群发|推送|发放",
    re.I,
)
_ONE_PERSON = re.compile(  # one customer spoken of, after a turn about them
    r"\b(?:he|she|him|her|his|hers|this (?:customer|client|buyer|guy|one)|that (?:customer|client|buyer|guy|one))\b"
    r"|他|她|该客户|这个客户|这位|此客户|这个人",
    re.I,
)
_MARKED = re.compile(  # what a product bears: its picture, print or pattern
    r"\bwith (?:a |an |the |some |little )?([a-z]{3,15}s?) (?:on (?:it|them|the front)|prints?|patterns?|designs?|motifs?"
    r"|pictures?|faces?)\b|\b([a-z]{3,15}) (?:print|patterned|pattern|design|motif)\b"
    r"|([\u4e00-\u9fff]{1,4}?)(?:图案|印花|造型|款式)的|印着?([\u4e00-\u9fff]{1,4}?)的|带([\u4e00-\u9fff]{1,3}?)(?:图案)?的",
    re.I,
)
_EVERY = re.compile(  # the whole range of a kind of product, not the nearest few
    r"\b(?:which|what)\s(?:kinds?\sof\s|types?\sof\s)?[a-z ]{2,40}\s(?:do\swe\s(?:have|sell|carry|stock|do)|have\swe\sgot)\b"
    r"|\bhow many\s[a-z ]{2,40}\s(?:do we|does the shop)\s(?:have|sell|carry|stock)\b|\b(?:all|every)\s(?:of\s)?(?:our|the)\b"
    r"|\b(?:every|each)\s(?!one\b)[a-z]+\b(?:\swe\b)|\b(?:full|whole|entire)\s(?:range|list|line-?up)\b|\blist\s(?:all|every)\b"
    r"|\bwhat (?:kinds|types|styles|versions|variants) of\b|\bdo (?:we|you) (?:sell|have|stock|carry)\b|\bwhich ones\b"
    r"|\bgot any\b|\b(?:which|what) (?:colou?rs?|sizes?|designs?|styles?|versions?)\b|\bdo (?:we|you) still\b"
    r"|还卖|有卖|什么颜色|哪些颜色|几种颜色"
    r"|都有(?:哪些|什么|哪几)|有(?:哪些|哪几|几|多少)(?:款|种|个|样)"
    r"|(?:所有|全部)的?(?:款|商品|产品)?|全都列|列出(?:所有|全部)|一共有"
    r"|(?:我们|店里|咱们|你们)(?:都|还)?有(?:哪些|什么)|几个颜色|几款|多少款|多少种",
    re.I,
)
_ONE_CAMPAIGN_READS = ("campaign_metrics", "campaign_pacing")
_COMPARE_WITH = re.compile(
    r"\b(?:vs\.?|versus|compar(?:e|ed|es|ing)|stacks? up|against|side by side|relative to)\b"
    r"|对比|相比|比较|比一比|比起来|(?:跟|和|与).{0,12}比",
    re.I,
)
_THE_OTHERS = re.compile(
    r"\b(?:the )?(?:others|other (?:ones|campaigns|two)|rest)\b|其他(?:活动|几个|的)|别的活动", re.I
)
_WHOLE_SHOP = re.compile(
    r"\b(?:overall|whole shop|all countries|every country|worldwide|globally|in total|shop-?wide|across the board)\b"
    r"|全店|整体|所有国家|全部国家|总体|全球|整个店",
    re.I,
)
_WHICH_BEST = re.compile(  # which one is best or worst at something
    r"\bwhich(?: one| campaign)?\b.{0,40}\b(?:best|worst|highest|lowest|most|least|top|cheapest|priciest)\b"
    r"|\b(?:best|worst|highest|lowest|top)\b.{0,30}\bwhich\b|哪(?:个|一个|家|条).{0,12}最|最.{0,12}(?:是)?哪(?:个|一个|家|条)",
    re.I,
)
_COMPETITOR = re.compile(  # another shop's or brand's figures, which the shop's data does not hold
    r"\b(?:competitors?'?s?|rivals?'?s?|the competition|other (?:shops|stores|sellers|brands|retailers)'?)\b"
    r"|竞品|竞争对手|竞对|对手|同行|别家|友商|其他(?:店铺?|商家|品牌|卖家)",
    re.I,
)
_ELSEWHERE = re.compile(  # prices or sales on a marketplace, or fetched from the web
    r"\b(?:amazon|ebay|etsy|taobao|tmall|walmart|not on the high street)\b.{0,30}\b(?:prices?|pricing|sell(?:s|ing)? for|sales)\b"
    r"|\b(?:scrape|scraping|crawl|crawling)\b|(?:亚马逊|淘宝|天猫|京东|拼多多|1688).{0,12}(?:价格|售价|卖多少|销量|同款)"
    r"|(?:抓|爬)(?:取|下来|一下)|爬虫",
    re.I,
)
_CONTACT = re.compile(  # personal contact details, which the shop's data does not hold
    r"\b(?:e-?mail address(?:es)?|e-?mails|(?:phone|mobile|telephone) numbers?|phones|contact (?:details?|info\w*)"
    r"|(?:postal |home )?addresses|numbers to call)\b|\b(?:their|his|her)\s(?:e-?mail|phone|number)\b"
    r"|(?:[，,]\s?)?(?:我?想|要)?(?:挨个|逐个|一个个)?打(?:个)?电话|的?(?:邮箱|电话|手机号?|联系方式|地址)"
    r"(?:和|及|与|、)?(?:邮箱|电话|手机号?|联系方式|地址)?",
    re.I,
)
_CUSTOMER_WORDS = re.compile(
    r"\b(?:customers?|clients?|buyers?|shoppers?|spenders?|vips?|everyone|subscribers?|list)\b|客户|顾客|用户|会员|老客|新客",
    re.I,
)


def without_negation(text: str) -> str:
    """The request without its negated clause (the words from the negation to the next comma)."""
    from offline.extract import _NEGATION

    return re.sub(r"\s*(?:" + _NEGATION.pattern + r")[^,.;!?]*[,.;!?]?", " ", text, flags=re.I).strip(" ,.;")


def _missing(tool: str, args: dict[str, Any]) -> list[str]:
    missing = [m for m in _required(tool) if m not in args]
    if tool in WRITE_VALUE and {"change_pct", "change_by"} & set(args):
        missing = [m for m in missing if m != WRITE_VALUE[tool]]
    if tool in ("similar_products", "bought_together") and "product_id" in args:
        missing = [m for m in missing if m != "query"]
    if tool == "impression_bid" and "campaign_id" in args:
        missing = [m for m in missing if m != "value_per_click"]
    if tool == "discount_effect" and {"new_price", "change_by"} & set(args):
        missing = [m for m in missing if m != "discount_pct"]
    if "first" in missing:  # two audiences to compare: asked as one
        missing = [m for m in missing if m != "second"]
    if "conversions_a" in missing:
        missing = [m for m in missing if m not in ("visitors_a", "conversions_b", "visitors_b")]
    if set(SELECTION) & set(args):
        missing = [m for m in missing if m != "campaigns"]
    if tool in _EACH and _EACH[tool] in args:  # each campaign with its own value: nothing more to ask
        missing = [m for m in missing if m not in ("campaigns", WRITE_VALUE[tool])]
    return missing


def _what_if(tool: str, e: Entities, allowed: set[str] | None) -> str:
    """The read tool that answers a what-if about a write: the effect of a price change when the
    request says how much, else how sensitive demand is; a campaign's pacing for its bid or budget;
    the campaigns' figures for a pause, a resume or an edit of several campaigns."""
    if tool == "set_product_price":
        stated = bool(e.changes or e.percents or e.discount or e.numbers)
        options = ["discount_effect", "price_elasticity"] if stated else ["price_elasticity"]
    elif tool in ("set_campaign_bid", "set_campaign_budget"):
        options = ["campaign_pacing"]
    else:
        options = ["campaign_metrics", "campaign_pacing"]
    return next((t for t in options if allowed is None or t in allowed), tool)


_ABOUT = {
    "customer_id": "customer_profile",
    "product_id": "selling_points",
    "campaign_id": "campaign_metrics",
}  # "tell me about the first one"
_SUGGESTED_WRITE = {"campaign_pacing": "set_campaign_bid", "optimal_price": "set_product_price"}


def _new_information(ctx: Context, e: Entities, zh: bool, today: date | None = None) -> bool:
    """Does the message give the previous tool an argument it did not have, or a different one?"""
    if ctx.tool is None:
        return False
    got = fill(ctx.tool, e, zh, today=today).args
    if not e.language:
        got.pop("language", None)
    return any(k not in ctx.args or ctx.args[k] != v for k, v in got.items())


_RESORT = re.compile(
    r"\b(?:rank|sort|order|re-?rank|re-?sort)\w*\b(?: \w+){0,2}? by\b|\binstead\b|改成?按|换成?按|按.{1,8}排",
    re.I,
)
_ORDERINGS = frozenset({"rank_by", "sort", "metric", "order", "worst_by"})


def _resorts(ctx: Context, e: Entities, zh: bool, today: date | None) -> bool:
    """A short message that ranks the list just shown another way ("rank them by lift instead", 改成按提升度排):
    it changes only how the previous tool orders its rows."""
    if ctx.tool is None or ctx.listing is None or not _RESORT.search(e.text) or len(_WORDS.findall(e.text)) > 8:
        return False
    got = fill(ctx.tool, e, zh, today=today).args
    changed = {k for k, v in got.items() if ctx.args.get(k) != v}
    return bool(changed) and changed <= _ORDERINGS and not e.refs


def _adds_to_list(ctx: Context, e: Entities, zh: bool, today: date | None) -> bool:
    """Does the message give one of the previous call's list arguments more (channels, countries)?"""
    got = fill(ctx.tool, e, zh, today=today).args if ctx.tool else {}
    return any(isinstance(v, list) and isinstance(ctx.args.get(k), list) for k, v in got.items())


def _corrects_value(ctx: Context, e: Entities, zh: bool, intent: Intent) -> bool:
    """A short message giving the write just asked for another value (`no, make it 400`, 不对，加到400就行)
    and naming nothing else, which no other tool claims clearly."""
    if ctx.tool not in WRITE_VALUE or len(_WORDS.findall(e.text)) > 6:
        return False
    if intent.confidence >= 0.6 and not _CORRECTION.search(e.text):  # "actually make it 5%": that change's value
        return False
    kind = ID_FIELDS.get(next((f for f in ID_FIELDS if f in _props(ctx.tool)), ""), "")
    if any(r.kind not in (kind, "any") for r in e.refs):
        return False
    got = fill(ctx.tool, e, zh).args
    if isinstance(ctx.args.get("change_pct"), int | float) and e.percents and not e.refs:
        return True  # after "lower campaign 1's bid by 10%": "actually make it 5%"
    return bool({WRITE_VALUE[ctx.tool], "change_pct", "change_by"} & set(got))


_CORRECTION = re.compile(
    r"^\s*(?:(?:wait|sorry|oops|actually|no|nope|hmm|ok)[,!.]?\s+)*(?:make (?:it|that)|change (?:it|that) to|instead)\b"
    r"|^\s*(?:不对|不是|算了)?[,，]?\s*(?:改成|改为|换成|还是)",
    re.I,
)


_NOT_THAT = re.compile(
    r"[,，;]?\s*(?:\b(?:not|instead of|rather than)|而不是|不是|不要)\s*[£$¥￥]?\s*\d+(?:\.\d+)?\s*(?:p\b|pence\b|%|块|元|毛|镑)?",
    re.I,
)


def _as_relative(tool: str, ctx: Context, e: Entities, args: dict[str, Any]) -> None:
    """A corrected amount of a relative change stays relative: after "bump the search bid up 15p",
    "no, make that 12p" is up 12p (not a bid of 12p); "to 12p", or an amount far beyond the change
    ("make it 70p" after "+10p"), is the new value itself."""
    field = WRITE_VALUE[tool]
    kind = next((k for k in ("change_by", "change_pct") if isinstance(ctx.args.get(k), int | float)), None)
    carried = args.get("change_pct") in (None, ctx.args.get("change_pct"))
    if kind == "change_pct" and e.percents and carried and not {field, "change_by"} & set(args):
        args[kind] = (-1.0 if ctx.args[kind] < 0 else 1.0) * abs(e.percents[0].value)  # "make it 5%"
        return
    if kind is None or field not in args or {"change_by", "change_pct"} & set(args):
        return
    said = next((n for n in e.numbers if n.value == args[field]), None)
    if said is None or _TARGET.search(_left(e, said, 8)) or (kind == "change_pct") != (said.unit == "%"):
        return
    if kind == "change_by" and abs(said.value) > 3 * abs(float(ctx.args[kind])):
        return  # after "+10p", "make it 70p" is the bid itself: an amount of the change's size replaces the change
    sign = -1.0 if ctx.args[kind] < 0 else 1.0
    args[kind] = sign * abs(float(args.pop(field)))


def _supplies(ctx: Context, e: Entities) -> bool:
    """Does the message give a value the previous turn asked for?"""
    for m in ctx.missing:
        if m in _AUDIENCE_FIELDS:  # "de_atrisk", “高价值老客”: a name alone, after "which audience?"
            if e.quoted or len(_WORDS.findall(e.text)) <= 3:
                return True
            continue
        if m in ID_FIELDS and (e.ids(ID_FIELDS[m]) or any(n.is_int and n.currency is None for n in e.numbers)):  # type: ignore[arg-type]
            return True
        if m not in ID_FIELDS and (e.numbers or e.percents or e.changes or e.quoted or e.discount or e.pctr or e.ab):
            return True
        if m in ("query", "text") and len(e.text) >= 3:
            return True
        if m == "dsp_campaign" and dsp_words.named_in_reply(e.text):  # "the spring one", 1号
            return True
        if m == "changes" and dsp_words.targeting_changes(e.text):  # "only beijing", 屏蔽 example.com
            return True
    return False


def _names_the_campaign(ctx: Context, e: Entities) -> bool:
    """The reply to "which campaign?": "the social one", "the win-back one", 展示那个 (a few words, no ask of their own)."""
    return (
        "campaign_id" in ctx.missing
        and (bool(e.channels) or bool(_CAMPAIGN_REPLY.search(e.text)))
        and len(_WORDS.findall(e.text)) <= 4
        and not (e.numbers or e.changes or e.percents)
    )


_LIST_TOTAL = re.compile(  # what a customer list's answer says of all of them
    r"\b(?:share|percent(?:age)?|proportion|in total|altogether|combined|together)\b|\bhow much (?:revenue|money|do|did)\b"
    r"|占比|比重|份额|占多少|加起来|一共|总共|合计",
    re.I,
)
_CAMPAIGN_REPLY = re.compile(r"\bone\b|那个|那条|那一?个", re.I)
_NARROWING = re.compile(  # only some of the list just shown
    r"^\s*(?:(?:now |ok,? |and )?(?:only|just) (?:the ones|those|them|ones|customers|people)\b|(?:of|from) (?:those|these|them),? "
    r"(?:only|just)\b|filter (?:it|that|them|those) (?:to|down|by)\b|narrow (?:it|that|them|those) down\b)"
    r"|^\s*(?:and |so |ok,? )?(?:which|how many) (?:of (?:them|those|these)|ones)\b"  # "which of them are outside the UK?"
    r"|^\s*(?:那)?(?:只看|只要|只留|仅看|只保留|只列|筛出|再筛)|其中(?:只看|只要)?|^\s*(?:那)?(?:这些|其中)(?:人)?里?(?:有)?哪些",
    re.I,
)
_ADDING = re.compile(r"\b(?:add|also|plus|include|as well|too)\b|加上|再加|也加|加入|增加", re.I)


def _month_in_view(ctx: Context, today: date) -> tuple[int, int] | None:
    """The calendar month the previous answer was about: its month argument, or last month."""
    month = ctx.args.get("month")
    if isinstance(month, str) and (mm := re.fullmatch(r"(?:(\d{4})-)?(\d{1,2})", month)):
        m = int(mm.group(2))
        y = int(mm.group(1)) if mm.group(1) else today.year - (1 if m > today.month else 0)
        return y, m
    if ctx.args.get("period") == "last_month":
        return (today.year - 1, 12) if today.month == 1 else (today.year, today.month - 1)
    return None


_AUDIENCE_RULES = ("segment", "lapsing", "min_clv", "max_clv", "country", "ordered_after", "ordered_before")


def _rules_of_list(ctx: Context, args: dict[str, Any]) -> None:
    """An audience's rules from the customer list just shown (its country, segment, last-order
    days; a lapsing list's rule), where this request names none of its own."""
    if set(args) & set(_AUDIENCE_RULES):
        return
    shown = ctx.args
    for mine, theirs in (
        ("country", "country"),
        ("segment", "segment"),
        ("ordered_after", "start"),
        ("ordered_before", "end"),
    ):
        if shown.get(theirs) is not None:
            args[mine] = shown[theirs]
    if ctx.tool == "lapsing_customers":
        args["lapsing"] = True
        if args.get("segment") == "at_risk":  # the lapsing rule is that segment's
            del args["segment"]


_ONE_OF = ("discount_pct", "new_price", "change_by")  # a what-if's change: one of them, never two


def _carry(tool: str, ctx: Context, e: Entities, args: dict[str, Any], continuing: bool) -> None:
    """Fill what this turn left out from the previous turn, minding writes: a value never moves to
    a different target."""
    props = _props(tool)
    prev = dict(ctx.args)
    if ctx.result:
        for fname in ID_FIELDS:
            if fname not in prev and isinstance(ctx.result.get(fname), int):
                prev[fname] = ctx.result[fname]
    if re.fullmatch(r"\s*#?\d{1,9}\s*[.?!]?\s*", e.text) and any(m in ID_FIELDS and m in props for m in ctx.missing):
        said = {n.value for n in e.numbers}
        for k in [k for k, v in args.items() if k not in ID_FIELDS and isinstance(v, float) and v in said]:
            del args[k]  # "1289" alone, after "which product?": the id asked for, not a price
    used = {v for v in args.values() if isinstance(v, float)}
    bare = [n for n in e.numbers if n.value not in used]
    for m in ctx.missing:  # a bare number answering the copilot's question
        if m in args or (m not in props and m not in WRITE_VALUE.values()):
            continue
        if m in ID_FIELDS and bare and bare[0].is_int and bare[0].currency is None:
            args[m] = int(bare.pop(0).value)
        elif m not in ID_FIELDS and m not in ("query", "text") and bare and continuing and m not in _AUDIENCE_FIELDS:
            args[m] = bare.pop(0).value  # (an audience's name is no number: read from the words)
        elif m in ("query", "text") and continuing and not _file_only(e.text):  # ("导出来给我" is no product's name)
            args[m] = e.quoted or e.text
        elif m == "dsp_campaign" and continuing and (name := dsp_words.named_in_reply(e.text)):
            args[m] = name
    count = next((c for c in ("n", "k", "limit") if c in props and c not in args), None)
    if continuing and bare and count and bare[0].is_int and (e.platform or e.tone or _HOW_MANY_MORE.search(e.text)):
        bounds = props[count]  # "now 3 for google search, urgent tone": three more of the same, not product 3
        args[count] = max(bounds.get("minimum", 1), min(int(bare.pop(0).value), bounds.get("maximum", 100)))
    if continuing and bare and tool not in WRITE_VALUE and not ctx.missing:  # "and 21?": the next id
        ids = [f for f in ID_FIELDS if f in props]
        if len(ids) == 1 and ids[0] not in args and bare[0].is_int and bare[0].currency is None:
            args[ids[0]] = int(bare.pop(0).value)
    new_target = any(f in args and f in prev and args[f] != prev[f] for f in ID_FIELDS)
    dated = bool(set(_WHEN) & set(args))  # this turn names its own period: none of the old one's parts
    for k, v in prev.items():
        if k not in props or v is None:
            continue
        if k in args:
            if isinstance(v, list) and isinstance(args[k], list) and continuing and _ADDING.search(e.text):
                args[k] = sorted(set(v) | set(args[k]))  # "now add search to the mix"
            continue
        if (
            tool in WRITE_VALUE
            and k in (WRITE_VALUE[tool], "change_pct", "change_by")
            and (new_target or not continuing or {WRITE_VALUE[tool], "change_pct", "change_by"} & set(args))
        ):
            continue  # a value never carries over to a different target of a write
        if k in ID_FIELDS and any(f in args for f in ID_FIELDS if f != k and f in props):
            continue
        if k in _ONE_OF and set(_ONE_OF) & set(args):
            continue  # "and what about 10% off?" after "up by 50p": the new change replaces the old, whatever its kind
        if k in _WHEN and dated:
            continue  # "and the month before last?": the new period replaces the old, whatever its kind
        if k in SELECTION and set(SELECTION) & set(args):
            continue  # "leave display out of it - just search + social": the new selection replaces the old
        if k == "breakdown" and v == "country" and args.get("country") and not str(args["country"]).startswith("not "):
            continue  # "now just germany": one country, no longer split by country (but every country bar one is)
        if (
            k == "country"
            and args.get("breakdown") == "country"
            and prev.get("breakdown") != "country"
            and not e.countries
        ):
            continue  # "11月各国家销售额前10" after Germany's figures: every country, side by side
        if (k in ID_FIELDS and (continuing or not e.refs)) or continuing:
            args[k] = v
    if (
        tool in WRITE_VALUE
        and continuing
        and not new_target
        and bare
        and not {WRITE_VALUE[tool], "change_pct", "change_by"} & set(args)
    ):
        args[WRITE_VALUE[tool]] = bare[0].value


_YES = re.compile(
    r"(?:yes|yeah|yep|yup|y|ok|okay|sure|fine|approve[d]?|approve it|approved|go ahead(?: with (?:that|it|this)(?: (?:price|one|bid|budget|change))?)?|"
    r"go for it|do it|do that|let'?s do (?:it|that)|(?:let'?s )?go with (?:it|that|this)(?: (?:price|one|bid|budget))?|right|alright|all right|great|"
    r"perfect|cool|approve (?:them )?all|approve (?:them )?both|(?:yes )?(?:to )?both|all of them|两个都(?:批了?|同意|可以|确认)|(?:都|全部|全都|一起|统统)(?:批了?|批准|同意|通过|可以|确认|改吧|执行)了?|"
    r"proceed|apply it|make the change|sounds good|looks good|lgtm|please do|yes please|ship it|"
    r"(?:go ahead and )?(?:set|apply|use|make) (?:that|this|it)(?: (?:price|one|bid|budget|change))?|"
    r"好的?|好吧|可以|行|确认|批准|同意|没问题|是的?|对|就这样|改吧|执行|照办|那就|就这么办|这么办|那就这样|(?:那就|那|就)?按这个(?:来|改|办|涨|降|调|定)?吧?|(?:那就|那|就)?(?:降|涨|改|调)(?:价)?吧|照这个改|就?按这个价(?:格)?(?:来|改|办)?|(?:那就?|就)?(?:这么|这样|照这样|按这样)(?:改|办|来|定|调))",
    re.I,
)
_NO = re.compile(
    r"(?:no|nope|nah|n|cancel|cancel (?:it|that|this|the change)|scrap (?:it|that)|drop (?:it|that)|reject|rejected|don'?t|do not|stop|abort|never ?mind|forget it|not now|not yet|"
    r"leave it|leave it (?:as it is|as is|alone|running|paused|be)|keep it(?: as it is| as is| running)?|don'?t change it|"
    r"skip it|wait|hold on|hold off|hold (?:it|that|them)|no thanks|no thank you|scratch that|(?:都|全部|全都)(?:不要|取消|不改|不批)了?|don'?t (?:do|pause|change|touch|apply|resume) (?:it|that)|"
    r"不要?|不用了?|取消|算了?|拒绝|别改|先别改|别动|先别动|不改了|先不(?:要|改|动)?|不动了?|不行|不同意|等等|放弃|保持原样|"
    r"先?别(?:停|暂停|调|加|减|涨|降|提|关)了?|先?不(?:停|暂停|调|加|减|涨|降|改|动)了?)",
    re.I,
)
_POLITE = re.compile(
    r"\b(?:please|pls|thanks|thank you|then|for now|actually|on second thoughts?|hmm+|sorry|oh)\b|谢谢|吧|吗|了|啊|呀|嗯|还是",
    re.I,
)


_SAYS_APPROVE = re.compile(
    r"\b(?:approve[ds]?|yes|ok|okay|go ahead|fine|apply|do|proceed|confirm(?:ed)?)\b|批了?|批准|同意|可以|通过|没问题|执行|改吧|行吧?|好的?"
    r"|确认|确定",
    re.I,
)
_SAYS_REJECT = re.compile(
    r"\b(?:reject|no|not|don'?t|leave|skip|drop|cancel|hold off|except)\b|别动|不要|先别|不动|不改|取消|拒绝|算了|不批|除了|保持",
    re.I,
)
_THE_REST = re.compile(r"\b(?:the )?(?:others?|rest)\b|其他|其余|其它|剩下", re.I)
_REPLY_CLAUSE = re.compile(
    r"[,;，；。.!?！？]|\bbut\b|\band\b(?=\s+(?:approve|reject|leave|skip|drop|keep|go))|但是?|然后", re.I
)


_FOR_A_WHILE = re.compile(
    r"\b(?:through|over|for|during)\s+(?:the\s+)?(?:(?:this|next)\s+)?(?:weekend|holidays?|bank holiday)\b"
    r"(?!\s*(?:sale|campaign|promo|deal|offer|special|push|ads?)\b)"
    r"|\b(?:until|till|til|untill)\s+(?:(?:next|this|the)\s+)?(?:mon|tue|wed|thu|fri|sat|sun|tomorrow|tmrw|next|end|"
    r"[0-9]|after|we|the)[a-z0-9 ]{0,20}"
    r"|\bfor\s+(?:the\s+)?(?:next\s+)?(?:\d+|a|two|three|four|five|six|seven|a few|a couple of)\s+(?:more\s+)?(?:days?|hours?|weeks?)\b"
    r"|\b(?:back|again|back on|back up)\s+(?:on\s+)?(?:next\s+)?(?:mon|tue|wed|thu|fri|sat|sun|tomorrow|next week|after)[a-z]*"
    r"|\b(?:resume|restart|re-?enable|revert|restore|put (?:it|them) back|switch (?:it|them) back on|turn (?:it|them) back on)"
    r"\s+(?:it\s+|them\s+)?(?:on\s+|next\s+|after\s+)(?:mon|tue|wed|thu|fri|sat|sun|tomorrow|week|the)[a-z]*"
    r"|(?:下?周[一二三四五六日天末]|明天|后天|下周|月底|月初|过几天|几天后|\d+天后|[一两三四五六七]天后|节后|周末后|周末过后)"
    r"(?:再|就|才)?(?:开|恢复|打开|启动|重启|调回|改回|还原|放开|上线)"
    r"|(?:到|直到)(?:下?周[一二三四五六日天末]|明天|后天|下周|月底|\d+号)(?:为止)?"
    r"|\b(?:for|through|over|during)\s+the\s+(?:christmas|xmas|holiday|festive|black friday|easter|valentine'?s?|summer)"
    r"\s+(?:run-?up|rush|period|season|weeks?|push)\b"  # "add £75 for the Christmas run-up"
    r"|(?:圣诞|节日|黑五|双十一|大促|活动)(?:前|期间)?(?:这|的)?(?:几|两|一|三)?(?:周|天|个星期)(?:先这样|先|内|里)"
    r"|(?:这|那)(?:两|几|一|三)(?:周|天|个星期)先(?:这样|这么)"
    r"|(?:这个|本)(?:月|周|星期)剩下的(?:时间|几天|日子)?|(?:这个|本)月(?:内|底前)|月底之前"
    r"|\bfor the rest of (?:this|the) (?:month|week|quarter)\b|\buntil (?:the )?(?:month|week)[- ]end\b",
    re.I,
)


_COMPARE_CUE = re.compile(
    r"^\s*(?:and\s+|also\s+)?(?:how (?:does|did|do) (?:it|that|this) )?(?:compared? (?:with|to)|vs\.?|versus|against)\b"
    r"|^\s*(?:那|再)?(?:跟|和|与|同|对比|比起|相比)",
    re.I,
)


def compared_already(part: str, before: Plan, p: Plan, today: date | None) -> bool:
    """Is `part` ("跟8月比怎么样", "vs October?") a comparison with the period the sales report just
    planned (`before`) already compares itself with (the months just before its own)?"""
    if today is None or not (p.tool == before.tool == "sales_report") or not _COMPARE_CUE.search(part):
        return False
    a, b = before.args, p.args
    if not ((a.get("month") or a.get("period")) and b.get("month")) or any(
        b.get(k) is not None and a.get(k) != b.get(k) for k in ("country", "segment")
    ):  # (a comparison naming no country of its own is of the report before it: "德国和法国…？跟10月比呢")
        return False
    try:  # "上个月销售额多少？跟10月比怎么样": last month's report already compares with October
        compared = (
            month_period(today, a["month"], a.get("to_month"))[1]
            if a.get("month")
            else sales_period(today, a["period"], None, None)[1]
        )
        asked = month_period(today, b["month"], b.get("to_month"))[0]
    except (ToolFailure, ValueError):
        return False
    return (compared.start, compared.end) == (asked.start, asked.end)


def until_said(text: str, tool: str | None) -> list[str]:
    """A change asked for a while ("through the weekend", 下周一再开): a note that it will not undo
    itself, since nothing here runs a change later."""
    if tool not in WRITES:
        return []
    m = _FOR_A_WHILE.search(normalize(text))
    return [f"no_schedule:{m.group(0).strip()}"] if m else []


def partial_reply(text: str, rows: list[dict[str, Any]]) -> dict[int, bool] | None:
    """A reply that approves some of the changes waiting and rejects the others: "1号的先别动，2号3号的
    批了吧", "approve the search one, reject the rest": {change id: approved}, one for every change
    waiting, or None when the message is no such reply (a yes or a no to all, or a new request)."""
    by_campaign = {
        int(r["target"]["id"]): int(r["id"]) for r in rows if (r.get("target") or {}).get("kind") == "campaign"
    }
    if len(by_campaign) < 2 or len(by_campaign) != len(rows):
        return None
    names = {int(r["target"]["id"]): str(r["target"].get("name") or "").lower() for r in rows}
    decided: dict[int, bool] = {}
    rest: bool | None = None
    for clause in _REPLY_CLAUSE.split(normalize(text)):
        if not clause or not clause.strip():
            continue
        rejects, approves = bool(_SAYS_REJECT.search(clause)), bool(_SAYS_APPROVE.search(clause))
        if not (rejects or approves):
            continue
        verdict = not rejects  # "don't approve 1": the negation decides
        e = extract(clause)
        rest_said = bool(_THE_REST.search(clause))  # "the other two", 其他两个: a count, not campaign 2
        named = (
            set(e.ids("campaign"))
            | set(e.ids("any"))
            | {
                int(n.value)
                for n in e.numbers
                if n.is_int and int(n.value) in by_campaign and n.currency is None and not rest_said
            }
        )
        named |= {cid for cid, name in names.items() for ch in e.channels if ch.split("_")[-1] in name}
        named &= set(by_campaign)
        if named:
            for cid in named:
                decided.setdefault(cid, verdict)
        elif _THE_REST.search(clause):
            rest = verdict
    if not decided:
        return None
    if rest is not None:
        for cid in by_campaign:
            decided.setdefault(cid, rest)
    if set(decided) != set(by_campaign) or len(set(decided.values())) < 2:
        return None
    return {by_campaign[cid]: ok for cid, ok in decided.items()}


def pending_reply(text: str) -> str | None:
    """A reply to a change waiting for approval: "yes", "no", or None when the message is something
    else (a new request). Only a message that is nothing but a yes or a no counts."""
    raw = normalize(text).lower()
    for t in (raw, _POLITE.sub(" ", raw)):
        t = re.sub(r"[\s,.!?~…]+", " ", t).strip()
        for word, pat in (("no", _NO), ("yes", _YES)):
            if t and re.fullmatch(rf"(?:{pat.pattern})(?: ?(?:{pat.pattern}))*", t, re.I):
                return word
    return None
