"""What model profiles change in LangChain's agents, end to end over a fake YEScale.

``create_agent(..., response_format=Model)`` asks the model's ``profile`` whether it has native
structured output: if so it sends ``response_format`` (ProviderStrategy), otherwise it adds a
tool and forces it (ToolStrategy). ``SummarizationMiddleware`` with a fractional trigger reads
``profile["max_input_tokens"]``, and refuses to start without it.

The fake answers over ``httpx.MockTransport`` (nothing leaves the process) with canned OpenAI /
Gemini answers, and keeps the request bodies, which the tests check.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

import httpx
import pytest
from langchain_core.messages import AIMessage, HumanMessage, ToolMessage
from langchain_core.tools import tool
from pydantic import BaseModel

from langchain_yescale import ChatYEScale, ChatYEScaleGemini

KEY = "sk-profile-test-key-0123456789abcdef"


class Weather(BaseModel):
    """The weather in a city."""

    city: str
    temperature_c: int
    summary: str


HANOI = Weather(city="Hanoi", temperature_c=31, summary="Sunny")


@tool
def get_weather(city: str) -> str:
    """Get the current weather in a city."""
    return f"Sunny, 31 degrees C in {city}."


class FakeYEScale:
    """Answers each request with the next canned answer, and keeps the request bodies."""

    def __init__(self, *answers: dict[str, Any]) -> None:
        self.answers = list(answers)
        self.requests: list[httpx.Request] = []

    @property
    def bodies(self) -> list[dict[str, Any]]:
        return [json.loads(request.content) for request in self.requests]

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        assert len(self.requests) <= len(self.answers), f"unexpected request {request.url}"
        return httpx.Response(200, json=self.answers[len(self.requests) - 1])

    def http_client(self) -> httpx.Client:
        return httpx.Client(transport=httpx.MockTransport(self))


def completion(
    content: str | None = None, tool_calls: Sequence[tuple[str, dict[str, Any]]] = ()
) -> dict[str, Any]:
    """An OpenAI chat completion answering ``content``, or calling tools."""
    message: dict[str, Any] = {"role": "assistant", "content": content}
    if tool_calls:
        message["tool_calls"] = [
            {
                "id": f"call_{i}",
                "type": "function",
                "function": {"name": name, "arguments": json.dumps(args)},
            }
            for i, (name, args) in enumerate(tool_calls)
        ]
    return {
        "id": "chatcmpl-profile",
        "object": "chat.completion",
        "created": 1,
        "model": "fake",
        "choices": [
            {
                "index": 0,
                "message": message,
                "finish_reason": "tool_calls" if tool_calls else "stop",
            }
        ],
        "usage": {"prompt_tokens": 10, "completion_tokens": 5, "total_tokens": 15},
    }


def gemini_answer(text: str) -> dict[str, Any]:
    """A Gemini ``generateContent`` answer with one text part."""
    return {
        "candidates": [
            {"content": {"role": "model", "parts": [{"text": text}]}, "finishReason": "STOP"}
        ],
        "usageMetadata": {"promptTokenCount": 10, "candidatesTokenCount": 5, "totalTokenCount": 15},
        "modelVersion": "gemini-2.5-flash",
        "responseId": "profile-1",
    }


def tool_names(body: dict[str, Any]) -> list[str]:
    return [t["function"]["name"] for t in body.get("tools", []) if "function" in t]


# -- create_agent: native structured output when the profile says so ----------------------------


def test_create_agent_uses_native_structured_output_when_the_profile_says_so() -> None:
    from langchain.agents import create_agent

    fake = FakeYEScale(
        completion(tool_calls=[("get_weather", {"city": "Hanoi"})]),
        completion(HANOI.model_dump_json()),
    )
    # o4-mini is not on langchain's own list of names with native structured output: the
    # profile is what tells create_agent
    llm = ChatYEScale(model="o4-mini", api_key=KEY, http_client=fake.http_client())
    assert llm.profile is not None
    assert llm.profile["structured_output"] is True
    agent = create_agent(model=llm, tools=[get_weather], response_format=Weather)
    state = agent.invoke({"messages": [HumanMessage("What is the weather in Hanoi?")]})

    assert state["structured_response"] == HANOI
    assert len(fake.bodies) == 2
    for body in fake.bodies:
        response_format = body["response_format"]
        assert response_format["type"] == "json_schema"
        assert response_format["json_schema"]["name"] == "Weather"
        schema = response_format["json_schema"]["schema"]
        assert set(schema["properties"]) == {"city", "temperature_c", "summary"}
        # the schema is not a tool, and no tool is forced
        assert tool_names(body) == ["get_weather"]
        assert body.get("tool_choice") in (None, "auto")
    assert fake.bodies[1]["messages"][-1]["role"] == "tool"


def test_create_agent_uses_a_tool_when_the_profile_says_no() -> None:
    from langchain.agents import create_agent

    fake = FakeYEScale(completion(tool_calls=[("Weather", HANOI.model_dump())]))
    llm = ChatYEScale(model="deepseek-chat", api_key=KEY, http_client=fake.http_client())
    assert llm.profile is not None
    assert llm.profile["structured_output"] is False
    agent = create_agent(model=llm, tools=[get_weather], response_format=Weather)
    state = agent.invoke({"messages": [HumanMessage("What is the weather in Hanoi?")]})

    assert state["structured_response"] == HANOI
    (body,) = fake.bodies
    assert "response_format" not in body
    assert tool_names(body) == ["get_weather", "Weather"]
    assert body["tool_choice"] == "required"
    assert isinstance(state["messages"][-1], ToolMessage)


def test_create_agent_follows_a_user_profile() -> None:
    # the same model with a profile that does not claim native structured output: a tool
    from langchain.agents import create_agent

    fake = FakeYEScale(completion(tool_calls=[("Weather", HANOI.model_dump())]))
    llm = ChatYEScale(
        model="o4-mini",
        api_key=KEY,
        http_client=fake.http_client(),
        profile={"structured_output": False},
    )
    agent = create_agent(model=llm, tools=[get_weather], response_format=Weather)
    assert agent.invoke({"messages": [HumanMessage("Hanoi?")]})["structured_response"] == HANOI
    (body,) = fake.bodies
    assert "response_format" not in body
    assert tool_names(body) == ["get_weather", "Weather"]


def test_create_agent_with_gemini_uses_gemini_native_structured_output() -> None:
    from langchain.agents import create_agent

    fake = FakeYEScale(gemini_answer(HANOI.model_dump_json()))
    llm = ChatYEScaleGemini(model="gemini-2.5-flash", api_key=KEY, http_client=fake.http_client())
    assert llm.profile is not None
    assert llm.profile["structured_output"] is True
    agent = create_agent(model=llm, tools=[], response_format=Weather)
    state = agent.invoke({"messages": [HumanMessage("What is the weather in Hanoi?")]})

    assert state["structured_response"] == HANOI
    (request,) = fake.requests
    assert request.url.path == "/v1beta/models/gemini-2.5-flash:generateContent"
    body = json.loads(request.content)
    config = body["generationConfig"]
    assert config["responseMimeType"] == "application/json"
    schema = config.get("responseSchema") or config.get("responseJsonSchema")
    assert set(schema["properties"]) == {"city", "temperature_c", "summary"}
    assert "tools" not in body
    assert "response_format" not in body


# -- SummarizationMiddleware: fractional triggers read the profile ------------------------------


def _long_conversation() -> list[Any]:
    """About 6,000 tokens (by LangChain's approximate count) in five turns, then a question."""
    turn = "We planned the trip to Hue: trains, hotels, the citadel, the food. " * 60
    messages: list[Any] = []
    for i in range(3):
        messages.append(HumanMessage(f"Part {i}. {turn}"))
        messages.append(AIMessage(f"Noted part {i}. {turn}"))
    messages.append(HumanMessage("Anything else to book?"))
    return messages


def test_summarization_middleware_with_a_fractional_trigger() -> None:
    from langchain.agents import create_agent
    from langchain.agents.middleware import SummarizationMiddleware

    fake = FakeYEScale(completion("SUMMARY-42"), completion("Book the boat on the Perfume River."))
    # gpt-4: an 8,192-token window, so half of it is passed by the conversation
    llm = ChatYEScale(model="gpt-4", api_key=KEY, http_client=fake.http_client())
    assert llm.profile is not None
    assert llm.profile["max_input_tokens"] == 8_192
    middleware = SummarizationMiddleware(model=llm, trigger=("fraction", 0.5), keep=("messages", 2))
    agent = create_agent(model=llm, tools=[], middleware=[middleware])
    conversation = _long_conversation()
    state = agent.invoke({"messages": conversation})

    assert len(fake.bodies) == 2  # a summary, then the answer
    summary_request, answer_request = (json.dumps(body) for body in fake.bodies)
    assert "Part 2. We planned the trip" in summary_request
    assert "Anything else to book?" not in summary_request  # kept, not summarized
    assert "SUMMARY-42" in answer_request
    assert "Part 0. We planned the trip" not in answer_request
    assert "Anything else to book?" in answer_request
    assert state["messages"][-1].content == "Book the boat on the Perfume River."
    assert any("SUMMARY-42" in str(m.content) for m in state["messages"])


def test_summarization_middleware_waits_for_the_fraction() -> None:
    from langchain.agents import create_agent
    from langchain.agents.middleware import SummarizationMiddleware

    fake = FakeYEScale(completion("Book the boat."))
    llm = ChatYEScale(model="gpt-4", api_key=KEY, http_client=fake.http_client())
    middleware = SummarizationMiddleware(model=llm, trigger=("fraction", 0.5), keep=("messages", 2))
    agent = create_agent(model=llm, tools=[], middleware=[middleware])
    conversation = _long_conversation()[-3:]  # about 2,000 tokens: under half of 8,192
    agent.invoke({"messages": conversation})
    (body,) = fake.bodies
    assert len(body["messages"]) == 3


def test_summarization_middleware_refuses_a_model_without_a_window() -> None:
    from langchain.agents.middleware import SummarizationMiddleware

    unknown = ChatYEScale(model="brand-new-model-9000", api_key=KEY)
    with pytest.raises(ValueError, match="profile"):
        SummarizationMiddleware(model=unknown, trigger=("fraction", 0.5))
    # ... until the user says how large it is
    sized = ChatYEScale(
        model="brand-new-model-9000", api_key=KEY, profile={"max_input_tokens": 4_000}
    )
    SummarizationMiddleware(model=sized, trigger=("fraction", 0.5))
