"""The client-side rate budget (yescale.rate_limit): pure bucket arithmetic, the shared limit and
the endpoint wrapper. No Ray, no HTTP, no real clock."""

from __future__ import annotations

import asyncio
import pickle
from typing import Any

import pytest

from tests.faults.support import FakeClock
from yescale import InvalidRequestError, embedding_batches
from yescale.rate_limit import (
    AsyncRateLimitedEndpoint,
    RateLimit,
    RateLimitedEndpoint,
    TokenBucket,
)


def test_bucket_waits_for_the_debt_to_be_paid() -> None:
    bucket = TokenBucket(rate=2.0, capacity=2.0, now=0.0)
    assert bucket.reserve(1, now=0.0) == 0.0
    assert bucket.reserve(1, now=0.0) == 0.0
    assert bucket.reserve(1, now=0.0) == pytest.approx(0.5)  # 1 unit of debt at 2 units/s
    assert bucket.reserve(1, now=0.0) == pytest.approx(1.0)
    # refills, never above capacity
    assert bucket.reserve(0, now=100.0) == 0.0
    assert bucket.level == 2.0


def test_bucket_allows_a_request_larger_than_its_capacity() -> None:
    bucket = TokenBucket(rate=10.0, capacity=10.0, now=0.0)
    assert bucket.reserve(50, now=0.0) == pytest.approx(4.0)  # 40 units of debt
    assert bucket.reserve(1, now=4.0) == pytest.approx(0.1)


def test_requests_per_minute_spaces_requests_out() -> None:
    clock = FakeClock(0.0)
    limit = RateLimit(requests_per_minute=120, clock=clock, sleep=clock.sleep)
    for _ in range(5):
        limit.acquire()
    # 2 a second, one second's worth (2) at once: then one every 0.5 s
    assert clock.sleeps == pytest.approx([0.5, 0.5, 0.5])
    assert clock.now == pytest.approx(1.5)


def test_tokens_per_minute_bounds_the_tokens_sent() -> None:
    clock = FakeClock(0.0)
    limit = RateLimit(tokens_per_minute=6000, clock=clock, sleep=clock.sleep)  # 100 a second
    limit.acquire(100)
    limit.acquire(300)
    assert clock.sleeps == pytest.approx([3.0])
    # over the whole run: 400 tokens in 3 s, plus the first second's allowance
    assert 100 * clock.now + 100 >= 400


def test_share_divides_the_budget_between_processes() -> None:
    whole = RateLimit(requests_per_minute=600, tokens_per_minute=90_000)
    part = whole.share(3)
    assert part.requests_per_minute == 200
    assert part.tokens_per_minute == 30_000
    assert RateLimit(tokens_per_minute=60).share(4).requests_per_minute is None
    with pytest.raises(InvalidRequestError, match="parts must be a positive integer"):
        whole.share(0)


@pytest.mark.parametrize("bad", [0, -1, float("nan"), float("inf"), True, "10"])
def test_bad_budgets_are_refused(bad: Any) -> None:
    with pytest.raises(InvalidRequestError, match="requests_per_minute"):
        RateLimit(requests_per_minute=bad)


def test_pickles_with_its_budget_and_full_buckets() -> None:
    clock = FakeClock(0.0)
    limit = RateLimit(60, 1000, clock=clock, sleep=clock.sleep)
    limit.acquire(5000)
    copy = pickle.loads(pickle.dumps(limit))
    assert (copy.requests_per_minute, copy.tokens_per_minute) == (60.0, 1000.0)
    assert copy.reserve(1) == 0.0
    assert repr(copy) == "RateLimit(requests_per_minute=60.0, tokens_per_minute=1000.0)"


class Recorder:
    max_inputs = 7

    def __init__(self) -> None:
        self.calls: list[list[str]] = []

    def create(self, *, model: str, input: list[str], **params: Any) -> Any:
        self.calls.append(input)
        return _Vectors(len(input))


class _Vectors:
    def __init__(self, n: int) -> None:
        self.n = n

    def vectors(self) -> list[list[float]]:
        return [[1.0]] * self.n


def test_endpoint_takes_one_request_and_the_inputs_tokens() -> None:
    clock = FakeClock(0.0)
    limit = RateLimit(requests_per_minute=60, clock=clock, sleep=clock.sleep)
    recorder = Recorder()
    endpoint = RateLimitedEndpoint(recorder, limit)
    assert endpoint.max_inputs == 7  # embed() still batches by the endpoint's own cap
    texts = [f"text {i}" for i in range(20)]
    vectors = embedding_batches.embed(
        endpoint, texts, model="text-embedding-3-small", max_concurrency=1
    )
    assert len(vectors) == 20
    assert [len(c) for c in recorder.calls] == [7, 7, 6]
    assert clock.sleeps == pytest.approx([1.0, 1.0])  # 1 a second, the first at once


def test_endpoint_counts_estimated_tokens() -> None:
    clock = FakeClock(0.0)
    limit = RateLimit(tokens_per_minute=60, clock=clock, sleep=clock.sleep)  # 1 a second
    endpoint = RateLimitedEndpoint(Recorder(), limit)
    text = "x" * 299  # 100 tokens by the estimate
    assert embedding_batches.estimate_tokens(text) == 100
    endpoint.create(model="m", input=[text])
    assert clock.sleeps == pytest.approx([99.0])  # one token's allowance at the start


def test_async_endpoint_waits_without_blocking() -> None:
    clock = FakeClock(0.0)
    limit = RateLimit(requests_per_minute=60, clock=clock, async_sleep=clock.async_sleep)

    class AsyncRecorder:
        async def create(self, *, model: str, input: list[str], **params: Any) -> Any:
            return _Vectors(len(input))

    endpoint = AsyncRateLimitedEndpoint(AsyncRecorder(), limit)
    assert not hasattr(endpoint, "max_inputs")

    async def three() -> None:
        for _ in range(3):
            await endpoint.create(model="m", input=["a"])

    asyncio.run(three())
    assert clock.sleeps == pytest.approx([1.0, 1.0])
