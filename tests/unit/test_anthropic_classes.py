"""What the Anthropic-format classes (``ChatYEScaleAnthropic``, ``YEScaleAnthropic``) share, checked
without a service: their parameters, what they refuse when built, the structured-output schema
(against Anthropic's own SDK as the oracle), server tools, and how LlamaIndex shows Claude's
server-tool blocks.
"""

from __future__ import annotations

import json
from typing import Any, Literal

import httpx
import pytest
from anthropic import transform_schema
from pydantic import BaseModel, Field

from langchain_yescale import ChatYEScaleAnthropic
from llama_index_yescale import YEScaleAnthropic
from yescale import InvalidRequestError
from yescale.integration.caching import CachePolicy
from yescale.integration.chat_params import (
    FALLBACK_MAX_TOKENS,
    anthropic_chat_params,
    default_max_tokens,
)
from yescale.translate.anthropic_chat import offers_server_tools
from yescale.translate.anthropic_params import output_format

WEB_SEARCH = {"type": "web_search_20250305", "name": "web_search", "max_uses": 3}


def _answer(body: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": "msg_1",
        "type": "message",
        "role": "assistant",
        "model": body["model"],
        "content": [{"type": "text", "text": "Hi"}],
        "stop_reason": "end_turn",
        "stop_sequence": None,
        "usage": {"input_tokens": 3, "output_tokens": 1},
    }


class Wire:
    """A MockTransport handler that keeps the bodies and answers a plain message."""

    def __init__(self) -> None:
        self.bodies: list[dict[str, Any]] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        body = json.loads(request.content)
        self.bodies.append(body)
        return httpx.Response(200, json=_answer(body))

    def client(self) -> httpx.Client:
        return httpx.Client(transport=httpx.MockTransport(self))


# -- parameters -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("model", "expected"),
    [
        ("claude-sonnet-4-5", 64000),
        ("claude-opus-4-1", 32000),
        ("claude-3-5-haiku-latest", 8192),
        ("claude-unknown-7", 8192),  # the family's, from yescale.models.profiles
        ("my-finetune", FALLBACK_MAX_TOKENS),  # nobody knows it: langchain-anthropic's fallback
    ],
)
def test_max_tokens_defaults_to_the_models_own_maximum(model: str, expected: int) -> None:
    assert default_max_tokens(model) == expected
    assert anthropic_chat_params({}, {}, {}, model=model)["max_tokens"] == expected


def test_given_max_tokens_wins_and_the_call_overrides_the_model() -> None:
    params = anthropic_chat_params({"max_tokens": 100}, {}, {"model": "claude-opus-4-1"}, model="x")
    assert params == {"max_tokens": 100, "model": "claude-opus-4-1"}
    alias = anthropic_chat_params({}, {}, {"max_completion_tokens": 50}, model="claude-sonnet-4-5")
    assert "max_tokens" not in alias  # the client maps the alias itself
    assert alias["max_completion_tokens"] == 50


def test_peer_spellings_are_accepted() -> None:
    wire = Wire()
    llm = ChatYEScaleAnthropic(
        api_key="k", http_client=wire.client(), max_tokens_to_sample=321, stop_sequences=["END"]
    )
    llm.invoke("Hi")
    assert wire.bodies[0]["max_tokens"] == 321
    assert wire.bodies[0]["stop_sequences"] == ["END"]


@pytest.mark.parametrize("cls", [ChatYEScaleAnthropic, YEScaleAnthropic])
@pytest.mark.parametrize(
    ("argument", "value", "hint"),
    [
        ("reasoning_effort", "low", "thinking="),
        ("response_format", {"type": "json_object"}, "forced tool"),
        ("presence_penalty", 0.5, "presence penalty"),
        ("seed", 7, "no seed"),
        ("model", "gpt-4o-mini", "not a Claude model"),
    ],
)
def test_what_claude_cannot_take_is_refused_when_built(
    cls: type[Any], argument: str, value: Any, hint: str
) -> None:
    wire = Wire()
    with pytest.raises((InvalidRequestError, ValueError), match=hint):
        cls(api_key="k", http_client=wire.client(), **{argument: value})
    assert wire.bodies == []


