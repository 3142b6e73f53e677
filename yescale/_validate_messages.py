"""Checks of an Anthropic Messages request, made before it is sent.

What Anthropic would refuse with an HTTP 400 is refused here, naming the field and what to do:
``max_tokens`` (required), ``messages`` (non-empty, user and assistant turns alternating from a
user turn, well-formed content blocks, every ``tool_use`` answered by a ``tool_result`` in the
next turn), ``system``, ``tools``, ``tool_choice`` and ``thinking``. Blocks of types this version
does not know pass unchecked (Anthropic adds new ones), as do ``cache_control`` and other fields.
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Mapping, Sequence
from typing import Any

from pydantic import BaseModel

from ._validate import note_tool_name, require_tool_list
from .errors import InvalidRequestError

ROLES = ("user", "assistant")
IMAGE_TYPES = ("image/jpeg", "image/png", "image/gif", "image/webp")
TOOL_CHOICES = ("auto", "any", "tool", "none")
#: Anthropic's rule for custom tool names.
_TOOL_NAME = re.compile(r"^[A-Za-z0-9_-]{1,128}$")
#: The smallest thinking budget Anthropic takes.
MIN_THINKING_BUDGET = 1024
_EXAMPLE = '[{"role": "user", "content": "Hello"}]'


def _shown(value: Any) -> str:
    return f"{type(value).__name__} {value!r:.60}"


def require_max_tokens(max_tokens: Any) -> int:
    """A positive ``int``: Anthropic requires it on every request (there is no default)."""
    if isinstance(max_tokens, bool) or not isinstance(max_tokens, int) or max_tokens < 1:
        raise InvalidRequestError(
            f"`max_tokens` must be a positive int (the Messages API requires it: the most "
            f"tokens the answer may use, e.g. max_tokens=1024), got {_shown(max_tokens)}."
        )
    return max_tokens


def _as_dict(value: Any) -> Any:
    """A typed block (from an earlier answer) as its wire dict; anything else as it is."""
    return value.to_wire() if isinstance(value, BaseModel) and hasattr(value, "to_wire") else value


def normalized_messages(messages: Any) -> list[dict[str, Any]]:
    """``messages`` as a list of plain dicts (typed blocks of an earlier answer turned into their
    wire dicts, so ``reply.content`` can go back as the assistant turn), checked."""
    if isinstance(messages, (str, bytes)) or not isinstance(messages, Sequence) or not messages:
        raise InvalidRequestError(
            f"`messages` must be a non-empty list of message dicts such as {_EXAMPLE}."
        )
    out: list[dict[str, Any]] = []
    for i, message in enumerate(messages):
        if isinstance(message, BaseModel) and hasattr(message, "to_param"):
            message = message.to_param()  # a Message of an earlier answer
        if not isinstance(message, Mapping):
            raise InvalidRequestError(
                f"messages[{i}] must be a dict with 'role' and 'content', got {_shown(message)}."
            )
        message = dict(message)
        content = message.get("content")
        if isinstance(content, Sequence) and not isinstance(content, (str, bytes)):
            message["content"] = [_as_dict(block) for block in content]
        out.append(message)
    check_messages(out)
    return out


def check_messages(messages: list[dict[str, Any]]) -> None:
    """Roles alternate user / assistant from a user turn; content is a non-empty string or a
    non-empty list of well-formed blocks; each turn's tool calls are answered in the next."""
    for i, message in enumerate(messages):
        role = message.get("role")
        if role not in ROLES:
            hint = (
                " Put system text in `system=`, not in messages."
                if role in ("system", "developer")
                else " Tool results go in a user turn as tool_result blocks."
                if role == "tool"
                else ""
            )
            raise InvalidRequestError(
                f"messages[{i}] has role {role!r}: the Messages API takes 'user' and "
                f"'assistant' only.{hint}"
            )
        expected = ROLES[i % 2]
        if role != expected:
            where = "the first message" if i == 0 else f"messages[{i}] (after messages[{i - 1}])"
            raise InvalidRequestError(
                f"{where} has role {role!r} where {expected!r} is due: user and assistant turns "
                "must alternate, starting with a user turn. Merge consecutive turns of one role "
                "into one (a list of content blocks)."
            )
        _check_content(message.get("content"), i, role, last=i == len(messages) - 1)
    _check_tool_pairs(messages)


