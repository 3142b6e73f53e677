"""client.responses (OpenAI's Responses API) over replayed cassettes, sync and async.

The cassettes are synthesized from OpenAI's public Responses wire format (tests/synth/
answers_responses.py; their first line says so): YEScale's index lists the endpoint without a
body.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from vcr.cassette import Cassette

from yescale import BadRequestError, YEScaleClient
from yescale.costs import PriceTable, use_prices
from yescale.types.response_events import (
    OutputTextAnnotationAddedEvent,
    ReasoningSummaryTextDeltaEvent,
    ResponseCompletedEvent,
    ResponseCreatedEvent,
    ResponseIncompleteEvent,
)
from yescale.types.responses import (
    FunctionCallItem,
    MessageItem,
    OutputText,
    ReasoningItem,
    Response,
    UrlCitation,
    WebSearchCallItem,
)
from yescale.types.system import ModelInfo

from .client_support import sent_json

pytestmark = pytest.mark.usefixtures("no_prices")

MODEL = "gpt-5-mini"
GREETING = "Hello! How can I help you today?"
WEATHER_ANSWER = "It is 18 degrees and sunny in Paris."
WEATHER_TOOL = {
    "type": "function",
    "name": "get_weather",
    "description": "The current weather in a city.",
    "parameters": {
        "type": "object",
        "properties": {"city": {"type": "string"}, "unit": {"type": "string"}},
        "required": ["city", "unit"],
        "additionalProperties": False,
    },
    "strict": True,
}
WEATHER = [{"role": "user", "content": "What is the weather in Paris?"}]
REASONING = {"effort": "low", "summary": "auto"}
ENCRYPTED = ["reasoning.encrypted_content"]
SEARCH = "Who won Euro 2024?"
SCHEMA = {
    "type": "json_schema",
    "name": "weather",
    "schema": {
        "type": "object",
        "properties": {"city": {"type": "string"}, "unit": {"type": "string"}},
        "required": ["city", "unit"],
        "additionalProperties": False,
    },
    "strict": True,
}
INPUT_PRICE, OUTPUT_PRICE = 0.25, 2.0


def _prices() -> None:
    info = {
        "model_name": MODEL,
        "billing_type": "pay-per-token",
        "group_ratio": 1.0,
        "input_price": INPUT_PRICE,
        "output_price": OUTPUT_PRICE,
    }
    use_prices(PriceTable.from_models([ModelInfo.model_validate(info)]))


def _wire(response: Response) -> dict[str, Any]:
    return response.model_dump(mode="json")


# -- one answer ---------------------------------------------------------------------------------


@pytest.mark.vcr
def test_plain_text(vcr: Cassette) -> None:
    with YEScaleClient() as client:
        reply = client.responses.create(model=MODEL, input="Say hello.")
    assert isinstance(reply, Response)
    assert reply.output_text == GREETING
    assert reply.status == "completed"
    assert reply.id is not None
    assert reply.id.startswith("resp_")
    item = reply.output[0]
    assert isinstance(item, MessageItem)
    assert isinstance(item.content[0], OutputText)
    assert reply.usage is not None
    assert reply.usage.output_tokens
    assert reply.incomplete_details is None
    assert reply.error is None
    assert reply.cost is not None
    assert reply.cost.input_tokens == reply.usage.input_tokens
    assert sent_json(vcr, 0) == {"model": MODEL, "input": "Say hello."}


@pytest.mark.vcr
async def test_input_items_async(vcr: Cassette) -> None:
    given = [
        {"role": "developer", "content": "Answer briefly."},
        {"role": "user", "content": [{"type": "input_text", "text": "Say hello."}]},
    ]
    async with YEScaleClient() as client:
        reply = await client.aio.responses.create(
            model=MODEL, input=given, temperature=0, metadata={"run": "tests"}
        )
    assert reply.output_text == GREETING
    sent = sent_json(vcr, 0)
    assert sent["input"] == given
    assert (sent["temperature"], sent["metadata"]) == (0, {"run": "tests"})


@pytest.mark.vcr
def test_instructions(vcr: Cassette) -> None:
    with YEScaleClient() as client:
        reply = client.responses.create(
            model=MODEL, input="Say hello.", instructions="Always answer in French."
        )
    assert reply.output_text == "Bonjour ! Comment puis-je vous aider ?"
    assert sent_json(vcr, 0)["instructions"] == "Always answer in French."


@pytest.mark.vcr
def test_function_call_then_its_output(vcr: Cassette) -> None:
    with YEScaleClient() as client:
        reply = client.responses.create(model=MODEL, input=WEATHER, tools=[WEATHER_TOOL])
        [call] = reply.function_calls
        assert isinstance(call, FunctionCallItem)
        assert call.name == "get_weather"
        assert call.call_id.startswith("call_")
        assert call.parsed_arguments() == {"city": "Paris", "unit": "celsius"}
        follow_up = [*WEATHER, *reply.output, call.output("18C, sunny")]
        final = client.responses.create(model=MODEL, input=follow_up, tools=[WEATHER_TOOL])
    assert final.output_text == WEATHER_ANSWER
    assert sent_json(vcr, 0)["tools"] == [WEATHER_TOOL]
    sent = sent_json(vcr, 1)["input"]
    assert sent[1] == call.to_param()
    assert sent[2] == {
        "type": "function_call_output",
        "call_id": call.call_id,
        "output": "18C, sunny",
    }


@pytest.mark.vcr
async def test_reasoning_summary_and_encrypted_content_sent_back(vcr: Cassette) -> None:
    """With store=False the reasoning item goes back in the next input with its
    encrypted_content unchanged (the synthesizer refuses an altered one, as OpenAI does)."""
    params: dict[str, Any] = {
        "tools": [WEATHER_TOOL],
        "reasoning": REASONING,
        "include": ENCRYPTED,
        "store": False,
    }
    async with YEScaleClient() as client:
        reply = await client.aio.responses.create(model=MODEL, input=WEATHER, **params)
        assert [type(i) for i in reply.output] == [ReasoningItem, FunctionCallItem]
        thought = reply.reasoning[0]
        assert thought.summary_text.startswith("The user asks for the weather")
        assert thought.encrypted_content
        assert reply.usage is not None
        assert reply.usage.reasoning_tokens == 64
        call = reply.function_calls[0]
        follow_up = [*WEATHER, *reply.to_input(), call.output("18C, sunny")]
        final = await client.aio.responses.create(model=MODEL, input=follow_up, **params)
    assert final.output_text == WEATHER_ANSWER
    first = sent_json(vcr, 0)
    assert (first["reasoning"], first["include"], first["store"]) == (REASONING, ENCRYPTED, False)
    sent = sent_json(vcr, 1)["input"][1]
    assert sent["type"] == "reasoning"
    assert sent["encrypted_content"] == thought.encrypted_content
    assert sent["summary"] == [{"type": "summary_text", "text": thought.summary_text}]


@pytest.mark.vcr
def test_previous_response_id(vcr: Cassette) -> None:
    with YEScaleClient() as client:
        first = client.responses.create(model=MODEL, input="Say hello.")
        second = client.responses.create(
            model=MODEL, input="And in French?", previous_response_id=first.id
        )
    assert second.output_text.startswith(f"Earlier I said: {GREETING}")
    assert second.previous_response_id == first.id
    assert second.usage is not None
    assert second.usage.cached_tokens == 1024
    assert sent_json(vcr, 1) == {
        "model": MODEL,
        "input": "And in French?",
        "previous_response_id": first.id,
    }


@pytest.mark.vcr
def test_an_unknown_previous_response_id_is_a_bad_request() -> None:
    with YEScaleClient() as client, pytest.raises(BadRequestError) as caught:
        client.responses.create(model=MODEL, input="Hi", previous_response_id="resp_nope")
    assert "resp_nope" in str(caught.value)
    assert caught.value.status_code == 400
    assert caught.value.code == "previous_response_not_found"


@pytest.mark.vcr
def test_web_search_with_url_citations(vcr: Cassette) -> None:
    with YEScaleClient() as client:
        reply = client.responses.create(model=MODEL, input=SEARCH, tools=[{"type": "web_search"}])
    search, message = reply.output
    assert isinstance(search, WebSearchCallItem)
    assert search.action == {"type": "search", "query": "Euro 2024 winner"}
    assert isinstance(message, MessageItem)
    text = message.content[0]
    assert isinstance(text, OutputText)
    assert reply.output_text.startswith("Spain won Euro 2024")
    citations = text.url_citations
    assert [c.url for c in citations] == [
        "https://www.uefa.com/euro2024/",
        "https://en.wikipedia.org/wiki/UEFA_Euro_2024_final",
    ]
    cited = citations[0]
    assert cited.start_index is not None
    assert cited.end_index is not None
    assert text.text[cited.start_index : cited.end_index].startswith("Spain")
    assert sent_json(vcr, 0)["tools"] == [{"type": "web_search"}]


@pytest.mark.vcr
def test_structured_output_json_schema(vcr: Cassette) -> None:
    with YEScaleClient() as client:
        reply = client.responses.create(model=MODEL, input=WEATHER, text={"format": SCHEMA})
    assert json.loads(reply.output_text) == {"city": "Paris", "unit": "celsius"}
    assert sent_json(vcr, 0)["text"] == {"format": SCHEMA}


@pytest.mark.vcr
def test_an_incomplete_response_is_kept_with_its_reason() -> None:
    with YEScaleClient() as client:
        reply = client.responses.create(model=MODEL, input="Say hello.", max_output_tokens=16)
    assert reply.status == "incomplete"
    assert reply.incomplete_details is not None
    assert reply.incomplete_details.reason == "max_output_tokens"
    assert reply.output_text == "Hello! How"


@pytest.mark.vcr
def test_usage_and_cost() -> None:
    _prices()
    with YEScaleClient() as client:
        reply = client.responses.create(
            model=MODEL, input=WEATHER, tools=[WEATHER_TOOL], reasoning=REASONING
        )
    usage, cost = reply.usage, reply.cost
    assert usage is not None
    assert cost is not None
    assert usage.input_tokens is not None
    assert usage.output_tokens is not None
    assert usage.total_tokens == usage.input_tokens + usage.output_tokens
    # reasoning tokens are part of output_tokens: counted once, as output
    assert (cost.input_tokens, cost.output_tokens) == (usage.input_tokens, usage.output_tokens)
    expected = (usage.input_tokens * INPUT_PRICE + usage.output_tokens * OUTPUT_PRICE) / 1e6
    assert cost.usd == pytest.approx(expected)


# -- streams ------------------------------------------------------------------------------------


@pytest.mark.vcr
def test_stream_plain_text(vcr: Cassette) -> None:
    with (
        YEScaleClient() as client,
        client.responses.stream(model=MODEL, input="Say hello.") as stream,
    ):
        texts = list(stream.text_stream)
        final = stream.get_final_response()
    assert "".join(texts) == GREETING
    assert len(texts) == 2
    assert final.output_text == GREETING
    assert final.status == "completed"
    assert final.cost is not None
    assert sent_json(vcr, 0)["stream"] is True


@pytest.mark.vcr
def test_stream_builds_the_same_response_as_create() -> None:
    """Reasoning (summary, encrypted_content) and a function call, streamed and not."""
    params: dict[str, Any] = {
        "tools": [WEATHER_TOOL],
        "reasoning": REASONING,
        "include": ENCRYPTED,
        "store": False,
    }
    _prices()
    with YEScaleClient() as client:
        created = client.responses.create(model=MODEL, input=WEATHER, **params)
        stream = client.responses.stream(model=MODEL, input=WEATHER, **params)
        events = list(stream)
        final = stream.get_final_response()
    assert isinstance(events[0], ResponseCreatedEvent)
    assert isinstance(events[-1], ResponseCompletedEvent)
    assert any(isinstance(e, ReasoningSummaryTextDeltaEvent) for e in events)
    assert _wire(final) == _wire(created)
    # the items built from the events are those of the terminator
    assert [i.to_param() for i in stream.accumulator.output] == final.to_input()
    assert final.cost is not None
    assert final.cost == created.cost
    assert events[-1].cost == final.cost


@pytest.mark.vcr
async def test_stream_async_web_search_builds_the_same_response() -> None:
    tools = [{"type": "web_search"}]
    async with YEScaleClient() as client:
        created = await client.aio.responses.create(model=MODEL, input=SEARCH, tools=tools)
        async with client.aio.responses.stream(model=MODEL, input=SEARCH, tools=tools) as stream:
            events = [event async for event in stream]
            final = await stream.get_final_response()
    added = [e for e in events if isinstance(e, OutputTextAnnotationAddedEvent)]
    assert [type(e.annotation) for e in added] == [UrlCitation, UrlCitation]
    assert _wire(final) == _wire(created)
    built = stream.accumulator.output[1]
    assert isinstance(built, MessageItem)
    assert built.to_param() == final.output[1].to_param()


@pytest.mark.vcr
async def test_stream_async_function_call_round_trip(vcr: Cassette) -> None:
    async with YEScaleClient() as client:
        reply = await client.aio.responses.stream(
            model=MODEL, input=WEATHER, tools=[WEATHER_TOOL]
        ).get_final_response()
        call = reply.function_calls[0]
        assert call.parsed_arguments() == {"city": "Paris", "unit": "celsius"}
        follow_up = [*WEATHER, *reply.to_input(), call.output("18C, sunny")]
        stream = client.aio.responses.stream(model=MODEL, input=follow_up, tools=[WEATHER_TOOL])
        text = "".join([t async for t in stream.text_stream])
        final = await stream.get_final_response()
    assert text == final.output_text == WEATHER_ANSWER
    assert sent_json(vcr, 1)["input"][1] == call.to_param()


@pytest.mark.vcr
def test_stream_structured_output_and_previous_response_id() -> None:
    with YEScaleClient() as client:
        first = client.responses.stream(
            model=MODEL, input=WEATHER, text={"format": SCHEMA}
        ).get_final_response()
        second = client.responses.stream(
            model=MODEL, input="And in French?", previous_response_id=first.id
        ).get_final_response()
    assert json.loads(first.output_text) == {"city": "Paris", "unit": "celsius"}
    assert second.output_text.startswith("Earlier I said: {")


@pytest.mark.vcr
def test_stream_incomplete_is_kept() -> None:
    with YEScaleClient() as client:
        stream = client.responses.stream(model=MODEL, input="Say hello.", max_output_tokens=16)
        events = list(stream)
        final = stream.get_final_response()
    assert isinstance(events[-1], ResponseIncompleteEvent)
    assert final.status == "incomplete"
    assert final.incomplete_details is not None
    assert final.incomplete_details.reason == "max_output_tokens"
    assert final.output_text == "Hello! How"
