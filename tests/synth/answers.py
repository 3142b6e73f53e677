"""The canned answers for the client's own tests (``tests/integration/test_client_*.py``).

Every answer says where it comes from: ``REF`` = a documented example in ``shared/yescale-api``,
answered verbatim from the byte-for-byte copies in ``reference/``; ``WIRE`` = the public
OpenAI/Gemini wire format (or the gateway conventions in DESIGN.md) where the reference is silent.

These routes have priority 0 and no test filter, so they are the default for every test; other
``answers_*.py`` modules override them for their own tests at a higher priority.

The answers check what the client sent (host, credential header, body) and answer with the
service's error when it is wrong, so a cassette can only be synthesized from a correct request.
"""

from __future__ import annotations

import base64
import hashlib
import json
import struct
import zlib
from dataclasses import dataclass
from email.message import Message
from email.parser import BytesParser
from email.policy import HTTP
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

from tests.conftest import OFFLINE_ACCESS_KEY, OFFLINE_API_KEY

from .routes import Answer, SynthRequest, as_json, as_sse, route

API_HOSTS = ("api.yescale.io", "api.yescale.vip")
SYSTEM_HOST = "yescale.bogia.app"
CDN_HOST = "cdn.yescale.vip"

REFERENCE = Path(__file__).parent / "reference"


def ref_bytes(name: str) -> bytes:
    """A documented example body, byte for byte (see reference/README.md)."""
    return (REFERENCE / name).read_bytes()


def ref_json(name: str) -> Any:
    return json.loads(ref_bytes(name))


def verbatim(name: str, status: int = 200) -> Answer:
    return status, {"content-type": "application/json"}, ref_bytes(name)


def _on_api(req: SynthRequest) -> bool:
    return req.host in API_HOSTS


def _on_system(req: SynthRequest) -> bool:
    return req.host == SYSTEM_HOST


def _on_cdn(req: SynthRequest) -> bool:
    return req.host == CDN_HOST


def _query(req: SynthRequest) -> dict[str, str]:
    return {k: v[-1] for k, v in parse_qs(req.query, keep_blank_values=True).items()}


def _digest(*parts: str, size: int = 12) -> str:
    return hashlib.sha256("\x00".join(parts).encode()).hexdigest()[:size]


# -- credentials ---------------------------------------------------------------------------------


def _openai_error(message: str, kind: str, code: str | None, status: int) -> Answer:
    # WIRE: OpenAI error object, as YEScale's new-api gateway relays it.
    return as_json(
        {"error": {"message": message, "type": kind, "param": None, "code": code}}, status
    )


def _invalid_token() -> Answer:
    # WIRE: the new-api gateway's 401 for an invalid token (the reference's "HTTP status codes"
    # page is only listed in endpoint-index.txt, not included).
    return _openai_error("Invalid token", "new_api_error", "invalid_api_key", 401)


def _api_auth(req: SynthRequest) -> Answer | None:
    """``/v1`` and ``/task`` take ``Authorization: Bearer <API key>`` (never the access key)."""
    auth = req.headers.get("authorization", "")
    if "invalid" in auth or not auth.startswith("Bearer ") or OFFLINE_ACCESS_KEY in auth:
        return _invalid_token()
    return None


def _gemini_auth(req: SynthRequest) -> Answer | None:
    """``/v1beta`` takes the API key in ``x-goog-api-key`` (REF: gemini-*.txt curl samples)."""
    key = req.headers.get("x-goog-api-key", "")
    if not key or "invalid" in key or "authorization" in req.headers or key == OFFLINE_ACCESS_KEY:
        return _invalid_token()
    return None


def _system_auth(req: SynthRequest) -> Answer | None:
    """REF: system-api.txt, 2. Authentication: ``Authorization: Bearer ACCESS_KEY``."""
    auth = req.headers.get("authorization", "")
    if not auth.startswith("Bearer ") or "invalid" in auth or OFFLINE_API_KEY in auth:
        # WIRE: the one-api/new-api answer to a wrong access token (401, success false).
        return as_json(
            {"success": False, "message": "Unauthorized: the access token is invalid."}, 401
        )
    return None


