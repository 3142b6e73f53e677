"""``ChatYEScaleAnthropic`` and ``YEScaleAnthropic`` (``/v1/messages``) against a hostile server.

The client-level faults of ``/v1/messages`` are in ``test_messages_*``; here the two framework
classes are called the way their users call them (LangChain ``invoke`` / ``ainvoke`` / ``stream``
/ ``astream``, LlamaIndex ``chat`` / ``achat`` / ``stream_chat`` / ``astream_chat``) against the
fault server on 127.0.0.1 (an ``httpx.MockTransport`` for redirects to a host a test must never
reach). Each fault ends in the framework's typed error (LangChain's bridged
``langchain_yescale.YEScale*Error`` classes, LlamaIndex's ``yescale`` errors) that never holds
the key, and nothing incomplete passes for a finished answer:

* an error object in a 2xx body;
* an Anthropic ``error`` event (``overloaded_error``) after some text;
* a stream cut after a signed thinking block, mid ``input_json_delta``, before ``message_stop``;
* a stream trickled in writes of a few bytes: the same answer as a whole one (thinking signature
  and tool arguments intact, and sent back unchanged on the next turn);
* 429 and 529 with ``Retry-After`` (seconds, HTTP date): waited (recorded, never slept), retried,
  then the answer; no more attempts than ``max_retries`` allows;
* a redirect to another host: not followed, the key sent nowhere else;
* a text block of 128 MiB (answer, stream event): refused at ``max_response_bytes`` in bounded
  memory; deeply nested JSON: a clean typed error, never a ``RecursionError``.

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
)
from langchain_core.messages import AIMessage, BaseMessage, HumanMessage, ToolMessage
from llama_index.core.base.llms.types import ChatMessage, ChatResponse

import yescale
from langchain_yescale import (
    ChatYEScaleAnthropic,
    YEScaleAuthenticationError,
    YEScaleBadRequestError,
    YEScaleIncompleteStreamError,
    YEScaleInternalServerError,
    YEScalePermissionDeniedError,
    YEScaleRateLimitError,
)
from llama_index_yescale import YEScaleAnthropic
from yescale import YEScaleClient
from yescale.errors import ResponseTooLargeError

from .conftest import FaultServer, Step, body_parts, reply, reply_json, sse_complete, sse_then_cut
from .messages_calls import CLAUDE, MESSAGE, OVERLOADED, complete, opening, sse
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
KEY = "sk-ysc-ANTHROPIC-CLASSES-FAULTS-5e1f0c9a7b3d"
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
}


def expected(framework: str, error: type[yescale.YEScaleError]) -> type[yescale.YEScaleError]:
    return BRIDGED.get(error, error) if framework == "langchain" else error


# -- Claude's answers ------------------------------------------------------------------------------

THOUGHT = "Hmm, the weather: ask the tool."
SIGNATURE = "RXFVc2lnbmF0dXJlLW9mLXRoZS10aG91Z2h0"
TEXT = "Let me check ☀ for you."  # multi-byte UTF-8: tiny writes split it
ARGS = {"city": "Paris", "days": [1, 2]}
THINKING_BLOCK = {"type": "thinking", "thinking": THOUGHT, "signature": SIGNATURE}
TOOL_BLOCK = {"type": "tool_use", "id": "toolu_1", "name": "get_weather", "input": ARGS}


def _delta(index: int, delta: dict[str, Any]) -> bytes:
    return sse({"type": "content_block_delta", "index": index, "delta": delta})


#: A thinking block (text and signature in pieces), a text block, a tool call (its input in
#: pieces), then the stop: what a thinking Claude sends before it calls a tool.
EVENTS = [
    sse(
        {
            "type": "message_start",
            "message": {
                **MESSAGE,
                "content": [],
                "stop_reason": None,
                "usage": {"input_tokens": 12, "output_tokens": 1},
            },
        }
    ),
    sse(
        {
            "type": "content_block_start",
            "index": 0,
            "content_block": {"type": "thinking", "thinking": "", "signature": ""},
        }
    ),
    _delta(0, {"type": "thinking_delta", "thinking": THOUGHT[:9]}),
    _delta(0, {"type": "thinking_delta", "thinking": THOUGHT[9:]}),
    _delta(0, {"type": "signature_delta", "signature": SIGNATURE}),
    sse({"type": "content_block_stop", "index": 0}),  # 5
    sse({"type": "content_block_start", "index": 1, "content_block": {"type": "text", "text": ""}}),
    _delta(1, {"type": "text_delta", "text": TEXT[:8]}),
    _delta(1, {"type": "text_delta", "text": TEXT[8:]}),
    sse({"type": "content_block_stop", "index": 1}),
    sse(
        {
            "type": "content_block_start",
            "index": 2,
            "content_block": {**TOOL_BLOCK, "input": {}},
        }
    ),  # 10
    _delta(2, {"type": "input_json_delta", "partial_json": '{"city": "Pa'}),  # 11
    _delta(2, {"type": "input_json_delta", "partial_json": 'ris", "days": [1, 2]}'}),
    sse({"type": "content_block_stop", "index": 2}),
    sse(
        {
            "type": "message_delta",
            "delta": {"stop_reason": "tool_use", "stop_sequence": None},
            "usage": {"output_tokens": 40},
        }
    ),  # 14
    sse({"type": "message_stop"}),
]
#: The same answer, whole (non-streamed).
TOOL_TURN: dict[str, Any] = {
    **MESSAGE,
    "content": [THINKING_BLOCK, {"type": "text", "text": TEXT}, TOOL_BLOCK],
    "stop_reason": "tool_use",
    "usage": {"input_tokens": 12, "output_tokens": 40},
}
RATE_LIMITED = {"type": "error", "error": {"type": "rate_limit_error", "message": "Slow down"}}


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
            "model": CLAUDE,
            "api_key": KEY,
            "base_url": fault_server.url,
            "timeout": 2.0,
            "max_retries": 0,
            "max_tokens": 2000,
            **fields,
        }
        cls = ChatYEScaleAnthropic if framework == "langchain" else YEScaleAnthropic
        one = Made(framework, cls(**fields))
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
    thinking: list[dict[str, Any]]
    calls: list[tuple[str, str, dict[str, Any]]]
    finish: str | None
    message: Any  # the framework's own message, for the next turn


def _thinking(additional: dict[str, Any]) -> list[dict[str, Any]]:
    kept = (additional.get("extra_content") or {}).get("anthropic", {}).get("thinking", [])
    return [{k: v for k, v in b.items() if k != "index"} for b in kept]


def _langchain_piece(chunk: Any) -> Piece:
    meta = chunk.response_metadata
    ended = bool(meta.get("finish_reason")) or "cost" in meta or chunk.usage_metadata is not None
    return Piece(chunk.text, chunk.additional_kwargs.get("reasoning_content", ""), ended)


def _langchain_answer(message: Any) -> Answer:
    return Answer(
        message.text,
        _thinking(message.additional_kwargs),
        [(c["id"], c["name"], c["args"]) for c in message.tool_calls],
        message.response_metadata.get("finish_reason"),
        message,
    )


def _llamaindex_piece(response: ChatResponse) -> Piece:
    raw = response.raw if isinstance(response.raw, dict) else {}
    choice = (raw.get("choices") or [{}])[0]
    ended = bool(choice.get("finish_reason")) or "cost" in response.additional_kwargs
    return Piece(response.delta or "", response.additional_kwargs.get("thinking_delta", ""), ended)


def _llamaindex_answer(llm: YEScaleAnthropic, response: ChatResponse) -> Answer:
    raw = response.raw if isinstance(response.raw, dict) else {}
    calls = llm.get_tool_calls_from_response(response, error_on_no_tool_call=False)
    return Answer(
        response.message.content or "",
        _thinking(response.message.additional_kwargs),
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


# -- errors in 2xx answers -------------------------------------------------------------------------


@pytest.mark.parametrize(("framework", "call"), EVERY_CALL)
@pytest.mark.parametrize(
    ("body", "error", "message"),
    [
        pytest.param(
            {"type": "error", "error": {"type": "permission_error", "message": "Not for you"}},
            yescale.PermissionDeniedError,
            "Not for you",
            id="anthropic-error",
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
    ],
)
def test_an_error_object_in_a_2xx_body_is_the_typed_error(
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


# -- a stream that goes wrong part way -------------------------------------------------------------


@pytest.mark.parametrize(("framework", "call"), STREAMED)
def test_an_overloaded_error_event_mid_stream_is_the_typed_error(
    fault_server: FaultServer, make: Callable[..., Made], framework: str, call: str
) -> None:
    busy = sse({"type": "error", "error": {"type": "overloaded_error", "message": "Busy now"}})
    fault_server.script(sse_complete([*opening("Hel", "lo"), busy, *complete()[2:]]))
    made = make(framework, max_retries=2)
    got: list[Piece] = []
    caught = raised(lambda: ask(made, call, got))
    assert type(caught) is expected(framework, yescale.InternalServerError), repr(caught)
    if framework == "langchain":
        assert isinstance(caught, ModelAPIError)
    assert "Busy now" in str(caught)
    assert caught.error_type == "overloaded_error"
    assert caught.status_code is None  # an event has no status: none is made up
    assert said(got) == ("Hello" if call in STREAMS else "")  # what came, as chunks
    assert not any(p.finished for p in got)  # none of them says the answer finished
    assert fault_server.count == 1  # output had begun: not retried
    no_key(caught)


CUTS = [
    pytest.param(6, THOUGHT, "", id="after-the-signed-thinking-block"),
    pytest.param(12, THOUGHT, TEXT, id="mid-tool-input-json"),
    pytest.param(14, THOUGHT, TEXT, id="after-the-tool-block"),
    pytest.param(15, THOUGHT, TEXT, id="after-message-delta"),
]


@pytest.mark.parametrize(("framework", "call"), STREAMED)
@pytest.mark.parametrize(("kept", "thought", "text"), CUTS)
def test_a_cut_stream_is_incomplete_and_never_finished(
    fault_server: FaultServer,
    make: Callable[..., Made],
    framework: str,
    call: str,
    kept: int,
    thought: str,
    text: str,
) -> None:
    fault_server.script(sse_then_cut(EVENTS[:kept]))
    made = make(framework, max_retries=2, thinking={"type": "enabled", "budget_tokens": 1024})
    got: list[Piece] = []
    caught = raised(lambda: ask(made, call, got))
    assert type(caught) is expected(framework, yescale.IncompleteStreamError), repr(caught)
    if framework == "langchain":
        assert isinstance(caught, ModelConnectionError)
    if call in STREAMS:  # what came before the cut was handed out as it came, unfinished
        assert "".join(p.reasoning for p in got) == thought
        assert said(got) == text
    assert not any(p.finished for p in got)
    assert fault_server.count_when_settled(1) == 1  # output had begun: not retried
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
            ToolMessage("Sunny", tool_call_id="toolu_1"),
        ]
        return history
    return [
        ChatMessage(role="user", content="What is the weather in Paris?"),
        answer.message,
        ChatMessage(role="tool", content="Sunny", additional_kwargs={"tool_call_id": "toolu_1"}),
    ]


@pytest.mark.parametrize(("framework", "call"), STREAMED)
def test_a_trickled_stream_is_the_same_answer_as_a_whole_one(
    fault_server: FaultServer, make: Callable[..., Made], framework: str, call: str
) -> None:
    made = make(framework, thinking={"type": "enabled", "budget_tokens": 1024})
    fault_server.script(sse_complete(EVENTS))
    whole = ask(made, call)
    fault_server.script(trickled(EVENTS))
    got: list[Piece] = []
    answer = ask(made, call, got)

    for one in (whole, answer):
        assert one.text == TEXT
        assert one.thinking == [THINKING_BLOCK]  # the signature intact
        assert one.calls == [("toolu_1", "get_weather", ARGS)]  # the arguments intact
        assert one.finish == "tool_calls"
    if call in STREAMS:
        assert said(got) == TEXT
        assert "".join(p.reasoning for p in got) == THOUGHT
        assert [p.finished for p in got].count(True) == 1  # the end said once

    # nothing lost: the next turn sends the thinking block back exactly as Claude signed it
    fault_server.script(reply_json(200, MESSAGE))
    ask(made, "sync", history=_next_turn(framework, answer))
    sent = fault_server.seen[-1].json()["messages"]
    assert sent[1] == {
        "role": "assistant",
        "content": [THINKING_BLOCK, {"type": "text", "text": TEXT}, TOOL_BLOCK],
    }
    assert sent[2]["content"][0]["tool_use_id"] == "toolu_1"


@pytest.mark.parametrize("framework", FRAMEWORKS)
def test_a_whole_answer_and_a_trickled_stream_agree(
    fault_server: FaultServer, make: Callable[..., Made], framework: str
) -> None:
    """The non-streamed answer of the same turn is the same message as the trickled stream's."""
    made = make(framework, thinking={"type": "enabled", "budget_tokens": 1024})
    fault_server.script(reply_json(200, TOOL_TURN))
    whole = ask(made, "sync")
    fault_server.script(trickled(EVENTS))
    streamed = ask(made, "stream")
    assert (whole.text, whole.thinking, whole.calls, whole.finish) == (
        streamed.text,
        streamed.thinking,
        streamed.calls,
        streamed.finish,
    )


