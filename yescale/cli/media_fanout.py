"""``yescale media fan-out FILE --manifest M --out DIR`` and ``yescale media resume M --out DIR``.

Many media tasks at once (``client.media.fan_out``): requests come from a JSON Lines file, every
step is recorded in the manifest, and a run that stops for any reason (Ctrl-C, a crash, a
timeout, a refused key) is picked up by ``resume`` without submitting anything twice.

Exit codes (:mod:`.exits`): 0 every file downloaded; 5 tasks still running at ``--timeout``; 1
requests not submitted, possibly submitted (``unknown``) or not downloaded; 4 tasks failed (and
nothing else is wrong); 2 bad input, refused before any request; 3 a missing or refused key.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from ..errors import YEScaleError
from .exits import (
    INTERRUPTED,
    OK,
    SERVICE_ERROR,
    TASK_FAILED,
    TASK_RUNNING,
    USAGE_ERROR,
    CliError,
    exit_code,
    one_line,
)
from .output import print_json
from .runtime import API_KEY_ENV, Runtime, runtime

if TYPE_CHECKING:
    from ..media_fanout_types import FanOutProgress, FanOutSummary

__all__ = ["fan_out", "read_requests", "resume"]

Manifest = Annotated[
    Path, typer.Option("--manifest", "-m", help="The JSONL manifest to write (and resume from).")
]
Out = Annotated[Path, typer.Option("--out", "-o", help="The folder the results are saved in.")]
Concurrency = Annotated[
    int, typer.Option("--concurrency", min=1, max=256, help="Requests in flight at most.")
]
Timeout = Annotated[
    float, typer.Option(min=1.0, help="Seconds to wait for the tasks (then exit code 5).")
]
PollInterval = Annotated[
    float, typer.Option(min=0.01, help="Seconds between the first rounds of polls (then longer).")
]
Resubmit = Annotated[
    bool,
    typer.Option(
        "--resubmit-unknown",
        help="Submit again the requests whose submit got no answer and that the task list does "
        "not show. They may already be paid for: check your dashboard first.",
    ),
]
Recover = Annotated[
    bool,
    typer.Option(
        "--recover/--no-recover",
        help="Look for unanswered submits in the task list (needs YESCALE_ACCESS_KEY).",
    ),
]
JsonOption = Annotated[bool, typer.Option("--json", help="Print the summary as JSON on stdout.")]
_SHOWN = {"submitted", "downloaded", "failed", "unknown", "poll_error", "download_failed"}


def read_requests(path: Path) -> list[dict[str, Any]]:
    """The requests of a JSON Lines file: one ``{"model", "prompt", "config", "key"}`` object a
    line (blank lines skipped); a line that is not one is a usage error naming it."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise CliError(f"cannot read the requests file {path}: {exc}", USAGE_ERROR) from None
    found = []
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            value = json.loads(line)
        except ValueError:
            value = None
        if not isinstance(value, dict):
            raise CliError(
                f"line {number} of {path} is not a JSON object such as "
                '{"model": "sora-2", "prompt": "a cat surfing", "key": "cat"}',
                USAGE_ERROR,
            )
        found.append(value)
    if not found:
        raise CliError(f"{path} holds no requests", USAGE_ERROR)
    return found


class _Progress:
    """``on_progress`` of the fan-out: a bar on a terminal, one line per step otherwise."""

    def __init__(self, rt: Runtime) -> None:
        self.console = rt.err()
        self.bar: Progress | None = None
        self.row: Any = None

    def __enter__(self) -> _Progress:
        if self.console.is_terminal:
            self.bar = Progress(
                TextColumn("media tasks"),
                BarColumn(),
                # (rich 10.11, our floor, has no MofNCompleteColumn)
                TextColumn("{task.completed:.0f}/{task.fields[of]}"),
                TextColumn("{task.fields[counts]}"),
                TimeElapsedColumn(),
                console=self.console,
            )
            self.bar.start()
            self.row = self.bar.add_task("fan-out", total=1, counts="", of="?")
        return self

    def __call__(self, update: FanOutProgress) -> None:
        if self.bar is not None:
            done = update.counts.get("downloaded", 0) + update.counts.get("failed", 0)
            counts = ", ".join(f"{n} {s}" for s, n in sorted(update.counts.items()))
            self.bar.update(
                self.row, total=update.total, completed=done, counts=counts, of=update.total
            )
        elif update.event in _SHOWN:
            line = f"{update.key}  {update.event}  {update.task_id or ''}".rstrip()
            self.console.print(line, soft_wrap=True, markup=False, highlight=False)

    def __exit__(self, *exc: object) -> None:
        if self.bar is not None:
            self.bar.stop()


