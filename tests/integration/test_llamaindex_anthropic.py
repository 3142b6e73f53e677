"""YEScaleAnthropic (LlamaIndex) end to end over replayed cassettes: Claude in Anthropic's
Messages format (``POST /v1/messages``).

The cassettes are synthesized (tests/synth/answers_messages.py, Anthropic's public Messages wire
format; their first line says so). The synthesizer answers a greeting, a ``tool_use`` with
``WEATHER`` (after thinking and redacted thinking when thinking is on), the weather after a tool
result (refusing thinking blocks sent back altered, as Anthropic does), a web search with
citations, an image's description, JSON for structured outputs, and an error in a 2xx body for
"Answer with an error"; ``cache_control`` makes the first request of a test write the cache and
the later ones read it.
"""

from __future__ import annotations

import base64
import copy
import json
from typing import Any

import pytest
from llama_index.core.agent.workflow import AgentStream, FunctionAgent, ToolCallResult
from llama_index.core.base.llms.types import (
    CacheControl,
    CachePoint,
    ChatMessage,
    CitationBlock,
    DocumentBlock,
    ImageBlock,
    MessageRole,
    TextBlock,
    ThinkingBlock,
    ToolCallBlock,
)
from llama_index.core.callbacks import CallbackManager, TokenCountingHandler
from llama_index.core.prompts import PromptTemplate
from llama_index.core.tools import FunctionTool
from pydantic import BaseModel
from vcr.cassette import Cassette

from llama_index_yescale import YEScaleAnthropic, get_yescale_callback
from tests.synth.answers_messages import (
    CACHED_TOKENS,
    GREETING,
    IMAGE_ANSWER,
    REDACTED,
    RESULTS,
    SEARCHED,
    SIGNATURE,
    SIGNATURE_AFTER,
    THOUGHT,
    THOUGHT_AFTER,
    WEATHER,
    WEATHER_ANSWER,
)
from yescale import AuthenticationError, BadRequestError, NotFoundError, PermissionDeniedError
from yescale.costs import PriceTable
from yescale.translate.anthropic_params import output_format
from yescale.types.system import ModelInfo

from .client_support import sent_json
from .test_client_messages import _red_png

MODEL = "claude-sonnet-4-5"
#: what the model's profile gives when max_tokens is not set (the Messages API requires one)
DEFAULT_MAX_TOKENS = 64_000
HELLO = [
    ChatMessage(role="system", content="You answer briefly."),
    ChatMessage(role="user", content="Say hello."),
]
ASK_WEATHER = "What is the weather in Paris?"
THINKING = {"type": "enabled", "budget_tokens": 2048}
WEB_SEARCH = {"type": "web_search_20250305", "name": "web_search", "max_uses": 3}
LET_ME = "Let me search for that."
#: a minimal PDF (the synthesizer does not read it; the body is checked)
PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"


def get_weather(city: str, unit: str = "celsius") -> str:
    """Get the current weather in a city."""
    return f"18 degrees and sunny in {city} ({unit})"


WEATHER_TOOL = FunctionTool.from_defaults(fn=get_weather)
WEATHER_TOOL_RESULT = "18 degrees and sunny in Paris (celsius)"


class Weather(BaseModel):
    """The weather asked about: a city and the unit of its temperature."""

    city: str
    unit: str


WEATHER_PROMPT = PromptTemplate("What is the weather like in {city}?")


def make(**kwargs: Any) -> YEScaleAnthropic:
    return YEScaleAnthropic(model=kwargs.pop("model", MODEL), **kwargs)


def thinking_llm(**kwargs: Any) -> YEScaleAnthropic:
    return make(thinking=THINKING, **kwargs)


def _types(content: Any) -> list[str]:
    return [block["type"] for block in content]


