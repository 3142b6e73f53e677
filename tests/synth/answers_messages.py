"""Canned answers of ``POST /v1/messages`` (Claude in Anthropic's own Messages format).

Only for the tests in :data:`SERVED` (``when=``): ``tests/integration/test_client_messages.py``,
``test_messages_chat.py`` beside it (OpenAI-format chat over the same endpoint) and the framework
classes' tests over it, at priority 20. The YEScale
reference lists "Anthropic Claude -> Offical Format -> Messages (official Anthropic format),
Messages(Image Recognition), Messages(function call), Messages(Web search)" without bodies, so
every answer here is ``WIRE``: Anthropic's public Messages API format (a ``message`` object, or
its server-sent events: ``message_start``, ``content_block_start`` / ``_delta`` / ``_stop``,
``ping``, ``message_delta``, ``message_stop``; errors as ``{"type": "error", "error": {...}}``).

Like the other answers, these check what the client sent and answer with Anthropic's error when
it is wrong: ``Authorization: Bearer`` and no ``x-api-key``, ``anthropic-version: 2023-06-01``,
``model`` and ``max_tokens``, and on a second turn the thinking blocks sent back with their
``signature`` / ``data`` unchanged (Anthropic refuses altered ones).

What answers what: a web search tool -> ``server_tool_use``, ``web_search_tool_result`` and text
with citations; a tool result -> text using it (after thinking, when thinking is on); custom tools
-> a ``tool_use`` (after thinking and redacted thinking, when thinking is on); an image -> its
description; anything else -> a greeting. ``cache_control`` anywhere in the prompt: the first
request of a test writes the cache (``cache_creation_input_tokens``), the later ones read it.
"""

from __future__ import annotations

import base64
import binascii
import json
from typing import Any

from .answers import _api_auth, _digest
from .routes import Answer, SynthRequest, as_json, route

MINE = "tests/integration/test_client_messages.py"
CHAT = "tests/integration/test_messages_chat.py"
GREETING = "Hello! How can I help you today?"
WEATHER = {"city": "Paris", "unit": "celsius"}
WEATHER_ANSWER = "It is 18 degrees and sunny in Paris."
IMAGE_ANSWER = "The image is a small red square."
THOUGHT = "The user wants the weather in Paris, so I should call get_weather."
THOUGHT_AFTER = "The tool says 18 degrees and sunny; I can answer now."
SIGNATURE = base64.b64encode(b"synth-thinking-signature-1").decode()
SIGNATURE_AFTER = base64.b64encode(b"synth-thinking-signature-2").decode()
REDACTED = base64.b64encode(b"synth-redacted-thinking").decode()
SEARCH_QUERY = "Euro 2024 winner"
SEARCHED = "Spain won Euro 2024, beating England 2-1 in the final."
CACHED_TOKENS = 2048
RESULTS = [
    {
        "type": "web_search_result",
        "url": "https://www.uefa.com/euro2024/",
        "title": "UEFA EURO 2024",
        "encrypted_content": base64.b64encode(b"synth-page-1").decode(),
        "page_age": "July 15, 2024",
    },
    {
        "type": "web_search_result",
        "url": "https://en.wikipedia.org/wiki/UEFA_Euro_2024_final",
        "title": "UEFA Euro 2024 final",
        "encrypted_content": base64.b64encode(b"synth-page-2").decode(),
        "page_age": None,
    },
]
#: (test, prompt digest) pairs whose cache was written: the next request of the test reads it
_CACHE_WRITTEN: set[tuple[str, str]] = set()


#: The tests these answers serve (node id prefixes): the client's, and the framework classes'
#: over the same endpoint (``ChatYEScaleAnthropic``, ``YEScaleAnthropic``, their examples).
SERVED = (
    MINE,
    CHAT,
    "tests/integration/test_langchain_anthropic.py",
    "tests/integration/test_llamaindex_anthropic.py",
    "tests/integration/test_examples.py::test_anthropic",
)


def _mine(req: SynthRequest) -> bool:
    return req.nodeid.startswith(SERVED)


def _error(status: int, kind: str, message: str) -> Answer:
    # WIRE: Anthropic's error body (the same shape in an HTTP error and in an ``error`` event).
    return as_json({"type": "error", "error": {"type": kind, "message": message}}, status)


