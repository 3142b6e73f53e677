"""YEScaleAnthropic (LlamaIndex) without the network: metadata, serialization, arguments refused
when built or before any request, request bodies and answers over ``httpx.MockTransport``."""

from __future__ import annotations

import base64
import json
import pickle
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
from llama_index.core.base.llms.types import (
    AudioBlock,
    CacheControl,
    CachePoint,
    ChatMessage,
    DocumentBlock,
    ImageBlock,
    MessageRole,
    TextBlock,
    ThinkingBlock,
    ToolCallBlock,
)
from llama_index.core.prompts import PromptTemplate
from llama_index.core.tools import FunctionTool
from llama_index.core.types import PydanticProgramMode
from pydantic import BaseModel

import llama_index_yescale
from llama_index_yescale import YEScaleAnthropic
from llama_index_yescale.llms import BaseYEScaleLLM
from yescale import InternalServerError, InvalidRequestError, RateLimitError
from yescale.models.limits import model_limits

from .conftest import json_response, sse_response

KEY = "sk-unit-secret-key-0123456789abcdef"
MODEL = "claude-sonnet-4-5"
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6364f8cf500f0003860180"
    "5a347d6b0000000049454e44ae426082"
)
THINKING = {"type": "enabled", "budget_tokens": 2048}
WEB_SEARCH = {"type": "web_search_20250305", "name": "web_search", "max_uses": 3}
HI = [ChatMessage(role="user", content="Hi")]


def get_weather(city: str) -> str:
    """Get the current weather in a city."""
    return f"Sunny in {city}"


WEATHER = FunctionTool.from_defaults(fn=get_weather)


class Weather(BaseModel):
    """The weather asked about."""

    city: str
    unit: str


