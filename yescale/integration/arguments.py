"""Constructor arguments of framework classes: the peers' spellings, unknown arguments, keys.

Users come from langchain-openai, langchain-google-genai and llama-index's OpenAI classes, and type
those classes' arguments. Pydantic would drop the ones a class does not declare, silently: an
``api_base`` ignored sends every request to the default host, an ``openai_api_key`` ignored sends
the environment's YEScale key instead. :meth:`ArgumentRules.sort` decides, before pydantic sees
the arguments, what becomes of each one:

1. an argument the class takes (a field, its alias) is kept;
2. a peer's spelling of one of them (:data:`ALIASES`: ``max_output_tokens`` for ``max_tokens``,
   ``api_base`` for ``base_url``, ``yescale_api_key`` for ``api_key``...) is renamed; the same
   argument under two spellings is refused;
3. an option the class or the peers define with no meaning here is refused with what to do
   instead (:data:`PEER_REFUSED`: ``organization``, Azure and Vertex settings, proxies, Google
   credentials), or, when it only tuned the peer's own machinery, dropped with a warning
   (:data:`PEER_IGNORED`: ``reuse_client``, ``tiktoken_model_name``...);
4. a key under a name that is not ours (``openai_api_key``, ``google_api_key``, anything ending in
   ``api_key``...) is refused: it would not be used, and the environment's YEScale key would be
   sent in its place. No message ever holds a value;
5. anything else is moved, with a warning naming it, the class and the destination, into the
   class's passthrough dict (LangChain's ``model_kwargs``, LlamaIndex's ``additional_kwargs``),
   whose content is sent with every request, as ``ChatOpenAI`` does; a class without one (tools)
   refuses it, suggesting the closest spelling it takes;
6. with ``strict_passthrough`` (LangChain's ``model_kwargs``, as in ``ChatOpenAI``), an argument
   of the class's own given inside the passthrough dict is refused: it has a place of its own.

Finally the keys become ``SecretStr`` so that pydantic's errors, which echo their input, show
them masked. Nothing here imports a framework: a class's arguments are read from its pydantic
fields, and its particular rules are data.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from pydantic import AliasChoices, AliasPath, BaseModel

from .._settings import API_KEY_ENV, secret_key_inputs
from .._warnings import warn_at_caller
from ..errors import InvalidRequestError
from ..translate.anthropic_params import OPENAI_ONLY_PARAMS

__all__ = [
    "ALIASES",
    "ANTHROPIC_REFUSED",
    "GEMINI_REFUSED",
    "PEER_IGNORED",
    "PEER_REFUSED",
    "ArgumentRules",
    "argument_rules",
    "is_key_name",
    "pydantic_arguments",
]

#: The peers' spellings of our arguments: spelling -> our argument(s). One applies to a class
#: when the class takes a target (the first it takes) and not the spelling itself
#: (``max_completion_tokens`` stays what it is on ``ChatYEScale``, and is ``max_tokens`` on the
#: Gemini classes).
ALIASES: Mapping[str, str | tuple[str, ...]] = {
    # client settings
    "yescale_api_key": "api_key",
    "api_base": "base_url",
    "openai_api_base": "base_url",
    "anthropic_api_url": "base_url",  # ChatAnthropic's spellings
    "default_request_timeout": "timeout",
    "max_tokens_to_sample": "max_tokens",
    "request_timeout": "timeout",
    "headers": "default_headers",
    "additional_headers": "default_headers",
    "http_async_client": "async_http_client",
    "async_http_client": "http_async_client",
    # extra request fields (``extra_body``: the OpenAI SDK's spelling)
    "additional_kwargs": "model_kwargs",
    "model_kwargs": "additional_kwargs",
    "extra_body": ("model_kwargs", "additional_kwargs"),
    # the model
    "model": "model_name",
    "model_name": "model",
    # generation
    "max_output_tokens": "max_tokens",
    "max_completion_tokens": "max_tokens",
    "stop_sequences": "stop",
    "stream": "streaming",
    # embeddings: LangChain's texts per request, LlamaIndex's texts per batch
    "chunk_size": "request_batch_size",
    "embed_batch_size": "chunk_size",
    # GoogleGenerativeAIEmbeddings' spelling of the vector length
    "output_dimensionality": "dimensions",
}

_AZURE = (
    "it is an Azure OpenAI setting, and YEScale is not Azure: give YEScale's base_url (default "
    "https://api.yescale.io) and your YEScale api_key."
)
_VERTEX = (
    "it is a Vertex AI setting; YEScale serves Gemini models with your YEScale api_key (and "
    "base_url)."
)
_PROXY = (
    "pass your own httpx clients instead, e.g. http_client=httpx.Client(proxy=...) and its async "
    "twin."
)
_OWN_CLIENT = (
    "{owner} builds its YEScale client from api_key, base_url, timeout, max_retries and "
    "default_headers; for your own connection settings pass an httpx client (http_client=...)."
)

#: Options of the peers that mean nothing here, refused with what to do instead (``{owner}`` is
#: the class's name). They apply to a class that does not take the name itself.
PEER_REFUSED: Mapping[str, str] = {
    "organization": "YEScale has no organizations (to send OpenAI's header anyway: "
    "default_headers={'OpenAI-Organization': ...}).",
    "openai_organization": "YEScale has no organizations (to send OpenAI's header anyway: "
    "default_headers={'OpenAI-Organization': ...}).",
    "openai_proxy": _PROXY,
    "proxy": _PROXY,
    "proxies": _PROXY,
    "api_version": _AZURE,
    "openai_api_version": _AZURE,
    "openai_api_type": _AZURE,
    "azure_endpoint": _AZURE,
    "azure_deployment": _AZURE,
    "deployment": _AZURE,
    "azure_ad_token_provider": _AZURE,
    "vertexai": _VERTEX,
    "project": _VERTEX,
    "location": _VERTEX,
    "credentials": "YEScale takes an API key, not Google credentials: pass api_key=... (or set "
    f"{API_KEY_ENV}).",
    "client_options": "to send requests to another host, pass base_url=...",
    "default_query": "YEScale's endpoints take no extra query parameters.",
    "access_key": "the System API key belongs to YEScaleClient(access_key=...); {owner} calls "
    "model endpoints, with api_key.",
    "client": _OWN_CLIENT,
    "async_client": _OWN_CLIENT,
    "root_client": _OWN_CLIENT,
    "root_async_client": _OWN_CLIENT,
    "openai_client": _OWN_CLIENT,
    "async_openai_client": _OWN_CLIENT,
    "streaming": "{owner} has no streaming option: use its streaming methods where it has them.",
    "stream": "{owner} has no streaming option: use its streaming methods where it has them.",
    "task_type": "Gemini embeddings take a task type per kind of call: query_task_type=... "
    "(queries) and document_task_type=... (documents) on the embedding classes (defaults "
    "RETRIEVAL_QUERY and RETRIEVAL_DOCUMENT, as GoogleGenerativeAIEmbeddings'); set both for one "
    "task such as 'clustering'.",
}

#: What the Gemini classes refuse on top (their native endpoint spells these otherwise).
GEMINI_REFUSED: Mapping[str, str] = {
    "reasoning_effort": "Gemini's native endpoint takes a thinking budget: thinking_budget=... "
    "(0 off, -1 the model decides). The OpenAI-format classes (ChatYEScale, YEScale) take "
    "reasoning_effort, for Gemini models too.",
    "thinking_level": "pass generation_config={'thinkingConfig': {'thinkingLevel': ...}}.",
}

#: What the Anthropic-format classes refuse on top: OpenAI parameters ``/v1/messages`` has no
#: field for, each with what to do instead (refused when the class is built, not at a call).
ANTHROPIC_REFUSED: Mapping[str, str] = {
    name: hint[0].upper() + hint[1:] + "." for name, hint in OPENAI_ONLY_PARAMS.items()
}

_TOKENIZER = (
    "it tunes the peer's own token counting; YEScale batches texts by an estimate (see "
    "max_batch_tokens on the embedding classes)."
)

#: Options that only tuned the peers' own machinery: dropped with a warning (sending them to the
#: API would be wrong, refusing them would be harsh). Same placeholders and scope as above.
PEER_IGNORED: Mapping[str, str] = {
    "reuse_client": "YEScale classes always share one connection pool.",
    "tiktoken_model_name": _TOKENIZER,
    "tiktoken_enabled": _TOKENIZER,
    "embedding_ctx_length": _TOKENIZER,
    "check_embedding_ctx_length": _TOKENIZER,
    "allowed_special": _TOKENIZER,
    "disallowed_special": _TOKENIZER,
    "tokenizer": _TOKENIZER,
    "retry_min_seconds": "retries back off exponentially and honour Retry-After; set max_retries.",
    "retry_max_seconds": "retries back off exponentially and honour Retry-After; set max_retries.",
    "http_socket_options": "pass your own httpx client (http_client=...) for socket options.",
    "stream_chunk_timeout": "timeout already bounds the wait for each stream event.",
    "transport": "requests always go over HTTPS (REST).",
    "convert_system_message_to_human": "system messages are sent as Gemini's systemInstruction.",
    "stream_usage": "token usage comes with every answer.",
    "verbose": "the framework's callbacks / instrumentation show what {owner} does.",
    "show_progress_bar": "{owner} has no progress bar (the embedding classes and the media "
    "tools take show_progress=True).",
    "show_progress": "{owner} has no progress bar (the embedding classes and the media tools "
    "take show_progress=True).",
    "skip_empty": "empty texts are embedded as a single space (empty='space'); empty='error' "
    "refuses them.",
    "is_chat_model": "{owner} knows what kind of model it serves.",
    "should_use_structured_outputs": "{owner} decides from the model (see pydantic_program_mode).",
}

#: Names that hold a credential: never moved into a request body, never echoed.
_KEY_NAME = re.compile(
    r"(?:^|_)(?:api_?key|secret_?key|access_?token|auth_?token|api_?token|bearer_?token|"
    r"password|secret)$|^(?:key|token)$",
    re.IGNORECASE,
)

def is_key_name(name: str) -> bool:
    """Whether an argument's name says it holds a credential (``openai_api_key``, ``token``)."""
    return bool(_KEY_NAME.search(name))


