"""The client settings every LlamaIndex class of this package accepts, in one place."""

from __future__ import annotations

import os
from typing import Any

import httpx
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PrivateAttr,
    SecretStr,
    field_serializer,
    model_validator,
)

from yescale import YEScaleClient
from yescale._settings import (
    check_framework_settings,
    refuse_pickling_own_clients,
    secret_key_inputs,
)
from yescale._validate import unwrapped_errors


class YEScaleClientParams(BaseModel):
    """``api_key``, ``base_url``, ``timeout``, ``max_retries``, ``default_headers``, httpx
    clients; builds (or shares) the :class:`yescale.YEScaleClient`."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    api_key: SecretStr | None = Field(default=None, exclude=True)
    """YEScale API key; read from ``YESCALE_API_KEY`` when not given. Never serialized."""
    base_url: str | None = None
    """API host (default ``https://api.yescale.io``; env ``YESCALE_BASE_URL``)."""
    timeout: float | None = None
    """Seconds per request (default 300)."""
    max_retries: int | None = None
    """Retries of transient failures (default 2)."""
    default_headers: dict[str, str] | None = None
    http_client: httpx.Client | None = Field(default=None, exclude=True)
    async_http_client: httpx.AsyncClient | None = Field(default=None, exclude=True)

    _client: YEScaleClient | None = PrivateAttr(default=None)

    def __init__(self, **data: Any) -> None:
        # The key becomes a SecretStr before validation: pydantic puts the whole input into the
        # errors a model validator raises (``input_value={...}``), and the key with it.
        secret_key_inputs(data)
        # Our own error from a validator (no key, a bad setting or schema) reaches the user as
        # itself, not wrapped in pydantic's ValidationError.
        with unwrapped_errors():
            super().__init__(**data)

    @model_validator(mode="after")
    def _resolve_key(self) -> Any:
        if self.api_key is None and os.environ.get("YESCALE_API_KEY"):
            self.api_key = SecretStr(os.environ["YESCALE_API_KEY"])
        # no key, a timeout of 0, a base URL without scheme...: refused now, not at the first call
        check_framework_settings(type(self).__name__, **self._client_settings())
        return self

    def _client_settings(self) -> dict[str, Any]:
        return {
            "api_key": self.api_key,
            "base_url": self.base_url,
            "timeout": self.timeout,
            "max_retries": self.max_retries,
            "default_headers": self.default_headers,
        }

    @field_serializer("api_key", when_used="always")
    def _hide_key(self, value: SecretStr | None) -> None:
        return None

    def __getstate__(self) -> dict[Any, Any]:
        refuse_pickling_own_clients(
            type(self).__name__,
            self.http_client,
            self.async_http_client,
            "http_client / async_http_client",
        )
        state: dict[Any, Any] = super().__getstate__()
        return state

    @property
    def client(self) -> YEScaleClient:
        """The YEScale client (shared by every object with the same settings)."""
        if self._client is None:
            settings = self._client_settings()
            if self.http_client is not None or self.async_http_client is not None:
                self._client = YEScaleClient(
                    **settings,
                    http_client=self.http_client,
                    async_http_client=self.async_http_client,
                )
            else:
                self._client = YEScaleClient.shared(**settings)
        return self._client
