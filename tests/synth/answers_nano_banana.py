"""Canned answers for nano-banana through Gemini's native ``generateContent`` (the image tools).

Only for ``tests/integration/test_tools_nano_banana.py`` (``when=``), at priority 20. The YEScale
reference lists the endpoints ("Gemini-2.5-flash-image -> Official Endpoint": generation, "With
aspectRatio", "Image editing") without bodies, so every answer here is ``WIRE``: the public
Gemini ``generateContent`` response format for image models (``candidates[0].content.parts`` with
``inlineData`` images and optional text, ``usageMetadata`` counting image output tokens,
``promptFeedback.blockReason`` for a blocked prompt). Scripted by the prompt: "blocked" blocks it,
"text only" answers with text and no image; gemini-3-pro-image adds an interim "thought" image
before the final one, as that model does.
"""

from __future__ import annotations

import base64
from typing import Any

from .answers_tools import TINY_PNG, TINY_PNG_B64, _png
from .routes import Answer, SynthRequest, as_json, route

MINE = "tests/integration/test_tools_nano_banana.py"
#: The interim draft gemini-3-pro-image shows as a thought (a blue PNG, never a result).
DRAFT_PNG = _png(rgb=(40, 40, 220))
DRAFT_PNG_B64 = base64.b64encode(DRAFT_PNG).decode()
NOTE = "Here is the image you asked for."
BLOCK_REASON = "PROHIBITED_CONTENT"
TEXT_ONLY = "I can only describe it: a quiet harbour at night, boats asleep under the moon."


def _mine(req: SynthRequest) -> bool:
    return req.nodeid.startswith(MINE) and req.path.endswith(":generateContent")


def _prompt(body: dict[str, Any]) -> str:
    return " ".join(
        part.get("text", "")
        for content in body.get("contents", [])
        for part in content.get("parts", [])
    )


def _inputs(body: dict[str, Any]) -> int:
    return sum(
        1
        for content in body.get("contents", [])
        for part in content.get("parts", [])
        if "inlineData" in part
    )


def _usage(prompt_tokens: int, image_tokens: int) -> dict[str, Any]:
    # WIRE: usageMetadata of an image answer: image output tokens counted in
    # candidatesTokenCount, split by modality in candidatesTokensDetails.
    return {
        "promptTokenCount": prompt_tokens,
        "candidatesTokenCount": image_tokens + 9,
        "totalTokenCount": prompt_tokens + image_tokens + 9,
        "promptTokensDetails": [{"modality": "TEXT", "tokenCount": prompt_tokens}],
        "candidatesTokensDetails": [
            {"modality": "TEXT", "tokenCount": 9},
            {"modality": "IMAGE", "tokenCount": image_tokens},
        ],
    }


@route("POST", "/v1beta/models/", when=_mine, priority=20)
def nano_banana(req: SynthRequest) -> Answer:
    body = req.json()
    model = req.path.removeprefix("/v1beta/models/").partition(":")[0]
    prompt = _prompt(body)
    inputs = _inputs(body)
    prompt_tokens = 12 + 258 * inputs  # WIRE: an input image counts 258 tokens
    if "blocked" in prompt.lower():
        # WIRE: a blocked prompt: no candidates, promptFeedback.blockReason.
        return as_json(
            {
                "promptFeedback": {"blockReason": BLOCK_REASON},
                "usageMetadata": {"promptTokenCount": prompt_tokens, "totalTokenCount": 12},
                "modelVersion": model,
                "responseId": "synth-nano-banana-blocked",
            }
        )
    if "text only" in prompt.lower():
        # WIRE: the model answered with text and no image (finishReason STOP).
        parts: list[dict[str, Any]] = [{"text": TEXT_ONLY}]
        image_tokens = 0
    else:
        # WIRE: a text part and the image as inlineData (base64 PNG).
        parts = [
            {"text": NOTE},
            {"inlineData": {"mimeType": "image/png", "data": TINY_PNG_B64}},
        ]
        image_tokens = 1120 if "gemini-3" in model else 1290
        if "gemini-3" in model:
            # WIRE: gemini-3-pro-image thinks in images: interim drafts are parts marked
            # "thought"; the final image carries a thoughtSignature.
            parts = [
                {"text": "Composing the scene.", "thought": True},
                {"inlineData": {"mimeType": "image/png", "data": DRAFT_PNG_B64}, "thought": True},
                {
                    "inlineData": {"mimeType": "image/png", "data": TINY_PNG_B64},
                    "thoughtSignature": "c3ludGgtc2lnbmF0dXJl",
                },
                {"text": NOTE},
            ]
    return as_json(
        {
            "candidates": [
                {
                    "content": {"role": "model", "parts": parts},
                    "finishReason": "STOP",
                    "index": 0,
                }
            ],
            "usageMetadata": _usage(prompt_tokens, image_tokens),
            "modelVersion": model,
            "responseId": f"synth-nano-banana-{inputs}",
        }
    )


@route(
    "GET",
    "/",
    when=lambda r: r.nodeid.startswith(MINE) and r.host == "cdn.yescale.vip",
    priority=20,
)
def cdn(req: SynthRequest) -> Answer:
    # WIRE: the YEScale CDN serves stored images as plain files (no auth): an input image URL.
    return 200, {"content-type": "image/png"}, TINY_PNG
