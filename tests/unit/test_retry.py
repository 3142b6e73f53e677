"""RetryPolicy (what is retried, how long to wait) and parse_retry_after."""

from __future__ import annotations

import email.utils
import os
import random
import time
from collections.abc import Iterator

import httpx
import pytest

from yescale import (
    APIConnectionError,
    APITimeoutError,
    AuthenticationError,
    BadRequestError,
    IncompleteStreamError,
    InsufficientQuotaError,
    InternalServerError,
    InvalidRequestError,
    InvalidResponseError,
    RateLimitError,
    RetryPolicy,
    YEScaleError,
)
from yescale.errors import error_from_response, parse_retry_after

from .conftest import (
    MESSAGES,
    AsyncSleeps,
    ChunkStream,
    Recorder,
    Sleeps,
    chat_completion,
    json_response,
    make_client,
)


def status_error(status: int, **headers: str) -> YEScaleError:
    return error_from_response(status, headers, b'{"error": {"message": "x"}}')


RETRIED = [
    APIConnectionError("connection refused"),
    APITimeoutError("read timed out"),
    IncompleteStreamError("cut before the first event"),
    *(status_error(s) for s in (408, 409, 429, 500, 502, 503, 504, 520, 524, 529, 599)),
]
NOT_RETRIED = [
    *(status_error(s) for s in (400, 401, 403, 404, 413, 422)),
    error_from_response(429, {}, b'{"error": {"message": "x", "code": "insufficient_quota"}}'),
    error_from_response(500, {}, b'{"error": {"code": "insufficient_user_quota"}}'),
    InvalidResponseError("not JSON"),
    InvalidRequestError("bad input"),
    YEScaleError("generic"),
]


@pytest.mark.parametrize("error", RETRIED, ids=lambda e: f"{type(e).__name__}-{e.status_code}")
def test_retried(error: YEScaleError) -> None:
    policy = RetryPolicy()
    assert policy.is_retryable(error)
    delay = policy.delay_for(0, error)
    assert delay is not None
    assert 0 < delay <= policy.initial_delay


@pytest.mark.parametrize("error", NOT_RETRIED, ids=lambda e: f"{type(e).__name__}-{e.status_code}")
def test_not_retried(error: YEScaleError) -> None:
    policy = RetryPolicy()
    assert not policy.is_retryable(error)
    assert policy.delay_for(0, error) is None


def test_quota_error_never_retried_even_with_retry_after() -> None:
    err = error_from_response(
        429, {"retry-after": "1"}, b'{"error": {"code": "insufficient_quota", "message": "x"}}'
    )
    assert isinstance(err, InsufficientQuotaError)
    assert RetryPolicy().delay_for(0, err) is None


def test_respects_max_retries() -> None:
    error = status_error(503)
    policy = RetryPolicy(max_retries=3)
    assert [policy.delay_for(a, error) is not None for a in range(5)] == [
        True,
        True,
        True,
        False,
        False,
    ]
    assert RetryPolicy(max_retries=0).delay_for(0, error) is None


