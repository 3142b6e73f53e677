"""LangChain tools over YEScale: image generation, media tasks, Gemini structured output.

Thin faces over :mod:`yescale.tools`: the validation, input handling, polling and saving live
there, shared with ``llama_index_yescale.YEScaleToolSpec``.

The image and media tools use ``response_format="content_and_artifact"``: the model sees a short
text (file paths, URLs, task id, link expiry), and the heavy payload (image bytes, the full task)
is the ``ToolMessage.artifact``. Base64 never enters the model's context.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Annotated, Any, Literal

from langchain_core.callbacks import (
    AsyncCallbackManagerForToolRun,
    CallbackManagerForToolRun,
    adispatch_custom_event,
    dispatch_custom_event,
)
from langchain_core.tools import BaseTool
from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, WithJsonSchema, model_validator

from yescale.integration.progress import media_task_bar
from yescale.models.gemini_images import ASPECT_RATIOS, IMAGE_SIZES, gemini_image_rules_for
from yescale.models.kinds import check_gemini_model, check_image_model
from yescale.tools import (
    DEFAULT_IMAGE_MODEL,
    DEFAULT_STRUCTURED_MODEL,
    MEDIA_MODELS,
    ImageGenerator,
    MediaOutcome,
    MediaProgress,
    MediaTaskRunner,
    StructuredExtractor,
    image_model_help,
)

from ._tool_params import (
    YEScaleImageNotGeneratedToolError,
    YEScaleStructuredOutputToolError,
    YEScaleTaskFailedToolError,
    YEScaleTaskTimeoutToolError,
    YEScaleToolInputError,
    YEScaleToolParams,
    tool_errors,
)

#: Name of the custom event a media tool dispatches on submit and on each status change; its
#: data is :meth:`yescale.tools.MediaProgress.as_dict` (``task_id``, ``status``, ``progress``,
#: ``percent``, ``state``, ``model``).
MEDIA_PROGRESS_EVENT = "yescale_media_progress"

_IMAGES_SCHEMA = WithJsonSchema(
    {
        "anyOf": [{"type": "array", "items": {"type": "string"}}, {"type": "null"}],
        "default": None,
        "description": "Input images to edit (switches to image editing): http(s) URLs, "
        "base64 / data: URIs, or file paths inside the folders the tool may read.",
    }
)
_MASK_SCHEMA = WithJsonSchema(
    {
        "anyOf": [{"type": "string"}, {"type": "null"}],
        "default": None,
        "description": "Optional mask for an edit (PNG with transparent areas to repaint): URL, "
        "base64 or allowed path.",
    }
)


class ImageGenerationInput(BaseModel):
    """Arguments of :class:`YEScaleImageGenerationTool`."""

    prompt: str = Field(description="What the image should show (or, with images, the edit).")
    size: str | None = Field(default=None, description="e.g. '1024x1024' (model-dependent).")
    quality: str | None = Field(default=None, description="e.g. 'high', 'medium', 'low'.")
    background: str | None = Field(
        default=None, description="'transparent', 'opaque' or 'auto' (gpt-image-1)."
    )
    n: int | None = Field(default=None, description="How many images (default 1).")
    moderation: str | None = Field(default=None, description="'low' or 'auto' (gpt-image-1).")
    output_format: str | None = Field(
        default=None, description="'png', 'jpeg' or 'webp' (gpt-image-1)."
    )
    style: str | None = Field(default=None, description="'vivid' or 'natural' (dall-e-3).")
    images: Annotated[list[str | bytes] | None, _IMAGES_SCHEMA] = None
    mask: Annotated[str | bytes | None, _MASK_SCHEMA] = None


_GEMINI_IMAGES_SCHEMA = WithJsonSchema(
    {
        "anyOf": [{"type": "array", "items": {"type": "string"}}, {"type": "null"}],
        "default": None,
        "description": "Input images to edit (switches to image editing; no mask: say in the "
        "prompt what to change): http(s) URLs, base64 / data: URIs, or file paths inside the "
        "folders the tool may read.",
    }
)


class NanoBananaImageInput(BaseModel):
    """Arguments of :class:`YEScaleImageGenerationTool` for nano-banana (gemini-2.5-flash-image
    on Gemini's native ``generateContent``): an aspect ratio instead of a size.

    Arguments not listed (``size``, ``quality``...) are kept, so that the tool refuses them
    with what to give instead rather than dropping them unseen."""

    model_config = ConfigDict(extra="allow", json_schema_extra={"additionalProperties": False})

    prompt: str = Field(description="What the image should show (or, with images, the edit).")
    aspect_ratio: str | None = Field(
        default=None,
        description="Aspect ratio: " + ", ".join(ASPECT_RATIOS) + " (there is no pixel size).",
    )
    n: int | None = Field(
        default=None, description="Only 1: one image per call (call again for more)."
    )
    images: Annotated[list[str | bytes] | None, _GEMINI_IMAGES_SCHEMA] = None


class NanoBananaProImageInput(NanoBananaImageInput):
    """Arguments for gemini-3-pro-image (nano-banana-pro): also ``image_size``."""

    image_size: str | None = Field(
        default=None,
        description="Resolution: " + ", ".join(f"'{s}'" for s in IMAGE_SIZES) + " (upper-case K).",
    )


class YEScaleImageGenerationTool(YEScaleToolParams, BaseTool):  # type: ignore[override]
    """Generate or edit images through YEScale (``/v1/images/generations`` and ``/edits``; for
    nano-banana, Gemini's native ``generateContent``).

    Setup:
        ``pip install "yescale-integrations[langchain]"`` and ``export YESCALE_API_KEY=...``.

    Instantiate:
        .. code-block:: python

            from langchain_yescale import YEScaleImageGenerationTool

            tool = YEScaleImageGenerationTool(
                model="gpt-image-1",          # or "dall-e-3", "imagen-4.0-...", "flux-...", ...
                output_dir="generated/",      # None: keep image bytes in the artifact
                allowed_input_dirs=["inputs/"],  # folders edits may read (none by default)
            )

    Invoke:
        .. code-block:: python

            msg = tool.invoke(
                {"type": "tool_call", "id": "1", "name": tool.name,
                 "args": {"prompt": "a red fox in snow", "size": "1536x1024"}}
            )
            msg.content    # "Generated 1 image with gpt-image-1:\\n1. saved to generated/...png"
            msg.artifact   # {"images": [{"path": ..., "data": None, ...}], "usage": ...}

    Parameters are checked per model before any request; a value the model does not take
    raises a ``ToolException`` listing the allowed values (returned to the model by default,
    see ``handle_tool_error``). Giving ``images`` edits them (URLs fetched without your key,
    paths only under ``allowed_input_dirs``, bytes, base64).

    Nano-banana (``model="nano-banana"``, ``"gemini-2.5-flash-image"``,
    ``"gemini-3-pro-image-preview"``, ``"nano-banana-pro"``) goes to Gemini's native
    ``generateContent``: the agent sees ``aspect_ratio`` (and ``image_size`` for the 3-pro
    model) instead of ``size``, one image per call; text the model writes beside the image is
    the result's ``note``. A prompt Gemini refuses (blocked, ``IMAGE_SAFETY``, ``NO_IMAGE``,
    text only) is a ``YEScaleImageNotGeneratedToolError`` naming the reason.
    """

    model_config = ConfigDict(populate_by_name=True, arbitrary_types_allowed=True)

    name: str = "yescale_image_generation"
    description: str = ""
    args_schema: type[BaseModel] = ImageGenerationInput  # type: ignore[assignment]
    response_format: Literal["content", "content_and_artifact"] = "content_and_artifact"
    _unknown_argument_hint = (
        "Defaults of the image request (size, quality, n...) go in image_params={...}."
    )

    model: str = DEFAULT_IMAGE_MODEL
    """Image model: ``gpt-image-1`` (default), ``dall-e-3``, a DALL-E-format model, or
    nano-banana (Gemini-native ``generateContent``)."""
    image_params: dict[str, Any] = Field(default_factory=dict)
    """Defaults for every call (e.g. ``{"quality": "low"}`` or ``{"response_format": "url"}``),
    validated like the model's arguments."""

    @model_validator(mode="after")
    def _describe(self) -> YEScaleImageGenerationTool:
        check_image_model(self.model)  # a chat or video model here would fail every call
        rules = gemini_image_rules_for(self.model)
        if rules is not None and self.args_schema is ImageGenerationInput:
            pro = "image_size" in rules.params
            self.args_schema = NanoBananaProImageInput if pro else NanoBananaImageInput
        if not self.description:
            self.description = (
                f"Generate images from a text prompt with {self.model}, or edit input images "
                "(pass `images`). Returns where the images are (file paths or URLs). "
                + image_model_help(self.model)
            )
        return self

    def _generator(self) -> ImageGenerator:
        return self.image_generator(self.client, self.model, self.image_params)

    def _run(
        self,
        prompt: str,
        images: list[str | bytes] | None = None,
        mask: str | bytes | None = None,
        run_manager: CallbackManagerForToolRun | None = None,
        **params: Any,
    ) -> tuple[str, dict[str, Any]]:
        with tool_errors():
            result = self._generator().run(prompt, images=images, mask=mask, **params)
        return result.summary(), result.artifact()

    async def _arun(
        self,
        prompt: str,
        images: list[str | bytes] | None = None,
        mask: str | bytes | None = None,
        run_manager: AsyncCallbackManagerForToolRun | None = None,
        **params: Any,
    ) -> tuple[str, dict[str, Any]]:
        with tool_errors():
            result = await self._generator().arun(prompt, images=images, mask=mask, **params)
        return result.summary(), result.artifact()


# -- media tasks ---------------------------------------------------------------------------------


class MediaTaskInput(BaseModel):
    """Arguments of :class:`YEScaleMediaTaskTool`."""

    model: str | None = Field(
        default=None,
        description="Media model, e.g. " + ", ".join(MEDIA_MODELS) + ". Needed for a new task.",
    )
    prompt: str | None = Field(default=None, description="What to generate. Needed for a new task.")
    size: str | None = Field(default=None, description="e.g. '1280x720' or '1024x1024'.")
    aspect_ratio: str | None = Field(default=None, description="e.g. '16:9'.")
    duration: int | None = Field(default=None, description="Video length in seconds.")
    images: list[str] | None = Field(
        default=None,
        description="Input images (image-to-image / image-to-video): http(s) URLs, base64, or "
        "file paths inside the folders the tool may read.",
    )
    config: dict[str, Any] | None = Field(
        default=None, description="Other model-specific parameters, sent as given."
    )
    task_id: str | None = Field(
        default=None,
        description="Check on (and wait for) an earlier task instead of submitting a new one.",
    )


class YEScaleMediaTaskTool(YEScaleToolParams, BaseTool):  # type: ignore[override]
    """Generate video and images with YEScale Media tasks (``POST /task/submit``, then
    ``GET /task/{task_id}``): sora-2, veo3.1, kling, hailuo, seedream, wan, nano-banana, ...

    Instantiate:
        .. code-block:: python

            from langchain_yescale import YEScaleMediaTaskTool

            tool = YEScaleMediaTaskTool(
                output_dir="videos/",   # download results (links expire); None: URLs only
                poll_interval=5, task_timeout=900,
                wait=True,              # False: return the task id at once
                show_progress=True,     # a progress bar while waiting (off by default)
            )
            tool.invoke({"model": "sora-2", "prompt": "a cat surfing", "duration": 8})

    The payload is ``{"model", "prompt", "config"}`` sent exactly as given; ``size``,
    ``aspect_ratio``, ``duration`` and ``images`` are merged into ``config``. Input-image paths
    (only under ``allowed_input_dirs``) are sent as base64 ``data:`` URIs.

    Progress: a custom event named ``"yescale_media_progress"`` is dispatched to the callbacks
    on submit and whenever status or progress move (``on_custom_event`` in a handler,
    ``astream_events`` in LCEL / LangGraph); its data is ``task_id``, ``status``,
    ``progress``, ``percent``, ``state`` and ``model``. That is the way to run your own code
    on progress (there is no ``on_progress`` field: a handler passed in
    ``config={"callbacks": [...]}`` also sees the events of tools deep inside an agent, and
    traces record them). ``show_progress=True`` draws a bar while the tool waits, in a
    terminal or notebook (tqdm when installed, else lines on stderr): task id first, status,
    percent, closed with the reason when the task fails or times out. Off by default: the tool
    prints nothing unasked. The events are dispatched either way.

    .. code-block:: python

        from langchain_core.callbacks import BaseCallbackHandler

        class MediaProgress(BaseCallbackHandler):
            def on_custom_event(self, name, data, **kwargs):
                if name == "yescale_media_progress":
                    print(data["task_id"], data["status"], data["percent"])

        tool.invoke(args, config={"callbacks": [MediaProgress()]})

    Errors: a failed task raises ``YEScaleTaskFailedToolError`` (a ``yescale.TaskFailedError``
    with ``reason``); ``task_timeout`` raises ``YEScaleTaskTimeoutToolError`` (a
    ``yescale.TaskTimeoutError`` with ``task_id``): call the tool again with ``task_id`` to
    resume. Both are ``ToolException`` s, so by default the model reads them.

    Result links expire (``url_expires_at``, GMT+7): the content says when; set ``output_dir``
    to keep the files.
    """

    model_config = ConfigDict(populate_by_name=True, arbitrary_types_allowed=True)

    name: str = "yescale_media_task"
    description: str = (
        "Generate a video or image with a YEScale Media model (" + ", ".join(MEDIA_MODELS) + "). "
        "Give model and prompt (and optionally size, aspect_ratio, duration, images, config); "
        "returns the result URL (which expires) or, for long tasks, a task id to check later by "
        "calling again with task_id."
    )
    args_schema: type[BaseModel] = MediaTaskInput  # type: ignore[assignment]
    response_format: Literal["content", "content_and_artifact"] = "content_and_artifact"
    _refused_arguments = {
        "model": "the media model is an argument of each call (the agent chooses it).",
        "model_name": "the media model is an argument of each call (the agent chooses it).",
    }
    _unknown_argument_hint = "Per-task parameters (size, duration, config) are call arguments."

    def _runner(self) -> MediaTaskRunner:
        return self.media_runner(
            self.client, resume_hint=f"call {self.name} again with task_id={{task_id!r}}"
        )

    @staticmethod
    def _check(model: str | None, prompt: str | None, task_id: str | None) -> None:
        if not task_id and not (model and prompt):
            raise YEScaleToolInputError(
                "Give `model` and `prompt` to start a media task, or `task_id` to check on an "
                "earlier one. Models: " + ", ".join(MEDIA_MODELS) + "."
            )

    def _run(
        self,
        model: str | None = None,
        prompt: str | None = None,
        config: dict[str, Any] | None = None,
        task_id: str | None = None,
        run_manager: CallbackManagerForToolRun | None = None,
        **standard: Any,
    ) -> tuple[str, dict[str, Any]]:
        child = {"callbacks": run_manager.get_child()} if run_manager is not None else None
        with tool_errors(), media_task_bar(show=self.show_progress) as bar:
            progress: Callable[[MediaProgress], None] | None = None
            if child is not None or bar is not None:

                def progress(event: MediaProgress) -> None:
                    if child is not None:
                        dispatch_custom_event(MEDIA_PROGRESS_EVENT, event.as_dict(), config=child)  # type: ignore[arg-type]
                    if bar is not None:
                        bar(event)

            self._check(model, prompt, task_id)
            runner = self._runner()
            outcome: MediaOutcome
            if task_id:
                outcome = runner.get(task_id, on_progress=progress, model=model)
            else:
                assert model is not None
                assert prompt is not None
                outcome = runner.generate(model, prompt, config, on_progress=progress, **standard)
        return outcome.summary(), outcome.artifact()

    async def _arun(
        self,
        model: str | None = None,
        prompt: str | None = None,
        config: dict[str, Any] | None = None,
        task_id: str | None = None,
        run_manager: AsyncCallbackManagerForToolRun | None = None,
        **standard: Any,
    ) -> tuple[str, dict[str, Any]]:
        child = {"callbacks": run_manager.get_child()} if run_manager is not None else None
        with tool_errors(), media_task_bar(show=self.show_progress) as bar:
            progress = None
            if child is not None or bar is not None:

                async def progress(event: MediaProgress) -> None:
                    if child is not None:
                        await adispatch_custom_event(
                            MEDIA_PROGRESS_EVENT,
                            event.as_dict(),
                            config=child,  # type: ignore[arg-type]
                        )
                    if bar is not None:
                        bar(event)

            self._check(model, prompt, task_id)
            runner = self._runner()
            if task_id:
                outcome = await runner.aget(task_id, on_progress=progress, model=model)
            else:
                assert model is not None
                assert prompt is not None
                outcome = await runner.agenerate(
                    model, prompt, config, on_progress=progress, **standard
                )
        return outcome.summary(), outcome.artifact()


# -- Gemini structured output --------------------------------------------------------------------


class StructuredOutputInput(BaseModel):
    """Arguments of :class:`YEScaleGeminiStructuredOutputTool`."""

    text: str = Field(description="The text to extract the data from.")
    instructions: str | None = Field(
        default=None, description="Optional extra instructions for this extraction."
    )


class YEScaleGeminiStructuredOutputTool(YEScaleToolParams, BaseTool):  # type: ignore[override]
    """Extract typed data from text with Gemini's native structured output on YEScale.

    .. code-block:: python

        from pydantic import BaseModel
        from langchain_yescale import YEScaleGeminiStructuredOutputTool

        class Invoice(BaseModel):
            number: str
            total: float
            currency: str

        tool = YEScaleGeminiStructuredOutputTool(schema=Invoice, model="gemini-2.5-flash",
                                                 thinking_budget=0)
        tool.invoke({"text": "Invoice INV-7: 120.50 EUR"})
        # {"number": "INV-7", "total": 120.5, "currency": "EUR"}

    ``schema``: a pydantic model, a ``TypedDict`` / type, or a JSON-schema dict. The call uses
    ``responseMimeType: application/json`` and ``responseSchema``; the answer is validated
    against the schema and returned as a dict (a JSON string when the schema's top level is not
    an object). JSON that is invalid or does not match raises
    ``YEScaleStructuredOutputToolError`` with the raw text.
    """

    model_config = ConfigDict(populate_by_name=True, arbitrary_types_allowed=True)

    name: str = "yescale_gemini_structured_output"
    description: str = ""
    args_schema: type[BaseModel] = StructuredOutputInput  # type: ignore[assignment]
    _unknown_argument_hint = "Other generationConfig fields go in generation_config={...}."

    schema_: Any = Field(alias="schema")
    """Pydantic model class, TypedDict / type, or JSON-schema dict."""
    model: str = DEFAULT_STRUCTURED_MODEL
    """Gemini model (default ``gemini-2.5-flash``)."""
    instructions: str | None = None
    """Instructions added to every extraction."""
    thinking_budget: int | None = None
    """Thinking tokens: ``0`` off (Flash), ``-1`` dynamic, ``None`` the model's default."""
    temperature: float | None = None
    generation_config: dict[str, Any] | None = None
    """Extra Gemini ``generationConfig`` fields, sent as given."""

    _extractor: StructuredExtractor | None = PrivateAttr(default=None)

    def __init__(self, schema: Any = None, **kwargs: Any) -> None:
        # ``schema`` is the field ``schema_`` (a field named ``schema`` would shadow
        # ``BaseModel.schema``); this signature lets type checkers see ``schema=``.
        if schema is not None:
            kwargs["schema"] = schema
        super().__init__(**kwargs)

    @model_validator(mode="after")
    def _describe(self) -> YEScaleGeminiStructuredOutputTool:
        check_gemini_model(self.model)
        extractor = self._get_extractor()  # checks the schema now, not at the first call
        if not self.description:
            about = (
                f" ({extractor.validator.description})" if extractor.validator.description else ""
            )
            fields = ", ".join((extractor.validator.json_schema.get("properties") or {}).keys())
            self.description = (
                f"Extract structured data as {extractor.validator.title}{about} from a text. "
                + (f"Fields: {fields}. " if fields else "")
                + "Pass the text (and optional instructions); returns JSON matching the schema."
            )
        return self

    def _get_extractor(self) -> StructuredExtractor:
        if self._extractor is None:
            self._extractor = StructuredExtractor(
                self.client,
                self.schema_,
                model=self.model,
                instructions=self.instructions,
                thinking_budget=self.thinking_budget,
                temperature=self.temperature,
                generation_config=self.generation_config,
            )
        return self._extractor

    @staticmethod
    def _output(data: Any) -> dict[str, Any] | str:
        return data if isinstance(data, dict) else json.dumps(data, ensure_ascii=False)

    def _run(
        self,
        text: str,
        instructions: str | None = None,
        run_manager: CallbackManagerForToolRun | None = None,
    ) -> dict[str, Any] | str:
        with tool_errors():
            result = self._get_extractor().extract(text, instructions)
        return self._output(result.data)

    async def _arun(
        self,
        text: str,
        instructions: str | None = None,
        run_manager: AsyncCallbackManagerForToolRun | None = None,
    ) -> dict[str, Any] | str:
        with tool_errors():
            result = await self._get_extractor().aextract(text, instructions)
        return self._output(result.data)


__all__ = [
    "MEDIA_PROGRESS_EVENT",
    "ImageGenerationInput",
    "MediaTaskInput",
    "NanoBananaImageInput",
    "NanoBananaProImageInput",
    "StructuredOutputInput",
    "YEScaleGeminiStructuredOutputTool",
    "YEScaleImageGenerationTool",
    "YEScaleImageNotGeneratedToolError",
    "YEScaleMediaTaskTool",
    "YEScaleStructuredOutputToolError",
    "YEScaleTaskFailedToolError",
    "YEScaleTaskTimeoutToolError",
    "YEScaleToolInputError",
]
