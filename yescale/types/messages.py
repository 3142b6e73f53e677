"""Anthropic's Messages API (``POST /v1/messages``) in its own wire format, as YEScale relays it.

The request keeps the caller's message, system and tool dicts as given (``cache_control`` and any
field Anthropic adds pass through untouched). The answer, :class:`Message`, types every content
block Anthropic documents (text with citations, tool_use, thinking with its signature,
redacted_thinking, server_tool_use, web_search_tool_result); a block of a type added later is
kept as :class:`UnknownBlock`, with all its fields, so it goes back on the next turn as it came.
Stream events are in :mod:`yescale.types.message_events`.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import Discriminator, Field, Tag

from ._base import Priced, WireModel


class MessagesRequest(WireModel):
    """The body of ``POST /v1/messages``; any other parameter is passed through."""

    model: str
    max_tokens: int = Field(ge=1)
    messages: list[dict[str, Any]]
    system: str | list[dict[str, Any]] | None = None
    stop_sequences: list[str] | None = None
    stream: bool | None = None
    # Anthropic's ranges: temperature 0-1 (not OpenAI's 0-2), top_p 0-1, top_k >= 0.
    temperature: float | None = Field(default=None, ge=0, le=1, allow_inf_nan=False)
    top_p: float | None = Field(default=None, ge=0, le=1, allow_inf_nan=False)
    top_k: int | None = Field(default=None, ge=0)
    metadata: dict[str, Any] | None = None
    tools: list[dict[str, Any]] | None = None
    tool_choice: dict[str, Any] | None = None
    thinking: dict[str, Any] | None = None
    service_tier: str | None = None


# -- content blocks of an answer ----------------------------------------------------------------


class ContentBlockBase(WireModel):
    """What every content block has: its ``type``."""

    type: str

    def to_param(self) -> dict[str, Any]:
        """The block as it goes back in the next request (signatures and unknown fields kept)."""
        return self.to_wire()


class TextBlock(ContentBlockBase):
    """Text; ``citations`` when it quotes a document or a web search result."""

    type: Literal["text"] = "text"
    text: str = ""
    citations: list[dict[str, Any]] | None = None


class ToolUseBlock(ContentBlockBase):
    """A call of one of the caller's tools: answer it with a ``tool_result`` block."""

    type: Literal["tool_use"] = "tool_use"
    id: str = ""
    name: str = ""
    input: Any = Field(default_factory=dict)


class ThinkingBlock(ContentBlockBase):
    """Extended thinking. ``signature`` must go back unchanged with the block (tool use turns)."""

    type: Literal["thinking"] = "thinking"
    thinking: str = ""
    signature: str = ""


class RedactedThinkingBlock(ContentBlockBase):
    """Thinking the safety systems encrypted: ``data`` goes back unchanged, it is not readable."""

    type: Literal["redacted_thinking"] = "redacted_thinking"
    data: str = ""


class ServerToolUseBlock(ContentBlockBase):
    """A call of a server tool (web search...) that Anthropic ran itself."""

    type: Literal["server_tool_use"] = "server_tool_use"
    id: str = ""
    name: str = ""
    input: Any = Field(default_factory=dict)


class WebSearchToolResultBlock(ContentBlockBase):
    """The results of a web search: a list of ``web_search_result`` objects, or an error object
    (``{"type": "web_search_tool_result_error", "error_code": ...}``)."""

    type: Literal["web_search_tool_result"] = "web_search_tool_result"
    tool_use_id: str = ""
    content: Any = None


class UnknownBlock(ContentBlockBase):
    """A block of a type this version does not know: every field kept, sent back as it came."""


_BLOCKS: dict[str, type[ContentBlockBase]] = {
    "text": TextBlock,
    "tool_use": ToolUseBlock,
    "thinking": ThinkingBlock,
    "redacted_thinking": RedactedThinkingBlock,
    "server_tool_use": ServerToolUseBlock,
    "web_search_tool_result": WebSearchToolResultBlock,
}


def _block_tag(value: Any) -> str:
    kind = value.get("type") if isinstance(value, dict) else getattr(value, "type", None)
    return kind if isinstance(kind, str) and kind in _BLOCKS else "unknown"


ContentBlock = Annotated[
    Annotated[TextBlock, Tag("text")]
    | Annotated[ToolUseBlock, Tag("tool_use")]
    | Annotated[ThinkingBlock, Tag("thinking")]
    | Annotated[RedactedThinkingBlock, Tag("redacted_thinking")]
    | Annotated[ServerToolUseBlock, Tag("server_tool_use")]
    | Annotated[WebSearchToolResultBlock, Tag("web_search_tool_result")]
    | Annotated[UnknownBlock, Tag("unknown")],
    Discriminator(_block_tag),
]


# -- the answer ---------------------------------------------------------------------------------


class ServerToolUsage(WireModel):
    web_search_requests: int | None = None


class MessageUsage(WireModel):
    """Token counts. ``input_tokens`` excludes the cached ones: the prompt is ``input_tokens +
    cache_creation_input_tokens + cache_read_input_tokens`` (:attr:`prompt_tokens`)."""

    input_tokens: int | None = None
    output_tokens: int | None = None
    cache_creation_input_tokens: int | None = None
    cache_read_input_tokens: int | None = None
    server_tool_use: ServerToolUsage | None = None
    service_tier: str | None = None

    @property
    def prompt_tokens(self) -> int:
        """Every input token, cached or not."""
        return (
            (self.input_tokens or 0)
            + (self.cache_creation_input_tokens or 0)
            + (self.cache_read_input_tokens or 0)
        )

    def merge(self, other: MessageUsage) -> None:
        """Take the counts ``other`` states (a stream's ``message_delta``: cumulative counts)."""
        for name in other.model_fields_set | set(other.model_extra or {}):
            value = getattr(other, name, None)
            if value is not None:
                setattr(self, name, value)


class Message(Priced, WireModel):
    """An answer of ``/v1/messages``: ``content`` blocks, why it stopped, and the usage."""

    id: str | None = None
    type: str | None = "message"
    role: str | None = "assistant"
    model: str | None = None
    content: list[ContentBlock] = Field(default_factory=list)
    stop_reason: str | None = None
    stop_sequence: str | None = None
    usage: MessageUsage | None = None

    @property
    def text(self) -> str:
        """The text blocks joined (no thinking, no tool calls)."""
        return "".join(b.text for b in self.content if isinstance(b, TextBlock))

    @property
    def tool_uses(self) -> list[ToolUseBlock]:
        return [b for b in self.content if isinstance(b, ToolUseBlock)]

    def to_param(self) -> dict[str, Any]:
        """This answer as the assistant turn of the next request: every block as it came
        (thinking signatures, redacted thinking, server tool results and unknown blocks kept)."""
        return {"role": "assistant", "content": [block.to_param() for block in self.content]}


__all__ = [
    "ContentBlock",
    "ContentBlockBase",
    "Message",
    "MessageUsage",
    "MessagesRequest",
    "RedactedThinkingBlock",
    "ServerToolUsage",
    "ServerToolUseBlock",
    "TextBlock",
    "ThinkingBlock",
    "ToolUseBlock",
    "UnknownBlock",
    "WebSearchToolResultBlock",
]
