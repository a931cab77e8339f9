"""What the figures in an answer mean, for a marketer who asks ("what does CPA stand for?",
这个转化是什么意思, "not sure what goes into AOV"): each term's plain definition, in English and
Chinese, as the tools compute it. Definitions are words, never figures of the shop."""

from __future__ import annotations

import re

# term: (how requests name it, the definition in English, in Chinese)
TERMS: dict[str, tuple[str, str, str]] = {
    "cpa": (
        r"\bcpa\b|cost per (?:acquisition|action|conversion)|单次转化成本|转化成本|获客成本",
        "CPA (cost per acquisition) is what one conversion cost: the campaign's spend divided by its conversions. "
        "Lower is better.",
        "CPA（单次转化成本）是每带来一个转化花了多少钱：花费 ÷ 转化数，越低越好。",
    ),
    "roas": (
        r"\broas\b|return on ad spend|投产比|\broi\b",
        "ROAS (return on ad spend) is the revenue a campaign brought per pound spent: revenue divided by spend. "
        "A ROAS of 4 means £4 of sales for every £1 of ads; higher is better.",
        "投产比（ROAS）是每花 1 英镑广告费带来的收入：收入 ÷ 花费。投产比 4 表示每花 £1 带来 £4 销售额，越高越好。",
    ),
    "ctr": (
        r"\bctr\b|click[- ]through rate|点击率",
        "CTR (click-through rate) is the share of the times an ad was shown that someone clicked it: clicks "
        "divided by impressions.",
        "点击率（CTR）是广告每被展示一次有多大比例被点击：点击数 ÷ 展示数。",
    ),
    "cpc": (
        r"\bcpc\b|cost per click|单次点击成本|点击成本",
        "CPC (cost per click) is what one click cost: spend divided by clicks.",
        "CPC（单次点击成本）是每次点击花了多少钱：花费 ÷ 点击数。",
    ),
    "impressions": (
        r"\bimpressions?\b|展示数|展示量|曝光",
        "Impressions are the number of times an ad was shown.",
        "展示数（曝光）是广告被展示的次数。",
    ),
    "conversion_rate": (
        r"\bconversion rate\b|\bcvr\b|转化率",
        "The conversion rate is the share of clicks that became a conversion: conversions divided by clicks.",
        "转化率是点击中有多大比例变成了转化：转化数 ÷ 点击数。",
    ),
    "conversion": (
        r"\bconversions?\b|转化(?!率|成本)",
        "A conversion is an order that followed a click on the campaign's ad (the demo campaigns' delivery, "
        "conversions included, is simulated).",
        "转化指点击了该活动的广告之后下的订单（演示活动的投放数据，包括转化，是模拟的）。",
    ),
    "aov": (
        r"\baov\b|average order value|average basket|basket size|客单价|平均订单金额",
        "AOV (average order value) is the revenue of a period divided by its number of orders (invoices), "
        "cancelled orders netted out: what a typical order is worth.",
        "客单价（AOV）是一段时间的销售额 ÷ 订单数（已扣除取消的订单），即平均每笔订单的金额。",
    ),
    "elasticity": (
        r"\belasticity\b|price[- ]sensitiv\w*|价格弹性|弹性",
        "Price elasticity is how much units sold move when the price moves: the % change in units for a 1% "
        "change in price. -2 means a 1% price rise loses about 2% of units; between 0 and -1 demand barely "
        "responds; a positive figure means something other than price moved the sales.",
        "价格弹性是价格变动时销量变动多少：价格每变 1%，销量变动百分之几。-2 表示涨价 1% 销量约少 2%；在 0 到 -1 之间表示"
        "需求对价格不敏感；为正数则说明销量变化另有原因，不是价格带来的。",
    ),
    "optimal_price": (
        r"\boptimal price\b|profit[- ]maximi[sz]ing price|best price|最优价格|最佳价格|利润最大化的?价格",
        "The optimal price is the price that makes the most profit, (price - unit cost) x units sold, given how "
        "units respond to price (the elasticity); it exists only when demand is elastic (elasticity below -1) "
        "and the estimate can be trusted, otherwise no price is recommended.",
        "最优价格是让利润（(售价 - 单位成本) × 销量）最大的价格，取决于销量对价格的反应（价格弹性）；"
        "只有需求有弹性（弹性低于 -1）且估计可信时才给出，否则不推荐价格。",
    ),
    "p_alive": (
        r"p\s?\(\s?alive\s?\)|\bp[- _]?alive\b|probability (?:of being|they are|that they are) (?:still )?(?:active|alive)"
        r"|存活概率|活跃概率",
        "P(alive) is the model's probability that a customer is still an active buyer, that is has not quietly "
        "stopped buying, judged from how often and how recently they ordered (BG/NBD). 1.0 means almost "
        "certainly still buying; a low figure means they have probably gone.",
        "P(alive) 是模型估计的客户仍在购买（没有悄悄流失）的概率，依据其下单频率和最近一次下单的时间（BG/NBD 模型）。"
        "1.0 表示几乎肯定还在买，数值低说明多半已经流失。",
    ),
    "clv": (
        r"\bclv\b|\bltv\b|lifetime value|customer value|生命周期价值|客户价值|终身价值",
        "Lifetime value (CLV) here is the revenue a customer is expected to bring over the next 52 weeks, from "
        "how often they buy and what they spend per order (BG/NBD and Gamma-Gamma models fitted on the shop, "
        "discounted 10% a year).",
        "客户生命周期价值（CLV）这里指预计该客户在未来 52 周带来的收入，依据其购买频率和每单金额"
        "（在本店数据上拟合的 BG/NBD 与 Gamma-Gamma 模型，按每年 10% 折现）。",
    ),
    "rfm": (
        r"\brfm\b|customer segments?|segmentation|\bsegments?\b|客户分层|客户分群|分层|分群",
        "The customer segments are RFM segments: each customer is scored 1 to 5 on recency (days since the last "
        "order) and frequency (number of orders) against the other customers, and named by the scores: "
        "champions (recent and frequent), loyal, potential loyalists, new (recent, one order), need attention, "
        "at risk (frequent once, not recent) and hibernating (neither).",
        "客户分层指 RFM 分群：每位客户按最近一次下单距今的天数（R）和下单次数（F）与其他客户相比打 1 到 5 分，再按得分归类："
        "冠军客户（最近买过且常买）、忠诚客户、潜力客户、新客户（最近首单）、需关注客户、流失风险客户（以前常买、最近没买）"
        "和沉睡客户（既不近也不常）。",
    ),
    "lift": (
        r"\blift\b|提升度",
        "Lift (what sells with what) is how many times likelier a product is in an order that holds the one asked "
        "about than in any order; above 1 they go together more than chance.",
        "提升度（连带购买）是某商品出现在含所问商品的订单里的概率，比出现在任意一笔订单里高几倍；大于 1 表示比随机更常一起买。",
    ),
    "repeat_rate": (
        r"\brepeat (?:purchase )?rate\b|复购率|回购率",
        "The repeat rate is the share of customers who have ordered at least twice.",
        "复购率是下过至少两单的客户占全部客户的比例。",
    ),
}
_OF = {key: re.compile(pattern, re.I) for key, (pattern, _, _) in TERMS.items()}
_CONTAINED = {"conversion": ("conversion_rate",)}  # "conversion rate" is not also "conversion"
# a question about what a word means, not about the shop's figure for it
_MEANING = re.compile(
    r"\bwhat (?:does|do|did) (?:[\w()/.'-]+ ){0,4}?(?:mean|stand for|refer to|measure)\b|\bwhat(?: is|'s) meant by\b"
    r"|\bwhat (?:\w+ ){0,3}means\b|\bwhat goes into\b|\bhow is (?:\w+ ){0,3}(?:calculated|worked out|defined)\b"
    r"|\b(?:explain|define)\b|\bnot (?:\d+% )?sure what\b|\bwhat(?:'s| is) (?:a|an) \w+\??$"
    r"|是什么意思|什么意思|啥意思|是指什么|指的是什么|怎么理解|是怎么算的|怎么算的|什么是|是什么东西|的意思",
    re.I,
)
_SENTENCE = re.compile(r"[^.?!。？！]+[.?!。？！]?")


