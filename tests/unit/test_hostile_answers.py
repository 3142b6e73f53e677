"""Hostile answers are just bad answers: deep nesting, giant numbers, invalid UTF-8 and NaN in an
error body, an SSE event or a 2xx body give the typed error (retried when its class says so),
never ``RecursionError`` / ``ValueError``; nothing quoted from the wire carries a piece of a key;
an error object in a 2xx answer or in a stream event is mapped by its own code, type and wording;
"model not found / no channel" is a :class:`NotFoundError` whatever the status, and not retried.

No HTTP here: the functions the transport calls (``yescale.errors``, ``yescale._streaming``,
``yescale._retry``) are called directly.
"""

from __future__ import annotations

import json
import math
import pickle
from typing import Any

import pytest
from httpx_sse import ServerSentEvent
from pydantic import ValidationError

from yescale import (
    APIConnectionError,
    APITimeoutError,
    AuthenticationError,
    BadRequestError,
    ConflictError,
    ContextLengthExceededError,
    IncompleteStreamError,
    InsufficientQuotaError,
    InternalServerError,
    InvalidResponseError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitError,
    RetryPolicy,
    YEScaleError,
)
from yescale import errors as errors_module
from yescale._json_values import load_tool_arguments
from yescale._streaming import GeminiStreamDecoder, StreamDecoder
from yescale.errors import (
    answer_error,
    dumps_wire,
    envelope_error,
    error_from_payload,
    error_from_response,
    loads_wire,
    quote,
    unreadable_answer,
)
from yescale.types.chat import ChatCompletion, ChatCompletionChunk

API_KEY = "sk-unittestkey0123456789abcdef"
#: A configured key that does not look like one (only the configured-value pass catches it).
PLAIN_KEY = "unit-test-access-key-0123456789"
JSON = {"content-type": "application/json"}

DEEP_LIST = b"[" * 200_000
DEEP_OBJECT = b'{"a":' * 200_000
BIG_NUMBER = b'{"error": {"message": "boom", "code": ' + b"9" * 5000 + b"}}"
BIG_NUMBER_MESSAGE = b'{"error": {"message": ' + b"9" * 5000 + b"}}"
NOT_UTF8 = b'{"error": {"message": "bad \xff\xfe bytes", "type": "server_error"}}'
NAN = b'{"error": {"message": NaN, "code": Infinity, "type": -Infinity}}'
#: Valid JSON, but deeper than any parser here accepts (Python's would, then recurse on it).
DEEP_BUT_CLOSED = b'{"error": {"message": "deep", "details": ' + b"[" * 900 + b"]" * 900 + b"}}"
HOSTILE = {
    "deep-list": DEEP_LIST,
    "deep-object": DEEP_OBJECT,
    "deep-error-member": b'{"error": ' + b"[" * 200_000,
    "deep-but-closed": DEEP_BUT_CLOSED,
    "big-number": BIG_NUMBER,
    "big-number-message": BIG_NUMBER_MESSAGE,
    "not-utf8": NOT_UTF8,
    "nan": NAN,
    "lone-surrogate": b'{"error": {"message": "\\ud800 x"}}',
}


def _deep_list(depth: int) -> list[Any]:
    """A list nested ``depth`` times, built without recursion."""
    value: list[Any] = []
    for _ in range(depth):
        value = [value]
    return value


def leaked(text: str, secret: str = API_KEY) -> list[str]:
    """Every 4-character piece of ``secret`` found in ``text`` (``sk-`` alone is kept on
    purpose: the mask shows which kind of key was removed)."""
    return [secret[i : i + 4] for i in range(len(secret) - 3) if secret[i : i + 4] in text]


def shown(error: BaseException) -> str:
    """Everything a caller, a log line or an error tracker can see of an error."""
    parts = [str(error), repr(error), repr(error.args)]
    if isinstance(error, YEScaleError):
        parts += [error.message, json.dumps(error.body, default=repr)]
        parts += [str(error.code), str(error.error_type), str(error.request_id)]
    return "\n".join(parts)


