"""Progress bars for long waits: embedding jobs and media tasks, shown only when asked.

Two kinds of bar, both silent unless a caller creates one (the framework classes do so only
with ``show_progress=True``):

* :class:`CountingBar` counts the texts of an embedding job: it is the ``on_progress(done,
  total)`` callback of :mod:`yescale.embedding_batches`, and :meth:`CountingBar.part` adds up the
  pieces of a job a framework splits into several calls;
* :class:`MediaTaskBar` follows one media task: the ``on_progress`` callback of
  ``client.media.wait`` / ``run`` (a :class:`~yescale.types.media.MediaTask`) or of
  :class:`~yescale.tools.MediaTaskRunner` (a :class:`~yescale.tools.MediaProgress`). It shows the
  task id first (so a resumable task is never lost to a narrow terminal), the status and the
  percent, and when it is closed on an error it says so (failed, or stopped by a timeout).

Both draw with ``tqdm.auto`` when tqdm is installed (a widget in Jupyter, a text bar in a
terminal) and otherwise write plain lines on stderr; no dependency is added. Use them as context
managers (closed on success and on error), or :func:`counting_bar` / :func:`media_task_bar`,
which give ``None`` when the bar is not asked for.
"""

from __future__ import annotations

import importlib
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from types import TracebackType
from typing import IO, TYPE_CHECKING, Any

from ..errors import TaskError, TaskFailedError

if TYPE_CHECKING:
    from ..tools.media import MediaProgress
    from ..types.media import MediaTask

__all__ = ["CountingBar", "MediaTaskBar", "counting_bar", "media_task_bar"]

_WIDTH = 30


def _tqdm_class() -> Any | None:
    """``tqdm.auto.tqdm``, or ``None`` when tqdm is not installed."""
    try:
        return importlib.import_module("tqdm.auto").tqdm
    except ImportError:
        return None


def _drawn(fraction: float) -> str:
    filled = int(_WIDTH * min(max(fraction, 0.0), 1.0))
    return "#" * filled + "." * (_WIDTH - filled)


class CountingBar:
    """A bar counting finished items (texts embedded) out of a total.

    Call it with ``(done, total)`` (absolute counts, as :func:`yescale.embedding_batches.embed`
    reports them), or give each piece of a larger job :meth:`part`. Thread-safe; opened on the
    first report (nothing is drawn before there is something to draw).

    Args:
        label: what is counted, shown first (e.g. ``"Embedding"``).
        total: the total, when known before the first report (else the first report sets it).
        unit: the unit tqdm shows (``"text"``).
        file: where to draw (default: stderr at the time of drawing).
    """

    def __init__(
        self,
        label: str,
        *,
        total: int | None = None,
        unit: str = "text",
        file: IO[str] | None = None,
    ) -> None:
        self.label = label
        self.unit = unit
        self.total = total
        self.done = 0
        self._file = file
        self._lock = threading.Lock()
        self._tqdm_class = _tqdm_class()
        self._tqdm: Any = None
        self._drawn = False
        self._closed = False

    def __call__(self, done: int, total: int) -> None:
        with self._lock:
            self.done, self.total = done, total
            self._draw()

    def part(self, size: int) -> Callable[[int, int], None]:
        """A ``(done, total)`` callback for one piece of ``size`` items of this bar's total.

        The piece's own count is scaled to ``size`` (an embedding job counts distinct texts, so a
        piece with repeated texts reports a smaller total than it has items).
        """
        counted = 0

        def report(done: int, total: int) -> None:
            nonlocal counted
            now = size if total <= 0 else size * min(done, total) // total
            with self._lock:
                self.done += now - counted
                counted = now
                self._draw()

        return report

    def _draw(self) -> None:
        if self._closed:
            return
        total = self.total if self.total is not None else self.done
        if self._tqdm_class is not None:
            if self._tqdm is None:
                self._tqdm = self._tqdm_class(
                    total=total, desc=self.label, unit=self.unit, file=self._file
                )
            if self._tqdm.total != total:
                self._tqdm.total = total
            if self.done != self._tqdm.n:
                self._tqdm.update(self.done - self._tqdm.n)
            return
        out = self._file or sys.stderr
        out.write(f"\r{self.label} [{_drawn(self.done / max(total, 1))}] {self.done}/{total}")
        out.flush()
        self._drawn = True

    def close(self) -> None:
        """End the bar's line (idempotent)."""
        with self._lock:
            if self._closed:
                return
            self._closed = True
            if self._tqdm is not None:
                self._tqdm.close()
            elif self._drawn:
                out = self._file or sys.stderr
                out.write("\n")
                out.flush()

    def __enter__(self) -> CountingBar:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


