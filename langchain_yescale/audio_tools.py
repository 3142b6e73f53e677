"""LangChain tools over YEScale audio: speech to text and text to speech.

Thin faces over :mod:`yescale.tools.audio` (shared with ``llama_index_yescale.YEScaleToolSpec``
and ``YEScaleAudioReader``): the sandbox, the upload checks and the file naming live there.

Files in, files out, nothing large in the model's context: both tools use
``response_format="content_and_artifact"``. The speech-to-text tool reads a recording from a path
inside ``allowed_input_dirs`` (none by default) or a public URL, and the model reads the
transcript; the text-to-speech tool writes an audio file in ``output_dir`` and the model reads its
path, the bytes staying in the ``ToolMessage.artifact`` when there is no ``output_dir``.
"""

from __future__ import annotations

from typing import Any, Literal

from langchain_core.callbacks import AsyncCallbackManagerForToolRun, CallbackManagerForToolRun
from langchain_core.tools import BaseTool
from pydantic import BaseModel, ConfigDict, Field, model_validator

from yescale.models.audio import SpeechFormat
from yescale.models.kinds import check_audio_model
from yescale.tools import (
    DEFAULT_SPEECH_MODEL,
    DEFAULT_TRANSCRIPTION_MODEL,
    DEFAULT_TRANSLATION_MODEL,
    DEFAULT_VOICE,
    SpeechToText,
    TextToSpeech,
    TranscriptFormat,
)

from ._tool_params import YEScaleToolParams, tool_errors

__all__ = [
    "SpeechToTextInput",
    "TextToSpeechInput",
    "YEScaleSpeechToTextTool",
    "YEScaleTextToSpeechTool",
]


class SpeechToTextInput(BaseModel):
    """Arguments of :class:`YEScaleSpeechToTextTool`."""

    file: str = Field(
        description="The recording: a file path inside the folders the tool may read, or an "
        "http(s) URL. flac, m4a, mp3, mp4, mpeg, mpga, oga, ogg, wav or webm; at most 25 MB."
    )
    language: str | None = Field(
        default=None,
        description="ISO-639-1 code of the speech (e.g. 'en', 'vi'), when known: better and "
        "faster. Not used with translate.",
    )
    prompt: str | None = Field(
        default=None, description="Optional text to guide spelling or style (names, terms)."
    )
    translate: bool = Field(
        default=False, description="True: translate the speech into English text instead."
    )


class YEScaleSpeechToTextTool(YEScaleToolParams, BaseTool):  # type: ignore[override]
    """Transcribe recordings through YEScale (``/v1/audio/transcriptions``; with
    ``translate=True``, ``/v1/audio/translations`` into English).

    Setup:
        ``pip install "yescale-integrations[langchain]"`` and ``export YESCALE_API_KEY=...``.

    Instantiate:
        .. code-block:: python

            from langchain_yescale import YEScaleSpeechToTextTool

            tool = YEScaleSpeechToTextTool(
                model="gpt-4o-mini-transcribe",     # or "gpt-4o-transcribe", "whisper-1"
                allowed_input_dirs=["recordings/"], # folders it may read (none by default)
                transcript_format="json",           # "verbose_json": language, duration,
            )                                       #   segments (whisper-1)

    Invoke:
        .. code-block:: python

            msg = tool.invoke(
                {"type": "tool_call", "id": "1", "name": tool.name,
                 "args": {"file": "meeting.wav", "language": "en"}}
            )
            msg.content    # "Transcript of /.../recordings/meeting.wav (with ...):\\nThe ..."
            msg.artifact   # {"text": ..., "language": ..., "duration": ..., "segments": [...]}

    A path is read only when it resolves (symlinks followed) inside ``allowed_input_dirs`` (a
    relative path is looked up in each); a URL only when it is public http(s), fetched without
    your key. The recording is sized (25 MB) and typed (by extension and first bytes) before any
    request and uploaded as ``audio.<ext>``: local names never leave the machine. A refusal is a
    ``YEScaleToolInputError`` (a ``ToolException``) the model reads by default, see
    ``handle_tool_error``.
    """

    model_config = ConfigDict(populate_by_name=True, arbitrary_types_allowed=True)

    name: str = "yescale_speech_to_text"
    description: str = (
        "Transcribe a recording (a file path or an http(s) URL) into text; with translate=true, "
        "translate the speech into English. Returns the transcript."
    )
    args_schema: type[BaseModel] = SpeechToTextInput  # type: ignore[assignment]
    response_format: Literal["content", "content_and_artifact"] = "content_and_artifact"
    _unknown_argument_hint = "The recording and its language are arguments of each call."

    model: str = DEFAULT_TRANSCRIPTION_MODEL
    """Transcription model: ``gpt-4o-mini-transcribe`` (default), ``gpt-4o-transcribe`` or
    ``whisper-1``."""
    translation_model: str = DEFAULT_TRANSLATION_MODEL
    """The model of ``translate=True`` (OpenAI serves translations with ``whisper-1``)."""
    transcript_format: TranscriptFormat = "json"
    """``"json"``: the text; ``"verbose_json"``: also language, duration and segment timestamps
    in the artifact (whisper-1 only)."""

    @model_validator(mode="after")
    def _check_models(self) -> YEScaleSpeechToTextTool:
        # a chat or speech model here would fail every call: refused now
        check_audio_model(self.model, "transcription")
        check_audio_model(self.translation_model, "translation")
        return self

    def _runtime(self) -> SpeechToText:
        return SpeechToText(
            self.client,
            model=self.model,
            translation_model=self.translation_model,
            transcript_format=self.transcript_format,
            allowed_input_dirs=self.allowed_input_dirs,
        )

    def _run(
        self,
        file: str,
        language: str | None = None,
        prompt: str | None = None,
        translate: bool = False,
        run_manager: CallbackManagerForToolRun | None = None,
    ) -> tuple[str, dict[str, Any]]:
        with tool_errors():
            result = self._runtime().run(
                file, language=language, prompt=prompt, translate=translate
            )
        return result.summary(), result.artifact()

    async def _arun(
        self,
        file: str,
        language: str | None = None,
        prompt: str | None = None,
        translate: bool = False,
        run_manager: AsyncCallbackManagerForToolRun | None = None,
    ) -> tuple[str, dict[str, Any]]:
        with tool_errors():
            result = await self._runtime().arun(
                file, language=language, prompt=prompt, translate=translate
            )
        return result.summary(), result.artifact()


