"""The request parameters of one chat call, built the same way for every framework.

A chat class has defaults (its fields), a passthrough dict (LangChain's ``model_kwargs``,
LlamaIndex's ``additional_kwargs``) and the call's own keyword arguments. These functions merge
them, in that order, and apply the model family's rules, so that the LangChain and LlamaIndex
classes of one endpoint send the same body for the same settings.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping, Sequence
from typing import Any, Literal

from ..errors import InvalidRequestError
from ..models import families
from ..models.profiles import model_profile
from ..translate.gemini_generation import gemini_params
from ..translate.gemini_schema import to_gemini_schema

__all__ = [
    "ANTHROPIC_CHAT_FIELDS",
    "FALLBACK_MAX_TOKENS",
    "GEMINI_CHAT_FIELDS",
    "OPENAI_CHAT_FIELDS",
    "anthropic_chat_params",
    "check_anthropic_fields",
    "default_max_tokens",
    "field_values",
    "gemini_chat_params",
    "gemini_json_output",
    "gemini_response_format",
    "openai_chat_params",
    "openai_tool_choice",
    "refuse_set_fields",
    "tool_names",
    "wants_responses_api",
]

#: The body parameters an OpenAI-format chat class takes as constructor arguments (a class may
#: lack some: LlamaIndex's returns one answer, so has no ``n``).
OPENAI_CHAT_FIELDS = (
    "temperature",
    "max_tokens",
    "max_completion_tokens",
    "top_p",
    "stop",
    "n",
    "seed",
    "presence_penalty",
    "frequency_penalty",
    "logprobs",
    "top_logprobs",
    "reasoning_effort",
    "modalities",
    "audio",
)
#: The same for the Gemini-native classes (snake_case; they go into ``generationConfig``).
GEMINI_CHAT_FIELDS = (
    "temperature",
    "top_p",
    "top_k",
    "max_tokens",
    "stop",
    "n",
    "seed",
    "presence_penalty",
    "frequency_penalty",
    "response_modalities",
    "aspect_ratio",
    "image_size",
    "voice",
    "speech_config",
    "thinking_budget",
    "include_thoughts",
)

#: The same for the Anthropic-format classes (``/v1/messages``; ``stop`` becomes
#: ``stop_sequences`` in the client).
ANTHROPIC_CHAT_FIELDS = ("temperature", "max_tokens", "top_p", "top_k", "stop", "thinking")
#: ``max_tokens`` of a Claude model nobody knows (the Messages API requires one; this is
#: langchain-anthropic's fallback too).
FALLBACK_MAX_TOKENS = 4096


#: What ``disabled_params`` may be: names never sent, or ``{name: None | values never sent}``.
Disabled = Mapping[str, Collection[Any] | None] | Sequence[str] | None


def field_values(model: object, names: Sequence[str]) -> dict[str, Any]:
    """The values of the fields ``names`` that the pydantic ``model`` has and sets (not
    ``None``). Read from the instance's ``__dict__``, where pydantic keeps field values: this
    runs on every call."""
    values = vars(model)
    return {name: values[name] for name in names if values.get(name) is not None}


def _merged(
    defaults: Mapping[str, Any], passthrough: Mapping[str, Any], call: Mapping[str, Any]
) -> dict[str, Any]:
    params = {k: v for k, v in defaults.items() if v is not None}
    params.update(passthrough)
    params.update(call)
    params.pop("stream", None)  # the client's method says whether it streams
    extra = params.pop("extra_body", None)  # the OpenAI SDK's spelling: body fields as is
    if extra:
        params.update(extra)
    return params


def openai_chat_params(
    defaults: Mapping[str, Any],
    passthrough: Mapping[str, Any],
    call: Mapping[str, Any],
    *,
    model: str,
    disabled: Disabled = None,
) -> dict[str, Any]:
    """Parameters for ``client.chat.create`` / ``stream`` (``model`` included).

    ``None`` defaults are left out; the passthrough and then the call override them; the
    family's rules apply (``max_tokens`` as ``max_completion_tokens`` for o-series and gpt-5,
    what those models refuse left out); ``disabled`` parameters (or values) are never sent.
    """
    params = _merged(defaults, passthrough, call)
    model = str(params.pop("model", model))
    families.adapt_chat_params(model, params)
    if disabled:
        rules = disabled if isinstance(disabled, Mapping) else dict.fromkeys(disabled)
        for name, values in rules.items():
            if values is None or params.get(name) in values:
                params.pop(name, None)
    params["model"] = model
    return params


def default_max_tokens(model: str) -> int:
    """``max_tokens`` when none is given (the Messages API has no default): the model's
    ``max_output_tokens`` from its profile, else :data:`FALLBACK_MAX_TOKENS`, as
    langchain-anthropic chooses."""
    known = model_profile(model).get("max_output_tokens")
    return int(known) if isinstance(known, int) and known > 0 else FALLBACK_MAX_TOKENS


def refuse_set_fields(
    owner: str,
    values: Mapping[str, Any],
    hints: Mapping[str, str],
    aliases: Mapping[str, str] | None = None,
) -> None:
    """Refuse the fields among ``hints`` that are set in ``values`` (a class's fields its
    endpoint has no use for, which would otherwise be lost at the first call), each with its
    hint; ``aliases``: another spelling of a field, named too (``stop_sequences``)."""
    for name, hint in hints.items():
        if values.get(name) is not None:
            alias = (aliases or {}).get(name)
            named = f"`{name}`" + (f" (or `{alias}`)" if alias else "")
            raise InvalidRequestError(f"{owner} does not take {named}: {hint}.")


def check_anthropic_fields(owner: str, seed: Any, n: Any = None) -> None:
    """Refuse what the shared chat fields allow but the Messages API has no field for (so a
    value given would be silently lost): ``seed``, and ``n`` above 1."""
    if seed is not None:
        raise InvalidRequestError(
            f"{owner} does not take `seed`: Claude takes no seed; leave it unset."
        )
    if n not in (None, 1):
        raise InvalidRequestError(
            f"{owner} does not take `n`={n!r}: Claude gives one answer per request; ask n times."
        )


def anthropic_chat_params(
    defaults: Mapping[str, Any],
    passthrough: Mapping[str, Any],
    call: Mapping[str, Any],
    *,
    model: str,
) -> dict[str, Any]:
    """Parameters for ``client.messages.chat.create`` / ``stream`` (``model`` included): merged
    as for the other endpoints, with ``max_tokens`` defaulted from the model
    (:func:`default_max_tokens`) unless ``max_tokens`` or ``max_completion_tokens`` is given."""
    params = _merged(defaults, passthrough, call)
    model = str(params.pop("model", model))
    if params.get("max_tokens") is None and params.get("max_completion_tokens") is None:
        params["max_tokens"] = default_max_tokens(model)
    params["model"] = model
    return params


def gemini_chat_params(
    defaults: Mapping[str, Any],
    passthrough: Mapping[str, Any],
    call: Mapping[str, Any],
    *,
    model: str,
    generation_config: Mapping[str, Any] | None = None,
    safety_settings: Sequence[Mapping[str, Any]] | None = None,
    google_search: bool = False,
    url_context: bool = False,
    code_execution: bool = False,
    single_answer: bool = False,
) -> dict[str, Any]:
    """Parameters for ``client.gemini.chat.create`` / ``stream`` (``model`` included).

    Generation parameters (``temperature``, ``max_tokens``, ``stop``, ``thinking_budget``, ...)
    go into ``generation_config``, whichever of the three they came from; an OpenAI
    ``response_format`` becomes Gemini's JSON output fields; the built-in tools asked for join
    the function declarations; ``parallel_tool_calls`` (Gemini decides) and a ``tool_choice``
    without tools are left out. ``single_answer``: the class returns one answer, so ``n`` is
    not sent either.
    """
    merged = _merged(defaults, passthrough, call)
    if "response_format" in merged:
        merged.update(gemini_response_format(merged.pop("response_format")))
    for name in ("parallel_tool_calls", "stream_options", *(("n",) if single_answer else ())):
        merged.pop(name, None)
    config, tools = gemini_params(
        merged,
        generation_config,
        google_search=google_search,
        url_context=url_context,
        code_execution=code_execution,
    )
    params: dict[str, Any] = {"model": str(merged.pop("model", model)), **merged}
    if tools:
        params["tools"] = tools
    else:
        params.pop("tool_choice", None)  # no function declarations: nothing to choose from
    if config:
        params["generation_config"] = config
    safety = params.pop("safety_settings", None) or safety_settings
    if safety:
        params["safety_settings"] = list(safety)
    return params


def gemini_response_format(response_format: Any) -> dict[str, Any]:
    """An OpenAI ``response_format`` as Gemini's generation fields."""
    if not isinstance(response_format, Mapping):
        raise InvalidRequestError("response_format must be a dict, as in the OpenAI API.")
    kind = response_format.get("type")
    if kind == "json_object":
        return gemini_json_output(None)
    if kind == "json_schema":
        return gemini_json_output((response_format.get("json_schema") or {}).get("schema") or {})
    if kind == "text":
        return {}
    raise InvalidRequestError(
        f"response_format type {kind!r} is not supported: use 'json_schema', 'json_object' or "
        "'text'."
    )


