"""The security suite's fixtures: canary keys, a fake YEScale service, every public object.

* :data:`API_KEY` / :data:`ACCESS_KEY` are canaries: distinctive, and deliberately *not* shaped
  like real keys (no ``sk-`` / ``AIza`` prefix), so that a test passes only if the configured
  secret itself is scrubbed, not because a generic key pattern happened to match it.
  :func:`leaks` also looks for 12-character pieces of them (pydantic, for one, prints
  ``'ysc-CANARY-a...'`` when it truncates a long value).
* :class:`Service` answers every endpoint the way the real service does (chat, Gemini,
  embeddings, images, media tasks, System API, CDN downloads, image hosts), records every request
  with its host, and can be switched to fail (401 / 500 echoing the key back, connection errors
  whose text holds the headers, redirects to another host). The same object serves
  ``httpx.MockTransport`` and :func:`serve` (a real HTTP server on 127.0.0.1).
* :data:`SUBJECTS` builds each public object of the three layers wired to a ``Service``, with a
  successful call, an async call and a call with bad input.
"""

from __future__ import annotations

import base64
import contextlib
import functools
import json
import struct
import threading
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import pytest
from pydantic import BaseModel

API_KEY = "ysc-CANARY-api-Qz7RkP2mWx9TnB4vLs6H"
ACCESS_KEY = "ysc-CANARY-acc-Ld3Hs8Gk1Mn0Pq2RtV5Y"
SECRETS = (API_KEY, ACCESS_KEY)

API_HOST = "api.yescale.io"
SYSTEM_HOST = "yescale.bogia.app"
CDN_HOST = "cdn.example.com"
STORAGE_HOST = "storage.example.net"
IMAGE_HOST = "images.example.org"
EVIL_HOST = "evil.example.net"
OUR_HOSTS = {API_HOST, SYSTEM_HOST}

PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAIAAAACCAIAAAD91JpzAAAAEElEQVR42mO4o6EBRAwQCgAjrgSxd194GgAAAABJRU5ErkJggg=="
)
VIDEO = b"\x00\x00\x00\x18ftypmp42" + bytes(range(256)) * 8
#: Three silent MPEG-1 Layer III frames: what the fake service speaks.
AUDIO = (bytes([0xFF, 0xFB, 0x90, 0x64]) + bytes(413)) * 3


def _pieces(secret: str, size: int = 12) -> list[str]:
    return [secret[i : i + size] for i in range(len(secret) - size + 1)]


#: What must never appear: each key, and every 12-character piece of it.
SECRET_FORMS: tuple[str, ...] = tuple(
    {form for secret in SECRETS for form in (secret, *_pieces(secret))}
)


def leaks(text: str | bytes) -> list[str]:
    """The secret forms found in ``text`` (empty when clean)."""
    if isinstance(text, bytes):
        found = [f for f in SECRET_FORMS if f.encode() in text]
        b64 = [s for s in SECRETS if base64.b64encode(s.encode()) in text]
        return found + b64
    return [f for f in SECRET_FORMS if f in text]


def assert_clean(text: str | bytes, where: str) -> None:
    found = leaks(text)
    assert not found, f"a key leaked through {where}: {sorted(found)[:3]}"


# ---------------------------------------------------------------------------------------------
# Text of exceptions: everything a log, a traceback or an error tracker could show


def _frame_locals(error: BaseException) -> dict[str, str]:
    """What an error tracker that captures local variables (Sentry's default) would send: the
    repr of every local of every frame the error went through (a failing repr is skipped, as
    those trackers do)."""
    found: dict[str, str] = {}
    tb = error.__traceback__
    while tb is not None:
        frame = tb.tb_frame
        where = f"{frame.f_code.co_filename.rsplit('/', 1)[-1]}:{frame.f_code.co_name}"
        for name, value in frame.f_locals.items():
            try:
                found[f"{where}:{name}"] = repr(value)
            except Exception:
                continue
        tb = tb.tb_next
    return found


