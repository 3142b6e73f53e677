"""OpenAI-format embeddings (``/v1/embeddings``)."""

from __future__ import annotations

import array
import binascii
import re
import sys
from typing import Any, NoReturn

import pydantic_core
from pydantic import Field, ValidationError, field_validator

from .._json_values import json_problem
from ..errors import (
    InvalidRequestError,
    InvalidResponseError,
    incomplete_answer,
    unreadable_answer,
)
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


def decode_base64(text: str, index: int) -> list[float]:
    """The little-endian float32 values ``text`` holds in base64 (``encoding_format="base64"``);
    :class:`~yescale.InvalidResponseError` when it is not strict base64 or not a whole number of
    float32 values. One copy of the bytes: ``array.frombytes``, then ``tolist``."""
    try:
        raw = _a2b(text)
    except (binascii.Error, ValueError) as error:
        raise InvalidResponseError(
            f"Embedding {index} is a string but not valid base64: {error}."
        ) from None
    if len(raw) % 4:
        raise InvalidResponseError(
            f"Embedding {index} decodes to {len(raw)} bytes, not a whole number of float32 values."
        )
    floats = array.array("f")
    floats.frombytes(raw)
    if _BIG_ENDIAN:
        floats.byteswap()  # the service sends little-endian float32
    return floats.tolist()


def _a2b_strict(text: str) -> bytes:
    """Strict base64 (no characters outside the alphabet, padding only at the end), in C."""
    return binascii.a2b_base64(text, strict_mode=True)  # type: ignore[call-arg,unused-ignore]


def _a2b_checked(text: str) -> bytes:  # pragma: no cover - Python 3.10 has no strict_mode
    if not _BASE64.fullmatch(text):
        raise binascii.Error("Non-base64 digit found")
    return binascii.a2b_base64(text)


_BIG_ENDIAN = sys.byteorder == "big"
_BASE64 = re.compile(r"[A-Za-z0-9+/]*={0,2}")
_a2b = _a2b_strict if sys.version_info >= (3, 11) else _a2b_checked


class Embedding(WireModel):
    index: int = 0
    object: str | None = None
    embedding: list[float] | str

    @property
    def vector(self) -> list[float]:
        """The embedding as floats, decoding ``encoding_format="base64"`` answers."""
        if isinstance(self.embedding, str):
            return decode_base64(self.embedding, self.index)
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
        _check_count(len(items), inputs, what)
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


def _check_count(found: int, inputs: int, what: str) -> None:
    """Refuse an answer without exactly one embedding per input."""
    if not found:
        raise incomplete_answer(what, f"no embeddings for its {_count(inputs, 'input')}")
    if found != inputs:
        raise incomplete_answer(
            what,
            f"{_count(found, 'embedding')} for {_count(inputs, 'input')}: cannot tell "
            "which vector belongs to which text",
        )


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"


class EmbeddingVectors:
    """What the batch routine (:mod:`yescale.embedding_batches`) reads from an embeddings answer:
    the vectors in input order, already checked and decoded, and the usage for the cost meter.

    Built by :func:`parse_vectors` without a pydantic model per item (a quarter of the CPU of a
    large batch went to those models and the garbage collections they trigger)."""

    __slots__ = ("_vectors", "model", "usage")

    def __init__(
        self, vectors: list[list[float]], model: str | None, usage: EmbeddingUsage | None
    ) -> None:
        self._vectors = vectors
        self.model = model
        self.usage = usage

    def vectors(self) -> list[list[float]]:
        """One vector per input, in input order."""
        return self._vectors


