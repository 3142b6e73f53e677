"""The fault matrix: every fault, every endpoint, sync and async, against a real local server.

Endpoints are the client's own methods: ``chat.create``, ``chat.stream``, ``embeddings.create``,
``images.generate``, ``media.submit``, ``media.get`` and ``media.download`` (and their ``aio``
twins), and the cost functions that read the System API: ``load_prices`` (the model catalog) and
``system.reconcile`` (the logs). Faults are what a gateway, a CDN or a network does on a bad
day: 429 with Retry-After, 500/502/503/504, a Cloudflare HTML page, a success status with a body
that is not JSON, a connection reset or closed before any answer, a body cut short, a server that
stalls past the read timeout, and for streams a cut mid-way and a trickle of keep-alives or bytes
that never ends.

Each case is either *survived* (retried, then the right answer) or *surfaced* as the documented
exception (its exact class), and every case checks: the requests the server saw (count, method,
path), the retry waits the client asked for (recorded, not slept: the client's ``sleep`` hooks),
a message that says what happened and what to do, no key in the message, nothing partial left on
disk or handed back as complete, and a total time under a generous bound.
"""

from __future__ import annotations

import asyncio
import dataclasses
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest

from yescale import (
    APIConnectionError,
    APITimeoutError,
    IncompleteStreamError,
    InternalServerError,
    InvalidResponseError,
    RateLimitError,
    YEScaleClient,
    YEScaleError,
)
from yescale.costs import CostTracker, aload_prices, load_prices, use_prices

from .conftest import (
    FaultServer,
    Step,
    hang_up,
    partial_body,
    reply,
    reply_json,
    reset,
    sse_complete,
    sse_paced,
    sse_then_cut,
    sse_trickle,
    stall,
)
from .gemini_embedding_calls import (
    BATCH_PATH,
    EMBED_BATCH,
    EMBED_ONE,
    EMBED_PATH,
    abatch_embed_contents,
    aembed_content,
    batch_embed_contents,
    check_batch_embed_contents,
    check_embed_content,
    embed_content,
)
from .messages_calls import MESSAGE, MESSAGES_PATH, amessage_create, check_message, message_create
from .support import (
    API_KEY,
    CLOUDFLARE_502,
    COMPLETION,
    DONE,
    EMBEDDING,
    IMAGES,
    MESSAGES,
    MODEL,
    PAYLOAD,
    RESULT_URL,
    SUBMITTED,
    SUCCEEDED,
    TASK_ID,
    AsyncSleeps,
    Sleeps,
    error_body,
    event,
)

#: Seconds of silence (or of events not arriving) before a read times out, in the stall cases.
READ = 0.3  # short, with room for a loaded CI machine to deliver the first event
NORMAL = httpx.Timeout(10.0)
#: A generous bound on the total time of one call, retries included.
BOUND = 8.0


_SSL_CONTEXT = httpx.create_ssl_context()


@pytest.fixture(autouse=True)
def _one_ssl_context(monkeypatch: pytest.MonkeyPatch) -> None:
    """Speed only: each case builds a fresh client, and each httpx pool loads the CA bundle
    (~25 ms) for TLS that plain http to 127.0.0.1 never uses. Share one context instead."""
    monkeypatch.setattr(
        httpx._transports.default,
        "create_ssl_context",
        lambda *args, **kwargs: _SSL_CONTEXT,
        raising=False,
    )


# -- endpoints ----------------------------------------------------------------------------------


@dataclass
class Ctx:
    """What a call needs besides the client: the server's URL, a folder, the stream output."""

    url: str
    folder: Path
    got: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Endpoint:
    name: str
    kind: str  # "json" (one JSON answer), "stream" (SSE) or "download" (bytes to a file)
    what: str  # how the client's messages name the request
    method: str
    path: str
    ok: Step  # a good answer
    call: Callable[[YEScaleClient, Ctx], Any]
    acall: Callable[[YEScaleClient, Ctx], Awaitable[Any]]
    check: Callable[[Any, Ctx], None]  # asserts a good result
    key: str = API_KEY  # the key the request must carry (the System API takes the access key)
    key_header: str = "authorization"  # where (Gemini's /v1beta: x-goog-api-key, the key alone)

    @property
    def key_value(self) -> str:
        return f"Bearer {self.key}" if self.key_header == "authorization" else self.key


