"""No answer to ``/v1/messages`` can hurt the caller (issue 18, with issue 14's rules).

Against the fault server (127.0.0.1), and an ``httpx.MockTransport`` for redirects to hosts a
test must never reach: errors in Anthropic's format inside 2xx bodies and streams, answers that
are not messages, huge bodies and events (bounded memory), trickles (bounded time), hostile JSON,
redirects (never followed with the key), ``Retry-After``, and the key in no error or log.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from yescale import (
    APIStatusError,
    APITimeoutError,
    AuthenticationError,
    BadRequestError,
    IncompleteStreamError,
    InternalServerError,
    InvalidResponseError,
    PermissionDeniedError,
    YEScaleClient,
    YEScaleError,
)
from yescale.errors import ResponseTooLargeError

from .conftest import (
    MAX_STALL,
    FaultServer,
    Step,
    huge_body,
    reply,
    reply_json,
    sse_complete,
    sse_huge_line,
    trickle,
)
from .messages_calls import (
    CLAUDE,
    MESSAGE,
    PROMPT,
    complete,
    opening,
    sse,
)
from .support import (
    API_KEY,
    DEEP_NESTING,
    HOSTILE_BODIES,
    INVALID_TOKEN,
    AsyncSleeps,
    Sleeps,
    client_for,
    gzip_bomb,
    in_mode,
)

MODES = ["sync", "async"]
MiB = 1 << 20


async def _final(stream: Any) -> Any:
    return await stream.get_final_message()


Call = tuple[Callable[[YEScaleClient], Any], Callable[[YEScaleClient], Any]]
CREATE: Call = (
    lambda c: c.messages.create(model=CLAUDE, max_tokens=64, messages=PROMPT),
    lambda c: c.aio.messages.create(model=CLAUDE, max_tokens=64, messages=PROMPT),
)
STREAM: Call = (
    lambda c: c.messages.stream(model=CLAUDE, max_tokens=64, messages=PROMPT).get_final_message(),
    lambda c: _final(c.aio.messages.stream(model=CLAUDE, max_tokens=64, messages=PROMPT)),
)
BOTH = {"create": CREATE, "stream": STREAM}


def call(mode: str, client: YEScaleClient, endpoint: Call) -> Any:
    return in_mode(mode, client, *endpoint)


def raised(run: Callable[[], Any]) -> BaseException | None:
    try:
        run()
    except Exception as exc:
        return exc
    return None


def check_clean(error: BaseException | None) -> None:
    assert isinstance(error, YEScaleError), repr(error)
    for text in (str(error), repr(error), json.dumps(error.body, default=str)):
        assert API_KEY not in text
    assert len(str(error)) < 2000


# -- errors in 2xx answers and streams ----------------------------------------------------------

PERMISSION = {"type": "error", "error": {"type": "permission_error", "message": "Not for you"}}


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize(
    ("body", "expected", "said"),
    [
        (PERMISSION, PermissionDeniedError, "Not for you"),
        (INVALID_TOKEN, AuthenticationError, "Invalid token"),
    ],
    ids=["anthropic", "gateway"],
)
def test_an_error_in_a_200_body_is_raised(
    fault_server: FaultServer, body: Any, expected: type, said: str, mode: str
) -> None:
    fault_server.script(reply_json(200, body))
    error = raised(lambda: call(mode, client_for(fault_server, max_retries=2), CREATE))
    assert type(error) is expected, repr(error)
    assert said in str(error)
    assert "HTTP 200" not in str(error)
    assert fault_server.count == 1
    check_clean(error)


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize(
    ("body", "expected", "said"),
    [
        (PERMISSION, PermissionDeniedError, "Not for you"),
        (INVALID_TOKEN, AuthenticationError, "Invalid token"),
    ],
    ids=["anthropic", "gateway"],
)
def test_an_error_event_first_in_a_stream_is_the_typed_error(
    fault_server: FaultServer, body: Any, expected: type, said: str, mode: str
) -> None:
    event = f"event: error\ndata: {json.dumps(body)}\n\n".encode()
    fault_server.script(sse_complete([event]))
    error = raised(lambda: call(mode, client_for(fault_server, max_retries=2), STREAM))
    assert type(error) is expected, repr(error)
    assert said in str(error)
    assert "claude message stream" in str(error).lower()
    assert fault_server.count == 1  # refusals are not retried


@pytest.mark.parametrize("mode", MODES)
def test_an_error_event_mid_stream_ends_it_without_a_message(
    fault_server: FaultServer, mode: str
) -> None:
    overloaded = sse({"type": "error", "error": {"type": "overloaded_error", "message": "Busy"}})
    fault_server.script(sse_complete([*opening("Hel"), overloaded, *complete()[2:]]))
    error = raised(lambda: call(mode, client_for(fault_server, max_retries=2), STREAM))
    assert type(error) is InternalServerError, repr(error)
    assert error.error_type == "overloaded_error"
    assert error.status_code is None
    assert fault_server.count == 1  # output had begun: not retried


NOT_A_MESSAGE = [
    pytest.param({"id": "msg_1", "type": "message", "role": "assistant"}, "no content", id="none"),
    pytest.param(
        {"id": "c", "object": "chat.completion", "choices": [{"message": {"content": "Hi"}}]},
        "no content",
        id="chat-completion",
    ),
    pytest.param({"type": "completion", "content": []}, "type 'completion'", id="other-type"),
    pytest.param({"type": "message", "content": "Hi"}, "not a Message", id="content-string"),
]


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize(("body", "names"), NOT_A_MESSAGE)
def test_an_answer_that_is_not_a_message_is_invalid(
    fault_server: FaultServer, body: Any, names: str, mode: str
) -> None:
    fault_server.script(reply_json(200, body))
    error = raised(lambda: call(mode, client_for(fault_server), CREATE))
    assert type(error) is InvalidResponseError, repr(error)
    assert names in str(error)


@pytest.mark.parametrize("mode", MODES)
def test_a_stream_ending_with_broken_tool_input_is_invalid(
    fault_server: FaultServer, mode: str
) -> None:
    tool = {"type": "tool_use", "id": "toolu_1", "name": "f", "input": {}}
    events = [
        complete()[0],
        sse({"type": "content_block_start", "index": 0, "content_block": tool}),
        sse(
            {
                "type": "content_block_delta",
                "index": 0,
                "delta": {"type": "input_json_delta", "partial_json": '{"city": "Par'},
            }
        ),
        *complete()[2:],
    ]
    fault_server.script(sse_complete(events))
    error = raised(lambda: call(mode, client_for(fault_server), STREAM))
    assert type(error) is InvalidResponseError, repr(error)
    assert "not a JSON object" in str(error)


# -- bounded memory and time ---------------------------------------------------------------------

CAP = 1 * MiB
HUGE = 128 * MiB
TOO_LARGE = [
    pytest.param(lambda: huge_body(HUGE), CREATE, id="128MiB-body"),
    pytest.param(
        lambda: reply(
            200, gzip_bomb(HUGE), {"Content-Type": "application/json", "Content-Encoding": "gzip"}
        ),
        CREATE,
        id="gzip-bomb",
    ),
    pytest.param(lambda: sse_huge_line(HUGE), STREAM, id="128MiB-event"),
]


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize(("answer", "endpoint"), TOO_LARGE)
def test_a_huge_answer_is_refused_at_max_response_bytes(
    fault_server: FaultServer, answer: Callable[[], Step], endpoint: Call, mode: str
) -> None:
    fault_server.script(answer())
    started = time.monotonic()
    error = raised(lambda: call(mode, client_for(fault_server, max_response_bytes=CAP), endpoint))
    assert isinstance(error, ResponseTooLargeError), repr(error)
    assert "max_response_bytes" in str(error)
    assert error.limit == CAP
    assert fault_server.count == 1
    assert time.monotonic() - started < MAX_STALL


T = 0.5
SLOW = json.dumps(MESSAGE).encode() + b" " * 1000


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize(
    ("answer", "endpoint"),
    [
        pytest.param(lambda: trickle(SLOW), CREATE, id="trickled-body"),
        pytest.param(
            lambda: trickle(b"".join(complete("Hello")), content_type="text/event-stream"),
            STREAM,
            id="trickled-stream",
        ),
    ],
)
def test_a_trickled_answer_ends_at_the_timeout(
    fault_server: FaultServer, answer: Callable[[], Step], endpoint: Call, mode: str
) -> None:
    fault_server.script(answer())
    started = time.monotonic()
    error = raised(lambda: call(mode, client_for(fault_server, timeout=T), endpoint))
    elapsed = time.monotonic() - started
    assert elapsed < 6 * T, f"took {elapsed:.1f}s"
    assert isinstance(error, (APITimeoutError, IncompleteStreamError)), repr(error)
    assert "timed out" in str(error)
    check_clean(error)


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("kind", list(HOSTILE_BODIES))
@pytest.mark.parametrize(
    ("status", "expected"),
    [(200, InvalidResponseError), (400, BadRequestError), (529, InternalServerError)],
)
def test_a_hostile_body_is_a_bad_answer(
    fault_server: FaultServer, kind: str, status: int, expected: type, mode: str
) -> None:
    fault_server.script(reply(status, HOSTILE_BODIES[kind], {"Content-Type": "application/json"}))
    error = raised(lambda: call(mode, client_for(fault_server), CREATE))
    assert type(error) is expected, repr(error)
    check_clean(error)


HOSTILE_EVENTS = [
    pytest.param(
        b"event: content_block_delta\ndata: " + DEEP_NESTING + b"\n\n",
        InvalidResponseError,
        id="deep-event",
    ),
    pytest.param(
        b"event: error\ndata: " + DEEP_NESTING + b"\n\n", InternalServerError, id="deep-error"
    ),
    pytest.param(
        b"event: message_start\ndata: \xff\xfe\xc3\x28\n\n", InvalidResponseError, id="invalid-utf8"
    ),
    pytest.param(
        b'event: message_delta\ndata: {"type": "message_delta", "usage": {'
        b'"output_tokens": ' + b"9" * 10_000 + b"}}\n\n",
        InvalidResponseError,
        id="giant-number",
    ),
]


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize(("event", "expected"), HOSTILE_EVENTS)
def test_a_hostile_event_is_a_bad_answer(
    fault_server: FaultServer, event: bytes, expected: type, mode: str
) -> None:
    fault_server.script(sse_complete([complete()[0], event, *complete()[1:]]))
    error = raised(lambda: call(mode, client_for(fault_server), STREAM))
    assert type(error) is expected, repr(error)
    check_clean(error)


# -- redirects, Retry-After, the key -------------------------------------------------------------


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("endpoint", list(BOTH))
@pytest.mark.parametrize("status", [301, 302, 307, 308])
def test_a_redirect_is_not_followed_with_the_key(status: int, endpoint: str, mode: str) -> None:
    seen: list[httpx.Request] = []

    def web(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(status, headers={"Location": "https://elsewhere.example/v1/messages"})

    client = YEScaleClient(
        api_key=API_KEY,
        max_retries=2,
        http_client=httpx.Client(transport=httpx.MockTransport(web)),
        async_http_client=httpx.AsyncClient(transport=httpx.MockTransport(web)),
    )
    error = raised(lambda: call(mode, client, BOTH[endpoint]))
    assert type(error) is APIStatusError, repr(error)
    assert "not followed" in str(error)
    assert [r.url.host for r in seen] == ["api.yescale.io"]
    check_clean(error)


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("endpoint", list(BOTH))
@pytest.mark.parametrize(
    ("headers", "wait"), [({"Retry-After": "3"}, 3.0), ({"retry-after-ms": "250"}, 0.25)]
)
def test_retry_after_is_honoured(
    fault_server: FaultServer, endpoint: str, headers: dict[str, str], wait: float, mode: str
) -> None:
    overloaded = {"type": "error", "error": {"type": "overloaded_error", "message": "Overloaded"}}
    good = reply_json(200, MESSAGE) if endpoint == "create" else sse_complete(complete("Hello!"))
    fault_server.script(reply_json(529, overloaded, headers), good)
    sleeps, asleeps = Sleeps(), AsyncSleeps()
    client = client_for(fault_server, max_retries=2, sleep=sleeps, async_sleep=asleeps)
    assert call(mode, client, BOTH[endpoint]).text == "Hello!"
    waits = sleeps if mode == "sync" else asleeps
    assert len(waits) == 1
    assert wait <= waits[0] <= wait * 1.25  # plus at most a quarter (jitter)
    assert fault_server.count == 2


@pytest.mark.parametrize("mode", MODES)
def test_the_key_is_in_no_error_or_log(
    fault_server: FaultServer, mode: str, caplog: pytest.LogCaptureFixture
) -> None:
    echo = {
        "type": "error",
        "error": {"type": "authentication_error", "message": f"bad header: Bearer {API_KEY}"},
    }
    fault_server.script(reply_json(401, echo))
    with caplog.at_level(logging.DEBUG):
        client = client_for(fault_server, max_retries=2)
        error = raised(lambda: call(mode, client, STREAM))
        assert API_KEY not in repr(client)
    assert type(error) is AuthenticationError, repr(error)
    check_clean(error)
    assert API_KEY not in caplog.text
    seen = fault_server.seen[0].headers
    assert seen["authorization"] == f"Bearer {API_KEY}"
    assert seen["anthropic-version"] == "2023-06-01"
    assert "x-api-key" not in seen
