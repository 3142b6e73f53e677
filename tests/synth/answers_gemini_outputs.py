"""Canned Gemini answers beyond text: images (nano-banana), speech (TTS), code execution and
grounded text with citations, for the chat classes' output tests.

Only for ``tests/integration/test_gemini_outputs.py`` and the Gemini-outputs example's test
(``when=``), at priority 20. The YEScale reference lists these under Gemini's official v1beta
endpoint ("Gemini TTS", "Grounding with Google Search", "URL context", "Function calling -
codeExecution", "Gemini-2.5-flash-image -> Official Endpoint") without response bodies, so every
answer here is ``WIRE``: Google's public ``generateContent`` response format.

* an image model, or ``responseModalities`` with ``IMAGE``: a text part and an ``inlineData``
  PNG, each with a ``thoughtSignature``; the PNG's size follows ``imageConfig.aspectRatio``
  (16:9 -> 16x9 pixels). A request that sends back an earlier image (an edit) gets a blue PNG,
  and is refused (400) when an image part of a model turn lacks its signature, as Gemini refuses
  it;
* ``speechConfig``: ``audio/L16;codec=pcm;rate=24000`` (0.05 s of a tone);
* the ``codeExecution`` tool: text, ``executableCode``, ``codeExecutionResult``, text;
* ``googleSearch`` / ``urlContext``: text with ``groundingMetadata`` (chunks and supports);
* streams (``streamGenerateContent?alt=sse``): one event per part, the last with the finish
  reason, the grounding metadata and the usage.
"""

from __future__ import annotations

import base64
import math
import struct
from typing import Any

from .answers import _digest, _gemini_auth, _gemini_error
from .answers_tools import _png
from .routes import Answer, SynthRequest, as_json, as_sse, route

MINE = ("tests/integration/test_gemini_outputs.py", "tests/integration/test_examples.py")
NOTE = "Here is your picture."
EDITED_NOTE = "I made it blue."
TEXT_SIGNATURE = base64.b64encode(b"synth-signature-text").decode()
IMAGE_SIGNATURE = base64.b64encode(b"synth-signature-image").decode()
RED = (220, 40, 40)
BLUE = (40, 40, 220)
CODE = "print(sum(range(1, 101)))"
CODE_ANSWER = "The sum of 1 to 100 is 5050."
GROUNDED = "Spain won Euro 2024. They beat England 2-1 in the final."
SOURCES = [
    ("https://www.uefa.com/euro2024/", "uefa.com"),
    ("https://en.wikipedia.org/wiki/UEFA_Euro_2024_final", "wikipedia.org"),
]


def _mine(req: SynthRequest) -> bool:
    if not req.path.startswith("/v1beta/models/") or ":embed" in req.path:
        return False
    return req.nodeid.startswith(MINE[0]) or (
        req.nodeid.startswith(MINE[1]) and "gemini_outputs" in req.nodeid
    )


def tone_pcm(seconds: float = 0.05, rate: int = 24000) -> bytes:
    """16-bit little-endian mono PCM of a 440 Hz tone, as Gemini TTS answers."""
    count = int(seconds * rate)
    return b"".join(
        struct.pack("<h", int(8000 * math.sin(2 * math.pi * 440 * i / rate))) for i in range(count)
    )


def _model_images(body: dict[str, Any]) -> list[tuple[int, int, dict[str, Any]]]:
    return [
        (i, j, part)
        for i, content in enumerate(body.get("contents", []))
        if content.get("role") == "model"
        for j, part in enumerate(content.get("parts", []))
        if "inlineData" in part
    ]


def _image_parts(body: dict[str, Any]) -> list[dict[str, Any]] | Answer:
    config = body.get("generationConfig") or {}
    ratio = (config.get("imageConfig") or {}).get("aspectRatio", "1:1")
    width, height = (int(x) for x in ratio.split(":"))
    earlier = _model_images(body)
    for i, j, part in earlier:
        if not part.get("thoughtSignature"):
            # WIRE: Gemini's refusal of a model turn whose image lost its thought signature.
            return _gemini_error(
                400,
                f"Image part is missing a thought_signature in content position {i + 1}, "
                f"part position {j + 1}.",
                "INVALID_ARGUMENT",
            )
    png = _png(width, height, BLUE if earlier else RED)
    return [
        {"text": EDITED_NOTE if earlier else NOTE, "thoughtSignature": TEXT_SIGNATURE},
        {
            "inlineData": {"mimeType": "image/png", "data": base64.b64encode(png).decode()},
            "thoughtSignature": IMAGE_SIGNATURE,
        },
    ]


