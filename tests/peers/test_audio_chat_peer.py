"""Audio chat (issue 19) against the peers: ``ChatOpenAI`` and llama-index's ``OpenAI`` with
``gpt-4o-audio-preview``, against the local recorder, send the same bodies as ``ChatYEScale`` and
``YEScale`` for an audio input block, ``modalities`` + ``audio`` for a spoken answer, and the
follow-up turn after an audio answer (the assistant message goes back as ``{"audio": {"id"}}``),
and each class reads the other's history. Differences on purpose are named functions that turn
the peer's body into ours, with the reason in their docstring."""

from __future__ import annotations

import base64
import warnings
from typing import Any

import pytest
from langchain_core.messages import AIMessage, HumanMessage
from langchain_openai import ChatOpenAI
from llama_index.core.base.llms.types import AudioBlock, ChatMessage, TextBlock
from llama_index.llms.openai import OpenAI

from langchain_yescale import ChatYEScale
from llama_index_yescale import YEScale
from tests.synth.answers_audio import TINY_MP3, tiny_wav

from .support import FAKE_KEY, Recorder

Body = dict[str, Any]
MODEL = "gpt-4o-audio-preview"
OUTPUT: dict[str, Any] = {
    "modalities": ["text", "audio"],
    "audio": {"voice": "alloy", "format": "wav"},
}
WAV_B64 = base64.b64encode(tiny_wav()).decode()
MP3_B64 = base64.b64encode(TINY_MP3).decode()
AUDIO_ANSWER = {
    "role": "assistant",
    "content": None,
    "audio": {
        "id": "audio_peer1",
        "data": WAV_B64,
        "transcript": "Hello from the recorder.",
        "expires_at": 1_900_000_000,
    },
}


def peer_chat(recorder: Recorder, **settings: Any) -> ChatOpenAI:
    with warnings.catch_warnings():
        # ChatOpenAI has no modalities / audio fields: it moves them into model_kwargs, warning
        warnings.simplefilter("ignore")
        return ChatOpenAI(
            model=MODEL,
            api_key=FAKE_KEY,  # type: ignore[arg-type]
            base_url=f"{recorder.url}/v1",
            max_retries=0,
            **settings,
        )


def our_chat(recorder: Recorder, **settings: Any) -> ChatYEScale:
    return ChatYEScale(
        model=MODEL, api_key=FAKE_KEY, base_url=recorder.url, max_retries=0, **settings
    )


def stream_false_left_out(peer: Body) -> Body:
    """ChatOpenAI sends ``"stream": false``; we send ``stream`` only when streaming (as in
    tests/peers/test_langchain_openai.py)."""
    if peer.get("stream") is False:
        del peer["stream"]
    return peer


def mpeg_named_mp3(peer: Body) -> Body:
    """An ``audio/mpeg`` block: ChatOpenAI (langchain-core's conversion) sends the MIME
    subtype, ``"format": "mpeg"``, which OpenAI refuses (it takes ``wav`` and ``mp3``); we
    send ``"mp3"``."""
    for message in peer["messages"]:
        for part in message["content"] if isinstance(message["content"], list) else []:
            if part.get("type") == "input_audio" and part["input_audio"]["format"] == "mpeg":
                part["input_audio"]["format"] = "mp3"
    return peer


def audio_question(mime: str, data: str) -> list[HumanMessage]:
    return [
        HumanMessage(
            [
                {"type": "text", "text": "What is said?"},
                {"type": "audio", "base64": data, "mime_type": mime},
            ]
        )
    ]


@pytest.mark.parametrize(
    ("mime", "data", "difference"),
    [
        ("audio/wav", WAV_B64, None),
        ("audio/mpeg", MP3_B64, mpeg_named_mp3),
    ],
)
def test_langchain_audio_input_block(
    recorder: Recorder, mime: str, data: str, difference: Any
) -> None:
    question = audio_question(mime, data)
    peer = stream_false_left_out(recorder.sent(lambda: peer_chat(recorder).invoke(question)))
    ours = recorder.sent(lambda: our_chat(recorder).invoke(question))
    assert ours["messages"][0]["content"][1]["type"] == "input_audio"
    assert ours == (difference(peer) if difference else peer)


