"""The core of ``client.media.fan_out`` / ``resume``: one run over a plan and a manifest.

One loop: each step submits a batch of what needs submitting and, when a poll round is due
(:class:`~yescale.media_rounds.Rounds`), polls every running task once and downloads what
succeeded, all under one bound of ``max_concurrency`` requests in flight; then one shared pause.
Every event is appended to the manifest, then applied to the plan
(:meth:`~yescale.media_plan.FanOutPlan.apply`). Checks come first, before any request.
"""

from __future__ import annotations

import asyncio
import dataclasses
import json
import logging
import os
import time
from collections.abc import Awaitable, Callable, Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .._scrub import scrub
from ..errors import InvalidRequestError, YEScaleError, extend_message
from ..media_fanout_types import FanOutProgress
from ..media_manifest import Manifest
from ..media_plan import (
    FanOutPlan,
    FanOutSummary,
    KeyState,
    MediaRequest,
    Rounds,
    file_name,
    make_requests,
    match_tasks,
)

if TYPE_CHECKING:
    from .._http import Transport

__all__ = [
    "DEFAULT_CONCURRENCY",
    "DEFAULT_FANOUT_TIMEOUT",
    "ProgressHook",
    "Requests",
    "run_fan_out",
]

logger = logging.getLogger("yescale")
Requests = Iterable[MediaRequest | Mapping[str, Any]]
DEFAULT_CONCURRENCY = 8
DEFAULT_FANOUT_TIMEOUT = 3600.0
#: how far before the first unanswered submit the task list is searched (clocks differ)
RECOVERY_SLACK = 600


ProgressHook = Callable[[FanOutProgress], Any]


@dataclasses.dataclass(frozen=True)
class _Options:
    max_concurrency: int
    poll_interval: float
    max_poll_interval: float
    timeout: float
    recover: bool
    resubmit_unknown: bool
    download_timeout: float | None
    on_progress: ProgressHook | None


def _options(**given: Any) -> _Options:
    options = _Options(**given)
    limit = options.max_concurrency
    if isinstance(limit, bool) or not isinstance(limit, int) or not 1 <= limit <= 256:
        raise InvalidRequestError(
            f"max_concurrency must be an integer from 1 to 256, got {limit!r:.40}."
        )
    for name in ("poll_interval", "max_poll_interval", "timeout"):
        value = getattr(options, name)
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not value > 0:
            raise InvalidRequestError(
                f"{name} must be a positive number of seconds, got {value!r:.40}."
            )
    return options


def _output_dir(output_dir: str | Path) -> Path:
    folder = Path(output_dir)
    if folder.exists() and not folder.is_dir():
        raise InvalidRequestError(f"output_dir {folder} is a file: name a folder for the results.")
    if not folder.exists():
        if not folder.parent.is_dir():
            raise InvalidRequestError(
                f"Cannot create output_dir {folder}: its folder {folder.parent} does not exist."
            )
        folder.mkdir()
    if not os.access(folder, os.W_OK | os.X_OK):
        raise InvalidRequestError(f"Cannot write to output_dir {folder}: no permission.")
    return folder


def _check_requests(transport: Transport, requests: list[MediaRequest]) -> None:
    """Each request valid as a submit, and none holding a key (the manifest would keep it)."""
    from .media import build_submit  # media.py imports this module

    secrets = [s for s in transport.secrets if len(s) >= 8]
    for request in requests:
        try:
            build_submit(request.model, request.prompt, request.config)
        except InvalidRequestError as error:
            extend_message(error, f" (request {request.key!r}; nothing was submitted)")
            raise
        text = json.dumps(request.payload(), default=str)
        if any(secret in text for secret in secrets):
            raise InvalidRequestError(
                f"Request {request.key!r} holds the client's API or access key: it would be "
                "written to the manifest. Remove the key from the prompt and config."
            )


