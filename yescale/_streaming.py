"""Decoders for the two SSE dialects: OpenAI (``data: ... [DONE]``) and Gemini (``alt=sse``).

A decoder turns events into typed chunks and knows when a stream is complete. A stream that ends
without its terminator raises :class:`IncompleteStreamError`: a truncated answer is never handed
back as if it were whole.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Generic, Protocol, TypeVar

from pydantic import BaseModel, ValidationError

from .errors import (
    IncompleteStreamError,
    InvalidResponseError,
    SecretValues,
    error_from_payload,
    loads_wire,
    quote,
)
from .types.gemini import GenerateContentResponse

T = TypeVar("T", bound=BaseModel)


class ServerSentEvent(Protocol):
    """What a decoder reads of one SSE event: the transport's
    :class:`yescale._http.sse.ServerSentEvent` fits, as does any object with these two
    attributes (a structural type, so this module needs nothing from the transport)."""

    @property
    def event(self) -> str: ...

    @property
    def data(self) -> str: ...


#: An event whose JSON object starts with an ``error`` member, however it is spaced.
_ERROR_HEAD = re.compile(r'\s*\{\s*"error"\s*:')


class StreamDecoder(Generic[T]):
    """OpenAI-style stream: JSON chunks, then ``data: [DONE]``."""

    def __init__(self, model: type[T], secrets: Iterable[str] = ()) -> None:
        self.model = model
        self.secrets = SecretValues(secrets)
        self.done = False
        self.events = 0

    def feed(self, sse: ServerSentEvent) -> T | None:
        """The chunk this event carries; ``None`` for keep-alives and the terminator."""
        data = sse.data
        if not data or not data.strip():
            return None
        if data == "[DONE]" or data.strip() == "[DONE]":
            self.done = True
            return None
        if sse.event == "error" or _ERROR_HEAD.match(data):
            self._raise_error(data)
        try:
            # pydantic's parser stops at its nesting limit and rejects numbers too long to
            # read, as a ValidationError ("json_invalid"); ValueError / RecursionError are
            # caught too, so that no event can escape as anything but a typed error.
            chunk = self.model.model_validate_json(data)
        except (ValidationError, ValueError, RecursionError) as exc:
            problems = (
                f"{exc.error_count()} problems"
                if isinstance(exc, ValidationError)
                else type(exc).__name__
            )
            raise InvalidResponseError(
                f"YEScale sent a stream event that is not a valid {self.model.__name__}: "
                f"{quote(data, self.secrets)} ({problems})"
            ) from None
        if (chunk.model_extra or {}).get("error"):
            # An error object not at the head of the event (or spaced differently): the wire
            # models allow extra fields, so it would otherwise pass as an empty chunk.
            self._raise_error(data)
        self.events += 1
        return chunk

    def _raise_error(self, data: str) -> None:
        payload = loads_wire(data)
        if isinstance(payload, str):
            payload = {"error": {"message": payload}}
        elif not isinstance(payload, dict):
            if payload is None and data.strip()[:1] not in ("{", "[", '"'):
                said = data  # plain words (error_from_payload scrubs and bounds them)
            else:
                said = f"an event that is not a JSON object ({quote(data, self.secrets)})"
            payload = {"error": {"message": said}}
        raise error_from_payload(payload, secrets=self.secrets, what="stream")

    def finish(self) -> None:
        """Called when the connection ends; raises if the terminator never came."""
        if not self.done:
            raise IncompleteStreamError(
                f"The YEScale stream ended after {self.events} events without its terminator "
                "([DONE]): the answer is incomplete and was not returned. Retry the request."
            )


class GeminiStreamDecoder(StreamDecoder[GenerateContentResponse]):
    """Gemini ``streamGenerateContent?alt=sse``: complete once a chunk has a ``finishReason``."""

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        super().__init__(GenerateContentResponse, secrets)

    def feed(self, sse: ServerSentEvent) -> GenerateContentResponse | None:
        chunk = super().feed(sse)
        if chunk is not None and chunk.finished:
            self.done = True
        return chunk

    def finish(self) -> None:
        if not self.done:
            raise IncompleteStreamError(
                f"The Gemini stream ended after {self.events} events without a finishReason: "
                "the answer is incomplete and was not returned. Retry the request."
            )
