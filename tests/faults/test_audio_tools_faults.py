"""The audio tools and reader (``/v1/audio/*``) against a hostile server.

The client-level faults of ``/v1/audio/*`` are in ``test_audio_hostile_wire.py``; here the faces
users and agents call are: LangChain's ``YEScaleSpeechToTextTool`` / ``YEScaleTextToSpeechTool``
(``invoke`` / ``ainvoke`` with a tool call, as an agent does), LlamaIndex's
``YEScaleToolSpec.transcribe_audio`` / ``generate_speech`` (and their async twins) and
``YEScaleAudioReader.load_data`` / ``aload_data``, against the fault server on 127.0.0.1 (an
``httpx.MockTransport`` for redirects to hosts a test must never reach):

* speech to text: an error object in a 2xx transcription body; a 500 then the answer (retried,
  the upload sent whole again); a 429 with ``Retry-After`` (seconds, HTTP date: waited,
  recorded, never slept); a redirect (not followed with the key); a huge transcription
  (refused at ``max_response_bytes`` in bounded memory); a recording URL redirected to a
  private address (refused; the tool's message goes back to the model as text);
* text to speech: a JSON error answered instead of audio; a cut audio body (no partial file
  left in ``output_dir``, an existing file never replaced); a trickled body (in tiny writes: the
  same file; too slow: the ``timeout`` ends it, nothing left); a huge body over the cap
  (``max_download_bytes`` to a file, ``max_response_bytes`` in memory: bounded memory, nothing
  written); a redirect (not followed, nothing written);
* the key is in no error text, and in nothing a model reads.

LangChain's tools send input mistakes back to the model (``handle_tool_error=True``, the
default); API errors (auth, 5xx, a bad answer) raise, bridged to ``langchain_yescale``'s classes,
as the tools document. A LlamaIndex agent gives the model ``str(error)`` of a tool's error.
Every client gets a ``timeout``, so a fault that would hang fails fast; no test asserts a
duration.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
from langchain_core.messages import ToolMessage

import yescale
from langchain_yescale import (
    YEScaleAuthenticationError,
    YEScaleBadRequestError,
    YEScaleConnectionError,
    YEScaleInternalServerError,
    YEScaleRateLimitError,
    YEScaleSpeechToTextTool,
    YEScaleTextToSpeechTool,
    YEScaleTimeoutError,
)
from llama_index_yescale import YEScaleAudioReader, YEScaleToolSpec
from tests.synth.answers_audio import TINY_MP3, tiny_wav
from yescale import YEScaleClient
from yescale.errors import ResponseTooLargeError
from yescale.tools import AudioInputError

from .conftest import FaultServer, Step, body_parts, partial_body, repeated, reply, reply_json
from .support import AsyncSleeps, Sleeps, assert_no_key, error_body, failure_of, http_date
from .test_hostile_wire import peak_growth

#: A key no test data holds by chance: any text that contains it leaked it.
KEY = "sk-ysc-AUDIO-TOOLS-FAULTS-3d8b6e1a5c7f"
MiB = 1 << 20
MODES = ["sync", "async"]
WAV = tiny_wav()
RECORDING = "memo.wav"
SAID = "The release moves to Thursday."
TRANSCRIPT = {"text": SAID}
MP3 = {"Content-Type": "audio/mpeg"}
SPOKEN = "The meeting moved to Thursday."
#: The name the speech faces give the first file of ``SPOKEN`` (model, words, index).
FIRST_NAME = "gpt-4o-mini-tts_the-meeting-moved-to-thursday_1.mp3"

#: Speech to text: the LangChain tool, the LlamaIndex spec function, the reader.
HEARING = [
    pytest.param(kind, mode, id=f"{kind}-{mode}")
    for kind in ("tool", "spec", "reader")
    for mode in MODES
]
#: Text to speech: the LangChain tool, the LlamaIndex spec function.
SPEAKING = [
    pytest.param(kind, mode, id=f"{kind}-{mode}") for kind in ("tool", "spec") for mode in MODES
]

#: The bridged class a LangChain tool raises for a client error (the others raise it as is).
BRIDGED: dict[type[yescale.YEScaleError], type[yescale.YEScaleError]] = {
    yescale.AuthenticationError: YEScaleAuthenticationError,
    yescale.BadRequestError: YEScaleBadRequestError,
    yescale.RateLimitError: YEScaleRateLimitError,
    yescale.InternalServerError: YEScaleInternalServerError,
    yescale.APITimeoutError: YEScaleTimeoutError,
    yescale.APIConnectionError: YEScaleConnectionError,
}


def expected(kind: str, error: type[yescale.YEScaleError]) -> type[yescale.YEScaleError]:
    return BRIDGED.get(error, error) if kind == "tool" else error


#: OpenAI's refusals of a recording and of a voice (the request's fault: never retried).
BAD_AUDIO: dict[str, Any] = {
    "error": {
        "message": "Audio file might be corrupted or unsupported",
        "type": "invalid_request_error",
        "param": "file",
        "code": "invalid_value",
    }
}
NO_VOICE: dict[str, Any] = {
    "error": {"message": "Voice unavailable", "type": "invalid_request_error", "param": "voice"}
}
#: The gateway's refusal of a key, echoing it: what no error may repeat.
ECHOED_KEY: dict[str, Any] = {
    "error": {
        "message": f"Invalid token: Bearer {KEY}",
        "type": "new_api_error",
        "code": "invalid_token",
    }
}


# -- the faces, called alike ---------------------------------------------------------------------


class Told(Exception):
    """A LangChain tool's error message, sent back to the model as its ``ToolMessage``."""

    def __init__(self, message: ToolMessage) -> None:
        super().__init__(str(message.content))
        self.content = str(message.content)


