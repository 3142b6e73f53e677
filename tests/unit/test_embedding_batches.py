"""The shared embedding batching routine (``yescale.embedding_batches``) over httpx.MockTransport.

Order, splitting, halving, bounded concurrency (sync threads and async tasks), empty strings,
duplicates, base64, bad input; and the two framework classes that only convert around it.
No timing assertions: concurrency is proven by counting requests in flight.
"""

from __future__ import annotations

import asyncio
import base64
import copy
import hashlib
import json
import pickle
import struct
import threading
from collections.abc import Awaitable, Callable
from typing import Any

import httpx
import pytest

from yescale import (
    AuthenticationError,
    BadRequestError,
    ContextLengthExceededError,
    InvalidRequestError,
    InvalidResponseError,
    YEScaleClient,
)
from yescale import embedding_batches as eb
from yescale.types import EmbeddingResponse

from .conftest import API_KEY, make_client, never_called

MODEL = "text-embedding-3-small"


def vector_for(text: str, size: int = 4) -> list[float]:
    """The test service's vector for ``text``: exact in float32 (multiples of 1/256)."""
    digest = hashlib.sha256(text.encode()).digest()
    return [b / 256 for b in digest[:size]]


def inputs_of(request: httpx.Request) -> list[str]:
    body = json.loads(request.content)
    value = body["input"]
    return [value] if isinstance(value, str) else list(value)


def answer(request: httpx.Request, *, size: int = 4) -> httpx.Response:
    """An OpenAI embeddings answer listing the items out of order (rotated, then reversed)."""
    body = json.loads(request.content)
    size = int(body.get("dimensions") or size)
    texts = inputs_of(request)
    data = []
    for index, text in enumerate(texts):
        vector = vector_for(text, size)
        embedding: Any = vector
        if body.get("encoding_format") == "base64":
            embedding = base64.b64encode(struct.pack(f"<{size}f", *vector)).decode()
        data.append({"object": "embedding", "index": index, "embedding": embedding})
    shuffled = (data[1:] + data[:1])[::-1]
    return httpx.Response(200, json={"object": "list", "data": shuffled, "model": body["model"]})


def error(message: str, status: int = 400, code: str | None = None) -> httpx.Response:
    payload = {"message": message, "type": "invalid_request_error", "param": None, "code": code}
    return httpx.Response(status, json={"error": payload})


class Requests:
    """A thread-safe sync handler that records every request's inputs and answers them."""

    def __init__(self, respond: Callable[[httpx.Request], httpx.Response] = answer) -> None:
        self.respond = respond
        self.sent: list[list[str]] = []
        self.bodies: list[dict[str, Any]] = []
        self.lock = threading.Lock()

    def __call__(self, request: httpx.Request) -> httpx.Response:
        with self.lock:
            self.sent.append(inputs_of(request))
            self.bodies.append(json.loads(request.content))
        return self.respond(request)


def texts(n: int, prefix: str = "text") -> list[str]:
    return [f"{prefix} {i}" for i in range(n)]


# -- planning ------------------------------------------------------------------------------------


def test_plan_splits_by_chunk_size() -> None:
    batches = eb.plan(texts(25), chunk_size=10)
    assert [len(b) for b in batches.batches] == [10, 10, 5]
    assert [i for b in batches.batches for i in b] == list(range(25))


def test_plan_splits_by_estimated_tokens() -> None:
    long = [f"{i:03d}" + "x" * 297 for i in range(6)]  # 300 bytes: an estimated 101 tokens each
    assert eb.estimate_tokens(long[0]) == 101
    batches = eb.plan(long, chunk_size=1000, max_batch_tokens=250)
    assert [len(b) for b in batches.batches] == [2, 2, 2]
    # Non-ASCII text costs more: one CJK character is about one token.
    assert eb.estimate_tokens("漢字" * 50) > eb.estimate_tokens("ab" * 50)


def test_plan_caps_chunk_size_at_the_model_limit() -> None:
    assert eb.max_inputs_per_request("text-embedding-3-small") == 2048
    assert eb.max_inputs_per_request("gemini-embedding-001") == 100
    assert eb.max_inputs_per_request("models/text-embedding-004") == 100
    batches = eb.plan(texts(250), chunk_size=1000, max_inputs=100)
    assert [len(b) for b in batches.batches] == [100, 100, 50]


def test_gemini_model_is_sent_at_most_100_inputs_per_request() -> None:
    seen = Requests()
    with make_client(seen) as client:
        vectors = eb.embed(client.embeddings, texts(250), model="gemini-embedding-001")
    assert sorted(len(s) for s in seen.sent) == [50, 100, 100]
    assert vectors == [vector_for(t) for t in texts(250)]


