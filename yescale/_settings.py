"""Client settings: arguments first, then the environment, then the documented defaults."""

from __future__ import annotations

import ipaddress
import math
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import httpx
from pydantic import SecretStr

from ._warnings import warn_at_caller
from .errors import (
    InsecureURLWarning,
    InvalidRequestError,
    MissingCredentialsError,
    SecretValues,
    register_secrets,
)

DEFAULT_BASE_URL = "https://api.yescale.io"
DEFAULT_SYSTEM_BASE_URL = "https://yescale.bogia.app"
DEFAULT_TIMEOUT = httpx.Timeout(300.0, connect=10.0)
DEFAULT_MAX_RETRIES = 2
#: No real chat, embedding or image answer comes near this (2048 embeddings of 3072 dimensions
#: in base64 are about 34 MB); a runaway or hostile answer stops here.
DEFAULT_MAX_RESPONSE_BYTES = 64 * 1024 * 1024
#: Generated videos are tens to hundreds of MB.
DEFAULT_MAX_DOWNLOAD_BYTES = 4 * 1024 * 1024 * 1024

API_KEY_ENV = "YESCALE_API_KEY"
BASE_URL_ENV = "YESCALE_BASE_URL"
ACCESS_KEY_ENV = "YESCALE_ACCESS_KEY"
SYSTEM_BASE_URL_ENV = "YESCALE_SYSTEM_BASE_URL"

_LOCAL_NAMES = {"localhost", "0.0.0.0"}


def _is_local(host: str) -> bool:
    """This machine: ``localhost`` or a loopback address (127.0.0.0/8, ::1)."""
    host = host.lower().rstrip(".")
    if host in _LOCAL_NAMES:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _secret(value: str | SecretStr | None, env: str) -> SecretStr | None:
    # Stripped: a key read from a file keeps its newline, which is an illegal header value
    # (httpx then fails as if the network were down, and retries).
    if isinstance(value, SecretStr):
        text = value.get_secret_value().strip()
    elif value and value.strip():
        text = value.strip()
    else:
        text = os.environ.get(env, "").strip()
    if not text:
        return None
    _check_key(text, env)
    return SecretStr(text)


def _check_key(text: str, env: str) -> None:
    """Refuse a key that cannot be sent in a header, without showing it.

    A key with a space, a line break or a non-ASCII character inside is a copy-paste accident;
    sent as is it fails deep inside httpx (whose error and stack would carry the key).
    """
    for position, char in enumerate(text, start=1):
        if not "!" <= char <= "~":
            if char == " ":
                what = "a space"
            elif char < " " or char == "\x7f":
                what = "a control character (a line break?)"
            else:
                what = "a non-ASCII character"
            argument = "access_key" if env == ACCESS_KEY_ENV else "api_key"
            raise InvalidRequestError(
                f"The YEScale key given as {argument} (or {env}) has {what} at position "
                f"{position} of {len(text)}: keys are printable ASCII. Copy the key again."
            )


