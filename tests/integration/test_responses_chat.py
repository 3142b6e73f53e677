"""client.responses.chat: OpenAI-format chat over OpenAI's /v1/responses, over replayed cassettes.

The cassettes are synthesized (tests/synth/answers_responses.py, OpenAI's public Responses wire
format; their first line says so). The synthesizer refuses a second turn whose reasoning items
lost or changed their encrypted content, a function_call_output answering no call of the input,
and a previous_response_id it never issued, as OpenAI does.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

import pytest
from vcr.cassette import Cassette

from tests.synth.answers_responses import (
    ENCRYPTED,
    FRENCH,
    GREETING,
    SEARCHED,
    SOURCES,
    THOUGHT,
    WEATHER,
    WEATHER_ANSWER,
)
from yescale import YEScaleClient
from yescale.integration.chat_calls import ChatCalls
from yescale.integration.streams import ChunkAccumulator
from yescale.types.chat import ChatCompletion, ChatCompletionChunk

from .client_support import sent_json

pytestmark = pytest.mark.usefixtures("no_prices")

MODEL = "gpt-5-mini"
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
            "required": ["city", "unit"],
            "additionalProperties": False,
        },
        "strict": True,
    },
}
FLAT_TOOL = {"type": "function", **WEATHER_TOOL["function"]}  # type: ignore[dict-item]
ASK_WEATHER = [{"role": "user", "content": "What is the weather in Paris?"}]
THINK: dict[str, Any] = {"reasoning": {"summary": "auto"}, "reasoning_effort": "low"}
STATELESS: dict[str, Any] = {"store": False, "include": ["reasoning.encrypted_content"]}
SCHEMA = {
    "type": "object",
    "properties": {"city": {"type": "string"}, "unit": {"type": "string"}},
    "required": ["city", "unit"],
    "additionalProperties": False,
}


def merged(chunks: Iterable[ChatCompletionChunk]) -> dict[str, Any]:
    """A stream's chunks folded into one OpenAI-format message, as the framework classes fold
    them (yescale.integration.streams), with a stream's ``index`` keys dropped."""
    acc = ChunkAccumulator()
    for chunk in chunks:
        acc.add(chunk)
    message: dict[str, Any] = {"role": "assistant", "content": acc.content}
    if acc.extras.get("refusal"):
        message["refusal"] = acc.extras["refusal"]
    if acc.reasoning:
        message["reasoning_content"] = acc.reasoning
    extra = acc.extras.get("extra_content")
    if extra:
        mine = dict(extra["openai"])
        if "reasoning" in mine:
            mine["reasoning"] = [
                {k: v for k, v in r.items() if k != "index"} for r in mine["reasoning"]
            ]
        message["extra_content"] = {"openai": mine}
    if acc.tool_calls:
        message["tool_calls"] = acc.tool_calls
    if acc.annotations:
        message["annotations"] = acc.annotations
    if acc.content_blocks is not None:
        message["content_blocks"] = acc.content_blocks
    message["finish_reason"] = acc.finish_reason
    return message


def _message(completion: ChatCompletion) -> dict[str, Any]:
    """The answer's message with its finish reason, as :func:`merged` gives a stream's."""
    choice = completion.choices[0]
    return {**choice.message.model_dump(exclude_none=True), "finish_reason": choice.finish_reason}


def _reply(completion: ChatCompletion) -> dict[str, Any]:
    """The answer's message as the next request's assistant message (all its fields)."""
    return completion.choices[0].message.model_dump(exclude_none=True)


def _tool_message(reply: dict[str, Any], content: Any = "18C, sunny") -> dict[str, Any]:
    return {"role": "tool", "tool_call_id": reply["tool_calls"][0]["id"], "content": content}


# -- one answer ---------------------------------------------------------------------------------