# -- 429 / 529 and Retry-After ---------------------------------------------------------------------


def _busy(status: int, headers: dict[str, str]) -> Step:
    return reply_json(status, OVERLOADED if status == 529 else RATE_LIMITED, headers)


def _good(call: str) -> Step:
    if call in STREAMS:
        return sse_complete(complete("Hel", "lo!"))
    return reply_json(200, MESSAGE)


# (the wait asked for, plus at most a quarter more: the jitter on Retry-After)
RETRY_AFTER = [
    pytest.param(529, lambda: "3", (3.0, 3.75), id="529-seconds"),
    pytest.param(429, lambda: "2", (2.0, 2.5), id="429-seconds"),
    # an HTTP date 40 s ahead: the wait is what is left of it when the answer is read
    pytest.param(529, lambda: http_date(40), (20.0, 50.0), id="529-http-date"),
    pytest.param(429, lambda: http_date(40), (20.0, 50.0), id="429-http-date"),
]


@pytest.mark.parametrize(("framework", "call"), EVERY_CALL)
@pytest.mark.parametrize(("status", "retry_after", "wait"), RETRY_AFTER)
def test_retry_after_is_waited_then_the_answer_comes(
    fault_server: FaultServer,
    make: Callable[..., Made],
    framework: str,
    call: str,
    status: int,
    retry_after: Callable[[], str],
    wait: tuple[float, float],
) -> None:
    made = make(framework, max_retries=2)
    busy = _busy(status, {"Retry-After": retry_after()})
    fault_server.script(busy, busy, _good(call))
    answer = ask(made, call)
    assert answer.text == "Hello!"
    assert answer.finish == "stop"
    waits = made.waits(call)
    assert len(waits) == 2
    assert all(wait[0] <= w <= wait[1] for w in waits), waits
    assert fault_server.count == 3
    assert {s.headers["authorization"] for s in fault_server.seen} == {f"Bearer {KEY}"}


