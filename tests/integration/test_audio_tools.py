"""The audio faces end to end over replayed cassettes: the LangChain speech-to-text and
text-to-speech tools, ``YEScaleToolSpec.transcribe_audio`` / ``generate_speech``, and
``YEScaleAudioReader`` feeding a ``VectorStoreIndex``; and the sandbox's refusals, proven
without any request.

The cassettes are synthesized (tests/synth/answers_audio.py: OpenAI's public /v1/audio format;
the recordings are silent WAVs made in code, each "saying" its text; the embeddings are
answers_embeddings' bags of words, so retrieval over the transcripts means something).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import httpx
import pytest
from langchain_core.messages import ToolMessage
from vcr.cassette import Cassette

from langchain_yescale import (
    YEScaleSpeechToTextTool,
    YEScaleTextToSpeechTool,
    YEScaleToolInputError,
)
from llama_index_yescale import YEScaleAudioReader, YEScaleEmbedding, YEScaleToolSpec
from tests.synth.answers_audio import RECORDINGS, SPEECH_BODIES, TINY_MP3, TRANSLATED, tiny_wav
from yescale.tools import AudioInputError, SpeechResult, TranscriptResult

STANDUP, STANDUP_SAYS = RECORDINGS["standup.wav"]
GARDEN, GARDEN_SAYS = RECORDINGS["garden.wav"]


def call(tool: Any, args: dict[str, Any]) -> ToolMessage:
    message = tool.invoke({"type": "tool_call", "id": "call-1", "name": tool.name, "args": args})
    assert isinstance(message, ToolMessage)
    return message


async def acall(tool: Any, args: dict[str, Any]) -> ToolMessage:
    message = await tool.ainvoke(
        {"type": "tool_call", "id": "call-1", "name": tool.name, "args": args}
    )
    assert isinstance(message, ToolMessage)
    return message


@pytest.fixture
def recordings(tmp_path: Path) -> Path:
    folder = tmp_path / "recordings"
    folder.mkdir()
    for name, (data, _) in RECORDINGS.items():
        (folder / name).write_bytes(data)
    return folder


def uploaded_names(cassette: Cassette) -> list[bytes]:
    """The ``filename=`` of every multipart upload recorded."""
    names = []
    for request in cassette.requests:
        body = request.body if isinstance(request.body, bytes) else (request.body or "").encode()
        for line in body.split(b"\r\n"):
            if b'name="file"' in line:
                names.append(line.split(b'filename="', 1)[1].split(b'"', 1)[0])
    return names


# -- speech to text ------------------------------------------------------------------------------


@pytest.mark.vcr
def test_speech_to_text_tool_reads_an_allowed_path(recordings: Path, vcr: Cassette) -> None:
    tool = YEScaleSpeechToTextTool(allowed_input_dirs=[recordings])
    message = call(tool, {"file": "standup.wav", "language": "en"})  # relative: looked up
    assert message.status != "error"
    assert STANDUP_SAYS in str(message.content)
    assert str(recordings / "standup.wav") in str(message.content)
    assert message.artifact["text"] == STANDUP_SAYS
    assert message.artifact["model"] == "gpt-4o-mini-transcribe"
    assert message.artifact["usage"]["type"] == "tokens"
    # the local name never leaves the machine
    assert uploaded_names(vcr) == [b"audio.wav"]
    assert vcr.requests[0].path == "/v1/audio/transcriptions"


@pytest.mark.vcr
async def test_speech_to_text_tool_verbose_json_async(recordings: Path) -> None:
    tool = YEScaleSpeechToTextTool(
        model="whisper-1", transcript_format="verbose_json", allowed_input_dirs=[recordings]
    )
    message = await acall(tool, {"file": str(recordings / "garden.wav")})
    assert "language: english" in str(message.content)
    assert "0.1 s" in str(message.content)
    artifact = message.artifact
    assert artifact["text"] == GARDEN_SAYS
    assert artifact["language"] == "english"
    assert artifact["duration"] == 0.1
    assert artifact["segments"] == [{"id": 0, "start": 0.0, "end": 0.1, "text": GARDEN_SAYS}]


@pytest.mark.vcr
def test_toolspec_transcribe_audio_translates_into_english(recordings: Path, vcr: Cassette) -> None:
    spec = YEScaleToolSpec(allowed_input_dirs=[recordings])
    tool = next(t for t in spec.to_tool_list() if t.metadata.name == "transcribe_audio")
    output = tool.call(file="standup.wav", translate=True, language="de")
    result = output.raw_output
    assert isinstance(result, TranscriptResult)
    assert result.task == "translate"
    assert result.model == "whisper-1"
    assert result.text == TRANSLATED
    assert str(output).startswith("English translation of ")
    assert vcr.requests[0].path == "/v1/audio/translations"
    assert b'name="language"' not in vcr.requests[0].body  # translations take none


# -- text to speech ------------------------------------------------------------------------------


@pytest.mark.vcr
def test_text_to_speech_tool_writes_files_never_bytes(tmp_path: Path) -> None:
    out = tmp_path / "speech"
    tool = YEScaleTextToSpeechTool(output_dir=out, voice="coral")
    first = call(tool, {"text": "The release moves to Thursday."})
    second = call(tool, {"text": "The release moves to Thursday.", "voice": "nova"})
    paths = [Path(m.artifact["path"]) for m in (first, second)]
    assert [p.name for p in paths] == [
        "gpt-4o-mini-tts_the-release-moves-to-thursday_1.mp3",
        "gpt-4o-mini-tts_the-release-moves-to-thursday_1-2.mp3",
    ]
    for message, path in zip((first, second), paths, strict=True):
        assert path.parent == out
        assert path.read_bytes() == TINY_MP3
        assert f"saved to {path}" in str(message.content)
        assert message.artifact["data"] is None
    assert "voice coral" in str(first.content)
    assert "voice nova" in str(second.content)
    assert sorted(os.listdir(out)) == sorted(p.name for p in paths)


@pytest.mark.vcr
async def test_text_to_speech_tool_in_memory_async() -> None:
    tool = YEScaleTextToSpeechTool(model="tts-1", speech_format="wav")
    message = await acall(tool, {"text": "Hello there.", "speed": 1.25})
    assert message.artifact["data"] == SPEECH_BODIES["wav"][1]
    assert message.artifact["path"] is None
    assert "kept in memory for the application" in str(message.content)
    assert "RIFF" not in str(message.content)


@pytest.mark.vcr
async def test_toolspec_generate_speech_async(tmp_path: Path) -> None:
    spec = YEScaleToolSpec(output_dir=tmp_path, speech_format="flac", voice="sage")
    tool = next(t for t in spec.to_tool_list() if t.metadata.name == "generate_speech")
    output = await tool.acall(text="Water the roses.", instructions="Calm and slow.")
    result = output.raw_output
    assert isinstance(result, SpeechResult)
    assert result.path is not None
    assert result.path.read_bytes() == SPEECH_BODIES["flac"][1]
    assert result.path.suffix == ".flac"
    assert str(output) == result.summary()


# -- the reader into a VectorStoreIndex ----------------------------------------------------------


@pytest.mark.vcr
def test_reader_documents_indexed_and_queried(recordings: Path) -> None:
    from llama_index.core import VectorStoreIndex

    reader = YEScaleAudioReader()
    files = [recordings / "standup.wav", recordings / "garden.wav"]
    documents = reader.load_data(files, extra_info={"source": "team drive"})
    assert [d.text for d in documents] == [STANDUP_SAYS, GARDEN_SAYS]
    assert documents[0].metadata == {
        "file_name": "standup.wav",
        "file_path": str(files[0]),
        "model": "gpt-4o-mini-transcribe",
        "language": None,
        "duration": None,
        "source": "team drive",
    }
    embed_model = YEScaleEmbedding(model_name="text-embedding-3-small", dimensions=256)
    index = VectorStoreIndex.from_documents(documents, embed_model=embed_model)
    retriever = index.as_retriever(similarity_top_k=1)
    (best,) = retriever.retrieve("When does the release move?")
    assert best.node.metadata["file_name"] == "standup.wav"
    (best,) = retriever.retrieve("When should we plant tomatoes?")
    assert best.node.metadata["file_name"] == "garden.wav"


@pytest.mark.vcr
async def test_reader_async_verbose_json_segments(recordings: Path) -> None:
    reader = YEScaleAudioReader(model="whisper-1", transcript_format="verbose_json")
    (document,) = await reader.aload_data(str(recordings / "garden.wav"))
    assert document.text == GARDEN_SAYS
    assert document.metadata["language"] == "english"
    assert document.metadata["duration"] == 0.1
    assert document.metadata["segments"] == [
        {"id": 0, "start": 0.0, "end": 0.1, "text": GARDEN_SAYS}
    ]
    # timestamps are for the application, not the embeddings
    assert "segments" not in document.get_metadata_str(mode="embed")  # type: ignore[arg-type]


# -- refusals, before any request ----------------------------------------------------------------


class NoRequests:
    """An httpx transport that fails the test if anything is sent."""

    def __init__(self) -> None:
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        return httpx.Response(599)

    def lc(self) -> dict[str, Any]:
        transport = httpx.MockTransport(self)
        return {
            "http_client": httpx.Client(transport=transport),
            "http_async_client": httpx.AsyncClient(transport=transport),
        }

    def li(self) -> dict[str, Any]:
        transport = httpx.MockTransport(self)
        return {
            "http_client": httpx.Client(transport=transport),
            "async_http_client": httpx.AsyncClient(transport=transport),
        }


@pytest.fixture
def sandbox(tmp_path: Path) -> dict[str, Path]:
    allowed = tmp_path / "allowed"
    allowed.mkdir()
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.wav").write_bytes(tiny_wav())
    (allowed / "escape.wav").symlink_to(outside / "secret.wav")
    (allowed / "notes.txt").write_text("not audio")
    (allowed / "photo.wav").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(64))
    with (allowed / "huge.wav").open("wb") as fh:  # sparse: 26 MB without writing them
        fh.truncate(26 * 1024 * 1024)
    return {"allowed": allowed, "outside": outside}


REFUSED = [
    ("outside", "{outside}/secret.wav", "outside the allowed folders"),
    ("dotdot", "../outside/secret.wav", "outside the allowed folders"),
    ("symlink", "escape.wav", "outside the allowed folders"),
    ("missing", "nothing.wav", "no such file in the allowed folders"),
    ("extension", "notes.txt", "accept flac, m4a, mp3"),
    ("not audio", "photo.wav", "a PNG image, not audio"),
    ("too large", "huge.wav", "over the 25.0 MB"),
    ("private url", "http://127.0.0.1:8080/a.wav", "Audio URL"),
    ("metadata url", "http://169.254.169.254/latest/a.wav", "Audio URL"),
]


@pytest.mark.parametrize(("why", "file", "message"), REFUSED, ids=[r[0] for r in REFUSED])
def test_speech_to_text_refusals_send_nothing(
    sandbox: dict[str, Path], why: str, file: str, message: str
) -> None:
    service = NoRequests()
    tool = YEScaleSpeechToTextTool(
        allowed_input_dirs=[sandbox["allowed"]], handle_tool_error=False, **service.lc()
    )
    with pytest.raises(YEScaleToolInputError, match=message) as info:
        call(tool, {"file": file.format(outside=sandbox["outside"])})
    assert isinstance(info.value.__cause__, AudioInputError)
    assert service.requests == []
    # the default hands the same message to the model
    tool.handle_tool_error = True
    answer = call(tool, {"file": file.format(outside=sandbox["outside"])})
    assert answer.status == "error"
    assert message in str(answer.content)
    assert service.requests == []


def test_no_allowed_dirs_reads_no_local_file(sandbox: dict[str, Path]) -> None:
    service = NoRequests()
    spec = YEScaleToolSpec(**service.li())
    with pytest.raises(AudioInputError, match="reading local files is disabled"):
        spec.transcribe_audio(str(sandbox["outside"] / "secret.wav"))
    assert service.requests == []


async def test_symlink_escape_refused_async_llamaindex(sandbox: dict[str, Path]) -> None:
    service = NoRequests()
    spec = YEScaleToolSpec(allowed_input_dirs=[sandbox["allowed"]], **service.li())
    with pytest.raises(AudioInputError, match="after resolving links"):
        await spec.atranscribe_audio("escape.wav")
    assert service.requests == []


def test_speech_refused_before_any_request_or_file(tmp_path: Path) -> None:
    service = NoRequests()
    tool = YEScaleTextToSpeechTool(
        model="tts-1", output_dir=tmp_path, handle_tool_error=False, **service.lc()
    )
    with pytest.raises(YEScaleToolInputError, match="takes no `instructions`"):
        call(tool, {"text": "Hi", "instructions": "whisper"})
    with pytest.raises(YEScaleToolInputError, match="at most 4096"):
        call(tool, {"text": "x" * 5000})
    assert service.requests == []
    assert list(tmp_path.iterdir()) == []


def test_models_checked_when_built() -> None:
    with pytest.raises(ValueError, match="text-to-speech model"):
        YEScaleSpeechToTextTool(model="tts-1")
    with pytest.raises(ValueError, match="speech-to-text model"):
        YEScaleTextToSpeechTool(model="whisper-1")
    with pytest.raises(ValueError, match="json' or 'text' only"):
        YEScaleAudioReader(transcript_format="verbose_json")
    with pytest.raises(ValueError, match="not an audio model"):
        YEScaleToolSpec(speech_model="gpt-4o-mini")
