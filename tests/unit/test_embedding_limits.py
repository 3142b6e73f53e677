"""Input limits learned from refusals (``yescale.embedding_limits``), through the batch routine.

A fake service over ``httpx.MockTransport`` refuses any request holding more than 100 inputs,
with or without saying so; the tests count the requests it receives (sync threads and async
tasks), and check that a refusal for tokens is never taken for an input-count limit. The fast
answer parser (``parse_vectors``) is checked here too: same checks as ``EmbeddingResponse``.
"""

from __future__ import annotations

import base64
import json
import struct
import threading
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from yescale import BadRequestError, ContextLengthExceededError, InvalidResponseError
from yescale import embedding_batches as eb
from yescale.embedding_limits import (
    InputLimits,
    is_count_refusal,
    limits_for,
    pieces,
    stated_limit,
)
from yescale.types.embeddings import EmbeddingResponse, parse_vectors

from .conftest import make_client

MODEL = "text-embedding-3-small"
LIMIT = 100
STATED = "Invalid 'input': at most 100 inputs are allowed per request"
UNSTATED = "Too many inputs in one request"
TOKENS = (
    "This model's maximum context length is 8192 tokens, however you requested 9000 tokens "
    "in your input."
)


def corpus(n: int, prefix: str = "text") -> list[str]:
    return [f"{prefix} {i}" for i in range(n)]


def head(text: str) -> float:
    return float(sum(text.encode()) % 251)


class Service:
    """Refuses requests of more than ``limit`` inputs with ``message``; answers the others with
    base64 vectors whose first value identifies the text. Thread-safe; records sizes."""

    def __init__(self, message: str, limit: int = LIMIT, *, code: str | None = None) -> None:
        self.message, self.limit, self.code = message, limit, code
        self.sizes: list[int] = []
        self.refused: list[int] = []
        self.lock = threading.Lock()

    def __call__(self, request: httpx.Request) -> httpx.Response:
        texts = json.loads(request.content)["input"]
        with self.lock:
            self.sizes.append(len(texts))
            if len(texts) > self.limit:
                self.refused.append(len(texts))
                error = {"message": self.message, "type": "invalid_request_error"}
                return httpx.Response(400, json={"error": {**error, "code": self.code}})
        data = [
            {
                "object": "embedding",
                "index": i,
                "embedding": base64.b64encode(struct.pack("<2f", head(t), 0.5)).decode(),
            }
            for i, t in enumerate(texts)
        ]
        return httpx.Response(200, json={"object": "list", "data": data[::-1], "model": MODEL})

    @property
    def answered(self) -> int:
        return len(self.sizes) - len(self.refused)


def expected(texts: list[str]) -> list[list[float]]:
    return [[head(t), 0.5] for t in texts]


Run = Callable[..., list[list[float]]]


async def run_embed(client: Any, texts: list[str], mode: str, **options: Any) -> Any:
    if mode == "sync":
        return eb.embed(client.embeddings, texts, model=MODEL, **options)
    return await eb.aembed(client.aio.embeddings, texts, model=MODEL, **options)


MODES = ["sync", "async"]


@pytest.mark.parametrize("mode", MODES)
async def test_a_stated_limit_is_used_for_the_rest_of_the_job(mode: str) -> None:
    """1,234 texts (batches of 1,000 and 234) against a 100-input service that says so: one
    refusal, then 13 requests of at most 100 (each 1,000-text batch is not halved from scratch)."""
    service = Service(STATED)
    texts = corpus(1234)
    with make_client(service) as client:
        vectors = await run_embed(client, texts, mode, max_concurrency=1)
        assert vectors == expected(texts)
        assert service.refused == [1000]
        assert service.answered == 13
        assert max(service.sizes[1:]) == LIMIT
        assert client.embeddings.input_limits.cap(MODEL) == LIMIT


@pytest.mark.parametrize("mode", MODES)
async def test_a_later_job_on_the_same_client_is_planned_within_the_limit(mode: str) -> None:
    service = Service(STATED)
    with make_client(service) as client:
        await run_embed(client, corpus(1234), mode, max_concurrency=1)
        service.sizes.clear()
        service.refused.clear()
        texts = corpus(1234, "later")
        # the other face of the same client knows it too
        other = "async" if mode == "sync" else "sync"
        assert await run_embed(client, texts, other) == expected(texts)
    assert service.refused == []
    assert len(service.sizes) == 13


