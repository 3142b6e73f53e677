"""Property tests: our SSE parser reads event streams as httpx-sse does (where the spec agrees)
and the same however the bytes are split; one event is bounded; a stream cut before its
terminator never comes back as a complete answer.

1. The SSE layer: :class:`yescale._http.sse.EventParser`, the parser the transport runs, against
   `httpx-sse <https://github.com/florimondmanca/httpx-sse>`_ (a test-only dependency) as the
   oracle: ``httpx_sse.EventSource`` over an ``httpx.Response`` whose body arrives in the same
   reads. The two differ on purpose in three places, asserted as such: httpx-sse keeps a leading
   byte-order mark (so it loses the stream's first line), dispatches events without a data line,
   and reads ``retry:`` values the spec ignores. Also: the events do not depend on how the bytes
   are split (empty reads, a CRLF split between two reads); the per-event bound raises
   ``ResponseTooLargeError`` exactly for the events over it, however split; an endless line is
   refused before the parser holds much more than the bound.
2. and 3. End to end through ``client.chat.stream`` / ``client.aio.chat.stream`` /
   ``client.gemini.stream_generate_content`` over ``httpx.MockTransport``
   (``tests/unit/conftest.py``), so the transport's drivers and the decoders of
   ``yescale._streaming`` run too.

Generated: data lines (several per event, empty ones, leading spaces), comments, ``event:``,
``id:`` (also with NUL, which the spec says to ignore), ``retry:`` (also values only ``int()``
reads) and unknown fields, LF / CRLF / CR line endings mixed, any Unicode except surrogates (so
multi-byte UTF-8), events with no data, an unfinished event at the end; and raw bytes (invalid
UTF-8, a BOM, NUL, line separators that SSE does not split on). Cuts fall anywhere, including
inside a multi-byte character and between a CR and its LF.
"""

from __future__ import annotations

import asyncio
import functools
import itertools
import json
import tracemalloc
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from typing import Any

import httpx
import pytest
from httpx_sse import EventSource
from hypothesis import example, given
from hypothesis import strategies as st

from tests.unit.conftest import ChunkStream, make_client, sse_response
from yescale import (
    APIConnectionError,
    IncompleteStreamError,
    ResponseTooLargeError,
    YEScaleClient,
)
from yescale._http.limits import PIECE
from yescale._http.sse import EventParser

ENDINGS = ("\n", "\r\n", "\r")
MESSAGES = [{"role": "user", "content": "Hi"}]
BOM = b"\xef\xbb\xbf"
#: The bound for the tests that are not about it: nothing generated comes near it.
NO_LIMIT = 1 << 20

#: Any character but surrogates (not encodable) and line breaks (they end a line in SSE).
_TEXT = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\r\n"),
    max_size=12,
)
#: Mostly multi-byte characters, so cuts often fall inside one.
_WIDE = st.text(alphabet=st.sampled_from("é€中文👋🏽 ̈ءa\u200b\ufeff\x00"), min_size=0, max_size=8)
_VALUE = st.one_of(_TEXT, _WIDE)
#: ``retry:`` values the spec ignores (only ASCII digits count) but ``int()`` reads, and values
#: neither reads.
_ODD_RETRY = ["-1", "+3", " 7", "7 ", "١٢", "1_000", "", "x", "1.5"]
_RETRY = st.one_of(st.integers(0, 10_000).map(str), st.sampled_from(_ODD_RETRY))


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
        st.builds(Line, st.just("retry"), _RETRY),
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


def spec_retry(value: str) -> int | None:
    """The spec reads a ``retry:`` value made of ASCII digits only (``int()`` reads more)."""
    if not (value.isascii() and value.isdigit()):
        return None
    try:
        return int(value)
    except ValueError:  # more digits than int() reads: no reconnection time anyone could use
        return None