def _chat(client: YEScaleClient, ctx: Ctx) -> Any:
    return client.chat.create(model=MODEL, messages=MESSAGES)


async def _achat(client: YEScaleClient, ctx: Ctx) -> Any:
    return await client.aio.chat.create(model=MODEL, messages=MESSAGES)


def _check_chat(result: Any, ctx: Ctx) -> None:
    assert result.choices[0].message.content == "Hello!"
    assert result.usage.total_tokens == 5


def _stream(client: YEScaleClient, ctx: Ctx) -> str:
    for chunk in client.chat.stream(model=MODEL, messages=MESSAGES):
        ctx.got.append(chunk.choices[0].delta.content or "")
    return "".join(ctx.got)


async def _astream(client: YEScaleClient, ctx: Ctx) -> str:
    async for chunk in client.aio.chat.stream(model=MODEL, messages=MESSAGES):
        ctx.got.append(chunk.choices[0].delta.content or "")
    return "".join(ctx.got)


def _check_stream(result: Any, ctx: Ctx) -> None:
    assert result == "Hello"
    assert ctx.got == ["Hel", "lo"]  # each piece once: nothing repeated by a retry


def _embed(client: YEScaleClient, ctx: Ctx) -> Any:
    return client.embeddings.create(model="text-embedding-3-small", input=["a"])


async def _aembed(client: YEScaleClient, ctx: Ctx) -> Any:
    return await client.aio.embeddings.create(model="text-embedding-3-small", input=["a"])


def _check_embed(result: Any, ctx: Ctx) -> None:
    assert result.vectors() == [[0.25, -0.5]]


def _image(client: YEScaleClient, ctx: Ctx) -> Any:
    return client.images.generate(prompt="a red fox", model="gpt-image-1")


async def _aimage(client: YEScaleClient, ctx: Ctx) -> Any:
    return await client.aio.images.generate(prompt="a red fox", model="gpt-image-1")


def _check_image(result: Any, ctx: Ctx) -> None:
    assert [d.url for d in result.data] == ["https://cdn.example.com/i/fox.png"]


def _submit(client: YEScaleClient, ctx: Ctx) -> Any:
    return client.media.submit(model="sora-2", prompt="a cat surfing")


async def _asubmit(client: YEScaleClient, ctx: Ctx) -> Any:
    return await client.aio.media.submit(model="sora-2", prompt="a cat surfing")


def _check_submit(result: Any, ctx: Ctx) -> None:
    assert (result.task_id, result.status) == (TASK_ID, "SUBMITTED")


def _get(client: YEScaleClient, ctx: Ctx) -> Any:
    return client.media.get(TASK_ID)


async def _aget(client: YEScaleClient, ctx: Ctx) -> Any:
    return await client.aio.media.get(TASK_ID)


def _check_get(result: Any, ctx: Ctx) -> None:
    assert (result.task_id, result.state, result.url) == (TASK_ID, "succeeded", RESULT_URL)


def _download(client: YEScaleClient, ctx: Ctx) -> Any:
    return client.media.download(f"{ctx.url}/files/clip.mp4", ctx.folder)


async def _adownload(client: YEScaleClient, ctx: Ctx) -> Any:
    return await client.aio.media.download(f"{ctx.url}/files/clip.mp4", ctx.folder)


def _check_download(result: Any, ctx: Ctx) -> None:
    assert result == ctx.folder / "clip.mp4"
    assert result.read_bytes() == PAYLOAD


#: One catalog entry in the documented shape (system-api.txt, 3.5), and one consumption log row.
CATALOG = {"data": [{"model_name": MODEL, "input_price": 0.15, "output_price": 0.6}]}
LOGS = {"data": [{"model_name": MODEL, "quota": 40, "type": 2, "created_at": 5}], "success": True}
ACCESS_KEY = "sk-access-fault-matrix-0123456789abcdef"


