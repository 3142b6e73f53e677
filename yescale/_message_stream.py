"""Streams of Anthropic's ``/v1/messages``: the event decoder, and the accumulator that builds the
final :class:`~yescale.types.messages.Message` from the events.

The decoder (:class:`MessageStreamDecoder`) plugs into the transport like the OpenAI and Gemini
decoders (:mod:`yescale._streaming`): typed events out, ``ping`` s kept back (keep-alives must not
stretch the idle deadline), an ``error`` event raised as the mapped error (``overloaded_error``
-> :class:`~yescale.errors.InternalServerError`, retried while nothing was handed out), and a
stream without ``message_stop`` an :class:`~yescale.errors.IncompleteStreamError`.

The accumulator (:class:`MessageAccumulator`) is pure: feed it events, read ``message``. It
refuses events that do not fit (a delta for a block never started, tool input that is not JSON
at its block's end) with :func:`~yescale.errors.incomplete_answer`, never a half-built message.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from pydantic import TypeAdapter, ValidationError

from ._streaming import ServerSentEvent, StreamDecoder
from .errors import (
    IncompleteStreamError,
    InvalidResponseError,
    YEScaleError,
    incomplete_answer,
    loads_wire,
    quote,
)
from .types.message_events import (
    CitationsDelta,
    ContentBlockDeltaEvent,
    ContentBlockStartEvent,
    ContentBlockStopEvent,
    ErrorEvent,
    EventBase,
    InputJSONDelta,
    MessageDeltaEvent,
    MessageStartEvent,
    MessageStopEvent,
    MessageStreamEvent,
    PingEvent,
    SignatureDelta,
    TextDelta,
    ThinkingDelta,
)
from .types.messages import (
    ContentBlockBase,
    Message,
    MessageUsage,
    ServerToolUseBlock,
    TextBlock,
    ThinkingBlock,
    ToolUseBlock,
)

_EVENT: TypeAdapter[EventBase] = TypeAdapter(MessageStreamEvent)
_WHAT = "streamed Claude message"
_STREAM = "Claude message stream (POST /v1/messages)"


class MessageStreamDecoder(StreamDecoder[EventBase]):
    """Anthropic-style stream: ``event:`` + JSON ``data:`` with a ``type``, ended by
    ``message_stop``."""

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        super().__init__(EventBase, secrets)

    def feed(self, sse: ServerSentEvent) -> EventBase | None:
        data = sse.data
        if self.done or not data or not data.strip() or data.strip() == "[DONE]":
            return None  # after message_stop, nothing more is read as the answer
        if sse.event == "error":
            self._raise_error(data)
        try:
            event = _EVENT.validate_json(data)
        except (ValidationError, ValueError, RecursionError) as exc:
            # (an OpenAI-style {"error": ...} from the gateway has no type: not an event)
            payload = loads_wire(data) if '"error"' in data else None
            if isinstance(payload, dict) and payload.get("error"):
                self._raise_error(data)
            problems = (
                f"{exc.error_count()} problems"
                if isinstance(exc, ValidationError)
                else type(exc).__name__
            )
            raise InvalidResponseError(
                "YEScale sent a stream event that is not a Messages API event: "
                f"{quote(data, self.secrets)} ({problems})"
            ) from None
        if isinstance(event, ErrorEvent) or (event.model_extra or {}).get("error"):
            self._raise_error(data)
        if isinstance(event, PingEvent):
            return None
        if isinstance(event, MessageStopEvent):
            self.done = True
        self.events += 1
        return event

    def _raise_error(self, data: str) -> None:
        """An ``error`` event (or the gateway's ``{"error": ...}``) as the mapped error, named
        as the Claude message stream's (the OpenAI decoder's reading, another name)."""
        try:
            super()._raise_error(data)
        except YEScaleError as error:
            error.message = error.message.replace("YEScale stream", f"YEScale {_STREAM}", 1)
            error.args = (error.message,)
            raise

    def finish(self) -> None:
        if not self.done:
            raise IncompleteStreamError(
                f"The YEScale Messages stream ended after {self.events} events without its "
                "terminator (message_stop): the answer is incomplete and was not returned. "
                "Retry the request."
            )


class MessageAccumulator:
    """Builds the final :class:`Message` from a stream's events (:meth:`feed` each one).

    ``message`` is the message so far (after ``message_start``); ``complete`` says whether
    ``message_stop`` came. Tool and server-tool inputs are assembled from their
    ``input_json_delta`` pieces and parsed when their block stops.
    """

    def __init__(self) -> None:
        self._message: Message | None = None
        self._json: dict[int, list[str]] = {}
        self._open: set[int] = set()
        self.complete = False

    @property
    def message(self) -> Message:
        """The message so far; raises before ``message_start``."""
        if self._message is None:
            raise incomplete_answer(_WHAT, "no message_start event before the message's content")
        return self._message

    @property
    def started(self) -> bool:
        return self._message is not None

    def feed(self, event: EventBase) -> None:
        """Apply one event (unknown events and deltas are ignored: nothing to build from)."""
        if isinstance(event, MessageStartEvent):
            if self._message is not None:
                raise incomplete_answer(_WHAT, "a second message_start event")
            self._message = event.message.model_copy(deep=True)
            self._message.content = []
            if self._message.usage is None:
                self._message.usage = MessageUsage()
        elif isinstance(event, ContentBlockStartEvent):
            self._start(event)
        elif isinstance(event, ContentBlockDeltaEvent):
            self._delta(event)
        elif isinstance(event, ContentBlockStopEvent):
            self._stop(event.index)
        elif isinstance(event, MessageDeltaEvent):
            message = self.message
            message.stop_reason = event.delta.stop_reason or message.stop_reason
            message.stop_sequence = event.delta.stop_sequence or message.stop_sequence
            if event.usage is not None:
                assert message.usage is not None
                message.usage.merge(event.usage)
        elif isinstance(event, MessageStopEvent):
            if self._open:
                raise incomplete_answer(
                    _WHAT, f"message_stop before content block {min(self._open)} stopped"
                )
            self.message  # noqa: B018 (raises if there was no message_start)
            self.complete = True

    def final_message(self) -> Message:
        """The whole message; raises if the stream did not end with ``message_stop``."""
        if not self.complete:
            raise IncompleteStreamError(
                "The Messages stream has not ended with message_stop: the message is incomplete "
                "and was not returned. Retry the request."
            )
        return self.message

    def _block(self, index: int, what: str) -> ContentBlockBase:
        content = self.message.content
        if index not in self._open or not 0 <= index < len(content):
            raise incomplete_answer(_WHAT, f"a {what} for content block {index}, which is not open")
        return content[index]

    def _start(self, event: ContentBlockStartEvent) -> None:
        content = self.message.content
        if event.index != len(content):
            raise incomplete_answer(
                _WHAT, f"content block {event.index} started where block {len(content)} was due"
            )
        block = event.content_block.model_copy(deep=True)
        content.append(block)
        self._open.add(event.index)
        if isinstance(block, (ToolUseBlock, ServerToolUseBlock)):
            self._json[event.index] = []

    def _delta(self, event: ContentBlockDeltaEvent) -> None:
        block = self._block(event.index, "delta")
        delta = event.delta
        if isinstance(delta, TextDelta) and isinstance(block, TextBlock):
            block.text += delta.text
        elif isinstance(delta, InputJSONDelta) and event.index in self._json:
            self._json[event.index].append(delta.partial_json)
        elif isinstance(delta, ThinkingDelta) and isinstance(block, ThinkingBlock):
            block.thinking += delta.thinking
        elif isinstance(delta, SignatureDelta) and isinstance(block, ThinkingBlock):
            block.signature += delta.signature
        elif isinstance(delta, CitationsDelta) and isinstance(block, TextBlock):
            block.citations = [*(block.citations or []), delta.citation]
        elif isinstance(delta, (TextDelta, InputJSONDelta, ThinkingDelta, SignatureDelta)):
            raise incomplete_answer(
                _WHAT, f"a {delta.type} for content block {event.index}, a {block.type} block"
            )

    def _stop(self, index: int) -> None:
        block = self._block(index, "content_block_stop")
        self._open.discard(index)
        pieces = self._json.pop(index, None)
        if pieces is None or not isinstance(block, (ToolUseBlock, ServerToolUseBlock)):
            return
        text = "".join(pieces)
        if not text.strip():
            if not block.input:
                block.input = {}
            return
        try:
            value: Any = json.loads(text)
        except (ValueError, RecursionError):
            value = None
        if not isinstance(value, dict):
            raise incomplete_answer(
                _WHAT,
                f"the input of {block.type} block {index} ({block.name!r}) is not a JSON object: "
                f"{quote(text, (), 120)}",
            )
        block.input = value


__all__ = ["MessageAccumulator", "MessageStreamDecoder"]
