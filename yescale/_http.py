"""The transport: the only code in the project that speaks HTTP.

One pooled ``httpx.Client`` per YEScale client (thread-safe), one ``httpx.AsyncClient`` per
event loop (never shared across loops), auth chosen by endpoint family, one retry policy, errors
mapped once, SSE decoded once.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import threading
import time
import uuid
import weakref
from collections.abc import AsyncGenerator, AsyncIterator, Awaitable, Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Generic, TypeVar

import httpx
from httpx_sse import EventSource
from pydantic import BaseModel, ValidationError

from ._retry import RetryPolicy
from ._settings import ACCESS_KEY_ENV, API_KEY_ENV, ClientSettings
from ._streaming import StreamDecoder
from ._version import __version__
from .errors import (
    APIConnectionError,
    APITimeoutError,
    IncompleteStreamError,
    InvalidResponseError,
    MissingCredentialsError,
    YEScaleError,
    error_from_payload,
    error_from_response,
    scrub,
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
                    client = httpx.Client(timeout=self.settings.timeout, limits=CONNECTION_LIMITS)
                    self._sync = client
        return client

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
                    client = httpx.AsyncClient(
                        timeout=self.settings.timeout, limits=CONNECTION_LIMITS
                    )
                    self._async[loop] = client
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

    def build(self, call: Call[Any], client: httpx.Client | httpx.AsyncClient) -> httpx.Request:
        base, auth = self._route(call.path)
        headers = {"User-Agent": USER_AGENT, **self.settings.default_headers, **call.headers}
        headers.update(auth)
        if call.files is not None:
            headers["Content-Type"] = f"multipart/form-data; boundary={MULTIPART_BOUNDARY}"
        return client.build_request(
            call.method,
            base + call.path,
            json=call.json,
            params=call.params,
            data=call.data,
            files=call.files,
            headers=headers,
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
        )

    def _transport_error(self, call: Call[Any], exc: Exception) -> YEScaleError:
        where = f"{call.what} ({call.method} {call.path})"
        detail = scrub(str(exc) or type(exc).__name__, self.secrets)
        if isinstance(exc, httpx.TimeoutException):
            return APITimeoutError(
                f"YEScale {where} timed out ({type(exc).__name__}: {detail}). Raise `timeout` for "
                "long generations, or use https://api.yescale.vip (no CDN) for long requests."
            )
        if not isinstance(exc, httpx.TransportError):  # e.g. a body that fails to decompress
            return APIConnectionError(
                f"The answer to YEScale {where} could not be read ({type(exc).__name__}: "
                f"{detail}); a proxy may have damaged it."
            )
        return APIConnectionError(
            f"Could not reach YEScale for {where}: {type(exc).__name__}: {detail}. Check the "
            "network and base_url."
        )

    def _give_up_or_wait(self, call: Call[Any], attempt: int, error: YEScaleError) -> float:
        delay = self.retry.delay_for(attempt, error)
        if delay is None:
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
        attempt = 0
        while True:
            try:
                response = client.send(self.build(call, client))
            except httpx.RequestError as exc:
                error = self._transport_error(call, exc)
            else:
                if response.status_code < 400:
                    return call.parse(response.content)
                error = self._status_error(call, response)
            self.sleep(self._give_up_or_wait(call, attempt, error))
            attempt += 1

    async def asend(self, call: Call[T]) -> T:
        client = self.async_client
        attempt = 0
        while True:
            try:
                response = await client.send(self.build(call, client))
            except httpx.RequestError as exc:
                error = self._transport_error(call, exc)
            else:
                if response.status_code < 400:
                    return call.parse(response.content)
                error = self._status_error(call, response)
            await self.async_sleep(self._give_up_or_wait(call, attempt, error))
            attempt += 1

    # -- streams --------------------------------------------------------------------------------

    def _check_stream_answer(self, call: Call[Any], response: httpx.Response) -> None:
        """Raise for an answer that is not an event stream (already read by the caller)."""
        if response.status_code >= 400:
            raise self._status_error(call, response)
        try:
            data = response.json()
        except ValueError:
            data = None
        if isinstance(data, dict) and data.get("error"):
            raise error_from_payload(data, secrets=self.secrets, what=call.what)
        raise InvalidResponseError(
            f"YEScale answered the streaming {call.what} with "
            f"{response.headers.get('content-type', 'no content type')!r} instead of an event "
            f"stream: {response.text[:200]!r}"
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
                response = client.send(request, stream=True)
                try:
                    if not self._is_event_stream(response):
                        response.read()
                        self._check_stream_answer(call, response)
                    dec = decoder()
                    for sse in EventSource(response).iter_sse():
                        chunk = dec.feed(sse)
                        if dec.done and chunk is None:
                            break
                        if chunk is not None:
                            started = True
                            yield chunk
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
                response = await client.send(request, stream=True)
                try:
                    if not self._is_event_stream(response):
                        await response.aread()
                        self._check_stream_answer(call, response)
                    dec = decoder()
                    async for sse in EventSource(response).aiter_sse():
                        chunk = dec.feed(sse)
                        if dec.done and chunk is None:
                            break
                        if chunk is not None:
                            started = True
                            yield chunk
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
        call: Call[None] = Call("GET", _shown(url), parse=lambda _: None, what="download")
        attempt = 0
        while True:
            tmp = _temp_beside(path)
            try:
                with client.stream("GET", url, follow_redirects=True, headers=_PLAIN) as response:
                    if response.status_code >= 400:
                        response.read()
                        raise self._status_error(call, response)
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
        call: Call[None] = Call("GET", _shown(url), parse=lambda _: None, what="download")
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
                    with tmp.open("wb") as fh:
                        async for block in response.aiter_bytes(1 << 16):
                            fh.write(block)
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


def _shown(url: str) -> str:
    """A download URL for messages: without its query (result links carry signatures)."""
    return url.split("?", 1)[0].split("#", 1)[0]


def _temp_beside(path: Path) -> Path:
    return path.with_name(f".{path.name}.{uuid.uuid4().hex[:8]}.part")
