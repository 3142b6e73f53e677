"""Our async connection pool (``yescale/_http/connections.py``) through the client, against a
real HTTP/1.1 server on 127.0.0.1 in the test's own event loop.

The pool's cost per request must not grow with the connections it holds (issue 20). That is
asserted by counting operations, never by timing: how many connections' socket state a request
checks (``has_expired``: a readability syscall each), how many connections the server accepted
and saw open at once. The server holds answers until a test releases them, so how many calls
are in flight at a time is fixed by the test, not by the machine's speed.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Callable
from typing import Any

import httpcore
import httpx
import pytest

import yescale._http.pools
from yescale import YEScaleClient
from yescale._http.connections import AsyncPool
from yescale.errors import APIConnectionError, APITimeoutError

from .conftest import API_KEY, chat_completion

MODEL = "gpt-4o-mini"


class Service:
    """A chat-completions server that echoes each request's ``user`` field as the answer.

    ``hold``: answers wait until that many requests are in flight at once, or until
    :meth:`release` (then they all go). Counts connections accepted and open (with the peak)."""

    def __init__(self, hold: int = 0) -> None:
        self.hold = hold
        self.gate = asyncio.Event()
        if not hold:
            self.gate.set()
        self.accepted = 0
        self.open = 0
        self.peak_open = 0
        self.in_flight = 0
        self.peak_in_flight = 0
        self.served = 0
        self.all_closed = asyncio.Event()
        self.close_after_answer = False
        self.url = ""
        self._server: asyncio.Server | None = None
        self._writers: set[asyncio.StreamWriter] = set()

    async def start(self) -> None:
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", 0, backlog=4096)
        port = self._server.sockets[0].getsockname()[1]
        self.url = f"http://127.0.0.1:{port}"

    async def stop(self) -> None:
        """Stop listening, end every connection (its handler returns), and wait for them."""
        assert self._server is not None
        self._server.close()
        self.release()
        for writer in list(self._writers):
            writer.close()
        if self.open:
            await asyncio.wait_for(self.all_closed.wait(), 10)

    def release(self) -> None:
        self.gate.set()

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.accepted += 1
        self.open += 1
        self._writers.add(writer)
        self.all_closed.clear()
        self.peak_open = max(self.peak_open, self.open)
        try:
            while True:
                try:
                    head = await reader.readuntil(b"\r\n\r\n")
                except (asyncio.IncompleteReadError, ConnectionError):
                    return
                length = 0
                for line in head.split(b"\r\n"):
                    name, _, value = line.partition(b":")
                    if name.strip().lower() == b"content-length":
                        length = int(value)
                body = json.loads(await reader.readexactly(length)) if length else {}
                self.in_flight += 1
                self.peak_in_flight = max(self.peak_in_flight, self.in_flight)
                if self.hold and self.in_flight >= self.hold:
                    self.gate.set()
                await self.gate.wait()
                self.in_flight -= 1
                answer = json.dumps(chat_completion(body.get("user", "ok"))).encode()
                writer.write(
                    b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                    b"Content-Length: %d\r\n\r\n%s" % (len(answer), answer)
                )
                await writer.drain()
                self.served += 1
                if self.close_after_answer:
                    return
        except ConnectionError:
            return
        finally:
            self.open -= 1
            self._writers.discard(writer)
            writer.close()
            with _quiet():
                await writer.wait_closed()
            if not self.open:
                self.all_closed.set()


def _quiet() -> Any:
    import contextlib

    return contextlib.suppress(ConnectionError, OSError)


@pytest.fixture
async def service() -> AsyncIterator[Service]:
    server = Service()
    await server.start()
    yield server
    await server.stop()


class Checks:
    """Counts ``has_expired`` calls on httpcore connections: the per-connection socket check
    (a ``poll`` syscall on an idle connection) that httpcore's own pool makes on every connection
    it holds at every request start and end. ``budget``: more calls than that fail at once."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.calls = 0
        self.budget: int | None = None
        real: Callable[[httpcore.AsyncHTTPConnection], bool] = (
            httpcore.AsyncHTTPConnection.has_expired
        )

        def counted(connection: httpcore.AsyncHTTPConnection) -> bool:
            self.calls += 1
            if self.budget is not None and self.calls > self.budget:
                raise AssertionError(f"{self.calls} connection checks: over {self.budget}")
            return real(connection)

        monkeypatch.setattr(httpcore.AsyncHTTPConnection, "has_expired", counted)


