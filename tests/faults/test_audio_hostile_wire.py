"""No answer to ``/v1/audio/*`` can hurt the caller (issue 19, with issue 14's rules).

Against the fault server (127.0.0.1), and an ``httpx.MockTransport`` for redirects to hosts a
test must never reach: error objects in 2xx transcription bodies, JSON where speech audio was
expected, cut and trickled speech bodies (typed errors, and no file left at ``to=``), huge
bodies (refused at ``max_response_bytes`` in memory, streamed to a file within
``max_download_bytes``), ``Retry-After``, redirects (never followed with the key), and the key
in no error text.
"""

from __future__ import annotations

import email.utils
import json
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.synth.answers_audio import TINY_MP3, tiny_wav
from yescale import (
    APIConnectionError,
    APIStatusError,
    APITimeoutError,
    AuthenticationError,
    InvalidResponseError,
    RateLimitError,
    YEScaleClient,
    YEScaleError,
)
from yescale.errors import ResponseTooLargeError

from .conftest import MAX_STALL, FaultServer, body_parts, partial_body, repeated, reply, reply_json
from .support import API_KEY, INVALID_TOKEN, AsyncSleeps, Sleeps, client_for, in_mode

MODES = ["sync", "async"]
MiB = 1 << 20
WAV = tiny_wav()
MP3 = {"Content-Type": "audio/mpeg"}

Call = tuple[Callable[[YEScaleClient], Any], Callable[[YEScaleClient], Any]]
TRANSCRIBE: Call = (
    lambda c: c.audio.transcriptions.create(file=WAV),
    lambda c: c.aio.audio.transcriptions.create(file=WAV),
)
TRANSLATE: Call = (
    lambda c: c.audio.translations.create(file=WAV),
    lambda c: c.aio.audio.translations.create(file=WAV),
)
SPEAK: Call = (
    lambda c: c.audio.speech.create(input="Hello"),
    lambda c: c.aio.audio.speech.create(input="Hello"),
)


def save_to(path: Path) -> Call:
    return (
        lambda c: c.audio.speech.create(input="Hello", to=path),
        lambda c: c.aio.audio.speech.create(input="Hello", to=path),
    )


def raised(run: Callable[[], Any]) -> BaseException | None:
    try:
        run()
    except Exception as exc:
        return exc
    return None


def check_clean(error: BaseException | None) -> None:
    assert isinstance(error, YEScaleError), repr(error)
    for text in (str(error), repr(error), json.dumps(error.body, default=str)):
        assert API_KEY not in text
    assert len(str(error)) < 2000


def nothing_left(folder: Path) -> None:
    assert list(folder.iterdir()) == [], "a partial or temporary file was left"


# -- errors in 2xx answers ----------------------------------------------------------------------


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("endpoint", [TRANSCRIBE, TRANSLATE], ids=["transcribe", "translate"])
def test_an_error_in_a_200_transcription_body_is_raised(
    fault_server: FaultServer, endpoint: Call, mode: str
) -> None:
    fault_server.script(reply_json(200, INVALID_TOKEN))
    error = raised(lambda: in_mode(mode, client_for(fault_server, max_retries=2), *endpoint))
    assert type(error) is AuthenticationError, repr(error)
    assert "Invalid token" in str(error)
    assert fault_server.count == 1
    seen = fault_server.seen[0]
    assert seen.headers["content-type"].startswith("multipart/form-data; boundary=")
    assert b'filename="audio.wav"' in seen.body
    check_clean(error)


@pytest.mark.parametrize("mode", MODES)
def test_a_transcription_without_text_is_invalid(fault_server: FaultServer, mode: str) -> None:
    fault_server.script(reply_json(200, {"usage": {"type": "duration", "seconds": 1}}))
    error = raised(lambda: in_mode(mode, client_for(fault_server), *TRANSCRIBE))
    assert type(error) is InvalidResponseError, repr(error)
    assert "Transcription" in str(error)


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("to_file", [False, True], ids=["bytes", "to-file"])
@pytest.mark.parametrize(
    ("answer", "expected", "said"),
    [
        (reply_json(200, INVALID_TOKEN), AuthenticationError, "Invalid token"),
        (reply_json(200, {"status": "queued"}), InvalidResponseError, "'application/json'"),
        (reply(200, b'{"error": {"message": "Busy"}}', MP3), APIStatusError, "Busy"),
        (reply(200, b"<html>Sign in</html>", MP3), InvalidResponseError, "text document"),
        (reply(200, b"", MP3), InvalidResponseError, "empty body"),
    ],
    ids=["error-json", "other-json", "error-as-audio", "html-as-audio", "empty"],
)
def test_a_speech_answer_that_is_not_audio_is_refused(
    fault_server: FaultServer,
    tmp_path: Path,
    answer: Any,
    expected: type,
    said: str,
    to_file: bool,
    mode: str,
) -> None:
    fault_server.script(answer)
    endpoint = save_to(tmp_path / "out.mp3") if to_file else SPEAK
    error = raised(lambda: in_mode(mode, client_for(fault_server), *endpoint))
    assert isinstance(error, expected), repr(error)
    assert said in str(error)
    check_clean(error)
    nothing_left(tmp_path)


