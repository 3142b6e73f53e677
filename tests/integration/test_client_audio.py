"""client.audio (transcriptions, translations, speech) over replayed cassettes, sync and async.

The cassettes are synthesized (tests/synth/answers_audio.py: OpenAI's public /v1/audio format,
the YEScale reference gives no bodies); the inputs are tiny valid WAV / MP3 files made in code.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from email.message import Message
from email.parser import BytesParser
from email.policy import HTTP
from pathlib import Path
from typing import Any

import pytest
from vcr.cassette import Cassette

from tests.synth.answers_audio import SPEECH_BODIES, SPOKEN, TINY_MP3, TRANSLATED, tiny_wav
from yescale import BadRequestError, YEScaleClient
from yescale.costs import PriceTable, track_costs, use_prices
from yescale.types import ModelInfo, Transcription, Translation

from .client_support import sent_json

BOUNDARY = "yescale-integrations-boundary-7b3f9e1c"
WAV = tiny_wav()


def sent_form(cassette: Cassette, index: int) -> tuple[dict[str, Any], dict[str, Any]]:
    """The recorded multipart request's fields (repeated ``name[]`` as lists) and its files as
    ``{name: (filename, content type, bytes)}``."""
    request = cassette.requests[index]
    content_type = request.headers["content-type"]
    assert content_type == f"multipart/form-data; boundary={BOUNDARY}"
    body = request.body if isinstance(request.body, bytes) else request.body.encode()
    message = BytesParser(policy=HTTP).parsebytes(
        f"Content-Type: {content_type}\r\n\r\n".encode() + body
    )
    fields: dict[str, Any] = {}
    files: dict[str, Any] = {}
    for part in message.iter_parts():  # type: ignore[attr-defined]
        assert isinstance(part, Message)
        name = str(part.get_param("name", header="content-disposition"))
        data = part.get_payload(decode=True)
        assert isinstance(data, bytes)
        if part.get_filename() is not None:
            files[name] = (part.get_filename(), part.get_content_type(), data)
        elif name.endswith("[]"):
            fields.setdefault(name, []).append(data.decode())
        else:
            fields[name] = data.decode()
    return fields, files


@pytest.fixture
def hello_wav(tmp_path: Path) -> Path:
    path = tmp_path / "hello.wav"
    path.write_bytes(WAV)
    return path


@pytest.fixture
def prices() -> Iterator[None]:
    use_prices(
        PriceTable.from_models(
            [
                ModelInfo(
                    model_name="gpt-4o-mini-transcribe",
                    billing_type="pay-per-token",
                    input_price=1.25,
                    output_price=5.0,
                )
            ]
        )
    )
    yield
    use_prices(None)


# -- transcriptions ----------------------------------------------------------------------------


@pytest.mark.vcr
def test_transcription_of_a_path_is_a_typed_answer(vcr: Cassette, hello_wav: Path) -> None:
    with YEScaleClient() as client:
        answer = client.audio.transcriptions.create(file=hello_wav, language="en")
    assert isinstance(answer, Transcription)
    assert answer.text == SPOKEN
    assert answer.usage is not None
    assert (answer.usage.type, answer.usage.input_tokens, answer.usage.output_tokens) == (
        "tokens",
        14,
        9,
    )
    assert vcr.requests[0].uri == "https://api.yescale.io/v1/audio/transcriptions"
    fields, files = sent_form(vcr, 0)
    assert fields == {"model": "gpt-4o-mini-transcribe", "language": "en"}
    assert files == {"file": ("hello.wav", "audio/wav", WAV)}


@pytest.mark.vcr
async def test_transcription_of_nameless_bytes_is_named_from_their_content(
    vcr: Cassette,
) -> None:
    async with YEScaleClient() as client:
        answer = await client.aio.audio.transcriptions.create(
            file=TINY_MP3, model="gpt-4o-transcribe", prompt="A greeting.", temperature=0
        )
    assert answer.text == SPOKEN
    fields, files = sent_form(vcr, 0)
    assert fields == {"model": "gpt-4o-transcribe", "prompt": "A greeting.", "temperature": "0"}
    assert files == {"file": ("audio.mp3", "audio/mpeg", TINY_MP3)}


@pytest.mark.vcr
def test_verbose_json_has_language_duration_segments_and_words(vcr: Cassette) -> None:
    with YEScaleClient() as client:
        answer = client.audio.transcriptions.create(
            file=io.BytesIO(WAV),
            model="whisper-1",
            response_format="verbose_json",
            timestamp_granularities=["word", "segment"],
        )
    assert (answer.language, answer.duration, answer.task) == ("english", 0.1, "transcribe")
    assert answer.segments is not None
    assert answer.segments[0].text.strip() == SPOKEN
    assert answer.words is not None
    assert [w.word for w in answer.words] == SPOKEN.split()
    assert answer.usage is not None
    assert answer.usage.seconds == 1
    fields, files = sent_form(vcr, 0)
    assert fields == {
        "model": "whisper-1",
        "response_format": "verbose_json",
        "timestamp_granularities[]": ["word", "segment"],
    }
    assert files["file"][:2] == ("audio.wav", "audio/wav")


@pytest.mark.vcr
@pytest.mark.parametrize("fmt", ["text", "srt", "vtt"])
def test_text_formats_return_the_text_itself(vcr: Cassette, fmt: str) -> None:
    with YEScaleClient() as client:
        answer = client.audio.transcriptions.create(
            file=("take-1.mp3", TINY_MP3), model="whisper-1", response_format=fmt
        )
    assert isinstance(answer, str)
    assert SPOKEN in answer
    assert answer.startswith({"text": SPOKEN, "srt": "1\n00:00:00,000", "vtt": "WEBVTT"}[fmt])
    assert sent_form(vcr, 0)[1]["file"][0] == "take-1.mp3"


@pytest.mark.vcr
def test_a_refused_language_is_a_bad_request(vcr: Cassette, hello_wav: Path) -> None:
    with YEScaleClient() as client, pytest.raises(BadRequestError) as caught:
        client.audio.transcriptions.create(file=hello_wav, language="english")
    assert "ISO-639-1" in str(caught.value)
    assert caught.value.status_code == 400
    assert len(vcr.requests) == 1  # a 400 is not retried


@pytest.mark.vcr
def test_transcription_tokens_are_priced(vcr: Cassette, hello_wav: Path, prices: None) -> None:
    with YEScaleClient() as client, track_costs() as costs:
        answer = client.audio.transcriptions.create(file=hello_wav)
    assert answer.cost is not None
    assert answer.cost.basis == "tokens"
    assert answer.cost.usd == pytest.approx((14 * 1.25 + 9 * 5.0) / 1_000_000)
    assert costs.total_cost == pytest.approx(answer.cost.usd)


# -- translations ------------------------------------------------------------------------------


@pytest.mark.vcr
async def test_translation_async(vcr: Cassette, hello_wav: Path) -> None:
    async with YEScaleClient() as client:
        answer = await client.aio.audio.translations.create(file=str(hello_wav))
    assert isinstance(answer, Translation)
    assert answer.text == TRANSLATED
    assert answer.cost is not None
    assert answer.cost.usd is None
    assert vcr.requests[0].uri == "https://api.yescale.io/v1/audio/translations"
    fields, files = sent_form(vcr, 0)
    assert fields == {"model": "whisper-1"}
    assert files["file"][0] == "hello.wav"


@pytest.mark.vcr
def test_translation_as_text(vcr: Cassette, hello_wav: Path) -> None:
    with YEScaleClient() as client:
        answer = client.audio.translations.create(file=hello_wav, response_format="text")
    assert answer == TRANSLATED + "\n"


# -- speech ------------------------------------------------------------------------------------


@pytest.mark.vcr
def test_speech_returns_the_audio_bytes(vcr: Cassette) -> None:
    with YEScaleClient() as client:
        audio = client.audio.speech.create(input="Hello there!", instructions="Cheerful.")
    assert audio == TINY_MP3
    assert vcr.requests[0].uri == "https://api.yescale.io/v1/audio/speech"
    assert sent_json(vcr, 0) == {
        "model": "gpt-4o-mini-tts",
        "input": "Hello there!",
        "voice": "alloy",
        "response_format": "mp3",
        "instructions": "Cheerful.",
    }


@pytest.mark.vcr
async def test_speech_streamed_to_a_file_async(vcr: Cassette, tmp_path: Path) -> None:
    target = tmp_path / "hello.wav"  # the extension chooses the format
    async with YEScaleClient() as client:
        saved = await client.aio.audio.speech.create(
            input="Hello there!", model="tts-1", voice="nova", speed=1.25, to=target
        )
    assert saved == target
    assert target.read_bytes() == SPEECH_BODIES["wav"][1]
    assert [p.name for p in tmp_path.iterdir()] == ["hello.wav"]  # noqa: ASYNC240 (no temp file)
    assert sent_json(vcr, 0) == {
        "model": "tts-1",
        "input": "Hello there!",
        "voice": "nova",
        "response_format": "wav",
        "speed": 1.25,
    }


@pytest.mark.vcr
@pytest.mark.parametrize("fmt", ["opus", "aac", "flac", "pcm"])
def test_speech_formats(vcr: Cassette, fmt: str) -> None:
    with YEScaleClient() as client:
        audio = client.audio.speech.create(input="Hi", model="tts-1-hd", response_format=fmt)
    assert audio == SPEECH_BODIES[fmt][1]
    assert sent_json(vcr, 0)["response_format"] == fmt


@pytest.mark.vcr
def test_an_unknown_voice_is_the_services_bad_request(vcr: Cassette, tmp_path: Path) -> None:
    target = tmp_path / "out.mp3"
    with YEScaleClient() as client, pytest.raises(BadRequestError) as caught:
        client.audio.speech.create(input="Hi", voice="robot", to=target)
    assert "voice" in str(caught.value)
    assert list(tmp_path.iterdir()) == []