def exception_texts(error: BaseException, *, frame_locals: bool = True) -> dict[str, str]:
    """Every rendering of ``error`` and of the errors chained to it.

    ``frame_locals``: also the local variables of the frames each error went through. Right for
    errors raised while objects work (only our objects hold the key there, and they mask it);
    not for construction errors, whose caller's own frame holds the key it passed.
    """
    import pickle
    import traceback

    from yescale import YEScaleError

    texts: dict[str, str] = {
        "traceback": "".join(traceback.format_exception(error)),
        "traceback_only": "".join(traceback.format_exception_only(type(error), error)),
    }
    seen: set[int] = set()
    depth = 0
    pending: list[BaseException] = [error]
    while pending:
        current = pending.pop()
        if id(current) in seen:
            continue
        seen.add(id(current))
        tag = f"[{depth}:{type(current).__name__}]"
        depth += 1
        texts[f"str{tag}"] = str(current)
        texts[f"repr{tag}"] = repr(current)
        texts[f"args{tag}"] = repr(current.args)
        texts[f"dict{tag}"] = repr({k: v for k, v in vars(current).items() if k != "__traceback__"})
        if hasattr(current, "errors") and callable(current.errors):  # pydantic ValidationError
            texts[f"errors(){tag}"] = repr(current.errors())
        if isinstance(current, YEScaleError):
            # Our errors travel between processes (multiprocessing, checkpoints) as pickles.
            # (Third-party errors such as pydantic's keep their input as given, SecretStr
            # included: only their text is checked.)
            texts[f"pickle{tag}"] = repr(pickle.dumps(current))
        if frame_locals:
            for name, text in _frame_locals(current).items():
                texts[f"local {name}{tag}"] = text
        pending.extend(e for e in (current.__cause__, current.__context__) if e is not None)
    return texts


def assert_exception_clean(error: BaseException, where: str, *, frame_locals: bool = True) -> int:
    """Check every rendering of ``error`` (and its chain); returns how many were checked."""
    texts = exception_texts(error, frame_locals=frame_locals)
    for name, text in texts.items():
        assert_clean(text, f"{where} / {name}")
    return len(texts)


# ---------------------------------------------------------------------------------------------
# The fake service


def _sse(*events: dict[str, Any], done: bool = True) -> bytes:
    body = b"".join(f"data: {json.dumps(e)}\n\n".encode() for e in events)
    return body + (b"data: [DONE]\n\n" if done else b"")


def chat_completion(content: str = "Hello!") -> dict[str, Any]:
    return {
        "id": "chatcmpl-1",
        "object": "chat.completion",
        "created": 1,
        "model": "gpt-4o-mini",
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": content},
                "finish_reason": "stop",
            }
        ],
        "usage": {"prompt_tokens": 3, "completion_tokens": 2, "total_tokens": 5},
    }


def chat_chunk(content: str, finish: str | None = None) -> dict[str, Any]:
    return {
        "id": "chatcmpl-1",
        "object": "chat.completion.chunk",
        "created": 1,
        "model": "gpt-4o-mini",
        "choices": [{"index": 0, "delta": {"content": content}, "finish_reason": finish}],
    }


GEMINI_TEXT = '{"number": "INV-7"}'


def gemini_answer(text: str = GEMINI_TEXT) -> dict[str, Any]:
    return {
        "candidates": [
            {"content": {"role": "model", "parts": [{"text": text}]}, "finishReason": "STOP"}
        ],
        "usageMetadata": {"promptTokenCount": 3, "candidatesTokenCount": 5, "totalTokenCount": 8},
        "modelVersion": "gemini-2.5-flash",
    }


def claude_message(text: str = "Hello!") -> dict[str, Any]:
    """An Anthropic Messages answer (``POST /v1/messages``)."""
    return {
        "id": "msg_1",
        "type": "message",
        "role": "assistant",
        "model": "claude-sonnet-4-5",
        "content": [{"type": "text", "text": text}],
        "stop_reason": "end_turn",
        "stop_sequence": None,
        "usage": {"input_tokens": 3, "output_tokens": 2},
    }


