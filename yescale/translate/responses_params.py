"""OpenAI chat-completions parameters -> the Responses API's fields, as langchain-openai's
``_construct_responses_api_payload`` renames them; the ones Responses has no field for refused
with a hint (nothing is sent)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..errors import InvalidRequestError

__all__ = ["CHAT_ONLY_PARAMS", "chat_params", "text_format"]

#: Chat-completions parameters the Responses API has no field for: refused with this hint each.
CHAT_ONLY_PARAMS: dict[str, str] = {
    "stop": (
        "the Responses API has no stop sequences: end the text yourself, or ask for the format "
        "in the instructions (or use client.chat for /v1/chat/completions, which takes stop)"
    ),
    "presence_penalty": "the Responses API has no presence penalty",
    "frequency_penalty": "the Responses API has no frequency penalty",
    "logit_bias": "the Responses API takes no logit bias",
    "seed": "the Responses API takes no seed",
    "logprobs": ('ask for include=["message.output_text.logprobs"] (and top_logprobs=<n>) instead'),
    "modalities": "the Responses API answers in text (images through the image_generation tool)",
    "audio": "the Responses API answers in text; use client.audio for speech",
    "functions": "pass tools=[{'type': 'function', 'function': {...}}] instead",
    "function_call": "pass tool_choice instead",
}
_DROPPED = ("stream_options", "include_usage")


def text_format(response_format: Any) -> dict[str, Any]:
    """A chat-completions ``response_format`` as the Responses' ``text.format``:
    ``json_schema`` (``{"json_schema": {"name", "schema", "strict"}}``) flat
    (``{"type": "json_schema", "name", "schema", "strict"}``), ``json_object`` and ``text`` as
    they are; a format already flat passes."""
    if not isinstance(response_format, Mapping) or not isinstance(response_format.get("type"), str):
        raise InvalidRequestError(
            'response_format must be a dict such as {"type": "json_schema", "json_schema": '
            '{"name": ..., "schema": {...}, "strict": true}} or {"type": "json_object"}, got '
            f"{response_format!r:.80}."
        )
    kind = response_format["type"]
    nested = response_format.get("json_schema")
    if kind == "json_schema" and isinstance(nested, Mapping):
        return {"type": "json_schema", **nested}
    return dict(response_format)


def _merged(into: Any, name: str, values: Mapping[str, Any]) -> dict[str, Any]:
    if into is None:
        return dict(values)
    if not isinstance(into, Mapping):
        raise InvalidRequestError(f"{name} must be a dict, got {into!r:.60}.")
    out = dict(into)
    for key, value in values.items():
        if key in out and out[key] != value:
            raise InvalidRequestError(
                f"{name}.{key} is {out[key]!r} but another parameter asks for {value!r}: give "
                "it once."
            )
        out[key] = value
    return out


def chat_params(params: Mapping[str, Any]) -> dict[str, Any]:
    """The parameters of an OpenAI-format chat as Responses fields: ``max_tokens`` /
    ``max_completion_tokens`` -> ``max_output_tokens``, ``reasoning_effort`` ->
    ``reasoning.effort``, ``response_format`` -> ``text.format``, ``verbosity`` ->
    ``text.verbosity``; ``stream_options`` / ``include_usage`` dropped (a stream's usage always
    comes); ``n`` > 1 and :data:`CHAT_ONLY_PARAMS` refused. The rest pass (``reasoning``,
    ``include``, ``store``, ``previous_response_id``, ``truncation``, ``metadata``, ``user``,
    ``service_tier``, ``temperature``, ``top_p``, ``parallel_tool_calls``, ``instructions``,
    ``top_logprobs``, ``prompt_cache_key``...)."""
    out = dict(params)
    for name, hint in CHAT_ONLY_PARAMS.items():
        if out.get(name) not in (None, False):
            raise InvalidRequestError(f"{name} is not supported over /v1/responses: {hint}.")
        out.pop(name, None)
    for name in _DROPPED:
        out.pop(name, None)
    n = out.pop("n", None)
    if n not in (None, 1):
        raise InvalidRequestError(
            f"n={n!r}: the Responses API gives one answer per request; ask n times."
        )
    limits = {out.pop(k) for k in ("max_tokens", "max_completion_tokens") if k in out} - {None}
    if out.get("max_output_tokens") is not None:
        limits.add(out["max_output_tokens"])
    if len(limits) > 1:
        raise InvalidRequestError(
            f"max_tokens / max_completion_tokens / max_output_tokens disagree ({sorted(limits)}): "
            "give one limit."
        )
    if limits:
        out["max_output_tokens"] = limits.pop()
    effort = out.pop("reasoning_effort", None)
    if effort is not None:
        out["reasoning"] = _merged(out.get("reasoning"), "reasoning", {"effort": effort})
    text: dict[str, Any] = {}
    response_format = out.pop("response_format", None)
    if response_format is not None:
        text["format"] = text_format(response_format)
    verbosity = out.pop("verbosity", None)
    if verbosity is not None:
        text["verbosity"] = verbosity
    if text:
        out["text"] = _merged(out.get("text"), "text", text)
    return out
