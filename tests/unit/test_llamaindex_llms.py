"""YEScale / YEScaleGemini (LlamaIndex) without the network: metadata, serialization, message and
block conversion, tool-call parsing (streamed deltas included), request parameters, errors."""

from __future__ import annotations

import base64
import inspect
import json
import pickle
from pathlib import Path
from typing import Any

import httpx
import pytest
from llama_index.core.base.llms.types import (
    AudioBlock,
    CacheControl,
    CachePoint,
    ChatMessage,
    ChatResponse,
    DocumentBlock,
    ImageBlock,
    MessageRole,
    TextBlock,
    ThinkingBlock,
    ToolCallBlock,
)
from llama_index.core.tools import FunctionTool
from llama_index.core.types import PydanticProgramMode
from pydantic import BaseModel

import llama_index_yescale
from llama_index_yescale import YEScale, YEScaleGemini
from llama_index_yescale.llms import BaseYEScaleLLM
from llama_index_yescale.llms._base import force_single_tool_call, parse_structured
from llama_index_yescale.llms._convert import (
    _guess_image_mime,
    from_wire_message,
    to_openai_messages,
)
from llama_index_yescale.llms._stream import StreamAccumulator
from yescale import (
    AuthenticationError,
    InvalidRequestError,
    RateLimitError,
)
from yescale.integration.streams import merge_tool_call_deltas
from yescale.models.limits import DEFAULT_LIMITS, model_limits
from yescale.types.chat import ChatCompletion, ChatCompletionChunk, ToolCall

from .conftest import json_response, sse_response

ROOT = Path(__file__).resolve().parents[2]
KEY = "sk-unit-secret-key-0123456789abcdef"
PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="
)
CLASSES = [YEScale, YEScaleGemini]


def get_weather(city: str) -> str:
    """Get the current weather in a city."""
    return f"Sunny in {city}"


def convert_c_to_f(celsius: float) -> float:
    """Convert Celsius to Fahrenheit."""
    return celsius * 9 / 5 + 32


WEATHER = FunctionTool.from_defaults(fn=get_weather)
CONVERT = FunctionTool.from_defaults(fn=convert_c_to_f)


class City(BaseModel):
    """A city."""

    name: str
    population: int


# -- metadata -------------------------------------------------------------------------------------


def test_metadata_of_known_models() -> None:
    meta = YEScale(api_key=KEY, model="gpt-4o").metadata
    assert (meta.context_window, meta.num_output) == (128_000, 16_384)
    assert meta.is_chat_model
    assert meta.is_function_calling_model
    assert meta.model_name == "gpt-4o"
    gemini = YEScaleGemini(api_key=KEY).metadata
    assert (gemini.context_window, gemini.num_output) == (1_048_576, 65_536)
    assert (
        YEScale(api_key=KEY, model="claude-sonnet-4-5-20250929").metadata.context_window == 200_000
    )


@pytest.mark.parametrize("name", ["brand-new-model-9000", "", "models/???", "x" * 300])
def test_metadata_never_raises_on_unknown_models(name: str) -> None:
    meta = YEScale(api_key=KEY, model=name).metadata
    assert (meta.context_window, meta.num_output) == (DEFAULT_LIMITS[0], DEFAULT_LIMITS[1])


def test_num_output_leaves_room_for_the_prompt() -> None:
    # gemini-2.5-flash-image: 32k context, 32k output -> LlamaIndex reserves a quarter only
    meta = YEScaleGemini(api_key=KEY, model="gemini-2.5-flash-image").metadata
    assert meta.num_output == 32_768 // 4


def test_metadata_overrides() -> None:
    llm = YEScale(api_key=KEY, model="gpt-4o", context_window=9_000, num_output=300)
    assert (llm.metadata.context_window, llm.metadata.num_output) == (9_000, 300)
    assert YEScale(api_key=KEY, max_tokens=512).metadata.num_output == 512
    plain = YEScale(api_key=KEY, model="some-local-model", is_function_calling_model=False)
    assert plain.metadata.is_function_calling_model is False


@pytest.mark.parametrize(
    ("model", "expected", "source"),
    [
        ("gpt-4o-mini-2024-07-18", (128_000, 16_384), "known"),
        ("gpt-4-0613", (8_192, 8_192), "known"),
        ("gpt-4.1-mini", (1_047_576, 32_768), "known"),
        ("openai/GPT-4.1-nano", (1_047_576, 32_768), "known"),
        ("models/gemini-2.5-pro", (1_048_576, 65_536), "known"),
        ("o3-mini", (200_000, 100_000), "known"),
        ("claude-opus-4-1-20250805", (200_000, 32_000), "known"),
        ("claude-opus-4-5", (200_000, 64_000), "known"),
        # the longest known prefix wins over shorter ones
        ("claude-opus-4-5-20251101", (200_000, 64_000), "known"),
        ("o1-mini-2024-09-12", (128_000, 65_536), "known"),
        ("o1-2024-12-17", (200_000, 100_000), "known"),
        ("gpt-5-chat-latest", (128_000, 16_384), "known"),
        ("gemini-2.5-flash-image-preview", (32_768, 32_768), "known"),
        ("", DEFAULT_LIMITS, "default"),
        ("claude-9-ultra", (200_000, 8_192), "family"),
        ("deepseek-v9", (65_536, 8_192), "family"),
        ("mystery", DEFAULT_LIMITS, "default"),
    ],
)
def test_model_limits_table(model: str, expected: tuple[int, int], source: str) -> None:
    limits = model_limits(model)
    assert (limits.context_window, limits.max_output_tokens) == expected
    assert limits.source == source


