"""Answers that parse but lack what their endpoint must return raise ``InvalidResponseError``.

A gateway or a proxy that answers HTTP 200 with ``{}``, ``{"choices": []}``, a Gemini answer
without candidates, fewer vectors than inputs or an image answer without images must not come
back as an empty answer (``choices=[]``, ``content=''``, a short list of vectors) nor as a
framework's ``IndexError``: every layer raises :class:`yescale.InvalidResponseError` naming what
was missing. The checks sit where the client parses the answer, so the client (sync and async)
and every framework class that uses it get the same error.

Each service here is an ``httpx.MockTransport`` handler that answers every request with one body.
"""

from __future__ import annotations

import base64
import inspect
import json
import struct
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from yescale import YEScaleClient
from yescale.errors import InvalidResponseError

API_KEY = "incomplete-answers-test-key"
USER = [{"role": "user", "content": "Hi"}]
GATEWAY_HINT = "retry, or check base_url"

Handler = Callable[[httpx.Request], httpx.Response]


def answering(body: Any, status: int = 200) -> Handler:
    """A service that answers every request with ``body`` as JSON and records the requests."""
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        request.read()
        seen.append(request)
        return httpx.Response(status, json=body)

    handler.requests = seen  # type: ignore[attr-defined]
    return handler


def http_clients(handler: Handler) -> dict[str, Any]:
    transport = httpx.MockTransport(handler)
    return {
        "sync": httpx.Client(transport=transport),
        "async": httpx.AsyncClient(transport=transport),
    }


def client(handler: Handler) -> YEScaleClient:
    http = http_clients(handler)
    return YEScaleClient(
        api_key=API_KEY,
        access_key=API_KEY,
        http_client=http["sync"],
        async_http_client=http["async"],
        max_retries=0,
    )


def langchain(cls_name: str, handler: Handler, **kw: Any) -> Any:
    import langchain_yescale

    http = http_clients(handler)
    cls = getattr(langchain_yescale, cls_name)
    return cls(
        api_key=API_KEY,
        http_client=http["sync"],
        http_async_client=http["async"],
        max_retries=0,
        **kw,
    )


def llama_index(cls_name: str, handler: Handler, **kw: Any) -> Any:
    import llama_index_yescale

    http = http_clients(handler)
    cls = getattr(llama_index_yescale, cls_name)
    return cls(
        api_key=API_KEY,
        http_client=http["sync"],
        async_http_client=http["async"],
        max_retries=0,
        **kw,
    )


async def run(call: Callable[[], Any]) -> Any:
    """Call ``call``, awaiting what it returns when that is awaitable (the async methods)."""
    result = call()
    return await result if inspect.isawaitable(result) else result


async def raises(call: Callable[[], Any], match: str) -> InvalidResponseError:
    """Check that ``call`` raises ``InvalidResponseError`` matching ``match``, with the hint."""
    with pytest.raises(InvalidResponseError, match=match) as info:
        await run(call)
    assert GATEWAY_HINT in str(info.value)
    return info.value


def _li_messages() -> list[Any]:
    from llama_index.core.base.llms.types import ChatMessage

    return [ChatMessage(role="user", content="Hi")]


# -- chat completions -----------------------------------------------------------------------------

NO_CHOICES = {
    "empty object": {},
    "empty list": {"object": "chat.completion", "choices": []},
    "null": {"id": "chatcmpl-1", "object": "chat.completion", "choices": None},
}
NO_MESSAGE = {
    "choice without message": {
        "object": "chat.completion",
        "choices": [{"index": 0, "finish_reason": "stop"}],
    },
    "choice with null message": {
        "object": "chat.completion",
        "choices": [{"index": 0, "message": None, "finish_reason": "stop"}],
    },
}


