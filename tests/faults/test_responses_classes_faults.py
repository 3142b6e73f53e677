"""``ChatYEScale(use_responses_api=True)`` and ``YEScaleResponses`` (``/v1/responses``) against a
hostile server.

The client-level faults of ``/v1/responses`` are in ``test_responses_hostile_wire.py``,
``test_responses_wire_limits.py`` and ``test_responses_chat_hostile_wire.py``; here the two
framework classes are called the way their users call them (LangChain ``invoke`` / ``ainvoke`` /
``stream`` / ``astream``, LlamaIndex ``chat`` / ``achat`` / ``stream_chat`` / ``astream_chat``)
against the fault server on 127.0.0.1 (an ``httpx.MockTransport`` for redirects to a host a test
must never reach). Each fault ends in the framework's typed error (LangChain's bridged
``langchain_yescale.YEScale*Error`` classes, LlamaIndex's ``yescale`` errors) that never holds
the key, and nothing incomplete passes for a finished answer:

* an error object in a 2xx body, and a ``status: "failed"`` response in a 2xx body;
* a ``response.failed`` event and an ``error`` event after some text;
* a stream cut after a reasoning item, mid ``function_call_arguments.delta``, before
  ``response.completed``; a stream stalled mid-answer, or sent a byte at a time: the ``timeout``
  ends it;
* a stream trickled in writes of a few bytes: the same answer as a whole one (the reasoning
  item's ``encrypted_content`` and the tool arguments intact, and the reasoning item sent back
  unchanged on the next turn);
* 429 with ``Retry-After`` (seconds, HTTP date): waited (recorded, never slept), retried, then the
  answer; no more attempts than ``max_retries`` allows;
* a redirect to another host: not followed, the key sent nowhere else;
* a text of 128 MiB (answer, stream event): refused at ``max_response_bytes`` in bounded memory;
  deeply nested JSON: a clean typed error, never a ``RecursionError``.

Every class gets a ``timeout``, so a fault that would hang fails fast instead; no test asserts a
duration.
"""

from __future__ import annotations

import asyncio
import dataclasses
import itertools
import json
import logging
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
from langchain_core.exceptions import (
    ModelAPIError,
    ModelConnectionError,
    ModelPermissionDeniedError,
    ModelRateLimitError,
    ModelTimeoutError,
)
from langchain_core.messages import AIMessage, BaseMessage, HumanMessage, ToolMessage
from llama_index.core.base.llms.types import ChatMessage, ChatResponse

import yescale
from langchain_yescale import (
    ChatYEScale,
    YEScaleAuthenticationError,
    YEScaleBadRequestError,
    YEScaleIncompleteStreamError,
    YEScaleInternalServerError,
    YEScalePermissionDeniedError,
    YEScaleRateLimitError,
    YEScaleTimeoutError,
)
from llama_index_yescale import YEScaleResponses
from yescale import YEScaleClient
from yescale.errors import ResponseTooLargeError

from .conftest import (
    MAX_STALL,
    FaultServer,
    Step,
    body_parts,
    reply,
    reply_json,
    sse_complete,
    sse_then_cut,
)
from .responses_calls import EARLY, GPT, RESPONSE, complete, opening, sse
from .support import (
    DEEP_NESTING,
    AsyncSleeps,
    Sleeps,
    assert_no_key,
    failure_of,
    http_date,
    merged,
)
from .test_hostile_wire import peak_growth

#: A key no test data holds by chance: any error text that contains it leaked it.
KEY = "sk-ysc-RESPONSES-CLASSES-FAULTS-9c2e4a7f1b0d"
MiB = 1 << 20

FRAMEWORKS = ["langchain", "llamaindex"]
#: How each framework is called: LangChain invoke / ainvoke / stream / astream, LlamaIndex chat /
#: achat / stream_chat / astream_chat (the same names below for both).
CALLS = ["sync", "async", "stream", "astream"]
STREAMS = ["stream", "astream"]
#: Stream faults also reach LangChain's ``invoke`` of a ``streaming=True`` model.
STREAMED = [
    *(pytest.param(f, c, id=f"{f}-{c}") for f in FRAMEWORKS for c in STREAMS),
    pytest.param("langchain", "sync-streaming", id="langchain-sync-streaming"),
    pytest.param("langchain", "async-streaming", id="langchain-async-streaming"),
]
EVERY_CALL = [pytest.param(f, c, id=f"{f}-{c}") for f in FRAMEWORKS for c in CALLS]

#: The bridged class LangChain raises for a client error (LlamaIndex raises the client's own).
BRIDGED: dict[type[yescale.YEScaleError], type[yescale.YEScaleError]] = {
    yescale.PermissionDeniedError: YEScalePermissionDeniedError,
    yescale.AuthenticationError: YEScaleAuthenticationError,
    yescale.BadRequestError: YEScaleBadRequestError,
    yescale.RateLimitError: YEScaleRateLimitError,
    yescale.InternalServerError: YEScaleInternalServerError,
    yescale.IncompleteStreamError: YEScaleIncompleteStreamError,
    yescale.APITimeoutError: YEScaleTimeoutError,
}


