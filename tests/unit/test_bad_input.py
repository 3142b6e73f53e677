"""Bad input, row by row: what each layer answers, and whether anything was sent.

The house rule: bad input gets a clear, specific exception that says what was wrong and what to
do, before any request when we can tell. ``ROWS`` is the table: each row is one bad input tried
on one layer (the ``yescale`` client, the LangChain classes, the LlamaIndex classes), the
exception it must raise, a piece of the message it must carry, and how many requests may go out
(``0``: refused before sending; ``1``: only the service could tell, and its answer becomes a
specific error). Every request goes to an ``httpx.MockTransport`` that records it, so "nothing
was sent" is checked, not assumed. Rows with a ``server`` answer simulate the service's error
body (OpenAI-style, as YEScale's gateway sends them).

``docs/bad-input.md`` shows the same list: its table is generated from ``ROWS``
(``python -m tests.unit.test_bad_input --write``) and a test fails if it drifts.
"""

from __future__ import annotations

import asyncio
import datetime
import inspect
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import httpx
import pytest
from langchain_core.messages import (
    AIMessage,
    ChatMessage,
    HumanMessage,
    RemoveMessage,
    ToolMessage,
)
from langchain_core.tools import ToolException
from llama_index.core.base.llms.types import (
    CacheControl,
    CachePoint,
    DocumentBlock,
    ImageBlock,
    MessageRole,
    TextBlock,
    ToolCallBlock,
)
from llama_index.core.base.llms.types import ChatMessage as LIMessage
from llama_index.core.tools import FunctionTool
from pydantic import BaseModel, Field, ValidationError

import langchain_yescale
import llama_index_yescale
import yescale
import yescale.costs
from langchain_yescale import (
    ChatYEScale,
    ChatYEScaleAnthropic,
    ChatYEScaleGemini,
    YEScaleBadRequestError,
    YEScaleContextOverflowError,
    YEScaleEmbeddings,
    YEScaleGeminiStructuredOutputTool,
    YEScaleImageGenerationTool,
    YEScaleMediaTaskTool,
    YEScaleSpeechToTextTool,
    YEScaleTextToSpeechTool,
    YEScaleToolInputError,
)
from llama_index_yescale import (
    YEScale,
    YEScaleAnthropic,
    YEScaleAudioReader,
    YEScaleEmbedding,
    YEScaleGemini,
    YEScaleResponses,
    YEScaleToolSpec,
)
from yescale import (
    AuthenticationError,
    BadRequestError,
    ContextLengthExceededError,
    InvalidRequestError,
    MissingCredentialsError,
    NotFoundError,
    YEScaleClient,
)
from yescale.models.images import ImageParameterError
from yescale.tools import AudioInputError, ImageNotGeneratedError
from yescale.translate.gemini_schema import to_gemini_schema

from .conftest import API_KEY

ROOT = Path(__file__).resolve().parents[2]
DOC = ROOT / "docs" / "bad-input.md"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
HI = [{"role": "user", "content": "Hi"}]
WEATHER_TOOL = {
    "type": "function",
    "function": {
        "name": "get_weather",
        "description": "Weather in a city.",
        "parameters": {
            "type": "object",
            "properties": {"city": {"type": "string"}},
            "required": ["city"],
        },
    },
}

Layer = Literal["client", "LangChain", "LlamaIndex"]


# -- schemas used by the rows --------------------------------------------------------------------


class TreeNode(BaseModel):
    """A recursive model."""

    name: str
    children: list[TreeNode] = Field(default_factory=list)


class Pair(BaseModel):
    """A tuple field."""

    point: tuple[int, str]


class Settings(BaseModel):
    """A free-form dict field."""

    values: dict[str, Any]


class Invoice(BaseModel):
    number: str
    total: float


class GetWeather(BaseModel):
    """Get the weather in a city."""

    city: str


def weather(city: str) -> str:
    """Get the weather in a city."""
    return f"sunny in {city}"


# -- the environment each row runs in -----------------------------------------------------------


def server_error(status: int, message: str, code: str | None = None) -> Callable[[], Any]:
    """The service's answer for a row only it can judge (an OpenAI-style error body)."""
    error: dict[str, Any] = {"message": message, "type": "invalid_request_error"}
    if code:
        error["code"] = code

    def answer() -> httpx.Response:
        return httpx.Response(status, json={"error": error})

    return answer


