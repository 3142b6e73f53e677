"""``client.messages.chat``: OpenAI-format chat over Anthropic's Messages endpoint.

OpenAI-style ``messages`` / ``tools`` / ``tool_choice`` in (the neutral form both frameworks
speak), :class:`~yescale.types.chat.ChatCompletion` and
:class:`~yescale.types.chat.ChatCompletionChunk` out, through ``client.messages`` (so the
request is checked, metered and sent exactly as a Messages call is). The translation is
:mod:`yescale.translate.anthropic_chat` and :mod:`yescale.translate.anthropic_answers`.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from .._validate import require_messages
from ..translate.anthropic_answers import AnthropicChunkTranslator, from_anthropic_message
from ..translate.anthropic_chat import offers_server_tools, to_anthropic_request
from ..translate.anthropic_params import chat_params
from ..types.chat import ChatCompletion, ChatCompletionChunk
from ..types.messages import Message
from ._message_streams import AsyncMessageStream, MessageStream
from ._stream import AsyncStream

if TYPE_CHECKING:
    from .messages import AsyncMessages, Messages

__all__ = ["AsyncMessagesChat", "MessagesChat", "messages_call"]


def messages_call(
    messages: Sequence[Mapping[str, Any]],
    tools: Sequence[Mapping[str, Any]] | None,
    tool_choice: str | Mapping[str, Any] | None,
    params: Mapping[str, Any],
) -> dict[str, Any]:
    """The keyword arguments of ``client.messages.create`` / ``.stream`` (but ``model``) for an
    OpenAI-format chat. A ``system`` given as a parameter (Anthropic's spelling) comes after the
    system messages."""
    fields = chat_params(params)
    request = to_anthropic_request(
        require_messages(messages),
        tools=tools,
        tool_choice=tool_choice,
        parallel_tool_calls=fields.pop("parallel_tool_calls", None),
    )
    given = fields.pop("system", None)
    if given is not None and "system" in request:

        def blocks(system: Any) -> list[Any]:
            return [{"type": "text", "text": system}] if isinstance(system, str) else list(system)

        request["system"] = blocks(request["system"]) + blocks(given)
    elif given is not None:
        request["system"] = given
    return {**fields, **request}


def _answer(message: Message, rich: bool) -> ChatCompletion:
    completion = from_anthropic_message(message, rich)
    completion.attach_cost(message.cost)
    return completion


def _chunks(stream: MessageStream, rich: bool) -> Iterator[ChatCompletionChunk]:
    translator = AnthropicChunkTranslator(rich)
    with stream:
        for event in stream:
            chunk = translator.translate(event)
            if chunk is not None:
                if translator.finished:
                    chunk.attach_cost(stream.cost)
                yield chunk


async def _achunks(
    stream: AsyncMessageStream, rich: bool
) -> AsyncIterator[ChatCompletionChunk]:
    translator = AnthropicChunkTranslator(rich)
    async with stream:
        async for event in stream:
            chunk = translator.translate(event)
            if chunk is not None:
                if translator.finished:
                    chunk.attach_cost(stream.cost)
                yield chunk


class MessagesChat:
    """OpenAI-format chat on ``/v1/messages``: ``client.messages.chat``.

    ``create(model=, messages=, tools=None, tool_choice=None, **params)`` returns a
    ``ChatCompletion``; ``stream(...)`` yields ``ChatCompletionChunk`` s (nothing is sent before
    the first is asked for). ``params``: ``max_tokens`` (required: the Messages API has no
    default), ``stop``, ``temperature``, ``top_p``, ``parallel_tool_calls``, ``user``, and
    Anthropic's own fields as they are (``thinking``, ``top_k``, ``metadata``, ``system``,
    ``betas``...). See docs/anthropic.md for the mapping.
    """

    def __init__(self, messages: Messages) -> None:
        self._messages = messages

    def create(
        self,
        *,
        model: str,
        messages: Sequence[Mapping[str, Any]],
        tools: Sequence[Mapping[str, Any]] | None = None,
        tool_choice: str | Mapping[str, Any] | None = None,
        **params: Any,
    ) -> ChatCompletion:
        call = messages_call(messages, tools, tool_choice, params)
        rich = offers_server_tools(call.get("tools"))
        return _answer(self._messages.create(model=model, **call), rich)

    def stream(
        self,
        *,
        model: str,
        messages: Sequence[Mapping[str, Any]],
        tools: Sequence[Mapping[str, Any]] | None = None,
        tool_choice: str | Mapping[str, Any] | None = None,
        **params: Any,
    ) -> Iterator[ChatCompletionChunk]:
        call = messages_call(messages, tools, tool_choice, params)
        rich = offers_server_tools(call.get("tools"))
        return _chunks(self._messages.stream(model=model, **call), rich)


class AsyncMessagesChat:
    """Async twin of :class:`MessagesChat` (``client.aio.messages.chat``)."""

    def __init__(self, messages: AsyncMessages) -> None:
        self._messages = messages

    async def create(
        self,
        *,
        model: str,
        messages: Sequence[Mapping[str, Any]],
        tools: Sequence[Mapping[str, Any]] | None = None,
        tool_choice: str | Mapping[str, Any] | None = None,
        **params: Any,
    ) -> ChatCompletion:
        call = messages_call(messages, tools, tool_choice, params)
        rich = offers_server_tools(call.get("tools"))
        return _answer(await self._messages.create(model=model, **call), rich)

    def stream(
        self,
        *,
        model: str,
        messages: Sequence[Mapping[str, Any]],
        tools: Sequence[Mapping[str, Any]] | None = None,
        tool_choice: str | Mapping[str, Any] | None = None,
        **params: Any,
    ) -> AsyncStream[ChatCompletionChunk]:
        call = messages_call(messages, tools, tool_choice, params)
        rich = offers_server_tools(call.get("tools"))
        return AsyncStream(_achunks(self._messages.stream(model=model, **call), rich))
