"""OpenAI-format chat (the neutral form) -> Anthropic's Messages request (``POST /v1/messages``).

The answers' way back (``Message`` -> ``ChatCompletion``, events -> chunks) is in
:mod:`yescale.translate.anthropic_answers`. The conventions of the neutral form this module reads:

* ``system`` / ``developer`` messages, wherever they are, -> ``system`` (a string when it is one
  plain text, else text blocks); a text part's ``cache_control`` is kept on its block;
* user parts: ``text`` (``cache_control`` kept), ``image_url`` (a data URL -> a ``base64`` image
  source, an http(s) URL -> a ``url`` image source), ``file`` with PDF ``file_data`` -> a
  ``document`` block; Anthropic blocks (``image`` / ``document`` with a ``source``, ...) pass;
* assistant: the blocks in ``extra_content["anthropic"]["thinking"]`` (``thinking`` with its
  ``signature``, ``redacted_thinking`` with its ``data``, as the answer gave them; the ``index``
  a stream puts on them is dropped) go first; a thinking block without its text takes
  ``reasoning_content``; ``reasoning_content`` without a
  signed block is not sent (Anthropic refuses unsigned thinking). Then ``content_blocks`` (an
  answer that used server tools: text, ``server_tool_call``, ``server_tool_result``) in order, or
  else ``content``; then ``tool_calls`` as ``tool_use`` blocks (JSON arguments -> ``input``);
* ``tool`` messages -> ``tool_result`` blocks in a user turn (images in the result kept,
  ``"is_error": true`` on the message kept); ``tool_result`` blocks go first in their turn;
* consecutive turns of one role are merged into one (Anthropic wants them alternating);
* tools: OpenAI function tools -> ``name`` / ``description`` / ``input_schema`` (``cache_control``
  beside ``type`` / ``function`` kept; ``strict`` dropped); Anthropic tools (server tools such as
  ``{"type": "web_search_20250305", ...}``, or custom tools already in Anthropic's shape) pass;
* ``tool_choice`` ``auto`` / ``none`` / ``required`` (or ``any``) / ``{"type": "function",
  "function": {"name": ...}}`` -> ``{"type": "auto" | "none" | "any" | "tool"}``;
  ``parallel_tool_calls=False`` -> ``disable_parallel_tool_use``.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

from .._validate import check_content_parts, data_url_parts, require_tool_list
from ..errors import InvalidRequestError

__all__ = [
    "PROVIDER_KEY",
    "offers_server_tools",
    "to_anthropic_content",
    "to_anthropic_request",
    "to_anthropic_tool_choice",
    "to_anthropic_tools",
]

#: Where the answer's thinking blocks ride on an assistant message (``extra_content``).
PROVIDER_KEY = "anthropic"
_MEDIA_KEYS = ("cache_control",)


def _kept(part: Mapping[str, Any], block: dict[str, Any]) -> dict[str, Any]:
    """``block`` with the part's ``cache_control`` (the shared convention of the neutral form)."""
    for key in _MEDIA_KEYS:
        if part.get(key) is not None:
            block[key] = part[key]
    return block


def _image(url: Any, where: str) -> dict[str, Any]:
    if not isinstance(url, str) or not url:
        raise InvalidRequestError(
            f"{where}: an image_url part needs "
            '{"image_url": {"url": "https://... or data:..."}}.'
        )
    if url[:5].lower() == "data:":
        mime, data = data_url_parts(url, where)
        return {"type": "image", "source": {"type": "base64", "media_type": mime, "data": data}}
    if url.startswith(("http://", "https://")):
        return {"type": "image", "source": {"type": "url", "url": url}}
    raise InvalidRequestError(
        f"{where}: image URL {url[:60]!r} is neither a data: URL nor an http(s) URL."
    )


def _file(file: Any, where: str) -> dict[str, Any]:
    data_url = file.get("file_data") if isinstance(file, Mapping) else None
    if not isinstance(data_url, str) or data_url[:5].lower() != "data:":
        raise InvalidRequestError(
            f"{where}: a file part needs its content inline, as a base64 data URL in "
            '"file_data" (e.g. "data:application/pdf;base64,..."); file ids are not supported.'
        )
    mime, data = data_url_parts(data_url, where)
    if mime != "application/pdf":
        raise InvalidRequestError(
            f"{where} is a {mime} file: Claude takes PDF documents (application/pdf); send text "
            "as a text part and images as image_url parts."
        )
    return {"type": "document", "source": {"type": "base64", "media_type": mime, "data": data}}


