"""OpenAI Responses answers -> OpenAI-format completions and chunks (the neutral form).

The request's way is :mod:`yescale.translate.responses_chat`. A response as a completion of one
choice:

* ``id``: the response's id (also as ``response_id``, for ``previous_response_id``); ``model``,
  ``created`` (its ``created_at``);
* ``content``: the ``output_text`` of every message item joined (``""`` when there is none);
  ``refusal``: the refusals joined; ``annotations``: each ``output_text`` annotation in the
  chat-completions shape, offsets into ``content`` (``url_citation`` -> ``{"type":
  "url_citation", "url_citation": {"url", "title", "start_index", "end_index"}}``);
* ``reasoning_content``: the reasoning items' summary texts, joined by a blank line;
* ``extra_content["openai"]``: ``reasoning`` (the reasoning items as they came: ``id``,
  ``summary``, ``encrypted_content``), ``response_id``, and ``message_id`` (the first message
  item's id): what :func:`~yescale.translate.responses_chat.to_responses_input` sends back;
* ``function_call`` items -> ``tool_calls`` (``id`` = ``call_id``; the item's ``fc_`` id in the
  call's ``extra_content["openai"]["item_id"]``);
* built-in tools' items present (or ``rich``: the request offered built-in tools) ->
  ``content_blocks``: the text parts and :mod:`yescale.translate.responses_blocks`' blocks, in
  output order;
* ``finish_reason``: ``completed`` -> ``tool_calls`` when there are function calls, else
  ``stop``; ``incomplete`` for ``max_output_tokens`` -> ``length``, for ``content_filter`` ->
  ``content_filter`` (another reason as it is); the response's ``status`` on the choice as
  ``response_status``;
* usage: ``prompt_tokens`` = ``input_tokens`` (cached ones included: ``prompt_tokens_details.
  cached_tokens``), ``completion_tokens`` = ``output_tokens`` (reasoning included:
  ``completion_tokens_details.reasoning_tokens``).

Streams: :class:`ResponsesChunkTranslator` (in :mod:`yescale.translate.responses_chunks`).
"""

from __future__ import annotations

from typing import Any

from ..types.chat import ChatCompletion, CompletionTokensDetails, PromptTokensDetails, Usage
from ..types.responses import (
    FunctionCallItem,
    MessageItem,
    OutputItemBase,
    OutputText,
    ReasoningItem,
    Refusal,
    Response,
    ResponseUsage,
)
from .responses_blocks import chat_annotation, standard_blocks, text_block
from .responses_chat import PROVIDER_KEY

__all__ = [
    "choice_extras",
    "finish_reason",
    "from_response",
    "is_builtin_item",
    "responses_chat_usage",
    "tool_call",
]

_INCOMPLETE = {"max_output_tokens": "length", "content_filter": "content_filter"}
#: The items that travel elsewhere than ``content_blocks``.
_ELSEWHERE = (MessageItem, ReasoningItem, FunctionCallItem)


def is_builtin_item(item: OutputItemBase) -> bool:
    """Whether an output item is a built-in tool's (or of a type this version does not know)."""
    return not isinstance(item, _ELSEWHERE)


def finish_reason(response: Response) -> str | None:
    """The chat-completions finish reason of a response (``None`` while it is running)."""
    if response.status == "completed":
        return "tool_calls" if response.function_calls else "stop"
    if response.status == "incomplete":
        reason = response.incomplete_details.reason if response.incomplete_details else None
        return _INCOMPLETE.get(reason or "", reason or "length")
    return None


def choice_extras(response: Response) -> dict[str, Any]:
    return {"response_status": response.status} if response.status else {}


def responses_chat_usage(usage: ResponseUsage | None) -> Usage | None:
    """OpenAI's Responses counts in chat-completions words."""
    if usage is None:
        return None
    prompt = usage.input_tokens or 0
    completion = usage.output_tokens or 0
    return Usage(
        prompt_tokens=prompt,
        completion_tokens=completion,
        total_tokens=usage.total_tokens if usage.total_tokens is not None else prompt + completion,
        prompt_tokens_details=PromptTokensDetails(cached_tokens=usage.cached_tokens),
        completion_tokens_details=CompletionTokensDetails(reasoning_tokens=usage.reasoning_tokens),
    )


def tool_call(item: FunctionCallItem) -> dict[str, Any]:
    """A ``function_call`` item as a chat-completions tool call (its item id kept)."""
    call: dict[str, Any] = {
        "id": item.call_id,
        "type": "function",
        "function": {"name": item.name, "arguments": item.arguments},
    }
    if item.id:
        call["extra_content"] = {PROVIDER_KEY: {"item_id": item.id}}
    return call


def _summaries(items: list[ReasoningItem]) -> str:
    return "\n\n".join(part.text for item in items for part in item.summary if part.text)


def from_response(response: Response, rich: bool = False) -> ChatCompletion:
    """A Responses answer as an OpenAI-format completion (one choice); ``content_blocks`` when
    built-in tools ran, or ``rich`` (the request offered them: a stream's way, see
    :class:`~yescale.translate.responses_chunks.ResponsesChunkTranslator`)."""
    texts: list[str] = []
    refusals: list[str] = []
    annotations: list[dict[str, Any]] = []
    blocks: list[dict[str, Any]] = []
    message_id: str | None = None
    offset = 0
    for item in response.output:
        if isinstance(item, MessageItem):
            message_id = message_id or item.id
            for part in item.content:
                if isinstance(part, OutputText):
                    texts.append(part.text)
                    annotations += [chat_annotation(a, offset) for a in part.annotations]
                    offset += len(part.text)
                    blocks.append(text_block(part, item.id))
                elif isinstance(part, Refusal):
                    refusals.append(part.refusal)
        elif is_builtin_item(item):
            blocks += standard_blocks(item)
    out: dict[str, Any] = {"role": "assistant", "content": "".join(texts)}
    if refusals:
        out["refusal"] = "".join(refusals)
    reasoning = response.reasoning
    if _summaries(reasoning):
        out["reasoning_content"] = _summaries(reasoning)
    mine: dict[str, Any] = {}
    if reasoning:
        mine["reasoning"] = [item.to_wire() for item in reasoning]
    if response.id:
        mine["response_id"] = response.id
    if message_id:
        mine["message_id"] = message_id
    if mine:
        out["extra_content"] = {PROVIDER_KEY: mine}
    calls = [tool_call(item) for item in response.function_calls]
    if calls:
        out["tool_calls"] = calls
    if annotations:
        out["annotations"] = annotations
    if rich or any(is_builtin_item(item) for item in response.output):
        out["content_blocks"] = blocks
    completion = ChatCompletion.model_validate(
        {
            "id": response.id,
            "object": "chat.completion",
            "created": int(response.created_at) if response.created_at is not None else None,
            "model": response.model,
            "choices": [
                {
                    "index": 0,
                    "message": out,
                    "finish_reason": finish_reason(response),
                    **choice_extras(response),
                }
            ],
            "response_id": response.id,
        }
    )
    completion.usage = responses_chat_usage(response.usage)
    return completion
