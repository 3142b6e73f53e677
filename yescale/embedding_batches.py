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
* Input limits learned: a refusal that counts inputs ("at most 100 inputs") is remembered per
  client, endpoint and model (:mod:`yescale.embedding_limits` states the policy): the refused
  batch is split at the stated limit at once (else halved), and every later batch of the job, and
  of later jobs on the same client, is fitted when its turn to be sent comes. Batches already
  in flight when the first refusal comes back may be refused too (once each, when the service
  states its limit).
* Empty and whitespace-only strings: the API rejects empty input, so by default
  (``empty="space"``) they are embedded as a single space (once, shared by all of them) and
  never make a request fail. ``empty="error"`` refuses them before any request.
* Concurrency: at most ``max_concurrency`` requests in flight, over the client's pooled
  connections. Default: :data:`DEFAULT_MAX_CONCURRENCY` (8) threads on the sync path;
  :data:`DEFAULT_ASYNC_MAX_CONCURRENCY` (32) tasks on the async path, where a request in flight
  costs no thread. (LlamaIndex's own async path sends every batch at once; 32 sends a
  20,000-text job, 20 requests of 1,000, in one wave, while a larger corpus still cannot open
  an unbounded number of requests against the service's rate limit; 429s are retried by the
  client.) A :class:`ConcurrencyLimit` shared between calls bounds them all together (the
  framework classes keep one per object and path). The first failure stops the job: batches
  not yet sent are not sent.
* ``encoding_format="base64"`` answers (about a quarter of the JSON size) are decoded to floats.
  An endpoint with ``create_vectors`` (``client.embeddings``) is called through it: the answer is
  checked and decoded without a pydantic model per vector (:func:`yescale.types.embeddings.
  parse_vectors`).
* Answers: one that does not hold exactly one non-empty vector per input of its batch (fewer,
  more, indices missing or repeated) raises :class:`~yescale.InvalidResponseError` saying how many
  were expected and received; the job stops there, as on any failure.
"""

from __future__ import annotations

import asyncio
import contextvars
import threading
from collections.abc import Awaitable, Callable, Sequence
from concurrent.futures import FIRST_EXCEPTION, ThreadPoolExecutor, wait
from typing import Any, Protocol

from ._concurrency import ConcurrencyLimit as ConcurrencyLimit
from ._validate import require_text
from .embedding_limits import (
    InputLimits,
    is_count_refusal,
    is_size_refusal,
    limits_for,
    pieces,
    stated_limit,
)
from .embedding_plan import DEFAULT_CHUNK_SIZE as DEFAULT_CHUNK_SIZE
from .embedding_plan import DEFAULT_MAX_BATCH_TOKENS as DEFAULT_MAX_BATCH_TOKENS
from .embedding_plan import GEMINI_MAX_INPUTS_PER_REQUEST as GEMINI_MAX_INPUTS_PER_REQUEST
from .embedding_plan import MAX_INPUTS_PER_REQUEST as MAX_INPUTS_PER_REQUEST
from .embedding_plan import BatchPlan as BatchPlan
from .embedding_plan import EmptyPolicy as EmptyPolicy
from .embedding_plan import estimate_tokens as estimate_tokens
from .embedding_plan import max_inputs_per_request as max_inputs_per_request
from .embedding_plan import plan as plan
from .errors import (
    BadRequestError,
    InvalidResponseError,
    extend_message,
)
from .resources.embeddings import check_dimensions

DEFAULT_MAX_CONCURRENCY = 8
#: requests in flight on the async path when the caller sets no limit
DEFAULT_ASYNC_MAX_CONCURRENCY = 32

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


class _Run:
    """One embedding job: the plan, the results, the progress count, the stop flag, and the
    client's memory of input limits."""

    def __init__(
        self, plan: BatchPlan, model: str, progress: Progress | None, limits: InputLimits
    ) -> None:
        self.plan = plan
        self.model = model
        self.progress = progress
        self.limits = limits
        self.results: list[list[float] | None] = [None] * len(plan.unique)
        self.done = 0
        #: set on the first failure: no further request is sent
        self.stopped = threading.Event()
        self._lock = threading.Lock()

    def texts(self, batch: list[int]) -> list[str]:
        return [self.plan.unique[i] for i in batch]

    def fit(self, batch: list[int]) -> list[list[int]] | None:
        """``batch`` in pieces when a limit learned since it was planned says it is too large."""
        cap = self.limits.cap(self.model)
        return pieces(batch, cap) if cap is not None and len(batch) > cap else None

    def store(self, batch: list[int], vectors: list[list[float]]) -> None:
        self.limits.worked(self.model, len(batch))
        with self._lock:
            for slot, vector in zip(batch, vectors, strict=True):
                self.results[slot] = vector
            self.done += len(batch)
            if self.progress is not None:
                self.progress(self.done, len(self.plan.unique))

    def split(self, batch: list[int], error: BadRequestError) -> list[list[int]]:
        """The pieces to retry when ``error`` says ``batch`` was too large (at the input limit it
        states or taught, else halves); else re-raise."""
        if not is_size_refusal(error):
            raise error
        counted = is_count_refusal(error)
        if len(batch) == 1:
            if counted:  # one input "too many": the message was not about the count
                self.limits.forget(self.model)
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
        if counted:
            stated = stated_limit(error.message, len(batch))
            cap = self.limits.refused(self.model, len(batch), stated)
            if cap is not None and cap < len(batch):
                return pieces(batch, cap)
        half = len(batch) // 2
        return [batch[:half], batch[half:]]

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
    progress: Progress | None,
) -> tuple[_Run, ConcurrencyLimit]:
    require_text(model, "model", "e.g. 'text-embedding-3-small'.")
    check_dimensions(params.get("dimensions"))
    if limit is None:
        limit = ConcurrencyLimit(max_concurrency)
    limits = limits_for(endpoint)
    max_inputs = max_inputs_per_request(model, endpoint)
    learned = limits.cap(model)
    batches = plan(
        texts,
        chunk_size=chunk_size,
        max_batch_tokens=max_batch_tokens,
        empty=empty,
        max_inputs=max_inputs if learned is None else min(max_inputs, learned),
    )
    return _Run(batches, model, progress, limits), limit


