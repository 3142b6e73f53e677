"""Canned answers of ``POST /v1/messages`` for langchain-tests' standard integration tests of
``ChatYEScaleAnthropic`` (``TestChatYEScaleAnthropicIntegration`` in
``tests/standard/test_chat_models_integration.py``), at priority 30, above the Messages answers of
the client's own tests (``answers_messages``, which these leave alone).

``WIRE``: every answer is synthesized from Anthropic's public Messages API wire format (the YEScale
reference lists the "Messages (official Anthropic format)" endpoint without bodies): a ``message``
object, or its server-sent events (``message_start``, ``content_block_start`` / ``_delta`` /
``_stop``, ``ping``, ``message_delta`` with the cumulative usage, ``message_stop``), and errors as
``{"type": "error", "error": {"type": "invalid_request_error", "message": ...}}``.

What is said comes from the small "brain" the OpenAI- and Gemini-format standard tests use
(:func:`tests.synth.answers_langchain._think`), fed a neutral view of the Anthropic request: tool
calls whose input satisfies the bound tool's ``input_schema`` (forced by ``tool_choice`` ``any`` /
``tool``), answers built from ``tool_result`` blocks (text, images, PDFs), JSON following
``output_config.format`` (Claude's structured outputs), descriptions of images and PDFs, a
thinking block (with a signature, to be sent back unchanged) when ``thinking`` is on.

As Anthropic does, the request is checked first, and refused with Anthropic's error when it is
wrong: the gateway's ``Authorization: Bearer`` (no ``x-api-key``), ``anthropic-version``,
``max_tokens`` (``answers_messages._checked``); then unknown fields, content blocks and their
sources (base64 data that is what its ``media_type`` says), ``tool_use`` / ``tool_result`` pairing,
tool names and schemas, ``tool_choice``, thinking's budget and temperature, closed objects in an
``output_config`` schema. Prompt caching follows Anthropic's rules: the prefix (tools, system,
messages) up to a ``cache_control`` breakpoint is cached when it is long enough for the model
(1024 tokens for Sonnet 4.5, 4096 for Haiku 4.5); the first request of a test that has it writes it
(``cache_creation_input_tokens``), later ones read it (``cache_read_input_tokens``), and
``input_tokens`` counts only what follows the last breakpoint.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import re
import struct
from typing import Any

from .answers_langchain import (
    Ask,
    Reply,
    Tool,
    Turn,
    _alnum_id,
    _cut_at_stop,
    _digest,
    _next_seed,
    _think,
    _truncate_tokens,
    tokens,
)
from .answers_messages import _block_events, _checked, _error
from .routes import Answer, SynthRequest, route

SERVED = "tests/standard/test_chat_models_integration.py::TestChatYEScaleAnthropicIntegration"


def _mine(req: SynthRequest) -> bool:
    return SERVED in req.nodeid


#: Aliases and the dated model each answers as (Anthropic's answer names the snapshot).
_DATED = {
    "claude-sonnet-4-5": "claude-sonnet-4-5-20250929",
    "claude-haiku-4-5": "claude-haiku-4-5-20251001",
    "claude-opus-4-1": "claude-opus-4-1-20250805",
    "claude-sonnet-4-0": "claude-sonnet-4-20250514",
}
#: Most output tokens per model, and the least prefix a cache breakpoint caches.
_MAX_OUTPUT = {"haiku-4-5": 64000, "sonnet-4": 64000, "opus-4-1": 32000}
_MIN_CACHEABLE = {"haiku-4-5": 4096, "haiku": 2048}

_FIELDS = {
    "model",
    "messages",
    "max_tokens",
    "system",
    "metadata",
    "stop_sequences",
    "stream",
    "temperature",
    "top_k",
    "top_p",
    "tools",
    "tool_choice",
    "thinking",
    "output_config",
    "service_tier",
    "container",
    "mcp_servers",
    "context_management",
}
_USER_BLOCKS = {"text", "image", "document", "tool_result", "search_result"}
_ASSISTANT_BLOCKS = {
    "text",
    "tool_use",
    "thinking",
    "redacted_thinking",
    "server_tool_use",
    "web_search_tool_result",
}
_IMAGE_TYPES = {
    "image/png": (b"\x89PNG\r\n\x1a\n",),
    "image/jpeg": (b"\xff\xd8\xff",),
    "image/gif": (b"GIF87a", b"GIF89a"),
    "image/webp": (b"RIFF",),
}
_TOOL_NAME = re.compile(r"^[a-zA-Z0-9_-]{1,128}$")
_BLOCK_ID = re.compile(r"^[a-zA-Z0-9_-]+$")
#: Tokens Anthropic's tool-use system prompt adds (Claude 4 models): tool_choice auto / none,
#: and any / tool.
_TOOL_PROMPT = {"auto": 346, "forced": 313}

#: Signatures of the thinking blocks answered (Anthropic refuses others when thinking is on).
_SIGNED: set[str] = set()
#: Cache entries written, per test: (node id, model, digest of the prefix).
_CACHE: set[tuple[str, str, str]] = set()


def _bad(message: str) -> Answer:
    return _error(400, "invalid_request_error", message)


def _family(model: str, table: dict[str, int], default: int) -> int:
    return next((value for key, value in table.items() if key in model), default)


def _blocks(content: Any) -> list[dict[str, Any]]:
    return [{"type": "text", "text": content}] if isinstance(content, str) else list(content)


# -- checks -------------------------------------------------------------------------------------


def _media(data: Any, where: str) -> bytes | str:
    """The decoded bytes of a base64 source, or the error message."""
    try:
        return base64.b64decode(str(data), validate=True)
    except (binascii.Error, ValueError):
        return f"{where}.data: invalid base64 data"


def _check_source(block: dict[str, Any], where: str) -> str | None:
    kind = block["type"]
    source = block.get("source")
    if not isinstance(source, dict):
        return f"{where}.source: Field required"
    at = f"{where}.{kind}.source.{source.get('type')}"
    if source.get("type") == "url":
        url = source.get("url")
        if not isinstance(url, str) or not url.startswith(("https://", "http://")):
            return f"{at}.url: Unable to download the file. Please verify the URL and try again."
        return None
    if kind == "document" and source.get("type") == "text":
        return None if source.get("data") else f"{at}.data: Field required"
    if source.get("type") != "base64":
        return (
            f"{where}.{kind}.source: Input tag {source.get('type')!r} does not match any of the "
            "expected tags: 'base64', 'url'"
        )
    media = source.get("media_type")
    data = _media(source.get("data"), at)
    if isinstance(data, str):
        return data
    if kind == "image":
        if media not in _IMAGE_TYPES:
            return (
                f"{at}.media_type: Input should be 'image/jpeg', 'image/png', 'image/gif' or "
                "'image/webp'"
            )
        if not data.startswith(_IMAGE_TYPES[media]):
            return f"{at}.data: Image does not match the provided media type {media}"
        return None
    if media != "application/pdf":
        return f"{at}.media_type: Input should be 'application/pdf'"
    if not data.startswith(b"%PDF-"):
        return f"{at}.data: The PDF specified was not valid."
    return None


def _check_block(block: Any, role: str, where: str) -> str | None:
    if not isinstance(block, dict) or not isinstance(block.get("type"), str):
        return f"{where}: Input should be a valid dictionary with a 'type'"
    kind = block["type"]
    allowed = _USER_BLOCKS if role == "user" else _ASSISTANT_BLOCKS
    if kind not in allowed:
        expected = ", ".join(f"'{k}'" for k in sorted(allowed))
        return (
            f"{where}: Input tag '{kind}' found using 'type' does not match any of the expected "
            f"tags: {expected}"
        )
    if kind == "text" and (not isinstance(block.get("text"), str) or not block["text"]):
        return "messages: text content blocks must be non-empty"
    if kind in ("image", "document"):
        return _check_source(block, where)
    if kind == "tool_use":
        if not _BLOCK_ID.match(str(block.get("id", ""))):
            return f"{where}.tool_use.id: String should match pattern '^[a-zA-Z0-9_-]+$'"
        if not isinstance(block.get("input"), dict):
            return f"{where}.tool_use.input: Input should be a valid dictionary"
    if kind == "thinking" and not isinstance(block.get("signature"), str):
        return f"{where}.thinking.signature: Field required"
    if kind == "tool_result":
        if not _BLOCK_ID.match(str(block.get("tool_use_id", ""))):
            return (
                f"{where}.tool_result.tool_use_id: String should match pattern '^[a-zA-Z0-9_-]+$'"
            )
        content = block.get("content")
        if isinstance(content, list):
            for j, inner in enumerate(content):
                at = f"{where}.tool_result.content.{j}"
                if not isinstance(inner, dict) or inner.get("type") not in (
                    "text",
                    "image",
                    "document",
                    "search_result",
                ):
                    tag = inner.get("type") if isinstance(inner, dict) else inner
                    return (
                        f"{at}: Input tag {tag!r} found using 'type' does not match any of the "
                        "expected tags: 'document', 'image', 'search_result', 'text'"
                    )
                problem = _check_block(inner, "user", at)
                if problem:
                    return problem
        elif content is not None and not isinstance(content, str):
            return f"{where}.tool_result.content: Input should be a valid string or list"
    return None


def _check_messages(body: dict[str, Any], thinking: bool) -> str | None:
    messages = body.get("messages")
    if not isinstance(messages, list) or not messages:
        return "messages: at least one message is required"
    previous_calls: set[str] = set()
    for i, message in enumerate(messages):
        role = message.get("role")
        if role not in ("user", "assistant"):
            return f"messages.{i}.role: Input should be 'user' or 'assistant'"
        content = message.get("content")
        if not content:
            return (
                f"messages.{i}: all messages must have non-empty content except for the optional "
                "final assistant message"
            )
        blocks = _blocks(content)
        for j, block in enumerate(blocks):
            problem = _check_block(block, role, f"messages.{i}.content.{j}")
            if problem:
                return problem
        results = {b["tool_use_id"] for b in blocks if b["type"] == "tool_result"}
        unexpected = results - previous_calls
        if unexpected:
            return (
                f"messages.{i}.content.0: unexpected `tool_use_id` found in `tool_result` blocks: "
                f"{sorted(unexpected)[0]}. Each `tool_result` block must have a corresponding "
                "`tool_use` block in the previous message."
            )
        unanswered = previous_calls - results
        if unanswered:
            return (
                f"messages.{i - 1}: `tool_use` ids were found without `tool_result` blocks "
                f"immediately after: {sorted(unanswered)[0]}. Each `tool_use` block must have a "
                "corresponding `tool_result` block in the next message."
            )
        previous_calls = {b["id"] for b in blocks if b["type"] == "tool_use"}
        last_loop = previous_calls and i == len(messages) - 2
        if thinking and last_loop and blocks[0]["type"] not in ("thinking", "redacted_thinking"):
            return (
                f"messages.{i}.content.0.type: Expected `thinking` or `redacted_thinking`, but "
                f"found `{blocks[0]['type']}`. When `thinking` is enabled, a final `assistant` "
                "message must start with a thinking block (preceeding the lastmost set of "
                "`tool_use` and `tool_result` blocks)."
            )
        if role == "assistant" and thinking:
            for j, block in enumerate(blocks):
                if block["type"] == "thinking" and block["signature"] not in _SIGNED:
                    return f"messages.{i}.content.{j}: Invalid `signature` in `thinking` block"
    return None


def _check_tools(body: dict[str, Any], thinking: bool) -> str | None:
    tools = body.get("tools")
    names: list[str] = []
    if tools is not None:
        if not isinstance(tools, list):
            return "tools: Input should be a valid list"
        for i, tool in enumerate(tools):
            if tool.get("type") not in (None, "custom"):
                continue  # server tools: not offered by these tests
            name = str(tool.get("name", ""))
            if not _TOOL_NAME.match(name):
                return (
                    f"tools.{i}.custom.name: String should match pattern '^[a-zA-Z0-9_-]{{1,128}}$'"
                )
            extra = set(tool) - {"type", "name", "description", "input_schema", "cache_control"}
            if extra:
                return f"tools.{i}.custom.{sorted(extra)[0]}: Extra inputs are not permitted"
            schema = tool.get("input_schema")
            if not isinstance(schema, dict) or schema.get("type") != "object":
                return f"tools.{i}.custom.input_schema.type: Input should be 'object'"
            names.append(name)
        if len(set(names)) != len(names):
            return "tools: Tool names must be unique."
    choice = body.get("tool_choice")
    if choice is None:
        return None
    kind = choice.get("type") if isinstance(choice, dict) else None
    if kind not in ("auto", "any", "tool", "none"):
        return (
            "tool_choice: Input tag found using 'type' does not match any of the expected tags: "
            "'auto', 'any', 'tool', 'none'"
        )
    if kind == "tool" and choice.get("name") not in names:
        return f"tool_choice.tool.name: Tool '{choice.get('name')}' not found in tools"
    if kind in ("any", "tool") and thinking:
        return "Thinking may not be enabled when tool_choice forces tool use."
    if kind != "none" and not tools:
        return "tool_choice may only be specified while providing tools."
    return None


def _open_objects(schema: Any, where: str) -> str | None:
    """Claude's structured outputs take closed objects only."""
    if isinstance(schema, list):
        for i, sub in enumerate(schema):
            found = _open_objects(sub, f"{where}.{i}")
            if found:
                return found
        return None
    if not isinstance(schema, dict):
        return None
    if schema.get("type") == "object" and schema.get("additionalProperties") is not False:
        return (
            f"output_config.format.schema{where}: For 'object' type, 'additionalProperties' must "
            "be explicitly set to false"
        )
    for key, sub in schema.items():
        if isinstance(sub, (dict, list)) and key not in ("enum", "const", "required"):
            if key in ("properties", "$defs"):
                for name, inner in sub.items():
                    found = _open_objects(inner, f"{where}.{key}.{name}")
                    if found:
                        return found
            else:
                found = _open_objects(sub, f"{where}.{key}")
                if found:
                    return found
    return None


