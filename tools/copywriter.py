"""Ad copy composed from fragments: templates x the product's real attributes x a tone lexicon, cut
to a platform's fields and limits, then the most distinct set chosen (engine/textfit.py).

Only the shop's facts reach the copy (price, units sold, buyers, repeat buyers, the month it sells
most, how many countries buy it, its sales rank, and its name). The name comes from the catalog
description, which is data, not instructions: `clean_description` keeps only catalog words.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Literal

from engine.compliance import check_copy
from engine.textfit import DiverseSet, Language, Pool, char_count, distinct_2
from vectorstore.glossary import Name, catalog_words, glossary, passes_through, tokens

Platform = Literal["google_rsa", "meta", "wechat_moments", "xiaohongshu", "none"]
Tone = Literal["playful", "premium", "urgent", "warm", "none"]
Segment = Literal["new", "lapsed", "vip"]


@dataclass(frozen=True)
class Slot:
    """One field of an ad and its length limit (None: no limit); `wide` is what a double-width
    (Chinese) character counts for on the platform."""

    name: str
    limit: int | None
    wide: int = 1


@dataclass(frozen=True)
class PlatformSpec:
    label: tuple[str, str]  # English, Chinese
    slots: tuple[Slot, ...]
    counting: str


PLATFORMS: dict[str, PlatformSpec] = {
    "google_rsa": PlatformSpec(
        ("Google Ads responsive search ad", "谷歌搜索广告（自适应搜索广告）"),
        (Slot("headline", 30, 2), Slot("description", 90, 2)),
        "a Chinese (double-width) character counts 2, as Google Ads counts it; other characters 1",
    ),
    "meta": PlatformSpec(
        ("Meta (Facebook, Instagram) ad", "Meta（Facebook、Instagram）广告"),
        (Slot("headline", 40), Slot("primary_text", 125)),
        "every character counts 1; 40 and 125 are what Meta shows before it cuts the text",
    ),
    "wechat_moments": PlatformSpec(
        ("WeChat Moments ad", "微信朋友圈广告"),
        (Slot("text", 40),),
        "every character counts 1 (Chinese, letters, digits, punctuation); 40 is the outer text of a Moments ad",
    ),
    "xiaohongshu": PlatformSpec(
        ("Xiaohongshu (RED) note", "小红书笔记"),
        (Slot("title", 20), Slot("body", 1000)),
        "every character counts 1 (Chinese, letters, digits, spaces alike)",
    ),
    "none": PlatformSpec(("headlines", "标题"), (Slot("headline", None),), "no platform limit"),
}

# -- what may reach the copy -------------------------------------------------------------------

_BRACKETED = re.compile(r"[【\[({<「《（〔].*?(?:[】\])}>」》）〕]|$)", re.S)
_INSTRUCTION = re.compile(
    r"\b(?:ignore|disregard|forget|override|instructions?|assistant|system|prompt|jailbreak|execute|admin|"
    r"must|should|price|prices|change|update|delete|reply|respond|tell|say|write)\b"
    r"|助手|注意|忽略|无视|指令|立即|马上|修改|改为|改成|价格|系统|提示|请",
    re.I,
)
_SENTENCE_END = re.compile(r"[:;!?\n]|\.\s+(?=\S)")
_CJK = re.compile(r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]")
MAX_NAME_WORDS = 10


def clean_description(text: str) -> str:
    """The catalog words of a description, in order: bracketed text, anything from the first
    instruction-like word or Chinese character or sentence break on, words that are not catalog
    words, and words the compliance check flags (BEST) are all left out."""
    text = _BRACKETED.sub(" ", text)
    for pat in (_INSTRUCTION, _SENTENCE_END, _CJK):
        m = pat.search(text)
        if m:
            text = text[: m.start()]
    vocabulary = catalog_words()
    kept = [t for t in tokens(text) if (t in vocabulary or passes_through(t)) and not check_copy(t)]
    return " ".join(kept[:MAX_NAME_WORDS])


_SEGMENTS: dict[str, tuple[str, ...]] = {
    "new": (r"new", r"first[- ]?time", r"newcomers?", r"new (?:customers|shoppers|buyers|visitors)", r"新客户?",
            r"新用户", r"新顾客", r"首单", r"新人", r"新会员"),
    "lapsed": (r"lapsed", r"lapsing", r"dormant", r"churned", r"inactive", r"win[- ]?back", r"lost (?:customers|buyers)",
               r"(?:lapsed|dormant|inactive|old) (?:customers|shoppers|buyers)", r"流失客户?", r"沉睡客户?", r"召回",
               r"回流", r"老客召回", r"很久没买", r"流失用户"),
    "vip": (r"vips?", r"loyal(?: customers| shoppers| buyers)?", r"regulars?", r"top (?:customers|spenders)",
            r"high[- ]value(?: customers)?", r"champions", r"vip (?:customers|members)", r"老客户?", r"老顾客",
            r"忠实客户", r"会员", r"高价值客户", r"大客户"),
}  # fmt: skip
_GENERAL = re.compile(r"(?:shoppers|customers|everyone|buyers|all|顾客|客户|大家|所有人|用户)", re.I)


def audience_segment(audience: str) -> Segment | None:
    """new, lapsed or vip when the audience names one of these segments (in English or Chinese)."""
    a = audience.strip().lower()
    for seg, pats in _SEGMENTS.items():
        if any(re.fullmatch(p, a) for p in pats):
            return seg  # type: ignore[return-value]
    return None


def clean_audience(audience: str, language: Language) -> str | None:
    """Free-text audience as it may appear in copy (None: speak to everyone): brackets and anything
    from an instruction-like word on are left out, then letters only, at most 30 characters."""
    text = _BRACKETED.sub(" ", audience)
    m = _INSTRUCTION.search(text)
    text = text[: m.start()] if m else text
    allowed = r"[^A-Za-z\u4e00-\u9fff' \-]" if language == "zh" else r"[^A-Za-z' \-]"
    text = re.sub(r"\s+", " ", re.sub(allowed, " ", text)).strip(" -'")[:30].strip()
    if not text or _GENERAL.fullmatch(text):
        return None
    return text


# -- the facts ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Facts:
    """What the copy may say about a product: all of it from the shop's data."""

    product_id: int
    description: str  # cleaned
    price: float
    units_sold: int
    customers: int
    repeat_pct: float
    best_month: str | None  # Jan..Dec
    countries: int
    rank: int
    name_en: Name = field(init=False)
    name_zh: Name = field(init=False)

    def __post_init__(self) -> None:
        if self.description:
            en, zh = glossary().names(self.description)
        else:
            en = Name(f"Product {self.product_id}", f"Product {self.product_id}", f"Product {self.product_id}")
            zh = Name(f"商品{self.product_id}", f"商品{self.product_id}", f"商品{self.product_id}")
        object.__setattr__(self, "name_en", en)
        object.__setattr__(self, "name_zh", zh)

    @property
    def top_n(self) -> int | None:
        """The smallest of top 10 / 25 / 50 / 100 the product's sales rank is within, if any."""
        return next((n for n in (10, 25, 50, 100) if self.units_sold and self.rank <= n), None)


