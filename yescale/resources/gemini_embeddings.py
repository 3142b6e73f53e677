"""``client.gemini.embeddings``: Gemini-native ``embedContent`` and ``batchEmbedContents``.

``POST /v1beta/models/{model}:embedContent`` embeds one text, ``:batchEmbedContents`` up to
:data:`MAX_REQUESTS` texts, the key in ``x-goog-api-key`` as for every ``/v1beta`` call. Unlike
YEScale's OpenAI-format ``/v1/embeddings``, they take Gemini's ``taskType`` (what the vector is
for: a query, a document...) and ``title``. Input is checked before any request; every answer is
checked to hold one non-empty vector per text. To embed a corpus (batches of 100, order,
concurrency, empty strings), use :mod:`yescale.embedding_batches` with this resource.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import partial
from typing import Any, TypeVar
from urllib.parse import quote

from .._http import Call, Transport, json_parser
from .._validate import require_text, validate_model
from ..costs.meter import Meter, gemini_embedding_usage
from ..errors import InvalidRequestError
from ..models.kinds import check_gemini_embedding_model
from ..types.gemini_embeddings import (
    BatchEmbedContentsRequest,
    BatchEmbedContentsResponse,
    EmbedContentRequest,
    EmbedContentResponse,
)
from .embeddings import check_inputs

#: Gemini takes at most 100 requests in one ``batchEmbedContents`` call.
MAX_REQUESTS = 100
#: Gemini's ``TaskType`` values (ai.google.dev/api/embeddings#tasktype), unspecified left out.
TASK_TYPES = (
    "RETRIEVAL_QUERY",
    "RETRIEVAL_DOCUMENT",
    "SEMANTIC_SIMILARITY",
    "CLASSIFICATION",
    "CLUSTERING",
    "QUESTION_ANSWERING",
    "FACT_VERIFICATION",
    "CODE_RETRIEVAL_QUERY",
)

R = TypeVar("R", EmbedContentResponse, BatchEmbedContentsResponse)


def check_task_type(task_type: Any) -> str | None:
    """``None``, or one of :data:`TASK_TYPES` in any case, with ``_``, ``-`` or spaces between
    words (``"retrieval_query"``, ``"Retrieval Query"``): returned as Gemini spells it."""
    if task_type is None:
        return None
    if isinstance(task_type, str):
        name = "_".join(task_type.replace("-", " ").replace("_", " ").split()).upper()
        if name in TASK_TYPES:
            return name
    raise InvalidRequestError(
        f"Unknown Gemini task type {task_type!r:.60}: use one of {', '.join(TASK_TYPES)} "
        "(any case, e.g. 'retrieval_query')."
    )


def check_output_dimensionality(value: Any) -> int | None:
    """``None``, or a positive ``int`` (``bool``, floats and strings are refused)."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise InvalidRequestError(
            f"`output_dimensionality` (`dimensions`) must be a positive integer such as 768, "
            f"got {value!r:.60}."
        )
    return value


def check_model(model: Any) -> str:
    """The model's name without ``models/``; chat, image and non-Gemini models are refused."""
    require_text(model, "model", "e.g. 'gemini-embedding-001'.")
    check_gemini_embedding_model(model)
    name: str = model.strip().removeprefix("models/")
    return name


def _entry(
    text: str, task_type: Any, output_dimensionality: Any, title: Any, extra: dict[str, Any]
) -> dict[str, Any]:
    """One request's fields (``content``, ``taskType``...), checked."""
    task = check_task_type(task_type)
    entry: dict[str, Any] = {
        **extra,  # first: an extra field never replaces the text or the checked options
        "content": {"parts": [{"text": text}]},
        "task_type": task,
        "output_dimensionality": check_output_dimensionality(output_dimensionality),
    }
    if title is not None:
        if not isinstance(title, str):
            raise InvalidRequestError(f"`title` must be a string, got {type(title).__name__}.")
        if task != "RETRIEVAL_DOCUMENT":
            raise InvalidRequestError(
                f"`title` is only for task_type 'RETRIEVAL_DOCUMENT' (Gemini's rule), got "
                f"task_type {task!r}: drop the title or embed the text as a document."
            )
        entry["title"] = title
    return entry


def _call(name: str, method: str, parse: Callable[[bytes], R], body: dict[str, Any]) -> Call[R]:
    return Call(
        "POST",
        f"/v1beta/models/{quote(name, safe='.-_')}:{method}",
        parse,
        json=body,
        what=f"Gemini {method}",
        meter=Meter(name, gemini_embedding_usage),
    )


