"""OpenAI-format chat parameters -> the Messages API's fields (``max_tokens`` required, ``stop``
-> ``stop_sequences``, ``user`` -> ``metadata.user_id``), OpenAI-only ones refused with a hint."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..errors import InvalidRequestError

__all__ = ["OPENAI_ONLY_PARAMS", "chat_params"]

#: OpenAI parameters the Messages API has no field for: refused with this hint each.
OPENAI_ONLY_PARAMS: dict[str, str] = {
    "response_format": (
        "the Messages API has no response_format: ask for structured output through a forced "
        "tool (the framework classes' with_structured_output does), or describe the JSON in the "
        "prompt"
    ),
    "reasoning_effort": 'use thinking={"type": "enabled", "budget_tokens": 2048} instead',
    "logprobs": "Claude returns no log-probabilities",
    "top_logprobs": "Claude returns no log-probabilities",
    "presence_penalty": "Claude has no presence penalty",
    "frequency_penalty": "Claude has no frequency penalty",
    "seed": "Claude takes no seed",
    "logit_bias": "Claude takes no logit bias",
    "modalities": "Claude answers in text only",
    "audio": "Claude answers in text only",
}


def chat_params(params: Mapping[str, Any]) -> dict[str, Any]:
    """The OpenAI-format parameters of a chat as Messages API fields: ``max_tokens`` (or
    ``max_completion_tokens``) required, ``stop`` -> ``stop_sequences``, ``user`` ->
    ``metadata.user_id``; the others pass (``temperature``, ``top_p``, ``top_k``, ``thinking``,
    ``metadata``, ``service_tier``, ``betas``...); ``stream_options`` / ``include_usage`` are
    dropped (usage always comes). OpenAI-only ones are refused."""
    out = dict(params)
    for name, hint in OPENAI_ONLY_PARAMS.items():
        if out.get(name) is not None:
            raise InvalidRequestError(f"{name} is not supported over /v1/messages: {hint}.")
        out.pop(name, None)
    for name in ("stream_options", "include_usage"):
        out.pop(name, None)  # a stream's usage always comes, on its last chunk
    n = out.pop("n", None)
    if n not in (None, 1):
        raise InvalidRequestError(f"n={n!r}: Claude gives one answer per request; ask n times.")
    alias = out.pop("max_completion_tokens", None)
    if out.get("max_tokens") is None:
        out.pop("max_tokens", None)
        if alias is None:
            raise InvalidRequestError(
                "max_tokens is required by the Messages API (it has no default): pass "
                "max_tokens=<the most tokens the answer may use>, e.g. max_tokens=1024."
            )
        out["max_tokens"] = alias
    stop = out.pop("stop", None)
    if stop is not None:
        out["stop_sequences"] = [stop] if isinstance(stop, str) else list(stop)
    user = out.pop("user", None)
    if user is not None:
        out["metadata"] = {**(out.get("metadata") or {}), "user_id": user}
    return out