def claude_events(text: str = "Hello!") -> bytes:
    """The same answer as Anthropic's event stream."""
    message = {**claude_message(""), "content": [], "stop_reason": None}
    events: list[dict[str, Any]] = [
        {"type": "message_start", "message": message},
        {"type": "content_block_start", "index": 0, "content_block": {"type": "text", "text": ""}},
        {"type": "content_block_delta", "index": 0, "delta": {"type": "text_delta", "text": text}},
        {"type": "content_block_stop", "index": 0},
        {
            "type": "message_delta",
            "delta": {"stop_reason": "end_turn"},
            "usage": {"output_tokens": 2},
        },
        {"type": "message_stop"},
    ]
    return b"".join(f"event: {e['type']}\ndata: {json.dumps(e)}\n\n".encode() for e in events)


def openai_response(text: str = "Hello!") -> dict[str, Any]:
    """An OpenAI Responses answer (``POST /v1/responses``)."""
    item = {
        "type": "message",
        "id": "msg_1",
        "role": "assistant",
        "status": "completed",
        "content": [{"type": "output_text", "text": text, "annotations": []}],
    }
    return {
        "id": "resp_1",
        "object": "response",
        "status": "completed",
        "model": "gpt-5-mini",
        "output": [item],
        "usage": {"input_tokens": 3, "output_tokens": 2, "total_tokens": 5},
    }


def openai_response_events(text: str = "Hello!") -> bytes:
    """The same answer as the Responses event stream."""
    done = openai_response(text)
    events = [
        {"type": "response.created", "response": {**done, "status": "in_progress", "output": []}},
        {
            "type": "response.output_item.added",
            "output_index": 0,
            "item": {**done["output"][0], "content": []},
        },
        {
            "type": "response.content_part.added",
            "output_index": 0,
            "content_index": 0,
            "item_id": "msg_1",
            "part": {"type": "output_text", "text": "", "annotations": []},
        },
        {
            "type": "response.output_text.delta",
            "output_index": 0,
            "content_index": 0,
            "item_id": "msg_1",
            "delta": text,
        },
        {"type": "response.output_item.done", "output_index": 0, "item": done["output"][0]},
        {"type": "response.completed", "response": done},
    ]
    return b"".join(f"event: {e['type']}\ndata: {json.dumps(e)}\n\n".encode() for e in events)


def _embedding(index: int, encoding: str | None) -> dict[str, Any]:
    vector = [0.1 * (index + 1), 0.2, 0.3]
    value: Any = vector
    if encoding == "base64":
        value = base64.b64encode(struct.pack(f"<{len(vector)}f", *vector)).decode()
    return {"object": "embedding", "index": index, "embedding": value}