def _check_thinking_sent_back(body: dict[str, Any], index: int = 1) -> None:
    """The assistant turn at ``index`` carries the signed thinking blocks as they came, then the
    tool call; the next turn holds its result."""
    assistant = body["messages"][index]
    assert assistant["role"] == "assistant"
    assert _types(assistant["content"]) == ["thinking", "redacted_thinking", "tool_use"]
    assert assistant["content"][0] == {
        "type": "thinking",
        "thinking": THOUGHT,
        "signature": SIGNATURE,
    }
    assert assistant["content"][1] == {"type": "redacted_thinking", "data": REDACTED}
    call = assistant["content"][2]
    assert (call["name"], call["input"]) == ("get_weather", WEATHER)
    results = body["messages"][index + 1]
    assert results["role"] == "user"
    assert results["content"][0]["type"] == "tool_result"
    assert results["content"][0]["tool_use_id"] == call["id"]
    assert results["content"][0]["content"] == WEATHER_TOOL_RESULT


# -- chat, complete, streams, async ---------------------------------------------------------------


@pytest.mark.vcr
def test_chat_sends_the_fields_and_reports_usage(vcr: Cassette) -> None:
    counter = TokenCountingHandler()
    llm = make(
        max_tokens=256,
        temperature=0.2,
        top_k=5,
        stop=["##"],
        additional_kwargs={"metadata": {"user_id": "user-1"}},
        callback_manager=CallbackManager([counter]),
    )
    response = llm.chat(HELLO)
    assert response.message.role == MessageRole.ASSISTANT
    assert response.message.content == GREETING
    assert [type(b) for b in response.message.blocks] == [TextBlock]
    assert isinstance(response.raw, dict)
    assert response.raw["choices"][0]["anthropic_stop_reason"] == "end_turn"
    assert response.raw["choices"][0]["finish_reason"] == "stop"
    usage = response.raw["usage"]
    cost = response.additional_kwargs.pop("cost")
    assert response.additional_kwargs == {
        "prompt_tokens": usage["prompt_tokens"],
        "completion_tokens": usage["completion_tokens"],
        "total_tokens": usage["prompt_tokens"] + usage["completion_tokens"],
    }
    assert usage["prompt_tokens"] > 0
    assert usage["completion_tokens"] > 0
    assert cost["usd"] is None  # no prices loaded: unknown, never $0
    assert counter.prompt_llm_token_count == usage["prompt_tokens"]
    assert counter.completion_llm_token_count == usage["completion_tokens"]
    assert vcr.requests[0].path == "/v1/messages"
    assert sent_json(vcr, 0) == {
        "model": MODEL,
        "max_tokens": 256,
        "temperature": 0.2,
        "top_k": 5,
        "stop_sequences": ["##"],
        "metadata": {"user_id": "user-1"},
        "system": "You answer briefly.",
        "messages": [{"role": "user", "content": "Say hello."}],
    }


@pytest.mark.vcr
def test_complete_with_the_default_max_tokens(vcr: Cassette) -> None:
    response = make().complete("Say hello.")
    assert response.text == GREETING
    assert response.additional_kwargs["total_tokens"] > 0
    assert sent_json(vcr, 0) == {
        "model": MODEL,
        "max_tokens": DEFAULT_MAX_TOKENS,
        "messages": [{"role": "user", "content": "Say hello."}],
    }


@pytest.mark.vcr
def test_stream_chat(vcr: Cassette) -> None:
    counter = TokenCountingHandler()
    llm = make(callback_manager=CallbackManager([counter]))
    chunks = list(llm.stream_chat(HELLO))
    assert len(chunks) > 2
    text = "".join(c.delta or "" for c in chunks)
    assert text == GREETING
    # every chunk holds the whole message so far
    assert all(text.startswith(c.message.content or "") for c in chunks)
    assert chunks[-1].message.content == GREETING
    last = chunks[-1].additional_kwargs
    assert last["completion_tokens"] > 1  # message_delta's count, not message_start's
    assert last["total_tokens"] == last["prompt_tokens"] + last["completion_tokens"]
    assert counter.completion_llm_token_count == last["completion_tokens"]
    body = sent_json(vcr, 0)
    assert body["stream"] is True
    assert body["system"] == "You answer briefly."


