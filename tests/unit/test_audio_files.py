"""client.audio: uploads sized, typed and sniffed, models and parameters checked, all before any
request (a MockTransport that fails the test if anything is sent)."""

from __future__ import annotations

import asyncio
import io
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.synth.answers_audio import TINY_MP3, tiny_wav
from yescale import InvalidRequestError, YEScaleClient
from yescale._audio_files import MAX_AUDIO_BYTES, read_audio_file, sniff
from yescale.models.kinds import audio_role, check_audio_model, kind
from yescale.resources._audio_calls import form_fields

from .conftest import make_client, never_called

WAV = tiny_wav()
FTYP_M4A = b"\x00\x00\x00\x20ftypM4A \x00\x00\x00\x00isomiso2"
FTYP_MP4 = b"\x00\x00\x00\x20ftypisom\x00\x00\x02\x00isomiso2"
WEBM = b"\x1a\x45\xdf\xa3\x9f\x42\x86\x81\x01\x42\xf7\x81\x01\x42\x82\x84webm"


@pytest.mark.parametrize(
    ("content", "ext"),
    [
        (WAV, "wav"),
        (TINY_MP3, "mp3"),
        (b"ID3\x04\x00" + bytes(20), "mp3"),
        (b"OggS\x00\x02" + bytes(20), "ogg"),
        (b"fLaC" + bytes(20), "flac"),
        (FTYP_M4A, "m4a"),
        (FTYP_MP4, "mp4"),
        (WEBM, "webm"),
        (bytes([0xFF, 0xF1, 0x50, 0x80]) + bytes(20), None),  # ADTS AAC: not accepted
        (b"RIFF\x00\x00\x00\x00AVI LIST", None),  # RIFF, but not WAVE
        (b"hello world", None),
    ],
)
def test_sniff(content: bytes, ext: str | None) -> None:
    assert sniff(content) == ext


def test_inputs_of_every_kind_are_named_and_typed(tmp_path: Path) -> None:
    path = tmp_path / "Take 1.MP3"
    path.write_bytes(TINY_MP3)
    assert read_audio_file(path).part() == ("Take 1.MP3", TINY_MP3, "audio/mpeg")
    assert read_audio_file(str(path)).filename == "Take 1.MP3"
    assert read_audio_file(WAV).part() == ("audio.wav", WAV, "audio/wav")
    assert read_audio_file(bytearray(FTYP_M4A)).part()[0] == "audio.m4a"
    assert read_audio_file(("voice.ogg", b"OggS" + bytes(8))).content_type == "audio/ogg"
    assert read_audio_file(("a/b/clip.webm", WEBM, "video/webm")).part()[::2] == (
        "clip.webm",
        "video/webm",
    )
    with path.open("rb") as fh:
        assert read_audio_file(fh).part() == ("Take 1.MP3", TINY_MP3, "audio/mpeg")
        assert not fh.closed  # the caller's file stays open
    assert read_audio_file(io.BytesIO(WAV)).filename == "audio.wav"  # no name: sniffed
    # a named upload keeps its name even when the content is not recognised
    assert read_audio_file(("speech.wav", b"\x01\x02\x03")).filename == "speech.wav"


REFUSED: list[Any] = [
    pytest.param(lambda p: p / "missing.wav", "No audio file at", id="missing"),
    pytest.param(lambda p: p, "is not a file", id="folder"),
    pytest.param(lambda p: _write(p / "empty.wav", b""), "is empty", id="empty"),
    pytest.param(lambda p: _write(p / "notes.txt", WAV), "extension '.txt'", id="extension"),
    pytest.param(lambda p: _write(p / "noext", WAV), "no extension", id="no-extension"),
    pytest.param(lambda p: _write(p / "cover.mp3", b"\x89PNG\r\n" + bytes(9)), "PNG", id="png"),
    pytest.param(lambda p: _write(p / "err.mp3", b' {"error": 1}'), "JSON", id="json"),
    pytest.param(lambda p: _write(p / "page.wav", b"<!doctype html>"), "HTML", id="html"),
    pytest.param(lambda p: _sparse(p / "long.wav", MAX_AUDIO_BYTES + 1), "over the 25", id="big"),
    pytest.param(lambda p: b"just some bytes", "Cannot tell the format", id="nameless"),
    pytest.param(lambda p: b"", "is empty", id="no-bytes"),
    pytest.param(lambda p: io.BytesIO(b""), "is empty", id="empty-object"),
    pytest.param(lambda p: io.StringIO("text"), "text mode", id="text-mode"),
    pytest.param(lambda p: ("clip.aac", WAV), "extension '.aac'", id="tuple-extension"),
    pytest.param(lambda p: ("", WAV), "filename", id="tuple-no-name"),
    pytest.param(lambda p: ("a.wav", 3), "must be bytes", id="tuple-content"),
    pytest.param(lambda p: 42, "must be a path", id="int"),
    pytest.param(lambda p: "https://example.com/a.mp3", "No audio file at", id="url"),
]