@dataclass
class Service:
    """A fake YEScale (and the CDN / image hosts around it), for MockTransport or a server.

    ``fail``: the status every API endpoint answers with (its body echoes the request's
    credentials, as some gateways do); ``connect_error``: API requests fail as if the network
    were down, with the request's headers in the error text; ``redirect``: API endpoints answer
    with this status and ``Location`` on :data:`EVIL_HOST`.
    """

    fail: int | None = None
    connect_error: bool = False
    redirect: int | None = None
    redirect_to: str = f"https://{EVIL_HOST}"
    image_url: str | None = None
    result_url: str = f"https://{CDN_HOST}/results/video.mp4?sig=s3cr3t"
    task_id: str = "task-1"
    cdn_redirect: bool = False
    requests: list[httpx.Request] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def hosts(self) -> list[str]:
        return [r.url.host for r in self.requests]

    def to(self, host: str) -> list[httpx.Request]:
        return [r for r in self.requests if r.url.host == host]

    def foreign(self) -> list[httpx.Request]:
        """Requests to any host that is not the API or the System API."""
        return [r for r in self.requests if r.url.host not in OUR_HOSTS]

    def __call__(self, request: httpx.Request) -> httpx.Response:
        request.read()
        with self.lock:
            self.requests.append(request)
        host = request.url.host
        if host in (CDN_HOST, STORAGE_HOST, IMAGE_HOST) or (
            host not in (API_HOST, SYSTEM_HOST, EVIL_HOST) and "/files/" in request.url.path
        ):
            return self._media_host(request)
        if host == EVIL_HOST:
            return httpx.Response(200, json=chat_completion("from the other host"))
        if request.url.path.startswith("/files/"):  # a file on the API host itself
            return httpx.Response(200, content=PNG, headers={"content-type": "image/png"})
        if self.connect_error:
            echoed = json.dumps(dict(request.headers))
            raise httpx.ConnectError(f"proxy refused the request with headers {echoed}")
        if self.redirect is not None:
            target = self.redirect_to + request.url.raw_path.decode()
            return httpx.Response(self.redirect, headers={"location": target})
        if self.fail is not None:
            return self._failure(request, self.fail)
        return self._answer(request)

    # -- hosts that are not YEScale -------------------------------------------------------------

    def _media_host(self, request: httpx.Request) -> httpx.Response:
        if self.cdn_redirect and request.url.host != STORAGE_HOST:
            target = f"https://{STORAGE_HOST}{request.url.path}?sig=moved"
            return httpx.Response(302, headers={"location": target})
        if request.url.path.endswith(".mp4"):
            return httpx.Response(200, content=VIDEO, headers={"content-type": "video/mp4"})
        return httpx.Response(200, content=PNG, headers={"content-type": "image/png"})

    # -- YEScale ----------------------------------------------------------------------------------

    @staticmethod
    def _failure(request: httpx.Request, status: int) -> httpx.Response:
        auth = request.headers.get("authorization") or request.headers.get("x-goog-api-key", "")
        echoed = {k: v for k, v in request.headers.items()}
        body = {
            "error": {
                "message": f"rejected credential {auth!r} (headers {echoed})",
                "type": "new_api_error",
                "code": "invalid_token" if status == 401 else "upstream_error",
            },
            "success": False,
            "message": f"rejected {auth}",
        }
        return httpx.Response(status, json=body, headers={"x-request-id": "req-1"})

    def _answer(self, request: httpx.Request) -> httpx.Response:
        path = request.url.path
        body: dict[str, Any] = json.loads(request.content) if request.content[:1] == b"{" else {}
        if path == "/v1/chat/completions":
            if body.get("stream"):
                events = _sse(chat_chunk("Hel"), chat_chunk("lo!", "stop"))
                return httpx.Response(
                    200, content=events, headers={"content-type": "text/event-stream"}
                )
            return httpx.Response(200, json=chat_completion())
        if path == "/v1/responses":
            if body.get("stream"):
                return httpx.Response(
                    200,
                    content=openai_response_events(),
                    headers={"content-type": "text/event-stream"},
                )
            return httpx.Response(200, json=openai_response())
        if path == "/v1/messages":
            if body.get("stream"):
                return httpx.Response(
                    200, content=claude_events(), headers={"content-type": "text/event-stream"}
                )
            return httpx.Response(200, json=claude_message())
        if path.startswith("/v1beta/models/") and path.endswith(":streamGenerateContent"):
            events = _sse(gemini_answer(), done=False)
            return httpx.Response(
                200, content=events, headers={"content-type": "text/event-stream"}
            )
        if path.startswith("/v1beta/models/"):
            return httpx.Response(200, json=gemini_answer())
        if path == "/v1/embeddings":
            inputs = body.get("input")
            count = len(inputs) if isinstance(inputs, list) else 1
            data = [_embedding(i, body.get("encoding_format")) for i in range(count)]
            usage = {"prompt_tokens": count, "total_tokens": count}
            return httpx.Response(
                200, json={"object": "list", "data": data, "model": "m", "usage": usage}
            )
        if path in ("/v1/images/generations", "/v1/images/edits"):
            item = (
                {"url": self.image_url}
                if self.image_url
                else {"b64_json": base64.b64encode(PNG).decode()}
            )
            return httpx.Response(200, json={"created": 1, "data": [item]})
        if path in ("/v1/audio/transcriptions", "/v1/audio/translations"):
            return httpx.Response(200, json={"text": "Hello from the recording."})
        if path == "/v1/audio/speech":
            return httpx.Response(200, content=AUDIO, headers={"content-type": "audio/mpeg"})
        if path == "/task/submit":
            return httpx.Response(200, json={"task_id": self.task_id, "status": "SUBMITTED"})
        if path.startswith("/task/"):
            task_id = httpx.URL(request.url).path.split("/task/", 1)[1]
            from urllib.parse import unquote

            result = {"url": self.result_url, "url_expires_at": "2030-01-01 00:00:00"}
            return httpx.Response(
                200,
                json={
                    "task_id": unquote(task_id),
                    "status": "SUCCESS",
                    "progress": "100%",
                    "task_result": result,
                },
            )
        if path == "/yescale/user":
            data = {"username": "u", "quota": 500_000, "access_token": ACCESS_KEY}
            return httpx.Response(200, json={"success": True, "message": "", "data": data})
        if path.startswith("/yescale/"):
            return httpx.Response(200, json={"success": True, "message": "", "data": []})
        return httpx.Response(404, json={"error": {"message": f"no route {path}"}})


