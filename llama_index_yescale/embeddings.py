"""``YEScaleEmbedding``: LlamaIndex ``BaseEmbedding`` over YEScale's ``/v1/embeddings``, and
Gemini's native ``batchEmbedContents`` for Gemini embedding models."""

from __future__ import annotations

import asyncio
from contextvars import ContextVar
from typing import Any

from llama_index.core.base.embeddings import base as _core
from llama_index.core.base.embeddings.base import BaseEmbedding, Embedding
from llama_index.core.callbacks import CBEventType, EventPayload
from llama_index.core.instrumentation.events.embedding import (
    EmbeddingEndEvent,
    EmbeddingStartEvent,
)
from pydantic import Field, model_validator

from yescale import InvalidRequestError, embedding_batches
from yescale.integration import embedding_jobs
from yescale.integration.embedding_jobs import Task
from yescale.integration.options import EmbeddingOptions
from yescale.integration.progress import CountingBar, counting_bar
from yescale.models.kinds import check_embedding_model

from ._client_params import YEScaleClientParams
from .costs import reporting

#: The bar of the batch call in progress (LlamaIndex hands its texts to ``_get_text_embeddings``
#: in pieces of ``embed_batch_size``; each piece adds to the one bar of the whole call).
_BAR: ContextVar[CountingBar | None] = ContextVar("yescale_embedding_bar", default=None)
_LABEL = "Generating embeddings"  # LlamaIndex's own label


