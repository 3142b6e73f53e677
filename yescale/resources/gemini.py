"""``client.gemini``: Gemini-native ``generateContent`` and its SSE stream."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterator, Mapping, Sequence
from functools import partial
from typing import Any
from urllib.parse import quote

from .._fetch import afetch_all, fetch_all, image_urls
from .._http import Call, Transport, json_parser
from .._streaming import GeminiStreamDecoder
from .._validate import require_messages, require_text, validate_model
from ..costs.meter import Meter, gemini_usage, reported_chat_usage, reported_gemini_usage
from ..errors import InvalidRequestError, incomplete_answer
from ..models.kinds import check_gemini_model
from ..translate.gemini_chat import GeminiChunkTranslator, from_gemini_response, to_gemini_request
from ..types.chat import ChatCompletion, ChatCompletionChunk
from ..types.gemini import GenerateContentRequest, GenerateContentResponse
from ._stream import AsyncStream
from .gemini_embeddings import AsyncGeminiEmbeddings, GeminiEmbeddings

_WHAT = "Gemini generateContent request"
_ROLES = ("user", "model", "function")
_ROLE_HINTS = {
    "assistant": "use 'model' for the model's turns",
    "system": "put system text in system_instruction",
    "tool": "send function responses with role 'user'",
}


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
        parts = content["parts"]
        if not isinstance(parts, list) or not parts:
            raise InvalidRequestError(
                f"contents[{i}].parts must be a non-empty list of parts such as "
                '[{"text": "Hello"}].'
            )
        for j, part in enumerate(parts):
            if not isinstance(part, dict) or not part:
                raise InvalidRequestError(
                    f"contents[{i}].parts[{j}] must be a part dict such as "
                    f'{{"text": "Hello"}} or {{"inlineData": {{...}}}}, got {part!r:.60}.'
                )
        role = content.get("role")
        if role is not None and role not in _ROLES:
            hint = _ROLE_HINTS.get(str(role), "Gemini takes 'user' and 'model'")
            raise InvalidRequestError(f"contents[{i}] has role {role!r}: {hint}.")
        out.append(content)
    return out


#: ``generationConfig`` fields with the ranges Gemini takes (camelCase and snake_case spellings).
_RANGES: dict[str, tuple[float | None, float | None, str]] = {
    "temperature": (0, 2, "a number from 0 to 2"),
    "topP": (0, 1, "a number from 0 to 1"),
    "topK": (1, None, "an integer >= 1"),
    "maxOutputTokens": (1, None, "an integer >= 1"),
    "candidateCount": (1, 8, "an integer from 1 to 8"),
    "presencePenalty": (-2, 2, "a number from -2 to 2"),
    "frequencyPenalty": (-2, 2, "a number from -2 to 2"),
}
_SNAKE = {
    "top_p": "topP",
    "top_k": "topK",
    "max_output_tokens": "maxOutputTokens",
    "candidate_count": "candidateCount",
    "presence_penalty": "presencePenalty",
    "frequency_penalty": "frequencyPenalty",
}
_INTEGERS = {"topK", "maxOutputTokens", "candidateCount"}


def check_generation_config(config: Any) -> None:
    """Refuse a ``generationConfig`` Gemini would answer with an HTTP 400."""
    if config is None:
        return
    if not isinstance(config, dict):
        raise InvalidRequestError(
            f"generation_config must be a dict of Gemini generationConfig fields such as "
            f'{{"temperature": 0.2, "maxOutputTokens": 256}}, got {type(config).__name__}.'
        )
    for key, value in config.items():
        name = _SNAKE.get(key, key)
        if name not in _RANGES or value is None:
            continue
        low, high, allowed = _RANGES[name]
        number = isinstance(value, (int, float)) and not isinstance(value, bool)
        if (
            not number
            or value != value  # NaN
            or (name in _INTEGERS and not isinstance(value, int))
            or (low is not None and value < low)
            or (high is not None and value > high)
        ):
            raise InvalidRequestError(
                f"generationConfig.{name}={value!r} is out of range: Gemini takes {allowed}."
            )
    thinking = config.get("thinkingConfig", config.get("thinking_config"))
    if isinstance(thinking, dict):
        budget = thinking.get("thinkingBudget", thinking.get("thinking_budget"))
        if budget is not None and (
            isinstance(budget, bool) or not isinstance(budget, int) or budget < -1
        ):
            raise InvalidRequestError(
                f"thinkingBudget={budget!r} is not allowed: use -1 (the model decides), 0 (off, "
                "Flash models) or a positive number of tokens."
            )


def check_response(response: GenerateContentResponse, what: str) -> None:
    """Refuse a ``generateContent`` answer without an answer in it.

    A blocked prompt (``promptFeedback.blockReason``, no candidates) is an answer: the chat
    translation finishes it with ``content_filter``. No candidates otherwise, or a candidate with
    neither content nor a finish reason, is not. (A candidate with a finish reason and no parts
    is: ``MAX_TOKENS`` spent on thinking, or ``SAFETY``.) Stream chunks are not checked: a chunk
    may carry usage only.
    """
    if not response.candidates:
        if response.blocked:
            return
        raise incomplete_answer(
            what, "no candidates, and no promptFeedback.blockReason to say the prompt was blocked"
        )
    for i, candidate in enumerate(response.candidates):
        empty = candidate.content is None or not candidate.content.parts
        if empty and not candidate.finish_reason:
            raise incomplete_answer(what, f"candidate {i} has no content and no finishReason")


def response_parser(model: str) -> Callable[[bytes], GenerateContentResponse]:
    """Reads a ``generateContent`` answer for ``model`` and checks it (:func:`check_response`)."""
    what = f"Gemini generateContent for {model!r}"
    return json_parser(GenerateContentResponse, partial(check_response, what=what))


def build_call(
    model: str, contents: str | Sequence[dict[str, Any]], params: dict[str, Any], *, stream: bool
) -> Call[GenerateContentResponse]:
    require_text(model, "model", "e.g. 'gemini-2.5-flash'.")
    check_gemini_model(model)
    name = model.removeprefix("models/")
    check_generation_config(params.get("generation_config", params.get("generationConfig")))
    body = {"contents": _contents(contents), **params}
    request = validate_model(GenerateContentRequest, body, _WHAT)
    method = "streamGenerateContent" if stream else "generateContent"
    return Call(
        "POST",
        f"/v1beta/models/{quote(name, safe='.-_')}:{method}",
        response_parser(name),  # (a stream's chunks are read by its decoder)
        json=request.to_wire(),
        params={"alt": "sse"} if stream else None,
        what="Gemini generateContent",
        meter=Meter(name, gemini_usage),
    )


def _chat_answer(response: GenerateContentResponse) -> ChatCompletion:
    """The OpenAI-format completion of a Gemini answer, with the answer's cost."""
    completion = from_gemini_response(response)
    completion.attach_cost(response.cost)
    return completion