def parse_vectors(content: bytes, inputs: int, what: str) -> EmbeddingVectors:
    """Read an answer to ``inputs`` texts as :class:`EmbeddingVectors`, with the checks of
    :meth:`EmbeddingResponse.check` and :meth:`EmbeddingResponse.vectors` (one non-empty vector
    per input, placed by ``index`` or all in list order, base64 decoded), each failure an
    :class:`~yescale.InvalidResponseError` naming what is wrong. The JSON is read by pydantic's
    parser (bounded nesting, like every answer); the items are checked by hand."""
    try:
        body = pydantic_core.from_json(content, allow_inf_nan=True)
    except ValueError:
        body = None
    if not isinstance(body, dict):
        _unreadable(content)
    items = body.get("data")
    if items is None:
        items = []
    if not isinstance(items, list) or not all(isinstance(item, dict) for item in items):
        _unreadable(content)
    _check_count(len(items), inputs, what)
    order = _order(items, inputs, what)
    decoded = _decode_all(items)
    if decoded is None:  # not all base64, or one is wrong: item by item, naming the culprit
        decoded = []
        for position, item in zip(order or range(inputs), items, strict=True):
            vector = _vector(item.get("embedding"), position)
            if vector is None:
                _unreadable(content)
            if not vector:
                raise incomplete_answer(what, f"embedding {position} is empty (no values)")
            decoded.append(vector)
    if order is None:
        vectors = decoded
    else:
        vectors = decoded[:]
        for position, vector in zip(order, decoded, strict=True):
            vectors[position] = vector
    return EmbeddingVectors(vectors, _text(body.get("model")), _usage(body.get("usage"), content))


def _decode_all(items: list[dict[str, Any]]) -> list[list[float]] | None:
    """The common answer, every item a good base64 vector, decoded in two comprehensions (no
    call per item of ours); ``None`` for anything else, left to the item-by-item path."""
    if _BIG_ENDIAN or sys.version_info < (3, 11):  # pragma: no cover
        return None
    a2b = binascii.a2b_base64
    try:
        raws = [a2b(item["embedding"], strict_mode=True) for item in items]
    except (KeyError, TypeError, ValueError, binascii.Error):
        return None
    if not all(raw and not len(raw) % 4 for raw in raws):
        return None
    return [array.array("f", raw).tolist() for raw in raws]


def _order(items: list[dict[str, Any]], inputs: int, what: str) -> list[int] | None:
    """Where each item goes: its ``index`` (all ``0..inputs-1`` once); ``None`` when that is
    list order, or no item has one."""
    indexed = ["index" in item for item in items]
    if not any(indexed):
        return None
    if not all(indexed):
        raise incomplete_answer(
            what,
            f"embedding {indexed.index(False)} has no index while others have one: cannot tell "
            "which text it belongs to",
        )
    indices = [item["index"] for item in items]
    expected = list(range(inputs))
    if indices == expected:
        return None
    if not all(type(i) is int for i in indices) or sorted(indices) != expected:
        shown = f"{indices[:10]}{'...' if len(indices) > 10 else ''}"
        raise incomplete_answer(
            what,
            f"indices {shown} instead of 0..{inputs - 1}: cannot tell which vector belongs to "
            "which text",
        )
    return indices


def _vector(value: Any, index: int) -> list[float] | None:
    """The floats of one item's ``embedding`` (base64 decoded); ``None`` when it is neither a
    string nor a list of numbers."""
    if isinstance(value, str):
        return decode_base64(value, index)
    if not isinstance(value, list) or any(type(x) is bool for x in value):
        return None
    try:
        return array.array("d", value).tolist()  # numbers only (C-speed check), ints as floats
    except (TypeError, OverflowError):
        return None


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def _usage(value: Any, content: bytes) -> EmbeddingUsage | None:
    if value is None:
        return None
    try:
        return EmbeddingUsage.model_validate(value)
    except ValidationError:
        _unreadable(content)


def _unreadable(content: bytes) -> NoReturn:
    """Raise the error of an answer that is not an embeddings answer at all, quoting it as the
    pydantic parser of :class:`EmbeddingResponse` would."""
    try:
        EmbeddingResponse.model_validate_json(content)
    except ValidationError as exc:
        raise unreadable_answer(content, EmbeddingResponse.__name__, exc, ()) from None
    raise unreadable_answer(content, EmbeddingResponse.__name__)
