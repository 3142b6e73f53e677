"""Retrieval with Gemini embeddings on Gemini's native endpoint, with task types.

python examples/gemini_rag.py            # offline: replays recorded answers
YESCALE_API_KEY=... python examples/gemini_rag.py   # live

``YEScaleEmbeddings(model="gemini-embedding-001")`` sends Gemini embedding models to Gemini's own
``batchEmbedContents`` (``api="auto"``, the default), the key in ``x-goog-api-key``. Documents are
embedded with ``taskType: RETRIEVAL_DOCUMENT`` and questions with ``RETRIEVAL_QUERY``: Gemini
embeds a text for what it will be used for, which is what makes a question land near the passage
that answers it. ``dimensions`` becomes Gemini's ``outputDimensionality``.

Two ways to retrieve, no LLM needed: LangChain's ``InMemoryVectorStore``, and plain cosine
similarity over the vectors (what any vector store does).
"""

from __future__ import annotations

import asyncio
import math
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import _offline

with _offline.exit_if_missing(__name__):  # run as a script: one line naming what to install
    from langchain_core.vectorstores import InMemoryVectorStore

    from langchain_yescale import YEScaleEmbeddings

MODEL = "gemini-embedding-001"
#: Gemini's Matryoshka sizes: 768, 1536 or 3072 (the full size) are the recommended ones.
DIMENSIONS = 768

CORPUS = [
    "The Mekong river flows through six countries before it reaches the South China Sea.",
    "Pho is a Vietnamese noodle soup made with broth, rice noodles, herbs and beef or chicken.",
    "Ha Long Bay is known for thousands of limestone islands rising from emerald water.",
    "The Hanoi Old Quarter has narrow streets, each once named after the goods sold there.",
    "Coffee in Vietnam is often brewed with a phin filter and served with condensed milk.",
]

QUESTIONS = {
    "Which river reaches the South China Sea?": CORPUS[0],
    "How is Vietnamese coffee brewed?": CORPUS[4],
    "What are the limestone islands of Ha Long Bay?": CORPUS[2],
}


def embeddings() -> YEScaleEmbeddings:
    # The task types shown are the defaults; set them to another of Gemini's (e.g.
    # "question_answering" / "fact_verification") for other kinds of search.
    return YEScaleEmbeddings(
        model=MODEL,
        dimensions=DIMENSIONS,
        query_task_type="RETRIEVAL_QUERY",
        document_task_type="RETRIEVAL_DOCUMENT",
    )


def with_vector_store(model: YEScaleEmbeddings) -> dict[str, str]:
    """An InMemoryVectorStore over the corpus; each question's best document (sync and async)."""
    store = InMemoryVectorStore.from_texts(CORPUS, embedding=model)  # one batchEmbedContents
    questions = list(QUESTIONS)
    found = {}
    for question in questions[:2]:
        (best,) = store.similarity_search(question, k=1)
        found[question] = best.page_content
        print(f"  {question}\n    -> {best.page_content}")

    async def ask(question: str) -> str:
        (best,) = await store.asimilarity_search(question, k=1)
        return best.page_content

    found[questions[2]] = asyncio.run(ask(questions[2]))
    print(f"  {questions[2]} (async)\n    -> {found[questions[2]]}")
    return found


def cosine(a: list[float], b: list[float]) -> float:
    """Gemini normalizes only full-size (3072) vectors: divide by both norms."""
    dot = sum(x * y for x, y in zip(a, b, strict=True))
    return dot / (math.sqrt(sum(x * x for x in a)) * math.sqrt(sum(y * y for y in b)))


def with_plain_cosine(model: YEScaleEmbeddings) -> dict[str, str]:
    """The same retrieval by hand: document vectors once, then each question's nearest one."""
    documents = model.embed_documents(CORPUS)  # RETRIEVAL_DOCUMENT
    found = {}
    for question in QUESTIONS:
        query = model.embed_query(question)  # RETRIEVAL_QUERY
        scores = [cosine(query, document) for document in documents]
        best = max(range(len(CORPUS)), key=scores.__getitem__)
        found[question] = CORPUS[best]
        print(f"  {question}\n    -> {CORPUS[best]}  (cosine {scores[best]:.2f})")
    return found


def run() -> dict[str, Any]:
    """The demo itself; returns what it found so the test suite can check it."""
    model = embeddings()
    print(f"LangChain InMemoryVectorStore + YEScaleEmbeddings({MODEL!r}), native endpoint")
    store = with_vector_store(model)
    print("\nPlain cosine similarity over the same embeddings")
    plain = with_plain_cosine(model)
    return {"expected": QUESTIONS, "vector_store": store, "cosine": plain}


if __name__ == "__main__":
    # This example's recordings are its test's: cassettes/integration/test_embedding_examples/.
    with _offline.live_or_replay("gemini_rag", "test_embedding_examples"):
        run()
