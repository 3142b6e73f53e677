"""The transport's logic, written once and free of network I/O.

Each operation (send a request, stream one; downloads and fetches in :mod:`.links`) is a
generator in the style of httpx's ``Auth.auth_flow``: it yields an *action* (:class:`Open` a
request, :class:`Read` the next bytes of an answer, :class:`Close` it, :class:`Sleep`,
:class:`Write` to a file, :class:`Emit` a stream chunk to the caller) and receives its outcome,
or has the I/O error thrown in at the ``yield``. It decides everything else: what to send, how
much to read, whether the answer is an error, whether and when to retry, when a deadline has
passed, which redirect to follow. :mod:`.drivers` performs the actions, once with blocking calls
and once with ``await``; they hold no logic of their own.

Why generators rather than async code turned into sync code by a script (httpcore's
``unasync``): our logic is mostly decisions between a few kinds of I/O, not I/O itself; a
generator keeps those decisions testable without a socket (feed it outcomes, look at what it
asks for), and needs no code generation step or generated file to keep in sync.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Generator
from dataclasses import dataclass, field
from typing import IO, TYPE_CHECKING, Any, Protocol, TypeVar

import httpx

from .._retry import RetryPolicy
from .._settings import ACCESS_KEY_ENV, API_KEY_ENV, ClientSettings
from ..errors import (
    APIConnectionError,
    APITimeoutError,
    IncompleteStreamError,
    InvalidRequestError,
    InvalidResponseError,
    SecretValues,
    YEScaleError,
    answer_error,
    error_from_response,
    extend_message,
    incomplete_answer,
    quote,
    scrub,
)
from .call import Call
from .cooldown import CallHold, Cooldowns, scope_of
from .limits import ERROR_BODY_BYTES, Body, Deadline, Inflater
from .sse import EventParser

if TYPE_CHECKING:
    from .._streaming import StreamDecoder

logger = logging.getLogger("yescale")

T = TypeVar("T")


# -- actions ----------------------------------------------------------------------------------


@dataclass(slots=True)
class Open:
    """Send ``request``; the outcome is the ``httpx.Response`` with its body not yet read.
    ``plain``: a link outside the API, sent with no credential a caller's own client holds."""

    request: httpx.Request
    plain: bool = False


@dataclass(slots=True)
class Read:
    """The next bytes of ``response``'s body as received (still content-encoded); ``b""`` at
    its end."""

    response: httpx.Response


@dataclass(slots=True)
class Close:
    response: httpx.Response


@dataclass(slots=True)
class Sleep:
    seconds: float


@dataclass(slots=True)
class Write:
    file: IO[bytes]
    data: bytes = field(repr=False)


@dataclass(slots=True)
class Emit:
    """Hand ``value`` to the caller of a stream; resumed when the caller asks for the next."""

    value: Any


Action = Open | Read | Close | Sleep | Write | Emit
Operation = Generator[Action, Any, T]
#: A caller's check of a URL about to be fetched (raises to refuse it).
URLCheck = Callable[[str], object]


class Context(Protocol):
    """What the operations need from the transport that runs them."""

    settings: ClientSettings
    retry: RetryPolicy
    #: the shared 429 cooldowns this transport's calls wait on (:mod:`.cooldown`)
    cooldowns: Cooldowns
    clock: Callable[[], float]
    secrets: SecretValues
    allow_local_redirects: bool

    def request(self, call: Call[Any]) -> httpx.Request: ...

    def plain_request(self, url: str, time_left: float | None = None) -> httpx.Request: ...


# -- reading ----------------------------------------------------------------------------------


