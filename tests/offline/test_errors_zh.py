"""Every error a tool can raise reads as Chinese to a Chinese request: one real message per
`raise ToolFailure(...)` in tools/ (a site that passes on a DMP or engine error has one per reason
a marketer can meet), each put into Chinese by offline/wording.py's _ERRORS_ZH with its figures kept."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pytest

from offline.wording import error_text
from store import reference
from tools.audiences import UPLIFT_MISSING

MONTHS = "Feb, Mar, May, Jun, Jul, Aug, Sep, Oct, Nov, Dec"
COHORT_RULE = "first-purchase months with at least 30 new customers and 3 months observed after"
ADD_ONE = "copilot dsp campaign add NAME --daily-budget 50 --max-bid 3"
MANY = ", ".join(f"List {i}" for i in range(1, 21))

# (file, the messages of one raise site), in the order of the file's `raise ToolFailure(`.
SITES: list[tuple[str, list[str]]] = [
    # tools/audiences.py
    (
        "audiences.py",  # _dmp(): a DmpError of dmp/ as it is
        [
            "there is no audience 'vip'; there are no audiences yet (audience_create makes one)",
            "there is no audience 'vip'; the audiences are Champions UK, Lapsed big spenders",
            f"there is no audience 'vip'; the audiences are {MANY} and 3 more",
            "an audience name is 1 to 64 printable characters, got ''",
            "an audience named 'Champions UK' already exists (1,234 customers); choose another name, "
            "or refresh or delete that one",
            "an audience kind is one of rules, list, lookalike, not 'segment'",
            "min_clv (500) is above max_clv (100); swap them",
            "ordered_after (2011-06-01) is after ordered_before (2011-01-01); swap the dates",
            "an audience definition has rules this copilot does not know: min_age",
            UPLIFT_MISSING,
            "no e-mail uplift score was computed for these customers",
            "give at least one rule (segment, lapsing, lifetime value, country, last order, products bought)",
            "the seed audience has no customer with purchases in the shop to learn from; refresh it",
            "every customer outside the seed is opted out or in the seed: there is no one to add",
            "could not write exports/audiences/champions-uk-meta.csv: Permission denied",
            "the export formats are csv, google, meta, not 'tiktok'",
            "'abc' is not a customer id (a whole number of 1 or more)",
        ],
    ),
    ("audiences.py", ["give rules or customer_ids (an uploaded list), not both"]),
    (
        "audiences.py",
        [
            "2 of the customer ids are not the shop's customers (1, 2); remove them",
            "7 of the customer ids are not the shop's customers (1, 2, 3, 4, 5 ...); remove them",
        ],
    ),
    ("audiences.py", ["no customer passes these rules; loosen them (e.g. a lower min_clv or a wider date range)"]),
    ("audiences.py", ["both are the audience 'Champions UK'; name two different audiences"]),
    (
        "audiences.py",
        [
            "'My upload' is an uploaded list: its members are the customers uploaded, there is nothing to "
            "recompute; import the list again under a new name to change it"
        ],
    ),
    (
        "audiences.py",
        [
            "the seed of 'Like Champions UK' ('Champions UK') was deleted, so it cannot be recomputed; "
            "make a new look-alike of another audience"
        ],
    ),
    (
        "audiences.py",
        ["every member of 'Champions UK' has opted out of marketing (or it is empty): nothing to export"],
    ),
    (
        "audiences.py",
        [
            "customer 12346 is already opted out; nothing to change",
            "customer 12346 is already not opted out; nothing to change",
            "customer 12346 is already not opted out (nothing recorded); nothing to change",
        ],
    ),
    # tools/sessions.py
    ("sessions.py", [f"'Janvier' is not a month; the data's months are {MONTHS}"]),
    ("sessions.py", [f"the data has no sessions in Jan: its 10 months are {MONTHS} (no Jan or Apr)"]),
    ("sessions.py", [f"give at least one month; the data's months are {MONTHS}"]),
    ("sessions.py", ["the two periods share Nov, Dec; give each month to one period"]),
    ("sessions.py", ["no months are left to compare against; give `months` too"]),
    (
        "sessions.py",
        ["no session viewed a product page with a known time; cannot set an engagement threshold"],
    ),
    # tools/filters.py
    (
        "filters.py",
        [
            "the shop has no customers in 'Narnia'; the countries are: Australia, Austria, Bahrain, "
            "Channel Islands, United Kingdom"
        ],
    ),
    (
        "filters.py",
        [
            "there is no RFM segment 'vips'; the segments are: champions, loyal, potential_loyalists, new, "
            "need_attention, at_risk, hibernating"
        ],
    ),
    (
        "filters.py",
        [
            "the date range starts (2011-06-01) after it ends (2011-01-01); swap the dates",
            "the first-order date range starts (2011-06-01) after it ends (2011-01-01); swap the dates",
        ],
    ),
    (
        "filters.py",
        [
            "min_orders (5) is above max_orders (2); give a minimum no greater than the maximum",
            "min_revenue (500) is above max_revenue (100.5); give a minimum no greater than the maximum",
        ],
    ),
    # tools/base.py
    ("base.py", [reference.missing_text("hillstrom"), reference.missing_text("ipinyou")]),
    ("base.py", ["the shop has no sales yet; run `copilot init` to load the demo shop"]),
    ("base.py", ["there is no product 99999; product ids run from 1 to 3665"]),
    ("base.py", ["there is no customer 99; customer ids are numbers such as 12346 or 12347"]),
    ("base.py", ["there is no campaign 9; the campaigns are 1, 2, 3, 4", "there is no campaign 9; the campaigns are "]),
    (
        "base.py",
        [
            "that would make the bid £0.00; it must be greater than 0",
            "that would make the daily budget of campaign 3 £-5.00; it must be greater than 0",
        ],
    ),
    (
        "base.py",
        [
            "that would make the daily budget £1,200,000.00; it must be at most £1,000,000.00",
            "that would make the bid of campaign 2 £60.00; it must be at most £50.00",
            "that would make the price £12,000.00; it must be at most £10,000.00",
        ],
    ),
    # tools/dsp.py
    ("dsp.py", [f"the DSP has no campaigns yet; add one with `{ADD_ONE}`"]),
    (
        "dsp.py",
        [
            "no DSP campaign is 'winter'; the DSP campaigns: 1 spring; 2 summer",
            "several DSP campaigns match 's'; the DSP campaigns: 1 spring; 2 summer",
        ],
    ),
    ("dsp.py", [f"the DSP has no campaigns yet; add one with `{ADD_ONE}`"]),
    (
        "dsp.py",
        [
            "no audience 'vip'; the saved audiences: Champions UK, Lapsed big spenders",
            "no audience 'vip'; the saved audiences: none yet",
        ],
    ),
    ("dsp.py", ["hours are whole hours 0 to 23 (UTC), not ['8am']"]),
    ("dsp.py", ["say which hours to add", "say which domains block to set", "say which regions to remove"]),
    (
        "dsp.py",
        [
            "targeting hours: hours are 0 to 23, not 24",
            "targeting sizes: a size is WIDTHxHEIGHT, like 300x250, not '300-250'",
            "targeting regions: List should have at most 1000 items after validation, not 1001",
        ],
    ),
    ("dsp.py", ["DSP campaign 2 (summer) already has that targeting: nothing to change"]),
    # tools/pricing.py
    (
        "pricing.py",
        [
            "product 17's sales history is too thin to estimate elasticity: it sold in 2 weeks (need 3)",
            "product 17's sales history is too thin to estimate elasticity: it sold in 1 week (need 3)",
        ],
    ),
    ("pricing.py", ["product 17's sales history is too thin to estimate elasticity: no sales to learn from"]),
    ("pricing.py", ["£5.00 off £4.95 leaves nothing; give a smaller amount off"]),
    ("pricing.py", ["£2.95 is product 12's price today; give a different price to compare"]),
    ("pricing.py", ["£29.50 is a +900% change from £2.95; compare a price within -90% and +100%"]),
    # tools/bidding.py
    ("bidding.py", ["give a value per click or a campaign whose value per click to use"]),
    ("bidding.py", ["campaign 5 has no delivery reported yet"]),
    ("bidding.py", ["tiktok is not a channel; the channels are search, display, email, social"]),
    ("bidding.py", ["no campaign runs on social; the campaigns run on search, display, email"]),
    ("bidding.py", ["no campaign runs on social, video"]),
    ("bidding.py", ["there are no campaigns yet"]),
    # tools/campaigns.py
    (
        "campaigns.py",
        ["variant B needs at least one visitor", "variant A conversions must be between 0 and its visitors (1000)"],
    ),
    ("campaigns.py", ["none of ['tiktok'] is a channel; the channels are search, display, email"]),
    ("campaigns.py", ["none of ['tiktok'] is a channel of the shop's media history; they are search, display"]),
    (
        "campaigns.py",
        [
            "campaign 3 (Lapsed customers win-back - display) is already active",
            "campaign 1 (Spring sale - search) is already paused",
        ],
    ),
    ("campaigns.py", ["campaign 4 (Old promo) is ended; only a paused campaign can be resumed"]),
    # tools/profiling.py
    ("profiling.py", ["the catalog is empty; run `copilot init` to load the demo shop"]),
    (
        "profiling.py",
        [
            "none of the words of “独角兽” are in the catalog's glossary; name the product in English or "
            "with everyday words for it (e.g. 圣诞彩灯, 马克杯, 靠垫)"
        ],
    ),
    ("profiling.py", ["give a product id or a text to search the catalog for"]),
    # tools/attribution.py
    (
        "attribution.py",
        [
            "Shapley values over every coalition take at most 16 channels and the journeys have 24; ask for the "
            "Markov model, or group the rare channels into one and import again"
        ],
    ),
    (
        "attribution.py",
        [
            "the shop's journeys carry no conversion value (no value column, or every value 0); credit "
            "conversions, or import the journeys again with a value column"
        ],
    ),
    # tools/mmm.py
    ("mmm.py", ["the shop's media history has 12 weeks: hold out fewer than that"]),
    (
        "mmm.py",
        [
            "the shop's media history has no spend on any channel in the fitted weeks",
            "the reference mmm set has no spend on any channel in the fitted weeks",
        ],
    ),
    (
        "mmm.py",
        [
            "the shop's media history: 20 weeks are too few for 3 channels and 2 controls: need at least 26",
            "the shop's media history: every week's sales must be positive (MAPE divides by them)",
            "the reference mmm set: the hold-out must be between 0 and 103 weeks",
        ],
    ),
    # tools/reports.py
    (
        "reports.py",
        ["'Novembr' is not a month; give it as 2011-11, a month's name (November) or its number (11)"],
    ),
    ("reports.py", ["the months run backwards (2011-11 to 2011-09); give the earlier month first"]),
    ("reports.py", ["2012-01 is after the shop's latest orders (2011-12-09); give months up to 2011-12"]),
    ("reports.py", ["give either compare_month or compare_last_year, not both"]),
    ("reports.py", ["give either a month or a period (or start and end dates), not both"]),
    ("reports.py", ["to_month ends a range of months; give the first month as month"]),
    (
        "reports.py",
        [
            "the month to compare with (2011-11) overlaps the period itself (2011-10-01 to 2011-12-09); "
            "give another month"
        ],
    ),
    (
        "reports.py",
        [
            "there are no sales from 2012-01-01 to 2012-01-31; the shop's sales run from 2010-12-01 to 2011-12-09",
        ],
    ),
    (
        "reports.py",
        [
            "no product's description holds every word of “unicorn lamp”; name the kind of product in the "
            "catalog's words (e.g. doormat, lunch box, t-light holder)"
        ],
    ),
    ("reports.py", ["none of the products given are a doormat; drop one of the two filters"]),
    ("reports.py", ["give one product (an id or a stock code) or one kind of product (query), not both or neither"]),
    (
        "reports.py",
        [
            "no product's description holds every word of “submarine”; name the kind of product in the catalog's "
            "words (e.g. cake stand, lunch bag, t-light holder)"
        ],
    ),
    (
        "reports.py",
        [
            "no order from 2011-11-01 to 2011-11-30 with those filters holds product 1289; widen the period or drop "
            "a filter",
            "no order from 2011-11-01 to 2011-11-30 holds a cake stand; widen the period or drop a filter",
        ],
    ),
    # tools/delivery.py
    ("delivery.py", ["give the start date of the period as well as its end (or a period such as last_7_days)"]),
    ("delivery.py", ["the period starts (2011-12-05) after it ends (2011-12-01); swap the dates"]),
    ("delivery.py", ["unknown period last_decade"]),
    ("delivery.py", ["no campaign has any delivery reported yet"]),
    (
        "delivery.py",
        ["there is no delivery from 2010-01-01 to 2010-01-07; the delivery history runs from 2011-11-10 to 2011-12-09"],
    ),
    ("delivery.py", ["there are no campaigns yet"]),
    ("delivery.py", ["there is no campaign 7; the campaigns are 1, 2, 3, 4"]),
    # tools/retention.py
    (
        "retention.py",
        [
            "cohort 2011-03 cannot be fitted: nobody churned in the periods given: the sBG model cannot be "
            "fitted to them"
        ],
    ),
    (
        "retention.py",
        [
            f"no cohort '2009-05' in the shop's orders; the cohorts are 2010-12, 2011-01, 2011-02 ({COHORT_RULE})",
            f"no cohort '2009-05' in the shop's orders; the cohorts are none yet ({COHORT_RULE})",
        ],
    ),
    (
        "retention.py",
        [
            "cohort 2011-11 has 0 months observed (a lapse takes 3 months to see and the last full month is "
            f"2011-11), too little to fit; the cohorts are 2010-12, 2011-01 ({COHORT_RULE})",
            "cohort 2011-11 has 0 months observed (a lapse takes 3 months to see and the last full month is "
            f"2011-11), too little to fit; the cohorts are none yet ({COHORT_RULE})",
            f"cohort 2011-12 has 12 new customers (fewer than 30), too little to fit; the cohorts are 2010-12 ({COHORT_RULE})",
            f"cohort 2011-12 has 1 new customer (fewer than 30), too little to fit; the cohorts are none yet ({COHORT_RULE})",
        ],
    ),
]
MESSAGES = [m for _, messages in SITES for m in messages]

# Names the marketer gave or the shop holds (campaigns, audiences, countries, segments): kept as written.
NAMES = (
    "Lapsed customers win-back - display",
    "Spring sale - search",
    "Old promo",
    "Champions UK",
    "Like Champions UK",
    "Lapsed big spenders",
    "My upload",
    "Channel Islands",
    "United Kingdom",
    "unicorn lamp",
    "t-light holder",
    "lunch box",
    MANY,
)
_ENGLISH_RUN = re.compile(r"[A-Za-z][A-Za-z'’-]*(?: [A-Za-z][A-Za-z'’-]*){3,}")
_FIGURE = re.compile(r"\d+(?:[.,]\d+)*")


def test_every_raise_site_has_its_example():
    """A new `raise ToolFailure(` in tools/ needs its example here (and, likely, a pattern)."""
    tools = Path(__file__).resolve().parents[2] / "tools"
    raised = Counter({f.name: f.read_text().count("raise ToolFailure(") for f in tools.glob("*.py")})
    assert Counter(f for f, _ in SITES) == +raised


@pytest.mark.parametrize("message", MESSAGES)
def test_a_tool_error_reads_as_chinese(message):
    said = error_text(message, zh=True)
    assert said.startswith("没能完成：")
    assert said != "没能完成：" + message, "no pattern of _ERRORS_ZH matches"
    plain = re.sub(r"`[^`]*`", "", said)
    for name in NAMES:
        plain = plain.replace(name, "")
    run = _ENGLISH_RUN.search(plain)
    assert run is None, f"English left in {said!r}: {run.group(0) if run else ''}"
    for figure in _FIGURE.findall(message):
        assert figure in said, f"{figure} is lost in {said!r}"


def test_figures_ids_and_commands_survive():
    assert error_text("£2.95 is product 12's price today; give a different price to compare", zh=True) == (
        "没能完成：£2.95 就是商品 12 现在的价格；请给一个不同的价格来比较。"
    )
    said = error_text("that would make the bid of campaign 2 £60.00; it must be at most £50.00", zh=True)
    assert said == "没能完成：这样活动 2 的出价会变成 £60.00，不能超过 £50.00。"
    said = error_text("there is no customer 99; customer ids are numbers such as 12346 or 12347", zh=True)
    assert "99" in said and "12346" in said and "12347" in said
    said = error_text(f"the DSP has no campaigns yet; add one with `{ADD_ONE}`", zh=True)
    assert f"`{ADD_ONE}`" in said
    said = error_text("customer 12346 is already not opted out (nothing recorded); nothing to change", zh=True)
    assert said == "没能完成：客户 12346 本来就没有退订营销（没有记录），无需修改。"
    said = error_text(
        "the shop's media history: 20 weeks are too few for 3 channels and 2 controls: need at least 26", True
    )
    assert said == "没能完成：店铺的媒体投放历史无法拟合：只有 20 周的数据，而 3 个渠道和 2 个控制变量至少需要 26 周。"
    said = error_text("campaign 3 (Lapsed customers win-back - display) is already active", zh=True)
    assert said == "没能完成：活动 3（Lapsed customers win-back - display）已经在投放中。"


def test_english_requests_keep_the_english_message():
    message = "£2.95 is product 12's price today; give a different price to compare"
    assert error_text(message, zh=False) == "I couldn't do that: " + message
