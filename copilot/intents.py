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
            r"laps|churn|about to leave|at[- ]risk|gone (quiet|silent|cold)|stopped (buying|ordering|shopping)"
            r"|(haven'?t|not|no longer|never) (bought|ordered|purchased|shopped|come back|returned|been back)"
            r"|inactive|win[- ]?back|dormant|slipping away|losing (customers|them)|drifting|re-?engage|reactivat"
            r"|stopped coming( back)?|regulars .{0,20}(stopped|gone|left)"
            r"|used to (buy|order|shop)|likely to (leave|stop)|lost customers|fading",
            3,
        ),
        (
            r"流失|沉睡|不活跃|很久没|没有回购|不再购买|快要走|挽回|召回|休眠|唤醒|流失风险|不怎么买|很少买|不买了|没怎么买",
            3,
        ),
    ],
    "rfm_segments": [
        (
            r"\brfm\b|segment|customer groups|cohort|tiers? of customers|customer base|break ?down (our|the) customers"
            r"|(best|top|most (loyal|valuable)|high[- ]value|biggest|loyal) (customers|shoppers|clients|buyers)"
            r"|\bvips?\b|whales|split (by|into) value|value tiers|champions",
            3,
        ),
        (r"分群|细分|分层|客户群|人群划分|客群|高价值客户|忠诚客户|大客户|优质客户|vip", 3),
        (r"(split|divided|breakdown|break-?down|mix)\b.{0,30}\b(champions|loyal|segments?)|champions.{0,20}loyal", 3),
    ],
    "customer_lifetime_value": [
        (
            r"lifetime value|\bclv\b|\bltv\b|most valuable|worth the most|future value|expected (value|spend|revenue)"
            r"|next year'?s? (value|revenue|spend)|value (over|in) the next"
            r"|p\(alive\)|still (alive|active)|(worth|spend) .{0,20}next year",
            4,
        ),
        (r"生命周期价值|客户价值|最有价值|未来.{0,6}价值|还活跃|未来一年|贡献最(多|大)|最能贡献", 4),
    ],
    "customer_profile": [
        (
            r"profile|tell me about (customer|client|shopper)|who is (customer|client)|history of|look up"
            r"|(usually|typically|mostly|normally) (buy|order)|purchase history|details (of|on|for)|info(rmation)? (on|about)"
            r"|(this|that|one) (customer|client|shopper)\b",
            2,
        ),
        (r"画像|资料|档案|是谁|的情况|什么情况|买过什么|购买记录|喜欢买什么|常买", 2),
    ],
    "recommend_products": [
        (
            r"recommend|next best|cross-?sell|upsell|what (else )?(should|could|would|can) (we|i) (offer|sell|show|pitch)(?! (it|this|them) for)"
            r"|likely to buy|suggest(ed|ions)? (products|items|for)|personali[sz]|(would|might|could) .{0,25}\b(like|want|enjoy)"
            r"|next purchase|offer (to|for) (customer|client)|suggest (we|to) (show|send|offer|pitch)"
            r"|what (would|should|could) (you|we) (suggest|show|send)",
            3,
        ),
        (r"推荐|可能会买|可能喜欢|交叉销售|推什么|会喜欢|可能买|还会买|下一步.{0,4}买|接下来.{0,4}买", 3),
    ],
    "similar_products": [
        (
            r"similar|alike|alternatives?|comparable|related (products|items)|like product|look-?alike|substitut"
            r"|search the catalog|find (me )?(products|items)|(products|items) (about|matching|like)|resembl"
            r"|go(es)? (well )?with|pairs? (well )?with|complement|(sell|have|stock|carry)\b.{0,25}\b(like|similar to) (the|a|an|this|that)\b",
            4,
        ),
        (r"相似|类似|同类|替代|差不多的|搭配", 4),
    ],
    "compose_headlines": [
        (
            r"headline|tagline|slogan|ad copy|\bcopy\b|subject line|\bwrite\b|\bdraft\b|caption|banner|ad text|copywrit"
            r"|catchy|punchy|\blines? for\b|blurb|instagram|facebook|tweet|social post|product description|come up with",
            3,
        ),
        (r"文案|标题|广告语|口号|写|标语|推文|一句|描述|小红书|朋友圈|微博", 3),
    ],
    "selling_points": [
        (
            r"selling points?|\busps?\b|unique selling|why (would|do|should) (people|customers|anyone) buy|highlights"
            r"|key benefits|what'?s (good|special|great) about|worth buying|what makes|strengths|advantages",
            4,
        ),
        (r"卖点|亮点|优势|为什么买|优点|好在哪|值得买|购买理由|买的理由", 4),
    ],
    "check_compliance": [
        (
            r"complian|allowed|legal(ly)?|banned|check (this|the|my) (ad|copy|text|slogan|line)|advertising (law|rules|standards)"
            r"|regulat|can we say|ok(ay)? to (say|use|put|run)|risky claims?|violat|permitted|review (this|the|my) (text|copy|ad)"
            r"|in an ad\?|(want|going|plan) to run .{0,10}(any )?(problem|issue)s?|any (problem|issue)s? with (this|that|it)"
            r"|check (this|the|my) (tagline|headline|claim|wording|subject line)|is (this|that|it) (ok|okay|fine) to (run|say|use)",
            5,
        ),
        (
            r"合规|广告法|违禁词|极限词|能不能(用|投放|发|说)|可以(用|投放|发|说)吗|能否(使用|投放)|能用吗|能说吗|违规|违反|审核"
            r"|检查.{0,8}(文案|广告|标语|这段|这句|用语)",
            5,
        ),
    ],
    "optimal_price": [
        (
            r"optimal price|best price|ideal price|profit[- ]maximi[sz]|maximi[sz]e (profit|margin)|what (price|should we charge)"
            r"|how much should we (charge|sell)|price (it|this) at|right price|set (the )?price|retail at|sell (it )?at"
            r"|sell (it|this|them) for|charge for (it|this)"
            r"|price point|how should we price|selling price|price for (product|item)|price (that|which)|should we (raise|increase|lower|cut|change) (the |its )?price",
            4,
        ),
        (r"最优价|定价|利润最大|定多少钱|卖多少钱|最佳价格|价格应该|售价|怎么定价|该定", 4),
    ],
    "price_elasticity": [
        (
            r"elastic|price[- ]sensitiv|sensitive to (price|pric)|demand curve|how (much )?does demand (react|respond)"
            r"|react to price|respond to price|buy (less|more) .{0,40}when",
            4,
        ),
        (r"弹性|价格敏感|对价格", 4),
    ],
    "discount_effect": [
        (
            r"discount|\d+\s*(%|percent) (off|cheaper|lower|higher|more expensive)|markdown|mark down|on sale|price cut"
            r"|cut the price|promo(tion)? price|what if we (cut|drop|lower|raise)|reduce the price|cheaper|price (drop|rise|increase)"
            r"|put .{0,20} up by|(raise|increase|lift|drop|cut|lower) .{0,30} by \d+\s*(%|percent)|lose .{0,20}demand"
            r"|sales change if",
            4,
        ),
        (r"折扣|打折|\d+(\.\d+)?折|[一二三四五六七八九]{1,2}折|降价|涨价|优惠|促销价|让利|便宜", 4),
        (r"(put|push|move) the price (up|down)|price (up|down) (by )?\d+\s*(%|percent)", 4),
    ],
    "set_product_price": [
        (
            r"(set|change|update|make|move|put|raise|lower|cut|increase|drop|reduce)\b.{0,12}\bprice of (product|item|sku)\b.{0,20}\bto\b"
            r"|\breprice\b|(product|item) \d+'?s price to\b|price of (product|item) \d+ (to|at) [$£€¥]?\d",
            6,
        ),
        (r"(把|将).{0,10}(价格|售价)(改|设|调|定)(为|成|到)|(价格|售价)(改为|设为|调到|调整为|改成)", 6),
    ],
    "set_campaign_budget": [
        (
            r"(set|change|raise|increase|lower|cut|reduce|update|make|boost|bump)\b.{0,30}(budget|spend(ing)?)\b.{0,30}\bto\b"
            r"|(set|change|raise|increase|lower|cut|reduce|update)\b.{0,30}budget|budget\b.{0,15}\bto\b"
            r"|a day for campaign|per day for campaign|daily budget of",
            5,
        ),
        (r"预算(设|改|调|提高|降低|增加|减少|提到|降到)|把.{0,10}预算|每天.{0,6}(元|块|美元|英镑)|日预算|每天预算", 5),
    ],
    "set_campaign_bid": [
        (
            r"(set|change|raise|increase|lower|cut|reduce|update|adjust|bump|drop)\b.{0,25}\b(bids?|max cpc|cpc)\b"
            r"|\b(bids?|cpc) (on|for) campaign \d+ to\b|\bbids? to\b|set the bids|cpc to",
            5,
        ),
        (r"出价(设|改|调|提高|降低|上调|下调|降到|提到|改成)|把.{0,10}出价|调整出价|调价", 5),
    ],
    "campaign_pacing": [
        (
            r"pacing|\bpace\b|on track|overspend|underspend|under-?deliver|over-?deliver|burn(ing)?|spen(d|t|ding) (so far|today)"
            r"|how much (has|have|did|is) .{0,20}spen[dt]|budget (status|left)|delivery|blow (through|past)|run out of (budget|money)"
            r"|how is campaign \d+ (doing|going|performing|spending)|campaign \d+ spend",
            4,
        ),
        (r"消耗|进度|花了多少|超支|花费情况|预算状态|投放情况|预算还剩|花费", 4),
    ],
    "impression_bid": [
        (
            r"how much (should|to|do) (we|i) bid|bid for (an|this|the|one) impression|\bp?ctr\b|click[- ]through"
            r"|what (should|to) bid|bid price|what cpm|cpm should",
            3,
        ),
        (r"点击率|出多少|出价多少|每次展示", 3),
    ],
    "replay_bidding": [
        (
            r"replay|backtest|back-test|simulat|ipinyou|\bmcpc\b|\blin\b|bidding strateg|compare strateg|historical auctions"
            r"|auction log",
            4,
        ),
        (r"回放|回测|模拟|竞价策略|出价策略", 4),
    ],
    "ab_test": [
        (
            r"\ba/?b\b|split test|variant|significan|statistically|beat (a|the control)|control group|\bwinner\b|which (one )?wins"
            r"|conversion rates?|outperform|converted|version [ab]\b|[ab] version",
            4,
        ),
        (r"显著|对照组|实验组|ab测试|a/b|哪个版本|转化率|两个版本|[ab]组|[ab]版", 4),
    ],
    "budget_split": [
        (
            r"split .{0,30}budget|allocat|across (the |our )?channels|channel mix|media mix|divide|how (should|do) (we|i) spend"
            r"|where (should|to) (we )?spend|spend .{0,20}across|across (email|search|social|display|affiliate|paid)|between (email|search|social|display|affiliate)|channels? should get"
            r"|how much (to|should we) put (in|into)",
            4,
        ),
        (r"分配|渠道|怎么花|投放组合|分到|分给|怎么分", 6),
    ],
    "sales_seasonality": [
        (
            r"season|which month|busiest|peak|quietest|slowest|weekday|day of (the )?week|when do (we|people|customers)"
            r" (sell|buy)|monthly (sales|trend)|sales trend|best (day|month|time of year)|time of year",
            4,
        ),
        (
            r"季节|淡季|旺季|哪个月|星期几|周几|销售趋势|月度|卖得最(好|多)|什么时候卖|销售高峰|销量最(高|低|差|好)|哪天|一周里",
            4,
        ),
    ],
    "email_targeting": [
        (
            r"who should (get|receive) (the|our|an|this) (e-?mail|newsletter|mailing)|which customers (to|should we) (e-?)?mail"
            r"|e-?mail targeting|\buplift\b|worth (e-?)?mailing|(e-?mail|mail) (only )?the top"
            r"|which .{0,30}(customers|people|shoppers) .{0,20}(e-?mail|mail)\b|who (to|should we) (e-?)?mail"
            r"|send .{0,30}e-?mail to (everyone|everybody|all)|(everyone|everybody|all customers) or (just|only)",
            5,
        ),
        (r"发邮件给谁|给谁发邮件|邮件.{0,6}(发给|发送给)|增量效果|提升模型|发邮件.{0,10}(选谁|给谁|该选|选哪些)", 5),
    ],
    "campaign_effect": [
        (
            r"did (it|the campaign|the test|the experiment|that|turning|switching|the change) .{0,40}work|campaign effect"
            r"|did (the |our |that |this )?[\w \-]{0,30}(campaign|test|experiment|ads?|change|promotion)s? (really |actually )?work"
            r"|incremental (revenue|effect|lift)|diff(erence)?[- ]in[- ]diff|impact of (turning|switching)|paid search (off|shut)"
            r"|(turn|switch)(ing|ed)? off (paid )?search",
            5,
        ),
        (
            r"(活动|广告|实验|投放|搜索|推广).{0,12}(有没有效果|有效果|效果如何|起作用|管用)|双重差分|关掉搜索广告"
            r"|(停掉|关掉|关闭|暂停)了?.{0,8}(搜索|广告|投放).{0,12}(影响|效果|变化)",
            5,
        ),
    ],
    "campaign_plan": [
        (
            r"\bplan\b|black friday|cyber monday|christmas|holiday campaign|launch (a|the) campaign|campaign strategy|easter"
            r"|valentine|mother'?s day|back to school|promotion\b|put together|marketing plan|halloween",
            4,
        ),
        (r"策划|计划|方案|双十一|双11|黑五|圣诞|(?<!\d)618(?!\d)|春节|情人节|母亲节", 4),
    ],
}

