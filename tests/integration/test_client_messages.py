"""client.messages (Claude in Anthropic's Messages format) over replayed cassettes, sync and async.

The cassettes are synthesized from Anthropic's public Messages wire format (tests/synth/
answers_messages.py; their first line says so): the reference lists the endpoint without bodies.
"""

from __future__ import annotations

import base64
from typing import Any

import pytest
from vcr.cassette import Cassette

from yescale import NotFoundError, PermissionDeniedError, YEScaleClient
from yescale.types.message_events import (
    ContentBlockDeltaEvent,
    MessageDeltaEvent,
    MessageStartEvent,
    MessageStopEvent,
)
from yescale.types.messages import (
    Message,
    RedactedThinkingBlock,
    ServerToolUseBlock,
    TextBlock,
    ThinkingBlock,
    ToolUseBlock,
    WebSearchToolResultBlock,
)

from .client_support import sent_json

MODEL = "claude-sonnet-4-5"
HELLO = [{"role": "user", "content": "Say hello."}]
SYSTEM = [
    {"type": "text", "text": "You answer briefly."},
    {
        "type": "text",
        "text": "Reference manual: " + "the gateway relays Claude. " * 40,
        "cache_control": {"type": "ephemeral"},
    },
]
WEATHER_TOOL = {
    "name": "get_weather",
    "description": "The current weather in a city.",
    "input_schema": {
        "type": "object",
        "properties": {"city": {"type": "string"}, "unit": {"type": "string"}},
        "required": ["city"],
    },
}
WEATHER = [{"role": "user", "content": "What is the weather in Paris?"}]
THINKING = {"type": "enabled", "budget_tokens": 2048}
WEB_SEARCH = {"type": "web_search_20250305", "name": "web_search", "max_uses": 3}
SEARCH = [{"role": "user", "content": "Who won Euro 2024?"}]


def _red_png() -> str:
    import struct
    import zlib

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    raw = (b"\x00" + bytes((220, 40, 40)) * 2) * 2
    png = (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", 2, 2, 8, 2, 0, 0, 0))
        + chunk(b"IDAT", zlib.compress(raw, 9))
        + chunk(b"IEND", b"")
    )
    return base64.b64encode(png).decode()


IMAGE = [
    {
        "role": "user",
        "content": [
            {
                "type": "image",
                "source": {"type": "base64", "media_type": "image/png", "data": _red_png()},
            },
            {"type": "text", "text": "What is in this image?"},
        ],
    }
]


def _sent_headers(vcr: Cassette, index: int) -> dict[str, Any]:
    return {k.lower(): v for k, v in vcr.requests[index].headers.items()}


def _tool_result(reply: Message) -> dict[str, Any]:
    call = reply.tool_uses[0]
    return {
        "role": "user",
        "content": [{"type": "tool_result", "tool_use_id": call.id, "content": "18C, sunny"}],
    }


# -- one answer ---------------------------------------------------------------------------------


@pytest.mark.vcr
def test_plain_text(vcr: Cassette) -> None:
    with YEScaleClient() as client:
        reply = client.messages.create(model=MODEL, max_tokens=256, messages=HELLO)
    assert isinstance(reply, Message)
    assert reply.text == "Hello! How can I help you today?"
    assert reply.stop_reason == "end_turn"
    assert reply.role == "assistant"
    assert reply.usage is not None
    assert reply.usage.output_tokens
    assert reply.cost is not None
    assert reply.cost.input_tokens == reply.usage.input_tokens
    assert sent_json(vcr, 0) == {"model": MODEL, "max_tokens": 256, "messages": HELLO}
    headers = _sent_headers(vcr, 0)
    assert headers["anthropic-version"] in (["2023-06-01"], "2023-06-01")
    assert "x-api-key" not in headers


@pytest.mark.vcr
async def test_plain_text_async(vcr: Cassette) -> None:
    async with YEScaleClient() as client:
        reply = await client.aio.messages.create(
            model=MODEL, max_tokens=256, messages=HELLO, temperature=0
        )
    assert reply.text == "Hello! How can I help you today?"
    assert sent_json(vcr, 0)["temperature"] == 0


@pytest.mark.vcr
def test_system_blocks_with_cache_control_report_cache_usage(vcr: Cassette) -> None:
    """cache_control passes through untouched; the first call writes the cache, the next reads
    it, and the cost counts cached tokens as input (the upper-bound assumption)."""
    with YEScaleClient() as client:
        first = client.messages.create(model=MODEL, max_tokens=128, system=SYSTEM, messages=HELLO)
        again = [*HELLO, first.to_param(), {"role": "user", "content": "And again."}]
        second = client.messages.create(model=MODEL, max_tokens=128, system=SYSTEM, messages=again)
    assert sent_json(vcr, 0)["system"] == SYSTEM
    assert first.usage is not None
    assert second.usage is not None
    assert first.usage.cache_creation_input_tokens == 2048
    assert first.usage.cache_read_input_tokens == 0
    assert second.usage.cache_read_input_tokens == 2048
    assert second.usage.cache_creation_input_tokens == 0
    assert second.cost is not None
    assert second.cost.input_tokens == second.usage.input_tokens + 2048


