"""No answer to ``/v1/responses`` can hurt the caller (issue 19, with issue 14's rules).

Against the fault server (127.0.0.1), and an ``httpx.MockTransport`` for redirects to hosts a
test must never reach: error objects and ``status: "failed"`` inside 2xx bodies, ``error`` and
``response.failed`` events, streams cut or ended without their terminator, events that do not
fit, huge bodies and events (bounded memory), trickles (bounded time), hostile JSON, redirects
(never followed with the key), ``Retry-After``, and the key in no error or log.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from yescale import (
    AuthenticationError,
    BadRequestError,
    IncompleteStreamError,
    InternalServerError,
    InvalidResponseError,
    NotFoundError,
    RateLimitError,
    YEScaleError,
)

from .conftest import (
    FaultServer,
    Step,
    reply_json,
    sse_complete,
    sse_then_cut,
)
from .responses_calls import (
    AT,
    BOTH,
    CREATE,
    EARLY,
    MESSAGE,
    PATH,
    RESPONSE,
    STREAM,
    call,
    check_clean,
    complete,
    opening,
    raised,
    sse,
)
from .support import (
    INVALID_TOKEN,
    client_for,
)

MODES = ["sync", "async"]
MiB = 1 << 20


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("endpoint", list(BOTH))
def test_a_good_answer_is_read(fault_server: FaultServer, endpoint: str, mode: str) -> None:
    good = (
        reply_json(200, RESPONSE) if endpoint == "create" else sse_complete(complete("Hel", "lo!"))
    )
    fault_server.script(good)
    result = call(mode, client_for(fault_server), BOTH[endpoint])
    assert result.output_text == "Hello!"
    assert result.usage.output_tokens == 2
    assert fault_server.seen[0].path == PATH


# -- errors in 2xx answers and streams ----------------------------------------------------------

NO_MODEL = {
    "error": {
        "message": "The model `gpt-x` does not exist",
        "type": "invalid_request_error",
        "code": "model_not_found",
    }
}


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize(
    ("body", "expected", "said"),
    [(INVALID_TOKEN, AuthenticationError, "Invalid token"), (NO_MODEL, NotFoundError, "gpt-x")],
    ids=["gateway", "openai"],
)
def test_an_error_in_a_200_body_is_raised(
    fault_server: FaultServer, body: Any, expected: type, said: str, mode: str
) -> None:
    fault_server.script(reply_json(200, body))
    error = raised(lambda: call(mode, client_for(fault_server, max_retries=2), CREATE))
    assert type(error) is expected, repr(error)
    assert said in str(error)
    assert fault_server.count == 1
    check_clean(error)


FAILED = [
    pytest.param(
        {"code": "server_error", "message": "The model failed"},
        InternalServerError,
        "The model failed",
        id="server-error",
    ),
    pytest.param(
        {"code": "rate_limit_exceeded", "message": "Slow down"},
        RateLimitError,
        "Slow down",
        id="rate-limit",
    ),
    pytest.param(
        {"code": "invalid_prompt", "message": "Prompt refused"},
        BadRequestError,
        "Prompt refused",
        id="invalid-prompt",
    ),
    pytest.param(None, InternalServerError, "failed without saying why", id="no-error"),
]


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize(("error", "expected", "said"), FAILED)
def test_a_failed_response_in_a_200_body_is_its_error(
    fault_server: FaultServer, error: Any, expected: type, said: str, mode: str
) -> None:
    fault_server.script(reply_json(200, {**RESPONSE, "status": "failed", "error": error}))
    raised_error = raised(lambda: call(mode, client_for(fault_server), CREATE))
    assert type(raised_error) is expected, repr(raised_error)
    assert said in str(raised_error)
    assert isinstance(raised_error, YEScaleError)
    assert raised_error.status_code is None
    check_clean(raised_error)


@pytest.mark.parametrize("mode", MODES)
def test_a_failed_response_is_retried_as_its_error_says(
    fault_server: FaultServer, mode: str
) -> None:
    failed = {**RESPONSE, "status": "failed", "error": {"code": "server_error", "message": "x"}}
    fault_server.script(reply_json(200, failed), reply_json(200, RESPONSE))
    assert call(mode, client_for(fault_server, max_retries=2), CREATE).output_text == "Hello!"
    assert fault_server.count == 2


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize(("error", "expected", "said"), FAILED)
def test_a_response_failed_event_mid_stream_is_its_error(
    fault_server: FaultServer, error: Any, expected: type, said: str, mode: str
) -> None:
    failed = sse(
        {"type": "response.failed", "response": {**EARLY, "status": "failed", "error": error}}
    )
    fault_server.script(sse_complete([*opening("Hel"), failed]))
    raised_error = raised(lambda: call(mode, client_for(fault_server, max_retries=2), STREAM))
    assert type(raised_error) is expected, repr(raised_error)
    assert said in str(raised_error)
    assert "openai responses stream" in str(raised_error).lower()
    assert fault_server.count == 1  # output had begun: not retried
    check_clean(raised_error)


@pytest.mark.parametrize("mode", MODES)
def test_an_error_event_mid_stream_ends_it_without_a_response(
    fault_server: FaultServer, mode: str
) -> None:
    event = sse(
        {
            "type": "error",
            "code": "rate_limit_exceeded",
            "message": "Slow down",
            "param": None,
            "sequence_number": 5,
        }
    )
    fault_server.script(sse_complete([*opening("Hel"), event, *complete()[5:]]))
    error = raised(lambda: call(mode, client_for(fault_server, max_retries=2), STREAM))
    assert type(error) is RateLimitError, repr(error)
    assert error.code == "rate_limit_exceeded"
    assert error.status_code is None
    assert "Slow down" in str(error)
    assert fault_server.count == 1


@pytest.mark.parametrize("mode", MODES)
def test_an_error_event_first_is_retried(fault_server: FaultServer, mode: str) -> None:
    event = sse({"type": "error", "code": "server_error", "message": "Busy", "param": None})
    fault_server.script(sse_complete([event]), sse_complete(complete("Hello!")))
    assert call(mode, client_for(fault_server, max_retries=2), STREAM).output_text == "Hello!"
    assert fault_server.count == 2


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize(
    "answer",
    [
        pytest.param(lambda: sse_then_cut(opening("Hel", "lo")), id="cut"),
        pytest.param(lambda: sse_complete(complete("Hello!")[:-1]), id="no-terminator"),
    ],
)
def test_a_stream_without_its_terminator_is_incomplete(
    fault_server: FaultServer, answer: Callable[[], Step], mode: str
) -> None:
    fault_server.script(answer())
    error = raised(lambda: call(mode, client_for(fault_server, max_retries=2), STREAM))
    assert type(error) is IncompleteStreamError, repr(error)
    assert fault_server.count == 1
    check_clean(error)


MISFITS = [
    pytest.param(
        [sse({"type": "response.output_text.delta", **AT, "output_index": 1, "delta": "x"})],
        "not open",
        id="no-item",
    ),
    pytest.param(
        [sse({"type": "response.output_item.added", "output_index": 3, "item": MESSAGE})],
        "added where item 1 was due",
        id="out-of-order",
    ),
    pytest.param(
        [sse({"type": "response.function_call_arguments.delta", **AT, "delta": "{"})],
        "a message",
        id="wrong-kind",
    ),
    pytest.param(
        [sse({"type": "response.output_text.done", **AT, "text": "Goodbye"})],
        "not what its deltas built",
        id="done-disagrees",
    ),
    pytest.param(
        [sse({"type": "response.completed", "response": RESPONSE})],
        "before output item 0 was done",
        id="early-end",
    ),
]


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize(("extra", "said"), MISFITS)
def test_events_that_do_not_fit_are_refused(
    fault_server: FaultServer, extra: list[bytes], said: str, mode: str
) -> None:
    fault_server.script(sse_complete([*opening("Hel"), *extra, *complete("Hel")[5:]]))
    error = raised(lambda: call(mode, client_for(fault_server), STREAM))
    assert type(error) is InvalidResponseError, repr(error)
    assert said in str(error)


NOT_A_RESPONSE = [
    pytest.param(
        {"id": "resp_1", "object": "response", "status": "completed"}, "no output", id="no-output"
    ),
    pytest.param(
        {"object": "chat.completion", "choices": [{"message": {"content": "Hi"}}]},
        "'chat.completion'",
        id="chat-completion",
    ),
    pytest.param({**RESPONSE, "output": "Hello!"}, "not a Response", id="output-string"),
]


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize(("body", "said"), NOT_A_RESPONSE)
def test_an_answer_that_is_not_a_response_is_invalid(
    fault_server: FaultServer, body: Any, said: str, mode: str
) -> None:
    fault_server.script(reply_json(200, body))
    error = raised(lambda: call(mode, client_for(fault_server), CREATE))
    assert type(error) is InvalidResponseError, repr(error)
    assert said in str(error)
