"""OpenAI-format embeddings (``/v1/embeddings``)."""

from __future__ import annotations

import array
import base64
import binascii
import sys
from typing import Any

from pydantic import Field

from .._json_values import json_problem
from ..errors import InvalidRequestError, InvalidResponseError
from ._base import WireModel


class EmbeddingRequest(WireModel):
    model: str
    input: str | list[str]
    dimensions: int | None = None
    encoding_format: str | None = None
    user: str | None = None

    def to_wire(self) -> dict[str, Any]:
        """The body; an extra parameter that is not JSON (a NaN, an object...) is refused here,
        naming it, before anything is sent (the inputs are strings, checked already)."""
        problem = json_problem(self.model_extra or {})
        if problem:
            raise InvalidRequestError(f"Cannot send the embeddings request: {problem}.")
        return super().to_wire()


class Embedding(WireModel):
    index: int = 0
    object: str | None = None
    embedding: list[float] | str

    @property
    def vector(self) -> list[float]:
        """The embedding as floats, decoding ``encoding_format="base64"`` answers."""
        if isinstance(self.embedding, str):
            try:
                raw = base64.b64decode(self.embedding, validate=True)
            except (binascii.Error, ValueError) as error:
                raise InvalidResponseError(
                    f"Embedding {self.index} is a string but not valid base64: {error}."
                ) from None
            if len(raw) % 4:
                raise InvalidResponseError(
                    f"Embedding {self.index} decodes to {len(raw)} bytes, not a whole number "
                    "of float32 values."
                )
            floats = array.array("f")
            floats.frombytes(raw)
            if sys.byteorder == "big":
                floats.byteswap()  # the service sends little-endian float32
            return floats.tolist()
        return self.embedding


class EmbeddingUsage(WireModel):
    prompt_tokens: int = 0
    total_tokens: int = 0


class EmbeddingResponse(WireModel):
    object: str | None = None
    model: str | None = None
    data: list[Embedding] = Field(default_factory=list)
    usage: EmbeddingUsage | None = None

    def vectors(self) -> list[list[float]]:
        """The vectors in input order (sorted by ``index``, whatever order the service used).

        An answer whose items carry no ``index`` at all is taken in list order; indices that are
        not exactly ``0..n-1`` (duplicates, gaps) are refused rather than guessed at.
        """
        items = self.data
        if any("index" in item.model_fields_set for item in items):
            indices = sorted(item.index for item in items)
            if indices != list(range(len(items))):
                raise InvalidResponseError(
                    f"The embeddings answer's indices {indices[:10]}"
                    f"{'...' if len(indices) > 10 else ''} are not 0..{len(items) - 1}: cannot "
                    "tell which vector belongs to which input."
                )
            items = sorted(items, key=lambda item: item.index)
        return [item.vector for item in items]

    def to_dict(self) -> dict[str, Any]:
        return self.to_wire()
