"""Nano-banana (Gemini-native ``generateContent``) through the image tools against a hostile wire.

Against the fault server on 127.0.0.1, sync and async, through
:class:`yescale.tools.ImageGenerator` (what the LangChain tool and the LlamaIndex spec run):

* a 2xx answer that holds no image is a typed error naming why, never an empty result: an
  error object (the mapped error, with the service's message), a blocked prompt, a candidate
  stopped by a filter or with ``NO_IMAGE``, text only, thought drafts only, no candidates at all,
  an image part that is not base64 of an image;
* the body cut short, trickled one byte at a time, or sent as an event stream (cut, or
  trickled) ends in a typed error within the timeout;
* a huge ``inlineData`` is refused at ``max_response_bytes`` in bounded memory;
* a redirect of the API answer is not followed (no key sent anywhere else); an input image URL
  redirecting to a private address is refused before ``generateContent`` is called;
* nothing leaks: no file is left in ``output_dir``, and no message holds the key.
"""

from __future__ import annotations

import base64
import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from yescale import (
    APIConnectionError,
    APIStatusError,
    APITimeoutError,
    AuthenticationError,
    InvalidResponseError,
    YEScaleClient,
    YEScaleError,
)
from yescale.errors import RedirectRefusedError, ResponseTooLargeError
from yescale.tools import ImageGenerator, ImageNotGeneratedError, ImageResult
from yescale.tools.inputs import InputImageError

from .conftest import (
    MAX_STALL,
    FaultServer,
    Step,
    body_parts,
    partial_body,
    redirect,
    reply,
    reply_json,
    sse_then_cut,
    sse_trickle,
    trickle,
)
from .support import API_KEY, INVALID_TOKEN, AsyncSleeps, Sleeps, client_for, in_mode
from .test_hostile_wire import Web, peak_growth, raised

MODES = ["sync", "async"]
MiB = 1 << 20
PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=="
)
PNG_B64 = base64.b64encode(PNG).decode()
PATH = "/v1beta/models/gemini-2.5-flash-image:generateContent"
T = 0.5  # the timeout of the bounded-time cases
BOUND = 6 * T


def generate(
    mode: str, client: YEScaleClient, folder: Path, *, images: list[Any] | None = None
) -> ImageResult:
    generator = ImageGenerator(client, model="nano-banana", output_dir=folder)
    return in_mode(
        mode,
        client,
        lambda c: generator.run("A red fox", images=images, aspect_ratio="1:1"),
        lambda c: generator.arun("A red fox", images=images, aspect_ratio="1:1"),
    )


def answer(
    parts: list[dict[str, Any]], finish: str | None = "STOP", **extra: Any
) -> dict[str, Any]:
    candidate: dict[str, Any] = {"content": {"role": "model", "parts": parts}, "index": 0}
    if finish:
        candidate["finishReason"] = finish
    candidate.update(extra)
    return {
        "candidates": [candidate],
        "usageMetadata": {"promptTokenCount": 5, "candidatesTokenCount": 0, "totalTokenCount": 5},
        "modelVersion": "gemini-2.5-flash-image",
    }


def no_leak(error: BaseException | None, folder: Path) -> None:
    assert error is not None
    assert API_KEY not in str(error)
    assert API_KEY not in repr(error.args)
    if folder.exists():
        assert list(folder.iterdir()) == []


@pytest.fixture
def out(tmp_path: Path) -> Iterator[Path]:
    folder = tmp_path / "out"
    yield folder
    if folder.exists():  # nothing, partial or whole, is left behind by a failed call
        assert list(folder.iterdir()) == []


# -- a 2xx answer without an image ---------------------------------------------------------------