def _write(path: Path, content: bytes) -> Path:
    path.write_bytes(content)
    return path


def _sparse(path: Path, size: int) -> Path:
    with path.open("wb") as fh:
        fh.truncate(size)  # sized without writing 25 MB
    return path


@pytest.mark.parametrize(("make", "said"), REFUSED)
def test_bad_uploads_are_refused_with_a_hint(
    tmp_path: Path, make: Callable[[Path], Any], said: str
) -> None:
    with pytest.raises(InvalidRequestError, match=said):
        read_audio_file(make(tmp_path))


def test_a_large_file_object_is_read_no_further_than_the_limit() -> None:
    source = io.BytesIO(WAV + bytes(100))
    with pytest.raises(InvalidRequestError, match="over the 100 bytes"):
        read_audio_file(source, limit=100)
    assert source.tell() == 101


def test_audio_model_kinds() -> None:
    for model in ("gpt-4o-transcribe", "gpt-4o-mini-transcribe", "whisper-1"):
        assert (kind(model), audio_role(model)) == ("audio", "transcription")
    for model in ("gpt-4o-mini-tts", "tts-1", "tts-1-hd"):
        assert (kind(model), audio_role(model)) == ("audio", "speech")
    assert audio_role("gpt-4o") is None
    check_audio_model("some-new-audio-model", "speech")  # unknown names pass
    check_audio_model("whisper-1", "translation")
    with pytest.raises(InvalidRequestError, match=r"text-to-speech model.*'whisper-1'"):
        check_audio_model("tts-1", "transcription")
    with pytest.raises(InvalidRequestError, match=r"speech-to-text model.*'gpt-4o-mini-tts'"):
        check_audio_model("gpt-4o-transcribe", "speech")
    with pytest.raises(InvalidRequestError, match="a chat model, not an audio model"):
        check_audio_model("gpt-4o-mini", "transcription")
    with pytest.raises(InvalidRequestError, match="an embedding model"):
        check_audio_model("text-embedding-3-small", "speech")


def test_form_fields_are_encoded_as_openais_sdk_does() -> None:
    assert form_fields(
        {
            "model": "whisper-1",
            "language": None,
            "temperature": 0.5,
            "include": ["logprobs"],
            "chunking_strategy": {"type": "server_vad", "threshold": 0.5},
            "flag": True,
        }
    ) == {
        "model": "whisper-1",
        "temperature": "0.5",
        "include[]": ["logprobs"],
        "chunking_strategy[type]": "server_vad",
        "chunking_strategy[threshold]": "0.5",
        "flag": "true",
    }


# -- through the client: refused before any request --------------------------------------------

