"""``client.responses.chat``: OpenAI-format chat over OpenAI's Responses endpoint.

OpenAI-style ``messages`` / ``tools`` / ``tool_choice`` in (the neutral form both frameworks
speak), :class:`~yescale.types.chat.ChatCompletion` and
:class:`~yescale.types.chat.ChatCompletionChunk` out, through ``client.responses`` (so the
request is checked, metered and sent exactly as a Responses call is). The translation is
:mod:`yescale.translate.responses_chat`, :mod:`yescale.translate.responses_params`,
:mod:`yescale.translate.responses_answers` and :mod:`yescale.translate.responses_chunks`.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator, Mapping, Sequence
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
from ..types.chat import ChatCompletion, ChatCompletionChunk
from ..types.responses import Response
from ._response_streams import AsyncResponseStream, ResponseStream
from ._stream import AsyncStream

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


def _answer(response: Response, rich: bool) -> ChatCompletion:
    completion = from_response(response, rich)
    completion.attach_cost(response.cost)
    return completion


def _chunks(stream: ResponseStream, rich: bool) -> Iterator[ChatCompletionChunk]:
    translator = ResponsesChunkTranslator(rich)
    with stream:
        for event in stream:
            chunk = translator.translate(event)
            if chunk is not None:
                if translator.finished:
                    chunk.attach_cost(stream.cost)
                yield chunk


async def _achunks(stream: AsyncResponseStream, rich: bool) -> AsyncIterator[ChatCompletionChunk]:
    translator = ResponsesChunkTranslator(rich)
    async with stream:
        async for event in stream:
            chunk = translator.translate(event)
            if chunk is not None:
                if translator.finished:
                    chunk.attach_cost(stream.cost)
                yield chunk


class ResponsesChat:
    """OpenAI-format chat on ``/v1/responses``: ``client.responses.chat``.

    ``create(model=, messages=, tools=None, tool_choice=None, **params)`` returns a
    ``ChatCompletion``; ``stream(...)`` yields ``ChatCompletionChunk`` s (nothing is sent before
    the first is asked for). ``params``: the chat-completions names (``max_tokens``,
    ``reasoning_effort``, ``response_format``, ``parallel_tool_calls``, ``temperature``,
    ``top_p``, ``user``...), the Responses' own fields as they are (``reasoning``, ``include``,
    ``store``, ``previous_response_id``, ``truncation``, ``metadata``, ``service_tier``,
    ``text``...), and ``use_previous_response_id``. See docs/responses.md for the mapping.
    """

    def __init__(self, responses: Responses) -> None:
        self._responses = responses

    def create(
        self,
        *,
        model: str,
        messages: Sequence[Mapping[str, Any]],
        tools: Sequence[Mapping[str, Any]] | None = None,
        tool_choice: str | Mapping[str, Any] | None = None,
        **params: Any,
    ) -> ChatCompletion:
        call = responses_call(messages, tools, tool_choice, params)
        rich = offers_builtin_tools(call.get("tools"))
        return _answer(self._responses.create(model=model, **call), rich)

    def stream(
        self,
        *,
        model: str,
        messages: Sequence[Mapping[str, Any]],
        tools: Sequence[Mapping[str, Any]] | None = None,
        tool_choice: str | Mapping[str, Any] | None = None,
        **params: Any,
    ) -> Iterator[ChatCompletionChunk]:
        call = responses_call(messages, tools, tool_choice, params, stream=True)
        rich = offers_builtin_tools(call.get("tools"))
        return _chunks(self._responses.stream(model=model, **call), rich)


class AsyncResponsesChat:
    """Async twin of :class:`ResponsesChat` (``client.aio.responses.chat``)."""

    def __init__(self, responses: AsyncResponses) -> None:
        self._responses = responses

    async def create(
        self,
        *,
        model: str,
        messages: Sequence[Mapping[str, Any]],
        tools: Sequence[Mapping[str, Any]] | None = None,
        tool_choice: str | Mapping[str, Any] | None = None,
        **params: Any,
    ) -> ChatCompletion:
        call = responses_call(messages, tools, tool_choice, params)
        rich = offers_builtin_tools(call.get("tools"))
        return _answer(await self._responses.create(model=model, **call), rich)

    def stream(
        self,
        *,
        model: str,
        messages: Sequence[Mapping[str, Any]],
        tools: Sequence[Mapping[str, Any]] | None = None,
        tool_choice: str | Mapping[str, Any] | None = None,
        **params: Any,
    ) -> AsyncStream[ChatCompletionChunk]:
        call = responses_call(messages, tools, tool_choice, params, stream=True)
        rich = offers_builtin_tools(call.get("tools"))
        return AsyncStream(_achunks(self._responses.stream(model=model, **call), rich))
