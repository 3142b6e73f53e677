"""YEScale Media tasks for tools: the unified payload, input images, polling, results.

:class:`MediaTaskRunner` is the one implementation behind ``YEScaleMediaTaskTool`` (LangChain)
and ``YEScaleToolSpec.generate_media`` / ``get_media_task`` (LlamaIndex):

* the payload is ``{"model", "prompt", "config"}`` exactly as given; the standard config keys
  (``size``, ``aspect_ratio``, ``images``, ``duration``) may be given as arguments and are merged
  into ``config`` (a clash with a different value in ``config`` is refused);
* ``config["images"]``: URLs are sent unchanged, local paths (only under ``allowed_input_dirs``)
  and bytes as ``data:<mime>;base64,...`` URIs, base64 as given;
* ``wait=True`` submits and polls (backoff, ``task_timeout``) reporting :class:`MediaProgress`
  to ``on_progress``; ``wait=False`` returns the task id at once; :meth:`get` resumes a task;
* on success the result URL and its expiry (``url_expires_at``, GMT+7 per the reference) are
  returned, and the file is downloaded into ``output_dir`` when one is set. Result links expire:
  download what you want to keep.
"""

from __future__ import annotations

import asyncio
import inspect
import os
import re
from collections.abc import Awaitable, Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal
from urllib.parse import urlsplit

from .._json_values import json_problem
from ..costs import Cost
from ..costs.meter import media_cost
from ..errors import InvalidRequestError, TaskTimeoutError, YEScaleError, extend_message
from ..models.kinds import check_media_model
from ..resources.media import DEFAULT_POLL_INTERVAL, DEFAULT_TIMEOUT
from ..types.media import MediaTask
from .inputs import InputPolicy, as_list, media_image_ref
from .outputs import removed_on_failure, reserve, slug

if TYPE_CHECKING:
    from .._client import YEScaleClient

#: Models the YEScale Media reference has submit pages for (the ``model`` string is sent as
#: given, so others work too).
MEDIA_MODELS: tuple[str, ...] = (
    "sora-2",
    "sora-2-pro",
    "veo3.1",
    "veo3.1-pro",
    "kling-2.5-turbo",
    "hailuo-2.3",
    "seedream-4.0",
    "wan2.5-i2v-preview",
    "nano-banana",
    "gpt-image",
    "imagen4",
    "flux-kontext",
)
STANDARD_CONFIG_KEYS = ("size", "aspect_ratio", "images", "duration")

MediaState = Literal["submitted", "running", "succeeded"]


@dataclass(frozen=True)
class MediaProgress:
    """A media task's status as it moves: sent to ``on_progress`` on submit and on each change."""

    task_id: str
    status: str
    progress: str | None
    percent: float | None
    state: str
    model: str | None = None

    @classmethod
    def of(cls, task: MediaTask, model: str | None) -> MediaProgress:
        return cls(
            task_id=task.task_id,
            status=task.status,
            progress=task.progress,
            percent=task.progress_percent,
            state=task.state,
            model=model,
        )

    def as_dict(self) -> dict[str, Any]:
        return {
            "task_id": self.task_id,
            "status": self.status,
            "progress": self.progress,
            "percent": self.percent,
            "state": self.state,
            "model": self.model,
        }


ProgressHandler = Callable[[MediaProgress], Any]
AsyncProgressHandler = Callable[[MediaProgress], Any | Awaitable[Any]]


