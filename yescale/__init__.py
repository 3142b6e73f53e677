"""The YEScale client: one key for OpenAI, Claude, Gemini, DeepSeek, image and video models.

.. code-block:: python

    from yescale import YEScaleClient

    with YEScaleClient() as client:  # YESCALE_API_KEY from the environment
        messages = [{"role": "user", "content": "Hi"}]
        reply = client.chat.create(model="gpt-4o-mini", messages=messages)
        print(reply.choices[0].message.content)

Names are imported on first use (PEP 562): ``import yescale`` loads nothing heavy, so the framework
packages can ask small things of ``yescale`` without loading httpx before a class is used.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ._lazy import lazy_exports

if TYPE_CHECKING:
    from ._client import AsyncYEScaleClient, YEScaleClient
    from ._retry import RetryPolicy
    from ._settings import (
        ACCESS_KEY_ENV,
        API_KEY_ENV,
        BASE_URL_ENV,
        DEFAULT_BASE_URL,
        DEFAULT_SYSTEM_BASE_URL,
        SYSTEM_BASE_URL_ENV,
        ClientSettings,
    )
    from ._version import __version__
    from .costs import Cost, CostTracker, PriceTable, load_prices, track_costs
    from .errors import (
        APIConnectionError,
        APIStatusError,
        APITimeoutError,
        AuthenticationError,
        BadRequestError,
        BudgetExceededError,
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
        RedirectRefusedError,
        ResponseTooLargeError,
        TaskError,
        TaskFailedError,
        TaskTimeoutError,
        YEScaleError,
    )
    from .media_fanout_types import FanOutProgress, FanOutSummary, MediaRequest
    from .rate_limit import RateLimit

#: public name -> the submodule that defines it
_WHERE = {
    **dict.fromkeys(
        (
            "AsyncYEScaleClient",
            "YEScaleClient",
        ),
        "_client",
    ),
    "RetryPolicy": "_retry",
    **dict.fromkeys(
        (
            "ACCESS_KEY_ENV",
            "API_KEY_ENV",
            "BASE_URL_ENV",
            "DEFAULT_BASE_URL",
            "DEFAULT_SYSTEM_BASE_URL",
            "SYSTEM_BASE_URL_ENV",
            "ClientSettings",
        ),
        "_settings",
    ),
    "__version__": "_version",
    **dict.fromkeys(
        ("Cost", "CostTracker", "PriceTable", "load_prices", "track_costs"),
        "costs",
    ),
    **dict.fromkeys(
        ("FanOutProgress", "FanOutSummary", "MediaRequest"),
        "media_fanout_types",
    ),
    "RateLimit": "rate_limit",
    **dict.fromkeys(
        (
            "APIConnectionError",
            "APIStatusError",
            "APITimeoutError",
            "AuthenticationError",
            "BadRequestError",
            "BudgetExceededError",
            "ConflictError",
            "ContextLengthExceededError",
            "IncompleteStreamError",
            "InsecureURLWarning",
            "InsufficientQuotaError",
            "InternalServerError",
            "InvalidRequestError",
            "InvalidResponseError",
            "MissingCredentialsError",
            "NotFoundError",
            "PermissionDeniedError",
            "RateLimitError",
            "RedirectRefusedError",
            "ResponseTooLargeError",
            "TaskError",
            "TaskFailedError",
            "TaskTimeoutError",
            "YEScaleError",
        ),
        "errors",
    ),
}

__all__ = [
    "ACCESS_KEY_ENV",
    "API_KEY_ENV",
    "BASE_URL_ENV",
    "DEFAULT_BASE_URL",
    "DEFAULT_SYSTEM_BASE_URL",
    "SYSTEM_BASE_URL_ENV",
    "APIConnectionError",
    "APIStatusError",
    "APITimeoutError",
    "AsyncYEScaleClient",
    "AuthenticationError",
    "BadRequestError",
    "BudgetExceededError",
    "ClientSettings",
    "ConflictError",
    "ContextLengthExceededError",
    "Cost",
    "CostTracker",
    "FanOutProgress",
    "FanOutSummary",
    "IncompleteStreamError",
    "InsecureURLWarning",
    "InsufficientQuotaError",
    "InternalServerError",
    "InvalidRequestError",
    "InvalidResponseError",
    "MediaRequest",
    "MissingCredentialsError",
    "NotFoundError",
    "PermissionDeniedError",
    "PriceTable",
    "RateLimit",
    "RateLimitError",
    "RedirectRefusedError",
    "ResponseTooLargeError",
    "RetryPolicy",
    "TaskError",
    "TaskFailedError",
    "TaskTimeoutError",
    "YEScaleClient",
    "YEScaleError",
    "__version__",
    "load_prices",
    "track_costs",
]

__getattr__, __dir__ = lazy_exports(__name__, _WHERE)