NO_IMAGE = {
    "blocked prompt": (
        {"promptFeedback": {"blockReason": "SAFETY"}, "usageMetadata": {"promptTokenCount": 5}},
        ["promptFeedback.blockReason=SAFETY", "Rephrase the prompt"],
    ),
    "IMAGE_SAFETY": (
        answer([], "IMAGE_SAFETY", finishMessage="Unable to show the generated image."),
        ["finishReason=IMAGE_SAFETY", "content filter", "Unable to show the generated image."],
    ),
    "PROHIBITED_CONTENT": (
        answer([{"text": "I can't make that."}], "PROHIBITED_CONTENT"),
        ["finishReason=PROHIBITED_CONTENT", "I can't make that."],
    ),
    "NO_IMAGE": (
        answer([], "NO_IMAGE"),
        ["finishReason=NO_IMAGE", "Ask for the image explicitly"],
    ),
    "text only": (
        answer([{"text": "A fox is a small canid."}]),
        ["answered with text only", "A fox is a small canid."],
    ),
    "thought drafts only": (
        answer([{"inlineData": {"mimeType": "image/png", "data": PNG_B64}, "thought": True}]),
        ["the answer holds no image (finishReason=STOP)"],
    ),
}


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("case", list(NO_IMAGE))
def test_a_2xx_answer_without_an_image_is_a_typed_error_naming_why(
    fault_server: FaultServer, out: Path, case: str, mode: str
) -> None:
    body, expected = NO_IMAGE[case]
    fault_server.script(reply_json(200, body))
    error = raised(lambda: generate(mode, client_for(fault_server, max_retries=2), out))
    assert isinstance(error, ImageNotGeneratedError), repr(error)
    assert isinstance(error, InvalidResponseError)
    for piece in expected:
        assert piece in str(error)
    assert fault_server.count == 1  # the same prompt would be refused again: not retried
    no_leak(error, out)


@pytest.mark.parametrize("mode", MODES)
def test_an_error_object_in_a_200_is_the_mapped_error(
    fault_server: FaultServer, out: Path, mode: str
) -> None:
    fault_server.script(reply_json(200, INVALID_TOKEN))
    error = raised(lambda: generate(mode, client_for(fault_server), out))
    assert [s.path for s in fault_server.seen] == [PATH]
    assert isinstance(error, AuthenticationError), repr(error)
    assert "Invalid token" in str(error)
    no_leak(error, out)


BAD_ANSWERS = {
    "no candidates, no blockReason": ({"candidates": []}, "no candidates"),
    "image not base64": (
        answer([{"inlineData": {"mimeType": "image/png", "data": "%%% not base64 %%%"}}]),
        "is not valid base64",
    ),
    "image not an image": (
        answer([{"inlineData": {"mimeType": "image/png", "data": "PGh0bWw+aGk8L2h0bWw+"}}]),
        "is not a PNG, JPEG, WEBP or GIF image",
    ),
    "candidate without content or finishReason": (answer([], None), "no finishReason"),
}


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("case", list(BAD_ANSWERS))
def test_an_answer_that_is_not_an_image_answer_is_invalid(
    fault_server: FaultServer, out: Path, case: str, mode: str
) -> None:
    body, expected = BAD_ANSWERS[case]
    fault_server.script(reply_json(200, body))
    error = raised(lambda: generate(mode, client_for(fault_server), out))
    assert isinstance(error, InvalidResponseError), repr(error)
    assert not isinstance(error, ImageNotGeneratedError)
    assert expected in str(error)
    no_leak(error, out)


# -- cut, trickled, streamed ---------------------------------------------------------------------

GOOD = json.dumps(answer([{"inlineData": {"mimeType": "image/png", "data": PNG_B64}}])).encode()
EVENT = b"data: " + GOOD + b"\n\n"


@pytest.mark.parametrize("mode", MODES)
def test_a_body_cut_short_is_a_connection_error_and_saves_nothing(
    fault_server: FaultServer, out: Path, mode: str
) -> None:
    fault_server.script(partial_body(GOOD[:60], len(GOOD)))
    error = raised(lambda: generate(mode, client_for(fault_server), out))
    assert [s.path for s in fault_server.seen] == [PATH]
    assert isinstance(error, APIConnectionError), repr(error)
    no_leak(error, out)


@pytest.mark.parametrize("mode", MODES)
def test_a_cut_body_is_retried_and_then_saved(
    fault_server: FaultServer, tmp_path: Path, mode: str
) -> None:
    fault_server.script(partial_body(GOOD[:60], len(GOOD)), reply(200, GOOD))
    result = generate(mode, client_for(fault_server, max_retries=2), tmp_path)
    (saved,) = result.paths
    assert saved.read_bytes() == PNG
    assert fault_server.count == 2


TIMED: dict[str, Step] = {
    "trickled body": trickle(GOOD + b" " * 1000),
    "trickled event stream": sse_trickle([EVENT[:20]]),
}


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("case", list(TIMED))
def test_a_trickled_answer_ends_at_the_timeout(
    fault_server: FaultServer, out: Path, case: str, mode: str
) -> None:
    fault_server.script(TIMED[case])
    started = time.monotonic()
    error = raised(lambda: generate(mode, client_for(fault_server, timeout=T), out))
    elapsed = time.monotonic() - started
    assert [s.path for s in fault_server.seen] == [PATH]
    assert elapsed < BOUND, f"took {elapsed:.1f}s with timeout={T}"
    assert isinstance(error, APITimeoutError), repr(error)
    no_leak(error, out)


