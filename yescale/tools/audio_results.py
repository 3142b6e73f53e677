"""What the audio tools produced: :class:`TranscriptResult` (speech to text) and
:class:`SpeechResult` (text to speech), each with the short text a model reads and the artifact an
application keeps (shared by :class:`~yescale.tools.audio.SpeechToText` /
:class:`~yescale.tools.audio.TextToSpeech` and every framework face over them).

Files in, files out, nothing large in the model's context: a transcript is text (clipped at
:data:`MAX_SUMMARY_CHARS` in the summary, whole in the artifact), speech is a file path (or bytes
kept for the application when there is no ``output_dir``), never audio bytes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from ..costs import Cost
from ..types.audio import Transcription

__all__ = ["MAX_SUMMARY_CHARS", "SpeechResult", "TranscriptResult"]

#: The most transcript characters a summary (what a model reads) holds; the artifact has all.
MAX_SUMMARY_CHARS = 20_000


@dataclass
class TranscriptResult:
    """A transcript (or an English translation) of one recording."""

    text: str
    model: str
    task: Literal["transcribe", "translate"]
    #: where the recording came from: the resolved path or the URL (never its bytes)
    source: str
    language: str | None = None
    #: seconds of audio (``verbose_json``)
    duration: float | None = None
    #: ``{"id", "start", "end", "text"}`` per segment (``verbose_json``)
    segments: list[dict[str, Any]] = field(default_factory=list)
    usage: dict[str, Any] | None = None
    #: the estimated cost of the request (:mod:`yescale.costs`)
    cost: Cost | None = None

    @classmethod
    def from_answer(
        cls,
        answer: Transcription,
        *,
        model: str,
        task: Literal["transcribe", "translate"],
        source: str,
    ) -> TranscriptResult:
        """The result of a ``json`` / ``verbose_json`` answer of ``client.audio``."""
        segments = [
            {"id": s.id, "start": s.start, "end": s.end, "text": s.text.strip()}
            for s in answer.segments or []
        ]
        usage = answer.usage.model_dump(exclude_none=True) if answer.usage else None
        return cls(
            text=answer.text.strip(),
            model=model,
            task=task,
            source=source,
            language=answer.language,
            duration=answer.duration,
            segments=segments,
            usage=usage,
            cost=answer.cost,
        )

    def summary(self) -> str:
        """Short text for a model: what was heard, in which language, how long."""
        what = "English translation" if self.task == "translate" else "Transcript"
        about = [f"with {self.model}"]
        if self.language:
            about.append(f"language: {self.language}")
        if self.duration is not None:
            about.append(f"{self.duration:g} s")
        text = self.text
        if len(text) > MAX_SUMMARY_CHARS:
            text = (
                text[:MAX_SUMMARY_CHARS]
                + f"... [clipped: {len(self.text)} characters in all, the whole transcript is in "
                "the tool's result for the application]"
            )
        return f"{what} of {self.source} ({', '.join(about)}):\n{text or '(no speech heard)'}"

    def artifact(self) -> dict[str, Any]:
        """The full result for the application."""
        return {
            "text": self.text,
            "model": self.model,
            "task": self.task,
            "source": self.source,
            "language": self.language,
            "duration": self.duration,
            "segments": [dict(s) for s in self.segments],
            "usage": self.usage,
            "cost": self.cost.as_dict() if self.cost else None,
        }

    def __str__(self) -> str:
        return self.summary()


@dataclass
class SpeechResult:
    """Speech made from a text: a file in ``output_dir``, or bytes kept for the application."""

    model: str
    voice: str
    format: str
    #: how many characters were spoken (the text itself is the caller's)
    characters: int
    path: Path | None = None
    data: bytes | None = field(default=None, repr=False)

    @property
    def size(self) -> int | None:
        """Bytes of audio, when known."""
        if self.data is not None:
            return len(self.data)
        if self.path is not None:
            try:
                return self.path.stat().st_size
            except OSError:
                return None
        return None

    def summary(self) -> str:
        """One line for a model: where the audio is. Never its bytes."""
        head = f"Spoke {self.characters} characters with {self.model} (voice {self.voice})"
        size = self.size
        about = f"{self.format}" + (f", {size} bytes" if size is not None else "")
        if self.path is not None:
            return f"{head}: saved to {self.path} ({about})."
        return f"{head}: {about}, kept in memory for the application (not shown here)."

    def artifact(self) -> dict[str, Any]:
        """The full result for the application (the bytes when nothing was saved)."""
        return {
            "model": self.model,
            "voice": self.voice,
            "format": self.format,
            "characters": self.characters,
            "path": str(self.path) if self.path else None,
            "data": self.data,
        }

    def __str__(self) -> str:
        return self.summary()
