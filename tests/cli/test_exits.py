"""The one line each failure prints, and its exit code (yescale/cli/exits.py), without a request."""

from __future__ import annotations

import pytest

from yescale.cli.exits import (
    CREDENTIALS,
    INTERRUPTED,
    SERVICE_ERROR,
    TASK_FAILED,
    TASK_RUNNING,
    USAGE_ERROR,
    CliError,
    exit_code,
    one_line,
)
from yescale.errors import (
    APIConnectionError,
    AuthenticationError,
    InternalServerError,
    InvalidRequestError,
    MissingCredentialsError,
    NotFoundError,
    PermissionDeniedError,
    TaskFailedError,
    TaskTimeoutError,
)


@pytest.mark.parametrize(
    ("error", "code"),
    [
        (CliError("x", TASK_RUNNING), TASK_RUNNING),
        (KeyboardInterrupt(), INTERRUPTED),
        (MissingCredentialsError("x"), CREDENTIALS),
        (AuthenticationError("x", status_code=401), CREDENTIALS),
        (PermissionDeniedError("x", status_code=403), CREDENTIALS),
        (TaskFailedError("x", task_id="t", reason="r"), TASK_FAILED),
        (TaskTimeoutError("x", task_id="t"), TASK_RUNNING),
        (InvalidRequestError("x"), USAGE_ERROR),
        (NotFoundError("x", status_code=404), SERVICE_ERROR),
        (InternalServerError("x", status_code=500), SERVICE_ERROR),
        (APIConnectionError("x"), SERVICE_ERROR),
        (OSError(28, "No space left on device"), SERVICE_ERROR),
    ],
    ids=lambda v: type(v).__name__ if isinstance(v, BaseException) else None,
)
def test_exit_codes(error: BaseException, code: int) -> None:
    assert exit_code(error) == code


def test_the_client_s_python_advice_becomes_commands() -> None:
    error = TaskTimeoutError(
        "Stopped waiting for YEScale media task t1 after 900s (last status QUEUED, progress 0%). "
        "The task may still finish and is paid for: resume with client.media.wait('t1') or "
        "check it with client.media.get().",
        task_id="t1",
    )
    assert one_line(error) == (
        "Stopped waiting for YEScale media task t1 after 900s (last status QUEUED, progress 0%). "
        "The task may still finish and is paid for: resume with `yescale media wait t1` or "
        "check it with `yescale media get t1`."
    )
    submit = InternalServerError(
        "Bad gateway. The service may have accepted this media task submit before the failure, "
        "so it is not sent again automatically (it could be billed twice). Check your recent "
        "tasks (client.system.tasks, or the YEScale dashboard) before submitting again.",
        status_code=502,
    )
    assert "(`yescale tasks --since 1h`, or the YEScale dashboard)" in one_line(submit)


def test_a_task_error_always_carries_the_resume_command() -> None:
    error = TaskTimeoutError("Gave up.", task_id="t2")
    assert one_line(error) == (
        "Gave up. (media task t2 is paid for: resume with: yescale media wait t2)"
    )
    failed = TaskFailedError("Task t3 failed: flagged.", task_id="t3", reason="flagged")
    assert one_line(failed) == "Task t3 failed: flagged."  # nothing to resume


def test_a_refused_key_names_the_variable() -> None:
    error = AuthenticationError("Invalid token", status_code=401)
    assert one_line(error, "YESCALE_API_KEY") == (
        "the service refused the key in YESCALE_API_KEY: Invalid token"
    )


def test_lines_are_one_line_and_hold_no_key() -> None:
    error = APIConnectionError("Connection reset\nwhile sending Bearer sk-abcdefghijklmnopqrstuv")
    line = one_line(error)
    assert "\n" not in line
    assert "abcdefghijkl" not in line
    assert one_line(OSError(13, "Permission denied", "/x/y.mp4")) == "Permission denied: /x/y.mp4"
    assert one_line(ValueError("odd")) == "unexpected ValueError: odd (please report this)"