_MONTH_EN = {
    "Jan": "January", "Feb": "February", "Mar": "March", "Apr": "April", "May": "May", "Jun": "June",
    "Jul": "July", "Aug": "August", "Sep": "September", "Oct": "October", "Nov": "November", "Dec": "December",
}  # fmt: skip
_MONTH_NO = {m: i for i, m in enumerate(_MONTH_EN, 1)}


# -- the lexicons -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Lexicon:
    opens: tuple[str, ...]  # put right before a name
    adjs: tuple[str, ...]
    ctas: tuple[str, ...]
    lines: tuple[str, ...]  # a sentence in the tone, for the longer fields
    tags: tuple[str, ...] = ()  # hashtags (Xiaohongshu)


TONES_EN: dict[str, Lexicon] = {
    "none": Lexicon(
        ("Meet the", "Discover the", "Introducing the", "Take home the", "Say hello to the"),
        ("lovely", "charming", "handy", "classic", "pretty"),
        ("Shop now", "Order today", "Take a look", "See it today", "Add it to your basket", "Find yours"),
        ("A lovely piece for any home.", "Easy to love, easy to give.", "A charming everyday find.",
         "Simple, pretty and useful.", "Good for gifting or keeping."),
        ("#homedecor", "#giftideas", "#shopfinds"),
    ),
    "playful": Lexicon(
        ("Say hi to the", "Psst: the", "Oh hello,", "Ta-da! The", "Look who's here: the", "Spot the"),
        ("cute", "cheery", "fun", "jolly", "sweet", "cheeky"),
        ("Go on, treat yourself", "Grab one", "Pop one in your basket", "Why not?", "Your shelf says yes",
         "Snap one up"),
        ("Cute? Very.", "Go on, you deserve a treat.", "Warning: may cause smiling.", "Fun in a box, basically.",
         "Happy shelf, happy you.", "Tiny joy, big grin."),
        ("#cutefinds", "#treatyourself", "#happyhome"),
    ),
    "premium": Lexicon(
        ("Discover the", "Introducing the", "Presenting the", "Quietly elegant: the", "Considered design: the"),
        ("elegant", "timeless", "refined", "graceful", "understated", "classic"),
        ("Discover it today", "Make it yours", "Add a refined touch", "Shop the piece", "Elevate your space",
         "Explore it now"),
        ("Quietly elegant, made for your home.", "Refined, simple and timeless.", "Understated style in every detail.",
         "Designed to be noticed, never loud.", "Grace for everyday moments."),
        ("#timelessstyle", "#elegantliving", "#interiorstyle"),
    ),
    "urgent": Lexicon(
        ("Don't wait: the", "Today: the", "Get yours: the", "Order now: the", "Now's the time: the"),
        ("go-to", "handy", "ready-to-gift", "everyday", "easy-to-love"),
        ("Order now", "Order today", "Get yours today", "Don't wait", "Grab yours now", "Buy it today"),
        ("Don't wait to order yours.", "Order now and it's yours.", "Why wait? Get yours today.",
         "Today is a good day to order.", "Add it now, thank us later."),
        ("#ordernow", "#dontmissout", "#getyours"),
    ),
    "warm": Lexicon(
        ("With love: the", "For someone special: the", "A little something: the", "Cosy up with the",
         "Share the joy: the"),
        ("lovely", "cosy", "charming", "heartfelt", "thoughtful", "sweet"),
        ("Make someone smile", "Gift it with love", "Brighten someone's day", "Share a little joy",
         "Treat someone dear", "Bring it home"),
        ("A little something for someone dear.", "Made for moments shared at home.", "Small, warm and easy to give.",
         "For the people who make home, home.", "A kind gift says a lot."),
        ("#giftedwithlove", "#cosyhome", "#littlejoys"),
    ),
}  # fmt: skip
TONES_ZH: dict[str, Lexicon] = {
    "none": Lexicon(
        ("推荐：", "看看这款", "为你推荐", "好物推荐：", "来看看", "分享一款"),
        ("实用的", "好看的", "百搭的", "经典的", "漂亮的", "耐看的"),
        ("立即选购", "点击了解", "马上看看", "下单入手", "快来看看", "带它回家", "加入购物车", "去店里逛逛"),
        ("居家送礼都合适。", "好看又实用。", "日常百搭的好物。", "简单耐看，用得顺手。", "自用送人两相宜。",
         "放在家里刚刚好。", "小物件，大用处。", "颜值和实用都在线。"),
        ("#居家好物", "#好物分享", "#家居装饰"),
    ),
    "playful": Lexicon(
        ("哇！", "嘿，", "宝子们！", "谁懂啊！", "快看！", "偷偷告诉你："),
        ("萌萌的", "超可爱的", "俏皮的", "好玩的", "元气满满的", "软乎乎的"),
        ("冲鸭！", "抱走它！", "快安排上！", "收下吧！", "心动就拍", "速速拿下", "带它回家玩", "快来pick"),
        ("可爱到犯规！", "颜值超在线～", "谁看了不心动呀！", "快乐就这么简单～", "每天都被萌到。",
         "看一眼就笑出来。", "小可爱一枚，请查收。", "治愈系小物来报到。"),
        ("#可爱好物", "#好物分享", "#少女心"),
    ),
    "premium": Lexicon(
        ("臻选：", "格调之选：", "质感好物：", "雅致生活：", "品味之选：", "精选："),
        ("精致的", "典雅的", "经典的", "优雅的", "简约的", "考究的"),
        ("静享质感", "品味生活", "点亮居家格调", "为家添一份讲究", "细节见品味", "即刻拥有", "收藏这份从容",
         "让美好常驻"),
        ("细节处见质感。", "简约而大方。", "经典耐看，越看越喜欢。", "低调的精致，耐得住细看。", "让日常多一分讲究。",
         "安静的美，不张扬。", "每个角落都值得被认真对待。", "耐看的设计，不怕细看。"),
        ("#质感生活", "#精致生活", "#家居美学"),
    ),
    "urgent": Lexicon(
        ("马上入手：", "现在就带走：", "别等了：", "速来：", "赶紧看：", "今天就拍："),
        ("实用的", "常备的", "顺手的", "好用的", "百搭的", "省心的"),
        ("马上下单", "现在入手", "立即购买", "赶紧拍下", "别再犹豫", "今天就带走", "先买为敬", "快去抢"),
        ("喜欢就别犹豫。", "现在买，早点拥有。", "看中了就快下手。", "今天拍下，早一步用上。", "心动不如行动。",
         "犹豫一下就错过了心动。", "想要就趁现在。", "早买早享受。"),
        ("#今日推荐", "#赶紧入手", "#好物速递"),
    ),
    "warm": Lexicon(
        ("暖心推荐：", "送给你爱的人：", "一份小心意：", "温情陪伴：", "用心挑选：", "给家一点温度："),
        ("温馨的", "暖心的", "柔软的", "贴心的", "柔和的", "温柔的"),
        ("把温暖带回家", "送给重要的人", "让家更温馨", "传递一份心意", "陪伴每一天", "和家人一起分享",
         "给生活添点甜", "带一份柔软回家"),
        ("家的味道，从小物开始。", "送给重要的人，刚刚好。", "小小心意，满满爱意。", "温柔地陪伴每一天。",
         "给爱的人一点惊喜。", "日子因为小物而柔软。", "把心意放进细节里。", "平凡日子里的小幸福。"),
        ("#暖心好物", "#温馨小家", "#送礼物"),
    ),
}  # fmt: skip
# Occasions: openings, calls to action and sentences that name the day (each holds its marker word).
OCCASIONS_EN: dict[str, tuple[str, Lexicon]] = {
    "christmas": ("Christmas", Lexicon(("This Christmas: the", "Christmas pick: the", "For Christmas: the"), (),
                                       ("Shop for Christmas", "Gift it this Christmas"),
                                       ("Christmas is coming.", "A Christmas pick.", "Ready for Christmas?"),
                                       ("#christmasgifts",))),
    "valentine": ("Valentine", Lexicon(("For your Valentine: the", "Valentine's pick: the"), (),
                                       ("Gift it this Valentine's", "Spoil your Valentine"),
                                       ("Valentine's Day is coming.", "A Valentine's pick."), ("#valentines",))),
    "black friday": ("Black Friday", Lexicon(("Black Friday: the", "This Black Friday: the"), (),
                                             ("Shop Black Friday", "Don't miss Black Friday"),
                                             ("Black Friday is here.", "A Black Friday pick."), ("#blackfriday",))),
    "mother": ("Mother's Day", Lexicon(("For Mother's Day: the", "Mother's Day pick: the"), (),
                                       ("Spoil Mum this Mother's Day", "Gift it this Mother's Day"),
                                       ("Mother's Day is coming.", "A Mother's Day pick."), ("#mothersday",))),
    "father": ("Father's Day", Lexicon(("For Father's Day: the", "Father's Day pick: the"), (),
                                       ("Gift it this Father's Day",),
                                       ("Father's Day is coming.", "A Father's Day pick."), ("#fathersday",))),
    "halloween": ("Halloween", Lexicon(("This Halloween: the", "Halloween pick: the"), (), ("Shop for Halloween",),
                                       ("Halloween is coming.", "A Halloween pick."), ("#halloween",))),
    "easter": ("Easter", Lexicon(("This Easter: the", "Easter pick: the"), (), ("Gift it this Easter",),
                                 ("Easter is coming.", "An Easter pick."), ("#easter",))),
    "new year": ("New Year", Lexicon(("New Year, new: the", "For the New Year: the"), (), ("Start the New Year with it",),
                                     ("Ring in the New Year.", "A New Year pick."), ("#newyear",))),
}  # fmt: skip
OCCASIONS_ZH: dict[str, tuple[str, Lexicon]] = {
    "圣诞": ("圣诞", Lexicon(("圣诞好礼：", "圣诞将至："), (), ("圣诞就送它", "圣诞礼物就选它"),
                           ("圣诞节快到了。", "圣诞礼物，早点准备。"), ("#圣诞礼物",))),
    "情人节": ("情人节", Lexicon(("情人节好礼：", "送给TA的情人节礼物："), (), ("情人节就送它",),
                             ("情人节快到了。", "情人节礼物，早点准备。"), ("#情人节礼物",))),
    "黑五": ("黑五", Lexicon(("黑五好物：", "黑五必买："), (), ("黑五快入手",), ("黑五来了。", "黑五好物推荐。"), ("#黑五",))),
    "双十一": ("双十一", Lexicon(("双十一好物：", "双十一必买："), (), ("双十一快入手",),
                             ("双十一来了。", "双十一好物推荐。"), ("#双十一",))),
    "双十二": ("双十二", Lexicon(("双十二好物：",), (), ("双十二快入手",), ("双十二来了。",), ("#双十二",))),
    "母亲节": ("母亲节", Lexicon(("母亲节好礼：", "送给妈妈："), (), ("母亲节就送它",),
                             ("母亲节快到了。", "母亲节礼物，早点准备。"), ("#母亲节",))),
    "父亲节": ("父亲节", Lexicon(("父亲节好礼：",), (), ("父亲节就送它",), ("父亲节快到了。",), ("#父亲节",))),
    "复活节": ("复活节", Lexicon(("复活节好礼：",), (), ("复活节就送它",), ("复活节快到了。",), ("#复活节",))),
    "万圣节": ("万圣节", Lexicon(("万圣节好物：",), (), ("万圣节就选它",), ("万圣节快到了。",), ("#万圣节",))),
    "春节": ("春节", Lexicon(("春节好物：", "新春好礼："), (), ("春节就带它回家",), ("春节快到了。",), ("#春节",))),
    "新年": ("新年", Lexicon(("新年好物：", "新年新气象："), (), ("新年就带它回家",), ("新年快乐。",), ("#新年",))),
}  # fmt: skip
_OCCASION_ALIASES = {"xmas": "christmas", "黑色星期五": "黑五", "双11": "双十一", "双12": "双十二", "元旦": "新年",
                     "mum": "mother", "mom": "mother", "dad": "father", "年货": "春节", "新春": "春节"}  # fmt: skip


