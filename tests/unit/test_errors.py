"""The error hierarchy and the mapping from HTTP answers to it."""

from __future__ import annotations

import json
import pickle
from typing import Any

import httpx
import pytest

from yescale import (
    APIConnectionError,
    APIStatusError,
    APITimeoutError,
    AuthenticationError,
    BadRequestError,
    ConflictError,
    ContextLengthExceededError,
    IncompleteStreamError,
    InsufficientQuotaError,
    InternalServerError,
    InvalidRequestError,
    MissingCredentialsError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitError,
    TaskFailedError,
    TaskTimeoutError,
    YEScaleError,
)
from yescale.errors import (
    error_from_payload,
    error_from_response,
    extend_message,
    scrub,
    shown_url,
)
from yescale.types.media import MediaTask

from .conftest import ACCESS_KEY, API_KEY, MESSAGES, Recorder, json_response, make_client


def _json(data: Any) -> bytes:
    return json.dumps(data).encode()


def _openai(message: str, type_: str = "invalid_request_error", code: Any = None) -> bytes:
    return _json({"error": {"message": message, "type": type_, "code": code}})


JSON = {"content-type": "application/json"}

CLOUDFLARE_502 = b"""<!DOCTYPE html>
<!--[if lt IE 7]> <html class="no-js ie6 oldie" lang="en-US"> <![endif]-->
<head>
<title>api.yescale.io | 502: Bad gateway</title>
<meta charset="UTF-8" />
<style>body { font-family: sans-serif; }</style>
</head>
<body>
<div id="cf-wrapper"><h1><span class="inline-block">Bad gateway</span>
<span class="code-label">Error code 502</span></h1>
<p>The web server reported a bad gateway error.</p></div>
<span>Cloudflare Ray ID: <strong>8a1b2c3d4e5f6789</strong></span>
</body></html>
"""


# -- status -> class ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "cls"),
    [
        (400, BadRequestError),
        (401, AuthenticationError),
        (403, PermissionDeniedError),
        (404, NotFoundError),
        (408, APITimeoutError),
        (409, ConflictError),
        (413, BadRequestError),
        (422, BadRequestError),
        (429, RateLimitError),
        (500, InternalServerError),
        (502, InternalServerError),
        (503, InternalServerError),
        (504, InternalServerError),
    ],
)
def test_status_maps_to_class(status: int, cls: type[YEScaleError]) -> None:
    err = error_from_response(status, JSON, _openai("something went wrong"))
    assert type(err) is cls
    assert err.status_code == status
    assert f"HTTP {status}" in err.message
    assert "something went wrong" in err.message
    assert str(err) == err.message
    assert isinstance(err, YEScaleError)


def test_status_classes_are_status_errors_except_408() -> None:
    for status in (400, 401, 403, 404, 409, 413, 422, 429, 500, 502, 503, 504):
        assert isinstance(error_from_response(status, JSON, b""), APIStatusError)
    timeout = error_from_response(408, JSON, b"")
    # A 408 is a timeout (retried like one), with its status kept.
    assert isinstance(timeout, APIConnectionError)
    assert timeout.status_code == 408


def test_unknown_4xx_is_bad_request_and_unknown_5xx_is_server_error() -> None:
    assert type(error_from_response(418, JSON, b"")) is BadRequestError
    assert type(error_from_response(599, JSON, b"")) is InternalServerError


def test_subclass_relations() -> None:
    assert issubclass(ContextLengthExceededError, BadRequestError)
    assert issubclass(APITimeoutError, APIConnectionError)
    assert issubclass(IncompleteStreamError, APIConnectionError)
    assert issubclass(MissingCredentialsError, InvalidRequestError)
    assert issubclass(InvalidRequestError, ValueError)
    assert issubclass(TaskFailedError, YEScaleError)
    assert issubclass(TaskTimeoutError, YEScaleError)


# -- authentication -----------------------------------------------------------------------------


def test_401_names_api_key_env_and_never_the_key() -> None:
    body = _openai(f"Invalid token: {API_KEY}", "new_api_error", "invalid_token")
    err = error_from_response(401, JSON, body, secrets=[API_KEY])
    assert isinstance(err, AuthenticationError)
    assert "YESCALE_API_KEY" in err.message
    assert "YESCALE_ACCESS_KEY" not in err.message
    assert API_KEY not in str(err)
    assert API_KEY not in repr(err)
    assert API_KEY not in json.dumps(err.body)
    assert err.code == "invalid_token"
    assert err.error_type == "new_api_error"