def gemini_json_output(
    schema: Mapping[str, Any] | None, how: Literal["schema", "json_schema", "either"] = "schema"
) -> dict[str, Any]:
    """Gemini's generation fields for a JSON answer.

    No ``schema``: any JSON. ``how="schema"``: ``responseSchema``, translated from the JSON
    schema (what Gemini's subset cannot express is refused, saying what to do);
    ``"json_schema"``: the JSON schema as is (``responseJsonSchema``, Gemini 2.5 and later);
    ``"either"``: ``responseSchema`` where it can express the schema, else
    ``responseJsonSchema`` (recursive models, free-form objects).
    """
    fields: dict[str, Any] = {"response_mime_type": "application/json"}
    if schema is None:
        return fields
    if how == "json_schema":
        return {**fields, "response_json_schema": dict(schema)}
    try:
        return {**fields, "response_schema": to_gemini_schema(schema)}
    except InvalidRequestError:
        if how == "schema":
            raise
        return {**fields, "response_json_schema": dict(schema)}


def openai_tool_choice(
    choice: str | bool | Mapping[str, Any] | None,
    names: Mapping[str, str] | Collection[str],
    *,
    required: bool = False,
    default: str | None = None,
) -> str | dict[str, Any] | None:
    """Every framework's ``tool_choice`` spelling as OpenAI's.

    ``None`` / ``False``: ``"required"`` if ``required`` (LlamaIndex's ``tool_required``), else
    ``default``. ``True``, ``"any"``, ``"required"``: ``"required"``. ``"auto"``, ``"none"``:
    themselves. A tool's name: that function (``names`` maps the names a caller may use to the
    names sent). A dict: as is.
    """
    if choice is None or choice is False:
        return "required" if required else default
    if choice is True or choice in ("any", "required"):
        return "required"
    if choice in ("auto", "none"):
        return str(choice)
    if isinstance(choice, Mapping):
        return dict(choice)
    if isinstance(choice, str):
        sent = names if isinstance(names, Mapping) else {name: name for name in names}
        if choice not in sent:
            raise InvalidRequestError(
                f"tool_choice {choice!r} is not one of the bound tools "
                f"{sorted(set(sent.values()))}: use one of their names, 'auto', 'none' or "
                "'required'."
            )
        return {"type": "function", "function": {"name": sent[choice]}}
    raise InvalidRequestError(
        f"Unsupported tool_choice {choice!r}: use a tool's name, 'auto', 'none', 'required' or "
        "an OpenAI tool_choice dict."
    )


