"""Prompt caching on the OpenAI-format route, the same for every framework.

The neutral convention (the OpenAI chat format the client sends, shared with the Anthropic
translation): a cache breakpoint is ``"cache_control": {"type": "ephemeral"}`` (optionally with
``"ttl": "5m"`` or ``"1h"``) on

- a text content part of a message: ``{"type": "text", "text": "...", "cache_control": {...}}``;
  a system message then has its content as a list of text parts;
- a tool dict, at its top level: ``{"type": "function", "function": {...}, "cache_control": {...}}``
  (as langchain-anthropic users mark a tool).

Everything up to and including a marked part is cached by Anthropic models (Claude). Whether
YEScale's OpenAI-compatible endpoint forwards the field to Anthropic is not documented, so the
framework classes keep it only behind an explicit switch (``prompt_caching=True``); off, it is
dropped with one warning saying how to turn it on. OpenAI models cache long prompts by
themselves and Gemini uses ``cached_content``: with the switch on, a breakpoint for them is
refused, saying so.

:class:`CachePolicy` decides per call; :func:`check_breakpoints` validates what is sent;
:func:`cache_usage` reads cache reads and writes from an answer's usage in the spellings
OpenAI-compatible gateways use. No I/O, no framework imports.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from .._warnings import warn_at_caller
from ..errors import InvalidRequestError
from ..models import families
from ..types.chat import Usage

__all__ = [
    "MAX_BREAKPOINTS",
    "CachePolicy",
    "cache_usage",
    "check_breakpoints",
    "check_cache_control",
    "count_breakpoints",
    "forget_warnings",
    "mark_last_part",
    "refuse_non_text_breakpoint",
    "strip_tools",
    "takes_cache_control",
    "tools_carry_cache_control",
]

#: Model families whose API takes ``cache_control`` breakpoints.
CACHE_CONTROL_FAMILIES = frozenset({"claude"})
#: Cache lifetimes Anthropic accepts.
TTLS = ("5m", "1h")
#: Breakpoints Anthropic accepts in one request (tools, system and messages together).
MAX_BREAKPOINTS = 4

_EXAMPLE = '{"type": "ephemeral"} or {"type": "ephemeral", "ttl": "1h"}'

#: Why a family gets no breakpoints, and what caches its prompts instead.
_OTHER_CACHING = {
    "openai": (
        "OpenAI models cache prompts of 1024 tokens or more by themselves, with no cache_control "
        "(cached reads show in the usage as cache_read)"
    ),
    "gemini": (
        "Gemini models cache implicitly and through cached_content (a cache made with the Gemini "
        "API, passed as model_kwargs / additional_kwargs {'cached_content': 'cachedContents/...'}"
        " on the Gemini classes)"
    ),
}

#: Keys already warned about in this process (one warning per class and reason).
_warned: set[str] = set()


def takes_cache_control(model: str) -> bool:
    """Whether ``model``'s family takes ``cache_control`` breakpoints (Claude)."""
    return families.family(model) in CACHE_CONTROL_FAMILIES


def check_cache_control(value: object, where: str = "cache_control") -> dict[str, str]:
    """A valid breakpoint (a copy): ``{"type": "ephemeral"}``, optionally with ``"ttl"`` ``"5m"``
    or ``"1h"``. Anything else is refused, naming ``where`` it was and what is accepted."""
    if not isinstance(value, Mapping):
        raise InvalidRequestError(f"{where} must be a dict, {_EXAMPLE}; got {value!r:.80}.")
    unknown = sorted(str(k) for k in value if k not in ("type", "ttl"))
    if unknown:
        raise InvalidRequestError(
            f"{where} has unknown keys {unknown}: it takes only 'type' and 'ttl' ({_EXAMPLE})."
        )
    if value.get("type") != "ephemeral":
        raise InvalidRequestError(
            f"{where} type must be 'ephemeral' (the only kind Anthropic caches), got "
            f"{value.get('type')!r}: use {_EXAMPLE}."
        )
    control = {"type": "ephemeral"}
    if "ttl" in value:
        if value["ttl"] not in TTLS:
            raise InvalidRequestError(
                f"{where} ttl must be '5m' or '1h', got {value['ttl']!r}: use {_EXAMPLE}."
            )
        control["ttl"] = str(value["ttl"])
    return control


