"""Gemini answers beyond text, through both frameworks, over replayed cassettes
(``cassettes/integration/test_gemini_outputs/``, synthesized by
``tests/synth/answers_gemini_outputs.py``).

Images (nano-banana, made then edited across turns), speech (TTS), code execution and grounded
answers become standard content blocks in LangChain and ``ImageBlock`` / ``AudioBlock`` /
``CitationBlock`` s in LlamaIndex; the next turn sends the model its own parts back with their
thought signatures (the synthesized service refuses an edit whose image lost its signature, as
Gemini does). Every body sent passes google-genai's own types.
"""

from __future__ import annotations

import base64
import io
import json
import struct
import wave
from typing import Any

import pytest
from langchain.agents import create_agent
from langchain_core.messages import BaseMessage, HumanMessage, message_chunk_to_message
from langchain_core.tools import tool
from llama_index.core.base.llms.types import (
    AudioBlock,
    ChatMessage,
    CitationBlock,
    ImageBlock,
    TextBlock,
)
from vcr.cassette import Cassette

from langchain_yescale import ChatYEScaleGemini
from llama_index_yescale.llms import YEScaleGemini
from tests.peers.support import check_gemini_image_body
from tests.synth.answers_gemini_outputs import (
    CODE,
    CODE_ANSWER,
    EDITED_NOTE,
    GROUNDED,
    IMAGE_SIGNATURE,
    NOTE,
    SOURCES,
    TEXT_SIGNATURE,
    tone_pcm,
)
from yescale.translate.gemini_chat import to_gemini_request

from .test_langchain_chat import aggregate

pytestmark = pytest.mark.vcr

IMAGE_MODEL = "gemini-2.5-flash-image"
TTS_MODEL = "gemini-2.5-flash-preview-tts"


def bodies(cassette: Cassette) -> list[dict[str, Any]]:
    """Each recorded Gemini body, checked against google-genai's types."""
    out = []
    for request in cassette.requests:
        if request.method == "POST" and request.path.startswith("/v1beta/models/"):
            body = json.loads(request.body)
            check_gemini_image_body(body)
            out.append(body)
    return out


def png_size(data: bytes) -> tuple[int, int]:
    assert data.startswith(b"\x89PNG\r\n\x1a\n")
    width, height = struct.unpack(">II", data[16:24])
    return width, height


def png_colour(data: bytes) -> tuple[int, int, int]:
    """The first pixel of one of the synthesizer's tiny PNGs."""
    import zlib

    start = data.index(b"IDAT") + 4
    length = struct.unpack(">I", data[start - 8 : start - 4])[0]
    raw = zlib.decompress(data[start : start + length])
    red, green, blue = raw[1:4]
    return red, green, blue


def image_blocks(message: BaseMessage) -> list[dict[str, Any]]:
    return [dict(b) for b in message.content_blocks if b["type"] == "image"]


def model_parts(body: dict[str, Any]) -> list[dict[str, Any]]:
    return [p for c in body["contents"] if c["role"] == "model" for p in c["parts"]]


# -- LangChain: images ----------------------------------------------------------------------------


def test_image_made_then_edited_across_turns(vcr: Cassette) -> None:
    llm = ChatYEScaleGemini(model=IMAGE_MODEL, aspect_ratio="16:9")
    first = llm.invoke("Draw a red square.")
    (image,) = image_blocks(first)
    data = base64.b64decode(image["base64"])
    assert png_size(data) == (16, 9)  # the aspect ratio reached the model
    assert png_colour(data) == (220, 40, 40)
    assert image["mime_type"] == "image/png"
    assert image["extras"]["signature"] == IMAGE_SIGNATURE
    assert first.text == NOTE
    history: list[BaseMessage] = [HumanMessage("Draw a red square."), first]
    history.append(HumanMessage("Make it blue."))
    second = llm.invoke(history)
    (edited,) = image_blocks(second)
    assert png_colour(base64.b64decode(edited["base64"])) == (40, 40, 220)
    assert second.text == EDITED_NOTE
    one, two = bodies(vcr)
    assert one["generationConfig"] == {"imageConfig": {"aspectRatio": "16:9"}}
    assert model_parts(two) == [
        {"text": NOTE, "thoughtSignature": TEXT_SIGNATURE},
        {
            "inlineData": {"mimeType": "image/png", "data": image["base64"]},
            "thoughtSignature": IMAGE_SIGNATURE,
        },
    ]