@pytest.mark.vcr
def test_create_plain_text(vcr: Cassette) -> None:
    with YEScaleClient() as client:
        answer = client.responses.chat.create(
            model=MODEL, messages=HELLO, max_tokens=256, stream_options={"include_usage": True}
        )
    assert isinstance(answer, ChatCompletion)
    choice = answer.choices[0]
    assert choice.message.content == GREETING
    assert choice.finish_reason == "stop"
    assert choice.response_status == "completed"  # type: ignore[attr-defined]
    assert answer.object == "chat.completion"
    assert answer.id is not None
    assert answer.id.startswith("resp_")
    assert answer.response_id == answer.id  # type: ignore[attr-defined]
    extra = choice.message.extra_content["openai"]  # type: ignore[attr-defined]
    assert extra["response_id"] == answer.id
    assert extra["message_id"].startswith("msg_")
    assert answer.usage is not None
    assert answer.usage.total_tokens == answer.usage.prompt_tokens + answer.usage.completion_tokens
    assert answer.cost is not None
    assert answer.cost.input_tokens == answer.usage.prompt_tokens
    assert sent_json(vcr, 0) == {
        "model": MODEL,
        "input": [
            {"type": "message", "role": "system", "content": "You answer briefly."},
            {"type": "message", "role": "user", "content": "Say hello."},
        ],
        "max_output_tokens": 256,
    }


@pytest.mark.vcr
async def test_create_plain_text_async(vcr: Cassette) -> None:
    async with YEScaleClient() as client:
        answer = await client.aio.responses.chat.create(model=MODEL, messages=HELLO)
    assert answer.choices[0].message.content == GREETING
    assert sent_json(vcr, 0)["input"][1] == {
        "type": "message",
        "role": "user",
        "content": "Say hello.",
    }


@pytest.mark.vcr
def test_max_output_tokens_reached_is_length() -> None:
    with YEScaleClient() as client:
        answer = client.responses.chat.create(model=MODEL, messages=HELLO, max_completion_tokens=16)
    choice = answer.choices[0]
    assert choice.finish_reason == "length"
    assert choice.response_status == "incomplete"  # type: ignore[attr-defined]
    assert choice.message.content == "Hello! How"


@pytest.mark.vcr
def test_streams_equal_the_whole_answer(vcr: Cassette) -> None:
    with YEScaleClient() as client:
        whole = client.responses.chat.create(model=MODEL, messages=HELLO)
        chunks = list(client.responses.chat.stream(model=MODEL, messages=HELLO))
    assert merged(chunks) == _message(whole)
    assert chunks[0].choices[0].delta.role == "assistant"
    assert [c.choices[0].finish_reason for c in chunks if c.choices[0].finish_reason] == ["stop"]
    assert [c for c in chunks if c.usage is not None] == [chunks[-1]]
    assert chunks[-1].usage == whole.usage
    assert chunks[-1].cost is not None
    assert sent_json(vcr, 1) == {**sent_json(vcr, 0), "stream": True}


@pytest.mark.vcr
async def test_async_streams_equal_the_whole_answer() -> None:
    async with YEScaleClient() as client:
        whole = await client.aio.responses.chat.create(model=MODEL, messages=HELLO)
        chunks = [c async for c in client.aio.responses.chat.stream(model=MODEL, messages=HELLO)]
    assert merged(chunks) == _message(whole)


# -- tools --------------------------------------------------------------------------------------


