"""A real HTTP server on 127.0.0.1 (ephemeral port) whose answers each test scripts.

Each test calls ``fault_server.script(step, step, ...)``: the n-th request after that gets the
n-th step, and the last step answers every request after it (a test may script again, later).
Steps are small functions of the request handler (:func:`reply`, :func:`reply_json`,
:func:`hang_up`, :func:`reset`, :func:`stall`, :func:`sse_then_cut`, :func:`sse_trickle`, ...).
Hostile answers (:func:`body_parts`, :func:`trickle`, :func:`huge_body`, :func:`sse_huge_line`,
:func:`redirect`) produce their bodies lazily: the server runs in the test's own process, so a
128 MiB body is written block by block and never held whole (memory tests measure the client).
The fixture stops the server, releases stalled handlers and joins the serving thread.
"""

from __future__ import annotations

import contextlib
import json
import socket
import struct
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

#: The longest any scripted stall may last, so handler threads always end.
MAX_STALL = 5.0


@dataclass
class Seen:
    """One request as the server received it."""

    method: str
    path: str
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


Step = Callable[["FaultHandler"], None]


@dataclass
class Script:
    steps: list[Step] = field(default_factory=list)
    seen: list[Seen] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    stop: threading.Event = field(default_factory=threading.Event)
    trickled: int = 0  # pieces sent by :func:`sse_trickle`

    base: int = 0  # requests seen before the current script was set

    def next_step(self, request: Seen) -> Step:
        with self.lock:
            self.seen.append(request)
            if not self.steps:
                return reply(500, b"no script")
            return self.steps[min(len(self.seen) - self.base, len(self.steps)) - 1]


class FaultHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    timeout = 10  # an idle keep-alive connection never holds a thread for long
    seen: Seen
    disable_nagle_algorithm = True  # headers and body go out at once, not 40 ms apart
    server: FaultHTTPServer

    def _handle(self) -> None:
        length = int(self.headers.get("content-length") or 0)
        body = self.rfile.read(length) if length else b""
        seen = Seen(self.command, self.path, {k.lower(): v for k, v in self.headers.items()}, body)
        self.seen = seen  # what a step may read of its own request (FakeMedia: the body)
        step = self.server.script.next_step(seen)
        try:
            step(self)
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True

    do_GET = do_POST = do_PUT = do_DELETE = _handle

    def log_message(self, format: str, *args: Any) -> None:
        pass


class FaultHTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    script: Script

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A client that stops reading (a bound hit, a refused answer) resets or closes the
        connection mid-write: expected here, so not printed as a server traceback. Anything
        else (a bug in a step) still is."""
        import sys

        if not isinstance(sys.exc_info()[1], (ConnectionResetError, BrokenPipeError)):
            super().handle_error(request, client_address)


# -- steps --------------------------------------------------------------------------------------


def reply(status: int, body: bytes = b"", headers: Mapping[str, str] | None = None) -> Step:
    def step(h: FaultHandler) -> None:
        h.send_response(status)
        for name, value in (headers or {}).items():
            h.send_header(name, value)
        h.send_header("Content-Length", str(len(body)))
        h.end_headers()
        h.wfile.write(body)
        h.wfile.flush()

    return step


def reply_json(status: int, data: Any, headers: Mapping[str, str] | None = None) -> Step:
    return reply(
        status, json.dumps(data).encode(), {"Content-Type": "application/json", **(headers or {})}
    )


def hang_up(h: FaultHandler) -> None:
    """Close the connection without sending any answer."""
    h.close_connection = True
    h.connection.shutdown(socket.SHUT_RDWR)


def reset(h: FaultHandler) -> None:
    """Abort the connection with a TCP reset (RST) before any answer: ``ECONNRESET``."""
    h.close_connection = True
    h.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    h.connection.close()


def stall(seconds: float, then: Step | None = None) -> Step:
    """Say nothing for ``seconds`` (bounded; released early when the server stops), then answer."""

    def step(h: FaultHandler) -> None:
        h.server.script.stop.wait(min(seconds, MAX_STALL))
        h.close_connection = True
        if then is not None:
            then(h)

    return step


def sse_then_cut(events: list[bytes], *, chunked: bool = True, stall_after: float = 0) -> Step:
    """Start an event stream, send ``events``, then drop the connection mid-stream."""

    def step(h: FaultHandler) -> None:
        h.send_response(200)
        h.send_header("Content-Type", "text/event-stream")
        h.send_header("Cache-Control", "no-cache")
        if chunked:
            h.send_header("Transfer-Encoding", "chunked")
        else:
            h.send_header("Connection", "close")  # body delimited by the connection's end
        h.end_headers()
        for event in events:
            h.wfile.write(b"%x\r\n%s\r\n" % (len(event), event) if chunked else event)
            h.wfile.flush()
        if stall_after:
            h.server.script.stop.wait(min(stall_after, MAX_STALL))
        h.close_connection = True
        h.connection.shutdown(socket.SHUT_RDWR)

    return step


def sse_trickle(
    events: Sequence[bytes] = (),
    *,
    piece: bytes = b": keep-alive\n\n",
    every: float = 0.025,
    limit: float = MAX_STALL,
) -> Step:
    """Start an event stream, send ``events``, then send ``piece`` every ``every`` seconds.

    "Forever" for the client: it never sends the terminator. It stops when the client goes away,
    when the server stops, or after ``limit`` seconds (so handler threads always end).
    """

    def step(h: FaultHandler) -> None:
        h.send_response(200)
        h.send_header("Content-Type", "text/event-stream")
        h.send_header("Transfer-Encoding", "chunked")
        h.end_headers()
        h.close_connection = True
        for event in events:
            h.wfile.write(b"%x\r\n%s\r\n" % (len(event), event))
        h.wfile.flush()
        deadline = time.monotonic() + min(limit, MAX_STALL)
        while not h.server.script.stop.wait(every) and time.monotonic() < deadline:
            h.wfile.write(b"%x\r\n%s\r\n" % (len(piece), piece))
            h.wfile.flush()
            h.server.script.trickled += 1

    return step


def sse_paced(events: Sequence[bytes], every: float) -> Step:
    """A complete event stream whose events come ``every`` seconds apart (a slow, live model)."""

    def step(h: FaultHandler) -> None:
        h.send_response(200)
        h.send_header("Content-Type", "text/event-stream")
        h.send_header("Transfer-Encoding", "chunked")
        h.end_headers()
        for event in events:
            if h.server.script.stop.wait(every):
                break
            h.wfile.write(b"%x\r\n%s\r\n" % (len(event), event))
            h.wfile.flush()
        h.wfile.write(b"0\r\n\r\n")
        h.wfile.flush()

    return step


def sse_complete(events: list[bytes]) -> Step:
    body = b"".join(events)
    return reply(200, body, {"Content-Type": "text/event-stream"})


def partial_body(
    body: bytes,
    declared: int,
    content_type: str = "application/json",
    *,
    stall_after: float = 0,
) -> Step:
    """Declare ``declared`` bytes, send ``body`` (fewer), maybe stall, then drop the connection."""

    def step(h: FaultHandler) -> None:
        h.send_response(200)
        h.send_header("Content-Type", content_type)
        h.send_header("Content-Length", str(declared))
        h.end_headers()
        h.wfile.write(body)
        h.wfile.flush()
        if stall_after:
            h.server.script.stop.wait(min(stall_after, MAX_STALL))
        h.close_connection = True
        h.connection.shutdown(socket.SHUT_RDWR)

    return step


def body_parts(
    status: int,
    parts: Callable[[], Iterable[bytes]],
    headers: Mapping[str, str] | None = None,
    *,
    length: int | None = None,
    every: float = 0,
    limit: float = MAX_STALL,
) -> Step:
    """Answer with a body made lazily by ``parts()`` (a fresh iterable for each request).

    With ``length`` the answer declares that ``Content-Length`` (and the body may fall short of
    it, or exceed what a client accepts); without, it is chunked. ``every`` seconds pass before
    each part: a trickle that never goes silent long enough for a read timeout. The body stops
    when the client goes away, when the server stops, or after ``limit`` seconds (then the
    connection is dropped), so handler threads always end.
    """

    def step(h: FaultHandler) -> None:
        h.send_response(status)
        for name, value in (headers or {}).items():
            h.send_header(name, value)
        chunked = length is None
        if chunked:
            h.send_header("Transfer-Encoding", "chunked")
        else:
            h.send_header("Content-Length", str(length))
        h.end_headers()
        h.wfile.flush()
        stop = h.server.script.stop
        deadline = time.monotonic() + min(limit, MAX_STALL)
        for part in parts():
            if (every and stop.wait(every)) or stop.is_set() or time.monotonic() > deadline:
                h.close_connection = True
                with contextlib.suppress(OSError):  # the client may be gone already
                    h.connection.shutdown(socket.SHUT_RDWR)
                return
            if chunked:
                h.wfile.write(b"%x\r\n" % len(part))
                h.wfile.write(part)  # written as is: no copy of a large block
                h.wfile.write(b"\r\n")
            else:
                h.wfile.write(part)
            h.wfile.flush()
        if chunked:
            h.wfile.write(b"0\r\n\r\n")
            h.wfile.flush()

    return step


def trickle(
    body: bytes,
    *,
    status: int = 200,
    every: float = 0.05,
    content_type: str = "application/json",
    headers: Mapping[str, str] | None = None,
    chunked: bool = False,
) -> Step:
    """Send ``body`` one byte every ``every`` seconds (its full length declared unless
    ``chunked``): always something arriving, never a whole answer in reasonable time."""
    return body_parts(
        status,
        lambda: (body[i : i + 1] for i in range(len(body))),
        {"Content-Type": content_type, **(headers or {})},
        length=None if chunked else len(body),
        every=every,
    )


def repeated(block: bytes, size: int) -> Callable[[], Iterator[bytes]]:
    """Parts that add up to ``size`` bytes, each ``block`` itself (or its head, last)."""

    def parts() -> Iterator[bytes]:
        sent = 0
        while sent < size:
            part = block if size - sent >= len(block) else block[: size - sent]
            sent += len(part)
            yield part

    return parts


BLOCK = b" " * (1 << 16)  # white space: a JSON document may hold any amount of it


def huge_body(
    size: int,
    *,
    status: int = 200,
    declare: bool = False,
    content_type: str = "application/json",
) -> Step:
    """A ``size``-byte JSON answer (white space, then ``{}``), made on the fly; chunked, or with
    its ``Content-Length`` declared when ``declare``."""
    tail = b"{}"

    def parts() -> Iterator[bytes]:
        yield from repeated(BLOCK, size - len(tail))()
        yield tail

    return body_parts(
        status, parts, {"Content-Type": content_type}, length=size if declare else None
    )


def sse_huge_line(size: int, *, block: bytes = b"x" * (1 << 16)) -> Step:
    """An event stream whose first line is ``data: `` followed by ``size`` bytes and no newline
    until the very end: one event larger than any a client should hold."""

    def parts() -> Iterator[bytes]:
        yield b"data: "
        yield from repeated(block, size)()
        yield b"\n\n"

    return body_parts(200, parts, {"Content-Type": "text/event-stream"})


def redirect(location: str, status: int = 302) -> Step:
    """A redirect to ``location`` (a path on this server, or any URL) with an empty body."""
    return reply(status, b"", {"Location": location})


# -- the fixture --------------------------------------------------------------------------------


class FaultServer:
    def __init__(self, server: FaultHTTPServer) -> None:
        self.server = server
        self.port = server.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}"

    def script(self, *steps: Step) -> None:
        """Answer the next requests with ``steps`` in turn (the last one answers the rest)."""
        with self.server.script.lock:
            self.server.script.steps = list(steps)
            self.server.script.base = len(self.server.script.seen)

    @property
    def seen(self) -> list[Seen]:
        with self.server.script.lock:
            return list(self.server.script.seen)

    @property
    def count(self) -> int:
        return len(self.seen)

    def count_when_settled(self, expected: int, within: float = 2.0) -> int:
        """The requests seen, once ``expected`` have arrived or ``within`` seconds have passed.

        A request the client gave up on (its read timeout passed) still reaches the server, but
        on a loaded machine the server's thread may read it only after the client has raised:
        counting at once would miss it."""
        deadline = time.monotonic() + within
        while self.count < expected and time.monotonic() < deadline:
            time.sleep(0.01)
        return self.count


@pytest.fixture
def fault_server() -> Iterator[FaultServer]:
    server = FaultHTTPServer(("127.0.0.1", 0), FaultHandler)
    server.script = Script()
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.01}, daemon=True
    )
    thread.start()
    try:
        yield FaultServer(server)
    finally:
        server.script.stop.set()  # release any stalled handler
        server.shutdown()
        server.server_close()
        thread.join(timeout=MAX_STALL)
        assert not thread.is_alive(), "the fault server did not stop"
