"""Canned answers of ``POST /v1/responses`` for langchain-tests' standard integration tests of
``ChatYEScale(use_responses_api=True)`` (``TestChatYEScaleResponsesIntegration`` in
``tests/standard/test_chat_models_integration.py``), at priority 30, above the Responses answers
of the client's own tests (``answers_responses``, which these leave alone).

Synthesized, not recorded: ``WIRE``, OpenAI's public Responses wire format (the YEScale index
lists "ChatGPT Response -> OpenAI Responses" without a body): a ``response`` object with
``output`` items (``reasoning``, ``message`` with ``output_text``, ``function_call``) and
``usage`` (``input_tokens_details.cached_tokens``, ``output_tokens_details.reasoning_tokens``), or
its server-sent events (``response.created``, ``response.in_progress``,
``response.output_item.added`` / ``.done``, ``response.content_part.added`` / ``.done``,
``response.output_text.delta`` / ``.done``, ``response.function_call_arguments.delta`` /
``.done``, ``response.reasoning_summary_part.*`` / ``response.reasoning_summary_text.*``,
``response.completed`` / ``response.incomplete``; built by ``answers_responses``' helpers), and
errors as ``{"error": {"message", "type", "param", "code"}}``.

What is said comes from the "brain" the OpenAI- and Gemini-format standard answers use
(:func:`tests.synth.answers_langchain._think`), fed a neutral view of the Responses request:
function calls whose arguments satisfy the bound tool's ``parameters`` (forced by
``tool_choice`` ``required`` / a named function), answers built from ``function_call_output``
items (text, images, PDFs), JSON following ``text.format`` (``json_schema`` or
``json_object``), descriptions of images and PDFs. gpt-5 and o-series models reason: a
``reasoning`` item comes first (its summary when ``reasoning.summary`` asks for one), and its
tokens (by effort) count in ``output_tokens`` and against ``max_output_tokens``. Ids
(``resp_``, ``rs_``, ``msg_``, ``fc_``, ``call_``) differ per request and are the same on every
re-synthesis. A prefix of 1024 tokens or more seen before in the same test is a cache hit.

As OpenAI does, the request is checked first and refused with OpenAI's error when it is wrong:
``Authorization: Bearer``; unknown fields; sampling parameters a reasoning model does not take
(``temperature``, ``top_p``) and ``reasoning`` on a model without it; ``max_output_tokens`` below
16; input items (roles, content part types per role, data URLs that are what their MIME type
says, ``input_file`` data with a ``filename``, ``function_call`` / ``function_call_output``
pairing, ids of the right prefix, reasoning items this synthesizer issued, each followed by an
item and sent back before the items it was issued with); function tools (names, object
schemas, strict schemas), ``tool_choice``; ``text.format`` (a strict schema's rules; JSON mode
needs the word "json" in the input).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import re
from typing import Any

from .answers import _api_auth
from .answers_langchain import (
    _REASONING_TOKENS,
    Ask,
    Reply,
    Tool,
    Turn,
    _alnum_id,
    _cached,
    _next_seed,
    _prompt_tokens_openai,
    _strict_problem,
    _think,
    _truncate_tokens,
    tokens,
)
from .answers_responses import _error, _stream
from .routes import Answer, SynthRequest, as_json, route

SERVED = "tests/standard/test_chat_models_integration.py::TestChatYEScaleResponsesIntegration"
CREATED_AT = 1767225600

#: Models answering, and the snapshot each answers as.
_DATED = {
    "gpt-5-mini": "gpt-5-mini-2025-08-07",
    "gpt-5": "gpt-5-2025-08-07",
    "gpt-5-nano": "gpt-5-nano-2025-08-07",
    "gpt-4.1-mini": "gpt-4.1-mini-2025-04-14",
    "gpt-4.1": "gpt-4.1-2025-04-14",
    "gpt-4o-mini": "gpt-4o-mini-2024-07-18",
    "gpt-4o": "gpt-4o-2024-08-06",
    "o4-mini": "o4-mini-2025-04-16",
}
_FIELDS = {
    "model",
    "input",
    "instructions",
    "tools",
    "tool_choice",
    "parallel_tool_calls",
    "reasoning",
    "include",
    "store",
    "previous_response_id",
    "text",
    "max_output_tokens",
    "max_tool_calls",
    "temperature",
    "top_p",
    "top_logprobs",
    "metadata",
    "truncation",
    "user",
    "safety_identifier",
    "prompt_cache_key",
    "service_tier",
    "background",
    "stream",
    "stream_options",
}
_USER_PARTS = ("input_text", "input_image", "input_file")
_ASSISTANT_PARTS = ("output_text", "refusal")
_IMAGE_MAGIC = {
    "image/png": (b"\x89PNG\r\n\x1a\n",),
    "image/jpeg": (b"\xff\xd8\xff",),
    "image/gif": (b"GIF87a", b"GIF89a"),
    "image/webp": (b"RIFF",),
}
_NAME = re.compile(r"^[a-zA-Z0-9_-]{1,64}$")
_DATA_URL = re.compile(r"^data:([\w.+/-]+);base64,(.*)$", re.DOTALL)
_ID_PREFIX = {"message": "msg", "function_call": "fc", "reasoning": "rs"}

#: Reasoning items issued: id -> the ids of the items issued after it (which need it before them).
_REASONING: dict[str, list[str]] = {}
#: Items issued after a reasoning item: id -> that reasoning item's id.
_NEEDS: dict[str, str] = {}


def _mine(req: SynthRequest) -> bool:
    return SERVED in req.nodeid


def _reasons(model: str) -> bool:
    return bool(re.match(r"^(o\d|gpt-5)", model))


def _hex(seed: str, size: int = 48) -> str:
    return hashlib.sha256(seed.encode()).hexdigest()[:size]


def _bad(message: str, param: str | None, code: str | None = None, status: int = 400) -> Answer:
    return _error(status, message, code, param)


# -- checks -------------------------------------------------------------------------------------


def _items(body: dict[str, Any]) -> list[dict[str, Any]]:
    given = body["input"]
    return (
        [{"type": "message", "role": "user", "content": given}] if isinstance(given, str) else given
    )


def _data(url: str, where: str, kinds: tuple[str, ...]) -> tuple[str, bytes] | Answer:
    """The MIME type and bytes of a base64 data URL, or OpenAI's refusal."""
    match = _DATA_URL.match(url)
    if not match:
        return _bad(
            f"Invalid '{where}'. Expected a base64-encoded data URL with an {kinds[0]} MIME type "
            "(e.g. 'data:image/png;base64,aW1nIGJ5dGVzIGhlcmU='), but got a value that is not a "
            "data URL.",
            where,
            "invalid_value",
        )
    mime, payload = match.groups()
    try:
        return mime, base64.b64decode(payload, validate=True)
    except (binascii.Error, ValueError):
        return _bad(
            f"Invalid '{where}': the base64 data could not be decoded.", where, "invalid_value"
        )