def message(
    content: list[dict[str, Any]],
    stop: str = "end_turn",
    usage: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """An Anthropic Messages API answer."""
    return {
        "id": "msg_unit_1",
        "type": "message",
        "role": "assistant",
        "model": MODEL,
        "content": content,
        "stop_reason": stop,
        "stop_sequence": None,
        "usage": usage or {"input_tokens": 5, "output_tokens": 2},
    }


TEXT = message([{"type": "text", "text": "Hello!"}])


def tool_use(*names: str) -> dict[str, Any]:
    calls = [
        {"type": "tool_use", "id": f"toolu_{i}", "name": name, "input": {"city": "Hanoi"}}
        for i, name in enumerate(names)
    ]
    return message(calls, stop="tool_use")


class Wire:
    """A MockTransport that answers every request with ``answer`` and keeps the bodies sent."""

    def __init__(self, answer: dict[str, Any] | Callable[[httpx.Request], httpx.Response]) -> None:
        self.answer = answer
        self.requests: list[httpx.Request] = []

    @property
    def bodies(self) -> list[dict[str, Any]]:
        return [json.loads(r.content) for r in self.requests]

    def handler(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        if callable(self.answer):
            return self.answer(request)
        return json_response(self.answer)

    def llm(self, **kwargs: Any) -> YEScaleAnthropic:
        transport = httpx.MockTransport(self.handler)
        return YEScaleAnthropic(
            api_key=KEY,
            max_retries=0,
            http_client=httpx.Client(transport=transport),
            async_http_client=httpx.AsyncClient(transport=transport),
            **kwargs,
        )


# -- metadata, names, exports ---------------------------------------------------------------------


def test_metadata_of_claude_sonnet_4_5() -> None:
    llm = YEScaleAnthropic(api_key=KEY)
    assert llm.model == MODEL
    meta = llm.metadata
    assert meta.context_window == 200_000
    # the model's 64k output limit, at most a quarter of the context window
    assert meta.num_output == 50_000
    assert meta.is_chat_model is True
    assert meta.is_function_calling_model is True
    assert meta.model_name == MODEL
    assert meta.system_role == MessageRole.SYSTEM


def test_metadata_follows_max_tokens_and_overrides() -> None:
    assert YEScaleAnthropic(api_key=KEY, max_tokens=1024).metadata.num_output == 1024
    llm = YEScaleAnthropic(
        api_key=KEY, context_window=9_000, num_output=300, is_function_calling_model=False
    )
    meta = llm.metadata
    assert (meta.context_window, meta.num_output) == (9_000, 300)
    assert meta.is_function_calling_model is False


def test_class_name_and_exports() -> None:
    from llama_index.llms.yescale import YEScaleAnthropic as Shim

    assert YEScaleAnthropic.class_name() == "YEScaleAnthropic"
    assert Shim is YEScaleAnthropic
    assert llama_index_yescale.YEScaleAnthropic is YEScaleAnthropic
    assert "YEScaleAnthropic" in llama_index_yescale.__all__
    assert issubclass(YEScaleAnthropic, BaseYEScaleLLM)
    llm = YEScaleAnthropic(api_key=KEY)
    assert llm.to_dict()["class_name"] == "YEScaleAnthropic"


def test_api_key_is_never_serialized() -> None:
    llm = YEScaleAnthropic(
        api_key=KEY,
        thinking=THINKING,
        server_tools=[WEB_SEARCH],
        default_headers={"x-trace": "1"},
    )
    shown = [
        llm.to_json(),
        json.dumps(llm.to_dict()),
        json.dumps(llm.to_payload(), default=str),
        llm.model_dump_json(),
        repr(llm),
        str(llm),
    ]
    for text in shown:
        assert KEY not in text
    data = llm.to_dict()
    assert "api_key" not in data
    assert data["thinking"] == THINKING
    assert data["server_tools"] == [WEB_SEARCH]
    assert data["structured_outputs"] is False


def test_round_trip_takes_the_key_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("YESCALE_API_KEY", KEY)
    llm = YEScaleAnthropic(
        model="claude-opus-4-5",
        thinking=THINKING,
        top_k=3,
        server_tools=[WEB_SEARCH],
        structured_outputs=True,
    )
    again = YEScaleAnthropic.from_json(llm.to_json())
    assert isinstance(again, YEScaleAnthropic)
    assert (again.model, again.thinking, again.top_k) == ("claude-opus-4-5", THINKING, 3)
    assert again.server_tools == [WEB_SEARCH]
    assert again.structured_outputs is True
    assert again.api_key is not None
    assert again.api_key.get_secret_value() == KEY
    assert pickle.loads(pickle.dumps(llm)).thinking == THINKING


# -- refused when built ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"model": "gpt-4o"}, r"'gpt-4o' is not a Claude model.*YEScale"),
        ({"model": "gemini-2.5-flash"}, "not a Claude model"),
        ({"model": "text-embedding-3-small"}, "embedding model"),
        ({"model": "dall-e-3"}, "not a Claude model"),
        ({"n": 2}, "does not take `n`: YEScaleAnthropic returns one answer"),
        ({"reasoning_effort": "high"}, r"reasoning_effort.*thinking=\{\"type\": \"enabled\""),
        ({"logprobs": True}, "no log-probabilities"),
        ({"response_format": {"type": "json_object"}}, "response_format"),
        ({"presence_penalty": 0.5}, "presence penalty"),
    ],
    ids=["gpt", "gemini", "embedding", "image", "n", "reasoning_effort", "logprobs", "rf", "pp"],
)
def test_refused_when_built(kwargs: dict[str, Any], match: str) -> None:
    wire = Wire(TEXT)
    with pytest.raises(InvalidRequestError, match=match):
        wire.llm(**kwargs)
    assert wire.requests == []


def test_seed_refused_when_built_and_per_call() -> None:
    """``seed`` is a field of the shared base, but Claude takes none: refused, not dropped."""
    wire = Wire(TEXT)
    with pytest.raises(InvalidRequestError, match="does not take `seed`: Claude takes no seed"):
        wire.llm(seed=1)
    with pytest.raises(InvalidRequestError, match="seed is not supported over /v1/messages"):
        wire.llm().chat(HI, seed=1)
    assert wire.requests == []


def test_unknown_arguments_go_to_additional_kwargs_with_a_warning() -> None:
    wire = Wire(TEXT)
    with pytest.warns(UserWarning, match="no `service_tier` argument"):
        llm = wire.llm(service_tier="auto")
    assert llm.additional_kwargs == {"service_tier": "auto"}
    llm.chat(HI)
    assert wire.bodies[0]["service_tier"] == "auto"