# Requests about something else entirely; out of scope unless they name a product, customer or campaign.
OFF_TOPIC = re.compile(
    r"\b(python|javascript|java|sql|code|script|program(ming)?|translate|weather|capital of|recipe|joke|poem|ceo of"
    r"|president|prime minister|how tall|how far|movie|song|football|world cup|stock price|bitcoin|homework"
    r"|meeting|appointment|calendar|reservation|flights?|hotel|restaurant)\b"
    r"|天气|笑话|翻译|首都|代码|编程|诗|菜谱",
    re.I,
)

# Words that make a request one specialist's business when no tool phrase above matches.
AGENT_WORDS: dict[str, str] = {
    "profiling": r"\b(customers?|shoppers?|buyers?|clients?|segments?|groups?|cohorts?|spends? the most|loyal|churn\w*"
    r"|losing|bought|buy with|(products?|items?) (like|about|with|similar))\b|客户|顾客|买家|会员|用户|分群|人群",
    "creative": r"\b(ads?|advert\w*|copy|headlines?|slogans?|taglines?|one-?liners?|wording|claims?|highlight|messaging"
    r"|trouble|promo (email|text))\b|文案|广告|宣传|标题|措辞|话术|口号",
    "pricing": r"\b(prices?|priced|pricing|margin|costs?|cheaper|expensive|sale|markdown|volume|demand|elasticity)\b"
    r"|pricier|costlier|价格|价钱|定价|售价|成本|涨价|降价|便宜|贵",
    "bidding": r"\b(bids?|bidding|cpc|cpm|impressions?|auctions?|pacing|daily budget|spend status|spent|overspen\w*)\b"
    r"|campaign \d+|出价|竞价|展示|消耗|活动\s*\d+",
    "campaigns": r"\b(tests?|experiments?|variants?|control|treatment|significan\w*|channels?|allocat\w*|months?|weekdays?"
    r"|(mon|tues|wednes|thurs|fri|satur|sun)days?|seasonal\w*|plan|promotion|push|holiday)\b"
    r"|实验|对照|渠道|季节|周几|星期|方案|计划|推广",
}
# Tools whose phrases ("write", "recommend") are common outside marketing: they need an anchor.
GENERIC_TOOLS = ("compose_headlines", "recommend_products")
MARKETING_ANCHOR = re.compile(
    r"\b(products?|items?|customers?|clients?|shoppers?|campaigns?|ads?|advert\w*|copy|brand|shop|store|sku|promo\w*"
    r"|marketing|headlines?|slogans?|taglines?|one-?liners?|emails? (subject|headline|campaign))\b"
    r"|产品|商品|客户|顾客|广告|活动|品牌|店|文案|营销|标题|宣传|卖点|口号",
    re.I,
)