def int_retry(value: str) -> int | None:
    """What httpx-sse reads of a ``retry:`` value: whatever ``int()`` takes."""
    try:
        return int(value)
    except ValueError:
        return None


def spec_events(stream: Iterable[tuple[Line, str]]) -> list[Event]:
    """The events the HTML standard's SSE algorithm dispatches: those with a data line (an
    empty one included); the last event id carries over, the rest is each event's own."""
    events: list[Event] = []
    name, data, last_id, retry = "", [], "", None
    for line, _ in stream:
        if line.field == "":
            if data:
                events.append(Event(name or "message", "\n".join(data), last_id, retry))
            name, data, retry = "", [], None
        elif line.field == "data":
            data.append(line.value)
        elif line.field == "event":
            name = line.value
        elif line.field == "id" and "\x00" not in line.value:
            last_id = line.value
        elif line.field == "retry" and spec_retry(line.value) is not None:
            retry = spec_retry(line.value)
    return events


@dataclass(frozen=True)
class Dispatch:
    """One event httpx-sse dispatches, as read from the stream model."""

    has_data: bool  # whether it had a data line: the spec (and our parser) dispatch only these
    retry: int | None  # its retry as the spec reads it
    their_retry: int | None  # its retry as httpx-sse reads it


def httpx_sse_dispatches(stream: Iterable[tuple[Line, str]]) -> list[Dispatch]:
    """httpx-sse dispatches at every blank line once anything is set: an event name, a data
    line, a retry it reads, or an id (and the id is never reset: after one, every blank line
    dispatches an event, most of them empty)."""
    out: list[Dispatch] = []
    name, has_data, last_id, retry, their_retry = "", False, "", None, None
    for line, _ in stream:
        if line.field == "":
            if name or has_data or last_id or their_retry is not None:
                out.append(Dispatch(has_data, retry, their_retry))
            name, has_data, retry, their_retry = "", False, None, None
        elif line.field == "data":
            has_data = True
        elif line.field == "event":
            name = line.value
        elif line.field == "id" and "\x00" not in line.value:
            last_id = line.value
        elif line.field == "retry":
            retry = spec_retry(line.value) if spec_retry(line.value) is not None else retry
            their_retry = (
                int_retry(line.value) if int_retry(line.value) is not None else their_retry
            )
    return out


def bound_needed(stream: Iterable[tuple[Line, str]]) -> int:
    """The smallest bound our parser lets ``stream`` through with: the largest of its lines
    (finished or not, its bytes as sent, field name included) plus the data its event gathered
    before it (each value and one byte for its line end)."""
    need = gathered = 0
    for line, _ in stream:
        if line.field == "":
            gathered = 0
            continue
        need = max(need, len(line.text().encode()) + gathered)
        if line.field == "data":
            gathered += len(line.value.encode()) + 1
    return need


# -- splitting -----------------------------------------------------------------------------------


def split_at(body: bytes, cuts: Iterable[int]) -> list[bytes]:
    points = [0, *sorted(set(cuts)), len(body)]
    return [body[a:b] for a, b in itertools.pairwise(points) if b > a]


def with_empty_reads(chunks: Sequence[bytes], where: Iterable[int]) -> list[bytes]:
    """``chunks`` with an empty read before each index in ``where`` (``len(chunks)``: at the
    end)."""
    out = list(chunks)
    for index in sorted(where, reverse=True):
        out.insert(min(index, len(out)), b"")
    return out


def interesting_cuts(body: bytes) -> list[int]:
    """Inside a multi-byte UTF-8 character (or the BOM), and between a CR and its LF."""
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


# -- the two parsers -----------------------------------------------------------------------------


def ours(reads: Iterable[bytes], limit: int = NO_LIMIT) -> list[Event]:
    parser = EventParser(limit)
    return [Event(e.event, e.data, e.id, e.retry) for read in reads for e in parser.feed(read)]


