"""The client against a real local server that misbehaves: retries, timeouts, messages, streams."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterable, Iterable
from pathlib import Path
from typing import Any

import httpx
import pytest

from yescale import (
    APIConnectionError,
    APITimeoutError,
    AuthenticationError,
    BadRequestError,
    IncompleteStreamError,
    InternalServerError,
    InvalidResponseError,
    NotFoundError,
    RateLimitError,
    YEScaleClient,
)
from yescale.types.chat import ChatCompletionChunk

from .conftest import (
    FaultServer,
    hang_up,
    partial_body,
    reply,
    reply_json,
    sse_complete,
    sse_then_cut,
    stall,
)

API_KEY = "sk-faulttestkey0123456789abcdef"
BAD_KEY = "sk-badkey1234567890abcdef"
MESSAGES = [{"role": "user", "content": "Hi"}]

COMPLETION = {
    "id": "chatcmpl-1",
    "object": "chat.completion",
    "created": 1,
    "model": "gpt-4o-mini",
    "choices": [
        {"index": 0, "message": {"role": "assistant", "content": "Hello!"}, "finish_reason": "stop"}
    ],
    "usage": {"prompt_tokens": 3, "completion_tokens": 2, "total_tokens": 5},
}

CLOUDFLARE_502 = b"""<!DOCTYPE html>
<html lang="en-US"><head><title>api.yescale.io | 502: Bad gateway</title>
<style>body{margin:0}</style></head>
<body><h1>Bad gateway</h1><p>Error code 502</p><p>Cloudflare Ray ID: 8a1b2c3d</p></body></html>
"""


def event(content: str) -> bytes:
    chunk = {
        "id": "chatcmpl-1",
        "object": "chat.completion.chunk",
        "choices": [{"index": 0, "delta": {"content": content}, "finish_reason": None}],
    }
    return f"data: {json.dumps(chunk)}\n\n".encode()


DONE = b"data: [DONE]\n\n"


class Sleeps(list[float]):
    def __call__(self, seconds: float) -> None:
        self.append(seconds)


class AsyncSleeps(list[float]):
    async def __call__(self, seconds: float) -> None:
        self.append(seconds)


def drain(chunks: Iterable[ChatCompletionChunk], into: list[str]) -> None:
    for chunk in chunks:
        into.append(chunk.choices[0].delta.content or "")


async def adrain(chunks: AsyncIterable[ChatCompletionChunk], into: list[str]) -> None:
    async for chunk in chunks:
        into.append(chunk.choices[0].delta.content or "")


def client_for(server: FaultServer, sleep: Sleeps, **kwargs: Any) -> YEScaleClient:
    kwargs.setdefault("api_key", API_KEY)
    return YEScaleClient(base_url=server.url, sleep=sleep, **kwargs)


def chat(client: YEScaleClient) -> str | None:
    return client.chat.create(model="gpt-4o-mini", messages=MESSAGES).choices[0].message.content


# -- retries ------------------------------------------------------------------------------------


def test_429_retry_after_1_is_retried_after_a_second(fault_server: FaultServer) -> None:
    fault_server.script(
        reply_json(429, {"error": {"message": "Too many requests"}}, {"Retry-After": "1"}),
        reply_json(200, COMPLETION),
    )
    sleeps = Sleeps()
    with client_for(fault_server, sleeps) as client:
        assert chat(client) == "Hello!"
    assert len(sleeps) == 1
    assert 1.0 <= sleeps[0] <= 1.25  # the Retry-After, plus at most a quarter (jitter)
    assert fault_server.count == 2
    for seen in fault_server.seen:
        assert (seen.method, seen.path) == ("POST", "/v1/chat/completions")
        assert seen.headers["authorization"] == f"Bearer {API_KEY}"
        assert seen.json()["model"] == "gpt-4o-mini"


async def test_429_retry_after_1_async(fault_server: FaultServer) -> None:
    fault_server.script(
        reply_json(429, {"error": {"message": "Too many requests"}}, {"Retry-After": "1"}),
        reply_json(200, COMPLETION),
    )
    sleeps = AsyncSleeps()
    client = YEScaleClient(api_key=API_KEY, base_url=fault_server.url, async_sleep=sleeps)
    try:
        reply_ = await client.aio.chat.create(model="gpt-4o-mini", messages=MESSAGES)
    finally:
        await client.aclose()
    assert reply_.choices[0].message.content == "Hello!"
    assert len(sleeps) == 1
    assert 1.0 <= sleeps[0] <= 1.25  # the Retry-After, plus at most a quarter (jitter)
    assert fault_server.count == 2


def test_429_with_long_retry_after_is_raised(fault_server: FaultServer) -> None:
    fault_server.script(reply_json(429, {"error": {"message": "later"}}, {"Retry-After": "600"}))
    sleeps = Sleeps()
    with client_for(fault_server, sleeps) as client, pytest.raises(RateLimitError) as info:
        chat(client)
    assert info.value.retry_after == 600.0
    assert sleeps == []
    assert fault_server.count == 1


def test_400_is_not_retried(fault_server: FaultServer) -> None:
    fault_server.script(
        reply_json(
            400,
            {"error": {"message": "Unknown parameter: 'foo'", "type": "invalid_request_error"}},
            {"X-Request-Id": "req-400-abc"},
        )
    )
    sleeps = Sleeps()
    with client_for(fault_server, sleeps) as client, pytest.raises(BadRequestError) as info:
        chat(client)
    assert "Unknown parameter: 'foo'" in str(info.value)
    assert "req-400-abc" in str(info.value)
    assert info.value.status_code == 400
    assert fault_server.count == 1
    assert sleeps == []


def test_401_bad_key_message(fault_server: FaultServer) -> None:
    fault_server.script(
        reply_json(
            401,
            {"error": {"message": f"Invalid token: {BAD_KEY}", "type": "new_api_error"}},
        )
    )
    sleeps = Sleeps()
    with (
        client_for(fault_server, sleeps, api_key=BAD_KEY) as client,
        pytest.raises(AuthenticationError) as info,
    ):
        chat(client)
    message = str(info.value)
    assert "YESCALE_API_KEY" in message
    assert BAD_KEY not in message
    assert BAD_KEY not in repr(info.value)
    assert BAD_KEY not in json.dumps(info.value.body)
    assert fault_server.count == 1
    assert fault_server.seen[0].headers["authorization"] == f"Bearer {BAD_KEY}"


def test_503_twice_then_200(fault_server: FaultServer) -> None:
    fault_server.script(
        reply_json(503, {"error": {"message": "overloaded"}}),
        reply_json(503, {"error": {"message": "overloaded"}}),
        reply_json(200, COMPLETION),
    )
    sleeps = Sleeps()
    with client_for(fault_server, sleeps) as client:
        assert chat(client) == "Hello!"
    assert fault_server.count == 3
    assert len(sleeps) == 2
    assert 0.375 <= sleeps[0] <= 0.5
    assert 0.75 <= sleeps[1] <= 1.0


def test_503_forever(fault_server: FaultServer) -> None:
    fault_server.script(reply_json(503, {"error": {"message": "overloaded"}}))
    sleeps = Sleeps()
    with (
        client_for(fault_server, sleeps, max_retries=3) as client,
        pytest.raises(InternalServerError, match="overloaded") as info,
    ):
        chat(client)
    assert info.value.status_code == 503
    assert fault_server.count == 4
    assert len(sleeps) == 3


def test_html_502_page(fault_server: FaultServer) -> None:
    fault_server.script(reply(502, CLOUDFLARE_502, {"Content-Type": "text/html; charset=UTF-8"}))
    sleeps = Sleeps()
    with (
        client_for(fault_server, sleeps) as client,
        pytest.raises(InternalServerError) as info,
    ):
        chat(client)
    message = str(info.value)
    assert "api.yescale.io | 502: Bad gateway" in message
    assert "<" not in message
    assert "margin" not in message
    assert fault_server.count == 3  # 502 is retried, then reported


def test_non_json_200(fault_server: FaultServer) -> None:
    fault_server.script(reply(200, b"Hello, I am not JSON", {"Content-Type": "text/plain"}))
    sleeps = Sleeps()
    with (
        client_for(fault_server, sleeps) as client,
        pytest.raises(InvalidResponseError, match="not JSON"),
    ):
        chat(client)
    assert fault_server.count == 1
    assert sleeps == []


def test_html_200(fault_server: FaultServer) -> None:
    fault_server.script(
        reply(200, b"<html><body>Login</body></html>", {"Content-Type": "text/html"})
    )
    with (
        client_for(fault_server, Sleeps()) as client,
        pytest.raises(InvalidResponseError, match="HTML page"),
    ):
        chat(client)


def test_truncated_json_body_is_retried(fault_server: FaultServer) -> None:
    body = json.dumps(COMPLETION).encode()
    fault_server.script(partial_body(body[:40], len(body)), reply_json(200, COMPLETION))
    sleeps = Sleeps()
    with client_for(fault_server, sleeps) as client:
        assert chat(client) == "Hello!"
    assert fault_server.count == 2
    assert len(sleeps) == 1


def test_connection_closed_before_any_response(fault_server: FaultServer) -> None:
    fault_server.script(hang_up)
    sleeps = Sleeps()
    with (
        client_for(fault_server, sleeps, max_retries=2) as client,
        pytest.raises(APIConnectionError) as info,
    ):
        chat(client)
    assert not isinstance(info.value, APITimeoutError)
    assert "Could not reach YEScale" in str(info.value)
    assert fault_server.count == 3
    assert len(sleeps) == 2


def test_connection_refused(fault_server: FaultServer) -> None:
    url = fault_server.url
    fault_server.server.shutdown()
    fault_server.server.server_close()
    sleeps = Sleeps()
    with (
        YEScaleClient(api_key=API_KEY, base_url=url, sleep=sleeps, max_retries=1) as client,
        pytest.raises(APIConnectionError, match="ConnectError"),
    ):
        chat(client)
    assert len(sleeps) == 1


def test_stall_past_read_timeout(fault_server: FaultServer) -> None:
    fault_server.script(stall(3.0, reply_json(200, COMPLETION)))
    sleeps = Sleeps()
    with (
        client_for(fault_server, sleeps, timeout=0.5, max_retries=1) as client,
        pytest.raises(APITimeoutError) as info,
    ):
        chat(client)
    assert "timed out" in str(info.value)
    assert "ReadTimeout" in str(info.value)
    assert fault_server.count == 2  # a timeout is retried
    assert len(sleeps) == 1


async def test_stall_past_read_timeout_async(fault_server: FaultServer) -> None:
    fault_server.script(stall(3.0))
    client = YEScaleClient(
        api_key=API_KEY,
        base_url=fault_server.url,
        timeout=0.5,
        max_retries=0,
        async_sleep=AsyncSleeps(),
    )
    try:
        with pytest.raises(APITimeoutError):
            await client.aio.chat.create(model="gpt-4o-mini", messages=MESSAGES)
    finally:
        await client.aclose()
    assert fault_server.count == 1


# -- streams ------------------------------------------------------------------------------------


@pytest.mark.parametrize("chunked", [True, False], ids=["chunked", "close-delimited"])
def test_stream_cut_midway(fault_server: FaultServer, chunked: bool) -> None:
    fault_server.script(
        sse_then_cut([event("Hel"), event("lo")], chunked=chunked),
        sse_complete([event("never"), DONE]),
    )
    sleeps = Sleeps()
    got: list[str] = []
    with (
        client_for(fault_server, sleeps) as client,
        pytest.raises(IncompleteStreamError),
    ):
        drain(client.chat.stream(model="gpt-4o-mini", messages=MESSAGES), got)
    assert got == ["Hel", "lo"]
    assert fault_server.count == 1  # not retried after the first event
    assert sleeps == []
    assert fault_server.seen[0].headers["accept"] == "text/event-stream"


def test_stream_stalls_after_first_event(fault_server: FaultServer) -> None:
    fault_server.script(sse_then_cut([event("Hel")], stall_after=3.0))
    sleeps = Sleeps()
    got: list[str] = []
    with (
        client_for(fault_server, sleeps, timeout=0.5) as client,
        pytest.raises(IncompleteStreamError) as info,
    ):
        drain(client.chat.stream(model="gpt-4o-mini", messages=MESSAGES), got)
    assert got == ["Hel"]
    assert isinstance(info.value.__cause__, APITimeoutError)
    assert fault_server.count == 1


def test_stream_cut_before_first_event_is_retried(fault_server: FaultServer) -> None:
    fault_server.script(
        sse_then_cut([b": ping\n\n"]),
        sse_complete([event("Hel"), event("lo"), DONE]),
    )
    sleeps = Sleeps()
    with client_for(fault_server, sleeps) as client:
        chunks = list(client.chat.stream(model="gpt-4o-mini", messages=MESSAGES))
    assert "".join(c.choices[0].delta.content or "" for c in chunks) == "Hello"
    assert fault_server.count == 2
    assert len(sleeps) == 1


def test_stream_complete(fault_server: FaultServer) -> None:
    fault_server.script(sse_complete([b": ping\n\n", event("Hel"), event("lo"), DONE]))
    with client_for(fault_server, Sleeps()) as client:
        chunks = list(client.chat.stream(model="gpt-4o-mini", messages=MESSAGES))
    assert "".join(c.choices[0].delta.content or "" for c in chunks) == "Hello"
    assert fault_server.seen[0].json()["stream"] is True


async def test_stream_cut_midway_async(fault_server: FaultServer) -> None:
    fault_server.script(sse_then_cut([event("Hel"), event("lo")]), sse_complete([DONE]))
    sleeps = AsyncSleeps()
    client = YEScaleClient(api_key=API_KEY, base_url=fault_server.url, async_sleep=sleeps)
    got: list[str] = []
    try:
        with pytest.raises(IncompleteStreamError):
            await adrain(client.aio.chat.stream(model="gpt-4o-mini", messages=MESSAGES), got)
    finally:
        await client.aclose()
    assert got == ["Hel", "lo"]
    assert fault_server.count == 1
    assert sleeps == []


def test_gemini_stream_cut_midway(fault_server: FaultServer) -> None:
    part = {"candidates": [{"content": {"role": "model", "parts": [{"text": "Hi"}]}}]}
    fault_server.script(sse_then_cut([f"data: {json.dumps(part)}\r\n\r\n".encode()] * 2))
    with (
        client_for(fault_server, Sleeps()) as client,
        pytest.raises(IncompleteStreamError),
    ):
        list(client.gemini.stream_generate_content(model="gemini-2.5-flash", contents="Hi"))
    seen = fault_server.seen
    assert len(seen) == 1
    assert seen[0].path == "/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse"
    assert seen[0].headers["x-goog-api-key"] == API_KEY
    assert "authorization" not in seen[0].headers


# -- event loops, polling, downloads ------------------------------------------------------------


def test_one_client_two_asyncio_runs(fault_server: FaultServer) -> None:
    fault_server.script(reply_json(200, COMPLETION))
    client = YEScaleClient(api_key=API_KEY, base_url=fault_server.url)

    pools: list[httpx.AsyncClient] = []

    async def once() -> str | None:
        first = await client.aio.chat.create(model="gpt-4o-mini", messages=MESSAGES)
        second = await client.aio.chat.create(model="gpt-4o-mini", messages=MESSAGES)
        assert second.choices[0].message.content == first.choices[0].message.content
        pools.append(client._transport.async_client)
        return first.choices[0].message.content

    assert asyncio.run(once()) == "Hello!"
    assert asyncio.run(once()) == "Hello!"  # no "Event loop is closed"
    assert fault_server.count == 4
    assert pools[0] is not pools[1]
    # each loop's pool was closed in its own loop as asyncio.run ended: no leaked sockets
    assert pools[0].is_closed
    assert pools[1].is_closed


def test_media_wait_survives_server_errors(fault_server: FaultServer) -> None:
    def task(status: str, **extra: Any) -> Any:
        return reply_json(200, {"task_id": "task-9", "status": status, **extra})

    fault_server.script(
        task("QUEUED"),
        reply(502, CLOUDFLARE_502, {"Content-Type": "text/html"}),
        hang_up,
        task("IN_PROGRESS", progress="50%"),
        task("SUCCESS", progress="100%", task_result={"url": "https://cdn.example.com/v.mp4"}),
    )
    now = [0.0]
    sleeps = Sleeps()

    def sleep(seconds: float) -> None:
        sleeps.append(seconds)
        now[0] += seconds

    seen: list[str] = []
    with YEScaleClient(
        api_key=API_KEY,
        base_url=fault_server.url,
        sleep=sleep,
        clock=lambda: now[0],
        max_retries=0,
    ) as client:
        done = client.media.wait(
            "task-9", poll_interval=2, on_progress=lambda t: seen.append(t.status)
        )
    assert done.url == "https://cdn.example.com/v.mp4"
    assert seen == ["QUEUED", "IN_PROGRESS", "SUCCESS"]
    assert sleeps == [2.0, 3.0, 4.5, 6.75]
    assert [s.path for s in fault_server.seen] == ["/task/task-9"] * 5


def test_download_cut_midway_is_retried(fault_server: FaultServer, tmp_path: Path) -> None:
    payload = bytes(range(256)) * 400
    fault_server.script(
        partial_body(payload[:5000], len(payload), "video/mp4"),
        reply(200, payload, {"Content-Type": "video/mp4"}),
    )
    sleeps = Sleeps()
    with client_for(fault_server, sleeps, default_headers={"X-Team": "ml"}) as client:
        path = client.media.download(f"{fault_server.url}/files/clip.mp4", tmp_path)
    assert path == tmp_path / "clip.mp4"
    assert path.read_bytes() == payload
    assert sorted(p.name for p in tmp_path.iterdir()) == ["clip.mp4"]
    assert len(sleeps) == 1
    for seen in fault_server.seen:
        assert "authorization" not in seen.headers
        assert "x-team" not in seen.headers


def test_download_404(fault_server: FaultServer, tmp_path: Path) -> None:
    fault_server.script(reply(404, b"Not Found", {"Content-Type": "text/plain"}))
    with (
        client_for(fault_server, Sleeps()) as client,
        pytest.raises(NotFoundError),
    ):
        client.media.download(f"{fault_server.url}/files/gone.mp4", tmp_path / "gone.mp4")
    assert list(tmp_path.iterdir()) == []
    assert fault_server.count == 1


def test_key_with_trailing_newline_is_sent_clean(fault_server: FaultServer) -> None:
    # Sent as is, "Bearer sk-...\n" is an illegal header: httpx would fail before the server.
    fault_server.script(reply_json(200, COMPLETION))
    sleeps = Sleeps()
    with client_for(fault_server, sleeps, api_key=f"{API_KEY}\n") as client:
        assert chat(client) == "Hello!"
    assert fault_server.seen[0].headers["authorization"] == f"Bearer {API_KEY}"
    assert sleeps == []