def expected(framework: str, error: type[yescale.YEScaleError]) -> type[yescale.YEScaleError]:
    return BRIDGED.get(error, error) if framework == "langchain" else error


# -- the model's answers ---------------------------------------------------------------------------

THOUGHT = "Hmm, the weather: ask the tool."
ENCRYPTED = "gAAAAABo-ZW5jcnlwdGVkLXJlYXNvbmluZy0x+/=="
TEXT = "Let me check ☀ for you."  # multi-byte UTF-8: tiny writes split it
ARGS = {"city": "Paris", "days": [1, 2]}
ARGUMENTS = json.dumps(ARGS)
CALL_ID = "call_w1"
#: OpenAI's reasoning item (with ``include=["reasoning.encrypted_content"]``): what must come
#: back, byte for byte, on the next turn.
REASONING_ITEM: dict[str, Any] = {
    "type": "reasoning",
    "id": "rs_1",
    "summary": [{"type": "summary_text", "text": THOUGHT}],
    "encrypted_content": ENCRYPTED,
}
MESSAGE_ITEM: dict[str, Any] = {
    "type": "message",
    "id": "msg_1",
    "status": "completed",
    "role": "assistant",
    "content": [{"type": "output_text", "text": TEXT, "annotations": []}],
}
CALL_ITEM: dict[str, Any] = {
    "type": "function_call",
    "id": "fc_1",
    "call_id": CALL_ID,
    "name": "get_weather",
    "arguments": ARGUMENTS,
    "status": "completed",
}
#: The same answer, whole (non-streamed).
TOOL_TURN: dict[str, Any] = {
    **RESPONSE,
    "output": [REASONING_ITEM, MESSAGE_ITEM, CALL_ITEM],
    "usage": {
        "input_tokens": 12,
        "input_tokens_details": {"cached_tokens": 0},
        "output_tokens": 40,
        "output_tokens_details": {"reasoning_tokens": 16},
        "total_tokens": 52,
    },
}

_R = {"item_id": "rs_1", "output_index": 0, "summary_index": 0}
_M = {"item_id": "msg_1", "output_index": 1, "content_index": 0}
_F = {"item_id": "fc_1", "output_index": 2}
_TEXT_PART = {"type": "output_text", "text": TEXT, "annotations": []}

#: A reasoning item (its summary in pieces, its encrypted content on ``.done``), a message (its
#: text in pieces), a function call (its arguments in pieces), then the end: what a reasoning
#: model sends before it calls a tool.
EVENTS = [
    sse({"type": "response.created", "response": EARLY}),
    sse({"type": "response.in_progress", "response": EARLY}),
    sse(
        {
            "type": "response.output_item.added",
            "output_index": 0,
            "item": {"type": "reasoning", "id": "rs_1", "summary": []},
        }
    ),
    sse(
        {
            "type": "response.reasoning_summary_part.added",
            **_R,
            "part": {"type": "summary_text", "text": ""},
        }
    ),
    sse({"type": "response.reasoning_summary_text.delta", **_R, "delta": THOUGHT[:9]}),
    sse({"type": "response.reasoning_summary_text.delta", **_R, "delta": THOUGHT[9:]}),  # 5
    sse({"type": "response.reasoning_summary_text.done", **_R, "text": THOUGHT}),
    sse(
        {
            "type": "response.reasoning_summary_part.done",
            **_R,
            "part": {"type": "summary_text", "text": THOUGHT},
        }
    ),
    sse({"type": "response.output_item.done", "output_index": 0, "item": REASONING_ITEM}),  # 8
    sse(
        {
            "type": "response.output_item.added",
            "output_index": 1,
            "item": {**MESSAGE_ITEM, "status": "in_progress", "content": []},
        }
    ),
    sse(
        {
            "type": "response.content_part.added",
            **_M,
            "part": {"type": "output_text", "text": "", "annotations": []},
        }
    ),  # 10
    sse({"type": "response.output_text.delta", **_M, "delta": TEXT[:8]}),
    sse({"type": "response.output_text.delta", **_M, "delta": TEXT[8:]}),
    sse({"type": "response.output_text.done", **_M, "text": TEXT}),
    sse({"type": "response.content_part.done", **_M, "part": _TEXT_PART}),
    sse({"type": "response.output_item.done", "output_index": 1, "item": MESSAGE_ITEM}),  # 15
    sse(
        {
            "type": "response.output_item.added",
            "output_index": 2,
            "item": {**CALL_ITEM, "status": "in_progress", "arguments": ""},
        }
    ),
    sse({"type": "response.function_call_arguments.delta", **_F, "delta": '{"city": "Pa'}),
    sse({"type": "response.function_call_arguments.delta", **_F, "delta": ARGUMENTS[12:]}),
    sse({"type": "response.function_call_arguments.done", **_F, "arguments": ARGUMENTS}),
    sse({"type": "response.output_item.done", "output_index": 2, "item": CALL_ITEM}),  # 20
    sse({"type": "response.completed", "response": TOOL_TURN}),
]
assert ARGUMENTS[:12] == '{"city": "Pa'

