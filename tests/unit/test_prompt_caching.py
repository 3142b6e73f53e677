"""Prompt caching: the neutral convention (``yescale.integration.caching``), the LangChain and
LlamaIndex conversions into it, the switch, and cache reads and writes read from the usage."""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from typing import Any

import pytest
from langchain_core.messages import AIMessage, HumanMessage, SystemMessage, ToolMessage
from llama_index.core.base.llms.types import (
    CacheControl,
    CachePoint,
    ChatMessage,
    ImageBlock,
    MessageRole,
    TextBlock,
)

from langchain_yescale import ChatYEScale, ChatYEScaleGemini
from langchain_yescale._openai_answers import usage_to_langchain
from langchain_yescale._openai_messages import messages_to_openai
from llama_index_yescale import YEScale, YEScaleGemini
from llama_index_yescale.llms._convert import to_openai_messages
from yescale import InvalidRequestError
from yescale.integration import caching, usage_counts
from yescale.integration.caching import (
    CachePolicy,
    cache_usage,
    check_breakpoints,
    check_cache_control,
    mark_last_part,
)
from yescale.types.chat import Usage

KEY = "sk-test"
EPHEMERAL = {"type": "ephemeral"}
HOUR = {"type": "ephemeral", "ttl": "1h"}
PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00"
    b"\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\xdac\xfc\xcf\xc0P\x0f\x00\x04\x85\x01\x80\x84\xa9\x8c!"
    b"\x00\x00\x00\x00IEND\xaeB`\x82"
)


@pytest.fixture(autouse=True)
def _fresh_warnings() -> Iterator[None]:
    caching.forget_warnings()
    yield
    caching.forget_warnings()


def cache_point(ttl: str = "5m") -> CachePoint:
    return CachePoint(cache_control=CacheControl(type="ephemeral", ttl=ttl))


# -- the convention ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("given", "sent"),
    [
        (EPHEMERAL, EPHEMERAL),
        (HOUR, HOUR),
        ({"type": "ephemeral", "ttl": "5m"}, {"type": "ephemeral", "ttl": "5m"}),
    ],
)
def test_valid_cache_control(given: dict[str, Any], sent: dict[str, Any]) -> None:
    assert check_cache_control(given) == sent


@pytest.mark.parametrize(
    ("given", "message"),
    [
        ("ephemeral", "must be a dict"),
        ({"type": "persistent"}, "type must be 'ephemeral'"),
        ({"type": "ephemeral", "ttl": "2h"}, "ttl must be '5m' or '1h'"),
        ({"type": "ephemeral", "scope": "org"}, r"unknown keys \['scope'\]"),
    ],
)
def test_invalid_cache_control_refused(given: Any, message: str) -> None:
    with pytest.raises(InvalidRequestError, match=message):
        check_cache_control(given, "tools[0].cache_control")


def test_at_most_four_breakpoints() -> None:
    marked = {"type": "text", "text": "x", "cache_control": EPHEMERAL}
    messages = [{"role": "user", "content": [dict(marked) for _ in range(3)]}]
    tools = [{"type": "function", "function": {"name": "f"}, "cache_control": EPHEMERAL}]
    check_breakpoints(messages, tools)  # four
    with pytest.raises(InvalidRequestError, match="5 cache_control breakpoints"):
        check_breakpoints(messages, [*tools, *tools])
    bad = [{"role": "system", "content": [{"type": "text", "text": "x", "cache_control": {}}]}]
    with pytest.raises(InvalidRequestError, match=r"messages\[0\]\.content\[0\]\.cache_control"):
        check_breakpoints(bad)


def test_mark_last_part() -> None:
    messages: list[dict[str, Any]] = [{"role": "user", "content": "Hi"}]
    mark_last_part(messages, EPHEMERAL)
    assert messages == [
        {"role": "user", "content": [{"type": "text", "text": "Hi", "cache_control": EPHEMERAL}]}
    ]
    parts = [{"type": "text", "text": "a"}, {"type": "image_url", "image_url": {"url": "u"}}]
    messages = [{"role": "user", "content": parts}]
    mark_last_part(messages, HOUR)
    assert parts[0]["cache_control"] == HOUR  # the last text, not the image
    with pytest.raises(InvalidRequestError, match="has no text"):
        mark_last_part([{"role": "assistant", "content": None, "tool_calls": []}], EPHEMERAL)