def _check_image(part: dict[str, Any], where: str) -> Answer | None:
    url = part.get("image_url")
    if part.get("file_id"):
        return None
    if not isinstance(url, str) or not url:
        return _bad(f"Missing required parameter: '{where}.image_url'.", f"{where}.image_url")
    if url.startswith(("https://", "http://")):
        return None  # OpenAI fetches it
    decoded = _data(url, f"{where}.image_url", ("image",))
    if not isinstance(decoded, tuple):
        return decoded
    mime, data = decoded
    if mime not in _IMAGE_MAGIC:
        return _bad(
            f"Invalid '{where}.image_url'. Expected a base64-encoded data URL with an image MIME "
            f"type (e.g. 'data:image/png;base64,aW1nIGJ5dGVzIGhlcmU='), but got unsupported MIME "
            f"type '{mime}'.",
            f"{where}.image_url",
            "invalid_value",
        )
    if not data.startswith(_IMAGE_MAGIC[mime]):
        return _bad(
            "You uploaded an unsupported image. Please make sure your image is valid.",
            None,
            "invalid_image_format",
        )
    if part.get("detail") not in (None, "low", "high", "auto"):
        return _bad(
            f"Invalid value: '{part['detail']}'. Supported values are: 'low', 'high', and 'auto'.",
            f"{where}.detail",
            "invalid_value",
        )
    return None


def _check_file(part: dict[str, Any], where: str) -> Answer | None:
    if part.get("file_id") or part.get("file_url"):
        return None
    data = part.get("file_data")
    if not isinstance(data, str) or not data:
        return _bad(
            f"Missing required parameter: '{where}.file_id'. Give one of 'file_id', 'file_url' "
            "or 'file_data'.",
            f"{where}.file_id",
            "missing_required_parameter",
        )
    if not part.get("filename"):
        return _bad(
            f"Missing required parameter: '{where}.filename'.",
            f"{where}.filename",
            "missing_required_parameter",
        )
    decoded = _data(data, f"{where}.file_data", ("application/pdf",))
    if not isinstance(decoded, tuple):
        return decoded
    mime, raw = decoded
    if mime != "application/pdf" or not raw.startswith(b"%PDF-"):
        return _bad(
            f"Invalid '{where}.file_data': the file is not a valid PDF (got '{mime}'). Only PDF "
            "files are supported as file input.",
            f"{where}.file_data",
            "invalid_value",
        )
    return None


