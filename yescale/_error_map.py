"""Mapping answers to errors: HTTP error answers, error objects inside 2xx answers and
streams, the System API's ``{"success": false}``. One classification (:func:`_classify`) by
status, code, type and wording. Re-exported by :mod:`yescale.errors`.
"""

from __future__ import annotations

import datetime
import email.utils
import html
import re
import time
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from ._scrub import (
    SecretValues,
    _scrubbed,
    _text_of,
    clip,
    dumps_wire,
    loads_wire,
    quote,
    scrub,
)
from .errors import (
    APIStatusError,
    APITimeoutError,
    AuthenticationError,
    BadRequestError,
    ConflictError,
    ContextLengthExceededError,
    InsufficientQuotaError,
    InternalServerError,
    InvalidResponseError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitError,
    YEScaleError,
)

if TYPE_CHECKING:
    from pydantic import ValidationError


# ---------------------------------------------------------------------------------------------
# Mapping answers to errors

_QUOTA_CODES = {
    "insufficient_quota",
    "insufficient_user_quota",
    "insufficient_token_quota",
    "pre_consume_token_quota_failed",
    "quota_exceeded",
    "token_quota_exhausted",
    "billing_error",  # Anthropic: a billing or payment problem (HTTP 402); not retried
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
    r"per (second|minute|hour|day)|rate.?limit|requests per|tokens per|too many requests",
    re.IGNORECASE,
)
#: "Model not found / no channel": YEScale's new-api gateway says so with any status (a 503 for
#: a model no channel of the key's group serves); never temporary, never retried.
_MODEL_MISSING_CODES = {"model_not_found"}
_MODEL_MISSING_TEXT = re.compile(
    r"model_not_found|无可用渠道|模型[^\n]{0,80}?不存在|\bno available channels?\b"
    r"|\bmodel\b[^\n]{0,120}?(?:\bnot found\b|\b(?:does )?not exist|\bdoesn't exist)",
    re.IGNORECASE,
)
_MODEL_MISSING_HINT = (
    "Check the model name (client.system.models() lists what YEScale serves) and that the "
    "key's group may use it"
)
#: How much of the service's own message an error shows.
_MESSAGE_LIMIT = 1000
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


_DURATION = re.compile(r"^\s*(\d{1,9}(?:\.\d{1,9})?)s\s*$")


def retry_delay(data: Mapping[str, Any] | None) -> float | None:
    """Seconds from Gemini's ``RetryInfo`` in an error body (``error.details[]`` with
    ``"@type": "type.googleapis.com/google.rpc.RetryInfo"`` and ``"retryDelay": "1.5s"``, a
    protobuf Duration), or ``None``. Anything malformed is no delay, never an error."""
    error = data.get("error") if isinstance(data, Mapping) else None
    details = error.get("details") if isinstance(error, Mapping) else None
    if not isinstance(details, list):
        return None
    for detail in details[:20]:
        if not isinstance(detail, Mapping):
            continue
        kind, delay = detail.get("@type"), detail.get("retryDelay")
        if (
            isinstance(kind, str)
            and kind.endswith("google.rpc.RetryInfo")
            and isinstance(delay, str)
        ):
            found = _DURATION.match(delay)
            if found:
                return float(found.group(1))
    return None


def _readable_body(
    body: bytes, content_type: str, secrets: Iterable[str] = ()
) -> tuple[str, dict[str, Any] | None]:
    """The service's message from an error body (scrubbed and bounded), and the parsed JSON
    when it was a JSON object."""
    text = body.decode("utf-8", errors="replace").strip()
    if not text:
        return "", None
    looks_json = "json" in content_type or text[:1] in "{["
    if looks_json:
        data = loads_wire(text)
        if isinstance(data, dict):
            return _json_message(data, secrets), data
        if data is None and text[:1] in "{[":
            # Broken, or nested / numbered beyond what any parser here reads.
            return f"the service sent a body that is not JSON ({quote(text, secrets)})", None
    if "html" in content_type or text[:1] == "<":
        title = _TITLE.search(text)
        shown = title.group(1) if title else _TAGS.sub(" ", text)
        shown = _SPACE.sub(" ", html.unescape(shown)).strip()
        return f"the service returned an HTML page instead of JSON: {quote(shown, secrets)}", None
    return clip(_SPACE.sub(" ", text), secrets, 300), None


def _service_message(data: Mapping[str, Any], secrets: Iterable[str] = ()) -> str | None:
    """The service's own message in an error object (scrubbed and bounded), if it gave one."""
    err = data.get("error")
    if isinstance(err, Mapping):
        msg = err.get("message") or err.get("msg") or err.get("status")
        if msg:
            return clip(_text_of(msg), secrets, _MESSAGE_LIMIT)
    if isinstance(err, str) and err:
        return clip(err, secrets, _MESSAGE_LIMIT)
    for key in ("message", "detail", "msg"):
        if data.get(key):
            return clip(_text_of(data[key]), secrets, _MESSAGE_LIMIT)
    return None


