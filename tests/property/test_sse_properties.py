"""Property tests: SSE streams decode the same however the bytes are split, and a stream cut
before its terminator never comes back as a complete answer.

Streams go through the code the client runs: ``httpx_sse.EventSource`` over an
``httpx.Response`` whose body arrives in the given chunks (sync ``iter_sse`` and async
``aiter_sse``, as ``yescale._http.Transport`` uses them), and end to end through
``client.chat.stream`` / ``client.aio.chat.stream`` / ``client.gemini.stream_generate_content``
over ``httpx.MockTransport`` (``tests/unit/conftest.py``), so the decoders of
``yescale._streaming`` run too.

Generated: data lines (several per event, empty ones, leading spaces), comments, ``event:``,
``id:`` (also with NUL, which the spec says to ignore), ``retry:`` and unknown fields, LF / CRLF /
CR line endings mixed, any Unicode except surrogates (so multi-byte UTF-8), events with no data,
an unfinished event at the end. Cuts fall anywhere, including inside a multi-byte character and
between a CR and its LF.
"""

from __future__ import annotations

import asyncio
import itertools
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from httpx_sse import EventSource, ServerSentEvent
from hypothesis import example, given
from hypothesis import strategies as st

from tests.unit.conftest import ChunkStream, make_client, sse_response
from yescale import APIConnectionError, IncompleteStreamError, YEScaleClient

ENDINGS = ("\n", "\r\n", "\r")
MESSAGES = [{"role": "user", "content": "Hi"}]

#: Any character but surrogates (not encodable) and line breaks (they end a line in SSE).
_TEXT = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\r\n"),
    max_size=12,
)
#: Mostly multi-byte characters, so cuts often fall inside one.
_WIDE = st.text(alphabet=st.sampled_from("é€中文👋🏽 ̈ءa\u200b\ufeff\x00"), min_size=0, max_size=8)
_VALUE = st.one_of(_TEXT, _WIDE)


# -- the stream model ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Line:
    """One line of an SSE stream: a field (``data``, ``event``, ``id``, ``retry``, an unknown
    one), a comment (``field=":"``) or the blank line that ends an event (``field=""``)."""

    field: str
    value: str = ""
    spaced: bool = True  # "data: x" or "data:x"

    def text(self) -> str:
        if self.field == "":
            return ""
        if self.field == ":":
            return ":" + self.value
        if self.field == "data" and self.value == "" and not self.spaced:
            return "data"  # a field name alone: an empty value
        separator = ": " if self.spaced or self.value.startswith(" ") else ":"
        return f"{self.field}{separator}{self.value}"


def lines_strategy() -> st.SearchStrategy[Line]:
    return st.one_of(
        st.builds(Line, st.just("data"), _VALUE, st.booleans()),
        st.builds(Line, st.just("data"), _VALUE, st.booleans()),  # data lines twice as likely
        st.builds(Line, st.just(":"), _VALUE),
        st.builds(Line, st.just("event"), st.sampled_from(["", "message", "update", "ping", "é"])),
        st.builds(Line, st.just("id"), st.one_of(_VALUE, st.just("a\x00b"))),
        st.builds(Line, st.just("retry"), st.integers(0, 10_000).map(str)),
        st.builds(Line, st.sampled_from(["foo", "Data", "dat", "ids"]), _VALUE),
    )


@st.composite
def sse_streams(draw: st.DrawFn) -> list[tuple[Line, str]]:
    """Events (lines then a blank line), each line with its own line ending; maybe an
    unfinished event at the end."""
    events = draw(st.lists(st.lists(lines_strategy(), max_size=5), max_size=6))
    lines: list[Line] = []
    for event in events:
        lines.extend(event)
        lines.append(Line(""))
    lines.extend(draw(st.lists(lines_strategy(), max_size=2)))  # not ended by a blank line
    return with_endings(
        lines, draw(st.lists(st.sampled_from(ENDINGS), min_size=len(lines), max_size=len(lines)))
    )


