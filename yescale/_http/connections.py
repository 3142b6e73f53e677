"""Our async connection pool over httpcore's public HTTP/1.1 connections
(``httpcore.AsyncHTTPConnection``), with the bookkeeping of :mod:`.ledger`.

:class:`AsyncPool` is ``httpx.AsyncHTTPTransport`` with our pool in place of httpcore's (its
``_pool``), for the pools we build without a proxy (:mod:`.pools`), so that the client's CPU per
call stays flat from one to thousands of concurrent calls (issue 20). Everything else is httpx's
and httpcore's: the transport converts requests and maps errors to ``httpx`` exceptions as
always (and tools that patch ``httpx.AsyncHTTPTransport``, like vcrpy's cassettes, still see
every request), the connection speaks HTTP/1.1 as under httpcore's pool (timeouts per request,
TLS with httpx's default context, ``SSL_CERT_FILE`` / ``SSL_CERT_DIR``). With a proxy in the
environment, :mod:`.pools` keeps httpx's own transports.

Cancellation: a request cancelled while it waits for a connection gives back what it was granted;
one cancelled on a connection, or a response closed before its end, closes that connection
(httpcore marks it unusable) and frees its place: a connection goes back to the pool only when
httpcore says it is idle, so a cancelled call can neither leak a connection nor hand a
half-read one to the next request.
"""

from __future__ import annotations

import asyncio
import contextlib
import ssl
import time
from collections.abc import AsyncIterator
from typing import Any

import httpcore
import httpx

from .ledger import Ledger, Waiter

#: how many connections one request may find unusable (closed by the server while idle) in a row
#: before it gives up: each try takes another connection, or opens one
_TRIES = 3


Key = tuple[bytes, bytes, int | None]


def _key(url: httpcore.URL) -> Key:
    return (url.scheme, url.host, url.port)


class AsyncPool(httpx.AsyncHTTPTransport):
    """``httpx.AsyncHTTPTransport`` whose cost per request does not grow with the connections it
    holds. One per event loop (:mod:`.pools`): not thread-safe, as an event loop is not.

    ``limits``: ``max_connections`` (in use, idle or being opened), ``max_keepalive_connections``
    (idle ones kept), ``keepalive_expiry`` (seconds an idle connection is kept).
    """

    def __init__(self, limits: httpx.Limits | None = None) -> None:
        limits = limits or httpx.Limits(max_connections=100, max_keepalive_connections=20)
        ssl_context = httpx.create_ssl_context()
        super().__init__(verify=ssl_context, limits=limits)
        #: replaces the httpcore pool httpx made (never used: no connection was opened). Were
        #: httpx to rename ``_pool``, requests would quietly reach httpcore's pool again: the
        #: unit tests count connection checks per request, and would fail.
        self.core = Connections(limits, ssl_context)
        self._pool = self.core  # type: ignore[assignment]

    @property
    def ledger(self) -> Ledger[httpcore.AsyncHTTPConnection]:
        return self.core.ledger

    @property
    def connections(self) -> int:
        """Connections open or being opened (idle or in use)."""
        return self.core.ledger.total

    @property
    def in_use(self) -> int:
        return len(self.core.busy)


