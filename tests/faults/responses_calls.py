"""OpenAI's Responses format as the fault tests call it: ``client.responses.create`` and
``client.responses.stream`` (sync and async), a good answer, and Responses-format events."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from yescale import YEScaleClient, YEScaleError

from .support import API_KEY, in_mode

GPT = "gpt-5-mini"
PATH = "/v1/responses"
#: OpenAI's answer (platform.openai.com, Responses API): one message with one output_text.
MESSAGE: dict[str, Any] = {
    "type": "message",
    "id": "msg_1",
    "status": "completed",
    "role": "assistant",
    "content": [{"type": "output_text", "text": "Hello!", "annotations": []}],
}
RESPONSE: dict[str, Any] = {
    "id": "resp_1",
    "object": "response",
    "created_at": 1,
    "status": "completed",
    "error": None,
    "incomplete_details": None,
    "model": GPT,
    "output": [MESSAGE],
    "usage": {
        "input_tokens": 3,
        "input_tokens_details": {"cached_tokens": 0},
        "output_tokens": 2,
        "output_tokens_details": {"reasoning_tokens": 0},
        "total_tokens": 5,
    },
}


def sse(event: dict[str, Any]) -> bytes:
    return f"event: {event['type']}\ndata: {json.dumps(event)}\n\n".encode()


EARLY = {**RESPONSE, "status": "in_progress", "output": [], "usage": None}
AT = {"item_id": "msg_1", "output_index": 0, "content_index": 0}


def opening(*texts: str) -> list[bytes]:
    """The start of a stream whose message holds ``texts`` (no end: cut it, or stall)."""
    return [
        sse({"type": "response.created", "response": EARLY}),
        sse({"type": "response.in_progress", "response": EARLY}),
        sse(
            {
                "type": "response.output_item.added",
                "output_index": 0,
                "item": {**MESSAGE, "status": "in_progress", "content": []},
            }
        ),
        sse(
            {
                "type": "response.content_part.added",
                **AT,
                "part": {"type": "output_text", "text": ""},
            }
        ),
        *(sse({"type": "response.output_text.delta", **AT, "delta": t}) for t in texts),
    ]


def complete(*texts: str) -> list[bytes]:
    text = "".join(texts)
    part = {"type": "output_text", "text": text, "annotations": []}
    item = {**MESSAGE, "content": [part]}
    return [
        *opening(*texts),
        sse({"type": "response.output_text.done", **AT, "text": text}),
        sse({"type": "response.content_part.done", **AT, "part": part}),
        sse({"type": "response.output_item.done", "output_index": 0, "item": item}),
        sse({"type": "response.completed", "response": {**RESPONSE, "output": [item]}}),
    ]


async def _final(stream: Any) -> Any:
    return await stream.get_final_response()


Call = tuple[Callable[[YEScaleClient], Any], Callable[[YEScaleClient], Any]]
CREATE: Call = (
    lambda c: c.responses.create(model=GPT, input="Hi"),
    lambda c: c.aio.responses.create(model=GPT, input="Hi"),
)
STREAM: Call = (
    lambda c: c.responses.stream(model=GPT, input="Hi").get_final_response(),
    lambda c: _final(c.aio.responses.stream(model=GPT, input="Hi")),
)
BOTH = {"create": CREATE, "stream": STREAM}


def call(mode: str, client: YEScaleClient, endpoint: Call) -> Any:
    return in_mode(mode, client, *endpoint)


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
