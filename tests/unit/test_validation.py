"""Bad input is refused before any request, with InvalidRequestError (also a ValueError)."""

from __future__ import annotations

import asyncio
import datetime
import json
from collections.abc import Callable
from functools import partial
from typing import Any

import pytest

from yescale import InvalidRequestError, YEScaleClient

from .conftest import (
    ACCESS_KEY,
    API_KEY,
    MESSAGES,
    Recorder,
    chat_completion,
    json_response,
    make_client,
    never_called,
)


@pytest.fixture
def client() -> YEScaleClient:
    return make_client(never_called, access_key=ACCESS_KEY)


SYNC_CASES: list[tuple[str, Callable[[YEScaleClient], Any], str]] = [
    ("no messages", lambda c: c.chat.create(model="gpt-4o-mini", messages=[]), "messages"),
    ("messages string", lambda c: c.chat.create(model="gpt-4o-mini", messages="Hi"), "messages"),
    (
        "message without role",
        lambda c: c.chat.create(model="gpt-4o-mini", messages=[{"content": "Hi"}]),
        "role",
    ),
    (
        "message not a dict",
        lambda c: c.chat.create(model="gpt-4o-mini", messages=["Hi"]),
        r"messages\[0\]",
    ),
    (
        "second message without role",
        lambda c: c.chat.create(model="gpt-4o-mini", messages=[*MESSAGES, {"role": ""}]),
        r"messages\[1\]",
    ),
    ("empty model", lambda c: c.chat.create(model="", messages=MESSAGES), "model"),
    ("blank model", lambda c: c.chat.create(model="   ", messages=MESSAGES), "model"),
    ("model not str", lambda c: c.chat.create(model=None, messages=MESSAGES), "model"),
    (
        "stream empty messages",
        lambda c: c.chat.stream(model="gpt-4o-mini", messages=[]),
        "messages",
    ),
    ("empty image prompt", lambda c: c.images.generate(prompt=""), "prompt"),
    ("blank image prompt", lambda c: c.images.generate(prompt=" \n"), "prompt"),
    ("image empty model", lambda c: c.images.generate(prompt="a cat", model=""), "model"),
    ("edit empty prompt", lambda c: c.images.edit(image=b"\x89PNG", prompt=""), "prompt"),
    ("edit no images", lambda c: c.images.edit(image=[], prompt="x"), "image"),
    ("edit image wrong type", lambda c: c.images.edit(image="cat.png", prompt="x"), "image"),
    (
        "embedding int input",
        lambda c: c.embeddings.create(model="text-embedding-3-small", input=[1, 2]),
        r"input\[0\]",
    ),
    (
        "embedding mixed input",
        lambda c: c.embeddings.create(model="text-embedding-3-small", input=["a", None]),
        r"input\[1\]",
    ),
    (
        "embedding empty list",
        lambda c: c.embeddings.create(model="text-embedding-3-small", input=[]),
        "empty",
    ),
    (
        "embedding bytes",
        lambda c: c.embeddings.create(model="text-embedding-3-small", input=b"hi"),
        "string",
    ),
    ("embedding empty model", lambda c: c.embeddings.create(model="", input="hi"), "model"),
    (
        "gemini empty contents",
        lambda c: c.gemini.generate_content(model="gemini-2.5-flash", contents=[]),
        "contents",
    ),
    (
        "gemini blank prompt",
        lambda c: c.gemini.generate_content(model="gemini-2.5-flash", contents=""),
        "contents",
    ),
    (
        "gemini content without parts",
        lambda c: c.gemini.generate_content(
            model="gemini-2.5-flash", contents=[{"role": "user", "text": "Hi"}]
        ),
        "parts",
    ),
    (
        "gemini content not a dict",
        lambda c: c.gemini.generate_content(model="gemini-2.5-flash", contents=["Hi"]),
        r"contents\[0\]",
    ),
    (
        "gemini contents wrong type",
        lambda c: c.gemini.generate_content(model="gemini-2.5-flash", contents=42),
        "contents",
    ),
    (
        "gemini stream bad contents",
        lambda c: c.gemini.stream_generate_content(model="gemini-2.5-flash", contents=[]),
        "contents",
    ),
    (
        "gemini empty model",
        lambda c: c.gemini.generate_content(model="", contents="Hi"),
        "model",
    ),
    (
        "gemini chat no messages",
        lambda c: c.gemini.chat.create(model="gemini-2.5-flash", messages=[]),
        "messages",
    ),
    ("media empty prompt", lambda c: c.media.submit(model="sora-2", prompt=""), "prompt"),
    ("media empty model", lambda c: c.media.submit(model="", prompt="a cat"), "model"),
    (
        "media config not a dict",
        lambda c: c.media.submit(model="sora-2", prompt="a cat", config=["16:9"]),
        "config",
    ),
    (
        "media config string",
        lambda c: c.media.submit(model="sora-2", prompt="a cat", config="16:9"),
        "config",
    ),
    ("empty task id", lambda c: c.media.get(""), "task_id"),
    ("blank task id", lambda c: c.media.get("  "), "task_id"),
    ("task id not str", lambda c: c.media.get(None), "task_id"),
    ("wait empty task id", lambda c: c.media.wait(""), "task_id"),
    ("run empty prompt", lambda c: c.media.run(model="sora-2", prompt=""), "prompt"),
    (
        "wait bad poll interval",
        lambda c: c.media.wait("task-1", poll_interval=0),
        "poll_interval",
    ),
    ("wait bad timeout", lambda c: c.media.wait("task-1", timeout=-1), "timeout"),
    ("download no url", lambda c: c.media.download("", "."), "download"),
    ("download ftp url", lambda c: c.media.download("ftp://x/y.mp4", "."), "http"),
    (
        "download into missing folder",
        lambda c: c.media.download("https://cdn.example.com/v.mp4", "/no/such/folder/v.mp4"),
        "does not exist",
    ),
    (
        "quota both",
        lambda c: c.system.edit_api_key_quota(1, remain_quota=10, remain_quota_usd=1.0),
        "exactly one",
    ),
    ("quota neither", lambda c: c.system.edit_api_key_quota(1), "exactly one"),
    ("quota negative", lambda c: c.system.edit_api_key_quota(1, remain_quota=-5), "negative"),
    # a part that is wrong says which message, which part, and what is wrong (issue 15, item 3)
    *(
        (
            f"{endpoint} {name}",
            lambda c, create=create, content=content: create(c)(
                messages=[*MESSAGES, {"role": "user", "content": content}]
            ),
            match,
        )
        for endpoint, create in (
            ("chat", lambda c: partial(c.chat.create, model="gpt-4o-mini")),
            ("gemini chat", lambda c: partial(c.gemini.chat.create, model="gemini-2.5-flash")),
        )
        for name, content, match in (
            (
                "text part int",
                [{"type": "text", "text": 5}],
                r"messages\[1\]\.content\[0\] is a text part whose text is an int \(5\): "
                "text must be a str",
            ),
            (
                "text part bytes",
                [{"type": "text", "text": "ok"}, {"type": "text", "text": b"hi"}],
                r"messages\[1\]\.content\[1\] is a text part whose text is bytes .*decode",
            ),
            (
                "image invalid base64",
                [{"type": "image_url", "image_url": {"url": "data:image/png;base64,not base64!"}}],
                r"messages\[1\]\.content\[0\] is a data URL whose base64 is invalid",
            ),
            (
                "image data URL not base64",
                [{"type": "image_url", "image_url": {"url": "data:image/png,%89PNG"}}],
                r"messages\[1\]\.content\[0\] is a data URL without base64",
            ),
        )
    ),
]