@pytest.fixture
def checks(monkeypatch: pytest.MonkeyPatch) -> Checks:
    return Checks(monkeypatch)


def _client(service: Service, **kwargs: Any) -> YEScaleClient:
    return YEScaleClient(api_key=API_KEY, base_url=service.url, max_retries=0, **kwargs)


async def _ask(client: YEScaleClient, tag: str) -> str:
    reply = await client.aio.chat.create(
        model=MODEL, messages=[{"role": "user", "content": "Hi"}], user=tag
    )
    content = reply.choices[0].message.content
    assert isinstance(content, str)
    return content


def _pool(client: YEScaleClient) -> AsyncPool:
    transport = client._transport
    pool = transport.pools.async_pool(transport.async_client)
    assert isinstance(pool, AsyncPool), "requests must go to our pool"
    return pool


def _limits(monkeypatch: pytest.MonkeyPatch, connections: int, idle: int) -> None:
    """Pools made from now on (each event loop gets its own) hold at most these."""
    limits = httpx.Limits(max_connections=connections, max_keepalive_connections=idle)
    monkeypatch.setattr(yescale._http.pools, "CONNECTION_LIMITS", limits)


async def _until(condition: Callable[[], bool]) -> None:
    """Let the loop run until ``condition`` holds (bounded: a hang fails, never waits on)."""
    for _ in range(10_000):
        if condition():
            return
        await asyncio.sleep(0)
    raise AssertionError("the condition never held")


# -- reuse ----------------------------------------------------------------------------------


async def test_sequential_calls_reuse_one_connection(service: Service, checks: Checks) -> None:
    client = _client(service)
    answers = [await _ask(client, f"call-{i}") for i in range(10)]
    assert answers == [f"call-{i}" for i in range(10)]
    assert service.accepted == 1
    assert checks.calls == 9  # each reuse checks the one connection it takes
    pool = _pool(client)
    assert (pool.connections, pool.in_use, pool.ledger.idle_count) == (1, 0, 1)
    await client.aclose()


async def test_a_request_checks_one_idle_connection_not_all(
    service: Service, checks: Checks
) -> None:
    """150 idle connections: the next request looks at one of them (httpcore's pool: all 150,
    at its start and again at its end)."""
    client = _client(service)
    service.hold = 150
    service.gate.clear()
    first = await asyncio.gather(*(_ask(client, f"a{i}") for i in range(150)))
    assert first == [f"a{i}" for i in range(150)]
    assert service.accepted == 150

    before = checks.calls
    assert await _ask(client, "next") == "next"
    assert checks.calls - before == 1
    assert service.accepted == 150  # reused, not a new connection
    assert _pool(client).ledger.idle_count == 150
    await client.aclose()


