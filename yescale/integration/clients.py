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

from collections.abc import Awaitable, Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import httpx

from .._client import YEScaleClient
from .._settings import (
    DEFAULT_BASE_URL,
    ClientSettings,
    check_framework_settings,
    refuse_pickling_own_clients,
)
from .._validate import unwrapped_errors

__all__ = [
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


def client_for(
    settings: ClientSettings,
    *,
    http_client: httpx.Client | None = None,
    async_http_client: httpx.AsyncClient | None = None,
    sleep: Callable[[float], None] | None = None,
    async_sleep: Callable[[float], Awaitable[None]] | None = None,
    clock: Callable[[], float] | None = None,
) -> YEScaleClient:
    """The client for resolved ``settings``: shared by every object with the same settings
    (:meth:`YEScaleClient.shared_for`), or a client of its own when httpx clients or time
    functions are given. Nothing is resolved again."""
    own = (http_client, async_http_client, sleep, async_sleep, clock)
    if all(item is None for item in own):
        return YEScaleClient.shared_for(settings)
    return YEScaleClient.from_settings(
        settings,
        http_client=http_client,
        async_http_client=async_http_client,
        sleep=sleep,
        async_sleep=async_sleep,
        clock=clock,
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
