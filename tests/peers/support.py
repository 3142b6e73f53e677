"""The recorder the peer tests send to, and google-genai's check of a Gemini request body.

The recorder is the fault server of ``tests/faults`` (a real HTTP server on 127.0.0.1) scripted
with one step that answers whatever was asked the way the real service would: an OpenAI chat
completion (or its event stream) on ``/chat/completions``, a Gemini answer (or its event stream)
on ``:generateContent`` / ``:streamGenerateContent``, and a small PNG on any ``GET`` (image URLs
that both classes fetch). Every request is kept, so a test runs the same framework input through
the peer class and through ours and compares the two bodies.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Callable, Mapping
from typing import Any

from google.genai import types

from tests.faults.conftest import FaultHandler, FaultServer, Seen, reply, reply_json

#: A 1x1 PNG: what the recorder serves on a GET, and the base64 image the tests send.
PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=="
)
PNG_B64 = base64.b64encode(PNG).decode()
FAKE_KEY = "peer-test-key"
OPENAI_MODEL = "gpt-4o-mini"
GEMINI_MODEL = "gemini-2.5-flash"
USAGE = {"prompt_tokens": 3, "completion_tokens": 2, "total_tokens": 5}


def completion(message: Mapping[str, Any]) -> dict[str, Any]:
    finish = "tool_calls" if message.get("tool_calls") else "stop"
    return {
        "id": "chatcmpl-peer",
        "object": "chat.completion",
        "created": 1,
        "model": OPENAI_MODEL,
        "choices": [{"index": 0, "message": dict(message), "finish_reason": finish}],
        "usage": USAGE,
    }


def completion_events(message: Mapping[str, Any]) -> bytes:
    """``message`` as an OpenAI event stream: one delta, a usage chunk, ``[DONE]``."""
    delta = dict(message)
    if delta.get("tool_calls"):
        delta["tool_calls"] = [{**c, "index": i} for i, c in enumerate(delta["tool_calls"])]
    head = {"id": "chatcmpl-peer", "object": "chat.completion.chunk", "created": 1}
    finish = completion(message)["choices"][0]["finish_reason"]
    chunks = [
        {**head, "model": OPENAI_MODEL, "choices": [{"index": 0, "delta": delta}]},
        {
            **head,
            "model": OPENAI_MODEL,
            "choices": [{"index": 0, "delta": {}, "finish_reason": finish}],
        },
        {**head, "model": OPENAI_MODEL, "choices": [], "usage": USAGE},
    ]
    events = b"".join(b"data: " + json.dumps(c).encode() + b"\n\n" for c in chunks)
    return events + b"data: [DONE]\n\n"


def gemini_answer(parts: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "candidates": [
            {"content": {"role": "model", "parts": parts}, "finishReason": "STOP", "index": 0}
        ],
        "usageMetadata": {"promptTokenCount": 3, "candidatesTokenCount": 2, "totalTokenCount": 5},
        "modelVersion": GEMINI_MODEL,
        "responseId": "resp-peer",
    }


class Recorder:
    """The fault server answering every request with :attr:`openai_message` /
    :attr:`gemini_parts` (set them to what the call under test must get back)."""

    def __init__(self, server: FaultServer) -> None:
        self.server = server
        self.url = server.url
        self.openai_message: dict[str, Any] = {"role": "assistant", "content": "Hello!"}
        self.gemini_parts: list[dict[str, Any]] = [{"text": "Hello!"}]
        self._taken = 0
        server.script(self._answer)

    def _answer(self, h: FaultHandler) -> None:
        seen = h.server.script.seen[-1]  # the request this handler read (tests send one at a time)
        if seen.method == "GET":
            reply(200, PNG, {"Content-Type": "image/png"})(h)
        elif ":streamGenerateContent" in seen.path:
            event = b"data: " + json.dumps(gemini_answer(self.gemini_parts)).encode() + b"\n\n"
            reply(200, event, {"Content-Type": "text/event-stream"})(h)
        elif ":generateContent" in seen.path:
            reply_json(200, gemini_answer(self.gemini_parts))(h)
        elif seen.path.endswith("/chat/completions"):
            if json.loads(seen.body).get("stream"):
                events = completion_events(self.openai_message)
                reply(200, events, {"Content-Type": "text/event-stream"})(h)
            else:
                reply_json(200, completion(self.openai_message))(h)
        else:
            reply_json(404, {"error": {"message": f"no route {seen.path}"}})(h)

    def take(self) -> list[Seen]:
        """The POST requests made since the last ``take`` (Gemini bodies checked with
        google-genai's own types on the way: see :func:`check_gemini_body`)."""
        seen = self.server.seen
        new, self._taken = seen[self._taken :], len(seen)
        posts = [s for s in new if s.method == "POST"]
        for request in posts:
            if "generateContent" in request.path:
                check_gemini_body(request.json())
        return posts

    def sent(self, call: Callable[[], object]) -> dict[str, Any]:
        """Run ``call`` and return the JSON body of the one request it made."""
        self.take()
        call()
        posts = self.take()
        assert len(posts) == 1, f"expected one request, got {[p.path for p in posts]}"
        body: dict[str, Any] = posts[0].json()
        return body


# -- google-genai's own check of a Gemini request -------------------------------------------------

#: The fields of a ``generateContent`` request body (REST, camelCase) and google-genai's model of
#: each: its pydantic types forbid unknown fields, so a field Gemini does not know fails here.
_GEMINI_FIELDS: dict[str, Any] = {
    "contents": list[types.Content],
    "systemInstruction": types.Content,
    "generationConfig": types.GenerationConfig,
    "tools": list[types.Tool],
    "toolConfig": types.ToolConfig,
    "safetySettings": list[types.SafetySetting],
    "cachedContent": str,
}


def check_gemini_body(body: Mapping[str, Any]) -> None:
    """Validate a ``generateContent`` body field by field with google-genai's pydantic types
    (``extra="forbid"``; bytes such as ``inlineData.data`` and ``thoughtSignature`` read as
    base64, as in JSON). Raises ``pydantic.ValidationError`` or ``AssertionError``."""
    from pydantic import TypeAdapter

    unknown = set(body) - set(_GEMINI_FIELDS)
    assert not unknown, f"fields a generateContent request does not have: {sorted(unknown)}"
    for name, value in body.items():
        TypeAdapter(_GEMINI_FIELDS[name]).validate_json(json.dumps(value))
