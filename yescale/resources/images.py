"""``client.images``: image generation and editing in the OpenAI/DALL-E format."""

from __future__ import annotations

import mimetypes
from collections.abc import Callable, Sequence
from functools import partial
from pathlib import Path
from typing import Any, Union

from .._http import Call, Transport, json_parser
from .._validate import require_text, validate_model
from ..costs.meter import Meter, image_usage
from ..errors import InvalidRequestError, InvalidResponseError, incomplete_answer
from ..models.images import validate_image_params
from ..types.images import ImageGenerateRequest, ImagesResponse

GENERATE_PATH = "/v1/images/generations"
EDIT_PATH = "/v1/images/edits"


def check_images(response: ImagesResponse, what: str) -> None:
    """Refuse an answer without images, or with an item that holds neither ``url`` nor
    ``b64_json`` (the only two ways an image comes back)."""
    if not response.data:
        raise InvalidResponseError(
            f"YEScale answered the {what} with an HTTP success status but no images (empty "
            "'data'). A provider's content filter may have dropped them: try another prompt. "
            "Otherwise a proxy or the gateway misbehaved; retry, or check base_url."
        )
    for number, item in enumerate(response.data, start=1):
        if not item.url and not item.b64_json:
            raise incomplete_answer(what, f"image {number} has no 'url' and no 'b64_json'")


def response_parser(what: str) -> Callable[[bytes], ImagesResponse]:
    """Reads an images answer and checks it (:func:`check_images`)."""
    return json_parser(ImagesResponse, partial(check_images, what=what))


#: An input image: raw bytes, a local path, or ``(filename, bytes, mime type)``.
ImageInput = Union[bytes, Path, tuple[str, bytes, str]]  # noqa: UP007 (runtime alias, py3.10)

_SIGNATURES = (
    (b"\x89PNG", "image/png", "png"),
    (b"\xff\xd8", "image/jpeg", "jpg"),
    (b"RIFF", "image/webp", "webp"),
    (b"GIF8", "image/gif", "gif"),
)


def image_part(image: ImageInput, index: int = 0) -> tuple[str, bytes, str]:
    """A multipart file tuple for an input image, with a stable name (so recordings match)."""
    if isinstance(image, tuple):
        return image
    if isinstance(image, Path):
        mime = mimetypes.guess_type(image.name)[0] or "application/octet-stream"
        return image.name, image.read_bytes(), mime
    if isinstance(image, (bytes, bytearray)):
        for magic, mime, ext in _SIGNATURES:
            if image.startswith(magic):
                return f"image_{index}.{ext}", bytes(image), mime
        return f"image_{index}.png", bytes(image), "image/png"
    raise InvalidRequestError(
        f"An input image must be bytes, a pathlib.Path or (filename, bytes, mime type), got "
        f"{type(image).__name__}. Download URLs first, or use the media task API, which takes URLs."
    )


def build_generate(prompt: str, model: str, params: dict[str, Any]) -> Call[ImagesResponse]:
    require_text(prompt, "prompt", "Describe the image to generate.")
    require_text(model, "model", "e.g. 'gpt-image-1' or 'dall-e-3'.")
    # the model's documented values (yescale.models.images); parameters we know nothing about
    # are passed through for the service to judge
    validate_image_params(model, params, prompt=prompt, unknown="pass")
    body = {"prompt": prompt, "model": model, **params}
    request = validate_model(ImageGenerateRequest, body, "image generation request")
    parse = response_parser(f"image generation for {model!r}")
    meter = Meter(model, image_usage(_count(params)))
    return Call(
        "POST", GENERATE_PATH, parse, json=request.to_wire(), what="image generation", meter=meter
    )


def build_edit(
    image: ImageInput | Sequence[ImageInput],
    prompt: str,
    model: str,
    mask: ImageInput | None,
    params: dict[str, Any],
) -> Call[ImagesResponse]:
    require_text(prompt, "prompt", "Describe the edit to make.")
    require_text(model, "model", "e.g. 'gpt-image-1'.")
    validate_image_params(model, params, prompt=prompt, edit=True, unknown="pass")
    images = (
        list(image) if isinstance(image, (list, tuple)) and not _is_file_tuple(image) else [image]
    )
    if not images:
        raise InvalidRequestError("`image` must hold at least one input image to edit.")
    field = "image[]" if len(images) > 1 else "image"
    files = [(field, image_part(img, i)) for i, img in enumerate(images)]  # type: ignore[arg-type]
    if mask is not None:
        files.append(("mask", image_part(mask, len(images))))
    data = {"prompt": prompt, "model": model}
    data.update({k: str(v) for k, v in params.items() if v is not None})
    parse = response_parser(f"image edit for {model!r}")
    meter = Meter(model, image_usage(_count(params)))
    return Call("POST", EDIT_PATH, parse, data=data, files=files, what="image edit", meter=meter)


def _count(params: dict[str, Any]) -> int:
    """How many images the request asks for (``n``, default 1)."""
    n = params.get("n")
    return n if isinstance(n, int) and not isinstance(n, bool) and n > 0 else 1


def _is_file_tuple(value: Any) -> bool:
    """``(filename, bytes, mime type)``, not a tuple of three images."""
    return (
        isinstance(value, tuple)
        and len(value) == 3
        and isinstance(value[0], str)
        and isinstance(value[1], (bytes, bytearray))
        and isinstance(value[2], str)
    )


class Images:
    """Image generation (``/v1/images/generations``) and editing (``/v1/images/edits``)."""

    def __init__(self, transport: Transport) -> None:
        self._t = transport

    def generate(self, *, prompt: str, model: str = "gpt-image-1", **params: Any) -> ImagesResponse:
        """Generate images. ``params``: ``n``, ``size``, ``quality``, ``background``, ...

        Values a model documents (``n``, ``size``, ``quality``... of gpt-image-1 and dall-e-3)
        are checked before sending: see :mod:`yescale.models.images`.
        """
        return self._t.send(build_generate(prompt, model, params))

    def edit(
        self,
        *,
        image: ImageInput | Sequence[ImageInput],
        prompt: str,
        model: str = "gpt-image-1",
        mask: ImageInput | None = None,
        **params: Any,
    ) -> ImagesResponse:
        """Edit one or more images (multipart upload with a fixed boundary)."""
        return self._t.send(build_edit(image, prompt, model, mask, params))


class AsyncImages:
    """Async twin of :class:`Images`."""

    def __init__(self, transport: Transport) -> None:
        self._t = transport

    async def generate(
        self, *, prompt: str, model: str = "gpt-image-1", **params: Any
    ) -> ImagesResponse:
        return await self._t.asend(build_generate(prompt, model, params))

    async def edit(
        self,
        *,
        image: ImageInput | Sequence[ImageInput],
        prompt: str,
        model: str = "gpt-image-1",
        mask: ImageInput | None = None,
        **params: Any,
    ) -> ImagesResponse:
        return await self._t.asend(build_edit(image, prompt, model, mask, params))
