"""OpenAI-format chat over another format's endpoint (``client.messages.chat``,
``client.responses.chat``): the create / stream calls, sync and async, written once.

A format says what differs in a :class:`ChatFormat`: how an OpenAI-format call becomes the
native call's arguments, whether the request offered server tools (then every answer carries
its standard blocks), how a native answer becomes a ``ChatCompletion``, and the translator of
its stream events into ``ChatCompletionChunk`` s. Requests go through the native resource, so
they are checked, metered and sent exactly as its own calls are.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from ..types.chat import ChatCompletion, ChatCompletionChunk
from ._stream import AsyncStream

__all__ = ["AsyncChatOver", "ChatFormat", "ChatOver"]

Messages = Sequence[Mapping[str, Any]]
Tools = Sequence[Mapping[str, Any]] | None
ToolChoice = str | Mapping[str, Any] | None


class ChunkTranslator(Protocol):
    """Turns one stream's native events into chunks (``None``: nothing to tell)."""

    finished: bool

    def translate(self, event: Any) -> ChatCompletionChunk | None: ...


@dataclass(frozen=True)
class ChatFormat:
    """What one native format brings to OpenAI-format chat."""

    call: Callable[[Messages, Tools, ToolChoice, Mapping[str, Any], bool], dict[str, Any]]
    """(messages, tools, tool_choice, params, stream) -> the native call's keyword arguments
    (but ``model``)."""
    offers_server_tools: Callable[[Any], bool]
    """Whether the native call's ``tools`` include server / built-in tools."""
    answer: Callable[[Any, bool], ChatCompletion]
    """(native answer, rich) -> the completion."""
    translator: Callable[[bool], ChunkTranslator]
    """rich -> a stream's chunk translator."""


def _answer(fmt: ChatFormat, native: Any, rich: bool) -> ChatCompletion:
    completion = fmt.answer(native, rich)
    completion.attach_cost(native.cost)
    return completion


def _chunks(fmt: ChatFormat, stream: Any, rich: bool) -> Iterator[ChatCompletionChunk]:
    translator = fmt.translator(rich)
    with stream:
        for event in stream:
            chunk = translator.translate(event)
            if chunk is not None:
                if translator.finished:
                    chunk.attach_cost(stream.cost)
                yield chunk


async def _achunks(fmt: ChatFormat, stream: Any, rich: bool) -> AsyncIterator[ChatCompletionChunk]:
    translator = fmt.translator(rich)
    async with stream:
        async for event in stream:
            chunk = translator.translate(event)
            if chunk is not None:
                if translator.finished:
                    chunk.attach_cost(stream.cost)
                yield chunk


class ChatOver:
    """``create`` (a ``ChatCompletion``) and ``stream`` (``ChatCompletionChunk`` s; nothing is
    sent before the first is asked for) over the native resource ``native``."""

    _format: ChatFormat

    def __init__(self, native: Any) -> None:
        self._native = native

    def _call(
        self, messages: Messages, tools: Tools, tool_choice: ToolChoice, params: Any, stream: bool
    ) -> tuple[dict[str, Any], bool]:
        call = self._format.call(messages, tools, tool_choice, params, stream)
        return call, self._format.offers_server_tools(call.get("tools"))

    def create(
        self,
        *,
        model: str,
        messages: Messages,
        tools: Tools = None,
        tool_choice: ToolChoice = None,
        **params: Any,
    ) -> ChatCompletion:
        call, rich = self._call(messages, tools, tool_choice, params, False)
        return _answer(self._format, self._native.create(model=model, **call), rich)

    def stream(
        self,
        *,
        model: str,
        messages: Messages,
        tools: Tools = None,
        tool_choice: ToolChoice = None,
        **params: Any,
    ) -> Iterator[ChatCompletionChunk]:
        call, rich = self._call(messages, tools, tool_choice, params, True)
        return _chunks(self._format, self._native.stream(model=model, **call), rich)


class AsyncChatOver(ChatOver):
    """Async twin of :class:`ChatOver`."""

    async def create(  # type: ignore[override]
        self,
        *,
        model: str,
        messages: Messages,
        tools: Tools = None,
        tool_choice: ToolChoice = None,
        **params: Any,
    ) -> ChatCompletion:
        call, rich = self._call(messages, tools, tool_choice, params, False)
        return _answer(self._format, await self._native.create(model=model, **call), rich)

    def stream(  # type: ignore[override]
        self,
        *,
        model: str,
        messages: Messages,
        tools: Tools = None,
        tool_choice: ToolChoice = None,
        **params: Any,
    ) -> AsyncStream[ChatCompletionChunk]:
        call, rich = self._call(messages, tools, tool_choice, params, True)
        stream = self._native.stream(model=model, **call)
        return AsyncStream(_achunks(self._format, stream, rich))