@dataclass
class Face:
    """One face under test, its client, and the retry waits recorded instead of slept."""

    kind: str
    mode: str
    face: Any
    client: YEScaleClient
    recordings: Path
    output_dir: Path | None
    sleeps: Sleeps = field(default_factory=Sleeps)
    asleeps: AsyncSleeps = field(default_factory=AsyncSleeps)

    def waits(self) -> list[float]:
        mine, other = (
            (self.sleeps, self.asleeps)
            if self.mode == "sync"
            else (
                self.asleeps,
                self.sleeps,
            )
        )
        assert list(other) == []
        return list(mine)


def _tool_call(tool: Any, args: dict[str, Any], mode: str) -> Any:
    call = {"type": "tool_call", "id": "call-1", "name": tool.name, "args": args}
    message = tool.invoke(call) if mode == "sync" else asyncio.run(tool.ainvoke(call))
    assert isinstance(message, ToolMessage)
    if message.status == "error":
        raise Told(message)
    return message.artifact


@pytest.fixture
def faces(fault_server: FaultServer, tmp_path: Path) -> Iterator[Callable[..., Face]]:
    """``faces(kind, mode, speech=False, **client)``: the face on the fault server (or on the
    ``http_client`` / ``async_http_client`` given), its client with a ``timeout`` and no retries
    unless ``max_retries`` says, recorded sleeps; a recordings folder holding ``memo.wav``, an
    ``output_dir`` (``output_dir=False``: none). Every client is closed after the test."""
    made: list[Face] = []
    recordings = tmp_path / "recordings"
    recordings.mkdir()
    (recordings / RECORDING).write_bytes(WAV)

    def build(
        kind: str, mode: str, *, speech: bool = False, output_dir: bool = True, **own: Any
    ) -> Face:
        sleeps, asleeps = Sleeps(), AsyncSleeps()
        mock = "http_client" in own
        settings: dict[str, Any] = {
            "api_key": KEY,
            "timeout": 2.0,
            "max_retries": 0,
            "sleep": sleeps,
            "async_sleep": asleeps,
            **({} if mock else {"base_url": fault_server.url}),
            **own,
        }
        client = YEScaleClient(**settings)
        out = tmp_path / "speech" if output_dir else None
        place = {"api_key": KEY, **({} if mock else {"base_url": fault_server.url})}
        face: Any
        if kind == "spec":
            face = YEScaleToolSpec(client=client, allowed_input_dirs=[recordings], output_dir=out)
        elif kind == "reader":
            face = YEScaleAudioReader(**place)
            face._client = client
        elif speech:
            face = YEScaleTextToSpeechTool(**place, output_dir=out)
            face._client = client
        else:
            face = YEScaleSpeechToTextTool(**place, allowed_input_dirs=[recordings])
            face._client = client
        if kind == "tool":
            assert face.handle_tool_error is True  # the default: input mistakes go to the model
        one = Face(kind, mode, face, client, recordings, out, sleeps, asleeps)
        made.append(one)
        return one

    yield build
    for one in made:
        one.client.close()


