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
import functools
import itertools
import json
from collections.abc import Iterable, Iterator, Sequence
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


# Built once: hypothesis validates a strategy the first time it is drawn from, so a strategy
# rebuilt inside every draw costs a validation per example (most of the run time, before).
_LINE = lines_strategy()
_EVENTS = st.lists(st.lists(_LINE, max_size=5), max_size=6)
_UNFINISHED = st.lists(_LINE, max_size=2)


@functools.cache
def _endings(count: int) -> st.SearchStrategy[list[str]]:
    return st.lists(st.sampled_from(ENDINGS), min_size=count, max_size=count)


@st.composite
def sse_streams(draw: st.DrawFn) -> list[tuple[Line, str]]:
    """Events (lines then a blank line), each line with its own line ending; maybe an
    unfinished event at the end."""
    lines: list[Line] = []
    for event in draw(_EVENTS):
        lines.extend(event)
        lines.append(Line(""))
    lines.extend(draw(_UNFINISHED))  # not ended by a blank line
    return with_endings(lines, draw(_endings(len(lines))))


def stream_of(*lines: Line, ending: str | Sequence[str] = "\n") -> list[tuple[Line, str]]:
    """A stream written by hand (for the explicit examples): one ending for every line, or one
    per line."""
    endings = [ending] * len(lines) if isinstance(ending, str) else list(ending)
    return with_endings(lines, endings)


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


@functools.cache
def _indices(low: int, high: int, max_size: int) -> st.SearchStrategy[list[int]]:
    return st.lists(st.integers(low, high), max_size=max_size)


@st.composite
def cuts_for(draw: st.DrawFn, body: bytes) -> list[int]:
    if len(body) < 2:
        return []
    cuts = draw(_indices(1, len(body) - 1, 12))
    special = interesting_cuts(body)
    if special:
        cuts += [special[i] for i in draw(_indices(0, len(special) - 1, 6))]
    return cuts


def every_byte(body: bytes) -> list[int]:
    """Cuts that deliver ``body`` one byte at a time."""
    return list(range(1, len(body)))


class Draws:
    """Stands in for ``st.data()`` in an explicit ``@example``: each ``draw`` returns the next of
    the given values (in the order the test draws them)."""

    def __init__(self, *values: Any) -> None:
        self.values = values
        self._next: Iterator[Any] = itertools.cycle(values)  # the same draws if run again

    def draw(self, strategy: st.SearchStrategy[Any], label: Any = None) -> Any:
        return next(self._next)

    def __repr__(self) -> str:
        return f"Draws{self.values!r}"


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


_CRLF = stream_of(Line("data", "a"), Line(""), ending="\r\n")
_WIDE_EVENT = stream_of(Line("data", "👋🏽é€ ̈"), Line(":", "中文"), Line("data", "ء"), Line(""))
_BOM = stream_of(Line(":", "\ufeff"), Line("data", "\ufeffx\ufeff"), Line(""))