class MediaTaskBar:
    """A bar following one media task: task id, model, status and percent.

    Call it with each :class:`~yescale.tools.MediaProgress` or
    :class:`~yescale.types.media.MediaTask` as the wait reports them; it opens on the first (the
    submitted task). :meth:`close` ends it; with the error that ended the wait it says how
    (``failed`` with the task's status, or ``stopped`` and the error's name, e.g. a timeout:
    the task id stays on screen to resume with). Without tqdm each change is one line on stderr.

    Args:
        label: shown before the task id (``"Media task"``).
        file: where to draw (default: stderr at the time of drawing).
    """

    def __init__(self, label: str = "Media task", *, file: IO[str] | None = None) -> None:
        self.label = label
        self.task_id: str | None = None
        self.model: str | None = None
        self.status: str | None = None
        self.percent: float | None = None
        self.state: str | None = None
        self._file = file
        self._lock = threading.Lock()
        self._tqdm_class = _tqdm_class()
        self._tqdm: Any = None
        self._closed = False

    @property
    def description(self) -> str:
        """``"<label> <task id> (<model>)"``: what the bar is about, the task id first."""
        model = f" ({self.model})" if self.model else ""
        return f"{self.label} {self.task_id}{model}"

    def __call__(self, event: MediaProgress | MediaTask) -> None:
        # MediaProgress carries ``percent``; MediaTask computes ``progress_percent``
        percent = event.percent if hasattr(event, "percent") else event.progress_percent
        with self._lock:
            if self._closed:
                return
            self.task_id = event.task_id
            self.model = getattr(event, "model", None) or self.model
            self.status = event.status
            self.state = event.state
            if event.state == "succeeded":
                percent = 100.0
            if percent is not None:
                self.percent = min(max(float(percent), 0.0), 100.0)
            self._draw(self.status)

    def _draw(self, status: str | None) -> None:
        if self._tqdm_class is not None:
            if self._tqdm is None:
                self._tqdm = self._tqdm_class(
                    total=100,
                    desc=self.description,
                    unit="%",
                    file=self._file,
                    bar_format="{desc}: {percentage:3.0f}%|{bar}| {elapsed}{postfix}",
                )
            self._tqdm.set_postfix_str(status or "", refresh=False)
            self._tqdm.update((self.percent or 0.0) - self._tqdm.n)
            self._tqdm.refresh()
            return
        percent = f"{self.percent:3.0f}%" if self.percent is not None else "   ?"
        out = self._file or sys.stderr
        bar = _drawn((self.percent or 0.0) / 100)
        out.write(f"{self.description}: {percent} [{bar}] {status or ''}\n")
        out.flush()

    def close(self, error: BaseException | None = None) -> None:
        """End the bar (idempotent); ``error``: what ended the wait, shown with the task id."""
        with self._lock:
            if self._closed:
                return
            self._closed = True
            if self.task_id is None and isinstance(error, TaskError):
                self.task_id = error.task_id  # ended before its first report: still named
            if self.task_id is None:
                return  # nothing to show: no task was submitted
            ending = _ending(error, self.status)
            if ending is not None:
                self._draw(ending)
            if self._tqdm is not None:
                self._tqdm.close()

    def __enter__(self) -> MediaTaskBar:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close(exc)


def _ending(error: BaseException | None, status: str | None) -> str | None:
    """The last status text: the task's failure, or what stopped the wait."""
    if error is None:
        return None
    if isinstance(error, TaskFailedError):
        failed = getattr(error.task, "status", None)
        return f"failed ({failed})" if failed else "failed"
    last = f" at {status}" if status else ""
    return f"stopped waiting{last} ({type(error).__name__})"


@contextmanager
def counting_bar(
    label: str,
    *,
    show: bool,
    total: int | None = None,
    unit: str = "text",
    file: IO[str] | None = None,
) -> Iterator[CountingBar | None]:
    """A :class:`CountingBar` closed at the end of the block, or ``None`` unless ``show``."""
    if not show:
        yield None
        return
    with CountingBar(label, total=total, unit=unit, file=file) as bar:
        yield bar


@contextmanager
def media_task_bar(
    *, show: bool, label: str = "Media task", file: IO[str] | None = None
) -> Iterator[MediaTaskBar | None]:
    """A :class:`MediaTaskBar` closed at the end of the block (with the error that ended it, if
    one did), or ``None`` unless ``show``."""
    if not show:
        yield None
        return
    with MediaTaskBar(label, file=file) as bar:
        yield bar
