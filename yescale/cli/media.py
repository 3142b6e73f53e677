"""``yescale media submit|wait|get|download``: video and image tasks, resumable by task id.

A submitted task is paid for, so its id is never lost: ``submit`` prints it before anything else
can fail, and every later failure (a timeout, Ctrl-C, a network error) prints it with the command
that resumes the wait (``yescale media wait ID``).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.table import Table

from ..errors import TaskError, YEScaleError
from . import media_fanout
from .exits import (
    INTERRUPTED,
    TASK_FAILED,
    TASK_RUNNING,
    CliError,
    exit_code,
    one_line,
    resume_hint,
)
from .output import print_json, utc
from .progress import TaskProgress
from .runtime import API_KEY_ENV, Runtime, runtime

if TYPE_CHECKING:
    from .._client import YEScaleClient
    from ..types.media import MediaTask

__all__ = ["app", "parse_config"]

app = typer.Typer(
    name="media",
    help="Video and image tasks (sora-2, veo3.1, kling, gpt-image...): submit, wait, get, "
    "download; many at once with fan-out and resume. Tasks are paid for when submitted; their "
    "id resumes them.",
    no_args_is_help=True,
)

TaskId = Annotated[str, typer.Argument(help="The task id submit printed.")]
JsonOption = Annotated[bool, typer.Option("--json", help="Print the task as JSON on stdout.")]
Timeout = Annotated[
    float, typer.Option(min=1.0, help="Seconds to wait before giving up (exit code 5).")
]
PollInterval = Annotated[
    float, typer.Option(min=0.1, help="Seconds between the first polls (then longer, to 30).")
]


def parse_config(pairs: list[str] | None) -> dict[str, Any]:
    """``["duration=8", "hd=true", "size=1280x720"]`` as ``{"duration": 8, "hd": True,
    "size": "1280x720"}``: a value is JSON when it reads as JSON, else text."""
    config: dict[str, Any] = {}
    for pair in pairs or []:
        name, sep, raw = pair.partition("=")
        if not sep or not name.strip():
            raise typer.BadParameter(
                f"{pair!r} is not name=value (e.g. --config duration=8).", param_hint="--config"
            )
        try:
            value: Any = json.loads(raw)
        except ValueError:
            value = raw
        config[name.strip()] = value
    return config


@app.command()
def submit(
    ctx: typer.Context,
    model: Annotated[str, typer.Argument(help="A media model (sora-2, veo3.1, gpt-image...).")],
    prompt: Annotated[str, typer.Argument(help="What to generate.")],
    config: Annotated[
        list[str] | None,
        typer.Option(
            "--config",
            "-c",
            help="A model setting as name=value (repeat it): duration=8, "
            "aspect_ratio=16:9. Values are JSON when they read as JSON.",
        ),
    ] = None,
    wait: Annotated[
        bool, typer.Option("--wait", "-w", help="Wait for the result, with a progress bar.")
    ] = False,
    timeout: Timeout = 900.0,
    poll_interval: PollInterval = 5.0,
    as_json: JsonOption = False,
) -> None:
    """Submit a task; its id is printed at once.

    Without --wait the id goes to stdout. With --wait it goes to stderr, a progress bar follows,
    and the result's URL is printed on stdout."""
    rt = runtime(ctx)
    settings = parse_config(config)
    with rt.client(API_KEY_ENV, command=ctx.command_path) as client:
        task = client.media.submit(model=model, prompt=prompt, config=settings)
        if not wait:
            if as_json:
                print_json(task_json(task))
            else:
                typer.echo(task.task_id)
            rt.note(
                f"Submitted media task {task.task_id} ({task.status}); wait for it: "
                f"yescale media wait {task.task_id}"
            )
            return
        rt.note(
            f"Submitted media task {task.task_id}; if this wait stops, {resume_hint(task.task_id)}"
        )
        done = _wait(rt, client, task.task_id, timeout, poll_interval)
    _show_done(rt, done, as_json)


@app.command("wait")
def wait_for(
    ctx: typer.Context,
    task_id: TaskId,
    timeout: Timeout = 900.0,
    poll_interval: PollInterval = 5.0,
    as_json: JsonOption = False,
) -> None:
    """Wait for a task with a progress bar; prints the result's URL.

    Exit code 4 if the task fails, 5 if it is still running at --timeout: run this again to
    go on waiting (the task is not submitted again)."""
    rt = runtime(ctx)
    with rt.client(API_KEY_ENV, command=ctx.command_path) as client:
        done = _wait(rt, client, task_id, timeout, poll_interval)
    _show_done(rt, done, as_json)