@dataclass
class MediaOutcome:
    """Where a media task stands: submitted, still running, or done with a result URL."""

    task_id: str
    state: MediaState
    status: str
    model: str | None = None
    progress: str | None = None
    url: str | None = None
    url_expires_at: str | None = None
    expires_at: datetime | None = None
    note: str | None = None
    path: Path | None = None
    task: MediaTask | None = field(default=None, repr=False)
    #: the estimated cost of the task (charged once, at submit; unknown without the model)
    cost: Cost | None = None

    @classmethod
    def of(
        cls, task: MediaTask, model: str | None, state: MediaState | None = None
    ) -> MediaOutcome:
        result = task.result
        return cls(
            task_id=task.task_id,
            state=state or ("succeeded" if task.state == "succeeded" else "running"),
            status=task.status,
            model=model,
            progress=task.progress,
            url=result.url if result else None,
            url_expires_at=result.url_expires_at if result else None,
            expires_at=result.expires_at if result else None,
            note=result.note if result else None,
            task=task,
            cost=task.cost or (media_cost(model) if model else None),
        )

    def summary(self) -> str:
        """Short text for a model: task id, status, URL and expiry, local file."""
        what = f"Media task {self.task_id}" + (f" ({self.model})" if self.model else "")
        if self.state == "submitted":
            return (
                f"{what} was submitted (status {self.status}) and runs in the background; it "
                f"was not waited for. Check on it later with task_id {self.task_id!r}."
            )
        if self.state == "running":
            progress = f", progress {self.progress}" if self.progress else ""
            return (
                f"{what} is still running (status {self.status}{progress}). Check again later "
                f"with task_id {self.task_id!r}."
            )
        lines = [f"{what} succeeded."]
        if self.url:
            lines.append(f"Result URL: {self.url}")
        if self.url_expires_at:
            lines.append(
                f"The link expires at {self.url_expires_at} (GMT+7): download the file to keep it."
            )
        else:
            lines.append("The link may expire: download the file to keep it.")
        if self.path is not None:
            lines.append(f"Downloaded to {self.path}")
        return "\n".join(lines)

    def artifact(self) -> dict[str, Any]:
        """The full outcome for the application (the service's task object included)."""
        return {
            "task_id": self.task_id,
            "state": self.state,
            "status": self.status,
            "model": self.model,
            "progress": self.progress,
            "url": self.url,
            "url_expires_at": self.url_expires_at,
            "expires_at": self.expires_at.isoformat() if self.expires_at else None,
            "note": self.note,
            "path": str(self.path) if self.path else None,
            "task": self.task.model_dump(mode="json", exclude_none=True) if self.task else None,
            "cost": self.cost.as_dict() if self.cost else None,
        }

    def __str__(self) -> str:
        return self.summary()


def build_config(
    config: Mapping[str, Any] | None = None,
    *,
    policy: InputPolicy | None = None,
    size: str | None = None,
    aspect_ratio: str | None = None,
    duration: int | float | str | None = None,
    images: Any = None,
) -> dict[str, Any]:
    """``config`` with the standard keys merged in and input images made sendable.

    Everything else in ``config`` is sent exactly as given.
    """
    if config is not None and not isinstance(config, Mapping):
        raise InvalidRequestError(
            f"`config` must be a dict of model parameters, got {type(config).__name__}."
        )
    merged: dict[str, Any] = dict(config or {})
    standard = {"size": size, "aspect_ratio": aspect_ratio, "duration": duration, "images": images}
    _check_duration(duration if duration is not None else merged.get("duration"))
    _check_aspect_ratio(aspect_ratio if aspect_ratio is not None else merged.get("aspect_ratio"))
    for key, value in standard.items():
        if value is None:
            continue
        if key in merged and merged[key] != value:
            raise InvalidRequestError(
                f"`{key}` is given both as an argument ({value!r:.60}) and in config "
                f"({merged[key]!r:.60}): give it once."
            )
        merged[key] = value
    if "images" in merged:
        raw = merged["images"]
        if isinstance(raw, str | bytes) or not isinstance(raw, Sequence):
            raw = as_list(raw)
        checked = policy or InputPolicy()
        merged["images"] = [media_image_ref(value, checked) for value in raw]
    problem = json_problem(merged, "config")
    if problem:
        raise InvalidRequestError(f"Cannot send the media task: {problem}.")
    return merged


_SECONDS = re.compile(r"^\s*\d+(\.\d+)?\s*s?\s*$", re.IGNORECASE)
_RATIO = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*:\s*(\d+(?:\.\d+)?)\s*$")


def _check_duration(duration: Any) -> None:
    """A video length: a positive number of seconds (``8``, ``"8"`` or ``"8s"``)."""
    if duration is None:
        return
    if isinstance(duration, str) and _SECONDS.match(duration):
        seconds = float(duration.strip().rstrip("sS"))
    elif isinstance(duration, (int, float)) and not isinstance(duration, bool):
        seconds = float(duration)
    else:
        raise InvalidRequestError(
            f"duration must be a number of seconds such as 8, got {duration!r:.40}."
        )
    if not seconds > 0 or seconds == float("inf"):
        raise InvalidRequestError(
            f"duration must be a positive number of seconds (e.g. 8), got {duration!r}."
        )


def _check_aspect_ratio(ratio: Any) -> None:
    """``"W:H"`` with positive numbers, e.g. ``"16:9"`` or ``"2.39:1"``."""
    if ratio is None:
        return
    match = _RATIO.match(ratio) if isinstance(ratio, str) else None
    if match is None or not (float(match.group(1)) > 0 and float(match.group(2)) > 0):
        raise InvalidRequestError(
            f"aspect_ratio must be width:height such as '16:9', '9:16' or '1:1', got {ratio!r:.40}."
        )


