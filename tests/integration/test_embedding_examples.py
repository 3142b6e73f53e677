"""The retrieval example runs (offline, from its cassette) and finds the right documents."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest
from vcr.cassette import Cassette

from .client_support import assert_all_played

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "examples"))


@pytest.mark.vcr
@pytest.mark.default_cassette("rag_offline.yaml")
def test_rag_offline_example(vcr: Cassette) -> None:
    import rag_offline

    shown = rag_offline.run()
    expected = shown["expected"]
    assert shown["llamaindex"] == expected  # each question retrieved its own document
    assert shown["langchain"] == expected

    bodies = [json.loads(request.body) for request in vcr.requests]
    assert {body["model"] for body in bodies} == {rag_offline.MODEL}
    assert {body["dimensions"] for body in bodies} == {rag_offline.DIMENSIONS}
    corpus_batches = sorted(len(b["input"]) for b in bodies if len(b["input"]) > 1)
    assert corpus_batches == [2, 4, 6]  # LangChain: chunk_size=4; LlamaIndex: one request
    assert_all_played(vcr)


def test_example_offline_cassette_exists() -> None:
    cassette = ROOT / "cassettes" / "integration" / "test_embedding_examples" / "rag_offline.yaml"
    assert cassette.is_file()
    assert cassette.read_text(encoding="utf-8").startswith("# source:")


@pytest.mark.vcr
@pytest.mark.default_cassette("gemini_rag.yaml")
def test_gemini_rag_example(vcr: Cassette) -> None:
    import gemini_rag

    shown = gemini_rag.run()
    assert shown["vector_store"] == shown["expected"]  # each question found its passage
    assert shown["cosine"] == shown["expected"]

    path = f"/v1beta/models/{gemini_rag.MODEL}:batchEmbedContents"
    assert {request.path for request in vcr.requests} == {path}
    entries = [entry for r in vcr.requests for entry in json.loads(r.body)["requests"]]
    assert {e["outputDimensionality"] for e in entries} == {gemini_rag.DIMENSIONS}
    documents = [e for e in entries if e["taskType"] == "RETRIEVAL_DOCUMENT"]
    queries = [e for e in entries if e["taskType"] == "RETRIEVAL_QUERY"]
    assert len(documents) == 2 * len(gemini_rag.CORPUS)  # the store's batch, the by-hand batch
    assert len(queries) == 2 * len(gemini_rag.QUESTIONS)  # through the store, and by hand
    assert_all_played(vcr)


def test_gemini_rag_offline_cassette_exists() -> None:
    cassette = ROOT / "cassettes" / "integration" / "test_embedding_examples" / "gemini_rag.yaml"
    assert cassette.is_file()
    assert cassette.read_text(encoding="utf-8").startswith("# source:")