@pytest.mark.parametrize(
    ("call", "match"), [(c, m) for _, c, m in SYNC_CASES], ids=[i for i, _, _ in SYNC_CASES]
)
def test_refused_before_any_request(
    client: YEScaleClient, call: Callable[[YEScaleClient], Any], match: str
) -> None:
    with pytest.raises(InvalidRequestError, match=match) as info:
        call(client)
    assert isinstance(info.value, ValueError)
    assert info.value.status_code is None


def test_message_error_names_the_expected_shape(client: YEScaleClient) -> None:
    with pytest.raises(InvalidRequestError) as info:
        client.chat.create(model="gpt-4o-mini", messages=[{"content": "Hi"}])
    assert "system, user, assistant, tool" in str(info.value)


def test_a_valueerror_handler_catches_it(client: YEScaleClient) -> None:
    with pytest.raises(ValueError, match="prompt"):
        client.images.generate(prompt="")


ASYNC_CASES: list[tuple[str, Callable[[YEScaleClient], Any], str]] = [
    ("no messages", lambda c: c.aio.chat.create(model="gpt-4o-mini", messages=[]), "messages"),
    ("empty model", lambda c: c.aio.chat.create(model="", messages=MESSAGES), "model"),
    ("image prompt", lambda c: c.aio.images.generate(prompt=""), "prompt"),
    (
        "embedding input",
        lambda c: c.aio.embeddings.create(model="text-embedding-3-small", input=[0.5]),
        r"input\[0\]",
    ),
    (
        "gemini contents",
        lambda c: c.aio.gemini.generate_content(model="gemini-2.5-flash", contents=[{}]),
        "parts",
    ),
    ("media prompt", lambda c: c.aio.media.submit(model="sora-2", prompt=""), "prompt"),
    (
        "media config",
        lambda c: c.aio.media.submit(model="sora-2", prompt="x", config=1),
        "config",
    ),
    ("task id", lambda c: c.aio.media.get(""), "task_id"),
    ("quota", lambda c: c.aio.system.edit_api_key_quota(1), "exactly one"),
]