class MediaTaskRunner:
    """Submit, wait for, resume and download YEScale Media tasks for a tool.

    Args:
        client: the :class:`~yescale.YEScaleClient` to call (its ``sleep`` / ``clock`` drive
            polling, so tests can replay without waiting).
        output_dir: folder results are downloaded into (created if missing); ``None`` returns
            URLs only.
        allowed_input_dirs: folders input-image paths may come from (none by default).
        poll_interval: first wait between polls, in seconds (grows by 1.5x up to 30 s).
        task_timeout: seconds to wait before :class:`~yescale.TaskTimeoutError` (which keeps the
            task id: resume with :meth:`get`).
        wait: wait for the result (default) or return as soon as the task is submitted.
        resume_hint: how a caller resumes a task, added to :class:`~yescale.TaskTimeoutError`
            messages and to errors saving a succeeded task's result (``{task_id}`` is filled
            in), e.g. "call get_media_task with task_id {task_id!r}".
    """

    def __init__(
        self,
        client: YEScaleClient,
        *,
        output_dir: str | os.PathLike[str] | None = None,
        allowed_input_dirs: Sequence[str | os.PathLike[str]] = (),
        poll_interval: float = DEFAULT_POLL_INTERVAL,
        task_timeout: float = DEFAULT_TIMEOUT,
        wait: bool = True,
        resume_hint: str | None = None,
    ) -> None:
        if poll_interval <= 0 or task_timeout <= 0:
            raise InvalidRequestError(
                "poll_interval and task_timeout must be positive numbers of seconds."
            )
        self.client = client
        self.output_dir = Path(output_dir) if output_dir is not None else None
        self.policy = InputPolicy(allowed_input_dirs)
        self.poll_interval = poll_interval
        self.task_timeout = task_timeout
        self.wait = wait
        self.resume_hint = resume_hint

    def config(self, config: Mapping[str, Any] | None = None, **standard: Any) -> dict[str, Any]:
        """:func:`build_config` with this runner's input policy."""
        return build_config(config, policy=self.policy, **standard)

    @contextmanager
    def _resumable(self) -> Iterator[None]:
        """A timeout's message also tells this tool's caller how to resume (``resume_hint``)."""
        try:
            yield
        except TaskTimeoutError as error:
            if self.resume_hint:
                hint = self.resume_hint.format(task_id=error.task_id)
                extend_message(error, f" To resume here: {hint}.")
            raise

    @contextmanager
    def _saving(self, outcome: MediaOutcome) -> Iterator[None]:
        """An error saving a succeeded (paid) task's result keeps the task id and URL."""
        try:
            yield
        except YEScaleError as error:
            expiry = f" (expires {outcome.url_expires_at} GMT+7)" if outcome.url_expires_at else ""
            retry = (
                self.resume_hint.format(task_id=outcome.task_id)
                if self.resume_hint
                else f"get({outcome.task_id!r})"
            )
            extend_message(
                error,
                f" Media task {outcome.task_id} succeeded but its result could not be saved to "
                f"output_dir; it is at {outcome.url}{expiry}. To retry the download: {retry}.",
            )
            raise

    # -- sync ----------------------------------------------------------------------------------

    def generate(
        self,
        model: str,
        prompt: str,
        config: Mapping[str, Any] | None = None,
        *,
        wait: bool | None = None,
        on_progress: ProgressHandler | None = None,
        **standard: Any,
    ) -> MediaOutcome:
        """Submit ``{model, prompt, config}``; wait for the result unless ``wait`` is false."""
        check_media_model(model)  # before any input image is read
        payload = self.config(config, **standard)
        report = _reporter(on_progress, model)
        if not (self.wait if wait is None else wait):
            task = self.client.media.submit(model=model, prompt=prompt, config=payload)
            if report is not None:
                report(task)
            return MediaOutcome.of(task, model, state="submitted")
        with self._resumable():
            task = self.client.media.run(
                model=model,
                prompt=prompt,
                config=payload,
                poll_interval=self.poll_interval,
                timeout=self.task_timeout,
                on_progress=report,
            )
        return self._finish(MediaOutcome.of(task, model, state="succeeded"))

    def get(
        self,
        task_id: str,
        *,
        wait: bool | None = None,
        on_progress: ProgressHandler | None = None,
        model: str | None = None,
    ) -> MediaOutcome:
        """Resume a task: wait for it (default: as configured) or look once."""
        if self.wait if wait is None else wait:
            with self._resumable():
                task = self.client.media.wait(
                    task_id,
                    poll_interval=self.poll_interval,
                    timeout=self.task_timeout,
                    on_progress=_reporter(on_progress, model),
                )
        else:
            task = self.client.media.get(task_id)
            if task.state == "failed":
                _raise_failed(task, self.client)
        return self._finish(MediaOutcome.of(task, model))

    def _finish(self, outcome: MediaOutcome) -> MediaOutcome:
        """Download a succeeded task's result into ``output_dir`` (when one is set)."""
        if self.output_dir is None or outcome.state != "succeeded" or not outcome.url:
            return outcome
        with self._saving(outcome):
            target = reserve(self.output_dir, _stem(outcome), _ext(outcome.url))
            with removed_on_failure(target):
                outcome.path = self.client.media.download(outcome.url, target)
        return outcome

    # -- async ---------------------------------------------------------------------------------

    async def agenerate(
        self,
        model: str,
        prompt: str,
        config: Mapping[str, Any] | None = None,
        *,
        wait: bool | None = None,
        on_progress: AsyncProgressHandler | None = None,
        **standard: Any,
    ) -> MediaOutcome:
        """Async twin of :meth:`generate`; ``on_progress`` may be a coroutine function."""
        check_media_model(model)
        payload = await asyncio.to_thread(self.config, config, **standard)
        report = _async_reporter(on_progress, model)
        if not (self.wait if wait is None else wait):
            task = await self.client.aio.media.submit(model=model, prompt=prompt, config=payload)
            if report is not None:
                await report(task)
            return MediaOutcome.of(task, model, state="submitted")
        with self._resumable():
            task = await self.client.aio.media.run(
                model=model,
                prompt=prompt,
                config=payload,
                poll_interval=self.poll_interval,
                timeout=self.task_timeout,
                on_progress=report,
            )
        return await self._afinish(MediaOutcome.of(task, model, state="succeeded"))

    async def aget(
        self,
        task_id: str,
        *,
        wait: bool | None = None,
        on_progress: AsyncProgressHandler | None = None,
        model: str | None = None,
    ) -> MediaOutcome:
        """Async twin of :meth:`get`."""
        if self.wait if wait is None else wait:
            with self._resumable():
                task = await self.client.aio.media.wait(
                    task_id,
                    poll_interval=self.poll_interval,
                    timeout=self.task_timeout,
                    on_progress=_async_reporter(on_progress, model),
                )
        else:
            task = await self.client.aio.media.get(task_id)
            if task.state == "failed":
                _raise_failed(task, self.client)
        return await self._afinish(MediaOutcome.of(task, model))

    async def _afinish(self, outcome: MediaOutcome) -> MediaOutcome:
        """Async twin of :meth:`_finish`."""
        if self.output_dir is None or outcome.state != "succeeded" or not outcome.url:
            return outcome
        with self._saving(outcome):
            target = await asyncio.to_thread(
                reserve, self.output_dir, _stem(outcome), _ext(outcome.url)
            )
            with removed_on_failure(target):
                outcome.path = await self.client.aio.media.download(outcome.url, target)
        return outcome


