"""Claude in its own format: an agent that thinks and calls a tool, web search with citations,
and a cached prompt, in LangChain (``ChatYEScaleAnthropic``) and LlamaIndex (``YEScaleAnthropic``).

Both classes speak Anthropic's Messages API (``/v1/messages``) through YEScale, so Claude's
thinking blocks (with their signatures) go back on the tool turn, server tools such as web search
run, and ``cache_control`` breakpoints / ``CachePoint`` s are honoured.

python examples/anthropic_agent.py            # offline: replays recorded answers
YESCALE_API_KEY=... python examples/anthropic_agent.py   # live
"""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import _offline

with _offline.exit_if_missing(__name__):  # run as a script: one line naming what to install
    from langchain.agents import create_agent
    from langchain_core.messages import HumanMessage, SystemMessage
    from langchain_core.tools import tool
    from llama_index.core.agent.workflow import FunctionAgent
    from llama_index.core.base.llms.types import (
        CachePoint,
        ChatMessage,
        MessageRole,
        TextBlock,
    )
    from llama_index.core.tools import FunctionTool

    from langchain_yescale import ChatYEScaleAnthropic
    from llama_index_yescale import YEScaleAnthropic

MODEL = "claude-sonnet-4-5"
THINKING = {"type": "enabled", "budget_tokens": 2048}
WEB_SEARCH = {"type": "web_search_20250305", "name": "web_search", "max_uses": 3}
#: A long, stable prompt (Anthropic caches prefixes of 1024 tokens or more).
MANUAL = "You answer questions about the Hanoi office. " + " ".join(
    f"Rule {i}: visitors sign in at desk {i % 7} and wear badge colour {i % 5}." for i in range(120)
)


def get_weather(city: str, unit: str = "celsius") -> str:
    """The current weather in a city."""
    return f"18 degrees and sunny in {city} ({unit})"


def _langchain() -> dict[str, Any]:
    llm = ChatYEScaleAnthropic(model=MODEL, thinking=THINKING)
    agent = create_agent(llm, tools=[tool(get_weather)])
    result = agent.invoke({"messages": [HumanMessage("What is the weather in Paris?")]})
    call, answer = result["messages"][1], result["messages"][-1]
    thought = next(b for b in call.content_blocks if b["type"] == "reasoning")
    print("LangChain agent (thinking + a tool)")
    print(f"  thought  -> {thought.get('reasoning')}")
    print(f"  called   -> {call.tool_calls[0]['name']}({call.tool_calls[0]['args']})")
    print(f"  answer   -> {answer.content}")

    searched = (
        ChatYEScaleAnthropic(model=MODEL).bind_tools([WEB_SEARCH]).invoke("Who won Euro 2024?")
    )
    print("Web search")
    print(f"  answer   -> {searched.text}")
    for block in searched.content_blocks:
        for note in block.get("annotations", []) if block["type"] == "text" else []:
            print(f"  cited    -> {note.get('url')}: {note.get('cited_text')!r}")

    cached = ChatYEScaleAnthropic(model=MODEL, max_tokens=200)
    system = SystemMessage(
        [{"type": "text", "text": MANUAL, "cache_control": {"type": "ephemeral"}}]
    )
    usages = []
    for question in ("Where do visitors sign in?", "Which badge colour goes with rule 7?"):
        details = (cached.invoke([system, HumanMessage(question)]).usage_metadata or {}).get(
            "input_token_details", {}
        )
        usages.append(details)
        written, read = details.get("cache_creation"), details.get("cache_read")
        print(f"  cache    -> written {written}, read {read}")
    return {"agent": result["messages"], "searched": searched, "cache": usages}


async def _llamaindex() -> dict[str, Any]:
    llm = YEScaleAnthropic(model=MODEL, thinking=THINKING)
    agent = FunctionAgent(tools=[FunctionTool.from_defaults(get_weather)], llm=llm)
    answer = await agent.run("What is the weather in Paris?")
    print("LlamaIndex FunctionAgent (thinking + a tool)")
    print(f"  answer   -> {answer}")

    cached = YEScaleAnthropic(model=MODEL, max_tokens=200)
    system = ChatMessage(
        role=MessageRole.SYSTEM,
        blocks=[TextBlock(text=MANUAL), CachePoint(cache_control={"type": "ephemeral"})],
    )
    usages = []
    for question in ("Where do visitors sign in?", "Which badge colour goes with rule 7?"):
        reply = await cached.achat([system, ChatMessage(role=MessageRole.USER, content=question)])
        usage = reply.additional_kwargs
        usages.append(usage)
        print(
            f"  cache    -> written {usage.get('cache_creation_input_tokens', 0)}, "
            f"read {usage.get('cache_read_input_tokens', 0)}"
        )
    return {"agent": str(answer), "cache": usages}


def run() -> dict[str, Any]:
    """The demo itself; returns what it showed so the test suite can check it."""
    shown = _langchain()
    shown["llamaindex"] = asyncio.run(_llamaindex())
    return shown


if __name__ == "__main__":
    with _offline.live_or_replay("anthropic_agent"):
        run()
