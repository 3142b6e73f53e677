"""Client settings of framework classes: resolved once, in one place, and the client they use.

A framework class holds its settings as fields (``api_key``, ``base_url``, ``timeout``,
``max_retries``, ``default_headers``). When it is built it calls :func:`resolve_settings`, which
reads the environment for what was not given (the only place it is read, through
:meth:`yescale.ClientSettings.resolve`), applies the defaults, refuses a missing key or a bad
setting now rather than at the first request, and returns the resolved settings. The class keeps
them; :func:`client_for` turns them into its client without resolving anything again (shared by
every object with the same settings, or its own when it brings httpx clients or time functions).
A field changed after construction is seen: the settings are resolved again when their inputs
differ.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cache
from typing import Any, ClassVar

import httpx
from pydantic import BaseModel

from .._client import YEScaleClient
from .._settings import (
    DEFAULT_BASE_URL,
    ClientSettings,
    check_framework_settings,
    refuse_pickling_own_clients,
)
from .._validate import unwrapped_errors
from .arguments import ArgumentRules, argument_rules

__all__ = [
    "SETTING_NAMES",
    "ClientOwner",
    "ResolvedSettings",
    "client_for",
    "construction_errors",
    "refuse_pickling_own_clients",
    "resolve_settings",
    "timeout_from_json",
    "timeout_to_json",
]


@dataclass(frozen=True)
class ResolvedSettings:
    """A framework object's settings as given (``None``: not given) and as resolved."""

    given: Mapping[str, Any]
    settings: ClientSettings
    #: what the environment supplied for settings left unset, for the object to show as its own
    #: fields (``llm.api_key``, ``llm.base_url``), as the peers do
    from_environment: Mapping[str, Any] = field(default_factory=dict)

    def matches(self, given: Mapping[str, Any]) -> bool:
        """Whether ``given`` (the object's fields now) still resolve to these settings."""
        return given == self.given or given == {**self.given, **self.from_environment}


def resolve_settings(
    owner: str, given: Mapping[str, Any], previous: ResolvedSettings | None = None
) -> ResolvedSettings:
    """The settings of the framework object ``owner`` (its class name, for errors) built with
    ``given``: arguments, then the environment, then the defaults.

    Raises ``MissingCredentialsError`` naming ``owner`` when no key is configured (or the key
    given is blank), and what :meth:`ClientSettings.resolve` raises (a timeout of 0, a base URL
    without scheme); warns as it does (plain http to a remote host). ``previous``: the object's
    earlier result, returned as is while its inputs have not changed.
    """
    if previous is not None and previous.matches(given):
        return previous
    settings = check_framework_settings(owner, **given)
    from_environment: dict[str, Any] = {}
    if given.get("api_key") is None:
        from_environment["api_key"] = settings.api_key
    if given.get("base_url") is None and settings.base_url != DEFAULT_BASE_URL:
        from_environment["base_url"] = settings.base_url
    return ResolvedSettings(dict(given), settings, from_environment)


def client_for(settings: ClientSettings, **own: Any) -> YEScaleClient:
    """The client for resolved ``settings``: shared by every object with the same settings
    (:meth:`YEScaleClient.shared_for`), or a client of its own when ``own`` gives any of
    :meth:`YEScaleClient.from_settings`'s keyword arguments (httpx clients, time functions).
    Nothing is resolved again."""
    if all(value is None for value in own.values()):
        return YEScaleClient.shared_for(settings)
    return YEScaleClient.from_settings(settings, **own)


#: The client settings a framework class holds as fields.
SETTING_NAMES = ("api_key", "base_url", "timeout", "max_retries", "default_headers")


