"""``YEScaleToolSpec``: image generation, media tasks and Gemini structured output for
LlamaIndex agents.

A thin face over :mod:`yescale.tools` (the same implementation as the LangChain tools):
``generate_image`` returns a text block (paths / URLs, never base64) followed by ``ImageBlock``
s; ``generate_media`` / ``get_media_task`` return a :class:`~yescale.tools.MediaOutcome`
(its text is what the agent reads: URL, expiry, task id); ``extract_structured`` returns the
validated data. Media progress is reported as LlamaIndex instrumentation events.
"""

from __future__ import annotations

import inspect
import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from llama_index.core.base.llms.types import ContentBlock, ImageBlock, TextBlock
from llama_index.core.instrumentation import get_dispatcher  # type: ignore[attr-defined]
from llama_index.core.instrumentation.events import BaseEvent
from llama_index.core.tools.function_tool import FunctionTool
from llama_index.core.tools.tool_spec.base import SPEC_FUNCTION_TYPE, BaseToolSpec
from llama_index.core.tools.types import ToolMetadata
from llama_index.core.tools.utils import create_schema_from_function
from pydantic import Field, model_validator

from yescale import InvalidRequestError, YEScaleClient
from yescale.integration.options import ToolOptions
from yescale.integration.progress import media_task_bar
from yescale.models.gemini_images import ASPECT_RATIOS, gemini_image_rules_for
from yescale.models.kinds import check_gemini_model, check_image_model
from yescale.tools import (
    DEFAULT_IMAGE_MODEL,
    DEFAULT_STRUCTURED_MODEL,
    ImageGenerator,
    ImageResult,
    MediaOutcome,
    MediaProgress,
    MediaTaskRunner,
    StructuredExtractor,
    image_model_help,
)

from ._audio_spec import AudioSpecFunctions, AudioSpecOptions
from ._client_params import YEScaleClientParams
from .costs import reporting

dispatcher = get_dispatcher(__name__)


class YEScaleMediaTaskProgressEvent(BaseEvent):
    """A media task was submitted, or its status / progress moved."""

    task_id: str
    status: str
    progress: str | None = None
    percent: float | None = None
    state: str
    model: str | None = None

    @classmethod
    def class_name(cls) -> str:
        return "YEScaleMediaTaskProgressEvent"


class YEScaleMediaTaskResultEvent(BaseEvent):
    """A media task finished (or was handed back unfinished with ``wait=False``)."""

    task_id: str
    state: str
    status: str
    url: str | None = None
    url_expires_at: str | None = None
    path: str | None = None

    @classmethod
    def class_name(cls) -> str:
        return "YEScaleMediaTaskResultEvent"


class YEScaleToolOptions(YEScaleClientParams, ToolOptions, AudioSpecOptions):
    """The tool spec's options: client settings, where results go, what inputs may be read,
    media polling, the structured-output schema, and the audio models and voice."""

    image_model: str = DEFAULT_IMAGE_MODEL
    """``gpt-image-1`` (default), ``dall-e-3``, a DALL-E-format model, or nano-banana
    (``nano-banana``, ``gemini-2.5-flash-image``, ``gemini-3-pro-image-preview``), which goes to
    Gemini's native ``generateContent`` and takes ``aspect_ratio`` (and ``image_size``)."""
    image_params: dict[str, Any] = Field(default_factory=dict)
    """Defaults for every image call (e.g. ``{"quality": "low"}``)."""
    structured_schema: Any = None
    """Pydantic model, TypedDict / type or JSON-schema dict for ``extract_structured``; without
    one, ``extract_structured`` is left out of ``to_tool_list()``."""
    structured_model: str = DEFAULT_STRUCTURED_MODEL
    thinking_budget: int | None = None
    instructions: str | None = None
    """Instructions added to every extraction."""

    _argument_owner = "YEScaleToolSpec"
    _refused_arguments = {
        "model": "set image_model=... (generate_image) and structured_model=... "
        "(extract_structured); generate_media takes its model with each call.",
        "model_name": "set image_model=... (generate_image) and structured_model=... "
        "(extract_structured); generate_media takes its model with each call.",
    }
    _unknown_argument_hint = (
        "Defaults of the image request go in image_params={...}; see YEScaleToolSpec's "
        "docstring for its options."
    )

    @model_validator(mode="after")
    def _check_models(self) -> YEScaleToolOptions:
        check_image_model(self.image_model)  # a chat model here would fail every image call
        check_gemini_model(self.structured_model)
        return self