def _transport_failure(call: Call[Any], exc: BaseException, secrets: SecretValues) -> YEScaleError:
    """The typed error for an httpx failure (or a deadline cut short by the driver)."""
    detail = scrub(_describe(exc), secrets)
    external = call.external
    if isinstance(exc, (httpx.InvalidURL, httpx.UnsupportedProtocol)):
        return InvalidRequestError(f"Cannot use the URL of the {call.where}: {detail}.")
    if isinstance(exc, (httpx.TimeoutException, TimeoutError)):
        hint = (
            "Raise `timeout` for large files, or retry later"
            if external
            else "Raise `timeout` for long generations, or use https://api.yescale.vip "
            "(no CDN) for long requests"
        )
        return APITimeoutError(
            f"YEScale {call.where} timed out ({type(exc).__name__}: {detail}). {hint}."
        )
    if not isinstance(exc, httpx.TransportError):
        return APIConnectionError(
            f"The answer to YEScale {call.where} could not be read ({type(exc).__name__}: "
            f"{detail}); a proxy may have damaged it."
        )
    if external:
        return APIConnectionError(
            f"YEScale {call.where} failed: {type(exc).__name__}: {detail}. Check the network and "
            "retry; result links expire (url_expires_at), poll the task for a fresh one."
        )
    return APIConnectionError(
        f"Could not reach YEScale for {call.where}: {type(exc).__name__}: {detail}. Check the "
        "network and base_url."
    )


#: Transport failures that happen before a request is sent.
_NOT_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)
#: What the drivers may throw in at a ``yield``.
_IO_ERRORS = (httpx.HTTPError, httpx.InvalidURL, TimeoutError)


def _open(
    ctx: Context, call: Call[Any], request: httpx.Request, *, plain: bool = False
) -> Operation[httpx.Response]:
    try:
        response: httpx.Response = yield Open(request, plain)
    except _IO_ERRORS as exc:
        failure: BaseException = exc
    else:
        return response
    # Raised outside the ``except``: the httpx error (whose text may quote a proxy's echo of
    # the request) is described, scrubbed, and not chained.
    error = _transport_failure(call, failure, ctx.secrets)
    error.request_unsent = isinstance(failure, _NOT_SENT)
    del failure
    raise error


def _chunks(
    ctx: Context, call: Call[Any], response: httpx.Response, deadline: Deadline
) -> Operation[bytes]:
    """The next bytes of ``response``; raises once ``deadline`` has passed."""
    try:
        data: bytes = yield Read(response)
    except _IO_ERRORS as exc:
        failure: BaseException = exc
    else:
        if deadline.at is None or ctx.clock() <= deadline.at:
            return data
        del data
        raise deadline.passed(call.where)
    error = _read_failure(ctx, call, deadline, failure)
    del failure
    raise error


def _read_failure(
    ctx: Context, call: Call[Any], deadline: Deadline, failure: BaseException
) -> YEScaleError:
    """The error for a read that failed: the deadline's when it has passed (an async driver
    may cut a read short at it), else the transport's."""
    if deadline.at is not None and ctx.clock() > deadline.at:
        return deadline.passed(call.where)
    return _transport_failure(call, failure, ctx.secrets)


def _read_body(
    ctx: Context, call: Call[Any], response: httpx.Response, deadline: Deadline, body: Body
) -> Operation[bytes]:
    """The whole body, under ``body``'s bound and ``deadline``."""
    while data := (yield from _chunks(ctx, call, response, deadline)):
        body.feed(data)
    yield Close(response)
    return body.content()


def _read_error_body(
    ctx: Context, call: Call[Any], response: httpx.Response, deadline: Deadline
) -> Operation[bytes]:
    """The start of an error answer (enough for any message); the rest is never read."""
    try:
        inflater = Inflater(response.headers.get("content-encoding", ""), call.where)
    except InvalidResponseError:
        inflater = Inflater("", call.where)
    parts: list[bytes] = []
    size = 0
    while size < ERROR_BODY_BYTES and (data := (yield from _chunks(ctx, call, response, deadline))):
        try:
            for piece in inflater.feed(data):
                parts.append(piece)
                size += len(piece)
                if size >= ERROR_BODY_BYTES:
                    break
        except YEScaleError:  # damaged compression: the status says enough
            break
    yield Close(response)
    return b"".join(parts)[:ERROR_BODY_BYTES]


def _status_error(
    ctx: Context, call: Call[Any], response: httpx.Response, content: bytes
) -> YEScaleError:
    return error_from_response(
        response.status_code,
        response.headers,
        content,
        credential_env=ACCESS_KEY_ENV if call.path.startswith("/yescale/") else API_KEY_ENV,
        secrets=ctx.secrets,
        what=call.where,
        endpoint=str(response.request.url) if call.external else call.path,
    )


