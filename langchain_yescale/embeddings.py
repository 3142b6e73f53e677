"""``YEScaleEmbeddings``: LangChain ``Embeddings`` over YEScale's ``/v1/embeddings``, and Gemini's
native ``batchEmbedContents`` for Gemini embedding models."""

from __future__ import annotations

from typing import Any

from langchain_core.embeddings import Embeddings
from pydantic import ConfigDict, Field, model_validator

from yescale import InvalidRequestError, embedding_batches
from yescale.integration import embedding_jobs
from yescale.integration.embedding_jobs import Task
from yescale.integration.options import EmbeddingOptions
from yescale.integration.progress import counting_bar
from yescale.models.kinds import check_embedding_model

from ._client_params import YEScaleClientParams
from ._errors import langchain_errors

#: Request fields the class sets itself; ``model_kwargs`` may not override them.
_RESERVED = {"model", "input"}


class YEScaleEmbeddings(YEScaleClientParams, EmbeddingOptions, Embeddings):
    """YEScale embeddings: OpenAI ``text-embedding-3-small`` / ``-3-large`` /
    ``text-embedding-ada-002`` over ``/v1/embeddings``, and Gemini embedding models
    (``gemini-embedding-001``, ``text-embedding-004``) over Gemini's native
    ``batchEmbedContents``, with a task type: ``RETRIEVAL_QUERY`` for queries,
    ``RETRIEVAL_DOCUMENT`` for documents.

    Setup:
        .. code-block:: bash

            pip install "yescale-integrations[langchain]"
            export YESCALE_API_KEY="your-key"

    Key init args:
        model: str
            Default ``"text-embedding-3-small"``; ``"gemini-embedding-001"`` works the same way.
        dimensions: int | None
            Shorter vectors (``text-embedding-3-*`` and Gemini embedding models only; Gemini's
            ``outputDimensionality`` on the native route).
        api: "auto" | "openai" | "gemini"
            The endpoint: ``"auto"`` (default) sends Gemini embedding models to Gemini's
            native ``batchEmbedContents`` and others to ``/v1/embeddings``; the others force one.
        query_task_type / document_task_type: str
            Gemini route: the ``taskType`` of ``embed_query`` (default ``"RETRIEVAL_QUERY"``) and
            of ``embed_documents`` (default ``"RETRIEVAL_DOCUMENT"``); any case.
        chunk_size: int
            Inputs per request (default 1000; capped at the model's limit: 2048 for OpenAI
            models, 100 for Gemini embedding models).
        max_concurrency: int
            Requests in flight at once for a large corpus: sync calls use threads (default
            8), async calls tasks (default 32 when not set). Shared by every call on this
            object.
        encoding_format: "float" | "base64"
            ``"base64"`` (default) makes answers about four times smaller; decoded for you.
        empty: "space" | "error"
            Empty / whitespace-only texts are embedded as a single space by default (the API
            rejects empty input), so they never fail a batch; ``"error"`` refuses them instead.
        show_progress: bool
            A progress bar (texts embedded / total; tqdm if installed, a widget in notebooks,
            else one line on stderr) while embedding documents, never for queries. Off by
            default; ``show_progress_bar`` is accepted too.

    Instantiate:
        .. code-block:: python

            from langchain_yescale import YEScaleEmbeddings

            embeddings = YEScaleEmbeddings(model="text-embedding-3-small", dimensions=512)

    Embed:
        .. code-block:: python

            vectors = embeddings.embed_documents(["first text", "second text"])
            query = embeddings.embed_query("what is in the first text?")
            vectors = await embeddings.aembed_documents(texts)

    Vector store:
        .. code-block:: python

            from langchain_core.vectorstores import InMemoryVectorStore

            store = InMemoryVectorStore.from_texts(texts, embedding=embeddings)
            store.similarity_search("query", k=2)
    """

    model_config = ConfigDict(populate_by_name=True, arbitrary_types_allowed=True)

    model: str = "text-embedding-3-small"
    """Embedding model name."""
    chunk_size: int = Field(
        default=embedding_batches.DEFAULT_CHUNK_SIZE,
        ge=1,
        le=embedding_batches.MAX_INPUTS_PER_REQUEST,
    )
    """Inputs per request (capped at the model's per-request limit)."""
    model_kwargs: dict[str, Any] = Field(default_factory=dict)
    """Extra request fields (e.g. ``user``)."""

    @model_validator(mode="after")
    def _validate(self) -> YEScaleEmbeddings:
        self._check_settings()
        reserved = _RESERVED & set(self.model_kwargs)
        if reserved:
            raise InvalidRequestError(
                f"model_kwargs may not set {sorted(reserved)}: pass model=... to the class, and "
                "texts to embed_documents / embed_query."
            )
        check_embedding_model(self.model)  # a chat model here would fail every request
        embedding_jobs.check_api(self.model, self.api)
        return self

    def _options(self, task: Task, asynchronous: bool = False) -> dict[str, Any]:
        return embedding_jobs.job_options(
            model=self.model,
            api=self.api,
            task_type=self.query_task_type if task == "query" else self.document_task_type,
            chunk_size=self.chunk_size,
            max_batch_tokens=self.max_batch_tokens,
            limit=self._concurrency(asynchronous),
            empty=self.empty,
            encoding_format=self.encoding_format,
            dimensions=self.dimensions,
            extra=self.model_kwargs,
        )

    def _embed(self, texts: list[str], *, task: Task) -> list[list[float]]:
        """Documents show the progress bar (when asked); a query never does."""
        show = task == "document" and self.show_progress
        with counting_bar("Embedding", show=show) as bar, langchain_errors():
            endpoint = embedding_jobs.endpoint(self.client, self.model, self.api)
            return embedding_batches.embed(endpoint, texts, on_progress=bar, **self._options(task))

    async def _aembed(self, texts: list[str], *, task: Task) -> list[list[float]]:
        show = task == "document" and self.show_progress
        with counting_bar("Embedding", show=show) as bar, langchain_errors():
            endpoint = embedding_jobs.async_endpoint(self.client.aio, self.model, self.api)
            return await embedding_batches.aembed(
                endpoint, texts, on_progress=bar, **self._options(task, asynchronous=True)
            )

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        """Embed documents, in order, batched and concurrent. ``[]`` gives ``[]`` (no request),
        as ``OpenAIEmbeddings`` does: a vector store adding nothing must not fail."""
        if _nothing(texts):
            return []
        return self._embed(texts, task="document")

    def embed_query(self, text: str) -> list[float]:
        """Embed one query text (Gemini route: with ``query_task_type``)."""
        return self._embed([_query(text)], task="query")[0]

    async def aembed_documents(self, texts: list[str]) -> list[list[float]]:
        """Async :meth:`embed_documents`: at most ``max_concurrency`` requests in flight."""
        if _nothing(texts):
            return []
        return await self._aembed(texts, task="document")

    async def aembed_query(self, text: str) -> list[float]:
        """Async :meth:`embed_query`."""
        return (await self._aembed([_query(text)], task="query"))[0]


def _nothing(texts: Any) -> bool:
    """An empty list or tuple of texts (a string or other type is refused by the batcher)."""
    return isinstance(texts, (list, tuple)) and not texts


def _query(text: Any) -> str:
    if not isinstance(text, str):
        raise InvalidRequestError(
            f"embed_query takes one text (a string), got {type(text).__name__} {text!r:.60}. "
            "For several texts use embed_documents; convert other values with str()."
        )
    return text
