"""Canned answers of ``/v1/audio/*`` (transcriptions, translations, speech): SYNTHESIZED.

Only for ``tests/integration/test_client_audio.py`` and the audio faces' tests (``FACES``: the
tools, the reader, the transcription example; ``when=``), at priority 20. The YEScale
reference lists "ChatGPT (Audio): Create transcription by gpt-4o-mini-transcribe &
gpt-4o-transcribe; Create a voice with gpt-4o-mini-tts; Create a voice; Create a transcript;
Create translation" without bodies, so every answer here is ``WIRE``: OpenAI's public audio API
format, none recorded from the service.

- transcriptions / translations (multipart): ``json`` -> ``{"text", "usage"}`` (usage in tokens
  for the gpt-4o transcribe models, in seconds for whisper-1); ``verbose_json`` -> ``task``,
  ``language``, ``duration``, ``text``, ``segments`` (and ``words`` when asked); ``text`` /
  ``srt`` / ``vtt`` -> the text itself (``text/plain``). Errors as OpenAI's: a file whose name has
  no accepted extension, a language not in ISO-639-1, a TTS model.
- speech (JSON): the audio bytes with the format's content type (``audio/mpeg``, ``audio/wav``,
  ...), built here: a tiny silent MP3 frame, a tiny WAV.

Also the test inputs: :func:`tiny_wav` and :data:`TINY_MP3`, valid files made in code, and
:data:`RECORDINGS`: silent WAVs told apart by length, each "saying" its own text (the answer is
chosen by the uploaded bytes), so that retrieval over their transcripts means something.
"""

from __future__ import annotations

import hashlib
import io
import wave

from .answers import _api_auth, _openai_error, parse_multipart
from .routes import Answer, SynthRequest, as_json, route

MINE = "tests/integration/test_client_audio.py"
#: The framework faces' tests (LangChain tools, LlamaIndex spec and reader, the example).
FACES = (
    "tests/integration/test_audio_tools.py",
    "tests/standard/test_tools_standard.py",
    "tests/integration/test_examples.py::test_audio",
)
SPOKEN = "Hello from the synthesized recording."
TRANSLATED = "Hello, this is the English translation."
ACCEPTED = ("flac", "m4a", "mp3", "mp4", "mpeg", "mpga", "oga", "ogg", "wav", "webm")


def tiny_wav(frames: int = 800, rate: int = 8000) -> bytes:
    """A valid mono 16-bit PCM WAV of ``frames`` silent samples (0.1 s at 8 kHz)."""
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes(b"\x00\x00" * frames)
    return buffer.getvalue()


def _mp3_frame() -> bytes:
    """One MPEG-1 Layer III frame: 128 kbit/s, 44.1 kHz, no padding (417 bytes); all-zero side
    information and data decode to silence."""
    header = bytes([0xFF, 0xFB, 0x90, 0x64])
    return header + bytes(417 - len(header))


#: A valid MP3 of three silent frames (about 78 ms).
TINY_MP3 = _mp3_frame() * 3
#: What each speech format answers: its content type and bytes.
SPEECH_BODIES = {
    "mp3": ("audio/mpeg", TINY_MP3),
    "wav": ("audio/wav", tiny_wav(2400, 24000)),
    "opus": ("audio/ogg", b"OggS\x00\x02" + bytes(58)),
    "aac": ("audio/aac", bytes([0xFF, 0xF1, 0x50, 0x80, 0x02, 0x1F, 0xFC]) + bytes(9)),
    "flac": ("audio/flac", b"fLaC" + bytes(60)),
    "pcm": ("audio/pcm", bytes(4800)),
}


#: file name -> (WAV bytes, what the recording says); the transcript is found by the bytes.
RECORDINGS = {
    "standup.wav": (
        tiny_wav(1600),
        "Standup notes: the release moves to Thursday because the payment tests still fail.",
    ),
    "garden.wav": (
        tiny_wav(2400),
        "Garden club: plant the tomatoes in May and water the roses every morning.",
    ),
}
_SAID = {hashlib.sha256(data).hexdigest(): text for data, text in RECORDINGS.values()}


def _mine(req: SynthRequest) -> bool:
    return req.nodeid.startswith((MINE, *FACES))


def _said(req: SynthRequest, default: str) -> str:
    """What the uploaded recording says: its :data:`RECORDINGS` text, else ``default``."""
    for part in parse_multipart(req):
        if part.name == "file" and part.filename is not None:
            return _SAID.get(hashlib.sha256(part.data).hexdigest(), default)
    return default


def _form(req: SynthRequest) -> tuple[dict[str, str], dict[str, list[str]], list[str]]:
    """The form fields, the repeated ``name[]`` fields, and the names of the uploaded files."""
    fields: dict[str, str] = {}
    lists: dict[str, list[str]] = {}
    files: list[str] = []
    for part in parse_multipart(req):
        if part.filename is not None:
            if part.name == "file":
                files.append(part.filename)
        elif part.name.endswith("[]"):
            lists.setdefault(part.name[:-2], []).append(part.data.decode())
        else:
            fields[part.name] = part.data.decode()
    return fields, lists, files


