"""OpenAI-format chat (the neutral form) <-> Gemini ``generateContent``.

Both frameworks hand the client OpenAI-style messages and tool schemas and get back OpenAI-style
completions; this module is the one translation to and from Gemini's ``contents``/``parts``:

* system messages -> ``systemInstruction``; assistant -> ``model``; tool results ->
  ``functionResponse`` parts (named after the call they answer), with any image or file the tool
  returned as ``inlineData`` parts in the same turn;
* images (data URLs, or http(s) URLs fetched by the caller's ``fetch``) -> ``inlineData``;
* OpenAI tools -> ``functionDeclarations`` (parameters via :mod:`gemini_schema`); native Gemini
  tools (``{"googleSearch": {}}``, ``{"urlContext": {}}``, ``{"codeExecution": {}}``) pass through;
* answers: thought parts -> ``reasoning_content``; ``functionCall`` -> ``tool_calls``, with the
  part's ``thoughtSignature`` kept as ``extra_content.google.thought_signature`` (the spelling of
  Gemini's own OpenAI endpoint) and sent back on the next turn; ``thoughtsTokenCount`` ->
  ``completion_tokens_details.reasoning_tokens``; grounding metadata kept on the choice.
"""

from __future__ import annotations

import base64
import json
import mimetypes
import re
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from .._validate import check_content_parts, data_url_parts, note_tool_name, require_tool_list
from ..errors import InvalidRequestError
from ..types.chat import (
    ChatCompletion,
    ChatCompletionChunk,
    CompletionTokensDetails,
    PromptTokensDetails,
    Usage,
)
from ..types.gemini import Candidate, GenerateContentResponse, UsageMetadata
from .gemini_outputs import OutputBlocks, blocks_to_parts, url_citations
from .gemini_schema import to_gemini_parameters

#: Fetches an image URL: returns ``(bytes, mime type)``.
ImageFetcher = Callable[[str], tuple[bytes, str]]

#: Gemini's rule for function declaration names.
_FUNCTION_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_.:-]{0,63}$")

_FINISH = {
    "STOP": "stop",
    "MAX_TOKENS": "length",
    "SAFETY": "content_filter",
    "RECITATION": "content_filter",
    "BLOCKLIST": "content_filter",
    "PROHIBITED_CONTENT": "content_filter",
    "SPII": "content_filter",
    "IMAGE_SAFETY": "content_filter",
    "MALFORMED_FUNCTION_CALL": "stop",
}


# -- request --------------------------------------------------------------------------------------


def _data_url(url: str) -> dict[str, Any]:
    mime, data = data_url_parts(url, "An image or file part")
    return {"inlineData": {"mimeType": mime, "data": data}}


def _url_part(url: str, fetch: ImageFetcher | None) -> dict[str, Any]:
    if url.startswith("data:"):
        return _data_url(url)
    if fetch is None:
        mime = mimetypes.guess_type(url.split("?")[0])[0] or "image/png"
        return {"fileData": {"mimeType": mime, "fileUri": url}}
    data, mime = fetch(url)
    return {"inlineData": {"mimeType": mime, "data": base64.b64encode(data).decode()}}


def _content_parts(content: Any, fetch: ImageFetcher | None) -> list[dict[str, Any]]:
    if content is None:
        return []
    if isinstance(content, str):
        return [{"text": content}] if content else []
    if not isinstance(content, list):
        raise InvalidRequestError(
            f"A message's content is a {type(content).__name__}: it must be a string or a list "
            'of parts such as [{"type": "text", "text": "..."}].'
        )
    parts: list[dict[str, Any]] = []
    for block in content:
        if isinstance(block, str):
            parts.append({"text": block})
            continue
        if not isinstance(block, Mapping):
            raise InvalidRequestError(
                f"A content part must be a dict such as {{'type': 'text', 'text': '...'}}, got "
                f"{type(block).__name__} {block!r:.60}."
            )
        kind = block.get("type")
        if kind == "text":
            if block.get("text"):
                parts.append({"text": block["text"]})
        elif kind == "image_url":
            image = block.get("image_url")
            url = image.get("url") if isinstance(image, Mapping) else image
            if not isinstance(url, str) or not url:
                raise InvalidRequestError(
                    'An image_url part needs {"image_url": {"url": "https://... or data:..."}}.'
                )
            parts.append(_url_part(url, fetch))
        elif kind == "input_audio":
            audio = block.get("input_audio")
            if not isinstance(audio, Mapping) or not audio.get("data"):
                raise InvalidRequestError(
                    'An input_audio part needs {"input_audio": {"data": "<base64>", "format": '
                    '"wav"}}.'
                )
            parts.append(
                {
                    "inlineData": {
                        "mimeType": f"audio/{audio.get('format', 'wav')}",
                        "data": audio["data"],
                    }
                }
            )
        elif kind == "file" and isinstance(block.get("file"), dict):
            file = block["file"]
            if "file_data" in file:
                parts.append(_data_url(file["file_data"]))
            else:
                raise InvalidRequestError("Gemini needs file content inline (file_data).")
        elif any(k in block for k in ("inlineData", "fileData", "text", "functionCall")):
            parts.append({k: v for k, v in block.items() if k != "type"})
        else:
            raise InvalidRequestError(f"Gemini cannot take a {kind!r} content block.")
    return parts