def test_duplicates_are_sent_once() -> None:
    seen = Requests()
    inputs = ["alpha", "beta", "alpha", "gamma", "beta"]
    with make_client(seen) as client:
        vectors = eb.embed(client.embeddings, inputs, model=MODEL)
    assert seen.sent == [["alpha", "beta", "gamma"]]
    assert vectors == [vector_for(t) for t in inputs]
    assert vectors[0] == vectors[2]
    assert vectors[1] == vectors[4]


# -- order ---------------------------------------------------------------------------------------


def test_order_across_batches_sync_threads() -> None:
    """Batches finish in reverse order and answers list items out of order: vectors stay put."""
    corpus = texts(40)
    finished: list[str] = []
    last_done = threading.Event()

    def respond(request: httpx.Request) -> httpx.Response:
        sent = inputs_of(request)
        if sent[0] == corpus[0]:
            assert last_done.wait(timeout=10), "the last batch never ran alongside the first"
        response = answer(request)
        finished.append(sent[0])
        if sent[-1] == corpus[-1]:
            last_done.set()
        return response

    with make_client(respond) as client:
        vectors = eb.embed(client.embeddings, corpus, model=MODEL, chunk_size=10, max_concurrency=4)
    assert len(finished) == 4
    assert finished[-1] == corpus[0]  # the first batch came back last
    assert vectors == [vector_for(t) for t in corpus]


async def test_order_across_batches_async() -> None:
    corpus = texts(40)
    finished: list[str] = []
    last_done = asyncio.Event()

    async def respond(request: httpx.Request) -> httpx.Response:
        sent = inputs_of(request)
        if sent[0] == corpus[0]:
            await last_done.wait()
        finished.append(sent[0])
        if sent[-1] == corpus[-1]:
            last_done.set()
        return answer(request)

    async with async_client(respond) as client:
        vectors = await eb.aembed(
            client.aio.embeddings, corpus, model=MODEL, chunk_size=10, max_concurrency=4
        )
    assert finished[-1] == corpus[0]  # the first batch came back last
    assert vectors == [vector_for(t) for t in corpus]


def test_response_vectors_sorted_by_index() -> None:
    response = EmbeddingResponse.model_validate(
        {
            "data": [
                {"index": 2, "embedding": [2.0]},
                {"index": 0, "embedding": [0.0]},
                {"index": 1, "embedding": [1.0]},
            ]
        }
    )
    assert response.vectors() == [[0.0], [1.0], [2.0]]


def test_response_without_indices_keeps_list_order() -> None:
    response = EmbeddingResponse.model_validate(
        {"data": [{"embedding": [5.0]}, {"embedding": [6.0]}]}
    )
    assert response.vectors() == [[5.0], [6.0]]


@pytest.mark.parametrize("indices", [[0, 0], [0, 2], [1, 2]])
def test_response_with_bad_indices_is_refused(indices: list[int]) -> None:
    response = EmbeddingResponse.model_validate(
        {"data": [{"index": i, "embedding": [float(i)]} for i in indices]}
    )
    with pytest.raises(InvalidResponseError, match="indices"):
        response.vectors()


def test_answer_with_too_few_vectors_is_refused() -> None:
    def short(request: httpx.Request) -> httpx.Response:
        data = [{"index": 0, "embedding": [0.5]}]
        return httpx.Response(200, json={"object": "list", "data": data})

    with (
        make_client(short) as client,
        pytest.raises(InvalidResponseError, match="1 embedding for 2 inputs"),
    ):
        eb.embed(client.embeddings, ["a", "b"], model=MODEL)


# -- halving a batch rejected as too large -------------------------------------------------------


def too_many_tokens(limit: int) -> Callable[[httpx.Request], httpx.Response]:
    """A service that refuses a request holding more than ``limit`` inputs, as OpenAI does."""

    def respond(request: httpx.Request) -> httpx.Response:
        if len(inputs_of(request)) > limit:
            return error(
                "Requested 312000 tokens, max 300000 tokens per request",
                code="max_tokens_per_request",
            )
        return answer(request)

    return respond


def test_batch_rejected_for_size_is_split_in_half_and_retried() -> None:
    seen = Requests(too_many_tokens(3))
    corpus = texts(10)
    with make_client(seen) as client:
        vectors = eb.embed(client.embeddings, corpus, model=MODEL, chunk_size=10)
    assert [len(s) for s in seen.sent] == [10, 5, 2, 3, 5, 2, 3]
    assert vectors == [vector_for(t) for t in corpus]


