"""The contenders: each one the way a user would call it, all pointed at the local server.

A contender is built lazily by a factory, so a peer that is not installed is reported as skipped
instead of failing the run. Every contender of a measure sends the same request (same messages,
same model name, same batch size) and returns something the runner checks (the answer's text,
the number of chunks, the vectors), so none can win by skipping work.
"""

from __future__ import annotations

import array
import base64
import json
import sys
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from dataclasses import dataclass
from typing import Any

KEY = "bench-key"
MODEL = "bench"
EMBED_MODEL = "text-embedding-3-small"
SYSTEM = "You are a helpful assistant. Answer in one short paragraph."
USER = "In one paragraph: what does a benchmark of an API client measure?"
#: inputs per embeddings request, for every contender
EMBED_BATCH = 1000

FLOOR = "floor"
#: a framework's base class over raw httpx (benchmarks/floors.py): what its machinery costs
FRAMEWORK = "framework floor"
OURS = "ours"
PEER = "peer"
LC_FLOOR = "LangChain floor (BaseChatModel + httpx)"
LI_FLOOR = "LlamaIndex floor (LLM + httpx)"


@dataclass
class Contender:
    name: str
    side: str  # FLOOR, OURS or PEER
    build: Callable[[int, int], Any]  # (port, max_retries) -> the callable that is measured
    #: the contender this one is compared with in the ratios
    versus: str | None = None


def root(port: int) -> str:
    return f"http://127.0.0.1:{port}"


def v1(port: int) -> str:
    return f"http://127.0.0.1:{port}/v1"


def wire_messages() -> list[dict[str, str]]:
    return [{"role": "system", "content": SYSTEM}, {"role": "user", "content": USER}]


def lc_messages() -> list[Any]:
    from langchain_core.messages import HumanMessage, SystemMessage

    return [SystemMessage(SYSTEM), HumanMessage(USER)]


def li_messages() -> list[Any]:
    from llama_index.core.llms import ChatMessage

    return [ChatMessage(role="system", content=SYSTEM), ChatMessage(role="user", content=USER)]


# -- model objects ------------------------------------------------------------------------------


def yescale_client(port: int, retries: int) -> Any:
    from yescale import YEScaleClient

    return YEScaleClient(api_key=KEY, base_url=root(port), max_retries=retries)


def openai_client(port: int, retries: int) -> Any:
    import openai

    return openai.OpenAI(api_key=KEY, base_url=v1(port), max_retries=retries)


def async_openai_client(port: int, retries: int) -> Any:
    import openai

    return openai.AsyncOpenAI(api_key=KEY, base_url=v1(port), max_retries=retries)


def chat_yescale(port: int, retries: int, model: str = MODEL) -> Any:
    from langchain_yescale import ChatYEScale

    return ChatYEScale(model=model, api_key=KEY, base_url=root(port), max_retries=retries)


def chat_openai(port: int, retries: int, model: str = MODEL) -> Any:
    from langchain_openai import ChatOpenAI

    return ChatOpenAI(
        model=model, api_key=KEY, base_url=v1(port), max_retries=retries, stream_usage=True
    )


def li_yescale(port: int, retries: int, model: str = MODEL) -> Any:
    from llama_index_yescale import YEScale

    return YEScale(
        model=model, api_key=KEY, base_url=root(port), max_retries=retries, context_window=128_000
    )


def li_openai_like(port: int, retries: int, model: str = MODEL) -> Any:
    from llama_index.llms.openai_like import OpenAILike

    return OpenAILike(
        model=model,
        api_key=KEY,
        api_base=v1(port),
        max_retries=retries,
        is_chat_model=True,
        context_window=128_000,
    )


def lc_floor(port: int, retries: int, model: str = MODEL) -> Any:
    from benchmarks.floors import lc_floor

    return lc_floor(port, retries, model)


def li_floor(port: int, retries: int, model: str = MODEL) -> Any:
    from benchmarks.floors import li_floor

    return li_floor(port, retries, model)