def test_image_streamed_as_a_block_of_its_own(vcr: Cassette) -> None:
    llm = ChatYEScaleGemini(model=IMAGE_MODEL, response_modalities=["text", "image"])
    chunks = list(llm.stream("Draw a red square."))
    with_image = [c for c in chunks if any(b["type"] == "image" for b in c.content_blocks)]
    assert len(with_image) == 1
    full = aggregate(chunks)
    assert [b["type"] for b in full.content_blocks] == ["text", "image"]
    assert full.text == NOTE
    (image,) = image_blocks(full)
    assert image["extras"]["signature"] == IMAGE_SIGNATURE
    (body,) = bodies(vcr)
    assert body["generationConfig"] == {"responseModalities": ["TEXT", "IMAGE"]}
    # the streamed answer goes back as it came: text signature (kept on the message) included
    again = ChatYEScaleGemini(model=IMAGE_MODEL)
    history = [HumanMessage("Draw."), message_chunk_to_message(full), HumanMessage("Blue.")]
    wire, _ = again._prepare(history, None, {})
    model_turn = to_gemini_request(wire)["contents"][1]["parts"]
    assert [p.get("thoughtSignature") for p in model_turn] == [TEXT_SIGNATURE, IMAGE_SIGNATURE]


def test_output_version_v1_puts_the_blocks_in_the_content(vcr: Cassette) -> None:
    llm = ChatYEScaleGemini(model=IMAGE_MODEL, output_version="v1")
    msg = llm.invoke("Draw a red square.")
    assert isinstance(msg.content, list)
    assert [b["type"] for b in msg.content] == ["text", "image"]  # type: ignore[index]
    assert msg.response_metadata["output_version"] == "v1"
    streamed = aggregate(list(llm.stream("Draw a red square.")))
    assert [b["type"] for b in streamed.content_blocks] == ["text", "image"]


def test_agent_turn_makes_then_edits_an_image(vcr: Cassette) -> None:
    @tool
    def palette(name: str) -> str:
        """The colours of a named palette."""
        return "red, blue"

    agent = create_agent(ChatYEScaleGemini(model=IMAGE_MODEL), tools=[palette])
    state = agent.invoke({"messages": [HumanMessage("Draw a red square.")]})
    made = state["messages"][-1]
    assert image_blocks(made)
    state = agent.invoke({"messages": [*state["messages"], HumanMessage("Make it blue.")]})
    (edited,) = image_blocks(state["messages"][-1])
    assert png_colour(base64.b64decode(edited["base64"])) == (40, 40, 220)
    second = bodies(vcr)[1]
    assert [p.get("thoughtSignature") for p in model_parts(second)] == [
        TEXT_SIGNATURE,
        IMAGE_SIGNATURE,
    ]
    assert second["tools"][0]["functionDeclarations"][0]["name"] == "palette"


# -- LangChain: speech, code, citations ----------------------------------------------------------


def wav_frames(b64: str) -> tuple[int, int, bytes]:
    with wave.open(io.BytesIO(base64.b64decode(b64))) as audio:
        return audio.getframerate(), audio.getsampwidth(), audio.readframes(audio.getnframes())


def test_speech_comes_as_a_playable_wav(vcr: Cassette) -> None:
    llm = ChatYEScaleGemini(model=TTS_MODEL, voice="kore")
    msg = llm.invoke("Say cheerfully: have a wonderful day!")
    (audio,) = [b for b in msg.content_blocks if b["type"] == "audio"]
    assert audio["mime_type"] == "audio/wav"
    assert wav_frames(audio["base64"]) == (24000, 2, tone_pcm())
    assert audio["extras"]["gemini_mime_type"] == "audio/L16;codec=pcm;rate=24000"
    (body,) = bodies(vcr)
    assert body["generationConfig"] == {
        "speechConfig": {"voiceConfig": {"prebuiltVoiceConfig": {"voiceName": "Kore"}}},
        "responseModalities": ["AUDIO"],
    }


def test_code_execution_as_server_tool_blocks_and_back(vcr: Cassette) -> None:
    llm = ChatYEScaleGemini(code_execution=True)
    msg = llm.invoke("What is the sum of 1 to 100? Run code.")
    call, result = (b for b in msg.content_blocks if b["type"].startswith("server_tool"))
    assert call["name"] == "code_interpreter"
    assert call["args"] == {"code": CODE, "language": "python"}
    assert result["tool_call_id"] == call["id"]
    assert result["status"] == "success"
    assert result["output"] == "5050\n"
    assert msg.text.endswith(CODE_ANSWER)
    llm.invoke([HumanMessage("What is the sum of 1 to 100? Run code."), msg, HumanMessage("x2?")])
    one, two = bodies(vcr)
    assert one["tools"] == [{"codeExecution": {}}]
    assert model_parts(two)[1:3] == [
        {"executableCode": {"language": "PYTHON", "code": CODE}},
        {"codeExecutionResult": {"outcome": "OUTCOME_OK", "output": "5050\n"}},
    ]


