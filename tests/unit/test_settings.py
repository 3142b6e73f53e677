"""Settings (arguments, environment, defaults), URL checks, and auth per endpoint family."""

from __future__ import annotations

import httpx
import pytest
from pydantic import SecretStr

from tests.conftest import warnings_as_errors
from yescale import (
    DEFAULT_BASE_URL,
    DEFAULT_SYSTEM_BASE_URL,
    ClientSettings,
    MissingCredentialsError,
    YEScaleClient,
)
from yescale._settings import check_framework_settings
from yescale.errors import error_from_response

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

ENV = ("YESCALE_API_KEY", "YESCALE_BASE_URL", "YESCALE_ACCESS_KEY", "YESCALE_SYSTEM_BASE_URL")


@pytest.fixture
def clean_env(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    for name in ENV:
        monkeypatch.delenv(name, raising=False)
    return monkeypatch


# -- resolution ---------------------------------------------------------------------------------


def test_defaults(clean_env: pytest.MonkeyPatch) -> None:
    settings = ClientSettings.resolve()
    assert settings.base_url == DEFAULT_BASE_URL == "https://api.yescale.io"
    assert settings.system_base_url == DEFAULT_SYSTEM_BASE_URL == "https://yescale.bogia.app"
    assert settings.api_key is None
    assert settings.access_key is None
    assert settings.max_retries == 2
    assert settings.timeout.read == 300.0
    assert settings.timeout.connect == 10.0
    assert dict(settings.default_headers) == {}


def test_environment(clean_env: pytest.MonkeyPatch) -> None:
    clean_env.setenv("YESCALE_API_KEY", " env-api-key-123 ")
    clean_env.setenv("YESCALE_BASE_URL", "https://api.yescale.vip/")
    clean_env.setenv("YESCALE_ACCESS_KEY", "env-access-key-456")
    clean_env.setenv("YESCALE_SYSTEM_BASE_URL", "https://system.example.com")
    settings = ClientSettings.resolve()
    assert settings.api_key is not None
    assert settings.api_key.get_secret_value() == "env-api-key-123"
    assert settings.base_url == "https://api.yescale.vip"
    assert settings.access_key is not None
    assert settings.access_key.get_secret_value() == "env-access-key-456"
    assert settings.system_base_url == "https://system.example.com"


def test_arguments_beat_environment(clean_env: pytest.MonkeyPatch) -> None:
    clean_env.setenv("YESCALE_API_KEY", "env-api-key")
    clean_env.setenv("YESCALE_BASE_URL", "https://env.example.com")
    clean_env.setenv("YESCALE_ACCESS_KEY", "env-access-key")
    clean_env.setenv("YESCALE_SYSTEM_BASE_URL", "https://env-system.example.com")
    settings = ClientSettings.resolve(
        api_key="arg-api-key",
        base_url="https://arg.example.com",
        access_key=SecretStr("arg-access-key"),
        system_base_url="https://arg-system.example.com",
        timeout=12,
        max_retries=5,
        default_headers={"X-Team": "ml"},
    )
    assert settings.api_key is not None
    assert settings.api_key.get_secret_value() == "arg-api-key"
    assert settings.base_url == "https://arg.example.com"
    assert settings.access_key is not None
    assert settings.access_key.get_secret_value() == "arg-access-key"
    assert settings.system_base_url == "https://arg-system.example.com"
    assert settings.timeout.read == 12.0
    assert settings.timeout.connect == 10.0
    assert settings.max_retries == 5
    assert dict(settings.default_headers) == {"X-Team": "ml"}


def test_client_reads_environment(clean_env: pytest.MonkeyPatch) -> None:
    clean_env.setenv("YESCALE_API_KEY", "from-env-key-789")
    clean_env.setenv("YESCALE_BASE_URL", "https://api.yescale.vip")
    handler = Recorder(json_response(chat_completion()))
    client = YEScaleClient(http_client=httpx.Client(transport=httpx.MockTransport(handler)))
    client.chat.create(model="gpt-4o-mini", messages=MESSAGES)
    request = handler.requests[0]
    assert str(request.url) == "https://api.yescale.vip/v1/chat/completions"
    assert request.headers["authorization"] == "Bearer from-env-key-789"


def test_timeout_object_kept(clean_env: pytest.MonkeyPatch) -> None:
    timeout = httpx.Timeout(5.0, connect=1.0)
    assert ClientSettings.resolve(timeout=timeout).timeout is timeout
    assert ClientSettings.resolve(timeout=0.5).timeout.connect == 0.5


def test_negative_max_retries_rejected(clean_env: pytest.MonkeyPatch) -> None:
    with pytest.raises(ValueError, match="max_retries"):
        ClientSettings.resolve(max_retries=-1)


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("https://api.yescale.io/v1", "https://api.yescale.io"),
        ("https://api.yescale.io/v1/", "https://api.yescale.io"),
        ("https://api.yescale.io/v1beta", "https://api.yescale.io"),
        ("https://api.yescale.io/", "https://api.yescale.io"),
        ("https://proxy.example.com/yescale", "https://proxy.example.com/yescale"),
        ("https://proxy.example.com/yescale/v1", "https://proxy.example.com/yescale"),
    ],
)
def test_trailing_v1_stripped(clean_env: pytest.MonkeyPatch, given: str, expected: str) -> None:
    assert ClientSettings.resolve(base_url=given).base_url == expected


