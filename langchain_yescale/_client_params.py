"""The client settings every LangChain class of this package accepts, in one place."""

from __future__ import annotations

from typing import Any

import httpx
from langchain_core.utils import from_env, secret_from_env
from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, SecretStr

from yescale import YEScaleClient
from yescale._settings import (
    check_framework_settings,
    refuse_pickling_own_clients,
    secret_key_inputs,
)
from yescale._validate import unwrapped_errors


class YEScaleClientParams(BaseModel):
    """``api_key``, ``base_url``, ``timeout``, ``max_retries``, ``default_headers``, httpx clients.

    Builds (or shares) the :class:`yescale.YEScaleClient` the class talks through.
    """

    model_config = ConfigDict(populate_by_name=True, arbitrary_types_allowed=True)

    api_key: SecretStr | None = Field(
        default_factory=secret_from_env("YESCALE_API_KEY", default=None), alias="api_key"
    )
    """YEScale API key; read from ``YESCALE_API_KEY`` when not given."""
    base_url: str | None = Field(
        default_factory=from_env("YESCALE_BASE_URL", default=None), alias="base_url"
    )
    """API host (default ``https://api.yescale.io``; env ``YESCALE_BASE_URL``)."""
    timeout: float | httpx.Timeout | None = Field(default=None, alias="request_timeout")
    """Seconds per request, or an ``httpx.Timeout`` (default 300 s)."""
    max_retries: int | None = None
    """Retries of transient failures (429, 5xx, connection errors); default 2."""
    default_headers: dict[str, str] | None = None
    """Extra headers for every API request."""
    http_client: httpx.Client | None = Field(default=None, exclude=True)
    """Your own ``httpx.Client`` (proxies, certificates)."""
    http_async_client: httpx.AsyncClient | None = Field(default=None, exclude=True)
    """Your own ``httpx.AsyncClient``."""

    _client: YEScaleClient | None = PrivateAttr(default=None)

    def __init__(self, **data: Any) -> None:
        # The key becomes a SecretStr before validation: pydantic puts the whole input into the
        # errors a model validator raises (``input_value={...}``), and the key with it.
        secret_key_inputs(data)
        # A missing key or a bad setting raised by a validator reaches the user as the yescale
        # error itself (MissingCredentialsError, InvalidRequestError), not wrapped by pydantic.
        with unwrapped_errors():
            super().__init__(**data)

    def _client_settings(self) -> dict[str, Any]:
        return {
            "api_key": self.api_key,
            "base_url": self.base_url,
            "timeout": self.timeout,
            "max_retries": self.max_retries,
            "default_headers": self.default_headers,
        }

    @property
    def client(self) -> YEScaleClient:
        """The YEScale client (shared by every object with the same settings)."""
        if self._client is None:
            settings = self._client_settings()
            if self.http_client is not None or self.http_async_client is not None:
                self._client = YEScaleClient(
                    **settings,
                    http_client=self.http_client,
                    async_http_client=self.http_async_client,
                )
            else:
                self._client = YEScaleClient.shared(**settings)
        return self._client

    def __getstate__(self) -> dict[Any, Any]:
        refuse_pickling_own_clients(
            type(self).__name__,
            self.http_client,
            self.http_async_client,
            "http_client / http_async_client",
        )
        state: dict[Any, Any] = super().__getstate__()
        return state

    def _check_settings(self) -> None:
        """Refuse a missing key or a bad setting (``timeout=0``, a base URL without scheme) now,
        not at the first request."""
        check_framework_settings(type(self).__name__, **self._client_settings())
