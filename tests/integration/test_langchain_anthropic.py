"""``ChatYEScaleAnthropic`` end to end over replayed cassettes: chat, streams, an agent with
thinking and a tool, the web-search server tool with citations, prompt caching, structured output,
images, errors.

The cassettes are synthesized (tests/synth/answers_messages.py, Anthropic's public Messages wire
format; their first line says so). The synthesizer refuses a turn whose earlier thinking blocks
lost or changed their signature / data, as Anthropic does: an agent loop that passes here sent
them back intact. Re-record: ``YESCALE_SYNTHESIZE=1 pytest tests/integration/
test_langchain_anthropic.py --record-mode=rewrite``.
"""

from __future__ import annotations

import json
import warnings
from typing import Any

import pytest
from langchain.agents import create_agent
from langchain_core.messages import (
    AIMessage,
    AIMessageChunk,
    BaseMessage,
    HumanMessage,
    SystemMessage,
    ToolMessage,
)
from langchain_core.tools import tool
from pydantic import BaseModel
from vcr.cassette import Cassette

from langchain_yescale import ChatYEScaleAnthropic, YEScalePermissionDeniedError
from tests.synth.answers_messages import (
    CACHED_TOKENS,
    GREETING,
    IMAGE_ANSWER,
    REDACTED,
    SEARCHED,
    SIGNATURE,
    SIGNATURE_AFTER,
    THOUGHT,
    THOUGHT_AFTER,
    WEATHER,
    WEATHER_ANSWER,
)

from .client_support import assert_all_played, sent_json
from .test_client_messages import _red_png

pytestmark = pytest.mark.vcr

MODEL = "claude-sonnet-4-5"
THINKING = {"type": "enabled", "budget_tokens": 2048}
WEB_SEARCH = {"type": "web_search_20250305", "name": "web_search", "max_uses": 3}
EPHEMERAL = {"type": "ephemeral"}
MANUAL = "You answer questions about the Hanoi office. " + " ".join(
    f"Rule {i}: visitors sign in at desk {i % 7} and wear badge colour {i % 5}." for i in range(120)
)


@tool
def get_weather(city: str, unit: str = "celsius") -> str:
    """The current weather in a city."""
    return f"18 degrees and sunny in {city} ({unit})"


class Weather(BaseModel):
    """The weather asked about."""

    city: str
    unit: str


def _merged(chunks: list[AIMessageChunk]) -> AIMessageChunk:
    full = chunks[0]
    for chunk in chunks[1:]:
        full = full + chunk
    return full


def test_invoke_usage_and_metadata(vcr: Cassette) -> None:
    llm = ChatYEScaleAnthropic(model=MODEL, temperature=0)
    answer = llm.invoke([SystemMessage("Answer briefly."), HumanMessage("Say hello.")])
    assert answer.content == GREETING
    assert answer.response_metadata["finish_reason"] == "stop"
    assert answer.response_metadata["anthropic_stop_reason"] == "end_turn"
    assert answer.response_metadata["model_name"] == MODEL
    assert answer.id is not None
    assert answer.id.startswith("msg_synth_")
    usage = answer.usage_metadata
    assert usage is not None
    assert usage["input_tokens"] > 0
    assert usage["output_tokens"] > 0
    assert usage["total_tokens"] == usage["input_tokens"] + usage["output_tokens"]
    body = sent_json(vcr, 0)
    # the system message is Anthropic's top-level system; max_tokens from the model's profile
    assert body["system"] == "Answer briefly."
    assert body["messages"] == [{"role": "user", "content": "Say hello."}]
    assert body["max_tokens"] == 64000
    assert body["temperature"] == 0
    assert llm.profile is not None
    assert llm.profile["max_input_tokens"] == 200000
    assert_all_played(vcr)


def test_stream_and_astream_agree_with_invoke(vcr: Cassette) -> None:
    llm = ChatYEScaleAnthropic(model=MODEL)
    chunks = list(llm.stream("Say hello."))
    assert all(isinstance(c, AIMessageChunk) for c in chunks)
    assert len([c for c in chunks if c.content]) >= 2  # the text arrived in pieces
    full = _merged(chunks)
    assert full.content == GREETING
    assert full.response_metadata["finish_reason"] == "stop"
    assert full.usage_metadata is not None
    assert full.usage_metadata["output_tokens"] > 0
    assert len([c for c in chunks if c.usage_metadata]) == 1  # counted once
    assert sent_json(vcr, 0)["stream"] is True

    async def collect() -> AIMessageChunk:
        return _merged([c async for c in llm.astream("Say hello.")])

    import asyncio

    assert asyncio.run(collect()).content == GREETING
    assert_all_played(vcr)


async def test_ainvoke_and_abatch(vcr: Cassette) -> None:
    llm = ChatYEScaleAnthropic(model=MODEL)
    answer = await llm.ainvoke("Say hello.")
    assert answer.content == GREETING
    answers = await llm.abatch(["Say hello.", "Say hello again."])
    assert [a.content for a in answers] == [GREETING, GREETING]
    assert_all_played(vcr)