#: What the reasoning model is asked with: summaries, the encrypted reasoning, nothing stored.
LANGCHAIN_REASONING: dict[str, Any] = {
    "reasoning": {"effort": "low", "summary": "auto"},
    "include": ["reasoning.encrypted_content"],
    "model_kwargs": {"store": False},
}
LLAMAINDEX_REASONING: dict[str, Any] = {
    "reasoning_options": {"effort": "low", "summary": "auto"},
    "include": ["reasoning.encrypted_content"],
    "store": False,
}


def reasoning(framework: str) -> dict[str, Any]:
    return LANGCHAIN_REASONING if framework == "langchain" else LLAMAINDEX_REASONING


RATE_LIMITED = {"error": {"message": "Rate limit reached", "type": "rate_limit_error"}}


# -- the two classes, called alike -----------------------------------------------------------------


@dataclass
class Made:
    """A class under test and the retry waits its client recorded instead of sleeping them."""

    framework: str
    llm: Any
    sleeps: Sleeps = field(default_factory=Sleeps)
    asleeps: AsyncSleeps = field(default_factory=AsyncSleeps)

    def waits(self, call: str) -> list[float]:
        """The waits of ``call``'s kind (and none of the other kind)."""
        mine, other = self.sleeps, self.asleeps
        if call.startswith("a"):
            mine, other = other, mine
        assert list(other) == []
        return list(mine)


@pytest.fixture
def make(fault_server: FaultServer) -> Iterator[Callable[..., Made]]:
    """``make(framework, **fields)``: the class on the fault server with ``timeout`` (a fault that
    would hang fails fast) and no retries unless ``max_retries`` says. Its client is built from
    the class's own resolved settings, with recorded sleeps (``max_response_bytes``: a smaller
    bound); every client is closed after the test."""
    made: list[Made] = []

    def build(framework: str, *, max_response_bytes: int | None = None, **fields: Any) -> Made:
        fields = {
            "model": GPT,
            "api_key": KEY,
            "base_url": fault_server.url,
            "timeout": 2.0,
            "max_retries": 0,
            **fields,
        }
        if framework == "langchain":
            one = Made(framework, ChatYEScale(use_responses_api=True, **fields))
        else:
            one = Made(framework, YEScaleResponses(**fields))
        settings = one.llm._resolved_settings()
        if max_response_bytes is not None:
            settings = dataclasses.replace(settings, max_response_bytes=max_response_bytes)
        one.llm._client = YEScaleClient.from_settings(
            settings, sleep=one.sleeps, async_sleep=one.asleeps
        )
        made.append(one)
        return one

    yield build
    for one in made:
        one.llm.client.close()


@dataclass
class Piece:
    """One streamed chunk as the caller saw it."""

    text: str
    reasoning: str
    finished: bool  # it says the answer ended (a finish reason, the usage or the cost)


@dataclass
class Answer:
    text: str
    reasoning: list[dict[str, Any]]
    calls: list[tuple[str, str, dict[str, Any]]]
    finish: str | None
    message: Any  # the framework's own message, for the next turn


def _reasoning_items(additional: dict[str, Any]) -> list[dict[str, Any]]:
    kept = (additional.get("extra_content") or {}).get("openai", {}).get("reasoning", [])
    return [{k: v for k, v in item.items() if k != "index"} for item in kept]


def _langchain_piece(chunk: Any) -> Piece:
    meta = chunk.response_metadata
    ended = bool(meta.get("finish_reason")) or "cost" in meta or chunk.usage_metadata is not None
    return Piece(chunk.text, chunk.additional_kwargs.get("reasoning_content", ""), ended)


def _langchain_answer(message: Any) -> Answer:
    return Answer(
        message.text,
        _reasoning_items(message.additional_kwargs),
        [(c["id"], c["name"], c["args"]) for c in message.tool_calls],
        message.response_metadata.get("finish_reason"),
        message,
    )


def _llamaindex_piece(response: ChatResponse) -> Piece:
    raw = response.raw if isinstance(response.raw, dict) else {}
    choice = (raw.get("choices") or [{}])[0]
    ended = bool(choice.get("finish_reason")) or "cost" in response.additional_kwargs
    delta = (choice.get("delta") or {}) if isinstance(choice, dict) else {}
    thought = response.additional_kwargs.get("thinking_delta") or delta.get("reasoning_content")
    return Piece(response.delta or "", thought or "", ended)


