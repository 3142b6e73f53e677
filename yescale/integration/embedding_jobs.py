"""From an embeddings class's options to a call of :mod:`yescale.embedding_batches`: which endpoint
(``api``), which task type, which request fields. Shared by ``YEScaleEmbeddings`` (LangChain) and
``YEScaleEmbedding`` (LlamaIndex), so both route and send alike.

Routes (``api``):

* ``"auto"`` (default): Gemini embedding models (``yescale.models.kinds.
  is_gemini_embedding_model``: ``gemini-embedding-*``, ``text-embedding-004``, ``embedding-001``)
  go to Gemini's native ``batchEmbedContents``, with a task type; every other model to
  ``/v1/embeddings``;
* ``"gemini"``: always the native endpoint (an OpenAI model is refused when the class is built);
* ``"openai"``: always ``/v1/embeddings``, as before the native route existed (no task type: the
  gateway's OpenAI format has no field for it).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Literal

from .. import embedding_batches
from ..models.kinds import is_gemini_embedding_model
from ..resources.gemini_embeddings import check_model, check_task_type
from .options import max_in_flight

if TYPE_CHECKING:
    from .._client import AsyncYEScaleClient, YEScaleClient

__all__ = [
    "EmbeddingApi",
    "Task",
    "async_endpoint",
    "check_api",
    "endpoint",
    "job_options",
    "max_in_flight",
    "resolve_api",
]

EmbeddingApi = Literal["auto", "openai", "gemini"]
Task = Literal["query", "document"]


def resolve_api(model: str, api: EmbeddingApi) -> Literal["openai", "gemini"]:
    """The route ``api`` means for ``model``."""
    if api == "auto":
        return "gemini" if is_gemini_embedding_model(model) else "openai"
    return api


def check_api(model: str, api: EmbeddingApi) -> None:
    """Refuse, when a class is built, a model its route cannot serve (``api="gemini"`` with an
    OpenAI model)."""
    if resolve_api(model, api) == "gemini":
        check_model(model)


def endpoint(
    client: YEScaleClient, model: str, api: EmbeddingApi
) -> embedding_batches.EmbeddingEndpoint:
    """``client.gemini.embeddings`` or ``client.embeddings``, per the route."""
    if resolve_api(model, api) == "gemini":
        return client.gemini.embeddings
    return client.embeddings


def async_endpoint(
    client: AsyncYEScaleClient, model: str, api: EmbeddingApi
) -> embedding_batches.AsyncEmbeddingEndpoint:
    """Async twin of :func:`endpoint` (``client.aio``)."""
    if resolve_api(model, api) == "gemini":
        return client.gemini.embeddings
    return client.embeddings


def job_options(
    *,
    model: str,
    api: EmbeddingApi = "openai",
    task_type: str | None = None,
    chunk_size: int,
    max_batch_tokens: int,
    limit: embedding_batches.ConcurrencyLimit,
    empty: embedding_batches.EmptyPolicy,
    encoding_format: str,
    dimensions: int | None,
    extra: dict[str, Any],
) -> dict[str, Any]:
    """Keyword arguments for :func:`~yescale.embedding_batches.embed` / ``aembed``.

    On the Gemini route ``dimensions`` is sent as ``outputDimensionality``, ``task_type`` as
    ``taskType``, and ``encoding_format`` is not sent (Gemini answers floats); ``extra`` goes into
    every request either way.
    """
    options: dict[str, Any] = {
        "model": model,
        "chunk_size": chunk_size,
        "max_batch_tokens": max_batch_tokens,
        "limit": limit,
        "empty": empty,
        **extra,
    }
    if resolve_api(model, api) == "gemini":
        task = check_task_type(task_type)
        if task is not None:
            options["task_type"] = task
        if dimensions is not None:
            options["output_dimensionality"] = dimensions
        return options
    options["encoding_format"] = encoding_format
    if dimensions is not None:
        options["dimensions"] = dimensions
    return options
