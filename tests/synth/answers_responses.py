"""Canned answers of ``POST /v1/responses`` (OpenAI's Responses API).

Only for the tests in :data:`SERVED` (``when=``), at priority 20. The YEScale index lists
"ChatGPT Response -> OpenAI Responses" without a body, so every answer here is ``WIRE``,
synthesized: OpenAI's public Responses format (a ``response`` object with ``output`` items and
``usage``, or its server-sent events ``response.created``, ``response.in_progress``,
``response.output_item.added`` / ``.done``, ``response.content_part.added`` / ``.done``,
``response.output_text.delta`` / ``.done`` / ``.annotation.added``,
``response.function_call_arguments.delta`` / ``.done``, ``response.reasoning_summary_part.*``,
``response.reasoning_summary_text.*``, ``response.completed`` / ``response.incomplete``, each as
``event: <type>`` + ``data: <json>`` with a ``sequence_number``; errors as
``{"error": {"message", "type", "param", "code"}}``).

Like the other answers, these check what the client sent and answer with OpenAI's error when it
is wrong: ``Authorization: Bearer``; a ``function_call_output`` answering a call of the input (or
of the previous response); reasoning items sent back with their ``encrypted_content`` unchanged;
a ``previous_response_id`` this synthesizer issued.

What answers what: a ``function_call_output`` -> text using it; function tools -> a
``function_call``; a ``web_search`` tool -> a ``web_search_call`` and text with ``url_citation``
annotations; ``text.format`` json_schema -> the JSON alone; ``previous_response_id`` -> text
naming what came before; ``instructions`` asking for French -> French; ``max_output_tokens``
below 32 -> an ``incomplete`` response; else a greeting. With ``reasoning.summary`` a reasoning
item (with its summary) comes first, carrying ``encrypted_content`` when
``include=["reasoning.encrypted_content"]``.
"""

from __future__ import annotations

import base64
import json
from typing import Any

from .answers import _api_auth, _digest
from .routes import Answer, SynthRequest, as_json, route

MINE = "tests/integration/test_client_responses.py"
SERVED = (
    MINE,
    "tests/integration/test_responses_chat.py",
    "tests/integration/test_framework_responses.py",
)
CREATED_AT = 1767225600
GREETING = "Hello! How can I help you today?"
FRENCH = "Bonjour ! Comment puis-je vous aider ?"
WEATHER = {"city": "Paris", "unit": "celsius"}
WEATHER_ANSWER = "It is 18 degrees and sunny in Paris."
THOUGHT = "The user asks for the weather in Paris; I should call get_weather."
ENCRYPTED = base64.b64encode(b"synth-encrypted-reasoning-1").decode()
SEARCH_QUERY = "Euro 2024 winner"
SEARCHED = "Spain won Euro 2024, beating England 2-1 in the final."
SOURCES = [
    ("https://www.uefa.com/euro2024/", "UEFA EURO 2024"),
    ("https://en.wikipedia.org/wiki/UEFA_Euro_2024_final", "UEFA Euro 2024 final"),
]
CACHED_TOKENS = 1024
#: The responses issued so far (id -> output text): previous_response_id must name one.
_ISSUED: dict[str, str] = {}


def _mine(req: SynthRequest) -> bool:
    return req.nodeid.startswith(SERVED)


def _error(status: int, message: str, code: str | None, param: str | None = None) -> Answer:
    # WIRE: OpenAI's error body.
    error = {"message": message, "type": "invalid_request_error", "param": param, "code": code}
    return as_json({"error": error}, status)


def _items(body: dict[str, Any]) -> list[dict[str, Any]]:
    given = body["input"]
    return [{"role": "user", "content": given}] if isinstance(given, str) else given


def _refused(body: dict[str, Any]) -> Answer | None:
    """OpenAI refuses outputs for calls it never made, altered reasoning, unknown ids."""
    previous = body.get("previous_response_id")
    if previous is not None and previous not in _ISSUED:
        return _error(
            400,
            f"Previous response with id '{previous}' not found.",
            "previous_response_not_found",
            "previous_response_id",
        )
    items = _items(body)
    calls = {i.get("call_id") for i in items if i.get("type") == "function_call"}
    for n, item in enumerate(items):
        kind = item.get("type")
        if kind == "function_call_output" and item["call_id"] not in calls and not previous:
            return _error(
                400,
                f"No tool call found for function call output with call_id {item['call_id']}.",
                None,
                f"input[{n}]",
            )
        if kind == "reasoning" and item.get("encrypted_content") not in (None, ENCRYPTED):
            return _error(
                400,
                "The encrypted content for item " + item["id"] + " could not be verified.",
                "invalid_encrypted_content",
                f"input[{n}]",
            )
    return None


