"""Connection pools: one sync client shared by threads, one async client per event loop."""

from __future__ import annotations

import asyncio
import json
import threading
from typing import Any

import httpx
import pytest

import yescale._http.pools
from yescale import YEScaleClient

from .conftest import ACCESS_KEY, API_KEY, MESSAGES, chat_completion

# -- pools built by the client itself (httpx.Client / AsyncClient patched onto a MockTransport) --


def _answer(request: httpx.Request) -> httpx.Response:
    """Echo the request's ``user`` field, so each call's answer is its own."""
    user = json.loads(request.content).get("user", "ok") if request.content else "ok"
    return httpx.Response(200, json=chat_completion(user))


class Pools:
    """Records every httpx client the transport builds."""

    def __init__(self) -> None:
        self.sync: list[httpx.Client] = []
        self.async_: list[httpx.AsyncClient] = []
        self.lock = threading.Lock()


@pytest.fixture
def pools(monkeypatch: pytest.MonkeyPatch) -> Pools:
    """Every client and pool the transport builds, answering in memory.

    The pools (``httpx.HTTPTransport`` / ``AsyncHTTPTransport``) are what requests reach, either
    through the client or directly; the async one, like a real pool, works only in the event loop
    it was created in.
    """
    created = Pools()
    real_client, real_async = httpx.Client, httpx.AsyncClient

    class MemoryPool(httpx.MockTransport):
        def __init__(self, **kwargs: Any) -> None:
            super().__init__(_answer)

    class LoopBoundPool(httpx.MockTransport):
        def __init__(self, **kwargs: Any) -> None:
            super().__init__(_answer)
            self.loop = asyncio.get_running_loop()

        async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
            if self.loop.is_closed() or self.loop is not asyncio.get_running_loop():
                raise RuntimeError("Event loop is closed")
            return await super().handle_async_request(request)

    class CountingClient(real_client):  # type: ignore[misc, valid-type]
        def __init__(self, **kwargs: Any) -> None:
            super().__init__(**kwargs)
            with created.lock:
                created.sync.append(self)

    class CountingAsyncClient(real_async):  # type: ignore[misc, valid-type]
        def __init__(self, **kwargs: Any) -> None:
            super().__init__(**kwargs)
            created.async_.append(self)

    monkeypatch.setattr(httpx, "HTTPTransport", MemoryPool)
    monkeypatch.setattr(httpx, "AsyncHTTPTransport", LoopBoundPool)
    monkeypatch.setattr(yescale._http.pools, "_async_pool", LoopBoundPool)  # our async pool
    monkeypatch.setattr(httpx, "Client", CountingClient)
    monkeypatch.setattr(httpx, "AsyncClient", CountingAsyncClient)
    return created


def test_one_sync_pool_across_calls_and_threads(pools: Pools) -> None:
    client = YEScaleClient(api_key=API_KEY)
    first = client._transport.sync_client
    results: list[str] = []
    errors: list[BaseException] = []
    identities: set[int] = set()
    start = threading.Barrier(8)

    def work(n: int) -> None:
        try:
            start.wait()
            for i in range(5):
                reply = client.chat.create(model="gpt-4o-mini", messages=MESSAGES, user=f"{n}-{i}")
                content = reply.choices[0].message.content
                assert isinstance(content, str)
                results.append(content)
                identities.add(id(client._transport.sync_client))
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert not any(t.is_alive() for t in threads)
    assert errors == []
    assert sorted(results) == sorted(f"{n}-{i}" for n in range(8) for i in range(5))
    assert identities == {id(first)}
    assert len(pools.sync) == 1
    client.close()


def test_same_client_in_two_event_loops(pools: Pools) -> None:
    client = YEScaleClient(api_key=API_KEY)

    async def use() -> tuple[str | None, httpx.AsyncClient]:
        reply = await client.aio.chat.create(model="gpt-4o-mini", messages=MESSAGES)
        again = await client.aio.chat.create(model="gpt-4o-mini", messages=MESSAGES)
        assert again.choices[0].message.content == "ok"
        return reply.choices[0].message.content, client._transport.async_client

    first, pool1 = asyncio.run(use())
    second, pool2 = asyncio.run(use())  # no "Event loop is closed"
    assert first == second == "ok"
    assert pool1 is not pool2
    assert len(pools.async_) == 2  # one per loop, reused within a loop
    assert pool1.is_closed  # closed inside its loop when asyncio.run ended it
    assert pool2.is_closed
    assert pools.sync == []  # async calls never touch the sync pool


