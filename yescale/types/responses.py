"""OpenAI's Responses API (``POST /v1/responses``) in its own wire format, as YEScale relays it.

The request keeps the caller's input items and tools as given (fields OpenAI adds pass through
untouched). The answer, :class:`Response`, types every output item this version knows
(``message`` with ``output_text`` / ``refusal`` content and ``url_citation`` annotations,
``reasoning`` with its summary and ``encrypted_content``, ``function_call``,
``web_search_call``, ``image_generation_call``, ``code_interpreter_call``); an item of a type
added later is kept as :class:`UnknownItem`, with all its fields, so it goes back on the next
turn as it came. Stream events are in :mod:`yescale.types.response_events`.
"""

from __future__ import annotations

import json
from typing import Annotated, Any, Literal

from pydantic import Discriminator, Field, StrictBool, Tag

from ._base import Priced, WireModel


class ResponsesRequest(WireModel):
    """The body of ``POST /v1/responses``; any other parameter is passed through."""

    model: str
    input: str | list[dict[str, Any]]
    instructions: str | None = None
    tools: list[dict[str, Any]] | None = None
    tool_choice: str | dict[str, Any] | None = None
    parallel_tool_calls: StrictBool | None = None
    reasoning: dict[str, Any] | None = None
    include: list[str] | None = None
    store: StrictBool | None = None
    previous_response_id: str | None = None
    text: dict[str, Any] | None = None
    max_output_tokens: int | None = Field(default=None, ge=1)
    # OpenAI's ranges: temperature 0-2, top_p 0-1.
    temperature: float | None = Field(default=None, ge=0, le=2, allow_inf_nan=False)
    top_p: float | None = Field(default=None, ge=0, le=1, allow_inf_nan=False)
    metadata: dict[str, str] | None = None
    truncation: str | None = None
    user: str | None = None
    service_tier: str | None = None
    stream: bool | None = None


def _tag(value: Any, known: tuple[str, ...]) -> str:
    kind = value.get("type") if isinstance(value, dict) else getattr(value, "type", None)
    return kind if isinstance(kind, str) and kind in known else "unknown"


# -- content of a message item ------------------------------------------------------------------


class UrlCitation(WireModel):
    """A web source the text cites: characters ``start_index``-``end_index`` of the text."""

    type: Literal["url_citation"] = "url_citation"
    url: str = ""
    title: str | None = None
    start_index: int | None = None
    end_index: int | None = None


class UnknownAnnotation(WireModel):
    """An annotation of another type (``file_citation``, ``container_file_citation``...), kept."""

    type: str


Annotation = Annotated[
    Annotated[UrlCitation, Tag("url_citation")] | Annotated[UnknownAnnotation, Tag("unknown")],
    Discriminator(lambda v: _tag(v, ("url_citation",))),
]


class ContentBase(WireModel):
    type: str


class OutputText(ContentBase):
    """Text the model wrote; ``annotations`` cite its sources (web search)."""

    type: Literal["output_text"] = "output_text"
    text: str = ""
    annotations: list[Annotation] = Field(default_factory=list)

    @property
    def url_citations(self) -> list[UrlCitation]:
        return [a for a in self.annotations if isinstance(a, UrlCitation)]


class Refusal(ContentBase):
    """The model declined: ``refusal`` says why."""

    type: Literal["refusal"] = "refusal"
    refusal: str = ""


class UnknownContent(ContentBase):
    """Content of a type this version does not know, kept whole."""


_CONTENTS = ("output_text", "refusal")
OutputContent = Annotated[
    Annotated[OutputText, Tag("output_text")]
    | Annotated[Refusal, Tag("refusal")]
    | Annotated[UnknownContent, Tag("unknown")],
    Discriminator(lambda v: _tag(v, _CONTENTS)),
]


class SummaryText(WireModel):
    """One part of a reasoning item's summary."""

    type: str = "summary_text"
    text: str = ""


# -- output items -------------------------------------------------------------------------------


class OutputItemBase(WireModel):
    """What every output item has: its ``type`` (and, as a rule, an ``id`` and a ``status``)."""

    type: str
    id: str | None = None
    status: str | None = None

    def to_param(self) -> dict[str, Any]:
        """The item as it goes in the next request's ``input`` (every field kept)."""
        return self.to_wire()


class MessageItem(OutputItemBase):
    """The assistant's message: ``output_text`` (and ``refusal``) content."""

    type: Literal["message"] = "message"
    role: str = "assistant"
    content: list[OutputContent] = Field(default_factory=list)

    @property
    def text(self) -> str:
        return "".join(c.text for c in self.content if isinstance(c, OutputText))


class ReasoningItem(OutputItemBase):
    """The model's reasoning: a ``summary`` (when asked for with ``reasoning.summary``) and,
    with ``include=["reasoning.encrypted_content"]``, ``encrypted_content`` to send back (with
    the item) on the next turn when nothing is stored (``store=False``)."""

    type: Literal["reasoning"] = "reasoning"
    summary: list[SummaryText] = Field(default_factory=list)
    encrypted_content: str | None = None
    content: list[dict[str, Any]] | None = None

    @property
    def summary_text(self) -> str:
        return "\n\n".join(part.text for part in self.summary)