def _assistant_blocks(body: dict[str, Any]) -> list[dict[str, Any]]:
    turn = next(m for m in body["messages"] if m["role"] == "assistant")
    blocks: list[dict[str, Any]] = turn["content"]
    return blocks


def test_agent_loop_with_thinking_and_a_tool(vcr: Cassette) -> None:
    """The issue's proof: a create_agent loop on a thinking model calls the tool and answers;
    its second request carries the signed (and the redacted) thinking first in the assistant
    turn, as Anthropic requires (the synthesizer refuses them altered)."""
    llm = ChatYEScaleAnthropic(model=MODEL, thinking=THINKING)
    agent = create_agent(llm, tools=[get_weather])
    result = agent.invoke({"messages": [HumanMessage("What is the weather in Paris?")]})
    messages: list[BaseMessage] = result["messages"]
    call_turn, tool_turn, final = messages[1], messages[2], messages[-1]
    assert isinstance(call_turn, AIMessage)
    assert call_turn.tool_calls[0]["name"] == "get_weather"
    assert call_turn.tool_calls[0]["args"] == WEATHER
    reasoning = [b for b in call_turn.content_blocks if b["type"] == "reasoning"]
    assert reasoning
    assert reasoning[0].get("reasoning") == THOUGHT
    assert isinstance(tool_turn, ToolMessage)
    assert "18 degrees" in str(tool_turn.content)
    assert isinstance(final, AIMessage)
    assert final.content == WEATHER_ANSWER
    assert final.additional_kwargs["reasoning_content"] == THOUGHT_AFTER
    second = sent_json(vcr, 1)
    assert second["thinking"] == THINKING
    blocks = _assistant_blocks(second)
    assert blocks[0] == {"type": "thinking", "thinking": THOUGHT, "signature": SIGNATURE}
    assert blocks[1] == {"type": "redacted_thinking", "data": REDACTED}
    assert blocks[2]["type"] == "tool_use"
    assert blocks[2]["input"] == WEATHER
    assert second["messages"][-1]["content"][0]["type"] == "tool_result"
    assert_all_played(vcr)


def test_streamed_agent_keeps_the_signed_thinking(vcr: Cassette) -> None:
    """The same loop streamed: thinking text, signature and redacted data arrive in pieces and
    merge back into blocks that go back unchanged."""
    llm = ChatYEScaleAnthropic(model=MODEL, thinking=THINKING, streaming=True)
    agent = create_agent(llm, tools=[get_weather])
    pieces = list(
        agent.stream(
            {"messages": [HumanMessage("What is the weather in Paris?")]}, stream_mode="messages"
        )
    )
    assert any(isinstance(p[0], AIMessageChunk) for p in pieces)
    answer = "".join(
        str(p[0].content) for p in pieces if isinstance(p[0], AIMessageChunk) and p[0].content
    )
    assert answer.endswith(WEATHER_ANSWER)
    blocks = _assistant_blocks(sent_json(vcr, 1))
    assert blocks[0] == {"type": "thinking", "thinking": THOUGHT, "signature": SIGNATURE}
    assert blocks[1] == {"type": "redacted_thinking", "data": REDACTED}
    assert_all_played(vcr)


def test_web_search_citations_and_the_next_turn(vcr: Cassette) -> None:
    llm = ChatYEScaleAnthropic(model=MODEL).bind_tools([WEB_SEARCH])
    question = HumanMessage("Who won Euro 2024?")
    answer = llm.invoke([question])
    kinds = [b["type"] for b in answer.content if isinstance(b, dict)]
    assert kinds == ["text", "server_tool_call", "server_tool_result", "text"]
    assert answer.text.endswith(SEARCHED)
    citations = [
        a
        for block in answer.content_blocks
        if block["type"] == "text"
        for a in block.get("annotations", [])
        if a["type"] == "citation"
    ]
    assert citations
    assert citations[0]["url"] == "https://www.uefa.com/euro2024/"
    assert answer.additional_kwargs["annotations"][0]["type"] == "url_citation"
    assert answer.usage_metadata is not None
    # the next turn sends the search and its results back as Anthropic blocks, in order
    llm.invoke([question, answer, HumanMessage("And who was the top scorer?")])
    assert sent_json(vcr, 0)["tools"] == [WEB_SEARCH]
    sent = [b["type"] for b in _assistant_blocks(sent_json(vcr, 1))]
    assert sent == ["text", "server_tool_use", "web_search_tool_result", "text"]
    assert_all_played(vcr)


def test_streamed_web_search_gives_the_same_blocks(vcr: Cassette) -> None:
    llm = ChatYEScaleAnthropic(model=MODEL).bind_tools([WEB_SEARCH])
    full = _merged(list(llm.stream("Who won Euro 2024?")))
    blocks = [b for b in full.content if isinstance(b, dict)]
    assert [b["type"] for b in blocks] == ["text", "server_tool_call", "server_tool_result", "text"]
    assert full.text.endswith(SEARCHED)
    assert full.additional_kwargs["annotations"][0]["url_citation"]["url"].startswith("https://")
    assert_all_played(vcr)