def _llamaindex_answer(llm: YEScaleResponses, response: ChatResponse) -> Answer:
    raw = response.raw if isinstance(response.raw, dict) else {}
    calls = llm.get_tool_calls_from_response(response, error_on_no_tool_call=False)
    return Answer(
        response.message.content or "",
        _reasoning_items(response.message.additional_kwargs),
        [(c.tool_id, c.tool_name, c.tool_kwargs) for c in calls],
        (raw.get("choices") or [{}])[0].get("finish_reason"),
        response.message,
    )


def ask(made: Made, call: str, got: list[Piece] | None = None, history: Any = None) -> Answer:
    """Call the class as ``call`` says; each streamed chunk goes to ``got`` as it arrives."""
    got = [] if got is None else got
    llm = made.llm
    if made.framework == "langchain":
        prompt = history or "What is the weather in Paris?"
        if call in ("sync-streaming", "async-streaming"):
            llm = llm.model_copy(update={"streaming": True})
            llm._client = made.llm._client
        if call in ("sync", "sync-streaming"):
            return _langchain_answer(llm.invoke(prompt))
        if call in ("async", "async-streaming"):
            return _langchain_answer(asyncio.run(llm.ainvoke(prompt)))
        chunks: list[Any] = []
        if call == "stream":
            for chunk in llm.stream(prompt):
                chunks.append(chunk)
                got.append(_langchain_piece(chunk))
        else:

            async def astream() -> None:
                async for chunk in llm.astream(prompt):
                    chunks.append(chunk)
                    got.append(_langchain_piece(chunk))

            asyncio.run(astream())
        return _langchain_answer(merged(chunks))
    messages = history or [ChatMessage(role="user", content="What is the weather in Paris?")]
    if call == "sync":
        return _llamaindex_answer(llm, llm.chat(messages))
    if call == "async":
        return _llamaindex_answer(llm, asyncio.run(llm.achat(messages)))
    responses: list[ChatResponse] = []
    if call == "stream":
        for response in llm.stream_chat(messages):
            responses.append(response)
            got.append(_llamaindex_piece(response))
    else:

        async def astream_chat() -> None:
            async for response in await llm.astream_chat(messages):
                responses.append(response)
                got.append(_llamaindex_piece(response))

        asyncio.run(astream_chat())
    return _llamaindex_answer(llm, responses[-1])


raised = failure_of


def no_key(error: BaseException) -> None:
    """Neither the error nor anything it was raised from holds the key."""
    assert_no_key(error, KEY)


def said(pieces: list[Piece]) -> str:
    return "".join(p.text for p in pieces)


def thought(pieces: list[Piece]) -> str:
    return "".join(p.reasoning for p in pieces)


# -- errors in 2xx answers -------------------------------------------------------------------------


@pytest.mark.parametrize(("framework", "call"), EVERY_CALL)
@pytest.mark.parametrize(
    ("body", "error", "message"),
    [
        pytest.param(
            {"error": {"message": "Not for you", "type": "permission_error", "code": None}},
            yescale.PermissionDeniedError,
            "Not for you",
            id="openai-error",
        ),
        pytest.param(  # the gateway's form, echoing the key it was given
            {
                "error": {
                    "message": f"Invalid token: Bearer {KEY}",
                    "type": "new_api_error",
                    "code": "invalid_token",
                }
            },
            yescale.AuthenticationError,
            "Invalid token",
            id="gateway-error-echoing-the-key",
        ),
        pytest.param(  # a failed response whose error is the request's: not retried
            {
                **RESPONSE,
                "status": "failed",
                "output": [],
                "error": {"code": "invalid_prompt", "message": "Prompt refused"},
            },
            yescale.BadRequestError,
            "Prompt refused",
            id="status-failed",
        ),
    ],
)
def test_an_error_in_a_2xx_body_is_the_typed_error(
    fault_server: FaultServer,
    make: Callable[..., Made],
    framework: str,
    call: str,
    body: dict[str, Any],
    error: type[yescale.YEScaleError],
    message: str,
    caplog: pytest.LogCaptureFixture,
) -> None:
    fault_server.script(reply_json(200, body))
    made = make(framework, max_retries=2)
    got: list[Piece] = []
    with caplog.at_level(logging.DEBUG):
        caught = raised(lambda: ask(made, call, got))
    assert KEY not in caplog.text
    assert type(caught) is expected(framework, error), repr(caught)
    if framework == "langchain" and error is yescale.PermissionDeniedError:
        assert isinstance(caught, ModelPermissionDeniedError)
    assert message in str(caught)
    assert "HTTP 200" not in str(caught)
    assert got == []
    assert fault_server.count == 1  # a refusal: not retried
    assert made.waits(call) == []
    no_key(caught)


