"""The default chat model: offline and deterministic, a real LangChain BaseChatModel.

Bound to the supervisor's hand-off tools it routes each part of the request to its specialist;
bound to a specialist's tools it plans one call (offline/planner.py) or asks for what is missing;
given tool results it words the answer from them (offline/wording.py). It never makes a number up,
and it remembers what it did on its own answers (`additional_kwargs["offline"]`): the tool, the
arguments, what it still needed and the result, which is what follow-ups resolve against.
"""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Callable, Sequence
from datetime import date
from typing import Any

from langchain_core.callbacks import CallbackManagerForLLMRun
from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, BaseMessage, HumanMessage, ToolMessage
from langchain_core.outputs import ChatGeneration, ChatResult
from langchain_core.utils.function_calling import convert_to_openai_tool

from offline import audiences, wording
from offline.extract import extract, is_chinese
from offline.planner import (
    CAMPAIGN_FIGURES,
    WRITE_VALUE,
    WRITES,
    Context,
    Plan,
    browses,
    carried_out,
    catalog_phrase,
    compared_already,
    complete_write,
    each_country,
    listing_of,
    pending_reply,
    plan,
    points_at_one,
    props_of,
    split_parts,
    until_said,
)
from offline.terms import reliability_asked, terms_asked
from tools import TOOLS
from vectorstore.glossary import glossary

HANDOFF_PREFIX = "transfer_to_"
_NAMED_CAMPAIGN = re.compile(  # "the jumbo bag campaign", 大促那个计划: a campaign named by words of its own
    r"\bthe\s(?P<en>(?:(?!\bthe\b)[\w' -]){2,30}?)\s(?:campaign|one)\b|(?P<zh>[\u4e00-\u9fff]{2,6}?)(?:那个|那条|这个)(?:活动|计划)",
    re.I,
)
_KEEP_OTHERS = re.compile(  # the rest of a change just proposed kept: "其他两个照旧", "the other two as planned"
    r"其(?:他|余|它).{0,4}(?:照旧|不变|继续|保留|照常|按原|照样|还是|都要|要改)"
    r"|\bthe (?:other|rest)\b.{0,25}\b(?:as (?:planned|is|before|proposed)|stays?|go ahead|fine|ok|keep)\b"
    r"|\b(?:rest|others) (?:as (?:is|planned|proposed)|go ahead|stay)\b|\bjust the other (?:two|ones?)\b",
    re.I,
)
_LEAVE_ONE = re.compile(
    r"\b(?:drop|remove|skip|exclude|take out|leave out|leave|keep)\b|去掉|拿掉|除掉|删掉|不要|别", re.I
)
_LEAVE_ALONE = re.compile(  # one campaign of a change just proposed left as it is: "展示那个不要动", "not the display one"
    r"(?:不要|别|不用|先别|先不)(?:动|改|调|碰|加|提|涨|降)|不动|保持不变|除了|"
    r"\bleave\b.{0,30}\b(?:alone|as (?:it )?is|out)\b|\b(?:don'?t|do not|no need to) (?:touch|change|raise|lower|move)\b"
    r"|^\s*(?:but\s+)?not (?:the|campaign|#)|\bexcept\b|^\s*(?:skip|drop|exclude)\b",
    re.I,
)
_BULK_FIELD = {"set_campaign_bids": "bids", "set_campaign_budgets": "budgets"}
_SEVERAL = re.compile(  # several campaigns, not one named ("hope all is well" is not "all")
    r"\bcampaigns\b|\b(?:all|every|each)\s(?:of\s)?(?:the\s|our\s)?(?:campaigns?|ads|ones?|of them|channels?)\b"
    r"|所有|全部|各个?|每个",
    re.I,
)
_ALL_OF = re.compile(r"\b(?:all|every|each|whole range of|the whole)\b|所有|全部|都|整个|全系列", re.I)
MAX_PRICED_TOGETHER = 30  # products one message may reprice at once (each its own approval)
PART = "part"  # name of the message that carries one part of a multi-part request to a specialist


def _text(m: BaseMessage) -> str:
    c = m.content
    return c if isinstance(c, str) else " ".join(p.get("text", "") for p in c if isinstance(p, dict))


def _listed_campaigns(text: str) -> list[int]:
    """The campaigns a request lists together: "campaigns 2 and 3", 2号和3号活动 (not a campaign in
    another clause: "pause campaign 2 and raise campaign 3's bid" pauses 2 only)."""
    refs = [r for r in extract(text).refs if r.kind == "campaign"]
    listed = [r.value for r in refs[1:] if _LIST_JOIN.search(r.raw)]
    return list(dict.fromkeys([refs[0].value, *listed])) if listed else []


