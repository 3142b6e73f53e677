"""client.messages.chat: OpenAI-format chat over Anthropic's /v1/messages, over replayed cassettes.

The cassettes are synthesized (tests/synth/answers_messages.py, Anthropic's public Messages wire
format; their first line says so). The synthesizer refuses a second turn whose thinking blocks
lost or changed their signature / data, as Anthropic does.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

import pytest
from vcr.cassette import Cassette

from tests.synth.answers_messages import (
    CACHED_TOKENS,
    GREETING,
    IMAGE_ANSWER,
    REDACTED,
    RESULTS,
    SEARCHED,
    SIGNATURE,
    THOUGHT,
    THOUGHT_AFTER,
    WEATHER,
    WEATHER_ANSWER,
)
from yescale import YEScaleClient
from yescale.integration.chat_calls import ChatCalls
from yescale.types.chat import ChatCompletion, ChatCompletionChunk

from .client_support import sent_json
from .test_client_messages import _red_png

MODEL = "claude-sonnet-4-5"
HELLO = [
    {"role": "system", "content": "You answer briefly."},
    {"role": "user", "content": "Say hello."},
]
WEATHER_TOOL = {
    "type": "function",
    "function": {
        "name": "get_weather",
        "description": "The current weather in a city.",
        "parameters": {
            "type": "object",
            "properties": {"city": {"type": "string"}, "unit": {"type": "string"}},
            "required": ["city"],
        },
    },
}
ASK_WEATHER = [{"role": "user", "content": "What is the weather in Paris?"}]
THINKING = {"type": "enabled", "budget_tokens": 2048}
WEB_SEARCH = {"type": "web_search_20250305", "name": "web_search", "max_uses": 3}
LET_ME = "Let me search for that."


def merged(chunks: Iterable[ChatCompletionChunk]) -> dict[str, Any]:
    """A stream's chunks folded into one OpenAI-format message (as a framework would)."""
    message: dict[str, Any] = {"role": "assistant", "content": ""}
    calls: dict[int, dict[str, Any]] = {}
    for chunk in chunks:
        for choice in chunk.choices:
            delta = choice.delta.model_dump(exclude_none=True)
            message["content"] += delta.get("content", "")
            if "reasoning_content" in delta:
                message["reasoning_content"] = (
                    message.get("reasoning_content", "") + delta["reasoning_content"]
                )
            for call in delta.get("tool_calls", []):
                into = calls.setdefault(call["index"], {"function": {"arguments": ""}})
                into.update({k: call[k] for k in ("id", "type") if k in call})
                function = call.get("function", {})
                if "name" in function:
                    into["function"]["name"] = function["name"]
                into["function"]["arguments"] += function.get("arguments", "")
            thinking = delta.get("extra_content", {}).get("anthropic", {}).get("thinking", [])
            if thinking:
                kept = message.setdefault("extra_content", {"anthropic": {"thinking": []}})
                kept["anthropic"]["thinking"] += thinking
            message.setdefault("annotations", []).extend(delta.get("annotations", []))
            if choice.finish_reason:
                message["finish_reason"] = choice.finish_reason
    if calls:
        message["tool_calls"] = [calls[i] for i in sorted(calls)]
    if not message["annotations"]:
        del message["annotations"]
    return message


def _reply(completion: ChatCompletion) -> dict[str, Any]:
    """The answer's message as the next request's assistant message (all its fields)."""
    return completion.choices[0].message.model_dump(exclude_none=True)


def _tool_message(reply: dict[str, Any], content: Any = "18C, sunny") -> dict[str, Any]:
    return {"role": "tool", "tool_call_id": reply["tool_calls"][0]["id"], "content": content}


# -- one answer ---------------------------------------------------------------------------------


@pytest.mark.vcr
def test_create_plain_text(vcr: Cassette) -> None:
    with YEScaleClient() as client:
        answer = client.messages.chat.create(model=MODEL, messages=HELLO, max_tokens=256, stop="##")
    assert isinstance(answer, ChatCompletion)
    choice = answer.choices[0]
    assert choice.message.content == GREETING
    assert choice.finish_reason == "stop"
    assert choice.anthropic_stop_reason == "end_turn"  # type: ignore[attr-defined]
    assert answer.object == "chat.completion"
    assert answer.model == MODEL
    assert answer.usage is not None
    assert answer.usage.total_tokens == answer.usage.prompt_tokens + answer.usage.completion_tokens
    assert answer.cost is not None
    assert answer.cost.input_tokens == answer.usage.prompt_tokens
    assert sent_json(vcr, 0) == {
        "model": MODEL,
        "max_tokens": 256,
        "stop_sequences": ["##"],
        "system": "You answer briefly.",
        "messages": [{"role": "user", "content": "Say hello."}],
    }


