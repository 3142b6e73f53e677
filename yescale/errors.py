"""The error hierarchy of the YEScale client, and the mapping from HTTP answers to it.

Every error carries the service's message, the HTTP status (when there was one), the service's
error ``code``/``type`` and the request id when the gateway gave one. No error ever carries an API
key: messages are scrubbed of the configured keys and of anything that looks like one.

Everything read from the wire is treated as hostile here: JSON is read with :func:`loads_wire`
(never a ``RecursionError`` or ``ValueError``, whatever the nesting or the numbers), written back
with :func:`dumps_wire`, and any text from the wire shown in a message goes through
:func:`quote` (or :func:`clip`), which scrub the whole text before cutting it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ._lazy import lazy_exports

# Scrubbing, quoting and wire JSON live in ``_scrub``, part of this module's interface.
from ._scrub import (
    HTTP_LOGGERS,
    SecretLogFilter,
    SecretValues,
    clip,
    dumps_wire,
    install_log_filter,
    loads_wire,
    quote,
    register_secrets,
    scrub,
)

__all__ = [
    "HTTP_LOGGERS",
    "APIConnectionError",
    "APIStatusError",
    "APITimeoutError",
    "AuthenticationError",
    "BadRequestError",
    "BudgetExceededError",
    "ConflictError",
    "ContextLengthExceededError",
    "EndpointFamily",
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
    "SecretLogFilter",
    "SecretValues",
    "TaskError",
    "TaskFailedError",
    "TaskTimeoutError",
    "YEScaleError",
    "answer_error",
    "clip",
    "dumps_wire",
    "endpoint_family",
    "envelope_error",
    "error_from_payload",
    "error_from_response",
    "incomplete_answer",
    "install_log_filter",
    "loads_wire",
    "parse_retry_after",
    "quote",
    "register_secrets",
    "scrub",
    "shown_url",
    "unreadable_answer",
]


class YEScaleError(Exception):
    """Base class of every error the YEScale client raises."""

    def __init__(
        self,
        message: str,
        *,
        status_code: int | None = None,
        code: str | None = None,
        error_type: str | None = None,
        request_id: str | None = None,
        body: Any = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.status_code = status_code
        self.code = code
        self.error_type = error_type
        self.request_id = request_id
        self.body = body
        self.retry_after: float | None = None
        #: True when the request certainly never reached the service (the connection was never
        #: made), so repeating it cannot do anything twice.
        self.request_unsent = False

    def __str__(self) -> str:
        return self.message

    def __reduce__(self) -> tuple[Any, ...]:
        # Keep errors picklable (multiprocessing, LangGraph checkpoints) with their fields.
        return (_rebuild, (type(self), self.message, self.__dict__.copy()))


def extend_message(error: YEScaleError, text: str) -> None:
    """Add ``text`` to ``error``'s message, which ``str(error)`` and ``error.args`` both show."""
    error.message = f"{error.message}{text}"
    error.args = (error.message,)


def _rebuild(cls: type[YEScaleError], message: str, state: dict[str, Any]) -> YEScaleError:
    err = cls.__new__(cls)
    Exception.__init__(err, message)
    err.__dict__.update(state)
    return err


class InvalidRequestError(YEScaleError, ValueError):
    """The request was refused before it was sent: an argument is missing or out of range."""


class BudgetExceededError(YEScaleError):
    """A cost budget (:func:`yescale.costs.track_costs`, ``get_yescale_callback``) is spent: the
    call was refused before it was sent. ``budget_usd``, ``spent_usd`` and ``model`` say which
    budget, how much of it is spent and what call was stopped."""

    def __init__(self, message: str, *, budget_usd: float, spent_usd: float, model: str) -> None:
        super().__init__(message)
        self.budget_usd = budget_usd
        self.spent_usd = spent_usd
        self.model = model
        self.request_unsent = True


class MissingCredentialsError(InvalidRequestError):
    """No API key (or access key) was given as an argument nor found in the environment."""


class APIStatusError(YEScaleError):
    """The service answered with an HTTP error status (or a redirect, which is never followed
    with a key attached)."""