def _reporter(
    on_progress: ProgressHandler | None, model: str | None
) -> Callable[[MediaTask], None] | None:
    """``on_progress`` as the client's callback: the task, as :class:`MediaProgress`."""
    if on_progress is None:
        return None
    handler = on_progress

    def report(task: MediaTask) -> None:
        handler(MediaProgress.of(task, model))

    return report


def _async_reporter(
    on_progress: AsyncProgressHandler | None, model: str | None
) -> Callable[[MediaTask], Awaitable[None]] | None:
    """Async twin of :func:`_reporter` (``on_progress`` may be sync or a coroutine function)."""
    if on_progress is None:
        return None
    handler = on_progress

    async def report(task: MediaTask) -> None:
        value = handler(MediaProgress.of(task, model))
        if inspect.isawaitable(value):
            await value

    return report


def _raise_failed(task: MediaTask, client: YEScaleClient) -> None:
    """Raise the same ``TaskFailedError`` polling would."""
    from ..resources.media import TaskWaiter

    TaskWaiter(task.task_id, client._transport, 1.0, 1.0).observe(task)


def _stem(outcome: MediaOutcome) -> str:
    return slug(outcome.task_id, 80) or "media-result"


def _ext(url: str) -> str:
    suffix = Path(urlsplit(url).path).suffix.lstrip(".").lower()
    return suffix if suffix.isalnum() and 0 < len(suffix) <= 5 else "bin"
