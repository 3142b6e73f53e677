"""The framework classes over OpenAI's Responses API, replayed: ``ChatYEScale`` with
``use_responses_api`` (and the automatic choice) and LlamaIndex's ``YEScaleResponses``.

The issue's proof is here: an agent loop with a reasoning model and a tool whose second request
carries the encrypted reasoning of the first answer (the synthesizer, tests/synth/
answers_responses.py, refuses reasoning items sent back altered). Cassettes are synthesized from
OpenAI's public Responses wire format (their first line says so). Re-record:
``YESCALE_SYNTHESIZE=1 pytest tests/integration/test_framework_responses.py --record-mode=rewrite``.
"""

from __future__ import annotations

from typing import Any

import pytest
from langchain.agents import create_agent
from langchain_core.messages import AIMessage, AIMessageChunk, HumanMessage
from langchain_core.tools import tool
from llama_index.core.agent.workflow import FunctionAgent
from llama_index.core.base.llms.types import ChatMessage, ThinkingBlock
from llama_index.core.tools import FunctionTool
from vcr.cassette import Cassette

from langchain_yescale import ChatYEScale
from llama_index_yescale import YEScaleResponses
from tests.synth.answers_responses import (
    ENCRYPTED,
    GREETING,
    SEARCHED,
    THOUGHT,
    WEATHER,
    WEATHER_ANSWER,
)

from .client_support import assert_all_played, sent_json

pytestmark = pytest.mark.vcr

MODEL = "gpt-5-mini"
REASONING = {"effort": "low", "summary": "auto"}
ENCRYPTED_REASONING: dict[str, Any] = {
    "reasoning": REASONING,
    "include": ["reasoning.encrypted_content"],
    "model_kwargs": {"store": False},
}


def get_weather(city: str, unit: str = "celsius") -> str:
    """The current weather in a city."""
    return f"18 degrees and sunny in {city} ({unit})"


def _sent_reasoning(body: dict[str, Any]) -> list[dict[str, Any]]:
    return [item for item in body["input"] if item.get("type") == "reasoning"]


def test_plain_call_goes_to_responses(vcr: Cassette) -> None:
    llm = ChatYEScale(model=MODEL, use_responses_api=True)
    answer = llm.invoke("Say hello.")
    assert answer.content == GREETING
    assert answer.response_metadata["id"].startswith("resp_")
    assert answer.usage_metadata is not None
    assert answer.usage_metadata["output_tokens"] > 0
    assert vcr.requests[0].path == "/v1/responses"
    assert sent_json(vcr, 0)["input"] == [
        {"type": "message", "role": "user", "content": "Say hello."}
    ]
    assert_all_played(vcr)


def test_agent_loop_carries_the_encrypted_reasoning(vcr: Cassette) -> None:
    """The issue's proof: a reasoning model calls a tool; the second request sends the first
    answer's reasoning item back, with its encrypted content, before the function call."""
    llm = ChatYEScale(model=MODEL, **ENCRYPTED_REASONING)  # reasoning= picks the Responses API
    agent = create_agent(llm, tools=[tool(get_weather)])
    result = agent.invoke({"messages": [HumanMessage("What is the weather in Paris?")]})
    call, final = result["messages"][1], result["messages"][-1]
    assert isinstance(call, AIMessage)
    assert call.tool_calls[0]["args"] == WEATHER
    thought = [b for b in call.content_blocks if b["type"] == "reasoning"]
    assert [b.get("reasoning") for b in thought] == [THOUGHT]
    assert final.content == WEATHER_ANSWER
    second = sent_json(vcr, 1)
    (reasoning,) = _sent_reasoning(second)
    assert reasoning["encrypted_content"] == ENCRYPTED
    kinds = [item.get("type") for item in second["input"]]
    assert (
        kinds.index("reasoning")
        < kinds.index("function_call")
        < kinds.index("function_call_output")
    )
    assert second["store"] is False
    assert [r.path for r in vcr.requests] == ["/v1/responses"] * 2
    assert_all_played(vcr)