def test_geminis_400_for_a_bad_key_is_an_authentication_error() -> None:
    """Gemini's native API answers a bad key with 400 INVALID_ARGUMENT, not 401."""
    body = json.dumps(
        {
            "error": {
                "code": 400,
                "message": "API key not valid. Please pass a valid API key.",
                "status": "INVALID_ARGUMENT",
                "details": [
                    {
                        "@type": "type.googleapis.com/google.rpc.ErrorInfo",
                        "reason": "API_KEY_INVALID",
                    }
                ],
            }
        }
    ).encode()
    err = error_from_response(400, JSON, body, endpoint="/v1beta/models/gemini-2.5-flash")
    assert isinstance(err, AuthenticationError)
    assert "YESCALE_API_KEY" in err.message
    assert err.status_code == 400
    # any other 400 stays a bad request
    other = body.replace(b"API key not valid", b"Invalid JSON payload").replace(
        b"API_KEY_INVALID", b"BAD_FIELD"
    )
    assert type(error_from_response(400, JSON, other)) is BadRequestError


def test_401_through_the_client_never_shows_the_key() -> None:
    key = "sk-badkey1234567890abcdef"
    handler = Recorder(json_response({"error": {"message": f"bad key {key}"}}, 401))
    client = make_client(handler, api_key=key)
    with pytest.raises(AuthenticationError) as info:
        client.chat.create(model="gpt-4o-mini", messages=MESSAGES)
    assert "YESCALE_API_KEY" in str(info.value)
    assert key not in str(info.value)
    assert key not in repr(info.value)
    assert "/v1/chat/completions" in str(info.value)
    assert handler.calls == 1


def test_401_on_system_api_names_access_key_env() -> None:
    handler = Recorder(
        json_response({"success": False, "message": f"invalid access token {ACCESS_KEY}"}, 401)
    )
    client = make_client(handler, access_key=ACCESS_KEY)
    with pytest.raises(AuthenticationError) as info:
        client.system.user()
    message = str(info.value)
    assert "YESCALE_ACCESS_KEY" in message
    assert "access_key" in message
    assert ACCESS_KEY not in message
    assert API_KEY not in message
    assert handler.calls == 1


# -- quota and context --------------------------------------------------------------------------


@pytest.mark.parametrize("status", [400, 402, 403, 429, 500])
@pytest.mark.parametrize("code", ["insufficient_quota", "insufficient_user_quota"])
def test_quota_codes_are_insufficient_quota(status: int, code: str) -> None:
    err = error_from_response(status, JSON, _openai("You are out of money.", code, code))
    assert type(err) is InsufficientQuotaError
    assert err.status_code == status
    assert err.code == code
    assert "top up" in err.message


@pytest.mark.parametrize(
    "text",
    [
        "user quota is not enough",
        "Insufficient account balance",
        "token quota exhausted, please top up",
        "insufficient quota for this request",
        "You have run out of credits: not enough credit left",
    ],
)
def test_quota_text_is_insufficient_quota(text: str) -> None:
    err = error_from_response(403, JSON, _json({"error": {"message": text}}))
    assert type(err) is InsufficientQuotaError
    assert text in err.message


def test_gemini_per_minute_quota_429_is_a_rate_limit() -> None:
    # Gemini words its per-minute rate limits as "Quota exceeded": that is transient, not an
    # empty account, and must stay a (retried) RateLimitError.
    body = _json(
        {
            "error": {
                "code": 429,
                "message": "Quota exceeded for quota metric 'Generate Content API requests per "
                "minute' and limit 'GenerateContent request limit per minute'.",
                "status": "RESOURCE_EXHAUSTED",
            }
        }
    )
    err = error_from_response(429, JSON, body)
    assert type(err) is RateLimitError


@pytest.mark.parametrize(
    "text",
    [
        "This model's maximum context length is 8192 tokens. However, your messages resulted "
        "in 9000 tokens.",
        "prompt is too long: 250000 tokens > 200000 maximum",
        "The input token count (1200000) exceeds the maximum number of tokens allowed (1048576).",
    ],
)
def test_context_length_messages(text: str) -> None:
    err = error_from_response(400, JSON, _openai(text))
    assert type(err) is ContextLengthExceededError
    assert isinstance(err, BadRequestError)
    assert text in err.message
    assert "max_tokens" in err.message


