"""Gemini's answers beyond text, piece by piece: parts -> standard blocks and back, PCM -> WAV,
grounding -> citations (character offsets, non-ASCII text), streams' indexed blocks, the media
switches and their refusals, and the framework conversions' edge cases."""

from __future__ import annotations

import base64
import io
import wave
from typing import Any

import pytest
from langchain_core.messages import AIMessage, AIMessageChunk
from llama_index.core.base.llms.types import ChatMessage, ImageBlock, TextBlock

from langchain_yescale import ChatYEScaleGemini
from llama_index_yescale.llms import YEScaleGemini
from llama_index_yescale.llms._convert import to_openai_messages
from yescale import InvalidRequestError
from yescale.integration.streams import ChunkAccumulator
from yescale.translate.gemini_chat import (
    GeminiChunkTranslator,
    from_gemini_response,
    to_gemini_request,
)
from yescale.translate.gemini_generation import gemini_params
from yescale.translate.gemini_outputs import (
    OutputBlocks,
    blocks_to_parts,
    pcm_to_wav,
    url_citations,
)
from yescale.types.gemini import GenerateContentResponse, Part

PNG = base64.b64encode(b"\x89PNG\r\n\x1a\n" + bytes(24)).decode()
SIG = base64.b64encode(b"sig").decode()


def parts(*raw: dict[str, Any]) -> list[Part]:
    return [Part.model_validate(p) for p in raw]


def response(*raw: dict[str, Any], **candidate: Any) -> GenerateContentResponse:
    return GenerateContentResponse.model_validate(
        {
            "responseId": "r",
            "candidates": [
                {"content": {"role": "model", "parts": list(raw)}, "finishReason": "STOP"}
                | candidate
            ],
        }
    )


# -- parts -> blocks ------------------------------------------------------------------------------


def test_each_kind_of_part_becomes_its_standard_block() -> None:
    blocks = OutputBlocks("r").of(
        parts(
            {"text": "Look: "},
            {"text": "a cat.", "thoughtSignature": SIG},
            {"inlineData": {"mimeType": "image/png", "data": PNG}, "thoughtSignature": SIG},
            {"inlineData": {"mimeType": "application/pdf", "data": "JVBERi0="}},
            {"fileData": {"mimeType": "image/jpeg", "fileUri": "gs://b/cat.jpg"}},
            {"executableCode": {"language": "PYTHON", "code": "1/0"}},
            {"codeExecutionResult": {"outcome": "OUTCOME_FAILED", "output": "ZeroDivision"}},
            {"text": "thinking", "thought": True},
            {"functionCall": {"name": "f", "args": {}}},
        )
    )
    assert blocks == [
        {"type": "text", "text": "Look: a cat.", "index": 0, "extras": {"signature": SIG}},
        {
            "type": "image",
            "base64": PNG,
            "mime_type": "image/png",
            "extras": {"signature": SIG},
            "index": 1,
        },
        {"type": "file", "base64": "JVBERi0=", "mime_type": "application/pdf", "index": 2},
        {"type": "image", "url": "gs://b/cat.jpg", "mime_type": "image/jpeg", "index": 3},
        {
            "type": "server_tool_call",
            "name": "code_interpreter",
            "id": "r_code_1",
            "args": {"code": "1/0", "language": "python"},
            "index": 4,
        },
        {
            "type": "server_tool_result",
            "tool_call_id": "r_code_1",
            "status": "error",
            "output": "ZeroDivision",
            "extras": {"outcome": "OUTCOME_FAILED"},
            "index": 5,
        },
    ]


def test_pcm_speech_becomes_a_wav_at_its_rate() -> None:
    pcm = bytes(range(200))
    wav_b64 = pcm_to_wav(base64.b64encode(pcm).decode(), "audio/L16;codec=pcm;rate=16000")
    with wave.open(io.BytesIO(base64.b64decode(wav_b64))) as audio:
        assert audio.getframerate() == 16000
        assert audio.getnchannels() == 1
        assert audio.getsampwidth() == 2
        assert audio.readframes(100) == pcm
    (block,) = OutputBlocks("r").of(
        parts({"inlineData": {"mimeType": "audio/L16;codec=pcm;rate=24000", "data": "AAAA"}})
    )
    assert block["mime_type"] == "audio/wav"
    assert block["extras"] == {"gemini_mime_type": "audio/L16;codec=pcm;rate=24000"}
    # audio that is already a container stays as it came
    (mp3,) = OutputBlocks("r").of(parts({"inlineData": {"mimeType": "audio/mp3", "data": "SUQz"}}))
    assert mp3 == {"type": "audio", "base64": "SUQz", "mime_type": "audio/mp3", "index": 0}


