"""client.chat over replayed cassettes, sync and async."""

from __future__ import annotations

import pytest
from vcr.cassette import Cassette

from yescale import AuthenticationError, YEScaleClient
from yescale.types import ChatCompletion, ChatCompletionChunk

from .client_support import sent_json

MESSAGES = [{"role": "user", "content": "Say hello."}]


@pytest.mark.vcr
def test_chat_create() -> None:
    with YEScaleClient() as client:
        reply = client.chat.create(model="gpt-4o-mini", messages=MESSAGES)
    assert reply.choices[0].message.content
    assert reply.choices[0].finish_reason == "stop"
    assert reply.usage is not None
    assert reply.usage.total_tokens == reply.usage.prompt_tokens + reply.usage.completion_tokens


@pytest.mark.vcr
async def test_chat_create_async(vcr: Cassette) -> None:
    async with YEScaleClient() as client:
        reply = await client.aio.chat.create(model="gpt-4o-mini", messages=MESSAGES, temperature=0)
    assert isinstance(reply, ChatCompletion)
    assert reply.choices[0].message.role == "assistant"
    assert reply.choices[0].message.content == "Hello! How can I help you today?"
    assert reply.model == "gpt-4o-mini"
    assert reply.usage is not None
    assert reply.usage.total_tokens == 18
    assert sent_json(vcr, 0) == {"model": "gpt-4o-mini", "messages": MESSAGES, "temperature": 0}


@pytest.mark.vcr
def test_chat_stream(vcr: Cassette) -> None:
    with YEScaleClient() as client:
        chunks = list(client.chat.stream(model="gpt-4o-mini", messages=MESSAGES))
    assert all(isinstance(c, ChatCompletionChunk) for c in chunks)
    text = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
    assert text == "Hello! How can I help you today?"
    finishes = [c.choices[0].finish_reason for c in chunks if c.choices]
    assert finishes[-1] == "stop"
    assert all(f is None for f in finishes[:-1])
    # The usage-only chunk comes last (stream_options.include_usage is sent by default).
    assert chunks[-1].choices == []
    assert chunks[-1].usage is not None
    assert chunks[-1].usage.completion_tokens == len(text.split())
    assert sent_json(vcr, 0)["stream_options"] == {"include_usage": True}


@pytest.mark.vcr
async def test_chat_stream_async() -> None:
    client = YEScaleClient()
    chunks = [c async for c in client.aio.chat.stream(model="gpt-4o-mini", messages=MESSAGES)]
    await client.aclose()
    text = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
    assert text
    assert chunks[-1].usage is not None
    assert chunks[-1].usage.completion_tokens > 0


@pytest.mark.vcr
def test_bad_key_is_authentication_error() -> None:
    client = YEScaleClient(api_key="sk-invalid-key-for-tests-0000")
    with pytest.raises(AuthenticationError) as info:
        client.chat.create(model="gpt-4o-mini", messages=MESSAGES)
    assert "YESCALE_API_KEY" in str(info.value)
    assert "sk-invalid-key-for-tests-0000" not in str(info.value)