def pydantic_arguments(model: type[BaseModel]) -> dict[str, str]:
    """Every spelling a pydantic model's constructor takes -> the field it sets: field names,
    aliases and validation-alias choices."""
    spellings: dict[str, str] = {}
    for name, info in model.model_fields.items():
        spellings[name] = name
        if info.alias:
            spellings[info.alias] = name
        alias = info.validation_alias
        choices = alias.choices if isinstance(alias, AliasChoices) else [alias]
        for choice in choices:
            if isinstance(choice, str):
                spellings[choice] = name
            elif isinstance(choice, AliasPath) and isinstance(choice.path[0], str):
                spellings[choice.path[0]] = name
    return spellings


def _own_fields(model: type[BaseModel], framework: tuple[str, ...]) -> frozenset[str]:
    """The fields of ``model`` but those of its base classes from the ``framework`` packages."""
    inherited: set[str] = set()
    for base in model.__mro__[1:]:
        if isinstance(base, type) and issubclass(base, BaseModel) and base is not BaseModel:
            module = base.__module__
            if any(module == p or module.startswith(p + ".") for p in framework):
                inherited.update(base.model_fields)
    return frozenset(set(model.model_fields) - inherited)


@dataclass(frozen=True)
class ArgumentRules:
    """What one class does with the arguments it is given (see the module's docstring).

    ``spellings``: every spelling the class takes -> its field; ``aliases``: peer spellings ->
    one of those spellings; ``passthrough``: the dict field unknown arguments go to (``None``:
    refused); ``strict``: fields refused inside the passthrough dict; ``refused`` / ``ignored``:
    name -> what to say, on top of the peers' tables; ``hint``: said when an unknown argument is
    refused.
    """

    owner: str
    spellings: Mapping[str, str]
    aliases: Mapping[str, str] = field(default_factory=dict)
    passthrough: str | None = None
    strict: frozenset[str] = frozenset()
    refused: Mapping[str, str] = field(default_factory=dict)
    ignored: Mapping[str, str] = field(default_factory=dict)
    hint: str = ""

    def sort(self, arguments: Mapping[str, Any]) -> dict[str, Any]:
        """The arguments to hand to pydantic: renamed, checked, unknown ones moved or refused,
        keys as ``SecretStr``. Warns (``UserWarning``) for what it moves or drops."""
        kept: dict[str, Any] = {}
        given_as: dict[str, str] = {}  # field -> the spelling it was given under
        moved: dict[str, Any] = {}
        for name, value in arguments.items():
            spelling = name if name in self.spellings else self.aliases.get(name)
            if spelling is not None:
                target = self.spellings[spelling]
                if target in given_as:
                    raise self._error(
                        f"got `{given_as[target]}` and `{name}`, two spellings of one argument "
                        f"({target}): pass only one."
                    )
                given_as[target] = name
                kept[spelling] = value
            elif name in self.refused:
                raise self._error(f"does not take `{name}`: {self._say(self.refused[name])}")
            elif name in PEER_REFUSED:
                raise self._error(f"does not take `{name}`: {self._say(PEER_REFUSED[name])}")
            elif is_key_name(name):
                raise self._error(
                    f"does not take `{name}`: it is not a YEScale setting, so that key would not "
                    f"be used (the YEScale key from {API_KEY_ENV} would be sent in its place). "
                    f"Pass your YEScale key as api_key=... (or set {API_KEY_ENV})."
                )
            elif name in self.ignored or name in PEER_IGNORED:
                reason = self.ignored.get(name) or PEER_IGNORED[name]
                _warn(f"{self.owner} ignores `{name}`: {self._say(reason)}")
            elif self.passthrough is None:
                raise self._error(f"does not take `{name}`{self._suggest(name)}. {self.hint}")
            else:
                moved[name] = value
        if self.passthrough is not None:
            self._passthrough(kept, moved, given_as)
        return secret_key_inputs(kept)

    def _passthrough(
        self, kept: dict[str, Any], moved: dict[str, Any], given_as: dict[str, str]
    ) -> None:
        assert self.passthrough is not None
        spelling = next(
            (s for s, f in self.spellings.items() if f == self.passthrough and s in kept),
            self.passthrough,
        )
        inside = kept.get(spelling)
        if isinstance(inside, Mapping):
            for name in inside:
                target = self.spellings.get(name) or self.spellings.get(self.aliases.get(name, ""))
                if target in self.strict:
                    also = f" (and also as {given_as[target]}=...)" if target in given_as else ""
                    raise self._error(
                        f"got `{name}` inside {self.passthrough}{also}, but it is an argument "
                        f"of {self.owner}: pass {name}=... to {self.owner} itself, once."
                    )
        if not moved:
            return
        if inside is None:
            inside = {}
        if not isinstance(inside, Mapping):
            return  # pydantic refuses it, with its own message
        inside = dict(inside)
        for name, value in moved.items():
            if name in inside:
                raise self._error(
                    f"got `{name}` both as an argument and inside {self.passthrough}: pass it once."
                )
            _warn(
                f"{self.owner} has no `{name}` argument, so it was moved to {self.passthrough} "
                f"and is sent as is with every request{self._suggest(name)}. If that is what "
                f"you meant, pass it inside {self.passthrough}={{'{name}': ...}} to silence "
                "this warning; if not, remove it."
            )
            inside[name] = value
        kept[spelling] = inside

    def _say(self, text: str) -> str:
        return text.replace("{owner}", self.owner)

    def _suggest(self, name: str) -> str:
        known = [s for s in (*self.spellings, *self.aliases) if not s.startswith("_")]
        close = difflib.get_close_matches(name, known, n=2, cutoff=0.75)
        if not close:
            return ""
        return " (did you mean " + " or ".join(f"`{c}`" for c in close) + "?)"

    def _error(self, text: str) -> InvalidRequestError:
        return InvalidRequestError(f"{self.owner} {text}".strip())


