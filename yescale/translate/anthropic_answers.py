"""Anthropic's Messages answers -> OpenAI-format completions and chunks (the neutral form).

The request's way is :mod:`yescale.translate.anthropic_chat`. An answer's message:

* ``content``: the text blocks joined; ``annotations``: each citation of a text block, with
  ``start_index`` / ``end_index`` the span of *that text block* in ``content`` (Anthropic cites a
  whole text block and gives ``cited_text``, a quote of the source, not offsets into our text):
  ``web_search_result_location`` -> ``{"type": "url_citation", "url_citation": {"url", "title",
  "start_index", "end_index", "cited_text"}}``; document locations (``char_location``,
  ``page_location``, ``content_block_location``...) -> ``{"type": "document_citation",
  "document_citation": {"start_index", "end_index", "cited_text", "title", "document_index",
  "location": <Anthropic's citation>}}``;
* thinking: ``reasoning_content`` (the thinking texts joined), and the blocks as they came
  (signatures, redacted ``data``) in ``extra_content["anthropic"]["thinking"]``, sent back next
  turn by :func:`~yescale.translate.anthropic_chat.to_anthropic_request`;
* ``tool_use`` -> ``tool_calls`` (``input`` as JSON ``arguments``);
* server tools present: ``content_blocks``, the text and server blocks in order as standard blocks
  (``server_tool_call`` / ``server_tool_result``, Anthropic's block type in
  ``extras["block_type"]``; a text block's citations in ``extras["citations"]``; a block of a type
  this version does not know as ``{"type": "non_standard", "value": <block>}``);
* ``finish_reason``: ``end_turn`` / ``stop_sequence`` -> ``stop``, ``max_tokens`` -> ``length``,
  ``tool_use`` -> ``tool_calls``, ``refusal`` -> ``content_filter``, others (``pause_turn``) as
  they are; Anthropic's own on the choice as ``anthropic_stop_reason`` (and ``stop_sequence``);
* usage: ``prompt_tokens`` = input + cache writes + cache reads, ``prompt_tokens_details``
  ``cached_tokens`` = cache reads and ``cache_creation_tokens`` = cache writes.
"""

from __future__ import annotations

import json
from typing import Any

from .._message_stream import MessageAccumulator
from ..types.chat import ChatCompletion, ChatCompletionChunk, PromptTokensDetails, Usage
from ..types.message_events import (
    ContentBlockDeltaEvent,
    ContentBlockStartEvent,
    ContentBlockStopEvent,
    EventBase,
    InputJSONDelta,
    MessageStartEvent,
    MessageStopEvent,
    TextDelta,
    ThinkingDelta,
)
from ..types.messages import (
    ContentBlockBase,
    Message,
    MessageUsage,
    RedactedThinkingBlock,
    ServerToolUseBlock,
    TextBlock,
    ThinkingBlock,
    ToolUseBlock,
)
from .anthropic_chat import PROVIDER_KEY

__all__ = [
    "AnthropicChunkTranslator",
    "anthropic_usage",
    "citation_annotations",
    "finish_reason",
    "from_anthropic_message",
]

_FINISH = {
    "end_turn": "stop",
    "stop_sequence": "stop",
    "max_tokens": "length",
    "tool_use": "tool_calls",
    "refusal": "content_filter",
}
#: Blocks that travel elsewhere than ``content_blocks`` (text too, unless server tools ran).
_ELSEWHERE = (ThinkingBlock, RedactedThinkingBlock, ToolUseBlock)


def finish_reason(stop_reason: str | None) -> str | None:
    return None if stop_reason is None else _FINISH.get(stop_reason, stop_reason)


def anthropic_usage(usage: MessageUsage | None) -> Usage | None:
    """Anthropic's counts in OpenAI's words: every input token is a prompt token."""
    if usage is None:
        return None
    prompt = usage.prompt_tokens
    completion = usage.output_tokens or 0
    details = PromptTokensDetails.model_validate(
        {
            "cached_tokens": usage.cache_read_input_tokens or 0,
            "cache_creation_tokens": usage.cache_creation_input_tokens or 0,
        }
    )
    fields: dict[str, Any] = {
        "prompt_tokens": prompt,
        "completion_tokens": completion,
        "total_tokens": prompt + completion,
        "prompt_tokens_details": details,
    }
    if usage.server_tool_use is not None:
        fields["server_tool_use"] = usage.server_tool_use.to_wire()
    return Usage.model_validate(fields)


