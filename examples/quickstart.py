"""Quickstart: ChatYEScale in LangChain — invoke, stream, async, token usage.

python examples/quickstart.py            # offline: replays recorded answers
YESCALE_API_KEY=... python examples/quickstart.py   # live
"""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import _offline

with _offline.exit_if_missing(__name__):  # run as a script: one line naming what to install
    from langchain_core.messages import AIMessage

    from langchain_yescale import ChatYEScale


def run() -> dict[str, AIMessage]:
    """The demo itself; returns what it showed so the test suite can check it."""
    llm = ChatYEScale(model="gpt-4o-mini", temperature=0)

    reply = llm.invoke("Say hello.")
    print(f"invoke  -> {reply.content!r}")
    print(f"usage   -> {reply.usage_metadata}")

    print("stream  -> ", end="")
    streamed = None
    for chunk in llm.stream("Say hello."):
        print(chunk.text, end="", flush=True)
        streamed = chunk if streamed is None else streamed + chunk
    print()
    assert streamed is not None
    print(f"usage   -> {streamed.usage_metadata}")

    async_reply = asyncio.run(llm.ainvoke("Say hello."))
    print(f"ainvoke -> {async_reply.content!r}")
    return {"invoke": reply, "stream": streamed, "ainvoke": async_reply}


if __name__ == "__main__":
    with _offline.live_or_replay("quickstart"):
        run()
