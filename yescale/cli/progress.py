"""A media task's progress on stderr: a live rich bar on a terminal, one line per change in a
pipe or a log file. The task id comes first either way, so it is never lost."""

from __future__ import annotations

from types import TracebackType

from rich.console import Console
from rich.progress import (
    BarColumn,
    Progress,
    SpinnerColumn,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
)

from ..types.media import MediaTask

__all__ = ["TaskProgress"]


class TaskProgress:
    """``on_progress`` for ``client.media.wait``; use it as a context manager."""

    def __init__(self, console: Console, task_id: str) -> None:
        self.console = console
        self.task_id = task_id
        self.percent = 0.0
        self._bar: Progress | None = None
        self._row: TaskID | None = None

    def __enter__(self) -> TaskProgress:
        if self.console.is_terminal:
            self._bar = Progress(
                SpinnerColumn(),
                TextColumn("{task.description}"),
                BarColumn(),
                TextColumn("{task.percentage:>3.0f}%"),
                TextColumn("{task.fields[status]}"),
                TimeElapsedColumn(),
                console=self.console,
            )
            self._bar.start()
            self._row = self._bar.add_task(self.task_id, total=100, status="waiting")
        return self

    def __call__(self, task: MediaTask) -> None:
        """Show a change of status or progress."""
        if task.progress_percent is not None:
            self.percent = max(0.0, min(task.progress_percent, 100.0))
        if self._bar is not None and self._row is not None:
            self._bar.update(self._row, completed=self.percent, status=task.status)
        else:
            line = f"{self.task_id}  {task.status}  {task.progress or ''}".rstrip()
            self.console.print(line, soft_wrap=True, markup=False)

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        if self._bar is not None:
            self._bar.stop()