class FunctionCallItem(OutputItemBase):
    """A call of one of the caller's function tools: answer it with a ``function_call_output``
    item carrying the same ``call_id``. ``arguments`` is JSON text, as the model wrote it."""

    type: Literal["function_call"] = "function_call"
    call_id: str = ""
    name: str = ""
    arguments: str = ""

    def parsed_arguments(self) -> Any:
        """``arguments`` read as JSON (``{}`` when empty); ``InvalidResponseError`` when the
        model wrote something that is not JSON."""
        from ..errors import incomplete_answer, quote

        if not self.arguments.strip():
            return {}
        try:
            return json.loads(self.arguments)
        except (ValueError, RecursionError):
            raise incomplete_answer(
                f"function call {self.name!r}",
                f"arguments that are not JSON: {quote(self.arguments, (), 120)}",
            ) from None

    def output(self, output: str) -> dict[str, Any]:
        """The ``function_call_output`` item answering this call."""
        return {"type": "function_call_output", "call_id": self.call_id, "output": output}


class WebSearchCallItem(OutputItemBase):
    """A web search OpenAI ran (the ``web_search`` / ``web_search_preview`` tool)."""

    type: Literal["web_search_call"] = "web_search_call"
    action: dict[str, Any] | None = None


class ImageGenerationCallItem(OutputItemBase):
    """An image made by the ``image_generation`` tool: ``result`` is the image in base64."""

    type: Literal["image_generation_call"] = "image_generation_call"
    result: str | None = None
    revised_prompt: str | None = None


class CodeInterpreterCallItem(OutputItemBase):
    """Code run by the ``code_interpreter`` tool, with its ``outputs`` (logs, images)."""

    type: Literal["code_interpreter_call"] = "code_interpreter_call"
    code: str | None = None
    container_id: str | None = None
    outputs: list[dict[str, Any]] | None = None


class UnknownItem(OutputItemBase):
    """An item of a type this version does not know: every field kept, sent back as it came."""


_ITEMS = (
    "message",
    "reasoning",
    "function_call",
    "web_search_call",
    "image_generation_call",
    "code_interpreter_call",
)
OutputItem = Annotated[
    Annotated[MessageItem, Tag("message")]
    | Annotated[ReasoningItem, Tag("reasoning")]
    | Annotated[FunctionCallItem, Tag("function_call")]
    | Annotated[WebSearchCallItem, Tag("web_search_call")]
    | Annotated[ImageGenerationCallItem, Tag("image_generation_call")]
    | Annotated[CodeInterpreterCallItem, Tag("code_interpreter_call")]
    | Annotated[UnknownItem, Tag("unknown")],
    Discriminator(lambda v: _tag(v, _ITEMS)),
]


# -- the answer ---------------------------------------------------------------------------------


class InputTokensDetails(WireModel):
    cached_tokens: int | None = None


class OutputTokensDetails(WireModel):
    reasoning_tokens: int | None = None


class ResponseUsage(WireModel):
    """Token counts. ``input_tokens`` includes the cached ones (``input_tokens_details``),
    ``output_tokens`` the reasoning ones (``output_tokens_details``)."""

    input_tokens: int | None = None
    output_tokens: int | None = None
    total_tokens: int | None = None
    input_tokens_details: InputTokensDetails | None = None
    output_tokens_details: OutputTokensDetails | None = None

    @property
    def cached_tokens(self) -> int:
        details = self.input_tokens_details
        return (details.cached_tokens or 0) if details else 0

    @property
    def reasoning_tokens(self) -> int:
        details = self.output_tokens_details
        return (details.reasoning_tokens or 0) if details else 0


class IncompleteDetails(WireModel):
    """Why a response is ``incomplete``: ``max_output_tokens`` or ``content_filter``."""

    reason: str | None = None


class ResponseError(WireModel):
    """The ``error`` of a failed response (``code``, ``message``)."""

    code: str | int | None = None
    message: str | None = None


class Response(Priced, WireModel):
    """An answer of ``/v1/responses``: ``output`` items, ``status``, ``usage``.

    ``status`` is ``completed``, ``incomplete`` (``incomplete_details.reason`` says why; the
    output so far is kept), or for background responses ``queued`` / ``in_progress``; a
    ``failed`` response is raised as its error, never returned.
    """

    id: str | None = None
    object: str | None = "response"
    created_at: float | None = None
    status: str | None = None
    model: str | None = None
    output: list[OutputItem] = Field(default_factory=list)
    usage: ResponseUsage | None = None
    incomplete_details: IncompleteDetails | None = None
    error: ResponseError | None = None
    previous_response_id: str | None = None

    @property
    def output_text(self) -> str:
        """The text of every message item's ``output_text`` content, joined."""
        return "".join(item.text for item in self.output if isinstance(item, MessageItem))

    @property
    def function_calls(self) -> list[FunctionCallItem]:
        return [item for item in self.output if isinstance(item, FunctionCallItem)]

    @property
    def reasoning(self) -> list[ReasoningItem]:
        return [item for item in self.output if isinstance(item, ReasoningItem)]

    def to_input(self) -> list[dict[str, Any]]:
        """The output items as ``input`` items of the next request (every field kept:
        reasoning ``encrypted_content`` included), for conversations kept by the caller
        rather than by ``previous_response_id``."""
        return [item.to_param() for item in self.output]


__all__ = [
    "Annotation",
    "CodeInterpreterCallItem",
    "ContentBase",
    "FunctionCallItem",
    "ImageGenerationCallItem",
    "IncompleteDetails",
    "InputTokensDetails",
    "MessageItem",
    "OutputContent",
    "OutputItem",
    "OutputItemBase",
    "OutputText",
    "OutputTokensDetails",
    "ReasoningItem",
    "Refusal",
    "Response",
    "ResponseError",
    "ResponseUsage",
    "ResponsesRequest",
    "SummaryText",
    "UnknownAnnotation",
    "UnknownContent",
    "UnknownItem",
    "UrlCitation",
    "WebSearchCallItem",
]