def _check_content(content: Any, i: int, role: str, *, last: bool) -> None:
    where = f"messages[{i}].content"
    if isinstance(content, str):
        if not content.strip():
            raise InvalidRequestError(
                f"{where} is empty or white space: give the {role} turn some text (Anthropic "
                "refuses empty text)."
            )
        if role == "assistant" and last and content != content.rstrip():
            raise InvalidRequestError(
                f"{where} ends with white space: a final assistant turn (a prefill) may not. "
                "Strip it: content.rstrip()."
            )
        return
    if isinstance(content, (bytes, bytearray)) or not isinstance(content, list) or not content:
        raise InvalidRequestError(
            f"{where} must be a non-empty string or a non-empty list of content blocks such as "
            f'[{{"type": "text", "text": "..."}}], got {_shown(content)}.'
        )
    for j, block in enumerate(content):
        check_block(block, f"{where}[{j}]", role)


def _require_str(block: Mapping[str, Any], name: str, where: str, hint: str = "") -> str:
    value = block.get(name)
    if not isinstance(value, str):
        raise InvalidRequestError(
            f"{where} ({block.get('type')}) needs '{name}' as a string, got {_shown(value)}."
            + (f" {hint}" if hint else "")
        )
    return value


_ROLE_OF = {
    "tool_use": "assistant",
    "server_tool_use": "assistant",
    "web_search_tool_result": "assistant",
    "thinking": "assistant",
    "redacted_thinking": "assistant",
    "tool_result": "user",
    "image": "user",
    "document": "user",
}


def check_block(block: Any, where: str, role: str) -> None:
    """One content block of a ``role`` turn (``where``: ``messages[1].content[0]``)."""
    if not isinstance(block, Mapping) or not isinstance(block.get("type"), str):
        raise InvalidRequestError(
            f'{where} must be a dict with a "type" such as {{"type": "text", "text": "..."}}, '
            f"got {_shown(block)}."
        )
    kind = block["type"]
    owner = _ROLE_OF.get(kind)
    if owner is not None and owner != role:
        raise InvalidRequestError(
            f"{where} is a {kind} block in a {role} turn: {kind} blocks belong in {owner} turns."
        )
    if kind == "text":
        text = _require_str(block, "text", where, "Convert it first, e.g. str(value).")
        if not text.strip():
            raise InvalidRequestError(f"{where} is an empty text block: Anthropic refuses them.")
    elif kind in ("image", "document"):
        _check_source(block, where, kind)
    elif kind in ("tool_use", "server_tool_use"):
        _require_str(block, "id", where, "Send the block back as the answer gave it.")
        _require_str(block, "name", where)
        if not isinstance(block.get("input"), Mapping):
            raise InvalidRequestError(
                f"{where} ({kind}) needs 'input' as a dict (the parsed arguments), got "
                f"{_shown(block.get('input'))}."
            )
    elif kind == "tool_result":
        _require_str(block, "tool_use_id", where, "Give the id of the tool_use it answers.")
        result = block.get("content")
        if isinstance(result, list):
            for k, inner in enumerate(result):
                check_block(inner, f"{where}.content[{k}]", role)
        elif result is not None and not isinstance(result, str):
            raise InvalidRequestError(
                f"{where}.content must be a string or a list of text / image blocks, got "
                f"{_shown(result)}. Convert it first, e.g. json.dumps(value)."
            )
    elif kind == "thinking":
        _require_str(block, "thinking", where)
        _require_str(
            block, "signature", where, "Send thinking blocks back exactly as the answer gave them."
        )
    elif kind == "redacted_thinking":
        _require_str(block, "data", where, "Send it back exactly as the answer gave it.")


