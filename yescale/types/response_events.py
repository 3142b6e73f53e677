"""The server-sent events of a streamed ``/v1/responses`` answer (OpenAI's Responses format).

A stream is ``response.created`` (and ``response.in_progress``), then for each output item
``response.output_item.added``, the item's own events (a message's ``content_part.added`` /
``output_text.delta`` / ``output_text.done`` / ``content_part.done``, a function call's
``function_call_arguments.delta`` / ``.done``, a reasoning item's ``reasoning_summary_part`` and
``reasoning_summary_text`` events) and ``response.output_item.done``; it ends with
``response.completed``, ``response.incomplete`` or ``response.failed``. An ``error`` event, or
``response.failed``, ends it with the mapped error. Every event carries a ``sequence_number``;
an event of a type added later (``response.web_search_call.searching``...) is kept whole
(:class:`UnknownEvent`).
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import Discriminator, Field, Tag

from ._base import Priced, WireModel
from .responses import Annotation, OutputContent, OutputItem, Response, SummaryText


class EventBase(Priced, WireModel):
    """What every event has: its ``type``. The event that reports usage carries ``.cost``."""

    type: str
    sequence_number: int | None = None


class _ResponseEvent(EventBase):
    """An event carrying the whole response as it stands."""

    response: Response


class ResponseCreatedEvent(_ResponseEvent):
    type: Literal["response.created"] = "response.created"


class ResponseInProgressEvent(_ResponseEvent):
    type: Literal["response.in_progress"] = "response.in_progress"


class ResponseCompletedEvent(_ResponseEvent):
    """The terminator of a complete answer: the final response, with its usage."""

    type: Literal["response.completed"] = "response.completed"


class ResponseIncompleteEvent(_ResponseEvent):
    """The terminator of an answer cut short (``incomplete_details.reason``): kept, not raised."""

    type: Literal["response.incomplete"] = "response.incomplete"


class ResponseFailedEvent(_ResponseEvent):
    """Never handed out: raised as the mapped error of ``response.error``."""

    type: Literal["response.failed"] = "response.failed"


class OutputItemAddedEvent(EventBase):
    type: Literal["response.output_item.added"] = "response.output_item.added"
    output_index: int
    item: OutputItem


class OutputItemDoneEvent(EventBase):
    """The item complete (a reasoning item's ``encrypted_content`` comes here)."""

    type: Literal["response.output_item.done"] = "response.output_item.done"
    output_index: int
    item: OutputItem


class _ItemEvent(EventBase):
    item_id: str | None = None
    output_index: int


class ContentPartAddedEvent(_ItemEvent):
    type: Literal["response.content_part.added"] = "response.content_part.added"
    content_index: int
    part: OutputContent


class ContentPartDoneEvent(_ItemEvent):
    type: Literal["response.content_part.done"] = "response.content_part.done"
    content_index: int
    part: OutputContent


class OutputTextDeltaEvent(_ItemEvent):
    type: Literal["response.output_text.delta"] = "response.output_text.delta"
    content_index: int
    delta: str = ""


class OutputTextDoneEvent(_ItemEvent):
    type: Literal["response.output_text.done"] = "response.output_text.done"
    content_index: int
    text: str = ""


class OutputTextAnnotationAddedEvent(_ItemEvent):
    """An annotation (a ``url_citation``) of an ``output_text`` part."""

    type: Literal["response.output_text.annotation.added"] = "response.output_text.annotation.added"
    content_index: int
    annotation_index: int | None = None
    annotation: Annotation


class RefusalDeltaEvent(_ItemEvent):
    type: Literal["response.refusal.delta"] = "response.refusal.delta"
    content_index: int
    delta: str = ""


class RefusalDoneEvent(_ItemEvent):
    type: Literal["response.refusal.done"] = "response.refusal.done"
    content_index: int
    refusal: str = ""


class FunctionCallArgumentsDeltaEvent(_ItemEvent):
    """A piece of a function call's ``arguments`` (JSON text); the pieces joined are them."""

    type: Literal["response.function_call_arguments.delta"] = (
        "response.function_call_arguments.delta"
    )
    delta: str = ""


class FunctionCallArgumentsDoneEvent(_ItemEvent):
    type: Literal["response.function_call_arguments.done"] = "response.function_call_arguments.done"
    arguments: str = ""


class ReasoningSummaryPartAddedEvent(_ItemEvent):
    type: Literal["response.reasoning_summary_part.added"] = "response.reasoning_summary_part.added"
    summary_index: int
    part: SummaryText = Field(default_factory=SummaryText)


class ReasoningSummaryPartDoneEvent(_ItemEvent):
    type: Literal["response.reasoning_summary_part.done"] = "response.reasoning_summary_part.done"
    summary_index: int
    part: SummaryText = Field(default_factory=SummaryText)


class ReasoningSummaryTextDeltaEvent(_ItemEvent):
    type: Literal["response.reasoning_summary_text.delta"] = "response.reasoning_summary_text.delta"
    summary_index: int
    delta: str = ""


class ReasoningSummaryTextDoneEvent(_ItemEvent):
    type: Literal["response.reasoning_summary_text.done"] = "response.reasoning_summary_text.done"
    summary_index: int
    text: str = ""


class ErrorEvent(EventBase):
    """``{"type": "error", "code": ..., "message": ..., "param": ...}``: never handed out,
    raised as the mapped error (:func:`yescale.errors.error_from_payload`)."""

    type: Literal["error"] = "error"
    code: Any = None
    message: str | None = None
    param: str | None = None


class UnknownEvent(EventBase):
    """An event of a type this version does not know (or does not build from), kept whole."""


_EVENTS: dict[str, Any] = {
    "response.created": ResponseCreatedEvent,
    "response.in_progress": ResponseInProgressEvent,
    "response.completed": ResponseCompletedEvent,
    "response.incomplete": ResponseIncompleteEvent,
    "response.failed": ResponseFailedEvent,
    "response.output_item.added": OutputItemAddedEvent,
    "response.output_item.done": OutputItemDoneEvent,
    "response.content_part.added": ContentPartAddedEvent,
    "response.content_part.done": ContentPartDoneEvent,
    "response.output_text.delta": OutputTextDeltaEvent,
    "response.output_text.done": OutputTextDoneEvent,
    "response.output_text.annotation.added": OutputTextAnnotationAddedEvent,
    "response.refusal.delta": RefusalDeltaEvent,
    "response.refusal.done": RefusalDoneEvent,
    "response.function_call_arguments.delta": FunctionCallArgumentsDeltaEvent,
    "response.function_call_arguments.done": FunctionCallArgumentsDoneEvent,
    "response.reasoning_summary_part.added": ReasoningSummaryPartAddedEvent,
    "response.reasoning_summary_part.done": ReasoningSummaryPartDoneEvent,
    "response.reasoning_summary_text.delta": ReasoningSummaryTextDeltaEvent,
    "response.reasoning_summary_text.done": ReasoningSummaryTextDoneEvent,
    "error": ErrorEvent,
}


def _event_tag(value: Any) -> str:
    kind = value.get("type") if isinstance(value, dict) else getattr(value, "type", None)
    return kind if isinstance(kind, str) and kind in _EVENTS else "unknown"


ResponseStreamEvent = Annotated[
    Annotated[ResponseCreatedEvent, Tag("response.created")]
    | Annotated[ResponseInProgressEvent, Tag("response.in_progress")]
    | Annotated[ResponseCompletedEvent, Tag("response.completed")]
    | Annotated[ResponseIncompleteEvent, Tag("response.incomplete")]
    | Annotated[ResponseFailedEvent, Tag("response.failed")]
    | Annotated[OutputItemAddedEvent, Tag("response.output_item.added")]
    | Annotated[OutputItemDoneEvent, Tag("response.output_item.done")]
    | Annotated[ContentPartAddedEvent, Tag("response.content_part.added")]
    | Annotated[ContentPartDoneEvent, Tag("response.content_part.done")]
    | Annotated[OutputTextDeltaEvent, Tag("response.output_text.delta")]
    | Annotated[OutputTextDoneEvent, Tag("response.output_text.done")]
    | Annotated[OutputTextAnnotationAddedEvent, Tag("response.output_text.annotation.added")]
    | Annotated[RefusalDeltaEvent, Tag("response.refusal.delta")]
    | Annotated[RefusalDoneEvent, Tag("response.refusal.done")]
    | Annotated[FunctionCallArgumentsDeltaEvent, Tag("response.function_call_arguments.delta")]
    | Annotated[FunctionCallArgumentsDoneEvent, Tag("response.function_call_arguments.done")]
    | Annotated[ReasoningSummaryPartAddedEvent, Tag("response.reasoning_summary_part.added")]
    | Annotated[ReasoningSummaryPartDoneEvent, Tag("response.reasoning_summary_part.done")]
    | Annotated[ReasoningSummaryTextDeltaEvent, Tag("response.reasoning_summary_text.delta")]
    | Annotated[ReasoningSummaryTextDoneEvent, Tag("response.reasoning_summary_text.done")]
    | Annotated[ErrorEvent, Tag("error")]
    | Annotated[UnknownEvent, Tag("unknown")],
    Discriminator(_event_tag),
]

#: The events that end a stream (``response.failed`` is raised, never handed out).
TERMINAL = (ResponseCompletedEvent, ResponseIncompleteEvent)

__all__ = [
    "TERMINAL",
    "ContentPartAddedEvent",
    "ContentPartDoneEvent",
    "ErrorEvent",
    "EventBase",
    "FunctionCallArgumentsDeltaEvent",
    "FunctionCallArgumentsDoneEvent",
    "OutputItemAddedEvent",
    "OutputItemDoneEvent",
    "OutputTextAnnotationAddedEvent",
    "OutputTextDeltaEvent",
    "OutputTextDoneEvent",
    "ReasoningSummaryPartAddedEvent",
    "ReasoningSummaryPartDoneEvent",
    "ReasoningSummaryTextDeltaEvent",
    "ReasoningSummaryTextDoneEvent",
    "RefusalDeltaEvent",
    "RefusalDoneEvent",
    "ResponseCompletedEvent",
    "ResponseCreatedEvent",
    "ResponseFailedEvent",
    "ResponseInProgressEvent",
    "ResponseIncompleteEvent",
    "ResponseStreamEvent",
    "UnknownEvent",
]
