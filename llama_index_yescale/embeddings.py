"""``YEScaleEmbedding``: LlamaIndex ``BaseEmbedding`` over YEScale's ``/v1/embeddings``."""

from __future__ import annotations

from typing import Any, Literal

from llama_index.core.base.embeddings.base import BaseEmbedding, Embedding
from pydantic import Field

from yescale import embedding_batches

from ._client_params import YEScaleClientParams


class YEScaleEmbedding(YEScaleClientParams, BaseEmbedding):
    """YEScale embeddings for LlamaIndex (``VectorStoreIndex``, ingestion pipelines).

    .. code-block:: python

        from llama_index.core import Settings, VectorStoreIndex
        from llama_index_yescale import YEScaleEmbedding

        Settings.embed_model = YEScaleEmbedding(model_name="text-embedding-3-small")
        index = VectorStoreIndex.from_documents(documents)

    ``embed_batch_size`` is how many texts LlamaIndex hands over at a time (default 2048, the
    most it allows); the client then sends them ``request_batch_size`` per request,
    ``max_concurrency`` requests at once, in order. Empty texts are embedded as a single space
    (``empty="space"``) or refused (``empty="error"``). ``num_workers`` parallelises LlamaIndex's
    own async batches on top.
    """

    model_name: str = Field(default="text-embedding-3-small")
    embed_batch_size: int = Field(default=2048, gt=0, le=2048)
    dimensions: int | None = None
    request_batch_size: int = Field(default=embedding_batches.DEFAULT_CHUNK_SIZE, ge=1, le=2048)
    max_concurrency: int = Field(default=embedding_batches.DEFAULT_MAX_CONCURRENCY, ge=1)
    encoding_format: Literal["float", "base64"] = "base64"
    empty: embedding_batches.EmptyPolicy = "space"
    additional_kwargs: dict[str, Any] = Field(default_factory=dict)

    @classmethod
    def class_name(cls) -> str:
        return "YEScaleEmbedding"

    def _options(self) -> dict[str, Any]:
        params: dict[str, Any] = {
            "model": self.model_name,
            "chunk_size": self.request_batch_size,
            "max_concurrency": self.max_concurrency,
            "empty": self.empty,
            "encoding_format": self.encoding_format,
            **self.additional_kwargs,
        }
        if self.dimensions is not None:
            params["dimensions"] = self.dimensions
        return params

    def _get_text_embeddings(self, texts: list[str]) -> list[Embedding]:
        return embedding_batches.embed(self.client.embeddings, texts, **self._options())

    async def _aget_text_embeddings(self, texts: list[str]) -> list[Embedding]:
        return await embedding_batches.aembed(self.client.aio.embeddings, texts, **self._options())

    def _get_text_embedding(self, text: str) -> Embedding:
        return self._get_text_embeddings([text])[0]

    async def _aget_text_embedding(self, text: str) -> Embedding:
        return (await self._aget_text_embeddings([text]))[0]

    def _get_query_embedding(self, query: str) -> Embedding:
        return self._get_text_embedding(query)

    async def _aget_query_embedding(self, query: str) -> Embedding:
        return await self._aget_text_embedding(query)
