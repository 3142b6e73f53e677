"""The transport: the only code in the project that speaks HTTP.

One pooled ``httpx.Client`` per YEScale client (thread-safe), one ``httpx.AsyncClient`` per
event loop (never shared across loops), auth chosen by endpoint family, one retry policy, errors
mapped once, SSE decoded once.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import json as jsonlib
import logging
import os
import threading
import time
import urllib.request
import uuid
import weakref
from collections.abc import AsyncGenerator, AsyncIterator, Awaitable, Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Generic, TypeVar

import httpx
from httpx_sse import EventSource
from pydantic import BaseModel, ValidationError

from ._json_values import json_problem
from ._retry import RetryPolicy
from ._settings import ACCESS_KEY_ENV, API_KEY_ENV, ClientSettings
from ._streaming import StreamDecoder
from ._version import __version__
from .errors import (
    APIConnectionError,
    APITimeoutError,
    IncompleteStreamError,
    InvalidRequestError,
    InvalidResponseError,
    MissingCredentialsError,
    YEScaleError,
    error_from_payload,
    error_from_response,
    extend_message,
    scrub,
    shown_url,
)

logger = logging.getLogger("yescale")

T = TypeVar("T")
M = TypeVar("M", bound=BaseModel)

USER_AGENT = f"yescale-integrations/{__version__} (python; httpx/{httpx.__version__})"
CONNECTION_LIMITS = httpx.Limits(max_connections=1000, max_keepalive_connections=200)
#: A fixed multipart boundary, so that recorded image-edit requests match on replay.
MULTIPART_BOUNDARY = "yescale-integrations-boundary-7b3f9e1c"


@dataclass
class Call(Generic[T]):
    """One request to send: where, what, and how to read the answer."""

    method: str
    path: str
    parse: Callable[[bytes], T]
    json: Any = None
    params: Mapping[str, Any] | None = None
    data: Mapping[str, Any] | None = None
    files: list[tuple[str, tuple[str, bytes, str]]] | None = None
    what: str = "request"
    headers: dict[str, str] = field(default_factory=dict)
    #: False for a request the service may act on twice if repeated (a paid media task submit):
    #: then only failures that show it was not acted on (no connection, 408, 429) are retried.
    repeatable: bool = True
    #: Seconds the caller can still give this request (a media wait's deadline): every timeout
    #: is capped to it and the request is sent once, its caller deciding what comes next.
    time_left: float | None = None


def capped_timeout(timeout: httpx.Timeout, limit: float | None) -> httpx.Timeout:
    """``timeout`` with each part (connect, read, write, pool) at most ``limit`` seconds."""
    if limit is None:
        return timeout
    parts = (timeout.connect, timeout.read, timeout.write, timeout.pool)
    connect, read, write, pool = (limit if p is None else min(p, limit) for p in parts)
    return httpx.Timeout(connect=connect, read=read, write=write, pool=pool)


def json_parser(model: type[M]) -> Callable[[bytes], M]:
    """A parser that validates the JSON body as ``model`` (in Rust, without a dict in between)."""

    def parse(content: bytes) -> M:
        try:
            return model.model_validate_json(content)
        except ValidationError as exc:
            raise _unreadable(content, model.__name__, exc) from None

    return parse


def _unreadable(content: bytes, expected: str, exc: ValidationError) -> InvalidResponseError:
    text = content.decode("utf-8", errors="replace").strip()
    if not text:
        detail = "an empty body"
    elif text[:1] == "<":
        detail = f"an HTML page ({text[:120]!r})"
    elif exc.errors()[0].get("type") == "json_invalid":
        detail = f"a body that is not JSON ({text[:120]!r})"
    else:
        detail = f"JSON that is not a {expected} ({exc.error_count()} problems: {text[:160]!r})"
    return InvalidResponseError(
        f"YEScale answered with a success status but {detail}. This usually means a proxy or "
        "the gateway misbehaved; retry, or check base_url."
    )


#: Transport failures that happen before a request is sent.
_NOT_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)


def _not_acted_on(error: YEScaleError) -> bool:
    """Whether the service certainly did nothing with the request that failed."""
    return error.request_unsent or error.status_code in (408, 429)


def _environment_proxy() -> bool:
    """Whether the environment sets a proxy (``HTTP(S)_PROXY``, ``ALL_PROXY``...).

    ``NO_PROXY`` alone sets none. With a proxy, our clients are built the way ``httpx`` honours
    it (``httpx`` reads the environment only for transports it builds itself), and every request
    goes through the client, which picks the proxy (or none, per ``NO_PROXY``) for each URL.
    Without one, requests may skip the client layer and go straight to our own pool.
    """
    return any(scheme != "no" for scheme in urllib.request.getproxies())


def _encode_json(value: Any) -> bytes:
    """JSON as ``httpx`` encodes a ``json=`` body."""
    return jsonlib.dumps(value, ensure_ascii=False, separators=(",", ":"), allow_nan=False).encode()


@contextlib.contextmanager
def _json_body(call: Call[Any]) -> Iterator[None]:
    """Around the encoding of ``call.json``: the encoder's bare ``TypeError`` / ``ValueError``
    ("Object of type datetime is not JSON serializable") becomes an :class:`InvalidRequestError`
    naming where the body stops being JSON. Free when the body is fine (it is only walked after
    the encoder failed, before anything is sent)."""
    try:
        yield
    except (TypeError, ValueError) as exc:
        problem = None if isinstance(exc, YEScaleError) else json_problem(call.json)
        if problem is None:
            raise
        raise InvalidRequestError(f"Cannot send the {call.what}: {problem}.") from exc


@functools.lru_cache(maxsize=512)
def _url(text: str) -> httpx.URL:
    """Parsed URLs of the (few) endpoint paths, parsed once (``httpx.URL`` is immutable)."""
    return httpx.URL(text)


def _send_to_pool(pool: httpx.HTTPTransport, request: httpx.Request) -> httpx.Response:
    """Send through the connection pool itself and read the whole answer.

    The ``httpx.Client`` layer around a pool adds cookies, auth flows, redirect handling and
    event hooks, none of which our API requests use (we never follow redirects with a key
    attached); skipping it saves about a third of the CPU of a request.
    """
    response = pool.handle_request(request)
    response.request = request
    try:
        response.read()
    finally:
        response.close()
    return response


async def _asend_to_pool(pool: httpx.AsyncHTTPTransport, request: httpx.Request) -> httpx.Response:
    """:func:`_send_to_pool` for the async pool."""
    response = await pool.handle_async_request(request)
    response.request = request
    try:
        await response.aread()
    finally:
        await response.aclose()
    return response


class Transport:
    """Sends :class:`Call` s with auth, retries and error mapping; sync and async."""

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
        self.secrets = settings.secrets()
        self._injected_sync = http_client
        self._injected_async = async_http_client
        self._sync: httpx.Client | None = None
        self._sync_pool: httpx.HTTPTransport | None = None
        #: what our own clients add to every request (Accept, Accept-Encoding, User-Agent...)
        self._client_headers: dict[str, str] = {}
        self._async_pools: weakref.WeakKeyDictionary[
            httpx.AsyncClient, httpx.AsyncHTTPTransport
        ] = weakref.WeakKeyDictionary()
        self._async: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, httpx.AsyncClient] = (
            weakref.WeakKeyDictionary()
        )
        self._closers: weakref.WeakKeyDictionary[
            asyncio.AbstractEventLoop, AsyncGenerator[None, None]
        ] = weakref.WeakKeyDictionary()
        self._lock = threading.Lock()

    # -- clients --------------------------------------------------------------------------------

    @property
    def sync_client(self) -> httpx.Client:
        if self._injected_sync is not None:
            return self._injected_sync
        client = self._sync
        if client is None or client.is_closed:
            with self._lock:
                client = self._sync
                if client is None or client.is_closed:
                    if _environment_proxy():
                        client = httpx.Client(
                            timeout=self.settings.timeout, limits=CONNECTION_LIMITS
                        )
                        self._sync_pool = None
                    else:
                        self._sync_pool = httpx.HTTPTransport(limits=CONNECTION_LIMITS)
                        client = httpx.Client(
                            timeout=self.settings.timeout, transport=self._sync_pool
                        )
                    self._sync = client
                    self._client_headers = {**client.headers, "user-agent": USER_AGENT}
        return client

    def _pool(self, client: httpx.Client) -> httpx.HTTPTransport | None:
        """Our own connection pool behind ``client``, when requests may skip the client layer."""
        return self._sync_pool if client is self._sync else None

    @property
    def async_client(self) -> httpx.AsyncClient:
        """The async client of the running event loop (created on first use in that loop)."""
        if self._injected_async is not None:
            return self._injected_async
        loop = asyncio.get_running_loop()
        client = self._async.get(loop)
        if client is None or client.is_closed:
            with self._lock:
                client = self._async.get(loop)
                if client is None or client.is_closed:
                    if _environment_proxy():
                        client = httpx.AsyncClient(
                            timeout=self.settings.timeout, limits=CONNECTION_LIMITS
                        )
                    else:
                        pool = httpx.AsyncHTTPTransport(limits=CONNECTION_LIMITS)
                        client = httpx.AsyncClient(timeout=self.settings.timeout, transport=pool)
                        self._async_pools[client] = pool
                    self._async[loop] = client
                    self._client_headers = {**client.headers, "user-agent": USER_AGENT}
                    self._closers[loop] = _close_with_loop(client)
        return client

    def close(self) -> None:
        """Close the sync pool; forget async pools (they close with their event loops)."""
        with self._lock:
            if self._sync is not None:
                self._sync.close()
                self._sync = None
            self._async = weakref.WeakKeyDictionary()
            self._closers = weakref.WeakKeyDictionary()

    async def aclose(self) -> None:
        """Close the async pool of the running loop, and the sync pool."""
        try:
            loop: asyncio.AbstractEventLoop | None = asyncio.get_running_loop()
        except RuntimeError:
            loop = None
        client = self._async.pop(loop) if loop is not None and loop in self._async else None
        if client is not None:
            await client.aclose()
        self.close()

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

    def _addressed(self, call: Call[Any], first: Mapping[str, str]) -> tuple[str, httpx.Headers]:
        """The base URL and the headers of ``call``: ``first``, then ``default_headers``, the
        call's own, and auth last, merged case-insensitively (auth cannot be overridden)."""
        base, auth = self._route(call.path)
        headers = httpx.Headers(first)
        headers.update(self.settings.default_headers)
        headers.update(call.headers)
        headers.update(auth)
        return base, headers

    def build(self, call: Call[Any], client: httpx.Client | httpx.AsyncClient) -> httpx.Request:
        base, headers = self._addressed(call, {"User-Agent": USER_AGENT})
        if call.files is not None:
            headers["Content-Type"] = f"multipart/form-data; boundary={MULTIPART_BOUNDARY}"
        with _json_body(call):
            request = client.build_request(
                call.method,
                base + call.path,
                json=call.json,
                params=call.params,
                data=call.data,
                files=call.files,
                headers=headers,
            )
        if call.time_left is not None:
            request.extensions["timeout"] = capped_timeout(client.timeout, call.time_left).as_dict()
        return request

    def _direct_request(self, call: Call[Any]) -> httpx.Request:
        """The request ``build`` makes for a JSON (or empty) body, built without a client.

        Same bytes on the wire as ``httpx.Client.build_request`` on our own clients: their
        default headers, the compact JSON encoding, the timeout extension. Multipart and form
        bodies go through ``build``.
        """
        base, headers = self._addressed(call, self._client_headers)
        content: bytes | None = None
        if call.json is not None:
            headers["Content-Type"] = "application/json"
            with _json_body(call):
                content = _encode_json(call.json)
        if call.params:
            url = httpx.URL(base + call.path, params=call.params)
        else:
            url = _url(base + call.path)
        return httpx.Request(
            call.method,
            url,
            headers=headers,
            content=content,
            extensions={"timeout": capped_timeout(self.settings.timeout, call.time_left).as_dict()},
        )

    def _credential_env(self, call: Call[Any]) -> str:
        return ACCESS_KEY_ENV if call.path.startswith("/yescale/") else API_KEY_ENV

    def _status_error(self, call: Call[Any], response: httpx.Response) -> YEScaleError:
        return error_from_response(
            response.status_code,
            response.headers,
            response.content,
            credential_env=self._credential_env(call),
            secrets=self.secrets,
            what=f"{call.what} ({call.method} {call.path})",
            endpoint=call.path,
        )

    def _transport_error(self, call: Call[Any], exc: Exception) -> YEScaleError:
        error = self._describe_transport_error(call, exc)
        error.request_unsent = isinstance(exc, _NOT_SENT)
        return error

    def _describe_transport_error(self, call: Call[Any], exc: Exception) -> YEScaleError:
        where = f"{call.what} ({call.method} {call.path})"
        detail = scrub(_describe(exc), self.secrets)
        download = call.what == "download"  # from a result host, not from base_url
        if isinstance(exc, httpx.TimeoutException):
            hint = (
                "Raise `timeout` for large files, or retry later"
                if download
                else "Raise `timeout` for long generations, or use https://api.yescale.vip "
                "(no CDN) for long requests"
            )
            return APITimeoutError(
                f"YEScale {where} timed out ({type(exc).__name__}: {detail}). {hint}."
            )
        if not isinstance(exc, httpx.TransportError):  # e.g. a body that fails to decompress
            return APIConnectionError(
                f"The answer to YEScale {where} could not be read ({type(exc).__name__}: "
                f"{detail}); a proxy may have damaged it."
            )
        if download:
            return APIConnectionError(
                f"YEScale {where} failed: {type(exc).__name__}: {detail}. Check the network and "
                "retry; result links expire (url_expires_at), poll the task for a fresh one."
            )
        return APIConnectionError(
            f"Could not reach YEScale for {where}: {type(exc).__name__}: {detail}. Check the "
            "network and base_url."
        )

    def _give_up_or_wait(self, call: Call[Any], attempt: int, error: YEScaleError) -> float:
        if call.time_left is not None:
            raise error  # sent once: its caller polls again, or stops at its deadline
        if not call.repeatable and self.retry.is_retryable(error) and not _not_acted_on(error):
            extend_message(
                error,
                f" The service may have accepted this {call.what} before the failure, so it is "
                "not sent again automatically (it could be billed twice). Check your recent tasks "
                "(client.system.tasks, or the YEScale dashboard) before submitting again.",
            )
            raise error
        delay = self.retry.delay_for(attempt, error)
        if delay is None:
            if attempt and self.retry.is_retryable(error):
                # Say that retrying did not help, and which setting governs it.
                extend_message(
                    error,
                    f" (gave up after {attempt + 1} attempts; "
                    f"max_retries={self.retry.max_retries})",
                )
            raise error
        logger.info(
            "Retrying YEScale %s %s in %.2fs (attempt %d of %d): %s",
            call.method,
            call.path,
            delay,
            attempt + 1,
            self.retry.max_retries,
            type(error).__name__,
        )
        return delay

    def send(self, call: Call[T]) -> T:
        client = self.sync_client
        pool = self._pool(client) if call.files is None and call.data is None else None
        attempt = 0
        while True:
            try:
                if pool is not None:
                    response = _send_to_pool(pool, self._direct_request(call))
                else:
                    # Never follow a redirect with the key attached (an injected client may
                    # follow them by default): a 3xx is reported as an error below.
                    response = client.send(self.build(call, client), follow_redirects=False)
            except httpx.RequestError as exc:
                error = self._transport_error(call, exc)
            else:
                if response.status_code < 300:
                    return call.parse(response.content)
                error = self._status_error(call, response)
            self.sleep(self._give_up_or_wait(call, attempt, error))
            attempt += 1

    async def asend(self, call: Call[T]) -> T:
        client = self.async_client
        direct = call.files is None and call.data is None
        pool = self._async_pools.get(client) if direct else None
        attempt = 0
        while True:
            try:
                if pool is not None:
                    response = await _asend_to_pool(pool, self._direct_request(call))
                else:
                    response = await client.send(self.build(call, client), follow_redirects=False)
            except httpx.RequestError as exc:
                error = self._transport_error(call, exc)
            else:
                if response.status_code < 300:
                    return call.parse(response.content)
                error = self._status_error(call, response)
            await self.async_sleep(self._give_up_or_wait(call, attempt, error))
            attempt += 1

    # -- streams --------------------------------------------------------------------------------

    def _check_stream_answer(self, call: Call[Any], response: httpx.Response) -> None:
        """Raise for an answer that is not an event stream (already read by the caller)."""
        if response.status_code >= 300:
            raise self._status_error(call, response)
        try:
            data = response.json()
        except ValueError:
            data = None
        if isinstance(data, dict) and data.get("error"):
            raise error_from_payload(data, secrets=self.secrets, what=call.what)
        shown = scrub(response.text[:200], self.secrets)
        raise InvalidResponseError(
            f"YEScale answered the streaming {call.what} with "
            f"{response.headers.get('content-type', 'no content type')!r} instead of an event "
            f"stream: {shown!r}. This usually means a proxy or the gateway misbehaved; retry, "
            "or check base_url."
        )

    @staticmethod
    def _is_event_stream(response: httpx.Response) -> bool:
        return response.status_code < 400 and "text/event-stream" in response.headers.get(
            "content-type", ""
        )

    def stream(self, call: Call[Any], decoder: Callable[[], StreamDecoder[M]]) -> Iterator[M]:
        """Yield decoded chunks; retried only until the first chunk has been yielded."""
        client = self.sync_client
        attempt = 0
        while True:
            started = False
            try:
                request = self.build(call, client)
                request.headers["Accept"] = "text/event-stream"
                response = client.send(request, stream=True, follow_redirects=False)
                try:
                    if not self._is_event_stream(response):
                        response.read()
                        self._check_stream_answer(call, response)
                    dec = decoder()
                    guard = self._guard(response, is_async=False)
                    for sse in EventSource(response).iter_sse():
                        chunk = dec.feed(sse)
                        if dec.done and chunk is None:
                            break
                        if chunk is not None:
                            started = True
                            yield chunk
                            guard.touch()
                    dec.finish()
                    return
                finally:
                    response.close()
            except httpx.RequestError as exc:
                error = self._transport_error(call, exc)
            except (APIConnectionError, YEScaleError) as exc:
                error = exc
            if started:
                raise self._cut(error)
            self.sleep(self._give_up_or_wait(call, attempt, error))
            attempt += 1

    async def astream(
        self, call: Call[Any], decoder: Callable[[], StreamDecoder[M]]
    ) -> AsyncIterator[M]:
        """Async twin of :meth:`stream`."""
        client = self.async_client
        attempt = 0
        while True:
            started = False
            try:
                request = self.build(call, client)
                request.headers["Accept"] = "text/event-stream"
                response = await client.send(request, stream=True, follow_redirects=False)
                try:
                    if not self._is_event_stream(response):
                        await response.aread()
                        self._check_stream_answer(call, response)
                    dec = decoder()
                    guard = self._guard(response, is_async=True)
                    async for sse in EventSource(response).aiter_sse():
                        chunk = dec.feed(sse)
                        if dec.done and chunk is None:
                            break
                        if chunk is not None:
                            started = True
                            yield chunk
                            guard.touch()
                    dec.finish()
                    return
                finally:
                    await response.aclose()
            except httpx.RequestError as exc:
                error = self._transport_error(call, exc)
            except (APIConnectionError, YEScaleError) as exc:
                error = exc
            if started:
                raise self._cut(error)
            await self.async_sleep(self._give_up_or_wait(call, attempt, error))
            attempt += 1

    def _guard(self, response: httpx.Response, *, is_async: bool) -> _IdleGuard:
        """Bound the wait between stream events by the read timeout (see :class:`_IdleGuard`)."""
        guard = _IdleGuard(self.settings.timeout.read)
        body = response.stream
        if is_async and isinstance(body, httpx.AsyncByteStream):
            response.stream = _AsyncGuardedStream(body, guard)
        elif not is_async and isinstance(body, httpx.SyncByteStream):
            response.stream = _GuardedStream(body, guard)
        return guard

    @staticmethod
    def _cut(error: YEScaleError) -> YEScaleError:
        """A failure after output began: never retried, never a silent truncation."""
        if isinstance(error, APIConnectionError) and not isinstance(error, IncompleteStreamError):
            cut = IncompleteStreamError(
                f"The YEScale stream was cut after it had started ({error.message}). The partial "
                "answer was not returned as complete; retry the request."
            )
            cut.__cause__ = error
            return cut
        return error

    # -- downloads ------------------------------------------------------------------------------

    def download(self, url: str, path: Path) -> Path:
        """Save ``url`` to ``path`` without our auth headers; never leaves a partial file there."""
        client = self.sync_client
        call: Call[None] = Call("GET", shown_url(url), parse=lambda _: None, what="download")
        attempt = 0
        while True:
            tmp = _temp_beside(path)
            try:
                with client.stream("GET", url, follow_redirects=True, headers=_PLAIN) as response:
                    if response.status_code >= 400:
                        response.read()
                        raise self._status_error(call, response)
                    _refuse_web_page(url, response, path)
                    with tmp.open("wb") as fh:
                        for block in response.iter_bytes(1 << 16):
                            fh.write(block)
                os.replace(tmp, path)
                return path
            except httpx.RequestError as exc:
                error = self._transport_error(call, exc)
            except YEScaleError as exc:
                error = exc
            finally:
                tmp.unlink(missing_ok=True)
            self.sleep(self._give_up_or_wait(call, attempt, error))
            attempt += 1

    async def adownload(self, url: str, path: Path) -> Path:
        """Async twin of :meth:`download`."""
        client = self.async_client
        call: Call[None] = Call("GET", shown_url(url), parse=lambda _: None, what="download")
        attempt = 0
        while True:
            tmp = _temp_beside(path)
            try:
                async with client.stream(
                    "GET", url, follow_redirects=True, headers=_PLAIN
                ) as response:
                    if response.status_code >= 400:
                        await response.aread()
                        raise self._status_error(call, response)
                    _refuse_web_page(url, response, path)
                    with tmp.open("wb") as fh:
                        async for block in response.aiter_bytes(1 << 16):
                            # the disk write in a thread: a slow disk must not stall the loop
                            await asyncio.to_thread(fh.write, block)
                os.replace(tmp, path)
                return path
            except httpx.RequestError as exc:
                error = self._transport_error(call, exc)
            except YEScaleError as exc:
                error = exc
            finally:
                tmp.unlink(missing_ok=True)
            await self.async_sleep(self._give_up_or_wait(call, attempt, error))
            attempt += 1