def _check(body: dict[str, Any]) -> str | None:
    """Anthropic's refusal of the request, or ``None``."""
    extra = set(body) - _FIELDS
    if extra:
        return f"{sorted(extra)[0]}: Extra inputs are not permitted"
    model = str(body.get("model", ""))
    if not model.startswith("claude-"):
        return f"model: {model}"
    limit = _family(model, _MAX_OUTPUT, 64000)
    if body["max_tokens"] > limit:
        dated = _DATED.get(model, model)
        return (
            f"max_tokens: {body['max_tokens']} > {limit}, which is the maximum allowed number of "
            f"output tokens for {dated}"
        )
    temperature = body.get("temperature")
    if temperature is not None and not 0 <= temperature <= 1:
        return "temperature: Input should be less than or equal to 1"
    thinking = body.get("thinking")
    on = isinstance(thinking, dict) and thinking.get("type") == "enabled"
    if on:
        budget = thinking.get("budget_tokens")
        if not isinstance(budget, int) or budget < 1024:
            return "thinking.enabled.budget_tokens: Input should be greater than or equal to 1024"
        if budget >= body["max_tokens"]:
            return "`max_tokens` must be greater than `thinking.budget_tokens`."
        if temperature not in (None, 1):
            return (
                "`temperature` may only be set to 1 when thinking is enabled. Please consult our "
                "documentation at https://docs.claude.com/en/docs/build-with-claude/"
                "extended-thinking#important-considerations-when-using-extended-thinking"
            )
    system = body.get("system")
    if system is not None and not isinstance(system, str):
        for j, block in enumerate(system):
            if not isinstance(block, dict) or block.get("type") != "text" or not block.get("text"):
                return f"system.{j}: Input should be a non-empty text block"
    stops = body.get("stop_sequences")
    if stops is not None and (
        not isinstance(stops, list) or not all(isinstance(s, str) and s.strip() for s in stops)
    ):
        return "stop_sequences: each stop sequence must contain non-whitespace"
    problem = _check_messages(body, on) or _check_tools(body, on)
    if problem:
        return problem
    fmt = (body.get("output_config") or {}).get("format")
    if fmt is not None:
        if fmt.get("type") != "json_schema" or not isinstance(fmt.get("schema"), dict):
            return "output_config.format: Input tag found using 'type' must be 'json_schema'"
        return _open_objects(fmt["schema"], "")
    return None


