"""Audio in OpenAI-format chat (``gpt-4o-audio-preview``, ``gpt-audio``...): pure decisions the
framework classes share, no I/O.

* Input: an ``input_audio`` part carries ``{"data": base64, "format": "wav" | "mp3"}``, the only
  two formats OpenAI's chat endpoint takes. :func:`openai_audio_format` names the format of a MIME
  type (``audio/mpeg`` is ``mp3``, ``audio/x-wav`` is ``wav``); :func:`check_chat_audio` refuses,
  before any request, another format (for every family but Gemini, whose own formats are wider),
  audio sent to a model whose profile says it takes none (only when the profile says so: an
  unknown model is let through), and ``modalities`` asking for audio without the ``audio``
  parameter the service requires with it.
* Output: an answer's ``message.audio`` (``id``, ``data``, ``transcript``, ``expires_at``);
  streamed, ``delta.audio`` pieces that :func:`merge_audio` folds together (``data`` and
  ``transcript`` concatenated). :func:`audio_block` makes the standard ``audio`` block of it:
  the bytes (raw 16-bit PCM, what a stream sends, wrapped as WAV), their MIME type read from the
  bytes, the audio's id (what the next turn sends back) and the transcript in ``extras``.
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Mapping, Sequence
from typing import Any

from ..errors import InvalidRequestError
from ..models import families
from ..models.profiles import model_profile
from ..translate.gemini_outputs import pcm_to_wav

__all__ = [
    "OPENAI_AUDIO_FORMATS",
    "audio_block",
    "audio_mime",
    "check_chat_audio",
    "join_base64",
    "merge_audio",
    "openai_audio_format",
]

#: The ``input_audio`` formats OpenAI's chat endpoint takes.
OPENAI_AUDIO_FORMATS = ("wav", "mp3")
_FORMAT_OF = {"mpeg": "mp3", "mp3": "mp3", "mpga": "mp3", "x-wav": "wav", "wave": "wav"}
_FIELDS = ("id", "data", "transcript", "expires_at")


def openai_audio_format(mime_or_format: str) -> str:
    """The ``input_audio`` format of a MIME type or format name (``audio/mpeg`` -> ``mp3``,
    ``audio/x-wav`` -> ``wav``); other names as they are (lower case, without parameters)."""
    name = mime_or_format.split(";")[0].strip().lower().split("/")[-1]
    return _FORMAT_OF.get(name, name)


def _audio_parts(messages: Sequence[Mapping[str, Any]]) -> list[tuple[int, Mapping[str, Any]]]:
    found = []
    for i, message in enumerate(messages):
        content = message.get("content")
        if not isinstance(content, list):
            continue
        for part in content:
            if isinstance(part, Mapping) and part.get("type") == "input_audio":
                inner = part.get("input_audio")
                found.append((i, inner if isinstance(inner, Mapping) else {}))
    return found


def check_chat_audio(
    model: str, messages: Sequence[Mapping[str, Any]], params: Mapping[str, Any]
) -> None:
    """Refuse, before any request, what OpenAI's chat endpoint would refuse about audio (see
    the module docstring)."""
    modalities = params.get("modalities")
    if isinstance(modalities, (list, tuple)) and "audio" in modalities and not params.get("audio"):
        raise InvalidRequestError(
            "modalities asks for audio, which also needs the audio parameter: pass "
            "audio={'voice': 'alloy', 'format': 'wav'} (LlamaIndex: audio_config=...)."
        )
    parts = _audio_parts(messages)
    if not parts:
        return
    if model_profile(model).get("audio_inputs") is False:
        raise InvalidRequestError(
            f"{model!r} takes no audio input: send audio to an audio-capable model "
            "(gpt-4o-audio-preview, gpt-4o-mini-audio-preview, gpt-audio, gpt-audio-mini), "
            "or transcribe it first (client.audio.transcriptions)."
        )
    if families.family(model) == "gemini":
        return
    for i, audio in parts:
        name = audio.get("format")
        if name not in OPENAI_AUDIO_FORMATS:
            raise InvalidRequestError(
                f"messages[{i}] holds audio in format {name!r}, which OpenAI's chat endpoint "
                f"does not take: it takes {' and '.join(OPENAI_AUDIO_FORMATS)} only; convert "
                "the audio first (e.g. with ffmpeg) and send it as audio/wav or audio/mpeg."
            )


def merge_audio(current: Mapping[str, Any] | None, piece: Mapping[str, Any]) -> dict[str, Any]:
    """A streamed answer's audio so far with one ``delta.audio`` piece: ``data`` and
    ``transcript`` concatenated, ``id`` and ``expires_at`` taken when a piece brings them."""
    merged = dict(current or {})
    for key, value in piece.items():
        if value is None:
            continue
        if key in ("data", "transcript") and isinstance(value, str):
            merged[key] = str(merged.get(key) or "") + value
        else:
            merged[key] = value
    return merged


_BASE64_TEXT = re.compile(r"[A-Za-z0-9+/=]*")
_PADDED_RUN = re.compile(r"[A-Za-z0-9+/]*={1,2}|[A-Za-z0-9+/]+$")


def join_base64(data: str) -> bytes:
    """The bytes of base64 pieces concatenated as they streamed (a piece may end in padding,
    which a plain decoder would stop at). Raises ``ValueError`` on text that is not base64."""
    compact = "".join(data.split())
    if not _BASE64_TEXT.fullmatch(compact):
        raise ValueError("not base64")
    if "=" not in compact.rstrip("="):
        return base64.b64decode(compact, validate=True)
    try:
        return b"".join(
            base64.b64decode(run, validate=True) for run in _PADDED_RUN.findall(compact)
        )
    except binascii.Error as exc:
        raise ValueError(str(exc)) from exc


def audio_mime(data: bytes) -> str:
    """The MIME type of audio bytes, read from their first bytes; ``audio/pcm`` (raw 16-bit
    samples, what OpenAI streams) when they have no known header."""
    if data[:4] == b"RIFF" and data[8:12] == b"WAVE":
        return "audio/wav"
    if data[:3] == b"ID3" or (len(data) > 1 and data[0] == 0xFF and data[1] & 0xE0 == 0xE0):
        return "audio/mpeg"
    if data[:4] == b"fLaC":
        return "audio/flac"
    if data[:4] == b"OggS":
        return "audio/ogg"
    return "audio/pcm"


def audio_block(audio: Any) -> dict[str, Any] | None:
    """The standard ``audio`` block of an answer's ``audio`` (see the module docstring);
    ``None`` when it holds no data (a streamed piece with only the transcript)."""
    if not isinstance(audio, Mapping) or not isinstance(audio.get("data"), str):
        return None
    try:
        raw = join_base64(audio["data"])
    except ValueError:
        return None
    if not raw:
        return None
    mime = audio_mime(raw)
    encoded = base64.b64encode(raw).decode("ascii")
    if mime == "audio/pcm":  # OpenAI's pcm16: 24 kHz mono, little-endian
        wav = pcm_to_wav(encoded, "audio/pcm;rate=24000")
        if wav is not None:
            encoded, mime = wav, "audio/wav"
    block: dict[str, Any] = {"type": "audio", "base64": encoded, "mime_type": mime}
    if audio.get("id"):
        block["id"] = audio["id"]
    extras = {k: audio[k] for k in ("transcript", "expires_at") if audio.get(k) is not None}
    if extras:
        block["extras"] = extras
    return block
