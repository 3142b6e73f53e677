"""Signatures computed once, for frameworks that inspect a method on every call."""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import TypeVar

F = TypeVar("F", bound=Callable[..., object])


def presigned(function: F) -> F:
    """Store ``function``'s signature on it (``__signature__``), and return it.

    ``inspect.signature`` returns a stored signature as is instead of building it anew. LangChain
    inspects ``_generate`` on every call (does it take ``run_manager``?), LlamaIndex's dispatcher
    every ``chat``/``complete`` (to bind the arguments of the span): 10-20 µs a call each, about 4%
    of a whole call to a local server. The stored signature is the one ``inspect`` would build.
    """
    function.__signature__ = inspect.signature(function)  # type: ignore[attr-defined]
    return function
