"""Audio in OpenAI-format chat, LangChain side: ``input_audio`` parts named as OpenAI names
their format, an audio answer sent back by its id, and the answer's ``audio`` as a standard
block (see :mod:`yescale.integration.audio_chat` for the shared rules)."""

from __future__ import annotations

from typing import Any

from langchain_core.messages import AIMessage

from yescale.integration.audio_chat import openai_audio_format


def audio_format_named(part: dict[str, Any]) -> dict[str, Any]:
    """An ``input_audio`` part made from a standard block: its format named as OpenAI names it
    (``audio/mpeg`` is ``mp3``, not ``mpeg`` as the core's conversion says)."""
    inner = part.get("input_audio") if part.get("type") == "input_audio" else None
    if isinstance(inner, dict) and isinstance(inner.get("format"), str):
        part["input_audio"] = {**inner, "format": openai_audio_format(inner["format"])}
    return part


def answered_audio(message: AIMessage) -> dict[str, Any] | None:
    """An audio answer sent back, as OpenAI takes it: only its id (``{"id": ...}``), from an
    ``audio`` block with an id in the content or ``additional_kwargs["audio"]`` (as
    ``ChatOpenAI`` reads them); an ``audio`` dict without an id goes as it is."""
    content = message.content if isinstance(message.content, list) else []
    for block in reversed(content):
        if isinstance(block, dict) and block.get("type") == "audio" and block.get("id"):
            return {"id": block["id"]}
    raw = message.additional_kwargs.get("audio")
    if isinstance(raw, dict) and raw:
        return {"id": raw["id"]} if "id" in raw else raw
    return None