def _signature(extra: Any) -> str | None:
    if isinstance(extra, Mapping):
        google = extra.get("google")
        if isinstance(google, Mapping) and google.get("thought_signature"):
            return str(google["thought_signature"])
    return None


def _assistant_parts(message: Mapping[str, Any]) -> list[dict[str, Any]]:
    blocks = message.get("content_blocks")
    if isinstance(blocks, list) and blocks:
        # an answer that held more than text: its parts in order, each with its own signature
        parts = blocks_to_parts(blocks)
    else:
        parts = _content_parts(message.get("content"), None)
    signature = _signature(message.get("extra_content"))
    if signature and parts and "thoughtSignature" not in parts[0]:
        # the signature of the answer's first text part (a stream keeps it on the message)
        parts[0]["thoughtSignature"] = signature
    for call in message.get("tool_calls") or []:
        function = call.get("function", {}) if isinstance(call, Mapping) else None
        if not isinstance(function, Mapping) or not function.get("name"):
            raise InvalidRequestError(
                f"A tool call must be a dict like {{'id': ..., 'function': {{'name': ..., "
                f"'arguments': '{{...}}'}}}}, got {call!r:.80}."
            )
        raw = function.get("arguments") or "{}"
        if isinstance(raw, Mapping):
            args = dict(raw)
        else:
            try:
                args = json.loads(raw)
            except (TypeError, ValueError):
                args = {"_raw_arguments": raw}
        part: dict[str, Any] = {"functionCall": {"name": function.get("name"), "args": args}}
        call_signature = _signature(call.get("extra_content"))
        if call_signature:
            part["thoughtSignature"] = call_signature
        parts.append(part)
    return parts


#: OpenAI-format blocks that carry media (sent as parts beside a tool's result).
_MEDIA_BLOCKS = ("image_url", "input_audio", "file")


def _tool_media(content: Any, fetch: ImageFetcher | None) -> list[dict[str, Any]]:
    """The non-text blocks of a tool result (images, files), as parts sent beside it."""
    if not isinstance(content, list):
        return []
    media = [
        b
        for b in content
        if isinstance(b, Mapping)
        and (b.get("type") in _MEDIA_BLOCKS or "inlineData" in b or "fileData" in b)
    ]
    return _content_parts(media, fetch)


def _tool_result(content: Any) -> dict[str, Any]:
    if isinstance(content, list):
        content = "".join(
            b if isinstance(b, str) else str(b.get("text", ""))
            for b in content
            if isinstance(b, str) or (isinstance(b, Mapping) and b.get("type") in (None, "text"))
        )
    if isinstance(content, str):
        try:
            parsed = json.loads(content)
        except ValueError:
            return {"result": content}
        return parsed if isinstance(parsed, dict) else {"result": parsed}
    return {"result": content}


