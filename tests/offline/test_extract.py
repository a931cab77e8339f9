"""The typed extractors: every money, percentage and numeral format round-trips; nothing else parses."""

from __future__ import annotations

import re
import unicodedata

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from offline.extract import extract, parse_number, stated_words, zh_number

CENTS = st.integers(min_value=1, max_value=99_999_999)  # £0.01 .. £999,999.99


def _money(cents: int) -> float:
    return round(cents / 100, 2)


@settings(max_examples=300, deadline=None)
@given(
    CENTS, st.sampled_from(["£{:.2f}", "£{:,.2f}", "{:.2f} pounds", "{:,.2f} GBP", "${:,.2f}", "¥{:.2f}", "{:.2f}英镑"])
)
def test_money_round_trips(cents: int, fmt: str) -> None:
    v = _money(cents)
    e = extract(f"set the budget of campaign 2 to {fmt.format(v)}")
    assert [n.value for n in e.numbers] == [v]
    assert e.refs[0].value == 2


@settings(max_examples=200, deadline=None)
@given(st.integers(min_value=1, max_value=99), st.integers(min_value=0, max_value=99))
def test_decimal_comma_and_pence(units: int, cents: int) -> None:
    assert extract(f"bid {units},{cents:02d}").numbers[0].value == pytest.approx(units + cents / 100)
    if cents:
        n = extract(f"reprice it to {cents}p").numbers[0]
        assert n.value == pytest.approx(cents / 100) and n.currency == "GBP"


@settings(max_examples=200, deadline=None)
@given(st.integers(min_value=1, max_value=999), st.sampled_from(["k", "K", "万", "千"]))
def test_multipliers(n: int, suffix: str) -> None:
    mult = {"k": 1e3, "K": 1e3, "万": 1e4, "千": 1e3}[suffix]
    assert extract(f"budget {n}{suffix}").numbers[0].value == n * mult
    assert extract(f"budget {n / 10:g}{suffix}").numbers[0].value == pytest.approx(n / 10 * mult)


@settings(max_examples=100, deadline=None)
@given(st.integers(min_value=1, max_value=9), st.integers(min_value=0, max_value=9))
def test_exponents_and_underscores(mantissa: int, exp: int) -> None:
    assert extract(f"set it to {mantissa}e{exp}").numbers[0].value == mantissa * 10**exp
    assert extract(f"total {mantissa}_{exp:03d}").numbers[0].value == mantissa * 1000 + exp


def _zh(n: int) -> str:
    """Chinese numerals for 1..99,999,999 (the test's own writer, independent of the parser)."""
    digits = "零一二三四五六七八九"

    def below_10k(x: int) -> str:
        out, zero = "", False
        for unit, name in ((1000, "千"), (100, "百"), (10, "十"), (1, "")):
            d = x // unit % 10
            if d:
                out += ("零" if zero and out else "") + digits[d] + name
                zero = False
            else:
                zero = True
        return out

    hi, lo = divmod(n, 10_000)
    if hi:
        return below_10k(hi) + "万" + ("零" if 0 < lo < 1000 else "") + (below_10k(lo) if lo else "")
    return below_10k(lo)


@settings(max_examples=300, deadline=None)
@given(st.integers(min_value=1, max_value=99_999_999))
def test_chinese_numerals_round_trip(n: int) -> None:
    assert zh_number(_zh(n)) == n
    assert zh_number("两" + _zh(n)[1:]) == n if _zh(n).startswith("二") else True


@settings(max_examples=200, deadline=None)
@given(st.integers(min_value=2, max_value=9), st.sampled_from(["万", "千"]))
def test_chinese_money_in_a_request(n: int, unit: str) -> None:
    word = "零一二三四五六七八九"[n]
    assert extract(f"预算{word}{unit}").numbers[0].value == n * (10_000 if unit == "万" else 1000)


