"""The server-sent events of a streamed ``/v1/messages`` answer (Anthropic's format).

A stream is ``message_start``, then for each content block ``content_block_start``, its
``content_block_delta`` s and ``content_block_stop``, then ``message_delta`` (stop reason, final
usage) and ``message_stop``. ``ping`` events may come anywhere (keep-alives: the decoder does not
hand them out), and an ``error`` event ends the stream with the mapped error. An event or a delta
of a type added later is kept whole (:class:`UnknownEvent`, :class:`UnknownDelta`).
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import Discriminator, Field, Tag

from ._base import Priced, WireModel
from .messages import ContentBlock, Message, MessageUsage


class EventBase(Priced, WireModel):
    """What every event has: its ``type``. The event that reports usage carries ``.cost``."""

    type: str


# -- deltas -----------------------------------------------------------------------------------


class TextDelta(WireModel):
    type: Literal["text_delta"] = "text_delta"
    text: str = ""


class InputJSONDelta(WireModel):
    """A piece of a tool call's input as JSON text; the pieces joined are the input."""

    type: Literal["input_json_delta"] = "input_json_delta"
    partial_json: str = ""


class ThinkingDelta(WireModel):
    type: Literal["thinking_delta"] = "thinking_delta"
    thinking: str = ""


class SignatureDelta(WireModel):
    type: Literal["signature_delta"] = "signature_delta"
    signature: str = ""


class CitationsDelta(WireModel):
    type: Literal["citations_delta"] = "citations_delta"
    citation: dict[str, Any] = Field(default_factory=dict)


class UnknownDelta(WireModel):
    type: str


_DELTAS = ("text_delta", "input_json_delta", "thinking_delta", "signature_delta", "citations_delta")


def _delta_tag(value: Any) -> str:
    kind = value.get("type") if isinstance(value, dict) else getattr(value, "type", None)
    return kind if kind in _DELTAS else "unknown"


BlockDelta = Annotated[
    Annotated[TextDelta, Tag("text_delta")]
    | Annotated[InputJSONDelta, Tag("input_json_delta")]
    | Annotated[ThinkingDelta, Tag("thinking_delta")]
    | Annotated[SignatureDelta, Tag("signature_delta")]
    | Annotated[CitationsDelta, Tag("citations_delta")]
    | Annotated[UnknownDelta, Tag("unknown")],
    Discriminator(_delta_tag),
]


# -- events -----------------------------------------------------------------------------------


class MessageStartEvent(EventBase):
    """The message so far: id, model, role, empty content, the input usage."""

    type: Literal["message_start"] = "message_start"
    message: Message


class ContentBlockStartEvent(EventBase):
    type: Literal["content_block_start"] = "content_block_start"
    index: int
    content_block: ContentBlock


class ContentBlockDeltaEvent(EventBase):
    type: Literal["content_block_delta"] = "content_block_delta"
    index: int
    delta: BlockDelta


class ContentBlockStopEvent(EventBase):
    type: Literal["content_block_stop"] = "content_block_stop"
    index: int


class MessageDeltaFields(WireModel):
    stop_reason: str | None = None
    stop_sequence: str | None = None


class MessageDeltaEvent(EventBase):
    """Why the message stopped, and the usage so far (``output_tokens`` cumulative)."""

    type: Literal["message_delta"] = "message_delta"
    delta: MessageDeltaFields = Field(default_factory=MessageDeltaFields)
    usage: MessageUsage | None = None


class MessageStopEvent(EventBase):
    """The terminator: a stream without it is incomplete."""

    type: Literal["message_stop"] = "message_stop"


class PingEvent(EventBase):
    type: Literal["ping"] = "ping"


class ErrorEvent(EventBase):
    """``{"type": "error", "error": {"type": "overloaded_error", "message": ...}}``: never handed
    out, raised as the mapped error (:func:`yescale.errors.error_from_payload`)."""

    type: Literal["error"] = "error"
    error: dict[str, Any] = Field(default_factory=dict)


class UnknownEvent(EventBase):
    """An event of a type this version does not know, kept whole."""


_EVENTS = (
    "message_start",
    "content_block_start",
    "content_block_delta",
    "content_block_stop",
    "message_delta",
    "message_stop",
    "ping",
    "error",
)


def _event_tag(value: Any) -> str:
    kind = value.get("type") if isinstance(value, dict) else getattr(value, "type", None)
    return kind if kind in _EVENTS else "unknown"


MessageStreamEvent = Annotated[
    Annotated[MessageStartEvent, Tag("message_start")]
    | Annotated[ContentBlockStartEvent, Tag("content_block_start")]
    | Annotated[ContentBlockDeltaEvent, Tag("content_block_delta")]
    | Annotated[ContentBlockStopEvent, Tag("content_block_stop")]
    | Annotated[MessageDeltaEvent, Tag("message_delta")]
    | Annotated[MessageStopEvent, Tag("message_stop")]
    | Annotated[PingEvent, Tag("ping")]
    | Annotated[ErrorEvent, Tag("error")]
    | Annotated[UnknownEvent, Tag("unknown")],
    Discriminator(_event_tag),
]

__all__ = [
    "BlockDelta",
    "CitationsDelta",
    "ContentBlockDeltaEvent",
    "ContentBlockStartEvent",
    "ContentBlockStopEvent",
    "ErrorEvent",
    "EventBase",
    "InputJSONDelta",
    "MessageDeltaEvent",
    "MessageDeltaFields",
    "MessageStartEvent",
    "MessageStopEvent",
    "MessageStreamEvent",
    "PingEvent",
    "SignatureDelta",
    "TextDelta",
    "ThinkingDelta",
    "UnknownDelta",
    "UnknownEvent",
]