def test_sync_and_async_pools_are_separate(pools: Pools) -> None:
    client = YEScaleClient(api_key=API_KEY)
    client.chat.create(model="gpt-4o-mini", messages=MESSAGES)

    async def use() -> None:
        await client.aio.chat.create(model="gpt-4o-mini", messages=MESSAGES)
        await client.aclose()

    asyncio.run(use())
    assert len(pools.sync) == 1
    assert len(pools.async_) == 1


def test_close_and_reopen(pools: Pools) -> None:
    client = YEScaleClient(api_key=API_KEY)
    client.chat.create(model="gpt-4o-mini", messages=MESSAGES)
    pool = pools.sync[0]
    client.close()
    assert pool.is_closed
    # still usable: a fresh pool opens on demand
    reply = client.chat.create(model="gpt-4o-mini", messages=MESSAGES)
    assert reply.choices[0].message.content == "ok"
    assert len(pools.sync) == 2
    assert not pools.sync[1].is_closed
    client.close()
    assert pools.sync[1].is_closed


def test_context_manager_closes(pools: Pools) -> None:
    with YEScaleClient(api_key=API_KEY) as client:
        client.chat.create(model="gpt-4o-mini", messages=MESSAGES)
        assert not pools.sync[0].is_closed
    assert pools.sync[0].is_closed


async def test_async_context_manager_closes(pools: Pools) -> None:
    async with YEScaleClient(api_key=API_KEY) as client:
        await client.aio.chat.create(model="gpt-4o-mini", messages=MESSAGES)
        client.chat.create(model="gpt-4o-mini", messages=MESSAGES)
        assert not pools.async_[0].is_closed
    assert pools.async_[0].is_closed
    assert pools.sync[0].is_closed


async def test_aclose_via_aio(pools: Pools) -> None:
    client = YEScaleClient(api_key=API_KEY)
    await client.aio.chat.create(model="gpt-4o-mini", messages=MESSAGES)
    await client.aio.aclose()
    assert pools.async_[0].is_closed
    # reopens in the same loop
    await client.aio.chat.create(model="gpt-4o-mini", messages=MESSAGES)
    assert len(pools.async_) == 2
    await client.aclose()


def test_async_pool_needs_a_running_loop(pools: Pools) -> None:
    client = YEScaleClient(api_key=API_KEY)
    with pytest.raises(RuntimeError):
        _ = client._transport.async_client


# -- injected clients ---------------------------------------------------------------------------


def test_injected_clients_are_used_and_not_closed() -> None:
    seen: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request.url.path)
        return _answer(request)

    sync = httpx.Client(transport=httpx.MockTransport(handler))
    client = YEScaleClient(api_key=API_KEY, http_client=sync)
    assert client._transport.sync_client is sync
    for _ in range(3):
        client.chat.create(model="gpt-4o-mini", messages=MESSAGES)
        assert client._transport.sync_client is sync
    client.close()
    assert not sync.is_closed  # the caller owns it
    assert seen == ["/v1/chat/completions"] * 3
    sync.close()


async def test_injected_async_client_is_used() -> None:
    calls: list[str] = []

    async def handler(request: httpx.Request) -> httpx.Response:
        calls.append(request.url.path)
        return _answer(request)

    injected = httpx.AsyncClient(transport=httpx.MockTransport(handler))
    client = YEScaleClient(api_key=API_KEY, async_http_client=injected)
    await client.aio.chat.create(model="gpt-4o-mini", messages=MESSAGES)
    assert client._transport.async_client is injected
    assert calls == ["/v1/chat/completions"]
    await injected.aclose()


# -- shared -------------------------------------------------------------------------------------


