"""LlamaIndex messages and blocks <-> OpenAI-format chat dicts (the client's neutral form).

Only framework objects are converted here: HTTP, wire parsing and the Gemini translation are the
client's (:mod:`yescale`).
"""

from __future__ import annotations

import base64
import copy
from collections.abc import Mapping, Sequence
from typing import Any, Literal

from llama_index.core.base.llms.types import (
    AudioBlock,
    CachePoint,
    ChatMessage,
    CitableBlock,
    CitationBlock,
    DocumentBlock,
    ImageBlock,
    LogProb,
    MessageRole,
    TextBlock,
    ThinkingBlock,
    ToolCallBlock,
    VideoBlock,
)
from llama_index.core.llms.utils import parse_partial_json

from yescale import InvalidRequestError
from yescale.integration import dump_tool_arguments, load_tool_arguments
from yescale.integration.answers import reasoning_tokens
from yescale.integration.audio_chat import openai_audio_format
from yescale.integration.caching import check_cache_control, refuse_non_text_breakpoint
from yescale.tools.inputs import sniff_image
from yescale.types.chat import ChatMessage as WireMessage
from yescale.types.chat import Usage

from ._audio import answer_audio, sent_back_audio
from ._outputs import citation_blocks, model_turn_blocks, output_blocks, text_spans

ReasoningHistory = Literal["auto", "always", "never"]

#: Message-level fields of an answer kept in ``additional_kwargs`` and sent back next turn
#: (``extra_content`` holds Gemini's thought signature of a text part).
_KEPT_MESSAGE_FIELDS = ("extra_content",)
_ASSISTANT_ROLES = {MessageRole.ASSISTANT, MessageRole.MODEL, MessageRole.CHATBOT}


# -- requests -------------------------------------------------------------------------------------


def _data_url(b64: str, mime: str) -> str:
    return f"data:{mime};base64,{b64}"


def _guess_image_mime(b64: bytes) -> str | None:
    """The image type of base64 bytes, from their first bytes (the client's one sniffer)."""
    try:
        head = base64.b64decode(b64[:64])
    except ValueError:
        return None
    sniffed = sniff_image(head)
    return sniffed[0] if sniffed else None


def image_part(block: ImageBlock) -> dict[str, Any]:
    """An ``image_url`` part: URLs as they are (the client fetches them for Gemini), bytes and
    paths inline as base64 data URLs."""
    if block.url is not None and block.image is None and block.path is None:
        url = str(block.url)
    else:
        b64 = block.resolve_image(as_base64=True).read()
        mime = block.image_mimetype or _guess_image_mime(b64) or "image/png"
        url = _data_url(b64.decode("ascii"), mime)
    image: dict[str, Any] = {"url": url}
    if block.detail:
        image["detail"] = block.detail
    return {"type": "image_url", "image_url": image}


def _need_inline(kind: str, block: AudioBlock | DocumentBlock | VideoBlock) -> None:
    data = getattr(block, {"audio": "audio", "document": "data", "video": "video"}[kind])
    if data is None and block.path is None:
        raise InvalidRequestError(
            f"A {kind} block must hold bytes or a local path to be sent to YEScale; "
            f"download the {kind} first (URLs are only accepted for images)."
        )


def _audio_part(block: AudioBlock) -> dict[str, Any]:
    _need_inline("audio", block)
    b64 = block.resolve_audio(as_base64=True).read().decode("ascii")
    audio_format = openai_audio_format(block.format or "wav")  # "mpeg" is "mp3" to OpenAI
    return {"type": "input_audio", "input_audio": {"data": b64, "format": audio_format}}


def _file_part(block: DocumentBlock | VideoBlock) -> dict[str, Any]:
    if isinstance(block, DocumentBlock):
        _need_inline("document", block)
        buffer = block.resolve_document()
        mime = block.document_mimetype or "application/pdf"
        name = block.title or "document"
    else:
        _need_inline("video", block)
        buffer = block.resolve_video()
        mime = block.video_mimetype or "video/mp4"
        name = "video"
    raw = buffer.read()
    b64 = base64.b64encode(raw).decode("ascii")
    return {"type": "file", "file": {"filename": name, "file_data": _data_url(b64, mime)}}


def _citable_text(block: CitableBlock | CitationBlock) -> str:
    inner = block.content if isinstance(block, CitableBlock) else block.cited_content
    items = inner if isinstance(inner, list) else [inner]
    return "".join(b.text for b in items if isinstance(b, TextBlock))


