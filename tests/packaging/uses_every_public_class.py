"""A user's file: imports every public name and uses a few.

``make dist`` type-checks it with ``mypy --strict`` against the built wheel, installed in a clean
virtualenv: a package without ``py.typed`` shows up there as a missing-stubs error.
"""

from __future__ import annotations

from langchain_yescale import (
    ChatYEScale,
    ChatYEScaleGemini,
    YEScaleAuthenticationError,
    YEScaleBadRequestError,
    YEScaleConnectionError,
    YEScaleContextOverflowError,
    YEScaleEmbeddings,
    YEScaleGeminiStructuredOutputTool,
    YEScaleImageGenerationTool,
    YEScaleIncompleteStreamError,
    YEScaleInsufficientQuotaError,
    YEScaleInternalServerError,
    YEScaleMediaTaskTool,
    YEScaleNotFoundError,
    YEScalePermissionDeniedError,
    YEScaleRateLimitError,
    YEScaleStructuredOutputToolError,
    YEScaleTaskFailedToolError,
    YEScaleTaskTimeoutToolError,
    YEScaleTimeoutError,
    YEScaleToolInputError,
)
from llama_index.embeddings.yescale import YEScaleEmbedding as LeafEmbedding
from llama_index.llms.yescale import YEScale as LeafLLM
from llama_index.llms.yescale import YEScaleGemini as LeafGemini
from llama_index.tools.yescale import (
    YEScaleMediaTaskProgressEvent,
    YEScaleMediaTaskResultEvent,
)
from llama_index.tools.yescale import YEScaleToolSpec as LeafToolSpec
from llama_index_yescale import YEScale, YEScaleEmbedding, YEScaleGemini, YEScaleToolSpec
from yescale import (
    ACCESS_KEY_ENV,
    API_KEY_ENV,
    BASE_URL_ENV,
    DEFAULT_BASE_URL,
    DEFAULT_SYSTEM_BASE_URL,
    SYSTEM_BASE_URL_ENV,
    APIConnectionError,
    APIStatusError,
    APITimeoutError,
    AsyncYEScaleClient,
    AuthenticationError,
    BadRequestError,
    ClientSettings,
    ConflictError,
    ContextLengthExceededError,
    IncompleteStreamError,
    InsecureURLWarning,
    InsufficientQuotaError,
    InternalServerError,
    InvalidRequestError,
    InvalidResponseError,
    MissingCredentialsError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitError,
    RetryPolicy,
    TaskError,
    TaskFailedError,
    TaskTimeoutError,
    YEScaleClient,
    YEScaleError,
    __version__,
)

ENVIRONMENT: list[str] = [ACCESS_KEY_ENV, API_KEY_ENV, BASE_URL_ENV, SYSTEM_BASE_URL_ENV]
HOSTS: tuple[str, str] = (DEFAULT_BASE_URL, DEFAULT_SYSTEM_BASE_URL)
VERSION: str = __version__

ERRORS: list[type[Exception]] = [
    APIConnectionError,
    APIStatusError,
    APITimeoutError,
    AuthenticationError,
    BadRequestError,
    ConflictError,
    ContextLengthExceededError,
    IncompleteStreamError,
    InsufficientQuotaError,
    InternalServerError,
    InvalidRequestError,
    InvalidResponseError,
    MissingCredentialsError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitError,
    TaskError,
    TaskFailedError,
    TaskTimeoutError,
    YEScaleError,
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
    YEScaleStructuredOutputToolError,
    YEScaleTaskFailedToolError,
    YEScaleTaskTimeoutToolError,
    YEScaleTimeoutError,
    YEScaleToolInputError,
]
WARNINGS: list[type[Warning]] = [InsecureURLWarning]
CLASSES: list[type] = [
    AsyncYEScaleClient,
    ClientSettings,
    RetryPolicy,
    YEScaleClient,
    ChatYEScale,
    ChatYEScaleGemini,
    YEScaleEmbeddings,
    YEScaleGeminiStructuredOutputTool,
    YEScaleImageGenerationTool,
    YEScaleMediaTaskTool,
    YEScale,
    YEScaleEmbedding,
    YEScaleGemini,
    YEScaleToolSpec,
    LeafLLM,
    LeafGemini,
    LeafEmbedding,
    LeafToolSpec,
    YEScaleMediaTaskProgressEvent,
    YEScaleMediaTaskResultEvent,
]


def reply_text(llm: ChatYEScale, question: str) -> str:
    """Typed use: mypy knows what invoke returns."""
    return llm.invoke(question).text


def client_for(key: str) -> YEScaleClient:
    return YEScaleClient(api_key=key, max_retries=1)
