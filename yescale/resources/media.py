"""``client.media``: YEScale Media tasks (``POST /task/submit``, ``GET /task/{task_id}``).

Submit returns at once with a ``task_id``; :meth:`Media.wait` polls with backoff until the task
succeeds (returned), fails (:class:`TaskFailedError`) or outlives ``timeout``
(:class:`TaskTimeoutError`, which keeps the ``task_id``: the task is paid for, resume it with
``wait(task_id)``). Transient errors while polling never lose the task.
"""

from __future__ import annotations

import dataclasses
import inspect
import re
from collections.abc import Awaitable, Callable, Mapping
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit

from .._http import Call, Transport, json_parser
from .._validate import require_text
from ..costs.meter import Meter, task_usage
from ..errors import (
    InvalidRequestError,
    InvalidResponseError,
    TaskFailedError,
    TaskTimeoutError,
    YEScaleError,
    extend_message,
)
from ..models.kinds import check_media_model
from ..types.media import MediaTask, MediaTaskRequest, TaskResult
from .media_fanout import AsyncFanOutMethods, FanOutMethods

SUBMIT_PATH = "/task/submit"
_parse = json_parser(MediaTask)
ProgressCallback = Callable[[MediaTask], Any]
DEFAULT_POLL_INTERVAL = 5.0
DEFAULT_TIMEOUT = 900.0
MAX_POLL_INTERVAL = 30.0
#: the least time a poll is given, however close the deadline
MIN_POLL_TIME = 1.0


def build_submit(model: str, prompt: str, config: Mapping[str, Any] | None) -> Call[MediaTask]:
    require_text(model, "model", "e.g. 'sora-2', 'veo3.1', 'gpt-image', 'nano-banana'.")
    require_text(prompt, "prompt", "Describe the media to generate.")
    check_media_model(model)
    if config is not None and not isinstance(config, Mapping):
        raise InvalidRequestError(
            f"`config` must be a dict of model parameters, got {type(config).__name__}."
        )
    request = MediaTaskRequest(model=model, prompt=prompt, config=dict(config or {}))
    return Call(
        "POST",
        SUBMIT_PATH,
        _parse,
        json=request.to_wire(),
        what="media task submit",
        repeatable=False,  # a repeated submit after a lost answer would be a second paid task
        meter=Meter(model, task_usage),
    )


def build_get(task_id: str) -> Call[MediaTask]:
    require_text(task_id, "task_id", "Use the task_id returned by submit().")
    segment = quote(task_id.strip(), safe="")
    if segment in (".", ".."):  # URL normalization would turn /task/.. into another endpoint
        raise InvalidRequestError(
            f"{task_id.strip()!r} is not a task id: use the task_id returned by submit()."
        )
    return Call("GET", f"/task/{segment}", _parse, what="media task poll")