#: Each way an application asks for a chat completion, given the service's handler.
CHAT: dict[str, Callable[[Handler], Any]] = {
    "client": lambda h: client(h).chat.create(model="gpt-4o-mini", messages=USER),
    "client.aio": lambda h: client(h).aio.chat.create(model="gpt-4o-mini", messages=USER),
    "ChatYEScale.invoke": lambda h: langchain("ChatYEScale", h, model="gpt-4o-mini").invoke("Hi"),
    "ChatYEScale.ainvoke": lambda h: langchain("ChatYEScale", h, model="gpt-4o-mini").ainvoke("Hi"),
    "YEScale.chat": lambda h: llama_index("YEScale", h, model="gpt-4o-mini").chat(_li_messages()),
    "YEScale.achat": lambda h: llama_index("YEScale", h, model="gpt-4o-mini").achat(_li_messages()),
    "YEScale.complete": lambda h: llama_index("YEScale", h, model="gpt-4o-mini").complete("Hi"),
}


@pytest.mark.parametrize("body", NO_CHOICES.values(), ids=list(NO_CHOICES))
@pytest.mark.parametrize("who", list(CHAT))
async def test_chat_completion_without_choices(who: str, body: dict[str, Any]) -> None:
    handler = answering(body)
    error = await raises(lambda: CHAT[who](handler), "no choices")
    assert "chat completion" in str(error)
    assert "gpt-4o-mini" in str(error)
    assert len(handler.requests) == 1  # type: ignore[attr-defined]


@pytest.mark.parametrize("body", NO_MESSAGE.values(), ids=list(NO_MESSAGE))
@pytest.mark.parametrize("who", list(CHAT))
async def test_chat_choice_without_message(who: str, body: dict[str, Any]) -> None:
    handler = answering(body)
    await raises(lambda: CHAT[who](handler), "choice 0 .*no message")


async def test_chat_answer_with_an_empty_message_is_still_an_answer() -> None:
    """A message whose content is empty (a model may answer nothing) is not a broken answer."""
    body = {
        "object": "chat.completion",
        "choices": [
            {"index": 0, "message": {"role": "assistant", "content": ""}, "finish_reason": "stop"}
        ],
    }
    completion = client(answering(body)).chat.create(model="gpt-4o-mini", messages=USER)
    assert completion.choices[0].message.content == ""


# -- Gemini generateContent -----------------------------------------------------------------------

USAGE = {"promptTokenCount": 3, "candidatesTokenCount": 0, "totalTokenCount": 3}
NO_CANDIDATES = {
    "empty object": {},
    "empty list": {"candidates": [], "usageMetadata": USAGE},
    "null": {"candidates": None, "modelVersion": "gemini-2.5-flash"},
    "feedback without block reason": {"promptFeedback": {"safetyRatings": []}},
}
BLOCKED = {"promptFeedback": {"blockReason": "SAFETY"}, "usageMetadata": USAGE}
GEMINI_MODEL = "gemini-2.5-flash"


#: Each way an application asks Gemini's generateContent for an answer.
GEMINI: dict[str, Callable[[Handler], Any]] = {
    "client.generate_content": lambda h: client(h).gemini.generate_content(
        model=GEMINI_MODEL, contents="Hi"
    ),
    "client.aio.generate_content": lambda h: client(h).aio.gemini.generate_content(
        model=GEMINI_MODEL, contents="Hi"
    ),
    "client.gemini.chat": lambda h: client(h).gemini.chat.create(model=GEMINI_MODEL, messages=USER),
    "client.aio.gemini.chat": lambda h: client(h).aio.gemini.chat.create(
        model=GEMINI_MODEL, messages=USER
    ),
    "ChatYEScaleGemini.invoke": lambda h: langchain(
        "ChatYEScaleGemini", h, model=GEMINI_MODEL
    ).invoke("Hi"),
    "ChatYEScaleGemini.ainvoke": lambda h: langchain(
        "ChatYEScaleGemini", h, model=GEMINI_MODEL
    ).ainvoke("Hi"),
    "YEScaleGemini.chat": lambda h: llama_index("YEScaleGemini", h, model=GEMINI_MODEL).chat(
        _li_messages()
    ),
    "YEScaleGemini.achat": lambda h: llama_index("YEScaleGemini", h, model=GEMINI_MODEL).achat(
        _li_messages()
    ),
}


