"""Checks of an OpenAI Responses request, made before it is sent.

What OpenAI would refuse with an HTTP 400 is refused here, naming the field and what to do:
``input`` (a non-empty string, or a non-empty list of well-formed items: messages with
``input_text`` / ``input_image`` / ``input_file`` content, ``function_call`` and
``function_call_output`` items paired by ``call_id``, ``reasoning`` items, ``item_reference``),
``instructions``, ``tools`` (function tools in the Responses' flat shape; built-in tools pass as
they are), ``tool_choice``, ``reasoning``, ``include``, ``text.format`` and the chat-completions
spellings that do not belong here (``messages``, ``max_tokens``, ``response_format``). Items,
parts and tools of types this version does not know pass unchecked (OpenAI adds new ones).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from pydantic import BaseModel

from ._validate import note_tool_name, require_tool_list
from .errors import InvalidRequestError

ROLES = ("user", "assistant", "system", "developer")
EFFORTS = ("none", "minimal", "low", "medium", "high", "xhigh")
SUMMARIES = ("auto", "concise", "detailed")
TRUNCATIONS = ("auto", "disabled")
TOOL_CHOICES = ("auto", "none", "required")
IMAGE_DETAILS = ("low", "high", "auto")
#: OpenAI's rule for function names, and for a json_schema format's name.
_NAME = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
_EXAMPLE = '[{"role": "user", "content": "Hello"}]'
#: The chat-completions parameters that have another name here.
_RENAMED = {
    "messages": "`input` (a string, or a list of items such as " + _EXAMPLE + ")",
    "max_tokens": "`max_output_tokens`",
    "max_completion_tokens": "`max_output_tokens`",
    "response_format": '`text={"format": {...}}` (e.g. {"type": "json_schema", "name": ..., '
    '"schema": {...}})',
    "functions": "`tools` with function tools",
}
#: Chat-completions content parts, and what the Responses API calls them.
_CHAT_PARTS = {"text": "input_text", "image_url": "input_image", "file": "input_file"}


def _shown(value: Any) -> str:
    return f"{type(value).__name__} {value!r:.60}"


def _as_dict(value: Any) -> Any:
    """A typed item (from an earlier answer) as its wire dict; anything else as it is."""
    return value.to_wire() if isinstance(value, BaseModel) and hasattr(value, "to_wire") else value


def check_params(params: Mapping[str, Any]) -> None:
    """Refuse ``stream`` (use ``.stream``) and the chat-completions names of other fields."""
    if "stream" in params:
        raise InvalidRequestError(
            "Do not pass `stream`: use client.responses.stream(...) for a stream, "
            "client.responses.create(...) for one answer."
        )
    for name, instead in _RENAMED.items():
        if name in params:
            raise InvalidRequestError(
                f"`{name}` is a chat-completions parameter: the Responses API takes {instead}."
            )


def normalized_input(value: Any, *, previous_response_id: Any = None) -> str | list[Any]:
    """``input`` as a string or a list of plain dicts (typed items of an earlier answer turned
    into their wire dicts, so ``reply.output`` can go back as it came), checked."""
    if isinstance(value, str):
        if not value.strip():
            raise InvalidRequestError(
                "`input` is empty or white space: give the model some text, or a list of "
                f"items such as {_EXAMPLE}."
            )
        return value
    if isinstance(value, (bytes, Mapping)) or not isinstance(value, Sequence) or not value:
        raise InvalidRequestError(
            f"`input` must be a non-empty string or a non-empty list of items such as "
            f"{_EXAMPLE}, got {_shown(value)}."
        )
    items = [_as_dict(item) for item in value]
    for i, item in enumerate(items):
        check_item(item, f"input[{i}]")
    _check_calls(items, previous_response_id)
    return [
        {**item, "content": [_as_dict(p) for p in item["content"]]}
        if isinstance(item.get("content"), list)
        else item
        for item in items
    ]


def _require_str(item: Mapping[str, Any], name: str, where: str, hint: str = "") -> str:
    value = item.get(name)
    if not isinstance(value, str) or not value:
        raise InvalidRequestError(
            f"{where} ({item.get('type')}) needs '{name}' as a non-empty string, got "
            f"{_shown(value)}." + (f" {hint}" if hint else "")
        )
    return value


def check_item(item: Any, where: str) -> None:
    """One input item (``where``: ``input[2]``)."""
    if not isinstance(item, Mapping):
        raise InvalidRequestError(
            f"{where} must be a dict such as {{'role': 'user', 'content': 'Hello'}} or "
            f"{{'type': 'function_call_output', 'call_id': ..., 'output': ...}}, got "
            f"{_shown(item)}."
        )
    kind = item.get("type")
    if (kind is None and "role" in item) or kind == "message":
        _check_message(item, where)
    elif kind == "function_call":
        _require_str(item, "call_id", where, "Send the item back as the answer gave it.")
        _require_str(item, "name", where)
        if not isinstance(item.get("arguments"), str):
            raise InvalidRequestError(
                f"{where} (function_call) needs 'arguments' as JSON text, got "
                f"{_shown(item.get('arguments'))}. Encode them: json.dumps(arguments)."
            )
    elif kind == "function_call_output":
        _require_str(
            item, "call_id", where, "Give the call_id of the function_call this output answers."
        )
        output = item.get("output")
        if isinstance(output, list):
            for j, part in enumerate(output):
                _check_part(part, f"{where}.output[{j}]", "user")
        elif not isinstance(output, str):
            raise InvalidRequestError(
                f"{where} (function_call_output) needs 'output' as a string (or a list of input "
                f"parts), got {_shown(output)}. Convert it first, e.g. json.dumps(result)."
            )
    elif kind == "reasoning":
        _require_str(item, "id", where, "Send reasoning items back as the answer gave them.")
        if not isinstance(item.get("summary"), list):
            raise InvalidRequestError(
                f"{where} (reasoning) needs 'summary' as a list (it may be empty), got "
                f"{_shown(item.get('summary'))}. Send the item back as the answer gave it."
            )
        encrypted = item.get("encrypted_content")
        if encrypted is not None and not isinstance(encrypted, str):
            raise InvalidRequestError(
                f"{where}.encrypted_content must be the string the answer gave, unchanged, got "
                f"{_shown(encrypted)}."
            )
    elif kind == "item_reference":
        _require_str(item, "id", where, "Give the id of an item of a stored response.")
    elif not isinstance(kind, str):
        raise InvalidRequestError(
            f"{where} has no 'type' and no 'role': give a message "
            f"({{'role': 'user', 'content': ...}}) or an item with a type (function_call_output, "
            f"item_reference...), got {_shown(item)}."
        )


def _check_message(item: Mapping[str, Any], where: str) -> None:
    role = item.get("role")
    if role not in ROLES:
        hint = (
            " Tool results are function_call_output items: "
            '{"type": "function_call_output", "call_id": ..., "output": ...}.'
            if role == "tool"
            else ""
        )
        raise InvalidRequestError(
            f"{where} has role {role!r}: messages take 'user', 'assistant', 'system' or "
            f"'developer'.{hint}"
        )
    content = item.get("content")
    if isinstance(content, str):
        if not content.strip() and role != "assistant":
            raise InvalidRequestError(f"{where}.content is empty or white space: give it text.")
        return
    if isinstance(content, (bytes, bytearray)) or not isinstance(content, list) or not content:
        raise InvalidRequestError(
            f"{where}.content must be a non-empty string or a non-empty list of parts such as "
            f'[{{"type": "input_text", "text": "..."}}], got {_shown(content)}.'
        )
    for j, part in enumerate(content):
        _check_part(_as_dict(part), f"{where}.content[{j}]", role)


def _check_part(part: Any, where: str, role: str) -> None:
    """One content part of a ``role`` message: ``input_*`` parts for user, system and
    developer messages, ``output_text`` / ``refusal`` for assistant ones."""
    if not isinstance(part, Mapping) or not isinstance(part.get("type"), str):
        raise InvalidRequestError(
            f'{where} must be a dict with a "type" such as {{"type": "input_text", "text": '
            f'"..."}}, got {_shown(part)}.'
        )
    kind = part["type"]
    if kind in _CHAT_PARTS:
        raise InvalidRequestError(
            f"{where} is a chat-completions {kind!r} part: the Responses API calls it "
            f"{_CHAT_PARTS[kind]!r}"
            + (
                ' with "image_url" as a plain string (a URL or a data URL).'
                if kind == "image_url"
                else "."
            )
        )
    sent_back = kind in ("output_text", "refusal")
    if role == "assistant" and kind.startswith("input_"):
        raise InvalidRequestError(
            f"{where} is an {kind} part in an assistant message: assistant content is "
            "'output_text' (or 'refusal'), or a plain string."
        )
    if role != "assistant" and sent_back:
        raise InvalidRequestError(
            f"{where} is an {kind} part in a {role} message: {role} content is 'input_text', "
            "'input_image' or 'input_file'."
        )
    if kind in ("input_text", "output_text"):
        text = part.get("text")
        if not isinstance(text, str):
            raise InvalidRequestError(
                f"{where} ({kind}) needs 'text' as a string, got {_shown(text)}. Convert it "
                "first, e.g. str(value)."
            )
    elif kind == "input_image":
        _check_image(part, where)
    elif kind == "input_file" and not _has_file(part):
        raise InvalidRequestError(
            f"{where} (input_file) needs 'file_id', 'file_url', or 'file_data' (a data URL "
            "such as 'data:application/pdf;base64,...') with its 'filename'."
        )


def _has_file(part: Mapping[str, Any]) -> bool:
    if any(isinstance(part.get(k), str) and part[k] for k in ("file_id", "file_url")):
        return True
    data = part.get("file_data")
    return isinstance(data, str) and bool(data) and isinstance(part.get("filename"), str)


def _check_image(part: Mapping[str, Any], where: str) -> None:
    url, file_id = part.get("image_url"), part.get("file_id")
    if isinstance(url, Mapping):
        raise InvalidRequestError(
            f"{where}.image_url is a dict (the chat-completions shape): the Responses API takes "
            'the URL as a plain string: {"type": "input_image", "image_url": "https://..."}.'
        )
    if not (isinstance(url, str) and url) and not (isinstance(file_id, str) and file_id):
        raise InvalidRequestError(
            f"{where} (input_image) needs 'image_url' (a URL or a data URL such as "
            "'data:image/png;base64,...') or 'file_id'."
        )
    if isinstance(url, str) and url and not url.startswith(("https://", "http://", "data:")):
        raise InvalidRequestError(
            f"{where}.image_url must be an http(s) URL or a data URL "
            f"('data:image/png;base64,...'), got {url!r:.60}."
        )
    detail = part.get("detail")
    if detail is not None and detail not in IMAGE_DETAILS:
        raise InvalidRequestError(
            f"{where}.detail is {detail!r}: it is one of {', '.join(IMAGE_DETAILS)}."
        )


def _check_calls(items: list[Any], previous_response_id: Any) -> None:
    """Each ``function_call_output`` answers a ``function_call`` earlier in the input (or of
    the previous response, with ``previous_response_id``); each ``function_call`` in the input
    is answered after it (OpenAI: "No tool output found for function call ...")."""
    called: dict[str, int] = {}
    answered: set[str] = set()
    for i, item in enumerate(items):
        kind = item.get("type")
        if kind == "function_call":
            called[item["call_id"]] = i
        elif kind == "function_call_output":
            call_id = item["call_id"]
            if call_id not in called and not previous_response_id:
                raise InvalidRequestError(
                    f"input[{i}] is a function_call_output for {call_id!r}, but no function_call "
                    f"with that call_id comes before it (calls: "
                    f"{', '.join(map(repr, called)) or 'none'}). Put the answer's function_call "
                    "item first (reply.to_input()), or pass previous_response_id=reply.id."
                )
            answered.add(call_id)
    missing = [call_id for call_id in called if call_id not in answered]
    if missing:
        raise InvalidRequestError(
            f"input[{called[missing[0]]}] is a function_call ({missing[0]!r}) with no "
            "function_call_output after it: answer each call with "
            '{"type": "function_call_output", "call_id": "<call_id>", "output": "..."}.'
        )


def check_tools(tools: Any) -> list[str]:
    """Function tools in the flat shape (``{"type": "function", "name", "parameters",
    "strict"}``) with valid unique names; built-in tools (``web_search``,
    ``image_generation``, ...) pass. Returns the function names."""
    seen: dict[str, int] = {}
    for i, tool in enumerate(require_tool_list(tools)):
        if not isinstance(tool, Mapping) or not isinstance(tool.get("type"), str):
            raise InvalidRequestError(
                f"tools[{i}] must be a dict with a 'type', such as "
                '{"type": "function", "name": "get_weather", "parameters": {...}} or '
                f'{{"type": "web_search"}}, got {_shown(tool)}.'
            )
        if tool["type"] != "function":
            continue
        if isinstance(tool.get("function"), Mapping):
            raise InvalidRequestError(
                f"tools[{i}] is a chat-completions tool (its name and parameters nested under "
                "'function'): the Responses API takes them at the top level: "
                '{"type": "function", "name": ..., "parameters": {...}, "strict": true}.'
            )
        name = tool.get("name")
        if not isinstance(name, str) or not _NAME.match(name):
            raise InvalidRequestError(
                f"tools[{i}] is named {name!r}: function names must be 1-64 letters, digits, "
                "'_' or '-'. Rename the tool."
            )
        note_tool_name(seen, name, i)
        parameters = tool.get("parameters")
        if parameters is not None and not isinstance(parameters, Mapping):
            raise InvalidRequestError(
                f"tools[{i}] ({name}) has parameters of type {type(parameters).__name__}: they "
                "must be a JSON schema dict."
            )
        strict = tool.get("strict")
        if strict is not None and not isinstance(strict, bool):
            raise InvalidRequestError(f"tools[{i}] ({name}).strict must be a bool.")
    return list(seen)


def check_tool_choice(tool_choice: Any, names: list[str], tools: Any) -> None:
    """``auto`` / ``none`` / ``required``; ``{"type": "function", "name"}`` naming a function
    tool; other dicts (a built-in tool's type, ``allowed_tools``) pass."""
    if isinstance(tool_choice, str):
        if tool_choice not in TOOL_CHOICES:
            raise InvalidRequestError(
                f"tool_choice {tool_choice!r} is not one of 'auto', 'none', 'required'; to force "
                'one function, pass {"type": "function", "name": "<tool name>"}.'
            )
        if tool_choice == "required" and not tools:
            raise InvalidRequestError(
                "tool_choice='required' but no tools were given: pass tools=[...] too."
            )
        return
    if not isinstance(tool_choice, Mapping) or not isinstance(tool_choice.get("type"), str):
        raise InvalidRequestError(
            f"tool_choice must be 'auto', 'none', 'required' or a dict with a 'type', got "
            f"{_shown(tool_choice)}."
        )
    if tool_choice["type"] != "function":
        return
    name = tool_choice.get("name")
    if name is None and isinstance(tool_choice.get("function"), Mapping):
        raise InvalidRequestError(
            "tool_choice is in the chat-completions shape: the Responses API takes "
            '{"type": "function", "name": "<tool name>"}.'
        )
    if name not in names:
        raise InvalidRequestError(
            f"tool_choice names the function {name!r}, which is not among the tools given "
            f"({', '.join(names) or 'none'})."
        )


def check_reasoning(reasoning: Any) -> None:
    """``{"effort": ..., "summary": "auto" | "concise" | "detailed"}`` (other keys pass)."""
    if not isinstance(reasoning, Mapping):
        raise InvalidRequestError(
            'reasoning must be a dict such as {"effort": "medium", "summary": "auto"}, got '
            f"{_shown(reasoning)}."
        )
    effort = reasoning.get("effort")
    if effort is not None and effort not in EFFORTS:
        raise InvalidRequestError(
            f"reasoning.effort is {effort!r}: it is one of {', '.join(map(repr, EFFORTS))}."
        )
    summary = reasoning.get("summary")
    if summary is not None and summary not in SUMMARIES:
        raise InvalidRequestError(
            f"reasoning.summary is {summary!r}: it is one of "
            f"{', '.join(map(repr, SUMMARIES))} (or leave it out for no summary)."
        )


def check_include(include: Any) -> None:
    if isinstance(include, str) or not isinstance(include, Sequence):
        raise InvalidRequestError(
            "include must be a list of strings such as ['reasoning.encrypted_content'], got "
            f"{_shown(include)}."
        )
    for j, value in enumerate(include):
        if not isinstance(value, str) or not value:
            raise InvalidRequestError(f"include[{j}] must be a non-empty string, got {value!r}.")


def check_text(text: Any) -> None:
    """``{"format": {"type": "text" | "json_object" | "json_schema", ...}}``; a json_schema
    format has a valid ``name`` and a ``schema`` dict at its top level."""
    if not isinstance(text, Mapping):
        raise InvalidRequestError(
            'text must be a dict such as {"format": {"type": "json_schema", "name": "answer", '
            f'"schema": {{...}}}}}}, got {_shown(text)}.'
        )
    fmt = text.get("format")
    if fmt is None:
        return
    if not isinstance(fmt, Mapping) or not isinstance(fmt.get("type"), str):
        raise InvalidRequestError(
            f"text.format must be a dict with a 'type' (text, json_object, json_schema), got "
            f"{_shown(fmt)}."
        )
    if fmt["type"] != "json_schema":
        return
    if isinstance(fmt.get("json_schema"), Mapping):
        raise InvalidRequestError(
            "text.format is in the chat-completions shape (its schema nested under "
            "'json_schema'): the Responses API takes name, schema and strict at the top level: "
            '{"type": "json_schema", "name": ..., "schema": {...}, "strict": true}.'
        )
    name = fmt.get("name")
    if not isinstance(name, str) or not _NAME.match(name):
        raise InvalidRequestError(
            f"text.format.name is {name!r}: a json_schema format needs a name of 1-64 letters, "
            "digits, '_' or '-'."
        )
    if not isinstance(fmt.get("schema"), Mapping):
        raise InvalidRequestError(
            f"text.format ({name}) needs 'schema', a JSON schema dict, got "
            f"{_shown(fmt.get('schema'))}."
        )


def check_truncation(truncation: Any) -> None:
    if truncation not in TRUNCATIONS:
        raise InvalidRequestError(f"truncation is {truncation!r}: it is 'auto' or 'disabled'.")


__all__ = [
    "check_include",
    "check_item",
    "check_params",
    "check_reasoning",
    "check_text",
    "check_tool_choice",
    "check_tools",
    "check_truncation",
    "normalized_input",
]
