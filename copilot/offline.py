"""The default chat model: offline and deterministic, a real LangChain BaseChatModel.

Bound to the supervisor's hand-off tools it routes; bound to a specialist's tools it picks the
tool and fills its arguments from the request (or asks for what is missing); given tool results it
writes the answer from them. It never makes a number up and says that it is offline.
"""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Sequence
from typing import Any

from langchain_core.callbacks import CallbackManagerForLLMRun
from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, BaseMessage, HumanMessage, ToolMessage
from langchain_core.outputs import ChatGeneration, ChatResult
from langchain_core.utils.function_calling import convert_to_openai_tool

from copilot import answers
from copilot.intents import AGENT_OF_TOOL, best_intent, extract, is_chinese, is_greeting, plan_call

HANDOFF_PREFIX = "transfer_to_"
_FOLLOW_UP = re.compile(
    r"^\s*(and|what about|how about|same for|now|then|also|ok|okay|那|还有|再|换成|那么)\b|[呢吗]\s*[?？]?\s*$",
    re.I,
)

# "tell me about the first one": a position in the list the previous answer gave.
_ORDINAL = re.compile(
    r"\bthe (first|second|third|fourth|fifth|top) (?:one|customer|client|person)\b|第\s*([一二三四五1-5])\s*(?:个|位|名)",
    re.I,
)
_ORDINALS = {"first": 1, "top": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5}
_LISTED_ID = re.compile(r"^- (\d+):", re.M)
_CUSTOMER_LISTS = ("customers are about to lapse", "most valuable customers", "有流失风险", "价值最高的客户")
_CARRIED = ("product_id", "customer_id", "campaign_id")
_ADDING = re.compile(r"\b(add|also|plus|include|as well)\b|加上|再加|也加", re.I)

HELP_EN = (
    "I'm the Marketing Copilot (running on the offline model). I can: profile customers (RFM segments, "
    "who is about to lapse, one customer's profile, recommendations, similar products); write "
    "compliance-checked headlines and selling points; estimate price elasticity, the profit-maximising "
    "price and discount effects; set and pace bids and budgets (with your approval); and plan campaigns "
    '(A/B tests, budget splits, seasonality). Try: "which customers are about to lapse?"'
)
HELP_ZH = (
    "我是营销助手（当前为离线模型）。我可以：客户分析（RFM 分群、流失预警、客户画像、推荐、相似商品）；"
    "撰写合规的广告标题与卖点；估计价格弹性、利润最大化价格与折扣效果；设置出价与预算并监控消耗（需您批准）；"
    '以及活动策划（A/B 测试、预算分配、季节性）。试试："哪些客户快要流失了？"'
)
OUT_OF_SCOPE_EN = "That is outside what I can help with. " + HELP_EN
OUT_OF_SCOPE_ZH = "这超出了我的能力范围。" + HELP_ZH


def _text(m: BaseMessage) -> str:
    return (
        m.content
        if isinstance(m.content, str)
        else " ".join(p.get("text", "") for p in m.content if isinstance(p, dict))
    )


def _new_id() -> str:
    return "call_" + uuid.uuid4().hex[:12]