@pytest.mark.parametrize("body", NO_CANDIDATES.values(), ids=list(NO_CANDIDATES))
@pytest.mark.parametrize("who", list(GEMINI))
async def test_gemini_answer_without_candidates(who: str, body: dict[str, Any]) -> None:
    handler = answering(body)
    error = await raises(lambda: GEMINI[who](handler), "no candidates")
    assert GEMINI_MODEL in str(error)
    assert "blockReason" in str(error)  # says it is not a blocked prompt


@pytest.mark.parametrize("who", list(GEMINI))
async def test_gemini_candidate_without_content_nor_finish_reason(who: str) -> None:
    handler = answering({"candidates": [{"index": 0}], "usageMetadata": USAGE})
    await raises(lambda: GEMINI[who](handler), "candidate 0 .*no content")


async def test_gemini_blocked_prompt_keeps_its_answer() -> None:
    """A blocked prompt (``promptFeedback.blockReason``, no candidates) is an answer: the raw
    response keeps the feedback, chat finishes with ``content_filter``, as before."""
    raw = client(answering(BLOCKED)).gemini.generate_content(model=GEMINI_MODEL, contents="Hi")
    assert raw.prompt_feedback is not None
    assert raw.prompt_feedback.block_reason == "SAFETY"
    assert raw.candidates == []

    chat = await client(answering(BLOCKED)).aio.gemini.chat.create(
        model=GEMINI_MODEL, messages=USER
    )
    assert chat.choices[0].finish_reason == "content_filter"

    message = langchain("ChatYEScaleGemini", answering(BLOCKED), model=GEMINI_MODEL).invoke("Hi")
    assert message.response_metadata["finish_reason"] == "content_filter"

    llm = llama_index("YEScaleGemini", answering(BLOCKED), model=GEMINI_MODEL)
    response = await llm.achat(_li_messages())
    assert response.raw["choices"][0]["finish_reason"] == "content_filter"


async def test_gemini_candidate_cut_before_any_content_is_an_answer() -> None:
    """``MAX_TOKENS`` spent on thinking leaves a candidate with a finish reason and no parts."""
    body = {"candidates": [{"content": {"role": "model"}, "finishReason": "MAX_TOKENS"}]}
    chat = client(answering(body)).gemini.chat.create(model=GEMINI_MODEL, messages=USER)
    assert chat.choices[0].finish_reason == "length"


def _sse(*events: dict[str, Any]) -> bytes:
    return b"".join(f"data: {json.dumps(e)}\r\n\r\n".encode() for e in events)


async def test_gemini_stream_chunks_without_candidates_still_stream() -> None:
    """A stream may carry chunks without candidates (usage only): they are not answers to check."""
    text = {"candidates": [{"content": {"role": "model", "parts": [{"text": "Hello"}]}}]}
    usage_only = {"usageMetadata": USAGE}
    last = {
        "candidates": [
            {"content": {"role": "model", "parts": [{"text": "!"}]}, "finishReason": "STOP"}
        ],
        "usageMetadata": {**USAGE, "candidatesTokenCount": 2, "totalTokenCount": 5},
    }
    body = _sse(usage_only, text, usage_only, last)

    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, content=body, headers={"content-type": "text/event-stream"})

    chunks = list(client(handler).gemini.stream_generate_content(model=GEMINI_MODEL, contents="Hi"))
    assert "".join(c.text for c in chunks) == "Hello!"
    streamed = [
        c async for c in client(handler).aio.gemini.chat.stream(model=GEMINI_MODEL, messages=USER)
    ]
    assert "".join(c.choices[0].delta.content or "" for c in streamed) == "Hello!"
    model = langchain("ChatYEScaleGemini", handler, model=GEMINI_MODEL)
    assert "".join(str(c.content) for c in model.stream("Hi")) == "Hello!"


# -- embeddings -----------------------------------------------------------------------------------

EMBEDDING_MODEL = "text-embedding-3-small"


def _item(index: int | None, vector: Any = None) -> dict[str, Any]:
    value = [0.1, 0.2, 0.3] if vector is None else vector
    item: dict[str, Any] = {"object": "embedding", "embedding": value}
    if index is not None:
        item["index"] = index
    return item


def _embeddings(*items: dict[str, Any]) -> dict[str, Any]:
    return {"object": "list", "model": EMBEDDING_MODEL, "data": list(items)}