@pytest.mark.vcr
def test_stream_complete() -> None:
    chunks = list(make().stream_complete("Say hello."))
    assert chunks[-1].text == "".join(c.delta or "" for c in chunks) == GREETING


@pytest.mark.vcr
async def test_async_chat_complete_and_streams(vcr: Cassette) -> None:
    llm = make()
    reply = await llm.achat(HELLO)
    assert reply.message.content == GREETING
    assert reply.additional_kwargs["total_tokens"] > 0
    completion = await llm.acomplete("Say hello.")
    assert completion.text == GREETING
    chunks = [c async for c in await llm.astream_chat(HELLO)]
    assert "".join(c.delta or "" for c in chunks) == GREETING
    assert chunks[-1].message.content == GREETING
    assert chunks[-1].additional_kwargs["completion_tokens"] > 1
    completions = [c async for c in await llm.astream_complete("Say hello.")]
    assert completions[-1].text == GREETING
    assert [sent_json(vcr, i).get("stream") for i in range(4)] == [None, None, True, True]


# -- prompt caching -------------------------------------------------------------------------------


@pytest.mark.vcr
def test_cache_point_writes_then_reads_the_cache(vcr: Cassette) -> None:
    manual = "Reference manual: " + "the gateway relays Claude. " * 40
    system = ChatMessage(
        role="system",
        blocks=[
            TextBlock(text="You answer briefly."),
            TextBlock(text=manual),
            CachePoint(cache_control=CacheControl(type="ephemeral")),
        ],
    )
    chat = [system, ChatMessage(role="user", content="Say hello.")]
    llm = make(max_tokens=128)
    first = llm.chat(chat)
    again = [*chat, first.message, ChatMessage(role="user", content="And again.")]
    second = list(llm.stream_chat(again))[-1]
    assert first.message.content == GREETING
    written = first.additional_kwargs
    assert written["cache_creation_input_tokens"] == CACHED_TOKENS
    assert "cache_read_input_tokens" not in written  # zero counts are left out
    read = second.additional_kwargs
    assert read["cache_read_input_tokens"] == CACHED_TOKENS
    assert "cache_creation_input_tokens" not in read
    assert read["prompt_tokens"] > CACHED_TOKENS  # cached tokens are prompt tokens too
    expected_system = [
        {"type": "text", "text": "You answer briefly."},
        {"type": "text", "text": manual, "cache_control": {"type": "ephemeral", "ttl": "5m"}},
    ]
    assert sent_json(vcr, 0)["system"] == expected_system
    later = sent_json(vcr, 1)
    assert later["system"] == expected_system
    assert [m["role"] for m in later["messages"]] == ["user", "assistant", "user"]


# -- tools with thinking: the agent loop ----------------------------------------------------------


@pytest.mark.vcr
def test_chat_with_tools_loop_with_thinking_sends_the_signature_back(vcr: Cassette) -> None:
    llm = thinking_llm()
    first = llm.chat_with_tools([WEATHER_TOOL], user_msg=ASK_WEATHER)
    message = first.message
    thinking = [b for b in message.blocks if isinstance(b, ThinkingBlock)]
    assert [b.content for b in thinking] == [THOUGHT]
    calls = llm.get_tool_calls_from_response(first)
    assert [(c.tool_name, c.tool_kwargs) for c in calls] == [("get_weather", WEATHER)]
    assert message.additional_kwargs["extra_content"] == {
        "anthropic": {
            "thinking": [
                {"type": "thinking", "thinking": THOUGHT, "signature": SIGNATURE},
                {"type": "redacted_thinking", "data": REDACTED},
            ]
        }
    }
    output = WEATHER_TOOL.call(**calls[0].tool_kwargs)
    result = ChatMessage(
        role="tool",
        content=str(output),
        additional_kwargs={"tool_call_id": calls[0].tool_id},
    )
    history = [ChatMessage(role="user", content=ASK_WEATHER), message, result]
    second = llm.chat_with_tools([WEATHER_TOOL], chat_history=history)
    assert second.message.content == WEATHER_ANSWER
    after = [b.content for b in second.message.blocks if isinstance(b, ThinkingBlock)]
    assert after == [THOUGHT_AFTER]
    assert second.message.additional_kwargs["extra_content"]["anthropic"]["thinking"] == [
        {"type": "thinking", "thinking": THOUGHT_AFTER, "signature": SIGNATURE_AFTER}
    ]
    assert not llm.get_tool_calls_from_response(second, error_on_no_tool_call=False)
    body = sent_json(vcr, 0)
    assert body["thinking"] == THINKING
    assert body["max_tokens"] == DEFAULT_MAX_TOKENS
    assert body["tools"] == [
        {
            "name": "get_weather",
            "description": body["tools"][0]["description"],
            "input_schema": WEATHER_TOOL.metadata.get_parameters_dict(),
        }
    ]
    assert "get_weather" in body["tools"][0]["description"]
    assert body["tool_choice"] == {"type": "auto", "disable_parallel_tool_use": True}
    _check_thinking_sent_back(sent_json(vcr, 1))