def _attempt_deadline(ctx: Context, call: Call[Any], *, stream: bool = False) -> Deadline:
    """An attempt's deadline: ``timeout`` (its read part), or the caller's time left when that
    is shorter."""
    seconds = ctx.settings.timeout.read
    left = call.time_left
    if left is not None and (seconds is None or left < seconds):
        seconds = left
    return Deadline(seconds, ctx.clock, stream=stream)


# -- retries ----------------------------------------------------------------------------------


def _not_acted_on(error: YEScaleError) -> bool:
    """Whether the service certainly did nothing with the request that failed."""
    return error.request_unsent or error.status_code in (408, 429)


def retry_delay(ctx: Context, call: Call[Any], attempt: int, error: YEScaleError) -> float:
    """How long to wait before sending ``call`` again after ``error``; raises it to give up."""
    if call.time_left is not None:
        raise error  # sent once: its caller polls again, or stops at its deadline
    retryable = ctx.retry.is_retryable(error)
    if not call.repeatable and retryable and not _not_acted_on(error):
        extend_message(
            error,
            f" The service may have accepted this {call.what} before the failure, so it is "
            "not sent again automatically (it could be billed twice). Check your recent tasks "
            "(client.system.tasks, or the YEScale dashboard) before submitting again.",
        )
        raise error
    delay = ctx.retry.delay_for(attempt, error)
    if delay is None:
        if attempt and retryable:
            # Say that retrying did not help, and which setting governs it.
            extend_message(
                error,
                f" (gave up after {attempt + 1} attempts; max_retries={ctx.retry.max_retries})",
            )
        raise error
    logger.info(
        "Retrying YEScale %s %s in %.2fs (attempt %d of %d): %s",
        call.method,
        call.path,
        delay,
        attempt + 1,
        ctx.retry.max_retries,
        type(error).__name__,
    )
    return delay


def _scrubbed(error: YEScaleError, secrets: SecretValues) -> YEScaleError:
    """``error`` with the configured keys removed from its message, whoever wrote it (a parser
    quoting the body, a decoder quoting an event): the last gate before the caller."""
    if secrets:
        clean = scrub(error.message, secrets)
        if clean != error.message:
            error.message = clean
            error.args = (clean,)
    return error


def _retrying(
    ctx: Context,
    call: Call[Any],
    attempt_op: Callable[[], Operation[T]],
    may_retry: Callable[[], bool] = lambda: True,
) -> Operation[T]:
    """Run attempts of ``attempt_op`` until one succeeds, the retry policy gives up, or
    ``may_retry`` says no (a stream that already handed out output).

    Before each attempt the call waits while its scope's shared cooldown holds it (another
    call's 429: :mod:`.cooldown`); that wait is not an attempt and costs no retry. Each 429 an
    attempt gets arms the cooldown for the calls not yet sent."""
    attempt = 0
    hold = CallHold(
        ctx.cooldowns,
        scope_of(ctx.settings, call),
        ctx.retry,
        where=call.where,
        time_left=call.time_left,
    )
    while True:
        while (held := hold.wait(ctx.clock())) > 0:
            yield Sleep(held)
        sent_at = ctx.clock()
        try:
            result = yield from attempt_op()
        except YEScaleError as error:
            hold.sent(sent_at, error)
            try:
                if not may_retry():
                    raise
                delay = retry_delay(ctx, call, attempt, error)
            except YEScaleError as final:
                hold.observed(final, ctx.clock(), None)
                raise _scrubbed(final, ctx.secrets) from final.__cause__
            hold.observed(error, ctx.clock(), delay)
        else:
            hold.sent(sent_at, None)
            return result
        yield Sleep(delay)
        attempt += 1


def _answer_body(ctx: Context, call: Call[Any], response: httpx.Response) -> Body:
    return Body(
        response,
        ctx.settings.max_response_bytes,
        f"YEScale {call.where}",
        "max_response_bytes",
    )


# -- operations -------------------------------------------------------------------------------