def test_context_length_code() -> None:
    err = error_from_response(400, JSON, _openai("too big", code="context_length_exceeded"))
    assert type(err) is ContextLengthExceededError


# -- body shapes --------------------------------------------------------------------------------


def test_openai_style_body() -> None:
    body = _openai("Unknown parameter: 'foo'.", "invalid_request_error", "unknown_parameter")
    err = error_from_response(400, JSON, body)
    assert "Unknown parameter: 'foo'." in err.message
    assert err.code == "unknown_parameter"
    assert err.error_type == "invalid_request_error"
    assert err.body == json.loads(body)


def test_gemini_style_body() -> None:
    body = _json(
        {
            "error": {
                "code": 400,
                "message": 'Invalid JSON payload received. Unknown name "foo".',
                "status": "INVALID_ARGUMENT",
            }
        }
    )
    err = error_from_response(400, JSON, body)
    assert type(err) is BadRequestError
    assert 'Unknown name "foo"' in err.message
    assert err.code == "400"
    assert err.error_type == "INVALID_ARGUMENT"


def test_message_only_body() -> None:
    err = error_from_response(404, JSON, _json({"message": "model not found: gpt-9"}))
    assert type(err) is NotFoundError
    assert "model not found: gpt-9" in err.message


def test_detail_body() -> None:
    err = error_from_response(422, JSON, _json({"detail": "field required: prompt"}))
    assert type(err) is BadRequestError
    assert "field required: prompt" in err.message


def test_error_string_body() -> None:
    err = error_from_response(500, JSON, _json({"error": "upstream exploded"}))
    assert "upstream exploded" in err.message


def test_json_body_without_known_fields_is_shown() -> None:
    err = error_from_response(500, JSON, _json({"weird": "shape"}))
    assert '"weird"' in err.message


def test_json_body_without_known_fields_is_scrubbed_then_cut() -> None:
    # The dump is quoted: scrubbed whole first, so a key across the cut never shows in part.
    body = _json({"weird": "w" * 281 + API_KEY})
    err = error_from_response(500, JSON, body, secrets=[API_KEY])
    assert API_KEY[:8] not in err.message
    assert API_KEY[3:7] not in err.message


def test_json_detected_without_content_type() -> None:
    err = error_from_response(400, {}, _openai("bad thing"))
    assert "bad thing" in err.message
    assert '{"error"' not in err.message


def test_cloudflare_html_page_gives_title() -> None:
    err = error_from_response(502, {"content-type": "text/html; charset=UTF-8"}, CLOUDFLARE_502)
    assert type(err) is InternalServerError
    assert "api.yescale.io | 502: Bad gateway" in err.message
    assert "HTML page" in err.message
    assert "<" not in err.message
    assert "font-family" not in err.message
    assert err.body is None


def test_html_page_without_title_is_stripped_of_tags() -> None:
    body = b"<html><body><h1>Service  Unavailable</h1>\n<p>try later</p></body></html>"
    err = error_from_response(503, {"content-type": "text/html"}, body)
    assert "Service Unavailable try later" in err.message
    assert "<h1>" not in err.message


def test_html_entities_unescaped() -> None:
    body = b"<html><head><title>Bad &amp; gateway</title></head></html>"
    err = error_from_response(502, {}, body)
    assert "Bad & gateway" in err.message


def test_plain_text_body() -> None:
    err = error_from_response(500, {"content-type": "text/plain"}, b"upstream\n  timed   out")
    assert type(err) is InternalServerError
    assert "upstream timed out" in err.message


def test_broken_json_body_shown_as_text() -> None:
    err = error_from_response(500, JSON, b'{"error": {"message": "trunc')
    assert type(err) is InternalServerError
    assert "trunc" in err.message


def test_long_text_is_truncated() -> None:
    err = error_from_response(500, {"content-type": "text/plain"}, b"x" * 10_000)
    assert len(err.message) < 1000


def test_empty_body() -> None:
    err = error_from_response(503, {}, b"")
    assert type(err) is InternalServerError
    assert "HTTP 503" in err.message
    assert err.body is None
    assert err.code is None


def test_non_utf8_body_does_not_crash() -> None:
    err = error_from_response(500, {"content-type": "text/plain"}, b"\xff\xfe bad bytes")
    assert "bad bytes" in err.message