@pytest.mark.vcr
async def test_create_plain_text_async(vcr: Cassette) -> None:
    async with YEScaleClient() as client:
        answer = await client.aio.messages.chat.create(
            model=MODEL, messages=HELLO, max_tokens=256, temperature=0
        )
    assert answer.choices[0].message.content == GREETING
    assert sent_json(vcr, 0)["temperature"] == 0


@pytest.mark.vcr
def test_stream_plain_text(vcr: Cassette) -> None:
    with YEScaleClient() as client:
        chunks = list(client.messages.chat.stream(model=MODEL, messages=HELLO, max_tokens=256))
    assert chunks[0].choices[0].delta.role == "assistant"
    assert all(c.object == "chat.completion.chunk" for c in chunks)
    assert merged(chunks)["content"] == GREETING
    with_usage = [c for c in chunks if c.usage is not None]
    assert with_usage == [chunks[-1]]  # usage counted once, on the last chunk
    assert chunks[-1].choices[0].finish_reason == "stop"
    assert chunks[-1].cost is not None
    assert sent_json(vcr, 0)["stream"] is True


@pytest.mark.vcr
async def test_stream_plain_text_async(vcr: Cassette) -> None:
    async with YEScaleClient() as client:
        stream = client.aio.messages.chat.stream(model=MODEL, messages=HELLO, max_tokens=256)
        chunks = [chunk async for chunk in stream]
    assert merged(chunks)["content"] == GREETING
    assert chunks[-1].usage is not None
    assert chunks[-1].cost is not None


# -- tools and thinking -------------------------------------------------------------------------


def _check_second_request(body: dict[str, Any]) -> None:
    assistant, results = body["messages"][1], body["messages"][2]
    assert [b["type"] for b in assistant["content"]] == [
        "thinking",
        "redacted_thinking",
        "tool_use",
    ]
    assert assistant["content"][0] == {
        "type": "thinking",
        "thinking": THOUGHT,
        "signature": SIGNATURE,
    }
    assert assistant["content"][1] == {"type": "redacted_thinking", "data": REDACTED}
    assert assistant["content"][2]["input"] == WEATHER
    assert results["role"] == "user"
    assert results["content"][0]["type"] == "tool_result"
    assert results["content"][0]["tool_use_id"] == assistant["content"][2]["id"]


@pytest.mark.vcr
def test_tool_loop_with_thinking_carries_the_signature(vcr: Cassette) -> None:
    params = {"max_tokens": 4096, "thinking": THINKING}
    with YEScaleClient() as client:
        first = client.messages.chat.create(
            model=MODEL, messages=ASK_WEATHER, tools=[WEATHER_TOOL], **params
        )
        reply = _reply(first)
        assert first.choices[0].finish_reason == "tool_calls"
        assert reply["reasoning_content"] == THOUGHT
        assert reply["extra_content"] == {
            "anthropic": {
                "thinking": [
                    {"type": "thinking", "thinking": THOUGHT, "signature": SIGNATURE},
                    {"type": "redacted_thinking", "data": REDACTED},
                ]
            }
        }
        call = reply["tool_calls"][0]
        assert call["function"]["name"] == "get_weather"
        assert json.loads(call["function"]["arguments"]) == WEATHER
        again = [*ASK_WEATHER, reply, _tool_message(reply)]
        second = client.messages.chat.create(
            model=MODEL, messages=again, tools=[WEATHER_TOOL], **params
        )
    assert second.choices[0].message.content == WEATHER_ANSWER
    assert second.choices[0].message.reasoning_content == THOUGHT_AFTER
    assert sent_json(vcr, 0)["tools"] == [
        {
            "name": "get_weather",
            "description": "The current weather in a city.",
            "input_schema": WEATHER_TOOL["function"]["parameters"],  # type: ignore[index]
        }
    ]
    _check_second_request(sent_json(vcr, 1))


@pytest.mark.vcr
async def test_streamed_tool_loop_with_thinking_carries_the_signature(vcr: Cassette) -> None:
    params = {"max_tokens": 4096, "thinking": THINKING}
    async with YEScaleClient() as client:
        stream = client.aio.messages.chat.stream(
            model=MODEL, messages=ASK_WEATHER, tools=[WEATHER_TOOL], **params
        )
        reply = merged([chunk async for chunk in stream])
        assert reply.pop("finish_reason") == "tool_calls"
        assert reply["reasoning_content"] == THOUGHT
        assert json.loads(reply["tool_calls"][0]["function"]["arguments"]) == WEATHER
        again = [*ASK_WEATHER, reply, _tool_message(reply)]
        stream = client.aio.messages.chat.stream(
            model=MODEL, messages=again, tools=[WEATHER_TOOL], **params
        )
        second = merged([chunk async for chunk in stream])
    assert second["content"] == WEATHER_ANSWER
    _check_second_request(sent_json(vcr, 1))


