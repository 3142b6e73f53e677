"""Where a value stops being JSON: the one check behind every "cannot send this" message; and
tool-call arguments, which travel as JSON text, to and from the wire."""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from typing import Any

from .errors import InvalidRequestError

__all__ = ["dump_tool_arguments", "json_problem", "load_tool_arguments"]


def dump_tool_arguments(args: Any, name: str, path: str = "args") -> str:
    """A tool call's arguments as the JSON text the wire carries; a clear error when not JSON."""
    try:
        return json.dumps(args, ensure_ascii=False, allow_nan=False)
    except (TypeError, ValueError) as exc:
        problem = json_problem(args, path) or str(exc)
        raise InvalidRequestError(
            f"The arguments of tool call {name} cannot be sent back: {problem}. Tool-call "
            "arguments must be JSON values."
        ) from exc


def load_tool_arguments(text: str | None) -> dict[str, Any]:
    """A tool call's JSON arguments as a dict (``{}`` when empty).

    Raises ``ValueError`` saying what is wrong when the text is not a JSON object (the model
    wrote broken JSON, or a list or a string).
    """
    if not text or not text.strip():
        return {}
    try:
        args = json.loads(text)
    except ValueError as exc:  # also a number longer than Python reads (4300 digits)
        raise ValueError(f"Arguments are not valid JSON: {exc}") from None
    except RecursionError:
        # The model's text comes from the wire: nesting deep enough to exhaust the stack is
        # broken arguments like any other, not a crash of the caller.
        raise ValueError("Arguments are not valid JSON: nested too deeply to read") from None
    if not isinstance(args, dict):
        raise ValueError("Arguments must be a JSON object.")
    return args


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
