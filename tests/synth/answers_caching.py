"""Canned answers for the prompt-caching tests: a Claude model behind the OpenAI-format route
that honours ``cache_control`` breakpoints.

WIRE: the OpenAI chat-completion format, with the cache counts OpenAI-compatible gateways give
for Claude: cache reads in ``usage.prompt_tokens_details.cached_tokens`` (OpenAI's own field),
cache writes in ``usage.cache_creation_input_tokens`` (Anthropic's name, at the top level of the
usage, as LiteLLM-style gateways report it). The reference says nothing about either.

The "model" caches, per test, the prefix up to each breakpoint (everything before and including
the marked part; tools first, as Anthropic orders the prefix): a prefix seen before in the same
test is a cache read, a new one a cache write. Without breakpoints nothing is cached. Token counts
are the characters of the prompt divided by four.

Only for ``tests/integration/test_prompt_caching.py`` and the example's test (``when=``), at
priority 10.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from .routes import Answer, SynthRequest, as_json, as_sse, route

_MINE = (
    "tests/integration/test_prompt_caching.py",
    "tests/integration/test_examples.py::test_prompt_caching",
)
#: (test node id, prefix hash): the prefixes each test has cached so far
_CACHED: set[tuple[str, str]] = set()


def _mine(req: SynthRequest) -> bool:
    return req.nodeid.startswith(_MINE)


def _tokens(value: Any) -> int:
    return max(1, len(json.dumps(value, sort_keys=True)) // 4)


def _prefixes(body: dict[str, Any]) -> list[Any]:
    """The cached prefix of each breakpoint, in prompt order (tools, then messages)."""
    prefixes: list[Any] = []
    tools = body.get("tools") or []
    for i, tool in enumerate(tools):
        if "cache_control" in tool:
            prefixes.append({"tools": tools[: i + 1]})
    messages = body.get("messages") or []
    for i, message in enumerate(messages):
        content = message.get("content")
        if not isinstance(content, list):
            continue
        for j, part in enumerate(content):
            if isinstance(part, dict) and "cache_control" in part:
                head = [*messages[:i], {**message, "content": content[: j + 1]}]
                prefixes.append({"tools": tools, "messages": head})
    return prefixes


def _usage(req: SynthRequest, body: dict[str, Any]) -> dict[str, Any]:
    prompt = _tokens({"tools": body.get("tools"), "messages": body.get("messages")})
    read = written = 0
    for prefix in _prefixes(body):
        key = (req.nodeid, hashlib.sha256(json.dumps(prefix, sort_keys=True).encode()).hexdigest())
        size = _tokens(prefix) - read - written  # what this breakpoint adds to the ones before
        if key in _CACHED:
            read += max(size, 0)
        else:
            _CACHED.add(key)
            written += max(size, 0)
    completion = 8
    return {
        "prompt_tokens": prompt,
        "completion_tokens": completion,
        "total_tokens": prompt + completion,
        "prompt_tokens_details": {"cached_tokens": read},
        "cache_creation_input_tokens": written,
    }


def _text(body: dict[str, Any]) -> str:
    last = (body.get("messages") or [{}])[-1].get("content")
    if isinstance(last, list):
        last = " ".join(p.get("text", "") for p in last if isinstance(p, dict))
    question = str(last or "").strip()
    return f"Answered from the cached manual: {question[:60]}"


@route("POST", "/v1/chat/completions", when=_mine, priority=10)
def cached_chat(req: SynthRequest) -> Answer:
    body = req.json()
    model = body.get("model", "claude-sonnet-4-5")
    usage = _usage(req, body)
    text = _text(body)
    head = {"id": f"chatcmpl-cache-{len(_CACHED)}", "created": 1764720000, "model": model}
    if body.get("stream"):
        chunk = {**head, "object": "chat.completion.chunk"}
        events = [
            {**chunk, "choices": [{"index": 0, "delta": {"role": "assistant", "content": text}}]},
            {**chunk, "choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]},
            {**chunk, "choices": [], "usage": usage},
        ]
        return as_sse(events)
    message = {"role": "assistant", "content": text}
    return as_json(
        {
            **head,
            "object": "chat.completion",
            "choices": [{"index": 0, "message": message, "finish_reason": "stop"}],
            "usage": usage,
        }
    )