@pytest.mark.parametrize(("framework", "call"), EVERY_CALL)
@pytest.mark.parametrize(
    ("status", "error", "core"),
    [
        (529, yescale.InternalServerError, ModelAPIError),
        (429, yescale.RateLimitError, ModelRateLimitError),
    ],
    ids=["529", "429"],
)
def test_retries_stop_at_max_retries(
    fault_server: FaultServer,
    make: Callable[..., Made],
    framework: str,
    call: str,
    status: int,
    error: type[yescale.YEScaleError],
    core: type[Exception],
) -> None:
    made = make(framework, max_retries=1)
    fault_server.script(_busy(status, {"Retry-After": "1"}))
    got: list[Piece] = []
    caught = raised(lambda: ask(made, call, got))
    assert type(caught) is expected(framework, error), repr(caught)
    if framework == "langchain":
        assert isinstance(caught, core)
    assert isinstance(caught, yescale.APIStatusError)
    assert caught.status_code == status
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
    fault_server.script(_busy(529, {"Retry-After": "3600"}), _good(call))
    caught = raised(lambda: ask(made, call))
    assert type(caught) is expected(framework, yescale.InternalServerError), repr(caught)
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
            return httpx.Response(200, json=MESSAGE)  # must never be asked
        return httpx.Response(status, headers={"Location": "https://elsewhere.example/v1/messages"})

    clients = {
        "http_client": httpx.Client(transport=httpx.MockTransport(web)),
        ("http_async_client" if framework == "langchain" else "async_http_client"): (
            httpx.AsyncClient(transport=httpx.MockTransport(web))
        ),
    }
    cls = ChatYEScaleAnthropic if framework == "langchain" else YEScaleAnthropic
    llm = cls(model=CLAUDE, api_key=KEY, max_retries=2, timeout=2.0, max_tokens=64, **clients)
    caught = raised(lambda: ask(Made(framework, llm), call))
    assert isinstance(caught, yescale.APIStatusError), repr(caught)
    assert "not followed" in str(caught)
    assert [r.url.host for r in seen] == ["api.yescale.io"]  # once, and nowhere else
    assert seen[0].headers["authorization"] == f"Bearer {KEY}"
    no_key(caught)


