"""YEScale and YEScaleGemini (LlamaIndex) end to end over replayed cassettes.

Every test runs for both classes: ``YEScale`` over ``/v1/chat/completions`` and ``YEScaleGemini``
over Gemini-native ``generateContent``.
"""

from __future__ import annotations

import json
import struct
import zlib
from pathlib import Path
from typing import Any

import pytest
from llama_index.core.agent.workflow import AgentStream, FunctionAgent, ToolCallResult
from llama_index.core.base.llms.types import (
    ChatMessage,
    ImageBlock,
    MessageRole,
    TextBlock,
    ThinkingBlock,
    ToolCallBlock,
)
from llama_index.core.callbacks import CallbackManager, TokenCountingHandler
from llama_index.core.prompts import PromptTemplate
from llama_index.core.tools import FunctionTool
from llama_index.core.types import PydanticProgramMode
from pydantic import BaseModel

from llama_index_yescale import YEScale, YEScaleGemini
from llama_index_yescale.llms import BaseYEScaleLLM
from yescale import AuthenticationError

KINDS = ["yescale", "gemini"]
HELLO = [ChatMessage(role="user", content="Say hello.")]


def make(kind: str, **kwargs: Any) -> BaseYEScaleLLM:
    if kind == "yescale":
        return YEScale(model=kwargs.pop("model", "gpt-4o-mini"), temperature=0, **kwargs)
    return YEScaleGemini(model=kwargs.pop("model", "gemini-2.5-flash"), temperature=0, **kwargs)


def get_weather(city: str) -> str:
    """Get the current weather in a city."""
    return f"Sunny, 30°C in {city}"


def convert_c_to_f(celsius: float) -> float:
    """Convert a temperature from Celsius to Fahrenheit."""
    return round(celsius * 9 / 5 + 32, 1)


WEATHER = FunctionTool.from_defaults(fn=get_weather)
CONVERT = FunctionTool.from_defaults(fn=convert_c_to_f)


class City(BaseModel):
    """A city and the country it is in."""

    name: str
    country: str
    population: int


#: A public PNG (the Gemini client fetches it; replayed from the cassette).
IMAGE_URL = (
    "https://upload.wikimedia.org/wikipedia/commons/4/47/PNG_transparency_demonstration_1.png"
)

CITY_PROMPT = PromptTemplate("Extract the city from this text: {text}")
CITY_TEXT = "Hanoi is the capital of Vietnam and has about 8000000 residents."


def sent(cassette: Any, index: int = 0) -> dict[str, Any]:
    """The JSON body of the ``index``-th request of this test."""
    body = cassette.requests[index].body
    return dict(json.loads(body))


def _png() -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    idat = zlib.compress(b"\x00\x10\x80\xf0", 9)
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")
    )


# -- chat, complete, streams, async ---------------------------------------------------------------


@pytest.mark.vcr
@pytest.mark.parametrize("kind", KINDS)
def test_chat(kind: str) -> None:
    counter = TokenCountingHandler()
    llm = make(kind, callback_manager=CallbackManager([counter]))
    response = llm.chat(HELLO)
    assert response.message.role == MessageRole.ASSISTANT
    assert response.message.content == "Hello! How can I help you today?"
    assert isinstance(response.raw, dict)
    usage = response.raw["usage"]
    cost = response.additional_kwargs.pop("cost")
    assert response.additional_kwargs == {
        "prompt_tokens": usage["prompt_tokens"],
        "completion_tokens": usage["completion_tokens"],
        "total_tokens": usage["total_tokens"],
    }
    # no prices loaded here: the cost is unknown, never $0 (tests/integration/test_*costs.py)
    assert cost["usd"] is None
    assert "no prices loaded" in cost["reason"]
    assert response.raw["cost"] == cost
    assert counter.prompt_llm_token_count == usage["prompt_tokens"]
    assert counter.completion_llm_token_count == usage["completion_tokens"]


@pytest.mark.vcr
@pytest.mark.parametrize("kind", KINDS)
def test_complete(kind: str) -> None:
    response = make(kind).complete("Say hello.")
    assert response.text == "Hello! How can I help you today?"
    assert response.additional_kwargs["total_tokens"] > 0


@pytest.mark.vcr
@pytest.mark.parametrize("kind", KINDS)
def test_stream_chat(kind: str) -> None:
    counter = TokenCountingHandler()
    llm = make(kind, callback_manager=CallbackManager([counter]))
    chunks = list(llm.stream_chat(HELLO))
    assert len(chunks) > 2
    text = "".join(c.delta or "" for c in chunks)
    assert text == "Hello! How can I help you today?"
    # every chunk carries the whole message so far
    assert [c.message.content for c in chunks][-1] == text
    assert all(text.startswith(c.message.content or "") for c in chunks)
    last = chunks[-1]
    assert last.additional_kwargs["completion_tokens"] > 0
    assert counter.completion_llm_token_count == last.additional_kwargs["completion_tokens"]