@pytest.mark.parametrize(("framework", "call"), EVERY_CALL)
def test_a_failed_response_of_the_service_is_retried_then_answered(
    fault_server: FaultServer, make: Callable[..., Made], framework: str, call: str
) -> None:
    """``status: "failed"`` with ``server_error`` in a 2xx: the service's trouble, retried."""
    failed = {**RESPONSE, "status": "failed", "error": {"code": "server_error", "message": "x"}}
    fault_server.script(reply_json(200, failed), _good(call))
    made = make(framework, max_retries=2)
    answer = ask(made, call)
    assert answer.text == "Hello!"
    assert answer.finish == "stop"
    assert fault_server.count == 2
    assert len(made.waits(call)) == 1


# -- a stream that goes wrong part way -------------------------------------------------------------


@pytest.mark.parametrize(("framework", "call"), STREAMED)
@pytest.mark.parametrize(
    ("event", "error", "message"),
    [
        pytest.param(
            {
                "type": "response.failed",
                "response": {
                    **EARLY,
                    "status": "failed",
                    "error": {"code": "server_error", "message": "The model failed"},
                },
            },
            yescale.InternalServerError,
            "The model failed",
            id="response-failed",
        ),
        pytest.param(
            {"type": "error", "code": "server_error", "message": "Busy now", "param": None},
            yescale.InternalServerError,
            "Busy now",
            id="error-event",
        ),
        pytest.param(
            {"type": "error", "code": "rate_limit_exceeded", "message": "Slow down"},
            yescale.RateLimitError,
            "Slow down",
            id="rate-limit-error-event",
        ),
    ],
)
def test_a_failure_event_after_some_text_is_the_typed_error(
    fault_server: FaultServer,
    make: Callable[..., Made],
    framework: str,
    call: str,
    event: dict[str, Any],
    error: type[yescale.YEScaleError],
    message: str,
) -> None:
    fault_server.script(sse_complete([*opening("Hel", "lo"), sse(event), *complete()[-1:]]))
    made = make(framework, max_retries=2)
    got: list[Piece] = []
    caught = raised(lambda: ask(made, call, got))
    assert type(caught) is expected(framework, error), repr(caught)
    if framework == "langchain":
        core = ModelRateLimitError if error is yescale.RateLimitError else ModelAPIError
        assert isinstance(caught, core)
    assert message in str(caught)
    assert caught.status_code is None  # an event has no status: none is made up
    assert said(got) == ("Hello" if call in STREAMS else "")  # what came, as chunks
    assert not any(p.finished for p in got)  # none of them says the answer finished
    assert fault_server.count == 1  # output had begun: not retried
    assert made.waits(call) == []
    no_key(caught)


CUTS = [
    pytest.param(9, THOUGHT, "", id="after-the-reasoning-item"),
    pytest.param(18, THOUGHT, TEXT, id="mid-function-call-arguments"),
    pytest.param(21, THOUGHT, TEXT, id="after-the-function-call-item"),
]


@pytest.mark.parametrize(("framework", "call"), STREAMED)
@pytest.mark.parametrize(("kept", "reasoned", "text"), CUTS)
def test_a_cut_stream_is_incomplete_and_never_finished(
    fault_server: FaultServer,
    make: Callable[..., Made],
    framework: str,
    call: str,
    kept: int,
    reasoned: str,
    text: str,
) -> None:
    fault_server.script(sse_then_cut(EVENTS[:kept]))
    made = make(framework, max_retries=2, **reasoning(framework))
    got: list[Piece] = []
    caught = raised(lambda: ask(made, call, got))
    assert type(caught) is expected(framework, yescale.IncompleteStreamError), repr(caught)
    if framework == "langchain":
        assert isinstance(caught, ModelConnectionError)
    if call in STREAMS:  # what came before the cut was handed out as it came, unfinished
        assert thought(got) == reasoned
        assert said(got) == text
    assert not any(p.finished for p in got)
    assert fault_server.count_when_settled(1) == 1  # output had begun: not retried
    assert made.waits(call) == []
    no_key(caught)


def test_the_answer_of_a_cut_stream_is_no_ai_message(
    fault_server: FaultServer, make: Callable[..., Made]
) -> None:
    """LangChain's ``invoke`` of a streaming model cut mid-answer returns nothing at all, not an
    ``AIMessage`` of the text so far."""
    fault_server.script(sse_then_cut(EVENTS[:18]))
    made = make("langchain", streaming=True, **LANGCHAIN_REASONING)
    result: list[AIMessage] = []
    caught = raised(lambda: result.append(made.llm.invoke("Hi")))
    assert isinstance(caught, YEScaleIncompleteStreamError)
    assert result == []


