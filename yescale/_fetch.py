"""Fetching public URLs (input images for Gemini and the image tools) without our auth headers.

The body is streamed and the fetch stops as soon as it passes :data:`MAX_FETCH_BYTES` (a declared
``Content-Length`` over the cap is refused before reading anything), so a huge or endless answer
never fills memory. Every failure is a :class:`~yescale.errors.YEScaleError`: transient ones
(connection errors, timeouts, 408/429/5xx) are retried like API calls; the others (a URL httpx
cannot use, too many redirects, an oversized image) are not.

Redirects are followed one hop at a time, so a caller's URL check (``check``: the image tools
refuse local and private addresses) sees every address fetched, not only the first.
"""

from __future__ import annotations

import asyncio
import mimetypes
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from ._http import Transport
from ._http.links import MAX_REDIRECTS
from .errors import InvalidRequestError, shown_url

MAX_FETCH_BYTES = 20 * 1024 * 1024
__all__ = ["MAX_FETCH_BYTES", "MAX_REDIRECTS", "afetch", "fetch", "fetch_all", "image_urls"]
#: a caller's check of each URL fetched (raises to refuse it)
URLCheck = Callable[[str], object]


def _mime(declared: str, url: str) -> str:
    if declared and declared != "application/octet-stream":
        return declared
    return mimetypes.guess_type(url.split("?")[0])[0] or "application/octet-stream"


def _check_url(url: str) -> None:
    if not url.lower().startswith(("http://", "https://")):
        raise InvalidRequestError(f"Cannot fetch the image URL {shown_url(url)}: not http(s).")


def fetch(transport: Transport, url: str, check: URLCheck | None = None) -> tuple[bytes, str]:
    """GET a public URL (no auth headers, redirects followed, each checked); returns
    ``(bytes, mime)``."""
    _check_url(url)
    data, declared = transport.fetch(url, check, MAX_FETCH_BYTES)
    return data, _mime(declared, url)


async def afetch(
    transport: Transport, url: str, check: URLCheck | None = None
) -> tuple[bytes, str]:
    """Async twin of :func:`fetch`."""
    _check_url(url)
    data, declared = await transport.afetch(url, check, MAX_FETCH_BYTES)
    return data, _mime(declared, url)


def image_urls(messages: Iterable[Mapping[str, Any]]) -> list[str]:
    """The http(s) image URLs in OpenAI-format messages, in order, without repeats."""
    found: list[str] = []
    for message in messages:
        content = message.get("content")
        if not isinstance(content, Sequence) or isinstance(content, str):
            continue
        for block in content:
            if isinstance(block, Mapping) and block.get("type") == "image_url":
                image = block["image_url"]
                url = image.get("url") if isinstance(image, Mapping) else image
                if (
                    isinstance(url, str)
                    and url.startswith(("http://", "https://"))
                    and url not in found
                ):
                    found.append(url)
    return found


def fetch_all(transport: Transport, urls: list[str]) -> dict[str, tuple[bytes, str]]:
    return {url: fetch(transport, url) for url in urls}


async def afetch_all(transport: Transport, urls: list[str]) -> dict[str, tuple[bytes, str]]:
    results = await asyncio.gather(*(afetch(transport, url) for url in urls))
    return dict(zip(urls, results, strict=True))
