"""OpenAI-format image generation and editing (``/v1/images/generations``, ``/v1/images/edits``)."""

from __future__ import annotations

import base64

from pydantic import Field, field_validator

from ._base import Priced, WireModel, none_as_empty


class ImageGenerateRequest(WireModel):
    model: str
    prompt: str
    n: int | None = None
    size: str | None = None
    quality: str | None = None
    background: str | None = None
    moderation: str | None = None
    output_format: str | None = None
    output_compression: int | None = None
    response_format: str | None = None
    style: str | None = None
    user: str | None = None


class ImageData(WireModel):
    b64_json: str | None = None
    url: str | None = None
    revised_prompt: str | None = None

    def image_bytes(self) -> bytes | None:
        """The decoded image when the service returned ``b64_json``, else ``None``."""
        return base64.b64decode(self.b64_json) if self.b64_json else None


class ImageUsage(WireModel):
    input_tokens: int | None = None
    output_tokens: int | None = None
    total_tokens: int | None = None
    input_tokens_details: dict[str, int] | None = None


class ImagesResponse(Priced, WireModel):
    created: int | None = None
    data: list[ImageData] = Field(default_factory=list)
    usage: ImageUsage | None = None

    _null_data = field_validator("data", mode="before")(none_as_empty)