@pytest.mark.parametrize(("framework", "call"), STREAMED)
@pytest.mark.parametrize(
    "answer",
    [
        pytest.param(lambda: sse_then_cut(EVENTS[:18], stall_after=MAX_STALL), id="stalled"),
        pytest.param(
            lambda: body_parts(
                200,
                lambda: (b"".join(EVENTS)[i : i + 1] for i in range(len(b"".join(EVENTS)))),
                {"Content-Type": "text/event-stream"},
                every=0.05,
            ),
            id="trickled-byte-by-byte",
        ),
    ],
)
def test_a_stream_that_never_ends_fails_at_the_timeout(
    fault_server: FaultServer,
    make: Callable[..., Made],
    framework: str,
    call: str,
    answer: Callable[[], Step],
) -> None:
    """A stream stalled mid function-call arguments, or sent a byte at a time (always something
    arriving): the ``timeout`` ends it with a typed error, and nothing says it finished."""
    fault_server.script(answer())
    made = make(framework, timeout=0.5, **reasoning(framework))
    got: list[Piece] = []
    caught = raised(lambda: ask(made, call, got))
    kinds = (yescale.APITimeoutError, yescale.IncompleteStreamError)
    assert type(caught) in {expected(framework, k) for k in kinds}, repr(caught)
    if framework == "langchain":
        assert isinstance(caught, (ModelTimeoutError, ModelConnectionError))
    assert "timed out" in str(caught)
    assert not any(p.finished for p in got)
    assert made.waits(call) == []
    no_key(caught)


# -- trickled streams ------------------------------------------------------------------------------


def trickled(events: list[bytes]) -> Step:
    """The whole stream in writes of 1, 2, 3, 5 or 7 bytes (events, lines and UTF-8 characters
    split anywhere), each its own chunk of the chunked body."""
    body = b"".join(events)

    def parts() -> Iterator[bytes]:
        start = 0
        for size in itertools.cycle((1, 2, 3, 5, 7)):
            if start >= len(body):
                return
            yield body[start : start + size]
            start += size

    return body_parts(200, parts, {"Content-Type": "text/event-stream"}, every=0.0002)


def _next_turn(framework: str, answer: Answer) -> Any:
    """The conversation with ``answer`` and its tool's result, to send back."""
    if framework == "langchain":
        history: list[BaseMessage] = [
            HumanMessage("What is the weather in Paris?"),
            answer.message,
            ToolMessage("Sunny", tool_call_id=CALL_ID),
        ]
        return history
    return [
        ChatMessage(role="user", content="What is the weather in Paris?"),
        answer.message,
        ChatMessage(role="tool", content="Sunny", additional_kwargs={"tool_call_id": CALL_ID}),
    ]


def _check_next_turn(fault_server: FaultServer, made: Made, answer: Answer) -> None:
    """The next turn sends the reasoning item back exactly as it came, then the call."""
    fault_server.script(reply_json(200, RESPONSE))
    ask(made, "sync", history=_next_turn(made.framework, answer))
    sent = fault_server.seen[-1].json()["input"]
    kinds = [item.get("type") for item in sent]
    (back,) = [item for item in sent if item.get("type") == "reasoning"]
    assert back == REASONING_ITEM  # the encrypted content unchanged, no stream index added
    assert (
        kinds.index("reasoning")
        < kinds.index("function_call")
        < kinds.index("function_call_output")
    )
    (call,) = [item for item in sent if item.get("type") == "function_call"]
    assert (call["call_id"], call["name"], json.loads(call["arguments"])) == (
        CALL_ID,
        "get_weather",
        ARGS,
    )
    (output,) = [item for item in sent if item.get("type") == "function_call_output"]
    assert output == {"type": "function_call_output", "output": "Sunny", "call_id": CALL_ID}


@pytest.mark.parametrize(("framework", "call"), STREAMED)
def test_a_trickled_stream_is_the_same_answer_as_a_whole_one(
    fault_server: FaultServer, make: Callable[..., Made], framework: str, call: str
) -> None:
    made = make(framework, **reasoning(framework))
    fault_server.script(sse_complete(EVENTS))
    whole = ask(made, call)
    fault_server.script(trickled(EVENTS))
    got: list[Piece] = []
    answer = ask(made, call, got)

    for one in (whole, answer):
        assert one.text == TEXT
        assert one.reasoning == [REASONING_ITEM]  # the encrypted content intact
        assert one.calls == [(CALL_ID, "get_weather", ARGS)]  # the arguments intact
        assert one.finish == "tool_calls"
    if call in STREAMS:
        assert said(got) == TEXT
        assert thought(got) == THOUGHT
        assert [p.finished for p in got].count(True) == 1  # the end said once

    # nothing lost: the next turn sends the reasoning item back exactly as it came
    _check_next_turn(fault_server, made, answer)


