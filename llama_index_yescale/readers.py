"""``YEScaleAudioReader``: recordings to LlamaIndex ``Document`` s (one per file, the transcript
as text), so a RAG pipeline can index meetings, calls and voice notes.

The same implementation as the audio tools (:class:`yescale.tools.SpeechToText`), without their
sandbox: the files are the developer's own (like ``SimpleDirectoryReader``'s), each sized (at most
25 MB) and typed (flac, m4a, mp3, mp4, mpeg, mpga, oga, ogg, wav, webm) before any request and
uploaded as ``audio.<ext>``.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from llama_index.core.readers.base import BasePydanticReader
from llama_index.core.schema import Document
from pydantic import model_validator

from yescale.models.kinds import check_audio_model
from yescale.tools import (
    DEFAULT_TRANSCRIPTION_MODEL,
    DEFAULT_TRANSLATION_MODEL,
    SpeechToText,
    TranscriptFormat,
    TranscriptResult,
)
from yescale.tools.audio import read_recording, transcription_plan

from ._client_params import YEScaleClientParams
from .costs import reporting

__all__ = ["YEScaleAudioReader"]

FileArg = str | os.PathLike[str] | Sequence[str | os.PathLike[str]]
#: Metadata kept out of embeddings and prompts (timestamps are for the application).
_NOT_FOR_MODELS = ["file_path", "segments", "duration", "model"]


class YEScaleAudioReader(YEScaleClientParams, BasePydanticReader):
    """Transcribe recordings into ``Document`` s with YEScale (``/v1/audio/transcriptions``, or
    ``/v1/audio/translations`` into English with ``translate=True``).

    .. code-block:: python

        from llama_index.core import VectorStoreIndex
        from llama_index_yescale import YEScaleAudioReader, YEScaleEmbedding

        reader = YEScaleAudioReader(
            model="whisper-1",
            transcript_format="verbose_json",  # language, duration and segment timestamps
        )
        documents = reader.load_data(["standup.m4a", "call.mp3"])
        index = VectorStoreIndex.from_documents(documents, embed_model=YEScaleEmbedding())

    Each ``Document`` holds the transcript as ``text`` and the metadata ``file_name``,
    ``file_path``, ``model``, ``language`` and ``duration`` (``verbose_json``), ``segments``
    (``verbose_json``: ``{"id", "start", "end", "text"}`` each, for linking an answer back to the
    moment it was said) and whatever ``extra_info`` holds. ``file_path``, ``model``,
    ``duration`` and ``segments`` are excluded from embeddings and prompts. Vector stores that
    take flat metadata only (strings, numbers) need ``segments`` removed or serialized first.

    Options: the client settings (``api_key``, ``base_url``, ``timeout``, ``max_retries``,
    ``default_headers``, ``http_client``, ``async_http_client``), ``model``,
    ``translation_model``, ``transcript_format``, ``language`` and ``prompt`` (for every file),
    ``translate``. ``aload_data`` transcribes the files concurrently.
    """

    model: str = DEFAULT_TRANSCRIPTION_MODEL
    """``gpt-4o-mini-transcribe`` (default), ``gpt-4o-transcribe`` or ``whisper-1``."""
    translation_model: str = DEFAULT_TRANSLATION_MODEL
    """The model of ``translate=True`` (``whisper-1``)."""
    transcript_format: TranscriptFormat = "json"
    """``"verbose_json"``: also language, duration and segments (whisper-1)."""
    language: str | None = None
    """ISO-639-1 code of the speech, when every file speaks it (better and faster)."""
    prompt: str | None = None
    """Text to guide spelling or style (names, terms), for every file."""
    translate: bool = False
    """Translate the speech into English text instead of transcribing it."""

    _passthrough_field = "reader_kwargs"  # none: unknown arguments are refused
    _unknown_argument_hint = "See YEScaleAudioReader's docstring for its options."
    _refused_arguments = {
        "model_name": "the transcription model is model=... (translation_model=... for "
        "translate=True)."
    }

    @classmethod
    def class_name(cls) -> str:
        return "YEScaleAudioReader"

    @model_validator(mode="after")
    def _check(self) -> YEScaleAudioReader:
        self._plan()  # a chat model, a format the model does not answer in: refused now
        return self

    def _plan(self) -> tuple[str, dict[str, Any]]:
        check_audio_model(self.model, "transcription")
        check_audio_model(self.translation_model, "translation")
        return transcription_plan(
            model=self.model,
            translation_model=self.translation_model,
            transcript_format=self.transcript_format,
            language=self.language,
            prompt=self.prompt,
            translate=self.translate,
        )

    def _runtime(self) -> SpeechToText:
        return SpeechToText(
            self.client,
            model=self.model,
            translation_model=self.translation_model,
            transcript_format=self.transcript_format,
        )

    def _document(
        self, path: Path, result: TranscriptResult, extra_info: dict[str, Any] | None
    ) -> Document:
        metadata: dict[str, Any] = {
            "file_name": path.name,
            "file_path": str(path),
            "model": result.model,
            "language": result.language,
            "duration": result.duration,
        }
        if result.segments:
            metadata["segments"] = [dict(s) for s in result.segments]
        metadata.update(extra_info or {})
        return Document(
            text=result.text,
            metadata=metadata,
            excluded_embed_metadata_keys=list(_NOT_FOR_MODELS),
            excluded_llm_metadata_keys=list(_NOT_FOR_MODELS),
        )

    def load_data(  # type: ignore[override]
        self, file: FileArg, extra_info: dict[str, Any] | None = None
    ) -> list[Document]:
        """One ``Document`` per recording in ``file`` (a path or a list of paths), in order.

        Args:
            file: the recording(s).
            extra_info: metadata added to every ``Document``.
        """
        endpoint, params = self._plan()
        runtime = self._runtime()
        documents = []
        with reporting("audio"):
            for path in _paths(file):
                result = runtime.send(read_recording(path), str(path), endpoint, params)
                documents.append(self._document(path, result, extra_info))
        return documents

    async def aload_data(  # type: ignore[override]
        self, file: FileArg, extra_info: dict[str, Any] | None = None
    ) -> list[Document]:
        """Async twin of :meth:`load_data`: the files are transcribed concurrently."""
        endpoint, params = self._plan()
        runtime = self._runtime()

        async def one(path: Path) -> Document:
            audio = await asyncio.to_thread(read_recording, path)
            result = await runtime.asend(audio, str(path), endpoint, params)
            return self._document(path, result, extra_info)

        with reporting("audio"):
            return list(await asyncio.gather(*(one(p) for p in _paths(file))))


def _paths(file: FileArg) -> list[Path]:
    """One path or several, as paths (``load_data(Path("a.wav"))`` and lists alike)."""
    values: Iterable[Any] = [file] if isinstance(file, (str, os.PathLike)) else file
    return [Path(v) for v in values]