def to_gemini_request(
    messages: Sequence[Mapping[str, Any]],
    *,
    tools: Sequence[Mapping[str, Any]] | None = None,
    tool_choice: str | Mapping[str, Any] | None = None,
    fetch: ImageFetcher | None = None,
) -> dict[str, Any]:
    """``contents``, ``system_instruction``, ``tools``, ``tool_config`` for OpenAI messages."""
    system: list[dict[str, Any]] = []
    contents: list[dict[str, Any]] = []
    call_names: dict[str, str] = {}

    def add(role: str, parts: list[dict[str, Any]]) -> None:
        if not parts:
            return
        if contents and contents[-1]["role"] == role:
            contents[-1]["parts"].extend(parts)
        else:
            contents.append({"role": role, "parts": parts})

    for i, message in enumerate(messages):
        role = message.get("role")
        check_content_parts(message.get("content"), f"messages[{i}].content")
        if role in ("system", "developer"):
            system.extend(_content_parts(message.get("content"), None))
        elif role == "user":
            add("user", _content_parts(message.get("content"), fetch))
        elif role == "assistant":
            for call in message.get("tool_calls") or []:
                call_names[call.get("id", "")] = call.get("function", {}).get("name", "")
            add("model", _assistant_parts(message))
        elif role in ("tool", "function"):
            call_id = message.get("tool_call_id", "")
            name = message.get("name") or call_names.get(call_id)
            if not name:
                raise InvalidRequestError(
                    f"messages[{i}] answers tool call {call_id!r}, which no earlier assistant "
                    "message made: Gemini needs the function's name."
                )
            content = message.get("content")
            response = {"functionResponse": {"name": name, "response": _tool_result(content)}}
            # an image (or file) the tool returned goes along, in the same turn
            add("user", [response, *_tool_media(content, fetch)])
        else:
            raise InvalidRequestError(
                f"messages[{i}] has role {role!r}: Gemini takes system, user, assistant and tool."
            )
    if not contents:
        raise InvalidRequestError("Gemini needs at least one user or assistant message.")
    request: dict[str, Any] = {"contents": contents}
    if system:
        request["system_instruction"] = {"parts": system}
    if tools:
        request["tools"] = to_gemini_tools(tools)
    if tool_choice is not None:
        config = to_gemini_tool_config(tool_choice)
        allowed = config.get("functionCallingConfig", {}).get("allowedFunctionNames") or []
        declared = {
            d["name"] for t in request.get("tools", []) for d in t.get("functionDeclarations", [])
        }
        missing = [name for name in allowed if name not in declared]
        if missing:
            raise InvalidRequestError(
                f"tool_choice names {missing[0]!r}, which is not among the tools given "
                f"({', '.join(sorted(declared)) or 'none'})."
            )
        request["tool_config"] = config
    return request