def _json_message(data: Mapping[str, Any], secrets: Iterable[str] = ()) -> str:
    said = _service_message(data, secrets)
    if said is not None:
        return said
    shown = dumps_wire(data)
    return quote(shown, secrets, 300) if shown is not None else "(an error that cannot be shown)"


def _error_object(data: Mapping[str, Any]) -> Mapping[str, Any]:
    """The object holding ``code`` / ``type``: ``data["error"]`` when it is one, else ``data``
    (an SSE ``event: error`` may carry ``{"message": ..., "code": ...}`` bare)."""
    err = data.get("error")
    return err if isinstance(err, Mapping) else data


def _error_fields(
    data: Mapping[str, Any] | None, secrets: Iterable[str] = ()
) -> tuple[str | None, str | None]:
    """The error's ``code`` and ``type`` (Gemini: ``status``) as scrubbed, bounded text."""
    if not data:
        return None, None
    err = data.get("error")
    code = _error_object(data).get("code")
    kind = (err.get("type") or err.get("status")) if isinstance(err, Mapping) else None
    return (
        clip(_text_of(code), secrets, 100) if code is not None else None,
        clip(_text_of(kind), secrets, 100) if kind else None,
    )


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
    service_msg, data = _readable_body(body, headers.get("content-type", ""), secrets)
    code, error_type = _error_fields(data, secrets)
    request_id = next((headers[h] for h in _REQUEST_ID_HEADERS if headers.get(h)), None)
    if request_id is not None:
        request_id = clip(request_id, secrets, 100)
    family = endpoint_family(endpoint, credential_env)
    cls, hint = _classify(status_code, code, error_type, service_msg, family, endpoint)
    if 300 <= status_code < 400:
        location = shown_url(headers.get("location", ""), secrets) or "no Location given"
        hint = hint.format(location=location)
    message = f"YEScale {what} failed with HTTP {status_code}"
    if service_msg:
        message += f": {service_msg.rstrip('.') if hint else service_msg}"
    if hint:
        message += f". {hint}"
    if request_id:
        message += f" (request id {request_id})"
    message = scrub(message, secrets)
    safe_body = _scrubbed(data, secrets) if data is not None else None
    err = cls(
        message,
        status_code=status_code,
        code=code,
        error_type=error_type,
        request_id=request_id,
        body=safe_body,
    )
    err.retry_after = parse_retry_after(headers)
    if err.retry_after is None:  # Gemini says it in the body: error.details[].retryDelay
        err.retry_after = retry_delay(data)
    return err


def envelope_error(
    message: str | None, *, what: str, endpoint: str | None = None, secrets: Iterable[str] = ()
) -> YEScaleError:
    """A System API answer ``{"success": false, "message": ...}`` (sent with HTTP 200).

    Not reported as an HTTP status the service never sent: the service's message says what was
    refused, and is classified as an error object's wording is (:func:`_object_error`: quota,
    credentials, a missing model, a rate limit...); anything else is a :class:`BadRequestError`
    (the request was understood and refused). ``status_code`` is ``None``: there was no HTTP
    error.
    """
    error = _object_error(
        {"success": False, "message": (message or "").strip() or "no reason given"},
        secrets=secrets,
        what=what,
        endpoint=endpoint,
        credential_env="YESCALE_ACCESS_KEY",
        lead='was refused ("success": false)',
        default_status=400,
    )
    error.code = "success_false"
    return error


def error_from_payload(
    data: Mapping[str, Any],
    *,
    secrets: Iterable[str] = (),
    what: str = "stream",
    endpoint: str | None = None,
    credential_env: str = "YESCALE_API_KEY",
) -> YEScaleError:
    """Map an error object a stream sent as an event (on a 200: there is no HTTP error).

    The class comes from the error's own code, type and wording (:func:`_object_error`); the
    message says what the stream reported (``YEScale stream reported an error (code 429 / type
    rate_limit_error): ...``). ``status_code`` is ``None``: the service sent no error status,
    and none is made up. An error with nothing recognisable is an :class:`InternalServerError`:
    an error that ends a stream already under way is the upstream failing.
    """
    return _object_error(
        data,
        secrets=secrets,
        what=what,
        endpoint=endpoint,
        credential_env=credential_env,
        lead="reported an error",
        default_status=500,
    )


