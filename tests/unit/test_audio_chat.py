"""Audio in OpenAI-format chat (issue 19): input blocks as ``input_audio``, audio answers as
``additional_kwargs["audio"]`` + an ``audio`` block (LangChain) and an ``AudioBlock`` + the
transcript (LlamaIndex), streamed pieces merged, the audio id sent back next turn, and what OpenAI
would refuse refused before any request. No HTTP here, except an ``httpx.MockTransport`` that
fails the test if it is reached."""

from __future__ import annotations

import base64
import io
import wave
from typing import Any

import httpx
import pytest
from langchain_core.messages import AIMessage, AIMessageChunk, HumanMessage
from llama_index.core.base.llms.types import AudioBlock, ChatMessage, MessageRole, TextBlock

from langchain_yescale import ChatYEScale
from langchain_yescale._openai_answers import chunk_to_langchain, wire_message_to_ai
from langchain_yescale._openai_messages import messages_to_openai
from llama_index_yescale import YEScale
from llama_index_yescale.llms._convert import from_wire_message, to_openai_messages
from llama_index_yescale.llms._stream import StreamAccumulator
from tests.synth.answers_audio import TINY_MP3, tiny_wav
from yescale import InvalidRequestError
from yescale.integration.audio_chat import (
    audio_block,
    check_chat_audio,
    join_base64,
    merge_audio,
    openai_audio_format,
)
from yescale.types.chat import ChatCompletionChunk
from yescale.types.chat import ChatMessage as WireMessage

WAV = tiny_wav()
WAV_B64 = base64.b64encode(WAV).decode()
MP3_B64 = base64.b64encode(TINY_MP3).decode()
AUDIO_MODEL = "gpt-4o-audio-preview"
ANSWER_AUDIO = {
    "id": "audio_abc123",
    "data": WAV_B64,
    "transcript": "Hello there.",
    "expires_at": 1_729_018_505,
}


# -- the shared rules -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("audio/wav", "wav"),
        ("audio/x-wav", "wav"),
        ("audio/wave", "wav"),
        ("audio/mpeg", "mp3"),
        ("audio/mp3", "mp3"),
        ("mp3", "mp3"),
        ("audio/ogg; codecs=opus", "ogg"),
    ],
)
def test_openai_audio_format(given: str, expected: str) -> None:
    assert openai_audio_format(given) == expected


def _audio_message(fmt: str) -> list[dict[str, Any]]:
    part = {"type": "input_audio", "input_audio": {"data": WAV_B64, "format": fmt}}
    return [{"role": "user", "content": [{"type": "text", "text": "Hi"}, part]}]


def test_check_lets_wav_and_mp3_through_to_audio_and_unknown_models() -> None:
    for model in (AUDIO_MODEL, "gpt-audio-mini", "brand-new-model"):
        for fmt in ("wav", "mp3"):
            check_chat_audio(model, _audio_message(fmt), {})


@pytest.mark.parametrize("fmt", ["flac", "ogg", "mpeg", "m4a"])
def test_check_refuses_formats_openai_chat_does_not_take(fmt: str) -> None:
    with pytest.raises(InvalidRequestError, match=rf"format '{fmt}'.*wav and mp3"):
        check_chat_audio(AUDIO_MODEL, _audio_message(fmt), {})


def test_check_leaves_gemini_formats_alone() -> None:
    check_chat_audio("gemini-2.5-flash", _audio_message("flac"), {})


@pytest.mark.parametrize("model", ["gpt-4o-mini", "claude-sonnet-4-5", "deepseek-chat"])
def test_check_refuses_audio_to_a_model_known_to_take_none(model: str) -> None:
    with pytest.raises(InvalidRequestError, match=r"takes no audio input.*gpt-4o-audio-preview"):
        check_chat_audio(model, _audio_message("wav"), {})


def test_check_refuses_audio_modality_without_audio_parameter() -> None:
    with pytest.raises(InvalidRequestError, match="audio parameter"):
        check_chat_audio(AUDIO_MODEL, [], {"modalities": ["text", "audio"]})
    check_chat_audio(AUDIO_MODEL, [], {"modalities": ["text", "audio"], "audio": {"voice": "x"}})


def test_merge_audio_concatenates_data_and_transcript() -> None:
    so_far = merge_audio(None, {"id": "audio_1", "transcript": "Hel"})
    so_far = merge_audio(so_far, {"transcript": "lo", "data": "AAA"})
    so_far = merge_audio(so_far, {"data": "A", "expires_at": 5, "id": "audio_1"})
    assert so_far == {"id": "audio_1", "transcript": "Hello", "data": "AAAA", "expires_at": 5}


def test_join_base64_reads_padded_pieces() -> None:
    pieces = [base64.b64encode(p).decode() for p in (b"ab", b"cde", b"f", b"ghij")]
    assert join_base64("".join(pieces)) == b"abcdefghij"
    with pytest.raises(ValueError):
        join_base64("not base64!")


