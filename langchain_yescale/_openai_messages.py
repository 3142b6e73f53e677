"""LangChain messages -> OpenAI-format chat dicts (the client's neutral form); the answers' way
back is :mod:`._openai_answers`.

Only object conversion lives here; HTTP, retries and wire parsing are the client's.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Literal

from langchain_core.messages import (
    AIMessage,
    BaseMessage,
    ChatMessage,
    FunctionMessage,
    HumanMessage,
    SystemMessage,
    ToolCall,
    ToolMessage,
)
from langchain_core.messages.block_translators.openai import convert_to_openai_data_block

from yescale import InvalidRequestError
from yescale.integration import dump_tool_arguments, load_tool_arguments
from yescale.integration.caching import refuse_non_text_breakpoint
from yescale.translate.anthropic_chat import PROVIDER_KEY

from . import _citations  # noqa: F401  (registers the "yescale" content-block translator)
from ._audio_chat import answered_audio, audio_format_named

ReasoningHistory = Literal["auto", "always", "never"]

#: Message-level fields of an answer kept in ``additional_kwargs`` and sent back next turn
#: (``extra_content`` holds Gemini's thought signature of a text part).
KEPT_MESSAGE_FIELDS = ("extra_content",)

_STANDARD_DATA_BLOCKS = {"image", "file", "audio"}


def _anthropic_image(block: dict[str, Any]) -> dict[str, Any] | None:
    """An Anthropic-format image block (``{"type": "image", "source": {...}}``) as OpenAI's."""
    source = block.get("source")
    if not isinstance(source, dict):
        return None
    if source.get("type") == "base64" and source.get("data"):
        mime = source.get("media_type") or "image/png"
        return {"type": "image_url", "image_url": {"url": f"data:{mime};base64,{source['data']}"}}
    if source.get("type") == "url" and source.get("url"):
        return {"type": "image_url", "image_url": {"url": source["url"]}}
    return None


def _text_part(block: dict[str, Any], cache: bool) -> dict[str, Any]:
    """A text block as a text part; with ``cache``, its ``cache_control`` kept (the neutral
    convention of :mod:`yescale.integration.caching`)."""
    part = {"type": "text", "text": block.get("text", "")}
    if cache and block.get("cache_control") is not None:
        part["cache_control"] = block["cache_control"]
    return part


def _not_marked(block: dict[str, Any], cache: bool) -> dict[str, Any]:
    """A non-text block passed on as is: breakpoints go on text parts only, so its
    ``cache_control`` is refused when caching is on and left out when it is off."""
    if block.get("cache_control") is None:
        return block
    if cache:
        refuse_non_text_breakpoint(str(block.get("type")))
    return {k: v for k, v in block.items() if k != "cache_control"}


def _content_to_openai(content: str | list[Any], cache: bool = False) -> str | list[dict[str, Any]]:
    if isinstance(content, str):
        return content
    parts: list[dict[str, Any]] = []
    for block in content:
        if isinstance(block, str):
            parts.append({"type": "text", "text": block})
            continue
        if not isinstance(block, dict):
            raise InvalidRequestError(f"Unsupported content block {block!r:.80}.")
        kind = block.get("type")
        if kind == "text":
            parts.append(_text_part(block, cache))
        elif kind == "image" and (image := _anthropic_image(block)) is not None:
            _not_marked(block, cache)
            parts.append(image)
        elif kind in _STANDARD_DATA_BLOCKS and (
            "url" in block or "base64" in block or "source_type" in block or "file_id" in block
        ):
            _not_marked(block, cache)
            parts.append(audio_format_named(convert_to_openai_data_block(block)))
        elif kind in ("image_url", "input_audio", "file"):
            parts.append(_not_marked(block, cache))
        elif kind in (
            "reasoning",
            "thinking",
            "redacted_thinking",
            "tool_use",
            "tool_call",
            "function_call",
        ):
            continue  # represented elsewhere (reasoning_content, tool_calls)
        else:
            parts.append(_not_marked(block, cache))
    return parts


def _text_only(content: str | list[Any]) -> str:
    if isinstance(content, str):
        return content
    return "".join(
        b if isinstance(b, str) else b.get("text", "")
        for b in content
        if isinstance(b, str) or b.get("type") == "text"
    )


def _tool_call_to_openai(call: ToolCall, raw: dict[str, Any] | None) -> dict[str, Any]:
    wire: dict[str, Any] = dict(raw or {})  # keeps unknown fields (thought signatures, ...)
    wire.pop("index", None)
    arguments = dump_tool_arguments(call["args"], f"{call['name']!r} (id {call.get('id')!r})")
    wire.update(
        {
            "id": call["id"],
            "type": "function",
            "function": {"name": call["name"], "arguments": arguments},
        }
    )
    return wire


#: Standard blocks of a model turn that Gemini takes back as parts (images it made and is asked
#: to edit, audio, the code it ran and its result), with their thought signatures.
_MODEL_TURN_BLOCKS = ("image", "audio", "file", "server_tool_call", "server_tool_result")


