"""A local OpenAI-compatible server for the benchmarks, with canned answers.

Run in its own process (``python -m benchmarks.server`` prints ``PORT <n>`` and serves on
127.0.0.1 until its standard input closes, or for ``--max-seconds`` at most), so its CPU time is
never the client's. A raw asyncio HTTP/1.1 server: keep-alive, ``Content-Length`` request bodies,
``Transfer-Encoding: chunked`` event streams with back-pressure, a backlog large enough for
hundreds of simultaneous connects. Answers are prepared once; per request the server only reads
the body, picks the answer, and writes.

Routes (both from the host root and behind ``/v1``, as the OpenAI SDK and our client differ):

* ``POST /v1/chat/completions``: a fixed completion; with ``"stream": true`` an OpenAI-style event
  stream of N content chunks (N from the model name ``bench-stream-<N>``, default 500), a finish
  chunk, a usage chunk when ``stream_options.include_usage`` is set, then ``data: [DONE]``.
  Each event is written on its own, as a service streaming tokens would.
* ``POST /v1/embeddings``: one vector per input, ``dimensions`` long (default 256), float JSON or
  base64 float32 (``encoding_format``). The vector of a text is fixed by the text:
  ``vector[0] == crc32(text) % 64``, so callers can check that vectors come back in order.
* ``GET /stats``: connections accepted, requests served, connections open (JSON).
"""

from __future__ import annotations

import argparse
import array
import asyncio
import base64
import contextlib
import json
import os
import subprocess
import sys
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

try:  # faster parsing of large embedding requests when present (the benchmark extra has it)
    import orjson

    _loads = orjson.loads
except ImportError:  # pragma: no cover
    _loads = json.loads

DEFAULT_STREAM_CHUNKS = 500
DEFAULT_DIMENSIONS = 256
#: distinct vectors served (a text's vector is number ``crc32(text) % VECTORS``)
VECTORS = 64
MAX_BODY = 64 * 1024 * 1024
CREATED = 1_700_000_000

ANSWER = (
    "Benchmarks measure what a client costs: building the request, sending it, reading the "
    "answer and turning it into the framework's objects. This canned answer is about fifty "
    "tokens long, like a short reply from a chat model, so parsing it is realistic."
)


def expected_head(text: str) -> float:
    """The first component of the vector the server returns for ``text``."""
    return float(zlib.crc32(text.encode("utf-8")) % VECTORS)


def _chat_completion(model: str) -> bytes:
    body = {
        "id": "chatcmpl-bench",
        "object": "chat.completion",
        "created": CREATED,
        "model": model,
        "system_fingerprint": "fp_bench",
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": ANSWER, "refusal": None},
                "logprobs": None,
                "finish_reason": "stop",
            }
        ],
        "usage": {
            "prompt_tokens": 24,
            "completion_tokens": 50,
            "total_tokens": 74,
            "prompt_tokens_details": {"cached_tokens": 0, "audio_tokens": 0},
            "completion_tokens_details": {
                "reasoning_tokens": 0,
                "audio_tokens": 0,
                "accepted_prediction_tokens": 0,
                "rejected_prediction_tokens": 0,
            },
        },
    }
    return json.dumps(body, separators=(",", ":")).encode()


def _event(obj: Any) -> bytes:
    data = b"data: " + json.dumps(obj, separators=(",", ":")).encode() + b"\n\n"
    return b"%x\r\n%s\r\n" % (len(data), data)  # one HTTP chunk per event


def _chunk(model: str, delta: dict[str, Any], finish: str | None = None) -> dict[str, Any]:
    return {
        "id": "chatcmpl-bench",
        "object": "chat.completion.chunk",
        "created": CREATED,
        "model": model,
        "system_fingerprint": "fp_bench",
        "choices": [{"index": 0, "delta": delta, "logprobs": None, "finish_reason": finish}],
    }


@dataclass
class Stream:
    """The events of one streamed answer (content events made on the fly, from a template)."""

    model: str
    chunks: int
    usage: bool

    def events(self) -> Iterator[bytes]:
        yield _event(_chunk(self.model, {"role": "assistant", "content": "", "refusal": None}))
        head, tail = json.dumps(
            _chunk(self.model, {"content": "\x00"}), separators=(",", ":")
        ).split("\\u0000")
        for i in range(self.chunks):
            data = f"data: {head} t{i % 1000}{tail}\n\n".encode()
            yield b"%x\r\n%s\r\n" % (len(data), data)
        yield _event(_chunk(self.model, {}, "stop"))
        if self.usage:
            usage = {
                "prompt_tokens": 24,
                "completion_tokens": self.chunks,
                "total_tokens": 24 + self.chunks,
            }
            yield _event({**_chunk(self.model, {}), "choices": [], "usage": usage})
        data = b"data: [DONE]\n\n"
        yield b"%x\r\n%s\r\n0\r\n\r\n" % (len(data), data)


