"""How the offline model words an answer: one formatter per tool, quoting the tool's own figures
(rounded as the tool rounded them), in English or Chinese."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

Fmt = Callable[[dict[str, Any], bool], str]


def _money(v: float | None) -> str:
    return "n/a" if v is None else f"£{v:,.2f}"


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


def lapsing_customers(r: dict[str, Any], zh: bool) -> str:
    lines = "\n".join(
        f"- {c['customer_id']}: {c['days_since_last_order']} "
        + ("天未下单, " if zh else "days since last order, ")
        + f"{c['orders']} "
        + ("单, " if zh else "orders, ")
        + _money(c["revenue"])
        for c in r["customers"]
    )
    if zh:
        return f"共有 {r['at_risk_total']:,} 位高价值客户有流失风险（以前常买、最近没买）。按消费排序：\n{lines}"
    return (
        f"{r['at_risk_total']:,} valuable customers are about to lapse ({r['rule']}). Highest spenders first:\n{lines}"
    )


def customer_lifetime_value(r: dict[str, Any], zh: bool) -> str:
    lines = "\n".join(
        f"- {c['customer_id']}: {_money(c['clv_52w'])}, "
        + (
            f"预计购买 {c['expected_purchases_52w']} 次, 活跃概率 {c['p_alive']}"
            if zh
            else f"{c['expected_purchases_52w']} expected purchases, P(alive) {c['p_alive']}"
        )
        for c in r["customers"]
    )
    if zh:
        return f"未来一年价值最高的客户（BG/NBD × Gamma-Gamma，全部客户合计 {_money(r['total_clv_52w'])}）：\n{lines}"
    return (
        f"Most valuable customers over the next 52 weeks ({r['model']}; all customers together "
        f"{_money(r['total_clv_52w'])}):\n{lines}"
    )


def customer_profile(r: dict[str, Any], zh: bool) -> str:
    tops = ", ".join(p["description"] for p in r["top_products"])
    if zh:
        return (
            f"客户 {r['customer_id']}（{r['country']}）：{r['orders']} 单，消费 {_money(r['revenue'])}，"
            f"{r['days_since_last_order']} 天前最后下单，分群 {_seg(r['segment'], zh)}（RFM {r['rfm']}）。常买：{tops}。"
        )
    return (
        f"Customer {r['customer_id']} ({r['country']}): {r['orders']} orders, {_money(r['revenue'])} revenue, "
        f"last order {r['days_since_last_order']} days ago ({r['last_order']}), segment "
        f"{_seg(r['segment'], zh)} (RFM {r['rfm']}). Buys most: {tops}."
    )


def similar_products(r: dict[str, Any], zh: bool) -> str:
    items = "\n".join(f"- {p['product_id']}: {p['description']} ({p['similarity']})" for p in r["similar"])
    what = f"{r['product_id']} ({r['description']})" if "product_id" in r else f'"{r["query"]}"'
    return f"与 {what} 相似的商品（相似度）：\n{items}" if zh else f"Products similar to {what} (similarity):\n{items}"


def recommend_products(r: dict[str, Any], zh: bool) -> str:
    items = "\n".join(f"- {p['product_id']}: {p['description']} (score {p['score']})" for p in r["recommendations"])
    if zh:
        return f"给客户 {r['customer_id']} 的推荐（共同购买与热门商品召回，再由本店数据训练的模型排序）：\n{items}"
    return f"For customer {r['customer_id']} ({r['method']}):\n{items}"


def selling_points(r: dict[str, Any], zh: bool) -> str:
    pts = "\n".join(f"- {p}" for p in r["selling_points"])
    return f"商品 {r['product_id']} 的卖点：\n{pts}" if zh else f"Selling points of product {r['product_id']}:\n{pts}"


def compose_headlines(r: dict[str, Any], zh: bool) -> str:
    items = "\n".join(
        f"{i}. {h['text']}" + ("" if h["compliant"] else f"  [flagged: {', '.join(h['flags'])}]")
        for i, h in enumerate(r["headlines"], 1)
    )
    if zh:
        return f"商品 {r['product_id']} 的标题（离线模型根据真实商品数据生成，已做合规检查）：\n{items}"
    return (
        f"Headlines for product {r['product_id']} ({r['audience']}), composed offline from the product's "
        f"real catalog and sales facts and compliance-checked:\n{items}"
    )


def check_compliance(r: dict[str, Any], zh: bool) -> str:
    if r["compliant"]:
        return "没有发现违规用语。" if zh else "No flagged terms: the copy passes the compliance check."
    found = ", ".join(f'"{f["term"]}" ({f["rule"]})' for f in r["findings"])
    return (
        f"发现 {len(r['findings'])} 处违规用语：{found}。请删除或改写。"
        if zh
        else f"{len(r['findings'])} flagged terms: {found}. Remove or rephrase them."
    )


def price_elasticity(r: dict[str, Any], zh: bool) -> str:
    ci = f"[{r['ci_low']}, {r['ci_high']}]"
    if zh:
        s = (
            f"商品 {r['product_id']}（{r['description']}）的价格弹性为 {r['elasticity']}（标准误 {r['std_error']}，"
            f"95% 区间 {ci}，{r['n_obs']} 个观测，{r['n_prices']} 个价格）。"
        )
        return s + ("" if r["credible"] else f" 注意：估计不可靠：{r['caveat']}。")
    s = (
        f"Price elasticity of product {r['product_id']} ({r['description']}): {r['elasticity']} "
        f"(standard error {r['std_error']}, 95% interval {ci}, {r['n_obs']} observations at {r['n_prices']} prices)."
    )
    return s + ("" if r["credible"] else f" Not credible enough to price on: {r['caveat']}.")


def optimal_price(r: dict[str, Any], zh: bool) -> str:
    if r["recommended_price"] is None:
        return (
            f"商品 {r['product_id']} 不给出定价建议：{r['refused']}（弹性 {r['elasticity']}）。"
            if zh
            else f"I won't recommend a price for product {r['product_id']}: {r['refused']}."
        )
    lo, hi = r["price_range_95"]
    if zh:
        return (
            f"商品 {r['product_id']} 在单位成本 {_money(r['unit_cost'])} 下的利润最大化价格为 "
            f"{_money(r['recommended_price'])}（弹性 {r['elasticity']}，区间 {_money(lo)} 至 {_money(hi)}），"
            f"当前价格 {_money(r['current_price'])}。"
        )
    return (
        f"Profit-maximising price for product {r['product_id']} at a unit cost of {_money(r['unit_cost'])}: "
        f"{_money(r['recommended_price'])} (elasticity {r['elasticity']}; 95% range {_money(lo)} to "
        f"{_money(hi)}); it sells at {_money(r['current_price'])} today."
    )


def discount_effect(r: dict[str, Any], zh: bool) -> str:
    caveat = (
        ""
        if r["elasticity_credible"]
        else (" (弹性估计不可靠)" if zh else " (the elasticity estimate is not credible)")
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
            f"商品 {r['product_id']} {'打 ' + str(r['discount_pct']) + '% 折扣' if r['discount_pct'] > 0 else '涨价 ' + str(-r['discount_pct']) + '%'}：价格 {_money(r['price'])} → {_money(r['new_price'])}，"
            f"每周销量 {r['quantity']} → {r['new_quantity']}（{r['quantity_change_pct']}%），收入 "
            f"{_money(r['revenue'])} → {_money(r['new_revenue'])}{profit}；弹性 {r['elasticity']}{caveat}。"
        )
    change = f"A {r['discount_pct']}% discount" if r["discount_pct"] > 0 else f"A {-r['discount_pct']}% price rise"
    return (
        f"{change} on product {r['product_id']}: price {_money(r['price'])} -> "
        f"{_money(r['new_price'])}, weekly units {r['quantity']} -> {r['new_quantity']} "
        f"({r['quantity_change_pct']}%), revenue {_money(r['revenue'])} -> {_money(r['new_revenue'])}{profit}; "
        f"elasticity {r['elasticity']}{caveat}."
    )


def impression_bid(r: dict[str, Any], zh: bool) -> str:
    if zh:
        return (
            f"点击率 {r['pctr']}、每次点击价值 {_money(r['value_per_click'])} 时，出价 {r['bid_cpm']}（每千次展示）。"
        )
    return (
        f"Bid {r['bid_cpm']} per 1,000 impressions ({r['bid_per_impression']} each) for a pCTR of {r['pctr']} "
        f"and {_money(r['value_per_click'])} per click ({r['rule']})."
    )


def campaign_pacing(r: dict[str, Any], zh: bool) -> str:
    if zh:
        return (
            f"活动 {r['campaign_id']}（{r['name']}）今日已花费 {_money(r['spent'])} / 预算 {_money(r['daily_budget'])}，"
            f"应花 {_money(r['expected_spend'])}，状态 {r['status']}，预计全天 {_money(r['projected_spend'])}；"
            f"建议出价 {_money(r['suggested_bid'])}（当前 {_money(r['bid'])}）。数据来源：{r['data_source']}。"
        )
    return (
        f"Campaign {r['campaign_id']} ({r['name']}) has spent {_money(r['spent'])} of its {_money(r['daily_budget'])} "
        f"daily budget after {r['hours_reported']} hours (even pace: {_money(r['expected_spend'])}): "
        f"{r['status'].replace('_', ' ')}, heading for {_money(r['projected_spend'])}. Suggested bid "
        f"{_money(r['suggested_bid'])} (now {_money(r['bid'])}). Delivery data: {r['data_source']}."
    )


def replay_bidding(r: dict[str, Any], zh: bool) -> str:
    if zh:
        return (
            f"{r['strategy']} 策略在 iPinYou 2997 日志上：{r['clicks']} 次点击，{r['impressions']:,} 次展示，"
            f"花费 {r['cost']:,}，胜率 {r['win_rate']}，CPM {r['cpm']}，eCPC {r['ecpc']}。"
        )
    return (
        f"Replaying {r['strategy']} over the {r['log']} ({r['auctions']:,} auctions, budget {r['budget']:,} "
        f"per {r['episode_auctions']:,}): {r['clicks']} clicks, {r['impressions']:,} impressions, cost "
        f"{r['cost']:,}, win rate {r['win_rate']}, CPM {r['cpm']}, eCPC {r['ecpc']}."
    )


def _set_field(r: dict[str, Any], zh: bool) -> str:
    label = {"bid": ("出价", "bid"), "daily_budget": ("日预算", "daily budget"), "price": ("价格", "price")}[r["field"]]
    if zh:
        what = f"活动 {r['campaign_id']}" if "campaign_id" in r else f"商品 {r['product_id']}"
        return f"已更新：{what} 的{label[0]}从 {_money(r['from'])} 改为 {_money(r['to'])}。"
    return f"Done: {r['target']} {label[1]} changed from {_money(r['from'])} to {_money(r['to'])}."


def _verdict(significant: bool, zh: bool) -> str:
    return ("显著" if significant else "不显著") if zh else ("significant" if significant else "not significant")


def ab_test(r: dict[str, Any], zh: bool) -> str:
    verdict = _verdict(r["significant"], zh)
    if zh:
        return (
            f"A 转化率 {r['rate_a_pct']}%，B {r['rate_b_pct']}%（相对提升 {r['relative_lift_pct']}%）；"
            f"z = {r['z']}，p = {r['p_value']}，在 5% 水平{verdict}；B 优于 A 的概率 {r['prob_b_beats_a_pct']}%。"
        )
    return (
        f"A converts at {r['rate_a_pct']}%, B at {r['rate_b_pct']}% (relative lift {r['relative_lift_pct']}%); "
        f"z = {r['z']}, p = {r['p_value']}: {verdict} at the 5% level. Probability that B beats A: "
        f"{r['prob_b_beats_a_pct']}%."
    )


def budget_split(r: dict[str, Any], zh: bool) -> str:
    items = "\n".join(f"- {s['channel']}: {_money(s['spend'])} -> {_money(s['expected_revenue'])}" for s in r["split"])
    if zh:
        return (
            f"{_money(r['total'])} 的渠道分配（预计收入）：\n{items}\n合计预计收入 {_money(r['expected_revenue'])}，"
            f"平均分配为 {_money(r['even_split_revenue'])}。假设：{r['assumption']}。"
        )
    return (
        f"Split of {_money(r['total'])} (spend -> expected revenue):\n{items}\nExpected revenue "
        f"{_money(r['expected_revenue'])} vs {_money(r['even_split_revenue'])} for an even split. "
        f"Assumption: {r['assumption']}."
    )


def sales_seasonality(r: dict[str, Any], zh: bool) -> str:
    months = ", ".join(f"{m['month']} {m['index']}" for m in r["by_month"])
    days = ", ".join(f"{d['weekday']} {d['index']}" for d in r["by_weekday"])
    if zh:
        return f"销售季节性（日均收入指数，1.0 为平均）：按月 {months}；按星期 {days}。高峰月 {r['peak_month']}，高峰日 {r['peak_weekday']}。"
    return (
        f"Seasonality ({r['measure']}, {r['from']} to {r['to']}): by month {months}; by weekday {days}. "
        f"Peak month {r['peak_month']}, peak weekday {r['peak_weekday']}."
    )


def email_targeting(r: dict[str, Any], zh: bool) -> str:
    t, e = r["targeted_profile"], r["everyone_profile"]
    pct, got = r["share_mailed_pct"], r["share_of_uplift_captured_pct"]
    if zh:
        return (
            f"按提升模型挑选前 {pct}% 的客户发邮件，可获得全部发送效果的 {got}%"
            f"（Qini {r['qini']}）。入选者新客占 {t['newbie_pct']}%（全体 {e['newbie_pct']}%），"
            f"平均历史消费 {t['avg_history']}（全体 {e['avg_history']}）。数据：{r['data']}。"
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
            f"标准误 {r['std_error']}，95% 区间 [{lo}, {hi}]），{verdict}。数据：{r['data']}。"
        )
    return (
        f"Difference in differences: switching paid search off changed revenue by {r['effect_pct']}% "
        f"(log revenue {r['effect_log_revenue']}, se {r['std_error']}, 95% interval [{lo}, {hi}]): {verdict}. "
        f"Data: {r['data']}."
    )


def campaign_plan(r: dict[str, Any], zh: bool) -> str:
    aud = ", ".join(f"{_seg(a['segment'], zh)} ({a['customers']:,})" for a in r["audiences"])
    split = ""
    if r["channel_split"]:
        split = "; ".join(f"{s['channel']} {_money(s['spend'])}" for s in r["channel_split"] if s["spend"] > 0)
    if zh:
        s = f"{r['occasion']} 方案：时机——销售高峰在 {r['timing']['peak_month']}，每周以 {r['timing']['peak_weekday']} 最旺；目标人群：{aud}。"
        return s + (
            f"{_money(r['total_budget'])} 预算分配：{split}（预计收入 {_money(r['expected_revenue'])}）。"
            if split
            else "告诉我总预算即可给出渠道分配。"
        )
    s = (
        f"Plan for {r['occasion']}: timing - sales peak in {r['timing']['peak_month']}, and "
        f"{r['timing']['peak_weekday']} is the strongest weekday; audiences - {aud}."
    )
    if split:
        return s + (
            f" Channel split of {_money(r['total_budget'])}: {split} "
            f"(expected revenue {_money(r['expected_revenue'])}; {r['assumption']})."
        )
    return s + " Give me a total budget and I will split it across channels."


FORMATTERS: dict[str, Fmt] = {
    f.__name__: f
    for f in (
        rfm_segments,
        customer_lifetime_value,
        lapsing_customers,
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
        sales_seasonality,
        campaign_plan,
        email_targeting,
        campaign_effect,
    )
}
FORMATTERS["set_campaign_bid"] = _set_field
FORMATTERS["set_campaign_budget"] = _set_field
FORMATTERS["set_product_price"] = _set_field


def format_result(tool: str, result: dict[str, Any], zh: bool) -> str:
    fmt = FORMATTERS.get(tool)
    return fmt(result, zh) if fmt else str(result)