#: For two inputs: the answer, and what the error must say.
BAD_EMBEDDINGS = {
    "empty object": ({}, "no embeddings.*2 inputs"),
    "empty data": (_embeddings(), "no embeddings.*2 inputs"),
    "null data": ({"object": "list", "data": None}, "no embeddings.*2 inputs"),
    "fewer": (_embeddings(_item(0)), "1 embedding for 2 inputs"),
    "more": (_embeddings(_item(0), _item(1), _item(2)), "3 embeddings for 2 inputs"),
    "duplicated index": (_embeddings(_item(0), _item(0)), r"indices \[0, 0\]"),
    "index out of range": (_embeddings(_item(0), _item(5)), r"indices \[0, 5\]"),
    "index missing on one": (_embeddings(_item(0), _item(None)), "embedding 1 has no index"),
    "empty vector": (_embeddings(_item(0), _item(1, [])), "embedding 1 is empty"),
}


TWO = ["first text", "second text"]

#: Each way an application embeds two texts.
EMBED: dict[str, Callable[[Handler], Any]] = {
    "client": lambda h: client(h).embeddings.create(model=EMBEDDING_MODEL, input=TWO),
    "client.aio": lambda h: client(h).aio.embeddings.create(model=EMBEDDING_MODEL, input=TWO),
    "YEScaleEmbeddings.embed_documents": lambda h: langchain(
        "YEScaleEmbeddings", h, model=EMBEDDING_MODEL
    ).embed_documents(TWO),
    "YEScaleEmbeddings.aembed_documents": lambda h: langchain(
        "YEScaleEmbeddings", h, model=EMBEDDING_MODEL
    ).aembed_documents(TWO),
    "YEScaleEmbedding.get_text_embedding_batch": lambda h: llama_index(
        "YEScaleEmbedding", h, model_name=EMBEDDING_MODEL
    ).get_text_embedding_batch(TWO),
    "YEScaleEmbedding.aget_text_embedding_batch": lambda h: llama_index(
        "YEScaleEmbedding", h, model_name=EMBEDDING_MODEL
    ).aget_text_embedding_batch(TWO),
}


@pytest.mark.parametrize("case", list(BAD_EMBEDDINGS))
@pytest.mark.parametrize("who", list(EMBED))
async def test_embeddings_answer_that_does_not_match_the_inputs(who: str, case: str) -> None:
    body, match = BAD_EMBEDDINGS[case]
    error = await raises(lambda: EMBED[who](answering(body)), match)
    assert EMBEDDING_MODEL in str(error)


@pytest.mark.parametrize(
    "who",
    [
        "client",
        "YEScaleEmbeddings.embed_query",
        "YEScaleEmbeddings.aembed_query",
        "YEScaleEmbedding.get_query_embedding",
        "YEScaleEmbedding.aget_text_embedding",
    ],
)
async def test_one_text_answered_without_embedding(who: str) -> None:
    handler = answering(_embeddings())
    calls: dict[str, Callable[[], Any]] = {
        "client": lambda: client(handler).embeddings.create(model=EMBEDDING_MODEL, input="hi"),
        "YEScaleEmbeddings.embed_query": lambda: langchain(
            "YEScaleEmbeddings", handler, model=EMBEDDING_MODEL
        ).embed_query("hi"),
        "YEScaleEmbeddings.aembed_query": lambda: langchain(
            "YEScaleEmbeddings", handler, model=EMBEDDING_MODEL
        ).aembed_query("hi"),
        "YEScaleEmbedding.get_query_embedding": lambda: llama_index(
            "YEScaleEmbedding", handler, model_name=EMBEDDING_MODEL
        ).get_query_embedding("hi"),
        "YEScaleEmbedding.aget_text_embedding": lambda: llama_index(
            "YEScaleEmbedding", handler, model_name=EMBEDDING_MODEL
        ).aget_text_embedding("hi"),
    }
    await raises(calls[who], "no embeddings.*1 input")


