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