# -- 1. hostile JSON -------------------------------------------------------------------------------


@pytest.mark.parametrize("body", HOSTILE.values(), ids=HOSTILE.keys())
def test_loads_wire_never_raises(body: bytes) -> None:
    for text in (body, body.decode("utf-8", errors="replace")):
        value = loads_wire(text)
        # Whatever it returned can be dumped, shown and walked again without an exception.
        assert value is None or dumps_wire(value) is not None
        repr(value)


@pytest.mark.parametrize(
    "body", [DEEP_LIST, DEEP_OBJECT, DEEP_BUT_CLOSED, BIG_NUMBER, b'{"a": 1} trailing', b"{"]
)
def test_loads_wire_returns_none_for_what_it_cannot_read(body: bytes) -> None:
    assert loads_wire(body) is None


def test_loads_wire_reads_ordinary_json_and_replaces_bad_bytes() -> None:
    assert loads_wire(b'{"a": [1, "x"]}') == {"a": [1, "x"]}
    assert loads_wire('  {"a": "\u4e2d"} ') == {"a": "\u4e2d"}
    assert loads_wire(NOT_UTF8) == {
        "error": {"message": "bad \ufffd\ufffd bytes", "type": "server_error"}
    }
    nan = loads_wire(NAN)
    assert isinstance(nan, dict)
    assert math.isnan(nan["error"]["message"])
    assert nan["error"]["code"] == math.inf


def test_dumps_wire_never_raises() -> None:
    assert dumps_wire({"a": "\u4e2d"}) == '{"a": "\u4e2d"}'
    assert dumps_wire(_deep_list(100_000)) is None  # RecursionError inside json
    assert dumps_wire(10**5000) is None  # ValueError: int too long to print
    assert dumps_wire({"x": object()}) is None  # TypeError
    assert dumps_wire(math.nan) == "NaN"


@pytest.mark.parametrize("body", HOSTILE.values(), ids=HOSTILE.keys())
@pytest.mark.parametrize(
    ("status", "cls"),
    [
        (500, InternalServerError),
        (502, InternalServerError),
        (503, InternalServerError),
        (400, BadRequestError),
        (401, AuthenticationError),
        (404, NotFoundError),
        (429, RateLimitError),
    ],
)
def test_hostile_error_body_maps_by_status(
    body: bytes, status: int, cls: type[YEScaleError]
) -> None:
    for headers in (JSON, {"content-type": "text/plain"}, {}):
        err = error_from_response(status, headers, body)
        assert type(err) is cls
        assert err.status_code == status
        assert f"HTTP {status}" in err.message
        assert len(err.message) < 2000
        pickle.loads(pickle.dumps(err))
        assert RetryPolicy().is_retryable(err) is (status >= 500 or status == 429)


@pytest.mark.parametrize("body", [DEEP_LIST, DEEP_OBJECT, BIG_NUMBER, DEEP_BUT_CLOSED])
def test_unreadable_json_error_body_says_so(body: bytes) -> None:
    err = error_from_response(503, JSON, body)
    assert "not JSON" in err.message
    assert err.body is None
    assert "usually temporary" in err.message


def test_error_body_with_bad_bytes_keeps_the_message() -> None:
    err = error_from_response(500, JSON, NOT_UTF8)
    assert "bad \ufffd\ufffd bytes" in err.message
    assert err.error_type == "server_error"


def test_error_body_with_nan_is_shown() -> None:
    err = error_from_response(500, JSON, NAN)
    assert type(err) is InternalServerError
    assert "NaN" in err.message or "nan" in err.message


@pytest.mark.parametrize(
    "data",
    [
        {"error": {"message": "x", "details": _deep_list(100_000)}},
        {"error": {"message": _deep_list(100_000)}},
        {"error": {"message": 10**5000, "code": 10**5000, "type": 10**5000}},
        {"error": {"message": "x"}, "extra": 10**5000},
        {"weird": _deep_list(100_000)},
        {"weird": 10**5000},
    ],
    ids=["deep-details", "deep-message", "big-ints", "big-extra", "deep-fallback", "big-fallback"],
)
def test_error_from_payload_survives_values_json_cannot_dump(data: dict[str, Any]) -> None:
    err = error_from_payload(data)
    assert type(err) is InternalServerError
    assert err.message.startswith("YEScale stream reported an error")
    pickle.loads(pickle.dumps(err))
    assert len(err.message) < 2000