# -- refused before any request -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("built", "call", "match"),
    [
        ({"thinking": {"type": "enabled", "budget_tokens": 512}}, {}, "at least 1024"),
        (
            {"thinking": THINKING, "max_tokens": 2048},
            {},
            r"budget_tokens \(2048\) must be less than max_tokens \(2048\)",
        ),
        ({"thinking": THINKING, "temperature": 0.5}, {}, "temperature=0.5 cannot be used"),
        ({"thinking": THINKING, "top_k": 5}, {}, "top_k=5 cannot be used"),
        ({}, {"thinking": {"type": "enabled", "budget_tokens": 10}}, "at least 1024"),
        ({"thinking": {"type": "enabled"}}, {}, "budget_tokens must be an int"),
        ({}, {"reasoning_effort": "high"}, "reasoning_effort is not supported"),
        ({}, {"n": 2}, "one answer per request"),
        ({}, {"response_format": {"type": "json_object"}}, "no response_format"),
    ],
    ids=[
        "budget-low",
        "budget-max",
        "temperature",
        "top_k",
        "call-thinking",
        "no-budget",
        "call-effort",
        "call-n",
        "call-rf",
    ],
)
async def test_refused_before_any_request(
    built: dict[str, Any], call: dict[str, Any], match: str
) -> None:
    wire = Wire(TEXT)
    llm = wire.llm(**built)
    with pytest.raises(InvalidRequestError, match=match):
        llm.chat(HI, **call)
    with pytest.raises(InvalidRequestError, match=match):
        list(llm.stream_chat(HI, **call))
    with pytest.raises(InvalidRequestError, match=match):
        await llm.achat(HI, **call)
    assert wire.requests == []


def test_thinking_allows_temperature_one() -> None:
    wire = Wire(TEXT)
    wire.llm(thinking=THINKING, temperature=1).chat(HI)
    assert wire.bodies[0]["temperature"] == 1
    assert wire.bodies[0]["thinking"] == THINKING


@pytest.mark.parametrize(
    ("block", "match"),
    [
        (AudioBlock(audio=b"RIFF0000WAVE", format="wav"), "Claude takes text, images and PDFs"),
        (DocumentBlock(data=b"plain words", document_mimetype="text/plain"), "PDF"),
        (DocumentBlock(url="https://example.com/a.pdf"), "must hold bytes or a local path"),
    ],
    ids=["audio", "text-document", "document-url"],
)
def test_unsupported_blocks_refused_before_any_request(block: Any, match: str) -> None:
    wire = Wire(TEXT)
    message = ChatMessage(role="user", blocks=[TextBlock(text="Look."), block])
    with pytest.raises(InvalidRequestError, match=match):
        wire.llm().chat([message])
    assert wire.requests == []


def test_forced_tool_choice_with_thinking_refused_before_any_request() -> None:
    """tool_required is softened under thinking, but an explicit tool_choice is the caller's:
    Claude refuses it with thinking, so it is refused here first."""
    wire = Wire(tool_use("get_weather"))
    llm = wire.llm(thinking=THINKING)
    for choice in ("required", "get_weather"):
        with pytest.raises(InvalidRequestError, match="cannot be used with thinking"):
            llm.chat_with_tools([WEATHER], user_msg="Weather in Hanoi?", tool_choice=choice)
    assert wire.requests == []


# -- request bodies -------------------------------------------------------------------------------


def test_fields_defaults_and_call_overrides() -> None:
    wire = Wire(TEXT)
    llm = wire.llm(
        temperature=0.3,
        top_p=0.9,
        top_k=7,
        stop=["END"],
        additional_kwargs={"metadata": {"user_id": "u-1"}, "service_tier": "auto"},
    )
    history = [ChatMessage(role="system", content="Be brief."), *HI]
    llm.chat(history)
    llm.chat(history, max_tokens=100, temperature=0.0, stop=["STOP"])
    first, second = wire.bodies
    assert wire.requests[0].url.path == "/v1/messages"
    assert wire.requests[0].headers["anthropic-version"] == "2023-06-01"
    assert wire.requests[0].headers["authorization"] == f"Bearer {KEY}"
    assert "x-api-key" not in wire.requests[0].headers
    assert first == {
        "model": MODEL,
        "max_tokens": 64_000,  # the model's own maximum: the Messages API requires one
        "temperature": 0.3,
        "top_p": 0.9,
        "top_k": 7,
        "stop_sequences": ["END"],
        "metadata": {"user_id": "u-1"},
        "service_tier": "auto",
        "system": "Be brief.",
        "messages": [{"role": "user", "content": "Hi"}],
    }
    assert (second["max_tokens"], second["temperature"], second["stop_sequences"]) == (
        100,
        0.0,
        ["STOP"],
    )