class TextToSpeechInput(BaseModel):
    """Arguments of :class:`YEScaleTextToSpeechTool`."""

    text: str = Field(description="The text to speak (at most 4096 characters).")
    voice: str | None = Field(
        default=None,
        description="Voice, e.g. 'alloy', 'ash', 'coral', 'echo', 'nova', 'sage', 'shimmer' "
        "(default: the tool's).",
    )
    instructions: str | None = Field(
        default=None,
        description="How to speak (tone, pace, accent); gpt-4o-mini-tts only.",
    )
    speed: float | None = Field(default=None, description="0.25 to 4.0 (default 1.0).")


class YEScaleTextToSpeechTool(YEScaleToolParams, BaseTool):  # type: ignore[override]
    """Speak texts into audio files through YEScale (``/v1/audio/speech``).

    Instantiate:
        .. code-block:: python

            from langchain_yescale import YEScaleTextToSpeechTool

            tool = YEScaleTextToSpeechTool(
                model="gpt-4o-mini-tts",   # or "tts-1", "tts-1-hd"
                voice="coral",             # the default voice (the agent may pick another)
                speech_format="mp3",       # opus, aac, flac, wav, pcm
                output_dir="speech/",      # None: keep the bytes in the artifact
            )

    Invoke:
        .. code-block:: python

            msg = tool.invoke(
                {"type": "tool_call", "id": "1", "name": tool.name,
                 "args": {"text": "The meeting moved to Thursday."}}
            )
            msg.content    # "Spoke 30 characters with gpt-4o-mini-tts (voice coral): saved to
                           #  speech/gpt-4o-mini-tts_the-meeting-moved-to-thursday_1.mp3 (...)"
            msg.artifact   # {"path": ..., "format": "mp3", "data": None, ...}

    The file gets a sanitized, unique name (never overwriting anything) and is complete or
    absent: it is replaced only once the whole answer has arrived. The text, voice, speed and
    instructions are checked before any request (instructions do not work with tts-1 /
    tts-1-hd); a refusal is a ``YEScaleToolInputError`` the model reads by default.
    """

    model_config = ConfigDict(populate_by_name=True, arbitrary_types_allowed=True)

    name: str = "yescale_text_to_speech"
    description: str = (
        "Turn a text into spoken audio (an audio file). Give the text, optionally a voice, "
        "speaking instructions and speed; returns where the audio file is."
    )
    args_schema: type[BaseModel] = TextToSpeechInput  # type: ignore[assignment]
    response_format: Literal["content", "content_and_artifact"] = "content_and_artifact"
    _unknown_argument_hint = "The text, voice and speed are arguments of each call."

    model: str = DEFAULT_SPEECH_MODEL
    """Speech model: ``gpt-4o-mini-tts`` (default), ``tts-1`` or ``tts-1-hd``."""
    voice: str = DEFAULT_VOICE
    """The default voice (``alloy``, ``ash``, ``coral``, ``echo``, ``nova``, ``sage``,
    ``shimmer``...)."""
    speech_format: SpeechFormat = "mp3"
    """Audio format of the files: ``mp3``, ``opus``, ``aac``, ``flac``, ``wav`` or ``pcm``."""
    speed: float | None = Field(default=None, ge=0.25, le=4.0)
    """Default speed, 0.25 to 4.0 (``None``: 1.0)."""
    instructions: str | None = None
    """Default speaking instructions (gpt-4o-mini-tts)."""

    @model_validator(mode="after")
    def _check_model(self) -> YEScaleTextToSpeechTool:
        check_audio_model(self.model, "speech")  # a chat model here would fail every call
        return self

    def _runtime(self) -> TextToSpeech:
        return TextToSpeech(
            self.client,
            model=self.model,
            voice=self.voice,
            response_format=self.speech_format,
            speed=self.speed,
            instructions=self.instructions,
            output_dir=self.output_dir,
        )

    def _run(
        self,
        text: str,
        voice: str | None = None,
        instructions: str | None = None,
        speed: float | None = None,
        run_manager: CallbackManagerForToolRun | None = None,
    ) -> tuple[str, dict[str, Any]]:
        with tool_errors():
            result = self._runtime().run(text, voice=voice, instructions=instructions, speed=speed)
        return result.summary(), result.artifact()

    async def _arun(
        self,
        text: str,
        voice: str | None = None,
        instructions: str | None = None,
        speed: float | None = None,
        run_manager: AsyncCallbackManagerForToolRun | None = None,
    ) -> tuple[str, dict[str, Any]]:
        with tool_errors():
            result = await self._runtime().arun(
                text, voice=voice, instructions=instructions, speed=speed
            )
        return result.summary(), result.artifact()
