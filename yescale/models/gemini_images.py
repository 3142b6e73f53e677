"""Rules for nano-banana (Gemini's image models) on the Gemini-native ``generateContent`` route,
checked before any request.

The image tools (:class:`yescale.tools.ImageGenerator`, the LangChain image tool, the LlamaIndex
tool spec) send these models to ``POST /v1beta/models/{model}:generateContent``, the route the
YEScale reference lists as their "Official Endpoint" ("Image generation with Gemini (aka Nano
Banana)", "... With aspectRatio", "Image editing (text-and-image-to-image)"). The reference gives
no bodies, so the parameters follow Google's public Gemini API reference for image generation:

* ``aspect_ratio`` (``generationConfig.imageConfig.aspectRatio``): 1:1, 2:3, 3:2, 3:4, 4:3, 4:5,
  5:4, 9:16, 16:9, 21:9. There is no ``size``: the model picks the pixels from the ratio.
* ``image_size`` (``imageConfig.imageSize``): 1K, 2K, 4K (upper-case K), gemini-3-pro-image
  only.
* ``n``: 1. A ``generateContent`` call makes one image (``candidateCount`` is not supported by
  these models): call again for more.
* ``response_modalities``: ``["TEXT", "IMAGE"]`` (the default: the model may add a short text,
  kept as a note) or ``["IMAGE"]``.
* edits send the input images as ``inlineData`` parts beside the prompt; there is no mask (say
  in the prompt what to change). gemini-3-pro-image takes at most 14 input images (Google's
  reference); for gemini-2.5-flash-image Google says it "works best with up to 3", not a limit.

``nano-banana`` is the YEScale media-task name of gemini-2.5-flash-image, and ``nano-banana-pro``
the public name of gemini-3-pro-image-preview: on this route they are sent as those Gemini names
(an assumption: the reference's "Official Endpoint" examples are Google's, with Google's names).

The DALL-E-format route of the same models (``/v1/images/generations``, ``client.images``) keeps
its permissive rules (:mod:`yescale.models.images`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from .images import Choice, ImageModelRules, IntRange, Rule, refuse_problems

__all__ = [
    "ASPECT_RATIOS",
    "GEMINI_IMAGE_RULES",
    "IMAGE_SIZES",
    "GeminiImageRules",
    "Modalities",
    "describe_gemini_image_model",
    "gemini_image_rules_for",
    "validate_gemini_image_params",
]

ASPECT_RATIOS = ("1:1", "2:3", "3:2", "3:4", "4:3", "4:5", "5:4", "9:16", "16:9", "21:9")
IMAGE_SIZES = ("1K", "2K", "4K")


@dataclass(frozen=True)
class Modalities:
    """``responseModalities``: ``["IMAGE"]`` or ``["TEXT", "IMAGE"]`` (a list, any order)."""

    def check(self, value: Any) -> bool:
        if isinstance(value, str) or not isinstance(value, (list, tuple)):
            return False
        items = list(value)
        return (
            all(isinstance(v, str) for v in items)
            and sorted(set(items)) in (["IMAGE"], ["IMAGE", "TEXT"])
            and len(items) == len(set(items))
        )

    def describe(self) -> str:
        return "['TEXT', 'IMAGE'] (default) or ['IMAGE']"


GeminiRule = Rule | Modalities


@dataclass(frozen=True)
class GeminiImageRules(ImageModelRules):
    """What one Gemini image model takes on ``generateContent``, and its name on the wire."""

    #: the model name sent in the URL (an alias such as ``nano-banana`` is mapped to it)
    wire_model: str = ""
    #: parameter -> what to do instead, added when that parameter is refused
    hints: Mapping[str, str] = field(default_factory=dict)
    #: the most input images an edit may send (``None``: no documented limit)
    max_input_images: int | None = None

    def wire_name(self, model: str) -> str:
        """``model`` as sent in the URL: aliases mapped, a ``models/`` prefix dropped."""
        name = model.strip().removeprefix("models/")
        return self.wire_model if name.lower() in self.exact else name


_SIZE_HINT = "these models take no size: give aspect_ratio (e.g. '16:9') instead"
_NOT_GEMINI = "not a parameter of Gemini's image models"
_COMMON_HINTS = {
    "size": _SIZE_HINT,
    "quality": _NOT_GEMINI,
    "style": _NOT_GEMINI + " (describe the style in the prompt)",
    "background": _NOT_GEMINI + " (describe the background in the prompt)",
    "moderation": _NOT_GEMINI,
    "output_format": _NOT_GEMINI + " (the image comes as PNG or JPEG)",
    "output_compression": _NOT_GEMINI,
    "response_format": _NOT_GEMINI + " (the image always comes as inline bytes)",
}
_N_NOTE = "one image per request (call again for more)"
_SOURCE = (
    "YEScale reference index, 'Gemini-2.5-flash-image -> Official Endpoint' (no bodies); "
    "values from Google's public Gemini image-generation reference"
)

_FLASH_IMAGE = GeminiImageRules(
    name="gemini-2.5-flash-image",
    prefixes=("gemini-2.5-flash-image",),
    exact=("nano-banana",),
    wire_model="gemini-2.5-flash-image",
    params={
        "aspect_ratio": Choice(ASPECT_RATIOS),
        "n": IntRange(1, 1),
        "response_modalities": Modalities(),  # type: ignore[dict-item]
    },
    strict=True,
    documented=True,
    source=_SOURCE,
    notes="It makes " + _N_NOTE + "; there is no size (give aspect_ratio) and no image_size "
    "(gemini-3-pro-image-preview has it). Edits: pass images (no mask: say what to change).",
    hints={
        **_COMMON_HINTS,
        "image_size": "only gemini-3-pro-image-preview, a.k.a. nano-banana-pro, takes image_size",
    },
)

_PRO_IMAGE = GeminiImageRules(
    name="gemini-3-pro-image",
    prefixes=("gemini-3-pro-image",),
    exact=("nano-banana-pro",),
    wire_model="gemini-3-pro-image-preview",
    params={
        "aspect_ratio": Choice(ASPECT_RATIOS),
        "image_size": Choice(IMAGE_SIZES),
        "n": IntRange(1, 1),
        "response_modalities": Modalities(),  # type: ignore[dict-item]
    },
    strict=True,
    documented=True,
    source=_SOURCE,
    notes="It makes " + _N_NOTE + "; there is no size (give aspect_ratio, and image_size "
    "for the resolution). Edits: pass up to 14 images (no mask: say what to change).",
    hints=dict(_COMMON_HINTS),
    max_input_images=14,
)

#: The models the image tools send to Gemini's native ``generateContent``.
GEMINI_IMAGE_RULES: tuple[GeminiImageRules, ...] = (_FLASH_IMAGE, _PRO_IMAGE)


def gemini_image_rules_for(model: str) -> GeminiImageRules | None:
    """The rules of a Gemini image model (nano-banana), or ``None`` for any other model."""
    name = model.strip().lower().removeprefix("models/").removeprefix("google/")
    for rules in GEMINI_IMAGE_RULES:
        if rules.matches(name):
            return rules
    return None


def _problem(rules: GeminiImageRules, key: str, value: Any) -> str | None:
    rule = rules.params.get(key)
    if rule is None:
        hint = rules.hints.get(key, f"it takes: {', '.join(rules.params)}")
        return f"{key}={value!r} is not a {rules.name} parameter ({hint})"
    if rule.check(value):
        return None
    text = f"{key}={value!r} is not allowed (allowed: {rule.describe()})"
    if key == "n":
        text += f": {rules.name} makes {_N_NOTE}"
    elif key == "image_size" and isinstance(value, str) and value.upper() in IMAGE_SIZES:
        text += ": write the K in upper case"
    return text


def validate_gemini_image_params(
    model: str,
    params: Mapping[str, Any],
    *,
    prompt: str | None = None,
    edit_images: int = 0,
    mask: bool = False,
) -> dict[str, Any]:
    """Check ``params`` for a Gemini image model; returns them without ``None`` values.

    Raises :class:`~yescale.models.images.ImageParameterError` listing every problem (with what
    to give instead) and the allowed values. ``edit_images`` is the number of input images,
    ``mask`` whether a mask was given (these models take none).
    """
    rules = gemini_image_rules_for(model)
    if rules is None:
        raise ValueError(f"{model!r} is not a Gemini image model")  # a caller's bug
    given = {k: v for k, v in params.items() if v is not None}
    problems = [p for key, value in given.items() if (p := _problem(rules, key, value))]
    if mask:
        problems.append(
            f"{rules.name} takes no mask: give the input images and say in the prompt which "
            "part to change"
        )
    if rules.max_input_images is not None and edit_images > rules.max_input_images:
        problems.append(
            f"{edit_images} input images; {rules.name} takes at most {rules.max_input_images}"
        )
    refuse_problems(model, rules, problems, describe_gemini_image_model(model))
    return given


def describe_gemini_image_model(model: str) -> str:
    """One paragraph: what a Gemini image model takes (error messages, tool descriptions)."""
    rules = gemini_image_rules_for(model)
    if rules is None:
        raise ValueError(f"{model!r} is not a Gemini image model")
    shown = "; ".join(
        f"{key}: {rule.describe()}"
        for key, rule in rules.params.items()
        if key != "response_modalities"
    )
    wire = rules.wire_name(model)
    called = f"{model} ({wire})" if wire != model else model
    return f"{called} accepts {shown}. {rules.notes}"
