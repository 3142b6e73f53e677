"""Gemini-native embeddings over replayed cassettes: ``client.gemini.embeddings`` (``embedContent``,
``batchEmbedContents``), and ``YEScaleEmbeddings`` / ``YEScaleEmbedding`` choosing that endpoint by
themselves for Gemini embedding models, with the query and document task types.

The cassettes are synthesized from the public Gemini REST format (``tests/synth/
answers_gemini_embeddings.py``: the vendor reference lists "Gemini Embedding" without a body).
Expected vectors are read from the cassette itself (each recorded answer belongs, in order, to
the texts of its request), so these tests hold for live recordings too.
"""

from __future__ import annotations

import json
import math
from typing import Any

import httpx
import pytest
from vcr.cassette import Cassette

from langchain_yescale import YEScaleEmbeddings
from llama_index_yescale import YEScaleEmbedding
from yescale import ContextLengthExceededError, YEScaleClient
from yescale.types.gemini_embeddings import BatchEmbedContentsResponse, EmbedContentResponse

from .client_support import SentRequests, assert_all_played, response_body, sent_json
from .test_embeddings import CORPUS  # the same 25 sentences

MODEL = "gemini-embedding-001"
BATCH_PATH = f"/v1beta/models/{MODEL}:batchEmbedContents"
TEXTS = ["The fox sleeps by the river.", "The owl hunts in the forest.", "The otter sings."]


def bodies(cassette: Cassette) -> list[dict[str, Any]]:
    return [sent_json(cassette, i) for i in range(len(cassette.requests))]


def entry(text: str, task: str, size: int, model: str = MODEL) -> dict[str, Any]:
    """One ``batchEmbedContents`` request entry, as Gemini's REST reference spells it."""
    return {
        "model": f"models/{model}",
        "content": {"parts": [{"text": text}]},
        "taskType": task,
        "outputDimensionality": size,
    }


def texts_of(body: dict[str, Any]) -> list[str]:
    return [r["content"]["parts"][0]["text"] for r in body["requests"]]


def recorded(cassette: Cassette) -> dict[tuple[str, str], list[float]]:
    """(task type, text) -> the vector recorded for it, for every batch in the cassette."""
    vectors: dict[tuple[str, str], list[float]] = {}
    for i, body in enumerate(bodies(cassette)):
        answer = BatchEmbedContentsResponse.model_validate_json(response_body(cassette, i))
        for request, vector in zip(body["requests"], answer.vectors(), strict=True):
            vectors[(request["taskType"], request["content"]["parts"][0]["text"])] = vector
    return vectors


def check(cassette: Cassette, got: list[list[float]], texts: list[str], task: str) -> None:
    """Each vector is the one recorded for its own text and task type, at its position."""
    vectors = recorded(cassette)
    assert got == [vectors[(task, t)] for t in texts]


def batch_sizes(cassette: Cassette) -> list[int]:
    return sorted(len(body["requests"]) for body in bodies(cassette))


def cosine(a: list[float], b: list[float]) -> float:
    dot = sum(x * y for x, y in zip(a, b, strict=True))
    return dot / (math.sqrt(sum(x * x for x in a)) * math.sqrt(sum(y * y for y in b)))


# -- the client ----------------------------------------------------------------------------------


@pytest.mark.vcr
def test_embed_content(vcr: Cassette) -> None:
    sent = SentRequests()
    with YEScaleClient(http_client=sent.client()) as client:
        answer = client.gemini.embeddings.embed_content(
            model=MODEL, text=TEXTS[0], task_type="retrieval_query", output_dimensionality=8
        )
    assert isinstance(answer, EmbedContentResponse)
    assert len(answer.vector) == 8
    assert answer.vectors() == [answer.vector]
    assert vcr.requests[0].path == f"/v1beta/models/{MODEL}:embedContent"
    assert sent_json(vcr, 0) == {
        "content": {"parts": [{"text": TEXTS[0]}]},
        "taskType": "RETRIEVAL_QUERY",
        "outputDimensionality": 8,
    }
    (request,) = sent.requests
    assert request.headers["x-goog-api-key"] == "offline-test-api-key"
    assert "authorization" not in request.headers