def test_audio_block_of_a_wav_and_of_raw_pcm() -> None:
    block = audio_block(ANSWER_AUDIO)
    assert block == {
        "type": "audio",
        "base64": WAV_B64,
        "mime_type": "audio/wav",
        "id": "audio_abc123",
        "extras": {"transcript": "Hello there.", "expires_at": 1_729_018_505},
    }
    assert audio_block({"id": "a", "data": MP3_B64})["mime_type"] == "audio/mpeg"  # type: ignore[index]
    pcm = bytes(range(200))
    wrapped = audio_block({"data": base64.b64encode(pcm).decode()})
    assert wrapped is not None
    assert wrapped["mime_type"] == "audio/wav"
    with wave.open(io.BytesIO(base64.b64decode(wrapped["base64"]))) as wav:
        assert (wav.getframerate(), wav.getnchannels(), wav.readframes(100)) == (24000, 1, pcm)
    assert audio_block({"transcript": "only text"}) is None
    assert audio_block({"data": "not base64!"}) is None


# -- LangChain ----------------------------------------------------------------------------------


def test_langchain_audio_blocks_become_input_audio() -> None:
    message = HumanMessage(
        [
            {"type": "text", "text": "What is said?"},
            {"type": "audio", "base64": WAV_B64, "mime_type": "audio/wav"},
            {"type": "audio", "base64": MP3_B64, "mime_type": "audio/mpeg"},
            {"type": "input_audio", "input_audio": {"data": WAV_B64, "format": "wav"}},
        ]
    )
    content = messages_to_openai([message])[0]["content"]
    assert content[1:] == [
        {"type": "input_audio", "input_audio": {"data": WAV_B64, "format": "wav"}},
        {"type": "input_audio", "input_audio": {"data": MP3_B64, "format": "mp3"}},
        {"type": "input_audio", "input_audio": {"data": WAV_B64, "format": "wav"}},
    ]


def _metadata() -> dict[str, Any]:
    return {"model_provider": "yescale", "model_name": AUDIO_MODEL}


def test_langchain_audio_answer() -> None:
    wire = WireMessage.model_validate({"role": "assistant", "content": None, "audio": ANSWER_AUDIO})
    message = wire_message_to_ai(wire, _metadata(), None)
    assert message.content == ""  # as ChatOpenAI: the transcript stays in the audio
    assert message.additional_kwargs["audio"] == ANSWER_AUDIO
    assert message.content_blocks == [audio_block(ANSWER_AUDIO)]
    assert message.text == ""


def test_langchain_audio_answer_sent_back_by_id() -> None:
    answer = AIMessage("", additional_kwargs={"audio": ANSWER_AUDIO})
    sent = messages_to_openai([HumanMessage("Hi"), answer, HumanMessage("Again")])[1]
    assert sent == {"role": "assistant", "content": "", "audio": {"id": "audio_abc123"}}
    # an audio block with an id in the content (output_version="v1") is read too
    v1 = AIMessage(
        [{"type": "audio", "id": "audio_v1", "base64": WAV_B64, "mime_type": "audio/wav"}]
    )
    assert messages_to_openai([v1])[0]["audio"] == {"id": "audio_v1"}


def _chunk(delta: dict[str, Any], finish: str | None = None) -> ChatCompletionChunk:
    choice: dict[str, Any] = {"index": 0, "delta": delta}
    if finish:
        choice["finish_reason"] = finish
    return ChatCompletionChunk.model_validate(
        {"id": "chatcmpl-1", "model": AUDIO_MODEL, "choices": [choice]}
    )


PCM = bytes(range(256)) * 3
#: a streamed audio answer as OpenAI sends it: id and transcript first, then base64 pieces of
#: raw PCM (each its own base64, padded), then expires_at
STREAM: list[dict[str, Any]] = [
    {"role": "assistant", "audio": {"id": "audio_s1", "transcript": "Hel"}},
    {"audio": {"transcript": "lo."}},
    {"audio": {"data": base64.b64encode(PCM[:100]).decode()}},
    {"audio": {"data": base64.b64encode(PCM[100:]).decode()}},
    {"audio": {"id": "audio_s1", "expires_at": 99}},
]


def test_langchain_streamed_audio_pieces_merge() -> None:
    sent: set[str] = set()
    chunks = [chunk_to_langchain(_chunk(d), sent) for d in STREAM]
    merged = sum((c for c in chunks if c is not None), AIMessageChunk(content=""))
    assert isinstance(merged, AIMessageChunk)
    audio = merged.additional_kwargs["audio"]
    assert (audio["id"], audio["transcript"], audio["expires_at"]) == ("audio_s1", "Hello.", 99)
    assert join_base64(audio["data"]) == PCM
    block = merged.content_blocks[-1]
    assert block["type"] == "audio"
    assert block.get("id") == "audio_s1"
    with wave.open(io.BytesIO(base64.b64decode(block["base64"]))) as wav:  # type: ignore[typeddict-item]
        assert wav.readframes(10_000) == PCM
    # and the merged answer goes back by its id
    assert messages_to_openai([merged])[0]["audio"] == {"id": "audio_s1"}


# -- LlamaIndex ---------------------------------------------------------------------------------


