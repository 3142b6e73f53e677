"""LangChain integration for YEScale: chat models, embeddings and tools over one client.

Names are imported on first use (PEP 562), so ``import langchain_yescale`` costs almost nothing
and ``from langchain_yescale import YEScaleEmbeddings`` does not load the chat-model machinery.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from yescale.integration import lazy_exports, require_framework

require_framework("langchain_core", extra="langchain", importer=__name__)

if TYPE_CHECKING:
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
    from .audio_tools import YEScaleSpeechToTextTool, YEScaleTextToSpeechTool
    from .callbacks import YEScaleCallbackHandler, get_yescale_callback
    from .chat_models import ChatYEScale
    from .chat_models_anthropic import ChatYEScaleAnthropic
    from .chat_models_gemini import ChatYEScaleGemini
    from .embeddings import YEScaleEmbeddings
    from .tools import (
        YEScaleGeminiStructuredOutputTool,
        YEScaleImageGenerationTool,
        YEScaleImageNotGeneratedToolError,
        YEScaleMediaTaskTool,
        YEScaleStructuredOutputToolError,
        YEScaleTaskFailedToolError,
        YEScaleTaskTimeoutToolError,
        YEScaleToolInputError,
    )

#: public name -> the submodule that defines it
_WHERE = {
    "ChatYEScale": "chat_models",
    "ChatYEScaleAnthropic": "chat_models_anthropic",
    "ChatYEScaleGemini": "chat_models_gemini",
    "YEScaleEmbeddings": "embeddings",
    "YEScaleCallbackHandler": "callbacks",
    "get_yescale_callback": "callbacks",
    **dict.fromkeys(
        (
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
        ),
        "_errors",
    ),
    **dict.fromkeys(
        (
            "YEScaleGeminiStructuredOutputTool",
            "YEScaleImageGenerationTool",
            "YEScaleImageNotGeneratedToolError",
            "YEScaleMediaTaskTool",
            "YEScaleStructuredOutputToolError",
            "YEScaleTaskFailedToolError",
            "YEScaleTaskTimeoutToolError",
            "YEScaleToolInputError",
        ),
        "tools",
    ),
    "YEScaleSpeechToTextTool": "audio_tools",
    "YEScaleTextToSpeechTool": "audio_tools",
}

__all__ = [
    "ChatYEScale",
    "ChatYEScaleAnthropic",
    "ChatYEScaleGemini",
    "YEScaleAuthenticationError",
    "YEScaleBadRequestError",
    "YEScaleCallbackHandler",
    "YEScaleConnectionError",
    "YEScaleContextOverflowError",
    "YEScaleEmbeddings",
    "YEScaleGeminiStructuredOutputTool",
    "YEScaleImageGenerationTool",
    "YEScaleImageNotGeneratedToolError",
    "YEScaleIncompleteStreamError",
    "YEScaleInsufficientQuotaError",
    "YEScaleInternalServerError",
    "YEScaleMediaTaskTool",
    "YEScaleNotFoundError",
    "YEScalePermissionDeniedError",
    "YEScaleRateLimitError",
    "YEScaleSpeechToTextTool",
    "YEScaleStructuredOutputToolError",
    "YEScaleTaskFailedToolError",
    "YEScaleTaskTimeoutToolError",
    "YEScaleTextToSpeechTool",
    "YEScaleTimeoutError",
    "YEScaleToolInputError",
    "get_yescale_callback",
]

__getattr__, __dir__ = lazy_exports(__name__, _WHERE)