def _claude_server_block(block: Any) -> bool:
    """A server-tool block in Anthropic's own shape (``server_tool_use``,
    ``web_search_tool_result``...), as ``ChatAnthropic`` keeps them in a message's content."""
    kind = block.get("type") if isinstance(block, dict) else None
    return kind == "server_tool_use" or (
        isinstance(kind, str)
        and kind.endswith("_tool_result")
        and kind not in ("tool_result", "server_tool_result")  # a tool's answer, a standard block
    )


def _streamed_block(block: dict[str, Any]) -> dict[str, Any]:
    """A Claude block as Anthropic took it, from one a stream merged (``ChatAnthropic``'s
    chunks leave the ``index`` and the tool input as ``partial_json``)."""
    out = {k: v for k, v in block.items() if k not in ("index", "partial_json")}
    partial = block.get("partial_json")
    if isinstance(partial, str) and partial and not out.get("input"):
        out["input"] = load_tool_arguments(partial)
    return out


def _model_turn_blocks(content: str | list[Any]) -> list[dict[str, Any]] | None:
    """The content of an AI message as standard blocks, when it holds more than text (Claude's
    own server-tool blocks go as ``non_standard`` ones, sent back as they are)."""
    if isinstance(content, str) or not any(
        isinstance(b, dict) and (b.get("type") in _MODEL_TURN_BLOCKS or _claude_server_block(b))
        for b in content
    ):
        return None
    return [
        {"type": "text", "text": b}
        if isinstance(b, str)
        else {"type": "non_standard", "value": _streamed_block(b)}
        if _claude_server_block(b)
        else b
        for b in content
        if (isinstance(b, str) and b)  # a stream's first chunk leaves an empty string
        or (isinstance(b, dict) and b.get("type") in ("text", *_MODEL_TURN_BLOCKS))
        or _claude_server_block(b)
    ]


def _marked_text(content: str | list[Any]) -> list[dict[str, Any]] | None:
    """The text blocks of an AI message as text parts, when one carries ``cache_control``."""
    if isinstance(content, str) or not any(
        isinstance(b, dict) and b.get("type") == "text" and b.get("cache_control") is not None
        for b in content
    ):
        return None
    return [
        {"type": "text", "text": b} if isinstance(b, str) else _text_part(b, True)
        for b in content
        if isinstance(b, str) or (isinstance(b, dict) and b.get("type") == "text")
    ]


def _ai_to_openai(
    message: AIMessage,
    reasoning_history: ReasoningHistory,
    model_turn_blocks: bool = False,
    cache: bool = False,
) -> dict[str, Any]:
    out: dict[str, Any] = {"role": "assistant"}
    blocks = _model_turn_blocks(message.content) if model_turn_blocks else None
    if blocks:
        out["content_blocks"] = blocks
    content = _content_to_openai(message.content)
    out["content"] = (_text_only(message.content) if isinstance(content, list) else content) or None
    marked = _marked_text(message.content) if cache else None
    if marked:
        out["content"] = marked
    raw_calls = {
        raw.get("id"): raw
        for raw in message.additional_kwargs.get("tool_calls", []) or []
        if isinstance(raw, dict)
    }
    calls = [_tool_call_to_openai(c, raw_calls.get(c["id"])) for c in message.tool_calls]
    calls += [
        {
            "id": bad.get("id"),
            "type": "function",
            "function": {"name": bad.get("name"), "arguments": bad.get("args") or ""},
        }
        for bad in message.invalid_tool_calls
    ]
    if calls:
        out["tool_calls"] = calls
    reasoning = message.additional_kwargs.get("reasoning_content")
    if reasoning and (reasoning_history == "always" or (reasoning_history == "auto" and calls)):
        out["reasoning_content"] = reasoning
    if out["content"] is None and not calls:
        out["content"] = ""
    for name in KEPT_MESSAGE_FIELDS:
        if message.additional_kwargs.get(name):
            out[name] = message.additional_kwargs[name]
    audio = None if model_turn_blocks else answered_audio(message)
    if audio:
        out["audio"] = audio
    signed = _signed_thinking(message.content) if model_turn_blocks else []
    if signed and not (out.get("extra_content") or {}).get(PROVIDER_KEY):
        # a turn written by another Claude class (ChatAnthropic's thinking blocks): sent back
        out["extra_content"] = {
            **(out.get("extra_content") or {}),
            PROVIDER_KEY: {"thinking": signed},
        }
    return out


def _signed_thinking(content: str | list[Any]) -> list[dict[str, Any]]:
    """Claude's thinking blocks written in a message's content, as Anthropic blocks: its own
    ``thinking`` (with ``signature``) and ``redacted_thinking`` blocks, and standard
    ``reasoning`` blocks that carry a signature in ``extras``."""
    if isinstance(content, str):
        return []
    out = []
    for block in content:
        if not isinstance(block, dict):
            continue
        kind = block.get("type")
        if kind == "thinking" and block.get("signature"):
            out.append(
                {
                    "type": "thinking",
                    "thinking": block.get("thinking", ""),
                    "signature": block["signature"],
                }
            )
        elif kind == "redacted_thinking" and block.get("data"):
            out.append({"type": "redacted_thinking", "data": block["data"]})
        elif kind == "reasoning" and (block.get("extras") or {}).get("signature"):
            signature = block["extras"]["signature"]
            out.append(
                {"type": "thinking", "thinking": block.get("reasoning", ""), "signature": signature}
            )
    return out