class YEScaleEmbedding(YEScaleClientParams, EmbeddingOptions, BaseEmbedding):
    """YEScale embeddings for LlamaIndex (``VectorStoreIndex``, ingestion pipelines): OpenAI
    ``text-embedding-3-*`` / ``text-embedding-ada-002`` over ``/v1/embeddings``, and Gemini
    embedding models (``gemini-embedding-001``, ``text-embedding-004``) over Gemini's native
    ``batchEmbedContents`` (``api="auto"``, the default; ``api="openai"`` / ``"gemini"`` force a
    route). On the Gemini route queries are sent with ``query_task_type`` (default
    ``RETRIEVAL_QUERY``), texts and batches with ``document_task_type`` (``RETRIEVAL_DOCUMENT``).

    .. code-block:: python

        from llama_index.core import Settings, VectorStoreIndex
        from llama_index_yescale import YEScaleEmbedding

        Settings.embed_model = YEScaleEmbedding(model_name="text-embedding-3-small")
        index = VectorStoreIndex.from_documents(documents)

    Every sync and async method works: ``get_query_embedding`` / ``aget_query_embedding``,
    ``get_text_embedding`` / ``aget_text_embedding``, ``get_text_embedding_batch`` /
    ``aget_text_embedding_batch``.

    ``embed_batch_size`` is how many texts LlamaIndex hands over at a time (default 2048, the
    most it allows); the client then sends them ``request_batch_size`` per request (capped at
    the model's limit: 2048 for OpenAI models, 100 for Gemini), in order. ``num_workers`` lets
    LlamaIndex run several of its batches at once on the async path; whatever it does, at most
    ``max_concurrency`` requests are in flight per object (default 8 on the sync path; on the
    async path, when it is not set, 32: LlamaIndex's own async path sends all its batches at
    once). Empty texts are embedded as a single
    space (``empty="space"``) or refused (``empty="error"``). ``dimensions`` shortens vectors
    (``text-embedding-3-*``, Gemini embedding models).

    Progress: ``get_text_embedding_batch(texts, show_progress=True)`` (LlamaIndex's convention,
    which ``VectorStoreIndex.from_documents(..., show_progress=True)`` passes down) draws a bar
    counting texts as their requests return, tqdm when installed, else a line on stderr;
    ``show_progress=True`` on the class does so for every batch call. Silent by default.
    """

    model_name: str = Field(default="text-embedding-3-small")
    """Embedding model name (``model=`` is accepted too)."""
    embed_batch_size: int = Field(default=2048, gt=0, le=2048)
    """Texts per call from LlamaIndex into this class."""
    request_batch_size: int = Field(
        default=embedding_batches.DEFAULT_CHUNK_SIZE,
        ge=1,
        le=embedding_batches.MAX_INPUTS_PER_REQUEST,
    )
    """Inputs per HTTP request (capped at the model's per-request limit)."""
    additional_kwargs: dict[str, Any] = Field(default_factory=dict)
    """Extra request fields (e.g. ``user``)."""

    @model_validator(mode="before")
    @classmethod
    def _model_alias(cls, data: Any) -> Any:
        if isinstance(data, dict) and "model" in data:
            data = dict(data)
            model = data.pop("model")
            data.setdefault("model_name", model)
        return data

    @model_validator(mode="after")
    def _check_kwargs(self) -> YEScaleEmbedding:
        reserved = {"model", "input"} & set(self.additional_kwargs)
        if reserved:
            raise InvalidRequestError(
                f"additional_kwargs may not set {sorted(reserved)}: pass model_name=... to the "
                "class, and texts to the embedding methods."
            )
        check_embedding_model(self.model_name)  # a chat model here fails every request
        embedding_jobs.check_api(self.model_name, self.api)
        return self

    @classmethod
    def class_name(cls) -> str:
        return "YEScaleEmbedding"

    def _options(self, task: Task, asynchronous: bool = False) -> dict[str, Any]:
        return embedding_jobs.job_options(
            model=self.model_name,
            api=self.api,
            task_type=self.query_task_type if task == "query" else self.document_task_type,
            chunk_size=self.request_batch_size,
            max_batch_tokens=self.max_batch_tokens,
            limit=self._concurrency(asynchronous),
            empty=self.empty,
            encoding_format=self.encoding_format,
            dimensions=self.dimensions,
            extra=self.additional_kwargs,
        )

    def get_text_embedding_batch(
        self, texts: list[str], show_progress: bool = False, **kwargs: Any
    ) -> list[Embedding]:
        """LlamaIndex's batch call; with ``show_progress=True`` (passed down by
        ``VectorStoreIndex.from_documents(..., show_progress=True)``) or the ``show_progress``
        option (for an ``IngestionPipeline``, which keeps its flag for its own bar), a bar counts
        the texts as their requests return (LlamaIndex's own bar would count texts handed over,
        before any is embedded)."""
        with counting_bar(_LABEL, show=self._shows(texts, show_progress), total=len(texts)) as bar:
            token = _BAR.set(bar)
            try:
                embeddings = super().get_text_embedding_batch(texts, show_progress=False, **kwargs)
            finally:
                _BAR.reset(token)
            if bar is not None:
                bar(len(texts), len(texts))  # texts served from an embeddings cache count too
            return embeddings

    async def aget_text_embedding_batch(
        self, texts: list[str], show_progress: bool = False, **kwargs: Any
    ) -> list[Embedding]:
        """Async :meth:`get_text_embedding_batch`, with the same bar."""
        with counting_bar(_LABEL, show=self._shows(texts, show_progress), total=len(texts)) as bar:
            token = _BAR.set(bar)
            try:
                if self._plain() and isinstance(texts, list):
                    embeddings = await self._abatches(texts)
                else:
                    embeddings = await super().aget_text_embedding_batch(
                        texts, show_progress=False, **kwargs
                    )
            finally:
                _BAR.reset(token)
            if bar is not None:
                bar(len(texts), len(texts))
            return embeddings

    def _plain(self) -> bool:
        """No embeddings cache, worker pool or rate limiter: LlamaIndex's async batch path is
        pieces, events and a ``gather``, which :meth:`_abatches` does alike."""
        workers = self.num_workers
        return (
            self.embeddings_cache is None
            and not (workers and workers > 1)
            and getattr(self, "rate_limiter", None) is None
        )

    async def _abatches(self, texts: list[str]) -> list[Embedding]:
        """LlamaIndex's ``aget_text_embedding_batch`` without a cache, workers or rate limiter:
        the same pieces of ``embed_batch_size``, the same instrumentation events and callback
        events per piece, in the same order, every piece at once; but the end event is built
        without validating the vectors again (pydantic copying 20,000 x 256 floats was a fifth
        of the CPU of a large batch): they are the lists this class made."""
        size = self.embed_batch_size
        pieces = [texts[i : i + size] for i in range(0, len(texts), size)]
        model_dict = self.to_payload()
        events = []
        for _ in pieces:
            _core.dispatcher.event(EmbeddingStartEvent(model_dict=model_dict))
            events.append(
                self.callback_manager.on_event_start(
                    CBEventType.EMBEDDING, payload={EventPayload.SERIALIZED: model_dict}
                )
            )
        nested = await asyncio.gather(*(self._aget_text_embeddings(piece) for piece in pieces))
        for event_id, piece, vectors in zip(events, pieces, nested, strict=True):
            end = EmbeddingEndEvent.model_construct(chunks=piece, embeddings=vectors)
            _core.dispatcher.event(end)
            self.callback_manager.on_event_end(
                CBEventType.EMBEDDING,
                payload={EventPayload.CHUNKS: piece, EventPayload.EMBEDDINGS: vectors},
                event_id=event_id,
            )
        return [vector for vectors in nested for vector in vectors]

    def _shows(self, texts: Any, show_progress: bool) -> bool:
        return bool(show_progress or self.show_progress) and not _nothing(texts)

    def _embed(self, texts: list[str], task: Task) -> list[Embedding]:
        if _nothing(texts):
            return []  # as LlamaIndex does for an empty batch: no request
        with reporting("embedding"):
            endpoint = embedding_jobs.endpoint(self.client, self.model_name, self.api)
            return embedding_batches.embed(
                endpoint, texts, on_progress=_piece(texts), **self._options(task)
            )

    async def _aembed(self, texts: list[str], task: Task) -> list[Embedding]:
        if _nothing(texts):
            return []
        with reporting("embedding"):
            endpoint = embedding_jobs.async_endpoint(self.client.aio, self.model_name, self.api)
            return await embedding_batches.aembed(
                endpoint, texts, on_progress=_piece(texts), **self._options(task, asynchronous=True)
            )

    def _get_text_embeddings(self, texts: list[str]) -> list[Embedding]:
        return self._embed(texts, "document")

    async def _aget_text_embeddings(self, texts: list[str]) -> list[Embedding]:
        return await self._aembed(texts, "document")

    def _get_text_embedding(self, text: str) -> Embedding:
        return self._embed([text], "document")[0]

    async def _aget_text_embedding(self, text: str) -> Embedding:
        return (await self._aembed([text], "document"))[0]

    def _get_query_embedding(self, query: str) -> Embedding:
        """Gemini route: sent with ``query_task_type`` (``RETRIEVAL_QUERY``)."""
        return self._embed([query], "query")[0]

    async def _aget_query_embedding(self, query: str) -> Embedding:
        return (await self._aembed([query], "query"))[0]


def _piece(texts: list[str]) -> Any:
    """The progress callback of one piece of the batch call in progress (``None``: no bar)."""
    bar = _BAR.get()
    return bar.part(len(texts)) if bar is not None else None


def _nothing(texts: Any) -> bool:
    """An empty list or tuple of texts (a string or other type is refused by the batcher)."""
    return isinstance(texts, (list, tuple)) and not texts