def transcribe(f: Face, file: str = RECORDING) -> str:
    """The transcript of ``file`` through the face (what it raises, raised; a tool's error
    message to the model as :class:`Told`)."""
    if f.kind == "tool":
        return str(_tool_call(f.face, {"file": file}, f.mode)["text"])
    if f.kind == "spec":
        if f.mode == "sync":
            return f.face.transcribe_audio(file).text
        return asyncio.run(f.face.atranscribe_audio(file)).text
    path = f.recordings / file
    documents = f.face.load_data(path) if f.mode == "sync" else asyncio.run(f.face.aload_data(path))
    assert len(documents) == 1
    return str(documents[0].text)


def speak(f: Face, text: str = SPOKEN) -> bytes:
    """The audio the face made of ``text`` (read back from its file when it wrote one)."""
    if f.kind == "tool":
        artifact = _tool_call(f.face, {"text": text}, f.mode)
        path, data = artifact["path"], artifact["data"]
    else:
        run = f.face.generate_speech if f.mode == "sync" else f.face.agenerate_speech
        result = run(text) if f.mode == "sync" else asyncio.run(run(text))
        path, data = result.path, result.data
    if path is not None:
        assert f.output_dir is not None
        assert Path(path).parent == f.output_dir
        return Path(path).read_bytes()
    assert isinstance(data, bytes)
    return data


raised = failure_of


def model_reads(error: BaseException) -> str:
    """What a model is given of a failed tool call: a LangChain tool's message, or the text a
    LlamaIndex agent makes of the error (``str``)."""
    return error.content if isinstance(error, Told) else str(error)


def no_key(error: BaseException) -> None:
    """Neither the error, nor anything it was raised from, nor what a model reads holds the key."""
    assert KEY not in model_reads(error)
    assert_no_key(error, KEY)


def nothing_written(f: Face) -> None:
    """No file, partial or temporary, in ``output_dir`` (it may not even exist)."""
    if f.output_dir is not None and f.output_dir.exists():
        assert list(f.output_dir.iterdir()) == [], "a partial or temporary file was left"


def uploads(fault_server: FaultServer) -> list[bytes]:
    """The recording as each request uploaded it (the multipart part's bytes)."""
    parts = []
    for seen in fault_server.seen:
        assert seen.headers["content-type"].startswith("multipart/form-data; boundary=")
        _, _, rest = seen.body.partition(b'filename="audio.wav"')
        assert rest, "the recording was not uploaded as audio.wav"
        parts.append(rest.split(b"\r\n\r\n", 1)[1].rsplit(b"\r\n--", 1)[0])
    return parts


# -- speech to text ------------------------------------------------------------------------------


@pytest.mark.parametrize(("kind", "mode"), HEARING)
@pytest.mark.parametrize(
    ("body", "error", "said"),
    [
        pytest.param(ECHOED_KEY, yescale.AuthenticationError, "Invalid token", id="gateway-echo"),
        pytest.param(
            BAD_AUDIO,
            yescale.BadRequestError,
            "Audio file might be corrupted",
            id="openai-error",
        ),
    ],
)
def test_an_error_in_a_2xx_transcription_is_the_typed_error(
    fault_server: FaultServer,
    faces: Callable[..., Face],
    kind: str,
    mode: str,
    body: dict[str, Any],
    error: type[yescale.YEScaleError],
    said: str,
    caplog: pytest.LogCaptureFixture,
) -> None:
    fault_server.script(reply_json(200, body))
    f = faces(kind, mode, max_retries=2)
    with caplog.at_level(logging.DEBUG):
        caught = raised(lambda: transcribe(f))
    assert KEY not in caplog.text
    assert isinstance(caught, expected(kind, error)), repr(caught)
    assert not isinstance(caught, Told)  # an API error raises: it is no input mistake
    assert said in model_reads(caught)
    assert "HTTP 200" not in str(caught)
    assert f.waits() == []
    assert fault_server.count == 1  # a refusal in a 200: not retried
    assert uploads(fault_server) == [WAV]
    no_key(caught)


