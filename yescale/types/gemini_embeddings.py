"""Gemini-native embeddings wire models: ``/v1beta/models/{model}:embedContent`` and
``:batchEmbedContents``.

Python names are snake_case; the JSON is camelCase as Gemini's REST API spells it. Requests:
``{"content": {"parts": [{"text": ...}]}, "taskType", "outputDimensionality", "title"}`` (one text),
``{"requests": [{"model": "models/<model>", "content": ..., "taskType", ...}, ...]}`` (a batch).
Answers: ``{"embedding": {"values": [...]}}`` and ``{"embeddings": [{"values": [...]}, ...]}``,
in the order of the requests (Gemini's answers carry no index).
"""

from __future__ import annotations

from typing import Any

from pydantic import Field, field_validator

from ..errors import incomplete_answer
from ._base import CamelWireModel, Priced, none_as_empty


class EmbedContentRequest(CamelWireModel):
    """One text to embed (the body of ``embedContent``, or one entry of a batch)."""

    model: str | None = None
    content: dict[str, Any]
    task_type: str | None = None
    title: str | None = None
    output_dimensionality: int | None = None


class BatchEmbedContentsRequest(CamelWireModel):
    """The body of ``batchEmbedContents``: at most 100 requests, each naming the model."""

    requests: list[EmbedContentRequest]


class ContentEmbedding(CamelWireModel):
    """One vector: ``{"values": [...]}``."""

    values: list[float] | None = None


class EmbeddingUsageMetadata(CamelWireModel):
    """Token counts, when Gemini reports them (it often does not for embeddings)."""

    prompt_token_count: int | None = None
    total_token_count: int | None = None


def _missing_values(embedding: ContentEmbedding | None) -> bool:
    return embedding is None or not embedding.values


class EmbedContentResponse(Priced, CamelWireModel):
    """The answer of ``embedContent``: one vector."""

    embedding: ContentEmbedding | None = None
    usage_metadata: EmbeddingUsageMetadata | None = None

    def check(self, what: str = "Gemini embedContent") -> None:
        """Refuse an answer without a non-empty ``embedding.values``."""
        if self.embedding is None:
            raise incomplete_answer(what, "no embedding")
        if _missing_values(self.embedding):
            raise incomplete_answer(what, "an embedding without values")

    @property
    def vector(self) -> list[float]:
        """The vector (checked non-empty when the client read the answer)."""
        return list(self.embedding.values or []) if self.embedding is not None else []

    def vectors(self) -> list[list[float]]:
        """``[vector]``, shaped as a batch answer's :meth:`BatchEmbedContentsResponse.vectors`."""
        return [self.vector]


class BatchEmbedContentsResponse(Priced, CamelWireModel):
    """The answer of ``batchEmbedContents``: one vector per request, in request order."""

    embeddings: list[ContentEmbedding] = Field(default_factory=list)
    usage_metadata: EmbeddingUsageMetadata | None = None

    _null_embeddings = field_validator("embeddings", mode="before")(none_as_empty)

    def check(self, inputs: int, what: str = "Gemini batchEmbedContents") -> None:
        """Refuse an answer that does not hold exactly one non-empty vector per input: Gemini's
        answers have no index, so a missing or extra vector would shift every text after it."""
        count = len(self.embeddings)
        if count == 0:
            raise incomplete_answer(what, f"no embeddings for its {_count(inputs, 'input')}")
        if count != inputs:
            raise incomplete_answer(
                what,
                f"{_count(count, 'embedding')} for {_count(inputs, 'input')}: cannot tell which "
                "vector belongs to which text",
            )
        for i, embedding in enumerate(self.embeddings):
            if _missing_values(embedding):
                raise incomplete_answer(what, f"embedding {i} has no values")

    def vectors(self) -> list[list[float]]:
        """The vectors in input order (Gemini answers in the order of the requests)."""
        return [list(embedding.values or []) for embedding in self.embeddings]


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"
