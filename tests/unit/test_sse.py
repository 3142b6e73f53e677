"""SSE decoding over MockTransport bodies delivered in split chunks (OpenAI and Gemini dialects)."""

from __future__ import annotations

import itertools
import json
from collections.abc import AsyncIterable, Iterable
from typing import Any

import httpx
import pytest

from yescale import (
    AuthenticationError,
    BadRequestError,
    IncompleteStreamError,
    InsufficientQuotaError,
    InternalServerError,
    InvalidResponseError,
    RateLimitError,
)
from yescale.types.chat import ChatCompletionChunk

from .conftest import (
    API_KEY,
    MESSAGES,
    AsyncSleeps,
    ChunkStream,
    Recorder,
    Sleeps,
    chunk_event,
    json_response,
    make_client,
    sse_response,
)

DONE = b"data: [DONE]\n\n"
TEXTS = ["Xin chào ", "👋 thế giới", " — 世界!"]
BODY = b"".join(chunk_event(t) for t in TEXTS) + DONE


def split_at(body: bytes, positions: Iterable[int]) -> list[bytes]:
    cuts = [0, *sorted(positions), len(body)]
    return [body[a:b] for a, b in itertools.pairwise(cuts) if b > a]


def text_of(chunks: Iterable[ChatCompletionChunk]) -> str:
    return "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)


def chat_stream(client: Any, **params: Any) -> list[ChatCompletionChunk]:
    return list(client.chat.stream(model="gpt-4o-mini", messages=MESSAGES, **params))


async def achat_stream(client: Any, **params: Any) -> list[ChatCompletionChunk]:
    stream = client.aio.chat.stream(model="gpt-4o-mini", messages=MESSAGES, **params)
    return [chunk async for chunk in stream]


async def adrain(chunks: AsyncIterable[ChatCompletionChunk], into: list[Any]) -> None:
    async for chunk in chunks:
        into.append(chunk)


def gemini_event(text: str, finish: str | None = None, usage: bool = False) -> bytes:
    candidate: dict[str, Any] = {"content": {"role": "model", "parts": [{"text": text}]}}
    if finish:
        candidate["finishReason"] = finish
    body: dict[str, Any] = {"candidates": [candidate], "modelVersion": "gemini-2.5-flash"}
    if usage:
        body["usageMetadata"] = {"promptTokenCount": 2, "totalTokenCount": 5}
    return f"data: {json.dumps(body, ensure_ascii=False)}\r\n\r\n".encode()


def cut_points_inside_multibyte(body: bytes) -> list[int]:
    """Positions that fall inside a multi-byte UTF-8 character."""
    return [i for i in range(1, len(body)) if 0x80 <= body[i] < 0xC0]


# -- splitting ----------------------------------------------------------------------------------