def test_exponential_growth_without_jitter(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(random, "random", lambda: 0.0)
    policy = RetryPolicy(max_retries=10, initial_delay=0.5, max_delay=8.0)
    error = APIConnectionError("reset")
    delays = [policy.delay_for(a, error) for a in range(8)]
    assert delays == [0.5, 1.0, 2.0, 4.0, 8.0, 8.0, 8.0, 8.0]


def test_full_jitter_bound(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(random, "random", lambda: 0.999999)
    policy = RetryPolicy(max_retries=10, jitter=0.25)
    delay = policy.delay_for(2, APIConnectionError("reset"))
    assert delay == pytest.approx(2.0 * 0.75, rel=1e-5)


def test_jittered_delays_stay_within_bounds() -> None:
    policy = RetryPolicy(max_retries=10, initial_delay=0.5, max_delay=8.0, jitter=0.25)
    error = status_error(502)
    rng_seen: set[float] = set()
    for attempt in range(10):
        base = min(8.0, 0.5 * 2**attempt)
        for _ in range(50):
            delay = policy.delay_for(attempt, error)
            assert delay is not None
            assert base * 0.75 <= delay <= base
            rng_seen.add(delay)
    assert max(rng_seen) <= policy.max_delay
    assert len(rng_seen) > 10  # it is actually jittered


def test_retry_after_is_waited_plus_upward_jitter_never_less() -> None:
    policy = RetryPolicy(max_retries=5, jitter=0.25)
    for status, value in ((429, "1"), (503, "2.5"), (429, "0")):
        error = status_error(status, **{"retry-after": value})
        asked = float(value)
        delays = [policy.delay_for(a % 3, error) or 0.0 for a in range(300)]
        assert all(asked <= d <= asked * 1.25 for d in delays)
        if asked:  # spread, not one value: calls told the same moment come back apart
            assert len(set(delays)) > 200
            assert max(delays) - min(delays) > asked * 0.2


def test_retry_after_jitter_bounds(monkeypatch: pytest.MonkeyPatch) -> None:
    policy = RetryPolicy(jitter=0.25)
    error = status_error(429, **{"retry-after": "4"})
    monkeypatch.setattr(random, "random", lambda: 0.0)
    assert policy.delay_for(0, error) == 4.0  # exactly what was asked, at the least
    monkeypatch.setattr(random, "random", lambda: 0.999999)
    assert policy.delay_for(1, error) == pytest.approx(5.0, rel=1e-5)  # a quarter more at most


def test_retry_after_above_cap_gives_up() -> None:
    policy = RetryPolicy(max_retry_after=60.0)
    delay = policy.delay_for(0, status_error(429, **{"retry-after": "60"}))
    assert delay is not None
    assert 60.0 <= delay <= 75.0  # waited (the cap is on what was asked, not on the jitter)
    error = status_error(429, **{"retry-after": "61"})
    assert policy.delay_for(0, error) is None
    assert error.retry_after == 61.0  # kept on the raised error, for the caller


def test_retry_after_ignored_for_non_retryable() -> None:
    assert RetryPolicy().delay_for(0, status_error(400, **{"retry-after": "1"})) is None


# -- parse_retry_after --------------------------------------------------------------------------


def test_parse_integer_seconds() -> None:
    assert parse_retry_after({"retry-after": "1"}) == 1.0
    assert parse_retry_after({"retry-after": " 30 "}) == 30.0


def test_parse_float_seconds() -> None:
    assert parse_retry_after({"retry-after": "1.5"}) == 1.5


def test_parse_http_date() -> None:
    now = 1_700_000_000.0
    later = email.utils.formatdate(now + 42, usegmt=True)
    assert parse_retry_after({"retry-after": later}, now=now) == pytest.approx(42.0)
    assert parse_retry_after(
        {"retry-after": "Wed, 21 Oct 2015 07:28:00 GMT"}, now=1445412480.0
    ) == (pytest.approx(0.0))
    assert parse_retry_after(
        {"retry-after": "Wed, 21 Oct 2015 07:28:00 GMT"}, now=1445412480.0 - 10
    ) == pytest.approx(10.0)


@pytest.fixture
def local_zone_utc_plus_7() -> Iterator[None]:
    """Run with a local time zone that is not UTC (restored afterwards)."""
    if not hasattr(time, "tzset"):
        pytest.skip("time.tzset is POSIX-only")
    saved = os.environ.get("TZ")
    os.environ["TZ"] = "Asia/Ho_Chi_Minh"
    time.tzset()
    try:
        yield
    finally:
        if saved is None:
            del os.environ["TZ"]
        else:
            os.environ["TZ"] = saved
        time.tzset()


@pytest.mark.usefixtures("local_zone_utc_plus_7")
def test_parse_http_date_minus_zero_zone_is_gmt() -> None:
    # RFC 2822 "-0000" parses as a naive datetime; HTTP dates are GMT whatever the local zone.
    now = 1445412480.0 - 10
    value = "Wed, 21 Oct 2015 07:28:00 -0000"
    assert parse_retry_after({"retry-after": value}, now=now) == pytest.approx(10.0)
    gmt = "Wed, 21 Oct 2015 07:28:00 GMT"
    assert parse_retry_after({"retry-after": gmt}, now=now) == pytest.approx(10.0)


def test_parse_http_date_in_the_past_is_zero() -> None:
    assert parse_retry_after({"retry-after": "Wed, 21 Oct 2015 07:28:00 GMT"}, now=2e9) == 0.0


def test_parse_retry_after_ms() -> None:
    assert parse_retry_after({"retry-after-ms": "1500"}) == 1.5
    # retry-after-ms is the more precise and wins
    assert parse_retry_after({"retry-after-ms": "250", "retry-after": "1"}) == 0.25
    # a broken retry-after-ms falls back to retry-after
    assert parse_retry_after({"retry-after-ms": "soon", "retry-after": "2"}) == 2.0


@pytest.mark.parametrize("value", ["garbage", "soon", "", "   ", "1 minute", "Mon, 99 Foo"])
def test_parse_garbage(value: str) -> None:
    assert parse_retry_after({"retry-after": value}) is None


def test_parse_missing() -> None:
    assert parse_retry_after({}) is None


def test_parse_negative_is_zero() -> None:
    assert parse_retry_after({"retry-after": "-5"}) == 0.0
    assert parse_retry_after({"retry-after-ms": "-100"}) == 0.0


def test_parse_header_names_any_case() -> None:
    assert parse_retry_after(httpx.Headers({"Retry-After": "3"})) == 3.0
    assert parse_retry_after({"Retry-After": "4"}) == 4.0
    assert parse_retry_after({"Retry-After-Ms": "500"}) == 0.5


# -- the policy inside the client (MockTransport) -----------------------------------------------


def test_client_retries_5xx_with_backoff(sleeps: Sleeps) -> None:
    handler = Recorder(
        json_response({"error": {"message": "overloaded"}}, 503),
        json_response({"error": {"message": "overloaded"}}, 502),
        json_response(chat_completion("ok")),
    )
    client = make_client(handler, sleep=sleeps)
    reply = client.chat.create(model="gpt-4o-mini", messages=MESSAGES)
    assert reply.choices[0].message.content == "ok"
    assert handler.calls == 3
    assert len(sleeps) == 2
    assert 0.375 <= sleeps[0] <= 0.5
    assert 0.75 <= sleeps[1] <= 1.0


def test_client_honours_retry_after(sleeps: Sleeps) -> None:
    handler = Recorder(
        json_response({"error": {"message": "slow down"}}, 429, **{"retry-after": "2"}),
        json_response(chat_completion()),
    )
    client = make_client(handler, sleep=sleeps)
    client.chat.create(model="gpt-4o-mini", messages=MESSAGES)
    assert len(sleeps) == 1
    assert 2.0 <= sleeps[0] <= 2.5  # never less than asked, at most a quarter more
    assert handler.calls == 2


def test_client_gives_up_after_max_retries(sleeps: Sleeps) -> None:
    handler = Recorder(json_response({"error": {"message": "down"}}, 500))
    client = make_client(handler, sleep=sleeps, max_retries=4)
    with pytest.raises(InternalServerError, match="down"):
        client.chat.create(model="gpt-4o-mini", messages=MESSAGES)
    assert handler.calls == 5
    assert len(sleeps) == 4


def test_client_retries_connection_errors(sleeps: Sleeps) -> None:
    handler = Recorder(
        httpx.ConnectError("connection refused"),
        httpx.ReadTimeout("timed out"),
        json_response(chat_completion()),
    )
    client = make_client(handler, sleep=sleeps)
    client.chat.create(model="gpt-4o-mini", messages=MESSAGES)
    assert handler.calls == 3
    assert len(sleeps) == 2


def test_client_timeout_error_after_retries(sleeps: Sleeps) -> None:
    handler = Recorder(httpx.ReadTimeout("timed out"))
    client = make_client(handler, sleep=sleeps, max_retries=1)
    with pytest.raises(APITimeoutError, match="timed out"):
        client.chat.create(model="gpt-4o-mini", messages=MESSAGES)
    assert handler.calls == 2


@pytest.mark.parametrize(("status", "cls"), [(400, BadRequestError), (401, AuthenticationError)])
def test_client_does_not_retry_4xx(sleeps: Sleeps, status: int, cls: type[Exception]) -> None:
    handler = Recorder(json_response({"error": {"message": "no"}}, status))
    client = make_client(handler, sleep=sleeps)
    with pytest.raises(cls):
        client.chat.create(model="gpt-4o-mini", messages=MESSAGES)
    assert handler.calls == 1
    assert sleeps == []


def test_client_rate_limit_raised_when_retry_after_too_long(sleeps: Sleeps) -> None:
    handler = Recorder(
        json_response({"error": {"message": "later"}}, 429, **{"retry-after": "3600"})
    )
    client = make_client(handler, sleep=sleeps)
    with pytest.raises(RateLimitError) as info:
        client.chat.create(model="gpt-4o-mini", messages=MESSAGES)
    assert info.value.retry_after == 3600.0
    assert handler.calls == 1
    assert sleeps == []


async def test_async_client_honours_retry_after(async_sleeps: AsyncSleeps) -> None:
    handler = Recorder(
        json_response({"error": {"message": "slow down"}}, 429, **{"retry-after": "1"}),
        json_response({"error": {"message": "overloaded"}}, 503, **{"retry-after": "0.5"}),
        json_response(chat_completion("async ok")),
    )
    client = make_client(handler, async_sleep=async_sleeps)
    reply = await client.aio.chat.create(model="gpt-4o-mini", messages=MESSAGES)
    assert reply.choices[0].message.content == "async ok"
    assert len(async_sleeps) == 2
    assert 1.0 <= async_sleeps[0] <= 1.25
    assert 0.5 <= async_sleeps[1] <= 0.625
    assert handler.calls == 3


async def test_async_client_does_not_retry_400(async_sleeps: AsyncSleeps) -> None:
    handler = Recorder(json_response({"error": {"message": "bad"}}, 400))
    client = make_client(handler, async_sleep=async_sleeps)
    with pytest.raises(BadRequestError):
        await client.aio.chat.create(model="gpt-4o-mini", messages=MESSAGES)
    assert handler.calls == 1
    assert async_sleeps == []


def test_undecodable_body_is_a_yescale_error(sleeps: Sleeps) -> None:
    # A body that fails to decompress (we inflate it ourselves, a bounded piece at a time).
    broken = httpx.Response(
        200,
        headers={"content-encoding": "gzip", "content-type": "application/json"},
        stream=ChunkStream([b"this is not gzip"]),
    )
    handler = Recorder(broken)
    client = make_client(handler, sleep=sleeps, max_retries=1)
    with pytest.raises(APIConnectionError, match="could not be read") as info:
        client.chat.create(model="gpt-4o-mini", messages=MESSAGES)
    assert "compressed body is damaged" in str(info.value)
    assert handler.calls == 2
    assert len(sleeps) == 1
