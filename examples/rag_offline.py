"""Retrieval with YEScale embeddings: a LlamaIndex VectorStoreIndex and a LangChain
InMemoryVectorStore over the same small corpus, queried with questions.

python examples/rag_offline.py            # offline: replays recorded answers
YESCALE_API_KEY=... python examples/rag_offline.py   # live

Only embeddings are needed, no LLM: LlamaIndex answers through a retriever (not a query engine),
LangChain through a plain similarity search. Both classes batch the corpus through the same
routine in the client (ordered, concurrent, empty strings handled).
"""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import _offline

with _offline.exit_if_missing(__name__):  # run as a script: one line naming what to install
    from langchain_core.vectorstores import InMemoryVectorStore
    from llama_index.core import Document, VectorStoreIndex

    from langchain_yescale import YEScaleEmbeddings
    from llama_index_yescale import YEScaleEmbedding

MODEL = "text-embedding-3-small"
#: Short vectors: plenty for a small corpus, and smaller answers.
DIMENSIONS = 256

CORPUS = [
    "The Eiffel Tower is a wrought-iron lattice tower in Paris, finished in 1889.",
    "Photosynthesis lets green plants turn sunlight, water and carbon dioxide into sugar.",
    "The Great Barrier Reef off Queensland, Australia, is the largest coral reef system.",
    "Python is a programming language known for readable code and a large standard library.",
    "Mount Everest, in the Himalayas, is the highest mountain above sea level.",
    "Espresso is coffee brewed by forcing hot water through finely ground coffee beans.",
]

QUESTIONS = {
    "Which tower stands in Paris?": CORPUS[0],
    "How do plants turn sunlight into sugar?": CORPUS[1],
    "What is the highest mountain in the Himalayas?": CORPUS[4],
}


def with_llamaindex() -> dict[str, str]:
    """A VectorStoreIndex over the corpus; each question's best node."""
    embed_model = YEScaleEmbedding(model_name=MODEL, dimensions=DIMENSIONS)
    index = VectorStoreIndex.from_documents(
        [Document(text=text) for text in CORPUS], embed_model=embed_model
    )
    retriever = index.as_retriever(similarity_top_k=1)  # no LLM: retrieval only
    found = {}
    for question in QUESTIONS:
        (best,) = retriever.retrieve(question)
        found[question] = best.node.get_content()
        print(f"  {question}\n    -> {found[question]}  (score {best.score:.2f})")
    return found


def with_langchain() -> dict[str, str]:
    """An InMemoryVectorStore over the corpus; each question's best document (sync and async)."""
    embeddings = YEScaleEmbeddings(model=MODEL, dimensions=DIMENSIONS, chunk_size=4)
    store = InMemoryVectorStore.from_texts(CORPUS, embedding=embeddings)  # two batches: 4 + 2
    found = {}
    questions = list(QUESTIONS)
    for question in questions[:2]:
        (best,) = store.similarity_search(question, k=1)
        found[question] = best.page_content
        print(f"  {question}\n    -> {best.page_content}")

    async def ask_async(question: str) -> str:
        (best,) = await store.asimilarity_search(question, k=1)
        return best.page_content

    found[questions[2]] = asyncio.run(ask_async(questions[2]))
    print(f"  {questions[2]} (async)\n    -> {found[questions[2]]}")
    return found


def run() -> dict[str, Any]:
    """The demo itself; returns what it found so the test suite can check it."""
    print("LlamaIndex VectorStoreIndex + YEScaleEmbedding")
    llamaindex = with_llamaindex()
    print("\nLangChain InMemoryVectorStore + YEScaleEmbeddings")
    langchain = with_langchain()
    return {"expected": QUESTIONS, "llamaindex": llamaindex, "langchain": langchain}


if __name__ == "__main__":
    # This example's recordings are its test's: cassettes/integration/test_embedding_examples/.
    with _offline.live_or_replay("rag_offline", "test_embedding_examples"):
        run()
