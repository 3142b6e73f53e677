"""A ``json_schema`` answer format for Claude or DeepSeek goes as a forced function, and the
function's arguments come back as the text (:mod:`yescale.translate.answer_tool`).

Those families refuse ``response_format`` json_schema on YEScale's chat endpoint, yet
``create_agent`` picks it for ``claude-*`` names (langchain's own list, whatever the profile
says), and a caller may ask for it. Checked on the client (sync, async, streamed), through
``ChatYEScale.with_structured_output`` and through ``create_agent``.
"""

from __future__ import annotations

import asyncio
import json
from typing import Any

import httpx
import pytest
from pydantic import BaseModel

from langchain_yescale import ChatYEScale
from yescale.errors import AuthenticationError, IncompleteStreamError

from .conftest import API_KEY, MESSAGES, Recorder, json_response, make_client, sse_response

SCHEMA = {
    "type": "object",
    "properties": {"city": {"type": "string"}, "temperature_c": {"type": "integer"}},
    "required": ["city", "temperature_c"],
}
ANSWER_FORMAT = {"type": "json_schema", "json_schema": {"name": "Weather", "schema": SCHEMA}}
ARGS = '{"city": "Hanoi", "temperature_c": 31}'
WEATHER_TOOL = {"type": "function", "function": {"name": "get_weather", "parameters": SCHEMA}}


class Weather(BaseModel):
    city: str
    temperature_c: int


def completion(calls: list[tuple[str, str]], content: str | None = None) -> dict[str, Any]:
    message: dict[str, Any] = {"role": "assistant", "content": content}
    if calls:
        message["tool_calls"] = [
            {"id": f"call_{i}", "type": "function", "function": {"name": n, "arguments": a}}
            for i, (n, a) in enumerate(calls)
        ]
    return {
        "id": "chatcmpl-answer",
        "object": "chat.completion",
        "model": "claude-sonnet-4-5",
        "choices": [
            {"index": 0, "message": message, "finish_reason": "tool_calls" if calls else "stop"}
        ],
        "usage": {"prompt_tokens": 5, "completion_tokens": 5, "total_tokens": 10},
    }


def body(recorder: Recorder, i: int = 0) -> dict[str, Any]:
    return json.loads(recorder.requests[i].content)  # type: ignore[no-any-return]


@pytest.mark.parametrize("mode", ["sync", "async"])
def test_claude_gets_a_forced_function_and_answers_with_text(mode: str) -> None:
    recorder = Recorder(json_response(completion([("Weather", ARGS)])))
    client = make_client(recorder)
    kwargs: dict[str, Any] = {
        "model": "claude-sonnet-4-5",
        "messages": MESSAGES,
        "response_format": ANSWER_FORMAT,
    }
    if mode == "sync":
        reply = client.chat.create(**kwargs)
    else:
        reply = asyncio.run(client.aio.chat.create(**kwargs))
    sent = body(recorder)
    assert "response_format" not in sent
    assert sent["tools"] == [
        {
            "type": "function",
            "function": {
                "name": "Weather",
                "description": "Give your final answer by calling this function.",
                "parameters": SCHEMA,
            },
        }
    ]
    assert sent["tool_choice"] == {"type": "function", "function": {"name": "Weather"}}
    (choice,) = reply.choices
    assert choice.message.content == ARGS
    assert choice.message.tool_calls is None
    assert choice.finish_reason == "stop"


def test_with_other_tools_the_model_must_call_one_and_the_others_pass_through() -> None:
    recorder = Recorder(json_response(completion([("get_weather", '{"city": "Hanoi"}')])))
    client = make_client(recorder)
    reply = client.chat.create(
        model="deepseek-chat",
        messages=MESSAGES,
        tools=[WEATHER_TOOL, {"type": "function", "function": {"name": "Weather"}}],
        response_format=ANSWER_FORMAT,
    )
    sent = body(recorder)
    names = [t["function"]["name"] for t in sent["tools"]]
    assert names == ["get_weather", "Weather", "Weather_answer"]  # a name already taken
    assert sent["tool_choice"] == "required"  # tools first, then the answer: never plain text
    (call,) = reply.choices[0].message.tool_calls or []
    assert call.function.name == "get_weather"
    assert reply.choices[0].finish_reason == "tool_calls"


def test_a_given_tool_choice_is_kept() -> None:
    recorder = Recorder(json_response(completion([], content="I cannot.")))
    make_client(recorder).chat.create(
        model="claude-sonnet-4-5",
        messages=MESSAGES,
        response_format=ANSWER_FORMAT,
        tool_choice="auto",
    )
    assert body(recorder)["tool_choice"] == "auto"


@pytest.mark.parametrize("model", ["gpt-4o-mini", "gemini-2.5-flash", "o3", "llama-3-70b"])
def test_models_that_take_the_answer_format_get_it_as_is(model: str) -> None:
    recorder = Recorder(json_response(completion([], content=ARGS)))
    make_client(recorder).chat.create(model=model, messages=MESSAGES, response_format=ANSWER_FORMAT)
    sent = body(recorder)
    assert sent["response_format"] == ANSWER_FORMAT
    assert "tools" not in sent


