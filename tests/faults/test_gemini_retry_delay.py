"""Gemini's ``retryDelay`` (a ``google.rpc.RetryInfo`` in a 429's error details) is honoured
like ``Retry-After``, against a real local server: the client waits what the body says, then
succeeds; a delay past ``max_retry_after`` is not waited out."""

from __future__ import annotations

import pytest

from yescale import RateLimitError, YEScaleClient

from .conftest import FaultServer, reply_json
from .support import API_KEY, AsyncSleeps, Sleeps, in_mode

GEMINI = "gemini-2.5-flash"
OK = {
    "candidates": [
        {"content": {"role": "model", "parts": [{"text": "Hi!"}]}, "finishReason": "STOP"}
    ],
    "usageMetadata": {"promptTokenCount": 2, "candidatesTokenCount": 2, "totalTokenCount": 4},
}


def exhausted(delay: str) -> dict[str, object]:
    """Gemini's 429 (google.rpc.Status) with a QuotaFailure and a RetryInfo."""
    return {
        "error": {
            "code": 429,
            "message": "You exceeded your current quota.",
            "status": "RESOURCE_EXHAUSTED",
            "details": [
                {"@type": "type.googleapis.com/google.rpc.QuotaFailure", "violations": []},
                {"@type": "type.googleapis.com/google.rpc.RetryInfo", "retryDelay": delay},
            ],
        }
    }


@pytest.mark.parametrize("mode", ["sync", "async"])
def test_retry_delay_in_the_body_is_waited_then_retried(
    fault_server: FaultServer, mode: str
) -> None:
    fault_server.script(reply_json(429, exhausted("3.5s")), reply_json(200, OK))
    sleeps, asleeps = Sleeps(), AsyncSleeps()
    client = YEScaleClient(
        api_key=API_KEY, base_url=fault_server.url, sleep=sleeps, async_sleep=asleeps
    )
    answer = in_mode(
        mode,
        client,
        lambda c: c.gemini.generate_content(model=GEMINI, contents="Hi"),
        lambda c: c.aio.gemini.generate_content(model=GEMINI, contents="Hi"),
    )
    assert answer.candidates[0].content.parts[0].text == "Hi!"
    assert fault_server.count == 2
    waits = sleeps if mode == "sync" else asleeps
    assert len(waits) == 1
    assert 3.5 <= waits[0] <= 3.5 * 1.25  # what Gemini asked for, plus at most a quarter (jitter)


@pytest.mark.parametrize("mode", ["sync", "async"])
def test_a_retry_delay_too_long_is_raised_at_once_with_it(
    fault_server: FaultServer, mode: str
) -> None:
    fault_server.script(reply_json(429, exhausted("3600s")))
    sleeps, asleeps = Sleeps(), AsyncSleeps()
    client = YEScaleClient(
        api_key=API_KEY, base_url=fault_server.url, sleep=sleeps, async_sleep=asleeps
    )
    with pytest.raises(RateLimitError) as caught:
        in_mode(
            mode,
            client,
            lambda c: c.gemini.generate_content(model=GEMINI, contents="Hi"),
            lambda c: c.aio.gemini.generate_content(model=GEMINI, contents="Hi"),
        )
    assert caught.value.retry_after == 3600.0
    assert fault_server.count == 1
    assert sleeps == []
    assert asleeps == []
    assert API_KEY not in str(caught.value)