def _event(data: str | bytes, event: str = "message") -> ServerSentEvent:
    text = data.decode("utf-8", errors="replace") if isinstance(data, bytes) else data
    return ServerSentEvent(event=event, data=text)


@pytest.mark.parametrize("body", HOSTILE.values(), ids=HOSTILE.keys())
@pytest.mark.parametrize("event", ["message", "error"])
def test_stream_decoder_turns_hostile_events_into_typed_errors(body: bytes, event: str) -> None:
    for decoder in (StreamDecoder(ChatCompletionChunk), GeminiStreamDecoder()):
        with pytest.raises(YEScaleError) as info:
            decoder.feed(_event(body, event))
        assert isinstance(
            info.value, (InvalidResponseError, APIConnectionError, InternalServerError)
        )
        assert "HTTP 500" not in str(info.value)
        assert len(str(info.value)) < 2000


def test_hostile_error_event_is_a_retryable_stream_error_without_a_status() -> None:
    with pytest.raises(InternalServerError) as info:
        StreamDecoder(ChatCompletionChunk).feed(_event(b'{"error": ' + b"[" * 200_000))
    assert info.value.status_code is None
    assert "not a JSON object" in str(info.value)
    assert "[[[[" in str(info.value)
    assert RetryPolicy().is_retryable(info.value)


def test_pydantic_reports_deep_nesting_as_a_validation_error() -> None:
    # What StreamDecoder.feed and the transport's parsers rely on: pydantic's own JSON parser
    # stops at a depth limit and says so as a ValidationError, never a RecursionError.
    for body in (DEEP_LIST, DEEP_OBJECT, BIG_NUMBER, b'{"id": "x", "e": ' + b"[" * 200_000):
        with pytest.raises(ValidationError) as info:
            ChatCompletionChunk.model_validate_json(body)
        assert info.value.errors()[0]["type"] == "json_invalid"


def test_stream_decoder_plain_text_error_event_keeps_its_words() -> None:
    with pytest.raises(InternalServerError, match="upstream overloaded"):
        StreamDecoder(ChatCompletionChunk).feed(_event("upstream overloaded", "error"))


# -- 2. nothing from the wire reaches a message unscrubbed ----------------------------------------


def test_quote_scrubs_then_truncates() -> None:
    prefix = "Authorization: Bearer "
    for offset in range(-2, len(API_KEY) + 3):
        # The cut at 200 falls before, inside and after the key.
        text = "x" * (200 - len(prefix) - offset) + prefix + API_KEY + " and more text"
        quoted = quote(text, [API_KEY], 200)
        assert leaked(quoted) == [], (offset, quoted)
        # The same with no configured key: only the key shape gives it away.
        assert leaked(quote(text, [], 200)) == [], offset
        plain = "x" * (200 - offset) + PLAIN_KEY + " tail"
        assert leaked(quote(plain, [PLAIN_KEY], 200), PLAIN_KEY) == [], offset


def test_quote_is_a_bounded_repr() -> None:
    assert quote("abc") == "'abc'"
    assert quote("line\nbreak") == "'line\\nbreak'"
    long = quote("y" * 10_000, limit=50)
    assert long.startswith("'" + "y" * 50 + "'")
    assert "10000 characters" in long
    assert len(long) < 100


def _echo_body(offset: int) -> bytes:
    """A 200 body a proxy made by echoing the request's headers, the key straddling ``offset``."""
    head = '{"echo": "'
    pad = max(0, offset - len(head) - len("Authorization: Bearer "))
    return (
        f'{head}{"p" * pad}Authorization: Bearer {API_KEY}", "choices": "not a list"}}'
    ).encode()


