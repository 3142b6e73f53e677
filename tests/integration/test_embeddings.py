"""YEScaleEmbeddings (LangChain) and YEScaleEmbedding (LlamaIndex) over replayed cassettes.

Sync and async, multi-batch corpora (batches run concurrently, so they are recorded in any order;
body matching replays each to its own request), ``dimensions``, base64 and float answers, empty
strings, and a Gemini embedding model through the same classes on ``/v1/embeddings``
(``api="openai"``; Gemini's native route is tested in ``test_embeddings_gemini.py``).

Expected vectors are read from the cassette itself (each recorded answer, sorted by its
``index``, belongs to the inputs of its request), so these tests hold for live recordings too.
"""

from __future__ import annotations

import base64
import json
import math
import struct
from typing import Any

import pytest
from vcr.cassette import Cassette

from langchain_yescale import YEScaleEmbeddings
from llama_index_yescale import YEScaleEmbedding
from yescale import InvalidRequestError
from yescale.types import EmbeddingResponse

from .client_support import assert_all_played, response_body

MODEL = "text-embedding-3-small"
GEMINI = "gemini-embedding-001"

#: 25 distinct sentences: with chunk_size=10, three requests (10, 10, 5).
CORPUS = [
    f"Note {i}: the {animal} {verb} near the {place}."
    for i, (animal, verb, place) in enumerate(
        (a, v, p)
        for a in ("fox", "owl", "otter", "heron", "badger")
        for v, p in (
            ("sleeps", "river"),
            ("hunts", "forest"),
            ("sings", "hill"),
            ("waits", "bridge"),
            ("runs", "meadow"),
        )
    )
]


def requests_of(cassette: Cassette) -> list[dict[str, Any]]:
    out = []
    for request in cassette.requests:
        body = request.body
        out.append(json.loads(body.decode() if isinstance(body, bytes) else body))
    return out


def inputs(body: dict[str, Any]) -> list[str]:
    value = body["input"]
    return [value] if isinstance(value, str) else list(value)


def recorded_vectors(cassette: Cassette) -> dict[str, list[float]]:
    """Every text the cassette embedded -> the vector recorded for it."""
    vectors: dict[str, list[float]] = {}
    for i, body in enumerate(requests_of(cassette)):
        answer = EmbeddingResponse.model_validate_json(response_body(cassette, i))
        for text, vector in zip(inputs(body), answer.vectors(), strict=True):
            vectors[text] = vector
    return vectors


def batch_sizes(cassette: Cassette) -> list[int]:
    return sorted(len(inputs(body)) for body in requests_of(cassette))


def check_corpus(cassette: Cassette, got: list[list[float]], texts: list[str], size: int) -> None:
    recorded = recorded_vectors(cassette)
    assert got == [recorded[t] for t in texts]  # each vector at its own text's position
    assert all(len(v) == size for v in got)
    assert all(isinstance(x, float) for v in got for x in v)
    assert len({tuple(v) for v in got}) == len(set(texts))
    assert_all_played(cassette)


def norm(vector: list[float]) -> float:
    return math.sqrt(sum(x * x for x in vector))


def cosine(a: list[float], b: list[float]) -> float:
    return sum(x * y for x, y in zip(a, b, strict=True)) / (norm(a) * norm(b))


# -- LangChain -----------------------------------------------------------------------------------


@pytest.mark.vcr
def test_langchain_embed_documents_multi_batch(vcr: Cassette) -> None:
    embeddings = YEScaleEmbeddings(model=MODEL, chunk_size=10, dimensions=64)
    vectors = embeddings.embed_documents(CORPUS)
    assert len(vectors) == 25
    assert batch_sizes(vcr) == [5, 10, 10]
    for body in requests_of(vcr):
        assert body["model"] == MODEL
        assert body["dimensions"] == 64
        assert body["encoding_format"] == "base64"
    check_corpus(vcr, vectors, CORPUS, 64)


@pytest.mark.vcr
async def test_langchain_aembed_documents_multi_batch(vcr: Cassette) -> None:
    embeddings = YEScaleEmbeddings(model=MODEL, chunk_size=10, dimensions=64)
    vectors = await embeddings.aembed_documents(CORPUS)
    assert batch_sizes(vcr) == [5, 10, 10]
    check_corpus(vcr, vectors, CORPUS, 64)


