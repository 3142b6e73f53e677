"""client.messages.chat streams (OpenAI-format chunks over /v1/messages) against a hostile wire.

A local fault server (127.0.0.1) sends Anthropic events that go wrong part way: an ``error``
event after some text, a stream cut before ``message_stop`` (also right after the
``message_delta`` that says why it stopped), and events that do not fit. Each ends with the typed
error, and no chunk handed out before it says the answer finished: nothing incomplete passes for
a complete answer.
"""

from __future__ import annotations

import pytest

from yescale import (
    IncompleteStreamError,
    InternalServerError,
    InvalidResponseError,
    PermissionDeniedError,
    YEScaleClient,
)
from yescale.types.chat import ChatCompletionChunk

from .conftest import FaultServer, reply_json, sse_complete, sse_then_cut
from .messages_calls import CLAUDE, END, PROMPT, complete, opening, sse
from .support import chunk_text as text
from .support import client_for, failure_of, finished, in_mode, stream_chat

MODES = ["sync", "async"]


def run_stream(mode: str, client: YEScaleClient, got: list[ChatCompletionChunk]) -> None:
    stream_chat(mode, client, "messages", got, model=CLAUDE, messages=PROMPT, max_tokens=64)


def raised(mode: str, server: FaultServer, got: list[ChatCompletionChunk]) -> BaseException:
    return failure_of(lambda: run_stream(mode, client_for(server, max_retries=2), got))


@pytest.mark.parametrize("mode", MODES)
def test_a_whole_stream_finishes_once(fault_server: FaultServer, mode: str) -> None:
    fault_server.script(sse_complete(complete("Hel", "lo!")))
    got: list[ChatCompletionChunk] = []
    run_stream(mode, client_for(fault_server), got)
    assert text(got) == "Hello!"
    assert [c.choices[0].finish_reason for c in got if c.choices[0].finish_reason] == ["stop"]
    assert [c.usage.completion_tokens for c in got if c.usage is not None] == [2]


@pytest.mark.parametrize("mode", MODES)
def test_an_error_event_mid_stream_is_the_typed_error(fault_server: FaultServer, mode: str) -> None:
    overloaded = sse({"type": "error", "error": {"type": "overloaded_error", "message": "Busy"}})
    fault_server.script(sse_complete([*opening("Hel"), overloaded, *END]))
    got: list[ChatCompletionChunk] = []
    error = raised(mode, fault_server, got)
    assert type(error) is InternalServerError, repr(error)
    assert "Busy" in str(error)
    assert text(got) == "Hel"  # what came before the error, and no finish
    assert not finished(got)
    assert fault_server.count == 1  # output had begun: not retried


@pytest.mark.parametrize("mode", MODES)
def test_an_error_event_first_is_the_typed_error(fault_server: FaultServer, mode: str) -> None:
    refused = {"type": "error", "error": {"type": "permission_error", "message": "Not for you"}}
    fault_server.script(sse_complete([sse(refused)]))
    got: list[ChatCompletionChunk] = []
    error = raised(mode, fault_server, got)
    assert type(error) is PermissionDeniedError, repr(error)
    assert got == []


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize(
    "kept", [2, 3, 4], ids=["mid-text", "after-block-stop", "after-message-delta"]
)
def test_a_cut_stream_is_incomplete_and_never_finished(
    fault_server: FaultServer, mode: str, kept: int
) -> None:
    events = complete("Hel", "lo!")  # start, block start, 2 deltas, block stop, delta, stop
    fault_server.script(sse_then_cut(events[: kept + 2]))
    got: list[ChatCompletionChunk] = []
    error = raised(mode, fault_server, got)
    assert isinstance(error, IncompleteStreamError), repr(error)
    assert not finished(got)


@pytest.mark.parametrize("mode", MODES)
def test_a_delta_for_a_block_never_started_is_invalid(fault_server: FaultServer, mode: str) -> None:
    events = complete("Hi")
    stray = sse(
        {"type": "content_block_delta", "index": 3, "delta": {"type": "text_delta", "text": "x"}}
    )
    fault_server.script(sse_complete([*events[:3], stray, *events[3:]]))
    got: list[ChatCompletionChunk] = []
    error = raised(mode, fault_server, got)
    assert isinstance(error, InvalidResponseError), repr(error)
    assert not finished(got)


@pytest.mark.parametrize("mode", MODES)
def test_broken_tool_input_is_invalid(fault_server: FaultServer, mode: str) -> None:
    tool = {"type": "tool_use", "id": "toolu_1", "name": "f", "input": {}}
    piece = {"type": "input_json_delta", "partial_json": '{"city": "Par'}
    events = [
        complete()[0],
        sse({"type": "content_block_start", "index": 0, "content_block": tool}),
        sse({"type": "content_block_delta", "index": 0, "delta": piece}),
        *END,
    ]
    fault_server.script(sse_complete(events))
    got: list[ChatCompletionChunk] = []
    error = raised(mode, fault_server, got)
    assert isinstance(error, InvalidResponseError), repr(error)
    assert "not a JSON object" in str(error)
    assert not finished(got)


@pytest.mark.parametrize("mode", MODES)
def test_an_error_in_a_200_body_is_raised_by_create(fault_server: FaultServer, mode: str) -> None:
    refused = {"type": "error", "error": {"type": "permission_error", "message": "Not for you"}}
    fault_server.script(reply_json(200, refused))
    client = client_for(fault_server)
    with pytest.raises(PermissionDeniedError, match="Not for you"):
        in_mode(
            mode,
            client,
            lambda c: c.messages.chat.create(model=CLAUDE, messages=PROMPT, max_tokens=64),
            lambda c: c.aio.messages.chat.create(model=CLAUDE, messages=PROMPT, max_tokens=64),
        )
