"""Fetching input images safely, and errors that say what actually went wrong.

* ``yescale._fetch``: the body is streamed and the fetch stops at the 20 MiB cap (a declared
  ``Content-Length`` over it is refused before reading anything); every failure is a yescale
  error (never a raw httpx one), and only transient ones are retried.
* Hints depend on what was requested: a 404 on a task poll is about the task id, a 401/403/404
  from a download or image host is not about the YEScale key (never sent there), a redirect
  says it was not followed. A System API ``{"success": false}`` answer (HTTP 200) is not
  reported as an "HTTP 400".
"""

from __future__ import annotations

import asyncio
import gzip
from collections.abc import AsyncIterator, Iterator
from typing import Any

import httpx
import pytest

from yescale import (
    APIConnectionError,
    APIStatusError,
    APITimeoutError,
    AuthenticationError,
    BadRequestError,
    InvalidRequestError,
    NotFoundError,
    PermissionDeniedError,
    RedirectRefusedError,
)
from yescale._fetch import MAX_FETCH_BYTES, afetch, fetch
from yescale.errors import envelope_error, error_from_response

from .conftest import PNG, AsyncSleeps, Sleeps, _client, assert_exception_clean

URL = "https://images.example.org/big.png?X-Signature=s3cr3t-signature"
CHUNK = 1 << 20


class Endless(httpx.SyncByteStream, httpx.AsyncByteStream):
    """A body that never ends (PNG header, then zeros); counts what was pulled from it."""

    def __init__(self) -> None:
        self.sent = 0

    def __iter__(self) -> Iterator[bytes]:
        yield PNG
        while True:
            self.sent += CHUNK
            yield b"\x00" * CHUNK

    async def __aiter__(self) -> AsyncIterator[bytes]:
        yield PNG
        while True:
            self.sent += CHUNK
            yield b"\x00" * CHUNK


def _transport(handler: Any, **kw: Any) -> Any:
    return _client(handler, sleep=kw.pop("sleep", Sleeps()), **kw)._transport


def _fetch(transport: Any, url: str, mode: str) -> Any:
    return fetch(transport, url) if mode == "sync" else asyncio.run(afetch(transport, url))


@pytest.mark.parametrize("mode", ["sync", "async"])
def test_an_endless_image_stops_at_the_cap(mode: str) -> None:
    body = Endless()

    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, headers={"content-type": "image/png"}, stream=body)

    transport = _transport(handler, max_retries=2)
    with pytest.raises(InvalidRequestError, match="larger than 20 MiB") as info:
        _fetch(transport, URL, mode)
    assert MAX_FETCH_BYTES <= body.sent <= MAX_FETCH_BYTES + 2 * CHUNK  # stopped at the cap
    assert "s3cr3t-signature" not in str(info.value)  # the signed query is not shown
    assert "https://images.example.org/big.png" in str(info.value)


@pytest.mark.parametrize("mode", ["sync", "async"])
def test_a_declared_oversized_image_is_refused_before_reading(mode: str) -> None:
    body = Endless()
    calls: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(request)
        headers = {"content-type": "image/png", "content-length": str(MAX_FETCH_BYTES + 1)}
        return httpx.Response(200, headers=headers, stream=body)

    transport = _transport(handler, max_retries=2)
    with pytest.raises(InvalidRequestError, match="larger than 20 MiB"):
        _fetch(transport, URL, mode)
    assert body.sent == 0
    assert len(calls) == 1  # not retried


@pytest.mark.parametrize("mode", ["sync", "async"])
def test_an_image_under_the_cap_is_returned_whole(mode: str) -> None:
    data = PNG + b"\x00" * (3 * CHUNK)

    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, headers={"content-type": "image/png"}, content=data)

    transport = _transport(handler)
    got = _fetch(transport, URL, mode)
    assert got == (data, "image/png")


def _redirect_loop(request: httpx.Request) -> httpx.Response:
    n = int(request.url.params.get("n", "0"))
    return httpx.Response(302, headers={"location": f"https://images.example.org/a.png?n={n + 1}"})


def _bad_gzip(request: httpx.Request) -> httpx.Response:
    return httpx.Response(
        200, headers={"content-encoding": "gzip", "content-type": "image/png"}, content=b"nope"
    )


def _connect(request: httpx.Request) -> httpx.Response:
    raise httpx.ConnectError("connection refused")


def _timeout(request: httpx.Request) -> httpx.Response:
    raise httpx.ReadTimeout("timed out")


FAILURES = {
    # name: (handler, url, expected class, attempts with max_retries=2)
    "redirect loop": (_redirect_loop, URL, RedirectRefusedError, 1),
    "undecodable body": (_bad_gzip, URL, APIConnectionError, 3),
    "connection refused": (_connect, URL, APIConnectionError, 3),
    "read timeout": (_timeout, URL, APITimeoutError, 3),
    "unsupported scheme": (_connect, "ftp://images.example.org/a.png", InvalidRequestError, 1),
    "invalid URL": (_connect, "https://[::1/a.png", InvalidRequestError, 1),
}