def content_part(block: Any) -> dict[str, Any] | None:
    """One input block as an OpenAI content part; ``None`` for blocks that are not content."""
    if isinstance(block, TextBlock):
        return {"type": "text", "text": block.text}
    if isinstance(block, ImageBlock):
        return image_part(block)
    if isinstance(block, AudioBlock):
        return _audio_part(block)
    if isinstance(block, (DocumentBlock, VideoBlock)):
        return _file_part(block)
    if isinstance(block, (CitableBlock, CitationBlock)):
        return {"type": "text", "text": _citable_text(block)}
    if isinstance(block, (ThinkingBlock, ToolCallBlock, CachePoint)):
        return None  # reasoning and tool calls travel in their own fields; cache hints are not sent
    raise InvalidRequestError(f"Cannot send a {type(block).__name__} to YEScale.")


def _mark(parts: list[dict[str, Any]], point: CachePoint) -> None:
    """A ``CachePoint``: a breakpoint on the part before it, as llama-index's Anthropic LLM
    sets one on the block before it (its ``cache_control``, ``ttl`` included). Refused at the
    start of a message (nothing to cache, as there) and after a part that is not text (the
    OpenAI-format route carries breakpoints on text parts only)."""
    if not parts:
        raise InvalidRequestError(
            "A CachePoint must come after the block it caches, and this one starts its message: "
            "put it after a TextBlock (everything up to that block is cached)."
        )
    last = parts[-1]
    if last["type"] != "text":
        refuse_non_text_breakpoint(last["type"])
    if not last["text"]:
        raise InvalidRequestError(
            "A CachePoint must follow a TextBlock with text (Anthropic refuses a breakpoint on "
            "empty text): put it after a non-empty TextBlock."
        )
    last["cache_control"] = check_cache_control(
        point.cache_control.model_dump(), "CachePoint.cache_control"
    )


def _parts(blocks: Sequence[Any], cache: bool, text_only: bool = False) -> list[dict[str, Any]]:
    """The content parts of ``blocks`` (``text_only``: only the text ones); with ``cache``, each
    ``CachePoint`` marks the part before it, else ``CachePoint`` s are left out."""
    parts: list[dict[str, Any]] = []
    for block in blocks:
        if isinstance(block, CachePoint):
            if cache:
                _mark(parts, block)
            continue
        if text_only and not isinstance(block, (TextBlock, CitableBlock)):
            continue
        part = content_part(block)
        if part is not None:
            parts.append(part)
    return parts


def _joined(parts: list[dict[str, Any]]) -> str | list[dict[str, Any]]:
    """Text parts as one string (the widest-supported form), unless one carries a breakpoint."""
    if any("cache_control" in p for p in parts):
        return parts
    return "\n".join(p["text"] for p in parts)


def _text(blocks: Sequence[Any], cache: bool = False) -> str | list[dict[str, Any]]:
    """The text of ``blocks``: one string, or text parts when a ``CachePoint`` marks one."""
    return _joined(_parts(blocks, cache, text_only=True))


def _content(blocks: Sequence[Any], cache: bool = False) -> str | list[dict[str, Any]]:
    """A string when the message is only text (the widest-supported form), else parts."""
    parts = _parts(blocks, cache)
    if all(p["type"] == "text" for p in parts):
        return _joined(parts)
    return parts


def has_cache_points(messages: Sequence[ChatMessage]) -> bool:
    """Whether any message holds a ``CachePoint``."""
    return any(isinstance(b, CachePoint) for m in messages for b in m.blocks)


def _as_dict(call: Any) -> dict[str, Any]:
    if isinstance(call, Mapping):
        return copy.deepcopy(dict(call))
    if hasattr(call, "model_dump"):  # an OpenAI SDK object (llama-index-llms-openai history)
        return dict(call.model_dump(exclude_none=True))
    raise InvalidRequestError(f"Unsupported tool call {call!r:.80} in a message.")


def _arguments(kwargs: dict[str, Any] | str, name: str = "") -> str:
    return (
        kwargs
        if isinstance(kwargs, str)
        else dump_tool_arguments(kwargs, repr(name), "tool_kwargs")
    )