def test_n_above_one_is_refused_when_built() -> None:
    with pytest.raises(ValueError, match="one answer per request"):
        ChatYEScaleAnthropic(api_key="k", n=2)


def test_a_bad_thinking_budget_is_refused_before_any_request() -> None:
    wire = Wire()
    llm = ChatYEScaleAnthropic(api_key="k", http_client=wire.client(), max_tokens=1500)
    with pytest.raises(InvalidRequestError, match="budget_tokens"):
        llm.invoke("Hi", thinking={"type": "enabled", "budget_tokens": 2048})
    with pytest.raises(InvalidRequestError, match="temperature"):
        llm.invoke("Hi", thinking={"type": "enabled", "budget_tokens": 1024}, temperature=0.2)
    assert wire.bodies == []


def test_breakpoints_are_always_kept_without_a_switch() -> None:
    policy = CachePolicy(enabled=True, owner="ChatYEScaleAnthropic", switch=None)
    assert policy.keep("claude-sonnet-4-5", found=True) is True
    assert policy.keep("claude-sonnet-4-5", found=False) is False


# -- tools ----------------------------------------------------------------------------------------


def test_server_tools_are_told_from_custom_ones() -> None:
    custom = {"name": "lookup", "input_schema": {"type": "object"}}
    assert offers_server_tools([custom, WEB_SEARCH])
    assert not offers_server_tools([custom, {**custom, "type": "custom"}])
    assert not offers_server_tools(None)


def test_bind_tools_sends_server_and_anthropic_tools_as_they_are() -> None:
    wire = Wire()
    custom = {
        "name": "lookup",
        "description": "Look up.",
        "input_schema": {"type": "object", "properties": {"q": {"type": "string"}}},
    }
    llm = ChatYEScaleAnthropic(api_key="k", http_client=wire.client())
    llm.bind_tools([WEB_SEARCH, custom], tool_choice="lookup", parallel_tool_calls=False).invoke(
        "Hi"
    )
    body = wire.bodies[0]
    assert body["tools"][0] == WEB_SEARCH
    assert body["tools"][1] == custom
    assert body["tool_choice"] == {
        "type": "tool",
        "name": "lookup",
        "disable_parallel_tool_use": True,
    }


def test_an_answer_offered_server_tools_keeps_every_block() -> None:
    """With server tools offered, text before the first server block is among the answer's
    blocks in a stream too (it went out before the translator knew a server block would come)."""
    wire = Wire()
    llm = ChatYEScaleAnthropic(api_key="k", http_client=wire.client()).bind_tools([WEB_SEARCH])
    answer = llm.invoke("Hi")
    assert answer.content == [{"type": "text", "text": "Hi"}]
    assert answer.text == "Hi"


# -- structured output ----------------------------------------------------------------------------


class Address(BaseModel):
    street: str = Field(pattern="^[A-Z]", max_length=80, description="Street and number")
    zip_code: str = Field(min_length=5)


class Person(BaseModel):
    """A person."""

    name: str
    age: int = Field(ge=0, le=150)
    email: str = Field(json_schema_extra={"format": "email"})
    website: str | None = Field(default=None, json_schema_extra={"format": "url-ish"})
    kind: Literal["adult", "child"]
    tags: list[str] = Field(min_length=1)
    scores: list[float] = Field(default_factory=list, min_length=3)
    home: Address
    other: list[Address] | None = None


@pytest.mark.parametrize("schema", [Person, Address])
def test_output_format_prepares_a_schema_as_anthropics_sdk_does(schema: type[BaseModel]) -> None:
    json_schema = schema.model_json_schema()
    assert output_format(json_schema) == {
        "type": "json_schema",
        "schema": transform_schema(json_schema),
    }