def test_langchain_openai_input_audio_part_as_is(recorder: Recorder) -> None:
    part = {"type": "input_audio", "input_audio": {"data": WAV_B64, "format": "wav"}}
    question = [HumanMessage([{"type": "text", "text": "Hi"}, part])]
    peer = stream_false_left_out(recorder.sent(lambda: peer_chat(recorder).invoke(question)))
    assert recorder.sent(lambda: our_chat(recorder).invoke(question)) == peer


@pytest.mark.parametrize("given_as", ["constructor", "call"])
def test_langchain_modalities_and_audio(recorder: Recorder, given_as: str) -> None:
    recorder.openai_message = AUDIO_ANSWER
    if given_as == "constructor":
        peer_llm, our_llm, call = peer_chat(recorder, **OUTPUT), our_chat(recorder, **OUTPUT), {}
    else:
        peer_llm, our_llm, call = peer_chat(recorder), our_chat(recorder), OUTPUT
    peer_answer: list[Any] = []
    our_answer: list[Any] = []
    peer = recorder.sent(lambda: peer_answer.append(peer_llm.invoke("Say hello", **call)))
    ours = recorder.sent(lambda: our_answer.append(our_llm.invoke("Say hello", **call)))
    assert ours == stream_false_left_out(peer)
    assert ours["modalities"] == ["text", "audio"]
    # the answer as ChatOpenAI keeps it; ours also has the audio as a standard block
    assert our_answer[0].additional_kwargs["audio"] == peer_answer[0].additional_kwargs["audio"]
    assert our_answer[0].content == peer_answer[0].content == ""
    block = our_answer[0].content_blocks[-1]
    assert block["type"] == "audio"
    assert block["id"] == "audio_peer1"


def test_langchain_follow_up_after_an_audio_answer(recorder: Recorder) -> None:
    recorder.openai_message = AUDIO_ANSWER
    peer_llm, our_llm = peer_chat(recorder, **OUTPUT), our_chat(recorder, **OUTPUT)
    peer_answer = peer_llm.invoke("Say hello")
    our_answer = our_llm.invoke("Say hello")
    recorder.openai_message = {"role": "assistant", "content": "Fine."}

    def turn(answer: AIMessage) -> list[Any]:
        return [HumanMessage("Say hello"), answer, HumanMessage("Again, slower")]

    peer = stream_false_left_out(recorder.sent(lambda: peer_llm.invoke(turn(peer_answer))))
    ours = recorder.sent(lambda: our_llm.invoke(turn(our_answer)))
    assert ours["messages"][1] == {
        "role": "assistant",
        "content": "",
        "audio": {"id": "audio_peer1"},
    }
    assert ours == peer
    # each class reads the other's history
    assert recorder.sent(lambda: our_llm.invoke(turn(peer_answer))) == ours
    crossed = stream_false_left_out(recorder.sent(lambda: peer_llm.invoke(turn(our_answer))))
    assert crossed == peer


def test_langchain_streamed_audio_answer_kept_where_chatopenai_drops_it(
    recorder: Recorder,
) -> None:
    """ChatOpenAI's stream reads no ``delta.audio`` (the audio is lost); ours merges it."""
    recorder.openai_message = AUDIO_ANSWER
    settings = {**OUTPUT, "audio": {"voice": "alloy", "format": "pcm16"}}
    peer_chunks = list(peer_chat(recorder, **settings).stream("Say hello"))
    our_chunks = list(our_chat(recorder, **settings).stream("Say hello"))
    assert not any("audio" in c.additional_kwargs for c in peer_chunks)
    merged = sum(our_chunks[1:], our_chunks[0])
    assert merged.additional_kwargs["audio"]["transcript"] == "Hello from the recorder."
    assert merged.content_blocks[-1]["type"] == "audio"


# -- LlamaIndex ----------------------------------------------------------------------------------


def peer_llm(recorder: Recorder, **settings: Any) -> OpenAI:
    return OpenAI(
        model=MODEL, api_key=FAKE_KEY, api_base=f"{recorder.url}/v1", max_retries=0, **settings
    )


def our_llm(recorder: Recorder, **settings: Any) -> YEScale:
    return YEScale(model=MODEL, api_key=FAKE_KEY, base_url=recorder.url, max_retries=0, **settings)


