"""A 429 storm on 127.0.0.1, and thousands of concurrent ``ChatYEScale.ainvoke`` calls through it.

Shared by ``tests/faults/test_load_429.py`` (assertions) and ``scripts/scale_load.py`` (the
figures in docs/reliability.md). The server is an asyncio HTTP/1.1 server (stdlib only, keep-alive)
in its own thread, the soak's kind (``tests/faults/loop_server.py``). For ``storm`` seconds (from
its first request, or from the last expected call's first request) it answers every chat request
429, with a ``Retry-After`` in seconds, as an HTTP date, or none; after that, 200 with a
completion whose content and id echo the call's id (its user message). It records every request:
the id, when it arrived, what it was answered, and the earliest moment the 429 allowed a next
request.
"""

from __future__ import annotations

import asyncio
import email.utils
import json
import math
import time
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from .loop_server import LoopServer, http_answer
from .support import API_KEY, COMPLETION, MODEL

RETRY_AFTER_KINDS = ("seconds", "date", "none")
RATE_LIMITED = {
    "error": {"message": "Rate limit reached", "type": "requests", "code": "rate_limit_exceeded"}
}


def call_id(index: int) -> str:
    return f"call-{index:05d}"


@dataclass
class Seen:
    """One request: the call's id, when it arrived (monotonic and wall clock), its answer's
    status, and for a 429 the earliest moment it allowed the next request (``None`` without a
    ``Retry-After``), on the clock it was given in (wall for a date, monotonic for seconds)."""

    ident: str
    at: float
    wall: float
    status: int
    not_before: float | None = None


@dataclass
class StormServer(LoopServer):
    """429 for ``storm`` seconds (see ``expect``), then 200s echoing the id; each answer
    after ``latency`` seconds (a model's time). ``kind``: ``Retry-After: <retry_after>`` in
    seconds; an HTTP date naming the storm's end (rounded up to a whole second); or none."""

    storm: float
    retry_after: float = 1.0
    kind: str = "seconds"
    latency: float = 0.0
    #: ``None``: the storm lasts ``storm`` seconds from the first request. A number of calls:
    #: it lasts until ``storm`` seconds after the last of them has sent its first request, so
    #: every call meets a storm of the same length however slow the client is to start them.
    expect: int | None = None
    seen: list[Seen] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    connections: int = 0
    in_flight: int = 0
    peak_in_flight: int = 0
    started: float | None = None
    opens_wall: float = 0.0
    opens: float = math.inf
    firsts: set[str] = field(default_factory=set)

    def __post_init__(self) -> None:
        assert self.kind in RETRY_AFTER_KINDS
        self._prepare()

    # -- what it saw ----------------------------------------------------------------------------

    def answered(self) -> Counter[str]:
        """200s sent, per id."""
        return Counter(s.ident for s in self.seen if s.status == 200)

    def limited(self) -> int:
        return sum(1 for s in self.seen if s.status == 429)

    def early(self) -> list[Seen]:
        """Requests that came before the moment a 429 to the same call allowed."""
        last: dict[str, Seen] = {}
        found = []
        for s in sorted(self.seen, key=lambda s: s.at):
            before = last.get(s.ident)
            if before is not None and before.not_before is not None:
                now = s.wall if self.kind == "date" else s.at
                if now < before.not_before:
                    found.append(s)
            last[s.ident] = s
        return found

    def retries(self) -> list[float]:
        """Arrival times of the requests that were not a call's first."""
        firsts: set[str] = set()
        times = []
        for s in sorted(self.seen, key=lambda s: s.at):
            if s.ident in firsts:
                times.append(s.at)
            firsts.add(s.ident)
        return times

    # -- serving (in the server's thread) -------------------------------------------------------

    async def answer(self, method: str, path: str, headers: dict[str, str], body: bytes) -> bytes:
        """``_answer``'s, after ``latency`` seconds; counts the requests being answered."""
        self.in_flight += 1
        self.peak_in_flight = max(self.peak_in_flight, self.in_flight)
        try:
            if self.latency:
                await asyncio.sleep(self.latency)
            return self._answer(method, path, headers, body)
        finally:
            self.in_flight -= 1

    def _answer(self, method: str, path: str, headers: dict[str, str], body: bytes) -> bytes:
        if headers.get("authorization") != f"Bearer {API_KEY}":
            self.errors.append(f"{method} {path} without the key")
        if (method, path) != ("POST", "/v1/chat/completions"):
            self.errors.append(f"unexpected {method} {path}")
            return http_answer(404, {"error": {"message": "no route"}})
        ident = json.loads(body)["messages"][-1]["content"]
        now, wall = time.monotonic(), time.time()
        if self.started is None:
            self.started = now
            if self.kind == "date":  # the storm ends at the whole second its 429s name
                self.opens_wall = float(math.ceil(wall + self.storm))
        if self.expect is None:
            self.opens = min(self.opens, self.started + self.storm)
        elif ident not in self.firsts:
            self.firsts.add(ident)
            if len(self.firsts) == self.expect:
                self.opens = now + self.storm
        if (wall < self.opens_wall) if self.kind == "date" else (now < self.opens):
            extra, not_before = self._retry_after(now, wall)
            self.seen.append(Seen(ident, now, wall, 429, not_before))
            return http_answer(429, RATE_LIMITED, extra)
        self.seen.append(Seen(ident, now, wall, 200))
        message = {"role": "assistant", "content": ident}
        choice = {**COMPLETION["choices"][0], "message": message}
        return http_answer(200, {**COMPLETION, "id": f"chatcmpl-{ident}", "choices": [choice]})

    def _retry_after(self, now: float, wall: float) -> tuple[dict[str, str], float | None]:
        if self.kind == "seconds":
            return {"Retry-After": f"{self.retry_after:g}"}, now + self.retry_after
        if self.kind == "date":  # the storm's end, in whole seconds
            at = self.opens_wall
            return {"Retry-After": email.utils.formatdate(at, usegmt=True)}, at
        return {}, None