def _prices(client: YEScaleClient, ctx: Ctx) -> Any:
    try:
        return load_prices(client, refresh=True)
    finally:
        use_prices(None)


async def _aprices(client: YEScaleClient, ctx: Ctx) -> Any:
    try:
        return await aload_prices(client, refresh=True)
    finally:
        use_prices(None)


def _check_prices(result: Any, ctx: Ctx) -> None:
    price = result.price(MODEL)
    assert (price.input_per_mtok, price.output_per_mtok) == (0.15, 0.6)


def _reconcile(client: YEScaleClient, ctx: Ctx) -> Any:
    return client.system.reconcile(CostTracker(), start_timestamp=0, end_timestamp=10)


async def _areconcile(client: YEScaleClient, ctx: Ctx) -> Any:
    return await client.aio.system.reconcile(CostTracker(), start_timestamp=0, end_timestamp=10)


def _check_reconcile(result: Any, ctx: Ctx) -> None:
    assert result.other_models[MODEL].charged_usd == 40 / 500_000


ENDPOINTS = [
    Endpoint(
        "chat",
        "json",
        "chat completion",
        "POST",
        "/v1/chat/completions",
        reply_json(200, COMPLETION),
        _chat,
        _achat,
        _check_chat,
    ),
    Endpoint(
        "chat-stream",
        "stream",
        "chat completion",
        "POST",
        "/v1/chat/completions",
        sse_complete([b": ping\n\n", event("Hel"), event("lo"), DONE]),
        _stream,
        _astream,
        _check_stream,
    ),
    Endpoint(
        "embeddings",
        "json",
        "embeddings request",
        "POST",
        "/v1/embeddings",
        reply_json(200, EMBEDDING),
        _embed,
        _aembed,
        _check_embed,
    ),
    Endpoint(
        "gemini-embed-content",
        "json",
        "gemini embedcontent",
        "POST",
        EMBED_PATH,
        reply_json(200, EMBED_ONE),
        embed_content,
        aembed_content,
        check_embed_content,
        key_header="x-goog-api-key",
    ),
    Endpoint(
        "gemini-batch-embed-contents",
        "json",
        "gemini batchembedcontents",
        "POST",
        BATCH_PATH,
        reply_json(200, EMBED_BATCH),
        batch_embed_contents,
        abatch_embed_contents,
        check_batch_embed_contents,
        key_header="x-goog-api-key",
    ),
    Endpoint(
        "claude-messages",
        "json",
        "claude message",
        "POST",
        MESSAGES_PATH,
        reply_json(200, MESSAGE),
        message_create,
        amessage_create,
        check_message,
    ),
    Endpoint(
        "images",
        "json",
        "image generation",
        "POST",
        "/v1/images/generations",
        reply_json(200, IMAGES),
        _image,
        _aimage,
        _check_image,
    ),
    Endpoint(
        "media-submit",
        "json",
        "media task submit",
        "POST",
        "/task/submit",
        reply_json(200, SUBMITTED),
        _submit,
        _asubmit,
        _check_submit,
    ),
    Endpoint(
        "media-poll",
        "json",
        "media task poll",
        "GET",
        f"/task/{TASK_ID}",
        reply_json(200, SUCCEEDED),
        _get,
        _aget,
        _check_get,
    ),
    Endpoint(
        "media-download",
        "download",
        "download",
        "GET",
        "/files/clip.mp4",
        reply(200, PAYLOAD, {"Content-Type": "video/mp4"}),
        _download,
        _adownload,
        _check_download,
    ),
    Endpoint(
        "catalog",
        "json",
        "models",
        "GET",
        "/yescale/models",
        reply_json(200, CATALOG),
        _prices,
        _aprices,
        _check_prices,
        key=ACCESS_KEY,
    ),
    Endpoint(
        "logs",
        "json",
        "logs",
        "GET",
        "/yescale/logs",
        reply_json(200, LOGS),
        _reconcile,
        _areconcile,
        _check_reconcile,
        key=ACCESS_KEY,
    ),
]


