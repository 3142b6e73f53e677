"""client.gemini (generate_content, stream_generate_content, chat.create, chat.stream) over
replayed cassettes, sync and async."""

from __future__ import annotations

import base64
import json
import os
from typing import Any

import pytest
from vcr.cassette import Cassette

from tests.synth.answers import HAIKU_LINES, HAIKU_PROMPT, TINY_PNG, ref_json
from yescale import AuthenticationError, YEScaleClient
from yescale.types import ChatCompletion, GenerateContentResponse

from .client_support import API_HOST, CDN_HOST, SentRequests, credentials_in, sent_json

MODEL = "gemini-2.5-flash"
#: REF: gemini-thinking.txt and gemini-structured-output.txt, the documented requests.
THINKING_REQUEST = ref_json("gemini-thinking.request.json")
STRUCTURED_REQUEST = ref_json("gemini-structured-output.request.json")
#: REF: media-task-api.txt, the input image of the submit example (on YEScale's CDN).
CDN_IMAGE = f"https://{CDN_HOST}/yescale-gpt-image-e3cb4a854f7e.png"
ENDPOINT = f"https://{API_HOST}/v1beta/models/{MODEL}"


def check_thinking_answer(response: GenerateContentResponse) -> None:
    assert isinstance(response, GenerateContentResponse)
    assert response.text.startswith("That's a fantastic question, and one that many people")
    assert "## In Summary" in response.text
    assert response.finished
    candidate = response.candidates[0]
    assert candidate.finish_reason == "STOP"
    assert candidate.content is not None
    assert candidate.content.role == "model"
    assert not any(part.thought for part in candidate.content.parts)
    usage = response.usage_metadata
    assert usage is not None
    assert (usage.prompt_token_count, usage.candidates_token_count) == (6, 1353)
    assert usage.total_token_count == 1359
    assert usage.thoughts_token_count is None  # thinkingBudget 0: no thinking was billed
    assert usage.prompt_tokens_details == [{"modality": "TEXT", "tokenCount": 6}]
    assert response.model_version == MODEL
    assert response.response_id == "GOG6aO3iCMuumtkPl8L8wAQ"


@pytest.mark.vcr
def test_gemini_generate_content_thinking_budget_zero(vcr: Cassette) -> None:
    sent = SentRequests()
    with sent.client() as http, YEScaleClient(http_client=http) as client:
        response = client.gemini.generate_content(
            model=MODEL,
            contents="How does AI work?",
            generation_config={"thinkingConfig": {"thinkingBudget": 0}},
        )
    check_thinking_answer(response)
    assert vcr.requests[0].uri == f"{ENDPOINT}:generateContent"
    assert sent_json(vcr, 0) == {
        "contents": [{"role": "user", "parts": [{"text": "How does AI work?"}]}],
        "generationConfig": {"thinkingConfig": {"thinkingBudget": 0}},
    }
    # Gemini-native endpoints take the key in x-goog-api-key, never as a bearer token.
    (request,) = sent.requests
    assert request.headers["x-goog-api-key"] == os.environ["YESCALE_API_KEY"]
    assert "authorization" not in request.headers


@pytest.mark.vcr
async def test_gemini_generate_content_thinking_budget_zero_async(vcr: Cassette) -> None:
    async with YEScaleClient() as client:
        # The reference's request body as is (camelCase keys, contents without a role).
        response = await client.aio.gemini.generate_content(model=MODEL, **THINKING_REQUEST)
    check_thinking_answer(response)
    assert sent_json(vcr, 0) == THINKING_REQUEST


def check_recipes(response: GenerateContentResponse) -> None:
    recipes = json.loads(response.text)
    assert [r["recipeName"] for r in recipes] == [
        "Classic Chocolate Chip Cookies",
        "Hearty Oatmeal Raisin Cookies",
        "Classic Peanut Butter Cookies",
    ]
    assert all(list(r) == ["recipeName", "ingredients"] for r in recipes)  # propertyOrdering
    assert recipes[0]["ingredients"][0] == "2 1/4 cups all-purpose flour"
    assert all(isinstance(i, str) for r in recipes for i in r["ingredients"])
    usage = response.usage_metadata
    assert usage is not None
    assert usage.thoughts_token_count == 565
    assert usage.total_token_count == 970
    assert response.response_id == "1OG6aKq3NMKzqtsP5Omk-Q0"


