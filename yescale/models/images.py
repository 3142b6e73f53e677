"""Per-model rules for YEScale's OpenAI/DALL-E-format image endpoints, checked before any request.

``validate_image_params(model, params)`` returns the parameters to send, or raises
:class:`ImageParameterError` naming every value that is not allowed and what is.

Where the rules come from:

* ``gpt-image-1`` (and names starting with it): the YEScale reference, "Generate Image by
  gpt-image-1" (``shared/yescale-api/gpt-image-1-generate.txt``): ``n`` 1-10, ``size``
  1024x1024 / 1536x1024 / 1024x1536, ``background`` transparent / opaque / auto (JPEG has no
  transparency), ``quality`` high / medium / low, ``moderation`` low / auto. OpenAI's public
  reference adds ``size="auto"``, ``quality="auto"``, ``output_format`` png / jpeg / webp and
  ``output_compression`` 0-100, which we accept too. gpt-image-1 always answers with
  ``b64_json``: ``response_format`` and ``style`` are refused.
* ``dall-e-3``: OpenAI's public reference (the YEScale index lists "DALL·E 3" with no body):
  ``n`` = 1, ``size`` 1024x1024 / 1792x1024 / 1024x1792, ``quality`` standard / hd, ``style``
  vivid / natural, ``response_format`` url / b64_json. It cannot edit images.
* The reference's "Models use Dall-e Format" (Google Imagen, Bytedance Seedream 3.0 / 4.0,
  Recraft v3, Flux, Flux Kontext Pro/Max, and Gemini 2.5 Flash Image, a.k.a. nano-banana): the
  reference names them but documents no parameter limits, so the rules are **permissive**: any
  parameter and value is passed through (only ``n`` must be a positive integer) and the service
  validates. The same permissive rules apply to any model name not listed here, so new models
  work without a release.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from ..errors import InvalidRequestError
from .kinds import check_image_model

__all__ = [
    "IMAGE_MODEL_RULES",
    "KNOWN_IMAGE_PARAMS",
    "ImageModelRules",
    "ImageParameterError",
    "describe_image_model",
    "image_rules_for",
    "validate_image_params",
]


@dataclass(frozen=True)
class Choice:
    """One of a fixed set of strings."""

    values: tuple[str, ...]

    def check(self, value: Any) -> bool:
        return isinstance(value, str) and value in self.values

    def describe(self) -> str:
        return ", ".join(self.values)


@dataclass(frozen=True)
class IntRange:
    """An integer from ``low`` to ``high`` inclusive (``high=None``: no upper bound)."""

    low: int
    high: int | None = None

    def check(self, value: Any) -> bool:
        if isinstance(value, bool) or not isinstance(value, int):
            return False
        return value >= self.low and (self.high is None or value <= self.high)

    def describe(self) -> str:
        if self.high is None:
            return f"an integer >= {self.low}"
        if self.high == self.low:
            return str(self.low)
        return f"an integer from {self.low} to {self.high}"


@dataclass(frozen=True)
class AnyValue:
    """Passed through unchecked (the service validates)."""

    def check(self, value: Any) -> bool:
        return True

    def describe(self) -> str:
        return "any value (not checked here; the service validates)"


Rule = Choice | IntRange | AnyValue


@dataclass(frozen=True)
class ImageModelRules:
    """What one model (family) accepts on ``/v1/images/generations`` and ``/v1/images/edits``."""

    name: str
    #: name prefixes (lower case) this entry covers
    prefixes: tuple[str, ...]
    #: parameter name -> rule; with ``strict``, parameters not listed are refused
    params: Mapping[str, Rule]
    strict: bool
    #: True when the values come from a reference; False for permissive pass-through rules
    documented: bool
    source: str
    can_edit: bool = True
    max_prompt_chars: int | None = None
    notes: str = ""
    exact: tuple[str, ...] = field(default=())

    def matches(self, model: str) -> bool:
        name = model.strip().lower()
        return name in self.exact or any(name.startswith(p) for p in self.prefixes)


_GPT_IMAGE_1 = ImageModelRules(
    name="gpt-image-1",
    prefixes=("gpt-image-1",),
    params={
        "n": IntRange(1, 10),
        "size": Choice(("1024x1024", "1536x1024", "1024x1536", "auto")),
        "quality": Choice(("high", "medium", "low", "auto")),
        "background": Choice(("transparent", "opaque", "auto")),
        "moderation": Choice(("low", "auto")),
        "output_format": Choice(("png", "jpeg", "webp")),
        "output_compression": IntRange(0, 100),
        "user": AnyValue(),
    },
    strict=True,
    documented=True,
    source="YEScale reference 'Generate Image by gpt-image-1'; auto values, output_format and "
    "output_compression from OpenAI's public reference",
    max_prompt_chars=32000,
    notes="Always returns base64 (b64_json) images. JPEG has no transparent background.",
)

_DALL_E_3 = ImageModelRules(
    name="dall-e-3",
    prefixes=(),
    exact=("dall-e-3",),
    params={
        "n": IntRange(1, 1),
        "size": Choice(("1024x1024", "1792x1024", "1024x1792")),
        "quality": Choice(("standard", "hd")),
        "style": Choice(("vivid", "natural")),
        "response_format": Choice(("url", "b64_json")),
        "user": AnyValue(),
    },
    strict=True,
    documented=True,
    source="OpenAI's public DALL-E 3 reference (the YEScale index lists 'DALL·E 3')",
    can_edit=False,
    max_prompt_chars=4000,
    notes="One image per request; answers with URLs unless response_format='b64_json'.",
)

_PERMISSIVE_NOTE = (
    "The YEScale reference lists this model under 'Models use Dall-e Format' without parameter "
    "limits: values are passed through unchecked and the service validates them."
)


def _permissive(
    name: str, prefixes: tuple[str, ...], exact: tuple[str, ...] = ()
) -> ImageModelRules:
    return ImageModelRules(
        name=name,
        prefixes=prefixes,
        exact=exact,
        params={"n": IntRange(1)},
        strict=False,
        documented=False,
        source="YEScale reference index, 'Models use Dall-e Format' (no parameter table)",
        notes=_PERMISSIVE_NOTE,
    )


#: The rules, most specific first. ``image_rules_for`` falls back to permissive rules.
IMAGE_MODEL_RULES: tuple[ImageModelRules, ...] = (
    _GPT_IMAGE_1,
    _DALL_E_3,
    _permissive("imagen", ("imagen", "google/imagen")),
    _permissive("seedream", ("seedream", "bytedance-seedream", "doubao-seedream")),
    _permissive("flux", ("flux",)),
    _permissive("recraft", ("recraft",)),
    _permissive("gemini-2.5-flash-image", ("gemini-2.5-flash-image",), exact=("nano-banana",)),
)

_FALLBACK = ImageModelRules(
    name="(unlisted model)",
    prefixes=(),
    params={"n": IntRange(1)},
    strict=False,
    documented=False,
    source="none: the model is not in our rules",
    notes="No rules are known for this model: values are passed through and the service "
    "validates them.",
)


def image_rules_for(model: str) -> ImageModelRules:
    """The rules for ``model``; permissive rules for a model we have none for."""
    for rules in IMAGE_MODEL_RULES:
        if rules.matches(model):
            return rules
    return _FALLBACK


#: The parameters of OpenAI's image API (``yescale.types.images.ImageGenerateRequest``): a strict
#: model's rules refuse those it does not take even when unknown parameters are passed through.
KNOWN_IMAGE_PARAMS = frozenset(
    {
        "n",
        "size",
        "quality",
        "background",
        "moderation",
        "output_format",
        "output_compression",
        "response_format",
        "style",
        "user",
    }
)


class ImageParameterError(InvalidRequestError):
    """Image parameters the model does not accept; ``problems`` lists each, ``allowed`` the
    allowed values per parameter (as text)."""

    def __init__(
        self, message: str, *, model: str, problems: list[str], allowed: dict[str, str]
    ) -> None:
        super().__init__(message)
        self.model = model
        self.problems = problems
        self.allowed = allowed


def validate_image_params(
    model: str,
    params: Mapping[str, Any],
    *,
    prompt: str | None = None,
    edit: bool = False,
    unknown: Literal["refuse", "pass"] = "refuse",
) -> dict[str, Any]:
    """Check ``params`` for ``model``; returns them without ``None`` values, ready to send.

    Raises :class:`ImageParameterError` listing every problem and the allowed values, and
    :class:`~yescale.InvalidRequestError` for a model that is certainly not an image model (a
    chat, embedding or video model). ``unknown="pass"`` lets parameters outside
    :data:`KNOWN_IMAGE_PARAMS` through even for a strict model (the client does this, so a
    parameter the service adds works without a release; the tools refuse them).
    """
    check_image_model(model)
    rules = image_rules_for(model)
    given = {k: v for k, v in params.items() if v is not None}
    problems: list[str] = []
    for key, value in given.items():
        rule = rules.params.get(key)
        if rule is None:
            if rules.strict and (unknown == "refuse" or key in KNOWN_IMAGE_PARAMS):
                problems.append(
                    f"{key}={value!r} is not a {rules.name} parameter "
                    f"(it takes: {', '.join(rules.params)})"
                )
            continue
        if not rule.check(value):
            problems.append(f"{key}={value!r} is not allowed (allowed: {rule.describe()})")
    if (
        rules.strict
        and given.get("background") == "transparent"
        and given.get("output_format") == "jpeg"
    ):
        problems.append(
            "background='transparent' with output_format='jpeg': JPEG has no transparency "
            "(use png or webp)"
        )
    if (
        rules is _GPT_IMAGE_1
        and "output_compression" in given
        and given.get("output_format", "png") == "png"
    ):
        problems.append("output_compression applies to jpeg and webp only, not png")
    if edit and not rules.can_edit:
        problems.append(
            f"{rules.name} cannot edit images (no input images): use gpt-image-1 for edits"
        )
    if prompt is not None and rules.max_prompt_chars and len(prompt) > rules.max_prompt_chars:
        problems.append(
            f"the prompt has {len(prompt)} characters; {rules.name} takes at most "
            f"{rules.max_prompt_chars}"
        )
    refuse_problems(model, rules, problems, describe_image_model(model))
    return given


def refuse_problems(
    model: str, rules: ImageModelRules, problems: list[str], description: str
) -> None:
    """Raise one :class:`ImageParameterError` listing every problem (nothing when none), with
    what the model takes."""
    if problems:
        allowed = {key: rule.describe() for key, rule in rules.params.items()}
        raise ImageParameterError(
            f"Image parameters not accepted for model {model!r}: "
            + "; ".join(problems)
            + f". {description}",
            model=model,
            problems=problems,
            allowed=allowed,
        )


def describe_image_model(model: str) -> str:
    """One paragraph: what ``model`` accepts (used in error messages and tool descriptions)."""
    rules = image_rules_for(model)
    if not rules.documented:
        return f"{model}: {rules.notes} Only n is checked (a positive integer)."
    shown = "; ".join(
        f"{key}: {rule.describe()}" for key, rule in rules.params.items() if key != "user"
    )
    extra = f" {rules.notes}" if rules.notes else ""
    return f"{rules.name} accepts {shown}.{extra}"