# -- faults -------------------------------------------------------------------------------------

ALL = frozenset({"json", "stream", "download"})
JSON = frozenset({"json"})
STREAM = frozenset({"stream"})
DOWNLOAD = frozenset({"download"})


@dataclass(frozen=True)
class Fault:
    name: str
    steps: Callable[[Step], list[Step]]  # the server's script, given the endpoint's good answer
    kinds: frozenset[str]
    requests: int  # requests the server must see
    error: type[YEScaleError] | None = None  # None: survived; else the exact class raised
    says: tuple[str, ...] = ()  # in the message (case-insensitive): what happened, what to do
    never_says: tuple[str, ...] = ()
    names_request: bool = True  # the message names the request (e.g. "chat completion")
    sleeps: tuple[float, ...] | None = None  # the exact retry waits, when not jittered
    partial: tuple[str, ...] = ()  # stream output seen before the error
    read: float | None = None  # a short read timeout (seconds) for the stall cases
    max_retries: int = 2

    @property
    def survived(self) -> bool:
        return self.error is None

    @property
    def retried_in_vain(self) -> bool:
        """Surfaced after retries: the message must say so."""
        return self.error is not None and self.requests > 1

    @property
    def timeout(self) -> httpx.Timeout:
        return NORMAL if self.read is None else httpx.Timeout(5.0, read=self.read)


def _then_ok(first: Step) -> Callable[[Step], list[Step]]:
    return lambda ok: [first, ok]


def _always(step: Step) -> Callable[[Step], list[Step]]:
    return lambda ok: [step]


_AFTER_429 = ("HTTP 429", "Too many requests", "retry after the wait")
_RETRY_AFTER_1 = {"Retry-After": "1"}
_HTML = {"Content-Type": "text/html; charset=UTF-8"}
_REACH = ("Check the network",)
_TIMED_OUT = ("timed out", "ReadTimeout", "Raise `timeout`")
_BODY_CUT = partial_body(b'{"id": "chatcmpl-1", "choi', 4000)

