"""The ``yescale`` command line (``pip install 'yescale-integrations[cli]'``).

``yescale quota``, ``yescale models``, ``yescale logs``, ``yescale tasks``,
``yescale media submit|wait|get|download`` and ``yescale chat``, on typer and rich, over the public
:class:`yescale.YEScaleClient`. ``yescale --help`` lists them with their exit codes; every command
has ``--help``. Importing this package loads nothing: :func:`main` imports the commands.
"""

from __future__ import annotations

import os
import sys

__all__ = ["main"]

#: What the command line needs beyond the client (the ``cli`` extra).
_NEEDS = {"typer", "rich", "click", "shellingham"}
INSTALL_HINT = "pip install 'yescale-integrations[cli]'"


def main() -> None:
    """Run ``yescale`` (the console script): exit code 1 with one line when typer is missing."""
    try:
        from .app import app
    except ImportError as exc:
        if (exc.name or "").split(".")[0] not in _NEEDS:
            raise
        sys.stderr.write(
            f"yescale: the command line needs {exc.name}, which is not installed: {INSTALL_HINT}\n"
        )
        sys.exit(1)
    try:
        app(prog_name="yescale")
    except BrokenPipeError:
        # The reader stopped reading (`yescale models | head`): end quietly, and keep Python
        # from complaining when it flushes stdout at exit.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        sys.exit(1)
    except Exception as error:  # a bug: one line, never a traceback (which could show a key)
        from .exits import one_line

        sys.stderr.write(f"error: {one_line(error)}\n")
        sys.exit(1)