def to_anthropic_content(content: Any, where: str) -> list[dict[str, Any]]:
    """An OpenAI-format message content (a string or parts) as Anthropic blocks."""
    if content is None:
        return []
    if isinstance(content, str):
        return [{"type": "text", "text": content}] if content else []
    if not isinstance(content, list):
        raise InvalidRequestError(
            f"{where} is a {type(content).__name__}: it must be a string or a list of parts such "
            'as [{"type": "text", "text": "..."}].'
        )
    blocks: list[dict[str, Any]] = []
    for j, part in enumerate(content):
        at = f"{where}[{j}]"
        if isinstance(part, str):
            if part:
                blocks.append({"type": "text", "text": part})
            continue
        if not isinstance(part, Mapping) or not isinstance(part.get("type"), str):
            raise InvalidRequestError(
                f'{at} must be a dict with a "type" such as {{"type": "text", "text": "..."}}, '
                f"got {part!r:.60}."
            )
        kind = part["type"]
        if kind == "text":
            if part.get("text"):
                blocks.append(_kept(part, {"type": "text", "text": part["text"]}))
        elif kind == "image_url":
            image = part.get("image_url")
            url = image.get("url") if isinstance(image, Mapping) else image
            blocks.append(_kept(part, _image(url, at)))
        elif kind == "file":
            blocks.append(_kept(part, _file(part.get("file"), at)))
        elif kind in ("input_audio", "audio"):
            raise InvalidRequestError(f"{at} is audio: Claude takes text, images and PDFs only.")
        elif kind == "refusal":
            continue  # an earlier refusal of an OpenAI-format answer: nothing to send
        else:
            blocks.append(dict(part))  # an Anthropic block (image / document with a source...)
    return blocks


def _thinking_blocks(message: Mapping[str, Any], where: str) -> list[dict[str, Any]]:
    extra = message.get("extra_content")
    mine = extra.get(PROVIDER_KEY) if isinstance(extra, Mapping) else None
    kept = mine.get("thinking") if isinstance(mine, Mapping) else None
    if not kept:
        return []
    if not isinstance(kept, list) or not all(isinstance(b, Mapping) for b in kept):
        raise InvalidRequestError(
            f'{where}.extra_content["anthropic"]["thinking"] must be the list of thinking blocks '
            f"an answer gave, got {kept!r:.80}."
        )
    blocks = [{k: v for k, v in b.items() if k != "index"} for b in kept]
    untexted = [b for b in blocks if b.get("type") == "thinking" and not b.get("thinking")]
    reasoning = message.get("reasoning_content")
    if len(untexted) == 1 and isinstance(reasoning, str) and reasoning:
        untexted[0]["thinking"] = reasoning  # the text streamed as reasoning_content
    return blocks


def _from_standard(blocks: Any, where: str) -> list[dict[str, Any]]:
    """``content_blocks`` of an earlier answer (text, server tool calls and results) back as the
    Anthropic blocks they came from, in order."""
    out: list[dict[str, Any]] = []
    for j, block in enumerate(blocks):
        at = f"{where}.content_blocks[{j}]"
        if not isinstance(block, Mapping):
            raise InvalidRequestError(f"{at} must be a dict, got {block!r:.60}.")
        kind = block.get("type")
        given = block.get("extras")
        extras: Mapping[str, Any] = given if isinstance(given, Mapping) else {}
        if kind == "text":
            if block.get("text"):
                text: dict[str, Any] = {"type": "text", "text": str(block["text"])}
                citations = extras.get("citations") or block.get("citations")
                if citations:  # in extras (ours), or Anthropic's own field (ChatAnthropic's)
                    text["citations"] = citations
                out.append(_kept(block, text))
        elif kind == "server_tool_call":
            args = block.get("args")
            out.append(
                {
                    "type": str(extras.get("block_type") or "server_tool_use"),
                    "id": block.get("id", ""),
                    "name": block.get("name", ""),
                    "input": dict(args) if isinstance(args, Mapping) else {},
                }
            )
        elif kind == "server_tool_result":
            out.append(
                {
                    "type": str(extras.get("block_type") or "web_search_tool_result"),
                    "tool_use_id": block.get("tool_call_id", ""),
                    "content": block.get("output"),
                }
            )
        elif kind == "non_standard" and isinstance(block.get("value"), Mapping):
            out.append(dict(block["value"]))
        elif kind in ("reasoning", "tool_call", "thinking", "redacted_thinking", "tool_use"):
            continue  # they travel in extra_content and tool_calls
        else:
            raise InvalidRequestError(
                f"{at} is a {kind!r} block, which cannot go back to Claude in a model turn."
            )
    return out


