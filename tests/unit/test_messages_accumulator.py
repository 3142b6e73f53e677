"""The Messages stream accumulator: the final message built from typed events (thinking and its
signature, redacted thinking, citations, tool input from ``partial_json``), events that do not fit
refused, and the same message through the client whatever way the stream's bytes are split."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import httpx
import pytest

from yescale import IncompleteStreamError, InvalidResponseError, YEScaleClient
from yescale._message_stream import MessageAccumulator, MessageStreamDecoder
from yescale.types.message_events import EventBase
from yescale.types.messages import Message

from .test_messages_wire import HI, KEY, MODEL, sse

# -- the accumulator ----------------------------------------------------------------------------

START = {
    "type": "message_start",
    "message": {
        "id": "msg_1",
        "type": "message",
        "role": "assistant",
        "model": MODEL,
        "content": [],
        "stop_reason": None,
        "usage": {"input_tokens": 12, "output_tokens": 1, "cache_read_input_tokens": 4},
    },
}


def block(index: int, content_block: dict[str, Any], *deltas: dict[str, Any]) -> list[Any]:
    return [
        {"type": "content_block_start", "index": index, "content_block": content_block},
        *({"type": "content_block_delta", "index": index, "delta": d} for d in deltas),
        {"type": "content_block_stop", "index": index},
    ]


CITATION = {"type": "web_search_result_location", "url": "https://a.example", "cited_text": "x"}
EVENTS: list[dict[str, Any]] = [
    START,
    *block(
        0,
        {"type": "thinking", "thinking": "", "signature": ""},
        {"type": "thinking_delta", "thinking": "Let me "},
        {"type": "thinking_delta", "thinking": "think."},
        {"type": "signature_delta", "signature": "c2ln"},
    ),
    *block(1, {"type": "redacted_thinking", "data": "ZW5j"}),
    *block(
        2,
        {"type": "text", "text": "", "citations": []},
        {"type": "citations_delta", "citation": CITATION},
        {"type": "text_delta", "text": "Hel"},
        {"type": "text_delta", "text": "lo"},
    ),
    *block(
        3,
        {"type": "tool_use", "id": "toolu_1", "name": "f", "input": {}},
        {"type": "input_json_delta", "partial_json": ""},
        {"type": "input_json_delta", "partial_json": '{"city": "Par'},
        {"type": "input_json_delta", "partial_json": 'is"}'},
    ),
    *block(4, {"type": "tool_use", "id": "toolu_2", "name": "g", "input": {}}),
    {
        "type": "message_delta",
        "delta": {"stop_reason": "tool_use", "stop_sequence": None},
        "usage": {"output_tokens": 30},
    },
    {"type": "message_stop"},
]


def accumulate(events: list[dict[str, Any]]) -> MessageAccumulator:
    decoder, accumulator = MessageStreamDecoder(), MessageAccumulator()
    for event in events:
        typed = decoder.feed(sse(event))
        if typed is not None:
            accumulator.feed(typed)
    return accumulator


def test_the_accumulator_builds_the_final_message() -> None:
    message = accumulate(EVENTS).final_message()
    assert message.to_param()["content"] == [
        {"type": "thinking", "thinking": "Let me think.", "signature": "c2ln"},
        {"type": "redacted_thinking", "data": "ZW5j"},
        {"type": "text", "text": "Hello", "citations": [CITATION]},
        {"type": "tool_use", "id": "toolu_1", "name": "f", "input": {"city": "Paris"}},
        {"type": "tool_use", "id": "toolu_2", "name": "g", "input": {}},
    ]
    assert message.stop_reason == "tool_use"
    assert message.usage is not None
    assert (message.usage.input_tokens, message.usage.output_tokens) == (12, 30)
    assert message.usage.cache_read_input_tokens == 4


def test_the_accumulator_refuses_an_unfinished_message() -> None:
    with pytest.raises(IncompleteStreamError, match="has not ended with message_stop"):
        accumulate(EVENTS[:-1]).final_message()


@pytest.mark.parametrize(
    ("events", "pattern"),
    [
        (EVENTS[1:], "no message_start event"),
        ([START, START], "a second message_start"),
        ([START, EVENTS[2]], "a delta for content block 0, which is not open"),
        ([START, *block(1, {"type": "text", "text": ""})], "content block 1 started where"),
        (
            [
                START,
                *block(
                    0,
                    {"type": "tool_use", "id": "t", "name": "f", "input": {}},
                    {"type": "input_json_delta", "partial_json": '{"cut'},
                ),
            ],
            r"the input of tool_use block 0 \('f'\) is not a JSON object",
        ),
        (
            [
                START,
                *block(
                    0, {"type": "text", "text": ""}, {"type": "thinking_delta", "thinking": "x"}
                ),
            ],
            "a thinking_delta for content block 0, a text block",
        ),
        ([START, EVENTS[1], {"type": "message_stop"}], "message_stop before content block 0"),
    ],
)
def test_the_accumulator_refuses_events_that_do_not_fit(
    events: list[dict[str, Any]], pattern: str
) -> None:
    with pytest.raises(InvalidResponseError, match=pattern):
        accumulate(events)


# -- through the client, with the stream's bytes split anywhere ---------------------------------


def wire(events: list[dict[str, Any]]) -> bytes:
    return "".join(f"event: {e['type']}\r\ndata: {json.dumps(e)}\r\n\r\n" for e in events).encode()


class Split(httpx.SyncByteStream, httpx.AsyncByteStream):
    def __init__(self, data: bytes, size: int) -> None:
        self.parts = [data[i : i + size] for i in range(0, len(data), size)]

    def __iter__(self) -> Any:
        yield from self.parts

    async def __aiter__(self) -> Any:
        for part in self.parts:
            yield part


def _respond(size: int, events: list[dict[str, Any]], seen: list[httpx.Request]) -> Any:
    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(
            200, headers={"content-type": "text/event-stream"}, stream=Split(wire(events), size)
        )

    return handler


@pytest.mark.parametrize("size", [1, 7, 64, 100_000])
def test_a_split_stream_gives_the_same_message(size: int) -> None:
    seen: list[httpx.Request] = []
    transport = httpx.MockTransport(
        _respond(size, [*EVENTS[:3], {"type": "ping"}, *EVENTS[3:]], seen)
    )
    client = YEScaleClient(api_key=KEY, http_client=httpx.Client(transport=transport))
    with client.messages.stream(model=MODEL, max_tokens=100, messages=HI) as stream:
        events = list(stream)
        message = stream.get_final_message()
    assert all(isinstance(e, EventBase) for e in events)
    assert len(events) == len(EVENTS)  # the ping was kept back
    assert message.to_param() == accumulate(EVENTS).final_message().to_param()
    assert message.cost is not None
    assert (message.cost.input_tokens, message.cost.output_tokens) == (16, 30)
    assert seen[0].headers["anthropic-version"] == "2023-06-01"
    assert seen[0].headers["authorization"] == f"Bearer {KEY}"
    assert seen[0].headers["accept"] == "text/event-stream"


@pytest.mark.parametrize("size", [1, 13])
def test_a_split_stream_gives_the_same_message_async(size: int) -> None:
    seen: list[httpx.Request] = []
    transport = httpx.MockTransport(_respond(size, EVENTS, seen))

    async def go() -> tuple[list[str], Message]:
        client = YEScaleClient(
            api_key=KEY, async_http_client=httpx.AsyncClient(transport=transport)
        )
        stream = await client.aio.messages.stream(model=MODEL, max_tokens=100, messages=HI)
        texts = [t async for t in stream.text_stream]
        message = await stream.get_final_message()
        await client.aclose()
        return texts, message

    texts, message = asyncio.run(go())
    assert "".join(texts) == "Hello"
    assert message.to_param() == accumulate(EVENTS).final_message().to_param()