# -- cut, trickled and huge speech bodies --------------------------------------------------------


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("to_file", [False, True], ids=["bytes", "to-file"])
def test_a_cut_speech_body_is_an_error_and_leaves_no_file(
    fault_server: FaultServer, tmp_path: Path, to_file: bool, mode: str
) -> None:
    target = tmp_path / "out.mp3"
    fault_server.script(partial_body(TINY_MP3[:500], len(TINY_MP3) * 100, "audio/mpeg"))
    endpoint = save_to(target) if to_file else SPEAK
    error = raised(lambda: in_mode(mode, client_for(fault_server, max_retries=1), *endpoint))
    assert isinstance(error, APIConnectionError), repr(error)
    assert fault_server.count == 2  # a cut answer is retried (nothing was handed out)
    check_clean(error)
    nothing_left(tmp_path)


@pytest.mark.parametrize("mode", MODES)
def test_a_cut_speech_body_never_replaces_an_existing_file(
    fault_server: FaultServer, tmp_path: Path, mode: str
) -> None:
    target = tmp_path / "out.mp3"
    target.write_bytes(b"the previous take")
    fault_server.script(partial_body(TINY_MP3[:500], 10_000, "audio/mpeg"))
    error = raised(lambda: in_mode(mode, client_for(fault_server), *save_to(target)))
    assert isinstance(error, APIConnectionError), repr(error)
    assert target.read_bytes() == b"the previous take"
    assert [p.name for p in tmp_path.iterdir()] == ["out.mp3"]


T = 0.5


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("to_file", [False, True], ids=["bytes", "to-file"])
def test_a_trickled_speech_body_ends_at_the_timeout(
    fault_server: FaultServer, tmp_path: Path, to_file: bool, mode: str
) -> None:
    fault_server.script(
        body_parts(
            200, lambda: (TINY_MP3[i : i + 1] for i in range(len(TINY_MP3))), MP3, every=0.05
        )
    )
    endpoint = save_to(tmp_path / "out.mp3") if to_file else SPEAK
    started = time.monotonic()
    error = raised(lambda: in_mode(mode, client_for(fault_server, timeout=T), *endpoint))
    elapsed = time.monotonic() - started
    assert elapsed < 6 * T, f"took {elapsed:.1f}s"
    assert isinstance(error, APITimeoutError), repr(error)
    assert "timed out" in str(error)
    check_clean(error)
    nothing_left(tmp_path)


HUGE = 128 * MiB
AUDIO_BLOCK = b"\xff\xfb\x90\x64" + bytes((1 << 16) - 4)


def huge_audio(size: int, declare: bool = False) -> Any:
    return body_parts(200, repeated(AUDIO_BLOCK, size), MP3, length=size if declare else None)


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("declare", [False, True], ids=["chunked", "declared"])
def test_huge_speech_bytes_are_refused_in_bounded_memory(
    fault_server: FaultServer, declare: bool, mode: str
) -> None:
    fault_server.script(huge_audio(HUGE, declare))
    tracemalloc.start()
    started = time.monotonic()
    try:
        client = client_for(fault_server, max_response_bytes=MiB)
        error = raised(lambda: in_mode(mode, client, *SPEAK))
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert isinstance(error, ResponseTooLargeError), repr(error)
    assert "max_response_bytes" in str(error)
    assert error.limit == MiB
    assert peak < 16 * MiB, f"peak {peak / MiB:.1f} MiB"
    assert time.monotonic() - started < MAX_STALL


@pytest.mark.parametrize("mode", MODES)
def test_speech_streamed_to_a_file_passes_the_bytes_cap_in_bounded_memory(
    fault_server: FaultServer, tmp_path: Path, mode: str
) -> None:
    size = 24 * MiB
    fault_server.script(huge_audio(size))
    target = tmp_path / "long.mp3"
    tracemalloc.start()
    try:
        client = client_for(fault_server, max_response_bytes=MiB)
        saved = in_mode(mode, client, *save_to(target))
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert saved == target
    assert target.stat().st_size == size
    assert peak < 8 * MiB, f"peak {peak / MiB:.1f} MiB"
    assert [p.name for p in tmp_path.iterdir()] == ["long.mp3"]


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("declare", [False, True], ids=["chunked", "declared"])
def test_a_speech_file_over_max_download_bytes_is_refused(
    fault_server: FaultServer, tmp_path: Path, declare: bool, mode: str
) -> None:
    fault_server.script(huge_audio(HUGE, declare))
    client = client_for(fault_server, max_download_bytes=2 * MiB)
    error = raised(lambda: in_mode(mode, client, *save_to(tmp_path / "out.mp3")))
    assert isinstance(error, ResponseTooLargeError), repr(error)
    assert "max_download_bytes" in str(error)
    nothing_left(tmp_path)


