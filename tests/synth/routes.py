"""Canned answers for the synthesizer, routed by method and path.

Every answer says where it comes from: ``REF`` = a documented example in ``shared/yescale-api``
(verbatim where the reference gives a body), ``WIRE`` = the public OpenAI/Gemini wire format where
the reference is silent.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

Answer = tuple[int, dict[str, str], bytes]


@dataclass
class SynthRequest:
    method: str
    scheme: str
    host: str
    path: str
    query: str
    headers: dict[str, str]
    body: bytes
    test: str = ""
    _json: Any = field(default=None, repr=False)

    def json(self) -> Any:
        if self._json is None and self.body:
            try:
                self._json = json.loads(self.body)
            except ValueError:
                self._json = {}
        return self._json or {}


def as_json(data: Any, status: int = 200, headers: dict[str, str] | None = None) -> Answer:
    return status, {"content-type": "application/json", **(headers or {})}, json.dumps(data).encode()


def as_sse(events: list[Any], done: bool = True) -> Answer:
    lines = [f"data: {json.dumps(e)}\n\n" for e in events]
    if done:
        lines.append("data: [DONE]\n\n")
    return 200, {"content-type": "text/event-stream"}, "".join(lines).encode()


Route = Callable[[SynthRequest], Answer]
ROUTES: list[tuple[str, str, Route]] = []


def route(method: str, prefix: str) -> Callable[[Route], Route]:
    def register(fn: Route) -> Route:
        ROUTES.append((method, prefix, fn))
        return fn

    return register


def respond(request: SynthRequest) -> Answer:
    # Import the route modules so they register themselves.
    from . import answers  # noqa: F401

    for method, prefix, fn in ROUTES:
        if request.method == method and request.path.startswith(prefix):
            return fn(request)
    return as_json(
        {"error": {"message": f"synth: no route for {request.method} {request.path}"}}, 404
    )
