"""client.chat over replayed cassettes, sync and async."""

from __future__ import annotations

import pytest

from yescale import AuthenticationError, YEScaleClient

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
async def test_chat_stream_async() -> None:
    client = YEScaleClient()
    chunks = [c async for c in client.aio.chat.stream(model="gpt-4o-mini", messages=MESSAGES)]
    await client.aclose()
    text = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
    assert text
    assert chunks[-1].usage is not None and chunks[-1].usage.completion_tokens > 0


@pytest.mark.vcr
def test_bad_key_is_authentication_error() -> None:
    client = YEScaleClient(api_key="sk-invalid-key-for-tests-0000")
    with pytest.raises(AuthenticationError) as info:
        client.chat.create(model="gpt-4o-mini", messages=MESSAGES)
    assert "YESCALE_API_KEY" in str(info.value)
    assert "sk-invalid-key-for-tests-0000" not in str(info.value)
