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
@pytest.mark.default_cassette("prompt_caching.yaml")
def test_prompt_caching(vcr: Cassette) -> None:
    import prompt_caching

    shown = prompt_caching.run()
    written = shown["first"].usage_metadata["input_token_details"]
    read = shown["second"].usage_metadata["input_token_details"]
    assert written["cache_creation"] > 1000
    assert written["cache_read"] == 0
    assert read["cache_read"] == written["cache_creation"]
    assert read["cache_creation"] == 0
    system = sent_json(vcr, 1)["messages"][0]
    assert system["content"][0]["cache_control"] == {"type": "ephemeral"}
    assert_all_played(vcr)


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


@pytest.mark.vcr
@pytest.mark.default_cassette("gemini_outputs.yaml")
def test_gemini_outputs(vcr: Cassette, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    import wave

    import gemini_outputs

    shown = gemini_outputs.run(tmp_path)
    # the first image, then the edit: the synthesized service refuses an edit whose image lost
    # its thought signature, so a blue square proves it went back whole
    assert shown["first"].read_bytes().startswith(b"\x89PNG")
    assert shown["edited"].read_bytes() != shown["first"].read_bytes()
    assert shown["llamaindex"].read_bytes().startswith(b"\x89PNG")
    with wave.open(str(shown["speech"])) as speech:
        assert speech.getframerate() == 24000
    out = capsys.readouterr().out
    assert "code ran     -> print(sum(range(1, 101)))" in out
    assert "its output   -> 5050 (success)" in out
    assert "[uefa.com] https://www.uefa.com/euro2024/: 'Spain won Euro 2024.'" in out
    edits = [sent_json(vcr, i) for i in (1, 6)]
    for body in edits:
        model_turn = [c for c in body["contents"] if c["role"] == "model"]
        assert [p.get("thoughtSignature") is not None for p in model_turn[0]["parts"]] == [
            True,
            True,
        ]
    assert_all_played(vcr)


@pytest.mark.vcr
@pytest.mark.default_cassette("anthropic_agent.yaml")
def test_anthropic_agent(vcr: Cassette, capsys: pytest.CaptureFixture[str]) -> None:
    import anthropic_agent

    from tests.synth.answers_messages import CACHED_TOKENS, SIGNATURE, WEATHER_ANSWER

    shown = anthropic_agent.run()
    # the agent's second request carried the signed thinking (the synthesized service refuses
    # it otherwise) and got the answer; the same for LlamaIndex's FunctionAgent
    assert shown["agent"][-1].content == WEATHER_ANSWER
    assert WEATHER_ANSWER in shown["llamaindex"]["agent"]
    bodies = [sent_json(vcr, i) for i in range(len(vcr.requests))]
    follow_ups = [b for b in bodies if any(m["role"] == "assistant" for m in b["messages"])]
    assert len(follow_ups) == 2  # one per framework
    for body in follow_ups:
        turn = next(m for m in body["messages"] if m["role"] == "assistant")
        assert turn["content"][0]["signature"] == SIGNATURE
    # the cached prompt: written by the first call, read by the second, in both frameworks
    assert [u["cache_creation"] for u in shown["cache"]] == [CACHED_TOKENS, 0]
    assert [u["cache_read"] for u in shown["cache"]] == [0, CACHED_TOKENS]
    llama = shown["llamaindex"]["cache"]
    assert llama[0]["cache_creation_input_tokens"] == CACHED_TOKENS
    assert llama[1]["cache_read_input_tokens"] == CACHED_TOKENS
    out = capsys.readouterr().out
    assert "cited    -> https://www.uefa.com/euro2024/" in out
    assert_all_played(vcr)


@pytest.mark.vcr
@pytest.mark.default_cassette("transcription_rag.yaml")
def test_audio_transcription_rag(
    vcr: Cassette, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import transcription_rag

    from tests.synth.answers_audio import RECORDINGS, TINY_MP3

    shown = transcription_rag.run(tmp_path)
    # the two recordings, transcribed: the transcripts are the documents
    said = {name: text for name, (_, text) in RECORDINGS.items()}
    assert {d.metadata["file_name"]: d.text for d in shown["documents"]} == said
    # the question found the recording that answers it, and the answer was spoken into a file
    assert shown["answer_file"] == "standup.wav"
    assert shown["answer"] == said["standup.wav"]
    spoken = shown["spoken"]
    path = Path(spoken.artifact["path"])
    assert path.parent == tmp_path / "answers"
    assert path.read_bytes() == TINY_MP3
    assert f"saved to {path}" in capsys.readouterr().out
    paths = [r.path for r in vcr.requests]
    assert paths.count("/v1/audio/transcriptions") == 2
    assert paths[-1] == "/v1/audio/speech"
    assert_all_played(vcr)
