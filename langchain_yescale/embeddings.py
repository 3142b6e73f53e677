"""``YEScaleEmbeddings``: LangChain ``Embeddings`` over YEScale's ``/v1/embeddings``."""

from __future__ import annotations

import sys
from typing import Any, Literal

from langchain_core.embeddings import Embeddings
from pydantic import ConfigDict, Field, model_validator

from yescale import embedding_batches

from ._client_params import YEScaleClientParams
from ._errors import langchain_errors


class _ProgressBar:
    """A one-line progress bar on stderr (no extra dependency)."""

    def __init__(self, label: str) -> None:
        self.label = label

    def __call__(self, done: int, total: int) -> None:
        width = 30
        filled = width * done // max(total, 1)
        end = "\n" if done >= total else ""
        bar = "#" * filled + "." * (width - filled)
        sys.stderr.write(f"\r{self.label} [{bar}] {done}/{total}{end}")
        sys.stderr.flush()


class YEScaleEmbeddings(YEScaleClientParams, Embeddings):
    """YEScale embeddings (OpenAI ``text-embedding-3-*``, ``text-embedding-ada-002``, Gemini
    embedding models the service routes on ``/v1/embeddings``).

    Setup:
        .. code-block:: bash

            pip install "yescale-integrations[langchain]"
            export YESCALE_API_KEY="your-key"

    Key init args:
        model: str
            Default ``"text-embedding-3-small"``.
        dimensions: int | None
            Shorter vectors (``text-embedding-3-*`` and Gemini embedding models).
        chunk_size: int
            Inputs per request (default 1000; the API takes at most 2048).
        max_concurrency: int
            Requests in flight at once for a large corpus (default 8, sync and async).
        encoding_format: "float" | "base64"
            ``"base64"`` (default) makes answers about four times smaller; decoded for you.
        empty: "space" | "error"
            Empty / whitespace-only texts are embedded as a single space by default (the API
            rejects empty input); ``"error"`` refuses them instead.
        show_progress: bool
            A progress bar on stderr for long corpora.

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
    dimensions: int | None = None
    chunk_size: int = Field(default=embedding_batches.DEFAULT_CHUNK_SIZE, ge=1, le=2048)
    max_concurrency: int = Field(default=embedding_batches.DEFAULT_MAX_CONCURRENCY, ge=1)
    encoding_format: Literal["float", "base64"] = "base64"
    empty: embedding_batches.EmptyPolicy = "space"
    show_progress: bool = False
    model_kwargs: dict[str, Any] = Field(default_factory=dict)
    """Extra request fields (e.g. ``user``)."""

    @model_validator(mode="after")
    def _validate(self) -> YEScaleEmbeddings:
        self._require_key()
        return self

    def _options(self, label: str) -> dict[str, Any]:
        params: dict[str, Any] = {
            "model": self.model,
            "chunk_size": self.chunk_size,
            "max_concurrency": self.max_concurrency,
            "empty": self.empty,
            "encoding_format": self.encoding_format,
            **self.model_kwargs,
        }
        if self.dimensions is not None:
            params["dimensions"] = self.dimensions
        if self.show_progress:
            params["on_progress"] = _ProgressBar(label)
        return params

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        """Embed documents, in order, batched and concurrent."""
        with langchain_errors():
            return embedding_batches.embed(
                self.client.embeddings, texts, **self._options("Embedding")
            )

    def embed_query(self, text: str) -> list[float]:
        return self.embed_documents([text])[0]

    async def aembed_documents(self, texts: list[str]) -> list[list[float]]:
        with langchain_errors():
            return await embedding_batches.aembed(
                self.client.aio.embeddings, texts, **self._options("Embedding")
            )

    async def aembed_query(self, text: str) -> list[float]:
        return (await self.aembed_documents([text]))[0]