class _Run:
    """One run of the core: the plan, the manifest, the client's transport."""

    def __init__(
        self,
        transport: Transport,
        plan: FanOutPlan,
        manifest: Manifest,
        output_dir: Path,
        options: _Options,
        sleep: Callable[[float], Awaitable[None]],
    ) -> None:
        self.t, self.plan, self.manifest, self.out = transport, plan, manifest, output_dir
        self.options, self.sleep = options, sleep
        self.now = time.time
        self.gate = asyncio.Semaphore(options.max_concurrency)
        start = transport.clock()
        self.rounds = Rounds(
            options.poll_interval,
            options.max_poll_interval,
            start,
            start + options.timeout,
            batch=4 * options.max_concurrency,
            poll_now=bool(plan.to_poll() or plan.to_download()),  # a resume: they ran meanwhile
        )

    def write(self, event: Mapping[str, Any] | None) -> None:
        if event is None:
            return
        self.manifest.append(event)
        self.plan.apply(event)
        hook = self.options.on_progress
        if hook is not None:
            ks = self.plan.keys.get(event["key"])
            counts = {state: n for state, n in self.plan.counts.items() if n}
            total = len(self.plan.keys)
            hook(
                FanOutProgress(
                    event["key"], event["event"], ks.task_id if ks else None, counts, total
                )
            )

    def text(self, error: YEScaleError) -> str:
        return " ".join(scrub(error.message, self.t.secrets).split())[:500]

    async def submit(self, ks: KeyState) -> None:
        from .media import build_submit

        key, request = ks.request.key, ks.request
        async with self.gate:
            if self.plan.fatal:
                return
            self.write(self.plan.intent(key, self.now()))
            try:
                task = await self.t.asend(
                    build_submit(request.model, request.prompt, request.config)
                )
            except YEScaleError as error:
                self.rounds.refused(self.t.clock(), error)
                retryable = self.t.retry.is_retryable(error)
                failed = self.plan.submit_failed(
                    key, error, retryable, self.text(error), self.now()
                )
                self.write(failed)
                return
            self.write(self.plan.submit_done(key, task.task_id, self.now()))

    async def poll(self, ks: KeyState) -> None:
        from .media import MIN_POLL_TIME, build_get

        key = ks.request.key
        async with self.gate:
            if self.plan.fatal or ks.task_id is None:
                return
            left = max(self.rounds.deadline - self.t.clock(), MIN_POLL_TIME)
            call = dataclasses.replace(build_get(ks.task_id), time_left=left)
            try:
                task = await self.t.asend(call)  # sent once: the next round polls it again
            except YEScaleError as error:
                self.rounds.note(error)
                retryable = self.t.retry.is_retryable(error)
                self.write(
                    self.plan.poll_failed(key, error, retryable, self.text(error), self.now())
                )
                return
            reason = task.fail_reason or task.message
            self.write(self.plan.polled(key, task.status, task.state, task.url, reason, self.now()))
        if ks.state == "succeeded":
            await self.download(ks)

    async def download(self, ks: KeyState) -> None:
        from .media import resolve_download

        key = ks.request.key
        async with self.gate:
            if self.plan.fatal or ks.url is None:
                return
            try:
                url, target = resolve_download(ks.url, self.out / file_name(key, ks.url))
                path = await self.t.adownload(url, target, self.options.download_timeout)
            except YEScaleError as error:
                self.rounds.note(error)
                retryable = self.t.retry.is_retryable(error)
                event = self.plan.download_failed(
                    key, error, retryable, self.text(error), self.now()
                )
                self.write(event)
                return
            self.write(self.plan.downloaded(key, path, path.stat().st_size, self.now()))

    def can_recover(self) -> bool:
        return self.options.recover and self.t.settings.access_key is not None

    async def recover(self) -> None:
        """Look for the unknown keys' tasks in the System API task list (needs the access key)."""
        from .system import SystemCalls

        unknown = self.plan.unknown()
        if not unknown or not self.can_recover():
            return
        times = [k.intent_time for k in unknown if k.intent_time is not None]
        start = int(min(times, default=self.now() - 86400)) - RECOVERY_SLACK
        call = SystemCalls().tasks(max(start, 0), int(self.now()) + 60)
        try:
            async with self.gate:
                listed = await self.t.asend(call)
        except YEScaleError as error:
            logger.warning("Could not read the task list to recover unanswered submits: %s", error)
            for ks in unknown:
                ks.error = f"could not check the task list: {self.text(error)}"
            return
        claimed = {t for ks in self.plan.keys.values() for t in ks.task_ids}
        tasks = [task.model_dump(mode="json") for task in listed]
        found = match_tasks([k.request for k in unknown], tasks, claimed)
        for key, task_id in found.items():
            self.write(self.plan.submit_done(key, task_id, self.now(), recovered=True))

    async def go(self) -> FanOutSummary:
        await self.recover()
        looked_again = not self.can_recover()
        if self.options.resubmit_unknown:
            for ks in self.plan.unknown():
                self.write(self.plan.resubmit(ks.request.key, self.now()))
        while True:
            now = self.t.clock()
            jobs = []
            if self.rounds.submits_due(now):
                jobs += [self.submit(k) for k in self.plan.to_submit()[: self.rounds.batch]]
            polling = self.rounds.polls_due(now)
            if polling:
                jobs += [self.poll(k) for k in self.plan.to_poll()]
                jobs += [self.download(k) for k in self.plan.to_download()]
            if jobs:
                results = await asyncio.gather(*jobs, return_exceptions=True)
                for result in results:
                    if isinstance(result, BaseException):
                        raise result
            if polling:
                self.rounds.polled(self.t.clock())
            if self.plan.fatal is not None:
                raise self._stopped(self.plan.fatal)
            if not self.plan.busy():
                if looked_again or not self.plan.unknown():
                    break
                looked_again = True  # the task list may lag the submits: look once more
                await self.recover()
                continue
            waiting = bool(self.plan.to_poll() or self.plan.to_download())
            pause = self.rounds.pause(self.t.clock(), bool(self.plan.to_submit()), waiting)
            if pause is None:
                break  # the deadline: what still runs is reported as running
            if pause > 0:
                await self.sleep(pause)
        return self.summary()

    def summary(self) -> FanOutSummary:
        return self.plan.summary(self.manifest.path, self.out)

    def _stopped(self, error: YEScaleError) -> YEScaleError:
        summary = self.summary()
        ids = [o.task_id for o in summary.outcomes if o.task_id]
        extend_message(
            error,
            f" (media fan-out stopped: {len(ids)} task ids are safe in the manifest "
            f"{self.manifest.path}; once fixed, resume with "
            f"client.media.resume({str(self.manifest.path)!r}, output_dir=...))",
        )
        error.summary = summary  # type: ignore[attr-defined]
        error.task_ids = ids  # type: ignore[attr-defined]
        return error