def _check_parts(content: Any, role: str, where: str) -> Answer | None:
    if isinstance(content, str):
        return None
    if not isinstance(content, list) or not content:
        return _bad(
            f"Invalid '{where}': expected a string or a non-empty array of content parts.",
            where,
            "invalid_type",
        )
    allowed = _ASSISTANT_PARTS if role == "assistant" else _USER_PARTS
    for j, part in enumerate(content):
        at = f"{where}[{j}]"
        kind = part.get("type") if isinstance(part, dict) else None
        if kind not in allowed:
            shown = ", ".join(f"'{k}'" for k in allowed[:-1]) + f", and '{allowed[-1]}'"
            if len(allowed) == 2:
                shown = f"'{allowed[0]}' and '{allowed[1]}'"
            return _bad(
                f"Invalid value: '{kind}'. Supported values are: {shown}.",
                f"{at}.type",
                "invalid_value",
            )
        if kind in ("input_text", "output_text") and not isinstance(part.get("text"), str):
            return _bad(f"Missing required parameter: '{at}.text'.", f"{at}.text")
        if kind == "input_image":
            problem = _check_image(part, at)
            if problem:
                return problem
        if kind == "input_file":
            problem = _check_file(part, at)
            if problem:
                return problem
    return None


def _check_items(body: dict[str, Any]) -> Answer | None:
    items = _items(body)
    if not items:
        return _bad("Invalid 'input': empty array.", "input", "empty_array")
    previous = body.get("previous_response_id")
    store = body.get("store", True) is not False
    calls: dict[str, int] = {}
    answered: set[str] = set()
    seen: set[str] = set()
    for n, item in enumerate(items):
        where = f"input[{n}]"
        kind = item.get("type", "message")
        item_id = item.get("id")
        if item_id is not None:
            prefix = _ID_PREFIX.get(kind)
            if prefix and not str(item_id).startswith(prefix):
                return _bad(
                    f"Invalid '{where}.id': '{item_id}'. Expected an ID that begins with "
                    f"'{prefix}'.",
                    f"{where}.id",
                    "invalid_value",
                )
            needed = _NEEDS.get(str(item_id))
            if needed and store and needed not in seen:
                return _bad(
                    f"Item '{item_id}' of type '{kind}' was provided without its required "
                    f"'reasoning' item: '{needed}'.",
                    "input",
                )
            seen.add(str(item_id))
        if kind == "message":
            role = item.get("role")
            if role not in ("user", "assistant", "system", "developer"):
                return _bad(
                    f"Invalid value: '{role}'. Supported values are: 'assistant', 'system', "
                    "'developer', and 'user'.",
                    f"{where}.role",
                    "invalid_value",
                )
            problem = _check_parts(item.get("content"), role, f"{where}.content")
            if problem:
                return problem
        elif kind == "function_call":
            for name in ("call_id", "name", "arguments"):
                if not isinstance(item.get(name), str):
                    return _bad(
                        f"Missing required parameter: '{where}.{name}'.",
                        f"{where}.{name}",
                        "missing_required_parameter",
                    )
            calls[item["call_id"]] = n
        elif kind == "function_call_output":
            call_id = item.get("call_id")
            if call_id not in calls and not previous:
                return _bad(
                    f"No tool call found for function call output with call_id {call_id}.",
                    "input",
                )
            answered.add(str(call_id))
            output = item.get("output")
            if not isinstance(output, str):
                problem = _check_parts(output, "user", f"{where}.output")
                if problem:
                    return problem
        elif kind == "reasoning":
            if store and item_id not in _REASONING:
                return _bad(
                    f"Item with id '{item_id}' not found. Items are not persisted when `store` is "
                    "set to false. Try again with `store` set to true, or remove this item from "
                    "your input.",
                    "input",
                    status=404,
                )
            following = items[n + 1] if n + 1 < len(items) else {}
            if following.get("type", "message") not in ("message", "function_call") or (
                following.get("type", "message") == "message"
                and following.get("role") != "assistant"
            ):
                return _bad(
                    f"Item '{item_id}' of type 'reasoning' was provided without its required "
                    "following item.",
                    "input",
                )
        else:
            return _bad(
                f"Invalid value: '{kind}'. Supported values are: 'message', 'function_call', "
                "'function_call_output', 'reasoning', and 'item_reference'.",
                f"{where}.type",
                "invalid_value",
            )
    unanswered = [c for c in calls if c not in answered]
    if unanswered:
        return _bad(f"No tool output found for function call {unanswered[0]}.", "input")
    return None


