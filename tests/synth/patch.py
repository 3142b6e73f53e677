"""Patch httpcore's connection pools (below vcrpy's httpx hook) to answer from ``routes``."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import httpcore
import pytest

from .routes import SynthRequest, respond


def _to_core(request: httpcore.Request, body: bytes, node: Any) -> httpcore.Response:
    url = request.url
    target = url.target.decode()
    path, _, query = target.partition("?")
    synth = SynthRequest(
        method=request.method.decode(),
        scheme=url.scheme.decode(),
        host=url.host.decode(),
        path=path,
        query=query,
        headers={k.decode().lower(): v.decode() for k, v in request.headers},
        body=body,
        test=node.name,
        nodeid=node.nodeid,
    )
    status, headers, content = respond(synth)
    return httpcore.Response(
        status,
        headers=[(k.encode(), v.encode()) for k, v in headers.items()],
        content=content,
    )


@contextmanager
def synthesized_http(request: pytest.FixtureRequest) -> Iterator[None]:
    node = request.node
    original_sync = httpcore.ConnectionPool.handle_request
    original_async = httpcore.AsyncConnectionPool.handle_async_request

    def handle(self: httpcore.ConnectionPool, req: httpcore.Request) -> httpcore.Response:
        body = b"".join(req.stream)  # type: ignore[union-attr]
        return _to_core(req, body, node)

    async def handle_async(
        self: httpcore.AsyncConnectionPool, req: httpcore.Request
    ) -> httpcore.Response:
        body = b"".join([chunk async for chunk in req.stream])  # type: ignore[union-attr]
        return _to_core(req, body, node)

    httpcore.ConnectionPool.handle_request = handle  # type: ignore[method-assign]
    httpcore.AsyncConnectionPool.handle_async_request = handle_async  # type: ignore[method-assign]
    try:
        yield
    finally:
        httpcore.ConnectionPool.handle_request = original_sync  # type: ignore[method-assign]
        httpcore.AsyncConnectionPool.handle_async_request = original_async  # type: ignore[method-assign]