def message_to_openai(
    message: BaseMessage,
    reasoning_history: ReasoningHistory = "auto",
    model_turn_blocks: bool = False,
    cache: bool = False,
) -> dict[str, Any]:
    """One LangChain message as an OpenAI chat message dict.

    ``model_turn_blocks`` (Gemini): an AI message holding images, audio or code results keeps
    them, as ``content_blocks``, so the model gets its own turn back (to edit an image, say).
    ``cache``: text blocks keep their ``cache_control`` (prompt caching; left out otherwise).
    """
    if isinstance(message, SystemMessage):
        role = message.additional_kwargs.get("__openai_role__", "system")
        return {"role": role, "content": _content_to_openai(message.content, cache)}
    if isinstance(message, HumanMessage):
        content = _content_to_openai(message.content, cache)
        out: dict[str, Any] = {"role": "user", "content": content}
        if message.name:
            out["name"] = message.name
        return out
    if isinstance(message, AIMessage):
        return _ai_to_openai(message, reasoning_history, model_turn_blocks, cache)
    if isinstance(message, ToolMessage):
        content = _content_to_openai(message.content, cache)
        tool: dict[str, Any] = {
            "role": "tool",
            "tool_call_id": message.tool_call_id,
            "content": content,
        }
        if model_turn_blocks and message.status == "error":
            tool["is_error"] = True  # Claude's tool_result flag (native endpoints only)
        return tool
    if isinstance(message, FunctionMessage):
        return {"role": "function", "name": message.name, "content": _text_only(message.content)}
    if isinstance(message, ChatMessage):
        return {"role": message.role, "content": _content_to_openai(message.content, cache)}
    raise InvalidRequestError(
        f"Cannot send a {type(message).__name__} to YEScale: use System/Human/AI/Tool messages."
    )


def _marked_result(result: str | list[dict[str, Any]], control: Any) -> list[dict[str, Any]]:
    """A tool result whose ``tool_result`` block carries ``cache_control``: the breakpoint on
    its last text (what caching the block caches)."""
    parts = [{"type": "text", "text": result}] if isinstance(result, str) else list(result)
    for part in reversed(parts):
        if part.get("type") == "text":
            part["cache_control"] = control
            return parts
    refuse_non_text_breakpoint("tool_result")
    return parts  # not reached


def _tool_results_to_openai(
    message: HumanMessage, cache: bool = False, native: bool = False
) -> list[dict[str, Any]]:
    """Anthropic-format ``tool_result`` blocks in a human message, as OpenAI tool messages
    (followed by the rest of the message, if any); ``native``: their ``is_error`` kept."""
    assert isinstance(message.content, list)
    out: list[dict[str, Any]] = []
    rest: list[Any] = []
    for block in message.content:
        if isinstance(block, dict) and block.get("type") == "tool_result":
            content = block.get("content", "")
            result = _content_to_openai(
                content if isinstance(content, (str, list)) else str(content), cache
            )
            if cache and block.get("cache_control") is not None:
                result = _marked_result(result, block["cache_control"])
            tool = {"role": "tool", "tool_call_id": block.get("tool_use_id", ""), "content": result}
            if native and block.get("is_error"):
                tool["is_error"] = True
            out.append(tool)
        else:
            rest.append(block)
    if rest:
        out.append(message_to_openai(message.model_copy(update={"content": rest}), cache=cache))
    return out


def messages_to_openai(
    messages: Sequence[BaseMessage],
    reasoning_history: ReasoningHistory = "auto",
    model_turn_blocks: bool = False,
    cache: bool = False,
) -> list[dict[str, Any]]:
    """LangChain messages as OpenAI chat message dicts (``cache``: keep ``cache_control``
    breakpoints, see :func:`message_to_openai`)."""
    out: list[dict[str, Any]] = []
    for message in messages:
        if (
            isinstance(message, HumanMessage)
            and isinstance(message.content, list)
            and any(isinstance(b, dict) and b.get("type") == "tool_result" for b in message.content)
        ):
            out.extend(_tool_results_to_openai(message, cache, model_turn_blocks))
        else:
            out.append(message_to_openai(message, reasoning_history, model_turn_blocks, cache))
    return out


def _carries_cache_control(content: Any) -> bool:
    if isinstance(content, dict):
        marked = content.get("cache_control") is not None
        return marked or _carries_cache_control(content.get("content"))
    if isinstance(content, list):
        return any(_carries_cache_control(block) for block in content)
    return False


def has_cache_control(messages: Sequence[BaseMessage]) -> bool:
    """Whether any content block of ``messages`` (tool results' too) carries ``cache_control``."""
    # string content, what most messages hold, cannot carry it: no call for those
    return any(
        not isinstance(m.content, str) and _carries_cache_control(m.content) for m in messages
    )


# -- answers ------------------------------------------------------------------------------------