@pytest.mark.vcr
def test_langchain_embed_query(vcr: Cassette) -> None:
    embeddings = YEScaleEmbeddings(model=MODEL, dimensions=32)
    query = embeddings.embed_query("Where does the fox sleep?")
    assert requests_of(vcr) == [
        {
            "model": MODEL,
            "input": ["Where does the fox sleep?"],
            "dimensions": 32,
            "encoding_format": "base64",
        }
    ]
    check_corpus(vcr, [query], ["Where does the fox sleep?"], 32)


@pytest.mark.vcr
async def test_langchain_aembed_query(vcr: Cassette) -> None:
    embeddings = YEScaleEmbeddings(model=MODEL, dimensions=32)
    query = await embeddings.aembed_query("Where does the owl hunt?")
    check_corpus(vcr, [query], ["Where does the owl hunt?"], 32)


@pytest.mark.vcr
def test_langchain_dimensions_are_honoured(vcr: Cassette) -> None:
    short = YEScaleEmbeddings(model=MODEL, dimensions=16).embed_documents(CORPUS[:2])
    longer = YEScaleEmbeddings(model=MODEL, dimensions=48).embed_documents(CORPUS[:2])
    assert [len(v) for v in short] == [16, 16]
    assert [len(v) for v in longer] == [48, 48]
    assert [body["dimensions"] for body in requests_of(vcr)] == [16, 48]
    assert_all_played(vcr)


@pytest.mark.vcr
def test_langchain_base64_answers_are_decoded(vcr: Cassette) -> None:
    texts = CORPUS[:3]
    packed = YEScaleEmbeddings(model=MODEL, dimensions=16).embed_documents(texts)
    floats = YEScaleEmbeddings(model=MODEL, dimensions=16, encoding_format="float").embed_documents(
        texts
    )
    first, second = requests_of(vcr)
    assert first["encoding_format"] == "base64"
    assert second["encoding_format"] == "float"
    raw = json.loads(response_body(vcr, 0))
    assert all(isinstance(item["embedding"], str) for item in raw["data"])
    assert all(
        isinstance(item["embedding"], list) for item in json.loads(response_body(vcr, 1))["data"]
    )
    item = next(item for item in raw["data"] if item["index"] == 0)
    assert packed[0] == list(struct.unpack("<16f", base64.b64decode(item["embedding"])))
    # float32 on the wire either way: the decoded vectors are the float answer's numbers.
    for a, b in zip(packed, floats, strict=True):
        assert a == pytest.approx(b, abs=1e-6)
    assert_all_played(vcr)


@pytest.mark.vcr
def test_langchain_empty_strings_are_sent_as_one_space(vcr: Cassette) -> None:
    texts = ["A fox sleeps.", "", "   ", "An owl hunts."]
    vectors = YEScaleEmbeddings(model=MODEL, dimensions=16).embed_documents(texts)
    (body,) = requests_of(vcr)
    assert body["input"] == ["A fox sleeps.", " ", "An owl hunts."]
    assert vectors[1] == vectors[2]
    assert vectors[0] != vectors[1] != vectors[3]
    assert_all_played(vcr)


def test_langchain_bad_input_is_refused_before_any_request() -> None:
    embeddings = YEScaleEmbeddings(model=MODEL)
    assert embeddings.embed_documents([]) == []  # as OpenAIEmbeddings, without a request
    with pytest.raises(InvalidRequestError, match=r"input\[1\] is a int"):
        embeddings.embed_documents(["fine", 42])  # type: ignore[list-item]
    with pytest.raises(InvalidRequestError, match="Text 0 is empty"):
        YEScaleEmbeddings(model=MODEL, empty="error").embed_query("  ")


@pytest.mark.vcr
def test_langchain_gemini_embedding_model(vcr: Cassette) -> None:
    """Gemini embedding models go through the same class on /v1/embeddings when asked to
    (``api="openai"``; the default is Gemini's native endpoint), at most 100 a request."""
    texts = [f"{text} ({i})" for i in range(5) for text in CORPUS][:120]
    embeddings = YEScaleEmbeddings(model=GEMINI, dimensions=16, api="openai")
    vectors = embeddings.embed_documents(texts)
    assert batch_sizes(vcr) == [20, 100]
    for body in requests_of(vcr):
        assert body["model"] == GEMINI
        assert body["dimensions"] == 16
    check_corpus(vcr, vectors, texts, 16)
    assert vcr.requests[0].path == "/v1/embeddings"


