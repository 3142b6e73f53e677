"""Input images for the tools: URLs, local paths (only under allowed folders), bytes, base64.

An agent chooses the strings it passes to a tool, so a path is read only when it resolves
(symlinks followed) inside one of ``allowed_input_dirs``; none are allowed by default. What is
read must be an image (PNG, JPEG, WEBP or GIF by its first bytes) of at most 20 MiB, so even an
allowed folder cannot be used to upload other files. URLs are fetched without our key, and only
for public http(s) hosts (not localhost, not private or link-local addresses written as IPs).
"""

from __future__ import annotations

import base64
import binascii
import os
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from .._http.addresses import not_public
from ..errors import InvalidRequestError

MAX_INPUT_BYTES = 20 * 1024 * 1024

#: Magic bytes -> (mime type, file extension).
_SIGNATURES: tuple[tuple[bytes, str, str], ...] = (
    (b"\x89PNG\r\n\x1a\n", "image/png", "png"),
    (b"\xff\xd8\xff", "image/jpeg", "jpg"),
    (b"GIF87a", "image/gif", "gif"),
    (b"GIF89a", "image/gif", "gif"),
)
_DATA_URI = re.compile(r"^data:(?P<mime>[\w.+-]+/[\w.+-]+)?(?:;[^,]*)?;base64,(?P<data>.*)$", re.S)
_BASE64 = re.compile(r"^[A-Za-z0-9+/=\s_-]+$")

InputKind = Literal["url", "path", "bytes", "base64"]


class InputImageError(InvalidRequestError):
    """An input image was refused (outside the allowed folders, not an image, too large...)."""


def sniff_image(data: bytes) -> tuple[str, str] | None:
    """``(mime type, extension)`` from an image's first bytes, or ``None`` if not an image."""
    for magic, mime, ext in _SIGNATURES:
        if data.startswith(magic):
            return mime, ext
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp", "webp"
    return None


@dataclass(frozen=True)
class InputImage:
    """An input image, read and checked. ``source`` says how it was given."""

    data: bytes
    mime: str
    ext: str
    source: InputKind
    #: the URL or the resolved path it came from (never the base64 itself)
    origin: str | None = None

    def part(self, index: int) -> tuple[str, bytes, str]:
        """A multipart file tuple with a stable name (local file names never leave the machine)."""
        return f"image_{index}.{self.ext}", self.data, self.mime

    def data_uri(self) -> str:
        return f"data:{self.mime};base64,{base64.b64encode(self.data).decode('ascii')}"

    def describe(self) -> str:
        where = f" {self.origin}" if self.origin else ""
        return f"{self.source}{where} ({self.mime}, {len(self.data)} bytes)"


def checked_image(data: bytes, source: InputKind, origin: str | None, shown: str) -> InputImage:
    if len(data) > MAX_INPUT_BYTES:
        raise InputImageError(
            f"Input image {shown} is {len(data) >> 20} MiB; at most {MAX_INPUT_BYTES >> 20} MiB."
        )
    kind = sniff_image(data)
    if kind is None:
        raise InputImageError(
            f"Input image {shown} is not a PNG, JPEG, WEBP or GIF image (by its first bytes)."
        )
    return InputImage(data=data, mime=kind[0], ext=kind[1], source=source, origin=origin)


def decode_base64_image(value: str) -> InputImage | None:
    """A data URI or bare base64 string holding an image; ``None`` if ``value`` is neither."""
    text = value.strip()
    match = _DATA_URI.match(text)
    if match:
        payload = match.group("data")
    elif len(text) >= 64 and _BASE64.match(text):
        payload = text
    else:
        return None
    try:
        data = base64.b64decode(re.sub(r"\s", "", payload).replace("-", "+").replace("_", "/"))
    except (binascii.Error, ValueError):
        if match:
            raise InputImageError("Input image: the data URI does not hold valid base64.") from None
        return None
    if sniff_image(data) is None:
        if match:
            raise InputImageError("Input image: the data URI does not hold a PNG/JPEG/WEBP/GIF.")
        return None
    return checked_image(data, "base64", None, "(base64)")


def classify(value: str | bytes | os.PathLike[str]) -> InputKind:
    """How a value given as an input image is read: ``url``, ``base64``, ``bytes`` or ``path``."""
    if isinstance(value, (bytes, bytearray, memoryview)):
        return "bytes"
    if isinstance(value, os.PathLike):
        return "path"
    text = value.strip()
    if text.lower().startswith(("http://", "https://")):
        return "url"
    if text.lower().startswith("data:") or decode_base64_image(text) is not None:
        return "base64"
    return "path"


