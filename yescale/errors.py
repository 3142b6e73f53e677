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
import re
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
    "InsufficientQuotaError",
    "InternalServerError",
    "InvalidRequestError",
    "InvalidResponseError",
    "MissingCredentialsError",
    "NotFoundError",
    "PermissionDeniedError",
    "RateLimitError",
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

    def __str__(self) -> str:
        return self.message

    def __reduce__(self) -> tuple[Any, ...]:
        # Keep errors picklable (multiprocessing, LangGraph checkpoints) with their fields.
        return (_rebuild, (type(self), self.message, self.__dict__.copy()))


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
    """The service answered with an HTTP error status."""


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


# ---------------------------------------------------------------------------------------------
# Scrubbing

_KEY_PATTERNS = re.compile(
    r"(sk-[A-Za-z0-9_\-]{6,}|AIza[0-9A-Za-z_\-]{20,}|(?i:bearer)\s+[A-Za-z0-9_\-.=]{8,})"
)


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
) -> YEScaleError:
    """Map an HTTP error answer to the matching :class:`APIStatusError` subclass."""
    secrets = tuple(secrets)
    headers = _lower_keys(headers)
    service_msg, data = _readable_body(body, headers.get("content-type", ""))
    code, error_type = _error_fields(data)
    request_id = next((headers[h] for h in _REQUEST_ID_HEADERS if headers.get(h)), None)
    cls, hint = _classify(status_code, code, error_type, service_msg, credential_env)
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


def _classify(
    status: int, code: str | None, error_type: str | None, msg: str, credential_env: str
) -> tuple[type[YEScaleError], str]:
    code_l = (code or "").lower()
    type_l = (error_type or "").lower()
    rate_worded = status == 429 and _RATE_TEXT.search(msg) is not None
    quota_worded = _QUOTA_TEXT.search(msg) is not None and not rate_worded
    if code_l in _QUOTA_CODES or type_l in _QUOTA_CODES or quota_worded:
        return InsufficientQuotaError, (
            "The account or key is out of credit: top up, or raise the key's quota "
            "(client.system.edit_api_key_quota)"
        )
    if status == 401:
        argument = "access_key" if credential_env == "YESCALE_ACCESS_KEY" else "api_key"
        return AuthenticationError, (
            f"Check the key passed as {argument} or set in the {credential_env} environment "
            "variable"
        )
    if status == 403:
        return PermissionDeniedError, (
            "The key may not use this model or endpoint: check its model limits, group and "
            "IP allow-list in the YEScale dashboard"
        )
    if status == 404:
        return NotFoundError, (
            "Check the model name (client.system.models() lists what YEScale serves) and the path"
        )
    if status == 408:
        return APITimeoutError, "The service timed out waiting for the request; retried"
    if status == 409:
        return ConflictError, ""
    if status == 429:
        return RateLimitError, "Slow down, or retry after the wait the service asked for"
    if status >= 500:
        return InternalServerError, (
            "The gateway or the upstream provider failed; this is usually temporary"
        )
    if code_l in _CONTEXT_CODES or _CONTEXT_TEXT.search(msg):
        return ContextLengthExceededError, (
            "Shorten the prompt or lower max_tokens, or use a model with a larger context window"
        )
    return BadRequestError, ""
