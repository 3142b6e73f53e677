"""OpenAI-format embeddings (``/v1/embeddings``)."""

from __future__ import annotations

import array
import base64
import sys
from typing import Any

from pydantic import Field

from ._base import WireModel


class EmbeddingRequest(WireModel):
    model: str
    input: str | list[str]
    dimensions: int | None = None
    encoding_format: str | None = None
    user: str | None = None


class Embedding(WireModel):
    index: int = 0
    object: str | None = None
    embedding: list[float] | str

    @property
    def vector(self) -> list[float]:
        """The embedding as floats, decoding ``encoding_format="base64"`` answers."""
        if isinstance(self.embedding, str):
            floats = array.array("f")
            floats.frombytes(base64.b64decode(self.embedding))
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
        """The vectors in input order (sorted by ``index``, whatever order the service used)."""
        return [item.vector for item in sorted(self.data, key=lambda item: item.index)]

    def to_dict(self) -> dict[str, Any]:
        return self.to_wire()
