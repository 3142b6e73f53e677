"""How many inputs one embeddings request may carry, as the service's refusals taught it.

:mod:`yescale.embedding_batches` splits a batch the service refuses as too large. This module
decides what such a refusal says, and remembers what it taught, so that a corpus job does not
rediscover the limit for every batch, and later jobs do not rediscover it at all.

Policy:

* **Size refusals.** A 400 whose message speaks of size (too many / too large / too long,
  maximum, limit, exceed, at most, per request, payload), not of dimensions; a 413; a context
  length error. Anything else is raised as it is, never split (:func:`is_size_refusal`).
* **Input-count refusals** are the size refusals whose message clearly counts inputs ("too many
  inputs", "batch size", "at most 100 inputs", "array with maximum length", "number of items",
  OpenAI's ``'$.input'``) and speaks of nothing else that has a size: no tokens, characters,
  bytes, context length, dimensions, payload, no text "too long" (:func:`is_count_refusal`).
  Only these are remembered. A refusal for tokens or bytes depends on the texts' lengths, not on
  how many there are: it is halved, as before, and forgotten.
* **A stated limit** is read only from an input-count refusal, only right after a limit phrase
  ("at most 100", "maximum of 100", "maximum length 2048", "less than or equal to 100",
  "exceeds 100", "limit of 100", "no more than 100", "up to 100"), never when a unit other than a
  count follows it ("100 tokens"), and only when it is smaller than the refused batch; of several,
  the smallest (:func:`stated_limit`). From then on the model's requests carry at most that many
  inputs, and the refused batch is split into pieces of that size at once.
* **No stated limit**: the smallest refused size is remembered; requests then carry at most half
  of it (halving, as before), or the largest size that has worked below it when that is larger.
  The limit is never probed upwards again.
* **Contradictions** clear what was learned for the model: a batch no larger than a stated limit
  refused again, or a single input refused "for its count" (the message was not about the count).
* **Where it is kept**: one :class:`InputLimits` per client (its transport, so one base URL) and
  endpoint, for the sync and async faces alike (:func:`limits_for`), keyed by model inside;
  thread-safe; in this process only, for the client's life. An endpoint object this module does
  not know gets one of its own.
"""

from __future__ import annotations

import re
import threading
import weakref
from dataclasses import dataclass
from typing import Any

from .errors import BadRequestError, ContextLengthExceededError

__all__ = [
    "InputLimits",
    "is_count_refusal",
    "is_size_refusal",
    "limits_for",
    "pieces",
    "shared_limits",
    "stated_limit",
]

_TOO_LARGE = re.compile(
    r"too (many|large|long)|\bmax(imum)?\b|max_tokens|exceed|limit|at most|per request|payload"
    r"|entity|\b413\b",
    re.IGNORECASE,
)
_NOUNS = r"(inputs?|items?|texts?|strings?|elements?|documents?|requests?|entries|embeddings)"
_COUNT = re.compile(
    rf"too many {_NOUNS}|batch size|number of {_NOUNS}|\d[\d,]* {_NOUNS}\b"
    r"|\b(array|list|batch)\b[^.;]*\b(too (long|large)|length|size)\b"
    r"|\binput\b[^.;]*\bmust have length\b|'\$\.input'",
)
#: What has a size but is not the number of inputs: never read as an input-count limit.
_OTHER_SIZES = re.compile(
    r"token|context|char|byte|dimension|payload|entity|\bkb\b|\bmb\b|\bwords?\b"
    r"|(string|text|input)s? (is |are )?too long",
)
_STATED = re.compile(
    r"(?:at most|no more than|up to|less than or equal to|<="
    r"|maximum(?: array| list| batch| input)?(?: length| size| number| count)?"
    r"|\bmax\b|exceeds?(?: the)?(?: maximum| max| limit)?|limit(?: is)?)"
    r"(?: of| is)?[ :=]*(\d[\d,]*)(?![\d,])(?! ?(?:tokens?|char|bytes?|kb|mb|dimension))",
)


def _message(error: BadRequestError) -> str:
    return error.message.split(" (request id ", 1)[0].lower()


def is_size_refusal(error: BadRequestError) -> bool:
    """Whether the service refused the request for its size (not for a bad parameter)."""
    if isinstance(error, ContextLengthExceededError) or error.status_code == 413:
        return True
    message = _message(error)
    return bool(_TOO_LARGE.search(message)) and "dimension" not in message