FAULTS: list[Fault] = [
    Fault(
        "429-retry-after-then-ok",
        _then_ok(reply_json(429, error_body("Too many requests"), _RETRY_AFTER_1)),
        ALL,
        requests=2,
        sleeps=(1.0,),
    ),
    Fault(
        "429-retry-after-0-then-ok",
        _then_ok(reply_json(429, error_body("Too many requests"), {"Retry-After": "0"})),
        ALL,
        requests=2,
        sleeps=(0.0,),
    ),
    Fault(
        "429-persistent",
        _always(reply_json(429, error_body("Too many requests"), _RETRY_AFTER_1)),
        ALL,
        requests=3,
        error=RateLimitError,
        says=_AFTER_429,
        sleeps=(1.0, 1.0),
    ),
    *(
        fault
        for status in (500, 502, 503, 504)
        for fault in (
            Fault(
                f"{status}-then-ok",
                _then_ok(reply_json(status, error_body(f"upstream {status}"))),
                ALL,
                requests=2,
            ),
            Fault(
                f"{status}-persistent",
                _always(reply_json(status, error_body(f"upstream {status}"))),
                ALL,
                requests=3,
                error=InternalServerError,
                says=(f"HTTP {status}", f"upstream {status}", "usually temporary"),
            ),
        )
    ),
    Fault(
        "html-error-page-then-ok",
        _then_ok(reply(502, CLOUDFLARE_502, _HTML)),
        ALL,
        requests=2,
    ),
    Fault(
        "html-error-page-persistent",
        _always(reply(502, CLOUDFLARE_502, _HTML)),
        ALL,
        requests=3,
        error=InternalServerError,
        says=("HTTP 502", "HTML page", "api.yescale.io | 502: Bad gateway", "usually temporary"),
        never_says=("<", "margin", "Ray ID"),
    ),
    Fault(
        "non-json-200",
        _always(reply(200, b"Hello, I am not JSON", {"Content-Type": "text/plain"})),
        JSON,
        requests=1,
        error=InvalidResponseError,
        says=("success status", "not JSON", "Hello, I am not JSON", "retry, or check base_url"),
        names_request=False,
    ),
    Fault(
        "html-200",
        _always(reply(200, b"<html><body>Sign in</body></html>", {"Content-Type": "text/html"})),
        JSON,
        requests=1,
        error=InvalidResponseError,
        says=("success status", "HTML page", "retry, or check base_url"),
        names_request=False,
    ),
    Fault(
        "non-sse-200",
        _always(reply(200, b"Hello, I am not JSON", {"Content-Type": "text/plain"})),
        STREAM,
        requests=1,
        error=InvalidResponseError,
        says=("instead of an event stream", "Hello, I am not JSON", "retry, or check base_url"),
    ),
    Fault("reset-then-ok", _then_ok(reset), ALL, requests=2),
    Fault(
        "reset-persistent",
        _always(reset),
        ALL,
        requests=3,
        error=APIConnectionError,
        says=(*_REACH, "Connection reset by peer"),
    ),
    Fault("closed-without-answer-then-ok", _then_ok(hang_up), ALL, requests=2),
    Fault(
        "closed-without-answer-persistent",
        _always(hang_up),
        ALL,
        requests=3,
        error=APIConnectionError,
        says=(*_REACH, "without sending a response"),
    ),
    Fault("body-cut-then-ok", _then_ok(_BODY_CUT), JSON, requests=2),
    Fault(
        "body-cut-persistent",
        _always(_BODY_CUT),
        JSON,
        requests=3,
        error=APIConnectionError,
        says=("peer closed connection", "Check the network"),
    ),
    Fault(
        "stall-then-ok",
        _then_ok(stall(3.0)),
        ALL,
        requests=2,
        read=READ,
    ),
    Fault(
        "stall-persistent",
        _always(stall(3.0)),
        ALL,
        requests=2,
        error=APITimeoutError,
        says=_TIMED_OUT,
        read=READ,
        max_retries=1,
    ),
    # -- streams
    Fault(
        "stream-cut-before-first-event-then-ok",
        _then_ok(sse_then_cut([b": ping\n\n"])),
        STREAM,
        requests=2,
    ),
    Fault(
        "stream-cut-mid-way",
        _then_ok(sse_then_cut([event("Hel"), event("lo")])),
        STREAM,
        requests=1,  # never retried after its first event: nothing is repeated
        error=IncompleteStreamError,
        says=("cut after it had started", "not returned as complete", "retry the request"),
        sleeps=(),
        partial=("Hel", "lo"),
    ),
    Fault(
        "stream-ends-without-terminator",
        _then_ok(sse_then_cut([event("Hel"), event("lo")], chunked=False)),
        STREAM,
        requests=1,
        error=IncompleteStreamError,
        says=("without its terminator", "incomplete and was not returned", "retry the request"),
        names_request=False,
        sleeps=(),
        partial=("Hel", "lo"),
    ),
    Fault(
        "stream-trickles-keep-alives-forever",
        _always(sse_trickle()),
        STREAM,
        requests=2,  # nothing was output yet, so it is retried once, then reported
        error=APITimeoutError,
        # our own deadline, not httpx's ReadTimeout: no read was ever silent for long enough
        says=("timed out", "Raise `timeout`", "no event for", "only keep-alives"),
        read=READ,
        max_retries=1,
    ),
    Fault(
        "stream-trickles-bytes-forever",
        _always(sse_trickle(piece=b"x")),
        STREAM,
        requests=2,
        error=APITimeoutError,
        says=("timed out", "Raise `timeout`", "no event for"),
        read=READ,
        max_retries=1,
    ),
    Fault(
        "stream-trickles-after-first-event",
        _always(sse_trickle([event("Hel")])),
        STREAM,
        requests=1,
        error=IncompleteStreamError,
        says=("cut after it had started", "timed out", "no event for", "retry the request"),
        sleeps=(),
        partial=("Hel",),
        read=READ,
    ),
    Fault(
        "stream-stalls-after-first-event",
        _always(sse_then_cut([event("Hel")], stall_after=3.0)),
        STREAM,
        requests=1,
        error=IncompleteStreamError,
        says=("cut after it had started", "timed out", "retry the request"),
        sleeps=(),
        partial=("Hel",),
        read=READ,
    ),
    # -- downloads
    Fault(
        "download-cut-mid-body-then-ok",
        _then_ok(partial_body(PAYLOAD[:5000], len(PAYLOAD), "video/mp4")),
        DOWNLOAD,
        requests=2,
    ),
    Fault(
        "download-cut-mid-body-persistent",
        _always(partial_body(PAYLOAD[:5000], len(PAYLOAD), "video/mp4")),
        DOWNLOAD,
        requests=3,
        error=APIConnectionError,
        says=("download", "peer closed connection", "received 5000 bytes", "Check the network"),
    ),
    Fault(
        "download-web-page-200",
        _always(
            reply(200, b"<html><body>Link expired</body></html>", {"Content-Type": "text/html"})
        ),
        DOWNLOAD,
        requests=1,
        error=InvalidResponseError,
        says=("answered with a web page", "nothing was saved", "fresh result link"),
        names_request=False,
    ),
]