def test_grounding_supports_become_citations(vcr: Cassette) -> None:
    llm = ChatYEScaleGemini(google_search=True)
    for msg in (llm.invoke("Who won Euro 2024?"), aggregate(list(llm.stream("Who won?")))):
        (text,) = [b for b in msg.content_blocks if b["type"] == "text"]
        assert text["text"] == GROUNDED
        citations = text["annotations"]
        assert [(c["url"], c["title"]) for c in citations] == [SOURCES[0], *SOURCES]
        for citation in citations:
            assert citation["type"] == "citation"
            span = GROUNDED[citation["start_index"] : citation["end_index"]]
            assert citation["cited_text"] == span
        assert citations[0]["cited_text"] == "Spain won Euro 2024."
        # the raw metadata stays where it was
        assert msg.response_metadata["grounding_metadata"]["webSearchQueries"]
    assert all(body["tools"] == [{"googleSearch": {}}] for body in bodies(vcr))


# -- LlamaIndex ----------------------------------------------------------------------------------


def test_llamaindex_chat_makes_then_edits_an_image(vcr: Cassette) -> None:
    llm = YEScaleGemini(model=IMAGE_MODEL, aspect_ratio="4:3")
    history = [ChatMessage(role="user", content="Draw a red square.")]
    first = llm.chat(history)
    (image,) = [b for b in first.message.blocks if isinstance(b, ImageBlock)]
    data = base64.b64decode(image.resolve_image(as_base64=True).read())
    assert png_size(data) == (4, 3)
    assert image.image_mimetype == "image/png"
    assert first.message.content == NOTE
    history += [first.message, ChatMessage(role="user", content="Make it blue.")]
    second = llm.chat(history)
    (edited,) = [b for b in second.message.blocks if isinstance(b, ImageBlock)]
    edited_png = base64.b64decode(edited.resolve_image(as_base64=True).read())
    assert png_colour(edited_png) == (40, 40, 220)
    two = bodies(vcr)[1]
    assert model_parts(two)[1] == {
        "inlineData": {"mimeType": "image/png", "data": base64.b64encode(data).decode()},
        "thoughtSignature": IMAGE_SIGNATURE,
    }


async def test_llamaindex_stream_image(vcr: Cassette) -> None:
    llm = YEScaleGemini(model=IMAGE_MODEL)
    stream = await llm.astream_chat([ChatMessage(role="user", content="Draw a red square.")])
    responses = [r async for r in stream]
    final = responses[-1].message
    kinds = [type(b).__name__ for b in final.blocks]
    assert kinds == ["TextBlock", "ImageBlock"]
    assert "".join(r.delta or "" for r in responses) == NOTE
    kept = final.additional_kwargs["content_blocks"]
    assert kept[1] == {
        "type": "image",
        "mime_type": "image/png",
        "extras": {"signature": IMAGE_SIGNATURE},
        "block": 1,
    }


def test_llamaindex_speech_code_and_citations(vcr: Cassette) -> None:
    speech = YEScaleGemini(model=TTS_MODEL, voice="Puck").chat(
        [ChatMessage(role="user", content="Say hello.")]
    )
    (audio,) = [b for b in speech.message.blocks if isinstance(b, AudioBlock)]
    assert audio.format == "wav"
    assert wav_frames(audio.resolve_audio(as_base64=True).read().decode())[2] == tone_pcm()
    code = YEScaleGemini(code_execution=True).chat(
        [ChatMessage(role="user", content="Sum 1 to 100 with code.")]
    )
    texts = [b.text for b in code.message.blocks if isinstance(b, TextBlock)]
    assert texts[1] == f"```python\n{CODE}\n```"
    assert texts[2] == "```output\n5050\n```"
    grounded = YEScaleGemini(google_search=True).chat(
        [ChatMessage(role="user", content="Who won Euro 2024?")]
    )
    citations = [b for b in grounded.message.blocks if isinstance(b, CitationBlock)]
    assert [(c.source, c.title) for c in citations] == [SOURCES[0], *SOURCES]
    assert citations[0].cited_content.text == "Spain won Euro 2024."  # type: ignore[union-attr]
    assert citations[0].additional_location_info == {"start_char_index": 0, "end_char_index": 20}
    assert grounded.message.content == GROUNDED
    assert bodies(vcr)[0]["generationConfig"]["speechConfig"]["voiceConfig"] == {
        "prebuiltVoiceConfig": {"voiceName": "Puck"}
    }


def test_llamaindex_stream_ends_with_the_citations(vcr: Cassette) -> None:
    llm = YEScaleGemini(google_search=True)
    responses = list(llm.stream_chat([ChatMessage(role="user", content="Who won Euro 2024?")]))
    assert len(responses) == 2
    assert not [b for b in responses[0].message.blocks if isinstance(b, CitationBlock)]
    final = responses[-1].message
    citations = [b for b in final.blocks if isinstance(b, CitationBlock)]
    assert [(c.source, c.title) for c in citations] == [SOURCES[0], *SOURCES]
    assert final.content == GROUNDED
    (body,) = bodies(vcr)
    assert body["tools"] == [{"googleSearch": {}}]
