"""The ``yescale`` command: its commands, its help, and the one place failures become exit codes.

Commands raise; :class:`YEScaleGroup` turns what they raise into one line on stderr and the exit
code of :data:`yescale.cli.exits.EXIT_CODES`. Usage errors stay click's (exit code 2).
"""

from __future__ import annotations

from typing import Annotated, Any

import typer
from typer.core import TyperGroup

from .. import __version__
from ..errors import YEScaleError
from . import account, catalog, chat, media
from .exits import EXIT_CODES, CliError, exit_code, one_line
from .runtime import ACCESS_KEY_ENV, API_KEY_ENV, Runtime, runtime

__all__ = ["YEScaleGroup", "app"]

HELP = (
    "YEScale from the command line: what is left to spend, models and prices, logs and "
    "tasks, media tasks, chat with any model.\n\n"
    f"Keys come from the environment: {API_KEY_ENV} for chat and media, {ACCESS_KEY_ENV} "
    "(the System API's access key) for quota, models, logs and tasks."
)
EPILOG = "\n\n".join(["Exit codes:", *(f"{code}  {meaning}" for code, meaning in EXIT_CODES)])


class YEScaleGroup(TyperGroup):
    """A click group whose commands' failures end as one line on stderr and an exit code."""

    def invoke(self, ctx: Any) -> Any:
        try:
            return super().invoke(ctx)
        except BrokenPipeError:
            raise  # the reader went away (`| head`): nothing to tell it; main() ends quietly
        except (YEScaleError, CliError, OSError, KeyboardInterrupt) as error:
            rt = runtime(ctx)
            rt.error(one_line(error, rt.credential))
            raise typer.Exit(exit_code(error)) from None


app = typer.Typer(
    name="yescale",
    cls=YEScaleGroup,
    help=HELP,
    epilog=EPILOG,
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode="rich",
    context_settings={"help_option_names": ["-h", "--help"]},
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"yescale-integrations {__version__}")
        raise typer.Exit()


@app.callback()
def root(
    ctx: typer.Context,
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_version, is_eager=True, help="Print the version and exit."
        ),
    ] = False,
) -> None:
    # One Runtime for the whole run (a test's own, passed as obj=, or the default).
    ctx.ensure_object(Runtime)


app.command()(account.quota)
app.command(epilog=catalog.EPILOG)(catalog.models)
app.command()(account.logs)
app.command()(account.tasks)
app.add_typer(media.app, name="media")
app.command()(chat.chat)
