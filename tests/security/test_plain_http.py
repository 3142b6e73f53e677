"""A plain ``http://`` base URL to a host that is not this machine warns
(:class:`yescale.errors.InsecureURLWarning`, a ``UserWarning``): the key would cross the network
unencrypted. Loopback addresses and ``localhost`` do not (local proxies, test servers)."""

from __future__ import annotations

import warnings
from typing import Any

import pytest

from langchain_yescale import ChatYEScale, ChatYEScaleGemini, YEScaleEmbeddings
from llama_index_yescale import YEScale, YEScaleToolSpec
from tests.conftest import warnings_as_errors
from yescale import YEScaleClient
from yescale.errors import InsecureURLWarning

from .conftest import (
    ACCESS_KEY,
    API_KEY,
    FRAMEWORK_SUBJECTS,
    Service,
    Subject,
    assert_clean,
    ids,
)

REMOTE = [
    "http://api.example.com",
    "http://api.yescale.io/v1",
    "http://localhost.evil.com",
    "http://127.0.0.1.nip.io:8080",
    "http://10.0.0.5:8000",
    "http://[2001:db8::1]:8080",
    "HTTP://API.EXAMPLE.COM",
]
LOCAL = [
    "http://127.0.0.1:8080",
    "http://127.0.0.2",
    "http://localhost:1234",
    "http://LOCALHOST",
    "http://[::1]:9000",
    "https://api.example.com",
    "https://api.yescale.io",
]


def test_the_warning_class() -> None:
    assert issubclass(InsecureURLWarning, UserWarning)


@pytest.mark.parametrize("setting", ["base_url", "system_base_url"])
@pytest.mark.parametrize("url", REMOTE)
def test_plain_http_to_a_remote_host_warns(url: str, setting: str) -> None:
    with pytest.warns(InsecureURLWarning, match="plain http") as record:
        YEScaleClient(api_key=API_KEY, access_key=ACCESS_KEY, **{setting: url})
    assert record[0].filename == __file__  # points at the line that configured it
    assert_clean(str(record[0].message), "the warning")


@pytest.mark.parametrize("env", ["YESCALE_BASE_URL", "YESCALE_SYSTEM_BASE_URL"])
def test_plain_http_from_the_environment_warns(env: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(env, "http://api.example.com")
    with pytest.warns(InsecureURLWarning, match="plain http") as record:
        client = YEScaleClient(api_key=API_KEY, access_key=ACCESS_KEY)
    setting = "system_base_url" if env == "YESCALE_SYSTEM_BASE_URL" else "base_url"
    assert getattr(client.settings, setting) == "http://api.example.com"  # the URL it warned of
    assert_clean(str(record[0].message), "the warning")


@pytest.mark.parametrize("setting", ["base_url", "system_base_url"])
@pytest.mark.parametrize("url", LOCAL)
def test_local_hosts_and_https_do_not_warn(url: str, setting: str) -> None:
    with warnings_as_errors():
        client = YEScaleClient(api_key=API_KEY, access_key=ACCESS_KEY, **{setting: url})
    assert getattr(client.settings, setting) == url.rstrip("/")


@pytest.mark.parametrize("subject", FRAMEWORK_SUBJECTS, ids=ids(FRAMEWORK_SUBJECTS))
def test_every_class_warns_before_its_first_request(subject: Subject) -> None:
    service = Service()
    assert subject.call is not None
    with pytest.warns(InsecureURLWarning, match="plain http"):
        subject.call(subject.build(service, base_url="http://api.example.com"))
    assert service.requests
    assert str(service.requests[0].url).startswith("http://api.example.com/")


@pytest.mark.parametrize("subject", FRAMEWORK_SUBJECTS, ids=ids(FRAMEWORK_SUBJECTS))
def test_no_class_warns_for_a_local_server(subject: Subject) -> None:
    service = Service()
    with warnings_as_errors(InsecureURLWarning):
        obj = subject.build(service, base_url="http://127.0.0.1:8080")
        assert subject.call is not None
        subject.call(obj)
    assert str(service.requests[0].url).startswith("http://127.0.0.1:8080/")


def _built_here(build: Any) -> list[warnings.WarningMessage]:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        build()
    return [w for w in caught if issubclass(w.category, InsecureURLWarning)]


@pytest.mark.parametrize(
    "build",
    [
        lambda: YEScaleClient(api_key=API_KEY, base_url="http://api.example.com"),
        lambda: ChatYEScale(api_key=API_KEY, base_url="http://api.example.com"),
        lambda: ChatYEScaleGemini(api_key=API_KEY, base_url="http://api.example.com"),
        lambda: YEScaleEmbeddings(api_key=API_KEY, base_url="http://api.example.com"),
        lambda: YEScale(api_key=API_KEY, api_base="http://api.example.com"),
        lambda: YEScaleToolSpec(api_key=API_KEY, base_url="http://api.example.com"),
    ],
    ids=["client", "ChatYEScale", "ChatYEScaleGemini", "YEScaleEmbeddings", "YEScale", "spec"],
)
def test_the_warning_points_at_the_line_that_built_the_object(build: Any) -> None:
    """Not at a line inside yescale, pydantic or the framework: the user's own line."""
    (warning,) = _built_here(build)
    assert warning.filename == __file__
