"""The four calls a chat class makes (create, stream, sync and async) on one of the client's chat
endpoints, so that a framework class names its endpoint instead of writing the calls."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any, Literal

from ..types.chat import ChatCompletion, ChatCompletionChunk

if TYPE_CHECKING:
    from .._client import YEScaleClient

__all__ = ["ChatCalls", "ChatEndpoint"]

#: ``"openai"``: ``/v1/chat/completions``; ``"gemini"``: Gemini's ``generateContent`` (answers in
#: the OpenAI format either way).
ChatEndpoint = Literal["openai", "gemini"]

Messages = Sequence[Mapping[str, Any]]


class ChatCalls:
    """``client``'s chat endpoint ``endpoint``, called with OpenAI-format messages and the
    parameters :func:`~yescale.integration.chat_params.openai_chat_params` (or the Gemini one)
    built. A ``stream_usage`` parameter asks for token usage on OpenAI-format streams (Gemini
    always sends it); it is not a body field."""

    __slots__ = ("client", "endpoint")

    def __init__(self, client: YEScaleClient, endpoint: ChatEndpoint) -> None:
        self.client = client
        self.endpoint = endpoint

    def _params(self, params: Mapping[str, Any], stream: bool) -> dict[str, Any]:
        params = dict(params)
        usage = params.pop("stream_usage", True)
        if stream and self.endpoint == "openai":
            params["include_usage"] = bool(usage)
        return params

    def create(self, messages: Messages, params: Mapping[str, Any]) -> ChatCompletion:
        chat = self.client.chat if self.endpoint == "openai" else self.client.gemini.chat
        return chat.create(messages=messages, **self._params(params, stream=False))

    async def acreate(self, messages: Messages, params: Mapping[str, Any]) -> ChatCompletion:
        aio = self.client.aio
        chat = aio.chat if self.endpoint == "openai" else aio.gemini.chat
        return await chat.create(messages=messages, **self._params(params, stream=False))

    def stream(
        self, messages: Messages, params: Mapping[str, Any]
    ) -> Iterator[ChatCompletionChunk]:
        chat = self.client.chat if self.endpoint == "openai" else self.client.gemini.chat
        return iter(chat.stream(messages=messages, **self._params(params, stream=True)))

    def astream(
        self, messages: Messages, params: Mapping[str, Any]
    ) -> AsyncIterator[ChatCompletionChunk]:
        aio = self.client.aio
        chat = aio.chat if self.endpoint == "openai" else aio.gemini.chat
        return aiter(chat.stream(messages=messages, **self._params(params, stream=True)))
