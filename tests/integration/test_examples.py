"""The examples run (offline, from their cassettes) and show what they claim."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from vcr.cassette import Cassette

from .client_support import assert_all_played, sent_json

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "examples"))


@pytest.mark.vcr
@pytest.mark.default_cassette("quickstart.yaml")
def test_quickstart() -> None:
    import quickstart

    shown = quickstart.run()
    invoke, stream, ainvoke = shown["invoke"], shown["stream"], shown["ainvoke"]
    assert invoke.content
    assert invoke.usage_metadata is not None
    assert invoke.usage_metadata["total_tokens"] > 0
    assert stream.content == invoke.content
    assert stream.usage_metadata is not None
    assert stream.usage_metadata["output_tokens"] > 0
    assert ainvoke.content == invoke.content
    assert invoke.response_metadata["finish_reason"] == "stop"


@pytest.mark.vcr
@pytest.mark.default_cassette("agent_structured.yaml")
def test_agent_structured(vcr: Cassette) -> None:
    import agent_structured
    from langchain_core.messages import AIMessage, ToolMessage

    shown = agent_structured.run()
    assert shown["profile"] == {
        "max_input_tokens": 128_000,
        "max_output_tokens": 16_384,
        "tool_calling": True,
        "structured_output": True,
    }
    # the typed answer, with what the tool said in it
    weather = shown["structured_response"]
    assert isinstance(weather, agent_structured.Weather)
    assert weather == agent_structured.Weather(city="Hanoi", temperature_c=31, conditions="Sunny")
    # the tool was called, and its result went back to the model
    calls = [c for m in shown["messages"] if isinstance(m, AIMessage) for c in m.tool_calls]
    assert [(c["name"], c["args"]) for c in calls] == [("get_weather", {"city": "Hanoi"})]
    (result,) = [m for m in shown["messages"] if isinstance(m, ToolMessage)]
    assert result.content == "Sunny, 31 degrees C in Hanoi."
    assert shown["summarize_at"] == 102_400  # 80% of the window: nothing summarized here

    # two requests: the tool call, then the answer; each asked for the schema natively
    assert len(vcr.requests) == 2
    assert_all_played(vcr)
    for index in range(2):
        body = sent_json(vcr, index)
        response_format = body["response_format"]
        assert response_format["type"] == "json_schema"
        assert response_format["json_schema"]["name"] == "Weather"
        # ProviderStrategy asks for strict only when told: ProviderStrategy(Weather, strict=True)
        assert "strict" not in response_format["json_schema"]
        schema = response_format["json_schema"]["schema"]
        assert set(schema["properties"]) == {"city", "temperature_c", "conditions"}
        # no extra structured-output tool, and no tool forced
        assert [t["function"]["name"] for t in body["tools"]] == ["get_weather"]
        assert body.get("tool_choice") in (None, "auto")
    assert sent_json(vcr, 1)["messages"][-1] == {
        "role": "tool",
        "content": "Sunny, 31 degrees C in Hanoi.",
        "tool_call_id": calls[0]["id"],
    }


@pytest.mark.vcr
@pytest.mark.default_cassette("costs.yaml")
def test_costs(vcr: Cassette, capsys: pytest.CaptureFixture[str]) -> None:
    import costs

    from yescale.costs import use_prices

    try:
        shown = costs.run()
    finally:
        use_prices(None)
    reply, block, capped = shown["reply"], shown["block"], shown["capped"]
    one = reply.response_metadata["cost"]["usd"]
    assert one > 0
    # invoke + stream, each counted once
    assert block.successful_requests == 2
    assert one < block.total_cost < 2 * one  # the stream's answer is shorter
    # the loop: three calls sent, the fourth refused before its request
    assert shown["sent"] == 3
    assert capped.successful_requests == 3
    chats = [r for r in vcr.requests if r.path == "/v1/chat/completions"]
    assert len(chats) == 2 + 3
    report = shown["report"]
    assert report.models["gpt-4o-mini"].estimated_requests == 3
    out = capsys.readouterr().out
    assert "stopped after 3 calls" in out
    assert "estimate error on the tracked models" in out
    assert_all_played(vcr)