@app.command()
def get(ctx: typer.Context, task_id: TaskId, as_json: JsonOption = False) -> None:
    """A task's status, progress and result, once (exit code 0 whatever the status)."""
    rt = runtime(ctx)
    again = f"check it again: yescale media get {task_id}"
    with rt.client(API_KEY_ENV, command=ctx.command_path) as client, _keeping(task_id, again):
        task = client.media.get(task_id)
    if as_json:
        print_json(task_json(task))
        return
    rt.out().print(_task_table(task))


@app.command()
def download(
    ctx: typer.Context,
    task_id: TaskId,
    path: Annotated[
        Path, typer.Argument(help="A file, or a folder to save into (default: here).")
    ] = Path("."),
    timeout: Annotated[
        float | None, typer.Option(min=1.0, help="Seconds the download may take.")
    ] = None,
) -> None:
    """Save a finished task's result; prints the file's path.

    Result links expire (get shows when): download what you want to keep."""
    rt = runtime(ctx)
    again = f"download it with: yescale media download {task_id} PATH"
    with rt.client(API_KEY_ENV, command=ctx.command_path) as client, _keeping(task_id, again):
        task = client.media.get(task_id)
        if task.state == "failed":
            raise CliError(
                f"media task {task_id} failed, there is nothing to download: "
                f"{task.fail_reason or task.message or 'no reason given'}",
                TASK_FAILED,
            )
        if task.state == "running":
            raise CliError(
                f"media task {task_id} is still running ({task.status}, "
                f"{task.progress or 'no progress yet'}): wait for it first, "
                f"yescale media wait {task_id}",
                TASK_RUNNING,
            )
        saved = client.media.download(task, path, timeout=timeout)
    typer.echo(str(saved))
    rt.note(f"Saved media task {task_id} to {saved} ({saved.stat().st_size:,} bytes)")


def _wait(
    rt: Runtime, client: YEScaleClient, task_id: str, timeout: float, poll_interval: float
) -> MediaTask:
    """``client.media.wait`` with a progress bar; whatever ends it, the id is printed."""
    with _keeping(task_id, resume_hint(task_id)), TaskProgress(rt.err(), task_id) as progress:
        return client.media.wait(
            task_id, timeout=timeout, poll_interval=poll_interval, on_progress=progress
        )


@contextmanager
def _keeping(task_id: str, again: str) -> Iterator[None]:
    """Any failure inside names the task and what to run ``again`` (Ctrl-C: how to resume)."""
    try:
        yield
    except KeyboardInterrupt:
        raise CliError(
            f"stopped; media task {task_id} goes on and is paid for: {resume_hint(task_id)}",
            INTERRUPTED,
        ) from None
    except YEScaleError as error:
        line = one_line(error)
        if isinstance(error, TaskError) or task_id in line:
            raise
        raise CliError(f"{line} (media task {task_id}; {again})", exit_code(error)) from None


def _show_done(rt: Runtime, task: MediaTask, as_json: bool) -> None:
    if as_json:
        print_json(task_json(task))
    else:
        typer.echo(task.url or "")
    expires = task.result.expires_at if task.result else None
    until = f"; the link expires {utc(expires.timestamp())} UTC" if expires else ""
    rt.note(
        f"Media task {task.task_id} {task.status}{until}. Keep it: "
        f"yescale media download {task.task_id} PATH"
    )


def task_json(task: MediaTask) -> dict[str, Any]:
    """The task as the service sent it, with ``state`` and ``url`` read for you."""
    data = task.model_dump(mode="json", exclude_none=True)
    data.update(state=task.state, url=task.url)
    return data


def _task_table(task: MediaTask) -> Table:
    grid = Table.grid(padding=(0, 2))
    grid.add_column(style="bold")
    grid.add_column(overflow="fold")
    grid.add_row("Task", task.task_id)
    grid.add_row("Status", f"{task.status} ({task.state})")
    if task.progress:
        grid.add_row("Progress", task.progress)
    if task.submit_time or task.created_at:
        grid.add_row("Submitted", f"{utc(task.submit_time or task.created_at)} UTC")
    if task.finish_time:
        grid.add_row("Finished", f"{utc(task.finish_time)} UTC")
    if task.url:
        grid.add_row("Result", task.url)
    expires = task.result.expires_at if task.result else None
    if expires:
        grid.add_row("Expires", f"{utc(expires.timestamp())} UTC")
    if task.fail_reason:
        grid.add_row("Failure", task.fail_reason)
    return grid


# Many tasks at once, resumable from a manifest (yescale/cli/media_fanout.py).
app.command("fan-out")(media_fanout.fan_out)
app.command("resume")(media_fanout.resume)
