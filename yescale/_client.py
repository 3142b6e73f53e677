"""``YEScaleClient``: the one entry point to every YEScale endpoint, sync and async."""

from __future__ import annotations

import threading
import weakref
from collections.abc import Awaitable, Callable, Mapping
from types import TracebackType
from typing import Any

import httpx
from pydantic import SecretStr

from ._http import Transport
from ._settings import ClientSettings
from .resources.audio import AsyncAudio, Audio
from .resources.chat import AsyncChat, Chat
from .resources.embeddings import AsyncEmbeddings, Embeddings
from .resources.gemini import AsyncGemini, Gemini
from .resources.images import AsyncImages, Images
from .resources.media import AsyncMedia, Media
from .resources.messages import AsyncMessages, Messages
from .resources.responses import AsyncResponses, Responses
from .resources.system import AsyncSystem, System


class AsyncYEScaleClient:
    """The async face of a :class:`YEScaleClient` (``client.aio``): same groups, awaitable."""

    def __init__(self, transport: Transport) -> None:
        self.chat = AsyncChat(transport)
        self.embeddings = AsyncEmbeddings(transport)
        self.images = AsyncImages(transport)
        self.gemini = AsyncGemini(transport)
        self.media = AsyncMedia(transport)
        self.messages = AsyncMessages(transport)
        self.audio = AsyncAudio(transport)
        self.responses = AsyncResponses(transport)
        self.system = AsyncSystem(transport)
        self._transport = transport

    async def aclose(self) -> None:
        await self._transport.aclose()


