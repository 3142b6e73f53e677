"""The constructor options every YEScale LangChain tool shares, in one place."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from langchain_core.tools import ToolException
from pydantic import model_validator

import yescale
from yescale.integration.options import ToolOptions
from yescale.tools import ImageNotGeneratedError, StructuredOutputError

from ._client_params import YEScaleClientParams
from ._errors import langchain_errors


class YEScaleToolParams(YEScaleClientParams, ToolOptions):
    """Client settings plus ``output_dir`` and ``allowed_input_dirs``; for media tools also
    ``poll_interval``, ``task_timeout``, ``wait`` and ``show_progress`` (a bar while waiting;
    an image call is one request, with nothing to wait for).

    ``timeout`` (alias ``request_timeout``) stays the per-HTTP-request timeout of every YEScale
    class; how long a media tool waits for its task is ``task_timeout``.
    """

    handle_tool_error: bool | str | Callable[[ToolException], str] | None = True
    """Input mistakes (a size the model does not take, a path outside ``allowed_input_dirs``),
    failed and timed-out media tasks, and invalid structured output are ``ToolException`` s:
    by default their message goes back to the model so it can correct itself. ``False``
    raises them instead. API errors (auth, quota, 5xx) always raise."""

    @model_validator(mode="after")
    def _check_key(self) -> Any:
        self._check_settings()
        return self


# -- errors the model should see -----------------------------------------------------------------


class YEScaleToolInputError(yescale.InvalidRequestError, ToolException):
    """Bad tool input (parameters, input images), catchable as ``ToolException``."""


class YEScaleTaskFailedToolError(yescale.TaskFailedError, ToolException):
    """A failed media task (``task_id``, ``reason``), catchable as ``ToolException``."""


class YEScaleTaskTimeoutToolError(yescale.TaskTimeoutError, ToolException):
    """A media task still running at ``task_timeout`` (resume with ``task_id``)."""


class YEScaleStructuredOutputToolError(StructuredOutputError, ToolException):
    """Gemini's answer was not JSON valid against the schema (``raw_text`` holds it)."""


class YEScaleImageNotGeneratedToolError(ImageNotGeneratedError, ToolException):
    """Nano-banana answered without an image (a blocked prompt, a content filter, text only):
    ``reason``, ``block_reason``, ``finish_reason`` and ``model_text`` say why; the model reads
    the message and can rephrase."""


_TOOL_ERRORS: list[tuple[type[yescale.YEScaleError], type[yescale.YEScaleError]]] = [
    (yescale.TaskFailedError, YEScaleTaskFailedToolError),
    (yescale.TaskTimeoutError, YEScaleTaskTimeoutToolError),
    (StructuredOutputError, YEScaleStructuredOutputToolError),
    (ImageNotGeneratedError, YEScaleImageNotGeneratedToolError),
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