def assistant_tool_calls(message: ChatMessage) -> list[dict[str, Any]]:
    """The tool calls of an assistant message as OpenAI dicts.

    ``ToolCallBlock`` s are authoritative (LlamaIndex may drop some, e.g. to force a single call);
    the raw calls in ``additional_kwargs["tool_calls"]`` add what blocks cannot hold, such as
    Gemini thought signatures (``extra_content``), and are used alone for older histories.
    """
    raw = [_as_dict(c) for c in message.additional_kwargs.get("tool_calls") or []]
    raw_by_id = {c.get("id"): c for c in raw if c.get("id")}
    blocks = [b for b in message.blocks if isinstance(b, ToolCallBlock)]
    if not blocks:
        calls = raw
    else:
        calls = []
        for block in blocks:
            call = dict(raw_by_id.get(block.tool_call_id) or {})
            call.update(
                {
                    "id": block.tool_call_id,
                    "type": "function",
                    "function": {
                        "name": block.tool_name,
                        "arguments": _arguments(block.tool_kwargs, block.tool_name),
                    },
                }
            )
            calls.append(call)
    for call in calls:
        call.pop("index", None)
        call.setdefault("type", "function")
    return calls


def _assistant(
    message: ChatMessage,
    reasoning_history: ReasoningHistory,
    model_turn: bool = False,
    cache: bool = False,
) -> dict[str, Any]:
    calls = assistant_tool_calls(message)
    text = _text(message.blocks, cache)
    out: dict[str, Any] = {"role": "assistant", "content": text or (None if calls else "")}
    if calls:
        out["tool_calls"] = calls
    reasoning = "".join(
        b.content or "" for b in message.blocks if isinstance(b, ThinkingBlock)
    ) or message.additional_kwargs.get("reasoning_content")
    if reasoning and (reasoning_history == "always" or (reasoning_history == "auto" and calls)):
        out["reasoning_content"] = reasoning
    for name in _KEPT_MESSAGE_FIELDS:
        if message.additional_kwargs.get(name):
            out[name] = copy.deepcopy(message.additional_kwargs[name])
    audio = None if model_turn else sent_back_audio(message)
    if audio:
        # an audio answer goes back by its id, its text (the audio's transcript) left out: as
        # ChatOpenAI sends it, with an empty content (llama-index-llms-openai sends none, which
        # the client's check of an assistant message refuses)
        out["audio"] = audio
        if not calls:
            out["content"] = ""
    kept = message.additional_kwargs.get("content_blocks")
    if model_turn and kept:
        # a Gemini answer with images, audio or code: its parts go back as they came
        out["content_blocks"] = model_turn_blocks(message.blocks, kept)
    return out


def _tool(message: ChatMessage, index: int, cache: bool = False) -> dict[str, Any]:
    call_id = message.additional_kwargs.get("tool_call_id")
    if not call_id:
        raise InvalidRequestError(
            f"messages[{index}] is a tool result without additional_kwargs['tool_call_id']: "
            "YEScale needs the id of the tool call it answers."
        )
    out: dict[str, Any] = {
        "role": "tool",
        "tool_call_id": call_id,
        "content": _text(message.blocks, cache),
    }
    if message.additional_kwargs.get("name"):
        out["name"] = message.additional_kwargs["name"]
    return out


def to_openai_message(
    message: ChatMessage,
    reasoning_history: ReasoningHistory = "auto",
    index: int = 0,
    model_turn_blocks: bool = False,
    cache: bool = False,
) -> dict[str, Any]:
    """One LlamaIndex message as an OpenAI chat message dict (``model_turn_blocks``: Gemini,
    which takes the images, audio and code of its own answers back; ``cache``: ``CachePoint`` s
    become ``cache_control`` on the text part before them, else they are left out)."""
    role = message.role
    if role in (MessageRole.SYSTEM, MessageRole.DEVELOPER):
        return {"role": role.value, "content": _text(message.blocks, cache)}
    if role == MessageRole.USER:
        return {"role": "user", "content": _content(message.blocks, cache)}
    if role in _ASSISTANT_ROLES:
        return _assistant(message, reasoning_history, model_turn_blocks, cache)
    if role in (MessageRole.TOOL, MessageRole.FUNCTION):
        return _tool(message, index, cache)
    raise InvalidRequestError(
        f"messages[{index}] has role {role.value!r}, which YEScale cannot take."
    )


def to_openai_messages(
    messages: Sequence[ChatMessage],
    reasoning_history: ReasoningHistory = "auto",
    model_turn_blocks: bool = False,
    cache: bool = False,
) -> list[dict[str, Any]]:
    return [
        to_openai_message(m, reasoning_history, i, model_turn_blocks, cache)
        for i, m in enumerate(messages)
    ]


# -- answers --------------------------------------------------------------------------------------


def tool_kwargs(arguments: str | None) -> dict[str, Any] | str:
    """Tool-call arguments as a dict when they are a complete JSON object, else the raw text
    (streamed arguments so far, or what the model wrote when it is not valid JSON)."""
    try:
        return load_tool_arguments(arguments)
    except ValueError:
        return arguments or ""