def occasion_lexicon(occasion: str | None, language: Language) -> tuple[str, Lexicon] | None:
    """The words for an occasion (its marker word and lexicon) in a language, or None for none known.
    An occasion named in the other language is found through the English key."""
    if not occasion:
        return None
    low = occasion.lower()
    for alias, key in _OCCASION_ALIASES.items():
        low = low.replace(alias, key)
    zh_of = {"christmas": "圣诞", "valentine": "情人节", "black friday": "黑五", "mother": "母亲节", "father": "父亲节",
             "new year": "新年", "情人节": "情人节"}  # fmt: skip
    en_of = {zh: en for en, zh in zh_of.items()}
    table = OCCASIONS_ZH if language == "zh" else OCCASIONS_EN
    for key in table:
        if key in low:
            return table[key]
    for key, other in (zh_of if language == "zh" else en_of).items():
        if key in low and other in table:
            return table[other]
    return None


# Audience: openings for a line, a noun for "for ...", and sentences (English, Chinese).
SEGMENTS_EN: dict[str, tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]] = {
    "new": (("New here?", "First order?", "New to us?", "Just found us?"), ("new shoppers", "first-timers"),
            ("New here? Start with this one.", "A first pick for new shoppers.", "Just found us? Say hello.")),
    "lapsed": (("Welcome back!", "We've missed you!", "Been a while?", "Missed us?"), ("old friends", "returning shoppers"),
               ("We've missed you.", "Welcome back, it's been a while.", "Good to see you again.")),
    "vip": (("For our regulars:", "Just for you:", "You've got taste:", "A regular's pick:"), ("our regulars", "loyal shoppers"),
            ("A pick for our regulars.", "Thanks for shopping with us again.", "You know a good find.")),
}  # fmt: skip
SEGMENTS_ZH: dict[str, tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]] = {
    "new": (("新朋友看过来：", "初次见面：", "新客看这里：", "刚认识你："), ("新朋友", "新客"),
            ("新朋友，先认识一下它。", "初次见面，就从它开始吧。", "刚来的你，可以先看看它。")),
    "lapsed": (("好久不见：", "想你啦：", "欢迎回来：", "老朋友回来啦："), ("老朋友", "回来的你"),
               ("好久不见，我们想你了。", "欢迎回来看看。", "老朋友，又见面啦。")),
    "vip": (("老顾客看这里：", "懂行的你：", "给老朋友：", "专为你挑选："), ("老顾客", "懂行的你"),
            ("感谢你一直以来的支持。", "懂行的你一定喜欢。", "给常来的你挑了这一款。")),
}  # fmt: skip