@pytest.mark.parametrize("cut", [100, 110, 115, 118, 120, 122, 125, 150, 155, 158, 160, 165, 200])
def test_unreadable_answer_never_shows_a_piece_of_the_key(cut: int) -> None:
    bodies = [
        _echo_body(cut),  # JSON of the wrong shape
        _echo_body(cut)[:-2],  # not JSON
        ("x" * (cut - 20) + f"Authorization: Bearer {API_KEY} trailing").encode(),
        ("<html>" + "x" * (cut - 25) + f"Bearer {API_KEY}</html>").encode(),
        ("x" * (cut - 10) + f"{API_KEY} trailing").encode(),
    ]
    for body in bodies:
        try:
            ChatCompletion.model_validate_json(body)
        except ValidationError as exc:
            error = unreadable_answer(body, "ChatCompletion", exc, [API_KEY])
        else:  # pragma: no cover - every body above fails
            raise AssertionError(body)
        assert isinstance(error, InvalidResponseError)
        assert "success status" in str(error)
        assert leaked(shown(error)) == [], (cut, body[:60], shown(error))
        # Also when the caller has no pydantic error at hand.
        assert leaked(shown(unreadable_answer(body, "ChatCompletion", None, [API_KEY]))) == []


def test_unreadable_answer_details() -> None:
    def error(body: bytes) -> str:
        return str(unreadable_answer(body, "ChatCompletion", None, ()))

    assert "an empty body" in error(b"  ")
    assert "an HTML page ('<html>" in error(b"<html>hi</html>")
    assert "a body that is not JSON ('Hello, I am not JSON')" in error(b"Hello, I am not JSON")
    assert "a body that is not JSON ('[[[[" in error(DEEP_LIST)
    assert "JSON that is not a ChatCompletion" in error(b'{"choices": 3}')
    with pytest.raises(ValidationError) as info:
        ChatCompletion.model_validate_json(b'{"choices": 3}')
    message = str(unreadable_answer(b'{"choices": 3}', "ChatCompletion", info.value, ()))
    assert "JSON that is not a ChatCompletion (" in message
    assert f"{info.value.error_count()} problems" in message
    assert "retry, or check base_url" in message


def test_stream_event_quote_is_scrubbed_across_the_cut() -> None:
    for offset in range(0, len(API_KEY) + 2):
        data = '{"choices": 1, "echo": "' + "p" * (200 - 24 - offset) + API_KEY + '"}'
        with pytest.raises(InvalidResponseError) as info:
            StreamDecoder(ChatCompletionChunk, [API_KEY]).feed(_event(data))
        assert leaked(shown(info.value)) == [], offset


def test_stream_decoder_does_not_show_its_keys() -> None:
    decoder = StreamDecoder(ChatCompletionChunk, [API_KEY])
    assert API_KEY not in repr(decoder.secrets)
    assert API_KEY not in repr(vars(decoder))


@pytest.mark.parametrize("cut", [200, 300])
def test_error_body_text_is_scrubbed_before_it_is_cut(cut: int) -> None:
    for offset in range(0, len(API_KEY) + 2):
        text = "x" * (cut - offset) + API_KEY + " tail"
        for headers, body in (
            ({"content-type": "text/plain"}, text.encode()),
            ({"content-type": "text/html"}, f"<title>{text}</title>".encode()),
            (JSON, ("{" + text).encode()),
        ):
            err = error_from_response(500, headers, body, secrets=[API_KEY])
            assert leaked(shown(err)) == [], (offset, headers)
            err = error_from_response(
                500,
                headers,
                body.replace(API_KEY.encode(), PLAIN_KEY.encode()),
                secrets=[PLAIN_KEY],
            )
            assert leaked(shown(err), PLAIN_KEY) == [], (offset, headers)


def test_a_huge_service_message_is_bounded_and_scrubbed() -> None:
    message = "y" * 995 + API_KEY + "z" * 10_000
    err = error_from_response(
        400, JSON, json.dumps({"error": {"message": message}}).encode(), secrets=[API_KEY]
    )
    assert len(err.message) < 1500
    assert leaked(shown(err)) == []


