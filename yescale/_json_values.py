"""Where a value stops being JSON: the one check behind every "cannot send this" message."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

__all__ = ["json_problem"]


def json_problem(value: Any, path: str = "") -> str | None:
    """Where ``value`` stops being JSON (a NaN, a datetime, an object...), or ``None``."""
    if value is None or isinstance(value, (str, bool, int)):
        return None
    if isinstance(value, float):
        if math.isfinite(value):
            return None
        return (
            f"{path or 'the body'} is {value!r}, and JSON has no NaN or Infinity: pass a finite "
            "number (or leave the parameter out)"
        )
    if isinstance(value, Mapping):
        for key, item in value.items():
            if not isinstance(key, (str, int, float, bool)) and key is not None:
                return f"{path or 'the body'} has a key of type {type(key).__name__} ({key!r:.40})"
            found = json_problem(item, f"{path}.{key}" if path else str(key))
            if found:
                return found
        return None
    if isinstance(value, (list, tuple)):
        for i, item in enumerate(value):
            found = json_problem(item, f"{path}[{i}]")
            if found:
                return found
        return None
    hint = "value.isoformat()" if hasattr(value, "isoformat") else "str(value)"
    return (
        f"{path or 'the body'} is a {type(value).__name__} ({value!r:.60}), which is not JSON: "
        f"convert it first (e.g. {hint}, or a dict / list of plain values)"
    )