@pytest.mark.vcr
def test_gemini_structured_output(vcr: Cassette) -> None:
    with YEScaleClient() as client:
        response = client.gemini.generate_content(
            model=f"models/{MODEL}",  # the "models/" prefix is accepted and dropped
            contents=STRUCTURED_REQUEST["contents"],
            generation_config=STRUCTURED_REQUEST["generationConfig"],
        )
    check_recipes(response)
    assert vcr.requests[0].uri == f"{ENDPOINT}:generateContent"
    assert sent_json(vcr, 0) == STRUCTURED_REQUEST


@pytest.mark.vcr
async def test_gemini_structured_output_async(vcr: Cassette) -> None:
    async with YEScaleClient() as client:
        response = await client.aio.gemini.generate_content(model=MODEL, **STRUCTURED_REQUEST)
    check_recipes(response)
    assert sent_json(vcr, 0) == STRUCTURED_REQUEST


def check_haiku(chunks: list[GenerateContentResponse]) -> None:
    assert len(chunks) == len(HAIKU_LINES)
    assert [c.text for c in chunks] == HAIKU_LINES
    assert "".join(c.text for c in chunks) == "".join(HAIKU_LINES)
    assert [c.finished for c in chunks] == [False, False, True]
    assert chunks[-1].candidates[0].finish_reason == "STOP"
    usage = chunks[-1].usage_metadata
    assert usage is not None
    words = len("".join(HAIKU_LINES).split())
    assert usage.candidates_token_count == words
    assert usage.prompt_token_count is not None
    assert usage.total_token_count == usage.prompt_token_count + words
    assert len({c.response_id for c in chunks}) == 1


@pytest.mark.vcr
def test_gemini_stream_generate_content(vcr: Cassette) -> None:
    with YEScaleClient() as client:
        chunks = list(client.gemini.stream_generate_content(model=MODEL, contents=HAIKU_PROMPT))
    check_haiku(chunks)
    assert vcr.requests[0].uri == f"{ENDPOINT}:streamGenerateContent?alt=sse"


@pytest.mark.vcr
async def test_gemini_stream_generate_content_async(vcr: Cassette) -> None:
    sent = SentRequests()
    async with sent.async_client() as http, YEScaleClient(async_http_client=http) as client:
        stream = await client.aio.gemini.stream_generate_content(model=MODEL, contents=HAIKU_PROMPT)
        chunks = [chunk async for chunk in stream]
    check_haiku(chunks)
    (request,) = sent.requests
    assert request.headers["x-goog-api-key"] == os.environ["YESCALE_API_KEY"]
    assert request.headers["accept"] == "text/event-stream"
    assert "authorization" not in request.headers


@pytest.mark.vcr
def test_gemini_bad_key_is_authentication_error() -> None:
    client = YEScaleClient(api_key="invalid-gemini-key-0000")
    with client, pytest.raises(AuthenticationError) as info:
        client.gemini.generate_content(model=MODEL, contents="Hi")
    assert info.value.status_code == 401
    assert "YESCALE_API_KEY" in str(info.value)
    assert "invalid-gemini-key-0000" not in str(info.value)


@pytest.mark.vcr
async def test_gemini_stream_bad_key_is_authentication_error_async() -> None:
    async with YEScaleClient(api_key="invalid-gemini-key-0000") as client:
        stream = client.aio.gemini.stream_generate_content(model=MODEL, contents="Hi")
        with pytest.raises(AuthenticationError):
            async for _ in stream:
                pass


# -- OpenAI-format chat over the Gemini-native endpoint -------------------------------------------

IMAGE_MESSAGES: list[dict[str, Any]] = [
    {"role": "system", "content": "Be terse."},
    {
        "role": "user",
        "content": [
            {"type": "text", "text": "What colour is this image?"},
            {"type": "image_url", "image_url": {"url": CDN_IMAGE}},
        ],
    },
]
THOUGHTS = {"thinkingConfig": {"includeThoughts": True}}


