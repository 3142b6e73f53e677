"""The one retry policy of the client: which failures are retried, and how long to wait."""

from __future__ import annotations

import random
from dataclasses import dataclass

from .errors import (
    APIConnectionError,
    APIStatusError,
    InsufficientQuotaError,
    YEScaleError,
)

RETRYABLE_STATUS = frozenset({408, 409, 429, 500, 502, 503, 504, 520, 521, 522, 523, 524, 529})


@dataclass(frozen=True)
class RetryPolicy:
    """Exponential backoff with jitter, honouring ``Retry-After`` up to ``max_retry_after``.

    Connection errors, timeouts, cut streams (before their first event), 408, 409, 429 and 5xx
    are retried; every other 4xx, and an exhausted quota, never are. A ``Retry-After`` longer than
    ``max_retry_after`` is not waited out: the error is raised at once, with ``retry_after`` set.
    """

    max_retries: int = 2
    initial_delay: float = 0.5
    max_delay: float = 8.0
    max_retry_after: float = 60.0
    jitter: float = 0.25

    def is_retryable(self, error: YEScaleError) -> bool:
        if isinstance(error, InsufficientQuotaError):
            return False
        if isinstance(error, APIConnectionError):
            return True
        if isinstance(error, APIStatusError) and error.status_code is not None:
            return error.status_code in RETRYABLE_STATUS or error.status_code >= 500
        return False

    def delay_for(self, attempt: int, error: YEScaleError) -> float | None:
        """Seconds to wait before retry number ``attempt + 1``, or ``None`` to give up."""
        if attempt >= self.max_retries or not self.is_retryable(error):
            return None
        retry_after = error.retry_after
        if retry_after is not None:
            return retry_after if retry_after <= self.max_retry_after else None
        backoff = min(self.max_delay, self.initial_delay * (2.0**attempt))
        return backoff * (1.0 - self.jitter * random.random())