async def test_batch_rejected_for_size_is_split_in_half_and_retried_async() -> None:
    seen = Requests(too_many_tokens(3))
    corpus = texts(10)
    async with make_client(seen) as client:
        vectors = await eb.aembed(client.aio.embeddings, corpus, model=MODEL, chunk_size=10)
    assert sorted(len(s) for s in seen.sent) == [2, 2, 3, 3, 5, 5, 10]
    assert vectors == [vector_for(t) for t in corpus]


def test_413_is_split_too() -> None:
    def respond(request: httpx.Request) -> httpx.Response:
        if len(inputs_of(request)) > 2:
            return httpx.Response(413, text="<html><title>413 Request Entity Too Large</title>")
        return answer(request)

    seen = Requests(respond)
    with make_client(seen) as client:
        vectors = eb.embed(client.embeddings, texts(4), model=MODEL)
    assert [len(s) for s in seen.sent] == [4, 2, 2]
    assert vectors == [vector_for(t) for t in texts(4)]


def context_length(request: httpx.Request) -> httpx.Response:
    if any("LONG" in t for t in inputs_of(request)):
        return error(
            "This model's maximum context length is 8192 tokens, however you requested 9000 "
            "tokens in your input.",
            code="context_length_exceeded",
        )
    return answer(request)


def test_single_text_too_long_raises_naming_its_position() -> None:
    seen = Requests(context_length)
    corpus = ["short a", "short b", "LONG " + "word " * 50, "short c"]
    with make_client(seen) as client, pytest.raises(ContextLengthExceededError) as info:
        eb.embed(client.embeddings, corpus, model=MODEL)
    message = str(info.value)
    assert "maximum context length" in message
    assert "text 2 " in message
    assert "too long for text-embedding-3-small on its own" in message
    assert [len(s) for s in seen.sent] == [4, 2, 2, 1]  # halved down to the culprit, then stop


async def test_single_text_too_long_raises_naming_its_position_async() -> None:
    seen = Requests(context_length)
    corpus = ["LONG text", "short b", "short c", "LONG text", "short d"]
    async with make_client(seen) as client:
        with pytest.raises(ContextLengthExceededError, match=r"text 0, 3 "):
            await eb.aembed(client.aio.embeddings, corpus, model=MODEL)


@pytest.mark.parametrize(
    "message",
    [
        "Invalid model: no such model",
        "dimensions must be at most 3072 for this model",
        "This model does not support specifying dimensions.",
    ],
)
def test_other_bad_requests_are_not_split(message: str) -> None:
    seen = Requests(lambda request: error(message))
    with make_client(seen) as client, pytest.raises(BadRequestError, match=message[:20]):
        eb.embed(client.embeddings, texts(8), model=MODEL)
    assert len(seen.sent) == 1


def test_request_id_does_not_make_an_error_look_like_a_size_error() -> None:
    def respond(request: httpx.Request) -> httpx.Response:
        response = error("Invalid model: nope")
        response.headers["x-request-id"] = "req-413-too-large-maximum"
        return response

    seen = Requests(respond)
    with make_client(seen) as client, pytest.raises(BadRequestError, match="req-413"):
        eb.embed(client.embeddings, texts(8), model=MODEL)
    assert len(seen.sent) == 1


# -- concurrency ---------------------------------------------------------------------------------


class InFlight:
    """Counts requests in flight and records the peak."""

    def __init__(self) -> None:
        self.now = 0
        self.peak = 0
        self.total = 0
        self.lock = threading.Lock()

    def enter(self) -> int:
        with self.lock:
            self.now += 1
            self.total += 1
            self.peak = max(self.peak, self.now)
            return self.total

    def leave(self) -> None:
        with self.lock:
            self.now -= 1


def async_gate_handler(
    counter: InFlight, limit: int
) -> Callable[[httpx.Request], Awaitable[httpx.Response]]:
    """The first ``limit`` requests wait until ``limit`` are in flight together (so a serial run
    never finishes); then every task gets turns to start more, which the peak would show."""
    full = asyncio.Event()

    async def respond(request: httpx.Request) -> httpx.Response:
        number = counter.enter()
        try:
            if counter.now >= limit:
                for _ in range(20):  # let any request over the limit start now
                    await asyncio.sleep(0)
                full.set()
            if number <= limit:
                await asyncio.wait_for(full.wait(), timeout=10)
            for _ in range(3):
                await asyncio.sleep(0)
            return answer(request)
        finally:
            counter.leave()

    return respond


