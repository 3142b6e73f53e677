"""A LangChain agent that answers with a typed object, natively where the model can.

python examples/agent_structured.py            # offline: replays recorded answers
YESCALE_API_KEY=... python examples/agent_structured.py   # live

1. ``ChatYEScale(...).profile``: what the model can do, from ``yescale.models.profiles`` (no
   request): its context window, its output limit, tool calling, native structured output.
2. ``langchain.agents.create_agent(..., response_format=Weather)``: the profile says
   ``structured_output``, so the agent asks for the schema natively (``response_format``
   ``json_schema``, LangChain's ``ProviderStrategy``) on each request instead of adding a tool
   for the answer. The agent calls a local tool, then answers with a ``Weather``.
3. ``SummarizationMiddleware`` with a fractional trigger: it reads the window from the profile
   (and refuses to start without one). This short conversation stays far below it, so nothing is
   summarized here.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import _offline

with _offline.exit_if_missing(__name__):  # run as a script: one line naming what to install
    from langchain.agents import create_agent  # the langchain package: not in the extras
    from langchain.agents.middleware import SummarizationMiddleware
    from langchain_core.messages import ToolMessage
    from langchain_core.tools import tool
    from pydantic import BaseModel

    from langchain_yescale import ChatYEScale


class Weather(BaseModel):
    """The weather in a city."""

    city: str
    temperature_c: int
    conditions: str


@tool
def get_weather(city: str) -> str:
    """Get the current weather in a city."""
    return f"Sunny, 31 degrees C in {city}."  # a fixed answer: the demo needs no weather service


#: The parts of the profile that decide what the agent below does.
SHOWN = ("max_input_tokens", "max_output_tokens", "tool_calling", "structured_output")


def run() -> dict[str, Any]:
    """The demo; returns what it showed so the test suite can check it."""
    llm = ChatYEScale(model="gpt-4o-mini", temperature=0)

    print("1) What the model can do (its profile; no request)")
    profile = dict(llm.profile or {})
    for key in SHOWN:
        print(f"  {key}: {profile.get(key)}")

    print("\n2) An agent that calls a tool, then answers with a Weather")
    # summarizes older turns once the conversation passes 80% of the profile's window
    fraction = 0.8
    summarize = SummarizationMiddleware(
        model=llm, trigger=("fraction", fraction), keep=("messages", 20)
    )
    agent = create_agent(
        model=llm,
        tools=[get_weather],
        response_format=Weather,  # native (json_schema) since the profile says structured_output
        middleware=[summarize],
    )
    question = "What is the weather in Hanoi?"
    state = agent.invoke({"messages": [{"role": "user", "content": question}]})
    for msg in state["messages"]:
        if isinstance(msg, ToolMessage):
            print(f"  tool {msg.name}: {msg.content}")
    weather = state["structured_response"]
    print(f"  structured_response: {weather!r}")

    print("\n3) SummarizationMiddleware")
    threshold = int(profile["max_input_tokens"] * fraction)
    print(f"  summarizes past {threshold} tokens ({fraction:.0%} of max_input_tokens)")
    return {
        "profile": {key: profile.get(key) for key in SHOWN},
        "structured_response": weather,
        "messages": state["messages"],
        "summarize_at": threshold,
    }


if __name__ == "__main__":
    with _offline.live_or_replay("agent_structured"):
        run()
