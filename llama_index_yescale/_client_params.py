"""The client settings every LlamaIndex class of this package accepts, in one place."""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache
from typing import Any, ClassVar

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

from yescale import ClientSettings, YEScaleClient
from yescale.integration.arguments import ArgumentRules, argument_rules
from yescale.integration.clients import (
    ResolvedSettings,
    client_for,
    construction_errors,
    refuse_pickling_own_clients,
    resolve_settings,
    timeout_from_json,
    timeout_to_json,
)


class YEScaleClientParams(BaseModel):
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

    #: The class name errors and warnings give (the tool spec's options speak for the spec).
    _argument_owner: ClassVar[str | None] = None
    #: Arguments this class refuses, with what to do instead (on top of the peers' table).
    _refused_arguments: ClassVar[Mapping[str, str]] = {}
    #: Said when an unknown argument is refused (classes without ``additional_kwargs``).
    _unknown_argument_hint: ClassVar[str] = ""

    def __init__(self, **data: Any) -> None:
        # Before pydantic: unknown arguments would be dropped silently, and a key would be echoed
        # by the errors a model validator raises (``input_value={...}``); it becomes a SecretStr.
        data = _argument_rules(type(self)).sort(data)
        # Our own error from a validator (no key, a bad setting or schema) reaches the user as
        # itself, not wrapped in pydantic's ValidationError.
        with construction_errors():
            super().__init__(**data)

    @model_validator(mode="after")
    def _resolve_settings(self) -> Any:
        # no key, a timeout of 0, a base URL without scheme...: refused now, not at the first call
        self._resolved_settings()
        return self

    def _resolved_settings(self) -> ClientSettings:
        """The settings, resolved when the object was built (again if a field changed since)."""
        owner = self._argument_owner or type(self).__name__
        resolved = resolve_settings(owner, self._client_settings(), self._settings)
        if resolved is not self._settings:
            self._settings = resolved
            for name, value in resolved.from_environment.items():
                if getattr(self, name) is None:
                    setattr(self, name, value)
        return resolved.settings

    @field_validator("timeout", mode="before")
    @classmethod
    def _timeout_from_json(cls, value: Any) -> Any:
        return timeout_from_json(value)  # as ``to_json`` wrote an ``httpx.Timeout``

    @field_serializer("timeout", when_used="always")
    def _timeout_to_json(self, value: float | httpx.Timeout | None) -> Any:
        return timeout_to_json(value)

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

    def _client_extras(self) -> dict[str, Any]:
        """What makes the client this object's own: httpx clients, injected time functions."""
        extras = {"http_client": self.http_client, "async_http_client": self.async_http_client}
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


@cache
def _argument_rules(cls: type[YEScaleClientParams]) -> ArgumentRules:
    """How ``cls`` sorts its constructor's arguments: unknown ones go to ``additional_kwargs``
    where the class has it (merged over its own fields at every call, as in LlamaIndex's OpenAI
    classes), else are refused."""
    passthrough = "additional_kwargs" if "additional_kwargs" in cls.model_fields else None
    return argument_rules(
        cls,
        owner=cls._argument_owner,
        passthrough=passthrough,
        refused=cls._refused_arguments,
        hint=cls._unknown_argument_hint,
    )
