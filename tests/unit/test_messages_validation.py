"""client.messages refuses, before any request, what Anthropic's Messages API would refuse."""

from __future__ import annotations

import re
from typing import Any

import httpx
import pytest

from yescale import InvalidRequestError, YEScaleClient
from yescale.resources.messages import build_call
from yescale.types.messages import TextBlock, ThinkingBlock

MODEL = "claude-sonnet-4-5"
HI = [{"role": "user", "content": "Hi"}]
TOOL = {"name": "get_weather", "input_schema": {"type": "object", "properties": {}}}
CALL = {"type": "tool_use", "id": "toolu_1", "name": "get_weather", "input": {}}
RESULT = {"type": "tool_result", "tool_use_id": "toolu_1", "content": "sunny"}


def body(messages: Any = HI, max_tokens: Any = 100, model: str = MODEL, **params: Any) -> Any:
    return build_call(model, max_tokens, messages, params, stream=False).json


def refused(pattern: str, **kwargs: Any) -> None:
    with pytest.raises(InvalidRequestError, match=pattern):
        body(**kwargs)


def test_a_valid_request_is_sent_as_given() -> None:
    system = [{"type": "text", "text": "Be brief.", "cache_control": {"type": "ephemeral"}}]
    messages = [
        {"role": "user", "content": [{"type": "text", "text": "Hi", "cache_control": {"x": 1}}]},
        {"role": "assistant", "content": [CALL]},
        {"role": "user", "content": [RESULT]},
    ]
    tools = [{**TOOL, "cache_control": {"type": "ephemeral"}}]
    sent = body(messages, system=system, tools=tools, tool_choice={"type": "auto"}, top_k=5)
    assert sent == {
        "model": MODEL,
        "max_tokens": 100,
        "messages": messages,
        "system": system,
        "tools": tools,
        "tool_choice": {"type": "auto"},
        "top_k": 5,
    }


def test_nothing_is_sent_when_a_request_is_refused() -> None:
    sent: list[httpx.Request] = []
    client = YEScaleClient(
        api_key="sk-test-0123456789",
        http_client=httpx.Client(transport=httpx.MockTransport(lambda r: sent.append(r))),  # type: ignore[arg-type,func-returns-value]
    )
    with pytest.raises(InvalidRequestError):
        client.messages.create(model=MODEL, max_tokens=0, messages=HI)
    with pytest.raises(InvalidRequestError):
        client.messages.stream(model=MODEL, max_tokens=10, messages=[])
    assert sent == []


@pytest.mark.parametrize(
    ("model", "pattern"),
    [
        ("", "`model` must be a non-empty string"),
        ("gpt-4o", r"'gpt-4o' is not a Claude model \(family 'openai'\).*client.chat"),
        ("gemini-2.5-flash", "not a Claude model"),
        ("text-embedding-3-small", "an embedding model, not a Claude model"),
        ("dall-e-3", "an image model"),
    ],
)
def test_the_model_must_be_a_claude_model(model: str, pattern: str) -> None:
    refused(pattern, model=model)


@pytest.mark.parametrize("model", ["claude-opus-4-1", "anthropic/claude-3-5-haiku", "my-alias"])
def test_claude_and_unknown_models_pass(model: str) -> None:
    assert body(model=model)["model"] == model


@pytest.mark.parametrize("value", [None, 0, -5, 1.5, "100", True])
def test_max_tokens_is_a_positive_int(value: Any) -> None:
    refused(r"`max_tokens` must be a positive int \(the Messages API requires it", max_tokens=value)


