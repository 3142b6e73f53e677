"""client.embeddings over replayed cassettes, sync and async."""

from __future__ import annotations

import base64
import struct

import pytest
from vcr.cassette import Cassette

from yescale import BadRequestError, YEScaleClient
from yescale.types import EmbeddingResponse

from .client_support import assert_all_played, sent_json

MODEL = "text-embedding-3-small"
TEXTS = ["The quick brown fox", "jumps over", "the lazy dog"]


def check_sorted_by_index(response: EmbeddingResponse, count: int, dimensions: int) -> None:
    # The service listed the items out of order: vectors() must follow `index`, not the list.
    assert [item.index for item in response.data] == list(range(count))[::-1]
    by_index = {item.index: item.embedding for item in response.data}
    vectors = response.vectors()
    assert vectors == [by_index[i] for i in range(count)]
    assert vectors[0] != response.data[0].embedding
    assert all(len(v) == dimensions for v in vectors)
    assert all(isinstance(x, float) and -1.0 <= x < 1.0 for v in vectors for x in v)
    assert len({tuple(v) for v in vectors}) == count  # one distinct vector per text


@pytest.mark.vcr
def test_embeddings_create_list_in_index_order(vcr: Cassette) -> None:
    with YEScaleClient() as client:
        response = client.embeddings.create(model=MODEL, input=TEXTS, dimensions=8)
    assert isinstance(response, EmbeddingResponse)
    assert response.model == MODEL
    assert response.object == "list"
    check_sorted_by_index(response, 3, 8)
    assert response.usage is not None
    assert response.usage.prompt_tokens == 9
    assert response.usage.total_tokens == 9
    assert sent_json(vcr, 0) == {"model": MODEL, "input": TEXTS, "dimensions": 8}


@pytest.mark.vcr
async def test_embeddings_create_list_in_index_order_async(vcr: Cassette) -> None:
    async with YEScaleClient() as client:
        response = await client.aio.embeddings.create(model=MODEL, input=TEXTS, dimensions=8)
        single = await client.aio.embeddings.create(model=MODEL, input="jumps over", dimensions=8)
    check_sorted_by_index(response, 3, 8)
    # The same text embeds to the same vector, alone or in a batch.
    assert single.vectors() == [response.vectors()[1]]
    assert sent_json(vcr, 1) == {"model": MODEL, "input": "jumps over", "dimensions": 8}


def check_base64(floats: EmbeddingResponse, packed: EmbeddingResponse, dimensions: int) -> None:
    assert all(isinstance(item.embedding, str) for item in packed.data)
    assert all(isinstance(item.embedding, list) for item in floats.data)
    # `.vector` decodes little-endian float32 exactly: the same numbers as the float answer.
    assert packed.vectors() == floats.vectors()
    first = next(item for item in packed.data if item.index == 0)
    assert isinstance(first.embedding, str)
    raw = base64.b64decode(first.embedding)
    assert len(raw) == 4 * dimensions
    assert list(struct.unpack(f"<{dimensions}f", raw)) == first.vector


@pytest.mark.vcr
def test_embeddings_base64_decodes_to_the_float_vectors(vcr: Cassette) -> None:
    with YEScaleClient() as client:
        floats = client.embeddings.create(model=MODEL, input=TEXTS[:2], dimensions=16)
        packed = client.embeddings.create(
            model=MODEL, input=TEXTS[:2], dimensions=16, encoding_format="base64"
        )
    check_base64(floats, packed, 16)
    assert sent_json(vcr, 1)["encoding_format"] == "base64"
    assert_all_played(vcr)


@pytest.mark.vcr
async def test_embeddings_base64_decodes_to_the_float_vectors_async(vcr: Cassette) -> None:
    async with YEScaleClient() as client:
        floats = await client.aio.embeddings.create(model=MODEL, input=TEXTS[1:], dimensions=16)
        packed = await client.aio.embeddings.create(
            model=MODEL, input=TEXTS[1:], dimensions=16, encoding_format="base64"
        )
    check_base64(floats, packed, 16)
    assert_all_played(vcr)


@pytest.mark.vcr
def test_embeddings_dimensions_refused_by_model_is_bad_request() -> None:
    with YEScaleClient() as client, pytest.raises(BadRequestError) as info:
        client.embeddings.create(model="text-embedding-ada-002", input=TEXTS, dimensions=8)
    assert info.value.status_code == 400
    assert "does not support specifying dimensions" in str(info.value)