# -- fragments ----------------------------------------------------------------------------------


def _over(n: int) -> int | None:
    """n rounded down to two significant figures (36,782 -> 36,000), when that says less than n."""
    if n < 100:
        return None
    step = 10 ** (len(str(n)) - 2)
    low = n // step * step
    return low if low < n else None


def _facts_en(f: Facts) -> list[tuple[list[str], list[str]]]:
    """Per fact, price first: short phrasings (for a line) and sentences (for the longer fields)."""
    price = f"£{f.price:.2f}"
    out = [
        (
            [f"just {price}", f"only {price}", f"{price} each"],
            [f"Yours for {price}.", f"Just {price} each.", f"Priced at {price}.", f"All yours at {price}."],
        ),
    ]
    if f.units_sold:
        u, over = f"{f.units_sold:,}", _over(f.units_sold)
        out.append(
            (
                [f"{u} sold"] + ([f"over {over:,} sold"] if over else []),
                [f"{u} sold so far.", f"Shoppers have bought {u}.", f"We've sold {u} of them."]
                + ([f"More than {over:,} have found a home."] if over else []),
            )
        )
    if f.customers > 1:
        c, over = f"{f.customers:,}", _over(f.customers)
        out.append(
            (
                [f"{c} buyers"],
                [f"Chosen by {c} customers.", f"{c} shoppers have ordered it.", f"Picked by {c} customers."]
                + ([f"Over {over:,} customers have ordered one."] if over else []),
            )
        )
    if f.repeat_pct >= 10:
        r = f"{f.repeat_pct:.0f}%"
        out.append(
            (
                [f"{r} buy again"],
                [f"{r} of buyers came back for more.", f"{r} of its buyers reordered.", f"{r} ordered it again."],
            )
        )
    if f.best_month:
        month = _MONTH_EN[f.best_month]
        out.append(
            (
                [f"{'an' if month[0] in 'AEIOU' else 'a'} {month} favourite"],
                [
                    f"{'An' if month[0] in 'AEIOU' else 'A'} {month} favourite with our customers.",
                    f"Everyone wants one in {month}.",
                    f"Most popular in {month}.",
                ],
            )
        )
    if f.countries > 1:
        n = f.countries
        out.append(
            (
                [f"bought in {n} countries"],
                [f"Bought in {n} countries.", f"Customers in {n} countries buy it.", f"Ordered from {n} countries."],
            )
        )
    if f.top_n:
        t = f.top_n
        out.append(
            (
                [f"a top-{t} seller"],
                [f"One of our top {t} sellers.", f"A top-{t} seller in our shop.", f"In our top {t} by sales."],
            )
        )
    return out  # fmt: skip


