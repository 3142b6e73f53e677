"""The two drivers of :mod:`.core`'s operations: one performs their actions with blocking calls,
the other with ``await``. No decisions here: open, read, close, sleep, write, hand over."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncGenerator, AsyncIterator, Awaitable, Callable, Iterator
from typing import Any, TypeVar

import httpx

from .core import Close, Emit, Open, Operation, Read, Sleep, Write

T = TypeVar("T")


class SyncIO:
    """Blocking I/O through ``client`` (or straight through its connection ``pool``)."""

    def __init__(
        self, client: httpx.Client, pool: httpx.HTTPTransport | None, sleep: Callable[[float], None]
    ) -> None:
        self.client = client
        self.pool = pool
        self.sleep = sleep
        self.bodies: dict[httpx.Response, Iterator[bytes]] = {}
        self.result: Any = None
        self.outcome: Any = None
        self.error: BaseException | None = None

    def perform(self, action: Any) -> Any:
        if isinstance(action, Read):
            data = next(self.bodies[action.response], b"")
            if not data:  # the whole body was read: httpx has released the connection
                del self.bodies[action.response]
            return data
        if isinstance(action, Open):
            if self.pool is not None:
                response = self.pool.handle_request(action.request)
                response.request = action.request
            else:
                response = self.client.send(
                    action.request,
                    stream=True,
                    follow_redirects=False,
                    auth=None if action.plain else httpx.USE_CLIENT_DEFAULT,
                )
            self.bodies[response] = _raw(response)
            return response
        if isinstance(action, Close):
            if self.bodies.pop(action.response, None) is not None:
                action.response.close()
        elif isinstance(action, Write):
            action.file.write(action.data)
        elif isinstance(action, Sleep):
            self.close_all()
            self.sleep(action.seconds)
        return None

    def close_all(self) -> None:
        for response in list(self.bodies):
            self.bodies.pop(response)
            response.close()


class AsyncIO:
    """Async twin of :class:`SyncIO`."""

    def __init__(
        self,
        client: httpx.AsyncClient,
        pool: httpx.AsyncBaseTransport | None,
        sleep: Callable[[float], Awaitable[None]],
    ) -> None:
        self.client = client
        self.pool = pool
        self.sleep = sleep
        self.bodies: dict[httpx.Response, AsyncIterator[bytes]] = {}
        self.result: Any = None
        self.outcome: Any = None
        self.error: BaseException | None = None

    async def perform(self, action: Any) -> Any:
        if isinstance(action, Read):
            data = await anext(self.bodies[action.response], b"")
            if not data:  # the whole body was read: httpx has released the connection
                del self.bodies[action.response]
            return data
        if isinstance(action, Open):
            if self.pool is not None:
                response = await self.pool.handle_async_request(action.request)
                response.request = action.request
            else:
                response = await self.client.send(
                    action.request,
                    stream=True,
                    follow_redirects=False,
                    auth=None if action.plain else httpx.USE_CLIENT_DEFAULT,
                )
            self.bodies[response] = _araw(response)
            return response
        if isinstance(action, Close):
            if self.bodies.pop(action.response, None) is not None:
                await action.response.aclose()
        elif isinstance(action, Write):
            # the disk write in a thread: a slow disk must not stall the loop
            await asyncio.to_thread(action.file.write, action.data)
        elif isinstance(action, Sleep):
            await self.close_all()
            await self.sleep(action.seconds)
        return None

    async def close_all(self) -> None:
        for response in list(self.bodies):
            self.bodies.pop(response)
            await response.aclose()


def run(op: Operation[T], io: SyncIO) -> T:
    """Drive ``op`` to its result."""
    for _ in iterate(op, io):
        raise AssertionError("an operation that returns a value emitted a chunk")
    result: T = io.result
    return result


def iterate(op: Operation[Any], io: SyncIO) -> Iterator[Any]:
    """Drive ``op``, yielding what it emits; its return value is left on ``io.result``.

    The outcome of each action (answer bytes, an I/O error) is held on ``io``, not in a local:
    error trackers that capture local variables must not find wire text (which may echo a key)
    in this frame, nor in the finished frames of ``op`` (:func:`forget_locals`)."""
    try:
        while True:
            try:
                # resume ``op`` with the last outcome, or throw in the last error
                # (never through a local: wire bytes must not sit in this frame)
                if io.error is not None:
                    action = op.throw(io.error)
                    io.error = None
                else:
                    action = op.send(io.outcome)
                    io.outcome = None
            except StopIteration as stop:
                io.result = stop.value
                return
            if isinstance(action, Emit):
                yield action.value
                continue
            try:
                io.outcome = io.perform(action)
            except Exception as exc:
                io.error = exc
    except BaseException as exc:
        forget_locals(exc)
        raise
    finally:
        io.outcome = io.error = None
        op.close()
        io.close_all()


async def arun(op: Operation[T], io: AsyncIO) -> T:
    """Async twin of :func:`run`."""
    async for _ in aiterate(op, io):
        raise AssertionError("an operation that returns a value emitted a chunk")
    result: T = io.result
    return result


async def aiterate(op: Operation[Any], io: AsyncIO) -> AsyncGenerator[Any, None]:
    """Async twin of :func:`iterate`."""
    try:
        while True:
            try:
                # resume ``op`` with the last outcome, or throw in the last error
                # (never through a local: wire bytes must not sit in this frame)
                if io.error is not None:
                    action = op.throw(io.error)
                    io.error = None
                else:
                    action = op.send(io.outcome)
                    io.outcome = None
            except StopIteration as stop:
                io.result = stop.value
                return
            if isinstance(action, Emit):
                yield action.value
                continue
            try:
                io.outcome = await io.perform(action)
            except Exception as exc:
                io.error = exc
    except BaseException as exc:
        forget_locals(exc)
        raise
    finally:
        io.outcome = io.error = None
        op.close()
        await io.close_all()


def forget_locals(error: BaseException) -> None:
    """Clear the local variables of the finished frames ``error`` (and its causes) went
    through below the caller: the operation's, the parsers', which held the answer's bytes."""
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        tb = current.__traceback__
        while tb is not None:
            with contextlib.suppress(RuntimeError):  # a frame still running: ours, a caller's
                tb.tb_frame.clear()
            tb = tb.tb_next
        current = current.__cause__ or current.__context__


def _raw(response: httpx.Response) -> Iterator[bytes]:
    if response.is_stream_consumed:
        return iter((_already_read(response),))
    return response.iter_raw()


def _araw(response: httpx.Response) -> AsyncIterator[bytes]:
    if response.is_stream_consumed:

        async def once() -> AsyncIterator[bytes]:
            yield _already_read(response)

        return once()
    return response.aiter_raw()


def _already_read(response: httpx.Response) -> bytes:
    """The body of a response built already read (a test double's ``Response(json=...)``),
    which httpx has decoded: its content coding no longer applies."""
    response.headers.pop("content-encoding", None)
    return response.content
