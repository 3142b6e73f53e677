"""Canned answers for the tools' tests (images, media tasks, Gemini structured output, agents).

Only for ``tests/integration/test_tools*.py`` and ``tests/standard/test_tools_standard.py``
(``when=``), at priority 10. ``REF`` = a documented example in ``shared/yescale-api`` (verbatim
where the reference gives a body), ``WIRE`` = the public OpenAI/Gemini wire format or the
gateway conventions in DESIGN.md where the reference is silent.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
import struct
import zlib
from typing import Any

from .routes import Answer, SynthRequest, as_json, route

_MINE = (
    "tests/integration/test_tools.py",
    "tests/integration/test_tools_examples.py",
    "tests/standard/test_tools_standard.py",
)
CDN_HOSTS = ("cdn.yescale.vip",)


def _mine(req: SynthRequest) -> bool:
    return req.nodeid.startswith(_MINE)


def _png(width: int = 2, height: int = 2, rgb: tuple[int, int, int] = (220, 40, 40)) -> bytes:
    """A real, tiny PNG (so saved files open in any viewer)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    row = b"\x00" + bytes(rgb) * width
    raw = row * height
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(raw, 9))
        + chunk(b"IEND", b"")
    )


TINY_PNG = _png()
TINY_PNG_B64 = base64.b64encode(TINY_PNG).decode()
#: A few bytes that start like an MP4 (an ``ftyp`` box); enough to prove the download.
TINY_MP4 = b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom" + b"\x00" * 16

# -- images --------------------------------------------------------------------------------------


def _image_usage() -> dict[str, Any]:
    # REF: gpt-image-1-generate.txt, response example "usage".
    return {
        "input_tokens": 95,
        "input_tokens_details": {"image_tokens": 0, "text_tokens": 95},
        "output_tokens": 4160,
        "total_tokens": 4255,
    }


def _digest(*parts: str) -> str:
    return hashlib.sha256("\x00".join(parts).encode()).hexdigest()[:12]


@route("POST", "/v1/images/generations", when=_mine, priority=10)
def image_generations(req: SynthRequest) -> Answer:
    body = req.json()
    model = str(body.get("model", "gpt-image-1"))
    n = int(body.get("n") or 1)
    if model.startswith("gpt-image") or body.get("response_format") == "b64_json":
        # REF: gpt-image-1-generate.txt response ({"created", "data": [{"b64_json"}], "usage"}),
        # with a real tiny PNG for "xxxxx".
        return as_json(
            {
                "created": 1748231162,
                "data": [{"b64_json": TINY_PNG_B64} for _ in range(n)],
                "usage": _image_usage(),
            }
        )
    # WIRE: OpenAI DALL-E answer with response_format="url" (the default for dall-e-3): data[].url
    # and revised_prompt; the URL on YEScale's CDN.
    key = _digest(model, str(body.get("prompt")))
    return as_json(
        {
            "created": 1748231162,
            "data": [
                {
                    "url": f"https://cdn.yescale.vip/yescale-{model}-{key}-{i}.png",
                    "revised_prompt": f"A detailed rendering: {body.get('prompt')}",
                }
                for i in range(n)
            ],
        }
    )


@route("POST", "/v1/images/edits", when=_mine, priority=10)
def image_edits(req: SynthRequest) -> Answer:
    # WIRE: the edit endpoint answers like generation (REF: gpt-image-1-generate.txt body shape);
    # one image per uploaded input, so tests can see all inputs arrived.
    uploads = len(re.findall(rb'name="image(?:\[\])?"', req.body))
    return as_json(
        {
            "created": 1748231170,
            "data": [{"b64_json": TINY_PNG_B64} for _ in range(max(uploads, 1))],
            "usage": _image_usage(),
        }
    )


@route("GET", "/", when=lambda r: _mine(r) and r.host in CDN_HOSTS, priority=10)
def cdn(req: SynthRequest) -> Answer:
    # WIRE: the YEScale CDN serves the stored media as plain files (no auth).
    if req.path.endswith(".mp4"):
        return 200, {"content-type": "video/mp4"}, TINY_MP4
    if "missing" in req.path:
        return 404, {"content-type": "text/plain"}, b"Not Found"
    return 200, {"content-type": "image/png"}, TINY_PNG


# -- media tasks ---------------------------------------------------------------------------------

#: REF: media-task-api.txt, "Get Task Result" example: this prompt's sora-2 task answers with the
#: reference's task id and final body verbatim.
REF_SORA_PROMPT = "A cat surfing a big wave at sunset"
REF_SORA_TASK = "yescale-sora-2-eefd4aad095d"
#: REF: media-task-api.txt, "Submit a Task" request payload, answered with its response verbatim.
REF_GPT_IMAGE_PROMPT = "Edit Text to We Are Yescale"
REF_GPT_IMAGE_TASK = "yescale-gpt-image-3bff624161c0"

