"""``client.audio``: OpenAI-format speech to text and text to speech.

- ``client.audio.transcriptions.create(file=..., model="gpt-4o-mini-transcribe")``:
  ``POST /v1/audio/transcriptions`` (multipart) -> :class:`~yescale.types.audio.Transcription`,
  or the text itself for ``response_format`` ``"text"``, ``"srt"`` or ``"vtt"``;
- ``client.audio.translations.create(file=..., model="whisper-1")``:
  ``POST /v1/audio/translations`` -> :class:`~yescale.types.audio.Translation` (English), or text;
- ``client.audio.speech.create(input=..., voice="alloy")``: ``POST /v1/audio/speech`` -> the
  audio bytes (at most ``max_response_bytes``), or with ``to=path`` the path of the file it was
  streamed to (at most ``max_download_bytes``; written whole or not at all).

Everything is checked before a request: the model is an audio model for this endpoint
(:func:`yescale.models.kinds.check_audio_model`), the parameters are ones OpenAI accepts
(:mod:`yescale.models.audio`), and an upload is sized and typed (:mod:`yescale._audio_files`).
The calls are metered like every model call (:mod:`yescale.costs`). The same groups, awaitable,
are under ``client.aio.audio``.
"""

from __future__ import annotations

import asyncio
import os
from pathlib import Path
from typing import Any, Literal, overload

from .._audio_files import AudioInput
from .._http import Transport
from ..models.audio import SpeechFormat
from ..types.audio import Transcription, Translation
from ._audio_calls import Endpoint, build_speech, build_transcription, target_path

JSONFormat = Literal["json", "verbose_json"]
TextFormat = Literal["text", "srt", "vtt"]
PathLike = str | os.PathLike[str]


class _Transcribing:
    """What transcriptions and translations share: the endpoint, and sending its call."""

    endpoint: Endpoint

    def __init__(self, transport: Transport) -> None:
        self._t = transport

    def _send(self, file: AudioInput, model: str, params: dict[str, Any]) -> Any:
        extra = params.pop("extra")
        return self._t.send(build_transcription(self.endpoint, file, model, extra=extra, **params))

    async def _asend(self, file: AudioInput, model: str, params: dict[str, Any]) -> Any:
        extra = params.pop("extra")
        # the upload is read off the event loop (a path is up to 25 MB of disk reads)
        call = await asyncio.to_thread(
            build_transcription, self.endpoint, file, model, extra=extra, **params
        )
        return await self._t.asend(call)


class Transcriptions(_Transcribing):
    """Speech to text in the spoken language (``POST /v1/audio/transcriptions``)."""

    endpoint: Endpoint = "transcription"

    @overload
    def create(
        self,
        *,
        file: AudioInput,
        model: str = ...,
        language: str | None = ...,
        prompt: str | None = ...,
        response_format: JSONFormat | None = ...,
        temperature: float | None = ...,
        timestamp_granularities: list[Literal["word", "segment"]] | None = ...,
        **extra: Any,
    ) -> Transcription: ...

    @overload
    def create(
        self,
        *,
        file: AudioInput,
        model: str = ...,
        language: str | None = ...,
        prompt: str | None = ...,
        response_format: TextFormat,
        temperature: float | None = ...,
        timestamp_granularities: None = ...,
        **extra: Any,
    ) -> str: ...

    def create(
        self,
        *,
        file: AudioInput,
        model: str = "gpt-4o-mini-transcribe",
        language: str | None = None,
        prompt: str | None = None,
        response_format: str | None = None,
        temperature: float | None = None,
        timestamp_granularities: list[Literal["word", "segment"]] | None = None,
        **extra: Any,
    ) -> Transcription | str:
        """Transcribe ``file`` (a path, bytes, a binary file object or ``(filename, bytes)``;
        flac, m4a, mp3, mp4, mpeg, mpga, oga, ogg, wav or webm; at most 25 MB).

        ``language``: ISO-639-1 code of the speech (``"en"``), for accuracy and speed.
        ``prompt``: text to guide the style or continue a previous part.
        ``response_format``: ``"json"`` (default) or ``"verbose_json"`` (language, duration,
        segments, words; whisper-1) give a :class:`Transcription`; ``"text"``, ``"srt"``,
        ``"vtt"`` the text itself. ``timestamp_granularities``: ``["word"]`` and/or
        ``["segment"]``, with ``"verbose_json"``. ``extra``: other form fields (``include``,
        ``chunking_strategy``...), sent as OpenAI's SDK sends them.
        """
        return self._send(file, model, _params(locals()))  # type: ignore[no-any-return]


