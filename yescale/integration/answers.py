"""Reading what a chat answer carries, the same way for every framework: token counts, their sum
over several answers, its cost, and a JSON answer meant as a structured object."""

from __future__ import annotations

import re
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from ..types._base import Priced
from ..types.chat import Usage
from .caching import cache_usage

__all__ = [
    "add_usage",
    "cost_metadata",
    "json_answer_text",
    "parse_json_answer",
    "reasoning_tokens",
    "usage_counts",
]

Answer = TypeVar("Answer", bound=BaseModel)

_FENCE = re.compile(r"^\s*```(?:json)?\s*(.*?)\s*```\s*$", re.DOTALL)


def cost_metadata(answer: Priced | None) -> dict[str, Any]:
    """``{"cost": {...}}``: the answer's estimated cost (:class:`yescale.costs.Cost`, as a dict:
    ``usd``, ``basis``, parts, and ``reason`` when unknown), or nothing when it has none. Both
    frameworks put it in their answers' metadata under the key ``"cost"``."""
    cost = None if answer is None else answer.cost
    return {} if cost is None else {"cost": cost.as_dict()}


def usage_counts(usage: Usage | None) -> dict[str, int]:
    """Prompt, completion and total tokens (the total computed when the service leaves it out),
    and the prompt tokens read from and written to a prompt cache, under Anthropic's names
    (``cache_read_input_tokens``, ``cache_creation_input_tokens``), when the answer reports a
    nonzero count (:func:`~yescale.integration.caching.cache_usage` reads them)."""
    if usage is None:
        return {}
    counts = {
        "prompt_tokens": usage.prompt_tokens,
        "completion_tokens": usage.completion_tokens,
        "total_tokens": usage.total_tokens or usage.prompt_tokens + usage.completion_tokens,
    }
    cached = cache_usage(usage)
    if cached.get("cache_read"):
        counts["cache_read_input_tokens"] = cached["cache_read"]
    if cached.get("cache_creation"):
        counts["cache_creation_input_tokens"] = cached["cache_creation"]
    return counts


def reasoning_tokens(usage: Usage | None) -> int | None:
    """The reasoning (thinking) tokens of an answer, when the service says."""
    if usage is None or usage.completion_tokens_details is None:
        return None
    return usage.completion_tokens_details.reasoning_tokens


def add_usage(total: dict[str, Any], usage: dict[str, Any]) -> None:
    """Sum the token counts of ``usage`` into ``total``, nested detail dicts too (other values:
    the first one seen is kept)."""
    for key, value in usage.items():
        if isinstance(value, dict):
            add_usage(total.setdefault(key, {}), value)
        elif isinstance(value, (int, float)) and not isinstance(value, bool):
            total[key] = total.get(key, 0) + value
        elif value is not None:
            total.setdefault(key, value)


def json_answer_text(text: str) -> str:
    """The JSON of an answer, without the Markdown fence some models put around it."""
    fenced = _FENCE.match(text)
    return fenced.group(1) if fenced else text


def parse_json_answer(
    output_cls: type[Answer], text: str | None, finish_reason: str | None = None
) -> Answer:
    """A structured-output answer as ``output_cls``; a ``ValueError`` naming the class, what is
    wrong and the start of the answer (and that it was cut off, when it was) otherwise."""
    text = json_answer_text(text or "")
    try:
        return output_cls.model_validate_json(text)
    except ValidationError as exc:
        hint = " (the answer was cut off: raise max_tokens)" if finish_reason == "length" else ""
        raise ValueError(
            f"The model's answer is not a valid {output_cls.__name__}{hint}: {exc}. "
            f"Answer: {text[:500]!r}"
        ) from exc
