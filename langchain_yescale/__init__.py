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
from .chat_models_gemini import ChatYEScaleGemini
from .embeddings import YEScaleEmbeddings
from .tools import (
    YEScaleGeminiStructuredOutputTool,
    YEScaleImageGenerationTool,
    YEScaleMediaTaskTool,
    YEScaleStructuredOutputToolError,
    YEScaleTaskFailedToolError,
    YEScaleTaskTimeoutToolError,
    YEScaleToolInputError,
)

__all__ = [
    "ChatYEScale",
    "ChatYEScaleGemini",
    "YEScaleAuthenticationError",
    "YEScaleBadRequestError",
    "YEScaleConnectionError",
    "YEScaleContextOverflowError",
    "YEScaleEmbeddings",
    "YEScaleGeminiStructuredOutputTool",
    "YEScaleImageGenerationTool",
    "YEScaleIncompleteStreamError",
    "YEScaleInsufficientQuotaError",
    "YEScaleInternalServerError",
    "YEScaleMediaTaskTool",
    "YEScaleNotFoundError",
    "YEScalePermissionDeniedError",
    "YEScaleRateLimitError",
    "YEScaleStructuredOutputToolError",
    "YEScaleTaskFailedToolError",
    "YEScaleTaskTimeoutToolError",
    "YEScaleTimeoutError",
    "YEScaleToolInputError",
]