@settings(max_examples=100, deadline=None)
@given(st.integers(min_value=1, max_value=9), st.integers(min_value=1, max_value=9), st.sampled_from(["万", "千"]))
def test_a_digit_after_wan_or_qian_counts_the_next_unit_down(n: int, d: int, unit: str) -> None:
    big = 10_000 if unit == "万" else 1000
    assert [x.value for x in extract(f"下个月预算{n}{unit}{d}").numbers] == [n * big + d * big // 10]
    assert [x.value for x in extract(f"预算{n}万{d}千块").numbers] == [n * 10_000 + d * 1000]
    assert extract(f"预算{n}{unit}，{d}月份").numbers[0].value == n * big  # a month, not a digit of the budget


@settings(max_examples=100, deadline=None)
@given(st.integers(min_value=1, max_value=89))
def test_percentages_and_discounts(p: int) -> None:
    assert extract(f"what if we give {p}% off product 20").discount.value == p  # type: ignore[union-attr]
    up = extract(f"raise the bid of campaign 1 by {p}%")
    assert up.changes[0].pct == p and not up.numbers
    down = extract(f"cut the budget of campaign 2 by {p} percent")
    assert down.changes[0].pct == -p


# Numbers are digits in one of the formats; a digit run with separators in any other shape is not.
VALID = re.compile(r"\d+(\.\d+)?|\d{1,3}(,\d{3})+(\.\d+)?|\d{1,3}(_\d{3})+(\.\d+)?|\d+,\d{1,2}")


@settings(max_examples=500, deadline=None)
@given(st.from_regex(r"\d[\d.,_]{0,10}\d", fullmatch=True))
def test_only_the_formats_parse(token: str) -> None:
    assert (parse_number(token) is not None) == bool(VALID.fullmatch(token))


@settings(max_examples=300, deadline=None)
@given(
    st.text(
        alphabet=st.characters(
            blacklist_categories=("Nd", "No", "Cs"), blacklist_characters="零〇一二两三四五六七八九十百千万亿"
        ),
        max_size=60,
    )
)
def test_text_without_digits_has_no_numbers(text: str) -> None:
    """(Text is read after NFKC, where full-width １２, superscripts and ㏠ are digits.)"""
    assume(not any(c.isdigit() for c in unicodedata.normalize("NFKC", text)))
    e = extract(text)
    assert not e.numbers and not e.percents and e.ab is None and e.pctr is None


@pytest.mark.parametrize(
    "text",
    ["set the bid to 1.2.3", "price 1,0000", "budget 1,000,00", "bid 12abc", "bid --3", "bid 1..2"],
)
def test_malformed_numbers_are_named_not_read(text: str) -> None:
    e = extract(text)
    assert not e.numbers and e.unreadable


@pytest.mark.parametrize(
    ("text", "kind", "value"),
    [
        ("12748号客户的画像", "customer", 12748),
        ("tell me about customer #12347", "customer", 12347),
        ("2号活动的消耗", "campaign", 2),
        ("第3个活动", "campaign", 3),
        ("elasticity of item 85", "product", 85),
        ("给12347这个客户推荐", "customer", 12347),
        ("unit cost on product 1802 is £1.80", "product", 1802),
    ],
)
def test_ids_before_or_after_their_noun(text: str, kind: str, value: int) -> None:
    e = extract(text)
    assert e.first_id(kind) == value  # type: ignore[arg-type]


def test_counts_are_not_ids_and_stock_codes_resolve() -> None:
    assert extract("列出流失风险最高的3位客户").counts == [3]
    assert extract("列出流失风险最高的3位客户").refs == []
    assert extract("12 products like this").refs == []
    e = extract("products similar to 85123A", {"85123A": 3249})
    assert e.first_id("product") == 3249
    assert extract("products similar to 85123A").stock_codes[0][0] == "85123A"
    assert extract("write 3 headlines for product 85123A", {"85123A": 3249}).first_id("product") == 3249  # not 85123
    assert extract("sku 85123a selling points", {"85123A": 3249}).first_id("product") == 3249


@pytest.mark.parametrize(
    ("text", "platform", "tone", "segment"),
    [
        ("write 5 facebook ad headlines for product 12", "meta", None, None),
        ("google ads headlines for product 3, premium tone", "google_rsa", "premium", None),
        ("10 RSA headlines for product 9 for lapsed customers", "google_rsa", None, "lapsed"),
        ("instagram captions for product 4 in a warm tone for our VIP customers", "meta", "warm", "vip"),
        ("给商品12写小红书标题", "xiaohongshu", None, None),
        ("给商品12写朋友圈文案，俏皮一点", "wechat_moments", "playful", None),
        ("帮我给流失客户写几条谷歌广告，产品12，紧迫感强一点", "google_rsa", "urgent", "lapsed"),
        ("新客看的小红书笔记，商品3，高级感", "xiaohongshu", "premium", "new"),
        ("write three headlines for the hand warmer, product 1487", None, None, None),
    ],
)
def test_platform_tone_and_audience_segment(text: str, platform: str, tone: str, segment: str) -> None:
    e = extract(text)
    assert (e.platform, e.tone, e.segment) == (platform, tone, segment)


def test_the_planner_fills_platform_tone_and_audience_by_name() -> None:
    from offline.planner import fill

    args = fill(
        "compose_headlines",
        extract("write 5 facebook ad headlines for product 12 for lapsed customers, playful"),
        False,
    ).args
    assert args == {
        "product_id": 12,
        "n": 5,
        "language": "en",
        "platform": "meta",
        "tone": "playful",
        "audience": "lapsed",
    }
    args = fill("compose_headlines", extract("给商品12写3条小红书标题，面向年轻父母，温暖一点"), True).args
    assert args["platform"] == "xiaohongshu" and args["tone"] == "warm" and args["audience"] == "年轻父母"
    args = fill("compose_headlines", extract("headlines for product 12 for facebook"), False).args
    assert "audience" not in args and args["platform"] == "meta"  # "for facebook" is where, not who


def test_issue_examples() -> None:
    assert extract("set bid for campaign 2 to 1e9").numbers[0].value == 1e9
    assert extract("set the bid of campaign 1 to 0,45").numbers[0].value == 0.45
    e = extract("unit cost on product 1802 is £1.80")
    assert [n.value for n in e.numbers] == [1.8] and e.first_id("product") == 1802
    assert extract("reprice product 424 to 60p").numbers[0].value == 0.6
    assert extract("价格设成 -2.95 英镑").numbers[0].value == -2.95
    assert extract("raise the bid of campaign 1 to 10% higher").changes[0].pct == 10
    assert extract("don't change the bid of campaign 1 to 5").negated
    assert extract("what would happen if we set the price of product 20 to £6?").hypothetical
    e = extract("we have $500 a day for campaign 2")
    assert e.foreign_currency is not None and e.foreign_currency.currency == "USD"
    assert extract("产品20打八折").discount.value == 20  # type: ignore[union-attr]
    assert extract("九折").discount.value == 10  # type: ignore[union-attr]
    assert extract("降低两成").changes[0].pct == -20
    assert extract("double the budget of campaign 3").changes[0].factor == 2


def test_stated_words_quote_what_the_value_came_from() -> None:
    assert stated_words({"to": 0.6}, "reprice product 424 to 60p") == "60p"
    assert stated_words({"to": 0.45}, "set the bid of campaign 1 to 0,45") == "0,45"
    assert stated_words({"to": 0.88, "requested": {"change_pct": 10}}, "raise the bid of campaign 1 by 10%") == "by 10%"
    assert stated_words({"to": 5.0}, "set it to the suggested bid") is None


@pytest.mark.parametrize(
    ("text", "period", "grain", "breakdown"),
    [
        ("sales by month for the last quarter", "last_quarter", "month", None),
        ("weekly revenue this quarter compared with last quarter", "this_quarter", "week", None),
        ("revenue split by country, year to date", "ytd", None, "country"),
        ("今年以来每月营收", "ytd", "month", None),
        ("上季度按RFM分群拆分的销售额", "last_quarter", None, "segment"),
        ("近半年按商品的销售", "last_6_months", None, "product"),
        ("daily sales for the past 2 weeks", "last_14_days", "day", None),
        ("去年的销售额", "last_year", None, None),
    ],
)
def test_report_periods_grains_and_breakdowns(text: str, period: str, grain: str | None, breakdown: str | None) -> None:
    e = extract(text)
    assert (e.period_name, e.grain, e.breakdown) == (period, grain, breakdown)


@pytest.mark.parametrize(
    ("text", "min_orders", "limit"),
    [
        ("top 10 customers by lifetime value with at least 5 orders", 5, 10),
        ("customers with 5+ orders, top 20", 5, 20),
        ("customers who ordered more than 4 times", 5, None),
        ("下单至少3次的客户，前10个", 3, 10),
        ("5单以上的老客", 5, None),
    ],
)
def test_min_orders_is_not_a_count(text: str, min_orders: int, limit: int | None) -> None:
    e = extract(text)
    assert e.min_orders == min_orders and (e.counts[0] if e.counts else None) == limit


def test_sellers_segments_and_countries() -> None:
    assert extract("worst sellers in Germany").worst and extract("worst sellers in Germany").countries == ["Germany"]
    assert not extract("best sellers this month").worst
    assert extract("销量最低的商品").lowest and extract("销量最低的商品").units
    assert extract("hibernating customers in Poland").rfm_segment == "hibernating"
    assert extract("冠军客户贡献的收入").rfm_segment == "champions"
    assert extract("上个月比前一个月怎么样").counts == []  # 前一个月 is a period, not a count


def test_dates_beside_chinese_and_a_date_that_ends_a_range() -> None:
    from offline.planner import plan

    assert [d.isoformat() for d in extract("从2011-10-01到2011-10-31的销售").dates] == ["2011-10-01", "2011-10-31"]
    assert plan("top customers by CLV who first ordered before 2011-03-01").args.get("end") == "2011-03-01"
    assert plan("2011-06-01之后首次下单的客户里CLV最高的5个").args == {"limit": 5, "start": "2011-06-01"}
    assert plan("sales from 2011-10-01 to 2011-10-31").tool == "sales_report"


@pytest.mark.parametrize(
    ("text", "pct"),
    [
        ("cut every campaign budget by a fifth", -20.0),
        ("所有预算砍五分之一", -20.0),
        ("raise the bid on campaign 1 by a third", 33.33),
        ("cut campaign 2's budget by a quarter", -25.0),
        ("a third of our customers are new", None),  # a share, not a change
    ],
)
def test_fractions_are_relative_changes(text: str, pct: float | None) -> None:
    e = extract(text)
    assert [c.pct for c in e.changes] == ([] if pct is None else [pct]) and not e.numbers


@pytest.mark.parametrize(("text", "metric"), [("那CPA呢？", "cpa"), ("ROI最高的是哪个", "roas"), ("CTR怎么样", "ctr")])
def test_a_metric_written_beside_chinese(text: str, metric: str) -> None:
    assert extract(text).metric == metric
