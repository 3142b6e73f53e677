"""``client.messages``: Claude in Anthropic's own Messages format (``POST /v1/messages``).

What is sent: Anthropic's public Messages API body (``model``, ``max_tokens``, ``messages``,
``system``, ``tools``, ``tool_choice``, ``thinking``, ...) as given, checked first
(:mod:`yescale._validate_messages`), with ``anthropic-version: 2023-06-01`` (the public API
requires it) and ``anthropic-beta`` when ``betas`` are given.

Auth (an assumption): YEScale is a one-api / new-api style gateway, and the guide for using
Claude Code through such gateways sets ``ANTHROPIC_BASE_URL`` and ``ANTHROPIC_AUTH_TOKEN``, which
Anthropic's clients send as ``Authorization: Bearer <key>``. So the key goes where every other
``/v1`` request of this client sends it, ``Authorization: Bearer``, and never in ``x-api-key``
(Anthropic's own API header): one credential header, scrubbed like the others.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from functools import partial
from typing import Any

from .._http import Call, Transport, json_parser
from .._message_stream import MessageStreamDecoder
from .._validate import require_text, validate_model
from .._validate_messages import (
    check_system,
    check_thinking,
    check_tool_choice,
    check_tools,
    normalized_messages,
    require_max_tokens,
)
from ..costs.meter import Meter, messages_usage
from ..errors import InvalidRequestError, incomplete_answer
from ..models.kinds import check_claude_model
from ..types.messages import Message, MessagesRequest
from ._message_streams import AsyncMessageStream, MessageStream
from .messages_chat import AsyncMessagesChat, MessagesChat

PATH = "/v1/messages"
#: The Messages API version every request states (Anthropic refuses requests without one).
ANTHROPIC_VERSION = "2023-06-01"
WHAT = "Claude message"


def check_message(message: Message, what: str) -> None:
    """Refuse an answer that is not a message: no ``content`` list at all (an empty one is an
    answer: a prefill the model had nothing to add to), or a ``type`` other than ``message``."""
    if message.type not in (None, "message"):
        raise incomplete_answer(what, f"an object of type {message.type!r} instead of a message")
    if "content" not in message.model_fields_set:
        raise incomplete_answer(what, "no content: there is no message to return")


def message_parser(model: str) -> Callable[[bytes], Message]:
    """Reads a Messages answer for ``model`` and checks it (:func:`check_message`)."""
    return json_parser(Message, partial(check_message, what=f"{WHAT} for {model!r}"))


def headers_for(betas: Sequence[str] | None) -> dict[str, str]:
    headers = {"anthropic-version": ANTHROPIC_VERSION}
    if betas:
        if isinstance(betas, str) or not all(isinstance(b, str) and b for b in betas):
            raise InvalidRequestError(
                f"`betas` must be a list of beta names such as ['extended-cache-ttl-2025-04-11'], "
                f"got {betas!r:.80}."
            )
        headers["anthropic-beta"] = ",".join(betas)
    return headers


def build_call(
    model: str,
    max_tokens: int,
    messages: Sequence[Mapping[str, Any]],
    params: dict[str, Any],
    *,
    stream: bool,
    betas: Sequence[str] | None = None,
) -> Call[Message]:
    """The checked call: everything Anthropic would refuse is refused here, before sending."""
    require_text(model, "model", "Pass a Claude model YEScale serves, e.g. 'claude-sonnet-4-5'.")
    check_claude_model(model)
    require_max_tokens(max_tokens)
    if "stream" in params:
        raise InvalidRequestError(
            "Do not pass `stream`: use client.messages.stream(...) for a stream, "
            "client.messages.create(...) for one answer."
        )
    checked = normalized_messages(messages)
    check_system(params.get("system"))
    names = check_tools(params["tools"]) if params.get("tools") is not None else []
    if params.get("tool_choice") is not None:
        check_tool_choice(params["tool_choice"], names)
    if params.get("thinking") is not None:
        check_thinking(params["thinking"], max_tokens, params)
    body: dict[str, Any] = {
        "model": model,
        "max_tokens": max_tokens,
        "messages": checked,
        **params,
    }
    if stream:
        body["stream"] = True
    request = validate_model(MessagesRequest, body, "Messages request")
    return Call(
        "POST",
        PATH,
        message_parser(model),  # (a stream's events are read by its decoder)
        json=request.to_wire(),
        what=WHAT,
        headers=headers_for(betas),
        meter=Meter(model, messages_usage),
    )


class Messages:
    """Claude in Anthropic's Messages format (``POST /v1/messages``): ``client.messages``.

    ``params`` are the Messages API's other body fields: ``system`` (a string, or text blocks
    with ``cache_control``), ``tools``, ``tool_choice``, ``thinking``, ``temperature``,
    ``top_p``, ``top_k``, ``stop_sequences``, ``metadata``, ``service_tier``; unknown ones pass
    through. ``betas``: names sent in the ``anthropic-beta`` header. ``.chat``: the same
    endpoint in the OpenAI chat format (:class:`~yescale.resources.messages_chat.MessagesChat`).
    """

    def __init__(self, transport: Transport) -> None:
        self._t = transport
        self._decoder = partial(MessageStreamDecoder, transport.secrets)
        self.chat = MessagesChat(self)

    def create(
        self,
        *,
        model: str,
        max_tokens: int,
        messages: Sequence[Mapping[str, Any]],
        betas: Sequence[str] | None = None,
        **params: Any,
    ) -> Message:
        """One message. ``reply.to_param()`` is its assistant turn for the next request."""
        return self._t.send(
            build_call(model, max_tokens, messages, params, stream=False, betas=betas)
        )

    def stream(
        self,
        *,
        model: str,
        max_tokens: int,
        messages: Sequence[Mapping[str, Any]],
        betas: Sequence[str] | None = None,
        **params: Any,
    ) -> MessageStream:
        """Stream the message's events (:class:`MessageStream`); nothing is sent before the
        first event is asked for. Retried only before the first event is handed out."""
        call = build_call(model, max_tokens, messages, params, stream=True, betas=betas)
        meter: Meter[Message] = Meter(model, messages_usage)
        meter.before()
        return MessageStream(self._t.stream(call, self._decoder), meter)


class AsyncMessages:
    """Async twin of :class:`Messages` (``client.aio.messages``)."""

    def __init__(self, transport: Transport) -> None:
        self._t = transport
        self._decoder = partial(MessageStreamDecoder, transport.secrets)
        self.chat = AsyncMessagesChat(self)

    async def create(
        self,
        *,
        model: str,
        max_tokens: int,
        messages: Sequence[Mapping[str, Any]],
        betas: Sequence[str] | None = None,
        **params: Any,
    ) -> Message:
        call = build_call(model, max_tokens, messages, params, stream=False, betas=betas)
        return await self._t.asend(call)

    def stream(
        self,
        *,
        model: str,
        max_tokens: int,
        messages: Sequence[Mapping[str, Any]],
        betas: Sequence[str] | None = None,
        **params: Any,
    ) -> AsyncMessageStream:
        call = build_call(model, max_tokens, messages, params, stream=True, betas=betas)
        meter: Meter[Message] = Meter(model, messages_usage)
        meter.before()
        return AsyncMessageStream(self._t.astream(call, self._decoder), meter)


__all__ = ["ANTHROPIC_VERSION", "AsyncMessages", "Messages", "build_call", "check_message"]