@pytest.mark.vcr
@pytest.mark.parametrize(
    "streaming",
    [pytest.param(True, marks=()), False],
    ids=["streaming", "plain"],
)
async def test_function_agent_with_thinking_and_a_tool(streaming: bool, vcr: Cassette) -> None:
    agent = FunctionAgent(
        tools=[WEATHER_TOOL],
        llm=thinking_llm(),
        system_prompt="You are a weather assistant. Use the tool.",
        streaming=streaming,
    )
    handler = agent.run(user_msg=ASK_WEATHER)
    results: list[ToolCallResult] = []
    thoughts: list[str] = []
    deltas: list[str] = []
    async for event in handler.stream_events():
        if isinstance(event, ToolCallResult):
            results.append(event)
        elif isinstance(event, AgentStream):
            deltas.append(event.delta)
            thoughts.append(event.thinking_delta or "")
    output = await handler
    assert [(r.tool_name, r.tool_kwargs) for r in results] == [("get_weather", WEATHER)]
    assert results[0].tool_output.content == WEATHER_TOOL_RESULT
    assert str(output.response.content) == WEATHER_ANSWER
    if streaming:
        assert "".join(deltas) == WEATHER_ANSWER
        assert "".join(thoughts) == THOUGHT + THOUGHT_AFTER
    assert len(vcr.requests) == 2
    first, second = sent_json(vcr, 0), sent_json(vcr, 1)
    for body in (first, second):
        assert body["thinking"] == THINKING
        assert body["system"] == "You are a weather assistant. Use the tool."
        # the agent allows parallel calls: no disable_parallel_tool_use
        assert body["tool_choice"] == {"type": "auto"}
        assert body.get("stream") is (True if streaming else None)
    assert [m["role"] for m in second["messages"]] == ["user", "assistant", "user"]
    _check_thinking_sent_back(second, index=1)


@pytest.mark.vcr
def test_altered_thinking_signature_is_refused_by_the_service(vcr: Cassette) -> None:
    """The synthesizer refuses altered signatures as Anthropic does: the test above passes only
    because the signed blocks went back unchanged."""
    llm = thinking_llm()
    first = llm.chat_with_tools([WEATHER_TOOL], user_msg=ASK_WEATHER)
    message = first.message.model_copy(deep=True)
    kept = copy.deepcopy(message.additional_kwargs["extra_content"])
    kept["anthropic"]["thinking"][0]["signature"] = base64.b64encode(b"forged").decode()
    message.additional_kwargs["extra_content"] = kept
    (call,) = llm.get_tool_calls_from_response(first)
    result = ChatMessage(
        role="tool", content="18C, sunny", additional_kwargs={"tool_call_id": call.tool_id}
    )
    history = [ChatMessage(role="user", content=ASK_WEATHER), message, result]
    with pytest.raises(BadRequestError, match="Invalid `signature`"):
        llm.chat_with_tools([WEATHER_TOOL], chat_history=history)
    assert sent_json(vcr, 1)["messages"][1]["content"][0]["signature"] != SIGNATURE
    # the answer's own message was not changed by the copy
    assert first.message.additional_kwargs["extra_content"]["anthropic"]["thinking"][0][
        "signature"
    ] == (SIGNATURE)