@pytest.mark.vcr
@pytest.mark.parametrize("kind", KINDS)
def test_stream_complete(kind: str) -> None:
    chunks = list(make(kind).stream_complete("Say hello."))
    assert chunks[-1].text == "".join(c.delta or "" for c in chunks)
    assert chunks[-1].text.startswith("Hello!")


@pytest.mark.vcr
@pytest.mark.parametrize("kind", KINDS)
async def test_async(kind: str) -> None:
    llm = make(kind)
    reply = await llm.achat(HELLO)
    assert reply.message.content == "Hello! How can I help you today?"
    completion = await llm.acomplete("Say hello.")
    assert completion.text == reply.message.content
    stream = await llm.astream_chat(HELLO)
    chunks = [c async for c in stream]
    assert chunks[-1].message.content == reply.message.content
    assert chunks[-1].additional_kwargs["total_tokens"] > 0
    completions = [c async for c in await llm.astream_complete("Say hello.")]
    assert completions[-1].text == reply.message.content


@pytest.mark.vcr
@pytest.mark.parametrize("kind", KINDS)
def test_bad_key_raises_the_yescale_error(kind: str) -> None:
    llm = make(kind, api_key="sk-invalid-key-for-tests-0000", max_retries=0)
    with pytest.raises(AuthenticationError) as info:
        llm.chat(HELLO)
    assert "sk-invalid-key-for-tests-0000" not in str(info.value)


# -- tools ----------------------------------------------------------------------------------------


@pytest.mark.vcr
@pytest.mark.parametrize("kind", KINDS)
def test_chat_with_tools_parallel(kind: str, vcr: Any) -> None:
    llm = make(kind)
    response = llm.chat_with_tools(
        [WEATHER],
        user_msg="What is the weather in Hanoi and Paris?",
        allow_parallel_tool_calls=True,
    )
    calls = llm.get_tool_calls_from_response(response)
    assert [(c.tool_name, c.tool_kwargs) for c in calls] == [
        ("get_weather", {"city": "Hanoi"}),
        ("get_weather", {"city": "Paris"}),
    ]
    assert all(c.tool_id for c in calls)
    assert len(response.message.additional_kwargs["tool_calls"]) == 2
    body = sent(vcr)
    if kind == "yescale":
        assert body["tool_choice"] == "auto"
        assert body["parallel_tool_calls"] is True
        assert body["tools"][0]["function"]["name"] == "get_weather"
    else:
        declarations = body["tools"][0]["functionDeclarations"]
        assert declarations[0]["name"] == "get_weather"
        assert body["toolConfig"] == {"functionCallingConfig": {"mode": "AUTO"}}


@pytest.mark.vcr
@pytest.mark.parametrize("kind", KINDS)
def test_chat_with_tools_single_call_when_not_parallel(kind: str, vcr: Any) -> None:
    llm = make(kind)
    response = llm.chat_with_tools([WEATHER], user_msg="What is the weather in Hanoi and Paris?")
    calls = llm.get_tool_calls_from_response(response)
    assert len(calls) == 1
    assert calls[0].tool_kwargs == {"city": "Hanoi"}
    if kind == "yescale":
        assert sent(vcr)["parallel_tool_calls"] is False


@pytest.mark.vcr
@pytest.mark.parametrize("kind", KINDS)
def test_stream_chat_with_tools_merges_deltas(kind: str) -> None:
    llm = make(kind)
    chunks = list(
        llm.stream_chat_with_tools(
            [WEATHER],
            user_msg="What is the weather in Hanoi and Paris?",
            allow_parallel_tool_calls=True,
        )
    )
    final = chunks[-1]
    blocks = [b for b in final.message.blocks if isinstance(b, ToolCallBlock)]
    assert [(b.tool_name, b.tool_kwargs) for b in blocks] == [
        ("get_weather", {"city": "Hanoi"}),
        ("get_weather", {"city": "Paris"}),
    ]
    selections = llm.get_tool_calls_from_response(final)
    assert [s.tool_kwargs["city"] for s in selections] == ["Hanoi", "Paris"]
    # partial chunks parse as far as they go, never raising
    for chunk in chunks:
        llm.get_tool_calls_from_response(chunk, error_on_no_tool_call=False)
    if kind == "yescale":  # OpenAI streams arguments in pieces: some chunk held a partial call
        partial = [
            b
            for c in chunks
            for b in c.message.blocks
            if isinstance(b, ToolCallBlock) and isinstance(b.tool_kwargs, str)
        ]
        assert partial