class ClientOwner:
    """What a framework class with client settings does with them, the same in every framework:
    resolve them (when built, and again if a field changed), show what the environment supplied
    as its own fields, build or share its client, and refuse to be pickled with its own httpx
    clients. Mixed into a pydantic model that has the :data:`SETTING_NAMES` fields,
    ``http_client`` and the async client field named by ``_async_client_field``, and the private
    attributes ``_client`` and ``_settings`` (``None`` at first)."""

    #: The field holding the caller's ``httpx.AsyncClient`` (the frameworks spell it apart).
    _async_client_field: ClassVar[str] = "async_http_client"
    #: The class name errors and warnings give (``None``: the class's own).
    _argument_owner: ClassVar[str | None] = None
    #: Where unknown constructor arguments go, when the class has that field (else refused).
    _passthrough_field: ClassVar[str] = "additional_kwargs"
    #: Refuse the class's own fields inside the passthrough dict (as ``ChatOpenAI`` does),
    #: except those of its bases in ``_framework_modules``.
    _strict_passthrough: ClassVar[bool] = False
    _framework_modules: ClassVar[tuple[str, ...]] = ()
    #: Arguments this class refuses, with what to do instead (on top of the peers' table).
    _refused_arguments: ClassVar[Mapping[str, str]] = {}
    #: Said when an unknown argument is refused (classes without the passthrough field).
    _unknown_argument_hint: ClassVar[str] = ""

    def __init__(self, **data: Any) -> None:
        # Before pydantic: unknown arguments would be dropped silently, and a key would be echoed
        # by the errors a model validator raises (``input_value={...}``); it becomes a SecretStr.
        data = _argument_rules(type(self)).sort(data)  # type: ignore[arg-type]
        # Our own error raised by a validator (no key, a bad setting or schema) reaches the
        # caller as itself, not wrapped in pydantic's ValidationError.
        with construction_errors():
            super().__init__(**data)

    _client: YEScaleClient | None
    _settings: ResolvedSettings | None

    def _client_settings(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in SETTING_NAMES}

    def _resolved_settings(self) -> ClientSettings:
        """The settings, resolved when the object was built (again if a field changed since)."""
        owner = self._argument_owner or type(self).__name__
        resolved = resolve_settings(owner, self._client_settings(), self._settings)
        if resolved is not self._settings:
            self._settings = resolved
            # what the environment supplied shows on the object, as the peers' fields do
            for name, value in resolved.from_environment.items():
                if getattr(self, name) is None:
                    setattr(self, name, value)
        return resolved.settings

    def _client_extras(self) -> dict[str, Any]:
        """What makes the client this object's own: httpx clients, injected time functions."""
        extras = {
            "http_client": getattr(self, "http_client", None),
            "async_http_client": getattr(self, self._async_client_field, None),
        }
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

    def __getstate__(self) -> dict[Any, Any]:
        refuse_pickling_own_clients(
            type(self).__name__,
            getattr(self, "http_client", None),
            getattr(self, self._async_client_field, None),
            f"http_client / {self._async_client_field}",
        )
        state: dict[Any, Any] = super().__getstate__()  # type: ignore[misc,assignment]
        return state


@cache
def _argument_rules(cls: type[BaseModel]) -> ArgumentRules:
    """How ``cls`` (a :class:`ClientOwner` model) sorts its constructor's arguments
    (:func:`argument_rules`), worked out once."""
    assert issubclass(cls, ClientOwner)
    return argument_rules(
        cls,
        owner=cls._argument_owner,
        passthrough=cls._passthrough_field,
        strict_passthrough=cls._strict_passthrough,
        framework=cls._framework_modules,
        refused=cls._refused_arguments,
        hint=cls._unknown_argument_hint,
    )


@contextmanager
def construction_errors() -> Iterator[None]:
    """Around a framework class's ``__init__``: our own error raised by one of its validators
    (a missing key, a bad setting) reaches the caller as itself, not wrapped in pydantic's
    ``ValidationError``; other validation errors are unchanged."""
    with unwrapped_errors():
        yield


def timeout_to_json(value: float | httpx.Timeout | None) -> float | dict[str, Any] | None:
    """A ``timeout`` setting as JSON: an ``httpx.Timeout`` as its four parts."""
    return value.as_dict() if isinstance(value, httpx.Timeout) else value


def timeout_from_json(value: Any) -> Any:
    """The inverse of :func:`timeout_to_json` (other values are left for validation)."""
    if isinstance(value, Mapping) and set(value) == {"connect", "read", "write", "pool"}:
        return httpx.Timeout(**value)
    return value
