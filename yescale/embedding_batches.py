"""Embedding many texts: the one batching routine behind both frameworks' embedding classes.

* Endpoints: each batch goes to ``embeddings.create(model=..., input=[...], **params)``: YEScale's
  OpenAI-format ``client.embeddings`` (``/v1/embeddings``), or Gemini's native
  ``client.gemini.embeddings`` (``batchEmbedContents``), which states its own per-request cap
  (``max_inputs``, 100). Any object with that method (and ``.vectors()`` on its answers) will do.

* Input: a list (or tuple) of strings. A single string, a non-string item or an empty list is
  refused with :class:`~yescale.InvalidRequestError` before any request is sent.
* Order: every vector lands at its input's position (by the answer's ``index``), whatever order
  batches finish in or the service lists them.
* Batches: at most ``chunk_size`` inputs (capped by the model's per-request limit: 2048 for
  OpenAI models, 100 for Gemini embedding models) and about ``max_batch_tokens`` estimated tokens
  each. Exact duplicates are sent once. A batch the service rejects as too large is split in
  half and retried, down to one input, which then raises naming its position.
* Empty and whitespace-only strings: the API rejects empty input, so by default
  (``empty="space"``) they are embedded as a single space (once, shared by all of them) and
  never make a request fail. ``empty="error"`` refuses them before any request.
* Concurrency: at most ``max_concurrency`` requests in flight (threads on the sync path, tasks
  on the async path), over the client's pooled connections. A :class:`ConcurrencyLimit` shared
  between calls bounds them all together (the framework classes keep one per object). The first
  failure stops the job: batches not yet sent are not sent.
* ``encoding_format="base64"`` answers (about a quarter of the JSON size) are decoded to floats.
* Answers: one that does not hold exactly one non-empty vector per input of its batch (fewer,
  more, indices missing or repeated) raises :class:`~yescale.InvalidResponseError` saying how many
  were expected and received; the job stops there, as on any failure.
"""

from __future__ import annotations

import asyncio
import contextvars
import re
import threading
from collections.abc import Awaitable, Callable, Sequence
from concurrent.futures import FIRST_EXCEPTION, ThreadPoolExecutor, wait
from dataclasses import dataclass
from typing import Any, Literal, Protocol

from ._concurrency import ConcurrencyLimit as ConcurrencyLimit
from ._validate import require_text
from .errors import (
    BadRequestError,
    ContextLengthExceededError,
    InvalidRequestError,
    InvalidResponseError,
    extend_message,
)
from .resources.embeddings import check_dimensions, check_inputs

#: The OpenAI embeddings API takes up to 2048 inputs and 300k tokens per request.
MAX_INPUTS_PER_REQUEST = 2048
#: Gemini's ``batchEmbedContents`` (behind Gemini models on ``/v1/embeddings``) takes 100.
GEMINI_MAX_INPUTS_PER_REQUEST = 100
DEFAULT_CHUNK_SIZE = 1000
DEFAULT_MAX_BATCH_TOKENS = 250_000
DEFAULT_MAX_CONCURRENCY = 8

_GEMINI_EMBEDDING_MODELS = re.compile(
    r"(^|/)(gemini-embedding|text-embedding-00[45]|embedding-00\d|text-multilingual-embedding)",
    re.IGNORECASE,
)
_TOO_LARGE = re.compile(
    r"too (many|large|long)|\bmax(imum)?\b|max_tokens|exceed|limit|at most|per request|payload"
    r"|entity|\b413\b",
    re.IGNORECASE,
)

EmptyPolicy = Literal["space", "error"]
Progress = Callable[[int, int], None]


class Vectors(Protocol):
    """An endpoint's answer: one vector per input, in input order."""

    def vectors(self) -> list[list[float]]: ...


class EmbeddingEndpoint(Protocol):
    """Where :func:`embed` sends each batch (``client.embeddings``, ``client.gemini.embeddings``).
    An endpoint with its own per-request cap says so in an ``int`` attribute ``max_inputs``."""

    def create(self, *, model: str, input: list[str], **params: Any) -> Vectors: ...


class AsyncEmbeddingEndpoint(Protocol):
    """Async twin of :class:`EmbeddingEndpoint` (``client.aio.embeddings``, ...)."""

    async def create(self, *, model: str, input: list[str], **params: Any) -> Vectors: ...


def estimate_tokens(text: str) -> int:
    """A cheap, rather high estimate used only to size batches: 3 UTF-8 bytes per token (about
    4 characters of English, one CJK character)."""
    return len(text.encode("utf-8")) // 3 + 1


def max_inputs_per_request(model: str, endpoint: object = None) -> int:
    """How many inputs one request may carry for ``model``: the ``endpoint``'s own cap when it
    states one (``max_inputs``), else that of ``/v1/embeddings`` for the model."""
    own = getattr(endpoint, "max_inputs", None)
    if isinstance(own, int) and not isinstance(own, bool):
        return own
    if _GEMINI_EMBEDDING_MODELS.search(model):
        return GEMINI_MAX_INPUTS_PER_REQUEST
    return MAX_INPUTS_PER_REQUEST