_PLAIN = {"User-Agent": USER_AGENT}


class _IdleGuard:
    """The read timeout of a stream, counted between events rather than between bytes.

    httpx's read timeout fires only on silence: a stream that sends a keep-alive comment, or one
    byte, every few seconds would hold the caller forever. So ``timeout`` (its read part) also
    bounds the time from the start of the stream, or from the moment the caller asked for the next
    chunk, to the arrival of that chunk; keep-alives and partial events do not reset it. Time the
    caller spends between chunks is not counted. ``None`` (no read timeout) means no bound.
    """

    def __init__(self, limit: float | None) -> None:
        self.limit = limit
        self.touch()

    def touch(self) -> None:
        self.since = time.monotonic()

    def check(self) -> None:
        if self.limit is None:
            return
        idle = time.monotonic() - self.since
        if idle > self.limit:
            raise httpx.ReadTimeout(
                f"the stream sent no event for {idle:.1f}s, only keep-alives or partial data; "
                f"the read timeout ({self.limit:g}s) bounds the wait between events"
            )


class _GuardedStream(httpx.SyncByteStream):
    """A response body that raises ``ReadTimeout`` when its :class:`_IdleGuard` runs out."""

    def __init__(self, stream: httpx.SyncByteStream, guard: _IdleGuard) -> None:
        self._stream = stream
        self._guard = guard

    def __iter__(self) -> Iterator[bytes]:
        for part in self._stream:
            self._guard.check()
            yield part

    def close(self) -> None:
        self._stream.close()