@pytest.mark.parametrize(
    ("mode", "refused", "answered", "cap"),
    [
        # threads: the refused batch is halved down first: 1000, 500, 250, 125 refused
        ("sync", [1000, 500, 250, 125], 20, 63),
        # tasks: the 234 batch was queued before the halves of 1000
        ("async", [1000, 234, 117], 24, 59),
    ],
)
async def test_without_a_stated_limit_far_fewer_requests(
    mode: str, refused: list[int], answered: int, cap: int
) -> None:
    """Halving every batch from scratch took 38 requests (31 for the 1,000 batch, 7 for the
    234); remembering the smallest refused size: 24 (sync) or 27 (async), and none refused in
    a later job."""
    service = Service(UNSTATED)
    texts = corpus(1234)
    with make_client(service) as client:
        vectors = await run_embed(client, texts, mode, max_concurrency=1)
        assert vectors == expected(texts)
        assert service.refused == refused
        assert service.answered == answered
        assert len(service.sizes) == len(refused) + answered < 38
        assert max(s for s in service.sizes if s <= LIMIT) == cap
        assert client.embeddings.input_limits.cap(MODEL) == cap
        # a later job: no refusal at all
        service.sizes.clear()
        service.refused.clear()
        await run_embed(client, corpus(1234, "again"), mode, max_concurrency=1)
    assert service.refused == []
    assert len(service.sizes) == -(-1234 // cap)


@pytest.mark.parametrize("mode", MODES)
async def test_concurrent_batches_refused_at_most_once_each(mode: str) -> None:
    """With every batch in flight at once, each may be refused once; none twice."""
    service = Service(STATED)
    texts = corpus(4000)
    with make_client(service) as client:
        vectors = await run_embed(client, texts, mode, max_concurrency=4)
    assert vectors == expected(texts)
    assert 1 <= len(service.refused) <= 4
    assert service.answered == 40


@pytest.mark.parametrize("mode", MODES)
async def test_a_token_refusal_is_not_an_input_limit(mode: str) -> None:
    """'maximum context length is 8192 tokens' speaks of tokens: the batch is halved down to the
    culprit as before, and nothing is remembered (no 8192, no halved size)."""

    def respond(request: httpx.Request) -> httpx.Response:
        texts = json.loads(request.content)["input"]
        if any(t.startswith("LONG") for t in texts):
            error = {"message": TOKENS, "type": "invalid_request_error"}
            return httpx.Response(400, json={"error": {**error, "code": "context_length_exceeded"}})
        return Service(STATED, limit=10**6)(request)

    texts = ["a", "b", "LONG text", "c"]
    with make_client(respond) as client:
        with pytest.raises(ContextLengthExceededError, match="text 2 "):
            await run_embed(client, texts, mode, max_concurrency=1)
        assert client.embeddings.input_limits.cap(MODEL) is None
        assert await run_embed(client, corpus(300), mode, chunk_size=300) == expected(corpus(300))


@pytest.mark.parametrize("mode", MODES)
async def test_tokens_per_request_refusal_is_halved_but_not_remembered(mode: str) -> None:
    service = Service("Requested 312000 tokens, max 300000 tokens per request", limit=3)
    with make_client(service) as client:
        assert await run_embed(client, corpus(10), mode, chunk_size=10, max_concurrency=1) == (
            expected(corpus(10))
        )
        assert sorted(service.sizes) == [2, 2, 3, 3, 5, 5, 10]  # halved as before
        assert client.embeddings.input_limits.cap(MODEL) is None


async def test_a_wrong_stated_limit_is_forgotten() -> None:
    """The service says 100 but refuses more than 40 "for the count": the stated number was
    wrong, so it is dropped and the batch halved; the job still completes."""
    service = Service(STATED, limit=40)
    texts = corpus(300)
    with make_client(service) as client:
        assert eb.embed(client.embeddings, texts, model=MODEL, chunk_size=300) == expected(texts)
    assert service.refused[:2] == [300, 100]
    assert all(size <= 40 for size in service.sizes[len(service.refused) :][-3:])


def test_the_memory_is_per_model_and_per_client() -> None:
    service = Service(STATED)
    with make_client(service) as client, make_client(service) as other:
        eb.embed(client.embeddings, corpus(150), model=MODEL)
        assert client.embeddings.input_limits is client.aio.embeddings.input_limits
        assert client.embeddings.input_limits.cap(MODEL) == LIMIT
        assert client.embeddings.input_limits.cap("text-embedding-3-large") is None
        assert other.embeddings.input_limits.cap(MODEL) is None


def test_other_bad_requests_teach_nothing() -> None:
    service = Service("Invalid model: at most 100 inputs is not the problem here", limit=0)
    service.message = "Invalid model: no such model"
    with make_client(service) as client, pytest.raises(BadRequestError, match="no such model"):
        eb.embed(client.embeddings, corpus(10), model=MODEL)
    assert client.embeddings.input_limits.cap(MODEL) is None


# -- reading refusals ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("message", "refused", "limit"),
    [
        ("Too many inputs: at most 100 inputs per request", 1000, 100),
        ("'input' array must have a maximum of 100 elements", 1000, 100),
        ("'input' must have length less than or equal to 100", 1000, 100),
        ("batch size exceeds 100", 1000, 100),
        ("batch size 1,000 exceeds the limit of 250", 1000, 250),
        (
            "'$.input' is invalid. Please check the API reference: maximum array length is 2048",
            3000,
            2048,
        ),
        (
            "* BatchEmbedContentsRequest.requests: at most 100 requests can be in one batch",
            250,
            100,
        ),
        ("at most 100 inputs (request id req-50)", 1000, 100),
        # not below the refused batch: not the limit that was crossed
        ("at most 100 inputs", 80, None),
        ("Too many inputs in one request", 1000, None),
        # sizes that are not the number of inputs
        (TOKENS, 1000, None),
        ("Requested 312000 tokens, max 300000 tokens per request", 1000, None),
        ("Each input must be at most 2048 characters", 3000, None),
    ],
)
def test_stated_limit(message: str, refused: int, limit: int | None) -> None:
    assert stated_limit(message, refused) == limit