def _text(value: Any) -> str:
    """The answer text of whatever a contender returns."""
    if isinstance(value, dict):
        return str(value["choices"][0]["message"]["content"])
    if hasattr(value, "choices"):  # client / SDK objects
        return str(value.choices[0].message.content)
    if hasattr(value, "message"):  # LlamaIndex ChatResponse
        return str(value.message.content)
    return str(value.content)  # LangChain AIMessage


# -- chat: one non-streaming call ---------------------------------------------------------------


def _httpx_chat(port: int, retries: int) -> Callable[[], str]:
    import httpx

    client = httpx.Client(timeout=60)
    url = v1(port) + "/chat/completions"
    headers = {"Authorization": f"Bearer {KEY}"}
    body = {"model": MODEL, "messages": wire_messages()}
    return lambda: _text(client.post(url, json=body, headers=headers).json())


def _client_chat(port: int, retries: int) -> Callable[[], str]:
    client = yescale_client(port, retries)
    messages = wire_messages()
    return lambda: _text(client.chat.create(model=MODEL, messages=messages))


def _sdk_chat(port: int, retries: int) -> Callable[[], str]:
    client = openai_client(port, retries)
    messages = wire_messages()
    return lambda: _text(client.chat.completions.create(model=MODEL, messages=messages))


def _lc_chat(factory: Callable[..., Any]) -> Callable[[int, int], Callable[[], str]]:
    def build(port: int, retries: int) -> Callable[[], str]:
        llm = factory(port, retries)
        messages = lc_messages()
        return lambda: _text(llm.invoke(messages))

    return build


def _li_chat(factory: Callable[..., Any]) -> Callable[[int, int], Callable[[], str]]:
    def build(port: int, retries: int) -> Callable[[], str]:
        llm = factory(port, retries)
        messages = li_messages()
        return lambda: _text(llm.chat(messages))

    return build


CHAT = [
    Contender("httpx (floor)", FLOOR, _httpx_chat),
    Contender("YEScaleClient", OURS, _client_chat, versus="openai SDK"),
    Contender("openai SDK", PEER, _sdk_chat),
    Contender(LC_FLOOR, FRAMEWORK, _lc_chat(lc_floor)),
    Contender("ChatYEScale", OURS, _lc_chat(chat_yescale), versus="ChatOpenAI"),
    Contender("ChatOpenAI", PEER, _lc_chat(chat_openai)),
    Contender(LI_FLOOR, FRAMEWORK, _li_chat(li_floor)),
    Contender("YEScale (LlamaIndex)", OURS, _li_chat(li_yescale), versus="OpenAILike"),
    Contender("OpenAILike", PEER, _li_chat(li_openai_like)),
]


# -- streaming ----------------------------------------------------------------------------------

StreamFn = Callable[[], Iterator[Any]]


def _httpx_stream(port: int, retries: int, model: str = MODEL) -> StreamFn:
    import httpx

    client = httpx.Client(timeout=120)
    url = v1(port) + "/chat/completions"
    headers = {"Authorization": f"Bearer {KEY}"}
    body = {
        "model": model,
        "messages": wire_messages(),
        "stream": True,
        "stream_options": {"include_usage": True},
    }

    def stream() -> Iterator[Any]:
        with client.stream("POST", url, json=body, headers=headers) as response:
            for line in response.iter_lines():
                if line.startswith("data: "):
                    data = line[6:]
                    if data == "[DONE]":
                        return
                    yield json.loads(data)

    return stream


def _client_stream(port: int, retries: int, model: str = MODEL) -> StreamFn:
    client = yescale_client(port, retries)
    messages = wire_messages()
    return lambda: client.chat.stream(model=model, messages=messages)


def _sdk_stream(port: int, retries: int, model: str = MODEL) -> StreamFn:
    client = openai_client(port, retries)
    messages = wire_messages()

    def stream() -> Iterator[Any]:
        return iter(
            client.chat.completions.create(
                model=model,
                messages=messages,
                stream=True,
                stream_options={"include_usage": True},
            )
        )

    return stream


