"""Which URLs point inside the machine or its network: the one check behind every redirect hop
of a download or a fetch, and behind the tools' refusal of local input-image URLs."""

from __future__ import annotations

import ipaddress
import socket
from urllib.parse import urlsplit

#: host names that always mean this machine or its private network
_LOCAL_SUFFIXES = (".localhost", ".local", ".internal")


def ip_address(host: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    """The address a host written as an IP stands for, ``None`` for a name.

    Besides the usual forms this reads the legacy IPv4 spellings the resolver still accepts
    (``127.1``, ``2130706433``, ``0x7f000001``, ``0``), which would otherwise pass as names.
    """
    host = host.strip("[]")
    try:
        return ipaddress.ip_address(host)
    except ValueError:
        pass
    try:
        return ipaddress.IPv4Address(socket.inet_aton(host))
    except OSError:
        return None


def not_public(url: str) -> str | None:
    """Why ``url`` must not be fetched on a caller's behalf, or ``None`` when it may be.

    Refused: schemes other than http(s), ``localhost`` and ``*.localhost`` / ``.local`` /
    ``.internal`` names, and loopback, private, link-local (``169.254.169.254``, the cloud
    metadata service), reserved or unspecified addresses in any spelling. Host names are not
    resolved: a public name pointing at a private address is not caught here.
    """
    parts = urlsplit(url.strip())
    host = (parts.hostname or "").lower().rstrip(".")  # "localhost." is localhost
    if parts.scheme not in ("http", "https") or not host:
        return "it is not an http(s) URL"
    if host == "localhost" or host.endswith(_LOCAL_SUFFIXES):
        return "it points at a local host"
    address = ip_address(host)
    if address is not None and not address.is_global:
        return "it points at a private, loopback or link-local address"
    return None


def is_local_network(url: str) -> bool:
    """Whether ``url``'s host is this machine or a private network (a local gateway, a test
    server): then redirects to such addresses are that deployment's own business."""
    return not_public(url) not in (None, "it is not an http(s) URL")