def citation_annotations(
    citations: list[dict[str, Any]] | None, start: int, end: int
) -> list[dict[str, Any]]:
    """A text block's citations as annotations on its span ``[start, end)`` of the answer text."""
    out: list[dict[str, Any]] = []
    for citation in citations or []:
        if not isinstance(citation, dict):
            continue
        span = {"start_index": start, "end_index": end, "cited_text": citation.get("cited_text")}
        if citation.get("type") == "web_search_result_location" and citation.get("url"):
            inner = {"url": str(citation["url"]), "title": str(citation.get("title") or ""), **span}
            out.append({"type": "url_citation", "url_citation": inner})
        else:
            document = {
                **span,
                "title": citation.get("document_title"),
                "document_index": citation.get("document_index"),
                "location": citation,
            }
            out.append({"type": "document_citation", "document_citation": document})
    return out


def _text_block(block: TextBlock) -> dict[str, Any]:
    out: dict[str, Any] = {"type": "text", "text": block.text}
    if block.citations:
        out["extras"] = {"citations": block.citations}
    return out


def standard_block(block: ContentBlockBase) -> dict[str, Any] | None:
    """One answer block as the standard block ``content_blocks`` holds (``None``: it travels
    in ``reasoning_content``, ``extra_content`` or ``tool_calls``)."""
    if isinstance(block, _ELSEWHERE):
        return None
    if isinstance(block, TextBlock):
        return _text_block(block)
    wire = block.to_wire()
    if isinstance(block, ServerToolUseBlock):
        call: dict[str, Any] = {
            "type": "server_tool_call",
            "id": block.id,
            "name": block.name,
            "args": block.input if isinstance(block.input, dict) else {},
        }
        if block.type != "server_tool_use":
            call["extras"] = {"block_type": block.type}
        return call
    if block.type.endswith("_tool_result"):
        content = wire.get("content")
        failed = isinstance(content, dict) and bool(content.get("error_code"))
        return {
            "type": "server_tool_result",
            "tool_call_id": str(wire.get("tool_use_id") or ""),
            "status": "error" if failed or wire.get("is_error") else "success",
            "output": content,
            "extras": {"block_type": block.type},
        }
    return {"type": "non_standard", "value": wire}


def _thinking(block: ContentBlockBase) -> dict[str, Any] | None:
    if isinstance(block, (ThinkingBlock, RedactedThinkingBlock)):
        return block.to_wire()
    return None


def _has_server_blocks(message: Message) -> bool:
    return any(not isinstance(b, (*_ELSEWHERE, TextBlock)) for b in message.content)


def from_anthropic_message(message: Message, rich: bool = False) -> ChatCompletion:
    """A Messages answer as an OpenAI-format completion (one choice); ``content_blocks`` when
    server tools ran, or ``rich`` (the request offered them: a stream's way, see
    :class:`AnthropicChunkTranslator`)."""
    texts: list[str] = []
    annotations: list[dict[str, Any]] = []
    thinking: list[dict[str, Any]] = []
    reasoning: list[str] = []
    calls: list[dict[str, Any]] = []
    offset = 0
    for block in message.content:
        if isinstance(block, TextBlock):
            texts.append(block.text)
            annotations += citation_annotations(block.citations, offset, offset + len(block.text))
            offset += len(block.text)
        elif isinstance(block, ThinkingBlock):
            reasoning.append(block.thinking)
        elif isinstance(block, ToolUseBlock):
            calls.append(
                {
                    "id": block.id,
                    "type": "function",
                    "function": {"name": block.name, "arguments": json.dumps(block.input)},
                }
            )
        kept = _thinking(block)
        if kept is not None:
            thinking.append(kept)
    out: dict[str, Any] = {"role": "assistant", "content": "".join(texts)}
    if reasoning:
        out["reasoning_content"] = "".join(reasoning)
    if thinking:
        out["extra_content"] = {PROVIDER_KEY: {"thinking": thinking}}
    if calls:
        out["tool_calls"] = calls
    if annotations:
        out["annotations"] = annotations
    if rich or _has_server_blocks(message):
        out["content_blocks"] = [b for b in map(standard_block, message.content) if b]
    choice: dict[str, Any] = {
        "index": 0,
        "message": out,
        "finish_reason": finish_reason(message.stop_reason),
        **_choice_extras(message),
    }
    completion = ChatCompletion.model_validate(
        {
            "id": message.id,
            "object": "chat.completion",
            "model": message.model,
            "choices": [choice],
        }
    )
    completion.usage = anthropic_usage(message.usage)
    return completion


def _choice_extras(message: Message) -> dict[str, Any]:
    extras: dict[str, Any] = {}
    if message.stop_reason:
        extras["anthropic_stop_reason"] = message.stop_reason
    if message.stop_sequence:
        extras["stop_sequence"] = message.stop_sequence
    return extras


