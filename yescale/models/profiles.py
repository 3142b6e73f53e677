"""What a chat model can do, in one table for every framework: LangChain's ``profile``
(``ChatYEScale(...).profile``) and LlamaIndex's ``metadata`` are both read from here.

A profile is a dict with the keys of LangChain's ``ModelProfile`` that this package can know:
context and output limits, tool calling, native structured output, which inputs the model takes,
whether it reasons. It is built from, in order (a later source wins):

1. :data:`FAMILY_PROFILES`: what every model of the family (:func:`~yescale.models.families.family`)
   does, plus ``text_inputs`` / ``text_outputs``;
2. :data:`MODEL_PROFILES`: the entry of the longest name prefix, for what differs within a family
   (``"gpt-4"`` has no image input, ``"o1-mini"`` no tools); a ``None`` there takes back what the
   family claims;
3. the limits of :func:`~yescale.models.limits.model_limits` (known models and families only: the
   conservative default for a name nobody knows is a guess, not a limit) as
   ``max_input_tokens`` / ``max_output_tokens``, unless an entry names a smaller input limit
   (gpt-5 takes 400k tokens in all, at most 272k of them input);
4. the limits the System API's model catalog gives for that exact name, once asked for with
   :func:`refresh_profiles` / :func:`arefresh_profiles`.

What is not known is left out, never guessed: a name nobody knows has the empty profile, and a
key is missing where models of one family differ and the name does not say which one it is.

``structured_output`` means native schema-constrained output where this package sends it:
``response_format={"type": "json_schema", ...}`` on ``/v1/chat/completions`` (the same rule as
:func:`~yescale.models.families.supports_json_schema`), and ``responseSchema`` on Gemini's native
endpoint. Claude and DeepSeek models reject ``response_format`` there, so theirs is ``False``.

Nothing here does I/O unless :func:`refresh_profiles` is called: importing the module, reading a
profile or building a chat model never contacts the service.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import TYPE_CHECKING, TypedDict, cast

from .families import family
from .kinds import kind
from .limits import base_name, model_limits

if TYPE_CHECKING:
    from .._client import YEScaleClient
    from ..types.system import ModelInfo

__all__ = [
    "FAMILY_PROFILES",
    "MODEL_PROFILES",
    "CatalogLimits",
    "ModelProfile",
    "apply_catalog",
    "arefresh_profiles",
    "catalog_limits",
    "model_profile",
    "refresh_profiles",
    "reset_profiles",
]


class ModelProfile(TypedDict, total=False):
    """The keys of LangChain's ``langchain_core.language_models.ModelProfile`` this package
    fills in (a subset, so a LangChain model never warns about an unknown key). Any may be
    missing: read them with ``.get()``."""

    max_input_tokens: int
    """The most tokens of input (the prompt) the model takes."""
    max_output_tokens: int
    """The most tokens the model answers with."""
    text_inputs: bool
    image_inputs: bool
    image_url_inputs: bool
    """Images given by URL (``{"type": "image", "url": ...}``)."""
    pdf_inputs: bool
    audio_inputs: bool
    video_inputs: bool
    text_outputs: bool
    image_outputs: bool
    reasoning_output: bool
    """The model reasons (thinks) before it answers."""
    tool_calling: bool
    tool_choice: bool
    """A tool call can be forced (``tool_choice``)."""
    structured_output: bool
    """Native schema-constrained output (see the module docstring)."""


#: What a profile entry may say; ``None``: not known, even if the family says otherwise.
Entry = Mapping[str, bool | int | None]

_TEXT: Entry = {"text_inputs": True, "text_outputs": True}
_TOOLS: Entry = {"tool_calling": True, "tool_choice": True}
_IMAGES: Entry = {"image_inputs": True, "image_url_inputs": True}
_NO_IMAGES: Entry = {"image_inputs": False, "image_url_inputs": False}
#: OpenAI models that read images and PDFs (``file`` parts) and answer in a JSON schema; audio
#: (``input_audio`` parts) only the audio models take (``_AUDIO_CHAT``).
_OPENAI_MULTIMODAL: Entry = {
    **_IMAGES,
    "pdf_inputs": True,
    "structured_output": True,
    "audio_inputs": False,
}
#: OpenAI's audio chat models (``gpt-4o-audio-preview``, ``gpt-audio``...).
_AUDIO_CHAT: Entry = {**_NO_IMAGES, "audio_inputs": True, "reasoning_output": False}
#: What nobody here knows of a model its family otherwise covers.
_TOOLS_UNKNOWN: Entry = {"tool_calling": None, "tool_choice": None}

#: What every model of a family does. One entry per family of :mod:`~yescale.models.families`.
FAMILY_PROFILES: dict[str, Entry] = {
    "openai": {**_TOOLS},
    "claude": {**_TOOLS, "structured_output": False, "image_inputs": True, "audio_inputs": False},
    "gemini": {
        **_TOOLS,
        **_IMAGES,  # URLs are fetched and sent inline on the native endpoint
        "pdf_inputs": True,
        "audio_inputs": True,
        "video_inputs": True,
        "structured_output": True,
    },
    "deepseek": {**_TOOLS, **_NO_IMAGES, "structured_output": False, "audio_inputs": False},
    "qwen": {"tool_calling": True},
    "xai": {"tool_calling": True},
    "moonshot": {"tool_calling": True},
    "zhipu": {"tool_calling": True},
}

#: ``prefix: entry`` on top of the family's; the longest matching prefix wins (only that one).
MODEL_PROFILES: dict[str, Entry] = {
    # OpenAI
    "gpt-3.5-turbo": {**_NO_IMAGES, "structured_output": False, "reasoning_output": False},
    "gpt-4": {**_NO_IMAGES, "structured_output": False, "reasoning_output": False},
    "gpt-4-turbo": {**_IMAGES, "structured_output": False, "reasoning_output": False},
    "gpt-4o": {**_OPENAI_MULTIMODAL, "reasoning_output": False},
    # the audio models of /v1/chat/completions: text and audio in (no images), text and audio out
    "gpt-4o-audio-preview": {**_AUDIO_CHAT},
    "gpt-4o-mini-audio-preview": {**_AUDIO_CHAT},
    "gpt-audio": {**_AUDIO_CHAT},
    "chatgpt-4o": {**_IMAGES, **_TOOLS_UNKNOWN, "reasoning_output": False},
    "gpt-4.1": {**_OPENAI_MULTIMODAL, "reasoning_output": False},
    "gpt-4.5": {**_OPENAI_MULTIMODAL, "reasoning_output": False},
    "gpt-5": {**_OPENAI_MULTIMODAL, "reasoning_output": True, "max_input_tokens": 272_000},
    "gpt-5-chat": {**_OPENAI_MULTIMODAL, **_TOOLS_UNKNOWN, "reasoning_output": False},
    "o1": {**_OPENAI_MULTIMODAL, "reasoning_output": True},
    "o1-mini": {
        **_NO_IMAGES,
        "tool_calling": False,
        "tool_choice": False,
        "reasoning_output": True,
    },
    "o1-preview": {
        **_NO_IMAGES,
        "tool_calling": False,
        "tool_choice": False,
        "reasoning_output": True,
    },
    "o3": {**_OPENAI_MULTIMODAL, "reasoning_output": True},
    "o3-mini": {**_NO_IMAGES, "structured_output": True, "reasoning_output": True},
    "o4-mini": {**_OPENAI_MULTIMODAL, "reasoning_output": True},
    # Anthropic (extended thinking from Claude 3.7 on)
    "claude-3-haiku": {"reasoning_output": False},
    "claude-3-opus": {"reasoning_output": False},
    "claude-3-5-haiku": {"reasoning_output": False},
    "claude-3-5-sonnet": {"reasoning_output": False},
    "claude-3-7-sonnet": {"reasoning_output": True},
    "claude-sonnet-4": {"reasoning_output": True},
    "claude-opus-4": {"reasoning_output": True},
    "claude-haiku-4": {"reasoning_output": True},
    # Google (thinking from Gemini 2.5 on)
    "gemini-1.5": {"reasoning_output": False},
    "gemini-2.0": {"reasoning_output": False},
    "gemini-2.5": {"reasoning_output": True},
    "gemini-2.5-flash-image": {
        "reasoning_output": False,
        "tool_calling": False,
        "tool_choice": False,
        "image_outputs": True,
        "pdf_inputs": None,
        "audio_inputs": None,
        "video_inputs": None,
    },
    "gemini-3": {"reasoning_output": True},
    # DeepSeek: "chat" is the non-thinking mode, "reasoner" the thinking one
    "deepseek-chat": {"reasoning_output": False},
    "deepseek-reasoner": {"reasoning_output": True},
    "deepseek-r1": {**_TOOLS_UNKNOWN, "reasoning_output": True},
    # xAI, Zhipu
    "grok-4": {"image_inputs": True},
    "glm-4.5": {"reasoning_output": True},
}


# -- the limits of the live catalog -----------------------------------------------------------


@dataclass(frozen=True)
class CatalogLimits:
    """A model's limits as the System API's catalog (``GET /yescale/models``) gives them."""

    max_input_tokens: int | None
    max_output_tokens: int | None


#: The catalog's limits by model name, once asked for; replaced whole by each refresh.
_catalog: Mapping[str, CatalogLimits] = MappingProxyType({})
#: Bumped by each refresh, so profiles cached before it are not used after it.
_generation = 0


def _positive(value: object) -> int | None:
    ok = isinstance(value, int) and not isinstance(value, bool) and value > 0
    return cast("int", value) if ok else None


def catalog_limits(models: Iterable[ModelInfo]) -> dict[str, CatalogLimits]:
    """The limits in a model catalog (``client.system.models()``), by model name.

    Models without a limit (image and video models have none) are left out, and so is a limit
    that is not a positive number.
    """
    found: dict[str, CatalogLimits] = {}
    for info in models:
        name = base_name(info.model_name or "")
        limits = CatalogLimits(_positive(info.max_input), _positive(info.max_output))
        if name and (limits.max_input_tokens or limits.max_output_tokens):
            found[name] = limits
    return found


def apply_catalog(models: Iterable[ModelInfo]) -> dict[str, CatalogLimits]:
    """Use the limits of a model catalog in every profile of this process, from now on.

    Replaces what an earlier refresh set; returns the limits taken, by model name. LlamaIndex
    LLMs see them at once (``metadata`` is read on every call); a LangChain model reads its
    profile when it is made, so make it after the refresh.
    """
    global _catalog, _generation
    limits = catalog_limits(models)
    _catalog = MappingProxyType(dict(limits))
    _generation += 1
    return limits


def refresh_profiles(client: YEScaleClient | None = None) -> dict[str, CatalogLimits]:
    """Read the System API's model catalog and use its ``max_input`` / ``max_output`` in the
    profiles of this process (see :func:`apply_catalog`). Opt-in: nothing else fetches it.

    The one catalog fetch of the package: :func:`yescale.costs.load_prices` with
    ``refresh=True``, so the prices are refreshed too. The System API needs the access key
    (``access_key=`` or ``YESCALE_ACCESS_KEY``), not the API key. Without ``client``, one is made
    from the environment and closed again.
    """
    from ..costs.catalog import load_prices

    return catalog_limits(load_prices(client, refresh=True).models)


async def arefresh_profiles(client: YEScaleClient | None = None) -> dict[str, CatalogLimits]:
    """:func:`refresh_profiles`, awaitable."""
    from ..costs.catalog import aload_prices

    return catalog_limits((await aload_prices(client, refresh=True)).models)


def reset_profiles() -> None:
    """Forget the catalog's limits: profiles come from the built-in table again."""
    apply_catalog(())