# ---------------------------------------------------------------------------------------------
# A real server on 127.0.0.1 around a Service (for the pooled clients and httpcore's logs)


@dataclass
class Served:
    url: str
    service: Service


@contextlib.contextmanager
def serve(service: Any, host: str = "127.0.0.1") -> Iterator[Served]:
    """Serve ``service`` over real HTTP on ``host``; the request URLs it sees use ``host``."""

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def _handle(self) -> None:
            length = int(self.headers.get("content-length") or 0)
            content = self.rfile.read(length) if length else b""
            port = self.server.server_address[1]
            request = httpx.Request(
                self.command,
                f"http://{host}:{port}{self.path}",
                headers=list(self.headers.items()),
                content=content,
            )
            try:
                response = service(request)
            except httpx.HTTPError:
                self.close_connection = True
                return
            payload = response.read()
            self.send_response(response.status_code)
            for name, value in response.headers.items():
                if name.lower() not in ("content-length", "transfer-encoding", "connection"):
                    self.send_header(name, value)
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        do_GET = do_POST = do_PUT = do_DELETE = _handle

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    try:
        yield Served(f"http://{host}:{server.server_address[1]}", service)
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


@pytest.fixture
def served() -> Iterator[Served]:
    with serve(Service()) as server:
        yield server


# ---------------------------------------------------------------------------------------------
# Every public object, wired to a Service


class Invoice(BaseModel):
    """An invoice."""

    number: str


class Sleeps(list[float]):
    def __call__(self, seconds: float) -> None:
        self.append(seconds)


class AsyncSleeps(list[float]):
    async def __call__(self, seconds: float) -> None:
        self.append(seconds)


def clients(handler: Callable[[httpx.Request], httpx.Response], **kw: Any) -> dict[str, Any]:
    transport = httpx.MockTransport(handler)
    return {
        "sync": httpx.Client(transport=transport, **kw),
        "async": httpx.AsyncClient(transport=transport, **kw),
    }


USER = [{"role": "user", "content": "Hi"}]


def _client(handler: Any, **kw: Any) -> Any:
    from yescale import YEScaleClient

    http = clients(handler, follow_redirects=kw.pop("follow_redirects", False))
    kw.setdefault("max_retries", 0)
    kw.setdefault("sleep", Sleeps())
    kw.setdefault("async_sleep", AsyncSleeps())
    return YEScaleClient(
        api_key=API_KEY,
        access_key=ACCESS_KEY,
        http_client=http["sync"],
        async_http_client=http["async"],
        **kw,
    )