def _grounding() -> dict[str, Any]:
    first, second = GROUNDED.split(". ", 1)
    first += "."
    start = len(first) + 1
    return {
        "webSearchQueries": ["euro 2024 winner"],
        "groundingChunks": [{"web": {"uri": uri, "title": title}} for uri, title in SOURCES],
        "groundingSupports": [
            {
                "segment": {"startIndex": 0, "endIndex": len(first), "text": first},
                "groundingChunkIndices": [0],
            },
            {
                "segment": {"startIndex": start, "endIndex": len(GROUNDED), "text": second},
                "groundingChunkIndices": [0, 1],
            },
        ],
    }


def _answer(
    model: str, parts: list[dict[str, Any]], grounding: Any, output: int, seed: str
) -> list[Any]:
    """The events of the answer (one when not streamed): candidate parts and final fields."""
    usage = {"promptTokenCount": 12, "candidatesTokenCount": output, "totalTokenCount": 12 + output}
    final: dict[str, Any] = {"finishReason": "STOP", "index": 0}
    if grounding:
        final["groundingMetadata"] = grounding
    return [
        {
            "candidates": [{"content": {"role": "model", "parts": parts}, **final}],
            "usageMetadata": usage,
            "modelVersion": model,
            "responseId": "synth" + _digest(seed, size=18),
        }
    ]


def _split(event: dict[str, Any]) -> list[dict[str, Any]]:
    candidate = event["candidates"][0]
    parts = candidate["content"]["parts"]
    events = []
    for i, part in enumerate(parts):
        last = i == len(parts) - 1
        chunk: dict[str, Any] = {"content": {"role": "model", "parts": [part]}, "index": 0}
        if last:
            chunk.update({k: v for k, v in candidate.items() if k != "content"})
        events.append(
            {
                "candidates": [chunk],
                "modelVersion": event["modelVersion"],
                "responseId": event["responseId"],
                **({"usageMetadata": event["usageMetadata"]} if last else {}),
            }
        )
    return events


@route("POST", "/v1beta/models/", when=_mine, priority=20)
def gemini_outputs(req: SynthRequest) -> Answer:
    denied = _gemini_auth(req)
    if denied is not None:
        return denied
    model, _, method = req.path.removeprefix("/v1beta/models/").partition(":")
    body = req.json()
    config = body.get("generationConfig") or {}
    tools = [name for tool in body.get("tools") or [] for name in tool]
    grounding = None
    if "speechConfig" in config:
        data = base64.b64encode(tone_pcm()).decode()
        parts: list[dict[str, Any]] = [
            {"inlineData": {"mimeType": "audio/L16;codec=pcm;rate=24000", "data": data}}
        ]
        output = 60
    elif "image" in model or "IMAGE" in (config.get("responseModalities") or []):
        image = _image_parts(body)
        if not isinstance(image, list):
            return image
        parts, output = image, 1290
    elif "codeExecution" in tools:
        parts = [
            {"text": "Let me compute it. "},
            {"executableCode": {"language": "PYTHON", "code": CODE}},
            {"codeExecutionResult": {"outcome": "OUTCOME_OK", "output": "5050\n"}},
            {"text": CODE_ANSWER},
        ]
        output = 40
    elif "googleSearch" in tools or "urlContext" in tools:
        first, second = GROUNDED.split(" ", 4)[:4], GROUNDED.split(" ", 4)[4]
        # WIRE: a grounded answer streams in pieces; the metadata comes with the last one
        parts = [{"text": " ".join(first) + " "}, {"text": second}]
        grounding, output = _grounding(), 14
    else:
        parts, output = [{"text": "Hello!"}], 2
    events = _answer(model, parts, grounding, output, req.body.decode())
    if method == "streamGenerateContent":
        return as_sse(_split(events[0]), done=False)
    return as_json(events[0])
