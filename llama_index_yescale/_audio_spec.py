"""The audio functions of ``YEScaleToolSpec``: ``transcribe_audio`` and ``generate_speech``
(each sync and async), and the options they read.

Kept apart from :mod:`llama_index_yescale.tools` (one idea per module); ``YEScaleToolSpec``
inherits :class:`AudioSpecFunctions` and its options :class:`AudioSpecOptions`. A thin face over
:mod:`yescale.tools.audio`, the implementation the LangChain audio tools share: recordings are
read only from ``allowed_input_dirs`` or public URLs; speech is written to ``output_dir``. Both
functions return result objects whose text (what the agent reads) is the transcript, or the
audio file's path: never audio bytes (they stay in the ``ToolOutput.raw_output``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from pydantic import BaseModel, model_validator

from yescale.models.audio import SpeechFormat
from yescale.models.kinds import check_audio_model
from yescale.tools import (
    DEFAULT_SPEECH_MODEL,
    DEFAULT_TRANSCRIPTION_MODEL,
    DEFAULT_TRANSLATION_MODEL,
    DEFAULT_VOICE,
    SpeechResult,
    SpeechToText,
    TextToSpeech,
    TranscriptFormat,
    TranscriptResult,
)

from .costs import reporting

if TYPE_CHECKING:
    from .tools import YEScaleToolOptions


class AudioSpecOptions(BaseModel):
    """The audio options of ``YEScaleToolSpec`` (with ``allowed_input_dirs`` and ``output_dir``
    of :class:`~yescale.integration.options.ToolOptions`)."""

    transcription_model: str = DEFAULT_TRANSCRIPTION_MODEL
    """``transcribe_audio``: ``gpt-4o-mini-transcribe`` (default), ``gpt-4o-transcribe`` or
    ``whisper-1``."""
    translation_model: str = DEFAULT_TRANSLATION_MODEL
    """``transcribe_audio(translate=True)``: ``whisper-1``."""
    transcript_format: TranscriptFormat = "json"
    """``"verbose_json"``: also language, duration and segments (whisper-1)."""
    speech_model: str = DEFAULT_SPEECH_MODEL
    """``generate_speech``: ``gpt-4o-mini-tts`` (default), ``tts-1`` or ``tts-1-hd``."""
    voice: str = DEFAULT_VOICE
    """``generate_speech``'s default voice."""
    speech_format: SpeechFormat = "mp3"
    """``generate_speech``'s files: ``mp3``, ``opus``, ``aac``, ``flac``, ``wav`` or ``pcm``."""

    @model_validator(mode="after")
    def _check_audio_models(self) -> AudioSpecOptions:
        # a chat model here would fail every audio call: refused when the spec is made
        check_audio_model(self.transcription_model, "transcription")
        check_audio_model(self.translation_model, "translation")
        check_audio_model(self.speech_model, "speech")
        return self


class AudioSpecFunctions:
    """``transcribe_audio`` / ``atranscribe_audio`` and ``generate_speech`` /
    ``agenerate_speech``, for a tool spec whose ``options`` are ``YEScaleToolOptions``."""

    options: YEScaleToolOptions

    def _speech_to_text(self) -> SpeechToText:
        o = self.options
        return SpeechToText(
            o.client,
            model=o.transcription_model,
            translation_model=o.translation_model,
            transcript_format=o.transcript_format,
            allowed_input_dirs=o.allowed_input_dirs,
        )

    def _text_to_speech(self) -> TextToSpeech:
        o = self.options
        return TextToSpeech(
            o.client,
            model=o.speech_model,
            voice=o.voice,
            response_format=o.speech_format,
            output_dir=o.output_dir,
        )

    def transcribe_audio(
        self,
        file: str,
        language: str | None = None,
        prompt: str | None = None,
        translate: bool = False,
    ) -> TranscriptResult:
        """Transcribe a recording (a file path or an http(s) URL) into text; with
        translate=True, translate the speech into English. Returns the transcript.

        Args:
            file (str): The recording: a path inside the folders the tool may read, or a URL.
            language (str | None): ISO-639-1 code of the speech (e.g. 'en'), when known.
            prompt (str | None): Optional text to guide spelling or style (names, terms).
            translate (bool): True: translate the speech into English text instead.
        """
        with reporting("audio"):
            return self._speech_to_text().run(
                file, language=language, prompt=prompt, translate=translate
            )

    async def atranscribe_audio(
        self,
        file: str,
        language: str | None = None,
        prompt: str | None = None,
        translate: bool = False,
    ) -> TranscriptResult:
        """Async twin of :meth:`transcribe_audio`."""
        with reporting("audio"):
            return await self._speech_to_text().arun(
                file, language=language, prompt=prompt, translate=translate
            )

    def generate_speech(
        self,
        text: str,
        voice: str | None = None,
        instructions: str | None = None,
        speed: float | None = None,
    ) -> SpeechResult:
        """Turn a text into spoken audio (an audio file). Returns where the audio file is.

        Args:
            text (str): The text to speak (at most 4096 characters).
            voice (str | None): e.g. 'alloy', 'ash', 'coral', 'echo', 'nova', 'sage', 'shimmer'.
            instructions (str | None): How to speak (tone, pace); gpt-4o-mini-tts only.
            speed (float | None): 0.25 to 4.0 (default 1.0).
        """
        with reporting("audio"):
            return self._text_to_speech().run(
                text, voice=voice, instructions=instructions, speed=speed
            )

    async def agenerate_speech(
        self,
        text: str,
        voice: str | None = None,
        instructions: str | None = None,
        speed: float | None = None,
    ) -> SpeechResult:
        """Async twin of :meth:`generate_speech`."""
        with reporting("audio"):
            return await self._text_to_speech().arun(
                text, voice=voice, instructions=instructions, speed=speed
            )


__all__ = ["AudioSpecFunctions", "AudioSpecOptions"]
