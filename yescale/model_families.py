"""What the wire needs per model family. YEScale serves hundreds of models; these rules go by
name prefix and never fail on a name they do not know."""

from __future__ import annotations

import re

_OPENAI_REASONING = re.compile(r"^(o\d|gpt-5)", re.IGNORECASE)
_OPENAI_JSON_SCHEMA = re.compile(r"^(gpt-4o|gpt-4\.1|gpt-4\.5|gpt-5|o\d|chatgpt-4o)", re.IGNORECASE)
_GEMINI = re.compile(r"^(models/)?gemini", re.IGNORECASE)


def family(model: str) -> str:
    """``"openai"``, ``"gemini"``, ``"claude"``, ``"deepseek"``, ``"qwen"``, ... or ``"other"``."""
    name = model.lower().removeprefix("models/")
    for prefix, fam in (
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
    ):
        if name.startswith(prefix):
            return fam
    return "other"


def uses_max_completion_tokens(model: str) -> bool:
    """OpenAI reasoning models (o-series, gpt-5) reject ``max_tokens``."""
    return bool(_OPENAI_REASONING.match(model))


def rejects_sampling_params(model: str) -> bool:
    """OpenAI reasoning models reject temperature/top_p other than the default."""
    return bool(_OPENAI_REASONING.match(model))


def supports_json_schema(model: str) -> bool:
    """Models that honour ``response_format={"type": "json_schema", ...}`` on /v1/chat.

    OpenAI gpt-4o and later, the o-series, and Gemini. Claude, DeepSeek and most others reject
    ``response_format`` and should use function calling for structured output.
    """
    return bool(_OPENAI_JSON_SCHEMA.match(model) or _GEMINI.match(model))