def _facts_zh(f: Facts) -> list[tuple[list[str], list[str]]]:
    price = f"£{f.price:.2f}"
    out = [
        (
            [f"仅{price}", f"{price}入手", f"只要{price}"],
            [f"只要{price}就能带回家。", f"售价{price}。", f"一件{price}。", f"{price}就能拥有。"],
        ),
    ]
    if f.units_sold:
        u, over = f"{f.units_sold:,}", _over(f.units_sold)
        wan = f"{over / 10_000:g}万" if over and over >= 10_000 else (f"{over:,}" if over else None)
        out.append(
            (
                [f"已售{u}件"] + ([f"已售超{wan}件"] if wan else []),
                [f"已经卖出{u}件。", f"累计售出{u}件。", f"{u}件已被带走。", f"卖出了{u}件。"]
                + ([f"销量突破{wan}件。"] if wan else []),
            )
        )
    if f.customers > 1:
        c = f"{f.customers:,}"
        out.append(
            (
                [f"{c}位顾客已入手"],
                [f"{c}位顾客买过它。", f"已有{c}位顾客带它回家。", f"{c}位买家的选择。", f"{c}位顾客已经下单。"],
            )
        )
    if f.repeat_pct >= 10:
        r = f"{f.repeat_pct:.0f}%"
        out.append(
            (
                [f"{r}的买家回购"],
                [f"{r}的买家再次购买。", f"回购率{r}。", f"{r}的人买了还想买。", f"{r}的老顾客又来回购。"],
            )
        )
    if f.best_month:
        m = _MONTH_NO[f.best_month]
        out.append(
            (
                [f"{m}月热卖"],
                [f"{m}月大家都在抢。", f"{m}月卖得很火。", f"{m}月份特别畅销。", f"{m}月下单的人格外多。"],
            )
        )
    if f.countries > 1:
        n = f.countries
        out.append(
            (
                [f"{n}国顾客都在买"],
                [f"{n}个国家的顾客都在买。", f"远销{n}个国家。", f"买家来自{n}个国家。", f"{n}国买家都下过单。"],
            )
        )
    if f.top_n:
        t = f.top_n
        out.append(([f"店内热销前{t}"], [f"店内销量前{t}。", f"本店热销榜前{t}。", f"位列店内销量前{t}。"]))
    return out  # fmt: skip


def _shorts(groups: list[tuple[list[str], list[str]]]) -> list[str]:
    return [p for short, _ in groups for p in short]


def _names(name: Name) -> list[str]:
    """The forms copy may name a product by; an English one-word form of a longer name says too
    little alone ("the Lights" of Chilli Lights, "the Holder" of a T-light holder) and is left out."""
    forms = [name.full, name.short, name.head]
    if name.full.isascii() and " " in name.full:
        forms = [x for x in forms if " " in x or x == name.full]
    return list(dict.fromkeys(forms))


def _cap(s: str) -> str:
    return s[:1].upper() + s[1:]


def _lines(f: Facts, lex: Lexicon, segment: Segment | None, audience: str | None, language: Language,
           *, bare: bool) -> Iterator[str]:  # fmt: skip
    """Candidate lines (headline, title, text), round robin over shapes so that early candidates
    differ in shape; `bare`: shapes without the product's name too (another field names it)."""
    zh = language == "zh"
    groups = _facts_zh(f) if zh else _facts_en(f)
    short, prices = _shorts(groups), groups[0][0]
    heads, nouns, _ = (SEGMENTS_ZH if zh else SEGMENTS_EN)[segment] if segment else ((), (), ())
    if audience and not segment:
        heads, nouns = _free_audience(audience, zh)
    prod = itertools.product

    def shapes_en(x: str) -> list[Iterator[str]]:  # x bound per name form
        out: list[Iterator[str]] = [
            (f"{o} {x}" for o in lex.opens),
            (f"{_cap(a)} {x}, {fact}" for a, fact in prod(lex.adjs, short)),
            (f"{x}: {a}, {fact}" for a, fact in prod(lex.adjs, short)),
            (f"{_cap(fact)}. {_cap(a)} {x}" for fact, a in prod(short, lex.adjs)),
            (f"{x}. {c}" for c in lex.ctas),
            (f"{c}: {x}" for c in lex.ctas),
            (f"{o} {x}, {fact}" for o, fact in prod(lex.opens, short)),
            (f"{x}, {fact}. {c}" for fact, c in prod(short, lex.ctas)),
            (f"{_cap(a)} {x}" for a in lex.adjs),
            (f"{o} {x}. {c}" for o, c in prod(lex.opens, lex.ctas)),  # the tone's or the day's words at both ends
            (f"{x}. {line}" for line in lex.lines),
        ]
        if heads:
            out += [
                (f"{h} {_cap(a)} {x}" for h, a in prod(heads, lex.adjs)),
                (f"{h} {x}, {fact}" for h, fact in prod(heads, short)),
                (f"{_cap(a)} {x} for {n}" for a, n in prod(lex.adjs, nouns)),
                (f"{h} {x}. {c}" for h, c in prod(heads, lex.ctas)),
                (f"{h} {x}, {fact}. {c}" for h, fact, c in prod(heads, short, lex.ctas)),
            ]
        return out

    def shapes_zh(x: str) -> list[Iterator[str]]:
        out: list[Iterator[str]] = [
            (f"{o}{x}" for o in lex.opens),
            (f"{a}{x}，{fact}" for a, fact in prod(lex.adjs, short)),
            (f"{x}：{a.removesuffix('的')}，{fact}" for a, fact in prod(lex.adjs, short)),
            (f"{fact}｜{a}{x}" for fact, a in prod(short, lex.adjs)),
            (f"{x}，{c}" for c in lex.ctas),
            (f"{c}：{x}" for c in lex.ctas),
            (f"{o}{x}，{fact}" for o, fact in prod(lex.opens, short)),
            (f"{x}，{fact}，{c}" for fact, c in prod(short, lex.ctas)),
            (f"{o}{a}{x}，{fact}，{c}" for o, a, fact, c in zip(lex.opens, lex.adjs, short, lex.ctas, strict=False)),
            (f"{a}{x}，{fact1}，{fact2}" for a, (fact1, fact2) in prod(lex.adjs, itertools.combinations(short, 2))),
            (f"{o}{x}，{c}" for o, c in prod(lex.opens, lex.ctas)),  # the tone's or the day's words at both ends
            (f"{x}，{line}" for line in lex.lines),
        ]
        if heads:
            out += [
                (f"{h}{a}{x}" for h, a in prod(heads, lex.adjs)),
                (f"{h}{x}，{fact}" for h, fact in prod(heads, short)),
                (f"给{n}的{a.removesuffix('的')}{x}" for a, n in prod(lex.adjs, nouns)),
                (f"{h}{x}，{c}" for h, c in prod(heads, lex.ctas)),
                (f"{h}{x}，{fact}，{c}" for h, fact, c in prod(heads, short, lex.ctas)),
            ]
        return out

    shapes = shapes_zh if zh else shapes_en
    templates = [t for x in _names(f.name_zh if zh else f.name_en) for t in shapes(x)]
    if bare:  # a fact and a call to action, an adjective and a fact, an audience and a fact
        if zh:
            templates += [
                (f"{fact}，{c}" for fact, c in prod(short, lex.ctas)),
                (f"{a.removesuffix('的')}又好价，{fact}" for a, fact in prod(lex.adjs, short[len(prices) :])),
                (f"{h}{fact}" for h, fact in prod(heads, short)),
            ]
        else:
            templates += [
                (f"{_cap(fact)}!" for fact in short),
                (f"{_cap(a)}. {_cap(price)}" for a, price in prod(lex.adjs, prices)),
                (f"{_cap(fact)}. {c}" for fact, c in prod(short, lex.ctas)),
                (f"{_cap(a)} and {fact}" for a, fact in prod(lex.adjs, prices)),
                (f"{h} {_cap(fact) if h.endswith(('?', '!')) else fact}" for h, fact in prod(heads, short)),
            ]
    yield from _round_robin(templates)


