"""OpenAI-format answers (the client's neutral form) -> LangChain messages, chunks, usage and
metadata. The other way, messages -> the neutral form, is :mod:`._openai_messages`.
"""

from __future__ import annotations

from typing import Any

from langchain_core.messages import (
    AIMessage,
    AIMessageChunk,
    InvalidToolCall,
    ToolCall,
)
from langchain_core.messages.ai import InputTokenDetails, OutputTokenDetails, UsageMetadata
from langchain_core.messages.tool import tool_call_chunk

from yescale.integration import cost_metadata, load_tool_arguments
from yescale.integration.caching import cache_usage
from yescale.types.chat import (
    ChatChoice,
    ChatCompletion,
    ChatCompletionChunk,
    ChunkChoice,
    Usage,
)
from yescale.types.chat import ChatMessage as WireMessage
from yescale.types.chat import ToolCall as WireToolCall

from ._openai_messages import KEPT_MESSAGE_FIELDS

#: Fields of a choice that go into ``response_metadata`` when the service sends them.
_CHOICE_METADATA = (
    "logprobs",
    "grounding_metadata",
    "url_context_metadata",
    "safety_ratings",
    "citation_metadata",
    "gemini_finish_reason",
    "anthropic_stop_reason",
    "stop_sequence",
)
#: ``response_metadata`` a stream carries on one chunk only: chunks merge by concatenating
#: strings, so a model name on several chunks would come out "gpt-4ogpt-4o".
_ONCE_PER_STREAM = (
    "model_provider",
    "id",
    "model_name",
    "system_fingerprint",
    "finish_reason",
    "gemini_finish_reason",
)


def usage_to_langchain(usage: Usage) -> UsageMetadata:
    """OpenAI usage as LangChain ``usage_metadata``, with cache and reasoning details."""
    result = UsageMetadata(
        input_tokens=usage.prompt_tokens,
        output_tokens=usage.completion_tokens,
        total_tokens=usage.total_tokens or usage.prompt_tokens + usage.completion_tokens,
    )
    input_details: InputTokenDetails = {}
    cached = cache_usage(usage)  # reads, and writes when the gateway reports them (Claude)
    if "cache_read" in cached:
        input_details["cache_read"] = cached["cache_read"]
    if "cache_creation" in cached:
        input_details["cache_creation"] = cached["cache_creation"]
    prompt_details = usage.prompt_tokens_details
    if prompt_details is not None and prompt_details.audio_tokens is not None:
        input_details["audio"] = prompt_details.audio_tokens
    output_details: OutputTokenDetails = {}
    if usage.completion_tokens_details is not None:
        if usage.completion_tokens_details.reasoning_tokens is not None:
            output_details["reasoning"] = usage.completion_tokens_details.reasoning_tokens
        if usage.completion_tokens_details.audio_tokens is not None:
            output_details["audio"] = usage.completion_tokens_details.audio_tokens
    if input_details:
        result["input_token_details"] = input_details
    if output_details:
        result["output_token_details"] = output_details
    return result


def _parse_tool_calls(
    raw_calls: list[WireToolCall],
) -> tuple[list[ToolCall], list[InvalidToolCall], list[dict[str, Any]]]:
    calls: list[ToolCall] = []
    invalid: list[InvalidToolCall] = []
    raw_dicts = [c.model_dump(exclude_none=True) for c in raw_calls]
    for raw in raw_calls:
        name = raw.function.name or ""
        arguments = raw.function.arguments or ""
        try:
            args = load_tool_arguments(arguments)
        except ValueError as exc:
            invalid.append(
                InvalidToolCall(
                    type="invalid_tool_call", name=name, args=arguments, id=raw.id, error=str(exc)
                )
            )
            continue
        calls.append(ToolCall(type="tool_call", name=name, args=args, id=raw.id))
    return calls, invalid, raw_dicts


def _kept_fields(extra: dict[str, Any] | None) -> dict[str, Any]:
    """The fields of an answer's message (or delta) that go back with it next turn."""
    return {name: extra[name] for name in KEPT_MESSAGE_FIELDS if extra and extra.get(name)}