@dataclass
class Outcome:
    """What the callers got: the content of each answer by call index (``None``: it raised)."""

    answers: list[str | None]
    failures: list[BaseException]
    seconds: float


#: One call: ``ChatYEScale.ainvoke`` with the call's id (by index) as the message; its content.
Call = Callable[[int], Awaitable[str]]
#: What each call came to, in call order: its answer's content, or what it raised.
Results = list[str | BaseException]


async def invoke_all(url: str, calls: int, *, timeout: float = 120.0, **llm: Any) -> Outcome:
    """``calls`` concurrent ``ChatYEScale.ainvoke`` through one model object (as an application
    would), each with its own id as the message."""

    async def run(one: Call) -> Results:
        return await asyncio.wait_for(
            asyncio.gather(*(one(i) for i in range(calls)), return_exceptions=True), timeout
        )

    return await _invoke(url, llm, run)


async def invoke_after_a_429(url: str, calls: int, *, timeout: float = 60.0, **llm: Any) -> Outcome:
    """One call meets a 429 first; once the client has armed its cooldown, ``calls`` more
    start: the calls not yet sent when the service said "wait"."""
    from yescale._http import cooldown

    async def run(one: Call) -> Results:
        first = asyncio.ensure_future(one(0))
        await asyncio.wait_for(armed(cooldown.SHARED), 10)  # ms, unless the client never arms
        rest = asyncio.gather(*(one(i) for i in range(1, calls + 1)), return_exceptions=True)
        results = await asyncio.wait_for(
            asyncio.gather(first, rest, return_exceptions=True), timeout
        )
        head, tail = results  # the first call's, and the rest's (a list, unless they raised)
        return [head, *tail] if isinstance(tail, list) else [head, tail]

    return await _invoke(url, llm, run)


async def _invoke(
    url: str, llm: dict[str, Any], run: Callable[[Call], Awaitable[Results]]
) -> Outcome:
    """One model object (``llm``: its settings) for ``run``, which makes the calls; timed."""
    from langchain_yescale import ChatYEScale

    model = ChatYEScale(model=MODEL, api_key=API_KEY, base_url=url, **llm)

    async def one(index: int) -> str:
        reply = await model.ainvoke(call_id(index))
        assert isinstance(reply.content, str)
        return reply.content

    started = time.monotonic()
    results = await run(one)
    seconds = time.monotonic() - started
    answers = [r if isinstance(r, str) else None for r in results]
    failures = [r for r in results if isinstance(r, BaseException)]
    await model.client.aclose()
    return Outcome(answers, failures, seconds)


async def armed(cooldowns: Any) -> None:
    """Return once ``cooldowns`` holds a cooldown (the client has read a 429): polled, as
    nothing in the client signals it (and nothing should, for a test)."""
    for _ in range(30_000):  # a minute at most (the caller's timeout comes first)
        if len(cooldowns):
            return
        await asyncio.sleep(0.002)