async def test_embeddings_in_any_order_or_without_indices_are_fine() -> None:
    """Indices in any order, or none at all (list order), are valid answers."""
    shuffled = _embeddings(_item(1, [0.2]), _item(0, [0.1]))
    response = client(answering(shuffled)).embeddings.create(
        model=EMBEDDING_MODEL, input=["a", "b"]
    )
    assert response.vectors() == [[0.1], [0.2]]
    plain = _embeddings(_item(None, [0.1]), _item(None, [0.2]))
    vectors = await langchain(
        "YEScaleEmbeddings", answering(plain), model=EMBEDDING_MODEL
    ).aembed_documents(["a", "b"])
    assert vectors == [[0.1], [0.2]]
    packed = base64.b64encode(struct.pack("<2f", 0.5, 0.25)).decode()
    encoded = _embeddings(_item(0, packed))
    response = client(answering(encoded)).embeddings.create(
        model=EMBEDDING_MODEL, input="a", encoding_format="base64"
    )
    assert response.vectors() == [[0.5, 0.25]]


# -- images ---------------------------------------------------------------------------------------

NO_IMAGES = {
    "empty object": ({}, "no images"),
    "empty data": ({"created": 1, "data": []}, "no images"),
    "null data": ({"created": 1, "data": None}, "no images"),
    "item without image": ({"created": 1, "data": [{"revised_prompt": "x"}]}, "image 1 has no"),
}


@pytest.mark.parametrize("case", list(NO_IMAGES))
@pytest.mark.parametrize("operation", ["generate", "agenerate", "edit", "aedit"])
async def test_image_answer_without_images(operation: str, case: str) -> None:
    body, match = NO_IMAGES[case]
    yes = client(answering(body))
    png = b"\x89PNG\r\n\x1a\n" + b"\x00" * 16
    calls: dict[str, Callable[[], Any]] = {
        "generate": lambda: yes.images.generate(prompt="a red fox", model="gpt-image-1"),
        "agenerate": lambda: yes.aio.images.generate(prompt="a red fox", model="gpt-image-1"),
        "edit": lambda: yes.images.edit(image=png, prompt="make it blue", model="gpt-image-1"),
        "aedit": lambda: yes.aio.images.edit(image=png, prompt="make it blue", model="gpt-image-1"),
    }
    error = await raises(calls[operation], match)
    assert "gpt-image-1" in str(error)


# -- System API -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "kwargs"),
    [
        ("user", {}),
        ("models", {}),
        ("list_api_keys", {}),
        ("tasks", {"start_timestamp": 1, "end_timestamp": 2}),
        ("logs", {}),
    ],
)
@pytest.mark.parametrize("body", [{"success": True, "message": ""}, {}], ids=["success", "empty"])
async def test_system_answer_without_data(method: str, kwargs: dict[str, Any], body: Any) -> None:
    yes = client(answering(body))
    with pytest.raises(InvalidResponseError, match="without 'data'") as info:
        getattr(yes.system, method)(**kwargs)
    assert "system API" in str(info.value)
    with pytest.raises(InvalidResponseError, match="without 'data'"):
        await getattr(yes.aio.system, method)(**kwargs)


async def test_system_user_with_null_data() -> None:
    yes = client(answering({"success": True, "data": None}))
    with pytest.raises(InvalidResponseError, match="no user"):
        yes.system.user()


async def test_system_empty_lists_are_answers() -> None:
    """``data: []`` is a valid empty list; so is ``data: null`` on a list endpoint (a Go gateway
    writes an empty slice that way)."""
    bodies: list[dict[str, Any]] = [{"data": []}, {"success": True, "data": None}]
    for body in bodies:
        yes = client(answering(body))
        assert yes.system.models() == []
        assert await yes.aio.system.list_api_keys() == []
        assert yes.system.tasks(start_timestamp=1, end_timestamp=2) == []


async def test_system_confirmation_without_success() -> None:
    """A delete or a quota edit must be confirmed with ``"success": true``."""
    yes = client(answering({}))
    with pytest.raises(InvalidResponseError, match="no 'success': true to confirm"):
        yes.system.delete_api_key(7)
    with pytest.raises(InvalidResponseError, match="no 'success': true to confirm"):
        await yes.aio.system.edit_api_key_quota(7, remain_quota=10)
    ok = client(answering({"message": "", "success": True})).system.delete_api_key(7)
    assert ok.success is True