AGENT_OF_TOOL = {
    **dict.fromkeys(
        [
            "lapsing_customers",
            "rfm_segments",
            "customer_lifetime_value",
            "customer_profile",
            "recommend_products",
            "similar_products",
        ],
        "profiling",
    ),
    **dict.fromkeys(["compose_headlines", "selling_points", "check_compliance"], "creative"),
    **dict.fromkeys(["optimal_price", "price_elasticity", "discount_effect", "set_product_price"], "pricing"),
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
    **dict.fromkeys(
        ["ab_test", "budget_split", "sales_seasonality", "campaign_plan", "email_targeting", "campaign_effect"],
        "campaigns",
    ),
}

_ID = r"\s*(?:#|no\.?|number|id|编号|号)?\s*[:：]?\s*(\d+)"
_PRODUCT = re.compile(r"(?:product|item|sku|prod\.|产品|商品|货品|单品)" + _ID + r"|(\d+)\s*号\s*(?:产品|商品)", re.I)
_CUSTOMER = re.compile(
    r"(?:customer|client|buyer|shopper|客户|顾客|用户|会员|买家)"
    + _ID
    + r"|(\d{4,})\s*(?:号|这个|这位|这名)?\s*(?:客户|顾客|用户|会员)",
    re.I,
)
_CAMPAIGN = re.compile(r"(?:campaign|广告活动|活动|广告计划|投放计划)" + _ID + r"|(\d+)\s*号\s*(?:活动|广告活动)", re.I)
_NUM = r"(\d[\d,]*(?:\.\d+)?)"
_MONEY = re.compile(
    r"[$£€¥￥]\s*"
    + _NUM
    + r"\s*(k|千|万)?|"
    + _NUM
    + r"\s*(k|千|万)?\s*(?:dollars|pounds|euros|usd|gbp|eur|rmb|元|块|美元|英镑|欧元)|"
    + _NUM
    + r"(k)\b",
    re.I,
)
_PERCENT = re.compile(_NUM + r"\s*(?:%|％|percent|per cent)", re.I)
_RISE = re.compile(r"\b(up|raise[sd]?|increase[sd]?|rise|higher|more expensive)\b|涨价|提价|上调", re.I)
_ZHE = re.compile(r"(\d{1,2}(?:\.\d)?)\s*折")
_ZH_DIGIT = {c: i for i, c in enumerate("〇一二三四五六七八九")}
_ZH_ZHE = re.compile(r"([一二三四五六七八九])([一二三四五六七八九])?折")
_COST = re.compile(r"(?:unit cost|costs? (?:us|me)?|cost of|cost is|cost price|成本|进价)\D{0,12}?" + _NUM, re.I)
_CTR = re.compile(r"(?:p?ctr|click[- ]through(?: rate)?|点击率)\D{0,15}?" + r"(\d*\.?\d+)\s*(%|％)?", re.I)
_VPC = re.compile(r"(?:value per click|click is worth|worth|每次点击价值|点击价值)\D{0,12}?" + _NUM, re.I)
# "120 of 2400", "120/2400", "52 sign-ups from 1300", "300 clicks from 10000 sends"
_PAIR = re.compile(_NUM + r"\s*(?:[a-z\-]+\s+){0,2}(?:/|out of|of|from|in)\s*" + _NUM + r"(?!\s*(?:%|percent))", re.I)
_ZH_PAIR = re.compile(
    _NUM + r"\s*(?:个|位|名)?(?:访客|访问|用户|人)\D{0,8}?" + _NUM + r"\s*(?:个|位|名)?(?:转化|购买|下单)"
)
_ZH_PAIR_AFTER = re.compile(_NUM + r"\s*(?:个|位|名)?(?:访客|访问|用户|人)[，,]?\s*(?:转化|购买|下单)了?\s*" + _NUM)
_ARM_B = re.compile(r"\b(b|variant|treatment|new|challenger)\b|b组|b版|实验组|新版", re.I)
_TOP = re.compile(
    r"(?:top|first|best|list|show(?: me)?|give me(?: the)?|write(?: me)?|前)\s*(\d{1,2})\b|(\d{1,2})\s*(?:个|条|款|位|名)"
    r"|\b(\d{1,2})\s+(?:[a-z\-]+\s+)?(?:products|items|headlines|taglines|slogans|lines|customers|ideas|options"
    r"|recommendations|suggestions|more for|for (?=customer|client|product))\b",
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
    "黑色星期五",
    "黑五",
    "圣诞",
    "618",
    "春节",
    "情人节",
)
_NEW_PRICE = re.compile(
    r"price.{0,40}?\b(?:to|at)\s*-?\s*[$£€¥]?\s*-?" + _NUM + r"|(?:价格|售价)\D{0,6}?-?" + _NUM, re.I
)
_BID = re.compile(
    r"\b(?:bids?|max cpc|cpc)\b.{0,40}?\b(?:to|at)\s*-?\s*[$£€¥]?\s*-?" + _NUM + r"|出价\D{0,6}?-?" + _NUM, re.I
)
_BUDGET = re.compile(
    r"budget.{0,40}?\b(?:to|at|of|is)\s*-?\s*[$£€¥]?\s*-?"
    + _NUM
    + r"\s*(k|千|万)?|预算\D{0,6}?-?"
    + _NUM
    + r"\s*(千|万)?|"
    + _NUM
    + r"\s*(千|万)\s*(?:元|块)?\s*的?预算",
    re.I,
)
_ZH_AMOUNT = re.compile(
    r"(?:预算|花|投入)\D{0,4}?([一二两三四五六七八九十]{1,3})(万|千)|([一二两三四五六七八九十]{1,3})(万|千)\s*(?:元|块)?\s*的?预算"
)
_GREETING = re.compile(
    r"^\s*(hi|hello|hey|help|what can you do|who are you|你好|您好|帮助|你能做什么|你会什么)\b",
    re.I,
)
# Quoted text is data (copy to check, a text to search for), never an instruction. A single quote
# opens only after a space or colon, so "campaign 2's" is not a quote.
_QUOTED = re.compile(r"[\"“‘「](.+?)[\"”’」]|(?:(?<=^)|(?<=[\s:：]))'(.+?)'(?=[\s,.?!;:，。？！]|$)", re.S)
_LANGUAGE = re.compile(r"\bin (chinese|mandarin|english)\b|(?:用|换成|改成|翻译成)(中文|汉语|英文|英语)", re.I)