def test_llamaindex_audio_block_becomes_input_audio() -> None:
    message = ChatMessage(
        role=MessageRole.USER,
        blocks=[TextBlock(text="What is said?"), AudioBlock(audio=WAV), AudioBlock(audio=TINY_MP3)],
    )
    content = to_openai_messages([message])[0]["content"]
    assert content[1] == {"type": "input_audio", "input_audio": {"data": WAV_B64, "format": "wav"}}
    assert content[2]["input_audio"]["format"] == "mp3"
    mpeg = ChatMessage(role="user", blocks=[AudioBlock(audio=TINY_MP3, format="mpeg")])
    assert to_openai_messages([mpeg])[0]["content"][0]["input_audio"]["format"] == "mp3"


def test_llamaindex_audio_answer_and_the_next_turn() -> None:
    wire = WireMessage.model_validate({"role": "assistant", "content": None, "audio": ANSWER_AUDIO})
    message = from_wire_message(wire)
    assert message.content == "Hello there."
    audio = [b for b in message.blocks if isinstance(b, AudioBlock)]
    assert len(audio) == 1
    assert audio[0].format == "wav"
    assert audio[0].resolve_audio().read() == WAV
    assert message.additional_kwargs["reference_audio_id"] == "audio_abc123"
    assert message.additional_kwargs["audio_expires_at"] == 1_729_018_505
    sent = to_openai_messages([message])[0]
    assert sent == {"role": "assistant", "content": "", "audio": {"id": "audio_abc123"}}


def test_llamaindex_streamed_audio() -> None:
    stream = StreamAccumulator()
    responses = [stream.add(_chunk(d)) for d in STREAM]
    assert "".join(r.delta or "" for r in responses) == "Hello."
    last = responses[-1].message
    assert last.content == "Hello."
    (block,) = [b for b in last.blocks if isinstance(b, AudioBlock)]
    with wave.open(io.BytesIO(block.resolve_audio().read())) as wav:
        assert wav.readframes(10_000) == PCM
    sent = to_openai_messages([last])[0]
    assert sent == {"role": "assistant", "content": "", "audio": {"id": "audio_s1"}}


# -- refused before any request -----------------------------------------------------------------


def _unreachable(request: httpx.Request) -> httpx.Response:
    raise AssertionError(f"no request may be sent: {request.url}")


def _http() -> dict[str, Any]:
    return {
        "api_key": "sk-test",
        "max_retries": 0,
        "http_client": httpx.Client(transport=httpx.MockTransport(_unreachable)),
    }


FLAC = {"type": "audio", "base64": WAV_B64, "mime_type": "audio/flac"}


@pytest.mark.parametrize(
    ("model", "block", "settings", "match"),
    [
        (AUDIO_MODEL, FLAC, {}, "format 'flac'"),
        ("gpt-4o-mini", {**FLAC, "mime_type": "audio/wav"}, {}, "takes no audio input"),
        (AUDIO_MODEL, None, {"modalities": ["text", "audio"]}, "audio parameter"),
    ],
)
def test_langchain_refuses_before_any_request(
    model: str, block: dict[str, Any] | None, settings: dict[str, Any], match: str
) -> None:
    llm = ChatYEScale(model=model, **_http(), **settings)
    content: list[Any] = [{"type": "text", "text": "Hi"}] + ([block] if block else [])
    with pytest.raises(InvalidRequestError, match=match):
        llm.invoke([HumanMessage(content)])
    with pytest.raises(InvalidRequestError, match=match):
        list(llm.stream([HumanMessage(content)]))


@pytest.mark.parametrize(
    ("model", "blocks", "settings", "match"),
    [
        (AUDIO_MODEL, [AudioBlock(audio=b"fLaC" + bytes(60), format="flac")], {}, "'flac'"),
        ("gpt-4o-mini", [AudioBlock(audio=WAV)], {}, "takes no audio input"),
        (AUDIO_MODEL, [], {"modalities": ["text", "audio"]}, "audio parameter"),
    ],
)
def test_llamaindex_refuses_before_any_request(
    model: str, blocks: list[Any], settings: dict[str, Any], match: str
) -> None:
    llm = YEScale(model=model, **_http(), **settings)
    message = ChatMessage(role="user", blocks=[TextBlock(text="Hi"), *blocks])
    with pytest.raises(InvalidRequestError, match=match):
        llm.chat([message])
    with pytest.raises(InvalidRequestError, match=match):
        list(llm.stream_chat([message]))


def test_fields_reach_the_request_parameters() -> None:
    config = {"voice": "alloy", "format": "wav"}
    lc = ChatYEScale(model=AUDIO_MODEL, modalities=["text", "audio"], audio=config, api_key="k")
    assert lc._default_params["modalities"] == ["text", "audio"]
    assert lc._default_params["audio"] == config
    li = YEScale(model=AUDIO_MODEL, modalities=["text", "audio"], audio_config=config, api_key="k")
    params = li._request_params({})
    assert (params["modalities"], params["audio"]) == (["text", "audio"], config)
    assert li._request_params({"audio": {"voice": "echo", "format": "mp3"}})["audio"]["voice"] == (
        "echo"
    )