def test_policy() -> None:
    on = CachePolicy(enabled=True, owner="ChatYEScale")
    assert on.keep("claude-sonnet-4-5", found=True)
    assert not on.keep("claude-sonnet-4-5", found=False)
    assert not on.keep("gpt-4o", found=False)  # nothing to refuse
    with pytest.raises(InvalidRequestError, match="OpenAI models cache prompts"):
        on.keep("gpt-4o", found=True)
    with pytest.raises(InvalidRequestError, match="cached_content"):
        on.keep("gemini-2.5-flash", found=True)
    with pytest.raises(InvalidRequestError, match="only Claude models"):
        on.keep("deepseek-chat", found=True)
    off = CachePolicy(enabled=False, owner="ChatYEScale")
    with pytest.warns(UserWarning, match=r"set prompt_caching=True"):
        assert not off.keep("claude-sonnet-4-5", found=True)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert not off.keep("claude-sonnet-4-5", found=True)  # warned once


def test_cache_usage_spellings() -> None:
    openai = Usage.model_validate(
        {"prompt_tokens": 10, "prompt_tokens_details": {"cached_tokens": 0}}
    )
    assert cache_usage(openai) == {"cache_read": 0}
    openrouter = Usage.model_validate(
        {"prompt_tokens_details": {"cached_tokens": 5, "cache_write_tokens": 7}}
    )
    assert cache_usage(openrouter) == {"cache_read": 5, "cache_creation": 7}
    detail = Usage.model_validate({"prompt_tokens_details": {"cache_creation_tokens": 9}})
    assert cache_usage(detail) == {"cache_creation": 9}
    anthropic = Usage.model_validate(
        {"cache_read_input_tokens": 3, "cache_creation_input_tokens": 4}
    )
    assert cache_usage(anthropic) == {"cache_read": 3, "cache_creation": 4}
    assert cache_usage(Usage()) == {}
    assert cache_usage(None) == {}


def test_usage_in_both_frameworks() -> None:
    usage = Usage.model_validate(
        {
            "prompt_tokens": 2000,
            "completion_tokens": 5,
            "total_tokens": 2005,
            "prompt_tokens_details": {"cached_tokens": 1800, "cache_creation_tokens": 0},
        }
    )
    metadata = usage_to_langchain(usage)
    assert metadata["input_token_details"] == {"cache_read": 1800, "cache_creation": 0}
    assert usage_counts(usage) == {
        "prompt_tokens": 2000,
        "completion_tokens": 5,
        "total_tokens": 2005,
        "cache_read_input_tokens": 1800,
    }
    written = Usage.model_validate({"prompt_tokens": 2000, "cache_creation_input_tokens": 1800})
    assert usage_to_langchain(written)["input_token_details"] == {"cache_creation": 1800}
    assert usage_counts(written)["cache_creation_input_tokens"] == 1800


# -- LangChain ----------------------------------------------------------------------------------

LC_MARKED = [
    SystemMessage([{"type": "text", "text": "Rules.", "cache_control": EPHEMERAL}]),
    HumanMessage(
        [
            {"type": "text", "text": "Doc.", "cache_control": HOUR},
            {"type": "text", "text": "Question?"},
        ]
    ),
    AIMessage([{"type": "text", "text": "Answer.", "cache_control": EPHEMERAL}]),
    ToolMessage(
        [{"type": "text", "text": "Result.", "cache_control": EPHEMERAL}], tool_call_id="c"
    ),
]


def test_langchain_blocks_keep_cache_control_when_asked() -> None:
    kept = messages_to_openai(LC_MARKED, cache=True)
    assert kept == [
        {
            "role": "system",
            "content": [{"type": "text", "text": "Rules.", "cache_control": EPHEMERAL}],
        },
        {
            "role": "user",
            "content": [
                {"type": "text", "text": "Doc.", "cache_control": HOUR},
                {"type": "text", "text": "Question?"},
            ],
        },
        {
            "role": "assistant",
            "content": [{"type": "text", "text": "Answer.", "cache_control": EPHEMERAL}],
        },
        {
            "role": "tool",
            "tool_call_id": "c",
            "content": [{"type": "text", "text": "Result.", "cache_control": EPHEMERAL}],
        },
    ]


def test_langchain_blocks_without_cache_control_as_before() -> None:
    assert messages_to_openai(LC_MARKED) == [
        {"role": "system", "content": [{"type": "text", "text": "Rules."}]},
        {
            "role": "user",
            "content": [{"type": "text", "text": "Doc."}, {"type": "text", "text": "Question?"}],
        },
        {"role": "assistant", "content": "Answer."},
        {"role": "tool", "tool_call_id": "c", "content": [{"type": "text", "text": "Result."}]},
    ]


def test_langchain_anthropic_tool_result_breakpoint() -> None:
    message = HumanMessage(
        [{"type": "tool_result", "tool_use_id": "t", "content": "42", "cache_control": EPHEMERAL}]
    )
    assert messages_to_openai([message], cache=True) == [
        {
            "role": "tool",
            "tool_call_id": "t",
            "content": [{"type": "text", "text": "42", "cache_control": EPHEMERAL}],
        }
    ]
    assert messages_to_openai([message]) == [{"role": "tool", "tool_call_id": "t", "content": "42"}]