def _zh_number(s: str) -> int:
    """一..九十九 written in Chinese numerals (两 = 2)."""
    d = {c: i for i, c in enumerate("〇一二三四五六七八九")} | {"两": 2}
    if "十" not in s:
        return d.get(s, 0)
    tens, _, ones = s.partition("十")
    return (d.get(tens, 1) if tens else 1) * 10 + (d.get(ones, 0) if ones else 0)


def is_chinese(text: str) -> bool:
    return bool(_CJK.search(text))


def _num(s: str) -> float:
    return float(s.replace(",", ""))


def _scaled(value: str, suffix: str | None) -> float:
    mult = {"k": 1000.0, "千": 1000.0, "万": 10000.0}.get((suffix or "").lower(), 1.0)
    return _num(value) * mult


# "Write 3 headlines for product 21. Also, ...": a second request tacked on after the first
# sentence; the offline model answers the first (a real model can take both).
_ASIDE = re.compile(r"(?<=[.!?。！？])\s*(?:also|and also|plus|by the way|btw|另外|还有|顺便)\b.*$", re.I | re.S)


def main_ask(text: str) -> str:
    rest = _ASIDE.sub("", text)
    return rest if rest.strip() else text


def unquoted(text: str) -> str:
    """The request without its quoted spans: what it asks, not the copy it quotes (a quoted
    "set the bid to 9" is text to check, not an instruction). A wholly quoted request stays."""
    rest = _QUOTED.sub(" ", text)
    return rest if rest.strip() else text


