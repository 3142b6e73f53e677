"""Image generation and editing for tools: validation, input images, saving results.

:class:`ImageGenerator` is the one implementation behind ``YEScaleImageGenerationTool``
(LangChain) and ``YEScaleToolSpec.generate_image`` (LlamaIndex):

1. parameters are checked for the model (:mod:`yescale.models.images`) before any request;
2. input images (an edit) are read from URLs (fetched without our key), allowed local paths,
   bytes or base64 (:mod:`yescale.tools.inputs`);
3. ``b64_json`` results are written to ``output_dir`` with sanitized unique names, or kept as
   bytes when ``output_dir`` is ``None``; URL results are returned (and downloaded into
   ``output_dir`` when one is set: such links expire).

:meth:`ImageResult.summary` is the short text for a model (paths, URLs, never base64);
:meth:`ImageResult.artifact` is the heavy payload for the application.
"""

from __future__ import annotations

import asyncio
import mimetypes
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal
from urllib.parse import urlsplit

from .._fetch import afetch, fetch
from ..costs import Cost
from ..errors import InvalidResponseError
from ..models.images import validate_image_params
from ..types.images import ImagesResponse
from .inputs import (
    InputImage,
    InputPolicy,
    as_list,
    check_public_url,
    checked_image,
    read_local,
    sniff_image,
)
from .outputs import removed_on_failure, reserve, save_bytes, stem_for

if TYPE_CHECKING:
    from .._client import YEScaleClient

ImageValue = str | bytes | os.PathLike[str]
DEFAULT_IMAGE_MODEL = "gpt-image-1"
_FORMAT_MIME = {"png": "image/png", "jpeg": "image/jpeg", "jpg": "image/jpeg", "webp": "image/webp"}


@dataclass
class GeneratedImage:
    """One result image: a saved file, a URL, bytes in memory, or a URL and its download."""

    index: int
    mime: str | None = None
    path: Path | None = None
    url: str | None = None
    data: bytes | None = field(default=None, repr=False)
    revised_prompt: str | None = None

    def describe(self) -> str:
        """One line for a model: where the image is. Never its bytes."""
        parts: list[str] = []
        if self.path is not None:
            parts.append(f"saved to {self.path}")
        if self.url:
            note = "downloaded; the link may expire" if self.path else "the link may expire"
            parts.append(f"URL {self.url} ({note})")
        if self.path is None and self.url is None and self.data is not None:
            parts.append(
                f"{self.mime or 'image'}, {len(self.data)} bytes, kept in memory for the "
                "application (not shown here)"
            )
        text = "; ".join(parts) or "no image data"
        if self.revised_prompt:
            text += f". Revised prompt: {self.revised_prompt}"
        return f"{self.index}. {text}"

    def as_dict(self) -> dict[str, Any]:
        return {
            "index": self.index,
            "mime_type": self.mime,
            "path": str(self.path) if self.path else None,
            "url": self.url,
            "data": self.data,
            "revised_prompt": self.revised_prompt,
        }


@dataclass
class ImageResult:
    """What an image generation or edit produced."""

    model: str
    prompt: str
    operation: Literal["generate", "edit"]
    images: list[GeneratedImage]
    params: dict[str, Any] = field(default_factory=dict)
    inputs: list[str] = field(default_factory=list)
    usage: dict[str, Any] | None = None
    created: int | None = None
    #: the estimated cost of the request (:mod:`yescale.costs`)
    cost: Cost | None = None

    @property
    def paths(self) -> list[Path]:
        return [i.path for i in self.images if i.path is not None]

    @property
    def urls(self) -> list[str]:
        return [i.url for i in self.images if i.url]

    def summary(self) -> str:
        """Short text for a model: what was made and where it is. Never base64."""
        verb = "Edited" if self.operation == "edit" else "Generated"
        count = len(self.images)
        head = f"{verb} {count} image{'s' if count != 1 else ''} with {self.model}"
        if self.inputs:
            head += f" from {len(self.inputs)} input image{'s' if len(self.inputs) != 1 else ''}"
        return head + ":\n" + "\n".join(image.describe() for image in self.images)

    def artifact(self) -> dict[str, Any]:
        """The full result for the application (bytes of in-memory images included)."""
        return {
            "model": self.model,
            "operation": self.operation,
            "prompt": self.prompt,
            "params": dict(self.params),
            "inputs": list(self.inputs),
            "images": [image.as_dict() for image in self.images],
            "usage": self.usage,
            "created": self.created,
            "cost": self.cost.as_dict() if self.cost else None,
        }

    def __str__(self) -> str:
        return self.summary()