@pytest.mark.vcr
def test_stream_chat_with_tools_and_thinking(vcr: Cassette) -> None:
    llm = thinking_llm()
    chunks = list(llm.stream_chat_with_tools([WEATHER_TOOL], user_msg=ASK_WEATHER))
    final = chunks[-1]
    thinking = "".join(c.additional_kwargs.get("thinking_delta", "") for c in chunks)
    assert thinking == THOUGHT
    blocks = [b for b in final.message.blocks if isinstance(b, ThinkingBlock)]
    assert [b.content for b in blocks] == [THOUGHT]
    calls = [b for b in final.message.blocks if isinstance(b, ToolCallBlock)]
    assert [(b.tool_name, b.tool_kwargs) for b in calls] == [("get_weather", WEATHER)]
    signed = final.message.additional_kwargs["extra_content"]["anthropic"]["thinking"]
    assert [{k: v for k, v in b.items() if k != "index"} for b in signed] == [
        {"type": "thinking", "thinking": THOUGHT, "signature": SIGNATURE},
        {"type": "redacted_thinking", "data": REDACTED},
    ]
    # partial chunks parse as far as they go, never raising
    for chunk in chunks:
        llm.get_tool_calls_from_response(chunk, error_on_no_tool_call=False)
    (call,) = llm.get_tool_calls_from_response(final)
    result = ChatMessage(
        role="tool",
        content=WEATHER_TOOL_RESULT,
        additional_kwargs={"tool_call_id": call.tool_id},
    )
    history = [ChatMessage(role="user", content=ASK_WEATHER), final.message, result]
    answer = list(llm.stream_chat_with_tools([WEATHER_TOOL], chat_history=history))[-1]
    assert answer.message.content == WEATHER_ANSWER
    _check_thinking_sent_back(sent_json(vcr, 1))


# -- tool choice ----------------------------------------------------------------------------------


@pytest.mark.vcr
def test_predict_and_call_with_tool_required_forces_the_tool(vcr: Cassette) -> None:
    output = make().predict_and_call([WEATHER_TOOL], user_msg=ASK_WEATHER, tool_required=True)
    assert output.response == WEATHER_TOOL_RESULT
    body = sent_json(vcr, 0)
    assert body["tool_choice"] == {"type": "any", "disable_parallel_tool_use": True}
    assert "thinking" not in body


@pytest.mark.vcr
def test_predict_and_call_with_thinking_offers_the_required_tool(vcr: Cassette) -> None:
    """Claude refuses a forced tool while thinking: tool_required becomes an offered tool."""
    output = thinking_llm().predict_and_call(
        [WEATHER_TOOL], user_msg=ASK_WEATHER, tool_required=True
    )
    assert output.response == WEATHER_TOOL_RESULT
    body = sent_json(vcr, 0)
    assert body["tool_choice"] == {"type": "auto", "disable_parallel_tool_use": True}
    assert body["thinking"] == THINKING


@pytest.mark.vcr
def test_tool_choice_by_name_and_parallel_calls(vcr: Cassette) -> None:
    llm = make()
    by_name = llm.chat_with_tools([WEATHER_TOOL], user_msg=ASK_WEATHER, tool_choice="get_weather")
    parallel = llm.chat_with_tools(
        [WEATHER_TOOL], user_msg=ASK_WEATHER, allow_parallel_tool_calls=True
    )
    for response in (by_name, parallel):
        (call,) = llm.get_tool_calls_from_response(response)
        assert (call.tool_name, call.tool_kwargs) == ("get_weather", WEATHER)
        assert call.tool_id.startswith("toolu_")
    assert sent_json(vcr, 0)["tool_choice"] == {
        "type": "tool",
        "name": "get_weather",
        "disable_parallel_tool_use": True,
    }
    assert sent_json(vcr, 1)["tool_choice"] == {"type": "auto"}