def _lc_stream(factory: Callable[..., Any]) -> Callable[..., StreamFn]:
    def build(port: int, retries: int, model: str = MODEL) -> StreamFn:
        llm = factory(port, retries, model)
        messages = lc_messages()
        return lambda: llm.stream(messages)

    return build


def _li_stream(factory: Callable[..., Any]) -> Callable[..., StreamFn]:
    def build(port: int, retries: int, model: str = MODEL) -> StreamFn:
        llm = factory(port, retries, model)
        messages = li_messages()
        return lambda: llm.stream_chat(messages)

    return build


def _lc_inner_stream(port: int, retries: int, model: str = MODEL) -> StreamFn:
    """``ChatYEScale._stream``: our generator without langchain-core's ``stream`` around it
    (which keeps every chunk of a stream for its end-of-run callback)."""
    llm = chat_yescale(port, retries, model)
    messages = lc_messages()
    return lambda: llm._stream(messages)


STREAM = [
    Contender("httpx (floor)", FLOOR, _httpx_stream),
    Contender("YEScaleClient", OURS, _client_stream, versus="openai SDK"),
    Contender("openai SDK", PEER, _sdk_stream),
    Contender(LC_FLOOR, FRAMEWORK, _lc_stream(lc_floor)),
    Contender("ChatYEScale", OURS, _lc_stream(chat_yescale), versus="ChatOpenAI"),
    Contender("ChatOpenAI", PEER, _lc_stream(chat_openai)),
    Contender(LI_FLOOR, FRAMEWORK, _li_stream(li_floor)),
    Contender("YEScale (LlamaIndex)", OURS, _li_stream(li_yescale), versus="OpenAILike"),
    Contender("OpenAILike", PEER, _li_stream(li_openai_like)),
]

#: for the memory measure (run in child processes, by name)
MEMORY = {
    **{c.name: c for c in STREAM},
    "ChatYEScale._stream": Contender("ChatYEScale._stream", OURS, _lc_inner_stream),
}


# -- concurrency: many async calls at once ------------------------------------------------------

AsyncFn = Callable[[], Awaitable[str]]


@dataclass
class AsyncCase:
    """One async call, and how to close the connection pool it used."""

    call: AsyncFn
    aclose: Callable[[], Awaitable[None]]


def fresh_pools() -> None:
    """Forget the process-wide connection pools of ours and of langchain-openai, so the next
    objects start from new pools, as in a new process (the old ones are closed by their cases).
    Only modules already imported are touched.
    """
    client = sys.modules.get("yescale._client")
    if client is not None:
        with client.YEScaleClient._shared_lock:
            client.YEScaleClient._shared.clear()
    utils = sys.modules.get("langchain_openai.chat_models._client_utils")
    if utils is not None:
        utils._cached_async_httpx_client.cache_clear()
        utils._cached_sync_httpx_client.cache_clear()


def _httpx_async(port: int, retries: int) -> AsyncCase:
    import httpx

    limits = httpx.Limits(max_connections=1000, max_keepalive_connections=1000)
    client = httpx.AsyncClient(timeout=60, limits=limits)
    url = v1(port) + "/chat/completions"
    headers = {"Authorization": f"Bearer {KEY}"}
    body = {"model": MODEL, "messages": wire_messages()}

    async def call() -> str:
        response = await client.post(url, json=body, headers=headers)
        response.raise_for_status()
        return _text(response.json())

    return AsyncCase(call, client.aclose)


def _client_async(port: int, retries: int) -> AsyncCase:
    client = yescale_client(port, retries)
    messages = wire_messages()

    async def call() -> str:
        return _text(await client.aio.chat.create(model=MODEL, messages=messages))

    return AsyncCase(call, client.aclose)


def _sdk_async(port: int, retries: int) -> AsyncCase:
    client = async_openai_client(port, retries)
    messages = wire_messages()

    async def call() -> str:
        return _text(await client.chat.completions.create(model=MODEL, messages=messages))

    return AsyncCase(call, client.close)


