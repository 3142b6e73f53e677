"""Speech to text and text to speech for tools: sandboxed inputs, files out.

:class:`SpeechToText` is the one implementation behind ``YEScaleSpeechToTextTool`` (LangChain),
``YEScaleToolSpec.transcribe_audio`` and ``YEScaleAudioReader`` (LlamaIndex);
:class:`TextToSpeech` behind ``YEScaleTextToSpeechTool`` and ``YEScaleToolSpec.generate_speech``.

1. A recording an agent names is read as input images are: a local path only when it resolves
   (symlinks followed) inside ``allowed_input_dirs`` (:class:`~yescale.tools.inputs.InputPolicy`,
   the same sandbox; none allowed by default), or a public http(s) URL fetched without our key
   (not localhost, not private addresses; every redirect hop checked). It is then sized (at most
   25 MB), typed by extension and first bytes (flac, m4a, mp3, mp4, mpeg, mpga, oga, ogg, wav,
   webm) by :func:`yescale._audio_files.read_audio_file` before any request, and uploaded as
   ``audio.<ext>``: local file names never leave the machine. Every refusal is an
   :class:`AudioInputError` saying what was wrong and what to do.
2. The transcript comes back as text (language, duration and segments with
   ``transcript_format="verbose_json"``, whisper-1); ``translate=True`` gives English text
   through ``/v1/audio/translations``.
3. Speech is written to a new file with a sanitized unique name in ``output_dir``
   (:mod:`yescale.tools.outputs`; the file is replaced only once the whole answer has arrived,
   and removed when the call fails), or kept as bytes when ``output_dir`` is ``None``.

:meth:`~.audio_results.TranscriptResult.summary` and
:meth:`~.audio_results.SpeechResult.summary` are the short texts for a model; ``artifact()`` the
payload for the application.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from .._audio_files import AudioFile
from .._fetch import afetch, fetch
from ..errors import InvalidResponseError
from ..models.audio import SpeechFormat, check_speech_params, check_transcription_params
from ..models.kinds import check_audio_model
from ..types.audio import Transcription
from .audio_inputs import (
    AudioInputError,
    AudioInputPolicy,
    check_audio_url,
    checked_recording,
    is_url,
    read_recording,
    url_recording,
)
from .audio_results import SpeechResult, TranscriptResult
from .outputs import removed_on_failure, reserve, stem_for

if TYPE_CHECKING:
    from .._client import YEScaleClient

__all__ = [
    "DEFAULT_SPEECH_MODEL",
    "DEFAULT_TRANSCRIPTION_MODEL",
    "DEFAULT_TRANSLATION_MODEL",
    "DEFAULT_VOICE",
    "AudioInputError",
    "AudioInputPolicy",
    "SpeechToText",
    "TextToSpeech",
    "TranscriptFormat",
    "check_audio_url",
    "read_recording",
    "transcription_plan",
]

DEFAULT_TRANSCRIPTION_MODEL = "gpt-4o-mini-transcribe"
#: OpenAI serves ``/v1/audio/translations`` with whisper-1 only.
DEFAULT_TRANSLATION_MODEL = "whisper-1"
DEFAULT_SPEECH_MODEL = "gpt-4o-mini-tts"
DEFAULT_VOICE = "alloy"
#: ``json``: the text; ``verbose_json``: also language, duration and segments (whisper-1).
TranscriptFormat = Literal["json", "verbose_json"]

AudioValue = str | os.PathLike[str]


def transcription_plan(
    *,
    model: str,
    translation_model: str,
    transcript_format: TranscriptFormat,
    language: str | None,
    prompt: str | None,
    translate: bool,
) -> tuple[Literal["transcription", "translation"], dict[str, Any]]:
    """``(endpoint, the call's keyword arguments less file)``, checked before any request (a
    format the model does not answer in, an empty language...). Pure: no client, no I/O."""
    chosen = translation_model if translate else model
    endpoint: Literal["transcription", "translation"] = (
        "translation" if translate else "transcription"
    )
    if translate:
        language = None  # the translation endpoint takes none: the answer is English
    check_transcription_params(
        chosen,
        endpoint,
        response_format=transcript_format,
        temperature=None,
        timestamp_granularities=None,
        language=language,
        prompt=prompt,
        extra={},
    )
    params: dict[str, Any] = {"model": chosen, "response_format": transcript_format}
    if prompt is not None:
        params["prompt"] = prompt
    if language is not None:
        params["language"] = language
    return endpoint, params


class SpeechToText:
    """Transcribe (or translate into English) recordings given as allowed paths or URLs.

    Args:
        client: the :class:`~yescale.YEScaleClient` to call.
        model: the transcription model (``gpt-4o-mini-transcribe`` by default,
            ``gpt-4o-transcribe``, ``whisper-1``...).
        translation_model: the model of ``translate=True`` (``whisper-1``).
        transcript_format: ``"json"`` (the text) or ``"verbose_json"`` (also language, duration
            and segments; whisper-1).
        allowed_input_dirs: folders recordings may be read from (none by default).
    """

    def __init__(
        self,
        client: YEScaleClient,
        *,
        model: str = DEFAULT_TRANSCRIPTION_MODEL,
        translation_model: str = DEFAULT_TRANSLATION_MODEL,
        transcript_format: TranscriptFormat = "json",
        allowed_input_dirs: Iterable[str | os.PathLike[str]] = (),
    ) -> None:
        check_audio_model(model, "transcription")
        check_audio_model(translation_model, "translation")
        self.client = client
        self.model = model
        self.translation_model = translation_model
        self.transcript_format: TranscriptFormat = transcript_format
        self.policy = AudioInputPolicy(allowed_input_dirs)

    # -- planning (no I/O) ---------------------------------------------------------------------

    def plan(
        self, *, language: str | None, prompt: str | None, translate: bool
    ) -> tuple[Literal["transcription", "translation"], dict[str, Any]]:
        """See :func:`transcription_plan` (with this runtime's models and format)."""
        return transcription_plan(
            model=self.model,
            translation_model=self.translation_model,
            transcript_format=self.transcript_format,
            language=language,
            prompt=prompt,
            translate=translate,
        )

    # -- inputs --------------------------------------------------------------------------------

    def read_local(self, value: AudioValue) -> tuple[AudioFile, str]:
        """An allowed local recording, checked: ``(upload, resolved path)``."""
        path = self.policy.resolve(value)
        return checked_recording(path, str(path)), str(path)

    def load(self, value: AudioValue) -> tuple[AudioFile, str]:
        """The recording an agent named (an allowed path or a public URL), checked."""
        if is_url(value):
            url = check_audio_url(str(value))
            data, _ = fetch(self.client._transport, url, check=check_audio_url)
            return checked_recording(url_recording(url, data), url), url
        return self.read_local(value)

    async def aload(self, value: AudioValue) -> tuple[AudioFile, str]:
        """Async twin of :meth:`load` (disk reads off the event loop)."""
        if is_url(value):
            url = check_audio_url(str(value))
            data, _ = await afetch(self.client._transport, url, check=check_audio_url)
            return checked_recording(url_recording(url, data), url), url
        return await asyncio.to_thread(self.read_local, value)

    # -- calls ---------------------------------------------------------------------------------

    def run(
        self,
        file: AudioValue,
        *,
        language: str | None = None,
        prompt: str | None = None,
        translate: bool = False,
    ) -> TranscriptResult:
        """Transcribe (``translate=True``: translate into English) the recording at ``file``."""
        endpoint, params = self.plan(language=language, prompt=prompt, translate=translate)
        audio, source = self.load(file)
        return self.send(audio, source, endpoint, params)

    async def arun(
        self,
        file: AudioValue,
        *,
        language: str | None = None,
        prompt: str | None = None,
        translate: bool = False,
    ) -> TranscriptResult:
        """Async twin of :meth:`run`."""
        endpoint, params = self.plan(language=language, prompt=prompt, translate=translate)
        audio, source = await self.aload(file)
        return await self.asend(audio, source, endpoint, params)

    def send(
        self, audio: AudioFile, source: str, endpoint: str, params: dict[str, Any]
    ) -> TranscriptResult:
        """One checked upload to ``endpoint`` (what :meth:`plan` returned); no sandbox here:
        ``audio`` is already read (the reader passes the developer's own files)."""
        audio_api = self.client.audio
        if endpoint == "translation":
            answer = audio_api.translations.create(file=audio.part(), **params)
        else:
            answer = audio_api.transcriptions.create(file=audio.part(), **params)
        return _transcript(answer, params, endpoint, source)

    async def asend(
        self, audio: AudioFile, source: str, endpoint: str, params: dict[str, Any]
    ) -> TranscriptResult:
        """Async twin of :meth:`send`."""
        aio = self.client.aio.audio
        if endpoint == "translation":
            answer = await aio.translations.create(file=audio.part(), **params)
        else:
            answer = await aio.transcriptions.create(file=audio.part(), **params)
        return _transcript(answer, params, endpoint, source)


def _transcript(
    answer: Any, params: dict[str, Any], endpoint: str, source: str
) -> TranscriptResult:
    if not isinstance(answer, Transcription):  # pragma: no cover - json formats only
        raise InvalidResponseError("The transcription answer is not a JSON object.")
    task: Literal["transcribe", "translate"] = (
        "translate" if endpoint == "translation" else "transcribe"
    )
    return TranscriptResult.from_answer(answer, model=params["model"], task=task, source=source)


class TextToSpeech:
    """Speak texts into audio files in ``output_dir`` (or bytes kept in memory).

    Args:
        client: the :class:`~yescale.YEScaleClient` to call.
        model: ``gpt-4o-mini-tts`` (default; takes ``instructions``), ``tts-1``, ``tts-1-hd``...
        voice: the default voice (``alloy``, ``ash``, ``coral``, ``echo``, ``nova``, ``sage``,
            ``shimmer``...).
        response_format: ``mp3`` (default), ``opus``, ``aac``, ``flac``, ``wav`` or ``pcm``.
        speed: 0.25 to 4.0 (``None``: the service's default, 1.0).
        instructions: how to speak, by default (gpt-4o-mini-tts).
        output_dir: folder for the audio files (created if missing); ``None`` keeps the bytes.
    """

    def __init__(
        self,
        client: YEScaleClient,
        *,
        model: str = DEFAULT_SPEECH_MODEL,
        voice: str = DEFAULT_VOICE,
        response_format: SpeechFormat = "mp3",
        speed: float | None = None,
        instructions: str | None = None,
        output_dir: str | os.PathLike[str] | None = None,
    ) -> None:
        check_audio_model(model, "speech")
        self.client = client
        self.model = model
        self.voice = voice
        self.response_format: SpeechFormat = response_format
        self.speed = speed
        self.instructions = instructions
        self.output_dir = Path(output_dir) if output_dir is not None else None

    def plan(
        self,
        text: str,
        *,
        voice: str | None = None,
        instructions: str | None = None,
        speed: float | None = None,
    ) -> dict[str, Any]:
        """The call's keyword arguments (less ``to``), checked before any request or file."""
        params: dict[str, Any] = {
            "input": text,
            "model": self.model,
            "voice": voice or self.voice,
            "response_format": self.response_format,
            "speed": speed if speed is not None else self.speed,
            "instructions": instructions if instructions is not None else self.instructions,
        }
        check_speech_params(
            self.model,
            input=text,
            voice=params["voice"],
            response_format=self.response_format,
            speed=params["speed"],
            instructions=params["instructions"],
            extra={},
        )
        return params

    def _result(
        self, params: dict[str, Any], path: Path | None, data: bytes | None
    ) -> SpeechResult:
        return SpeechResult(
            model=self.model,
            voice=params["voice"],
            format=self.response_format,
            characters=len(params["input"]),
            path=path,
            data=data,
        )

    def _target(self, text: str) -> Path | None:
        if self.output_dir is None:
            return None
        return reserve(self.output_dir, stem_for(self.model, text, 1), self.response_format)

    def run(
        self,
        text: str,
        *,
        voice: str | None = None,
        instructions: str | None = None,
        speed: float | None = None,
    ) -> SpeechResult:
        """Speak ``text`` (at most 4096 characters); ``voice``, ``instructions`` and ``speed``
        override the defaults for this call."""
        params = self.plan(text, voice=voice, instructions=instructions, speed=speed)
        target = self._target(text)
        if target is None:
            return self._result(params, None, self.client.audio.speech.create(**params))
        with removed_on_failure(target):
            path = self.client.audio.speech.create(**params, to=target)
        return self._result(params, path, None)

    async def arun(
        self,
        text: str,
        *,
        voice: str | None = None,
        instructions: str | None = None,
        speed: float | None = None,
    ) -> SpeechResult:
        """Async twin of :meth:`run`."""
        params = self.plan(text, voice=voice, instructions=instructions, speed=speed)
        target = await asyncio.to_thread(self._target, text)
        speech = self.client.aio.audio.speech
        if target is None:
            return self._result(params, None, await speech.create(**params))
        with removed_on_failure(target):
            path = await speech.create(**params, to=target)
        return self._result(params, path, None)