@pytest.mark.vcr
def test_tool_use_round_trip(vcr: Cassette) -> None:
    with YEScaleClient() as client:
        reply = client.messages.create(
            model=MODEL, max_tokens=512, messages=WEATHER, tools=[WEATHER_TOOL]
        )
        assert reply.stop_reason == "tool_use"
        call = reply.tool_uses[0]
        assert (call.name, call.input) == ("get_weather", {"city": "Paris", "unit": "celsius"})
        turn = [*WEATHER, reply.to_param(), _tool_result(reply)]
        final = client.messages.create(
            model=MODEL, max_tokens=512, messages=turn, tools=[WEATHER_TOOL]
        )
    assert final.text == "It is 18 degrees and sunny in Paris."
    assert sent_json(vcr, 1)["messages"][1] == reply.to_param()


@pytest.mark.vcr
async def test_thinking_round_trip_keeps_signature_and_redacted_data(vcr: Cassette) -> None:
    """Thinking blocks go back with their signature, redacted thinking with its data, as the
    typed blocks of the answer (the synthesizer refuses altered ones, as Anthropic does)."""
    async with YEScaleClient() as client:
        reply = await client.aio.messages.create(
            model=MODEL, max_tokens=4096, messages=WEATHER, tools=[WEATHER_TOOL], thinking=THINKING
        )
        kinds = [type(b) for b in reply.content]
        assert kinds == [ThinkingBlock, RedactedThinkingBlock, ToolUseBlock]
        thought = reply.content[0]
        assert isinstance(thought, ThinkingBlock)
        assert thought.signature
        turn = [*WEATHER, {"role": "assistant", "content": reply.content}, _tool_result(reply)]
        final = await client.aio.messages.create(
            model=MODEL, max_tokens=4096, messages=turn, tools=[WEATHER_TOOL], thinking=THINKING
        )
    sent = sent_json(vcr, 1)["messages"][1]["content"]
    assert sent[0]["signature"] == thought.signature
    assert sent[1] == {"type": "redacted_thinking", "data": reply.content[1].data}  # type: ignore[union-attr]
    assert isinstance(final.content[0], ThinkingBlock)
    assert final.text == "It is 18 degrees and sunny in Paris."


@pytest.mark.vcr
def test_image_input_base64(vcr: Cassette) -> None:
    with YEScaleClient() as client:
        reply = client.messages.create(model=MODEL, max_tokens=256, messages=IMAGE)
    assert reply.text == "The image is a small red square."
    assert sent_json(vcr, 0)["messages"] == IMAGE


@pytest.mark.vcr
def test_web_search_server_tool_with_citations(vcr: Cassette) -> None:
    with YEScaleClient() as client:
        reply = client.messages.create(
            model=MODEL, max_tokens=1024, messages=SEARCH, tools=[WEB_SEARCH]
        )
    kinds = [type(b) for b in reply.content]
    assert kinds == [TextBlock, ServerToolUseBlock, WebSearchToolResultBlock, TextBlock]
    search = reply.content[1]
    assert isinstance(search, ServerToolUseBlock)
    assert search.input == {"query": "Euro 2024 winner"}
    cited = reply.content[3]
    assert isinstance(cited, TextBlock)
    assert cited.citations is not None
    assert cited.citations[0]["type"] == "web_search_result_location"
    assert reply.usage is not None
    assert reply.usage.server_tool_use is not None
    assert reply.usage.server_tool_use.web_search_requests == 1
    assert sent_json(vcr, 0)["tools"] == [WEB_SEARCH]


# -- errors in Anthropic's format ----------------------------------------------------------------


@pytest.mark.vcr
def test_anthropic_error_body_is_the_typed_error() -> None:
    with YEScaleClient() as client, pytest.raises(NotFoundError) as caught:
        client.messages.create(model="claude-nonexistent-9", max_tokens=16, messages=HELLO)
    assert "model: claude-nonexistent-9" in str(caught.value)
    assert caught.value.status_code == 404
    assert caught.value.error_type == "not_found_error"


