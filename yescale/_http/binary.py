"""API answers that are files, not JSON (speech audio), as a :mod:`.core` operation.

Sent like any API call (auth, retries, ``Retry-After``, no redirect followed), but the answer is
read as bytes: into memory under ``max_response_bytes``, or streamed to a file under
``max_download_bytes``, a piece at a time (bounded memory), written to a temporary file beside the
target and renamed over it only once complete, so a failed or cut answer never leaves a file.

A success status is not enough: an answer declared as JSON, HTML or plain text, or whose first
bytes are a JSON object or a web page, is not the file. An error object in it becomes the typed
error (as for any 2xx answer); anything else is :class:`~yescale.errors.InvalidResponseError`.
"""

from __future__ import annotations

import os
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from ..errors import answer_error, incomplete_answer, quote
from .call import Call
from .core import (
    Close,
    Context,
    Operation,
    Write,
    _attempt_deadline,
    _chunks,
    _open,
    _read_body,
    _read_error_body,
    _retrying,
    _status_error,
)
from .limits import Body, Deadline, Inflater, check_declared, framing, too_large

#: Declared content types that are never the file asked for.
_NOT_FILE_TYPES = ("application/json", "text/html", "application/xhtml+xml", "text/plain")


@dataclass(frozen=True)
class FileAnswer:
    """What a binary answer must be: ``what`` it is (for messages), and whether its first bytes
    may look like text (raw PCM samples may start with any byte; encoded audio never starts
    with ``{`` or ``<``)."""

    what: str
    raw: bool = False

    def not_the_file(self, response: httpx.Response, head: bytes) -> str | None:
        """Why this answer is not the file (``None`` when it may be)."""
        kind = response.headers.get("content-type", "").split(";", 1)[0].strip().lower()
        if kind in _NOT_FILE_TYPES or kind.endswith("+json"):
            return f"{kind!r} instead of {self.what}"
        if not self.raw and head.lstrip()[:1] in (b"{", b"<"):
            return f"a text document instead of {self.what}"
        return None


def read_file_answer(ctx: Context, call: Call[Any], expect: FileAnswer) -> Operation[bytes]:
    """The answer's bytes, in memory under ``max_response_bytes``."""

    def attempt() -> Operation[bytes]:
        deadline = _attempt_deadline(ctx, call)
        response = yield from _opened(ctx, call, deadline, expect)
        body = Body(
            response, ctx.settings.max_response_bytes, f"YEScale {call.where}", "max_response_bytes"
        )
        content = yield from _read_body(ctx, call, response, deadline, body)
        _check(ctx, call, expect, response, content)
        return content

    return (yield from _retrying(ctx, call, attempt))


def save_file_answer(
    ctx: Context, call: Call[Any], expect: FileAnswer, path: Path
) -> Operation[Path]:
    """The answer streamed to ``path`` under ``max_download_bytes`` (temporary file, then
    renamed); never leaves a partial file, nor replaces ``path`` with one."""
    limit = ctx.settings.max_download_bytes
    what = f"YEScale {call.where}"

    def attempt() -> Operation[Path]:
        deadline = _attempt_deadline(ctx, call)
        response = yield from _opened(ctx, call, deadline, expect)
        framed = framing(response)
        check_declared(framed, limit, what, "max_download_bytes")
        inflater = Inflater(framed[0], what)
        tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex[:8]}.part")
        try:
            with tmp.open("wb") as fh:
                size = 0
                while data := (yield from _chunks(ctx, call, response, deadline)):
                    for piece in inflater.feed(data):
                        if size == 0:
                            reason = expect.not_the_file(response, piece)
                            if reason is not None:
                                yield from _refuse(ctx, call, response, deadline, piece, reason)
                        size += len(piece)
                        if size > limit:
                            raise too_large(what, limit, "max_download_bytes")
                        yield Write(fh, piece)
            yield Close(response)
            if size == 0:
                raise incomplete_answer(call.what, f"an empty body instead of {expect.what}")
            os.replace(tmp, path)
        finally:
            tmp.unlink(missing_ok=True)
        return path

    return (yield from _retrying(ctx, call, attempt))


def _opened(
    ctx: Context, call: Call[Any], deadline: Deadline, expect: FileAnswer
) -> Operation[httpx.Response]:
    """The answer, opened; an error or redirect status raised (the start of its body read for
    the message). A declared JSON or text answer is refused before its body is read whole."""
    response = yield from _open(ctx, call, ctx.request(call))
    if response.status_code >= 300:
        content = yield from _read_error_body(ctx, call, response, deadline)
        raise _status_error(ctx, call, response, content)
    reason = expect.not_the_file(response, b"")
    if reason is not None:
        yield from _refuse(ctx, call, response, deadline, b"", reason)
    return response


def _refuse(
    ctx: Context,
    call: Call[Any],
    response: httpx.Response,
    deadline: Deadline,
    head: bytes,
    reason: str,
) -> Operation[None]:
    """Raise for an answer that is not the file: the error object it holds, or a message
    quoting its start (at most 64 KiB of it is read)."""
    rest = yield from _read_error_body(ctx, call, response, deadline)
    _check_text(ctx, call, head + rest, reason)


def _check(
    ctx: Context, call: Call[Any], expect: FileAnswer, response: httpx.Response, content: bytes
) -> None:
    if not content:
        raise incomplete_answer(call.what, f"an empty body instead of {expect.what}")
    reason = expect.not_the_file(response, content[:256])
    if reason is not None:
        _check_text(ctx, call, content[: 64 * 1024], reason)


def _check_text(ctx: Context, call: Call[Any], content: bytes, reason: str) -> None:
    error = answer_error(content, secrets=ctx.secrets, what=call.where, endpoint=call.path)
    if error is not None:
        raise error
    shown = quote(content.decode("utf-8", errors="replace"), ctx.secrets, 200)
    raise incomplete_answer(call.what, f"{reason}: {shown}")


__all__ = ["FileAnswer", "read_file_answer", "save_file_answer"]
