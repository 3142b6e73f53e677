"""The calls of ``client.audio``, built and checked before anything is sent: what each request
holds, how its answer is read, and what it costs.

Wire format: OpenAI's public ``/v1/audio/*`` (YEScale's index lists "ChatGPT (Audio)" with no
bodies; its gateway relays OpenAI's endpoints):

- ``POST /v1/audio/transcriptions`` and ``/v1/audio/translations``: ``multipart/form-data``
  (fixed boundary, so recordings match) with ``file`` and the parameters as form fields, lists as
  repeated ``name[]`` fields (``timestamp_granularities[]``) and objects as ``name[key]``, as
  OpenAI's own SDK sends them. The answer is a JSON object for ``json`` / ``verbose_json``,
  the text itself for ``text`` / ``srt`` / ``vtt``.
- ``POST /v1/audio/speech``: a JSON body; the answer is the audio file's bytes.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, Literal

from .._audio_files import read_audio_file
from .._http import Call, json_parser
from .._http.binary import FileAnswer
from .._validate import require_text, validate_model
from ..costs.meter import Meter
from ..costs.prices import Usage
from ..errors import InvalidRequestError, incomplete_answer
from ..models.audio import (
    SPEECH_FORMATS,
    TEXT_FORMATS,
    check_speech_params,
    check_transcription_params,
)
from ..models.kinds import check_audio_model
from ..types.audio import SpeechRequest, Transcription, Translation

TRANSCRIPTIONS_PATH = "/v1/audio/transcriptions"
TRANSLATIONS_PATH = "/v1/audio/translations"
SPEECH_PATH = "/v1/audio/speech"

Endpoint = Literal["transcription", "translation"]
_PATHS: dict[Endpoint, str] = {
    "transcription": TRANSCRIPTIONS_PATH,
    "translation": TRANSLATIONS_PATH,
}
_ANSWERS: dict[Endpoint, type[Transcription]] = {
    "transcription": Transcription,
    "translation": Translation,
}
#: What a speech answer is, by format (raw PCM samples may start with any byte).
_SPEECH_ANSWERS = {fmt: FileAnswer(f"{fmt} audio", raw=fmt == "pcm") for fmt in SPEECH_FORMATS}


def form_fields(values: Mapping[str, Any]) -> dict[str, Any]:
    """Form fields as OpenAI's SDK encodes them: ``None`` left out, booleans as ``true`` /
    ``false``, lists as repeated ``name[]`` fields, objects as ``name[key]``."""
    fields: dict[str, Any] = {}

    def add(name: str, value: Any) -> None:
        if value is None:
            return
        if isinstance(value, Mapping):
            for key, item in value.items():
                add(f"{name}[{key}]", item)
        elif isinstance(value, (list, tuple)):
            fields[f"{name}[]"] = [_field_text(item, name) for item in value]
        else:
            fields[name] = _field_text(value, name)

    for name, value in values.items():
        add(name, value)
    return fields


def _field_text(value: Any, name: str) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (str, int, float)):
        return str(value)
    raise InvalidRequestError(
        f"The form field `{name}` must be text, a number, a boolean, a list or a dict of "
        f"those; got {type(value).__name__}."
    )


def transcription_usage(answer: Transcription | str) -> Usage:
    """Tokens when the answer counts them (``usage.type == "tokens"``, the gpt-4o-transcribe
    models); otherwise uncounted (whisper-1 reports seconds of audio, which no catalog price is
    known to be per, and the text formats report nothing): the cost is then unknown unless the
    model is priced per request."""
    usage = answer.usage if isinstance(answer, Transcription) else None
    if usage is None or (usage.input_tokens is None and usage.output_tokens is None):
        return Usage(counted=False)
    return Usage(usage.input_tokens or 0, usage.output_tokens or 0)


def speech_usage(_answer: object) -> Usage:
    """Speech answers carry no usage: a per-request price applies, a token price cannot."""
    return Usage(counted=False)


def text_parser(what: str) -> Callable[[bytes], str]:
    """Reads a ``text`` / ``srt`` / ``vtt`` answer: UTF-8 text, not empty, not a web page."""

    def parse(content: bytes) -> str:
        try:
            text = content.decode("utf-8")
        except UnicodeDecodeError:
            raise incomplete_answer(what, "a body that is not UTF-8 text") from None
        if not content:
            raise incomplete_answer(what, "an empty body")
        if text.lstrip()[:9].lower() in ("<!doctype", "<html>") or text.lstrip()[:5] == "<html":
            raise incomplete_answer(what, "an HTML page instead of the text")
        return text

    return parse


def build_transcription(
    endpoint: Endpoint,
    file: Any,
    model: str,
    *,
    language: str | None = None,
    prompt: str | None = None,
    response_format: str | None = None,
    temperature: float | None = None,
    timestamp_granularities: Any = None,
    extra: Mapping[str, Any],
) -> Call[Any]:
    """The multipart call of a transcription or translation, once everything is checked (the
    file last: reading it is the costly part)."""
    require_text(model, "model", "e.g. 'gpt-4o-mini-transcribe' or 'whisper-1'.")
    check_audio_model(model, endpoint)
    granularities = check_transcription_params(
        model,
        endpoint,
        response_format=response_format,
        temperature=temperature,
        timestamp_granularities=timestamp_granularities,
        language=language,
        prompt=prompt,
        extra=extra,
    )
    if "file" in extra or "model" in extra:
        raise InvalidRequestError("Pass `file` and `model` as themselves, not among the extras.")
    upload = read_audio_file(file)
    data = form_fields(
        {
            "model": model,
            "language": language,
            "prompt": prompt,
            "response_format": response_format,
            "temperature": temperature,
            "timestamp_granularities": granularities,
            **extra,
        }
    )
    what = f"{endpoint} with {model!r}"
    parse: Callable[[bytes], Any]
    if response_format in TEXT_FORMATS:
        parse = text_parser(what)
    else:
        parse = json_parser(_ANSWERS[endpoint])
    return Call(
        "POST",
        _PATHS[endpoint],
        parse,
        data=data,
        files=[("file", upload.part())],
        what=f"audio {endpoint}",
        meter=Meter(model, transcription_usage),
    )


def speech_format(response_format: str | None, to: Path | None) -> str:
    """The format asked for: ``response_format``, else the extension of ``to`` when it names
    one, else ``mp3`` (OpenAI's default). A ``to`` whose extension names another format is
    refused (the file would not be what its name says)."""
    suffix = to.suffix.lower().lstrip(".") if to is not None else ""
    named = suffix if suffix in SPEECH_FORMATS else None
    if response_format is None:
        return named or "mp3"
    if named is not None and named != response_format:
        raise InvalidRequestError(
            f"to={str(to)!r} names a .{named} file but response_format is {response_format!r}: "
            f"make them agree (response_format={named!r}, or a .{response_format} file)."
        )
    return response_format


def target_path(to: str | os.PathLike[str]) -> Path:
    """Where a speech file goes: a file path in an existing folder (checked before sending)."""
    if not isinstance(to, (str, os.PathLike)) or not str(to).strip():
        raise InvalidRequestError(f"`to` must be a file path, got {type(to).__name__}.")
    path = Path(to)
    if path.is_dir():
        raise InvalidRequestError(
            f"to={str(to)!r} is a folder: give a file path, e.g. {str(path / 'speech.mp3')!r}."
        )
    if not path.parent.is_dir():
        raise InvalidRequestError(
            f"The folder of to={str(to)!r} does not exist: create {str(path.parent)!r} first."
        )
    return path


def build_speech(
    model: str,
    input: str,
    voice: str,
    *,
    response_format: str | None,
    speed: float | None,
    instructions: str | None,
    to: Path | None,
    extra: Mapping[str, Any],
) -> tuple[Call[Any], FileAnswer]:
    """The JSON call of ``/v1/audio/speech`` and what its answer must be."""
    require_text(model, "model", "e.g. 'gpt-4o-mini-tts' or 'tts-1'.")
    check_audio_model(model, "speech")
    check_speech_params(
        model,
        input=input,
        voice=voice,
        response_format=response_format,
        speed=speed,
        instructions=instructions,
        extra=extra,
    )
    fmt = speech_format(response_format, to)
    body = {
        "model": model,
        "input": input,
        "voice": voice,
        "response_format": fmt,
        "speed": speed,
        "instructions": instructions,
        **extra,
    }
    request = validate_model(SpeechRequest, body, "speech request")
    call: Call[Any] = Call(
        "POST",
        SPEECH_PATH,
        lambda content: content,
        json=request.to_wire(),
        what="speech request",
        meter=Meter(model, speech_usage),
    )
    return call, _SPEECH_ANSWERS[fmt]
