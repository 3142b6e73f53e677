"""The bounds on one answer: its size (counted after decompression) and its time.

Pure bookkeeping, no I/O: the operations in :mod:`.core` feed these the bytes they receive and
ask them whether a bound was passed.
"""

from __future__ import annotations

import zlib
from collections.abc import Callable, Iterator

import httpx

from ..errors import (
    APIConnectionError,
    APITimeoutError,
    InvalidResponseError,
    ResponseTooLargeError,
)

#: Decompressed output is produced at most this many bytes at a time, so a tiny compressed body
#: (a "zip bomb": 130 KB of gzip that inflates to 128 MiB) never expands in one step.
PIECE = 1 << 16
#: How much of an error answer is read: enough for any message, bounded whatever the server sends.
ERROR_BODY_BYTES = 64 * 1024
#: The content codings we ask for (``Accept-Encoding``) and can inflate piece by piece.
ACCEPT_ENCODING = "gzip, deflate"


def mib(size: int) -> str:
    return f"{size / (1 << 20):g} MiB" if size >= 1 << 20 else f"{size} bytes"


def too_large(what: str, limit: int, setting: str) -> ResponseTooLargeError:
    return ResponseTooLargeError(
        f"The answer to {what} is larger than {mib(limit)} ({setting}), so reading stopped "
        f"there. If such an answer is expected, raise it: YEScaleClient({setting}=...).",
        limit=limit,
    )


def framing(response: httpx.Response) -> tuple[str, str]:
    """``(Content-Encoding, Content-Length)`` of ``response`` in one pass over its raw headers
    (``httpx.Headers.get`` normalizes every name on every call: costly on every API answer)."""
    encoding = length = ""
    for key, value in response.headers.raw:
        name = key.lower()
        if name == b"content-encoding":
            encoding = value.decode("latin-1")
        elif name == b"content-length":
            length = value.decode("latin-1")
    return encoding, length


def check_declared(framed: tuple[str, str], limit: int, what: str, setting: str) -> None:
    """Refuse before reading when an unencoded body declares a length over the bound (an
    encoded one may still inflate past it: that is counted while reading)."""
    encoding, declared = framed
    if not encoding and declared.isdigit() and int(declared) > limit:
        raise too_large(what, limit, setting)


class Inflater:
    """Undoes the ``Content-Encoding`` of a body, a bounded piece at a time.

    ``gzip`` and ``deflate`` (what we ask for) are inflated with ``max_length``; an unasked-for
    coding we cannot inflate here raises, rather than handing compressed bytes on as the answer.
    """

    def __init__(self, content_encoding: str, what: str) -> None:
        self.what = what
        self._zlib: zlib._Decompress | None = None
        if not content_encoding:
            return
        codings = [c.strip().lower() for c in content_encoding.split(",") if c.strip()]
        codings = [c for c in codings if c != "identity"]
        if not codings:
            return
        if len(codings) > 1 or codings[0] not in ("gzip", "x-gzip", "deflate"):
            raise InvalidResponseError(
                f"The answer to {what} is encoded as {content_encoding!r}, which was not asked "
                f"for (Accept-Encoding: {ACCEPT_ENCODING}). A proxy may have re-encoded it; "
                "retry, or check base_url."
            )
        # 47: zlib or gzip header, detected; -15: raw deflate is tried when "deflate" has none.
        self._zlib = zlib.decompressobj(47 if codings[0] != "deflate" else 15)
        self._deflate = codings[0] == "deflate"
        self._first = True

    @property
    def identity(self) -> bool:
        """Whether the body is not encoded (its bytes are the answer's)."""
        return self._zlib is None

    def feed(self, data: bytes) -> Iterator[bytes]:
        """The decoded pieces of ``data``, each at most :data:`PIECE` bytes."""
        inflater = self._zlib
        if inflater is None:
            for start in range(0, len(data), PIECE):
                yield data[start : start + PIECE] if len(data) > PIECE else data
            return
        if self._first and self._deflate and data:
            self._first = False
            if (data[0] & 0x0F) != 8 or ((data[0] << 8) | (data[1:2] or b"\0")[0]) % 31:
                # "deflate" sent raw, without its zlib header (common): inflate it raw.
                inflater = self._zlib = zlib.decompressobj(-15)
        while data:
            try:
                piece = inflater.decompress(data, PIECE)
            except zlib.error as exc:
                raise APIConnectionError(
                    f"The answer to {self.what} could not be read: its compressed body is "
                    f"damaged ({exc}); a proxy may have cut or altered it."
                ) from None
            if piece:
                yield piece
            data = inflater.unconsumed_tail
            if inflater.eof:
                return


class Body:
    """A whole answer read into memory, refused past ``limit`` bytes (after decompression);
    refused before reading when its declared length is already over."""

    def __init__(self, response: httpx.Response, limit: int, what: str, setting: str) -> None:
        framed = framing(response)
        check_declared(framed, limit, what, setting)
        #: ``None`` for an unencoded body (most answers): its bytes are appended as they come
        self.inflater = Inflater(framed[0], what) if framed[0] else None
        self.limit = limit
        self.what = what
        self.setting = setting
        self.parts: list[bytes] = []
        self.size = 0

    def feed(self, data: bytes) -> None:
        if self.inflater is None or self.inflater.identity:
            self.size += len(data)
            if self.size > self.limit:
                raise too_large(self.what, self.limit, self.setting)
            self.parts.append(data)
            return
        for piece in self.inflater.feed(data):
            self.size += len(piece)
            if self.size > self.limit:
                raise too_large(self.what, self.limit, self.setting)
            self.parts.append(piece)

    def content(self) -> bytes:
        return self.parts[0] if len(self.parts) == 1 else b"".join(self.parts)


class Deadline:
    """When one attempt must be over: ``seconds`` from its start, on ``clock``.

    The transport's ``timeout`` is a per-attempt deadline: a server that trickles its answer a
    byte at a time cannot stretch a request past it (httpx's read timeout alone only fires on
    silence). ``None`` means no bound.
    """

    __slots__ = ("at", "clock", "seconds", "setting", "since", "stream")

    def __init__(
        self,
        seconds: float | None,
        clock: Callable[[], float],
        setting: str = "timeout",
        *,
        stream: bool = False,
    ) -> None:
        self.seconds = seconds
        self.clock = clock
        self.setting = setting
        #: a stream's bound: the wait for each next event, restarted when one is handed over
        self.stream = stream
        self.since = clock()
        self.at = None if seconds is None else self.since + seconds

    def left(self) -> float | None:
        return None if self.at is None else self.at - self.clock()

    def restart(self) -> None:
        self.since = self.clock()
        if self.seconds is not None:
            self.at = self.since + self.seconds

    def check(self, what: str) -> None:
        if self.at is not None and self.clock() > self.at:
            raise self.passed(what)

    def passed(self, what: str) -> APITimeoutError:
        assert self.seconds is not None
        if self.stream:
            return APITimeoutError(
                f"YEScale {what} timed out: the stream sent no event for "
                f"{self.clock() - self.since:.1f}s, only keep-alives or partial data; the "
                f"{self.setting} ({self.seconds:g}s) bounds the wait for each next event. Raise "
                f"`{self.setting}` for long generations, or retry later."
            )
        return APITimeoutError(
            f"YEScale {what} timed out: it did not finish within its {self.seconds:g}s "
            f"{self.setting}, the answer arriving too slowly (the {self.setting} bounds the whole "
            "answer, not only the silences between bytes). Raise "
            f"`{self.setting}` if the answer is expected to take longer, or retry later."
        )
