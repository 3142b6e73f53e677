"""``client.messages.chat``: OpenAI-format chat over Anthropic's Messages endpoint.

OpenAI-style ``messages`` / ``tools`` / ``tool_choice`` in (the neutral form both frameworks
speak), :class:`~yescale.types.chat.ChatCompletion` and
:class:`~yescale.types.chat.ChatCompletionChunk` out, through ``client.messages`` (so the
request is checked, metered and sent exactly as a Messages call is). The translation is
:mod:`yescale.translate.anthropic_chat` and :mod:`yescale.translate.anthropic_answers`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from .._validate import require_messages
from ..translate.anthropic_answers import AnthropicChunkTranslator, from_anthropic_message
from ..translate.anthropic_chat import offers_server_tools, to_anthropic_request
from ..translate.anthropic_params import chat_params
from ._chat_over import AsyncChatOver, ChatFormat, ChatOver

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


def _call(
    messages: Sequence[Mapping[str, Any]],
    tools: Sequence[Mapping[str, Any]] | None,
    tool_choice: str | Mapping[str, Any] | None,
    params: Mapping[str, Any],
    stream: bool,
) -> dict[str, Any]:
    return messages_call(messages, tools, tool_choice, params)


MESSAGES = ChatFormat(
    call=_call,
    offers_server_tools=offers_server_tools,
    answer=from_anthropic_message,
    translator=AnthropicChunkTranslator,
)


class MessagesChat(ChatOver):
    """OpenAI-format chat on ``/v1/messages``: ``client.messages.chat``.

    ``create(model=, messages=, tools=None, tool_choice=None, **params)`` returns a
    ``ChatCompletion``; ``stream(...)`` yields ``ChatCompletionChunk`` s (nothing is sent before
    the first is asked for). ``params``: ``max_tokens`` (required: the Messages API has no
    default), ``stop``, ``temperature``, ``top_p``, ``parallel_tool_calls``, ``user``, and
    Anthropic's own fields as they are (``thinking``, ``top_k``, ``metadata``, ``system``,
    ``betas``...). See docs/anthropic.md for the mapping.
    """

    _format = MESSAGES

    def __init__(self, messages: Messages) -> None:
        super().__init__(messages)


class AsyncMessagesChat(AsyncChatOver):
    """Async twin of :class:`MessagesChat` (``client.aio.messages.chat``)."""

    _format = MESSAGES

    def __init__(self, messages: AsyncMessages) -> None:
        super().__init__(messages)
