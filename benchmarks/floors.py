"""Framework floors: the least a LangChain chat model or a LlamaIndex LLM over httpx can cost.

Each is the framework's base class with the thinnest possible body: one raw httpx request, the
answer's text put into the framework's message type, nothing else (no retries, no error mapping,
no usage, no tool calls, no metadata). What these rows cost above the raw httpx row is the
framework's own per-call machinery (callback managers, run ids, event dispatch), which every
integration pays; what a real integration costs above these rows is its own work.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Iterator, Sequence
from typing import Any

from .contenders import KEY, MODEL, v1

_ROLES = {"human": "user", "system": "system", "ai": "assistant", "tool": "tool"}
_HEADERS = {"Authorization": f"Bearer {KEY}"}


def _limits() -> Any:
    import httpx

    return httpx.Limits(max_connections=1000, max_keepalive_connections=1000)


def _deltas(lines: Iterator[str]) -> Iterator[tuple[str, dict[str, Any]]]:
    for line in lines:
        if not line.startswith("data: "):
            continue
        data = line[6:]
        if data == "[DONE]":
            return
        event = json.loads(data)
        choices = event.get("choices")
        delta = choices[0]["delta"].get("content") if choices else None
        if delta:
            yield delta, event


class _Http:
    """One sync client, and one async client made in the running loop."""

    def __init__(self, port: int, model: str) -> None:
        import httpx

        self.url = v1(port) + "/chat/completions"
        self.model = model
        self.sync = httpx.Client(timeout=120)
        self.async_: Any = None

    def aclient(self) -> Any:
        import httpx

        if self.async_ is None:
            self.async_ = httpx.AsyncClient(timeout=120, limits=_limits())
        return self.async_

    def body(self, messages: list[dict[str, Any]], stream: bool = False) -> dict[str, Any]:
        body: dict[str, Any] = {"model": self.model, "messages": messages}
        if stream:
            body["stream"] = True
        return body

    async def aclose(self) -> None:
        if self.async_ is not None:
            await self.async_.aclose()
            self.async_ = None


@functools.cache
def _lc_class() -> type:
    from langchain_core.language_models.chat_models import BaseChatModel
    from langchain_core.messages import AIMessage, AIMessageChunk, BaseMessage
    from langchain_core.outputs import ChatGeneration, ChatGenerationChunk, ChatResult
    from pydantic import ConfigDict

    def wire(messages: Sequence[BaseMessage]) -> list[dict[str, Any]]:
        return [{"role": _ROLES[m.type], "content": m.content} for m in messages]

    class HttpxChatModel(BaseChatModel):
        """LangChain floor: BaseChatModel + one httpx request."""

        model_config = ConfigDict(arbitrary_types_allowed=True)
        http: Any

        @property
        def _llm_type(self) -> str:
            return "httpx-floor"

        def _generate(
            self,
            messages: list[BaseMessage],
            stop: list[str] | None = None,
            run_manager: Any = None,
            **kwargs: Any,
        ) -> ChatResult:
            http = self.http
            data = http.sync.post(http.url, json=http.body(wire(messages)), headers=_HEADERS)
            text = data.json()["choices"][0]["message"]["content"]
            return ChatResult(generations=[ChatGeneration(message=AIMessage(content=text))])

        async def _agenerate(
            self,
            messages: list[BaseMessage],
            stop: list[str] | None = None,
            run_manager: Any = None,
            **kwargs: Any,
        ) -> ChatResult:
            http = self.http
            response = await http.aclient().post(
                http.url, json=http.body(wire(messages)), headers=_HEADERS
            )
            text = response.json()["choices"][0]["message"]["content"]
            return ChatResult(generations=[ChatGeneration(message=AIMessage(content=text))])

        def _stream(
            self,
            messages: list[BaseMessage],
            stop: list[str] | None = None,
            run_manager: Any = None,
            **kwargs: Any,
        ) -> Iterator[ChatGenerationChunk]:
            http = self.http
            body = http.body(wire(messages), stream=True)
            with http.sync.stream("POST", http.url, json=body, headers=_HEADERS) as response:
                for delta, _event in _deltas(response.iter_lines()):
                    chunk = ChatGenerationChunk(message=AIMessageChunk(content=delta))
                    if run_manager:
                        run_manager.on_llm_new_token(delta, chunk=chunk)
                    yield chunk

        async def bench_aclose(self) -> None:
            await self.http.aclose()

    return HttpxChatModel


def lc_floor(port: int, retries: int, model: str = MODEL) -> Any:
    return _lc_class()(http=_Http(port, model))


@functools.cache
def _li_class() -> type:
    from llama_index.core.base.llms.types import (
        ChatMessage,
        ChatResponse,
        ChatResponseGen,
        LLMMetadata,
    )
    from llama_index.core.llms import LLM
    from llama_index.core.llms.callbacks import llm_chat_callback
    from pydantic import ConfigDict

    def wire(messages: Sequence[ChatMessage]) -> list[dict[str, Any]]:
        return [{"role": m.role.value, "content": m.content} for m in messages]

    def unsupported(*args: Any, **kwargs: Any) -> Any:
        raise NotImplementedError("the LlamaIndex floor only chats")

    class HttpxLLM(LLM):
        """LlamaIndex floor: LLM + one httpx request."""

        model_config = ConfigDict(arbitrary_types_allowed=True)
        http: Any

        @property
        def metadata(self) -> LLMMetadata:
            return LLMMetadata(context_window=128_000, is_chat_model=True, model_name=MODEL)

        @llm_chat_callback()
        def chat(self, messages: Sequence[ChatMessage], **kwargs: Any) -> ChatResponse:
            http = self.http
            data = http.sync.post(http.url, json=http.body(wire(messages)), headers=_HEADERS).json()
            text = data["choices"][0]["message"]["content"]
            return ChatResponse(message=ChatMessage(role="assistant", content=text), raw=data)

        @llm_chat_callback()
        async def achat(self, messages: Sequence[ChatMessage], **kwargs: Any) -> ChatResponse:
            http = self.http
            response = await http.aclient().post(
                http.url, json=http.body(wire(messages)), headers=_HEADERS
            )
            data = response.json()
            text = data["choices"][0]["message"]["content"]
            return ChatResponse(message=ChatMessage(role="assistant", content=text), raw=data)

        @llm_chat_callback()
        def stream_chat(self, messages: Sequence[ChatMessage], **kwargs: Any) -> ChatResponseGen:
            http = self.http
            body = http.body(wire(messages), stream=True)

            def gen() -> ChatResponseGen:
                text = ""
                with http.sync.stream("POST", http.url, json=body, headers=_HEADERS) as response:
                    for delta, event in _deltas(response.iter_lines()):
                        text += delta
                        message = ChatMessage(role="assistant", content=text)
                        yield ChatResponse(message=message, delta=delta, raw=event)

            return gen()

        complete = unsupported
        stream_complete = unsupported
        acomplete = unsupported
        astream_complete = unsupported
        astream_chat = unsupported

        async def bench_aclose(self) -> None:
            await self.http.aclose()

    return HttpxLLM


def li_floor(port: int, retries: int, model: str = MODEL) -> Any:
    return _li_class()(http=_Http(port, model))
