"""The fault matrix for ``client.messages.stream`` (Anthropic's events), sync and async.

``client.messages.create`` is an endpoint of the matrix itself (``claude-messages`` in
``test_fault_matrix.py``). Its stream speaks another dialect than the chat stream the matrix's
stream faults are written in (``event: content_block_delta`` ... ``message_stop``, not ``data:``
chunks and ``[DONE]``), so this runs the matrix's own test on a Messages stream endpoint: every
stream fault that does not depend on the dialect as it is, the others with the same events in
Anthropic's format, and faults of Anthropic's own (a ``ping`` before a cut, an ``error`` event).
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from yescale import InternalServerError, RateLimitError

from . import test_fault_matrix as matrix
from .conftest import FaultServer, reply_json, sse_complete, sse_then_cut, sse_trickle
from .messages_calls import (
    ERROR_EVENT,
    MESSAGES_PATH,
    OVERLOADED,
    PING,
    amessage_stream,
    complete,
    message_stream,
    opening,
)

ENDPOINT = matrix.Endpoint(
    "claude-messages-stream",
    "stream",
    "claude message",
    "POST",
    MESSAGES_PATH,
    sse_complete([PING, *complete("Hel", "lo")]),
    message_stream,
    amessage_stream,
    matrix._check_stream,
)

#: The matrix's faults whose scripts hold chat-format events, with the same events as
#: Anthropic's: the text deltas "Hel" and "lo" after message_start and content_block_start.
_IN_OUR_DIALECT = {
    "stream-cut-mid-way": matrix._then_ok(sse_then_cut(opening("Hel", "lo"))),
    "stream-ends-without-terminator": matrix._then_ok(
        sse_then_cut(opening("Hel", "lo"), chunked=False)
    ),
    "stream-trickles-after-first-event": matrix._always(sse_trickle(opening("Hel"))),
    "stream-stalls-after-first-event": matrix._always(
        sse_then_cut(opening("Hel"), stall_after=3.0)
    ),
}

OWN = [
    matrix.Fault(  # pings are keep-alives: nothing was handed out, so it is retried
        "stream-cut-after-a-ping-then-ok",
        matrix._then_ok(sse_then_cut([PING, PING])),
        matrix.STREAM,
        requests=2,
    ),
    matrix.Fault(  # and they do not stretch the idle deadline
        "stream-trickles-pings-forever",
        matrix._always(sse_trickle(piece=PING)),
        matrix.STREAM,
        requests=2,
        error=matrix.APITimeoutError,
        says=("timed out", "Raise `timeout`", "no event for"),
        read=matrix.READ,
        max_retries=1,
    ),
    matrix.Fault(  # an overloaded error before any output: retried like a 529
        "overloaded-event-first-then-ok",
        matrix._then_ok(sse_complete([PING, ERROR_EVENT])),
        matrix.STREAM,
        requests=2,
    ),
    matrix.Fault(
        "overloaded-event-first-persistent",
        matrix._always(sse_complete([ERROR_EVENT])),
        matrix.STREAM,
        requests=3,
        error=InternalServerError,
        says=("type overloaded_error", "Overloaded", "usually temporary"),
    ),
    matrix.Fault(  # after output began: never retried, the partial text not returned whole
        "overloaded-event-mid-way",
        matrix._always(sse_complete([*opening("Hel", "lo"), ERROR_EVENT])),
        matrix.STREAM,
        requests=1,
        error=InternalServerError,
        says=("type overloaded_error", "Overloaded"),
        never_says=("HTTP 500",),
        sleeps=(),
        partial=("Hel", "lo"),
    ),
    matrix.Fault(
        "529-overloaded-then-ok",
        matrix._then_ok(reply_json(529, OVERLOADED, {"Retry-After": "1"})),
        matrix.STREAM,
        requests=2,
        sleeps=(1.0,),
    ),
    matrix.Fault(
        "429-anthropic-body-persistent",
        matrix._always(
            reply_json(
                429,
                {"type": "error", "error": {"type": "rate_limit_error", "message": "Slow down"}},
                {"Retry-After": "2"},
            )
        ),
        matrix.STREAM,
        requests=2,
        error=RateLimitError,
        says=("HTTP 429", "Slow down"),
        sleeps=(2.0,),
        max_retries=1,
    ),
]


def _ours(fault: matrix.Fault) -> matrix.Fault:
    steps = _IN_OUR_DIALECT.get(fault.name)
    return fault if steps is None else dataclasses.replace(fault, steps=steps)


FAULTS = [_ours(f) for f in matrix.FAULTS if "stream" in f.kinds] + OWN
CASES = [pytest.param(fault, id=fault.name) for fault in FAULTS]


@pytest.mark.parametrize("mode", ["sync", "async"])
@pytest.mark.parametrize("fault", CASES)
def test_messages_stream_fault(
    fault_server: FaultServer, tmp_path: Path, fault: matrix.Fault, mode: str
) -> None:
    matrix.test_fault(fault_server, tmp_path, fault, ENDPOINT, mode)


def test_every_stream_fault_of_the_matrix_is_met() -> None:
    names = {f.name for f in FAULTS}
    assert {f.name for f in matrix.FAULTS if "stream" in f.kinds} <= names
    assert set(_IN_OUR_DIALECT) <= names
    assert "claude-messages" in {e.name for e in matrix.ENDPOINTS}