def _marked_parts(messages: Sequence[Mapping[str, Any]]) -> Iterable[tuple[str, Any]]:
    for i, message in enumerate(messages):
        content = message.get("content")
        if isinstance(content, list):
            for j, part in enumerate(content):
                if isinstance(part, Mapping) and "cache_control" in part:
                    yield f"messages[{i}].content[{j}].cache_control", part["cache_control"]


def tools_carry_cache_control(tools: Sequence[Any] | None) -> bool:
    """Whether any tool dict carries ``cache_control``."""
    return any(isinstance(t, Mapping) and t.get("cache_control") is not None for t in tools or ())


def count_breakpoints(
    messages: Sequence[Mapping[str, Any]], tools: Sequence[Any] | None = None
) -> int:
    """The breakpoints in neutral messages and tools."""
    marked_tools = sum(1 for t in tools or () if isinstance(t, Mapping) and "cache_control" in t)
    return marked_tools + sum(1 for _ in _marked_parts(messages))


def check_breakpoints(
    messages: Sequence[Mapping[str, Any]], tools: Sequence[Any] | None = None
) -> None:
    """Refuse a malformed breakpoint, or more than :data:`MAX_BREAKPOINTS` in one request
    (Anthropic answers 400 to either; this says where, before anything is sent)."""
    for index, tool in enumerate(tools or ()):
        if isinstance(tool, Mapping) and "cache_control" in tool:
            check_cache_control(tool["cache_control"], f"tools[{index}].cache_control")
    for where, value in _marked_parts(messages):
        check_cache_control(value, where)
    count = count_breakpoints(messages, tools)
    if count > MAX_BREAKPOINTS:
        raise InvalidRequestError(
            f"{count} cache_control breakpoints in one request: Anthropic takes at most "
            f"{MAX_BREAKPOINTS} (tools, system and messages together). Keep the last one of each "
            "stable prefix: everything before a breakpoint is cached with it."
        )


def strip_tools(tools: Sequence[Any] | None) -> list[Any]:
    """``tools`` without ``cache_control`` (copies of the tools that had it)."""
    return [
        {k: v for k, v in t.items() if k != "cache_control"}
        if isinstance(t, Mapping) and "cache_control" in t
        else t
        for t in tools or ()
    ]


def mark_last_part(messages: list[dict[str, Any]], control: Mapping[str, str]) -> None:
    """Put a breakpoint on the last text of the last message (in place): what langchain-anthropic's
    ``cache_control=`` call argument asks for (cache the whole conversation so far, tools and
    system included, as they come before it). A string content becomes one text part."""
    if not messages:
        return
    message = messages[-1]
    content = message.get("content")
    if isinstance(content, str) and content:
        message["content"] = [{"type": "text", "text": content, "cache_control": dict(control)}]
        return
    if isinstance(content, list):
        for part in reversed(content):
            if isinstance(part, dict) and part.get("type") == "text" and part.get("text"):
                part["cache_control"] = dict(control)
                return
    raise InvalidRequestError(
        "cache_control= marks the last text of the last message, and that message has no text "
        f"(role {message.get('role')!r}): put cache_control on a text block instead."
    )


def refuse_non_text_breakpoint(kind: str) -> None:
    """Refuse a breakpoint on a non-text part (an image, a file, audio): on the OpenAI-format
    route ``cache_control`` travels on text parts only (what OpenAI-compatible gateways that
    forward it read)."""
    raise InvalidRequestError(
        f"cache_control on a {kind!r} block cannot be sent on the OpenAI-format route: "
        "breakpoints go on text parts only. Put it on a text block after this one (a breakpoint "
        "caches everything before it, this block included)."
    )


