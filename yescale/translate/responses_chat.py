"""OpenAI-format chat (the neutral form) -> OpenAI's Responses request (``POST /v1/responses``).

The shapes are langchain-openai's (``_construct_responses_api_input``), so that a framework class
over this module sends, for the same messages, the body ``ChatOpenAI(use_responses_api=True)``
sends. The answers' way back is :mod:`yescale.translate.responses_answers`; the parameters are
:mod:`yescale.translate.responses_params`. What the neutral form says, and what goes:

* ``system`` / ``developer`` / ``user`` messages -> input messages ``{"type": "message", "role",
  "content"}`` where they are (no ``instructions``): a string as it is; parts ``text`` ->
  ``input_text``, ``image_url`` -> ``input_image`` (``image_url`` the URL string, ``detail``
  kept), ``file`` -> ``input_file`` (the ``file`` dict's fields); ``input_*`` parts pass; a
  ``non_standard`` part is its ``value``; item-like parts (``mcp_approval_response``...) become
  items of their own; ``name`` is dropped (the API has no field for it);
* assistant: first the reasoning items of ``extra_content["openai"]["reasoning"]`` (as the
  answer gave them, a stream's ``index`` dropped; with ``store=False`` only those carrying
  ``encrypted_content``: nothing stored could be found by id); then ``content_blocks`` (an answer
  that ran built-in tools: text, web search, code, images, in order) or else ``content`` as
  ``message`` items with ``output_text`` (``annotations`` of the message, chat-format or flat, on
  the text; ``extra_content["openai"]["message_id"]`` as the item's ``id`` unless
  ``store=False``); an empty ``content`` with tool calls sends no message; then ``tool_calls``
  as ``function_call`` items (``call_id`` = the call's ``id``; ``id`` / ``status`` from the
  call's ``extra_content["openai"]`` ``item_id`` / ``status`` when given);
* ``tool`` messages -> ``function_call_output`` items (text, or ``input_*`` parts when every part
  is text, an image or a file; anything else as JSON text);
* tools: chat-completions function tools -> flat (``{"type": "function", "name", "description",
  "parameters", "strict"}``); flat ones and built-in tools pass as they are (a streamed
  ``image_generation`` tool gets ``partial_images: 1``, as langchain-openai sends it);
* ``tool_choice``: strings as they are; ``{"type": "function", "function": {"name"}}`` ->
  ``{"type": "function", "name"}``; other dicts pass.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

from .._validate import require_tool_list
from ..errors import InvalidRequestError

__all__ = [
    "PROVIDER_KEY",
    "after_last_answer",
    "offers_builtin_tools",
    "to_responses_content",
    "to_responses_input",
    "to_responses_tool_choice",
    "to_responses_tools",
]

#: Where an answer's Responses-only state rides on the neutral messages (``extra_content``).
PROVIDER_KEY = "openai"
#: Parts of a user / system message that are input items of their own (langchain-openai's list).
_ITEM_PARTS = (
    "mcp_approval_response",
    "tool_search_output",
    "apply_patch_call_output",
    "configuration_update",
)
_INPUT_PARTS = ("input_text", "input_image", "input_file")


def _mine(holder: Mapping[str, Any]) -> Mapping[str, Any]:
    """``holder["extra_content"]["openai"]`` (empty when absent)."""
    extra = holder.get("extra_content")
    mine = extra.get(PROVIDER_KEY) if isinstance(extra, Mapping) else None
    return mine if isinstance(mine, Mapping) else {}


def _part(part: Mapping[str, Any], where: str) -> dict[str, Any] | None:
    """One chat-completions part as a Responses input part (``None``: nothing to send)."""
    kind = part.get("type")
    kept = (
        {"prompt_cache_breakpoint": part["prompt_cache_breakpoint"]}
        if ("prompt_cache_breakpoint" in part)
        else {}
    )
    if kind == "text":
        text = part.get("text")
        if not isinstance(text, str):
            raise InvalidRequestError(f"{where} (text) needs 'text' as a string, got {text!r:.60}.")
        return {"type": "input_text", "text": text, **kept}
    if kind == "image_url":
        image = part.get("image_url")
        url = image.get("url") if isinstance(image, Mapping) else image
        if not isinstance(url, str) or not url:
            raise InvalidRequestError(
                f'{where}: an image_url part needs {{"image_url": {{"url": "https://... or '
                'data:..."}}.'
            )
        out: dict[str, Any] = {"type": "input_image", "image_url": url}
        if isinstance(image, Mapping) and image.get("detail"):
            out["detail"] = image["detail"]
        return {**out, **kept}
    if kind == "file":
        file = part.get("file")
        if not isinstance(file, Mapping):
            raise InvalidRequestError(
                f'{where}: a file part needs {{"file": {{"file_data": "data:...", "filename": '
                '...}} or {"file": {"file_id": ...}}.'
            )
        return {"type": "input_file", **file, **kept}
    if kind in ("input_audio", "audio"):
        raise InvalidRequestError(
            f"{where} is audio: the Responses API takes text, images and files; transcribe the "
            "audio first (client.audio) and send the text."
        )
    if kind == "refusal":
        return None
    return dict(part)  # input_* parts, and types added later, as they are


def to_responses_content(content: Any, where: str) -> tuple[Any, list[dict[str, Any]]]:
    """A user / system / developer message's content as Responses content, and the item-like
    parts that go as items of their own."""
    if content is None or isinstance(content, str):
        return content, []
    if not isinstance(content, list):
        raise InvalidRequestError(
            f"{where} is a {type(content).__name__}: it must be a string or a list of parts such "
            'as [{"type": "text", "text": "..."}].'
        )
    parts: list[dict[str, Any]] = []
    items: list[dict[str, Any]] = []
    for j, part in enumerate(content):
        at = f"{where}[{j}]"
        if isinstance(part, str):
            parts.append({"type": "input_text", "text": part})
            continue
        if not isinstance(part, Mapping) or not isinstance(part.get("type"), str):
            raise InvalidRequestError(
                f'{at} must be a dict with a "type" such as {{"type": "text", "text": "..."}}, '
                f"got {part!r:.60}."
            )
        if part["type"] == "non_standard" and isinstance(part.get("value"), Mapping):
            part = part["value"]
        if part.get("type") in _ITEM_PARTS:
            items.append(dict(part))
            continue
        converted = _part(part, at)
        if converted is not None:
            parts.append(converted)
    return parts, items


def _flat_annotation(annotation: Any) -> Any:
    """A chat-format annotation (``{"type": "url_citation", "url_citation": {...}}``) in the
    Responses' flat shape; a flat one as it is."""
    if not isinstance(annotation, Mapping):
        return annotation
    kind = annotation.get("type")
    inner = annotation.get(kind) if isinstance(kind, str) else None
    if isinstance(inner, Mapping):
        return {"type": kind, **{k: v for k, v in inner.items() if k != "cited_text"}}
    return dict(annotation)