class BadRequestError(APIStatusError):
    """400/413/422: the service refused the request as malformed or unsupported."""


class ContextLengthExceededError(BadRequestError):
    """400: the prompt (plus ``max_tokens``) is longer than the model's context window."""


class AuthenticationError(APIStatusError):
    """401: the key is missing, wrong, expired or disabled."""


class PermissionDeniedError(APIStatusError):
    """403: the key may not use this model or endpoint (model limits, IP allow-list, group)."""


class NotFoundError(APIStatusError):
    """404: the model, endpoint or task does not exist."""


class ConflictError(APIStatusError):
    """409: the service reported a conflicting concurrent change; retried automatically."""


class RateLimitError(APIStatusError):
    """429: too many requests. ``retry_after`` holds the wait the service asked for, if any."""


class InsufficientQuotaError(APIStatusError):
    """The account or key has run out of credit. Top up or raise the key's quota; not retried."""


class InternalServerError(APIStatusError):
    """5xx: the gateway or the upstream provider failed. Retried automatically."""


class APIConnectionError(YEScaleError):
    """The request did not get an answer: DNS, TLS, refused or reset connection."""


class APITimeoutError(APIConnectionError):
    """The request or the stream took longer than ``timeout``."""


class IncompleteStreamError(APIConnectionError):
    """A stream ended or was cut before its terminator: the output is incomplete, not returned."""


class InvalidResponseError(YEScaleError):
    """A success status with a body we cannot read (not JSON, or the wrong shape)."""


class ResponseTooLargeError(InvalidResponseError):
    """An answer passed a size bound (``max_response_bytes`` for API answers and one stream
    event, ``max_download_bytes`` for downloads), counted after decompression. ``limit`` holds
    the bound in bytes; reading stopped there, so memory stays bounded. Not retried."""

    def __init__(self, message: str, *, limit: int, **kwargs: Any) -> None:
        super().__init__(message, **kwargs)
        self.limit = limit


class RedirectRefusedError(APIStatusError):
    """A download or image link redirected somewhere we do not follow: a loopback, private or
    link-local address (cloud metadata services live there), a scheme other than http(s), or
    more hops than allowed. Nothing was fetched from the refused address."""


class TaskError(YEScaleError):
    """Base class of media-task errors; ``task_id`` always names the task."""

    def __init__(self, message: str, *, task_id: str, task: Any = None, **kwargs: Any) -> None:
        super().__init__(message, **kwargs)
        self.task_id = task_id
        self.task = task


class TaskFailedError(TaskError):
    """The media task finished with a failure; ``reason`` holds the service's ``fail_reason``."""

    def __init__(
        self, message: str, *, task_id: str, reason: str | None = None, **kwargs: Any
    ) -> None:
        super().__init__(message, task_id=task_id, **kwargs)
        self.reason = reason


class TaskTimeoutError(TaskError):
    """We stopped waiting for a media task. It may still finish: resume with its ``task_id``."""

    def __init__(
        self,
        message: str,
        *,
        task_id: str,
        last_status: str | None = None,
        progress: str | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(message, task_id=task_id, **kwargs)
        self.last_status = last_status
        self.progress = progress


class InsecureURLWarning(UserWarning):
    """A base URL is plain ``http://`` to a host that is not this machine: the key would cross
    the network unencrypted. Use ``https://``."""


# The mapping of answers to errors lives in ``_error_map`` (it uses the classes above) and is
# part of this module's interface: imported on first use, so that neither module needs the other
# to be imported first.
if TYPE_CHECKING:
    from ._error_map import (
        EndpointFamily,
        answer_error,
        endpoint_family,
        envelope_error,
        error_from_payload,
        error_from_response,
        incomplete_answer,
        parse_retry_after,
        shown_url,
        unreadable_answer,
    )

__getattr__, __dir__ = lazy_exports(
    __name__,
    dict.fromkeys(
        (
            "EndpointFamily",
            "answer_error",
            "endpoint_family",
            "envelope_error",
            "error_from_payload",
            "error_from_response",
            "incomplete_answer",
            "parse_retry_after",
            "shown_url",
            "unreadable_answer",
        ),
        "yescale._error_map",
    ),
)
