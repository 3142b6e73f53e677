"""Connections and pickles in real deployments (issue 14, item 8).

* A backend that builds one object per user key (100 tenants) holds a handful of sockets, not one
  pool per key: every tenant's request goes through the process's shared pool with its own key.
* A loop's pool closes with ``asyncio.run``, every connection of it, also when the objects using
  it were collected inside ``main()``. Event loops created and closed by hand (no
  ``shutdown_asyncgens``) do not keep their pools: the next loop that makes a pool releases them
  and their sockets are freed (asyncio itself warns, with a ResourceWarning, about the transports
  of a closed loop it collects: no public API closes them once their loop is closed).
* Framework objects pickle before and after use, and the copy rebuilds its client on the other
  side (same process, or a ``spawn`` child); objects built with the caller's own httpx clients
  refuse to pickle, saying why.
* ``YEScaleClient.shared`` forgets the clients no object holds any more.

Sockets are counted in ``/proc/self/fd``: the test server runs in this process, so each
connection is two sockets (the client's end and the server's); the client's ends are told apart
by their remote port (``/proc/self/net/tcp``). Before the rewrite (66058c9) 100 tenants held 100
connections and 200 sockets, ten hand-closed loops ten pools, and a used ``ChatYEScale`` failed to
pickle with ``cannot pickle '_thread.RLock' object``.
"""

from __future__ import annotations

import asyncio
import gc
import multiprocessing
import os
import pickle
import resource
import time
import warnings
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest

from tests.faults.conftest import FaultServer, fault_server, reply_json  # noqa: F401
from tests.security.conftest import (
    BY_NAME,
    FRAMEWORK_SUBJECTS,
    Invoice,
    Service,
    chat_completion,
    recordings_dir,
)
from tests.security.conftest import serve as serve_service
from yescale import YEScaleClient

pytestmark = pytest.mark.skipif(
    not os.path.isdir("/proc/self/fd"), reason="counts sockets in /proc (Linux)"
)

TENANTS = 100
WORKERS = 8
MESSAGES = [{"role": "user", "content": "Hi"}]

# -- what the process holds -----------------------------------------------------------------------


def socket_inodes() -> set[int]:
    """The sockets this process holds open (their inodes), from ``/proc/self/fd``."""
    found: set[int] = set()
    for fd in os.listdir("/proc/self/fd"):
        try:
            target = os.readlink(f"/proc/self/fd/{fd}")
        except OSError:  # closed meanwhile (the directory listing's own fd, for one)
            continue
        if target.startswith("socket:["):
            found.add(int(target[len("socket:[") : -1]))
    return found


def connections_to(port: int) -> int:
    """How many of this process's sockets are connected to ``port`` (the clients' ends)."""
    ours = socket_inodes()
    count = 0
    for table in ("/proc/self/net/tcp", "/proc/self/net/tcp6"):
        try:
            with open(table) as fh:
                rows = fh.read().splitlines()[1:]
        except OSError:  # pragma: no cover - no IPv6
            continue
        for row in rows:
            cells = row.split()
            remote_port = int(cells[2].rsplit(":", 1)[1], 16)
            if remote_port == port and int(cells[9]) in ours:
                count += 1
    return count


def rss_bytes() -> int:
    with open("/proc/self/statm") as fh:
        return int(fh.read().split()[1]) * resource.getpagesize()


def settle(condition: Callable[[], bool], limit: float = 5.0) -> bool:
    """Whether ``condition`` holds, waiting up to ``limit`` s for the server's handler threads
    (they close their end of a connection once they read the client's end closing)."""
    deadline = time.monotonic() + limit
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.02)
    return True