def _call_delta(index: int, name: str | None, arguments: str, **call: Any) -> dict[str, Any]:
    function: dict[str, Any] = {"arguments": arguments}
    if name:
        function["name"] = name
        call.update(id=f"call_{index}", type="function")
    return {"index": index, "function": function, **call}


def _event(delta: dict[str, Any], finish: str | None = None) -> bytes:
    chunk = {
        "id": "c",
        "object": "chat.completion.chunk",
        "model": "claude-sonnet-4-5",
        "choices": [{"index": 0, "delta": delta, "finish_reason": finish}],
    }
    return f"data: {json.dumps(chunk)}\n\n".encode()


STREAM = [
    _event({"role": "assistant", "tool_calls": [_call_delta(0, "Weather", "")]}),
    _event({"tool_calls": [_call_delta(0, None, '{"city": "Ha')]}),
    _event({"tool_calls": [_call_delta(0, None, 'noi", "temperature_c": 31}')]}),
    _event({}, finish="tool_calls"),
    b"data: [DONE]\n\n",
]


@pytest.mark.parametrize("mode", ["sync", "async"])
def test_streams_carry_the_answer_as_text(mode: str) -> None:
    recorder = Recorder(lambda request: sse_response(iter(STREAM)))
    client = make_client(recorder)
    kwargs: dict[str, Any] = {
        "model": "claude-sonnet-4-5",
        "messages": MESSAGES,
        "response_format": ANSWER_FORMAT,
    }
    if mode == "sync":
        chunks = list(client.chat.stream(**kwargs))
    else:

        async def collect() -> list[Any]:
            return [c async for c in client.aio.chat.stream(**kwargs)]

        chunks = asyncio.run(collect())
    assert "".join(c.choices[0].delta.content or "" for c in chunks) == ARGS
    assert all(c.choices[0].delta.tool_calls is None for c in chunks)
    assert chunks[-1].choices[0].finish_reason == "stop"
    assert body(recorder)["tool_choice"] == {"type": "function", "function": {"name": "Weather"}}


def _llm(recorder: Recorder) -> ChatYEScale:
    return ChatYEScale(
        model="claude-sonnet-4-5",
        api_key=API_KEY,
        http_client=httpx.Client(transport=httpx.MockTransport(recorder)),
    )


def test_with_structured_output_json_schema_works_on_claude() -> None:
    recorder = Recorder(json_response(completion([("Weather", ARGS)])))
    parsed = _llm(recorder).with_structured_output(Weather, method="json_schema").invoke("Hanoi?")
    assert parsed == Weather(city="Hanoi", temperature_c=31)
    assert "response_format" not in body(recorder)


def test_create_agent_with_claude_and_a_typed_answer() -> None:
    """langchain picks native structured output for claude-* names; it now works."""
    from langchain.agents import create_agent
    from langchain_core.tools import tool

    @tool
    def get_weather(city: str) -> str:
        """Get the current weather in a city."""
        return f"Sunny, 31 degrees C in {city}."

    recorder = Recorder(
        json_response(completion([("get_weather", '{"city": "Hanoi"}')])),
        json_response(completion([("Weather", ARGS)])),
    )
    agent = create_agent(model=_llm(recorder), tools=[get_weather], response_format=Weather)
    result = agent.invoke({"messages": [("user", "Weather in Hanoi?")]})
    assert result["structured_response"] == Weather(city="Hanoi", temperature_c=31)
    first, second = body(recorder, 0), body(recorder, 1)
    assert [t["function"]["name"] for t in first["tools"]] == ["get_weather", "Weather"]
    assert first["tool_choice"] == "required"
    assert "response_format" not in first
    assert second["messages"][-1]["role"] == "tool"  # the tool's result went back first


# -- a misbehaving server on the translated path -------------------------------------------------


def test_an_error_in_a_200_body_is_the_typed_error_not_an_answer() -> None:
    error = {"error": {"message": "Invalid token", "type": "authentication_error", "code": 401}}
    client = make_client(Recorder(json_response(error)))
    with pytest.raises(AuthenticationError, match="Invalid token"):
        client.chat.create(
            model="claude-sonnet-4-5", messages=MESSAGES, response_format=ANSWER_FORMAT
        )


def test_a_stream_cut_inside_the_answer_raises_and_never_looks_whole() -> None:
    cut = STREAM[:2]  # the answer's call began, its arguments never finished, no [DONE]
    client = make_client(Recorder(lambda request: sse_response(iter(cut))))
    received: list[str] = []
    stream = client.chat.stream(
        model="claude-sonnet-4-5", messages=MESSAGES, response_format=ANSWER_FORMAT
    )
    with pytest.raises(IncompleteStreamError):
        received.extend(chunk.choices[0].delta.content or "" for chunk in stream)
    assert "".join(received) == '{"city": "Ha'  # what came, as text; no finish_reason "stop"


def test_broken_answer_arguments_are_a_parsing_error_naming_the_schema() -> None:
    recorder = Recorder(json_response(completion([("Weather", '{"city": "Ha')])))
    llm = _llm(recorder).with_structured_output(Weather, method="json_schema", include_raw=True)
    result = llm.invoke("Hanoi?")
    assert result["parsed"] is None
    assert "Weather" in str(result["parsing_error"])
    assert result["raw"].content == '{"city": "Ha'  # the model's text is kept, not lost
