"""Fetching public URLs (input images for Gemini) without our auth headers, size-capped."""

from __future__ import annotations

import asyncio
import mimetypes
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import httpx

from ._http import USER_AGENT, Call, Transport
from .errors import InvalidRequestError, YEScaleError, error_from_response

MAX_FETCH_BYTES = 20 * 1024 * 1024


def _mime(response: httpx.Response, url: str) -> str:
    declared = response.headers.get("content-type", "").split(";")[0].strip()
    if declared and declared != "application/octet-stream":
        return str(declared)
    return mimetypes.guess_type(url.split("?")[0])[0] or "application/octet-stream"


def _check(url: str, response: httpx.Response, transport: Transport) -> tuple[bytes, str]:
    if response.status_code >= 400:
        raise error_from_response(
            response.status_code,
            response.headers,
            response.content[:2000],
            secrets=transport.secrets,
            what=f"fetch of {url}",
        )
    if len(response.content) > MAX_FETCH_BYTES:
        raise InvalidRequestError(f"{url} is larger than {MAX_FETCH_BYTES >> 20} MiB.")
    return response.content, _mime(response, url)


def _call(url: str) -> Call[None]:
    return Call("GET", url, parse=lambda _: None, what="image fetch")


def fetch(transport: Transport, url: str) -> tuple[bytes, str]:
    """GET a public URL (no auth headers, redirects followed); returns ``(bytes, mime)``."""
    attempt = 0
    while True:
        try:
            response = transport.sync_client.get(
                url, headers={"User-Agent": USER_AGENT}, follow_redirects=True
            )
            return _check(url, response, transport)
        except httpx.TransportError as exc:
            error: YEScaleError = transport._transport_error(_call(url), exc)
        except YEScaleError as exc:
            error = exc
        delay = transport.retry.delay_for(attempt, error)
        if delay is None:
            raise error
        transport.sleep(delay)
        attempt += 1


async def afetch(transport: Transport, url: str) -> tuple[bytes, str]:
    attempt = 0
    while True:
        try:
            response = await transport.async_client.get(
                url, headers={"User-Agent": USER_AGENT}, follow_redirects=True
            )
            return _check(url, response, transport)
        except httpx.TransportError as exc:
            error: YEScaleError = transport._transport_error(_call(url), exc)
        except YEScaleError as exc:
            error = exc
        delay = transport.retry.delay_for(attempt, error)
        if delay is None:
            raise error
        await transport.async_sleep(delay)
        attempt += 1


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
