"""An asyncio HTTP/1.1 server (stdlib only, keep-alive) on 127.0.0.1 in its own thread.

The machinery shared by the soak's server (``tests/faults/test_soak.py``) and the 429 storm's
(``tests/faults/storm.py``): a thread per connection (the scripted server of the other fault
tests) is needlessly heavy for a thousand open connections. A subclass says what to answer to
each request in one coroutine, ``answer``; this class reads the requests, writes the answers,
counts the connections and records whatever it did not expect in ``errors``.
"""

from __future__ import annotations

import asyncio
import json
import socket
import struct
import threading
from typing import Any, TypeVar

#: How many connections may wait to be accepted: a thousand calls open theirs at once.
BACKLOG = 4096

_Server = TypeVar("_Server", bound="LoopServer")


class LoopServer:
    """HTTP/1.1 with keep-alive on an asyncio loop in a thread, answered by ``answer``.

    ``connections`` counts the connections accepted; ``errors`` holds anything the server did
    not expect (a test asserts it is empty). A subclass that is a dataclass holds those two in
    its fields and calls ``_prepare`` from its ``__post_init__`` instead of calling
    ``__init__``.
    """

    errors: list[str]
    connections: int

    def __init__(self) -> None:
        self.errors = []
        self.connections = 0
        self._prepare()

    def _prepare(self) -> None:
        """The loop and its thread (started by ``start``), and what ``stop`` ends."""
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.server: asyncio.Server | None = None
        self.handlers: set[asyncio.Task[None]] = set()
        self.writers: set[asyncio.StreamWriter] = set()

    async def answer(
        self, method: str, path: str, headers: dict[str, str], body: bytes
    ) -> bytes | None:
        """The whole response to one request (see ``http_answer``), or ``None`` to reset the
        connection (a TCP RST, no answer). ``headers`` have lowercase names."""
        raise NotImplementedError

    @property
    def url(self) -> str:
        assert self.server is not None
        return f"http://127.0.0.1:{self.server.sockets[0].getsockname()[1]}"

    def start(self: _Server) -> _Server:
        self.thread.start()
        self.server = asyncio.run_coroutine_threadsafe(
            asyncio.start_server(self._serve, "127.0.0.1", 0, backlog=BACKLOG), self.loop
        ).result(timeout=5)
        return self

    def stop(self) -> None:
        async def shutdown() -> None:
            assert self.server is not None
            self.server.close()
            for writer in list(self.writers):  # a handler reading then ends at once
                writer.transport.abort()
            for task in list(self.handlers):  # and one busy answering, too
                task.cancel()
            await asyncio.gather(*self.handlers, return_exceptions=True)
            await self.server.wait_closed()

        asyncio.run_coroutine_threadsafe(shutdown(), self.loop).result(timeout=10)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(timeout=10)
        assert not self.thread.is_alive(), f"the {type(self).__name__} did not stop"
        self.loop.close()

    # -- serving (in the server's thread) -------------------------------------------------------

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self.handlers.add(task)
        self.writers.add(writer)
        self.connections += 1
        try:
            while True:
                try:
                    head = await reader.readuntil(b"\r\n\r\n")
                except (asyncio.IncompleteReadError, ConnectionError):
                    return  # the client closed an idle keep-alive connection
                lines = head.decode("latin-1").split("\r\n")
                method, path, _ = lines[0].split(" ", 2)
                headers = {
                    name.strip().lower(): value.strip()
                    for name, value in (line.split(":", 1) for line in lines[1:] if line)
                }
                body = await reader.readexactly(int(headers.get("content-length", "0")))
                response = await self.answer(method, path, headers, body)
                if response is None:  # a reset: RST, no answer
                    sock = writer.get_extra_info("socket")
                    sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                    writer.transport.abort()
                    return
                writer.write(response)
                await writer.drain()
        except (ConnectionError, asyncio.IncompleteReadError):
            return
        except Exception as exc:  # a bug in the server or a bad request: fail the test, loudly
            self.errors.append(repr(exc))
        finally:
            self.handlers.discard(task)
            self.writers.discard(writer)
            writer.close()


def http_answer(status: int, data: Any, headers: dict[str, str] | None = None) -> bytes:
    """A whole HTTP/1.1 response: ``data`` as a JSON body, and ``headers`` besides its own."""
    body = json.dumps(data).encode()
    head = [f"HTTP/1.1 {status} X", "Content-Type: application/json"]
    head += [f"Content-Length: {len(body)}", *(f"{k}: {v}" for k, v in (headers or {}).items())]
    return ("\r\n".join(head) + "\r\n\r\n").encode() + body