def build_embed_call(
    model: str,
    text: Any,
    task_type: Any,
    output_dimensionality: Any,
    title: Any,
    params: dict[str, Any],
) -> Call[EmbedContentResponse]:
    """The ``embedContent`` call for one text."""
    name = check_model(model)
    if not isinstance(text, str):
        raise InvalidRequestError(
            f"embed_content takes one text (a string), got {type(text).__name__}: use "
            "batch_embed_contents for several texts."
        )
    entry = _entry(text, task_type, output_dimensionality, title, params)
    request = validate_model(EmbedContentRequest, entry, "Gemini embedContent request")
    what = f"Gemini embedContent for {name!r}"
    parse = json_parser(EmbedContentResponse, partial(EmbedContentResponse.check, what=what))
    return _call(name, "embedContent", parse, request.to_wire())


def build_batch_call(
    model: str,
    texts: Any,
    task_type: Any,
    output_dimensionality: Any,
    params: dict[str, Any],
) -> Call[BatchEmbedContentsResponse]:
    """The ``batchEmbedContents`` call for ``texts`` (1 to :data:`MAX_REQUESTS` strings)."""
    name = check_model(model)
    if isinstance(texts, str):
        raise InvalidRequestError(
            "batch_embed_contents takes a list of texts, not a single string (use [text], or "
            "embed_content for one text)."
        )
    checked = check_inputs(texts)
    assert isinstance(checked, list)
    if len(checked) > MAX_REQUESTS:
        raise InvalidRequestError(
            f"Gemini's batchEmbedContents takes at most {MAX_REQUESTS} texts, got "
            f"{len(checked)}: split them (yescale.embedding_batches.embed does)."
        )
    first = _entry(checked[0], task_type, output_dimensionality, None, params)
    shared = {k: v for k, v in first.items() if k != "content"}
    body = {
        "requests": [
            {"model": f"models/{name}", "content": {"parts": [{"text": text}]}, **shared}
            for text in checked
        ]
    }
    request = validate_model(BatchEmbedContentsRequest, body, "Gemini batchEmbedContents request")
    what = f"Gemini batchEmbedContents for {name!r}"
    count = len(checked)
    parse = json_parser(
        BatchEmbedContentsResponse,
        lambda answer: answer.check(count, what),
    )
    return _call(name, "batchEmbedContents", parse, request.to_wire())


class GeminiEmbeddings:
    """Gemini-native embeddings (``client.gemini.embeddings``).

    ``task_type``: one of :data:`TASK_TYPES` (any case); ``output_dimensionality``: shorter
    vectors (``gemini-embedding-001``: 128 to 3072); ``title``: a document's title (only with
    ``RETRIEVAL_DOCUMENT``). Other ``params`` go into each request as given (camelCase).
    """

    #: The batching routine's per-request limit for this endpoint.
    max_inputs = MAX_REQUESTS

    def __init__(self, transport: Transport) -> None:
        self._t = transport

    def embed_content(
        self,
        *,
        model: str,
        text: str,
        task_type: str | None = None,
        output_dimensionality: int | None = None,
        title: str | None = None,
        **params: Any,
    ) -> EmbedContentResponse:
        """Embed one text (``embedContent``); ``.vector`` is the result."""
        call = build_embed_call(model, text, task_type, output_dimensionality, title, params)
        return self._t.send(call)

    def batch_embed_contents(
        self,
        *,
        model: str,
        texts: Sequence[str],
        task_type: str | None = None,
        output_dimensionality: int | None = None,
        **params: Any,
    ) -> BatchEmbedContentsResponse:
        """Embed up to 100 texts in one request (``batchEmbedContents``); ``.vectors()`` are
        the results, in order."""
        call = build_batch_call(model, texts, task_type, output_dimensionality, params)
        return self._t.send(call)

    def create(
        self, *, model: str, input: Sequence[str], **params: Any
    ) -> BatchEmbedContentsResponse:
        """:meth:`batch_embed_contents` under the name :mod:`yescale.embedding_batches` calls
        for every batch (as it calls ``client.embeddings.create``)."""
        return self.batch_embed_contents(model=model, texts=input, **params)


class AsyncGeminiEmbeddings:
    """Async twin of :class:`GeminiEmbeddings` (``client.aio.gemini.embeddings``)."""

    max_inputs = MAX_REQUESTS

    def __init__(self, transport: Transport) -> None:
        self._t = transport

    async def embed_content(
        self,
        *,
        model: str,
        text: str,
        task_type: str | None = None,
        output_dimensionality: int | None = None,
        title: str | None = None,
        **params: Any,
    ) -> EmbedContentResponse:
        call = build_embed_call(model, text, task_type, output_dimensionality, title, params)
        return await self._t.asend(call)

    async def batch_embed_contents(
        self,
        *,
        model: str,
        texts: Sequence[str],
        task_type: str | None = None,
        output_dimensionality: int | None = None,
        **params: Any,
    ) -> BatchEmbedContentsResponse:
        call = build_batch_call(model, texts, task_type, output_dimensionality, params)
        return await self._t.asend(call)

    async def create(
        self, *, model: str, input: Sequence[str], **params: Any
    ) -> BatchEmbedContentsResponse:
        return await self.batch_embed_contents(model=model, texts=input, **params)