def test_parts_round_trip_through_blocks() -> None:
    raw = [
        {"text": "Here.", "thoughtSignature": SIG},
        {"inlineData": {"mimeType": "image/png", "data": PNG}, "thoughtSignature": SIG},
        {"executableCode": {"language": "PYTHON", "code": "print(1)"}},
        {"codeExecutionResult": {"outcome": "OUTCOME_OK", "output": "1"}},
        {"fileData": {"mimeType": "image/jpeg", "fileUri": "gs://b/c.jpg"}},
    ]
    blocks = OutputBlocks("r").of(parts(*raw))
    assert blocks_to_parts(blocks) == raw


def test_model_turn_blocks_that_cannot_be_sent_are_refused() -> None:
    with pytest.raises(InvalidRequestError, match="base64 data without a mime_type"):
        blocks_to_parts([{"type": "image", "base64": PNG}])
    with pytest.raises(InvalidRequestError, match="neither base64 data nor a url"):
        blocks_to_parts([{"type": "audio", "mime_type": "audio/wav"}])
    # reasoning and tool calls travel elsewhere; an outcome without the enum comes from status
    assert blocks_to_parts(
        [
            {"type": "reasoning", "reasoning": "..."},
            {"type": "tool_call", "name": "f", "args": {}, "id": "1"},
            {"type": "server_tool_result", "status": "error", "output": "x"},
        ]
    ) == [{"codeExecutionResult": {"outcome": "OUTCOME_FAILED", "output": "x"}}]


def test_a_text_only_answer_stays_plain_text() -> None:
    completion = from_gemini_response(response({"text": "Hi"}))
    extra = completion.choices[0].message.model_extra or {}
    assert "content_blocks" not in extra
    assert "annotations" not in extra
    msg = ChatYEScaleGemini(api_key="k")._to_result(completion).generations[0].message
    assert msg.content == "Hi"


# -- citations ------------------------------------------------------------------------------------

GROUNDING = {
    "groundingChunks": [
        {"web": {"uri": "https://a.example/", "title": "a.example"}},
        {"retrievedContext": {"uri": "https://b.example/doc", "title": "Doc B"}},
        {"web": {"title": "no uri"}},
    ],
    "groundingSupports": [
        # byte offsets (Gemini's), no segment text: "Phở" has 5 bytes but 3 characters
        {"segment": {"startIndex": 0, "endIndex": 15}, "groundingChunkIndices": [0]},
        {
            "segment": {"startIndex": 15, "endIndex": 33, "text": "It comes from Hà Nội"},
            "groundingChunkIndices": [1, 2, 7],
        },
        "not a support",
    ],
}
TEXT = "Phở is a soup. It comes from Hà Nội."


def test_grounding_supports_become_url_citations_with_character_offsets() -> None:
    annotations = url_citations(GROUNDING, TEXT)
    spans = [
        (a["url_citation"]["start_index"], a["url_citation"]["end_index"]) for a in annotations
    ]
    assert [TEXT[s:e] for s, e in spans] == ["Phở is a soup", "It comes from Hà Nội"]
    assert [a["url_citation"]["url"] for a in annotations] == [
        "https://a.example/",
        "https://b.example/doc",
    ]
    assert annotations[1]["url_citation"]["title"] == "Doc B"
    assert url_citations(None, TEXT) == []
    assert url_citations({"groundingSupports": "junk"}, TEXT) == []