Call = Callable[[YEScaleClient, Path], Any]
TRANSCRIBE_REFUSED: list[Any] = [
    pytest.param(
        lambda c, p: c.transcriptions.create(file=WAV, model="tts-1"), "text-to-speech", id="tts"
    ),
    pytest.param(
        lambda c, p: c.translations.create(file=WAV, model="gpt-4o-mini-tts"),
        "translation",
        id="tts-translation",
    ),
    pytest.param(
        lambda c, p: c.transcriptions.create(file=WAV, model="gpt-4o"), "chat model", id="chat"
    ),
    pytest.param(
        lambda c, p: c.transcriptions.create(file=WAV, response_format="srt"),
        "'json' or 'text' only",
        id="srt-on-gpt-4o",
    ),
    pytest.param(
        lambda c, p: c.transcriptions.create(file=WAV, response_format="mp3"),
        "response_format",
        id="format",
    ),
    pytest.param(
        lambda c, p: c.transcriptions.create(
            file=WAV, model="whisper-1", timestamp_granularities=["word"]
        ),
        "verbose_json",
        id="granularities-without-verbose",
    ),
    pytest.param(
        lambda c, p: c.transcriptions.create(
            file=WAV,
            model="whisper-1",
            response_format="verbose_json",
            timestamp_granularities=["char"],
        ),
        "'word', 'segment'",
        id="granularity",
    ),
    pytest.param(
        lambda c, p: c.transcriptions.create(file=WAV, temperature=1.5), "0 to 1", id="temperature"
    ),
    pytest.param(
        lambda c, p: c.transcriptions.create(file=WAV, language=""), "language", id="lang"
    ),
    pytest.param(lambda c, p: c.transcriptions.create(file=WAV, stream=True), "Streaming", id="st"),
    pytest.param(lambda c, p: c.transcriptions.create(file=b"???"), "Name them", id="nameless"),
    pytest.param(lambda c, p: c.transcriptions.create(file=p / "no.wav"), "No audio", id="path"),
    pytest.param(lambda c, p: c.transcriptions.create(file=WAV, model=""), "model", id="model"),
]
SPEECH_REFUSED: list[Any] = [
    pytest.param(lambda c, p: c.speech.create(input="Hi", model="whisper-1"), "speech-to-text"),
    pytest.param(lambda c, p: c.speech.create(input=""), "text to speak", id="empty"),
    pytest.param(lambda c, p: c.speech.create(input="x" * 4097), "at most 4096", id="long"),
    pytest.param(lambda c, p: c.speech.create(input="Hi", voice=""), "voice", id="voice"),
    pytest.param(lambda c, p: c.speech.create(input="Hi", speed=5), "0.25 to 4", id="speed"),
    pytest.param(
        lambda c, p: c.speech.create(input="Hi", response_format="ogg"), "mp3", id="format"
    ),
    pytest.param(
        lambda c, p: c.speech.create(input="Hi", model="tts-1", instructions="Calm."),
        "takes no `instructions`",
        id="instructions",
    ),
    pytest.param(
        lambda c, p: c.speech.create(input="Hi", stream_format="sse"), "Streaming", id="sse"
    ),
    pytest.param(
        lambda c, p: c.speech.create(input="Hi", response_format="mp3", to=p / "a.wav"),
        "make them agree",
        id="to-format",
    ),
    pytest.param(lambda c, p: c.speech.create(input="Hi", to=p), "is a folder", id="to-folder"),
    pytest.param(
        lambda c, p: c.speech.create(input="Hi", to=p / "no" / "a.mp3"),
        "does not exist",
        id="to-parent",
    ),
]


@pytest.mark.parametrize("mode", ["sync", "async"])
@pytest.mark.parametrize(("call", "said"), TRANSCRIBE_REFUSED + SPEECH_REFUSED)
def test_refused_before_any_request(tmp_path: Path, call: Call, said: str, mode: str) -> None:
    client = make_client(never_called)

    def run() -> Any:
        if mode == "sync":
            return call(client.audio, tmp_path)  # type: ignore[arg-type]
        return asyncio.run(call(client.aio.audio, tmp_path))  # type: ignore[arg-type]

    with pytest.raises(InvalidRequestError, match=said):
        run()
    assert list(tmp_path.iterdir()) == []  # and nothing written


def test_a_small_recording_is_read_without_a_buffer_the_size_of_the_cap(tmp_path: Path) -> None:
    """A recording's bytes are held once: reading a 1.6 kB file must not reserve a buffer the
    size of the 25 MB upload cap (the reader reads up to 32 files at once)."""
    import io
    import tracemalloc
    import wave

    sound = io.BytesIO()
    with wave.open(sound, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(8000)
        out.writeframes(b"\0\0" * 800)
    path = tmp_path / "small.wav"
    path.write_bytes(sound.getvalue())
    read_audio_file(path)  # warm-up: imports and caches
    tracemalloc.start()
    try:
        read_audio_file(path)
        read_audio_file(io.BytesIO(sound.getvalue()))
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 1 << 20, peak
