"""The Messages wire models and the event decoder, without a server: typed blocks and events
that keep unknown fields, pings kept back, error events raised as the mapped errors, and
Anthropic's error bodies mapped to the typed errors (the accumulator: test_messages_accumulator)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from yescale import (
    AuthenticationError,
    BadRequestError,
    IncompleteStreamError,
    InsufficientQuotaError,
    InternalServerError,
    InvalidResponseError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitError,
)
from yescale._http.sse import ServerSentEvent
from yescale._message_stream import MessageStreamDecoder
from yescale.costs.meter import messages_usage
from yescale.errors import error_from_payload, error_from_response
from yescale.types.message_events import (
    ContentBlockDeltaEvent,
    UnknownDelta,
    UnknownEvent,
)
from yescale.types.messages import (
    Message,
    RedactedThinkingBlock,
    ServerToolUseBlock,
    TextBlock,
    ThinkingBlock,
    ToolUseBlock,
    UnknownBlock,
    WebSearchToolResultBlock,
)

MODEL = "claude-sonnet-4-5"
KEY = "sk-unit-messages-0123456789abcdef"
HI = [{"role": "user", "content": "Hi"}]

ANSWER: dict[str, Any] = {
    "id": "msg_01",
    "type": "message",
    "role": "assistant",
    "model": MODEL,
    "content": [
        {"type": "thinking", "thinking": "Hmm.", "signature": "c2ln"},
        {"type": "redacted_thinking", "data": "ZW5j"},
        {"type": "text", "text": "Spain.", "citations": [{"type": "web_search_result_location"}]},
        {"type": "tool_use", "id": "toolu_1", "name": "f", "input": {"a": 1}},
        {"type": "server_tool_use", "id": "srv_1", "name": "web_search", "input": {"query": "q"}},
        {"type": "web_search_tool_result", "tool_use_id": "srv_1", "content": []},
        {"type": "mcp_tool_use", "id": "m1", "server_name": "s", "name": "t", "input": {}},
    ],
    "stop_reason": "tool_use",
    "stop_sequence": None,
    "usage": {
        "input_tokens": 10,
        "output_tokens": 20,
        "cache_creation_input_tokens": 100,
        "cache_read_input_tokens": 1000,
        "server_tool_use": {"web_search_requests": 1},
        "new_counter": 3,
    },
    "container": {"id": "c1"},
}


def test_a_message_types_every_block_and_keeps_unknown_ones() -> None:
    message = Message.model_validate(ANSWER)
    kinds = [type(b) for b in message.content]
    assert kinds == [
        ThinkingBlock,
        RedactedThinkingBlock,
        TextBlock,
        ToolUseBlock,
        ServerToolUseBlock,
        WebSearchToolResultBlock,
        UnknownBlock,
    ]
    assert message.text == "Spain."
    assert message.tool_uses[0].input == {"a": 1}
    assert message.usage is not None
    assert message.usage.prompt_tokens == 1110
    assert message.usage.server_tool_use is not None
    assert message.usage.server_tool_use.web_search_requests == 1
    assert message.model_extra == {"container": {"id": "c1"}}
    # the assistant turn of the next request: every block exactly as it came
    assert message.to_param() == {"role": "assistant", "content": ANSWER["content"]}


def test_cached_tokens_are_counted_as_input() -> None:
    usage = messages_usage(Message.model_validate(ANSWER))
    assert (usage.input_tokens, usage.output_tokens) == (1110, 20)
    assert not messages_usage(Message(content=[])).counted


# -- the decoder --------------------------------------------------------------------------------


def sse(event: dict[str, Any] | str, name: str | None = None) -> ServerSentEvent:
    data = event if isinstance(event, str) else json.dumps(event)
    kind = name or (event.get("type", "message") if isinstance(event, dict) else "message")
    return ServerSentEvent(data=data, event=kind)


def test_the_decoder_types_events_and_keeps_pings_back() -> None:
    decoder = MessageStreamDecoder()
    assert decoder.feed(sse({"type": "ping"})) is None
    event = decoder.feed(
        sse(
            {
                "type": "content_block_delta",
                "index": 0,
                "delta": {"type": "text_delta", "text": "Hi"},
            }
        )
    )
    assert isinstance(event, ContentBlockDeltaEvent)
    new = decoder.feed(
        sse({"type": "content_block_delta", "index": 0, "delta": {"type": "fancy_delta", "x": 1}})
    )
    assert isinstance(new, ContentBlockDeltaEvent)
    assert isinstance(new.delta, UnknownDelta)
    assert isinstance(decoder.feed(sse({"type": "brand_new_event", "x": 1})), UnknownEvent)
    with pytest.raises(IncompleteStreamError, match=r"without its terminator \(message_stop\)"):
        decoder.finish()
    assert decoder.feed(sse({"type": "message_stop"})) is not None
    decoder.finish()
    assert decoder.feed(sse({"type": "content_block_stop", "index": 0})) is None  # after the end


OVERLOADED = {"type": "error", "error": {"type": "overloaded_error", "message": "Overloaded"}}


@pytest.mark.parametrize(
    ("event", "expected"),
    [
        (sse(OVERLOADED), InternalServerError),
        (sse(OVERLOADED, name="message"), InternalServerError),  # known by its type alone
        (
            sse({"type": "error", "error": {"type": "rate_limit_error", "message": "slow"}}),
            RateLimitError,
        ),
        (
            sse({"type": "error", "error": {"type": "request_too_large", "message": "big"}}),
            BadRequestError,
        ),
        (
            sse({"error": {"message": "Invalid token", "code": "invalid_token"}}, "message"),
            AuthenticationError,
        ),
        (sse("upstream went away", "error"), InternalServerError),
    ],
)
def test_an_error_event_is_the_mapped_error(event: ServerSentEvent, expected: type) -> None:
    with pytest.raises(expected) as caught:
        MessageStreamDecoder().feed(event)
    assert type(caught.value) is expected
    assert caught.value.status_code is None  # the stream's own error: no status made up


def test_overloaded_is_retryable_and_says_so() -> None:
    from yescale import RetryPolicy

    with pytest.raises(InternalServerError) as caught:
        MessageStreamDecoder().feed(sse(OVERLOADED))
    assert RetryPolicy().is_retryable(caught.value)
    assert "overloaded_error" in str(caught.value)
    assert "Overloaded" in str(caught.value)


@pytest.mark.parametrize(
    "data", ['{"type": "content_block_delta", "index": "x"}', "not json", "[" * 5000]
)
def test_a_malformed_event_is_an_invalid_response(data: str) -> None:
    with pytest.raises(InvalidResponseError) as caught:
        MessageStreamDecoder([KEY]).feed(sse(data, "message"))
    assert len(str(caught.value)) < 600


def test_a_key_in_an_event_is_scrubbed() -> None:
    leaked = {"type": "error", "error": {"type": "api_error", "message": f"bad key {KEY}"}}
    with pytest.raises(InternalServerError) as caught:
        MessageStreamDecoder([KEY]).feed(sse(leaked))
    assert KEY not in str(caught.value)
    assert KEY not in repr(caught.value.body)


# -- Anthropic's error bodies as HTTP errors ----------------------------------------------------


@pytest.mark.parametrize(
    ("status", "kind", "expected"),
    [
        (400, "invalid_request_error", BadRequestError),
        (401, "authentication_error", AuthenticationError),
        (402, "billing_error", InsufficientQuotaError),
        (403, "permission_error", PermissionDeniedError),
        (404, "not_found_error", NotFoundError),
        (413, "request_too_large", BadRequestError),
        (429, "rate_limit_error", RateLimitError),
        (500, "api_error", InternalServerError),
        (529, "overloaded_error", InternalServerError),
    ],
)
def test_anthropic_error_bodies_map_to_the_typed_errors(
    status: int, kind: str, expected: type
) -> None:
    body = {"type": "error", "error": {"type": kind, "message": "said"}, "request_id": "req_1"}
    error = error_from_response(
        status, {"content-type": "application/json"}, json.dumps(body).encode(), what="x"
    )
    assert type(error) is expected
    assert error.error_type == kind
    assert "said" in str(error)
    event = error_from_payload(body)
    assert type(event) is expected