def wire_message_to_ai(
    message: WireMessage, metadata: dict[str, Any], usage: UsageMetadata | None
) -> AIMessage:
    additional: dict[str, Any] = {}
    if message.reasoning_content:
        additional["reasoning_content"] = message.reasoning_content
    if message.refusal:
        additional["refusal"] = message.refusal
    if message.audio is not None:
        # as ChatOpenAI keeps it (id, data, transcript, expires_at); content_blocks adds an
        # ``audio`` block (see ._citations), and the next turn sends the id back
        additional["audio"] = message.audio.model_dump(exclude_none=True)
    additional.update(_kept_fields(message.model_extra))
    extra = message.model_extra or {}
    if extra.get("annotations"):
        additional["annotations"] = extra["annotations"]
    calls, invalid, raw_calls = _parse_tool_calls(message.tool_calls or [])
    if raw_calls:
        additional["tool_calls"] = raw_calls
    # no content (a tool-call turn) is "", as in every LangChain chat model, not []
    content: str | list[str | dict[Any, Any]] = (
        list(message.content) if isinstance(message.content, list) else message.content or ""
    )
    if extra.get("content_blocks"):
        # an answer with more than text (Gemini images, audio, code): its standard blocks
        content = [dict(block) for block in extra["content_blocks"]]
    return AIMessage(
        content=content,
        additional_kwargs=additional,
        tool_calls=calls,
        invalid_tool_calls=invalid,
        response_metadata=metadata,
        usage_metadata=usage,
        id=metadata.get("id"),
    )


def completion_metadata(completion: ChatCompletion | ChatCompletionChunk) -> dict[str, Any]:
    metadata: dict[str, Any] = {"model_provider": "yescale"}
    if completion.model:
        metadata["model_name"] = completion.model
    if completion.system_fingerprint:
        metadata["system_fingerprint"] = completion.system_fingerprint
    if completion.id:
        metadata["id"] = completion.id
    # the call's estimated cost (yescale.costs); in a stream, on the chunk with the usage
    metadata.update(cost_metadata(completion))
    return metadata


def choice_metadata(choice: ChatChoice | ChunkChoice) -> dict[str, Any]:
    """The optional fields of a choice (log-probabilities, Gemini grounding, ...) that it has."""
    extras = {**(choice.model_extra or {}), "logprobs": choice.logprobs}
    return {k: extras[k] for k in _CHOICE_METADATA if extras.get(k)}


def chunk_to_langchain(chunk: ChatCompletionChunk, sent: set[str]) -> AIMessageChunk | None:
    """One stream chunk as an ``AIMessageChunk`` (``None`` when it carries nothing).

    ``sent``: the ``response_metadata`` keys earlier chunks of the stream carried (updated here):
    the provider, model name, id, fingerprint and finish reasons go on the first chunk that has
    them, and on no other.
    """
    metadata = completion_metadata(chunk)
    usage = usage_to_langchain(chunk.usage) if chunk.usage is not None else None
    additional: dict[str, Any] = {}
    tool_chunks = []
    content: str | list[str | dict[Any, Any]] = ""
    if chunk.choices:
        choice = chunk.choices[0]
        delta = choice.delta
        content = delta.content or ""
        if delta.reasoning_content:
            additional["reasoning_content"] = delta.reasoning_content
        if delta.refusal:
            additional["refusal"] = delta.refusal
        if delta.audio is not None:
            # a piece of the audio answer: chunks merge them (data and transcript concatenated)
            additional["audio"] = delta.audio.model_dump(exclude_none=True)
        additional.update(_kept_fields(delta.model_extra))
        extra = delta.model_extra or {}
        if extra.get("annotations"):
            additional["annotations"] = extra["annotations"]
        blocks = extra.get("content_blocks")
        if blocks:
            # indexed standard blocks: a stream's chunks merge them back into the answer's
            content = [dict(block) for block in blocks]
        if delta.tool_calls:
            raw = []
            for i, call in enumerate(delta.tool_calls):
                index = call.index if call.index is not None else i
                tool_chunks.append(
                    tool_call_chunk(
                        name=call.function.name,
                        args=call.function.arguments,
                        id=call.id,
                        index=index,
                    )
                )
                raw.append({**call.model_dump(exclude_none=True), "index": index})
            additional["tool_calls"] = raw
        if choice.finish_reason:
            metadata["finish_reason"] = choice.finish_reason
        metadata.update(choice_metadata(choice))
    for key in _ONCE_PER_STREAM:
        if key in metadata:
            if key in sent:
                del metadata[key]
            sent.add(key)
    if not chunk.choices and usage is None and not metadata:
        return None
    return AIMessageChunk(
        content=content,
        additional_kwargs=additional,
        tool_call_chunks=tool_chunks,
        usage_metadata=usage,
        response_metadata=metadata,
        id=chunk.id if chunk.choices else None,
    )
