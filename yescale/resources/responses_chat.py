"""``client.responses.chat``: OpenAI-format chat over OpenAI's Responses endpoint.

OpenAI-style ``messages`` / ``tools`` / ``tool_choice`` in (the neutral form both frameworks
speak), :class:`~yescale.types.chat.ChatCompletion` and
:class:`~yescale.types.chat.ChatCompletionChunk` out, through ``client.responses`` (so the
request is checked, metered and sent exactly as a Responses call is). The translation is
:mod:`yescale.translate.responses_chat`, :mod:`yescale.translate.responses_params`,
:mod:`yescale.translate.responses_answers` and :mod:`yescale.translate.responses_chunks`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from .._validate import require_messages
from ..translate.responses_answers import from_response
from ..translate.responses_chat import (
    after_last_answer,
    offers_builtin_tools,
    to_responses_input,
    to_responses_tool_choice,
    to_responses_tools,
)
from ..translate.responses_chunks import ResponsesChunkTranslator
from ..translate.responses_params import chat_params
from ._chat_over import AsyncChatOver, ChatFormat, ChatOver

if TYPE_CHECKING:
    from .responses import AsyncResponses, Responses

__all__ = ["AsyncResponsesChat", "ResponsesChat", "responses_call"]


def responses_call(
    messages: Sequence[Mapping[str, Any]],
    tools: Sequence[Mapping[str, Any]] | None,
    tool_choice: str | Mapping[str, Any] | None,
    params: Mapping[str, Any],
    *,
    stream: bool = False,
) -> dict[str, Any]:
    """The keyword arguments of ``client.responses.create`` / ``.stream`` (but ``model``) for an
    OpenAI-format chat. ``use_previous_response_id=True`` (langchain-openai's field) sends only
    the messages after the last answer that names its response, with ``previous_response_id``
    set to it; an explicit ``previous_response_id`` sends the messages as given, as
    langchain-openai does."""
    fields = chat_params(params)
    given: Sequence[Mapping[str, Any]] = require_messages(messages)
    if fields.pop("use_previous_response_id", False):
        after, response_id = after_last_answer(given)
        if response_id is not None:
            given, fields["previous_response_id"] = after, response_id
    call: dict[str, Any] = {
        "input": to_responses_input(given, store=fields.get("store")),
        **fields,
    }
    if tools:
        call["tools"] = to_responses_tools(tools, stream=stream)
    if tool_choice is not None:
        call["tool_choice"] = to_responses_tool_choice(tool_choice)
    return call


def _call(
    messages: Sequence[Mapping[str, Any]],
    tools: Sequence[Mapping[str, Any]] | None,
    tool_choice: str | Mapping[str, Any] | None,
    params: Mapping[str, Any],
    stream: bool,
) -> dict[str, Any]:
    return responses_call(messages, tools, tool_choice, params, stream=stream)


RESPONSES = ChatFormat(
    call=_call,
    offers_server_tools=offers_builtin_tools,
    answer=from_response,
    translator=ResponsesChunkTranslator,
)


class ResponsesChat(ChatOver):
    """OpenAI-format chat on ``/v1/responses``: ``client.responses.chat``.

    ``create(model=, messages=, tools=None, tool_choice=None, **params)`` returns a
    ``ChatCompletion``; ``stream(...)`` yields ``ChatCompletionChunk`` s (nothing is sent before
    the first is asked for). ``params``: the chat-completions names (``max_tokens``,
    ``reasoning_effort``, ``response_format``, ``parallel_tool_calls``, ``temperature``,
    ``top_p``, ``user``...), the Responses' own fields as they are (``reasoning``, ``include``,
    ``store``, ``previous_response_id``, ``truncation``, ``metadata``, ``service_tier``,
    ``text``...), and ``use_previous_response_id``. See docs/responses.md for the mapping.
    """

    _format = RESPONSES

    def __init__(self, responses: Responses) -> None:
        super().__init__(responses)


class AsyncResponsesChat(AsyncChatOver):
    """Async twin of :class:`ResponsesChat` (``client.aio.responses.chat``)."""

    _format = RESPONSES

    def __init__(self, responses: AsyncResponses) -> None:
        super().__init__(responses)
