"""Image generation and editing for tools: validation, input images, saving results.

:class:`ImageGenerator` is the one implementation behind ``YEScaleImageGenerationTool``
(LangChain) and ``YEScaleToolSpec.generate_image`` (LlamaIndex):

1. parameters are checked for the model (:mod:`yescale.models.images`) before any request;
   nano-banana (Gemini's image models) goes to Gemini's native ``generateContent`` with its own
   rules (:mod:`yescale.models.gemini_images`, :mod:`yescale.tools.gemini_images`);
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
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal
from urllib.parse import urlsplit

from .._fetch import afetch, fetch
from .._validate import require_text
from ..errors import InvalidResponseError
from ..models.gemini_images import (
    describe_gemini_image_model,
    gemini_image_rules_for,
    validate_gemini_image_params,
)
from ..models.images import describe_image_model, validate_image_params
from ..types.gemini import GenerateContentResponse
from ..types.images import ImagesResponse
from .gemini_images import (
    check_inline_size,
    image_contents,
    image_generation_config,
    read_image_answer,
)
from .image_results import GeneratedImage, ImageResult, extension_for
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


def image_model_help(model: str) -> str:
    """What ``model`` takes on the route the image tools use for it (tool descriptions):
    aspect ratio for nano-banana, size for the OpenAI/DALL-E-format models."""
    if gemini_image_rules_for(model) is not None:
        return describe_gemini_image_model(model)
    return describe_image_model(model)


_FORMAT_MIME = {"png": "image/png", "jpeg": "image/jpeg", "jpg": "image/jpeg", "webp": "image/webp"}


class ImageGenerator:
    """Generate or edit images with one model; save results to ``output_dir`` or keep bytes.

    Args:
        client: the :class:`~yescale.YEScaleClient` to call.
        model: ``gpt-image-1`` (default), ``dall-e-3``, a DALL-E-format model, or nano-banana
            (``gemini-2.5-flash-image*``, ``gemini-3-pro-image*``, ``nano-banana``,
            ``nano-banana-pro``), which goes to Gemini's native ``generateContent``.
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
        #: the Gemini-native rules when ``model`` is nano-banana; ``None``: ``/v1/images/*``
        self.gemini = gemini_image_rules_for(model)

    # -- planning (no I/O) ---------------------------------------------------------------------

    def check(
        self,
        prompt: str,
        params: Mapping[str, Any],
        *,
        edit: bool = False,
        edit_images: int = 0,
        mask: bool = False,
    ) -> dict[str, Any]:
        """The parameters to send, validated for the model (raises ``ImageParameterError``)."""
        merged = {**self.defaults, **{k: v for k, v in params.items() if v is not None}}
        if self.gemini is None:
            return validate_image_params(self.model, merged, prompt=prompt, edit=edit)
        require_text(prompt, "prompt", "Describe the image to make (or the edit).")
        return validate_gemini_image_params(
            self.model, merged, prompt=prompt, edit_images=edit_images, mask=mask
        )

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
        clean = self.check(
            prompt, params, edit=bool(values), edit_images=len(values), mask=mask is not None
        )
        if self.gemini is not None:
            inputs = [self._read(v) for v in values]
            check_inline_size(inputs)
            answer = self.client.gemini.generate_content(**self._gemini_call(prompt, inputs, clean))
            return self._save(self._gemini_result(answer, prompt, clean, inputs))
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

    # -- nano-banana: Gemini's native generateContent ------------------------------------------

    def _gemini_call(
        self, prompt: str, inputs: list[InputImage], params: dict[str, Any]
    ) -> dict[str, Any]:
        assert self.gemini is not None
        return {
            "model": self.gemini.wire_name(self.model),
            "contents": image_contents(prompt, inputs),
            "generation_config": image_generation_config(params),
        }

    def _gemini_result(
        self,
        response: GenerateContentResponse,
        prompt: str,
        params: dict[str, Any],
        inputs: list[InputImage],
    ) -> ImageResult:
        answer = read_image_answer(response, self.model)
        images = [
            GeneratedImage(index=i, mime=mime, data=data)
            for i, (data, mime) in enumerate(answer.images, start=1)
        ]
        return ImageResult(
            model=self.model,
            prompt=prompt,
            operation="edit" if inputs else "generate",
            images=images,
            params=dict(params),
            inputs=[image.describe() for image in inputs],
            usage=answer.usage,
            cost=response.cost,
            note=answer.note,
        )

    def _save(self, result: ImageResult) -> ImageResult:
        """Write in-memory images to ``output_dir`` (when set)."""
        if self.output_dir is not None:
            for image in result.images:
                if image.data is not None:
                    stem = stem_for(self.model, result.prompt, image.index)
                    image.path = save_bytes(self.output_dir, stem, _ext(image.mime), image.data)
                    image.data = None
        return result

    async def _asave(self, result: ImageResult) -> ImageResult:
        return await asyncio.to_thread(self._save, result)

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
        clean = self.check(
            prompt, params, edit=bool(values), edit_images=len(values), mask=mask is not None
        )
        aio = self.client.aio
        if self.gemini is not None:
            inputs = list(await asyncio.gather(*(self._aread(v) for v in values)))
            check_inline_size(inputs)
            call = self._gemini_call(prompt, inputs, clean)
            answer = await aio.gemini.generate_content(**call)
            return await self._asave(self._gemini_result(answer, prompt, clean, inputs))
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


_ext = extension_for


def _url_ext(url: str, params: Mapping[str, Any]) -> str:
    suffix = Path(urlsplit(url).path).suffix.lstrip(".").lower()
    if suffix in ("png", "jpg", "jpeg", "webp", "gif"):
        return suffix
    return str(params.get("output_format") or "png")