def async_client(handler: Any) -> YEScaleClient:
    return YEScaleClient(
        api_key=API_KEY, async_http_client=httpx.AsyncClient(transport=httpx.MockTransport(handler))
    )


async def test_async_concurrency_limit_is_respected() -> None:
    counter = InFlight()
    corpus = texts(200)
    async with async_client(async_gate_handler(counter, 4)) as client:
        vectors = await eb.aembed(
            client.aio.embeddings, corpus, model=MODEL, chunk_size=10, max_concurrency=4
        )
    assert counter.total == 20
    assert counter.peak == 4  # 20 batches ran 4 at a time, never more, never serially
    assert vectors == [vector_for(t) for t in corpus]


async def test_async_default_runs_batches_concurrently() -> None:
    """Without a limit from the caller, the async path keeps up to 32 requests in flight (tasks
    cost no thread), never more."""
    counter = InFlight()
    limit = eb.DEFAULT_ASYNC_MAX_CONCURRENCY
    async with async_client(async_gate_handler(counter, limit)) as client:
        await eb.aembed(client.aio.embeddings, texts(400), model=MODEL, chunk_size=10)
    assert eb.DEFAULT_MAX_CONCURRENCY == 8
    assert limit == 32
    assert counter.total == 40
    assert counter.peak == limit


async def test_shared_limit_bounds_concurrent_calls_together() -> None:
    counter = InFlight()
    limit = eb.ConcurrencyLimit(3)
    async with async_client(async_gate_handler(counter, 3)) as client:
        first, second = await asyncio.gather(
            eb.aembed(
                client.aio.embeddings, texts(50, "a"), model=MODEL, chunk_size=5, limit=limit
            ),
            eb.aembed(
                client.aio.embeddings, texts(50, "b"), model=MODEL, chunk_size=5, limit=limit
            ),
        )
    assert counter.total == 20
    assert counter.peak == 3
    assert first == [vector_for(t) for t in texts(50, "a")]
    assert second == [vector_for(t) for t in texts(50, "b")]


def test_sync_thread_concurrency_limit_is_respected() -> None:
    counter = InFlight()
    limit = 4
    wave = threading.Barrier(limit, timeout=10)
    over_limit = threading.Event()

    def respond(request: httpx.Request) -> httpx.Response:
        number = counter.enter()
        try:
            if number <= limit:
                wave.wait()  # the first 4 meet here: they are in flight together
                # Hold them a moment: a 5th request, if the pool allowed one, would start now
                # (a grace period for the failure case, not a timing assertion).
                over_limit.wait(timeout=0.2)
            elif counter.now > limit:
                over_limit.set()
            return answer(request)
        finally:
            counter.leave()

    corpus = texts(200)
    with make_client(respond) as client:
        vectors = eb.embed(
            client.embeddings, corpus, model=MODEL, chunk_size=10, max_concurrency=limit
        )
    assert counter.total == 20
    assert counter.peak == limit
    assert vectors == [vector_for(t) for t in corpus]


def test_sync_max_concurrency_one_is_serial() -> None:
    counter = InFlight()

    def respond(request: httpx.Request) -> httpx.Response:
        counter.enter()
        try:
            return answer(request)
        finally:
            counter.leave()

    with make_client(respond) as client:
        eb.embed(client.embeddings, texts(30), model=MODEL, chunk_size=10, max_concurrency=1)
    assert (counter.total, counter.peak) == (3, 1)


def test_first_failure_stops_the_job() -> None:
    seen = Requests(lambda request: error("Invalid token", 401))
    with make_client(seen) as client, pytest.raises(AuthenticationError):
        eb.embed(client.embeddings, texts(50), model=MODEL, chunk_size=10, max_concurrency=1)
    assert len(seen.sent) == 1


async def test_first_failure_cancels_the_other_async_batches() -> None:
    started: list[str] = []
    release = asyncio.Event()

    async def respond(request: httpx.Request) -> httpx.Response:
        first = inputs_of(request)[0]
        started.append(first)
        if first == "text 0":
            return error("Invalid token", 401)
        await release.wait()  # never set: these requests are cancelled
        return answer(request)

    async with async_client(respond) as client:
        with pytest.raises(AuthenticationError):
            await eb.aembed(
                client.aio.embeddings, texts(50), model=MODEL, chunk_size=10, max_concurrency=2
            )
    assert len(started) <= 3  # batch 0 failed; at most one more started, none after