def is_count_refusal(error: BadRequestError) -> bool:
    """Whether a size refusal is clearly about the number of inputs (and nothing else)."""
    if isinstance(error, ContextLengthExceededError) or error.status_code == 413:
        return False
    message = _message(error)
    return bool(_COUNT.search(message)) and not _OTHER_SIZES.search(message)


def stated_limit(message: str, refused: int) -> int | None:
    """The input-count limit ``message`` states for a refused batch of ``refused`` inputs: the
    smallest number right after a limit phrase that is below ``refused``, else ``None`` (also
    when the message speaks of tokens, characters, bytes...). Meant for input-count refusals
    (:func:`is_count_refusal`)."""
    text = message.split(" (request id ", 1)[0].lower()
    if _OTHER_SIZES.search(text):
        return None
    found = [int(m.group(1).replace(",", "")) for m in _STATED.finditer(text)]
    below = [n for n in found if 1 <= n < refused]
    return min(below) if below else None


def pieces(batch: list[int], cap: int) -> list[list[int]]:
    """``batch`` in the fewest pieces of at most ``cap`` items, of nearly equal sizes (in order)."""
    count = -(-len(batch) // cap)
    size, extra = divmod(len(batch), count)
    out: list[list[int]] = []
    start = 0
    for i in range(count):
        end = start + size + (1 if i < extra else 0)
        out.append(batch[start:end])
        start = end
    return out


@dataclass
class _Learned:
    stated: int | None = None
    #: the smallest batch refused for its count (no limit stated)
    refused: int | None = None
    #: the largest batch that worked below ``refused``
    worked: int = 0

    def cap(self) -> int | None:
        if self.stated is not None:
            return self.stated
        if self.refused is None:
            return None
        return max(self.worked, -(-self.refused // 2))


class InputLimits:
    """What input-count refusals taught, per model: how many inputs a request may carry.
    Thread-safe; see the module's policy."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._models: dict[str, _Learned] = {}

    def cap(self, model: str) -> int | None:
        """The most inputs a request for ``model`` should carry, when a refusal taught one."""
        with self._lock:
            learned = self._models.get(model)
            return None if learned is None else learned.cap()

    def refused(self, model: str, size: int, stated: int | None) -> int | None:
        """Record that a batch of ``size`` inputs was refused for its count (``stated``: the
        limit the message gave); return the new cap, or ``None`` when the refusal contradicts
        what was learned (which is then forgotten: the caller halves the batch)."""
        with self._lock:
            learned = self._models.setdefault(model, _Learned())
            if learned.stated is not None and size <= learned.stated:
                del self._models[model]
                return None
            if stated is not None:
                learned.stated = min(stated, learned.stated or stated)
            else:
                learned.refused = min(size, learned.refused or size)
                if learned.worked >= learned.refused:
                    learned.worked = 0
            return learned.cap()

    def worked(self, model: str, size: int) -> None:
        """Record that a batch of ``size`` inputs was answered."""
        with self._lock:
            learned = self._models.get(model)
            if learned is not None and learned.refused is not None and size < learned.refused:
                learned.worked = max(learned.worked, size)

    def forget(self, model: str) -> None:
        """Drop what was learned for ``model``."""
        with self._lock:
            self._models.pop(model, None)

    def __repr__(self) -> str:
        with self._lock:
            caps = {model: learned.cap() for model, learned in self._models.items()}
        return f"InputLimits({caps})"


_SHARED: weakref.WeakKeyDictionary[Any, dict[str, InputLimits]] = weakref.WeakKeyDictionary()
_OWN: weakref.WeakKeyDictionary[Any, InputLimits] = weakref.WeakKeyDictionary()
_REGISTRY_LOCK = threading.Lock()


def shared_limits(owner: object, endpoint: str) -> InputLimits:
    """The memory of ``endpoint`` (a path) on ``owner`` (a client's transport): its sync and async
    endpoint objects share it."""
    with _REGISTRY_LOCK:
        per_owner = _SHARED.get(owner)
        if per_owner is None:
            per_owner = _SHARED[owner] = {}
        limits = per_owner.get(endpoint)
        if limits is None:
            limits = per_owner[endpoint] = InputLimits()
        return limits


def limits_for(endpoint: object) -> InputLimits:
    """The memory an endpoint object keeps (``input_limits``), else one kept for that object,
    else (an object that cannot be referred to weakly) a new one for this job only."""
    own = getattr(endpoint, "input_limits", None)
    if isinstance(own, InputLimits):
        return own
    with _REGISTRY_LOCK:
        try:
            limits = _OWN.get(endpoint)
            if limits is None:
                limits = _OWN[endpoint] = InputLimits()
            return limits
        except TypeError:
            return InputLimits()