def _url(value: str | None, env: str, default: str, argument: str) -> str:
    if value is not None and not isinstance(value, str):
        raise InvalidRequestError(
            f"{argument} must be a string such as {default!r}, got {type(value).__name__}."
        )
    from_env = os.environ.get(env, "").strip()
    url = (value or from_env or default).strip().rstrip("/")
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc or " " in url:
        where = argument if value else f"The {env} environment variable"
        hint = ""
        if "://" not in url and url and " " not in url:
            hint = f" Add the scheme: 'https://{url}'."
        raise InvalidRequestError(
            f"{where} must be an http(s) URL such as {default!r}, got {url!r}.{hint}"
        )
    if parts.scheme == "http" and not _is_local(parts.hostname or ""):
        warn_at_caller(
            f"{url!r} is plain http: your YEScale key would cross the network unencrypted. "
            "Use https.",
            InsecureURLWarning,
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
        for name, part in value.as_dict().items():
            if part is not None and not (isinstance(part, (int, float)) and part > 0):
                raise InvalidRequestError(
                    f"timeout.{name} must be a positive number of seconds or None, got {part!r}."
                )
        return value
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise InvalidRequestError(
            f"timeout must be a number of seconds (e.g. 60) or an httpx.Timeout, got "
            f"{type(value).__name__} {value!r:.40}."
        )
    seconds = float(value)
    if not math.isfinite(seconds) or seconds <= 0:
        raise InvalidRequestError(
            f"timeout must be a positive number of seconds, got {value!r}: 0 or less would fail "
            "every request. Leave it unset for the default (300 s)."
        )
    return httpx.Timeout(seconds, connect=min(10.0, seconds))


def _size(value: int | None, default: int, name: str) -> int:
    if value is None:
        return default
    if isinstance(value, bool) or not isinstance(value, int) or value < 1024:
        raise InvalidRequestError(
            f"{name} must be a whole number of bytes, at least 1024 (e.g. 64 * 1024 * 1024), "
            f"got {value!r:.40}. Leave it unset for the default ({default >> 20} MiB)."
        )
    return value


def _headers(headers: Mapping[str, str] | None) -> dict[str, str]:
    if headers is None:
        return {}
    if not isinstance(headers, Mapping):
        raise InvalidRequestError(
            f"default_headers must be a dict of header names to values, got "
            f"{type(headers).__name__}."
        )
    for name, value in headers.items():
        if not isinstance(name, str) or not isinstance(value, str):
            raise InvalidRequestError(
                f"default_headers must map strings to strings; {name!r:.40} has a "
                f"{type(value).__name__} value: convert it with str()."
            )
        if "\n" in value or "\r" in value:
            raise InvalidRequestError(
                f"default_headers[{name!r:.40}] contains a line break, which HTTP does not allow."
            )
    return dict(headers)


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
    #: the most an API answer (or one stream event) may hold, after decompression
    max_response_bytes: int = DEFAULT_MAX_RESPONSE_BYTES
    #: the most a download (a media result) may hold
    max_download_bytes: int = DEFAULT_MAX_DOWNLOAD_BYTES

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
        max_response_bytes: int | None = None,
        max_download_bytes: int | None = None,
    ) -> ClientSettings:
        if max_retries is None:
            retries = DEFAULT_MAX_RETRIES
        elif isinstance(max_retries, bool) or not isinstance(max_retries, int):
            raise InvalidRequestError(
                f"max_retries must be an integer >= 0 (e.g. 2), got {type(max_retries).__name__} "
                f"{max_retries!r:.40}."
            )
        else:
            retries = max_retries
        if retries < 0:
            raise InvalidRequestError(
                f"max_retries must be >= 0, got {retries}: use 0 to never retry."
            )
        return cls(
            api_key=_secret(api_key, API_KEY_ENV),
            base_url=_url(base_url, BASE_URL_ENV, DEFAULT_BASE_URL, "base_url"),
            access_key=_secret(access_key, ACCESS_KEY_ENV),
            system_base_url=_url(
                system_base_url, SYSTEM_BASE_URL_ENV, DEFAULT_SYSTEM_BASE_URL, "system_base_url"
            ),
            timeout=_timeout(timeout),
            max_retries=retries,
            default_headers=_headers(default_headers),
            max_response_bytes=_size(
                max_response_bytes, DEFAULT_MAX_RESPONSE_BYTES, "max_response_bytes"
            ),
            max_download_bytes=_size(
                max_download_bytes, DEFAULT_MAX_DOWNLOAD_BYTES, "max_download_bytes"
            ),
        )

    def __post_init__(self) -> None:
        # Known to the log filter, which scrubs them from the HTTP libraries' DEBUG records.
        register_secrets(self.secrets())

    def secrets(self) -> SecretValues:
        """The secret values, for scrubbing messages (a tuple whose repr is masked)."""
        return SecretValues(
            key.get_secret_value() for key in (self.api_key, self.access_key) if key is not None
        )

    def __repr__(self) -> str:
        return (
            f"ClientSettings(base_url={self.base_url!r}, system_base_url="
            f"{self.system_base_url!r}, api_key={'set' if self.api_key else None}, "
            f"access_key={'set' if self.access_key else None}, max_retries={self.max_retries})"
        )


def secret_key_inputs(data: dict[str, Any]) -> dict[str, Any]:
    """Turn string ``api_key`` / ``access_key`` arguments into ``SecretStr`` (in place).

    Framework classes do this before pydantic validates them: pydantic puts the whole input into
    the errors a model validator raises (``input_value={...}``), and a plain key with it.
    """
    for name in ("api_key", "access_key"):
        if isinstance(data.get(name), str):
            data[name] = SecretStr(data[name])
    return data


def check_framework_settings(owner: str, **settings: Any) -> ClientSettings:
    """The settings of a framework class ``owner``, resolved when it is built (arguments, then
    the environment, then the defaults): an error naming ``owner`` and the environment variable
    when no key is configured or the key given is blank, and whatever :meth:`ClientSettings.resolve`
    raises, now rather than at the first request."""
    key = settings.get("api_key")
    text = key.get_secret_value() if isinstance(key, SecretStr) else key
    # a blank key given is a mistake (an unset variable read as ""), not a request for the
    # environment's key
    if key is not None and (not isinstance(text, str) or not text.strip()):
        raise _missing_key(owner)
    resolved = ClientSettings.resolve(**settings)
    if resolved.api_key is None:
        raise _missing_key(owner)
    return resolved


def _missing_key(owner: str) -> MissingCredentialsError:
    return MissingCredentialsError(
        f"{owner} needs a YEScale API key: pass api_key=... or set the {API_KEY_ENV} "
        "environment variable."
    )


def refuse_pickling_own_clients(owner: str, sync: object, asynchronous: object, names: str) -> None:
    """Framework objects pickle with their settings (their YEScale client rebuilds its pools on
    the other side), but not with a caller's own httpx clients, which hold sockets and locks:
    refused with the reason, rather than dropped (the copy would quietly run on the shared pool,
    without the caller's proxy or certificates). ``names``: the owner's two argument names."""
    if sync is not None or asynchronous is not None:
        raise TypeError(
            f"A {owner} built with your own httpx client ({names}) cannot be pickled: httpx "
            "clients hold sockets and locks. Build it with the same settings in the other "
            "process instead."
        )