@dataclass(frozen=True)
class BatchPlan:
    """Which texts go to the service, in which batches, and where their vectors go back."""

    unique: list[str]
    #: for each input position, the index in ``unique`` of the text embedded for it
    positions: list[int]
    #: each batch lists indices into ``unique``
    batches: list[list[int]]

    def inputs_of(self, slot: int) -> list[int]:
        """The input positions whose text is ``unique[slot]``."""
        return [i for i, s in enumerate(self.positions) if s == slot]


def plan(
    texts: Sequence[str],
    *,
    chunk_size: int = DEFAULT_CHUNK_SIZE,
    max_batch_tokens: int = DEFAULT_MAX_BATCH_TOKENS,
    empty: EmptyPolicy = "space",
    max_inputs: int = MAX_INPUTS_PER_REQUEST,
) -> BatchPlan:
    """Validate ``texts`` and split them into request batches (exact duplicates sent once).

    A batch holds at most ``min(chunk_size, max_inputs)`` texts (``max_inputs``: the model's
    per-request limit, see :func:`max_inputs_per_request`).
    """
    if isinstance(texts, str):
        raise InvalidRequestError(
            "Pass a list of texts, not a single string (embed one text with [text], or use "
            "embed_query)."
        )
    checked = check_inputs(texts)
    assert isinstance(checked, list)
    if isinstance(chunk_size, bool) or not isinstance(chunk_size, int):
        raise InvalidRequestError(f"chunk_size must be an integer, got {chunk_size!r}.")
    if not 1 <= chunk_size <= MAX_INPUTS_PER_REQUEST:
        raise InvalidRequestError(
            f"chunk_size must be between 1 and {MAX_INPUTS_PER_REQUEST}, got {chunk_size}."
        )
    chunk_size = min(chunk_size, max_inputs)
    if max_batch_tokens < 1:
        raise InvalidRequestError(f"max_batch_tokens must be positive, got {max_batch_tokens}.")
    if empty not in ("space", "error"):
        raise InvalidRequestError(f"empty must be 'space' or 'error', got {empty!r}.")
    unique: list[str] = []
    seen: dict[str, int] = {}
    positions: list[int] = []
    for i, text in enumerate(checked):
        if not text.strip():
            if empty == "error":
                raise InvalidRequestError(
                    f"Text {i} is empty or only whitespace; the embeddings API rejects empty "
                    "input. Drop it, or use empty='space' to embed it as a single space."
                )
            text = " "
        slot = seen.get(text)
        if slot is None:
            slot = seen[text] = len(unique)
            unique.append(text)
        positions.append(slot)
    batches: list[list[int]] = []
    current: list[int] = []
    tokens = 0
    for slot, text in enumerate(unique):
        cost = estimate_tokens(text)
        if current and (len(current) >= chunk_size or tokens + cost > max_batch_tokens):
            batches.append(current)
            current, tokens = [], 0
        current.append(slot)
        tokens += cost
    if current:
        batches.append(current)
    return BatchPlan(unique, positions, batches)


def _too_large(error: BadRequestError) -> bool:
    """Whether the service refused the request for its size (not for a bad parameter)."""
    if isinstance(error, ContextLengthExceededError) or error.status_code == 413:
        return True
    message = error.message.split(" (request id ", 1)[0].lower()
    return bool(_TOO_LARGE.search(message)) and "dimension" not in message


class _Run:
    """One embedding job: the plan, the results, the progress count, the stop flag."""

    def __init__(self, plan: BatchPlan, model: str, progress: Progress | None) -> None:
        self.plan = plan
        self.model = model
        self.progress = progress
        self.results: list[list[float] | None] = [None] * len(plan.unique)
        self.done = 0
        #: set on the first failure: no further request is sent
        self.stopped = threading.Event()
        self._lock = threading.Lock()

    def texts(self, batch: list[int]) -> list[str]:
        return [self.plan.unique[i] for i in batch]

    def store(self, batch: list[int], vectors: list[list[float]]) -> None:
        with self._lock:
            for slot, vector in zip(batch, vectors, strict=True):
                self.results[slot] = vector
            self.done += len(batch)
            if self.progress is not None:
                self.progress(self.done, len(self.plan.unique))

    def split(self, batch: list[int], error: BadRequestError) -> tuple[list[int], list[int]]:
        """The two halves to retry when ``error`` says ``batch`` was too large; else re-raise."""
        if not _too_large(error):
            raise error
        if len(batch) == 1:
            slot = batch[0]
            where = self.plan.inputs_of(slot)
            shown = ", ".join(map(str, where[:5])) + (", ..." if len(where) > 5 else "")
            extend_message(
                error,
                f" -- text {shown} (about {estimate_tokens(self.plan.unique[slot])} tokens by a "
                f"rough estimate) is too long for {self.model} on its own: shorten or split it "
                "before embedding.",
            )
            raise error
        half = len(batch) // 2
        return batch[:half], batch[half:]

    def output(self) -> list[list[float]]:
        out: list[list[float]] = []
        for slot in self.plan.positions:
            vector = self.results[slot]
            if vector is None:  # pragma: no cover - every batch stored or raised
                raise InvalidResponseError("An embedding is missing from the answers.")
            out.append(vector)
        return out