def test_langchain_citations_land_on_the_text_block_they_point_into() -> None:
    content = [
        {"type": "text", "text": "Phở is a soup. "},
        {"type": "image", "base64": PNG, "mime_type": "image/png"},
        {"type": "text", "text": "It comes from Hà Nội."},
    ]
    msg = AIMessage(
        content=content,  # type: ignore[arg-type]
        additional_kwargs={"annotations": url_citations(GROUNDING, TEXT)},
        response_metadata={"model_provider": "yescale"},
    )
    first, image, second = msg.content_blocks
    assert first["annotations"][0]["cited_text"] == "Phở is a soup"  # type: ignore[typeddict-item]
    late = second["annotations"][0]  # type: ignore[typeddict-item]
    assert (late["start_index"], late["end_index"]) == (0, 20)
    assert late["cited_text"] == "It comes from Hà Nội"
    assert "annotations" not in image
    # no annotations: langchain-core's own reading, unchanged
    plain = AIMessage(content="Hi", response_metadata={"model_provider": "yescale"})
    assert plain.content_blocks == [{"type": "text", "text": "Hi"}]


# -- streams --------------------------------------------------------------------------------------


def stream(events: list[list[dict[str, Any]]], grounding: Any = None) -> list[Any]:
    translator = GeminiChunkTranslator()
    out = []
    for i, chunk_parts in enumerate(events):
        candidate: dict[str, Any] = {"content": {"role": "model", "parts": chunk_parts}}
        if i == len(events) - 1:
            candidate["finishReason"] = "STOP"
            if grounding:
                candidate["groundingMetadata"] = grounding
        out.append(
            translator.translate(
                GenerateContentResponse.model_validate(
                    {"responseId": "r", "candidates": [candidate]}
                )
            )
        )
    return out


def test_stream_blocks_are_indexed_once_the_answer_is_more_than_text() -> None:
    chunks = stream(
        [
            [{"text": "Here "}],
            [{"text": "it is"}, {"inlineData": {"mimeType": "image/png", "data": PNG}}],
            [{"text": "Done."}],
        ]
    )
    extras = [c.choices[0].delta.model_extra or {} for c in chunks]
    assert "content_blocks" not in extras[0]
    assert [(b["type"], b["index"]) for b in extras[1]["content_blocks"]] == [
        ("text", 0),
        ("image", 1),
    ]
    assert [(b["type"], b["index"]) for b in extras[2]["content_blocks"]] == [("text", 2)]
    accumulated = ChunkAccumulator()
    for chunk in chunks:
        accumulated.add(chunk)
    assert accumulated.content == "Here it isDone."
    assert [(b["type"], b.get("text")) for b in accumulated.content_blocks or []] == [
        ("text", "Here "),
        ("text", "it is"),
        ("image", None),
        ("text", "Done."),
    ]


def test_stream_citations_come_with_the_last_chunk_over_the_whole_text() -> None:
    chunks = stream([[{"text": "Phở is a soup. "}], [{"text": "It comes from Hà Nội."}]], GROUNDING)
    extras = [c.choices[0].delta.model_extra or {} for c in chunks]
    assert "annotations" not in extras[0]
    assert extras[1]["annotations"] == url_citations(GROUNDING, TEXT)
    merged = AIMessageChunk(content="")
    sent: set[str] = set()
    for chunk in chunks:
        generation = ChatYEScaleGemini._generation_chunk(chunk, sent)
        assert generation is not None
        merged = merged + generation.message  # type: ignore[assignment]
    (text,) = merged.content_blocks
    assert [a["cited_text"] for a in text["annotations"]] == [  # type: ignore[typeddict-item]
        "Phở is a soup",
        "It comes from Hà Nội",
    ]


# -- switches -------------------------------------------------------------------------------------


