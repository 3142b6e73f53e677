"""The forced function a ``json_schema`` answer becomes for Claude (``yescale.translate.
answer_tool``) against the peer's own forced function: ``ChatOpenAI.with_structured_output(...,
method="function_calling")`` on the same model name and schema sends the same tool and the same
``tool_choice``, except the differences asserted below with their reasons."""

from __future__ import annotations

import json
from typing import Any

from langchain_openai import ChatOpenAI
from pydantic import BaseModel, Field

from langchain_yescale import ChatYEScale

from .support import FAKE_KEY, Recorder

CLAUDE = "claude-sonnet-4-5"


class Joke(BaseModel):
    """A joke."""

    setup: str = Field(description="The setup")
    punchline: str | None = None


def test_claude_json_schema_sends_the_peers_forced_function(recorder: Recorder) -> None:
    answer = json.dumps({"setup": "Why?", "punchline": "Because."})
    call = {"id": "call_1", "type": "function", "function": {"name": "Joke", "arguments": answer}}
    recorder.openai_message = {"role": "assistant", "content": None, "tool_calls": [call]}
    peer = ChatOpenAI(
        model=CLAUDE,
        api_key=FAKE_KEY,
        base_url=f"{recorder.url}/v1",
        max_retries=0,  # type: ignore[arg-type]
    )
    ours = ChatYEScale(model=CLAUDE, api_key=FAKE_KEY, base_url=recorder.url, max_retries=0)
    peer_body = recorder.sent(
        lambda: peer.with_structured_output(Joke, method="function_calling").invoke("A joke")
    )
    parsed: list[Any] = []
    our_body = recorder.sent(
        lambda: parsed.append(
            ours.with_structured_output(Joke, method="json_schema").invoke("A joke")
        )
    )
    assert parsed == [Joke(setup="Why?", punchline="Because.")]  # the arguments, as the answer
    expected: dict[str, Any] = dict(peer_body)
    # Left out on purpose: "stream": false is the default; parallel_tool_calls=false (the peer's
    # guard against several calls) is moot with one forced function, and o1 refuses the field.
    expected.pop("stream", None)
    expected.pop("parallel_tool_calls", None)
    assert our_body == expected