@dataclass
class Footprint:
    """Sockets and resident memory before something, to compare with after."""

    sockets: set[int] = field(default_factory=socket_inodes)
    rss: int = field(default_factory=rss_bytes)

    def new_sockets(self) -> int:
        return len(socket_inodes() - self.sockets)

    def rss_growth(self) -> int:
        return rss_bytes() - self.rss

    def rss_text(self) -> str:
        now = rss_bytes()
        return (
            f"RSS {self.rss / 2**20:.1f} -> {now / 2**20:.1f} MiB ({(now - self.rss) / 2**20:+.1f})"
        )


def figure(name: str, text: str) -> None:
    """A measured figure, printed (``pytest -s``) for docs/reliability.md."""
    print(f"\n[figure] {name}: {text}")


# -- a chat server that counts its connections ---------------------------------------------------


@dataclass
class ChatServer:
    server: FaultServer
    accepted: list[Any]

    @property
    def url(self) -> str:
        return self.server.url

    @property
    def port(self) -> int:
        return self.server.port

    def keys(self) -> Counter[str]:
        return Counter(seen.headers.get("authorization", "") for seen in self.server.seen)


@pytest.fixture
def chat_server(fault_server: FaultServer, monkeypatch: pytest.MonkeyPatch) -> ChatServer:  # noqa: F811
    """The fault server answering every request with a chat completion, counting the
    connections it accepts."""
    fault_server.script(reply_json(200, chat_completion("Hello!")))
    accepted: list[Any] = []
    server = fault_server.server
    process_request = server.process_request

    def counting(request: Any, client_address: Any) -> None:
        accepted.append(client_address)
        process_request(request, client_address)

    monkeypatch.setattr(server, "process_request", counting)
    return ChatServer(fault_server, accepted)


def warm_up() -> None:
    """Run the LangChain code path once on a private in-memory client, so that what the
    tenants are measured for is not the first call's imports and caches."""
    from langchain_yescale import ChatYEScale

    transport = httpx.MockTransport(lambda request: httpx.Response(200, json=chat_completion()))
    with httpx.Client(transport=transport) as sync:
        model = ChatYEScale(api_key="warm-up", http_client=sync)
        assert model.invoke("Hi").content == "Hello!"

    async def acall() -> None:
        async with httpx.AsyncClient(transport=transport) as async_:
            model = ChatYEScale(api_key="warm-up", http_async_client=async_)
            assert (await model.ainvoke("Hi")).content == "Hello!"

    asyncio.run(acall())


def tenants(url: str) -> list[Any]:
    from langchain_yescale import ChatYEScale

    return [
        ChatYEScale(api_key=f"tenant-{i:03d}-key", base_url=url, max_retries=0)
        for i in range(TENANTS)
    ]


def expected_keys() -> Counter[str]:
    return Counter(f"Bearer tenant-{i:03d}-key" for i in range(TENANTS))


def check_tenants(server: ChatServer, before: Footprint, replies: list[Any], bound: int) -> None:
    assert [r.content for r in replies] == ["Hello!"] * TENANTS
    # every request carried its own tenant's key: 100 requests, 100 distinct keys, each once
    assert server.keys() == expected_keys()
    clients = connections_to(server.port)
    new = before.new_sockets()
    assert clients <= bound, f"{clients} connections open for {TENANTS} tenants"
    assert len(server.accepted) <= bound, f"the server accepted {len(server.accepted)} connections"
    # both ends of each connection are ours, plus a little slack (nothing else of ours is open)
    assert new <= 2 * bound + 2, f"{new} new sockets for {TENANTS} tenants"


# -- 1. tenants share one pool --------------------------------------------------------------------


