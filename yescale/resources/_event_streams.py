"""What the handles of typed event streams share (``client.messages.stream(...)``,
``client.responses.stream(...)``): iterate the typed events, read the text deltas only, or read
the rest and get the final answer with its cost; close the connection when leaving a ``with``.

A format says what differs in a small mixin over :class:`Events`: its accumulator, the usage an
event reports to the cost meter, the final answer, and which events are text deltas.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Generator, Iterator
from types import TracebackType
from typing import Any, Generic, TypeVar

from ..costs.meter import Meter
from ..costs.prices import Cost, Usage

A = TypeVar("A")  # the final answer: a Message, a Response
E = TypeVar("E")  # the event type
S = TypeVar("S", bound="SyncEventStream[Any, Any]")
AS = TypeVar("AS", bound="AsyncEventStream[Any, Any]")


class Events(Generic[E, A]):
    """The per-format pieces (subclasses) and the cost the meter puts on an event."""

    def __init__(self) -> None:
        self.cost: Cost | None = None
        self.accumulator = self.new_accumulator()

    def new_accumulator(self) -> Any:
        """The format's accumulator, which builds the answer from the events."""
        raise NotImplementedError

    def absorb(self, event: E) -> E:
        """Feed ``event`` to the accumulator (which refuses events that do not fit)."""
        raise NotImplementedError

    def usage(self, event: E) -> Usage | None:
        """The usage ``event`` tells the meter, if any."""
        raise NotImplementedError

    def final(self) -> A:
        """The whole answer, with its cost."""
        raise NotImplementedError

    @staticmethod
    def text_of(event: E) -> str | None:
        """The text ``event`` adds, if it is a text delta."""
        raise NotImplementedError

    def seen(self, event: E) -> E:
        cost = getattr(event, "cost", None)
        if cost is not None:
            self.cost = cost
        return event


class SyncEventStream(Events[E, A]):
    """``for event in stream``; :attr:`text_stream`; :meth:`read_final`; a context manager."""

    def __init__(self, events: Iterator[E], meter: Meter[A]) -> None:
        super().__init__()
        self._events = meter.stream(self._absorbed(events), self.usage)

    def _absorbed(self, events: Iterator[E]) -> Iterator[E]:
        try:
            for event in events:
                yield self.absorb(event)
        finally:
            close = getattr(events, "close", None)
            if close is not None:
                close()

    def __iter__(self) -> Iterator[E]:
        return self

    def __next__(self) -> E:
        return self.seen(next(self._events))

    @property
    def text_stream(self) -> Iterator[str]:
        """The text deltas as they come."""
        for event in self:
            text = self.text_of(event)
            if text:
                yield text

    def read_final(self) -> A:
        """Read the rest of the stream; the whole answer, with its cost."""
        for _ in self:
            pass
        return self.final()

    def close(self) -> None:
        close = getattr(self._events, "close", None)
        if close is not None:
            close()

    def __enter__(self: S) -> S:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


class AsyncEventStream(Events[E, A]):
    """Async twin of :class:`SyncEventStream`: ``async for event in stream`` (or ``in await
    stream``), ``await stream.read_final()``, ``async with``."""

    def __init__(self, events: AsyncIterator[E], meter: Meter[A]) -> None:
        super().__init__()
        self._events = meter.astream(self._absorbed(events), self.usage)

    async def _absorbed(self, events: AsyncIterator[E]) -> AsyncIterator[E]:
        try:
            async for event in events:
                yield self.absorb(event)
        finally:
            close = getattr(events, "aclose", None)
            if close is not None:
                await close()

    def __aiter__(self) -> AsyncIterator[E]:
        return self

    async def __anext__(self) -> E:
        return self.seen(await self._events.__anext__())

    def __await__(self: AS) -> Generator[Any, None, AS]:
        return self._ready().__await__()

    async def _ready(self: AS) -> AS:
        return self

    @property
    def text_stream(self) -> AsyncIterator[str]:
        """The text deltas as they come (``async for text in stream.text_stream``)."""
        return self._texts()

    async def _texts(self) -> AsyncIterator[str]:
        async for event in self:
            text = self.text_of(event)
            if text:
                yield text

    async def read_final(self) -> A:
        async for _ in self:
            pass
        return self.final()

    async def aclose(self) -> None:
        close = getattr(self._events, "aclose", None)
        if close is not None:
            await close()

    async def __aenter__(self: AS) -> AS:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()


__all__ = ["AsyncEventStream", "Events", "SyncEventStream"]
