"""A streamed Responses answer's events -> OpenAI-format chunks (the neutral form), so that the
chunks folded together say what :func:`~yescale.translate.responses_answers.from_response` says
of the whole response."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .._response_stream import ResponseAccumulator
from ..types.chat import ChatCompletionChunk
from ..types.response_events import (
    TERMINAL,
    ContentPartAddedEvent,
    EventBase,
    FunctionCallArgumentsDeltaEvent,
    OutputItemAddedEvent,
    OutputItemDoneEvent,
    OutputTextAnnotationAddedEvent,
    OutputTextDeltaEvent,
    ReasoningSummaryTextDeltaEvent,
    RefusalDeltaEvent,
    ResponseCreatedEvent,
)
from ..types.responses import (
    FunctionCallItem,
    MessageItem,
    OutputItemBase,
    OutputText,
    ReasoningItem,
    Response,
)
from .responses_answers import (
    choice_extras,
    finish_reason,
    is_builtin_item,
    responses_chat_usage,
    tool_call,
)
from .responses_blocks import BLOCK_COUNTS, chat_annotation, standard_blocks
from .responses_chat import PROVIDER_KEY

__all__ = ["ResponsesChunkTranslator"]


@dataclass
class _Part:
    """An ``output_text`` part as streamed so far."""

    index: int  # its block's index in content_blocks
    offset: int  # where its text starts in the answer's content
    item_id: str | None
    sent: str = ""
    notes: int = 0  # annotations sent


class ResponsesChunkTranslator:
    """Turns one stream's Responses events into OpenAI-format chunks (:meth:`translate` each
    event; ``None`` when an event has nothing to tell).

    Every event also goes to a :class:`~yescale._response_stream.ResponseAccumulator`, which
    refuses events that do not fit. ``response.created`` brings the role and
    ``extra_content["openai"]["response_id"]``. Text deltas are ``content`` (annotations as
    ``annotations``, offsets into the content), refusal deltas ``refusal``, reasoning summary
    deltas ``reasoning_content`` (a blank line between summary parts). A function call is
    announced (id, name, item id) when its item is added, its argument deltas follow, with one
    ``index`` per call (0, 1, ... in the answer). When an item is done: what its deltas did not
    bring (a gateway may send an item whole) follows; a reasoning item goes whole in
    ``extra_content["openai"]["reasoning"]`` with its ``index`` (its output index); the first
    message's id as ``extra_content["openai"]["message_id"]``; a built-in tool's item as its
    ``content_blocks``, each with an ``index``. Once a built-in item comes, text goes out in
    ``content_blocks`` too; from the first event when ``rich`` (the request offered built-in
    tools). The finish reason and the usage come on one last chunk, when
    ``response.completed`` / ``response.incomplete`` arrives: a stream cut before it never shows
    a finish.
    """

    def __init__(self, rich: bool = False) -> None:
        self.accumulator = ResponseAccumulator()
        self.finished = False
        self._rich = rich
        self._text = 0
        self._blocks = 0
        self._parts: dict[tuple[int, int], _Part] = {}
        self._calls: dict[int, int] = {}
        self._arguments: dict[int, str] = {}
        self._summaries: dict[tuple[int, int], str] = {}
        self._reasoned = False
        self._builtin: dict[int, int] = {}
        self._message_id_sent = False

    def translate(self, event: EventBase) -> ChatCompletionChunk | None:
        self.accumulator.feed(event)
        delta: dict[str, Any] = {}
        finish: dict[str, Any] = {}
        if isinstance(event, ResponseCreatedEvent):
            delta["role"] = "assistant"
            if event.response.id:
                delta["extra_content"] = {PROVIDER_KEY: {"response_id": event.response.id}}
        elif isinstance(event, OutputItemAddedEvent):
            self._added(event.output_index, event.item, delta)
        elif isinstance(event, ContentPartAddedEvent):
            if isinstance(event.part, OutputText):
                part = self._part(event.output_index, event.content_index, delta)
                if event.part.text:
                    self._add_text(part, event.part.text, delta)
        elif isinstance(event, OutputTextDeltaEvent):
            part = self._part(event.output_index, event.content_index, delta)
            self._add_text(part, event.delta, delta)
        elif isinstance(event, OutputTextAnnotationAddedEvent):
            part = self._part(event.output_index, event.content_index, delta)
            delta["annotations"] = [chat_annotation(event.annotation, part.offset)]
            part.notes += 1
        elif isinstance(event, RefusalDeltaEvent):
            if event.delta:
                delta["refusal"] = event.delta
        elif isinstance(event, FunctionCallArgumentsDeltaEvent):
            self._add_arguments(event.output_index, event.delta, delta)
        elif isinstance(event, ReasoningSummaryTextDeltaEvent):
            self._add_reasoning((event.output_index, event.summary_index), event.delta, delta)
        elif isinstance(event, OutputItemDoneEvent):
            self._done(event.output_index, self.accumulator.output[event.output_index], delta)
        elif isinstance(event, TERMINAL):
            self.finished = True
            final = self.accumulator.response
            finish = {"finish_reason": finish_reason(final), **choice_extras(final)}
        else:
            return None  # in_progress, .done of parts (checked), hosted tools' progress, unknown
        if not delta and not finish:
            return None
        response = self.accumulator.response
        chunk = ChatCompletionChunk.model_validate(
            {
                "id": response.id,
                "object": "chat.completion.chunk",
                "created": int(response.created_at) if response.created_at is not None else None,
                "model": response.model,
                "choices": [{"index": 0, "delta": delta, **finish}],
            }
        )
        if self.finished:
            chunk.usage = responses_chat_usage(response.usage)
        return chunk

    @property
    def response(self) -> Response:
        """The response as built so far."""
        return self.accumulator.response

    # -- items ----------------------------------------------------------------------------------

    def _added(self, index: int, item: OutputItemBase, delta: dict[str, Any]) -> None:
        if isinstance(item, FunctionCallItem):
            self._calls[index] = len(self._calls)
            self._arguments[index] = item.arguments
            delta["tool_calls"] = [{**tool_call(item), "index": self._calls[index]}]
        elif is_builtin_item(item):
            self._builtin[index] = self._blocks
            self._blocks += BLOCK_COUNTS.get(item.type, 1)

    def _done(self, index: int, item: OutputItemBase, delta: dict[str, Any]) -> None:
        if isinstance(item, MessageItem):
            self._message_done(index, item, delta)
        elif isinstance(item, FunctionCallItem):
            if not self._arguments.get(index) and item.arguments:
                self._add_arguments(index, item.arguments, delta)
        elif isinstance(item, ReasoningItem):
            for s, summary in enumerate(item.summary):
                if not self._summaries.get((index, s)) and summary.text:
                    self._add_reasoning((index, s), summary.text, delta)
            reasoning = [{**item.to_wire(), "index": index}]
            self._extra(delta, {"reasoning": reasoning})
        elif index in self._builtin:
            self._rich = True  # text goes in content_blocks too from here on
            first = self._builtin[index]
            blocks = standard_blocks(item)
            delta["content_blocks"] = [{**b, "index": first + j} for j, b in enumerate(blocks)]

    def _message_done(self, index: int, item: MessageItem, delta: dict[str, Any]) -> None:
        for c, content in enumerate(item.content):
            if not isinstance(content, OutputText):
                continue
            part = self._part(index, c, delta)
            if not part.sent and content.text:
                self._add_text(part, content.text, delta)
            notes = content.annotations[part.notes :]
            if notes:
                delta.setdefault("annotations", []).extend(
                    chat_annotation(a, part.offset) for a in notes
                )
                part.notes = len(content.annotations)
            if self._rich and content.annotations:
                extras = {"annotations": [a.to_wire() for a in content.annotations]}
                block = {"type": "text", "text": "", "index": part.index, "extras": extras}
                delta.setdefault("content_blocks", []).append(block)
        if item.id and not self._message_id_sent:
            self._message_id_sent = True
            self._extra(delta, {"message_id": item.id})

    # -- pieces ---------------------------------------------------------------------------------

    def _part(self, index: int, content_index: int, delta: dict[str, Any]) -> _Part:
        key = (index, content_index)
        part = self._parts.get(key)
        if part is None:
            item_id = self.accumulator.output[index].id
            part = self._parts[key] = _Part(self._blocks, self._text, item_id)
            self._blocks += 1
            if self._rich:
                block: dict[str, Any] = {"type": "text", "text": "", "index": part.index}
                if item_id:
                    block["id"] = item_id
                delta.setdefault("content_blocks", []).append(block)
        return part

    def _add_text(self, part: _Part, text: str, delta: dict[str, Any]) -> None:
        if not text:
            return
        part.sent += text
        self._text += len(text)
        delta["content"] = delta.get("content", "") + text
        if self._rich:
            block = {"type": "text", "text": text, "index": part.index}
            delta.setdefault("content_blocks", []).append(block)

    def _add_arguments(self, index: int, text: str, delta: dict[str, Any]) -> None:
        if not text or index not in self._calls:
            return
        self._arguments[index] = self._arguments.get(index, "") + text
        fragment = {"index": self._calls[index], "function": {"arguments": text}}
        delta.setdefault("tool_calls", []).append(fragment)

    def _add_reasoning(self, key: tuple[int, int], text: str, delta: dict[str, Any]) -> None:
        if not text:
            return
        if not self._summaries.get(key) and self._reasoned:
            text = "\n\n" + text  # a new summary part, as the whole answer joins them
        self._summaries[key] = self._summaries.get(key, "") + text
        self._reasoned = True
        delta["reasoning_content"] = delta.get("reasoning_content", "") + text

    @staticmethod
    def _extra(delta: dict[str, Any], fields: dict[str, Any]) -> None:
        extra = delta.setdefault("extra_content", {}).setdefault(PROVIDER_KEY, {})
        extra.update(fields)
