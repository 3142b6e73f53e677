"""``client.media.fan_out`` / ``resume``: many media tasks, one poller, a manifest, nothing lost.

The decisions are :mod:`yescale.media_plan`'s, the file format :mod:`yescale.media_manifest`'s,
and :mod:`._fanout_run` performs them: one async core (:func:`run_fan_out`), rounds that submit,
poll every running task once and download, under one bound of ``max_concurrency`` requests in
flight, then one shared pause. The sync methods here run that core in an event loop of their own
(in a worker thread when the calling thread already runs one), pausing between rounds with the
client's ``sleep``. See docs/media-fanout.md.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from ..errors import InvalidRequestError
from ..media_fanout_types import FanOutProgress, FanOutSummary
from ._fanout_run import (
    DEFAULT_CONCURRENCY,
    DEFAULT_FANOUT_TIMEOUT,
    ProgressHook,
    Requests,
    run_fan_out,
)

if TYPE_CHECKING:
    from .._http import Transport

__all__ = ["AsyncFanOutMethods", "FanOutMethods", "FanOutProgress", "run_blocking", "run_fan_out"]

T = TypeVar("T")


def _async_capable(transport: Transport) -> None:
    """The sync methods send with the async HTTP client: a client built with its own sync
    ``http_client`` only would have them bypass it (and its transport, proxies, mocks)."""
    own_sync = getattr(transport, "_injected_sync", None)
    if own_sync is not None and getattr(transport, "_injected_async", None) is None:
        raise InvalidRequestError(
            "client.media.fan_out and resume send their requests with the async HTTP client, "
            "and this client was given an http_client but no async_http_client: pass "
            "async_http_client=httpx.AsyncClient(...) too."
        )


def run_blocking(make: Callable[[], Coroutine[Any, Any, T]]) -> T:
    """Run a coroutine to the end from sync code: in a new event loop, or, when this thread
    already runs one (a notebook), in a worker thread's own loop."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(make())
    with ThreadPoolExecutor(1, thread_name_prefix="yescale-fanout") as pool:
        return pool.submit(lambda: asyncio.run(make())).result()


class FanOutMethods:
    """``fan_out`` and ``resume`` of :class:`~yescale.resources.media.Media`."""

    _t: Transport

    def fan_out(
        self,
        requests: Requests,
        *,
        manifest: str | Path,
        output_dir: str | Path,
        max_concurrency: int = DEFAULT_CONCURRENCY,
        poll_interval: float = 5.0,
        max_poll_interval: float = 30.0,
        timeout: float = DEFAULT_FANOUT_TIMEOUT,
        recover: bool = True,
        resubmit_unknown: bool = False,
        download_timeout: float | None = None,
        on_progress: ProgressHook | None = None,
    ) -> FanOutSummary:
        """Submit every request (at most ``max_concurrency`` requests in flight), wait for all
        with one poller, and download each result to ``output_dir/<key><ext>``, recording each
        step in the JSONL ``manifest`` as it happens. Run it again with the same manifest (or
        :meth:`resume`) after a crash: nothing with a task id is submitted again. See
        docs/media-fanout.md for the manifest and what ``recover``/``resubmit_unknown`` do."""
        options = locals()
        del options["self"], options["requests"], options["manifest"], options["output_dir"]
        _async_capable(self._t)
        return run_blocking(
            lambda: run_fan_out(self._t, requests, manifest, output_dir, self._sleep, **options)
        )

    def resume(
        self,
        manifest: str | Path,
        *,
        output_dir: str | Path,
        max_concurrency: int = DEFAULT_CONCURRENCY,
        poll_interval: float = 5.0,
        max_poll_interval: float = 30.0,
        timeout: float = DEFAULT_FANOUT_TIMEOUT,
        recover: bool = True,
        resubmit_unknown: bool = False,
        download_timeout: float | None = None,
        on_progress: ProgressHook | None = None,
    ) -> FanOutSummary:
        """Go on with the fan-out the ``manifest`` records: submit what was never submitted,
        wait for what runs, download what is missing from ``output_dir``."""
        options = locals()
        del options["self"], options["manifest"], options["output_dir"]
        _async_capable(self._t)
        return run_blocking(
            lambda: run_fan_out(self._t, None, manifest, output_dir, self._sleep, **options)
        )

    async def _sleep(self, seconds: float) -> None:
        self._t.sleep(seconds)  # between rounds nothing else runs in this loop


class AsyncFanOutMethods:
    """``fan_out`` and ``resume`` of :class:`~yescale.resources.media.AsyncMedia`."""

    _t: Transport

    async def fan_out(
        self,
        requests: Requests,
        *,
        manifest: str | Path,
        output_dir: str | Path,
        max_concurrency: int = DEFAULT_CONCURRENCY,
        poll_interval: float = 5.0,
        max_poll_interval: float = 30.0,
        timeout: float = DEFAULT_FANOUT_TIMEOUT,
        recover: bool = True,
        resubmit_unknown: bool = False,
        download_timeout: float | None = None,
        on_progress: ProgressHook | None = None,
    ) -> FanOutSummary:
        """Async :meth:`FanOutMethods.fan_out`."""
        options = locals()
        del options["self"], options["requests"], options["manifest"], options["output_dir"]
        return await run_fan_out(
            self._t, requests, manifest, output_dir, self._t.async_sleep, **options
        )

    async def resume(
        self,
        manifest: str | Path,
        *,
        output_dir: str | Path,
        max_concurrency: int = DEFAULT_CONCURRENCY,
        poll_interval: float = 5.0,
        max_poll_interval: float = 30.0,
        timeout: float = DEFAULT_FANOUT_TIMEOUT,
        recover: bool = True,
        resubmit_unknown: bool = False,
        download_timeout: float | None = None,
        on_progress: ProgressHook | None = None,
    ) -> FanOutSummary:
        """Async :meth:`FanOutMethods.resume`."""
        options = locals()
        del options["self"], options["manifest"], options["output_dir"]
        return await run_fan_out(
            self._t, None, manifest, output_dir, self._t.async_sleep, **options
        )