def test_v1_base_url_does_not_double_path(clean_env: pytest.MonkeyPatch) -> None:
    handler = Recorder(json_response(chat_completion()))
    client = make_client(handler, base_url="https://api.yescale.io/v1")
    client.chat.create(model="gpt-4o-mini", messages=MESSAGES)
    assert handler.requests[0].url.path == "/v1/chat/completions"


@pytest.mark.parametrize(
    "bad", ["api.yescale.io", "ftp://api.yescale.io", "https://", "not a url", "file:///etc/x"]
)
def test_invalid_url_rejected(clean_env: pytest.MonkeyPatch, bad: str) -> None:
    with pytest.raises(ValueError, match="http"):
        ClientSettings.resolve(base_url=bad)
    with pytest.raises(ValueError, match="http"):
        ClientSettings.resolve(system_base_url=bad)


def test_invalid_env_url_names_the_variable(clean_env: pytest.MonkeyPatch) -> None:
    clean_env.setenv("YESCALE_BASE_URL", "api.yescale.io")
    with pytest.raises(ValueError, match="YESCALE_BASE_URL"):
        ClientSettings.resolve()


def test_plain_http_to_remote_host_warns(clean_env: pytest.MonkeyPatch) -> None:
    with pytest.warns(UserWarning, match="plain http"):
        YEScaleClient(api_key=API_KEY, base_url="http://api.yescale.io")
    with pytest.warns(UserWarning, match="plain http"):
        YEScaleClient(api_key=API_KEY, system_base_url="http://yescale.bogia.app")


def test_plain_http_warning_points_at_the_caller(clean_env: pytest.MonkeyPatch) -> None:
    with pytest.warns(UserWarning, match="plain http") as record:
        YEScaleClient(api_key=API_KEY, base_url="http://api.yescale.io")
    assert record[0].filename == __file__


@pytest.mark.parametrize(
    "local", ["http://127.0.0.1:8080", "http://localhost:1234", "http://[::1]:9000"]
)
def test_plain_http_to_local_host_does_not_warn(clean_env: pytest.MonkeyPatch, local: str) -> None:
    with warnings_as_errors():
        client = YEScaleClient(api_key=API_KEY, base_url=local, system_base_url=local)
    assert client.base_url == local


# -- credentials --------------------------------------------------------------------------------


def test_missing_api_key_before_any_request(clean_env: pytest.MonkeyPatch) -> None:
    client = make_client(never_called, api_key=None)
    with pytest.raises(MissingCredentialsError, match="YESCALE_API_KEY") as info:
        client.chat.create(model="gpt-4o-mini", messages=MESSAGES)
    assert isinstance(info.value, ValueError)
    with pytest.raises(MissingCredentialsError, match="YESCALE_API_KEY"):
        client.gemini.generate_content(model="gemini-2.5-flash", contents="Hi")
    with pytest.raises(MissingCredentialsError, match="YESCALE_API_KEY"):
        client.media.get("task-1")
    with pytest.raises(MissingCredentialsError, match="YESCALE_API_KEY"):
        list(client.chat.stream(model="gpt-4o-mini", messages=MESSAGES))