_LIST_JOIN = re.compile(r"\band\b|&|,|\bor\b|和|、|及|与|跟", re.I)


def _new_id() -> str:
    return "call_" + uuid.uuid4().hex[:12]


def _trim(result: Any) -> Any:
    """What a follow-up may need of a result: its top-level numbers, ids and words and its period's
    dates (the last list shown is kept apart, as ids); the rest stays in the decision log, out of every checkpoint."""
    if not isinstance(result, dict):
        return None
    kept: dict[str, Any] = {k: v for k, v in result.items() if isinstance(v, str | int | float | bool) or v is None}
    for k in ("period", "previous_period"):  # "and the quarter before that?": the span compared with
        if isinstance(result.get(k), dict):
            kept[k] = {f: result[k].get(f) for f in ("start", "end")}
    rows = result.get("campaigns")
    if isinstance(rows, list) and all(isinstance(r, dict) and "campaign_id" in r for r in rows):
        kept["campaign_figures"] = {  # "pause the worst one": each campaign's figures, to say which is worst
            str(r["campaign_id"]): {m: r[m] for m in CAMPAIGN_FIGURES if isinstance(r.get(m), int | float)}
            for r in rows
        }
    return kept


def context_of(messages: Sequence[BaseMessage]) -> Context:
    """What the latest answer that remembers anything remembers (an empty context if none)."""
    for m in reversed(messages):
        if isinstance(m, AIMessage) and not m.tool_calls:
            memo = m.additional_kwargs.get("offline")
            if isinstance(memo, dict) and memo.get("tool"):
                listing = memo.get("listing")
                return Context(
                    tool=memo["tool"],
                    args=dict(memo.get("args") or {}),
                    missing=list(memo.get("missing") or []),
                    result=memo.get("result"),
                    listing=(listing[0], list(listing[1])) if listing else None,
                    asked=frozenset(memo.get("asked") or ()),
                    said=memo.get("said"),
                )
    return Context()


_CAMPAIGN_SAID = re.compile(r"\bcampaigns?\b|活动|计划", re.I)
_CAMPAIGN_ACT = re.compile(r"\b(?:pause|resume|bids?|budgets?)\b|暂停|恢复|开启|出价|预算", re.I)
_PRODUCT_SAID = re.compile(r"\b(?:products?|items?|skus?|stock ?codes?)\b|产品|商品|单品|货号|款", re.I)


_PLATFORM_SAID = re.compile(
    r"\b(?:tiktok|tik tok|facebook|instagram|pinterest|youtube|snapchat|linkedin|twitter|bing|amazon)\b"
    r"|抖音|快手|微博|小红书|淘宝|京东",
    re.I,
)
# Reads of what has happened, which a change proposed beside them cannot alter: answered at once
# rather than after the change is settled (pacing, prices and audiences are read after it).
_PAST_READS = frozenset(
    {
        "campaign_metrics",
        "compare_campaigns",
        "campaign_effect",
        "channel_attribution",
        "sales_report",
        "top_products",
        "sales_seasonality",
        "rfm_segments",
        "lapsing_customers",
        "customer_lifetime_value",
        "traffic_conversion",
        "session_funnel",
        "similar_products",
        "selling_points",
    }
)


_BUYERS_OF = re.compile(  # who bought a product: "买过 REGENCY CAKESTAND 3 TIER 的客户有哪些", "which customers bought …"
    r"(?:买过|购买过|买了|下单过).{1,40}?的(?:客户|顾客|买家)|\b(?:customers|clients|people) who (?:bought|ordered|purchased)\b",
    re.I,
)
_DO_WE_HAVE = re.compile(r"有没有|有无|有卖|还卖")  # asks whether the shop sells a kind, not for its neighbours
_LIKE_ZH = re.compile(r"类似|相似|差不多|一样的|像")
_LIKE_EN = re.compile(  # "like the jumbo bag red retrospot": that product (but "like a red paper parasol": a text)
    r"\b(?:like|similar to|alternatives? to|comparable to) (?:the|our|that|this|those|these)\b", re.I
)