def terms_asked(text: str) -> list[str]:
    """The terms a request asks the meaning of, in the order of the terms above (none: [])."""
    found: list[str] = []
    for sentence in _SENTENCE.findall(text):
        if not _MEANING.search(sentence):
            continue
        keys = [k for k, pat in _OF.items() if pat.search(sentence)]
        keys = [k for k in keys if not any(c in keys for c in _CONTAINED.get(k, ()))]
        found += [k for k in keys if k not in found]
    return found


def _asks_a_meaning(sentence: str) -> bool:
    return bool(_MEANING.search(sentence)) and any(p.search(sentence) for p in _OF.values())


def without_meaning(text: str) -> str:
    """The request without its sentences that ask what a term means ("" when that is all it asks)."""
    return "".join(s for s in _SENTENCE.findall(text) if not _asks_a_meaning(s)).strip()


def only_asks_meaning(text: str) -> bool:
    """A message (or part) that does nothing but ask what a term means: "what does CPA stand for?"."""
    if not terms_asked(text):
        return False
    rest = without_meaning(text)
    return len(re.findall(r"[A-Za-z]{2,}", rest)) + len(re.findall(r"[\u4e00-\u9fff]", rest)) // 2 <= 2


def explain(key: str, zh: bool) -> str:
    _, en, zh_text = TERMS[key]
    return zh_text if zh else en


