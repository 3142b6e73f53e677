# ruff: noqa: E501  (the reference bodies at the end are kept verbatim, long lines and all)
"""Canned answers for the LangChain chat-model tests (ChatYEScale, ChatYEScaleGemini).

Restricted to ``tests/standard/test_chat_models_integration.py``,
``tests/integration/test_langchain_*.py`` and the test of ``examples/agent_structured.py``
(priority 10, so the generic answers in ``answers.py`` never see these tests' requests).

The answers behave like a small, plausible model instead of replaying one fixed text: they are
derived from the request. A little "brain" (:func:`_think`) works on a neutral view of the
conversation (parsed from the OpenAI or the Gemini body) and decides what to say: a tool call with
arguments valid for the bound tool's schema (taken from the prompt where it names them), an answer
built from a tool result, JSON valid for a requested schema, a description of an image, or a text
reply. Token counts follow the text; model-specific rules the real service enforces are enforced
here too (o-series reject ``max_tokens``, Claude/DeepSeek reject ``response_format``, Gemini
rejects schema keys it does not know, DeepSeek's thinking mode needs ``reasoning_content`` back on
tool-call turns, Gemini 3 needs thought signatures back), so a test proves the request was right.

Sources: ``# REF: <file>`` = body copied verbatim from ``shared/yescale-api/<file>``;
``# WIRE: OpenAI format`` / ``# WIRE: Gemini format`` = the public wire formats of
``/v1/chat/completions`` and ``generateContent`` where the reference gives no example.
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

from .routes import Answer, SynthRequest, as_json, route

_MY_TESTS = (
    "tests/standard/test_chat_models_integration.py",
    "tests/integration/test_langchain_",
    "tests/integration/test_examples.py::test_agent_structured",
)
_API_HOSTS = ("api.yescale.io", "api.yescale.vip")
_CREATED = 1763103034


_SEQUENCE: dict[str, int] = {}


def _next_seed(req: SynthRequest) -> str:
    """A seed for response ids: the test and how many requests it has made (ids differ per
    answer, as the service's do, yet re-synthesis gives the same cassette)."""
    _SEQUENCE[req.nodeid] = _SEQUENCE.get(req.nodeid, 0) + 1
    return f"{req.nodeid}#{_SEQUENCE[req.nodeid]}"


def _mine(req: SynthRequest) -> bool:
    return req.nodeid.startswith(_MY_TESTS)


def _mine_api(req: SynthRequest) -> bool:
    return _mine(req) and req.host in _API_HOSTS


def _digest(*parts: Any, size: int = 24) -> str:
    text = json.dumps(parts, sort_keys=True, default=str, ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()[:size]


def _alnum_id(seed: str, size: int = 24) -> str:
    """A deterministic id of letters and digits, like the service's ids."""
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
    raw = hashlib.sha256(seed.encode()).digest() * 2
    return "".join(alphabet[b % len(alphabet)] for b in raw[:size])


def _signature(seed: str) -> str:
    """A thought signature: opaque base64, as Gemini sends it."""
    raw = b"".join(hashlib.sha256(f"{seed}/{i}".encode()).digest() for i in range(3))
    return base64.b64encode(b"\x12\x8a\x02\n\x87\x02\x01" + raw).decode()


def tokens(text: str) -> int:
    """A plausible token count: words and punctuation marks (CJK characters one each)."""
    if not text:
        return 0
    return len(re.findall(r"[\u3040-\u30ff\u4e00-\u9fff]|[A-Za-z0-9_']+|[^\sA-Za-z0-9_]", text))


# =============================================================================================
# Sample files the tests fetch themselves (standard tests) or have the client fetch (Gemini).


def _png(width: int = 32, height: int = 32) -> bytes:
    """A small valid PNG: a blue square centred on a white background."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    rows = []
    for y in range(height):
        row = bytearray([0])  # filter: none
        for x in range(width):
            inside = width // 4 <= x < 3 * width // 4 and height // 4 <= y < 3 * height // 4
            row += bytes((30, 90, 200) if inside else (255, 255, 255))
        rows.append(bytes(row))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"".join(rows), 9))
        + chunk(b"IEND", b"")
    )


def _wav(seconds: float = 0.25, rate: int = 8000) -> bytes:
    """A short valid WAV: a steady 440 Hz tone, 8-bit mono."""
    import math

    frames = bytes(
        int(128 + 100 * math.sin(2 * math.pi * 440 * i / rate)) for i in range(int(seconds * rate))
    )
    fmt = struct.pack("<HHIIHH", 1, 1, rate, rate, 1, 8)
    body = b"WAVE" + b"fmt " + struct.pack("<I", len(fmt)) + fmt
    body += b"data" + struct.pack("<I", len(frames)) + frames
    return b"RIFF" + struct.pack("<I", len(body)) + body


def _pdf() -> bytes:
    """A minimal valid one-page PDF that reads "Dummy PDF file"."""
    stream = b"BT /F1 24 Tf 72 720 Td (Dummy PDF file) Tj ET"
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length " + str(len(stream)).encode() + b" >>\nstream\n" + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, obj in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + obj + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    for offset in offsets:
        out += f"{offset:010d} 00000 n \n".encode()
    out += (
        f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    )
    return bytes(out)


@route("GET", "/", when=lambda r: _mine(r) and r.host not in _API_HOSTS, priority=10)
def sample_file(req: SynthRequest) -> Answer:
    # WIRE: a plain HTTP GET of a public sample file; small generated stand-ins by extension.
    path = req.path.lower()
    if path.endswith(".pdf"):
        return 200, {"content-type": "application/pdf"}, _pdf()
    if path.endswith(".wav"):
        return 200, {"content-type": "audio/wav"}, _wav()
    if path.endswith((".png", ".jpg", ".jpeg", ".gif", ".webp")):
        return 200, {"content-type": "image/png"}, _png()
    return 404, {"content-type": "text/plain"}, b"Not Found"


IMAGE_DESCRIPTION = "The image shows a simple diagram: a blue square centred on a white background."
AUDIO_DESCRIPTION = "The audio is a short, steady high-pitched tone (about a quarter of a second)."
PDF_DESCRIPTION = 'The document is a one-page PDF whose only text is the title "Dummy PDF file".'


# =============================================================================================
# The neutral view of a request, and the brain.


@dataclass
class Turn:
    role: str  # system | user | assistant | tool
    text: str = ""
    images: int = 0
    audio: int = 0
    files: int = 0
    calls: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    tool_name: str = ""
    reasoning: str | None = None


@dataclass
class Tool:
    name: str
    description: str
    parameters: dict[str, Any]  # JSON schema, lower-case types


@dataclass
class Ask:
    model: str
    turns: list[Turn]
    tools: list[Tool] = field(default_factory=list)
    tool_mode: str = "auto"  # auto | none | required
    allowed: list[str] = field(default_factory=list)
    parallel: bool = True
    schema: dict[str, Any] | None = None
    json_mode: bool = False
    google_search: bool = False
    url_context: bool = False

    @property
    def system(self) -> str:
        return " ".join(t.text for t in self.turns if t.role == "system")

    @property
    def last(self) -> Turn:
        return self.turns[-1] if self.turns else Turn("user")

    @property
    def prompt(self) -> str:
        """The last user text."""
        for turn in reversed(self.turns):
            if turn.role == "user":
                return turn.text
        return ""


@dataclass
class Reply:
    text: str = ""
    thoughts: str = ""
    calls: list[tuple[str, dict[str, Any]]] = field(default_factory=list)


_NUMBER = re.compile(r"-?\d+(?:\.\d+)?")
_QUOTED = re.compile(r"'([^']+)'|\"([^\"]+)\"")
_STOP_WORDS = {"get", "tool", "the", "a", "an", "of", "for", "and", "to", "function", "set"}
_COLORS = ("red", "green", "blue", "purple", "yellow", "orange", "black", "white", "pink")


def _topic(prompt: str) -> str:
    match = re.search(r"\b(?:about|recipe for) ([\w\s-]+?)(?:[.,?!:]|$)", prompt, re.IGNORECASE)
    return match.group(1).strip().lower() if match else ""


def _location(prompt: str) -> str:
    match = re.search(
        r"\b(?:in|at|for|of) ((?:[A-Z][\w'-]*)(?:[ ,]+(?:[A-Z][\w'-]*))*)",
        prompt,
    )
    return match.group(1).strip(" ,") if match else "San Francisco"


def _locations(prompt: str) -> list[str]:
    """Places named in the prompt ("in Hanoi and in Paris", "in Hanoi and Paris")."""
    found = re.findall(r"\b(?:in|and|at) ([A-Z][\w'-]*(?:,? [A-Z][\w'-]*)*)", prompt)
    places = [p.strip(" ,") for p in found if p.strip(" ,") not in ("I", "What")]
    return list(dict.fromkeys(places)) or [_location(prompt)]


def _resolve(schema: dict[str, Any], root: dict[str, Any]) -> dict[str, Any]:
    """Follow ``$ref`` / single-option unions to the schema that matters."""
    for _ in range(20):
        if "$ref" in schema:
            name = schema["$ref"].rsplit("/", 1)[-1]
            target = (root.get("$defs") or root.get("definitions") or {}).get(name, {})
            schema = {**target, **{k: v for k, v in schema.items() if k != "$ref"}}
            continue
        for key in ("anyOf", "oneOf", "allOf"):
            if key in schema:
                options = [o for o in schema[key] if o.get("type") != "null"]
                if options:
                    schema = {**options[0], **{k: v for k, v in schema.items() if k != key}}
                    break
        else:
            kind = schema.get("type")
            if isinstance(kind, list):
                schema = {**schema, "type": next((t for t in kind if t != "null"), "string")}
            return schema
    return schema


class _ArgMaker:
    """Values for a schema, taken from the prompt where it says them."""

    def __init__(self, prompt: str, root: dict[str, Any]) -> None:
        self.prompt = prompt
        self.root = root
        self.numbers = [float(n) for n in _NUMBER.findall(prompt)]
        self.quoted: list[str] = [a or b for a, b in _QUOTED.findall(prompt)]

    def value(self, name: str, schema: dict[str, Any]) -> Any:
        schema = _resolve(schema, self.root)
        kind = str(schema.get("type", "string")).lower()
        if "enum" in schema:
            for option in schema["enum"]:
                if str(option).lower() in self.prompt.lower():
                    return option
            return schema["enum"][0]
        if kind in ("integer", "number"):
            return self._number(schema, integer=kind == "integer")
        if kind == "boolean":
            return True
        if kind == "array":
            item = schema.get("items") or {"type": "string"}
            if name.lower() in ("locations", "cities", "places"):
                return _locations(self.prompt)
            return [self.value(name.rstrip("s"), item)]
        if kind == "object":
            return self.obj(schema)
        return self._string(name)

    def obj(self, schema: dict[str, Any]) -> dict[str, Any]:
        schema = _resolve(schema, self.root)
        props = schema.get("properties") or {}
        order = schema.get("propertyOrdering") or list(props)
        return {name: self.value(name, props[name]) for name in order if name in props}

    def _number(self, schema: dict[str, Any], integer: bool) -> float | int:
        low = schema.get("minimum", schema.get("exclusiveMinimum"))
        high = schema.get("maximum", schema.get("exclusiveMaximum"))
        value = self.numbers.pop(0) if self.numbers else 1.0
        if low is not None and value < low:
            value = float(low) + (1 if "exclusiveMinimum" in schema else 0)
        if high is not None and value > high:
            value = float(high) - (1 if "exclusiveMaximum" in schema else 0)
        return int(value) if integer or value.is_integer() else value

    def _string(self, name: str) -> str:
        key = name.lower()
        prompt = self.prompt
        if key == "city":
            return _location(prompt).split(", ")[0]
        if any(w in key for w in ("location", "city", "place", "address")):
            return _location(prompt)
        if "color" in key or "colour" in key:
            return next((c for c in _COLORS if c in prompt.lower()), "purple")
        if "style" in key:
            words = re.findall(r"(?<!^)(?<![.!?] )\b([A-Z][a-z]+)\b", prompt)
            return words[-1].lower() if words else "friendly"
        if "description" in key or key in ("details", "notes"):
            match = re.search(r"\)?\s+-\s+(.+?)\.?$", prompt)
            return match.group(1).strip() if match else prompt.strip()
        if self.quoted and ("name" in key or key in ("title", "label", "company")):
            return self.quoted.pop(0)
        if key in ("query", "question", "q", "search", "text", "input", "prompt", "message"):
            return prompt.strip()
        if key == "nickname":
            return "Ally"
        if key == "country":
            place = _location(prompt)
            return place.rsplit(", ", 1)[-1] if ", " in place else "Vietnam"
        if "email" in key:
            return "alice@example.com"
        if "name" in key:
            return self.quoted.pop(0) if self.quoted else "Alice"
        if self.quoted:
            return self.quoted.pop(0)
        return _topic(prompt) or prompt.strip()[:60]


# -- structured answers -----------------------------------------------------------------------

_JOKES = {
    "cats": ("Why was the cat sitting on the computer?", "To keep an eye on the mouse!"),
    "dogs": ("Why did the dog sit in the shade?", "Because he didn't want to be a hot dog!"),
    "": ("Why don't scientists trust atoms?", "Because they make up everything!"),
}


def _joke(prompt: str) -> tuple[str, str]:
    topic = _topic(prompt)
    for key, joke in _JOKES.items():
        if key and key in topic:
            return joke
    return _JOKES[""]


class _JsonMaker(_ArgMaker):
    """JSON for a response schema: the answer itself, shaped as asked."""

    def value(self, name: str, schema: dict[str, Any]) -> Any:
        resolved = _resolve(schema, self.root)
        key = name.lower()
        kind = str(resolved.get("type", "string")).lower()
        if kind == "string" and "enum" not in resolved:
            topic = _topic(self.prompt)
            if key in ("name", "title", "label") and topic and not self.quoted:
                # e.g. the nodes of "a small tree about cats": "Cats", "Cats 2", ...
                return topic.capitalize() + (f" {self.depth}" if self.depth > 1 else "")
            if key in ("conditions", "summary") and self.facts:
                return self.facts.split(",")[0].strip(" .")  # "Sunny, 31 degrees C" -> "Sunny"
            setup, punchline = _joke(self.prompt)
            if key == "setup":
                return setup
            if key == "punchline":
                return punchline
            if key in ("answer", "result", "response"):
                return _text_reply(Ask(model="", turns=[Turn("user", self.prompt)]))
            if key in ("summary", "explanation", "reasoning"):
                return f"A short answer about {_topic(self.prompt) or 'the question'}."
        if kind in ("integer", "number") and key == "age":
            return 30
        if kind in ("integer", "number") and key in ("rating", "score", "stars"):
            return 4
        if kind == "array" and self.depth > 2:
            return []
        return super().value(name, resolved)

    depth = 0
    #: what the tools answered, when the answer follows tool results
    facts = ""

    def obj(self, schema: dict[str, Any]) -> dict[str, Any]:
        schema = _resolve(schema, self.root)
        props = schema.get("properties") or {}
        required = set(schema.get("required") or props)
        self.depth += 1
        try:
            return self._fill(schema, props, required)
        finally:
            self.depth -= 1

    def _fill(
        self, schema: dict[str, Any], props: dict[str, Any], required: set[str]
    ) -> dict[str, Any]:
        order = schema.get("propertyOrdering") or list(props)
        out: dict[str, Any] = {}
        for name in order:
            if name not in props:
                continue
            asked_without = re.search(rf"\bno {re.escape(name)}\b", self.prompt, re.IGNORECASE)
            if name not in required and (asked_without or self.depth > 2):
                continue
            out[name] = self.value(name, props[name])
        return out


def _json_answer(ask: Ask, facts: str = "") -> str:
    if ask.schema is not None:
        # the facts come after the prompt, so numbers the tools gave are taken after the user's
        maker = _JsonMaker(f"{ask.prompt}\n{facts}" if facts else ask.prompt, ask.schema)
        maker.facts = facts
        schema = _resolve(ask.schema, ask.schema)
        kind = str(schema.get("type", "object")).lower()
        if kind == "array":
            value: Any = [maker.value("item", schema.get("items") or {}) for _ in range(2)]
        else:
            value = maker.obj(schema)
        return json.dumps(value, ensure_ascii=False, indent=2)
    # JSON mode: the keys the prompt asks for.
    keys = [a or b for a, b in _QUOTED.findall(ask.prompt)]
    maker = _JsonMaker(ask.prompt, {})
    if not keys:
        keys = ["answer"]
    return json.dumps({k: maker.value(k, {"type": "string"}) for k in keys}, ensure_ascii=False)


# -- tool calls -------------------------------------------------------------------------------


def _score(tool: Tool, prompt: str) -> float:
    text = prompt.lower()
    if tool.name.lower() in text:
        return 10.0
    words = [
        w.lower()
        for w in re.findall(r"[A-Z]?[a-z]+|[A-Z]+(?![a-z])|\d+", tool.name)
        if w.lower() not in _STOP_WORDS
    ]
    score = sum(2.0 for w in words if w in text)
    described = {w for w in re.findall(r"[a-z]{4,}", tool.description.lower())}
    score += 0.5 * sum(1 for w in described if w in text and w not in ("tool", "with", "that"))
    return score


def _wants_tool(prompt: str) -> bool:
    return bool(re.search(r"\b(use|using|call) (the|a|your) tools?\b|\btool\b", prompt, re.I))


def _tool_calls(ask: Ask) -> list[tuple[str, dict[str, Any]]]:
    """The calls to make now, or none."""
    if not ask.tools or ask.tool_mode == "none" or ask.last.role not in ("user",):
        return []
    candidates = [t for t in ask.tools if not ask.allowed or t.name in ask.allowed]
    if not candidates:
        return []
    prompt = ask.prompt
    ranked = sorted(candidates, key=lambda t: -_score(t, prompt))
    best = ranked[0]
    forced = ask.tool_mode == "required" or bool(ask.allowed)
    if not forced and _score(best, prompt) < 2 and not _wants_tool(prompt):
        return []
    props = _resolve(best.parameters, best.parameters).get("properties") or {}
    place_keys = [k for k in props if any(w in k.lower() for w in ("location", "city"))]
    if place_keys and ask.parallel and len(_locations(prompt)) > 1:
        calls = []
        for place in _locations(prompt):
            args = _JsonMaker(prompt, best.parameters).obj(best.parameters)
            args[place_keys[0]] = place
            calls.append((best.name, args))
        return calls
    return [(best.name, _JsonMaker(prompt, best.parameters).obj(best.parameters))]


def _tool_results(ask: Ask) -> list[Turn]:
    """The tool results at the end of the conversation."""
    results: list[Turn] = []
    for turn in reversed(ask.turns):
        if turn.role != "tool":
            break
        results.insert(0, turn)
    return results


def _after_tools(ask: Ask) -> str:
    """An answer from the tool results at the end of the conversation."""
    results = _tool_results(ask)
    calls: dict[str, dict[str, Any]] = {}
    for turn in ask.turns:
        for name, args in turn.calls:
            calls[name] = args
    sentences = []
    for result in results:
        name, content = result.tool_name, result.text.strip()
        args = calls.get(name, {})
        if result.images:
            sentences.append(f"The {name} tool returned an image. {IMAGE_DESCRIPTION}")
        elif result.files:
            sentences.append(f'The {name} tool returned a PDF titled "Dummy PDF file".')
        elif content.lower().startswith("error"):
            detail = content.split(":", 1)[-1].strip()
            sentences.append(
                f"The {name} call failed ({detail}). Could you give me the missing value?"
            )
        elif "weather" in name.lower():
            place = next(iter(args.values()), "there") if args else "there"
            sentences.append(f"The weather in {place}: {content.rstrip('.')}.")
        elif name == "magic_function" and "input" in args:
            sentences.append(f"The value of magic_function({args['input']}) is {content}.")
        else:
            try:
                parsed = json.loads(content)
            except ValueError:
                parsed = content
            if isinstance(parsed, dict) and "result" in parsed:
                parsed = parsed["result"]
            if isinstance(parsed, str) and not _NUMBER.fullmatch(parsed):
                sentences.append(f'The {name} tool says: "{parsed}"')
            else:
                sentences.append(f"The {name} tool returned {json.dumps(parsed)}.")
    return " ".join(sentences) or "Done."


# -- plain text -------------------------------------------------------------------------------

HAIKUS = (
    "Morning light spills gold\nacross the quiet river\na heron takes wing\n\n"
    "Autumn wind whispers\nthrough the branches, bare and thin\nleaves dance to the ground"
)
CAT_STORY = (
    "Once upon a time, a small grey cat named Pepper lived above a bakery. Every morning she "
    "followed the smell of warm bread down the stairs, and every morning the baker pretended "
    "not to see her steal a crumb. One winter night the oven failed, and Pepper's meowing woke "
    "the baker just in time to fix it before dawn. From then on, Pepper had her own cushion by "
    "the ovens, and the bakery had its first official guardian."
)
_FACTS = {
    r"capital of france": "The capital of France is Paris.",
    r"capital of vietnam": "The capital of Vietnam is Hanoi.",
    r"euro 2024|euro 2024|uefa euro": (
        "Spain won UEFA Euro 2024, beating England 2-1 in the final in Berlin on 14 July 2024."
    ),
    r"largest planet": "Jupiter is the largest planet in the Solar System.",
    r"how does ai work": (
        "AI systems learn patterns from data: a model is trained on many examples, adjusting its "
        "internal parameters to reduce its errors, and then uses what it learned to make "
        "predictions on new inputs."
    ),
}


def _arithmetic(prompt: str) -> str | None:
    match = re.search(r"(-?\d+)\s*([*x\u00d7+\-/])\s*(-?\d+)", prompt)
    if not match:
        return None
    a, op, b = int(match.group(1)), match.group(2), int(match.group(3))
    result: float | None = {"*": a * b, "x": a * b, "\u00d7": a * b, "+": a + b, "-": a - b}.get(op)
    if result is None:
        result = a // b if b and a % b == 0 else round(a / b, 4) if b else 0
    return f"{a} {op} {b} = {result}."


def _text_reply(ask: Ask, variant: int = 0) -> str:
    prompt = ask.prompt.strip()
    low = prompt.lower()
    system = ask.system.lower()
    history = " ".join(t.text for t in ask.turns[:-1])
    last = ask.last
    if last.images:
        return IMAGE_DESCRIPTION
    if last.audio:
        return AUDIO_DESCRIPTION
    if last.files:
        return PDF_DESCRIPTION
    if "translate" in system and "french" in system:
        return {"i love programming.": "J'adore la programmation."}.get(low, f"« {prompt} »")
    name = re.search(r"my name is (\w+)", history, re.IGNORECASE)
    if name and re.search(r"what('s| is) my name", low):
        return f"Your name is {name.group(1)}."
    count = re.search(r"count from (\d+) to (\d+)", low)
    if count:
        start, end = int(count.group(1)), int(count.group(2))
        return ", ".join(str(i) for i in range(start, end + 1))
    sum_ = _arithmetic(prompt)
    if sum_ and ("what is" in low or "calculate" in low or "compute" in low):
        return sum_
    for pattern, fact in _FACTS.items():
        if re.search(pattern, low):
            return fact
    if "weather" in low:
        return (
            f"I can't check live weather, but {_location(prompt)} is usually mild this time of "
            "year. A weather service will give you the current conditions."
        )
    if "haiku" in low:
        return HAIKUS
    if "story" in low:
        return CAT_STORY
    if "joke" in low:
        setup, punchline = _joke(prompt)
        return f"{setup} {punchline}"
    if "french" in system and re.match(r"^(hello|hi|hey)\b", low):
        return "Bonjour ! Comment puis-je vous aider aujourd'hui ?"
    if "pirate" in system:
        return "Ahoy, matey! What can this old sea dog do for ye today?"
    if "how are you" in low:
        return "I'm doing well, thank you for asking! How can I help you today?"
    if re.match(r"^(well,? )?thanks?\b|^well, thanks", low):
        return "Glad to hear it! Is there anything I can help you with today?"
    if re.match(r"^(hello|hi|hey|good (morning|afternoon|evening))\b", low) or not low:
        greetings = (
            "Hello! How can I help you today?",
            "Hi there! What can I do for you today?",
            "Hey! How can I assist you today?",
        )
        return greetings[variant % len(greetings)]
    if "one word" in system or "one word" in low:
        return "Yes."
    return (
        "Thanks for your message! Could you tell me a bit more about what you would like to "
        "know, so I can give you a useful answer?"
    )


def _thoughts(ask: Ask, reply: Reply) -> str:
    if reply.calls:
        name, args = reply.calls[0]
        return (
            "**Choosing a tool**\n\nThe user wants something the "
            f"`{name}` tool can answer, so I'll call it with "
            f"{json.dumps(args, ensure_ascii=False)}."
        )
    if ask.last.role == "tool":
        return "**Reading the tool result**\n\nThe tool answered; I'll relay its result clearly."
    if ask.schema is not None or ask.json_mode:
        return "**Structuring the answer**\n\nI'll answer with JSON matching the requested shape."
    sum_ = _arithmetic(ask.prompt)
    if sum_:
        return f"**Calculating**\n\nI need to work out {sum_.split('=')[0].strip()}: {sum_}"
    return (
        "**Understanding the request**\n\nThe user wrote "
        f'"{ask.prompt[:80]}". I\'ll answer directly and helpfully.'
    )


def _think(ask: Ask, variant: int = 0) -> Reply:
    reply = Reply()
    reply.calls = _tool_calls(ask)
    if reply.calls:
        reply.text = ""
    elif ask.last.role == "tool" and ask.schema is not None:
        # a response schema: the answer is JSON built from what the tools said
        reply.text = _json_answer(ask, " ".join(t.text.strip() for t in _tool_results(ask)))
    elif ask.last.role == "tool":
        reply.text = _after_tools(ask)
    elif ask.schema is not None or ask.json_mode:
        reply.text = _json_answer(ask)
    else:
        reply.text = _text_reply(ask, variant)
    reply.thoughts = _thoughts(ask, reply)
    return reply


def _cut_at_stop(text: str, stops: list[str]) -> tuple[str, bool]:
    cut = min((text.find(s) for s in stops if s and s in text), default=-1)
    return (text[:cut], True) if cut >= 0 else (text, False)


def _truncate_tokens(text: str, limit: int) -> str:
    pieces = re.findall(r"\s*(?:[\u3040-\u30ff\u4e00-\u9fff]|[A-Za-z0-9_']+|[^\sA-Za-z0-9_])", text)
    return "".join(pieces[:limit])


#: Prompts seen per test (implicit prompt caching of long prefixes).
_CACHE: set[tuple[str, str]] = set()


def _cached(req: SynthRequest, prefix: str, prompt_tokens: int) -> int:
    """Cached prompt tokens: a >=1024-token prefix seen before in the same test is a cache hit."""
    if prompt_tokens < 1024:
        return 0
    key = (req.nodeid, hashlib.sha256(prefix.encode()).hexdigest())
    if key in _CACHE:
        return (prompt_tokens // 128) * 128 if prompt_tokens >= 1024 else 0
    _CACHE.add(key)
    return 0


def _error(status: int, message: str, kind: str, code: str | None, **headers: str) -> Answer:
    # WIRE: OpenAI error object, as YEScale's gateway relays it.
    return as_json(
        {"error": {"message": message, "type": kind, "param": None, "code": code}}, status, headers
    )


def _bad_key(req: SynthRequest) -> bool:
    auth = req.headers.get("authorization", "") or req.headers.get("x-goog-api-key", "")
    return "invalid" in auth


# =============================================================================================
# OpenAI format: /v1/chat/completions


def _openai_content(content: Any) -> tuple[str, int, int, int]:
    if content is None:
        return "", 0, 0, 0
    if isinstance(content, str):
        return content, 0, 0, 0
    texts, images, audio, files = [], 0, 0, 0
    for part in content:
        kind = part.get("type") if isinstance(part, dict) else "text"
        if kind == "text":
            texts.append(part.get("text", "") if isinstance(part, dict) else str(part))
        elif kind == "image_url":
            images += 1
        elif kind == "input_audio":
            audio += 1
        elif kind == "file":
            files += 1
        else:
            raise ValueError(f"Invalid content part type: {kind!r}")
    return "\n".join(texts), images, audio, files


def _openai_ask(body: dict[str, Any]) -> Ask:
    turns: list[Turn] = []
    names: dict[str, str] = {}
    for message in body.get("messages", []):
        role = message.get("role")
        text, images, audio, files = _openai_content(message.get("content"))
        turn = Turn(
            role="system" if role == "developer" else role,
            text=text,
            images=images,
            audio=audio,
            files=files,
        )
        for call in message.get("tool_calls") or []:
            fn = call.get("function", {})
            try:
                args = json.loads(fn.get("arguments") or "{}")
            except ValueError:
                args = {}
            names[call.get("id", "")] = fn.get("name", "")
            turn.calls.append((fn.get("name", ""), args))
        turn.reasoning = message.get("reasoning_content")
        if role == "tool":
            turn.tool_name = names.get(message.get("tool_call_id", ""), "tool")
        turns.append(turn)
    tools = [
        Tool(
            name=t["function"]["name"],
            description=t["function"].get("description", ""),
            parameters=t["function"].get("parameters") or {"type": "object", "properties": {}},
        )
        for t in body.get("tools") or []
        if t.get("type") == "function"
    ]
    ask = Ask(model=body.get("model", ""), turns=turns, tools=tools)
    choice = body.get("tool_choice")
    if isinstance(choice, dict):
        ask.allowed = [choice.get("function", {}).get("name", "")]
        ask.tool_mode = "required"
    elif choice in ("none", "required", "auto"):
        ask.tool_mode = choice
    ask.parallel = body.get("parallel_tool_calls", True) is not False
    fmt = body.get("response_format") or {}
    if fmt.get("type") == "json_schema":
        ask.schema = fmt.get("json_schema", {}).get("schema") or {}
    elif fmt.get("type") == "json_object":
        ask.json_mode = True
    return ask


_DATED = {
    "gpt-4o-mini": "gpt-4o-mini-2024-07-18",
    "gpt-4o": "gpt-4o-2024-08-06",
    "o4-mini": "o4-mini-2025-04-16",
    "o3-mini": "o3-mini-2025-01-31",
    "o1": "o1-2024-12-17",
}
_CONTEXT = {"gpt-4": 8192, "gpt-3.5-turbo": 16385}
_REASONING_TOKENS = {"minimal": 0, "low": 64, "medium": 192, "high": 448}


def _is_o_series(model: str) -> bool:
    return bool(re.match(r"^(o\d|gpt-5)", model))


def _openai_checks(body: dict[str, Any], ask: Ask, prompt_tokens: int) -> Answer | None:
    """What the real upstream rejects (OpenAI's / DeepSeek's error texts)."""
    model = ask.model
    if _is_o_series(model):
        if "max_tokens" in body:
            return _error(
                400,
                "Unsupported parameter: 'max_tokens' is not supported with this model. "
                "Use 'max_completion_tokens' instead.",
                "invalid_request_error",
                "unsupported_parameter",
            )
        if body.get("temperature") not in (None, 1, 1.0):
            return _error(
                400,
                f"Unsupported value: 'temperature' does not support {body['temperature']} with "
                "this model. Only the default (1) value is supported.",
                "invalid_request_error",
                "unsupported_value",
            )
    if model.startswith("o1") and "parallel_tool_calls" in body:
        return _error(
            400,
            "Unsupported parameter: 'parallel_tool_calls' is not supported with this model.",
            "invalid_request_error",
            "unsupported_parameter",
        )
    if model.startswith(("claude", "deepseek")) and body.get("response_format", {}).get("type") in (
        "json_schema",
    ):
        return _error(
            400,
            f"response_format type json_schema is not supported by model {model}",
            "invalid_request_error",
            "invalid_parameter",
        )
    fmt = body.get("response_format") or {}
    spec = fmt.get("json_schema") or {}
    if fmt.get("type") == "json_schema" and spec.get("strict"):
        problem = _strict_problem(spec.get("schema") or {}, "()")
        if problem:
            return _error(
                400,
                f"Invalid schema for response_format '{spec.get('name')}': {problem}",
                "invalid_request_error",
                "invalid_json_schema",
            )
    if model.startswith("gemini-3"):
        for i, message in enumerate(body.get("messages", [])):
            for call in message.get("tool_calls") or []:
                if not (call.get("extra_content") or {}).get("google", {}).get("thought_signature"):
                    return _error(
                        400,
                        "Function call is missing a thought_signature in functionCall parts. "
                        "This is required for tools to work correctly, and missing "
                        "thought_signature may lead to degraded model performance. Additional "
                        f"data, function call `default_api:{call.get('function', {}).get('name')}`"
                        f" , position {i + 1}. Please refer to "
                        "https://ai.google.dev/gemini-api/docs/thought-signatures for more "
                        "details.",
                        "invalid_request_error",
                        "invalid_argument",
                    )
                break
    if model == "deepseek-reasoner":
        for i, message in enumerate(body.get("messages", [])):
            if (
                message.get("role") == "assistant"
                and message.get("tool_calls")
                and not message.get("reasoning_content")
            ):
                return _error(
                    400,
                    f"Missing `reasoning_content` field in the assistant message at message "
                    f"index {i}. For more information, please refer to "
                    "https://api-docs.deepseek.com/guides/thinking_mode#tool-calls",
                    "invalid_request_error",
                    "invalid_request_error",
                )
    window = _CONTEXT.get(model)
    completion = body.get("max_tokens") or body.get("max_completion_tokens") or 0
    if window and prompt_tokens + completion > window:
        return _error(
            400,
            f"This model's maximum context length is {window} tokens. However, you requested "
            f"{prompt_tokens + completion} tokens ({prompt_tokens} in the messages, {completion} "
            "in the completion). Please reduce the length of the messages or completion.",
            "invalid_request_error",
            "context_length_exceeded",
        )
    return None


def _strict_problem(schema: dict[str, Any], context: str) -> str | None:
    """OpenAI's strict-mode rules: closed objects, every property required."""
    kind = schema.get("type")
    if kind == "object" or "properties" in schema:
        if schema.get("additionalProperties") is not False:
            return (
                f"In context={context}, 'additionalProperties' is required to be supplied and "
                "to be false."
            )
        props = schema.get("properties") or {}
        missing = [p for p in props if p not in (schema.get("required") or [])]
        if missing:
            return (
                f"In context={context}, 'required' is required to be supplied and to be an "
                f"array including every key in properties. Missing '{missing[0]}'."
            )
        for name, sub in props.items():
            problem = _strict_problem(sub, f"('properties', '{name}')")
            if problem:
                return problem
    for key in ("anyOf", "items"):
        subs = schema.get(key)
        for sub in subs if isinstance(subs, list) else [subs] if subs else []:
            problem = _strict_problem(sub, f"{context}, '{key}'")
            if problem:
                return problem
    for name, sub in (schema.get("$defs") or {}).items():
        problem = _strict_problem(sub, f"('$defs', '{name}')")
        if problem:
            return problem
    return None


def _prompt_tokens_openai(body: dict[str, Any], ask: Ask) -> int:
    count = 3
    for turn in ask.turns:
        count += 4 + tokens(turn.text) + tokens(json.dumps([c[1] for c in turn.calls]))
        count += turn.images * (2833 if "mini" in ask.model else 255) + turn.audio * 50
        count += turn.files * 258
    for tool in ask.tools:
        count += 8 + tokens(tool.name) + tokens(tool.description)
        count += tokens(json.dumps(tool.parameters))
    if ask.schema is not None:
        count += tokens(json.dumps(ask.schema))
    return count


def _logprobs(text: str, top: int) -> list[dict[str, Any]]:
    pieces = re.findall(r"\s*\S+", text) or [text]
    out = []
    for i, piece in enumerate(pieces):
        logprob = -round(0.0005 + (i % 5) * 0.0371, 6)
        entry: dict[str, Any] = {
            "token": piece,
            "logprob": logprob,
            "bytes": list(piece.encode()),
            "top_logprobs": [],
        }
        for j in range(top):
            alt = piece if j == 0 else f"{piece.strip()}{'!' * j}"
            entry["top_logprobs"].append(
                {"token": alt, "logprob": logprob - 2.3 * j, "bytes": list(alt.encode())}
            )
        out.append(entry)
    return out


@route("POST", "/v1/chat/completions", when=_mine_api, priority=10)
def openai_chat(req: SynthRequest) -> Answer:
    # WIRE: OpenAI format (chat.completion / chat.completion.chunk), derived from the request.
    body = req.json()
    if _bad_key(req):
        return _error(
            401, "Invalid token (request id: 20251123063200abc)", "new_api_error", "invalid_api_key"
        )
    if "rate_limit_error" in req.nodeid:
        return _error(
            429,
            "Rate limit reached for gpt-4o-mini in organization org-yescale on requests per min "
            "(RPM): Limit 3, Used 3, Requested 1. Please try again in 20s.",
            "requests",
            "rate_limit_exceeded",
            **{"retry-after": "20"},
        )
    seed = _next_seed(req)
    try:
        ask = _openai_ask(body)
    except ValueError as exc:
        return _error(400, str(exc), "invalid_request_error", "invalid_value")
    model = ask.model
    prompt_tokens = _prompt_tokens_openai(body, ask)
    rejected = _openai_checks(body, ask, prompt_tokens)
    if rejected is not None:
        return rejected
    n = int(body.get("n") or 1)
    stops = body.get("stop") or []
    stops = [stops] if isinstance(stops, str) else list(stops)
    limit = body.get("max_completion_tokens") or body.get("max_tokens")
    deepseek_thinking = model == "deepseek-reasoner"
    reasoning_tokens = 0
    if _is_o_series(model):
        reasoning_tokens = _REASONING_TOKENS.get(body.get("reasoning_effort") or "medium", 192)
    choices = []
    completion_tokens = 0
    for i in range(n):
        reply = _think(ask, variant=i)
        text, stopped = _cut_at_stop(reply.text, stops)
        finish = "tool_calls" if reply.calls else "stop"
        if limit and not reply.calls and tokens(text) > limit - reasoning_tokens:
            text = _truncate_tokens(text, max(0, limit - reasoning_tokens))
            finish = "length"
        message: dict[str, Any] = {
            "role": "assistant",
            "content": text if not reply.calls else None,
            "refusal": None,
        }
        if deepseek_thinking:
            message["reasoning_content"] = reply.thoughts.split("\n\n", 1)[-1]
            reasoning_tokens += tokens(message["reasoning_content"])
        if reply.calls:
            message["tool_calls"] = [
                {
                    "id": "call_" + _alnum_id(f"{seed}/{i}/{j}"),
                    "type": "function",
                    "function": {"name": name, "arguments": json.dumps(args, ensure_ascii=False)},
                }
                for j, (name, args) in enumerate(reply.calls)
            ]
            if model.startswith("gemini"):
                # Gemini's OpenAI endpoint: the thought signature rides on the first call.
                message["tool_calls"][0]["extra_content"] = {
                    "google": {"thought_signature": _signature(seed)}
                }
            if "invalid_tool" in req.nodeid:
                # Models do sometimes stop mid-arguments: cut the JSON short.
                arguments = message["tool_calls"][0]["function"]["arguments"]
                message["tool_calls"][0]["function"]["arguments"] = arguments[:-3]
            completion_tokens += sum(8 + tokens(json.dumps(a)) for _, a in reply.calls)
        completion_tokens += tokens(text)
        choice: dict[str, Any] = {
            "index": i,
            "message": message,
            "logprobs": None,
            "finish_reason": finish,
        }
        if body.get("logprobs"):
            choice["logprobs"] = {
                "content": _logprobs(text, int(body.get("top_logprobs") or 0)),
                "refusal": None,
            }
        del stopped
        choices.append(choice)
    completion_tokens += reasoning_tokens
    prefix = json.dumps(body.get("messages", [])[:-1]) + json.dumps(body.get("tools"))
    cached = _cached(req, prefix, prompt_tokens)
    usage: dict[str, Any] = {
        "prompt_tokens": prompt_tokens,
        "completion_tokens": completion_tokens,
        "total_tokens": prompt_tokens + completion_tokens,
    }
    if model.startswith(("gpt", "o1", "o3", "o4", "chatgpt")):
        usage["prompt_tokens_details"] = {"cached_tokens": cached, "audio_tokens": 0}
        usage["completion_tokens_details"] = {
            "reasoning_tokens": reasoning_tokens,
            "audio_tokens": 0,
            "accepted_prediction_tokens": 0,
            "rejected_prediction_tokens": 0,
        }
    elif model.startswith("deepseek"):
        usage["prompt_tokens_details"] = {"cached_tokens": cached}
        usage["prompt_cache_hit_tokens"] = cached
        usage["prompt_cache_miss_tokens"] = prompt_tokens - cached
        if deepseek_thinking:
            usage["completion_tokens_details"] = {"reasoning_tokens": reasoning_tokens}
    completion_id = "chatcmpl-" + _alnum_id(seed, 29)
    shown_model = _DATED.get(model, model)
    fingerprint = "fp_" + _digest(model, body.get("seed"), size=10)
    if body.get("stream"):
        include_usage = bool((body.get("stream_options") or {}).get("include_usage"))
        return _openai_stream(
            completion_id, shown_model, fingerprint, choices, usage if include_usage else None
        )
    return as_json(
        {
            "id": completion_id,
            "object": "chat.completion",
            "created": _CREATED,
            "model": shown_model,
            "choices": choices,
            "usage": usage,
            "service_tier": "default",
            "system_fingerprint": fingerprint,
        }
    )


def _openai_stream(
    completion_id: str,
    model: str,
    fingerprint: str,
    choices: list[dict[str, Any]],
    usage: dict[str, Any] | None,
) -> Answer:
    # WIRE: OpenAI format, chat.completion.chunk events then "data: [DONE]".
    def event(index: int, delta: dict[str, Any], finish: str | None = None, **extra: Any) -> Any:
        return {
            "id": completion_id,
            "object": "chat.completion.chunk",
            "created": _CREATED,
            "model": model,
            "system_fingerprint": fingerprint,
            "choices": [
                {
                    "index": index,
                    "delta": delta,
                    "logprobs": extra.get("logprobs"),
                    "finish_reason": finish,
                }
            ],
        }

    events: list[Any] = []
    for choice in choices:
        i = choice["index"]
        message = choice["message"]
        events.append(event(i, {"role": "assistant", "content": "", "refusal": None}))
        reasoning = message.get("reasoning_content")
        if reasoning:
            for piece in re.findall(r"\s*\S+", reasoning):
                events.append(event(i, {"content": None, "reasoning_content": piece}))
        logprobs = (choice.get("logprobs") or {}).get("content") or []
        pieces = re.findall(r"\s*\S+", message.get("content") or "")
        for k, piece in enumerate(pieces):
            extra: dict[str, Any] = {}
            if logprobs:
                extra["logprobs"] = {"content": logprobs[k : k + 1], "refusal": None}
            events.append(event(i, {"content": piece}, **extra))
        for j, call in enumerate(message.get("tool_calls") or []):
            events.append(
                event(
                    i,
                    {
                        "tool_calls": [
                            {
                                "index": j,
                                "id": call["id"],
                                "type": "function",
                                "function": {"name": call["function"]["name"], "arguments": ""},
                                **(
                                    {"extra_content": call["extra_content"]}
                                    if "extra_content" in call
                                    else {}
                                ),
                            }
                        ]
                    },
                )
            )
            arguments = call["function"]["arguments"]
            for start in range(0, len(arguments), 7):
                events.append(
                    event(
                        i,
                        {
                            "tool_calls": [
                                {
                                    "index": j,
                                    "function": {"arguments": arguments[start : start + 7]},
                                }
                            ]
                        },
                    )
                )
        events.append(event(i, {}, choice["finish_reason"]))
    if usage is not None:
        events.append(
            {
                "id": completion_id,
                "object": "chat.completion.chunk",
                "created": _CREATED,
                "model": model,
                "system_fingerprint": fingerprint,
                "choices": [],
                "usage": usage,
            }
        )
    lines = [f"data: {json.dumps(e, ensure_ascii=False)}\n\n" for e in events]
    lines.append("data: [DONE]\n\n")
    return 200, {"content-type": "text/event-stream"}, "".join(lines).encode()


# =============================================================================================
# Gemini format: /v1beta/models/{model}:generateContent and :streamGenerateContent?alt=sse

#: Gemini ``Schema`` fields (OpenAPI subset); anything else is "Unknown name" to the API.
_GEMINI_SCHEMA_KEYS = {
    "type",
    "format",
    "title",
    "description",
    "nullable",
    "enum",
    "maxItems",
    "minItems",
    "properties",
    "required",
    "minProperties",
    "maxProperties",
    "minLength",
    "maxLength",
    "pattern",
    "example",
    "anyOf",
    "propertyOrdering",
    "default",
    "items",
    "minimum",
    "maximum",
}
_GEMINI_TYPES = {"STRING", "NUMBER", "INTEGER", "BOOLEAN", "ARRAY", "OBJECT", "NULL"}


def _gemini_schema_problem(schema: Any, where: str) -> str | None:
    if not isinstance(schema, dict):
        return f"Invalid value at '{where}', expected an object"
    for key, value in schema.items():
        if key not in _GEMINI_SCHEMA_KEYS:
            return f"Unknown name \"{key}\" at '{where}': Cannot find field."
        if key == "type" and value not in _GEMINI_TYPES:
            return (
                f"Invalid value at '{where}.type' "
                f'(type.googleapis.com/google.ai.generativelanguage.v1beta.Type), "{value}"'
            )
    for name, sub in (schema.get("properties") or {}).items():
        problem = _gemini_schema_problem(sub, f"{where}.properties[{name}].value")
        if problem:
            return problem
    if "items" in schema:
        problem = _gemini_schema_problem(schema["items"], f"{where}.items")
        if problem:
            return problem
    for i, sub in enumerate(schema.get("anyOf") or []):
        problem = _gemini_schema_problem(sub, f"{where}.any_of[{i}]")
        if problem:
            return problem
    if schema.get("type") == "OBJECT" and schema.get("properties") is not None:
        missing = [r for r in schema.get("required", []) if r not in schema["properties"]]
        if missing:
            return f"{where}.required[0]: property is not defined"
    return None


def _lower_schema(schema: Any) -> Any:
    """A Gemini schema as a JSON schema (lower-case types) for the brain."""
    if isinstance(schema, list):
        return [_lower_schema(s) for s in schema]
    if not isinstance(schema, dict):
        return schema
    out = {k: _lower_schema(v) for k, v in schema.items()}
    if isinstance(out.get("type"), str):
        out["type"] = out["type"].lower()
    if isinstance(schema.get("properties"), dict):
        out["properties"] = {k: _lower_schema(v) for k, v in schema["properties"].items()}
    return out


def _gemini_error(status: int, message: str, state: str) -> Answer:
    # WIRE: Gemini format error (google.rpc.Status), as YEScale relays it.
    return as_json({"error": {"code": status, "message": message, "status": state}}, status)


def _gemini_parts(parts: list[dict[str, Any]]) -> Turn:
    turn = Turn("user")
    texts = []
    for part in parts:
        if "text" in part and not part.get("thought"):
            texts.append(part["text"])
        data = part.get("inlineData") or part.get("fileData") or {}
        mime = str(data.get("mimeType", ""))
        if mime.startswith("image/"):
            turn.images += 1
        elif mime.startswith("audio/"):
            turn.audio += 1
        elif mime:
            turn.files += 1
        if "functionCall" in part:
            turn.calls.append(
                (part["functionCall"].get("name", ""), part["functionCall"].get("args") or {})
            )
    turn.text = "\n".join(texts)
    return turn


def _gemini_ask(model: str, body: dict[str, Any]) -> tuple[Ask, list[str]]:
    """The neutral view, and the URLs named in the prompt (for url_context)."""
    turns: list[Turn] = []
    system = body.get("systemInstruction") or body.get("system_instruction")
    if system:
        turns.append(
            Turn("system", text=" ".join(p.get("text", "") for p in system.get("parts", [])))
        )
    for content in body.get("contents", []):
        parts = content.get("parts", [])
        responses = [p["functionResponse"] for p in parts if "functionResponse" in p]
        if responses:
            for response in responses:
                result = response.get("response", {})
                text = result.get("result") if set(result) == {"result"} else result
                turns.append(
                    Turn(
                        "tool",
                        text=text if isinstance(text, str) else json.dumps(text),
                        tool_name=response.get("name", ""),
                    )
                )
            rest = [p for p in parts if "functionResponse" not in p]
            if rest:
                tool_turn = turns[-1]
                extra = _gemini_parts(rest)
                tool_turn.images += extra.images
                tool_turn.files += extra.files
            continue
        turn = _gemini_parts(parts)
        turn.role = "assistant" if content.get("role") == "model" else "user"
        turns.append(turn)
    ask = Ask(model=model, turns=turns)
    for tool in body.get("tools") or []:
        for decl in tool.get("functionDeclarations") or tool.get("function_declarations") or []:
            params = decl.get("parametersJsonSchema") or _lower_schema(decl.get("parameters") or {})
            ask.tools.append(
                Tool(decl["name"], decl.get("description", ""), params or {"type": "object"})
            )
        if "googleSearch" in tool or "google_search" in tool:
            ask.google_search = True
        if "urlContext" in tool or "url_context" in tool:
            ask.url_context = True
    config = (body.get("toolConfig") or {}).get("functionCallingConfig") or {}
    mode = str(config.get("mode", "AUTO")).upper()
    ask.tool_mode = {"ANY": "required", "NONE": "none"}.get(mode, "auto")
    ask.allowed = list(config.get("allowedFunctionNames") or [])
    generation = body.get("generationConfig") or {}
    if generation.get("responseSchema") is not None:
        ask.schema = _lower_schema(generation["responseSchema"])
    elif generation.get("responseJsonSchema") is not None:
        ask.schema = generation["responseJsonSchema"]
    elif generation.get("responseMimeType") == "application/json":
        ask.json_mode = True
    urls = re.findall(r"https?://[^\s)\"']+", ask.prompt)
    return ask, urls


def _gemini_thinking(model: str, generation: dict[str, Any]) -> tuple[bool, int | None]:
    """(thinking on, budget) as Gemini 2.5 decides it."""
    config = generation.get("thinkingConfig") or {}
    budget = config.get("thinkingBudget")
    if budget == 0:
        return False, 0
    if budget is None and "flash-lite" in model:
        return False, None
    return True, budget


def _gemini_checks(model: str, body: dict[str, Any]) -> Answer | None:
    generation = body.get("generationConfig") or {}
    budget = (generation.get("thinkingConfig") or {}).get("thinkingBudget")
    if budget == 0 and "2.5-pro" in model:
        return _gemini_error(
            400, "Budget 0 is invalid. This model only works in thinking mode.", "INVALID_ARGUMENT"
        )
    unknown = set(generation) - {
        "temperature",
        "topP",
        "topK",
        "maxOutputTokens",
        "stopSequences",
        "candidateCount",
        "seed",
        "presencePenalty",
        "frequencyPenalty",
        "responseMimeType",
        "responseSchema",
        "responseJsonSchema",
        "responseModalities",
        "thinkingConfig",
        "responseLogprobs",
        "logprobs",
        "mediaResolution",
        "speechConfig",
        "imageConfig",
    }
    if unknown:
        name = sorted(unknown)[0]
        return _gemini_error(
            400,
            f"Invalid JSON payload received. Unknown name \"{name}\" at 'generation_config': "
            "Cannot find field.",
            "INVALID_ARGUMENT",
        )
    if "responseSchema" in generation:
        problem = _gemini_schema_problem(
            generation["responseSchema"], "generation_config.response_schema"
        )
        if problem:
            return _gemini_error(
                400, f"Invalid JSON payload received. {problem}", "INVALID_ARGUMENT"
            )
    for i, tool in enumerate(body.get("tools") or []):
        for j, decl in enumerate(tool.get("functionDeclarations") or []):
            if "parameters" in decl:
                where = f"tools[{i}].function_declarations[{j}].parameters"
                problem = _gemini_schema_problem(decl["parameters"], where)
                if problem:
                    return _gemini_error(
                        400, f"Invalid JSON payload received. {problem}", "INVALID_ARGUMENT"
                    )
    if model.startswith("gemini-3"):
        for content in body.get("contents", []):
            if content.get("role") != "model":
                continue
            for k, part in enumerate(content.get("parts", [])):
                if "functionCall" in part and "thoughtSignature" not in part:
                    name = part["functionCall"].get("name")
                    return _gemini_error(
                        400,
                        "Function call is missing a thought_signature in functionCall parts. "
                        "This is required for tools to work correctly, and missing "
                        "thought_signature may lead to degraded model performance. Additional "
                        f"data, function call `default_api:{name}` , position {k + 1}. Please "
                        "refer to https://ai.google.dev/gemini-api/docs/thought-signatures for "
                        "more details.",
                        "INVALID_ARGUMENT",
                    )
    return None


def _blocked(body: dict[str, Any], prompt: str) -> bool:
    """A strict harassment threshold plus an insulting prompt: the answer is blocked."""
    for setting in body.get("safetySettings") or []:
        if setting.get("category") == "HARM_CATEGORY_HARASSMENT" and setting.get("threshold") in (
            "BLOCK_LOW_AND_ABOVE",
        ):
            return bool(re.search(r"\binsult", prompt, re.IGNORECASE))
    return False


def _grounding(text: str, query: str) -> dict[str, Any]:
    # WIRE: Gemini format groundingMetadata (Grounding with Google Search).
    end = len(text.encode())
    return {
        "searchEntryPoint": {
            "renderedContent": '<style>.container{display:flex}</style><div class="container">'
            f'<a class="chip" href="https://www.google.com/search?q={query.replace(" ", "+")}">'
            f"{query}</a></div>"
        },
        "groundingChunks": [
            {
                "web": {
                    "uri": "https://vertexaisearch.cloud.google.com/grounding-api-redirect/"
                    + _alnum_id(query, 40),
                    "title": "uefa.com",
                }
            },
            {
                "web": {
                    "uri": "https://vertexaisearch.cloud.google.com/grounding-api-redirect/"
                    + _alnum_id(query + "2", 40),
                    "title": "wikipedia.org",
                }
            },
        ],
        "groundingSupports": [
            {
                "segment": {"startIndex": 0, "endIndex": end, "text": text},
                "groundingChunkIndices": [0, 1],
                "confidenceScores": [0.97, 0.91],
            }
        ],
        "webSearchQueries": [query],
    }


_URL_PAGES = {
    "example.com": (
        'The page at example.com is the "Example Domain" page: it says the domain is for use '
        "in documentation examples without needing permission."
    ),
}


def _gemini_reply(ask: Ask, urls: list[str], variant: int) -> tuple[Reply, dict[str, Any]]:
    """The reply and the candidate extras (grounding, URL context)."""
    extras: dict[str, Any] = {}
    if ask.url_context and urls and ask.last.role == "user":
        pages = [next((v for k, v in _URL_PAGES.items() if k in u), "") for u in urls]
        reply = Reply(text=" ".join(p for p in pages if p) or "I could not read that page.")
        reply.thoughts = "**Reading the page**\n\nI'll fetch the URL and summarise it."
        extras["urlContextMetadata"] = {
            "urlMetadata": [
                {"retrievedUrl": u, "urlRetrievalStatus": "URL_RETRIEVAL_STATUS_SUCCESS"}
                for u in urls
            ]
        }
        return reply, extras
    reply = _think(ask, variant)
    if ask.google_search and not reply.calls and ask.last.role == "user" and ask.schema is None:
        query = re.sub(r"[?!.]", "", ask.prompt).strip().lower()
        extras["groundingMetadata"] = _grounding(reply.text, query)
        reply.thoughts = "**Searching**\n\nI'll search the web to ground the answer."
    return reply, extras


#: REF: gemini-thinking.txt (response body, verbatim)
REF_THINKING_PROMPT = "How does AI work?"
REF_THINKING_RESPONSE: dict[str, Any] = {}  # filled below from the reference text
#: REF: gemini-structured-output.txt (response body, verbatim)
REF_COOKIES_PROMPT = "List a few popular cookie recipes, and include the amounts of ingredients."
REF_COOKIES_RESPONSE: dict[str, Any] = {}


def _gemini_usage(
    req: SynthRequest,
    body: dict[str, Any],
    ask: Ask,
    candidates_tokens: int,
    thoughts_tokens: int | None,
    tool_use: int = 0,
) -> dict[str, Any]:
    prompt = sum(tokens(t.text) for t in ask.turns) + 258 * sum(t.images for t in ask.turns)
    prompt += 8 * sum(t.audio for t in ask.turns) + 258 * sum(t.files for t in ask.turns)
    prompt += sum(tokens(json.dumps(t.calls)) for t in ask.turns)
    prompt += sum(tokens(json.dumps(t.parameters)) + tokens(t.description) for t in ask.tools)
    prompt = max(prompt, 1)
    usage: dict[str, Any] = {
        "promptTokenCount": prompt,
        "candidatesTokenCount": candidates_tokens,
        "totalTokenCount": prompt + candidates_tokens + (thoughts_tokens or 0) + tool_use,
        "promptTokensDetails": [{"modality": "TEXT", "tokenCount": prompt}],
    }
    media = {
        "IMAGE": 258 * sum(t.images for t in ask.turns),
        "AUDIO": 8 * sum(t.audio for t in ask.turns),
        "DOCUMENT": 258 * sum(t.files for t in ask.turns),
    }
    if any(media.values()):
        usage["promptTokensDetails"] = [
            {"modality": "TEXT", "tokenCount": prompt - sum(media.values())}
        ] + [{"modality": k, "tokenCount": v} for k, v in media.items() if v]
    prefix = json.dumps([body.get("systemInstruction"), body.get("contents", [])[:-1]])
    cached = _cached(req, prefix, prompt)
    if cached:
        usage["cachedContentTokenCount"] = cached
        usage["cacheTokensDetails"] = [{"modality": "TEXT", "tokenCount": cached}]
    if tool_use:
        usage["toolUsePromptTokenCount"] = tool_use
    if thoughts_tokens:
        usage["thoughtsTokenCount"] = thoughts_tokens
    return usage


def _gemini_model(path: str) -> tuple[str, bool]:
    match = re.match(r"^/v1beta/models/([^:]+):(\w+)", path)
    if not match:
        return "", False
    return match.group(1), match.group(2) == "streamGenerateContent"


@route("POST", "/v1beta/models/", when=_mine_api, priority=10)
def gemini_generate(req: SynthRequest) -> Answer:
    # WIRE: Gemini format (GenerateContentResponse), derived from the request.
    model, stream = _gemini_model(req.path)
    body = req.json()
    if _bad_key(req):
        return _error(
            401, "Invalid token (request id: 20251123063200abd)", "new_api_error", "invalid_api_key"
        )
    rejected = _gemini_checks(model, body)
    if rejected is not None:
        return rejected
    ask, urls = _gemini_ask(model, body)
    generation = body.get("generationConfig") or {}
    thinking, budget = _gemini_thinking(model, generation)
    include = bool((generation.get("thinkingConfig") or {}).get("includeThoughts")) and thinking
    response_id = _alnum_id(_next_seed(req), 22)

    # REF: gemini-thinking.txt / gemini-structured-output.txt: the documented exchanges, verbatim.
    if (
        ask.prompt == REF_THINKING_PROMPT
        and not thinking
        and model == "gemini-2.5-flash"
        and not ask.tools
        and len(ask.turns) == 1
    ):
        return _gemini_send(REF_THINKING_RESPONSE, stream)
    if ask.prompt == REF_COOKIES_PROMPT and ask.schema is not None and model == "gemini-2.5-flash":
        return _gemini_send(REF_COOKIES_RESPONSE, stream)

    n = int(generation.get("candidateCount") or 1)
    stops = list(generation.get("stopSequences") or [])
    limit = generation.get("maxOutputTokens")
    candidates = []
    candidates_tokens = 0
    thoughts_tokens = 0
    tool_use = 0
    blocked = _blocked(body, ask.prompt)
    for i in range(n):
        reply, extras = _gemini_reply(ask, urls, i)
        if blocked:
            candidates.append(
                {
                    "finishReason": "SAFETY",
                    "index": i,
                    "safetyRatings": [
                        {
                            "category": "HARM_CATEGORY_HARASSMENT",
                            "probability": "MEDIUM",
                            "blocked": True,
                        },
                        {"category": "HARM_CATEGORY_HATE_SPEECH", "probability": "NEGLIGIBLE"},
                        {
                            "category": "HARM_CATEGORY_SEXUALLY_EXPLICIT",
                            "probability": "NEGLIGIBLE",
                        },
                        {
                            "category": "HARM_CATEGORY_DANGEROUS_CONTENT",
                            "probability": "NEGLIGIBLE",
                        },
                    ],
                }
            )
            continue
        text, _ = _cut_at_stop(reply.text, stops)
        finish = "STOP"
        if limit and not reply.calls and tokens(text) > limit:
            text = _truncate_tokens(text, limit)
            finish = "MAX_TOKENS"
        parts: list[dict[str, Any]] = []
        if include:
            parts.append({"text": reply.thoughts, "thought": True})
        if text:
            parts.append({"text": text})
        for j, (name, args) in enumerate(reply.calls):
            part: dict[str, Any] = {"functionCall": {"name": name, "args": args}}
            if thinking and j == 0:
                part["thoughtSignature"] = _signature(f"{response_id}{name}")
            parts.append(part)
        candidate: dict[str, Any] = {
            "content": {"parts": parts, "role": "model"},
            "finishReason": finish,
            "index": i,
        }
        candidate.update(extras)
        if "groundingMetadata" in extras:
            tool_use = 96
        candidates.append(candidate)
        candidates_tokens += tokens(text) + sum(4 + tokens(json.dumps(a)) for _, a in reply.calls)
        if thinking:
            spent = 4 * tokens(reply.thoughts) + 60
            thoughts_tokens += min(spent, budget) if budget and budget > 0 else spent
    usage = _gemini_usage(
        req, body, ask, candidates_tokens, thoughts_tokens if thinking else None, tool_use
    )
    response: dict[str, Any] = {
        "candidates": candidates,
        "usageMetadata": usage,
        "modelVersion": model,
        "responseId": response_id,
    }
    return _gemini_send(response, stream)


def _gemini_send(response: dict[str, Any], stream: bool) -> Answer:
    if not stream:
        return as_json(response)
    # WIRE: Gemini format, streamGenerateContent?alt=sse: "data: {...}\r\n\r\n" events, each a
    # GenerateContentResponse with the next parts and the usage so far; the last one finishes.
    events: list[dict[str, Any]] = []
    candidates = response.get("candidates") or []
    usage = response.get("usageMetadata") or {}
    first = candidates[0] if candidates else {}
    parts = (first.get("content") or {}).get("parts") or []
    pieces: list[dict[str, Any]] = []
    for part in parts:
        if "text" in part and not part.get("thought"):
            words = re.findall(r"\s*\S+", part["text"]) or [part["text"]]
            size = max(1, len(words) // 4 + 1)
            for start in range(0, len(words), size):
                piece = {"text": "".join(words[start : start + size])}
                if "thoughtSignature" in part and start == 0:
                    piece["thoughtSignature"] = part["thoughtSignature"]
                pieces.append(piece)
        else:
            pieces.append(part)
    if not pieces:
        pieces = [{"text": ""}] if first.get("content") else []
    running = 0
    for k, piece in enumerate(pieces):
        last = k == len(pieces) - 1
        if "text" in piece and not piece.get("thought"):
            running += tokens(piece["text"])
        candidate: dict[str, Any] = {"content": {"parts": [piece], "role": "model"}, "index": 0}
        if last:
            candidate.update({k2: v for k2, v in first.items() if k2 not in ("content",)})
        partial_usage = dict(usage)
        if not last:
            partial_usage["candidatesTokenCount"] = running
            partial_usage["totalTokenCount"] = (
                usage.get("promptTokenCount", 0) + running + usage.get("thoughtsTokenCount", 0)
            )
            partial_usage.pop("cachedContentTokenCount", None)
        events.append(
            {
                "candidates": [candidate],
                "usageMetadata": partial_usage,
                "modelVersion": response.get("modelVersion"),
                "responseId": response.get("responseId"),
            }
        )
    if not pieces:
        events.append({**response})
    body = "".join(f"data: {json.dumps(e, ensure_ascii=False)}\r\n\r\n" for e in events)
    return 200, {"content-type": "text/event-stream"}, body.encode()


# REF: gemini-thinking.txt (the documented 200 response body, verbatim)
REF_THINKING_RESPONSE.update(
    json.loads(
        r"""{
    "candidates": [
        {
            "content": {
                "parts": [
                    {
                        "text": "That's a fantastic question, and one that many people are curious about! The truth is, \"AI\" is a very broad term, and there are many different types and approaches. However, I can give you a good overview of the core concepts and how they generally work.\n\nAt its heart, **AI works by training computer programs to recognize patterns and make decisions, often by learning from data, much like humans do (but in a very different way).**\n\nHere's a breakdown of the key components and processes:\n\n---\n\n## The Core Components of AI\n\n1.  **Data:** This is the fuel for AI. It can be anything from images, text, numbers, audio, videos, or sensor readings. The more relevant and diverse the data, the better an AI can learn.\n\n2.  **Algorithms:** These are the step-by-step instructions or mathematical formulas that the AI uses to process data, identify patterns, and make decisions. Think of them as the \"brains\" of the AI.\n\n3.  **Computational Power:** AI, especially modern AI, requires a lot of processing power (CPUs and especially GPUs) to handle large datasets and complex algorithms.\n\n---\n\n## The General Process: Learning and Inference\n\nMost AI systems follow a two-phase process:\n\n### Phase 1: Training (Learning)\n\nThis is where the AI \"learns\" from the data.\n\n1.  **Input Data:** You feed the algorithm a vast amount of data. For example:\n    *   **Image Recognition:** Thousands of images labeled \"cat\" or \"dog.\"\n    *   **Language Translation:** Millions of pairs of sentences in two languages.\n    *   **Recommendation System:** User purchase history and ratings.\n\n2.  **Feature Extraction:** The algorithm identifies relevant characteristics (features) within the data. For images, these might be edges, shapes, colors. For text, it could be word frequencies or grammatical structures.\n\n3.  **Pattern Recognition:** The algorithm looks for correlations and patterns between the input features and the desired output. It tries to build a mathematical model that explains these relationships.\n\n4.  **Model Adjustment (Learning):** The AI makes predictions based on its current model. It then compares its predictions to the actual \"correct\" answers (if available, this is called \"supervised learning\"). If there's a discrepancy, the algorithm adjusts its internal parameters (weights and biases) to reduce the error. This process is repeated thousands or millions of times.\n\n    *   **Analogy:** Imagine a child learning to distinguish between apples and oranges. You show them many examples, tell them \"this is an apple,\" \"this is an orange.\" When they make a mistake, you correct them. Over time, they learn the distinguishing features. The AI does something similar, but with complex mathematical adjustments.\n\n### Phase 2: Inference (Prediction/Action)\n\nOnce the AI is trained, it can be put to work.\n\n1.  **New Input:** You provide the trained AI with new, unseen data.\n2.  **Feature Extraction (again):** The AI extracts features from this new data using the same methods it learned during training.\n3.  **Prediction/Decision:** Using its learned model, the AI makes a prediction or takes an action based on the new input.\n    *   **Image Recognition:** Given a new image, it predicts \"cat.\"\n    *   **Language Translation:** Given a new sentence, it translates it.\n    *   **Recommendation System:** Suggests a new product to a user.\n\n---\n\n## Key Paradigms and Techniques\n\nWhile the above is a general framework, different AI fields employ specific techniques:\n\n1.  **Machine Learning (ML):** This is the broadest subset of AI. It focuses on building systems that can learn from data without being explicitly programmed for every possible scenario.\n    *   **Supervised Learning:** Learning from labeled data (e.g., \"this is a picture of a dog\").\n    *   **Unsupervised Learning:** Finding patterns in unlabeled data (e.g., grouping similar news articles).\n    *   **Reinforcement Learning:** Learning through trial and error, receiving rewards or penalties for actions (e.g., an AI learning to play a game).\n\n2.  **Deep Learning (DL):** A subfield of ML that uses **Artificial Neural Networks (ANNs)** with many layers (hence \"deep\"). These networks are inspired by the structure of the human brain.\n    *   **How it works:** Each \"neuron\" in a layer receives input, processes it, and passes it to the next layer. Deeper layers learn more complex and abstract features.\n    *   **Why it's powerful:** Deep learning excels at tasks like image recognition, natural language processing, and speech recognition because it can automatically learn incredibly complex and hierarchical features from raw data, reducing the need for human-engineered feature extraction.\n\n3.  **Natural Language Processing (NLP):** Enables computers to understand, interpret, and generate human language (e.g., chatbots, translation, sentiment analysis). Many modern NLP models use deep learning (like Transformers, which power models like ChatGPT).\n\n4.  **Computer Vision (CV):** Enables computers to \"see\" and interpret visual information from images and videos (e.g., facial recognition, self-driving cars, medical image analysis). Also heavily reliant on deep learning.\n\n5.  **Robotics:** Integrates AI with physical machines to perform tasks in the real world.\n\n---\n\n## Analogy with the Human Brain (and why it's a loose one)\n\nPeople often compare AI to the human brain. While inspiration is drawn, it's crucial to understand the differences:\n\n*   **Human Brain:** Billions of neurons, incredible plasticity, energy-efficient, learns from limited data, understands context, common sense, emotions.\n*   **AI (Neural Networks):** Millions/billions of *parameters* (not actual neurons), requires vast amounts of data, computational power, lacks true understanding or common sense. It's a highly sophisticated pattern-matching machine.\n\n---\n\n## In Summary\n\nAI works by **training algorithms on large datasets to identify patterns and make predictions or decisions.** The more sophisticated the AI (especially deep learning), the more complex the patterns it can learn. It's not magic, but rather highly advanced statistics, mathematics, and computer science, building systems that can perform tasks that traditionally required human intelligence."
                    }
                ],
                "role": "model"
            },
            "finishReason": "STOP",
            "index": 0
        }
    ],
    "usageMetadata": {
        "promptTokenCount": 6,
        "candidatesTokenCount": 1353,
        "totalTokenCount": 1359,
        "promptTokensDetails": [
            {
                "modality": "TEXT",
                "tokenCount": 6
            }
        ]
    },
    "modelVersion": "gemini-2.5-flash",
    "responseId": "GOG6aO3iCMuumtkPl8L8wAQ"
}"""
    )
)

# REF: gemini-structured-output.txt (the documented 200 response body, verbatim)
REF_COOKIES_RESPONSE.update(
    json.loads(
        r"""{
    "candidates": [
        {
            "content": {
                "parts": [
                    {
                        "text": "[\n  {\n    \"recipeName\": \"Classic Chocolate Chip Cookies\",\n    \"ingredients\": [\n      \"2 1/4 cups all-purpose flour\",\n      \"1 teaspoon baking soda\",\n      \"1 teaspoon salt\",\n      \"1 cup (2 sticks) unsalted butter, softened\",\n      \"3/4 cup granulated sugar\",\n      \"3/4 cup packed light brown sugar\",\n      \"1 teaspoon vanilla extract\",\n      \"2 large eggs\",\n      \"2 cups (12 oz) semi-sweet chocolate chips\"\n    ]\n  },\n  {\n    \"recipeName\": \"Hearty Oatmeal Raisin Cookies\",\n    \"ingredients\": [\n      \"1 1/2 cups all-purpose flour\",\n      \"1 teaspoon baking soda\",\n      \"1 teaspoon ground cinnamon\",\n      \"1/2 teaspoon salt\",\n      \"1 cup (2 sticks) unsalted butter, softened\",\n      \"1 cup packed light brown sugar\",\n      \"1/2 cup granulated sugar\",\n      \"1 teaspoon vanilla extract\",\n      \"2 large eggs\",\n      \"3 cups old-fashioned rolled oats\",\n      \"1 1/2 cups raisins\"\n    ]\n  },\n  {\n    \"recipeName\": \"Classic Peanut Butter Cookies\",\n    \"ingredients\": [\n      \"1 1/4 cups all-purpose flour\",\n      \"1/2 teaspoon baking soda\",\n      \"1/4 teaspoon salt\",\n      \"1/2 cup (1 stick) unsalted butter, softened\",\n      \"1/2 cup granulated sugar\",\n      \"1/2 cup packed light brown sugar\",\n      \"1 large egg\",\n      \"1 teaspoon vanilla extract\",\n      \"1 cup creamy peanut butter\"\n    ]\n  }\n]"
                    }
                ],
                "role": "model"
            },
            "finishReason": "STOP",
            "index": 0
        }
    ],
    "usageMetadata": {
        "promptTokenCount": 15,
        "candidatesTokenCount": 390,
        "totalTokenCount": 970,
        "promptTokensDetails": [
            {
                "modality": "TEXT",
                "tokenCount": 15
            }
        ],
        "thoughtsTokenCount": 565
    },
    "modelVersion": "gemini-2.5-flash",
    "responseId": "1OG6aKq3NMKzqtsP5Omk-Q0"
}"""
    )
)
