"""How the offline model words an answer: one formatter per tool, quoting the tool's own figures
(rounded as the tool rounded them), in English or Chinese; and everything else it says: questions,
errors, notes, refusals and the preview of a change waiting for approval."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

from offline import audience_words, dsp_words, terms

Fmt = Callable[[dict[str, Any], bool], str]


def _many(n: int, noun: str) -> str:
    """A count with its noun: 1 order, 3,204 orders."""
    return f"{n:,} {noun}{'' if n == 1 else 's'}"


def _ago(days: int) -> str:
    """Days since an order in words: today, 1 day ago, 12 days ago."""
    return "today" if days == 0 else f"{days} day{'' if days == 1 else 's'} ago"


def _money(v: float | None) -> str:
    return "n/a" if v is None else f"£{v:,.2f}"


_ZH_MONTH = {
    m: f"{i}月"
    for i, m in enumerate(("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"), 1)
}
_ZH_DAY = dict(
    zip(
        ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"),
        ("周一", "周二", "周三", "周四", "周五", "周六", "周日"),
        strict=True,
    )
)
_ZH_CHANNEL = {
    "email": "邮件",
    "paid_search": "搜索广告",
    "social": "社交媒体",
    "display": "展示广告",
    "affiliate": "联盟",
}
_ZH_STATUS = {"on_pace": "进度正常", "overspending": "超支", "underspending": "消耗不足", "exhausted": "预算已用完"}
_ZH_SOURCE = {"simulated": "模拟数据", "real": "真实数据"}


def _channel(name: str, zh: bool) -> str:
    return _ZH_CHANNEL.get(name, name) if zh else name.replace("_", " ")


def _seg(name: str, zh: bool) -> str:
    zh_names = {
        "champions": "冠军客户",
        "loyal": "忠诚客户",
        "potential_loyalists": "潜力客户",
        "new": "新客户",
        "need_attention": "需关注",
        "at_risk": "流失风险",
        "hibernating": "沉睡客户",
    }
    return zh_names.get(name, name) if zh else name.replace("_", " ")


def rfm_segments(r: dict[str, Any], zh: bool) -> str:
    rows = "; ".join(
        f"{_seg(s['segment'], zh)}: {s['customers']:,} "
        + ("位客户, 收入 " if zh else "customers, revenue ")
        + _money(s["revenue"])
        for s in r["segments"]
    )
    if zh:
        return f"截至 {r['as_of']}，{r['customers']:,} 位客户的 RFM 分群：{rows}。"
    return f"RFM segments of {r['customers']:,} customers as of {r['as_of']}: {rows}."


def _their_country(c: dict[str, Any], zh: bool) -> str:
    """A listed customer's country, where the list shows it (one of several countries)."""
    return f" ({_country(c['country'], zh)})" if c.get("country") else ""


def lapsing_customers(r: dict[str, Any], zh: bool) -> str:
    return _lapsing(r, zh) + _fewer_than_asked(r, zh)


def _fewer_than_asked(r: dict[str, Any], zh: bool) -> str:
    """Fewer at-risk customers than asked for: said, with the wider list a marketer can ask for."""
    if r.get("segment", "at_risk") != "at_risk" or not r.get("asked") or r["matching"] >= r["asked"]:
        return ""
    where = (r.get("filters") or {}).get("country")
    since = date.fromisoformat(r["as_of"]) - timedelta(days=60)  # two months quiet
    if zh:
        place = f"{_country(where, zh)}" if where else ""
        return (
            f"\n（只有 {r['matching']} 位符合流失风险的规则，少于您要的 {r['asked']} 位。要更宽的名单，可以问"
            f"“{place}下过至少2单、{since.month}月{since.day}日以来没下过单的客户”。）"
        )
    place = f"{where} " if where else ""
    return (
        f"\n(Only {r['matching']} match the at-risk rule, fewer than the {r['asked']} asked for. For a wider list, ask "
        f'for e.g. "{place}customers with 2+ orders who haven\'t ordered since {since.day} {since:%B}".)'
    )


def _lapsing(r: dict[str, Any], zh: bool) -> str:
    lines = "\n".join(
        f"- {c['customer_id']}{_their_country(c, zh)}: {c['days_since_last_order']} "
        + ("天未下单, " if zh else "days since last order, ")
        + f"{c['orders']} "
        + ("单, " if zh else ("order, " if c["orders"] == 1 else "orders, "))
        + _money(c["revenue"])
        for c in r["customers"]
    )
    f = r.get("filters") or {}
    segment = r.get("segment", "at_risk")
    if f or segment != "at_risk":
        where = _filters_text({k: v for k, v in f.items() if k != "segment"}, zh)
        if zh:
            head = (
                f"{where}有流失风险的客户（以前常买、最近没买）共 {r['matching']:,} 位"
                if segment == "at_risk"
                else f"{where}{_seg(segment, zh)}分群的客户共 {r['matching']:,} 位"
            )
            return (
                f"{head}（全店流失风险客户 {r['at_risk_total']:,} 位）。按消费排序：\n{lines}" if lines else head + "。"
            )
        head = (
            f"{r['matching']:,} customers about to lapse{where} ({r['rule']})"
            if segment == "at_risk"
            else f"{r['matching']:,} customers in the {_seg(segment, zh)} segment{where}"
        )
        return (
            f"{head}; {r['at_risk_total']:,} at risk in the whole shop. Highest spenders first:\n{lines}"
            if lines
            else head + "."
        )
    if zh:
        return f"共有 {r['at_risk_total']:,} 位高价值客户有流失风险（以前常买、最近没买）。按消费排序：\n{lines}"
    return (
        f"{r['at_risk_total']:,} valuable customers are about to lapse ({r['rule']}). Highest spenders first:\n{lines}"
    )


def _filters_text(f: dict[str, Any], zh: bool) -> str:
    """The filters a customer list or a report applied, as a phrase (" in France with at least 5 orders")."""
    parts: list[str] = []
    dates = f.get("dates_are", "")
    dated = [("first", f.get("first_start"), f.get("first_end"))]
    dated.append(("last" if dates == "last order" else "first", f.get("start"), f.get("end")))
    if zh:
        if f.get("country"):
            parts.append(f"{_country(f['country'], zh)}")
        if f.get("segment"):
            parts.append(f"{_seg(f['segment'], zh)}分群")
        parts += _orders_text(f.get("min_orders"), f.get("max_orders"), zh)
        parts += _spent_text(f.get("min_revenue"), f.get("max_revenue"), zh)
        for which, start, end in dated:
            what = "最后一单" if which == "last" else "首单"
            if start and end:
                parts.append(f"{what}在 {start} 至 {end}")
            elif start:
                parts.append(f"{what}在 {start} 之后")
            elif end:
                parts.append(f"{what}在 {end} 之前")
        if f.get("spend_start"):
            parts.append(f"{f['spend_start']} 至 {f['spend_end']} 下过单")
        if f.get("product"):
            parts.append(f"买过产品 {f['product_id']}（{f['product']}）")
        return "、".join(parts) + ("的" if parts else "")
    if f.get("country"):
        parts.append(" " + _in_country(f["country"], False))
    if f.get("segment"):
        parts.append(f" in the {_seg(f['segment'], zh)} segment")
    parts += _orders_text(f.get("min_orders"), f.get("max_orders"), zh)
    parts += _spent_text(f.get("min_revenue"), f.get("max_revenue"), zh)
    for which, start, end in dated:
        if start and end:
            parts.append(f", {which} order from {start} to {end}")
        elif start:
            parts.append(f", {which} order on or after {start}")
        elif end:
            parts.append(f", {which} order on or before {end}")
    if f.get("spend_start"):
        parts.append(f" who ordered from {f['spend_start']} to {f['spend_end']}")
    if f.get("product"):
        parts.append(f" who bought product {f['product_id']} ({f['product']})")
    return "".join(parts)


def _without_orders(f: dict[str, Any]) -> dict[str, Any]:
    """A list's filters but its order count: those the orders are counted among."""
    return {k: v for k, v in f.items() if k not in ("min_orders", "max_orders")}


def _orders_text(low: int | None, high: int | None, zh: bool) -> list[str]:
    """How many orders a customer list's filter allows, as a phrase (" with 2 to 5 orders", 至少下过 2 单)."""
    if not low and not high:
        return []
    if high == 1 or (low and low == high):
        n = high or low
        if zh:
            return ["只下过 1 单" if n == 1 else f"恰好下过 {n} 单"]
        return [" with only one order" if n == 1 else f" with exactly {n} orders"]
    if low and high:
        return [f"下过 {low} 至 {high} 单"] if zh else [f" with {low} to {high} orders"]
    if low:
        return [f"至少下过 {low} 单"] if zh else [f" with at least {low} orders"]
    return [f"最多下过 {high} 单"] if zh else [f" with at most {high} orders"]


def _spent_text(low: float | None, high: float | None, zh: bool) -> list[str]:
    """How much a customer list's filter says they spent (net revenue), as a phrase."""
    if low is not None and high is not None:
        return [f"累计消费 {_money(low)} 至 {_money(high)}"] if zh else [f" who spent {_money(low)} to {_money(high)}"]
    if low is not None:
        return [f"累计消费至少 {_money(low)}"] if zh else [f" who spent at least {_money(low)}"]
    if high is not None:
        return [f"累计消费不超过 {_money(high)}"] if zh else [f" who spent at most {_money(high)}"]
    return []


_SORT_WORDS = {
    "revenue": ("Highest spenders first", "消费额从高到低"),
    "orders": ("Most orders first", "订单数从多到少"),
    "recency": ("Most recent order first", "最后一单从近到远"),
    "first_order": ("Newest customers first", "首单从新到旧"),
}


def _bought_it(c: dict[str, Any], zh: bool) -> str:
    """What a customer of a "who bought product N" list bought of it."""
    if "product_units" not in c:
        return ""
    if zh:
        return f"，买了该产品 {c['product_units']:,} 件（{_money(c['product_revenue'])}）"
    return f", bought {c['product_units']:,} of it ({_money(c['product_revenue'])})"


def _pct_of(part: float, whole: float) -> str:
    """A share in percent, one decimal (under 0.1%: "<0.1%")."""
    pct = 100 * part / whole
    return f"{pct:.1f}%" if pct >= 0.1 or not pct else "<0.1%"


def customer_list(r: dict[str, Any], zh: bool) -> str:
    rows = r["customers"]
    where = _filters_text(r.get("filters") or {}, zh)
    sort = _SORT_WORDS.get(r.get("sort", "revenue"), _SORT_WORDS["revenue"])[1 if zh else 0]
    if r.get("sorted_by") == "product_revenue":
        sort = "该产品购买额从高到低" if zh else "Biggest buyers of the product first"
    share = r.get("share_of_revenue_pct")
    if zh:
        lines = "\n".join(
            f"- {c['customer_id']}（{_country(c['country'], zh)}）：{c['orders']} 单，{_money(c['revenue'])}，"
            f"首单 {c['first_order']}，最后一单 {c['last_order']}（{c['days_since_last_order']} 天前），{_seg(c['segment'], zh)}"
            f"{_bought_it(c, zh)}"
            for c in rows
        )
        if not rows:
            return f"没有{where}客户（全店共 {r['customers_in_shop']:,} 位客户）。"
        more = f"（列出前 {len(rows)} 位）" if len(rows) < r["matching"] else ""
        of_all = (
            f"（占全店 {r['customers_in_shop']:,} 位客户的 {_pct_of(r['matching'], r['customers_in_shop'])}）"
            if r.get("filters") and r.get("customers_in_shop")
            else ""
        )
        if r.get("before_order_filter"):
            those = _filters_text(_without_orders(r["filters"]), zh)
            of_all = (
                f"（{those}客户共 {r['before_order_filter']:,} 位，其中 {_pct_of(r['matching'], r['before_order_filter'])}；"
                f"全店 {r['customers_in_shop']:,} 位）"
            )
        spent = "期间消费" if (r.get("filters") or {}).get("spend_start") else "累计消费"
        span = "期间全店" if spent == "期间消费" else "全店"
        note = "（订单数和消费额只计这段时间）" if spent == "期间消费" else ""
        return (
            f"{where}客户共 {r['matching']:,} 位{of_all}，{spent} {_money(r['matching_revenue'])}，占{span}销售额的 {share}%{note}。"
            f"按{sort}{more}：\n{lines}"
        )
    lines = "\n".join(
        f"- {c['customer_id']} ({c['country']}): {c['orders']} order{'' if c['orders'] == 1 else 's'}, "
        f"{_money(c['revenue'])}, first order {c['first_order']}, last {c['last_order']} "
        f"({_ago(c['days_since_last_order'])}), {_seg(c['segment'], zh)}{_bought_it(c, zh)}"
        for c in rows
    )
    if not rows:
        return f"No customers{where} (of the shop's {r['customers_in_shop']:,})."
    more = f" (the first {len(rows)})" if len(rows) < r["matching"] else ""
    of_all = (
        f" ({_pct_of(r['matching'], r['customers_in_shop'])} of the shop's {r['customers_in_shop']:,})"
        if r.get("filters") and r.get("customers_in_shop")
        else ""
    )
    if r.get("before_order_filter"):
        those = _filters_text(_without_orders(r["filters"]), zh)
        those = " with a " + those[2:] if those.startswith(", ") else those
        of_all = (
            f" ({_pct_of(r['matching'], r['before_order_filter'])} of the {r['before_order_filter']:,} customers"
            f"{those}; the shop has {r['customers_in_shop']:,})"
        )
    if (r.get("filters") or {}).get("spend_start"):
        return (
            f"{r['matching']:,} customers{where}{of_all}: {_money(r['matching_revenue'])} of net revenue in that period, "
            f"{share}% of the shop's (orders and revenue below are that period's). {sort}{more}:\n{lines}"
        )
    return (
        f"{r['matching']:,} customers{where}{of_all}: {_money(r['matching_revenue'])} of net revenue together, {share}% of the "
        f"shop's. {sort}{more}:\n{lines}"
    )


_ZH_COUNTRY = {
    "United Kingdom": "英国", "Germany": "德国", "France": "法国", "EIRE": "爱尔兰", "Spain": "西班牙",
    "Netherlands": "荷兰", "Belgium": "比利时", "Switzerland": "瑞士", "Portugal": "葡萄牙", "Australia": "澳大利亚",
    "Norway": "挪威", "Italy": "意大利", "Japan": "日本", "Sweden": "瑞典", "USA": "美国", "Canada": "加拿大",
    "Austria": "奥地利", "Denmark": "丹麦", "Finland": "芬兰", "Poland": "波兰", "Greece": "希腊", "Iceland": "冰岛",
    "Israel": "以色列", "Cyprus": "塞浦路斯", "Singapore": "新加坡", "Brazil": "巴西", "Malta": "马耳他",
    "Lithuania": "立陶宛", "Lebanon": "黎巴嫩", "Bahrain": "巴林", "Czech Republic": "捷克", "RSA": "南非",
    "Saudi Arabia": "沙特", "United Arab Emirates": "阿联酋", "Channel Islands": "海峡群岛",
}  # fmt: skip


def _in_country(name: str, zh: bool) -> str:
    """Where a figure was taken: "in Germany", "outside United Kingdom" (every other country)."""
    return _country(name, zh) if zh else name if name.startswith("outside ") else f"in {name}"


def _country(name: str, zh: bool) -> str:
    if name.startswith("outside "):  # every country but these
        return f"{_country(name.removeprefix('outside '), zh)}以外" if zh else name
    if zh and ", " in name and name not in _ZH_COUNTRY:  # several: 法国、德国
        return "、".join(_ZH_COUNTRY.get(n, n) for n in name.split(", "))
    return _ZH_COUNTRY.get(name, name) if zh else name


def customer_lifetime_value(r: dict[str, Any], zh: bool) -> str:
    lines = "\n".join(
        f"- {c['customer_id']}{_their_country(c, zh)}: {_money(c['clv_52w'])}, "
        + (
            f"预计购买 {c['expected_purchases_52w']} 次, 活跃概率 {c['p_alive']}"
            if zh
            else f"{c['expected_purchases_52w']} expected purchases, P(alive) {c['p_alive']}"
        )
        for c in r["customers"]
    )
    f = r.get("filters") or {}
    if f:
        where = _filters_text(f, zh)
        if zh:
            return (
                f"{where}客户共 {r['matching']:,} 位，未来一年预计价值合计 {_money(r['matching_clv_52w'])}"
                f"（全部客户 {_money(r['total_clv_52w'])}，BG/NBD × Gamma-Gamma）。价值最高的：\n{lines}"
            )
        return (
            f"{r['matching']:,} customers{where}, worth {_money(r['matching_clv_52w'])} together over the next 52 weeks "
            f"(all customers {_money(r['total_clv_52w'])}; {r['model']}). Most valuable first:\n{lines}"
        )
    if zh:
        return f"未来一年价值最高的客户（BG/NBD × Gamma-Gamma，全部客户合计 {_money(r['total_clv_52w'])}）：\n{lines}"
    return (
        f"Most valuable customers over the next 52 weeks ({r['model']}; all customers together "
        f"{_money(r['total_clv_52w'])}):\n{lines}"
    )


def _worth_keeping(r: dict[str, Any], zh: bool) -> str:
    """The answer to "is this customer worth looking after", from the tool's expected value, its rank
    among the shop's customers and P(alive): a top fifth still buying is worth it; a top fifth that has
    likely stopped is worth one win-back; the middle gets the regular campaigns; the rest a newsletter."""
    top, alive = r.get("clv_52w_top_pct"), r.get("p_alive")
    if top is None or alive is None:
        return ""
    if top <= 20 and alive >= 0.5:
        return (
            f"值得重点维护：预计价值排在全店前 {top}%，而且仍在购买（仍活跃概率 {alive}）。\n"
            if zh
            else f"Worth looking after: their expected value is in the shop's top {top}% and they are still "
            f"buying (P(alive) {alive}).\n"
        )
    if top <= 20:
        return (
            f"值得挽回一次：过去消费高，但仍活跃概率只有 {alive}，可能已流失，先做一次召回再看反应。\n"
            if zh
            else f"Worth one win-back try: they spent a lot, but P(alive) is {alive}, so they may have stopped "
            "buying; see whether they answer before spending more.\n"
        )
    if top <= 50:
        return (
            f"放在常规营销里即可，不必单独投入：预计价值排在全店前 {top}%（中等）。\n"
            if zh
            else f"Keep them in the regular campaigns, no special effort: their expected value is mid-table "
            f"(top {top}%).\n"
        )
    return (
        f"不是重点：预计价值排在全店后半（前 {top}%），只需保留在常规邮件里。\n"
        if zh
        else f"Not a priority: their expected value is in the shop's bottom half (top {top}%); the regular "
        "newsletter is enough.\n"
    )


def customer_profile(r: dict[str, Any], zh: bool, asked: frozenset[str] = frozenset()) -> str:
    tops = ", ".join(p["description"] for p in r["top_products"])
    value = ""
    if r.get("clv_52w") is not None:
        rank = r.get("clv_52w_top_pct")
        if zh:
            value = (
                f"未来 52 周预计价值 {_money(r['clv_52w'])}（"
                + (f"全店前 {rank}%，" if rank is not None else "")
                + f"预计购买 {r['expected_purchases_52w']} 次，仍活跃概率 {r['p_alive']}）"
                + ("；该客户尚无重复购买，模型看不出是否已流失，按平均客单估值。" if r.get("value_note") else "。")
            )
        else:
            value = (
                f"Expected worth over the next 52 weeks: {_money(r['clv_52w'])} ("
                + (f"top {rank}% of customers; " if rank is not None else "")
                + f"{r['expected_purchases_52w']} expected purchases, P(alive) {r['p_alive']})"
                + (f"; note: {r['value_note']}. " if r.get("value_note") else ". ")
            )
    verdict = _worth_keeping(r, zh) if "worth" in asked else ""
    if zh:
        return verdict + (
            f"客户 {r['customer_id']}（{r['country']}）：{value}{r['orders']} 单，消费 {_money(r['revenue'])}，"
            f"{r['days_since_last_order']} 天前最后下单，分群 {_seg(r['segment'], zh)}（RFM {r['rfm']}）。常买：{tops}。"
        )
    return verdict + (
        f"Customer {r['customer_id']} ({r['country']}): {value}{r['orders']} order{'' if r['orders'] == 1 else 's'}, "
        f"{_money(r['revenue'])} revenue, "
        f"last order {_ago(r['days_since_last_order'])} ({r['last_order']}), segment "
        f"{_seg(r['segment'], zh)} (RFM {r['rfm']}). Buys most: {tops}."
    )


def _catalog_row(p: dict[str, Any], tail: str) -> str:
    code = f" [{p['stock_code']}]" if p.get("stock_code") else ""
    price = f", {_money(p['price'])}" if p.get("price") is not None else ""
    return f"- {p['product_id']}{code}: {p['description']}{price} ({tail})"


def similar_products(r: dict[str, Any], zh: bool) -> str:
    what = f"{r['product_id']} ({r['description']})" if "product_id" in r else f'"{r["query"]}"'
    if r.get("searched_as"):
        what += f"（按目录用词 {r['searched_as']} 搜索）" if zh else f' (searched as "{r["searched_as"]}")'
    n, words = r.get("matching_count", 0), str(r.get("matching_words", "")).upper()
    if "matching" in r:  # every product the words describe
        if not r["matching"]:  # none: the nearest ones instead
            rest = {k: v for k, v in r.items() if k != "matching"}
            none = (
                f"目录里没有描述同时含 {words} 的商品。"
                if zh
                else f"No product in the catalog is described as {words}."
            )
            return none + "\n" + similar_products(rest, zh)
        sold = "件" if zh else "units"
        items = "\n".join(_catalog_row(p, f"{p['units_sold']:,} {sold}") for p in r["matching"])
        shown = len(r["matching"])
        more = (f"（列出销量最高的 {shown} 个）" if zh else f" (the {shown} best sellers shown)") if shown < n else ""
        return (
            f"目录中描述含 {words} 的商品共 {n} 个{more}，按销量排序：\n{items}"
            if zh
            else f"The catalog has {n} product{'s' * (n != 1)} described as {words}{more}"
            + (", best sellers first" if n > 1 else "")
            + f":\n{items}"
        )
    items = "\n".join(_catalog_row(p, str(p["similarity"])) for p in r["similar"])
    text = f"与 {what} 相似的商品（相似度）：\n{items}" if zh else f"Products similar to {what} (similarity):\n{items}"
    if n > len(r["similar"]):
        text += (
            f"\n目录中描述含 {words} 的商品共 {n} 个；要看全部，请说“列出所有…”。"
            if zh
            else f"\nThe catalog has {n} products described as {words}; ask for all of them to see the whole list."
        )
    return text


def recommend_products(r: dict[str, Any], zh: bool) -> str:
    items = "\n".join(f"- {p['product_id']}: {p['description']} (score {p['score']})" for p in r["recommendations"])
    if zh:
        return f"给客户 {r['customer_id']} 的推荐（共同购买与热门商品召回，再由本店数据训练的模型排序）：\n{items}"
    return f"For customer {r['customer_id']} ({r['method']}):\n{items}"


def selling_points(r: dict[str, Any], zh: bool) -> str:
    if not zh:
        pts = "\n".join(f"- {p}" for p in r["selling_points"])
        return f"Selling points of product {r['product_id']}:\n{pts}"
    name = r.get("name_zh") or r["description"]
    lines = [f"现价 {_money(r['price'])}"]
    if r.get("units_sold"):
        lines.append(f"已售 {r['units_sold']:,} 件，{r['customers']:,} 位顾客购买")
        ranked = f"（共 {r['products_ranked']:,} 个商品）" if r.get("products_ranked") else ""
        lines.append(f"销量排名第 {r['best_seller_rank']:,}{ranked}")
    if r.get("customers"):
        lines.append(f"{round(r['repeat_buyer_pct'])}% 的买家回购过")
    if r.get("best_month"):
        lines.append(f"销售旺季：{_MONTH_ZH.get(r['best_month'], r['best_month'])}；卖往 {r['countries']} 个国家")
    pts = "\n".join(f"- {x}" for x in lines)
    return f"商品 {r['product_id']}（{name}，{r['description']}）的卖点：\n{pts}"