def _tool_use(call: Any, where: str) -> dict[str, Any]:
    function = call.get("function") if isinstance(call, Mapping) else None
    name = function.get("name") if isinstance(function, Mapping) else None
    if not isinstance(name, str) or not name or not call.get("id"):
        raise InvalidRequestError(
            f"{where} must be a dict like {{'id': ..., 'function': {{'name': ..., 'arguments': "
            f"'{{...}}'}}}} with an id and a name, got {call!r:.80}."
        )
    assert isinstance(function, Mapping)
    raw = function.get("arguments")
    if isinstance(raw, Mapping):
        args: Any = dict(raw)
    elif raw is None or (isinstance(raw, str) and not raw.strip()):
        args = {}
    else:
        try:
            args = json.loads(raw)
        except (TypeError, ValueError, RecursionError):
            args = None
    if not isinstance(args, dict):
        raise InvalidRequestError(
            f"{where} ({name!r}) has arguments that are not a JSON object ({raw!r:.80}): Claude "
            "takes a tool call's input as an object."
        )
    return {"type": "tool_use", "id": str(call["id"]), "name": name, "input": args}


def _assistant(message: Mapping[str, Any], where: str) -> list[dict[str, Any]]:
    blocks = _thinking_blocks(message, where)
    standard = message.get("content_blocks")
    if isinstance(standard, list) and standard:
        blocks += _from_standard(standard, where)
    else:
        blocks += to_anthropic_content(message.get("content"), f"{where}.content")
    for k, call in enumerate(message.get("tool_calls") or []):
        blocks.append(_tool_use(call, f"{where}.tool_calls[{k}]"))
    return blocks


def _tool_result(message: Mapping[str, Any], where: str) -> dict[str, Any]:
    call_id = message.get("tool_call_id")
    if not isinstance(call_id, str) or not call_id:
        raise InvalidRequestError(
            f"{where} (a tool result) needs 'tool_call_id', the id of the tool call it answers."
        )
    result: dict[str, Any] = {"type": "tool_result", "tool_use_id": call_id}
    content = message.get("content")
    if isinstance(content, str):
        if content:
            result["content"] = content
    elif content is not None:
        blocks = to_anthropic_content(content, f"{where}.content")
        if blocks:
            result["content"] = blocks
    if message.get("is_error"):
        result["is_error"] = True
    if message.get("cache_control") is not None:
        result["cache_control"] = message["cache_control"]
    return result


def _system(message: Mapping[str, Any], where: str) -> list[dict[str, Any]]:
    blocks = to_anthropic_content(message.get("content"), f"{where}.content")
    for block in blocks:
        if block.get("type") != "text":
            raise InvalidRequestError(
                f"{where} holds a {block.get('type')!r} part: Claude's system prompt is text only."
            )
    return blocks


def _collapsed(content: list[dict[str, Any]]) -> str | list[dict[str, Any]]:
    """One plain text block as a string (how a string prompt is sent), else the blocks."""
    if len(content) == 1 and set(content[0]) == {"type", "text"} and content[0]["type"] == "text":
        return str(content[0]["text"])
    return content


