"""The client settings every LangChain class of this package accepts, in one place."""

from __future__ import annotations

from typing import ClassVar

import httpx
from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, SecretStr

from yescale import YEScaleClient
from yescale.integration.clients import ClientOwner, ResolvedSettings


class YEScaleClientParams(ClientOwner, BaseModel):
    """``api_key``, ``base_url``, ``timeout``, ``max_retries``, ``default_headers``, httpx clients.

    Resolves them once, when the object is built (:func:`yescale.integration.clients.
    resolve_settings`: the environment is read there), and builds (or shares) the
    :class:`yescale.YEScaleClient` the class talks through. Sorts the constructor's arguments
    first (:mod:`yescale.integration.arguments`): the peers' spellings are accepted, unknown
    arguments go to ``model_kwargs`` with a warning (refused by classes without one), a key
    under another service's name is refused.
    """

    model_config = ConfigDict(populate_by_name=True, arbitrary_types_allowed=True)

    api_key: SecretStr | None = Field(default=None, alias="api_key")
    """YEScale API key (``yescale_api_key`` is accepted too); read from ``YESCALE_API_KEY``
    when not given."""
    base_url: str | None = Field(default=None, alias="base_url")
    """API host (default ``https://api.yescale.io``; env ``YESCALE_BASE_URL``); ``api_base`` and
    ``openai_api_base`` are accepted too."""
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
    _settings: ResolvedSettings | None = PrivateAttr(default=None)

    _async_client_field: ClassVar[str] = "http_async_client"
    _passthrough_field: ClassVar[str] = "model_kwargs"
    _strict_passthrough: ClassVar[bool] = True
    _framework_modules: ClassVar[tuple[str, ...]] = ("langchain_core",)



    def _check_settings(self) -> None:
        """Resolve the settings now: a missing key or a bad setting (``timeout=0``, a base URL
        without scheme) is refused when the object is built, not at the first request."""
        self._resolved_settings()