@pytest.mark.vcr
def test_gemini_chat_create_fetches_image_and_returns_thoughts(vcr: Cassette) -> None:
    sent = SentRequests()
    with sent.client() as http, YEScaleClient(http_client=http) as client:
        reply = client.gemini.chat.create(
            model=MODEL, messages=IMAGE_MESSAGES, generation_config=THOUGHTS
        )
    assert isinstance(reply, ChatCompletion)
    message = reply.choices[0].message
    assert message.content == "Red."
    assert message.reasoning_content is not None
    assert message.reasoning_content.startswith("**Looking at the image**")
    assert reply.choices[0].finish_reason == "stop"
    usage = reply.usage
    assert usage is not None
    assert usage.prompt_tokens == 31
    assert usage.completion_tokens_details is not None
    assert usage.completion_tokens_details.reasoning_tokens == 212
    assert usage.completion_tokens == 1 + 212  # answer tokens plus thoughts
    assert usage.total_tokens == 31 + 1 + 212
    # The image URL was fetched from the CDN without our key and sent inline.
    cdn, api = sent.to(CDN_HOST), sent.to(API_HOST)
    assert [str(r.url) for r in cdn] == [CDN_IMAGE]
    assert credentials_in(cdn[0]) == []
    assert api[0].headers["x-goog-api-key"] == os.environ["YESCALE_API_KEY"]
    body = sent_json(vcr, 1)
    assert body["systemInstruction"] == {"parts": [{"text": "Be terse."}]}
    image = body["contents"][0]["parts"][1]["inlineData"]
    assert image["mimeType"] == "image/png"
    assert base64.b64decode(image["data"]) == TINY_PNG
    assert body["generationConfig"] == THOUGHTS


@pytest.mark.vcr
async def test_gemini_chat_create_async(vcr: Cassette) -> None:
    async with YEScaleClient() as client:
        reply = await client.aio.gemini.chat.create(
            model=MODEL, messages=[{"role": "user", "content": "Say hello."}]
        )
    message = reply.choices[0].message
    assert message.content == "Hello! How can I help you today?"
    assert message.reasoning_content is None  # thoughts were not asked for...
    assert reply.usage is not None
    assert reply.usage.completion_tokens_details is not None
    assert reply.usage.completion_tokens_details.reasoning_tokens == 212  # ...but were billed
    assert reply.model == MODEL
    assert sent_json(vcr, 0) == {"contents": [{"role": "user", "parts": [{"text": "Say hello."}]}]}


def check_chat_stream(chunks: list[object]) -> None:
    from yescale.types import ChatCompletionChunk

    typed = [c for c in chunks if isinstance(c, ChatCompletionChunk)]
    assert len(typed) == len(chunks) == 1 + len(HAIKU_LINES)
    reasoning = "".join(c.choices[0].delta.reasoning_content or "" for c in typed)
    text = "".join(c.choices[0].delta.content or "" for c in typed)
    assert reasoning.startswith("**Drafting**")
    assert text == "".join(HAIKU_LINES)
    assert [c.choices[0].finish_reason for c in typed][-1] == "stop"
    assert all(c.choices[0].finish_reason is None for c in typed[:-1])
    # Usage (cumulative in Gemini streams) comes once, on the finishing chunk.
    assert all(c.usage is None for c in typed[:-1])
    usage = typed[-1].usage
    assert usage is not None
    assert usage.completion_tokens == len(text.split()) + 96
    assert usage.completion_tokens_details is not None
    assert usage.completion_tokens_details.reasoning_tokens == 96


@pytest.mark.vcr
def test_gemini_chat_stream(vcr: Cassette) -> None:
    with YEScaleClient() as client:
        chunks = list(
            client.gemini.chat.stream(
                model=MODEL,
                messages=[{"role": "user", "content": HAIKU_PROMPT}],
                generation_config=THOUGHTS,
            )
        )
    check_chat_stream(list(chunks))
    assert vcr.requests[0].uri == f"{ENDPOINT}:streamGenerateContent?alt=sse"


@pytest.mark.vcr
async def test_gemini_chat_stream_async(vcr: Cassette) -> None:
    async with YEScaleClient() as client:
        stream = client.aio.gemini.chat.stream(
            model=MODEL,
            messages=[{"role": "user", "content": HAIKU_PROMPT}],
            generation_config=THOUGHTS,
        )
        chunks = [chunk async for chunk in stream]
    check_chat_stream(list(chunks))
    assert sent_json(vcr, 0)["generationConfig"] == THOUGHTS