def test_second_call_reads_the_prompt_cache(vcr: Cassette) -> None:
    """The issue's cached-prompt proof for the new class: the system block's breakpoint is sent,
    the first call writes the cache and the second reads it."""
    llm = ChatYEScaleAnthropic(model=MODEL)
    system = SystemMessage([{"type": "text", "text": MANUAL, "cache_control": EPHEMERAL}])
    first = llm.invoke([system, HumanMessage("Where do visitors sign in?")])
    second = llm.invoke([system, HumanMessage("Which badge colour for rule 7?")])
    assert first.usage_metadata is not None
    assert second.usage_metadata is not None
    written = first.usage_metadata["input_token_details"]
    read = second.usage_metadata["input_token_details"]
    assert written == {"cache_creation": CACHED_TOKENS, "cache_read": 0}
    assert read == {"cache_creation": 0, "cache_read": CACHED_TOKENS}
    assert second.usage_metadata["input_tokens"] > CACHED_TOKENS  # counts the cached part
    for index in range(2):
        body = sent_json(vcr, index)
        assert body["system"] == [{"type": "text", "text": MANUAL, "cache_control": EPHEMERAL}]
    assert_all_played(vcr)


def test_cache_control_argument_caches_the_conversation(vcr: Cassette) -> None:
    llm = ChatYEScaleAnthropic(model=MODEL)
    answer = llm.invoke("Say hello.", cache_control=EPHEMERAL)
    assert answer.usage_metadata is not None
    assert answer.usage_metadata["input_token_details"]["cache_creation"] == CACHED_TOKENS
    last = sent_json(vcr, 0)["messages"][-1]["content"]
    assert last == [{"type": "text", "text": "Say hello.", "cache_control": EPHEMERAL}]
    assert_all_played(vcr)


def test_structured_output_through_a_forced_tool(vcr: Cassette) -> None:
    structured = ChatYEScaleAnthropic(model=MODEL).with_structured_output(Weather)
    assert structured.invoke("What is the weather in Paris?") == Weather(**WEATHER)
    body = sent_json(vcr, 0)
    assert body["tool_choice"] == {"type": "tool", "name": "Weather"}
    assert body["tools"][0]["name"] == "Weather"
    assert_all_played(vcr)


def test_structured_output_with_thinking_offers_the_tool(vcr: Cassette) -> None:
    llm = ChatYEScaleAnthropic(model=MODEL, thinking=THINKING)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        structured = llm.with_structured_output(Weather, include_raw=True)
    assert any("not forced" in str(w.message) for w in caught)
    result = structured.invoke("What is the weather in Paris?")
    assert result["parsed"] == Weather(**WEATHER)
    assert result["raw"].additional_kwargs["reasoning_content"] == THOUGHT
    body = sent_json(vcr, 0)
    assert "tool_choice" not in body  # forced tools are refused with thinking on
    assert body["thinking"] == THINKING
    assert_all_played(vcr)


def test_image_input(vcr: Cassette) -> None:
    png = _red_png()
    message = HumanMessage(
        [
            {"type": "text", "text": "What is in this image?"},
            {"type": "image", "base64": png, "mime_type": "image/png"},
        ]
    )
    answer = ChatYEScaleAnthropic(model=MODEL).invoke([message])
    assert answer.content == IMAGE_ANSWER
    image = sent_json(vcr, 0)["messages"][0]["content"][1]
    assert image == {
        "type": "image",
        "source": {"type": "base64", "media_type": "image/png", "data": png},
    }
    assert_all_played(vcr)


def test_an_error_in_a_2xx_body_is_a_typed_error(vcr: Cassette) -> None:
    llm = ChatYEScaleAnthropic(model=MODEL, max_retries=0)
    with pytest.raises(YEScalePermissionDeniedError, match="may not use"):
        llm.invoke("Answer with an error, please.")
    assert_all_played(vcr)


def test_the_signed_thinking_survives_a_dump_and_load(vcr: Cassette) -> None:
    """A history kept as JSON (a checkpointer, a database) still continues: the thinking blocks
    ride in additional_kwargs, which LangChain serializes."""
    from langchain_core.messages import messages_from_dict, messages_to_dict

    llm = ChatYEScaleAnthropic(model=MODEL, thinking=THINKING).bind_tools([get_weather])
    question = HumanMessage("What is the weather in Paris?")
    call = llm.invoke([question])
    stored = json.loads(json.dumps(messages_to_dict([question, call])))
    history = messages_from_dict(stored)
    result = ToolMessage("18 degrees and sunny", tool_call_id=call.tool_calls[0]["id"])
    final = llm.invoke([*history, result])
    assert final.content == WEATHER_ANSWER
    assert _assistant_blocks(sent_json(vcr, 1))[0]["signature"] == SIGNATURE
    assert SIGNATURE_AFTER in json.dumps(final.additional_kwargs)
    assert_all_played(vcr)
