"""Answers and helpers shared by the fault matrix, the media fault tests and the soak."""

from __future__ import annotations

import asyncio
import functools
import json
import zlib
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    from yescale import YEScaleClient

T = TypeVar("T")

API_KEY = "sk-faultmatrixkey0123456789abcdef"
MODEL = "gpt-4o-mini"
MESSAGES = [{"role": "user", "content": "Hi"}]
TASK_ID = "task-42"
RESULT_URL = "https://cdn.example.com/v/clip.mp4"

COMPLETION: dict[str, Any] = {
    "id": "chatcmpl-1",
    "object": "chat.completion",
    "created": 1,
    "model": MODEL,
    "choices": [
        {"index": 0, "message": {"role": "assistant", "content": "Hello!"}, "finish_reason": "stop"}
    ],
    "usage": {"prompt_tokens": 3, "completion_tokens": 2, "total_tokens": 5},
}
EMBEDDING: dict[str, Any] = {
    "object": "list",
    "model": "text-embedding-3-small",
    "data": [{"object": "embedding", "index": 0, "embedding": [0.25, -0.5]}],
    "usage": {"prompt_tokens": 1, "total_tokens": 1},
}
IMAGES: dict[str, Any] = {"created": 1, "data": [{"url": "https://cdn.example.com/i/fox.png"}]}
SUBMITTED: dict[str, Any] = {"task_id": TASK_ID, "status": "SUBMITTED"}
SUCCEEDED: dict[str, Any] = {
    "task_id": TASK_ID,
    "status": "SUCCESS",
    "progress": "100%",
    "task_result": {"url": RESULT_URL, "url_expires_at": "2030-01-01 00:00:00"},
}
#: A video-sized body: big enough to be read in several blocks.
PAYLOAD = bytes(range(256)) * 400

CLOUDFLARE_502 = b"""<!DOCTYPE html>
<html lang="en-US"><head><title>api.yescale.io | 502: Bad gateway</title>
<style>body{margin:0}</style></head>
<body><h1>Bad gateway</h1><p>Error code 502</p><p>Cloudflare Ray ID: 8a1b2c3d</p></body></html>
"""


#: What an OpenAI-compatible gateway of YEScale's kind sends with HTTP 200 for a bad key.
INVALID_TOKEN: dict[str, Any] = {
    "error": {"message": "Invalid token", "type": "new_api_error", "code": "invalid_token"}
}
#: A gateway 503 that says the model does not exist: not something a retry fixes.
NO_CHANNEL: dict[str, Any] = {
    "error": {
        "message": "No available channel for model gpt-x under group default",
        "type": "new_api_error",
        "code": "model_not_found",
    }
}

#: Hostile bodies: each a bad answer, never a reason for a ``RecursionError`` or a crash.
DEEP_NESTING = b"[" * 200_000
#: (not error objects: as a 200 they are unreadable answers, not the service's refusal)
INVALID_UTF8 = b'{"message": "bad \xff\xfe\xc3\x28 bytes", "object": "chat.completion"}'
GIANT_NUMBER = b'{"message": "huge", "created": ' + b"9" * 10_000 + b"}"
HOSTILE_BODIES = {
    "deep-nesting": DEEP_NESTING,
    "invalid-utf8": INVALID_UTF8,
    "giant-number": GIANT_NUMBER,
}


@functools.cache
def gzip_bomb(size: int = 128 << 20) -> bytes:
    """A gzip stream of ``size`` zero bytes: about ``size / 1000`` bytes on the wire (~130 KB
    for 128 MiB). Built once per process, a MiB at a time, never holding ``size`` bytes."""
    packer = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    zeros = bytes(1 << 20)
    parts = [packer.compress(zeros) for _ in range(size >> 20)]
    parts.append(packer.flush())
    return b"".join(parts)


def error_body(message: str) -> dict[str, Any]:
    return {"error": {"message": message, "type": "upstream_error"}}


def event(content: str) -> bytes:
    """One OpenAI-style SSE chunk carrying ``content``."""
    chunk = {
        "id": "chatcmpl-1",
        "object": "chat.completion.chunk",
        "choices": [{"index": 0, "delta": {"content": content}, "finish_reason": None}],
    }
    return f"data: {json.dumps(chunk)}\n\n".encode()