def score_intents(text: str, allowed: set[str] | None = None) -> dict[str, float]:
    text = main_ask(unquoted(text))
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


def best_intent(
    text: str, allowed: set[str] | None = None, *, fallback: bool = True, anchored: bool = False
) -> str | None:
    """The tool a request asks for: the best tool phrase, else the specialist whose words it uses
    (then that specialist's default tool for the entities given), else None (out of scope).
    With fallback=False only a tool phrase counts (used to tell a follow-up from a new request).
    anchored: the conversation already names a product, customer or campaign ("recommend to them")."""
    text = main_ask(unquoted(text))
    e = extract(text)
    has_entity = any(k in e for k in ("product_id", "customer_id", "campaign_id"))
    if OFF_TOPIC.search(text) and not has_entity:
        return None
    scores = score_intents(text, allowed)
    if not (has_entity or anchored or MARKETING_ANCHOR.search(text)):
        for tool in GENERIC_TOOLS:
            scores.pop(tool, None)
    if scores:
        order = list(INTENTS)  # ties go to the earlier (more specific) tool
        return max(scores, key=lambda t: (scores[t], -order.index(t)))
    if not fallback:
        return None
    agents = sorted({AGENT_OF_TOOL[t] for t in allowed}) if allowed is not None else list(AGENT_WORDS)
    agent = _agent_by_words(text, e, agents)
    if agent is None and allowed is not None and len(agents) == 1 and (has_entity or MARKETING_ANCHOR.search(text)):
        agent = agents[0]  # already routed to this specialist: use its default
    return default_tool(agent, e) if agent else None


