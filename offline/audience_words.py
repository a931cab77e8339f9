"""How the offline model words the audience tools' results (tools/audiences.py), in English or
Chinese, and their changes waiting for approval. Figures come only from the result."""

from __future__ import annotations

from typing import Any

AUDIENCE_TOOLS = (
    "audience_create",
    "audience_list",
    "audience_info",
    "audience_overlap",
    "audience_lookalike",
    "audience_refresh",
    "audience_delete",
    "audience_export",
    "set_consent",
)
_KIND = {"rules": ("rules", "规则"), "list": ("uploaded list", "上传名单"), "lookalike": ("look-alike", "相似人群")}
_SOURCE = (
    "Figures from the shop's own orders (RFM, the BG/NBD x Gamma-Gamma lifetime value is a prediction).",
    "数据来自本店订单（RFM；生命周期价值为 BG/NBD x Gamma-Gamma 模型的预测）。",
)


_PLATFORM_ZH = {
    "google": "谷歌广告客户匹配（Customer Match）",
    "meta": "Meta 自定义受众",
    "csv": "普通 CSV（未哈希的客户编号）",
}


def _n(count: int, word: str) -> str:
    """`1 customer`, `2 customers`."""
    return f"{count:,} {word}" + ("" if count == 1 else "s")


def _platform(r: dict[str, Any], zh: bool) -> str:
    return _PLATFORM_ZH.get(str(r.get("format")), str(r.get("platform"))) if zh else str(r.get("platform"))


def _money(v: float | None) -> str:
    return "n/a" if v is None else f"£{v:,.2f}"


def _seg(name: str, zh: bool) -> str:
    from offline.wording import _seg as seg

    return seg(name, zh)


def _country(name: str, zh: bool) -> str:
    from offline.wording import _country as country

    return country(name, zh)


def _kind(kind: str, zh: bool) -> str:
    return _KIND.get(kind, (kind, kind))[1 if zh else 0]


def definition_text(d: dict[str, Any], zh: bool) -> str:
    """An audience's definition as a phrase."""
    if "seed" in d:
        return (
            f"与“{d['seed']}”相似的 {d.get('size', '')} 位客户"
            if zh
            else f"the {d.get('size', '')} customers most like {d['seed']}"
        )
    if "uploaded" in d:
        return f"上传的 {d['uploaded']:,} 位客户" if zh else f"an uploaded list of {d['uploaded']:,} customers"
    parts: list[str] = []
    if "segment" in d:
        parts.append(f"{_seg(d['segment'], zh)}分群" if zh else f"in the {_seg(d['segment'], zh)} segment")
    if "lapsing" in d:
        parts.append(
            ("有流失风险" if d["lapsing"] else "无流失风险")
            if zh
            else ("about to lapse" if d["lapsing"] else "not about to lapse")
        )
    if "min_clv" in d:
        parts.append(
            f"生命周期价值至少 {_money(d['min_clv'])}" if zh else f"lifetime value at least {_money(d['min_clv'])}"
        )
    if "max_clv" in d:
        parts.append(
            f"生命周期价值至多 {_money(d['max_clv'])}" if zh else f"lifetime value at most {_money(d['max_clv'])}"
        )
    if "countries" in d:
        where = ("、" if zh else ", ").join(_country(c, zh) for c in d["countries"])
        parts.append(f"位于{where}" if zh else f"in {where}")
    if "ordered_after" in d:
        parts.append(
            f"最后一单在 {d['ordered_after']} 或之后" if zh else f"last order on or after {d['ordered_after']}"
        )
    if "ordered_before" in d:
        parts.append(
            f"最后一单在 {d['ordered_before']} 或之前" if zh else f"last order on or before {d['ordered_before']}"
        )
    if "product_codes" in d:
        codes = ", ".join(d["product_codes"])
        parts.append(f"买过 {codes} 中任一商品" if zh else f"bought any of {codes}")
    if "min_uplift" in d:
        parts.append(f"邮件提升分至少 {d['min_uplift']}" if zh else f"e-mail uplift at least {d['min_uplift']}")
    return ("，".join(parts) if zh else ", ".join(parts)) or ("（无规则）" if zh else "(no rules)")


def _reach(r: dict[str, Any], zh: bool) -> str:
    if not r.get("opted_out"):
        return ""
    if zh:
        return f"（其中 {r['opted_out']:,} 位已退订，不会被导出或投放，可触达 {r['reachable']:,} 位）"
    return f" ({r['opted_out']:,} opted out, never exported or bid on; {r['reachable']:,} reachable)"


def _members(rows: list[dict[str, Any]], zh: bool) -> str:
    return "\n".join(
        f"- {m['customer_id']} ({_country(m['country'], zh)}, {_seg(m['segment'], zh)}): {m['orders']}"
        + ("单，" if zh else (" order, " if m["orders"] == 1 else " orders, "))
        + _money(m["revenue"])
        + ("，生命周期价值 " if zh else ", lifetime value ")
        + _money(m["clv_52w"])
        for m in rows
    )