class Embedder:
    """Canned embedding items, per vector number and encoding."""

    def __init__(self) -> None:
        self._cache: dict[tuple[int, str], list[bytes]] = {}

    def items(self, dimensions: int, encoding: str) -> list[bytes]:
        key = (dimensions, encoding)
        if key not in self._cache:
            out = []
            for k in range(VECTORS):
                vector = [float(k)] + [
                    ((k * 31 + j * 7) % 97) / 97.0 for j in range(dimensions - 1)
                ]
                if encoding == "base64":
                    raw = array.array("f", vector)
                    if sys.byteorder == "big":  # pragma: no cover
                        raw.byteswap()
                    out.append(b'"' + base64.b64encode(raw.tobytes()) + b'"')
                else:
                    rounded = [round(x, 6) for x in array.array("f", vector)]
                    out.append(json.dumps(rounded, separators=(",", ":")).encode())
            self._cache[key] = out
        return self._cache[key]

    def answer(self, body: dict[str, Any]) -> bytes:
        inputs = body.get("input")
        if isinstance(inputs, str) or (
            isinstance(inputs, list) and inputs and isinstance(inputs[0], int)
        ):
            inputs = [inputs]
        if not isinstance(inputs, list) or not inputs:
            raise ValueError("input must be a string or a non-empty list")
        dimensions = int(body.get("dimensions") or DEFAULT_DIMENSIONS)
        encoding = "base64" if body.get("encoding_format") == "base64" else "float"
        items = self.items(dimensions, encoding)
        parts = []
        for i, text in enumerate(inputs):
            raw = text.encode("utf-8") if isinstance(text, str) else repr(text).encode()
            vector = items[zlib.crc32(raw) % VECTORS]
            parts.append(b'{"object":"embedding","index":%d,"embedding":%s}' % (i, vector))
        model = str(body.get("model", "bench-embed")).encode()
        tokens = len(inputs) * 8
        return (
            b'{"object":"list","data":['
            + b",".join(parts)
            + b'],"model":"%s","usage":{"prompt_tokens":%d,"total_tokens":%d}}'
            % (model, tokens, tokens)
        )


class Server:
    def __init__(self, delay: float = 0.0) -> None:
        #: seconds every POST answer waits before it is written, as a real service thinks
        #: (issue 20 measures concurrency with 50 ms); a stream waits once, before its head
        self.delay = delay
        self.completions: dict[str, bytes] = {}
        self.embedder = Embedder()
        self.connections = 0
        self.open = 0
        self.requests = 0

    def completion(self, model: str) -> bytes:
        if model not in self.completions:
            if len(self.completions) > 64:
                self.completions.clear()
            self.completions[model] = _chat_completion(model)
        return self.completions[model]

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        self.open += 1
        try:
            while True:
                try:
                    head = await reader.readuntil(b"\r\n\r\n")
                except (asyncio.IncompleteReadError, ConnectionError):
                    return
                except asyncio.LimitOverrunError:
                    return
                lines = head.decode("latin-1").split("\r\n")
                method, target, _ = lines[0].split(" ", 2)
                headers = {}
                for line in lines[1:]:
                    if line:
                        name, _, value = line.partition(":")
                        headers[name.strip().lower()] = value.strip()
                if "chunked" in headers.get("transfer-encoding", "").lower():
                    await self.reply(writer, 411, b'{"error":{"message":"chunked body"}}')
                    return
                length = int(headers.get("content-length", "0") or 0)
                if length > MAX_BODY:
                    await self.reply(writer, 413, b'{"error":{"message":"too large"}}')
                    return
                body = await reader.readexactly(length) if length else b""
                self.requests += 1
                close = headers.get("connection", "").lower() == "close"
                await self.route(writer, method, target.split("?", 1)[0], body)
                if close:
                    return
        except (ConnectionError, asyncio.IncompleteReadError):
            return
        finally:
            self.open -= 1
            with contextlib.suppress(Exception):
                writer.close()

    async def reply(
        self,
        writer: asyncio.StreamWriter,
        status: int,
        body: bytes,
        content_type: bytes = b"application/json",
    ) -> None:
        reason = {200: b"OK", 400: b"Bad Request", 404: b"Not Found"}.get(status, b"Error")
        writer.write(
            b"HTTP/1.1 %d %s\r\ncontent-type: %s\r\ncontent-length: %d\r\n"
            b"x-request-id: req-bench\r\n\r\n" % (status, reason, content_type, len(body)) + body
        )
        await writer.drain()

    async def route(
        self, writer: asyncio.StreamWriter, method: str, path: str, body: bytes
    ) -> None:
        if path.startswith("/v1/v1/"):  # a base URL given with /v1 to a client that adds it
            path = path[3:]
        if method == "GET" and path == "/stats":
            stats = {"connections": self.connections, "requests": self.requests, "open": self.open}
            await self.reply(writer, 200, json.dumps(stats).encode())
            return
        if method != "POST":
            await self.reply(writer, 404, b'{"error":{"message":"not found"}}')
            return
        try:
            data = _loads(body) if body else {}
        except ValueError:
            await self.reply(writer, 400, b'{"error":{"message":"body is not JSON"}}')
            return
        if self.delay:
            await asyncio.sleep(self.delay)
        if path.endswith("/chat/completions"):
            model = str(data.get("model", "bench"))
            if not data.get("stream"):
                await self.reply(writer, 200, self.completion(model))
                return
            chunks = DEFAULT_STREAM_CHUNKS
            if model.startswith("bench-stream-"):
                chunks = int(model.rsplit("-", 1)[1])
            usage = bool((data.get("stream_options") or {}).get("include_usage"))
            await self.stream(writer, Stream(model, chunks, usage))
            return
        if path.endswith("/embeddings"):
            try:
                answer = self.embedder.answer(data)
            except (ValueError, TypeError) as error:
                message = json.dumps({"error": {"message": str(error)}}).encode()
                await self.reply(writer, 400, message)
                return
            await self.reply(writer, 200, answer)
            return
        await self.reply(writer, 404, b'{"error":{"message":"not found"}}')

    async def stream(self, writer: asyncio.StreamWriter, stream: Stream) -> None:
        writer.write(
            b"HTTP/1.1 200 OK\r\ncontent-type: text/event-stream; charset=utf-8\r\n"
            b"transfer-encoding: chunked\r\ncache-control: no-cache\r\n"
            b"x-request-id: req-bench\r\n\r\n"
        )
        for n, event in enumerate(stream.events()):
            writer.write(event)
            # Each event goes out on its own, as tokens do; drain applies back-pressure when a
            # client reads slower than we write (the 100,000-token stream).
            if n % 16 == 0 or writer.transport.get_write_buffer_size() > 65536:
                await writer.drain()
        await writer.drain()


