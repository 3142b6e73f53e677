"""The four calls a chat class makes (create, stream, sync and async) on one of the client's chat
endpoints, so that a framework class names its endpoint instead of writing the calls."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any, Literal

from ..types.chat import ChatCompletion, ChatCompletionChunk

if TYPE_CHECKING:
    from .._client import YEScaleClient

__all__ = ["ChatCalls", "ChatEndpoint"]

#: ``"openai"``: ``/v1/chat/completions``; ``"gemini"``: Gemini's ``generateContent``;
#: ``"anthropic"``: Anthropic's ``/v1/messages``; ``"responses"``: OpenAI's ``/v1/responses``
#: (answers in the OpenAI format every way).
ChatEndpoint = Literal["openai", "gemini", "anthropic", "responses"]

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

    def _chat(self) -> Any:
        if self.endpoint == "anthropic":
            return self.client.messages.chat
        if self.endpoint == "responses":
            return self.client.responses.chat
        return self.client.chat if self.endpoint == "openai" else self.client.gemini.chat

    def _achat(self) -> Any:
        aio = self.client.aio
        if self.endpoint == "anthropic":
            return aio.messages.chat
        if self.endpoint == "responses":
            return aio.responses.chat
        return aio.chat if self.endpoint == "openai" else aio.gemini.chat

    def create(self, messages: Messages, params: Mapping[str, Any]) -> ChatCompletion:
        answer: ChatCompletion = self._chat().create(
            messages=messages, **self._params(params, stream=False)
        )
        return answer

    async def acreate(self, messages: Messages, params: Mapping[str, Any]) -> ChatCompletion:
        answer: ChatCompletion = await self._achat().create(
            messages=messages, **self._params(params, stream=False)
        )
        return answer

    def stream(
        self, messages: Messages, params: Mapping[str, Any]
    ) -> Iterator[ChatCompletionChunk]:
        return iter(self._chat().stream(messages=messages, **self._params(params, stream=True)))

    def astream(
        self, messages: Messages, params: Mapping[str, Any]
    ) -> AsyncIterator[ChatCompletionChunk]:
        return aiter(self._achat().stream(messages=messages, **self._params(params, stream=True)))