_MONTH_ZH = {
    m: f"{i}月"
    for i, m in enumerate(("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"), 1)
}


_PLATFORM_LABEL = {
    "google_rsa": ("Google Ads responsive search ad", "谷歌搜索广告"),
    "meta": ("Meta (Facebook, Instagram) ad", "Meta（Facebook、Instagram）广告"),
    "wechat_moments": ("WeChat Moments ad", "朋友圈广告"),
    "xiaohongshu": ("Xiaohongshu note", "小红书笔记"),
}
_PART_LABEL = {
    "headline": ("headline", "标题"),
    "description": ("description", "描述"),
    "primary_text": ("primary text", "正文"),
    "text": ("text", "文案"),
    "title": ("title", "标题"),
    "body": ("body", "正文"),
}
_TONE_ZH = {"playful": "俏皮", "premium": "高端", "urgent": "紧迫", "warm": "温暖"}
_SEGMENT_LABEL = {
    "new": ("new customers", "新客"),
    "lapsed": ("lapsed customers", "流失客户"),
    "vip": ("VIP customers", "老顾客"),
}
_COUNTING_ZH = {
    "google_rsa": "中文字符按 2 个字符计，与谷歌广告的计法一致",
    "meta": "每个字符计 1",
    "wechat_moments": "每个字符计 1",
    "xiaohongshu": "每个字符计 1",
}


def compose_headlines(r: dict[str, Any], zh: bool) -> str:
    platform, tone = r.get("platform", "none"), r.get("tone", "none")
    segment = r.get("segment")
    general = str(r["audience"]).strip().lower() in ("shoppers", "customers", "everyone", "顾客", "客户", "")
    who = (
        _SEGMENT_LABEL[segment][1 if zh else 0]
        if segment
        else (("所有顾客" if zh else "shoppers") if general else r["audience"])
    )
    if platform == "none":
        items = "\n".join(f"{i}. {h['text']}" for i, h in enumerate(r["headlines"], 1))
        style = "" if tone == "none" else (f"，{_TONE_ZH[tone]}语气" if zh else f", {tone} tone")
        if zh:
            out = f"商品 {r['product_id']} 的标题（面向{who}{style}；离线模型根据真实商品数据生成，已做合规检查）：\n{items}"
        else:
            out = (
                f"Headlines for product {r['product_id']} ({who}{style}), composed offline from the product's "
                f"real catalog and sales facts and compliance-checked:\n{items}"
            )
    else:

        def part(name: str, h: dict[str, Any]) -> str:
            count, limit = h["chars"][name][0], r["limits"].get(name) or h["chars"][name][1]  # shorter: its own
            text = " ".join(str(h["parts"][name]).split())
            label = _PART_LABEL.get(name, (name, name))[1 if zh else 0]
            return f"{label}：{text}（{count}/{limit}）" if zh else f'{label} "{text}" ({count}/{limit})'

        sep = "｜" if zh else " | "
        items = "\n".join(
            f"{i}. " + sep.join(part(name, h) for name in h["parts"]) for i, h in enumerate(r["headlines"], 1)
        )
        label = _PLATFORM_LABEL[platform][1 if zh else 0]
        limits = ", ".join(f"{_PART_LABEL.get(k, (k, k))[1 if zh else 0]} {v}" for k, v in r["limits"].items())
        if zh:
            style = f"，{_TONE_ZH[tone]}语气" if tone != "none" else ""
            out = (
                f"商品 {r['product_id']}（{r.get('name', '')}）的{label}文案（面向{who}{style}），根据真实商品与销售数据离线生成；"
                f"字数上限：{limits}（{_COUNTING_ZH[platform]}），每条都在上限内并通过合规检查（括号内为字数/上限）：\n{items}"
            )
        else:
            style = f", {tone} tone" if tone != "none" else ""
            out = (
                f"{label} copy for product {r['product_id']} ({r.get('name', '')}; for {who}{style}), composed offline "
                f"from the product's real catalog and sales facts. Limits: {limits} characters ({r['counting']}); "
                f"every variant fits them and passes the compliance check (length/limit in brackets):\n{items}"
            )
    if r.get("shorter"):  # "make them shorter": said first, with the tighter limits shown
        out = (
            "更短的版本（每项不超过原来最长一条的四分之三）：\n"
            if zh
            else "Shorter versions (each field within three quarters of the longest one before):\n"
        ) + out
    if r.get("note"):
        out += (
            f"\n（只生成了 {r['returned']} 条，少于要求的 {r['requested']} 条：商品数据不足以写出更多不重复、合规且不超长的文案。）"
            if zh
            else f"\n(Note: {r['note']}.)"
        )
    return out


_ZH_RULE = {
    "absolute": "绝对化用语",
    "authority": "冒用权威",
    "medical": "医疗功效",
    "urgency": "制造紧迫",
    "safety": "无法证实的安全/天然宣称",
    "guarantee": "效果保证",
}


def check_compliance(r: dict[str, Any], zh: bool) -> str:
    if r["compliant"]:
        return (
            "没有发现规则库里的违规用语（绝对化、医疗、安全、效果保证等）。"
            if zh
            else "No flagged terms: the copy passes the compliance check (absolute, medical, safety and guarantee claims)."
        )
    if zh:
        found = "，".join(f"“{f['term']}”（{_ZH_RULE.get(f['rule'], f['rule'])}）" for f in r["findings"])
        return f"不能直接用：发现 {len(r['findings'])} 处违规用语：{found}。请删除或改写，改后可以再发给我检查。"
    found = ", ".join(f'"{f["term"]}" ({f["rule"]})' for f in r["findings"])
    return f"Not usable as it is: {len(r['findings'])} flagged terms: {found}. Remove or rephrase them."


def _tiers_text(tiers: list[dict[str, Any]], zh: bool) -> str:
    """The prices a product sold at, with the typical line size and share of units at each."""
    parts = []
    for i, t in enumerate(tiers):
        q, share = f"{t['typical_quantity']:g}", f"{100 * t['share_of_units']:.0f}%"
        if zh:
            parts.append(
                f"{_money(t['price'])}：{'每行' if i == 0 else ''}约 {q} 件，{'占销量 ' if i == 0 else ''}{share}"
            )
        else:
            parts.append(
                f"{_money(t['price'])} on {'lines of ' if i == 0 else ''}about {q} units, {share}{' of units' if i == 0 else ''}"
            )
    return "；".join(parts) if zh else "; ".join(parts)


def _change_text(r: dict[str, Any], zh: bool) -> str:
    """The like-size price change the estimate learned from (the band seen in the most weeks)."""
    changes = r.get("price_changes") or []
    if not changes:
        return ""
    c = max(changes, key=lambda c: c["weeks"])
    prices = " → ".join(_money(p) for p in c["prices"]) if zh else " -> ".join(_money(p) for p in c["prices"])
    band = c["band"].removesuffix(" units per line")
    return f"每行 {band} 件的订单：{prices}" if zh else f"{prices} for lines of {band} units"


def _in_brackets(text: str, zh: bool) -> str:
    if not text:
        return ""
    return f"（{text}）" if zh else f" ({text})"


_TEST_FIRST = (
    "Test a price change first (an A/B price test).",
    "请先做一次改价测试（A/B 价格测试）。",
)


def _why_no_price(r: dict[str, Any], zh: bool) -> str:
    """Why the data cannot price the product, from the tool's reason code, as a marketer reads it."""
    code, e = r.get("reason"), r.get("elasticity")
    ci = f"[{r.get('ci_low')}, {r.get('ci_high')}]"
    if r.get("ci_low") is None or r.get("ci_high") is None:
        ci = "未知" if zh else "unknown"  # a result that carries no interval: never "[None, None]"
    test = _TEST_FIRST[1 if zh else 0]
    if code == "tier_pricing_only":
        tiers = _tiers_text(r.get("tiers") or [], zh)
        if zh:
            return (
                f"同样的订购量下，它的价格从未变过。不同的价格是按订购量定的阶梯价（{tiers}），"
                f"所以数据无法说明改价后需求会怎样变化。{test}"
            )
        return (
            f"its price never changed for the same order size. Its prices differ only by order size, as bulk-order tiers "
            f"({tiers}), so the data cannot say how demand would respond to a price change. {test}"
        )
    if code == "price_never_changed":
        if zh:
            return f"同样的订购量下，它的价格从未变过（或变动持续太短），所以数据无法说明改价后需求会怎样变化。{test}"
        return (
            f"its price never changed for the same order size (not for long enough to learn from), so the "
            f"data cannot say how demand would respond to a price change. {test}"
        )
    if code == "too_few_weeks":
        if zh:
            return f"它在同样订购量下改过价{_in_brackets(_change_text(r, zh), zh)}，但销售周数太少，分不清价格的作用和偶然波动。{test}"
        return (
            f"its price did change for like order sizes{_in_brackets(_change_text(r, zh), zh)}, but in too few weeks of "
            f"sales to tell the effect of price from chance. {test}"
        )
    if code == "elasticity_not_negative":
        if zh:
            return f"它改价后{_in_brackets(_change_text(r, zh), zh)}需求并没有下降（弹性 {e}）：影响销量的是价格以外的因素，数据无法据此定价。{test}"
        return (
            f"when its price changed{_in_brackets(_change_text(r, zh), zh)}, demand did not fall (elasticity {e}): "
            f"something other than price moved its sales, so the data cannot price it. {test}"
        )
    if code == "not_significant":
        if zh:
            return f"估计的弹性 {e}（95% 区间 {ci}）可能为零：数据无法判断需求是否随价格变化。{test}"
        return (
            f"the estimated elasticity ({e}, 95% interval {ci}) could be zero: the data cannot tell whether demand "
            f"responds to price at all. {test}"
        )
    if code == "inelastic":
        if zh:
            return f"需求对价格不够敏感（弹性 {e}，95% 区间 {ci}，不明确低于 -1），数据给不出利润最大化的价格；涨价可能更划算，但请先测试。"
        return (
            f"demand responds little to price (elasticity {e}, 95% interval {ci}, not clearly below -1), so the "
            "data gives no profit-maximising price; a price rise may pay, but test it first."
        )
    if code == "new_price_outside":
        lo, hi = r.get("prices_seen") or (None, None)
        if zh:
            return (
                f"新价格 {_money(r.get('new_price'))} 超出了同样订购量下卖过的价格（{_money(lo)} 至 {_money(hi)}），"
                f"数据无法说明那个价位的销量（估计的弹性 {e} 只在卖过的价格范围内可信）。{test}"
            )
        return (
            f"{_money(r.get('new_price'))} is outside the {_money(lo)} to {_money(hi)} it sold at for like order "
            f"sizes, and the estimate (elasticity {e}) holds only within them. {test}"
        )
    if code == "outside_prices_seen":
        lo, hi = r["prices_seen"]
        below = r["unsupported_price"] < lo
        if zh:
            side = "低于" if below else "高于"
            return (
                f"按估计的弹性 {e}，最优价格是 {_money(r['unsupported_price'])}，远{side}同样订购量下卖过的价格"
                f"（{_money(lo)} 至 {_money(hi)}）；数据无法为从未试过的价格担保。请先朝这个方向小步测试。"
            )
        return (
            f"the estimate (elasticity {e}) points to {_money(r['unsupported_price'])}, far {'below' if below else 'above'} "
            f"the {_money(lo)} to {_money(hi)} it sold at for like order sizes; the data cannot vouch for a price it "
            "never tried. Test a step toward it first."
        )
    return f"估计不可靠：{r.get('caveat') or r.get('refused')}" if zh else str(r.get("caveat") or r.get("refused"))


def price_elasticity(r: dict[str, Any], zh: bool) -> str:
    if r["elasticity"] is None:
        why = _why_no_price(r, zh)
        return (
            f"商品 {r['product_id']}（{r['description']}）的价格弹性：无法估计，因为{why}"
            if zh
            else f"Price elasticity of product {r['product_id']} ({r['description']}): cannot be estimated, because {why}"
        )
    ci = f"[{r['ci_low']}, {r['ci_high']}]"
    source = _change_text(r, zh)
    if zh:
        s = (
            f"商品 {r['product_id']}（{r['description']}）的价格弹性为 {r['elasticity']}（标准误 {r['std_error']}，"
            f"95% 区间 {ci}，{r['n_obs']} 个观测，{r['n_prices']} 个价格；来自同样订购量下的改价：{source}）。"
        )
        return s + ("" if r["credible"] else f" 注意：{_why_no_price(r, zh)}")
    s = (
        f"Price elasticity of product {r['product_id']} ({r['description']}): {r['elasticity']} "
        f"(standard error {r['std_error']}, 95% interval {ci}, {r['n_obs']} observations at {r['n_prices']} prices; "
        f"learned from price changes at like order sizes: {source})."
    )
    return s + ("" if r["credible"] else f" Not credible enough to price on: {_why_no_price(r, zh)}")


def _product(r: dict[str, Any], zh: bool) -> str:
    """`product 3220 (JUMBO BAG RED RETROSPOT)`: the id a marketer can reuse and the name they know."""
    name = r.get("description") or r.get("name")
    if zh:
        return f"商品 {r['product_id']}" + (f"（{name}）" if name else "")
    return f"product {r['product_id']}" + (f" ({name})" if name else "")


def optimal_price(r: dict[str, Any], zh: bool) -> str:
    if r["recommended_price"] is None:
        return (
            f"{_product(r, zh)} 不给出定价建议：{_why_no_price(r, zh)}"
            if zh
            else f"I won't recommend a price for {_product(r, zh)}: {_why_no_price(r, zh)}"
        )
    lo, hi = r["price_range_95"]
    if zh:
        return (
            f"{_product(r, zh)} 在单位成本 {_money(r['unit_cost'])} 下的利润最大化价格为 "
            f"{_money(r['recommended_price'])}（弹性 {r['elasticity']}，区间 {_money(lo)} 至 {_money(hi)}；"
            f"来自同样订购量下的改价：{_change_text(r, zh)}），当前价格 {_money(r['current_price'])}。"
        )
    return (
        f"Profit-maximising price for {_product(r, zh)} at a unit cost of {_money(r['unit_cost'])}: "
        f"{_money(r['recommended_price'])} (elasticity {r['elasticity']}; 95% range {_money(lo)} to "
        f"{_money(hi)}; learned from price changes at like order sizes: {_change_text(r, zh)}); it sells at "
        f"{_money(r['current_price'])} today."
    )


def _margin_text(r: dict[str, Any], zh: bool) -> str:
    """With a unit cost: each unit's margin before and after, and the rise in units that keeps profit level."""
    if r.get("unit_margin") is None:
        return ""
    m0, m1, need = r["unit_margin"], r["new_unit_margin"], r.get("break_even_units_change_pct")
    if zh:
        s = f" 按成本算，每件毛利 {_money(m0)} → {_money(m1)}"
        if m1 <= 0:
            return s + "：新价格不赚钱。"
        return s + (f"；销量要多 {need:g}% 利润才持平。" if need is not None and need > 0 else "。")
    s = f" At that unit cost each unit's margin goes {_money(m0)} -> {_money(m1)}"
    if m1 <= 0:
        return s + ": the new price sells at a loss."
    return s + (f"; units would have to rise {need:g}% for the same profit." if need is not None and need > 0 else ".")


def _baseline(r: dict[str, Any], zh: bool) -> str:
    """Which weeks a price what-if's weekly units are the average of."""
    said = str(r.get("baseline") or "the last 12 weeks")
    if not zh:
        return said
    m = re.match(r"the last (\d+) weeks \((\S+) to (\S+)\)", said)
    if m:
        return f"近 {m[1]} 周（{m[2]} 至 {m[3]}）"
    m = re.match(r"every week since its first sale \((\S+) to (\S+);", said)
    return f"首次售出以来各周（{m[1]} 至 {m[2]}，近期无销量）" if m else said


def discount_effect(r: dict[str, Any], zh: bool) -> str:
    if zh:
        change = f"打 {_num(r['discount_pct'])}% 折扣" if r["discount_pct"] > 0 else f"涨价 {_num(-r['discount_pct'])}%"
    else:
        change = (
            f"A {_num(r['discount_pct'])}% discount"
            if r["discount_pct"] > 0
            else f"A {_num(-r['discount_pct'])}% price rise"
        )
    margin = _margin_text(r, zh)
    if not r.get("demand_estimated", True):
        why = _why_no_price(r, zh)
        if zh:
            return (
                f"{_product(r, zh)} {change}：价格 {_money(r['price'])} → {_money(r['new_price'])}；"
                f"{_baseline(r, zh)}每周销量 {r['quantity']}。无法估计销量会怎样变化：{why}{margin}"
            )
        return (
            f"{change} on {_product(r, zh)}: price {_money(r['price'])} -> {_money(r['new_price'])}; it has sold "
            f"{r['quantity']} units a week over {_baseline(r, zh)}. I can't say what it would do to units: "
            f"{why}{margin}"
        )
    caveat = ""
    if r.get("reason") == "inelastic":
        caveat = "（需求对价格不敏感）" if zh else " (demand responds little to price)"
    elif not r["elasticity_credible"]:
        caveat = " (弹性估计不可靠)" if zh else " (the elasticity estimate is not credible)"
    if r.get("within_prices_seen") is False:
        caveat += (
            "（新价格超出同样订购量下卖过的价格，属于外推）"
            if zh
            else " (the new price is beyond the prices it sold at for like order sizes: an extrapolation)"
        )
    profit = ""
    if r.get("new_profit") is not None:
        profit = (
            f"，利润 {_money(r['profit'])} → {_money(r['new_profit'])}"
            if zh
            else f"; profit {_money(r['profit'])} -> {_money(r['new_profit'])}"
        )
    if zh:
        return (
            f"{_product(r, zh)} {change}：价格 {_money(r['price'])} → {_money(r['new_price'])}，"
            f"每周销量（{_baseline(r, zh)}平均）{r['quantity']} → {r['new_quantity']}"
            f"（{r['quantity_change_pct']}%），收入 "
            f"{_money(r['revenue'])} → {_money(r['new_revenue'])}{profit}；弹性 {r['elasticity']}{caveat}。"
        )
    return (
        f"{change} on {_product(r, zh)}: price {_money(r['price'])} -> "
        f"{_money(r['new_price'])}, weekly units (average of {_baseline(r, zh)}) {r['quantity']} -> "
        f"{r['new_quantity']} "
        f"({r['quantity_change_pct']}%), revenue {_money(r['revenue'])} -> {_money(r['new_revenue'])}{profit}; "
        f"elasticity {r['elasticity']}{caveat}."
    )


def impression_bid(r: dict[str, Any], zh: bool) -> str:
    if zh:
        return (
            f"预估点击率 {r['pctr']}、每次点击价值 {_money(r['value_per_click'])} 时，每千次展示出价 {r['bid_cpm']}"
            f"（每次展示 {r['bid_per_impression']}；二价竞价下的真实出价：点击率 × 点击价值）。"
        )
    return (
        f"Bid {r['bid_cpm']} per 1,000 impressions ({r['bid_per_impression']} each) for a pCTR of {r['pctr']} "
        f"and {_money(r['value_per_click'])} per click ({r['rule']})."
    )


def campaign_pacing(r: dict[str, Any], zh: bool) -> str:
    paused = r.get("campaign_status") == "paused"
    out_at = r.get("budget_runs_out_at")
    if zh:
        rest = (
            "活动已暂停，今天不会再花费"
            if paused
            else (f"按当前出价，预算将在 {out_at} 这一小时内用完" if out_at else "按当前出价，今天用不完预算")
        )
        advice = "" if paused else f"；建议出价 {_money(r['suggested_bid'])}（当前 {_money(r['bid'])}）"
        return (
            f"活动 {r['campaign_id']}（{r['name']}）过去 {r['hours_reported']} 小时已花费 {_money(r['spent'])} / 日预算 "
            f"{_money(r['daily_budget'])}，均匀消耗应为 {_money(r['expected_spend'])}，{_ZH_STATUS.get(r['status'], r['status'])}，"
            f"预计全天 {_money(r['projected_spend'])}（{rest}）{advice}。"
            f"投放数据：{_ZH_SOURCE.get(r['data_source'], r['data_source'])}。"
        )
    rest = (
        "it is paused, so nothing more is spent today"
        if paused
        else (
            f"at this bid the budget runs out in the hour from {out_at}"
            if out_at
            else "at this bid it won't spend the whole budget"
        )
    )
    advice = "" if paused else f" Suggested bid {_money(r['suggested_bid'])} (now {_money(r['bid'])})."
    return (
        f"Campaign {r['campaign_id']} ({r['name']}) has spent {_money(r['spent'])} of its {_money(r['daily_budget'])} "
        f"daily budget after {r['hours_reported']} hours (even pace: {_money(r['expected_spend'])}): "
        f"{r['status'].replace('_', ' ')}, heading for {_money(r['projected_spend'])} ({rest}).{advice} "
        f"Delivery data: {r['data_source']}."
    )


def _pct(v: float | None) -> str:
    return "n/a" if v is None else f"{v:+g}%"


def _ratio(v: float | None) -> str:
    return "n/a" if v is None else f"{v:g}"


def _num(v: float) -> str:
    """A share as an answer quotes it: 10, 8.2 (one decimal at most)."""
    return f"{round(v, 1):g}"


_METRIC_NAMES = {
    "roas": ("ROAS", "投产比（ROAS）"),
    "cpa": ("CPA", "单次转化成本（CPA）"),
    "ctr": ("CTR", "点击率"),
    "conversions": ("conversions", "转化数"),
    "conversion_rate": ("conversion rate", "转化率"),
    "revenue": ("revenue", "收入"),
    "spend": ("spend", "花费"),
    "clicks": ("clicks", "点击"),
    "impressions": ("impressions", "展示"),
    "cpc": ("CPC", "单次点击成本"),
}


def _metric_value(metric: str, row: dict[str, Any]) -> str:
    """A metric of a row as an answer quotes it (CTR and conversion rate in percent)."""
    if metric in ("ctr", "conversion_rate"):
        v = row.get(metric + "_pct")
        return "n/a" if v is None else f"{v}%"
    v = row.get(metric)
    if v is None:
        return "n/a"
    if metric in ("cpa", "cpc", "revenue", "spend"):
        return _money(v)
    if metric == "roas":
        return f"{v:g}"
    return f"{v:,}"


def _period_text(p: dict[str, Any], zh: bool) -> str:
    if zh:
        return p["start"] if p["days"] == 1 else f"{p['start']} 至 {p['end']}（{p['days']} 天）"
    return p["start"] if p["days"] == 1 else f"{p['start']} to {p['end']} ({p['days']} days)"


def _figures(r: dict[str, Any], zh: bool) -> str:
    if zh:
        return (
            f"展示 {r['impressions']:,}，点击 {r['clicks']:,}（点击率 {_metric_value('ctr', r)}），转化 {r['conversions']:,}，"
            f"花费 {_money(r['spend'])}，收入 {_money(r['revenue'])}，投产比 {_ratio(r['roas'])}，单次转化成本 {_money(r['cpa'])}"
        )
    return (
        f"{r['impressions']:,} impressions, {r['clicks']:,} clicks (CTR {_metric_value('ctr', r)}), "
        f"{r['conversions']:,} conversions, spend {_money(r['spend'])}, revenue {_money(r['revenue'])}, "
        f"ROAS {_ratio(r['roas'])}, CPA {_money(r['cpa'])}"
    )


def _changes(c: dict[str, Any] | None, zh: bool, before: dict[str, Any] | None = None) -> str:
    """The change of each figure against the period before (named by its dates when given)."""
    if not c:
        return "（没有更早的数据可比）" if zh else " (no earlier period to compare with)"
    if zh:
        when = f"与 {before['start']} 至 {before['end']} 相比" if before else "与上一同长周期相比"
        return (
            f"（{when}：花费 {_pct(c['spend'])}，收入 {_pct(c['revenue'])}，转化 {_pct(c['conversions'])}，"
            f"点击率 {_pct(c.get('ctr'))}，投产比 {_pct(c['roas'])}，CPA {_pct(c['cpa'])}）"
        )
    when = f"against {before['start']} to {before['end']}" if before else "against the period before"
    return (
        f" ({when}: spend {_pct(c['spend'])}, revenue {_pct(c['revenue'])}, "
        f"conversions {_pct(c['conversions'])}, CTR {_pct(c.get('ctr'))}, ROAS {_pct(c['roas'])}, CPA {_pct(c['cpa'])})"
    )


