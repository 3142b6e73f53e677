"""OpenAI-format chat parameters -> the Messages API's fields (``max_tokens`` required, ``stop``
-> ``stop_sequences``, ``user`` -> ``metadata.user_id``), OpenAI-only ones refused with a hint."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..errors import InvalidRequestError

__all__ = ["OPENAI_ONLY_PARAMS", "chat_params", "output_format"]

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


#: String formats Claude's structured outputs enforce; others become a note in the description.
_STRING_FORMATS = frozenset(
    ("date-time", "time", "date", "duration", "email", "hostname", "uri", "ipv4", "ipv6", "uuid")
)
_PRIMITIVE = (str, int, float, bool, type(None))


def _noted(out: dict[str, Any], left: dict[str, Any]) -> dict[str, Any]:
    """``out`` with the keywords Claude does not enforce (``left``) appended to its description,
    so that the model may still follow them."""
    if left:
        note = "{" + ", ".join(f"{key}: {value}" for key, value in left.items()) + "}"
        given = out.get("description")
        out["description"] = f"{given}\n\n{note}" if given is not None else note
    return out


def _strict(schema: Mapping[str, Any]) -> dict[str, Any]:
    left = dict(schema)
    out: dict[str, Any] = {}
    defs = left.pop("$defs", None)
    if isinstance(defs, Mapping):
        out["$defs"] = {name: _strict(sub) for name, sub in defs.items()}
    ref = left.pop("$ref", None)
    if ref is not None:
        out["$ref"] = ref
        return out
    kind = left.pop("type", None)
    variants = {name: left.pop(name, None) for name in ("anyOf", "oneOf", "allOf")}
    enum = left.get("enum")
    if isinstance(enum, list) and enum and all(isinstance(v, _PRIMITIVE) for v in enum):
        out["enum"] = list(left.pop("enum"))
    if "const" in left and isinstance(left["const"], _PRIMITIVE):
        out["const"] = left.pop("const")
    literal = "enum" in out or "const" in out
    if literal:
        kind = None
    if isinstance(variants["anyOf"] or variants["oneOf"], list):
        out["anyOf"] = [_strict(v) for v in variants["anyOf"] or variants["oneOf"]]
    elif isinstance(variants["allOf"], list):
        out["allOf"] = [_strict(v) for v in variants["allOf"]]
    elif not literal:
        if kind is None:
            raise InvalidRequestError(
                "structured output: every schema node needs a 'type', 'anyOf', 'oneOf', 'allOf', "
                f"'const' or 'enum' (Claude's structured outputs), got {dict(schema)!r:.120}."
            )
        out["type"] = kind
    for name in ("description", "title"):
        if name in left:
            out[name] = left.pop(name)
    if kind == "object":
        properties = left.pop("properties", None) or {}
        out["properties"] = {key: _strict(sub) for key, sub in properties.items()}
        left.pop("additionalProperties", None)
        out["additionalProperties"] = False
        if "required" in left:
            out["required"] = list(left.pop("required"))
    elif kind == "string" and left.get("format") in _STRING_FORMATS:
        out["format"] = left.pop("format")
    elif kind == "array":
        if "items" in left:
            out["items"] = _strict(left.pop("items"))
        if left.get("minItems") in (0, 1):
            out["minItems"] = left.pop("minItems")
    return _noted(out, left)


def output_format(schema: Mapping[str, Any]) -> dict[str, Any]:
    """``output_config.format`` asking Claude for JSON that follows the JSON ``schema``
    (structured outputs): objects closed (``additionalProperties: false``), ``oneOf`` as
    ``anyOf``, and the keywords Claude does not enforce (``minimum``, ``pattern``, ...) moved
    into the description, as Anthropic's SDK prepares a schema."""
    return {"type": "json_schema", "schema": _strict(schema)}