def theirs(reads: Sequence[bytes]) -> list[Event]:
    """httpx-sse's events, the body arriving in ``reads``."""
    response = httpx.Response(
        200, headers={"content-type": "text/event-stream"}, stream=ChunkStream(reads)
    )
    return [Event(s.event, s.data, s.id, s.retry) for s in EventSource(response).iter_sse()]


# -- 1. the SSE layer ----------------------------------------------------------------------------


_CRLF = stream_of(Line("data", "a"), Line(""), ending="\r\n")
_WIDE_EVENT = stream_of(Line("data", "👋🏽é€ ̈"), Line(":", "中文"), Line("data", "ء"), Line(""))
_BOM = stream_of(Line(":", "\ufeff"), Line("data", "\ufeffx\ufeff"), Line(""))
_TWO = stream_of(Line("data", "first"), Line(""), Line("data", "second"), Line(""))


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
# empty events: "data: " and a bare "data" dispatch an event with empty data (the client skips
# it as a keep-alive); two empty data lines are one newline; a blank line alone is nothing
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
# an event name, an id or a retry without data is not an event for the spec (httpx-sse
# dispatches each, and after an id every blank line); an event not ended by a blank line is
# dropped by both
@example(
    stream=stream_of(
        Line("event", "ping"),
        Line(""),
        Line("retry", "5"),
        Line(""),
        Line("data", "x"),
        Line(""),
        Line("id", "1"),
        Line(""),
        Line(""),
        Line("data", "y"),
        Line(""),
        Line("data", "unfinished"),
    ),
    data=Draws([]),
)
# a retry belongs to its event: it does not carry over to the next (it did in our parser)
@example(
    stream=stream_of(Line("retry", "5"), Line("data", "a"), Line(""), Line("data", "b"), Line("")),
    data=Draws([]),
)
# retry values int() reads but the spec ignores (a sign, spaces, non-ASCII digits, "_"), and one
# with more digits than int() reads (a bare ValueError escaped our parser)
@example(
    stream=stream_of(
        *(
            line
            for value in ["-1", "+3", " 7", "7 ", "١٢", "1_000", "1.5", "", "9" * 5000]
            for line in (Line("retry", "4"), Line("retry", value), Line("data", value), Line(""))
        )
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
def test_parser_agrees_with_httpx_sse(
    stream: list[tuple[Line, str]], data: st.DataObject | Draws
) -> None:
    """The same events as httpx-sse (event name, data, id, retry, in order), the same reads fed
    to both, except where httpx-sse departs from the spec (checked here as such):

    - it dispatches events without a data line (an event name, a retry or an id alone); the spec
      does not, and the client's decoders would skip them anyway;
    - it reads a ``retry:`` value with ``int()`` (``-1``, ``" 7"``, ``١٢``); the spec reads ASCII
      digits only.
    """
    body = encode(stream)
    reads = split_at(body, data.draw(cuts_for(body)))
    oracle = theirs(reads)
    dispatches = httpx_sse_dispatches(stream)
    assert [e.retry for e in oracle] == [d.their_retry for d in dispatches]  # the same count too
    expected = [
        replace(event, retry=d.retry)
        for event, d in zip(oracle, dispatches, strict=True)
        if d.has_data
    ]
    assert ours(reads) == expected
    assert expected == spec_events(stream)  # and the spec, read independently, agrees


@given(stream=sse_streams(), data=st.data())
@example(stream=_TWO, data=Draws([1, 2]))  # cuts inside the BOM
@example(stream=_CRLF, data=Draws([3]))  # the BOM and the CRLF split off
# only one BOM is dropped: a second one is part of the first line (here its field name)
@example(
    stream=stream_of(Line("\ufeffdata", "x"), Line(""), Line("data", "y"), Line("")),
    data=Draws([3, 4, 5]),
)
def test_a_leading_bom_is_dropped(
    stream: list[tuple[Line, str]], data: st.DataObject | Draws
) -> None:
    """The spec drops one byte-order mark at the very start of a stream, and so do we, however
    the reads cut it. httpx-sse 0.4.3 decodes it as U+FEFF in front of the first line, whose
    field name is then ``"\\ufeffdata"`` (unknown): the first line is lost, as if any other
    character stood there, and a first event of one data line with it."""
    with_bom = BOM + encode(stream)
    reads = split_at(with_bom, data.draw(cuts_for(with_bom)))
    assert ours(reads) == spec_events(stream)
    assert theirs(reads) == theirs([b"?" + encode(stream)])


def test_httpx_sse_loses_the_first_event_after_a_bom() -> None:
    body = BOM + encode(_TWO)
    assert [e.data for e in ours([body])] == ["first", "second"]
    assert [e.data for e in theirs([body])] == ["second"]  # why we no longer use it


#: Raw bytes: field names and separators, line ends, a BOM (also cut short), bytes that are not
#: UTF-8, NUL, and line separators other than CR / LF, which SSE does not split on (httpx-sse
#: before 0.4.2 did).
_TOKENS = [
    b"data",
    b"event",
    b"id",
    b":",
    b": ",
    b" ",
    b"\n",
    b"\r",
    b"\r\n",
    b"x",
    BOM,
    BOM[:2],
    b"\xc3",
    b"\xa9",
    b"\xe2\x82",
    "👋".encode(),
    b"\x80",
    b"\xff",
    b"\xed\xa0\x80",
    b"\x00",
    "\x1c\x1e\x85\u2028\u2029\x0b\x0c".encode(),
]
_RAW = st.lists(st.sampled_from(_TOKENS), max_size=40).map(b"".join)


@given(body=_RAW, data=st.data())
@example(body=b"data: \xe2\x82\r\ndata: \xac\n\n", data=Draws([8, 9]))  # a broken character
@example(body="data: a\x85b\u2028c\x1ed\n\n".encode(), data=Draws([]))  # not line ends
@example(body=BOM[:2] + b"data: x\n\n", data=Draws([1]))  # not a BOM after all: the line is kept
def test_parser_agrees_with_httpx_sse_on_raw_bytes(
    body: bytes, data: st.DataObject | Draws
) -> None:
    """Bytes that are not UTF-8 decode to U+FFFD as httpx's decoder makes them, whatever the
    reads. Compared: the events with data (the others differ on purpose, see above), their
    name, data and id; a leading BOM is given to httpx-sse removed (see above)."""
    reads = split_at(body, data.draw(cuts_for(body)))
    mine = [(e.event, e.data, e.id) for e in ours(reads) if e.data]
    oracle = theirs([body.removeprefix(BOM)])
    assert mine == [(e.event, e.data, e.id) for e in oracle if e.data]


@given(stream=sse_streams(), bom=st.booleans(), data=st.data())
# a CRLF split between its CR and LF, and an empty read between them (the CR was forgotten: the
# LF counted as a second line end, a blank line that cut the event in two)
@example(
    stream=stream_of(Line("data", "a"), Line("data", "b"), Line(""), ending="\r\n"),
    bom=False,
    data=Draws([len("data: a\r")], [1]),
)
@example(stream=_CRLF, bom=True, data=Draws([1, 3, 3 + len("data: a\r")], [0, 1, 3, 4]))
@example(stream=_WIDE_EVENT, bom=False, data=Draws(interesting_cuts(encode(_WIDE_EVENT)), [2]))
def test_parser_events_do_not_depend_on_the_reads(
    stream: list[tuple[Line, str]], bom: bool, data: st.DataObject | Draws
) -> None:
    """Split anywhere, with empty reads anywhere, one byte at a time: the same events."""
    body = (BOM if bom else b"") + encode(stream)
    reads = split_at(body, data.draw(cuts_for(body)))
    reads = with_empty_reads(reads, data.draw(_indices(0, len(reads), 3)))
    expected = spec_events(stream)
    assert ours([body]) == expected
    assert ours(reads) == expected
    assert ours([body[i : i + 1] for i in range(len(body))]) == expected


_BIG_THEN_SMALL = stream_of(Line("data", "a" * 20), Line(""), Line("data", "b" * 10), Line(""))


@given(stream=sse_streams(), data=st.data())
# the second event's unfinished line was counted with the first event's data (refused or not
# depending on where a read ended)
@example(
    stream=_BIG_THEN_SMALL,
    data=Draws([len("data: " + "a" * 20 + "\n"), len("data: " + "a" * 20 + "\n\ndata: bbbbb")], 26),
)
# a line over the bound that arrives whole in one read (it was refused only when split)
@example(stream=stream_of(Line(":", "c" * 40), Line("data", "x"), Line("")), data=Draws([], 20))
@example(
    stream=stream_of(Line("event", "é" * 20), Line("data", "x"), Line("")), data=Draws([3], 40)
)
# exactly at the bound, one byte under it; data lines add up within one event, not across
@example(stream=_BIG_THEN_SMALL, data=Draws([], 26))
@example(stream=_BIG_THEN_SMALL, data=Draws([], 25))
@example(
    stream=stream_of(Line("data", "a" * 10), Line("data", "b" * 10), Line("")), data=Draws([], 27)
)
@example(
    stream=stream_of(Line("data", "a" * 10), Line("data", "b" * 10), Line("")), data=Draws([], 26)
)
def test_one_event_is_bounded_however_split(
    stream: list[tuple[Line, str]], data: st.DataObject | Draws
) -> None:
    """``ResponseTooLargeError`` for an event over the bound, whatever the reads; never for a
    stream whose events are all within it, and then the same events as without a bound.

    An event's size, as the parser counts it while reading: each of its lines (finished or not,
    its bytes as sent, field name included) plus the data the event gathered before it (each
    data value and one byte for its line end)."""
    body = encode(stream)
    reads = split_at(body, data.draw(cuts_for(body)))
    need = bound_needed(stream)
    limit = data.draw(st.integers(max(0, need - 3), need + 3))
    # what this means for whole events: data over the bound is refused, and an event whose
    # lines all together are within it passes
    events = spec_events(stream)
    if any(len(e.data.encode()) > limit for e in events):
        assert need > limit
    blocks: list[list[Line]] = [[]]
    for line, _ in stream:
        if line.field:
            blocks[-1].append(line)
        else:
            blocks.append([])
    if all(sum(len(line.text().encode()) for line in block) <= limit for block in blocks):
        assert need <= limit
    for split in ([body], reads, [body[i : i + 1] for i in range(len(body))]):
        if need > limit:
            with pytest.raises(ResponseTooLargeError, match="max_response_bytes") as info:
                ours(split, limit)
            assert info.value.limit == limit
        else:
            assert ours(split, limit) == events


@pytest.mark.parametrize(
    "shape",
    [
        pytest.param(lambda size: b"x" * size, id="one 16 MiB line"),
        pytest.param(lambda size: b"data: " + b"x" * (size - 7) + b"\n", id="16 MiB of data lines"),
    ],
)
def test_an_endless_event_is_refused_before_it_fills_memory(shape: Any) -> None:
    """16 MiB sent as one event, 64 KiB a read (each a new object, as from a socket), a bound of
    1 MiB: refused once the bound is passed, the parser never holding much more."""
    limit = 1 << 20

    fed = 0

    def read_all(parser: EventParser) -> None:
        nonlocal fed
        reads = itertools.chain([b"data: "], (shape(PIECE) for _ in range((16 << 20) // PIECE)))
        for read in reads:
            fed += len(read)
            parser.feed(read)

    tracemalloc.start()
    try:
        with pytest.raises(ResponseTooLargeError):
            read_all(EventParser(limit))
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert fed <= limit + 2 * PIECE
    assert peak < 4 << 20


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
