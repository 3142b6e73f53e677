"""Answers beyond text (Gemini's media and code, Claude's server tools) as LlamaIndex blocks,
and back on the next turn.

The client gives a Gemini answer that holds more than text as standard blocks (see
:mod:`yescale.translate.gemini_outputs`); here they become LlamaIndex's:

* ``image`` -> ``ImageBlock`` (bytes as base64, with the MIME type); ``audio`` -> ``AudioBlock``
  (WAV for Gemini's speech); ``file`` -> ``DocumentBlock``;
* the code Gemini ran and its output -> ``TextBlock`` s holding them as fenced code (LlamaIndex
  has no block for a tool the service ran itself, and a ``ToolCallBlock`` would make an agent try
  to run it); other server tools' calls and results (Claude's web search) are not shown: what
  they found comes as citations;
* each citation (a grounding support) -> a ``CitationBlock`` after the text: the cited text, the
  source's URI and title, and the character span in ``additional_location_info``.

So that the model gets its own turn back as it made it (an image it is asked to edit, each part
with its thought signature), the answer's blocks are also kept, without their data, in
``additional_kwargs["content_blocks"]``: each data block names the message block holding its bytes
(``"block": i``), so an image is held once.
"""

from __future__ import annotations

import base64
from collections.abc import Mapping, Sequence
from typing import Any

from llama_index.core.base.llms.types import (
    AudioBlock,
    CitationBlock,
    DocumentBlock,
    ImageBlock,
    TextBlock,
)

from yescale import InvalidRequestError

__all__ = ["citation_blocks", "model_turn_blocks", "output_blocks", "text_spans"]

_DATA = ("image", "audio", "file")
#: The server tool whose call and output are shown as fenced code (Gemini's code execution).
_CODE = "code_interpreter"


def _code_text(block: Mapping[str, Any]) -> str:
    if block.get("type") == "server_tool_call":
        args = block.get("args") or {}
        return f"```{args.get('language') or ''}\n{args.get('code') or ''}\n```"
    output = str(block.get("output") or "").rstrip("\n")
    return f"```output\n{output}\n```"


def _data_block(block: Mapping[str, Any]) -> Any:
    mime = str(block.get("mime_type") or "")
    data = str(block.get("base64") or "").encode("ascii") or None
    url = block.get("url")
    if block["type"] == "image":
        return ImageBlock(image=data, url=url if data is None else None, image_mimetype=mime)
    if block["type"] == "audio":
        audio_format = mime.split("/")[-1].split(";")[0] or None
        return AudioBlock(audio=data, url=url if data is None else None, format=audio_format)
    return DocumentBlock(data=data, url=url if data is None else None, document_mimetype=mime)


def output_blocks(
    blocks: Sequence[Mapping[str, Any]], first: int
) -> tuple[list[Any], list[dict[str, Any]], set[int]]:
    """LlamaIndex blocks for the answer's standard blocks, the answer's blocks without their
    data (each data block naming its place among the message's blocks: ``first`` + position),
    and the places (``first`` + position) of the ``TextBlock`` s holding the answer's own text
    (for :func:`text_spans`)."""
    out: list[Any] = []
    plain: set[int] = set()
    kept: list[dict[str, Any]] = []
    code_calls: set[Any] = set()
    for block in blocks:
        kind = block.get("type")
        slim = {k: v for k, v in block.items() if k not in ("index", "base64")}
        if kind == "text":
            plain.add(first + len(out))
            out.append(TextBlock(text=str(block.get("text") or "")))
        elif kind in _DATA:
            slim["block"] = first + len(out)
            out.append(_data_block(block))
        elif kind == "server_tool_call" and block.get("name") == _CODE:
            code_calls.add(block.get("id"))
            out.append(TextBlock(text=_code_text(block)))
        elif kind == "server_tool_result" and block.get("tool_call_id") in code_calls:
            out.append(TextBlock(text=_code_text(block)))
        elif kind not in ("server_tool_call", "server_tool_result", "non_standard"):
            continue
        # other server tools (Claude's web search, ...) are kept for the next turn, not shown:
        # what they found shows as the answer's citations
        kept.append(slim)
    return out, kept, plain


#: (start in the answer's text, start in ``ChatMessage.content``, length) of each text piece
Spans = list[tuple[int, int, int]]