def test_unknown_claude_model_gets_its_family_max_tokens() -> None:
    wire = Wire(TEXT)
    wire.llm(model="claude-9-ultra").chat(HI)
    assert wire.bodies[0]["max_tokens"] == model_limits("claude-9-ultra").max_output_tokens
    assert wire.bodies[0]["model"] == "claude-9-ultra"


def test_images_and_pdf_into_the_body(tmp_path: Path) -> None:
    path = tmp_path / "dot.png"
    path.write_bytes(PNG)
    wire = Wire(TEXT)
    pdf = b"%PDF-1.4\n%%EOF\n"
    message = ChatMessage(
        role="user",
        blocks=[
            TextBlock(text="Compare."),
            ImageBlock(url="https://example.com/cat.png"),
            ImageBlock(image=PNG),
            ImageBlock(path=path),
            DocumentBlock(data=pdf, document_mimetype="application/pdf"),
        ],
    )
    wire.llm().chat([message])
    inline = {
        "type": "image",
        "source": {
            "type": "base64",
            "media_type": "image/png",
            "data": base64.b64encode(PNG).decode(),
        },
    }
    assert wire.bodies[0]["messages"][0]["content"] == [
        {"type": "text", "text": "Compare."},
        {"type": "image", "source": {"type": "url", "url": "https://example.com/cat.png"}},
        inline,
        inline,
        {
            "type": "document",
            "source": {
                "type": "base64",
                "media_type": "application/pdf",
                "data": base64.b64encode(pdf).decode(),
            },
        },
    ]


@pytest.mark.parametrize(
    ("options", "choice"),
    [
        ({}, {"type": "auto", "disable_parallel_tool_use": True}),
        ({"allow_parallel_tool_calls": True}, {"type": "auto"}),
        ({"tool_required": True}, {"type": "any", "disable_parallel_tool_use": True}),
        ({"tool_required": True, "allow_parallel_tool_calls": True}, {"type": "any"}),
        (
            {"tool_choice": "get_weather"},
            {"type": "tool", "name": "get_weather", "disable_parallel_tool_use": True},
        ),
        ({"tool_choice": "required"}, {"type": "any", "disable_parallel_tool_use": True}),
        ({"tool_choice": "none"}, {"type": "none"}),
        ({"tool_choice": "auto", "allow_parallel_tool_calls": True}, {"type": "auto"}),
        # tool_choice wins over tool_required
        (
            {"tool_choice": "auto", "tool_required": True},
            {"type": "auto", "disable_parallel_tool_use": True},
        ),
    ],
    ids=[
        "default",
        "parallel",
        "required",
        "required-parallel",
        "by-name",
        "choice-required",
        "none",
        "auto-parallel",
        "choice-wins",
    ],
)
def test_tool_choice_mapping(options: dict[str, Any], choice: dict[str, Any]) -> None:
    wire = Wire(tool_use("get_weather"))
    wire.llm().chat_with_tools([WEATHER], user_msg="Weather in Hanoi?", **options)
    body = wire.bodies[0]
    assert body["tool_choice"] == choice
    assert "parallel_tool_calls" not in body
    assert body["tools"] == [
        {
            "name": "get_weather",
            "description": body["tools"][0]["description"],
            "input_schema": WEATHER.metadata.get_parameters_dict(),
        }
    ]


