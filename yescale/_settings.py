"""Client settings: arguments first, then the environment, then the documented defaults."""

from __future__ import annotations

import os
import warnings
from collections.abc import Mapping
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import httpx
from pydantic import SecretStr

DEFAULT_BASE_URL = "https://api.yescale.io"
DEFAULT_SYSTEM_BASE_URL = "https://yescale.bogia.app"
DEFAULT_TIMEOUT = httpx.Timeout(300.0, connect=10.0)
DEFAULT_MAX_RETRIES = 2

API_KEY_ENV = "YESCALE_API_KEY"
BASE_URL_ENV = "YESCALE_BASE_URL"
ACCESS_KEY_ENV = "YESCALE_ACCESS_KEY"
SYSTEM_BASE_URL_ENV = "YESCALE_SYSTEM_BASE_URL"

_LOCAL_HOSTS = {"localhost", "127.0.0.1", "::1", "0.0.0.0"}


def _secret(value: str | SecretStr | None, env: str) -> SecretStr | None:
    # Stripped: a key read from a file keeps its newline, which is an illegal header value
    # (httpx then fails as if the network were down, and retries).
    if isinstance(value, SecretStr):
        text = value.get_secret_value().strip()
        return SecretStr(text) if text else None
    if value and value.strip():
        return SecretStr(value.strip())
    from_env = os.environ.get(env, "").strip()
    return SecretStr(from_env) if from_env else None


def _url(value: str | None, env: str, default: str) -> str:
    url = (value or os.environ.get(env, "").strip() or default).rstrip("/")
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ValueError(f"{env}/base URL must be an http(s) URL such as {default!r}, got {url!r}")
    if parts.scheme == "http" and (parts.hostname or "") not in _LOCAL_HOSTS:
        warnings.warn(
            f"{url!r} is plain http: your YEScale key would cross the network unencrypted. "
            "Use https.",
            stacklevel=4,
        )
    # The reference documents paths from the host root (/v1/..., /v1beta/..., /task/...):
    # a base URL given with a trailing /v1 would double it.
    # Also behind a path prefix (https://proxy.example.com/yescale/v1).
    for suffix in ("/v1", "/v1beta"):
        if parts.path.endswith(suffix) and not parts.query and not parts.fragment:
            url = url[: -len(suffix)]
            break
    return url


def _timeout(value: float | httpx.Timeout | None) -> httpx.Timeout:
    if value is None:
        return DEFAULT_TIMEOUT
    if isinstance(value, httpx.Timeout):
        return value
    return httpx.Timeout(float(value), connect=min(10.0, float(value)))


@dataclass(frozen=True)
class ClientSettings:
    """Resolved, immutable settings. Build with :meth:`resolve`; keys stay ``SecretStr``."""

    api_key: SecretStr | None
    base_url: str
    access_key: SecretStr | None
    system_base_url: str
    timeout: httpx.Timeout
    max_retries: int
    default_headers: Mapping[str, str] = field(default_factory=dict)

    @classmethod
    def resolve(
        cls,
        *,
        api_key: str | SecretStr | None = None,
        base_url: str | None = None,
        access_key: str | SecretStr | None = None,
        system_base_url: str | None = None,
        timeout: float | httpx.Timeout | None = None,
        max_retries: int | None = None,
        default_headers: Mapping[str, str] | None = None,
    ) -> ClientSettings:
        retries = DEFAULT_MAX_RETRIES if max_retries is None else int(max_retries)
        if retries < 0:
            raise ValueError(f"max_retries must be >= 0, got {retries}")
        return cls(
            api_key=_secret(api_key, API_KEY_ENV),
            base_url=_url(base_url, BASE_URL_ENV, DEFAULT_BASE_URL),
            access_key=_secret(access_key, ACCESS_KEY_ENV),
            system_base_url=_url(system_base_url, SYSTEM_BASE_URL_ENV, DEFAULT_SYSTEM_BASE_URL),
            timeout=_timeout(timeout),
            max_retries=retries,
            default_headers=dict(default_headers or {}),
        )

    def secrets(self) -> tuple[str, ...]:
        """The secret values, for scrubbing messages. Never log or display these."""
        return tuple(
            key.get_secret_value() for key in (self.api_key, self.access_key) if key is not None
        )

    def __repr__(self) -> str:
        return (
            f"ClientSettings(base_url={self.base_url!r}, system_base_url="
            f"{self.system_base_url!r}, api_key={'set' if self.api_key else None}, "
            f"access_key={'set' if self.access_key else None}, max_retries={self.max_retries})"
        )
