"""Framework-level generation parameters -> Gemini's ``generationConfig`` and built-in tools.

Besides the sampling parameters, the switches for what Gemini answers with: the modalities
(``response_modalities``: text, image, audio), the image models' ``aspect_ratio`` and
``image_size`` (``imageConfig``) and the speech models' ``voice`` / ``speech_config``
(``speechConfig``), each checked here so a bad value is refused before any request.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..errors import InvalidRequestError
from ..models.gemini_images import ASPECT_RATIOS, IMAGE_SIZES

__all__ = [
    "ASPECT_RATIOS",
    "GENERATION_KEYS",
    "IMAGE_SIZES",
    "MODALITIES",
    "VOICES",
    "gemini_params",
]

#: Framework-level parameter names -> Gemini ``generationConfig`` keys.
GENERATION_KEYS = {
    "temperature": "temperature",
    "top_p": "topP",
    "top_k": "topK",
    "max_tokens": "maxOutputTokens",
    "max_output_tokens": "maxOutputTokens",
    "stop": "stopSequences",
    "n": "candidateCount",
    "seed": "seed",
    "presence_penalty": "presencePenalty",
    "frequency_penalty": "frequencyPenalty",
    "response_mime_type": "responseMimeType",
    "response_schema": "responseSchema",
    "response_json_schema": "responseJsonSchema",
}

#: What Gemini can answer with (``responseModalities``).
MODALITIES = ("TEXT", "IMAGE", "AUDIO")
#: Gemini TTS's prebuilt voices (Google's speech-generation guide). Another voice goes through
#: ``speech_config`` as is.
VOICES = (
    "Zephyr", "Puck", "Charon", "Kore", "Fenrir", "Leda", "Orus", "Aoede", "Callirrhoe",
    "Autonoe", "Enceladus", "Iapetus", "Umbriel", "Algieba", "Despina", "Erinome", "Algenib",
    "Rasalgethi", "Laomedeia", "Achernar", "Alnilam", "Schedar", "Gacrux", "Pulcherrima",
    "Achird", "Zubenelgenubi", "Vindemiatrix", "Sadachbia", "Sadaltager", "Sulafat",
)  # fmt: skip


def _modalities(value: Any) -> list[str]:
    items = [value] if isinstance(value, str) else value
    if not isinstance(items, (list, tuple)) or not items:
        raise InvalidRequestError(
            f"response_modalities={value!r}: give a list such as ['TEXT', 'IMAGE'] (from "
            f"{', '.join(MODALITIES)})."
        )
    out: list[str] = []
    for item in items:
        name = item.upper() if isinstance(item, str) else None
        if name not in MODALITIES:
            raise InvalidRequestError(
                f"response_modalities has {item!r}: Gemini answers with {', '.join(MODALITIES)}."
            )
        if name not in out:
            out.append(name)
    return out


def _image_config(config: dict[str, Any], aspect_ratio: Any, image_size: Any) -> None:
    image = dict(config.get("imageConfig") or {})
    if aspect_ratio is not None:
        if aspect_ratio not in ASPECT_RATIOS:
            raise InvalidRequestError(
                f"aspect_ratio={aspect_ratio!r} is not an aspect ratio Gemini's image models "
                f"take: use one of {', '.join(ASPECT_RATIOS)}."
            )
        image["aspectRatio"] = aspect_ratio
    if image_size is not None:
        size = image_size.upper() if isinstance(image_size, str) else None
        if size not in IMAGE_SIZES:
            raise InvalidRequestError(
                f"image_size={image_size!r}: use one of {', '.join(IMAGE_SIZES)} "
                "(gemini-3-pro-image takes it; 2.5 Flash Image makes 1K images)."
            )
        image["imageSize"] = size
    if image:
        config["imageConfig"] = image


def _voice_name(voice: Any) -> str:
    known = {name.lower(): name for name in VOICES}
    name = known.get(voice.lower()) if isinstance(voice, str) else None
    if name is None:
        raise InvalidRequestError(
            f"voice={voice!r} is not one of Gemini's prebuilt voices ({', '.join(VOICES)}). "
            "For another voice, or several speakers, pass speech_config={...} (Gemini's "
            "speechConfig) instead."
        )
    return name


def _speech_config(config: dict[str, Any], voice: Any, speech: Any) -> bool:
    if speech is not None and not isinstance(speech, Mapping):
        raise InvalidRequestError(
            "speech_config must be a dict of Gemini speechConfig fields, such as "
            '{"voiceConfig": {"prebuiltVoiceConfig": {"voiceName": "Kore"}}}.'
        )
    if voice is None and speech is None:
        return False
    merged = {**(config.get("speechConfig") or {}), **(speech or {})}
    if voice is not None:
        merged["voiceConfig"] = {"prebuiltVoiceConfig": {"voiceName": _voice_name(voice)}}
    config["speechConfig"] = merged
    return True


def _media_switches(merged: dict[str, Any], config: dict[str, Any]) -> None:
    """``response_modalities``, ``aspect_ratio`` / ``image_size`` and ``voice`` /
    ``speech_config`` from ``merged`` into ``config``, checked against each other."""
    if merged.get("response_modalities") is not None:
        config["responseModalities"] = _modalities(merged.pop("response_modalities"))
    merged.pop("response_modalities", None)
    aspect_ratio = merged.pop("aspect_ratio", None)
    image_size = merged.pop("image_size", None)
    _image_config(config, aspect_ratio, image_size)
    speaks = _speech_config(config, merged.pop("voice", None), merged.pop("speech_config", None))
    modalities = config.get("responseModalities")
    if speaks and modalities is None:
        config["responseModalities"] = ["AUDIO"]  # the TTS models answer with audio only
    elif speaks and "AUDIO" not in (modalities or []):
        raise InvalidRequestError(
            f"A voice (speech_config) was given but response_modalities={modalities!r} has no "
            "'AUDIO': add it, or leave response_modalities unset for a speech model."
        )
    if (aspect_ratio or image_size) and modalities is not None and "IMAGE" not in modalities:
        raise InvalidRequestError(
            f"aspect_ratio / image_size were given but response_modalities={modalities!r} has "
            "no 'IMAGE': add it (e.g. ['TEXT', 'IMAGE'])."
        )


def gemini_params(
    merged: dict[str, Any],
    base_config: Mapping[str, Any] | None,
    *,
    google_search: bool = False,
    url_context: bool = False,
    code_execution: bool = False,
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """Move snake_case generation parameters out of ``merged`` into ``generationConfig``.

    Returns ``(generation_config, tools)``: ``thinking_budget`` / ``include_thoughts`` become
    ``thinkingConfig``; the media switches become ``responseModalities``, ``imageConfig`` and
    ``speechConfig``; the built-in tools requested are appended to ``merged["tools"]``.
    ``merged`` is left with the remaining (non-generation) parameters.
    """
    config: dict[str, Any] = dict(base_config or {})
    config.update(merged.pop("generation_config", None) or {})
    for name, key in GENERATION_KEYS.items():
        if name in merged:
            value = merged.pop(name)
            config[key] = [value] if name == "stop" and isinstance(value, str) else value
    _media_switches(merged, config)
    thinking = dict(config.get("thinkingConfig") or {})
    if "thinking_budget" in merged:
        thinking["thinkingBudget"] = merged.pop("thinking_budget")
    if "include_thoughts" in merged:
        thinking["includeThoughts"] = merged.pop("include_thoughts")
    if thinking:
        config["thinkingConfig"] = thinking
    tools = list(merged.pop("tools", None) or [])
    native: dict[str, Any]
    for enabled, native in (
        (google_search, {"googleSearch": {}}),
        (url_context, {"urlContext": {}}),
        (code_execution, {"codeExecution": {}}),
    ):
        if enabled:
            tools.append(native)
    return config, tools