class OfflineChatModel(BaseChatModel):
    """Example-bank intents, typed extractors and worded answers: see the offline/ package."""

    tool_names: list[str] = []
    stock_codes: Callable[[], dict[str, int]] | None = None  # the shop's stock code -> product id
    product_named: Callable[[str], int | None] | None = None  # the product a request names by its description
    product_choices: Callable[[str], tuple[int, list[tuple[int, str]]]] | None = None  # a kind several products share
    product_lead: Callable[[str], tuple[int, str, int, float] | None] | None = None  # its best seller, far ahead
    campaign_named: Callable[[str, list[str]], int | None] | None = None  # the campaign named without its id
    campaigns: Callable[[], list[tuple[int, str]]] | None = None  # every campaign (id, name), to choose from
    name_as_id: Callable[[str], str] | None = None  # the request with a product's English name written as its id
    products_of_kind: Callable[[str], list[int]] | None = None  # every product a kind's words describe
    shop_today: Callable[[], date] | None = None  # the shop's today: what "1 September" and "the last 30 days" mean
    audiences: Callable[[], list[str]] | None = None  # the names of the shop's saved audiences (the DMP)

    @property
    def _llm_type(self) -> str:
        return "offline"

    @property
    def model_name(self) -> str:
        return "offline"

    def bind_tools(self, tools: Sequence[Any], **kwargs: Any) -> OfflineChatModel:
        names = [convert_to_openai_tool(t)["function"]["name"] for t in tools]
        return self.model_copy(update={"tool_names": names})

    def _generate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        msg = self._respond(messages)
        msg.usage_metadata = {"input_tokens": 0, "output_tokens": 0, "total_tokens": 0}
        return ChatResult(generations=[ChatGeneration(message=msg)])

    # -- the three modes ------------------------------------------------------------------------
    def _respond(self, messages: list[BaseMessage]) -> AIMessage:
        humans = [i for i, m in enumerate(messages) if isinstance(m, HumanMessage)]
        if not humans:
            return AIMessage(content=wording.HELP_EN)
        last = humans[-1]
        part_msg = messages[last] if getattr(messages[last], "name", None) == PART else None
        request_i = humans[-2] if part_msg is not None and len(humans) > 1 else last
        request = _text(messages[request_i])
        current = _text(part_msg) if part_msg is not None else request
        zh = self._zh(request, current)
        if not re.search(r"[A-Za-z\u4e00-\u9fff]", request):  # "1289", "yes" aside: the thread's language
            said = [_text(messages[i]) for i in humans if i < request_i]
            zh = next((is_chinese(t) for t in reversed(said) if re.search(r"[A-Za-z\u4e00-\u9fff]", t)), zh)
        segment = messages[last + 1 :]
        results = [m for m in segment if isinstance(m, ToolMessage)]
        ctx = context_of(messages[:request_i])
        if results:
            calls: dict[str, dict[str, Any]] = {
                str(c["id"]): dict(c) for m in segment if isinstance(m, AIMessage) for c in m.tool_calls
            }
            notes = [
                n for m in segment if isinstance(m, AIMessage) for n in m.additional_kwargs.get("offline_notes", [])
            ]
            return self._answer(results, calls, zh, ctx, notes)
        if not current.strip():
            return AIMessage(content="请告诉我您想做什么。" if zh else "Please tell me what you need.")
        if self.tool_names and all(n.startswith(HANDOFF_PREFIX) for n in self.tool_names):
            return self._route(request, ctx, zh)
        if self.tool_names:
            head = re.split(r"[,，.。;；:：?？!！]\s?", current, maxsplit=1)[0][:24]  # (a cut part's commas may
            at = request.find(current if current in request else head) if part_msg is not None else -1  # differ)
            earlier = request[:at] if at > 0 else None  # (a part as cut may differ from the words: "CTR?. Thanks")
            return self._call_tool(current, ctx, zh, earlier or None)
        return AIMessage(
            content="我已达到本次请求的工具调用上限。" if zh else "I reached the tool-call limit for this request."
        )

    @staticmethod
    def _zh(request: str, current: str) -> bool:
        lang = extract(current).language
        if lang is not None and not extract(current).refs and len(current) < 40:
            return lang == "zh" if not is_chinese(current) else is_chinese(request)
        return is_chinese(request)

    def _as_ids(self, text: str, known: list[str]) -> str:
        """The request with a product named by its English name written as its id, unless it
        already names a product by id or stock code (`the rabbit night light 23084`) or names one
        of the saved audiences `known`."""
        if self.name_as_id is None or (known and audiences.named(text, known)):
            return text  # "export bunting_fans": an audience's name, not a product's
        codes = self._codes() or {}
        e = extract(text, codes)
        coded = [r for r in e.refs if r.kind == "product" and r.raw.upper() in codes]
        if len(set(e.ids("product"))) == 1 and len(coded) == len(e.ids("product")):
            # "白色心形T-light烛台（85123A）改价到2块79": the name beside the code names the same product;
            # written as its id, its words no longer read as a search for products like it
            bare = e.text
            for r in sorted(coded, key=lambda r: -r.start):
                bare = bare[: r.start] + bare[r.end :]
            renamed = self.name_as_id(re.sub(r"\(\s*\)", "", bare))
            return renamed if re.search(rf"(?:product|商品) {coded[0].value}(?!\d)", renamed) else text
        if e.ids("product") or any(n.is_int and f"{int(n.value)}" in codes for n in e.numbers):
            return text
        if (browses(text) or (_DO_WE_HAVE.search(text) and not _LIKE_ZH.search(text))) and not _BUYERS_OF.search(text):
            return text  # "do we have hot water bottles with a dog on them?": every one that matches, by its words
        if _CAMPAIGN_SAID.search(text) and (not _PRODUCT_SAID.search(text) or _CAMPAIGN_ACT.search(text)):
            return text  # "把圣诞礼物那个搜索活动暂停": a campaign's name, not a product's
        return self.name_as_id(text)

    def _known_audiences(self) -> list[str]:
        """The saved audiences' names (read once a turn: each reading is a query)."""
        return self.audiences() if self.audiences is not None else []

    @staticmethod
    def _unnamed(text: str, known: list[str]) -> str:
        """The text as routed and read: saved audiences' names as the word "audience" (their names
        are filled in from the text as written)."""
        return audiences.masked(text, known) if known else text

    def _campaign_by_channel(self, p: Plan, text: str) -> Plan:
        """`p` with the campaign a channel names ("the search budget") when its id is missing."""
        channels = extract(text).channels
        if "campaign_id" in p.missing and channels and self.campaign_named is not None:
            named = self.campaign_named(text, channels)
            if named is not None:
                self._take_campaign(p, text, named)
        return p

    def _priced_together(self, text: str, p: Plan) -> list[str]:
        """One price change for several products: those the request lists by id or stock code, or
        every product of a kind it names with "all" ("all the bakelike alarm clocks up 20p"); a line
        for each, in the bank's words, or [] when the request is no such change."""
        e = extract(text, self._codes())
        ids = list(dict.fromkeys(e.ids("product")))
        kind = catalog_phrase(text)
        if not ids and kind and _ALL_OF.search(text) and self.products_of_kind is not None:
            ids = self.products_of_kind(kind)
        if not 2 <= len(ids) <= MAX_PRICED_TOGETHER:
            return []
        one = p if p.tool == "set_product_price" and not p.missing else None
        if one is None and kind and kind in text.lower():  # the change as if it named one of them
            at = text.lower().find(kind)
            named = f"商品 {ids[0]}" if is_chinese(text) else f"product {ids[0]}"
            one = plan(text[:at] + named + text[at + len(kind) :], Context(), zh=is_chinese(text))
        if one is None or one.tool != "set_product_price" or one.missing:
            return []
        a = one.args
        if a.get("price") is not None:
            return [f"set the price of product {i} to £{a['price']:.2f}" for i in ids]
        if a.get("change_pct") is not None:
            return [f"change the price of product {i} by {a['change_pct']:+g}%" for i in ids]
        if a.get("change_by") is not None:
            return [f"change the price of product {i} by {a['change_by']:+.2f} pounds" for i in ids]
        return []

    def _campaigns_written(self, p: Plan, text: str) -> set[int]:
        """The campaigns a change is to, by id or by name ("pause the spring home decor campaign");
        empty when it is to no campaign or to ones not known yet."""
        a = p.args
        ids = {a["campaign_id"]} if isinstance(a.get("campaign_id"), int) else set(a.get("campaign_ids") or [])
        ids |= {x["campaign_id"] for key in ("bids", "budgets") for x in a.get(key) or [] if "campaign_id" in x}
        if not ids and "campaign_id" in p.missing and self.campaign_named is not None:
            named = self.campaign_named(text, extract(text).channels)
            ids = {named} if named is not None else set()
        return set() if a.get("all_campaigns") else ids

    def _take_campaign(self, p: Plan, text: str, campaign_id: int) -> None:
        """`p` about the campaign `text` names without its id. Found by the channel of a platform no
        campaign is named after ("the tiktok campaign" is the social one): a read says so, a change
        asks which campaign (a change is not made on a guess)."""
        platform = self._unnamed_platform(text)
        if platform is not None and p.tool in WRITES:
            p.notes.append(f"no_campaign_for:{platform}")
            p.missing = list(dict.fromkeys([*p.missing, "campaign_id"]))
            return
        if platform is not None:
            name = dict(self.campaigns()).get(campaign_id, "") if self.campaigns is not None else ""
            p.notes.append(f"campaign_for:{platform}:{campaign_id}:{name}")
        p.args["campaign_id"] = campaign_id
        p.missing = [m for m in p.missing if m != "campaign_id"]

    def _no_guess_by_platform(self, p: Plan, text: str) -> None:
        """A change to "the tiktok campaign(s)" as a channel's campaigns: which one is asked instead."""
        platform = self._unnamed_platform(text)
        if p.tool not in _BULK_FIELD or platform is None or p.args.get("channel") is None:
            return
        p.tool = (p.tool or "").removesuffix("s")  # set_campaign_bids: set_campaign_bid
        p.args.pop("channel")
        p.missing = list(dict.fromkeys([*p.missing, "campaign_id"]))
        p.notes.append(f"no_campaign_for:{platform}")

    def _unnamed_platform(self, text: str) -> str | None:
        """The platform a request names ("tiktok", 抖音) when no campaign is named after it."""
        said = _PLATFORM_SAID.search(text)
        if said is None or self.campaigns is None:
            return None
        word = said.group(0)
        return None if any(word.lower() in name.lower() for _, name in self.campaigns()) else word

    def _kept_of_bulk(self, text: str, ctx: Context) -> dict[str, Any] | None:
        """After a change to several campaigns was proposed, "展示那个不要动，其他两个照旧" / "drop the
        display one, the rest as planned": the same change without the campaigns named (each at the
        value just shown)."""
        if ctx.tool not in _BULK_FIELD:
            return None
        e = extract(text)
        alone = bool(_LEAVE_ALONE.search(text)) and len(text) <= 60 and not (e.numbers or e.changes or e.percents)
        if not (alone or (_KEEP_OTHERS.search(text) and _LEAVE_ONE.search(text))):
            return None
        key = _BULK_FIELD[ctx.tool]
        drop = set(e.ids("campaign"))
        if not drop and e.channels and self.campaign_named is not None:
            named = self.campaign_named(text, e.channels)
            drop = {named} if named is not None else set()
        args = dict(ctx.args)
        if args.get(key):  # each campaign its own value
            rest = [x for x in args[key] if x["campaign_id"] not in drop]
            return {**args, key: rest} if drop and 0 < len(rest) < len(args[key]) else None
        if args.pop("all_campaigns", None) and self.campaigns is not None:
            args["campaign_ids"] = [cid for cid, _ in self.campaigns()]
        ids = args.get("campaign_ids") or []
        rest_ids = [i for i in ids if i not in drop]
        return {**args, "campaign_ids": rest_ids} if drop and 0 < len(rest_ids) < len(ids) else None

    def _codes(self) -> dict[str, int] | None:
        return self.stock_codes() if self.stock_codes is not None else None

    def _today(self) -> date | None:
        return self.shop_today() if self.shop_today is not None else None

    def _route(self, request: str, ctx: Context, zh: bool) -> AIMessage:
        reply = pending_reply(request)
        if reply is not None and not (reply == "yes" and carried_out(ctx)):  # "yes" / "no", nothing waiting
            return AIMessage(
                content="目前没有等待您批准的修改。您想做什么？"
                if zh
                else "There is no change waiting for your approval. What would you like to do?"
            )
        if self._kept_of_bulk(request, ctx) is not None and ctx.tool is not None:
            agent = TOOLS[ctx.tool].agent
            return AIMessage(
                content="",
                tool_calls=[{"name": HANDOFF_PREFIX + agent, "args": {}, "id": _new_id(), "type": "tool_call"}],
            )
        known = self._known_audiences()
        request = self._as_ids(request, known)
        parts = split_parts(request, self._codes())
        calls: list[dict[str, Any]] = []
        skipped: list[str] = []
        declined: list[str] = []
        greeting = False
        writes_of: str | None = None  # the agent of the last part, when it was a whole change
        first_write: int | None = None  # the call that proposes the first change
        before: Plan | None = None
        written: set[int] = set()  # the campaigns the first change is to (none known: every read waits)
        planned: list[str] = []  # the tools the parts ask for
        for i, part in enumerate(parts):
            p = plan(
                self._unnamed(part, known),
                ctx if i == 0 else Context(),
                zh=zh,
                stock_codes=self._codes(),
                earlier=" ".join(parts[:i]) or None,
            )
            if before is not None and compared_already(part, before, p, self._today()):
                continue  # "…卖了多少？跟8月比怎么样": the report of September already compares it with August
            before = p
            planned += [p.tool] if p.tool is not None else []
            if p.declined is not None:
                declined.append(p.declined)
                writes_of = None
                continue
            if p.tool is None:
                greeting = greeting or p.greeting
                skipped.append(part)
                writes_of = None
                continue
            agent = TOOLS[p.tool].agent
            whole = complete_write(self._campaign_by_channel(p, part))
            if whole and writes_of == agent:  # "bid of 2 to 0.6, budget of 3 +50": one reply, one approval each
                calls[-1]["args"]["task"] += "\n" + part
                continue
            writes_of = agent if whole else None
            task = part if len(parts) > 1 else None
            several = _listed_campaigns(part)
            if p.tool in ("pause_campaign", "resume_campaign") and len(several) >= 2:
                verb = {
                    "pause_campaign": ("暂停活动", "pause campaign"),
                    "resume_campaign": ("恢复活动", "resume campaign"),
                }
                task = "\n".join(f"{verb[p.tool][not zh]} {i}" for i in several)  # "pause campaigns 2 and 3": each
            priced = self._priced_together(part, p)
            if priced:  # "put all the bakelike alarm clocks up 20p", "1577 and 1576 to £3.95": each product
                agent, task = TOOLS["set_product_price"].agent, "\n".join(priced)
            writes = bool(priced) or p.tool in WRITES
            call = {"name": HANDOFF_PREFIX + agent, "args": {"task": task}, "id": _new_id(), "type": "tool_call"}
            other = p.args.get("campaign_id")  # "pause campaign 2, and how's campaign 1 pacing": not changed
            apart = isinstance(other, int) and bool(written) and other not in written
            if not writes and (p.tool in _PAST_READS or apart) and first_write is not None:  # "bid down to 5毛,
                calls.insert(first_write, call)  # and its daily ROAS over two weeks": the past does not wait for
                first_write += 1  # the change's answer
                continue
            if writes and first_write is None:
                first_write = len(calls)
                written = set() if priced else self._campaigns_written(p, part)
            calls.append(call)
        declined += reliability_asked(request, planned)  # "how sure is that?", 数据靠谱吗: how far to lean on it
        explained = {k for kind in declined if kind.startswith("term:") for k in kind[5:].split(",")}
        asked = [k for k in terms_asked(request) if k not in explained]  # "…AOV, and I'm not sure what goes into it"
        declined += [f"term:{','.join(asked)}"] if asked else []
        said = [wording.declined(kind, zh) for kind in dict.fromkeys(declined)]
        if not calls:
            if said:
                return AIMessage(content=" ".join(said))
            return AIMessage(content=wording.help_text(zh) if greeting else wording.out_of_scope(zh))
        note = " ".join([*said, *(wording.out_of_scope(zh, s) for s in skipped)])
        return AIMessage(content=note, tool_calls=calls)

    def _call_tool(self, text: str, ctx: Context, zh: bool, earlier: str | None) -> AIMessage:
        allowed = {n for n in self.tool_names if not n.startswith(HANDOFF_PREFIX)}
        kept = self._kept_of_bulk(text, ctx)
        if kept is not None and ctx.tool in allowed:
            return AIMessage(
                content="", tool_calls=[{"name": ctx.tool, "args": kept, "id": _new_id(), "type": "tool_call"}]
            )
        known = self._known_audiences()
        text = self._as_ids(text, known)
        earlier = (
            self._as_ids(earlier, known) if earlier else earlier
        )  # "the popcorn holder ... also 10% off it": its id
        lines = [line for line in text.split("\n") if line.strip()]
        if len(lines) > 1:  # changes the supervisor handed over together: proposed in one reply
            plans = [
                self._campaign_by_channel(
                    plan(line, ctx, allowed=allowed, zh=zh, stock_codes=self._codes(), today=self._today()), line
                )
                for line in lines
            ]
            if all(complete_write(q) and q.tool in allowed and q.refused_write is None for q in plans):
                msg = AIMessage(
                    content="",
                    tool_calls=[{"name": q.tool, "args": q.args, "id": _new_id(), "type": "tool_call"} for q in plans],
                )
                msg.additional_kwargs["offline_notes"] = [n for q in plans for n in q.notes] + until_said(
                    text, plans[0].tool
                )
                return msg
        p = plan(
            self._unnamed(text, known),
            ctx,
            allowed=allowed,
            zh=zh,
            stock_codes=self._codes(),
            earlier=earlier,
            today=self._today(),
        )
        if p.tool is None and p.declined is None and not p.greeting:  # the supervisor sent it here: what the
            whole = plan(  # request asks among every tool, when that is one of this specialist's
                self._unnamed(text, known), ctx, zh=zh, stock_codes=self._codes(), earlier=earlier, today=self._today()
            )
            p = whole if whole.tool in allowed else p
        if p.tool is None or p.tool not in allowed:
            return _remember(
                AIMessage(
                    content="我不确定您需要哪项分析，请说得更具体一些。"
                    if zh
                    else "I'm not sure which analysis you need; could you be more specific?"
                ),
                None,
            )
        if p.refused_write is not None:
            self._campaign_by_channel(p, text)  # "leave the search campaign as it is": which one is left
            return _remember(
                AIMessage(content=wording.refused_write(p.refused_write, p.tool, p.args, zh)), p, keep_value=False
            )
        like = _LIKE_EN.search(text) if p.tool == "similar_products" and not is_chinese(text) else None
        similar = p.tool == "similar_products" and "product_id" not in p.args and (is_chinese(text) or bool(like))
        together = p.tool == "bought_together" and "product_id" not in p.args  # one product named, or a kind
        if ("product_id" in p.missing or similar or together) and self.product_named is not None:
            named = self.product_named(text[like.end() :] if like else text)  # "the regency cakestand": by its name
            if named is None and earlier and ("product_id" in p.missing or (together and "query" in p.missing)):
                named = self.product_named(earlier)  # "兔子夜灯打八折…另外它的价格弹性": the one named before
            if named is None and ctx.said and "product_id" in ctx.missing and "product_id" in p.missing:
                named = self.product_named(f"{catalog_phrase(ctx.said) or ctx.said} {text}")  # which hand warmer?
                # "the owl one": the kind asked about and the words that pick one
            if named is not None and similar and not like and (browses(text) or p.args.get("every_match")):
                named = None  # 有没有小狗图案的热水袋, 儿童围裙有几款: every one that matches, by its words
            elif named is not None and similar and _DO_WE_HAVE.search(text) and not _LIKE_ZH.search(text):
                named = None  # 有没有圣诞主题的彩旗: every product its catalog words describe (CHRISTMAS BUNTING)
                terms = "".join(zh for zh, _ in glossary().to_english(text)[1])
                p.args |= {"every_match": True} | ({"query": terms} if terms else {})
            if named is not None and (similar or together):  # "like the white hanging heart": that product's
                p.args.pop("query", None)  # neighbours, not itself
                p.args.pop("every_match", None)
                p.missing = [m for m in p.missing if m != "query"]
            if named is not None:
                p.args["product_id"] = named
                p.missing = [m for m in p.missing if m != "product_id"]
            elif "product_id" in p.missing and p.tool not in WRITES and self.product_lead is not None:
                lead = self.product_lead(text)  # 三层蛋糕架涨价10%的话: the one that outsells the rest, said so
                if lead is not None:
                    p.args["product_id"] = lead[0]
                    p.missing = [m for m in p.missing if m != "product_id"]
                    p.notes.append(f"product_lead:{lead[2]}:{lead[3]:g}:{lead[0]}:{lead[1]}")
        said = audiences.audience_args(p.tool, props_of(p.tool), text, known)
        if said:  # "overlap of uk_champs and winback pool": the saved audiences it names, or a new one's name
            p.args |= said
            p.missing = [m for m in p.missing if m not in said]
        e = extract(text)
        one_named = (  # "the display campaign's daily figures": that campaign, where the tool may take one
            "campaign_id" in props_of(p.tool)
            and not {"campaign_id", "campaign_ids", "channel"} & set(p.args)
            and not e.all_campaigns
            and not _SEVERAL.search(text)
        )
        switched = (  # "same for the social one": the campaign this message names, not the one before
            "campaign_id" in p.args and not e.ids("campaign") and bool(e.channels) and not e.all_campaigns
        )
        if ("campaign_id" in p.missing or one_named or switched) and self.campaign_named is not None:
            named = self.campaign_named(text, e.channels)  # "the win-back campaign", "社交那条计划"
            back = one_named and points_at_one(text)  # "搜索计划今天花得怎么样？另外把它…": that campaign
            if named is None and earlier and ("campaign_id" in p.missing or back):
                named = self.campaign_named(earlier, extract(earlier).channels)  # "…the win-back one. then pause it"
            if named is not None:
                self._take_campaign(p, text, named)
        self._no_guess_by_platform(p, text)
        ids = p.args.get("campaign_ids")
        if p.tool == "compare_campaigns" and ids and len(ids) == 1 and e.channels and self.campaign_named is not None:
            named = self.campaign_named(text, e.channels)  # "campaign 3 vs the search one": and that one
            if named is not None and named not in ids:
                p.args["campaign_ids"] = [*ids, named]
        if p.missing:
            note = wording.notes_text(
                [f"unreadable:{t}" for t in e.unreadable]
                + (["approval_kept"] if e.skip_approval else [])
                + [n for n in p.notes if n.startswith(("claims:", "no_campaign_for:"))],  # a claim the copy may not
                # make, a platform no campaign is named after: said at once
                zh,
            )
            ask = wording.ask_for(p.missing, zh, p.tool, p.args)
            if {"campaign_id", "campaigns"} & set(p.missing) and self.campaigns is not None:
                guessed = any(n.startswith("no_campaign_for:") for n in p.notes)  # said already, by its platform
                ask += " " + wording.which_campaign(
                    self.campaigns(), None if guessed else _NAMED_CAMPAIGN.search(text), zh
                )
            if set(audiences.AUDIENCE_NAME_FIELDS) & set(p.missing) and p.tool != "audience_create":
                ask += " " + wording.which_audience(known, zh)
            if "product_id" in p.missing and self.product_choices is not None:
                count, choices = self.product_choices(text)  # "蛋糕架": which of the 22 cake stands
                if count >= 2:
                    ask += " " + wording.which_product(count, choices, zh)
            return _remember(AIMessage(content=(note + " " if note else "") + ask), p, said=text)
        calls = [p.args]
        props = props_of(p.tool)
        countries = [c.strip() for c in str(p.args.get("country", "")).split(",") if c.strip()]
        if p.tool not in WRITES and "breakdown" not in props and each_country(text, len(countries)):
            calls = [p.args | {"country": c} for c in countries]  # "top 10 UK vs top 10 France": one answer for each
        msg = AIMessage(
            content="",
            tool_calls=[{"name": p.tool, "args": a, "id": _new_id(), "type": "tool_call"} for a in calls],
        )
        msg.additional_kwargs["offline_notes"] = p.notes + until_said(text, p.tool)
        return msg

    def _answer(
        self, results: list[ToolMessage], calls: dict[str, dict[str, Any]], zh: bool, ctx: Context, notes_of: list[str]
    ) -> AIMessage:
        parts: list[str] = []
        memo: dict[str, Any] = {"listing": ctx.listing}
        for m in results:
            call = calls.get(m.tool_call_id, {})
            content = _text(m)
            memo = {
                "tool": m.name,
                "args": call.get("args", {}),
                "missing": [],
                "result": None,
                "listing": memo["listing"],
            }
            if m.status == "error":
                parts.append(wording.error_text(content, zh) + wording.meant_pence(call.get("args", {}), zh))
                continue
            data = json.loads(content)
            memo["result"] = _trim(data)
            memo["listing"] = listing_of(data) or memo["listing"]
            if isinstance(data, dict) and data.get("rejected"):
                parts.append(wording.rejected(data.get("change", {}), zh, data.get("reason")))
                memo["result"] = _trim(data.get("change", {}))
                continue
            asked = frozenset(n.partition(":")[2] for n in notes_of if n.startswith("asked:"))
            memo["asked"] = sorted(asked)  # "and France?" after "AOV for Germany": the AOV too
            parts.append(wording.format_result(m.name or "", data, zh, asked=asked))
        notes = wording.notes_text(notes_of, zh)
        msg = AIMessage(content="\n\n".join(parts) + ("\n\n" + notes if notes else ""))
        msg.additional_kwargs["offline"] = memo
        return msg


def _remember(msg: AIMessage, p: Plan | None, *, keep_value: bool = True, said: str | None = None) -> AIMessage:
    """`msg` keeping what the next turn may lean on; `said`: the request a question was asked about
    ("set the hand warmer price to £1.95" -> which hand warmer? -> "the owl one")."""
    if p is not None and p.tool is not None:
        args = dict(p.args)
        if not keep_value and p.tool in WRITE_VALUE:
            for k in (WRITE_VALUE[p.tool], "change_pct", "change_by"):
                args.pop(k, None)
        msg.additional_kwargs["offline"] = {"tool": p.tool, "args": args, "missing": p.missing, "result": None}
        msg.additional_kwargs["offline"]["listing"] = p.listing
        msg.additional_kwargs["offline"]["said"] = said
    return msg


__all__ = ["HANDOFF_PREFIX", "PART", "OfflineChatModel", "context_of"]
