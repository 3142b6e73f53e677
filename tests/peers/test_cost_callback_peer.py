"""``get_yescale_callback()`` against the peers' own token accounting, on the same inputs.

langchain-core's ``get_usage_metadata_callback()`` (the framework's counter, fed by every chat
model's ``usage_metadata``) runs around the same calls, through ``ChatOpenAI`` and through
``ChatYEScale``, against the recorder: invoke, stream, ainvoke and batch. Our totals must be the
peer's, call for call: tokens and requests counted once each, a stream once. Metering must not
change what is sent either: the bodies inside the cost block are those outside it.
"""

from __future__ import annotations

import asyncio
from typing import Any

from langchain_core.callbacks import get_usage_metadata_callback
from langchain_core.language_models import BaseChatModel
from langchain_openai import ChatOpenAI

from langchain_yescale import ChatYEScale, get_yescale_callback

from .support import FAKE_KEY, OPENAI_MODEL, USAGE, Recorder


def calls(llm: BaseChatModel) -> None:
    """The same framework inputs for every model: four calls, one of them streamed."""
    llm.invoke("Say hello.")
    for _chunk in llm.stream("Say hello."):
        pass
    asyncio.run(llm.ainvoke("Say hello."))
    llm.batch(["One.", "Two."], config={"max_concurrency": 2})


def peer(recorder: Recorder) -> ChatOpenAI:
    return ChatOpenAI(
        model=OPENAI_MODEL,
        api_key=FAKE_KEY,  # type: ignore[arg-type]
        base_url=f"{recorder.url}/v1",
        max_retries=0,
        stream_usage=True,
    )


def ours(recorder: Recorder) -> ChatYEScale:
    return ChatYEScale(model=OPENAI_MODEL, api_key=FAKE_KEY, base_url=recorder.url, max_retries=0)


def totals(usage: dict[str, Any]) -> tuple[int, int, int]:
    (counted,) = usage.values()  # one model
    return counted["input_tokens"], counted["output_tokens"], counted["total_tokens"]


def test_our_totals_are_the_peers_on_the_same_calls(recorder: Recorder) -> None:
    with get_usage_metadata_callback() as peer_usage:
        calls(peer(recorder))
    recorder.take()
    with get_usage_metadata_callback() as core_usage, get_yescale_callback(prices=False) as cb:
        calls(ours(recorder))
    sent = recorder.take()
    assert len(sent) == 5  # invoke, stream, ainvoke, batch of two: each sent once
    expected = totals(peer_usage.usage_metadata)
    assert expected == (5 * USAGE["prompt_tokens"], 5 * USAGE["completion_tokens"], 25)
    # langchain-core counts ChatYEScale as it counts ChatOpenAI ...
    assert totals(core_usage.usage_metadata) == expected
    # ... and so does our callback, counting in the client: the stream once, the batch's threads
    # and the ainvoke's event loop included
    assert (cb.prompt_tokens, cb.completion_tokens, cb.total_tokens) == expected
    assert cb.successful_requests == 5
    assert cb.by_model[OPENAI_MODEL].requests == 5
    assert cb.unknown_cost_requests == 5  # no prices loaded: unknown, never $0
    assert cb.total_cost == 0


def test_metering_does_not_change_what_is_sent(recorder: Recorder) -> None:
    llm = ours(recorder)
    outside = recorder.sent(lambda: llm.invoke("Say hello."))
    with get_yescale_callback(prices=False):
        inside = recorder.sent(lambda: llm.invoke("Say hello."))
    assert inside == outside
    peer_body = recorder.sent(lambda: peer(recorder).invoke("Say hello."))
    peer_body.pop("stream", None)  # ChatOpenAI sends stream: false (see test_langchain_openai)
    peer_body.pop("stream_options", None)
    assert inside == peer_body
