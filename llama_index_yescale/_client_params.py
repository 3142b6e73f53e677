"""The client settings every LlamaIndex class of this package accepts, in one place."""

from __future__ import annotations

from typing import Any

import httpx
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PrivateAttr,
    SecretStr,
    field_serializer,
    field_validator,
    model_validator,
)

from yescale import YEScaleClient
from yescale.integration.clients import (
    ClientOwner,
    ResolvedSettings,
    timeout_from_json,
    timeout_to_json,
)


class YEScaleClientParams(ClientOwner, BaseModel):
    """``api_key``, ``base_url``, ``timeout``, ``max_retries``, ``default_headers``, httpx
    clients: resolved once, when the object is built (:func:`yescale.integration.clients.
    resolve_settings`: the environment is read there); builds (or shares) the
    :class:`yescale.YEScaleClient`. Sorts the constructor's arguments first
    (:mod:`yescale.integration.arguments`): the peers' spellings are accepted (``api_base``,
    ``model_name``, ``request_timeout``...), unknown arguments go to ``additional_kwargs`` with
    a warning (refused by classes without it), a key under another service's name is refused."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    api_key: SecretStr | None = Field(default=None, exclude=True)
    """YEScale API key (``yescale_api_key`` is accepted too); read from ``YESCALE_API_KEY``
    when not given. Never serialized."""
    base_url: str | None = None
    """API host (default ``https://api.yescale.io``; env ``YESCALE_BASE_URL``); ``api_base`` and
    ``openai_api_base`` are accepted too."""
    timeout: float | httpx.Timeout | None = None
    """Seconds per request, or an ``httpx.Timeout`` (default 300 s); ``request_timeout`` is
    accepted too."""
    max_retries: int | None = None
    """Retries of transient failures (default 2)."""
    default_headers: dict[str, str] | None = None
    http_client: httpx.Client | None = Field(default=None, exclude=True)
    async_http_client: httpx.AsyncClient | None = Field(default=None, exclude=True)

    _client: YEScaleClient | None = PrivateAttr(default=None)
    _settings: ResolvedSettings | None = PrivateAttr(default=None)

    @model_validator(mode="after")
    def _resolve_settings(self) -> Any:
        # no key, a timeout of 0, a base URL without scheme...: refused now, not at the first call
        self._resolved_settings()
        return self

    @field_validator("timeout", mode="before")
    @classmethod
    def _timeout_from_json(cls, value: Any) -> Any:
        return timeout_from_json(value)  # as ``to_json`` wrote an ``httpx.Timeout``

    @field_serializer("timeout", when_used="always")
    def _timeout_to_json(self, value: float | httpx.Timeout | None) -> Any:
        return timeout_to_json(value)

    @field_serializer("api_key", when_used="always")
    def _hide_key(self, value: SecretStr | None) -> None:
        return None