@given(stream=sse_streams(), data=st.data())
# a CRLF split between its CR and LF, right before the blank line
@example(stream=_CRLF, data=Draws([len("data: a\r")]))
# CR line endings, each chunk ending on the CR: the parser must carry it over and not wait for
# an LF that never comes (or count a later LF twice)
@example(
    stream=stream_of(Line("data", "a"), Line("data", "b"), Line(""), ending="\r"),
    data=Draws([len("data: a\r"), len("data: a\rdata: b\r")]),
)
# cut inside the field name and between the colon and its space
@example(stream=stream_of(Line("data", "a"), Line("")), data=Draws([2, 5]))
# cuts inside every multi-byte character (4-byte emoji, a combining mark, Arabic, CJK)
@example(stream=_WIDE_EVENT, data=Draws(interesting_cuts(encode(_WIDE_EVENT))))
# a BOM inside a value is data (only one at the very start of a stream is not): cut inside it
@example(stream=_BOM, data=Draws(interesting_cuts(encode(_BOM))))
# empty events: "data: " and a bare "data" dispatch nothing usable; two empty data lines are
# one newline
@example(
    stream=stream_of(
        Line("data", ""),
        Line(""),
        Line("data", "", spaced=False),
        Line(""),
        Line("data", ""),
        Line("data", ""),
        Line(""),
        Line(""),
        Line("data", "x"),
        Line(""),
    ),
    data=Draws([]),
)
# comments (also empty, also in the middle of an event) never reach the data; cut right after ":"
@example(
    stream=stream_of(
        Line(":", "keep-alive"),
        Line(":", ""),
        Line("data", "x"),
        Line(":", "mid"),
        Line("data", "y"),
        Line(""),
    ),
    data=Draws([1]),
)
# every field: event name, id (one with a NUL is ignored; the last id carries over to later
# events), retry, unknown and wrongly cased field names, "data:x" without a space and a value
# that starts with a space (only one space is stripped)
@example(
    stream=stream_of(
        Line("event", "update"),
        Line("id", "7"),
        Line("retry", "3000"),
        Line("foo", "bar"),
        Line("Data", "no"),
        Line("id", "a\x00b"),
        Line("data", "x", spaced=False),
        Line("data", " y"),
        Line(""),
        Line("data", "z"),
        Line(""),
    ),
    data=Draws([]),
)
# an event name without data is not an event; an event not ended by a blank line is dropped
@example(
    stream=stream_of(
        Line("event", "ping"),
        Line(""),
        Line("data", "x"),
        Line(""),
        Line("data", "unfinished"),
    ),
    data=Draws([]),
)
# line endings mixed inside one event, a CR followed by an LF-ended blank line (one CRLF)
@example(
    stream=stream_of(
        Line("data", "a"),
        Line("data", "b"),
        Line(""),
        Line("data", "c"),
        Line(""),
        ending=["\r\n", "\r", "\n", "\r", "\r\n"],
    ),
    data=Draws([len("data: a\r"), len("data: a\r\ndata: b\r")]),
)
@example(stream=[], data=Draws([]))  # an empty body
def test_sse_events_do_not_depend_on_chunk_boundaries(
    stream: list[tuple[Line, str]], data: st.DataObject | Draws
) -> None:
    body = encode(stream)
    cuts = data.draw(cuts_for(body))
    expected = spec_events(stream)
    assert parse([body]) == expected
    assert parse(split_at(body, cuts)) == expected
    assert aparse(split_at(body, cuts)) == expected


@given(stream=sse_streams())
@example(stream=_CRLF)
@example(stream=stream_of(Line("data", "a"), Line("data", "b"), Line(""), ending="\r"))
@example(stream=stream_of(Line("data", "é€👋🏽"), Line(""), ending="\r\n"))
@example(stream=_BOM)
@example(stream=stream_of(Line("event", "é"), Line("id", "中"), Line("data", "\u200b"), Line("")))
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


_CONTENTS = st.lists(_VALUE, max_size=5)


@st.composite
def chat_streams(draw: st.DrawFn, terminator: str = "[DONE]") -> ChatStream:
    """Chunks with any text, keep-alive comments and empty events, ``event:`` / ``id:`` lines,
    mixed line endings, then the ``[DONE]`` event (and junk after it, never read)."""
    contents = draw(_CONTENTS)
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
    stream = with_endings(lines, draw(_endings(len(lines))))
    return _chat_stream(contents, stream, junk=draw(st.booleans()))


def _chat_stream(contents: list[str], stream: list[tuple[Line, str]], junk: bool) -> ChatStream:
    head = encode(stream[:-1])
    blank_ending = stream[-1][1]
    body = head + blank_ending.encode()
    if junk:
        body += b"data: {not json, and never read}\n\n"
    return ChatStream(contents, body, complete_at=len(head) + 1)