def test_a_configured_key_json_would_escape_is_still_scrubbed_from_the_body() -> None:
    secret = 'odd"secret\\value-123'
    body = json.dumps({"error": {"message": f"bad key {secret}"}}).encode()
    err = error_from_response(401, JSON, body, secrets=[secret])
    assert secret not in json.dumps(err.body)
    assert secret not in str(err.body)


# -- 3. errors in 2xx answers ----------------------------------------------------------------


def _answer(
    data: Any, what: str = "chat request", endpoint: str | None = "/v1/chat/completions"
) -> YEScaleError:
    """The error :func:`answer_error` finds in ``data`` sent with a success status."""
    error = answer_error(json.dumps(data).encode(), secrets=[API_KEY], what=what, endpoint=endpoint)
    assert error is not None, data
    return error


@pytest.mark.parametrize(
    ("error", "cls"),
    [
        (
            {"message": "Invalid token (request id: 2024)", "type": "new_api_error"},
            AuthenticationError,
        ),
        ({"message": "nope", "type": "new_api_error", "code": 401}, AuthenticationError),
        ({"message": "nope", "code": "invalid_api_key"}, AuthenticationError),
        ({"message": "not for you", "type": "permission_error"}, PermissionDeniedError),
        (
            {
                "message": "user quota is not enough",
                "type": "new_api_error",
                "code": "insufficient_user_quota",
            },
            InsufficientQuotaError,
        ),
        ({"message": "Insufficient account balance"}, InsufficientQuotaError),
        ({"message": "gone", "type": "new_api_error", "code": "model_not_found"}, NotFoundError),
        ({"message": "slow down", "type": "rate_limit_error"}, RateLimitError),
        ({"message": "Rate limit reached for requests"}, RateLimitError),
        ({"message": "x", "code": 429, "status": "RESOURCE_EXHAUSTED"}, RateLimitError),
        ({"message": "upstream failed", "type": "server_error"}, InternalServerError),
        ({"message": "Overloaded", "type": "overloaded_error"}, InternalServerError),
        ({"message": "x", "code": 503}, InternalServerError),
        (
            {"message": "prompt is too long: 250000 tokens > 200000 maximum"},
            ContextLengthExceededError,
        ),
        (
            {"message": "Unknown parameter: 'foo'.", "type": "invalid_request_error"},
            BadRequestError,
        ),
        ({"message": "something odd"}, BadRequestError),
    ],
)
def test_answer_error_maps_the_error_object(error: dict[str, Any], cls: type[YEScaleError]) -> None:
    err = _answer({"error": error})
    assert type(err) is cls
    assert err.status_code is None
    assert "answered with a success status but an error" in err.message
    assert "/v1/chat/completions" in err.message
    assert str(error["message"]).rstrip(".") in err.message
    assert "HTTP" not in err.message
    if "code" in error:
        assert err.code == str(error["code"])
    if "type" in error:
        assert err.error_type == error["type"]
    assert err.body == {"error": error}


def test_answer_error_hints_and_codes() -> None:
    err = _answer({"error": {"message": "Invalid token", "type": "new_api_error", "code": 401}})
    assert "YESCALE_API_KEY" in err.message
    assert "(code 401 / type new_api_error)" in err.message
    err = _answer({"error": {"message": "empty", "code": "insufficient_user_quota"}})
    assert "top up" in err.message
    system = _answer({"error": {"message": "Invalid token"}}, "system API user", "/yescale/user")
    assert "YESCALE_ACCESS_KEY" in system.message


def test_answer_error_string_and_odd_error_members() -> None:
    err = _answer({"error": "something bad happened"})
    assert type(err) is BadRequestError
    assert "something bad happened" in err.message
    err = _answer({"error": True, "message": "refused"})
    assert isinstance(err, BadRequestError)
    assert "refused" in err.message
    err = _answer({"error": {"code": "upstream_error"}})
    assert type(err) is InternalServerError
    assert "(code upstream_error): no message given" in err.message


