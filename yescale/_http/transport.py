"""The transport: the one object in the project that speaks HTTP.

It addresses requests (base URL and auth per endpoint family), chooses the connection pool, and
runs :mod:`.core`'s operations through :mod:`.drivers`. Pools are shared process-wide
(:mod:`.pools`); a caller's own ``httpx`` clients are used as given.
"""

from __future__ import annotations

import asyncio
import threading
import time
import weakref
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import httpx
from pydantic import BaseModel

from .._retry import RetryPolicy
from .._settings import ACCESS_KEY_ENV, API_KEY_ENV, ClientSettings
from ..errors import InvalidRequestError, MissingCredentialsError
from . import core, links, pools
from .addresses import is_local_network
from .binary import FileAnswer, read_file_answer, save_file_answer
from .call import USER_AGENT, Call, build_request, capped_timeout
from .cooldown import SHARED, Cooldowns
from .drivers import AsyncIO, SyncIO, aiterate, arun, iterate, run
from .limits import ACCEPT_ENCODING

if TYPE_CHECKING:
    from .._streaming import StreamDecoder

T = TypeVar("T")
M = TypeVar("M", bound=BaseModel)


class Transport:
    """Sends :class:`Call` s with auth, retries, bounds and error mapping; sync and async."""

    def __init__(
        self,
        settings: ClientSettings,
        *,
        http_client: httpx.Client | None = None,
        async_http_client: httpx.AsyncClient | None = None,
        sleep: Callable[[float], None] | None = None,
        async_sleep: Callable[[float], Awaitable[None]] | None = None,
        clock: Callable[[], float] | None = None,
    ) -> None:
        self.settings = settings
        self.retry = RetryPolicy(max_retries=settings.max_retries)
        # ``is None``, not ``or``: an injected recorder may be falsy (an empty list subclass).
        self.sleep = sleep if sleep is not None else time.sleep
        self.async_sleep = async_sleep if async_sleep is not None else asyncio.sleep
        self.clock = clock if clock is not None else time.monotonic
        #: 429 cooldowns: the process's, unless this client keeps its own time (a test's or a
        #: simulation's clock, whose moments mean nothing to other clients); none when only the
        #: sleeps are injected (they do not pass the clock's time: a hold would never end)
        if clock is not None:
            self.cooldowns = Cooldowns()
        elif sleep is not None or async_sleep is not None:
            self.cooldowns = Cooldowns(limit=0)
        else:
            self.cooldowns = SHARED
        self.secrets = settings.secrets()
        #: a local gateway (or test server) may redirect within its own network
        self.allow_local_redirects = is_local_network(settings.base_url)
        self._injected_sync = http_client
        self._injected_async = async_http_client
        self._pools: pools.Pools | None = None
        self._release: weakref.finalize[[pools.Pools], Transport] | None = None
        self._lock = threading.Lock()

    # -- pools ----------------------------------------------------------------------------------

    @property
    def pools(self) -> pools.Pools:
        """The process-wide pools this transport uses (joined on first use)."""
        shared = self._pools
        if shared is None:
            with self._lock:
                shared = self._pools
                if shared is None:
                    shared = self._pools = pools.acquire()
                    self._release = weakref.finalize(self, pools.release, shared)
        return shared

    @property
    def sync_client(self) -> httpx.Client:
        if self._injected_sync is not None:
            return self._injected_sync
        return self.pools.sync_client()

    @property
    def async_client(self) -> httpx.AsyncClient:
        """The async client of the running event loop (created on first use in that loop)."""
        if self._injected_async is not None:
            return self._injected_async
        return self.pools.async_client()

    def close(self) -> None:
        """Stop using the shared pools; the last user closes the sync pool (reopened on demand).
        Async pools close with their event loops, or with :meth:`aclose`."""
        with self._lock:
            release, self._release, self._pools = self._release, None, None
        if release is not None:
            release()

    async def aclose(self) -> None:
        """Like :meth:`close`; the last user also closes the running loop's async pool."""
        shared = self._pools
        if shared is not None and shared.users == 1:
            await shared.aclose_loop()
        self.close()

    def __reduce__(self) -> tuple[Any, ...]:
        if self._injected_sync is not None or self._injected_async is not None:
            raise TypeError(
                "A YEScale client built with your own http_client / async_http_client cannot be "
                "pickled (httpx clients hold sockets and locks). Build it from settings on the "
                "other side instead."
            )
        return (_rebuild, (self.settings, self.sleep, self.async_sleep, self.clock))

    # -- requests -------------------------------------------------------------------------------

    def _route(self, path: str) -> tuple[str, dict[str, str]]:
        """The base URL and auth header for a path's endpoint family."""
        settings = self.settings
        if path.startswith("/yescale/"):
            if settings.access_key is None:
                raise MissingCredentialsError(
                    "No YEScale access key for the system API: pass access_key=... or set the "
                    f"{ACCESS_KEY_ENV} environment variable (your account's home page shows it)."
                )
            token = settings.access_key.get_secret_value()
            return settings.system_base_url, {"Authorization": f"Bearer {token}"}
        if settings.api_key is None:
            raise MissingCredentialsError(
                "No YEScale API key: pass api_key=... or set the "
                f"{API_KEY_ENV} environment variable."
            )
        key = settings.api_key.get_secret_value()
        if path.startswith("/v1beta/"):
            return settings.base_url, {"x-goog-api-key": key}
        return settings.base_url, {"Authorization": f"Bearer {key}"}

    def _base(
        self, client: httpx.Client | httpx.AsyncClient
    ) -> tuple[Mapping[str, str], httpx.Timeout]:
        """The headers every request starts from, and the timeout, for ``client``."""
        if client is self._injected_sync or client is self._injected_async:
            headers = httpx.Headers(client.headers)
            headers["User-Agent"] = USER_AGENT
            headers["Accept-Encoding"] = ACCEPT_ENCODING
            return headers, client.timeout
        return self.pools.client_headers, self.settings.timeout

    def request_for(
        self, call: Call[Any], client: httpx.Client | httpx.AsyncClient
    ) -> httpx.Request:
        """The request for ``call``: base headers, then ``default_headers``, the call's own, and
        auth last, merged case-insensitively (auth cannot be overridden)."""
        base_url, auth = self._route(call.path)
        first, timeout = self._base(client)
        headers = httpx.Headers(first)
        headers.update(self.settings.default_headers)
        headers.update(call.headers)
        headers.update(auth)
        return build_request(call, base_url, headers, timeout)

    def plain_request_for(
        self, url: str, client: httpx.Client | httpx.AsyncClient, time_left: float | None
    ) -> httpx.Request:
        """A GET of a link outside the API: no credentials, no ``default_headers``, none of the
        headers a caller's own client holds (they may carry its credentials)."""
        _, timeout = self._base(client)
        return httpx.Request(
            "GET",
            url,
            headers=_PLAIN_HEADERS,
            extensions={"timeout": capped_timeout(timeout, time_left).as_dict()},
        )

    def _sync(self) -> tuple[_Context, SyncIO]:
        client = self._injected_sync
        pool = None
        if client is None:
            shared = self.pools
            client = shared.sync_client()
            pool = shared.sync_pool(client)
        return _Context(self, client), SyncIO(client, pool, self.sleep)

    def _async(self) -> tuple[_Context, AsyncIO]:
        client = self._injected_async
        pool = None
        if client is None:
            shared = self.pools
            client = shared.async_client()
            pool = shared.async_pool(client)
        return _Context(self, client), AsyncIO(client, pool, self.async_sleep)

    # -- operations -----------------------------------------------------------------------------

    def send(self, call: Call[T]) -> T:
        if call.meter is None:
            ctx, io = self._sync()
            return run(core.send(ctx, call), io)
        call.meter.before()
        ctx, io = self._sync()
        return call.meter.after(run(core.send(ctx, call), io))

    async def asend(self, call: Call[T]) -> T:
        if call.meter is None:
            ctx, io = self._async()
            return await arun(core.send(ctx, call), io)
        call.meter.before()
        ctx, io = self._async()
        return call.meter.after(await arun(core.send(ctx, call), io))

    def stream(self, call: Call[Any], decoder: Callable[[], StreamDecoder[M]]) -> Iterator[M]:
        """Yield decoded chunks; retried only until the first chunk has been yielded."""
        ctx, io = self._sync()
        return iterate(core.stream(ctx, call, decoder), io)

    def astream(self, call: Call[Any], decoder: Callable[[], StreamDecoder[M]]) -> AsyncIterator[M]:
        """Async twin of :meth:`stream` (the pool is chosen when iteration starts)."""

        async def chunks() -> AsyncIterator[M]:
            ctx, io = self._async()
            chunks = aiterate(core.stream(ctx, call, decoder), io)
            try:
                async for chunk in chunks:
                    yield chunk
            finally:
                await chunks.aclose()

        return chunks()

    def send_file(self, call: Call[Any], expect: FileAnswer, to: Path | None = None) -> Any:
        """Send ``call`` whose answer is a file (speech): its bytes, or saved to ``to`` (never
        a partial file there); metered as :meth:`send` meters."""
        meter = call.meter
        if meter is not None:
            meter.before()
        ctx, io = self._sync()
        operation = (
            read_file_answer(ctx, call, expect)
            if to is None
            else (save_file_answer(ctx, call, expect, to))
        )
        answer = run(operation, io)
        return answer if meter is None else meter.after(answer)

    async def asend_file(self, call: Call[Any], expect: FileAnswer, to: Path | None = None) -> Any:
        """Async twin of :meth:`send_file`."""
        meter = call.meter
        if meter is not None:
            meter.before()
        ctx, io = self._async()
        operation = (
            read_file_answer(ctx, call, expect)
            if to is None
            else (save_file_answer(ctx, call, expect, to))
        )
        answer = await arun(operation, io)
        return answer if meter is None else meter.after(answer)

    def download(self, url: str, path: Path, timeout: float | None = None) -> Path:
        """Save ``url`` to ``path`` without our credentials; never leaves a partial file there.
        Each attempt must be over within ``timeout`` (default: the client's, its read part)."""
        ctx, io = self._sync()
        return run(links.download(ctx, url, path, self._download_time(timeout)), io)

    async def adownload(self, url: str, path: Path, timeout: float | None = None) -> Path:
        ctx, io = self._async()
        return await arun(links.download(ctx, url, path, self._download_time(timeout)), io)

    def _download_time(self, timeout: float | None) -> float | None:
        if timeout is None:
            return self.settings.timeout.read
        if isinstance(timeout, bool) or not isinstance(timeout, (int, float)) or timeout <= 0:
            raise InvalidRequestError(
                f"download timeout must be a positive number of seconds, got {timeout!r:.40}."
            )
        return float(timeout)

    def fetch(self, url: str, check: core.URLCheck | None, limit: int) -> tuple[bytes, str]:
        """GET a public URL into memory: ``(body, declared content type)``."""
        ctx, io = self._sync()
        return run(links.fetch(ctx, url, check, limit), io)

    async def afetch(self, url: str, check: core.URLCheck | None, limit: int) -> tuple[bytes, str]:
        ctx, io = self._async()
        return await arun(links.fetch(ctx, url, check, limit), io)