async def test_2000_concurrent_calls_stay_within_the_pool_limits(
    service: Service, checks: Checks
) -> None:
    """2,000 calls at once on the default limits (1,000 connections, 200 kept idle): the
    server never sees more than 1,000 connections, the second thousand calls ride on the
    first thousand's connections (handed over, not reopened), every answer is the caller's
    own, and no request checked more than one connection."""
    limits = yescale._http.pools.CONNECTION_LIMITS
    assert (limits.max_connections, limits.max_keepalive_connections) == (1000, 200)
    client = _client(service)
    service.hold = 1000  # the first thousand answers wait until a thousand are in flight
    service.gate.clear()
    calls = 2000
    checks.budget = calls  # httpcore's pool: millions
    answers = await asyncio.gather(*(_ask(client, f"c{i}") for i in range(calls)))
    assert answers == [f"c{i}" for i in range(calls)]
    assert service.accepted == 1000
    assert service.peak_open == 1000
    assert service.peak_in_flight == 1000
    pool = _pool(client)
    assert pool.in_use == 0
    assert pool.connections == pool.ledger.idle_count == 200  # the rest were closed
    assert checks.calls <= calls
    await client.aclose()
    await asyncio.wait_for(service.all_closed.wait(), 10)
    assert service.open == 0


# -- cancellation ---------------------------------------------------------------------------


async def test_cancelled_calls_leak_nothing_and_poison_nothing(service: Service) -> None:
    """Calls cancelled while their answers are pending: their connections are closed and
    freed; the answers the server sends later reach nobody; new calls get their own."""
    client = _client(service)
    assert await _ask(client, "warm") == "warm"
    service.gate.clear()
    tasks = [asyncio.ensure_future(_ask(client, f"lost-{i}")) for i in range(20)]
    await _until(lambda: service.in_flight == 20)
    pool = _pool(client)
    assert pool.in_use == 20
    for task in tasks:
        task.cancel()
    results = await asyncio.gather(*tasks, return_exceptions=True)
    assert all(isinstance(r, asyncio.CancelledError) for r in results)
    assert (pool.in_use, pool.connections) == (0, 0)  # none kept: each was cut mid-answer
    service.release()  # the late answers go out on connections the client has closed
    await asyncio.wait_for(service.all_closed.wait(), 10)

    answers = await asyncio.gather(*(_ask(client, f"new-{i}") for i in range(5)))
    assert answers == [f"new-{i}" for i in range(5)]
    assert pool.in_use == 0
    await client.aclose()