class Gemini:
    """Gemini-native endpoints (``/v1beta/models/{model}:generateContent``, key in x-goog-api-key);
    ``.embeddings``: ``embedContent`` / ``batchEmbedContents``.

    ``params`` take Gemini's fields in snake_case or camelCase: ``system_instruction``,
    ``generation_config``, ``tools``, ``tool_config``, ``safety_settings``.
    """

    def __init__(self, transport: Transport) -> None:
        self._t = transport
        self._decoder = partial(GeminiStreamDecoder, transport.secrets)
        self.chat = GeminiChat(transport)
        self.embeddings = GeminiEmbeddings(transport)

    def generate_content(
        self, *, model: str, contents: str | Sequence[dict[str, Any]], **params: Any
    ) -> GenerateContentResponse:
        return self._t.send(build_call(model, contents, params, stream=False))

    def stream_generate_content(
        self, *, model: str, contents: str | Sequence[dict[str, Any]], **params: Any
    ) -> Iterator[GenerateContentResponse]:
        """Stream with ``:streamGenerateContent?alt=sse``; raises if no ``finishReason`` comes.
        Each chunk's ``usage_metadata`` and ``cost`` are those of the answer so far."""
        call = build_call(model, contents, params, stream=True)
        meter = Meter(model.removeprefix("models/"), gemini_usage)
        meter.before()
        return meter.stream(self._t.stream(call, self._decoder), reported_gemini_usage)