def _today_note(r: dict[str, Any], zh: bool) -> str:
    hours = r.get("today_hours")
    if hours is None:
        return ""
    return f"今天只含前 {hours} 小时。" if zh else f" Today counts its first {hours} hours."


def _bucket_rows(r: dict[str, Any], zh: bool) -> str:
    """The day-by-day (or week-by-week) rows a report was asked for, most recent 31 at most."""
    rows = r.get("rows") or []
    if not rows:
        return ""
    by = r.get("rows_are", "day")
    shown = rows[-31:]
    if zh:
        head = ("按天" if by == "day" else "按周（周一起）") + (
            f"（最近 {len(shown)} 行）" if len(shown) < len(rows) else ""
        )
        lines = [
            f"- {x[by]}：花费 {_money(x['spend'])}，收入 {_money(x['revenue'])}，投产比 {_ratio(x['roas'])}，"
            f"点击 {x['clicks']:,}（点击率 {_metric_value('ctr', x)}，CPC {_money(x.get('cpc'))}），转化 {x['conversions']:,}，"
            f"CPA {_money(x['cpa'])}"
            for x in shown
        ]
        return f"\n{head}：\n" + "\n".join(lines)
    head = ("By day" if by == "day" else "By week (from Monday)") + (
        f" (latest {len(shown)} rows)" if len(shown) < len(rows) else ""
    )
    lines = [
        f"- {x[by]}: spend {_money(x['spend'])}, revenue {_money(x['revenue'])}, ROAS {_ratio(x['roas'])}, "
        f"{x['clicks']:,} clicks (CTR {_metric_value('ctr', x)}, CPC {_money(x.get('cpc'))}), {x['conversions']:,} "
        f"conversions, CPA {_money(x['cpa'])}"
        for x in shown
    ]
    return f"\n{head}:\n" + "\n".join(lines)


def campaign_metrics(r: dict[str, Any], zh: bool, asked: frozenset[str] = frozenset()) -> str:
    return _which_campaign(r, zh, asked) + _campaign_metrics(r, zh) + _bucket_rows(r, zh)


def _which_campaign(r: dict[str, Any], zh: bool, asked: frozenset[str]) -> str:
    """The answer to "which campaign is dragging us down" (or doing best), first: by the ranking's
    metric, or by ROAS among several campaigns' figures (the lowest CPA when none has revenue)."""
    best = "best" in asked
    if not ({"best", "worst"} & asked):
        return ""
    if "ranking" in r:
        rows, m = r["ranking"], r["metric"]
        row = rows[0] if best else rows[-1]  # (the ranking runs from best to worst)
    else:
        rows = [c for c in r.get("campaigns") or [] if c.get("roas") is not None]
        if len(rows) < 2:
            return ""
        m = "roas"
        row = (max if best else min)(rows, key=lambda c: c["roas"])
    name = _METRIC_NAMES.get(m, (m, m))[1 if zh else 0]
    value = _metric_value(m, row)
    if zh:
        return f"{'表现最好' if best else '表现最差'}的是活动 {row['campaign_id']}（{row['name']}）：{name} {value}。\n"
    return f"{'Strongest' if best else 'Weakest'}: campaign {row['campaign_id']} ({row['name']}), {name} {value}.\n"


def _campaign_metrics(r: dict[str, Any], zh: bool) -> str:
    period = _period_text(r["period"], zh)
    src = _ZH_SOURCE.get(r["source"], r["source"]) if zh else r["source"]
    if r.get("campaign_id") is not None:
        head = (
            f"活动 {r['campaign_id']}（{r['name']}，{_status(r['status'], zh)}）{period}："
            if zh
            else f"Campaign {r['campaign_id']} ({r['name']}, {r['status']}), {period}: "
        )
        body = _figures(r, zh) + _changes(r.get("change_pct"), zh, r.get("previous_period"))
        tail = f"。{_today_note(r, zh)}投放数据：{src}。" if zh else f".{_today_note(r, zh)} Delivery data: {src}."
        return head + body + tail
    rows = "\n".join(
        (
            f"- 活动 {c['campaign_id']}（{c['name']}，{_status(c['status'], zh)}）：花费 {_money(c['spend'])}，收入 "
            f"{_money(c['revenue'])}，投产比 {_ratio(c['roas'])}，转化 {c['conversions']:,}，CPA {_money(c['cpa'])}，"
            f"点击率 {_metric_value('ctr', c)}{_changes(c.get('change_pct'), zh)}"
            if zh
            else f"- campaign {c['campaign_id']} ({c['name']}, {c['status']}): spend {_money(c['spend'])}, revenue "
            f"{_money(c['revenue'])}, ROAS {_ratio(c['roas'])}, {c['conversions']:,} conversions, CPA {_money(c['cpa'])}, "
            f"CTR {_metric_value('ctr', c)}{_changes(c.get('change_pct'), zh)}"
        )
        for c in r["campaigns"]
    )
    if zh:
        return (
            f"{r['campaign_count']} 个活动 {period} 合计：{_figures(r, zh)}{_changes(r.get('change_pct'), zh, r.get('previous_period'))}。\n{rows}\n"
            f"{_today_note(r, zh)}投放数据：{src}。"
        )
    note = _today_note(r, zh).strip()
    return (
        f"{r['campaign_count']} campaigns together, {period}: {_figures(r, zh)}{_changes(r.get('change_pct'), zh, r.get('previous_period'))}.\n{rows}\n"
        + (note + " " if note else "")
        + f"Delivery data: {src}."
    )


def compare_campaigns(r: dict[str, Any], zh: bool, asked: frozenset[str] = frozenset()) -> str:
    return _which_campaign(r, zh, asked) + _compare_campaigns(r, zh)


def _compare_campaigns(r: dict[str, Any], zh: bool) -> str:
    m = r["metric"]
    name = _METRIC_NAMES.get(m, (m, m))[1 if zh else 0]
    period = _period_text(r["period"], zh)
    src = _ZH_SOURCE.get(r["source"], r["source"]) if zh else r["source"]
    rows = "\n".join(
        f"{row['rank']}. "
        + (f"活动 {row['campaign_id']}（{row['name']}）" if zh else f"campaign {row['campaign_id']} ({row['name']})")
        + f": {_metric_value(m, row)}"
        + ("" if row.get("value_change_pct") is None else f" ({_pct(row['value_change_pct'])})")
        + (
            ("；" if zh else "; ")
            + _figures(row, zh)
            + (_changes(row["change_pct"], zh) if row.get("change_pct") else "")
            if len(r["ranking"]) <= 5 and "impressions" in row
            else ""
        )
        for row in r["ranking"]
    )  # a few campaigns side by side: each one's other figures too, and how each moved
    best, worst = r["ranking"][0], r["ranking"][-1]
    t = r.get("total") or {}
    together = ""
    if 1 < len(r["ranking"]) <= 5 and "impressions" in t:  # and all of them together, against the period before
        changes = _changes(t.get("change_pct"), zh, r.get("previous_period"))
        together = (
            f"\n{len(r['ranking'])} 个活动合计：{_figures(t, zh)}{changes}。"
            if zh
            else f"\nAll {len(r['ranking'])} together: {_figures(t, zh)}{changes}."
        )
    low = r["order"] == "lowest first"
    lead = ""
    if len(r["ranking"]) == 2 and _metric_value(m, best) != _metric_value(m, worst):  # which one is ahead, first
        lead = (
            f"{name}{'更低' if low else '更高'}的是活动 {best['campaign_id']}（{_metric_value(m, best)}，"
            f"活动 {worst['campaign_id']} 为 {_metric_value(m, worst)}）。\n"
            if zh
            else f"{'Lower' if low else 'Higher'} {name}: campaign {best['campaign_id']} ({_metric_value(m, best)}, "
            f"against {_metric_value(m, worst)} for campaign {worst['campaign_id']}).\n"
        )
    if zh:
        order = "从低到高" if r["order"] == "lowest first" else "从高到低"
        return (
            f"{lead}按{name}排名（{period}，{order}，括号内为与上一同长周期相比的变化）：\n{rows}{together}\n"
            f"最好：活动 {best['campaign_id']}；最差：活动 {worst['campaign_id']}。投放数据：{src}。"
        )
    order = "lowest first" if r["order"] == "lowest first" else "highest first"
    return (
        f"{lead}Campaigns by {name}, {period}, {order} (change against the period before in brackets):\n{rows}{together}\n"
        f"Best: campaign {best['campaign_id']}; worst: campaign {worst['campaign_id']}. Delivery data: {src}."
    )


def replay_bidding(r: dict[str, Any], zh: bool) -> str:
    if zh:
        return (
            f"{r['strategy']} 策略在 iPinYou 2997 日志（{r['auctions']:,} 次竞价，每 {r['episode_auctions']:,} 次预算 "
            f"{r['budget']:,}）上：{r['clicks']} 次点击，{r['impressions']:,} 次展示，花费 {r['cost']:,}，胜率 {r['win_rate']}，"
            f"CPM {r['cpm']}，eCPC {r['ecpc']}。"
        )
    return (
        f"Replaying {r['strategy']} over the {r['log']} ({r['auctions']:,} auctions, budget {r['budget']:,} "
        f"per {r['episode_auctions']:,}): {r['clicks']} clicks, {r['impressions']:,} impressions, cost "
        f"{r['cost']:,}, win rate {r['win_rate']}, CPM {r['cpm']}, eCPC {r['ecpc']}."
    )


_FIELD = {
    "bid": ("出价", "bid"),
    "daily_budget": ("日预算", "daily budget"),
    "price": ("价格", "price"),
    "status": ("状态", "status"),
}
_ZH_CAMPAIGN_STATUS = {"active": "投放中", "paused": "已暂停"}


def _status(v: Any, zh: bool) -> str:
    return _ZH_CAMPAIGN_STATUS.get(str(v), str(v)) if zh else str(v)


def _value(field: str, v: Any, zh: bool) -> str:
    return _status(v, zh) if field == "status" else _money(v)


def _target(c: dict[str, Any], zh: bool) -> str:
    if not zh:
        return str(c.get("target", ""))
    if "campaign_id" in c:
        return f"活动 {c['campaign_id']}（{c.get('name', '')}）"
    if "product_id" in c:
        return f"商品 {c['product_id']}（{c.get('name', '')}）"
    return str(c.get("target", ""))


def _set_field(r: dict[str, Any], zh: bool) -> str:
    missed = r.get("not_applied") or []
    if missed:  # a bulk edit approved in part: what was not changed, and why
        rest = _set_field({k: v for k, v in r.items() if k != "not_applied"}, zh)
        items = ("；" if zh else "; ").join(f"{_target(c, zh)} ({c.get('reason') or c.get('state')})" for c in missed)
        return f"{rest}\n未更改：{items}。" if zh else f"{rest}\nNot changed: {items}."
    if isinstance(r.get("changes"), list) and len(r["changes"]) == 1:
        return _set_field(r["changes"][0], zh)
    if isinstance(r.get("changes"), list):  # several campaigns, one approval
        items = ("；" if zh else "; ").join(
            f"{_target(c, zh)} {_value(c['field'], c['from'], zh)} -> {_value(c['field'], c['to'], zh)}"
            for c in r["changes"]
        )
        label = _FIELD.get(r["field"], (r["field"], r["field"]))
        if zh:
            return f"已更新 {r['campaigns']} 个活动的{label[0]}：{items}。"
        return f"Done: the {label[1]} of {r['target']} changed: {items}."
    if r["field"] == "status":
        if zh:
            return f"已更新：{_target(r, zh)}现在{_status(r['to'], zh)}（之前{_status(r['from'], zh)}）。"
        return f"Done: {r['target']} is now {r['to']} (was {r['from']})."
    label = _FIELD.get(r["field"], (r["field"], r["field"]))
    if zh:
        return f"已更新：{_target(r, zh)}的{label[0]}从 {_money(r['from'])} 改为 {_money(r['to'])}。"
    return f"Done: {r['target']} {label[1]} changed from {_money(r['from'])} to {_money(r['to'])}."


def rejected(change: dict[str, Any], zh: bool, reason: str | None = None) -> str:
    if reason == "expired" or (reason or "").startswith("stale"):  # expired, or its target moved
        what = describe_change(change, zh, None)
        if zh:
            why_zh = (
                "这项修改没有在时限内获得批准，已过期" if reason == "expired" else f"预览之后目标已被改动（{reason}）"
            )
            return f"未做任何更改：{why_zh}：{what}。"
        why = "it expired before anyone approved it" if reason == "expired" else f"its target moved ({reason})"
        return f"Nothing changed: {why}: the {what}."
    if isinstance(change.get("changes"), list) and len(change["changes"]) == 1:
        return rejected(change["changes"][0], zh)
    if isinstance(change.get("changes"), list):
        what = ("；" if zh else "; ").join(describe_change(c, zh, None) for c in change["changes"])
        return (
            f"未做任何更改：您拒绝了这 {len(change['changes'])} 项修改：{what}。"
            if zh
            else (f"Nothing changed: you rejected all {len(change['changes'])} changes: {what}.")
        )
    if audience_words.is_audience_change(change) or dsp_words.is_targeting_change(change):
        what = describe_change(change, zh, None)
        return f"未做任何更改：您拒绝了：{what}。" if zh else f"Nothing changed: you rejected the change: {what}."
    label = _FIELD.get(str(change.get("field")), (change.get("field"), change.get("field")))
    if change.get("field") == "status":
        if zh:
            return f"未做任何更改：您拒绝了把{_target(change, zh)}改为{_status(change.get('to'), zh)}。"
        return f"Nothing changed: you rejected setting {change.get('target')} to {change.get('to')}."
    if zh:
        return f"未做任何更改：您拒绝了把{_target(change, zh)}的{label[0]}改为 {_money(change.get('to'))}。"
    return (
        f"Nothing changed: you rejected setting the {label[1]} of {change.get('target')} to {_money(change.get('to'))}."
    )


def _verdict(significant: bool, zh: bool) -> str:
    return ("显著" if significant else "不显著") if zh else ("significant" if significant else "not significant")


def _ab_lead(r: dict[str, Any], zh: bool) -> str:
    """The plain answer to "is B a real winner?", before the statistics."""
    b_ahead = r["rate_b_pct"] > r["rate_a_pct"]
    ahead, behind = ("B", "A") if b_ahead else ("A", "B")
    if r["rate_b_pct"] == r["rate_a_pct"]:
        return "结论：两者没有差别。\n" if zh else "In short: no difference between them.\n"
    if r["significant"]:
        return (
            f"结论：{ahead} 确实更好（差异在 5% 水平显著）。\n"
            if zh
            else f"In short: {ahead} is a real winner (the difference is significant at the 5% level).\n"
        )
    return (
        f"结论：{ahead} 领先，但还不能算确定的赢家（差异在 5% 水平不显著，可继续测试积累样本）。\n"
        if zh
        else f"In short: {ahead} is ahead of {behind} but not yet a proven winner (not significant at the 5% "
        "level; keep the test running for more data).\n"
    )


def ab_test(r: dict[str, Any], zh: bool) -> str:
    verdict = _verdict(r["significant"], zh)
    lead = _ab_lead(r, zh)
    if zh:
        return lead + (
            f"A 转化率 {r['rate_a_pct']}%，B {r['rate_b_pct']}%（相对提升 {r['relative_lift_pct']}%）；"
            f"z = {r['z']}，p = {r['p_value']}，在 5% 水平{verdict}；B 优于 A 的概率 {r['prob_b_beats_a_pct']}%。"
        )
    return lead + (
        f"A converts at {r['rate_a_pct']}%, B at {r['rate_b_pct']}% (relative lift {r['relative_lift_pct']}%); "
        f"z = {r['z']}, p = {r['p_value']}: {verdict} at the 5% level. Probability that B beats A: "
        f"{r['prob_b_beats_a_pct']}%."
    )


def budget_split(r: dict[str, Any], zh: bool) -> str:
    items = "\n".join(
        f"- {_channel(s['channel'], zh)}: {_money(s['spend'])} -> {_money(s['expected_revenue'])}" for s in r["split"]
    )
    fitted = r.get("curve_source") == "fitted"
    if zh:
        if fitted:
            mape = r.get("holdout_mape_pct")
            naive = r.get("seasonal_naive_mape_pct")
            curves = f"响应曲线：根据店铺 {r['fitted_weeks']} 周的媒体历史拟合" + (
                f"，留出期 MAPE {mape}%" if mape is not None else ""
            )
            if naive is not None:
                curves += f"（季节性朴素预测 {naive}%" + (
                    "）" if r.get("beats_seasonal_naive") else "；模型不如它，分配仅供粗略参考）"
                )
            curves += "。总额按每周预算计，预计收入为稳定投放后每周带来的销售。"
            if r.get("curve_at") == "mean_of_other_terms":
                curves += "乘法模型下，每个渠道的曲线取其余各项均值处的每周销售（对该渠道自身效果取一阶近似）。"
            gone = r.get("no_measurable_effect") or []
            if gone:
                curves += f"没有可测效果的渠道：{'、'.join(_channel(c, zh) for c in gone)}。"
        else:
            why = (
                "店铺的媒体历史无法拟合"
                if r.get("fallback_reason") == "media_history_not_fitted"
                else "店铺没有媒体历史"
            )
            curves = (
                f"假设：{why}，因此改用假设的响应曲线（演示用的假设值）；"
                "用 `copilot import media FILE.csv` 导入每周销售与各渠道花费，即可改用拟合的曲线。"
            )
        return (
            f"{_money(r['total'])} 的渠道分配（预计收入）：\n{items}\n合计预计收入 {_money(r['expected_revenue'])}，"
            f"平均分配为 {_money(r['even_split_revenue'])}。{curves}"
        )
    if fitted:
        gone = r.get("no_measurable_effect") or []
        note = f" No measurable effect: {', '.join(_channel(c, zh) for c in gone)}." if gone else ""
        curves = (
            f"Curves: {r['curves']}; the total is a weekly budget, expected revenue the weekly sales once steady.{note}"
        )
    elif "curves" in r:
        curves = f"Assumption: {r['assumption']}. Note: {r['curves']}."
    else:
        curves = f"Assumption: {r['assumption']}."
    return (
        f"Split of {_money(r['total'])} (spend -> expected revenue):\n{items}\nExpected revenue "
        f"{_money(r['expected_revenue'])} vs {_money(r['even_split_revenue'])} for an even split. {curves}"
    )


def _whole(v: float) -> str:
    return f"{v:,.0f}"


_ZH_MEDIA = {
    "direct mail": "直邮",
    "insert": "夹页广告",
    "newspaper": "报纸",
    "digital audio": "数字音频",
    "radio": "电台",
    "TV": "电视",
    "digital video": "数字视频",
    "social media": "社交媒体",
    "online display": "在线展示广告",
    "paid search (SEM)": "搜索广告",
}


def _media(c: dict[str, Any], zh: bool) -> str:
    """A media_mix channel: its name, and what it stands for when the data says."""
    if "label" not in c:
        return str(c["channel"])
    label = _ZH_MEDIA.get(c["label"], c["label"]) if zh else c["label"]
    return f"{c['channel']}（{label}）" if zh else f"{c['channel']} ({label})"


def media_mix(r: dict[str, Any], zh: bool) -> str:
    rows = r["channels"]
    shown = rows[:6]
    rest = len(rows) - len(shown)
    hold, naive, ins = r["holdout_mape_pct"], r["seasonal_naive_mape_pct"], r["in_sample_mape_pct"]
    beats = r["beats_seasonal_naive"]
    pub = r.get("published")
    if zh:
        lines = "\n".join(
            f"- {_media(c, zh)}：贡献 {_whole(c['contribution'])}（占销售 {c['sales_share_pct']}%），"
            f"ROAS {c['roas']}（{r['interval_pct']}% 区间 {c['roas_ci95'][0]}–{c['roas_ci95'][1]}），边际 ROAS {c['marginal_roas']}"
            for c in shown
        )
        data = "店铺自己的媒体历史" if r["shop_data"] else "参考数据集 mmm_stan——另一家零售商的数据，不是您店铺的"
        if not r["shop_data"] and r.get("controls") == []:
            data += "；未用其控制变量（前 183 周内的交叉验证显示它们无助于预测）"
        if hold is None:
            judged = "未留出周数，未检验预测。"
        elif naive is None:
            judged = f"留出期 MAPE {hold}%；留出期之前不足 {r['season_weeks']} 周，无法与季节性朴素预测比较。"
        else:
            judged = f"留出最后 {r['holdout_weeks']} 周：MAPE {hold}%，季节性朴素预测（去年同周）{naive}%——" + (
                "模型优于基准。" if beats else "模型没有胜过基准，渠道回报只能作粗略参考。"
            )
        kind = "乘法（ln 销售）" if r.get("model") == "multiplicative" else ""
        s = (
            f"{kind}媒体组合模型（{data}，拟合 {r['fitted_weeks']} 周：{r['fitted_from']} 至 {r['fitted_to']}）。{judged}"
            f"样本内 MAPE {ins}%。媒体带来 {r['media_share_pct']}% 的销售。各渠道：\n{lines}"
            + (f"\n另有 {rest} 个渠道贡献更小。" if rest > 0 else "")
        )
        clear = r["clear_channels"]
        s += f"\n回报区间明确高于零的渠道：{'、'.join(clear)}。" if clear else "\n没有一个渠道的回报区间明确高于零。"
        if "cv_mape_pct" in r:
            s += (
                f"模型形式只用参考数据集前 183 周内的滚动交叉验证选定（CV MAPE {r['cv_mape_pct']}%，"
                f"季节性朴素预测 {r['cv_seasonal_naive_mape_pct']}%），留出期没有参与。"
            )
        if pub:
            s += (
                f"已发表的样本内数字（mmm_stan README，其 Stan 模型）：控制模型 MAPE {pub['control_model_mape_pct']}%，"
                f"乘法 MMM {pub['multiplicative_mmm_mape_pct']}%，媒体约占 {pub['media_share_pct_about']}% 的销售。"
                "导入您自己的每周销售与花费：`copilot import media FILE.csv`。"
            )
        return s
    lines = "\n".join(
        f"- {_media(c, zh)}: contribution {_whole(c['contribution'])} ({c['sales_share_pct']}% of sales), "
        f"ROAS {c['roas']} ({r['interval_pct']}% interval {c['roas_ci95'][0]} to {c['roas_ci95'][1]}), marginal ROAS {c['marginal_roas']}"
        for c in shown
    )
    if hold is None:
        judged = "No weeks held out, so its forecast is not judged."
    elif naive is None:
        judged = (
            f"Hold-out MAPE {hold}%; fewer than {r['season_weeks']} weeks before the hold-out, "
            "so no seasonal-naive baseline."
        )
    else:
        judged = (
            f"On the last {r['holdout_weeks']} weeks, held out: MAPE {hold}% vs {naive}% for the seasonal-naive "
            "forecast (the same week a year before): "
            + ("the model beats it." if beats else "the model does not beat it, so treat the channel returns as rough.")
        )
    kind = "Multiplicative (ln sales) marketing-mix" if r.get("model") == "multiplicative" else "Marketing-mix"
    s = (
        f"{kind} model on {r['data']}, fitted on {r['fitted_weeks']} weeks ({r['fitted_from']} to "
        f"{r['fitted_to']}). {judged} In-sample MAPE {ins}%. Media bring {r['media_share_pct']}% of sales. "
        f"By contribution:\n{lines}" + (f"\n{rest} more channels contribute less." if rest > 0 else "")
    )
    clear = r["clear_channels"]
    s += (
        f"\nReturn clearly above zero: {', '.join(clear)}." if clear else "\nNo channel's return is clearly above zero."
    )
    if "cv_mape_pct" in r:
        s += (
            f" The model's form was chosen only by rolling-origin cross-validation inside the reference set's first "
            f"183 weeks (CV MAPE {r['cv_mape_pct']}% vs {r['cv_seasonal_naive_mape_pct']}% seasonal naive), "
            "not on the hold-out."
        )
    if pub:
        s += (
            f" Published in-sample figures (mmm_stan README, its Stan models): control model MAPE "
            f"{pub['control_model_mape_pct']}%, multiplicative MMM {pub['multiplicative_mmm_mape_pct']}%, about "
            f"{pub['media_share_pct_about']}% of sales from media. To fit your own shop, {r['how_to_fit_the_shop']}."
        )
    return s


