"""Gemini's non-text outputs against the peer, ``ChatGoogleGenerativeAI``: the same switches give
the same ``generationConfig``, and a model turn holding an image, or code and its result, goes
back on the next turn as the peer sends it, except differences asserted here on purpose.
"""

from __future__ import annotations

import base64
from typing import Any

import pytest
from google.genai.types import Modality
from langchain_core.language_models import BaseChatModel
from langchain_core.messages import HumanMessage
from langchain_google_genai import ChatGoogleGenerativeAI

from langchain_yescale import ChatYEScaleGemini

from .support import PNG_B64, Recorder
from .test_langchain_gemini import our_model, peer_model

IMAGE_MODEL = "gemini-2.5-flash-image"
TEXT_SIGNATURE = base64.b64encode(b"text-signature").decode()
IMAGE_SIGNATURE = base64.b64encode(b"image-signature").decode()


def peer(recorder: Recorder, **settings: Any) -> ChatGoogleGenerativeAI:
    return peer_model(recorder, IMAGE_MODEL, **settings)


def ours(recorder: Recorder, **settings: Any) -> ChatYEScaleGemini:
    return our_model(recorder, IMAGE_MODEL, **settings)


def test_image_switches_send_the_peers_generation_config(recorder: Recorder) -> None:
    theirs = recorder.sent(
        lambda: peer(
            recorder,
            response_modalities=[Modality.TEXT, Modality.IMAGE],
            image_config={"aspect_ratio": "16:9"},
        ).invoke("Draw a cat")
    )
    mine = recorder.sent(
        lambda: ours(recorder, response_modalities=["text", "image"], aspect_ratio="16:9").invoke(
            "Draw a cat"
        )
    )
    assert theirs["generationConfig"]["responseModalities"] == ["TEXT", "IMAGE"]
    assert mine["generationConfig"] == {
        "responseModalities": theirs["generationConfig"]["responseModalities"],
        "imageConfig": theirs["generationConfig"]["imageConfig"],
    }
    assert mine["contents"] == theirs["contents"]


IMAGE_ANSWER = [
    {"text": "Here is a cat.", "thoughtSignature": TEXT_SIGNATURE},
    {"inlineData": {"mimeType": "image/png", "data": PNG_B64}, "thoughtSignature": IMAGE_SIGNATURE},
]
CODE_ANSWER = [
    {"executableCode": {"language": "PYTHON", "code": "print(2 + 3)"}},
    {"codeExecutionResult": {"outcome": "OUTCOME_OK", "output": "5\n"}},
    {"text": "It is 5."},
]


def camel(inline: dict[str, Any]) -> dict[str, Any]:
    return {"mimeType": inline.get("mimeType", inline.get("mime_type")), "data": inline["data"]}


def second_turn(recorder: Recorder, model: BaseChatModel, streamed: bool) -> dict[str, Any]:
    if streamed:
        answer: Any = None
        for chunk in model.stream("Draw a cat"):
            answer = chunk if answer is None else answer + chunk
    else:
        answer = model.invoke("Draw a cat")
    return recorder.sent(
        lambda: model.invoke([HumanMessage("Draw a cat"), answer, HumanMessage("Make it blue")])
    )


@pytest.mark.parametrize("streamed", [False, True], ids=["invoke", "stream"])
def test_image_turn_sent_back_with_its_signatures(recorder: Recorder, streamed: bool) -> None:
    """Both send an image answer back as the ``model`` turn it was: the text and the image, each
    with its own ``thoughtSignature`` (Gemini 3's image models refuse an edit whose image lost
    it). The one difference: the peer spells ``inlineData.mime_type`` in snake case (Gemini
    reads both; see test_langchain_gemini's ``mime_type_in_camel_case``)."""
    recorder.gemini_parts = IMAGE_ANSWER
    theirs = second_turn(recorder, peer(recorder), streamed)["contents"][1]
    mine = second_turn(recorder, ours(recorder), streamed)["contents"][1]
    assert mine == {"role": "model", "parts": IMAGE_ANSWER}
    their_parts = [
        {**p, "inlineData": camel(p["inlineData"])} if "inlineData" in p else p
        for p in theirs["parts"]
    ]
    assert mine == {"role": theirs["role"], "parts": their_parts}


def test_code_execution_turn_sent_back_as_the_peer_sends_it(recorder: Recorder) -> None:
    """The code the model ran and its result go back as the ``executableCode`` and
    ``codeExecutionResult`` parts they came as, in order, as the peer sends them."""
    recorder.gemini_parts = CODE_ANSWER
    theirs = second_turn(recorder, peer(recorder), False)["contents"][1]
    mine = second_turn(recorder, ours(recorder, code_execution=True), False)["contents"][1]
    assert mine == {"role": "model", "parts": CODE_ANSWER}
    assert mine == theirs
