"""Nano-banana on Gemini's native ``generateContent``: the request to send and the answer's
images, as pure functions (the I/O stays in :class:`~yescale.tools.images.ImageGenerator`).

Request (Google's public wire format; the YEScale reference lists the endpoint without bodies)::

    {"contents": [{"role": "user", "parts": [{"text": prompt},
                                             {"inlineData": {"mimeType": ..., "data": ...}}, ...]}],
     "generationConfig": {"responseModalities": ["TEXT", "IMAGE"],
                          "imageConfig": {"aspectRatio": "16:9", "imageSize": "2K"}}}

The prompt comes first, then the input images of an edit, as in Google's editing example.

Answer: the images are the ``inlineData`` parts of ``candidates[0].content.parts`` (base64);
parts marked ``thought`` (gemini-3-pro-image's interim drafts) are not results; text parts are
the model's note. An answer without an image is an :class:`ImageNotGeneratedError` naming why:
the prompt was blocked (``promptFeedback.blockReason``), the candidate stopped for a reason
(``IMAGE_SAFETY``, ``PROHIBITED_CONTENT``, ``NO_IMAGE``, ...), or the model only wrote text.
"""

from __future__ import annotations

import base64
import binascii
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from ..errors import InvalidResponseError, quote
from ..translate.gemini_generation import gemini_params
from ..types.gemini import Candidate, GenerateContentResponse
from .inputs import InputImage, InputImageError, sniff_image

__all__ = [
    "MAX_INLINE_REQUEST_BYTES",
    "GeminiImageAnswer",
    "ImageNotGeneratedError",
    "check_inline_size",
    "image_contents",
    "image_generation_config",
    "read_image_answer",
]

#: Gemini's limit on a request with inline data (Google: "if the total request size is larger
#: than 20 MB, use the Files API"); counted here as the base64 of the input images.
MAX_INLINE_REQUEST_BYTES = 20 * 1000 * 1000
DEFAULT_MODALITIES = ["TEXT", "IMAGE"]

#: Finish reasons that mean a filter stopped the image (Gemini's ``FinishReason``).
_FILTERED = {
    "SAFETY",
    "IMAGE_SAFETY",
    "PROHIBITED_CONTENT",
    "IMAGE_PROHIBITED_CONTENT",
    "BLOCKLIST",
    "SPII",
    "RECITATION",
    "IMAGE_RECITATION",
}


class ImageNotGeneratedError(InvalidResponseError):
    """A successful ``generateContent`` answer that holds no image.

    ``reason`` says why in a few words; ``block_reason`` is ``promptFeedback.blockReason``,
    ``finish_reason`` / ``finish_message`` the candidate's, and ``model_text`` what the model
    wrote instead (if anything). The message names all of them and what to try.
    """

    def __init__(
        self,
        message: str,
        *,
        model: str,
        reason: str,
        block_reason: str | None = None,
        finish_reason: str | None = None,
        finish_message: str | None = None,
        model_text: str | None = None,
    ) -> None:
        super().__init__(message)
        self.model = model
        self.reason = reason
        self.block_reason = block_reason
        self.finish_reason = finish_reason
        self.finish_message = finish_message
        self.model_text = model_text


@dataclass
class GeminiImageAnswer:
    """The images (bytes, mime type) of an answer, the model's text, and its token counts."""

    images: list[tuple[bytes, str]]
    note: str | None = None
    usage: dict[str, Any] | None = None
    finish_reason: str | None = None


# -- the request ---------------------------------------------------------------------------------


def check_inline_size(inputs: Sequence[InputImage]) -> None:
    """Refuse input images whose base64 passes Gemini's inline request limit (before sending)."""
    encoded = sum(4 * math.ceil(len(image.data) / 3) for image in inputs)
    if encoded > MAX_INLINE_REQUEST_BYTES:
        raise InputImageError(
            f"The {len(inputs)} input images come to {encoded / 1e6:.1f} MB as base64; Gemini "
            f"takes at most {MAX_INLINE_REQUEST_BYTES // 1_000_000} MB of inline data per "
            "request. Send fewer or smaller images."
        )


def image_contents(prompt: str, inputs: Sequence[InputImage]) -> list[dict[str, Any]]:
    """One user turn: the prompt, then each input image as an ``inlineData`` part."""
    parts: list[dict[str, Any]] = [{"text": prompt}]
    for image in inputs:
        data = base64.b64encode(image.data).decode("ascii")
        parts.append({"inlineData": {"mimeType": image.mime, "data": data}})
    return [{"role": "user", "parts": parts}]


