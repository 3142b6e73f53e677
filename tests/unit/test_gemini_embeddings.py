"""Gemini-native embeddings without a network: the wire bodies (checked with google-genai's own
types), the checks made before any request, the checks of every answer, the one batching routine
on this endpoint (batches of at most 100, order, splitting), and the framework classes' routing
and task types. HTTP goes to an ``httpx.MockTransport``.
"""

from __future__ import annotations

import json
import threading
from typing import Any

import httpx
import pytest

from langchain_yescale import YEScaleEmbeddings
from llama_index_yescale import YEScaleEmbedding
from tests.peers.support import check_embedding_body
from yescale import BadRequestError, InvalidRequestError, InvalidResponseError
from yescale import embedding_batches as eb
from yescale.integration import embedding_jobs
from yescale.resources.gemini_embeddings import (
    TASK_TYPES,
    build_batch_call,
    build_embed_call,
    check_task_type,
)

from .conftest import API_KEY, make_client, never_called

MODEL = "gemini-embedding-001"
BATCH = f"/v1beta/models/{MODEL}:batchEmbedContents"


def vector_for(text: str, task: str | None = None) -> list[float]:
    return [float(len(text)), float(sum(map(ord, text)) % 97), 1.0 if task else 0.0]


class Service:
    """A thread-safe fake Gemini: answers each batch in request order, records every request."""

    def __init__(self, answer: Any = None) -> None:
        self.requests: list[httpx.Request] = []
        self.answer = answer
        self.lock = threading.Lock()

    def __call__(self, request: httpx.Request) -> httpx.Response:
        body = json.loads(request.content)
        with self.lock:
            self.requests.append(request)
        check_embedding_body(request.url.path, body)  # google-genai's types, on every body
        if self.answer is not None:
            answer: httpx.Response = self.answer(request, body)
            return answer
        if request.url.path.endswith(":embedContent"):
            text = body["content"]["parts"][0]["text"]
            return httpx.Response(200, json={"embedding": {"values": vector_for(text)}})
        values = [
            {"values": vector_for(r["content"]["parts"][0]["text"], r.get("taskType"))}
            for r in body["requests"]
        ]
        return httpx.Response(200, json={"embeddings": values})

    @property
    def bodies(self) -> list[dict[str, Any]]:
        return [json.loads(r.content) for r in self.requests]


def texts(n: int, prefix: str = "text") -> list[str]:
    return [f"{prefix} {i}" for i in range(n)]


# -- wire bodies ---------------------------------------------------------------------------------


def test_embed_content_body() -> None:
    call = build_embed_call(MODEL, "hello", "retrieval_document", 256, "A title", {})
    assert (call.method, call.path) == ("POST", f"/v1beta/models/{MODEL}:embedContent")
    assert call.json == {
        "content": {"parts": [{"text": "hello"}]},
        "taskType": "RETRIEVAL_DOCUMENT",
        "title": "A title",
        "outputDimensionality": 256,
    }
    check_embedding_body(call.path, call.json)


def test_batch_body_names_the_model_in_every_request() -> None:
    call = build_batch_call(f"models/{MODEL}", ["a", "b"], "Retrieval Query", 8, {})
    assert call.path == BATCH
    assert call.json == {
        "requests": [
            {
                "model": f"models/{MODEL}",
                "content": {"parts": [{"text": text}]},
                "taskType": "RETRIEVAL_QUERY",
                "outputDimensionality": 8,
            }
            for text in ("a", "b")
        ]
    }
    check_embedding_body(call.path, call.json)


def test_batch_body_without_options_is_content_and_model_only() -> None:
    call = build_batch_call(MODEL, ["a"], None, None, {})
    assert call.json == {
        "requests": [{"model": f"models/{MODEL}", "content": {"parts": [{"text": "a"}]}}]
    }


@pytest.mark.parametrize(
    "given", ["retrieval_query", "RETRIEVAL_QUERY", "Retrieval-Query", " retrieval query "]
)
def test_task_types_in_any_case_are_sent_as_gemini_spells_them(given: str) -> None:
    assert check_task_type(given) == "RETRIEVAL_QUERY"


def test_every_task_type_passes_googles_check() -> None:
    for task in TASK_TYPES:
        call = build_batch_call(MODEL, ["x"], task.lower(), None, {})
        check_embedding_body(call.path, call.json)


# -- checked before any request ------------------------------------------------------------------