_PLAIN_HEADERS = {"Accept": "*/*", "Accept-Encoding": ACCEPT_ENCODING, "User-Agent": USER_AGENT}


class _Context:
    """What one operation sees of its transport: settings, policy, and the request builders
    bound to the client it runs on."""

    __slots__ = (
        "_transport",
        "allow_local_redirects",
        "client",
        "clock",
        "cooldowns",
        "retry",
        "secrets",
        "settings",
    )

    def __init__(self, transport: Transport, client: httpx.Client | httpx.AsyncClient) -> None:
        self._transport = transport
        self.client = client
        self.settings = transport.settings
        self.retry = transport.retry
        self.cooldowns = transport.cooldowns
        self.clock = transport.clock
        self.secrets = transport.secrets
        self.allow_local_redirects = transport.allow_local_redirects

    def request(self, call: Call[Any]) -> httpx.Request:
        return self._transport.request_for(call, self.client)

    def plain_request(self, url: str, time_left: float | None = None) -> httpx.Request:
        return self._transport.plain_request_for(url, self.client, time_left)


def _rebuild(
    settings: ClientSettings,
    sleep: Callable[[float], None],
    async_sleep: Callable[[float], Awaitable[None]],
    clock: Callable[[], float],
) -> Transport:
    return Transport(settings, sleep=sleep, async_sleep=async_sleep, clock=clock)