def _check_tools(body: dict[str, Any]) -> Answer | None:
    tools = body.get("tools") or []
    names: list[str] = []
    for i, tool in enumerate(tools):
        where = f"tools[{i}]"
        if tool.get("type") != "function":
            continue
        if "function" in tool:
            return _bad(
                f"Unknown parameter: '{where}.function'.", f"{where}.function", "unknown_parameter"
            )
        name = tool.get("name")
        if not isinstance(name, str) or not _NAME.match(name):
            return _bad(
                f"Invalid '{where}.name': string does not match pattern. Expected a string that "
                "matches the pattern '^[a-zA-Z0-9_-]+$'.",
                f"{where}.name",
                "invalid_value",
            )
        parameters = tool.get("parameters")
        if not isinstance(parameters, dict) or parameters.get("type") != "object":
            return _bad(
                f"Invalid schema for function '{name}': schema must be a JSON Schema of "
                "'type: \"object\"', got 'type: \"None\"'.",
                f"{where}.parameters",
                "invalid_function_parameters",
            )
        if tool.get("strict") is True:
            problem = _strict_problem(parameters, "()")
            if problem:
                return _bad(
                    f"Invalid schema for function '{name}': {problem}",
                    f"{where}.parameters",
                    "invalid_function_parameters",
                )
        names.append(name)
    if len(set(names)) != len(names):
        return _bad("Duplicate tool names are not allowed.", "tools", "invalid_value")
    choice = body.get("tool_choice")
    if choice in ("required",) and not tools:
        return _bad(
            "Tool choice 'required' must be specified with 'tools' parameter.", "tool_choice"
        )
    if isinstance(choice, dict) and choice.get("type") == "function":
        if choice.get("name") not in names:
            return _bad(
                f"Tool choice '{choice.get('name')}' not found in 'tools' parameter.",
                "tool_choice",
                "invalid_value",
            )
    elif choice is not None and choice not in ("auto", "none", "required"):
        return _bad(
            f"Invalid value: '{choice}'. Supported values are: 'none', 'auto', and 'required'.",
            "tool_choice",
            "invalid_value",
        )
    return None


def _mentions_json(body: dict[str, Any]) -> bool:
    def texts(value: Any) -> list[str]:
        if isinstance(value, str):
            return [value]
        if isinstance(value, list):
            return [t for v in value for t in texts(v)]
        if isinstance(value, dict):
            return [
                t for k, v in value.items() if k in ("content", "text", "output") for t in texts(v)
            ]
        return []

    words = [*texts(body["input"]), body.get("instructions") or ""]
    return any("json" in w.lower() for w in words)


def _check(body: dict[str, Any]) -> Answer | None:
    """OpenAI's refusal of the request, or ``None``."""
    for name in body:
        if name not in _FIELDS:
            return _bad(f"Unknown parameter: '{name}'.", name, "unknown_parameter")
    model = body.get("model")
    if not isinstance(model, str) or model not in _DATED:
        return _bad(
            f"The requested model '{model}' does not exist.", "model", "model_not_found", 404
        )
    if "input" not in body:
        return _bad("Missing required parameter: 'input'.", "input", "missing_required_parameter")
    if _reasons(model):
        for name in ("temperature", "top_p"):
            if body.get(name) is not None:
                return _bad(
                    f"Unsupported parameter: '{name}' is not supported with this model.", name
                )
    elif body.get("reasoning"):
        return _bad(
            "Unsupported parameter: 'reasoning.effort' is not supported with this model.",
            "reasoning.effort",
            "unsupported_parameter",
        )
    limit = body.get("max_output_tokens")
    if limit is not None and (not isinstance(limit, int) or limit < 16):
        return _bad(
            "Invalid 'max_output_tokens': integer below minimum value. Expected a value >= 16, "
            f"but got {limit} instead.",
            "max_output_tokens",
            "integer_below_min_value",
        )
    problem = _check_items(body) or _check_tools(body)
    if problem:
        return problem
    fmt = (body.get("text") or {}).get("format") or {}
    kind = fmt.get("type", "text")
    if kind == "json_schema":
        if not isinstance(fmt.get("name"), str) or not _NAME.match(fmt["name"]):
            return _bad(
                "Missing required parameter: 'text.format.name'.",
                "text.format.name",
                "missing_required_parameter",
            )
        if not isinstance(fmt.get("schema"), dict):
            return _bad(
                "Missing required parameter: 'text.format.schema'.",
                "text.format.schema",
                "missing_required_parameter",
            )
        if fmt.get("strict") is True:
            problem_text = _strict_problem(fmt["schema"], "()")
            if problem_text:
                return _bad(
                    f"Invalid schema for response_format '{fmt['name']}': {problem_text}",
                    "text.format.schema",
                    "invalid_json_schema",
                )
    elif kind == "json_object":
        if not _mentions_json(body):
            return _bad(
                "Response input messages must contain the word 'json' in some form to use "
                "'text.format' of type 'json_object'.",
                "input",
            )
    elif kind != "text":
        return _bad(
            f"Invalid value: '{kind}'. Supported values are: 'text', 'json_object', and "
            "'json_schema'.",
            "text.format.type",
            "invalid_value",
        )
    return None