def test_langchain_breakpoint_on_an_image_refused() -> None:
    message = HumanMessage(
        [{"type": "image", "url": "https://x.test/a.png", "cache_control": EPHEMERAL}]
    )
    with pytest.raises(InvalidRequestError, match="text parts only"):
        messages_to_openai([message], cache=True)
    assert messages_to_openai([message])[0]["content"] == [
        {"type": "image_url", "image_url": {"url": "https://x.test/a.png"}}
    ]


def _prepared(llm: Any, messages: list[Any], **kwargs: Any) -> tuple[Any, Any]:
    return llm._prepare(messages, None, kwargs)


def test_chat_yescale_switch() -> None:
    claude = ChatYEScale(model="claude-sonnet-4-5", api_key=KEY, prompt_caching=True)
    wire, _ = _prepared(claude, LC_MARKED[:2])
    assert wire[0]["content"][0]["cache_control"] == EPHEMERAL
    off = ChatYEScale(model="claude-sonnet-4-5", api_key=KEY)
    with pytest.warns(UserWarning, match="ChatYEScale dropped the cache_control"):
        wire, _ = _prepared(off, LC_MARKED[:2])
    assert "cache_control" not in str(wire)
    gpt = ChatYEScale(model="gpt-4o", api_key=KEY, prompt_caching=True)
    with pytest.raises(InvalidRequestError, match="OpenAI models cache prompts"):
        _prepared(gpt, LC_MARKED[:2])
    # a per-call model is the one checked
    with pytest.raises(InvalidRequestError, match="'gpt-4o' is not one"):
        _prepared(claude, LC_MARKED[:2], model="gpt-4o")


def test_chat_yescale_tools_and_the_call_argument() -> None:
    tool = {
        "name": "lookup",
        "description": "Look a word up.",
        "input_schema": {"type": "object", "properties": {}},
        "cache_control": HOUR,
    }
    claude = ChatYEScale(model="claude-sonnet-4-5", api_key=KEY, prompt_caching=True)
    bound = claude.bind_tools([tool], cache_control=EPHEMERAL)
    kwargs = dict(bound.kwargs)  # type: ignore[attr-defined]
    assert kwargs["tools"][0]["cache_control"] == HOUR
    assert kwargs["tools"][0]["function"]["name"] == "lookup"
    wire, params = claude._prepare([HumanMessage("Hi")], None, kwargs)
    assert params["tools"][0]["cache_control"] == HOUR
    assert "cache_control" not in params
    assert wire == [
        {"role": "user", "content": [{"type": "text", "text": "Hi", "cache_control": EPHEMERAL}]}
    ]
    off = ChatYEScale(model="claude-sonnet-4-5", api_key=KEY)
    with pytest.warns(UserWarning, match="dropped the cache_control"):
        wire, params = off._prepare([HumanMessage("Hi")], None, kwargs)
    assert wire == [{"role": "user", "content": "Hi"}]
    assert "cache_control" not in params["tools"][0]
    assert "cache_control" not in params
    assert "cache_control" in tool  # the caller's dict is left alone


def test_chat_yescale_model_kwargs_cache_control_is_the_call_argument() -> None:
    llm = ChatYEScale(
        model="claude-sonnet-4-5",
        api_key=KEY,
        prompt_caching=True,
        model_kwargs={"cache_control": EPHEMERAL},
    )
    wire, params = _prepared(llm, [HumanMessage("Hi")])
    assert wire[0]["content"][0]["cache_control"] == EPHEMERAL
    assert "cache_control" not in params
    with pytest.raises(InvalidRequestError, match="ttl must be"):
        _prepared(llm, [HumanMessage("Hi")], cache_control={"type": "ephemeral", "ttl": "1d"})


def test_gemini_class_drops_breakpoints_with_a_warning() -> None:
    llm = ChatYEScaleGemini(model="gemini-2.5-flash", api_key=KEY)
    with pytest.warns(UserWarning, match=r"ChatYEScaleGemini dropped .* cached_content"):
        wire, _ = _prepared(llm, LC_MARKED[:2])
    assert "cache_control" not in str(wire)


# -- LlamaIndex ---------------------------------------------------------------------------------


