"""``client.chat``: OpenAI-format chat completions for every model YEScale serves."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from functools import partial
from typing import Any

from .._http import Call, Transport, json_parser
from .._streaming import StreamDecoder
from .._validate import (
    check_chat_messages,
    check_tool_choice,
    check_tools,
    require_messages,
    require_text,
    validate_model,
)
from ..costs.meter import Meter, chat_usage, reported_chat_usage
from ..errors import incomplete_answer
from ..models.kinds import check_chat_model
from ..translate.answer_tool import answer_tool_for
from ..types.chat import ChatCompletion, ChatCompletionChunk, ChatCompletionRequest
from ._stream import AsyncStream

PATH = "/v1/chat/completions"


def check_completion(completion: ChatCompletion, what: str) -> None:
    """Refuse a completion without what every answer holds: at least one choice, each with a
    message (an empty message is an answer; a missing one is not)."""
    if not completion.choices:
        raise incomplete_answer(what, "no choices: there is no message to return")
    for i, choice in enumerate(completion.choices):
        if not choice.has_message:
            raise incomplete_answer(what, f"choice {i} has no message")


def completion_parser(model: str) -> Callable[[bytes], ChatCompletion]:
    """Reads a chat completion for ``model`` and checks it (:func:`check_completion`)."""
    return json_parser(
        ChatCompletion, partial(check_completion, what=f"chat completion for {model!r}")
    )


def build_call(
    model: str,
    messages: Sequence[Mapping[str, Any]],
    params: dict[str, Any],
    *,
    stream: bool = False,
    include_usage: bool = True,
) -> Call[ChatCompletion]:
    require_text(model, "model", "Pass a model YEScale serves, e.g. 'gpt-4o-mini'.")
    check_chat_model(model)
    checked = require_messages(messages)
    check_chat_messages(checked)
    body: dict[str, Any] = {"model": model, "messages": checked, **params}
    if not body.get("tools"):
        # OpenAI refuses "tools": [], and parallel_tool_calls or a tool_choice without tools;
        # without tools "auto" and "none" say nothing ("required" or a named tool is refused
        # below, saying why)
        body.pop("tools", None)
        body.pop("parallel_tool_calls", None)
        if body.get("tool_choice") in ("auto", "none"):
            del body["tool_choice"]
    if body.get("tools") is not None:
        check_tools(body["tools"])
    if body.get("tool_choice") is not None:
        check_tool_choice(body["tool_choice"], body.get("tools"))
    if stream:
        body["stream"] = True
        if include_usage:
            body.setdefault("stream_options", {"include_usage": True})
    request = validate_model(ChatCompletionRequest, body, "chat completion request")
    parse = completion_parser(model)  # (a stream's chunks are read by its decoder)
    meter: Meter[ChatCompletion] = Meter(model, chat_usage)
    return Call("POST", PATH, parse, json=request.to_wire(), what="chat completion", meter=meter)


class Chat:
    """Chat completions (``POST /v1/chat/completions``)."""

    def __init__(self, transport: Transport) -> None:
        self._t = transport
        self._decoder = partial(StreamDecoder, ChatCompletionChunk, transport.secrets)

    def create(
        self, *, model: str, messages: Sequence[Mapping[str, Any]], **params: Any
    ) -> ChatCompletion:
        """One completion. ``params`` are any body fields (temperature, tools, ...).

        A ``json_schema`` ``response_format`` for a model whose API refuses it (Claude,
        DeepSeek) is sent as a function the model must call, and its arguments come back as
        the text (:mod:`yescale.translate.answer_tool`)."""
        answer = answer_tool_for(model, params)
        if answer is None:
            return self._t.send(build_call(model, messages, params))
        return answer.completion(self._t.send(build_call(model, messages, answer.request(params))))

    def stream(
        self,
        *,
        model: str,
        messages: Sequence[Mapping[str, Any]],
        include_usage: bool = True,
        **params: Any,
    ) -> Iterator[ChatCompletionChunk]:
        """Stream chunks; the last one carries ``usage`` unless ``include_usage=False``."""
        answer = answer_tool_for(model, params)
        if answer is not None:
            params = answer.request(params)
        call = build_call(model, messages, params, stream=True, include_usage=include_usage)
        meter = Meter(model, chat_usage)
        meter.before()
        chunks = meter.stream(self._t.stream(call, self._decoder), reported_chat_usage)
        return chunks if answer is None else answer.chunks(chunks)


class AsyncChat:
    """Async twin of :class:`Chat` (``client.aio.chat``)."""

    def __init__(self, transport: Transport) -> None:
        self._t = transport
        self._decoder = partial(StreamDecoder, ChatCompletionChunk, transport.secrets)

    async def create(
        self, *, model: str, messages: Sequence[Mapping[str, Any]], **params: Any
    ) -> ChatCompletion:
        answer = answer_tool_for(model, params)
        if answer is None:
            return await self._t.asend(build_call(model, messages, params))
        call = build_call(model, messages, answer.request(params))
        return answer.completion(await self._t.asend(call))

    def stream(
        self,
        *,
        model: str,
        messages: Sequence[Mapping[str, Any]],
        include_usage: bool = True,
        **params: Any,
    ) -> AsyncStream[ChatCompletionChunk]:
        answer = answer_tool_for(model, params)
        if answer is not None:
            params = answer.request(params)
        call = build_call(model, messages, params, stream=True, include_usage=include_usage)
        meter = Meter(model, chat_usage)
        meter.before()
        chunks = meter.astream(self._t.astream(call, self._decoder), reported_chat_usage)
        return AsyncStream(chunks if answer is None else answer.achunks(chunks))
