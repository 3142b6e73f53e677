"""Nano-banana on Gemini's native ``generateContent``: which models take the route, the rules
checked before any request, the request bodies (checked with google-genai's own types), and
reading the answer (the tools' faces: ``test_nano_banana_image_tools.py``)."""

from __future__ import annotations

import base64
from typing import Any

import pytest

from tests.peers.support import check_gemini_image_body
from yescale.models.gemini_images import (
    ASPECT_RATIOS,
    describe_gemini_image_model,
    gemini_image_rules_for,
    validate_gemini_image_params,
)
from yescale.models.images import ImageParameterError, validate_image_params
from yescale.tools import ImageNotGeneratedError
from yescale.tools.gemini_images import (
    MAX_INLINE_REQUEST_BYTES,
    check_inline_size,
    image_contents,
    image_generation_config,
    read_image_answer,
)
from yescale.tools.inputs import InputImage, InputImageError, checked_image
from yescale.types.gemini import GenerateContentResponse

PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=="
)
PNG_B64 = base64.b64encode(PNG).decode()
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 16
#: An 8 MB "PNG": two of them pass Gemini's 20 MB of inline data once base64-encoded.
BIG = b"\x89PNG\r\n\x1a\n" + b"\x00" * (8 * 1000 * 1000)
FLASH = "gemini-2.5-flash-image"
PRO = "gemini-3-pro-image-preview"


def image(data: bytes = PNG) -> InputImage:
    return checked_image(data, "bytes", None, "(bytes)")


def refused(model: str, **params: Any) -> ImageParameterError:
    with pytest.raises(ImageParameterError) as info:
        validate_gemini_image_params(model, params)
    return info.value


# -- which models take the route ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("model", "rules", "wire"),
    [
        ("nano-banana", FLASH, FLASH),
        ("NANO-BANANA", FLASH, FLASH),
        (FLASH, FLASH, FLASH),
        ("gemini-2.5-flash-image-preview", FLASH, "gemini-2.5-flash-image-preview"),
        ("models/gemini-2.5-flash-image", FLASH, FLASH),
        (PRO, "gemini-3-pro-image", PRO),
        ("nano-banana-pro", "gemini-3-pro-image", PRO),
    ],
)
def test_nano_banana_models_take_the_gemini_route(model: str, rules: str, wire: str) -> None:
    found = gemini_image_rules_for(model)
    assert found is not None
    assert found.name == rules
    assert found.wire_name(model) == wire


@pytest.mark.parametrize(
    "model", ["gpt-image-1", "dall-e-3", "imagen-4.0-generate-001", "flux-kontext-pro", "x"]
)
def test_other_models_keep_the_images_endpoints(model: str) -> None:
    assert gemini_image_rules_for(model) is None


def test_the_dall_e_format_route_of_nano_banana_stays_permissive() -> None:
    """``client.images`` (``/v1/images/generations``) still passes these models' values through."""
    assert validate_image_params("nano-banana", {"size": "1024x1024", "n": 2}) == {
        "size": "1024x1024",
        "n": 2,
    }


# -- rules ------------------------------------------------------------------------------------


@pytest.mark.parametrize("ratio", ASPECT_RATIOS)
def test_every_documented_aspect_ratio_is_accepted(ratio: str) -> None:
    assert validate_gemini_image_params(FLASH, {"aspect_ratio": ratio}) == {"aspect_ratio": ratio}
    assert validate_gemini_image_params(PRO, {"aspect_ratio": ratio}) == {"aspect_ratio": ratio}


def test_aspect_ratios_are_the_documented_ten() -> None:
    assert ASPECT_RATIOS == (
        "1:1", "2:3", "3:2", "3:4", "4:3", "4:5", "5:4", "9:16", "16:9", "21:9",
    )  # fmt: skip


@pytest.mark.parametrize("ratio", ["16:10", "1x1", "square", 1.5, ""])
def test_other_aspect_ratios_are_refused_with_the_list(ratio: Any) -> None:
    error = refused(FLASH, aspect_ratio=ratio)
    assert f"aspect_ratio={ratio!r} is not allowed (allowed: {', '.join(ASPECT_RATIOS)})" in str(
        error
    )
    assert error.allowed["aspect_ratio"] == ", ".join(ASPECT_RATIOS)


