"""``llama_index_yescale.get_yescale_callback()`` against LlamaIndex's own token accounting.

LlamaIndex's ``TokenCountingHandler`` (which reads the token counts an answer reports) runs
around the same calls through llama-index's ``OpenAI`` and through our ``YEScale``, against the
recorder: chat, streamed chat and async chat. It counts our calls as it counts the peer's, and
our cost scope, counting in the client, finds the same totals, the stream once. Metering does
not change what is sent.
"""

from __future__ import annotations

import asyncio
from typing import Any

from llama_index.core.callbacks import CallbackManager, TokenCountingHandler
from llama_index.core.llms import LLM, ChatMessage
from llama_index.llms.openai import OpenAI

from llama_index_yescale import YEScale, get_yescale_callback

from .support import FAKE_KEY, OPENAI_MODEL, USAGE, Recorder

HELLO = [ChatMessage(role="user", content="Say hello.")]


def calls(llm: LLM) -> None:
    """The same framework inputs for both: three calls, one of them streamed."""
    llm.chat(HELLO)
    for _response in llm.stream_chat(HELLO):
        pass
    asyncio.run(llm.achat(HELLO))


def counted(make: Any, recorder: Recorder) -> TokenCountingHandler:
    counter = TokenCountingHandler()
    calls(make(recorder, callback_manager=CallbackManager([counter])))
    return counter


def peer(recorder: Recorder, **settings: Any) -> OpenAI:
    return OpenAI(
        model=OPENAI_MODEL,
        api_key=FAKE_KEY,
        api_base=f"{recorder.url}/v1",
        max_retries=0,
        **settings,
    )


def ours(recorder: Recorder, **settings: Any) -> YEScale:
    return YEScale(
        model=OPENAI_MODEL, api_key=FAKE_KEY, base_url=recorder.url, max_retries=0, **settings
    )


def totals(counter: TokenCountingHandler) -> tuple[int, int, int]:
    return (
        counter.prompt_llm_token_count,
        counter.completion_llm_token_count,
        counter.total_llm_token_count,
    )


def test_our_totals_are_llamaindexs_on_the_same_calls(recorder: Recorder) -> None:
    theirs = counted(peer, recorder)
    recorder.take()
    with get_yescale_callback(prices=False) as costs:
        mine = counted(ours, recorder)
    assert len(recorder.take()) == 3  # chat, stream, achat: each sent once
    expected = (3 * USAGE["prompt_tokens"], 3 * USAGE["completion_tokens"], 15)
    assert totals(theirs) == expected
    # LlamaIndex counts YEScale as it counts OpenAI ...
    assert totals(mine) == expected
    # ... and so does our scope, counting in the client: the stream once
    assert (costs.prompt_tokens, costs.completion_tokens, costs.total_tokens) == expected
    assert costs.successful_requests == 3
    assert costs.unknown_cost_requests == 3  # no prices loaded: unknown, never $0
    assert costs.total_cost == 0


def test_metering_does_not_change_what_is_sent(recorder: Recorder) -> None:
    llm = ours(recorder)
    outside = recorder.sent(lambda: llm.chat(HELLO))
    with get_yescale_callback(prices=False):
        inside = recorder.sent(lambda: llm.chat(HELLO))
    assert inside == outside
