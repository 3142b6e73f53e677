"""LangChain integration for YEScale: chat models, embeddings and tools over one client."""

from ._errors import (
    YEScaleAuthenticationError,
    YEScaleBadRequestError,
    YEScaleConnectionError,
    YEScaleContextOverflowError,
    YEScaleIncompleteStreamError,
    YEScaleInsufficientQuotaError,
    YEScaleInternalServerError,
    YEScaleNotFoundError,
    YEScalePermissionDeniedError,
    YEScaleRateLimitError,
    YEScaleTimeoutError,
)
from .chat_models import ChatYEScale

__all__ = [
    "ChatYEScale",
    "YEScaleAuthenticationError",
    "YEScaleBadRequestError",
    "YEScaleConnectionError",
    "YEScaleContextOverflowError",
    "YEScaleIncompleteStreamError",
    "YEScaleInsufficientQuotaError",
    "YEScaleInternalServerError",
    "YEScaleNotFoundError",
    "YEScalePermissionDeniedError",
    "YEScaleRateLimitError",
    "YEScaleTimeoutError",
]