def sales_seasonality(r: dict[str, Any], zh: bool) -> str:
    if zh:
        months = "，".join(f"{_ZH_MONTH.get(m['month'], m['month'])} {m['index']}" for m in r["by_month"])
        days = "，".join(f"{_ZH_DAY.get(d['weekday'], d['weekday'])} {d['index']}" for d in r["by_weekday"])
        return (
            f"销售季节性（{r['from']} 至 {r['to']}，日均收入指数，1.0 为平均）：按月 {months}；按星期 {days}。"
            f"高峰月 {_ZH_MONTH.get(r['peak_month'], r['peak_month'])}，高峰日 {_ZH_DAY.get(r['peak_weekday'], r['peak_weekday'])}；"
            f"最弱的月份 {_ZH_MONTH.get(r['low_month'], r['low_month'])}，最弱的一天 {_ZH_DAY.get(r['low_weekday'], r['low_weekday'])}"
            + (
                f"（{'、'.join(_ZH_DAY.get(d, d) for d in r['no_trading_weekdays'])}没有销售）"
                if r.get("no_trading_weekdays")
                else ""
            )
            + "。"
        )
    months = ", ".join(f"{m['month']} {m['index']}" for m in r["by_month"])
    days = ", ".join(f"{d['weekday']} {d['index']}" for d in r["by_weekday"])
    return (
        f"Seasonality ({r['measure']}, {r['from']} to {r['to']}): by month {months}; by weekday {days}. "
        f"Peak month {r['peak_month']}, peak weekday {r['peak_weekday']}; weakest month {r['low_month']}, "
        f"weakest weekday {r['low_weekday']}"
        + (f" (no sales on {', '.join(r['no_trading_weekdays'])})" if r.get("no_trading_weekdays") else "")
        + "."
    )


def email_targeting(r: dict[str, Any], zh: bool) -> str:
    t, e = r["targeted_profile"], r["everyone_profile"]
    pct, got = r["share_mailed_pct"], r["share_of_uplift_captured_pct"]
    if zh:
        return (
            f"按提升模型挑选前 {pct}% 的客户发邮件，可获得全部发送效果的 {got}%"
            f"（Qini {r['qini']}）。入选者新客占 {t['newbie_pct']}%（全体 {e['newbie_pct']}%），"
            f"平均历史消费 {t['avg_history']}（全体 {e['avg_history']}）。数据：Hillstrom 邮件实验（64,000 位客户，留出 30% 检验）。"
        )
    return (
        f"Mail the top {pct}% by predicted uplift and you get {got}% "
        f"of the extra visits that mailing everyone would bring (Qini {r['qini']}). Those chosen: "
        f"{t['newbie_pct']}% new customers (all: {e['newbie_pct']}%), average past spend {t['avg_history']} "
        f"(all: {e['avg_history']}), {t['avg_recency_months']} months since last purchase "
        f"(all: {e['avg_recency_months']}). Data: {r['data']}."
    )


def campaign_effect(r: dict[str, Any], zh: bool) -> str:
    lo, hi = r["ci95"]
    verdict = _verdict(r["significant"], zh)
    if zh:
        return (
            f"双重差分：关闭搜索广告对收入的影响为 {r['effect_pct']}%（对数收入 {r['effect_log_revenue']}，"
            f"标准误 {r['std_error']}，95% 区间 [{lo}, {hi}]），{verdict}。数据：eBay 付费搜索关停实验（210 个地区 × 113 天）。"
        )
    return (
        f"Difference in differences: switching paid search off changed revenue by {r['effect_pct']}% "
        f"(log revenue {r['effect_log_revenue']}, se {r['std_error']}, 95% interval [{lo}, {hi}]): {verdict}. "
        f"Data: {r['data']}."
    )


_ATTRIBUTION_MODELS = {
    "first_touch": ("first touch", "首次触点"),
    "last_touch": ("last touch", "末次触点"),
    "linear": ("linear", "线性"),
    "markov": ("Markov", "马尔可夫"),
    "shapley": ("Shapley", "沙普利值"),
}


def _credit(v: float) -> str:
    """A credit as the table shows it: 2,831 or 7,574.7 (the tool's own rounding)."""
    return f"{v:,.0f}" if float(v).is_integer() else f"{v:,}"


def _attribution_gap(d: dict[str, Any], metric: str, zh: bool) -> str:
    """ "beta gets 2,831 first-touch conversions but 989 last-touch: it opens journeys others close"."""
    a, b = d["models"]
    va, vb = d[a], d[b]
    if {a, b} == {"first_touch", "last_touch"}:
        opens = (va > vb) == (a == "first_touch")
        why = (
            ("它多开启旅程，由其他渠道收尾" if opens else "它多为其他渠道开启的旅程收尾")
            if zh
            else ("it opens journeys others close" if opens else "it closes journeys others open")
        )
    else:
        over = (va > vb) == (a == "last_touch")  # last touch gives it more than the other model
        why = (
            (
                "末次点击高估了它（它收尾的旅程有其他渠道的功劳）"
                if over
                else "末次点击低估了它（它为其他渠道收尾的旅程出了力）"
            )
            if zh
            else (
                "last click over-credits it (journeys it closes owe much to other channels)"
                if over
                else "last click under-credits it (it helps journeys that others close)"
            )
        )
    name_a, name_b = (_ATTRIBUTION_MODELS[m][1 if zh else 0] for m in (a, b))
    if zh:
        if metric == "conversions":
            return f"{d['channel']} 按{name_a}计 {_credit(va)} 次转化，按{name_b}计 {_credit(vb)} 次：{why}"
        return f"{d['channel']} 按{name_a}计转化价值 {_credit(va)}，按{name_b}计 {_credit(vb)}：{why}"
    unit = "conversions" if metric == "conversions" else "conversion value"
    adj_a, adj_b = name_a.replace(" ", "-"), name_b.replace(" ", "-")
    return f"{d['channel']} gets {_credit(va)} {adj_a} {unit} but {_credit(vb)} {adj_b}: {why}"


def channel_attribution(r: dict[str, Any], zh: bool) -> str:
    models, t, metric = r["models"], r["totals"], r["metric"]
    head = " | ".join(_ATTRIBUTION_MODELS[m][1 if zh else 0] for m in models)
    rows = "\n".join(f"{c['channel']} | " + " | ".join(_credit(c[m]) for m in models) for c in r["channels"])
    gaps = ("；" if zh else "; ").join(_attribution_gap(d, metric, zh) for d in r["disagreements"])
    by = _ATTRIBUTION_MODELS[r["sorted_by"]][1 if zh else 0]
    own = r.get("shop_data", False)
    file = str(r.get("stamp", "")).rsplit(":", 2)[0]
    shapley_out = "shapley" in r.get("left_out", {})
    if zh:
        what = f"{t['conversions']:,.0f} 次转化" if metric == "conversions" else f"{t['value']:,} 的转化价值"
        counted = (
            f"{t['journeys']:,} 条，{t['channels']} 个渠道，{t['conversions']:,.0f} 次转化，{t['nulls']:,.0f} 条未转化"
        )
        return (
            (
                f"以下是本店自己的转化路径（{file}，用 `copilot import journeys` 导入）。\n"
                if own
                else "以下是 ChannelAttribution 软件包的参考路径（渠道名为 alpha、beta 等），不是本店的数据：本店订单没有触点记录。"
                "它们用来说明各模型如何分配功劳；用 `copilot import journeys FILE.csv` 导入店铺自己的转化路径"
                "（path、conversions、value、nulls 列），即可按本店的渠道归因。\n"
            )
            + f"{t['journeys']:,} 条客户路径带来的 {what}，在各渠道间的归因（按{by}从高到低）：\n"
            f"渠道 | {head}\n{rows}\n"
            + (f"分歧最大处：{gaps}。\n" if gaps else "")
            + (
                "马尔可夫：一阶马尔可夫链（连续重复的渠道合并，未转化的路径进入“无转化”状态）精确求解，"
                "每个渠道的功劳为去掉它后损失的转化（移除效应），按总数缩放。"
                if "markov" in models
                else ""
            )
            + ("沙普利值：一个渠道组合的价值为渠道全部在该组合内的路径的转化。" if "shapley" in models else "")
            + (
                f"沙普利值未计算：它要遍历所有渠道组合，而这些路径有 {t['channels']} 个渠道，超出上限。"
                if shapley_out
                else ""
            )
            + (
                f"数据：店铺自己的转化路径（{counted}），导入自 {file}。"
                if own
                else f"数据：ChannelAttribution 软件包的示例路径（{counted}），来源未说明，是参考样本而非店铺的真实客户旅程。"
            )
        )
    what = f"{t['conversions']:,.0f} conversions" if metric == "conversions" else f"{t['value']:,} in conversion value"
    return (
        (
            f"These are the shop's own journeys ({file}, imported with `copilot import journeys`).\n"
            if own
            else "These are the reference journeys of the ChannelAttribution package (channels alpha, beta, ...), not "
            "this shop's: its orders carry no touchpoints. They show how the models split credit; "
            f"{r['import_hint']} to credit its own channels.\n"
        )
        + f"Credit for the {what} of {t['journeys']:,} journeys, per channel (sorted by {by}):\n"
        f"channel | {head}\n{rows}\n"
        + (f"Where the models disagree: {gaps}.\n" if gaps else "")
        + (f"{r['method']}. " if r["method"] else "")
        + (f"Shapley values are left out: {r['left_out']['shapley']}. " if shapley_out else "")
        + f"Data: {r['source']}."
    )


def _occasion_timing(t: dict[str, Any] | None, zh: bool) -> str:
    """When the occasion falls, the run-up to book, and how the last run-up sold (with its best sellers)."""
    if not t:
        return ""
    out = ""
    if t.get("date") and t.get("run_up_started"):  # the usual run-up is under way: what is left of it
        left = t.get("run_up_days")
        out += (
            f"下一次在 {t['date']}，通常提前 {t['lead_days']} 天（{t['run_up_started']}）开始预热，现在已经开始了："
            f"从 {t['start']} 起投放，还剩 {left} 天；"
            if zh
            else f"it falls on {t['date']}; the usual {t['lead_days']}-day run-up began on {t['run_up_started']}, so "
            f"run from {t['start']}: {left} days are left; "
        )
    elif t.get("date"):
        out += (
            f"下一次在 {t['date']}，建议从 {t['start']} 开始投放（提前约 {t['lead_days']} 天）；"
            if zh
            else f"it falls on {t['date']}: run from {t['start']} (a {t['lead_days']}-day run-up); "
        )
    last = t.get("last_time")
    if last and not last.get("revenue"):
        out += (
            f"上一次的预热期（{last['start']} 至 {last['end']}）店铺没有销售；"
            if zh
            else f"the shop sold nothing in the last run-up ({last['start']} to {last['end']}); "
        )
    elif last:
        change = (
            "" if last.get("change_pct") is None else f" ({last['change_pct']:+g}% against the same days before it)"
        )
        top = ", ".join(f"{p['description']} ({_money(p['revenue'])})" for p in last["top_products"][:3])
        out += (
            f"上一次（{last['start']} 至 {last['end']}）销售额 {_money(last['revenue'])}"
            + ("" if last.get("change_pct") is None else f"，比之前同样天数 {last['change_pct']:+g}%")
            + f"；当时卖得最好的：{top}；"
            if zh
            else f"the last run-up ({last['start']} to {last['end']}) sold {_money(last['revenue'])}{change}, "
            f"led by {top}; "
        )
    elif "last_time" in t:
        out += (
            "店铺的历史数据还没有覆盖上一次的完整预热期；"
            if zh
            else "the shop's history does not cover a past run-up; "
        )
    return out


def campaign_plan(r: dict[str, Any], zh: bool) -> str:
    aud = ", ".join(f"{_seg(a['segment'], zh)} ({a['customers']:,})" for a in r["audiences"])
    split = ""
    if r["channel_split"]:
        split = ("；" if zh else "; ").join(
            f"{_channel(s['channel'], zh)} {_money(s['spend'])}" for s in r["channel_split"] if s["spend"] > 0
        )
    when = _occasion_timing(r.get("occasion_timing"), zh)
    if zh:
        peak_m, peak_d = r["timing"]["peak_month"], r["timing"]["peak_weekday"]
        occasion = "下一次活动" if r["occasion"] == "the next campaign" else r["occasion"]
        occasion = f"{_country(r['country'], zh)}{occasion}" if r.get("country") else occasion
        occasion += "召回" if r.get("win_back") else ""
        s = (
            f"{occasion}方案：时机——{when}"
            if when
            else f"{occasion}方案：时机——销售高峰在 {_ZH_MONTH.get(peak_m, peak_m)}，每周以{_ZH_DAY.get(peak_d, peak_d)}最旺；"
        ) + f"目标人群：{aud}。"
        return s + (
            f"{_money(r['total_budget'])} 预算的渠道分配：{split}（预计收入 {_money(r['expected_revenue'])}）。"
            if split
            else "告诉我总预算即可给出渠道分配。"
        )
    s = (
        f"Plan for {r['occasion']}{' in ' + r['country'] if r.get('country') else ''}"
        f"{' (win-back)' if r.get('win_back') else ''}: timing - "
        + (
            when
            if when
            else f"sales peak in {r['timing']['peak_month']}, and {r['timing']['peak_weekday']} is the strongest weekday; "
        )
        + f"audiences - {aud}."
    )
    if split:
        return s + (
            f" Channel split of {_money(r['total_budget'])}: {split} "
            f"(expected revenue {_money(r['expected_revenue'])}; {r['assumption']})."
        )
    return s + " Give me a total budget and I will split it across channels."


_ZH_GRAIN = {"day": "按天", "week": "按周", "month": "按月"}
_ZH_MEASURE = {"revenue": "销售额", "orders": "订单", "units": "件数", "customers": "客户"}
_ZH_BREAKDOWN = {"country": "国家", "product": "商品", "segment": "客户分群"}
_MAX_ROWS = 31  # rows of a series an answer lists (the most recent: a month of days); the rest are in the result


def _sales_change(now_pct: float | None, change: float | None, money: bool, zh: bool) -> str:
    if change is None:
        return ""
    amount = (f"{'+' if change >= 0 else '-'}£{abs(change):,.2f}") if money else f"{change:+,g}"
    pct = "" if now_pct is None else f"{now_pct:+g}%, "
    return f"（{pct}{amount}）" if zh else f" ({pct}{amount})"


def _sales_where(r: dict[str, Any], zh: bool) -> str:
    f = r.get("filters") or {}
    parts = []
    if f.get("country"):
        parts.append(_in_country(f["country"], zh))
    if f.get("segment"):
        name = _seg(f["segment"], zh)
        parts.append((name if name.endswith("客户") else name + "客户") if zh else f"from {name} customers")
    if f.get("kind"):  # a ranking of one kind of product
        n = f.get("kind_products", 0)
        parts.append(f"“{f['kind']}”类（{n} 款）中" if zh else f"among the {n} “{f['kind']}” products")
    if f.get("products"):  # a report of the products given
        named = [
            f"{p['description']} ({p['stock_code']}"
            + (f"{'，现价' if zh else ', list price'} {_money(p['price'])})" if p.get("price") is not None else ")")
            for p in f["products"][:3]
        ]
        more = len(f["products"]) - len(named)
        if zh:
            parts.append("、".join(named) + (f" 等 {len(f['products'])} 款商品" if more else ""))
        else:
            parts.append("of " + ", ".join(named) + (f" and {more} more" if more else ""))
    return (" ".join(parts) + " " if parts else "") if zh else (" " + " ".join(parts) if parts else "")


def _aov(v: float | None, zh: bool) -> str:
    return f"，客单价 {_money(v)}" if zh else f", AOV {_money(v)}"