_POLLS: dict[tuple[str, str], int] = {}
_MODELS: dict[tuple[str, str], str] = {}


def _task_id(model: str, prompt: str) -> str:
    if model == "sora-2" and prompt == REF_SORA_PROMPT:
        return REF_SORA_TASK
    if model == "gpt-image" and prompt == REF_GPT_IMAGE_PROMPT:
        return REF_GPT_IMAGE_TASK
    return f"yescale-{re.sub(r'[^a-z0-9.-]', '-', model.lower())}-{_digest(model, prompt)}"


def _behaviour(prompt: str) -> str:
    """Scripted by the prompt: "fail" fails, "slow" runs 3 polls, else done on the 2nd poll."""
    lowered = prompt.lower()
    if "fail" in lowered:
        return "fail"
    if "slow" in lowered:
        return "slow"
    return "normal"


_BEHAVIOUR: dict[tuple[str, str], str] = {}


@route("POST", "/task/submit", when=_mine, priority=10)
def task_submit(req: SynthRequest) -> Answer:
    body = req.json()
    model, prompt = str(body.get("model")), str(body.get("prompt"))
    task_id = _task_id(model, prompt)
    key = (req.nodeid, task_id)
    _POLLS[key] = 0
    _MODELS[key] = model
    _BEHAVIOUR[key] = _behaviour(prompt)
    if task_id == REF_GPT_IMAGE_TASK:
        # REF: media-task-api.txt, "Submit a Task" success response, verbatim.
        return as_json(
            {
                "created_at": 1763103034,
                "progress": "0%",
                "results": {},
                "status": "SUBMITTED",
                "task_id": "yescale-gpt-image-3bff624161c0",
                "updated_at": 1763103034,
            },
            202,
        )
    # REF: media-task-api.txt, "Submit a Task" success response shape (202), this task's id.
    return as_json(
        {
            "created_at": 1763103034,
            "progress": "0%",
            "results": {},
            "status": "SUBMITTED",
            "task_id": task_id,
            "updated_at": 1763103034,
        },
        202,
    )


def _running(task_id: str, model: str, progress: str, status: str = "IN_PROGRESS") -> Answer:
    # WIRE: gateway task conventions (DESIGN.md): status IN_PROGRESS, progress "NN%", no result.
    return as_json(
        {
            "message": f"YEScale - YESCALE_MEDIA - {model} - Task Result",
            "progress": progress,
            "status": status,
            "submit_time": 1761576676,
            "task_id": task_id,
        }
    )


def _success(task_id: str, model: str) -> Answer:
    if task_id == REF_SORA_TASK:
        # REF: media-task-api.txt, "Get Task Result" success response, verbatim.
        return as_json(
            {
                "finish_time": 1761576861,
                "message": "YEScale - YESCALE_MEDIA - sora-2 - Task Result",
                "progress": "100%",
                "status": "SUCCESS",
                "submit_time": 1761576676,
                "task_id": "yescale-sora-2-eefd4aad095d",
                "task_result": {
                    "note": "Link will be removed at the specified time (GMT+7).",
                    "url": "https://cdn.yescale.vip/yescale-sora-2-eefd4aad095d.mp4",
                    "url_expires_at": "2025-11-11 21:54:21",
                },
            }
        )
    # REF: media-task-api.txt, "Get Task Result" success shape, this task's id and file type.
    ext = "mp4" if any(k in model for k in ("sora", "veo", "kling", "hailuo", "wan")) else "png"
    return as_json(
        {
            "finish_time": 1761576861,
            "message": f"YEScale - YESCALE_MEDIA - {model} - Task Result",
            "progress": "100%",
            "status": "SUCCESS",
            "submit_time": 1761576676,
            "task_id": task_id,
            "task_result": {
                "note": "Link will be removed at the specified time (GMT+7).",
                "url": f"https://cdn.yescale.vip/{task_id}.{ext}",
                "url_expires_at": "2025-11-11 21:54:21",
            },
        }
    )


@route("GET", "/task/", when=_mine, priority=10)
def task_get(req: SynthRequest) -> Answer:
    task_id = req.path.rsplit("/", 1)[-1]
    key = (req.nodeid, task_id)
    if key not in _POLLS:
        # WIRE: an unknown task id (the gateway's 404 error object).
        return as_json(
            {"error": {"message": f"task {task_id} not found", "code": "not_found"}}, 404
        )
    _POLLS[key] += 1
    poll, model, behaviour = _POLLS[key], _MODELS[key], _BEHAVIOUR[key]
    if behaviour == "fail":
        if poll == 1:
            return _running(task_id, model, "20%", status="QUEUED")
        # WIRE: FAILURE with fail_reason (DESIGN.md: "failures carry fail_reason").
        return as_json(
            {
                "fail_reason": "The prompt was flagged by the upstream provider's content policy.",
                "message": f"YEScale - YESCALE_MEDIA - {model} - Task Result",
                "progress": "100%",
                "status": "FAILURE",
                "submit_time": 1761576676,
                "task_id": task_id,
            }
        )
    if behaviour == "slow":
        steps = ["10%", "30%", "60%"]
        if poll <= len(steps):
            return _running(task_id, model, steps[poll - 1])
        return _success(task_id, model)
    if poll == 1:
        return _running(task_id, model, "50%")
    return _success(task_id, model)