class YEScaleClient:
    """Client for YEScale: OpenAI-format chat, embeddings and images, Gemini-native
    ``generateContent``, Claude in Anthropic's Messages format (``client.messages``), YEScale
    Media tasks and the System API.

    Setup:
        ``pip install yescale-integrations`` and ``export YESCALE_API_KEY=...`` (and
        ``YESCALE_ACCESS_KEY`` for the System API).

    Instantiate:
        .. code-block:: python

            from yescale import YEScaleClient

            client = YEScaleClient()  # keys and URLs from the environment
            client = YEScaleClient(api_key="...", timeout=60, max_retries=3)

    Call:
        .. code-block:: python

            reply = client.chat.create(
                model="gpt-4o-mini", messages=[{"role": "user", "content": "Hi"}]
            )
            for chunk in client.chat.stream(model="gpt-4o-mini", messages=[...]):
                ...
            task = client.media.run(model="sora-2", prompt="a cat surfing")
            client.media.download(task, "out/")

    Async:
        The same groups and names under ``client.aio``:
        ``await client.aio.chat.create(...)``, ``async for c in client.aio.chat.stream(...)``.

    Args:
        api_key: key for ``/v1``, ``/v1beta`` and ``/task`` (env ``YESCALE_API_KEY``).
        base_url: model and task host (env ``YESCALE_BASE_URL``, default
            ``https://api.yescale.io``; ``https://api.yescale.vip`` skips the CDN).
        access_key: System API key (env ``YESCALE_ACCESS_KEY``).
        system_base_url: System API host (env ``YESCALE_SYSTEM_BASE_URL``, default
            ``https://yescale.bogia.app``).
        timeout: seconds, or an ``httpx.Timeout`` (default 300 s, 10 s to connect). Each
            attempt must be over within it (its ``read`` part for an ``httpx.Timeout``): a
            server trickling its answer cannot stretch a request; for a stream it bounds the
            wait for each next event.
        max_retries: retries of transient failures (default 2).
        default_headers: headers added to every API request (never to downloads).
        max_response_bytes: the most an API answer, or one stream event, may hold after
            decompression (default 64 MiB); past it, :class:`ResponseTooLargeError`.
        max_download_bytes: the most a downloaded media file may hold (default 4 GiB).
        http_client / async_http_client: your own httpx clients (proxies, certificates).
            Without them, every client of the process shares one connection pool (keys are
            sent per request), so many clients with different keys hold few sockets.
        sleep / async_sleep / clock: time functions, injectable for tests.
    """

    def __init__(
        self,
        *,
        api_key: str | SecretStr | None = None,
        base_url: str | None = None,
        access_key: str | SecretStr | None = None,
        system_base_url: str | None = None,
        timeout: float | httpx.Timeout | None = None,
        max_retries: int | None = None,
        default_headers: Mapping[str, str] | None = None,
        max_response_bytes: int | None = None,
        max_download_bytes: int | None = None,
        http_client: httpx.Client | None = None,
        async_http_client: httpx.AsyncClient | None = None,
        sleep: Callable[[float], None] | None = None,
        async_sleep: Callable[[float], Awaitable[None]] | None = None,
        clock: Callable[[], float] | None = None,
    ) -> None:
        settings = ClientSettings.resolve(
            api_key=api_key,
            base_url=base_url,
            access_key=access_key,
            system_base_url=system_base_url,
            timeout=timeout,
            max_retries=max_retries,
            default_headers=default_headers,
            max_response_bytes=max_response_bytes,
            max_download_bytes=max_download_bytes,
        )
        self._attach(
            Transport(
                settings,
                http_client=http_client,
                async_http_client=async_http_client,
                sleep=sleep,
                async_sleep=async_sleep,
                clock=clock,
            )
        )

    @classmethod
    def from_settings(cls, settings: ClientSettings, **own: Any) -> YEScaleClient:
        """A client for settings already resolved (:meth:`ClientSettings.resolve`): neither the
        arguments nor the environment are looked at again. ``own``: ``http_client``,
        ``async_http_client``, ``sleep``, ``async_sleep``, ``clock``, as above."""
        client = cls.__new__(cls)
        client._attach(Transport(settings, **own))
        return client

    def _attach(self, transport: Transport) -> None:
        self.settings = transport.settings
        self._transport = transport
        self.chat = Chat(self._transport)
        self.embeddings = Embeddings(self._transport)
        self.images = Images(self._transport)
        self.gemini = Gemini(self._transport)
        self.media = Media(self._transport)
        self.messages = Messages(self._transport)
        self.audio = Audio(self._transport)
        self.responses = Responses(self._transport)
        self.system = System(self._transport)
        self.aio = AsyncYEScaleClient(self._transport)

    @property
    def base_url(self) -> str:
        return self.settings.base_url

    def close(self) -> None:
        """Stop using the shared pools; the last client to close closes the sync pool (async
        pools close with their event loops, or with :meth:`aclose`). The client can still be
        used: pools reopen on demand."""
        self._transport.close()

    async def aclose(self) -> None:
        await self._transport.aclose()

    def __enter__(self) -> YEScaleClient:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    async def __aenter__(self) -> YEScaleClient:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    def __repr__(self) -> str:
        return f"YEScaleClient({self.settings!r})"

    def __reduce__(self) -> tuple[Any, ...]:
        # Settings (keys included: a pickle is a full copy for a worker process) and the time
        # functions travel; pools and locks are made afresh on the other side.
        return (_unpickle, (self._transport,))

    # -- sharing --------------------------------------------------------------------------------

    _shared: weakref.WeakValueDictionary[tuple[Any, ...], YEScaleClient] = (
        weakref.WeakValueDictionary()
    )
    _shared_lock = threading.Lock()

    @classmethod
    def shared(cls, **settings: Any) -> YEScaleClient:
        """A client for these settings, shared by every live object that asks for the same ones.

        Framework classes use it (through ``yescale.integration.clients.client_for``, with their
        settings already resolved: :meth:`shared_for`). Connection pools are shared by all
        clients anyway; this also shares the client object, and forgets it once no object holds
        it (a backend that builds objects per user key does not accumulate clients).
        """
        return cls.shared_for(ClientSettings.resolve(**settings))

    @classmethod
    def shared_for(cls, resolved: ClientSettings) -> YEScaleClient:
        """:meth:`shared` for settings already resolved (not resolved again)."""
        key = (
            resolved.api_key.get_secret_value() if resolved.api_key else None,
            resolved.access_key.get_secret_value() if resolved.access_key else None,
            resolved.base_url,
            resolved.system_base_url,
            repr(resolved.timeout),
            resolved.max_retries,
            tuple(sorted(resolved.default_headers.items())),
            resolved.max_response_bytes,
            resolved.max_download_bytes,
        )
        with cls._shared_lock:
            client = cls._shared.get(key)
            if client is None:
                client = cls.from_settings(resolved)
                cls._shared[key] = client
        return client


def _unpickle(transport: Transport) -> YEScaleClient:
    client = YEScaleClient.__new__(YEScaleClient)
    client._attach(transport)
    return client