async def test_missing_api_key_async(clean_env: pytest.MonkeyPatch) -> None:
    client = make_client(never_called, api_key=None)
    with pytest.raises(MissingCredentialsError, match="YESCALE_API_KEY"):
        await client.aio.chat.create(model="gpt-4o-mini", messages=MESSAGES)
    with pytest.raises(MissingCredentialsError, match="YESCALE_API_KEY"):
        async for _ in client.aio.chat.stream(model="gpt-4o-mini", messages=MESSAGES):
            pass


def test_empty_key_is_missing(clean_env: pytest.MonkeyPatch) -> None:
    clean_env.setenv("YESCALE_API_KEY", "   ")
    assert ClientSettings.resolve().api_key is None
    assert ClientSettings.resolve(api_key=SecretStr("")).api_key is None


@pytest.mark.parametrize("key", [None, "", "   ", SecretStr(" \n")])
def test_framework_classes_refuse_a_blank_key_when_built(
    clean_env: pytest.MonkeyPatch, key: str | SecretStr | None
) -> None:
    # the client would find no key in it, so the first request would fail instead
    with pytest.raises(MissingCredentialsError, match="ChatYEScale needs a YEScale API key"):
        check_framework_settings("ChatYEScale", api_key=key)
    check_framework_settings("ChatYEScale", api_key=SecretStr(f" {API_KEY}\n"))


def test_keys_are_stripped(clean_env: pytest.MonkeyPatch) -> None:
    # e.g. read from a file with its newline: sent as is, it is an illegal header value
    handler = Recorder(_ok_for)
    client = make_client(handler, api_key=f"  {API_KEY}\n", access_key=SecretStr(f"{ACCESS_KEY}\n"))
    client.chat.create(model="gpt-4o-mini", messages=MESSAGES)
    client.system.user()
    assert handler.requests[0].headers["authorization"] == f"Bearer {API_KEY}"
    assert handler.requests[1].headers["authorization"] == f"Bearer {ACCESS_KEY}"
    assert client.settings.secrets() == (API_KEY, ACCESS_KEY)


def test_missing_access_key_for_system_api(clean_env: pytest.MonkeyPatch) -> None:
    client = make_client(never_called)  # api key set, access key not
    with pytest.raises(MissingCredentialsError, match="YESCALE_ACCESS_KEY") as info:
        client.system.user()
    assert "access_key" in str(info.value)
    assert API_KEY not in str(info.value)


def test_system_api_does_not_need_api_key(clean_env: pytest.MonkeyPatch) -> None:
    handler = Recorder(json_response({"success": True, "data": []}))
    client = make_client(handler, api_key=None, access_key=ACCESS_KEY)
    assert client.system.models() == []
    assert handler.calls == 1


# -- auth per endpoint family -------------------------------------------------------------------


def _ok_for(request: httpx.Request) -> httpx.Response:
    path = request.url.path
    if path.startswith("/v1beta/"):
        return json_response(
            {"candidates": [{"content": {"parts": [{"text": "Hi"}]}, "finishReason": "STOP"}]}
        )
    if path.startswith("/task/"):
        return json_response({"task_id": "t1", "status": "QUEUED"})
    if path.startswith("/yescale/"):
        return json_response({"success": True, "data": {"id": 1, "username": "u"}})
    if path == "/v1/embeddings":
        return json_response({"data": [{"embedding": [0.1], "index": 0}]})
    return json_response(chat_completion())