@pytest.mark.parametrize("mode", ["sync", "async"])
@pytest.mark.parametrize("failure", list(FAILURES))
def test_fetch_failures_are_yescale_errors(failure: str, mode: str) -> None:
    handler, url, expected, attempts = FAILURES[failure]
    seen: list[httpx.Request] = []

    def recording(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return handler(request)

    transport = _client(
        recording, max_retries=2, sleep=Sleeps(), async_sleep=AsyncSleeps()
    )._transport
    with pytest.raises(expected) as info:
        _fetch(transport, url, mode)
    assert not isinstance(info.value, httpx.HTTPError)
    assert "image" in str(info.value)
    first_hops = [r for r in seen if "n=" not in str(r.url) or r.url.params.get("n") == "0"]
    assert len(first_hops) <= attempts  # transient ones retried, the others not
    assert_exception_clean(info.value, f"fetch {failure}")


def test_gzip_images_still_decode() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(
            200,
            headers={"content-encoding": "gzip", "content-type": "image/png"},
            content=gzip.compress(PNG),
        )

    assert fetch(_transport(handler), URL) == (PNG, "image/png")


def test_an_oversized_image_in_a_gemini_chat_sends_nothing_to_the_model() -> None:
    sent: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        sent.append(request)
        return httpx.Response(200, headers={"content-type": "image/png"}, stream=Endless())

    client = _client(handler)
    message = [
        {
            "role": "user",
            "content": [
                {"type": "text", "text": "Describe"},
                {"type": "image_url", "image_url": {"url": URL}},
            ],
        }
    ]
    with pytest.raises(InvalidRequestError, match="larger than 20 MiB"):
        client.gemini.chat.create(model="gemini-2.5-flash", messages=message)
    assert [r.url.host for r in sent] == ["images.example.org"]


# -- hints that fit what was requested ------------------------------------------------------------

JSON = {"content-type": "application/json"}
BODY = b'{"error": {"message": "not here"}}'


def _error(status: int, endpoint: str, **kw: Any) -> Any:
    return error_from_response(status, JSON, BODY, endpoint=endpoint, **kw)


def test_task_poll_404_is_about_the_task_id() -> None:
    err = _error(404, "/task/abc-123")
    assert isinstance(err, NotFoundError)
    assert "task_id" in str(err)
    assert "model name" not in str(err)


def test_model_404_still_names_the_model() -> None:
    for endpoint in ("/v1/chat/completions", "/v1beta/models/x:generateContent", "/task/submit"):
        assert "model name" in str(_error(404, endpoint)), endpoint


@pytest.mark.parametrize(
    ("status", "cls"),
    [(401, AuthenticationError), (403, PermissionDeniedError), (404, NotFoundError)],
)
def test_download_errors_are_not_about_the_key(status: int, cls: type[Exception]) -> None:
    err = _error(status, "https://cdn.example.com/results/v.mp4")
    assert isinstance(err, cls)
    text = str(err)
    assert "api_key" not in text
    assert "YESCALE_API_KEY" not in text
    assert "model name" not in text
    assert "expire" in text  # result links expire: the likely cause


def test_downloads_through_the_client_get_download_hints(tmp_path: Any) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(403, text="AccessDenied")

    with pytest.raises(PermissionDeniedError) as info:
        _client(handler).media.download("https://cdn.example.com/v.mp4?sig=1", tmp_path / "v.mp4")
    assert "never sent" in str(info.value)
    assert "YESCALE_API_KEY" not in str(info.value)


def test_task_polls_through_the_client_get_task_hints() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(404, json={"error": {"message": "task not found"}})

    with pytest.raises(NotFoundError) as info:
        _client(handler).media.get("missing-task")
    assert "task_id" in str(info.value)
    assert "client.system.models()" not in str(info.value)


def test_image_fetch_401_is_not_about_the_key() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(401, text="login required")

    with pytest.raises(AuthenticationError) as info:
        fetch(_transport(handler), URL)
    assert "YESCALE_API_KEY" not in str(info.value)
    assert "never sent" in str(info.value)
    assert "s3cr3t-signature" not in str(info.value)


def test_system_api_errors_name_the_access_key() -> None:
    err = _error(401, "/yescale/user", credential_env="YESCALE_ACCESS_KEY")
    assert "access_key" in str(err)
    assert "YESCALE_ACCESS_KEY" in str(err)
    assert "list_api_keys" in str(_error(404, "/yescale/deletekey/7"))


def test_a_redirect_is_an_error_that_names_its_target() -> None:
    err = error_from_response(
        302, {"location": "https://elsewhere.example.com/v1/x?token=abc"}, b"", endpoint="/v1/x"
    )
    assert type(err) is APIStatusError
    assert err.status_code == 302
    assert "https://elsewhere.example.com/v1/x" in str(err)
    assert "token=abc" not in str(err)
    assert "base_url" in str(err)
    system = error_from_response(301, {}, b"", endpoint="/yescale/user")
    assert "system_base_url" in str(system)
    assert "no Location given" in str(system)


# -- System API envelopes --------------------------------------------------------------------------


def test_success_false_is_not_reported_as_http_400() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json={"success": False, "message": "API key 999999 not found"})

    with pytest.raises(BadRequestError) as info:
        _client(handler).system.delete_api_key(999999)
    text = str(info.value)
    assert "HTTP 400" not in text
    assert "API key 999999 not found" in text
    assert '"success": false' in text
    assert "/yescale/deletekey/999999" in text
    assert info.value.status_code is None
    assert "YESCALE_ACCESS_KEY" not in text


@pytest.mark.parametrize(
    ("message", "cls"),
    [
        ("Unauthorized: the access token is invalid.", AuthenticationError),
        ("insufficient quota for this operation", Exception),
        ("p and page_size must be integers", BadRequestError),
        ("", BadRequestError),
    ],
)
def test_envelope_errors_are_classified_by_their_message(
    message: str, cls: type[Exception]
) -> None:
    from yescale import InsufficientQuotaError

    err = envelope_error(message, what="system API logs", endpoint="/yescale/logs")
    expected = InsufficientQuotaError if "quota" in message else cls
    assert isinstance(err, expected)
    assert "HTTP" not in str(err)
    assert (message.rstrip(".") or "no reason given") in str(err)
