"""Streamed chunks -> LlamaIndex ``ChatResponse`` s that carry the whole message so far.

As llama-index-llms-openai does, every streamed response holds the accumulated message (thinking,
text, tool calls merged by index) plus ``delta`` (the new text) and, in ``additional_kwargs``,
``thinking_delta`` (the new reasoning text) and the token usage once the service sends it. The
accumulation is the client's (:class:`yescale.integration.streams.ChunkAccumulator`); this module
only builds the LlamaIndex objects.
"""

from __future__ import annotations

from typing import Any

from llama_index.core.base.llms.types import ChatResponse

from yescale.integration.answers import cost_metadata, usage_counts
from yescale.integration.streams import ChunkAccumulator
from yescale.types.chat import ChatCompletionChunk

from ..costs import report_cost
from ._convert import assistant_message


class StreamAccumulator:
    """Builds one ``ChatResponse`` per chunk, each with the full message so far."""

    def __init__(self) -> None:
        self.so_far = ChunkAccumulator()
        #: the stream's cost, once the chunk with the usage has come
        self.cost: dict[str, Any] = {}

    def add(self, chunk: ChatCompletionChunk) -> ChatResponse:
        so_far = self.so_far
        heard = len(str((so_far.audio or {}).get("transcript") or ""))
        content_delta, reasoning_delta = so_far.add(chunk)
        if not so_far.content and so_far.audio:
            # an audio answer has no text: its transcript is the message's, and streams as it
            content_delta = str(so_far.audio.get("transcript") or "")[heard:]
        message = assistant_message(
            content=so_far.content,
            reasoning=so_far.reasoning,
            calls=so_far.tool_calls,
            extras=so_far.extras,
            thinking_tokens=so_far.thinking_tokens,
            outputs=so_far.content_blocks,
            annotations=so_far.annotations,
            audio=so_far.audio,
        )
        priced = cost_metadata(chunk)
        if priced:
            self.cost = priced
            report_cost(priced["cost"], "llm")
        additional: dict[str, Any] = {**usage_counts(so_far.usage), **self.cost}
        if reasoning_delta:
            additional["thinking_delta"] = reasoning_delta
        return ChatResponse(
            message=message,
            delta=content_delta,
            raw={**chunk.model_dump(mode="json", exclude_none=True), **cost_metadata(chunk)},
            additional_kwargs=additional,
        )