def vector_sender(endpoint: Any) -> Any:
    """``create_vectors`` when the endpoint has it (vectors only, no model per item), else
    ``create``."""
    return getattr(endpoint, "create_vectors", None) or endpoint.create


def embed(
    embeddings: EmbeddingEndpoint,
    texts: Sequence[str],
    *,
    model: str,
    chunk_size: int = DEFAULT_CHUNK_SIZE,
    max_concurrency: int | None = None,
    max_batch_tokens: int = DEFAULT_MAX_BATCH_TOKENS,
    empty: EmptyPolicy = "space",
    on_progress: Progress | None = None,
    limit: ConcurrencyLimit | None = None,
    **params: Any,
) -> list[list[float]]:
    """Embed ``texts`` in order; batches run ``max_concurrency`` at a time on threads (default
    :data:`DEFAULT_MAX_CONCURRENCY`).

    ``embeddings``: the endpoint (``client.embeddings``, or ``client.gemini.embeddings`` for
    Gemini's native ``batchEmbedContents``). ``limit``: a :class:`ConcurrencyLimit` shared with
    other calls (it then bounds requests instead of ``max_concurrency``). ``params`` go into every
    request (``dimensions``, ``encoding_format``, ``user``, ...; on the Gemini endpoint
    ``task_type``, ``output_dimensionality``).
    """
    run, gate = _prepare(
        embeddings,
        texts,
        model,
        chunk_size,
        DEFAULT_MAX_CONCURRENCY if max_concurrency is None else max_concurrency,
        max_batch_tokens,
        empty,
        limit,
        params,
        on_progress,
    )
    send = vector_sender(embeddings)

    def one(batch: list[int]) -> None:
        if run.stopped.is_set():
            return
        with gate.slot():
            # fitted once its turn comes: a refusal meanwhile may have taught a limit
            retry = run.fit(batch)
            if retry is None:
                try:
                    response = send(model=model, input=run.texts(batch), **params)
                except BadRequestError as error:
                    retry = run.split(batch, error)
        if retry is not None:
            for piece in retry:
                one(piece)
            return
        run.store(batch, response.vectors())  # checked: one per text (the client's parser)

    batches = run.plan.batches
    workers = min(gate.limit, len(batches))
    if workers <= 1:
        for batch in batches:
            one(batch)
        return run.output()
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="yescale-embed") as pool:
        # each batch runs in a copy of the caller's context: cost trackers see its requests
        futures = [pool.submit(contextvars.copy_context().run, one, batch) for batch in batches]
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
    max_concurrency: int | None = None,
    max_batch_tokens: int = DEFAULT_MAX_BATCH_TOKENS,
    empty: EmptyPolicy = "space",
    on_progress: Progress | None = None,
    limit: ConcurrencyLimit | None = None,
    **params: Any,
) -> list[list[float]]:
    """Async twin of :func:`embed`: at most ``max_concurrency`` requests in flight (default
    :data:`DEFAULT_ASYNC_MAX_CONCURRENCY`)."""
    run, gate = _prepare(
        embeddings,
        texts,
        model,
        chunk_size,
        DEFAULT_ASYNC_MAX_CONCURRENCY if max_concurrency is None else max_concurrency,
        max_batch_tokens,
        empty,
        limit,
        params,
        on_progress,
    )
    semaphore = gate.async_gate()
    send = vector_sender(embeddings)

    async def one(batch: list[int]) -> None:
        async with semaphore:
            retry = run.fit(batch)  # once its turn comes, as on the sync path
            if retry is None:
                try:
                    response = await send(model=model, input=run.texts(batch), **params)
                except BadRequestError as error:
                    retry = run.split(batch, error)
        if retry is not None:
            await _all([one(piece) for piece in retry])
            return
        run.store(batch, response.vectors())  # checked: one per text (the client's parser)

    batches = run.plan.batches
    if len(batches) == 1:
        await one(batches[0])  # no task to create and gather
    else:
        await _all([one(batch) for batch in batches])
    return run.output()