def _progress(event: MediaProgress) -> None:
    dispatcher.event(YEScaleMediaTaskProgressEvent(**event.as_dict()))


def _result_event(outcome: MediaOutcome) -> None:
    dispatcher.event(
        YEScaleMediaTaskResultEvent(
            task_id=outcome.task_id,
            state=outcome.state,
            status=outcome.status,
            url=outcome.url,
            url_expires_at=outcome.url_expires_at,
            path=str(outcome.path) if outcome.path else None,
        )
    )


def image_blocks(result: ImageResult) -> list[ContentBlock]:
    """A text block with the paths / URLs, then one ``ImageBlock`` per image."""
    blocks: list[ContentBlock] = [TextBlock(text=result.summary())]
    for image in result.images:
        if image.path is not None:
            blocks.append(ImageBlock(path=image.path, image_mimetype=image.mime))
        elif image.url:
            blocks.append(ImageBlock(url=image.url, image_mimetype=image.mime))
        elif image.data is not None:
            blocks.append(ImageBlock(image=image.data, image_mimetype=image.mime))
    return blocks


def _nano_banana_arguments(
    prompt: str,
    aspect_ratio: str | None = None,
    image_size: str | None = None,
    n: int | None = None,
    images: list[str] | None = None,
) -> None:
    """The arguments ``generate_image`` shows an agent for nano-banana (the schema only).

    Args:
        prompt (str): What the image should show (or, with images, the edit to make).
        aspect_ratio (str | None): Aspect ratio, one of ASPECTS (there is no pixel size).
        image_size (str | None): Resolution: '1K', '2K' or '4K' (upper-case K).
        n (int | None): Only 1: one image per call (call again for more).
        images (list[str] | None): Images to edit (no mask: say what to change): URL, base64, path.
    """


_nano_banana_arguments.__doc__ = (_nano_banana_arguments.__doc__ or "").replace(
    "ASPECTS", ", ".join(ASPECT_RATIOS)
)


class JSONDict(dict[str, Any]):
    """A dict whose ``str`` is JSON (what an agent reads from ``extract_structured``)."""

    def __str__(self) -> str:
        return json.dumps(self, ensure_ascii=False)


class JSONList(list[Any]):
    """A list whose ``str`` is JSON."""

    def __str__(self) -> str:
        return json.dumps(self, ensure_ascii=False)


