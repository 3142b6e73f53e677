"""A LlamaIndex ``FunctionAgent`` with two tools on YEScale: it looks up the weather, converts
the temperature, then answers, streaming its events; token usage from LlamaIndex's counter.

python examples/llamaindex_agent.py            # offline: replays recorded answers
YESCALE_API_KEY=... python examples/llamaindex_agent.py   # live
"""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import _offline

with _offline.exit_if_missing(__name__):  # run as a script: one line naming what to install
    from llama_index.core.agent.workflow import (
        AgentStream,
        FunctionAgent,
        ToolCall,
        ToolCallResult,
    )
    from llama_index.core.callbacks import CallbackManager, TokenCountingHandler

    from llama_index_yescale import YEScale


def get_weather(city: str) -> str:
    """Get the current weather in a city."""
    return f"Sunny, 30°C in {city}"  # a real app would call a weather API here


def convert_c_to_f(celsius: float) -> float:
    """Convert a temperature from Celsius to Fahrenheit."""
    return round(celsius * 9 / 5 + 32, 1)


async def run() -> dict[str, Any]:
    """The demo itself; returns what it showed so the test suite can check it."""
    counter = TokenCountingHandler()
    llm = YEScale(model="gpt-4o-mini", temperature=0, callback_manager=CallbackManager([counter]))
    agent = FunctionAgent(
        tools=[get_weather, convert_c_to_f],
        llm=llm,
        system_prompt="You are a weather assistant. Use the tools.",
    )
    handler = agent.run(user_msg="What's the weather in Hanoi, in Fahrenheit?")
    calls: list[dict[str, Any]] = []
    async for event in handler.stream_events():
        if isinstance(event, ToolCall):
            print(f"tool call   -> {event.tool_name}({event.tool_kwargs})")
        elif isinstance(event, ToolCallResult):
            print(f"tool result -> {event.tool_output.content}")
            calls.append(
                {
                    "name": event.tool_name,
                    "kwargs": event.tool_kwargs,
                    "output": event.tool_output.content,
                }
            )
        elif isinstance(event, AgentStream) and event.delta:
            print(event.delta, end="", flush=True)
    output = await handler
    answer = str(output.response.content)
    print(f"\nanswer      -> {answer}")
    tokens = {
        "prompt": counter.prompt_llm_token_count,
        "completion": counter.completion_llm_token_count,
        "total": counter.total_llm_token_count,
    }
    print(f"tokens      -> {tokens}")
    return {"answer": answer, "calls": calls, "tokens": tokens}


if __name__ == "__main__":
    # This example's recording lives beside its test's (tests/integration/test_llamaindex_examples).
    with _offline.live_or_replay("llamaindex_agent", "test_llamaindex_examples"):
        asyncio.run(run())