@pytest.mark.parametrize("workers", [1, WORKERS], ids=["sequential", "8-threads"])
def test_tenants_share_one_pool(chat_server: ChatServer, workers: int) -> None:
    warm_up()
    gc.collect()
    before = Footprint()
    models = tenants(chat_server.url)
    if workers == 1:
        replies = [model.invoke("Hi") for model in models]
    else:
        with ThreadPoolExecutor(workers) as pool:
            replies = list(pool.map(lambda model: model.invoke("Hi"), models))
    # measured while every tenant's object is alive, as in a backend that keeps them
    growth = before.rss_growth()
    figure(
        f"sync tenants, {workers} worker(s)",
        f"{before.new_sockets()} new sockets, {connections_to(chat_server.port)} client "
        f"connections, {len(chat_server.accepted)} accepted by the server, "
        f"{before.rss_text()} for {TENANTS} tenants",
    )
    check_tenants(chat_server, before, replies, workers)
    # generous: a tenant is a few Python objects, not a pool (~140 KiB each before the rewrite)
    assert growth < 16 * 2**20


@pytest.mark.parametrize("concurrency", [1, WORKERS], ids=["sequential", "8-tasks"])
def test_tenants_share_one_pool_async(chat_server: ChatServer, concurrency: int) -> None:
    warm_up()

    async def main() -> None:
        gc.collect()
        before = Footprint()  # in the loop: its own sockets are not the tenants'
        models = tenants(chat_server.url)
        gate = asyncio.Semaphore(concurrency)

        async def one(model: Any) -> Any:
            async with gate:
                return await model.ainvoke("Hi")

        replies = list(await asyncio.gather(*(one(model) for model in models)))
        growth = before.rss_growth()
        figure(
            f"async tenants, {concurrency} at a time",
            f"{before.new_sockets()} new sockets, {connections_to(chat_server.port)} client "
            f"connections, {len(chat_server.accepted)} accepted by the server, "
            f"{before.rss_text()} for {TENANTS} tenants",
        )
        check_tenants(chat_server, before, replies, concurrency)
        assert growth < 16 * 2**20

    asyncio.run(main())


def test_pool_closes_with_asyncio_run_when_its_users_died_inside(chat_server: ChatServer) -> None:
    """``asyncio.run(main())`` where ``main`` builds the objects: their last user is collected
    while the loop still runs, and the loop's pool still closes with the loop, every connection
    of it (it was closed by a task that ``asyncio.run`` cancelled after the first connection)."""

    async def main() -> int:
        models = tenants(chat_server.url)
        gate = asyncio.Semaphore(WORKERS)

        async def one(model: Any) -> Any:
            async with gate:
                return await model.ainvoke("Hi")

        await asyncio.gather(*(one(model) for model in models))
        opened = connections_to(chat_server.port)
        del models
        gc.collect()  # the last users go while the loop runs
        return opened

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", ResourceWarning)
        opened = asyncio.run(main())
        left_open = connections_to(chat_server.port)
        gc.collect()
    assert opened > 1
    assert left_open == 0, f"{left_open} of {opened} connections left open by asyncio.run"
    assert [str(w.message) for w in caught if issubclass(w.category, ResourceWarning)] == []


# -- 2. event loops closed by hand ----------------------------------------------------------------


def test_pools_of_loops_closed_by_hand_are_released(chat_server: ChatServer) -> None:
    client = YEScaleClient(api_key="loop-key", base_url=chat_server.url, max_retries=0)

    async def call() -> Any:
        reply = await client.aio.chat.create(model="gpt-4o-mini", messages=MESSAGES)
        return reply.choices[0].message.content

    gc.collect()
    before = Footprint()
    # Recorded, not raised: asyncio warns about the transports of a closed loop when they are
    # collected (its own ``unclosed transport``), which no public API can avoid once the loop
    # is closed; what matters here is that they are collected at all.
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", ResourceWarning)
        for _ in range(10):
            loop = asyncio.new_event_loop()
            try:
                assert loop.run_until_complete(call()) == "Hello!"
            finally:
                loop.close()  # by hand: no shutdown_asyncgens, so no chance to close its pool
        del loop
        last = asyncio.new_event_loop()
        try:
            # the 11th loop's pool is made here: the closed loops' pools are released
            assert last.run_until_complete(call()) == "Hello!"
            gc.collect()
            clients = connections_to(chat_server.port)
            # the 11th loop's connection, both ends (the server closes its end of the others),
            # and the 11th loop's own self-pipe (a socket pair, closed with the loop)
            settled = settle(lambda: before.new_sockets() <= 2 + 2)
            figure(
                "10 loops closed by hand, then an 11th",
                f"{clients} client connection(s), {before.new_sockets()} new sockets, "
                f"{before.rss_text()}; {len(chat_server.accepted)} "
                f"connections accepted in all, "
                f"{sum(issubclass(w.category, ResourceWarning) for w in caught)} ResourceWarnings",
            )
            assert clients <= 1, f"{clients} connections still open"
            assert settled, f"{before.new_sockets()} new sockets still open"
            assert client._transport.pools.async_loops() in (1, 2)
        finally:
            last.run_until_complete(last.shutdown_asyncgens())
            last.close()
        gc.collect()
    assert len(chat_server.accepted) == 11  # one connection per loop, nothing retried
    assert connections_to(chat_server.port) == 0  # closed with the 11th loop (asyncgens)
    assert client._transport.pools.async_loops() <= 1


