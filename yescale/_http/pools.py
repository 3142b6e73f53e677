"""Connection pools, shared by every client of the process that connects the same way.

Keys are sent per request, so a backend that builds one client (or one ``ChatYEScale``) per
user key still holds one pool, not one per key: the number of sockets is bounded by the pools'
limits whatever the number of tenants. The sync pool lives while some client uses it, and is
closed when the last one closes (or is garbage-collected); it reopens on the next use.

``httpx.AsyncClient`` s are bound to the event loop they first ran in, so the async side is one
client per loop, and it lives as long as its loop, whoever uses it. When ``asyncio.run`` ends a
loop, its client is closed inside it (an async generator the loop finalizes), also when the last
object using it was garbage-collected while the loop ran; a loop created and closed by hand gets
no such chance, so its client is dropped (and its sockets freed) the next time a pool is made for
another loop.
"""

from __future__ import annotations

import asyncio
import contextlib
import http.cookiejar
import threading
import urllib.request
import weakref
from collections.abc import AsyncGenerator
from typing import TYPE_CHECKING

import httpx

from .call import USER_AGENT
from .limits import ACCEPT_ENCODING

if TYPE_CHECKING:
    from .connections import AsyncPool

#: Per pool. Without a proxy the async pool is ours (:mod:`.connections`), whose cost per request
#: does not depend on how many connections it holds, idle or busy (issue 20); with a proxy,
#: httpx's own (httpcore's, which looks at every connection on every request).
CONNECTION_LIMITS = httpx.Limits(max_connections=1000, max_keepalive_connections=200)


def _async_pool(limits: httpx.Limits) -> AsyncPool:
    """Our async pool. Imported on first use: it brings httpcore, which httpx too imports only
    when a transport is made (``from langchain_yescale import ChatYEScale`` stays lighter)."""
    from .connections import AsyncPool

    return AsyncPool(limits=limits)


def environment_proxy() -> bool:
    """Whether the environment sets a proxy (``HTTP(S)_PROXY``, ``ALL_PROXY``...).

    ``NO_PROXY`` alone sets none. With a proxy, our clients are built the way ``httpx`` honours
    it (``httpx`` reads the environment only for transports it builds itself), and every request
    goes through the client, which picks the proxy (or none, per ``NO_PROXY``) for each URL.
    Without one, requests may skip the client layer and go straight to our own pool.
    """
    return any(scheme != "no" for scheme in urllib.request.getproxies())


def _no_cookies(client: httpx.Client | httpx.AsyncClient) -> None:
    """Clients are shared by every key of the process: nothing one answer sets may ride along
    with another tenant's requests."""
    client.cookies.jar.set_policy(http.cookiejar.DefaultCookiePolicy(allowed_domains=[]))