#: The class a fault surfaces as when it is not retried, by the fault's family.
_SURFACES_AS: dict[str, type[YEScaleError]] = {
    **{f"{status}-": InternalServerError for status in (500, 502, 503, 504)},
    "html-error-page-": InternalServerError,
    "reset-": APIConnectionError,
    "closed-without-answer-": APIConnectionError,
    "body-cut-": APIConnectionError,
    "stall-": APITimeoutError,
}


def for_endpoint(fault: Fault, endpoint: Endpoint) -> Fault:
    """The fault as a media task submit meets it: never repeated once the service may have it.

    A submit that reached the service (a 5xx, a reset, a stall...) may have created a paid task;
    sending it again could create a second one. So it surfaces after one request, saying so.
    Failures that show nothing was done (429, no connection) are retried as everywhere.
    """
    if endpoint.name != "media-submit":
        return fault
    family = next((f for f in _SURFACES_AS if fault.name.startswith(f)), None)
    if family is None:
        return fault
    return dataclasses.replace(
        fault,
        requests=1,
        error=_SURFACES_AS[family],
        says=("may have accepted this media task submit", "not sent again", "client.system.tasks"),
        never_says=(),
        sleeps=(),
    )


CASES = [
    pytest.param(for_endpoint(fault, endpoint), endpoint, id=f"{endpoint.name}-{fault.name}")
    for endpoint in ENDPOINTS
    for fault in FAULTS
    if endpoint.kind in fault.kinds
]


# -- the test -----------------------------------------------------------------------------------


def credentials(headers: Any) -> list[str]:
    return [name for name in ("authorization", "x-goog-api-key") if name in headers]


def _run(
    fault: Fault, endpoint: Endpoint, mode: str, ctx: Ctx, sleeps: Sleeps, asleeps: AsyncSleeps
) -> Any:
    def client() -> YEScaleClient:
        return YEScaleClient(
            api_key=API_KEY,
            base_url=ctx.url,
            access_key=ACCESS_KEY,
            system_base_url=ctx.url,
            timeout=fault.timeout,
            max_retries=fault.max_retries,
            sleep=sleeps,
            async_sleep=asleeps,
        )

    if mode == "sync":
        with client() as c:
            return endpoint.call(c, ctx)

    async def go() -> Any:
        c = client()
        try:
            return await endpoint.acall(c, ctx)
        finally:
            await c.aclose()

    return asyncio.run(go())


