"""Warnings that point at the caller's line: the first frame outside this package, the framework
packages and the libraries they build on (pydantic, langchain, llama_index), however deep the
warning is raised."""

from __future__ import annotations

import sys
import warnings

#: Modules whose frames a warning skips, so that it points at the line that built the object.
_INTERNAL = (
    "yescale",
    "langchain_yescale",
    "llama_index_yescale",
    "pydantic",
    "langchain_core",
    "langchain",
)
_INTERNAL_PREFIXES = ("llama_index.",)


def _internal(module: str) -> bool:
    return module.split(".", 1)[0] in _INTERNAL or module.startswith(_INTERNAL_PREFIXES)


def warn_at_caller(message: str, category: type[Warning] = UserWarning) -> None:
    """Warn ``message``, attributed to the first frame outside the internal modules."""
    frame = sys._getframe(1)
    level = 1
    while frame.f_back is not None and _internal(str(frame.f_globals.get("__name__", ""))):
        frame = frame.f_back
        level += 1
    warnings.warn(message, category, stacklevel=level + 1)
