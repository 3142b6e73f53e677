"""A client-side rate budget: requests and tokens per minute, for one process or a share of a key.

The whole policy:

* A :class:`TokenBucket` holds up to ``capacity`` units and refills at ``rate`` units a second.
  :meth:`TokenBucket.reserve` takes ``amount`` units *now* and says how long the caller must wait
  before sending: zero while the bucket has them, else the time the refill takes to pay the debt.
  A request larger than the capacity is allowed (a 250k-token batch under a 100k tokens-a-minute
  budget): it waits until the debt it leaves is paid, so the average rate still holds. Pure: the
  time is an argument, no clock, no sleep, no lock.
* A :class:`RateLimit` is one bucket for requests and one for estimated tokens (either may be
  ``None``: unlimited), thread-safe, with a blocking :meth:`~RateLimit.acquire` and an awaitable
  :meth:`~RateLimit.aacquire`. Buckets start full with one second's worth (at least one
  request), so a fleet of processes starting together does not burst a minute's budget at once.
* :meth:`RateLimit.share` divides the budget between ``n`` processes that use the same key (each
  takes ``1/n``): Ray actors, workers of a pool. No coordination is needed and there is no shared
  service to fail; the cost is that an idle process's share is not lent to the others.
* :class:`RateLimitedEndpoint` puts a limit in front of an embeddings endpoint
  (``client.embeddings``): every ``create`` takes one request and the estimated tokens of its
  inputs (:func:`~yescale.embedding_batches.estimate_tokens`, a rather high estimate). It keeps the
  endpoint's ``max_inputs``, so :func:`~yescale.embedding_batches.embed` batches alike.

The service's own 429s are still retried by the client (honouring ``Retry-After``): the limit
keeps a well-behaved job from provoking them, it is not the only defence.
"""

from __future__ import annotations

import asyncio
import math
import threading
import time
from collections.abc import Awaitable, Callable
from typing import Any

from .embedding_batches import (
    AsyncEmbeddingEndpoint,
    EmbeddingEndpoint,
    Vectors,
    estimate_tokens,
    vector_sender,
)
from .errors import InvalidRequestError

__all__ = ["AsyncRateLimitedEndpoint", "RateLimit", "RateLimitedEndpoint", "TokenBucket"]


class TokenBucket:
    """Up to ``capacity`` units, refilled at ``rate`` units a second (see the module's policy)."""

    def __init__(self, rate: float, capacity: float, now: float) -> None:
        self.rate = rate
        self.capacity = capacity
        self.level = capacity
        self.updated = now

    def reserve(self, amount: float, now: float) -> float:
        """Take ``amount`` units at ``now``; the seconds to wait before using them."""
        if now > self.updated:
            self.level = min(self.capacity, self.level + (now - self.updated) * self.rate)
            self.updated = now
        self.level -= amount
        return 0.0 if self.level >= 0 else -self.level / self.rate


def _per_minute(value: float | None, name: str) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise InvalidRequestError(f"{name} must be a number per minute or None, got {value!r:.40}.")
    if not math.isfinite(value) or value <= 0:
        raise InvalidRequestError(
            f"{name} must be a positive number per minute, got {value!r}: leave it None for no "
            "limit."
        )
    return float(value)