def _text_content(text: str, annotations: Any) -> dict[str, Any]:
    flat = [_flat_annotation(a) for a in annotations] if isinstance(annotations, list) else []
    return {"type": "output_text", "text": text, "annotations": flat}


class _Turn:
    """The items of one assistant message, built in order; text parts of one ``id`` share a
    ``message`` item (langchain-openai's grouping)."""

    def __init__(self, store: bool | None) -> None:
        self.items: list[dict[str, Any]] = []
        self.store = store

    def text(self, content: dict[str, Any], item_id: Any) -> None:
        if isinstance(item_id, str) and item_id:
            for item in self.items:
                if item.get("type") == "message" and item.get("id") == item_id:
                    item["content"].append(content)
                    return
        message: dict[str, Any] = {"type": "message", "role": "assistant", "content": [content]}
        if isinstance(item_id, str) and item_id and self.store is not False:
            message["id"] = item_id
        self.items.append(message)

    def block(self, block: Mapping[str, Any], where: str) -> None:
        """One standard block of an earlier answer's ``content_blocks`` (or a content part)."""
        kind = block.get("type")
        extras = block.get("extras")
        item = extras.get("item") if isinstance(extras, Mapping) else None
        if kind in ("text", "output_text"):
            text = block.get("text")
            if isinstance(text, str):
                notes = block.get("annotations")
                if notes is None and isinstance(extras, Mapping):
                    notes = extras.get("annotations")
                self.text(_text_content(text, notes), block.get("id"))
        elif kind == "refusal":
            self.text(
                {"type": "refusal", "refusal": str(block.get("refusal") or "")}, block.get("id")
            )
        elif kind == "server_tool_call" and isinstance(item, Mapping):
            self.items.append(dict(item))
        elif kind == "image" and isinstance(item, Mapping):
            if self.store is not False and item.get("id"):
                self.items.append({"type": "image_generation_call", "id": item["id"]})
            else:
                self.items.append({**item, "result": block.get("base64")})
        elif kind == "non_standard" and isinstance(block.get("value"), Mapping):
            self.items.append(dict(block["value"]))
        elif not isinstance(kind, str):
            raise InvalidRequestError(f"{where} must be a dict with a 'type', got {block!r:.60}.")
        # server_tool_result: its call's item holds it; blocks of other classes are not sent