def test_concurrency_limit_copies_and_pickles_fresh() -> None:
    limit = eb.ConcurrencyLimit(5)
    assert copy.deepcopy(limit).limit == 5
    assert copy.deepcopy(limit) is not limit
    assert pickle.loads(pickle.dumps(limit)).limit == 5
    with pytest.raises(InvalidRequestError, match="max_concurrency"):
        eb.ConcurrencyLimit(0)


# -- empty strings -------------------------------------------------------------------------------


def test_empty_and_whitespace_are_embedded_as_one_space() -> None:
    seen = Requests()
    inputs = ["alpha", "", "   ", "\n\t", "beta"]
    with make_client(seen) as client:
        vectors = eb.embed(client.embeddings, inputs, model=MODEL)
    assert seen.sent == [["alpha", " ", "beta"]]  # never an empty string, one space once
    assert vectors[1] == vectors[2] == vectors[3] == vector_for(" ")
    assert vectors[0] == vector_for("alpha")
    assert vectors[4] == vector_for("beta")


async def test_only_empty_texts_async() -> None:
    seen = Requests()
    async with make_client(seen) as client:
        vectors = await eb.aembed(client.aio.embeddings, ["", " "], model=MODEL)
    assert seen.sent == [[" "]]
    assert vectors == [vector_for(" ")] * 2


@pytest.mark.parametrize("blank", ["", "  ", "\n"])
def test_empty_error_policy_refuses_before_any_request(blank: str) -> None:
    refused = pytest.raises(InvalidRequestError, match=r"Text 1 is empty or only whitespace")
    with make_client(never_called) as client, refused:
        eb.embed(client.embeddings, ["alpha", blank], model=MODEL, empty="error")


async def test_empty_error_policy_refuses_before_any_request_async() -> None:
    async with make_client(never_called) as client:
        with pytest.raises(InvalidRequestError, match=r"Text 0"):
            await eb.aembed(client.aio.embeddings, [""], model=MODEL, empty="error")


# -- base64 and parameters -----------------------------------------------------------------------


def test_base64_answers_are_decoded_and_parameters_sent_in_every_request() -> None:
    seen = Requests()
    corpus = texts(12)
    with make_client(seen) as client:
        packed = eb.embed(
            client.embeddings,
            corpus,
            model=MODEL,
            chunk_size=5,
            dimensions=8,
            encoding_format="base64",
            user="u-1",
        )
        floats = eb.embed(client.embeddings, corpus, model=MODEL, chunk_size=5, dimensions=8)
    assert packed == floats == [vector_for(t, 8) for t in corpus]
    assert all(len(v) == 8 for v in packed)
    assert all(isinstance(x, float) for v in packed for x in v)
    for body in seen.bodies[:3]:
        assert body["dimensions"] == 8
        assert body["encoding_format"] == "base64"
        assert body["user"] == "u-1"
    assert all("encoding_format" not in body for body in seen.bodies[3:])


async def test_base64_answers_are_decoded_async() -> None:
    seen = Requests()
    async with make_client(seen) as client:
        vectors = await eb.aembed(
            client.aio.embeddings, ["x", "y"], model=MODEL, encoding_format="base64"
        )
    assert vectors == [vector_for("x"), vector_for("y")]


def test_bad_base64_is_an_invalid_response() -> None:
    response = EmbeddingResponse.model_validate({"data": [{"index": 0, "embedding": "@@@"}]})
    with pytest.raises(InvalidResponseError, match="base64"):
        response.vectors()
    odd = base64.b64encode(b"\x00\x00\x80\x3f\x00").decode()
    response = EmbeddingResponse.model_validate({"data": [{"index": 0, "embedding": odd}]})
    with pytest.raises(InvalidResponseError, match="float32"):
        response.vectors()


# -- bad input -----------------------------------------------------------------------------------

BAD_INPUTS: list[tuple[str, Any, str]] = [
    ("empty list", [], "empty list"),
    ("single string", "just one text", "not a single string"),
    ("int item", ["a", 3], r"input\[1\] is a int"),
    ("None item", [None], r"input\[0\] is a NoneType"),
    ("bytes item", [b"bytes"], r"input\[0\] is a bytes"),
    ("document-like item", [{"page_content": "x"}], r"input\[0\] is a dict"),
    ("None", None, "got NoneType"),
    ("bytes", b"abc", "got bytes"),
]