#: An ``"error"`` member whose value is not empty (``null``, ``""``, ``{}``, ``false``).
_ERROR_MEMBER = re.compile(rb'"error"\s*:\s*(?!null\b|false\b|""|\{\s*\})')
_SUCCESS_FALSE = re.compile(rb'"success"\s*:\s*false\b')
_OBJECT_START = re.compile(rb"(?:\xef\xbb\xbf)?\s*\{")


def answer_error(
    content: bytes,
    *,
    secrets: Iterable[str] = (),
    what: str = "request",
    endpoint: str | None = None,
    credential_env: str = "YESCALE_API_KEY",
) -> YEScaleError | None:
    """The error a success-status answer carries, or ``None`` for an ordinary answer.

    OpenAI-compatible gateways answer some failures with HTTP 200 and
    ``{"error": {"message": "Invalid token", "type": ..., "code": ...}}``; the System API with
    ``{"success": false, "message": ...}`` (:func:`envelope_error`). The first is mapped by the
    error's own code, type and wording, as a stream's error events are, with ``status_code``
    ``None`` (the service sent no error status; retries then go by the class).

    Cheap on ordinary answers: the body is parsed only when it starts with ``{`` and holds an
    ``"error"`` member with a non-empty value, or ``"success": false``, as bytes (inside a JSON
    string the quotes are escaped, so text that mentions them does not match). Parsed with
    :func:`loads_wire`: a hostile body gives ``None`` here, and the caller's parser reports it.
    """
    if not _OBJECT_START.match(content):
        return None
    # ``in`` first: a plain substring search, much faster than the regex on a large answer.
    has_error = b'"error"' in content and _ERROR_MEMBER.search(content) is not None
    if not has_error and not (b'"success"' in content and _SUCCESS_FALSE.search(content)):
        return None
    data = loads_wire(content)
    if not isinstance(data, dict):
        return None
    if data.get("error"):
        return _object_error(
            data,
            secrets=secrets,
            what=what,
            endpoint=endpoint,
            credential_env=credential_env,
            lead="answered with a success status but an error",
            default_status=400,
        )
    if data.get("success") is False:
        message = data.get("message")
        return envelope_error(
            None if message is None else _text_of(message),
            what=what,
            endpoint=endpoint,
            secrets=secrets,
        )
    return None


def incomplete_answer(
    what: str | None, missing: str, *, setting: str = "base_url"
) -> InvalidResponseError:
    """The error for a success answer (to ``what``, when known) that is not what its endpoint
    returns: unreadable, or lacking what it must hold.

    ``missing`` completes "... with an HTTP success status but ..."; ``setting`` is the URL
    setting to check. Such answers come from a proxy or a gateway in between, as a rule.
    """
    to = f" the {what}" if what else ""
    return InvalidResponseError(
        f"YEScale answered{to} with an HTTP success status but {missing}. This usually "
        f"means a proxy or the gateway misbehaved; retry, or check {setting}."
    )


def unreadable_answer(
    content: bytes,
    expected: str,
    exc: ValidationError | None = None,
    secrets: Iterable[str] = (),
) -> InvalidResponseError:
    """The error for a success-status body that is not the ``expected`` model: empty, an HTML
    page, not JSON (also JSON nested or numbered beyond what the parsers read), or JSON of
    another shape. ``exc`` is the parser's error, when there was one. The body is quoted
    scrubbed (a proxy may echo the request's ``Authorization`` header)."""
    hidden = SecretValues(secrets)
    text = content.decode("utf-8", errors="replace").strip()
    if not text:
        detail = "an empty body"
    elif text[:1] == "<":
        detail = f"an HTML page ({quote(text, hidden, 120)})"
    else:
        if exc is not None:
            first = exc.errors(include_url=False, include_context=False, include_input=False)
            not_json = bool(first) and first[0].get("type") == "json_invalid"
            problems = f"{exc.error_count()} problems: "
        else:
            not_json = loads_wire(text) is None
            problems = ""
        if not_json:
            detail = f"a body that is not JSON ({quote(text, hidden, 120)})"
        else:
            detail = f"JSON that is not a {expected} ({problems}{quote(text, hidden, 160)})"
    error = incomplete_answer(None, detail)
    error.message = scrub(error.message, hidden)
    error.args = (error.message,)
    return error


