"""``ChatYEScale.stream`` / ``astream`` hold a bounded number of chunks, whatever the length.

langchain-core's ``BaseChatModel.stream`` keeps every chunk until the end; ours merges the kept
ones every ``COMPACT_EVERY`` chunks. These tests check that the kept list stays bounded, that the
merged result (what the end-of-run callbacks get) is exactly the unmerged one, tool-call
arguments split across a merge included, and that memory does not grow with the answer.
"""

from __future__ import annotations

import json
import tracemalloc
from collections.abc import Iterator
from typing import Any
from uuid import UUID

import httpx
import pytest
from langchain_core.callbacks import BaseCallbackHandler
from langchain_core.messages import AIMessageChunk
from langchain_core.outputs import LLMResult

from langchain_yescale import ChatYEScale
from langchain_yescale._chat_base import COMPACT_EVERY

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


def kept_by_langchain(ours: Iterator[Any]) -> list[Any]:
    """The list langchain-core's ``stream`` keeps, seen from inside our suspended generator."""
    inner = ours.gi_frame.f_locals["stream"]  # type: ignore[attr-defined]
    kept: list[Any] = inner.gi_frame.f_locals["chunks"]
    return kept


def test_kept_chunks_stay_bounded_and_the_result_is_exact() -> None:
    n = 5 * COMPACT_EVERY + 17
    ends = Ends()
    stream = model(lambda: text_events(n)).stream("go", config={"callbacks": [ends]})
    received: list[AIMessageChunk] = []
    longest = 0
    for chunk in stream:
        received.append(chunk)
        if len(received) <= n:
            longest = max(longest, len(kept_by_langchain(stream)))
    assert longest <= COMPACT_EVERY  # without the merging it would reach n
    assert "".join(str(c.content) for c in received) == "".join(f"t{i} " for i in range(n))
    (final,) = ends.messages
    full = received[0]
    for chunk in received[1:]:
        full = full + chunk
    assert final.content == full.content
    assert final.usage_metadata == {"input_tokens": 4, "output_tokens": 7, "total_tokens": 11}
    assert final.usage_metadata == full.usage_metadata
    assert final.response_metadata["finish_reason"] == "stop"
    assert final.response_metadata["model_name"] == "gpt-4o-mini"  # merged once, not n times
    assert ends.tokens == len(received)


def test_tool_call_arguments_split_across_merges() -> None:
    pieces = 3 * COMPACT_EVERY
    ends = Ends()
    received = list(model(lambda: tool_events(pieces)).stream("go", config={"callbacks": [ends]}))
    (final,) = ends.messages
    assert final.tool_calls == [
        {"name": "echo", "args": {"text": "x" * (pieces - 20)}, "id": "call_1", "type": "tool_call"}
    ]
    full = received[0]
    for chunk in received[1:]:
        full = full + chunk
    assert full.tool_calls == final.tool_calls


async def test_astream_keeps_the_result_exact() -> None:
    n = 3 * COMPACT_EVERY + 5
    ends = Ends()
    received = [
        c async for c in model(lambda: text_events(n)).astream("go", config={"callbacks": [ends]})
    ]
    (final,) = ends.messages
    assert final.content == "".join(f"t{i} " for i in range(n))
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


@pytest.mark.parametrize("longer", [8])
def test_memory_does_not_grow_with_the_answer(longer: int) -> None:
    short, long = peak_bytes(1000), peak_bytes(1000 * longer)
    # Kept whole, 7,000 more chunks would cost about 15 MB (about 2 KB each).
    assert long - short < 3_000_000, (short, long)