class Pools:
    """One sync client and one async client per event loop, for every transport that uses them.

    ``direct`` pools (no proxy in the environment) let JSON requests skip the client layer
    (:meth:`sync_pool` / :meth:`async_pool`); with a proxy, everything goes through the client.
    The direct async pool is our :class:`~.connections.AsyncPool` (also under the client, for
    the requests that go through it); the sync one is httpx's ``HTTPTransport``.
    """

    def __init__(self, proxied: bool) -> None:
        self.proxied = proxied
        self.users = 0
        self._lock = threading.RLock()  # (re-entrant: see _SHARED_LOCK)
        self._sync: httpx.Client | None = None
        self._sync_pool: httpx.HTTPTransport | None = None
        self._async: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, httpx.AsyncClient] = (
            weakref.WeakKeyDictionary()
        )
        self._async_pools: weakref.WeakKeyDictionary[httpx.AsyncClient, AsyncPool] = (
            weakref.WeakKeyDictionary()
        )
        self._closers: weakref.WeakKeyDictionary[
            asyncio.AbstractEventLoop, AsyncGenerator[None, None]
        ] = weakref.WeakKeyDictionary()
        #: what our clients add to every request (Accept, Accept-Encoding, User-Agent...)
        self.client_headers: dict[str, str] = {}

    def _headers(self, client: httpx.Client | httpx.AsyncClient) -> None:
        client.headers["Accept-Encoding"] = ACCEPT_ENCODING
        client.headers["User-Agent"] = USER_AGENT
        _no_cookies(client)
        self.client_headers = dict(client.headers)

    def sync_client(self) -> httpx.Client:
        client = self._sync
        if client is None or client.is_closed:
            with self._lock:
                client = self._sync
                if client is None or client.is_closed:
                    if self.proxied:
                        client = httpx.Client(limits=CONNECTION_LIMITS)
                        self._sync_pool = None
                    else:
                        self._sync_pool = httpx.HTTPTransport(limits=CONNECTION_LIMITS)
                        client = httpx.Client(transport=self._sync_pool)
                    self._headers(client)
                    self._sync = client
        return client

    def sync_pool(self, client: httpx.Client) -> httpx.HTTPTransport | None:
        """The connection pool behind ``client`` when requests may skip the client layer."""
        return self._sync_pool if client is self._sync else None

    def async_client(self) -> httpx.AsyncClient:
        loop = asyncio.get_running_loop()
        client = self._async.get(loop)
        if client is None or client.is_closed:
            with self._lock:
                client = self._async.get(loop)
                if client is None or client.is_closed:
                    self._release_closed_loops()
                    if self.proxied:
                        client = httpx.AsyncClient(limits=CONNECTION_LIMITS)
                    else:
                        pool = _async_pool(limits=CONNECTION_LIMITS)
                        client = httpx.AsyncClient(transport=pool)
                        self._async_pools[client] = pool
                    self._headers(client)
                    self._async[loop] = client
                    self._closers[loop] = _close_with_loop(client)
        return client

    def async_pool(self, client: httpx.AsyncClient) -> AsyncPool | None:
        return self._async_pools.get(client)

    def async_loops(self) -> int:
        """How many event loops hold a pool now (for tests and diagnostics)."""
        return len(self._async)

    def _release_closed_loops(self) -> None:
        """Drop the clients of loops closed by hand: nothing can use them again, and dropping
        the last reference lets their sockets close."""
        for loop in [loop for loop in self._async if loop.is_closed()]:
            client = self._async.pop(loop)
            self._async_pools.pop(client, None)
            # Its closer is never resumed: the loop's finalizer hook skips a closed loop.
            self._closers.pop(loop, None)

    def close_sync(self) -> None:
        with self._lock:
            if self._sync is not None:
                self._sync.close()
                self._sync = None
                self._sync_pool = None

    async def aclose_loop(self) -> None:
        """Close the async client of the running loop."""
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            return
        with self._lock:
            client = self._async.pop(loop, None)
            self._closers.pop(loop, None)
        if client is not None:
            await client.aclose()


_SHARED: dict[bool, Pools] = {}
#: Re-entrant: a garbage-collected transport releases its pools from a finalizer, which may run
#: inside any allocation, also one made while this thread holds the lock.
_SHARED_LOCK = threading.RLock()


def acquire() -> Pools:
    """The process's pools for the current proxy environment, counted as used once more."""
    proxied = environment_proxy()
    with _SHARED_LOCK:
        pools = _SHARED.get(proxied)
        if pools is None:
            pools = _SHARED[proxied] = Pools(proxied)
        pools.users += 1
    return pools


def release(pools: Pools) -> None:
    """One user fewer; the last one closes the sync pool (it reopens on the next use).

    Async pools are left to their event loops, which close them when they end: forgetting one
    here would leave its closer to the garbage collector, whose ``aclose`` task ``asyncio.run``
    cancels when the last object was collected inside ``main()``, after the first connection
    (the others stayed open until collected, with a ResourceWarning each). The pools object
    stays shared, so the next user in the same loop gets the same async pool.
    """
    with _SHARED_LOCK:
        pools.users -= 1
        if pools.users > 0:
            return
        # under the lock: no new user can pick up the client being closed
        pools.close_sync()


def _close_with_loop(client: httpx.AsyncClient) -> AsyncGenerator[None, None]:
    """Close ``client`` inside its own loop when that loop shuts down.

    ``asyncio.run`` (and ``loop.shutdown_asyncgens()``) finalizes the async generators started
    in the loop before closing it: a started generator whose ``finally`` closes the client makes
    each per-loop pool close cleanly, instead of leaking its sockets when the loop is gone.
    The caller keeps the returned generator alive for as long as the pool.
    """

    async def closer() -> AsyncGenerator[None, None]:
        try:
            yield
        finally:
            if not client.is_closed:
                await client.aclose()

    gen = closer()
    # Run it to its ``yield`` without awaiting: this registers it with the running loop.
    with contextlib.suppress(StopIteration):
        gen.__anext__().send(None)
    return gen