@pytest.mark.vcr
async def test_langchain_gemini_embedding_model_async(vcr: Cassette) -> None:
    embeddings = YEScaleEmbeddings(model=GEMINI, dimensions=16, api="openai")
    vectors = await embeddings.aembed_documents(CORPUS[:4])
    query = await embeddings.aembed_query("Where does the fox sleep?")
    check_corpus(vcr, [*vectors, query], [*CORPUS[:4], "Where does the fox sleep?"], 16)


# -- LlamaIndex ----------------------------------------------------------------------------------


@pytest.mark.vcr
def test_llamaindex_get_text_embedding_batch(vcr: Cassette) -> None:
    model = YEScaleEmbedding(model_name=MODEL, dimensions=64, request_batch_size=10)
    vectors = model.get_text_embedding_batch(CORPUS)
    assert batch_sizes(vcr) == [5, 10, 10]
    assert all(body["dimensions"] == 64 for body in requests_of(vcr))
    check_corpus(vcr, vectors, CORPUS, 64)


@pytest.mark.vcr
async def test_llamaindex_aget_text_embedding_batch(vcr: Cassette) -> None:
    model = YEScaleEmbedding(
        model_name=MODEL, dimensions=64, embed_batch_size=10, num_workers=2, request_batch_size=5
    )
    vectors = await model.aget_text_embedding_batch(CORPUS)
    assert batch_sizes(vcr) == [5] * 5
    check_corpus(vcr, vectors, CORPUS, 64)


@pytest.mark.vcr
def test_llamaindex_query_and_text_embedding(vcr: Cassette) -> None:
    model = YEScaleEmbedding(model_name=MODEL, dimensions=32)
    query = model.get_query_embedding("Which animal sings on the hill?")
    text = model.get_text_embedding(CORPUS[7])
    check_corpus(vcr, [query, text], ["Which animal sings on the hill?", CORPUS[7]], 32)


@pytest.mark.vcr
async def test_llamaindex_async_query_and_text_embedding(vcr: Cassette) -> None:
    model = YEScaleEmbedding(model_name=MODEL, dimensions=32)
    query = await model.aget_query_embedding("Which animal runs in the meadow?")
    text = await model.aget_text_embedding(CORPUS[4])
    check_corpus(vcr, [query, text], ["Which animal runs in the meadow?", CORPUS[4]], 32)


@pytest.mark.vcr
def test_llamaindex_gemini_embedding_model(vcr: Cassette) -> None:
    model = YEScaleEmbedding(model_name=GEMINI, dimensions=16, api="openai")
    vectors = model.get_text_embedding_batch(CORPUS[:6])
    query = model.get_query_embedding("Where does the otter wait?")
    assert {body["model"] for body in requests_of(vcr)} == {GEMINI}
    check_corpus(vcr, [*vectors, query], [*CORPUS[:6], "Where does the otter wait?"], 16)


@pytest.mark.vcr
async def test_llamaindex_gemini_embedding_model_async(vcr: Cassette) -> None:
    model = YEScaleEmbedding(model_name=GEMINI, dimensions=16, api="openai")
    vectors = await model.aget_text_embedding_batch(CORPUS[:6])
    check_corpus(vcr, vectors, CORPUS[:6], 16)


@pytest.mark.vcr
def test_both_frameworks_give_the_same_vectors(vcr: Cassette) -> None:
    """One routine under both classes: the same request, the same vectors."""
    texts = CORPUS[10:13]
    langchain = YEScaleEmbeddings(model=MODEL, dimensions=16).embed_documents(texts)
    llamaindex = YEScaleEmbedding(model_name=MODEL, dimensions=16).get_text_embedding_batch(texts)
    assert langchain == llamaindex
    first, second = requests_of(vcr)
    assert first == second
    assert_all_played(vcr)


@pytest.mark.vcr
def test_similar_texts_get_similar_vectors(vcr: Cassette) -> None:
    """The vectors are usable for retrieval: a question is nearest the sentence it asks about."""
    embeddings = YEScaleEmbeddings(model=MODEL, dimensions=256)
    docs = embeddings.embed_documents(CORPUS)
    query = embeddings.embed_query("Which animal hunts in the forest? The owl.")
    scores = [cosine(query, doc) for doc in docs]
    assert CORPUS[scores.index(max(scores))] == "Note 6: the owl hunts near the forest."
