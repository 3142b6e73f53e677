"""No answer to ``/v1/responses`` can hold the caller (issue 19, with issue 14's rules).

Against the fault server (127.0.0.1), and an ``httpx.MockTransport`` for redirects to hosts a
test must never reach: huge bodies, gzip bombs and events refused in bounded memory, trickles
ended at the timeout, redirects never followed with the key, ``Retry-After`` in both forms, and
the key in no error or log. (Errors and events that do not fit: test_responses_hostile_wire.)
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable

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
    YEScaleClient,
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
from .responses_calls import (
    BOTH,
    CREATE,
    RESPONSE,
    STREAM,
    Call,
    call,
    check_clean,
    complete,
    raised,
)
from .support import (
    API_KEY,
    DEEP_NESTING,
    HOSTILE_BODIES,
    AsyncSleeps,
    Sleeps,
    client_for,
    gzip_bomb,
)

MODES = ["sync", "async"]
MiB = 1 << 20


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
    import tracemalloc

    fault_server.script(answer())
    started = time.monotonic()
    tracemalloc.start()
    try:
        error = raised(
            lambda: call(mode, client_for(fault_server, max_response_bytes=CAP), endpoint)
        )
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert isinstance(error, ResponseTooLargeError), repr(error)
    assert "max_response_bytes" in str(error)
    assert error.limit == CAP
    assert fault_server.count == 1
    assert time.monotonic() - started < MAX_STALL
    assert peak < 32 * MiB, f"peak {peak / MiB:.1f} MiB"  # never the 128 MiB


T = 0.5
SLOW = json.dumps(RESPONSE).encode() + b" " * 1000


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
    [(200, InvalidResponseError), (400, BadRequestError), (503, InternalServerError)],
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
        b"event: response.output_text.delta\ndata: " + DEEP_NESTING + b"\n\n",
        InvalidResponseError,
        id="deep-event",
    ),
    pytest.param(
        b"event: error\ndata: " + DEEP_NESTING + b"\n\n", InternalServerError, id="deep-error"
    ),
    pytest.param(
        b"event: response.created\ndata: \xff\xfe\xc3\x28\n\n",
        InvalidResponseError,
        id="invalid-utf8",
    ),
    pytest.param(
        b'event: response.output_text.delta\ndata: {"type": "response.output_text.delta", '
        b'"output_index": ' + b"9" * 10_000 + b"}\n\n",
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
        return httpx.Response(
            status, headers={"Location": "https://elsewhere.example/v1/responses"}
        )

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
    ("headers", "wait"),
    [
        ({"Retry-After": "3"}, 3.0),
        ({"retry-after-ms": "250"}, 0.25),
        ({"Retry-After": "Wed, 21 Oct 2015 07:28:00 GMT"}, 0.0),
    ],
    ids=["seconds", "ms", "http-date-past"],
)
def test_retry_after_is_honoured(
    fault_server: FaultServer, endpoint: str, headers: dict[str, str], wait: float, mode: str
) -> None:
    limited = {
        "error": {
            "message": "Rate limit reached",
            "type": "requests",
            "code": "rate_limit_exceeded",
        }
    }
    good = reply_json(200, RESPONSE) if endpoint == "create" else sse_complete(complete("Hello!"))
    fault_server.script(reply_json(429, limited, headers), good)
    sleeps, asleeps = Sleeps(), AsyncSleeps()
    client = client_for(fault_server, max_retries=2, sleep=sleeps, async_sleep=asleeps)
    assert call(mode, client, BOTH[endpoint]).output_text == "Hello!"
    waits = sleeps if mode == "sync" else asleeps
    assert len(waits) == 1
    # the wait asked for, plus at most a quarter more (the jitter on Retry-After)
    assert wait <= waits[0] <= wait * 1.25 + 1e-9 if wait else waits[0] >= 0
    assert fault_server.count == 2


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("endpoint", list(BOTH))
def test_the_key_is_in_no_error_or_log(
    fault_server: FaultServer, endpoint: str, mode: str, caplog: pytest.LogCaptureFixture
) -> None:
    echo = {
        "error": {
            "message": f"Incorrect API key provided: Bearer {API_KEY}",
            "type": "invalid_request_error",
            "code": "invalid_api_key",
        }
    }
    fault_server.script(reply_json(401, echo))
    with caplog.at_level(logging.DEBUG):
        client = client_for(fault_server, max_retries=2)
        error = raised(lambda: call(mode, client, BOTH[endpoint]))
        assert API_KEY not in repr(client)
    assert type(error) is AuthenticationError, repr(error)
    check_clean(error)
    assert API_KEY not in caplog.text
    seen = fault_server.seen[0].headers
    assert seen["authorization"] == f"Bearer {API_KEY}"
    assert fault_server.count == 1