# -- the neutral view, for the brain -------------------------------------------------------------


def _parts_turn(turn: Turn, content: Any) -> Turn:
    if isinstance(content, str):
        turn.text = content
        return turn
    texts = []
    for part in content or []:
        kind = part.get("type")
        if kind in ("input_text", "output_text"):
            texts.append(part["text"])
        elif kind == "input_image":
            turn.images += 1
        elif kind == "input_file":
            turn.files += 1
    turn.text = "\n".join(texts)
    return turn


def _ask(body: dict[str, Any]) -> Ask:
    turns: list[Turn] = []
    if body.get("instructions"):
        turns.append(Turn("system", text=body["instructions"]))
    names: dict[str, str] = {}
    open_turn: Turn | None = None  # the assistant turn items are being added to
    for item in _items(body):
        kind = item.get("type", "message")
        role = item.get("role")
        if kind in ("reasoning", "function_call") or (kind == "message" and role == "assistant"):
            if open_turn is None:
                open_turn = Turn("assistant")
                turns.append(open_turn)
            if kind == "reasoning":
                summary = [p.get("text", "") for p in item.get("summary") or []]
                open_turn.reasoning = "\n\n".join(summary)
            elif kind == "function_call":
                try:
                    args = json.loads(item["arguments"] or "{}")
                except ValueError:
                    args = {}
                names[item["call_id"]] = item["name"]
                open_turn.calls.append((item["name"], args))
            else:
                spoken = _parts_turn(Turn("assistant"), item["content"]).text
                open_turn.text = f"{open_turn.text}\n{spoken}".strip()
            continue
        open_turn = None
        if kind == "function_call_output":
            turn = Turn("tool", tool_name=names.get(item["call_id"], "tool"))
            turns.append(_parts_turn(turn, item.get("output")))
        else:
            shown = "system" if role in ("system", "developer") else "user"
            turns.append(_parts_turn(Turn(shown), item.get("content")))
    tools = [
        Tool(t["name"], t.get("description") or "", t["parameters"])
        for t in body.get("tools") or []
        if t.get("type") == "function"
    ]
    ask = Ask(model=body["model"], turns=turns, tools=tools)
    choice = body.get("tool_choice")
    if isinstance(choice, dict):
        ask.allowed = [choice.get("name", "")]
        ask.tool_mode = "required"
    elif choice in ("none", "required", "auto"):
        ask.tool_mode = choice
    ask.parallel = body.get("parallel_tool_calls", True) is not False
    fmt = (body.get("text") or {}).get("format") or {}
    if fmt.get("type") == "json_schema":
        ask.schema = fmt["schema"]
    elif fmt.get("type") == "json_object":
        ask.json_mode = True
    return ask


# -- the answer ----------------------------------------------------------------------------------