# -- structured output ----------------------------------------------------------------------------


@pytest.mark.vcr
def test_structured_predict_function_calling_program(vcr: Cassette) -> None:
    result = make().structured_predict(Weather, WEATHER_PROMPT, city="Paris")
    assert result == Weather(**WEATHER)
    body = sent_json(vcr, 0)
    assert "output_config" not in body
    (tool,) = body["tools"]
    assert tool["name"] == "Weather"
    assert tool["input_schema"]["required"] == ["city", "unit"]
    assert body["tool_choice"] == {"type": "any", "disable_parallel_tool_use": True}
    assert body["messages"] == [{"role": "user", "content": "What is the weather like in Paris?"}]


@pytest.mark.vcr
def test_structured_predict_with_thinking_offers_the_tool(vcr: Cassette) -> None:
    result = thinking_llm().structured_predict(Weather, WEATHER_PROMPT, city="Paris")
    assert result == Weather(**WEATHER)
    body = sent_json(vcr, 0)
    assert body["thinking"] == THINKING
    assert body["tools"][0]["name"] == "Weather"
    assert body["tool_choice"] == {"type": "auto", "disable_parallel_tool_use": True}


@pytest.mark.vcr
def test_as_structured_llm(vcr: Cassette) -> None:
    structured = make().as_structured_llm(Weather)
    response = structured.chat([ChatMessage(role="user", content=ASK_WEATHER)])
    assert response.raw == Weather(**WEATHER)
    assert json.loads(response.message.content or "") == WEATHER
    assert sent_json(vcr, 0)["tools"][0]["name"] == "Weather"


@pytest.mark.vcr
def test_structured_predict_with_structured_outputs(vcr: Cassette) -> None:
    llm = make(structured_outputs=True)
    result = llm.structured_predict(Weather, WEATHER_PROMPT, city="Paris")
    assert result == Weather(**WEATHER)
    body = sent_json(vcr, 0)
    assert "tools" not in body
    assert "tool_choice" not in body
    fmt = body["output_config"]["format"]
    assert fmt == output_format(Weather.model_json_schema())
    assert fmt["type"] == "json_schema"
    assert fmt["schema"]["additionalProperties"] is False
    assert fmt["schema"]["required"] == ["city", "unit"]


@pytest.mark.vcr
async def test_structured_outputs_async_and_streamed(vcr: Cassette) -> None:
    llm = make(structured_outputs=True)
    result = await llm.astructured_predict(Weather, WEATHER_PROMPT, city="Paris")
    assert result == Weather(**WEATHER)
    partials = list(llm.stream_structured_predict(Weather, WEATHER_PROMPT, city="Paris"))
    assert partials[-1] == Weather(**WEATHER)
    astream = await llm.astream_structured_predict(Weather, WEATHER_PROMPT, city="Paris")
    apartials = [p async for p in astream]
    assert apartials[-1] == Weather(**WEATHER)
    for i in range(3):
        body = sent_json(vcr, i)
        assert body["output_config"]["format"]["type"] == "json_schema"
        assert "tools" not in body
    assert [sent_json(vcr, i).get("stream") for i in range(3)] == [None, True, True]


# -- images and PDFs ------------------------------------------------------------------------------


@pytest.mark.vcr
def test_image_block(vcr: Cassette) -> None:
    png = _red_png()
    message = ChatMessage(
        role="user",
        blocks=[
            ImageBlock(image=base64.b64decode(png)),
            TextBlock(text="What is in this image?"),
        ],
    )
    response = make(max_tokens=256).chat([message])
    assert response.message.content == IMAGE_ANSWER
    content = sent_json(vcr, 0)["messages"][0]["content"]
    assert content == [
        {"type": "image", "source": {"type": "base64", "media_type": "image/png", "data": png}},
        {"type": "text", "text": "What is in this image?"},
    ]