def test_loop_closed_by_hand_then_asyncio_run(chat_server: ChatServer) -> None:
    """The common mix: a hand-made loop, then ``asyncio.run`` (which closes its own pool)."""
    client = YEScaleClient(api_key="loop-key", base_url=chat_server.url, max_retries=0)

    async def call() -> Any:
        reply = await client.aio.chat.create(model="gpt-4o-mini", messages=MESSAGES)
        return reply.choices[0].message.content

    with warnings.catch_warnings(record=True):  # asyncio's, as above
        warnings.simplefilter("always", ResourceWarning)
        loop = asyncio.new_event_loop()
        assert loop.run_until_complete(call()) == "Hello!"
        loop.close()
        del loop
        assert asyncio.run(call()) == "Hello!"
        gc.collect()
    assert connections_to(chat_server.port) == 0
    assert client._transport.pools.async_loops() <= 1
    assert len(chat_server.accepted) == 2


# -- 3. pickling ----------------------------------------------------------------------------------

PICKLED = [s.name for s in FRAMEWORK_SUBJECTS]


def build(name: str, url: str, **extra: Any) -> Any:
    """``name`` (a LangChain or LlamaIndex class) with its own key, on the local service."""
    import langchain_yescale
    import llama_index_yescale

    subject = BY_NAME[name]
    module = langchain_yescale if subject.framework == "langchain" else llama_index_yescale
    options: dict[str, Any] = {"api_key": key_of(name), "base_url": url, "max_retries": 0}
    options.update(extra)
    if name == "YEScaleGeminiStructuredOutputTool":
        options["schema"] = Invoice
    if name == "YEScaleToolSpec":
        options["structured_schema"] = Invoice
    if name in ("YEScaleMediaTaskTool", "YEScaleToolSpec"):
        options["poll_interval"] = 0.01
    if name == "YEScaleSpeechToTextTool":
        options["allowed_input_dirs"] = [recordings_dir()]
    if name in (
        "YEScaleImageGenerationTool",
        "YEScaleMediaTaskTool",
        "YEScaleSpeechToTextTool",
        "YEScaleTextToSpeechTool",
    ):
        options["handle_tool_error"] = False
    return getattr(module, name)(**options)


def calls(name: str) -> tuple[Callable[[Any], Any], Callable[[Any], Any]]:
    """How an application calls ``name``, sync and async (from the security suite's table)."""
    subject = BY_NAME[name]
    assert subject.call is not None
    assert subject.acall is not None
    return subject.call, subject.acall


def key_of(name: str) -> str:
    return f"pickle-key-{name}"


def sent_with(service: Service, key: str) -> int:
    """How many requests reached ``service`` with ``key`` (either auth header)."""
    with service.lock:
        requests = list(service.requests)
    return sum(
        1
        for r in requests
        if r.headers.get("authorization") == f"Bearer {key}"
        or r.headers.get("x-goog-api-key") == key
    )