@pytest.mark.parametrize(
    "header", ["x-request-id", "X-Oneapi-Request-Id", "x-new-api-request-id", "request-id"]
)
def test_request_id_in_message(header: str) -> None:
    headers = httpx.Headers({header: "req-20240101-abc", "content-type": "application/json"})
    err = error_from_response(500, headers, _openai("boom"))
    assert err.request_id == "req-20240101-abc"
    assert "(request id req-20240101-abc)" in err.message


def test_request_id_from_plain_dict_any_case() -> None:
    err = error_from_response(500, {"X-Request-Id": "rid-1"}, b"")
    assert err.request_id == "rid-1"
    assert "rid-1" in err.message


def test_what_is_in_message() -> None:
    err = error_from_response(400, JSON, b"", what="embeddings request (POST /v1/embeddings)")
    assert err.message.startswith("YEScale embeddings request (POST /v1/embeddings) failed")


def test_429_carries_retry_after() -> None:
    err = error_from_response(429, {"retry-after": "7"}, _openai("slow down"))
    assert type(err) is RateLimitError
    assert err.retry_after == 7.0
    assert error_from_response(429, {}, b"").retry_after is None


def test_body_is_scrubbed() -> None:
    body = _openai(f"key {API_KEY} and Bearer abcdefgh12345678 rejected")
    err = error_from_response(401, JSON, body, secrets=[API_KEY])
    dumped = json.dumps(err.body)
    assert API_KEY not in dumped
    assert "abcdefgh12345678" not in dumped


def test_error_from_payload_classifies_by_numeric_code_without_reporting_it_as_status() -> None:
    # A stream's error event came on a 200: its numeric code picks the class, but no HTTP
    # status is made up (it used to say "HTTP 429" / "HTTP 500").
    err = error_from_payload({"error": {"code": 429, "message": "slow", "status": "X"}})
    assert type(err) is RateLimitError
    assert err.status_code is None
    assert "HTTP" not in err.message
    assert err.message.startswith("YEScale stream reported an error (code 429 / type X): slow")
    err = error_from_payload({"error": {"message": "upstream failed", "code": "bad_response"}})
    assert type(err) is InternalServerError
    assert "upstream failed" in err.message
    err = error_from_payload({"error": {"message": "nope", "code": "insufficient_user_quota"}})
    assert type(err) is InsufficientQuotaError


# -- scrub --------------------------------------------------------------------------------------


def test_scrub_configured_secret() -> None:
    secret = "my-plain-secret-value"
    assert scrub(f"token={secret}!", [secret]) == "token=***!"


def test_scrub_ignores_empty_and_tiny_secrets() -> None:
    assert scrub("a b c", ["", "a"]) == "a b c"


@pytest.mark.parametrize(
    ("text", "leak"),
    [
        ("key sk-abcdefghijklmnop used", "sk-abcdefghijklmnop"),
        ("key sk-proj-AbC_123-xyz789 used", "sk-proj-AbC_123-xyz789"),
        ("key AIzaSyA1234567890abcdefghijklmnop used", "AIzaSyA1234567890abcdefghijklmnop"),
        ("Authorization: Bearer eyJhbGciOi.JIUzI1NiJ9", "eyJhbGciOi.JIUzI1NiJ9"),
        ("authorization: bearer abcdefgh12345678", "abcdefgh12345678"),
    ],
)
def test_scrub_key_shapes(text: str, leak: str) -> None:
    cleaned = scrub(text)
    assert leak not in cleaned
    assert "***" in cleaned
    assert cleaned.split()[0] == text.split()[0]  # the text around the key is kept


def test_scrub_leaves_ordinary_text() -> None:
    text = "The model gpt-4o-mini does not exist (task-123, skip-this)."
    assert scrub(text) == text


def test_scrub_every_occurrence() -> None:
    secret = "offline-secret-xyz"
    assert secret not in scrub(f"{secret} {secret} {secret}", [secret])


# -- pickling -----------------------------------------------------------------------------------