class ImageGenerator:
    """Generate or edit images with one model; save results to ``output_dir`` or keep bytes.

    Args:
        client: the :class:`~yescale.YEScaleClient` to call.
        model: ``gpt-image-1`` (default), ``dall-e-3`` or a DALL-E-format model.
        output_dir: folder for results (created if missing); ``None`` keeps bytes in memory.
        allowed_input_dirs: folders input-image paths may come from (none by default).
        defaults: parameters used unless a call gives its own (e.g. ``{"quality": "low"}``).
    """

    def __init__(
        self,
        client: YEScaleClient,
        *,
        model: str = DEFAULT_IMAGE_MODEL,
        output_dir: str | os.PathLike[str] | None = None,
        allowed_input_dirs: Sequence[str | os.PathLike[str]] = (),
        defaults: Mapping[str, Any] | None = None,
    ) -> None:
        self.client = client
        self.model = model
        self.output_dir = Path(output_dir) if output_dir is not None else None
        self.policy = InputPolicy(allowed_input_dirs)
        self.defaults = dict(defaults or {})

    # -- planning (no I/O) ---------------------------------------------------------------------

    def check(
        self, prompt: str, params: Mapping[str, Any], *, edit: bool = False
    ) -> dict[str, Any]:
        """The parameters to send, validated for the model (raises ``ImageParameterError``)."""
        merged = {**self.defaults, **{k: v for k, v in params.items() if v is not None}}
        return validate_image_params(self.model, merged, prompt=prompt, edit=edit)

    # -- sync ----------------------------------------------------------------------------------

    def run(
        self,
        prompt: str,
        *,
        images: ImageValue | Sequence[ImageValue] | None = None,
        mask: ImageValue | None = None,
        **params: Any,
    ) -> ImageResult:
        """Generate (no ``images``) or edit (``images`` given) and collect the results."""
        values = as_list(images)
        clean = self.check(prompt, params, edit=bool(values))
        if not values:
            response = self.client.images.generate(prompt=prompt, model=self.model, **clean)
            return self._collect(response, prompt, clean, "generate", [])
        inputs = [self._read(v) for v in values]
        mask_image = self._read(mask) if mask is not None else None
        response = self.client.images.edit(
            image=[image.part(i) for i, image in enumerate(inputs)],
            prompt=prompt,
            model=self.model,
            mask=mask_image.part(len(inputs)) if mask_image else None,
            **clean,
        )
        return self._collect(response, prompt, clean, "edit", inputs)

    def _read(self, value: ImageValue) -> InputImage:
        local = read_local(value, self.policy)
        if local is not None:
            return local
        url = check_public_url(str(value))
        data, _ = fetch(self.client._transport, url, check=check_public_url)
        return checked_image(data, "url", url, url)

    def _collect(
        self,
        response: ImagesResponse,
        prompt: str,
        params: dict[str, Any],
        operation: Literal["generate", "edit"],
        inputs: list[InputImage],
    ) -> ImageResult:
        result = _result(self.model, response, prompt, params, operation, inputs)
        for item, image in zip(response.data, result.images, strict=True):
            stem = stem_for(self.model, prompt, image.index)
            if image.data is not None and self.output_dir is not None:
                image.path = save_bytes(self.output_dir, stem, _ext(image.mime), image.data)
                image.data = None
            elif item.url and self.output_dir is not None:
                target = reserve(self.output_dir, stem, _url_ext(item.url, params))
                with removed_on_failure(target):
                    image.path = self.client.media.download(item.url, target)
        return result

    # -- async ---------------------------------------------------------------------------------

    async def arun(
        self,
        prompt: str,
        *,
        images: ImageValue | Sequence[ImageValue] | None = None,
        mask: ImageValue | None = None,
        **params: Any,
    ) -> ImageResult:
        """Async twin of :meth:`run`."""
        values = as_list(images)
        clean = self.check(prompt, params, edit=bool(values))
        aio = self.client.aio
        if not values:
            response = await aio.images.generate(prompt=prompt, model=self.model, **clean)
            return await self._acollect(response, prompt, clean, "generate", [])
        inputs = list(await asyncio.gather(*(self._aread(v) for v in values)))
        mask_image = await self._aread(mask) if mask is not None else None
        response = await aio.images.edit(
            image=[image.part(i) for i, image in enumerate(inputs)],
            prompt=prompt,
            model=self.model,
            mask=mask_image.part(len(inputs)) if mask_image else None,
            **clean,
        )
        return await self._acollect(response, prompt, clean, "edit", inputs)

    async def _aread(self, value: ImageValue) -> InputImage:
        local = await asyncio.to_thread(read_local, value, self.policy)
        if local is not None:
            return local
        url = check_public_url(str(value))
        data, _ = await afetch(self.client._transport, url, check=check_public_url)
        return checked_image(data, "url", url, url)

    async def _acollect(
        self,
        response: ImagesResponse,
        prompt: str,
        params: dict[str, Any],
        operation: Literal["generate", "edit"],
        inputs: list[InputImage],
    ) -> ImageResult:
        result = _result(self.model, response, prompt, params, operation, inputs)
        for item, image in zip(response.data, result.images, strict=True):
            stem = stem_for(self.model, prompt, image.index)
            if image.data is not None and self.output_dir is not None:
                image.path = await asyncio.to_thread(
                    save_bytes, self.output_dir, stem, _ext(image.mime), image.data
                )
                image.data = None
            elif item.url and self.output_dir is not None:
                target = await asyncio.to_thread(
                    reserve, self.output_dir, stem, _url_ext(item.url, params)
                )
                with removed_on_failure(target):
                    image.path = await self.client.aio.media.download(item.url, target)
        return result