@dataclass(frozen=True)
class CachePolicy:
    """Whether one call keeps its cache breakpoints.

    ``enabled``: the class's switch (``prompt_caching``); ``owner``: the class name, for the
    messages; ``switch``: how the switch is spelled on that class (``None``: the class has none:
    the Gemini-native classes never send breakpoints (``enabled=False``), the Anthropic-format
    ones always do (``enabled=True``)).

    :meth:`keep` says, for a call to ``model`` whose input has breakpoints (``found``):

    - not enabled: ``False``; the breakpoints are dropped and a warning says so, once per class
      in a process, with how to turn caching on;
    - enabled without a switch: ``True``;
    - switch on, a Claude model: ``True``;
    - switch on, another family: :class:`~yescale.InvalidRequestError`, saying how that family
      caches instead.
    """

    enabled: bool
    owner: str
    switch: str | None = "prompt_caching"

    def keep(self, model: str, found: bool) -> bool:
        if not found:
            return False
        if not self.enabled:
            self._warn_dropped(model)
            return False
        if self.switch is None:
            return True  # no switch, enabled: the endpoint always takes them (/v1/messages)
        if not takes_cache_control(model):
            family = families.family(model)
            instead = _OTHER_CACHING.get(
                family, f"{family} models take no cache_control (only Claude models do)"
            )
            raise InvalidRequestError(
                f"{self.owner}({self.switch}=True) sends cache_control only to Claude models, "
                f"and {model!r} is not one: {instead}. Remove the cache_control blocks (or "
                f"CachePoints), or set {self.switch}=False to drop them with a warning."
            )
        return True

    def _warn_dropped(self, model: str) -> None:
        key = f"{self.owner}:{self.switch}"
        if key in _warned:
            return
        _warned.add(key)
        if self.switch is None:
            why = _OTHER_CACHING.get(families.family(model), "this endpoint takes none")
            message = (
                f"{self.owner} dropped the cache_control breakpoints (or CachePoints) of this "
                f"request: {why}. (Warned once.)"
            )
        else:
            message = (
                f"{self.owner} dropped the cache_control breakpoints (or CachePoints) of this "
                f"request: YEScale's OpenAI-compatible endpoint is not documented to pass them "
                f"on to Anthropic. To send them to Claude models, set {self.switch}=True "
                f"(e.g. {self.owner}(model='claude-sonnet-4-5', {self.switch}=True)); the usage "
                "then shows cache_read / cache_creation tokens when the gateway reports them. "
                "(Warned once.)"
            )
        warn_at_caller(message)


def forget_warnings() -> None:
    """Warn again about dropped breakpoints (tests)."""
    _warned.clear()


def _count(holder: object, *names: str) -> int | None:
    if holder is None:
        return None
    extra = getattr(holder, "model_extra", None) or {}
    for name in names:
        value = getattr(holder, name, None)
        if value is None:
            value = extra.get(name)
        if isinstance(value, int) and not isinstance(value, bool):
            return value
    return None


def cache_usage(usage: Usage | None) -> dict[str, int]:
    """Cached prompt tokens of an answer: ``{"cache_read": n, "cache_creation": m}``, each only
    when the service reports it.

    Reads: ``prompt_tokens_details.cached_tokens`` (OpenAI), else ``cache_read_input_tokens``
    (Anthropic's name, top level of ``usage``, as LiteLLM-style gateways report it). Writes:
    ``prompt_tokens_details.cache_creation_tokens`` / ``cache_write_tokens`` (OpenRouter), else
    ``usage.cache_creation_input_tokens`` (Anthropic's name).
    """
    if usage is None:
        return {}
    details = usage.prompt_tokens_details
    counts: dict[str, int] = {}
    read = _count(details, "cached_tokens")
    if read is None:
        read = _count(usage, "cache_read_input_tokens")
    if read is not None:
        counts["cache_read"] = read
    created = _count(details, "cache_creation_tokens", "cache_write_tokens")
    if created is None:
        created = _count(usage, "cache_creation_input_tokens")
    if created is not None:
        counts["cache_creation"] = created
    return counts