# -- profiles ---------------------------------------------------------------------------------


def _longest_prefix(name: str) -> Entry:
    for end in range(len(name), 0, -1):
        entry = MODEL_PROFILES.get(name[:end])
        if entry is not None:
            return entry
    return {}


@functools.lru_cache(maxsize=1024)
def _profile(name: str, generation: int) -> Mapping[str, bool | int]:
    """The profile of ``name`` (a :func:`base_name`) as of refresh ``generation``."""
    if kind(name) in ("embedding", "image", "video", "audio"):
        return MappingProxyType({})  # not a chat model: no chat profile
    claims: dict[str, bool | int | None] = {}
    fam = family(name)
    if fam in FAMILY_PROFILES:
        claims.update(_TEXT)
        claims.update(FAMILY_PROFILES[fam])
    claims.update(_longest_prefix(name))
    limits = model_limits(name)
    if limits.source != "default":
        claims.setdefault("max_input_tokens", limits.context_window)
        claims["max_output_tokens"] = limits.max_output_tokens
    live = _catalog.get(name)
    if live is not None:
        if live.max_input_tokens is not None:
            claims["max_input_tokens"] = live.max_input_tokens
        if live.max_output_tokens is not None:
            claims["max_output_tokens"] = live.max_output_tokens
    return MappingProxyType({key: value for key, value in claims.items() if value is not None})


def model_profile(model: str) -> ModelProfile:
    """The profile of ``model`` (a new dict each time); ``{}`` for a name nobody knows.

    Never raises and never does I/O, whatever the name: ``"openai/GPT-4o-mini-2024-07-18"``
    reads as ``"gpt-4o-mini"``.
    """
    return cast("ModelProfile", dict(_profile(base_name(model or ""), _generation)))