@pytest.mark.parametrize("mode", ["sync", "async"])
@pytest.mark.parametrize(("fault", "endpoint"), CASES)
def test_fault(
    fault_server: FaultServer, tmp_path: Path, fault: Fault, endpoint: Endpoint, mode: str
) -> None:
    fault_server.script(*fault.steps(endpoint.ok))
    ctx = Ctx(fault_server.url, tmp_path)
    sleeps, asleeps = Sleeps(), AsyncSleeps()

    started = time.monotonic()
    error: YEScaleError | None = None
    result: Any = None
    try:
        result = _run(fault, endpoint, mode, ctx, sleeps, asleeps)
    except YEScaleError as exc:
        error = exc
    elapsed = time.monotonic() - started

    # the outcome: survived with the right answer, or the documented exception, exactly
    if fault.survived:
        assert error is None, f"expected to survive, got {type(error).__name__}: {error}"
        endpoint.check(result, ctx)
    else:
        assert type(error) is fault.error, f"got {type(error).__name__}: {error}"
        assert error is not None
        message = str(error).lower()
        for text in fault.says:
            assert text.lower() in message, f"{text!r} not in {str(error)!r}"
        for text in fault.never_says:
            assert text.lower() not in message, f"{text!r} in {str(error)!r}"
        if fault.names_request:
            assert endpoint.what in message
        if fault.retried_in_vain:
            retries = f"gave up after {fault.requests} attempts; max_retries={fault.max_retries}"
            assert retries in message
        if isinstance(error, APIConnectionError):  # no answer: say where to look
            if endpoint.kind == "download":  # a result host: base_url has nothing to do with it
                assert "base_url" not in message
                assert "retry" in message
            elif not isinstance(error, (APITimeoutError, IncompleteStreamError)):
                assert "could not reach yescale" in message
                assert "base_url" in message
        for key in (API_KEY, ACCESS_KEY):
            assert key not in str(error)
            assert key not in repr(error)
        if isinstance(error, IncompleteStreamError) and fault.read is not None:
            assert isinstance(error.__cause__, APITimeoutError)

    # what the server saw: how many requests, all the same request
    fault_server.count_when_settled(fault.requests)  # a request timed out may arrive late
    seen = fault_server.seen
    assert len(seen) == fault.requests
    assert {(s.method, s.path.split("?")[0]) for s in seen} == {(endpoint.method, endpoint.path)}
    if endpoint.kind == "download":
        assert all("authorization" not in s.headers for s in seen)  # the key never goes to a CDN
    else:
        assert all(s.headers.get(endpoint.key_header) == endpoint.key_value for s in seen)
        assert all(len(credentials(s.headers)) == 1 for s in seen)  # one header carries the key
    if endpoint.kind == "stream":
        assert all(s.headers["accept"] == "text/event-stream" for s in seen)
        assert all(s.json()["stream"] is True for s in seen)
    elif endpoint.method == "POST":
        assert len({s.body for s in seen}) == 1  # a retry resends the same body

    # the waits the client asked for between attempts (recorded by the hooks, never slept)
    waits = sleeps if mode == "sync" else asleeps
    assert (sleeps if mode == "async" else asleeps) == []
    if fault.sleeps is not None:  # what the service asked for, plus at most a quarter more
        assert len(waits) == len(fault.sleeps)
        assert all(s <= w <= s * 1.25 for w, s in zip(waits, fault.sleeps, strict=True))
    else:
        assert len(waits) == fault.requests - 1
        assert all(0.0 <= w <= 8.0 for w in waits)

    # nothing handed back as complete, nothing partial left on disk
    if endpoint.kind == "stream" and not fault.survived:
        assert ctx.got == list(fault.partial)
    if endpoint.kind == "download":
        names = sorted(p.name for p in tmp_path.iterdir())
        assert names == (["clip.mp4"] if fault.survived else [])

    assert elapsed < BOUND, f"took {elapsed:.1f}s"