def test_json_schema_method_sends_output_config() -> None:
    wire = Wire()
    llm = ChatYEScaleAnthropic(api_key="k", http_client=wire.client())
    from langchain_core.exceptions import OutputParserException

    with pytest.raises(OutputParserException):  # "Hi" is not JSON: the parser refuses it
        llm.with_structured_output(Address, method="json_schema").invoke("Hi")
    sent = wire.bodies[0]["output_config"]["format"]
    assert sent["type"] == "json_schema"
    assert sent["schema"]["additionalProperties"] is False
    assert "tools" not in wire.bodies[0]


def test_json_mode_is_refused_with_what_to_use() -> None:
    llm = ChatYEScaleAnthropic(api_key="k")
    with pytest.raises(ValueError, match="json_schema"):
        llm.with_structured_output(Address, method="json_mode")


# -- LlamaIndex: Claude's server-tool blocks ------------------------------------------------------


def test_llamaindex_keeps_web_search_blocks_without_showing_them() -> None:
    from llama_index.core.base.llms.types import TextBlock

    from llama_index_yescale.llms._outputs import output_blocks

    blocks = [
        {"type": "text", "text": "Let me search."},
        {
            "type": "server_tool_call",
            "id": "srvtoolu_1",
            "name": "web_search",
            "args": {"query": "Euro 2024"},
            "extras": {"block_type": "server_tool_use"},
        },
        {
            "type": "server_tool_result",
            "tool_call_id": "srvtoolu_1",
            "status": "success",
            "output": [{"url": "https://www.uefa.com/"}],
            "extras": {"block_type": "web_search_tool_result"},
        },
        {"type": "text", "text": "Spain won."},
    ]
    shown, kept, plain = output_blocks(blocks, 0)
    assert plain == {0, 1}
    assert [type(b) for b in shown] == [TextBlock, TextBlock]
    assert [b.text for b in shown] == ["Let me search.", "Spain won."]
    assert [b["type"] for b in kept] == [b["type"] for b in blocks]


def test_llamaindex_still_shows_gemini_code_as_fenced_code() -> None:
    from llama_index_yescale.llms._outputs import output_blocks

    blocks = [
        {"type": "server_tool_call", "id": "c1", "name": "code_interpreter", "args": {"code": "1"}},
        {"type": "server_tool_result", "tool_call_id": "c1", "status": "success", "output": "1"},
    ]
    shown, _, plain = output_blocks(blocks, 0)
    assert plain == set()
    assert [b.text for b in shown] == ["```\n1\n```", "```output\n1\n```"]


def test_llamaindex_server_tools_field_is_sent_with_every_request() -> None:
    from llama_index.core.base.llms.types import ChatMessage

    wire = Wire()
    llm = YEScaleAnthropic(api_key="k", http_client=wire.client(), server_tools=[WEB_SEARCH])
    llm.chat([ChatMessage(role="user", content="Hi")])
    assert wire.bodies[0]["tools"] == [WEB_SEARCH]


def test_llamaindex_citation_spans_index_the_message_content() -> None:
    """Claude's answer text comes in several blocks; ChatMessage.content joins them with
    newlines, so the citation's span is shifted to index that text."""
    from llama_index.core.base.llms.types import CitationBlock

    from llama_index_yescale.llms._convert import assistant_message

    outputs = [
        {"type": "text", "text": "Let me search."},
        {"type": "server_tool_call", "id": "s1", "name": "web_search", "args": {}},
        {"type": "text", "text": "Spain won."},
    ]
    cited = {"url": "https://www.uefa.com/", "title": "UEFA", "start_index": 14, "end_index": 24}
    message = assistant_message(
        content="Let me search.Spain won.",
        reasoning=None,
        calls=[],
        extras={},
        outputs=outputs,
        annotations=[{"type": "url_citation", "url_citation": cited}],
    )
    citation = next(b for b in message.blocks if isinstance(b, CitationBlock))
    where = citation.additional_location_info
    assert message.content is not None
    assert message.content[where["start_char_index"] : where["end_char_index"]] == "Spain won."
    assert citation.cited_content.text == "Spain won."  # type: ignore[union-attr]