def works(name: str, obj: Any, service: Service) -> None:
    """``obj`` makes a sync and an async call, each reaching the service with its key."""
    call, acall = calls(name)
    sent = sent_with(service, key_of(name))
    assert call(obj) is not None
    assert sent_with(service, key_of(name)) > sent
    sent = sent_with(service, key_of(name))
    assert asyncio.run(acall(obj)) is not None
    assert sent_with(service, key_of(name)) > sent


@pytest.fixture
def service() -> Iterator[tuple[str, Service]]:
    with serve_service(Service()) as served:
        yield served.url, served.service


@pytest.mark.parametrize("name", PICKLED)
def test_pickles_before_and_after_use(
    name: str, service: tuple[str, Service], caplog: pytest.LogCaptureFixture
) -> None:
    url, svc = service
    obj = build(name, url)
    pickles = {"before use": pickle.dumps(obj)}
    call, acall = calls(name)
    call(obj)
    pickles["after a sync call"] = pickle.dumps(obj)
    asyncio.run(acall(obj))
    pickles["after an async call"] = pickle.dumps(obj)
    # LlamaIndex drops what it cannot pickle, with a warning: nothing of ours is dropped
    assert [r.getMessage() for r in caplog.records if "unpickleable" in r.getMessage()] == []
    for when, data in pickles.items():
        copy = pickle.loads(data)
        assert type(copy) is type(obj), when
        works(name, copy, svc)


def test_yescale_client_pickles_after_use(service: tuple[str, Service]) -> None:
    url, svc = service
    client = YEScaleClient(api_key=key_of("client"), base_url=url, max_retries=0)
    client.chat.create(model="gpt-4o-mini", messages=MESSAGES)
    asyncio.run(client.aio.chat.create(model="gpt-4o-mini", messages=MESSAGES))
    copy = pickle.loads(pickle.dumps(client))
    assert copy.settings == client.settings
    sent = sent_with(svc, key_of("client"))
    assert copy.chat.create(model="gpt-4o-mini", messages=MESSAGES).choices
    assert sent_with(svc, key_of("client")) == sent + 1


def _in_child(pickles: list[tuple[str, bytes]]) -> list[str]:
    """Run in a ``spawn`` child: unpickle each object and call it, sync then async."""
    done = []
    for name, data in pickles:
        obj = pickle.loads(data)
        call, acall = calls(name)
        call(obj)
        asyncio.run(acall(obj))
        done.append(f"{name}: {type(obj).__name__}")
    return done


def test_unpickled_copies_work_in_a_spawned_process(service: tuple[str, Service]) -> None:
    url, svc = service
    pickles = []
    here: dict[str, int] = {}  # requests one sync and one async call make here
    for name in PICKLED:
        obj = build(name, url)
        call, acall = calls(name)
        call(obj)
        asyncio.run(acall(obj))
        pickles.append((name, pickle.dumps(obj)))
        sent = sent_with(svc, key_of(name))
        call(obj)
        asyncio.run(acall(obj))
        here[name] = sent_with(svc, key_of(name)) - sent
    before = {name: sent_with(svc, key_of(name)) for name in PICKLED}
    with multiprocessing.get_context("spawn").Pool(1) as pool:
        done = pool.apply(_in_child, (pickles,))
    assert done == [f"{name}: {name}" for name in PICKLED]
    # the child's calls reached this server, each with its object's own key, as they do here
    there = {name: sent_with(svc, key_of(name)) - before[name] for name in PICKLED}
    assert there == here
    assert all(count >= 2 for count in there.values())


def _mock_clients() -> tuple[httpx.Client, httpx.AsyncClient]:
    transport = httpx.MockTransport(lambda request: httpx.Response(200, json=chat_completion()))
    return httpx.Client(transport=transport), httpx.AsyncClient(transport=transport)