# -- Gemini structured output --------------------------------------------------------------------

#: REF: gemini-structured-output.txt, the request's responseSchema (cookie recipes).
REF_RECIPE_TEXT = "List a few popular cookie recipes, and include the amounts of ingredients."

_REF_RECIPES_ANSWER = {
    "candidates": [
        {
            "content": {
                "parts": [
                    {
                        "text": '[\n  {\n    "recipeName": "Classic Chocolate Chip Cookies",\n    "ingredients": [\n      "2 1/4 cups all-purpose flour",\n      "1 teaspoon baking soda",\n      "1 teaspoon salt",\n      "1 cup (2 sticks) unsalted butter, softened",\n      "3/4 cup granulated sugar",\n      "3/4 cup packed light brown sugar",\n      "1 teaspoon vanilla extract",\n      "2 large eggs",\n      "2 cups (12 oz) semi-sweet chocolate chips"\n    ]\n  },\n  {\n    "recipeName": "Hearty Oatmeal Raisin Cookies",\n    "ingredients": [\n      "1 1/2 cups all-purpose flour",\n      "1 teaspoon baking soda",\n      "1 teaspoon ground cinnamon",\n      "1/2 teaspoon salt",\n      "1 cup (2 sticks) unsalted butter, softened",\n      "1 cup packed light brown sugar",\n      "1/2 cup granulated sugar",\n      "1 teaspoon vanilla extract",\n      "2 large eggs",\n      "3 cups old-fashioned rolled oats",\n      "1 1/2 cups raisins"\n    ]\n  },\n  {\n    "recipeName": "Classic Peanut Butter Cookies",\n    "ingredients": [\n      "1 1/4 cups all-purpose flour",\n      "1/2 teaspoon baking soda",\n      "1/4 teaspoon salt",\n      "1/2 cup (1 stick) unsalted butter, softened",\n      "1/2 cup granulated sugar",\n      "1/2 cup packed light brown sugar",\n      "1 large egg",\n      "1 teaspoon vanilla extract",\n      "1 cup creamy peanut butter"\n    ]\n  }\n]'  # noqa: E501
                    }
                ],
                "role": "model",
            },
            "finishReason": "STOP",
            "index": 0,
        }
    ],
    "usageMetadata": {
        "promptTokenCount": 15,
        "candidatesTokenCount": 390,
        "totalTokenCount": 970,
        "promptTokensDetails": [{"modality": "TEXT", "tokenCount": 15}],
        "thoughtsTokenCount": 565,
    },
    "modelVersion": "gemini-2.5-flash",
    "responseId": "1OG6aKq3NMKzqtsP5Omk-Q0",
}

#: Values the synthesized extractions use, by field name (else a value of the schema's type).
_KNOWN_VALUES: dict[str, Any] = {
    "name": "Ada Lovelace",
    "age": 36,
    "city": "London",
    "email": "ada@example.com",
    "occupation": "mathematician",
    "number": "INV-7",
    "total": 120.5,
    "currency": "EUR",
}


def _example(schema: dict[str, Any], name: str = "") -> Any:
    """A value valid for a Gemini ``Schema`` (type in upper case), preferring known values."""
    kind = str(schema.get("type", "STRING")).upper()
    if "enum" in schema:
        return schema["enum"][0]
    if name in _KNOWN_VALUES:
        return _KNOWN_VALUES[name]
    if kind == "OBJECT":
        return {key: _example(sub, key) for key, sub in (schema.get("properties") or {}).items()}
    if kind == "ARRAY":
        return [_example(schema.get("items") or {}, name)]
    if kind == "INTEGER":
        return 1
    if kind == "NUMBER":
        return 1.5
    if kind == "BOOLEAN":
        return True
    return f"example {name}".strip()