@pytest.mark.parametrize(
    ("messages", "pattern"),
    [
        ([], "`messages` must be a non-empty list"),
        ("Hi", "`messages` must be a non-empty list"),
        (["Hi"], r"messages\[0\] must be a dict"),
        ([{"role": "assistant", "content": "Hi"}], "the first message has role 'assistant'"),
        (
            [*HI, {"role": "user", "content": "again"}],
            r"messages\[1\] \(after messages\[0\]\) has role 'user' where 'assistant' is due",
        ),
        ([{"role": "system", "content": "x"}], r"Put system text in `system=`"),
        ([{"role": "tool", "content": "x"}], "tool_result blocks"),
        ([{"role": "user", "content": "  "}], r"messages\[0\].content is empty"),
        ([{"role": "user", "content": []}], "non-empty list of content blocks"),
        ([{"role": "user", "content": 5}], "non-empty string or a non-empty list"),
        ([{"role": "user", "content": [{"text": "x"}]}], r"content\[0\] must be a dict with"),
        ([{"role": "user", "content": [{"type": "text", "text": 5}]}], "'text' as a string"),
        ([{"role": "user", "content": [{"type": "text", "text": ""}]}], "empty text block"),
        ([*HI, {"role": "assistant", "content": "Sure "}], "ends with white space"),
    ],
)
def test_messages_are_checked_and_the_error_says_where(messages: Any, pattern: str) -> None:
    refused(pattern, messages=messages)


def _image(**source: Any) -> list[dict[str, Any]]:
    return [{"role": "user", "content": [{"type": "image", "source": source}]}]


@pytest.mark.parametrize(
    ("messages", "pattern"),
    [
        (_image(type="base64", media_type="image/bmp", data="AAAA"), "media_type is 'image/bmp'"),
        (_image(type="base64", media_type="image/png", data="not base64!"), "not valid base64"),
        (
            _image(type="base64", media_type="image/png", data="data:image/png;base64,AAAA"),
            "is a data URL",
        ),
        (_image(type="url"), r"content\[0\].source \(url\) needs 'url' as a string"),
        ([{"role": "user", "content": [{"type": "image"}]}], "needs a 'source' dict"),
    ],
)
def test_image_blocks_are_checked(messages: Any, pattern: str) -> None:
    refused(pattern, messages=messages)


def test_a_good_image_passes() -> None:
    assert body(_image(type="base64", media_type="image/png", data="iVBORw0KGgo="))


@pytest.mark.parametrize(
    ("messages", "pattern"),
    [
        ([{"role": "user", "content": [CALL]}], "tool_use block in a user turn"),
        ([*HI, {"role": "assistant", "content": [RESULT]}], "tool_result block in a assistant"),
        (
            [*HI, {"role": "assistant", "content": [{**CALL, "input": "{}"}]}],
            "needs 'input' as a dict",
        ),
        (
            [*HI, {"role": "assistant", "content": [CALL]}, {"role": "user", "content": "ok"}],
            r"messages\[1\] calls tools 'toolu_1' but messages\[2\] has no tool_result",
        ),
        (
            [
                *HI,
                {"role": "assistant", "content": "x"},
                {"role": "user", "content": [RESULT]},
            ],
            r"messages\[2\].content\[0\] is a tool_result for 'toolu_1', but the turn before",
        ),
        (
            [
                *HI,
                {"role": "assistant", "content": [{"type": "thinking", "thinking": "t"}]},
            ],
            "needs 'signature' as a string.*exactly as the answer gave them",
        ),
        (
            [*HI, {"role": "assistant", "content": [{"type": "redacted_thinking"}]}],
            "needs 'data' as a string",
        ),
        (
            [
                *HI,
                {"role": "assistant", "content": [CALL]},
                {"role": "user", "content": [{**RESULT, "content": {"temp": 18}}]},
            ],
            "must be a string or a list",
        ),
    ],
)
def test_tool_and_thinking_blocks_are_checked(messages: Any, pattern: str) -> None:
    refused(pattern, messages=messages)


def test_unknown_block_types_pass_through() -> None:
    messages = [{"role": "user", "content": [{"type": "container_upload", "file_id": "f"}]}]
    assert body(messages)["messages"] == messages


def test_typed_blocks_of_an_answer_go_back_as_wire_dicts() -> None:
    thought = ThinkingBlock(thinking="hmm", signature="c2ln", extra_field=1)
    messages = [*HI, {"role": "assistant", "content": [thought, TextBlock(text="Hello")]}]
    sent = body(messages)["messages"][1]["content"]
    assert sent == [
        {"type": "thinking", "thinking": "hmm", "signature": "c2ln", "extra_field": 1},
        {"type": "text", "text": "Hello"},
    ]


@pytest.mark.parametrize(
    ("system", "pattern"),
    [
        (5, "`system` must be a string or a list of text blocks"),
        ([{"type": "image"}], r"system\[0\] must be a non-empty text block"),
        (["text"], r"system\[0\]"),
    ],
)
def test_system_is_text_or_text_blocks(system: Any, pattern: str) -> None:
    refused(pattern, system=system)