class RateLimit:
    """``requests_per_minute`` and ``tokens_per_minute`` (``None``: no limit on that one), shared
    by the threads and event loops of one process. Copies and pickles start with full buckets.

    ``clock`` / ``sleep`` / ``async_sleep``: time functions, injectable for tests.
    """

    def __init__(
        self,
        requests_per_minute: float | None = None,
        tokens_per_minute: float | None = None,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
        async_sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self.requests_per_minute = _per_minute(requests_per_minute, "requests_per_minute")
        self.tokens_per_minute = _per_minute(tokens_per_minute, "tokens_per_minute")
        self._clock, self._sleep, self._async_sleep = clock, sleep, async_sleep
        now = clock()
        self._requests = self._bucket(self.requests_per_minute, 1.0, now)
        self._tokens = self._bucket(self.tokens_per_minute, 0.0, now)
        self._lock = threading.Lock()

    @staticmethod
    def _bucket(per_minute: float | None, floor: float, now: float) -> TokenBucket | None:
        if per_minute is None:
            return None
        rate = per_minute / 60.0
        return TokenBucket(rate, max(rate, floor), now)

    def reserve(self, tokens: int = 0) -> float:
        """Take one request and ``tokens`` tokens now; the seconds to wait before sending."""
        with self._lock:
            now = self._clock()
            wait = 0.0
            if self._requests is not None:
                wait = self._requests.reserve(1.0, now)
            if self._tokens is not None:  # larger than the bucket: allowed, it leaves a debt
                wait = max(wait, self._tokens.reserve(float(tokens), now))
            return wait

    def acquire(self, tokens: int = 0) -> None:
        """Block until one request of ``tokens`` tokens fits the budget."""
        wait = self.reserve(tokens)
        if wait > 0:
            self._sleep(wait)

    async def aacquire(self, tokens: int = 0) -> None:
        """Async :meth:`acquire`: waits without blocking the event loop."""
        wait = self.reserve(tokens)
        if wait > 0:
            await self._async_sleep(wait)

    def share(self, parts: int) -> RateLimit:
        """The budget of one of ``parts`` processes sharing this one: each gets ``1/parts``."""
        if isinstance(parts, bool) or not isinstance(parts, int) or parts < 1:
            raise InvalidRequestError(f"parts must be a positive integer, got {parts!r}.")
        return RateLimit(
            None if self.requests_per_minute is None else self.requests_per_minute / parts,
            None if self.tokens_per_minute is None else self.tokens_per_minute / parts,
            clock=self._clock,
            sleep=self._sleep,
            async_sleep=self._async_sleep,
        )

    def __reduce__(self) -> tuple[Any, ...]:
        return (RateLimit, (self.requests_per_minute, self.tokens_per_minute))

    def __repr__(self) -> str:
        return (
            f"RateLimit(requests_per_minute={self.requests_per_minute}, "
            f"tokens_per_minute={self.tokens_per_minute})"
        )


def _cost(input: list[str]) -> int:
    return sum(estimate_tokens(text) for text in input)


class _LimitedEndpoint:
    """What both wrappers keep of the endpoint: its ``max_inputs`` and its ``input_limits`` (what
    a refusal taught about the service's input limit), so the batch routine splits through the
    wrapper as it would through the endpoint."""

    def __init__(self, endpoint: EmbeddingEndpoint | AsyncEmbeddingEndpoint, limit: RateLimit):
        self.endpoint = endpoint
        self.limit = limit
        # the fast vector-only call when the endpoint has it (client.embeddings.create_vectors)
        self._send: Any = vector_sender(endpoint)
        for name in ("max_inputs", "input_limits"):
            own = getattr(endpoint, name, None)
            if own is not None:
                setattr(self, name, own)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.endpoint!r}, {self.limit!r})"


class RateLimitedEndpoint(_LimitedEndpoint):
    """``endpoint`` behind ``limit``: each ``create`` waits for one request and its inputs'
    estimated tokens, then sends through the endpoint's ``create_vectors`` when it has one (the
    answer read as vectors only), else its ``create``."""

    def __init__(self, endpoint: EmbeddingEndpoint, limit: RateLimit) -> None:
        super().__init__(endpoint, limit)

    def create(self, *, model: str, input: list[str], **params: Any) -> Vectors:
        self.limit.acquire(_cost(input))
        result: Vectors = self._send(model=model, input=input, **params)
        return result


class AsyncRateLimitedEndpoint(_LimitedEndpoint):
    """Async twin of :class:`RateLimitedEndpoint` (``client.aio.embeddings``, ...)."""

    def __init__(self, endpoint: AsyncEmbeddingEndpoint, limit: RateLimit) -> None:
        super().__init__(endpoint, limit)

    async def create(self, *, model: str, input: list[str], **params: Any) -> Vectors:
        await self.limit.aacquire(_cost(input))
        result: Vectors = await self._send(model=model, input=input, **params)
        return result