@pytest.mark.vcr
def test_pdf_document_block(vcr: Cassette) -> None:
    message = ChatMessage(
        role="user",
        blocks=[
            DocumentBlock(data=PDF, document_mimetype="application/pdf", title="notes.pdf"),
            TextBlock(text="Say hello."),
        ],
    )
    response = make(max_tokens=256).chat([message])
    assert response.message.content == GREETING
    content = sent_json(vcr, 0)["messages"][0]["content"]
    assert content == [
        {
            "type": "document",
            "source": {
                "type": "base64",
                "media_type": "application/pdf",
                "data": base64.b64encode(PDF).decode(),
            },
        },
        {"type": "text", "text": "Say hello."},
    ]


# -- web search (a server tool) -------------------------------------------------------------------


def _check_search_answer(message: ChatMessage) -> None:
    # one TextBlock per text block of the answer (LlamaIndex joins them with a newline)
    texts = [b.text for b in message.blocks if isinstance(b, TextBlock)]
    assert texts == [LET_ME, SEARCHED]
    assert message.content == LET_ME + "\n" + SEARCHED
    # what the server tool did is not shown: no block holds its query or its results
    shown = [b for b in message.blocks if not isinstance(b, CitationBlock)]
    assert all(isinstance(b, TextBlock) for b in shown)
    assert "Euro 2024 winner" not in json.dumps([b.model_dump(mode="json") for b in shown])
    assert not [b for b in message.blocks if isinstance(b, ToolCallBlock)]
    (citation,) = [b for b in message.blocks if isinstance(b, CitationBlock)]
    assert citation.source == RESULTS[0]["url"]
    assert citation.title == RESULTS[0]["title"]
    assert isinstance(citation.cited_content, TextBlock)
    assert citation.cited_content.text == SEARCHED
    # the span indexes message.content (the text blocks joined with a newline)
    assert citation.additional_location_info == {
        "start_char_index": len(LET_ME) + 1,
        "end_char_index": len(LET_ME + SEARCHED) + 1,
    }
    kept = message.additional_kwargs["content_blocks"]
    assert [b["type"] for b in kept] == ["text", "server_tool_call", "server_tool_result", "text"]
    assert kept[1]["name"] == "web_search"
    assert kept[1]["args"] == {"query": "Euro 2024 winner"}
    assert kept[2]["tool_call_id"] == kept[1]["id"]
    assert kept[2]["output"] == RESULTS


@pytest.mark.vcr
def test_web_search_citations_and_follow_up_turn(vcr: Cassette) -> None:
    llm = make(max_tokens=1024, server_tools=[WEB_SEARCH])
    ask = ChatMessage(role="user", content="Who won Euro 2024?")
    response = llm.chat([ask])
    _check_search_answer(response.message)
    assert response.raw["usage"]["server_tool_use"] == {"web_search_requests": 1}
    assert sent_json(vcr, 0)["tools"] == [WEB_SEARCH]  # a server tool goes as it is
    follow = [ask, response.message, ChatMessage(role="user", content="Who was the captain?")]
    llm.chat(follow)
    body = sent_json(vcr, 1)
    assert body["tools"] == [WEB_SEARCH]  # sent with every request
    turn = body["messages"][1]
    assert turn["role"] == "assistant"
    assert _types(turn["content"]) == [
        "text",
        "server_tool_use",
        "web_search_tool_result",
        "text",
    ]
    use, result = turn["content"][1], turn["content"][2]
    assert use["name"] == "web_search"
    assert use["input"] == {"query": "Euro 2024 winner"}
    assert result["tool_use_id"] == use["id"]
    assert result["content"] == RESULTS
    assert turn["content"][0]["text"] == LET_ME
    assert turn["content"][3]["text"] == SEARCHED


