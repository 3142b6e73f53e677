"""The one retry policy of the client: which failures are retried, and how long to wait."""

from __future__ import annotations

import random
from dataclasses import dataclass

from .errors import (
    APIConnectionError,
    ConflictError,
    InternalServerError,
    RateLimitError,
    YEScaleError,
)

#: What is retried, by class: every answer is mapped to its class once, by its status and its
#: own code (:func:`yescale.errors.error_from_response` and the error objects of 2xx answers and
#: streams), so a missing model sent as a 503 is a NotFoundError, and an exhausted quota sent as
#: a 429 an InsufficientQuotaError: neither is retried.
RETRIED: tuple[type[YEScaleError], ...] = (
    APIConnectionError,  # connection errors, timeouts (408 too), streams cut before any output
    InternalServerError,  # 5xx, and server errors reported inside a 2xx answer or a stream
    RateLimitError,  # 429
    ConflictError,  # 409
)


@dataclass(frozen=True)
class RetryPolicy:
    """Exponential backoff with jitter, honouring ``Retry-After`` up to ``max_retry_after``.

    Connection errors, timeouts, cut streams (before their first event), 408, 409, 429 and 5xx
    are retried (:data:`RETRIED`, by class); every other 4xx, an exhausted quota and a missing
    model never are, whatever status they came with.

    Without ``Retry-After``: ``initial_delay * 2**attempt`` (at most ``max_delay``), minus up to
    ``jitter`` of it at random. With one: that wait plus up to ``jitter`` of it at random, never
    less than the service asked: calls told the same ``Retry-After`` at the same time come back
    spread over a quarter of it, not in the same millisecond (the calls not yet sent are held
    by the transport's shared cooldown, :mod:`yescale._http.cooldown`). A ``Retry-After``
    longer than ``max_retry_after`` is not waited out: the error is raised at once, with
    ``retry_after`` set.
    """

    max_retries: int = 2
    initial_delay: float = 0.5
    max_delay: float = 8.0
    max_retry_after: float = 60.0
    jitter: float = 0.25

    def is_retryable(self, error: YEScaleError) -> bool:
        return isinstance(error, RETRIED)

    def delay_for(self, attempt: int, error: YEScaleError) -> float | None:
        """Seconds to wait before retry number ``attempt + 1``, or ``None`` to give up."""
        if attempt >= self.max_retries or not self.is_retryable(error):
            return None
        retry_after = error.retry_after
        if retry_after is not None:
            if retry_after > self.max_retry_after:
                return None
            return retry_after * (1.0 + self.jitter * random.random())
        backoff = min(self.max_delay, self.initial_delay * (2.0**attempt))
        return backoff * (1.0 - self.jitter * random.random())