# How far a tool's figures can be leaned on, said when a request asks ("how sure is that?", 数据靠谱吗).
_MEASURED = (
    "These figures are counted from the shop's own order lines (cancelled orders netted out), not estimated. "
    "Over a short period a few large wholesale orders can swing them: read a change over fewer than two weeks "
    "as a hint, not a trend.",
    "这些数字是直接从店铺的订单明细统计的（已扣除取消的订单），不是估计值。时间段很短时，几笔大额批发订单就会让数字大幅波动："
    "不到两周的变化只能当作信号，不能当作趋势。",
)
_SIMULATED = (
    "The demo campaigns' delivery (impressions, clicks, conversions, spend) is simulated by a stated model (a "
    "win-rate curve from the iPinYou market prices and a CTR per channel), not read from an ad platform: use it "
    "to try the tools, not to judge real campaigns.",
    "演示活动的投放数据（展示、点击、转化、花费）是按明确的模型模拟的（基于 iPinYou 市场价格的竞得率曲线和各渠道点击率），"
    "不是从广告平台读取的：可以用来试用功能，不能用来评判真实的投放。",
)
_MODELLED = (
    "This is a model's estimate, not a measured figure: BG/NBD and Gamma-Gamma models fitted on the shop's 12 "
    "months of orders, assuming the customer keeps buying as they have so far. It is surest for customers with "
    "many orders over many months and least sure for those with one or two orders or a long silence.",
    "这是模型的估计，不是实测值：用店铺 12 个月的订单拟合 BG/NBD 与 Gamma-Gamma 模型，并假设客户会按过去的方式继续购买。"
    "下单次数多、时间跨度长的客户最可靠；只下过一两单或很久没买的客户最不可靠。",
)
_ASSUMED = (
    "The channel split uses an assumed response curve for the demo, not one fitted to your own spend and revenue: "
    "treat the split as a starting point and calibrate it with your results.",
    "渠道分配用的是演示用的假设响应曲线，不是根据您自己的花费和收入拟合的：请把分配当作起点，再用实际效果校准。",
)
RELIABILITY: dict[str, tuple[str, str]] = {
    **dict.fromkeys(
        ("sales_report", "top_products", "customer_list", "rfm_segments", "lapsing_customers", "bought_together"),
        _MEASURED,
    ),
    **dict.fromkeys(("campaign_metrics", "compare_campaigns", "campaign_pacing"), _SIMULATED),
    **dict.fromkeys(("customer_profile", "customer_lifetime_value"), _MODELLED),
    **dict.fromkeys(("budget_split", "campaign_plan"), _ASSUMED),
}
_SURE = re.compile(
    r"\bhow (?:sure|certain|confident|reliable|accurate|solid|meaningful|trustworthy|robust)\b"
    r"|\b(?:is|are) (?:that|this|these|those|it|they|the \w+)(?: \w+)? (?:reliable|accurate|solid|trustworthy|meaningful"
    r"|real|simulated|estimated)\b|\bcan (?:i|we) (?:trust|rely on)\b|\breal or simulated\b|\bsimulated or real\b"
    r"|靠谱|可靠|准吗|准不准|可信|是真实的|真实数据|是模拟的|模拟的吗",
    re.I,
)


def reliability_asked(text: str, tools: list[str]) -> list[str]:
    """How far the figures of `tools` can be leaned on, when the request asks (none: [])."""
    if not _SURE.search(text):
        return []
    return list(dict.fromkeys(f"sure:{t}" for t in tools if t in RELIABILITY))


def how_sure(tool: str, zh: bool) -> str:
    en, zh_text = RELIABILITY[tool]
    return zh_text if zh else en