def test_answer_error_system_envelope() -> None:
    err = _answer(
        {"success": False, "message": "invalid access token"}, "system API user", "/yescale/user"
    )
    assert type(err) is AuthenticationError
    assert err.code == "success_false"
    assert err.status_code is None
    err = _answer(
        {"success": False, "message": "nothing to do"}, "system API user", "/yescale/user"
    )
    assert type(err) is BadRequestError
    assert "nothing to do" in err.message
    same = envelope_error("nothing to do", what="system API user", endpoint="/yescale/user")
    assert err.message == same.message


@pytest.mark.parametrize(
    "body",
    [
        b'{"id": "chatcmpl-1", "choices": [{"message": {"content": "fine"}}]}',
        b'{"id": "chatcmpl-1", "error": null, "choices": []}',
        b'{"error": {}, "choices": []}',
        b'{"error": "", "choices": []}',
        b'{"success": true, "message": "", "data": []}',
        b'{"content": "he said \\"error\\": and \\"success\\": false"}',
        b'[{"error": {"message": "in a list"}}]',
        b'"error"',
        b"",
        b'{"error": ' + b"[" * 200_000,
        b'{"error": {"message": "x", "code": ' + b"9" * 5000 + b"}}",
        b'{"data": {"error": {"message": "nested, not top-level"}}}',
    ],
)
def test_answer_error_none_for_answers_without_a_top_level_error(body: bytes) -> None:
    assert answer_error(body, secrets=(), what="chat request", endpoint=None) is None