@pytest.mark.parametrize(("kind", "mode"), HEARING)
def test_a_500_then_the_transcript_is_retried(
    fault_server: FaultServer, faces: Callable[..., Face], kind: str, mode: str
) -> None:
    fault_server.script(reply_json(500, error_body("Upstream hiccup")), reply_json(200, TRANSCRIPT))
    f = faces(kind, mode, max_retries=2)
    assert transcribe(f) == SAID
    assert fault_server.count == 2
    assert len(f.waits()) == 1
    assert uploads(fault_server) == [WAV, WAV]  # the whole recording sent again
    assert {s.path for s in fault_server.seen} == {"/v1/audio/transcriptions"}


@pytest.mark.parametrize(("kind", "mode"), HEARING)
def test_500s_beyond_max_retries_are_the_typed_error(
    fault_server: FaultServer, faces: Callable[..., Face], kind: str, mode: str
) -> None:
    fault_server.script(reply_json(500, error_body(f"Upstream hiccup (key {KEY})")))
    f = faces(kind, mode, max_retries=1)
    caught = raised(lambda: transcribe(f))
    assert isinstance(caught, expected(kind, yescale.InternalServerError)), repr(caught)
    assert caught.status_code == 500
    assert "Upstream hiccup" in model_reads(caught)
    assert fault_server.count_when_settled(2) == 2  # the call and one retry, no more
    assert len(f.waits()) == 1
    no_key(caught)


@pytest.mark.parametrize(("kind", "mode"), HEARING)
@pytest.mark.parametrize(
    ("retry_after", "low", "high"),
    [
        # (the wait asked for, plus at most a quarter more: the jitter on Retry-After)
        pytest.param(lambda: "3", 3.0, 3.75, id="seconds"),
        # an HTTP date 40 s ahead: the wait is what is left of it when the answer is read
        pytest.param(lambda: http_date(40), 20.0, 50.0, id="http-date"),
    ],
)
def test_a_429_with_retry_after_is_waited_then_answered(
    fault_server: FaultServer,
    faces: Callable[..., Face],
    kind: str,
    mode: str,
    retry_after: Callable[[], str],
    low: float,
    high: float,
) -> None:
    limited = reply_json(429, error_body("Rate limit reached"), {"Retry-After": retry_after()})
    fault_server.script(limited, reply_json(200, TRANSCRIPT))
    f = faces(kind, mode, max_retries=2)
    assert transcribe(f) == SAID
    waits = f.waits()
    assert len(waits) == 1, waits
    assert low <= waits[0] <= high, waits
    assert fault_server.count == 2
    assert uploads(fault_server) == [WAV, WAV]


@pytest.mark.parametrize(("kind", "mode"), HEARING)
def test_a_429_too_long_to_wait_is_raised_at_once(
    fault_server: FaultServer, faces: Callable[..., Face], kind: str, mode: str
) -> None:
    limited = reply_json(429, error_body("Rate limit reached"), {"Retry-After": "3600"})
    fault_server.script(limited, reply_json(200, TRANSCRIPT))
    f = faces(kind, mode, max_retries=2)
    caught = raised(lambda: transcribe(f))
    assert isinstance(caught, expected(kind, yescale.RateLimitError)), repr(caught)
    assert caught.retry_after == 3600.0
    assert "Rate limit reached" in model_reads(caught)
    assert f.waits() == []  # an hour is not waited out
    assert fault_server.count == 1
    no_key(caught)