def li_peer_body(peer: Body) -> Body:
    """As in tests/peers/test_llamaindex_openai.py: the peer sends its default ``temperature``
    (0.1) when none was set (we send none) and ``"stream": false``."""
    assert peer.pop("temperature") == 0.1
    return stream_false_left_out(peer)


def empty_content_with_the_audio_id(peer: Body) -> Body:
    """The assistant turn of an audio answer: llama-index's ``OpenAI`` sends ``{"role",
    "audio"}`` without ``content``; we send ``"content": ""`` beside the id, as ``ChatOpenAI``
    does (the client refuses an assistant message without content or tool calls)."""
    for message in peer["messages"]:
        if "audio" in message and "content" not in message:
            message["content"] = ""
    return peer


LI_OUTPUT: dict[str, Any] = {
    "modalities": ["text", "audio"],
    "audio_config": {"voice": "alloy", "format": "wav"},
}


def test_llamaindex_audio_input(recorder: Recorder) -> None:
    question = [
        ChatMessage(
            role="user", blocks=[TextBlock(text="What is said?"), AudioBlock(audio=tiny_wav())]
        )
    ]
    peer = li_peer_body(recorder.sent(lambda: peer_llm(recorder).chat(question)))
    ours = recorder.sent(lambda: our_llm(recorder).chat(question))
    assert ours["messages"][0]["content"][1] == {
        "type": "input_audio",
        "input_audio": {"data": WAV_B64, "format": "wav"},
    }
    assert ours == peer


def test_llamaindex_audio_answer_and_follow_up(recorder: Recorder) -> None:
    recorder.openai_message = AUDIO_ANSWER
    peer, ours = peer_llm(recorder, **LI_OUTPUT), our_llm(recorder, **LI_OUTPUT)
    question = [ChatMessage(role="user", content="Say hello")]
    answers: dict[str, Any] = {}
    peer_body = recorder.sent(lambda: answers.setdefault("peer", peer.chat(question)))
    our_body = recorder.sent(lambda: answers.setdefault("ours", ours.chat(question)))
    assert our_body == li_peer_body(peer_body)
    assert (our_body["modalities"], our_body["audio"]) == (
        ["text", "audio"],
        {"voice": "alloy", "format": "wav"},
    )
    peer_message, our_message = answers["peer"].message, answers["ours"].message
    # both keep the id where llama-index-llms-openai does, and the audio bytes in an AudioBlock;
    # ours also has the transcript as the text and reads the format from the bytes (the peer
    # says "mp3" whatever it is)
    assert our_message.additional_kwargs["reference_audio_id"] == "audio_peer1"
    assert peer_message.additional_kwargs["reference_audio_id"] == "audio_peer1"
    (our_audio,) = [b for b in our_message.blocks if isinstance(b, AudioBlock)]
    (peer_audio,) = [b for b in peer_message.blocks if isinstance(b, AudioBlock)]
    assert our_audio.resolve_audio().read() == peer_audio.resolve_audio().read() == tiny_wav()
    assert (our_audio.format, peer_audio.format) == ("wav", "mp3")
    assert our_message.content == "Hello from the recorder."
    assert not peer_message.content

    recorder.openai_message = {"role": "assistant", "content": "Fine."}

    def turn(answer: ChatMessage) -> list[ChatMessage]:
        return [*question, answer, ChatMessage(role="user", content="Again")]

    peer_next = li_peer_body(recorder.sent(lambda: peer.chat(turn(peer_message))))
    our_next = recorder.sent(lambda: ours.chat(turn(our_message)))
    assert our_next["messages"][1] == {
        "role": "assistant",
        "content": "",
        "audio": {"id": "audio_peer1"},
    }
    assert our_next == empty_content_with_the_audio_id(peer_next)
    assert recorder.sent(lambda: ours.chat(turn(peer_message))) == our_next


def test_llamaindex_streams_audio_where_the_peer_refuses(recorder: Recorder) -> None:
    recorder.openai_message = AUDIO_ANSWER
    question = [ChatMessage(role="user", content="Say hello")]
    with pytest.raises(ValueError, match="not supported for chat streaming"):
        list(peer_llm(recorder, **LI_OUTPUT).stream_chat(question))
    last = list(our_llm(recorder, **LI_OUTPUT).stream_chat(question))[-1]
    assert last.message.content == "Hello from the recorder."
    assert any(isinstance(b, AudioBlock) for b in last.message.blocks)
