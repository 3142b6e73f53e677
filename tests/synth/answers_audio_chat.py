"""Canned answers of ``/v1/chat/completions`` for OpenAI's audio chat models: SYNTHESIZED.

Only for ``tests/integration/test_audio_chat.py`` (``when=``), at priority 30 (above the chat
modules' 10). The YEScale reference lists the audio models without bodies, so every answer here
is ``WIRE``: OpenAI's public chat format for audio, none recorded from the service.

- Input: ``input_audio`` parts must be ``{"data": base64, "format": "wav" | "mp3"}`` (another
  format is a 400, as OpenAI answers); the answer says what it heard (the formats and sizes).
- Output: with ``modalities`` holding ``"audio"`` (and the ``audio`` parameter, else a 400), the
  message has ``content: null`` and ``audio: {id, data, transcript, expires_at}``: a tiny WAV
  (or MP3) made here. Streamed (``audio.format`` ``pcm16``), ``delta.audio`` pieces: the id and
  transcript pieces first, then base64 pieces of raw 16-bit PCM (each its own base64, padded),
  then the id again with ``expires_at``.
- The next turn: an assistant message with ``audio`` must carry only ``{"id"}`` of an audio this
  module made (else a 400 naming it), and the answer says it remembers it.
"""

from __future__ import annotations

import base64
import hashlib
import json
from typing import Any

from .answers import _openai_error
from .answers_audio import TINY_MP3, tiny_wav
from .routes import Answer, SynthRequest, as_json, as_sse, route

MINE = "tests/integration/test_audio_chat.py"
EXPIRES_AT = 1_900_000_000
SPOKEN = "Hello! This is the synthesized voice."
#: the raw PCM a stream sends (24 kHz mono 16-bit), in pieces of these sizes (bytes)
PCM = bytes(range(256)) * 8
PIECES = (1000, 1000, 48)


def _mine(req: SynthRequest) -> bool:
    return req.nodeid.startswith(MINE)


def audio_id(text: str) -> str:
    return "audio_" + hashlib.sha256(text.encode()).hexdigest()[:16]


def _heard(messages: list[dict[str, Any]]) -> tuple[list[str], Answer | None]:
    heard: list[str] = []
    for i, message in enumerate(messages):
        audio = message.get("audio")
        if message.get("role") == "assistant" and audio is not None:
            if set(audio) != {"id"} or not str(audio["id"]).startswith("audio_"):
                said = f"Audio with id {audio.get('id')!r} not found."
                return heard, _openai_error(said, "invalid_request_error", "invalid_value", 400)
            heard.append(f"my earlier answer {audio['id']}")
        content = message.get("content")
        for part in content if isinstance(content, list) else []:
            if part.get("type") != "input_audio":
                continue
            inner = part.get("input_audio") or {}
            if inner.get("format") not in ("wav", "mp3"):
                said = (
                    f"Invalid value: '{inner.get('format')}'. Supported values are: 'wav' and "
                    "'mp3'."
                )
                return heard, _openai_error(said, "invalid_request_error", "invalid_value", 400)
            size = len(base64.b64decode(inner.get("data") or ""))
            heard.append(f"{size} bytes of {inner['format']} in messages[{i}]")
    return heard, None


def _usage() -> dict[str, Any]:
    return {
        "prompt_tokens": 20,
        "completion_tokens": 30,
        "total_tokens": 50,
        "prompt_tokens_details": {"audio_tokens": 8, "cached_tokens": 0},
        "completion_tokens_details": {"audio_tokens": 24, "reasoning_tokens": 0},
    }


@route("POST", "/v1/chat/completions", when=_mine, priority=30)
def audio_chat(req: SynthRequest) -> Answer:
    body = req.json()
    heard, refused = _heard(body.get("messages") or [])
    if refused is not None:
        return refused
    said = SPOKEN + (f" I heard {'; '.join(heard)}." if heard else "")
    speaks = "audio" in (body.get("modalities") or [])
    config = body.get("audio") or {}
    if speaks and not config.get("voice"):
        said = "Missing required parameter: 'audio'."
        return _openai_error(said, "invalid_request_error", "missing_required_parameter", 400)
    head = {"id": "chatcmpl-audio1", "created": 1_760_000_000, "model": body.get("model")}
    the_id = audio_id(json.dumps(body.get("messages"), sort_keys=True))
    if body.get("stream"):
        return as_sse(_events(head, said if speaks else None, the_id, said))
    message: dict[str, Any] = {"role": "assistant", "content": None if speaks else said}
    if speaks:
        data = TINY_MP3 if config.get("format") == "mp3" else tiny_wav()
        message["audio"] = {
            "id": the_id,
            "data": base64.b64encode(data).decode(),
            "transcript": said,
            "expires_at": EXPIRES_AT,
        }
    return as_json(
        {
            **head,
            "object": "chat.completion",
            "choices": [{"index": 0, "message": message, "finish_reason": "stop"}],
            "usage": _usage(),
        }
    )


def _events(head: dict[str, Any], spoken: str | None, the_id: str, text: str) -> list[Any]:
    chunk = {**head, "object": "chat.completion.chunk"}

    def delta(d: dict[str, Any], finish: str | None = None) -> dict[str, Any]:
        return {**chunk, "choices": [{"index": 0, "delta": d, "finish_reason": finish}]}

    if spoken is None:
        events = [delta({"role": "assistant", "content": text})]
    else:
        half = len(spoken) // 2
        events = [
            delta({"role": "assistant", "audio": {"id": the_id, "transcript": spoken[:half]}}),
            delta({"audio": {"transcript": spoken[half:]}}),
        ]
        start = 0
        for size in PIECES:
            piece = base64.b64encode(PCM[start : start + size]).decode()
            events.append(delta({"audio": {"data": piece}}))
            start += size
        events.append(delta({"audio": {"id": the_id, "expires_at": EXPIRES_AT}}))
    events.append(delta({}, "stop"))
    events.append({**chunk, "choices": [], "usage": _usage()})
    return events
