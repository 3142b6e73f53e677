"""Gemini-native embeddings as the fault tests call them: ``client.gemini.embeddings``'s
``embedContent`` and ``batchEmbedContents``, sync and async, with their good answers."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from yescale import YEScaleClient

GEMINI_EMBEDDING = "gemini-embedding-001"
EMBED_PATH = f"/v1beta/models/{GEMINI_EMBEDDING}:embedContent"
BATCH_PATH = f"/v1beta/models/{GEMINI_EMBEDDING}:batchEmbedContents"
#: Gemini's answers (ai.google.dev/api/embeddings): one vector; a vector per request, in order.
EMBED_ONE: dict[str, Any] = {"embedding": {"values": [0.25, -0.5]}}
EMBED_BATCH: dict[str, Any] = {"embeddings": [{"values": [0.25, -0.5]}, {"values": [0.5, 0.75]}]}


def embed_content(client: YEScaleClient, ctx: Any = None) -> Any:
    return client.gemini.embeddings.embed_content(
        model=GEMINI_EMBEDDING, text="a", task_type="RETRIEVAL_QUERY"
    )


async def aembed_content(client: YEScaleClient, ctx: Any = None) -> Any:
    return await client.aio.gemini.embeddings.embed_content(
        model=GEMINI_EMBEDDING, text="a", task_type="RETRIEVAL_QUERY"
    )


def check_embed_content(result: Any, ctx: Any = None) -> None:
    assert result.vector == [0.25, -0.5]


def batch_embed_contents(client: YEScaleClient, ctx: Any = None) -> Any:
    return client.gemini.embeddings.batch_embed_contents(
        model=GEMINI_EMBEDDING, texts=["a", "b"], task_type="RETRIEVAL_DOCUMENT"
    )


async def abatch_embed_contents(client: YEScaleClient, ctx: Any = None) -> Any:
    return await client.aio.gemini.embeddings.batch_embed_contents(
        model=GEMINI_EMBEDDING, texts=["a", "b"], task_type="RETRIEVAL_DOCUMENT"
    )


def check_batch_embed_contents(result: Any, ctx: Any = None) -> None:
    assert result.vectors() == [[0.25, -0.5], [0.5, 0.75]]
