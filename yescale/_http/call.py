"""What to send: a :class:`Call` (endpoint, body, how to read the answer) and the one function
that turns it into an ``httpx.Request``."""

from __future__ import annotations

import contextlib
import functools
import json as jsonlib
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, Generic, Protocol, TypeVar

import httpx
from pydantic import BaseModel, ValidationError

from .._json_values import json_problem
from .._version import __version__
from ..errors import InvalidRequestError, YEScaleError, unreadable_answer

T = TypeVar("T")
M = TypeVar("M", bound=BaseModel)

USER_AGENT = f"yescale-integrations/{__version__} (python; httpx/{httpx.__version__})"
#: What a :class:`Call` to a link outside the API is called (its ``what``).
EXTERNAL = ("download", "image fetch")
#: A fixed multipart boundary, so that recorded image-edit requests match on replay.
MULTIPART_BOUNDARY = "yescale-integrations-boundary-7b3f9e1c"


class CallMeter(Protocol[T]):
    """Costs (:class:`yescale.costs.meter.Meter`): a budget check before the call is sent, the
    answer's cost counted after it is read."""

    def before(self) -> None: ...

    def after(self, answer: T) -> T: ...


@dataclass
class Call(Generic[T]):
    """One request to send: where, what, and how to read the answer."""

    method: str
    path: str
    parse: Callable[[bytes], T]
    json: Any = None
    params: Mapping[str, Any] | None = None
    data: Mapping[str, Any] | None = None
    files: list[tuple[str, tuple[str, bytes, str]]] | None = None
    what: str = "request"
    headers: dict[str, str] = field(default_factory=dict)
    #: False for a request the service may act on twice if repeated (a paid media task submit):
    #: then only failures that show it was not acted on (no connection, 408, 429) are retried.
    repeatable: bool = True
    #: Seconds the caller can still give this request (a media wait's deadline): every timeout
    #: is capped to it and the request is sent once, its caller deciding what comes next.
    time_left: float | None = None
    #: A model call's cost meter; ``None`` for calls that cost nothing (polls, the System API).
    meter: CallMeter[T] | None = None

    @property
    def where(self) -> str:
        return f"{self.what} ({self.method} {self.path})"

    @property
    def external(self) -> bool:
        """A link outside the API (a result or image host), not ``base_url``."""
        return self.what in EXTERNAL


def capped_timeout(timeout: httpx.Timeout, limit: float | None) -> httpx.Timeout:
    """``timeout`` with each part (connect, read, write, pool) at most ``limit`` seconds."""
    if limit is None:
        return timeout
    parts = (timeout.connect, timeout.read, timeout.write, timeout.pool)
    connect, read, write, pool = (limit if p is None else min(p, limit) for p in parts)
    return httpx.Timeout(connect=connect, read=read, write=write, pool=pool)


def json_parser(model: type[M], check: Callable[[M], None] | None = None) -> Callable[[bytes], M]:
    """A parser that validates the JSON body as ``model`` (in Rust, without a dict in between),
    then runs ``check`` on it: what the endpoint must return (choices, candidates, one vector per
    text...), raising :class:`~yescale.errors.InvalidResponseError` naming what is missing.

    Its errors quote the body scrubbed of key-shaped text; the transport scrubs them again of the
    configured keys before they reach the caller."""

    def parse(content: bytes) -> M:
        try:
            value = model.model_validate_json(content)
        except ValidationError as exc:
            raise unreadable_answer(content, model.__name__, exc, ()) from None
        if check is not None:
            check(value)
        return value

    return parse


def encode_json(value: Any) -> bytes:
    """JSON as ``httpx`` encodes a ``json=`` body."""
    return jsonlib.dumps(value, ensure_ascii=False, separators=(",", ":"), allow_nan=False).encode()


@contextlib.contextmanager
def _json_body(call: Call[Any]) -> Iterator[None]:
    """Around the encoding of ``call.json``: the encoder's bare ``TypeError`` / ``ValueError``
    ("Object of type datetime is not JSON serializable") becomes an :class:`InvalidRequestError`
    naming where the body stops being JSON. Free when the body is fine (it is only walked after
    the encoder failed, before anything is sent)."""
    try:
        yield
    except (TypeError, ValueError) as exc:
        problem = None if isinstance(exc, YEScaleError) else json_problem(call.json)
        if problem is None:
            raise
        raise InvalidRequestError(f"Cannot send the {call.what}: {problem}.") from exc


@functools.lru_cache(maxsize=512)
def _url(text: str) -> httpx.URL:
    """Parsed URLs of the (few) endpoint paths, parsed once (``httpx.URL`` is immutable)."""
    return httpx.URL(text)


def build_request(
    call: Call[Any],
    base_url: str,
    headers: httpx.Headers,
    timeout: httpx.Timeout,
) -> httpx.Request:
    """The request for ``call``: the same bytes ``httpx.Client.build_request`` would send (the
    compact JSON encoding, the fixed multipart boundary), built without a client so that any
    client, or a connection pool directly, can send it. ``headers`` are final (auth included)."""
    content: bytes | None = None
    if call.json is not None:
        headers["Content-Type"] = "application/json"
        with _json_body(call):
            content = encode_json(call.json)
    elif call.files is not None:
        headers["Content-Type"] = f"multipart/form-data; boundary={MULTIPART_BOUNDARY}"
    if call.params:
        url = httpx.URL(base_url + call.path, params=call.params)
    else:
        url = _url(base_url + call.path)
    return httpx.Request(
        call.method,
        url,
        headers=headers,
        content=content,
        data=call.data,
        files=call.files,
        extensions={"timeout": capped_timeout(timeout, call.time_left).as_dict()},
    )