async def run_fan_out(
    transport: Transport,
    requests: Requests | None,
    manifest: str | Path,
    output_dir: str | Path,
    sleep: Callable[[float], Awaitable[None]],
    **given: Any,
) -> FanOutSummary:
    """The core of ``fan_out`` (``requests`` given) and ``resume`` (``requests`` None)."""
    run = _prepare(transport, requests, manifest, output_dir, sleep, _options(**given))
    try:
        return await run.go()
    finally:
        run.manifest.close()


def _prepare(
    transport: Transport,
    requests: Requests | None,
    manifest: str | Path,
    output_dir: str | Path,
    sleep: Callable[[float], Awaitable[None]],
    options: _Options,
) -> _Run:
    """Everything checked, the manifest opened and read, before any request."""
    wanted = make_requests(requests) if requests is not None else []
    _check_requests(transport, wanted)
    folder = _output_dir(output_dir)
    if requests is None and not Path(manifest).is_file():
        raise InvalidRequestError(f"There is no manifest at {manifest}: check the path.")
    file = Manifest(manifest, transport.secrets)
    try:
        plan = FanOutPlan(wanted)
        for event in file.events:
            plan.apply(event)
        if requests is None and not plan.keys:
            raise InvalidRequestError(
                f"The manifest {manifest} holds no requests: nothing to resume."
            )
        run = _Run(transport, plan, file, folder, options, sleep)
        for event in plan.request_events(time.time()):
            run.write(event)
        plan.missing_files(
            key
            for key, state in plan.keys.items()
            if state.state == "downloaded" and not (folder / (state.file or "-")).is_file()
        )
    except BaseException:
        file.close()
        raise
    return run