STREAMS: dict[str, Step] = {
    "an event stream cut": sse_then_cut([EVENT]),
    "a whole event stream": reply(200, EVENT, {"Content-Type": "text/event-stream"}),
}


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("case", list(STREAMS))
def test_an_event_stream_where_json_was_asked_is_a_typed_error(
    fault_server: FaultServer, out: Path, case: str, mode: str
) -> None:
    fault_server.script(STREAMS[case])
    error = raised(lambda: generate(mode, client_for(fault_server), out))
    assert [s.path for s in fault_server.seen] == [PATH]
    assert isinstance(error, (InvalidResponseError, APIConnectionError)), repr(error)
    no_leak(error, out)


# -- a huge inlineData ---------------------------------------------------------------------------

HUGE = 128 * MiB
CAP = 1 * MiB


def huge_inline(size: int) -> Step:
    head = b'{"candidates":[{"content":{"parts":[{"inlineData":{"mimeType":"image/png","data":"'
    tail = b'"}}]},"finishReason":"STOP"}]}'
    block = b"A" * (1 << 16)

    def parts() -> Iterator[bytes]:
        yield head
        for _ in range(size // len(block)):
            yield block
        yield tail

    return body_parts(200, parts, {"Content-Type": "application/json"})


@pytest.mark.parametrize("mode", MODES)
def test_a_huge_inline_image_is_refused_in_bounded_memory(
    fault_server: FaultServer, out: Path, mode: str
) -> None:
    fault_server.script(huge_inline(HUGE))
    client = client_for(fault_server, max_response_bytes=CAP, max_retries=2)
    started = time.monotonic()
    error, peak = peak_growth(lambda: generate(mode, client, out))
    assert isinstance(error, ResponseTooLargeError), repr(error)
    assert "max_response_bytes" in str(error)
    assert peak < 16 * MiB, f"peak allocation {peak / MiB:.0f} MiB"
    assert [s.path for s in fault_server.seen] == [PATH]  # once: not retried
    assert time.monotonic() - started < MAX_STALL
    no_leak(error, out)


@pytest.mark.parametrize("mode", MODES)
def test_an_inline_image_under_the_cap_is_saved(
    fault_server: FaultServer, tmp_path: Path, mode: str
) -> None:
    big = PNG + b"\x00" * (512 * 1024)  # a PNG's head and half a MiB: under a 1 MiB cap
    data = base64.b64encode(big).decode()
    body = answer([{"inlineData": {"mimeType": "image/png", "data": data}}])
    fault_server.script(reply_json(200, body))
    result = generate(mode, client_for(fault_server, max_response_bytes=CAP), tmp_path)
    (saved,) = result.paths
    assert saved.read_bytes() == big


# -- redirects ----------------------------------------------------------------------------------


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("status", [301, 302, 307, 308])
def test_a_redirected_api_answer_is_not_followed(
    fault_server: FaultServer, out: Path, status: int, mode: str
) -> None:
    fault_server.script(redirect("http://169.254.169.254/latest/meta-data", status))
    error = raised(lambda: generate(mode, client_for(fault_server, max_retries=2), out))
    assert isinstance(error, APIStatusError), repr(error)
    assert error.status_code == status
    assert [s.path for s in fault_server.seen] == [PATH]  # once, and nowhere else
    no_leak(error, out)


@pytest.mark.parametrize("mode", MODES)
def test_an_input_image_redirecting_to_a_private_address_is_refused_before_generating(
    tmp_path: Path, mode: str
) -> None:
    image = "https://images.example.com/fox.png"
    web = Web({image: "http://169.254.169.254/latest/meta-data"})
    transport = httpx.MockTransport(web)
    client = YEScaleClient(
        api_key=API_KEY,
        http_client=httpx.Client(transport=transport),
        async_http_client=httpx.AsyncClient(transport=transport),
        sleep=Sleeps(),
        async_sleep=AsyncSleeps(),
        max_retries=2,
    )
    error = raised(lambda: generate(mode, client, tmp_path, images=[image]))
    assert isinstance(error, (RedirectRefusedError, InputImageError)), repr(error)
    assert isinstance(error, YEScaleError)
    assert web.hosts == ["images.example.com"]  # no generateContent, no private address
    web.assert_no_credentials()
    no_leak(error, tmp_path)
