"""A chat stream's chunks folded into the answer so far, for frameworks whose streamed responses
carry the whole message (LlamaIndex's do, as llama-index-llms-openai's do)."""

from __future__ import annotations

import copy
from typing import Any

from ..types.chat import ChatCompletionChunk, Usage
from ..types.chat import ToolCall as WireToolCall
from .answers import reasoning_tokens
from .audio_chat import merge_audio

__all__ = ["ChunkAccumulator", "merge_blocks", "merge_extra", "merge_tool_call_deltas"]


def merge_extra(current: Any, new: Any) -> Any:
    """``extra_content`` of a stream so far with a chunk's: dicts merged key by key, list items
    with an ``index`` merged with the item of that index (Claude's thinking blocks, one per
    ``content_block_stop``) and others appended; any other value replaced (Gemini's signature)."""
    if isinstance(current, dict) and isinstance(new, dict):
        merged = dict(current)
        for key, value in new.items():
            merged[key] = merge_extra(current[key], value) if key in current else value
        return merged
    if isinstance(current, list) and isinstance(new, list):
        out = list(current)
        for item in new:
            at = item.get("index") if isinstance(item, dict) else None
            same = [
                i
                for i, old in enumerate(out)
                if at is not None and isinstance(old, dict) and old.get("index") == at
            ]
            if same:
                out[same[0]] = merge_extra(out[same[0]], item)
            else:
                out.append(item)
        return out
    return new


def merge_tool_call_deltas(
    calls: dict[int, dict[str, Any]], deltas: list[WireToolCall] | None
) -> None:
    """Merge streamed tool-call deltas into ``calls`` (OpenAI dicts keyed by index).

    The first delta of a call brings its id and name, later ones pieces of its arguments. A delta
    without an index continues the last call, unless its id is new. Fields other than id, type
    and function (e.g. Gemini's ``extra_content`` thought signature) are kept.
    """
    for delta in deltas or []:
        data = delta.model_dump(exclude_none=True)
        index = data.pop("index", None)
        function = data.pop("function", None) or {}
        call_id = data.pop("id", None)
        data.pop("type", None)
        if index is None:
            known = {c.get("id") for c in calls.values()}
            new = not calls or (call_id is not None and call_id not in known)
            index = (max(calls) + 1 if calls else 0) if new else max(calls)
        current = calls.get(index)
        if current is None:
            current = calls[index] = {
                "id": call_id or "",
                "type": "function",
                "function": {"name": "", "arguments": ""},
            }
        elif call_id and not current["id"]:
            current["id"] = call_id
        name = function.get("name")
        if name and name != current["function"]["name"]:
            # The name comes whole in one delta; some gateways repeat it, a few split it.
            current["function"]["name"] += name
        current["function"]["arguments"] += function.get("arguments") or ""
        current.update(copy.deepcopy(data))


def merge_blocks(blocks: dict[int, dict[str, Any]], deltas: list[dict[str, Any]]) -> None:
    """Merge a chunk's indexed standard blocks into ``blocks``: text of one index is
    concatenated; any other block comes whole."""
    for delta in deltas:
        index = delta.get("index")
        if not isinstance(index, int):
            index = max(blocks, default=-1) + 1
        block = {k: v for k, v in delta.items() if k != "index"}
        current = blocks.get(index)
        if current is not None and current.get("type") == block.get("type") == "text":
            current["text"] = current.get("text", "") + block.get("text", "")
            if block.get("extras") and not current.get("extras"):
                current["extras"] = block["extras"]
        else:
            blocks[index] = copy.deepcopy(block)


class ChunkAccumulator:
    """The first choice of a chat stream, so far: text, reasoning, tool calls (merged by index),
    audio, refusal and ``extra_content`` (Gemini's signatures, Claude's thinking blocks), the
    last usage and finish reason."""

    def __init__(self) -> None:
        self.content = ""
        self.reasoning = ""
        self.calls: dict[int, dict[str, Any]] = {}
        self.extras: dict[str, Any] = {}
        self.usage: Usage | None = None
        self.thinking_tokens: int | None = None
        self.finish_reason: str | None = None
        #: a Gemini answer's standard blocks (images, audio, code...) merged by index, the text
        #: that came before the first of them, and the answer's citations
        self.blocks: dict[int, dict[str, Any]] = {}
        self.text_before_blocks = ""
        self.annotations: list[dict[str, Any]] = []
        #: an audio answer's ``delta.audio`` pieces merged (:func:`.audio_chat.merge_audio`)
        self.audio: dict[str, Any] | None = None

    def add(self, chunk: ChatCompletionChunk) -> tuple[str, str]:
        """Fold one chunk in; returns the new text and the new reasoning text it brought."""
        content_delta = reasoning_delta = ""
        if chunk.choices:
            choice = chunk.choices[0]
            delta = choice.delta
            content_delta = delta.content or ""
            reasoning_delta = delta.reasoning_content or ""
            merge_tool_call_deltas(self.calls, delta.tool_calls)
            extras = delta.model_extra or {}
            if extras.get("extra_content"):
                self.extras["extra_content"] = merge_extra(
                    self.extras.get("extra_content"), extras["extra_content"]
                )
            if extras.get("content_blocks"):
                merge_blocks(self.blocks, extras["content_blocks"])
            elif not self.blocks:
                self.text_before_blocks += content_delta
            self.annotations.extend(extras.get("annotations") or [])
            if delta.audio is not None:
                self.audio = merge_audio(self.audio, delta.audio.model_dump(exclude_none=True))
            if delta.refusal:
                self.extras["refusal"] = self.extras.get("refusal", "") + delta.refusal
            if choice.finish_reason:
                self.finish_reason = choice.finish_reason
        self.content += content_delta
        self.reasoning += reasoning_delta
        if chunk.usage is not None:
            self.usage = chunk.usage
            self.thinking_tokens = reasoning_tokens(chunk.usage) or self.thinking_tokens
        return content_delta, reasoning_delta

    @property
    def content_blocks(self) -> list[dict[str, Any]] | None:
        """The answer's standard blocks so far, in order (``None`` while it is only text)."""
        if not self.blocks:
            return None
        first = [{"type": "text", "text": self.text_before_blocks}]
        return (first if self.text_before_blocks else []) + [
            self.blocks[i] for i in sorted(self.blocks)
        ]

    @property
    def tool_calls(self) -> list[dict[str, Any]]:
        """The tool calls so far, in order."""
        return [self.calls[i] for i in sorted(self.calls)]