@pytest.mark.vcr
def test_tool_call_round_trip(vcr: Cassette) -> None:
    forced = {"type": "function", "function": {"name": "get_weather"}}
    with YEScaleClient() as client:
        first = client.responses.chat.create(
            model=MODEL,
            messages=ASK_WEATHER,
            tools=[WEATHER_TOOL],
            tool_choice=forced,
            parallel_tool_calls=False,
        )
        reply = _reply(first)
        call = reply["tool_calls"][0]
        assert first.choices[0].finish_reason == "tool_calls"
        assert json.loads(call["function"]["arguments"]) == WEATHER
        assert call["id"].startswith("call_")
        item_id = call["extra_content"]["openai"]["item_id"]
        assert item_id.startswith("fc_")
        assert reply["content"] == ""
        second = client.responses.chat.create(
            model=MODEL,
            messages=[*ASK_WEATHER, reply, _tool_message(reply)],
            tools=[WEATHER_TOOL],
        )
    assert second.choices[0].message.content == WEATHER_ANSWER
    sent = sent_json(vcr, 0)
    assert sent["tools"] == [FLAT_TOOL]
    assert sent["tool_choice"] == {"type": "function", "name": "get_weather"}
    assert sent["parallel_tool_calls"] is False
    assert sent_json(vcr, 1)["input"][1:] == [
        {
            "type": "function_call",
            "name": "get_weather",
            "arguments": call["function"]["arguments"],
            "call_id": call["id"],
            "id": item_id,
        },
        {"type": "function_call_output", "output": "18C, sunny", "call_id": call["id"]},
    ]


@pytest.mark.vcr
def test_reasoning_with_encrypted_content_goes_back_on_the_tool_turn(vcr: Cassette) -> None:
    with YEScaleClient() as client:
        first = client.responses.chat.create(
            model=MODEL, messages=ASK_WEATHER, tools=[WEATHER_TOOL], **THINK, **STATELESS
        )
        streamed = list(
            client.responses.chat.stream(
                model=MODEL, messages=ASK_WEATHER, tools=[WEATHER_TOOL], **THINK, **STATELESS
            )
        )
        reply = _reply(first)
        assert merged(streamed) == _message(first)
        second = client.responses.chat.create(
            model=MODEL,
            messages=[*ASK_WEATHER, reply, _tool_message(reply)],
            tools=[WEATHER_TOOL],
            **THINK,
            **STATELESS,
        )
    assert reply["reasoning_content"] == THOUGHT
    (reasoning,) = reply["extra_content"]["openai"]["reasoning"]
    assert reasoning["encrypted_content"] == ENCRYPTED
    assert reasoning["id"].startswith("rs_")
    assert reasoning["summary"] == [{"type": "summary_text", "text": THOUGHT}]
    assert "message_id" not in reply["extra_content"]["openai"]  # a tool-call turn: no message
    assert second.choices[0].message.content == WEATHER_ANSWER
    usage = second.usage
    assert usage is not None
    assert usage.completion_tokens_details is not None
    assert usage.completion_tokens_details.reasoning_tokens == 64
    sent = sent_json(vcr, 0)
    assert sent["reasoning"] == {"summary": "auto", "effort": "low"}
    assert sent["store"] is False
    assert sent["include"] == ["reasoning.encrypted_content"]
    items = sent_json(vcr, 2)["input"]
    assert [i.get("type") for i in items] == [
        "message",
        "reasoning",
        "function_call",
        "function_call_output",
    ]
    assert items[1] == reasoning  # sent back as the answer gave it, before its function call


@pytest.mark.vcr
def test_chat_calls_speak_responses(vcr: Cassette) -> None:
    with YEScaleClient() as client:
        calls = ChatCalls(client, "responses")
        params = {"model": MODEL, "tools": [WEATHER_TOOL], "stream_usage": True}
        whole = calls.create(ASK_WEATHER, params)
        chunks = list(calls.stream(ASK_WEATHER, params))
    assert merged(chunks) == _message(whole)
    assert merged(chunks)["finish_reason"] == "tool_calls"
    assert "include_usage" not in sent_json(vcr, 1)
    assert "stream_usage" not in sent_json(vcr, 1)


@pytest.mark.vcr
async def test_chat_calls_speak_responses_async() -> None:
    async with YEScaleClient() as client:
        calls = ChatCalls(client, "responses")
        params = {"model": MODEL, "tools": [WEATHER_TOOL]}
        whole = await calls.acreate(ASK_WEATHER, params)
        chunks = [c async for c in calls.astream(ASK_WEATHER, params)]
    assert merged(chunks) == _message(whole)