def _lc_async(factory: Callable[..., Any]) -> Callable[[int, int], AsyncCase]:
    def build(port: int, retries: int) -> AsyncCase:
        llm = factory(port, retries)
        messages = lc_messages()

        async def call() -> str:
            return _text(await llm.ainvoke(messages))

        async def aclose() -> None:
            if hasattr(llm, "bench_aclose"):  # the framework floor
                await llm.bench_aclose()
            elif hasattr(llm, "root_async_client"):  # ChatOpenAI
                await llm.root_async_client.close()
            else:
                await llm.client.aclose()

        return AsyncCase(call, aclose)

    return build


def _li_async(factory: Callable[..., Any]) -> Callable[[int, int], AsyncCase]:
    def build(port: int, retries: int) -> AsyncCase:
        llm = factory(port, retries)
        messages = li_messages()

        async def call() -> str:
            return _text(await llm.achat(messages))

        async def aclose() -> None:
            if hasattr(llm, "bench_aclose"):  # the framework floor
                await llm.bench_aclose()
            elif hasattr(llm, "_get_aclient"):  # OpenAILike
                await llm._get_aclient().close()
            else:
                await llm.client.aclose()

        return AsyncCase(call, aclose)

    return build


CONCURRENT = [
    Contender("httpx (floor)", FLOOR, _httpx_async),
    Contender("YEScaleClient", OURS, _client_async, versus="openai SDK"),
    Contender("openai SDK", PEER, _sdk_async),
    Contender(LC_FLOOR, FRAMEWORK, _lc_async(lc_floor)),
    Contender("ChatYEScale", OURS, _lc_async(chat_yescale), versus="ChatOpenAI"),
    Contender("ChatOpenAI", PEER, _lc_async(chat_openai)),
    Contender(LI_FLOOR, FRAMEWORK, _li_async(li_floor)),
    Contender("YEScale (LlamaIndex)", OURS, _li_async(li_yescale), versus="OpenAILike"),
    Contender("OpenAILike", PEER, _li_async(li_openai_like)),
]


# -- embeddings ---------------------------------------------------------------------------------

EmbedFn = Callable[[list[str]], list[list[float]]]
AEmbedFn = Callable[[list[str]], Awaitable[list[list[float]]]]


def _decode(item: dict[str, Any]) -> list[float]:
    return array.array("f", base64.b64decode(item["embedding"])).tolist()


def _httpx_embed(port: int, retries: int) -> EmbedFn:
    """One request after the other, base64 answers decoded with ``array``: the floor of the
    work (not of the wall time: a client may overlap requests)."""
    import httpx

    client = httpx.Client(timeout=120)
    url = v1(port) + "/embeddings"
    headers = {"Authorization": f"Bearer {KEY}"}

    def embed(texts: list[str]) -> list[list[float]]:
        out: list[list[float]] = []
        for i in range(0, len(texts), EMBED_BATCH):
            body = {
                "model": EMBED_MODEL,
                "input": texts[i : i + EMBED_BATCH],
                "encoding_format": "base64",
            }
            response = client.post(url, json=body, headers=headers)
            response.raise_for_status()
            data = sorted(response.json()["data"], key=lambda item: item["index"])
            out.extend(_decode(item) for item in data)
        return out

    return embed


def _httpx_aembed(port: int, retries: int) -> AEmbedFn:
    import httpx

    url = v1(port) + "/embeddings"
    headers = {"Authorization": f"Bearer {KEY}"}
    holder: dict[str, Any] = {}

    async def embed(texts: list[str]) -> list[list[float]]:
        client = holder.get("client")
        if client is None:
            client = holder["client"] = httpx.AsyncClient(timeout=120)
        out: list[list[float]] = []
        for i in range(0, len(texts), EMBED_BATCH):
            body = {
                "model": EMBED_MODEL,
                "input": texts[i : i + EMBED_BATCH],
                "encoding_format": "base64",
            }
            response = await client.post(url, json=body, headers=headers)
            response.raise_for_status()
            data = sorted(response.json()["data"], key=lambda item: item["index"])
            out.extend(_decode(item) for item in data)
        return out

    return embed