@pytest.mark.parametrize(
    ("call", "match"), [(c, m) for _, c, m in ASYNC_CASES], ids=[i for i, _, _ in ASYNC_CASES]
)
async def test_refused_before_any_request_async(
    client: YEScaleClient, call: Callable[[YEScaleClient], Any], match: str
) -> None:
    with pytest.raises(InvalidRequestError, match=match):
        await call(client)


def test_async_stream_refused_when_called(client: YEScaleClient) -> None:
    # The check runs when the stream is created, not at the first iteration.
    with pytest.raises(InvalidRequestError, match="messages"):
        client.aio.chat.stream(model="gpt-4o-mini", messages=[])
    with pytest.raises(InvalidRequestError, match="contents"):
        client.aio.gemini.stream_generate_content(model="gemini-2.5-flash", contents=[])


# -- a body that is not JSON: refused by the transport, naming where, before anything is sent --

_DATED = [{"role": "user", "content": "Hi", "sent_at": datetime.datetime(2025, 1, 1)}]
NOT_JSON_CASES: list[tuple[str, Callable[[YEScaleClient], Any], str]] = [
    (
        "chat",
        lambda c: c.chat.create(model="gpt-4o-mini", messages=_DATED),
        "Cannot send the chat completion: messages[0].sent_at is a datetime",
    ),
    (
        "chat stream",
        lambda c: list(c.chat.stream(model="gpt-4o-mini", messages=_DATED)),
        "Cannot send the chat completion: messages[0].sent_at is a datetime",
    ),
    (
        "async chat",
        lambda c: asyncio.run(c.aio.chat.create(model="gpt-4o-mini", messages=_DATED)),
        "messages[0].sent_at is a datetime",
    ),
    (
        "gemini",
        lambda c: c.gemini.generate_content(
            model="gemini-2.5-flash", contents="Hi", generation_config={"seed": float("nan")}
        ),
        "generationConfig.seed is nan, and JSON has no NaN",
    ),
    (
        "gemini stream",
        lambda c: list(
            c.gemini.stream_generate_content(
                model="gemini-2.5-flash", contents="Hi", labels={"at": datetime.date(2025, 1, 1)}
            )
        ),
        "labels.at is a date",
    ),
]


@pytest.mark.parametrize("own_pool", [False, True], ids=["injected client", "own pool"])
@pytest.mark.parametrize(
    ("call", "says"), [(c, m) for _, c, m in NOT_JSON_CASES], ids=[i for i, _, _ in NOT_JSON_CASES]
)
def test_a_body_that_is_not_json_is_refused_naming_where(
    own_pool: bool, call: Callable[[YEScaleClient], Any], says: str
) -> None:
    # Both ways a request is built (through an httpx client, or straight to our own pool). A
    # request that got out would fail differently: the injected client refuses any, and the
    # own pool points at a closed local port.
    client = (
        YEScaleClient(api_key=API_KEY, base_url="http://127.0.0.1:9", max_retries=0)
        if own_pool
        else make_client(never_called)
    )
    with pytest.raises(InvalidRequestError) as info:
        call(client)
    assert says in str(info.value)
    assert isinstance(info.value.__cause__, (TypeError, ValueError))


# -- no tools: what OpenAI would refuse is left out, or refused here ------------------------------


def test_empty_tools_and_their_options_are_not_sent() -> None:
    """``tools: []`` (``bind_tools([])``, an agent with no tools left), ``parallel_tool_calls``
    and a ``tool_choice`` of ``auto`` / ``none`` without tools: OpenAI answers each with a 400.
    Left out at the client, so every framework class gets it."""
    recorder = Recorder(json_response(chat_completion()))
    client = make_client(recorder)
    for choice in ("auto", "none", None):
        extra = {"tool_choice": choice} if choice else {}
        client.chat.create(
            model="gpt-4o-mini", messages=MESSAGES, tools=[], parallel_tool_calls=True, **extra
        )
    for request in recorder.requests:
        body = json.loads(request.content)
        assert not {"tools", "tool_choice", "parallel_tool_calls"} & set(body)


@pytest.mark.parametrize(
    ("choice", "message"),
    [
        ("required", "no tools were given"),
        ({"type": "function", "function": {"name": "f"}}, "not among the tools given"),
    ],
)
def test_a_tool_choice_that_needs_tools_is_refused_without_them(choice: Any, message: str) -> None:
    client = make_client(never_called)
    with pytest.raises(InvalidRequestError, match=message):
        client.chat.create(model="gpt-4o-mini", messages=MESSAGES, tools=[], tool_choice=choice)