def _audience_markers(segment: Segment | None, audience: str | None, language: Language) -> tuple[str, ...]:
    """The words by which a variant speaks to its audience: the segment's openings (without their
    punctuation), nouns and sentences, or the audience named in the marketer's own words."""
    zh = language == "zh"
    if segment:
        heads, nouns, lines = (SEGMENTS_ZH if zh else SEGMENTS_EN)[segment]
        return tuple(h.rstrip("：:!?").strip() for h in heads) + nouns + lines
    if audience:
        return (audience,)
    return ()


def _tone_markers(tone: str, language: Language) -> tuple[str, ...]:
    """The words only a tone uses (its openings, adjectives, calls to action and sentences, less the
    plain lexicon's): a variant holding one of them reads in that tone."""
    lexicons = TONES_ZH if language == "zh" else TONES_EN
    if tone == "none" or tone not in lexicons:
        return ()

    def words(lex: Lexicon) -> set[str]:
        opens = {o.split(":")[0].split("：")[0].strip(" ,!") for o in lex.opens}
        return {w for w in opens | set(lex.ctas) | set(lex.lines) if len(w) >= 2}  # (adjectives say little)

    return tuple(sorted(words(lexicons[tone]) - words(lexicons["none"])))


def _who_zh(audience: str) -> str:
    """A Chinese audience as a who: 喜欢下午茶 is 喜欢下午茶的人 (给喜欢下午茶的人：), 宝妈 stays 宝妈."""
    return (
        audience
        if re.search(r"[人们客族者党控妈爸宝生友士娘姐哥弟妹孩儿侣夫妻婆公粉]$", audience)
        else audience + "的人"
    )