def test_matrix_covers_every_endpoint_both_ways() -> None:
    """The matrix is what the README's table claims: every endpoint meets every fault it can."""
    per_endpoint: dict[str, set[str]] = {e.name: set() for e in ENDPOINTS}
    for case in CASES:
        fault, endpoint = case.values
        assert isinstance(fault, Fault)
        assert isinstance(endpoint, Endpoint)
        per_endpoint[endpoint.name].add(fault.name)
    common = {
        "429-retry-after-then-ok",
        "429-persistent",
        *(f"{s}-{w}" for s in (500, 502, 503, 504) for w in ("then-ok", "persistent")),
        "html-error-page-then-ok",
        "html-error-page-persistent",
        "reset-then-ok",
        "reset-persistent",
        "stall-then-ok",
        "stall-persistent",
    }
    for name, faults in per_endpoint.items():
        assert common <= faults, f"{name} misses {common - faults}"
    assert {"stream-cut-mid-way", "stream-trickles-keep-alives-forever"} <= per_endpoint[
        "chat-stream"
    ]
    assert "non-json-200" in per_endpoint["chat"]
    assert "download-cut-mid-body-persistent" in per_endpoint["media-download"]


# -- the stream idle bound: between events, not per stream, and not the caller's time -----------


@pytest.mark.parametrize("mode", ["sync", "async"])
def test_slow_stream_longer_than_the_read_timeout_completes(
    fault_server: FaultServer, mode: str
) -> None:
    """Events 0.05 s apart, ~0.6 s in all, with a 0.15 s read timeout: each gap is within the
    bound, so the stream completes. The bound is on the wait between events, not the stream."""
    read = 0.15
    pieces = [str(i) for i in range(12)]
    fault_server.script(sse_paced([*(event(p) for p in pieces), DONE], every=0.05))
    ctx = Ctx(fault_server.url, Path("."))
    fault = Fault("paced", _always(reply(200)), STREAM, requests=1, read=read, max_retries=0)
    started = time.monotonic()
    result = _run(fault, ENDPOINTS[1], mode, ctx, Sleeps(), AsyncSleeps())
    assert result == "".join(pieces)
    assert time.monotonic() - started > 2 * read  # the stream outlived the read timeout
    assert fault_server.count == 1


def test_a_slow_caller_does_not_time_the_stream_out(fault_server: FaultServer) -> None:
    """Time the caller spends between chunks is not the server's silence."""
    fault_server.script(sse_complete([event("Hel"), event("lo"), DONE]))
    got: list[str] = []
    with YEScaleClient(
        api_key=API_KEY, base_url=fault_server.url, timeout=httpx.Timeout(5.0, read=READ)
    ) as client:
        for chunk in client.chat.stream(model=MODEL, messages=MESSAGES):
            got.append(chunk.choices[0].delta.content or "")
            time.sleep(2 * READ)
    assert got == ["Hel", "lo"]
    assert fault_server.count == 1


async def test_a_slow_async_caller_does_not_time_the_stream_out(fault_server: FaultServer) -> None:
    fault_server.script(sse_complete([event("Hel"), event("lo"), DONE]))
    got: list[str] = []
    client = YEScaleClient(
        api_key=API_KEY, base_url=fault_server.url, timeout=httpx.Timeout(5.0, read=READ)
    )
    try:
        async for chunk in client.aio.chat.stream(model=MODEL, messages=MESSAGES):
            got.append(chunk.choices[0].delta.content or "")
            await asyncio.sleep(2 * READ)
    finally:
        await client.aclose()
    assert got == ["Hel", "lo"]
    assert fault_server.count == 1


def test_no_read_timeout_means_no_idle_bound(fault_server: FaultServer) -> None:
    """``read=None`` disables the bound, as it disables httpx's own read timeout."""
    fault_server.script(sse_paced([event("Hel"), DONE], every=0.3))
    got: list[str] = []
    with YEScaleClient(
        api_key=API_KEY, base_url=fault_server.url, timeout=httpx.Timeout(5.0, read=None)
    ) as client:
        for chunk in client.chat.stream(model=MODEL, messages=MESSAGES):
            got.append(chunk.choices[0].delta.content or "")
    assert got == ["Hel"]