def _lc(cls_name: str, handler: Any, **kw: Any) -> Any:
    import langchain_yescale

    http = clients(handler, follow_redirects=kw.pop("follow_redirects", False))
    kw.setdefault("max_retries", 0)
    cls = getattr(langchain_yescale, cls_name)
    if cls_name == "YEScaleGeminiStructuredOutputTool":
        kw.setdefault("schema", Invoice)
    if cls_name == "YEScaleSpeechToTextTool":
        kw.setdefault("allowed_input_dirs", [recordings_dir()])
    return cls(api_key=API_KEY, http_client=http["sync"], http_async_client=http["async"], **kw)


@functools.cache
def recordings_dir() -> Path:
    """A folder holding ``hello.wav`` (a tiny silent WAV), for the speech-to-text subjects: one
    per process, removed at exit (do not add files to it)."""
    import atexit
    import io
    import shutil
    import tempfile
    import wave

    folder = Path(tempfile.mkdtemp(prefix="yescale-recordings-"))
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(8000)
        out.writeframes(bytes(1600))
    (folder / "hello.wav").write_bytes(buffer.getvalue())
    return folder


def _li(cls_name: str, handler: Any, **kw: Any) -> Any:
    import llama_index_yescale

    http = clients(handler, follow_redirects=kw.pop("follow_redirects", False))
    kw.setdefault("max_retries", 0)
    cls = getattr(llama_index_yescale, cls_name)
    if cls_name == "YEScaleToolSpec":
        kw.setdefault("structured_schema", Invoice)
        kw.setdefault("sleep", Sleeps())
        kw.setdefault("async_sleep", AsyncSleeps())
        kw.setdefault("poll_interval", 0.01)
    return cls(api_key=API_KEY, http_client=http["sync"], async_http_client=http["async"], **kw)


def _li_chat(llm: Any) -> Any:
    from llama_index.core.base.llms.types import ChatMessage

    return llm.chat([ChatMessage(role="user", content="Hi")])


async def _li_achat(llm: Any) -> Any:
    from llama_index.core.base.llms.types import ChatMessage

    return await llm.achat([ChatMessage(role="user", content="Hi")])


def _li_stream(llm: Any) -> Any:
    from llama_index.core.base.llms.types import ChatMessage

    return list(llm.stream_chat([ChatMessage(role="user", content="Hi")]))


@dataclass
class Subject:
    """A public object of one of the three layers, and how an application calls it."""

    name: str
    build: Callable[..., Any]
    call: Callable[[Any], Any] | None = None
    acall: Callable[[Any], Awaitable[Any]] | None = None
    stream: Callable[[Any], Any] | None = None
    bad_input: Callable[[Any], Any] | None = None
    framework: str = "yescale"


async def _aio_chat(client: Any) -> Any:
    return await client.chat.create(model="gpt-4o-mini", messages=USER)


async def _lc_ainvoke(obj: Any) -> Any:
    return await obj.ainvoke("Hi")


async def _lc_aembed(obj: Any) -> Any:
    return await obj.aembed_documents(["a", "b"])


async def _lc_tool_ainvoke_image(tool: Any) -> Any:
    return await tool.ainvoke({"prompt": "a red fox"})


async def _lc_tool_ainvoke_media(tool: Any) -> Any:
    return await tool.ainvoke({"model": "sora-2", "prompt": "a cat surfing"})


async def _lc_tool_ainvoke_struct(tool: Any) -> Any:
    return await tool.ainvoke({"text": "Invoice INV-7"})


async def _lc_tool_ainvoke_stt(tool: Any) -> Any:
    return await tool.ainvoke({"file": "hello.wav"})


async def _lc_tool_ainvoke_tts(tool: Any) -> Any:
    return await tool.ainvoke({"text": "Hello there."})


async def _li_aread(reader: Any) -> Any:
    return await reader.aload_data(recordings_dir() / "hello.wav")


async def _li_aembed(obj: Any) -> Any:
    return await obj.aget_text_embedding_batch(["a", "b"])


async def _spec_agenerate(spec: Any) -> Any:
    return await spec.agenerate_image("a red fox")


def _settings(handler: Any) -> Any:
    from yescale import ClientSettings

    return ClientSettings.resolve(api_key=API_KEY, access_key=ACCESS_KEY)