@pytest.mark.parametrize(("case", "value", "message"), BAD_INPUTS, ids=[c[0] for c in BAD_INPUTS])
def test_bad_input_refused_before_any_request(case: str, value: Any, message: str) -> None:
    with make_client(never_called) as client, pytest.raises(InvalidRequestError, match=message):
        eb.embed(client.embeddings, value, model=MODEL)


@pytest.mark.parametrize(("case", "value", "message"), BAD_INPUTS, ids=[c[0] for c in BAD_INPUTS])
async def test_bad_input_refused_before_any_request_async(
    case: str, value: Any, message: str
) -> None:
    async with make_client(never_called) as client:
        with pytest.raises(InvalidRequestError, match=message):
            await eb.aembed(client.aio.embeddings, value, model=MODEL)


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"chunk_size": 0}, "chunk_size"),
        ({"chunk_size": 5000}, "chunk_size"),
        ({"max_concurrency": 0}, "max_concurrency"),
        ({"empty": "zero"}, "empty"),
        ({"dimensions": 0}, "dimensions"),
        ({"dimensions": "256"}, "dimensions"),
        ({"model": ""}, "model"),
    ],
)
def test_bad_options_refused_before_any_request(options: dict[str, Any], message: str) -> None:
    settings: dict[str, Any] = {"model": MODEL, **options}
    with make_client(never_called) as client, pytest.raises(InvalidRequestError, match=message):
        eb.embed(client.embeddings, ["a"], **settings)


def test_a_tuple_of_texts_is_fine() -> None:
    with make_client(Requests()) as client:
        assert eb.embed(client.embeddings, ("a", "b"), model=MODEL) == [
            vector_for("a"),
            vector_for("b"),
        ]


# -- progress ------------------------------------------------------------------------------------


def test_progress_reports_every_batch_up_to_the_total() -> None:
    reports: list[tuple[int, int]] = []
    with make_client(Requests()) as client:
        eb.embed(
            client.embeddings,
            texts(25),
            model=MODEL,
            chunk_size=10,
            max_concurrency=1,
            on_progress=lambda done, total: reports.append((done, total)),
        )
    assert reports == [(10, 25), (20, 25), (25, 25)]


async def test_progress_async() -> None:
    reports: list[tuple[int, int]] = []
    async with make_client(Requests()) as client:
        await eb.aembed(
            client.aio.embeddings,
            texts(25),
            model=MODEL,
            chunk_size=10,
            on_progress=lambda done, total: reports.append((done, total)),
        )
    assert sorted(reports) == reports
    assert reports[-1] == (25, 25)
    assert len(reports) == 3


# -- the framework classes only convert ----------------------------------------------------------


def langchain_embeddings(handler: Any, **options: Any) -> Any:
    from langchain_yescale import YEScaleEmbeddings

    transport = httpx.MockTransport(handler)
    return YEScaleEmbeddings(
        api_key=API_KEY,
        http_client=httpx.Client(transport=transport),
        http_async_client=httpx.AsyncClient(transport=transport),
        **options,
    )


def llamaindex_embedding(handler: Any, **options: Any) -> Any:
    from llama_index_yescale import YEScaleEmbedding

    transport = httpx.MockTransport(handler)
    return YEScaleEmbedding(
        api_key=API_KEY,
        http_client=httpx.Client(transport=transport),
        async_http_client=httpx.AsyncClient(transport=transport),
        **options,
    )


async def test_langchain_class_batches_through_the_routine() -> None:
    seen = Requests()
    model = langchain_embeddings(seen, chunk_size=10, dimensions=8, encoding_format="float")
    corpus = texts(25)
    assert model.embed_documents(corpus) == [vector_for(t, 8) for t in corpus]
    assert await model.aembed_documents(corpus) == [vector_for(t, 8) for t in corpus]
    assert model.embed_query("q") == vector_for("q", 8)
    assert await model.aembed_query("q") == vector_for("q", 8)
    # the batches run concurrently: which one arrives first is up to the threads
    assert sorted(len(s) for s in seen.sent[:3]) == [5, 10, 10]
    assert all(body["dimensions"] == 8 for body in seen.bodies)
    assert all(body["model"] == MODEL for body in seen.bodies)


async def test_langchain_class_refuses_bad_input_before_any_request() -> None:
    model = langchain_embeddings(never_called)
    assert model.embed_documents([]) == []  # as OpenAIEmbeddings: nothing to embed, no request
    assert await model.aembed_documents([]) == []
    with pytest.raises(InvalidRequestError, match=r"input\[1\] is a int"):
        await model.aembed_documents(["a", 1])
    with pytest.raises(InvalidRequestError, match=r"embed_query takes one text .* NoneType"):
        model.embed_query(None)
    with pytest.raises(InvalidRequestError, match="single string"):
        model.embed_documents("abc")