def test_image_size_only_for_the_pro_model() -> None:
    for size in ("1K", "2K", "4K"):
        assert validate_gemini_image_params(PRO, {"image_size": size}) == {"image_size": size}
    error = refused(FLASH, image_size="2K")
    assert "image_size='2K' is not a gemini-2.5-flash-image parameter" in str(error)
    assert "only gemini-3-pro-image-preview, a.k.a. nano-banana-pro, takes image_size" in str(error)
    assert "write the K in upper case" in str(refused(PRO, image_size="2k"))
    assert "allowed: 1K, 2K, 4K" in str(refused(PRO, image_size="8K"))


@pytest.mark.parametrize("n", [2, 4, 0])
def test_n_is_one_and_the_error_says_why(n: int) -> None:
    error = refused("nano-banana", n=n)
    assert f"n={n} is not allowed (allowed: 1)" in str(error)
    assert "one image per request (call again for more)" in str(error)
    assert validate_gemini_image_params("nano-banana", {"n": 1}) == {"n": 1}


def test_size_and_other_openai_parameters_are_refused_with_what_to_give() -> None:
    error = refused("nano-banana", size="1024x1024", quality="high", style="vivid")
    text = str(error)
    assert "size='1024x1024' is not a gemini-2.5-flash-image parameter" in text
    assert "give aspect_ratio (e.g. '16:9') instead" in text
    assert "quality='high' is not a gemini-2.5-flash-image parameter" in text
    assert "describe the style in the prompt" in text
    assert len(error.problems) == 3
    assert describe_gemini_image_model("nano-banana") in text


def test_response_modalities() -> None:
    for value in (["IMAGE"], ["TEXT", "IMAGE"], ["IMAGE", "TEXT"]):
        validate_gemini_image_params(FLASH, {"response_modalities": value})
    for bad in (["TEXT"], "IMAGE", ["IMAGE", "IMAGE"], ["AUDIO", "IMAGE"], []):
        assert "response_modalities" in str(refused(FLASH, response_modalities=bad))


def test_mask_and_too_many_inputs_are_refused() -> None:
    with pytest.raises(ImageParameterError, match="takes no mask"):
        validate_gemini_image_params(FLASH, {}, edit_images=1, mask=True)
    with pytest.raises(ImageParameterError, match="15 input images; gemini-3-pro-image takes"):
        validate_gemini_image_params(PRO, {}, edit_images=15)
    validate_gemini_image_params(PRO, {}, edit_images=14)
    validate_gemini_image_params(FLASH, {}, edit_images=15)  # "works best with 3": no limit


def test_descriptions_say_aspect_ratio_not_size() -> None:
    flash = describe_gemini_image_model("nano-banana")
    assert flash.startswith("nano-banana (gemini-2.5-flash-image) accepts aspect_ratio: 1:1")
    assert "n: 1" in flash
    assert "no size" in flash
    assert "image_size: 1K, 2K, 4K" in describe_gemini_image_model(PRO)


# -- request bodies ----------------------------------------------------------------------------


BODIES: list[tuple[dict[str, Any], int, dict[str, Any]]] = [
    ({}, 0, {"responseModalities": ["TEXT", "IMAGE"]}),
    (
        {"aspect_ratio": "16:9"},
        0,
        {"responseModalities": ["TEXT", "IMAGE"], "imageConfig": {"aspectRatio": "16:9"}},
    ),
    (
        {"aspect_ratio": "21:9", "image_size": "4K", "response_modalities": ["IMAGE"], "n": 1},
        2,
        {
            "responseModalities": ["IMAGE"],
            "imageConfig": {"aspectRatio": "21:9", "imageSize": "4K"},
        },
    ),
    (
        {"image_size": "1K"},
        1,
        {"responseModalities": ["TEXT", "IMAGE"], "imageConfig": {"imageSize": "1K"}},
    ),
]


@pytest.mark.parametrize(("params", "inputs", "config"), BODIES)
def test_request_bodies_match_the_gemini_wire_format(
    params: dict[str, Any], inputs: int, config: dict[str, Any]
) -> None:
    images = [image(PNG), image(JPEG)][:inputs]
    contents = image_contents("Draw a fox", images)
    body = {"contents": contents, "generationConfig": image_generation_config(params)}
    check_gemini_image_body(body)  # google-genai's own types, unknown fields forbidden
    assert body["generationConfig"] == config
    parts = contents[0]["parts"]
    assert contents[0]["role"] == "user"
    assert parts[0] == {"text": "Draw a fox"}
    assert parts[1:] == [
        {"inlineData": {"mimeType": i.mime, "data": base64.b64encode(i.data).decode()}}
        for i in images
    ]


