"""Running ``yescale`` through typer's test runner, in this process, with the test's clock.

Each run gets a :class:`~yescale.cli.runtime.Runtime` of its own: a fixed wall clock (``NOW``), so
``--since 2h`` always asks the service for the same window, and a fake monotonic clock whose
sleeps take no time, so recorded media polls replay instantly.
"""

from __future__ import annotations

import inspect
import json
import re
from dataclasses import dataclass
from typing import Any

from typer.testing import CliRunner

from tests.integration.client_support import FakeTime
from yescale.cli.app import app
from yescale.cli.runtime import Runtime

#: 2025-10-28 00:00 UTC: the day after the synthesized tasks and logs (2025-10-27).
NOW = 1761609600


@dataclass
class Run:
    """What one run of ``yescale`` did: its exit code, stdout and stderr."""

    code: int
    stdout: str
    stderr: str
    exception: BaseException | None

    def json(self) -> Any:
        return json.loads(self.stdout)

    @property
    def words(self) -> str:
        """stdout and stderr with runs of white space (and table borders) as one space, for
        finding text that a terminal-width layout may have wrapped."""
        text = re.sub(r"[│╭╮╰╯─┃━]", " ", self.stdout + "\n" + self.stderr)
        return " ".join(text.split())


def _runner() -> CliRunner:
    # click before 8.2 mixes stderr into stdout unless told not to; 8.2 and later keep both.
    if "mix_stderr" in inspect.signature(CliRunner.__init__).parameters:
        return CliRunner(mix_stderr=False)  # type: ignore[call-arg,unused-ignore]
    return CliRunner()


class Cli:
    """Runs ``yescale ARGS`` in-process with the test's clock."""

    def __init__(self) -> None:
        self.time = FakeTime()
        self.runtime = Runtime(now=lambda: NOW, sleep=self.time.sleep, clock=self.time)

    def __call__(self, *args: str, stdin: str | None = None) -> Run:
        result = _runner().invoke(
            app,
            list(args),
            input=stdin,
            obj=self.runtime,
            prog_name="yescale",
            env={"COLUMNS": "140", "NO_COLOR": "1"},
        )
        # Every failure is handled: an exception reaching the runner is a bug (a traceback).
        if result.exception is not None and not isinstance(result.exception, SystemExit):
            raise result.exception
        return Run(result.exit_code, result.stdout, result.stderr, result.exception)
