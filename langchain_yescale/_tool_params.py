"""The constructor options every YEScale LangChain tool shares, in one place."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from langchain_core.tools import ToolException
from pydantic import Field, model_validator

import yescale
from yescale import YEScaleClient
from yescale.resources.media import DEFAULT_POLL_INTERVAL, DEFAULT_TIMEOUT
from yescale.tools import StructuredOutputError

from ._client_params import YEScaleClientParams
from ._errors import langchain_errors


class YEScaleToolParams(YEScaleClientParams):
    """Client settings plus ``output_dir`` and ``allowed_input_dirs``; for media tools also
    ``poll_interval``, ``task_timeout`` and ``wait``.

    ``timeout`` (alias ``request_timeout``) stays the per-HTTP-request timeout of every YEScale
    class; how long a media tool waits for its task is ``task_timeout``.
    """

    output_dir: Path | None = None
    """Folder results are saved in (created if missing); ``None`` keeps images as bytes in the
    artifact and media results as URLs."""
    allowed_input_dirs: list[Path] = Field(default_factory=list)
    """Local folders input-image paths may come from. Empty by default: an agent cannot make
    the tool upload arbitrary local files."""
    poll_interval: float = Field(default=DEFAULT_POLL_INTERVAL, gt=0)
    """Media tasks: first wait between polls, in seconds (grows to 30 s)."""
    task_timeout: float = Field(default=DEFAULT_TIMEOUT, gt=0)
    """Media tasks: seconds to wait before giving up with the task id (resume with it)."""
    wait: bool = True
    """Media tasks: wait for the result (default), or return the task id at once."""
    sleep: Callable[[float], None] | None = Field(default=None, exclude=True)
    """Injectable ``time.sleep`` for polling and retries (tests replay without waiting)."""
    async_sleep: Callable[[float], Awaitable[None]] | None = Field(default=None, exclude=True)
    """Injectable ``asyncio.sleep``."""
    clock: Callable[[], float] | None = Field(default=None, exclude=True)
    """Injectable ``time.monotonic`` for task deadlines."""
    handle_tool_error: bool | str | Callable[[ToolException], str] | None = True
    """Input mistakes (a size the model does not take, a path outside ``allowed_input_dirs``),
    failed and timed-out media tasks, and invalid structured output are ``ToolException`` s:
    by default their message goes back to the model so it can correct itself. ``False``
    raises them instead. API errors (auth, quota, 5xx) always raise."""

    @model_validator(mode="after")
    def _check_key(self) -> Any:
        self._check_settings()
        return self

    @property
    def client(self) -> YEScaleClient:
        """The YEScale client: shared, unless httpx clients or time functions are injected."""
        if self._client is None:
            if self.sleep is None and self.async_sleep is None and self.clock is None:
                return super().client
            self._client = YEScaleClient(
                **self._client_settings(),
                http_client=self.http_client,
                async_http_client=self.http_async_client,
                sleep=self.sleep,
                async_sleep=self.async_sleep,
                clock=self.clock,
            )
        return self._client


# -- errors the model should see -----------------------------------------------------------------


class YEScaleToolInputError(yescale.InvalidRequestError, ToolException):
    """Bad tool input (parameters, input images), catchable as ``ToolException``."""


class YEScaleTaskFailedToolError(yescale.TaskFailedError, ToolException):
    """A failed media task (``task_id``, ``reason``), catchable as ``ToolException``."""


class YEScaleTaskTimeoutToolError(yescale.TaskTimeoutError, ToolException):
    """A media task still running at ``task_timeout`` (resume with ``task_id``)."""


class YEScaleStructuredOutputToolError(StructuredOutputError, ToolException):
    """Gemini's answer was not JSON valid against the schema (``raw_text`` holds it)."""


_TOOL_ERRORS: list[tuple[type[yescale.YEScaleError], type[yescale.YEScaleError]]] = [
    (yescale.TaskFailedError, YEScaleTaskFailedToolError),
    (yescale.TaskTimeoutError, YEScaleTaskTimeoutToolError),
    (StructuredOutputError, YEScaleStructuredOutputToolError),
]


def _as_tool_error(error: yescale.YEScaleError) -> yescale.YEScaleError | None:
    if isinstance(error, ToolException):
        return None
    target: type[yescale.YEScaleError] | None = None
    for source, bridged in _TOOL_ERRORS:
        if isinstance(error, source):
            target = bridged
            break
    if (
        target is None
        and isinstance(error, yescale.InvalidRequestError)
        and not isinstance(error, yescale.MissingCredentialsError)
    ):
        target = YEScaleToolInputError
    if target is None:
        return None
    converted = target.__new__(target)
    Exception.__init__(converted, error.message)
    converted.__dict__.update(error.__dict__)
    return converted


@contextmanager
def tool_errors() -> Iterator[None]:
    """Input, task and structured-output errors as ``ToolException`` s (still the ``yescale``
    error classes); API errors bridged as in the chat models (``langchain_errors``)."""
    try:
        with langchain_errors():
            yield
    except yescale.YEScaleError as error:
        converted = _as_tool_error(error)
        if converted is None:
            raise
        raise converted from error