BAD_CALLS = [
    (lambda: build_batch_call(MODEL, [], None, None, {}), "empty list"),
    (lambda: build_batch_call(MODEL, ["a", 1], None, None, {}), r"input\[1\] is a int"),
    (lambda: build_batch_call(MODEL, "abc", None, None, {}), "not a single string"),
    (lambda: build_batch_call(MODEL, ["a"], "ranking", None, {}), "Unknown Gemini task type"),
    (lambda: build_batch_call(MODEL, ["a"], 3, None, {}), "Unknown Gemini task type 3"),
    (lambda: build_batch_call(MODEL, ["a"], None, 0, {}), "positive integer"),
    (lambda: build_batch_call(MODEL, ["a"], None, True, {}), "positive integer"),
    (lambda: build_batch_call(MODEL, ["a"], None, 1.5, {}), "positive integer"),
    (lambda: build_batch_call(MODEL, texts(101), None, None, {}), "at most 100 texts"),
    (lambda: build_batch_call("text-embedding-3-small", ["a"], None, None, {}), "not a Gemini"),
    (lambda: build_batch_call("gpt-4o", ["a"], None, None, {}), "is a chat model"),
    (lambda: build_batch_call("", ["a"], None, None, {}), "`model` must be a non-empty"),
    (lambda: build_embed_call(MODEL, ["a"], None, None, None, {}), "one text"),
    (lambda: build_embed_call(MODEL, "a", "retrieval_query", None, "T", {}), "`title` is only"),
    (lambda: build_embed_call(MODEL, "a", None, None, 5, {}), "`title` must be a string"),
]


@pytest.mark.parametrize(("make", "message"), BAD_CALLS)
def test_bad_input_is_refused_before_any_request(make: Any, message: str) -> None:
    with pytest.raises(InvalidRequestError, match=message):
        make()


def test_client_refuses_before_sending() -> None:
    with make_client(never_called) as client, pytest.raises(InvalidRequestError, match="task"):
        client.gemini.embeddings.batch_embed_contents(model=MODEL, texts=["a"], task_type="x")


async def test_async_client_refuses_before_sending() -> None:
    with make_client(never_called) as client, pytest.raises(InvalidRequestError, match="task"):
        await client.aio.gemini.embeddings.embed_content(model=MODEL, text="a", task_type="x")


# -- every answer checked ------------------------------------------------------------------------

BAD_ANSWERS = [
    ({"embeddings": [{"values": [0.1]}]}, "1 embedding for 2 inputs"),
    ({"embeddings": [{"values": [0.1]}] * 3}, "3 embeddings for 2 inputs"),
    ({"embeddings": []}, "no embeddings for its 2 inputs"),
    ({"embeddings": None}, "no embeddings"),
    ({}, "no embeddings"),
    ({"embeddings": [{"values": [0.1]}, {}]}, "embedding 1 has no values"),
    ({"embeddings": [{"values": [0.1]}, {"values": []}]}, "embedding 1 has no values"),
]


@pytest.mark.parametrize(("answer", "message"), BAD_ANSWERS)
def test_a_batch_answer_without_one_vector_per_text_is_invalid(answer: Any, message: str) -> None:
    service = Service(lambda request, body: httpx.Response(200, json=answer))
    with make_client(service) as client, pytest.raises(InvalidResponseError, match=message):
        client.gemini.embeddings.batch_embed_contents(model=MODEL, texts=["a", "b"])


@pytest.mark.parametrize("answer", [{}, {"embedding": {}}, {"embedding": {"values": []}}])
def test_an_embed_answer_without_values_is_invalid(answer: Any) -> None:
    service = Service(lambda request, body: httpx.Response(200, json=answer))
    with make_client(service) as client, pytest.raises(InvalidResponseError, match="embedding"):
        client.gemini.embeddings.embed_content(model=MODEL, text="a")


def test_a_gemini_error_object_in_a_200_is_the_error() -> None:
    said = "Invalid value at 'requests[0].task_type'"
    error = {"error": {"code": 400, "message": said, "status": "INVALID_ARGUMENT"}}
    service = Service(lambda request, body: httpx.Response(200, json=error))
    with make_client(service) as client, pytest.raises(BadRequestError, match="Invalid value"):
        client.gemini.embeddings.batch_embed_contents(model=MODEL, texts=["a"])
    assert len(service.requests) == 1


def test_the_key_goes_in_x_goog_api_key() -> None:
    service = Service()
    with make_client(service) as client:
        client.gemini.embeddings.embed_content(model=MODEL, text="a")
    (request,) = service.requests
    assert request.headers["x-goog-api-key"] == API_KEY
    assert "authorization" not in request.headers


# -- the one batching routine --------------------------------------------------------------------