@pytest.mark.parametrize("framework", FRAMEWORKS)
def test_a_whole_answer_and_a_trickled_stream_agree(
    fault_server: FaultServer, make: Callable[..., Made], framework: str
) -> None:
    """The non-streamed answer of the same turn is the same message as the trickled stream's,
    and goes back the same way."""
    made = make(framework, **reasoning(framework))
    fault_server.script(reply_json(200, TOOL_TURN))
    whole = ask(made, "sync")
    fault_server.script(trickled(EVENTS))
    streamed = ask(made, "stream")
    assert (whole.text, whole.reasoning, whole.calls, whole.finish) == (
        streamed.text,
        streamed.reasoning,
        streamed.calls,
        streamed.finish,
    )
    _check_next_turn(fault_server, made, whole)


# -- 429 and Retry-After ---------------------------------------------------------------------------


def _good(call: str) -> Step:
    if call in STREAMS or call.endswith("-streaming"):
        return sse_complete(complete("Hel", "lo!"))
    return reply_json(200, RESPONSE)


# (the wait asked for, plus at most a quarter more: the jitter on Retry-After)
RETRY_AFTER = [
    pytest.param(lambda: "2", (2.0, 2.5), id="seconds"),
    # an HTTP date 40 s ahead: the wait is what is left of it when the answer is read
    pytest.param(lambda: http_date(40), (20.0, 50.0), id="http-date"),
]


@pytest.mark.parametrize(("framework", "call"), EVERY_CALL)
@pytest.mark.parametrize(("retry_after", "wait"), RETRY_AFTER)
def test_retry_after_is_waited_then_the_answer_comes(
    fault_server: FaultServer,
    make: Callable[..., Made],
    framework: str,
    call: str,
    retry_after: Callable[[], str],
    wait: tuple[float, float],
) -> None:
    made = make(framework, max_retries=2)
    busy = reply_json(429, RATE_LIMITED, {"Retry-After": retry_after()})
    fault_server.script(busy, busy, _good(call))
    answer = ask(made, call)
    assert answer.text == "Hello!"
    assert answer.finish == "stop"
    waits = made.waits(call)
    assert len(waits) == 2
    assert all(wait[0] <= w <= wait[1] for w in waits), waits
    assert fault_server.count == 3
    assert {s.path for s in fault_server.seen} == {"/v1/responses"}
    assert {s.headers["authorization"] for s in fault_server.seen} == {f"Bearer {KEY}"}


@pytest.mark.parametrize(("framework", "call"), EVERY_CALL)
def test_retries_stop_at_max_retries(
    fault_server: FaultServer, make: Callable[..., Made], framework: str, call: str
) -> None:
    made = make(framework, max_retries=1)
    fault_server.script(reply_json(429, RATE_LIMITED, {"Retry-After": "1"}))
    got: list[Piece] = []
    caught = raised(lambda: ask(made, call, got))
    assert type(caught) is expected(framework, yescale.RateLimitError), repr(caught)
    if framework == "langchain":
        assert isinstance(caught, ModelRateLimitError)
    assert isinstance(caught, yescale.APIStatusError)
    assert caught.status_code == 429
    assert caught.retry_after == 1.0
    assert len(made.waits(call)) == 1
    assert 1.0 <= made.waits(call)[0] <= 1.25  # plus at most a quarter (jitter)
    assert fault_server.count_when_settled(2) == 2  # the call and one retry, no more
    assert got == []
    no_key(caught)


@pytest.mark.parametrize(("framework", "call"), EVERY_CALL)
def test_a_retry_after_too_long_to_wait_is_raised_at_once(
    fault_server: FaultServer, make: Callable[..., Made], framework: str, call: str
) -> None:
    made = make(framework, max_retries=2)
    fault_server.script(reply_json(429, RATE_LIMITED, {"Retry-After": "3600"}), _good(call))
    caught = raised(lambda: ask(made, call))
    assert type(caught) is expected(framework, yescale.RateLimitError), repr(caught)
    assert caught.retry_after == 3600.0
    assert made.waits(call) == []  # an hour is not waited out
    assert fault_server.count == 1
    no_key(caught)


# -- redirects -------------------------------------------------------------------------------------