def test_streamed_agent_loop_carries_the_encrypted_reasoning(vcr: Cassette) -> None:
    llm = ChatYEScale(model=MODEL, streaming=True, **ENCRYPTED_REASONING)
    agent = create_agent(llm, tools=[tool(get_weather)])
    pieces = list(
        agent.stream(
            {"messages": [HumanMessage("What is the weather in Paris?")]}, stream_mode="messages"
        )
    )
    text = "".join(
        str(p[0].content) for p in pieces if isinstance(p[0], AIMessageChunk) and p[0].content
    )
    assert text.endswith(WEATHER_ANSWER)
    (reasoning,) = _sent_reasoning(sent_json(vcr, 1))
    assert reasoning["encrypted_content"] == ENCRYPTED
    assert "index" not in reasoning
    assert_all_played(vcr)


def test_previous_response_id_chains_the_conversation(vcr: Cassette) -> None:
    llm = ChatYEScale(model=MODEL, use_previous_response_id=True)
    first = llm.invoke([HumanMessage("Say hello.")])
    second = llm.invoke([HumanMessage("Say hello."), first, HumanMessage("And again?")])
    assert isinstance(second.content, str)
    assert second.content
    body = sent_json(vcr, 1)
    assert body["previous_response_id"] == first.response_metadata["id"]
    assert body["input"] == [{"type": "message", "role": "user", "content": "And again?"}]
    assert_all_played(vcr)


def test_web_search_is_a_built_in_tool_with_citations(vcr: Cassette) -> None:
    llm = ChatYEScale(model=MODEL).bind_tools([{"type": "web_search"}])  # picks Responses
    answer = llm.invoke("Who won Euro 2024?")
    assert answer.text.endswith(SEARCHED)
    notes = answer.additional_kwargs["annotations"]
    assert notes[0]["type"] == "url_citation"
    assert vcr.requests[0].path == "/v1/responses"
    assert sent_json(vcr, 0)["tools"] == [{"type": "web_search"}]
    assert_all_played(vcr)


def test_a_plain_chat_model_stays_on_chat_completions() -> None:
    """The automatic choice leaves an ordinary call where it was."""
    llm = ChatYEScale(model="gpt-4o-mini")
    assert llm._endpoint_for(llm._call_params(None, {})) == "openai"
    assert llm._endpoint_for(llm._call_params(None, {"reasoning": REASONING})) == "responses"
    assert ChatYEScale(model="o3-pro")._endpoint_for({"model": "o3-pro"}) == "responses"
    off = ChatYEScale(model="gpt-5-mini", use_responses_api=False)
    assert off._endpoint_for({"reasoning": REASONING}) == "openai"


async def test_llamaindex_function_agent_carries_the_encrypted_reasoning(
    vcr: Cassette,
) -> None:
    llm = YEScaleResponses(
        model=MODEL,
        reasoning_options=REASONING,
        include=["reasoning.encrypted_content"],
        store=False,
    )
    agent = FunctionAgent(tools=[FunctionTool.from_defaults(get_weather)], llm=llm)
    answer = await agent.run("What is the weather in Paris?")
    assert WEATHER_ANSWER in str(answer)
    second = sent_json(vcr, 1)
    (reasoning,) = _sent_reasoning(second)
    assert reasoning["encrypted_content"] == ENCRYPTED
    assert second["store"] is False
    assert_all_played(vcr)


def test_llamaindex_chat_thinking_and_tracked_responses(vcr: Cassette) -> None:
    llm = YEScaleResponses(model=MODEL, reasoning_options=REASONING, track_previous_responses=True)
    first = llm.chat([ChatMessage(role="user", content="Say hello.")])
    thinking = [b for b in first.message.blocks if isinstance(b, ThinkingBlock)]
    assert thinking
    history = [
        ChatMessage(role="user", content="Say hello."),
        first.message,
        ChatMessage(role="user", content="And again?"),
    ]
    llm.chat(history)
    body = sent_json(vcr, 1)
    assert body["previous_response_id"] == first.raw["id"]
    assert [item.get("content") for item in body["input"]] == ["And again?"]
    assert_all_played(vcr)