class OfflineChatModel(BaseChatModel):
    """Rules, not a neural network: see copilot/intents.py and copilot/answers.py."""

    tool_names: list[str] = []

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

    # -- the three modes ------------------------------------------------------------------
    def _respond(self, messages: list[BaseMessage]) -> AIMessage:
        humans = [_text(m) for m in messages if isinstance(m, HumanMessage)]
        if not humans:
            return AIMessage(content=HELP_EN)
        current = humans[-1]
        zh = is_chinese(current)
        said = [_text(m) for m in messages if isinstance(m, AIMessage) and not m.tool_calls]
        last_human = max(i for i, m in enumerate(messages) if isinstance(m, HumanMessage))
        results = [m for m in messages[last_human + 1 :] if isinstance(m, ToolMessage)]
        if results:
            return AIMessage(content=self._answer(results, zh))
        if not current.strip():
            return AIMessage(content="请告诉我您想做什么。" if zh else "Please tell me what you need.")
        if self.tool_names and all(n.startswith(HANDOFF_PREFIX) for n in self.tool_names):
            return self._route(humans, said, zh)
        if self.tool_names:
            return self._call_tool(humans, said, zh)
        return AIMessage(
            content="我已达到本次请求的工具调用上限。" if zh else "I reached the tool-call limit for this request."
        )

    def _resolve(
        self, humans: list[str], said: list[str], allowed: set[str] | None
    ) -> tuple[str | None, dict[str, Any]]:
        """The tool the conversation asks for and the entities to fill it, following up earlier turns.

        A message that names no tool itself ("it costs £2", "and for product 9?") continues the
        latest earlier request that did, with the new entities over the old ones.
        """
        current = humans[-1]
        entities = extract(current)
        listed = _listed_customer(current, said[-1] if said else "")
        if listed is not None and (allowed is None or "customer_profile" in allowed):
            return "customer_profile", {"customer_id": listed}
        # "what should we recommend to them?": the ids named earlier in the conversation carry over
        carried: dict[str, Any] = {}
        for text in humans[-4:-1]:
            carried.update({k: v for k, v in extract(text).items() if k in _CARRIED})
        tool = best_intent(current, allowed, fallback=False, anchored=bool(carried))
        if tool is not None:
            return tool, {**carried, **entities}
        if entities or _FOLLOW_UP.search(current):
            for back in range(2, min(len(humans), 4) + 1):
                earlier = best_intent(humans[-back], allowed)
                if earlier is not None:
                    merged: dict[str, Any] = {}
                    for text in humans[-back:-1]:
                        merged.update(extract(text))
                    if "channels" in merged and "channels" in entities and _ADDING.search(current):
                        entities = {**entities, "channels": sorted(set(merged["channels"]) | set(entities["channels"]))}
                    merged.update(entities)
                    return earlier, merged
        return best_intent(current, allowed), entities

    def _route(self, humans: list[str], said: list[str], zh: bool) -> AIMessage:
        if is_greeting(humans[-1]) and best_intent(humans[-1]) is None:
            return AIMessage(content=HELP_ZH if zh else HELP_EN)
        tool, _ = self._resolve(humans, said, None)
        if tool is None:
            return AIMessage(content=OUT_OF_SCOPE_ZH if zh else OUT_OF_SCOPE_EN)
        name = HANDOFF_PREFIX + AGENT_OF_TOOL[tool]
        return AIMessage(
            content="",
            tool_calls=[{"name": name, "args": {}, "id": _new_id(), "type": "tool_call"}],
        )

    def _call_tool(self, humans: list[str], said: list[str], zh: bool) -> AIMessage:
        allowed = set(self.tool_names)
        tool, entities = self._resolve(humans, said, allowed)
        if tool is None:
            return AIMessage(
                content=(
                    "我不确定您需要哪项分析，请说得更具体一些。"
                    if zh
                    else "I'm not sure which analysis you need; could you be more specific?"
                )
            )
        # A follow-up ("and for product 9?") reads free text (audience, quoted copy) from the turns before.
        text = humans[-1] if best_intent(humans[-1], allowed) else " ".join(humans[-3:])
        plan = plan_call(tool, entities, text)
        if plan.missing:
            need = "、".join(plan.missing) if zh else " and ".join(plan.missing)
            return AIMessage(content=(f"请提供：{need}。" if zh else f"To answer that I need the {need}. What is it?"))
        return AIMessage(
            content="",
            tool_calls=[{"name": tool, "args": plan.args, "id": _new_id(), "type": "tool_call"}],
        )

    def _answer(self, results: list[ToolMessage], zh: bool) -> str:
        parts = []
        for m in results:
            content = _text(m)
            if m.status == "error":
                parts.append(("没能完成：" if zh else "I couldn't do that: ") + content.removeprefix("Error: "))
                continue
            data = json.loads(content)
            if isinstance(data, dict) and data.get("rejected"):
                ch = data.get("change", {})
                parts.append(
                    f"未做任何更改：您拒绝了把{ch.get('target')}的 {ch.get('field')} 改为 {ch.get('to')}。"
                    if zh
                    else f"Nothing changed: you rejected setting the {str(ch.get('field')).replace('_', ' ')} of "
                    f"{ch.get('target')} to {ch.get('to')}."
                )
                continue
            parts.append(answers.format_result(m.name or "", data, zh))
        return "\n\n".join(parts)


def _listed_customer(text: str, previous: str) -> int | None:
    """The customer id at the position `text` names in the previous answer's customer list."""
    m = _ORDINAL.search(text)
    if m is None or extract(text).get("customer_id") or not any(k in previous.lower() for k in _CUSTOMER_LISTS):
        return None
    word = (m.group(1) or m.group(2)).lower()
    n = _ORDINALS.get(word) or ("一二三四五".find(word) + 1 if word in "一二三四五" else int(word))
    ids = _LISTED_ID.findall(previous)
    return int(ids[n - 1]) if 0 < n <= len(ids) else None
