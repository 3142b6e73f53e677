"""The client settings every LangChain class of this package accepts, in one place."""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache
from typing import Any, ClassVar

import httpx
from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, SecretStr

from yescale import ClientSettings, YEScaleClient
from yescale.integration.arguments import ArgumentRules, argument_rules
from yescale.integration.clients import (
    ResolvedSettings,
    client_for,
    construction_errors,
    refuse_pickling_own_clients,
    resolve_settings,
)


class YEScaleClientParams(BaseModel):
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

    #: Arguments this class refuses, with what to do instead (on top of the peers' table).
    _refused_arguments: ClassVar[Mapping[str, str]] = {}
    #: Said when an unknown argument is refused (classes without ``model_kwargs``).
    _unknown_argument_hint: ClassVar[str] = ""

    def __init__(self, **data: Any) -> None:
        # Before pydantic: unknown arguments would be dropped silently, and a key would be echoed
        # by the errors a model validator raises (``input_value={...}``); it becomes a SecretStr.
        data = _argument_rules(type(self)).sort(data)
        # A missing key or a bad setting raised by a validator reaches the user as the yescale
        # error itself (MissingCredentialsError, InvalidRequestError), not wrapped by pydantic.
        with construction_errors():
            super().__init__(**data)

    def _client_settings(self) -> dict[str, Any]:
        return {
            "api_key": self.api_key,
            "base_url": self.base_url,
            "timeout": self.timeout,
            "max_retries": self.max_retries,
            "default_headers": self.default_headers,
        }

    def _client_extras(self) -> dict[str, Any]:
        """What makes the client this object's own: httpx clients, injected time functions."""
        extras = {"http_client": self.http_client, "async_http_client": self.http_async_client}
        time_functions = getattr(self, "time_functions", None)
        if time_functions is not None:
            extras.update(time_functions())
        return {name: value for name, value in extras.items() if value is not None}

    @property
    def client(self) -> YEScaleClient:
        """The YEScale client: shared by every object with the same settings, unless httpx
        clients or time functions are injected."""
        if self._client is None:
            self._client = client_for(self._resolved_settings(), **self._client_extras())
        return self._client

    def _resolved_settings(self) -> ClientSettings:
        """The settings, resolved when the object was built (again if a field changed since)."""
        resolved = resolve_settings(type(self).__name__, self._client_settings(), self._settings)
        if resolved is not self._settings:
            self._settings = resolved
            # what the environment supplied shows on the object, as ChatOpenAI's fields do
            for name, value in resolved.from_environment.items():
                if getattr(self, name) is None:
                    setattr(self, name, value)
        return resolved.settings

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
        """Resolve the settings now: a missing key or a bad setting (``timeout=0``, a base URL
        without scheme) is refused when the object is built, not at the first request."""
        self._resolved_settings()


@cache
def _argument_rules(cls: type[YEScaleClientParams]) -> ArgumentRules:
    """How ``cls`` sorts its constructor's arguments: unknown ones go to ``model_kwargs`` where
    the class has it (a known field inside it is refused, as in ``ChatOpenAI``; LangChain's own
    fields such as ``metadata`` are not ours, and may be request fields), else are refused."""
    passthrough = "model_kwargs" if "model_kwargs" in cls.model_fields else None
    return argument_rules(
        cls,
        passthrough=passthrough,
        strict_passthrough=True,
        framework=("langchain_core",),
        refused=cls._refused_arguments,
        hint=cls._unknown_argument_hint,
    )