async def serve(
    port: int, max_seconds: float, announce: bool = True, delay: float = 0.0
) -> None:
    server = Server(delay)
    listener = await asyncio.start_server(
        server.handle, "127.0.0.1", port, backlog=2048, limit=1 << 20
    )
    bound = listener.sockets[0].getsockname()[1]
    if announce:
        print(f"PORT {bound}", flush=True)
    loop = asyncio.get_running_loop()
    stdin_closed = loop.create_future()

    def watch_stdin() -> None:
        # The parent holds our stdin open; when it exits (even killed), we stop.
        with contextlib.suppress(Exception):
            sys.stdin.buffer.read()
        loop.call_soon_threadsafe(lambda: stdin_closed.done() or stdin_closed.set_result(None))

    loop.run_in_executor(None, watch_stdin)
    async with listener:
        with contextlib.suppress(asyncio.TimeoutError):
            await asyncio.wait_for(stdin_closed, timeout=max_seconds)
    os._exit(0)  # the stdin watcher thread may still block; nothing else to clean up


@contextlib.contextmanager
def running(max_seconds: float = 3600.0, delay: float = 0.0) -> Iterator[int]:
    """Start the server in a child process (answers after ``delay`` seconds); yield its port;
    stop it on exit."""
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "benchmarks.server",
            "--max-seconds",
            str(max_seconds),
            "--delay",
            str(delay),
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        cwd=os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
    )
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline().decode().strip()
        if not line.startswith("PORT "):
            raise RuntimeError(f"benchmark server did not start: {line!r}")
        yield int(line.split()[1])
    finally:
        assert proc.stdin is not None
        with contextlib.suppress(Exception):
            proc.stdin.close()
        try:
            proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=5)


def stats(port: int) -> dict[str, int]:
    """The server's counters (a plain socket request, so no client library is involved)."""
    import socket

    with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
        sock.sendall(b"GET /stats HTTP/1.1\r\nhost: 127.0.0.1\r\nconnection: close\r\n\r\n")
        data = b""
        while chunk := sock.recv(65536):
            data += chunk
    counters: dict[str, int] = json.loads(data.split(b"\r\n\r\n", 1)[1])
    return counters


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--max-seconds", type=float, default=3600.0)
    parser.add_argument("--delay", type=float, default=0.0, help="seconds before each answer")
    args = parser.parse_args()
    asyncio.run(serve(args.port, args.max_seconds, delay=args.delay))


if __name__ == "__main__":
    main()