def _checked(req: SynthRequest) -> Answer | dict[str, Any]:
    """The request body, or the error Anthropic (behind the gateway) answers it with."""
    denied = _api_auth(req)
    if denied is not None or "x-api-key" in req.headers:
        return denied or _error(401, "authentication_error", "invalid x-api-key")
    if req.headers.get("anthropic-version") != "2023-06-01":
        return _error(400, "invalid_request_error", "anthropic-version: header is required")
    body = req.json()
    if not isinstance(body.get("max_tokens"), int):
        return _error(400, "invalid_request_error", "max_tokens: Field required")
    if body.get("model") == "claude-nonexistent-9":
        return _error(404, "not_found_error", "model: claude-nonexistent-9")
    return body


def _last_user(body: dict[str, Any]) -> list[dict[str, Any]]:
    content = body["messages"][-1]["content"]
    return [{"type": "text", "text": content}] if isinstance(content, str) else content


def _has_cache_control(body: dict[str, Any]) -> bool:
    return '"cache_control"' in json.dumps([body.get("system"), body["messages"]])


def _usage(req: SynthRequest, body: dict[str, Any], output: int) -> dict[str, Any]:
    prompt = len(json.dumps(body["messages"])) // 4 + 8
    usage = {
        "input_tokens": prompt,
        "cache_creation_input_tokens": 0,
        "cache_read_input_tokens": 0,
        "output_tokens": output,
        "service_tier": "standard",
    }
    if _has_cache_control(body):
        key = (req.nodeid, _digest(json.dumps(body.get("system"))))
        name = "cache_read_input_tokens" if key in _CACHE_WRITTEN else "cache_creation_input_tokens"
        usage[name] = CACHED_TOKENS
        _CACHE_WRITTEN.add(key)
    return usage


def _refused_thinking(body: dict[str, Any]) -> Answer | None:
    """Anthropic refuses a turn whose earlier thinking blocks were altered."""
    for i, message in enumerate(body["messages"]):
        if message["role"] != "assistant" or not isinstance(message["content"], list):
            continue
        for j, block in enumerate(message["content"]):
            where = f"messages.{i}.content.{j}"
            if block["type"] == "thinking" and block.get("signature") != SIGNATURE:
                return _error(400, "invalid_request_error", f"{where}: Invalid `signature`")
            if block["type"] == "redacted_thinking" and block.get("data") != REDACTED:
                return _error(400, "invalid_request_error", f"{where}: Invalid `data`")
    return None


def _thinking(text: str, signature: str, redacted: bool) -> list[dict[str, Any]]:
    blocks: list[dict[str, Any]] = [{"type": "thinking", "thinking": text, "signature": signature}]
    if redacted:
        blocks.append({"type": "redacted_thinking", "data": REDACTED})
    return blocks


def _web_search(last: list[dict[str, Any]]) -> tuple[list[dict[str, Any]], str]:
    tool_id = "srvtoolu_synth_" + _digest(SEARCH_QUERY)
    citation = {
        "type": "web_search_result_location",
        "url": RESULTS[0]["url"],
        "title": RESULTS[0]["title"],
        "encrypted_index": base64.b64encode(b"synth-index-1").decode(),
        "cited_text": "Spain are the champions of Europe after a 2-1 win over England.",
    }
    return [
        {"type": "text", "text": "Let me search for that."},
        {
            "type": "server_tool_use",
            "id": tool_id,
            "name": "web_search",
            "input": {"query": SEARCH_QUERY},
        },
        {"type": "web_search_tool_result", "tool_use_id": tool_id, "content": RESULTS},
        {"type": "text", "text": SEARCHED, "citations": [citation]},
    ], "end_turn"


def _content(body: dict[str, Any]) -> tuple[list[dict[str, Any]], str] | Answer:
    last = _last_user(body)
    tools = body.get("tools") or []
    thinking = (body.get("thinking") or {}).get("type") == "enabled"
    if any(str(t.get("type", "")).startswith("web_search_") for t in tools):
        return _web_search(last)
    if any(b.get("type") == "tool_result" for b in last):
        refused = _refused_thinking(body)
        if refused is not None:
            return refused
        before = _thinking(THOUGHT_AFTER, SIGNATURE_AFTER, False) if thinking else []
        return [*before, {"type": "text", "text": WEATHER_ANSWER}], "end_turn"
    if tools:
        before = _thinking(THOUGHT, SIGNATURE, True) if thinking else []
        call = {
            "type": "tool_use",
            "id": "toolu_synth_" + _digest(json.dumps(tools)),
            "name": tools[0]["name"],
            "input": WEATHER,
        }
        return [*before, call], "tool_use"
    for block in last:
        if block.get("type") == "image":
            source = block["source"]
            try:
                data = base64.b64decode(source["data"], validate=True)
            except (binascii.Error, KeyError, ValueError):
                return _error(400, "invalid_request_error", "Could not process image")
            if not data.startswith(b"\x89PNG") or source.get("media_type") != "image/png":
                return _error(400, "invalid_request_error", "Image does not match the media type")
            return [{"type": "text", "text": IMAGE_ANSWER}], "end_turn"
    if "Answer with an error" in json.dumps(last):
        # WIRE: an error object in a 2xx body, as a gateway in between may send it
        return as_json(
            {
                "type": "error",
                "error": {
                    "type": "permission_error",
                    "message": "This key may not use claude-sonnet-4-5",
                },
            }
        )
    if (body.get("output_config") or {}).get("format"):
        # WIRE: structured outputs (output_config.format): the answer is the JSON text alone
        return [{"type": "text", "text": json.dumps(WEATHER)}], "end_turn"
    return [{"type": "text", "text": GREETING}], "end_turn"


