"""Streams of OpenAI's ``/v1/responses``: the event decoder, and the accumulator that builds the
final :class:`~yescale.types.responses.Response` from the events.

The decoder (:class:`ResponseStreamDecoder`) plugs into the transport like the other decoders
(:mod:`yescale._streaming`): typed events out; an ``error`` event, or ``response.failed``, raised
as the mapped error (``server_error`` -> :class:`~yescale.errors.InternalServerError`, retried
while nothing was handed out); a stream without ``response.completed`` /
``response.incomplete`` an :class:`~yescale.errors.IncompleteStreamError`. A ``data: [DONE]``
a gateway may add is ignored.

The accumulator (:class:`ResponseAccumulator`) is pure: feed it events, read ``response``. It
refuses events that do not fit (an item added out of order, a delta for an item or part never
added or of another kind, a ``.done`` that disagrees with its deltas) with
:func:`~yescale.errors.incomplete_answer`, never a half-built response.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from pydantic import TypeAdapter, ValidationError

from ._streaming import ServerSentEvent, StreamDecoder
from .errors import (
    IncompleteStreamError,
    InvalidResponseError,
    YEScaleError,
    error_from_payload,
    incomplete_answer,
    loads_wire,
    quote,
)
from .types.response_events import (
    TERMINAL,
    ContentPartAddedEvent,
    ContentPartDoneEvent,
    ErrorEvent,
    EventBase,
    FunctionCallArgumentsDeltaEvent,
    FunctionCallArgumentsDoneEvent,
    OutputItemAddedEvent,
    OutputItemDoneEvent,
    OutputTextAnnotationAddedEvent,
    OutputTextDeltaEvent,
    OutputTextDoneEvent,
    ReasoningSummaryPartAddedEvent,
    ReasoningSummaryPartDoneEvent,
    ReasoningSummaryTextDeltaEvent,
    ReasoningSummaryTextDoneEvent,
    RefusalDeltaEvent,
    RefusalDoneEvent,
    ResponseCreatedEvent,
    ResponseFailedEvent,
    ResponseInProgressEvent,
    ResponseStreamEvent,
)
from .types.responses import (
    FunctionCallItem,
    MessageItem,
    OutputItemBase,
    OutputText,
    ReasoningItem,
    Refusal,
    Response,
)

_EVENT: TypeAdapter[EventBase] = TypeAdapter(ResponseStreamEvent)
_WHAT = "streamed OpenAI response"
_STREAM = "OpenAI Responses stream (POST /v1/responses)"


class ResponseStreamDecoder(StreamDecoder[EventBase]):
    """Responses-style stream: ``event:`` + JSON ``data:`` with a ``type``, ended by
    ``response.completed`` or ``response.incomplete``."""

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        super().__init__(EventBase, secrets)

    def feed(self, sse: ServerSentEvent) -> EventBase | None:
        data = sse.data
        if self.done or not data or not data.strip() or data.strip() == "[DONE]":
            return None  # after the terminator, nothing more is read as the answer
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
                "YEScale sent a stream event that is not a Responses API event: "
                f"{quote(data, self.secrets)} ({problems})"
            ) from None
        if isinstance(event, ErrorEvent) or (event.model_extra or {}).get("error"):
            self._raise_error(data)
        if isinstance(event, ResponseFailedEvent):
            self._raise_failed(event.response)
        if isinstance(event, TERMINAL):
            self.done = True
        self.events += 1
        return event

    def _raise_failed(self, response: Response) -> None:
        """``response.failed``: its ``error`` object as the mapped error."""
        payload = failed_payload(response)
        self._raise(error_from_payload(payload, secrets=self.secrets, what="stream"))

    def _raise_error(self, data: str) -> None:
        """An ``error`` event (or the gateway's ``{"error": ...}``) as the mapped error."""
        try:
            super()._raise_error(data)
        except YEScaleError as error:
            self._raise(error)

    @staticmethod
    def _raise(error: YEScaleError) -> None:
        """``error`` named as the Responses stream's (the OpenAI decoder's reading, another
        name)."""
        error.message = error.message.replace("YEScale stream", f"YEScale {_STREAM}", 1)
        error.args = (error.message,)
        raise error

    def finish(self) -> None:
        if not self.done:
            raise IncompleteStreamError(
                f"The YEScale Responses stream ended after {self.events} events without its "
                "terminator (response.completed or response.incomplete): the answer is "
                "incomplete and was not returned. Retry the request."
            )


#: The codes of a failed response that are the service's trouble, not the request's (OpenAI's
#: list: ``server_error``, ``rate_limit_exceeded``, ``vector_store_timeout``); every other code
#: (``invalid_prompt``, ``invalid_image``...) is about the request.
_SERVICE_CODES = {
    "server_error": None,
    "rate_limit_exceeded": None,
    "vector_store_timeout": "timeout",
}


def failed_payload(response: Response) -> dict[str, Any]:
    """The error object of a ``failed`` response, ready for the mapping
    (:func:`~yescale.errors.error_from_payload`): a ``type`` added that says whose trouble its
    ``code`` is (OpenAI gives a code alone), a message when it gave none."""
    error = response.error.to_wire() if response.error is not None else {}
    if not error.get("message"):
        error["message"] = "the response failed without saying why"
    code = error.get("code")
    if "type" not in error and code is not None:
        kind = _SERVICE_CODES.get(str(code), "invalid_request_error")
        if kind is not None:
            error["type"] = kind
    return {"error": error}


def _refuse(what: str) -> InvalidResponseError:
    return incomplete_answer(_WHAT, what)


class ResponseAccumulator:
    """Builds the final :class:`Response` from a stream's events (:meth:`feed` each one).

    ``response`` is the response so far (after ``response.created``); ``output`` the items as
    built from the events; ``complete`` says whether the terminator came. The terminator's
    response is the final one (status, usage, ``incomplete_details``); its ``output`` when it
    has one, else the items built here (a gateway may send the terminator without them).
    """

    def __init__(self) -> None:
        self._response: Response | None = None
        self.output: list[Any] = []
        self._open: set[int] = set()
        self.complete = False

    @property
    def response(self) -> Response:
        """The response so far; raises before ``response.created``."""
        if self._response is None:
            raise _refuse("no response.created event before the response's content")
        return self._response

    @property
    def started(self) -> bool:
        return self._response is not None

    def feed(self, event: EventBase) -> None:
        """Apply one event (unknown events are ignored: nothing to build from)."""
        if isinstance(event, ResponseCreatedEvent):
            if self._response is not None:
                raise _refuse("a second response.created event")
            self._response = event.response.model_copy(deep=True)
            self._response.output = self.output
        elif isinstance(event, ResponseInProgressEvent):
            self.response  # noqa: B018 (raises if there was no response.created)
        elif isinstance(event, TERMINAL):
            self._finish(event.response)
        elif isinstance(event, OutputItemAddedEvent):
            self._add(event)
        elif isinstance(event, OutputItemDoneEvent):
            self._done(event)
        else:
            self._part_event(event)

    def final_response(self) -> Response:
        """The whole response; raises if the stream did not end with its terminator."""
        if not self.complete:
            raise IncompleteStreamError(
                "The Responses stream has not ended with response.completed or "
                "response.incomplete: the response is incomplete and was not returned. Retry "
                "the request."
            )
        return self.response

    # -- items ----------------------------------------------------------------------------------

    def _finish(self, final: Response) -> None:
        self.response  # noqa: B018
        if self._open:
            raise _refuse(f"the response ended before output item {min(self._open)} was done")
        response = final.model_copy(deep=True)
        if not response.output and self.output:
            response.output = list(self.output)
        self._response = response
        self.complete = True

    def _add(self, event: OutputItemAddedEvent) -> None:
        self.response  # noqa: B018
        if event.output_index != len(self.output):
            raise _refuse(
                f"output item {event.output_index} added where item {len(self.output)} was due"
            )
        self.output.append(event.item.model_copy(deep=True))
        self._open.add(event.output_index)

    def _item(self, index: int, item_id: str | None, what: str) -> OutputItemBase:
        if index not in self._open or not 0 <= index < len(self.output):
            raise _refuse(f"a {what} for output item {index}, which is not open")
        item: OutputItemBase = self.output[index]
        if item_id and item.id and item_id != item.id:
            raise _refuse(f"a {what} for item {item_id!r} at output {index}, item {item.id!r}")
        return item

    def _done(self, event: OutputItemDoneEvent) -> None:
        built = self._item(event.output_index, event.item.id, "response.output_item.done")
        done = event.item.model_copy(deep=True)
        if done.type != built.type:
            raise _refuse(
                f"output item {event.output_index} done as a {done.type} but added as a "
                f"{built.type}"
            )
        for name in ("content", "summary", "arguments"):
            if name in type(built).model_fields and not getattr(done, name, None):
                setattr(done, name, getattr(built, name))
        mine, theirs = _text_of(built), _text_of(done)
        if mine and theirs != mine:
            raise _refuse(
                f"output item {event.output_index} done with other text than its deltas "
                f"({quote(theirs, (), 60)} after {quote(mine, (), 60)})"
            )
        self.output[event.output_index] = done
        self._open.discard(event.output_index)

    # -- parts of items -------------------------------------------------------------------------

    def _part_event(self, event: EventBase) -> None:
        if isinstance(event, (ContentPartAddedEvent, ContentPartDoneEvent)):
            message = self._message(event.output_index, event.item_id, event.type)
            content = message.content
            if isinstance(event, ContentPartAddedEvent):
                if event.content_index != len(content):
                    raise _refuse(
                        f"content part {event.content_index} of output item "
                        f"{event.output_index} added where part {len(content)} was due"
                    )
                content.append(event.part.model_copy(deep=True))
            else:
                built = self._part(message, event, type(event.part))
                part = event.part.model_copy(deep=True)
                _check_same(_text_of(built), _text_of(part), event)
                if not _text_of(part):
                    part = built
                elif isinstance(part, OutputText) and not part.annotations:
                    part.annotations = built.annotations
                content[event.content_index] = part
        elif isinstance(event, (OutputTextDeltaEvent, OutputTextDoneEvent)):
            message = self._message(event.output_index, event.item_id, event.type)
            text = self._part(message, event, OutputText)
            assert isinstance(text, OutputText)
            if isinstance(event, OutputTextDeltaEvent):
                text.text += event.delta
            else:
                _check_same(text.text, event.text, event)
                text.text = event.text
        elif isinstance(event, OutputTextAnnotationAddedEvent):
            message = self._message(event.output_index, event.item_id, event.type)
            text = self._part(message, event, OutputText)
            assert isinstance(text, OutputText)
            text.annotations.append(event.annotation.model_copy(deep=True))
        elif isinstance(event, (RefusalDeltaEvent, RefusalDoneEvent)):
            message = self._message(event.output_index, event.item_id, event.type)
            refusal = self._part(message, event, Refusal)
            assert isinstance(refusal, Refusal)
            if isinstance(event, RefusalDeltaEvent):
                refusal.refusal += event.delta
            else:
                refusal.refusal = event.refusal
        elif isinstance(event, (FunctionCallArgumentsDeltaEvent, FunctionCallArgumentsDoneEvent)):
            call = self._item(event.output_index, event.item_id, event.type)
            if not isinstance(call, FunctionCallItem):
                raise _refuse(f"a {event.type} for output item {event.output_index}, a {call.type}")
            if isinstance(event, FunctionCallArgumentsDeltaEvent):
                call.arguments += event.delta
            else:
                _check_same(call.arguments, event.arguments, event)
                call.arguments = event.arguments
        else:
            self._summary_event(event)

    def _summary_event(self, event: EventBase) -> None:
        kinds = (
            ReasoningSummaryPartAddedEvent,
            ReasoningSummaryPartDoneEvent,
            ReasoningSummaryTextDeltaEvent,
            ReasoningSummaryTextDoneEvent,
        )
        if not isinstance(event, kinds):
            return  # an unknown event, or one of a hosted tool's progress events
        item = self._item(event.output_index, event.item_id, event.type)
        if not isinstance(item, ReasoningItem):
            raise _refuse(f"a {event.type} for output item {event.output_index}, a {item.type}")
        summary = item.summary
        if isinstance(event, ReasoningSummaryPartAddedEvent):
            if event.summary_index != len(summary):
                raise _refuse(
                    f"summary part {event.summary_index} of output item {event.output_index} "
                    f"added where part {len(summary)} was due"
                )
            summary.append(event.part.model_copy(deep=True))
            return
        if not 0 <= event.summary_index < len(summary):
            raise _refuse(
                f"a {event.type} for summary part {event.summary_index} of output item "
                f"{event.output_index}, which was never added"
            )
        part = summary[event.summary_index]
        if isinstance(event, ReasoningSummaryTextDeltaEvent):
            part.text += event.delta
        elif isinstance(event, ReasoningSummaryTextDoneEvent):
            _check_same(part.text, event.text, event)
            part.text = event.text
        else:
            _check_same(part.text, event.part.text, event)
            part.text = event.part.text or part.text

    def _message(self, index: int, item_id: str | None, what: str) -> MessageItem:
        item = self._item(index, item_id, what)
        if not isinstance(item, MessageItem):
            raise _refuse(f"a {what} for output item {index}, a {item.type}")
        return item

    @staticmethod
    def _part(message: MessageItem, event: Any, kind: type) -> Any:
        index = event.content_index
        if not 0 <= index < len(message.content):
            raise _refuse(
                f"a {event.type} for content part {index} of output item {event.output_index}, "
                "which was never added"
            )
        part = message.content[index]
        if not isinstance(part, kind):
            raise _refuse(
                f"a {event.type} for content part {index} of output item "
                f"{event.output_index}, a {part.type} part"
            )
        return part


def _text_of(value: Any) -> str:
    """What the deltas build of an item or part: its text, refusal, arguments or summary."""
    if isinstance(value, MessageItem):
        return "".join(_text_of(part) for part in value.content)
    if isinstance(value, OutputText):
        return value.text
    if isinstance(value, Refusal):
        return value.refusal
    if isinstance(value, FunctionCallItem):
        return value.arguments
    if isinstance(value, ReasoningItem):
        return "".join(part.text for part in value.summary)
    return ""


def _check_same(built: str, done: str, event: EventBase) -> None:
    """A ``.done`` event states the whole text: it must be what the deltas built (when any)."""
    if built and done and built != done:
        raise _refuse(
            f"a {event.type} whose text ({quote(done, (), 60)}) is not what its deltas built "
            f"({quote(built, (), 60)})"
        )


__all__ = ["ResponseAccumulator", "ResponseStreamDecoder", "failed_payload"]