def _text_item(text: str, annotations: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    return {
        "type": "message",
        "id": "msg_synth_" + _digest(text),
        "status": "completed",
        "role": "assistant",
        "content": [{"type": "output_text", "text": text, "annotations": annotations or []}],
    }


def _web_search() -> list[dict[str, Any]]:
    start = SEARCHED.index("Spain")
    annotations = [
        {
            "type": "url_citation",
            "start_index": start,
            "end_index": len(SEARCHED),
            "url": u,
            "title": t,
        }
        for u, t in SOURCES
    ]
    search = {
        "type": "web_search_call",
        "id": "ws_synth_" + _digest(SEARCH_QUERY),
        "status": "completed",
        "action": {"type": "search", "query": SEARCH_QUERY},
    }
    return [search, _text_item(SEARCHED, annotations)]


def _answer(body: dict[str, Any]) -> tuple[list[dict[str, Any]], str | None]:
    """The output items (after any reasoning) and, for an incomplete answer, why."""
    items = _items(body)
    tools = body.get("tools") or []
    functions = [t for t in tools if t.get("type") == "function"]
    if any(i.get("type") == "function_call_output" for i in items):
        return [_text_item(WEATHER_ANSWER)], None
    if any(t.get("type") in ("web_search", "web_search_preview") for t in tools):
        return _web_search(), None
    if functions:
        call = {
            "type": "function_call",
            "id": "fc_synth_" + _digest(json.dumps(functions)),
            "call_id": "call_synth_" + _digest(json.dumps(items)),
            "name": functions[0]["name"],
            "arguments": json.dumps(WEATHER),
            "status": "completed",
        }
        return [call], None
    if ((body.get("text") or {}).get("format") or {}).get("type") == "json_schema":
        return [_text_item(json.dumps(WEATHER))], None
    previous = body.get("previous_response_id")
    if previous:
        return [_text_item(f"Earlier I said: {_ISSUED[previous]} {FRENCH}")], None
    if "french" in (body.get("instructions") or "").lower():
        return [_text_item(FRENCH)], None
    limit = body.get("max_output_tokens")
    if isinstance(limit, int) and limit < 32:
        item = _text_item("Hello! How")
        item["status"] = "incomplete"
        return [item], "max_output_tokens"
    return [_text_item(GREETING)], None


def _reasoning(body: dict[str, Any]) -> list[dict[str, Any]]:
    if not (body.get("reasoning") or {}).get("summary"):
        return []
    item: dict[str, Any] = {
        "type": "reasoning",
        "id": "rs_synth_" + _digest(json.dumps(_items(body))),
        "summary": [{"type": "summary_text", "text": THOUGHT}],
    }
    if "reasoning.encrypted_content" in (body.get("include") or []):
        item["encrypted_content"] = ENCRYPTED
    return [item]


def _response(req: SynthRequest, body: dict[str, Any]) -> dict[str, Any]:
    request = {k: v for k, v in body.items() if k != "stream"}
    output, why = _answer(body)
    output = _reasoning(body) + output
    reasoning_tokens = 64 if output[0]["type"] == "reasoning" else 0
    prompt = len(json.dumps(request)) // 4 + 8
    cached = CACHED_TOKENS if body.get("previous_response_id") else 0
    written = sum(len(json.dumps(i)) for i in output) // 4 + reasoning_tokens
    response_id = "resp_synth_" + _digest(req.nodeid, json.dumps(request, sort_keys=True))
    text = "".join(c["text"] for i in output if i["type"] == "message" for c in i["content"])
    _ISSUED[response_id] = text
    return {
        "id": response_id,
        "object": "response",
        "created_at": CREATED_AT,
        "status": "incomplete" if why else "completed",
        "error": None,
        "incomplete_details": {"reason": why} if why else None,
        "instructions": body.get("instructions"),
        "max_output_tokens": body.get("max_output_tokens"),
        "model": body["model"] + "-2025-08-07",
        "output": output,
        "parallel_tool_calls": body.get("parallel_tool_calls", True),
        "previous_response_id": body.get("previous_response_id"),
        "reasoning": {
            "effort": (body.get("reasoning") or {}).get("effort"),
            "summary": (body.get("reasoning") or {}).get("summary"),
        },
        "store": body.get("store", True),
        "temperature": body.get("temperature", 1.0),
        "text": body.get("text") or {"format": {"type": "text"}},
        "tool_choice": body.get("tool_choice", "auto"),
        "tools": body.get("tools") or [],
        "top_p": body.get("top_p", 1.0),
        "truncation": body.get("truncation", "disabled"),
        "usage": {
            "input_tokens": prompt + cached,
            "input_tokens_details": {"cached_tokens": cached},
            "output_tokens": written,
            "output_tokens_details": {"reasoning_tokens": reasoning_tokens},
            "total_tokens": prompt + cached + written,
        },
        "user": body.get("user"),
        "metadata": body.get("metadata") or {},
    }


def _halves(text: str) -> list[str]:
    middle = len(text) // 2
    return [text[:middle], text[middle:]] if middle else [text]


def _item_events(index: int, item: dict[str, Any]) -> list[dict[str, Any]]:
    kind, item_id = item["type"], item["id"]
    where = {"item_id": item_id, "output_index": index}
    start = {**item, "status": "in_progress"}
    events: list[dict[str, Any]] = []
    if kind == "message":
        start["content"] = []
        for c, part in enumerate(item["content"]):
            at = {**where, "content_index": c}
            events.append(
                {
                    "type": "response.content_part.added",
                    **at,
                    "part": {**part, "text": "", "annotations": []},
                }
            )
            events += [
                {"type": "response.output_text.delta", **at, "delta": t, "logprobs": []}
                for t in _halves(part["text"])
            ]
            events += [
                {
                    "type": "response.output_text.annotation.added",
                    **at,
                    "annotation_index": a,
                    "annotation": ann,
                }
                for a, ann in enumerate(part["annotations"])
            ]
            events.append(
                {"type": "response.output_text.done", **at, "text": part["text"], "logprobs": []}
            )
            events.append({"type": "response.content_part.done", **at, "part": part})
    elif kind == "function_call":
        start["arguments"] = ""
        events += [
            {"type": "response.function_call_arguments.delta", **where, "delta": t}
            for t in _halves(item["arguments"])
        ]
        events.append(
            {
                "type": "response.function_call_arguments.done",
                **where,
                "arguments": item["arguments"],
            }
        )
    elif kind == "reasoning":
        start["summary"] = []
        start.pop("encrypted_content", None)
        for s, part in enumerate(item["summary"]):
            at = {**where, "summary_index": s}
            events.append(
                {
                    "type": "response.reasoning_summary_part.added",
                    **at,
                    "part": {"type": "summary_text", "text": ""},
                }
            )
            events += [
                {"type": "response.reasoning_summary_text.delta", **at, "delta": t}
                for t in _halves(part["text"])
            ]
            events.append(
                {"type": "response.reasoning_summary_text.done", **at, "text": part["text"]}
            )
            events.append({"type": "response.reasoning_summary_part.done", **at, "part": part})
    elif kind == "web_search_call":
        events += [
            {"type": f"response.web_search_call.{s}", **where}
            for s in ("in_progress", "searching", "completed")
        ]
    return [
        {"type": "response.output_item.added", "output_index": index, "item": start},
        *events,
        {"type": "response.output_item.done", "output_index": index, "item": item},
    ]


def _stream(response: dict[str, Any]) -> Answer:
    # WIRE: OpenAI's Responses streaming events, each as "event: <type>" + "data: <json>".
    early = {
        **response,
        "status": "in_progress",
        "output": [],
        "usage": None,
        "incomplete_details": None,
    }
    events: list[dict[str, Any]] = [
        {"type": "response.created", "response": early},
        {"type": "response.in_progress", "response": early},
    ]
    for index, item in enumerate(response["output"]):
        events += _item_events(index, item)
    end = "response.incomplete" if response["status"] == "incomplete" else "response.completed"
    events.append({"type": end, "response": response})
    text = "".join(
        f"event: {e['type']}\ndata: {json.dumps({**e, 'sequence_number': n})}\n\n"
        for n, e in enumerate(events)
    )
    return 200, {"content-type": "text/event-stream; charset=utf-8"}, text.encode()


@route("POST", "/v1/responses", when=_mine, priority=20)
def responses(req: SynthRequest) -> Answer:
    denied = _api_auth(req)
    if denied is not None:
        return denied
    body = req.json()
    if not body.get("model") or "input" not in body:
        return _error(400, "Missing required parameter: 'input'.", "missing_required_parameter")
    refused = _refused(body)
    if refused is not None:
        return refused
    response = _response(req, body)
    return _stream(response) if body.get("stream") else as_json(response)