def chat_stream(
    contents: list[str],
    ending: str = "\n",
    *,
    extras: bool = False,
    indent: bool = False,
    junk: bool = False,
) -> ChatStream:
    """A chat stream written by hand (for the explicit examples), laid out as ``chat_streams``
    lays them out; ``extras``: a comment, an empty event, ``event:`` and ``id:`` before each
    chunk."""
    lines: list[Line] = []
    for i, content in enumerate(contents):
        if extras:
            lines += [Line(":", "keep-alive"), Line("data", ""), Line(""), Line("event", "message")]
            lines.append(Line("id", str(i)))
        lines.extend(Line("data", part) for part in chunk_json(content, i, indent).split("\n"))
        lines.append(Line(""))
    lines.extend([Line("data", "[DONE]"), Line("")])
    return _chat_stream(contents, stream_of(*lines, ending=ending), junk)


#: Everything at once: CRLF, comments, empty events, indented JSON over several data lines,
#: multi-byte text, junk after [DONE].
_RICH = chat_stream(["Hel", "lo 👋🏽", ""], "\r\n", extras=True, indent=True, junk=True)
_PLAIN = chat_stream(["Hi", "!"])
_CR = chat_stream(["é"], "\r")


def after_first_chunk(stream: ChatStream, blank: bytes) -> int:
    """Where the first chunk event ends (its blank line included)."""
    return stream.body.index(blank, stream.body.index(b'"content"')) + len(blank)


_AFTER_FIRST = after_first_chunk(_PLAIN, b"\n\n")
_RICH_AFTER_FIRST = after_first_chunk(_RICH, b"\r\n\r\n")


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
@example(stream=_RICH, data=Draws(interesting_cuts(_RICH.body)))  # inside characters and CRLFs
@example(stream=_CR, data=Draws(every_byte(_CR.body)))  # one byte at a time, CR endings
@example(stream=_PLAIN, data=Draws([2, 5]))  # cut inside "data:"
@example(stream=chat_stream([]), data=Draws([]))  # no chunk at all, only [DONE]
def test_chat_stream_same_chunks_however_split(
    stream: ChatStream, data: st.DataObject | Draws
) -> None:
    chunks = split_at(stream.body, data.draw(cuts_for(stream.body)))
    assert chat_contents([stream.body]) == stream.contents
    assert chat_contents(chunks) == stream.contents
    assert achat_contents(chunks) == stream.contents


