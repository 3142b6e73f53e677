"""Nano-banana through our image tool against its peer, google-genai's own client: the same
prompt, aspect ratio, size and input images through ``genai.Client().models.generate_content``
and through :class:`yescale.tools.ImageGenerator`, against the local recorder, send the same
``generateContent`` body to the same path; both bodies pass google-genai's types (the recorder
checks each: :func:`tests.peers.support.check_gemini_image_body`), and both read the same image.
"""

from __future__ import annotations

from typing import Any

import pytest
from google import genai
from google.genai import types

from yescale import YEScaleClient
from yescale.tools import ImageGenerator

from .support import FAKE_KEY, PNG, PNG_B64, Recorder

CASES: list[tuple[str, str, dict[str, Any], types.ImageConfig | None, list[str] | None]] = [
    ("nano-banana", "gemini-2.5-flash-image", {}, None, None),
    (
        "gemini-2.5-flash-image",
        "gemini-2.5-flash-image",
        {"aspect_ratio": "16:9"},
        types.ImageConfig(aspect_ratio="16:9"),
        None,
    ),
    (
        "gemini-3-pro-image-preview",
        "gemini-3-pro-image-preview",
        {"aspect_ratio": "4:5", "image_size": "2K", "response_modalities": ["IMAGE"]},
        types.ImageConfig(aspect_ratio="4:5", image_size="2K"),
        ["IMAGE"],
    ),
]


def inline_mime_type_in_camel_case(body: dict[str, Any]) -> dict[str, Any]:
    """google-genai 3.6 writes ``inlineData.mime_type`` (the proto field name); we write
    ``mimeType``, as Gemini's REST reference and its JSON answers spell it. Gemini reads both
    (proto JSON accepts either spelling), so the peer's is turned into ours."""
    for content in body.get("contents", []):
        for part in content.get("parts", []):
            blob = part.get("inlineData")
            if isinstance(blob, dict) and "mime_type" in blob:
                blob["mimeType"] = blob.pop("mime_type")
    return body


def peer_client(recorder: Recorder) -> genai.Client:
    """google-genai at the recorder, on ``v1beta`` (its default here is ``v1``; the YEScale
    reference's endpoint is ``/v1beta/models/{model}:generateContent``)."""
    options = types.HttpOptions(base_url=recorder.url, api_version="v1beta")
    return genai.Client(api_key=FAKE_KEY, http_options=options)


@pytest.mark.parametrize("edit", [False, True], ids=["generate", "edit"])
@pytest.mark.parametrize(("model", "wire", "params", "image_config", "modalities"), CASES)
def test_the_body_is_google_genais(
    recorder: Recorder,
    model: str,
    wire: str,
    params: dict[str, Any],
    image_config: types.ImageConfig | None,
    modalities: list[str] | None,
    edit: bool,
) -> None:
    recorder.gemini_parts = [
        {"text": "Here you go."},
        {"inlineData": {"mimeType": "image/png", "data": PNG_B64}},
    ]
    prompt = "Make it winter" if edit else "A red fox in the snow"
    contents: list[Any] = [prompt]
    if edit:
        contents += [types.Part.from_bytes(data=PNG, mime_type="image/png")] * 2
    config = types.GenerateContentConfig(
        response_modalities=modalities or ["TEXT", "IMAGE"], image_config=image_config
    )
    recorder.take()
    peer = peer_client(recorder)  # (kept: a client collected mid-call closes its connection)
    answer = peer.models.generate_content(model=wire, contents=contents, config=config)
    (theirs,) = recorder.take()

    client = YEScaleClient(api_key=FAKE_KEY, base_url=recorder.url, max_retries=0)
    generator = ImageGenerator(client, model=model)
    result = generator.run(prompt, images=[PNG, PNG] if edit else None, **params)
    (ours,) = recorder.take()

    assert ours.path == theirs.path == f"/v1beta/models/{wire}:generateContent"
    assert ours.json() == inline_mime_type_in_camel_case(theirs.json())
    assert ours.headers["x-goog-api-key"] == theirs.headers["x-goog-api-key"] == FAKE_KEY
    peer_images = [p.inline_data.data for p in answer.parts or [] if p.inline_data]
    assert [image.data for image in result.images] == peer_images == [PNG]
    assert result.note == answer.text == "Here you go."