def _redirecting(status: int, seen: list[httpx.Request]) -> dict[str, Any]:
    """httpx clients whose api.yescale.io answers ``status`` to elsewhere.example."""

    def web(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        if request.url.host != "api.yescale.io":
            return httpx.Response(200, json=TRANSCRIPT)  # must never be asked
        return httpx.Response(status, headers={"Location": "https://elsewhere.example/v1/audio"})

    return {
        "http_client": httpx.Client(transport=httpx.MockTransport(web)),
        "async_http_client": httpx.AsyncClient(transport=httpx.MockTransport(web)),
    }


@pytest.mark.parametrize(("kind", "mode"), HEARING)
@pytest.mark.parametrize("status", [301, 302, 307, 308])
def test_a_transcription_redirect_is_not_followed_with_the_key(
    faces: Callable[..., Face], kind: str, mode: str, status: int
) -> None:
    seen: list[httpx.Request] = []
    f = faces(kind, mode, max_retries=2, **_redirecting(status, seen))
    caught = raised(lambda: transcribe(f))
    assert type(caught) is yescale.APIStatusError, repr(caught)
    assert "not followed" in model_reads(caught)
    assert [r.url.host for r in seen] == ["api.yescale.io"]  # once, and nowhere else
    assert seen[0].url.path == "/v1/audio/transcriptions"
    assert seen[0].headers["authorization"] == f"Bearer {KEY}"
    no_key(caught)


HUGE = 128 * MiB
CAP = 1 * MiB


def huge_transcript(size: int) -> Step:
    """A transcription whose text holds ``size`` bytes, made on the fly, never held whole."""
    block = b"la " * (1 << 14)

    def parts() -> Iterator[bytes]:
        yield b'{"text": "'
        yield from repeated(block, size)()
        yield b'"}'

    return body_parts(200, parts, {"Content-Type": "application/json"})


@pytest.mark.parametrize(("kind", "mode"), HEARING)
def test_a_huge_transcription_is_refused_in_bounded_memory(
    fault_server: FaultServer, faces: Callable[..., Face], kind: str, mode: str
) -> None:
    """Measured against the same face's good call: reading the recording itself allocates a
    buffer the size of the upload cap (25 MB) for a moment, whatever its size; the huge answer
    may add little to that."""
    f = faces(kind, mode, max_retries=2, max_response_bytes=CAP)
    fault_server.script(reply_json(200, TRANSCRIPT))
    assert transcribe(f) == SAID  # warm: what a first call imports is not the answer's doing
    good, baseline = peak_growth(lambda: transcribe(f))
    assert good is None, repr(good)
    fault_server.script(huge_transcript(HUGE))
    caught, peak = peak_growth(lambda: transcribe(f))
    assert isinstance(caught, ResponseTooLargeError), repr(caught)
    assert "max_response_bytes" in model_reads(caught)
    assert caught.limit == CAP
    assert peak - baseline < 8 * MiB, (
        f"{peak / MiB:.0f} MiB, {baseline / MiB:.0f} MiB for a good call"
    )
    assert fault_server.count == 3  # the huge answer was not retried
    assert f.waits() == []
    no_key(caught)


@pytest.mark.parametrize(
    ("kind", "mode"),
    [pytest.param(k, m, id=f"{k}-{m}") for k in ("tool", "spec") for m in MODES],
)
@pytest.mark.parametrize(
    "target",
    ["http://127.0.0.1:9/private.wav", "http://169.254.169.254/latest/meta-data"],
    ids=["loopback", "link-local"],
)
def test_a_recording_url_redirected_to_a_private_address_is_refused(
    faces: Callable[..., Face], kind: str, mode: str, target: str
) -> None:
    """The recording an agent names by URL is fetched without the key, each redirect hop
    checked: a hop to a private address is refused before it is asked, and the tool's error goes
    back to the model as text that says why, with no key."""
    seen: list[httpx.Request] = []

    def web(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        if request.url.host == "media.example.com":
            return httpx.Response(302, headers={"Location": target})
        return httpx.Response(200, json=TRANSCRIPT)  # neither the API nor the target is asked

    clients = {
        "http_client": httpx.Client(transport=httpx.MockTransport(web)),
        "async_http_client": httpx.AsyncClient(transport=httpx.MockTransport(web)),
    }
    f = faces(kind, mode, max_retries=2, **clients)
    caught = raised(lambda: transcribe(f, "https://media.example.com/memo.wav"))
    if kind == "tool":
        assert isinstance(caught, Told), repr(caught)  # handle_tool_error=True: the model reads it
    else:
        assert isinstance(caught, AudioInputError), repr(caught)
    told = model_reads(caught)
    assert "Audio URL" in told
    assert target.split("/")[2] in told  # names the address refused
    assert [r.url.host for r in seen] == ["media.example.com"]
    assert "authorization" not in seen[0].headers  # the recording is fetched without the key
    no_key(caught)


# -- text to speech ------------------------------------------------------------------------------


@pytest.mark.parametrize(("kind", "mode"), SPEAKING)
@pytest.mark.parametrize("to_file", [True, False], ids=["to-output-dir", "in-memory"])
@pytest.mark.parametrize(
    ("answer", "error", "said"),
    [
        pytest.param(
            lambda: reply_json(200, ECHOED_KEY),
            yescale.AuthenticationError,
            "Invalid token",
            id="error-json",
        ),
        pytest.param(
            lambda: reply(200, json.dumps(NO_VOICE).encode(), MP3),  # labelled as audio
            yescale.BadRequestError,
            "Voice unavailable",
            id="error-json-as-audio",
        ),
        pytest.param(
            lambda: reply_json(200, {"status": "queued"}),
            yescale.InvalidResponseError,
            "application/json",
            id="other-json",
        ),
    ],
)
def test_json_instead_of_audio_is_the_typed_error_and_writes_nothing(
    fault_server: FaultServer,
    faces: Callable[..., Face],
    kind: str,
    mode: str,
    to_file: bool,
    answer: Callable[[], Step],
    error: type[yescale.YEScaleError],
    said: str,
) -> None:
    fault_server.script(answer())
    f = faces(kind, mode, speech=True, output_dir=to_file, max_retries=2)
    caught = raised(lambda: speak(f))
    assert isinstance(caught, expected(kind, error)), repr(caught)
    assert not isinstance(caught, Told)
    assert said in model_reads(caught)
    assert fault_server.count == 1
    nothing_written(f)
    no_key(caught)


@pytest.mark.parametrize(("kind", "mode"), SPEAKING)
@pytest.mark.parametrize("to_file", [True, False], ids=["to-output-dir", "in-memory"])
def test_a_cut_audio_body_is_an_error_and_leaves_no_file(
    fault_server: FaultServer, faces: Callable[..., Face], kind: str, mode: str, to_file: bool
) -> None:
    fault_server.script(partial_body(TINY_MP3[:500], len(TINY_MP3) * 100, "audio/mpeg"))
    f = faces(kind, mode, speech=True, output_dir=to_file, max_retries=1)
    caught = raised(lambda: speak(f))
    assert isinstance(caught, expected(kind, yescale.APIConnectionError)), repr(caught)
    assert fault_server.count_when_settled(2) == 2  # nothing was handed out: retried, once
    assert len(f.waits()) == 1
    nothing_written(f)
    no_key(caught)


@pytest.mark.parametrize(("kind", "mode"), SPEAKING)
def test_a_cut_audio_body_never_replaces_an_existing_file(
    fault_server: FaultServer, faces: Callable[..., Face], kind: str, mode: str
) -> None:
    f = faces(kind, mode, speech=True)
    assert f.output_dir is not None
    f.output_dir.mkdir()
    earlier = f.output_dir / FIRST_NAME
    earlier.write_bytes(b"the previous take")
    fault_server.script(partial_body(TINY_MP3[:500], 10_000, "audio/mpeg"))
    caught = raised(lambda: speak(f))
    assert isinstance(caught, expected(kind, yescale.APIConnectionError)), repr(caught)
    assert earlier.read_bytes() == b"the previous take"
    assert [p.name for p in f.output_dir.iterdir()] == [FIRST_NAME]
    no_key(caught)

    # and a good answer next goes to a new file beside it
    fault_server.script(reply(200, TINY_MP3, MP3))
    assert speak(f) == TINY_MP3
    assert earlier.read_bytes() == b"the previous take"
    assert {p.name for p in f.output_dir.iterdir()} == {
        FIRST_NAME,
        FIRST_NAME.replace("_1.mp3", "_1-2.mp3"),
    }


def _in_tiny_writes(data: bytes, every: float) -> Step:
    return body_parts(
        200,
        lambda: (data[i : i + 3] for i in range(0, len(data), 3)),
        MP3,
        length=len(data),
        every=every,
    )


@pytest.mark.parametrize(("kind", "mode"), SPEAKING)
@pytest.mark.parametrize("to_file", [True, False], ids=["to-output-dir", "in-memory"])
def test_a_trickled_audio_body_is_the_same_audio(
    fault_server: FaultServer, faces: Callable[..., Face], kind: str, mode: str, to_file: bool
) -> None:
    fault_server.script(_in_tiny_writes(TINY_MP3, every=0.0002))
    f = faces(kind, mode, speech=True, output_dir=to_file)
    assert speak(f) == TINY_MP3
    if f.output_dir is not None:
        assert [p.name for p in f.output_dir.iterdir()] == [FIRST_NAME]


@pytest.mark.parametrize(("kind", "mode"), SPEAKING)
@pytest.mark.parametrize("to_file", [True, False], ids=["to-output-dir", "in-memory"])
def test_a_too_slow_audio_body_ends_at_the_timeout_and_writes_nothing(
    fault_server: FaultServer, faces: Callable[..., Face], kind: str, mode: str, to_file: bool
) -> None:
    """Always something arriving (3 bytes every 50 ms), never the whole body in reasonable time:
    the ``timeout`` ends it."""
    fault_server.script(_in_tiny_writes(TINY_MP3 * 40, every=0.05))
    f = faces(kind, mode, speech=True, output_dir=to_file, timeout=0.5)
    caught = raised(lambda: speak(f))
    assert isinstance(caught, expected(kind, yescale.APITimeoutError)), repr(caught)
    assert "timed out" in model_reads(caught)
    nothing_written(f)
    no_key(caught)


AUDIO_BLOCK = b"\xff\xfb\x90\x64" + bytes((1 << 16) - 4)


@pytest.mark.parametrize(("kind", "mode"), SPEAKING)
@pytest.mark.parametrize("declare", [False, True], ids=["chunked", "declared"])
@pytest.mark.parametrize(
    ("to_file", "setting"),
    [(True, "max_download_bytes"), (False, "max_response_bytes")],
    ids=["to-output-dir", "in-memory"],
)
def test_a_huge_audio_body_over_the_cap_is_refused_in_bounded_memory(
    fault_server: FaultServer,
    faces: Callable[..., Face],
    kind: str,
    mode: str,
    declare: bool,
    to_file: bool,
    setting: str,
) -> None:
    size = HUGE
    fault_server.script(
        body_parts(200, repeated(AUDIO_BLOCK, size), MP3, length=size if declare else None)
    )
    cap = 2 * MiB
    f = faces(kind, mode, speech=True, output_dir=to_file, max_retries=2, **{setting: cap})
    caught, peak = peak_growth(lambda: speak(f))
    assert isinstance(caught, ResponseTooLargeError), repr(caught)
    assert setting in model_reads(caught)
    assert caught.limit == cap
    assert peak < 16 * MiB, f"peak allocation {peak / MiB:.0f} MiB"
    assert fault_server.count == 1  # not retried
    nothing_written(f)
    no_key(caught)


@pytest.mark.parametrize(("kind", "mode"), SPEAKING)
@pytest.mark.parametrize("to_file", [True, False], ids=["to-output-dir", "in-memory"])
@pytest.mark.parametrize("status", [301, 302, 307, 308])
def test_a_speech_redirect_is_not_followed_and_writes_nothing(
    faces: Callable[..., Face], kind: str, mode: str, to_file: bool, status: int
) -> None:
    seen: list[httpx.Request] = []
    f = faces(
        kind, mode, speech=True, output_dir=to_file, max_retries=2, **_redirecting(status, seen)
    )
    caught = raised(lambda: speak(f))
    assert type(caught) is yescale.APIStatusError, repr(caught)
    assert "not followed" in model_reads(caught)
    assert [r.url.host for r in seen] == ["api.yescale.io"]  # once, and nowhere else
    assert seen[0].url.path == "/v1/audio/speech"
    assert seen[0].headers["authorization"] == f"Bearer {KEY}"
    nothing_written(f)
    no_key(caught)


# -- the key -------------------------------------------------------------------------------------


KEY_FACES = [
    *(
        pytest.param(k, m, False, id=f"hear-{k}-{m}")
        for k in ("tool", "spec", "reader")
        for m in MODES
    ),
    *(pytest.param(k, m, True, id=f"speak-{k}-{m}") for k in ("tool", "spec") for m in MODES),
]


@pytest.mark.parametrize(("kind", "mode", "speaking"), KEY_FACES)
@pytest.mark.parametrize("status", [401, 200])
def test_an_error_echoing_the_key_never_shows_it(
    fault_server: FaultServer,
    faces: Callable[..., Face],
    kind: str,
    mode: str,
    speaking: bool,
    status: int,
) -> None:
    fault_server.script(reply_json(status, ECHOED_KEY))
    f = faces(kind, mode, speech=speaking, max_retries=2)
    caught = raised(lambda: speak(f) if speaking else transcribe(f))
    assert isinstance(caught, expected(kind, yescale.AuthenticationError)), repr(caught)
    assert "Invalid token" in model_reads(caught)
    assert KEY not in repr(f.face)
    assert fault_server.count == 1
    assert fault_server.seen[0].headers["authorization"] == f"Bearer {KEY}"
    no_key(caught)