def _reasoning(message: Mapping[str, Any], where: str, store: bool | None) -> list[dict[str, Any]]:
    kept = _mine(message).get("reasoning")
    if not kept:
        return []
    if not isinstance(kept, list) or not all(isinstance(r, Mapping) for r in kept):
        raise InvalidRequestError(
            f'{where}.extra_content["openai"]["reasoning"] must be the list of reasoning items '
            f"an answer gave, got {kept!r:.80}."
        )
    out = []
    for given in kept:
        item = {k: v for k, v in given.items() if k != "index"}
        if isinstance(item.get("summary"), list):
            item["summary"] = [
                {k: v for k, v in p.items() if k != "index"} if isinstance(p, Mapping) else p
                for p in item["summary"]
            ]
        if store is not False or item.get("encrypted_content"):
            out.append(item)
    return out


def _function_call(call: Any, where: str) -> dict[str, Any]:
    function = call.get("function") if isinstance(call, Mapping) else None
    name = function.get("name") if isinstance(function, Mapping) else None
    if not isinstance(call, Mapping) or not call.get("id") or not isinstance(name, str):
        raise InvalidRequestError(
            f'{where} must be {{"id": ..., "type": "function", "function": {{"name": ..., '
            f'"arguments": "..."}}}}, got {call!r:.80}.'
        )
    assert isinstance(function, Mapping)
    arguments = function.get("arguments")
    if arguments is None:
        arguments = ""
    elif not isinstance(arguments, str):
        arguments = json.dumps(arguments)
    item: dict[str, Any] = {
        "type": "function_call",
        "name": name,
        "arguments": arguments,
        "call_id": str(call["id"]),
    }
    mine = _mine(call)
    if mine.get("item_id"):
        item["id"] = mine["item_id"]
    if mine.get("status"):
        item["status"] = mine["status"]
    return item


def _assistant(message: Mapping[str, Any], where: str, store: bool | None) -> list[dict[str, Any]]:
    turn = _Turn(store)
    turn.items += _reasoning(message, where, store)
    calls = message.get("tool_calls") or []
    blocks = message.get("content_blocks")
    content = message.get("content")
    if isinstance(blocks, list) and blocks:
        for j, block in enumerate(blocks):
            turn.block(block if isinstance(block, Mapping) else {}, f"{where}.content_blocks[{j}]")
    elif isinstance(content, str):
        if content or not calls:  # an empty text beside tool calls is no message
            item_id = _mine(message).get("message_id")
            turn.text(_text_content(content, message.get("annotations")), item_id)
    elif isinstance(content, list):
        for j, part in enumerate(content):
            block = {"type": "text", "text": part} if isinstance(part, str) else part
            if not isinstance(block, Mapping):
                raise InvalidRequestError(f"{where}.content[{j}] must be a dict, got {part!r:.60}.")
            turn.block(block, f"{where}.content[{j}]")
    elif content is not None:
        raise InvalidRequestError(
            f"{where}.content is a {type(content).__name__}: it must be a string or a list of "
            "text parts."
        )
    sent = {i.get("call_id") for i in turn.items if i.get("type") == "function_call"}
    if not isinstance(calls, list):
        raise InvalidRequestError(f"{where}.tool_calls must be a list, got {calls!r:.60}.")
    for k, call in enumerate(calls):
        item = _function_call(call, f"{where}.tool_calls[{k}]")
        if item["call_id"] not in sent:
            turn.items.append(item)
    return turn.items


def _stringified(value: Any) -> str:
    try:
        return json.dumps(value, ensure_ascii=False)
    except (TypeError, ValueError):
        return str(value)