def with_endings(lines: Sequence[Line], endings: Sequence[str]) -> list[tuple[Line, str]]:
    out: list[tuple[Line, str]] = []
    previous = ""
    for line, ending in zip(lines, endings, strict=True):
        if previous == "\r" and line.text() == "" and ending == "\n":
            ending = "\r\n"  # "\r" + "\n" would be one CRLF, not a line break and a blank line
        out.append((line, ending))
        previous = ending
    return out


def encode(stream: Iterable[tuple[Line, str]]) -> bytes:
    return "".join(line.text() + ending for line, ending in stream).encode("utf-8")


@dataclass(frozen=True)
class Event:
    event: str
    data: str
    id: str
    retry: int | None


def spec_events(stream: Iterable[tuple[Line, str]]) -> list[Event]:
    """The events the HTML standard's SSE algorithm dispatches (those with data)."""
    events: list[Event] = []
    name, data, last_id, retry = "", [], "", None
    for line, _ in stream:
        if line.field == "":
            if data:
                joined = "\n".join(data)
                if joined:
                    events.append(Event(name or "message", joined, last_id, retry))
            name, data, retry = "", [], None
        elif line.field == "data":
            data.append(line.value)
        elif line.field == "event":
            name = line.value
        elif line.field == "id" and "\x00" not in line.value:
            last_id = line.value
        elif line.field == "retry" and line.value.isdigit():
            retry = int(line.value)
    return events


def as_events(sses: Iterable[ServerSentEvent]) -> list[Event]:
    # httpx-sse also dispatches events without data (an id or event name alone); the spec does
    # not, and the client ignores them as keep-alives: compare the events that carry data.
    return [Event(s.event, s.data, s.id, s.retry) for s in sses if s.data != ""]


# -- splitting -----------------------------------------------------------------------------------


def split_at(body: bytes, cuts: Iterable[int]) -> list[bytes]:
    points = [0, *sorted(set(cuts)), len(body)]
    return [body[a:b] for a, b in itertools.pairwise(points) if b > a]


def interesting_cuts(body: bytes) -> list[int]:
    """Inside a multi-byte UTF-8 character, and between a CR and its LF."""
    inside = [i for i in range(1, len(body)) if 0x80 <= body[i] < 0xC0]
    crlf = [i for i in range(1, len(body)) if body[i - 1 : i + 1] == b"\r\n"]
    return inside + crlf


@st.composite
def cuts_for(draw: st.DrawFn, body: bytes) -> list[int]:
    if len(body) < 2:
        return []
    cuts = draw(st.lists(st.integers(1, len(body) - 1), max_size=12))
    special = interesting_cuts(body)
    if special:
        cuts += draw(st.lists(st.sampled_from(special), max_size=6))
    return cuts


def response(chunks: Sequence[bytes | BaseException]) -> httpx.Response:
    return httpx.Response(
        200, headers={"content-type": "text/event-stream"}, stream=ChunkStream(chunks)
    )


def parse(chunks: Sequence[bytes]) -> list[Event]:
    return as_events(EventSource(response(chunks)).iter_sse())


def aparse(chunks: Sequence[bytes]) -> list[Event]:
    async def run() -> list[Event]:
        return as_events([sse async for sse in EventSource(response(chunks)).aiter_sse()])

    return asyncio.run(run())


# -- 1. the SSE layer ----------------------------------------------------------------------------


@given(stream=sse_streams(), data=st.data())
@example(  # a CRLF split between its CR and LF, right before the blank line
    stream=[(Line("data", "a"), "\r\n"), (Line(""), "\r\n")], data=None
)
def test_sse_events_do_not_depend_on_chunk_boundaries(
    stream: list[tuple[Line, str]], data: st.DataObject | None
) -> None:
    body = encode(stream)
    cuts = data.draw(cuts_for(body)) if data is not None else [len("data: a\r")]
    expected = spec_events(stream)
    assert parse([body]) == expected
    assert parse(split_at(body, cuts)) == expected
    assert aparse(split_at(body, cuts)) == expected


