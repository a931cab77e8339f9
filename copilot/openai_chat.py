"""ChatOpenAI with tenacity retries on transient faults only: timeouts, connection errors, 429
(waiting as long as Retry-After says) and 5xx. ChatOpenAI's own retries are off.

Whatever the endpoint does wrong ends as one ModelError line that says what to do: a 4xx at once
(the request's fault: the key, the model name), a transient fault once the retries are spent, and a
reply that is not a chat completion (an HTML error page, a body without choices) at once."""

from __future__ import annotations

from typing import Any

import openai
from langchain_core.outputs import ChatResult
from langchain_openai import ChatOpenAI
from tenacity import RetryCallState, retry, retry_if_exception, stop_after_attempt, wait_exponential

from copilot import ModelError

MAX_RETRY_AFTER = 30.0
OFFLINE_HINT = "or set COPILOT_MODEL=offline for the offline model"
CHECK_ENDPOINT = "check that OPENAI_BASE_URL is an OpenAI-compatible /v1 address and COPILOT_MODEL a chat model"
# What the OpenAI client and langchain raise on a body that is not a chat completion
MALFORMED = (ValueError, TypeError, KeyError, IndexError, AttributeError, openai.APIResponseValidationError)


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


def _brief(text: object, limit: int = 160) -> str:
    """An error's text on one short line."""
    line = " ".join(str(text).split())
    return line if len(line) <= limit else line[: limit - 1] + "…"


def _message(exc: openai.APIStatusError) -> str:
    """What the server said, without the client's "Error code: 503 - " before it."""
    body = exc.body
    if isinstance(body, dict):
        inner = body.get("error") if isinstance(body.get("error"), dict) else body
        if isinstance(inner, dict) and isinstance(inner.get("message"), str) and inner["message"]:
            return str(inner["message"])
    return exc.message


def _root(exc: BaseException) -> BaseException:
    """The first cause of a chain of wrapped errors (the refused connection under "Connection error.")."""
    seen = {id(exc)}
    while exc.__cause__ is not None and id(exc.__cause__) not in seen:
        exc = exc.__cause__
        seen.add(id(exc))
    return exc


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
        where = f"the model endpoint {self.openai_api_base or 'https://api.openai.com/v1'}"
        tries = f"{self.retry_attempts} tr{'y' if self.retry_attempts == 1 else 'ies'}"
        try:
            result: ChatResult = call(*args, **kwargs)
        except (openai.APITimeoutError, openai.APIConnectionError) as exc:
            why = "timed out" if isinstance(exc, openai.APITimeoutError) else _brief(_root(exc))
            raise ModelError(
                f"{where} did not answer after {tries} ({why}); check that it is running and OPENAI_BASE_URL, "
                f"{OFFLINE_HINT}"
            ) from exc
        except openai.APIStatusError as exc:
            code, message = exc.status_code, _brief(_message(exc))
            if code == 429:
                raise ModelError(
                    f"{where} is still rate-limiting after {tries} (429: {message}); wait a minute and ask again, "
                    f"{OFFLINE_HINT}"
                ) from exc
            if code >= 500:
                raise ModelError(
                    f"{where} kept failing after {tries} ({code}: {message}); try again later, {OFFLINE_HINT}"
                ) from exc
            fix = "check OPENAI_API_KEY" if code in (401, 403) else "check COPILOT_MODEL and OPENAI_API_KEY"
            raise ModelError(f"the model endpoint refused the request ({code}): {message}; {fix}") from exc
        except MALFORMED as exc:
            raise ModelError(
                f"{where} sent a reply that is not a chat completion ({type(exc).__name__}: {_brief(exc)}); "
                + CHECK_ENDPOINT
            ) from exc
        if not result.generations:
            raise ModelError(f"{where} sent a reply with no choices; {CHECK_ENDPOINT}")
        return result