def _refusal(fields: dict[str, str], files: list[str], translation: bool) -> Answer | None:
    """OpenAI's 400s for what these tests send wrong on purpose."""
    if len(files) != 1:
        return _openai_error(
            "1 validation error: file: field required", "invalid_request_error", None, 400
        )
    ext = files[0].rsplit(".", 1)[-1].lower()
    if ext not in ACCEPTED:
        return _openai_error(
            f"Invalid file format. Supported formats: {list(ACCEPTED)}",
            "invalid_request_error",
            None,
            400,
        )
    model = fields.get("model", "")
    if "tts" in model:
        return _openai_error(
            f"Model {model} is not supported for this endpoint.",
            "invalid_request_error",
            "model_not_found",
            400,
        )
    language = fields.get("language")
    if not translation and language is not None and len(language) != 2:
        return _openai_error(
            f"Invalid language '{language}'. Language parameter must be specified in ISO-639-1 "
            "format.",
            "invalid_request_error",
            "invalid_language_format",
            400,
        )
    return None


def _usage(model: str) -> dict[str, object]:
    if model.startswith("gpt-4o"):
        return {
            "type": "tokens",
            "input_tokens": 14,
            "input_token_details": {"text_tokens": 0, "audio_tokens": 14},
            "output_tokens": 9,
            "total_tokens": 23,
        }
    return {"type": "duration", "seconds": 1}


def _text_answer(text: str, fmt: str) -> Answer:
    if fmt == "srt":
        body = f"1\n00:00:00,000 --> 00:00:00,100\n{text}\n\n"
    elif fmt == "vtt":
        body = f"WEBVTT\n\n00:00:00.000 --> 00:00:00.100\n{text}\n\n"
    else:
        body = text + "\n"
    return 200, {"content-type": "text/plain; charset=utf-8"}, body.encode()


def _answer(req: SynthRequest, *, translation: bool) -> Answer:
    denied = _api_auth(req)
    if denied is not None:
        return denied
    fields, lists, files = _form(req)
    refused = _refusal(fields, files, translation)
    if refused is not None:
        return refused
    model = fields.get("model", "")
    text = TRANSLATED if translation else _said(req, SPOKEN)
    fmt = fields.get("response_format", "json")
    if fmt in ("text", "srt", "vtt"):
        return _text_answer(text, fmt)
    if fmt != "verbose_json":
        return as_json({"text": text, "usage": _usage(model)})
    words = text.split()
    step = 0.1 / len(words)
    answer: dict[str, object] = {
        "task": "translate" if translation else "transcribe",
        "language": "english",
        "duration": 0.1,
        "text": text,
        "segments": [
            {
                "id": 0,
                "seek": 0,
                "start": 0.0,
                "end": 0.1,
                "text": " " + text,
                "tokens": [50364, 2425, 490, 264, 50414],
                "temperature": float(fields.get("temperature", "0") or 0),
                "avg_logprob": -0.28,
                "compression_ratio": 0.92,
                "no_speech_prob": 0.01,
            }
        ],
        "usage": _usage(model),
    }
    if "word" in lists.get("timestamp_granularities", []):
        answer["words"] = [
            {"word": w, "start": round(i * step, 4), "end": round((i + 1) * step, 4)}
            for i, w in enumerate(words)
        ]
    return as_json(answer)


@route("POST", "/v1/audio/transcriptions", when=_mine, priority=20)
def transcriptions(req: SynthRequest) -> Answer:
    # WIRE: OpenAI POST /v1/audio/transcriptions (multipart/form-data).
    return _answer(req, translation=False)


@route("POST", "/v1/audio/translations", when=_mine, priority=20)
def translations(req: SynthRequest) -> Answer:
    # WIRE: OpenAI POST /v1/audio/translations (multipart/form-data; whisper-1).
    return _answer(req, translation=True)


@route("POST", "/v1/audio/speech", when=_mine, priority=20)
def speech(req: SynthRequest) -> Answer:
    # WIRE: OpenAI POST /v1/audio/speech: a JSON body, the audio file's bytes as the answer.
    denied = _api_auth(req)
    if denied is not None:
        return denied
    body = req.json()
    if not body.get("input") or not body.get("voice") or not body.get("model"):
        return _openai_error(
            "'model', 'input' and 'voice' are required", "invalid_request_error", None, 400
        )
    if body.get("voice") not in ("alloy", "ash", "coral", "echo", "nova", "sage", "shimmer"):
        return _openai_error(
            f"Invalid value for 'voice': '{body['voice']}'.",
            "invalid_request_error",
            "invalid_value",
            400,
        )
    kind, audio = SPEECH_BODIES[body.get("response_format", "mp3")]
    return 200, {"content-type": kind}, audio