@pytest.mark.parametrize("where", ["built", "call"])
def test_thinking_turns_tool_required_into_an_offered_tool(where: str) -> None:
    wire = Wire(tool_use("get_weather"))
    llm = wire.llm(**({"thinking": THINKING} if where == "built" else {}))
    extra = {"thinking": THINKING} if where == "call" else {}
    response = llm.chat_with_tools(
        [WEATHER], user_msg="Weather in Hanoi?", tool_required=True, **extra
    )
    body = wire.bodies[0]
    assert body["thinking"] == THINKING
    assert body["tool_choice"] == {"type": "auto", "disable_parallel_tool_use": True}
    (call,) = llm.get_tool_calls_from_response(response)
    assert (call.tool_name, call.tool_kwargs) == ("get_weather", {"city": "Hanoi"})


def test_disabled_thinking_still_forces_the_tool() -> None:
    wire = Wire(tool_use("get_weather"))
    llm = wire.llm(thinking={"type": "disabled"})
    llm.chat_with_tools([WEATHER], user_msg="Weather in Hanoi?", tool_required=True)
    assert wire.bodies[0]["tool_choice"] == {"type": "any", "disable_parallel_tool_use": True}


def test_only_one_tool_call_kept_unless_parallel() -> None:
    wire = Wire(tool_use("get_weather", "get_weather"))
    llm = wire.llm()
    single = llm.chat_with_tools([WEATHER], user_msg="Weather in Hanoi and Hue?")
    assert len(llm.get_tool_calls_from_response(single)) == 1
    assert len(single.message.additional_kwargs["tool_calls"]) == 1
    both = llm.chat_with_tools(
        [WEATHER], user_msg="Weather in Hanoi and Hue?", allow_parallel_tool_calls=True
    )
    assert [c.tool_id for c in llm.get_tool_calls_from_response(both)] == ["toolu_0", "toolu_1"]


def test_server_tools_are_sent_first_with_every_request() -> None:
    wire = Wire(TEXT)
    llm = wire.llm(server_tools=[WEB_SEARCH])
    llm.chat(HI)
    llm.chat_with_tools([WEATHER], user_msg="Weather in Hanoi?")
    plain, with_tools = wire.bodies
    assert plain["tools"] == [WEB_SEARCH]
    assert "tool_choice" not in plain
    assert [t.get("name") for t in with_tools["tools"]] == ["web_search", "get_weather"]
    assert with_tools["tools"][0] == WEB_SEARCH
    assert llm.server_tools == [WEB_SEARCH]  # not changed by the calls


# -- answers --------------------------------------------------------------------------------------


def test_thinking_answer_and_the_next_turn() -> None:
    signed = [
        {"type": "thinking", "thinking": "Use the tool.", "signature": "c2lnLTE="},
        {"type": "redacted_thinking", "data": "cmVkYWN0ZWQ="},
    ]
    first = message(
        [
            *signed,
            {"type": "tool_use", "id": "toolu_a", "name": "get_weather", "input": {"city": "Hue"}},
        ],
        stop="tool_use",
    )
    answers = iter([first, TEXT])
    wire = Wire(lambda request: json_response(next(answers)))
    llm = wire.llm(thinking=THINKING)
    response = llm.chat_with_tools([WEATHER], user_msg="Weather in Hue?")
    blocks = response.message.blocks
    assert [type(b) for b in blocks] == [ThinkingBlock, TextBlock, ToolCallBlock]
    assert isinstance(blocks[0], ThinkingBlock)
    assert blocks[0].content == "Use the tool."
    assert response.message.additional_kwargs["extra_content"] == {
        "anthropic": {"thinking": signed}
    }
    result = ChatMessage(
        role="tool", content="Sunny in Hue", additional_kwargs={"tool_call_id": "toolu_a"}
    )
    history = [ChatMessage(role="user", content="Weather in Hue?"), response.message, result]
    llm.chat_with_tools([WEATHER], chat_history=history)
    turn = wire.bodies[1]["messages"][1]
    assert turn["content"] == [
        *signed,
        {"type": "tool_use", "id": "toolu_a", "name": "get_weather", "input": {"city": "Hue"}},
    ]
    assert wire.bodies[1]["messages"][2]["content"] == [
        {"type": "tool_result", "tool_use_id": "toolu_a", "content": "Sunny in Hue"}
    ]