def _output(
    body: dict[str, Any], reply: Reply, seed: str
) -> tuple[list[dict[str, Any]], int, int, str | None]:
    """The output items, the output and reasoning tokens, and why the answer is incomplete."""
    model = body["model"]
    reasoning = body.get("reasoning") or {}
    output: list[dict[str, Any]] = []
    thought_tokens = 0
    limit = body.get("max_output_tokens")
    rs_id = None
    if _reasons(model):
        effort = reasoning.get("effort") or "medium"
        thought_tokens = _REASONING_TOKENS.get(effort, 192)
        rs_id = "rs_" + _hex(f"{seed}/rs")
        item: dict[str, Any] = {"id": rs_id, "type": "reasoning", "summary": []}
        if reasoning.get("summary") and thought_tokens:
            item["summary"] = [{"type": "summary_text", "text": reply.thoughts}]
        if "reasoning.encrypted_content" in (body.get("include") or []):
            raw = hashlib.sha256(f"{seed}/encrypted".encode()).digest() * 4
            item["encrypted_content"] = "gAAAAA" + base64.b64encode(raw).decode()
        output.append(item)
        _REASONING[rs_id] = []
    if limit is not None and thought_tokens >= limit:
        return output, limit, limit, "max_output_tokens"
    written = thought_tokens
    why = None
    if reply.calls:
        for j, (name, args) in enumerate(reply.calls):
            arguments = json.dumps(args, ensure_ascii=False)
            output.append(
                {
                    "id": "fc_" + _hex(f"{seed}/fc/{j}"),
                    "type": "function_call",
                    "status": "completed",
                    "arguments": arguments,
                    "call_id": "call_" + _alnum_id(f"{seed}/call/{j}"),
                    "name": name,
                }
            )
            written += 8 + tokens(arguments)
    else:
        text = reply.text
        room = None if limit is None else limit - thought_tokens
        if room is not None and tokens(text) > room:
            text, why = _truncate_tokens(text, room), "max_output_tokens"
        output.append(
            {
                "id": "msg_" + _hex(f"{seed}/msg"),
                "type": "message",
                "status": "incomplete" if why else "completed",
                "content": [
                    {"type": "output_text", "annotations": [], "logprobs": [], "text": text}
                ],
                "role": "assistant",
            }
        )
        written += tokens(text)
    if rs_id is not None:
        for item in output[1:]:
            _REASONING[rs_id].append(item["id"])
            _NEEDS[item["id"]] = rs_id
    return output, written, thought_tokens, why


@route("POST", "/v1/responses", when=_mine, priority=30)
def standard_responses(req: SynthRequest) -> Answer:
    # WIRE: OpenAI's Responses format (a response object, or its events when "stream": true).
    denied = _api_auth(req)
    if denied is not None:
        return denied
    body = req.json()
    if not isinstance(body, dict) or not body:
        return _bad("We could not parse the JSON body of your request.", None)
    problem = _check(body)
    if problem is not None:
        return problem
    seed = _next_seed(req)
    ask = _ask(body)
    reply = _think(ask)
    output, written, thought_tokens, why = _output(body, reply, seed)
    prompt = _prompt_tokens_openai(body, ask)
    prefix = json.dumps(
        [body.get("instructions"), body.get("tools"), _items(body)[:-1]], sort_keys=True
    )
    cached = _cached(req, prefix, prompt)
    model = body["model"]
    reasoning = body.get("reasoning") or {}
    response = {
        "id": "resp_" + _hex(f"{seed}/resp"),
        "object": "response",
        "created_at": CREATED_AT,
        "status": "incomplete" if why else "completed",
        "background": False,
        "error": None,
        "incomplete_details": {"reason": why} if why else None,
        "instructions": body.get("instructions"),
        "max_output_tokens": body.get("max_output_tokens"),
        "max_tool_calls": None,
        "model": _DATED[model],
        "output": output,
        "parallel_tool_calls": body.get("parallel_tool_calls", True),
        "previous_response_id": body.get("previous_response_id"),
        "prompt_cache_key": None,
        "reasoning": {
            "effort": (reasoning.get("effort") or "medium") if _reasons(model) else None,
            "summary": reasoning.get("summary"),
        },
        "safety_identifier": None,
        "service_tier": "default",
        "store": body.get("store", True),
        "temperature": body.get("temperature", 1.0),
        "text": {"format": {"type": "text"}, "verbosity": "medium", **(body.get("text") or {})},
        "tool_choice": body.get("tool_choice", "auto"),
        "tools": body.get("tools") or [],
        "top_logprobs": 0,
        "top_p": body.get("top_p", 1.0),
        "truncation": body.get("truncation", "disabled"),
        "usage": {
            "input_tokens": prompt,
            "input_tokens_details": {"cached_tokens": cached},
            "output_tokens": written,
            "output_tokens_details": {"reasoning_tokens": thought_tokens},
            "total_tokens": prompt + written,
        },
        "user": body.get("user"),
        "metadata": body.get("metadata") or {},
    }
    return _stream(response) if body.get("stream") else as_json(response)
