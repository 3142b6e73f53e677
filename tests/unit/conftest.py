"""Helpers for the unit tests: a YEScaleClient over httpx.MockTransport, time recorders."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Callable, Iterable, Iterator
from typing import Any

import httpx
import pytest

from yescale import YEScaleClient

API_KEY = "sk-unittestkey0123456789abcdef"
ACCESS_KEY = "unit-test-access-key-0123456789"

Handler = Callable[[httpx.Request], httpx.Response]


class ChunkStream(httpx.SyncByteStream, httpx.AsyncByteStream):
    """A response body delivered as the given chunks, sync or async.

    An exception instance among the chunks is raised at that point, as a broken connection would.
    """

    def __init__(self, chunks: Iterable[bytes | BaseException]) -> None:
        self.chunks = list(chunks)
        self.closed = 0

    def close(self) -> None:
        self.closed += 1

    async def aclose(self) -> None:
        self.closed += 1

    def __iter__(self) -> Iterator[bytes]:
        for chunk in self.chunks:
            if isinstance(chunk, BaseException):
                raise chunk
            yield chunk

    async def __aiter__(self) -> AsyncIterator[bytes]:
        for chunk in self.chunks:
            if isinstance(chunk, BaseException):
                raise chunk
            yield chunk


def sse_response(chunks: Iterable[bytes | BaseException], status: int = 200) -> httpx.Response:
    return httpx.Response(
        status, headers={"content-type": "text/event-stream"}, stream=ChunkStream(chunks)
    )


def json_response(data: Any, status: int = 200, **headers: str) -> httpx.Response:
    return httpx.Response(status, json=data, headers=headers)


def chat_completion(content: str = "Hello!") -> dict[str, Any]:
    return {
        "id": "chatcmpl-1",
        "object": "chat.completion",
        "created": 1,
        "model": "gpt-4o-mini",
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": content},
                "finish_reason": "stop",
            }
        ],
        "usage": {"prompt_tokens": 3, "completion_tokens": 2, "total_tokens": 5},
    }


def chunk_event(content: str, **extra: Any) -> bytes:
    """One OpenAI chat.completion.chunk as an SSE event."""
    body = {
        "id": "chatcmpl-1",
        "object": "chat.completion.chunk",
        "model": "gpt-4o-mini",
        "choices": [{"index": 0, "delta": {"content": content}, "finish_reason": None}],
        **extra,
    }
    return f"data: {json.dumps(body, ensure_ascii=False)}\n\n".encode()


MESSAGES = [{"role": "user", "content": "Hi"}]


class Sleeps(list[float]):
    """A ``sleep`` that records the requested delays instead of sleeping."""

    def __call__(self, seconds: float) -> None:
        self.append(seconds)


class AsyncSleeps(list[float]):
    """An ``async_sleep`` that records the requested delays instead of sleeping."""

    async def __call__(self, seconds: float) -> None:
        self.append(seconds)


class FakeClock:
    """A monotonic clock advanced only by its own sleeps (sync and async)."""

    def __init__(self, start: float = 1000.0) -> None:
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


class Recorder:
    """A MockTransport handler that answers from a script and records every request."""

    def __init__(self, *answers: httpx.Response | BaseException | Handler) -> None:
        self.answers = list(answers)
        self.requests: list[httpx.Request] = []

    @property
    def calls(self) -> int:
        return len(self.requests)

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        index = min(len(self.requests), len(self.answers)) - 1
        answer = self.answers[index]
        if isinstance(answer, BaseException):
            raise answer
        if isinstance(answer, httpx.Response):
            # A fresh response each time (a response object is consumed once); the body
            # streams here are re-iterable.
            return httpx.Response(answer.status_code, headers=answer.headers, stream=answer.stream)
        return answer(request)


def make_client(
    handler: Handler,
    *,
    sleep: Callable[[float], None] | None = None,
    async_sleep: Any = None,
    clock: Callable[[], float] | None = None,
    **settings: Any,
) -> YEScaleClient:
    """A client whose sync and async HTTP both go to ``handler``."""
    transport = httpx.MockTransport(handler)
    settings.setdefault("api_key", API_KEY)
    return YEScaleClient(
        http_client=httpx.Client(transport=transport),
        async_http_client=httpx.AsyncClient(transport=transport),
        sleep=sleep if sleep is not None else Sleeps(),
        async_sleep=async_sleep if async_sleep is not None else AsyncSleeps(),
        clock=clock,
        **settings,
    )


def never_called(request: httpx.Request) -> httpx.Response:
    raise AssertionError(f"no request may be sent, got {request.method} {request.url}")


@pytest.fixture
def sleeps() -> Sleeps:
    return Sleeps()


@pytest.fixture
def async_sleeps() -> AsyncSleeps:
    return AsyncSleeps()
