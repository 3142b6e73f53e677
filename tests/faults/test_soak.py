"""Soak: 1,000 concurrent async calls, 10% of them hit by a transient fault; none lost, none twice.

The server (``tests/faults/loop_server.py``) is an asyncio HTTP/1.1 server (stdlib only) on
127.0.0.1 in its own thread: a thread per connection (the scripted server of the other fault tests)
is needlessly heavy for 1,000 open connections. Faults are deterministic: the first attempt of
every 10th call is answered with a 503, a 429 with ``Retry-After: 0``, or a TCP reset, in turn;
every later attempt succeeds.
Every call carries a unique id (in the user message, or the text to embed), and the server counts
attempts and successful answers per id; each answer names the id it answers, so the client's
results can be matched to ids one to one.

The client is used as an application would: one ``YEScaleClient``, its defaults for connection
pooling (``max_connections=1000``, ``max_keepalive_connections=200``), real backoff sleeps.
"""

from __future__ import annotations

import asyncio
import gc
import json
import resource
import sys
import threading
import time
from collections import Counter
from collections.abc import Iterator

import pytest

from yescale import YEScaleClient

from .loop_server import LoopServer, http_answer
from .support import API_KEY, COMPLETION, EMBEDDING, MODEL

CALLS = 1000
FAULT_EVERY = 10  # the first attempt of one call in ten fails
FAULT_KINDS = ("503", "429", "reset")
#: The whole soak must finish within this (it takes a few seconds); then it is cancelled.
DEADLINE = 60.0
#: Generous bound on how much the process's resident memory may grow during the soak (client,
#: server, 1,000 connections and results all live in this process).
PEAK_BYTES = 150 * 1024 * 1024


def call_id(index: int) -> str:
    return f"call-{index:04d}"


class SoakServer(LoopServer):
    """HTTP/1.1 with keep-alive on an asyncio loop in a thread; counts everything by call id."""

    def __init__(self) -> None:
        super().__init__()
        self.attempts: Counter[str] = Counter()  # requests seen per call id
        self.answered: Counter[str] = Counter()  # successful answers sent per call id
        self.faults: Counter[str] = Counter()  # faults injected, by kind

    async def answer(
        self, method: str, path: str, headers: dict[str, str], body: bytes
    ) -> bytes | None:
        if headers.get("authorization") != f"Bearer {API_KEY}":
            self.errors.append(f"{method} {path} without the key")
        request = json.loads(body)
        if path == "/v1/chat/completions":
            ident = request["messages"][0]["content"]
        elif path == "/v1/embeddings":
            ident = request["input"][0]
        else:
            return http_answer(404, {"error": {"message": f"no route {method} {path}"}})
        index = int(ident.removeprefix("call-"))
        self.attempts[ident] += 1
        if index % FAULT_EVERY == 0 and self.attempts[ident] == 1:
            kind = FAULT_KINDS[(index // FAULT_EVERY) % len(FAULT_KINDS)]
            self.faults[kind] += 1
            if kind == "503":
                return http_answer(503, {"error": {"message": "upstream overloaded"}})
            if kind == "429":
                return http_answer(429, {"error": {"message": "slow down"}}, {"Retry-After": "0"})
            return None
        self.answered[ident] += 1
        if path == "/v1/chat/completions":
            message = {"role": "assistant", "content": ident}
            choice = {**COMPLETION["choices"][0], "message": message}
            return http_answer(200, {**COMPLETION, "id": f"chatcmpl-{ident}", "choices": [choice]})
        item = {**EMBEDDING["data"][0], "embedding": [float(index), 0.5]}
        return http_answer(200, {**EMBEDDING, "data": [item]})


@pytest.fixture
def soak_server() -> Iterator[SoakServer]:
    server = SoakServer()
    server.start()
    try:
        yield server
    finally:
        server.stop()


async def _one(client: YEScaleClient, index: int) -> str:
    ident = call_id(index)
    if index % 5 == 4:  # one call in five is an embedding
        vectors = (await client.aio.embeddings.create(model="m", input=[ident])).vectors()
        return call_id(int(vectors[0][0]))
    reply = await client.aio.chat.create(model=MODEL, messages=[{"role": "user", "content": ident}])
    content = reply.choices[0].message.content
    assert isinstance(content, str)
    assert reply.id == f"chatcmpl-{content}"
    return content


def rss_bytes() -> int:
    """The process's resident memory now (Linux), or its peak so far (elsewhere)."""
    try:
        with open("/proc/self/statm") as fh:
            return int(fh.read().split()[1]) * resource.getpagesize()
    except OSError:  # pragma: no cover - not Linux: ru_maxrss, KiB on Linux/BSD, bytes on macOS
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        return peak if sys.platform == "darwin" else peak * 1024


class PeakMemory:
    """Samples the resident memory every few milliseconds in a thread; keeps the highest."""

    def __init__(self) -> None:
        self.baseline = rss_bytes()
        self.peak = self.baseline
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def _sample(self) -> None:
        while not self._stop.wait(0.01):
            self.peak = max(self.peak, rss_bytes())

    def __enter__(self) -> PeakMemory:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(timeout=5)
        self.peak = max(self.peak, rss_bytes())

    @property
    def growth(self) -> int:
        return self.peak - self.baseline


async def test_soak_1000_concurrent_calls_with_10_percent_faults(soak_server: SoakServer) -> None:
    gc.collect()
    with PeakMemory() as memory:
        started = time.monotonic()
        client = YEScaleClient(api_key=API_KEY, base_url=soak_server.url, timeout=30)
        try:
            results = await asyncio.wait_for(
                asyncio.gather(*(_one(client, i) for i in range(CALLS))), DEADLINE
            )
        finally:
            await client.aclose()
        elapsed = time.monotonic() - started

    ids = [call_id(i) for i in range(CALLS)]
    faulted = {call_id(i) for i in range(0, CALLS, FAULT_EVERY)}

    assert soak_server.errors == []
    # none lost, none duplicated: result i answers call i, and each call was answered once
    assert results == ids
    assert set(soak_server.answered) == set(ids)
    assert set(soak_server.answered.values()) == {1}
    # each faulted call was retried exactly once, every other call sent exactly once
    assert {i: n for i, n in soak_server.attempts.items() if n != 1} == dict.fromkeys(faulted, 2)
    assert sum(soak_server.attempts.values()) == CALLS + len(faulted)
    assert soak_server.faults == {"503": 34, "429": 33, "reset": 33}

    # bounded: time and memory
    assert elapsed < DEADLINE
    assert memory.growth < PEAK_BYTES, f"grew by {memory.growth / 2**20:.0f} MiB"
    print(
        f"\nsoak: {CALLS} calls, {sum(soak_server.faults.values())} faults injected "
        f"({dict(soak_server.faults)}), {sum(soak_server.attempts.values())} requests over "
        f"{soak_server.connections} connections in {elapsed:.1f}s; "
        f"resident memory grew by at most {memory.growth / 2**20:.1f} MiB"
    )