def test_langchain_class_errors_are_bridged() -> None:
    from langchain_core.exceptions import ModelInvalidRequestError

    model = langchain_embeddings(lambda request: error("Invalid model: nope"))
    with pytest.raises(ModelInvalidRequestError) as info:
        model.embed_documents(["a"])
    assert isinstance(info.value, BadRequestError)


def test_langchain_class_options() -> None:
    from langchain_yescale import YEScaleEmbeddings

    model = YEScaleEmbeddings(api_key=API_KEY, show_progress_bar=True)
    assert model.show_progress is True
    assert model.max_concurrency >= 4
    assert model.model == "text-embedding-3-small"
    with pytest.raises(ValueError, match="model_kwargs may not set"):
        YEScaleEmbeddings(api_key=API_KEY, model_kwargs={"input": ["x"]})
    with pytest.raises(ValueError, match="dimensions"):
        YEScaleEmbeddings(api_key=API_KEY, dimensions=0)
    with pytest.raises(ValueError, match="chunk_size"):
        YEScaleEmbeddings(api_key=API_KEY, chunk_size=4096)
    clone = model.model_copy(deep=True)
    assert clone.show_progress is True


def test_langchain_progress_bar_on_documents_only(capsys: pytest.CaptureFixture[str]) -> None:
    model = langchain_embeddings(Requests(), chunk_size=10, show_progress=True)
    model.embed_documents(texts(25))
    shown = capsys.readouterr().err
    assert "Embedding" in shown
    assert "25/25" in shown
    model.embed_query("q")
    assert capsys.readouterr().err == ""