@pytest.mark.parametrize("which", ["sync", "async", "both"])
def test_client_with_injected_httpx_clients_refuses_to_pickle(which: str) -> None:
    sync, async_ = _mock_clients()
    kw: dict[str, Any] = {}
    if which in ("sync", "both"):
        kw["http_client"] = sync
    if which in ("async", "both"):
        kw["async_http_client"] = async_
    client = YEScaleClient(api_key="k", **kw)
    with pytest.raises(TypeError, match="own http_client / async_http_client cannot be pickled"):
        pickle.dumps(client)


@pytest.mark.parametrize("name", PICKLED)
def test_framework_object_with_injected_httpx_clients_refuses_to_pickle(
    name: str, caplog: pytest.LogCaptureFixture
) -> None:
    """Refused with the reason, rather than failing on an httpx lock (LangChain) or being
    silently rebuilt on the shared pool without the caller's proxy or certificates (LlamaIndex
    drops what it cannot pickle)."""
    sync, async_ = _mock_clients()
    langchain = BY_NAME[name].framework == "langchain"
    async_name = "http_async_client" if langchain else "async_http_client"
    for injected in ({"http_client": sync}, {async_name: async_}):
        obj = build(name, "http://127.0.0.1:9", **injected)
        with pytest.raises(TypeError, match="cannot be pickled") as raised:
            pickle.dumps(obj)
        assert "built with your own httpx client" in str(raised.value)
    assert [r.getMessage() for r in caplog.records if "unpickleable" in r.getMessage()] == []


# -- 4. YEScaleClient.shared forgets unused clients -----------------------------------------------


def test_shared_clients_are_forgotten_when_no_object_holds_them(chat_server: ChatServer) -> None:
    models = tenants(chat_server.url)
    for model in models:
        model.invoke("Hi")
    del model
    keys = {f"tenant-{i:03d}-key" for i in range(TENANTS)}

    def cached() -> set[str]:
        return {key[0] for key in list(YEScaleClient._shared.keys()) if key[0] in keys}

    assert cached() == keys  # the objects share clients through the cache...
    shared = models[0].client._transport.pools
    del models
    gc.collect()
    assert cached() == set()  # ...which forgets them once no object holds them
    # and the last client gone closed the pool: its connection is closed
    assert shared.users == 0
    assert connections_to(chat_server.port) == 0


def test_shared_client_lives_while_an_object_holds_it() -> None:
    from langchain_yescale import ChatYEScale

    kept = ChatYEScale(api_key="kept-key", base_url="http://127.0.0.1:9")
    dropped = ChatYEScale(api_key="dropped-key", base_url="http://127.0.0.1:9")
    client = kept.client
    assert dropped.client is not client
    del dropped
    gc.collect()
    again = ChatYEScale(api_key="kept-key", base_url="http://127.0.0.1:9")
    assert again.client is client
    assert all(key[0] != "dropped-key" for key in list(YEScaleClient._shared.keys()))


def test_a_transport_collected_while_the_pools_lock_is_held_does_not_deadlock() -> None:
    """A transport releases its pools from a finalizer, which the garbage collector may run
    inside any allocation: also one made while this thread holds the pools' lock (building a
    new ``Pools`` did, and the whole suite once hung there)."""
    import gc
    import threading

    from yescale._http import pools
    from yescale._http.transport import Transport
    from yescale._settings import ClientSettings

    def collect_under_the_lock() -> None:
        with pools._SHARED_LOCK:
            transport = Transport(ClientSettings.resolve(api_key="sk-tenant-0123456789"))
            shared = transport.pools
            with shared._lock:
                del transport
                gc.collect()  # its finalizer runs here, on this thread, under both locks

    worker = threading.Thread(target=collect_under_the_lock, daemon=True)
    worker.start()
    worker.join(timeout=10)
    assert not worker.is_alive(), "releasing the pools from a finalizer deadlocked"
