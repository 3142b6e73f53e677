"""``content_blocks`` for YEScale answers: langchain-core's own reading, plus citations and
audio.

langchain-core turns a message into standard blocks with the translator registered for its
``response_metadata["model_provider"]``. Ours (``"yescale"``) adds two things to the core's
best-effort reading, which already understands our content (text, and the standard image,
audio and server-tool blocks of Gemini's answers): the answer's ``url_citation`` annotations
(Gemini's grounding supports, or an OpenAI-format gateway's web-search citations), kept in
``additional_kwargs["annotations"]``, become ``citation`` annotations on the text blocks they
point into, with offsets into that block's text. And an audio answer (OpenAI's audio chat
models), kept in ``additional_kwargs["audio"]`` as ``ChatOpenAI`` keeps it, becomes an ``audio``
block after the text: the bytes (a stream's PCM as WAV), their MIME type, the audio's id and, in
``extras``, the transcript and ``expires_at`` (:func:`yescale.integration.audio_chat.audio_block`).
A message with neither is left to the core (the translator declines, which is the registry's
protocol for it).
"""

from __future__ import annotations

from typing import Any, TypeVar, cast

from langchain_core.messages import AIMessage, AIMessageChunk
from langchain_core.messages import content as types
from langchain_core.messages.block_translators import register_translator

from yescale.integration.audio_chat import audio_block

PROVIDER = "yescale"

Message = TypeVar("Message", AIMessage, AIMessageChunk)


def _citation(annotation: Any) -> dict[str, Any] | None:
    if not isinstance(annotation, dict) or annotation.get("type") != "url_citation":
        return None
    inner = annotation.get("url_citation")
    source = inner if isinstance(inner, dict) else annotation
    citation: dict[str, Any] = {"type": "citation"}
    for key in ("url", "title", "start_index", "end_index"):
        if source.get(key) is not None:
            citation[key] = source[key]
    return citation


def _annotate(blocks: list[dict[str, Any]], citations: list[dict[str, Any]]) -> None:
    """Put each citation on the text block its offsets fall in, shifted to that block."""
    texts = [b for b in blocks if b.get("type") == "text"]
    if not texts:
        texts = [{"type": "text", "text": ""}]
        blocks.append(texts[0])
    spans = []
    offset = 0
    for block in texts:
        length = len(block.get("text") or "")
        spans.append((offset, offset + length, block))
        offset += length
    for citation in citations:
        start = citation.get("start_index")
        target = spans[-1]
        if isinstance(start, int):
            target = next((s for s in spans if s[0] <= start < s[1]), spans[-1])
        begin, _, block = target
        placed = dict(citation)
        if isinstance(start, int) and isinstance(citation.get("end_index"), int):
            placed["start_index"] = start - begin
            placed["end_index"] = citation["end_index"] - begin
            text = block.get("text") or ""
            cited = text[placed["start_index"] : placed["end_index"]]
            if cited:
                placed["cited_text"] = cited
        block.setdefault("annotations", []).append(placed)


def _with_citations(message: Message) -> list[types.ContentBlock]:
    citations = [c for c in map(_citation, message.additional_kwargs.get("annotations") or []) if c]
    audio = audio_block(message.additional_kwargs.get("audio"))
    if not citations and audio is None:
        raise NotImplementedError  # the core's best-effort reading is the whole answer
    metadata = {k: v for k, v in message.response_metadata.items() if k != "model_provider"}
    plain = message.model_copy(update={"response_metadata": metadata})
    blocks = [dict(b) for b in plain.content_blocks]
    if citations:
        _annotate(blocks, citations)
    if audio is not None:
        blocks.append(audio)
    return cast("list[types.ContentBlock]", blocks)


def translate_content(message: AIMessage) -> list[types.ContentBlock]:
    """Standard blocks of a YEScale answer (the registry calls it for ``content_blocks``)."""
    return _with_citations(message)


def translate_content_chunk(message: AIMessageChunk) -> list[types.ContentBlock]:
    """Standard blocks of a YEScale stream chunk."""
    return _with_citations(message)


register_translator(PROVIDER, translate_content, translate_content_chunk)