def parse_tool_kwargs(kwargs: dict[str, Any] | str) -> dict[str, Any]:
    """Arguments for a ``ToolSelection``: complete or partial JSON (while streaming)."""
    if isinstance(kwargs, dict):
        return kwargs
    if not kwargs.strip():
        return {}
    try:
        parsed = parse_partial_json(kwargs)
    except (ValueError, TypeError):
        return {}
    return parsed if isinstance(parsed, dict) else {}


def tool_call_blocks(calls: Sequence[Mapping[str, Any]]) -> list[ToolCallBlock]:
    blocks = []
    for call in calls:
        function = call.get("function") or {}
        blocks.append(
            ToolCallBlock(
                tool_call_id=call.get("id") or None,
                tool_name=function.get("name") or "",
                tool_kwargs=tool_kwargs(function.get("arguments")),
            )
        )
    return blocks


def assistant_message(
    *,
    content: str,
    reasoning: str | None,
    calls: Sequence[Mapping[str, Any]],
    extras: Mapping[str, Any],
    thinking_tokens: int | None = None,
    outputs: Sequence[Mapping[str, Any]] | None = None,
    annotations: Sequence[Any] = (),
    audio: Mapping[str, Any] | None = None,
) -> ChatMessage:
    """An answer as a LlamaIndex message: ``ThinkingBlock``, ``TextBlock``, ``ToolCallBlock`` s,
    with the raw calls (plain dicts) in ``additional_kwargs["tool_calls"]``.

    ``outputs``: the standard blocks of an answer with more than text (Gemini images, audio,
    code), which replace the ``TextBlock``; ``annotations``: its citations, as
    ``CitationBlock`` s after the text (see :mod:`._outputs`); ``audio``: an audio answer's,
    an ``AudioBlock`` after the text, which is the transcript when the answer has no text (see
    :mod:`._audio`)."""
    transcript, audio_part, audio_kwargs = answer_audio(audio)
    content = content or transcript
    blocks: list[Any] = []
    if reasoning:
        blocks.append(ThinkingBlock(content=reasoning, num_tokens=thinking_tokens))
    kept: list[dict[str, Any]] = []
    spans = None
    if outputs:
        produced, kept, plain = output_blocks(outputs, len(blocks))
        blocks.extend(produced)
        spans = text_spans(blocks, plain)
    else:
        blocks.append(TextBlock(text=content))
    if audio_part is not None:
        blocks.append(audio_part)
    blocks.extend(citation_blocks(annotations, content, spans))
    blocks.extend(tool_call_blocks(calls))
    additional: dict[str, Any] = {"content_blocks": kept} if kept else {}
    additional.update(audio_kwargs)
    if calls:
        additional["tool_calls"] = [copy.deepcopy(dict(c)) for c in calls]
    for name, value in extras.items():
        if value:
            additional[name] = copy.deepcopy(value)
    return ChatMessage(role=MessageRole.ASSISTANT, blocks=blocks, additional_kwargs=additional)


def from_wire_message(message: WireMessage, usage: Usage | None = None) -> ChatMessage:
    """The assistant message of a completion as a LlamaIndex message."""
    content = message.content
    if isinstance(content, list):
        content = "".join(
            str(p.get("text", ""))
            for p in content
            if isinstance(p, dict) and p.get("type") == "text"
        )
    calls = [
        {k: v for k, v in c.model_dump(exclude_none=True).items() if k != "index"}
        for c in message.tool_calls or []
    ]
    wire_extras = message.model_extra or {}
    extras = {name: wire_extras.get(name) for name in _KEPT_MESSAGE_FIELDS}
    if message.refusal:
        extras["refusal"] = message.refusal
    return assistant_message(
        content=content or "",
        reasoning=message.reasoning_content,
        calls=calls,
        extras=extras,
        thinking_tokens=reasoning_tokens(usage),
        outputs=wire_extras.get("content_blocks"),
        annotations=wire_extras.get("annotations") or (),
        audio=message.audio.model_dump(exclude_none=True) if message.audio else None,
    )


def logprobs_from_wire(logprobs: Mapping[str, Any] | None) -> list[list[LogProb]] | None:
    """OpenAI ``choice.logprobs.content`` as LlamaIndex's per-token top log-probabilities."""
    if not logprobs or not logprobs.get("content"):
        return None
    result = []
    for token in logprobs["content"]:
        top = token.get("top_logprobs") or [token]
        result.append(
            [
                LogProb(
                    token=t.get("token", ""),
                    logprob=t.get("logprob", 0.0),
                    bytes=t.get("bytes") or [],
                )
                for t in top
            ]
        )
    return result