def _aio(handler: Any, **kw: Any) -> Any:
    return _client(handler, **kw).aio


SUBJECTS: list[Subject] = [
    Subject(
        "YEScaleClient",
        _client,
        call=lambda c: c.chat.create(model="gpt-4o-mini", messages=USER),
        acall=lambda c: c.aio.chat.create(model="gpt-4o-mini", messages=USER),
        stream=lambda c: list(c.chat.stream(model="gpt-4o-mini", messages=USER)),
        bad_input=lambda c: c.chat.create(model="gpt-4o-mini", messages=[]),
    ),
    Subject(
        "YEScaleClient.aio",
        _aio,
        acall=_aio_chat,
    ),
    Subject("ClientSettings", _settings),
    Subject(
        "ChatYEScale",
        lambda h, **kw: _lc("ChatYEScale", h, **kw),
        call=lambda o: o.invoke("Hi"),
        acall=_lc_ainvoke,
        stream=lambda o: list(o.stream("Hi")),
        bad_input=lambda o: o.invoke("Hi", temperature="very hot"),
        framework="langchain",
    ),
    Subject(
        "ChatYEScaleGemini",
        lambda h, **kw: _lc("ChatYEScaleGemini", h, **kw),
        call=lambda o: o.invoke("Hi"),
        acall=_lc_ainvoke,
        stream=lambda o: list(o.stream("Hi")),
        bad_input=lambda o: o.invoke([("human", [{"type": "image_url", "image_url": 42}])]),
        framework="langchain",
    ),
    Subject(
        "ChatYEScaleAnthropic",
        lambda h, **kw: _lc("ChatYEScaleAnthropic", h, **kw),
        call=lambda o: o.invoke("Hi"),
        acall=_lc_ainvoke,
        stream=lambda o: list(o.stream("Hi")),
        bad_input=lambda o: o.invoke("Hi", thinking={"type": "enabled", "budget_tokens": 5}),
        framework="langchain",
    ),
    Subject(
        "YEScaleEmbeddings",
        lambda h, **kw: _lc("YEScaleEmbeddings", h, **kw),
        call=lambda o: o.embed_documents(["a", "b"]),
        acall=_lc_aembed,
        bad_input=lambda o: o.embed_documents([object()]),
        framework="langchain",
    ),
    Subject(
        "YEScaleImageGenerationTool",
        lambda h, **kw: _lc("YEScaleImageGenerationTool", h, handle_tool_error=False, **kw),
        call=lambda t: t.invoke({"prompt": "a red fox"}),
        acall=_lc_tool_ainvoke_image,
        bad_input=lambda t: t.invoke({"prompt": "a red fox", "size": "13x13"}),
        framework="langchain",
    ),
    Subject(
        "YEScaleMediaTaskTool",
        lambda h, **kw: _lc(
            "YEScaleMediaTaskTool",
            h,
            handle_tool_error=False,
            sleep=Sleeps(),
            async_sleep=AsyncSleeps(),
            poll_interval=0.01,
            **kw,
        ),
        call=lambda t: t.invoke({"model": "sora-2", "prompt": "a cat surfing"}),
        acall=_lc_tool_ainvoke_media,
        bad_input=lambda t: t.invoke({"prompt": "a cat surfing"}),
        framework="langchain",
    ),
    Subject(
        "YEScaleGeminiStructuredOutputTool",
        lambda h, **kw: _lc("YEScaleGeminiStructuredOutputTool", h, handle_tool_error=False, **kw),
        call=lambda t: t.invoke({"text": "Invoice INV-7"}),
        acall=_lc_tool_ainvoke_struct,
        bad_input=lambda t: t.invoke({"text": ""}),
        framework="langchain",
    ),
    Subject(
        "YEScaleSpeechToTextTool",
        lambda h, **kw: _lc("YEScaleSpeechToTextTool", h, handle_tool_error=False, **kw),
        call=lambda t: t.invoke({"file": "hello.wav"}),
        acall=_lc_tool_ainvoke_stt,
        bad_input=lambda t: t.invoke({"file": "../../etc/passwd"}),
        framework="langchain",
    ),
    Subject(
        "YEScaleTextToSpeechTool",
        lambda h, **kw: _lc("YEScaleTextToSpeechTool", h, handle_tool_error=False, **kw),
        call=lambda t: t.invoke({"text": "Hello there."}),
        acall=_lc_tool_ainvoke_tts,
        bad_input=lambda t: t.invoke({"text": "Hello", "speed": 9}),
        framework="langchain",
    ),
    Subject(
        "YEScale",
        lambda h, **kw: _li("YEScale", h, **kw),
        call=_li_chat,
        acall=_li_achat,
        stream=_li_stream,
        bad_input=lambda o: o.chat([]),
        framework="llama_index",
    ),
    Subject(
        "YEScaleGemini",
        lambda h, **kw: _li("YEScaleGemini", h, **kw),
        call=_li_chat,
        acall=_li_achat,
        stream=_li_stream,
        bad_input=lambda o: o.chat([]),
        framework="llama_index",
    ),
    Subject(
        "YEScaleAnthropic",
        lambda h, **kw: _li("YEScaleAnthropic", h, **kw),
        call=_li_chat,
        acall=_li_achat,
        stream=_li_stream,
        bad_input=lambda o: o.chat([]),
        framework="llama_index",
    ),
    Subject(
        "YEScaleResponses",
        lambda h, **kw: _li("YEScaleResponses", h, **kw),
        call=_li_chat,
        acall=_li_achat,
        stream=_li_stream,
        bad_input=lambda o: o.chat([]),
        framework="llama_index",
    ),
    Subject(
        "YEScaleEmbedding",
        lambda h, **kw: _li("YEScaleEmbedding", h, **kw),
        call=lambda o: o.get_text_embedding_batch(["a", "b"]),
        acall=_li_aembed,
        bad_input=lambda o: o.get_text_embedding_batch([object()]),
        framework="llama_index",
    ),
    Subject(
        "YEScaleToolSpec",
        lambda h, **kw: _li("YEScaleToolSpec", h, **kw),
        call=lambda s: s.generate_image("a red fox"),
        acall=_spec_agenerate,
        bad_input=lambda s: s.generate_image("a red fox", size="13x13"),
        framework="llama_index",
    ),
    Subject(
        "YEScaleAudioReader",
        lambda h, **kw: _li("YEScaleAudioReader", h, **kw),
        call=lambda r: r.load_data(recordings_dir() / "hello.wav"),
        acall=_li_aread,
        bad_input=lambda r: r.load_data(recordings_dir() / "missing.wav"),
        framework="llama_index",
    ),
]

