"""Every cassette says where it came from, holds no credential, and talks to real hosts only."""

from __future__ import annotations

import ipaddress
import re
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import pytest
import yaml

from tests.conftest import CASSETTES, OFFLINE_ACCESS_KEY, OFFLINE_API_KEY

#: The service's default hosts (DESIGN.md), and the vendor's documented no-CDN API host.
YESCALE_HOSTS = {"api.yescale.io", "api.yescale.vip", "yescale.bogia.app", "cdn.yescale.vip"}
#: Public hosts that tests fetch input media from (image URLs in messages). Add a host here only
#: when a test really fetches a public file from it.
PUBLIC_MEDIA_HOSTS = {"raw.githubusercontent.com", "upload.wikimedia.org", "www.w3.org"}
ALLOWED_HOSTS = YESCALE_HOSTS | PUBLIC_MEDIA_HOSTS

CREDENTIAL_HEADERS = {"authorization", "x-goog-api-key", "x-api-key", "api-key", "cookie"}
CREDENTIAL_QUERY = {"key", "api_key", "token", "access_token"}
SECRET_PATTERNS = [
    re.compile(rb"sk-[A-Za-z0-9]{20,}"),
    re.compile(rb"Bearer [A-Za-z0-9_.\-]{12,}"),
    re.compile(rb"AIza[0-9A-Za-z_\-]{20,}"),
    re.compile(re.escape(OFFLINE_API_KEY.encode())),
    re.compile(re.escape(OFFLINE_ACCESS_KEY.encode())),
]

FILES = sorted(p for p in CASSETTES.rglob("*") if p.is_file() and p.suffix in (".yaml", ".yml"))


def _id(path: Path) -> str:
    return str(path.relative_to(CASSETTES))


def _interactions(path: Path) -> list[dict[str, Any]]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert isinstance(data, dict), f"{_id(path)} is not a vcrpy cassette"
    interactions = data.get("interactions")
    assert isinstance(interactions, list), f"{_id(path)} has no interactions list"
    return interactions


def _as_bytes(body: Any) -> bytes:
    if isinstance(body, dict):
        body = body.get("string")
    if body is None:
        return b""
    return body if isinstance(body, bytes) else str(body).encode()


def test_there_are_cassettes() -> None:
    assert len(FILES) > 10


@pytest.mark.parametrize("path", FILES, ids=_id)
def test_cassette_has_provenance_header(path: Path) -> None:
    first = path.read_text(encoding="utf-8").split("\n", 1)[0]
    assert first.startswith("# source:"), f"{_id(path)} starts with {first[:60]!r}"


@pytest.mark.parametrize("path", FILES, ids=_id)
def test_cassette_holds_no_credentials(path: Path) -> None:
    for n, interaction in enumerate(_interactions(path)):
        where = f"{_id(path)} interaction {n}"
        request, response = interaction["request"], interaction["response"]
        for part, headers in (
            ("request", request.get("headers")),
            ("response", response.get("headers")),
        ):
            names = {str(name).lower() for name in (headers or {})}
            assert not names & CREDENTIAL_HEADERS, (
                f"{where}: {part} has {names & CREDENTIAL_HEADERS}"
            )
            assert "set-cookie" not in names, f"{where}: {part} has set-cookie"
        query = {k.lower() for k, _ in parse_qsl(urlsplit(request["uri"]).query)}
        assert not query & CREDENTIAL_QUERY, f"{where}: URI has {query & CREDENTIAL_QUERY}"
        texts = [
            request["uri"].encode(),
            _as_bytes(request.get("body")),
            _as_bytes(response.get("body")),
            *(str(v).encode() for v in (request.get("headers") or {}).values()),
            *(str(v).encode() for v in (response.get("headers") or {}).values()),
        ]
        for text in texts:
            for pattern in SECRET_PATTERNS:
                found = pattern.search(text)
                assert found is None, f"{where}: key-like {found.group(0)[:12]!r}..."


@pytest.mark.parametrize("path", FILES, ids=_id)
def test_cassette_talks_to_real_hosts_only(path: Path) -> None:
    for n, interaction in enumerate(_interactions(path)):
        url = urlsplit(interaction["request"]["uri"])
        host = url.hostname or ""
        where = f"{_id(path)} interaction {n}"
        assert url.scheme == "https", f"{where}: {url.scheme}://{host}"
        try:
            address = ipaddress.ip_address(host)
        except ValueError:
            address = None
        assert address is None, f"{where}: an IP address ({host}), not a real host"
        assert host != "localhost", f"{where}: localhost"
        assert host in ALLOWED_HOSTS, f"{where}: unexpected host {host!r}"