@pytest.mark.parametrize(("framework", "call"), EVERY_CALL)
@pytest.mark.parametrize("status", [301, 302, 307, 308])
def test_a_redirect_to_another_host_is_not_followed_with_the_key(
    framework: str, call: str, status: int
) -> None:
    seen: list[httpx.Request] = []

    def web(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        if request.url.host != "api.yescale.io":
            return httpx.Response(200, json=RESPONSE)  # must never be asked
        return httpx.Response(
            status, headers={"Location": "https://elsewhere.example/v1/responses"}
        )

    clients = {
        "http_client": httpx.Client(transport=httpx.MockTransport(web)),
        ("http_async_client" if framework == "langchain" else "async_http_client"): (
            httpx.AsyncClient(transport=httpx.MockTransport(web))
        ),
    }
    common = {"model": GPT, "api_key": KEY, "max_retries": 2, "timeout": 2.0, **clients}
    if framework == "langchain":
        llm: Any = ChatYEScale(use_responses_api=True, **common)
    else:
        llm = YEScaleResponses(**common)
    caught = raised(lambda: ask(Made(framework, llm), call))
    assert isinstance(caught, yescale.APIStatusError), repr(caught)
    assert "not followed" in str(caught)
    assert [r.url.host for r in seen] == ["api.yescale.io"]  # once, and nowhere else
    assert seen[0].url.path == "/v1/responses"
    assert seen[0].headers["authorization"] == f"Bearer {KEY}"
    no_key(caught)


# -- huge and hostile bodies -----------------------------------------------------------------------

HUGE = 128 * MiB
CAP = 1 * MiB


def huge_text(size: int, *, stream: bool) -> Step:
    """A response whose text holds ``size`` bytes (non-streamed), or a stream with one text
    delta event that large; made on the fly, never held whole."""
    block = b"x" * (1 << 16)
    marker = "@TEXT@"
    if stream:
        whole = sse({"type": "response.output_text.delta", **_AT0, "delta": marker})
        head, tail = whole.split(marker.encode())
        head = b"".join(opening()) + head
        tail += b"".join(complete()[4:])
    else:
        item = {**MESSAGE_ITEM, "content": [{**_TEXT_PART, "text": marker}]}
        head, tail = json.dumps({**RESPONSE, "output": [item]}).encode().split(marker.encode())

    def parts() -> Iterator[bytes]:
        yield head
        for _ in range(size // len(block)):
            yield block
        yield tail

    kind = "text/event-stream" if stream else "application/json"
    return body_parts(200, parts, {"Content-Type": kind})


_AT0 = {"item_id": "msg_1", "output_index": 0, "content_index": 0}


@pytest.mark.parametrize(("framework", "call"), EVERY_CALL)
def test_a_huge_text_is_refused_in_bounded_memory(
    fault_server: FaultServer, make: Callable[..., Made], framework: str, call: str
) -> None:
    fault_server.script(huge_text(HUGE, stream=call in STREAMS))
    made = make(framework, max_retries=2, max_response_bytes=CAP)
    got: list[Piece] = []
    caught, peak = peak_growth(lambda: ask(made, call, got))
    assert isinstance(caught, ResponseTooLargeError), repr(caught)
    assert "max_response_bytes" in str(caught)
    assert caught.limit == CAP
    assert peak < 16 * MiB, f"peak allocation {peak / MiB:.0f} MiB"
    assert said(got) == ""  # none of the huge text was handed out
    assert not any(p.finished for p in got)
    assert fault_server.count == 1  # not retried
    no_key(caught)


@pytest.mark.parametrize(("framework", "call"), EVERY_CALL)
@pytest.mark.parametrize(
    ("status", "error"),
    [(200, yescale.InvalidResponseError), (400, yescale.BadRequestError)],
    ids=["200", "400"],
)
def test_a_deeply_nested_body_is_refused_cleanly(
    fault_server: FaultServer,
    make: Callable[..., Made],
    framework: str,
    call: str,
    status: int,
    error: type[yescale.YEScaleError],
) -> None:
    fault_server.script(reply(status, DEEP_NESTING, {"Content-Type": "application/json"}))
    made = make(framework)
    caught = raised(lambda: ask(made, call))
    assert type(caught) is expected(framework, error), repr(caught)
    assert len(str(caught)) < 2000
    no_key(caught)


@pytest.mark.parametrize(("framework", "call"), STREAMED)
@pytest.mark.parametrize(
    ("event", "error"),
    [
        pytest.param(b"response.output_text.delta", yescale.InvalidResponseError, id="deep-delta"),
        pytest.param(b"error", yescale.InternalServerError, id="deep-error-event"),
    ],
)
def test_a_deeply_nested_event_is_refused_cleanly(
    fault_server: FaultServer,
    make: Callable[..., Made],
    framework: str,
    call: str,
    event: bytes,
    error: type[yescale.YEScaleError],
) -> None:
    deep = b"event: " + event + b"\ndata: " + DEEP_NESTING + b"\n\n"
    fault_server.script(sse_complete([*opening("Hel"), deep, *complete("Hel")[5:]]))
    made = make(framework)
    got: list[Piece] = []
    caught = raised(lambda: ask(made, call, got))
    assert type(caught) is expected(framework, error), repr(caught)
    assert len(str(caught)) < 2000
    assert not any(p.finished for p in got)
    no_key(caught)