class Env:
    """A row's world: every HTTP request recorded, answered by the row's simulated service."""

    def __init__(self, row: Row, monkeypatch: pytest.MonkeyPatch) -> None:
        self.row = row
        self.monkeypatch = monkeypatch
        self.requests: list[httpx.Request] = []
        self.transport = httpx.MockTransport(self._handle)
        #: LangChain tools: False raises input errors (to check their class); True is the
        #: default, which hands the message to the model as a ToolMessage with status "error"
        self.tool_errors_to_model = False

    def _handle(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        if self.row.server is None:
            return httpx.Response(599, json={"error": {"message": "no request was expected"}})
        answer: httpx.Response = self.row.server()
        return answer

    def http(self) -> dict[str, Any]:
        return {
            "http_client": httpx.Client(transport=self.transport),
            "async_http_client": httpx.AsyncClient(transport=self.transport),
        }

    def client(self, **settings: Any) -> YEScaleClient:
        settings.setdefault("api_key", API_KEY)
        settings.setdefault("max_retries", 0)
        return YEScaleClient(**self.http(), sleep=lambda _: None, **settings)

    def lc(self, cls: type[Any], **kwargs: Any) -> Any:
        """A LangChain class over the mock transport."""
        http = self.http()
        kwargs.setdefault("max_retries", 0)
        return cls(
            http_client=http["http_client"], http_async_client=http["async_http_client"], **kwargs
        )

    def li(self, cls: type[Any], **kwargs: Any) -> Any:
        """A LlamaIndex class over the mock transport."""
        kwargs.setdefault("max_retries", 0)
        return cls(**self.http(), **kwargs)

    def no_key(self) -> Env:
        self.monkeypatch.delenv("YESCALE_API_KEY", raising=False)
        return self

    def no_access_key(self) -> Env:
        self.monkeypatch.delenv("YESCALE_ACCESS_KEY", raising=False)
        return self

    # -- tools, invoked as an agent invokes them ---------------------------------------------

    def lc_tool(self, cls: type[Any], args: dict[str, Any], **kwargs: Any) -> Any:
        tool = self.lc(cls, handle_tool_error=self.tool_errors_to_model, **kwargs)
        return tool.invoke({"type": "tool_call", "id": "call_1", "name": tool.name, "args": args})

    def li_tool(self, name: str, args: dict[str, Any], **options: Any) -> Any:
        spec = self.li(YEScaleToolSpec, **options)
        tool = next(t for t in spec.to_tool_list() if t.metadata.name == name)
        return tool.call(**args)


@dataclass(frozen=True)
class Row:
    id: str
    layer: Layer
    where: str
    """The class or method, as the docs table shows it."""
    bad: str
    """What is wrong with the input, in a few words."""
    call: Callable[[Env], Any]
    raises: type[BaseException] | None
    """The exception (``None``: the input is accepted on purpose, see ``returns``)."""
    message: str
    """A piece of the message: what was wrong, or what to do."""
    sent: int = 0
    """Requests sent: 0 when refused before sending; 1 when only the service could tell."""
    server: Callable[[], httpx.Response] | None = None
    returns: Any = None


def lc_chat(env: Env, *messages: Any, **kwargs: Any) -> Any:
    return env.lc(ChatYEScale, **kwargs).invoke(list(messages))


def lc_gemini(env: Env, *messages: Any, **kwargs: Any) -> Any:
    return env.lc(ChatYEScaleGemini, **kwargs).invoke(list(messages))


def li_user(text: str = "Hi") -> LIMessage:
    return LIMessage(role=MessageRole.USER, content=text)


def spent_budget(env: Env) -> Any:
    """A chat call under a budget of $0: nothing may be sent."""
    with yescale.costs.track_costs(budget_usd=0):
        return env.client().chat.create(
            model="gpt-4o-mini", messages=[{"role": "user", "content": "Hi"}]
        )


def drain(stream: Any) -> list[Any]:
    return list(stream)


async def adrain(stream: Any) -> list[Any]:
    return [item async for item in stream]


LONG_PROMPT = "word " * 20


def audio_folder() -> Path:
    """A folder the audio rows may read: ``hello.wav``, ``notes.txt``, ``photo.wav`` (a PNG) and
    ``escape.wav`` (a link to a recording outside it)."""
    import atexit
    import shutil
    import tempfile

    from tests.security.conftest import recordings_dir

    root = Path(tempfile.mkdtemp(prefix="yescale-bad-audio-"))
    atexit.register(shutil.rmtree, root, ignore_errors=True)
    folder, outside = root / "allowed", root / "outside"
    folder.mkdir()
    outside.mkdir()
    wav = (recordings_dir() / "hello.wav").read_bytes()
    (folder / "hello.wav").write_bytes(wav)
    (outside / "hello.wav").write_bytes(wav)
    (folder / "notes.txt").write_text("not audio")
    (folder / "photo.wav").write_bytes(PNG)
    (folder / "escape.wav").symlink_to(outside / "hello.wav")
    return folder


AUDIO = audio_folder()


def scratch() -> Path:
    """A folder for the fan-out and corpus rows' files (a fresh one per call)."""
    import atexit
    import shutil
    import tempfile

    root = Path(tempfile.mkdtemp(prefix="yescale-bad-scale-"))
    atexit.register(shutil.rmtree, root, ignore_errors=True)
    return root


def fan_out(env: Env, requests: Any, **options: Any) -> Any:
    """``client.media.fan_out`` with a manifest and results folder of its own."""
    folder = scratch()
    options.setdefault("manifest", folder / "fan-out.jsonl")
    options.setdefault("output_dir", folder / "out")
    return env.client().media.fan_out(requests, **options)


CAT = {"model": "sora-2", "prompt": "a cat surfing"}


def corpus_job(env: Env, **options: Any) -> Any:
    """``embed_corpus`` on a two-passage Parquet corpus (id, text). Every row here is refused
    before Ray starts: the test also checks Ray is not running afterwards."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    from yescale.ray_corpus import embed_corpus

    folder = scratch()
    corpus = folder / "corpus.parquet"
    pq.write_table(pa.table({"id": [1, 2], "text": ["a", "b"]}), corpus)
    (folder / "a-file").write_text("not a folder")
    (folder / "junk.parquet").write_text("not Parquet")
    options.setdefault("model", "text-embedding-3-small")
    options.setdefault("api_key", API_KEY)
    where = {"corpus": corpus, "output": folder / "vectors"}
    for name in ("corpus", "output"):
        if name in options:
            where[name] = folder / options.pop(name)
    return embed_corpus(where["corpus"], where["output"], **options)


def stt(env: Env, args: dict[str, Any], **kwargs: Any) -> Any:
    kwargs.setdefault("allowed_input_dirs", [AUDIO])
    return env.lc_tool(YEScaleSpeechToTextTool, args, **kwargs)


def tts(env: Env, args: dict[str, Any], **kwargs: Any) -> Any:
    return env.lc_tool(YEScaleTextToSpeechTool, args, **kwargs)


AUDIO_ROWS: list[Row] = [
    Row(
        "lc-stt-outside-allowed",
        "LangChain",
        "YEScaleSpeechToTextTool",
        "a path outside allowed_input_dirs",
        lambda e: stt(e, {"file": "/etc/hostname.wav"}),
        YEScaleToolInputError,
        "outside the allowed folders",
    ),
    Row(
        "lc-stt-symlink-escape",
        "LangChain",
        "YEScaleSpeechToTextTool",
        "a link in an allowed folder leading out of it",
        lambda e: stt(e, {"file": "escape.wav"}),
        YEScaleToolInputError,
        "outside the allowed folders (after resolving links)",
    ),
    Row(
        "lc-stt-no-allowed-dirs",
        "LangChain",
        "YEScaleSpeechToTextTool",
        "a local path, no allowed_input_dirs",
        lambda e: stt(e, {"file": str(AUDIO / "hello.wav")}, allowed_input_dirs=[]),
        YEScaleToolInputError,
        "reading local files is disabled",
    ),
    Row(
        "lc-stt-not-audio-extension",
        "LangChain",
        "YEScaleSpeechToTextTool",
        "a .txt file",
        lambda e: stt(e, {"file": "notes.txt"}),
        YEScaleToolInputError,
        "the audio endpoints accept flac, m4a, mp3",
    ),
    Row(
        "lc-stt-image-named-wav",
        "LangChain",
        "YEScaleSpeechToTextTool",
        "a PNG named .wav",
        lambda e: stt(e, {"file": "photo.wav"}),
        YEScaleToolInputError,
        "holds a PNG image, not audio",
    ),
    Row(
        "lc-stt-private-url",
        "LangChain",
        "YEScaleSpeechToTextTool",
        "a URL on a private address",
        lambda e: stt(e, {"file": "http://10.0.0.7/meeting.mp3"}),
        YEScaleToolInputError,
        "Audio URL",
    ),
    Row(
        "lc-stt-verbose-json-gpt4o",
        "LangChain",
        "YEScaleSpeechToTextTool",
        "verbose_json with gpt-4o-mini-transcribe",
        lambda e: stt(e, {"file": "hello.wav"}, transcript_format="verbose_json"),
        YEScaleToolInputError,
        "answers in 'json' or 'text' only",
    ),
    Row(
        "lc-stt-tts-model",
        "LangChain",
        "YEScaleSpeechToTextTool(...)",
        'model="tts-1"',
        lambda e: YEScaleSpeechToTextTool(model="tts-1"),
        InvalidRequestError,
        "a text-to-speech model",
    ),
    Row(
        "lc-tts-too-long",
        "LangChain",
        "YEScaleTextToSpeechTool",
        "5000 characters",
        lambda e: tts(e, {"text": "x" * 5000}),
        YEScaleToolInputError,
        "one speech request takes at most 4096",
    ),
    Row(
        "lc-tts-speed",
        "LangChain",
        "YEScaleTextToSpeechTool",
        "speed=9",
        lambda e: tts(e, {"text": "Hello", "speed": 9}),
        YEScaleToolInputError,
        "speed",
    ),
    Row(
        "lc-tts-instructions-tts1",
        "LangChain",
        "YEScaleTextToSpeechTool",
        "instructions with tts-1",
        lambda e: tts(e, {"text": "Hello", "instructions": "softly"}, model="tts-1"),
        YEScaleToolInputError,
        "takes no `instructions`",
    ),
    Row(
        "lc-tts-transcription-model",
        "LangChain",
        "YEScaleTextToSpeechTool(...)",
        'model="whisper-1"',
        lambda e: YEScaleTextToSpeechTool(model="whisper-1"),
        InvalidRequestError,
        "a speech-to-text model",
    ),
    Row(
        "li-spec-transcribe-outside",
        "LlamaIndex",
        "YEScaleToolSpec.transcribe_audio",
        "a path outside allowed_input_dirs",
        lambda e: e.li_tool(
            "transcribe_audio", {"file": "../etc/passwd.wav"}, allowed_input_dirs=[AUDIO]
        ),
        AudioInputError,
        "outside the allowed folders",
    ),
    Row(
        "li-spec-speech-empty",
        "LlamaIndex",
        "YEScaleToolSpec.generate_speech",
        "an empty text",
        lambda e: e.li_tool("generate_speech", {"text": "  "}),
        InvalidRequestError,
        "`input` must be the text to speak",
    ),
    Row(
        "li-reader-missing-file",
        "LlamaIndex",
        "YEScaleAudioReader.load_data",
        "a path that does not exist",
        lambda e: e.li(YEScaleAudioReader).load_data(AUDIO / "missing.wav"),
        AudioInputError,
        "No audio file at",
    ),
    Row(
        "li-reader-verbose-json-gpt4o",
        "LlamaIndex",
        "YEScaleAudioReader(...)",
        'transcript_format="verbose_json" with gpt-4o-mini-transcribe',
        lambda e: YEScaleAudioReader(transcript_format="verbose_json"),
        InvalidRequestError,
        "For subtitles or timestamps (srt, vtt, verbose_json) use model='whisper-1'",
    ),
]
GEMB = "gemini-embedding-001"


# -- the table -----------------------------------------------------------------------------------

ROWS: list[Row] = [
    # ---------------------------------------------------------------- yescale client: chat
    Row(
        "chat-empty-messages",
        "client",
        "client.chat.create",
        "messages=[]",
        lambda e: e.client().chat.create(model="gpt-4o-mini", messages=[]),
        InvalidRequestError,
        "`messages` must be a non-empty list",
    ),
    Row(
        "chat-messages-string",
        "client",
        "client.chat.create",
        'messages="Hi" (a string, not a list)',
        lambda e: e.client().chat.create(model="gpt-4o-mini", messages="Hi"),
        InvalidRequestError,
        "`messages` must be a non-empty list of message dicts",
    ),
    Row(
        "chat-unknown-role",
        "client",
        "client.chat.create",
        'role "wizard"',
        lambda e: e.client().chat.create(
            model="gpt-4o-mini", messages=[{"role": "wizard", "content": "Hi"}]
        ),
        InvalidRequestError,
        "messages[0] has role 'wizard': use one of system, developer, user",
    ),
    Row(
        "chat-content-int",
        "client",
        "client.chat.create",
        "content=42",
        lambda e: e.client().chat.create(
            model="gpt-4o-mini", messages=[{"role": "user", "content": 42}]
        ),
        InvalidRequestError,
        "messages[0].content is a int: it must be a string or a list of parts",
    ),
    Row(
        "chat-content-part-untyped",
        "client",
        "client.chat.create",
        'a content part without "type"',
        lambda e: e.client().chat.create(
            model="gpt-4o-mini", messages=[{"role": "user", "content": [{"text": "Hi"}]}]
        ),
        InvalidRequestError,
        "messages[0].content[0] must be a dict with a 'type'",
    ),
    Row(
        "chat-user-content-none",
        "client",
        "client.chat.create",
        "user message with content None",
        lambda e: e.client().chat.create(
            model="gpt-4o-mini", messages=[{"role": "user", "content": None}]
        ),
        InvalidRequestError,
        "messages[0] (user) has no content",
    ),
    Row(
        "chat-blank-prompt",
        "client",
        "client.chat.create",
        "every message empty / whitespace",
        lambda e: e.client().chat.create(
            model="gpt-4o-mini", messages=[{"role": "user", "content": "  \n "}]
        ),
        InvalidRequestError,
        "Every message is empty or whitespace",
    ),
    Row(
        "chat-tool-result-without-id",
        "client",
        "client.chat.create",
        "tool message without tool_call_id",
        lambda e: e.client().chat.create(
            model="gpt-4o-mini", messages=[*HI, {"role": "tool", "content": "18°C"}]
        ),
        InvalidRequestError,
        "without 'tool_call_id'",
    ),
    Row(
        "chat-tool-call-args-dict",
        "client",
        "client.chat.create",
        "tool-call arguments as a dict, not JSON text",
        lambda e: e.client().chat.create(
            model="gpt-4o-mini",
            messages=[
                *HI,
                {
                    "role": "assistant",
                    "content": None,
                    "tool_calls": [
                        {
                            "id": "call_1",
                            "type": "function",
                            "function": {"name": "get_weather", "arguments": {"city": "Hanoi"}},
                        }
                    ],
                },
            ],
        ),
        InvalidRequestError,
        "pass json.dumps(arguments)",
    ),
    Row(
        "chat-value-not-json",
        "client",
        "client.chat.create",
        "a datetime inside a message",
        lambda e: e.client().chat.create(
            model="gpt-4o-mini",
            messages=[{"role": "user", "content": "Hi", "sent_at": datetime.datetime(2025, 1, 1)}],
        ),
        InvalidRequestError,
        "messages[0].sent_at is a datetime",
    ),
    Row(
        "chat-nan-in-extra-param",
        "client",
        "client.chat.create",
        "NaN in a pass-through parameter (logit_bias)",
        lambda e: e.client().chat.create(
            model="gpt-4o-mini", messages=HI, logit_bias={"50256": float("nan")}
        ),
        InvalidRequestError,
        "logit_bias.50256 is nan, and JSON has no NaN",
    ),
    Row(
        "chat-tool-definition-not-json",
        "client",
        "client.chat.create",
        "a date as a tool parameter default",
        lambda e: e.client().chat.create(
            model="gpt-4o-mini",
            messages=HI,
            tools=[
                {
                    "type": "function",
                    "function": {
                        "name": "book",
                        "parameters": {
                            "type": "object",
                            "properties": {
                                "day": {"type": "string", "default": datetime.date(2025, 1, 1)}
                            },
                        },
                    },
                }
            ],
        ),
        InvalidRequestError,
        "tools[0].function.parameters.properties.day.default is a date",
    ),
    Row(
        "chat-tool-bad-name",
        "client",
        "client.chat.create",
        'tool named "get weather" (a space)',
        lambda e: e.client().chat.create(
            model="gpt-4o-mini",
            messages=HI,
            tools=[{"type": "function", "function": {"name": "get weather"}}],
        ),
        InvalidRequestError,
        "tool names must be 1-64 letters, digits, '_' or '-'",
    ),
    Row(
        "chat-tool-duplicate-name",
        "client",
        "client.chat.create",
        "two tools named get_weather",
        lambda e: e.client().chat.create(
            model="gpt-4o-mini", messages=HI, tools=[WEATHER_TOOL, WEATHER_TOOL]
        ),
        InvalidRequestError,
        "tools[0] and tools[1] are both named 'get_weather'",
    ),
    Row(
        "chat-tool-not-a-dict",
        "client",
        "client.chat.create",
        'tools=["get_weather"]',
        lambda e: e.client().chat.create(model="gpt-4o-mini", messages=HI, tools=["get_weather"]),
        InvalidRequestError,
        "tools[0] must be a dict",
    ),
    Row(
        "chat-tools-not-a-list",
        "client",
        "client.chat.create",
        "tools=<one tool dict>",
        lambda e: e.client().chat.create(model="gpt-4o-mini", messages=HI, tools=WEATHER_TOOL),
        InvalidRequestError,
        "Wrap a single tool in a list",
    ),
    Row(
        "chat-tool-choice-unknown",
        "client",
        "client.chat.create",
        'tool_choice="sometimes"',
        lambda e: e.client().chat.create(
            model="gpt-4o-mini", messages=HI, tools=[WEATHER_TOOL], tool_choice="sometimes"
        ),
        InvalidRequestError,
        "tool_choice 'sometimes' is not one of 'auto', 'none', 'required'",
    ),
    Row(
        "chat-tool-choice-not-a-tool",
        "client",
        "client.chat.create",
        "tool_choice names a tool not given",
        lambda e: e.client().chat.create(
            model="gpt-4o-mini",
            messages=HI,
            tools=[WEATHER_TOOL],
            tool_choice={"type": "function", "function": {"name": "get_time"}},
        ),
        InvalidRequestError,
        "tool_choice names the tool 'get_time', which is not among the tools given",
    ),
    Row(
        "chat-tool-choice-required-no-tools",
        "client",
        "client.chat.create",
        'tool_choice="required" without tools',
        lambda e: e.client().chat.create(model="gpt-4o-mini", messages=HI, tool_choice="required"),
        InvalidRequestError,
        "no tools were given",
    ),
    Row(
        "chat-temperature-high",
        "client",
        "client.chat.create",
        "temperature=5",
        lambda e: e.client().chat.create(model="gpt-4o-mini", messages=HI, temperature=5),
        InvalidRequestError,
        "temperature=5: Input should be less than or equal to 2",
    ),
    Row(
        "chat-temperature-nan",
        "client",
        "client.chat.create",
        "temperature=nan",
        lambda e: e.client().chat.create(
            model="gpt-4o-mini", messages=HI, temperature=float("nan")
        ),
        InvalidRequestError,
        "temperature=nan: Input should be a finite number",
    ),
    Row(
        "chat-temperature-text",
        "client",
        "client.chat.create",
        'temperature="hot"',
        lambda e: e.client().chat.create(model="gpt-4o-mini", messages=HI, temperature="hot"),
        InvalidRequestError,
        "temperature='hot': Input should be a valid number",
    ),
    Row(
        "chat-top-p-high",
        "client",
        "client.chat.create",
        "top_p=1.5",
        lambda e: e.client().chat.create(model="gpt-4o-mini", messages=HI, top_p=1.5),
        InvalidRequestError,
        "top_p=1.5: Input should be less than or equal to 1",
    ),
    Row(
        "chat-max-tokens-zero",
        "client",
        "client.chat.create",
        "max_tokens=0",
        lambda e: e.client().chat.create(model="gpt-4o-mini", messages=HI, max_tokens=0),
        InvalidRequestError,
        "max_tokens=0: Input should be greater than or equal to 1",
    ),
    Row(
        "chat-max-tokens-negative",
        "client",
        "client.chat.create",
        "max_tokens=-5",
        lambda e: e.client().chat.create(model="gpt-4o-mini", messages=HI, max_tokens=-5),
        InvalidRequestError,
        "max_tokens=-5",
    ),
    Row(
        "chat-n-zero",
        "client",
        "client.chat.create",
        "n=0",
        lambda e: e.client().chat.create(model="gpt-4o-mini", messages=HI, n=0),
        InvalidRequestError,
        "n=0: Input should be greater than or equal to 1",
    ),
    Row(
        "chat-n-too-many",
        "client",
        "client.chat.create",
        "n=129",
        lambda e: e.client().chat.create(model="gpt-4o-mini", messages=HI, n=129),
        InvalidRequestError,
        "n=129: Input should be less than or equal to 128",
    ),
    Row(
        "chat-embedding-model",
        "client",
        "client.chat.create",
        'model="text-embedding-3-small"',
        lambda e: e.client().chat.create(model="text-embedding-3-small", messages=HI),
        InvalidRequestError,
        "is an embedding model, not a chat model",
    ),
    Row(
        "chat-video-model",
        "client",
        "client.chat.create",
        'model="sora-2"',
        lambda e: e.client().chat.create(model="sora-2", messages=HI),
        InvalidRequestError,
        "is a video model, not a chat model. Run it as a media task",
    ),
    Row(
        "chat-empty-model",
        "client",
        "client.chat.create",
        'model=""',
        lambda e: e.client().chat.create(model="", messages=HI),
        InvalidRequestError,
        "`model` must be a non-empty string",
    ),
    Row(
        "chat-stream-value-not-json",
        "client",
        "client.chat.stream",
        "a datetime in a streamed request",
        lambda e: drain(
            e.client().chat.stream(
                model="gpt-4o-mini",
                messages=[{"role": "user", "content": "Hi", "at": datetime.datetime(2025, 1, 1)}],
            )
        ),
        InvalidRequestError,
        "messages[0].at is a datetime",
    ),
    Row(
        "chat-async-temperature",
        "client",
        "client.aio.chat.create",
        "temperature=-1",
        lambda e: e.client().aio.chat.create(model="gpt-4o-mini", messages=HI, temperature=-1),
        InvalidRequestError,
        "temperature=-1: Input should be greater than or equal to 0",
    ),
    Row(
        "chat-unknown-model",
        "client",
        "client.chat.create",
        'a model YEScale does not serve ("gpt-9")',
        lambda e: e.client().chat.create(model="gpt-9", messages=HI),
        NotFoundError,
        "The model `gpt-9` does not exist. Check the model name (client.system.models()",
        sent=1,
        server=server_error(404, "The model `gpt-9` does not exist.", "model_not_found"),
    ),
    Row(
        "chat-max-tokens-above-model-limit",
        "client",
        "client.chat.create",
        "max_tokens above the model's output limit",
        lambda e: e.client().chat.create(model="gpt-4o-mini", messages=HI, max_tokens=10**6),
        BadRequestError,
        "max_tokens is too large: 1000000",
        sent=1,
        server=server_error(
            400,
            "max_tokens is too large: 1000000. This model supports at most 16384 completion "
            "tokens, whereas you provided 1000000.",
        ),
    ),
    Row(
        "chat-prompt-too-long",
        "client",
        "client.chat.create",
        "a prompt longer than the context window",
        lambda e: e.client().chat.create(
            model="gpt-4o-mini", messages=[{"role": "user", "content": LONG_PROMPT}]
        ),
        ContextLengthExceededError,
        "Shorten the prompt or lower max_tokens",
        sent=1,
        server=server_error(
            400,
            "This model's maximum context length is 128000 tokens. However, your messages "
            "resulted in 250000 tokens.",
            "context_length_exceeded",
        ),
    ),
    # ---------------------------------------------------------------- yescale client: embeddings
    Row(
        "emb-empty-list",
        "client",
        "client.embeddings.create",
        "input=[]",
        lambda e: e.client().embeddings.create(model="text-embedding-3-small", input=[]),
        InvalidRequestError,
        "Embedding `input` is an empty list",
    ),
    Row(
        "emb-int-items",
        "client",
        "client.embeddings.create",
        "input=[1, 2]",
        lambda e: e.client().embeddings.create(model="text-embedding-3-small", input=[1, 2]),
        InvalidRequestError,
        "Embedding input[0] is a int, not a string",
    ),
    Row(
        "emb-none-item",
        "client",
        "client.embeddings.create",
        'input=["a", None]',
        lambda e: e.client().embeddings.create(model="text-embedding-3-small", input=["a", None]),
        InvalidRequestError,
        "Embedding input[1] is a NoneType",
    ),
    Row(
        "emb-bytes",
        "client",
        "client.embeddings.create",
        'input=b"hi"',
        lambda e: e.client().embeddings.create(model="text-embedding-3-small", input=b"hi"),
        InvalidRequestError,
        "must be a string or a non-empty list of strings, got bytes",
    ),
    Row(
        "emb-nested-list",
        "client",
        "client.embeddings.create",
        'input=[["a"]]',
        lambda e: e.client().embeddings.create(model="text-embedding-3-small", input=[["a"]]),
        InvalidRequestError,
        "Embedding input[0] is a list",
    ),
    Row(
        "emb-dimensions-zero",
        "client",
        "client.embeddings.create",
        "dimensions=0",
        lambda e: e.client().embeddings.create(
            model="text-embedding-3-small", input="hi", dimensions=0
        ),
        InvalidRequestError,
        "`dimensions` must be a positive integer",
    ),
    Row(
        "emb-extra-param-not-json",
        "client",
        "client.embeddings.create",
        "an object in a pass-through parameter",
        lambda e: e.client().embeddings.create(
            model="text-embedding-3-small", input="hi", metadata={"at": object()}
        ),
        InvalidRequestError,
        "metadata.at is a object",
    ),
    Row(
        "emb-input-too-long",
        "client",
        "client.embeddings.create",
        "a text longer than the model takes",
        lambda e: e.client().embeddings.create(model="text-embedding-3-small", input=LONG_PROMPT),
        ContextLengthExceededError,
        "maximum context length is 8192 tokens",
        sent=1,
        server=server_error(
            400,
            "This model's maximum context length is 8192 tokens, however you requested 9000 "
            "tokens.",
        ),
    ),
    Row(
        "emb-chat-model-client",
        "client",
        "client.embeddings.create",
        'model="gpt-4o" (a chat model)',
        lambda e: e.client().embeddings.create(model="gpt-4o", input="hi"),
        InvalidRequestError,
        "is a chat model",
    ),
    # ------------------------------------------- yescale client: Gemini-native embeddings
    Row(
        "gemb-empty-list",
        "client",
        "client.gemini.embeddings.batch_embed_contents",
        "texts=[]",
        lambda e: e.client().gemini.embeddings.batch_embed_contents(model=GEMB, texts=[]),
        InvalidRequestError,
        "Embedding `input` is an empty list",
    ),
    Row(
        "gemb-int-item",
        "client",
        "client.gemini.embeddings.batch_embed_contents",
        'texts=["a", 1]',
        lambda e: e.client().gemini.embeddings.batch_embed_contents(
            model=GEMB,
            texts=["a", 1],  # type: ignore[list-item]
        ),
        InvalidRequestError,
        "Embedding input[1] is a int",
    ),
    Row(
        "gemb-single-string",
        "client",
        "client.gemini.embeddings.batch_embed_contents",
        'texts="abc"',
        lambda e: e.client().gemini.embeddings.batch_embed_contents(model=GEMB, texts="abc"),
        InvalidRequestError,
        "takes a list of texts, not a single string",
    ),
    Row(
        "gemb-over-100",
        "client",
        "client.gemini.embeddings.batch_embed_contents",
        "101 texts in one batch",
        lambda e: e.client().gemini.embeddings.batch_embed_contents(model=GEMB, texts=["t"] * 101),
        InvalidRequestError,
        "takes at most 100 texts, got 101",
    ),
    Row(
        "gemb-bad-task-type",
        "client",
        "client.gemini.embeddings.batch_embed_contents",
        'task_type="ranking"',
        lambda e: e.client().gemini.embeddings.batch_embed_contents(
            model=GEMB, texts=["a"], task_type="ranking"
        ),
        InvalidRequestError,
        "Unknown Gemini task type 'ranking': use one of RETRIEVAL_QUERY",
    ),
    Row(
        "gemb-dimensionality-zero",
        "client",
        "client.gemini.embeddings.embed_content",
        "output_dimensionality=0",
        lambda e: e.client().gemini.embeddings.embed_content(
            model=GEMB, text="a", output_dimensionality=0
        ),
        InvalidRequestError,
        "`output_dimensionality` (`dimensions`) must be a positive integer",
    ),
    Row(
        "gemb-title-not-document",
        "client",
        "client.gemini.embeddings.embed_content",
        'title= with task_type="retrieval_query"',
        lambda e: e.client().gemini.embeddings.embed_content(
            model=GEMB, text="a", task_type="retrieval_query", title="T"
        ),
        InvalidRequestError,
        "`title` is only for task_type 'RETRIEVAL_DOCUMENT'",
    ),
    Row(
        "gemb-list-to-embed-content",
        "client",
        "client.gemini.embeddings.embed_content",
        'text=["a", "b"]',
        lambda e: e.client().gemini.embeddings.embed_content(
            model=GEMB,
            text=["a", "b"],  # type: ignore[arg-type]
        ),
        InvalidRequestError,
        "embed_content takes one text (a string), got list",
    ),
    Row(
        "gemb-openai-model",
        "client",
        "client.gemini.embeddings.batch_embed_contents",
        'model="text-embedding-3-small"',
        lambda e: e.client().gemini.embeddings.batch_embed_contents(
            model="text-embedding-3-small", texts=["a"]
        ),
        InvalidRequestError,
        "is not a Gemini embedding model",
    ),
    Row(
        "gemb-text-too-long",
        "client",
        "client.gemini.embeddings.batch_embed_contents",
        "a text longer than the model takes",
        lambda e: e.client().gemini.embeddings.batch_embed_contents(
            model=GEMB, texts=[LONG_PROMPT]
        ),
        ContextLengthExceededError,
        "exceeds the maximum number of tokens allowed (2048)",
        sent=1,
        server=server_error(
            400, "The input token count (3100) exceeds the maximum number of tokens allowed (2048)."
        ),
    ),
    # ---------------------------------------------------------------- yescale client: images
    Row(
        "img-empty-prompt",
        "client",
        "client.images.generate",
        'prompt=""',
        lambda e: e.client().images.generate(prompt=""),
        InvalidRequestError,
        "`prompt` must be a non-empty string, got an empty string. Describe the image",
    ),
    Row(
        "img-blank-prompt",
        "client",
        "client.images.generate",
        "whitespace prompt",
        lambda e: e.client().images.generate(prompt=" \n\t"),
        InvalidRequestError,
        "`prompt` must be a non-empty string",
    ),
    Row(
        "img-size-gpt-image",
        "client",
        "client.images.generate",
        'gpt-image-1, size="999x999"',
        lambda e: e.client().images.generate(prompt="a fox", size="999x999"),
        ImageParameterError,
        "size='999x999' is not allowed (allowed: 1024x1024, 1536x1024, 1024x1536, auto)",
    ),
    Row(
        "img-size-dall-e-3",
        "client",
        "client.images.generate",
        'dall-e-3, size="1536x1024"',
        lambda e: e.client().images.generate(prompt="a fox", model="dall-e-3", size="1536x1024"),
        ImageParameterError,
        "allowed: 1024x1024, 1792x1024, 1024x1792",
    ),
    Row(
        "img-n-zero",
        "client",
        "client.images.generate",
        "n=0",
        lambda e: e.client().images.generate(prompt="a fox", n=0),
        ImageParameterError,
        "n=0 is not allowed (allowed: an integer from 1 to 10)",
    ),
    Row(
        "img-n-too-many",
        "client",
        "client.images.generate",
        "gpt-image-1, n=11",
        lambda e: e.client().images.generate(prompt="a fox", n=11),
        ImageParameterError,
        "n=11 is not allowed (allowed: an integer from 1 to 10)",
    ),
    Row(
        "img-n-dall-e-3",
        "client",
        "client.images.generate",
        "dall-e-3, n=2",
        lambda e: e.client().images.generate(prompt="a fox", model="dall-e-3", n=2),
        ImageParameterError,
        "n=2 is not allowed (allowed: 1)",
    ),
    Row(
        "img-n-zero-any-model",
        "client",
        "client.images.generate",
        "imagen, n=0",
        lambda e: e.client().images.generate(prompt="a fox", model="imagen-4.0-generate-001", n=0),
        ImageParameterError,
        "n=0 is not allowed (allowed: an integer >= 1)",
    ),
    Row(
        "img-quality",
        "client",
        "client.images.generate",
        'quality="ultra"',
        lambda e: e.client().images.generate(prompt="a fox", quality="ultra"),
        ImageParameterError,
        "quality='ultra' is not allowed (allowed: high, medium, low, auto)",
    ),
    Row(
        "img-style-gpt-image",
        "client",
        "client.images.generate",
        'gpt-image-1, style="vivid"',
        lambda e: e.client().images.generate(prompt="a fox", style="vivid"),
        ImageParameterError,
        "style='vivid' is not a gpt-image-1 parameter",
    ),
    Row(
        "img-format",
        "client",
        "client.images.generate",
        'output_format="gif"',
        lambda e: e.client().images.generate(prompt="a fox", output_format="gif"),
        ImageParameterError,
        "output_format='gif' is not allowed (allowed: png, jpeg, webp)",
    ),
    Row(
        "img-transparent-jpeg",
        "client",
        "client.images.generate",
        "transparent background as JPEG",
        lambda e: e.client().images.generate(
            prompt="a fox", background="transparent", output_format="jpeg"
        ),
        ImageParameterError,
        "JPEG has no transparency (use png or webp)",
    ),
    Row(
        "img-chat-model",
        "client",
        "client.images.generate",
        'model="gpt-4o" (a chat model)',
        lambda e: e.client().images.generate(prompt="a fox", model="gpt-4o"),
        InvalidRequestError,
        "'gpt-4o' is a chat model, not an image model. Use an image model such as 'gpt-image-1'",
    ),
    Row(
        "img-prompt-too-long",
        "client",
        "client.images.generate",
        "dall-e-3, a 5000-character prompt",
        lambda e: e.client().images.generate(prompt="x" * 5000, model="dall-e-3"),
        ImageParameterError,
        "the prompt has 5000 characters; dall-e-3 takes at most 4000",
    ),
    Row(
        "img-edit-no-images",
        "client",
        "client.images.edit",
        "image=[]",
        lambda e: e.client().images.edit(image=[], prompt="make it winter"),
        InvalidRequestError,
        "`image` must hold at least one input image",
    ),
    Row(
        "img-edit-path-string",
        "client",
        "client.images.edit",
        'image="fox.png" (a str, not a Path)',
        lambda e: e.client().images.edit(image="fox.png", prompt="make it winter"),
        InvalidRequestError,
        "An input image must be bytes, a pathlib.Path or (filename, bytes, mime type)",
    ),
    Row(
        "img-edit-dall-e-3",
        "client",
        "client.images.edit",
        "dall-e-3 edit",
        lambda e: e.client().images.edit(image=PNG, prompt="make it winter", model="dall-e-3"),
        ImageParameterError,
        "dall-e-3 cannot edit images",
    ),
    Row(
        "img-size-unlisted-model",
        "client",
        "client.images.generate",
        'an unlisted model, size="huge"',
        lambda e: e.client().images.generate(prompt="a fox", model="flux-pro-9", size="huge"),
        BadRequestError,
        "Invalid size 'huge'",
        sent=1,
        server=server_error(400, "Invalid size 'huge'. Supported sizes: 1024x1024."),
    ),
    # ----------------------------------------------------- yescale client: Responses and audio
    Row(
        "responses-empty-input",
        "client",
        "client.responses.create",
        "input=[]",
        lambda e: e.client().responses.create(model="gpt-5-mini", input=[]),
        InvalidRequestError,
        "`input` must be a non-empty string or a non-empty list of items",
    ),
    Row(
        "responses-reasoning-effort",
        "client",
        "client.responses.create",
        'reasoning={"effort": "extreme"}',
        lambda e: e.client().responses.create(
            model="gpt-5-mini", input="Hi", reasoning={"effort": "extreme"}
        ),
        InvalidRequestError,
        "reasoning.effort is 'extreme': it is one of",
    ),
    Row(
        "responses-chat-stop",
        "client",
        "client.responses.chat.create",
        'stop=["END"]',
        lambda e: e.client().responses.chat.create(
            model="gpt-5-mini", messages=[{"role": "user", "content": "Hi"}], stop=["END"]
        ),
        InvalidRequestError,
        "stop is not supported over /v1/responses",
    ),
    Row(
        "audio-empty-bytes",
        "client",
        "client.audio.transcriptions.create",
        "file=b''",
        lambda e: e.client().audio.transcriptions.create(file=b"", model="gpt-4o-mini-transcribe"),
        InvalidRequestError,
        "The audio bytes is empty (0 bytes)",
    ),
    Row(
        "audio-text-file",
        "client",
        "client.audio.transcriptions.create",
        "a .txt file",
        lambda e: e.client().audio.transcriptions.create(
            file=("notes.txt", b"hello"), model="gpt-4o-mini-transcribe"
        ),
        InvalidRequestError,
        "has the extension '.txt'; the audio endpoints accept flac",
    ),
    Row(
        "audio-speech-stt-model",
        "client",
        "client.audio.speech.create",
        'model="whisper-1"',
        lambda e: e.client().audio.speech.create(model="whisper-1", input="Hi", voice="alloy"),
        InvalidRequestError,
        "'whisper-1' is a speech-to-text model",
    ),
    # ---------------------------------------------------------------- yescale client: Gemini
    Row(
        "gemini-empty-contents",
        "client",
        "client.gemini.generate_content",
        "contents=[]",
        lambda e: e.client().gemini.generate_content(model="gemini-2.5-flash", contents=[]),
        InvalidRequestError,
        "`contents` must be a prompt string or a non-empty list",
    ),
    Row(
        "gemini-blank-prompt",
        "client",
        "client.gemini.generate_content",
        'contents="  "',
        lambda e: e.client().gemini.generate_content(model="gemini-2.5-flash", contents="  "),
        InvalidRequestError,
        "`contents` must be a non-empty string",
    ),
    Row(
        "gemini-empty-parts",
        "client",
        "client.gemini.generate_content",
        "a content with parts=[]",
        lambda e: e.client().gemini.generate_content(
            model="gemini-2.5-flash", contents=[{"role": "user", "parts": []}]
        ),
        InvalidRequestError,
        "contents[0].parts must be a non-empty list",
    ),
    Row(
        "gemini-role-assistant",
        "client",
        "client.gemini.generate_content",
        'role "assistant" in Gemini contents',
        lambda e: e.client().gemini.generate_content(
            model="gemini-2.5-flash", contents=[{"role": "assistant", "parts": [{"text": "Hi"}]}]
        ),
        InvalidRequestError,
        "has role 'assistant': use 'model' for the model's turns",
    ),
    Row(
        "gemini-gpt-model",
        "client",
        "client.gemini.generate_content",
        'model="gpt-4o" on the Gemini endpoint',
        lambda e: e.client().gemini.generate_content(model="gpt-4o", contents="Hi"),
        InvalidRequestError,
        "'gpt-4o' is not a Gemini model",
    ),
    Row(
        "gemini-temperature",
        "client",
        "client.gemini.generate_content",
        "generationConfig temperature=3",
        lambda e: e.client().gemini.generate_content(
            model="gemini-2.5-flash", contents="Hi", generation_config={"temperature": 3}
        ),
        InvalidRequestError,
        "generationConfig.temperature=3 is out of range: Gemini takes a number from 0 to 2",
    ),
    Row(
        "gemini-max-output-tokens-zero",
        "client",
        "client.gemini.generate_content",
        "maxOutputTokens=0",
        lambda e: e.client().gemini.generate_content(
            model="gemini-2.5-flash", contents="Hi", generation_config={"maxOutputTokens": 0}
        ),
        InvalidRequestError,
        "generationConfig.maxOutputTokens=0 is out of range",
    ),
    Row(
        "gemini-candidate-count",
        "client",
        "client.gemini.generate_content",
        "candidateCount=9",
        lambda e: e.client().gemini.generate_content(
            model="gemini-2.5-flash", contents="Hi", generation_config={"candidateCount": 9}
        ),
        InvalidRequestError,
        "Gemini takes an integer from 1 to 8",
    ),
    Row(
        "gemini-thinking-budget",
        "client",
        "client.gemini.generate_content",
        "thinkingBudget=-5",
        lambda e: e.client().gemini.generate_content(
            model="gemini-2.5-flash",
            contents="Hi",
            generation_config={"thinkingConfig": {"thinkingBudget": -5}},
        ),
        InvalidRequestError,
        "thinkingBudget=-5 is not allowed: use -1 (the model decides), 0",
    ),
    Row(
        "gemini-generation-config-text",
        "client",
        "client.gemini.generate_content",
        'generation_config="fast"',
        lambda e: e.client().gemini.generate_content(
            model="gemini-2.5-flash", contents="Hi", generation_config="fast"
        ),
        InvalidRequestError,
        "generation_config must be a dict of Gemini generationConfig fields",
    ),
    Row(
        "gemini-chat-unknown-role",
        "client",
        "client.gemini.chat.create",
        'role "wizard"',
        lambda e: e.client().gemini.chat.create(
            model="gemini-2.5-flash", messages=[{"role": "wizard", "content": "Hi"}]
        ),
        InvalidRequestError,
        "Gemini takes system, user, assistant and tool",
    ),
    Row(
        "gemini-chat-bad-role-before-image-fetch",
        "client",
        "client.gemini.chat.create",
        "an image URL, then a bad role",
        lambda e: e.client().gemini.chat.create(
            model="gemini-2.5-flash",
            messages=[
                {
                    "role": "user",
                    "content": [
                        {"type": "image_url", "image_url": {"url": "https://example.com/a.png"}}
                    ],
                },
                {"role": "wizard", "content": "Hi"},
            ],
        ),
        InvalidRequestError,
        "messages[1] has role 'wizard'",
    ),
    Row(
        "gemini-chat-orphan-tool-result",
        "client",
        "client.gemini.chat.create",
        "a tool result for a call never made",
        lambda e: e.client().gemini.chat.create(
            model="gemini-2.5-flash",
            messages=[*HI, {"role": "tool", "tool_call_id": "call_9", "content": "18°C"}],
        ),
        InvalidRequestError,
        "which no earlier assistant message made: Gemini needs the function's name",
    ),
    Row(
        "gemini-chat-recursive-tool",
        "client",
        "client.gemini.chat.create",
        "a tool whose parameters are recursive",
        lambda e: e.client().gemini.chat.create(
            model="gemini-2.5-flash",
            messages=HI,
            tools=[
                {
                    "type": "function",
                    "function": {"name": "plant", "parameters": TreeNode.model_json_schema()},
                }
            ],
        ),
        InvalidRequestError,
        "The parameters of tool 'plant' cannot be sent to Gemini: The schema is recursive",
    ),
    Row(
        "gemini-chat-tool-choice-not-a-tool",
        "client",
        "client.gemini.chat.create",
        "tool_choice names a tool not given",
        lambda e: e.client().gemini.chat.create(
            model="gemini-2.5-flash",
            messages=HI,
            tools=[WEATHER_TOOL],
            tool_choice={"type": "function", "function": {"name": "get_time"}},
        ),
        InvalidRequestError,
        "tool_choice names 'get_time', which is not among the tools given",
    ),
    # ------------------------------------------------- yescale client: JSON schema -> Gemini
    Row(
        "schema-recursive",
        "client",
        "yescale.translate.gemini_schema.to_gemini_schema",
        "a recursive model ($ref cycle)",
        lambda e: to_gemini_schema(TreeNode.model_json_schema()),
        InvalidRequestError,
        "recursive at #/children/items (TreeNode -> TreeNode)",
    ),
    Row(
        "schema-tuple",
        "client",
        "yescale.translate.gemini_schema.to_gemini_schema",
        "a tuple field (prefixItems)",
        lambda e: to_gemini_schema(Pair.model_json_schema()),
        InvalidRequestError,
        "The schema at #/point has a tuple (prefixItems)",
    ),
    Row(
        "schema-free-form-dict",
        "client",
        "yescale.translate.gemini_schema.to_gemini_schema",
        "a dict[str, Any] field",
        lambda e: to_gemini_schema(Settings.model_json_schema()),
        InvalidRequestError,
        "The object at #/values has no fixed properties (a free-form dict)",
    ),
    Row(
        "schema-pattern-properties",
        "client",
        "yescale.translate.gemini_schema.to_gemini_schema",
        "patternProperties",
        lambda e: to_gemini_schema(
            {
                "type": "object",
                "properties": {"id": {"type": "string"}},
                "patternProperties": {"^x-": {"type": "string"}},
            }
        ),
        InvalidRequestError,
        "keys matching a pattern (patternProperties)",
    ),
    Row(
        "schema-if-then-else",
        "client",
        "yescale.translate.gemini_schema.to_gemini_schema",
        "if / then / else",
        lambda e: to_gemini_schema(
            {
                "type": "object",
                "properties": {"kind": {"type": "string"}},
                "if": {"properties": {"kind": {"const": "a"}}},
                "then": {"required": ["kind"]},
            }
        ),
        InvalidRequestError,
        "a conditional schema (if/then/else)",
    ),
    Row(
        "schema-not",
        "client",
        "yescale.translate.gemini_schema.to_gemini_schema",
        '"not"',
        lambda e: to_gemini_schema({"type": "string", "not": {"const": "x"}}),
        InvalidRequestError,
        "a negated schema (not)",
    ),
    Row(
        "schema-unresolvable-ref",
        "client",
        "yescale.translate.gemini_schema.to_gemini_schema",
        "a remote $ref",
        lambda e: to_gemini_schema({"$ref": "https://example.com/schema.json"}),
        InvalidRequestError,
        "only local references such as '#/$defs/Name' can be inlined",
    ),
    Row(
        "schema-malformed-enum",
        "client",
        "yescale.translate.gemini_schema.to_gemini_schema",
        'enum="abc" (not a list)',
        lambda e: to_gemini_schema({"enum": "abc"}),
        InvalidRequestError,
        "enum at # must be a non-empty list of values",
    ),
    # ---------------------------------------------------------------- yescale client: media
    Row(
        "media-empty-prompt",
        "client",
        "client.media.submit",
        'prompt=""',
        lambda e: e.client().media.submit(model="sora-2", prompt=""),
        InvalidRequestError,
        "`prompt` must be a non-empty string",
    ),
    Row(
        "media-config-list",
        "client",
        "client.media.submit",
        'config=["16:9"]',
        lambda e: e.client().media.submit(model="sora-2", prompt="a cat", config=["16:9"]),
        InvalidRequestError,
        "`config` must be a dict of model parameters",
    ),
    Row(
        "media-config-not-json",
        "client",
        "client.media.submit",
        "a datetime in config",
        lambda e: e.client().media.submit(
            model="sora-2", prompt="a cat", config={"start": datetime.datetime(2025, 1, 1)}
        ),
        InvalidRequestError,
        "config.start is a datetime",
    ),
    Row(
        "media-wait-timeout-zero",
        "client",
        "client.media.wait",
        "timeout=0",
        lambda e: e.client().media.wait("task-1", timeout=0),
        InvalidRequestError,
        "poll_interval and timeout must be positive numbers of seconds",
    ),
    Row(
        "media-wait-empty-task-id",
        "client",
        "client.media.wait",
        'task_id=""',
        lambda e: e.client().media.wait(""),
        InvalidRequestError,
        "`task_id` must be a non-empty string",
    ),
    Row(
        "media-unknown-model",
        "client",
        "client.media.submit",
        'a model the service does not know ("sora-99")',
        lambda e: e.client().media.submit(model="sora-99", prompt="a cat"),
        BadRequestError,
        "model sora-99 is not supported",
        sent=1,
        server=server_error(400, "model sora-99 is not supported"),
    ),
    # ---------------------------------------------------------------- yescale client: fan-out
    Row(
        "fanout-empty",
        "client",
        "client.media.fan_out",
        "requests=[]",
        lambda e: fan_out(e, []),
        InvalidRequestError,
        "`requests` is empty: nothing to submit",
    ),
    Row(
        "fanout-single-request",
        "client",
        "client.media.fan_out",
        "one request dict instead of a list",
        lambda e: fan_out(e, CAT),
        InvalidRequestError,
        "not a single one",
    ),
    Row(
        "fanout-no-prompt",
        "client",
        "client.media.fan_out",
        "a request without a prompt",
        lambda e: fan_out(e, [{"model": "sora-2"}]),
        InvalidRequestError,
        "request 0 needs a 'model' and a 'prompt'",
    ),
    Row(
        "fanout-unknown-field",
        "client",
        "client.media.fan_out",
        "a request with a field of its config at the top (size)",
        lambda e: fan_out(e, [{**CAT, "size": "720x1280"}]),
        InvalidRequestError,
        "request 0 has unknown fields ['size']",
    ),
    Row(
        "fanout-duplicate",
        "client",
        "client.media.fan_out",
        "the same request twice (one key for both)",
        lambda e: fan_out(e, [CAT, CAT]),
        InvalidRequestError,
        "requests 0 and 1 have the same key",
    ),
    Row(
        "fanout-key-path",
        "client",
        "client.media.fan_out",
        'key "../cat" (it names the result file)',
        lambda e: fan_out(e, [{**CAT, "key": "../cat"}]),
        InvalidRequestError,
        "key '../cat' is not usable",
    ),
    Row(
        "fanout-config-datetime",
        "client",
        "client.media.fan_out",
        "a datetime in a request's config",
        lambda e: fan_out(e, [{**CAT, "config": {"start": datetime.datetime(2025, 1, 1)}}]),
        InvalidRequestError,
        "request 0: config.start is a datetime",
    ),
    Row(
        "fanout-chat-model",
        "client",
        "client.media.fan_out",
        "a chat model in a request",
        lambda e: fan_out(e, [CAT, {"model": "gpt-4o-mini", "prompt": "a dog"}]),
        InvalidRequestError,
        "'gpt-4o-mini' is a chat model, not a media model",
    ),
    Row(
        "fanout-key-in-prompt",
        "client",
        "client.media.fan_out",
        "the API key inside a prompt",
        lambda e: fan_out(e, [{"model": "sora-2", "prompt": f"a cat {API_KEY}"}]),
        InvalidRequestError,
        "holds the client's API or access key: it would be written to the manifest",
    ),
    Row(
        "fanout-concurrency-zero",
        "client",
        "client.media.fan_out",
        "max_concurrency=0",
        lambda e: fan_out(e, [CAT], max_concurrency=0),
        InvalidRequestError,
        "max_concurrency must be an integer from 1 to 256",
    ),
    Row(
        "fanout-poll-negative",
        "client",
        "client.media.fan_out",
        "poll_interval=-1",
        lambda e: fan_out(e, [CAT], poll_interval=-1),
        InvalidRequestError,
        "poll_interval must be a positive number of seconds",
    ),
    Row(
        "fanout-manifest-folder",
        "client",
        "client.media.fan_out",
        "manifest= a folder",
        lambda e: fan_out(e, [CAT], manifest=scratch()),
        InvalidRequestError,
        "is a folder: name a file",
    ),
    Row(
        "fanout-output-file",
        "client",
        "client.media.fan_out",
        "output_dir= a file",
        lambda e: fan_out(e, [CAT], output_dir=Path(__file__)),
        InvalidRequestError,
        "is a file: name a folder for the results",
    ),
    Row(
        "fanout-resume-missing",
        "client",
        "client.media.resume",
        "a manifest that does not exist",
        lambda e: e.client().media.resume(scratch() / "none.jsonl", output_dir=scratch()),
        InvalidRequestError,
        "There is no manifest at",
    ),
    # ---------------------------------------------------------------- yescale: corpus on Ray
    Row(
        "corpus-chat-model",
        "client",
        "yescale.ray_corpus.embed_corpus",
        'model="gpt-4o-mini"',
        lambda e: corpus_job(e, model="gpt-4o-mini"),
        InvalidRequestError,
        "'gpt-4o-mini' is a chat model, not an embedding model",
    ),
    Row(
        "corpus-no-key",
        "client",
        "yescale.ray_corpus.embed_corpus",
        "no key",
        lambda e: corpus_job(e.no_key(), api_key=None),
        MissingCredentialsError,
        "embed_corpus needs a YEScale API key",
    ),
    Row(
        "corpus-actors-zero",
        "client",
        "yescale.ray_corpus.embed_corpus",
        "actors=0",
        lambda e: corpus_job(e, actors=0),
        InvalidRequestError,
        "actors must be a positive integer, got 0",
    ),
    Row(
        "corpus-chunk-zero",
        "client",
        "yescale.ray_corpus.embed_corpus",
        "chunk_size=0",
        lambda e: corpus_job(e, chunk_size=0),
        InvalidRequestError,
        "chunk_size must be a positive integer",
    ),
    Row(
        "corpus-part-retries",
        "client",
        "yescale.ray_corpus.embed_corpus",
        "part_retries=-1",
        lambda e: corpus_job(e, part_retries=-1),
        InvalidRequestError,
        "part_retries must be an integer, 0 or more",
    ),
    Row(
        "corpus-actor-cpus",
        "client",
        "yescale.ray_corpus.embed_corpus",
        "actor_cpus=0",
        lambda e: corpus_job(e, actor_cpus=0),
        InvalidRequestError,
        "actor_cpus must be a positive number",
    ),
    Row(
        "corpus-rate-zero",
        "client",
        "yescale.ray_corpus.embed_corpus",
        "requests_per_minute=0",
        lambda e: corpus_job(e, requests_per_minute=0),
        InvalidRequestError,
        "requests_per_minute must be a positive number per minute",
    ),
    Row(
        "corpus-missing",
        "client",
        "yescale.ray_corpus.embed_corpus",
        "a corpus path that does not exist",
        lambda e: corpus_job(e, corpus="nowhere.parquet"),
        InvalidRequestError,
        "There is no corpus at",
    ),
    Row(
        "corpus-not-parquet",
        "client",
        "yescale.ray_corpus.embed_corpus",
        "a corpus file that is not Parquet",
        lambda e: corpus_job(e, corpus="junk.parquet"),
        InvalidRequestError,
        "as Parquet",
    ),
    Row(
        "corpus-no-column",
        "client",
        "yescale.ray_corpus.embed_corpus",
        'text_column="body" (the corpus has id, text)',
        lambda e: corpus_job(e, text_column="body"),
        InvalidRequestError,
        "has no column 'body' (it has ['id', 'text']): pass id_column= and text_column=",
    ),
    Row(
        "corpus-output-file",
        "client",
        "yescale.ray_corpus.embed_corpus",
        "output= a file",
        lambda e: corpus_job(e, output="a-file"),
        InvalidRequestError,
        "is a file: name a folder for the parts",
    ),
    # ---------------------------------------------------------------- yescale client: system
    Row(
        "system-no-access-key",
        "client",
        "client.system.user",
        "no access key",
        lambda e: e.no_access_key().client().system.user(),
        MissingCredentialsError,
        "set the YESCALE_ACCESS_KEY environment variable",
    ),
    Row(
        "system-key-id-text",
        "client",
        "client.system.delete_api_key",
        'key_id="abc"',
        lambda e: e.client(access_key="ak").system.delete_api_key("abc"),
        InvalidRequestError,
        "`key_id` must be an integer, got 'abc'",
    ),
    Row(
        "system-quota-both",
        "client",
        "client.system.edit_api_key_quota",
        "remain_quota and remain_quota_usd",
        lambda e: e.client(access_key="ak").system.edit_api_key_quota(
            1, remain_quota=5, remain_quota_usd=1.0
        ),
        InvalidRequestError,
        "Pass exactly one of remain_quota (credits) or remain_quota_usd",
    ),
    Row(
        "system-quota-negative",
        "client",
        "client.system.edit_api_key_quota",
        "remain_quota=-5",
        lambda e: e.client(access_key="ak").system.edit_api_key_quota(1, remain_quota=-5),
        InvalidRequestError,
        "A key's quota cannot be negative",
    ),
    Row(
        "system-period-reversed",
        "client",
        "client.system.tasks",
        "start after end",
        lambda e: e.client(access_key="ak").system.tasks(start_timestamp=20, end_timestamp=10),
        InvalidRequestError,
        "start_timestamp (20) is after end_timestamp (10): swap them",
    ),
    Row(
        "system-wrong-access-key",
        "client",
        "client.system.user",
        "a wrong access key",
        lambda e: e.client(access_key="wrong-access-key").system.user(),
        AuthenticationError,
        "set in the YESCALE_ACCESS_KEY environment variable",
        sent=1,
        server=server_error(401, "Invalid token"),
    ),
    # ---------------------------------------------------------------- yescale client: costs
    Row(
        "costs-budget-negative",
        "client",
        "yescale.track_costs",
        "budget_usd=-1",
        lambda e: yescale.costs.track_costs(budget_usd=-1),
        InvalidRequestError,
        "`budget_usd` must be a number of US dollars (0 or more), got -1",
    ),
    Row(
        "costs-budget-spent",
        "client",
        "client.chat.create",
        "a call under a spent budget",
        spent_budget,
        yescale.BudgetExceededError,
        "the call to 'gpt-4o-mini' was not sent",
    ),
    Row(
        "costs-saved-prices-missing",
        "client",
        "yescale.costs.use_prices",
        "a saved copy that does not exist",
        lambda e: yescale.costs.use_prices(Path("no-such-prices.json")),
        InvalidRequestError,
        "Cannot read saved prices no-such-prices.json",
    ),
    Row(
        "costs-saved-prices-not-a-catalog",
        "client",
        "yescale.PriceTable.from_json",
        "text that is not a catalog",
        lambda e: yescale.PriceTable.from_json('{"data": 3}'),
        InvalidRequestError,
        "Not a saved YEScale model catalog",
    ),
    Row(
        "costs-reconcile-reversed",
        "client",
        "client.system.reconcile",
        "start after end",
        lambda e: e.client(access_key="ak").system.reconcile(
            yescale.CostTracker(), start_timestamp=20, end_timestamp=10
        ),
        InvalidRequestError,
        "start_timestamp (20) is after end_timestamp (10): swap them",
    ),
    # ---------------------------------------------------------------- yescale client: settings
    Row(
        "settings-no-api-key",
        "client",
        "YEScaleClient(api_key=None)",
        "no key anywhere",
        lambda e: e.no_key().client(api_key=None).chat.create(model="gpt-4o-mini", messages=HI),
        MissingCredentialsError,
        "pass api_key=... or set the YESCALE_API_KEY environment variable",
    ),
    Row(
        "settings-timeout-zero",
        "client",
        "YEScaleClient",
        "timeout=0",
        lambda e: e.client(timeout=0),
        InvalidRequestError,
        "timeout must be a positive number of seconds, got 0",
    ),
    Row(
        "settings-timeout-negative",
        "client",
        "YEScaleClient",
        "timeout=-1",
        lambda e: e.client(timeout=-1),
        InvalidRequestError,
        "timeout must be a positive number of seconds, got -1",
    ),
    Row(
        "settings-timeout-text",
        "client",
        "YEScaleClient",
        'timeout="fast"',
        lambda e: e.client(timeout="fast"),
        InvalidRequestError,
        "timeout must be a number of seconds (e.g. 60) or an httpx.Timeout",
    ),
    Row(
        "settings-max-retries-negative",
        "client",
        "YEScaleClient",
        "max_retries=-1",
        lambda e: e.client(max_retries=-1),
        InvalidRequestError,
        "max_retries must be >= 0, got -1: use 0 to never retry",
    ),
    Row(
        "settings-max-retries-text",
        "client",
        "YEScaleClient",
        'max_retries="two"',
        lambda e: e.client(max_retries="two"),
        InvalidRequestError,
        "max_retries must be an integer >= 0",
    ),
    Row(
        "settings-base-url-no-scheme",
        "client",
        "YEScaleClient",
        'base_url="api.yescale.io"',
        lambda e: e.client(base_url="api.yescale.io"),
        InvalidRequestError,
        "Add the scheme: 'https://api.yescale.io'",
    ),
    Row(
        "settings-base-url-ftp",
        "client",
        "YEScaleClient",
        'base_url="ftp://api.yescale.io"',
        lambda e: e.client(base_url="ftp://api.yescale.io"),
        InvalidRequestError,
        "base_url must be an http(s) URL",
    ),
    Row(
        "settings-env-base-url",
        "client",
        "YEScaleClient",
        "YESCALE_BASE_URL without scheme",
        lambda e: (e.monkeypatch.setenv("YESCALE_BASE_URL", "api.yescale.io"), e.client()),
        InvalidRequestError,
        "The YESCALE_BASE_URL environment variable must be an http(s) URL",
    ),
    Row(
        "settings-header-not-text",
        "client",
        "YEScaleClient",
        'default_headers={"X-Team": 7}',
        lambda e: e.client(default_headers={"X-Team": 7}),
        InvalidRequestError,
        "has a int value: convert it with str()",
    ),
    Row(
        "settings-wrong-api-key",
        "client",
        "client.chat.create",
        "a wrong API key",
        lambda e: e.client(api_key="wrong-key").chat.create(model="gpt-4o-mini", messages=HI),
        AuthenticationError,
        "Check the key passed as api_key or set in the YESCALE_API_KEY environment variable",
        sent=1,
        server=server_error(401, "Incorrect API key provided"),
    ),
    # ---------------------------------------------------------------- LangChain: ChatYEScale
    Row(
        "lc-cache-non-claude",
        "LangChain",
        "ChatYEScale.invoke",
        "cache_control with prompt_caching=True for gpt-4o-mini",
        lambda e: lc_chat(
            e,
            HumanMessage([{"type": "text", "text": "Hi", "cache_control": {"type": "ephemeral"}}]),
            model="gpt-4o-mini",
            prompt_caching=True,
        ),
        InvalidRequestError,
        "OpenAI models cache prompts of 1024 tokens or more by themselves",
    ),
    Row(
        "lc-cache-bad-ttl",
        "LangChain",
        "ChatYEScale.invoke",
        'cache_control {"type": "ephemeral", "ttl": "2h"}',
        lambda e: lc_chat(
            e,
            HumanMessage(
                [
                    {
                        "type": "text",
                        "text": "Hi",
                        "cache_control": {"type": "ephemeral", "ttl": "2h"},
                    }
                ]
            ),
            model="claude-sonnet-4-5",
            prompt_caching=True,
        ),
        InvalidRequestError,
        "ttl must be '5m' or '1h'",
    ),
    Row(
        "lc-cache-on-image",
        "LangChain",
        "ChatYEScale.invoke",
        "cache_control on an image block",
        lambda e: lc_chat(
            e,
            HumanMessage(
                [
                    {
                        "type": "image",
                        "url": "https://x.test/a.png",
                        "cache_control": {"type": "ephemeral"},
                    }
                ]
            ),
            model="claude-sonnet-4-5",
            prompt_caching=True,
        ),
        InvalidRequestError,
        "breakpoints go on text parts only",
    ),
    Row(
        "lc-cache-five-breakpoints",
        "LangChain",
        "ChatYEScale.invoke",
        "five cache_control blocks",
        lambda e: lc_chat(
            e,
            HumanMessage(
                [
                    {"type": "text", "text": f"part {i}", "cache_control": {"type": "ephemeral"}}
                    for i in range(5)
                ]
            ),
            model="claude-sonnet-4-5",
            prompt_caching=True,
        ),
        InvalidRequestError,
        "Anthropic takes at most 4",
    ),
    Row(
        "lc-chat-no-messages",
        "LangChain",
        "ChatYEScale.invoke",
        "invoke([])",
        lambda e: lc_chat(e),
        InvalidRequestError,
        "`messages` must be a non-empty list",
    ),
    Row(
        "lc-chat-blank-prompt",
        "LangChain",
        "ChatYEScale.invoke",
        'invoke("   ")',
        lambda e: e.lc(ChatYEScale).invoke("   "),
        InvalidRequestError,
        "Every message is empty or whitespace",
    ),
    Row(
        "lc-chat-unknown-role",
        "LangChain",
        "ChatYEScale.invoke",
        'ChatMessage(role="wizard")',
        lambda e: lc_chat(e, ChatMessage(role="wizard", content="Hi")),
        InvalidRequestError,
        "messages[0] has role 'wizard'",
    ),
    Row(
        "lc-chat-unsupported-message",
        "LangChain",
        "ChatYEScale.invoke",
        "a RemoveMessage (LangGraph) in the input",
        lambda e: lc_chat(e, HumanMessage("Hi"), RemoveMessage(id="m1")),
        InvalidRequestError,
        "Cannot send a RemoveMessage to YEScale",
    ),
    Row(
        "lc-chat-input-type",
        "LangChain",
        "ChatYEScale.invoke",
        "invoke(42)",
        lambda e: e.lc(ChatYEScale).invoke(42),
        ValueError,
        "Invalid input type <class 'int'>",
    ),
    Row(
        "lc-chat-tool-args-not-json",
        "LangChain",
        "ChatYEScale.invoke",
        "a datetime in a tool call's args (history)",
        lambda e: lc_chat(
            e,
            HumanMessage("Book it"),
            AIMessage(
                "",
                tool_calls=[
                    {"name": "book", "args": {"at": datetime.datetime(2025, 1, 1)}, "id": "c1"}
                ],
            ),
            ToolMessage("booked", tool_call_id="c1"),
        ),
        InvalidRequestError,
        "The arguments of tool call 'book' (id 'c1') cannot be sent back: args.at is a datetime",
    ),
    Row(
        "lc-chat-tool-definition-not-json",
        "LangChain",
        "ChatYEScale.bind_tools",
        "a date as a tool parameter default",
        lambda e: (
            e.lc(ChatYEScale)
            .bind_tools(
                [
                    {
                        "type": "function",
                        "function": {
                            "name": "book",
                            "description": "Book a day.",
                            "parameters": {
                                "type": "object",
                                "properties": {
                                    "day": {"type": "string", "default": datetime.date(2025, 1, 1)}
                                },
                            },
                        },
                    }
                ]
            )
            .invoke("Book")
        ),
        InvalidRequestError,
        "tools[0].function.parameters.properties.day.default is a date",
    ),
    Row(
        "lc-chat-tool-duplicate-name",
        "LangChain",
        "ChatYEScale.bind_tools",
        "two tools with the same name",
        lambda e: e.lc(ChatYEScale).bind_tools([GetWeather, GetWeather]).invoke("Weather?"),
        InvalidRequestError,
        "tools[0] and tools[1] are both named 'GetWeather'",
    ),
    Row(
        "lc-gemini-tool-duplicate-name",
        "LangChain",
        "ChatYEScaleGemini.bind_tools",
        "two tools with the same name",
        lambda e: e.lc(ChatYEScaleGemini).bind_tools([GetWeather, GetWeather]).invoke("Weather?"),
        InvalidRequestError,
        "both named 'GetWeather'",
    ),
    Row(
        "lc-chat-tool-choice-unknown",
        "LangChain",
        "ChatYEScale.bind_tools",
        'tool_choice="get_time" (not bound)',
        lambda e: e.lc(ChatYEScale).bind_tools([GetWeather], tool_choice="get_time"),
        ValueError,
        "tool_choice 'get_time' is not one of the bound tools ['GetWeather']",
    ),
    Row(
        "lc-chat-temperature",
        "LangChain",
        "ChatYEScale.invoke",
        "temperature=5",
        lambda e: e.lc(ChatYEScale, temperature=5).invoke("Hi"),
        InvalidRequestError,
        "temperature=5.0: Input should be less than or equal to 2",
    ),
    Row(
        "lc-chat-max-tokens-zero",
        "LangChain",
        "ChatYEScale.invoke",
        "max_tokens=0",
        lambda e: e.lc(ChatYEScale, max_tokens=0).invoke("Hi"),
        InvalidRequestError,
        "max_tokens=0: Input should be greater than or equal to 1",
    ),
    Row(
        "lc-chat-stream-temperature",
        "LangChain",
        "ChatYEScale.stream",
        "temperature=-1, streamed",
        lambda e: drain(e.lc(ChatYEScale, temperature=-1).stream("Hi")),
        InvalidRequestError,
        "temperature=-1",
    ),
    Row(
        "lc-chat-n-zero",
        "LangChain",
        "ChatYEScale(...)",
        "n=0",
        lambda e: e.lc(ChatYEScale, n=0),
        ValidationError,
        "n must be at least 1",
    ),
    Row(
        "lc-chat-timeout-zero",
        "LangChain",
        "ChatYEScale.invoke",
        "timeout=0",
        lambda e: ChatYEScale(timeout=0).invoke("Hi"),
        InvalidRequestError,
        "timeout must be a positive number of seconds",
    ),
    Row(
        "lc-chat-max-retries-negative",
        "LangChain",
        "ChatYEScale.invoke",
        "max_retries=-1",
        lambda e: ChatYEScale(max_retries=-1).invoke("Hi"),
        InvalidRequestError,
        "max_retries must be >= 0",
    ),
    Row(
        "lc-chat-base-url",
        "LangChain",
        "ChatYEScale.invoke",
        'base_url="api.yescale.io"',
        lambda e: ChatYEScale(base_url="api.yescale.io").invoke("Hi"),
        InvalidRequestError,
        "Add the scheme",
    ),
    Row(
        "lc-chat-missing-key",
        "LangChain",
        "ChatYEScale(...)",
        "no key anywhere",
        lambda e: ChatYEScale() if e.no_key() else None,
        MissingCredentialsError,
        "set the YESCALE_API_KEY environment variable",
    ),
    Row(
        "lc-chat-embedding-model",
        "LangChain",
        "ChatYEScale.invoke",
        'model="text-embedding-3-small"',
        lambda e: e.lc(ChatYEScale, model="text-embedding-3-small").invoke("Hi"),
        InvalidRequestError,
        "is an embedding model, not a chat model",
    ),
    Row(
        "lc-chat-unknown-model",
        "LangChain",
        "ChatYEScale.invoke",
        'a model YEScale does not serve ("gpt-9")',
        lambda e: e.lc(ChatYEScale, model="gpt-9").invoke("Hi"),
        langchain_yescale.YEScaleNotFoundError,
        "The model `gpt-9` does not exist",
        sent=1,
        server=server_error(404, "The model `gpt-9` does not exist.", "model_not_found"),
    ),
    # ---------------------------------------------------------------- LangChain: ChatYEScaleGemini
    Row(
        "lc-gemini-no-messages",
        "LangChain",
        "ChatYEScaleGemini.invoke",
        "invoke([])",
        lambda e: lc_gemini(e),
        InvalidRequestError,
        "`messages` must be a non-empty list",
    ),
    Row(
        "lc-gemini-unknown-role",
        "LangChain",
        "ChatYEScaleGemini.invoke",
        'ChatMessage(role="wizard")',
        lambda e: lc_gemini(e, ChatMessage(role="wizard", content="Hi")),
        InvalidRequestError,
        "Gemini takes system, user, assistant and tool",
    ),
    Row(
        "lc-gemini-gpt-model",
        "LangChain",
        "ChatYEScaleGemini.invoke",
        'model="gpt-4o"',
        lambda e: e.lc(ChatYEScaleGemini, model="gpt-4o").invoke("Hi"),
        InvalidRequestError,
        "'gpt-4o' is not a Gemini model",
    ),
    Row(
        "lc-gemini-aspect-ratio",
        "LangChain",
        "ChatYEScaleGemini(...)",
        'aspect_ratio="7:5"',
        lambda e: e.lc(ChatYEScaleGemini, model="gemini-2.5-flash-image", aspect_ratio="7:5"),
        InvalidRequestError,
        "is not an aspect ratio Gemini's image models take: use one of 1:1, 2:3",
    ),
    Row(
        "lc-gemini-image-size",
        "LangChain",
        "ChatYEScaleGemini.invoke",
        'invoke(..., image_size="8K")',
        lambda e: e.lc(ChatYEScaleGemini).invoke("Hi", image_size="8K"),
        InvalidRequestError,
        "image_size='8K': use one of 1K, 2K, 4K",
    ),
    Row(
        "lc-gemini-modality",
        "LangChain",
        "ChatYEScaleGemini(...)",
        'response_modalities=["VIDEO"]',
        lambda e: e.lc(ChatYEScaleGemini, response_modalities=["VIDEO"]),
        InvalidRequestError,
        "response_modalities has 'VIDEO': Gemini answers with TEXT, IMAGE, AUDIO",
    ),
    Row(
        "lc-gemini-unknown-voice",
        "LangChain",
        "ChatYEScaleGemini(...)",
        'voice="Alexa"',
        lambda e: e.lc(ChatYEScaleGemini, model="gemini-2.5-flash-preview-tts", voice="Alexa"),
        InvalidRequestError,
        "voice='Alexa' is not one of Gemini's prebuilt voices",
    ),
    Row(
        "lc-gemini-voice-without-audio",
        "LangChain",
        "ChatYEScaleGemini(...)",
        'voice="Kore", response_modalities=["TEXT"]',
        lambda e: e.lc(ChatYEScaleGemini, voice="Kore", response_modalities=["TEXT"]),
        InvalidRequestError,
        "has no 'AUDIO': add it, or leave response_modalities unset",
    ),
    Row(
        "li-gemini-aspect-without-image",
        "LlamaIndex",
        "YEScaleGemini(...)",
        'aspect_ratio="1:1", response_modalities=["TEXT"]',
        lambda e: e.li(YEScaleGemini, aspect_ratio="1:1", response_modalities=["TEXT"]),
        InvalidRequestError,
        "has no 'IMAGE': add it",
    ),
    Row(
        "li-gemini-model-turn-image-replaced",
        "LlamaIndex",
        "YEScaleGemini.chat",
        "an answer's image block replaced by text in the history",
        lambda e: e.li(YEScaleGemini).chat(
            [
                li_user(),
                LIMessage(
                    role=MessageRole.ASSISTANT,
                    content="(image removed)",
                    additional_kwargs={
                        "content_blocks": [{"type": "image", "mime_type": "image/png", "block": 0}]
                    },
                ),
                li_user("Make it blue"),
            ]
        ),
        InvalidRequestError,
        "says block 0 holds its image, but that block is a TextBlock",
    ),
    Row(
        "gemini-chat-model-turn-image-without-mime",
        "client",
        "client.gemini.chat.create",
        "a model turn's image block without a mime_type",
        lambda e: e.client().gemini.chat.create(
            model="gemini-2.5-flash-image",
            messages=[
                *HI,
                {"role": "assistant", "content_blocks": [{"type": "image", "base64": "AAAA"}]},
                {"role": "user", "content": "Make it blue"},
            ],
        ),
        InvalidRequestError,
        "holds base64 data without a mime_type",
    ),
    Row(
        "lc-gemini-recursive-schema",
        "LangChain",
        "ChatYEScaleGemini.with_structured_output",
        "a recursive model",
        lambda e: e.lc(ChatYEScaleGemini).with_structured_output(TreeNode),
        InvalidRequestError,
        "The schema is recursive",
    ),
    Row(
        "lc-gemini-tuple-schema",
        "LangChain",
        "ChatYEScaleGemini.with_structured_output",
        "a tuple field",
        lambda e: e.lc(ChatYEScaleGemini).with_structured_output(Pair),
        InvalidRequestError,
        "a tuple (prefixItems)",
    ),
    Row(
        "lc-gemini-free-form-schema",
        "LangChain",
        "ChatYEScaleGemini.with_structured_output",
        "a dict[str, Any] field",
        lambda e: e.lc(ChatYEScaleGemini).with_structured_output(Settings),
        InvalidRequestError,
        "no fixed properties (a free-form dict)",
    ),
    Row(
        "lc-gemini-tool-pattern-properties",
        "LangChain",
        "ChatYEScaleGemini.bind_tools",
        "a tool with patternProperties",
        lambda e: (
            e.lc(ChatYEScaleGemini)
            .bind_tools(
                [
                    {
                        "type": "function",
                        "function": {
                            "name": "tag",
                            "description": "Tag it.",
                            "parameters": {
                                "type": "object",
                                "properties": {"id": {"type": "string"}},
                                "patternProperties": {"^x-": {"type": "string"}},
                            },
                        },
                    }
                ]
            )
            .invoke("Tag")
        ),
        InvalidRequestError,
        "The parameters of tool 'tag' cannot be sent to Gemini",
    ),
    Row(
        "lc-gemini-temperature",
        "LangChain",
        "ChatYEScaleGemini.invoke",
        "temperature=3",
        lambda e: e.lc(ChatYEScaleGemini, temperature=3).invoke("Hi"),
        InvalidRequestError,
        "generationConfig.temperature=3.0 is out of range",
    ),
    Row(
        "lc-gemini-max-tokens-zero",
        "LangChain",
        "ChatYEScaleGemini.invoke",
        "max_tokens=0",
        lambda e: e.lc(ChatYEScaleGemini, max_tokens=0).invoke("Hi"),
        InvalidRequestError,
        "generationConfig.maxOutputTokens=0 is out of range",
    ),
    Row(
        "lc-gemini-thinking-budget",
        "LangChain",
        "ChatYEScaleGemini.invoke",
        "thinking_budget=-2",
        lambda e: e.lc(ChatYEScaleGemini, thinking_budget=-2).invoke("Hi"),
        InvalidRequestError,
        "thinkingBudget=-2 is not allowed",
    ),
    # ---------------------------------------------------------------- LangChain: YEScaleEmbeddings
    Row(
        "lc-emb-empty-list",
        "LangChain",
        "YEScaleEmbeddings.embed_documents",
        "embed_documents([])",
        lambda e: e.lc(YEScaleEmbeddings).embed_documents([]),
        None,
        "",
        returns=[],
    ),
    Row(
        "lc-emb-single-string",
        "LangChain",
        "YEScaleEmbeddings.embed_documents",
        'embed_documents("abc")',
        lambda e: e.lc(YEScaleEmbeddings).embed_documents("abc"),
        InvalidRequestError,
        "Pass a list of texts, not a single string",
    ),
    Row(
        "lc-emb-int-item",
        "LangChain",
        "YEScaleEmbeddings.embed_documents",
        'embed_documents(["a", 1])',
        lambda e: e.lc(YEScaleEmbeddings).embed_documents(["a", 1]),
        InvalidRequestError,
        "Embedding input[1] is a int",
    ),
    Row(
        "lc-emb-none-item",
        "LangChain",
        "YEScaleEmbeddings.aembed_documents",
        "aembed_documents([None])",
        lambda e: e.lc(YEScaleEmbeddings).aembed_documents([None]),
        InvalidRequestError,
        "Embedding input[0] is a NoneType",
    ),
    Row(
        "lc-emb-bytes-item",
        "LangChain",
        "YEScaleEmbeddings.embed_documents",
        'embed_documents([b"x"])',
        lambda e: e.lc(YEScaleEmbeddings).embed_documents([b"x"]),
        InvalidRequestError,
        "Embedding input[0] is a bytes",
    ),
    Row(
        "lc-emb-nested-list",
        "LangChain",
        "YEScaleEmbeddings.embed_documents",
        'embed_documents([["a"]])',
        lambda e: e.lc(YEScaleEmbeddings).embed_documents([["a"]]),
        InvalidRequestError,
        "Embedding input[0] is a list",
    ),
    Row(
        "lc-emb-query-none",
        "LangChain",
        "YEScaleEmbeddings.embed_query",
        "embed_query(None)",
        lambda e: e.lc(YEScaleEmbeddings).embed_query(None),
        InvalidRequestError,
        "embed_query takes one text (a string), got NoneType",
    ),
    Row(
        "lc-emb-empty-text-refused",
        "LangChain",
        "YEScaleEmbeddings.embed_documents",
        'a blank text with empty="error"',
        lambda e: e.lc(YEScaleEmbeddings, empty="error").embed_documents(["a", " "]),
        InvalidRequestError,
        "Text 1 is empty or only whitespace",
    ),
    Row(
        "lc-emb-chat-model",
        "LangChain",
        "YEScaleEmbeddings(...)",
        'model="gpt-4o"',
        lambda e: e.lc(YEScaleEmbeddings, model="gpt-4o"),
        InvalidRequestError,
        "'gpt-4o' is a chat model, not an embedding model",
    ),
    Row(
        "lc-emb-dimensions-zero",
        "LangChain",
        "YEScaleEmbeddings(...)",
        "dimensions=0",
        lambda e: e.lc(YEScaleEmbeddings, dimensions=0),
        ValidationError,
        "dimensions\n  Input should be greater than or equal to 1",
    ),
    Row(
        "lc-emb-reserved-kwargs",
        "LangChain",
        "YEScaleEmbeddings(...)",
        'model_kwargs={"input": ...}',
        lambda e: e.lc(YEScaleEmbeddings, model_kwargs={"input": "x"}),
        InvalidRequestError,
        "model_kwargs may not set ['input']",
    ),
    Row(
        "lc-emb-bad-task-type",
        "LangChain",
        "YEScaleEmbeddings(...)",
        'query_task_type="ranking"',
        lambda e: e.lc(YEScaleEmbeddings, model=GEMB, query_task_type="ranking"),
        InvalidRequestError,
        "Unknown Gemini task type 'ranking'",
    ),
    Row(
        "lc-emb-gemini-api-openai-model",
        "LangChain",
        "YEScaleEmbeddings(...)",
        'api="gemini" with model="text-embedding-3-small"',
        lambda e: e.lc(YEScaleEmbeddings, model="text-embedding-3-small", api="gemini"),
        InvalidRequestError,
        "'text-embedding-3-small' is not a Gemini embedding model",
    ),
    Row(
        "lc-emb-peer-task-type",
        "LangChain",
        "YEScaleEmbeddings(...)",
        'task_type="clustering" (GoogleGenerativeAIEmbeddings\' spelling)',
        lambda e: e.lc(YEScaleEmbeddings, model=GEMB, task_type="clustering"),
        InvalidRequestError,
        "query_task_type=... (queries) and document_task_type=... (documents)",
    ),
    Row(
        "lc-emb-unknown-api",
        "LangChain",
        "YEScaleEmbeddings(...)",
        'api="vertex"',
        lambda e: e.lc(YEScaleEmbeddings, api="vertex"),
        ValidationError,
        "Input should be 'auto', 'openai' or 'gemini'",
    ),
    Row(
        "lc-emb-missing-key",
        "LangChain",
        "YEScaleEmbeddings(...)",
        "no key anywhere",
        lambda e: YEScaleEmbeddings() if e.no_key() else None,
        MissingCredentialsError,
        "YEScaleEmbeddings needs a YEScale API key: pass api_key=... or set the YESCALE_API_KEY",
    ),
    Row(
        "lc-emb-timeout-zero",
        "LangChain",
        "YEScaleEmbeddings(...)",
        "timeout=0",
        lambda e: e.lc(YEScaleEmbeddings, timeout=0),
        InvalidRequestError,
        "timeout must be a positive number of seconds",
    ),
    Row(
        "lc-emb-text-too-long",
        "LangChain",
        "YEScaleEmbeddings.embed_query",
        "a text longer than the model takes",
        lambda e: e.lc(YEScaleEmbeddings).embed_query(LONG_PROMPT),
        YEScaleContextOverflowError,
        "is too long for text-embedding-3-small on its own: shorten or split it",
        sent=1,
        server=server_error(
            400, "This model's maximum context length is 8192 tokens, however you requested 9000."
        ),
    ),
    # ---------------------------------------------------- LangChain: tools, as agents call them
    Row(
        "lc-image-size",
        "LangChain",
        "YEScaleImageGenerationTool",
        'size="999x999"',
        lambda e: e.lc_tool(YEScaleImageGenerationTool, {"prompt": "a fox", "size": "999x999"}),
        YEScaleToolInputError,
        "size='999x999' is not allowed (allowed: 1024x1024, 1536x1024, 1024x1536, auto)",
    ),
    Row(
        "lc-image-n-zero",
        "LangChain",
        "YEScaleImageGenerationTool",
        "n=0",
        lambda e: e.lc_tool(YEScaleImageGenerationTool, {"prompt": "a fox", "n": 0}),
        YEScaleToolInputError,
        "n=0 is not allowed",
    ),
    Row(
        "lc-image-n-too-many",
        "LangChain",
        "YEScaleImageGenerationTool",
        "n=11",
        lambda e: e.lc_tool(YEScaleImageGenerationTool, {"prompt": "a fox", "n": 11}),
        YEScaleToolInputError,
        "n=11 is not allowed (allowed: an integer from 1 to 10)",
    ),
    Row(
        "lc-image-blank-prompt",
        "LangChain",
        "YEScaleImageGenerationTool",
        'prompt="  "',
        lambda e: e.lc_tool(YEScaleImageGenerationTool, {"prompt": "  "}),
        YEScaleToolInputError,
        "`prompt` must be a non-empty string",
    ),
    Row(
        "lc-image-quality",
        "LangChain",
        "YEScaleImageGenerationTool",
        'quality="ultra"',
        lambda e: e.lc_tool(YEScaleImageGenerationTool, {"prompt": "a fox", "quality": "ultra"}),
        YEScaleToolInputError,
        "quality='ultra' is not allowed",
    ),
    Row(
        "lc-image-style-gpt-image",
        "LangChain",
        "YEScaleImageGenerationTool",
        'gpt-image-1, style="vivid"',
        lambda e: e.lc_tool(YEScaleImageGenerationTool, {"prompt": "a fox", "style": "vivid"}),
        YEScaleToolInputError,
        "style='vivid' is not a gpt-image-1 parameter",
    ),
    Row(
        "lc-image-dall-e-3-n",
        "LangChain",
        "YEScaleImageGenerationTool",
        "dall-e-3, n=2",
        lambda e: e.lc_tool(
            YEScaleImageGenerationTool, {"prompt": "a fox", "n": 2}, model="dall-e-3"
        ),
        YEScaleToolInputError,
        "n=2 is not allowed (allowed: 1)",
    ),
    Row(
        "lc-image-local-file",
        "LangChain",
        "YEScaleImageGenerationTool",
        "an input image path, no allowed folders",
        lambda e: e.lc_tool(
            YEScaleImageGenerationTool, {"prompt": "winter", "images": ["/etc/passwd"]}
        ),
        YEScaleToolInputError,
        "reading local files is disabled for this tool",
    ),
    Row(
        "lc-image-private-url",
        "LangChain",
        "YEScaleImageGenerationTool",
        "an input image URL on a private address",
        lambda e: e.lc_tool(
            YEScaleImageGenerationTool,
            {"prompt": "winter", "images": ["http://169.254.169.254/latest/meta-data"]},
        ),
        YEScaleToolInputError,
        "points at a private, loopback or link-local address",
    ),
    Row(
        "lc-image-missing-prompt",
        "LangChain",
        "YEScaleImageGenerationTool",
        "no prompt argument",
        lambda e: e.lc_tool(YEScaleImageGenerationTool, {"size": "1024x1024"}),
        ValidationError,
        "prompt\n  Field required",
    ),
    Row(
        "lc-image-chat-model",
        "LangChain",
        "YEScaleImageGenerationTool(...)",
        'model="gpt-4o"',
        lambda e: e.lc(YEScaleImageGenerationTool, model="gpt-4o"),
        InvalidRequestError,
        "'gpt-4o' is a chat model, not an image model",
    ),
    Row(
        "lc-image-nano-banana-size",
        "LangChain",
        "YEScaleImageGenerationTool",
        'nano-banana, size="1024x1024"',
        lambda e: e.lc_tool(
            YEScaleImageGenerationTool,
            {"prompt": "a fox", "size": "1024x1024"},
            model="nano-banana",
        ),
        YEScaleToolInputError,
        "these models take no size: give aspect_ratio (e.g. '16:9') instead",
    ),
    Row(
        "lc-image-nano-banana-aspect-ratio",
        "LangChain",
        "YEScaleImageGenerationTool",
        'nano-banana, aspect_ratio="16:10"',
        lambda e: e.lc_tool(
            YEScaleImageGenerationTool,
            {"prompt": "a fox", "aspect_ratio": "16:10"},
            model="nano-banana",
        ),
        YEScaleToolInputError,
        "aspect_ratio='16:10' is not allowed (allowed: 1:1, 2:3, 3:2, 3:4, 4:3, 4:5, 5:4, 9:16, "
        "16:9, 21:9)",
    ),
    Row(
        "lc-image-nano-banana-n",
        "LangChain",
        "YEScaleImageGenerationTool",
        "nano-banana, n=2",
        lambda e: e.lc_tool(
            YEScaleImageGenerationTool, {"prompt": "a fox", "n": 2}, model="nano-banana"
        ),
        YEScaleToolInputError,
        "n=2 is not allowed (allowed: 1): gemini-2.5-flash-image makes one image per request",
    ),
    Row(
        "lc-image-nano-banana-image-size",
        "LangChain",
        "YEScaleImageGenerationTool",
        'gemini-2.5-flash-image, image_size="2K"',
        lambda e: e.lc_tool(
            YEScaleImageGenerationTool,
            {"prompt": "a fox", "image_size": "2K"},
            model="gemini-2.5-flash-image",
        ),
        YEScaleToolInputError,
        "only gemini-3-pro-image-preview, a.k.a. nano-banana-pro, takes image_size",
    ),
    Row(
        "lc-image-nano-banana-pro-image-size-case",
        "LangChain",
        "YEScaleImageGenerationTool",
        'gemini-3-pro-image-preview, image_size="2k"',
        lambda e: e.lc_tool(
            YEScaleImageGenerationTool,
            {"prompt": "a fox", "image_size": "2k"},
            model="gemini-3-pro-image-preview",
        ),
        YEScaleToolInputError,
        "image_size='2k' is not allowed (allowed: 1K, 2K, 4K): write the K in upper case",
    ),
    Row(
        "lc-image-nano-banana-mask",
        "LangChain",
        "YEScaleImageGenerationTool",
        "nano-banana, an edit with a mask",
        lambda e: e.lc_tool(
            YEScaleImageGenerationTool,
            {"prompt": "winter", "images": [PNG], "mask": PNG},
            model="nano-banana",
        ),
        YEScaleToolInputError,
        "gemini-2.5-flash-image takes no mask: give the input images and say in the prompt",
    ),
    Row(
        "lc-image-nano-banana-blocked",
        "LangChain",
        "YEScaleImageGenerationTool",
        "nano-banana, a prompt Gemini blocks (HTTP 200, no image)",
        lambda e: e.lc_tool(YEScaleImageGenerationTool, {"prompt": "a fox"}, model="nano-banana"),
        langchain_yescale.YEScaleImageNotGeneratedToolError,
        "nano-banana made no image: the prompt was blocked (promptFeedback.blockReason=SAFETY)",
        sent=1,
        server=lambda: httpx.Response(200, json={"promptFeedback": {"blockReason": "SAFETY"}}),
    ),
    Row(
        "lc-media-no-model",
        "LangChain",
        "YEScaleMediaTaskTool",
        "a prompt but no model",
        lambda e: e.lc_tool(YEScaleMediaTaskTool, {"prompt": "a cat"}),
        YEScaleToolInputError,
        "Give `model` and `prompt` to start a media task, or `task_id`",
    ),
    Row(
        "lc-media-chat-model",
        "LangChain",
        "YEScaleMediaTaskTool",
        'model="gpt-4o"',
        lambda e: e.lc_tool(YEScaleMediaTaskTool, {"model": "gpt-4o", "prompt": "a cat"}),
        YEScaleToolInputError,
        "'gpt-4o' is a chat model, not a media model",
    ),
    Row(
        "lc-media-duration-negative",
        "LangChain",
        "YEScaleMediaTaskTool",
        "duration=-5",
        lambda e: e.lc_tool(
            YEScaleMediaTaskTool, {"model": "sora-2", "prompt": "a cat", "duration": -5}
        ),
        YEScaleToolInputError,
        "duration must be a positive number of seconds (e.g. 8), got -5",
    ),
    Row(
        "lc-media-duration-text",
        "LangChain",
        "YEScaleMediaTaskTool",
        'duration="long"',
        lambda e: e.lc_tool(
            YEScaleMediaTaskTool, {"model": "sora-2", "prompt": "a cat", "duration": "long"}
        ),
        ValidationError,
        "duration\n  Input should be a valid integer",
    ),
    Row(
        "lc-media-aspect-ratio",
        "LangChain",
        "YEScaleMediaTaskTool",
        'aspect_ratio="wide"',
        lambda e: e.lc_tool(
            YEScaleMediaTaskTool, {"model": "sora-2", "prompt": "a cat", "aspect_ratio": "wide"}
        ),
        YEScaleToolInputError,
        "aspect_ratio must be width:height such as '16:9'",
    ),
    Row(
        "lc-media-aspect-ratio-x",
        "LangChain",
        "YEScaleMediaTaskTool",
        'aspect_ratio="16x9"',
        lambda e: e.lc_tool(
            YEScaleMediaTaskTool, {"model": "veo3.1", "prompt": "a cat", "aspect_ratio": "16x9"}
        ),
        YEScaleToolInputError,
        "got '16x9'",
    ),
    Row(
        "lc-media-config-clash",
        "LangChain",
        "YEScaleMediaTaskTool",
        "duration as argument and in config, different",
        lambda e: e.lc_tool(
            YEScaleMediaTaskTool,
            {"model": "sora-2", "prompt": "a cat", "duration": 8, "config": {"duration": 4}},
        ),
        YEScaleToolInputError,
        "`duration` is given both as an argument (8) and in config (4): give it once",
    ),
    Row(
        "lc-media-blank-prompt",
        "LangChain",
        "YEScaleMediaTaskTool",
        'prompt="   "',
        lambda e: e.lc_tool(YEScaleMediaTaskTool, {"model": "sora-2", "prompt": "   "}),
        YEScaleToolInputError,
        "`prompt` must be a non-empty string",
    ),
    Row(
        "lc-media-task-timeout-zero",
        "LangChain",
        "YEScaleMediaTaskTool(...)",
        "task_timeout=0",
        lambda e: e.lc(YEScaleMediaTaskTool, task_timeout=0),
        ValidationError,
        "task_timeout\n  Input should be greater than 0",
    ),
    Row(
        "lc-media-unknown-model",
        "LangChain",
        "YEScaleMediaTaskTool",
        'a model the service does not know ("sora-99")',
        lambda e: e.lc_tool(YEScaleMediaTaskTool, {"model": "sora-99", "prompt": "a cat"}),
        YEScaleBadRequestError,
        "model sora-99 is not supported",
        sent=1,
        server=server_error(400, "model sora-99 is not supported"),
    ),
    Row(
        "lc-structured-blank-text",
        "LangChain",
        "YEScaleGeminiStructuredOutputTool",
        'text="  "',
        lambda e: e.lc_tool(YEScaleGeminiStructuredOutputTool, {"text": "  "}, schema=Invoice),
        YEScaleToolInputError,
        "`text` must be a non-empty string to extract data from",
    ),
    Row(
        "lc-structured-recursive-schema",
        "LangChain",
        "YEScaleGeminiStructuredOutputTool(...)",
        "a recursive schema",
        lambda e: e.lc(YEScaleGeminiStructuredOutputTool, schema=TreeNode),
        InvalidRequestError,
        "The schema is recursive",
    ),
    Row(
        "lc-structured-tuple-schema",
        "LangChain",
        "YEScaleGeminiStructuredOutputTool(...)",
        "a schema with a tuple",
        lambda e: e.lc(YEScaleGeminiStructuredOutputTool, schema=Pair),
        InvalidRequestError,
        "a tuple (prefixItems)",
    ),
    Row(
        "lc-structured-gpt-model",
        "LangChain",
        "YEScaleGeminiStructuredOutputTool(...)",
        'model="gpt-4o"',
        lambda e: e.lc(YEScaleGeminiStructuredOutputTool, schema=Invoice, model="gpt-4o"),
        InvalidRequestError,
        "'gpt-4o' is not a Gemini model",
    ),
    Row(
        "lc-structured-not-a-schema",
        "LangChain",
        "YEScaleGeminiStructuredOutputTool(...)",
        "schema=42",
        lambda e: e.lc(YEScaleGeminiStructuredOutputTool, schema=42),
        InvalidRequestError,
        "`schema` must be a pydantic model class, a TypedDict",
    ),
    Row(
        "lc-tool-missing-key",
        "LangChain",
        "YEScaleMediaTaskTool(...)",
        "no key anywhere",
        lambda e: YEScaleMediaTaskTool() if e.no_key() else None,
        MissingCredentialsError,
        "YEScaleMediaTaskTool needs a YEScale API key",
    ),
    Row(
        "lc-tool-timeout-zero",
        "LangChain",
        "YEScaleImageGenerationTool(...)",
        "request_timeout=0",
        lambda e: e.lc(YEScaleImageGenerationTool, request_timeout=0),
        InvalidRequestError,
        "timeout must be a positive number of seconds",
    ),
    # ------------------------------------------------------------ LangChain: ChatYEScaleAnthropic
    Row(
        "lc-anthropic-gpt-model",
        "LangChain",
        "ChatYEScaleAnthropic(...)",
        'model="gpt-4o"',
        lambda e: e.lc(ChatYEScaleAnthropic, model="gpt-4o"),
        InvalidRequestError,
        "'gpt-4o' is not a Claude model",
    ),
    Row(
        "lc-anthropic-reasoning-effort",
        "LangChain",
        "ChatYEScaleAnthropic(...)",
        'reasoning_effort="high"',
        lambda e: e.lc(ChatYEScaleAnthropic, reasoning_effort="high"),
        InvalidRequestError,
        'thinking={"type": "enabled", "budget_tokens": 2048}',
    ),
    Row(
        "lc-anthropic-seed",
        "LangChain",
        "ChatYEScaleAnthropic(...)",
        "seed=7",
        lambda e: e.lc(ChatYEScaleAnthropic, seed=7),
        InvalidRequestError,
        "does not take `seed`: Claude takes no seed",
    ),
    Row(
        "lc-anthropic-n",
        "LangChain",
        "ChatYEScaleAnthropic(...)",
        "n=3",
        lambda e: e.lc(ChatYEScaleAnthropic, n=3),
        InvalidRequestError,
        "Claude gives one answer per request",
    ),
    Row(
        "lc-anthropic-thinking-budget",
        "LangChain",
        "ChatYEScaleAnthropic.invoke",
        "thinking budget_tokens=512",
        lambda e: e.lc(
            ChatYEScaleAnthropic, thinking={"type": "enabled", "budget_tokens": 512}
        ).invoke("Hi"),
        InvalidRequestError,
        "thinking.budget_tokens must be an int of at least 1024",
    ),
    Row(
        "lc-anthropic-thinking-temperature",
        "LangChain",
        "ChatYEScaleAnthropic.invoke",
        "temperature=0.2 with thinking on",
        lambda e: e.lc(
            ChatYEScaleAnthropic,
            thinking={"type": "enabled", "budget_tokens": 1024},
            temperature=0.2,
        ).invoke("Hi"),
        InvalidRequestError,
        "temperature=0.2 cannot be used with thinking",
    ),
    Row(
        "lc-anthropic-forced-tool-thinking",
        "LangChain",
        "ChatYEScaleAnthropic.bind_tools",
        'tool_choice="any" with thinking on',
        lambda e: (
            e.lc(ChatYEScaleAnthropic, thinking={"type": "enabled", "budget_tokens": 1024})
            .bind_tools([GetWeather], tool_choice="any")
            .invoke("Weather?")
        ),
        InvalidRequestError,
        "cannot be used with thinking: use 'auto' or 'none'",
    ),
    Row(
        "lc-anthropic-json-mode",
        "LangChain",
        "ChatYEScaleAnthropic.with_structured_output",
        'method="json_mode"',
        lambda e: e.lc(ChatYEScaleAnthropic).with_structured_output(GetWeather, method="json_mode"),
        ValueError,
        "use 'function_calling' (a forced tool) or 'json_schema'",
    ),
    # ---------------------------------------------------------------- LlamaIndex: YEScale
    Row(
        "li-cache-point-first",
        "LlamaIndex",
        "YEScale.chat",
        "a CachePoint before any block",
        lambda e: e.li(YEScale, model="claude-sonnet-4-5", prompt_caching=True).chat(
            [
                LIMessage(
                    role=MessageRole.USER,
                    blocks=[
                        CachePoint(cache_control=CacheControl(type="ephemeral")),
                        TextBlock(text="Hi"),
                    ],
                )
            ]
        ),
        InvalidRequestError,
        "A CachePoint must come after the block it caches",
    ),
    Row(
        "li-cache-point-after-image",
        "LlamaIndex",
        "YEScale.chat",
        "a CachePoint after an ImageBlock",
        lambda e: e.li(YEScale, model="claude-sonnet-4-5", prompt_caching=True).chat(
            [
                LIMessage(
                    role=MessageRole.USER,
                    blocks=[
                        ImageBlock(url="https://x.test/a.png"),
                        CachePoint(cache_control=CacheControl(type="ephemeral")),
                    ],
                )
            ]
        ),
        InvalidRequestError,
        "breakpoints go on text parts only",
    ),
    Row(
        "li-cache-non-claude",
        "LlamaIndex",
        "YEScale.chat",
        "a CachePoint with prompt_caching=True for gemini-2.5-flash",
        lambda e: e.li(YEScale, model="gemini-2.5-flash", prompt_caching=True).chat(
            [
                LIMessage(
                    role=MessageRole.USER,
                    blocks=[
                        TextBlock(text="Hi"),
                        CachePoint(cache_control=CacheControl(type="ephemeral")),
                    ],
                )
            ]
        ),
        InvalidRequestError,
        "Gemini models cache implicitly and through cached_content",
    ),
    Row(
        "li-chat-no-messages",
        "LlamaIndex",
        "YEScale.chat",
        "chat([])",
        lambda e: e.li(YEScale).chat([]),
        InvalidRequestError,
        "`messages` must be a non-empty list",
    ),
    Row(
        "li-complete-blank",
        "LlamaIndex",
        "YEScale.complete",
        'complete("  ")',
        lambda e: e.li(YEScale).complete("  "),
        InvalidRequestError,
        "Every message is empty or whitespace",
    ),
    Row(
        "li-tool-result-without-id",
        "LlamaIndex",
        "YEScale.chat",
        "a tool message without tool_call_id",
        lambda e: e.li(YEScale).chat([li_user(), LIMessage(role=MessageRole.TOOL, content="x")]),
        InvalidRequestError,
        "is a tool result without additional_kwargs['tool_call_id']",
    ),
    Row(
        "li-document-by-url",
        "LlamaIndex",
        "YEScale.chat",
        "a DocumentBlock given only by URL",
        lambda e: e.li(YEScale).chat(
            [
                LIMessage(
                    role=MessageRole.USER,
                    blocks=[DocumentBlock(url="https://example.com/a.pdf")],
                )
            ]
        ),
        InvalidRequestError,
        "A document block must hold bytes or a local path",
    ),
    Row(
        "li-tool-kwargs-not-json",
        "LlamaIndex",
        "YEScale.chat",
        "a datetime in a ToolCallBlock (history)",
        lambda e: e.li(YEScale).chat(
            [
                li_user("Book it"),
                LIMessage(
                    role=MessageRole.ASSISTANT,
                    blocks=[
                        ToolCallBlock(
                            tool_call_id="c1",
                            tool_name="book",
                            tool_kwargs={"at": datetime.datetime(2025, 1, 1)},
                        )
                    ],
                ),
                LIMessage(
                    role=MessageRole.TOOL, content="ok", additional_kwargs={"tool_call_id": "c1"}
                ),
            ]
        ),
        InvalidRequestError,
        "The arguments of tool call 'book' cannot be sent back: tool_kwargs.at is a datetime",
    ),
    Row(
        "li-extra-param-nan",
        "LlamaIndex",
        "YEScale.chat",
        "NaN in additional_kwargs",
        lambda e: e.li(YEScale, additional_kwargs={"logit_bias": {"1": float("inf")}}).chat(
            [li_user()]
        ),
        InvalidRequestError,
        "logit_bias.1 is inf, and JSON has no NaN or Infinity",
    ),
    Row(
        "li-tool-duplicate-name",
        "LlamaIndex",
        "YEScale.chat_with_tools",
        "two tools with the same name",
        lambda e: e.li(YEScale).chat_with_tools(
            [FunctionTool.from_defaults(weather), FunctionTool.from_defaults(weather)], "Weather?"
        ),
        InvalidRequestError,
        "tools[0] and tools[1] are both named 'weather'",
    ),
    Row(
        "li-tool-choice-unknown",
        "LlamaIndex",
        "YEScale.chat_with_tools",
        'tool_choice="get_time" (not a tool)',
        lambda e: e.li(YEScale).chat_with_tools(
            [FunctionTool.from_defaults(weather)], "Weather?", tool_choice="get_time"
        ),
        InvalidRequestError,
        "tool_choice 'get_time' is not one of the bound tools ['weather']",
    ),
    Row(
        "li-temperature",
        "LlamaIndex",
        "YEScale(...)",
        "temperature=5",
        lambda e: e.li(YEScale, temperature=5),
        ValidationError,
        "temperature\n  Input should be less than or equal to 2",
    ),
    Row(
        "li-max-tokens-zero",
        "LlamaIndex",
        "YEScale(...)",
        "max_tokens=0",
        lambda e: e.li(YEScale, max_tokens=0),
        ValidationError,
        "max_tokens\n  Input should be greater than 0",
    ),
    Row(
        "li-timeout-zero",
        "LlamaIndex",
        "YEScale(...)",
        "timeout=0",
        lambda e: e.li(YEScale, timeout=0),
        InvalidRequestError,
        "timeout must be a positive number of seconds",
    ),
    Row(
        "li-max-retries-negative",
        "LlamaIndex",
        "YEScale(...)",
        "max_retries=-1",
        lambda e: e.li(YEScale, max_retries=-1),
        InvalidRequestError,
        "max_retries must be >= 0",
    ),
    Row(
        "li-base-url",
        "LlamaIndex",
        "YEScale(...)",
        'base_url="api.yescale.io"',
        lambda e: e.li(YEScale, base_url="api.yescale.io"),
        InvalidRequestError,
        "Add the scheme",
    ),
    Row(
        "li-missing-key",
        "LlamaIndex",
        "YEScale(...)",
        "no key anywhere",
        lambda e: YEScale() if e.no_key() else None,
        MissingCredentialsError,
        "YEScale needs a YEScale API key: pass api_key=... or set the YESCALE_API_KEY",
    ),
    Row(
        "li-embedding-model",
        "LlamaIndex",
        "YEScale(...)",
        'model="text-embedding-3-small"',
        lambda e: e.li(YEScale, model="text-embedding-3-small"),
        InvalidRequestError,
        "is an embedding model, not a chat model",
    ),
    # ---------------------------------------------------------------- LlamaIndex: YEScaleGemini
    Row(
        "li-gemini-no-messages",
        "LlamaIndex",
        "YEScaleGemini.achat",
        "achat([])",
        lambda e: e.li(YEScaleGemini).achat([]),
        InvalidRequestError,
        "`messages` must be a non-empty list",
    ),
    Row(
        "li-gemini-gpt-model",
        "LlamaIndex",
        "YEScaleGemini(...)",
        'model="gpt-4o"',
        lambda e: e.li(YEScaleGemini, model="gpt-4o"),
        InvalidRequestError,
        "'gpt-4o' is not a Gemini model",
    ),
    Row(
        "li-gemini-config-temperature",
        "LlamaIndex",
        "YEScaleGemini.chat",
        'generation_config={"temperature": 3}',
        lambda e: e.li(YEScaleGemini, generation_config={"temperature": 3}).chat([li_user()]),
        InvalidRequestError,
        "generationConfig.temperature=3 is out of range",
    ),
    Row(
        "li-gemini-thinking-budget",
        "LlamaIndex",
        "YEScaleGemini.chat",
        "thinking_budget=-3",
        lambda e: e.li(YEScaleGemini, thinking_budget=-3).chat([li_user()]),
        InvalidRequestError,
        "thinkingBudget=-3 is not allowed",
    ),
    Row(
        "li-gemini-response-format",
        "LlamaIndex",
        "YEScaleGemini.chat",
        'response_format="json"',
        lambda e: e.li(YEScaleGemini).chat([li_user()], response_format="json"),
        InvalidRequestError,
        "response_format must be a dict, as in the OpenAI API",
    ),
    Row(
        "li-gemini-tuple-schema",
        "LlamaIndex",
        "YEScaleGemini.chat",
        "a json_schema response_format with a tuple",
        lambda e: e.li(YEScaleGemini).chat(
            [li_user()],
            response_format={
                "type": "json_schema",
                "json_schema": {"name": "Pair", "schema": Pair.model_json_schema()},
            },
        ),
        InvalidRequestError,
        "a tuple (prefixItems)",
    ),
    # ---------------------------------------------------------------- LlamaIndex: YEScaleAnthropic
    Row(
        "li-anthropic-gemini-model",
        "LlamaIndex",
        "YEScaleAnthropic(...)",
        'model="gemini-2.5-flash"',
        lambda e: e.li(YEScaleAnthropic, model="gemini-2.5-flash"),
        InvalidRequestError,
        "is not a Claude model",
    ),
    Row(
        "li-anthropic-response-format",
        "LlamaIndex",
        "YEScaleAnthropic(...)",
        "response_format={...}",
        lambda e: e.li(YEScaleAnthropic, response_format={"type": "json_object"}),
        InvalidRequestError,
        "The Messages API has no response_format",
    ),
    Row(
        "li-anthropic-thinking-budget-max-tokens",
        "LlamaIndex",
        "YEScaleAnthropic.chat",
        "thinking budget >= max_tokens",
        lambda e: e.li(
            YEScaleAnthropic, max_tokens=1500, thinking={"type": "enabled", "budget_tokens": 2048}
        ).chat([li_user()]),
        InvalidRequestError,
        "must be less than max_tokens (1500)",
    ),
    # ---------------------------------------------------------------- LlamaIndex: YEScaleResponses
    Row(
        "li-responses-seed",
        "LlamaIndex",
        "YEScaleResponses(...)",
        "seed=7",
        lambda e: e.li(YEScaleResponses, seed=7),
        InvalidRequestError,
        "does not take `seed`: the Responses API takes no seed",
    ),
    Row(
        "li-responses-n",
        "LlamaIndex",
        "YEScaleResponses(...)",
        "n=2",
        lambda e: e.li(YEScaleResponses, n=2),
        InvalidRequestError,
        "returns one answer per call",
    ),
    Row(
        "lc-responses-stop",
        "LangChain",
        "ChatYEScale.invoke (Responses API)",
        'stop=["END"] with use_responses_api=True',
        lambda e: e.lc(ChatYEScale, model="gpt-5-mini", use_responses_api=True).invoke(
            "Hi", stop=["END"]
        ),
        InvalidRequestError,
        "the Responses API has no stop sequences",
    ),
    # ---------------------------------------------------------------- LlamaIndex: YEScaleEmbedding
    Row(
        "li-emb-empty-batch",
        "LlamaIndex",
        "YEScaleEmbedding.get_text_embedding_batch",
        "get_text_embedding_batch([])",
        lambda e: e.li(YEScaleEmbedding).get_text_embedding_batch([]),
        None,
        "",
        returns=[],
    ),
    Row(
        "li-emb-int-item",
        "LlamaIndex",
        "YEScaleEmbedding.get_text_embedding_batch",
        'get_text_embedding_batch(["a", 1])',
        lambda e: e.li(YEScaleEmbedding).get_text_embedding_batch(["a", 1]),
        InvalidRequestError,
        "Embedding input[1] is a int",
    ),
    Row(
        "li-emb-nested-item",
        "LlamaIndex",
        "YEScaleEmbedding.aget_text_embedding_batch",
        'aget_text_embedding_batch([["a"]])',
        lambda e: e.li(YEScaleEmbedding).aget_text_embedding_batch([["a"]]),
        InvalidRequestError,
        "Embedding input[0] is a list",
    ),
    Row(
        "li-emb-query-none",
        "LlamaIndex",
        "YEScaleEmbedding.get_query_embedding",
        "get_query_embedding(None)",
        lambda e: e.li(YEScaleEmbedding).get_query_embedding(None),
        InvalidRequestError,
        "Embedding input[0] is a NoneType",
    ),
    Row(
        "li-emb-chat-model",
        "LlamaIndex",
        "YEScaleEmbedding(...)",
        'model_name="gpt-4o"',
        lambda e: e.li(YEScaleEmbedding, model_name="gpt-4o"),
        InvalidRequestError,
        "'gpt-4o' is a chat model, not an embedding model",
    ),
    Row(
        "li-emb-batch-size-zero",
        "LlamaIndex",
        "YEScaleEmbedding(...)",
        "embed_batch_size=0",
        lambda e: e.li(YEScaleEmbedding, embed_batch_size=0),
        ValidationError,
        "embed_batch_size\n  Input should be greater than 0",
    ),
    Row(
        "li-emb-missing-key",
        "LlamaIndex",
        "YEScaleEmbedding(...)",
        "no key anywhere",
        lambda e: YEScaleEmbedding() if e.no_key() else None,
        MissingCredentialsError,
        "YEScaleEmbedding needs a YEScale API key",
    ),
    Row(
        "li-emb-timeout-negative",
        "LlamaIndex",
        "YEScaleEmbedding(...)",
        "timeout=-1",
        lambda e: e.li(YEScaleEmbedding, timeout=-1),
        InvalidRequestError,
        "timeout must be a positive number of seconds, got -1",
    ),
    Row(
        "li-emb-bad-task-type",
        "LlamaIndex",
        "YEScaleEmbedding(...)",
        "document_task_type=7",
        lambda e: e.li(YEScaleEmbedding, model_name=GEMB, document_task_type=7),
        ValidationError,
        "document_task_type\n  Input should be a valid string",
    ),
    Row(
        "li-emb-bad-task-type-name",
        "LlamaIndex",
        "YEScaleEmbedding(...)",
        'document_task_type="summary"',
        lambda e: e.li(YEScaleEmbedding, model_name=GEMB, document_task_type="summary"),
        InvalidRequestError,
        "Unknown Gemini task type 'summary'",
    ),
    Row(
        "li-emb-gemini-api-openai-model",
        "LlamaIndex",
        "YEScaleEmbedding(...)",
        'api="gemini" with model_name="text-embedding-3-small"',
        lambda e: e.li(YEScaleEmbedding, model_name="text-embedding-3-small", api="gemini"),
        InvalidRequestError,
        "is not a Gemini embedding model",
    ),
    # ---------------------------------------------------------------- LlamaIndex: YEScaleToolSpec
    Row(
        "li-spec-image-size",
        "LlamaIndex",
        "YEScaleToolSpec generate_image",
        'size="999x999"',
        lambda e: e.li_tool("generate_image", {"prompt": "a fox", "size": "999x999"}),
        ImageParameterError,
        "size='999x999' is not allowed",
    ),
    Row(
        "li-spec-image-blank-prompt",
        "LlamaIndex",
        "YEScaleToolSpec generate_image",
        'prompt=" "',
        lambda e: e.li_tool("generate_image", {"prompt": " "}),
        InvalidRequestError,
        "`prompt` must be a non-empty string",
    ),
    Row(
        "li-spec-image-n-zero",
        "LlamaIndex",
        "YEScaleToolSpec generate_image",
        "n=0",
        lambda e: e.li_tool("generate_image", {"prompt": "a fox", "n": 0}),
        ImageParameterError,
        "n=0 is not allowed",
    ),
    Row(
        "li-spec-image-nano-banana-aspect-ratio",
        "LlamaIndex",
        "YEScaleToolSpec generate_image",
        'nano-banana, aspect_ratio="4:7"',
        lambda e: e.li_tool(
            "generate_image", {"prompt": "a fox", "aspect_ratio": "4:7"}, image_model="nano-banana"
        ),
        ImageParameterError,
        "aspect_ratio='4:7' is not allowed (allowed: 1:1, 2:3, 3:2",
    ),
    Row(
        "li-spec-image-nano-banana-size",
        "LlamaIndex",
        "YEScaleToolSpec generate_image",
        'nano-banana, size="1536x1024"',
        lambda e: e.li_tool(
            "generate_image", {"prompt": "a fox", "size": "1536x1024"}, image_model="nano-banana"
        ),
        ImageParameterError,
        "give aspect_ratio (e.g. '16:9') instead",
    ),
    Row(
        "li-spec-image-nano-banana-n",
        "LlamaIndex",
        "YEScaleToolSpec generate_image",
        "nano-banana-pro, n=4",
        lambda e: e.li_tool(
            "generate_image", {"prompt": "a fox", "n": 4}, image_model="nano-banana-pro"
        ),
        ImageParameterError,
        "gemini-3-pro-image makes one image per request (call again for more)",
    ),
    Row(
        "li-spec-image-nano-banana-image-size",
        "LlamaIndex",
        "YEScaleToolSpec generate_image",
        'nano-banana, image_size="4K"',
        lambda e: e.li_tool(
            "generate_image", {"prompt": "a fox", "image_size": "4K"}, image_model="nano-banana"
        ),
        ImageParameterError,
        "only gemini-3-pro-image-preview, a.k.a. nano-banana-pro, takes image_size",
    ),
    Row(
        "li-spec-image-nano-banana-text-only",
        "LlamaIndex",
        "YEScaleToolSpec generate_image",
        "nano-banana, Gemini answers with text only (HTTP 200, no image)",
        lambda e: e.li_tool("generate_image", {"prompt": "a fox"}, image_model="nano-banana"),
        ImageNotGeneratedError,
        "nano-banana made no image: the model answered with text only, finishReason=STOP. "
        "The model wrote: 'I cannot draw foxes.'",
        sent=1,
        server=lambda: httpx.Response(
            200,
            json={
                "candidates": [
                    {
                        "content": {"parts": [{"text": "I cannot draw foxes."}]},
                        "finishReason": "STOP",
                    }
                ]
            },
        ),
    ),
    Row(
        "li-spec-media-duration-zero",
        "LlamaIndex",
        "YEScaleToolSpec generate_media",
        "duration=0",
        lambda e: e.li_tool(
            "generate_media", {"model": "sora-2", "prompt": "a cat", "duration": 0}
        ),
        InvalidRequestError,
        "duration must be a positive number of seconds (e.g. 8), got 0",
    ),
    Row(
        "li-spec-media-aspect-ratio",
        "LlamaIndex",
        "YEScaleToolSpec generate_media",
        'aspect_ratio="portrait"',
        lambda e: e.li_tool(
            "generate_media", {"model": "sora-2", "prompt": "a cat", "aspect_ratio": "portrait"}
        ),
        InvalidRequestError,
        "aspect_ratio must be width:height",
    ),
    Row(
        "li-spec-media-chat-model",
        "LlamaIndex",
        "YEScaleToolSpec generate_media",
        'model="claude-sonnet-4"',
        lambda e: e.li_tool("generate_media", {"model": "claude-sonnet-4", "prompt": "a cat"}),
        InvalidRequestError,
        "'claude-sonnet-4' is a chat model, not a media model",
    ),
    Row(
        "li-spec-media-empty-task-id",
        "LlamaIndex",
        "YEScaleToolSpec get_media_task",
        'task_id=""',
        lambda e: e.li_tool("get_media_task", {"task_id": ""}),
        InvalidRequestError,
        "`task_id` must be a non-empty string",
    ),
    Row(
        "li-spec-extract-blank-text",
        "LlamaIndex",
        "YEScaleToolSpec extract_structured",
        'text=""',
        lambda e: e.li_tool("extract_structured", {"text": ""}, structured_schema=Invoice),
        InvalidRequestError,
        "`text` must be a non-empty string to extract data from",
    ),
    Row(
        "li-spec-recursive-schema",
        "LlamaIndex",
        "YEScaleToolSpec(...)",
        "structured_schema recursive",
        lambda e: e.li(YEScaleToolSpec, structured_schema=TreeNode),
        InvalidRequestError,
        "The schema is recursive",
    ),
    Row(
        "li-spec-image-chat-model",
        "LlamaIndex",
        "YEScaleToolSpec(...)",
        'image_model="gpt-4o"',
        lambda e: e.li(YEScaleToolSpec, image_model="gpt-4o"),
        InvalidRequestError,
        "'gpt-4o' is a chat model, not an image model",
    ),
    Row(
        "lc-callback-budget-without-prices",
        "LangChain",
        "get_yescale_callback(...)",
        "budget_usd with no access key for the prices",
        lambda e: (
            langchain_yescale.get_yescale_callback(budget_usd=1).__enter__()
            if e.no_access_key()
            else None
        ),
        InvalidRequestError,
        "A cost budget needs prices",
    ),
    Row(
        "li-callback-budget-without-prices",
        "LlamaIndex",
        "get_yescale_callback(...)",
        "budget_usd with no access key for the prices",
        lambda e: (
            llama_index_yescale.get_yescale_callback(budget_usd=1).__enter__()
            if e.no_access_key()
            else None
        ),
        InvalidRequestError,
        "A cost budget needs prices",
    ),
    Row(
        "li-spec-missing-key",
        "LlamaIndex",
        "YEScaleToolSpec(...)",
        "no key anywhere",
        lambda e: YEScaleToolSpec() if e.no_key() else None,
        MissingCredentialsError,
        "needs a YEScale API key",
    ),
    *AUDIO_ROWS,
]


# -- the tests -----------------------------------------------------------------------------------


def run(row: Row, env: Env) -> Any:
    result = row.call(env)
    if inspect.isawaitable(result):
        return asyncio.run(_awaited(result))
    return result


async def _awaited(result: Any) -> Any:
    return await result


@pytest.mark.parametrize("row", ROWS, ids=[row.id for row in ROWS])
def test_bad_input(row: Row, monkeypatch: pytest.MonkeyPatch) -> None:
    env = Env(row, monkeypatch)
    if row.raises is None:
        assert run(row, env) == row.returns
    else:
        with pytest.raises(row.raises) as info:
            run(row, env)
        assert row.message in str(info.value), f"{row.message!r} not in {str(info.value)!r}"
        if isinstance(info.value, InvalidRequestError):
            assert info.value.status_code is None  # ours, not the service's
        if row.sent:
            assert info.value.__class__.__name__ != "ValidationError"
    assert len(env.requests) == row.sent, [str(r.url) for r in env.requests]
    if row.id.startswith("corpus-"):  # refused before Ray started
        assert not sys.modules["ray"].is_initialized()


TOOL_ROWS = [
    row for row in ROWS if row.raises is not None and issubclass(row.raises, ToolException)
]


@pytest.mark.parametrize("row", TOOL_ROWS, ids=[row.id for row in TOOL_ROWS])
def test_tool_input_errors_go_back_to_the_model_by_default(
    row: Row, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With the default ``handle_tool_error=True``, what an agent's model reads instead."""
    env = Env(row, monkeypatch)
    env.tool_errors_to_model = True
    message = run(row, env)
    assert isinstance(message, ToolMessage)
    assert message.status == "error"
    assert row.message in str(message.content)
    assert len(env.requests) == row.sent  # 0, unless only the service could tell


def test_rows_are_unique_and_cover_every_layer() -> None:
    assert len({row.id for row in ROWS}) == len(ROWS)
    assert {row.layer for row in ROWS} == {"client", "LangChain", "LlamaIndex"}
    for row in ROWS:
        assert row.message or row.raises is None, row.id
        assert (row.server is None) == (row.sent == 0), row.id


def test_every_public_class_has_rows() -> None:
    names = " ".join(row.where for row in ROWS)
    for cls in (
        *(
            getattr(langchain_yescale, n)
            for n in ("ChatYEScale", "ChatYEScaleGemini", "ChatYEScaleAnthropic")
        ),
        YEScaleEmbeddings,
        YEScaleImageGenerationTool,
        YEScaleMediaTaskTool,
        YEScaleGeminiStructuredOutputTool,
        YEScaleSpeechToTextTool,
        YEScaleTextToSpeechTool,
        *(
            getattr(llama_index_yescale, n)
            for n in ("YEScale", "YEScaleGemini", "YEScaleAnthropic", "YEScaleResponses")
        ),
        YEScaleEmbedding,
        YEScaleToolSpec,
        YEScaleAudioReader,
    ):
        assert cls.__name__ in names, cls
    for group in (
        "chat",
        "embeddings",
        "images",
        "gemini",
        "media",
        "system",
        "responses",
        "audio",
    ):
        assert f"client.{group}." in names or f"client.aio.{group}." in names, group


# -- the docs table ------------------------------------------------------------------------------

START = "<!-- rows:start (generated by python -m tests.unit.test_bad_input --write) -->"
END = "<!-- rows:end -->"


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _outcome(row: Row) -> str:
    if row.raises is None:
        return f"returns `{row.returns!r}` (accepted on purpose)"
    return f"`{row.raises.__name__}`: …{_cell(row.message)}…"


def figures() -> dict[str, int]:
    refused = [r for r in ROWS if r.raises is not None]
    return {
        "tried": len(ROWS),
        "before": sum(1 for r in refused if r.sent == 0),
        "server": sum(1 for r in refused if r.sent > 0),
        "accepted": sum(1 for r in ROWS if r.raises is None),
        "tool_rows": len(TOOL_ROWS),
    }


def property_tests() -> list[tuple[str, str, int]]:
    """``(module, test, examples)`` for every hypothesis property in tests/property."""
    import importlib

    from tests.property.conftest import MAX_EXAMPLES

    found = []
    for name in ("test_sse_properties", "test_gemini_schema_properties"):
        module = importlib.import_module(f"tests.property.{name}")
        for attr, value in sorted(vars(module).items()):
            if attr.startswith("test_") and getattr(value, "is_hypothesis_test", False):
                explicit = len(getattr(value, "hypothesis_explicit_examples", []))
                found.append((name, attr, MAX_EXAMPLES + explicit))
    return found


def render() -> str:
    counts = figures()
    properties = property_tests()
    lines = [
        START,
        "",
        f"**{counts['tried']} bad inputs tried**: {counts['before']} refused before any request, "
        f"{counts['server']} refused by the service with a specific error (only it can tell), "
        f"{counts['accepted']} accepted on purpose. The {counts['tool_rows']} LangChain tool "
        "rows are also run with the default `handle_tool_error=True`: the same message reaches "
        'the model as a `ToolMessage` with `status="error"`.',
        "",
        f"**{len(properties)} property tests** (hypothesis, derandomized, "
        f"{sum(n for *_, n in properties)} examples per run):",
        "",
        "| module | property | examples per run |",
        "|---|---|---|",
        *(f"| `{module}` | `{test}` | {n} |" for module, test, n in properties),
        "",
    ]
    for layer in ("client", "LangChain", "LlamaIndex"):
        title = {"client": "`yescale` client", "LangChain": "LangChain", "LlamaIndex": "LlamaIndex"}
        lines += [
            f"### {title[layer]}",
            "",
            "| id | call | bad input | what the user gets | no request sent |",
            "|---|---|---|---|---|",
        ]
        for row in (r for r in ROWS if r.layer == layer):
            sent = "yes" if row.sent == 0 else "no: the service refused it"
            lines.append(
                f"| `{row.id}` | `{_cell(row.where)}` | {_cell(row.bad)} | {_outcome(row)} "
                f"| {sent} |"
            )
        lines.append("")
    lines.append(END)
    return "\n".join(lines)


def _doc_section(text: str) -> str:
    start = text.index(START)
    end = text.index(END) + len(END)
    return text[start:end]


def test_docs_table_is_the_rows() -> None:
    """docs/bad-input.md shows exactly these rows (regenerate: ``--write``)."""
    assert _doc_section(DOC.read_text(encoding="utf-8")) == render()


def write_docs() -> None:
    text = DOC.read_text(encoding="utf-8")
    DOC.write_text(text.replace(_doc_section(text), render()), encoding="utf-8")


if __name__ == "__main__":
    if "--write" in sys.argv:
        write_docs()
    else:
        print(render())