def argument_rules(
    model: type[BaseModel],
    *,
    owner: str | None = None,
    passthrough: str | None = None,
    strict_passthrough: bool = False,
    framework: tuple[str, ...] = (),
    refused: Mapping[str, str] | None = None,
    ignored: Mapping[str, str] | None = None,
    hint: str = "",
) -> ArgumentRules:
    """The rules of a pydantic framework class.

    ``passthrough``: its dict field for unknown arguments (``None``: they are refused);
    ``strict_passthrough``: refuse the class's fields inside that dict, except those of its base
    classes from the ``framework`` packages (e.g. LangChain's ``metadata``, also an OpenAI request
    field); ``refused`` / ``ignored`` / ``hint``: the class's own rules (see
    :class:`ArgumentRules`).
    """
    spellings = pydantic_arguments(model)
    aliases: dict[str, str] = {}
    for spelling, targets in ALIASES.items():
        taken = [t for t in _tuple(targets) if t in spellings]
        if taken and spelling not in spellings:
            aliases[spelling] = taken[0]
    strict: frozenset[str] = frozenset()
    if strict_passthrough and passthrough is not None:
        strict = _own_fields(model, framework) - {passthrough}
    return ArgumentRules(
        owner=owner or model.__name__,
        spellings=spellings,
        aliases=aliases,
        passthrough=passthrough if passthrough in spellings else None,
        strict=strict,
        refused={k: v for k, v in (refused or {}).items() if k not in spellings},
        ignored={k: v for k, v in (ignored or {}).items() if k not in spellings},
        hint=hint,
    )


def _tuple(value: str | tuple[str, ...]) -> tuple[str, ...]:
    return (value,) if isinstance(value, str) else value


def _warn(message: str) -> None:
    """A ``UserWarning`` pointing at the line that built the object."""
    warn_at_caller(message)

