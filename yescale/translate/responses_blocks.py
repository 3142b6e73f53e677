"""What a Responses answer holds beyond text, reasoning and function calls, as standard content
blocks; and its annotations in the chat-completions shape.

The blocks are the ones langchain-core's own OpenAI translator makes of the same items (the
vocabulary both frameworks' converters already render, as for Claude's and Gemini's answers):

* ``web_search_call`` -> ``{"type": "server_tool_call", "name": "web_search", "id", "args":
  <the action, without its sources>}`` + ``{"type": "server_tool_result", "tool_call_id",
  "status": "success" | "error", "output": {"sources": [...]}}``;
* ``code_interpreter_call`` -> ``server_tool_call`` (``name`` ``code_interpreter``, ``args``
  ``{"code"}``) + ``server_tool_result`` (``output``: the item's ``outputs``);
* ``file_search_call`` -> ``server_tool_call`` (``file_search``, ``args`` ``{"queries"}``) +
  ``server_tool_result`` (``output``: its ``results``); ``mcp_call`` -> ``server_tool_call``
  (``remote_mcp``, ``args``: its arguments read as JSON) + ``server_tool_result``;
* ``image_generation_call`` -> ``{"type": "image", "base64": <result>, "mime_type":
  "image/<output_format, png when not said>", "id"}``;
* any other item -> ``{"type": "non_standard", "value": <the item>}``.

The call block (the image block for images) keeps the item as it came in ``extras["item"]`` (an
image without its ``result``, which is the block's ``base64``), so that
:mod:`yescale.translate.responses_chat` sends the item back unchanged next turn.
"""

from __future__ import annotations

import json
from typing import Any

from ..types.responses import OutputItemBase, OutputText, UnknownAnnotation, UrlCitation

__all__ = ["BLOCK_COUNTS", "chat_annotation", "standard_blocks", "text_block"]

#: The items that are a call and its result; how they are named and what their args are.
_CALLS = {
    "web_search_call": "web_search",
    "code_interpreter_call": "code_interpreter",
    "file_search_call": "file_search",
    "mcp_call": "remote_mcp",
}
#: How many blocks an item of each type becomes (every other type: one).
BLOCK_COUNTS = {**{kind: 2 for kind in _CALLS}, "image_generation_call": 1}


def chat_annotation(annotation: Any, offset: int) -> dict[str, Any]:
    """A Responses annotation in the chat-completions shape, its offsets moved by ``offset``
    (where its text part starts in the answer's ``content``): ``url_citation`` ->
    ``{"type": "url_citation", "url_citation": {"url", "title", "start_index", "end_index"}}``;
    another type ``t`` -> ``{"type": t, t: {<its fields>}}``."""
    if isinstance(annotation, UrlCitation):
        inner: dict[str, Any] = {"url": annotation.url, "title": annotation.title or ""}
        for name in ("start_index", "end_index"):
            value = getattr(annotation, name)
            if value is not None:
                inner[name] = value + offset
        return {"type": "url_citation", "url_citation": inner}
    wire = annotation.to_wire() if isinstance(annotation, UnknownAnnotation) else dict(annotation)
    kind = str(wire.pop("type", "annotation"))
    return {"type": kind, kind: wire}


def text_block(part: OutputText, item_id: str | None) -> dict[str, Any]:
    """An ``output_text`` part as a text block (its annotations, flat, in ``extras``)."""
    block: dict[str, Any] = {"type": "text", "text": part.text}
    if item_id:
        block["id"] = item_id
    if part.annotations:
        block["extras"] = {"annotations": [a.to_wire() for a in part.annotations]}
    return block


def _status(item: dict[str, Any]) -> str:
    failed = item.get("status") in ("failed", "incomplete") or item.get("error")
    return "error" if failed else "success"


def _call_and_result(item: dict[str, Any]) -> list[dict[str, Any]]:
    kind = item["type"]
    item_id = str(item.get("id") or "")
    args: Any = {}
    output: Any = None
    if kind == "web_search_call":
        given = item.get("action")
        action: dict[str, Any] = given if isinstance(given, dict) else {}
        args = {k: v for k, v in action.items() if k != "sources"}
        output = {"sources": action["sources"]} if action.get("sources") else None
    elif kind == "code_interpreter_call":
        args = {"code": item["code"]} if item.get("code") is not None else {}
        output = item.get("outputs")
    elif kind == "file_search_call":
        args = {"queries": item.get("queries") or []}
        output = item.get("results")
    else:  # mcp_call
        try:
            args = json.loads(item.get("arguments") or "{}")
        except (TypeError, ValueError, RecursionError):
            args = {}
        output = item.get("output") or item.get("error")
    call = {
        "type": "server_tool_call",
        "id": item_id,
        "name": _CALLS[kind],
        "args": args if isinstance(args, dict) else {},
        "extras": {"item": item},
    }
    result: dict[str, Any] = {
        "type": "server_tool_result",
        "tool_call_id": item_id,
        "status": _status(item),
    }
    if output is not None:
        result["output"] = output
    return [call, result]


def standard_blocks(item: OutputItemBase) -> list[dict[str, Any]]:
    """A built-in tool's item (or an item of a type this version does not know) as its
    standard blocks: :data:`BLOCK_COUNTS` of them."""
    wire = item.to_wire()
    kind = wire.get("type")
    if kind in _CALLS:
        return _call_and_result(wire)
    if kind == "image_generation_call" and isinstance(wire.get("result"), str):
        image = {k: v for k, v in wire.items() if k != "result"}
        block: dict[str, Any] = {
            "type": "image",
            "base64": wire["result"],
            "mime_type": f"image/{wire.get('output_format') or 'png'}",
            "extras": {"item": image},
        }
        if wire.get("id"):
            block["id"] = wire["id"]
        return [block]
    return [{"type": "non_standard", "value": wire}]