def sales_report(r: dict[str, Any], zh: bool, aov: bool = False, asked: frozenset[str] = frozenset()) -> str:
    """The report in words; `aov`: the request asked for the average order value, shown for the
    total, each row and each group; `asked` `highest-aov` (`lowest-revenue`...): the group with the
    highest (lowest) figure of those shown, named."""
    t, ch, pct = r["totals"], r["change"], r["change_pct"]
    total_aov = (
        _aov(t.get("aov"), zh) + _sales_change(pct.get("aov"), ch.get("aov"), True, zh) if aov and t.get("aov") else ""
    )
    period = _period_text(r["period"], zh)
    prev = r["previous_period"]
    share = r.get("share_of_shop_pct")
    if share is not None:
        share_text = (
            f"，占全店 {_money(r['shop_revenue'])} 的 {share}%"
            if zh
            else f", {share}% of the shop's {_money(r['shop_revenue'])}"
        )
    else:
        share_text = ""
    if zh:
        head = (
            f"{_sales_where(r, zh)}{period}：销售额 {_money(t['revenue'])}"
            f"{_sales_change(pct['revenue'], ch['revenue'], True, zh)}{share_text}，"
            f"订单 {t['orders']:,}{_sales_change(pct['orders'], ch['orders'], False, zh)}，"
            f"件数 {t['units']:,}{_sales_change(pct['units'], ch['units'], False, zh)}，"
            f"下单客户 {t['customers']:,}{_sales_change(pct['customers'], ch['customers'], False, zh)}{total_aov}"
        )
        head += (
            f"；对比的是{'去年同期 ' if prev.get('name') == 'last_year' else ' '}{prev['start']} 至 {prev['end']}。"
            if r.get("previous")
            else f"；{prev['start']} 至 {prev['end']} 不在店铺数据范围内，无法比较。"
        )
    else:
        head = (
            f"Sales{_sales_where(r, zh)}, {period}: {_money(t['revenue'])} revenue"
            f"{_sales_change(pct['revenue'], ch['revenue'], True, zh)}{share_text}, {_many(t['orders'], 'order')}"
            f"{_sales_change(pct['orders'], ch['orders'], False, zh)}, {_many(t['units'], 'unit')}"
            f"{_sales_change(pct['units'], ch['units'], False, zh)}, {_many(t['customers'], 'customer')}"
            f"{_sales_change(pct['customers'], ch['customers'], False, zh)}{total_aov}"
        )
        head += (
            f", against {prev['start']} to {prev['end']}"
            + (" (the same days a year before)." if prev.get("name") == "last_year" else ".")
            if r.get("previous")
            else f"; {prev['start']} to {prev['end']} is before the shop's sales start, so there is no change to show."
        )
    b = r.get("breakdown")
    rows = r["rows"][-(_MAX_ROWS // 2 if b else _MAX_ROWS) :]
    grain = _ZH_GRAIN[r["by"]] if zh else f"By {r['by']}"
    more = len(r["rows"]) - len(rows)
    lines = "\n".join(
        f"- {row['label']}: {_money(row['revenue'])}"
        + ("" if row.get("revenue_vs_previous_pct") is None else f" ({row['revenue_vs_previous_pct']:+g}%)")
        + f", {row['orders']:,} "
        + ("单" if zh else ("order" if row["orders"] == 1 else "orders"))
        + (f", {row['units']:,} " + ("件" if zh else "units") if "units" in row else "")
        + ((", 客单价 " if zh else ", AOV ") + _money(row["aov"]) if aov and row.get("aov") else "")
        + (f"（{row['days']} 天）" if zh and not row["whole"] else "")
        + (f" ({row['days']} days)" if not zh and not row["whole"] else "")
        for row in rows
    )
    if zh:
        body = (
            f"\n{grain}"
            + (f"（最近 {len(rows)} 行）" if more else "")
            + ("（括号内为销售额环比）" if any(row.get("revenue_vs_previous_pct") is not None for row in rows) else "")
            + f"：\n{lines}"
        )
    else:
        body = (
            f"\n{grain}"
            + (f" (the last {len(rows)})" if more else "")
            + (
                ", revenue against the one before in brackets"
                if any(row.get("revenue_vs_previous_pct") is not None for row in rows)
                else ""
            )
            + f":\n{lines}"
        )
    quiet = r.get("by_asked") is False and (b or (r["by"] == "day" and len(r["rows"]) > 14))
    if quiet:
        # a total or a breakdown asked for ("Germany's November revenue and AOV"): the days are in the chart
        n, unit = len(r["rows"]), {"day": ("天", "days"), "week": ("周", "weeks"), "month": ("个月", "months")}[r["by"]]
        body = (
            f"\n{_ZH_GRAIN[r['by']]}的数据见图表（{n} {unit[0]}）。"
            if zh
            else f"\n{grain}: in the chart ({n} {unit[1]})."
        )
    if b:
        top = "\n".join(
            f"{i}. {_group_name(b['by'], row['name'], zh)}: {_money(row['revenue'])}"
            + (f"，{row['orders']:,} 单" if zh else f", {_many(row['orders'], 'order')}")
            + ("" if row.get("units") is None else f"，{row['units']:,} 件" if zh else f", {row['units']:,} units")
            + (
                (
                    f"，占所列合计 {row['share_pct']}%、全店 {row['shop_share_pct']}%"
                    if zh
                    else f", {row['share_pct']}% of those listed, {row['shop_share_pct']}% of the shop"
                )
                if row.get("shop_share_pct") is not None
                else (f"，占 {row['share_pct']}%" if zh else f", {row['share_pct']}% of sales")
            )
            + _sales_change(row.get("change_pct"), row.get("change"), True, zh)
            + (_aov(row.get("aov"), zh) if aov and row.get("aov") else "")
            for i, row in enumerate(b["rows"], 1)
        )
        if zh:
            today = "，分群按截至今天的" if b["by"] == "segment" else ""
            body = (
                f"\n按{_ZH_BREAKDOWN[b['by']]}（前 {len(b['rows'])} 个，共 {b['groups']:,} 个{today}）：\n{top}" + body
            )
        else:
            today = "; segments as of today" if b["by"] == "segment" else ""
            body = f"\nBy {b['by']} (top {len(b['rows'])} of {b['groups']:,}{today}):\n{top}" + body
        body = _most_of(b, asked, zh) + body + _each_over_time(r, zh)
    trend = _trend(r, zh) if "trend" in asked else _versus(r, asked, zh) if "versus" in asked else ""
    return trend + _best_row(r, asked, zh) + head + body + ("" if quiet and not trend else _from_the_peak(r, zh))


def _span(p: dict[str, Any], zh: bool) -> str:
    """A period by its month when it is one whole calendar month (2011-09), else by its dates."""
    start, end = date.fromisoformat(p["start"]), date.fromisoformat(p["end"])
    if start.day == 1 and (end + timedelta(days=1)).day == 1 and start.strftime("%Y-%m") == end.strftime("%Y-%m"):
        return f"{start.year}年{start.month}月" if zh else start.strftime("%B %Y")
    return f"{p['start']} 至 {p['end']}" if zh else f"{p['start']} to {p['end']}"


def _versus(r: dict[str, Any], asked: frozenset[str], zh: bool) -> str:
    """The answer to "did September sell better than August?", said first: the two periods' revenue
    (orders or units when those were asked) and the change."""
    before = r.get("previous")
    if not before:
        return ""
    measure = next((m for m in ("orders", "units") if f"measure-{m}" in asked), "revenue")
    now, then = r["totals"][measure], before[measure]
    a, b = _span(r["period"], zh), _span(r["previous_period"], zh)
    shown = (lambda v: _money(v)) if measure == "revenue" else (lambda v: f"{v:,}")
    pct = r["change_pct"].get(measure)
    if zh:
        what = {"revenue": "销售额", "orders": "订单", "units": "件数"}[measure]
        verdict = "更好" if now > then else "更差" if now < then else "持平"
        diff = f"，{'高' if now > then else '低'} {abs(pct):g}%" if pct else ""
        return f"结论：{a}比{b}{verdict}。{what} {shown(now)}，{b} {shown(then)}{diff}。\n"
    verdict = "better" if now > then else "worse" if now < then else "level"
    diff = f", {pct:+g}%" if pct else ""
    return f"{a} did {verdict} than {b}: {measure} {shown(now)} against {shown(then)}{diff}.\n"


def _whole_weeks_or_months(r: dict[str, Any]) -> list[dict[str, Any]]:
    """A weekly or monthly report's whole rows, when there are four or more to read a trend from."""
    whole = [row for row in r["rows"] if row["whole"]]
    return whole if r.get("by") in ("week", "month") and len(whole) >= 4 else []


def _trend(r: dict[str, Any], zh: bool) -> str:
    """The verdict on "is it slowing down?": the last two whole weeks (months) against the two before,
    said first; nothing when there are not four whole ones."""
    whole = _whole_weeks_or_months(r)
    if not whole:
        return ""
    late, early = sum(w["revenue"] for w in whole[-2:]), sum(w["revenue"] for w in whole[-4:-2])
    if not early:
        return ""
    pct = round(100 * (late / early - 1), 1)
    span = f"{whole[-2]['label']} – {whole[-1]['end']}"
    unit = ("周" if r["by"] == "week" else "个月") if zh else r["by"] + "s"
    if zh:
        verdict = "在放缓" if pct <= -5 else "还在增长" if pct >= 5 else "基本持平"
        more = f"{'多' if pct > 0 else '少'} {abs(pct):g}%" if pct else "持平"
        return f"结论：{verdict}。最近两个完整的{unit}（{span}）销售额 {_money(late)}，比之前两{unit}{more}。\n"
    verdict = "Slowing down" if pct <= -5 else "Still growing" if pct >= 5 else "Holding level"
    return f"{verdict}: the last two whole {unit} ({span}) sold {_money(late)}, {pct:+g}% on the two before.\n"


def _from_the_peak(r: dict[str, Any], zh: bool) -> str:
    """Week by week or month by month: the peak, and how far the latest whole one is from it ("is the
    christmas rush slowing down?"), when the latest is not the peak."""
    whole = _whole_weeks_or_months(r)
    if not whole:
        return ""
    peak, last = max(whole, key=lambda row: row["revenue"]), whole[-1]
    if last is peak or not peak["revenue"]:
        return ""
    gap = round(100 * (1 - last["revenue"] / peak["revenue"]), 1)
    if zh:
        unit = "周" if r["by"] == "week" else "月"
        return (
            f"\n最高的一{unit}是 {peak['label']}（{_money(peak['revenue'])}）；最近一个完整的{unit}（{last['label']}）"
            f"比它低 {gap:g}%。"
        )
    return (
        f"\nPeak {r['by']}: {peak['label']} ({_money(peak['revenue'])}); the latest whole {r['by']} "
        f"({last['label']}) was {gap:g}% below it."
    )


def _each_over_time(r: dict[str, Any], zh: bool) -> str:
    """A few groups' revenue day by day, week by week or month by month ("germany and france each,
    month by month"): one line per group, from the report's chart series."""
    b, series = r["breakdown"], r.get("series") or {}
    lines, x = series.get("lines") or {}, series.get("x") or []
    if not 1 < len(x) <= 13 or not 1 <= len(lines) <= 4 or len(b["rows"]) > 4:
        return ""
    rows = "\n".join(
        f"- {_group_name(b['by'], name, zh)}: "
        + "; ".join(f"{lab} {_money(v)}" for lab, v in zip(x, values, strict=False))
        for name, values in lines.items()
    )
    if zh:
        return f"\n{_ZH_BREAKDOWN[b['by']]}各自{_ZH_GRAIN[r['by']]}的销售额：\n{rows}"
    return f"\nEach {b['by']} by {r['by']} (revenue):\n{rows}"


_MEASURE_WORDS = {
    "aov": ("AOV", "客单价"), "revenue": ("revenue", "销售额"), "orders": ("orders", "订单数"), "units": ("units", "件数"),
    "change": ("growth in revenue", "销售额增长"),
}  # fmt: skip


def _best_row(r: dict[str, Any], asked: frozenset[str], zh: bool) -> str:
    """ "Best week: 2011-11-21 (£X, N orders)": the day, week or month a request asked about."""
    out = []
    for a in sorted(asked):
        way, _, rest = a.partition("-row-")
        rows = [row for row in r["rows"] if row.get(rest) is not None] if rest in _MEASURE_WORDS else []
        if way == "lowest":
            rows = [row for row in rows if row["orders"]]  # (a day the shop did not trade is no slow day)
        rows = [row for row in rows if row["whole"]] or rows  # (a week cut short by the period is no fair match)
        if way not in ("highest", "lowest") or not rows:
            continue
        pick = (max if way == "highest" else min)(rows, key=lambda row: row[rest])
        shown = _money(pick["revenue"]) + (f"，{pick['orders']:,} 单" if zh else f", {pick['orders']:,} orders")
        days = "" if pick["whole"] else (f"，仅 {pick['days']} 天" if zh else f", {pick['days']} days only")
        if zh:
            grain = {"day": "一天", "week": "一周", "month": "一个月"}[r["by"]]
            grain = "营业日" if way == "lowest" and r["by"] == "day" else grain
            out.append(
                f"{_MEASURE_WORDS[rest][1]}{'最高' if way == 'highest' else '最低'}的{grain}：{pick['label']}（{shown}{days}）。\n"
            )
        else:
            word = "Best" if way == "highest" else "Weakest trading" if r["by"] == "day" else "Weakest"
            out.append(f"{word} {r['by']} by {_MEASURE_WORDS[rest][0]}: {pick['label']} ({shown}{days}).\n")
    return "".join(out)


def _most_of(b: dict[str, Any], asked: frozenset[str], zh: bool) -> str:
    """ "Highest AOV: champions (£539.17)": the group a request asked about, among the groups shown."""
    out = []
    for a in sorted(asked):
        way, _, measure = a.partition("-")
        if way not in ("highest", "lowest") or measure not in _MEASURE_WORDS:
            continue
        rows = [row for row in b["rows"] if row.get(measure) is not None]
        if not rows:
            continue
        pick = (max if way == "highest" else min)(rows, key=lambda row: row[measure])
        v = pick[measure]
        shown = _money(v) if measure in ("aov", "revenue") else f"{v:,}"
        if measure == "change":  # the growth in money, and in percent when there was something before
            sign = "+" if v >= 0 else "-"
            shown = f"{sign}£{abs(v):,.2f}" + (
                f", {pick['change_pct']:+g}%" if pick.get("change_pct") is not None else ""
            )
        name = _group_name(b["by"], pick["name"], zh)
        en, cn = _MEASURE_WORDS[measure]
        if measure == "change" and way == "lowest" and v < 0:  # "who dropped?": the biggest fall, in those words
            out.append(f"\n下滑最多：{name}（{shown}）。" if zh else f"\nBiggest fall: {name} ({shown}).")
            continue
        if zh:
            out.append(f"\n{cn}{'最高' if way == 'highest' else '最低'}：{name}（{shown}）。")
        else:
            out.append(f"\n{'Highest' if way == 'highest' else 'Lowest'} {en}: {name} ({shown}).")
    return "".join(out)


def _group_name(by: str, name: str, zh: bool) -> str:
    if by == "segment":
        return _seg(name, zh)
    return _country(name, zh) if by == "country" else name


def _verdict_of_months(r: dict[str, Any], totals: dict[str, Any], zh: bool) -> str:
    """Which of two months asked about sold more, said plainly ("November beat 2011-08")."""
    prev = r.get("previous_period") or {}
    if prev.get("name") != "compared" or totals.get("change") is None:
        return ""
    now, then = str(r["period"]["start"])[:7], str(prev.get("start", ""))[:7]
    if totals["change"] == 0:
        return f"，{now} 与 {then} 持平" if zh else f": {now} and {then} sold the same"
    up = totals["change"] > 0
    if zh:
        return f"，{now} 卖得比 {then} 好" if up else f"，{now} 卖得不如 {then}"
    return f": {now} beat {then}" if up else f": {now} sold less than {then}"


def _against(r: dict[str, Any], zh: bool) -> str:
    """What a ranking's changes are against: the period just before, or the month asked for."""
    prev = r.get("previous_period") or {}
    if prev.get("name") == "last_year":
        return "与去年同期相比" if zh else f"the same days a year before ({prev.get('start')} to {prev.get('end')})"
    if prev.get("name") != "compared":
        return "与上一同长周期相比" if zh else "the period before"
    month = str(prev.get("start", ""))[:7]
    return f"与 {month} 相比" if zh else month


def top_products(r: dict[str, Any], zh: bool) -> str:
    if r.get("order") == "both":  # the top of the ranking, then its bottom
        worst = {k: v for k, v in r.items() if k not in ("kind_totals", "all_products")} | r["worst"]
        return top_products({**r, "order": "best"}, zh) + "\n\n" + top_products(worst, zh)
    m = r["metric"]
    period = _period_text(r["period"], zh)
    where = _sales_where(r, zh)

    def value(p: dict[str, Any]) -> str:
        units = f"{p['units']:,} 件" if zh else f"{p['units']:,} unit" + ("" if p["units"] == 1 else "s")
        return f"{_money(p['revenue'])}, {units}" if m == "revenue" else f"{units}, {_money(p['revenue'])}"

    def price(p: dict[str, Any]) -> str:
        if p.get("price") is None:
            return ""
        return f", 现价 {_money(p['price'])}" if zh else f", list price {_money(p['price'])}"

    rows = "\n".join(
        f"{p['rank']}. {p['description']} ({p['stock_code']}, "
        + (f"商品 {p['product_id']}{price(p)}): " if zh else f"product {p['product_id']}{price(p)}): ")
        + value(p)
        + ("" if p.get("change") is None else _sales_change(p.get("change_pct"), p["change"], m == "revenue", zh))
        for p in r["products"]
    )
    if not r["products"]:
        return (
            f"{where}{period}没有符合条件的商品（{r['rule']}）。"
            if zh
            else f"No products{where}, {period}, fit the rule ({r['rule']})."
        )
    first = r["products"][0]
    kt = r.get("kind_totals")
    if kt:  # the kind's own total, before its products
        change = (
            "" if kt.get("change") is None else _sales_change(kt.get("change_pct"), kt["change"], m == "revenue", zh)
        )
        total = (
            f"合计 {value(kt)}{change}{_verdict_of_months(r, kt, zh)}。\n"
            if zh
            else (f"All of them together: {value(kt)}{change}{_verdict_of_months(r, kt, zh)}.\n")
        )
    else:
        total = ""
    if r.get("products_given") == 1 and "kind" not in r.get("filters", {}):  # one product's figures, not a ranking
        change = (
            ""
            if first.get("change") is None
            else _sales_change(first.get("change_pct"), first["change"], m == "revenue", zh)
        )
        share = first["revenue"] / r["total_revenue"] * 100 if r.get("total_revenue") else None
        if zh:
            of = f"，占{where or '全店'}销售额的 {share:.2f}%" if share is not None else ""
            return (
                f"{first['description']}（{first['stock_code']}，商品 {first['product_id']}{price(first)}）{where}{period}："
                f"{value(first)}{change}{of}；括号内为{_against(r, zh)}的变化。"
            )
        of = f", {share:.2f}% of all sales{where}" if share is not None else ""
        return (
            f"{first['description']} ({first['stock_code']}, product {first['product_id']}{price(first)}){where}, {period}: "
            f"{value(first)}{change}{of}; change against {_against(r, zh)} in brackets."
        )
    none_fell = "fall" in r["rule"] and r["order"] == "worst" and (first.get("change") or 0) >= 0
    if zh:
        falls = "fall" in r["rule"] and r["order"] == "worst" and not none_fell
        kind = "最畅销" if r["order"] == "best" else "下滑最多" if falls else "最差"
        rule = (
            f"按{_ZH_MEASURE[m]}排名"
            if r["order"] == "best"
            else f"上一同长周期有销售、{_ZH_MEASURE[m]}下滑最多的在前"
            if "fall" in r["rule"]
            else f"两个周期都有销售的商品中{_ZH_MEASURE[m]}最低的在前"
            if "both" in r["rule"]
            else f"这些商品中本期{_ZH_MEASURE[m]}最低的在前"
            if "among the" in r["rule"]
            else f"本期有销售的商品中{_ZH_MEASURE[m]}最低的在前"
        )
        note = f"（{r['note']}）" if r.get("note") else ""
        note += "；没有一款下滑，都比上一周期卖得多，增长最少的在前" if none_fell else ""
        return (
            f"{where}{period}，{kind}的商品是 {first['description']}（{value(first)}）。{total}{rule}{note}，"
            f"括号内为{_against(r, zh)}的变化：\n{rows}\n本期共 {r['products_sold']:,} 个商品有销售，销售额 {_money(r['total_revenue'])}。"
        )
    falls = "fall" in r["rule"] and r["order"] == "worst" and not none_fell
    kind = "Best seller" if r["order"] == "best" else "Biggest fall" if falls else "Worst seller"
    note = f" ({r['note']})" if r.get("note") else ""
    note += (
        ". None of them fell: each sold more than in the period before, the smallest rise first" if none_fell else ""
    )
    return (
        f"{kind}{where}, {period}: {first['description']} ({value(first)}). {total}Rule: {r['rule']}{note}; "
        f"change against {_against(r, zh)} in brackets:\n{rows}\n"
        f"{r['products_sold']:,} products sold in the period, {_money(r['total_revenue'])} in all."
    )


# -- web sessions (tools/sessions.py) --------------------------------------------------------------

_ZH_CODED = {"traffic_type": "流量类型", "region": "地区", "browser": "浏览器", "operating_system": "操作系统"}
_ZH_VISITOR = {"Returning_Visitor": "回访访客", "New_Visitor": "新访客", "Other": "其他访客类型"}
_ZH_BY = {**_ZH_CODED, "visitor_type": "访客类型", "month": "月份", "weekend": "周末/工作日"}
_ZH_STEP = {"sessions": "会话", "viewed_product": "浏览商品页", "engaged": "深度浏览", "purchase": "购买"}
_EN_STEP = {
    "sessions": "sessions",
    "viewed_product": "viewed a product page",
    "engaged": "engaged",
    "purchase": "purchase",
}
_ZH_FEATURE = {
    "administrative": "管理类页面数",
    "administrative_duration": "管理类页面停留时长",
    "informational": "信息类页面数",
    "informational_duration": "信息类页面停留时长",
    "product_related": "商品页浏览数",
    "product_related_duration": "商品页停留时长",
    "page_values": "页面价值（PageValues）",
    "bounce_rates": "跳出率",
    "exit_rates": "退出率",
    "special_day": "临近节日程度",
    "weekend": "周末",
    "page figures missing": "页面数据缺失",
}
_SESSIONS_SOURCE_ZH = "某网店的 12,330 次会话，UCI Online Shoppers 数据"


def bought_together(r: dict[str, Any], zh: bool) -> str:
    """What sells with a product or a kind: the products most often in the same orders, with how often
    and how much likelier than in any order."""
    if "product_id" in r:
        what = f"{r['description']} ({r['stock_code']}, " + (
            f"商品 {r['product_id']})" if zh else f"product {r['product_id']})"
        )
    else:
        n = r["kind_products"]
        what = f"“{r['kind']}”类商品（{n} 款）" if zh else f"the {n} “{r['kind']}” product{'s' * (n != 1)}"
    where = _sales_where({"filters": {k: v for k, v in r["filters"].items() if k != "kind"}}, zh)
    period = _period_text(r["period"], zh)
    lines = []
    for p in r["products"]:
        head = f"{p['rank']}. {p['description']} ({p['stock_code']}, " + (
            f"商品 {p['product_id']})" if zh else f"product {p['product_id']})"
        )
        if zh:
            lines.append(
                f"{head}：同单 {p['orders_together']:,} 笔（占这些订单的 {p['share_pct']:g}%），是一般订单的 {p['lift']:g} 倍"
            )
        else:
            lines.append(
                f"{head}: in {p['orders_together']:,} of those orders ({p['share_pct']:g}%), "
                f"{p['lift']:g}x as likely as in any order"
            )
    rows = "\n".join(lines)
    head_zh = (
        f"{where}{period}，{'' if where else '全店 '}{r['orders']:,} 笔订单中 {r['anchor_orders']:,} 笔含有{what}。"
    )
    head_en = f"{period}{where}: {r['anchor_orders']:,} of {'the' if where else 'the shop' + chr(39) + 's'} {r['orders']:,} orders hold {what}."
    if not r["products"]:
        return head_zh + "没有其他商品与它同单出现。" if zh else head_en + " No other product was in those orders."
    by_lift = r["rule"].startswith("highest lift")
    if zh:
        order = "按提升度（比一般订单高出的倍数）排序" if by_lift else "最常一起买的"
        text = f"{head_zh}{order}：\n{rows}\n提升度大于 1 表示比随机更常一起买；热门商品即使提升度接近 1 也常出现在同一订单里。"
    else:
        order = "By lift (how many times likelier than in any order)" if by_lift else "Most often in the same order"
        text = (
            f"{head_en} {order}:\n{rows}\nA lift above 1 means they go together more than chance; a best seller with "
            "a lift near 1 is in many baskets anyway."
        )
    if r.get("note"):  # too few orders to read: said before the list, not after it
        text = (
            (f"注意：含它的订单只有 {r['anchor_orders']} 笔，下面的占比和提升度只能作个例参考，不代表规律。\n")
            if zh
            else f"Note: {r['note']}.\n"
        ) + text
    return text


def _sess_group(by: str, row: dict[str, Any], zh: bool) -> str:
    """A group of sessions as the answer names it: coded columns by their number ("traffic type 2")."""
    if not zh:
        return str(row["label"])
    g = row["group"]
    if by in _ZH_CODED:
        return f"{_ZH_CODED[by]} {g}"
    if by == "visitor_type":
        return _ZH_VISITOR.get(str(g), str(g))
    if by == "weekend":
        return "周末" if g else "工作日"
    return _ZH_MONTH.get(str(g), str(g))


def _sess_months(r: dict[str, Any], zh: bool, key: str = "months") -> str:
    months = r[key]
    if zh:
        return "、".join(_ZH_MONTH.get(m, m) for m in months)
    return ", ".join(months)


def _ci(ci: list[float | None], zh: bool, unit: str = "%") -> str:
    """A 95% interval: "14.85-16.12%" for a rate, "-1.18 to 15.89 points" for a change (a signed figure)."""
    lo, hi = ci
    if unit == "%":
        return f"95% 区间 {lo}–{hi}%" if zh else f"95% interval {lo}-{hi}%"
    return f"95% 区间 {lo} 至 {hi}{unit}" if zh else f"95% interval {lo} to {hi}{unit}"


def _sess_period(r: dict[str, Any], zh: bool) -> str:
    if r.get("all_months"):
        return f"全部 {len(r['months'])} 个月" if zh else f"all {len(r['months'])} months of the data"
    return _sess_months(r, zh)


def traffic_conversion(r: dict[str, Any], zh: bool) -> str:
    by = r["by"]
    rows = r["groups"]
    if zh:
        head = f"按{_ZH_BY[by]}的转化率（有购买的会话 / 会话，{_sess_period(r, zh)}；数据：{_SESSIONS_SOURCE_ZH}）"
        coded = f"。{_ZH_CODED[by]}在数据中是编号，各编号代表什么未公布" if by in _ZH_CODED else ""
        lines = "\n".join(
            f"- {_sess_group(by, g, zh)}：{g['conversion_pct']}%（{_ci(g['ci95_pct'], zh)}），"
            f"{g['sessions']:,} 次会话中 {g['purchases']:,} 次购买"
            for g in rows
        )
        s = f"{head}{coded}。全部会话 {r['conversion_pct']}%（{_ci(r['ci95_pct'], zh)}）。"
        if r.get("worst"):
            b, w = r["best"], r["worst"]
            clear = "区间不重叠，差异明确" if r.get("best_clearly_above_worst") else "区间重叠，差异不明确"
            s += (
                f"最好：{_sess_group(by, b, zh)} {b['conversion_pct']}%（{b['sessions']:,} 次会话）；"
                f"最差：{_sess_group(by, w, zh)} {w['conversion_pct']}%（{w['sessions']:,} 次会话；{clear}）。\n{lines}"
            )
        elif rows:
            s += f"\n{lines}"
        if r["left_out"]:
            small = "、".join(f"{_sess_group(by, x, zh)}（{x['sessions']}）" for x in r["left_out"])
            s += f"\n会话少于 {r['min_sessions']} 次、未列出：{small}。"
        c = r.get("compare")
        if c:
            ch = "；".join(
                f"{_sess_group(by, g, zh)} {g['compare_conversion_pct']}% → {g['conversion_pct']}%"
                f"（{g['change_pts']:+} 个百分点，{_ci(g['ci95_pts'], zh, ' 个百分点')}，{'变化明确' if g['clear'] else '不明确'}）"
                for g in c["groups"]
            )
            s += (
                f"\n从 {_sess_months(c, zh, 'compare_months')} 到 {_sess_months(c, zh)}：全部会话 "
                f"{c['compare_conversion_pct']}% → {r['conversion_pct']}%（{c['change_pts']:+} 个百分点，"
                f"{_ci(c['ci95_pts'], zh, ' 个百分点')}）" + (f"；{ch}" if ch else "") + "。"
            )
        return s
    head = f"Conversion by {by.replace('_', ' ')} (sessions with a purchase / sessions, {_sess_period(r, zh)}; data: {r['data']})"
    coded = f". {r['coded'][0].upper()}{r['coded'][1:]}" if r.get("coded") else ""
    lines = "\n".join(
        f"- {g['label']}: {g['conversion_pct']}% ({_ci(g['ci95_pct'], zh)}), "
        f"{g['purchases']:,} of {g['sessions']:,} sessions"
        for g in rows
    )
    s = f"{head}{coded}. All sessions: {r['conversion_pct']}% ({_ci(r['ci95_pct'], zh)})."
    if r.get("worst"):
        b, w = r["best"], r["worst"]
        clear = (
            "the intervals are apart: a clear difference"
            if r.get("best_clearly_above_worst")
            else "the intervals overlap: no clear difference"
        )
        s += (
            f" Best: {b['label']} at {b['conversion_pct']}% ({b['sessions']:,} sessions); worst: {w['label']} at "
            f"{w['conversion_pct']}% ({w['sessions']:,} sessions; {clear}).\n{lines}"
        )
    elif rows:
        s += f"\n{lines}"
    if r["left_out"]:
        small = ", ".join(f"{x['label']} ({x['sessions']})" for x in r["left_out"])
        s += f"\nLeft out, with fewer than {r['min_sessions']} sessions: {small}."
    c = r.get("compare")
    if c:
        ch = "; ".join(
            f"{g['label']} {g['compare_conversion_pct']}% -> {g['conversion_pct']}% ({g['change_pts']:+} points, "
            f"{_ci(g['ci95_pts'], zh, ' points')}{'' if g['clear'] else ', not clear'})"
            for g in c["groups"]
        )
        s += (
            f"\nFrom {_sess_months(c, zh, 'compare_months')} to {_sess_months(c, zh)}: all sessions "
            f"{c['compare_conversion_pct']}% -> {r['conversion_pct']}% ({c['change_pts']:+} points, "
            f"{_ci(c['ci95_pts'], zh, ' points')})" + (f"; {ch}" if ch else "") + "."
        )
    return s


def _funnel_line(steps: list[dict[str, Any]], zh: bool) -> str:
    names = _ZH_STEP if zh else _EN_STEP
    parts = [f"{names[steps[0]['step']]} {steps[0]['sessions']:,}"]
    for st in steps[1:]:
        drop = f"流失 {st['drop_off_pct']}%" if zh else f"drop-off {st['drop_off_pct']}%"
        parts.append(
            f"{names[st['step']]} {st['sessions']:,}（{drop}）"
            if zh
            else f"{names[st['step']]} {st['sessions']:,} ({drop})"
        )
    return " → ".join(parts) if zh else " -> ".join(parts)


def session_funnel(r: dict[str, Any], zh: bool) -> str:
    buy = r["steps"][-1]
    out = r["purchases_outside_funnel"]
    d = r["outside_detail"]
    if zh:
        s = (
            f"会话漏斗（{_sess_period(r, zh)}；数据：{_SESSIONS_SOURCE_ZH}；深度浏览 = 商品页停留超过 {r['engaged_seconds']:,} 秒"
            + ("，即浏览过商品页的会话的中位数" if r.get("engaged_is_median") else "")
            + f"）：{_funnel_line(r['steps'], zh)}。走完漏斗的占全部会话 {buy['share_pct']}%（{_ci(r['funnel_conversion_ci95_pct'], zh)}），"
            f"流失最多的一步是{_ZH_STEP.get(r['biggest_drop'], r['biggest_drop'])}。"
            f"{r['purchases']:,} 次购买中有 {out:,} 次不在漏斗内（{d['not_engaged']:,} 次未深度浏览，{d['without_product_page']:,} 次未看商品页）。"
        )
        if r.get("groups"):
            s += f"\n按{_ZH_BY[r['by']]}（会话 → 浏览商品页 → 深度浏览 → 购买）："
        for g in r.get("groups", []):
            counts = " → ".join(f"{st['sessions']:,}" for st in g["steps"])
            drops = "、".join(f"{st['drop_off_pct']}%" for st in g["steps"][1:])
            s += (
                f"\n- {_sess_group(r['by'], g, zh)}：{counts}（各步流失 {drops}）；"
                f"购买 {g['steps'][-1]['share_pct']}%（{_ci(g['ci95_pct'], zh)}）"
            )
        if r.get("coded"):
            s += f"\n{_ZH_CODED[r['by']]}在数据中是编号，各编号代表什么未公布。"
        return s
    s = (
        f"Session funnel ({_sess_period(r, zh)}; data: {r['data']}; engaged = {r['engaged_rule']}): "
        f"{_funnel_line(r['steps'], zh)}. {buy['share_pct']}% of sessions go all the way ({_ci(r['funnel_conversion_ci95_pct'], zh)}); "
        f"the biggest drop is at {_EN_STEP.get(r['biggest_drop'], r['biggest_drop'])}. {out:,} of the {r['purchases']:,} purchases "
        f"fall outside the funnel ({d['not_engaged']:,} without engaging, {d['without_product_page']:,} without a product page)."
    )
    if r.get("groups"):
        s += "\nBy " + r["by"].replace("_", " ") + " (sessions -> viewed a product page -> engaged -> purchase):"
    for g in r.get("groups", []):
        counts = " -> ".join(f"{st['sessions']:,}" for st in g["steps"])
        drops = ", ".join(f"{st['drop_off_pct']}%" for st in g["steps"][1:])
        s += (
            f"\n- {g['label']}: {counts} (drop-offs {drops}); purchase {g['steps'][-1]['share_pct']}% "
            f"({_ci(g['ci95_pct'], zh)})"
        )
    if r.get("coded"):
        s += f"\n{r['coded'][0].upper()}{r['coded'][1:]}."
    return s


def _feature_zh(name: str) -> str:
    base = name.removesuffix(" (log1p)")
    if "=" in base:
        col, value = base.split("=", 1)
        if col == "month":
            return _ZH_MONTH.get(value, value)
        if col == "visitor_type":
            return _ZH_VISITOR.get(value, value)
        return f"{_ZH_CODED[col]} {value}" if col in _ZH_CODED else base
    return _ZH_FEATURE.get(base, base)


def purchase_intent(r: dict[str, Any], zh: bool) -> str:
    top = r["top_share_pct"]
    ahead = r["lift"] > r["baseline_lift"]
    if zh:
        sig = "，".join(f"{_feature_zh(x['feature'])} {x['coef']:+}" for x in r["signals"])
        verdict = "优于" if r["beats_baseline"] else "未优于"
        return (
            f"购买意向模型（逻辑回归，L2 正则）：随机 70% 会话训练（{r['train_sessions']:,} 次），其余 30% 检验"
            f"（{r['test_sessions']:,} 次，{r['test_purchases']:,} 次购买，随机种子 {r['seed']}）。"
            f"AUC {r['auc']}，仅用 PageValues 的基线 {r['baseline_auc']}，模型{verdict}基线。"
            f"按模型得分排前 {top}% 的会话包含 {r['captured_pct']}% 的购买（提升 {r['lift']} 倍；"
            f"仅 PageValues：{r['baseline_captured_pct']}%，提升 {r['baseline_lift']} 倍"
            + ("" if ahead else "，在这一比例上基线不输模型")
            + f"）。最强的信号（标准化系数）：{sig}。数据：{_SESSIONS_SOURCE_ZH}。"
        )
    sig = ", ".join(f"{x['label']} {x['coef']:+}" for x in r["signals"])
    verdict = "beats" if r["beats_baseline"] else "does not beat"
    return (
        f"Purchase-intent model ({r['model']}), trained on a random 70% of sessions ({r['train_sessions']:,}) and "
        f"tested on the other {r['test_sessions']:,} ({r['test_purchases']:,} purchases; seed {r['seed']}): "
        f"AUC {r['auc']} against {r['baseline_auc']} for {r['baseline']}, so the model {verdict} the baseline. "
        f"The top {top}% of test sessions by the model's score hold {r['captured_pct']}% of the purchases "
        f"(lift {r['lift']}; PageValues alone: {r['baseline_captured_pct']}%, lift {r['baseline_lift']}"
        + ("" if ahead else ": at this share the baseline does as well or better")
        + f"). Strongest signals ({r['signals_are']}): {sig}. Data: {r['data']}."
    )


def _shown_projections(r: dict[str, Any]) -> list[dict[str, Any]]:
    """The projected months an answer quotes: at most six, evenly spaced, ending at the horizon."""
    ahead = [m for m in r["months"] if r["months_observed"] < m["month"] <= r["months_ahead"]]
    step = -(-len(ahead) // 6) if ahead else 1
    return [m for i, m in enumerate(reversed(ahead)) if i % step == 0][::-1]


def retention_projection(r: dict[str, Any], zh: bool) -> str:
    h, seen = r["months_ahead"], r["months_observed"]
    observed = [m for m in r["months"] if m["observed_pct"] is not None]
    projected = _shown_projections(r)
    first_rate, horizon_rate = r["months"][0]["retention_rate_pct"], r["months"][h - 1]["retention_rate_pct"]
    at = r.get("observed_at_horizon_pct")
    bt = r.get("backtest")
    if zh:
        vs = "；".join(f"{m['calendar']} {m['observed_pct']:g}% / {m['fitted_pct']:g}%" for m in observed)
        ahead = "，".join(f"{m['calendar']} {m['fitted_pct']:g}%" for m in projected)
        others = "，".join(
            f"连续 {o['lapse_months']} 个月 {o['still_buying']:,} 位（{o['still_buying_pct']:g}%）"
            for o in r["other_rules"]
        )
        notes = [
            f"{r['observed_through']} 之后的月份是预测：某月是否流失要等其后 {r['lapse_months']} 个月过完才知道，"
            f"数据最后一个完整月份是 {r['last_full_month']}"
            + (f"（数据截至 {r['data_to']}，不完整的月份未使用）" if r["part_month_unused"] else "")
        ]
        if r["includes_earlier_customers"]:
            notes.append(f"数据始于 {r['cohort']}，该月首次出现的客户可能以前就买过，并非全是新客")
        notes.append("模型允许不同客户的流失概率不同，但不随季节变化；“仍在购买”的人数取决于流失规则")
        if r["fit_on_edge"]:
            notes.append("拟合停在参数范围的边界，已观察的月份不足以确定曲线")
        source = "UCI Online Retail（演示店铺的真实订单）" if r["demo_data"] else "店铺自己的订单"
        answer = (
            f"{r['cohort']} 首次下单的 {r['cohort_size']:,} 位新客中，预计到 {r['horizon_month']}（{h} 个月后）"
            f"仍在购买的约 {r['still_buying']:,} 位（{r['still_buying_pct']:g}%）。"
            if at is None
            else f"{r['cohort']} 首次下单的 {r['cohort_size']:,} 位新客中，到 {r['horizon_month']}（{h} 个月后）"
            f"实际仍在购买的有 {r['observed_at_horizon']:,} 位（{at:g}%；拟合曲线为 {r['still_buying_pct']:g}%）。"
        )
        return (
            f"{answer}\n"
            f"移位贝塔几何（sBG）模型按已观察的 {seen} 个月（至 {r['observed_through']}）拟合：alpha {r['alpha']:g}，"
            f"beta {r['beta']:g}。仍在购买的比例，实际 / 拟合：{vs}（最大相差 {r['largest_gap_pp']:g} 个百分点）。"
            + (f"预测：{ahead}。" if ahead else "")
            + (
                f"检验：只用前 {bt['fitted_months']} 个月拟合时，模型对 {bt['month']} 的预测为 {bt['predicted_pct']:g}%，"
                f"实际为 {bt['observed_pct']:g}%。"
                if bt
                else ""
            )
            + (
                f"仍在购买的客户下个月继续购买的比例，从第 1 个月的 {first_rate:g}% 升到第 {h} 个月的 "
                f"{horizon_rate:g}%：更容易流失的客户先走了。"
                if h > 1
                else ""
            )
            + "\n"
            f"定义：客户自首单当月起，连续 {r['lapse_months']} 个自然月没有下单即算流失（记在这几个月的第一个月），"
            "流失后再回来的仍算流失，如同退订后重新订阅。"
            + (f"换一种流失规则，{r['horizon_month']} 仍在购买：{others}。" if others else "")
            + f"说明：{'；'.join(notes)}。数据：{source}，{r['data_from']} 至 {r['data_to']}。"
        )
    vs = "; ".join(f"{m['calendar']} {m['observed_pct']:g}% vs {m['fitted_pct']:g}%" for m in observed)
    ahead = ", ".join(f"{m['calendar']} {m['fitted_pct']:g}%" for m in projected)
    others = ", ".join(
        f"{o['lapse_months']} months {o['still_buying']:,} ({o['still_buying_pct']:g}%)" for o in r["other_rules"]
    )
    if at is None:
        answer = (
            f"About {r['still_buying']:,} of the {r['cohort_size']:,} customers whose first order was in {r['cohort']} "
            f"({r['still_buying_pct']:g}%) are projected to still be buying in {r['horizon_month']}, {h} months on."
        )
    else:
        answer = (
            f"{r['observed_at_horizon']:,} of the {r['cohort_size']:,} customers whose first order was in "
            f"{r['cohort']} ({at:g}%) were still buying in {r['horizon_month']}, {h} months on (the fitted curve: "
            f"{r['still_buying_pct']:g}%)."
        )
    return (
        f"{answer}\n{r['model'][:1].upper()}{r['model'][1:]}, fitted by maximum likelihood on the {seen} observed "
        f"months to {r['observed_through']}: "
        f"alpha {r['alpha']:g}, beta {r['beta']:g}. Still buying, observed vs fitted: {vs} (largest gap "
        f"{r['largest_gap_pp']:g} points)."
        + (f" Projected: {ahead}." if ahead else "")
        + (
            f" Check: fitted on months 1 to {bt['fitted_months']} only, the model said {bt['predicted_pct']:g}% for "
            f"{bt['month']}; {bt['observed_pct']:g}% were observed."
            if bt
            else ""
        )
        + (
            f" Of those still buying, the share who stay another month rises from {first_rate:g}% in month 1 to "
            f"{horizon_rate:g}% in month {h}, as the likelier lapsers leave first."
            if h > 1
            else ""
        )
        + "\n"
        f"Definition: {r['definition']}."
        + (f" Under other lapse rules (months without an order), in {r['horizon_month']}: {others}." if others else "")
        + f" Caveats: {'; '.join(r['caveats'])}. Data: {r['data']}."
    )


FORMATTERS: dict[str, Fmt] = {
    f.__name__: f
    for f in (
        rfm_segments,
        customer_lifetime_value,
        lapsing_customers,
        customer_list,
        customer_profile,
        similar_products,
        recommend_products,
        selling_points,
        compose_headlines,
        check_compliance,
        price_elasticity,
        optimal_price,
        discount_effect,
        impression_bid,
        campaign_pacing,
        replay_bidding,
        ab_test,
        budget_split,
        media_mix,
        sales_seasonality,
        campaign_plan,
        email_targeting,
        campaign_effect,
        channel_attribution,
        campaign_metrics,
        compare_campaigns,
        sales_report,
        top_products,
        bought_together,
        traffic_conversion,
        session_funnel,
        purchase_intent,
        retention_projection,
    )
}
FORMATTERS.update(audience_words.FORMATTERS)
FORMATTERS.update(dsp_words.FORMATTERS)
for _write in (
    "set_campaign_bid",
    "set_campaign_budget",
    "set_product_price",
    "set_campaign_bids",
    "set_campaign_budgets",
    "pause_campaign",
    "resume_campaign",
):
    FORMATTERS[_write] = _set_field


def format_result(tool: str, result: dict[str, Any], zh: bool, asked: frozenset[str] = frozenset()) -> str:
    """A tool's result in words; `asked`: figures the request asked for that the answer shows only
    then (`aov`: the average order value of a sales report)."""
    if tool == "sales_report":
        return sales_report(result, zh, aov="aov" in asked, asked=asked)
    if tool in ("campaign_metrics", "compare_campaigns"):
        return (campaign_metrics if tool == "campaign_metrics" else compare_campaigns)(result, zh, asked)
    if tool == "customer_profile":
        return customer_profile(result, zh, asked)
    fmt = FORMATTERS.get(tool)
    return fmt(result, zh) if fmt else str(result)


# -- what the model says besides a tool's result -------------------------------------------------

HELP_EN = (
    "I'm the Marketing Copilot (running on the offline model). I can: profile customers (RFM segments, "
    "who is about to lapse, lifetime value, one customer's profile and worth, recommendations, similar products); "
    "report sales by day, week or month (by country, product or segment), the best and worst sellers and what sells "
    "with what; write "
    "compliance-checked headlines and selling points; estimate price elasticity, the profit-maximising "
    "price and discount effects, and change prices; check campaign pacing, bid for impressions, replay "
    "bidding strategies and set bids and budgets, one campaign or several at once (changes wait for your approval); read the DSP's win rate, CPM and pacing and change a DSP campaign's targeting; "
    "report and compare campaign performance (ROAS, CPA, CTR, conversions), pause and resume campaigns; and plan "
    "campaigns (A/B tests, budget splits, seasonality, who to e-mail, did it work); build, size, overlap, look-alike "
    "and export audiences (with customers' consent); show where buyers come from (conversion by traffic source, the "
    "session funnel, purchase intent), which channel deserves the credit (attribution models side by side), what each "
    "medium earns (a marketing-mix model) and how many new customers will still buy later; and say what a figure "
    "means (CPA, ROAS, AOV, elasticity, P(alive), ...). Try: "
    '"which customers are about to lapse?"'
)
HELP_ZH = (
    "我是营销助手（当前为离线模型）。我可以：客户分析（RFM 分群、流失预警、生命周期价值、客户画像与价值、推荐、相似商品）；"
    "销售报表（按天、周、月，可按国家、商品、分群拆分）、畅销与滞销商品、连带购买（哪些商品常一起买）；"
    "撰写合规的广告标题与卖点；估计价格弹性、利润最大化价格与折扣效果，并修改价格；查看活动消耗进度、"
    "为展示出价、回放竞价策略、设置单个或多个活动的出价与预算（修改需您批准）；查看 DSP 的胜率、CPM 与消耗节奏并修改 DSP 活动的定向；活动效果报告与对比（投产比、CPA、点击率、转化）、暂停与恢复投放；以及活动策划（A/B 测试、预算分配、季节性、"
    "邮件该发给谁、活动是否有效）；人群包的创建、规模、重合、相似人群扩展与导出（尊重客户的退订）；流量洞察（各流量来源的转化率、"
    "会话漏斗、购买意向）、渠道归因（多种归因模型对比）、媒体组合模型（各媒体的投产比）以及新客留存预测；也可以解释各项指标的含义"
    "（CPA、投产比、客单价、价格弹性、P(alive) 等）。"
    '试试："哪些客户快要流失了？"'
)


def help_text(zh: bool) -> str:
    return HELP_ZH if zh else HELP_EN


def declined(kind: str, zh: bool) -> str:
    """Why a part asking for data the shop does not hold gets no figures (`kind`: "competitor",
    "contact"), or what the terms a part asks about mean ("term:cpa,roas")."""
    if kind.startswith("sure:"):
        return terms.how_sure(kind.removeprefix("sure:"), zh)
    if kind.startswith("term:"):
        return "\n".join(terms.explain(k, zh) for k in kind.removeprefix("term:").split(",") if k)
    if kind == "every_price":
        return (
            "我不能一次改掉所有商品的价格：改价是一个商品一个商品地提出，每一项都要您批准后才生效，这一步不能跳过。"
            "一刀切的价格会让很多商品低于成本出售。请告诉我要改哪个商品（编号、货号或名称）和新价格；"
            "想先看看效果，可以问“打九折会怎样”。"
            if zh
            else "I can't change every product's price at once: a price change is proposed one product at a time, and "
            "each waits for your approval; that step can't be skipped. One price for everything would sell many "
            "products below cost. Tell me which product (id, stock code or name) and its new price; to see the effect "
            'first, ask "what would 10% off do?".'
        )
    if kind == "contact":
        return (
            "客户的邮箱、电话和地址我无法提供：店铺数据里没有这些（每位客户只有编号和国家），我也不会导出个人联系方式。"
            "请在您的 CRM 里按客户编号查找；需要的话，我可以给出该联系哪些客户的名单。"
            if zh
            else "I can't give customers' e-mail addresses, phone numbers or addresses: the shop's data holds none "
            "(a customer is an id and a country), and I would not hand out personal contact details. Look them up "
            "by customer id in your CRM; I can list which customers to contact, if that helps."
        )
    if zh:
        return (
            "竞争对手的数据我无法提供：我只有本店自己的订单、商品和广告活动数据，没有其他店铺或品牌"
            "（天猫、京东、亚马逊等）的销量、价格或流量。需要的话，我可以给出本店同期的数据作对照。"
        )
    return (
        "I can't give a competitor's figures: I only hold this shop's own orders, products and campaigns, "
        "with no sales, prices or traffic of other shops or brands (Amazon, Etsy, Tmall or any other). "
        "I can show our own figures for the same period to compare against, if that helps."
    )


def out_of_scope(zh: bool, part: str | None = None) -> str:
    if part is not None:
        return (
            f"“{part}”超出了我的能力范围，这部分我没有处理。"
            if zh
            else f'I could not help with "{part}": it is outside what I can do.'
        )
    return ("这超出了我的能力范围。" + HELP_ZH) if zh else ("That is outside what I can help with. " + HELP_EN)


_ASK = {
    "product_id": (
        "the product (its id, e.g. product 12, or a stock code such as 85123A)",
        "商品编号（例如 商品12，或货号 85123A）",
    ),
    "customer_id": ("the customer id (e.g. 12347)", "客户编号（例如 12347）"),
    "campaign_id": ("the campaign (its id, e.g. campaign 2)", "活动编号（例如 活动1）"),
    "unit_cost": ("the unit cost (what one unit costs you, e.g. £1.20)", "单位成本（例如 1.20 英镑）"),
    "price": ("the new price (e.g. £2.50, or a change such as up 10%)", "新价格（例如 2.50 英镑，或 上调10%）"),
    "bid": ("the new bid (e.g. £0.90, or a change such as down 10%)", "新出价（例如 0.90，或 下调10%）"),
    "daily_budget": (
        "the new daily budget (e.g. £400, or a change such as up 20%)",
        "新的日预算（例如 400，或 提高20%）",
    ),
    "total": ("the total budget to split (e.g. £5,000)", "要分配的总预算（例如 5000 英镑）"),
    "discount_pct": ("the discount (e.g. 10% off) or the new price", "折扣（例如 9折 或 10%）或新价格"),
    "pctr": ("the predicted click-through rate (e.g. 0.2%)", "预估点击率（例如 0.2%）"),
    "value_per_click": ("what a click is worth (e.g. £2) or a campaign id", "每次点击的价值（例如 2 英镑）或活动编号"),
    "text": ("the ad copy to check, in quotes", "要检查的文案（放在引号里）"),
    "query": ("a product id or a description to search for", "商品编号或要搜索的描述"),
    "name": ("the audience's name (e.g. uk_champions)", "人群包名称（例如 uk_champions）"),
    "seed": ("the seed audience to find look-alikes of", "作为种子的人群包名称"),
    "first": ("the two audiences to compare", "要对比的两个人群包"),
    "second": ("the second audience", "第二个人群包"),
    "opted_out": (
        "whether the customer opted out of marketing or opted back in",
        "该客户是退订了营销，还是重新同意接收",
    ),
    "campaigns": (
        "which campaigns (all of them, those on a channel such as search, or their ids, e.g. campaigns 1 and 3)",
        "哪些活动（全部、某个渠道如搜索，或活动编号，例如活动1和活动3）",
    ),
    "dsp_campaign": ("which DSP campaign (its id or name)", "哪个DSP活动（编号或名称）"),
    "changes": (
        "what to change in its targeting (regions, hours, domains to allow or block, slot sizes or audiences)",
        "要怎样改定向（地区、时段、允许或屏蔽的域名、广告位尺寸或人群包）",
    ),
    "conversions_a": (
        "conversions and visitors of A and B (e.g. A 120 of 2400, B 150 of 2400)",
        "A、B 两组的转化数和访客数（例如 A组2400人转化120，B组2400人转化150）",
    ),
}


def ask_for(missing: list[str], zh: bool, tool: str | None = None, args: dict[str, Any] | None = None) -> str:
    what = [(_ASK.get(m, (m.replace("_", " "), m))[1 if zh else 0]) for m in missing]
    target = ""
    if (
        tool in ("set_product_price", "set_campaign_bid", "set_campaign_budget", "pause_campaign", "resume_campaign")
        and args
    ):
        if "product_id" in args:
            target = f"（商品 {args['product_id']}）" if zh else f" for product {args['product_id']}"
        elif "campaign_id" in args:
            target = f"（活动 {args['campaign_id']}）" if zh else f" for campaign {args['campaign_id']}"
    elif tool in ("set_campaign_bids", "set_campaign_budgets") and {"campaign_ids", "channel", "all_campaigns"} & set(
        args or {}
    ):
        target = f"（{_scope(args or {}, zh)}）" if zh else f" for {_scope(args or {}, zh)}"
    if zh:
        return f"请告诉我{target}：" + "；".join(what) + "。"
    return f"To do that{target} I need " + " and ".join(what) + ". What is it?"


def which_campaign(campaigns: list[tuple[int, str]], named: re.Match[str] | None, zh: bool) -> str:
    """The shop's campaigns to choose from, saying when the words a request named one by fit none."""
    listed = "; ".join(f"{cid} {name}" for cid, name in campaigns[:10])
    said = (named.group("en") or named.group("zh") or "").strip() if named else ""
    said = re.sub(r"^(?:把|给|将|请|帮我|暂停|恢复|开启|关掉|停掉|停)+", "", said)
    said = "" if said.lower() in ("", "search", "social", "display", "first", "second", "third", "last") else said
    if zh:
        miss = f"没有名为“{said}”的活动。" if said else ""
        return f"{miss}现有的活动：{listed}。"
    miss = f'No campaign is named "{said}". ' if said else ""
    return f"{miss}The campaigns: {listed}."


def which_audience(names: list[str], zh: bool) -> str:
    """The shop's saved audiences to choose from (or that there are none yet)."""
    if not names:
        return (
            "目前还没有保存的人群包；可以先建一个，例如“把英国的冠军客户存成人群 uk_champions”。"
            if zh
            else (
                'There are no saved audiences yet; create one first, e.g. "save UK champions as an audience called uk_champions".'
            )
        )
    listed = "、".join(names[:12]) if zh else ", ".join(names[:12])
    return f"现有的人群包：{listed}。" if zh else f"The saved audiences: {listed}."


def which_product(count: int, choices: list[tuple[int, str]], zh: bool) -> str:
    """The best sellers of a kind of product several share, to choose from."""
    listed = "; ".join(f"{pid} {name}" for pid, name in choices)
    if zh:
        return f"符合的商品有 {count} 个，最畅销的是：{listed}。请告诉我是哪一个（编号或货号）。"
    return f"{count} products are of that kind; the best sellers: {listed}. Which one (its id or stock code)?"


def _scope(args: dict[str, Any], zh: bool) -> str:
    """Which campaigns a bulk edit's arguments name."""
    if args.get("campaign_ids"):
        ids = ", ".join(str(i) for i in args["campaign_ids"])
        return f"活动 {ids}" if zh else f"campaigns {ids}"
    if args.get("channel"):
        return f"{_channel(args['channel'], zh)}渠道的活动" if zh else f"the {_channel(args['channel'], zh)} campaigns"
    return "所有活动" if zh else "all campaigns"


def refused_write(kind: str, tool: str, args: dict[str, Any], zh: bool) -> str:
    if tool in ("pause_campaign", "resume_campaign"):
        what = (
            (f"活动 {args['campaign_id']}" if zh else f"campaign {args['campaign_id']}")
            if "campaign_id" in args
            else ("这个活动" if zh else "the campaign")
        )
        verb = ("暂停", "pause") if tool == "pause_campaign" else ("恢复", "resume")
        if kind == "negated":
            return (
                f"好的，我不会{verb[0]}{what}，什么都没有改动。"
                if zh
                else f"Understood: I won't {verb[1]} {what}. Nothing was changed."
            )
        return (
            f"这是一个假设问题，所以我没有提出任何修改；{what}保持不变。如需{verb[0]}，请直接说“{verb[0]}{what}”。"
            if zh
            else f"That's a what-if, so I haven't proposed any change; {what} stays as it is. To {verb[1]} it, ask me to "
            f"{verb[1]} {what}."
        )
    field = {
        "set_campaign_bid": "bid",
        "set_campaign_budget": "daily_budget",
        "set_product_price": "price",
        "set_campaign_bids": "bid",
        "set_campaign_budgets": "daily_budget",
    }[tool]
    label = _FIELD[field]
    if tool in ("set_campaign_bids", "set_campaign_budgets"):
        what = _scope(args, zh)
    else:
        what = (
            (f"活动 {args['campaign_id']}" if "campaign_id" in args else f"商品 {args.get('product_id', '')}")
            if zh
            else (
                f"campaign {args['campaign_id']}" if "campaign_id" in args else f"product {args.get('product_id', '')}"
            )
        )
    if kind == "negated":
        return (
            f"好的，我不会修改{what}的{label[0]}，什么都没有改动。"
            if zh
            else f"Understood: I won't change the {label[1]} of {what}. Nothing was changed."
        )
    return (
        f"这是一个假设问题，所以我没有提出任何修改；{what}保持不变。如需修改，请直接说“把{what}的{label[0]}改为……”。"
        if zh
        else f"That's a what-if, so I haven't proposed any change; {what} stays as it is. To make the change, ask me to set "
        f"the {label[1]} of {what} to a value."
    )


_PLATFORM_NAMES = {"ebay": "eBay", "tiktok": "TikTok", "youtube": "YouTube", "linkedin": "LinkedIn"}


_PICKED_BY = {
    "roas": ("ROAS", "ROAS"),
    "cpa": ("CPA", "CPA"),
    "ctr_pct": ("CTR (%)", "点击率（%）"),
    "conversions": ("conversions", "转化数"),
    "cpc": ("CPC", "CPC"),
    "spend": ("spend", "花费"),
    "revenue": ("revenue", "收入"),
}


def notes_text(notes: list[str], zh: bool) -> str:
    out = []
    for n in notes:
        kind, _, rest = n.partition(":")
        if kind == "currency":
            raw, _, cur = rest.rpartition(":")
            name = {"USD": ("dollars", "美元"), "EUR": ("euros", "欧元"), "CNY": ("yuan", "人民币")}.get(
                cur, (cur, cur)
            )
            out.append(
                f"注意：您给的金额“{raw}”是{name[1]}，而本店以英镑计价；我按同样的数字以英镑处理，未做汇率换算。"
                if zh
                else f'Note: you gave "{raw}" in {name[0]}; the shop works in pounds, so I used the same number in pounds '
                "(no exchange rate applied)."
            )
        elif kind == "repeat":
            words, _, n = rest.rpartition(":")
            more = int(n) - 1
            if zh:
                why = f"：首单之后至少再买 {more} 次" if more >= 2 else ""
                out.append(f"（“{words}”按至少下过 {n} 单理解{why}。）")
            else:
                why = f": a first order and at least {more} more" if more >= 2 else ""
                out.append(f'("{words}" read as customers with at least {n} orders{why}.)')
        elif kind == "picked":  # "pause the worst one": by which figure it is the worst
            way, metric, value, cid, count = rest.split(":")
            name_en, name_zh = _PICKED_BY.get(metric, (metric, metric))
            value = _money(float(value)) if metric in ("cpa", "cpc", "spend", "revenue") else value
            if zh:
                out.append(
                    f"（按{name_zh}，活动 {cid} 是上面 {count} 个活动中{'最差' if way == 'worst' else '最好'}的：{value}。）"
                )
            else:
                out.append(f"(By {name_en}, campaign {cid} is the {way} of the {count} above: {value}.)")
        elif kind == "campaign_for":
            said, _, rest = rest.partition(":")
            cid, _, called = rest.partition(":")
            out.append(
                f"（没有以“{said}”命名的活动；我按渠道找到的是活动 {cid}（{called}），如果不是您要的，请回复“取消”。）"
                if zh
                else f'(No campaign is named after "{said}"; by its channel I took campaign {cid} ({called}). '
                'If that is not the one you meant, reply "no".)'
            )
        elif kind == "product_lead":
            count, times, pid, called = rest.split(":", 3)
            out.append(
                f"（符合的商品有 {count} 个，我取了卖得最多的 {called}（商品 {pid}），它的销量是第二名的 {times} 倍；"
                "如果您指的是另一个，请告诉我编号或货号。）"
                if zh
                else f"({count} products fit; I took {called} (product {pid}), which has sold {times} times as many "
                "as the next one. If you meant another, give its id or stock code.)"
            )
        elif kind == "other_platform":
            rest = _PLATFORM_NAMES.get(rest.lower().replace(" ", ""), rest if not rest.isascii() else rest.title())
            out.append(
                f"（{rest}不在我知道字数限制的平台里（谷歌搜索广告、Meta、微信朋友圈、小红书），以上按通用格式写，发布前请按{rest}的要求核对长度。）"
                if zh
                else f"({rest} is not one of the platforms whose limits I know (Google responsive search ads, Meta, "
                f"WeChat Moments, Xiaohongshu); written without a platform's limits, so check {rest}'s own before posting.)"
            )
        elif kind == "no_campaign_for":
            out.append(f"没有以“{rest}”命名的活动。" if zh else f'No campaign is named after "{rest}".')
        elif kind == "approval_kept":
            out.append(approval_kept(zh))
        elif kind == "cannot_send":
            out.append(
                "（我不能发送邮件或短信，也不能生成优惠码；以上是可以发送的对象，请在您的邮件或营销工具里发送。）"
                if zh
                else "(I can't send e-mails or messages or create discount codes; above is who to send to, "
                "for your e-mail or marketing tool.)"
            )
        elif kind == "no_contact":
            out.append(
                "（店铺数据里没有客户的邮箱、电话或地址（客户只有编号和国家），我也不会导出个人联系方式；"
                "以上是这些客户的编号，请在您的 CRM 里按编号查找联系方式。）"
                if zh
                else "(The shop's data holds no e-mail addresses, phone numbers or postal addresses (a customer is an "
                "id and a country), and I would not hand out personal contact details; above are the customers' "
                "ids, to look up in your CRM.)"
            )
        elif kind == "no_schedule":
            out.append(
                f"（您说的是“{rest}”，但我不能定时执行修改：批准后它会一直生效，不会自己改回来；到时请再让我改回。）"
                if zh
                else f'(You asked for this "{rest}", but I can\'t schedule a change: once approved it stays until it is '
                "changed again. When the time comes, ask me to change it back.)"
            )
        elif kind == "claims":
            terms = rest.split("|")
            out.append(
                "（您要写的"
                + "".join(f"“{t}”" for t in terms)
                + "是功效、安全或绝对化宣称，《广告法》不允许普通商品这样宣传，文案里不会写；每条文案都经过合规检查。）"
                if zh
                else "(You asked to say "
                + ", ".join(f'"{t}"' for t in terms)
                + ": health, safety or absolute claims the CAP code does not allow without proof, so the copy "
                "leaves them out; every variant passes the compliance check.)"
            )
        elif kind == "no_change":
            out.append("（没有做任何修改。）" if zh else "(Nothing was changed.)")
        elif kind == "count_capped":
            out.append(f"（最多 {rest} 个）" if zh else f"(at most {rest})")
        elif kind == "unreadable":
            out.append(
                f"我看不懂“{rest}”这个数字，没有使用它。"
                if zh
                else f'I could not read "{rest}" as a number, so I did not use it.'
            )
    return " ".join(out)


_DATA_ZH = {
    "paidsearch": "eBay 付费搜索关停实验",
    "hillstrom": "Hillstrom 邮件实验",
    "ipinyou": "iPinYou 2997 竞价日志",
    "cdnow": "CDNOW 购买记录",
    "dominicks_oj": "Dominick's 橙汁销售",
}
_WHAT_ZH = {"bid": "出价", "daily budget": "日预算", "price": "价格"}
_MIX_ZH = {"the shop's media history": "店铺的媒体投放历史", "the reference mmm set": "参考数据（mmm）"}
_TARGETING_ZH = {
    "regions": "地区", "hours": "时段", "domains allow": "允许的域名", "domains_allow": "允许的域名",
    "domains block": "屏蔽的域名", "domains_block": "屏蔽的域名", "sizes": "广告尺寸", "audiences": "人群包",
}  # fmt: skip
_OS_ERROR_ZH = {
    "Permission denied": "没有写入权限",
    "No space left on device": "磁盘空间不足",
    "Read-only file system": "文件系统是只读的",
    "No such file or directory": "文件夹不存在",
    "Is a directory": "同名的文件夹已存在",
}


def _value_zh(m: re.Match[str]) -> str:
    """ "the bid", "the daily budget of campaign 3" as the Chinese sentence names them."""
    what = _WHAT_ZH[m["what"]]
    return f"活动 {m['id']} 的{what}" if m["id"] else what


def _inner_zh(message: str) -> str:
    """The engine's reason inside a tool's message, in Chinese when the table has it."""
    said = _error_zh(message)
    return said.removesuffix("。") if said is not None else message


# Tool and validation errors are written in English by the tools; Chinese requests get them in Chinese.
_ERRORS_ZH: list[tuple[re.Pattern[str], str | Callable[[re.Match[str]], str]]] = [
    # -- the DSP
    (
        re.compile(r"the DSP has no campaigns yet; add one with `([^`]+)`"),
        r"DSP 还没有任何活动；可以先用 `\1` 添加一个。",
    ),
    (
        re.compile(r"(?:no DSP campaign is|several DSP campaigns match) '(.+)'; the DSP campaigns: (.+)"),
        r"没有唯一对应“\1”的 DSP 活动；现有 DSP 活动：\2。",
    ),
    (
        re.compile(r"DSP campaign (\d+) \((.+)\) already has that targeting: nothing to change"),
        r"DSP 活动 \1（\2）已经是这样的定向，无需修改。",
    ),
    (
        re.compile(r"no audience ['\"](.+)['\"]; the saved audiences: none yet"),
        r"没有名为“\1”的人群包；目前还没有保存任何人群包。",
    ),
    (re.compile(r"no audience '(.+)'; the saved audiences: (.+)"), r"没有名为“\1”的人群包；现有人群包：\2。"),
    (re.compile(r"hours are whole hours 0 to 23 \(UTC\), not (.+)"), r"时段须为 0 到 23 的整点（UTC），不能是 \1。"),
    (re.compile(r"hours are whole hours 0 to 23 \(UTC\).*"), "时段须为 0 到 23 的整点（UTC）。"),
    (
        re.compile(r"say which (?P<rule>[\w ]+) to (?P<action>set|add|remove)"),
        lambda m: (
            f"请说明要把{_TARGETING_ZH.get(m['rule'], m['rule'])}设为哪些。"
            if m["action"] == "set"
            else f"请说明要{'添加' if m['action'] == 'add' else '移除'}哪些{_TARGETING_ZH.get(m['rule'], m['rule'])}。"
        ),
    ),
    (
        re.compile(r"targeting hours(?:\.\d+)?: hours are 0 to 23, not (-?\d+)"),
        r"时段须为 0 到 23 的整点（UTC），不能是 \1。",
    ),
    (
        re.compile(r"targeting sizes(?:\.\d+)?: a size is WIDTHxHEIGHT, like 300x250, not ['\"](.*)['\"]"),
        r"广告尺寸须写成“宽x高”（WIDTHxHEIGHT），例如 300x250，不能是“\1”。",
    ),
    (
        re.compile(r"targeting (\w+): List should have at most (\d+) items? after validation, not (\d+)"),
        lambda m: f"{_TARGETING_ZH.get(m[1], m[1])}最多只能有 {m[2]} 项，现在是 {m[3]} 项。",
    ),
    # -- the shop's products, customers and campaigns
    (
        re.compile(r"the shop has no sales yet; run `([^`]+)` to load the demo shop"),
        r"店铺还没有销售数据；请运行 `\1` 载入演示店铺。",
    ),
    (
        re.compile(r"the catalog is empty; run `([^`]+)` to load the demo shop"),
        r"商品目录是空的；请运行 `\1` 载入演示店铺。",
    ),
    (re.compile(r"there is no product (\d+); product ids run from 1 to (\d+)"), r"没有商品 \1；商品编号从 1 到 \2。"),
    (
        re.compile(r"there is no customer (\d+); customer ids are numbers such as (\d+)(?: or (\d+))?"),
        lambda m: f"没有客户 {m[1]}；客户编号例如 {m[2]}" + (f" 或 {m[3]}" if m[3] else "") + "。",
    ),
    (
        re.compile(r"there is no customer (\d+); customer ids are numbers such as $"),
        r"没有客户 \1；店铺还没有任何客户。",
    ),
    (re.compile(r"there is no campaign (\d+); the campaigns are ([\d, ]+)"), r"没有活动 \1；现有活动为 \2。"),
    (re.compile(r"there is no campaign (\d+); the campaigns are $"), r"没有活动 \1；目前还没有任何活动。"),
    (re.compile(r"^there are no campaigns yet$"), "目前还没有任何活动。"),
    # -- prices
    (
        re.compile(
            r"product (\d+)'s sales history is too thin to estimate elasticity: it sold in (\d+) weeks? "
            r"\(need (\d+)\)"
        ),
        r"商品 \1 的销售记录太少，无法估计价格弹性：只有 \2 周有销售（至少需要 \3 周）。",
    ),
    (
        re.compile(r"product (\d+)'s sales history is too thin to estimate elasticity.*"),
        r"商品 \1 的销售记录太少，无法估计价格弹性。",
    ),
    (
        re.compile(r"£(\S+) off £(\S+) leaves nothing; give a smaller amount off"),
        r"£\2 减去 £\1 后价格就没有了；请给一个更小的减价金额。",
    ),
    (
        re.compile(r"£(\S+) is product (\d+)'s price today; give a different price to compare"),
        r"£\1 就是商品 \2 现在的价格；请给一个不同的价格来比较。",
    ),
    (
        re.compile(r"£(\S+) is a (\S+)% change from £(\S+); compare a price within (\S+)% and (\S+)%"),
        r"£\1 相对于 £\3 的变动为 \2%；请比较变动在 \4% 到 \5% 之间的价格。",
    ),
    (
        re.compile(
            r"that would make the (?P<what>bid|daily budget|price)(?: of campaign (?P<id>\d+))? £(?P<value>\S+); "
            r"it must be greater than 0"
        ),
        lambda m: f"这样{_value_zh(m)}会变成 £{m['value']}，必须大于 0。",
    ),
    (
        re.compile(
            r"that would make the (?P<what>bid|daily budget|price)(?: of campaign (?P<id>\d+))? £(?P<value>\S+); "
            r"it must be at most £(?P<top>\S+)"
        ),
        lambda m: f"这样{_value_zh(m)}会变成 £{m['value']}，不能超过 £{m['top']}。",
    ),
    (
        re.compile(r"that would make the (?:bid|daily budget) of campaign (\d+) £(\S+); it must be (.+)"),
        r"这样活动 \1 会变成 £\2，超出允许范围（\3）。",
    ),
    # -- campaigns, channels and delivery
    (re.compile(r"campaign (\d+) has no delivery reported yet"), r"活动 \1 还没有投放数据。"),
    (re.compile(r"no campaign has any delivery reported yet"), "还没有任何活动的投放数据。"),
    (
        re.compile(r"variant (\w) conversions must be between 0 and its visitors \((\d+)\)"),
        r"\1 组的转化数必须在 0 到访客数（\2）之间。",
    ),
    (re.compile(r"variant (\w) needs at least one visitor"), r"\1 组至少需要一位访客。"),
    (
        re.compile(r"the (.+) data set \((\w+)\) is not on this machine.*"),
        lambda m: (
            f"这台机器上没有所需的参考数据（{_DATA_ZH.get(m[2], m[1])}）。请运行 `copilot data fetch {m[2]}` 下载，"
            f"或把 COPILOT_DATA_DIR 指向含有 {m[2]}/ 的文件夹。"
        ),
    ),
    (
        re.compile(r"none of (.+) is a channel of the shop's media history; they are (.+)"),
        r"\1 都不是店铺媒体投放历史里的渠道；历史里的渠道为 \2。",
    ),
    (re.compile(r"none of (.+) is a channel; the channels are (.+)"), r"\1 都不是渠道；现有渠道为 \2。"),
    (re.compile(r"(.+) is not a channel; the channels are (.+)"), r"\1 不是渠道；现有渠道为 \2。"),
    (
        re.compile(r"no campaign runs on (\S+); the campaigns run on (.+)"),
        r"没有活动投放在 \1 渠道；现有活动的渠道为 \2。",
    ),
    (re.compile(r"no campaign runs on (.+)"), r"没有活动投放在 \1 渠道。"),
    (re.compile(r"campaign (\d+) \((.+)\) is already paused"), r"活动 \1（\2）已经是暂停状态。"),
    (re.compile(r"campaign (\d+) \((.+)\) is already active"), r"活动 \1（\2）已经在投放中。"),
    (
        re.compile(r"campaign (\d+) \((.+)\) is (\w+); only a paused campaign can be resumed"),
        r"活动 \1（\2）的状态是 \3，只有暂停的活动才能恢复。",
    ),
    (
        re.compile(r"there is no delivery from (\S+) to (\S+); the delivery history runs from (\S+) to (\S+)"),
        r"\1 至 \2 没有投放数据；投放记录从 \3 到 \4。",
    ),
    (
        re.compile(r"the period starts \((\S+)\) after it ends \((\S+)\).*"),
        r"时段的开始日期（\1）晚于结束日期（\2），请对调。",
    ),
    (re.compile(r"give the start date of the period.*"), "请同时给出时段的开始日期（或一个时段，例如最近7天）。"),
    (re.compile(r"^unknown period (\S+)$"), r"没有名为 \1 的时段。"),
    (
        re.compile(r"give a value per click or a campaign whose value per click to use"),
        "请给出每次点击的价值，或一个活动编号。",
    ),
    # -- sales reports, filters and the catalog
    (re.compile(r"give a product id or a text to search the catalog for"), "请给出商品编号或要搜索的文字。"),
    (
        re.compile(
            r"none of the words of “(.+)” are in the catalog's glossary; name the product in English or with everyday "
            r"words for it \(e\.g\. (.+)\)"
        ),
        lambda m: (
            f"“{m[1]}”里的词都不在商品目录的词表里；请用英文或常用的说法称呼商品（例如 {m[2].replace(', ', '、')}）。"
        ),
    ),
    (
        re.compile(
            r"no product's description holds every word of “(.+)”; name the kind of product in the catalog's words "
            r"\(e\.g\. (.+)\)"
        ),
        lambda m: (
            f"没有哪件商品的描述同时包含“{m[1]}”里的每个词；请用商品目录里的说法称呼这类商品"
            f"（例如 {m[2].replace(', ', '、')}）。"
        ),
    ),
    (
        re.compile(r"none of the products given are a (.+); drop one of the two filters"),
        r"给出的商品都不是 \1；请去掉两个筛选条件中的一个。",
    ),
    (re.compile(r"give either compare_month or compare_last_year, not both"), "请只给一种对比：指定月份，或去年同期。"),
    (
        re.compile(r"give one product \(an id or a stock code\) or one kind of product \(query\), not both or neither"),
        "请给出一件商品（编号或货号）或一类商品（关键词），两者只能给一个。",
    ),
    (
        re.compile(
            r"no order from (\S+) to (\S+)( with those filters)? holds (?:product (\d+)|a (.+)); widen the period or drop a filter"
        ),
        lambda m: (
            f"{m[1]} 至 {m[2]}{'在这些筛选条件下' if m[3] else ''}没有订单包含"
            + (f"商品 {m[4]}" if m[4] else f"“{m[5]}”")
            + "；请放宽时间段或去掉一个筛选条件。"
        ),
    ),
    (
        re.compile(
            r"['\"](.+)['\"] is not a month; give it as (\S+), a month's name \((\w+)\) or its number \((\d+)\)"
        ),
        r"“\1”不是月份；请写成 \2、月份名称（\3）或月份数字（\4）。",
    ),
    (
        re.compile(r"the months run backwards \((\S+) to (\S+)\); give the earlier month first"),
        r"月份顺序反了（\1 到 \2）；请先写较早的月份。",
    ),
    (
        re.compile(r"(\S+) is after the shop's latest orders \((\S+)\); give months up to (\S+)"),
        r"\1 晚于店铺最近的订单（\2）；请给出 \3 或更早的月份。",
    ),
    (
        re.compile(r"give either a month or a period \(or start and end dates\), not both"),
        "请只给出月份或时段（或开始和结束日期）其中一种，不要同时给。",
    ),
    (
        re.compile(
            r"the month to compare with \((\S+)\) overlaps the period itself \((\S+) to (\S+)\); give another month"
        ),
        r"要对比的月份（\1）与所查时段（\2 至 \3）重叠；请换一个月份。",
    ),
    (
        re.compile(r"to_month ends a range of months; give the first month as month"),
        "to_month 是月份范围的最后一个月；请用 month 给出第一个月。",
    ),
    (
        re.compile(r"there are no sales from (\S+) to (\S+); the shop's sales run from (\S+) to (\S+)"),
        r"\1 至 \2 没有销售；店铺的销售记录从 \3 到 \4。",
    ),
    (
        re.compile(r"the shop has no customers in ['\"](.+)['\"]; the countries are: (.+)"),
        r"店铺在“\1”没有客户；有客户的国家：\2。",
    ),
    (
        re.compile(r"there is no RFM segment ['\"](.+)['\"]; the segments are: (.+)"),
        r"没有名为“\1”的 RFM 分群；现有分群：\2。",
    ),
    (
        re.compile(r"the (first-order )?date range starts \((\S+)\) after it ends \((\S+)\); swap the dates"),
        lambda m: f"{'首单' if m[1] else ''}日期范围的开始日期（{m[2]}）晚于结束日期（{m[3]}），请对调。",
    ),
    (
        re.compile(
            r"min_(orders|revenue) \((\S+)\) is above max_\1 \((\S+)\); give a minimum no greater than the maximum"
        ),
        lambda m: (
            f"{'订单数' if m[1] == 'orders' else '消费额'}的下限 min_{m[1]}（{m[2]}）高于上限 max_{m[1]}（{m[3]}）；"
            "下限不能高于上限。"
        ),
    ),
    # -- web sessions
    (
        re.compile(r"['\"](.+)['\"] is not a month; the data's months are (.+)"),
        r"“\1”不是月份；数据里的月份为 \2。",
    ),
    (
        re.compile(r"the data has no sessions in (\w+): its (\d+) months are (.+) \(no (.+)\)"),
        lambda m: (
            f"数据里没有 {m[1]} 的访问记录：数据共 {m[2]} 个月，为 {m[3]}（没有 {m[4].replace(' or ', ' 或 ')}）。"
        ),
    ),
    (re.compile(r"give at least one month; the data's months are (.+)"), r"请至少给出一个月份；数据里的月份为 \1。"),
    (
        re.compile(r"the two periods share (.+); give each month to one period"),
        r"两个时段都包含 \1；每个月份只能属于一个时段。",
    ),
    (
        re.compile(r"no months are left to compare against; give `([^`]+)` too"),
        r"没有剩下可以对比的月份；请同时给出 `\1`。",
    ),
    (
        re.compile(r"no session viewed a product page with a known time; cannot set an engagement threshold"),
        "没有哪次访问在商品页上的停留时长是已知的，无法设定“参与”的时长门槛；请直接给出秒数。",
    ),
    # -- attribution
    (
        re.compile(r"Shapley values over every coalition take at most (\d+) channels and the journeys have (\d+); .*"),
        r"沙普利值要遍历所有渠道组合，最多支持 \1 个渠道，而这些路径有 \2 个渠道；"
        "请改用马尔可夫模型，或把少见的渠道合并为一个后重新导入。",
    ),
    (
        re.compile(r"the shop's journeys carry no conversion value .*"),
        "店铺的转化路径没有转化价值（没有 value 列，或每个值都是 0）；请按转化次数归因，或带上 value 列重新导入转化路径。",
    ),
    # -- the marketing-mix model
    (
        re.compile(r"the shop's media history has (\d+) weeks: hold out fewer than that"),
        r"店铺的媒体投放历史只有 \1 周：留出检验的周数要少于这个数。",
    ),
    (
        re.compile(r"(the shop's media history|the reference mmm set) has no spend on any channel in the fitted weeks"),
        lambda m: f"{_MIX_ZH[m[1]]}在拟合的各周里没有任何渠道有花费。",
    ),
    (
        re.compile(r"^(the shop's media history|the reference mmm set): (.+)$"),
        lambda m: f"{_MIX_ZH[m[1]]}无法拟合：{_inner_zh(m[2])}。",
    ),
    (
        re.compile(r"(\d+) weeks are too few for (\d+) channels and (\d+) controls: need at least (\d+)"),
        r"只有 \1 周的数据，而 \2 个渠道和 \3 个控制变量至少需要 \4 周。",
    ),
    (
        re.compile(r"no spend at all on (.+) in the fitted weeks: leave the channel out"),
        r"拟合的各周里 \1 完全没有花费：请去掉这个渠道。",
    ),
    (re.compile(r"the hold-out must be between 0 and (\d+) weeks"), r"留出检验的周数必须在 0 到 \1 之间。"),
    (re.compile(r"every week's sales must be positive.*"), "每周的销售额都必须大于 0。"),
    (re.compile(r"sales must be positive on average"), "销售额的平均值必须大于 0。"),
    # -- retention
    (
        re.compile(
            r"cohort (\S+) has (-?\d+) months observed \(a lapse takes (\d+) months to see and the last full month is "
            r"(\S+)\), too little to fit; the cohorts are none yet \(first-purchase months with at least (\d+) new "
            r"customers and (\d+) months observed after\)"
        ),
        r"\1 这批客户首单后只观察了 \2 个月（判断流失需要 \3 个月，最近一个完整月份是 \4），数据太少，无法拟合。"
        r"目前还没有可以分析的首单月份（需要至少 \5 位新客户、之后至少观察 \6 个月）。",
    ),
    (
        re.compile(
            r"cohort (\S+) has (-?\d+) months observed \(a lapse takes (\d+) months to see and the last full month is "
            r"(\S+)\), too little to fit; the cohorts are (.+) \(first-purchase months with at least (\d+) new customers "
            r"and (\d+) months observed after\)"
        ),
        r"\1 这批客户首单后只观察了 \2 个月（判断流失需要 \3 个月，最近一个完整月份是 \4），数据太少，无法拟合。"
        r"可以分析的首单月份：\5（至少 \6 位新客户、之后至少观察 \7 个月）。",
    ),
    (
        re.compile(
            r"cohort (\S+) has (\d+) new customers? \(fewer than (\d+)\), too little to fit; the cohorts are none yet "
            r"\(first-purchase months with at least (\d+) new customers and (\d+) months observed after\)"
        ),
        r"\1 这批只有 \2 位新客户（少于 \3 位），数据太少，无法拟合。"
        r"目前还没有可以分析的首单月份（需要至少 \4 位新客户、之后至少观察 \5 个月）。",
    ),
    (
        re.compile(
            r"cohort (\S+) has (\d+) new customers? \(fewer than (\d+)\), too little to fit; the cohorts are (.+) "
            r"\(first-purchase months with at least (\d+) new customers and (\d+) months observed after\)"
        ),
        r"\1 这批只有 \2 位新客户（少于 \3 位），数据太少，无法拟合。"
        r"可以分析的首单月份：\4（至少 \5 位新客户、之后至少观察 \6 个月）。",
    ),
    (
        re.compile(
            r"no cohort '(.+)' in the shop's orders; the cohorts are none yet \(first-purchase months with at least (\d+) new customers and (\d+) months observed after\)"
        ),
        r"店铺订单里没有 \1 这批首单客户；目前还没有可以分析的首单月份（需要至少 \2 位新客户、之后至少观察 \3 个月）。",
    ),
    (
        re.compile(
            r"no cohort '(.+)' in the shop's orders; the cohorts are (.+) \(first-purchase months with at least (\d+) new customers and (\d+) months observed after\)"
        ),
        r"店铺订单里没有 \1 这批首单客户；可以分析的首单月份：\2（至少 \3 位新客户、之后至少观察 \4 个月）。",
    ),
    (
        re.compile(r"^cohort (\S+) cannot be fitted: (.+)$"),
        lambda m: f"无法为 {m[1]} 这批客户拟合留存曲线：{_inner_zh(m[2])}。",
    ),
    (
        re.compile(r"nobody churned in the periods given: the sBG model cannot be fitted to them"),
        "这段时间里没有客户流失，无法拟合 sBG 模型。",
    ),
    # -- audiences (the DMP)
    (
        re.compile(r"give rules or customer_ids \(an uploaded list\), not both"),
        "请给出筛选规则或 customer_ids（上传的名单）其中一种，不要同时给。",
    ),
    (
        re.compile(r"(\d+) of the customer ids are not the shop's customers \((.+)\); remove them"),
        r"有 \1 个客户编号不是本店的客户（\2）；请去掉它们。",
    ),
    (
        re.compile(r"no customer passes these rules; loosen them \(e\.g\. a lower min_clv or a wider date range\)"),
        "没有客户满足这些规则；请放宽条件（例如调低 min_clv 或放宽日期范围）。",
    ),
    (
        re.compile(r"both are the audience ['\"](.+)['\"]; name two different audiences"),
        r"两个都是人群包“\1”；请给出两个不同的人群包。",
    ),
    (
        re.compile(
            r"['\"](.+)['\"] is an uploaded list: its members are the customers uploaded, there is nothing to recompute; "
            r"import the list again under a new name to change it"
        ),
        r"“\1”是上传的名单：成员就是上传的客户，没有可以重新计算的；如需修改，请用新名称重新导入名单。",
    ),
    (
        re.compile(
            r"the seed of ['\"](.+)['\"] \(['\"]?(.*?)['\"]?\) was deleted, so it cannot be recomputed; "
            r"make a new look-alike of another audience"
        ),
        r"“\1”的种子人群包（“\2”）已被删除，无法重新计算；请基于另一个人群包新建相似人群。",
    ),
    (
        re.compile(r"every member of ['\"](.+)['\"] has opted out of marketing \(or it is empty\): nothing to export"),
        r"“\1”的成员都已退订营销（或人群包是空的）：没有可以导出的客户。",
    ),
    (
        re.compile(r"customer (\d+) is already (opted out|not opted out)( \(nothing recorded\))?; nothing to change"),
        lambda m: (
            f"客户 {m[1]} 已经退订了营销，无需修改。"
            if m[2] == "opted out"
            else f"客户 {m[1]} 本来就没有退订营销{'（没有记录）' if m[3] else ''}，无需修改。"
        ),
    ),
    (
        re.compile(r"there is no audience ['\"](.+)['\"]; there are no audiences yet \(([a-z_]+) makes one\)"),
        r"没有名为“\1”的人群包；目前还没有任何人群包（可以用 \2 创建）。",
    ),
    (
        re.compile(r"there is no audience ['\"](.+)['\"]; the audiences are (.+?)(?: and (\d+) more)?$"),
        lambda m: f"没有名为“{m[1]}”的人群包；现有人群包：{m[2]}" + (f" 等（另有 {m[3]} 个）" if m[3] else "") + "。",
    ),
    (
        re.compile(r"an audience name is 1 to (\d+) printable characters, got (.+)"),
        r"人群包名称须为 1 到 \1 个可打印字符，现在是 \2。",
    ),
    (
        re.compile(
            r"an audience named ['\"](.+)['\"] already exists \(([\d,]+) customers?\); choose another name, "
            r"or refresh or delete that one"
        ),
        r"已经有名为“\1”的人群包（\2 位客户）；请换一个名称，或刷新、删除已有的那个。",
    ),
    (
        re.compile(r"an audience kind is one of (.+), not ['\"](.*)['\"]"),
        r"人群包类型须为 \1 之一，不能是“\2”。",
    ),
    (
        re.compile(r"min_clv \((\S+)\) is above max_clv \((\S+)\); swap them"),
        r"生命周期价值的下限 min_clv（\1）高于上限 max_clv（\2），请对调。",
    ),
    (
        re.compile(r"ordered_after \((\S+)\) is after ordered_before \((\S+)\); swap the dates"),
        r"下单日期范围的开始 ordered_after（\1）晚于结束 ordered_before（\2），请对调。",
    ),
    (
        re.compile(r"an audience definition has rules this copilot does not know: (.+)"),
        r"人群包的定义里有本助手不认识的规则：\1。",
    ),
    (
        re.compile(r"the e-mail uplift score cannot be computed for this shop's customers.*"),
        "无法为本店客户计算邮件增益分：email_targeting 背后的增益模型是用 Hillstrom 邮件实验训练的，"
        "它用到的特征（买过的男装和女装商品、邮编区域、购买渠道）本店没有记录；请去掉 min_uplift。",
    ),
    (re.compile(r"no e-mail uplift score was computed for these customers"), "这些客户还没有计算邮件增益分。"),
    (
        re.compile(
            r"give at least one rule \(segment, lapsing, lifetime value, country, last order, products bought\)"
        ),
        "请至少给出一条规则（RFM 分群、即将流失、生命周期价值、国家、最近下单、买过的商品）。",
    ),
    (
        re.compile(r"the seed audience has no customer with purchases in the shop to learn from; refresh it"),
        "种子人群包里没有在本店买过东西的客户，无从学习；请先刷新它。",
    ),
    (
        re.compile(r"every customer outside the seed is opted out or in the seed: there is no one to add"),
        "种子人群包以外的客户都已退订营销：没有可以添加的客户。",
    ),
    (
        re.compile(r"could not write (.+): ([^:]+)$"),
        lambda m: f"无法写入 {m[1]}：{_OS_ERROR_ZH.get(m[2], m[2])}。",
    ),
    (
        re.compile(r"the export formats are (.+), not ['\"](.*)['\"]"),
        r"导出格式须为 \1 之一，不能是“\2”。",
    ),
    (
        re.compile(r"^['\"](.*)['\"] is not a customer id \(a whole number of 1 or more\)$"),
        r"“\1”不是客户编号（客户编号是 1 或以上的整数）。",
    ),
]
_FIELD_ZH = {
    "bid": "出价", "daily_budget": "日预算", "price": "价格", "unit_cost": "单位成本", "discount_pct": "折扣",
    "total": "总预算", "total_budget": "总预算", "pctr": "点击率", "value_per_click": "点击价值", "n": "数量",
    "k": "数量", "limit": "数量", "share": "比例", "product_id": "商品编号", "customer_id": "客户编号",
    "campaign_id": "活动编号", "change_pct": "变动比例", "change_by": "变动金额", "new_price": "新价格",
    "campaign_ids": "活动编号", "channel": "渠道", "period": "时段", "start": "开始日期", "end": "结束日期", "metric": "指标",
}  # fmt: skip
_RULES_ZH: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"Input should be greater than or equal to (\S+)"), r"必须大于或等于 \1"),
    (re.compile(r"Input should be greater than (\S+)"), r"必须大于 \1"),
    (re.compile(r"Input should be less than or equal to (\S+)"), r"必须小于或等于 \1"),
    (re.compile(r"Input should be less than (\S+)"), r"必须小于 \1"),
    (re.compile(r"Value error, (.*)"), r"\1"),
    (
        re.compile(r"^there is no product with stock code (\S+) \(the catalog has (.+)\)$"),
        r"：没有库存编号为 \1 的商品（目录里有 \2）",
    ),
    (re.compile(r"^there is no product with stock code (\S+)$"), r"：没有库存编号为 \1 的商品"),
    (re.compile(r"\s?\(product (\d+)\)"), r"（商品 \1）"),
    (
        re.compile(r"^(\S+) looks like a stock code, but there is no shop here to look it up in; give the id$"),
        r"：\1 像是库存编号，但这里没有店铺数据可查；请给出商品编号",
    ),
    (
        re.compile(r"^(.+) is not a product id \(e\.g\. 12\) or a stock code \(e\.g\. 85123A\)$"),
        r"：\1 不是商品编号（如 12）或库存编号（如 85123A）",
    ),
]


