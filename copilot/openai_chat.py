"""ChatOpenAI with tenacity retries on transient faults only: timeouts, connection errors, 429
(waiting as long as Retry-After says) and 5xx. A 4xx is the caller's mistake and is raised at once
as a one-line CopilotError. ChatOpenAI's own retries are off."""

from __future__ import annotations

from typing import Any

import openai
from langchain_core.outputs import ChatResult
from langchain_openai import ChatOpenAI
from tenacity import RetryCallState, retry, retry_if_exception, stop_after_attempt, wait_exponential

from copilot import CopilotError

MAX_RETRY_AFTER = 30.0


def is_transient(exc: BaseException) -> bool:
    if isinstance(exc, (openai.APITimeoutError, openai.APIConnectionError)):
        return True
    if isinstance(exc, openai.APIStatusError):
        return exc.status_code == 429 or exc.status_code >= 500
    return False


def _wait(state: RetryCallState) -> float:
    exc = state.outcome.exception() if state.outcome else None
    if isinstance(exc, openai.APIStatusError) and exc.status_code == 429:
        header = exc.response.headers.get("retry-after")
        try:
            return min(float(header), MAX_RETRY_AFTER) if header else 1.0
        except ValueError:
            return 1.0
    return float(wait_exponential(multiplier=0.5, max=8)(state))


class RetryingChatOpenAI(ChatOpenAI):
    """ChatOpenAI whose calls are retried by tenacity on transient faults only."""

    retry_attempts: int = 3

    def _generate(self, *args: Any, **kwargs: Any) -> ChatResult:
        call = retry(
            retry=retry_if_exception(is_transient),
            wait=_wait,
            stop=stop_after_attempt(self.retry_attempts),
            reraise=True,
        )(super()._generate)
        try:
            return call(*args, **kwargs)
        except openai.APIStatusError as exc:
            if exc.status_code < 500 and exc.status_code != 429:
                raise CopilotError(
                    f"the model endpoint refused the request ({exc.status_code}): {exc.message}"
                ) from exc
            raise