def to_anthropic_request(
    messages: Sequence[Mapping[str, Any]],
    *,
    tools: Sequence[Mapping[str, Any]] | None = None,
    tool_choice: str | Mapping[str, Any] | None = None,
    parallel_tool_calls: bool | None = None,
) -> dict[str, Any]:
    """``messages``, and ``system`` / ``tools`` / ``tool_choice`` when there are any, for OpenAI
    messages (the checks of :mod:`yescale._validate_messages` run on the result later)."""
    system: list[dict[str, Any]] = []
    turns: list[dict[str, Any]] = []

    def add(role: str, blocks: list[dict[str, Any]]) -> None:
        if not blocks:
            return
        if turns and turns[-1]["role"] == role:
            turns[-1]["content"].extend(blocks)
        else:
            turns.append({"role": role, "content": blocks})

    for i, message in enumerate(messages):
        where = f"messages[{i}]"
        role = message.get("role")
        check_content_parts(message.get("content"), f"{where}.content")
        if role in ("system", "developer"):
            system += _system(message, where)
        elif role == "user":
            add("user", to_anthropic_content(message.get("content"), f"{where}.content"))
        elif role == "assistant":
            add("assistant", _assistant(message, where))
        elif role == "tool":
            add("user", [_tool_result(message, where)])
        else:
            raise InvalidRequestError(
                f"{where} has role {role!r}: chat over /v1/messages takes system, developer, user, "
                "assistant and tool messages."
            )
    if not turns:
        raise InvalidRequestError("Claude needs at least one user message besides the system.")
    for turn in turns:
        if turn["role"] == "user":
            # tool results first in their turn (Anthropic's rule), the rest in order after them
            blocks = turn["content"]
            results = [b for b in blocks if b.get("type") == "tool_result"]
            turn["content"] = results + [b for b in blocks if b.get("type") != "tool_result"]
        turn["content"] = _collapsed(turn["content"])
    request: dict[str, Any] = {"messages": turns}
    if system:
        request["system"] = _collapsed(system)
    if tools:
        request["tools"] = to_anthropic_tools(tools)
        choice = to_anthropic_tool_choice(tool_choice) if tool_choice is not None else None
        if parallel_tool_calls is False and (choice is None or choice["type"] != "none"):
            choice = {**(choice or {"type": "auto"}), "disable_parallel_tool_use": True}
        if choice is not None:
            request["tool_choice"] = choice
    elif tool_choice is not None:
        choice = to_anthropic_tool_choice(tool_choice)
        if choice["type"] not in ("auto", "none"):
            raise InvalidRequestError(
                f"tool_choice {tool_choice!r} forces a tool call, but no tools were given."
            )
    return request


def to_anthropic_tools(tools: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """OpenAI function tools as Anthropic custom tools; Anthropic tools pass as they are."""
    out: list[dict[str, Any]] = []
    for i, tool in enumerate(require_tool_list(tools)):
        if not isinstance(tool, Mapping):
            raise InvalidRequestError(
                f"tools[{i}] must be a dict (an OpenAI tool, or an Anthropic tool such as "
                f'{{"type": "web_search_20250305", "name": "web_search"}}), got {tool!r:.80}.'
            )
        if tool.get("type") != "function" and "function" not in tool:
            out.append(dict(tool))  # a server tool, or a custom tool in Anthropic's shape
            continue
        fn = tool.get("function")
        if not isinstance(fn, Mapping) or not isinstance(fn.get("name"), str):
            raise InvalidRequestError(
                f'tools[{i}] needs {{"type": "function", "function": {{"name": ..., '
                f'"parameters": {{...}}}}}}, got {tool!r:.80}.'
            )
        schema = fn.get("parameters")
        if not isinstance(schema, Mapping) or not schema:
            schema = {"type": "object", "properties": {}}
        elif "type" not in schema:
            schema = {"type": "object", **schema}
        converted: dict[str, Any] = {"name": fn["name"]}
        if fn.get("description"):
            converted["description"] = fn["description"]
        converted["input_schema"] = dict(schema)
        out.append(_kept(tool, converted))
    return out


def offers_server_tools(tools: Any) -> bool:
    """Whether Anthropic-format ``tools`` include a server tool (web search, code execution...):
    one with a ``type`` and no ``input_schema`` (a custom tool has one)."""
    return isinstance(tools, list) and any(
        isinstance(t, Mapping) and t.get("type") not in (None, "custom") and "input_schema" not in t
        for t in tools
    )


_CHOICES = {"auto": "auto", "none": "none", "required": "any", "any": "any"}


def to_anthropic_tool_choice(tool_choice: str | Mapping[str, Any]) -> dict[str, Any]:
    """OpenAI's ``tool_choice`` as Anthropic's (one in Anthropic's shape passes)."""
    if isinstance(tool_choice, str) and tool_choice in _CHOICES:
        return {"type": _CHOICES[tool_choice]}
    if isinstance(tool_choice, Mapping):
        function = tool_choice.get("function")
        name = function.get("name") if isinstance(function, Mapping) else None
        if tool_choice.get("type") == "function" and isinstance(name, str) and name:
            return {"type": "tool", "name": name}
        if tool_choice.get("type") in ("auto", "any", "tool", "none"):
            return dict(tool_choice)
    raise InvalidRequestError(
        f"Unknown tool_choice {tool_choice!r:.80} for Claude: use 'auto', 'none', 'required' or "
        '{"type": "function", "function": {"name": "<tool name>"}}.'
    )
