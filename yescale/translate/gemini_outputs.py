"""What Gemini answers beyond text, as standard content blocks, and its grounding as citations.

Gemini's answer parts that are neither text, thoughts nor function calls (images from the image
models, speech from the TTS models, code the model ran and its result, files) become plain dicts
in the shape of LangChain's standard content blocks, the vocabulary both frameworks map from:

* ``inlineData`` ``image/*`` -> ``{"type": "image", "base64": ..., "mime_type": ...}``;
* ``inlineData`` ``audio/*`` -> ``{"type": "audio", ...}``: raw PCM (the TTS models answer
  ``audio/L16;codec=pcm;rate=24000``) is wrapped as WAV, so the bytes play as they are;
* other ``inlineData`` / ``fileData`` -> ``{"type": "file", ...}`` (``url`` for ``fileData``);
* ``executableCode`` -> ``{"type": "server_tool_call", "name": "code_interpreter", "args":
  {"code": ..., "language": "python"}}`` and ``codeExecutionResult`` -> ``{"type":
  "server_tool_result", "tool_call_id": <that call>, "status": "success" | "error", "output":
  ...}`` (the names langchain-core's own Google translator uses);
* text stays ``{"type": "text", "text": ...}``.

A part's ``thoughtSignature`` rides in the block's ``extras["signature"]`` and goes back on the
next turn (:func:`blocks_to_parts`): Gemini needs it to keep editing an image across turns.

Grounding supports (Google Search, URL context) become OpenAI-format ``url_citation``
annotations on the answer text, with character offsets into it.
"""

from __future__ import annotations

import base64
import io
import wave
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from ..errors import InvalidRequestError
from ..types.gemini import Part

__all__ = ["OutputBlocks", "blocks_to_parts", "url_citations"]

#: Gemini's code-execution outcomes that mean the code ran.
_OK_OUTCOMES = {"OUTCOME_OK", 1}
#: The block types a Gemini answer produces (and takes back on a model turn).
_DATA_BLOCKS = ("image", "audio", "file")


def _mime_params(mime: str) -> dict[str, str]:
    params: dict[str, str] = {}
    for item in mime.split(";")[1:]:
        key, _, value = item.partition("=")
        params[key.strip().lower()] = value.strip()
    return params


def _is_pcm(mime: str) -> bool:
    kind = mime.split(";")[0].strip().lower()
    return kind in ("audio/l16", "audio/pcm") or _mime_params(mime).get("codec") == "pcm"


def pcm_to_wav(data: str, mime: str) -> str | None:
    """Base64 raw 16-bit PCM (Gemini TTS) as base64 WAV: mono, at the ``rate`` the MIME type
    names (24 kHz when it does not), samples as they came (little-endian, as Gemini sends).
    ``None`` when ``data`` is not base64 or the parameters are not numbers (then the audio is
    passed on as it came)."""
    try:
        rate = int(_mime_params(mime).get("rate", "24000"))
        channels = int(_mime_params(mime).get("channels", "1"))
        pcm = base64.b64decode(data, validate=True)
        if not 0 < rate < 1 << 31 or not 0 < channels < 1 << 16:
            return None
    except ValueError:
        return None
    out = io.BytesIO()
    with wave.open(out, "wb") as wav:
        wav.setnchannels(channels)
        wav.setsampwidth(2)
        wav.setframerate(rate)
        wav.writeframes(pcm)
    return base64.b64encode(out.getvalue()).decode("ascii")


def _data_block(inline: Mapping[str, Any]) -> dict[str, Any]:
    mime = str(inline.get("mimeType") or inline.get("mime_type") or "application/octet-stream")
    data = str(inline.get("data") or "")
    kind = mime.split("/")[0].lower()
    wav = pcm_to_wav(data, mime) if kind == "audio" and _is_pcm(mime) else None
    if wav is not None:
        return {
            "type": "audio",
            "base64": wav,
            "mime_type": "audio/wav",
            "extras": {"gemini_mime_type": mime},
        }
    block_type = kind if kind in ("image", "audio") else "file"
    return {"type": block_type, "base64": data, "mime_type": mime}


