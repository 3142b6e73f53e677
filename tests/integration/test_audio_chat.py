"""Audio chat (issue 19) through both frameworks over replayed cassettes
(``cassettes/integration/test_audio_chat/``, synthesized by ``tests/synth/answers_audio_chat.py``):
audio in (a WAV block), a spoken answer out (the bytes, the transcript, the id), streamed
(``pcm16`` pieces merged into one WAV), and the next turn sending the answer back by its id (the
synthesized service refuses an assistant audio that is not ``{"id"}`` of one it made, as OpenAI
does)."""

from __future__ import annotations

import base64
import io
import json
import wave
from typing import Any

import pytest
from langchain_core.messages import AIMessage, HumanMessage
from llama_index.core.base.llms.types import AudioBlock, ChatMessage, TextBlock
from vcr.cassette import Cassette

from langchain_yescale import ChatYEScale
from llama_index_yescale import YEScale
from tests.synth.answers_audio import tiny_wav
from tests.synth.answers_audio_chat import EXPIRES_AT, PCM, SPOKEN

from .test_langchain_chat import aggregate

pytestmark = pytest.mark.vcr

MODEL = "gpt-4o-audio-preview"
VOICE = {"voice": "alloy", "format": "wav"}
WAV = tiny_wav()
WAV_B64 = base64.b64encode(WAV).decode()


def bodies(cassette: Cassette) -> list[dict[str, Any]]:
    return [json.loads(r.body) for r in cassette.requests if r.path == "/v1/chat/completions"]


def question() -> HumanMessage:
    return HumanMessage(
        [
            {"type": "text", "text": "What is said here? Answer aloud."},
            {"type": "audio", "base64": WAV_B64, "mime_type": "audio/wav"},
        ]
    )


def test_langchain_audio_in_spoken_answer_out_then_next_turn(vcr: Cassette) -> None:
    llm = ChatYEScale(model=MODEL, modalities=["text", "audio"], audio=VOICE)
    answer = llm.invoke([question()])
    assert isinstance(answer, AIMessage)
    assert answer.content == ""  # as ChatOpenAI: the transcript is in the audio
    audio = answer.additional_kwargs["audio"]
    assert audio["transcript"].startswith(SPOKEN)
    assert f"{len(WAV)} bytes of wav" in audio["transcript"]
    assert audio["expires_at"] == EXPIRES_AT
    block = answer.content_blocks[-1]
    assert block["type"] == "audio"
    assert (block.get("id"), block.get("mime_type")) == (audio["id"], "audio/wav")
    assert base64.b64decode(block["base64"]) == tiny_wav()  # type: ignore[typeddict-item]
    assert answer.usage_metadata is not None
    assert answer.usage_metadata["output_token_details"]["audio"] == 24

    follow_up = llm.invoke([question(), answer, HumanMessage("Say it again, slower.")])
    assert f"my earlier answer {audio['id']}" in follow_up.additional_kwargs["audio"]["transcript"]
    first, second = bodies(vcr)
    assert first["modalities"] == ["text", "audio"]
    assert first["audio"] == VOICE
    assert first["messages"][0]["content"][1] == {
        "type": "input_audio",
        "input_audio": {"data": WAV_B64, "format": "wav"},
    }
    assert second["messages"][1] == {
        "role": "assistant",
        "content": "",
        "audio": {"id": audio["id"]},
    }


def test_langchain_streamed_spoken_answer(vcr: Cassette) -> None:
    llm = ChatYEScale(model=MODEL)
    pcm16: dict[str, Any] = {
        "modalities": ["text", "audio"],
        "audio": {"voice": "alloy", "format": "pcm16"},
    }
    full = aggregate(list(llm.stream("Say hello", **pcm16)))
    audio = full.additional_kwargs["audio"]
    assert audio["transcript"] == SPOKEN
    assert audio["expires_at"] == EXPIRES_AT
    block = full.content_blocks[-1]
    assert block["type"] == "audio"
    assert block.get("mime_type") == "audio/wav"
    with wave.open(io.BytesIO(base64.b64decode(block["base64"]))) as wav:  # type: ignore[typeddict-item]
        assert (wav.getframerate(), wav.readframes(100_000)) == (24000, PCM)
    (body,) = bodies(vcr)
    assert body["stream"] is True
    assert body["audio"]["format"] == "pcm16"


def test_llamaindex_audio_in_spoken_answer_out_then_next_turn(vcr: Cassette) -> None:
    llm = YEScale(model=MODEL, modalities=["text", "audio"], audio_config=VOICE)
    asked = ChatMessage(
        role="user", blocks=[TextBlock(text="What is said?"), AudioBlock(audio=WAV)]
    )
    answer = llm.chat([asked]).message
    assert answer.content is not None
    assert answer.content.startswith(SPOKEN)
    (block,) = [b for b in answer.blocks if isinstance(b, AudioBlock)]
    assert block.format == "wav"
    assert block.resolve_audio().read() == tiny_wav()
    audio_id = answer.additional_kwargs["reference_audio_id"]
    again = llm.chat([asked, answer, ChatMessage(role="user", content="Again, slower.")])
    assert f"my earlier answer {audio_id}" in (again.message.content or "")
    first, second = bodies(vcr)
    assert first["messages"][0]["content"][1]["input_audio"]["format"] == "wav"
    assert second["messages"][1] == {"role": "assistant", "content": "", "audio": {"id": audio_id}}


def test_llamaindex_streamed_spoken_answer(vcr: Cassette) -> None:
    llm = YEScale(
        model=MODEL,
        modalities=["text", "audio"],
        audio_config={"voice": "alloy", "format": "pcm16"},
    )
    responses = list(llm.stream_chat([ChatMessage(role="user", content="Say hello")]))
    assert "".join(r.delta or "" for r in responses) == SPOKEN
    last = responses[-1].message
    assert last.content == SPOKEN
    (block,) = [b for b in last.blocks if isinstance(b, AudioBlock)]
    with wave.open(io.BytesIO(block.resolve_audio().read())) as wav:
        assert wav.readframes(100_000) == PCM
    assert responses[-1].additional_kwargs["total_tokens"] == 50