def test_batches_of_at_most_100_in_order() -> None:
    service = Service()
    corpus = texts(250)
    with make_client(service) as client:
        vectors = eb.embed(
            client.gemini.embeddings, corpus, model=MODEL, chunk_size=2048, task_type="clustering"
        )
    assert vectors == [vector_for(t, "CLUSTERING") for t in corpus]
    assert sorted(len(b["requests"]) for b in service.bodies) == [50, 100, 100]
    assert {r.url.path for r in service.requests} == {BATCH}


async def test_batches_async_deduplicated_and_blank_as_one_space() -> None:
    service = Service()
    corpus = ["a", "", "b", "a", "  "]
    with make_client(service) as client:
        vectors = await eb.aembed(client.aio.gemini.embeddings, corpus, model=MODEL)
    (body,) = service.bodies
    assert [r["content"]["parts"][0]["text"] for r in body["requests"]] == ["a", " ", "b"]
    assert vectors == [vector_for(t) for t in ["a", " ", "b", "a", " "]]


def test_a_batch_refused_for_its_size_is_split() -> None:
    """Gemini's own words for a batch over 100 are a size error: halves are retried."""

    def answer(request: httpx.Request, body: dict[str, Any]) -> httpx.Response:
        if len(body["requests"]) > 3:
            message = (
                "* BatchEmbedContentsRequest.requests: at most 100 requests can be in one batch"
            )
            error = {"code": 400, "message": message, "status": "INVALID_ARGUMENT"}
            return httpx.Response(400, json={"error": error})
        values = [
            {"values": vector_for(r["content"]["parts"][0]["text"])} for r in body["requests"]
        ]
        return httpx.Response(200, json={"embeddings": values})

    service = Service(answer)
    with make_client(service) as client:
        vectors = eb.embed(client.gemini.embeddings, texts(8), model=MODEL, max_concurrency=1)
    assert vectors == [vector_for(t) for t in texts(8)]
    # the second half of 8 is fitted to what the refusals of 8 and 4 taught before it is sent
    # (the stated 100 is not below the refused batches: not taken for the limit)
    assert [len(b["requests"]) for b in service.bodies] == [8, 4, 2, 2, 2, 2]


def test_the_endpoint_states_its_own_cap() -> None:
    with make_client(never_called) as client:
        assert eb.max_inputs_per_request("any-name", client.gemini.embeddings) == 100
        assert eb.max_inputs_per_request("text-embedding-3-small", client.embeddings) == 2048


# -- the framework classes: route and task types -------------------------------------------------


@pytest.mark.parametrize(
    ("model", "api", "route"),
    [
        ("gemini-embedding-001", "auto", "gemini"),
        ("models/gemini-embedding-001", "auto", "gemini"),
        ("gemini-embedding-exp-03-07", "auto", "gemini"),
        ("text-embedding-004", "auto", "gemini"),
        ("models/embedding-001", "auto", "gemini"),
        ("text-embedding-3-small", "auto", "openai"),
        ("text-embedding-005", "auto", "openai"),
        ("gemini-embedding-001", "openai", "openai"),
        ("some-new-model", "gemini", "gemini"),
    ],
)
def test_route(model: str, api: Any, route: str) -> None:
    assert embedding_jobs.resolve_api(model, api) == route


def langchain(handler: Any, **options: Any) -> YEScaleEmbeddings:
    transport = httpx.MockTransport(handler)
    return YEScaleEmbeddings(
        api_key=API_KEY,
        http_client=httpx.Client(transport=transport),
        http_async_client=httpx.AsyncClient(transport=transport),
        **options,
    )


def llamaindex(handler: Any, **options: Any) -> YEScaleEmbedding:
    transport = httpx.MockTransport(handler)
    return YEScaleEmbedding(
        api_key=API_KEY,
        http_client=httpx.Client(transport=transport),
        async_http_client=httpx.AsyncClient(transport=transport),
        **options,
    )


def tasks(service: Service) -> list[str]:
    return [r.get("taskType", "-") for b in service.bodies for r in b["requests"]]


async def test_langchain_query_and_document_task_types() -> None:
    service = Service()
    model = langchain(service, model=MODEL, dimensions=64, chunk_size=2)
    assert model.embed_query("q") == vector_for("q", "RETRIEVAL_QUERY")
    assert await model.aembed_query("q") == vector_for("q", "RETRIEVAL_QUERY")
    assert model.embed_documents(["a", "b", "c"]) == [vector_for(t, "x") for t in "abc"]
    assert await model.aembed_documents(["d"]) == [vector_for("d", "x")]
    assert tasks(service) == ["RETRIEVAL_QUERY"] * 2 + ["RETRIEVAL_DOCUMENT"] * 4
    assert {r["outputDimensionality"] for b in service.bodies for r in b["requests"]} == {64}
    assert {r.url.path for r in service.requests} == {BATCH}
    assert all(
        "encodingFormat" not in r and "encoding_format" not in r
        for b in service.bodies
        for r in b["requests"]
    )