def meant_pence(args: dict[str, Any], zh: bool) -> str:
    """After a bid refused as too high ("出价调到80块"): whether pence were meant (80 -> £0.80)."""
    bid = args.get("bid")
    if not isinstance(bid, int | float) or not 50 < bid <= 500:
        return ""
    pence = _money(bid / 100)
    return (
        f"（您是指 {pence} 吗？如果是，请回复“出价改成{bid / 100:g}”。）"
        if zh
        else f' (Did you mean {pence}? If so, say "bid {bid / 100:g}".)'
    )


def _error_zh(message: str) -> str | None:
    """A tool's one-line error in Chinese by the first pattern of _ERRORS_ZH it matches; None when none does."""
    for pat, rep in _ERRORS_ZH:
        found = pat.search(message)
        if found:
            return pat.sub(rep, found.group(0))
    return None


def error_text(message: str, zh: bool) -> str:
    """A tool's error as the marketer reads it: what to fix, in the request's language."""
    message = message.removeprefix("Error: ")
    if not zh:
        return "I couldn't do that: " + message
    said = _error_zh(message)
    if said is not None:
        return "没能完成：" + said
    if message.startswith("invalid arguments: "):
        parts = []
        for item in message.removeprefix("invalid arguments: ").split("; "):
            name, _, rule = item.partition(": ")
            for pat, rep in _RULES_ZH:
                rule = pat.sub(rep, rule)
            parts.append(f"{_FIELD_ZH.get(name, name)}{rule}")
        return "没能完成：参数有误：" + "；".join(parts) + "。"
    return "没能完成：" + message