def test_auth_per_family(clean_env: pytest.MonkeyPatch) -> None:
    handler = Recorder(_ok_for)
    client = make_client(
        handler,
        access_key=ACCESS_KEY,
        default_headers={"X-Team": "ml", "X-Trace": "abc"},
    )
    client.chat.create(model="gpt-4o-mini", messages=MESSAGES)
    client.embeddings.create(model="text-embedding-3-small", input="hi")
    client.media.submit(model="sora-2", prompt="a cat")
    client.media.get("t1")
    client.gemini.generate_content(model="gemini-2.5-flash", contents="Hi")
    client.system.user()
    chat, emb, submit, poll, gemini, system = handler.requests

    for request in (chat, emb, submit, poll):
        assert request.url.host == "api.yescale.io"
        assert request.headers["authorization"] == f"Bearer {API_KEY}"
        assert "x-goog-api-key" not in request.headers
    assert submit.url.path == "/task/submit"
    assert poll.url.path == "/task/t1"

    assert gemini.url.host == "api.yescale.io"
    assert gemini.url.path.startswith("/v1beta/models/gemini-2.5-flash:generateContent")
    assert gemini.headers["x-goog-api-key"] == API_KEY
    assert "authorization" not in gemini.headers

    assert system.url.host == "yescale.bogia.app"
    assert system.url.path == "/yescale/user"
    assert system.headers["authorization"] == f"Bearer {ACCESS_KEY}"
    assert API_KEY not in str(system.headers)

    for request in handler.requests:
        assert request.headers["x-team"] == "ml"
        assert request.headers["x-trace"] == "abc"
        assert request.headers["user-agent"].startswith("yescale-integrations/")


def test_default_headers_cannot_override_auth(clean_env: pytest.MonkeyPatch) -> None:
    handler = Recorder(json_response(chat_completion()))
    client = make_client(handler, default_headers={"Authorization": "Bearer other-key"})
    client.chat.create(model="gpt-4o-mini", messages=MESSAGES)
    assert handler.requests[0].headers["authorization"] == f"Bearer {API_KEY}"


async def test_auth_per_family_async(clean_env: pytest.MonkeyPatch) -> None:
    handler = Recorder(_ok_for)
    client = make_client(handler, access_key=ACCESS_KEY, default_headers={"X-Team": "ml"})
    await client.aio.chat.create(model="gpt-4o-mini", messages=MESSAGES)
    await client.aio.gemini.generate_content(model="gemini-2.5-flash", contents="Hi")
    await client.aio.system.user()
    chat, gemini, system = handler.requests
    assert chat.headers["authorization"] == f"Bearer {API_KEY}"
    assert gemini.headers["x-goog-api-key"] == API_KEY
    assert "authorization" not in gemini.headers
    assert system.headers["authorization"] == f"Bearer {ACCESS_KEY}"
    assert system.url.host == "yescale.bogia.app"
    assert all(r.headers["x-team"] == "ml" for r in handler.requests)


# -- secrets never shown ------------------------------------------------------------------------


def test_keys_are_secret_str(clean_env: pytest.MonkeyPatch) -> None:
    settings = ClientSettings.resolve(api_key=API_KEY, access_key=ACCESS_KEY)
    assert isinstance(settings.api_key, SecretStr)
    assert isinstance(settings.access_key, SecretStr)
    assert API_KEY not in str(settings.api_key)
    assert settings.secrets() == (API_KEY, ACCESS_KEY)


def test_reprs_never_show_keys(clean_env: pytest.MonkeyPatch) -> None:
    client = YEScaleClient(api_key=API_KEY, access_key=ACCESS_KEY)
    for text in (repr(client), str(client), repr(client.settings), str(client.settings)):
        assert API_KEY not in text
        assert ACCESS_KEY not in text
    assert "api_key=set" in repr(client.settings)
    assert "https://api.yescale.io" in repr(client)
    err = error_from_response(
        401, {}, f"bad {API_KEY} / {ACCESS_KEY}".encode(), secrets=client.settings.secrets()
    )
    for text in (str(err), repr(err), err.message):
        assert API_KEY not in text
        assert ACCESS_KEY not in text


def test_repr_without_keys(clean_env: pytest.MonkeyPatch) -> None:
    assert "api_key=None" in repr(ClientSettings.resolve())