class AsyncTranscriptions(_Transcribing):
    """Async twin of :class:`Transcriptions`."""

    endpoint: Endpoint = "transcription"

    @overload
    async def create(
        self,
        *,
        file: AudioInput,
        model: str = ...,
        language: str | None = ...,
        prompt: str | None = ...,
        response_format: JSONFormat | None = ...,
        temperature: float | None = ...,
        timestamp_granularities: list[Literal["word", "segment"]] | None = ...,
        **extra: Any,
    ) -> Transcription: ...

    @overload
    async def create(
        self,
        *,
        file: AudioInput,
        model: str = ...,
        language: str | None = ...,
        prompt: str | None = ...,
        response_format: TextFormat,
        temperature: float | None = ...,
        timestamp_granularities: None = ...,
        **extra: Any,
    ) -> str: ...

    async def create(
        self,
        *,
        file: AudioInput,
        model: str = "gpt-4o-mini-transcribe",
        language: str | None = None,
        prompt: str | None = None,
        response_format: str | None = None,
        temperature: float | None = None,
        timestamp_granularities: list[Literal["word", "segment"]] | None = None,
        **extra: Any,
    ) -> Transcription | str:
        """See :meth:`Transcriptions.create`."""
        return await self._asend(file, model, _params(locals()))  # type: ignore[no-any-return]


class Translations(_Transcribing):
    """Speech in any language to English text (``POST /v1/audio/translations``)."""

    endpoint: Endpoint = "translation"

    @overload
    def create(
        self,
        *,
        file: AudioInput,
        model: str = ...,
        prompt: str | None = ...,
        response_format: JSONFormat | None = ...,
        temperature: float | None = ...,
        **extra: Any,
    ) -> Translation: ...

    @overload
    def create(
        self,
        *,
        file: AudioInput,
        model: str = ...,
        prompt: str | None = ...,
        response_format: TextFormat,
        temperature: float | None = ...,
        **extra: Any,
    ) -> str: ...

    def create(
        self,
        *,
        file: AudioInput,
        model: str = "whisper-1",
        prompt: str | None = None,
        response_format: str | None = None,
        temperature: float | None = None,
        **extra: Any,
    ) -> Translation | str:
        """Translate the speech of ``file`` into English; the file and the formats as for
        :meth:`Transcriptions.create` (OpenAI serves translations with ``whisper-1``)."""
        return self._send(file, model, _params(locals()))  # type: ignore[no-any-return]


class AsyncTranslations(_Transcribing):
    """Async twin of :class:`Translations`."""

    endpoint: Endpoint = "translation"

    @overload
    async def create(
        self,
        *,
        file: AudioInput,
        model: str = ...,
        prompt: str | None = ...,
        response_format: JSONFormat | None = ...,
        temperature: float | None = ...,
        **extra: Any,
    ) -> Translation: ...

    @overload
    async def create(
        self,
        *,
        file: AudioInput,
        model: str = ...,
        prompt: str | None = ...,
        response_format: TextFormat,
        temperature: float | None = ...,
        **extra: Any,
    ) -> str: ...

    async def create(
        self,
        *,
        file: AudioInput,
        model: str = "whisper-1",
        prompt: str | None = None,
        response_format: str | None = None,
        temperature: float | None = None,
        **extra: Any,
    ) -> Translation | str:
        """See :meth:`Translations.create`."""
        return await self._asend(file, model, _params(locals()))  # type: ignore[no-any-return]


def _params(given: dict[str, Any]) -> dict[str, Any]:
    """A ``create``'s own arguments, less ``self``, ``file`` and ``model``."""
    return {k: v for k, v in given.items() if k not in ("self", "file", "model", "__class__")}


