"""Gemini answers beyond text (images, speech) through the chat classes, against a hostile wire.

Against the fault server on 127.0.0.1, through ``ChatYEScaleGemini`` and ``YEScaleGemini``:

* a stream cut right after the event that carried an image ends in a typed error, not in an
  answer that looks whole; trickled in one byte at a time it arrives intact;
* a huge ``inlineData`` (non-streamed, or as one stream event) is refused at
  ``max_response_bytes`` in bounded memory and time;
* speech whose data is not base64, or whose rate is not a number, is passed on as it came
  (never a crash, never a WAV of garbage);
* an error object in a 2xx answer is the mapped error; nothing in any error holds the key.
"""

from __future__ import annotations

import asyncio
import base64
import json
import time
from collections.abc import Iterator
from typing import Any

import pytest
from langchain_core.exceptions import ModelInvalidRequestError
from llama_index.core.base.llms.types import ChatMessage

from langchain_yescale import ChatYEScaleGemini
from llama_index_yescale.llms import YEScaleGemini
from yescale import APIConnectionError, YEScaleClient, YEScaleError
from yescale.errors import ResponseTooLargeError

from .conftest import (
    MAX_STALL,
    FaultServer,
    Step,
    body_parts,
    reply_json,
    sse_then_cut,
    trickle,
)
from .support import API_KEY
from .test_hostile_wire import peak_growth

MiB = 1 << 20
PNG_B64 = (
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQ"
    "AAAABJRU5ErkJggg=="
)
IMAGE_PART = {"inlineData": {"mimeType": "image/png", "data": PNG_B64}, "thoughtSignature": "c2ln"}


def event(parts: list[dict[str, Any]], finish: bool = False) -> bytes:
    candidate: dict[str, Any] = {"content": {"role": "model", "parts": parts}}
    if finish:
        candidate["finishReason"] = "STOP"
    return b"data: " + json.dumps({"candidates": [candidate], "responseId": "r"}).encode() + b"\n\n"


def answer(parts: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "candidates": [{"content": {"role": "model", "parts": parts}, "finishReason": "STOP"}],
        "responseId": "r",
    }


def made(cls: Any, server: FaultServer, **kwargs: Any) -> Any:
    """``cls`` (one of the two Gemini chat classes) for nano-banana on the fault server."""
    return cls(
        model="gemini-2.5-flash-image",
        api_key=API_KEY,
        base_url=server.url,
        max_retries=0,
        timeout=2.0,
        **kwargs,
    )


def langchain(server: FaultServer) -> ChatYEScaleGemini:
    return made(ChatYEScaleGemini, server)  # type: ignore[no-any-return]


def llamaindex(server: FaultServer) -> YEScaleGemini:
    return made(YEScaleGemini, server)  # type: ignore[no-any-return]


def no_key(error: BaseException | None) -> None:
    assert error is not None
    assert API_KEY not in repr(error)
    assert API_KEY not in str(error)


# -- cut and trickled streams ---------------------------------------------------------------------


def test_a_stream_cut_after_the_image_is_an_error_not_an_answer(fault_server: FaultServer) -> None:
    fault_server.script(sse_then_cut([event([{"text": "Here."}]), event([IMAGE_PART])]))
    received: list[Any] = []
    started = time.monotonic()
    with pytest.raises(YEScaleError) as caught:
        received.extend(langchain(fault_server).stream("Draw"))
    assert time.monotonic() - started < MAX_STALL
    # what came before the cut was delivered as chunks; none of them claims the answer finished
    assert any(b["type"] == "image" for c in received for b in c.content_blocks)
    assert all("finish_reason" not in c.response_metadata for c in received)
    assert isinstance(caught.value, APIConnectionError) or "incomplete" in str(caught.value)
    no_key(caught.value)


def test_llamaindex_stream_cut_after_the_image_is_an_error(fault_server: FaultServer) -> None:
    fault_server.script(sse_then_cut([event([IMAGE_PART])]))

    async def run() -> None:
        stream = await llamaindex(fault_server).astream_chat(
            [ChatMessage(role="user", content="x")]
        )
        async for _ in stream:
            pass

    with pytest.raises(YEScaleError) as caught:
        asyncio.run(run())
    no_key(caught.value)


