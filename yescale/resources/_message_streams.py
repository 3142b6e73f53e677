"""The handles ``client.messages.stream(...)`` returns: iterate the typed events, or ask for the
final :class:`~yescale.types.messages.Message` (``get_final_message()``), or both."""

from __future__ import annotations

from collections.abc import AsyncIterator, Generator, Iterator
from types import TracebackType
from typing import Any

from .._message_stream import MessageAccumulator
from ..costs.meter import Meter, messages_usage
from ..costs.prices import Cost, Usage
from ..types.message_events import (
    ContentBlockDeltaEvent,
    EventBase,
    MessageDeltaEvent,
    MessageStartEvent,
    TextDelta,
)
from ..types.messages import Message


class _Events:
    """What both handles share: the accumulator, and the usage each event reports to the meter
    (the counts so far, after ``message_start`` and each ``message_delta``)."""

    def __init__(self) -> None:
        self.accumulator = MessageAccumulator()
        self.cost: Cost | None = None

    def absorb(self, event: EventBase) -> EventBase:
        self.accumulator.feed(event)
        return event

    def usage(self, event: EventBase) -> Usage | None:
        if isinstance(event, (MessageStartEvent, MessageDeltaEvent)):
            return messages_usage(self.accumulator.message)
        return None

    def seen(self, event: EventBase) -> EventBase:
        if event.cost is not None:
            self.cost = event.cost
        return event

    def final(self) -> Message:
        message = self.accumulator.final_message()
        message.attach_cost(self.cost)
        return message


def _text(event: EventBase) -> str | None:
    if isinstance(event, ContentBlockDeltaEvent) and isinstance(event.delta, TextDelta):
        return event.delta.text
    return None


class MessageStream(_Events):
    """A streamed Claude message: ``for event in stream`` gives the typed events (``ping`` s
    left out); :meth:`get_final_message` reads what is left and returns the whole message;
    :attr:`text_stream` gives the text only. A context manager: leaving it closes the
    connection."""

    def __init__(self, events: Iterator[EventBase], meter: Meter[Message]) -> None:
        super().__init__()
        self._events = meter.stream(self._absorbed(events), self.usage)

    def _absorbed(self, events: Iterator[EventBase]) -> Iterator[EventBase]:
        try:
            for event in events:
                yield self.absorb(event)
        finally:
            close = getattr(events, "close", None)
            if close is not None:
                close()

    def __iter__(self) -> Iterator[EventBase]:
        return self

    def __next__(self) -> EventBase:
        return self.seen(next(self._events))

    @property
    def text_stream(self) -> Iterator[str]:
        """The text deltas as they come."""
        for event in self:
            text = _text(event)
            if text:
                yield text

    @property
    def current_message_snapshot(self) -> Message:
        """The message as built so far."""
        return self.accumulator.message

    def get_final_message(self) -> Message:
        """Read the rest of the stream; the whole message, with its cost."""
        for _ in self:
            pass
        return self.final()

    def get_final_text(self) -> str:
        return self.get_final_message().text

    def close(self) -> None:
        close = getattr(self._events, "close", None)
        if close is not None:
            close()

    def __enter__(self) -> MessageStream:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


class AsyncMessageStream(_Events):
    """Async twin of :class:`MessageStream`: ``async for event in stream`` (or ``in await
    stream``), ``await stream.get_final_message()``, ``async with``."""

    def __init__(self, events: AsyncIterator[EventBase], meter: Meter[Message]) -> None:
        super().__init__()
        self._events = meter.astream(self._absorbed(events), self.usage)

    async def _absorbed(self, events: AsyncIterator[EventBase]) -> AsyncIterator[EventBase]:
        try:
            async for event in events:
                yield self.absorb(event)
        finally:
            close = getattr(events, "aclose", None)
            if close is not None:
                await close()

    def __aiter__(self) -> AsyncIterator[EventBase]:
        return self

    async def __anext__(self) -> EventBase:
        return self.seen(await self._events.__anext__())

    def __await__(self) -> Generator[Any, None, AsyncMessageStream]:
        return self._ready().__await__()

    async def _ready(self) -> AsyncMessageStream:
        return self

    @property
    def text_stream(self) -> AsyncIterator[str]:
        """The text deltas as they come (``async for text in stream.text_stream``)."""
        return self._texts()

    async def _texts(self) -> AsyncIterator[str]:
        async for event in self:
            text = _text(event)
            if text:
                yield text

    @property
    def current_message_snapshot(self) -> Message:
        return self.accumulator.message

    async def get_final_message(self) -> Message:
        async for _ in self:
            pass
        return self.final()

    async def get_final_text(self) -> str:
        return (await self.get_final_message()).text

    async def aclose(self) -> None:
        close = getattr(self._events, "aclose", None)
        if close is not None:
            await close()

    async def __aenter__(self) -> AsyncMessageStream:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()


__all__ = ["AsyncMessageStream", "MessageStream"]
