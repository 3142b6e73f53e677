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
    #: the pytest node id of the test being recorded, e.g. "tests/standard/test_x.py::T::test_y"
    nodeid: str = ""
    _json: Any = field(default=None, repr=False)

    def json(self) -> Any:
        if self._json is None and self.body:
            try:
                self._json = json.loads(self.body)
            except ValueError:
                self._json = {}
        return self._json or {}


def as_json(data: Any, status: int = 200, headers: dict[str, str] | None = None) -> Answer:
    return (
        status,
        {"content-type": "application/json", **(headers or {})},
        json.dumps(data).encode(),
    )


def as_sse(events: list[Any], done: bool = True) -> Answer:
    lines = [f"data: {json.dumps(e)}\n\n" for e in events]
    if done:
        lines.append("data: [DONE]\n\n")
    return 200, {"content-type": "text/event-stream"}, "".join(lines).encode()


Route = Callable[[SynthRequest], Answer]
Predicate = Callable[[SynthRequest], bool]
ROUTES: list[tuple[int, str, str, Predicate | None, Route]] = []


def route(
    method: str, prefix: str, *, when: Predicate | None = None, priority: int = 0
) -> Callable[[Route], Route]:
    """Register an answer for ``method`` + path ``prefix``.

    ``when`` narrows it (e.g. to one test folder via ``req.nodeid``); among matching routes the
    highest ``priority`` wins, then the earliest registered.
    """

    def register(fn: Route) -> Route:
        ROUTES.append((priority, method, prefix, when, fn))
        ROUTES.sort(key=lambda r: -r[0])  # stable: keeps registration order within a priority
        return fn

    return register


def _load_answer_modules() -> None:
    """Import ``answers.py`` and every ``answers_*.py`` beside it (they register routes)."""
    import importlib
    import pkgutil
    from pathlib import Path

    for info in pkgutil.iter_modules([str(Path(__file__).parent)]):
        if info.name == "answers" or info.name.startswith("answers_"):
            importlib.import_module(f"{__package__}.{info.name}")


def respond(request: SynthRequest) -> Answer:
    _load_answer_modules()
    for _, method, prefix, when, fn in ROUTES:
        if request.method != method or not request.path.startswith(prefix):
            continue
        if when is None or when(request):
            return fn(request)
    return as_json(
        {"error": {"message": f"synth: no route for {request.method} {request.path}"}}, 404
    )