def _check_source(block: Mapping[str, Any], where: str, kind: str) -> None:
    source = block.get("source")
    example = '{"type": "base64", "media_type": "image/png", "data": "<base64>"}'
    if not isinstance(source, Mapping) or not isinstance(source.get("type"), str):
        raise InvalidRequestError(
            f"{where} ({kind}) needs a 'source' dict such as {example} or "
            f'{{"type": "url", "url": "https://..."}}, got {_shown(source)}.'
        )
    if source["type"] == "url":
        _require_str(source, "url", f"{where}.source")
    elif source["type"] == "base64":
        media = source.get("media_type")
        if kind == "image" and media not in IMAGE_TYPES:
            raise InvalidRequestError(
                f"{where}.source.media_type is {media!r}: images must be one of "
                f"{', '.join(IMAGE_TYPES)}."
            )
        data = _require_str(source, "data", f"{where}.source", "Encode with base64.b64encode.")
        if data.startswith("data:"):
            raise InvalidRequestError(
                f"{where}.source.data is a data URL: give the base64 alone (the part after "
                "'base64,'), with its type in media_type."
            )
        try:
            base64.b64decode(data, validate=True)
        except (binascii.Error, ValueError) as exc:
            raise InvalidRequestError(
                f"{where}.source.data is not valid base64 ({exc}): encode the bytes with "
                "base64.b64encode(data).decode()."
            ) from None


def _check_tool_pairs(messages: list[dict[str, Any]]) -> None:
    """Each ``tool_result`` answers a ``tool_use`` of the turn before; each ``tool_use`` of a
    turn that is not the last is answered in the next turn."""
    for i, message in enumerate(messages):
        content = message.get("content")
        blocks = content if isinstance(content, list) else []
        if message["role"] == "assistant":
            calls = [b["id"] for b in blocks if b.get("type") == "tool_use"]
            if calls and i + 1 < len(messages):
                after = messages[i + 1].get("content")
                answered = {
                    b.get("tool_use_id")
                    for b in (after if isinstance(after, list) else [])
                    if isinstance(b, Mapping) and b.get("type") == "tool_result"
                }
                missing = [c for c in calls if c not in answered]
                if missing:
                    raise InvalidRequestError(
                        f"messages[{i}] calls tools {', '.join(map(repr, missing))} but "
                        f"messages[{i + 1}] has no tool_result for them: answer each tool_use "
                        'with {"type": "tool_result", "tool_use_id": "<id>", "content": "..."} '
                        "in the next user turn."
                    )
            continue
        previous = messages[i - 1].get("content") if i else None
        called = [
            b.get("id")
            for b in (previous if isinstance(previous, list) else [])
            if isinstance(b, Mapping) and b.get("type") == "tool_use"
        ]
        for j, block in enumerate(blocks):
            if block.get("type") == "tool_result" and block.get("tool_use_id") not in called:
                raise InvalidRequestError(
                    f"messages[{i}].content[{j}] is a tool_result for "
                    f"{block.get('tool_use_id')!r}, but the turn before has no tool_use with "
                    f"that id (it has: {', '.join(map(repr, called)) or 'none'})."
                )


def check_system(system: Any) -> None:
    """A string, or a list of ``{"type": "text", "text": ...}`` blocks (``cache_control`` and
    other fields kept)."""
    if system is None or isinstance(system, str):
        return
    if isinstance(system, list):
        for j, block in enumerate(system):
            if (
                not isinstance(block, Mapping)
                or block.get("type") != "text"
                or not isinstance(block.get("text"), str)
                or not block["text"].strip()
            ):
                raise InvalidRequestError(
                    f"system[{j}] must be a non-empty text block such as "
                    f'{{"type": "text", "text": "...", "cache_control": {{"type": "ephemeral"}}}}, '
                    f"got {_shown(block)}."
                )
        return
    raise InvalidRequestError(
        f"`system` must be a string or a list of text blocks, got {_shown(system)}."
    )