class _AsyncGuardedStream(httpx.AsyncByteStream):
    """Async twin of :class:`_GuardedStream`."""

    def __init__(self, stream: httpx.AsyncByteStream, guard: _IdleGuard) -> None:
        self._stream = stream
        self._guard = guard

    async def __aiter__(self) -> AsyncIterator[bytes]:
        async for part in self._stream:
            self._guard.check()
            yield part

    async def aclose(self) -> None:
        await self._stream.aclose()


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


def _describe(exc: BaseException) -> str:
    """What went wrong, from the exception's causes when it says nothing itself.

    Async transports raise a bare ``ReadError('')`` for a reset connection; the reason
    (``ConnectionResetError: [Errno 104] Connection reset by peer``) is a few causes down.
    """
    current: BaseException | None = exc
    for _ in range(8):
        if current is None:
            break
        if str(current):
            return str(current)
        current = current.__cause__ or current.__context__
    return type(exc).__name__


#: what a file host sends instead of the file: a sign-in, an "expired link" or an error page
_WEB_PAGE_TYPES = ("text/html", "application/xhtml+xml")


def _refuse_web_page(url: str, response: httpx.Response, path: Path) -> None:
    """Refuse a web page where a media file was expected (unless an .html file was asked for).

    File hosts answer an expired or unauthorised link with a 200 and an HTML page; saved under
    ``video.mp4`` it would look like a download that worked."""
    kind = response.headers.get("content-type", "").split(";", 1)[0].strip().lower()
    if kind in _WEB_PAGE_TYPES and path.suffix.lower() not in (".html", ".htm", ".xhtml"):
        raise InvalidResponseError(
            f"The download link {shown_url(url)} answered with a web page ({kind}), not the file, "
            "so nothing was saved. The link may have expired or need a sign-in: fetch the task "
            "again (client.media.get) for a fresh result link.",
            status_code=response.status_code,
        )


def _temp_beside(path: Path) -> Path:
    return path.with_name(f".{path.name}.{uuid.uuid4().hex[:8]}.part")
