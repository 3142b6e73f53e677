"""A bound on requests in flight shared by every call that holds it, on threads and event loops.

:mod:`yescale.embedding_batches` runs its batches under one (the framework classes keep one per
object, so concurrent calls on an object share it).
"""

from __future__ import annotations

import asyncio
import threading
import weakref
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from .errors import InvalidRequestError

__all__ = ["ConcurrencyLimit"]


class ConcurrencyLimit:
    """At most ``limit`` embedding requests in flight across every call that shares this object.

    Thread-safe on the sync path; on the async path each event loop gets its own semaphore (an
    asyncio semaphore belongs to one loop). Copies and pickles start with fresh counters.
    """

    def __init__(self, limit: int) -> None:
        if isinstance(limit, bool) or not isinstance(limit, int) or limit < 1:
            raise InvalidRequestError(f"max_concurrency must be a positive integer, got {limit!r}.")
        self.limit = limit
        self._threads = threading.BoundedSemaphore(limit)
        self._loops: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Semaphore] = (
            weakref.WeakKeyDictionary()
        )
        self._lock = threading.Lock()

    @contextmanager
    def slot(self) -> Iterator[None]:
        """Hold one of the ``limit`` slots (blocking the thread until one is free)."""
        with self._threads:
            yield

    def async_gate(self) -> asyncio.Semaphore:
        """The running event loop's semaphore of ``limit`` slots."""
        loop = asyncio.get_running_loop()
        with self._lock:
            gate = self._loops.get(loop)
            if gate is None:
                gate = self._loops[loop] = asyncio.Semaphore(self.limit)
            return gate

    def __deepcopy__(self, memo: dict[int, Any]) -> ConcurrencyLimit:
        return ConcurrencyLimit(self.limit)

    def __reduce__(self) -> tuple[Any, ...]:
        return (ConcurrencyLimit, (self.limit,))

    def __repr__(self) -> str:
        return f"ConcurrencyLimit({self.limit})"