def test_media_switches_make_the_generation_config() -> None:
    config, _ = gemini_params(
        {"response_modalities": "image", "aspect_ratio": "9:16", "image_size": "2k"}, None
    )
    assert config == {
        "responseModalities": ["IMAGE"],
        "imageConfig": {"aspectRatio": "9:16", "imageSize": "2K"},
    }
    config, _ = gemini_params(
        {"voice": "puck", "speech_config": {"languageCode": "vi-VN"}},
        {"imageConfig": {"personGeneration": "DONT_ALLOW"}},
    )
    assert config == {
        "imageConfig": {"personGeneration": "DONT_ALLOW"},
        "speechConfig": {
            "languageCode": "vi-VN",
            "voiceConfig": {"prebuiltVoiceConfig": {"voiceName": "Puck"}},
        },
        "responseModalities": ["AUDIO"],
    }


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"response_modalities": ["TEXT", "VIDEO"]}, "Gemini answers with TEXT, IMAGE, AUDIO"),
        ({"response_modalities": []}, "give a list such as"),
        ({"aspect_ratio": "7:5"}, "use one of 1:1, 2:3"),
        ({"image_size": "8K"}, "use one of 1K, 2K, 4K"),
        ({"voice": "Alexa"}, "not one of Gemini's prebuilt voices"),
        ({"voice": "Kore", "response_modalities": ["TEXT"]}, "has no 'AUDIO'"),
        ({"aspect_ratio": "1:1", "response_modalities": ["TEXT"]}, "has no 'IMAGE'"),
    ],
)
def test_bad_switches_are_refused_when_the_model_is_made(
    params: dict[str, Any], message: str
) -> None:
    with pytest.raises(InvalidRequestError, match=message):
        ChatYEScaleGemini(api_key="k", **params)
    with pytest.raises(InvalidRequestError, match=message):
        YEScaleGemini(api_key="k", **params)
    with pytest.raises(InvalidRequestError, match=message):
        ChatYEScaleGemini(api_key="k").bind(**params).invoke("Hi")  # per call, before sending


def test_a_speech_config_that_is_not_a_dict() -> None:
    with pytest.raises(ValueError, match="speech_config"):
        ChatYEScaleGemini(api_key="k", speech_config="Kore")
    with pytest.raises(InvalidRequestError, match="speech_config must be a dict"):
        ChatYEScaleGemini(api_key="k").invoke("Hi", speech_config="Kore")


# -- LlamaIndex history ---------------------------------------------------------------------------


def test_llamaindex_model_turn_names_the_block_holding_its_image() -> None:
    completion = from_gemini_response(
        response(
            {"text": "A cat.", "thoughtSignature": SIG},
            {"inlineData": {"mimeType": "image/png", "data": PNG}, "thoughtSignature": SIG},
        )
    )
    message = YEScaleGemini._to_response(completion).message
    assert [type(b) for b in message.blocks] == [TextBlock, ImageBlock]
    history = [ChatMessage(role="user", content="Draw"), message]
    (_, model_turn) = to_gemini_request(to_openai_messages(history, "auto", True))["contents"]
    assert model_turn["parts"][1] == {
        "inlineData": {"mimeType": "image/png", "data": PNG},
        "thoughtSignature": SIG,
    }
    # the OpenAI-format route never sends the Gemini-only field
    assert "content_blocks" not in to_openai_messages(history)[1]
    # the image block replaced by text: said clearly, not sent wrong
    message.blocks[1] = TextBlock(text="(image removed)")
    with pytest.raises(InvalidRequestError, match="block 1 holds its image, but that block is a"):
        to_openai_messages(history, "auto", True)


def test_openai_format_url_citations_become_langchain_citations_too() -> None:
    from langchain_yescale import ChatYEScale
    from yescale.types.chat import ChatCompletion

    text = "See the docs."
    annotation = {
        "type": "url_citation",
        "url_citation": {
            "url": "https://d.example/",
            "title": "Docs",
            "start_index": 4,
            "end_index": 12,
        },
    }
    completion = ChatCompletion.model_validate(
        {
            "id": "c",
            "model": "gpt-4o-search-preview",
            "choices": [
                {
                    "index": 0,
                    "finish_reason": "stop",
                    "message": {"role": "assistant", "content": text, "annotations": [annotation]},
                }
            ],
        }
    )
    msg = ChatYEScale(api_key="k")._to_result(completion).generations[0].message
    assert msg.content == text
    (block,) = msg.content_blocks
    assert block["annotations"] == [  # type: ignore[typeddict-item]
        {
            "type": "citation",
            "url": "https://d.example/",
            "title": "Docs",
            "start_index": 4,
            "end_index": 12,
            "cited_text": "the docs",
        }
    ]
    # not sent back: annotations are the answer's, not the next request's
    from langchain_yescale._openai_messages import message_to_openai

    assert "annotations" not in message_to_openai(msg)