class AnthropicChunkTranslator:
    """Turns one stream's Messages events into OpenAI-format chunks (:meth:`translate` each
    event; ``None`` when an event has nothing to tell).

    Every event also goes to a :class:`~yescale._message_stream.MessageAccumulator`, which
    refuses events that do not fit. Text deltas are ``content``, thinking deltas
    ``reasoning_content``; a thinking block (text and signature) or a redacted one goes whole, in
    ``extra_content["anthropic"]["thinking"]`` with its ``index``, on the chunk of its
    ``content_block_stop``. A tool call is announced (id, name) at its block's start and its
    ``input_json_delta`` pieces follow as argument fragments, with one ``index`` per call
    (0, 1, ... in the answer). A text block's citations come as ``annotations`` when it stops.
    Once a server tool block starts, blocks also go out in ``content_blocks`` with their
    Anthropic ``index``; from the first event when ``rich`` (the request offered server tools,
    so that text before the first server block is among the blocks too). The finish reason and
    the usage (counted once) come on one last chunk, sent when ``message_stop`` arrives: a
    stream cut before it never shows a finish.
    """

    def __init__(self, rich: bool = False) -> None:
        self.accumulator = MessageAccumulator()
        self.finished = False
        self._text = 0
        self._starts: dict[int, int] = {}
        self._calls: dict[int, int] = {}
        self._rich = rich

    def translate(self, event: EventBase) -> ChatCompletionChunk | None:
        self.accumulator.feed(event)
        delta: dict[str, Any] = {}
        finish: dict[str, Any] = {}
        if isinstance(event, MessageStartEvent):
            delta["role"] = "assistant"
        elif isinstance(event, ContentBlockStartEvent):
            self._start(event, delta)
        elif isinstance(event, ContentBlockDeltaEvent):
            self._delta(event, delta)
        elif isinstance(event, ContentBlockStopEvent):
            self._stop(event.index, delta)
        elif isinstance(event, MessageStopEvent):
            message = self.accumulator.message
            self.finished = True
            finish = {"finish_reason": finish_reason(message.stop_reason)}
            finish.update(_choice_extras(message))
        else:
            return None  # message_delta: kept until message_stop; unknown events
        if not delta and not finish:
            return None
        message = self.accumulator.message
        chunk = ChatCompletionChunk.model_validate(
            {
                "id": message.id,
                "object": "chat.completion.chunk",
                "model": message.model,
                "choices": [{"index": 0, "delta": delta, **finish}],
            }
        )
        if self.finished:
            chunk.usage = anthropic_usage(message.usage)
        return chunk

    def _block(self, index: int) -> ContentBlockBase:
        return self.accumulator.message.content[index]

    def _start(self, event: ContentBlockStartEvent, delta: dict[str, Any]) -> None:
        block = event.content_block
        if isinstance(block, TextBlock):
            self._starts[event.index] = self._text
            if block.text:
                self._add_text(event.index, block.text, delta)
        elif isinstance(block, ToolUseBlock):
            index = self._calls[event.index] = len(self._calls)
            given = json.dumps(block.input) if block.input else ""
            call = {"index": index, "id": block.id, "type": "function"}
            delta["tool_calls"] = [{**call, "function": {"name": block.name, "arguments": given}}]
        elif not isinstance(block, (ThinkingBlock, RedactedThinkingBlock)):
            self._rich = True  # server tool blocks (and unknown ones) from here on

    def _add_text(self, index: int, text: str, delta: dict[str, Any]) -> None:
        self._text += len(text)
        delta["content"] = text
        if self._rich:
            delta["content_blocks"] = [{"type": "text", "text": text, "index": index}]

    def _delta(self, event: ContentBlockDeltaEvent, delta: dict[str, Any]) -> None:
        change = event.delta
        if isinstance(change, TextDelta) and change.text:
            self._add_text(event.index, change.text, delta)
        elif isinstance(change, ThinkingDelta) and change.thinking:
            delta["reasoning_content"] = change.thinking
        elif (
            isinstance(change, InputJSONDelta)
            and change.partial_json
            and event.index in self._calls
        ):
            fragment = {"arguments": change.partial_json}
            delta["tool_calls"] = [{"index": self._calls[event.index], "function": fragment}]
        # signature and citations deltas: the whole block goes out when it stops

    def _stop(self, index: int, delta: dict[str, Any]) -> None:
        block = self._block(index)
        if isinstance(block, TextBlock):
            start = self._starts.get(index, self._text)
            annotations = citation_annotations(block.citations, start, self._text)
            if annotations:
                delta["annotations"] = annotations
            if self._rich and block.citations:
                extras = {"citations": block.citations}
                delta["content_blocks"] = [
                    {"type": "text", "text": "", "index": index, "extras": extras}
                ]
            return
        kept = _thinking(block)
        if kept is not None:
            delta["extra_content"] = {PROVIDER_KEY: {"thinking": [{**kept, "index": index}]}}
            return
        standard = standard_block(block)
        if standard is not None:
            delta["content_blocks"] = [{**standard, "index": index}]
