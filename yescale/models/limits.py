"""Context windows and output limits of the models YEScale serves, in one table for every framework.

YEScale serves hundreds of models and new ones appear weekly, so a lookup never fails: a name is
matched by its longest known prefix (``"gpt-4o-mini-2024-07-18"`` -> ``"gpt-4o-mini"``), then by
its family's usual limits (:func:`yescale.models.families.family`), then by a conservative
default. Numbers are the providers' published limits; where versions of a model differ, the
smaller one is used. Callers let users override them (``context_window=...``).
"""

from __future__ import annotations

from dataclasses import dataclass

from .families import family

#: ``prefix: (context window, max output tokens)``; the longest matching prefix wins.
KNOWN_LIMITS: dict[str, tuple[int, int]] = {
    # OpenAI
    "gpt-3.5-turbo": (16_385, 4_096),
    "gpt-4": (8_192, 8_192),
    "gpt-4-32k": (32_768, 8_192),
    "gpt-4-turbo": (128_000, 4_096),
    "gpt-4o": (128_000, 16_384),
    "gpt-4o-mini": (128_000, 16_384),
    "chatgpt-4o": (128_000, 16_384),
    "gpt-4.1": (1_047_576, 32_768),
    "gpt-4.5": (128_000, 16_384),
    "gpt-5": (400_000, 128_000),
    "gpt-5-chat": (128_000, 16_384),
    "o1": (200_000, 100_000),
    "o1-mini": (128_000, 65_536),
    "o1-preview": (128_000, 32_768),
    "o3": (200_000, 100_000),
    "o4-mini": (200_000, 100_000),
    # Anthropic
    "claude-3-haiku": (200_000, 4_096),
    "claude-3-opus": (200_000, 4_096),
    "claude-3-5-haiku": (200_000, 8_192),
    "claude-3-5-sonnet": (200_000, 8_192),
    "claude-3-7-sonnet": (200_000, 64_000),
    "claude-sonnet-4": (200_000, 64_000),
    "claude-opus-4": (200_000, 32_000),
    "claude-opus-4-5": (200_000, 64_000),
    "claude-haiku-4": (200_000, 64_000),
    # Google
    "gemini-1.5-flash": (1_048_576, 8_192),
    "gemini-1.5-pro": (2_097_152, 8_192),
    "gemini-2.0-flash": (1_048_576, 8_192),
    "gemini-2.5-flash": (1_048_576, 65_536),
    "gemini-2.5-flash-image": (32_768, 32_768),
    "gemini-2.5-pro": (1_048_576, 65_536),
    "gemini-3-pro": (1_048_576, 65_536),
    # DeepSeek
    "deepseek-chat": (128_000, 8_192),
    "deepseek-reasoner": (128_000, 64_000),
    "deepseek-v3": (128_000, 8_192),
    "deepseek-r1": (128_000, 32_768),
    # Qwen, xAI, Moonshot, Zhipu
    "qwen-max": (32_768, 8_192),
    "qwen-plus": (131_072, 8_192),
    "qwen-turbo": (1_000_000, 8_192),
    "qwen3": (131_072, 8_192),
    "grok-3": (131_072, 8_192),
    "grok-4": (256_000, 8_192),
    "kimi-k2": (131_072, 8_192),
    "glm-4.5": (131_072, 8_192),
}

#: Limits of a family's models whose exact name is not in :data:`KNOWN_LIMITS`.
FAMILY_LIMITS: dict[str, tuple[int, int]] = {
    "openai": (128_000, 16_384),
    "claude": (200_000, 8_192),
    "gemini": (1_048_576, 8_192),
    "deepseek": (65_536, 8_192),
    "qwen": (32_768, 8_192),
    "xai": (131_072, 8_192),
    "moonshot": (131_072, 8_192),
    "zhipu": (128_000, 8_192),
}

#: For a model nobody has heard of: small enough to be safe, large enough to be useful.
DEFAULT_LIMITS = (32_768, 4_096)


@dataclass(frozen=True)
class ModelLimits:
    """What a model takes in and gives out, in tokens."""

    context_window: int
    max_output_tokens: int
    source: str
    """``"known"`` (a table entry), ``"family"`` or ``"default"``."""


def base_name(model: str) -> str:
    """The model's own name: lower case, without ``models/`` or a provider prefix."""
    name = model.strip().lower().removeprefix("models/")
    return name.rsplit("/", 1)[-1]  # "openai/gpt-4o" -> "gpt-4o"


def model_limits(model: str) -> ModelLimits:
    """The limits of ``model``; never raises, whatever the name."""
    name = base_name(model or "")
    # Longest known prefix first: one dict lookup per prefix length, not a scan of the table
    # (LlamaIndex reads the limits on every call, through ``metadata``).
    for end in range(len(name), 0, -1):
        known = KNOWN_LIMITS.get(name[:end])
        if known is not None:
            return ModelLimits(*known, source="known")
    fam = family(name)
    if fam in FAMILY_LIMITS:
        return ModelLimits(*FAMILY_LIMITS[fam], source="family")
    return ModelLimits(*DEFAULT_LIMITS, source="default")


def context_window(model: str) -> int:
    """Total tokens (prompt + answer) ``model`` takes."""
    return model_limits(model).context_window


def max_output_tokens(model: str) -> int:
    """The most tokens ``model`` answers with."""
    return model_limits(model).max_output_tokens


__all__ = [
    "DEFAULT_LIMITS",
    "FAMILY_LIMITS",
    "KNOWN_LIMITS",
    "ModelLimits",
    "context_window",
    "max_output_tokens",
    "model_limits",
]