BY_NAME = {s.name: s for s in SUBJECTS}
CALLABLE = [s for s in SUBJECTS if s.call is not None]
ACALLABLE = [s for s in SUBJECTS if s.acall is not None]
FRAMEWORK_SUBJECTS = [s for s in SUBJECTS if s.framework != "yescale"]


def ids(subjects: list[Subject]) -> list[str]:
    return [s.name for s in subjects]


@pytest.fixture(autouse=True)
def _no_ambient_keys(monkeypatch: pytest.MonkeyPatch) -> None:
    """Only the canaries: the offline keys of the root conftest would hide a missing scrub."""
    for name in ("YESCALE_API_KEY", "YESCALE_ACCESS_KEY", "YESCALE_BASE_URL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.delenv("YESCALE_SYSTEM_BASE_URL", raising=False)


@pytest.fixture
def folders(tmp_path: Path) -> dict[str, Path]:
    allowed = tmp_path / "allowed"
    allowed.mkdir()
    (allowed / "cat.png").write_bytes(PNG)
    (allowed / "notes.txt").write_text("not an image")
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.png").write_bytes(PNG + b"OUTSIDE-SECRET-CONTENT")
    out = tmp_path / "out"
    return {"root": tmp_path, "allowed": allowed, "outside": outside, "out": out}