def to_gemini_tools(tools: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """OpenAI tools -> one ``functionDeclarations`` entry; native Gemini tools pass through."""
    declarations: list[dict[str, Any]] = []
    native: list[dict[str, Any]] = []
    seen: dict[str, int] = {}
    for i, tool in enumerate(require_tool_list(tools)):
        if not isinstance(tool, Mapping):
            raise InvalidRequestError(
                f"tools[{i}] must be a dict (an OpenAI tool, or a native Gemini tool such as "
                f'{{"googleSearch": {{}}}}), got {tool!r:.80}.'
            )
        if tool.get("type") == "function" or "function" in tool:
            fn = tool.get("function")
            name = fn.get("name") if isinstance(fn, Mapping) else None
            if not isinstance(name, str) or not _FUNCTION_NAME.match(name):
                raise InvalidRequestError(
                    f"tools[{i}] is named {name!r}: Gemini function names start with a letter "
                    "or '_' and use at most 64 letters, digits, '_', '.', ':' or '-'."
                )
            assert isinstance(fn, Mapping)
            note_tool_name(seen, name, i)
            declaration: dict[str, Any] = {"name": name}
            if fn.get("description"):
                declaration["description"] = fn["description"]
            try:
                parameters = to_gemini_parameters(fn.get("parameters") or {})
            except InvalidRequestError as error:
                raise InvalidRequestError(
                    f"The parameters of tool {name!r} cannot be sent to Gemini: {error.message}"
                ) from None
            if parameters is not None:
                declaration["parameters"] = parameters
            declarations.append(declaration)
        else:
            native.append(dict(tool))
    out = [{"functionDeclarations": declarations}] if declarations else []
    return out + native


def to_gemini_tool_config(tool_choice: str | Mapping[str, Any]) -> dict[str, Any]:
    if isinstance(tool_choice, Mapping):
        function = tool_choice.get("function")
        name = function.get("name") if isinstance(function, Mapping) else None
        if not name:
            return dict(tool_choice)
        return {"functionCallingConfig": {"mode": "ANY", "allowedFunctionNames": [name]}}
    mode = (
        {"auto": "AUTO", "none": "NONE", "required": "ANY", "any": "ANY"}.get(tool_choice)
        if isinstance(tool_choice, str)
        else None
    )
    if mode is None:
        raise InvalidRequestError(
            f"Unknown tool_choice {tool_choice!r} for Gemini: use 'auto', 'none', 'required' or "
            '{"type": "function", "function": {"name": "<tool name>"}}.'
        )
    return {"functionCallingConfig": {"mode": mode}}


# -- answers --------------------------------------------------------------------------------------


def gemini_usage(usage: UsageMetadata | None) -> Usage | None:
    if usage is None:
        return None
    thoughts = usage.thoughts_token_count or 0
    completion = (usage.candidates_token_count or 0) + thoughts
    prompt = (usage.prompt_token_count or 0) + (usage.tool_use_prompt_token_count or 0)
    return Usage(
        prompt_tokens=prompt,
        completion_tokens=completion,
        total_tokens=usage.total_token_count or prompt + completion,
        prompt_tokens_details=(
            PromptTokensDetails(cached_tokens=usage.cached_content_token_count)
            if usage.cached_content_token_count is not None
            else None
        ),
        completion_tokens_details=CompletionTokensDetails(reasoning_tokens=thoughts)
        if usage.thoughts_token_count is not None
        else None,
    )


class _Parts:
    """Splits a candidate's parts into text, thoughts, tool calls and signatures."""

    def __init__(
        self,
        candidate: Candidate | None,
        id_prefix: str,
        first_index: int = 0,
        outputs: OutputBlocks | None = None,
    ) -> None:
        self.text: list[str] = []
        self.thoughts: list[str] = []
        self.calls: list[dict[str, Any]] = []
        self.text_signature: str | None = None
        self.other: list[dict[str, Any]] = []
        parts = candidate.content.parts if candidate and candidate.content else []
        #: the answer's parts as standard blocks (text, images, audio, code), in order
        self.outputs = outputs or OutputBlocks(id_prefix)
        self.blocks = self.outputs.of(parts)
        for part in parts:
            if part.function_call is not None:
                index = first_index + len(self.calls)
                call: dict[str, Any] = {
                    "id": part.function_call.get("id") or f"call_{id_prefix}_{index}",
                    "type": "function",
                    "index": index,
                    "function": {
                        "name": part.function_call.get("name", ""),
                        "arguments": json.dumps(part.function_call.get("args") or {}),
                    },
                }
                if part.thought_signature:
                    call["extra_content"] = {
                        "google": {"thought_signature": part.thought_signature}
                    }
                self.calls.append(call)
            elif part.text is not None and part.thought:
                self.thoughts.append(part.text)
            elif part.text is not None:
                self.text.append(part.text)
                if part.thought_signature and self.text_signature is None:
                    self.text_signature = part.thought_signature
            else:
                self.other.append(part.to_wire())
            payloads = (
                part.function_call,
                part.text,
                part.inline_data,
                part.file_data,
                part.executable_code,
                part.code_execution_result,
            )
            if part.thought_signature and all(p is None for p in payloads):
                # a part that is only a signature: it goes back with the text (an image's or a
                # code part's own signature stays on its block)
                self.text_signature = self.text_signature or part.thought_signature


def _finish(candidate: Candidate | None, has_calls: bool) -> str | None:
    if candidate is None or not candidate.finish_reason:
        return None
    if has_calls and candidate.finish_reason == "STOP":
        return "tool_calls"
    return _FINISH.get(candidate.finish_reason, candidate.finish_reason.lower())


def _choice_extras(candidate: Candidate | None) -> dict[str, Any]:
    if candidate is None:
        return {}
    extras: dict[str, Any] = {}
    if candidate.finish_reason:
        extras["gemini_finish_reason"] = candidate.finish_reason
    for name in (
        "grounding_metadata",
        "url_context_metadata",
        "safety_ratings",
        "citation_metadata",
    ):
        value = getattr(candidate, name)
        if value:
            extras[name] = value
    return extras


def from_gemini_response(response: GenerateContentResponse) -> ChatCompletion:
    """A Gemini answer as an OpenAI-format completion (first candidate as choice 0, etc.)."""
    prefix = response.response_id or "gemini"
    choices = []
    candidates: list[Candidate | None] = list(response.candidates) or [None]
    for i, candidate in enumerate(candidates):
        parts = _Parts(candidate, prefix if i == 0 else f"{prefix}_{i}")
        message: dict[str, Any] = {"role": "assistant", "content": "".join(parts.text)}
        if parts.thoughts:
            message["reasoning_content"] = "".join(parts.thoughts)
        if parts.calls:
            message["tool_calls"] = [
                {k: v for k, v in c.items() if k != "index"} for c in parts.calls
            ]
        if parts.text_signature:
            message["extra_content"] = {"google": {"thought_signature": parts.text_signature}}
        if parts.other:
            message["gemini_parts"] = parts.other
        if parts.outputs.rich:
            message["content_blocks"] = [
                {k: v for k, v in b.items() if k != "index"} for b in parts.blocks
            ]
        annotations = url_citations(
            candidate.grounding_metadata if candidate else None, message["content"]
        )
        if annotations:
            message["annotations"] = annotations
        finish = _finish(candidate, bool(parts.calls))
        if finish is None and response.prompt_feedback and response.prompt_feedback.block_reason:
            finish = "content_filter"
        choices.append(
            {"index": i, "message": message, "finish_reason": finish, **_choice_extras(candidate)}
        )
    completion = ChatCompletion.model_validate(
        {
            "id": response.response_id,
            "object": "chat.completion",
            "model": response.model_version,
            "choices": choices,
        }
    )
    completion.usage = gemini_usage(response.usage_metadata)
    if response.prompt_feedback and response.prompt_feedback.block_reason:
        completion.prompt_feedback = response.prompt_feedback.to_wire()  # type: ignore[attr-defined]
    return completion


class GeminiChunkTranslator:
    """Turns Gemini stream chunks into OpenAI-format chunks, one stream at a time.

    Tool calls get increasing indexes across chunks; usage (cumulative in Gemini streams) is sent
    once, on the chunk that finishes the answer, so summing chunk usages stays right.
    """

    def __init__(self) -> None:
        self.calls = 0
        self.outputs: OutputBlocks | None = None
        #: the answer's text so far, and the last grounding metadata, for the citations
        self.text: list[str] = []
        self.grounding: dict[str, Any] | None = None

    def translate(self, response: GenerateContentResponse) -> ChatCompletionChunk:
        candidate = response.candidates[0] if response.candidates else None
        prefix = response.response_id or "gemini"
        self.outputs = self.outputs or OutputBlocks(prefix)
        parts = _Parts(candidate, prefix, self.calls, self.outputs)
        self.calls += len(parts.calls)
        delta: dict[str, Any] = {}
        if parts.text:
            delta["content"] = "".join(parts.text)
            self.text.append(delta["content"])
        if self.outputs.rich and parts.blocks:
            # once the answer holds more than text, its blocks (indexed) tell the order
            delta["content_blocks"] = parts.blocks
        if candidate is not None and candidate.grounding_metadata:
            self.grounding = candidate.grounding_metadata
        if response.finished and self.grounding:
            annotations = url_citations(self.grounding, "".join(self.text))
            if annotations:
                delta["annotations"] = annotations
        if parts.thoughts:
            delta["reasoning_content"] = "".join(parts.thoughts)
        if parts.calls:
            delta["tool_calls"] = parts.calls
        if parts.text_signature:
            delta["extra_content"] = {"google": {"thought_signature": parts.text_signature}}
        finish = _finish(candidate, self.calls > 0)
        choice = {"index": 0, "delta": delta, "finish_reason": finish, **_choice_extras(candidate)}
        chunk = ChatCompletionChunk.model_validate(
            {
                "id": response.response_id,
                "object": "chat.completion.chunk",
                "model": response.model_version,
                "choices": [choice],
            }
        )
        if response.finished:
            chunk.usage = gemini_usage(response.usage_metadata)
        return chunk
