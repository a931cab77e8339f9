"""What the offline model reads from a request: which tool it asks for, and the arguments in it.

Plain rules over English and Chinese text: each tool has weighted patterns; the entities (product,
customer and campaign ids, amounts, percentages, rates, counts) are pulled out with regexes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

_CJK = re.compile(r"[\u4e00-\u9fff]")

# tool -> patterns (case-insensitive). A match adds its weight to the tool's score.
INTENTS: dict[str, list[tuple[str, float]]] = {
    "lapsing_customers": [
        (
            r"laps|churn|about to leave|at[- ]risk|gone quiet|stopped (buying|ordering)|haven'?t (bought|ordered)"
            r"|inactive|win[- ]?back|dormant|slipping away|losing (customers|them)|drifting",
            3,
        ),
        (r"流失|沉睡|不活跃|很久没(买|下单)|快要走|挽回|召回|休眠", 3),
    ],
    "rfm_segments": [
        (
            r"\brfm\b|segment|customer groups|cohort|tiers? of customers|customer base|break ?down (our|the) customers",
            3,
        ),
        (r"分群|细分|分层|客户群|人群划分|客群", 3),
    ],
    "customer_profile": [
        (
            r"profile|tell me about customer|who is customer|history of customer|look up customer|customer \d+\W*$",
            2,
        ),
        (r"画像|资料|档案|是谁|的情况", 2),
    ],
    "recommend_products": [
        (
            r"recommend|next best|cross-?sell|upsell|what (else )?(should|could|would) (we|i) (offer|sell|show)"
            r"|likely to buy|suggest products|personali[sz]ed picks",
            3,
        ),
        (r"推荐|可能会买|交叉销售|推什么", 3),
    ],
    "similar_products": [
        (
            r"similar|alike|alternatives?|comparable|related products|like product|look-?alike|substitutes?"
            r"|search the catalog|find products|products (about|matching)",
            3,
        ),
        (r"相似|类似|同类|替代品|差不多的", 3),
    ],
    "compose_headlines": [
        (
            r"headline|tagline|slogan|ad copy|\bcopy\b|subject line|write|caption|banner text|ad text|copywrit",
            3,
        ),
        (r"文案|标题|广告语|口号|写|标语|推文", 3),
    ],
    "selling_points": [
        (
            r"selling points?|\busps?\b|unique selling|why (would|do) (people|customers) buy|highlights|key benefits"
            r"|what'?s (good|special) about",
            4,
        ),
        (r"卖点|亮点|优势|为什么买", 4),
    ],
    "check_compliance": [
        (
            r"complian|allowed to say|legal(ly)?|banned (words|terms)|check (this|the|my) (ad|copy|text|slogan)"
            r"|advertising law|regulat|can we say|ok to (say|use)",
            5,
        ),
        (r"合规|广告法|违禁词|极限词|能不能用|违规|审核", 5),
    ],
    "optimal_price": [
        (
            r"optimal price|best price|profit[- ]maximi[sz]|maximi[sz]e (profit|margin)|what (price|should we charge)"
            r"|how much should we charge|price (it|this) at|right price|set (the )?price",
            4,
        ),
        (r"最优价|定价|利润最大|定多少钱|卖多少钱|最佳价格|价格应该", 4),
    ],
    "price_elasticity": [
        (
            r"elastic|price[- ]sensitiv|sensitive to price|demand curve|how (much )?does demand (react|respond)"
            r"|react to price",
            4,
        ),
        (r"弹性|价格敏感|对价格", 4),
    ],
    "discount_effect": [
        (
            r"discount|\d+\s*(%|percent) off|markdown|mark down|on sale|price cut|cut the price|promo(tion)? price"
            r"|what if we (cut|drop|lower)|reduce the price",
            4,
        ),
        (r"折扣|打折|\d+(\.\d+)?折|降价|优惠|促销价|让利", 4),
    ],
    "set_campaign_budget": [
        (
            r"(set|change|raise|increase|lower|cut|reduce|update|make)\b.{0,30}budget|budget\b.{0,15}\bto\b"
            r"|a day for campaign|per day for campaign|daily budget of",
            5,
        ),
        (r"预算(设|改|调|提高|降低|增加|减少)|把.{0,10}预算|每天.{0,6}(元|块|美元|英镑)|日预算", 5),
    ],
    "set_campaign_bid": [
        (
            r"(set|change|raise|increase|lower|cut|reduce|update|adjust|bump|drop)\b.{0,25}\bbids?\b|\bbids? to\b"
            r"|set the bids",
            5,
        ),
        (r"出价(设|改|调|提高|降低|上调|下调)|把.{0,10}出价|调整出价|调价", 5),
    ],
    "campaign_pacing": [
        (
            r"pacing|\bpace\b|on track|overspend|underspend|burn(ing)?|how much (has|have|did) .{0,20}spen[dt]"
            r"|spend so far|spent today|budget status|delivery",
            4,
        ),
        (r"消耗|进度|花了多少|超支|花费情况|预算状态|投放情况", 4),
    ],
    "impression_bid": [
        (
            r"how much (should|to|do) (we|i) bid|bid for (an|this|the|one) impression|\bp?ctr\b|click[- ]through"
            r"|what (should|to) bid|bid price",
            3,
        ),
        (r"点击率|出多少|出价多少|每次展示", 3),
    ],
    "replay_bidding": [
        (
            r"replay|backtest|back-test|simulat|ipinyou|\bmcpc\b|\blin\b|bidding strateg|compare strateg",
            4,
        ),
        (r"回放|回测|模拟|竞价策略|出价策略", 4),
    ],
    "ab_test": [
        (
            r"\ba/?b\b|split test|variant|significan|statistically|beat (a|the control)|control group|\bwinner\b"
            r"|conversion rates?",
            4,
        ),
        (r"显著|对照组|实验组|ab测试|a/b|哪个版本|转化率", 4),
    ],
    "budget_split": [
        (
            r"split .{0,30}budget|allocat|across (the )?channels|channel mix|media mix|divide .{0,20}budget"
            r"|how (should|do) (we|i) spend|where (should|to) (we )?spend",
            4,
        ),
        (r"分配|渠道|怎么花|投放组合", 6),
    ],
    "sales_seasonality": [
        (
            r"season|which month|busiest|peak|quietest|slowest|weekday|day of (the )?week|when do (we|people|customers)"
            r" (sell|buy)|monthly (sales|trend)|sales trend",
            4,
        ),
        (r"季节|淡季|旺季|哪个月|星期几|周几|销售趋势|月度", 4),
    ],
    "campaign_plan": [
        (
            r"\bplan\b|black friday|cyber monday|christmas campaign|holiday campaign|launch (a|the) campaign"
            r"|campaign strategy|easter|valentine|mother'?s day|back to school",
            4,
        ),
        (r"策划|计划|方案|双十一|双11|黑五|圣诞|618|春节", 4),
    ],
}

AGENT_OF_TOOL = {
    **dict.fromkeys(
        [
            "lapsing_customers",
            "rfm_segments",
            "customer_profile",
            "recommend_products",
            "similar_products",
        ],
        "profiling",
    ),
    **dict.fromkeys(["compose_headlines", "selling_points", "check_compliance"], "creative"),
    **dict.fromkeys(["optimal_price", "price_elasticity", "discount_effect"], "pricing"),
    **dict.fromkeys(
        [
            "set_campaign_budget",
            "set_campaign_bid",
            "campaign_pacing",
            "impression_bid",
            "replay_bidding",
        ],
        "bidding",
    ),
    **dict.fromkeys(["ab_test", "budget_split", "sales_seasonality", "campaign_plan"], "campaigns"),
}

_ID = r"\s*(?:#|no\.?|number|id|编号|号)?\s*[:：]?\s*(\d+)"
_PRODUCT = re.compile(r"(?:product|item|sku|prod\.|产品|商品|货品|单品)" + _ID, re.I)
_CUSTOMER = re.compile(r"(?:customer|client|buyer|shopper|客户|顾客|用户|会员|买家)" + _ID, re.I)
_CAMPAIGN = re.compile(r"(?:campaign|广告活动|活动|广告计划|投放计划)" + _ID, re.I)
_NUM = r"(\d[\d,]*(?:\.\d+)?)"
_MONEY = re.compile(
    r"[$£€¥￥]\s*"
    + _NUM
    + r"\s*(k|千|万)?|"
    + _NUM
    + r"\s*(k|千|万)?\s*(?:dollars|pounds|euros|usd|gbp|eur|rmb|元|块|美元|英镑|欧元)",
    re.I,
)
_PERCENT = re.compile(_NUM + r"\s*(?:%|％|percent|per cent)", re.I)
_ZHE = re.compile(r"(\d{1,2}(?:\.\d)?)\s*折")
_COST = re.compile(r"(?:unit cost|costs? (?:us|me)?|cost of|cost is|cost price|成本|进价)\D{0,12}?" + _NUM, re.I)
_CTR = re.compile(r"(?:p?ctr|click[- ]through(?: rate)?|点击率)\D{0,15}?" + r"(\d*\.?\d+)\s*(%|％)?", re.I)
_VPC = re.compile(r"(?:value per click|click is worth|worth|每次点击价值|点击价值)\D{0,12}?" + _NUM, re.I)
_PAIR = re.compile(_NUM + r"\s*(?:/|out of|of|conversions? (?:from|out of|of)|个?转化.{0,3}?/)\s*" + _NUM, re.I)
_ZH_PAIR = re.compile(
    _NUM + r"\s*(?:个|位|名)?(?:访客|访问|用户|人)\D{0,8}?" + _NUM + r"\s*(?:个|位|名)?(?:转化|购买|下单)"
)
_TOP = re.compile(
    r"(?:top|first|best|list|show(?: me)?|give me|write(?: me)?|前)\s*(\d{1,2})\b|(\d{1,2})\s*(?:个|条|款)",
    re.I,
)
_WORDS = {
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "一": 1,
    "两": 2,
    "二": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
    "十": 10,
}
_COUNT_WORD = re.compile(
    r"\b(one|two|three|four|five|six|seven|eight|nine|ten)\b|([一两二三四五六七八九十])\s*(?:个|条|款|句)",
    re.I,
)
_AUDIENCE = re.compile(
    r"\b(?:for|aimed at|targeting|to)\s+((?!product|item|campaign|customer|\d)[a-z][a-z' \-]{2,40}?)"
    r"(?=[,.?!;]|\s+(?:in|with|about|that|who)\b|$)",
    re.I,
)
_ZH_AUDIENCE = re.compile(r"(?:给|面向|针对)([\u4e00-\u9fff]{2,10}?)(?:写|的|，|。|$)")
_CHANNELS = {
    "email": "email",
    "e-mail": "email",
    "search": "paid_search",
    "social": "social",
    "display": "display",
    "affiliate": "affiliate",
    "邮件": "email",
    "搜索": "paid_search",
    "社交": "social",
    "展示": "display",
    "联盟": "affiliate",
}
_OCCASIONS = (
    "black friday",
    "cyber monday",
    "christmas",
    "easter",
    "valentine's day",
    "mother's day",
    "back to school",
    "summer sale",
    "双十一",
    "双11",
    "黑五",
    "圣诞",
    "618",
    "春节",
    "情人节",
)
_BID = re.compile(r"\bbids?\b.{0,40}?\b(?:to|at)\s*-?\s*[$£€¥]?\s*-?" + _NUM + r"|出价\D{0,6}?-?" + _NUM, re.I)
_BUDGET = re.compile(
    r"budget.{0,40}?\b(?:to|at|of|is)\s*-?\s*[$£€¥]?\s*-?"
    + _NUM
    + r"\s*(k|千|万)?|预算\D{0,6}?-?"
    + _NUM
    + r"\s*(千|万)?",
    re.I,
)
_GREETING = re.compile(
    r"^\s*(hi|hello|hey|help|what can you do|who are you|你好|您好|帮助|你能做什么|你会什么)\b",
    re.I,
)
_QUOTED = re.compile(r"[\"“'‘「](.+?)[\"”'’」]", re.S)


def is_chinese(text: str) -> bool:
    return bool(_CJK.search(text))


def _num(s: str) -> float:
    return float(s.replace(",", ""))


def _scaled(value: str, suffix: str | None) -> float:
    mult = {"k": 1000.0, "千": 1000.0, "万": 10000.0}.get((suffix or "").lower(), 1.0)
    return _num(value) * mult


def score_intents(text: str, allowed: set[str] | None = None) -> dict[str, float]:
    scores: dict[str, float] = {}
    for tool, patterns in INTENTS.items():
        if allowed is not None and tool not in allowed:
            continue
        s = sum(w for pat, w in patterns if re.search(pat, text, re.I))
        if s:
            scores[tool] = s
    e = extract(text)
    if e.get("ab") and (allowed is None or "ab_test" in allowed):
        scores["ab_test"] = scores.get("ab_test", 0) + 4
    # Entities tip close calls: a campaign id points to bidding, a product id away from it.
    for tool in list(scores):
        agent = AGENT_OF_TOOL[tool]
        if e.get("campaign_id") and agent == "bidding":
            scores[tool] += 1
        if e.get("customer_id") and tool in ("customer_profile", "recommend_products"):
            scores[tool] += 1
        if e.get("product_id") and (agent in ("pricing", "creative") or tool == "similar_products"):
            scores[tool] += 0.5
    return scores


def best_intent(text: str, allowed: set[str] | None = None) -> str | None:
    scores = score_intents(text, allowed)
    if not scores:
        return None
    order = list(INTENTS)  # ties go to the earlier (more specific) tool
    return max(scores, key=lambda t: (scores[t], -order.index(t)))


def is_greeting(text: str) -> bool:
    return bool(_GREETING.search(text))


def extract(text: str) -> dict[str, Any]:
    """Every entity the rules can read from `text` (keys absent when not found)."""
    out: dict[str, Any] = {}
    for key, pat in (
        ("product_id", _PRODUCT),
        ("customer_id", _CUSTOMER),
        ("campaign_id", _CAMPAIGN),
    ):
        m = pat.search(text)
        if m:
            out[key] = int(m.group(1))
    money = [_scaled(m.group(1) or m.group(3), m.group(2) or m.group(4)) for m in _MONEY.finditer(text)]
    if money:
        out["money"] = money
    m = _PERCENT.search(text)
    if m:
        out["percent"] = _num(m.group(1))
    else:
        z = _ZHE.search(text)
        if z:
            v = float(z.group(1))
            out["percent"] = round(100 - (v * 10 if v < 10 else v), 2)
    m = _COST.search(text)
    if m:
        out["unit_cost"] = _num(m.group(1))
    m = _CTR.search(text)
    if m:
        v = float(m.group(1))
        out["pctr"] = v / 100 if (m.group(2) or v >= 1) else v
    m = _VPC.search(text)
    if m:
        out["value_per_click"] = _num(m.group(1))
    pairs = [(_num(a), _num(b)) for a, b in _PAIR.findall(text)]
    pairs += [(_num(b), _num(a)) for a, b in _ZH_PAIR.findall(text)]
    if len(pairs) >= 2:
        (ca, na), (cb, nb) = (sorted(p) for p in pairs[:2])
        out["ab"] = (int(ca), int(na), int(cb), int(nb))
    m = _TOP.search(text)
    if m:
        out["count"] = int(m.group(1) or m.group(2))
    else:
        w = _COUNT_WORD.search(text)
        if w:
            out["count"] = _WORDS[(w.group(1) or w.group(2)).lower()]
    m = _AUDIENCE.search(text)
    if m:
        out["audience"] = m.group(1).strip()
    else:
        z2 = _ZH_AUDIENCE.search(text)
        if z2:
            out["audience"] = z2.group(1)
    chans = sorted(
        {v for k, v in _CHANNELS.items() if re.search(rf"\b{re.escape(k)}\b" if k.isascii() else k, text, re.I)}
    )
    if chans:
        out["channels"] = chans
    low = text.lower()
    occ = next((o for o in _OCCASIONS if o in low), None)
    if occ:
        out["occasion"] = occ.title() if occ.isascii() else occ
    m = _BID.search(text)
    if m:
        out["bid"] = _num(m.group(1) or m.group(2))
    m = _BUDGET.search(text)
    if m:
        out["budget"] = _scaled(m.group(1) or m.group(3), m.group(2) or m.group(4))
    q = _QUOTED.search(text)
    if q:
        out["quoted"] = q.group(1)
    for strat in ("mcpc", "lin"):
        if re.search(rf"\b{strat}\b", text, re.I):
            out["strategy"] = strat
    if re.search(
        r"(budget|bid|cost|price|预算|出价|成本).{0,40}?(?<![A-Za-z0-9])-\s*[$£€¥]?\s*\d",
        text,
        re.I,
    ):
        out["negative"] = True
    return out


@dataclass
class Plan:
    """What the offline model will do: call a tool with args, or ask for what is missing."""

    tool: str | None
    args: dict[str, Any] = field(default_factory=dict)
    missing: list[str] = field(default_factory=list)


def plan_call(tool: str, e: dict[str, Any], text: str) -> Plan:
    """Fill `tool`'s arguments from entities `e`; list what a marketer still has to say."""
    a: dict[str, Any] = {}
    need: list[str] = []
    money = e.get("money", [])

    def want(key: str, value: Any, label: str) -> None:
        if value is None:
            need.append(label)
        else:
            a[key] = value

    if tool in ("customer_profile", "recommend_products"):
        want("customer_id", e.get("customer_id"), "customer id")
        if tool == "recommend_products" and e.get("count"):
            a["k"] = e["count"]
    elif tool == "lapsing_customers":
        if e.get("count"):
            a["limit"] = e["count"]
    elif tool == "similar_products":
        if e.get("product_id"):
            a["product_id"] = e["product_id"]
        else:
            q = e.get("quoted") or _topic(text)
            want("query", q, "product id or a description to search for")
        if e.get("count"):
            a["k"] = e["count"]
    elif tool in ("selling_points", "price_elasticity"):
        want("product_id", e.get("product_id"), "product id")
    elif tool == "compose_headlines":
        want("product_id", e.get("product_id"), "product id")
        if e.get("count"):
            a["n"] = min(e["count"], 10)
        if e.get("audience"):
            a["audience"] = e["audience"]
        a["language"] = "zh" if is_chinese(text) else "en"
    elif tool == "check_compliance":
        want("text", e.get("quoted") or _after_colon(text), "the ad copy to check (in quotes)")
    elif tool == "optimal_price":
        want("product_id", e.get("product_id"), "product id")
        want("unit_cost", e.get("unit_cost") or (money[0] if money else None), "unit cost")
    elif tool == "discount_effect":
        want("product_id", e.get("product_id"), "product id")
        want("discount_pct", e.get("percent"), "discount (for example 10%)")
        if e.get("unit_cost"):
            a["unit_cost"] = e["unit_cost"]
    elif tool == "set_campaign_budget":
        want("campaign_id", e.get("campaign_id"), "campaign id")
        want(
            "daily_budget",
            _signed(e, e.get("budget") or (money[0] if money else None)),
            "new daily budget",
        )
    elif tool == "set_campaign_bid":
        want("campaign_id", e.get("campaign_id"), "campaign id")
        want("bid", _signed(e, e.get("bid") or (money[0] if money else None)), "new bid")
    elif tool == "campaign_pacing":
        want("campaign_id", e.get("campaign_id"), "campaign id")
    elif tool == "impression_bid":
        want("pctr", e.get("pctr"), "predicted CTR")
        if e.get("value_per_click") or money:
            a["value_per_click"] = e.get("value_per_click") or money[0]
        elif e.get("campaign_id"):
            a["campaign_id"] = e["campaign_id"]
        else:
            need.append("value per click (or a campaign id)")
    elif tool == "replay_bidding":
        if e.get("strategy"):
            a["strategy"] = e["strategy"]
    elif tool == "ab_test":
        ab = e.get("ab")
        if ab is None:
            need.append("conversions and visitors of A and B (for example 120/2400 vs 150/2400)")
        else:
            a.update(conversions_a=ab[0], visitors_a=ab[1], conversions_b=ab[2], visitors_b=ab[3])
    elif tool == "budget_split":
        want("total", _signed(e, e.get("budget") or (money[0] if money else None)), "total budget")
        if e.get("channels"):
            a["channels"] = e["channels"]
    elif tool == "campaign_plan":
        total = e.get("budget") or (money[0] if money else None)
        if total:
            a["total_budget"] = _signed(e, total)
        if e.get("occasion"):
            a["occasion"] = e["occasion"]
    return Plan(tool, a, need)


def _signed(e: dict[str, Any], value: float | None) -> float | None:
    return -value if value is not None and e.get("negative") else value


def _after_colon(text: str) -> str | None:
    m = re.search(r"[:：]\s*(.{3,})$", text.strip(), re.S)
    return m.group(1).strip() if m else None


def _topic(text: str) -> str | None:
    m = re.search(
        r"(?:similar to|like|about|matching|for)\s+(?:an?\s+|the\s+)?([a-z][a-z \-]{2,60})",
        text,
        re.I,
    )
    return m.group(1).strip(" ?.!") if m else None
