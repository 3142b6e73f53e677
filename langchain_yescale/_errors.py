"""The client's errors as LangChain sees them.

Each class inherits from both the ``yescale`` error and the matching
``langchain_core.exceptions.Model*Error``, so ``except yescale.RateLimitError`` and
``except ModelRateLimitError`` both catch a rate limit from ``ChatYEScale``.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from langchain_core.exceptions import (
    ContextOverflowError,
    ModelAPIError,
    ModelAuthenticationError,
    ModelConnectionError,
    ModelError,
    ModelInvalidRequestError,
    ModelNotFoundError,
    ModelPermissionDeniedError,
    ModelRateLimitError,
    ModelTimeoutError,
)

import yescale


class YEScaleAuthenticationError(yescale.AuthenticationError, ModelAuthenticationError):
    """401 from YEScale, catchable as ``ModelAuthenticationError``."""


class YEScalePermissionDeniedError(yescale.PermissionDeniedError, ModelPermissionDeniedError):
    """403 from YEScale, catchable as ``ModelPermissionDeniedError``."""


class YEScaleBadRequestError(yescale.BadRequestError, ModelInvalidRequestError):
    """400/422 from YEScale, catchable as ``ModelInvalidRequestError``."""


class YEScaleContextOverflowError(yescale.ContextLengthExceededError, ContextOverflowError):
    """Prompt too long for the model, catchable as ``ContextOverflowError``."""


class YEScaleNotFoundError(yescale.NotFoundError, ModelNotFoundError):
    """404 from YEScale, catchable as ``ModelNotFoundError``."""


class YEScaleRateLimitError(yescale.RateLimitError, ModelRateLimitError):
    """429 from YEScale, catchable as ``ModelRateLimitError``."""


class YEScaleInsufficientQuotaError(yescale.InsufficientQuotaError, ModelError):
    """Out of credit, catchable as ``ModelError`` (retrying will not help)."""


class YEScaleInternalServerError(yescale.InternalServerError, ModelAPIError):
    """5xx from YEScale, catchable as ``ModelAPIError``."""


class YEScaleConnectionError(yescale.APIConnectionError, ModelConnectionError):
    """Network failure, catchable as ``ModelConnectionError``."""


class YEScaleTimeoutError(yescale.APITimeoutError, ModelTimeoutError):
    """Timeout, catchable as ``ModelTimeoutError``."""


class YEScaleIncompleteStreamError(yescale.IncompleteStreamError, ModelConnectionError):
    """A cut stream, catchable as ``ModelConnectionError``."""


# Most specific first: the first class the error is an instance of wins.
_BRIDGES: list[tuple[type[yescale.YEScaleError], type[yescale.YEScaleError]]] = [
    (yescale.ContextLengthExceededError, YEScaleContextOverflowError),
    (yescale.BadRequestError, YEScaleBadRequestError),
    (yescale.AuthenticationError, YEScaleAuthenticationError),
    (yescale.PermissionDeniedError, YEScalePermissionDeniedError),
    (yescale.NotFoundError, YEScaleNotFoundError),
    (yescale.RateLimitError, YEScaleRateLimitError),
    (yescale.InsufficientQuotaError, YEScaleInsufficientQuotaError),
    (yescale.InternalServerError, YEScaleInternalServerError),
    (yescale.IncompleteStreamError, YEScaleIncompleteStreamError),
    (yescale.APITimeoutError, YEScaleTimeoutError),
    (yescale.APIConnectionError, YEScaleConnectionError),
]


def to_langchain_error(error: yescale.YEScaleError) -> yescale.YEScaleError:
    """The same error (message, status, code, request id) as its LangChain-bridged class."""
    if isinstance(error, ModelError):
        return error
    for source, bridged in _BRIDGES:
        if isinstance(error, source):
            converted = bridged.__new__(bridged)
            Exception.__init__(converted, error.message)
            converted.__dict__.update(error.__dict__)
            return converted
    return error


@contextmanager
def langchain_errors() -> Iterator[None]:
    """Re-raise client errors as their LangChain-bridged classes."""
    try:
        yield
    except yescale.YEScaleError as error:
        converted = to_langchain_error(error)
        if converted is error:
            raise
        raise converted from error