def _new(r: dict[str, Any], zh: bool) -> str:
    d = definition_text(r["definition"], zh)
    if zh:
        return f"受众“{r['name']}”（{_kind(r['kind'], zh)}：{d}）共 {r['size']:,} 位客户{_reach(r, zh)}"
    return f"audience {r['name']} ({_kind(r['kind'], zh)}: {d}) of {_n(r['size'], 'customer')}{_reach(r, zh)}"


def audience_create(r: dict[str, Any], zh: bool) -> str:
    head = f"已保存{_new(r, zh)}。" if zh else f"Saved the {_new(r, zh)}."
    tail = _members(r.get("sample") or [], zh)
    more = ("消费最高的几位：\n" if zh else "Highest spenders:\n") + tail if tail else ""
    return "\n".join(x for x in (head, more, _SOURCE[1 if zh else 0]) if x)


def audience_list(r: dict[str, Any], zh: bool) -> str:
    if not r["audiences"]:
        return "还没有保存的受众。" if zh else "There are no saved audiences yet."
    lines = "\n".join(
        f"- {a['name']}（{_kind(a['kind'], zh)}）：{a['size']:,} 位，可触达 {a['reachable']:,} 位，更新于 {a['refreshed_at']}"
        if zh
        else f"- {a['name']} ({_kind(a['kind'], zh)}): {a['size']:,} customers, {a['reachable']:,} reachable, "
        f"refreshed {a['refreshed_at']}"
        for a in r["audiences"]
    )
    if zh:
        return f"共 {r['count']} 个受众（全店 {r['opted_out_customers']:,} 位客户已退订）：\n{lines}"
    return f"{r['count']} audiences ({r['opted_out_customers']:,} customers of the shop opted out):\n{lines}"


def audience_info(r: dict[str, Any], zh: bool) -> str:
    d = definition_text(r["definition"], zh)
    if zh:
        head = (
            f"受众“{r['name']}”（{_kind(r['kind'], zh)}：{d}）：{r['size']:,} 位客户{_reach(r, zh)}，"
            f"更新于 {r['refreshed_at']}。消费最高的几位：\n{_members(r['members'], zh)}"
        )
    else:
        head = (
            f"Audience {r['name']} ({_kind(r['kind'], zh)}: {d}): {r['size']:,} customers{_reach(r, zh)}, "
            f"refreshed {r['refreshed_at']}. Highest spenders:\n{_members(r['members'], zh)}"
        )
    return f"{head}\n{_SOURCE[1 if zh else 0]}"


def audience_overlap(r: dict[str, Any], zh: bool) -> str:
    if zh:
        return (
            f"“{r['first']}”（{r['first_size']:,} 位）与“{r['second']}”（{r['second_size']:,} 位）重叠 {r['overlap']:,} 位："
            f"占前者的 {r['first_in_second_pct']}%，占后者的 {r['second_in_first_pct']}%；合计去重 {r['union']:,} 位。"
        )
    return (
        f"{r['first']} ({r['first_size']:,}) and {r['second']} ({r['second_size']:,}) share {_n(r['overlap'], 'customer')}: "
        f"{r['first_in_second_pct']}% of {r['first']} is in {r['second']}, {r['second_in_first_pct']}% of {r['second']} "
        f"is in {r['first']}; {r['union']:,} customers in either."
    )


def _profiles(r: dict[str, Any], zh: bool) -> str:
    p = r.get("profiles") or {}
    names = {
        "seed": ("seed", "种子"),
        "lookalike": ("look-alike", "相似人群"),
        "everyone": ("all customers", "全部客户"),
    }
    rows = [
        f"{names[k][1 if zh else 0]}: "
        + (
            f"平均 {v['avg_orders']} 单、{_money(v['avg_revenue'])}、{v['avg_days_since_last_order']} 天未下单"
            if zh
            else f"{v['avg_orders']} orders, {_money(v['avg_revenue'])}, {v['avg_days_since_last_order']} days since "
            "the last order on average"
        )
        for k, v in p.items()
        if v.get("customers")
    ]
    return ("；" if zh else "; ").join(rows)


def audience_lookalike(r: dict[str, Any], zh: bool) -> str:
    if zh:
        return (
            f"已保存相似人群“{r['name']}”：与“{r['seed']}”最相似的 {r['size']:,} 位客户（按购买行为：最近一次购买、订单数、"
            f"消费额、客单价和商品组合；不含种子与已退订客户）。{_profiles(r, zh)}。"
        )
    return (
        f"Saved the look-alike audience {r['name']}: the {_n(r['size'], 'customer')} most like {r['seed']} by purchase "
        f"behaviour (recency, orders, revenue, order value, product mix; the seed and opted-out customers left out). "
        f"{_profiles(r, zh)}."
    )