@pytest.mark.vcr
async def test_embed_content_async_with_a_title(vcr: Cassette) -> None:
    async with YEScaleClient() as client:
        answer = await client.aio.gemini.embeddings.embed_content(
            model=f"models/{MODEL}",
            text=TEXTS[1],
            task_type="RETRIEVAL_DOCUMENT",
            title="Owls",
        )
    assert len(answer.vector) == 3072  # the model's full size
    assert math.isclose(math.sqrt(sum(x * x for x in answer.vector)), 1.0, abs_tol=1e-5)
    assert vcr.requests[0].path == f"/v1beta/models/{MODEL}:embedContent"
    assert sent_json(vcr, 0) == {
        "content": {"parts": [{"text": TEXTS[1]}]},
        "taskType": "RETRIEVAL_DOCUMENT",
        "title": "Owls",
    }


@pytest.mark.vcr
def test_batch_embed_contents(vcr: Cassette) -> None:
    with YEScaleClient() as client:
        batch = client.gemini.embeddings.batch_embed_contents(
            model=MODEL, texts=TEXTS, task_type="semantic_similarity", output_dimensionality=16
        )
        single = client.gemini.embeddings.embed_content(
            model=MODEL, text=TEXTS[2], task_type="SEMANTIC_SIMILARITY", output_dimensionality=16
        )
    assert vcr.requests[0].path == BATCH_PATH
    assert sent_json(vcr, 0) == {
        "requests": [entry(text, "SEMANTIC_SIMILARITY", 16) for text in TEXTS]
    }
    vectors = batch.vectors()
    assert [len(v) for v in vectors] == [16, 16, 16]
    assert len({tuple(v) for v in vectors}) == 3
    assert vectors[2] == single.vector  # in request order: the third vector is the third text's
    assert_all_played(vcr)


@pytest.mark.vcr
async def test_batch_embed_contents_async(vcr: Cassette) -> None:
    async with YEScaleClient() as client:
        batch = await client.aio.gemini.embeddings.batch_embed_contents(
            model="models/text-embedding-004", texts=TEXTS[:2], task_type="clustering"
        )
    assert vcr.requests[0].path == "/v1beta/models/text-embedding-004:batchEmbedContents"
    body = sent_json(vcr, 0)
    assert [r["model"] for r in body["requests"]] == ["models/text-embedding-004"] * 2
    assert {r["taskType"] for r in body["requests"]} == {"CLUSTERING"}
    assert [len(v) for v in batch.vectors()] == [768, 768]


# -- the framework classes choose the native endpoint ---------------------------------------------


@pytest.mark.vcr
def test_langchain_embed_documents_native_in_batches_of_100(vcr: Cassette) -> None:
    texts = [f"{text} ({i})" for i in range(5) for text in CORPUS][:120]
    embeddings = YEScaleEmbeddings(model=MODEL, dimensions=16)
    vectors = embeddings.embed_documents(texts)
    assert batch_sizes(vcr) == [20, 100]
    assert {r.path for r in vcr.requests} == {BATCH_PATH}
    for body in bodies(vcr):
        assert body["requests"] == [entry(t, "RETRIEVAL_DOCUMENT", 16) for t in texts_of(body)]
    check(vcr, vectors, texts, "RETRIEVAL_DOCUMENT")
    assert all(len(v) == 16 for v in vectors)
    assert_all_played(vcr)


@pytest.mark.vcr
def test_langchain_embed_query_sends_the_query_task_type(vcr: Cassette) -> None:
    embeddings = YEScaleEmbeddings(model=MODEL, dimensions=16)
    query = embeddings.embed_query("Where does the fox sleep?")
    document = embeddings.embed_documents(["Where does the fox sleep?"])[0]
    first, second = bodies(vcr)
    assert first == {"requests": [entry("Where does the fox sleep?", "RETRIEVAL_QUERY", 16)]}
    assert second == {"requests": [entry("Where does the fox sleep?", "RETRIEVAL_DOCUMENT", 16)]}
    assert query != document  # the same text, embedded for another task
    assert cosine(query, document) > 0.9


@pytest.mark.vcr
async def test_langchain_async_and_task_types_overridden(vcr: Cassette) -> None:
    embeddings = YEScaleEmbeddings(
        model=f"models/{MODEL}",
        dimensions=16,
        query_task_type="question_answering",
        document_task_type="fact-verification",
    )
    documents = await embeddings.aembed_documents(CORPUS[:4])
    query = await embeddings.aembed_query("Which animal hunts?")
    tasks = sorted(r["taskType"] for body in bodies(vcr) for r in body["requests"])
    assert tasks == ["FACT_VERIFICATION"] * 4 + ["QUESTION_ANSWERING"]
    check(vcr, documents, CORPUS[:4], "FACT_VERIFICATION")
    check(vcr, [query], ["Which animal hunts?"], "QUESTION_ANSWERING")


