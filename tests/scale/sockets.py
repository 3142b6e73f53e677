"""The TCP/UDP sockets of a process tree, read from ``/proc`` (Linux; no psutil needed).

Used to prove that a local Ray instance only listens on and talks to 127.0.0.1.
"""

from __future__ import annotations

import ipaddress
import os
from dataclasses import dataclass
from pathlib import Path

__all__ = ["Socket", "descendants", "non_loopback", "sockets_of"]

_TABLES = ("tcp", "tcp6", "udp", "udp6")


@dataclass(frozen=True)
class Socket:
    """One socket: its table, local and remote address (remote ``0.0.0.0:0`` when unconnected)."""

    pid: int
    table: str
    local: tuple[str, int]
    remote: tuple[str, int]

    def addresses(self) -> list[str]:
        """The local address, and the remote one when connected."""
        out = [self.local[0]]
        if self.remote[1] != 0:
            out.append(self.remote[0])
        return out


def _address(text: str) -> tuple[str, int]:
    host, port = text.split(":")
    raw = bytes.fromhex(host)
    if len(raw) == 4:
        ip = ipaddress.IPv4Address(raw[::-1])
        return str(ip), int(port, 16)
    # IPv6: four 32-bit words, each little-endian
    words = b"".join(raw[i : i + 4][::-1] for i in range(0, 16, 4))
    ip6 = ipaddress.IPv6Address(words)
    return str(ip6.ipv4_mapped or ip6), int(port, 16)


def descendants(pid: int) -> set[int]:
    """``pid`` and every process below it."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        parent = int(stat.rsplit(")", 1)[1].split()[1])
        children.setdefault(parent, []).append(int(entry.name))
    found, todo = set(), [pid]
    while todo:
        current = todo.pop()
        if current not in found:
            found.add(current)
            todo.extend(children.get(current, []))
    return found


def sockets_of(pids: set[int]) -> list[Socket]:
    """The inet sockets the processes ``pids`` hold open."""
    owner: dict[str, int] = {}
    for pid in pids:
        try:
            fds = os.listdir(f"/proc/{pid}/fd")
        except OSError:
            continue
        for fd in fds:
            try:
                link = os.readlink(f"/proc/{pid}/fd/{fd}")
            except OSError:
                continue
            if link.startswith("socket:["):
                owner[link[8:-1]] = pid
    found: list[Socket] = []
    for table in _TABLES:
        try:
            lines = Path(f"/proc/net/{table}").read_text().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            fields = line.split()
            inode = fields[9]
            if inode in owner:
                found.append(Socket(owner[inode], table, _address(fields[1]), _address(fields[2])))
    return found


def non_loopback(sockets: list[Socket]) -> list[Socket]:
    """Sockets bound to, or connected to, anything but a loopback address (0.0.0.0 included)."""
    return [
        s for s in sockets if any(not ipaddress.ip_address(a).is_loopback for a in s.addresses())
    ]
