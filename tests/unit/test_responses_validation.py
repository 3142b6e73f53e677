"""client.responses refuses, before any request, what OpenAI's Responses API would refuse."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from yescale import InvalidRequestError, YEScaleClient
from yescale.resources.responses import build_call
from yescale.types.responses import FunctionCallItem, ReasoningItem

MODEL = "gpt-5-mini"
TOOL = {"type": "function", "name": "get_weather", "parameters": {"type": "object"}}
CALL = {"type": "function_call", "call_id": "call_1", "name": "get_weather", "arguments": "{}"}
OUTPUT = {"type": "function_call_output", "call_id": "call_1", "output": "sunny"}
REASONING = {"type": "reasoning", "id": "rs_1", "summary": [], "encrypted_content": "abc"}


def body(input: Any = "Hi", model: str = MODEL, **params: Any) -> Any:
    return build_call(model, input, params, stream=False).json


def refused(pattern: str, **kwargs: Any) -> None:
    with pytest.raises(InvalidRequestError, match=pattern):
        body(**kwargs)


def test_a_valid_request_is_sent_as_given() -> None:
    given = [
        {"role": "system", "content": "Be brief."},
        {
            "role": "user",
            "content": [
                {"type": "input_text", "text": "What is this?"},
                {"type": "input_image", "image_url": "https://example.com/a.png", "detail": "low"},
                {"type": "input_file", "file_id": "file_1"},
            ],
        },
        {"type": "message", "role": "assistant", "content": [{"type": "output_text", "text": "A"}]},
        REASONING,
        CALL,
        OUTPUT,
        {"type": "item_reference", "id": "msg_1"},
        {"type": "web_search_call", "id": "ws_1", "status": "completed"},
    ]
    params: dict[str, Any] = {
        "instructions": "Answer in French.",
        "tools": [TOOL, {"type": "web_search"}, {"type": "image_generation"}],
        "tool_choice": {"type": "function", "name": "get_weather"},
        "parallel_tool_calls": False,
        "reasoning": {"effort": "high", "summary": "detailed"},
        "include": ["reasoning.encrypted_content"],
        "store": False,
        "text": {"format": {"type": "json_schema", "name": "w", "schema": {"type": "object"}}},
        "max_output_tokens": 500,
        "truncation": "auto",
        "service_tier": "flex",
        "prompt_cache_key": "k1",  # an unknown field passes through
    }
    assert body(given, **params) == {"model": MODEL, "input": given, **params}


def test_typed_items_of_an_answer_go_back_as_wire_dicts() -> None:
    call = FunctionCallItem.model_validate({**CALL, "id": "fc_1", "status": "completed"})
    thought = ReasoningItem.model_validate(REASONING)
    sent = body([{"role": "user", "content": "Hi"}, thought, call, OUTPUT])
    assert sent["input"][1] == REASONING
    assert sent["input"][2] == {**CALL, "id": "fc_1", "status": "completed"}


def test_nothing_is_sent_when_a_request_is_refused() -> None:
    sent: list[httpx.Request] = []
    client = YEScaleClient(
        api_key="sk-test-0123456789",
        http_client=httpx.Client(transport=httpx.MockTransport(lambda r: sent.append(r))),  # type: ignore[arg-type,func-returns-value]
    )
    with pytest.raises(InvalidRequestError):
        client.responses.create(model=MODEL, input="")
    with pytest.raises(InvalidRequestError):
        client.responses.stream(model=MODEL, input=[])
    assert sent == []


@pytest.mark.parametrize(
    ("given", "pattern"),
    [
        ("", "`input` is empty"),
        ("   ", "`input` is empty"),
        ([], "non-empty list"),
        ({"role": "user", "content": "Hi"}, "non-empty list"),
        (None, "non-empty list"),
        (["Hi"], r"input\[0\] must be a dict"),
        ([{"content": "Hi"}], r"input\[0\] has no 'type' and no 'role'"),
        ([{"role": "tool", "content": "x"}], "function_call_output items"),
        ([{"role": "user", "content": ""}], "empty or white space"),
        ([{"role": "user", "content": []}], "non-empty string or a non-empty list"),
        ([{"role": "user", "content": [{"type": "text", "text": "a"}]}], "'input_text'"),
        (
            [{"role": "user", "content": [{"type": "image_url", "image_url": {"url": "x"}}]}],
            "'input_image' with \"image_url\" as a plain string",
        ),
        (
            [{"role": "user", "content": [{"type": "input_image", "image_url": {"url": "x"}}]}],
            "plain string",
        ),
        ([{"role": "user", "content": [{"type": "input_image"}]}], "needs 'image_url'"),
        (
            [{"role": "user", "content": [{"type": "input_image", "image_url": "a.png"}]}],
            "http\\(s\\) URL or a data URL",
        ),
        (
            [
                {
                    "role": "user",
                    "content": [{"type": "input_image", "image_url": "data:,", "detail": "max"}],
                }
            ],
            "detail",
        ),
        ([{"role": "user", "content": [{"type": "input_file"}]}], "needs 'file_id'"),
        ([{"role": "user", "content": [{"type": "input_text", "text": 3}]}], "'text' as a string"),
        ([{"role": "user", "content": [{"type": "output_text", "text": "a"}]}], "user content"),
        (
            [{"role": "assistant", "content": [{"type": "input_text", "text": "a"}]}],
            "assistant content is 'output_text'",
        ),
        ([{**CALL, "call_id": ""}, OUTPUT], "'call_id' as a non-empty string"),
        ([{**CALL, "arguments": {}}, OUTPUT], r"json.dumps\(arguments\)"),
        ([{**CALL, "name": None}, OUTPUT], "'name'"),
        ([CALL, {"type": "function_call_output", "output": "x"}], "Give the call_id"),
        ([CALL, {**OUTPUT, "output": {"t": 1}}], r"json.dumps\(result\)"),
        ([OUTPUT], "no function_call with that call_id comes before it"),
        ([CALL], "with no function_call_output after it"),
        ([{**REASONING, "id": None}], "reasoning"),
        ([{**REASONING, "summary": None}], "'summary' as a list"),
        ([{**REASONING, "encrypted_content": 5}], "encrypted_content must be the string"),
        ([{"type": "item_reference"}], "needs 'id'"),
    ],
)
def test_bad_input_is_refused(given: Any, pattern: str) -> None:
    refused(pattern, input=given)


def test_an_output_for_a_call_of_the_previous_response_passes() -> None:
    sent = body([OUTPUT], previous_response_id="resp_1")
    assert sent["previous_response_id"] == "resp_1"


@pytest.mark.parametrize(
    ("params", "pattern"),
    [
        ({"stream": True}, "client.responses.stream"),
        ({"messages": []}, "chat-completions parameter: the Responses API takes `input`"),
        ({"max_tokens": 10}, "`max_output_tokens`"),
        ({"response_format": {"type": "json_object"}}, "text="),
        ({"instructions": ["a"]}, "`instructions` must be a string"),
        ({"tools": TOOL}, "must be a list"),
        ({"tools": ["get_weather"]}, r"tools\[0\] must be a dict with a 'type'"),
        (
            {"tools": [{"type": "function", "function": {"name": "f", "parameters": {}}}]},
            "chat-completions tool",
        ),
        ({"tools": [{"type": "function", "name": "get weather"}]}, "1-64 letters"),
        ({"tools": [TOOL, TOOL]}, "both named 'get_weather'"),
        ({"tools": [{**TOOL, "parameters": "{}"}]}, "JSON schema dict"),
        ({"tools": [{**TOOL, "strict": "yes"}]}, "strict must be a bool"),
        ({"tool_choice": "any"}, "not one of 'auto', 'none', 'required'"),
        ({"tool_choice": "required"}, "no tools were given"),
        ({"tools": [TOOL], "tool_choice": {"type": "function", "name": "other"}}, "not among"),
        (
            {"tools": [TOOL], "tool_choice": {"type": "function", "function": {"name": "x"}}},
            "chat-completions shape",
        ),
        ({"tool_choice": 3}, "tool_choice must be"),
        ({"reasoning": "high"}, "reasoning must be a dict"),
        ({"reasoning": {"effort": "max"}}, "reasoning.effort is 'max'"),
        ({"reasoning": {"summary": "brief"}}, "reasoning.summary is 'brief'"),
        ({"include": "reasoning.encrypted_content"}, "include must be a list"),
        ({"include": [""]}, r"include\[0\]"),
        ({"text": "json"}, "text must be a dict"),
        ({"text": {"format": "json"}}, "text.format must be a dict"),
        (
            {"text": {"format": {"type": "json_schema", "json_schema": {"name": "a"}}}},
            "chat-completions shape",
        ),
        ({"text": {"format": {"type": "json_schema", "schema": {}}}}, "needs a name"),
        ({"text": {"format": {"type": "json_schema", "name": "a"}}}, "needs 'schema'"),
        ({"truncation": "yes"}, "truncation is 'yes'"),
        ({"previous_response_id": ""}, "previous_response_id"),
        ({"max_output_tokens": 0}, "max_output_tokens"),
        ({"temperature": 3}, "temperature"),
        ({"top_p": -1}, "top_p"),
        ({"metadata": {"n": 1}}, "metadata"),
        ({"parallel_tool_calls": "yes"}, "parallel_tool_calls"),
        ({"store": "no"}, "store"),
    ],
)
def test_bad_params_are_refused(params: dict[str, Any], pattern: str) -> None:
    refused(pattern, **params)


@pytest.mark.parametrize("model", ["", "text-embedding-3-small", "dall-e-3"])
def test_a_model_that_cannot_answer_is_refused(model: str) -> None:
    with pytest.raises(InvalidRequestError):
        body(model=model)


def test_built_in_tools_and_choices_pass_as_they_are() -> None:
    tools = [
        {"type": "web_search_preview", "search_context_size": "low"},
        {"type": "code_interpreter", "container": {"type": "auto"}},
        {"type": "image_generation", "quality": "low"},
    ]
    sent = body(tools=tools, tool_choice={"type": "web_search_preview"})
    assert sent["tools"] == tools
    assert sent["tool_choice"] == {"type": "web_search_preview"}