def _free_audience(audience: str, zh: bool) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Line openings and the noun for an audience the marketer named in their own words."""
    if zh:
        audience = _who_zh(audience)
        return (f"给{audience}：", f"{audience}看过来：", f"送给{audience}："), (audience,)
    return (f"For {audience}:", f"Calling all {audience}:", f"Picked for {audience}:"), (audience,)


def _round_robin(iterators: list[Iterator[str]]) -> Iterator[str]:
    seen: set[str] = set()
    active = list(iterators)
    while active:
        nxt = []
        for it in active:
            line = next(it, None)
            if line is None:
                continue
            nxt.append(it)
            if line not in seen:
                seen.add(line)
                yield line
        active = nxt


def _texts(f: Facts, lex: Lexicon, segment: Segment | None, audience: str | None, language: Language,
           *, facts: tuple[int, ...], note: bool, rich: bool = False) -> Iterator[str]:  # fmt: skip
    """Candidate texts for a longer field: an opening sentence (the product, the audience or the
    tone; or none), sentences about `facts` (a count, or several) different facts and a call to action; a note (Xiaohongshu) has a
    line in the tone after an opening that names the product, and ends with hashtags. Each opening
    and call to action starts from other facts and phrasings, so that early candidates differ."""
    zh = language == "zh"
    groups = [long for _, long in (_facts_zh(f) if zh else _facts_en(f))]
    name = f.name_zh if zh else f.name_en
    if zh:
        named = [s for x in _names(name) for s in (f"{x}来啦！", f"今天分享{x}。", f"种草{x}！")]
        named += [f"{a}{name.short}。" for a in lex.adjs]
        aud = (
            SEGMENTS_ZH[segment][2]
            if segment
            else ((f"给{_who_zh(audience)}的推荐。", f"为{_who_zh(audience)}挑选。") if audience else ())
        )
        ctas = tuple(c.rstrip("！") + "！" for c in lex.ctas)
    else:
        named = [s for x in _names(name) for s in (f"Meet the {x}.", f"Say hello to the {x}.")]
        named += [f"The {name.short}: {a}." for a in lex.adjs]
        aud = (
            SEGMENTS_EN[segment][2]
            if segment
            else ((f"Picked for {audience}.", f"A find for {audience}.") if audience else ())
        )
        ctas = tuple(c if c.endswith("?") else c + "." for c in lex.ctas)
    joiner = "" if zh else " "
    middles = list(aud) + list(lex.lines)
    firsts = [*named, *middles, ""]
    hashtags = _hashtags(f, lex, language) if note else [""]
    which = [c for k in facts for c in itertools.combinations(range(len(groups)), min(k, len(groups)))]

    def texts(first: str, cta: str, seed: int) -> Iterator[str]:  # bound per combination
        for r in range(len(which) * 3):
            chosen = which[(seed + r) % len(which)]
            pick = [groups[g][(seed + r // len(which)) % len(groups[g])] for g in chosen]
            middle = middles[(seed + r) % len(middles)] if (note or len(facts) > 1) and first not in middles else ""
            # one note of a few says more: the audience's line and one in the tone, around the facts
            closing = lex.lines[(seed + r + 1) % len(lex.lines)] if note and rich else ""
            closing = "" if closing in (first, middle) else closing
            extra = [a for a in aud if a not in (first, middle)][:1] if note and rich else []
            body = joiner.join(p for p in [first, middle, *extra, *pick, closing, cta] if p)
            yield body + hashtags[(seed + r) % len(hashtags)]

    combos = itertools.product(firsts, ctas)
    yield from _round_robin([texts(first, cta, i) for i, (first, cta) in enumerate(combos)])


def _hashtags(f: Facts, lex: Lexicon, language: Language) -> list[str]:
    """A note's hashtags: the product's head noun with one of the tone's tags, or two tone tags."""
    name = f.name_zh if language == "zh" else f.name_en
    own = "#" + re.sub(r"[^\w]", "", name.head)
    pairs = [[own, tag] for tag in lex.tags] + [list(p) for p in itertools.combinations(lex.tags, 2)]
    return ["\n" + " ".join(p) for p in pairs]


def _has_name(text: str, f: Facts, language: Language) -> bool:
    """Does the copy name the product (hashtags aside)?"""
    name = f.name_zh if language == "zh" else f.name_en
    prose = re.sub(r"#\S+", " ", text)
    return any(x in prose for x in _names(name))


# -- putting it together -----------------------------------------------------------------------

_BARGAIN = re.compile(r"\b(?:just|only)\s£|仅£|只要£|\bbargain\b", re.I)
MAX_CANDIDATES = 400  # candidates considered per field (the first ones of the round robin)
MIN_DISTINCT_2 = 0.7  # a variant that would take the set's distinct-2 below this is not added
MAX_TRIES = 25  # variants tried and left out as too alike before the set is called complete
FACTS_PER_FIELD = {"description": (1,), "primary_text": (1, 2), "body": (1, 2)}


@dataclass
class Composed:
    variants: list[dict[str, str]]
    distinct_2: float
    dropped: dict[str, int]  # candidates left out: over a limit, flagged by the compliance check, too alike
    limits: dict[str, int | None]  # each field's limit as written to (a tighter one for shorter copy)


SHORTER = 0.75  # "make them shorter": each field within three quarters of the longest the plain copy has
SHORTEST = {"en": 16, "zh": 8}  # no field shorter than this: a headline still says something


def _shorter_spec(spec: PlatformSpec, plain: Composed, language: Language) -> PlatformSpec:
    """The fields' limits for shorter copy: three quarters of the longest each field runs in the copy
    written without `shorter` (what the marketer saw), never above the platform's limit."""
    slots = []
    for s in spec.slots:
        longest = max((char_count(v[s.name], s.wide) for v in plain.variants if s.name in v), default=0)
        cap = max(SHORTEST[language] * (s.wide if language == "zh" else 1), int(longest * SHORTER))
        slots.append(Slot(s.name, cap if s.limit is None else min(s.limit, cap), s.wide) if longest else s)
    return PlatformSpec(spec.label, tuple(slots), spec.counting)


def _roomy(slot: Slot, language: Language) -> bool:
    """Room in a field for an audience's words and more: 40 characters in English, 18 in Chinese."""
    return slot.limit is None or slot.limit / (slot.wide if language == "zh" else 1) >= (18 if language == "zh" else 40)


def _opening(text: str) -> str:
    """How a line opens: its first two words (English) or four characters (Chinese)."""
    return " ".join(text.split()[:2]) if text.isascii() else text[:4]


def fits(text: str, slot: Slot) -> bool:
    return slot.limit is None or char_count(text, slot.wide) <= slot.limit


def _pool(candidates: Iterator[str], slot: Slot, dropped: dict[str, int]) -> list[str]:
    pool: list[str] = []
    for text in itertools.islice(candidates, MAX_CANDIDATES * 5):
        if fits(text, slot):
            pool.append(text)
        else:
            dropped["over_limit"] += 1
        if len(pool) >= MAX_CANDIDATES:
            break
    return pool


