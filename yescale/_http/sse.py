"""Server-sent events, parsed from bytes with a bound on one event.

The WHATWG event-stream rules: lines end with CRLF, LF or CR (also across reads), a leading
byte-order mark is dropped, ``:`` starts a comment, an empty line dispatches the event, and an
event without ``data`` is not dispatched. One event may hold at most ``limit`` bytes: each of
its lines (finished or not, counted as received, field name included) plus the data the event
gathered before it. So a server that sends one endless line cannot fill memory, and whether an
event is refused does not depend on how its bytes were split into reads;
:class:`~yescale.errors.ResponseTooLargeError` names the setting that raises it.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass

from ..errors import ResponseTooLargeError
from .limits import too_large

_BOM = b"\xef\xbb\xbf"


@dataclass(frozen=True, slots=True)
class ServerSentEvent:
    """One dispatched event: its type (``message`` unless named), data, and last event id."""

    data: str
    event: str = "message"
    id: str = ""
    retry: int | None = None


class EventParser:
    """Feed it the body's (decoded) bytes as they arrive; it returns the complete events."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        #: the unfinished line, as received (joined once its end arrives: a long line costs
        #: one copy, not one per read)
        self._pending: list[bytes] = []
        self._pending_size = 0
        self._after_cr = False
        self._started = False
        self._data: list[bytes] = []
        self._size = 0
        self._event = ""
        self._id = ""
        self._retry: int | None = None

    def feed(self, chunk: bytes) -> list[ServerSentEvent]:
        if not self._started:
            chunk = b"".join(self._pending) + chunk
            self._pending, self._pending_size = [], 0
            if len(chunk) < len(_BOM) and _BOM.startswith(chunk):
                self._keep(chunk)  # too short to tell yet
                return []
            self._started = True
            if chunk.startswith(_BOM):
                chunk = chunk[len(_BOM) :]
        if not chunk:
            return []  # nothing new: a CR that ended the last read still waits for its LF
        if self._after_cr:
            self._after_cr = False
            if chunk[:1] == b"\n":  # the LF of a CRLF split between two reads
                chunk = chunk[1:]
        if b"\n" not in chunk and b"\r" not in chunk:
            self._keep(chunk)
            return []
        text = b"".join((*self._pending, chunk)) if self._pending else chunk
        self._pending, self._pending_size = [], 0
        if b"\r" in text:
            self._after_cr = text.endswith(b"\r")
            text = text.replace(b"\r\n", b"\n").replace(b"\r", b"\n")
        lines = text.split(b"\n")
        tail = lines.pop()
        events: list[ServerSentEvent] = []
        for line in lines:
            self._line(line, events)
        self._keep(tail)  # after the lines: the event they end is not the tail's
        return events

    def _keep(self, part: bytes) -> None:
        if part:
            self._pending.append(part)
            self._pending_size += len(part)
            if self._pending_size + self._size > self.limit:
                raise self._too_large()

    def _line(self, line: bytes, events: list[ServerSentEvent]) -> None:
        if not line:
            if self._data:
                events.append(
                    ServerSentEvent(
                        data=b"\n".join(self._data).decode("utf-8", errors="replace"),
                        event=self._event or "message",
                        id=self._id,
                        retry=self._retry,
                    )
                )
            # the last event id carries over to later events; the rest is this event's own
            self._data, self._size, self._event, self._retry = [], 0, "", None
            return
        if len(line) + self._size > self.limit:
            raise self._too_large()
        if line[:1] == b":":
            return  # a comment (keep-alive)
        name, _, value = line.partition(b":")
        if value[:1] == b" ":
            value = value[1:]
        if name == b"data":
            self._data.append(value)
            self._size += len(value) + 1  # within the limit: the line was checked above
        elif name == b"event":
            self._event = value.decode("utf-8", errors="replace")
        elif name == b"id":
            if b"\0" not in value:
                self._id = value.decode("utf-8", errors="replace")
        elif name == b"retry" and value.isdigit():
            # more digits than int() reads (sys.get_int_max_str_digits): ignored, not raised
            with contextlib.suppress(ValueError):
                self._retry = int(value)

    def _too_large(self) -> ResponseTooLargeError:
        return too_large("one event of the YEScale stream", self.limit, "max_response_bytes")