class TaskWaiter:
    """The polling state shared by the sync and async ``wait``: deadline, backoff, progress."""

    def __init__(
        self,
        task_id: str,
        transport: Transport,
        poll_interval: float,
        timeout: float,
        max_poll_interval: float = MAX_POLL_INTERVAL,
        reported: MediaTask | None = None,
    ) -> None:
        if poll_interval <= 0 or timeout <= 0:
            raise InvalidRequestError(
                "poll_interval and timeout must be positive numbers of seconds."
            )
        self.task_id = task_id
        self.clock = transport.clock
        self.retry = transport.retry
        self.timeout = timeout
        self.deadline = self.clock() + timeout
        self.delay = poll_interval
        self.max_delay = max(max_poll_interval, poll_interval)
        self.last: MediaTask | None = None
        self.last_error: YEScaleError | None = None
        # what on_progress last saw (e.g. the submitted task), so it is not reported twice
        self._seen: tuple[str, str | None] | None = (
            (reported.status, reported.progress) if reported is not None else None
        )

    def observe(self, task: MediaTask) -> tuple[bool, bool]:
        """``(finished, changed)`` for a polled task; raises :class:`TaskFailedError`."""
        self.last, self.last_error = task, None
        key = (task.status, task.progress)
        changed, self._seen = key != self._seen, key
        if task.state == "failed":
            reason = (task.fail_reason or task.message or "no reason given").rstrip(" .")
            raise TaskFailedError(
                f"YEScale media task {task.task_id} failed (status {task.status}): {reason}. "
                "Nothing to resume: submit a new task, perhaps with another prompt or config.",
                task_id=task.task_id,
                reason=task.fail_reason,
                task=task,
            )
        return task.state == "succeeded", changed

    def observe_error(self, error: YEScaleError) -> None:
        """Keep polling through transient errors; raise anything else.

        A success status with an unreadable body (a proxy's page, garbage) is transient too once
        the task is known to exist (submitted here, or polled fine before): a poll is a GET, and
        raising would lose a task that is paid for (``run`` never returned its id). On a first
        poll it is raised at once: then it more likely means a wrong ``base_url``.
        """
        known = self._seen is not None
        if not (
            self.retry.is_retryable(error) or (known and isinstance(error, InvalidResponseError))
        ):
            # The id must survive whatever ends the wait: ``run`` has not returned it yet.
            extend_message(
                error,
                f" (while waiting for media task {self.task_id}; once fixed, resume with "
                f"client.media.wait({self.task_id!r}))",
            )
            if getattr(error, "task_id", None) is None:
                error.task_id = self.task_id  # type: ignore[attr-defined]
            raise error
        self.last_error = error

    def poll_call(self) -> Call[MediaTask]:
        """The next poll: sent once, with its timeouts capped to the time left (at least
        ``MIN_POLL_TIME``), so a stalled poll cannot hold ``wait`` past its ``timeout``; a failed
        poll is simply polled again after the next delay."""
        time_left = max(self.deadline - self.clock(), MIN_POLL_TIME)
        return dataclasses.replace(build_get(self.task_id), time_left=time_left)

    def next_delay(self) -> float:
        remaining = self.deadline - self.clock()
        if remaining <= 0:
            raise self.timed_out()
        delay = self.delay
        if self.last_error is not None and self.last_error.retry_after is not None:
            delay = max(delay, self.last_error.retry_after)  # the service asked for a pause
        self.delay = min(self.delay * 1.5, self.max_delay)
        return min(delay, remaining)

    def timed_out(self) -> TaskTimeoutError:
        status = self.last.status if self.last else None
        progress = self.last.progress if self.last else None
        seen = f"last status {status}, progress {progress}" if self.last else "never polled OK"
        if self.last_error is not None:
            seen += f"; last poll error: {self.last_error.message}"
        return TaskTimeoutError(
            f"Stopped waiting for YEScale media task {self.task_id} after {self.timeout:.0f}s "
            f"({seen}). The task may still finish and is paid for: resume with "
            f"client.media.wait({self.task_id!r}) or check it with client.media.get().",
            task_id=self.task_id,
            last_status=status,
            progress=progress,
            task=self.last,
        )


def resolve_download(result: MediaTask | TaskResult | str, path: str | Path) -> tuple[str, Path]:
    """The URL to fetch and the file to write (a directory gets the URL's sanitized file name)."""
    if isinstance(result, MediaTask):
        url = result.url
        if url is None:
            raise InvalidRequestError(
                f"Media task {result.task_id} has no result URL yet (status {result.status}): "
                "wait for it to succeed first."
            )
    elif isinstance(result, TaskResult):
        url = result.url
    else:
        url = result
    if not url or urlsplit(url).scheme not in ("http", "https"):
        raise InvalidRequestError(f"Nothing to download: {url!r} is not an http(s) URL.")
    target = Path(path)
    if target.is_dir():
        target = target / safe_filename(urlsplit(url).path.rsplit("/", 1)[-1] or "download")
    if not target.parent.is_dir():
        raise InvalidRequestError(
            f"Cannot save to {target}: folder {target.parent} does not exist."
        )
    return url, target


def safe_filename(name: str) -> str:
    """A file name with no path separators, no leading dots and no odd characters."""
    cleaned = re.sub(r"[^A-Za-z0-9._-]", "_", name).lstrip(".")
    return cleaned[:200] or "download"