def send(ctx: Context, call: Call[T]) -> Operation[T]:
    """One API request: retried per the policy, the answer read under ``max_response_bytes``
    and the attempt deadline, checked for an error object, then parsed."""

    def attempt() -> Operation[T]:
        request = ctx.request(call)
        deadline = _attempt_deadline(ctx, call)
        response = yield from _open(ctx, call, request)
        if response.status_code >= 300:
            content = yield from _read_error_body(ctx, call, response, deadline)
            raise _status_error(ctx, call, response, content)
        content = yield from _read_body(
            ctx, call, response, deadline, _answer_body(ctx, call, response)
        )
        error = answer_error(content, secrets=ctx.secrets, what=call.where, endpoint=call.path)
        if error is not None:
            raise error
        return call.parse(content)

    return (yield from _retrying(ctx, call, attempt))


def stream(
    ctx: Context, call: Call[Any], decoder: Callable[[], StreamDecoder[Any]]
) -> Operation[None]:
    """A streamed request: chunks are emitted as their events arrive. Retried only until the
    first chunk was emitted; a failure after that is :class:`IncompleteStreamError`, never a
    silent truncation. The read timeout bounds the wait for each next event (keep-alives and
    partial events do not reset it; the caller's time between chunks does not count)."""
    started = False

    def attempt() -> Operation[None]:
        nonlocal started
        request = ctx.request(call)
        request.headers["Accept"] = "text/event-stream"
        idle = _attempt_deadline(ctx, call, stream=True)
        response = yield from _open(ctx, call, request)
        if response.status_code >= 300:
            content = yield from _read_error_body(ctx, call, response, idle)
            raise _status_error(ctx, call, response, content)
        if "text/event-stream" not in response.headers.get("content-type", ""):
            body = _answer_body(ctx, call, response)
            content = yield from _read_body(ctx, call, response, idle, body)
            raise _not_a_stream(ctx, call, response, content)
        inflater = Inflater(response.headers.get("content-encoding", ""), call.where)
        parser = EventParser(ctx.settings.max_response_bytes)
        dec = decoder()
        try:
            while data := (yield from _chunks(ctx, call, response, idle)):
                for piece in inflater.feed(data):
                    for event in parser.feed(piece):
                        chunk = dec.feed(event)
                        if chunk is not None:
                            started = True
                            yield Emit(chunk)
                            idle.restart()
                        elif dec.done:
                            yield Close(response)
                            return
            dec.finish()
        except YEScaleError as error:
            if started:
                raise _cut(error)  # noqa: B904 (_cut sets the cause)
            raise
        yield Close(response)

    return (yield from _retrying(ctx, call, attempt, lambda: not started))


def _not_a_stream(
    ctx: Context, call: Call[Any], response: httpx.Response, content: bytes
) -> YEScaleError:
    """The error for a success answer that is not an event stream."""
    error = answer_error(content, secrets=ctx.secrets, what=call.where, endpoint=call.path)
    if error is not None:
        return error
    shown = quote(content.decode("utf-8", errors="replace"), ctx.secrets, 200)
    kind = response.headers.get("content-type", "no content type")
    return incomplete_answer(
        f"streaming {call.what}", f"{kind!r} instead of an event stream: {shown}"
    )


def _cut(error: YEScaleError) -> YEScaleError:
    """A failure after output began: never retried, never a silent truncation."""
    if isinstance(error, APIConnectionError) and not isinstance(error, IncompleteStreamError):
        cut = IncompleteStreamError(
            f"The YEScale stream was cut after it had started ({error.message}). The partial "
            "answer was not returned as complete; retry the request."
        )
        cut.__cause__ = error
        return cut
    return error


def _describe(exc: BaseException) -> str:
    """What went wrong, from the exception's causes when it says nothing itself.

    Async transports raise a bare ``ReadError('')`` for a reset connection; the reason
    (``ConnectionResetError: [Errno 104] Connection reset by peer``) is a few causes down.
    """
    current: BaseException | None = exc
    for _ in range(8):
        if current is None:
            break
        if str(current):
            return str(current)
        current = current.__cause__ or current.__context__
    return type(exc).__name__
