"""Load through 429s: concurrent ``ChatYEScale.ainvoke`` calls meet a service that answers 429 for a
while; none is lost or answered twice, and they do not stampede it.

The server (``tests/faults/storm.py``) is an asyncio HTTP/1.1 server on 127.0.0.1 that answers
429 to every request for the first seconds, then 200s echoing each call's id; it records when
each request arrived and what it was told. Nothing here is timed: the assertions are counts and
orderings on the server's record (how many 429s, whether any request came before the moment a
429 named, how the releases spread). ``scripts/scale_load.py`` runs 2,000 calls for the figures.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Iterator
from typing import Any

import pytest

from yescale import RateLimitError, YEScaleClient
from yescale._http import cooldown

from .conftest import FaultServer, reply_json
from .storm import (
    RATE_LIMITED,
    StormServer,
    armed,
    call_id,
    invoke_after_a_429,
    invoke_all,
)
from .support import API_KEY, COMPLETION, MESSAGES, MODEL, FakeClock

#: Calls through the storm (scripts/scale_load.py runs 2,000), and calls held by one 429.
CALLS = 1000
HELD = 100


@pytest.fixture
def storms() -> Iterator[list[StormServer]]:
    """Storm servers started by the test, stopped after it."""
    started: list[StormServer] = []
    yield started
    for server in started:
        server.stop()


def storm(started: list[StormServer], **kwargs: Any) -> StormServer:
    server = StormServer(**kwargs).start()
    started.append(server)
    return server


def ten_ms_buckets(times: list[float]) -> Counter[int]:
    return Counter(int(t * 100) for t in times)


async def test_a_429_storm_of_five_retry_afters_loses_nothing_and_is_not_stampeded(
    storms: list[StormServer],
) -> None:
    server = storm(storms, storm=5.0, retry_after=1.0, expect=CALLS)
    outcome = await invoke_all(server.url, CALLS)  # the default max_retries=2

    assert server.errors == []
    # every call finished with its own answer: none lost, none answered twice
    assert outcome.failures == []
    assert outcome.answers == [call_id(i) for i in range(CALLS)]
    assert server.answered() == Counter({call_id(i): 1 for i in range(CALLS)})
    # no call came back before the moment its 429 named
    assert server.early() == []
    # no stampede: the calls already sent (or queued for a connection) when the storm began
    # met it once; after that, about one probe per Retry-After. Each call retrying on its own
    # would send ~1.9 requests per call into this storm, and some would run out of retries.
    assert server.limited() <= CALLS + CALLS // 4
    assert len(server.seen) == CALLS + server.limited()
    # the retries were released spread out, not in one burst
    retries = server.retries()
    assert max(ten_ms_buckets(retries).values()) <= len(retries) // 4


@pytest.mark.parametrize(
    ("kind", "seconds", "retry_after"),
    [
        ("seconds", 2.0, 2.0),  # "Retry-After: 2", and the storm ends at that moment
        ("date", 1.0, 0.0),  # an HTTP date: the storm's end, rounded up to a whole second
        ("none", 0.3, 0.0),  # no Retry-After: the backoff (0.375-0.5 s) outlasts the storm
    ],
    ids=["seconds", "http-date", "no-retry-after"],
)
async def test_calls_not_yet_sent_wait_for_the_cooldown_instead_of_each_meeting_the_429(
    storms: list[StormServer], kind: str, seconds: float, retry_after: float
) -> None:
    server = storm(storms, storm=seconds, retry_after=retry_after, kind=kind)
    outcome = await invoke_after_a_429(server.url, HELD)

    assert server.errors == []
    assert outcome.failures == []
    assert outcome.answers == [call_id(i) for i in range(HELD + 1)]
    assert server.answered() == Counter({call_id(i): 1 for i in range(HELD + 1)})
    # only the first call met the storm: the others waited for the moment it was told
    assert server.limited() == 1
    first, *rest = sorted(server.seen, key=lambda s: s.at)
    assert first.ident == call_id(0)
    assert first.status == 429
    if kind == "seconds":
        assert all(s.at >= first.not_before for s in rest)  # type: ignore[operator]
    elif kind == "date":
        assert all(s.wall >= first.not_before for s in rest)  # type: ignore[operator]
    # released spread over a window, not all at the moment (a backoff's hold, under half a
    # second, may be over before the calls are all started: then they go as they come)
    if kind != "none":
        assert max(ten_ms_buckets([s.at for s in rest]).values()) <= HELD // 4


async def test_a_held_call_cancelled_leaves_nothing_behind(storms: list[StormServer]) -> None:
    from langchain_yescale import ChatYEScale

    server = storm(storms, storm=2.0, retry_after=2.0)
    model = ChatYEScale(model=MODEL, api_key=API_KEY, base_url=server.url)
    first = asyncio.ensure_future(model.ainvoke(call_id(0)))
    await asyncio.wait_for(armed(cooldown.SHARED), 10)

    with pytest.raises(asyncio.TimeoutError):  # cancelled while held
        await asyncio.wait_for(model.ainvoke(call_id(1)), 0.2)
    assert [s.ident for s in server.seen] == [call_id(0)]  # it was never sent
    assert len(cooldown.SHARED) == 1  # one cooldown for the scope, nothing per call

    later = await asyncio.wait_for(asyncio.gather(first, model.ainvoke(call_id(2))), 30)
    assert [m.content for m in later] == [call_id(0), call_id(2)]
    assert sorted(s.ident for s in server.seen) == [call_id(0), call_id(0), call_id(2)]
    await model.client.aclose()


@pytest.mark.parametrize("max_retries", [0, 2])
def test_a_429_too_long_to_hold_for_is_not_shared_and_max_retries_0_is_not_held(
    fault_server: FaultServer, max_retries: int
) -> None:
    """``max_retries=0``: the caller schedules its own waits, so a call that a cooldown would
    hold is refused at once, unsent, with ``retry_after``; a ``Retry-After`` past
    ``max_retry_after`` arms nothing (each call finds it out, as the first did)."""
    fault_server.script(reply_json(429, RATE_LIMITED, {"Retry-After": "5"}))
    clock = FakeClock()
    with YEScaleClient(
        api_key=API_KEY,
        base_url=fault_server.url,
        max_retries=max_retries,
        clock=clock,
        sleep=clock.sleep,
    ) as client:
        with pytest.raises(RateLimitError) as first:
            client.chat.create(model=MODEL, messages=MESSAGES)
        assert first.value.request_unsent is False
        sent = fault_server.count
        assert sent == max_retries + 1
        if max_retries == 0:  # the next call is refused while the cooldown lasts
            with pytest.raises(RateLimitError) as refused:
                client.chat.create(model=MODEL, messages=MESSAGES)
            assert refused.value.request_unsent is True
            assert refused.value.status_code == 429
            assert refused.value.retry_after == pytest.approx(5.0)
            assert "was not sent" in str(refused.value)
            assert fault_server.count == sent
            clock.sleep(5.0)  # once the moment has passed, calls are sent again
            fault_server.script(reply_json(200, COMPLETION))
            assert client.chat.create(model=MODEL, messages=MESSAGES).choices
            assert fault_server.count == sent + 1

    fault_server.script(reply_json(429, RATE_LIMITED, {"Retry-After": "3600"}))
    clock = FakeClock()
    with YEScaleClient(
        api_key=API_KEY, base_url=fault_server.url, max_retries=0, clock=clock, sleep=clock.sleep
    ) as client:
        for _ in range(2):  # each is sent, and refused by the service itself
            with pytest.raises(RateLimitError) as caught:
                client.chat.create(model=MODEL, messages=MESSAGES)
            assert caught.value.request_unsent is False
            assert caught.value.retry_after == 3600.0
        assert len(client._transport.cooldowns) == 0