class YEScaleToolSpec(AudioSpecFunctions, BaseToolSpec):
    """YEScale tools for LlamaIndex agents: ``generate_image``, ``generate_media``,
    ``get_media_task``, ``extract_structured``, ``transcribe_audio`` and ``generate_speech``
    (each sync and async).

    .. code-block:: python

        from llama_index.core.agent.workflow import FunctionAgent
        from llama_index.tools.yescale import YEScaleToolSpec

        spec = YEScaleToolSpec(
            output_dir="generated/",        # None: keep image bytes in the ImageBlocks
            allowed_input_dirs=["inputs/"], # folders input images may be read from
            task_timeout=900, wait=True,    # media polling
            structured_schema=Invoice,      # enables extract_structured
        )
        agent = FunctionAgent(tools=spec.to_tool_list(), llm=llm)

    Options (keyword arguments): the client settings (``api_key``, ``base_url``, ``timeout`` per
    HTTP request, ``max_retries``, ``default_headers``, ``http_client``, ``async_http_client``),
    ``output_dir``, ``allowed_input_dirs``, ``image_model`` / ``image_params`` (nano-banana:
    ``generate_image`` then shows the agent ``aspect_ratio`` / ``image_size`` instead of ``size``),
    ``poll_interval`` / ``task_timeout`` / ``wait`` / ``show_progress`` for media,
    ``structured_schema`` / ``structured_model`` / ``thinking_budget`` / ``instructions`` for
    extraction, ``transcription_model`` / ``translation_model`` / ``transcript_format`` for
    ``transcribe_audio`` (recordings only from ``allowed_input_dirs`` or public URLs),
    ``speech_model`` / ``voice`` / ``speech_format`` for ``generate_speech`` (files in
    ``output_dir``), and
    ``sleep`` / ``async_sleep`` / ``clock`` (tests), or a ready ``client=``.

    Progress: :class:`YEScaleMediaTaskProgressEvent` on submit and on each status change, and
    :class:`YEScaleMediaTaskResultEvent` at the end, through LlamaIndex instrumentation
    (add an event handler to ``llama_index.core.instrumentation.get_dispatcher()``).
    ``YEScaleToolSpec(show_progress=True)`` also draws a bar while a media task is waited for
    (terminal or notebook; tqdm when installed, else lines on stderr): task id first, status,
    percent, closed with the reason when the task fails or times out. Off by default.
    """

    spec_functions: list[SPEC_FUNCTION_TYPE] = [
        ("generate_image", "agenerate_image"),
        ("generate_media", "agenerate_media"),
        ("get_media_task", "aget_media_task"),
        ("transcribe_audio", "atranscribe_audio"),
        ("generate_speech", "agenerate_speech"),
        ("extract_structured", "aextract_structured"),
    ]

    def __init__(self, *, client: YEScaleClient | None = None, **options: Any) -> None:
        if client is not None and options.get("api_key") is None:
            options["api_key"] = client.settings.api_key
        self.options = YEScaleToolOptions(**options)
        if client is not None:
            self.options._client = client
        if self.options.structured_schema is None:
            self.spec_functions = [
                f for f in type(self).spec_functions if f[0] != "extract_structured"
            ]
        self._extractor: StructuredExtractor | None = None
        if self.options.structured_schema is not None:
            self._extractor = self._make_extractor()

    @property
    def client(self) -> YEScaleClient:
        return self.options.client

    def get_metadata_from_fn_name(
        self, fn_name: str, spec_functions: list[SPEC_FUNCTION_TYPE] | None = None
    ) -> ToolMetadata | None:
        """Name, the docstring's summary as the description (the arguments are described in
        the JSON schema, not repeated: LlamaIndex caps descriptions at 1024 characters)."""
        func = getattr(self, fn_name)
        doc = inspect.getdoc(func) or ""
        summary = " ".join(doc.partition("Args:")[0].split())
        arguments, ignored = func, []
        if fn_name == "generate_image":  # the arguments of the model's route, not the others'
            rules = gemini_image_rules_for(self.options.image_model)
            if rules is None:
                ignored = ["aspect_ratio", "image_size"]
            else:
                arguments = _nano_banana_arguments
                ignored = [] if "image_size" in rules.params else ["image_size"]
        arguments_doc = inspect.getdoc(arguments) or ""
        params = set(inspect.signature(arguments).parameters)
        described, _ = FunctionTool.extract_param_docs(arguments_doc, params)
        schema = create_schema_from_function(
            fn_name,
            arguments,
            ignore_fields=ignored,
            param_descriptions={k: " ".join(v.split()) for k, v in described.items()},
        )
        if fn_name == "generate_image":
            summary += " " + image_model_help(self.options.image_model)
        elif fn_name == "extract_structured" and self._extractor is not None:
            validator = self._extractor.validator
            fields = ", ".join((validator.json_schema.get("properties") or {}).keys())
            summary += f" Schema: {validator.title}" + (f" ({fields})." if fields else ".")
        return ToolMetadata(name=fn_name, description=summary[:1024], fn_schema=schema)

    # -- helpers -------------------------------------------------------------------------------

    def _images(self) -> ImageGenerator:
        o = self.options
        return o.image_generator(self.client, o.image_model, o.image_params)

    def _media(self) -> MediaTaskRunner:
        return self.options.media_runner(
            self.client, resume_hint="call get_media_task with task_id={task_id!r}"
        )

    @contextmanager
    def _reporting(self) -> Iterator[Callable[[MediaProgress], None]]:
        """The progress callback of one media wait: the instrumentation event, and the bar
        when ``show_progress`` is set (closed when the wait ends, however it ends)."""
        with media_task_bar(show=self.options.show_progress) as bar:
            if bar is None:
                yield _progress
                return
            shown = bar

            def both(event: MediaProgress) -> None:
                _progress(event)
                shown(event)

            yield both

    def _make_extractor(self) -> StructuredExtractor:
        o = self.options
        return StructuredExtractor(
            self.client,
            o.structured_schema,
            model=o.structured_model,
            instructions=o.instructions,
            thinking_budget=o.thinking_budget,
        )

    def _require_extractor(self) -> StructuredExtractor:
        if self._extractor is None:
            raise InvalidRequestError(
                "extract_structured needs a schema: YEScaleToolSpec(structured_schema=MyModel)."
            )
        return self._extractor

    # -- images --------------------------------------------------------------------------------

    def generate_image(
        self,
        prompt: str,
        size: str | None = None,
        quality: str | None = None,
        background: str | None = None,
        n: int | None = None,
        output_format: str | None = None,
        moderation: str | None = None,
        style: str | None = None,
        images: list[str] | None = None,
        mask: str | None = None,
        aspect_ratio: str | None = None,
        image_size: str | None = None,
    ) -> list[ContentBlock]:
        """Generate images from a text prompt, or edit input images when `images` is given.
        Returns where the images are (file paths or URLs) and the images.

        Args:
            prompt (str): What the image should show (or, with images, the edit to make).
            size (str | None): e.g. '1024x1024', '1536x1024', '1024x1536' (model-dependent).
            quality (str | None): e.g. 'high', 'medium', 'low'.
            background (str | None): 'transparent', 'opaque' or 'auto'.
            n (int | None): How many images (default 1).
            output_format (str | None): 'png', 'jpeg' or 'webp'.
            moderation (str | None): 'low' or 'auto' (gpt-image-1).
            style (str | None): 'vivid' or 'natural' (dall-e-3).
            images (list[str] | None): Input images to edit: URLs, base64 or allowed paths.
            mask (str | None): Optional mask for an edit (PNG; transparent areas are redrawn).
            aspect_ratio (str | None): nano-banana: e.g. '16:9' (instead of size).
            image_size (str | None): gemini-3-pro-image: '1K', '2K' or '4K'.
        """
        with reporting("image"):
            result = self._images().run(
                prompt,
                images=images,
                mask=mask,
                size=size,
                quality=quality,
                background=background,
                n=n,
                output_format=output_format,
                moderation=moderation,
                style=style,
                aspect_ratio=aspect_ratio,
                image_size=image_size,
            )  # arguments left at None are dropped there
        return image_blocks(result)

    async def agenerate_image(
        self,
        prompt: str,
        size: str | None = None,
        quality: str | None = None,
        background: str | None = None,
        n: int | None = None,
        output_format: str | None = None,
        moderation: str | None = None,
        style: str | None = None,
        images: list[str] | None = None,
        mask: str | None = None,
        aspect_ratio: str | None = None,
        image_size: str | None = None,
    ) -> list[ContentBlock]:
        """Async twin of :meth:`generate_image`."""
        with reporting("image"):
            result = await self._images().arun(
                prompt,
                images=images,
                mask=mask,
                size=size,
                quality=quality,
                background=background,
                n=n,
                output_format=output_format,
                moderation=moderation,
                style=style,
                aspect_ratio=aspect_ratio,
                image_size=image_size,
            )
        return image_blocks(result)

    # -- media ---------------------------------------------------------------------------------

    def generate_media(
        self,
        model: str,
        prompt: str,
        size: str | None = None,
        aspect_ratio: str | None = None,
        duration: int | None = None,
        images: list[str] | None = None,
        config: dict[str, Any] | None = None,
    ) -> MediaOutcome:
        """Generate a video or image with a YEScale Media model (sora-2, sora-2-pro, veo3.1,
        veo3.1-pro, kling-2.5-turbo, hailuo-2.3, seedream-4.0, wan2.5-i2v-preview, nano-banana,
        gpt-image, imagen4, flux-kontext). Returns the result URL (it expires) or a task id to
        check later with get_media_task.

        Args:
            model (str): The media model.
            prompt (str): What to generate.
            size (str | None): e.g. '1280x720'.
            aspect_ratio (str | None): e.g. '16:9'.
            duration (int | None): Video length in seconds.
            images (list[str] | None): Input images: http(s) URLs, base64, or allowed file paths.
            config (dict | None): Other model-specific parameters, sent as given.
        """
        with reporting("media"), self._reporting() as progress:
            outcome = self._media().generate(
                model,
                prompt,
                config,
                on_progress=progress,
                size=size,
                aspect_ratio=aspect_ratio,
                duration=duration,
                images=images,
            )
        _result_event(outcome)
        return outcome

    async def agenerate_media(
        self,
        model: str,
        prompt: str,
        size: str | None = None,
        aspect_ratio: str | None = None,
        duration: int | None = None,
        images: list[str] | None = None,
        config: dict[str, Any] | None = None,
    ) -> MediaOutcome:
        """Async twin of :meth:`generate_media`."""
        with reporting("media"), self._reporting() as progress:
            outcome = await self._media().agenerate(
                model,
                prompt,
                config,
                on_progress=progress,
                size=size,
                aspect_ratio=aspect_ratio,
                duration=duration,
                images=images,
            )
        _result_event(outcome)
        return outcome

    def get_media_task(self, task_id: str) -> MediaOutcome:
        """Check on a media task started earlier (waits for it when the tool is set to wait),
        e.g. after a timeout or a task submitted without waiting. Returns its status or result.

        Args:
            task_id (str): The task id generate_media returned.
        """
        with self._reporting() as progress:
            outcome = self._media().get(task_id, on_progress=progress)
        _result_event(outcome)
        return outcome

    async def aget_media_task(self, task_id: str) -> MediaOutcome:
        """Async twin of :meth:`get_media_task`."""
        with self._reporting() as progress:
            outcome = await self._media().aget(task_id, on_progress=progress)
        _result_event(outcome)
        return outcome

    # -- structured output ---------------------------------------------------------------------

    def extract_structured(self, text: str, instructions: str | None = None) -> Any:
        """Extract structured data from a text; returns JSON matching the configured schema.

        Args:
            text (str): The text to extract the data from.
            instructions (str | None): Optional extra instructions for this extraction.
        """
        with reporting("llm"):
            result = self._require_extractor().extract(text, instructions)
        return _json_value(result.data)

    async def aextract_structured(self, text: str, instructions: str | None = None) -> Any:
        """Async twin of :meth:`extract_structured`."""
        with reporting("llm"):
            result = await self._require_extractor().aextract(text, instructions)
        return _json_value(result.data)


def _json_value(data: Any) -> Any:
    if isinstance(data, dict):
        return JSONDict(data)
    if isinstance(data, list):
        return JSONList(data)
    return data


__all__ = [
    "YEScaleMediaTaskProgressEvent",
    "YEScaleMediaTaskResultEvent",
    "YEScaleToolOptions",
    "YEScaleToolSpec",
]