def compose(
    f: Facts,
    *,
    n: int,
    language: Language,
    platform: str = "none",
    tone: str = "none",
    audience: str | None = None,
    segment: Segment | None = None,
    occasion: str | None = None,
    shorter: bool = False,
) -> Composed:
    """Up to n variants for the platform, each with every field within its limit and passing the
    compliance check, chosen one at a time to keep distinct-2 over the set (all fields) high, and
    never below MIN_DISTINCT_2; every variant names the product in at least one field. `shorter`:
    every field within SHORTER of the longest it runs without it."""
    spec = PLATFORMS[platform]
    if shorter:
        plain = compose(f, n=n, language=language, platform=platform, tone=tone, audience=audience, segment=segment,
                        occasion=occasion)  # fmt: skip
        spec = _shorter_spec(spec, plain, language)
    lex = (TONES_ZH if language == "zh" else TONES_EN)[tone]
    occ = occasion_lexicon(occasion, language)
    if occ is not None:  # "xmas is coming": the occasion's words first, the tone's after them
        o = occ[1]
        lex = Lexicon(o.opens + lex.opens, lex.adjs, o.ctas + lex.ctas, o.lines + lex.lines, o.tags + lex.tags)
    dropped = {"over_limit": 0, "compliance": 0}
    main, *rest = spec.slots
    lines = _pool(_lines(f, lex, segment, audience, language, bare=bool(rest)), main, dropped)
    if tone == "premium":  # "Just £12.75" is a bargain's framing, not a premium one
        lines = [t for t in lines if not _BARGAIN.search(t)] or lines

    pools = [(main, Pool(lines, language))]
    for slot in rest:
        k = FACTS_PER_FIELD.get(slot.name, (1,))
        texts = _pool(
            _texts(f, lex, segment, audience, language, facts=k, note=slot.name == "body", rich=n <= 5), slot, dropped
        )
        if tone == "premium":
            texts = [t for t in texts if not _BARGAIN.search(t)] or texts
        pools.append((slot, Pool(texts, language)))

    def passes(pool: Pool) -> Callable[[int], bool]:
        def ok(i: int) -> bool:
            flagged = bool(check_copy(pool.texts[i]))
            dropped["compliance"] += flagged
            return not flagged

        return ok

    markers = _audience_markers(segment, audience, language)

    def speaks(text: str) -> bool:  # a variant for an audience says so somewhere (an opening, a noun, a line)
        return not markers or any(m in text for m in markers)

    toned = _tone_markers(tone, language)

    def in_tone(text: str) -> bool:  # a variant in a tone says it in the tone's own words ("Don't wait", 马上下单)
        return not toned or any(m in text for m in toned)

    def for_day(text: str) -> bool:  # a variant for an occasion names it
        return occ is None or occ[0] in text

    state = DiverseSet(language)
    variants: list[dict[str, str]] = []
    # Plain copy: the first variants lead with the price, then the units sold (when a line can say
    # them), as a marketer reads the first ones first. Copy in a tone, for an audience or an occasion
    # leads with those instead ("Just £12.75" is no premium opening); the rest are chosen for
    # distinctness alone.
    lead = [f"£{f.price:.2f}"] + ([f"{f.units_sold:,}"] if f.units_sold else [])
    lead = [fact for fact in lead if any(fact in t for t in pools[0][1].texts)]
    if markers or toned or occ:
        lead = []
    cascade: list[tuple[Callable[[str], bool], ...]] = [(speaks, in_tone, for_day), (speaks, for_day), (speaks,), ()]
    tries = 0
    while len(variants) < n and tries < MAX_TRIES:  # one variant at a time, each field the most distinct
        before = (set(state.seen), state.total)
        variant: dict[str, str] = {}
        for slot, pool in pools:
            last = slot is pools[-1][0]
            named = (
                (lambda i, p=pool, v=variant: _has_name(" ".join([*v.values(), p.texts[i]]), f, language))
                if last
                else None
            )
            step = len(variants)
            if slot is main and step < len(lead):
                named = lambda i, p=pool, fact=lead[step]: fact in p.texts[i]  # noqa: E731
            i = None
            if (markers or toned or occ) and n <= 5:
                # a few variants: each speaks to the audience, in the tone and for the occasion asked,
                # the headline or title on its own where it has room (a 30-character Google headline
                # cannot name an audience and say much else: its description does) and the whole variant
                # where the facts allow (ten cannot all say so and stay distinct; some do anyway); a
                # headline that opens as an earlier one did comes only when no other fits at all
                tight = not last and not _roomy(slot, language)
                wants_of = [w for w in cascade if speaks not in w] if tight else cascade
                opened = {_opening(v[slot.name]) for v in variants}
                order = [(fr, w) for w in wants_of for fr in (True, False)]  # the tone before a new opening
                if not last:  # a headline above a text that can carry the tone: a new opening first
                    order = [(True, w) for w in wants_of[:2]] + [(False, w) for w in wants_of[:2]]
                    order += [(fr, w) for w in wants_of[2:] for fr in (True, False)]
                for fresh, wants in order:
                    fit = (  # noqa: E731
                        lambda i, p=pool, v=variant, ok=named, w=wants, whole=last, new=fresh, seen=opened: (
                            all(g(" ".join([*v.values(), p.texts[i]]) if whole else p.texts[i]) for g in w)
                            and (ok is None or ok(i))
                            and not (new and _opening(p.texts[i]) in seen)
                        )
                    )
                    i = pool.best(state, passes(pool), fit)
                    if i is not None:
                        break
            else:
                i = pool.best(state, passes(pool), named)
            if i is None:
                break
            variant[slot.name] = pool.texts[i]
            state.add(pool.grams[i])
        if len(variant) < len(spec.slots):
            break
        if variants and state.ratio() < MIN_DISTINCT_2:  # too alike: undo, try the next best opening line
            state.seen, state.total = before
            tries += 1
            continue
        variants.append(variant)
    if len(variants) < n and tries >= MAX_TRIES:
        dropped["too_alike"] = n - len(variants)  # the product's facts do not make another distinct one
    texts = [" ".join(v[s.name] for s in spec.slots) for v in variants]
    return Composed(variants, round(distinct_2(texts, language), 3), dropped, {s.name: s.limit for s in spec.slots})


def lengths(variant: dict[str, str], platform: str) -> dict[str, list[int | None]]:
    """Each field's length as the platform counts it, and its limit."""
    return {
        s.name: [char_count(variant[s.name], s.wide), s.limit] for s in PLATFORMS[platform].slots if s.name in variant
    }


__all__ = [
    "PLATFORMS",
    "Composed",
    "Facts",
    "Platform",
    "Segment",
    "Slot",
    "Tone",
    "audience_segment",
    "clean_audience",
    "clean_description",
    "compose",
    "fits",
    "lengths",
]
