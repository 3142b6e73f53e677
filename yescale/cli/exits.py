"""Exit codes, and the one line each failure prints: the only place errors become exits.

Scripts branch on the code; people read the line (on stderr, never a traceback, never a key:
the client's messages are already scrubbed of keys, and anything else is scrubbed here).
"""

from __future__ import annotations

import re

from ..errors import (
    AuthenticationError,
    InvalidRequestError,
    MissingCredentialsError,
    PermissionDeniedError,
    TaskError,
    TaskFailedError,
    TaskTimeoutError,
    YEScaleError,
    scrub,
)

__all__ = [
    "CREDENTIALS",
    "EXIT_CODES",
    "INTERRUPTED",
    "OK",
    "SERVICE_ERROR",
    "TASK_FAILED",
    "TASK_RUNNING",
    "USAGE_ERROR",
    "CliError",
    "exit_code",
    "one_line",
    "resume_hint",
]

OK = 0
SERVICE_ERROR = 1
USAGE_ERROR = 2
CREDENTIALS = 3
TASK_FAILED = 4
TASK_RUNNING = 5
INTERRUPTED = 130

#: What each exit code means (``yescale --help`` and docs/cli.md show this table).
EXIT_CODES: tuple[tuple[int, str], ...] = (
    (OK, "success"),
    (SERVICE_ERROR, "the service or the network failed (the message says what to do)"),
    (USAGE_ERROR, "wrong usage: a bad option or argument, or input refused before sending"),
    (CREDENTIALS, "the key is missing or refused (YESCALE_API_KEY or YESCALE_ACCESS_KEY)"),
    (TASK_FAILED, "the media task failed (the reason is printed)"),
    (TASK_RUNNING, "the media task is still running: resume with `yescale media wait ID`"),
    (INTERRUPTED, "interrupted (Ctrl-C); a media task's id is printed to resume it"),
)


class CliError(Exception):
    """A failure a command explains itself: ``message`` is printed, ``code`` is the exit code."""

    def __init__(self, message: str, code: int = SERVICE_ERROR) -> None:
        super().__init__(message)
        self.message = message
        self.code = code


def exit_code(error: BaseException) -> int:
    """The exit code for ``error`` (see :data:`EXIT_CODES`)."""
    if isinstance(error, CliError):
        return error.code
    if isinstance(error, KeyboardInterrupt):
        return INTERRUPTED
    if isinstance(error, (MissingCredentialsError, AuthenticationError, PermissionDeniedError)):
        return CREDENTIALS
    if isinstance(error, TaskFailedError):
        return TASK_FAILED
    if isinstance(error, TaskTimeoutError):
        return TASK_RUNNING
    if isinstance(error, InvalidRequestError):
        return USAGE_ERROR
    return SERVICE_ERROR


def resume_hint(task_id: str) -> str:
    return f"resume with: yescale media wait {task_id}"


def one_line(error: BaseException, credential: str | None = None) -> str:
    """The line printed for ``error``: the message on one line, keys scrubbed.

    ``credential``: the environment variable the failing step used, named when the service
    refused the key. A media task's id is always in the line, with the command that resumes it.
    """
    if isinstance(error, CliError):
        text = error.message
    elif isinstance(error, YEScaleError):
        text = _cli_words(error.message, getattr(error, "task_id", None))
        if credential and isinstance(error, (AuthenticationError, PermissionDeniedError)):
            text = f"the service refused the key in {credential}: {text}"
        if (
            isinstance(error, TaskError)
            and not isinstance(error, TaskFailedError)
            and f"yescale media wait {error.task_id}" not in text
        ):
            text += f" (media task {error.task_id} is paid for: {resume_hint(error.task_id)})"
    elif isinstance(error, OSError) and error.strerror:
        where = f": {error.filename}" if error.filename else ""
        text = f"{error.strerror}{where}"
    else:
        text = f"unexpected {type(error).__name__}: {error} (please report this)"
    return " ".join(scrub(text).split())


_PYTHON_RESUME = re.compile(r"client\.media\.wait\(['\"]([^'\"]+)['\"]\)")


def _cli_words(message: str, task_id: str | None) -> str:
    """The client speaks Python (``client.media.wait('id')``); the command line names the
    command that does the same."""
    message = _PYTHON_RESUME.sub(r"`yescale media wait \1`", message)
    message = message.replace("client.media.get()", f"`yescale media get {task_id or 'ID'}`")
    return message.replace("client.system.tasks", "`yescale tasks --since 1h`")
