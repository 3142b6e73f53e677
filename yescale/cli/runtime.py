"""What every command shares: the client, the time, and where output goes; replaceable in tests.

click hands one :class:`Runtime` to every command as its context object (``ctx.obj``). The
``yescale`` program makes the default one; a test passes its own to the runner
(``CliRunner().invoke(app, args, obj=Runtime(now=..., sleep=..., clock=...))``), so that time
windows are fixed and media waits take no real time.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

import typer
from rich.console import Console
from rich.text import Text

from .._settings import ACCESS_KEY_ENV, API_KEY_ENV
from .exits import CREDENTIALS, USAGE_ERROR, CliError

if TYPE_CHECKING:
    from .._client import YEScaleClient

__all__ = ["ACCESS_KEY_ENV", "API_KEY_ENV", "Runtime", "runtime"]

_WHERE_KEYS = {
    API_KEY_ENV: "a YEScale API key",
    ACCESS_KEY_ENV: "the System API access key (your YEScale account's home page shows it; "
    "it is not the API key)",
}


@dataclass
class Runtime:
    """The clock, the client factory and the consoles of one run of ``yescale``."""

    #: wall-clock time in Unix seconds (``--since 2h`` counts back from it)
    now: Callable[[], float] = time.time
    #: the client's sleep between media polls and retries (default: ``time.sleep``)
    sleep: Callable[[float], None] | None = None
    #: the client's monotonic clock for deadlines (default: ``time.monotonic``)
    clock: Callable[[], float] | None = None
    #: ``True`` draws live progress bars even when stderr is not a terminal; ``None``: rich
    #: decides (a terminal gets bars, a pipe or a file gets one line per change)
    terminal: bool | None = None
    #: the key variable the step running now sends, named when the service refuses the key
    credential: str | None = None

    def client(self, *needs: str, command: str) -> YEScaleClient:
        """A client from the environment, after checking the keys ``needs`` are set (each an
        environment variable name): a missing key is exit code 3, naming the variable."""
        from .._client import YEScaleClient
        from .._settings import ClientSettings
        from ..errors import InvalidRequestError

        try:
            settings = ClientSettings.resolve()
        except InvalidRequestError as exc:  # a key with a space, a URL without a scheme...
            about_key = API_KEY_ENV in exc.message or ACCESS_KEY_ENV in exc.message
            raise CliError(exc.message, CREDENTIALS if about_key else USAGE_ERROR) from None
        for env in needs:
            key = settings.api_key if env == API_KEY_ENV else settings.access_key
            if key is None:
                raise CliError(
                    f"`{command}` needs {_WHERE_KEYS[env]}: set the {env} environment "
                    f"variable (export {env}=...).",
                    CREDENTIALS,
                )
        self.credential = needs[0] if needs else None
        own = {"sleep": self.sleep, "clock": self.clock}
        return YEScaleClient.from_settings(
            settings, **{name: f for name, f in own.items() if f is not None}
        )

    def out(self) -> Console:
        """Tables for people, on stdout (colour only on a terminal, never with NO_COLOR)."""
        return Console(highlight=False)

    def err(self) -> Console:
        """Progress and notes, on stderr."""
        return Console(stderr=True, highlight=False, force_terminal=self.terminal)

    def note(self, text: str | Text) -> None:
        """One line on stderr, never wrapped (a plain string is not read as markup)."""
        self.err().print(Text(text) if isinstance(text, str) else text, soft_wrap=True)

    def error(self, line: str) -> None:
        self.note(Text.assemble(("error: ", "bold red"), line))


def runtime(ctx: typer.Context) -> Runtime:
    """The run's :class:`Runtime` (the default one unless a test passed its own)."""
    found = ctx.find_object(Runtime)
    if found is None:
        found = Runtime()
        ctx.obj = found
    return found
