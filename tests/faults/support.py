"""Answers and helpers shared by the fault matrix, the media fault tests and the soak."""

from __future__ import annotations

import json
from typing import Any

API_KEY = "sk-faultmatrixkey0123456789abcdef"
MODEL = "gpt-4o-mini"
MESSAGES = [{"role": "user", "content": "Hi"}]
TASK_ID = "task-42"
RESULT_URL = "https://cdn.example.com/v/clip.mp4"

COMPLETION: dict[str, Any] = {
    "id": "chatcmpl-1",
    "object": "chat.completion",
    "created": 1,
    "model": MODEL,
    "choices": [
        {"index": 0, "message": {"role": "assistant", "content": "Hello!"}, "finish_reason": "stop"}
    ],
    "usage": {"prompt_tokens": 3, "completion_tokens": 2, "total_tokens": 5},
}
EMBEDDING: dict[str, Any] = {
    "object": "list",
    "model": "text-embedding-3-small",
    "data": [{"object": "embedding", "index": 0, "embedding": [0.25, -0.5]}],
    "usage": {"prompt_tokens": 1, "total_tokens": 1},
}
IMAGES: dict[str, Any] = {"created": 1, "data": [{"url": "https://cdn.example.com/i/fox.png"}]}
SUBMITTED: dict[str, Any] = {"task_id": TASK_ID, "status": "SUBMITTED"}
SUCCEEDED: dict[str, Any] = {
    "task_id": TASK_ID,
    "status": "SUCCESS",
    "progress": "100%",
    "task_result": {"url": RESULT_URL, "url_expires_at": "2030-01-01 00:00:00"},
}
#: A video-sized body: big enough to be read in several blocks.
PAYLOAD = bytes(range(256)) * 400

CLOUDFLARE_502 = b"""<!DOCTYPE html>
<html lang="en-US"><head><title>api.yescale.io | 502: Bad gateway</title>
<style>body{margin:0}</style></head>
<body><h1>Bad gateway</h1><p>Error code 502</p><p>Cloudflare Ray ID: 8a1b2c3d</p></body></html>
"""


def error_body(message: str) -> dict[str, Any]:
    return {"error": {"message": message, "type": "upstream_error"}}


def event(content: str) -> bytes:
    """One OpenAI-style SSE chunk carrying ``content``."""
    chunk = {
        "id": "chatcmpl-1",
        "object": "chat.completion.chunk",
        "choices": [{"index": 0, "delta": {"content": content}, "finish_reason": None}],
    }
    return f"data: {json.dumps(chunk)}\n\n".encode()


DONE = b"data: [DONE]\n\n"


class Sleeps(list[float]):
    """A ``sleep`` that records the wait and returns at once."""

    def __call__(self, seconds: float) -> None:
        self.append(seconds)


class AsyncSleeps(list[float]):
    """An ``async_sleep`` that records the wait and returns at once."""

    async def __call__(self, seconds: float) -> None:
        self.append(seconds)


class FakeClock:
    """A monotonic clock that only its own sleeps advance: polling takes no real time."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds

    async def async_sleep(self, seconds: float) -> None:
        self.sleep(seconds)