def _tool_output(message: Mapping[str, Any], where: str) -> dict[str, Any]:
    call_id = message.get("tool_call_id")
    if not isinstance(call_id, str) or not call_id:
        raise InvalidRequestError(
            f"{where} (a tool result) needs 'tool_call_id', the id of the tool call it answers."
        )
    content = message.get("content")
    known = ("text", "image_url", "file", *_INPUT_PARTS)
    output: Any
    if isinstance(content, str):
        output = content
    elif content is None:
        output = ""
    elif isinstance(content, list) and all(
        isinstance(p, Mapping) and p.get("type") in known for p in content
    ):
        output = [_part(p, f"{where}.content[{j}]") for j, p in enumerate(content)]
    else:
        output = _stringified(content)
    return {"type": "function_call_output", "output": output, "call_id": call_id}


def to_responses_input(
    messages: Sequence[Mapping[str, Any]], *, store: bool | None = None
) -> list[dict[str, Any]]:
    """The ``input`` items for OpenAI-format ``messages`` (checked later, by
    :mod:`yescale._validate_responses`, as every Responses request is)."""
    items: list[dict[str, Any]] = []
    for i, message in enumerate(messages):
        where = f"messages[{i}]"
        role = message.get("role")
        if role in ("system", "developer", "user"):
            content, extra_items = to_responses_content(message.get("content"), f"{where}.content")
            items += extra_items
            if isinstance(content, list) and not content:
                continue
            items.append({"type": "message", "role": role, "content": content})
        elif role == "assistant":
            items += _assistant(message, where, store)
        elif role == "tool":
            items.append(_tool_output(message, where))
        else:
            raise InvalidRequestError(
                f"{where} has role {role!r}: chat over /v1/responses takes system, developer, "
                "user, assistant and tool messages."
            )
    return items


def after_last_answer(
    messages: Sequence[Mapping[str, Any]],
) -> tuple[Sequence[Mapping[str, Any]], str | None]:
    """The messages after the last assistant message that names its response
    (``extra_content["openai"]["response_id"]``, a ``resp_`` id), and that id; all of them and
    ``None`` when none does (langchain-openai's ``use_previous_response_id``)."""
    for i in range(len(messages) - 1, -1, -1):
        message = messages[i]
        if message.get("role") == "assistant":
            response_id = _mine(message).get("response_id")
            if isinstance(response_id, str) and response_id.startswith("resp_"):
                return messages[i + 1 :], response_id
    return messages, None


def to_responses_tools(
    tools: Sequence[Mapping[str, Any]], *, stream: bool = False
) -> list[dict[str, Any]]:
    """Chat-completions function tools flat; flat and built-in tools as they are."""
    out: list[dict[str, Any]] = []
    for i, tool in enumerate(require_tool_list(tools)):
        if not isinstance(tool, Mapping):
            raise InvalidRequestError(
                f"tools[{i}] must be a dict (an OpenAI function tool, or a built-in tool such as "
                f'{{"type": "web_search"}}), got {tool!r:.80}.'
            )
        if tool.get("type") == "function" and isinstance(tool.get("function"), Mapping):
            extra = {k: v for k, v in tool.items() if k not in ("type", "function")}
            out.append({"type": "function", **tool["function"], **extra})
        elif tool.get("type") == "image_generation" and stream and "partial_images" not in tool:
            out.append({**tool, "partial_images": 1})
        else:
            out.append(dict(tool))
    return out


def offers_builtin_tools(tools: Any) -> bool:
    """Whether Responses ``tools`` include a built-in one (web search, image generation...)."""
    return isinstance(tools, list) and any(
        isinstance(t, Mapping) and t.get("type") not in ("function", "custom") for t in tools
    )


def to_responses_tool_choice(tool_choice: str | Mapping[str, Any]) -> str | dict[str, Any]:
    """The chat-completions ``tool_choice`` in the Responses' shape (other values as they are:
    :mod:`yescale._validate_responses` checks them)."""
    if isinstance(tool_choice, Mapping):
        function = tool_choice.get("function")
        if tool_choice.get("type") == "function" and isinstance(function, Mapping):
            return {"type": "function", **function}
        return dict(tool_choice)
    return tool_choice