def _gemini_text(text: str, finish: str, thoughts: int = 0) -> Answer:
    # WIRE: Gemini generateContent response (REF: gemini-structured-output.txt shape).
    usage: dict[str, Any] = {
        "promptTokenCount": 42,
        "candidatesTokenCount": 24,
        "totalTokenCount": 66 + thoughts,
        "promptTokensDetails": [{"modality": "TEXT", "tokenCount": 42}],
    }
    if thoughts:
        usage["thoughtsTokenCount"] = thoughts
    return as_json(
        {
            "candidates": [
                {
                    "content": {"parts": [{"text": text}], "role": "model"},
                    "finishReason": finish,
                    "index": 0,
                }
            ],
            "usageMetadata": usage,
            "modelVersion": "gemini-2.5-flash",
            "responseId": "synth-" + _digest(text),
        }
    )


def _structured(req: SynthRequest) -> bool:
    config = req.json().get("generationConfig") or {}
    return _mine(req) and config.get("responseMimeType") == "application/json"


@route("POST", "/v1beta/models/", when=_structured, priority=10)
def gemini_structured(req: SynthRequest) -> Answer:
    body = req.json()
    text = "".join(
        part.get("text", "")
        for content in body.get("contents", [])
        for part in content.get("parts", [])
    )
    config = body["generationConfig"]
    budget = (config.get("thinkingConfig") or {}).get("thinkingBudget")
    thoughts = 0 if budget == 0 else 128
    if text == REF_RECIPE_TEXT:
        return as_json(_REF_RECIPES_ANSWER)  # REF: gemini-structured-output.txt, verbatim.
    data = _example(config.get("responseSchema") or {})
    if "[cut]" in text:
        # WIRE: an answer cut off at the output limit: finishReason MAX_TOKENS, partial JSON.
        return _gemini_text(json.dumps(data, indent=2)[:25], "MAX_TOKENS", thoughts)
    return _gemini_text(json.dumps(data, indent=2), "STOP", thoughts)


# -- agents: chat completions with tool calls ----------------------------------------------------

AGENT_IMAGE_ARGS = {"prompt": "A watercolor lighthouse at dawn", "size": "1024x1024"}
AGENT_MEDIA_ARGS = {
    "model": "sora-2",
    "prompt": "Gentle camera pan over a watercolor lighthouse at dawn",
    "aspect_ratio": "16:9",
    "duration": 4,
}


def _agent_chat(req: SynthRequest) -> bool:
    return _mine(req) and bool(req.json().get("tools"))


def _tool_name(tools: list[dict[str, Any]], word: str) -> str:
    names = [t.get("function", {}).get("name", "") for t in tools]
    for tool_name in names:
        if word in tool_name:
            return tool_name
    raise AssertionError(f"synth: no bound tool named like {word!r} in {names}")


def _tool_call_answer(model: str, name: str, args: dict[str, Any], step: int) -> Answer:
    # WIRE: OpenAI chat completion with one tool call (finish_reason "tool_calls").
    return as_json(
        {
            "id": f"chatcmpl-synth-agent-{step}",
            "object": "chat.completion",
            "created": 1763103034,
            "model": model,
            "choices": [
                {
                    "index": 0,
                    "message": {
                        "role": "assistant",
                        "content": None,
                        "tool_calls": [
                            {
                                "id": f"call_synth_{step}",
                                "type": "function",
                                "function": {"name": name, "arguments": json.dumps(args)},
                            }
                        ],
                    },
                    "finish_reason": "tool_calls",
                }
            ],
            "usage": {"prompt_tokens": 310, "completion_tokens": 28, "total_tokens": 338},
        }
    )


def _text_of(content: Any) -> str:
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return " ".join(b.get("text", "") for b in content if isinstance(b, dict))
    return ""


@route("POST", "/v1/chat/completions", when=_agent_chat, priority=10)
def agent_chat(req: SynthRequest) -> Answer:
    body = req.json()
    model = str(body.get("model", "gpt-4o-mini"))
    tools = body["tools"]
    results = [m for m in body.get("messages", []) if m.get("role") == "tool"]
    if not results:
        return _tool_call_answer(model, _tool_name(tools, "image"), AGENT_IMAGE_ARGS, 1)
    if len(results) == 1:
        return _tool_call_answer(model, _tool_name(tools, "media"), AGENT_MEDIA_ARGS, 2)
    urls = re.findall(r"https://\S+", _text_of(results[-1].get("content")))
    video = urls[0] if urls else "(no URL)"
    # WIRE: OpenAI chat completion, final answer after the tool results.
    text = (
        "Done: I generated the lighthouse image and a 4-second video of it. "
        f"The video is at {video}; that link expires, so download it to keep it."
    )
    return as_json(
        {
            "id": "chatcmpl-synth-agent-3",
            "object": "chat.completion",
            "created": 1763103034,
            "model": model,
            "choices": [
                {
                    "index": 0,
                    "message": {"role": "assistant", "content": text},
                    "finish_reason": "stop",
                }
            ],
            "usage": {"prompt_tokens": 420, "completion_tokens": 40, "total_tokens": 460},
        }
    )
