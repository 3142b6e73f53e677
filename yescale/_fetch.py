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

import httpx

from ._http import USER_AGENT, Call, Transport
from .errors import (
    APIConnectionError,
    APITimeoutError,
    InvalidRequestError,
    YEScaleError,
    error_from_response,
    scrub,
    shown_url,
)

MAX_FETCH_BYTES = 20 * 1024 * 1024
MAX_REDIRECTS = 10
_CHUNK = 1 << 16
#: a caller's check of each URL fetched (raises to refuse it)
URLCheck = Callable[[str], object]


def _mime(response: httpx.Response, url: str) -> str:
    declared = response.headers.get("content-type", "").split(";")[0].strip()
    if declared and declared != "application/octet-stream":
        return str(declared)
    return mimetypes.guess_type(url.split("?")[0])[0] or "application/octet-stream"


def _too_large(url: str) -> InvalidRequestError:
    return InvalidRequestError(
        f"The image at {shown_url(url)} is larger than {MAX_FETCH_BYTES >> 20} MiB; give a smaller "
        "image."
    )


def _status_error(
    url: str, response: httpx.Response, body: bytes, transport: Transport
) -> YEScaleError:
    return error_from_response(
        response.status_code,
        response.headers,
        body,
        secrets=transport.secrets,
        what=f"image fetch (GET {shown_url(url)})",
        endpoint=url,
    )


def _check_declared_size(url: str, response: httpx.Response) -> None:
    declared = response.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > MAX_FETCH_BYTES:
        raise _too_large(url)


def _add(buffer: bytearray, block: bytes, url: str) -> None:
    buffer += block
    if len(buffer) > MAX_FETCH_BYTES:
        raise _too_large(url)


def _next_hop(
    url: str, response: httpx.Response, hops: int, check: URLCheck | None
) -> httpx.Request | None:
    """The redirect ``response`` asks for, checked; ``None`` when it is the answer itself."""
    following = response.next_request
    if following is None:
        return None
    if hops >= MAX_REDIRECTS:
        raise InvalidRequestError(
            f"The image URL {shown_url(url)} redirected too many times; give the final address "
            "of the image."
        )
    if check is not None:
        check(str(following.url))
    return following


def _fetch_error(transport: Transport, url: str, exc: Exception) -> YEScaleError:
    """A yescale error for an httpx failure: retryable when the network may recover."""
    shown = shown_url(url)
    detail = scrub(str(exc) or type(exc).__name__, transport.secrets)
    if isinstance(exc, (httpx.InvalidURL, httpx.UnsupportedProtocol)):
        return InvalidRequestError(f"Cannot fetch the image URL {shown}: {detail}.")
    if isinstance(exc, httpx.TimeoutException):
        return APITimeoutError(f"Fetching the image {shown} timed out ({type(exc).__name__}).")
    if isinstance(exc, httpx.TransportError):
        return APIConnectionError(
            f"Could not fetch the image {shown}: {type(exc).__name__}: {detail}."
        )
    return APIConnectionError(
        f"The image at {shown} could not be read ({type(exc).__name__}: {detail})."
    )


def _call(url: str) -> Call[None]:
    """The fetch as the transport's retry policy sees it (for its decision and its log)."""
    return Call("GET", shown_url(url), parse=lambda _: None, what="image fetch")


def _check_url(url: str) -> None:
    if not url.lower().startswith(("http://", "https://")):
        raise InvalidRequestError(f"Cannot fetch the image URL {shown_url(url)}: not http(s).")


def fetch(transport: Transport, url: str, check: URLCheck | None = None) -> tuple[bytes, str]:
    """GET a public URL (no auth headers, redirects followed, each through ``check``); returns
    ``(bytes, mime)``."""
    _check_url(url)
    client = transport.sync_client
    attempt = 0
    while True:
        try:
            request: httpx.Request | None = client.build_request(
                "GET", url, headers={"User-Agent": USER_AGENT}
            )
            hops = 0
            while request is not None:
                response = client.send(request, stream=True, follow_redirects=False)
                try:
                    request = _next_hop(url, response, hops, check)
                except BaseException:
                    response.close()
                    raise
                if request is not None:
                    response.close()  # a redirect: on to the next hop
                hops += 1
            try:
                buffer = bytearray()
                if response.status_code >= 400:
                    for block in response.iter_bytes(_CHUNK):
                        buffer += block
                        if len(buffer) >= 2000:
                            break
                    raise _status_error(url, response, bytes(buffer[:2000]), transport)
                _check_declared_size(url, response)
                for block in response.iter_bytes(_CHUNK):
                    _add(buffer, block, url)
                return bytes(buffer), _mime(response, url)
            finally:
                response.close()
        except YEScaleError as exc:
            error = exc
        except (httpx.HTTPError, httpx.InvalidURL) as exc:
            error = _fetch_error(transport, url, exc)
        transport.sleep(transport._give_up_or_wait(_call(url), attempt, error))
        attempt += 1


async def afetch(
    transport: Transport, url: str, check: URLCheck | None = None
) -> tuple[bytes, str]:
    """Async twin of :func:`fetch`."""
    _check_url(url)
    client = transport.async_client
    attempt = 0
    while True:
        try:
            request: httpx.Request | None = client.build_request(
                "GET", url, headers={"User-Agent": USER_AGENT}
            )
            hops = 0
            while request is not None:
                response = await client.send(request, stream=True, follow_redirects=False)
                try:
                    request = _next_hop(url, response, hops, check)
                except BaseException:
                    await response.aclose()
                    raise
                if request is not None:
                    await response.aclose()  # a redirect: on to the next hop
                hops += 1
            try:
                buffer = bytearray()
                if response.status_code >= 400:
                    async for block in response.aiter_bytes(_CHUNK):
                        buffer += block
                        if len(buffer) >= 2000:
                            break
                    raise _status_error(url, response, bytes(buffer[:2000]), transport)
                _check_declared_size(url, response)
                async for block in response.aiter_bytes(_CHUNK):
                    _add(buffer, block, url)
                return bytes(buffer), _mime(response, url)
            finally:
                await response.aclose()
        except YEScaleError as exc:
            error = exc
        except (httpx.HTTPError, httpx.InvalidURL) as exc:
            error = _fetch_error(transport, url, exc)
        await transport.async_sleep(transport._give_up_or_wait(_call(url), attempt, error))
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
