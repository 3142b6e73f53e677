"""A user's file: imports every public name and uses a few.

``make dist`` type-checks it with ``mypy --strict`` against the built wheel, installed in a clean
virtualenv: a package without ``py.typed`` shows up there as a missing-stubs error.
"""

from __future__ import annotations

from langchain_yescale import (
    ChatYEScale,
    ChatYEScaleAnthropic,
    ChatYEScaleGemini,
    YEScaleAuthenticationError,
    YEScaleBadRequestError,
    YEScaleCallbackHandler,
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
    YEScaleSpeechToTextTool,
    YEScaleStructuredOutputToolError,
    YEScaleTaskFailedToolError,
    YEScaleTaskTimeoutToolError,
    YEScaleTextToSpeechTool,
    YEScaleTimeoutError,
    YEScaleToolInputError,
    get_yescale_callback,
)
from llama_index.embeddings.yescale import YEScaleEmbedding as LeafEmbedding
from llama_index.llms.yescale import YEScale as LeafLLM
from llama_index.llms.yescale import YEScaleAnthropic as LeafAnthropic
from llama_index.llms.yescale import YEScaleGemini as LeafGemini
from llama_index.llms.yescale import YEScaleResponses as LeafResponses
from llama_index.readers.yescale import YEScaleAudioReader as LeafAudioReader
from llama_index.tools.yescale import (
    YEScaleMediaTaskProgressEvent,
    YEScaleMediaTaskResultEvent,
)
from llama_index.tools.yescale import YEScaleToolSpec as LeafToolSpec
from llama_index_yescale import (
    YEScale,
    YEScaleAnthropic,
    YEScaleAudioReader,
    YEScaleCostEvent,
    YEScaleCostHandler,
    YEScaleEmbedding,
    YEScaleGemini,
    YEScaleResponses,
    YEScaleToolSpec,
)
from llama_index_yescale import get_yescale_callback as li_costs
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
    BudgetExceededError,
    ClientSettings,
    ConflictError,
    ContextLengthExceededError,
    Cost,
    CostTracker,
    FanOutProgress,
    FanOutSummary,
    IncompleteStreamError,
    InsecureURLWarning,
    InsufficientQuotaError,
    InternalServerError,
    InvalidRequestError,
    InvalidResponseError,
    MediaRequest,
    MissingCredentialsError,
    NotFoundError,
    PermissionDeniedError,
    PriceTable,
    RateLimit,
    RateLimitError,
    RetryPolicy,
    TaskError,
    TaskFailedError,
    TaskTimeoutError,
    YEScaleClient,
    YEScaleError,
    __version__,
    load_prices,
    track_costs,
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
    BudgetExceededError,
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
    ChatYEScaleAnthropic,
    ChatYEScaleGemini,
    YEScaleEmbeddings,
    YEScaleGeminiStructuredOutputTool,
    YEScaleImageGenerationTool,
    YEScaleMediaTaskTool,
    YEScaleSpeechToTextTool,
    YEScaleTextToSpeechTool,
    YEScale,
    YEScaleAnthropic,
    YEScaleAudioReader,
    YEScaleEmbedding,
    YEScaleGemini,
    YEScaleResponses,
    YEScaleToolSpec,
    LeafAudioReader,
    LeafLLM,
    LeafAnthropic,
    LeafGemini,
    LeafResponses,
    LeafEmbedding,
    LeafToolSpec,
    YEScaleMediaTaskProgressEvent,
    YEScaleMediaTaskResultEvent,
    Cost,
    CostTracker,
    PriceTable,
    FanOutProgress,
    FanOutSummary,
    MediaRequest,
    RateLimit,
    YEScaleCallbackHandler,
    YEScaleCostEvent,
    YEScaleCostHandler,
]


def spent(budget: float) -> float:
    """Typed use of the cost functions: prices, a scope's handler, a tracker."""
    load_prices()
    with get_yescale_callback(budget_usd=budget) as cb:
        total: float = cb.total_cost
    with li_costs(prices=False) as costs, track_costs() as tracker:
        total += costs.total_cost + tracker.total_cost
    return total


def reply_text(llm: ChatYEScale, question: str) -> str:
    """Typed use: mypy knows what invoke returns."""
    return llm.invoke(question).text


def client_for(key: str) -> YEScaleClient:
    return YEScaleClient(api_key=key, max_retries=1)


def fan_out_files(client: YEScaleClient, prompts: list[str]) -> list[str]:
    """Typed use of the fan-out: requests in, a summary with one outcome per request out."""
    requests = [MediaRequest("gpt-image", prompt) for prompt in prompts]
    summary: FanOutSummary = client.media.fan_out(
        requests, manifest="fan-out.jsonl", output_dir="out", max_concurrency=4
    )
    return [str(outcome.path) for outcome in summary.where("downloaded")]


def per_worker(limit: RateLimit, workers: int) -> RateLimit:
    return limit.share(workers)
