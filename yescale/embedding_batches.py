"""Embedding many texts: the one batching routine behind both frameworks' embedding classes.

* Order: every vector lands at its input's position (by the answer's ``index``), whatever order
  batches finish in or the service lists them.
* Batches: at most ``chunk_size`` inputs and about ``max_batch_tokens`` estimated tokens each; a
  batch the service rejects as too large is split in half and retried, down to one input (which
  then raises, naming its position).
* Empty and whitespace-only strings: the API rejects empty input, so by default
  (``empty="space"``) they are embedded as a single space — once, shared by all of them — and
  never make a request fail. ``empty="error"`` refuses them before any request.
* Concurrency: batches run ``max_concurrency`` at a time (threads on the sync path, tasks on the
  async path), over the client's pooled connections.
* ``encoding_format="base64"`` answers (a quarter of the JSON size) are decoded to floats.
"""

from __future__ import annotations

import asyncio
import re
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, Literal

from .errors import BadRequestError, InvalidRequestError, InvalidResponseError
from .resources.embeddings import AsyncEmbeddings, Embeddings, check_inputs
from .types.embeddings import EmbeddingResponse

#: The OpenAI embeddings API takes up to 2048 inputs and 300k tokens per request.
MAX_INPUTS_PER_REQUEST = 2048
DEFAULT_CHUNK_SIZE = 1000
DEFAULT_MAX_BATCH_TOKENS = 250_000
DEFAULT_MAX_CONCURRENCY = 8
_TOO_LARGE = re.compile(
    r"too (many|large|long)|maximum|max_tokens|exceed|limit|at most|413", re.IGNORECASE
)

EmptyPolicy = Literal["space", "error"]
Progress = Callable[[int, int], None]


def estimate_tokens(text: str) -> int:
    """A cheap upper-ish estimate (about 3 characters per token) used only to size batches."""
    return len(text) // 3 + 1


@dataclass(frozen=True)
class BatchPlan:
    """Which texts go to the service, in which batches, and where their vectors go back."""

    unique: list[str]
    #: for each input position, the index in ``unique`` of the text embedded for it
    positions: list[int]
    batches: list[list[int]]


def plan(
    texts: Sequence[str],
    *,
    chunk_size: int = DEFAULT_CHUNK_SIZE,
    max_batch_tokens: int = DEFAULT_MAX_BATCH_TOKENS,
    empty: EmptyPolicy = "space",
) -> BatchPlan:
    """Validate ``texts`` and split them into request batches (exact duplicates sent once)."""
    if isinstance(texts, str):
        raise InvalidRequestError("Pass a list of texts, not a single string.")
    checked = check_inputs(texts)
    assert isinstance(checked, list)
    if not 1 <= chunk_size <= MAX_INPUTS_PER_REQUEST:
        raise InvalidRequestError(
            f"chunk_size must be between 1 and {MAX_INPUTS_PER_REQUEST}, got {chunk_size}."
        )
    unique: list[str] = []
    seen: dict[str, int] = {}
    positions: list[int] = []
    for i, text in enumerate(checked):
        if not text.strip():
            if empty == "error":
                raise InvalidRequestError(
                    f"Text {i} is empty or only whitespace; the embeddings API rejects empty "
                    "input. Drop it, or use empty='space'."
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


def _vectors(response: EmbeddingResponse, expected: int) -> list[list[float]]:
    vectors = response.vectors()
    if len(vectors) != expected:
        raise InvalidResponseError(
            f"The embeddings answer holds {len(vectors)} vectors for {expected} inputs."
        )
    return vectors


def _too_large(error: BadRequestError) -> bool:
    return error.status_code == 413 or bool(_TOO_LARGE.search(error.message))


class _Run:
    """One embedding job: the plan, the results, the progress count."""

    def __init__(self, plan: BatchPlan, params: dict[str, Any], progress: Progress | None):
        self.plan = plan
        self.params = params
        self.progress = progress
        self.results: list[list[float] | None] = [None] * len(plan.unique)
        self.done = 0
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
        if len(batch) == 1 or not _too_large(error):
            if len(batch) == 1 and _too_large(error):
                error.message = (
                    f"{error.message} (the text at unique position {batch[0]} is too long for "
                    "the model on its own: shorten or split it)"
                )
            raise error
        half = len(batch) // 2
        return batch[:half], batch[half:]

    def output(self) -> list[list[float]]:
        return [self.results[slot] or [] for slot in self.plan.positions]


def embed(
    embeddings: Embeddings,
    texts: Sequence[str],
    *,
    model: str,
    chunk_size: int = DEFAULT_CHUNK_SIZE,
    max_concurrency: int = DEFAULT_MAX_CONCURRENCY,
    max_batch_tokens: int = DEFAULT_MAX_BATCH_TOKENS,
    empty: EmptyPolicy = "space",
    on_progress: Progress | None = None,
    **params: Any,
) -> list[list[float]]:
    """Embed ``texts`` in order; batches run ``max_concurrency`` at a time on threads."""
    batches = plan(texts, chunk_size=chunk_size, max_batch_tokens=max_batch_tokens, empty=empty)
    run = _Run(batches, params, on_progress)

    def one(batch: list[int]) -> None:
        try:
            response = embeddings.create(model=model, input=run.texts(batch), **params)
        except BadRequestError as error:
            for half in run.split(batch, error):
                one(half)
            return
        run.store(batch, _vectors(response, len(batch)))

    if max_concurrency <= 1 or len(run.plan.batches) == 1:
        for batch in run.plan.batches:
            one(batch)
    else:
        with ThreadPoolExecutor(max_workers=max_concurrency) as pool:
            for future in [pool.submit(one, batch) for batch in run.plan.batches]:
                future.result()
    return run.output()


async def aembed(
    embeddings: AsyncEmbeddings,
    texts: Sequence[str],
    *,
    model: str,
    chunk_size: int = DEFAULT_CHUNK_SIZE,
    max_concurrency: int = DEFAULT_MAX_CONCURRENCY,
    max_batch_tokens: int = DEFAULT_MAX_BATCH_TOKENS,
    empty: EmptyPolicy = "space",
    on_progress: Progress | None = None,
    **params: Any,
) -> list[list[float]]:
    """Async twin of :func:`embed`: at most ``max_concurrency`` requests in flight."""
    batches = plan(texts, chunk_size=chunk_size, max_batch_tokens=max_batch_tokens, empty=empty)
    run = _Run(batches, params, on_progress)
    gate = asyncio.Semaphore(max(1, max_concurrency))

    async def one(batch: list[int]) -> None:
        try:
            async with gate:
                response = await embeddings.create(model=model, input=run.texts(batch), **params)
        except BadRequestError as error:
            await asyncio.gather(*(one(half) for half in run.split(batch, error)))
            return
        run.store(batch, _vectors(response, len(batch)))

    await asyncio.gather(*(one(batch) for batch in run.plan.batches))
    return run.output()