DONE = b"data: [DONE]\n\n"


class Sleeps(list[float]):
    """A ``sleep`` that records the wait and returns at once."""

    def __call__(self, seconds: float) -> None:
        self.append(seconds)


class AsyncSleeps(list[float]):
    """An ``async_sleep`` that records the wait and returns at once."""

    async def __call__(self, seconds: float) -> None:
        self.append(seconds)


def client_for(server: Any, **kwargs: Any) -> YEScaleClient:
    """A client of the fault server (``server.url``) that records its retry waits instead of
    sleeping them; no retries unless ``max_retries`` says."""
    from yescale import YEScaleClient

    kwargs.setdefault("max_retries", 0)
    kwargs.setdefault("sleep", Sleeps())
    kwargs.setdefault("async_sleep", AsyncSleeps())
    return YEScaleClient(api_key=API_KEY, base_url=server.url, **kwargs)


class FakeClock:
    """A monotonic clock that only its own sleeps advance: polling takes no real time."""

    def __init__(self, start: float = 1000.0) -> None:
        self.now = start
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds

    async def async_sleep(self, seconds: float) -> None:
        self.sleep(seconds)

    def options(self) -> dict[str, Any]:
        """The client keyword arguments that make it sleep and read time on this clock."""
        return {"sleep": self.sleep, "async_sleep": self.async_sleep, "clock": self}


def in_mode(
    mode: str,
    client: YEScaleClient,
    sync: Callable[[YEScaleClient], T],
    asynchronous: Callable[[YEScaleClient], Awaitable[T]],
) -> T:
    """Run the sync call, or the async one in a fresh event loop; close the client either way."""
    if mode == "sync":
        with client:
            return sync(client)

    async def go() -> T:
        try:
            return await asynchronous(client)
        finally:
            await client.aclose()

    return asyncio.run(go())


# -- shared by the hostile-wire tests of the chat-over-X endpoints and the framework classes --


def stream_chat(mode: str, client: YEScaleClient, group: str, got: list[Any], **call: Any) -> None:
    """Stream ``client.<group>.chat`` (``"messages"``, ``"responses"``) with ``call``, each chunk
    appended to ``got`` as it arrives."""

    def sync(c: YEScaleClient) -> None:
        for chunk in getattr(c, group).chat.stream(**call):
            got.append(chunk)

    async def asynchronous(c: YEScaleClient) -> None:
        async for chunk in getattr(c.aio, group).chat.stream(**call):
            got.append(chunk)

    in_mode(mode, client, sync, asynchronous)


def failure_of(run: Callable[[], Any]) -> BaseException:
    """The exception ``run`` raises (an ``AssertionError`` when it returns instead)."""
    try:
        run()
    except Exception as exc:
        return exc
    raise AssertionError("the call returned instead of raising")


def finished(chunks: list[Any]) -> bool:
    """Whether any chunk says the answer finished (a finish reason, or the usage)."""
    return any(c.choices and c.choices[0].finish_reason for c in chunks) or any(
        c.usage is not None for c in chunks
    )


def chunk_text(chunks: list[Any]) -> str:
    return "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)


def assert_no_key(error: BaseException, key: str) -> None:
    """Neither ``error`` nor anything it was raised from holds ``key`` (message, repr, body)."""
    seen: BaseException | None = error
    for _ in range(10):
        if seen is None:
            break
        assert key not in str(seen)
        assert key not in repr(seen)
        assert key not in json.dumps(getattr(seen, "body", None), default=str)
        seen = seen.__cause__ or seen.__context__


def merged(chunks: list[Any]) -> Any:
    """LangChain chunks added up into one message."""
    total = chunks[0]
    for chunk in chunks[1:]:
        total = total + chunk
    return total


def http_date(seconds_from_now: float) -> str:
    """A ``Retry-After`` HTTP date ``seconds_from_now`` ahead."""
    import email.utils
    import time

    return email.utils.formatdate(time.time() + seconds_from_now, usegmt=True)
