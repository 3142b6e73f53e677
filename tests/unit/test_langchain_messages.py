"""LangChain messages <-> OpenAI-format dicts, and the request parameters both chat models build.

Pure logic (``langchain_yescale._openai_messages``, ``_chat_base``), no HTTP.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from langchain_core.messages import (
    AIMessage,
    AIMessageChunk,
    ChatMessage,
    FunctionMessage,
    HumanMessage,
    RemoveMessage,
    SystemMessage,
    ToolMessage,
)

from langchain_yescale import ChatYEScale, ChatYEScaleGemini
from langchain_yescale._openai_answers import (
    chunk_to_langchain,
    completion_metadata,
    usage_to_langchain,
    wire_message_to_ai,
)
from langchain_yescale._openai_messages import message_to_openai, messages_to_openai
from yescale import InvalidRequestError
from yescale.integration.chat_params import openai_tool_choice, tool_names
from yescale.types.chat import ChatCompletion, ChatCompletionChunk, Usage
from yescale.types.chat import ChatMessage as WireMessage

PNG_B64 = (
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAIAAACQd1PeAAAADElEQVR4nGP4z8AAAAMBAQDJ/pLvAAAAAElFTkSuQmCC"
)
DATA_URL = f"data:image/png;base64,{PNG_B64}"


# -- LangChain -> OpenAI -------------------------------------------------------------------------


def test_basic_roles() -> None:
    assert messages_to_openai(
        [
            SystemMessage("Be brief."),
            HumanMessage("Hi", name="linh"),
            AIMessage("Hello!"),
            ChatMessage(role="developer", content="Use metric units."),
        ]
    ) == [
        {"role": "system", "content": "Be brief."},
        {"role": "user", "content": "Hi", "name": "linh"},
        {"role": "assistant", "content": "Hello!"},
        {"role": "developer", "content": "Use metric units."},
    ]


def test_function_message_and_unsupported_type() -> None:
    assert message_to_openai(
        FunctionMessage(name="f", content=[{"type": "text", "text": "1"}])
    ) == {
        "role": "function",
        "name": "f",
        "content": "1",
    }
    with pytest.raises(InvalidRequestError, match="Cannot send a RemoveMessage"):
        message_to_openai(RemoveMessage(id="m1"))


@pytest.mark.parametrize(
    ("block", "part"),
    [
        ({"type": "image", "url": "https://x.test/a.png"}, {"url": "https://x.test/a.png"}),
        ({"type": "image", "base64": PNG_B64, "mime_type": "image/png"}, {"url": DATA_URL}),
        (
            {"type": "image", "source_type": "base64", "data": PNG_B64, "mime_type": "image/png"},
            {"url": DATA_URL},
        ),
        (
            {
                "type": "image",
                "source": {"type": "base64", "media_type": "image/png", "data": PNG_B64},
            },
            {"url": DATA_URL},
        ),
        (
            {"type": "image", "source": {"type": "url", "url": "https://x.test/a.png"}},
            {"url": "https://x.test/a.png"},
        ),
        (
            {"type": "image_url", "image_url": {"url": DATA_URL, "detail": "high"}},
            {"url": DATA_URL, "detail": "high"},
        ),
    ],
    ids=["std-url", "std-base64", "v0-base64", "anthropic-base64", "anthropic-url", "openai"],
)
def test_image_blocks(block: dict[str, Any], part: dict[str, Any]) -> None:
    sent = message_to_openai(HumanMessage([{"type": "text", "text": "Look"}, block]))
    assert sent["content"] == [
        {"type": "text", "text": "Look"},
        {"type": "image_url", "image_url": part},
    ]


def test_text_block_extras_dropped_and_strings_wrapped() -> None:
    sent = message_to_openai(
        HumanMessage(["plain", {"type": "text", "text": "cached", "cache_control": {"t": 1}}])
    )
    assert sent["content"] == [
        {"type": "text", "text": "plain"},
        {"type": "text", "text": "cached"},
    ]


def test_tool_calls_keep_unknown_fields() -> None:
    raw = {
        "id": "call_1",
        "type": "function",
        "index": 0,
        "function": {"name": "get_weather", "arguments": '{"location":"Hanoi"}'},
        "extra_content": {"google": {"thought_signature": "c2ln"}},
    }
    message = AIMessage(
        "",
        additional_kwargs={"tool_calls": [raw]},
        tool_calls=[{"id": "call_1", "name": "get_weather", "args": {"location": "Hanoi"}}],
    )
    assert message_to_openai(message) == {
        "role": "assistant",
        "content": None,
        "tool_calls": [
            {
                "id": "call_1",
                "type": "function",
                "function": {"name": "get_weather", "arguments": '{"location": "Hanoi"}'},
                "extra_content": {"google": {"thought_signature": "c2ln"}},
            }
        ],
    }


def test_invalid_tool_calls_sent_back_as_given() -> None:
    message = AIMessage(
        "Let me check.",
        invalid_tool_calls=[
            {
                "type": "invalid_tool_call",
                "id": "c9",
                "name": "get_weather",
                "args": '{"loc',
                "error": "bad JSON",
            }
        ],
    )
    assert message_to_openai(message)["tool_calls"] == [
        {"id": "c9", "type": "function", "function": {"name": "get_weather", "arguments": '{"loc'}}
    ]


def test_ai_list_content_keeps_text_only() -> None:
    message = AIMessage(
        [
            {"type": "thinking", "thinking": "hmm", "signature": "s"},
            {"type": "text", "text": "Checking."},
            {"type": "tool_use", "id": "t1", "name": "f", "input": {}},
        ],
        tool_calls=[{"id": "t1", "name": "f", "args": {}}],
    )
    sent = message_to_openai(message)
    assert sent["content"] == "Checking."
    assert sent["tool_calls"][0]["function"] == {"name": "f", "arguments": "{}"}


@pytest.mark.parametrize(
    ("history", "with_calls", "sent"),
    [
        ("auto", True, True),
        ("auto", False, False),
        ("always", False, True),
        ("never", True, False),
    ],
)
def test_reasoning_history(history: Any, with_calls: bool, sent: bool) -> None:
    calls = [{"id": "c1", "name": "f", "args": {}}] if with_calls else []
    message = AIMessage(
        "" if with_calls else "Answer",
        additional_kwargs={"reasoning_content": "I thought."},
        tool_calls=calls,
    )
    out = message_to_openai(message, history)
    assert ("reasoning_content" in out) is sent
    if sent:
        assert out["reasoning_content"] == "I thought."


def test_tool_message_with_image() -> None:
    sent = message_to_openai(
        ToolMessage(
            [{"type": "image", "base64": PNG_B64, "mime_type": "image/png"}], tool_call_id="c1"
        )
    )
    assert sent == {
        "role": "tool",
        "tool_call_id": "c1",
        "content": [{"type": "image_url", "image_url": {"url": DATA_URL}}],
    }


def test_anthropic_tool_results_become_tool_messages() -> None:
    messages = messages_to_openai(
        [
            HumanMessage(
                [
                    {
                        "type": "tool_result",
                        "tool_use_id": "foo",
                        "content": [{"type": "text", "text": "green is a great pick!"}],
                        "is_error": False,
                    },
                    {"type": "text", "text": "what's my sister's favorite color"},
                ]
            )
        ]
    )
    assert messages == [
        {
            "role": "tool",
            "tool_call_id": "foo",
            "content": [{"type": "text", "text": "green is a great pick!"}],
        },
        {
            "role": "user",
            "content": [{"type": "text", "text": "what's my sister's favorite color"}],
        },
    ]


# -- OpenAI -> LangChain -------------------------------------------------------------------------


def test_usage_details() -> None:
    usage = Usage.model_validate(
        {
            "prompt_tokens": 2006,
            "completion_tokens": 300,
            "total_tokens": 2306,
            "prompt_tokens_details": {"cached_tokens": 1920, "audio_tokens": 0},
            "completion_tokens_details": {"reasoning_tokens": 192, "audio_tokens": 0},
        }
    )
    assert usage_to_langchain(usage) == {
        "input_tokens": 2006,
        "output_tokens": 300,
        "total_tokens": 2306,
        "input_token_details": {"cache_read": 1920, "audio": 0},
        "output_token_details": {"reasoning": 192, "audio": 0},
    }
    bare = usage_to_langchain(Usage(prompt_tokens=3, completion_tokens=2))
    assert bare == {"input_tokens": 3, "output_tokens": 2, "total_tokens": 5}


def test_wire_message_tool_calls_valid_and_invalid() -> None:
    wire = WireMessage.model_validate(
        {
            "role": "assistant",
            "content": None,
            "reasoning_content": "Look it up.",
            "tool_calls": [
                {"id": "a", "type": "function", "function": {"name": "f", "arguments": '{"x": 1}'}},
                {"id": "b", "type": "function", "function": {"name": "f", "arguments": '{"x": 1'}},
                {"id": "c", "type": "function", "function": {"name": "f", "arguments": "[1, 2]"}},
                {"id": "d", "type": "function", "function": {"name": "g", "arguments": ""}},
            ],
        }
    )
    message = wire_message_to_ai(wire, {"id": "m1"}, None)
    assert [(c["id"], c["args"]) for c in message.tool_calls] == [("a", {"x": 1}), ("d", {})]
    assert [(c["id"], c["args"]) for c in message.invalid_tool_calls] == [
        ("b", '{"x": 1'),
        ("c", "[1, 2]"),
    ]
    assert "not valid JSON" in (message.invalid_tool_calls[0]["error"] or "")
    assert "JSON object" in (message.invalid_tool_calls[1]["error"] or "")
    assert message.additional_kwargs["reasoning_content"] == "Look it up."
    assert len(message.additional_kwargs["tool_calls"]) == 4
    assert message.id == "m1"
    assert message.content == ""


def test_completion_metadata() -> None:
    completion = ChatCompletion.model_validate(
        {"id": "chatcmpl-1", "model": "gpt-4o-mini", "system_fingerprint": "fp_1", "choices": []}
    )
    assert completion_metadata(completion) == {
        "model_provider": "yescale",
        "model_name": "gpt-4o-mini",
        "system_fingerprint": "fp_1",
        "id": "chatcmpl-1",
    }


def _chunk(delta: dict[str, Any], finish: str | None = None, **extra: Any) -> ChatCompletionChunk:
    return ChatCompletionChunk.model_validate(
        {
            "id": "chatcmpl-9",
            "model": "gpt-4o-mini",
            "choices": [{"index": 0, "delta": delta, "finish_reason": finish}],
            **extra,
        }
    )


def test_stream_chunks_merge_into_tool_calls() -> None:
    sent: set[str] = set()
    pieces = [
        chunk_to_langchain(_chunk({"role": "assistant", "content": ""}), sent),
        chunk_to_langchain(
            _chunk(
                {
                    "tool_calls": [
                        {
                            "index": 0,
                            "id": "call_a",
                            "type": "function",
                            "function": {"name": "f", "arguments": ""},
                            "extra_content": {"google": {"thought_signature": "c2ln"}},
                        }
                    ]
                }
            ),
            sent,
        ),
        chunk_to_langchain(
            _chunk({"tool_calls": [{"index": 0, "function": {"arguments": '{"x":'}}]}), sent
        ),
        chunk_to_langchain(
            _chunk({"tool_calls": [{"index": 0, "function": {"arguments": " 1}"}}]}), sent
        ),
        chunk_to_langchain(_chunk({}, "tool_calls"), sent),
        chunk_to_langchain(
            ChatCompletionChunk.model_validate(
                {
                    "id": "chatcmpl-9",
                    "model": "gpt-4o-mini",
                    "choices": [],
                    "usage": {"prompt_tokens": 5, "completion_tokens": 7, "total_tokens": 12},
                }
            ),
            sent,
        ),
    ]
    chunks = [p for p in pieces if p is not None]
    full = chunks[0]
    for chunk in chunks[1:]:
        full = full + chunk
    assert isinstance(full, AIMessageChunk)
    assert full.tool_calls == [{"name": "f", "args": {"x": 1}, "id": "call_a", "type": "tool_call"}]
    assert full.usage_metadata == {"input_tokens": 5, "output_tokens": 7, "total_tokens": 12}
    # every chunk names the model and the id; merged, each appears once
    assert full.response_metadata == {
        "model_provider": "yescale",
        "model_name": "gpt-4o-mini",
        "id": "chatcmpl-9",
        "finish_reason": "tool_calls",
    }
    # the raw call, unknown fields included, survives merging and goes back as it came
    sent = message_to_openai(full)
    assert sent["tool_calls"] == [
        {
            "id": "call_a",
            "type": "function",
            "function": {"name": "f", "arguments": '{"x": 1}'},
            "extra_content": {"google": {"thought_signature": "c2ln"}},
        }
    ]


def test_empty_chunk_is_skipped() -> None:
    empty = ChatCompletionChunk.model_validate({"id": "x", "choices": []})
    assert chunk_to_langchain(empty, {"model_provider", "id"}) is None


def test_stream_metadata_once_per_stream() -> None:
    """Names and finish reasons repeated on several chunks (as Gemini streams and some gateways
    send them) are kept on the first chunk only, so merging does not concatenate them."""
    sent: set[str] = set()
    llm = ChatYEScale(model="gpt-4o-mini", api_key="k")
    pieces = [
        llm._generation_chunk(_chunk({"content": "Hi"}, system_fingerprint="fp_1"), sent),
        llm._generation_chunk(_chunk({}, "stop", system_fingerprint="fp_1"), sent),
        llm._generation_chunk(
            ChatCompletionChunk.model_validate(
                {
                    "id": "chatcmpl-9",
                    "model": "gpt-4o-mini",
                    "choices": [
                        {"index": 0, "delta": {}, "finish_reason": "stop"},
                    ],
                    "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2},
                }
            ),
            sent,
        ),
    ]
    generations = [p for p in pieces if p is not None]
    assert len(generations) == 3
    merged = generations[0]
    for generation in generations[1:]:
        merged = merged + generation
    assert merged.message.response_metadata == {
        "model_provider": "yescale",
        "model_name": "gpt-4o-mini",
        "system_fingerprint": "fp_1",
        "id": "chatcmpl-9",
        "finish_reason": "stop",
    }
    assert merged.generation_info == {"finish_reason": "stop"}


def test_gemini_finish_reason_once_per_stream() -> None:
    sent: set[str] = set()
    chunks = [
        ChatCompletionChunk.model_validate(
            {
                "id": "r1",
                "model": "gemini-2.5-flash",
                "choices": [
                    {"index": 0, "delta": {"content": text}, "finish_reason": finish}
                    | {"gemini_finish_reason": "STOP"}
                ],
            }
        )
        for text, finish in (("a", None), ("b", "stop"))
    ]
    pieces = [chunk_to_langchain(c, sent) for c in chunks]
    assert pieces[0] is not None
    assert pieces[1] is not None
    merged = pieces[0] + pieces[1]
    assert merged.response_metadata["gemini_finish_reason"] == "STOP"
    assert merged.response_metadata["finish_reason"] == "stop"


# -- request parameters ---------------------------------------------------------------------------


def test_chat_params_max_completion_tokens_and_disabled() -> None:
    llm = ChatYEScale(
        model="o4-mini",
        max_tokens=100,
        api_key="k",
        disabled_params={"parallel_tool_calls": None, "reasoning_effort": ["minimal"]},
    )
    params = llm._call_params(None, {"parallel_tool_calls": False, "reasoning_effort": "minimal"})
    assert params["max_completion_tokens"] == 100
    assert "max_tokens" not in params
    assert "parallel_tool_calls" not in params
    assert "reasoning_effort" not in params
    kept = llm._call_params(None, {"reasoning_effort": "high"})
    assert kept["reasoning_effort"] == "high"


def test_chat_params_extra_body_and_stop() -> None:
    llm = ChatYEScale(model="gpt-4o-mini", api_key="k", extra_body={"a": 1}, model_kwargs={"b": 2})
    params = llm._call_params(["END"], {"extra_body": {"c": 3}})
    assert params["a"] == 1
    assert params["b"] == 2
    assert params["c"] == 3
    assert params["stop"] == ["END"]
    assert "extra_body" not in params


def test_gemini_params_generation_config() -> None:
    llm = ChatYEScaleGemini(
        api_key="k",
        temperature=0.2,
        max_tokens=64,
        stop="END",
        n=2,
        thinking_budget=0,
        include_thoughts=False,
        google_search=True,
        safety_settings=[{"category": "HARM_CATEGORY_HARASSMENT", "threshold": "BLOCK_NONE"}],
        generation_config={"topK": 3},
        model_kwargs={"cached_content": "cachedContents/abc"},
    )
    params = llm._call_params(None, {"tools": [{"type": "function", "function": {"name": "f"}}]})
    assert params == {
        "model": "gemini-2.5-flash",
        "cached_content": "cachedContents/abc",
        "tools": [{"type": "function", "function": {"name": "f"}}, {"googleSearch": {}}],
        "generation_config": {
            "topK": 3,
            "temperature": 0.2,
            "maxOutputTokens": 64,
            "stopSequences": ["END"],
            "candidateCount": 2,
            "thinkingConfig": {"thinkingBudget": 0, "includeThoughts": False},
        },
        "safety_settings": [{"category": "HARM_CATEGORY_HARASSMENT", "threshold": "BLOCK_NONE"}],
    }


@pytest.mark.parametrize(
    ("choice", "expected"),
    [
        (None, None),
        (False, None),
        (True, "required"),
        ("any", "required"),
        ("required", "required"),
        ("auto", "auto"),
        ("none", "none"),
        ("f", {"type": "function", "function": {"name": "f"}}),
        (
            {"type": "function", "function": {"name": "f"}},
            {"type": "function", "function": {"name": "f"}},
        ),
    ],
)
def test_normalize_tool_choice(choice: Any, expected: Any) -> None:
    tools = [{"type": "function", "function": {"name": "f"}}]
    assert openai_tool_choice(choice, tool_names(tools)) == expected


def test_combine_llm_outputs() -> None:
    llm = ChatYEScale(model="gpt-4o-mini", api_key="k")
    combined = llm._combine_llm_outputs(
        [
            {
                "model_name": "gpt-4o-mini-2024-07-18",
                "system_fingerprint": "fp_1",
                "token_usage": {
                    "prompt_tokens": 3,
                    "completion_tokens": 2,
                    "total_tokens": 5,
                    "completion_tokens_details": {"reasoning_tokens": 1},
                },
            },
            None,
            {"token_usage": {"prompt_tokens": 4, "completion_tokens": 1, "total_tokens": 5}},
        ]
    )
    assert combined == {
        "token_usage": {
            "prompt_tokens": 7,
            "completion_tokens": 3,
            "total_tokens": 10,
            "completion_tokens_details": {"reasoning_tokens": 1},
        },
        "model_name": "gpt-4o-mini-2024-07-18",
        "system_fingerprint": "fp_1",
    }
    assert json.dumps(llm._combine_llm_outputs([]))  # no outputs: still a dict


def test_text_thought_signature_kept_and_sent_back() -> None:
    """Gemini's signature of a text part (``extra_content``, as the Gemini translation spells
    it) stays on the AIMessage, whole or streamed, and goes back with the message next turn."""
    extra = {"google": {"thought_signature": "c2ln"}}
    wire = WireMessage.model_validate({"content": "Hello!", "extra_content": extra})
    message = wire_message_to_ai(wire, {}, None)
    assert message.additional_kwargs["extra_content"] == extra
    assert message_to_openai(message) == {
        "role": "assistant",
        "content": "Hello!",
        "extra_content": extra,
    }
    chunks = [
        ChatCompletionChunk.model_validate(
            {"choices": [{"index": 0, "delta": {"content": "Hel", "extra_content": extra}}]}
        ),
        ChatCompletionChunk.model_validate(
            {"choices": [{"index": 0, "delta": {"content": "lo!"}}]}
        ),
    ]
    sent: set[str] = set()
    streamed = [chunk_to_langchain(c, sent) for c in chunks]
    first, second = streamed
    assert first is not None
    assert second is not None
    merged = first + second
    assert message_to_openai(merged)["extra_content"] == extra
