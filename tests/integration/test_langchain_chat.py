"""ChatYEScale end to end over replayed cassettes (``cassettes/integration/test_langchain_chat/``).

What the class sends is asserted on the recorded request bodies (``vcr.requests``); replay matches
on the body too, so a change in what we send fails these tests offline.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Annotated, Any, cast

import pytest
from langchain_core.callbacks import BaseCallbackHandler
from langchain_core.exceptions import (
    ContextOverflowError,
    ModelAuthenticationError,
    ModelInvalidRequestError,
    ModelRateLimitError,
)
from langchain_core.messages import (
    AIMessage,
    AIMessageChunk,
    BaseMessage,
    HumanMessage,
    SystemMessage,
    ToolMessage,
)
from langchain_core.rate_limiters import InMemoryRateLimiter
from langchain_core.tools import tool
from pydantic import BaseModel, Field
from typing_extensions import TypedDict
from vcr.cassette import Cassette

import yescale
from langchain_yescale import ChatYEScale

pytestmark = pytest.mark.vcr

IMAGE_URL = "https://raw.githubusercontent.com/langchain-ai/docs/4d11d08b6b0e210bd456943f7a22febbd168b543/src/images/agentic-rag-output.png"
#: A 1x1 PNG (base64), small enough to read in a cassette.
PIXEL_PNG = (
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAIAAACQd1PeAAAADElEQVR4nGP4z8AAAAMBAQDJ/pLvAAAAAElFTkSuQmCC"
)
LONG_SYSTEM = "You are a meticulous assistant for a travel agency. " + " ".join(
    f"Rule {i}: always state prices in euros and mention the cancellation policy for trip {i}."
    for i in range(1, 90)
)


def bodies(cassette: Cassette) -> list[dict[str, Any]]:
    """The JSON bodies of the recorded chat requests, in order."""
    return [
        json.loads(request.body)
        for request in cassette.requests
        if request.method == "POST" and request.path == "/v1/chat/completions"
    ]


def aggregate(chunks: Sequence[BaseMessage]) -> AIMessageChunk:
    """The streamed chunks merged, as LangChain merges them."""
    assert chunks
    assert all(isinstance(c, AIMessageChunk) for c in chunks)
    full = cast("AIMessageChunk", chunks[0])
    for chunk in chunks[1:]:
        full = full + cast("AIMessageChunk", chunk)
    return full


class GetWeather(BaseModel):
    """Get the current weather in a given location."""

    location: str = Field(..., description="The city, e.g. Hanoi")


@tool
def get_weather(location: str) -> str:
    """Get the current weather in a given location."""
    return f"Sunny, 31 degrees C in {location}."


class Joke(BaseModel):
    """Joke to tell user."""

    setup: str = Field(description="question to set up a joke")
    punchline: str = Field(description="answer to resolve the joke")


class JokeDict(TypedDict):
    """Joke to tell user."""

    setup: Annotated[str, ..., "question to set up a joke"]
    punchline: Annotated[str, ..., "answer to resolve the joke"]


JOKE_SCHEMA = Joke.model_json_schema()


class _Tokens(BaseCallbackHandler):
    def __init__(self) -> None:
        self.tokens: list[str] = []

    def on_llm_new_token(self, token: Any, **kwargs: Any) -> None:
        self.tokens.append(token)


# -- invoke / stream / batch -------------------------------------------------------------------


def test_invoke_usage_and_metadata(vcr: Cassette) -> None:
    llm = ChatYEScale(model="gpt-4o-mini", temperature=0)
    msg = llm.invoke([("system", "You are terse."), ("human", "Hello")])

    assert isinstance(msg, AIMessage)
    assert msg.content == "Hello! How can I help you today?"
    usage = msg.usage_metadata
    assert usage is not None
    assert usage["total_tokens"] == usage["input_tokens"] + usage["output_tokens"]
    assert usage["input_token_details"]["cache_read"] == 0
    assert usage["output_token_details"]["reasoning"] == 0
    meta = msg.response_metadata
    assert meta["model_name"] == "gpt-4o-mini-2024-07-18"
    assert meta["finish_reason"] == "stop"
    assert meta["system_fingerprint"].startswith("fp_")
    assert meta["id"].startswith("chatcmpl-")
    assert meta["model_provider"] == "yescale"
    assert msg.id == meta["id"]
    (body,) = bodies(vcr)
    assert body == {
        "model": "gpt-4o-mini",
        "messages": [
            {"role": "system", "content": "You are terse."},
            {"role": "user", "content": "Hello"},
        ],
        "temperature": 0.0,
    }


def test_generate_llm_output(vcr: Cassette) -> None:
    llm = ChatYEScale(model="gpt-4o-mini")
    result = llm.generate([[HumanMessage("Hello")]])
    assert result.llm_output is not None
    assert result.llm_output["model_name"] == "gpt-4o-mini-2024-07-18"
    assert result.llm_output["token_usage"]["total_tokens"] > 0
    assert result.llm_output["system_fingerprint"].startswith("fp_")
    assert result.generations[0][0].generation_info == {"finish_reason": "stop"}


async def test_ainvoke(vcr: Cassette) -> None:
    llm = ChatYEScale(model="gpt-4o-mini")
    msg = await llm.ainvoke("What is the capital of France?")
    assert msg.content == "The capital of France is Paris."
    assert msg.usage_metadata is not None
    assert msg.usage_metadata["output_tokens"] > 0


def test_stream_usage_and_metadata(vcr: Cassette) -> None:
    llm = ChatYEScale(model="gpt-4o-mini")
    chunks = list(llm.stream("Write me 2 haikus. Only include the haikus."))

    assert len(chunks) > 5
    assert all(isinstance(c, AIMessageChunk) for c in chunks)
    full = aggregate(chunks)
    assert "heron" in full.text
    assert full.usage_metadata is not None
    assert full.usage_metadata["output_tokens"] > 10
    assert full.usage_metadata["input_token_details"] == {"audio": 0, "cache_read": 0}
    # one chunk carries the input tokens, one the model name (merging concatenates strings)
    assert sum(1 for c in chunks if c.usage_metadata and c.usage_metadata["input_tokens"]) == 1
    assert full.response_metadata["model_name"] == "gpt-4o-mini-2024-07-18"
    assert full.response_metadata["finish_reason"] == "stop"
    assert full.response_metadata["system_fingerprint"].startswith("fp_")
    (body,) = bodies(vcr)
    assert body["stream"] is True
    assert body["stream_options"] == {"include_usage": True}


def test_stream_usage_off(vcr: Cassette) -> None:
    llm = ChatYEScale(model="gpt-4o-mini", stream_usage=False)
    full = aggregate(list(llm.stream("Hello")))
    assert full.text == "Hello! How can I help you today?"
    assert full.usage_metadata is None
    (body,) = bodies(vcr)
    assert "stream_options" not in body


async def test_astream(vcr: Cassette) -> None:
    llm = ChatYEScale(model="gpt-4o-mini")
    chunks = [chunk async for chunk in llm.astream("Write a story about a cat.")]
    full = aggregate(chunks)
    assert full.text.startswith("Once upon a time")
    assert full.usage_metadata is not None
    assert full.response_metadata["finish_reason"] == "stop"


def test_batch(vcr: Cassette) -> None:
    llm = ChatYEScale(model="gpt-4o-mini")
    first, second = llm.batch(["What is the capital of France?", "What is 17 * 23?"])
    assert first.content == "The capital of France is Paris."
    assert second.content == "17 * 23 = 391."
    assert len(bodies(vcr)) == 2


async def test_abatch(vcr: Cassette) -> None:
    llm = ChatYEScale(model="gpt-4o-mini")
    answers = await llm.abatch(["What is the capital of Vietnam?", "How are you?"])
    assert [a.content for a in answers] == [
        "The capital of Vietnam is Hanoi.",
        "I'm doing well, thank you for asking! How can I help you today?",
    ]


def test_streaming_true_invoke_streams(vcr: Cassette) -> None:
    handler = _Tokens()
    llm = ChatYEScale(model="gpt-4o-mini", streaming=True, callbacks=[handler])
    msg = llm.invoke("Write me 2 haikus. Only include the haikus.")
    assert "heron" in str(msg.content)
    assert len(handler.tokens) > 5
    assert "".join(handler.tokens) == msg.content
    assert msg.usage_metadata is not None
    (body,) = bodies(vcr)
    assert body["stream"] is True


async def test_streaming_true_ainvoke_streams(vcr: Cassette) -> None:
    llm = ChatYEScale(model="gpt-4o-mini", streaming=True)
    msg = await llm.ainvoke("Hello")
    assert msg.content == "Hello! How can I help you today?"
    assert bodies(vcr)[0]["stream"] is True


# -- usage details ------------------------------------------------------------------------------


def test_cached_input_tokens(vcr: Cassette) -> None:
    llm = ChatYEScale(model="gpt-4o-mini")
    messages = [SystemMessage(LONG_SYSTEM), HumanMessage("Hello")]
    first = llm.invoke(messages)
    second = llm.invoke(messages)
    assert first.usage_metadata is not None
    assert second.usage_metadata is not None
    assert first.usage_metadata["input_tokens"] > 1024
    assert first.usage_metadata["input_token_details"]["cache_read"] == 0
    cached = second.usage_metadata["input_token_details"]["cache_read"]
    assert 1024 <= cached <= second.usage_metadata["input_tokens"]


def test_cached_input_tokens_streamed(vcr: Cassette) -> None:
    llm = ChatYEScale(model="gpt-4o-mini")
    messages = [SystemMessage(LONG_SYSTEM), HumanMessage("Hello")]
    aggregate(list(llm.stream(messages)))
    second = aggregate(list(llm.stream(messages)))
    assert second.usage_metadata is not None
    assert second.usage_metadata["input_token_details"]["cache_read"] >= 1024


def test_o_series_reasoning_tokens_and_max_completion_tokens(vcr: Cassette) -> None:
    llm = ChatYEScale(model="o4-mini", max_tokens=600, reasoning_effort="high")
    msg = llm.invoke("What is 17 * 23?")
    assert msg.content == "17 * 23 = 391."
    assert msg.usage_metadata is not None
    reasoning = msg.usage_metadata["output_token_details"]["reasoning"]
    assert reasoning == 448
    assert msg.usage_metadata["output_tokens"] > reasoning
    (body,) = bodies(vcr)
    # o-series reject max_tokens: it goes as max_completion_tokens
    assert body["max_completion_tokens"] == 600
    assert "max_tokens" not in body
    assert body["reasoning_effort"] == "high"


def test_o_series_reasoning_tokens_streamed(vcr: Cassette) -> None:
    llm = ChatYEScale(model="o4-mini", reasoning_effort="low")
    full = aggregate(list(llm.stream("What is 17 * 23?")))
    assert full.usage_metadata is not None
    assert full.usage_metadata["output_token_details"]["reasoning"] == 64


def test_max_completion_tokens_field(vcr: Cassette) -> None:
    llm = ChatYEScale(model="gpt-4o-mini", max_tokens=100, max_completion_tokens=50)
    llm.invoke("Hello")
    (body,) = bodies(vcr)
    assert body["max_completion_tokens"] == 50
    assert "max_tokens" not in body


def test_max_tokens_length_finish(vcr: Cassette) -> None:
    llm = ChatYEScale(model="gpt-4o-mini", max_tokens=5)
    msg = llm.invoke("Write a story about a cat.")
    assert msg.response_metadata["finish_reason"] == "length"
    assert msg.content == "Once upon a time,"
    assert bodies(vcr)[0]["max_tokens"] == 5


# -- parameters ---------------------------------------------------------------------------------


def test_n_generations(vcr: Cassette) -> None:
    llm = ChatYEScale(model="gpt-4o-mini", n=3)
    result = llm.generate([[HumanMessage("Hello")]])
    texts = [g.text for g in result.generations[0]]
    assert len(texts) == 3
    assert len(set(texts)) == 3
    assert bodies(vcr)[0]["n"] == 3


def test_n_rejects_streaming() -> None:
    with pytest.raises(ValueError, match="n must be 1 when streaming"):
        ChatYEScale(model="gpt-4o-mini", n=2, streaming=True)


def test_stop_sequences(vcr: Cassette) -> None:
    llm = ChatYEScale(model="gpt-4o-mini", stop=["you"])
    first = llm.invoke("Hello")
    assert first.content == "Hello! How can I help "
    second = llm.invoke("Count from 1 to 10", stop=["5"])
    assert second.content == "1, 2, 3, 4, "
    assert [b["stop"] for b in bodies(vcr)] == [["you"], ["5"]]


def test_sampling_parameters(vcr: Cassette) -> None:
    llm = ChatYEScale(
        model="gpt-4o-mini",
        temperature=0.2,
        top_p=0.9,
        seed=42,
        presence_penalty=0.5,
        frequency_penalty=0.3,
    )
    msg = llm.invoke("Hello")
    assert msg.response_metadata["system_fingerprint"].startswith("fp_")
    (body,) = bodies(vcr)
    assert {k: body[k] for k in ("temperature", "top_p", "seed")} == {
        "temperature": 0.2,
        "top_p": 0.9,
        "seed": 42,
    }
    assert body["presence_penalty"] == 0.5
    assert body["frequency_penalty"] == 0.3


def _logprob_text(entries: list[dict[str, Any]]) -> str:
    text = "".join(e["token"] for e in entries)
    assert b"".join(bytes(e["bytes"]) for e in entries).decode() == text  # tokens kept verbatim
    return text


def test_logprobs(vcr: Cassette) -> None:
    llm = ChatYEScale(model="gpt-4o-mini", logprobs=True, top_logprobs=2)
    msg = llm.invoke("Hello")
    content = msg.response_metadata["logprobs"]["content"]
    assert _logprob_text(content) == msg.content
    assert all(t["logprob"] <= 0 and len(t["top_logprobs"]) == 2 for t in content)

    full = aggregate(list(llm.stream("Hello")))
    streamed = full.response_metadata["logprobs"]["content"]
    assert _logprob_text(streamed) == full.text
    assert [(b["logprobs"], b["top_logprobs"]) for b in bodies(vcr)] == [(True, 2), (True, 2)]


def test_model_kwargs_and_extra_body(vcr: Cassette) -> None:
    llm = ChatYEScale(
        model="gpt-4o-mini",
        model_kwargs={"user": "user-1234", "metadata": {"team": "docs"}},
        extra_body={"service_tier": "default"},
    )
    llm.invoke("Hello")
    llm.invoke("Hello", extra_body={"prediction": {"type": "content", "content": "Hello!"}})
    first, second = bodies(vcr)
    assert first["user"] == "user-1234"
    assert first["metadata"] == {"team": "docs"}
    assert first["service_tier"] == "default"
    assert "extra_body" not in first
    assert second["prediction"] == {"type": "content", "content": "Hello!"}
    assert second["user"] == "user-1234"


def test_per_call_overrides(vcr: Cassette) -> None:
    llm = ChatYEScale(model="gpt-4o-mini", temperature=0, max_tokens=100)
    msg = llm.invoke("Hello", model="gpt-4o", temperature=0.7, max_tokens=20, seed=7)
    assert msg.response_metadata["model_name"] == "gpt-4o-2024-08-06"
    (body,) = bodies(vcr)
    assert body["model"] == "gpt-4o"
    assert body["temperature"] == 0.7
    assert body["max_tokens"] == 20
    assert body["seed"] == 7


def test_per_call_override_to_o_series(vcr: Cassette) -> None:
    llm = ChatYEScale(model="gpt-4o-mini", max_tokens=300)
    llm.invoke("What is 17 * 23?", model="o4-mini", reasoning_effort="low")
    (body,) = bodies(vcr)
    assert body["model"] == "o4-mini"
    assert body["max_completion_tokens"] == 300
    assert "max_tokens" not in body


def test_rate_limiter_is_used(vcr: Cassette) -> None:
    limiter = InMemoryRateLimiter(requests_per_second=50, check_every_n_seconds=0.01)
    llm = ChatYEScale(model="gpt-4o-mini", rate_limiter=limiter)
    assert llm.invoke("Hello").content
    assert limiter.available_tokens < limiter.max_bucket_size


# -- tool calling -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("tool_choice", "sent"),
    [
        ("auto", "auto"),
        ("none", "none"),
        ("required", "required"),
        ("any", "required"),
        (True, "required"),
        ("GetWeather", {"type": "function", "function": {"name": "GetWeather"}}),
        (
            {"type": "function", "function": {"name": "GetWeather"}},
            {"type": "function", "function": {"name": "GetWeather"}},
        ),
    ],
    ids=["auto", "none", "required", "any", "true", "name", "dict"],
)
def test_bind_tools_tool_choice(vcr: Cassette, tool_choice: Any, sent: Any) -> None:
    llm = ChatYEScale(model="gpt-4o-mini").bind_tools([GetWeather], tool_choice=tool_choice)
    msg = llm.invoke("What is the weather in Hanoi?")
    (body,) = bodies(vcr)
    assert body["tool_choice"] == sent
    assert body["tools"][0]["function"]["name"] == "GetWeather"
    if sent == "none":
        assert msg.tool_calls == []
        assert msg.content
    else:
        assert msg.tool_calls == [
            {
                "name": "GetWeather",
                "args": {"location": "Hanoi"},
                "id": msg.tool_calls[0]["id"],
                "type": "tool_call",
            }
        ]
        assert msg.response_metadata["finish_reason"] == "tool_calls"


def test_bind_tools_unknown_tool_choice_name() -> None:
    llm = ChatYEScale(model="gpt-4o-mini", api_key="unused")
    with pytest.raises(ValueError, match="not one of the bound tools"):
        llm.bind_tools([GetWeather], tool_choice="GetTime")


def test_tool_formats(vcr: Cassette) -> None:
    def get_time(timezone: str) -> str:
        """Get the current time in a timezone."""
        return "12:00"

    raw = {
        "type": "function",
        "function": {
            "name": "get_population",
            "description": "Get the population of a city.",
            "parameters": {
                "type": "object",
                "properties": {"city": {"type": "string"}},
                "required": ["city"],
            },
        },
    }
    llm = ChatYEScale(model="gpt-4o-mini").bind_tools([GetWeather, get_weather, get_time, raw])
    msg = llm.invoke("What is the population of Paris? Use the tool.")
    assert msg.tool_calls[0]["name"] == "get_population"
    assert msg.tool_calls[0]["args"] == {"city": "Paris"}
    (body,) = bodies(vcr)
    assert [t["function"]["name"] for t in body["tools"]] == [
        "GetWeather",
        "get_weather",
        "get_time",
        "get_population",
    ]
    assert "tool_choice" not in body


def test_parallel_tool_calls(vcr: Cassette) -> None:
    prompt = "What is the weather in Hanoi and in Paris?"
    llm = ChatYEScale(model="gpt-4o-mini")
    both = llm.bind_tools([GetWeather], parallel_tool_calls=True).invoke(prompt)
    assert [c["args"]["location"] for c in both.tool_calls] == ["Hanoi", "Paris"]
    assert len({c["id"] for c in both.tool_calls}) == 2
    one = llm.bind_tools([GetWeather], parallel_tool_calls=False).invoke(prompt)
    assert len(one.tool_calls) == 1
    assert [b["parallel_tool_calls"] for b in bodies(vcr)] == [True, False]


def test_strict_tools(vcr: Cassette) -> None:
    llm = ChatYEScale(model="gpt-4o-mini").bind_tools([GetWeather], strict=True)
    msg = llm.invoke("What is the weather in Hanoi?")
    assert msg.tool_calls[0]["args"] == {"location": "Hanoi"}
    function = bodies(vcr)[0]["tools"][0]["function"]
    assert function["strict"] is True
    assert function["parameters"]["additionalProperties"] is False


def test_streamed_tool_call_chunks_merge(vcr: Cassette) -> None:
    llm = ChatYEScale(model="gpt-4o-mini").bind_tools([GetWeather])
    chunks = [
        cast("AIMessageChunk", c) for c in llm.stream("What is the weather in Hanoi and in Paris?")
    ]
    pieces = [c for c in chunks if c.tool_call_chunks]
    assert len(pieces) > 4  # the arguments arrive in fragments
    full = aggregate(chunks)
    assert [c["args"] for c in full.tool_calls] == [{"location": "Hanoi"}, {"location": "Paris"}]
    assert all(c["id"] and c["id"].startswith("call_") for c in full.tool_calls)
    assert full.invalid_tool_calls == []
    assert full.response_metadata["finish_reason"] == "tool_calls"


async def test_astream_tool_calls(vcr: Cassette) -> None:
    llm = ChatYEScale(model="gpt-4o-mini").bind_tools([GetWeather], tool_choice="any")
    chunks = [c async for c in llm.astream("What is the weather in Hanoi?")]
    assert aggregate(chunks).tool_calls[0]["args"] == {"location": "Hanoi"}


def test_invalid_tool_json_is_invalid_tool_call(vcr: Cassette) -> None:
    llm = ChatYEScale(model="gpt-4o-mini").bind_tools([GetWeather], tool_choice="any")
    msg = llm.invoke("What is the weather in Hanoi?")
    assert msg.tool_calls == []
    (bad,) = msg.invalid_tool_calls
    assert bad["name"] == "GetWeather"
    assert bad["args"] == '{"location": "Hano'
    assert "not valid JSON" in (bad["error"] or "")

    # the broken call can still be sent back, as is, with an error result
    followup = llm.invoke(
        [
            HumanMessage("What is the weather in Hanoi?"),
            msg,
            ToolMessage("Error: invalid arguments", tool_call_id=bad["id"] or ""),
        ]
    )
    assert followup.content
    sent = bodies(vcr)[1]["messages"][1]["tool_calls"][0]
    assert sent["function"]["arguments"] == '{"location": "Hano'


def test_invalid_tool_json_streamed(vcr: Cassette) -> None:
    # In a stream LangChain itself assembles the argument fragments and parses them as partial
    # JSON (as for every chat model): a cut-short call comes out completed, never as an error.
    llm = ChatYEScale(model="gpt-4o-mini").bind_tools([GetWeather], tool_choice="any")
    chunks = [cast("AIMessageChunk", c) for c in llm.stream("What is the weather in Hanoi?")]
    fragments = "".join(c.tool_call_chunks[0]["args"] or "" for c in chunks if c.tool_call_chunks)
    assert fragments == '{"location": "Hano'
    full = aggregate(chunks)
    assert full.tool_calls[0]["args"] == {"location": "Hano"}


def test_unknown_tool_call_fields_round_trip(vcr: Cassette) -> None:
    # Gemini over the OpenAI endpoint puts its thought signature on the tool call
    # (extra_content.google.thought_signature); it must go back with the call next turn.
    llm = ChatYEScale(model="gemini-2.5-flash").bind_tools([get_weather])
    question = HumanMessage("What is the weather in Hanoi?")
    call = llm.invoke([question])
    raw = call.additional_kwargs["tool_calls"][0]
    signature = raw["extra_content"]["google"]["thought_signature"]
    assert signature
    result = get_weather.invoke(call.tool_calls[0])
    answer = llm.invoke([question, call, result])
    assert "Sunny" in str(answer.content)
    sent = bodies(vcr)[1]["messages"][1]["tool_calls"][0]
    assert sent["extra_content"] == {"google": {"thought_signature": signature}}
    assert sent["id"] == call.tool_calls[0]["id"]


def test_unknown_tool_call_fields_round_trip_streamed(vcr: Cassette) -> None:
    llm = ChatYEScale(model="gemini-3-pro-preview").bind_tools([get_weather])
    question = HumanMessage("What is the weather in Hanoi?")
    call = aggregate(list(llm.stream([question])))
    assert call.tool_calls[0]["args"] == {"location": "Hanoi"}
    result = get_weather.invoke(call.tool_calls[0])
    # Gemini 3 rejects a function call sent back without its signature: this passing proves
    # the streamed call kept it.
    answer = llm.invoke([question, call, result])
    assert "Sunny" in str(answer.content)
    sent = bodies(vcr)[1]["messages"][1]["tool_calls"][0]
    assert sent["extra_content"]["google"]["thought_signature"]
    assert "index" not in sent


# -- structured output --------------------------------------------------------------------------

JSON_MODE_PROMPT = (
    "Tell me a joke about cats. Return the result as a JSON with 'setup' and 'punchline' keys. "
    "Return nothing other than JSON."
)


@pytest.mark.parametrize("method", ["function_calling", "json_schema", "json_mode"])
@pytest.mark.parametrize("kind", ["pydantic", "typeddict", "json_schema"])
def test_structured_output(vcr: Cassette, method: str, kind: str) -> None:
    schema: Any = {"pydantic": Joke, "typeddict": JokeDict, "json_schema": JOKE_SCHEMA}[kind]
    llm = ChatYEScale(model="gpt-4o-mini").with_structured_output(schema, method=method)  # type: ignore[arg-type]
    result = llm.invoke(JSON_MODE_PROMPT if method == "json_mode" else "Tell me a joke about cats.")
    if kind == "pydantic":
        assert result == Joke(
            setup="Why was the cat sitting on the computer?",
            punchline="To keep an eye on the mouse!",
        )
    else:
        assert result == {
            "setup": "Why was the cat sitting on the computer?",
            "punchline": "To keep an eye on the mouse!",
        }
    (body,) = bodies(vcr)
    if method == "function_calling":
        name = body["tools"][0]["function"]["name"]
        assert name in ("Joke", "JokeDict")
        assert body["tool_choice"] == {"type": "function", "function": {"name": name}}
        assert "response_format" not in body
    elif method == "json_schema":
        spec = body["response_format"]["json_schema"]
        assert body["response_format"]["type"] == "json_schema"
        assert spec["name"] in ("Joke", "JokeDict")
        assert spec["description"] == "Joke to tell user."
        assert set(spec["schema"]["properties"]) == {"setup", "punchline"}
        assert spec["strict"] is True  # strict by default on OpenAI models, as langchain-openai
    else:
        assert body["response_format"] == {"type": "json_object"}


def test_structured_output_stream(vcr: Cassette) -> None:
    llm = ChatYEScale(model="gpt-4o-mini").with_structured_output(JokeDict)
    chunks = list(llm.stream("Tell me a joke about cats."))
    assert len(chunks) > 1  # partial JSON parsed as it arrives
    assert chunks[-1] == {
        "setup": "Why was the cat sitting on the computer?",
        "punchline": "To keep an eye on the mouse!",
    }


def test_structured_output_include_raw(vcr: Cassette) -> None:
    llm = ChatYEScale(model="gpt-4o-mini").with_structured_output(Joke, include_raw=True)
    out = llm.invoke("Tell me a joke about cats.")
    assert isinstance(out, dict)
    assert isinstance(out["raw"], AIMessage)
    assert out["raw"].usage_metadata is not None
    assert isinstance(out["parsed"], Joke)
    assert out["parsing_error"] is None


def test_structured_output_include_raw_parsing_error(vcr: Cassette) -> None:
    # json_mode describes the shape in the prompt only; this prompt does not, so the model's JSON
    # does not fit the schema: the error is returned, not raised.
    llm = ChatYEScale(model="gpt-4o-mini").with_structured_output(
        Joke, method="json_mode", include_raw=True
    )
    out = llm.invoke("Answer in JSON: what is the capital of France?")
    assert isinstance(out, dict)
    assert out["parsed"] is None
    assert out["parsing_error"] is not None
    assert json.loads(str(out["raw"].content)) == {"answer": "The capital of France is Paris."}


@pytest.mark.parametrize("kind", ["pydantic", "json_schema"])
def test_structured_output_strict(vcr: Cassette, kind: str) -> None:
    class Person(BaseModel):
        """A person."""

        name: str
        age: int
        nickname: str | None = None

    schema: Any = Person if kind == "pydantic" else Person.model_json_schema()
    llm = ChatYEScale(model="gpt-4o-mini").with_structured_output(
        schema, method="json_schema", strict=True
    )
    result = llm.invoke("Make up a person.")
    parsed = result.model_dump() if isinstance(result, BaseModel) else result
    assert parsed["name"] == "Alice"
    assert parsed["age"] == 30
    spec = bodies(vcr)[0]["response_format"]["json_schema"]
    # strict mode: closed objects, every property required (the service refuses otherwise)
    assert spec["strict"] is True
    assert spec["schema"]["additionalProperties"] is False
    assert spec["schema"]["required"] == ["name", "age", "nickname"]


def test_structured_output_strict_function_calling(vcr: Cassette) -> None:
    llm = ChatYEScale(model="gpt-4o-mini").with_structured_output(
        Joke, method="function_calling", strict=True
    )
    assert isinstance(llm.invoke("Tell me a joke about cats."), Joke)
    function = bodies(vcr)[0]["tools"][0]["function"]
    assert function["strict"] is True
    assert function["parameters"]["additionalProperties"] is False


@pytest.mark.parametrize(
    ("model", "method"),
    [
        ("gpt-4o", "json_schema"),
        ("o4-mini", "json_schema"),
        ("gemini-2.5-flash", "json_schema"),
        ("claude-sonnet-4-5", "function_calling"),
        ("deepseek-chat", "function_calling"),
    ],
)
def test_structured_output_default_method_by_family(vcr: Cassette, model: str, method: str) -> None:
    llm = ChatYEScale(model=model).with_structured_output(Joke)
    assert isinstance(llm.invoke("Tell me a joke about cats."), Joke)
    (body,) = bodies(vcr)
    if method == "json_schema":
        assert body["response_format"]["type"] == "json_schema"
        assert "tools" not in body
    else:
        assert "response_format" not in body
        assert body["tool_choice"] == {"type": "function", "function": {"name": "Joke"}}


def test_claude_json_schema_goes_as_a_forced_function(vcr: Cassette) -> None:
    # Claude (and DeepSeek) answer response_format json_schema with a 400, so the client sends
    # the schema as a function the model must call and returns its arguments as the text
    # (yescale.translate.answer_tool): method="json_schema" works on them too
    llm = ChatYEScale(model="claude-sonnet-4-5", max_retries=0).with_structured_output(
        Joke, method="json_schema"
    )
    joke = llm.invoke("Tell me a joke about cats.")
    assert isinstance(joke, Joke)
    assert joke.setup
    assert joke.punchline
    (body,) = bodies(vcr)
    assert "response_format" not in body
    assert [t["function"]["name"] for t in body["tools"]] == ["Joke"]
    assert body["tool_choice"] == {"type": "function", "function": {"name": "Joke"}}


def test_disabled_params(vcr: Cassette) -> None:
    # o1 rejects parallel_tool_calls; disabled_params keeps it out of the request
    llm = ChatYEScale(model="o1", max_retries=0, disabled_params={"parallel_tool_calls": None})
    msg = llm.bind_tools([GetWeather], parallel_tool_calls=False).invoke(
        "What is the weather in Hanoi?"
    )
    assert msg.tool_calls[0]["args"] == {"location": "Hanoi"}
    # o1 is known to reject it (yescale.models.families.adapt_chat_params): left out without asking
    plain = ChatYEScale(model="o1", max_retries=0)
    again = plain.bind_tools([GetWeather], parallel_tool_calls=False).invoke(
        "What is the weather in Hanoi?"
    )
    assert again.tool_calls[0]["args"] == {"location": "Hanoi"}
    first, second = bodies(vcr)
    assert "parallel_tool_calls" not in first
    assert "parallel_tool_calls" not in second
    assert [t["function"]["name"] for t in second["tools"]] == ["GetWeather"]


def test_disabled_param_values(vcr: Cassette) -> None:
    llm = ChatYEScale(
        model="o4-mini",
        reasoning_effort="minimal",
        disabled_params={"reasoning_effort": ["minimal"]},
    )
    llm.invoke("What is 17 * 23?")
    llm.invoke("What is 17 * 23?", reasoning_effort="high")
    first, second = bodies(vcr)
    assert "reasoning_effort" not in first
    assert second["reasoning_effort"] == "high"


# -- multimodal input ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "block",
    [
        {"type": "image", "url": IMAGE_URL},
        {"type": "image", "base64": PIXEL_PNG, "mime_type": "image/png"},
        {"type": "image_url", "image_url": {"url": IMAGE_URL, "detail": "low"}},
        {"type": "image_url", "image_url": {"url": f"data:image/png;base64,{PIXEL_PNG}"}},
        {
            "type": "image",
            "source": {"type": "base64", "media_type": "image/png", "data": PIXEL_PNG},
        },
    ],
    ids=["standard-url", "standard-base64", "openai-url", "openai-base64", "anthropic-base64"],
)
def test_image_input(vcr: Cassette, block: dict[str, Any]) -> None:
    llm = ChatYEScale(model="gpt-4o-mini")
    message = HumanMessage(content=[{"type": "text", "text": "Describe this image."}, block])
    msg = llm.invoke([message])
    assert "blue square" in str(msg.content)
    (body,) = bodies(vcr)
    part = body["messages"][0]["content"][1]
    assert part["type"] == "image_url"
    url = part["image_url"]["url"]
    assert url == IMAGE_URL or url == f"data:image/png;base64,{PIXEL_PNG}"
    if block.get("image_url", {}).get("detail"):
        assert part["image_url"]["detail"] == "low"
    # URLs go to the service as URLs: nothing is fetched on our side
    assert all(r.path == "/v1/chat/completions" for r in vcr.requests)


def test_image_in_tool_message(vcr: Cassette) -> None:
    @tool
    def random_image() -> str:
        """Return a random image."""
        return ""

    llm = ChatYEScale(model="gpt-4o-mini").bind_tools([random_image])
    messages: list[BaseMessage] = [
        HumanMessage("Get a random image using the tool and describe it."),
        AIMessage("", tool_calls=[{"id": "call_1", "name": "random_image", "args": {}}]),
        ToolMessage(
            content=[{"type": "image", "base64": PIXEL_PNG, "mime_type": "image/png"}],
            tool_call_id="call_1",
        ),
    ]
    msg = llm.invoke(messages)
    assert "blue square" in str(msg.content)
    tool_message = bodies(vcr)[0]["messages"][2]
    assert tool_message["role"] == "tool"
    assert tool_message["content"][0]["type"] == "image_url"
    assert tool_message["content"][0]["image_url"]["url"].startswith("data:image/png;base64,")


# -- DeepSeek-style reasoning content ------------------------------------------------------------


def test_reasoning_content_kept(vcr: Cassette) -> None:
    llm = ChatYEScale(model="deepseek-reasoner")
    msg = llm.invoke("What is 17 * 23?")
    assert msg.content == "17 * 23 = 391."
    reasoning = msg.additional_kwargs["reasoning_content"]
    assert "17 * 23" in reasoning
    blocks = msg.content_blocks
    assert blocks[0]["type"] == "reasoning"
    assert blocks[0].get("reasoning") == reasoning
    assert blocks[-1]["type"] == "text"
    assert msg.usage_metadata is not None
    assert msg.usage_metadata["output_token_details"]["reasoning"] > 0


def test_reasoning_content_streamed(vcr: Cassette) -> None:
    llm = ChatYEScale(model="deepseek-reasoner")
    chunks = list(llm.stream("What is 17 * 23?"))
    thinking = [c for c in chunks if c.additional_kwargs.get("reasoning_content")]
    assert len(thinking) > 3
    # reasoning arrives before the answer
    first_text = next(i for i, c in enumerate(chunks) if c.text)
    assert chunks.index(thinking[-1]) < first_text
    full = aggregate(chunks)
    assert "17 * 23" in full.additional_kwargs["reasoning_content"]
    assert full.text == "17 * 23 = 391."
    assert next(b["type"] for b in full.content_blocks) == "reasoning"


def test_reasoning_content_sent_back_on_tool_turn(vcr: Cassette) -> None:
    llm = ChatYEScale(model="deepseek-reasoner").bind_tools([get_weather])
    question = HumanMessage("What is the weather in Hanoi?")
    call = llm.invoke([question])
    assert call.tool_calls
    assert call.additional_kwargs["reasoning_content"]
    answer = llm.invoke([question, call, get_weather.invoke(call.tool_calls[0])])
    assert "Sunny" in str(answer.content)
    sent = bodies(vcr)[1]["messages"][1]
    assert sent["reasoning_content"] == call.additional_kwargs["reasoning_content"]

    # a new user turn after a plain answer: reasoning is not sent back ("auto")
    follow = llm.invoke(
        [question, call, get_weather.invoke(call.tool_calls[0]), answer, HumanMessage("Thanks!")]
    )
    assert follow.content
    later = bodies(vcr)[2]["messages"]
    assert "reasoning_content" in later[1]
    assert "reasoning_content" not in later[3]


def test_reasoning_history_never_is_rejected_by_thinking_model(vcr: Cassette) -> None:
    llm = ChatYEScale(model="deepseek-reasoner", reasoning_history="never", max_retries=0)
    tools_llm = llm.bind_tools([get_weather])
    question = HumanMessage("What is the weather in Hanoi?")
    call = tools_llm.invoke([question])
    with pytest.raises(ModelInvalidRequestError, match="reasoning_content"):
        tools_llm.invoke([question, call, get_weather.invoke(call.tool_calls[0])])


def test_reasoning_content_streamed_tool_turn(vcr: Cassette) -> None:
    llm = ChatYEScale(model="deepseek-reasoner").bind_tools([get_weather])
    question = HumanMessage("What is the weather in Hanoi?")
    call = aggregate(list(llm.stream([question])))
    assert call.tool_calls[0]["args"] == {"location": "Hanoi"}
    answer = llm.invoke([question, call, get_weather.invoke(call.tool_calls[0])])
    assert "Sunny" in str(answer.content)
    assert bodies(vcr)[1]["messages"][1]["reasoning_content"]


# -- errors -------------------------------------------------------------------------------------


def test_bad_key_is_authentication_error(vcr: Cassette) -> None:
    llm = ChatYEScale(model="gpt-4o-mini", api_key="sk-invalid-key-for-tests-0000")
    with pytest.raises(ModelAuthenticationError) as info:
        llm.invoke("Hello")
    assert isinstance(info.value, yescale.AuthenticationError)
    assert info.value.status_code == 401
    assert "sk-invalid-key-for-tests-0000" not in str(info.value)
    with pytest.raises(yescale.AuthenticationError):
        list(llm.stream("Hello"))


def test_rate_limit_error(vcr: Cassette) -> None:
    llm = ChatYEScale(model="gpt-4o-mini", max_retries=0)
    with pytest.raises(ModelRateLimitError) as info:
        llm.invoke("Hello")
    assert isinstance(info.value, yescale.RateLimitError)
    assert info.value.status_code == 429
    assert len(vcr.requests) == 1  # max_retries=0: no retry


async def test_rate_limit_error_async(vcr: Cassette) -> None:
    llm = ChatYEScale(model="gpt-4o-mini", max_retries=0)
    with pytest.raises(yescale.RateLimitError) as info:
        await llm.ainvoke("Hello")
    assert isinstance(info.value, ModelRateLimitError)


def test_context_overflow_error(vcr: Cassette) -> None:
    llm = ChatYEScale(model="gpt-4", max_tokens=8192, max_retries=0)
    with pytest.raises(ContextOverflowError) as info:
        llm.invoke("Write a story about a cat.")
    assert isinstance(info.value, yescale.ContextLengthExceededError)
    assert isinstance(info.value, yescale.BadRequestError)
    assert "maximum context length is 8192 tokens" in str(info.value)


# -- LangSmith params, agents ---------------------------------------------------------------------


def test_get_ls_params() -> None:
    llm = ChatYEScale(
        model="gpt-4o-mini", temperature=0.3, max_tokens=64, stop=["END"], api_key="x"
    )
    params = llm._get_ls_params()
    assert params == {
        "ls_provider": "yescale",
        "ls_model_name": "gpt-4o-mini",
        "ls_model_type": "chat",
        "ls_temperature": 0.3,
        "ls_max_tokens": 64,
        "ls_stop": ["END"],
    }
    override = llm._get_ls_params(stop=["STOP"], model="gpt-4o", temperature=1)
    assert override["ls_model_name"] == "gpt-4o"
    assert override["ls_stop"] == ["STOP"]
    assert override["ls_temperature"] == 1
    assert llm._llm_type == "yescale-chat"
    assert llm.lc_secrets == {"api_key": "YESCALE_API_KEY"}


def test_agent_loop_create_agent(vcr: Cassette) -> None:
    from langchain.agents import create_agent

    agent = create_agent(
        ChatYEScale(model="gpt-4o-mini", temperature=0),
        tools=[get_weather],
        system_prompt="You are a helpful weather assistant.",
    )
    state = agent.invoke({"messages": [HumanMessage("What is the weather in Hanoi?")]})
    messages = state["messages"]
    assert [type(m).__name__ for m in messages] == [
        "HumanMessage",
        "AIMessage",
        "ToolMessage",
        "AIMessage",
    ]
    assert messages[1].tool_calls[0]["name"] == "get_weather"
    assert messages[2].content == "Sunny, 31 degrees C in Hanoi."
    assert "Sunny" in messages[3].content
    first, second = bodies(vcr)
    assert first["messages"][0] == {
        "role": "system",
        "content": "You are a helpful weather assistant.",
    }
    assert second["messages"][-1]["role"] == "tool"
    assert second["messages"][-1]["tool_call_id"] == messages[1].tool_calls[0]["id"]