def test_cache_point_after_text_marks_it() -> None:
    messages = [
        ChatMessage(role=MessageRole.SYSTEM, blocks=[TextBlock(text="Rules."), cache_point("1h")]),
        ChatMessage(
            role=MessageRole.USER,
            blocks=[TextBlock(text="Doc."), cache_point(), TextBlock(text="Question?")],
        ),
    ]
    assert to_openai_messages(messages, cache=True) == [
        {
            "role": "system",
            "content": [{"type": "text", "text": "Rules.", "cache_control": HOUR}],
        },
        {
            "role": "user",
            "content": [
                {
                    "type": "text",
                    "text": "Doc.",
                    "cache_control": {"type": "ephemeral", "ttl": "5m"},
                },
                {"type": "text", "text": "Question?"},
            ],
        },
    ]
    # not asked: left out, and the text is the one string it always was
    assert to_openai_messages(messages) == [
        {"role": "system", "content": "Rules."},
        {"role": "user", "content": "Doc.\nQuestion?"},
    ]


def test_cache_point_in_assistant_and_tool_messages() -> None:
    messages = [
        ChatMessage(role=MessageRole.ASSISTANT, blocks=[TextBlock(text="Sure."), cache_point()]),
        ChatMessage(
            role=MessageRole.TOOL,
            blocks=[TextBlock(text="42"), cache_point()],
            additional_kwargs={"tool_call_id": "c"},
        ),
    ]
    wire = to_openai_messages(messages, cache=True)
    assert wire[0]["content"] == [
        {"type": "text", "text": "Sure.", "cache_control": {"type": "ephemeral", "ttl": "5m"}}
    ]
    assert wire[1]["content"][0]["cache_control"] == {"type": "ephemeral", "ttl": "5m"}


def test_cache_point_after_an_image_refused() -> None:
    message = ChatMessage(
        role=MessageRole.USER,
        blocks=[
            TextBlock(text="Look:"),
            ImageBlock(image=PNG, image_mimetype="image/png"),
            cache_point(),
        ],
    )
    with pytest.raises(InvalidRequestError, match=r"'image_url' block .* text parts only"):
        to_openai_messages([message], cache=True)
    parts = to_openai_messages([message])[0]["content"]
    assert [p["type"] for p in parts] == ["text", "image_url"]  # as before
    # after the text, before the image: fine
    message.blocks = [message.blocks[0], cache_point(), message.blocks[1]]
    parts = to_openai_messages([message], cache=True)[0]["content"]
    assert "cache_control" in parts[0]
    assert "cache_control" not in parts[1]


def test_cache_point_at_the_start_refused() -> None:
    """As llama-index's Anthropic LLM: a CachePoint must come after a block."""
    message = ChatMessage(role=MessageRole.USER, blocks=[cache_point(), TextBlock(text="Hi")])
    with pytest.raises(InvalidRequestError, match="starts its message"):
        to_openai_messages([message], cache=True)
    assert to_openai_messages([message]) == [{"role": "user", "content": "Hi"}]
    empty = ChatMessage(role=MessageRole.USER, blocks=[TextBlock(text=""), cache_point()])
    with pytest.raises(InvalidRequestError, match="non-empty TextBlock"):
        to_openai_messages([empty], cache=True)


def test_yescale_switch() -> None:
    messages = [
        ChatMessage(role=MessageRole.SYSTEM, blocks=[TextBlock(text="Rules."), cache_point()]),
        ChatMessage(role=MessageRole.USER, content="Hi"),
    ]
    on = YEScale(model="claude-sonnet-4-5", api_key=KEY, prompt_caching=True)
    wire, _ = on._prepare(messages, {})
    assert wire[0]["content"][0]["cache_control"] == {"type": "ephemeral", "ttl": "5m"}
    off = YEScale(model="claude-sonnet-4-5", api_key=KEY)
    with pytest.warns(UserWarning, match=r"YEScale dropped .* prompt_caching=True"):
        wire, _ = off._prepare(messages, {})
    assert wire[0] == {"role": "system", "content": "Rules."}
    with pytest.raises(InvalidRequestError, match="OpenAI models cache prompts"):
        YEScale(model="gpt-4o-mini", api_key=KEY, prompt_caching=True)._prepare(messages, {})
    gemini = YEScaleGemini(model="gemini-2.5-flash", api_key=KEY)
    with pytest.warns(UserWarning, match=r"YEScaleGemini dropped .* cached_content"):
        wire, _ = gemini._prepare(messages, {})
    assert "cache_control" not in str(wire)
    # tool dicts carrying a breakpoint: kept for Claude with the switch, else left out
    tool = {"type": "function", "function": {"name": "f"}, "cache_control": EPHEMERAL}
    _, params = on._prepare(messages, {"tools": [tool]})
    assert params["tools"] == [tool]
    _, params = off._prepare(messages, {"tools": [tool]})
    assert params["tools"] == [{"type": "function", "function": {"name": "f"}}]
