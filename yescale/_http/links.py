"""Links outside the API, as :mod:`.core` operations: downloads (media results, streamed to disk)
and fetches (input images, into memory). No credential is ever sent; redirects are followed one
hop at a time, each target checked before any connection."""

from __future__ import annotations

import os
import uuid
from pathlib import Path
from typing import Any

import httpx

from ..errors import (
    InvalidRequestError,
    InvalidResponseError,
    RedirectRefusedError,
    ResponseTooLargeError,
    shown_url,
)
from .addresses import not_public
from .call import Call
from .core import (
    Close,
    Context,
    Operation,
    URLCheck,
    Write,
    _attempt_deadline,
    _chunks,
    _open,
    _read_body,
    _read_error_body,
    _retrying,
    _status_error,
    _transport_failure,
)
from .limits import Body, Deadline, Inflater, check_declared, framing, too_large

#: Redirect hops a download or a fetch follows before giving up.
MAX_REDIRECTS = 10
_REDIRECTS = frozenset({301, 302, 303, 307, 308})
#: what a file host sends instead of the file: a sign-in, an "expired link" or an error page
_WEB_PAGE_TYPES = ("text/html", "application/xhtml+xml")


def _follow(
    ctx: Context, call: Call[Any], url: str, deadline: Deadline, check: URLCheck | None
) -> Operation[httpx.Response]:
    """Open ``url`` without credentials, following redirects one hop at a time: at most
    :data:`MAX_REDIRECTS`, each target refused before any connection when it is not public
    (unless the configured host is itself local) or fails the caller's ``check``."""
    request = _plain_request(ctx, call, url, deadline)
    for _ in range(MAX_REDIRECTS + 1):
        response = yield from _open(ctx, call, request, plain=True)
        location = response.headers.get("location")
        if response.status_code not in _REDIRECTS or not location:
            return response
        yield Close(response)
        try:
            target = str(response.request.url.join(location))
        except (httpx.InvalidURL, ValueError):
            raise _refused(call, response, f"to {shown_url(location)!r}, not a URL") from None
        if check is not None:
            check(target)  # the caller's own rule first (the tools' InputImageError)
        reason = not_public(target)
        if reason is not None and not (
            ctx.allow_local_redirects and reason != "it is not an http(s) URL"
        ):
            raise _refused(call, response, f"to {shown_url(target)}, and {reason}")
        request = _plain_request(ctx, call, target, deadline)
    raise _refused(call, response, f"more than {MAX_REDIRECTS} times")


def _plain_request(ctx: Context, call: Call[Any], url: str, deadline: Deadline) -> httpx.Request:
    """The credential-free GET of ``url``; a URL httpx cannot use is an InvalidRequestError."""
    try:
        return ctx.plain_request(url, deadline.left())
    except (httpx.InvalidURL, httpx.UnsupportedProtocol, ValueError) as exc:
        failure: BaseException = exc
    error = _transport_failure(call, failure, ctx.secrets)
    del failure
    raise error


def _refused(call: Call[Any], response: httpx.Response, how: str) -> RedirectRefusedError:
    return RedirectRefusedError(
        f"The link of the {call.what} ({shown_url(str(response.request.url))}) redirected "
        f"{how}; that redirect is not followed, so nothing was fetched there. Use the final, "
        "public address of the file.",
        status_code=response.status_code,
    )


def _external_answer(
    ctx: Context, call: Call[Any], response: httpx.Response, deadline: Deadline
) -> Operation[None]:
    """Raise for an error or redirect status (the start of its body read for the message)."""
    if response.status_code >= 300:
        content = yield from _read_error_body(ctx, call, response, deadline)
        raise _status_error(ctx, call, response, content)


def _refuse_web_page(url: str, response: httpx.Response, path: Path) -> None:
    """Refuse a web page where a media file was expected (unless an .html file was asked for).

    File hosts answer an expired or unauthorised link with a 200 and an HTML page; saved under
    ``video.mp4`` it would look like a download that worked."""
    kind = response.headers.get("content-type", "").split(";", 1)[0].strip().lower()
    if kind in _WEB_PAGE_TYPES and path.suffix.lower() not in (".html", ".htm", ".xhtml"):
        raise InvalidResponseError(
            f"The download link {shown_url(url)} answered with a web page ({kind}), not the file, "
            "so nothing was saved. The link may have expired or need a sign-in: fetch the task "
            "again (client.media.get) for a fresh result link.",
            status_code=response.status_code,
        )


def download(ctx: Context, url: str, path: Path, timeout: float | None) -> Operation[Path]:
    """Save ``url`` to ``path`` without our credentials, streamed to disk under
    ``max_download_bytes`` and ``timeout`` (each attempt); never leaves a partial file."""
    call: Call[None] = Call("GET", shown_url(url), parse=lambda _: None, what="download")
    limit = ctx.settings.max_download_bytes

    def attempt() -> Operation[Path]:
        deadline = Deadline(timeout, ctx.clock)
        response = yield from _follow(ctx, call, url, deadline, None)
        yield from _external_answer(ctx, call, response, deadline)
        _refuse_web_page(url, response, path)
        what = f"the download of {shown_url(url)}"
        framed = framing(response)
        check_declared(framed, limit, what, "max_download_bytes")
        inflater = Inflater(framed[0], what)
        tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex[:8]}.part")
        try:
            with tmp.open("wb") as fh:
                size = 0
                while data := (yield from _chunks(ctx, call, response, deadline)):
                    for piece in inflater.feed(data):
                        size += len(piece)
                        if size > limit:
                            raise too_large(what, limit, "max_download_bytes")
                        yield Write(fh, piece)
            yield Close(response)
            os.replace(tmp, path)
        finally:
            tmp.unlink(missing_ok=True)
        return path

    return (yield from _retrying(ctx, call, attempt))


def fetch(
    ctx: Context, url: str, check: URLCheck | None, limit: int
) -> Operation[tuple[bytes, str]]:
    """GET a public URL into memory (an input image), at most ``limit`` bytes."""
    call: Call[None] = Call("GET", shown_url(url), parse=lambda _: None, what="image fetch")

    def attempt() -> Operation[tuple[bytes, str]]:
        deadline = _attempt_deadline(ctx, call)
        response = yield from _follow(ctx, call, url, deadline, check)
        yield from _external_answer(ctx, call, response, deadline)
        try:
            body = Body(response, limit, f"the image fetch of {shown_url(url)}", "")
            content = yield from _read_body(ctx, call, response, deadline, body)
        except ResponseTooLargeError:
            raise InvalidRequestError(
                f"The image at {shown_url(url)} is larger than {limit >> 20} MiB; give a "
                "smaller image."
            ) from None
        return content, response.headers.get("content-type", "").split(";")[0].strip()

    return (yield from _retrying(ctx, call, attempt))
