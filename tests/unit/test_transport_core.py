"""The transport's core, driven by hand: no socket, no driver. Each operation is fed the outcomes
of the actions it asks for, which shows the logic (deadlines, bounds, redirects, retries)
exists once, apart from the sync and async I/O."""

from __future__ import annotations

import gzip
import zlib
from typing import Any

import httpx
import pytest

from yescale._http import Call, Transport
from yescale._http.core import Close, Emit, Open, Read, Sleep, send, stream
from yescale._http.limits import PIECE, Inflater
from yescale._http.links import download
from yescale._http.sse import EventParser
from yescale._settings import ClientSettings
from yescale._streaming import StreamDecoder
from yescale.errors import (
    APITimeoutError,
    RedirectRefusedError,
    ResponseTooLargeError,
)
from yescale.types.chat import ChatCompletionChunk

KEY = "sk-core-test-0123456789"


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def _transport(clock: Clock, **settings: Any) -> Any:
    settings.setdefault("base_url", "https://api.yescale.io")
    transport = Transport(
        ClientSettings.resolve(api_key=KEY, **settings),
        http_client=httpx.Client(),
        clock=clock,
    )
    ctx, _ = transport._sync()
    return ctx


def _response(status: int, request: httpx.Request, **headers: str) -> httpx.Response:
    return httpx.Response(status, headers=headers, request=request)


def _call() -> Call[bytes]:
    return Call("POST", "/v1/chat/completions", parse=lambda b: b, json={"x": 1}, what="chat")


def test_send_asks_to_open_read_and_close_then_returns_the_parsed_answer() -> None:
    ctx = _transport(Clock())
    op = send(ctx, _call())
    action = next(op)
    assert isinstance(action, Open)
    assert action.request.headers["authorization"] == f"Bearer {KEY}"
    response = _response(200, action.request, **{"content-type": "application/json"})
    assert isinstance(op.send(response), Read)
    assert isinstance(op.send(b'{"ok":'), Read)
    assert isinstance(op.send(b"true}"), Read)
    assert isinstance(op.send(b""), Close)
    with pytest.raises(StopIteration) as done:
        op.send(None)
    assert done.value.value == b'{"ok":true}'


def test_a_trickled_answer_passes_the_attempt_deadline() -> None:
    clock = Clock()
    ctx = _transport(clock, timeout=1.0, max_retries=0)
    op = send(ctx, _call())
    request = next(op).request
    op.send(_response(200, request))

    def trickle() -> None:
        for _ in range(100):  # a byte every 0.11 s: no read ever times out
            clock.now += 0.11
            op.send(b"{")

    with pytest.raises(APITimeoutError, match="1s timeout") as caught:
        trickle()
    assert "Raise `timeout`" in str(caught.value)
    assert clock.now < 1.3


def test_the_size_bound_is_counted_after_decompression() -> None:
    ctx = _transport(Clock(), max_response_bytes=4096, max_retries=0)
    op = send(ctx, _call())
    request = next(op).request
    op.send(_response(200, request, **{"content-encoding": "gzip"}))
    bomb = gzip.compress(b"\0" * (1 << 20))
    assert len(bomb) < 4096  # small on the wire
    with pytest.raises(ResponseTooLargeError, match="max_response_bytes") as caught:
        op.send(bomb)
    assert caught.value.limit == 4096


def test_a_declared_length_over_the_bound_is_refused_before_reading() -> None:
    ctx = _transport(Clock(), max_response_bytes=4096, max_retries=0)
    op = send(ctx, _call())
    request = next(op).request
    with pytest.raises(ResponseTooLargeError):
        op.send(_response(200, request, **{"content-length": str(1 << 30)}))


def test_a_retryable_status_sleeps_then_opens_again() -> None:
    ctx = _transport(Clock(), max_retries=1)
    op = send(ctx, _call())
    request = next(op).request
    assert isinstance(op.send(_response(503, request)), Read)  # the error body
    action = op.send(b"")
    assert isinstance(action, Close)
    assert isinstance(op.send(None), Sleep)
    assert isinstance(op.send(None), Open)


def test_stream_emits_chunks_and_stops_at_done() -> None:
    ctx = _transport(Clock())
    op = stream(ctx, _call(), lambda: StreamDecoder(ChatCompletionChunk))
    request = next(op).request
    assert request.headers["accept"] == "text/event-stream"
    op.send(_response(200, request, **{"content-type": "text/event-stream"}))
    chunk = (
        b'data: {"id":"1","object":"chat.completion.chunk","created":1,"model":"m",'
        b'"choices":[]}\n\n'
    )
    emitted = op.send(chunk + b"data: [DONE]\n\n")
    assert isinstance(emitted, Emit)
    assert isinstance(op.send(None), Close)


def test_download_redirect_to_the_metadata_service_is_refused_before_connecting(
    tmp_path: Any,
) -> None:
    ctx = _transport(Clock())
    op = download(ctx, "https://cdn.example.com/v.mp4", tmp_path / "v.mp4", 10.0)
    request = next(op).request
    assert "authorization" not in request.headers
    redirect = _response(302, request, location="http://169.254.169.254/latest/meta-data")
    assert isinstance(op.send(redirect), Close)
    with pytest.raises(RedirectRefusedError, match=r"169\.254\.169\.254") as caught:
        op.send(None)  # no Open of the metadata address was ever asked for
    assert caught.value.status_code == 302
    assert not list(tmp_path.iterdir())


def test_inflater_never_produces_more_than_a_piece_at_a_time() -> None:
    bomb = zlib.compress(b"\0" * (8 << 20), 9)
    pieces = list(Inflater("deflate", "x").feed(bomb))
    assert max(map(len, pieces)) <= PIECE
    assert sum(map(len, pieces)) == 8 << 20


def test_event_parser_handles_bom_and_line_ends_split_across_reads() -> None:
    parser = EventParser(1 << 20)
    events = []
    for part in (b"\xef\xbb", b"\xbfdata: a\r", b"\ndata: b\r\r", b"event: e\ndata: c\n\n"):
        events += parser.feed(part)
    assert [(e.event, e.data) for e in events] == [("message", "a\nb"), ("e", "c")]


def test_event_parser_bounds_one_endless_line() -> None:
    parser = EventParser(4096)
    parser.feed(b"data: " + b"x" * 4000)
    with pytest.raises(ResponseTooLargeError, match="max_response_bytes"):
        parser.feed(b"x" * 200)


def test_an_error_answer_with_damaged_compression_is_still_its_status_error() -> None:
    from yescale.errors import InternalServerError

    ctx = _transport(Clock(), max_retries=0)
    op = send(ctx, _call())
    request = next(op).request
    op.send(_response(500, request, **{"content-encoding": "gzip"}))
    assert isinstance(op.send(b"this is not gzip"), Close)
    with pytest.raises(InternalServerError, match="HTTP 500"):
        op.send(None)


def test_an_unencoded_answer_without_a_declared_length_is_bounded_while_read() -> None:
    ctx = _transport(Clock(), max_response_bytes=4096, max_retries=0)
    op = send(ctx, _call())
    request = next(op).request
    op.send(_response(200, request))  # no Content-Length, no Content-Encoding
    op.send(b" " * 4096)  # exactly the bound: still read
    with pytest.raises(ResponseTooLargeError, match="max_response_bytes"):
        op.send(b" ")