class Connections:
    """The pool itself, as httpx's transport calls httpcore's: ``handle_async_request`` takes
    and returns httpcore's request and response, and raises httpcore's errors."""

    def __init__(self, limits: httpx.Limits, ssl_context: ssl.SSLContext) -> None:
        self._limits = limits
        self._ssl_context = ssl_context
        self.ledger: Ledger[httpcore.AsyncHTTPConnection] = Ledger(
            limits.max_connections or 1 << 30,
            limits.max_keepalive_connections
            if limits.max_keepalive_connections is not None
            else 1 << 30,
            limits.keepalive_expiry,
        )
        #: connections in use (idle ones are in the ledger), so that :meth:`aclose` closes all
        self.busy: set[httpcore.AsyncHTTPConnection] = set()
        #: connections let go of, to close (by the next request, a response's close, aclose)
        self._closing: list[httpcore.AsyncHTTPConnection] = []

    # -- requests ---------------------------------------------------------------------------

    async def handle_async_request(self, core: httpcore.Request) -> httpcore.Response:
        scheme = core.url.scheme
        if scheme not in (b"http", b"https"):
            raise httpcore.UnsupportedProtocol(
                f"Request URL has an unsupported protocol '{scheme.decode()}://'."
                if scheme
                else "Request URL is missing an 'http://' or 'https://' protocol."
            )
        key = _key(core.url)
        for attempt in range(_TRIES):
            connection = await self._acquire(core, key)
            try:
                if self._closing:
                    await self._close_pending()
                response = await connection.handle_async_request(core)
            except httpcore.ConnectionNotAvailable:
                # closed under us while idle (the server hung up): try another one
                self._release(connection, key)
                if attempt == _TRIES - 1:
                    raise httpcore.RemoteProtocolError(
                        "Server disconnected without sending a response."
                    ) from None
                continue
            except BaseException:
                self._release(connection, key)
                await self._close_pending()
                raise
            return httpcore.Response(
                status=response.status,
                headers=response.headers,
                content=_Body(self, connection, key, response.stream),
                extensions=response.extensions,
            )
        raise AssertionError("unreachable")  # pragma: no cover

    async def _acquire(self, request: httpcore.Request, key: Key) -> httpcore.AsyncHTTPConnection:
        """An idle connection that is still open, or a new one; waits when the pool is full.

        Nothing is awaited between the ledger's decision and the return but the wait itself
        (which gives back what it was granted if cancelled): connections to close are queued
        on ``_closing``, closed by the request once it holds its connection."""
        ledger = self.ledger
        while True:
            out = ledger.checkout(key, time.monotonic())
            if out.close:
                self._closing += out.close
            connection = out.connection
            if connection is not None:
                # the only connection looked at: still open, and not half-closed by the server
                # while idle (an idle socket that reads means its end of file)?
                if connection.is_available() and not connection.has_expired():
                    self.busy.add(connection)
                    return connection
                self._wake(ledger.checkin_lost())
                self._closing.append(connection)
                continue
            if out.new:
                return self._open(request)
            waiter = ledger.wait(key)
            await self._wait(waiter, request)
            granted, waiter.connection = waiter.connection, None
            if granted is not None:
                self.busy.add(granted)  # handed over by the request that used it last
                return granted
            return self._open(request)  # a slot handed over

    def _open(self, request: httpcore.Request) -> httpcore.AsyncHTTPConnection:
        connection = httpcore.AsyncHTTPConnection(
            origin=request.url.origin,
            ssl_context=self._ssl_context,
            keepalive_expiry=self._limits.keepalive_expiry,
        )
        self.busy.add(connection)
        return connection

    async def _wait(self, waiter: Waiter[httpcore.AsyncHTTPConnection], request: Any) -> None:
        """Wait until ``waiter`` is granted a connection, or a slot to open one.

        Not ``asyncio.wait_for``: before Python 3.12 it swallows a cancellation that arrives
        together with the result, and the cancelled call would carry on."""
        timeout = request.extensions.get("timeout", {}).get("pool")
        loop = asyncio.get_running_loop()
        waiter.signal = signal = loop.create_future()
        timer = None if timeout is None else loop.call_later(timeout, _time_out, waiter)
        try:
            await signal
        except BaseException:
            # cancelled or timed out: give back what may have been granted meanwhile
            closing, woken = self.ledger.abandon(waiter, time.monotonic())
            self._closing += closing
            self._wake(woken)
            raise
        finally:
            waiter.signal = None
            if timer is not None:
                timer.cancel()
        waiter.gone = True

    # -- connections coming back ------------------------------------------------------------

    def _release(self, connection: httpcore.AsyncHTTPConnection, key: Key) -> None:
        """A request is done with ``connection``: back to the pool if httpcore says it is idle
        (the whole answer was read), else queued to close and its place freed. Never awaits:
        a cancellation cannot cut the bookkeeping short."""
        self.busy.discard(connection)
        if connection.is_idle() and not connection.is_closed():
            closing, woken = self.ledger.checkin(connection, key, time.monotonic())
            self._closing += closing
        else:
            self._closing.append(connection)
            woken = self.ledger.checkin_lost()
        self._wake(woken)

    def _wake(self, waiter: Waiter[httpcore.AsyncHTTPConnection] | None) -> None:
        if waiter is not None and waiter.signal is not None and not waiter.signal.done():
            waiter.signal.set_result(None)

    async def _close_pending(self) -> None:
        """Close the connections the pool let go of. One at a time off the list: a close cut
        short by a cancellation has already closed its socket, and leaves the rest queued."""
        closing = self._closing
        while closing:
            connection = closing.pop()
            with contextlib.suppress(Exception):
                await connection.aclose()

    async def aclose(self) -> None:
        """Close every connection, idle or in use (as httpx's transport does)."""
        self._closing += self.ledger.drain() + list(self.busy)
        self.busy.clear()
        await self._close_pending()


def _time_out(waiter: Waiter[httpcore.AsyncHTTPConnection]) -> None:
    signal = waiter.signal
    if signal is not None and not signal.done():  # (done: granted, then it gives back)
        waiter.gone = True
        signal.set_exception(httpcore.PoolTimeout("No connection of the pool came free in time"))


class _Body:
    """A response's body: httpcore's stream, and the connection released on close."""

    def __init__(
        self,
        pool: Connections,
        connection: httpcore.AsyncHTTPConnection,
        key: Key,
        stream: Any,
    ) -> None:
        self._pool = pool
        self._connection: httpcore.AsyncHTTPConnection | None = connection
        self._key = key
        self._stream = stream

    async def __aiter__(self) -> AsyncIterator[bytes]:
        async for part in self._stream:
            yield part

    async def aclose(self) -> None:
        connection, self._connection = self._connection, None
        if connection is None:
            return
        try:
            # a response read to its end leaves the connection idle; one closed early (or a
            # close cut short by a cancellation) leaves it unusable, and it is closed
            await self._stream.aclose()
        finally:
            self._pool._release(connection, self._key)
        await self._pool._close_pending()