@given(stream=chat_streams(), data=st.data())
@example(stream=_PLAIN, data=Draws(0, []))  # an empty body
@example(stream=_PLAIN, data=Draws(_AFTER_FIRST, []))  # whole chunks, then the end
@example(stream=_PLAIN, data=Draws(_PLAIN.body.index(b"[DONE]") + 3, []))  # "data: [DO"
@example(stream=_PLAIN, data=Draws(_PLAIN.complete_at - 1, []))  # [DONE] without its blank line
@example(stream=_PLAIN, data=Draws(_PLAIN.complete_at, []))  # complete: [DONE] and its blank line
@example(stream=_RICH, data=Draws(_RICH.complete_at - 1, every_byte(_RICH.body)))
@example(stream=_RICH, data=Draws(_RICH.complete_at, [_RICH.complete_at - 1]))  # ends on the CR
@example(stream=_RICH, data=Draws(len(_RICH.body), interesting_cuts(_RICH.body)))  # junk unread
@example(stream=_CR, data=Draws(_CR.complete_at - 1, []))
def test_chat_stream_cut_before_done_raises(
    stream: ChatStream, data: st.DataObject | Draws
) -> None:
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
@example(stream=_PLAIN, data=Draws(0, []))  # broken before the first byte
@example(stream=_PLAIN, data=Draws(10, []))  # inside the first chunk's JSON
@example(stream=_PLAIN, data=Draws(_AFTER_FIRST, []))  # after a whole chunk: output has begun
@example(stream=_PLAIN, data=Draws(_PLAIN.complete_at - 1, []))  # [DONE] without its blank line
@example(stream=_RICH, data=Draws(_RICH_AFTER_FIRST, interesting_cuts(_RICH.body)))
@example(stream=_RICH, data=Draws(_RICH_AFTER_FIRST - 1, []))  # the blank line's LF missing
def test_chat_stream_broken_connection_never_returns(
    stream: ChatStream, data: st.DataObject | Draws
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


_TEXTS = st.lists(_VALUE, min_size=1, max_size=4)


@st.composite
def gemini_streams(draw: st.DrawFn) -> ChatStream:
    texts = draw(_TEXTS)
    pings = [draw(st.booleans()) for _ in texts]
    lines = _gemini_lines(texts, pings)
    return _gemini_stream(texts, with_endings(lines, draw(_endings(len(lines)))))


def _gemini_lines(texts: list[str], pings: list[bool]) -> list[Line]:
    lines: list[Line] = []
    for i, (text, ping) in enumerate(zip(texts, pings, strict=True)):
        candidate: dict[str, Any] = {"content": {"role": "model", "parts": [{"text": text}]}}
        if i == len(texts) - 1:
            candidate["finishReason"] = "STOP"
        if ping:
            lines.append(Line(":", "ping"))
        body = json.dumps({"candidates": [candidate]}, ensure_ascii=False)
        lines.extend([Line("data", body), Line("")])
    return lines


def _gemini_stream(texts: list[str], stream: list[tuple[Line, str]]) -> ChatStream:
    head = encode(stream[:-1])  # up to the blank line that ends the finishReason chunk
    return ChatStream(texts, encode(stream), complete_at=len(head) + 1)


def gemini_stream(texts: list[str], ending: str = "\n", ping: bool = False) -> ChatStream:
    """A Gemini stream written by hand (for the explicit examples)."""
    lines = _gemini_lines(texts, [ping] * len(texts))
    return _gemini_stream(texts, stream_of(*lines, ending=ending))


def gemini_texts(chunks: Sequence[bytes]) -> list[str]:
    client, requests = stream_client(chunks)
    stream = client.gemini.stream_generate_content(model="gemini-2.5-flash", contents="Hi")
    out = [c.text for c in stream]
    assert len(requests) == 1
    return out


_GEMINI = gemini_stream(["Hel", "lo 👋🏽"], "\r\n", ping=True)
_GEMINI_CR = gemini_stream(["é"], "\r")
#: where the last chunk (the one with the finishReason) starts
_BEFORE_FINISH = _GEMINI.body.rindex(b":ping")


@given(stream=gemini_streams(), data=st.data())
@example(stream=_GEMINI, data=Draws(interesting_cuts(_GEMINI.body), 0, []))  # an empty body
@example(stream=_GEMINI, data=Draws([], _BEFORE_FINISH, []))  # chunks but no finishReason yet
@example(stream=_GEMINI, data=Draws([], _GEMINI.complete_at - 1, []))  # no blank line after it
@example(stream=_GEMINI, data=Draws([], _GEMINI.complete_at, []))  # ends on the CR: complete
@example(
    stream=_GEMINI_CR,
    data=Draws(
        every_byte(_GEMINI_CR.body), _GEMINI_CR.complete_at - 1, every_byte(_GEMINI_CR.body)
    ),
)
def test_gemini_stream_split_and_cut(stream: ChatStream, data: st.DataObject | Draws) -> None:
    assert gemini_texts(split_at(stream.body, data.draw(cuts_for(stream.body)))) == stream.contents
    cut = data.draw(st.integers(0, len(stream.body)))
    chunks = split_at(stream.body[:cut], data.draw(cuts_for(stream.body[:cut])))
    if cut >= stream.complete_at:
        assert gemini_texts(chunks) == stream.contents
    else:
        with pytest.raises(IncompleteStreamError, match="finishReason"):
            gemini_texts(chunks)