def _result(
    model: str,
    response: ImagesResponse,
    prompt: str,
    params: dict[str, Any],
    operation: Literal["generate", "edit"],
    inputs: list[InputImage],
) -> ImageResult:
    if not response.data:
        raise InvalidResponseError(
            f"YEScale answered the image {operation} for {model} without any image (empty "
            "'data'). The prompt may have been refused; try another prompt."
        )
    images: list[GeneratedImage] = []
    for index, item in enumerate(response.data, start=1):
        image = GeneratedImage(index=index, url=item.url, revised_prompt=item.revised_prompt)
        if item.b64_json:
            try:
                data = item.image_bytes()
            except ValueError:
                raise InvalidResponseError(
                    f"Image {index} from {model} is not valid base64."
                ) from None
            assert data is not None
            kind = sniff_image(data)
            image.data = data
            image.mime = kind[0] if kind else _FORMAT_MIME.get(params.get("output_format", "png"))
        elif item.url:
            image.mime = mimetypes.guess_type(urlsplit(item.url).path)[0]
        images.append(image)
    usage = response.usage.model_dump(exclude_none=True) if response.usage else None
    return ImageResult(
        model=model,
        prompt=prompt,
        operation=operation,
        images=images,
        params=dict(params),
        inputs=[image.describe() for image in inputs],
        usage=usage,
        created=response.created,
        cost=response.cost,
    )


def _ext(mime: str | None) -> str:
    return {"image/jpeg": "jpg", "image/webp": "webp", "image/gif": "gif"}.get(mime or "", "png")


def _url_ext(url: str, params: Mapping[str, Any]) -> str:
    suffix = Path(urlsplit(url).path).suffix.lstrip(".").lower()
    if suffix in ("png", "jpg", "jpeg", "webp", "gif"):
        return suffix
    return str(params.get("output_format") or "png")