def tool_names(tools: Sequence[Mapping[str, Any]]) -> list[str]:
    """The names of the functions among OpenAI tool dicts (built-in tools have none)."""
    return [t["function"]["name"] for t in tools if "function" in t]


#: Parameters only OpenAI's Responses API takes: a call that has one goes there.
RESPONSES_ONLY_PARAMS = frozenset(
    (
        "reasoning",
        "include",
        "truncation",
        "previous_response_id",
        "use_previous_response_id",
        "text",
        "context_management",
    )
)
#: Models served on the Responses API only: the -pro reasoning models (o1-pro and o3-pro too,
#: which langchain-openai sends to /v1/chat/completions, where OpenAI does not serve them), the
#: "sol" models and the codex models, as langchain-openai lists them.
_RESPONSES_ONLY_MODELS = re.compile(
    r"^(o1-pro|o3-pro|gpt-5(\.\d+)?-(pro|sol))|codex", re.IGNORECASE
)
#: Models that take function tools on the Responses API only (langchain-openai's gpt-6 rule).
_RESPONSES_FOR_TOOLS = re.compile(r"^gpt-6", re.IGNORECASE)


def wants_responses_api(model: str, params: Mapping[str, Any]) -> bool:
    """Whether a chat call goes to ``/v1/responses`` when the class leaves it open: the model is
    served there only (or, for gpt-6, takes tools there only), a parameter only it takes is set,
    or a built-in tool (web search, image generation, code interpreter...) is bound."""
    if _RESPONSES_ONLY_MODELS.search(model):
        return True
    if any(params.get(name) not in (None, False) for name in RESPONSES_ONLY_PARAMS):
        return True
    tools = params.get("tools") or []
    if tools and _RESPONSES_FOR_TOOLS.search(model):
        return True
    return any(isinstance(t, Mapping) and t.get("type") not in (None, "function") for t in tools)