@pytest.mark.parametrize(
    ("message", "counted"),
    [
        (STATED, True),
        (UNSTATED, True),
        ("batch size exceeds 100", True),
        (TOKENS, False),
        ("Requested 312000 tokens, max 300000 tokens per request", False),
        ("Invalid 'input[3]': string too long. Expected a string with maximum length 8192", False),
        ("Request payload too large: at most 2 MB", False),
        ("Request too large", False),
    ],
)
def test_count_refusals(message: str, counted: bool) -> None:
    assert is_count_refusal(BadRequestError(message, status_code=400)) is counted


def test_pieces_are_even_and_in_order() -> None:
    assert [len(p) for p in pieces(list(range(234)), 100)] == [78, 78, 78]
    assert [len(p) for p in pieces(list(range(125)), 63)] == [63, 62]
    assert [i for p in pieces(list(range(10)), 3) for i in p] == list(range(10))


def test_input_limits_policy() -> None:
    limits = InputLimits()
    assert limits.cap(MODEL) is None
    assert limits.refused(MODEL, 1000, None) == 500
    limits.worked(MODEL, 500)  # not below the refused size... it is: 500 < 1000
    assert limits.cap(MODEL) == 500
    assert limits.refused(MODEL, 500, None) == 250  # what worked at 500 no longer counts
    assert limits.refused(MODEL, 250, 100) == 100  # a stated limit wins
    assert limits.refused(MODEL, 100, None) is None  # refused at its own stated limit: dropped
    assert limits.cap(MODEL) is None


def test_limits_for_an_unknown_endpoint_are_kept_per_object() -> None:
    class Endpoint:
        def create(self, **kwargs: Any) -> Any:  # pragma: no cover - not called
            raise AssertionError

    endpoint = Endpoint()
    assert limits_for(endpoint) is limits_for(endpoint)
    assert limits_for(endpoint) is not limits_for(Endpoint())


# -- the fast answer parser ----------------------------------------------------------------------


def body(items: list[Any], **extra: Any) -> bytes:
    return json.dumps({"object": "list", "data": items, **extra}).encode()


def b64(*values: float) -> str:
    return base64.b64encode(struct.pack(f"<{len(values)}f", *values)).decode()


def test_parse_vectors_orders_by_index_and_decodes() -> None:
    answer = body(
        [
            {"index": 1, "embedding": b64(1.0, 2.0)},
            {"index": 0, "embedding": [3, 4.5]},
        ],
        usage={"prompt_tokens": 7, "total_tokens": 7},
        model=MODEL,
    )
    parsed = parse_vectors(answer, 2, "test")
    assert parsed.vectors() == [[3.0, 4.5], [1.0, 2.0]]
    assert parsed.usage is not None
    assert parsed.usage.prompt_tokens == 7
    assert parsed.model == MODEL
    # the same as the pydantic model reads it
    assert EmbeddingResponse.model_validate_json(answer).vectors() == parsed.vectors()


def test_parse_vectors_without_indices_keeps_list_order() -> None:
    answer = body([{"embedding": b64(5.0)}, {"embedding": b64(6.0)}])
    assert parse_vectors(answer, 2, "test").vectors() == [[5.0], [6.0]]