def image_generation_config(params: dict[str, Any]) -> dict[str, Any]:
    """``generationConfig`` for validated parameters (``n`` is 1: nothing to send for it), made
    by the one translation of the media switches that the Gemini chat classes use too."""
    switches = {
        "response_modalities": list(params.get("response_modalities") or DEFAULT_MODALITIES),
        "aspect_ratio": params.get("aspect_ratio"),
        "image_size": params.get("image_size"),
    }
    config, _ = gemini_params(switches, None)
    return config


# -- the answer ----------------------------------------------------------------------------------


def _decode(data: Any, index: int, model: str) -> bytes:
    if not isinstance(data, str) or not data:
        raise InvalidResponseError(f"Image {index} from {model} has no base64 data.")
    try:
        return base64.b64decode(data, validate=True)
    except (binascii.Error, ValueError):
        try:
            return base64.urlsafe_b64decode(data)
        except (binascii.Error, ValueError):
            raise InvalidResponseError(f"Image {index} from {model} is not valid base64.") from None


def _inline(part_data: dict[str, Any]) -> tuple[Any, str]:
    mime = part_data.get("mimeType", part_data.get("mime_type"))
    return part_data.get("data"), mime if isinstance(mime, str) else ""


def _refusal(
    model: str, response: GenerateContentResponse, candidate: Candidate | None
) -> ImageNotGeneratedError:
    text = response.text.strip() or None
    block = response.prompt_feedback.block_reason if response.prompt_feedback else None
    finish = candidate.finish_reason if candidate is not None else None
    extra = (candidate.model_extra or {}) if candidate is not None else {}
    finish_message = extra.get("finishMessage", extra.get("finish_message"))
    if not isinstance(finish_message, str):
        finish_message = None
    if block:
        reason = f"the prompt was blocked (promptFeedback.blockReason={block})"
        advice = "Rephrase the prompt; a blocked prompt is not retried."
    elif finish and finish in _FILTERED:
        reason = f"the image was stopped by a content filter (finishReason={finish})"
        advice = "Rephrase the prompt or change the input images."
    elif finish == "NO_IMAGE":
        reason = "the model made no image (finishReason=NO_IMAGE)"
        advice = "Ask for the image explicitly in the prompt (e.g. 'Generate an image of ...')."
    elif text:
        suffix = f", finishReason={finish}" if finish else ""
        reason = f"the model answered with text only{suffix}"
        advice = "Ask for the image explicitly in the prompt (e.g. 'Generate an image of ...')."
    else:
        suffix = f" (finishReason={finish})" if finish else ""
        reason = f"the answer holds no image{suffix}"
        advice = "Try again, or rephrase the prompt."
    message = f"{model} made no image: {reason}."
    if finish_message:
        message += f" Gemini says: {quote(finish_message)}."
    if text:
        message += f" The model wrote: {quote(text, limit=500)}."
    return ImageNotGeneratedError(
        f"{message} {advice}",
        model=model,
        reason=reason,
        block_reason=block,
        finish_reason=finish,
        finish_message=finish_message,
        model_text=text,
    )


def read_image_answer(response: GenerateContentResponse, model: str) -> GeminiImageAnswer:
    """The images of ``response`` (thought drafts left out) and the model's note; raises
    :class:`ImageNotGeneratedError` when there is none, and :class:`InvalidResponseError` for an
    image part that is not base64 of a PNG, JPEG, WEBP or GIF."""
    candidate = response.candidates[0] if response.candidates else None
    images: list[tuple[bytes, str]] = []
    if candidate is not None and candidate.content is not None:
        for part in candidate.content.parts:
            if part.thought or not isinstance(part.inline_data, dict):
                continue
            data, mime = _inline(part.inline_data)
            if mime and not mime.startswith("image/"):
                continue  # not an image (no other modality was asked for)
            index = len(images) + 1
            raw = _decode(data, index, model)
            kind = sniff_image(raw)
            if kind is None:
                raise InvalidResponseError(
                    f"Image {index} from {model} (said to be {mime or 'an image'}) is not a "
                    "PNG, JPEG, WEBP or GIF image; nothing was saved."
                )
            images.append((raw, kind[0]))
    if not images:
        raise _refusal(model, response, candidate)
    usage = response.usage_metadata
    return GeminiImageAnswer(
        images=images,
        note=response.text.strip() or None,
        usage=usage.model_dump(by_alias=True, exclude_none=True) if usage else None,
        finish_reason=candidate.finish_reason if candidate else None,
    )
