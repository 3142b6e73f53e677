"""Helpers for the client's cassette tests: a fake clock, a request recorder, cassette checks."""

from __future__ import annotations

import json
from typing import Any

import httpx
from vcr.cassette import Cassette
from vcr.record_mode import RecordMode

from yescale import YEScaleClient

API_HOST = "api.yescale.io"
SYSTEM_HOST = "yescale.bogia.app"
CDN_HOST = "cdn.yescale.vip"
CREDENTIAL_HEADERS = ("authorization", "x-goog-api-key", "x-api-key", "api-key", "cookie")


class FakeTime:
    """A monotonic clock that only its own sleeps advance: replayed polling takes no real time."""

    def __init__(self, start: float = 1000.0) -> None:
        self.start = start
        self.now = start
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        assert seconds >= 0
        self.sleeps.append(seconds)
        self.now += seconds

    async def async_sleep(self, seconds: float) -> None:
        self.sleep(seconds)

    @property
    def elapsed(self) -> float:
        return self.now - self.start

    def client(self, **settings: Any) -> YEScaleClient:
        return YEScaleClient(sleep=self.sleep, async_sleep=self.async_sleep, clock=self, **settings)


class SentRequests:
    """httpx clients whose request hook keeps every request as it left the client.

    The cassettes drop credential headers, so only this shows which headers were really sent.
    """

    def __init__(self) -> None:
        self.requests: list[httpx.Request] = []

    def client(self) -> httpx.Client:
        return httpx.Client(event_hooks={"request": [self.requests.append]})

    def async_client(self) -> httpx.AsyncClient:
        async def hook(request: httpx.Request) -> None:
            self.requests.append(request)

        return httpx.AsyncClient(event_hooks={"request": [hook]})

    def to(self, host: str) -> list[httpx.Request]:
        return [r for r in self.requests if r.url.host == host]


def credentials_in(request: httpx.Request) -> list[str]:
    return [name for name in CREDENTIAL_HEADERS if name in request.headers]


def replaying(cassette: Cassette) -> bool:
    return bool(cassette.record_mode == RecordMode.NONE)


def assert_all_played(cassette: Cassette) -> None:
    """On replay, every recorded interaction was used (polls and retries included)."""
    if replaying(cassette):
        assert cassette.all_played, (
            f"{cassette.play_count} of {len(cassette)} recorded interactions were played"
        )


def sent_json(cassette: Cassette, index: int) -> Any:
    """The JSON body of the ``index``-th request of this test (as recorded and matched)."""
    body = cassette.requests[index].body
    return json.loads(body.decode() if isinstance(body, bytes) else body)


def response_body(cassette: Cassette, index: int) -> bytes:
    body = cassette.responses[index]["body"]["string"]
    return body if isinstance(body, bytes) else body.encode()
