"""Per-model image parameter rules: what passes, and errors that list what is allowed."""

from __future__ import annotations

from typing import Any

import pytest

from yescale import InvalidRequestError
from yescale.models.images import (
    ImageParameterError,
    describe_image_model,
    image_rules_for,
    validate_image_params,
)

GPT_SIZES = "1024x1024, 1536x1024, 1024x1536, auto"


def refused(model: str, **params: Any) -> ImageParameterError:
    with pytest.raises(ImageParameterError) as info:
        validate_image_params(model, params)
    return info.value


def test_gpt_image_1_accepts_documented_values_and_drops_none() -> None:
    params = {
        "n": 10,
        "size": "1536x1024",
        "quality": "medium",
        "background": "transparent",
        "moderation": "low",
        "output_format": "webp",
        "output_compression": 80,
        "style": None,
    }
    assert validate_image_params("gpt-image-1", params) == {
        k: v for k, v in params.items() if v is not None
    }
    for size in GPT_SIZES.split(", "):
        validate_image_params("gpt-image-1", {"size": size})


@pytest.mark.parametrize(
    ("param", "value", "allowed"),
    [
        ("size", "512x512", GPT_SIZES),
        ("size", "1792x1024", GPT_SIZES),
        ("n", 0, "an integer from 1 to 10"),
        ("n", 11, "an integer from 1 to 10"),
        ("n", "2", "an integer from 1 to 10"),
        ("n", True, "an integer from 1 to 10"),
        ("quality", "hd", "high, medium, low, auto"),
        ("background", "white", "transparent, opaque, auto"),
        ("moderation", "high", "low, auto"),
        ("output_format", "gif", "png, jpeg, webp"),
    ],
)
def test_gpt_image_1_refuses_with_allowed_values(param: str, value: Any, allowed: str) -> None:
    error = refused("gpt-image-1", **{param: value})
    assert f"{param}={value!r} is not allowed (allowed: {allowed})" in str(error)
    assert error.model == "gpt-image-1"
    assert error.allowed[param] == allowed
    assert isinstance(error, InvalidRequestError)
    assert isinstance(error, ValueError)


def test_gpt_image_1_refuses_parameters_it_does_not_take() -> None:
    error = refused("gpt-image-1", style="vivid", response_format="url")
    assert "style='vivid' is not a gpt-image-1 parameter" in str(error)
    assert "response_format='url' is not a gpt-image-1 parameter" in str(error)
    assert "it takes: n, size, quality, background, moderation, output_format" in str(error)


def test_gpt_image_1_cross_field_rules() -> None:
    error = refused("gpt-image-1", background="transparent", output_format="jpeg")
    assert "JPEG has no transparency" in str(error)
    error = refused("gpt-image-1", output_compression=50)
    assert "output_compression applies to jpeg and webp only" in str(error)
    validate_image_params("gpt-image-1", {"output_compression": 50, "output_format": "jpeg"})


def test_every_problem_is_listed_at_once() -> None:
    error = refused("gpt-image-1", size="1x1", quality="ultra", n=99)
    assert len(error.problems) == 3
    text = str(error)
    assert "size='1x1'" in text
    assert "quality='ultra'" in text
    assert "n=99" in text
    assert describe_image_model("gpt-image-1") in text


def test_gpt_image_1_variants_share_the_rules() -> None:
    assert image_rules_for("gpt-image-1-mini").name == "gpt-image-1"
    assert image_rules_for("GPT-Image-1").name == "gpt-image-1"


def test_dall_e_3_rules() -> None:
    ok = {
        "n": 1,
        "size": "1792x1024",
        "quality": "hd",
        "style": "natural",
        "response_format": "b64_json",
    }
    assert validate_image_params("dall-e-3", ok) == ok
    assert "n=2 is not allowed (allowed: 1)" in str(refused("dall-e-3", n=2))
    error = refused("dall-e-3", size="1536x1024", quality="high", style="anime")
    assert "allowed: 1024x1024, 1792x1024, 1024x1792" in str(error)
    assert "allowed: standard, hd" in str(error)
    assert "allowed: vivid, natural" in str(error)
    assert "background='auto' is not a dall-e-3 parameter" in str(
        refused("dall-e-3", background="auto")
    )


def test_dall_e_3_cannot_edit() -> None:
    with pytest.raises(ImageParameterError, match="dall-e-3 cannot edit images"):
        validate_image_params("dall-e-3", {}, edit=True)
    validate_image_params("gpt-image-1", {}, edit=True)


def test_prompt_length_limits() -> None:
    with pytest.raises(ImageParameterError, match="takes at most 4000"):
        validate_image_params("dall-e-3", {}, prompt="x" * 4001)
    validate_image_params("dall-e-3", {}, prompt="x" * 4000)


@pytest.mark.parametrize(
    ("model", "family"),
    [
        ("imagen-4.0-generate-preview-06-06", "imagen"),
        ("imagen4", "imagen"),
        ("seedream-3.0", "seedream"),
        ("seedream-4-0-250828", "seedream"),
        ("flux-kontext-pro", "flux"),
        ("flux-1.1-pro", "flux"),
        ("recraftv3", "recraft"),
        ("gemini-2.5-flash-image-preview", "gemini-2.5-flash-image"),
        ("nano-banana", "gemini-2.5-flash-image"),
    ],
)
def test_dall_e_format_models_are_permissive(model: str, family: str) -> None:
    rules = image_rules_for(model)
    assert rules.name == family
    assert rules.documented is False
    params = {"size": "2K", "aspect_ratio": "16:9", "quality": "whatever", "n": 4}
    assert validate_image_params(model, params) == params
    assert "passed through unchecked" in describe_image_model(model)
    assert "n=0 is not allowed" in str(refused(model, n=0))


def test_unknown_models_pass_through() -> None:
    rules = image_rules_for("some-new-image-model")
    assert rules.documented is False
    assert validate_image_params("some-new-image-model", {"size": "7x7", "foo": 1}) == {
        "size": "7x7",
        "foo": 1,
    }


def test_descriptions_list_allowed_values() -> None:
    text = describe_image_model("gpt-image-1")
    assert f"size: {GPT_SIZES}" in text
    assert "n: an integer from 1 to 10" in text
    assert "user" not in text
    assert "style: vivid, natural" in describe_image_model("dall-e-3")