def test_an_image_trickled_byte_by_byte_arrives_whole(fault_server: FaultServer) -> None:
    body = event([{"text": "Here."}]) + event([IMAGE_PART], finish=True)
    fault_server.script(trickle(body, every=0.0005, content_type="text/event-stream"))
    chunks = list(langchain(fault_server).stream("Draw"))
    images = [b for c in chunks for b in c.content_blocks if b["type"] == "image"]
    assert [i["base64"] for i in images] == [PNG_B64]  # type: ignore[typeddict-item]


# -- huge images ----------------------------------------------------------------------------------

HUGE = 128 * MiB
CAP = 1 * MiB


def huge(size: int, *, stream: bool) -> Step:
    head = b'{"candidates":[{"content":{"parts":[{"inlineData":{"mimeType":"image/png","data":"'
    tail = b'"}}]},"finishReason":"STOP"}]}'
    block = b"A" * (1 << 16)

    def parts() -> Iterator[bytes]:
        yield (b"data: " + head) if stream else head
        for _ in range(size // len(block)):
            yield block
        yield tail + (b"\n\n" if stream else b"")

    kind = "text/event-stream" if stream else "application/json"
    return body_parts(200, parts, {"Content-Type": kind})


@pytest.mark.parametrize("stream", [False, True], ids=["answer", "stream-event"])
def test_a_huge_image_is_refused_in_bounded_memory(fault_server: FaultServer, stream: bool) -> None:
    fault_server.script(huge(HUGE, stream=stream))
    llm = langchain(fault_server)
    llm._client = YEScaleClient(
        api_key=API_KEY, base_url=fault_server.url, max_retries=0, max_response_bytes=CAP
    )
    started = time.monotonic()

    def run() -> None:
        if stream:
            list(llm.stream("Draw"))
        else:
            llm.invoke("Draw")

    error, peak = peak_growth(run)
    assert isinstance(error, ResponseTooLargeError), repr(error)
    assert "max_response_bytes" in str(error)
    assert peak < 16 * MiB, f"peak allocation {peak / MiB:.0f} MiB"
    assert time.monotonic() - started < MAX_STALL
    no_key(error)


# -- speech that is not what it says --------------------------------------------------------------


@pytest.mark.parametrize(
    ("mime", "data"),
    [
        ("audio/L16;codec=pcm;rate=24000", "not base64 !!"),
        ("audio/L16;codec=pcm;rate=fast", base64.b64encode(b"\x00\x01" * 8).decode()),
        ("audio/L16;codec=pcm;rate=99999999999", base64.b64encode(b"\x00\x01" * 8).decode()),
    ],
)
def test_speech_that_is_not_pcm_is_passed_on_as_it_came(
    fault_server: FaultServer, mime: str, data: str
) -> None:
    fault_server.script(reply_json(200, answer([{"inlineData": {"mimeType": mime, "data": data}}])))
    msg = ChatYEScaleGemini(
        model="gemini-2.5-flash-preview-tts",
        voice="Kore",
        api_key=API_KEY,
        base_url=fault_server.url,
        max_retries=0,
    ).invoke("Say hi")
    (audio,) = [b for b in msg.content_blocks if b["type"] == "audio"]
    assert audio["mime_type"] == mime
    assert audio["base64"] == data  # type: ignore[typeddict-item]


# -- errors in a 2xx ------------------------------------------------------------------------------


def test_an_error_object_in_a_2xx_image_answer_is_the_mapped_error(
    fault_server: FaultServer,
) -> None:
    refusal = {
        "error": {
            "code": 400,
            "message": "Image part is missing a thought_signature",
            "status": "INVALID_ARGUMENT",
        }
    }
    fault_server.script(reply_json(200, refusal))
    with pytest.raises(ModelInvalidRequestError) as caught:
        langchain(fault_server).invoke("Draw")
    assert "thought_signature" in str(caught.value)
    no_key(caught.value)