@pytest.mark.vcr
@pytest.mark.parametrize("kind", KINDS)
def test_tool_choice_by_name(kind: str, vcr: Any) -> None:
    llm = make(kind)
    response = llm.chat_with_tools(
        [WEATHER, CONVERT], user_msg="It is 25 degrees outside.", tool_choice="convert_c_to_f"
    )
    calls = llm.get_tool_calls_from_response(response)
    assert [(c.tool_name, c.tool_kwargs) for c in calls] == [("convert_c_to_f", {"celsius": 25.0})]
    body = sent(vcr)
    if kind == "yescale":
        assert body["tool_choice"] == {"type": "function", "function": {"name": "convert_c_to_f"}}
    else:
        assert body["toolConfig"] == {
            "functionCallingConfig": {"mode": "ANY", "allowedFunctionNames": ["convert_c_to_f"]}
        }


@pytest.mark.vcr
@pytest.mark.parametrize("kind", KINDS)
def test_tool_required_and_predict_and_call(kind: str, vcr: Any) -> None:
    llm = make(kind)
    output = llm.predict_and_call([WEATHER], user_msg="Tell me about Hanoi.", tool_required=True)
    assert output.response == "Sunny, 30°C in Hanoi"
    body = sent(vcr)
    if kind == "yescale":
        assert body["tool_choice"] == "required"
    else:
        assert body["toolConfig"] == {"functionCallingConfig": {"mode": "ANY"}}


# -- structured output ----------------------------------------------------------------------------


def _expect_city(city: Any) -> None:
    assert city == City(name="Hanoi", country="Vietnam", population=8000000)


@pytest.mark.vcr
@pytest.mark.parametrize("kind", KINDS)
def test_structured_predict_native(kind: str, vcr: Any) -> None:
    city = make(kind).structured_predict(City, CITY_PROMPT, text=CITY_TEXT)
    _expect_city(city)
    body = sent(vcr)
    assert "tools" not in body
    if kind == "yescale":
        spec = body["response_format"]["json_schema"]
        assert body["response_format"]["type"] == "json_schema"
        assert spec["name"] == "City"
        assert spec["schema"]["required"] == ["name", "country", "population"]
    else:
        config = body["generationConfig"]
        assert config["responseMimeType"] == "application/json"
        assert config["responseSchema"]["properties"]["population"]["type"] == "INTEGER"


@pytest.mark.vcr
@pytest.mark.parametrize("kind", KINDS)
async def test_astructured_predict_native(kind: str) -> None:
    _expect_city(await make(kind).astructured_predict(City, CITY_PROMPT, text=CITY_TEXT))


@pytest.mark.vcr
@pytest.mark.parametrize("kind", KINDS)
def test_stream_structured_predict_native(kind: str) -> None:
    partials = list(make(kind).stream_structured_predict(City, CITY_PROMPT, text=CITY_TEXT))
    assert len(partials) > 1
    _expect_city(partials[-1])


@pytest.mark.vcr
@pytest.mark.parametrize("kind", KINDS)
async def test_astream_structured_predict_native(kind: str) -> None:
    stream = await make(kind).astream_structured_predict(City, CITY_PROMPT, text=CITY_TEXT)
    partials = [p async for p in stream]
    assert len(partials) > 1
    _expect_city(partials[-1])


@pytest.mark.vcr
@pytest.mark.parametrize("kind", KINDS)
def test_as_structured_llm(kind: str) -> None:
    structured = make(kind).as_structured_llm(City)
    response = structured.chat([ChatMessage(role="user", content=CITY_TEXT)])
    _expect_city(response.raw)
    assert json.loads(response.message.content or "")["country"] == "Vietnam"


@pytest.mark.vcr
@pytest.mark.parametrize(
    ("kind", "options"),
    [
        ("yescale", {"model": "claude-sonnet-4-5"}),  # no native json_schema: function calling
        ("gemini", {"pydantic_program_mode": PydanticProgramMode.FUNCTION}),
    ],
)
def test_structured_predict_function_calling_fallback(
    kind: str, options: dict[str, Any], vcr: Any
) -> None:
    _expect_city(make(kind, **options).structured_predict(City, CITY_PROMPT, text=CITY_TEXT))
    body = sent(vcr)
    if kind == "yescale":
        assert "response_format" not in body
        assert body["tools"][0]["function"]["name"] == "City"
        assert body["tool_choice"] == "required"
    else:
        assert body["tools"][0]["functionDeclarations"][0]["name"] == "City"
        assert "responseSchema" not in body.get("generationConfig", {})


