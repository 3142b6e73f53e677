"""client.images (generate, edit) over replayed cassettes, sync and async."""

from __future__ import annotations

import pytest
from vcr.cassette import Cassette

from tests.synth.answers import EDITED_PNG, TINY_PNG, ref_json
from yescale import BadRequestError, YEScaleClient
from yescale.types import ImagesResponse

from .client_support import CDN_HOST, sent_json

#: REF: gpt-image-1-generate.txt, the documented request (its answer is replayed verbatim).
REF_REQUEST = ref_json("gpt-image-1-generate.request.json")
BOUNDARY = "yescale-integrations-boundary-7b3f9e1c"
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def check_reference_answer(response: ImagesResponse) -> None:
    assert isinstance(response, ImagesResponse)
    assert response.created == 1748231162
    assert len(response.data) == 1
    assert response.data[0].b64_json == "xxxxx"  # the reference's placeholder, verbatim
    assert response.data[0].url is None
    usage = response.usage
    assert usage is not None
    assert (usage.input_tokens, usage.output_tokens, usage.total_tokens) == (95, 4160, 4255)
    assert usage.input_tokens_details == {"image_tokens": 0, "text_tokens": 95}


@pytest.mark.vcr
def test_images_generate_reference_example(vcr: Cassette) -> None:
    with YEScaleClient() as client:
        response = client.images.generate(model="gpt-image-1", prompt=REF_REQUEST["prompt"])
    check_reference_answer(response)
    assert sent_json(vcr, 0) == REF_REQUEST
    assert vcr.requests[0].uri == "https://api.yescale.io/v1/images/generations"


@pytest.mark.vcr
async def test_images_generate_reference_example_async(vcr: Cassette) -> None:
    async with YEScaleClient() as client:
        response = await client.aio.images.generate(**REF_REQUEST)
    check_reference_answer(response)
    assert sent_json(vcr, 0) == REF_REQUEST


@pytest.mark.vcr
def test_images_generate_b64_decodes_to_png(vcr: Cassette) -> None:
    with YEScaleClient() as client:
        response = client.images.generate(
            prompt="A red square", size="1024x1024", quality="low", background="opaque", n=2
        )
    assert len(response.data) == 2
    assert all(item.image_bytes() == TINY_PNG for item in response.data)
    assert response.usage is not None
    assert response.usage.total_tokens == 4255
    assert sent_json(vcr, 0) == {
        "model": "gpt-image-1",  # the default model
        "prompt": "A red square",
        "n": 2,
        "size": "1024x1024",
        "quality": "low",
        "background": "opaque",
    }


@pytest.mark.vcr
async def test_images_generate_url_answer_async(vcr: Cassette) -> None:
    async with YEScaleClient() as client:
        response = await client.aio.images.generate(
            model="dall-e-3", prompt="A lighthouse at dawn", response_format="url"
        )
    item = response.data[0]
    assert item.url is not None
    assert item.url.startswith(f"https://{CDN_HOST}/yescale-dall-e-3-")
    assert item.url.endswith("-0.png")
    assert item.revised_prompt == "A detailed rendering of: A lighthouse at dawn"
    assert item.b64_json is None
    assert item.image_bytes() is None
    assert response.usage is None
    assert sent_json(vcr, 0)["response_format"] == "url"


def check_multipart(cassette: Cassette) -> bytes:
    request = cassette.requests[0]
    assert request.uri == "https://api.yescale.io/v1/images/edits"
    content_type = request.headers["content-type"]
    content_type = content_type[0] if isinstance(content_type, list) else content_type
    assert content_type == f"multipart/form-data; boundary={BOUNDARY}"
    body = request.body
    assert isinstance(body, bytes)
    assert body.startswith(f"--{BOUNDARY}\r\n".encode())
    assert body.endswith(f"--{BOUNDARY}--\r\n".encode())
    return body


@pytest.mark.vcr
def test_images_edit_uploads_multipart(vcr: Cassette) -> None:
    with YEScaleClient() as client:
        response = client.images.edit(
            image=TINY_PNG, prompt="Make the square blue", size="1024x1024"
        )
    assert len(response.data) == 1
    edited = response.data[0].image_bytes()
    assert edited == EDITED_PNG
    assert edited.startswith(PNG_MAGIC)
    assert response.usage is not None
    assert response.usage.input_tokens_details == {"image_tokens": 194, "text_tokens": 95}
    assert response.usage.input_tokens == 95 + 194
    body = check_multipart(vcr)
    assert b'name="prompt"\r\n\r\nMake the square blue\r\n' in body
    assert b'name="model"\r\n\r\ngpt-image-1\r\n' in body
    assert b'name="size"\r\n\r\n1024x1024\r\n' in body
    assert b'name="image"; filename="image_0.png"\r\nContent-Type: image/png\r\n\r\n' in body
    assert TINY_PNG in body


@pytest.mark.vcr
async def test_images_edit_several_images_and_mask_async(vcr: Cassette) -> None:
    async with YEScaleClient() as client:
        response = await client.aio.images.edit(
            image=[TINY_PNG, ("second.png", TINY_PNG, "image/png")],
            mask=("mask.png", TINY_PNG, "image/png"),
            prompt="Blend both squares",
            n=2,
        )
    assert [item.image_bytes() for item in response.data] == [EDITED_PNG, EDITED_PNG]
    assert response.usage is not None
    assert response.usage.input_tokens_details == {"image_tokens": 388, "text_tokens": 95}
    body = check_multipart(vcr)
    assert body.count(b'name="image[]"') == 2
    assert b'name="image[]"; filename="image_0.png"' in body
    assert b'name="image[]"; filename="second.png"' in body
    assert b'name="mask"; filename="mask.png"' in body
    assert b'name="n"\r\n\r\n2\r\n' in body


@pytest.mark.vcr
def test_images_edit_unreadable_image_is_bad_request() -> None:
    with YEScaleClient() as client, pytest.raises(BadRequestError) as info:
        client.images.edit(image=b"not an image at all", prompt="Make it blue")
    assert info.value.status_code == 400
    assert "Invalid input image" in str(info.value)


@pytest.mark.vcr
def test_images_edit_tuple_of_three_images(vcr: Cassette) -> None:
    # Three images in a tuple are three uploads, not one (filename, bytes, mime) file tuple.
    with YEScaleClient() as client:
        response = client.images.edit(image=(TINY_PNG, TINY_PNG, TINY_PNG), prompt="Merge them")
    assert response.data[0].image_bytes() == EDITED_PNG
    assert response.usage is not None
    assert response.usage.input_tokens_details == {"image_tokens": 3 * 194, "text_tokens": 95}
    body = check_multipart(vcr)
    for i in range(3):
        assert f'name="image[]"; filename="image_{i}.png"'.encode() in body
