"""Audio answers of OpenAI's audio chat models (``gpt-4o-audio-preview``, ``gpt-audio``...) as
LlamaIndex blocks, and back on the next turn.

An answer's ``audio`` (``id``, base64 ``data``, ``transcript``, ``expires_at``; streamed pieces
merged by the client) becomes an ``AudioBlock`` (the bytes, a stream's raw PCM as WAV, the format
read from the bytes) after the text, the transcript the text when the answer has none, and the
audio's id in ``additional_kwargs["reference_audio_id"]`` (llama-index-llms-openai's key, so
either class reads the other's history). The next turn sends that id back as
``{"role": "assistant", "content": "", "audio": {"id": ...}}``, as ``ChatOpenAI`` does (its data
and transcript never go back).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from llama_index.core.base.llms.types import AudioBlock, ChatMessage

from yescale.integration.audio_chat import audio_block

__all__ = ["REFERENCE_KEY", "answer_audio", "sent_back_audio"]

#: Where an assistant message keeps the id of its audio (llama-index-llms-openai's key).
REFERENCE_KEY = "reference_audio_id"


def answer_audio(audio: Mapping[str, Any] | None) -> tuple[str, AudioBlock | None, dict[str, Any]]:
    """``(transcript, AudioBlock or None, additional_kwargs)`` of an answer's audio (the block
    is ``None`` while a stream has brought no audio data yet)."""
    if not audio:
        return "", None, {}
    transcript = str(audio.get("transcript") or "")
    additional: dict[str, Any] = {}
    if audio.get("id"):
        additional[REFERENCE_KEY] = audio["id"]
    if audio.get("expires_at") is not None:
        additional["audio_expires_at"] = audio["expires_at"]
    standard = audio_block(audio)
    if standard is None:
        return transcript, None, additional
    audio_format = str(standard["mime_type"]).split("/")[-1].replace("mpeg", "mp3")
    block = AudioBlock(audio=standard["base64"].encode("ascii"), format=audio_format)
    return transcript, block, additional


def sent_back_audio(message: ChatMessage) -> dict[str, Any] | None:
    """The ``audio`` field of an assistant message sent back: ``{"id": ...}`` of its audio."""
    audio_id = message.additional_kwargs.get(REFERENCE_KEY)
    return {"id": audio_id} if isinstance(audio_id, str) and audio_id else None
