"""The handles ``client.messages.stream(...)`` returns: iterate the typed events, or ask for the
final :class:`~yescale.types.messages.Message` (``get_final_message()``), or both."""

from __future__ import annotations

from .._message_stream import MessageAccumulator
from ..costs.meter import messages_usage
from ..costs.prices import Usage
from ..types.message_events import (
    ContentBlockDeltaEvent,
    EventBase,
    MessageDeltaEvent,
    MessageStartEvent,
    TextDelta,
)
from ..types.messages import Message
from ._event_streams import AsyncEventStream, Events, SyncEventStream


class _MessageEvents(Events[EventBase, Message]):
    """Claude's pieces: the accumulator, and the usage each event reports to the meter (the
    counts so far, after ``message_start`` and each ``message_delta``)."""

    accumulator: MessageAccumulator

    def new_accumulator(self) -> MessageAccumulator:
        return MessageAccumulator()

    def absorb(self, event: EventBase) -> EventBase:
        self.accumulator.feed(event)
        return event

    def usage(self, event: EventBase) -> Usage | None:
        if isinstance(event, (MessageStartEvent, MessageDeltaEvent)):
            return messages_usage(self.accumulator.message)
        return None

    def final(self) -> Message:
        message = self.accumulator.final_message()
        message.attach_cost(self.cost)
        return message

    @staticmethod
    def text_of(event: EventBase) -> str | None:
        if isinstance(event, ContentBlockDeltaEvent) and isinstance(event.delta, TextDelta):
            return event.delta.text
        return None

    @property
    def current_message_snapshot(self) -> Message:
        """The message as built so far."""
        return self.accumulator.message


class MessageStream(_MessageEvents, SyncEventStream[EventBase, Message]):
    """A streamed Claude message: ``for event in stream`` gives the typed events (``ping`` s
    left out); :meth:`get_final_message` reads what is left and returns the whole message;
    :attr:`text_stream` gives the text only. A context manager: leaving it closes the
    connection."""

    def get_final_message(self) -> Message:
        """Read the rest of the stream; the whole message, with its cost."""
        return self.read_final()

    def get_final_text(self) -> str:
        return self.get_final_message().text


class AsyncMessageStream(_MessageEvents, AsyncEventStream[EventBase, Message]):
    """Async twin of :class:`MessageStream`: ``async for event in stream`` (or ``in await
    stream``), ``await stream.get_final_message()``, ``async with``."""

    async def get_final_message(self) -> Message:
        return await self.read_final()

    async def get_final_text(self) -> str:
        return (await self.get_final_message()).text


__all__ = ["AsyncMessageStream", "MessageStream"]