class AsyncGemini:
    """Async twin of :class:`Gemini`."""

    def __init__(self, transport: Transport) -> None:
        self._t = transport
        self._decoder = partial(GeminiStreamDecoder, transport.secrets)
        self.chat = AsyncGeminiChat(transport)
        self.embeddings = AsyncGeminiEmbeddings(transport)

    async def generate_content(
        self, *, model: str, contents: str | Sequence[dict[str, Any]], **params: Any
    ) -> GenerateContentResponse:
        return await self._t.asend(build_call(model, contents, params, stream=False))

    def stream_generate_content(
        self, *, model: str, contents: str | Sequence[dict[str, Any]], **params: Any
    ) -> AsyncStream[GenerateContentResponse]:
        call = build_call(model, contents, params, stream=True)
        meter = Meter(model.removeprefix("models/"), gemini_usage)
        meter.before()
        return AsyncStream(
            meter.astream(self._t.astream(call, self._decoder), reported_gemini_usage)
        )


# -- OpenAI-format chat over Gemini-native generateContent ----------------------------------------


def build_chat(
    model: str,
    messages: Sequence[Mapping[str, Any]],
    tools: Sequence[Mapping[str, Any]] | None,
    tool_choice: str | Mapping[str, Any] | None,
    images: Mapping[str, tuple[bytes, str]] | None,
    params: dict[str, Any],
    *,
    stream: bool,
) -> Call[GenerateContentResponse]:
    """The call for OpenAI-format chat; ``images`` holds the fetched image URLs (``None``: image
    URLs become ``fileData`` parts, which is how :func:`image_urls_to_fetch` dry-runs it)."""
    require_messages(messages)
    request = to_gemini_request(
        messages,
        tools=tools,
        tool_choice=tool_choice,
        fetch=images.__getitem__ if images is not None else None,
    )
    merged = {**params, **request}
    if "system_instruction" in params and "system_instruction" in request:
        merged["system_instruction"] = {
            "parts": request["system_instruction"]["parts"] + params["system_instruction"]["parts"]
        }
    return build_call(model, merged.pop("contents"), merged, stream=stream)


def image_urls_to_fetch(
    model: str,
    messages: Sequence[Mapping[str, Any]],
    tools: Sequence[Mapping[str, Any]] | None,
    tool_choice: str | Mapping[str, Any] | None,
    params: dict[str, Any],
) -> list[str]:
    """The image URLs to fetch for a chat, after checking everything else: a bad message, tool,
    schema or parameter is refused before any image is downloaded."""
    require_text(model, "model", "e.g. 'gemini-2.5-flash'.")
    check_gemini_model(model)
    urls = image_urls(require_messages(messages))
    if urls:
        build_chat(model, messages, tools, tool_choice, None, params, stream=False)
    return urls


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
        urls = image_urls_to_fetch(model, messages, tools, tool_choice, params)
        images = fetch_all(self._t, urls)
        call = build_chat(model, messages, tools, tool_choice, images, params, stream=False)
        return _chat_answer(self._t.send(call))

    def stream(
        self,
        *,
        model: str,
        messages: Sequence[Mapping[str, Any]],
        tools: Sequence[Mapping[str, Any]] | None = None,
        tool_choice: str | Mapping[str, Any] | None = None,
        **params: Any,
    ) -> Iterator[ChatCompletionChunk]:
        urls = image_urls_to_fetch(model, messages, tools, tool_choice, params)
        images = fetch_all(self._t, urls)
        call = build_chat(model, messages, tools, tool_choice, images, params, stream=True)
        translator = GeminiChunkTranslator()
        meter = Meter(model.removeprefix("models/"), gemini_usage)
        meter.before()
        chunks = (translator.translate(chunk) for chunk in self._t.stream(call, self._decoder))
        return meter.stream(chunks, reported_chat_usage)


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
        urls = image_urls_to_fetch(model, messages, tools, tool_choice, params)
        images = await afetch_all(self._t, urls)
        call = build_chat(model, messages, tools, tool_choice, images, params, stream=False)
        return _chat_answer(await self._t.asend(call))

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
        urls = image_urls_to_fetch(model, messages, tools, tool_choice, params)
        images = await afetch_all(self._t, urls)
        call = build_chat(model, messages, tools, tool_choice, images, params, stream=True)
        translator = GeminiChunkTranslator()
        meter = Meter(model.removeprefix("models/"), gemini_usage)
        meter.before()
        chunks = self._t.astream(call, self._decoder)
        async for chunk in meter.astream(
            (translator.translate(c) async for c in chunks), reported_chat_usage
        ):
            yield chunk
