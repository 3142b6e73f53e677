"""Checks made before any request, so bad input fails fast with a clear message."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from ..errors import InvalidRequestError


def require_text(value: Any, name: str, hint: str = "") -> str:
    if not isinstance(value, str) or not value.strip():
        shown = "an empty string" if isinstance(value, str) else type(value).__name__
        raise InvalidRequestError(
            f"`{name}` must be a non-empty string, got {shown}." + (f" {hint}" if hint else "")
        )
    return value


def require_messages(messages: Any) -> list[dict[str, Any]]:
    if isinstance(messages, (str, bytes)) or not isinstance(messages, Sequence) or not messages:
        raise InvalidRequestError(
            "`messages` must be a non-empty list of message dicts such as "
            '[{"role": "user", "content": "Hello"}].'
        )
    out: list[dict[str, Any]] = []
    for i, message in enumerate(messages):
        if not isinstance(message, Mapping) or not message.get("role"):
            raise InvalidRequestError(
                f"messages[{i}] must be a dict with a 'role' (system, user, assistant, tool), "
                f"got {message!r:.80}."
            )
        out.append(dict(message))
    return out