def _message(
    req: SynthRequest, body: dict[str, Any], content: list[dict[str, Any]], stop: str
) -> dict[str, Any]:
    output = sum(len(json.dumps(b)) for b in content) // 4
    usage = _usage(req, body, output)
    if any(b["type"] == "server_tool_use" for b in content):
        usage["server_tool_use"] = {"web_search_requests": 1}
    return {
        "id": "msg_synth_" + _digest(req.nodeid, json.dumps(body["messages"])),
        "type": "message",
        "role": "assistant",
        "model": body["model"],
        "content": content,
        "stop_reason": stop,
        "stop_sequence": None,
        "usage": usage,
    }


def _halves(text: str) -> list[str]:
    middle = len(text) // 2
    return [text[:middle], text[middle:]] if middle else [text]


def _block_events(index: int, block: dict[str, Any]) -> list[dict[str, Any]]:
    kind = block["type"]
    deltas: list[dict[str, Any]] = []
    start = dict(block)
    if kind == "text":
        start["text"] = ""
        if "citations" in block:
            start["citations"] = []
            deltas += [{"type": "citations_delta", "citation": c} for c in block["citations"]]
        deltas += [{"type": "text_delta", "text": t} for t in _halves(block["text"])]
    elif kind == "thinking":
        start.update(thinking="", signature="")
        deltas += [{"type": "thinking_delta", "thinking": t} for t in _halves(block["thinking"])]
        deltas.append({"type": "signature_delta", "signature": block["signature"]})
    elif kind in ("tool_use", "server_tool_use"):
        start["input"] = {}
        text = json.dumps(block["input"])
        deltas += [{"type": "input_json_delta", "partial_json": t} for t in ("", *_halves(text))]
    return [
        {"type": "content_block_start", "index": index, "content_block": start},
        *({"type": "content_block_delta", "index": index, "delta": d} for d in deltas),
        {"type": "content_block_stop", "index": index},
    ]


def _stream(message: dict[str, Any]) -> Answer:
    # WIRE: Anthropic's streaming events, each as "event: <type>" + "data: <json>".
    usage = message["usage"]
    start_usage = {**usage, "output_tokens": 1}
    start_usage.pop("server_tool_use", None)
    events: list[dict[str, Any]] = [
        {
            "type": "message_start",
            "message": {**message, "content": [], "stop_reason": None, "usage": start_usage},
        },
    ]
    for index, block in enumerate(message["content"]):
        events += _block_events(index, block)
        if index == 0:
            events.append({"type": "ping"})
    final_usage = {"output_tokens": usage["output_tokens"]}
    if "server_tool_use" in usage:
        final_usage["server_tool_use"] = usage["server_tool_use"]
    events += [
        {
            "type": "message_delta",
            "delta": {"stop_reason": message["stop_reason"], "stop_sequence": None},
            "usage": final_usage,
        },
        {"type": "message_stop"},
    ]
    text = "".join(f"event: {e['type']}\ndata: {json.dumps(e)}\n\n" for e in events)
    return 200, {"content-type": "text/event-stream; charset=utf-8"}, text.encode()


@route("POST", "/v1/messages", when=_mine, priority=20)
def messages(req: SynthRequest) -> Answer:
    body = _checked(req)
    if not isinstance(body, dict):
        return body
    found = _content(body)
    if not isinstance(found[0], list):
        return found  # type: ignore[return-value]
    content, stop = found
    message = _message(req, body, content, stop)  # type: ignore[arg-type]
    return _stream(message) if body.get("stream") else as_json(message)
