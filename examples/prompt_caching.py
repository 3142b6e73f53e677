"""Prompt caching with Claude: a long system prompt marked for caching, asked twice.

The first call writes the marked prefix to Anthropic's cache (usage: cache_creation), the second
reads it back (usage: cache_read, billed at a tenth of the input price). ``prompt_caching=True``
sends the ``cache_control`` breakpoints on YEScale's OpenAI-compatible endpoint; without it they
are dropped, with a warning (see docs/langchain-chat.md, "Prompt caching").

python examples/prompt_caching.py            # offline: replays recorded answers
YESCALE_API_KEY=... python examples/prompt_caching.py   # live
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import _offline

with _offline.exit_if_missing(__name__):  # run as a script: one line naming what to install
    from langchain_core.messages import HumanMessage, SystemMessage

    from langchain_yescale import ChatYEScale

#: A long, stable prompt (Anthropic caches prefixes of 1024 tokens or more: 2048 for Haiku).
MANUAL = "You answer questions about the Hanoi office. " + " ".join(
    f"Rule {i}: visitors sign in at desk {i % 7} and wear badge colour {i % 5}." for i in range(120)
)


def run() -> dict[str, Any]:
    """The demo itself; returns what it showed so the test suite can check it."""
    llm = ChatYEScale(model="claude-sonnet-4-5", prompt_caching=True, max_tokens=200)
    system = SystemMessage(
        [{"type": "text", "text": MANUAL, "cache_control": {"type": "ephemeral"}}]
    )
    replies = []
    for question in ("Where do visitors sign in?", "Which badge colour goes with rule 7?"):
        reply = llm.invoke([system, HumanMessage(question)])
        usage = reply.usage_metadata or {}
        details = usage.get("input_token_details", {})
        print(f"{question}\n  -> {reply.content}")
        written, read = details.get("cache_creation"), details.get("cache_read")
        print(f"  input tokens {usage.get('input_tokens')}: ", end="")
        print(f"cache_creation {written}, cache_read {read}")
        replies.append(reply)
    return {"first": replies[0], "second": replies[1]}


if __name__ == "__main__":
    with _offline.live_or_replay("prompt_caching"):
        run()
