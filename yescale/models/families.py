"""What the wire needs per model family. YEScale serves hundreds of models; these rules go by
name prefix and never fail on a name they do not know."""

from __future__ import annotations

import re
import warnings
from typing import Any

_OPENAI_REASONING = re.compile(r"^(o\d|gpt-5)", re.IGNORECASE)
#: reasoning models that take only the default temperature/top_p (gpt-5 "chat" variants take any)
_FIXED_SAMPLING = re.compile(r"^(o\d|gpt-5(?!.*chat))", re.IGNORECASE)
_SAMPLING_PARAMS = ("temperature", "top_p")
_OPENAI_JSON_SCHEMA = re.compile(r"^(gpt-4o|gpt-4\.1|gpt-4\.5|gpt-5|o\d|chatgpt-4o)", re.IGNORECASE)
_GEMINI = re.compile(r"^(models/)?gemini", re.IGNORECASE)


#: ``(name prefix, family)``: the families this package knows, and how their names start.
FAMILY_PREFIXES: tuple[tuple[str, str], ...] = (
    ("gpt", "openai"),
    ("o1", "openai"),
    ("o3", "openai"),
    ("o4", "openai"),
    ("chatgpt", "openai"),
    ("gemini", "gemini"),
    ("claude", "claude"),
    ("deepseek", "deepseek"),
    ("qwen", "qwen"),
    ("grok", "xai"),
    ("kimi", "moonshot"),
    ("glm", "zhipu"),
)


def family(model: str) -> str:
    """``"openai"``, ``"gemini"``, ``"claude"``, ``"deepseek"``, ``"qwen"``, ... or ``"other"``."""
    name = model.lower().removeprefix("models/")
    for prefix, fam in FAMILY_PREFIXES:
        if name.startswith(prefix):
            return fam
    return "other"


def uses_max_completion_tokens(model: str) -> bool:
    """OpenAI reasoning models (o-series, gpt-5) reject ``max_tokens``."""
    return bool(_OPENAI_REASONING.match(model))


def rejects_sampling_params(model: str) -> bool:
    """OpenAI reasoning models reject temperature/top_p other than the default (1)."""
    return bool(_FIXED_SAMPLING.match(model))


def adapt_chat_params(model: str, params: dict[str, Any]) -> dict[str, Any]:
    """Fit OpenAI-format chat parameters to what ``model`` accepts (in place; returned).

    - o-series and gpt-5 take ``max_completion_tokens``, not ``max_tokens``; an explicit
      ``max_completion_tokens`` wins over ``max_tokens`` for every model;
    - they reject a ``temperature`` / ``top_p`` other than 1 (HTTP 400), so those are left out with
      a warning, except with ``reasoning_effort="none"`` (gpt-5.1 and later then sample normally);
    - o1 rejects ``parallel_tool_calls``.

    So switching ``model="gpt-4o"`` to ``"o3"`` in a configured chain keeps working.
    """
    if "max_tokens" in params and uses_max_completion_tokens(model):
        params.setdefault("max_completion_tokens", params.pop("max_tokens"))
    elif "max_completion_tokens" in params:
        params.pop("max_tokens", None)
    if rejects_sampling_params(model) and params.get("reasoning_effort") != "none":
        for name in _SAMPLING_PARAMS:
            value = params.get(name)
            if value is not None and value != 1:
                del params[name]
                warnings.warn(
                    f"{model} accepts only the default {name} (1); {name}={value} is not sent. "
                    f"Leave {name} unset for reasoning models.",
                    UserWarning,
                    stacklevel=4,
                )
    if model.lower().startswith("o1"):
        params.pop("parallel_tool_calls", None)
    return params


def supports_json_schema(model: str) -> bool:
    """Models that honour ``response_format={"type": "json_schema", ...}`` on /v1/chat.

    OpenAI gpt-4o and later, the o-series, and Gemini. Claude, DeepSeek and most others reject
    ``response_format`` and should use function calling for structured output.
    """
    return bool(_OPENAI_JSON_SCHEMA.match(model) or _GEMINI.match(model))


def json_schema_strict(model: str, strict: bool | None = None) -> bool | None:
    """Whether a ``json_schema`` answer format for ``model`` asks for strict adherence.

    An explicit ``strict`` wins. Unset, OpenAI models that take ``json_schema`` (gpt-4o and
    later, the o-series) are strict, as langchain-openai and llama-index's OpenAI make them:
    the answer then always follows the schema. For the others it stays unset (``None``: not
    sent), as their own APIs do not have OpenAI's strict mode.
    """
    if strict is not None:
        return strict
    return True if _OPENAI_JSON_SCHEMA.match(model) else None