def _agent_by_words(text: str, e: dict[str, Any], agents: list[str]) -> str | None:
    counts: dict[str, float] = {a: len(re.findall(AGENT_WORDS[a], text, re.I)) for a in agents}
    if e.get("campaign_id") and "bidding" in counts:
        counts["bidding"] += 0.5
    if e.get("customer_id") and "profiling" in counts:
        counts["profiling"] += 0.5
    best = max(counts, key=lambda a: counts[a], default=None)
    return best if best is not None and counts[best] >= 1 else None


def default_tool(agent: str, e: dict[str, Any]) -> str:
    """What a specialist does with a request it owns but no tool phrase names, given its entities."""
    if agent == "profiling":
        if e.get("customer_id"):
            return "customer_profile"
        return "similar_products" if e.get("product_id") else "rfm_segments"
    if agent == "creative":
        return "check_compliance" if e.get("quoted") and not e.get("product_id") else "compose_headlines"
    if agent == "pricing":
        if e.get("unit_cost") or e.get("money"):
            return "optimal_price"
        return "discount_effect" if e.get("percent") else "price_elasticity"
    if agent == "bidding":
        if e.get("campaign_id") and e.get("bid"):
            return "set_campaign_bid"
        if e.get("campaign_id") and e.get("budget"):
            return "set_campaign_budget"
        return "impression_bid" if e.get("pctr") else "campaign_pacing"
    if e.get("ab"):
        return "ab_test"
    if e.get("occasion"):
        return "campaign_plan"
    return "budget_split" if e.get("money") or e.get("budget") else "sales_seasonality"