@pytest.mark.vcr
def test_web_search_streamed(vcr: Cassette) -> None:
    llm = make(max_tokens=1024, server_tools=[WEB_SEARCH])
    chunks = list(llm.stream_chat([ChatMessage(role="user", content="Who won Euro 2024?")]))
    _check_search_answer(chunks[-1].message)
    assert "".join(c.delta or "" for c in chunks) == LET_ME + SEARCHED
    assert sent_json(vcr, 0)["stream"] is True


@pytest.mark.vcr
def test_citation_span_indexes_the_message_content() -> None:
    llm = make(max_tokens=1024, server_tools=[WEB_SEARCH])
    message = llm.chat([ChatMessage(role="user", content="Who won Euro 2024?")]).message
    (citation,) = [b for b in message.blocks if isinstance(b, CitationBlock)]
    span = citation.additional_location_info
    text = message.content or ""
    assert text[span["start_char_index"] : span["end_char_index"]] == SEARCHED


@pytest.mark.vcr
def test_server_tools_come_before_function_tools(vcr: Cassette) -> None:
    llm = make(max_tokens=1024, server_tools=[WEB_SEARCH])
    response = llm.chat_with_tools([WEATHER_TOOL], user_msg="Who won Euro 2024?")
    _check_search_answer(response.message)
    assert not llm.get_tool_calls_from_response(response, error_on_no_tool_call=False)
    tools = sent_json(vcr, 0)["tools"]
    assert tools[0] == WEB_SEARCH
    assert [t.get("name") for t in tools] == ["web_search", "get_weather"]


# -- errors ---------------------------------------------------------------------------------------


@pytest.mark.vcr
async def test_error_in_a_2xx_body_is_a_typed_error() -> None:
    llm = make(max_tokens=16, max_retries=0)
    ask = [ChatMessage(role="user", content="Answer with an error.")]
    with pytest.raises(PermissionDeniedError, match="may not use claude-sonnet-4-5") as caught:
        llm.chat(ask)
    assert caught.value.status_code is None
    with pytest.raises(PermissionDeniedError, match="may not use claude-sonnet-4-5"):
        await llm.achat(ask)


@pytest.mark.vcr
def test_bad_key_raises_the_yescale_error() -> None:
    llm = make(api_key="sk-invalid-key-for-tests-0000", max_retries=0)
    with pytest.raises(AuthenticationError) as caught:
        llm.chat(HELLO)
    assert "sk-invalid-key-for-tests-0000" not in str(caught.value)


@pytest.mark.vcr
def test_unknown_claude_model_is_not_found() -> None:
    llm = make(model="claude-nonexistent-9", max_retries=0)
    with pytest.raises(NotFoundError, match="claude-nonexistent-9"):
        llm.chat(HELLO)


# -- costs ----------------------------------------------------------------------------------------


@pytest.mark.vcr
async def test_cost_handler_counts_the_anthropic_calls(vcr: Cassette) -> None:
    prices = PriceTable.from_models(
        [
            ModelInfo(
                model_name=MODEL, billing_type="pay-per-token", input_price=3.0, output_price=15.0
            )
        ]
    )
    with get_yescale_callback(prices=prices) as costs:
        llm = make(max_tokens=256)
        reply = llm.chat(HELLO)
        streamed = list(llm.stream_chat(HELLO))[-1]
        areply = await llm.achat(HELLO)
    answers = [reply.additional_kwargs, streamed.additional_kwargs, areply.additional_kwargs]
    expected = [(a["prompt_tokens"] * 3.0 + a["completion_tokens"] * 15.0) / 1e6 for a in answers]
    for answer, usd in zip(answers, expected, strict=True):
        assert answer["cost"]["usd"] == pytest.approx(usd)
    assert costs.successful_requests == 3
    totals = costs.by_model[MODEL]
    assert totals.requests == 3
    assert totals.input_tokens == sum(a["prompt_tokens"] for a in answers)
    assert totals.output_tokens == sum(a["completion_tokens"] for a in answers)
    assert totals.usd == pytest.approx(sum(expected))
    assert costs.total_cost == pytest.approx(sum(expected))
    assert len(vcr.requests) == 3  # the prices given: no catalog was fetched