def test_answer_error_does_not_parse_ordinary_answers(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(text: Any) -> Any:
        raise AssertionError("parsed an answer that cannot hold an error")

    monkeypatch.setattr(errors_module, "loads_wire", refuse)
    for body in (
        b'{"id": "x", "choices": [{"message": {"content": "an error occurred"}}]}',
        b'{"content": "\\"error\\": 1"}',
        b'[{"error": 1}]',
        b'data: {"error": 1}',
    ):
        assert answer_error(body, secrets=(), what="chat request", endpoint=None) is None


def test_answer_error_with_bad_bytes_and_whitespace() -> None:
    body = b'  \n {"error": {"message": "bad \xff bytes", "type": "server_error"}}'
    err = answer_error(body, secrets=(), what="chat request", endpoint=None)
    assert type(err) is InternalServerError
    assert "bad \ufffd bytes" in err.message


def test_answer_error_never_shows_the_key() -> None:
    for data in (
        {"error": {"message": f"Invalid token {API_KEY}", "type": "new_api_error"}},
        {"error": f"Authorization: Bearer {API_KEY}"},
        {"success": False, "message": f"bad {API_KEY}"},
        {"error": {"message": "x", "code": API_KEY, "type": f"Bearer {API_KEY}"}},
    ):
        err = _answer(data)
        assert err is not None
        assert leaked(shown(err)) == [], data


@pytest.mark.parametrize(
    ("error", "retried"),
    [
        ({"message": "upstream failed", "type": "server_error"}, True),
        ({"message": "slow", "type": "rate_limit_error"}, True),
        ({"message": "Invalid token"}, False),
        ({"message": "x", "code": "model_not_found"}, False),
        ({"message": "x", "code": "insufficient_quota"}, False),
        ({"message": "bad"}, False),
    ],
)
def test_answer_errors_are_retried_by_their_class(error: dict[str, Any], retried: bool) -> None:
    err = _answer({"error": error})
    assert err is not None
    assert RetryPolicy().is_retryable(err) is retried


# -- 4. mid-stream error events report their own code ---------------------------------------------


@pytest.mark.parametrize(
    ("data", "cls", "fields"),
    [
        (
            {"error": {"type": "rate_limit_error", "message": "slow"}},
            RateLimitError,
            "(type rate_limit_error)",
        ),
        (
            {"error": {"type": "server_error", "message": "boom"}},
            InternalServerError,
            "(type server_error)",
        ),
        (
            {"type": "error", "error": {"type": "overloaded_error", "message": "Overloaded"}},
            InternalServerError,
            "(type overloaded_error)",
        ),
        (
            {"error": {"type": "api_error", "message": "boom"}},
            InternalServerError,
            "(type api_error)",
        ),
        ({"error": {"code": 429, "message": "slow"}}, RateLimitError, "(code 429)"),
        (
            {"error": {"code": 503, "message": "busy", "status": "UNAVAILABLE"}},
            InternalServerError,
            "(code 503 / type UNAVAILABLE)",
        ),
        ({"error": {"code": 400, "message": "bad model"}}, BadRequestError, "(code 400)"),
        ({"error": {"code": 401, "message": "who"}}, AuthenticationError, "(code 401)"),
        ({"error": {"message": "Invalid token"}}, AuthenticationError, ""),
        (
            {"message": "quota used up", "code": "insufficient_user_quota"},
            InsufficientQuotaError,
            "(code insufficient_user_quota)",
        ),
        (
            {"error": {"message": "upstream failed", "code": "bad_response"}},
            InternalServerError,
            "(code bad_response)",
        ),
        ({"error": "plain words"}, InternalServerError, ""),
    ],
)
def test_stream_error_events_map_by_their_own_code(
    data: dict[str, Any], cls: type[YEScaleError], fields: str
) -> None:
    err = error_from_payload(data)
    assert type(err) is cls
    assert err.status_code is None
    assert "HTTP" not in err.message
    lead = "YEScale stream reported an error" + (f" {fields}" if fields else "") + ":"
    assert err.message.startswith(lead), err.message


def test_stream_error_event_message_shape() -> None:
    err = error_from_payload(
        {"error": {"code": 503, "type": "server_error", "message": "upstream overloaded"}}
    )
    assert err.message.startswith(
        "YEScale stream reported an error (code 503 / type server_error): upstream overloaded"
    )
    assert err.code == "503"
    assert err.error_type == "server_error"


def test_stream_decoder_error_event_has_no_status() -> None:
    data = json.dumps({"error": {"message": "slow", "type": "rate_limit_error"}})
    with pytest.raises(RateLimitError) as info:
        StreamDecoder(ChatCompletionChunk).feed(_event(data))
    assert info.value.status_code is None
    assert "HTTP 500" not in str(info.value)


# -- 5. retry decisions for errors without a status -----------------------------------------------


@pytest.mark.parametrize(
    ("error", "retried"),
    [
        (InternalServerError("x"), True),
        (RateLimitError("x"), True),
        (ConflictError("x"), True),
        (APIConnectionError("x"), True),
        (APITimeoutError("x"), True),
        (IncompleteStreamError("x"), True),
        (BadRequestError("x"), False),
        (AuthenticationError("x"), False),
        (PermissionDeniedError("x"), False),
        (NotFoundError("x"), False),
        (InsufficientQuotaError("x"), False),
        (ContextLengthExceededError("x"), False),
        (InvalidResponseError("x"), False),
        (YEScaleError("x"), False),
    ],
    ids=lambda e: type(e).__name__ if isinstance(e, Exception) else str(e),
)
def test_status_less_errors_retried_by_class(error: YEScaleError, retried: bool) -> None:
    policy = RetryPolicy()
    assert policy.is_retryable(error) is retried
    assert (policy.delay_for(0, error) is not None) is retried


def test_a_4xx_class_is_never_retried_whatever_its_status() -> None:
    for cls in (NotFoundError, BadRequestError, AuthenticationError, PermissionDeniedError):
        assert not RetryPolicy().is_retryable(cls("x", status_code=503))
    assert RetryPolicy().is_retryable(InternalServerError("x", status_code=503))


# -- 6. model not found / no channel ---------------------------------------------------------

NEW_API_503 = {
    "error": {
        "message": "当前分组 default 下对于模型 gpt-x 无可用渠道 (request id: 20250101000000123)",
        "type": "new_api_error",
        "code": "model_not_found",
    }
}
MISSING_MODEL_WORDS = [
    "当前分组 default 下对于模型 gpt-x 无可用渠道",
    "No available channel for model gpt-x under group default",
    "no available channels for model gpt-x",
    "model gpt-x not found",
    "The model `gpt-x` does not exist or you do not have access to it.",
    "Model gpt-x does not exist",
]


@pytest.mark.parametrize("status", [400, 404, 500, 502, 503])
def test_model_not_found_code_is_not_found_whatever_the_status(status: int) -> None:
    err = error_from_response(status, JSON, json.dumps(NEW_API_503).encode())
    assert type(err) is NotFoundError
    assert err.status_code == status
    assert err.code == "model_not_found"
    assert "client.system.models()" in err.message
    assert "usually temporary" not in err.message
    assert not RetryPolicy().is_retryable(err)
    assert RetryPolicy().delay_for(0, err) is None


@pytest.mark.parametrize("words", MISSING_MODEL_WORDS)
@pytest.mark.parametrize("status", [400, 500, 503])
def test_model_missing_wording_is_not_found(words: str, status: int) -> None:
    body = json.dumps({"error": {"message": words, "type": "new_api_error"}}).encode()
    err = error_from_response(status, JSON, body)
    assert type(err) is NotFoundError
    assert "Check the model name (client.system.models()" in err.message
    assert not RetryPolicy().is_retryable(err)


def test_model_not_found_in_2xx_bodies_and_stream_events() -> None:
    err = answer_error(
        json.dumps(NEW_API_503).encode(), secrets=(), what="chat request", endpoint=None
    )
    assert type(err) is NotFoundError
    assert err.status_code is None
    assert not RetryPolicy().is_retryable(err)
    err = error_from_payload(NEW_API_503)
    assert type(err) is NotFoundError
    assert "client.system.models()" in err.message
    with pytest.raises(NotFoundError):
        StreamDecoder(ChatCompletionChunk).feed(_event(json.dumps(NEW_API_503)))


def test_quota_still_wins_over_model_wording() -> None:
    body = json.dumps(
        {
            "error": {
                "message": "no available channel: user quota is not enough",
                "code": "insufficient_user_quota",
            }
        }
    ).encode()
    assert type(error_from_response(503, JSON, body)) is InsufficientQuotaError
    assert type(error_from_payload(json.loads(body))) is InsufficientQuotaError


@pytest.mark.parametrize(
    ("status", "text", "cls"),
    [
        (400, "This model's maximum context length is 8192 tokens.", ContextLengthExceededError),
        (400, "model gpt-4o does not support image input", BadRequestError),
        (503, "The model is overloaded. Please try again later.", InternalServerError),
    ],
)
def test_other_model_wording_is_unchanged(status: int, text: str, cls: type[YEScaleError]) -> None:
    err = error_from_response(status, JSON, json.dumps({"error": {"message": text}}).encode())
    assert type(err) is cls


def test_a_failing_download_host_is_not_a_missing_model() -> None:
    body = json.dumps({"error": {"message": "model gpt-x not found"}}).encode()
    err = error_from_response(503, JSON, body, endpoint="https://cdn.example.com/v.mp4")
    assert type(err) is InternalServerError


# -- tool-call arguments are wire text too ---------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    ['{"a":' * 200_000, "[" * 200_000, '{"a": ' + "9" * 5000 + "}"],
    ids=["deep", "list", "big"],
)
def test_hostile_tool_arguments_are_a_value_error(text: str) -> None:
    # The frameworks turn a ValueError into an invalid tool call; a RecursionError escaped them.
    with pytest.raises(ValueError, match="not valid JSON"):
        load_tool_arguments(text)


def test_headers_quoted_in_messages_are_scrubbed_before_they_are_cut() -> None:
    for offset in range(0, len(API_KEY) + 2):
        location = "https://elsewhere.example/" + "l" * (200 - 26 - offset) + API_KEY + "/x"
        err = error_from_response(302, {"location": location}, b"", secrets=[API_KEY])
        assert leaked(shown(err)) == [], offset
        request_id = "r" * (100 - offset) + PLAIN_KEY
        err = error_from_response(500, {"x-request-id": request_id}, b"", secrets=[PLAIN_KEY])
        assert leaked(shown(err), PLAIN_KEY) == [], offset