# -- a change waiting for approval ---------------------------------------------------------------


_NO_DEMAND_ZH = {
    "tier_pricing_only": "（无法估计对销量的影响：不同的价格是按订购量定的阶梯价，同样订购量下价格从未变过）",
    "price_never_changed": "（无法估计对销量的影响：同样订购量下价格从未变过）",
    "outside_prices_seen": "（无法估计对销量的影响：超出了同样订购量下卖过的价格）",
}


def _says_itself(stated: str, to: Any) -> bool:
    """ "£4.49" for £4.49: the words are the value, nothing to point out ("80p" -> £0.80 is)."""
    m = re.fullmatch(r"£?\s?(\d+(?:\.\d+)?)", stated.strip())
    return m is not None and isinstance(to, int | float) and abs(float(m.group(1)) - float(to)) < 1e-9


def describe_change(c: dict[str, Any], zh: bool, stated: str | None) -> str:
    """One pending change: target, field, from -> to, the words the value came from, and warnings."""
    if isinstance(c.get("changes"), list):  # a bulk edit: each of its changes
        return ("；" if zh else "; ").join(describe_change(x, zh, stated) for x in c["changes"])
    if audience_words.is_audience_change(c):
        return audience_words.describe(c, zh)
    if dsp_words.is_targeting_change(c):
        return dsp_words.describe_targeting(c, zh)
    if c.get("field") == "status":
        return _describe_status(c, zh)
    label = _FIELD.get(str(c.get("field")), (c.get("field"), c.get("field")))
    src = (
        (f"（您写的“{stated}” -> {_money(c['to'])}）" if zh else f' ("{stated}" -> {_money(c["to"])})')
        if stated and not _says_itself(stated, c.get("to"))
        else ""
    )
    if zh:
        s = f"{_target(c, zh)}的{label[0]}：{_money(c['from'])} -> {_money(c['to'])}{src}"
    else:
        s = f"{label[1]} of {c['target']} from {_money(c['from'])} to {_money(c['to'])}{src}"
    if "expected_units_change_pct" in c:
        s += (
            f"（按该商品的价格弹性，销量预计变化 {c['expected_units_change_pct']:+g}%）"
            if zh
            else f" (by its price elasticity, units sold move {c['expected_units_change_pct']:+g}%)"
        )
    elif "demand_note" in c:
        s += (
            _NO_DEMAND_ZH.get(str(c.get("demand_reason")), "（无法估计对销量的影响）")
            if zh
            else f" ({c['demand_note']})"
        )
    for w in c.get("warnings", []):
        s += " " + warning_text(w, zh)
    return s