def lc_yescale_embeddings(port: int, retries: int) -> Any:
    from langchain_yescale import YEScaleEmbeddings

    return YEScaleEmbeddings(
        model=EMBED_MODEL,
        api_key=KEY,
        base_url=root(port),
        chunk_size=EMBED_BATCH,
        max_retries=retries,
    )


def lc_openai_embeddings(port: int, retries: int) -> Any:
    from langchain_openai import OpenAIEmbeddings

    # check_embedding_ctx_length=False: send texts as they are (the default tokenizes them with
    # tiktoken first, which downloads its tables; our class does not tokenize either).
    return OpenAIEmbeddings(
        model=EMBED_MODEL,
        api_key=KEY,
        base_url=v1(port),
        chunk_size=EMBED_BATCH,
        check_embedding_ctx_length=False,
        max_retries=retries,
    )


def li_yescale_embedding(port: int, retries: int) -> Any:
    from llama_index_yescale import YEScaleEmbedding

    # LlamaIndex hands the class embed_batch_size texts at a time; the class sends them
    # request_batch_size per request: 2 x 1000, so every request carries 1000 inputs.
    return YEScaleEmbedding(
        model_name=EMBED_MODEL,
        api_key=KEY,
        base_url=root(port),
        embed_batch_size=2 * EMBED_BATCH,
        request_batch_size=EMBED_BATCH,
        max_retries=retries,
    )


def li_openai_embedding(port: int, retries: int) -> Any:
    from llama_index.embeddings.openai import OpenAIEmbedding

    return OpenAIEmbedding(
        model=EMBED_MODEL,
        api_key=KEY,
        api_base=v1(port),
        embed_batch_size=EMBED_BATCH,
        max_retries=retries,
    )


def _lc_embed(factory: Callable[[int, int], Any]) -> Callable[[int, int], EmbedFn]:
    def build(port: int, retries: int) -> EmbedFn:
        embeddings = factory(port, retries)
        return lambda texts: embeddings.embed_documents(texts)

    return build


def _lc_aembed(factory: Callable[[int, int], Any]) -> Callable[[int, int], AEmbedFn]:
    def build(port: int, retries: int) -> AEmbedFn:
        embeddings = factory(port, retries)
        return lambda texts: embeddings.aembed_documents(texts)

    return build


def _li_embed(factory: Callable[[int, int], Any]) -> Callable[[int, int], EmbedFn]:
    def build(port: int, retries: int) -> EmbedFn:
        model = factory(port, retries)
        return lambda texts: model.get_text_embedding_batch(texts)

    return build


def _li_aembed(factory: Callable[[int, int], Any]) -> Callable[[int, int], AEmbedFn]:
    def build(port: int, retries: int) -> AEmbedFn:
        model = factory(port, retries)
        return lambda texts: model.aget_text_embedding_batch(texts)

    return build


EMBED = [
    Contender("httpx (floor, sequential)", FLOOR, _httpx_embed),
    Contender("YEScaleEmbeddings", OURS, _lc_embed(lc_yescale_embeddings), "OpenAIEmbeddings"),
    Contender("OpenAIEmbeddings", PEER, _lc_embed(lc_openai_embeddings)),
    Contender(
        "YEScaleEmbedding (LlamaIndex)", OURS, _li_embed(li_yescale_embedding), "OpenAIEmbedding"
    ),
    Contender("OpenAIEmbedding", PEER, _li_embed(li_openai_embedding)),
]

AEMBED = [
    Contender("httpx (floor, sequential)", FLOOR, _httpx_aembed),
    Contender("YEScaleEmbeddings", OURS, _lc_aembed(lc_yescale_embeddings), "OpenAIEmbeddings"),
    Contender("OpenAIEmbeddings", PEER, _lc_aembed(lc_openai_embeddings)),
    Contender(
        "YEScaleEmbedding (LlamaIndex)", OURS, _li_aembed(li_yescale_embedding), "OpenAIEmbedding"
    ),
    Contender("OpenAIEmbedding", PEER, _li_aembed(li_openai_embedding)),
]


async def drain(iterator: AsyncIterator[Any]) -> int:
    """Count the items of an async iterator."""
    n = 0
    async for _ in iterator:
        n += 1
    return n