# -- the neutral view, for the brain -------------------------------------------------------------


def _text_of(blocks: list[dict[str, Any]]) -> str:
    return "\n".join(b["text"] for b in blocks if b.get("type") == "text")


def _count_media(turn: Turn, blocks: list[dict[str, Any]]) -> None:
    for block in blocks:
        if block.get("type") == "image":
            turn.images += 1
        elif block.get("type") == "document":
            turn.files += 1


def _ask(body: dict[str, Any]) -> Ask:
    turns: list[Turn] = []
    system = body.get("system")
    if system:
        turns.append(Turn("system", text=_text_of(_blocks(system))))
    names: dict[str, str] = {}
    for message in body["messages"]:
        blocks = _blocks(message["content"])
        if message["role"] == "assistant":
            turn = Turn("assistant", text=_text_of(blocks))
            for block in blocks:
                if block["type"] == "tool_use":
                    names[block["id"]] = block["name"]
                    turn.calls.append((block["name"], block["input"]))
                elif block["type"] == "thinking":
                    turn.reasoning = block.get("thinking")
            turns.append(turn)
            continue
        for block in blocks:
            if block["type"] != "tool_result":
                continue
            result = Turn("tool", tool_name=names.get(block["tool_use_id"], "tool"))
            content = block.get("content")
            inner = _blocks(content) if content else []
            result.text = _text_of(inner)
            if block.get("is_error") and not result.text.lower().startswith("error"):
                result.text = f"Error: {result.text}"
            _count_media(result, inner)
            turns.append(result)
        rest = [b for b in blocks if b["type"] != "tool_result"]
        if rest:
            turn = Turn("user", text=_text_of(rest))
            _count_media(turn, rest)
            turns.append(turn)
    tools = [
        Tool(t["name"], t.get("description", ""), t["input_schema"])
        for t in body.get("tools") or []
        if "input_schema" in t
    ]
    ask = Ask(model=body["model"], turns=turns, tools=tools)
    choice = body.get("tool_choice") or {}
    kind = choice.get("type", "auto")
    ask.tool_mode = {"any": "required", "tool": "required", "none": "none"}.get(kind, "auto")
    if kind == "tool":
        ask.allowed = [choice["name"]]
    ask.parallel = not choice.get("disable_parallel_tool_use", False)
    fmt = (body.get("output_config") or {}).get("format")
    if fmt is not None:
        ask.schema = fmt["schema"]
    return ask