def _file_block(file: Mapping[str, Any]) -> dict[str, Any]:
    mime = str(file.get("mimeType") or file.get("mime_type") or "")
    kind = mime.split("/")[0].lower()
    block: dict[str, Any] = {
        "type": kind if kind in ("image", "audio") else "file",
        "url": str(file.get("fileUri") or file.get("file_uri") or ""),
    }
    if mime:
        block["mime_type"] = mime
    return block


class OutputBlocks:
    """The answer's parts as standard blocks, in order, one answer (or one stream) at a time.

    Consecutive text parts continue one text block; every other part is a block of its own.
    Each block has an ``index`` (its place in the answer), so the blocks of a stream's chunks
    merge back into the answer's. ``rich`` turns true with the first part that is not text.
    """

    def __init__(self, id_prefix: str) -> None:
        self.id_prefix = id_prefix
        self.rich = False
        self._next = 0
        self._text_open = False
        self._codes = 0

    def _index(self, text: bool) -> int:
        if text and self._text_open:
            return self._next - 1
        self._text_open = text
        self._next += 1
        return self._next - 1

    def add(self, part: Part) -> dict[str, Any] | None:
        """The block for one part (``None`` for thoughts and function calls, told elsewhere)."""
        if part.thought or part.function_call is not None or part.function_response is not None:
            return None
        block: dict[str, Any]
        if part.text is not None:
            block = {"type": "text", "text": part.text}
        elif part.inline_data is not None:
            block = _data_block(part.inline_data)
        elif part.file_data is not None:
            block = _file_block(part.file_data)
        elif part.executable_code is not None:
            self._codes += 1
            code = part.executable_code
            block = {
                "type": "server_tool_call",
                "name": "code_interpreter",
                "id": f"{self.id_prefix}_code_{self._codes}",
                "args": {
                    "code": str(code.get("code") or ""),
                    "language": str(code.get("language") or "PYTHON").lower(),
                },
            }
        elif part.code_execution_result is not None:
            result = part.code_execution_result
            outcome = result.get("outcome", "OUTCOME_OK")
            block = {
                "type": "server_tool_result",
                "tool_call_id": f"{self.id_prefix}_code_{self._codes}",
                "status": "success" if outcome in _OK_OUTCOMES else "error",
                "output": str(result.get("output") or ""),
                "extras": {"outcome": outcome},
            }
        else:
            return None
        if block["type"] != "text":
            self.rich = True
        if part.thought_signature:
            block.setdefault("extras", {})["signature"] = part.thought_signature
        block["index"] = self._index(block["type"] == "text")
        return block

    def of(self, parts: Iterable[Part]) -> list[dict[str, Any]]:
        """The blocks of ``parts``, text parts of one run merged (a whole answer's parts)."""
        blocks: list[dict[str, Any]] = []
        for part in parts:
            block = self.add(part)
            if block is None:
                continue
            if blocks and block["type"] == "text" and blocks[-1]["index"] == block["index"]:
                last = blocks[-1]
                last["text"] += block["text"]
                if "extras" in block and "extras" not in last:
                    last["extras"] = block["extras"]
                continue
            blocks.append(block)
        return blocks