def test_split_inside_data_lines_and_multibyte_characters() -> None:
    inside_char = cut_points_inside_multibyte(BODY)
    assert inside_char, "the body must hold multi-byte characters"
    data_prefix = BODY.index(b"data:", 10) + 2  # "da|ta:" of the second event
    mid_json = BODY.index(b'"content"') + 4
    positions = [data_prefix, mid_json, inside_char[0], inside_char[len(inside_char) // 2]]
    chunks = split_at(BODY, positions)
    # sanity: at least one chunk cannot be decoded alone
    assert any(_undecodable(c) for c in chunks)
    handler = Recorder(sse_response(chunks))
    out = chat_stream(make_client(handler))
    assert text_of(out) == "".join(TEXTS)
    assert len(out) == 3
    assert handler.calls == 1


def _undecodable(chunk: bytes) -> bool:
    try:
        chunk.decode("utf-8")
    except UnicodeDecodeError:
        return True
    return False


def test_one_byte_chunks() -> None:
    handler = Recorder(sse_response([bytes([b]) for b in BODY]))
    out = chat_stream(make_client(handler))
    assert text_of(out) == "".join(TEXTS)


def test_content_iterator_as_plain_iter() -> None:
    chunks = split_at(BODY, range(7, len(BODY), 13))

    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(
            200, headers={"content-type": "text/event-stream"}, content=iter(chunks)
        )

    assert text_of(chat_stream(make_client(handler))) == "".join(TEXTS)


def test_crlf_line_endings_split_between_cr_and_lf() -> None:
    body = BODY.replace(b"\n", b"\r\n")
    cut = body.index(b"\r\n") + 1  # between \r and \n
    handler = Recorder(sse_response(split_at(body, [cut])))
    assert text_of(chat_stream(make_client(handler))) == "".join(TEXTS)


def test_request_shape() -> None:
    handler = Recorder(sse_response([BODY]))
    chat_stream(make_client(handler), temperature=0.2)
    request = handler.requests[0]
    assert request.url == "https://api.yescale.io/v1/chat/completions"
    assert request.headers["accept"] == "text/event-stream"
    assert request.headers["authorization"] == f"Bearer {API_KEY}"
    body = json.loads(request.content)
    assert body["stream"] is True
    assert body["stream_options"] == {"include_usage": True}
    assert body["temperature"] == 0.2


# -- terminators --------------------------------------------------------------------------------


def test_done_ends_the_stream_and_later_events_are_ignored() -> None:
    body = chunk_event("a") + DONE + chunk_event("never seen")
    stream = ChunkStream([body])
    handler = Recorder(
        httpx.Response(200, headers={"content-type": "text/event-stream"}, stream=stream)
    )
    out = chat_stream(make_client(handler))
    assert text_of(out) == "a"
    assert stream.closed >= 1


def test_usage_chunk_before_done() -> None:
    usage = {"prompt_tokens": 3, "completion_tokens": 4, "total_tokens": 7}
    body = chunk_event("hi") + chunk_event("", usage=usage) + DONE
    out = chat_stream(make_client(Recorder(sse_response([body]))))
    assert out[-1].usage is not None
    assert out[-1].usage.total_tokens == 7


def test_missing_done_after_output_raises_without_retry(sleeps: Sleeps) -> None:
    handler = Recorder(sse_response([chunk_event("partial ")]))
    got: list[ChatCompletionChunk] = []
    with pytest.raises(IncompleteStreamError, match=r"\[DONE\]"):
        got.extend(
            make_client(handler, sleep=sleeps).chat.stream(model="gpt-4o-mini", messages=MESSAGES)
        )
    assert text_of(got) == "partial "
    assert handler.calls == 1
    assert sleeps == []


def test_empty_stream_is_retried_then_raises(sleeps: Sleeps) -> None:
    handler = Recorder(sse_response([b": ping\n\n"]))
    with pytest.raises(IncompleteStreamError):
        chat_stream(make_client(handler, sleep=sleeps, max_retries=2))
    assert handler.calls == 3
    assert len(sleeps) == 2


def test_keep_alive_comments_ignored() -> None:
    body = (
        b": ping\n\n"
        + chunk_event("a")
        + b": keep-alive\n: another\n\n"
        + b"data:\n\n"
        + b"event: ping\ndata: \n\n"
        + chunk_event("b")
        + b": ping\n\n"
        + DONE
    )
    out = chat_stream(make_client(Recorder(sse_response(split_at(body, [3, 40, 90])))))
    assert text_of(out) == "ab"
    assert len(out) == 2


def test_gemini_stream_completes_with_finish_reason() -> None:
    body = gemini_event("Hel") + gemini_event("lo ✨") + gemini_event("!", "STOP", usage=True)
    chunks = split_at(body, [5, *cut_points_inside_multibyte(body)[:1], len(body) - 9])
    handler = Recorder(sse_response(chunks))
    client = make_client(handler)
    out = list(client.gemini.stream_generate_content(model="gemini-2.5-flash", contents="Hi"))
    assert "".join(c.text for c in out) == "Hello ✨!"
    assert out[-1].finished
    assert out[-1].usage_metadata is not None
    request = handler.requests[0]
    assert request.url.path == "/v1beta/models/gemini-2.5-flash:streamGenerateContent"
    assert request.url.params["alt"] == "sse"
    assert request.headers["x-goog-api-key"] == API_KEY
    assert "authorization" not in request.headers


def test_gemini_stream_without_finish_reason_raises(sleeps: Sleeps) -> None:
    handler = Recorder(sse_response([gemini_event("Hel"), gemini_event("lo")]))
    client = make_client(handler, sleep=sleeps)
    got = []
    with pytest.raises(IncompleteStreamError, match="finishReason"):
        got.extend(
            c.text
            for c in client.gemini.stream_generate_content(model="gemini-2.5-flash", contents="Hi")
        )
    assert got == ["Hel", "lo"]
    assert handler.calls == 1


def test_gemini_blocked_prompt_completes() -> None:
    body = b'data: {"promptFeedback": {"blockReason": "SAFETY"}}\n\n'
    client = make_client(Recorder(sse_response([body])))
    out = list(client.gemini.stream_generate_content(model="gemini-2.5-flash", contents="Hi"))
    assert out[0].prompt_feedback is not None
    assert out[0].prompt_feedback.block_reason == "SAFETY"


# -- errors -------------------------------------------------------------------------------------


def test_error_event_mid_stream_raises_mapped_error(sleeps: Sleeps) -> None:
    error = {"error": {"message": "upstream overloaded", "type": "server_error", "code": 503}}
    body = chunk_event("a") + f"data: {json.dumps(error)}\n\n".encode() + DONE
    handler = Recorder(sse_response([body]))
    got = []
    with pytest.raises(InternalServerError, match="upstream overloaded") as info:
        got.extend(
            make_client(handler, sleep=sleeps).chat.stream(model="gpt-4o-mini", messages=MESSAGES)
        )
    # The event came on a 200: its code 503 picks the class, no HTTP status is made up.
    assert info.value.status_code is None
    assert "(code 503 / type server_error)" in str(info.value)
    assert text_of(got) == "a"
    assert handler.calls == 1
    assert sleeps == []


@pytest.mark.parametrize(
    "data",
    [
        b'{ "error": {"message": "boom", "code": 502}}',
        b'{\t"error" : {"message": "boom", "code": 502}}',
        b'{"id": "chatcmpl-1", "error": {"message": "boom", "code": 502}}',
    ],
    ids=["space", "tab", "not-first"],
)
def test_error_event_in_any_spelling_is_not_swallowed(data: bytes) -> None:
    # Followed by [DONE]: an error passed off as an empty chunk would end "complete".
    body = chunk_event("a") + b"data: " + data + b"\n\n" + DONE
    handler = Recorder(sse_response([body]))
    with pytest.raises(InternalServerError, match="boom"):
        chat_stream(make_client(handler))
    assert handler.calls == 1


def test_gemini_error_event_mid_stream() -> None:
    error = {"error": {"code": 503, "message": "The model is overloaded.", "status": "UNAVAILABLE"}}
    body = gemini_event("Hel") + f"data: {json.dumps(error)}\r\n\r\n".encode()
    client = make_client(Recorder(sse_response([body])))
    with pytest.raises(InternalServerError, match="overloaded") as info:
        list(client.gemini.stream_generate_content(model="gemini-2.5-flash", contents="Hi"))
    assert info.value.error_type == "UNAVAILABLE"


def test_error_event_with_event_name() -> None:
    body = (
        chunk_event("a")
        + b'event: error\ndata: {"message": "quota used up", "code": "insufficient_user_quota"}\n\n'
    )
    with pytest.raises(InsufficientQuotaError):
        chat_stream(make_client(Recorder(sse_response([body]))))


def test_error_event_before_first_chunk_not_retried_when_4xx(sleeps: Sleeps) -> None:
    error = {"error": {"message": "bad model", "code": 400}}
    handler = Recorder(sse_response([f"data: {json.dumps(error)}\n\n".encode()]))
    with pytest.raises(BadRequestError, match="bad model"):
        chat_stream(make_client(handler, sleep=sleeps))
    assert handler.calls == 1


def test_error_event_before_first_chunk_retried_when_5xx(sleeps: Sleeps) -> None:
    error = {"error": {"message": "busy", "code": 429}}
    handler = Recorder(
        sse_response([f"data: {json.dumps(error)}\n\n".encode()]), sse_response([BODY])
    )
    out = chat_stream(make_client(handler, sleep=sleeps))
    assert text_of(out) == "".join(TEXTS)
    assert handler.calls == 2
    assert len(sleeps) == 1


def test_json_200_to_a_stream_request_is_invalid_response(sleeps: Sleeps) -> None:
    handler = Recorder(json_response({"id": "x", "choices": []}))
    with pytest.raises(InvalidResponseError, match="instead of an event stream"):
        chat_stream(make_client(handler, sleep=sleeps))
    assert handler.calls == 1
    assert sleeps == []


def test_json_error_body_with_200_is_mapped() -> None:
    handler = Recorder(
        json_response({"error": {"message": "quota is not enough", "code": "insufficient_quota"}})
    )
    with pytest.raises(InsufficientQuotaError):
        chat_stream(make_client(handler))
    assert handler.calls == 1


@pytest.mark.parametrize(
    ("status", "cls"),
    [(400, BadRequestError), (401, AuthenticationError)],
)
def test_json_error_status_to_a_stream_request(status: int, cls: type[Exception]) -> None:
    handler = Recorder(json_response({"error": {"message": "nope"}}, status))
    with pytest.raises(cls, match="nope"):
        chat_stream(make_client(handler))
    assert handler.calls == 1


def test_html_error_page_on_stream_request() -> None:
    page = b"<html><head><title>502 Bad Gateway</title></head></html>"
    handler = Recorder(httpx.Response(502, headers={"content-type": "text/html"}, content=page))
    with pytest.raises(InternalServerError, match="502 Bad Gateway"):
        chat_stream(make_client(handler, max_retries=0))


def test_invalid_event_json_is_invalid_response() -> None:
    handler = Recorder(sse_response([b"data: {not json\n\n"]))
    with pytest.raises(InvalidResponseError, match="not a valid ChatCompletionChunk"):
        chat_stream(make_client(handler))
    assert handler.calls == 1


def test_500_before_first_event_is_retried(sleeps: Sleeps) -> None:
    handler = Recorder(
        json_response({"error": {"message": "boom"}}, 500),
        sse_response(split_at(BODY, [11, 50])),
    )
    out = chat_stream(make_client(handler, sleep=sleeps))
    assert text_of(out) == "".join(TEXTS)
    assert handler.calls == 2
    assert len(sleeps) == 1


def test_connection_error_before_first_event_is_retried(sleeps: Sleeps) -> None:
    handler = Recorder(
        sse_response([b": ping\n\n", httpx.ReadError("connection reset")]),
        sse_response([BODY]),
    )
    out = chat_stream(make_client(handler, sleep=sleeps))
    assert text_of(out) == "".join(TEXTS)
    assert handler.calls == 2


def test_failure_after_first_chunk_not_retried(sleeps: Sleeps) -> None:
    handler = Recorder(
        sse_response([chunk_event("first "), httpx.ReadError("connection reset by peer")]),
        sse_response([BODY]),  # a retry would send this: it must never be reached
    )
    got: list[ChatCompletionChunk] = []
    with pytest.raises(IncompleteStreamError, match="cut after it had started") as info:
        got.extend(
            make_client(handler, sleep=sleeps).chat.stream(model="gpt-4o-mini", messages=MESSAGES)
        )
    assert text_of(got) == "first "  # no duplicated output
    assert handler.calls == 1
    assert sleeps == []
    assert isinstance(info.value.__cause__, Exception)
    assert "ReadError" in str(info.value)


def test_stream_error_message_never_has_the_key() -> None:
    handler = Recorder(sse_response([chunk_event("a"), httpx.ReadError(f"reset {API_KEY}")]))
    with pytest.raises(IncompleteStreamError) as info:
        chat_stream(make_client(handler))
    assert API_KEY not in str(info.value)


def test_early_break_closes_the_response() -> None:
    stream = ChunkStream([BODY])
    handler = Recorder(
        httpx.Response(200, headers={"content-type": "text/event-stream"}, stream=stream)
    )
    iterator = make_client(handler).chat.stream(model="gpt-4o-mini", messages=MESSAGES)
    first = next(iterator)
    assert first.choices[0].delta.content == TEXTS[0]
    iterator.close()  # type: ignore[attr-defined]
    assert stream.closed >= 1


# -- async twins --------------------------------------------------------------------------------


async def test_async_split_chunks() -> None:
    chunks = split_at(BODY, [*cut_points_inside_multibyte(BODY)[::3], 4, 60])
    handler = Recorder(sse_response(chunks))
    out = await achat_stream(make_client(handler))
    assert text_of(out) == "".join(TEXTS)


async def test_async_await_then_iterate() -> None:
    client = make_client(Recorder(sse_response([BODY])))
    stream = await client.aio.chat.stream(model="gpt-4o-mini", messages=MESSAGES)
    assert text_of([c async for c in stream]) == "".join(TEXTS)


async def test_async_missing_done_raises(async_sleeps: AsyncSleeps) -> None:
    handler = Recorder(sse_response([chunk_event("partial")]))
    with pytest.raises(IncompleteStreamError):
        await achat_stream(make_client(handler, async_sleep=async_sleeps))
    assert handler.calls == 1
    assert async_sleeps == []


async def test_async_gemini_finish_reason() -> None:
    client = make_client(Recorder(sse_response([gemini_event("a"), gemini_event("b", "STOP")])))
    stream = client.aio.gemini.stream_generate_content(model="gemini-2.5-flash", contents="Hi")
    assert "".join([c.text async for c in stream]) == "ab"

    client = make_client(Recorder(sse_response([gemini_event("a")])))
    stream = client.aio.gemini.stream_generate_content(model="gemini-2.5-flash", contents="Hi")
    with pytest.raises(IncompleteStreamError, match="finishReason"):
        [c async for c in stream]


async def test_async_error_event_mid_stream() -> None:
    error = {"error": {"message": "slow down", "code": 429}}
    body = chunk_event("a") + f"data: {json.dumps(error)}\n\n".encode()
    handler = Recorder(sse_response([body]))
    with pytest.raises(RateLimitError, match="slow down"):
        await achat_stream(make_client(handler))
    assert handler.calls == 1


async def test_async_500_before_first_event_retried(async_sleeps: AsyncSleeps) -> None:
    handler = Recorder(json_response({"error": {"message": "boom"}}, 500), sse_response([BODY]))
    out = await achat_stream(make_client(handler, async_sleep=async_sleeps))
    assert text_of(out) == "".join(TEXTS)
    assert handler.calls == 2
    assert len(async_sleeps) == 1


async def test_async_failure_after_first_chunk_not_retried(async_sleeps: AsyncSleeps) -> None:
    handler = Recorder(
        sse_response([chunk_event("first"), httpx.ReadError("reset")]), sse_response([BODY])
    )
    got: list[ChatCompletionChunk] = []
    with pytest.raises(IncompleteStreamError):
        await adrain(
            make_client(handler, async_sleep=async_sleeps).aio.chat.stream(
                model="gpt-4o-mini", messages=MESSAGES
            ),
            got,
        )
    assert text_of(got) == "first"
    assert handler.calls == 1
    assert async_sleeps == []


async def test_async_json_200_is_invalid_response() -> None:
    handler = Recorder(json_response({"choices": []}))
    with pytest.raises(InvalidResponseError):
        await achat_stream(make_client(handler))
    assert handler.calls == 1


async def test_async_early_close() -> None:
    stream = ChunkStream([BODY])
    handler = Recorder(
        httpx.Response(200, headers={"content-type": "text/event-stream"}, stream=stream)
    )
    client = make_client(handler)
    handle = client.aio.chat.stream(model="gpt-4o-mini", messages=MESSAGES)
    async for _ in handle:
        break
    await handle.aclose()
    assert stream.closed >= 1