@pytest.mark.vcr
def test_llamaindex_native_with_query_and_document_task_types(vcr: Cassette) -> None:
    model = YEScaleEmbedding(model_name=MODEL, dimensions=32)
    batch = model.get_text_embedding_batch(CORPUS[:6])
    text = model.get_text_embedding(CORPUS[7])
    query = model.get_query_embedding("Where does the otter wait?")
    assert {r.path for r in vcr.requests} == {BATCH_PATH}
    tasks = [{r["taskType"] for r in body["requests"]} for body in bodies(vcr)]
    assert tasks == [{"RETRIEVAL_DOCUMENT"}, {"RETRIEVAL_DOCUMENT"}, {"RETRIEVAL_QUERY"}]
    check(vcr, [*batch, text], [*CORPUS[:6], CORPUS[7]], "RETRIEVAL_DOCUMENT")
    check(vcr, [query], ["Where does the otter wait?"], "RETRIEVAL_QUERY")


@pytest.mark.vcr
async def test_llamaindex_native_async(vcr: Cassette) -> None:
    model = YEScaleEmbedding(model_name=MODEL, dimensions=32, request_batch_size=4)
    batch = await model.aget_text_embedding_batch(CORPUS[:10])
    query = await model.aget_query_embedding("Which animal sings on the hill?")
    text = await model.aget_text_embedding(CORPUS[12])
    assert batch_sizes(vcr) == [1, 1, 2, 4, 4]
    check(vcr, [*batch, text], [*CORPUS[:10], CORPUS[12]], "RETRIEVAL_DOCUMENT")
    check(vcr, [query], ["Which animal sings on the hill?"], "RETRIEVAL_QUERY")


@pytest.mark.vcr
def test_both_frameworks_send_the_same_native_requests(vcr: Cassette) -> None:
    langchain = YEScaleEmbeddings(model=MODEL, dimensions=16)
    llamaindex = YEScaleEmbedding(model_name=MODEL, dimensions=16)
    assert langchain.embed_documents(TEXTS) == llamaindex.get_text_embedding_batch(TEXTS)
    assert langchain.embed_query("fox") == llamaindex.get_query_embedding("fox")
    first, second, third, fourth = bodies(vcr)
    assert first == second
    assert third == fourth
    assert_all_played(vcr)


@pytest.mark.vcr
def test_query_finds_its_document_with_shortened_vectors(vcr: Cassette) -> None:
    """Gemini normalizes only full-size vectors; cosine similarity ranks the same either way."""
    embeddings = YEScaleEmbeddings(model=MODEL, dimensions=256)
    docs = embeddings.embed_documents(CORPUS)
    query = embeddings.embed_query("Which animal hunts in the forest? The owl.")
    assert not math.isclose(math.sqrt(sum(x * x for x in docs[0])), 1.0, abs_tol=1e-3)
    scores = [cosine(query, doc) for doc in docs]
    assert CORPUS[scores.index(max(scores))] == "Note 6: the owl hunts near the forest."


@pytest.mark.vcr
def test_text_too_long_alone_is_split_down_to_itself_and_named(vcr: Cassette) -> None:
    """Gemini refuses a batch holding a text over 2048 tokens: the batch is halved until that
    text is alone, and its error names its position (the batching routine's own logic)."""
    long = "word " * 2500  # about 3100 tokens by the service's count
    texts = [CORPUS[0], CORPUS[1], long, CORPUS[3]]
    embeddings = YEScaleEmbeddings(model=MODEL, dimensions=8, max_concurrency=1)
    with pytest.raises(ContextLengthExceededError) as caught:
        embeddings.embed_documents(texts)
    assert "text 2" in str(caught.value)
    assert "exceeds the maximum number of tokens" in str(caught.value)
    assert [len(body["requests"]) for body in bodies(vcr)] == [4, 2, 2, 1]
    assert_all_played(vcr)


def test_forcing_the_openai_route_keeps_v1_embeddings() -> None:
    """``api="openai"`` sends a Gemini model over /v1/embeddings, without a task type."""
    seen: list[httpx.Request] = []

    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        data = [{"object": "embedding", "index": 0, "embedding": [0.5, 0.5]}]
        return httpx.Response(200, json={"object": "list", "data": data})

    transport = httpx.MockTransport(answer)
    embeddings = YEScaleEmbeddings(
        model=MODEL, api="openai", http_client=httpx.Client(transport=transport)
    )
    assert embeddings.embed_query("q") == [0.5, 0.5]
    (request,) = seen
    assert request.url.path == "/v1/embeddings"
    assert json.loads(request.content) == {
        "model": MODEL,
        "input": ["q"],
        "encoding_format": "base64",
    }