@pytest.mark.parametrize(
    ("tools", "pattern"),
    [
        (TOOL, "`tools` must be a list"),
        ([{"name": "bad name", "input_schema": {"type": "object"}}], "tools\\[0\\] is named"),
        ([{"name": "f"}], r"tools\[0\] \(f\) needs 'input_schema'"),
        (
            [{"type": "function", "function": {"name": "f", "parameters": {}}}],
            "tools\\[0\\] is named None",
        ),
        ([{"name": "f", "parameters": {}}], "an OpenAI-format tool"),
        ([TOOL, TOOL], "both named 'get_weather'"),
    ],
)
def test_tools_are_checked(tools: Any, pattern: str) -> None:
    refused(pattern, tools=tools)


def test_server_tools_pass() -> None:
    tools = [{"type": "web_search_20250305", "name": "web_search", "max_uses": 2}]
    assert body(tools=tools)["tools"] == tools


@pytest.mark.parametrize(
    ("params", "pattern"),
    [
        ({"tool_choice": "auto"}, "tool_choice must be a dict with type 'auto', 'any'"),
        ({"tool_choice": {"type": "required"}}, "tool_choice must be a dict"),
        ({"tool_choice": {"type": "any"}}, "needs tools, but no tools were given"),
        (
            {"tool_choice": {"type": "tool", "name": "other"}, "tools": [TOOL]},
            "names the tool 'other', which is not among the tools given",
        ),
    ],
)
def test_tool_choice_forms(params: dict[str, Any], pattern: str) -> None:
    refused(pattern, **params)


@pytest.mark.parametrize("kind", ["auto", "any", "none"])
def test_tool_choice_forms_pass(kind: str) -> None:
    assert body(tools=[TOOL], tool_choice={"type": kind})["tool_choice"] == {"type": kind}


@pytest.mark.parametrize(
    ("params", "pattern"),
    [
        ({"thinking": True}, "thinking must be a dict"),
        ({"thinking": {"type": "enabled"}}, "budget_tokens must be an int of at least 1024"),
        ({"thinking": {"type": "enabled", "budget_tokens": 512}}, "at least 1024"),
        (
            {"thinking": {"type": "enabled", "budget_tokens": 2048}, "max_tokens": 2048},
            re.escape("budget_tokens (2048) must be less than max_tokens (2048)"),
        ),
        (
            {
                "thinking": {"type": "enabled", "budget_tokens": 1024},
                "tools": [TOOL],
                "tool_choice": {"type": "any"},
            },
            "cannot be used with thinking",
        ),
        (
            {"thinking": {"type": "enabled", "budget_tokens": 1024}, "temperature": 0.5},
            "temperature=0.5 cannot be used with thinking",
        ),
    ],
)
def test_thinking_is_checked(params: dict[str, Any], pattern: str) -> None:
    params.setdefault("max_tokens", 4096)
    refused(pattern, **params)


def test_thinking_passes() -> None:
    thinking = {"type": "enabled", "budget_tokens": 1024}
    assert body(max_tokens=2000, thinking=thinking)["thinking"] == thinking
    assert body(thinking={"type": "disabled"})["thinking"] == {"type": "disabled"}


@pytest.mark.parametrize(
    ("params", "pattern"),
    [
        ({"temperature": 1.5}, "temperature=1.5: Input should be less than or equal to 1"),
        ({"top_p": -1}, "top_p"),
        ({"stream": True}, "Do not pass `stream`"),
    ],
)
def test_other_parameters_in_anthropic_ranges(params: dict[str, Any], pattern: str) -> None:
    refused(pattern, **params)


def test_headers_state_the_version_and_betas() -> None:
    call = build_call(MODEL, 10, HI, {}, stream=False, betas=["extended-cache-ttl-2025-04-11"])
    assert call.headers == {
        "anthropic-version": "2023-06-01",
        "anthropic-beta": "extended-cache-ttl-2025-04-11",
    }
    with pytest.raises(InvalidRequestError, match="`betas` must be a list"):
        build_call(MODEL, 10, HI, {}, stream=False, betas="one-beta")