@pytest.mark.vcr
def test_tool_calls_through_chat_calls(vcr: Cassette) -> None:
    """The endpoint name a framework class uses: ChatCalls(client, "anthropic")."""
    with YEScaleClient() as client:
        calls = ChatCalls(client, "anthropic")
        params = {
            "model": MODEL,
            "max_tokens": 512,
            "tools": [WEATHER_TOOL],
            "tool_choice": "required",
        }
        answer = calls.create(ASK_WEATHER, {**params, "stream_usage": True})
        streamed = merged(calls.stream(ASK_WEATHER, params))
    assert answer.choices[0].message.tool_calls is not None
    assert streamed["tool_calls"][0]["function"]["name"] == "get_weather"
    assert sent_json(vcr, 0)["tool_choice"] == {"type": "any"}
    assert "stream_usage" not in sent_json(vcr, 0)


# -- citations, caching, images -----------------------------------------------------------------


def _check_search(message: dict[str, Any]) -> None:
    assert message["content"] == LET_ME + SEARCHED
    (annotation,) = message["annotations"]
    citation = annotation["url_citation"]
    assert annotation["type"] == "url_citation"
    assert citation["url"] == RESULTS[0]["url"]
    assert citation["title"] == RESULTS[0]["title"]
    # the cited text block's span in the joined text (Anthropic gives no offsets)
    assert (citation["start_index"], citation["end_index"]) == (
        len(LET_ME),
        len(message["content"]),
    )
    assert message["content"][citation["start_index"] : citation["end_index"]] == SEARCHED
    assert citation["cited_text"].startswith("Spain are the champions")


@pytest.mark.vcr
def test_web_search_citations_and_server_blocks(vcr: Cassette) -> None:
    ask = [{"role": "user", "content": "Who won Euro 2024?"}]
    with YEScaleClient() as client:
        answer = client.messages.chat.create(
            model=MODEL, messages=ask, tools=[WEB_SEARCH], max_tokens=1024
        )
        streamed = merged(
            client.messages.chat.stream(
                model=MODEL, messages=ask, tools=[WEB_SEARCH], max_tokens=1024
            )
        )
    message = _reply(answer)
    _check_search(message)
    _check_search(streamed)
    blocks = message["content_blocks"]
    assert [b["type"] for b in blocks] == [
        "text",
        "server_tool_call",
        "server_tool_result",
        "text",
    ]
    assert blocks[1]["name"] == "web_search"
    assert blocks[1]["args"] == {"query": "Euro 2024 winner"}
    assert blocks[2]["tool_call_id"] == blocks[1]["id"]
    assert blocks[2]["status"] == "success"
    assert blocks[2]["output"] == RESULTS
    assert answer.usage is not None
    assert answer.usage.server_tool_use == {"web_search_requests": 1}  # type: ignore[attr-defined]
    assert sent_json(vcr, 0)["tools"] == [WEB_SEARCH]  # a server tool passes as it is


@pytest.mark.vcr
def test_cache_control_is_kept_and_cache_usage_reported(vcr: Cassette) -> None:
    manual = "Reference manual: " + "the gateway relays Claude. " * 40
    system = {
        "role": "system",
        "content": [
            {"type": "text", "text": "You answer briefly."},
            {"type": "text", "text": manual, "cache_control": {"type": "ephemeral"}},
        ],
    }
    chat = [system, {"role": "user", "content": "Say hello."}]
    with YEScaleClient() as client:
        first = client.messages.chat.create(model=MODEL, messages=chat, max_tokens=128)
        again = [*chat, _reply(first), {"role": "user", "content": "And again."}]
        second = client.messages.chat.create(model=MODEL, messages=again, max_tokens=128)
    assert sent_json(vcr, 0)["system"] == system["content"]
    assert first.usage is not None
    assert second.usage is not None
    details = first.usage.prompt_tokens_details
    assert details is not None
    assert details.cached_tokens == 0
    assert details.cache_creation_tokens == CACHED_TOKENS  # type: ignore[attr-defined]
    later = second.usage.prompt_tokens_details
    assert later is not None
    assert later.cached_tokens == CACHED_TOKENS
    assert second.usage.prompt_tokens > CACHED_TOKENS  # cached tokens are prompt tokens too


@pytest.mark.vcr
def test_image_data_url(vcr: Cassette) -> None:
    png = _red_png()
    ask = [
        {
            "role": "user",
            "content": [
                {"type": "image_url", "image_url": {"url": f"data:image/png;base64,{png}"}},
                {"type": "text", "text": "What is in this image?"},
            ],
        }
    ]
    with YEScaleClient() as client:
        answer = client.messages.chat.create(model=MODEL, messages=ask, max_tokens=256)
    assert answer.choices[0].message.content == IMAGE_ANSWER
    assert sent_json(vcr, 0)["messages"][0]["content"][0] == {
        "type": "image",
        "source": {"type": "base64", "media_type": "image/png", "data": png},
    }