def _prepare(
    endpoint: object,
    texts: Sequence[str],
    model: str,
    chunk_size: int,
    max_concurrency: int,
    max_batch_tokens: int,
    empty: EmptyPolicy,
    limit: ConcurrencyLimit | None,
    params: dict[str, Any],
) -> tuple[BatchPlan, ConcurrencyLimit]:
    require_text(model, "model", "e.g. 'text-embedding-3-small'.")
    check_dimensions(params.get("dimensions"))
    if limit is None:
        limit = ConcurrencyLimit(max_concurrency)
    batches = plan(
        texts,
        chunk_size=chunk_size,
        max_batch_tokens=max_batch_tokens,
        empty=empty,
        max_inputs=max_inputs_per_request(model, endpoint),
    )
    return batches, limit


def embed(
    embeddings: EmbeddingEndpoint,
    texts: Sequence[str],
    *,
    model: str,
    chunk_size: int = DEFAULT_CHUNK_SIZE,
    max_concurrency: int = DEFAULT_MAX_CONCURRENCY,
    max_batch_tokens: int = DEFAULT_MAX_BATCH_TOKENS,
    empty: EmptyPolicy = "space",
    on_progress: Progress | None = None,
    limit: ConcurrencyLimit | None = None,
    **params: Any,
) -> list[list[float]]:
    """Embed ``texts`` in order; batches run ``max_concurrency`` at a time on threads.

    ``embeddings``: the endpoint (``client.embeddings``, or ``client.gemini.embeddings`` for
    Gemini's native ``batchEmbedContents``). ``limit``: a :class:`ConcurrencyLimit` shared with
    other calls (it then bounds requests instead of ``max_concurrency``). ``params`` go into every
    request (``dimensions``, ``encoding_format``, ``user``, ...; on the Gemini endpoint
    ``task_type``, ``output_dimensionality``).
    """
    batches, gate = _prepare(
        embeddings,
        texts,
        model,
        chunk_size,
        max_concurrency,
        max_batch_tokens,
        empty,
        limit,
        params,
    )
    run = _Run(batches, model, on_progress)

    def one(batch: list[int]) -> None:
        if run.stopped.is_set():
            return
        try:
            with gate.slot():
                response = embeddings.create(model=model, input=run.texts(batch), **params)
            vectors = response.vectors()  # checked: one per text (the client's parser)
        except BadRequestError as error:
            for half in run.split(batch, error):
                one(half)
            return
        run.store(batch, vectors)

    workers = min(gate.limit, len(batches.batches))
    if workers <= 1:
        for batch in batches.batches:
            one(batch)
        return run.output()
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="yescale-embed") as pool:
        # each batch runs in a copy of the caller's context: cost trackers see its requests
        futures = [
            pool.submit(contextvars.copy_context().run, one, batch) for batch in batches.batches
        ]
        try:
            wait(futures, return_when=FIRST_EXCEPTION)
            for future in futures:
                error = future.exception() if future.done() else None
                if error is not None:
                    raise error
        finally:
            # On a failure (or Ctrl-C): no new request; queued batches are dropped.
            run.stopped.set()
            for future in futures:
                future.cancel()
    return run.output()


async def _all(jobs: Sequence[Awaitable[None]]) -> None:
    """Run ``jobs`` together; on the first failure cancel the rest, then raise it."""
    tasks = [asyncio.ensure_future(job) for job in jobs]
    try:
        await asyncio.gather(*tasks)
    except BaseException:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        raise


async def aembed(
    embeddings: AsyncEmbeddingEndpoint,
    texts: Sequence[str],
    *,
    model: str,
    chunk_size: int = DEFAULT_CHUNK_SIZE,
    max_concurrency: int = DEFAULT_MAX_CONCURRENCY,
    max_batch_tokens: int = DEFAULT_MAX_BATCH_TOKENS,
    empty: EmptyPolicy = "space",
    on_progress: Progress | None = None,
    limit: ConcurrencyLimit | None = None,
    **params: Any,
) -> list[list[float]]:
    """Async twin of :func:`embed`: at most ``max_concurrency`` requests in flight."""
    batches, gate = _prepare(
        embeddings,
        texts,
        model,
        chunk_size,
        max_concurrency,
        max_batch_tokens,
        empty,
        limit,
        params,
    )
    run = _Run(batches, model, on_progress)
    semaphore = gate.async_gate()

    async def one(batch: list[int]) -> None:
        try:
            async with semaphore:
                response = await embeddings.create(model=model, input=run.texts(batch), **params)
            vectors = response.vectors()  # checked: one per text (the client's parser)
        except BadRequestError as error:
            await _all([one(half) for half in run.split(batch, error)])
            return
        run.store(batch, vectors)

    await _all([one(batch) for batch in batches.batches])
    return run.output()
