"""A JSON-schema answer format as a function the model must call, for the model families whose
chat endpoint refuses ``response_format={"type": "json_schema", ...}``.

Claude and DeepSeek take tools but not a JSON-schema answer format through YEScale's
OpenAI-format endpoint. LangChain's ``create_agent`` nonetheless picks the answer format for
``claude-*`` names (its own fallback list), and a caller may ask for it directly. Instead of a
400, the schema is sent as one more function, ``tool_choice`` makes the model call a function,
and the call's arguments come back as the message's text, with the call itself removed: the
caller gets what the answer format would have given, as text that parses against the schema.

Streams are translated the same way: the answer function's argument deltas arrive as content
deltas, and a ``finish_reason`` of ``"tool_calls"`` becomes ``"stop"`` when the answer function
was the only call.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from ..models import families
from ..types.chat import ChatCompletion, ChatCompletionChunk

__all__ = ["REFUSING_FAMILIES", "AnswerTool", "answer_tool_for"]

#: Families whose chat endpoint refuses a ``json_schema`` answer format but calls tools.
REFUSING_FAMILIES = frozenset({"claude", "deepseek"})


def answer_tool_for(model: str, params: Mapping[str, Any]) -> AnswerTool | None:
    """The translation for a request with a ``json_schema`` answer format to a model that
    refuses it; ``None`` when the request can go as it is."""
    answer_format = params.get("response_format")
    if not isinstance(answer_format, Mapping) or answer_format.get("type") != "json_schema":
        return None
    if families.family(model) not in REFUSING_FAMILIES:
        return None
    spec = answer_format.get("json_schema") or {}
    taken = {(tool.get("function") or {}).get("name") for tool in params.get("tools") or () if tool}
    name = str(spec.get("name") or "answer")
    while name in taken:
        name += "_answer"
    return AnswerTool(name, dict(spec.get("schema") or {"type": "object"}), spec.get("description"))


@dataclass
class AnswerTool:
    """One request's answer function: ``name``, its parameters ``schema``."""

    name: str
    schema: dict[str, Any]
    description: str | None = None
    #: while streaming: whether the answer function's call began, and its index
    _answering: bool = field(default=False, repr=False)
    _index: int | None = field(default=None, repr=False)
    _other_calls: bool = field(default=False, repr=False)

    def request(self, params: Mapping[str, Any]) -> dict[str, Any]:
        """``params`` with the answer format replaced by the answer function."""
        out = {k: v for k, v in params.items() if k != "response_format"}
        description = self.description or "Give your final answer by calling this function."
        function = {"name": self.name, "description": description, "parameters": self.schema}
        others = list(out.get("tools") or [])
        out["tools"] = [*others, {"type": "function", "function": function}]
        if "tool_choice" not in out:
            # alone, the answer is forced; with other tools, the model calls those and then
            # answers (any call, never plain text: the text would not be the JSON asked for)
            only = {"type": "function", "function": {"name": self.name}}
            out["tool_choice"] = "required" if others else only
        return out

    def completion(self, completion: ChatCompletion) -> ChatCompletion:
        """The answer function's arguments as each choice's text."""
        for choice in completion.choices:
            message = choice.message
            calls = message.tool_calls or []
            answers = [c for c in calls if c.function.name == self.name]
            if not answers:
                continue
            rest = [c for c in calls if c.function.name != self.name]
            message.content = answers[0].function.arguments or "{}"
            message.tool_calls = rest or None
            if not rest and choice.finish_reason == "tool_calls":
                choice.finish_reason = "stop"
        return completion

    def chunk(self, chunk: ChatCompletionChunk) -> ChatCompletionChunk:
        """One streamed chunk, the answer function's argument deltas as content deltas (the
        call is known by the index of its first delta, which names it)."""
        for choice in chunk.choices:
            delta = choice.delta
            kept = []
            for call in delta.tool_calls or []:
                if not self._answering and call.function.name == self.name:
                    self._answering, self._index = True, call.index
                if self._answering and call.index == self._index and (
                    call.function.name in (None, "", self.name)
                ):
                    delta.content = (delta.content or "") + (call.function.arguments or "")
                else:
                    self._other_calls = True
                    kept.append(call)
            if delta.tool_calls is not None:
                delta.tool_calls = kept or None
            if choice.finish_reason == "tool_calls" and not self._other_calls:
                choice.finish_reason = "stop"
        return chunk

    def chunks(self, chunks: Iterator[ChatCompletionChunk]) -> Iterator[ChatCompletionChunk]:
        """:meth:`chunk` over a stream; closing this closes ``chunks`` (and its connection)."""
        try:
            for chunk in chunks:
                yield self.chunk(chunk)
        finally:
            close = getattr(chunks, "close", None)
            if close is not None:
                close()

    async def achunks(
        self, chunks: AsyncIterator[ChatCompletionChunk]
    ) -> AsyncIterator[ChatCompletionChunk]:
        """:meth:`chunk` over an async stream; closing this closes ``chunks``."""
        try:
            async for chunk in chunks:
                yield self.chunk(chunk)
        finally:
            close = getattr(chunks, "aclose", None)
            if close is not None:
                await close()