@given(stream=sse_streams())
def test_sse_one_byte_at_a_time(stream: list[tuple[Line, str]]) -> None:
    body = encode(stream)
    assert parse([body[i : i + 1] for i in range(len(body))]) == spec_events(stream)


# -- 2. end to end: OpenAI-format chat streams ---------------------------------------------------


def chunk_json(content: str, index: int, indent: bool) -> str:
    body = {
        "id": "chatcmpl-1",
        "object": "chat.completion.chunk",
        "model": "gpt-4o-mini",
        "choices": [{"index": 0, "delta": {"content": content}, "finish_reason": None}],
        "n": index,
    }
    # indented JSON is split over several data lines, which the parser joins with "\n"
    return json.dumps(body, ensure_ascii=False, indent=1 if indent else None)


@dataclass(frozen=True)
class ChatStream:
    contents: list[str]
    body: bytes
    #: the stream is complete once a cut leaves at least this many bytes
    complete_at: int


@st.composite
def chat_streams(draw: st.DrawFn, terminator: str = "[DONE]") -> ChatStream:
    """Chunks with any text, keep-alive comments and empty events, ``event:`` / ``id:`` lines,
    mixed line endings, then the ``[DONE]`` event (and junk after it, never read)."""
    contents = draw(st.lists(_VALUE, max_size=5))
    lines: list[Line] = []
    for i, content in enumerate(contents):
        if draw(st.booleans()):
            lines.append(Line(":", draw(_VALUE)))  # a keep-alive comment
        if draw(st.booleans()):
            lines.extend([Line("data", ""), Line("")])  # an empty (keep-alive) event
        if draw(st.booleans()):
            lines.append(Line("event", "message"))
        if draw(st.booleans()):
            lines.append(Line("id", str(i)))
        text = chunk_json(content, i, indent=draw(st.booleans()))
        lines.extend(Line("data", part) for part in text.split("\n"))
        lines.append(Line(""))
    lines.extend([Line("data", terminator), Line("")])
    endings = draw(st.lists(st.sampled_from(ENDINGS), min_size=len(lines), max_size=len(lines)))
    stream = with_endings(lines, endings)
    head = encode(stream[:-1])
    blank_ending = stream[-1][1]
    body = head + blank_ending.encode()
    if draw(st.booleans()):
        body += b"data: {not json, and never read}\n\n"
    return ChatStream(contents, body, complete_at=len(head) + 1)


def stream_client(chunks: Sequence[bytes | BaseException]) -> tuple[YEScaleClient, list[Any]]:
    requests: list[Any] = []

    def handler(request: httpx.Request) -> httpx.Response:
        requests.append(request)
        return sse_response(chunks)

    return make_client(handler, max_retries=0), requests


def chat_contents(chunks: Sequence[bytes | BaseException]) -> list[str]:
    client, requests = stream_client(chunks)
    out = [
        c.choices[0].delta.content or ""
        for c in client.chat.stream(model="gpt-4o-mini", messages=MESSAGES)
    ]
    assert len(requests) == 1
    return out


def achat_contents(chunks: Sequence[bytes | BaseException]) -> list[str]:
    client, _ = stream_client(chunks)

    async def run() -> list[str]:
        stream = client.aio.chat.stream(model="gpt-4o-mini", messages=MESSAGES)
        return [c.choices[0].delta.content or "" async for c in stream]

    return asyncio.run(run())


@given(stream=chat_streams(), data=st.data())
def test_chat_stream_same_chunks_however_split(stream: ChatStream, data: st.DataObject) -> None:
    chunks = split_at(stream.body, data.draw(cuts_for(stream.body)))
    assert chat_contents([stream.body]) == stream.contents
    assert chat_contents(chunks) == stream.contents
    assert achat_contents(chunks) == stream.contents