def text_spans(blocks: Sequence[Any], plain: set[int]) -> Spans:
    """Where each piece of the answer's text (the ``TextBlock`` s at ``plain``) sits in
    ``ChatMessage.content``, which joins all the message's ``TextBlock`` s (code ones too) with
    newlines."""
    spans: Spans = []
    wire = shown = 0
    texts = [(i, b) for i, b in enumerate(blocks) if isinstance(b, TextBlock)]
    for n, (i, block) in enumerate(texts):
        if n:
            shown += 1  # the newline ChatMessage.content puts between blocks
        if i in plain:
            spans.append((wire, shown, len(block.text)))
            wire += len(block.text)
        shown += len(block.text)
    return spans


def _shown_at(offset: int, spans: Spans | None, end: bool) -> int:
    """``offset`` in the answer's text as an offset in ``ChatMessage.content`` (a span's start
    belongs to the piece it starts, its end to the piece it ends)."""
    for wire, shown, length in spans or ():
        if (wire < offset <= wire + length) if end else (wire <= offset < wire + length):
            return shown + offset - wire
    if spans and offset == spans[-1][0] + spans[-1][2]:
        return spans[-1][1] + spans[-1][2]
    return offset


def citation_blocks(
    annotations: Sequence[Any], text: str, spans: Spans | None = None
) -> list[CitationBlock]:
    """``url_citation`` annotations on ``text`` (the answer's text, joined) as
    ``CitationBlock`` s; with ``spans`` (:func:`text_spans`), the character span in
    ``additional_location_info`` indexes ``ChatMessage.content`` instead."""
    out = []
    for annotation in annotations:
        inner = annotation.get("url_citation") if isinstance(annotation, Mapping) else None
        if not isinstance(inner, Mapping) or not inner.get("url"):
            continue
        start, end = inner.get("start_index"), inner.get("end_index")
        span = isinstance(start, int) and isinstance(end, int)
        location: dict[str, Any] = {}
        if isinstance(start, int) and isinstance(end, int):
            location["start_char_index"] = _shown_at(start, spans, end=False)
            location["end_char_index"] = _shown_at(end, spans, end=True)
        out.append(
            CitationBlock(
                cited_content=TextBlock(text=text[start:end] if span else ""),
                source=str(inner["url"]),
                title=str(inner.get("title") or ""),
                additional_location_info=location,
            )
        )
    return out


def _data_of(block: Any, kind: str, at: int) -> tuple[str, str]:
    """``(base64, mime type)`` of the message block an answer's data block names."""
    if kind == "image" and isinstance(block, ImageBlock):
        data = block.resolve_image(as_base64=True).read()
        return data.decode("ascii"), block.image_mimetype or "image/png"
    if kind == "audio" and isinstance(block, AudioBlock):
        data = block.resolve_audio(as_base64=True).read()
        return data.decode("ascii"), f"audio/{block.format or 'wav'}"
    if kind == "file" and isinstance(block, DocumentBlock):
        raw = block.resolve_document().read()
        mime = block.document_mimetype or "application/octet-stream"
        return base64.b64encode(raw).decode("ascii"), mime
    raise InvalidRequestError(
        f"additional_kwargs['content_blocks'] of an assistant message says block {at} holds "
        f"its {kind}, but that block is a {type(block).__name__}: keep the answer's blocks as "
        "they came, or remove 'content_blocks' to send the message as text."
    )


def model_turn_blocks(message_blocks: Sequence[Any], kept: Any) -> list[dict[str, Any]]:
    """An answer's standard blocks again, with the data of each taken from the message block it
    names (``kept``: ``additional_kwargs["content_blocks"]``)."""
    if not isinstance(kept, list):
        raise InvalidRequestError(
            "additional_kwargs['content_blocks'] of an assistant message must be the list the "
            "answer came with."
        )
    out = []
    for block in kept:
        if not isinstance(block, Mapping):
            continue
        full = {k: v for k, v in block.items() if k != "block"}
        at = block.get("block")
        if block.get("type") in _DATA and isinstance(at, int):
            if not 0 <= at < len(message_blocks):
                raise InvalidRequestError(
                    f"additional_kwargs['content_blocks'] names block {at}, but the message has "
                    f"{len(message_blocks)} blocks."
                )
            full["base64"], full["mime_type"] = _data_of(message_blocks[at], block["type"], at)
        out.append(full)
    return out
