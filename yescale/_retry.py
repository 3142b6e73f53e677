"""The one retry policy of the client: which failures are retried, and how long to wait."""

from __future__ import annotations

import random
from dataclasses import dataclass

from .errors import (
    APIConnectionError,
    APIStatusError,
    AuthenticationError,
    BadRequestError,
    ConflictError,
    InsufficientQuotaError,
    InternalServerError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitError,
    YEScaleError,
)

RETRYABLE_STATUS = frozenset({408, 409, 429, 500, 502, 503, 504, 520, 521, 522, 523, 524, 529})

#: Classes that say the request itself is refused: never retried, whatever the status they came
#: with (a gateway answers "no channel for this model" with a 503; that is a NotFoundError).
NEVER_RETRIED: tuple[type[YEScaleError], ...] = (
    InsufficientQuotaError,
    BadRequestError,
    AuthenticationError,
    PermissionDeniedError,
    NotFoundError,
)
#: Classes retried when they come without a status: an error object in a 2xx answer or a
#: stream's error event, mapped by its own code (there was no HTTP error to go by).
RETRIED_WITHOUT_STATUS: tuple[type[YEScaleError], ...] = (
    InternalServerError,
    RateLimitError,
    ConflictError,
)


@dataclass(frozen=True)
class RetryPolicy:
    """Exponential backoff with jitter, honouring ``Retry-After`` up to ``max_retry_after``.

    Connection errors, timeouts, cut streams (before their first event), 408, 409, 429 and 5xx
    are retried; every other 4xx, and an exhausted quota, never are. The class is checked before
    the status: a refusal class (:data:`NEVER_RETRIED`, e.g. a missing model sent as a 503) is
    never retried, and an error without a status (sent inside a 2xx answer or a stream) is
    retried when its class is a server failure, a rate limit or a conflict. A ``Retry-After``
    longer than ``max_retry_after`` is not waited out: the error is raised at once, with
    ``retry_after`` set.
    """

    max_retries: int = 2
    initial_delay: float = 0.5
    max_delay: float = 8.0
    max_retry_after: float = 60.0
    jitter: float = 0.25

    def is_retryable(self, error: YEScaleError) -> bool:
        if isinstance(error, NEVER_RETRIED):
            return False
        if isinstance(error, APIConnectionError):
            return True
        if not isinstance(error, APIStatusError):
            return False
        if error.status_code is None:
            return isinstance(error, RETRIED_WITHOUT_STATUS)
        return error.status_code in RETRYABLE_STATUS or error.status_code >= 500

    def delay_for(self, attempt: int, error: YEScaleError) -> float | None:
        """Seconds to wait before retry number ``attempt + 1``, or ``None`` to give up."""
        if attempt >= self.max_retries or not self.is_retryable(error):
            return None
        retry_after = error.retry_after
        if retry_after is not None:
            return retry_after if retry_after <= self.max_retry_after else None
        backoff = min(self.max_delay, self.initial_delay * (2.0**attempt))
        return backoff * (1.0 - self.jitter * random.random())