def test_plain_progress_bar(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    import sys

    from yescale.integration.progress import CountingBar

    monkeypatch.setitem(sys.modules, "tqdm.auto", None)  # as if tqdm were not installed
    bar = CountingBar("Embedding")
    bar(5, 10)
    bar(10, 10)
    bar.close()
    shown = capsys.readouterr().err
    assert "5/10" in shown
    assert shown.endswith("10/10\n")


async def test_langchain_shares_one_limit_across_concurrent_calls() -> None:
    counter = InFlight()
    model = langchain_embeddings(async_gate_handler(counter, 2), chunk_size=5, max_concurrency=2)
    await asyncio.gather(
        model.aembed_documents(texts(30, "a")), model.aembed_documents(texts(30, "b"))
    )
    assert counter.total == 12
    assert counter.peak == 2


async def test_llamaindex_class_all_methods() -> None:
    seen = Requests()
    model = llamaindex_embedding(
        seen, model="text-embedding-3-large", dimensions=8, request_batch_size=10
    )
    assert model.model_name == "text-embedding-3-large"
    corpus = texts(25)
    expected = [vector_for(t, 8) for t in corpus]
    assert model.get_text_embedding_batch(corpus) == expected
    assert await model.aget_text_embedding_batch(corpus) == expected
    assert model.get_text_embedding("t") == vector_for("t", 8)
    assert await model.aget_text_embedding("t") == vector_for("t", 8)
    assert model.get_query_embedding("q") == vector_for("q", 8)
    assert await model.aget_query_embedding("q") == vector_for("q", 8)
    # the batches run concurrently: which one arrives first is up to the threads
    assert sorted(len(s) for s in seen.sent[:3]) == [5, 10, 10]
    assert {body["model"] for body in seen.bodies} == {"text-embedding-3-large"}
    assert all(body["dimensions"] == 8 for body in seen.bodies)


async def test_llamaindex_batches_and_workers_stay_within_max_concurrency() -> None:
    counter = InFlight()
    model = llamaindex_embedding(
        async_gate_handler(counter, 3),
        embed_batch_size=10,
        request_batch_size=5,
        max_concurrency=3,
        num_workers=4,
    )
    corpus = texts(100)
    # LlamaIndex runs its 10 batches at once (num_workers=4); the object's limit still holds.
    vectors = await model.aget_text_embedding_batch(corpus)
    assert vectors == [vector_for(t) for t in corpus]
    assert counter.total == 20
    assert counter.peak == 3


def test_llamaindex_class_refuses_bad_input_before_any_request() -> None:
    model = llamaindex_embedding(never_called, empty="error")
    with pytest.raises(InvalidRequestError, match=r"input\[0\] is a int"):
        model.get_text_embedding_batch([1])
    with pytest.raises(InvalidRequestError, match="Text 0 is empty"):
        model.get_query_embedding("")
    with pytest.raises(ValueError, match="additional_kwargs may not set"):
        llamaindex_embedding(never_called, additional_kwargs={"model": "x"})


async def test_llamaindex_async_batch_events_match_llamaindex_own_path() -> None:
    """The async batch path builds LlamaIndex's events itself (the end event without validating
    the vectors again): the same events, pieces, vectors and callback events as the path of
    LlamaIndex's ``BaseEmbedding``, which the class still takes with an embeddings cache."""
    from llama_index.core.base.embeddings.base import BaseEmbedding
    from llama_index.core.callbacks import CallbackManager, CBEventType, LlamaDebugHandler
    from llama_index.core.instrumentation.event_handlers import BaseEventHandler
    from llama_index.core.instrumentation.events.embedding import (
        EmbeddingEndEvent,
        EmbeddingStartEvent,
    )
    from llama_index_instrumentation import get_dispatcher

    class Recorder(BaseEventHandler):
        seen: list[Any] = []

        def handle(self, event: Any, **kwargs: Any) -> None:
            if isinstance(event, (EmbeddingStartEvent, EmbeddingEndEvent)):
                self.seen.append(event)

    recorder = Recorder()
    root = get_dispatcher()
    root.add_event_handler(recorder)
    corpus = texts(25)
    try:
        runs = []
        for path in ("ours", "llamaindex"):
            debug = LlamaDebugHandler()
            model = llamaindex_embedding(
                Requests(), embed_batch_size=10, request_batch_size=5, max_concurrency=2
            )
            model.callback_manager = CallbackManager([debug])
            recorder.seen = []
            if path == "ours":
                vectors = await model.aget_text_embedding_batch(corpus)
            else:
                vectors = await BaseEmbedding.aget_text_embedding_batch(model, corpus)
            assert vectors == [vector_for(t) for t in corpus]
            events = [
                (type(e).__name__, getattr(e, "chunks", None), getattr(e, "embeddings", None))
                for e in recorder.seen
            ]
            pairs = debug.get_event_pairs(CBEventType.EMBEDDING)
            ends = [pair[1].payload or {} for pair in pairs]
            callbacks = [(end["chunks"], end["embeddings"]) for end in ends]
            span_ids = {e.span_id for e in recorder.seen}
            runs.append((events, callbacks, len(span_ids)))
    finally:
        root.event_handlers.remove(recorder)
    ours, theirs = runs
    assert ours == theirs
    names = [name for name, _, _ in ours[0]]
    assert names == ["EmbeddingStartEvent"] * 3 + ["EmbeddingEndEvent"] * 3
    assert [chunks for _, chunks, _ in ours[0][3:]] == [corpus[:10], corpus[10:20], corpus[20:]]
    assert len(ours[1]) == 3
    assert ours[2] == 1  # every event inside the call's one span


async def test_llamaindex_async_batch_with_a_cache_takes_llamaindex_path() -> None:
    from llama_index.core.storage.kvstore import SimpleKVStore

    seen = Requests()
    model = llamaindex_embedding(seen, embeddings_cache=SimpleKVStore(), embed_batch_size=10)
    corpus = texts(12)
    assert await model.aget_text_embedding_batch(corpus) == [vector_for(t) for t in corpus]
    assert await model.aget_text_embedding_batch(corpus) == [vector_for(t) for t in corpus]
    assert sum(len(s) for s in seen.sent) == 12  # the second call came from the cache


async def test_framework_classes_default_to_32_async_requests_unless_set() -> None:
    """Not set: 32 tasks in flight on the async path (8 threads on the sync path); set: the
    caller's figure on both."""
    from yescale.integration.embedding_jobs import max_in_flight

    counter = InFlight()
    model = llamaindex_embedding(async_gate_handler(counter, 32), request_batch_size=10)
    assert model.max_concurrency == 8
    assert (max_in_flight(model, False), max_in_flight(model, True)) == (8, 32)
    vectors = await model.aget_text_embedding_batch(texts(400))
    assert vectors == [vector_for(t) for t in texts(400)]
    assert (counter.total, counter.peak) == (40, 32)
    lc = langchain_embeddings(never_called)
    assert (max_in_flight(lc, False), max_in_flight(lc, True)) == (8, 32)
    set_by_caller = langchain_embeddings(never_called, max_concurrency=8)
    assert (max_in_flight(set_by_caller, False), max_in_flight(set_by_caller, True)) == (8, 8)