# -- huge and hostile bodies -----------------------------------------------------------------------

HUGE = 128 * MiB
CAP = 1 * MiB


def huge_text(size: int, *, stream: bool) -> Step:
    """A message whose text block holds ``size`` bytes (non-streamed), or a stream with one text
    delta event that large; made on the fly, never held whole."""
    block = b"x" * (1 << 16)
    if stream:
        head = b"".join(opening()) + b'event: content_block_delta\ndata: {"type": '
        head += b'"content_block_delta", "index": 0, "delta": {"type": "text_delta", "text": "'
        tail = b'"}}\n\n' + b"".join(complete()[2:])
    else:
        marker = "@TEXT@"
        whole = json.dumps({**MESSAGE, "content": [{"type": "text", "text": marker}]}).encode()
        head, tail = whole.split(marker.encode())

    def parts() -> Iterator[bytes]:
        yield head
        for _ in range(size // len(block)):
            yield block
        yield tail

    kind = "text/event-stream" if stream else "application/json"
    return body_parts(200, parts, {"Content-Type": kind})


@pytest.mark.parametrize(("framework", "call"), EVERY_CALL)
def test_a_huge_text_block_is_refused_in_bounded_memory(
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
        pytest.param(b"content_block_delta", yescale.InvalidResponseError, id="deep-delta"),
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
    fault_server.script(sse_complete([*opening("Hel"), deep, *complete()[2:]]))
    made = make(framework)
    got: list[Piece] = []
    caught = raised(lambda: ask(made, call, got))
    assert type(caught) is expected(framework, error), repr(caught)
    assert len(str(caught)) < 2000
    assert not any(p.finished for p in got)
    no_key(caught)


def test_the_answer_of_a_refused_call_is_no_ai_message(
    fault_server: FaultServer, make: Callable[..., Made]
) -> None:
    """LangChain's ``invoke`` of a streaming model cut mid-answer returns nothing at all, not an
    ``AIMessage`` of the text so far."""
    fault_server.script(sse_then_cut(EVENTS[:9]))
    made = make("langchain", streaming=True)
    result: list[AIMessage] = []
    caught = raised(lambda: result.append(made.llm.invoke("Hi")))
    assert isinstance(caught, YEScaleIncompleteStreamError)
    assert result == []