def check_tools(tools: Any) -> list[str]:
    """Custom tools have a valid unique ``name`` and an object ``input_schema``; server tools
    (a ``type`` such as ``web_search_20250305``) pass with their name. Returns the names."""
    seen: dict[str, int] = {}
    for i, tool in enumerate(require_tool_list(tools)):
        if not isinstance(tool, Mapping):
            raise InvalidRequestError(
                f"tools[{i}] must be a dict such as "
                '{"name": "get_weather", "description": "...", "input_schema": {"type": '
                f'"object", "properties": {{...}}}}}}, got {_shown(tool)}.'
            )
        name = tool.get("name")
        server = tool.get("type") not in (None, "custom")
        if not isinstance(name, str) or not (server or _TOOL_NAME.match(name)):
            raise InvalidRequestError(
                f"tools[{i}] is named {name!r}: tool names must be 1-128 letters, digits, '_' or "
                "'-'. Rename the tool."
            )
        note_tool_name(seen, name, i)
        if server:
            continue
        schema = tool.get("input_schema")
        if not isinstance(schema, Mapping) or schema.get("type") != "object":
            hint = (
                " (an OpenAI-format tool? Anthropic takes name, description and input_schema "
                "at the top level)"
                if "function" in tool or "parameters" in tool
                else ""
            )
            raise InvalidRequestError(
                f"tools[{i}] ({name}) needs 'input_schema', a JSON schema of type 'object', got "
                f"{_shown(schema)}{hint}."
            )
    return list(seen)


def check_tool_choice(tool_choice: Any, names: list[str]) -> None:
    """``{"type": "auto" | "any" | "tool" | "none"}``; ``tool`` names one of the tools."""
    kind = tool_choice.get("type") if isinstance(tool_choice, Mapping) else None
    if kind not in TOOL_CHOICES:
        raise InvalidRequestError(
            f"tool_choice must be a dict with type 'auto', 'any', 'tool' or 'none' (e.g. "
            f'{{"type": "tool", "name": "get_weather"}}), got {_shown(tool_choice)}.'
        )
    if kind in ("any", "tool") and not names:
        raise InvalidRequestError(
            f"tool_choice {{'type': {kind!r}}} needs tools, but no tools were given: pass "
            "tools=[...] too."
        )
    if kind == "tool":
        name = tool_choice.get("name")
        if name not in names:
            raise InvalidRequestError(
                f"tool_choice names the tool {name!r}, which is not among the tools given "
                f"({', '.join(names)})."
            )


def check_thinking(thinking: Any, max_tokens: int, params: Mapping[str, Any]) -> None:
    """``{"type": "enabled", "budget_tokens": n}`` with 1024 <= n < max_tokens, and none of
    what Anthropic refuses with it; ``{"type": "disabled"}``; other types pass (new modes)."""
    kind = thinking.get("type") if isinstance(thinking, Mapping) else None
    if not isinstance(kind, str):
        raise InvalidRequestError(
            'thinking must be a dict such as {"type": "enabled", "budget_tokens": 2048}, got '
            f"{_shown(thinking)}."
        )
    if kind != "enabled":
        return
    budget = thinking.get("budget_tokens")
    if isinstance(budget, bool) or not isinstance(budget, int) or budget < MIN_THINKING_BUDGET:
        raise InvalidRequestError(
            f"thinking.budget_tokens must be an int of at least {MIN_THINKING_BUDGET}, got "
            f"{_shown(budget)}."
        )
    if budget >= max_tokens:
        raise InvalidRequestError(
            f"thinking.budget_tokens ({budget}) must be less than max_tokens ({max_tokens}): "
            "thinking counts toward max_tokens. Raise max_tokens or lower the budget."
        )
    choice = params.get("tool_choice")
    if isinstance(choice, Mapping) and choice.get("type") in ("any", "tool"):
        raise InvalidRequestError(
            f"tool_choice {{'type': {choice.get('type')!r}}} cannot be used with thinking: "
            "use 'auto' or 'none', or turn thinking off."
        )
    for name, allowed in (("temperature", 1), ("top_k", None)):
        value = params.get(name)
        if value is not None and value != allowed:
            raise InvalidRequestError(
                f"{name}={value!r} cannot be used with thinking: leave {name} unset."
            )


__all__ = [
    "check_block",
    "check_messages",
    "check_system",
    "check_thinking",
    "check_tool_choice",
    "check_tools",
    "normalized_messages",
    "require_max_tokens",
]