@given(stream=chat_streams(), data=st.data())
def test_chat_stream_cut_before_done_raises(stream: ChatStream, data: st.DataObject) -> None:
    """A clean end of the connection anywhere before ``[DONE]`` raises
    ``IncompleteStreamError``; from ``[DONE]`` on, the answer is complete."""
    cut = data.draw(st.integers(0, len(stream.body)))
    chunks = split_at(stream.body[:cut], data.draw(cuts_for(stream.body[:cut])))
    if cut >= stream.complete_at:
        assert chat_contents(chunks) == stream.contents
        assert achat_contents(chunks) == stream.contents
        return
    with pytest.raises(IncompleteStreamError, match="incomplete"):
        chat_contents(chunks)
    with pytest.raises(IncompleteStreamError, match="incomplete"):
        achat_contents(chunks)


@given(stream=chat_streams(), data=st.data())
def test_chat_stream_broken_connection_never_returns(
    stream: ChatStream, data: st.DataObject
) -> None:
    """A connection error before ``[DONE]`` raises (``IncompleteStreamError`` once output has
    begun); it never ends the iteration as if the answer were whole."""
    cut = data.draw(st.integers(0, stream.complete_at - 1))
    broken: list[bytes | BaseException] = [
        *split_at(stream.body[:cut], data.draw(cuts_for(stream.body[:cut]))),
        httpx.ReadError("connection reset"),
    ]
    for run in (chat_contents, achat_contents):
        with pytest.raises(APIConnectionError) as info:
            run(broken)
        delivered = b"".join(c for c in broken if isinstance(c, bytes))
        if b'"content"' in delivered and _complete_events(delivered):
            assert isinstance(info.value, IncompleteStreamError)


def _complete_events(body: bytes) -> bool:
    """Whether at least one chunk event was dispatched (a data line then a blank line)."""
    # a CR at the very end may be the first half of a CRLF: not a line end yet
    text = body.removesuffix(b"\r").decode("utf-8", errors="replace")
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return any('"content"' in block for block in text.split("\n\n")[:-1])


# -- 3. end to end: Gemini streams (complete once a chunk has a finishReason) --------------------


@st.composite
def gemini_streams(draw: st.DrawFn) -> ChatStream:
    texts = draw(st.lists(_VALUE, min_size=1, max_size=4))
    lines: list[Line] = []
    finish_index = len(lines)
    for i, text in enumerate(texts):
        candidate: dict[str, Any] = {"content": {"role": "model", "parts": [{"text": text}]}}
        if i == len(texts) - 1:
            candidate["finishReason"] = "STOP"
        if draw(st.booleans()):
            lines.append(Line(":", "ping"))
        body = json.dumps({"candidates": [candidate]}, ensure_ascii=False)
        lines.extend([Line("data", body), Line("")])
        finish_index = len(lines) - 1
    endings = draw(st.lists(st.sampled_from(ENDINGS), min_size=len(lines), max_size=len(lines)))
    stream = with_endings(lines, endings)
    head = encode(stream[:finish_index])
    return ChatStream(texts, encode(stream), complete_at=len(head) + 1)


def gemini_texts(chunks: Sequence[bytes]) -> list[str]:
    client, requests = stream_client(chunks)
    stream = client.gemini.stream_generate_content(model="gemini-2.5-flash", contents="Hi")
    out = [c.text for c in stream]
    assert len(requests) == 1
    return out


@given(stream=gemini_streams(), data=st.data())
def test_gemini_stream_split_and_cut(stream: ChatStream, data: st.DataObject) -> None:
    assert gemini_texts(split_at(stream.body, data.draw(cuts_for(stream.body)))) == stream.contents
    cut = data.draw(st.integers(0, len(stream.body)))
    chunks = split_at(stream.body[:cut], data.draw(cuts_for(stream.body[:cut])))
    if cut >= stream.complete_at:
        assert gemini_texts(chunks) == stream.contents
    else:
        with pytest.raises(IncompleteStreamError, match="finishReason"):
            gemini_texts(chunks)
