"""``client.gemini``: Gemini-native ``generateContent`` and its SSE stream."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator, Mapping, Sequence
from functools import partial
from typing import Any
from urllib.parse import quote

from .._fetch import afetch_all, fetch_all, image_urls
from .._http import Call, Transport, json_parser
from .._streaming import GeminiStreamDecoder
from ..errors import InvalidRequestError
from ..gemini_chat import GeminiChunkTranslator, from_gemini_response, to_gemini_request
from ..types.chat import ChatCompletion, ChatCompletionChunk
from ..types.gemini import GenerateContentRequest, GenerateContentResponse
from ._stream import AsyncStream
from ._validate import require_messages, require_text

_parse = json_parser(GenerateContentResponse)


def _contents(contents: str | Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    if isinstance(contents, str):
        require_text(contents, "contents")
        return [{"role": "user", "parts": [{"text": contents}]}]
    if not isinstance(contents, Sequence) or not contents:
        raise InvalidRequestError(
            "`contents` must be a prompt string or a non-empty list of Gemini contents such as "
            '[{"role": "user", "parts": [{"text": "Hello"}]}].'
        )
    out: list[dict[str, Any]] = []
    for i, content in enumerate(contents):
        if not isinstance(content, dict) or "parts" not in content:
            raise InvalidRequestError(f"contents[{i}] must be a dict with 'role' and 'parts'.")
        out.append(content)
    return out


def build_call(
    model: str, contents: str | Sequence[dict[str, Any]], params: dict[str, Any], *, stream: bool
) -> Call[GenerateContentResponse]:
    require_text(model, "model", "e.g. 'gemini-2.5-flash'.")
    name = model.removeprefix("models/")
    request = GenerateContentRequest.model_validate({"contents": _contents(contents), **params})
    method = "streamGenerateContent" if stream else "generateContent"
    return Call(
        "POST",
        f"/v1beta/models/{quote(name, safe='.-_')}:{method}",
        _parse,
        json=request.to_wire(),
        params={"alt": "sse"} if stream else None,
        what="Gemini generateContent",
    )


class Gemini:
    """Gemini-native endpoints (``/v1beta/models/{model}:generateContent``, key in x-goog-api-key).

    ``params`` take Gemini's fields in snake_case or camelCase: ``system_instruction``,
    ``generation_config``, ``tools``, ``tool_config``, ``safety_settings``.
    """

    def __init__(self, transport: Transport) -> None:
        self._t = transport
        self._decoder = partial(GeminiStreamDecoder, transport.secrets)
        self.chat = GeminiChat(transport)

    def generate_content(
        self, *, model: str, contents: str | Sequence[dict[str, Any]], **params: Any
    ) -> GenerateContentResponse:
        return self._t.send(build_call(model, contents, params, stream=False))

    def stream_generate_content(
        self, *, model: str, contents: str | Sequence[dict[str, Any]], **params: Any
    ) -> Iterator[GenerateContentResponse]:
        """Stream with ``:streamGenerateContent?alt=sse``; raises if no ``finishReason`` comes."""
        return self._t.stream(build_call(model, contents, params, stream=True), self._decoder)


class AsyncGemini:
    """Async twin of :class:`Gemini`."""

    def __init__(self, transport: Transport) -> None:
        self._t = transport
        self._decoder = partial(GeminiStreamDecoder, transport.secrets)
        self.chat = AsyncGeminiChat(transport)

    async def generate_content(
        self, *, model: str, contents: str | Sequence[dict[str, Any]], **params: Any
    ) -> GenerateContentResponse:
        return await self._t.asend(build_call(model, contents, params, stream=False))

    def stream_generate_content(
        self, *, model: str, contents: str | Sequence[dict[str, Any]], **params: Any
    ) -> AsyncStream[GenerateContentResponse]:
        call = build_call(model, contents, params, stream=True)
        return AsyncStream(self._t.astream(call, self._decoder))


# -- OpenAI-format chat over Gemini-native generateContent ----------------------------------------


def build_chat(
    model: str,
    messages: Sequence[Mapping[str, Any]],
    tools: Sequence[Mapping[str, Any]] | None,
    tool_choice: str | Mapping[str, Any] | None,
    images: Mapping[str, tuple[bytes, str]],
    params: dict[str, Any],
    *,
    stream: bool,
) -> Call[GenerateContentResponse]:
    require_messages(messages)
    request = to_gemini_request(
        messages, tools=tools, tool_choice=tool_choice, fetch=images.__getitem__
    )
    merged = {**params, **request}
    if "system_instruction" in params and "system_instruction" in request:
        merged["system_instruction"] = {
            "parts": request["system_instruction"]["parts"] + params["system_instruction"]["parts"]
        }
    return build_call(model, merged.pop("contents"), merged, stream=stream)


class GeminiChat:
    """OpenAI-format chat on Gemini's native endpoint: ``client.gemini.chat``.

    Takes OpenAI-style ``messages`` / ``tools`` / ``tool_choice`` and Gemini ``params``
    (``generation_config``, ``safety_settings``, ...); returns OpenAI-format completions whose
    messages carry ``reasoning_content`` (thoughts) and thought signatures on tool calls.
    """

    def __init__(self, transport: Transport) -> None:
        self._t = transport
        self._decoder = partial(GeminiStreamDecoder, transport.secrets)

    def create(
        self,
        *,
        model: str,
        messages: Sequence[Mapping[str, Any]],
        tools: Sequence[Mapping[str, Any]] | None = None,
        tool_choice: str | Mapping[str, Any] | None = None,
        **params: Any,
    ) -> ChatCompletion:
        images = fetch_all(self._t, image_urls(messages))
        call = build_chat(model, messages, tools, tool_choice, images, params, stream=False)
        return from_gemini_response(self._t.send(call))

    def stream(
        self,
        *,
        model: str,
        messages: Sequence[Mapping[str, Any]],
        tools: Sequence[Mapping[str, Any]] | None = None,
        tool_choice: str | Mapping[str, Any] | None = None,
        **params: Any,
    ) -> Iterator[ChatCompletionChunk]:
        images = fetch_all(self._t, image_urls(messages))
        call = build_chat(model, messages, tools, tool_choice, images, params, stream=True)
        translator = GeminiChunkTranslator()
        return (translator.translate(chunk) for chunk in self._t.stream(call, self._decoder))


class AsyncGeminiChat:
    """Async twin of :class:`GeminiChat` (``client.aio.gemini.chat``)."""

    def __init__(self, transport: Transport) -> None:
        self._t = transport
        self._decoder = partial(GeminiStreamDecoder, transport.secrets)

    async def create(
        self,
        *,
        model: str,
        messages: Sequence[Mapping[str, Any]],
        tools: Sequence[Mapping[str, Any]] | None = None,
        tool_choice: str | Mapping[str, Any] | None = None,
        **params: Any,
    ) -> ChatCompletion:
        images = await afetch_all(self._t, image_urls(messages))
        call = build_chat(model, messages, tools, tool_choice, images, params, stream=False)
        return from_gemini_response(await self._t.asend(call))

    def stream(
        self,
        *,
        model: str,
        messages: Sequence[Mapping[str, Any]],
        tools: Sequence[Mapping[str, Any]] | None = None,
        tool_choice: str | Mapping[str, Any] | None = None,
        **params: Any,
    ) -> AsyncStream[ChatCompletionChunk]:
        return AsyncStream(self._stream(model, messages, tools, tool_choice, params))

    async def _stream(
        self,
        model: str,
        messages: Sequence[Mapping[str, Any]],
        tools: Sequence[Mapping[str, Any]] | None,
        tool_choice: str | Mapping[str, Any] | None,
        params: dict[str, Any],
    ) -> AsyncIterator[ChatCompletionChunk]:
        images = await afetch_all(self._t, image_urls(messages))
        call = build_chat(model, messages, tools, tool_choice, images, params, stream=True)
        translator = GeminiChunkTranslator()
        async for chunk in self._t.astream(call, self._decoder):
            yield translator.translate(chunk)