def audience_refresh(r: dict[str, Any], zh: bool) -> str:
    if zh:
        return (
            f"已按截至 {r['as_of']} 的数据更新受众“{r['name']}”：{r['from']:,} -> {r['to']:,} 位客户"
            f"（新增 {r['added']:,}，移出 {r['removed']:,}）。"
        )
    return (
        f"Refreshed audience {r['name']} on the shop's data as of {r['as_of']}: {r['from']:,} -> {r['to']:,} customers "
        f"({r['added']:,} added, {r['removed']:,} removed)."
    )


def audience_delete(r: dict[str, Any], zh: bool) -> str:
    if zh:
        return f"已删除受众“{r['name']}”（{r['size']:,} 位客户）。"
    return f"Deleted audience {r['name']} ({_n(r['size'], 'customer')})."


def audience_export(r: dict[str, Any], zh: bool) -> str:
    left = r.get("left_out_opted_out", 0)
    hashed = r["format"] != "csv"
    if zh:
        how = "客户编号经规范化并加本店盐值后做 SHA-256 哈希" if hashed else "未哈希的客户编号及其数据"
        out = f"（已退订的 {left:,} 位未导出）" if left else ""
        return f"已把受众“{r['name']}”导出为{_platform(r, zh)}文件：{r['rows']:,} 行，{how}{out}。\n文件：{r['path']}"
    how = (
        "customer ids normalised and SHA-256 hashed with the shop's salt"
        if hashed
        else "plain customer ids and figures"
    )
    out = f"; {_n(left, 'opted-out customer')} left out" if left else ""
    return f"Exported audience {r['name']} as a {r['platform']} file: {_n(r['rows'], 'row')}, {how}{out}.\nfile: {r['path']}"


def set_consent(r: dict[str, Any], zh: bool) -> str:
    n = len(r.get("audiences") or [])
    if zh:
        state = "已退订营销，不会出现在任何导出或投放受众中" if r["to"] else "已恢复营销许可，可再次被导出和投放"
        return f"已记录：客户 {r['customer_id']} {state}（属于 {n} 个受众）。"
    state = (
        "opted out of marketing: left out of every export and bidding audience"
        if r["to"]
        else ("opted back in to marketing: may be exported and bid on again")
    )
    return f"Recorded: customer {r['customer_id']} {state} (a member of {_n(n, 'audience')})."


FORMATTERS = {
    f.__name__: f
    for f in (
        audience_create,
        audience_list,
        audience_info,
        audience_overlap,
        audience_lookalike,
        audience_refresh,
        audience_delete,
        audience_export,
        set_consent,
    )
}


def is_audience_change(c: dict[str, Any]) -> bool:
    return "audience_id" in c or c.get("field") == "opted_out"


def describe(c: dict[str, Any], zh: bool) -> str:
    """A change of the audience tools waiting for approval, as the preview shows it."""
    if c.get("field") == "opted_out":
        n = len(c.get("audiences") or [])
        if zh:
            return f"客户 {c['customer_id']} 的营销许可：{'退订' if c['to'] else '恢复'}（属于 {n} 个受众）"
        return f"customer {c['customer_id']}'s consent: {'opted out' if c['to'] else 'opted back in'} (a member of {_n(n, 'audience')})"
    if "format" in c:  # an export
        left = c.get("left_out_opted_out", 0)
        if zh:
            return (
                f"导出受众“{c['name']}”为{_platform(c, zh)}文件：{c['rows']:,} 行（已退订的 {left:,} 位不导出），写入 "
                f"{c['path']}" + ("（覆盖已有文件）" if c.get("replaces_file") else "")
            )
        return (
            f"export audience {c['name']} as a {c['platform']} file: {_n(c['rows'], 'row')} ({left:,} opted out left "
            f"out), written to {c['path']}" + (" (replacing the file there)" if c.get("replaces_file") else "")
        )
    if c.get("from") is None:  # a new audience
        return ("新建" if zh else "create the ") + _new(c, zh)
    if c.get("to") is None:  # a deletion
        seeds = [w for w in c.get("warnings", []) if w.get("kind") == "seed_of"]
        also = ""
        if seeds:
            names = ", ".join(seeds[0]["lookalikes"])
            also = (
                f"（它是相似人群 {names} 的种子，这些人群将无法再更新）"
                if zh
                else f" (the seed of {names}, which can no longer be refreshed)"
            )
        return (
            f"删除受众“{c['name']}”（{c['size']:,} 位客户）"
            if zh
            else f"delete audience {c['name']} ({_n(c['size'], 'customer')})"
        ) + also
    if zh:
        return (
            f"更新受众“{c['name']}”：{c['from']:,} -> {c['to']:,} 位客户（新增 {c['added']:,}，移出 {c['removed']:,}）"
        )
    return f"refresh audience {c['name']}: {c['from']:,} -> {c['to']:,} customers ({c['added']:,} added, {c['removed']:,} removed)"


__all__ = ["AUDIENCE_TOOLS", "FORMATTERS", "definition_text", "describe", "is_audience_change"]
