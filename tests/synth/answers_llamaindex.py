"""Canned answers for the LlamaIndex LLM tests (``tests/**/test_llamaindex_*.py``).

A small deterministic "model" reads each request (OpenAI chat or Gemini ``generateContent``),
decides what a sensible model would do, and writes the answer in the request's wire format:

* a ``response_format`` json_schema / ``responseSchema`` -> JSON valid for that schema, filled
  from the prompt (place names, numbers);
* tools offered -> a call to the next relevant tool not called yet since the user spoke (one call
  per place named when the tool takes a single place and parallel calls are allowed), arguments
  valid for the tool's schema and taken from the conversation (places from the user, numbers
  from the latest tool result); once the relevant tools have answered -> a final text built
  from their results;
* otherwise a short text answer (images are counted and described);
* reasoning models (``deepseek-reasoner``) and Gemini with ``includeThoughts`` think first;
  Gemini function calls carry a thought signature unless thinking is off.

Only for the test modules ``tests/**/test_llamaindex_*.py`` (``when=``), at priority 10.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
import struct
import zlib
from dataclasses import dataclass, field
from typing import Any

from .routes import Answer, SynthRequest, as_json, as_sse, route

_MY_MODULES = re.compile(r"(^|/)test_llamaindex_[a-z_]+\.py::")


def _mine(req: SynthRequest) -> bool:
    # The test modules named test_llamaindex_*.py, not tests elsewhere named test_llamaindex_*.
    return _MY_MODULES.search(req.nodeid) is not None


def _bad_key(req: SynthRequest) -> Answer | None:
    key = req.headers.get("authorization", "") or req.headers.get("x-goog-api-key", "")
    if "invalid" not in key:
        return None
    # WIRE: the gateway's (new-api) OpenAI-style 401 error body, as tests/synth/answers.py sends.
    error = {"message": "Invalid token", "type": "new_api_error", "code": "invalid_api_key"}
    return as_json({"error": error}, 401)


# -- the neutral conversation ---------------------------------------------------------------------


@dataclass
class Tool:
    name: str
    description: str
    parameters: dict[str, Any]


@dataclass
class Turn:
    role: str  # "user", "assistant" or "tool"
    text: str = ""
    calls: list[str] = field(default_factory=list)
    images: int = 0


@dataclass
class Conversation:
    model: str
    turns: list[Turn]
    tools: list[Tool]
    tool_choice: str = "auto"  # "auto", "none", "required" or a tool name
    parallel: bool = True
    schema: dict[str, Any] | None = None
    schema_root: dict[str, Any] | None = None
    json_mode: bool = False
    thinking: bool = False
    signatures: bool = False
    prompt_size: int = 0


@dataclass
class Reply:
    text: str = ""
    thinking: str = ""
    calls: list[tuple[str, dict[str, Any]]] = field(default_factory=list)

    @property
    def finish(self) -> str:
        return "tool_calls" if self.calls else "stop"


_STOPWORDS = {
    "A",
    "An",
    "And",
    "Also",
    "Answer",
    "Both",
    "Call",
    "Celsius",
    "Check",
    "Compare",
    "Convert",
    "Describe",
    "Extract",
    "Fahrenheit",
    "Find",
    "Get",
    "Give",
    "Hello",
    "How",
    "I",
    "In",
    "Is",
    "It",
    "Look",
    "Please",
    "Return",
    "Say",
    "Tell",
    "The",
    "Then",
    "Use",
    "What",
    "When",
    "Where",
    "Which",
    "Who",
    "Why",
    "Write",
    "You",
}
_PLACE_FIELDS = re.compile(
    r"city|location|place|country|name|capital|region|destination|origin|nation|state"
)
_FALLBACK_STRINGS = {
    "title": "A Quiet Morning",
    "author": "Jane Doe",
    "artist": "Jane Doe",
    "summary": "A short, faithful summary of the text.",
    "description": "A short description.",
    "genre": "fiction",
    "color": "blue",
    "unit": "celsius",
    "email": "ada@example.com",
    "date": "2025-01-01",
    "setup": "Why did the cat sit on the computer?",
    "punchline": "To keep an eye on the mouse.",
    "reason": "It follows from the text.",
    "answer": "Paris",
}
_CANNED = (
    ("hello", "Hello! How can I help you today?"),
    ("capital of france", "The capital of France is Paris."),
    ("2 + 2", "2 + 2 = 4."),
    ("haiku", "Morning light on code,\nquiet tests replay the past -\nevery bit in place."),
)


def _words(text: str) -> set[str]:
    return {w.lower() for w in re.findall(r"[A-Za-z]{4,}", text)}


def _places(text: str) -> list[str]:
    found: list[str] = []
    for word in re.findall(r"\b[A-Z][a-z]+\b", text):
        if word not in _STOPWORDS and word not in found:
            found.append(word)
    return found


def _numbers(text: str) -> list[float]:
    return [float(n) for n in re.findall(r"-?\d+(?:\.\d+)?", text)]


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()[:12]


def _tokens(text: str) -> int:
    return max(1, len(text) // 4)


# -- JSON values for a schema (OpenAI JSON Schema or Gemini Schema) -------------------------------


class _Filler:
    """Values valid for a schema, taken from the conversation where the field names say so."""

    def __init__(self, conversation: Conversation, root: dict[str, Any] | None) -> None:
        user = " ".join(t.text for t in conversation.turns if t.role == "user")
        latest_tool = next((t.text for t in reversed(conversation.turns) if t.role == "tool"), "")
        self.places = _places(user)
        self.numbers = _numbers(latest_tool) + _numbers(user)
        self.defs = {**(root or {}).get("definitions", {}), **(root or {}).get("$defs", {})}

    def _resolve(self, schema: dict[str, Any]) -> dict[str, Any]:
        while "$ref" in schema:
            schema = {
                **self.defs[schema["$ref"].rsplit("/", 1)[-1]],
                **{k: v for k, v in schema.items() if k != "$ref"},
            }
        for key in ("anyOf", "oneOf"):
            if key in schema:
                options = [o for o in schema[key] if str(o.get("type", "")).lower() != "null"]
                return self._resolve(
                    {**options[0], **{k: v for k, v in schema.items() if k != key}}
                )
        if "allOf" in schema:
            return self._resolve(
                {**schema["allOf"][0], **{k: v for k, v in schema.items() if k != "allOf"}}
            )
        return schema

    def value(self, schema: dict[str, Any], name: str = "") -> Any:
        schema = self._resolve(schema)
        kind = schema.get("type")
        if isinstance(kind, list):
            kind = next(t for t in kind if t != "null")
        kind = str(kind or ("object" if "properties" in schema else "string")).lower()
        if "enum" in schema:
            return schema["enum"][0]
        if "const" in schema:
            return schema["const"]
        if kind == "object":
            properties = schema.get("properties") or {}
            order = schema.get("propertyOrdering") or list(properties)
            return {key: self.value(properties[key], key) for key in order}
        if kind == "array":
            return [self.value(schema.get("items") or {"type": "string"}, name) for _ in range(2)]
        if kind in ("integer", "number"):
            number = self.numbers.pop(0) if self.numbers else 3.0
            return int(number) if kind == "integer" else number
        if kind == "boolean":
            return True
        if _PLACE_FIELDS.search(name.lower()) and self.places:
            return self.places.pop(0)
        return _FALLBACK_STRINGS.get(name.lower(), f"example {name}".strip())


# -- the "model" ----------------------------------------------------------------------------------


def _relevant(tool: Tool, user_text: str) -> bool:
    names = {w for w in tool.name.lower().split("_") if len(w) >= 4}
    described = {w for w in _words(tool.description) if len(w) >= 5}
    return bool((names | described) & _words(user_text))


def _single_place_param(tool: Tool) -> str | None:
    properties = tool.parameters.get("properties") or {}
    if len(properties) != 1:
        return None
    ((name, schema),) = properties.items()
    kind = str(schema.get("type", "")).lower()
    return name if kind == "string" and _PLACE_FIELDS.search(name.lower()) else None


def _answer_text(conversation: Conversation) -> str:
    since_user: list[Turn] = []
    for turn in reversed(conversation.turns):
        if turn.role == "user":
            break
        since_user.insert(0, turn)
    results = [t.text for t in since_user if t.role == "tool"]
    if results:
        return "Here is what I found: " + "; ".join(results) + "."
    last = next((t for t in reversed(conversation.turns) if t.role == "user"), Turn("user"))
    if last.images:
        plural = "images" if last.images > 1 else "image"
        return f"I see {last.images} {plural}: each is a tiny square of solid red."
    question = last.text.strip()
    for key, text in _CANNED:
        if key in question.lower():
            return text
    return f"Here is a short answer to your question ({question[:60]}): it depends on context."


def think(conversation: Conversation) -> Reply:
    reply = Reply()
    user_turns = [t for t in conversation.turns if t.role == "user"]
    question = user_turns[-1].text if user_turns else ""
    # What the model thinks; shown only where the request asks for it (``conversation.thinking``).
    reply.thinking = (
        f"The user asks: {question[:80]!r}. I should work out what is needed, "
        "use the tools where they help, and answer briefly."
    )
    if conversation.schema is not None:
        filler = _Filler(conversation, conversation.schema_root or conversation.schema)
        reply.text = json.dumps(filler.value(conversation.schema))
        return reply
    if conversation.json_mode:
        reply.text = json.dumps({"answer": _answer_text(conversation)})
        return reply
    if conversation.tools and conversation.tool_choice != "none" and user_turns:
        last_user = max(i for i, t in enumerate(conversation.turns) if t.role == "user")
        called = {c for t in conversation.turns[last_user:] for c in t.calls}
        forced = conversation.tool_choice not in ("auto", "required")
        candidates = [
            t
            for t in conversation.tools
            if (t.name == conversation.tool_choice if forced else _relevant(t, question))
            and t.name not in called
        ]
        if not candidates and conversation.tool_choice == "required" and not called:
            candidates = conversation.tools[:1]
        if candidates:
            tool = candidates[0]
            filler = _Filler(conversation, tool.parameters)
            place = _single_place_param(tool)
            if place and conversation.parallel and len(filler.places) > 1:
                reply.calls = [(tool.name, {place: p}) for p in filler.places]
            else:
                reply.calls = [(tool.name, filler.value(tool.parameters))]
            return reply
    reply.text = _answer_text(conversation)
    return reply


# -- OpenAI chat completions ----------------------------------------------------------------------


def _openai_text(content: Any) -> tuple[str, int]:
    if isinstance(content, str):
        return content, 0
    text, images = [], 0
    for part in content or []:
        if part.get("type") == "text":
            text.append(part.get("text", ""))
        elif part.get("type") == "image_url":
            images += 1
    return "\n".join(text), images


def _from_openai(body: dict[str, Any]) -> Conversation:
    turns = []
    for message in body.get("messages", []):
        role = message.get("role")
        text, images = _openai_text(message.get("content"))
        if role == "user":
            turns.append(Turn("user", text, images=images))
        elif role == "assistant":
            calls = [c["function"]["name"] for c in message.get("tool_calls") or []]
            turns.append(Turn("assistant", text, calls))
        elif role == "tool":
            turns.append(Turn("tool", text))
    tools = [
        Tool(
            t["function"]["name"],
            t["function"].get("description", ""),
            t["function"].get("parameters") or {},
        )
        for t in body.get("tools") or []
        if t.get("type") == "function"
    ]
    choice = body.get("tool_choice") or "auto"
    if isinstance(choice, dict):
        choice = choice.get("function", {}).get("name", "auto")
    response_format = body.get("response_format") or {}
    schema = None
    if response_format.get("type") == "json_schema":
        schema = response_format["json_schema"]["schema"]
    return Conversation(
        model=str(body.get("model", "gpt-4o-mini")),
        turns=turns,
        tools=tools,
        tool_choice=str(choice),
        parallel=body.get("parallel_tool_calls", True) is not False,
        schema=schema,
        schema_root=schema,
        json_mode=response_format.get("type") == "json_object",
        thinking=str(body.get("model", "")).startswith("deepseek-reasoner"),
        prompt_size=len(json.dumps(body.get("messages", []))),
    )


def _openai_usage(conversation: Conversation, reply: Reply) -> dict[str, Any]:
    arguments = "".join(json.dumps(a) for _, a in reply.calls)
    prompt = _tokens("x" * conversation.prompt_size)
    completion = _tokens(reply.text + arguments) + (
        _tokens(reply.thinking) if conversation.thinking else 0
    )
    usage: dict[str, Any] = {
        "prompt_tokens": prompt,
        "completion_tokens": completion,
        "total_tokens": prompt + completion,
        "prompt_tokens_details": {"cached_tokens": 0},
    }
    if conversation.thinking:
        usage["completion_tokens_details"] = {"reasoning_tokens": _tokens(reply.thinking)}
    return usage


def _pieces(text: str, size: int = 12) -> list[str]:
    return [text[i : i + size] for i in range(0, len(text), size)] or [""]


@route("POST", "/v1/chat/completions", when=_mine, priority=10)
def chat(req: SynthRequest) -> Answer:
    # WIRE: OpenAI chat.completion / chat.completion.chunk objects (tool_calls, reasoning_content
    # as DeepSeek sends it, usage with prompt/completion token details).
    refused = _bad_key(req)
    if refused is not None:
        return refused
    body = req.json()
    conversation = _from_openai(body)
    reply = think(conversation)
    key = _digest(req.body)
    calls = [
        {
            "id": f"call_{key}_{i}",
            "type": "function",
            "function": {"name": name, "arguments": json.dumps(args)},
        }
        for i, (name, args) in enumerate(reply.calls)
    ]
    base = {
        "id": f"chatcmpl-{key}",
        "created": 1763103034,
        "model": conversation.model,
        "system_fingerprint": "fp_synth_li",
    }
    usage = _openai_usage(conversation, reply)
    if not body.get("stream"):
        message: dict[str, Any] = {"role": "assistant", "content": reply.text or None}
        if conversation.thinking:
            message["reasoning_content"] = reply.thinking
        if calls:
            message["tool_calls"] = calls
        choice = {"index": 0, "message": message, "logprobs": None, "finish_reason": reply.finish}
        return as_json({**base, "object": "chat.completion", "choices": [choice], "usage": usage})

    def chunk(delta: dict[str, Any], finish: str | None = None) -> dict[str, Any]:
        return {
            **base,
            "object": "chat.completion.chunk",
            "choices": [{"index": 0, "delta": delta, "logprobs": None, "finish_reason": finish}],
        }

    events = [chunk({"role": "assistant", "content": ""})]
    events += (
        [chunk({"reasoning_content": p}) for p in _pieces(reply.thinking)]
        if conversation.thinking
        else []
    )
    if reply.text:
        words = reply.text.split(" ")
        events += [chunk({"content": ("" if i == 0 else " ") + w}) for i, w in enumerate(words)]
    for i, call in enumerate(calls):
        head = {"index": i, "id": call["id"], "type": "function"}
        events.append(
            chunk(
                {
                    "tool_calls": [
                        {**head, "function": {"name": call["function"]["name"], "arguments": ""}}
                    ]
                }
            )
        )
        for piece in _pieces(call["function"]["arguments"], 7):
            events.append(chunk({"tool_calls": [{"index": i, "function": {"arguments": piece}}]}))
    events.append(chunk({}, reply.finish))
    if (body.get("stream_options") or {}).get("include_usage"):
        events.append({**base, "object": "chat.completion.chunk", "choices": [], "usage": usage})
    return as_sse(events)


# -- Gemini generateContent -----------------------------------------------------------------------


def _from_gemini(model: str, body: dict[str, Any]) -> Conversation:
    turns = []
    for content in body.get("contents", []):
        parts = content.get("parts", [])
        text = "\n".join(p["text"] for p in parts if "text" in p and not p.get("thought"))
        images = sum(1 for p in parts if "inlineData" in p or "fileData" in p)
        responses = [p["functionResponse"] for p in parts if "functionResponse" in p]
        calls = [p["functionCall"]["name"] for p in parts if "functionCall" in p]
        if content.get("role") == "model":
            turns.append(Turn("assistant", text, calls))
        elif responses:
            for response in responses:
                result = response.get("response", {})
                value = result.get("result", result) if isinstance(result, dict) else result
                turns.append(Turn("tool", value if isinstance(value, str) else json.dumps(value)))
        else:
            turns.append(Turn("user", text, images=images))
    tools = [
        Tool(d["name"], d.get("description", ""), d.get("parameters") or {"properties": {}})
        for entry in body.get("tools") or []
        for d in entry.get("functionDeclarations", [])
    ]
    calling = (body.get("toolConfig") or {}).get("functionCallingConfig") or {}
    mode = calling.get("mode", "AUTO")
    allowed = calling.get("allowedFunctionNames") or []
    choice = (
        allowed[0]
        if mode == "ANY" and len(allowed) == 1
        else {"ANY": "required", "NONE": "none"}.get(mode, "auto")
    )
    config = body.get("generationConfig") or {}
    thinking = config.get("thinkingConfig") or {}
    schema = config.get("responseSchema") or config.get("responseJsonSchema")
    return Conversation(
        model=model,
        turns=turns,
        tools=tools,
        tool_choice=choice,
        parallel=True,
        schema=schema,
        schema_root=config.get("responseJsonSchema"),
        json_mode=schema is None and config.get("responseMimeType") == "application/json",
        thinking=bool(thinking.get("includeThoughts")),
        signatures=thinking.get("thinkingBudget") != 0,
        prompt_size=len(json.dumps(body.get("contents", []))),
    )


def _gemini_usage(conversation: Conversation, reply: Reply) -> dict[str, Any]:
    prompt = _tokens("x" * conversation.prompt_size)
    output = _tokens(reply.text + "".join(json.dumps(a) for _, a in reply.calls))
    thoughts = _tokens(reply.thinking) if conversation.signatures else 0
    usage = {
        "promptTokenCount": prompt,
        "candidatesTokenCount": output,
        "totalTokenCount": prompt + output + thoughts,
        "promptTokensDetails": [{"modality": "TEXT", "tokenCount": prompt}],
    }
    if thoughts:
        usage["thoughtsTokenCount"] = thoughts
    return usage


@route("POST", "/v1beta/models/", when=_mine, priority=10)
def gemini(req: SynthRequest) -> Answer:
    # WIRE: Gemini GenerateContentResponse (REF: gemini-thinking.txt and
    # gemini-structured-output.txt for the shape: candidates[].content.parts, finishReason,
    # usageMetadata with thoughtsTokenCount, modelVersion, responseId); thought parts
    # ({"thought": true}) and functionCall parts with thoughtSignature as Gemini 2.5 sends them.
    refused = _bad_key(req)
    if refused is not None:
        return refused
    model, _, method = req.path.removeprefix("/v1beta/models/").partition(":")
    conversation = _from_gemini(model, req.json())
    reply = think(conversation)
    key = _digest(req.body)
    signature = base64.b64encode(f"sig-{key}".encode()).decode()
    call_parts = []
    for i, (name, args) in enumerate(reply.calls):
        part: dict[str, Any] = {"functionCall": {"name": name, "args": args}}
        if i == 0 and conversation.signatures:
            part["thoughtSignature"] = signature
        call_parts.append(part)
    thought_parts = [{"text": reply.thinking, "thought": True}] if conversation.thinking else []
    usage = _gemini_usage(conversation, reply)

    def response(parts: list[dict[str, Any]], final: bool) -> dict[str, Any]:
        candidate: dict[str, Any] = {"content": {"parts": parts, "role": "model"}, "index": 0}
        out: dict[str, Any] = {"candidates": [candidate], "modelVersion": model, "responseId": key}
        if final:
            candidate["finishReason"] = "STOP"
            out["usageMetadata"] = usage
        return out

    if method == "generateContent":
        text_parts = [{"text": reply.text}] if reply.text else []
        return as_json(response(thought_parts + text_parts + call_parts, final=True))
    events = [response([p], final=False) for p in thought_parts]
    words = reply.text.split(" ") if reply.text else []
    text_pieces = [" ".join(words[i : i + 3]) for i in range(0, len(words), 3)]
    text_pieces = [p if i == 0 else " " + p for i, p in enumerate(text_pieces)]
    events += [response([{"text": p}], final=False) for p in text_pieces[:-1]]
    last = [{"text": text_pieces[-1]}] if text_pieces else []
    events.append(response(last + call_parts, final=True))
    return as_sse(events, done=False)


# -- images the Gemini client fetches -------------------------------------------------------------


def _png(rgb: tuple[int, int, int] = (220, 40, 40)) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", 2, 2, 8, 2, 0, 0, 0)
    raw = (b"\x00" + bytes(rgb) * 2) * 2
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(raw, 9))
        + chunk(b"IEND", b"")
    )


TINY_PNG = _png()


@route(
    "GET",
    "/wikipedia/commons/",
    when=lambda r: _mine(r) and r.host == "upload.wikimedia.org",
    priority=10,
)
def image(req: SynthRequest) -> Answer:
    # WIRE: a plain HTTP image download (a real 2x2 PNG standing in for the public file).
    return 200, {"content-type": "image/png"}, TINY_PNG