async def test_cancelled_waiters_give_their_place_back(
    service: Service, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two connections at most: two calls in flight, three waiting; two waiters cancelled.
    The third gets a connection when one comes free, and no connection is opened for the
    cancelled ones."""
    _limits(monkeypatch, connections=2, idle=2)
    client = _client(service)
    service.gate.clear()
    running = [asyncio.ensure_future(_ask(client, f"run-{i}")) for i in range(2)]
    await _until(lambda: service.in_flight == 2)
    waiting = [asyncio.ensure_future(_ask(client, f"wait-{i}")) for i in range(3)]
    pool = _pool(client)
    await _until(lambda: len(pool.ledger._waiting) == 3)
    waiting[0].cancel()
    waiting[1].cancel()
    service.release()
    assert await asyncio.gather(*running) == ["run-0", "run-1"]
    assert await waiting[2] == "wait-2"
    for task in waiting[:2]:
        with pytest.raises(asyncio.CancelledError):
            await task
    assert service.accepted == 2
    assert (pool.in_use, pool.connections, pool.ledger.idle_count) == (0, 2, 2)
    await client.aclose()


async def test_a_waiter_cancelled_after_its_grant_hands_the_connection_back(
    service: Service, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The waiter is cancelled in the same step that hands it a connection (before it runs
    again): the connection goes back to the pool, not lost with the cancelled call."""
    _limits(monkeypatch, connections=1, idle=1)
    client = _client(service)
    service.gate.clear()
    first = asyncio.ensure_future(_ask(client, "first"))
    await _until(lambda: service.in_flight == 1)
    waiter = asyncio.ensure_future(_ask(client, "waiter"))
    pool = _pool(client)
    await _until(lambda: len(pool.ledger._waiting) == 1)
    real_wake = pool.core._wake

    def wake_then_cancel(granted: Any) -> None:
        real_wake(granted)
        if granted is not None:
            waiter.cancel()

    monkeypatch.setattr(pool.core, "_wake", wake_then_cancel)
    service.release()
    assert await first == "first"
    with pytest.raises(asyncio.CancelledError):
        await waiter
    assert (pool.in_use, pool.connections, pool.ledger.idle_count) == (0, 1, 1)
    monkeypatch.setattr(pool.core, "_wake", real_wake)
    assert await _ask(client, "after") == "after"
    assert service.accepted == 1
    await client.aclose()


# -- limits and the server's side -----------------------------------------------------------


async def test_no_connection_free_in_time_is_a_timeout(
    service: Service, monkeypatch: pytest.MonkeyPatch
) -> None:
    _limits(monkeypatch, connections=1, idle=1)
    client = _client(service, timeout=httpx.Timeout(30.0, pool=0.01))
    service.gate.clear()
    held = asyncio.ensure_future(_ask(client, "held"))
    await _until(lambda: service.in_flight == 1)
    with pytest.raises(APITimeoutError):
        await _ask(client, "too many")
    pool = _pool(client)
    assert len([w for w in pool.ledger._waiting if not w.gone]) == 0
    service.release()
    assert await held == "held"
    assert (pool.in_use, pool.connections) == (0, 1)
    await client.aclose()


async def test_a_connection_the_server_closed_while_idle_is_not_reused(
    service: Service,
) -> None:
    client = _client(service)
    service.close_after_answer = True
    assert await _ask(client, "one") == "one"
    await asyncio.wait_for(service.all_closed.wait(), 10)
    service.close_after_answer = False
    assert await _ask(client, "two") == "two"  # not a "server disconnected" error
    assert service.accepted == 2
    pool = _pool(client)
    assert (pool.connections, pool.ledger.idle_count) == (1, 1)
    await client.aclose()


async def test_closing_the_client_closes_every_connection(service: Service) -> None:
    client = _client(service)
    await asyncio.gather(*(_ask(client, f"x{i}") for i in range(5)))
    assert service.open >= 1
    pool = _pool(client)
    await client.aclose()
    assert pool.connections == 0
    await asyncio.wait_for(service.all_closed.wait(), 10)
    assert service.open == 0


async def test_a_response_closed_before_its_end_closes_its_connection(service: Service) -> None:
    """A body left unread (a stream broken off): the connection cannot serve again, so it is
    closed and its place freed; a body read to its end leaves the connection idle for reuse."""
    client = _client(service)
    http = client._transport.async_client
    body = {"model": MODEL, "messages": [{"role": "user", "content": "Hi"}], "user": "cut"}
    async with http.stream("POST", f"{service.url}/v1/chat/completions", json=body) as response:
        assert response.status_code == 200  # headers only: the body is never read
    pool = _pool(client)
    assert (pool.in_use, pool.connections) == (0, 0)
    await asyncio.wait_for(service.all_closed.wait(), 10)
    answer = await http.post(f"{service.url}/v1/chat/completions", json={**body, "user": "whole"})
    assert answer.json()["choices"][0]["message"]["content"] == "whole"
    assert (pool.in_use, pool.connections, pool.ledger.idle_count) == (0, 1, 1)
    assert service.accepted == 2
    await client.aclose()


async def test_a_refused_connection_is_a_connection_error_and_frees_its_place() -> None:
    listener = await asyncio.start_server(lambda r, w: None, "127.0.0.1", 0)
    port = listener.sockets[0].getsockname()[1]
    listener.close()
    await listener.wait_closed()  # nothing listens on ``port`` any more
    client = YEScaleClient(api_key=API_KEY, base_url=f"http://127.0.0.1:{port}", max_retries=0)
    with pytest.raises(APIConnectionError) as caught:
        await _ask(client, "nobody")
    # mapped to httpx.ConnectError, as httpx's own transport does: known unsent, so retryable
    assert "ConnectError" in str(caught.value)
    assert caught.value.request_unsent is True
    pool = _pool(client)
    assert (pool.in_use, pool.connections) == (0, 0)
    await client.aclose()