class Media(FanOutMethods):
    """YEScale Media tasks: video (sora-2, veo3.1, kling, hailuo, ...) and image models;
    many at once, resumable, with :meth:`fan_out` / :meth:`resume` (docs/media-fanout.md)."""

    def __init__(self, transport: Transport) -> None:
        self._t = transport

    def submit(
        self, *, model: str, prompt: str, config: Mapping[str, Any] | None = None
    ) -> MediaTask:
        """Submit ``{model, prompt, config}`` exactly as given; returns at once with ``task_id``."""
        return self._t.send(build_submit(model, prompt, config))

    def get(self, task_id: str) -> MediaTask:
        """The task's current status, progress and (once done) result."""
        return self._t.send(build_get(task_id))

    def wait(
        self,
        task_id: str,
        *,
        poll_interval: float = DEFAULT_POLL_INTERVAL,
        timeout: float = DEFAULT_TIMEOUT,
        on_progress: ProgressCallback | None = None,
    ) -> MediaTask:
        """Poll until the task succeeds; ``on_progress(task)`` runs when status or progress move."""
        return self._wait(task_id, poll_interval, timeout, on_progress, None)

    def _wait(
        self,
        task_id: str,
        poll_interval: float,
        timeout: float,
        on_progress: ProgressCallback | None,
        reported: MediaTask | None,
    ) -> MediaTask:
        waiter = TaskWaiter(task_id, self._t, poll_interval, timeout, reported=reported)
        while True:
            try:
                task = self._t.send(waiter.poll_call())
            except YEScaleError as error:
                waiter.observe_error(error)
            else:
                done, changed = waiter.observe(task)
                if changed and on_progress is not None:
                    on_progress(task)
                if done:
                    return task
            self._t.sleep(waiter.next_delay())

    def run(
        self,
        *,
        model: str,
        prompt: str,
        config: Mapping[str, Any] | None = None,
        poll_interval: float = DEFAULT_POLL_INTERVAL,
        timeout: float = DEFAULT_TIMEOUT,
        on_progress: ProgressCallback | None = None,
    ) -> MediaTask:
        """Submit, then wait. On timeout the error's ``task_id`` resumes the task."""
        task = self.submit(model=model, prompt=prompt, config=config)
        if on_progress is not None:
            on_progress(task)
        return self._wait(task.task_id, poll_interval, timeout, on_progress, task)

    def download(
        self,
        result: MediaTask | TaskResult | str,
        path: str | Path,
        *,
        timeout: float | None = None,
    ) -> Path:
        """Save the result to ``path`` (a file, or a folder). Our key is never sent to the CDN.

        Each attempt must be over within ``timeout`` seconds (default: the client's
        ``timeout``): raise it for large files on slow links. The file is streamed to disk, at
        most ``max_download_bytes``. Result links expire (``url_expires_at``): download what
        you want to keep.
        """
        url, target = resolve_download(result, path)
        return self._t.download(url, target, timeout)


class AsyncMedia(AsyncFanOutMethods):
    """Async twin of :class:`Media`; ``on_progress`` may be a coroutine function."""

    def __init__(self, transport: Transport) -> None:
        self._t = transport

    async def submit(
        self, *, model: str, prompt: str, config: Mapping[str, Any] | None = None
    ) -> MediaTask:
        return await self._t.asend(build_submit(model, prompt, config))

    async def get(self, task_id: str) -> MediaTask:
        return await self._t.asend(build_get(task_id))

    async def wait(
        self,
        task_id: str,
        *,
        poll_interval: float = DEFAULT_POLL_INTERVAL,
        timeout: float = DEFAULT_TIMEOUT,
        on_progress: Callable[[MediaTask], Any | Awaitable[Any]] | None = None,
    ) -> MediaTask:
        return await self._wait(task_id, poll_interval, timeout, on_progress, None)

    async def _wait(
        self,
        task_id: str,
        poll_interval: float,
        timeout: float,
        on_progress: Callable[[MediaTask], Any | Awaitable[Any]] | None,
        reported: MediaTask | None,
    ) -> MediaTask:
        waiter = TaskWaiter(task_id, self._t, poll_interval, timeout, reported=reported)
        while True:
            try:
                task = await self._t.asend(waiter.poll_call())
            except YEScaleError as error:
                waiter.observe_error(error)
            else:
                done, changed = waiter.observe(task)
                if changed and on_progress is not None:
                    await _call(on_progress, task)
                if done:
                    return task
            await self._t.async_sleep(waiter.next_delay())

    async def run(
        self,
        *,
        model: str,
        prompt: str,
        config: Mapping[str, Any] | None = None,
        poll_interval: float = DEFAULT_POLL_INTERVAL,
        timeout: float = DEFAULT_TIMEOUT,
        on_progress: Callable[[MediaTask], Any | Awaitable[Any]] | None = None,
    ) -> MediaTask:
        task = await self.submit(model=model, prompt=prompt, config=config)
        if on_progress is not None:
            await _call(on_progress, task)
        return await self._wait(task.task_id, poll_interval, timeout, on_progress, task)

    async def download(
        self,
        result: MediaTask | TaskResult | str,
        path: str | Path,
        *,
        timeout: float | None = None,
    ) -> Path:
        url, target = resolve_download(result, path)
        return await self._t.adownload(url, target, timeout)


async def _call(callback: Callable[[MediaTask], Any], task: MediaTask) -> None:
    outcome = callback(task)
    if inspect.isawaitable(outcome):
        await outcome
