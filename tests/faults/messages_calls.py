"""Claude's Messages format as the fault tests call it: ``client.messages.create`` and
``client.messages.stream`` (sync and async), their good answers, and Anthropic-format events."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from yescale.types.message_events import ContentBlockDeltaEvent, TextDelta

if TYPE_CHECKING:
    from yescale import YEScaleClient

CLAUDE = "claude-sonnet-4-5"
MESSAGES_PATH = "/v1/messages"
PROMPT = [{"role": "user", "content": "Hi"}]
#: Anthropic's answer (docs.anthropic.com, Messages API): one text block.
MESSAGE: dict[str, Any] = {
    "id": "msg_1",
    "type": "message",
    "role": "assistant",
    "model": CLAUDE,
    "content": [{"type": "text", "text": "Hello!"}],
    "stop_reason": "end_turn",
    "stop_sequence": None,
    "usage": {"input_tokens": 3, "output_tokens": 2},
}
OVERLOADED: dict[str, Any] = {
    "type": "error",
    "error": {"type": "overloaded_error", "message": "Overloaded"},
}


def sse(event: dict[str, Any]) -> bytes:
    return f"event: {event['type']}\ndata: {json.dumps(event)}\n\n".encode()


START = sse(
    {
        "type": "message_start",
        "message": {
            **MESSAGE,
            "content": [],
            "stop_reason": None,
            "usage": {"input_tokens": 3, "output_tokens": 1},
        },
    }
)
BLOCK_START = sse(
    {"type": "content_block_start", "index": 0, "content_block": {"type": "text", "text": ""}}
)
PING = sse({"type": "ping"})
ERROR_EVENT = sse(OVERLOADED)


def delta(text: str) -> bytes:
    return sse(
        {"type": "content_block_delta", "index": 0, "delta": {"type": "text_delta", "text": text}}
    )


END = [
    sse({"type": "content_block_stop", "index": 0}),
    sse(
        {
            "type": "message_delta",
            "delta": {"stop_reason": "end_turn", "stop_sequence": None},
            "usage": {"output_tokens": 2},
        }
    ),
    sse({"type": "message_stop"}),
]


def opening(*texts: str) -> list[bytes]:
    """The start of a stream whose text block holds ``texts`` (no end: cut it, or stall)."""
    return [START, BLOCK_START, *(delta(t) for t in texts)]


def complete(*texts: str) -> list[bytes]:
    return [*opening(*texts), *END]


def message_create(client: YEScaleClient, ctx: Any = None) -> Any:
    return client.messages.create(model=CLAUDE, max_tokens=64, messages=PROMPT)


async def amessage_create(client: YEScaleClient, ctx: Any = None) -> Any:
    return await client.aio.messages.create(model=CLAUDE, max_tokens=64, messages=PROMPT)


def check_message(result: Any, ctx: Any = None) -> None:
    assert result.text == "Hello!"
    assert result.usage.output_tokens == 2


def _text(event: Any) -> str | None:
    if isinstance(event, ContentBlockDeltaEvent) and isinstance(event.delta, TextDelta):
        return event.delta.text
    return None


def message_stream(client: YEScaleClient, ctx: Any) -> str:
    """The text, each delta appended to ``ctx.got`` as it arrives; the final message checked."""
    with client.messages.stream(model=CLAUDE, max_tokens=64, messages=PROMPT) as stream:
        for event in stream:
            text = _text(event)
            if text is not None:
                ctx.got.append(text)
        final = stream.get_final_message()
    assert final.text == "".join(ctx.got)
    return final.text


async def amessage_stream(client: YEScaleClient, ctx: Any) -> str:
    async with client.aio.messages.stream(model=CLAUDE, max_tokens=64, messages=PROMPT) as stream:
        async for event in stream:
            text = _text(event)
            if text is not None:
                ctx.got.append(text)
        final = await stream.get_final_message()
    assert final.text == "".join(ctx.got)
    return final.text