class Speech:
    """Text to speech (``POST /v1/audio/speech``)."""

    def __init__(self, transport: Transport) -> None:
        self._t = transport

    @overload
    def create(
        self,
        *,
        input: str,
        model: str = ...,
        voice: str = ...,
        response_format: SpeechFormat | None = ...,
        speed: float | None = ...,
        instructions: str | None = ...,
        to: None = ...,
        **extra: Any,
    ) -> bytes: ...

    @overload
    def create(
        self,
        *,
        input: str,
        model: str = ...,
        voice: str = ...,
        response_format: SpeechFormat | None = ...,
        speed: float | None = ...,
        instructions: str | None = ...,
        to: PathLike,
        **extra: Any,
    ) -> Path: ...

    def create(
        self,
        *,
        input: str,
        model: str = "gpt-4o-mini-tts",
        voice: str = "alloy",
        response_format: SpeechFormat | None = None,
        speed: float | None = None,
        instructions: str | None = None,
        to: PathLike | None = None,
        **extra: Any,
    ) -> bytes | Path:
        """Speak ``input`` (at most 4096 characters) with ``voice``.

        ``response_format``: ``mp3`` (default, or the extension of ``to``), ``opus``, ``aac``,
        ``flac``, ``wav`` or ``pcm`` (24 kHz 16-bit mono, no header). ``speed``: 0.25 to 4.0.
        ``instructions``: how to speak (gpt-4o-mini-tts; not tts-1 / tts-1-hd).
        Returns the audio bytes; with ``to``, streams them to that file (replaced only once the
        whole answer has arrived) and returns its path.
        """
        path = None if to is None else target_path(to)
        call, expect = build_speech(
            model,
            input,
            voice,
            response_format=response_format,
            speed=speed,
            instructions=instructions,
            to=path,
            extra=extra,
        )
        return self._t.send_file(call, expect, path)  # type: ignore[no-any-return]


class AsyncSpeech:
    """Async twin of :class:`Speech`."""

    def __init__(self, transport: Transport) -> None:
        self._t = transport

    @overload
    async def create(
        self,
        *,
        input: str,
        model: str = ...,
        voice: str = ...,
        response_format: SpeechFormat | None = ...,
        speed: float | None = ...,
        instructions: str | None = ...,
        to: None = ...,
        **extra: Any,
    ) -> bytes: ...

    @overload
    async def create(
        self,
        *,
        input: str,
        model: str = ...,
        voice: str = ...,
        response_format: SpeechFormat | None = ...,
        speed: float | None = ...,
        instructions: str | None = ...,
        to: PathLike,
        **extra: Any,
    ) -> Path: ...

    async def create(
        self,
        *,
        input: str,
        model: str = "gpt-4o-mini-tts",
        voice: str = "alloy",
        response_format: SpeechFormat | None = None,
        speed: float | None = None,
        instructions: str | None = None,
        to: PathLike | None = None,
        **extra: Any,
    ) -> bytes | Path:
        """See :meth:`Speech.create`."""
        path = None if to is None else target_path(to)
        call, expect = build_speech(
            model,
            input,
            voice,
            response_format=response_format,
            speed=speed,
            instructions=instructions,
            to=path,
            extra=extra,
        )
        return await self._t.asend_file(call, expect, path)  # type: ignore[no-any-return]


class Audio:
    """``client.audio``: ``transcriptions``, ``translations`` and ``speech``."""

    def __init__(self, transport: Transport) -> None:
        self.transcriptions = Transcriptions(transport)
        self.translations = Translations(transport)
        self.speech = Speech(transport)


class AsyncAudio:
    """``client.aio.audio``: the async twin of :class:`Audio`."""

    def __init__(self, transport: Transport) -> None:
        self.transcriptions = AsyncTranscriptions(transport)
        self.translations = AsyncTranslations(transport)
        self.speech = AsyncSpeech(transport)


__all__ = [
    "AsyncAudio",
    "AsyncSpeech",
    "AsyncTranscriptions",
    "AsyncTranslations",
    "Audio",
    "Speech",
    "Transcriptions",
    "Translations",
]
