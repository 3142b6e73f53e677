"""Proxies from the environment (``HTTP(S)_PROXY``, ``ALL_PROXY``, ``NO_PROXY``) are honoured.

A local HTTP server on 127.0.0.1 plays the proxy (or the service): it records the request
target, which is the absolute URL when a client talks to a proxy, and answers a chat completion.
"""

from __future__ import annotations

import asyncio
import json
import threading
import warnings
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from yescale import YEScaleClient

from .conftest import API_KEY, MESSAGES, chat_completion

SERVICE = "http://api.yescale.test"  # never resolved: only the proxy is reached


class Recorder(ThreadingHTTPServer):
    targets: list[str]
    hosts: list[str]


class _Handler(BaseHTTPRequestHandler):
    server: Recorder

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = json.loads(self.rfile.read(length) or b"{}")
        self.server.targets.append(self.path)
        self.server.hosts.append(self.headers.get("Host", ""))
        answer = json.dumps(chat_completion(f"via {body.get('user', '?')}")).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(answer)))
        self.end_headers()
        self.wfile.write(answer)

    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture
def local_server() -> Iterator[Recorder]:
    server = Recorder(("127.0.0.1", 0), _Handler)
    server.targets, server.hosts = [], []
    # A short poll interval: shutdown() waits up to one interval (0.5 s by default) per test.
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.01}, daemon=True
    )
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


@pytest.fixture(autouse=True)
def _no_proxy_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "NO_PROXY"):
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.lower(), raising=False)


def _url(server: Recorder) -> str:
    host, port = server.server_address[:2]
    return f"http://{host!s}:{port}"


def _client(base_url: str) -> YEScaleClient:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # plain http to a test host
        return YEScaleClient(api_key=API_KEY, base_url=base_url, max_retries=0)


def _chat(client: YEScaleClient, user: str) -> str:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        reply = client.chat.create(model="gpt-4o-mini", messages=MESSAGES, user=user)
    return str(reply.choices[0].message.content)


async def _achat(client: YEScaleClient, user: str) -> str:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        reply = await client.aio.chat.create(model="gpt-4o-mini", messages=MESSAGES, user=user)
    return str(reply.choices[0].message.content)


@pytest.mark.parametrize("variable", ["HTTP_PROXY", "http_proxy", "ALL_PROXY"])
def test_requests_go_through_the_proxy_in_the_environment(
    variable: str, local_server: Recorder, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(variable, _url(local_server))
    client = _client(SERVICE)
    assert _chat(client, "sync") == "via sync"
    assert asyncio.run(_achat(client, "async")) == "via async"
    client.close()
    # A proxy is sent the absolute URL of the service.
    assert local_server.targets == [f"{SERVICE}/v1/chat/completions"] * 2
    assert local_server.hosts == ["api.yescale.test"] * 2


def test_no_proxy_hosts_bypass_the_proxy(
    local_server: Recorder, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The proxy is a closed port: a request sent to it would fail.
    monkeypatch.setenv("HTTP_PROXY", "http://127.0.0.1:9")
    monkeypatch.setenv("NO_PROXY", "127.0.0.1")
    client = _client(_url(local_server))
    assert _chat(client, "sync") == "via sync"
    assert asyncio.run(_achat(client, "async")) == "via async"
    client.close()
    assert local_server.targets == ["/v1/chat/completions"] * 2  # origin-form: no proxy


def test_no_proxy_alone_keeps_the_direct_path(
    local_server: Recorder, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    client = _client(_url(local_server))
    assert client._transport.pools.sync_pool(client._transport.sync_client) is not None
    assert _chat(client, "direct") == "via direct"
    client.close()
    assert local_server.targets == ["/v1/chat/completions"]
