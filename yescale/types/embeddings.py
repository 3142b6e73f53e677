"""OpenAI-format embeddings (``/v1/embeddings``)."""

from __future__ import annotations

import array
import base64
import binascii
import sys
from typing import Any

from pydantic import Field, field_validator

from .._json_values import json_problem
from ..errors import InvalidRequestError, InvalidResponseError, incomplete_answer
from ._base import Priced, WireModel, none_as_empty


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


class EmbeddingResponse(Priced, WireModel):
    object: str | None = None
    model: str | None = None
    data: list[Embedding] = Field(default_factory=list)
    usage: EmbeddingUsage | None = None

    _null_data = field_validator("data", mode="before")(none_as_empty)

    def check(self, inputs: int, what: str = "embeddings request") -> None:
        """Refuse an answer that does not hold exactly one non-empty vector per input, each
        placed by its ``index`` (or all without one, in list order), naming what is wrong.

        Cheap: base64 vectors are not decoded here.
        """
        items = self.data
        if not items:
            raise incomplete_answer(what, f"no embeddings for its {_count(inputs, 'input')}")
        if len(items) != inputs:
            raise incomplete_answer(
                what,
                f"{_count(len(items), 'embedding')} for {_count(inputs, 'input')}: cannot tell "
                "which vector belongs to which text",
            )
        indexed = ["index" in item.model_fields_set for item in items]
        if any(indexed) and not all(indexed):
            raise incomplete_answer(
                what,
                f"embedding {indexed.index(False)} has no index while others have one: cannot "
                "tell which text it belongs to",
            )
        if any(indexed):
            indices = sorted(item.index for item in items)
            if indices != list(range(inputs)):
                shown = f"{indices[:10]}{'...' if len(indices) > 10 else ''}"
                raise incomplete_answer(
                    what,
                    f"indices {shown} instead of 0..{inputs - 1}: cannot tell which vector "
                    "belongs to which text",
                )
        for i, item in enumerate(items):
            if len(item.embedding) == 0:
                raise incomplete_answer(what, f"embedding {i} is empty (no values)")

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


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"