def url_citations(grounding: Mapping[str, Any] | None, text: str) -> list[dict[str, Any]]:
    """Grounding supports as OpenAI ``url_citation`` annotations on ``text`` (the answer's text).

    One annotation per (support, source) pair, with the source's URI and title and the character
    offsets of the supported segment in ``text``: found by the segment's text when it is given
    (Gemini's own offsets count bytes within one part), else Gemini's byte offsets converted.
    """
    if not isinstance(grounding, Mapping):
        return []
    chunks = grounding.get("groundingChunks") or grounding.get("grounding_chunks") or []
    supports = grounding.get("groundingSupports") or grounding.get("grounding_supports") or []
    encoded = text.encode("utf-8")
    annotations: list[dict[str, Any]] = []
    for support in supports if isinstance(supports, list) else []:
        if not isinstance(support, Mapping):
            continue
        segment = support.get("segment") or {}
        start, end = _span(segment, text, encoded)
        indices = support.get("groundingChunkIndices") or support.get("grounding_chunk_indices")
        for index in indices if isinstance(indices, list) else []:
            if not isinstance(index, int) or not 0 <= index < len(chunks):
                continue
            chunk = chunks[index] if isinstance(chunks[index], Mapping) else {}
            source = chunk.get("web") or chunk.get("retrievedContext") or chunk.get("maps") or {}
            if not isinstance(source, Mapping) or not source.get("uri"):
                continue
            citation: dict[str, Any] = {
                "url": str(source["uri"]),
                "title": str(source.get("title") or ""),
                "start_index": start,
                "end_index": end,
            }
            annotations.append({"type": "url_citation", "url_citation": citation})
    return annotations


def _span(segment: Mapping[str, Any], text: str, encoded: bytes) -> tuple[int, int]:
    cited = segment.get("text")
    if isinstance(cited, str) and cited:
        found = text.find(cited)
        if found >= 0:
            return found, found + len(cited)
    start = segment.get("startIndex", segment.get("start_index", 0))
    end = segment.get("endIndex", segment.get("end_index", 0))
    start = start if isinstance(start, int) else 0
    end = end if isinstance(end, int) else start

    def chars(offset: int) -> int:
        return len(encoded[: max(0, offset)].decode("utf-8", errors="ignore"))

    return chars(start), max(chars(start), chars(end))


# -- back to Gemini -------------------------------------------------------------------------------


def _signed(part: dict[str, Any], block: Mapping[str, Any]) -> dict[str, Any]:
    extras = block.get("extras")
    if isinstance(extras, Mapping) and extras.get("signature"):
        part["thoughtSignature"] = str(extras["signature"])
    return part


def _data_part(block: Mapping[str, Any], where: str) -> dict[str, Any]:
    mime = block.get("mime_type")
    if block.get("base64"):
        if not mime:
            raise InvalidRequestError(f"{where} holds base64 data without a mime_type.")
        return {"inlineData": {"mimeType": str(mime), "data": str(block["base64"])}}
    if block.get("url"):
        return {"fileData": {"mimeType": str(mime or ""), "fileUri": str(block["url"])}}
    raise InvalidRequestError(f"{where} has neither base64 data nor a url.")


def blocks_to_parts(blocks: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """A model turn's standard blocks (as :class:`OutputBlocks` made them) as Gemini parts, in
    order, with their thought signatures. Reasoning and tool-call blocks are left out (they
    travel in ``reasoning_content`` and ``tool_calls``)."""
    parts: list[dict[str, Any]] = []
    for i, block in enumerate(blocks):
        where = f"Content block {i} of a model turn"
        kind = block.get("type")
        if kind == "text":
            if block.get("text") or (block.get("extras") or {}).get("signature"):
                parts.append(_signed({"text": str(block.get("text") or "")}, block))
        elif kind in _DATA_BLOCKS:
            parts.append(_signed(_data_part(block, where), block))
        elif kind == "server_tool_call" and block.get("name") == "code_interpreter":
            args = block.get("args") or {}
            code = {
                "language": str(args.get("language") or "python").upper(),
                "code": str(args.get("code") or ""),
            }
            parts.append(_signed({"executableCode": code}, block))
        elif kind == "server_tool_result":
            extras = block.get("extras") or {}
            outcome = extras.get("outcome")
            if not isinstance(outcome, str):
                outcome = "OUTCOME_OK" if block.get("status") == "success" else "OUTCOME_FAILED"
            result = {"outcome": outcome, "output": str(block.get("output") or "")}
            parts.append(_signed({"codeExecutionResult": result}, block))
    return parts