@pytest.fixture
def fresh_shared(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(YEScaleClient, "_shared", {})


@pytest.mark.usefixtures("fresh_shared")
def test_shared_same_settings_same_client() -> None:
    a = YEScaleClient.shared(api_key=API_KEY)
    b = YEScaleClient.shared(api_key=API_KEY)
    assert a is b
    assert a._transport is b._transport


@pytest.mark.usefixtures("fresh_shared")
def test_shared_different_settings_different_client() -> None:
    base = YEScaleClient.shared(api_key=API_KEY)
    assert YEScaleClient.shared(api_key="sk-anotherkey000000000000") is not base
    assert YEScaleClient.shared(api_key=API_KEY, base_url="https://api.yescale.vip") is not base
    assert YEScaleClient.shared(api_key=API_KEY, max_retries=5) is not base
    assert YEScaleClient.shared(api_key=API_KEY, default_headers={"X": "1"}) is not base
    assert YEScaleClient.shared(api_key=API_KEY, access_key="acc-key-1234") is not base
    assert YEScaleClient.shared(api_key=API_KEY) is base


@pytest.mark.usefixtures("fresh_shared")
def test_shared_from_environment_matches_explicit(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("YESCALE_API_KEY", API_KEY)
    assert YEScaleClient.shared() is YEScaleClient.shared(api_key=API_KEY)


@pytest.mark.usefixtures("fresh_shared")
def test_shared_across_threads_is_one_client() -> None:
    got: list[YEScaleClient] = []
    lock = threading.Lock()
    start = threading.Barrier(8)

    def work() -> None:
        start.wait()
        client = YEScaleClient.shared(api_key=API_KEY)
        with lock:
            got.append(client)

    threads = [threading.Thread(target=work) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert len(got) == 8
    assert len({id(c) for c in got}) == 1


# -- requests straight to the pool --------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "body", "params"),
    [
        (
            "/v1/chat/completions",
            {"model": "m", "messages": [{"role": "user", "content": "é"}]},
            {},
        ),
        ("/v1beta/models/gemini-2.5-flash:generateContent", {"contents": []}, None),
        ("/task/abc-123", None, None),
        ("/yescale/user/log", None, {"page": 2, "size": 5}),
    ],
)
def test_our_request_is_what_httpx_would_build(
    path: str, body: Any, params: dict[str, Any] | None
) -> None:
    """One request builder for every path (client layer or straight to the pool), and what it
    builds is what ``httpx.Client.build_request`` builds: same URL, headers, body, timeout."""
    params = params or None
    from yescale._http import Call

    client = YEScaleClient(
        api_key=API_KEY, access_key=ACCESS_KEY, default_headers={"X-Trace": "t1"}, timeout=12
    )
    transport = client._transport
    call: Call[bytes] = Call(
        "POST" if body is not None else "GET", path, bytes, json=body, params=params
    )
    ours = transport.request_for(call, transport.sync_client)
    base = client.settings.system_base_url if path.startswith("/yescale/") else client.base_url
    timeout = client.settings.timeout
    with httpx.Client(headers=transport.pools.client_headers, timeout=timeout) as plain:
        theirs = plain.build_request(
            call.method, base + path, json=body, params=params, headers=dict(ours.headers)
        )
    assert ours.method == theirs.method
    assert ours.url == theirs.url
    assert ours.read() == theirs.read()
    assert sorted(ours.headers.multi_items()) == sorted(theirs.headers.multi_items())
    assert ours.headers["x-trace"] == "t1"
    assert ours.headers["accept-encoding"] == "gzip, deflate"  # what we inflate ourselves
    assert ours.extensions["timeout"] == theirs.extensions["timeout"]
    client.close()


def test_a_proxy_in_the_environment_keeps_requests_on_the_client(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """With HTTPS_PROXY set the client layer (which routes through the proxy) sends everything."""
    sent: list[str] = []

    class RecordingClient(httpx.Client):
        def send(self, request: httpx.Request, **kwargs: Any) -> httpx.Response:
            sent.append(request.url.path)
            return httpx.Response(200, json=chat_completion("via client"), request=request)

    monkeypatch.setenv("HTTPS_PROXY", "http://proxy.invalid:3128")
    monkeypatch.setattr(httpx, "Client", RecordingClient)
    client = YEScaleClient(api_key=API_KEY)
    reply = client.chat.create(model="gpt-4o-mini", messages=MESSAGES)
    assert reply.choices[0].message.content == "via client"
    assert sent == ["/v1/chat/completions"]
    assert client._transport.pools.sync_pool(client._transport.sync_client) is None
    client.close()


def test_without_a_proxy_requests_skip_the_client_layer(pools: Pools) -> None:
    client = YEScaleClient(api_key=API_KEY)
    sync = client._transport.sync_client
    assert client._transport.pools.sync_pool(sync) is not None
    reply = client.chat.create(model="gpt-4o-mini", messages=MESSAGES, user="direct")
    assert reply.choices[0].message.content == "direct"
    client.close()


def test_a_call_with_time_left_has_its_timeouts_capped_both_ways() -> None:
    """A media poll near its wait's deadline: every timeout part at most the time left, the
    same whether the request goes through the client or straight to the pool."""
    from yescale._http import Call, capped_timeout

    client = YEScaleClient(api_key=API_KEY, timeout=httpx.Timeout(30.0, connect=5.0, pool=None))
    transport = client._transport
    call: Call[bytes] = Call("GET", "/task/t-1", bytes, time_left=2.5)
    ours = transport.request_for(call, transport.sync_client)
    expected = {"connect": 2.5, "read": 2.5, "write": 2.5, "pool": 2.5}
    assert ours.extensions["timeout"] == expected
    roomy = capped_timeout(httpx.Timeout(30.0, connect=5.0), 10.0)
    assert (roomy.connect, roomy.read, roomy.write, roomy.pool) == (5.0, 10.0, 10.0, 10.0)
    assert capped_timeout(client.settings.timeout, None) is client.settings.timeout
    client.close()