@pytest.mark.vcr
def test_stream_structured_predict_function_calling() -> None:
    llm = make("yescale", model="claude-sonnet-4-5")
    partials = list(llm.stream_structured_predict(City, CITY_PROMPT, text=CITY_TEXT))
    _expect_city(partials[-1])


# -- thinking, images -----------------------------------------------------------------------------


@pytest.mark.vcr
@pytest.mark.parametrize(
    ("kind", "options"),
    [
        ("yescale", {"model": "deepseek-reasoner"}),
        ("gemini", {"thinking_budget": 512, "include_thoughts": True}),
    ],
)
def test_thinking(kind: str, options: dict[str, Any], vcr: Any) -> None:
    llm = make(kind, **options)
    response = llm.chat(HELLO)
    thinking = [b for b in response.message.blocks if isinstance(b, ThinkingBlock)]
    assert len(thinking) == 1
    assert thinking[0].content
    assert "Say hello." in thinking[0].content
    assert thinking[0].num_tokens
    assert response.message.content == "Hello! How can I help you today?"

    chunks = list(llm.stream_chat(HELLO))
    deltas = "".join(c.additional_kwargs.get("thinking_delta", "") for c in chunks)
    assert deltas == thinking[0].content
    streamed = [b for b in chunks[-1].message.blocks if isinstance(b, ThinkingBlock)]
    assert streamed[0].content == thinking[0].content
    if kind == "gemini":
        assert sent(vcr)["generationConfig"]["thinkingConfig"] == {
            "thinkingBudget": 512,
            "includeThoughts": True,
        }


@pytest.mark.vcr
@pytest.mark.parametrize("kind", KINDS)
def test_image_blocks(kind: str, vcr: Any, tmp_path: Path) -> None:
    png = _png()
    path = tmp_path / "pixel.png"
    path.write_bytes(png)
    message = ChatMessage(
        role="user",
        blocks=[
            TextBlock(text="Describe these images."),
            ImageBlock(url=IMAGE_URL),
            ImageBlock(image=png),
            ImageBlock(path=path),
        ],
    )
    response = make(kind).chat([message])
    assert response.message.content == "I see 3 images: each is a tiny square of solid red."
    if kind == "yescale":
        parts = sent(vcr)["messages"][0]["content"]
        assert parts[1] == {
            "type": "image_url",
            "image_url": {"url": IMAGE_URL},
        }
        assert parts[2]["image_url"]["url"].startswith("data:image/png;base64,iVBOR")
        assert parts[3] == parts[2]
    else:
        assert vcr.requests[0].method == "GET"  # the client fetched the URL (without the key)
        parts = sent(vcr, 1)["contents"][0]["parts"]
        assert [p["inlineData"]["mimeType"] for p in parts[1:]] == ["image/png"] * 3


# -- agents ---------------------------------------------------------------------------------------


@pytest.mark.vcr
@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("streaming", [True, False], ids=["streaming", "plain"])
async def test_function_agent_two_tools(kind: str, streaming: bool, vcr: Any) -> None:
    agent = FunctionAgent(
        tools=[get_weather, convert_c_to_f],
        llm=make(kind),
        system_prompt="You are a weather assistant. Use the tools.",
        streaming=streaming,
    )
    handler = agent.run(user_msg="What's the weather in Hanoi, in Fahrenheit?")
    results: list[ToolCallResult] = []
    deltas: list[str] = []
    async for event in handler.stream_events():
        if isinstance(event, ToolCallResult):
            results.append(event)
        elif isinstance(event, AgentStream):
            deltas.append(event.delta)
    output = await handler
    assert [(r.tool_name, r.tool_kwargs) for r in results] == [
        ("get_weather", {"city": "Hanoi"}),
        ("convert_c_to_f", {"celsius": 30.0}),
    ]
    assert results[1].tool_output.content == "86.0"
    answer = str(output.response.content)
    assert "86.0" in answer
    assert "Hanoi" in answer
    if streaming:
        assert "".join(deltas) == answer
    assert len(vcr.requests) == 3
    last = sent(vcr, 2)
    if kind == "yescale":
        roles = [m["role"] for m in last["messages"]]
        assert roles == ["system", "user", "assistant", "tool", "assistant", "tool"]
        first_call = last["messages"][2]["tool_calls"][0]
        assert last["messages"][3]["tool_call_id"] == first_call["id"]
    else:
        # Gemini's thought signature on the first call went back with the history
        model_turn = last["contents"][1]
        assert model_turn["role"] == "model"
        assert model_turn["parts"][0]["thoughtSignature"]
        assert last["contents"][2]["parts"][0]["functionResponse"]["name"] == "get_weather"