#: An error object's ``type`` / ``code`` (lower case) -> the HTTP status it stands for.
_KIND_STATUS = {
    "invalid_request_error": 400,
    "invalid_argument": 400,
    "failed_precondition": 400,
    "out_of_range": 400,
    "bad_request": 400,
    "request_too_large": 413,  # Anthropic
    "authentication_error": 401,
    "unauthenticated": 401,
    "unauthorized": 401,
    "invalid_api_key": 401,
    "invalid_token": 401,
    "permission_error": 403,
    "permission_denied": 403,
    "forbidden": 403,
    "not_found_error": 404,
    "not_found": 404,
    "conflict": 409,
    "aborted": 409,
    "rate_limit_error": 429,
    "rate_limit_exceeded": 429,
    "rate_limited": 429,
    "too_many_requests": 429,
    "resource_exhausted": 429,
    "server_error": 500,
    "api_error": 500,
    "internal_error": 500,
    "internal_server_error": 500,
    "internal": 500,
    "upstream_error": 502,
    "bad_response": 502,
    "bad_response_status_code": 502,
    "bad_gateway": 502,
    "service_unavailable": 503,
    "unavailable": 503,
    "overloaded_error": 529,
    "overloaded": 529,
    "timeout": 504,
    "timeout_error": 504,
    "deadline_exceeded": 504,
    "gateway_timeout": 504,
}
_STATUS_CODE = re.compile(r"[45][0-9][0-9]")
#: Wording that says "slow down" or "the service failed", for errors with no code or type.
_SERVER_WORDS = re.compile(
    r"overloaded|temporarily unavailable|service unavailable|internal server error|bad gateway",
    re.IGNORECASE,
)


def _own_status(
    raw_code: Any, code: str | None, error_type: str | None, said: str, default: int
) -> int:
    """The HTTP status an error object stands for, by its own integer ``code`` (400-599), its
    code / type names, or its wording. Used to classify it only: never reported as a status."""
    if isinstance(raw_code, int) and not isinstance(raw_code, bool) and 400 <= raw_code <= 599:
        return raw_code
    if isinstance(raw_code, str) and _STATUS_CODE.fullmatch(raw_code.strip()):
        return int(raw_code.strip())
    for name in (code, error_type):
        status = _KIND_STATUS.get((name or "").strip().lower())
        if status:
            return status
    if _AUTH_TEXT.search(said):
        return 401
    if _RATE_TEXT.search(said):
        return 429
    if _SERVER_WORDS.search(said):
        return 503
    return default


def _object_error(
    data: Mapping[str, Any],
    *,
    secrets: Iterable[str],
    what: str,
    endpoint: str | None,
    credential_env: str,
    lead: str,
    default_status: int,
) -> YEScaleError:
    """The one mapping of an error object sent without an HTTP error status (a stream's error
    event, an error in a 2xx answer): classified as :func:`error_from_response` would classify
    the status the object stands for (:func:`_own_status`), ``status_code`` left ``None``."""
    hidden = SecretValues(secrets)
    said = _service_message(data, hidden) or "no message given"
    code, error_type = _error_fields(data, hidden)
    family = endpoint_family(endpoint, credential_env)
    status = _own_status(_error_object(data).get("code"), code, error_type, said, default_status)
    cls, hint = _classify(status, code, error_type, said, family, endpoint)
    fields = " / ".join(
        part
        for part in (f"code {code}" if code else "", f"type {error_type}" if error_type else "")
        if part
    )
    where = f" ({endpoint})" if endpoint and endpoint not in what else ""
    message = f"YEScale {what}{where} {lead}" + (f" ({fields})" if fields else "")
    message += f": {said.rstrip('.') if hint else said}"
    if hint:
        message += f". {hint}"
    return cls(
        scrub(message, hidden),
        code=code,
        error_type=error_type,
        body=_scrubbed(data, hidden),
    )


#: What a request was for, as far as hints are concerned.
#: ``model``: /v1 and /v1beta model endpoints and task submission; ``task``: a task poll;
#: ``system``: the System API; ``download``: a URL outside the API (CDN result, input image).
EndpointFamily = str

#: A 400 that is about the key (Gemini's answer to a bad key: INVALID_ARGUMENT, API_KEY_INVALID).
_KEY_REFUSED_TEXT = re.compile(r"api key not valid|api_key_invalid", re.IGNORECASE)

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


def shown_url(url: str, secrets: Iterable[str] = ()) -> str:
    """A URL for messages: without its query or fragment (signed links carry signatures),
    scrubbed (a ``Location`` comes from the wire), then cut to at most 200 characters."""
    return clip(url.split("?", 1)[0].split("#", 1)[0].strip(), secrets, 200)


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
    if family != "download" and (
        code_l in _MODEL_MISSING_CODES
        or type_l in _MODEL_MISSING_CODES
        or _MODEL_MISSING_TEXT.search(msg)
    ):
        # Whatever the status (new-api answers 503 when no channel serves the model): not a
        # temporary failure, and not retried.
        return NotFoundError, _MODEL_MISSING_HINT
    if status == 401 or (
        status == 400 and family != "download" and _KEY_REFUSED_TEXT.search(msg) is not None
    ):
        # Gemini's native API refuses a bad key with 400 INVALID_ARGUMENT "API key not valid"
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