# -- chat ----------------------------------------------------------------------------------------


@route("POST", "/v1/chat/completions")
def chat(req: SynthRequest) -> Answer:
    # WIRE: OpenAI chat completion object; REF: "Create chat completion (non-streaming)".
    denied = _api_auth(req)
    if denied is not None:
        return denied
    body = req.json()
    model = body.get("model", "gpt-4o-mini")
    text = "Hello! How can I help you today?"
    base = {
        "id": "chatcmpl-synth-1",
        "object": "chat.completion.chunk",
        "created": 1763103034,
        "model": model,
    }
    if body.get("stream"):
        # WIRE: OpenAI chat.completion.chunk events, then (include_usage) a usage-only chunk.
        words = text.split(" ")
        events: list[dict[str, Any]] = [
            {
                **base,
                "choices": [
                    {
                        "index": 0,
                        "delta": {"role": "assistant", "content": ("" if i == 0 else " ") + w},
                        "finish_reason": None,
                    }
                ],
            }
            for i, w in enumerate(words)
        ]
        events.append({**base, "choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]})
        if (body.get("stream_options") or {}).get("include_usage"):
            events.append(
                {
                    **base,
                    "choices": [],
                    "usage": {
                        "prompt_tokens": 9,
                        "completion_tokens": len(words),
                        "total_tokens": 9 + len(words),
                    },
                }
            )
        return as_sse(events)
    return as_json(
        {
            **base,
            "object": "chat.completion",
            "system_fingerprint": "fp_synth",
            "choices": [
                {
                    "index": 0,
                    "message": {"role": "assistant", "content": text},
                    "finish_reason": "stop",
                }
            ],
            "usage": {"prompt_tokens": 9, "completion_tokens": 9, "total_tokens": 18},
        }
    )


# -- embeddings ----------------------------------------------------------------------------------

EMBEDDING_DEFAULT_DIMENSIONS = {"text-embedding-3-small": 1536, "text-embedding-3-large": 3072}


def synth_vector(model: str, text: str, dimensions: int) -> list[float]:
    """A deterministic vector whose values are exact in float32 (multiples of 1/128)."""
    seed = hashlib.sha256(f"{model}\x00{text}".encode()).digest()
    raw = (seed * (dimensions // len(seed) + 1))[:dimensions]
    return [(b - 128) / 128 for b in raw]


@route("POST", "/v1/embeddings", when=_on_api)
def embeddings(req: SynthRequest) -> Answer:
    denied = _api_auth(req)
    if denied is not None:
        return denied
    body = req.json()
    model = str(body.get("model", ""))
    inputs = body.get("input")
    texts = [inputs] if isinstance(inputs, str) else list(inputs or [])
    if not texts or not all(isinstance(t, str) for t in texts):
        return _openai_error(
            "'input' must be a string or a list of strings", "invalid_request_error", None, 400
        )
    if "dimensions" in body and not model.startswith("text-embedding-3"):
        # WIRE: OpenAI's answer to `dimensions` on a model without Matryoshka embeddings.
        return _openai_error(
            "This model does not support specifying dimensions.",
            "invalid_request_error",
            None,
            400,
        )
    dimensions = int(body.get("dimensions") or EMBEDDING_DEFAULT_DIMENSIONS.get(model, 1536))
    as_base64 = body.get("encoding_format") == "base64"
    data = []
    for index, text in enumerate(texts):
        vector = synth_vector(model, text, dimensions)
        embedding: Any = vector
        if as_base64:
            # WIRE: encoding_format="base64" is little-endian float32, base64-encoded.
            packed = struct.pack(f"<{dimensions}f", *vector)
            embedding = base64.b64encode(packed).decode()
        data.append({"object": "embedding", "index": index, "embedding": embedding})
    tokens = sum(len(t.split()) for t in texts)
    # WIRE: OpenAI embedding list ("Create embed"), items deliberately out of order: clients
    # must sort by `index`, the list order is not guaranteed.
    return as_json(
        {
            "object": "list",
            "data": data[::-1],
            "model": model,
            "usage": {"prompt_tokens": tokens, "total_tokens": tokens},
        }
    )


# -- images --------------------------------------------------------------------------------------


def _png(width: int = 2, height: int = 2, rgb: tuple[int, int, int] = (220, 40, 40)) -> bytes:
    """A real, tiny PNG (a red square), so saved files open in any viewer."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    raw = (b"\x00" + bytes(rgb) * width) * height
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(raw, 9))
        + chunk(b"IEND", b"")
    )


TINY_PNG = _png()
TINY_PNG_B64 = base64.b64encode(TINY_PNG).decode()
EDITED_PNG = _png(rgb=(40, 90, 220))
EDITED_PNG_B64 = base64.b64encode(EDITED_PNG).decode()
#: A few bytes that start like an MP4 (an ``ftyp`` box): the CDN body of a video result.
TINY_MP4 = b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom" + b"\x00" * 8

REF_IMAGE_REQUEST = ref_json("gpt-image-1-generate.request.json")


def _image_usage(image_tokens: int = 0) -> dict[str, Any]:
    # REF: gpt-image-1-generate.txt, Responses, "usage" (image tokens added for edits).
    return {
        "input_tokens": 95 + image_tokens,
        "input_tokens_details": {"image_tokens": image_tokens, "text_tokens": 95},
        "output_tokens": 4160,
        "total_tokens": 4255 + image_tokens,
    }


@route("POST", "/v1/images/generations", when=_on_api)
def image_generations(req: SynthRequest) -> Answer:
    denied = _api_auth(req)
    if denied is not None:
        return denied
    body = req.json()
    if body == REF_IMAGE_REQUEST:
        # REF: gpt-image-1-generate.txt, Responses, 200 example, verbatim ("b64_json": "xxxxx").
        return verbatim("gpt-image-1-generate.response.json")
    model = str(body.get("model", ""))
    prompt = str(body.get("prompt", ""))
    n = int(body.get("n") or 1)
    if not prompt:
        return _openai_error("'prompt' is required", "invalid_request_error", None, 400)
    if model.startswith("gpt-image") or body.get("response_format") == "b64_json":
        # REF shape: gpt-image-1-generate.txt response, with a real tiny PNG for "xxxxx".
        return as_json(
            {
                "created": 1748231162,
                "data": [{"b64_json": TINY_PNG_B64} for _ in range(n)],
                "usage": _image_usage(),
            }
        )
    # WIRE: OpenAI DALL-E answer with response_format "url" (dall-e-3's default): data[].url and
    # revised_prompt, the file on YEScale's CDN; no usage.
    key = _digest(model, prompt)
    return as_json(
        {
            "created": 1748231162,
            "data": [
                {
                    "url": f"https://{CDN_HOST}/yescale-{model}-{key}-{i}.png",
                    "revised_prompt": f"A detailed rendering of: {prompt}",
                }
                for i in range(n)
            ],
        }
    )


@dataclass
class FormPart:
    name: str
    filename: str | None
    content_type: str
    data: bytes


def parse_multipart(req: SynthRequest) -> list[FormPart]:
    """The parts of a multipart/form-data body (empty when the body is not multipart)."""
    content_type = req.headers.get("content-type", "")
    if not content_type.startswith("multipart/form-data"):
        return []
    raw = f"Content-Type: {content_type}\r\n\r\n".encode() + req.body
    message = BytesParser(policy=HTTP).parsebytes(raw)
    parts = []
    for part in message.iter_parts():  # type: ignore[attr-defined]
        assert isinstance(part, Message)
        payload = part.get_payload(decode=True)
        parts.append(
            FormPart(
                name=str(part.get_param("name", header="content-disposition") or ""),
                filename=part.get_filename(),
                content_type=part.get_content_type(),
                data=payload if isinstance(payload, bytes) else b"",
            )
        )
    return parts


@route("POST", "/v1/images/edits", when=_on_api)
def image_edits(req: SynthRequest) -> Answer:
    # WIRE: OpenAI image edit (multipart/form-data: model, prompt, image or image[], mask); the
    # answer has the generate body's shape (REF: gpt-image-1-generate.txt), usage counting the
    # input images' tokens.
    denied = _api_auth(req)
    if denied is not None:
        return denied
    parts = parse_multipart(req)
    fields = {p.name: p.data.decode() for p in parts if p.filename is None}
    images = [p for p in parts if p.name in ("image", "image[]") and p.filename]
    if not fields.get("prompt") or not fields.get("model"):
        return _openai_error(
            "'prompt' and 'model' are required", "invalid_request_error", None, 400
        )
    if not images or any(not p.data.startswith(b"\x89PNG") for p in images):
        return _openai_error(
            "Invalid input image: upload PNG files in 'image'", "invalid_request_error", None, 400
        )
    n = int(fields.get("n") or 1)
    return as_json(
        {
            "created": 1748231170,
            "data": [{"b64_json": EDITED_PNG_B64} for _ in range(n)],
            "usage": _image_usage(image_tokens=194 * len(images)),
        }
    )


# -- Gemini --------------------------------------------------------------------------------------

REF_THINKING_REQUEST = ref_json("gemini-thinking.request.json")
REF_STRUCTURED_REQUEST = ref_json("gemini-structured-output.request.json")
HAIKU_PROMPT = "Write a haiku about the sea."
HAIKU_LINES = [
    "Grey waves fold to foam,\n",
    "salt wind combs the silver dunes,\n",
    "the tide keeps time.",
]


def _gemini_error(status: int, message: str, kind: str) -> Answer:
    # WIRE: Gemini REST error object ({"error": {"code", "message", "status"}}).
    return as_json({"error": {"code": status, "message": message, "status": kind}}, status)


def _same_request(body: dict[str, Any], reference: dict[str, Any]) -> bool:
    """The reference request, allowing the ``"role": "user"`` the client adds to contents."""
    contents = [{k: v for k, v in c.items() if k != "role"} for c in body.get("contents", [])]
    return {**body, "contents": contents} == reference


def _gemini_text(body: dict[str, Any]) -> str:
    return " ".join(
        part["text"]
        for content in body.get("contents", [])
        for part in content.get("parts", [])
        if "text" in part
    )


def _gemini_answer(parts: list[dict[str, Any]], usage: dict[str, Any], seed: str) -> Answer:
    # WIRE: Gemini generateContent response (REF shape: gemini-thinking.txt).
    return as_json(
        {
            "candidates": [
                {"content": {"parts": parts, "role": "model"}, "finishReason": "STOP", "index": 0}
            ],
            "usageMetadata": usage,
            "modelVersion": "gemini-2.5-flash",
            "responseId": "synth" + _digest(seed, size=18),
        }
    )


def _usage(prompt: int, candidates: int, thoughts: int = 0) -> dict[str, Any]:
    usage: dict[str, Any] = {
        "promptTokenCount": prompt,
        "candidatesTokenCount": candidates,
        "totalTokenCount": prompt + candidates + thoughts,
        "promptTokensDetails": [{"modality": "TEXT", "tokenCount": prompt}],
    }
    if thoughts:
        usage["thoughtsTokenCount"] = thoughts
    return usage


def _has_image(body: dict[str, Any]) -> bool:
    return any(
        "inlineData" in part
        and part["inlineData"].get("mimeType") == "image/png"
        and base64.b64decode(part["inlineData"]["data"]).startswith(b"\x89PNG")
        for content in body.get("contents", [])
        for part in content.get("parts", [])
    )


@route("POST", "/v1beta/models/", when=_on_api)
def gemini(req: SynthRequest) -> Answer:
    denied = _gemini_auth(req)
    if denied is not None:
        return denied
    model, _, method = req.path.removeprefix("/v1beta/models/").partition(":")
    if not model.startswith("gemini"):
        return _gemini_error(
            404, f"models/{model} is not found for API version v1beta", "NOT_FOUND"
        )
    body = req.json()
    if not body.get("contents"):
        return _gemini_error(
            400, "* GenerateContentRequest.contents: contents is not specified", "INVALID_ARGUMENT"
        )
    if method == "streamGenerateContent":
        if _query(req).get("alt") != "sse":
            return _gemini_error(
                400, "streamGenerateContent here needs alt=sse", "INVALID_ARGUMENT"
            )
        return _gemini_stream(body)
    if method != "generateContent":
        return _gemini_error(404, f"Method {method} not found", "NOT_FOUND")
    if _same_request(body, REF_THINKING_REQUEST):
        # REF: gemini-thinking.txt, Responses, 200 example (thinkingBudget 0), verbatim.
        return verbatim("gemini-thinking.response.json")
    if _same_request(body, REF_STRUCTURED_REQUEST):
        # REF: gemini-structured-output.txt, Responses, 200 example, verbatim.
        return verbatim("gemini-structured-output.response.json")
    thinking = (body.get("generationConfig") or {}).get("thinkingConfig") or {}
    parts: list[dict[str, Any]] = []
    thoughts = 0
    if thinking.get("thinkingBudget", 1) != 0:
        thoughts = 212
        if thinking.get("includeThoughts"):
            # WIRE: Gemini thought summary part ("thought": true) before the answer.
            parts.append(
                {
                    "text": "**Looking at the image**\n\nA single flat colour fills it.",
                    "thought": True,
                }
            )
    system = " ".join(
        p.get("text", "") for p in (body.get("systemInstruction") or {}).get("parts", [])
    )
    if _has_image(body):
        answer = "Red." if "terse" in system.lower() else "The image is a small red square."
    else:
        answer = "Hello! How can I help you today?"
    parts.append({"text": answer})
    return _gemini_answer(parts, _usage(31, len(answer.split()), thoughts), _gemini_text(body))


def _gemini_stream(body: dict[str, Any]) -> Answer:
    # WIRE: Gemini streamGenerateContent?alt=sse: one GenerateContentResponse per `data:` event,
    # no [DONE]; every event carries the running usageMetadata, the last one finishReason STOP
    # and the final counts.
    prompt = _gemini_text(body)
    thinking = (body.get("generationConfig") or {}).get("thinkingConfig") or {}
    pieces = HAIKU_LINES if prompt == HAIKU_PROMPT else ["Hello! ", "How can I help ", "you today?"]
    response_id = "synth" + _digest(prompt, size=18)
    events: list[dict[str, Any]] = []
    thoughts = 0
    if thinking.get("includeThoughts"):
        thoughts = 96
        events.append(
            {
                "candidates": [
                    {
                        "content": {
                            "parts": [
                                {"text": "**Drafting**\n\nThree short lines.", "thought": True}
                            ],
                            "role": "model",
                        },
                        "index": 0,
                    }
                ],
                "usageMetadata": {
                    "promptTokenCount": 8,
                    "totalTokenCount": 8 + thoughts,
                    "thoughtsTokenCount": thoughts,
                },
                "modelVersion": "gemini-2.5-flash",
                "responseId": response_id,
            }
        )
    written = 0
    for i, piece in enumerate(pieces):
        written += len(piece.split())
        last = i == len(pieces) - 1
        candidate: dict[str, Any] = {
            "content": {"parts": [{"text": piece}], "role": "model"},
            "index": 0,
        }
        usage: dict[str, Any] = {"promptTokenCount": 8, "totalTokenCount": 8 + written + thoughts}
        if last:
            candidate["finishReason"] = "STOP"
            usage = _usage(8, written, thoughts)
        events.append(
            {
                "candidates": [candidate],
                "usageMetadata": usage,
                "modelVersion": "gemini-2.5-flash",
                "responseId": response_id,
            }
        )
    return as_sse(events, done=False)


# -- YEScale CDN ---------------------------------------------------------------------------------


@route("GET", "/", when=_on_cdn)
def cdn(req: SynthRequest) -> Answer:
    # WIRE: the YEScale CDN serves stored media as plain public files. It must never be sent our
    # credentials: this answer refuses such a request, so no cassette can record one.
    if any(h in req.headers for h in ("authorization", "x-goog-api-key", "x-api-key", "cookie")):
        return 400, {"content-type": "text/plain"}, b"credentials must not be sent to the CDN"
    if "expired" in req.path:
        # WIRE: a result link past its url_expires_at is removed (REF: media-task-api.txt note).
        return 404, {"content-type": "text/plain"}, b"Not Found"
    if req.path.endswith(".mp4"):
        return 200, {"content-type": "video/mp4"}, TINY_MP4
    if req.path.endswith(".png"):
        return 200, {"content-type": "image/png"}, TINY_PNG
    return 404, {"content-type": "text/plain"}, b"Not Found"


# -- media tasks ---------------------------------------------------------------------------------

REF_SUBMIT_REQUEST = ref_json("media-task-api.submit-request.json")
REF_SUBMIT_TASK: str = ref_json("media-task-api.submit-response.json")["task_id"]
REF_SORA_TASK: str = ref_json("media-task-api.get-response.json")["task_id"]
#: A sora-2 submit with this prompt gets the reference's sora task id (its final body verbatim).
REF_SORA_PROMPT = "A cat surfing a big wave at sunset"
FAIL_REASON = "The prompt was flagged by the upstream provider's content policy."

#: Scripts of (status, progress) that successive polls walk through; the last entry repeats.
SCRIPTS: dict[str, list[tuple[str, str]]] = {
    # Two identical polls in a row: on_progress must not fire for the second.
    "normal": [
        ("QUEUED", "0%"),
        ("IN_PROGRESS", "50%"),
        ("IN_PROGRESS", "50%"),
        ("SUCCESS", "100%"),
    ],
    "fail": [("QUEUED", "0%"), ("IN_PROGRESS", "30%"), ("FAILURE", "100%")],
    "slow": [
        ("IN_PROGRESS", "10%"),
        ("IN_PROGRESS", "20%"),
        ("IN_PROGRESS", "40%"),
        ("IN_PROGRESS", "60%"),
        ("IN_PROGRESS", "80%"),
        ("SUCCESS", "100%"),
    ],
}


@dataclass
class TaskState:
    model: str
    script: str
    polls: int = 0


#: Tasks submitted while synthesizing, per test (so every cassette is independent).
TASKS: dict[tuple[str, str], TaskState] = {}


def _script_for(prompt: str) -> str:
    lowered = prompt.lower()
    if "fail" in lowered:
        return "fail"
    if "slow" in lowered:
        return "slow"
    return "normal"


def _task_id(model: str, prompt: str) -> str:
    if model == "sora-2" and prompt == REF_SORA_PROMPT:
        return REF_SORA_TASK
    slug = "".join(c if c.isalnum() or c in ".-" else "-" for c in model.lower())
    return f"yescale-{slug}-{_digest(model, prompt)}"


@route("POST", "/task/submit", when=_on_api)
def task_submit(req: SynthRequest) -> Answer:
    denied = _api_auth(req)
    if denied is not None:
        return denied
    body = req.json()
    model, prompt = body.get("model"), body.get("prompt")
    if not isinstance(model, str) or not isinstance(prompt, str) or not model or not prompt:
        return _openai_error("model and prompt are required", "invalid_request_error", None, 400)
    if body == REF_SUBMIT_REQUEST:
        TASKS[(req.nodeid, REF_SUBMIT_TASK)] = TaskState(model, "normal")
        # REF: media-task-api.txt, 1. Submit a Task, Success Response (202 Accepted), verbatim.
        return verbatim("media-task-api.submit-response.json", 202)
    task_id = _task_id(model, prompt)
    TASKS[(req.nodeid, task_id)] = TaskState(model, _script_for(prompt))
    # REF shape: media-task-api.txt, 1. Submit a Task, Success Response (202), this task's id.
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


def _task_answer(task_id: str, model: str, status: str, progress: str) -> Answer:
    message = f"YEScale - YESCALE_MEDIA - {model} - Task Result"
    if status == "SUCCESS":
        if task_id == REF_SORA_TASK:
            # REF: media-task-api.txt, 2. Get Task Result, Success Response (200), verbatim.
            return verbatim("media-task-api.get-response.json")
        ext = "mp4" if any(k in model for k in ("sora", "veo", "kling", "hailuo", "wan")) else "png"
        # REF shape: media-task-api.txt, 2. Get Task Result, this task's id and file.
        return as_json(
            {
                "finish_time": 1761576861,
                "message": message,
                "progress": progress,
                "status": status,
                "submit_time": 1761576676,
                "task_id": task_id,
                "task_result": {
                    "note": "Link will be removed at the specified time (GMT+7).",
                    "url": f"https://{CDN_HOST}/{task_id}.{ext}",
                    "url_expires_at": "2025-11-11 21:54:21",
                },
            }
        )
    if status == "FAILURE":
        # WIRE: gateway task conventions (DESIGN.md): FAILURE carries fail_reason.
        return as_json(
            {
                "fail_reason": FAIL_REASON,
                "finish_time": 1761576700,
                "message": message,
                "progress": progress,
                "status": status,
                "submit_time": 1761576676,
                "task_id": task_id,
            }
        )
    # WIRE: gateway task conventions (DESIGN.md): a running status, progress "NN%", no result.
    return as_json(
        {
            "message": message,
            "progress": progress,
            "status": status,
            "submit_time": 1761576676,
            "task_id": task_id,
        }
    )


@route("GET", "/task/", when=_on_api)
def task_get(req: SynthRequest) -> Answer:
    denied = _api_auth(req)
    if denied is not None:
        return denied
    task_id = req.path.removeprefix("/task/")
    state = TASKS.get((req.nodeid, task_id))
    if state is None:
        if task_id == REF_SORA_TASK:
            # REF: media-task-api.txt, 2. Get Task Result, Success Response (200), verbatim.
            return verbatim("media-task-api.get-response.json")
        # WIRE: the gateway's error object for an unknown task id.
        return _openai_error(f"task {task_id} not found", "new_api_error", "task_not_exist", 404)
    script = SCRIPTS[state.script]
    status, progress = script[min(state.polls, len(script) - 1)]
    state.polls += 1
    return _task_answer(task_id, state.model, status, progress)


# -- System API ----------------------------------------------------------------------------------

REF_KEY_ID = ref_json("system-api.apikeylist-response.json")["data"][0]["id"]
REF_KEY_NAME = ref_json("system-api.apikeylist-response.json")["data"][0]["name"]


def _envelope_error(message: str, status: int = 200) -> Answer:
    # WIRE: one-api/new-api envelope for a refused request ({"success": false, "message"}).
    return as_json({"success": False, "message": message}, status)


@route("GET", "/yescale/user", when=_on_system)
def system_user(req: SynthRequest) -> Answer:
    # REF: system-api.txt, 3.1 Get User Information, Example Response, verbatim.
    return _system_auth(req) or verbatim("system-api.user-response.json")


@route("GET", "/yescale/models", when=_on_system)
def system_models(req: SynthRequest) -> Answer:
    # REF: system-api.txt, 3.5 List Models, Example Response, verbatim.
    return _system_auth(req) or verbatim("system-api.models-response.json")


@route("GET", "/yescale/apikeylist", when=_on_system)
def system_apikeylist(req: SynthRequest) -> Answer:
    denied = _system_auth(req)
    if denied is not None:
        return denied
    keyword = _query(req).get("keyword", "")
    if keyword and keyword not in REF_KEY_NAME:
        # REF shape: system-api.txt, 3.2.1 List API Keys: no key's name matches the keyword.
        return as_json({"data": []})
    # REF: system-api.txt, 3.2.1 List API Keys, Example Response, verbatim.
    return verbatim("system-api.apikeylist-response.json")


@route("DELETE", "/yescale/deletekey/", when=_on_system)
def system_deletekey(req: SynthRequest) -> Answer:
    denied = _system_auth(req)
    if denied is not None:
        return denied
    key_id = req.path.rsplit("/", 1)[-1]
    if key_id != str(REF_KEY_ID):
        return _envelope_error(f"API key {key_id} not found")
    # REF: system-api.txt, 3.2.2 Delete API Key, Example Success Response, verbatim.
    return verbatim("system-api.deletekey-response.json")


@route("PUT", "/yescale/editquota/", when=_on_system)
def system_editquota(req: SynthRequest) -> Answer:
    denied = _system_auth(req)
    if denied is not None:
        return denied
    key_id = req.path.rsplit("/", 1)[-1]
    body = req.json()
    quota = body.get("remain_quota") if isinstance(body, dict) else None
    if not req.headers.get("content-type", "").startswith("application/json"):
        return _envelope_error("Content-Type must be application/json", 400)
    if set(body) != {"remain_quota"} or not isinstance(quota, int) or quota < 0:
        return _envelope_error('the body must be {"remain_quota": <non-negative integer>}', 400)
    if key_id != str(REF_KEY_ID):
        return _envelope_error(f"API key {key_id} not found")
    # WIRE: the reference gives no editquota answer; the envelope of 3.2.2's success response.
    return as_json({"message": "", "success": True})


#: WIRE: rows of the gateway's (new-api) task table; the reference does not document the shape.
SYSTEM_TASKS: list[dict[str, Any]] = [
    {
        "id": 90211,
        "created_at": 1761576676,
        "updated_at": 1761576861,
        "task_id": REF_SORA_TASK,
        "platform": "yescale_media",
        "user_id": 2,
        "channel_id": 41,
        "quota": 250000,
        "action": "generate",
        "status": "SUCCESS",
        "fail_reason": "",
        "submit_time": 1761576676,
        "start_time": 1761576680,
        "finish_time": 1761576861,
        "progress": "100%",
    },
    {
        "id": 90212,
        "created_at": 1761580000,
        "updated_at": 1761580041,
        "task_id": "yescale-gpt-image-3bff624161c0",
        "platform": "yescale_media",
        "user_id": 2,
        "channel_id": 43,
        "quota": 20000,
        "action": "generate",
        "status": "FAILURE",
        "fail_reason": FAIL_REASON,
        "submit_time": 1761580000,
        "start_time": 1761580002,
        "finish_time": 1761580041,
        "progress": "100%",
    },
]


@route("GET", "/yescale/task", when=_on_system)
def system_tasks(req: SynthRequest) -> Answer:
    denied = _system_auth(req)
    if denied is not None:
        return denied
    query = _query(req)
    try:
        start, end = int(query["start_timestamp"]), int(query["end_timestamp"])
    except (KeyError, ValueError):
        return _envelope_error("start_timestamp and end_timestamp are required", 400)
    rows = [t for t in SYSTEM_TASKS if start <= int(t["submit_time"]) <= end]
    # WIRE: the one-api/new-api envelope ({"data", "message", "success"}) around the rows.
    return as_json({"data": rows, "message": "", "success": True})


#: WIRE: one-api log rows (type 2 = consumption); the reference does not document the shape.
SYSTEM_LOGS = [
    {
        "id": 5_000_000 + i,
        "user_id": 2,
        "created_at": 1761576000 + 60 * i,
        "type": 2,
        "content": "model ratio 0.075, completion ratio 4",
        "username": "your_username",
        "token_name": "dsdfs",
        "model_name": model,
        "quota": quota,
        "prompt_tokens": 9,
        "completion_tokens": 9,
        "use_time": 1,
        "is_stream": False,
        "channel": 12,
        "token_id": 7136,
        "group": "normal",
    }
    for i, (model, quota) in enumerate(
        [("gpt-4o-mini", 41), ("gemini-2.5-flash", 55), ("text-embedding-3-small", 2)] * 5
    )
]


@route("GET", "/yescale/logs", when=_on_system)
def system_logs(req: SynthRequest) -> Answer:
    denied = _system_auth(req)
    if denied is not None:
        return denied
    query = _query(req)
    try:
        page, size = int(query.get("p", "1")), int(query.get("page_size", "10000"))
    except ValueError:
        return _envelope_error("p and page_size must be integers", 400)
    rows = [r for r in SYSTEM_LOGS if r["model_name"] == query.get("model_name", r["model_name"])]
    start = (page - 1) * size
    # WIRE: the one-api envelope around one page of log rows, newest last.
    return as_json({"data": rows[start : start + size], "message": "", "success": True})