def is_greeting(text: str) -> bool:
    return bool(_GREETING.search(text))


def extract(text: str) -> dict[str, Any]:
    """Every entity the rules can read from `text` (keys absent when not found); quoted spans give
    only `quoted`, no ids or amounts."""
    q = _QUOTED.search(text)
    text = unquoted(text)
    out: dict[str, Any] = {}
    for key, pat in (
        ("product_id", _PRODUCT),
        ("customer_id", _CUSTOMER),
        ("campaign_id", _CAMPAIGN),
    ):
        m = pat.search(text)
        if m:
            out[key] = int(m.group(1) or m.group(2))
    money = [
        _scaled(m.group(1) or m.group(3) or m.group(5), m.group(2) or m.group(4) or m.group(6))
        for m in _MONEY.finditer(text)
    ]
    if money:
        out["money"] = money
    m = _PERCENT.search(text)
    if m:
        out["percent"] = _num(m.group(1))
        cut = r"discount|off\b|cheaper|(cut|lower|drop|reduce)\w* (the |its )?price|price (cut|drop)|折|降价"
        if _RISE.search(text) and not re.search(cut, text, re.I):
            out["percent"] = -out["percent"]  # "put the price up 10%": a price rise, a negative discount
    else:
        z = _ZHE.search(text)
        zz = _ZH_ZHE.search(text)
        if z:
            v = float(z.group(1))
            out["percent"] = round(100 - (v * 10 if v < 10 else v), 2)
        elif zz:  # 九折 = 10% off, 八五折 = 15% off
            v = _ZH_DIGIT[zz.group(1)] + (_ZH_DIGIT[zz.group(2)] / 10 if zz.group(2) else 0.0)
            out["percent"] = round(100 - 10 * v, 2)
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
    found = [(m.start(), _num(m.group(1)), _num(m.group(2))) for m in _PAIR.finditer(text)]
    found += [(m.start(), _num(m.group(2)), _num(m.group(1))) for m in _ZH_PAIR.finditer(text)]
    found += [(m.start(), _num(m.group(2)), _num(m.group(1))) for m in _ZH_PAIR_AFTER.finditer(text)]
    if len(found) >= 2:
        (s1, *p1), (s2, *p2) = sorted(found)[:2]
        (ca, na), (cb, nb) = p1, p2  # as given: "300 of 200" is an error for the tool to name, not to fix
        if _ARM_B.search(text[max(0, s1 - 30) : s1]) and not _ARM_B.search(text[s1:s2]):
            (ca, na), (cb, nb) = (cb, nb), (ca, na)  # B was given first
        out["ab"] = (int(ca), int(na), int(cb), int(nb))
    m = _TOP.search(text)
    if m:
        out["count"] = int(m.group(1) or m.group(2) or m.group(3))
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
    occ = next((o for o in _OCCASIONS if re.search(rf"(?<!\d){re.escape(o)}(?!\d)", low)), None)
    if occ:
        out["occasion"] = occ.title() if occ.isascii() else occ
    m = _NEW_PRICE.search(text)
    if m:
        out["new_price"] = _num(m.group(1) or m.group(2))
    m = _BID.search(text)
    if m:
        out["bid"] = _num(m.group(1) or m.group(2))
    z3 = _ZH_AMOUNT.search(text)
    if z3:  # 预算两万, 三千元的预算
        out["budget"] = _zh_number(z3.group(1) or z3.group(3)) * (
            10000 if (z3.group(2) or z3.group(4)) == "万" else 1000
        )
    m = _BUDGET.search(text)
    if m:
        out["budget"] = _scaled(m.group(1) or m.group(3) or m.group(5), m.group(2) or m.group(4) or m.group(6))
    if q:
        out["quoted"] = q.group(1) or q.group(2)
    lang = _LANGUAGE.search(text)
    if lang:
        out["language"] = (
            "zh" if re.match(r"chinese|mandarin|中文|汉语", lang.group(1) or lang.group(2), re.I) else "en"
        )
    for strat in ("rlb", "mcpc", "lin"):  # "用mcpc策略": no \b between Chinese and Latin letters
        if re.search(rf"(?<![a-z]){strat}(?![a-z])", text, re.I):
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
    elif tool in ("lapsing_customers", "customer_lifetime_value"):
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
        a["language"] = e.get("language") or ("zh" if is_chinese(text) else "en")
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
            _signed(e, _first(e.get("budget"), money)),
            "new daily budget",
        )
    elif tool == "set_product_price":
        want("product_id", e.get("product_id"), "product id")
        want("price", _signed(e, _first(e.get("new_price"), money)), "new price")
    elif tool == "set_campaign_bid":
        want("campaign_id", e.get("campaign_id"), "campaign id")
        want("bid", _signed(e, _first(e.get("bid"), money)), "new bid")
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
    elif tool == "email_targeting":
        if e.get("percent") and 0 < e["percent"] <= 100:
            a["share"] = e["percent"] / 100
    elif tool == "campaign_plan":
        total = e.get("budget") or (money[0] if money else None)
        if total:
            a["total_budget"] = _signed(e, total)
        if e.get("occasion"):
            a["occasion"] = e["occasion"]
    return Plan(tool, a, need)


def _first(value: float | None, money: list[float]) -> float | None:
    """The value read for this argument, else the first amount of money in the request (0 counts)."""
    return value if value is not None else (money[0] if money else None)


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
    if m:
        return m.group(1).strip(" ?.!")
    z = re.search(r"(?:和|跟|与|像)([\u4e00-\u9fffA-Za-z ]{2,30}?)(?:类似|相似|差不多|一样)", text)
    return z.group(1).strip() if z else None
