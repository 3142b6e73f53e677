"""The error hierarchy of the YEScale client, and the mapping from HTTP answers to it.

Every error carries the service's message, the HTTP status (when there was one), the service's
error ``code``/``type`` and the request id when the gateway gave one. No error ever carries an API
key: messages are scrubbed of the configured keys and of anything that looks like one.
"""

from __future__ import annotations

import datetime
import email.utils
import html
import json
import logging
import re
import threading
import time
from collections.abc import Iterable, Mapping
from typing import Any

__all__ = [
    "APIConnectionError",
    "APIStatusError",
    "APITimeoutError",
    "AuthenticationError",
    "BadRequestError",
    "ConflictError",
    "ContextLengthExceededError",
    "IncompleteStreamError",
    "InsecureURLWarning",
    "InsufficientQuotaError",
    "InternalServerError",
    "InvalidRequestError",
    "InvalidResponseError",
    "MissingCredentialsError",
    "NotFoundError",
    "PermissionDeniedError",
    "RateLimitError",
    "SecretValues",
    "TaskError",
    "TaskFailedError",
    "TaskTimeoutError",
    "YEScaleError",
]


class YEScaleError(Exception):
    """Base class of every error the YEScale client raises."""

    def __init__(
        self,
        message: str,
        *,
        status_code: int | None = None,
        code: str | None = None,
        error_type: str | None = None,
        request_id: str | None = None,
        body: Any = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.status_code = status_code
        self.code = code
        self.error_type = error_type
        self.request_id = request_id
        self.body = body
        self.retry_after: float | None = None
        #: True when the request certainly never reached the service (the connection was never
        #: made), so repeating it cannot do anything twice.
        self.request_unsent = False

    def __str__(self) -> str:
        return self.message

    def __reduce__(self) -> tuple[Any, ...]:
        # Keep errors picklable (multiprocessing, LangGraph checkpoints) with their fields.
        return (_rebuild, (type(self), self.message, self.__dict__.copy()))


def extend_message(error: YEScaleError, text: str) -> None:
    """Add ``text`` to ``error``'s message, which ``str(error)`` and ``error.args`` both show."""
    error.message = f"{error.message}{text}"
    error.args = (error.message,)


def _rebuild(cls: type[YEScaleError], message: str, state: dict[str, Any]) -> YEScaleError:
    err = cls.__new__(cls)
    Exception.__init__(err, message)
    err.__dict__.update(state)
    return err


class InvalidRequestError(YEScaleError, ValueError):
    """The request was refused before it was sent: an argument is missing or out of range."""


class MissingCredentialsError(InvalidRequestError):
    """No API key (or access key) was given as an argument nor found in the environment."""


class APIStatusError(YEScaleError):
    """The service answered with an HTTP error status (or a redirect, which is never followed
    with a key attached)."""


class BadRequestError(APIStatusError):
    """400/413/422: the service refused the request as malformed or unsupported."""


class ContextLengthExceededError(BadRequestError):
    """400: the prompt (plus ``max_tokens``) is longer than the model's context window."""


class AuthenticationError(APIStatusError):
    """401: the key is missing, wrong, expired or disabled."""


class PermissionDeniedError(APIStatusError):
    """403: the key may not use this model or endpoint (model limits, IP allow-list, group)."""


class NotFoundError(APIStatusError):
    """404: the model, endpoint or task does not exist."""


class ConflictError(APIStatusError):
    """409: the service reported a conflicting concurrent change; retried automatically."""


class RateLimitError(APIStatusError):
    """429: too many requests. ``retry_after`` holds the wait the service asked for, if any."""


class InsufficientQuotaError(APIStatusError):
    """The account or key has run out of credit. Top up or raise the key's quota; not retried."""


class InternalServerError(APIStatusError):
    """5xx: the gateway or the upstream provider failed. Retried automatically."""


class APIConnectionError(YEScaleError):
    """The request did not get an answer: DNS, TLS, refused or reset connection."""


class APITimeoutError(APIConnectionError):
    """The request or the stream took longer than ``timeout``."""


class IncompleteStreamError(APIConnectionError):
    """A stream ended or was cut before its terminator: the output is incomplete, not returned."""


class InvalidResponseError(YEScaleError):
    """A success status with a body we cannot read (not JSON, or the wrong shape)."""


class TaskError(YEScaleError):
    """Base class of media-task errors; ``task_id`` always names the task."""

    def __init__(self, message: str, *, task_id: str, task: Any = None, **kwargs: Any) -> None:
        super().__init__(message, **kwargs)
        self.task_id = task_id
        self.task = task


class TaskFailedError(TaskError):
    """The media task finished with a failure; ``reason`` holds the service's ``fail_reason``."""

    def __init__(
        self, message: str, *, task_id: str, reason: str | None = None, **kwargs: Any
    ) -> None:
        super().__init__(message, task_id=task_id, **kwargs)
        self.reason = reason


class TaskTimeoutError(TaskError):
    """We stopped waiting for a media task. It may still finish: resume with its ``task_id``."""

    def __init__(
        self,
        message: str,
        *,
        task_id: str,
        last_status: str | None = None,
        progress: str | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(message, task_id=task_id, **kwargs)
        self.last_status = last_status
        self.progress = progress


class InsecureURLWarning(UserWarning):
    """A base URL is plain ``http://`` to a host that is not this machine: the key would cross
    the network unencrypted. Use ``https://``."""


# ---------------------------------------------------------------------------------------------
# Scrubbing

_KEY_PATTERNS = re.compile(
    r"(sk-[A-Za-z0-9_\-]{6,}|AIza[0-9A-Za-z_\-]{20,}|(?i:bearer)\s+[A-Za-z0-9_\-.=]{8,})"
)


class SecretValues(tuple[str, ...]):
    """The configured keys, for scrubbing. A tuple whose ``repr`` / ``str`` never shows them:
    it is held by long-lived objects (the transport, stream decoders, ``functools.partial`` s)
    whose reprs end up in error trackers that capture local variables."""

    __slots__ = ()

    def __repr__(self) -> str:
        return f"<{len(self)} secret value{'s' if len(self) != 1 else ''}>"

    __str__ = __repr__


def scrub(text: str, secrets: Iterable[str] = ()) -> str:
    """Remove the given secret values and anything key-shaped from ``text``."""
    for secret in secrets:
        if secret and len(secret) >= 4:
            text = text.replace(secret, "***")
    return _KEY_PATTERNS.sub(_mask, text)


def _mask(match: re.Match[str]) -> str:
    found = match.group(0)
    if found.lower().startswith("bearer"):
        return "Bearer ***"
    return found[:3] + "***"


# ---------------------------------------------------------------------------------------------
# Logs: the HTTP libraries below us may log header blocks at DEBUG (``hpack`` logs every header
# it encodes, Authorization included, when a caller's client speaks HTTP/2; ``httpcore`` logs
# response headers). A filter on their loggers scrubs the keys configured in this process.

_KNOWN_SECRETS: set[str] = set()
_SECRETS_LOCK = threading.Lock()

#: Loggers whose records may carry request or response headers.
HTTP_LOGGERS = (
    "httpx",
    "httpcore.connection",
    "httpcore.http11",
    "httpcore.http2",
    "httpcore.proxy",
    "httpcore.socks",
    "hpack.hpack",
    "hpack.table",
    "h2.connection",
    "yescale",
)


def register_secrets(secrets: Iterable[str]) -> None:
    """Remember configured keys so that :class:`SecretLogFilter` can scrub them from logs."""
    with _SECRETS_LOCK:
        _KNOWN_SECRETS.update(value for value in secrets if value and len(value) >= 4)


class SecretLogFilter(logging.Filter):
    """Replaces configured keys (and key-shaped strings) in a log record's message by ``***``.

    Installed on :data:`HTTP_LOGGERS`; it only runs for records those loggers actually emit
    (at DEBUG, only when DEBUG logging is on), so it costs nothing otherwise.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a record whose arguments do not format: leave it to logging
            return True
        with _SECRETS_LOCK:  # (a client may be configured in another thread meanwhile)
            known = SecretValues(_KNOWN_SECRETS)
        clean = scrub(message, known)
        if clean != message:
            record.msg, record.args = clean, None
        return True


def install_log_filter() -> None:
    """Put one :class:`SecretLogFilter` on each of :data:`HTTP_LOGGERS` (idempotent)."""
    for name in HTTP_LOGGERS:
        target = logging.getLogger(name)
        if not any(isinstance(f, SecretLogFilter) for f in target.filters):
            target.addFilter(SecretLogFilter())


install_log_filter()


# ---------------------------------------------------------------------------------------------
# Mapping answers to errors

_QUOTA_CODES = {
    "insufficient_quota",
    "insufficient_user_quota",
    "insufficient_token_quota",
    "pre_consume_token_quota_failed",
    "quota_exceeded",
    "token_quota_exhausted",
}
_QUOTA_TEXT = re.compile(
    r"(quota|credit|balance)[^.]{0,40}(insufficient|not enough|exceeded|exhausted|used up)"
    r"|(insufficient|not enough|out of)[^.]{0,20}(quota|credit|balance)",
    re.IGNORECASE,
)
_CONTEXT_CODES = {"context_length_exceeded", "string_above_max_length"}
_CONTEXT_TEXT = re.compile(
    r"maximum context length|context[_ ]length|context window|too many tokens|prompt is too long"
    r"|exceeds the maximum number of tokens|input token count",
    re.IGNORECASE,
)
#: Rate wording: a 429 saying "quota exceeded ... per minute" is a rate limit, not an empty account.
_RATE_TEXT = re.compile(
    r"per (second|minute|hour|day)|rate.?limit|requests per|tokens per", re.IGNORECASE
)
_TITLE = re.compile(r"<title[^>]*>(.*?)</title>", re.IGNORECASE | re.DOTALL)
_TAGS = re.compile(r"<[^>]+>")
_SPACE = re.compile(r"\s+")
_REQUEST_ID_HEADERS = ("x-request-id", "x-oneapi-request-id", "x-new-api-request-id", "request-id")


def _lower_keys(headers: Mapping[str, str]) -> dict[str, str]:
    """Header names are case-insensitive: accept a plain dict in any case, like httpx.Headers."""
    return {str(name).lower(): value for name, value in headers.items()}


def parse_retry_after(headers: Mapping[str, str], now: float | None = None) -> float | None:
    """Seconds to wait from ``retry-after-ms`` / ``Retry-After`` (seconds or an HTTP date)."""
    headers = _lower_keys(headers)
    millis = headers.get("retry-after-ms")
    if millis:
        try:
            return max(0.0, float(millis) / 1000.0)
        except ValueError:
            pass
    value = headers.get("retry-after")
    if not value:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when is None:
        return None
    if when.tzinfo is None:
        # HTTP dates are always GMT; "-0000" parses as naive, which would mean local time.
        when = when.replace(tzinfo=datetime.timezone.utc)
    current = time.time() if now is None else now
    return max(0.0, when.timestamp() - current)


def _readable_body(body: bytes, content_type: str) -> tuple[str, dict[str, Any] | None]:
    """The service's message from an error body, and the parsed JSON when it was JSON."""
    text = body.decode("utf-8", errors="replace").strip()
    if not text:
        return "", None
    looks_json = "json" in content_type or text[:1] in "{["
    if looks_json:
        try:
            data = json.loads(text)
        except ValueError:
            data = None
        if isinstance(data, dict):
            return _json_message(data), data
    if "html" in content_type or text[:1] == "<":
        title = _TITLE.search(text)
        shown = title.group(1) if title else _TAGS.sub(" ", text)
        shown = _SPACE.sub(" ", html.unescape(shown)).strip()
        return f"the service returned an HTML page instead of JSON: {shown[:200]!r}", None
    return _SPACE.sub(" ", text)[:300], None


def _json_message(data: dict[str, Any]) -> str:
    err = data.get("error")
    if isinstance(err, dict):
        msg = err.get("message") or err.get("msg") or err.get("status")
        if msg:
            return str(msg)
    if isinstance(err, str) and err:
        return err
    for key in ("message", "detail", "msg"):
        if data.get(key):
            return str(data[key])
    return json.dumps(data)[:300]


def _error_fields(data: dict[str, Any] | None) -> tuple[str | None, str | None]:
    if not data:
        return None, None
    err = data.get("error")
    if isinstance(err, dict):
        code = err.get("code")
        kind = err.get("type") or err.get("status")
        return (str(code) if code is not None else None), (str(kind) if kind else None)
    code = data.get("code")
    return (str(code) if code is not None else None), None


def error_from_response(
    status_code: int,
    headers: Mapping[str, str],
    body: bytes,
    *,
    credential_env: str = "YESCALE_API_KEY",
    secrets: Iterable[str] = (),
    what: str = "request",
    endpoint: str | None = None,
) -> YEScaleError:
    """Map an HTTP error answer to the matching :class:`APIStatusError` subclass.

    ``endpoint`` is what was requested: an API path (``/v1/chat/completions``, ``/task/{id}``,
    ``/yescale/user``) or, for a download or an image fetch, the URL. The hint added to the
    message depends on it: a 404 on a task poll is about the task id, not a model name, and a
    401 from a download host is not about the YEScale key (which is never sent there).
    """
    secrets = SecretValues(secrets)
    headers = _lower_keys(headers)
    service_msg, data = _readable_body(body, headers.get("content-type", ""))
    code, error_type = _error_fields(data)
    request_id = next((headers[h] for h in _REQUEST_ID_HEADERS if headers.get(h)), None)
    family = endpoint_family(endpoint, credential_env)
    cls, hint = _classify(status_code, code, error_type, service_msg, family, endpoint)
    if 300 <= status_code < 400:
        location = shown_url(headers.get("location", "")) or "no Location given"
        hint = hint.format(location=location)
    message = f"YEScale {what} failed with HTTP {status_code}"
    if service_msg:
        message += f": {service_msg.rstrip('.') if hint else service_msg}"
    if hint:
        message += f". {hint}"
    if request_id:
        message += f" (request id {request_id})"
    message = scrub(message, secrets)
    safe_body = json.loads(scrub(json.dumps(data), secrets)) if data is not None else None
    err = cls(
        message,
        status_code=status_code,
        code=code,
        error_type=error_type,
        request_id=request_id,
        body=safe_body,
    )
    err.retry_after = parse_retry_after(headers)
    return err


def envelope_error(
    message: str | None, *, what: str, endpoint: str | None = None, secrets: Iterable[str] = ()
) -> YEScaleError:
    """A System API answer ``{"success": false, "message": ...}`` (sent with HTTP 200).

    Not reported as an HTTP status the service never sent: the service's message says what was
    refused. Quota and credential wording map to their classes; anything else is a
    :class:`BadRequestError` (the request was understood and refused). ``status_code`` is
    ``None``: there was no HTTP error.
    """
    said = (message or "").strip() or "no reason given"
    if _QUOTA_TEXT.search(said):
        cls: type[YEScaleError] = InsufficientQuotaError
        hint = "The account is out of credit"
    elif _AUTH_TEXT.search(said):
        cls, hint = AuthenticationError, _HINTS["system"][401]
    else:
        cls, hint = BadRequestError, ""
    where = f" ({endpoint})" if endpoint and endpoint not in what else ""
    text = f'The YEScale {what}{where} was refused ("success": false): {said.rstrip(".")}'
    if hint:
        text += f". {hint}"
    hidden = SecretValues(secrets)
    return cls(
        scrub(text, hidden),
        code="success_false",
        body={"success": False, "message": scrub(said, hidden)},
    )


def error_from_payload(
    data: dict[str, Any], *, secrets: Iterable[str] = (), what: str = "stream"
) -> YEScaleError:
    """Map an error object sent inside a 200 answer (an SSE event, a system-API envelope)."""
    err = data.get("error")
    status = None
    if isinstance(err, dict) and isinstance(err.get("code"), int):
        status = int(err["code"])
    body = json.dumps(data).encode()
    return error_from_response(
        status or 500, {"content-type": "application/json"}, body, secrets=secrets, what=what
    )


#: What a request was for, as far as hints are concerned.
#: ``model``: /v1 and /v1beta model endpoints and task submission; ``task``: a task poll;
#: ``system``: the System API; ``download``: a URL outside the API (CDN result, input image).
EndpointFamily = str

_AUTH_TEXT = re.compile(
    r"unauthori[sz]ed|access token|invalid token|not logged in|authenticat", re.IGNORECASE
)

_HINTS: dict[str, dict[int, str]] = {
    "model": {
        401: "Check the key passed as api_key or set in the YESCALE_API_KEY environment variable",
        403: "The key may not use this model or endpoint: check its model limits, group and "
        "IP allow-list in the YEScale dashboard",
        404: "Check the model name (client.system.models() lists what YEScale serves) and the path",
    },
    "task": {
        401: "Check the key passed as api_key or set in the YESCALE_API_KEY environment variable",
        403: "This key may not read this task: a task can be polled with the key that submitted it",
        404: "No media task with this id: check the task_id (use the one submit() returned, "
        "with the key that submitted it)",
    },
    "system": {
        401: "Check the access key passed as access_key or set in the YESCALE_ACCESS_KEY "
        "environment variable (your account's home page shows it)",
        403: "The access key may not use this System API endpoint",
        404: "Check the id in the path (client.system.list_api_keys() lists your keys) and "
        "system_base_url",
    },
    "download": {
        401: "The download host refused the link. Your YEScale key is never sent to other "
        "hosts: the URL must be public or signed, and result links expire (url_expires_at)",
        403: "The download host refused the link. Your YEScale key is never sent to other "
        "hosts: the URL must be public or signed, and result links expire (url_expires_at)",
        404: "Nothing at this URL: result links expire (url_expires_at); poll the task again "
        "for a fresh link",
    },
}


def endpoint_family(endpoint: str | None, credential_env: str = "YESCALE_API_KEY") -> str:
    """``model``, ``task``, ``system`` or ``download`` for a requested path or URL."""
    if endpoint is None:
        return "system" if credential_env == "YESCALE_ACCESS_KEY" else "model"
    if endpoint.lower().startswith(("http://", "https://")):
        return "download"
    if endpoint.startswith("/yescale/"):
        return "system"
    if endpoint.startswith("/task/") and endpoint.rstrip("/") != "/task/submit":
        return "task"
    return "model"


def shown_url(url: str) -> str:
    """A URL for messages: without its query or fragment (signed links carry signatures), and
    at most 200 characters."""
    text = url.split("?", 1)[0].split("#", 1)[0].strip()
    return text if len(text) <= 200 else text[:200] + "..."


def _classify(
    status: int,
    code: str | None,
    error_type: str | None,
    msg: str,
    family: str,
    endpoint: str | None = None,
) -> tuple[type[YEScaleError], str]:
    code_l = (code or "").lower()
    type_l = (error_type or "").lower()
    hints = _HINTS.get(family, _HINTS["model"])
    if 300 <= status < 400:
        setting = "system_base_url" if family == "system" else "base_url"
        return APIStatusError, (
            "The service answered with a redirect to {location}. Redirects of API requests are "
            f"not followed, so that your key never goes to another host: set {setting} to the "
            "address you trust (https), not the one that redirects"
        )
    rate_worded = status == 429 and _RATE_TEXT.search(msg) is not None
    quota_worded = _QUOTA_TEXT.search(msg) is not None and not rate_worded
    if family != "download" and (code_l in _QUOTA_CODES or type_l in _QUOTA_CODES or quota_worded):
        return InsufficientQuotaError, (
            "The account or key is out of credit: top up, or raise the key's quota "
            "(client.system.edit_api_key_quota)"
        )
    if status == 401:
        return AuthenticationError, hints[401]
    if status == 403:
        return PermissionDeniedError, hints[403]
    if status == 404:
        return NotFoundError, hints[404]
    if status == 408:
        return APITimeoutError, "The service timed out waiting for the request; retried"
    if status == 409:
        return ConflictError, ""
    if status == 429:
        return RateLimitError, "Slow down, or retry after the wait the service asked for"
    if status >= 500:
        if family == "download":
            return InternalServerError, "The download host failed; this is usually temporary"
        return InternalServerError, (
            "The gateway or the upstream provider failed; this is usually temporary"
        )
    if family != "download" and (code_l in _CONTEXT_CODES or _CONTEXT_TEXT.search(msg)):
        return ContextLengthExceededError, (
            "Shorten the prompt or lower max_tokens, or use a model with a larger context window"
        )
    return BadRequestError, ""
