"""Planning an embedding job: which texts go to the service, in which batches (pure, no I/O).

Part of :mod:`yescale.embedding_batches` (which re-exports these names and states the whole
policy): per-request input caps by model, a cheap token estimate, duplicates sent once, empty
texts as one space, batches of at most ``chunk_size`` inputs and ``max_batch_tokens``.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from .errors import InvalidRequestError
from .resources.embeddings import check_inputs

__all__ = [
    "DEFAULT_CHUNK_SIZE",
    "DEFAULT_MAX_BATCH_TOKENS",
    "GEMINI_MAX_INPUTS_PER_REQUEST",
    "MAX_INPUTS_PER_REQUEST",
    "BatchPlan",
    "EmptyPolicy",
    "estimate_tokens",
    "max_inputs_per_request",
    "plan",
]

#: The OpenAI embeddings API takes up to 2048 inputs and 300k tokens per request.
MAX_INPUTS_PER_REQUEST = 2048
#: Gemini's ``batchEmbedContents`` (behind Gemini models on ``/v1/embeddings``) takes 100.
GEMINI_MAX_INPUTS_PER_REQUEST = 100
DEFAULT_CHUNK_SIZE = 1000
DEFAULT_MAX_BATCH_TOKENS = 250_000

_GEMINI_EMBEDDING_MODELS = re.compile(
    r"(^|/)(gemini-embedding|text-embedding-00[45]|embedding-00\d|text-multilingual-embedding)",
    re.IGNORECASE,
)

EmptyPolicy = Literal["space", "error"]


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