def test_thinking_block_without_a_signature_is_not_sent() -> None:
    """Anthropic refuses unsigned thinking: a ThinkingBlock alone (e.g. from another model)
    does not go back as a thinking block."""
    wire = Wire(TEXT)
    earlier = ChatMessage(
        role="assistant",
        blocks=[
            ThinkingBlock(content="I thought."),
            ToolCallBlock(tool_call_id="toolu_z", tool_name="get_weather", tool_kwargs={}),
        ],
    )
    result = ChatMessage(role="tool", content="ok", additional_kwargs={"tool_call_id": "toolu_z"})
    wire.llm().chat([*HI, earlier, result])
    assistant = wire.bodies[0]["messages"][1]
    assert [b["type"] for b in assistant["content"]] == ["tool_use"]


def test_usage_with_cache_counts() -> None:
    usage = {
        "input_tokens": 5,
        "output_tokens": 2,
        "cache_read_input_tokens": 100,
        "cache_creation_input_tokens": 50,
    }
    wire = Wire(message([{"type": "text", "text": "Hi"}], usage=usage))
    response = wire.llm().chat(HI)
    counts = dict(response.additional_kwargs)
    cost = counts.pop("cost")
    assert counts == {
        "prompt_tokens": 155,  # cached tokens are prompt tokens too
        "completion_tokens": 2,
        "total_tokens": 157,
        "cache_read_input_tokens": 100,
        "cache_creation_input_tokens": 50,
    }
    assert cost["input_tokens"] == 155
    assert cost["usd"] is None


def test_cache_point_sends_cache_control() -> None:
    wire = Wire(TEXT)
    system = ChatMessage(
        role="system",
        blocks=[
            TextBlock(text="Long manual."),
            CachePoint(cache_control=CacheControl(type="ephemeral", ttl="1h")),
        ],
    )
    user = ChatMessage(
        role="user",
        blocks=[
            TextBlock(text="Context."),
            CachePoint(cache_control=CacheControl(type="ephemeral")),
            TextBlock(text="Question?"),
        ],
    )
    wire.llm().chat([system, user])
    body = wire.bodies[0]
    assert body["system"] == [
        {
            "type": "text",
            "text": "Long manual.",
            "cache_control": {"type": "ephemeral", "ttl": "1h"},
        }
    ]
    assert body["messages"][0]["content"] == [
        # LlamaIndex's CacheControl defaults ttl to "5m" (Anthropic's default, sent as given)
        {"type": "text", "text": "Context.", "cache_control": {"type": "ephemeral", "ttl": "5m"}},
        {"type": "text", "text": "Question?"},
    ]


# -- structured output ----------------------------------------------------------------------------


PROMPT = PromptTemplate("Weather in {city}?")


def test_structured_outputs_asks_output_config() -> None:
    wire = Wire(message([{"type": "text", "text": '{"city": "Hue", "unit": "celsius"}'}]))
    result = wire.llm(structured_outputs=True).structured_predict(Weather, PROMPT, city="Hue")
    assert result == Weather(city="Hue", unit="celsius")
    body = wire.bodies[0]
    assert "tools" not in body
    assert body["output_config"]["format"]["type"] == "json_schema"
    assert body["output_config"]["format"]["schema"]["properties"].keys() == {"city", "unit"}


def test_structured_outputs_needs_the_default_program_mode() -> None:
    wire = Wire(tool_use("Weather"))
    wire.answer = message(
        [{"type": "tool_use", "id": "t", "name": "Weather", "input": {"city": "Hue", "unit": "c"}}],
        stop="tool_use",
    )
    llm = wire.llm(structured_outputs=True, pydantic_program_mode=PydanticProgramMode.FUNCTION)
    assert llm.structured_predict(Weather, PROMPT, city="Hue") == Weather(city="Hue", unit="c")
    body = wire.bodies[0]
    assert "output_config" not in body
    assert body["tools"][0]["name"] == "Weather"
    assert body["tool_choice"] == {"type": "any", "disable_parallel_tool_use": True}


def test_structured_outputs_cut_off_is_an_error() -> None:
    wire = Wire(message([{"type": "text", "text": '{"city": "Hu'}], stop="max_tokens"))
    with pytest.raises(ValueError, match="cut off"):
        wire.llm(structured_outputs=True).structured_predict(Weather, PROMPT, city="Hue")


