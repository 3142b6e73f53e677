"""``client.embeddings``: OpenAI-format embeddings (``POST /v1/embeddings``).

One request per call. To embed a corpus (batches, order, concurrency, empty strings), use
:mod:`yescale.embedding_batches`, which both frameworks' embedding classes go through: it calls
``create_vectors`` (the vectors only, checked and decoded without a pydantic model per item) and
keeps what refusals taught about input limits in ``input_limits`` (one per client, shared by
``client.embeddings`` and ``client.aio.embeddings``).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from .._http import Call, Transport, json_parser
from .._validate import require_text, validate_model
from ..costs.meter import UNCOUNTED, Meter, embedding_usage
from ..costs.prices import Usage
from ..embedding_limits import InputLimits, shared_limits
from ..errors import InvalidRequestError
from ..models.kinds import check_embedding_model
from ..types.embeddings import (
    EmbeddingRequest,
    EmbeddingResponse,
    EmbeddingVectors,
    parse_vectors,
)

PATH = "/v1/embeddings"


def response_parser(model: str, inputs: int) -> Callable[[bytes], EmbeddingResponse]:
    """Reads the answer to ``inputs`` texts for ``model`` and checks that it holds one vector per
    input (:meth:`EmbeddingResponse.check`)."""
    what = f"embeddings request for {model!r}"
    return json_parser(EmbeddingResponse, lambda response: response.check(inputs, what))


def check_inputs(inputs: str | Sequence[str]) -> str | list[str]:
    """A string, or a non-empty list of strings; anything else is refused with its position."""
    if isinstance(inputs, str):
        return inputs
    if isinstance(inputs, (bytes, bytearray)) or not isinstance(inputs, Sequence):
        raise InvalidRequestError(
            "Embedding `input` must be a string or a non-empty list of strings, got "
            f"{type(inputs).__name__}."
        )
    if len(inputs) == 0:
        raise InvalidRequestError(
            "Embedding `input` is an empty list: pass at least one text (the service refuses "
            "an empty batch)."
        )
    for i, text in enumerate(inputs):
        if not isinstance(text, str):
            raise InvalidRequestError(
                f"Embedding input[{i}] is a {type(text).__name__}, not a string: convert it "
                "(e.g. str(x) or a document's text) before embedding."
            )
    return list(inputs)


def check_dimensions(dimensions: Any) -> int | None:
    """``None``, or a positive ``int`` (``bool`` and strings are refused)."""
    if dimensions is None:
        return None
    if isinstance(dimensions, bool) or not isinstance(dimensions, int) or dimensions < 1:
        raise InvalidRequestError(
            f"`dimensions` must be a positive integer (e.g. 256), got {dimensions!r}."
        )
    return dimensions


def vectors_parser(model: str, inputs: int) -> Callable[[bytes], EmbeddingVectors]:
    """Reads the answer to ``inputs`` texts for ``model`` as vectors only, with the checks of
    :func:`response_parser` (:func:`~yescale.types.embeddings.parse_vectors`)."""
    what = f"embeddings request for {model!r}"
    return lambda content: parse_vectors(content, inputs, what)


def vectors_usage(answer: EmbeddingVectors) -> Usage:
    """The tokens an answer read by :func:`vectors_parser` counts, as :func:`embedding_usage`."""
    if answer.usage is None:
        return UNCOUNTED
    return Usage(answer.usage.prompt_tokens or answer.usage.total_tokens, 0)


def _body(model: str, inputs: str | Sequence[str], params: dict[str, Any]) -> tuple[Any, int]:
    require_text(model, "model", "e.g. 'text-embedding-3-small'.")
    check_embedding_model(model)
    check_dimensions(params.get("dimensions"))
    checked = check_inputs(inputs)
    body = {"model": model, "input": checked, **params}
    request = validate_model(EmbeddingRequest, body, "embeddings request")
    return request.to_wire(), 1 if isinstance(checked, str) else len(checked)


def build_call(
    model: str, inputs: str | Sequence[str], params: dict[str, Any]
) -> Call[EmbeddingResponse]:
    body, count = _body(model, inputs, params)
    parse = response_parser(model, count)
    meter = Meter(model, embedding_usage)
    return Call("POST", PATH, parse, json=body, what="embeddings request", meter=meter)


def build_vectors_call(
    model: str, inputs: Sequence[str], params: dict[str, Any]
) -> Call[EmbeddingVectors]:
    """:func:`build_call`, read as :class:`~yescale.types.embeddings.EmbeddingVectors`."""
    body, count = _body(model, inputs, params)
    parse = vectors_parser(model, count)
    meter = Meter(model, vectors_usage)
    return Call("POST", PATH, parse, json=body, what="embeddings request", meter=meter)


class Embeddings:
    """Embeddings (``POST /v1/embeddings``)."""

    def __init__(self, transport: Transport) -> None:
        self._t = transport
        #: what input-count refusals taught (:mod:`yescale.embedding_limits`)
        self.input_limits: InputLimits = shared_limits(transport, PATH)

    def create(self, *, model: str, input: str | Sequence[str], **params: Any) -> EmbeddingResponse:
        """Embed ``input``. ``params``: ``dimensions``, ``encoding_format``, ``user``, ..."""
        return self._t.send(build_call(model, input, params))

    def create_vectors(
        self, *, model: str, input: Sequence[str], **params: Any
    ) -> EmbeddingVectors:
        """:meth:`create` for the batch routine: the same request, the answer read as vectors
        only (``.vectors()``, in input order, checked, base64 decoded)."""
        return self._t.send(build_vectors_call(model, input, params))


class AsyncEmbeddings:
    """Async twin of :class:`Embeddings`."""

    def __init__(self, transport: Transport) -> None:
        self._t = transport
        self.input_limits: InputLimits = shared_limits(transport, PATH)

    async def create(
        self, *, model: str, input: str | Sequence[str], **params: Any
    ) -> EmbeddingResponse:
        return await self._t.asend(build_call(model, input, params))

    async def create_vectors(
        self, *, model: str, input: Sequence[str], **params: Any
    ) -> EmbeddingVectors:
        """Async twin of :meth:`Embeddings.create_vectors`."""
        return await self._t.asend(build_vectors_call(model, input, params))