# -- Retry-After, redirects, the key -------------------------------------------------------------


def _http_date(seconds_ahead: float) -> str:
    return email.utils.formatdate(time.time() + seconds_ahead, usegmt=True)


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("endpoint", ["transcribe", "speak"])
@pytest.mark.parametrize(
    ("headers", "low", "high"),
    [
        # (the wait asked for, plus at most a quarter more: the jitter on Retry-After)
        (lambda: {"Retry-After": "3"}, 3.0, 3.75),
        (lambda: {"Retry-After": _http_date(5)}, 3.0, 6.25),
        (lambda: {"retry-after-ms": "250"}, 0.25, 0.3125),
    ],
    ids=["seconds", "http-date", "ms"],
)
def test_retry_after_is_honoured(
    fault_server: FaultServer,
    endpoint: str,
    headers: Callable[[], dict[str, str]],
    low: float,
    high: float,
    mode: str,
) -> None:
    limited = {"error": {"message": "Rate limit reached", "type": "rate_limit_error"}}
    good = reply(200, TINY_MP3, MP3) if endpoint == "speak" else reply_json(200, {"text": "Hi"})
    fault_server.script(reply_json(429, limited, headers()), good)
    sleeps, asleeps = Sleeps(), AsyncSleeps()
    client = client_for(fault_server, max_retries=2, sleep=sleeps, async_sleep=asleeps)
    answer = in_mode(mode, client, *(SPEAK if endpoint == "speak" else TRANSCRIBE))
    assert (answer if endpoint == "speak" else answer.text) == (
        TINY_MP3 if endpoint == "speak" else "Hi"
    )
    waits = sleeps if mode == "sync" else asleeps
    assert len(waits) == 1, waits
    assert low <= waits[0] <= high, waits
    assert fault_server.count == 2


@pytest.mark.parametrize("mode", MODES)
def test_a_429_without_retries_left_is_a_rate_limit_error(
    fault_server: FaultServer, mode: str
) -> None:
    limited = {"error": {"message": "Rate limit reached", "type": "rate_limit_error"}}
    fault_server.script(reply_json(429, limited, {"Retry-After": "1"}))
    error = raised(lambda: in_mode(mode, client_for(fault_server), *SPEAK))
    assert type(error) is RateLimitError, repr(error)


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("endpoint", ["transcribe", "speak", "speak-to-file"])
@pytest.mark.parametrize("status", [301, 302, 307, 308])
def test_a_redirect_is_not_followed_with_the_key(
    tmp_path: Path, status: int, endpoint: str, mode: str
) -> None:
    seen: list[httpx.Request] = []

    def web(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(status, headers={"Location": "https://elsewhere.example/v1/audio"})

    client = YEScaleClient(
        api_key=API_KEY,
        max_retries=2,
        http_client=httpx.Client(transport=httpx.MockTransport(web)),
        async_http_client=httpx.AsyncClient(transport=httpx.MockTransport(web)),
    )
    calls = {"transcribe": TRANSCRIBE, "speak": SPEAK, "speak-to-file": save_to(tmp_path / "a.mp3")}
    error = raised(lambda: in_mode(mode, client, *calls[endpoint]))
    assert type(error) is APIStatusError, repr(error)
    assert "not followed" in str(error)
    assert [r.url.host for r in seen] == ["api.yescale.io"]
    check_clean(error)
    nothing_left(tmp_path)


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("endpoint", ["transcribe", "speak"])
def test_the_key_is_in_no_error(fault_server: FaultServer, endpoint: str, mode: str) -> None:
    echo = {"error": {"message": f"bad header: Bearer {API_KEY}", "type": "invalid_request_error"}}
    for answer in (reply_json(401, echo), reply_json(200, echo)):
        fault_server.script(answer)
        client = client_for(fault_server, max_retries=2)
        error = raised(
            lambda client=client: in_mode(
                mode, client, *(SPEAK if endpoint == "speak" else TRANSCRIBE)
            )
        )
        assert isinstance(error, APIStatusError), repr(error)
        assert API_KEY not in repr(client)
        check_clean(error)
    assert fault_server.seen[0].headers["authorization"] == f"Bearer {API_KEY}"