def _describe_status(c: dict[str, Any], zh: bool) -> str:
    """A pause or a resume, with what a day of delivery at the campaign's bid and budget brings."""
    day = c.get("per_day")
    if zh:
        s = f"{_target(c, zh)}的状态：{_status(c['from'], zh)} -> {_status(c['to'], zh)}"
        if day:
            verb = "停止" if c["to"] == "paused" else "恢复"
            s += (
                f"（按当前出价和预算，每天约{verb} {_money(day['spend'])} 的花费、{day['conversions']:g} 个转化、"
                f"{_money(day['revenue'])} 的收入；模拟数据）"
            )
        return s
    s = f"status of {c['target']} from {c['from']} to {c['to']}"
    if day:
        verb = "stops" if c["to"] == "paused" else "brings back"
        s += (
            f" (at its bid and budget this {verb} about {_money(day['spend'])} of spend, {day['conversions']:g} "
            f"conversions and {_money(day['revenue'])} of revenue a day; simulated)"
        )
    return s


def warning_text(w: dict[str, Any], zh: bool) -> str:
    kind = w.get("kind")
    if kind == "large_change":
        pct = w.get("pct", 0)
        return (
            f"⚠ 注意：这是 {pct:+g}% 的变动（超过 50%），请确认无误再批准。"
            if zh
            else f"WARNING: this is a {pct:+g}% change (more than 50%); check it before you approve."
        )
    if kind == "above_click_value":
        return (
            f"⚠ 注意：出价高于该活动每次点击的价值（{_money(w.get('value_per_click'))}），每次点击都会亏钱。"
            if zh
            else f"WARNING: the bid is above what a click is worth to this campaign ({_money(w.get('value_per_click'))}), "
            "so every click loses money."
        )
    if kind == "no_change":
        value = _money(w.get("value"))
        return (
            f"（已经是 {value}，批准后也不会有变化）"
            if zh
            else f"(it is already {value}: approving it changes nothing)"
        )
    if kind == "unchanged":
        named = [(c["campaign_id"], c["name"]) for c in w.get("campaigns", [])]
        ids = (
            "、".join(f"活动 {i}（{n}）" for i, n in named)
            if zh
            else ", ".join(f"campaign {i} ({n})" for i, n in named)
        )
        value = _money(w.get("value"))
        return f"（{ids}已经是 {value}，不作修改。）" if zh else f"({ids} already at {value}: left as it is.)"
    if kind == "outside_sold_prices":
        return (
            f"⚠ 注意：该价格超出了它卖过的价格范围（{_money(w.get('low'))} 至 {_money(w.get('high'))}）。"
            if zh
            else f"WARNING: the price is outside the prices it has sold at ({_money(w.get('low'))} to {_money(w.get('high'))})."
        )
    return ""


def describe_pending(changes: list[dict[str, Any]], zh: bool, stated: list[str | None]) -> str:
    items = [describe_change(c, zh, s) for c, s in zip(changes, stated, strict=False)]
    ids = [c.get("pending_id") for c in changes]
    if len(items) > 1:  # several changes, each approved on its own
        tag = [f"#{i} " if i is not None else "" for i in ids]
        if zh:
            listed = "\n".join(f"{n}. {t}{x}" for n, (t, x) in enumerate(zip(tag, items, strict=True), 1))
            return (
                f"等待您的批准后再修改以下 {len(items)} 项（每一项分别批准）：\n{listed}\n"
                "回复“好的”批准以上全部，或“取消”全部放弃。"
            )
        listed = "\n".join(f"{n}. {t}{_the(x)}" for n, (t, x) in enumerate(zip(tag, items, strict=True), 1))
        return (
            f"Waiting for your approval of these {len(items)} changes (each is approved on its own):\n{listed}\n"
            'Reply "yes" to approve all of them or "no" to cancel them.'
        )
    if zh:
        return "等待您的批准后再修改：" + "；".join(items).rstrip("。") + "。回复“好的”批准，或“取消”放弃。"
    said = "; ".join(items).rstrip(".")
    head = "to " if _ACTS.match(said) else "to change " if said.startswith("customer ") else "to change the "
    return f'Waiting for your approval {head}{said}. Reply "yes" to approve or "no" to cancel.'


_ACTS = re.compile(r"(?:create|export|delete|refresh|add|remove|save|replace)\b")


def _the(item: str) -> str:
    """A change in a list: "the price of …", but "create the audience …" and "customer 12's consent …" as they are."""
    return item if _ACTS.match(item) or item.startswith("customer ") else f"the {item}"


def approval_kept(zh: bool) -> str:
    """The answer to "no need to ask me for approval": every change still waits for it."""
    return (
        "（每一项修改都要等您批准后才生效，这一步不能跳过。）"
        if zh
        else "(Every change waits for your approval before it is made; that step can't be skipped.)"
    )


def after_approval(parts: list[str], zh: bool) -> str:
    """The parts of a request that wait for the answer to a change (they may read what it changes)."""
    quoted = "; ".join(f"“{p.strip()}”" if zh else f'"{p.strip()}"' for p in parts)
    if zh:
        return f"您回复后我接着处理：{quoted}（放在修改之后，结果会反映您的决定）。"
    return f"Once you have answered, I'll go on with {quoted} (after the change, so it reflects your decision)."


def _who(by: dict[str, Any] | None) -> str:
    return f"{by.get('user')} ({by.get('channel')})" if by else ""


def settlement_text(change: dict[str, Any], outcome: str, fresh: dict[str, Any] | None, zh: bool) -> str:
    """What settling one pending change did (`change`: the row as structured data, see store/pending.py)."""
    what = describe_change(change.get("preview") or {}, zh, None)
    head = f"#{change['id']}"
    by = _who(change.get("settled_by"))
    if outcome == "approved":
        return f"已批准修改 {head}（{by}）：{what}。" if zh else f"Approved change {head} ({by}): the {what}."
    if outcome == "rejected":
        return (
            f"已拒绝修改 {head}（{by}）：{what}。未做任何更改。"
            if zh
            else f"Rejected change {head} ({by}): nothing changed."
        )
    if outcome == "error":
        if zh:
            return f"修改 {head} 已批准，但写入失败：{change.get('error')}。未做任何更改。"
        return f"Change {head} was approved, but the write failed: {change.get('error')}. Nothing changed."
    # stale: the target moved since the preview
    if zh:
        s = f"修改 {head} 没有执行：预览之后目标已被改动（{change.get('reason')}）。未做任何更改。"
        if fresh is not None:
            s += f"\n新的预览 #{fresh['id']}：{describe_change(fresh.get('preview') or {}, zh, None)}。请重新批准或拒绝。"
        return s
    s = f"Change {head} was not made: its target moved since the preview ({change.get('reason')}). Nothing changed."
    if fresh is not None:
        s += (
            f"\nFresh preview #{fresh['id']}: the {describe_change(fresh.get('preview') or {}, zh, None)}. "
            "Approve or reject it again."
        )
    return s


def applied_despite(changes: list[dict[str, Any]], error: str, zh: bool) -> str:
    """The changes were written, then the model failed: the marketer is told what stands."""
    what = ("；" if zh else "; the ").join(describe_change(c, zh, None) for c in changes)
    if zh:
        return (
            f"已执行：{what}。之后模型调用失败（{error}），所以回答到此为止；修改已生效（`copilot decisions` 可查看）。"
        )
    return (
        f"Applied: the {what}. The model failed after the change was written ({error}), so this answer ends "
        "here; the change stands (`copilot decisions` shows it)."
    )
