"""The chat-model factory: the offline model by default, ChatOpenAI for any OpenAI-compatible
endpoint (OpenAI, vLLM, Ollama, llama.cpp) when configured (see copilot/openai_chat.py).

The OpenAI client is imported only when it is used: it costs over a second at start-up.
"""

from __future__ import annotations

from langchain_core.language_models import BaseChatModel

from copilot.settings import Settings
from offline import OfflineChatModel


def make_chat_model(settings: Settings) -> tuple[BaseChatModel, str]:
    """The configured chat model and the name it is logged under."""
    if settings.model == "offline":
        return OfflineChatModel(), "offline"
    from copilot.openai_chat import RetryingChatOpenAI

    name = settings.model.removeprefix("openai:")
    model = RetryingChatOpenAI(
        model=name,
        base_url=settings.openai_base_url,
        api_key=settings.openai_api_key or "not-needed",  # type: ignore[arg-type]
        timeout=settings.request_timeout,
        max_retries=0,
        temperature=0,
        retry_attempts=settings.max_retries,
    )
    return model, f"openai:{name}"