def test_the_body_check_refuses_an_unknown_image_config_field() -> None:
    """The check is not vacuous: a field Gemini's ImageConfig does not have fails it."""
    with pytest.raises(ValueError, match="Extra inputs are not permitted"):
        check_gemini_image_body(
            {"contents": [], "generationConfig": {"imageConfig": {"size": "1024x1024"}}}
        )


def test_inline_size_is_checked_before_sending() -> None:
    big = image(BIG)
    check_inline_size([big])
    with pytest.raises(InputImageError, match="at most 20 MB of inline data"):
        check_inline_size([big, big])
    assert MAX_INLINE_REQUEST_BYTES == 20_000_000


# -- reading the answer ------------------------------------------------------------------------


def response(parts: list[dict[str, Any]], finish: str | None = "STOP", **top: Any) -> Any:
    candidate: dict[str, Any] = {"content": {"role": "model", "parts": parts}}
    if finish:
        candidate["finishReason"] = finish
    return GenerateContentResponse.model_validate({"candidates": [candidate], **top})


def test_images_note_and_usage_are_read() -> None:
    answer = read_image_answer(
        response(
            [
                {"text": "Thinking about foxes", "thought": True},
                {"inlineData": {"mimeType": "image/png", "data": PNG_B64}, "thought": True},
                {"text": "Here it is."},
                {"inlineData": {"mimeType": "image/jpeg", "data": base64.b64encode(JPEG).decode()}},
                {"inline_data": {"mime_type": "image/png", "data": PNG_B64}},
            ],
            usageMetadata={"promptTokenCount": 3, "candidatesTokenCount": 1290},
        ),
        FLASH,
    )
    assert answer.images == [(JPEG, "image/jpeg"), (PNG, "image/png")]
    assert answer.note == "Here it is."
    assert answer.usage == {"promptTokenCount": 3, "candidatesTokenCount": 1290}


def test_the_mime_type_comes_from_the_bytes() -> None:
    answer = read_image_answer(
        response([{"inlineData": {"mimeType": "image/webp", "data": PNG_B64}}]), FLASH
    )
    assert answer.images == [(PNG, "image/png")]


REFUSALS = [
    (
        {"promptFeedback": {"blockReason": "OTHER"}},
        "the prompt was blocked (promptFeedback.blockReason=OTHER)",
        "OTHER",
        None,
    ),
    (
        {"candidates": [{"finishReason": "IMAGE_SAFETY", "finishMessage": "Unable to show."}]},
        "the image was stopped by a content filter (finishReason=IMAGE_SAFETY)",
        None,
        "IMAGE_SAFETY",
    ),
    (
        {"candidates": [{"finishReason": "NO_IMAGE"}]},
        "the model made no image (finishReason=NO_IMAGE)",
        None,
        "NO_IMAGE",
    ),
    (
        {"candidates": [{"content": {"parts": [{"text": "Canids."}]}, "finishReason": "STOP"}]},
        "the model answered with text only, finishReason=STOP",
        None,
        "STOP",
    ),
]


@pytest.mark.parametrize(("body", "reason", "block", "finish"), REFUSALS)
def test_no_image_is_a_typed_error_naming_the_reason(
    body: dict[str, Any], reason: str, block: str | None, finish: str | None
) -> None:
    with pytest.raises(ImageNotGeneratedError) as info:
        read_image_answer(GenerateContentResponse.model_validate(body), "nano-banana")
    error = info.value
    assert error.reason == reason
    assert error.block_reason == block
    assert error.finish_reason == finish
    assert str(error).startswith(f"nano-banana made no image: {reason}.")


def test_the_models_text_is_in_the_error_scrubbed_and_clipped() -> None:
    text = "I will not draw that. " * 100 + "sk-abcdefghijklmnopqrstuvwxyz0123"
    with pytest.raises(ImageNotGeneratedError) as info:
        read_image_answer(response([{"text": text}], "PROHIBITED_CONTENT"), FLASH)
    assert info.value.model_text == text
    message = str(info.value)
    assert "The model wrote: 'I will not draw that." in message
    assert "sk-abcdefghijklmnopqrstuvwxyz0123" not in message
    assert len(message) < 1000