# -- errors over HTTP -----------------------------------------------------------------------------


def _sse(events: list[dict[str, Any]]) -> list[bytes]:
    text = "".join(f"event: {e['type']}\ndata: {json.dumps(e)}\n\n" for e in events).encode()
    return [text[i : i + 23] for i in range(0, len(text), 23)]  # split anywhere


async def test_error_in_a_2xx_body_is_typed_in_every_call() -> None:
    wire = Wire({"type": "error", "error": {"type": "rate_limit_error", "message": "slow down"}})
    llm = wire.llm()
    with pytest.raises(RateLimitError, match="slow down"):
        llm.chat(HI)
    with pytest.raises(RateLimitError, match="slow down"):
        list(llm.stream_chat(HI))
    with pytest.raises(RateLimitError, match="slow down"):
        await llm.achat(HI)
    with pytest.raises(RateLimitError, match="slow down"):
        [c async for c in await llm.astream_chat(HI)]
    with pytest.raises(RateLimitError, match="slow down"):
        llm.complete("Hi")


def test_error_event_in_a_stream_is_typed() -> None:
    start = {**message([]), "stop_reason": None}
    events = [
        {"type": "message_start", "message": start},
        {
            "type": "content_block_start",
            "index": 0,
            "content_block": {"type": "text", "text": ""},
        },
        {"type": "content_block_delta", "index": 0, "delta": {"type": "text_delta", "text": "Hi"}},
        {"type": "error", "error": {"type": "overloaded_error", "message": "Overloaded"}},
    ]
    wire = Wire(lambda request: sse_response(_sse(events)))
    seen: list[str] = []

    def read() -> None:
        for chunk in wire.llm().stream_chat(HI):
            seen.append(chunk.delta or "")

    with pytest.raises(InternalServerError, match="overloaded_error"):
        read()
    assert "".join(seen) == "Hi"  # what came before the error was given


def test_streamed_thinking_and_text_over_split_events() -> None:
    start = {**message([]), "stop_reason": None}
    events = [
        {"type": "message_start", "message": start},
        {
            "type": "content_block_start",
            "index": 0,
            "content_block": {"type": "thinking", "thinking": "", "signature": ""},
        },
        {
            "type": "content_block_delta",
            "index": 0,
            "delta": {"type": "thinking_delta", "thinking": "Hmm, "},
        },
        {
            "type": "content_block_delta",
            "index": 0,
            "delta": {"type": "thinking_delta", "thinking": "a greeting."},
        },
        {
            "type": "content_block_delta",
            "index": 0,
            "delta": {"type": "signature_delta", "signature": "c2ln"},
        },
        {"type": "content_block_stop", "index": 0},
        {
            "type": "content_block_start",
            "index": 1,
            "content_block": {"type": "text", "text": ""},
        },
        {"type": "content_block_delta", "index": 1, "delta": {"type": "text_delta", "text": "Hel"}},
        {"type": "content_block_delta", "index": 1, "delta": {"type": "text_delta", "text": "lo!"}},
        {"type": "content_block_stop", "index": 1},
        {
            "type": "message_delta",
            "delta": {"stop_reason": "end_turn", "stop_sequence": None},
            "usage": {"output_tokens": 9},
        },
        {"type": "message_stop"},
    ]
    wire = Wire(lambda request: sse_response(_sse(events)))
    chunks = list(wire.llm(thinking=THINKING).stream_chat(HI))
    assert "".join(c.additional_kwargs.get("thinking_delta", "") for c in chunks) == (
        "Hmm, a greeting."
    )
    assert "".join(c.delta or "" for c in chunks) == "Hello!"
    final = chunks[-1]
    assert final.message.content == "Hello!"
    thinking = [b for b in final.message.blocks if isinstance(b, ThinkingBlock)]
    assert [b.content for b in thinking] == ["Hmm, a greeting."]
    kept = final.message.additional_kwargs["extra_content"]["anthropic"]["thinking"]
    assert [(b["type"], b.get("signature")) for b in kept] == [("thinking", "c2ln")]
    assert final.additional_kwargs["completion_tokens"] == 9
    assert wire.bodies[0]["stream"] is True
