"""client.responses.chat streams (OpenAI-format chunks over /v1/responses) against a hostile wire.

A local fault server (127.0.0.1) sends Responses events that go wrong part way: an ``error``
event or ``response.failed`` after some text, a stream cut before ``response.completed`` (also
right after the message item is done), and events that do not fit. Each ends with the typed
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
from .responses_calls import AT, EARLY, GPT, complete, opening, sse
from .support import chunk_text as text
from .support import client_for, failure_of, finished, in_mode, stream_chat

MODES = ["sync", "async"]
PROMPT = [{"role": "user", "content": "Hi"}]


def run_stream(mode: str, client: YEScaleClient, got: list[ChatCompletionChunk]) -> None:
    stream_chat(mode, client, "responses", got, model=GPT, messages=PROMPT)


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
    busy = sse({"type": "error", "code": "server_error", "message": "Busy", "param": None})
    fault_server.script(sse_complete([*opening("Hel"), busy, *complete("Hel")[-1:]]))
    got: list[ChatCompletionChunk] = []
    error = raised(mode, fault_server, got)
    assert type(error) is InternalServerError, repr(error)
    assert "Busy" in str(error)
    assert text(got) == "Hel"  # what came before the error, and no finish
    assert not finished(got)
    assert fault_server.count == 1  # output had begun: not retried


@pytest.mark.parametrize("mode", MODES)
def test_a_failed_response_mid_stream_is_its_error(fault_server: FaultServer, mode: str) -> None:
    failed = {**EARLY, "status": "failed", "error": {"code": "invalid_prompt", "message": "No"}}
    fault_server.script(
        sse_complete([*opening("Hel"), sse({"type": "response.failed", "response": failed})])
    )
    got: list[ChatCompletionChunk] = []
    error = raised(mode, fault_server, got)
    assert "No" in str(error)
    assert not finished(got)


@pytest.mark.parametrize("mode", MODES)
def test_an_error_first_is_the_typed_error(fault_server: FaultServer, mode: str) -> None:
    refused = {"error": {"message": "Not for you", "type": "permission_error", "code": None}}
    fault_server.script(reply_json(403, refused))
    got: list[ChatCompletionChunk] = []
    error = raised(mode, fault_server, got)
    assert type(error) is PermissionDeniedError, repr(error)
    assert got == []


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("kept", [4, 5, 7], ids=["mid-text", "after-deltas", "after-item-done"])
def test_a_cut_stream_is_incomplete_and_never_finished(
    fault_server: FaultServer, mode: str, kept: int
) -> None:
    events = complete("Hel", "lo!")  # created, in_progress, item, part, 2 deltas, done x3, end
    fault_server.script(sse_then_cut(events[: kept + 1]))
    got: list[ChatCompletionChunk] = []
    error = raised(mode, fault_server, got)
    assert isinstance(error, IncompleteStreamError), repr(error)
    assert not finished(got)


@pytest.mark.parametrize("mode", MODES)
def test_a_delta_for_an_item_never_added_is_invalid(fault_server: FaultServer, mode: str) -> None:
    events = complete("Hi")
    stray = sse({"type": "response.output_text.delta", **AT, "output_index": 3, "delta": "x"})
    fault_server.script(sse_complete([*events[:4], stray, *events[4:]]))
    got: list[ChatCompletionChunk] = []
    error = raised(mode, fault_server, got)
    assert isinstance(error, InvalidResponseError), repr(error)
    assert not finished(got)


@pytest.mark.parametrize("mode", MODES)
def test_arguments_for_a_message_are_invalid(fault_server: FaultServer, mode: str) -> None:
    events = complete("Hi")
    wrong = sse({"type": "response.function_call_arguments.delta", **AT, "delta": "{"})
    fault_server.script(sse_complete([*events[:4], wrong, *events[4:]]))
    got: list[ChatCompletionChunk] = []
    error = raised(mode, fault_server, got)
    assert isinstance(error, InvalidResponseError), repr(error)
    assert not finished(got)


@pytest.mark.parametrize("mode", MODES)
def test_an_error_in_a_200_body_is_raised_by_create(fault_server: FaultServer, mode: str) -> None:
    refused = {"error": {"message": "Not for you", "type": "permission_error", "code": None}}
    fault_server.script(reply_json(200, refused))
    client = client_for(fault_server)
    with pytest.raises(PermissionDeniedError, match="Not for you"):
        in_mode(
            mode,
            client,
            lambda c: c.responses.chat.create(model=GPT, messages=PROMPT),
            lambda c: c.aio.responses.chat.create(model=GPT, messages=PROMPT),
        )
