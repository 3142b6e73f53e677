"""What the audio endpoints accept, as OpenAI documents them (YEScale's index lists "ChatGPT
(Audio)" without bodies; its gateway relays OpenAI's ``/v1/audio/*``).

Checked before sending, each refusal naming the value and what to use instead:

- transcriptions and translations: ``response_format`` one of ``json``, ``text``, ``srt``,
  ``verbose_json``, ``vtt`` (``gpt-4o-transcribe`` and ``gpt-4o-mini-transcribe``: ``json`` or
  ``text`` only); ``temperature`` from 0 to 1; ``timestamp_granularities`` ``word`` and/or
  ``segment``, with ``verbose_json`` only; ``language`` and ``prompt`` non-empty strings;
- speech: ``input`` non-empty, at most 4096 characters; ``voice`` a non-empty string (the list
  grows, so any name passes); ``response_format`` one of ``mp3``, ``opus``, ``aac``, ``flac``,
  ``wav``, ``pcm``; ``speed`` from 0.25 to 4.0; ``instructions`` not with ``tts-1`` /
  ``tts-1-hd``;
- neither endpoint is streamed by this client: ``stream`` and ``stream_format="sse"`` are refused.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from typing import Any, Literal

from ..errors import InvalidRequestError
from .limits import base_name

TranscriptionFormat = Literal["json", "text", "srt", "verbose_json", "vtt"]
SpeechFormat = Literal["mp3", "opus", "aac", "flac", "wav", "pcm"]

TRANSCRIPTION_FORMATS: tuple[str, ...] = ("json", "text", "srt", "verbose_json", "vtt")
#: Formats whose answer is the text itself, not a JSON object.
TEXT_FORMATS = frozenset({"text", "srt", "vtt"})
SPEECH_FORMATS: tuple[str, ...] = ("mp3", "opus", "aac", "flac", "wav", "pcm")
GRANULARITIES = ("word", "segment")
#: The most characters one speech request may hold (OpenAI: "The maximum length is 4096").
MAX_SPEECH_INPUT = 4096
MIN_SPEED, MAX_SPEED = 0.25, 4.0

#: Transcription models that answer in ``json`` or ``text`` only (OpenAI's speech-to-text guide).
_JSON_OR_TEXT = re.compile(r"^gpt-4o(-mini)?-transcribe", re.IGNORECASE)
#: Speech models that take no ``instructions`` ("Does not work with tts-1 or tts-1-hd").
_NO_INSTRUCTIONS = re.compile(r"^tts-1", re.IGNORECASE)


def _choice(value: Any, name: str, allowed: Sequence[str], hint: str = "") -> None:
    if value is not None and value not in allowed:
        raise InvalidRequestError(
            f"`{name}` must be one of {', '.join(map(repr, allowed))}, got {value!r:.60}."
            + (f" {hint}" if hint else "")
        )


def _number(value: Any, name: str, low: float, high: float) -> None:
    if value is None:
        return
    if (
        isinstance(value, bool)
        or not isinstance(value, (int, float))
        or not math.isfinite(value)
        or not low <= value <= high
    ):
        raise InvalidRequestError(
            f"`{name}` must be a number from {low:g} to {high:g}, got {value!r:.40}."
        )


def _text(value: Any, name: str) -> None:
    if value is not None and (not isinstance(value, str) or not value.strip()):
        raise InvalidRequestError(
            f"`{name}` must be a non-empty string or None, got {type(value).__name__} "
            f"{value!r:.40}."
        )


def _no_stream(extra: Mapping[str, Any], endpoint: str) -> None:
    if extra.get("stream") or extra.get("stream_format") == "sse":
        raise InvalidRequestError(
            f"Streaming the {endpoint} is not supported by client.audio: leave out `stream` / "
            "`stream_format` and read the whole answer."
        )


def check_transcription_params(
    model: str,
    endpoint: Literal["transcription", "translation"],
    *,
    response_format: Any,
    temperature: Any,
    timestamp_granularities: Any,
    language: Any,
    prompt: Any,
    extra: Mapping[str, Any],
) -> list[str] | None:
    """Refuse what the endpoint would refuse; returns the granularities as a list (or ``None``)."""
    _choice(response_format, "response_format", TRANSCRIPTION_FORMATS)
    if response_format not in (None, "json", "text") and _JSON_OR_TEXT.match(base_name(model)):
        raise InvalidRequestError(
            f"{model!r} answers in 'json' or 'text' only, not {response_format!r}. For subtitles "
            "or timestamps (srt, vtt, verbose_json) use model='whisper-1'."
        )
    _number(temperature, "temperature", 0.0, 1.0)
    _text(language, "language")
    _text(prompt, "prompt")
    _no_stream(extra, endpoint)
    if timestamp_granularities is None:
        return None
    if isinstance(timestamp_granularities, str):
        timestamp_granularities = [timestamp_granularities]
    if not isinstance(timestamp_granularities, Sequence) or not timestamp_granularities:
        raise InvalidRequestError(
            "`timestamp_granularities` must be a non-empty list of 'word' and/or 'segment'."
        )
    for value in timestamp_granularities:
        _choice(value, "timestamp_granularities", GRANULARITIES)
    if response_format != "verbose_json":
        raise InvalidRequestError(
            "`timestamp_granularities` needs response_format='verbose_json' (the only format "
            "that carries timestamps); set it, or leave the granularities out."
        )
    return list(dict.fromkeys(timestamp_granularities))


def check_speech_params(
    model: str,
    *,
    input: Any,
    voice: Any,
    response_format: Any,
    speed: Any,
    instructions: Any,
    extra: Mapping[str, Any],
) -> None:
    """Refuse what ``/v1/audio/speech`` would refuse, before sending."""
    if not isinstance(input, str) or not input.strip():
        shown = "an empty string" if isinstance(input, str) else type(input).__name__
        raise InvalidRequestError(f"`input` must be the text to speak, got {shown}.")
    if len(input) > MAX_SPEECH_INPUT:
        raise InvalidRequestError(
            f"`input` is {len(input)} characters; one speech request takes at most "
            f"{MAX_SPEECH_INPUT}. Split the text (at sentence ends) into several requests."
        )
    if not isinstance(voice, str) or not voice.strip():
        raise InvalidRequestError(
            f"`voice` must be a voice name such as 'alloy', 'coral' or 'nova', got {voice!r:.40}."
        )
    _choice(response_format, "response_format", SPEECH_FORMATS)
    _number(speed, "speed", MIN_SPEED, MAX_SPEED)
    _text(instructions, "instructions")
    if instructions is not None and _NO_INSTRUCTIONS.match(base_name(model)):
        raise InvalidRequestError(
            f"{model!r} takes no `instructions` (OpenAI: they do not work with tts-1 or "
            "tts-1-hd). Leave them out, or use model='gpt-4o-mini-tts' to steer the voice."
        )
    _no_stream(extra, "speech")


__all__ = [
    "MAX_SPEECH_INPUT",
    "SPEECH_FORMATS",
    "TEXT_FORMATS",
    "TRANSCRIPTION_FORMATS",
    "SpeechFormat",
    "TranscriptionFormat",
    "check_speech_params",
    "check_transcription_params",
]