@pytest.mark.parametrize(
    ("answer", "match"),
    [
        (body([{"index": 0, "embedding": b64(1.0)}]), "1 embedding for 2 inputs"),
        (body([]), "no embeddings for its 2 inputs"),
        (json.dumps({"data": None}).encode(), "no embeddings"),
        (
            body([{"index": 0, "embedding": b64(1.0)}, {"index": 0, "embedding": b64(2.0)}]),
            "indices",
        ),
        (
            body([{"index": 0, "embedding": b64(1.0)}, {"index": 2, "embedding": b64(2.0)}]),
            "indices",
        ),
        (
            body([{"index": 0, "embedding": b64(1.0)}, {"index": "1", "embedding": b64(2.0)}]),
            "indices",
        ),
        (body([{"index": 0, "embedding": b64(1.0)}, {"embedding": b64(2.0)}]), "has no index"),
        (body([{"index": 0, "embedding": b64(1.0)}, {"index": 1, "embedding": ""}]), "empty"),
        (body([{"index": 0, "embedding": b64(1.0)}, {"index": 1, "embedding": []}]), "empty"),
        (body([{"index": 0, "embedding": b64(1.0)}, {"index": 1, "embedding": "@@@"}]), "base64"),
        (body([{"index": 0, "embedding": b64(1.0)}, {"index": 1, "embedding": "AAA="}]), "float32"),
        (
            body([{"index": 0, "embedding": b64(1.0)}, {"index": 1, "embedding": ["x"]}]),
            "EmbeddingResponse",
        ),
        (
            body([{"index": 0, "embedding": b64(1.0)}, {"index": 1, "embedding": [True]}]),
            "EmbeddingResponse",
        ),
        (body([{"index": 0, "embedding": b64(1.0)}, {"index": 1}]), "EmbeddingResponse"),
        (body([{"index": 0, "embedding": b64(1.0)}, 5]), "EmbeddingResponse"),
        (b"<html>502 Bad Gateway</html>", "HTML page"),
        (b"[1, 2]", "EmbeddingResponse"),
        (b"{" * 5000, "not JSON"),
        (
            body([{"embedding": b64(1.0)}, {"embedding": b64(1.0)}], usage="lots"),
            "EmbeddingResponse",
        ),
    ],
)
def test_parse_vectors_refuses_hostile_answers(answer: bytes, match: str) -> None:
    with pytest.raises(InvalidResponseError, match=match):
        parse_vectors(answer, 2, "test")


def test_the_batch_routine_goes_through_create_vectors() -> None:
    calls: list[str] = []
    service = Service(STATED, limit=10**6)
    with make_client(service) as client:
        endpoint = client.embeddings
        original = endpoint.create_vectors

        def spy(**kwargs: Any) -> Any:
            calls.append("create_vectors")
            return original(**kwargs)

        endpoint.create_vectors = spy  # type: ignore[method-assign]
        assert eb.embed(endpoint, ["a", "b"], model=MODEL) == expected(["a", "b"])
    assert calls == ["create_vectors"]


@pytest.mark.parametrize("mode", MODES)
async def test_a_rate_limited_endpoint_learns_into_the_clients_memory(mode: str) -> None:
    """A Ray actor embeds through ``RateLimitedEndpoint(client.embeddings, ...)``: what a refusal
    teaches goes into the client's memory, so the next wrapper (the next part, the next job)
    starts within the limit; and the wrapper sends through the vector-only ``create_vectors``."""
    from yescale.rate_limit import AsyncRateLimitedEndpoint, RateLimit, RateLimitedEndpoint

    def not_this(**kwargs: Any) -> Any:
        raise AssertionError("the wrapper should send through create_vectors")

    service = Service(STATED)
    limit = RateLimit(requests_per_minute=10**6)  # never the bottleneck here
    texts = corpus(1234)
    with make_client(service) as client:
        client.embeddings.create = not_this  # type: ignore[method-assign]
        client.aio.embeddings.create = not_this  # type: ignore[method-assign]
        if mode == "sync":
            wrapped = RateLimitedEndpoint(client.embeddings, limit)
            vectors = eb.embed(wrapped, texts, model=MODEL, max_concurrency=1)
        else:
            awrapped = AsyncRateLimitedEndpoint(client.aio.embeddings, limit)
            vectors = await eb.aembed(awrapped, texts, model=MODEL, max_concurrency=1)
        assert vectors == expected(texts)
        assert (service.refused, service.answered) == ([1000], 13)
        assert client.embeddings.input_limits.cap(MODEL) == LIMIT
        service.sizes.clear()
        service.refused.clear()
        later = corpus(1234, "later")
        again = RateLimitedEndpoint(client.embeddings, limit)
        assert eb.embed(again, later, model=MODEL) == expected(later)
    assert service.refused == []
    assert len(service.sizes) == 13