def _run(
    ctx: typer.Context,
    requests: list[dict[str, Any]] | None,
    manifest: Path,
    out: Path,
    as_json: bool,
    **options: Any,
) -> None:
    rt = runtime(ctx)
    again = f"yescale media resume {manifest} --out {out}"
    with rt.client(API_KEY_ENV, command=ctx.command_path) as client, _Progress(rt) as progress:
        try:
            if requests is None:
                summary = client.media.resume(
                    manifest, output_dir=out, on_progress=progress, **options
                )
            else:
                summary = client.media.fan_out(
                    requests, manifest=manifest, output_dir=out, on_progress=progress, **options
                )
        except KeyboardInterrupt:
            raise CliError(
                f"stopped; the tasks submitted go on and are paid for; their ids are in "
                f"{manifest}: resume with: {again}",
                INTERRUPTED,
            ) from None
        except YEScaleError as error:
            if getattr(error, "summary", None) is None:
                raise
            raise CliError(f"{one_line(error)} (resume with: {again})", exit_code(error)) from None
    _show(rt, summary, as_json)
    code = _exit(summary)
    if code != OK:
        rt.note(f"Not finished: {summary}. Go on with: {again}")
        raise typer.Exit(code)


def _exit(summary: FanOutSummary) -> int:
    counts = summary.counts
    if counts.get("running"):
        return TASK_RUNNING
    if set(counts) - {"downloaded", "failed"}:
        return SERVICE_ERROR
    return TASK_FAILED if counts.get("failed") else OK


def _show(rt: Runtime, summary: FanOutSummary, as_json: bool) -> None:
    if as_json:
        print_json(
            {
                "manifest": str(summary.manifest),
                "output_dir": str(summary.output_dir),
                "counts": summary.counts,
                "submitted": summary.submitted,
                "recovered": summary.recovered,
                "outcomes": [
                    {
                        "key": o.key,
                        "state": o.state,
                        "task_id": o.task_id,
                        "path": str(o.path) if o.path else None,
                        "error": o.error,
                    }
                    for o in summary.outcomes
                ],
            }
        )
        return
    table = Table(box=None, pad_edge=False)
    for column in ("Key", "State", "Task", "File or error"):
        table.add_column(column, overflow="fold")
    for o in summary.outcomes:
        table.add_row(o.key, o.state, o.task_id or "", str(o.path) if o.path else o.error or "")
    rt.out().print(table)
    rt.note(str(summary))


def fan_out(
    ctx: typer.Context,
    requests_file: Annotated[
        Path,
        typer.Argument(
            metavar="FILE",
            help='JSON Lines, one request a line: {"model": ..., "prompt": ..., '
            '"config": {...}, "key": ...} (config and key optional).',
        ),
    ],
    manifest: Manifest,
    out: Out,
    concurrency: Concurrency = 8,
    timeout: Timeout = 3600.0,
    poll_interval: PollInterval = 5.0,
    recover: Recover = True,
    resubmit_unknown: Resubmit = False,
    as_json: JsonOption = False,
) -> None:
    """Submit every request of FILE, wait for all, download each result into --out.

    Every step goes to the --manifest first: if this stops, `yescale media resume MANIFEST
    --out DIR` goes on without submitting (and paying for) anything twice."""
    requests = read_requests(requests_file)
    _run(
        ctx,
        requests,
        manifest,
        out,
        as_json,
        max_concurrency=concurrency,
        timeout=timeout,
        poll_interval=poll_interval,
        recover=recover,
        resubmit_unknown=resubmit_unknown,
    )


def resume(
    ctx: typer.Context,
    manifest: Annotated[Path, typer.Argument(metavar="MANIFEST", help="The fan-out's manifest.")],
    out: Out,
    concurrency: Concurrency = 8,
    timeout: Timeout = 3600.0,
    poll_interval: PollInterval = 5.0,
    recover: Recover = True,
    resubmit_unknown: Resubmit = False,
    as_json: JsonOption = False,
) -> None:
    """Go on with a fan-out from its MANIFEST; nothing is submitted twice.

    Waits for what runs, downloads what is missing from --out, submits what never was."""
    _run(
        ctx,
        None,
        manifest,
        out,
        as_json,
        max_concurrency=concurrency,
        timeout=timeout,
        poll_interval=poll_interval,
        recover=recover,
        resubmit_unknown=resubmit_unknown,
    )
