"""Audio chat answers (issue 19) on a hostile wire, against the fault server (127.0.0.1): an
audio answer's stream cut mid-way (an error, never a shortened answer passed off as whole), a
huge audio answer refused at ``max_response_bytes`` in bounded memory (one response and one SSE
event), and an error object in a 2xx answer."""

from __future__ import annotations

import base64
import json
import tracemalloc
from collections.abc import Iterator
from typing import Any

import pytest
from langchain_core.messages import HumanMessage
from llama_index.core.base.llms.types import ChatMessage

from langchain_yescale import ChatYEScale
from llama_index_yescale import YEScale
from tests.synth.answers_audio import tiny_wav
from yescale import APIConnectionError, AuthenticationError, YEScaleError

from .conftest import FaultServer, body_parts, reply_json, sse_then_cut
from .support import API_KEY, INVALID_TOKEN, client_for

MODEL = "gpt-4o-audio-preview"
OUTPUT: dict[str, Any] = {
    "modalities": ["text", "audio"],
    "audio": {"voice": "alloy", "format": "pcm16"},
}
MiB = 1 << 20
HEAD = {"id": "chatcmpl-a", "object": "chat.completion.chunk", "model": MODEL}


def event(delta: dict[str, Any]) -> bytes:
    chunk = {**HEAD, "choices": [{"index": 0, "delta": delta}]}
    return b"data: " + json.dumps(chunk).encode() + b"\n\n"


PIECES = [
    event({"role": "assistant", "audio": {"id": "audio_cut", "transcript": "Hello"}}),
    event({"audio": {"data": base64.b64encode(bytes(4800)).decode()}}),
]


def test_a_cut_audio_stream_is_an_error_in_langchain(fault_server: FaultServer) -> None:
    fault_server.script(sse_then_cut(PIECES))
    llm = ChatYEScale(
        model=MODEL, api_key=API_KEY, base_url=fault_server.url, max_retries=0, **OUTPUT
    )
    seen: list[Any] = []
    stream = llm.stream([HumanMessage("Say hello")])
    with pytest.raises(YEScaleError) as caught:
        seen.extend(stream)
    assert isinstance(caught.value, APIConnectionError), repr(caught.value)
    assert API_KEY not in str(caught.value)
    # what came before the cut was handed on as it came, and the stream did not claim to end
    assert any("audio" in c.additional_kwargs for c in seen)
    assert not any(c.response_metadata.get("finish_reason") for c in seen)


def test_a_cut_audio_stream_is_an_error_in_llamaindex(fault_server: FaultServer) -> None:
    fault_server.script(sse_then_cut(PIECES))
    llm = YEScale(
        model=MODEL,
        api_key=API_KEY,
        base_url=fault_server.url,
        max_retries=0,
        modalities=OUTPUT["modalities"],
        audio_config=OUTPUT["audio"],
    )
    with pytest.raises(APIConnectionError):
        list(llm.stream_chat([ChatMessage(role="user", content="Say hello")]))


def _huge_audio_json(size: int) -> Iterator[bytes]:
    yield b'{"id": "chatcmpl-h", "choices": [{"index": 0, "message": {"role": "assistant", '
    yield b'"audio": {"id": "audio_h", "data": "'
    block = b"A" * (1 << 16)
    for _ in range(size // len(block)):
        yield block
    yield b'"}}}]}'


def _huge_audio_event(size: int) -> Iterator[bytes]:
    yield b'data: {"choices": [{"index": 0, "delta": {"audio": {"data": "'
    block = b"A" * (1 << 16)
    for _ in range(size // len(block)):
        yield block
    yield b'"}}}]}\n\n'


@pytest.mark.parametrize("streamed", [False, True], ids=["completion", "stream-event"])
def test_a_huge_audio_answer_is_refused_in_bounded_memory(
    fault_server: FaultServer, streamed: bool
) -> None:
    size = 24 * MiB
    parts = (lambda: _huge_audio_event(size)) if streamed else (lambda: _huge_audio_json(size))
    content_type = "text/event-stream" if streamed else "application/json"
    fault_server.script(body_parts(200, parts, {"Content-Type": content_type}))
    client = client_for(fault_server, max_response_bytes=MiB)
    messages = [{"role": "user", "content": "Talk for an hour"}]

    def call() -> object:
        if streamed:
            return list(client.chat.stream(model=MODEL, messages=messages, **OUTPUT))
        return client.chat.create(model=MODEL, messages=messages, **OUTPUT)

    tracemalloc.start()
    try:
        with pytest.raises(YEScaleError) as caught:
            call()
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert "max_response_bytes" in str(caught.value)
    assert peak < 8 * MiB, f"peak {peak / MiB:.1f} MiB for a {size // MiB} MiB answer"


def test_an_error_in_a_2xx_audio_answer_is_raised(fault_server: FaultServer) -> None:
    fault_server.script(reply_json(200, INVALID_TOKEN))
    llm = ChatYEScale(
        model=MODEL, api_key=API_KEY, base_url=fault_server.url, max_retries=2, **OUTPUT
    )
    wav = base64.b64encode(tiny_wav()).decode()
    question = HumanMessage(
        [
            {"type": "text", "text": "What is said?"},
            {"type": "audio", "base64": wav, "mime_type": "audio/wav"},
        ]
    )
    with pytest.raises(AuthenticationError, match="Invalid token") as caught:
        llm.invoke([question])
    assert fault_server.count == 1  # an authentication error is not retried
    assert API_KEY not in str(caught.value)
    body = fault_server.seen[0].json()
    assert body["messages"][0]["content"][1]["input_audio"]["format"] == "wav"
    assert body["modalities"] == ["text", "audio"]