class InputPolicy:
    """Which local folders a tool may read input images from (none by default)."""

    def __init__(self, allowed_input_dirs: Iterable[str | os.PathLike[str]] = ()) -> None:
        self.allowed: tuple[Path, ...] = tuple(
            Path(d).expanduser().resolve() for d in allowed_input_dirs
        )

    def _refuse(self, shown: str, why: str) -> InputImageError:
        shown = shown if len(shown) <= 200 else shown[:200] + "..."
        if not self.allowed:
            return InputImageError(
                f"Cannot read the local file {shown!r}: reading local files is disabled for this "
                "tool. Give the image as an http(s) URL or base64, or (as the developer) pass "
                "allowed_input_dirs=[...] naming the folders it may read."
            )
        folders = ", ".join(str(d) for d in self.allowed)
        return InputImageError(
            f"Cannot read the local file {shown!r}: {why}. This tool may only read files inside: "
            f"{folders}."
        )

    def resolve(self, value: str | os.PathLike[str]) -> Path:
        """The real path (symlinks resolved) of an allowed file; raises for anything else.

        A relative path is looked up in each allowed folder in turn. The check is made on the
        fully resolved path, so ``..`` and symlinks cannot lead out of the allowed folders.
        """
        shown = os.fspath(value)
        if "\x00" in shown:
            raise self._refuse(shown[:80], "the path contains a NUL character")
        if not self.allowed:
            raise self._refuse(shown, "")
        raw = Path(shown).expanduser()
        candidates = [raw] if raw.is_absolute() else [d / raw for d in self.allowed]
        outside = True
        for candidate in candidates:
            try:
                real = candidate.resolve()  # follows every symlink, collapses ..
                if not any(real.is_relative_to(d) for d in self.allowed):
                    continue
                outside = False
                if real.is_file():
                    return real
            except OSError as exc:  # a name too long, a loop of links...: refused, not raised
                raise self._refuse(shown, f"it cannot be used ({exc.strerror or exc})") from None
        if outside:
            raise self._refuse(shown, "it is outside the allowed folders (after resolving links)")
        raise self._refuse(shown, "no such file in the allowed folders")

    def read(self, value: str | os.PathLike[str]) -> InputImage:
        path = self.resolve(value)
        try:
            if path.stat().st_size > MAX_INPUT_BYTES:
                raise InputImageError(
                    f"Input image {path} is larger than {MAX_INPUT_BYTES >> 20} MiB."
                )
            with path.open("rb") as fh:  # capped: the file may grow after stat()
                data = fh.read(MAX_INPUT_BYTES + 1)
        except OSError as exc:  # e.g. no permission to read it
            raise self._refuse(str(path), f"it cannot be read ({exc.strerror or exc})") from None
        return checked_image(data, "path", str(path), str(path))


def check_public_url(url: str) -> str:
    """Refuse URLs we should not fetch for an agent: non-http(s), localhost, private IPs.

    The transport applies the same check to every redirect hop. Host names are not resolved here:
    a public name pointing at a private address is not caught, so run agents that take URLs from
    untrusted text behind an egress proxy if that matters.
    """
    reason = not_public(url)
    if reason is not None:
        raise InputImageError(f"Input image URL {url.strip()[:200]!r}: {reason}.")
    return url.strip()


def read_local(value: str | bytes | os.PathLike[str], policy: InputPolicy) -> InputImage | None:
    """The image for a value that needs no network (bytes, base64, path); ``None`` for a URL."""
    kind = classify(value)
    if kind == "bytes":
        assert isinstance(value, (bytes, bytearray, memoryview))
        return checked_image(bytes(value), "bytes", None, "(bytes)")
    assert not isinstance(value, (bytes, bytearray, memoryview))
    if kind == "url":
        return None
    if kind == "base64":
        image = decode_base64_image(os.fspath(value))
        if image is None:  # pragma: no cover - classify said it decodes
            raise InputImageError("Input image: invalid base64.")
        return image
    return policy.read(value)


def as_list(
    values: str | bytes | os.PathLike[str] | Sequence[str | bytes | os.PathLike[str]] | None,
) -> list[str | bytes | os.PathLike[str]]:
    """One input or a list of them, as a list."""
    if values is None:
        return []
    if isinstance(values, (str, bytes, bytearray, memoryview, os.PathLike)):
        return [values]  # type: ignore[list-item]
    return list(values)


def media_image_ref(value: str | bytes | os.PathLike[str], policy: InputPolicy) -> str:
    """An entry for a media task's ``config.images``: URLs unchanged; paths and bytes as a
    ``data:`` URI with base64; base64 given by the caller passed through as given (checked)."""
    kind = classify(value)
    if kind == "url":
        assert isinstance(value, str)
        return value  # the service fetches it; sent exactly as given
    if kind == "base64":
        assert isinstance(value, str)
        decode_base64_image(value)  # refuses a data URI that is not an image
        return value.strip()
    image = read_local(value, policy)
    assert image is not None
    return image.data_uri()
