"""Keeping secrets out of what the client shows, and reading JSON from the wire safely.

Scrubbing (configured keys and anything key-shaped), quoting wire text (scrubbed whole, then
cut), the log filter on the HTTP libraries' loggers, and the never-raising JSON reader and
writer for hostile bodies. Re-exported by :mod:`yescale.errors`.
"""

from __future__ import annotations

import json
import logging
import re
import threading
from collections.abc import Iterable
from typing import Any

import pydantic_core

# ---------------------------------------------------------------------------------------------
# Scrubbing

_KEY_PATTERNS = re.compile(
    r"(sk-[A-Za-z0-9_\-]{6,}|AIza[0-9A-Za-z_\-]{20,}|(?i:bearer)\s+[A-Za-z0-9_\-.=]{8,})"
)


class SecretValues(tuple[str, ...]):
    """The configured keys, for scrubbing. A tuple whose ``repr`` / ``str`` never shows them:
    it is held by long-lived objects (the transport, stream decoders, ``functools.partial`` s)
    whose reprs end up in error trackers that capture local variables."""

    __slots__ = ()

    def __repr__(self) -> str:
        return f"<{len(self)} secret value{'s' if len(self) != 1 else ''}>"

    __str__ = __repr__


def scrub(text: str, secrets: Iterable[str] = ()) -> str:
    """Remove the given secret values and anything key-shaped from ``text``."""
    for secret in secrets:
        if secret and len(secret) >= 4:
            text = text.replace(secret, "***")
    return _KEY_PATTERNS.sub(_mask, text)


def _mask(match: re.Match[str]) -> str:
    found = match.group(0)
    if found.lower().startswith("bearer"):
        return "Bearer ***"
    return found[:3] + "***"


def clip(text: str, secrets: Iterable[str] = (), limit: int = 1000) -> str:
    """``text`` from the wire, scrubbed, then cut to ``limit`` characters (``...`` marks a cut).

    Scrubbed whole *before* it is cut: cut first, a key straddling the limit would lose the end
    that makes it recognisable, and its first half would show.
    """
    clean = scrub(text, secrets)
    return clean if len(clean) <= limit else clean[:limit] + "..."


def quote(text: str, secrets: Iterable[str] = (), limit: int = 200) -> str:
    """``text`` from the wire as a quoted snippet for a message: scrubbed whole, then cut to
    ``limit`` characters, then ``repr``-quoted (so line breaks and control characters show as
    escapes, never as a forged log line). A cut says how long the whole text was."""
    clean = scrub(text, secrets)
    if len(clean) <= limit:
        return repr(clean)
    return f"{clean[:limit]!r}... ({len(clean)} characters)"


def _scrubbed(value: Any, secrets: Iterable[str], depth: int = 0) -> Any:
    """A copy of a JSON value with every string (keys too) scrubbed. Deeper than
    :data:`_MAX_DEPTH` levels (only a caller's own value can be: :func:`loads_wire` stops
    sooner), the rest is replaced by a note instead of recursing."""
    if isinstance(value, str):
        return scrub(value, secrets)
    if isinstance(value, (dict, list, tuple)) and depth >= _MAX_DEPTH:
        return "(nested too deeply to keep)"
    if isinstance(value, dict):
        return {
            (scrub(key, secrets) if isinstance(key, str) else key): _scrubbed(
                item, secrets, depth + 1
            )
            for key, item in value.items()
        }
    if isinstance(value, (list, tuple)):
        return [_scrubbed(item, secrets, depth + 1) for item in value]
    return value


# ---------------------------------------------------------------------------------------------
# JSON from the wire

#: How deep :func:`_scrubbed` walks a value (what :func:`loads_wire` returns is never deeper).
_MAX_DEPTH = 256


def loads_wire(text: str | bytes | bytearray | memoryview) -> Any | None:
    """The JSON value ``text`` holds, or ``None`` when it cannot be read (JSON ``null`` also
    gives ``None``). Never raises.

    Read by pydantic's parser (Rust): nesting deeper than its limit (about 200 levels, where
    ``json.loads`` raises ``RecursionError`` at about 1000), numbers longer than Python prints
    (4300 digits, a ``ValueError`` for ``json.loads``), broken JSON, trailing text and escaped
    lone surrogates all give ``None``. Invalid UTF-8 is replaced by U+FFFD, a leading BOM is
    dropped; ``NaN`` / ``Infinity`` are read as floats, as ``json.loads`` reads them. What it
    returns can be walked, dumped (:func:`dumps_wire`) and printed without recursion errors.
    """
    if isinstance(text, (bytes, bytearray, memoryview)):
        text = bytes(text).decode("utf-8-sig", errors="replace")
    elif text.startswith("\ufeff"):
        text = text[1:]
    try:
        return pydantic_core.from_json(text, allow_inf_nan=True)
    except (ValueError, RecursionError, TypeError):
        return None


def dumps_wire(value: Any) -> str | None:
    """``value`` as JSON text (non-ASCII kept, NaN written as ``NaN``), or ``None`` when it
    cannot be written: too deeply nested (``RecursionError``), an integer too long to print
    (``ValueError``), an object that is not JSON (``TypeError``). Never raises."""
    try:
        return json.dumps(value, ensure_ascii=False)
    except (TypeError, ValueError, RecursionError):
        return None


def _text_of(value: Any) -> str:
    """A value from the wire as text, for a message: strings as they are, anything else as
    JSON; never raises (``str()`` of a 5000-digit integer or a deep list would)."""
    if isinstance(value, str):
        return value
    shown = dumps_wire(value)
    return shown if shown is not None else f"(a {type(value).__name__} that cannot be shown)"


# ---------------------------------------------------------------------------------------------
# Logs: the HTTP libraries below us may log header blocks at DEBUG (``hpack`` logs every header
# it encodes, Authorization included, when a caller's client speaks HTTP/2; ``httpcore`` logs
# response headers). A filter on their loggers scrubs the keys configured in this process.

_KNOWN_SECRETS: set[str] = set()
_SECRETS_LOCK = threading.Lock()

#: Loggers whose records may carry request or response headers.
HTTP_LOGGERS = (
    "httpx",
    "httpcore.connection",
    "httpcore.http11",
    "httpcore.http2",
    "httpcore.proxy",
    "httpcore.socks",
    "hpack.hpack",
    "hpack.table",
    "h2.connection",
    "yescale",
)


def register_secrets(secrets: Iterable[str]) -> None:
    """Remember configured keys so that :class:`SecretLogFilter` can scrub them from logs."""
    with _SECRETS_LOCK:
        _KNOWN_SECRETS.update(value for value in secrets if value and len(value) >= 4)


class SecretLogFilter(logging.Filter):
    """Replaces configured keys (and key-shaped strings) in a log record's message by ``***``.

    Installed on :data:`HTTP_LOGGERS`; it only runs for records those loggers actually emit
    (at DEBUG, only when DEBUG logging is on), so it costs nothing otherwise.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a record whose arguments do not format: leave it to logging
            return True
        with _SECRETS_LOCK:  # (a client may be configured in another thread meanwhile)
            known = SecretValues(_KNOWN_SECRETS)
        clean = scrub(message, known)
        if clean != message:
            record.msg, record.args = clean, None
        return True


def install_log_filter() -> None:
    """Put one :class:`SecretLogFilter` on each of :data:`HTTP_LOGGERS` (idempotent)."""
    for name in HTTP_LOGGERS:
        target = logging.getLogger(name)
        if not any(isinstance(f, SecretLogFilter) for f in target.filters):
            target.addFilter(SecretLogFilter())


install_log_filter()