# -- state kept by the service ------------------------------------------------------------------


@pytest.mark.vcr
def test_previous_response_id_chains_turns(vcr: Cassette) -> None:
    more = {"role": "user", "content": "And in French?"}
    with YEScaleClient() as client:
        first = client.responses.chat.create(model=MODEL, messages=HELLO)
        explicit = client.responses.chat.create(
            model=MODEL,
            messages=[more],
            previous_response_id=first.response_id,  # type: ignore[attr-defined]
        )
        conversation = [*HELLO, _reply(first), more]
        derived = client.responses.chat.create(
            model=MODEL, messages=conversation, use_previous_response_id=True
        )
    for answer in (explicit, derived):
        assert answer.choices[0].message.content == f"Earlier I said: {GREETING} {FRENCH}"
        assert answer.usage is not None
        assert answer.usage.prompt_tokens_details is not None
        assert answer.usage.prompt_tokens_details.cached_tokens == 1024
    new = [{"type": "message", "role": "user", "content": "And in French?"}]
    assert sent_json(vcr, 1) == {"model": MODEL, "input": new, "previous_response_id": first.id}
    assert sent_json(vcr, 2) == sent_json(vcr, 1)  # only the messages after the answer


# -- built-in tools and structured output -------------------------------------------------------


@pytest.mark.vcr
def test_web_search_citations_and_blocks(vcr: Cassette) -> None:
    ask = [{"role": "user", "content": "Who won Euro 2024?"}]
    with YEScaleClient() as client:
        whole = client.responses.chat.create(
            model=MODEL, messages=ask, tools=[{"type": "web_search"}]
        )
        chunks = list(
            client.responses.chat.stream(model=MODEL, messages=ask, tools=[{"type": "web_search"}])
        )
        reply = _reply(whole)
        client.responses.chat.create(
            model=MODEL,
            messages=[*ask, reply, {"role": "user", "content": "Thanks."}],
            tools=[{"type": "web_search"}],
        )
    assert merged(chunks) == _message(whole)
    assert reply["content"] == SEARCHED
    start = SEARCHED.index("Spain")
    assert reply["annotations"] == [
        {
            "type": "url_citation",
            "url_citation": {
                "url": u,
                "title": t,
                "start_index": start,
                "end_index": len(SEARCHED),
            },
        }
        for u, t in SOURCES
    ]
    call, result, text = reply["content_blocks"]
    assert call["type"] == "server_tool_call"
    assert call["name"] == "web_search"
    assert call["args"] == {"type": "search", "query": "Euro 2024 winner"}
    assert result == {"type": "server_tool_result", "tool_call_id": call["id"], "status": "success"}
    assert text["type"] == "text"
    assert text["text"] == SEARCHED
    assert len(text["extras"]["annotations"]) == 2
    back = sent_json(vcr, 2)["input"]
    assert back[1] == call["extras"]["item"]  # the web_search_call item as it came
    assert back[2]["type"] == "message"
    assert back[2]["id"] == text["id"]
    assert back[2]["content"][0]["annotations"][0]["url"] == SOURCES[0][0]


@pytest.mark.vcr
def test_structured_output_through_response_format(vcr: Cassette) -> None:
    response_format = {
        "type": "json_schema",
        "json_schema": {"name": "weather", "schema": SCHEMA, "strict": True},
    }
    with YEScaleClient() as client:
        answer = client.responses.chat.create(
            model=MODEL, messages=ASK_WEATHER, response_format=response_format, verbosity="low"
        )
    assert json.loads(str(answer.choices[0].message.content)) == WEATHER
    assert sent_json(vcr, 0)["text"] == {
        "format": {"type": "json_schema", "name": "weather", "schema": SCHEMA, "strict": True},
        "verbosity": "low",
    }