async def test_llamaindex_query_and_document_task_types() -> None:
    service = Service()
    model = llamaindex(
        service,
        model_name=MODEL,
        query_task_type="code_retrieval_query",
        document_task_type="classification",
    )
    model.get_query_embedding("q")
    await model.aget_query_embedding("q")
    model.get_text_embedding("t")
    await model.aget_text_embedding("t")
    model.get_text_embedding_batch(["a", "b"])
    await model.aget_text_embedding_batch(["c"])
    assert tasks(service) == ["CODE_RETRIEVAL_QUERY"] * 2 + ["CLASSIFICATION"] * 5


def test_forced_openai_route_sends_no_task_type() -> None:
    seen: list[dict[str, Any]] = []

    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(json.loads(request.content))
        data = [{"object": "embedding", "index": 0, "embedding": [0.5]}]
        return httpx.Response(200, json={"object": "list", "data": data})

    llamaindex(answer, model_name=MODEL, api="openai", dimensions=8).get_query_embedding("q")
    assert seen == [{"model": MODEL, "input": ["q"], "dimensions": 8, "encoding_format": "base64"}]


@pytest.mark.parametrize("cls", [YEScaleEmbeddings, YEScaleEmbedding])
def test_classes_refuse_bad_options_when_built(cls: Any) -> None:
    name = "model" if cls is YEScaleEmbeddings else "model_name"
    with pytest.raises(InvalidRequestError, match="Unknown Gemini task type 'ranking'"):
        cls(api_key=API_KEY, query_task_type="ranking")
    with pytest.raises(InvalidRequestError, match="not a Gemini embedding model"):
        cls(api_key=API_KEY, api="gemini", **{name: "text-embedding-3-small"})
    with pytest.raises(ValueError, match="api"):
        cls(api_key=API_KEY, api="vertex")
    built = cls(api_key=API_KEY, document_task_type="semantic-similarity", **{name: MODEL})
    assert built.document_task_type == "SEMANTIC_SIMILARITY"
    assert built.query_task_type == "RETRIEVAL_QUERY"
    assert built.api == "auto"


# -- metered as every model call -----------------------------------------------------------------


def test_costs_are_metered_and_budgets_checked_before_sending() -> None:
    from yescale import BudgetExceededError
    from yescale.costs import PriceTable, track_costs, use_prices
    from yescale.types.system import ModelInfo

    entry = {"model_name": MODEL, "billing_type": "pay-per-token", "input_price": 0.15}
    use_prices(PriceTable.from_models([ModelInfo.model_validate(entry)]))

    def answer(request: httpx.Request, body: dict[str, Any]) -> httpx.Response:
        if "requests" not in body:  # embedContent: Gemini reports no usage here
            return httpx.Response(200, json={"embedding": {"values": [0.5]}})
        values = [{"values": [0.5]} for _ in body["requests"]]
        usage = {"promptTokenCount": 1000, "totalTokenCount": 1000}
        return httpx.Response(200, json={"embeddings": values, "usageMetadata": usage})

    service = Service(answer)
    with make_client(service) as client, track_costs() as costs:
        counted = client.gemini.embeddings.batch_embed_contents(model=MODEL, texts=["a", "b"])
        uncounted = client.gemini.embeddings.embed_content(model=f"models/{MODEL}", text="a")
    assert counted.cost is not None
    assert counted.cost.usd == pytest.approx(0.15 * 1000 / 1_000_000)
    assert uncounted.cost is not None
    assert uncounted.cost.usd is None  # Gemini reported no usage: unknown, not zero
    assert costs.requests == 2
    with (
        make_client(never_called) as client,
        track_costs(budget_usd=0.0),
        pytest.raises(BudgetExceededError),
    ):
        client.gemini.embeddings.batch_embed_contents(model=MODEL, texts=["a"])


@pytest.mark.parametrize("cls", [YEScaleEmbeddings, YEScaleEmbedding])
def test_the_peers_spellings(cls: Any) -> None:
    """``GoogleGenerativeAIEmbeddings``' ``output_dimensionality`` is our ``dimensions``; its one
    ``task_type`` for every call is refused, naming our two (a silent pass-through would send
    it as an unknown request field, and a query would then be embedded as a document)."""
    name = "model" if cls is YEScaleEmbeddings else "model_name"
    built = cls(api_key=API_KEY, output_dimensionality=256, **{name: MODEL})
    assert built.dimensions == 256
    with pytest.raises(InvalidRequestError, match=r"query_task_type=.*document_task_type="):
        cls(api_key=API_KEY, task_type="clustering", **{name: MODEL})
