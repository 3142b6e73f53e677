"""``ChatYEScale.stream`` / ``astream`` are langchain-core's own, and what a stream costs.

langchain-core's ``BaseChatModel.stream`` keeps every chunk until the stream ends, to hand the whole
message to the end-of-run callbacks. An earlier version of this package merged that list in place
every 512 chunks by reading the suspended generator's local ``chunks``: flat memory, but it would
have stopped working, silently, the day langchain-core renamed a local. No public API lets a model
bound that list (a tracer keeps every chunk object too, so reusing chunk objects would corrupt its
events), so the trick is gone and the cost is stated instead: these tests check the callbacks'
message is exact and bound what one chunk of ours costs, which is all this package controls. The
change that would make it flat belongs upstream (see docs/langchain-chat.md, "Long streams").
"""

from __future__ import annotations

import json
import tracemalloc
from collections.abc import Iterator
from typing import Any
from uuid import UUID

import httpx
from langchain_core.callbacks import BaseCallbackHandler
from langchain_core.language_models import BaseChatModel
from langchain_core.outputs import LLMResult

from langchain_yescale import ChatYEScale, ChatYEScaleGemini

from .conftest import API_KEY, chunk_event, sse_response

USAGE = {"prompt_tokens": 4, "completion_tokens": 7, "total_tokens": 11}


def text_events(n: int) -> Iterator[bytes]:
    for i in range(n):
        yield chunk_event(f"t{i} ")
    yield chunk_event("", choices=[{"index": 0, "delta": {}, "finish_reason": "stop"}])
    yield chunk_event("", choices=[], usage=USAGE)
    yield b"data: [DONE]\n\n"


def tool_events(pieces: int) -> Iterator[bytes]:
    """One tool call whose JSON arguments arrive in ``pieces`` fragments."""
    args = json.dumps({"text": "x" * (pieces - 20)})
    step = max(1, len(args) // pieces)
    fragments = [args[i : i + step] for i in range(0, len(args), step)]
    for i, fragment in enumerate(fragments):
        call: dict[str, Any] = {"index": 0, "function": {"arguments": fragment}}
        if i == 0:
            call.update(
                id="call_1", type="function", function={"name": "echo", "arguments": fragment}
            )
        delta = {"tool_calls": [call]}
        yield chunk_event("", choices=[{"index": 0, "delta": delta, "finish_reason": None}])
    yield chunk_event("", choices=[{"index": 0, "delta": {}, "finish_reason": "tool_calls"}])
    yield b"data: [DONE]\n\n"


def model(events: Any) -> ChatYEScale:
    def handler(request: httpx.Request) -> httpx.Response:
        return sse_response(events())

    return ChatYEScale(
        model="gpt-4o-mini",
        api_key=API_KEY,
        http_client=httpx.Client(transport=httpx.MockTransport(handler)),
        http_async_client=httpx.AsyncClient(transport=httpx.MockTransport(handler)),
    )


class Ends(BaseCallbackHandler):
    """Records the message ``on_llm_end`` receives, and how many tokens were announced."""

    def __init__(self) -> None:
        self.messages: list[Any] = []
        self.tokens = 0

    def on_llm_new_token(self, token: str, **kwargs: Any) -> None:
        self.tokens += 1

    def on_llm_end(self, response: LLMResult, *, run_id: UUID, **kwargs: Any) -> None:
        self.messages.append(response.generations[0][0].message)  # type: ignore[attr-defined]


#: Chunks per stream in the exactness tests: enough for any merging done in steps to show.
N = 2_000
#: What one streamed text chunk may cost while langchain-core keeps it (measured: 2.4 to 2.5 KB
#: on CPython 3.10 to 3.13, langchain-core 1.6.7 to 1.8; LangChain's objects are most of it).
PER_CHUNK_BYTES = 4_000


def test_stream_is_langchain_cores_own() -> None:
    """No override that reaches into another library's generator frames."""
    for cls in (ChatYEScale, ChatYEScaleGemini):
        assert cls.stream is BaseChatModel.stream
        assert cls.astream is BaseChatModel.astream


def test_the_end_of_run_message_is_exact() -> None:
    ends = Ends()
    received = list(model(lambda: text_events(N)).stream("go", config={"callbacks": [ends]}))
    assert "".join(str(c.content) for c in received) == "".join(f"t{i} " for i in range(N))
    (final,) = ends.messages
    full = received[0]
    for chunk in received[1:]:
        full = full + chunk
    assert final.content == full.content
    assert final.usage_metadata == {"input_tokens": 4, "output_tokens": 7, "total_tokens": 11}
    assert final.usage_metadata == full.usage_metadata
    assert final.response_metadata["finish_reason"] == "stop"
    assert final.response_metadata["model_name"] == "gpt-4o-mini"  # sent once, not N times
    assert ends.tokens == len(received)


def test_tool_call_arguments_in_many_pieces() -> None:
    ends = Ends()
    received = list(model(lambda: tool_events(N)).stream("go", config={"callbacks": [ends]}))
    (final,) = ends.messages
    assert final.tool_calls == [
        {"name": "echo", "args": {"text": "x" * (N - 20)}, "id": "call_1", "type": "tool_call"}
    ]
    full = received[0]
    for chunk in received[1:]:
        full = full + chunk
    assert full.tool_calls == final.tool_calls


async def test_astream_keeps_the_result_exact() -> None:
    ends = Ends()
    received = [
        c async for c in model(lambda: text_events(N)).astream("go", config={"callbacks": [ends]})
    ]
    (final,) = ends.messages
    assert final.content == "".join(f"t{i} " for i in range(N))
    assert "".join(str(c.content) for c in received) == final.content
    assert final.usage_metadata["total_tokens"] == 11


def peak_bytes(n: int) -> int:
    llm = model(lambda: text_events(n))
    tracemalloc.start()
    try:
        tracemalloc.reset_peak()
        for _ in llm.stream("go"):
            pass
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_what_a_chunk_costs_is_bounded() -> None:
    """Memory grows with the answer (langchain-core keeps every chunk), by a bounded amount per
    chunk: the figure docs/langchain-chat.md states."""
    short, long = peak_bytes(1_000), peak_bytes(8_000)
    per_chunk = (long - short) / 7_000
    assert 0 < per_chunk < PER_CHUNK_BYTES, per_chunk
