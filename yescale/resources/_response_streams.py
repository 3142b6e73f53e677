"""The handles ``client.responses.stream(...)`` returns: iterate the typed events, or ask for the
final :class:`~yescale.types.responses.Response` (``get_final_response()``), or both. Also the
usage of a response as the cost meter reads it (:func:`responses_usage`)."""

from __future__ import annotations

from .._response_stream import ResponseAccumulator
from ..costs.prices import Usage
from ..types.response_events import TERMINAL, EventBase, OutputTextDeltaEvent
from ..types.responses import Response
from ._event_streams import AsyncEventStream, Events, SyncEventStream

#: The usage of an answer that says nothing of its tokens.
_UNCOUNTED = Usage(counted=False)


def responses_usage(answer: Response) -> Usage:
    """OpenAI's counts as they are: ``input_tokens`` already includes the cached ones and
    ``output_tokens`` the reasoning ones, so neither detail is added again (cached tokens at the
    full input price: an upper bound, as for the other resources)."""
    usage = answer.usage
    if usage is None or (usage.input_tokens is None and usage.output_tokens is None):
        return _UNCOUNTED
    return Usage(usage.input_tokens or 0, usage.output_tokens or 0)


class _ResponseEvents(Events[EventBase, Response]):
    """The Responses API's pieces: the accumulator, and the usage the terminator reports to the
    meter (``response.created`` and ``response.in_progress`` carry none yet)."""

    accumulator: ResponseAccumulator

    def new_accumulator(self) -> ResponseAccumulator:
        return ResponseAccumulator()

    def absorb(self, event: EventBase) -> EventBase:
        self.accumulator.feed(event)
        return event

    def usage(self, event: EventBase) -> Usage | None:
        if isinstance(event, TERMINAL):
            return responses_usage(event.response)
        return None

    def final(self) -> Response:
        response = self.accumulator.final_response()
        response.attach_cost(self.cost)
        return response

    @staticmethod
    def text_of(event: EventBase) -> str | None:
        return event.delta if isinstance(event, OutputTextDeltaEvent) else None

    @property
    def current_response_snapshot(self) -> Response:
        """The response as built so far."""
        return self.accumulator.response


class ResponseStream(_ResponseEvents, SyncEventStream[EventBase, Response]):
    """A streamed response: ``for event in stream`` gives the typed events;
    :meth:`get_final_response` reads what is left and returns the whole response;
    :attr:`text_stream` gives the ``output_text`` deltas only. A context manager: leaving it
    closes the connection."""

    def get_final_response(self) -> Response:
        """Read the rest of the stream; the whole response, with its cost."""
        return self.read_final()

    def get_final_text(self) -> str:
        return self.get_final_response().output_text


class AsyncResponseStream(_ResponseEvents, AsyncEventStream[EventBase, Response]):
    """Async twin of :class:`ResponseStream`: ``async for event in stream`` (or ``in await
    stream``), ``await stream.get_final_response()``, ``async with``."""

    async def get_final_response(self) -> Response:
        return await self.read_final()

    async def get_final_text(self) -> str:
        return (await self.get_final_response()).output_text


__all__ = ["AsyncResponseStream", "ResponseStream", "responses_usage"]