# -- tokens and the prompt cache -----------------------------------------------------------------


def _image_tokens(block: dict[str, Any]) -> int:
    """Anthropic's estimate: width * height / 750 (a URL's image taken as 1092 x 1092)."""
    source = block["source"]
    width = height = 1092
    if source.get("type") == "base64":
        data = base64.b64decode(source["data"])
        if data.startswith(b"\x89PNG"):
            width, height = struct.unpack(">II", data[16:24])
    return max(1, (width * height + 749) // 750)


def _document_tokens(block: dict[str, Any]) -> int:
    """About 1,500 tokens a page (its text, and the page as an image)."""
    source = block["source"]
    if source.get("type") == "text":
        return tokens(str(source.get("data", "")))
    pages = 1
    if source.get("type") == "base64":
        data = base64.b64decode(source["data"])
        pages = max(1, len(re.findall(rb"/Type\s*/Page\b", data)))
    return 1500 * pages


def _block_tokens(block: dict[str, Any]) -> int:
    kind = block["type"]
    if kind == "text":
        return tokens(block["text"])
    if kind == "image":
        return _image_tokens(block)
    if kind == "document":
        return _document_tokens(block)
    if kind == "tool_use":
        return 8 + tokens(block["name"]) + tokens(json.dumps(block["input"]))
    if kind == "tool_result":
        content = block.get("content")
        return 6 + sum(_block_tokens(b) for b in (_blocks(content) if content else []))
    return 0  # thinking blocks of earlier turns are not part of the context


def _segments(body: dict[str, Any]) -> list[tuple[int, Any, dict[str, Any] | None]]:
    """The prompt in Anthropic's cache order (tools, system, messages): each piece's tokens, the
    piece, and its ``cache_control``."""
    out: list[tuple[int, Any, dict[str, Any] | None]] = []
    tools = body.get("tools") or []
    if tools:
        forced = (body.get("tool_choice") or {}).get("type") in ("any", "tool")
        out.append((_TOOL_PROMPT["forced" if forced else "auto"], "tool prompt", None))
    for tool in tools:
        count = 8 + tokens(tool.get("name", "")) + tokens(tool.get("description", ""))
        count += tokens(json.dumps(tool.get("input_schema", {})))
        out.append((count, tool, tool.get("cache_control")))
    system = body.get("system")
    for block in _blocks(system) if system else []:
        out.append((tokens(block["text"]), block, block.get("cache_control")))
    for message in body["messages"]:
        out.append((4, message["role"], None))
        for block in _blocks(message["content"]):
            out.append((_block_tokens(block), block, block.get("cache_control")))
    fmt = (body.get("output_config") or {}).get("format")
    if fmt is not None:
        out.append((tokens(json.dumps(fmt)), "output format", None))
    return out


def _usage(req: SynthRequest, body: dict[str, Any], output: int) -> dict[str, Any]:
    segments = _segments(body)
    total = sum(count for count, _, _ in segments)
    model = body["model"]
    least = _family(model, _MIN_CACHEABLE, 1024)
    breakpoints = []  # (prefix tokens, key, ttl) at each breakpoint long enough to cache
    running = 0
    for i, (count, _, control) in enumerate(segments):
        running += count
        if control is not None and running >= least:
            prefix = json.dumps([piece for _, piece, _ in segments[: i + 1]], sort_keys=True)
            key = (req.nodeid, model, hashlib.sha256(prefix.encode()).hexdigest())
            breakpoints.append((running, key, control.get("ttl", "5m")))
    read = max((n for n, key, _ in breakpoints if key in _CACHE), default=0)
    written = {"5m": 0, "1h": 0}
    if breakpoints and breakpoints[-1][1] not in _CACHE:
        written[breakpoints[-1][2]] = breakpoints[-1][0] - read
    _CACHE.update(key for _, key, _ in breakpoints)
    creation = sum(written.values())
    return {
        "input_tokens": total - read - creation,
        "cache_creation_input_tokens": creation,
        "cache_read_input_tokens": read,
        "cache_creation": {
            "ephemeral_5m_input_tokens": written["5m"],
            "ephemeral_1h_input_tokens": written["1h"],
        },
        "output_tokens": output,
        "service_tier": "standard",
    }


# -- the answer ----------------------------------------------------------------------------------


def _signature(seed: str) -> str:
    """An opaque signature, as Anthropic signs a thinking block."""
    raw = b"".join(hashlib.sha256(f"{seed}/sig/{i}".encode()).digest() for i in range(4))
    signature = base64.b64encode(b"\x12\x02\x08\x01" + raw).decode()
    _SIGNED.add(signature)
    return signature


def _content(
    body: dict[str, Any], reply: Reply, seed: str
) -> tuple[list[dict[str, Any]], str, str | None, int]:
    """The answer's blocks, its stop reason and stop sequence, and its output tokens."""
    blocks: list[dict[str, Any]] = []
    output = 0
    thinking = body.get("thinking") or {}
    if thinking.get("type") == "enabled":
        thought = reply.thoughts.split("\n\n", 1)[-1]
        blocks.append({"type": "thinking", "thinking": thought, "signature": _signature(seed)})
        output += tokens(thought) + 60  # the signed summary costs more than its text
    choice = (body.get("tool_choice") or {}).get("type", "auto")
    if reply.calls:
        if choice == "auto":
            names = " and ".join(dict.fromkeys(name for name, _ in reply.calls))
            preamble = f"I'll use the {names} tool to answer that."
            blocks.append({"type": "text", "text": preamble})
            output += tokens(preamble)
        for j, (name, args) in enumerate(reply.calls):
            call_id = "toolu_01" + _alnum_id(f"{seed}/{j}", 22)
            blocks.append({"type": "tool_use", "id": call_id, "name": name, "input": args})
            output += 12 + tokens(json.dumps(args))
        return blocks, "tool_use", None, output
    text, stopped = _cut_at_stop(reply.text, body.get("stop_sequences") or [])
    stop_reason, sequence = "end_turn", None
    if stopped:
        stop_reason = "stop_sequence"
        sequence = next(s for s in body["stop_sequences"] if reply.text.startswith(text + s))
    room = body["max_tokens"] - output
    if tokens(text) > room:
        text, stop_reason, sequence = _truncate_tokens(text, max(0, room)), "max_tokens", None
    if text:
        blocks.append({"type": "text", "text": text})
    return blocks, stop_reason, sequence, output + tokens(text)


def _stream(message: dict[str, Any]) -> Answer:
    # WIRE: Anthropic's streaming events, each as "event: <type>" + "data: <json>"; the usage
    # of message_start counts the input, message_delta's the cumulative totals.
    usage = message["usage"]
    start = {**message, "content": [], "stop_reason": None, "stop_sequence": None}
    start["usage"] = {**usage, "output_tokens": 1}
    events: list[dict[str, Any]] = [{"type": "message_start", "message": start}]
    for index, block in enumerate(message["content"]):
        events += _block_events(index, block)
        if index == 0:
            events.append({"type": "ping"})
    events += [
        {
            "type": "message_delta",
            "delta": {
                "stop_reason": message["stop_reason"],
                "stop_sequence": message["stop_sequence"],
            },
            "usage": {
                k: usage[k]
                for k in (
                    "input_tokens",
                    "cache_creation_input_tokens",
                    "cache_read_input_tokens",
                    "output_tokens",
                )
            },
        },
        {"type": "message_stop"},
    ]
    text = "".join(
        f"event: {e['type']}\ndata: {json.dumps(e, ensure_ascii=False)}\n\n" for e in events
    )
    return 200, {"content-type": "text/event-stream; charset=utf-8"}, text.encode()


@route("POST", "/v1/messages", when=_mine, priority=30)
def standard_messages(req: SynthRequest) -> Answer:
    # WIRE: Anthropic Messages format (a message object, or its events when "stream": true).
    body = _checked(req)
    if not isinstance(body, dict):
        return body
    problem = _check(body)
    if problem:
        return _bad(problem)
    seed = f"{_next_seed(req)}/{_digest(req.nodeid, body['messages'])}"
    reply = _think(_ask(body))
    content, stop_reason, sequence, output = _content(body, reply, seed)
    message = {
        "id": "msg_01" + _alnum_id(seed, 22),
        "type": "message",
        "role": "assistant",
        "model": _DATED.get(body["model"], body["model"]),
        "content": content,
        "stop_reason": stop_reason,
        "stop_sequence": sequence,
        "usage": _usage(req, body, output),
    }
    if body.get("stream"):
        return _stream(message)
    return (
        200,
        {"content-type": "application/json"},
        json.dumps(message, ensure_ascii=False).encode(),
    )