@pytest.mark.vcr
def test_anthropic_error_in_a_200_body_is_raised() -> None:
    prompt = [{"role": "user", "content": "Answer with an error."}]
    with YEScaleClient() as client, pytest.raises(PermissionDeniedError) as caught:
        client.messages.create(model=MODEL, max_tokens=16, messages=prompt)
    assert "may not use claude-sonnet-4-5" in str(caught.value)
    assert caught.value.status_code is None


# -- streams ------------------------------------------------------------------------------------


@pytest.mark.vcr
def test_stream_plain_text(vcr: Cassette) -> None:
    with (
        YEScaleClient() as client,
        client.messages.stream(model=MODEL, max_tokens=256, messages=HELLO) as stream,
    ):
        texts = list(stream.text_stream)
        final = stream.get_final_message()
    assert "".join(texts) == "Hello! How can I help you today?"
    assert len(texts) == 2
    assert final.text == "".join(texts)
    assert final.stop_reason == "end_turn"
    assert final.usage is not None
    assert final.usage.output_tokens > 1  # the message_delta's count, not message_start's
    assert final.cost is not None
    assert sent_json(vcr, 0)["stream"] is True


@pytest.mark.vcr
async def test_stream_plain_text_async() -> None:
    async with YEScaleClient() as client:
        stream = client.aio.messages.stream(model=MODEL, max_tokens=256, messages=HELLO)
        events = [event async for event in stream]
        final = await stream.get_final_message()
    assert isinstance(events[0], MessageStartEvent)
    assert isinstance(events[-2], MessageDeltaEvent)
    assert isinstance(events[-1], MessageStopEvent)
    assert final.text == "Hello! How can I help you today?"


@pytest.mark.vcr
def test_stream_cache_usage() -> None:
    with YEScaleClient() as client:
        final = client.messages.stream(
            model=MODEL, max_tokens=128, system=SYSTEM, messages=HELLO
        ).get_final_message()
    assert final.usage is not None
    assert final.usage.cache_creation_input_tokens == 2048
    assert final.cost is not None
    assert final.cost.input_tokens == final.usage.prompt_tokens


@pytest.mark.vcr
def test_stream_tool_use_assembles_the_input() -> None:
    with YEScaleClient() as client:
        stream = client.messages.stream(
            model=MODEL, max_tokens=512, messages=WEATHER, tools=[WEATHER_TOOL]
        )
        pieces = [
            e.delta.partial_json  # type: ignore[union-attr]
            for e in stream
            if isinstance(e, ContentBlockDeltaEvent) and e.delta.type == "input_json_delta"
        ]
        final = stream.get_final_message()
    assert len(pieces) == 3
    assert final.tool_uses[0].input == {"city": "Paris", "unit": "celsius"}
    assert final.stop_reason == "tool_use"


@pytest.mark.vcr
async def test_stream_thinking_round_trip(vcr: Cassette) -> None:
    async with YEScaleClient() as client:
        stream = client.aio.messages.stream(
            model=MODEL, max_tokens=4096, messages=WEATHER, tools=[WEATHER_TOOL], thinking=THINKING
        )
        reply = await stream.get_final_message()
        thought = reply.content[0]
        assert isinstance(thought, ThinkingBlock)
        assert thought.signature  # assembled from the signature_delta
        assert thought.thinking.startswith("The user wants the weather")
        assert isinstance(reply.content[1], RedactedThinkingBlock)
        turn = [*WEATHER, reply.to_param(), _tool_result(reply)]
        again = client.aio.messages.stream(
            model=MODEL, max_tokens=4096, messages=turn, tools=[WEATHER_TOOL], thinking=THINKING
        )
        final = await again.get_final_message()
    assert final.text == "It is 18 degrees and sunny in Paris."
    assert sent_json(vcr, 1)["messages"][1] == reply.to_param()


@pytest.mark.vcr
def test_stream_image_input() -> None:
    with YEScaleClient() as client:
        final = client.messages.stream(
            model=MODEL, max_tokens=256, messages=IMAGE
        ).get_final_message()
    assert final.text == "The image is a small red square."


@pytest.mark.vcr
def test_stream_web_search_citations() -> None:
    with YEScaleClient() as client:
        final = client.messages.stream(
            model=MODEL, max_tokens=1024, messages=SEARCH, tools=[WEB_SEARCH]
        ).get_final_message()
    cited = final.content[3]
    assert isinstance(cited, TextBlock)
    assert cited.text.startswith("Spain won Euro 2024")
    assert cited.citations is not None
    assert [c["type"] for c in cited.citations] == ["web_search_result_location"]
    result = final.content[2]
    assert isinstance(result, WebSearchToolResultBlock)
    assert len(result.content) == 2
    assert final.usage is not None
    assert final.usage.server_tool_use is not None
    assert final.usage.server_tool_use.web_search_requests == 1
