"""OpenAI-format audio (``/v1/audio/transcriptions``, ``/v1/audio/translations``,
``/v1/audio/speech``), as YEScale relays it.

The transcription and translation answers in ``json`` and ``verbose_json`` are the objects
below; in ``text``, ``srt`` and ``vtt`` they are the text itself (returned as ``str``). Speech
answers are audio bytes, no JSON.
"""

from __future__ import annotations

from typing import Literal

from ._base import Priced, WireModel


class TranscriptionWord(WireModel):
    """One word with its timing (``verbose_json`` with ``timestamp_granularities=["word"]``)."""

    word: str = ""
    start: float | None = None
    end: float | None = None


class TranscriptionSegment(WireModel):
    """One segment of a ``verbose_json`` answer (whisper-1)."""

    id: int | None = None
    seek: int | None = None
    start: float | None = None
    end: float | None = None
    text: str = ""
    tokens: list[int] | None = None
    temperature: float | None = None
    avg_logprob: float | None = None
    compression_ratio: float | None = None
    no_speech_prob: float | None = None


class TranscriptionUsage(WireModel):
    """What the call used: ``type="tokens"`` (gpt-4o-transcribe models: tokens in and out) or
    ``type="duration"`` (whisper-1: seconds of audio)."""

    type: str | None = None
    input_tokens: int | None = None
    output_tokens: int | None = None
    total_tokens: int | None = None
    input_token_details: dict[str, int] | None = None
    seconds: float | None = None


class Transcription(Priced, WireModel):
    """A transcription (or translation) in ``json`` / ``verbose_json``: ``text`` always;
    ``language``, ``duration``, ``segments`` and ``words`` in ``verbose_json``; ``usage`` when
    the service counts it. ``.cost`` is its estimated cost."""

    text: str
    task: str | None = None
    language: str | None = None
    duration: float | None = None
    segments: list[TranscriptionSegment] | None = None
    words: list[TranscriptionWord] | None = None
    usage: TranscriptionUsage | None = None


class Translation(Transcription):
    """A translation into English (``/v1/audio/translations``): the same shape as a
    :class:`Transcription`."""


class SpeechRequest(WireModel):
    """The JSON body of ``POST /v1/audio/speech``."""

    model: str
    input: str
    voice: str
    response_format: Literal["mp3", "opus", "aac", "flac", "wav", "pcm"] | None = None
    speed: float | None = None
    instructions: str | None = None


__all__ = [
    "SpeechRequest",
    "Transcription",
    "TranscriptionSegment",
    "TranscriptionUsage",
    "TranscriptionWord",
    "Translation",
]