def test_status_error_pickles_with_fields() -> None:
    headers = {"retry-after": "3", "x-request-id": "rid-9", "content-type": "application/json"}
    err = error_from_response(429, headers, _openai("slow down", "rate_limit", "rl"))
    clone = pickle.loads(pickle.dumps(err))
    assert type(clone) is RateLimitError
    assert str(clone) == str(err)
    assert clone.args == (err.message,)
    for name in ("message", "status_code", "code", "error_type", "request_id", "body"):
        assert getattr(clone, name) == getattr(err, name)
    assert clone.retry_after == 3.0


def test_an_extended_message_shows_everywhere_and_survives_pickling() -> None:
    err = error_from_response(500, {}, b"down")
    extend_message(err, " (gave up after 3 attempts)")
    assert str(err).endswith("(gave up after 3 attempts)")
    assert err.args == (err.message,) == (str(err),)
    clone = pickle.loads(pickle.dumps(err))
    assert str(clone) == str(err)
    assert clone.args == err.args


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        ("https://cdn.example.com/v.mp4?X-Amz-Signature=abc", "https://cdn.example.com/v.mp4"),
        ("https://cdn.example.com/v.mp4#sig=abc", "https://cdn.example.com/v.mp4"),
        ("https://cdn.example.com/" + "a" * 300, "https://cdn.example.com/" + "a" * 176 + "..."),
    ],
)
def test_shown_url_drops_the_query_and_long_tails(url: str, shown: str) -> None:
    assert shown_url(url) == shown


def test_task_errors_pickle_with_fields() -> None:
    task = MediaTask(task_id="task-1", status="FAILURE", fail_reason="nsfw")
    failed = TaskFailedError("failed", task_id="task-1", reason="nsfw", task=task)
    clone = pickle.loads(pickle.dumps(failed))
    assert type(clone) is TaskFailedError
    assert (clone.task_id, clone.reason, clone.message) == ("task-1", "nsfw", "failed")
    assert clone.task == task

    timeout = TaskTimeoutError("late", task_id="t2", last_status="IN_PROGRESS", progress="40%")
    clone2 = pickle.loads(pickle.dumps(timeout))
    assert type(clone2) is TaskTimeoutError
    assert (clone2.task_id, clone2.last_status, clone2.progress) == ("t2", "IN_PROGRESS", "40%")


@pytest.mark.parametrize(
    "err",
    [
        InvalidRequestError("bad input"),
        MissingCredentialsError("no key"),
        APIConnectionError("refused"),
        APITimeoutError("slow"),
        IncompleteStreamError("cut"),
    ],
)
def test_plain_errors_pickle(err: YEScaleError) -> None:
    clone = pickle.loads(pickle.dumps(err))
    assert type(clone) is type(err)
    assert str(clone) == str(err)
    assert clone.status_code is None


def _gemini_429(*details: object) -> bytes:
    """Gemini's 429 body (google.rpc.Status), with ``details``."""
    error = {"code": 429, "message": "Resource exhausted.", "status": "RESOURCE_EXHAUSTED"}
    return json.dumps({"error": {**error, "details": list(details)}}).encode()


RETRY_INFO = "type.googleapis.com/google.rpc.RetryInfo"


@pytest.mark.parametrize(
    ("details", "seconds"),
    [
        ([{"@type": RETRY_INFO, "retryDelay": "1.5s"}], 1.5),
        ([{"@type": RETRY_INFO, "retryDelay": "30s"}], 30.0),
        # other details first (QuotaFailure, Help), and non-objects, are passed over
        (
            [
                "x",
                {"@type": "type.googleapis.com/google.rpc.Help"},
                {"@type": RETRY_INFO, "retryDelay": "2s"},
            ],
            2.0,
        ),
        ([{"@type": RETRY_INFO, "retryDelay": "soon"}], None),
        ([{"@type": RETRY_INFO, "retryDelay": "-1s"}], None),
        ([{"@type": RETRY_INFO, "retryDelay": 5}], None),
        ([{"retryDelay": "3s"}], None),  # not a RetryInfo
        ([], None),
    ],
)
def test_gemini_retry_delay_in_the_body_is_a_retry_after(
    details: list[object], seconds: float | None
) -> None:
    err = error_from_response(429, JSON, _gemini_429(*details))
    assert type(err) is RateLimitError
    assert err.retry_after == seconds


def test_a_retry_after_header_wins_over_the_body() -> None:
    body = _gemini_429({"@type": RETRY_INFO, "retryDelay": "30s"})
    assert error_from_response(429, {**JSON, "retry-after": "4"}, body).retry_after == 4.0