# -- serialization, class names, keys -------------------------------------------------------------


@pytest.mark.parametrize("cls", CLASSES)
def test_api_key_is_never_serialized(cls: type[BaseYEScaleLLM]) -> None:
    llm = cls(api_key=KEY, default_headers={"x-trace": "1"})
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
    assert "api_key" not in llm.to_dict()
    assert llm.to_dict()["class_name"] == cls.class_name()


def test_class_names_are_stable() -> None:
    assert YEScale.class_name() == "YEScale"
    assert YEScaleGemini.class_name() == "YEScaleGemini"


@pytest.mark.parametrize("cls", CLASSES)
def test_round_trip_takes_the_key_from_the_environment(
    cls: type[BaseYEScaleLLM], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("YESCALE_API_KEY", KEY)
    llm = cls(model="gpt-4o" if cls is YEScale else "gemini-2.5-pro", temperature=0.3)
    again = cls.from_json(llm.to_json())
    assert again.model == llm.model
    assert again.temperature == 0.3
    assert again.api_key is not None
    assert again.api_key.get_secret_value() == KEY
    assert pickle.loads(pickle.dumps(llm)).model == llm.model


@pytest.mark.parametrize("cls", CLASSES)
def test_missing_key_names_the_variable(
    cls: type[BaseYEScaleLLM], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("YESCALE_API_KEY", raising=False)
    # the client's MissingCredentialsError, reported through pydantic's ValidationError
    with pytest.raises(ValueError, match="YESCALE_API_KEY"):
        cls()


def test_async_streams_are_coroutines_returning_async_generators() -> None:
    for name in ("achat", "acomplete", "astream_chat", "astream_complete"):
        assert inspect.iscoroutinefunction(getattr(YEScale, name)), name


def test_exports_and_leaf_shims() -> None:
    from llama_index.embeddings.yescale import YEScaleEmbedding
    from llama_index.llms.yescale import YEScale as ShimYEScale
    from llama_index.llms.yescale import YEScaleGemini as ShimGemini

    assert ShimYEScale is YEScale
    assert ShimGemini is YEScaleGemini
    assert YEScaleEmbedding is llama_index_yescale.YEScaleEmbedding
    for name in ("YEScale", "YEScaleGemini", "YEScaleEmbedding"):
        assert name in llama_index_yescale.__all__
    # namespace packages all the way down to the leaves, or llama-index-core breaks
    for folder in ("llama_index", "llama_index/llms", "llama_index/embeddings"):
        assert not (ROOT / folder / "__init__.py").exists(), folder
    import llama_index.core

    assert Path(llama_index.core.__file__).parent.parent != ROOT / "llama_index"


# -- LlamaIndex messages -> OpenAI dicts ----------------------------------------------------------


def test_text_messages() -> None:
    messages = [
        ChatMessage(role="system", content="Be brief."),
        ChatMessage(role="developer", content="Use metric units."),
        ChatMessage(role="user", blocks=[TextBlock(text="Hi"), TextBlock(text="there")]),
        ChatMessage(role="assistant", content="Hello!"),
    ]
    assert to_openai_messages(messages) == [
        {"role": "system", "content": "Be brief."},
        {"role": "developer", "content": "Use metric units."},
        {"role": "user", "content": "Hi\nthere"},
        {"role": "assistant", "content": "Hello!"},
    ]


def test_image_blocks_url_bytes_and_path(tmp_path: Path) -> None:
    path = tmp_path / "dot.png"
    path.write_bytes(PNG)
    message = ChatMessage(
        role="user",
        blocks=[
            TextBlock(text="What is this?"),
            ImageBlock(url="https://example.com/cat.jpg", detail="low"),
            ImageBlock(image=PNG),
            ImageBlock(path=path),
            ImageBlock(url="data:image/gif;base64,R0lGODlhAQABAAAAACw="),
            CachePoint(cache_control=CacheControl(type="ephemeral")),
        ],
    )
    (wire,) = to_openai_messages([message])
    inline = "data:image/png;base64," + base64.b64encode(PNG).decode()
    assert wire["content"] == [
        {"type": "text", "text": "What is this?"},
        {"type": "image_url", "image_url": {"url": "https://example.com/cat.jpg", "detail": "low"}},
        {"type": "image_url", "image_url": {"url": inline}},
        {"type": "image_url", "image_url": {"url": inline}},
        {"type": "image_url", "image_url": {"url": "data:image/gif;base64,R0lGODlhAQABAAAAACw="}},
    ]


def test_image_mime_sniffing() -> None:
    def b64(data: bytes) -> bytes:
        return base64.b64encode(data)

    assert _guess_image_mime(b64(PNG)) == "image/png"
    assert _guess_image_mime(b64(b"\xff\xd8\xff\xe0" + b"\x00" * 20)) == "image/jpeg"
    assert _guess_image_mime(b64(b"RIFF\x00\x00\x00\x00WEBPVP8 ")) == "image/webp"
    assert _guess_image_mime(b64(b"plain text")) is None


def test_audio_and_document_blocks_go_inline() -> None:
    wav = b"RIFF\x24\x00\x00\x00WAVEfmt " + b"\x00" * 24
    pdf = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n"
    message = ChatMessage(
        role="user",
        blocks=[AudioBlock(audio=wav, format="wav"), DocumentBlock(data=pdf, title="report")],
    )
    (wire,) = to_openai_messages([message])
    audio, document = wire["content"]
    assert audio == {
        "type": "input_audio",
        "input_audio": {"data": base64.b64encode(wav).decode(), "format": "wav"},
    }
    assert document["file"]["filename"] == "report"
    assert document["file"]["file_data"] == (
        "data:application/pdf;base64," + base64.b64encode(pdf).decode()
    )
    with pytest.raises(InvalidRequestError, match="bytes or a local path"):
        to_openai_messages([ChatMessage(role="user", blocks=[AudioBlock(url="https://a/b.wav")])])


def _assistant_with_calls(**additional: Any) -> ChatMessage:
    return ChatMessage(
        role="assistant",
        blocks=[
            ThinkingBlock(content="Need the weather first."),
            TextBlock(text=""),
            ToolCallBlock(
                tool_call_id="call_1", tool_name="get_weather", tool_kwargs={"city": "Hà Nội"}
            ),
            ToolCallBlock(
                tool_call_id="call_2", tool_name="get_weather", tool_kwargs='{"city": "Pa'
            ),
        ],
        additional_kwargs=additional,
    )


def test_assistant_tool_calls_keep_thought_signatures() -> None:
    signature = {"google": {"thought_signature": "c2ln"}}
    raw = [
        {
            "id": "call_1",
            "type": "function",
            "index": 0,
            "function": {"name": "get_weather", "arguments": "{}"},
            "extra_content": signature,
        }
    ]
    message = _assistant_with_calls(tool_calls=raw, extra_content={"google": {"x": 1}})
    (wire,) = to_openai_messages([message])
    assert wire["content"] is None
    assert wire["tool_calls"] == [
        {
            "id": "call_1",
            "type": "function",
            "function": {"name": "get_weather", "arguments": '{"city": "Hà Nội"}'},
            "extra_content": signature,
        },
        {
            "id": "call_2",
            "type": "function",
            "function": {"name": "get_weather", "arguments": '{"city": "Pa'},
        },
    ]
    assert wire["reasoning_content"] == "Need the weather first."
    assert wire["extra_content"] == {"google": {"x": 1}}
    assert "index" not in json.dumps(wire)


@pytest.mark.parametrize(
    ("policy", "with_calls", "sent"),
    [
        ("auto", True, True),
        ("auto", False, False),
        ("always", False, True),
        ("never", True, False),
    ],
)
def test_reasoning_history(policy: Any, with_calls: bool, sent: bool) -> None:
    message = (
        _assistant_with_calls()
        if with_calls
        else ChatMessage(
            role="assistant", blocks=[ThinkingBlock(content="Hmm."), TextBlock(text="Hi")]
        )
    )
    (wire,) = to_openai_messages([message], policy)
    assert ("reasoning_content" in wire) is sent


def test_only_the_kept_tool_call_blocks_are_sent() -> None:
    raw = [
        {"id": "a", "type": "function", "function": {"name": "f", "arguments": "{}"}},
        {"id": "b", "type": "function", "function": {"name": "g", "arguments": "{}"}},
    ]
    message = ChatMessage(
        role="assistant",
        blocks=[TextBlock(text=""), ToolCallBlock(tool_call_id="a", tool_name="f", tool_kwargs={})],
        additional_kwargs={"tool_calls": raw},
    )
    (wire,) = to_openai_messages([message])
    assert [c["id"] for c in wire["tool_calls"]] == ["a"]


def test_legacy_histories_with_raw_tool_calls() -> None:
    class SdkCall:  # what llama-index-llms-openai stores
        def model_dump(self, exclude_none: bool = False) -> dict[str, Any]:
            return {"id": "c2", "type": "function", "function": {"name": "g", "arguments": "{}"}}

    raw = [{"id": "c1", "type": "function", "function": {"name": "f", "arguments": '{"a": 1}'}}]
    message = ChatMessage(
        role="assistant", content="", additional_kwargs={"tool_calls": [*raw, SdkCall()]}
    )
    (wire,) = to_openai_messages([message])
    assert [c["id"] for c in wire["tool_calls"]] == ["c1", "c2"]


def test_tool_results() -> None:
    messages = [
        ChatMessage(role="tool", content="Sunny", additional_kwargs={"tool_call_id": "call_1"}),
        ChatMessage(
            role="tool", content="86", additional_kwargs={"tool_call_id": "c", "name": "convert"}
        ),
        # FunctionAgent's return_direct echo: an assistant message carrying a tool_call_id
        ChatMessage(role="assistant", content="Sunny", additional_kwargs={"tool_call_id": "x"}),
    ]
    assert to_openai_messages(messages) == [
        {"role": "tool", "tool_call_id": "call_1", "content": "Sunny"},
        {"role": "tool", "tool_call_id": "c", "content": "86", "name": "convert"},
        {"role": "assistant", "content": "Sunny"},
    ]
    with pytest.raises(InvalidRequestError, match="tool_call_id"):
        to_openai_messages([ChatMessage(role="tool", content="x")])


# -- OpenAI answers -> LlamaIndex responses -------------------------------------------------------


def _completion(**message: Any) -> ChatCompletion:
    return ChatCompletion.model_validate(
        {
            "id": "chatcmpl-1",
            "model": "deepseek-reasoner",
            "choices": [
                {
                    "index": 0,
                    "message": {"role": "assistant", **message},
                    "finish_reason": "tool_calls",
                    "logprobs": {
                        "content": [
                            {
                                "token": "Hi",
                                "logprob": -0.1,
                                "bytes": [72, 105],
                                "top_logprobs": [
                                    {"token": "Hi", "logprob": -0.1, "bytes": [72, 105]}
                                ],
                            }
                        ]
                    },
                }
            ],
            "usage": {
                "prompt_tokens": 10,
                "completion_tokens": 7,
                "total_tokens": 17,
                "completion_tokens_details": {"reasoning_tokens": 4},
            },
        }
    )


def test_response_blocks_usage_and_raw() -> None:
    completion = _completion(
        content="Checking.",
        reasoning_content="Think.",
        extra_content={"google": {"thought_signature": "t"}},
        tool_calls=[
            {
                "id": "c1",
                "type": "function",
                "function": {"name": "get_weather", "arguments": '{"city": "Hanoi"}'},
                "extra_content": {"google": {"thought_signature": "s"}},
            },
            {"id": "c2", "type": "function", "function": {"name": "f", "arguments": "not json"}},
        ],
    )
    response = BaseYEScaleLLM._to_response(completion)
    kinds = [type(b).__name__ for b in response.message.blocks]
    assert kinds == ["ThinkingBlock", "TextBlock", "ToolCallBlock", "ToolCallBlock"]
    thinking, _text, first, second = response.message.blocks
    assert isinstance(thinking, ThinkingBlock)
    assert thinking.content == "Think."
    assert thinking.num_tokens == 4
    assert isinstance(first, ToolCallBlock)
    assert first.tool_kwargs == {"city": "Hanoi"}
    assert isinstance(second, ToolCallBlock)
    assert second.tool_kwargs == "not json"
    assert response.message.content == "Checking."
    extras = response.message.additional_kwargs
    assert extras["tool_calls"][0]["extra_content"] == {"google": {"thought_signature": "s"}}
    assert extras["extra_content"] == {"google": {"thought_signature": "t"}}
    json.dumps(extras)  # plain data: agents store and serialize it
    assert isinstance(response.raw, dict)
    assert response.raw["usage"]["total_tokens"] == 17
    assert response.additional_kwargs == {
        "prompt_tokens": 10,
        "completion_tokens": 7,
        "total_tokens": 17,
    }
    assert response.logprobs is not None
    assert response.logprobs[0][0].token == "Hi"
    llm = YEScale(api_key=KEY)
    calls = llm.get_tool_calls_from_response(response)
    assert [(c.tool_id, c.tool_name, c.tool_kwargs) for c in calls] == [
        ("c1", "get_weather", {"city": "Hanoi"}),
        ("c2", "f", {}),
    ]


def test_empty_answer_and_refusal() -> None:
    empty = ChatCompletion.model_validate({"id": "x", "choices": []})
    response = BaseYEScaleLLM._to_response(empty)
    assert response.message.content == ""
    assert response.additional_kwargs == {}
    refused = from_wire_message(_completion(content=None, refusal="No.").choices[0].message)
    assert refused.additional_kwargs["refusal"] == "No."
    assert refused.content == ""


def test_tool_calls_from_legacy_additional_kwargs_and_none() -> None:
    llm = YEScale(api_key=KEY)
    raw = {"id": "c9", "type": "function", "function": {"name": "f", "arguments": '{"x": 1'}}
    legacy = ChatResponse(
        message=ChatMessage(role="assistant", additional_kwargs={"tool_calls": [raw]})
    )
    (call,) = llm.get_tool_calls_from_response(legacy)
    assert (call.tool_id, call.tool_name, call.tool_kwargs) == ("c9", "f", {"x": 1})
    nothing = ChatResponse(message=ChatMessage(role="assistant", content="Hi"))
    with pytest.raises(ValueError, match="tool call"):
        llm.get_tool_calls_from_response(nothing)
    assert llm.get_tool_calls_from_response(nothing, error_on_no_tool_call=False) == []


# -- streamed deltas ------------------------------------------------------------------------------


def _calls(*deltas: dict[str, Any]) -> list[ToolCall]:
    return [ToolCall.model_validate(d) for d in deltas]


def test_tool_call_deltas_merge_by_index() -> None:
    calls: dict[int, dict[str, Any]] = {}
    merge_tool_call_deltas(
        calls,
        _calls(
            {
                "index": 0,
                "id": "a",
                "type": "function",
                "function": {"name": "get_weather", "arguments": ""},
            },
            {
                "index": 1,
                "id": "b",
                "type": "function",
                "function": {"name": "get_weather", "arguments": '{"ci'},
            },
        ),
    )
    merge_tool_call_deltas(calls, _calls({"index": 0, "function": {"arguments": '{"city": '}}))
    merge_tool_call_deltas(calls, _calls({"index": 1, "function": {"arguments": 'ty": "Paris"}'}}))
    merge_tool_call_deltas(calls, _calls({"index": 0, "function": {"arguments": '"Hanoi"}'}}))
    assert calls == {
        0: {
            "id": "a",
            "type": "function",
            "function": {"name": "get_weather", "arguments": '{"city": "Hanoi"}'},
        },
        1: {
            "id": "b",
            "type": "function",
            "function": {"name": "get_weather", "arguments": '{"city": "Paris"}'},
        },
    }


def test_tool_call_deltas_without_index_names_in_pieces_and_extras() -> None:
    calls: dict[int, dict[str, Any]] = {}
    merge_tool_call_deltas(
        calls, _calls({"id": "x", "function": {"name": "get_", "arguments": ""}})
    )
    merge_tool_call_deltas(calls, _calls({"function": {"name": "weather", "arguments": "{}"}}))
    merge_tool_call_deltas(
        calls,
        _calls(
            {"id": "y", "function": {"name": "f", "arguments": "{}"}, "extra_content": {"k": 1}}
        ),
    )
    # a gateway that repeats the whole name in every delta
    merge_tool_call_deltas(calls, _calls({"id": "y", "function": {"name": "f", "arguments": ""}}))
    assert [(c["id"], c["function"]["name"]) for c in calls.values()] == [
        ("x", "get_weather"),
        ("y", "f"),
    ]
    assert calls[1]["extra_content"] == {"k": 1}


def _chunk(delta: dict[str, Any], finish: str | None = None, **extra: Any) -> ChatCompletionChunk:
    choices = [{"index": 0, "delta": delta, "finish_reason": finish}] if delta is not None else []
    return ChatCompletionChunk.model_validate(
        {"id": "s", "model": "m", "choices": choices, **extra}
    )


def test_stream_accumulator_carries_the_whole_message() -> None:
    chunks = [
        _chunk({"role": "assistant", "reasoning_content": "Let me "}),
        _chunk({"reasoning_content": "think."}),
        _chunk({"content": "Call"}),
        _chunk({"content": "ing."}),
        _chunk(
            {
                "tool_calls": [
                    {
                        "index": 0,
                        "id": "c",
                        "function": {"name": "get_weather", "arguments": '{"ci'},
                    }
                ]
            }
        ),
        _chunk({"tool_calls": [{"index": 0, "function": {"arguments": 'ty": "Hanoi"}'}}]}),
        _chunk({}, "tool_calls"),
        ChatCompletionChunk.model_validate(
            {
                "id": "s",
                "choices": [],
                "usage": {
                    "prompt_tokens": 5,
                    "completion_tokens": 9,
                    "total_tokens": 14,
                    "completion_tokens_details": {"reasoning_tokens": 3},
                },
            }
        ),
    ]
    accumulator = StreamAccumulator()
    responses = [accumulator.add(c) for c in chunks]
    assert [r.additional_kwargs.get("thinking_delta") for r in responses[:3]] == [
        "Let me ",
        "think.",
        None,
    ]
    assert [r.delta for r in responses[2:4]] == ["Call", "ing."]
    assert responses[3].message.content == "Calling."
    llm = YEScale(api_key=KEY)
    partial = responses[4]
    (block,) = [b for b in partial.message.blocks if isinstance(b, ToolCallBlock)]
    assert block.tool_kwargs == '{"ci'
    assert llm.get_tool_calls_from_response(partial)[0].tool_name == "get_weather"
    final = responses[-1]
    (call,) = llm.get_tool_calls_from_response(final)
    assert (call.tool_id, call.tool_kwargs) == ("c", {"city": "Hanoi"})
    thinking = final.message.blocks[0]
    assert isinstance(thinking, ThinkingBlock)
    assert (thinking.content, thinking.num_tokens) == ("Let me think.", 3)
    assert final.additional_kwargs == {
        "prompt_tokens": 5,
        "completion_tokens": 9,
        "total_tokens": 14,
    }
    assert isinstance(final.raw, dict)
    assert final.raw["usage"]["total_tokens"] == 14
    # earlier responses are snapshots, not views of the accumulator
    assert partial.message.additional_kwargs["tool_calls"][0]["function"]["arguments"] == '{"ci'


# -- tool calling ---------------------------------------------------------------------------------


def test_prepare_chat_with_tools() -> None:
    llm = YEScale(api_key=KEY)
    history = [ChatMessage(role="system", content="Be brief.")]
    prepared = llm._prepare_chat_with_tools(
        [WEATHER, CONVERT], user_msg="Weather?", chat_history=history, temperature=0.5
    )
    assert len(history) == 1  # the caller's list is not changed
    assert [m.role for m in prepared["messages"]] == [MessageRole.SYSTEM, MessageRole.USER]
    assert [t["function"]["name"] for t in prepared["tools"]] == ["get_weather", "convert_c_to_f"]
    assert prepared["tool_choice"] == "auto"
    assert prepared["parallel_tool_calls"] is False
    assert prepared["temperature"] == 0.5
    assert "strict" not in prepared["tools"][0]["function"]

    required = llm._prepare_chat_with_tools(
        [WEATHER], tool_required=True, allow_parallel_tool_calls=True
    )
    assert required["tool_choice"] == "required"
    assert required["parallel_tool_calls"] is True
    named = llm._prepare_chat_with_tools(
        [WEATHER, CONVERT], tool_choice="convert_c_to_f", tool_required=True
    )
    assert named["tool_choice"] == {"type": "function", "function": {"name": "convert_c_to_f"}}
    assert llm._prepare_chat_with_tools([WEATHER], tool_choice="any")["tool_choice"] == "required"
    assert llm._prepare_chat_with_tools([WEATHER], tool_choice="none")["tool_choice"] == "none"
    as_dict = {"type": "function", "function": {"name": "get_weather"}}
    assert llm._prepare_chat_with_tools([WEATHER], tool_choice=as_dict)["tool_choice"] == as_dict
    with pytest.raises(InvalidRequestError, match="not one of the bound tools"):
        llm._prepare_chat_with_tools([WEATHER], tool_choice="search")
    assert "tools" not in llm._prepare_chat_with_tools([], user_msg="Hi")


def test_tool_choice_by_the_name_the_user_gave() -> None:
    odd = FunctionTool.from_defaults(fn=get_weather, name="weather[v2]")
    prepared = YEScale(api_key=KEY)._prepare_chat_with_tools([odd], tool_choice="weather[v2]")
    sent_name = prepared["tools"][0]["function"]["name"]
    assert prepared["tool_choice"] == {"type": "function", "function": {"name": sent_name}}


def test_strict_tools() -> None:
    (spec,) = YEScale(api_key=KEY, strict=True)._prepare_chat_with_tools([WEATHER])["tools"]
    assert spec["function"]["strict"] is True
    assert spec["function"]["parameters"]["additionalProperties"] is False
    (loose,) = YEScale(api_key=KEY, strict=True)._prepare_chat_with_tools([WEATHER], strict=False)[
        "tools"
    ]
    assert "strict" not in loose["function"]
    (gemini,) = YEScaleGemini(api_key=KEY, strict=True)._prepare_chat_with_tools([WEATHER])["tools"]
    assert "strict" not in gemini["function"]


def test_single_tool_call_unless_parallel() -> None:
    completion = _completion(
        content=None,
        tool_calls=[
            {"id": "a", "type": "function", "function": {"name": "f", "arguments": "{}"}},
            {"id": "b", "type": "function", "function": {"name": "g", "arguments": "{}"}},
        ],
    )
    llm = YEScale(api_key=KEY)
    response = BaseYEScaleLLM._to_response(completion)
    kept = llm._validate_chat_with_tools_response(response, [], allow_parallel_tool_calls=True)
    assert len(llm.get_tool_calls_from_response(kept)) == 2
    force_single_tool_call(response)
    assert [c.tool_id for c in llm.get_tool_calls_from_response(response)] == ["a"]
    assert len(response.message.additional_kwargs["tool_calls"]) == 1


# -- request parameters ---------------------------------------------------------------------------


def test_yescale_request_params() -> None:
    llm = YEScale(
        api_key=KEY,
        model="gpt-4o",
        temperature=0.2,
        max_tokens=100,
        stop=["\n"],
        additional_kwargs={"user": "u1", "temperature": 0.4},
    )
    params = llm._prepare([], {"temperature": 0.9, "tool_required": True, "verbose": True})[1]
    assert params == {
        "model": "gpt-4o",
        "temperature": 0.9,
        "max_tokens": 100,
        "stop": ["\n"],
        "user": "u1",
        "stream_usage": True,  # not a body field: the client's include_usage on streams
    }
    reasoning = YEScale(api_key=KEY, model="o3-mini", max_tokens=100)._request_params({})
    assert reasoning["max_completion_tokens"] == 100
    assert "max_tokens" not in reasoning
    o1 = YEScale(api_key=KEY, model="o1")._request_params({"parallel_tool_calls": True})
    assert "parallel_tool_calls" not in o1
    disabled = YEScale(api_key=KEY, disabled_params=["parallel_tool_calls"])
    assert "parallel_tool_calls" not in disabled._request_params({"parallel_tool_calls": False})
    extra = YEScale(api_key=KEY)._request_params({"extra_body": {"thinking": {"type": "enabled"}}})
    assert extra["thinking"] == {"type": "enabled"}
    assert "extra_body" not in extra


def test_gemini_request_params() -> None:
    llm = YEScaleGemini(
        api_key=KEY,
        temperature=0.1,
        top_k=5,
        max_tokens=256,
        stop=["END"],
        thinking_budget=0,
        google_search=True,
        safety_settings=[{"category": "HARM_CATEGORY_HARASSMENT", "threshold": "BLOCK_NONE"}],
        generation_config={"candidateCount": 1},
    )
    params = llm._request_params({"tools": [{"type": "function"}], "parallel_tool_calls": True})
    assert params["model"] == "gemini-2.5-flash"
    assert params["generation_config"] == {
        "candidateCount": 1,
        "temperature": 0.1,
        "topK": 5,
        "maxOutputTokens": 256,
        "stopSequences": ["END"],
        "thinkingConfig": {"thinkingBudget": 0},
    }
    assert params["tools"] == [{"type": "function"}, {"googleSearch": {}}]
    assert params["safety_settings"][0]["threshold"] == "BLOCK_NONE"
    assert "parallel_tool_calls" not in params
    bare = YEScaleGemini(api_key=KEY)._request_params({"tool_choice": "auto"})
    assert "tool_choice" not in bare
    assert "tools" not in bare
    schema = {"type": "object", "properties": {"a": {"type": "integer"}}, "required": ["a"]}
    formatted = YEScaleGemini(api_key=KEY)._request_params(
        {"response_format": {"type": "json_schema", "json_schema": {"name": "x", "schema": schema}}}
    )
    assert formatted["generation_config"]["responseMimeType"] == "application/json"
    assert formatted["generation_config"]["responseSchema"]["properties"]["a"]["type"] == "INTEGER"
    json_mode = YEScaleGemini(api_key=KEY)._request_params(
        {"response_format": {"type": "json_object"}}
    )
    assert json_mode["generation_config"] == {"responseMimeType": "application/json"}


# -- structured output ----------------------------------------------------------------------------


class Node(BaseModel):
    """A tree node."""

    name: str
    children: list[Node]


def test_native_structured_output_parameters() -> None:
    native = YEScale(api_key=KEY, model="gpt-4o-mini")._native_kwargs(
        City, {"tool_choice": "required", "seed": 1}
    )
    assert native is not None
    assert native["seed"] == 1
    assert "tool_choice" not in native
    spec = native["response_format"]["json_schema"]
    assert spec["name"] == "City"
    assert spec["description"] == "A city."
    assert spec["schema"]["required"] == ["name", "population"]
    assert spec["strict"] is True  # OpenAI models: strict by default, as llama-index's OpenAI
    strict = YEScale(api_key=KEY, strict=True)._native_structured_kwargs(City)
    assert strict is not None
    assert strict["response_format"]["json_schema"]["strict"] is True
    # models without json_schema support, and non-default program modes, use function calling
    assert YEScale(api_key=KEY, model="claude-sonnet-4-5")._native_kwargs(City, None) is None
    function_mode = YEScale(api_key=KEY, pydantic_program_mode=PydanticProgramMode.FUNCTION)
    assert function_mode._native_kwargs(City, None) is None

    gemini = YEScaleGemini(api_key=KEY)._native_structured_kwargs(City)
    assert gemini["response_mime_type"] == "application/json"
    assert gemini["response_schema"]["propertyOrdering"] == ["name", "population"]
    recursive = YEScaleGemini(api_key=KEY)._native_structured_kwargs(Node)
    assert (
        "$defs" in recursive["response_json_schema"]
        or "properties" in recursive["response_json_schema"]
    )
    assert "response_schema" not in recursive


def test_parse_structured() -> None:
    def response(text: str, finish: str = "stop") -> ChatResponse:
        return ChatResponse(
            message=ChatMessage(role="assistant", content=text),
            raw={"choices": [{"finish_reason": finish}]},
        )

    assert parse_structured(City, response('{"name": "Hanoi", "population": 8}')).name == "Hanoi"
    fenced = '```json\n{"name": "Hue", "population": 1}\n```'
    assert parse_structured(City, response(fenced)).name == "Hue"
    with pytest.raises(ValueError, match="cut off"):
        parse_structured(City, response('{"name": "Ha', "length"))


# -- over HTTP (httpx.MockTransport): errors, split streams ---------------------------------------


def _llm(cls: type[BaseYEScaleLLM], handler: Any, **kwargs: Any) -> BaseYEScaleLLM:
    transport = httpx.MockTransport(handler)
    return cls(
        api_key=KEY,
        max_retries=0,
        http_client=httpx.Client(transport=transport),
        async_http_client=httpx.AsyncClient(transport=transport),
        **kwargs,
    )


@pytest.mark.parametrize("cls", CLASSES)
@pytest.mark.parametrize(("status", "error"), [(401, AuthenticationError), (429, RateLimitError)])
async def test_client_errors_propagate(
    cls: type[BaseYEScaleLLM], status: int, error: type[Exception]
) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return json_response({"error": {"message": "nope", "code": "x"}}, status)

    llm = _llm(cls, handler)
    messages = [ChatMessage(role="user", content="Hi")]
    with pytest.raises(error):
        llm.chat(messages)
    with pytest.raises(error):
        list(llm.stream_chat(messages))
    with pytest.raises(error):
        await llm.achat(messages)
    with pytest.raises(error):
        [c async for c in await llm.astream_chat(messages)]
    with pytest.raises(error):
        llm.complete("Hi")


def _sse(events: list[dict[str, Any]]) -> bytes:
    return "".join(f"data: {json.dumps(e)}\n\n" for e in events).encode() + b"data: [DONE]\n\n"


async def test_streamed_tool_calls_over_split_sse() -> None:
    events = [
        {"choices": [{"index": 0, "delta": {"role": "assistant", "content": ""}}]},
        {
            "choices": [
                {
                    "index": 0,
                    "delta": {
                        "tool_calls": [
                            {
                                "index": 0,
                                "id": "a",
                                "type": "function",
                                "function": {"name": "get_weather", "arguments": ""},
                            }
                        ]
                    },
                }
            ]
        },
        {
            "choices": [
                {
                    "index": 0,
                    "delta": {
                        "tool_calls": [{"index": 0, "function": {"arguments": '{"city": "Hanoi"}'}}]
                    },
                }
            ]
        },
        {
            "choices": [
                {
                    "index": 0,
                    "delta": {
                        "tool_calls": [
                            {
                                "index": 1,
                                "id": "b",
                                "type": "function",
                                "function": {"name": "get_weather", "arguments": '{"city"'},
                            }
                        ]
                    },
                }
            ]
        },
        {
            "choices": [
                {
                    "index": 0,
                    "delta": {
                        "tool_calls": [{"index": 1, "function": {"arguments": ': "Paris"}'}}]
                    },
                }
            ]
        },
        {"choices": [{"index": 0, "delta": {}, "finish_reason": "tool_calls"}]},
        {"choices": [], "usage": {"prompt_tokens": 3, "completion_tokens": 4, "total_tokens": 7}},
    ]
    body = _sse(events)
    pieces = [body[i : i + 17] for i in range(0, len(body), 17)]
    bodies: list[dict[str, Any]] = []

    def handler(request: httpx.Request) -> httpx.Response:
        bodies.append(json.loads(request.content))
        return sse_response(pieces)

    llm = _llm(YEScale, handler, stream_usage=False)
    for responses in (
        list(llm.stream_chat_with_tools([WEATHER], user_msg="Weather in Hanoi and Paris?")),
        [r async for r in await llm.astream_chat_with_tools([WEATHER], user_msg="Weather?")],
    ):
        final = responses[-1]
        calls = llm.get_tool_calls_from_response(final)
        assert [(c.tool_id, c.tool_kwargs["city"]) for c in calls] == [
            ("a", "Hanoi"),
            ("b", "Paris"),
        ]
        assert final.additional_kwargs["total_tokens"] == 7
    assert all("stream_options" not in b for b in bodies)
    assert all(b["stream"] is True for b in bodies)
